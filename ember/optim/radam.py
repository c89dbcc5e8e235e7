"""``RAdam``: Adam with the variance of the adaptive learning rate rectified."""
from __future__ import annotations

import numpy as np

from ._validate import check_betas, check_flags, check_lr, check_nonneg
from ._fused import add_number, add_scaled, addcmul, div_number, opmath, rdiv_number
from .adam import _lerp_
from .optimizer import Optimizer, _blocks, _real, _scalar_tensor, _step_count, _value, _zeros_like

__all__ = ["RAdam"]


class RAdam(Optimizer):
    r"""RAdam (Liu et al.): with :math:`\rho_\infty = 2/(1-\beta_2) - 1` and
    :math:`\rho_t = \rho_\infty - 2t\beta_2^t/(1-\beta_2^t)`, the step is
    :math:`\gamma \hat m\, r_t \sqrt{1-\beta_2^t}/(\sqrt v + \epsilon)` when :math:`\rho_t > 5`, where
    :math:`r_t = \sqrt{\frac{(\rho_t-4)(\rho_t-2)\rho_\infty}{(\rho_\infty-4)(\rho_\infty-2)\rho_t}}`, and
    :math:`\gamma \hat m` (plain momentum SGD) before that; :math:`\hat m = m/(1-\beta_1^t)`."""

    _tensor_step = True
    _capturable_tensors = "params and state_steps"

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, decoupled_weight_decay=False,
                 *, foreach=None, maximize=False, capturable=False, differentiable=False):
        check_lr(lr)
        check_nonneg(eps, "epsilon")
        check_betas(betas)
        check_nonneg(weight_decay, "weight_decay")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize, foreach=foreach,
                        capturable=capturable, decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)
        check_flags(differentiable)

    def _init_state(self, p, state, group):
        state["step"] = _scalar_tensor(0.0)
        state["exp_avg"] = _zeros_like(p)
        state["exp_avg_sq"] = _zeros_like(p)

    def _update(self, p, grad, state, group):
        lr, wd, eps = _value(group["lr"]), _value(group["weight_decay"]), group["eps"]
        beta1, beta2 = group["betas"]
        step = _step_count(state)
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
        rect = None
        decay, wd, lr = float(1 - lr * wd), float(wd), float(lr)
        if rho_t > 5.0:
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
        for param, g, m, v in _blocks(_real(p._data), _real(grad._data), _real(state["exp_avg"]._data),
                                      _real(state["exp_avg_sq"]._data)):
            if group["maximize"]:
                g = -g
            if wd != 0:
                if group["decoupled_weight_decay"]:
                    param *= opmath(decay, param)
                else:
                    g = add_scaled(g, param, wd)
            _lerp_(m, g, 1 - beta1)
            v *= opmath(beta2, v)
            addcmul(v, g, g, 1 - beta2, out=v)
            update = div_number(m, bias_correction1)
            update *= opmath(lr, update)
            if rect is not None:
                denom = np.sqrt(v)
                denom = add_number(denom, eps)
                update *= rdiv_number(bias_correction2 ** 0.5, denom)
                update *= opmath(rect, update)
            param += -1.0 * update
        state["exp_avg"]._bump_version()
        state["exp_avg_sq"]._bump_version()
