"""``Rprop``: resilient backpropagation (sign-based steps with adaptive sizes)."""
from __future__ import annotations

import numpy as np

from ..tensor import _wrap
from ._validate import check_flags, check_lr
from .optimizer import Optimizer, _blocks, _real, _scalar_tensor, _step_count, _value, _zeros_like

__all__ = ["Rprop"]


class Rprop(Optimizer):
    r"""Rprop: where :math:`g\,g_{prev} > 0` the step size grows by :math:`\eta_+`, where it is :math:`< 0` it
    shrinks by :math:`\eta_-` and that gradient is zeroed; sizes are clipped to ``step_sizes``;
    :math:`\theta \leftarrow \theta - \mathrm{sign}(g)\, s`."""

    _tensor_step = True
    _capturable_tensors = "params and state_steps"

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *, capturable=False, foreach=None,
                 maximize=False, differentiable=False):
        check_lr(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)
        check_flags(differentiable)

    def _init_state(self, p, state, group):
        lr = _value(group["lr"])
        state["step"] = _scalar_tensor(0.0)
        state["prev"] = _zeros_like(p)
        state["step_size"] = _wrap(np.full_like(p._data, complex(lr, lr) if p.is_complex() else lr))

    def _update(self, p, grad, state, group):
        eta_minus, eta_plus = group["etas"]
        size_min, size_max = group["step_sizes"]
        _step_count(state)
        for param, g, prev, step_size in _blocks(_real(p._data), _real(grad._data), _real(state["prev"]._data),
                                                 _real(state["step_size"]._data)):
            if group["maximize"]:
                g = -g
            sign = np.asarray(np.sign(g * prev))      # (an array even for a 0-d parameter)
            positive, negative, zero = sign > 0, sign < 0, sign == 0
            sign[positive] = eta_plus
            sign[negative] = eta_minus
            sign[zero] = 1
            step_size *= sign
            np.clip(step_size, size_min, size_max, out=step_size)
            g = g.copy()
            g[sign == eta_minus] = 0
            param += -1 * np.sign(g) * step_size
            prev[...] = g
        state["prev"]._bump_version()
        state["step_size"]._bump_version()
