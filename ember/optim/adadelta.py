"""``Adadelta``: step sizes from running averages of squared gradients and squared updates."""
from __future__ import annotations

import numpy as np

from ._validate import check_flags, check_lr, check_nonneg
from ._fused import add_number, add_scaled, addcmul, opmath
from .optimizer import Optimizer, _blocks, _real, _scalar_tensor, _step_count, _value, _zeros_like

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    r"""Adadelta (Zeiler): :math:`v \leftarrow \rho v + (1-\rho) g^2`,
    :math:`\Delta = \frac{\sqrt{u + \epsilon}}{\sqrt{v + \epsilon}}\, g`, :math:`u \leftarrow \rho u + (1-\rho)\Delta^2`,
    :math:`\theta \leftarrow \theta - \gamma \Delta`."""

    _tensor_step = True
    _capturable_tensors = "params and state_steps"
    _capturable_devices = ["cuda", "xpu", "hpu", "privateuseone"]

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *, capturable=False,
                 maximize=False, differentiable=False):
        check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        check_nonneg(eps, "epsilon")
        check_nonneg(weight_decay, "weight_decay")
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize, capturable=capturable,
                        foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)
        check_flags(differentiable)

    def _init_state(self, p, state, group):
        state["step"] = _scalar_tensor(0.0)
        state["square_avg"] = _zeros_like(p)
        state["acc_delta"] = _zeros_like(p)

    def _update(self, p, grad, state, group):
        lr, wd, eps, rho = _value(group["lr"]), _value(group["weight_decay"]), group["eps"], group["rho"]
        _step_count(state)
        lr_value, wd = float(lr), float(wd)
        for param, g, square_avg, acc_delta in _blocks(_real(p._data), _real(grad._data),
                                                       _real(state["square_avg"]._data),
                                                       _real(state["acc_delta"]._data)):
            if group["maximize"]:
                g = -g
            if wd != 0:
                g = add_scaled(g, param, wd)
            square_avg *= opmath(rho, square_avg)
            addcmul(square_avg, g, g, 1 - rho, out=square_avg)
            std = add_number(square_avg, eps)
            np.sqrt(std, out=std)
            delta = add_number(acc_delta, eps)
            np.sqrt(delta, out=delta)
            delta /= std
            delta *= g
            acc_delta *= opmath(rho, acc_delta)
            addcmul(acc_delta, delta, delta, 1 - rho, out=acc_delta)
            add_scaled(param, delta, -lr_value, out=param)
        state["square_avg"]._bump_version()
        state["acc_delta"]._bump_version()
