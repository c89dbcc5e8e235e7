"""``ASGD``: averaged stochastic gradient descent."""
from __future__ import annotations

import numpy as np

from ._validate import check_flags, check_lr, check_nonneg
from ._fused import add_scaled, opmath
from .optimizer import Optimizer, _blocks, _real, _scalar_tensor, _step_count, _value, _zeros_like

__all__ = ["ASGD"]


class ASGD(Optimizer):
    r"""ASGD (Polyak & Juditsky): :math:`\theta \leftarrow \theta(1 - \lambda\eta) - \eta g`, the average
    :math:`a \leftarrow a + \mu(\theta - a)`, then :math:`\eta = \gamma / (1 + \lambda\gamma t)^\alpha` and
    :math:`\mu = 1/\max(1, t - t_0)`.  ``eta`` and ``mu`` live in 0-d tensors of the scalar dtype, as in torch."""

    _tensor_step = True
    _capturable_tensors = "params, mus, etas, and state_steps"

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, foreach=None,
                 maximize=False, differentiable=False, capturable=False):
        check_lr(lr)
        check_nonneg(weight_decay, "weight_decay")
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)
        check_flags(differentiable)

    def __setstate__(self, state):
        super().__setstate__(state)
        for p_state in self.state.values():
            for key in ("eta", "mu"):
                if isinstance(p_state, dict) and key in p_state and not hasattr(p_state[key], "_data"):
                    p_state[key] = _scalar_tensor(float(p_state[key]))

    def _init_state(self, p, state, group):
        state["step"] = _scalar_tensor(0.0)
        state["eta"] = _scalar_tensor(_value(group["lr"]))
        state["mu"] = _scalar_tensor(1.0)
        state["ax"] = _zeros_like(p)

    def _update(self, p, grad, state, group):
        lr, wd = _value(group["lr"]), _value(group["weight_decay"])
        lambd, alpha, t0 = group["lambd"], group["alpha"], group["t0"]
        eta, mu = state["eta"], state["mu"]
        step = _step_count(state)
        eta_value = float(eta._data)
        mu_value = float(mu._data)
        wd = float(wd)
        for param, g, ax in _blocks(_real(p._data), _real(grad._data), _real(state["ax"]._data)):
            if group["maximize"]:
                g = -g
            if wd != 0:
                g = add_scaled(g, param, wd)
            param *= opmath(1 - lambd * eta_value, param)
            add_scaled(param, g, -eta_value, out=param)
            if mu_value != 1:
                diff = param - ax
                diff *= opmath(mu_value, diff)
                ax += diff
            else:
                ax[...] = param
        eta._data[...] = lr / ((1 + lambd * lr * step) ** alpha)
        mu._data[...] = 1 / max(1, step - t0)
        eta._bump_version()
        mu._bump_version()
        state["ax"]._bump_version()
