"""``NAdam``: Adam with Nesterov momentum and a momentum-decay schedule."""
from __future__ import annotations

import numpy as np

from ._validate import check_betas, check_flags, check_lr, check_nonneg
from ._fused import add_number, add_scaled, addcdiv, addcmul, div_number, opmath
from .adam import _lerp_
from .optimizer import Optimizer, _blocks, _real, _scalar_tensor, _step_count, _value, _zeros_like

__all__ = ["NAdam"]


class NAdam(Optimizer):
    r"""NAdam (Dozat): with :math:`\mu_t = \beta_1(1 - \tfrac12 0.96^{t\psi})` and :math:`\Pi_t = \prod_{i\le t}\mu_i`,

    .. math::
        \theta \leftarrow \theta - \gamma\frac{(1-\mu_t)}{1-\Pi_t}\frac{g}{d}
                                 - \gamma\frac{\mu_{t+1}}{1-\Pi_t\mu_{t+1}}\frac{m}{d},\quad
        d = \sqrt{v/(1-\beta_2^t)} + \epsilon

    ``decoupled_weight_decay`` scales :math:`\theta` by :math:`1-\gamma\lambda` (NAdamW).  :math:`\Pi_t` is kept in a
    0-d float32 tensor (``mu_product``) and rounds as torch's does."""

    _tensor_step = True
    _capturable_tensors = "params, mu_products and state_steps"

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        check_lr(lr)
        check_nonneg(eps, "epsilon")
        check_betas(betas)
        check_nonneg(weight_decay, "weight_decay")
        check_nonneg(momentum_decay, "momentum_decay")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)
        check_flags(differentiable)

    def __setstate__(self, state):
        super().__setstate__(state)
        for p_state in self.state.values():
            if isinstance(p_state, dict) and "mu_product" in p_state and not hasattr(p_state["mu_product"], "_data"):
                p_state["mu_product"] = _scalar_tensor(float(p_state["mu_product"]))

    def _init_state(self, p, state, group):
        state["step"] = _scalar_tensor(0.0)
        state["mu_product"] = _scalar_tensor(1.0)
        state["exp_avg"] = _zeros_like(p)
        state["exp_avg_sq"] = _zeros_like(p)

    def _update(self, p, grad, state, group):
        lr, wd, eps = _value(group["lr"]), _value(group["weight_decay"]), group["eps"]
        beta1, beta2 = group["betas"]
        momentum_decay = group["momentum_decay"]
        step = _step_count(state)
        bias_correction2 = 1 - beta2 ** step
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
        mu_product = state["mu_product"]
        mu_product._data *= mu                      # rounds in the tensor's own dtype, as torch's does
        mu_product._bump_version()
        mu_product = float(mu_product._data)
        grad_scale = float(-lr * (1.0 - mu) / (1.0 - mu_product))
        avg_scale = float((-lr * mu_next) / (1.0 - mu_product * mu_next))
        decay, wd = float(1 - lr * wd), float(wd)
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
            denom = div_number(v, bias_correction2)
            np.sqrt(denom, out=denom)
            denom = add_number(denom, eps)
            addcdiv(param, g, denom, grad_scale, out=param)
            addcdiv(param, m, denom, avg_scale, out=param)
        state["exp_avg"]._bump_version()
        state["exp_avg_sq"]._bump_version()
