"""``RMSprop``: scale the gradient by a running root-mean-square (optionally centered, with momentum)."""
from __future__ import annotations

import numpy as np

from ._validate import check_flags, check_lr, check_nonneg
from ._fused import add_number, add_scaled, addcdiv, addcmul, opmath
from .adam import _lerp_
from .optimizer import Optimizer, _blocks, _real, _scalar_tensor, _step_count, _value, _zeros_like

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    r"""RMSprop: :math:`v \leftarrow \alpha v + (1-\alpha) g^2`; with ``centered`` also
    :math:`\bar g \leftarrow \alpha \bar g + (1-\alpha) g` and :math:`v - \bar g^2` in place of :math:`v`;
    :math:`\theta \leftarrow \theta - \gamma\, g/(\sqrt{v} + \epsilon)`, or through a momentum buffer
    :math:`b \leftarrow \mu b + g/(\sqrt v+\epsilon)`, :math:`\theta \leftarrow \theta - \gamma b`."""

    _tensor_step = True
    _capturable_tensors = "params and state_steps"

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        check_lr(lr)
        check_nonneg(eps, "epsilon")
        check_nonneg(momentum, "momentum")
        check_nonneg(weight_decay, "weight_decay")
        check_nonneg(alpha, "alpha")
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered, weight_decay=weight_decay,
                        capturable=capturable, foreach=foreach, maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)
        check_flags(differentiable)

    def _init_state(self, p, state, group):
        state["step"] = _scalar_tensor(0.0)
        state["square_avg"] = _zeros_like(p)
        if group["momentum"] > 0:
            state["momentum_buffer"] = _zeros_like(p)
        if group["centered"]:
            state["grad_avg"] = _zeros_like(p)

    def _update(self, p, grad, state, group):
        lr, wd, eps = _value(group["lr"]), _value(group["weight_decay"]), group["eps"]
        alpha, momentum, centered = group["alpha"], group["momentum"], group["centered"]
        _step_count(state)
        lr, wd = float(lr), float(wd)
        arrays = [_real(p._data), _real(grad._data), _real(state["square_avg"]._data)]
        if momentum > 0:
            arrays.append(_real(state["momentum_buffer"]._data))
        if centered:
            arrays.append(_real(state["grad_avg"]._data))
        for blocks in _blocks(*arrays):
            param, g, square_avg = blocks[:3]
            if group["maximize"]:
                g = -g
            if wd != 0:
                g = add_scaled(g, param, wd)
            square_avg *= opmath(alpha, square_avg)
            addcmul(square_avg, g, g, 1 - alpha, out=square_avg)
            if centered:
                grad_avg = blocks[-1]
                _lerp_(grad_avg, g, 1 - alpha)
                avg = np.sqrt(addcmul(square_avg, grad_avg, grad_avg, -1))
            else:
                avg = np.sqrt(square_avg)
            avg = add_number(avg, eps)
            if momentum > 0:
                buf = blocks[3]
                buf *= opmath(momentum, buf)
                addcdiv(buf, g, avg, 1, out=buf)
                add_scaled(param, buf, -lr, out=param)
            else:
                addcdiv(param, g, avg, -lr, out=param)
        for key in ("square_avg", "momentum_buffer", "grad_avg"):
            if key in state:
                state[key]._bump_version()
