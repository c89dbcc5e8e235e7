"""Stochastic weight averaging and EMA: ``AveragedModel``, ``SWALR``, ``update_bn`` and the averaging functions."""
from __future__ import annotations

import itertools
import math
import warnings
from copy import deepcopy

import numpy as np

from ..autograd.grad_mode import no_grad
from ..nn.modules.module import Module
from ..tensor import _wrap
from ._fused import lerp
from .lr_scheduler import LRScheduler, _per_group

__all__ = ["AveragedModel", "update_bn", "SWALR", "get_ema_multi_avg_fn", "get_swa_multi_avg_fn", "get_ema_avg_fn",
           "get_swa_avg_fn"]


def _check_decay(decay):
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in [0,1] range.")


def _lerp_into(averaged, current, weight):
    """``averaged += weight * (current - averaged)`` in place, rounded as torch's lerp kernel (``_fused.lerp``)."""
    a, c = averaged._data, current._data
    if a.dtype.kind == "c":
        a, c = a.view(a.real.dtype), c.view(c.real.dtype)
    lerp(a, c, weight, out=a)
    averaged._bump_version()


def get_ema_multi_avg_fn(decay=0.999):
    r"""In-place EMA over lists of tensors: :math:`a \leftarrow a + (1-\text{decay})(p - a)`."""
    _check_decay(decay)

    def ema_update(ema_params, current_params, _):
        with no_grad():
            if ema_params[0].is_floating_point() or ema_params[0].is_complex():
                for a, p in zip(ema_params, current_params):
                    _lerp_into(a, p, 1 - decay)
            else:
                for a, p in zip(ema_params, current_params):
                    a.copy_(a * decay + p * (1 - decay))
    return ema_update


def get_swa_multi_avg_fn():
    r"""In-place running mean over lists of tensors: :math:`a \leftarrow a + (p - a)/(n+1)`."""

    def swa_update(averaged_params, current_params, num_averaged):
        with no_grad():
            if averaged_params[0].is_floating_point() or averaged_params[0].is_complex():
                for a, p in zip(averaged_params, current_params):
                    _lerp_into(a, p, float(1 / (num_averaged + 1)))
            else:
                for a, p in zip(averaged_params, current_params):
                    a.copy_(a + (p - a) / (num_averaged + 1))
    return swa_update


def get_ema_avg_fn(decay=0.999):
    """EMA of one tensor: returns ``decay * ema + (1 - decay) * current``."""
    _check_decay(decay)

    def ema_update(ema_param, current_param, num_averaged):
        with no_grad():
            return decay * ema_param + (1 - decay) * current_param
    return ema_update


def get_swa_avg_fn():
    """Running mean of one tensor: returns ``averaged + (current - averaged) / (n + 1)``."""

    def swa_update(averaged_param, current_param, num_averaged):
        with no_grad():
            return averaged_param + (current_param - averaged_param) / (num_averaged + 1)
    return swa_update


class AveragedModel(Module):
    """A deep copy of ``model`` whose parameters (and buffers, with ``use_buffers``) are averaged by
    ``update_parameters(model)``: the running mean by default (SWA), or ``avg_fn`` / ``multi_avg_fn`` (EMA).
    ``n_averaged`` counts the updates (an int64 buffer)."""

    def __init__(self, model, device=None, avg_fn=None, multi_avg_fn=None, use_buffers=False):
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", _wrap(np.array(0, dtype=np.int64)))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    def update_parameters(self, model):
        if self.use_buffers:
            mine = itertools.chain(self.module.parameters(), self.module.buffers())
            theirs = itertools.chain(model.parameters(), model.buffers())
        else:
            mine, theirs = self.parameters(), model.parameters()
        averaged, current = [], []
        first = int(self.n_averaged) == 0
        with no_grad():
            for a, p in zip(mine, theirs):
                p = p.detach().to(a.device)
                averaged.append(a.detach())
                current.append(p)
                if first:
                    a.detach().copy_(p)
            n = int(self.n_averaged)
            if n > 0:
                if self.avg_fn is None:
                    # as torch, a multi-tensor function sees one dtype at a time (int buffers apart from floats)
                    by_dtype = {}
                    for a, p in zip(averaged, current):
                        pair = by_dtype.setdefault(a.dtype, ([], []))
                        pair[0].append(a)
                        pair[1].append(p)
                    multi_avg_fn = self.multi_avg_fn or get_swa_multi_avg_fn()
                    for group_averaged, group_current in by_dtype.values():
                        multi_avg_fn(group_averaged, group_current, self.n_averaged)
                else:
                    for a, p in zip(averaged, current):
                        a.copy_(self.avg_fn(a, p, self.n_averaged))
            if not self.use_buffers:        # buffers are copied, not averaged
                for b_mine, b_model in zip(self.module.buffers(), model.buffers()):
                    b_mine.detach().copy_(b_model.detach().to(b_mine.device))
            self.n_averaged._data += 1
            self.n_averaged._bump_version()


def update_bn(loader, model, device=None):
    """Recompute the BatchNorm running statistics of ``model`` with one pass over ``loader`` (a cumulative average:
    momentum None during the pass)."""
    from ..nn.modules.batchnorm import _BatchNorm
    with no_grad():
        momenta = {}
        for module in model.modules():
            if isinstance(module, _BatchNorm):
                module.reset_running_stats()
                momenta[module] = module.momentum
        if not momenta:
            return
        was_training = model.training
        model.train()
        for module in momenta:
            module.momentum = None
        for batch in loader:
            if isinstance(batch, (list, tuple)):
                batch = batch[0]
            if device is not None:
                batch = batch.to(device)
            model(batch)
        for module, momentum in momenta.items():
            module.momentum = momentum
        model.train(was_training)


class SWALR(LRScheduler):
    """Anneal each group's rate to ``swa_lr`` over ``anneal_epochs`` steps (cosine or linear), then hold it."""

    def __init__(self, optimizer, swa_lr, anneal_epochs=10, anneal_strategy="cos", last_epoch=-1):
        for value, group in zip(_per_group("swa_lr", optimizer, swa_lr), optimizer.param_groups):
            group["swa_lr"] = value
        if anneal_strategy not in ["cos", "linear"]:
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}")
        self._set_anneal_func(anneal_strategy)
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _linear_anneal(t):
        return t

    @staticmethod
    def _cosine_anneal(t):
        return (1 - math.cos(math.pi * t)) / 2

    @staticmethod
    def _get_initial_lr(lr, swa_lr, alpha):
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)

    def _set_anneal_func(self, strategy):
        self._anneal_strategy = strategy
        self.anneal_func = self._cosine_anneal if strategy == "cos" else self._linear_anneal

    def get_lr(self):
        if not self._get_lr_called_within_step:
            warnings.warn("To get the last learning rate computed by the scheduler, please use `get_last_lr()`.",
                          UserWarning, stacklevel=2)
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        # recover the rate before annealing from the current one, then anneal it one step further
        prev_alpha = self.anneal_func(max(0, min(1, (step - 1) / max(1, self.anneal_epochs))))
        prev_lrs = [self._get_initial_lr(g["lr"], g["swa_lr"], prev_alpha) for g in self.optimizer.param_groups]
        alpha = self.anneal_func(max(0, min(1, step / max(1, self.anneal_epochs))))
        return [g["swa_lr"] * alpha + lr * (1 - alpha) for g, lr in zip(self.optimizer.param_groups, prev_lrs)]

    def state_dict(self):
        return {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "anneal_func")}

    def load_state_dict(self, state_dict):
        self.__dict__.update(state_dict)
        self._set_anneal_func(self._anneal_strategy)
