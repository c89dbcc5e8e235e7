"""``SparseAdam``: Adam that touches only the rows a gradient has (the lazy Adam for embedding tables).

torch feeds it the sparse gradients of ``nn.Embedding(sparse=True)``; ember's gradients are always dense, so the
rows "in" a gradient are those (along the first dimension) with a nonzero entry: for an embedding these are the
looked-up rows.  Only those rows of the moments and of the parameter change, with the bias corrections of the
parameter's own step count.
"""
from __future__ import annotations

import math

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer, _value, _zeros_like

__all__ = ["SparseAdam"]


class SparseAdam(Optimizer):
    r"""Adam restricted to the gradient's rows :math:`I`:
    :math:`m_I \leftarrow \beta_1 m_I + (1-\beta_1) g_I`, :math:`v_I \leftarrow \beta_2 v_I + (1-\beta_2) g_I^2`,
    :math:`\theta_I \leftarrow \theta_I - \gamma \frac{\sqrt{1-\beta_2^t}}{1-\beta_1^t} \frac{m_I}{\sqrt{v_I}+\epsilon}`.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, maximize=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 < lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        for i in (0, 1):
            if not 0.0 <= betas[i] < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {betas[i]}")
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, maximize=maximize))
        complex_params = [[gi, pi] for gi, group in enumerate(self.param_groups)
                          for pi, p in enumerate(group["params"]) if p.is_complex()]
        if complex_params:
            raise ValueError(f"Complex params at indices {complex_params}: SparseAdam does not support complex "
                             "parameters")

    def _init_state(self, p, state, group):
        state["step"] = 0
        state["exp_avg"] = _zeros_like(p)
        state["exp_avg_sq"] = _zeros_like(p)

    def _update(self, p, grad, state, group):
        state["step"] += 1
        step = state["step"]
        beta1, beta2 = group["betas"]
        lr, eps = float(_value(group["lr"])), group["eps"]
        g = -grad._data if group.get("maximize", False) else grad._data
        param, m, v = p._data, state["exp_avg"]._data, state["exp_avg_sq"]._data
        if g.ndim == 0:
            rows = ...
            if not g.any():
                return
        else:
            rows = np.flatnonzero(g.reshape(g.shape[0], -1).any(axis=1))
            if rows.size == 0:
                return
        g = g[rows]
        old_m, old_v = m[rows].copy(), v[rows].copy()
        m_update = (g - old_m) * (1 - beta1)
        m[rows] = old_m + m_update
        v_update = (g * g - old_v) * (1 - beta2)
        v[rows] = old_v + v_update
        numer = m_update + old_m
        denom = np.sqrt(v_update + old_v) + eps
        step_size = lr * math.sqrt(1 - beta2 ** step) / (1 - beta1 ** step)
        param[rows] = param[rows] + -step_size * (numer / denom)
        state["exp_avg"]._bump_version()
        state["exp_avg_sq"]._bump_version()
