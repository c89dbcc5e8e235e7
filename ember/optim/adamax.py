"""``Adamax``: Adam with the infinity norm in place of the second moment."""
from __future__ import annotations

import numpy as np

from ._validate import check_betas, check_flags, check_lr, check_nonneg
from ._fused import add_number, add_scaled, addcdiv, opmath
from .adam import _lerp_
from .optimizer import Optimizer, _blocks, _real, _scalar_tensor, _step_count, _value, _zeros_like

__all__ = ["Adamax"]


class Adamax(Optimizer):
    r"""Adamax: :math:`m \leftarrow \beta_1 m + (1-\beta_1) g`, :math:`u \leftarrow \max(\beta_2 u, |g| + \epsilon)`,
    :math:`\theta \leftarrow \theta - \frac{\gamma}{1-\beta_1^t} \frac{m}{u}`."""

    _tensor_step = True
    _capturable_tensors = "params and state_steps"

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
                 maximize=False, differentiable=False, capturable=False):
        check_lr(lr)
        check_nonneg(eps, "epsilon")
        check_betas(betas)
        check_nonneg(weight_decay, "weight_decay")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)
        check_flags(differentiable)

    def _init_state(self, p, state, group):
        state["step"] = _scalar_tensor(0.0)
        state["exp_avg"] = _zeros_like(p)
        state["exp_inf"] = _zeros_like(p)

    def _update(self, p, grad, state, group):
        lr, wd, eps = _value(group["lr"]), _value(group["weight_decay"]), group["eps"]
        beta1, beta2 = group["betas"]
        step = _step_count(state)
        clr, wd = float(lr / (1 - beta1 ** step)), float(wd)
        for param, g, m, u in _blocks(_real(p._data), _real(grad._data), _real(state["exp_avg"]._data),
                                      _real(state["exp_inf"]._data)):
            if group["maximize"]:
                g = -g
            if wd != 0:
                g = add_scaled(g, param, wd)
            _lerp_(m, g, 1 - beta1)
            u *= opmath(beta2, u)
            bound = np.abs(g)
            bound = add_number(bound, eps)
            np.maximum(u, bound, out=u)
            addcdiv(param, m, u, -clr, out=param)
        state["exp_avg"]._bump_version()
        state["exp_inf"]._bump_version()
