"""``Adagrad``: per-coordinate learning rates from the running sum of squared gradients."""
from __future__ import annotations

import numpy as np

from ..tensor import _wrap
from ._validate import check_flags, check_lr, check_nonneg
from ._fused import add_number, add_scaled, addcdiv, addcmul, opmath
from .optimizer import Optimizer, _blocks, _real, _scalar_tensor, _step_count, _value

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    r"""Adagrad: :math:`s \leftarrow s + g^2`,
    :math:`\theta \leftarrow \theta - \frac{\gamma}{1 + (t-1)\eta}\, \frac{g}{\sqrt s + \epsilon}`
    (:math:`\eta` = ``lr_decay``; :math:`s_0` = ``initial_accumulator_value``).  State exists for every parameter
    from construction, as in torch."""

    _tensor_step = True

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        check_lr(lr)
        check_nonneg(lr_decay, "lr_decay")
        check_nonneg(weight_decay, "weight_decay")
        check_nonneg(initial_accumulator_value, "initial_accumulator_value")
        check_nonneg(eps, "epsilon")
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        check_flags(differentiable, fused, foreach)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, self.state[p], group)

    def share_memory(self):
        """Move the accumulated squared-gradient sums into shared memory (for Hogwild-style training)."""
        for group in self.param_groups:
            for p in group["params"]:
                self.state[p]["sum"].share_memory_()

    def _init_state(self, p, state, group):
        state["step"] = _scalar_tensor(0.0)
        init = self.defaults["initial_accumulator_value"]     # torch takes the default, not the group's value
        if p.is_complex():
            init = complex(init, init)
        state["sum"] = _wrap(np.full_like(p._data, init))

    def _update(self, p, grad, state, group):
        lr, wd, eps = _value(group["lr"]), _value(group["weight_decay"]), group["eps"]
        step = _step_count(state)
        clr, wd = float(lr / (1 + (step - 1) * group["lr_decay"])), float(wd)
        for param, g, total in _blocks(_real(p._data), _real(grad._data), _real(state["sum"]._data)):
            if group["maximize"]:
                g = -g
            if wd != 0:
                g = add_scaled(g, param, wd)
            addcmul(total, g, g, 1, out=total)
            std = np.sqrt(total)
            std = add_number(std, eps)
            addcdiv(param, g, std, -clr, out=param)
        state["sum"]._bump_version()
