"""``Adam`` (with ``amsgrad`` and, as ``AdamW``, decoupled weight decay)."""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from ._validate import check_betas, check_flags, check_lr, check_nonneg
from ._fused import add_number, add_scaled, addcdiv, addcmul, lerp, opmath
from .optimizer import Optimizer, _blocks, _pow, _real, _scalar_tensor, _step_count, _value, _zeros_like

__all__ = ["Adam"]


def _lerp_(out, end, weight):
    """``out += weight * (end - out)`` in place, rounded as torch's lerp kernel (see ``_fused.lerp``)."""
    lerp(out, end, weight, out=out)


class Adam(Optimizer):
    r"""Adam: moments :math:`m \leftarrow \beta_1 m + (1-\beta_1) g`, :math:`v \leftarrow \beta_2 v + (1-\beta_2) g^2`,

    .. math::
        \theta \leftarrow \theta - \frac{\gamma}{1-\beta_1^t}\,\frac{m}{\sqrt{\hat v}/\sqrt{1-\beta_2^t} + \epsilon}

    with :math:`\hat v = \max(\hat v, v)` under ``amsgrad`` and :math:`v` otherwise.  Weight decay adds
    :math:`\lambda\theta` to the gradient, or with ``decoupled_weight_decay`` (AdamW) scales
    :math:`\theta` by :math:`1-\gamma\lambda`.

    >>> import ember
    >>> w = ember.nn.Parameter(ember.tensor([1.0, -1.0]))
    >>> w.grad = ember.tensor([3.0, -0.5])
    >>> Adam([w], lr=0.1).step()
    >>> w.data
    tensor([ 0.9000, -0.9000])
    """

    _tensor_step = True
    _capturable_tensors = "params and state_steps"

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        if isinstance(lr, Tensor):
            if foreach and not capturable:
                raise ValueError("lr as a Tensor is not supported for capturable=False and foreach=True")
        check_lr(lr)
        check_nonneg(eps, "epsilon")
        check_betas(betas)
        check_nonneg(weight_decay, "weight_decay")
        if not ((isinstance(betas[0], float) and isinstance(betas[1], float))
                or (isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor))):
            raise ValueError("betas must be either both floats or both Tensors")
        for i in (0, 1):
            if isinstance(betas[i], Tensor):
                if not capturable and foreach:
                    raise ValueError(f"betas[{i}] as a Tensor is not supported for capturable=False and foreach=True")
                if betas[i].numel() != 1:
                    raise ValueError(f"Tensor betas[{i}] must be 1-element")
        betas = tuple(b.squeeze() if isinstance(b, Tensor) and b.dim() != 0 else b for b in betas)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)
        check_flags(differentiable, fused, foreach)

    def _init_state(self, p, state, group):
        state["step"] = _scalar_tensor(0.0)
        state["exp_avg"] = _zeros_like(p)
        state["exp_avg_sq"] = _zeros_like(p)
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = _zeros_like(p)

    def _update(self, p, grad, state, group):
        lr, wd, eps = _value(group["lr"]), _value(group["weight_decay"]), group["eps"]
        beta1, beta2 = (_value(b) for b in group["betas"])
        decoupled, maximize = group["decoupled_weight_decay"], group["maximize"]
        step = _step_count(state)
        # a Tensor beta1 is first cast to the parameter's dtype for the moment update, as torch does
        weight1 = 1 - (p._data.real.dtype.type(beta1) if isinstance(beta1, np.generic) else beta1)
        step_size = float(lr / (1 - _pow(beta1, step)))
        bias_correction2_sqrt = float(_pow(1 - _pow(beta2, step), 0.5))
        decay, wd = float(1 - lr * wd), float(wd)
        weight1, weight2, beta2 = float(weight1), float(1 - beta2), float(beta2)
        arrays = [_real(p._data), _real(grad._data), _real(state["exp_avg"]._data), _real(state["exp_avg_sq"]._data)]
        if group["amsgrad"]:
            arrays.append(_real(state["max_exp_avg_sq"]._data))
        for blocks in _blocks(*arrays):
            param, g, m, v = blocks[:4]
            if maximize:
                g = -g
            if wd != 0:
                if decoupled:
                    param *= opmath(decay, param)
                else:
                    g = add_scaled(g, param, wd)
            lerp(m, g, weight1, out=m)
            v *= opmath(beta2, v)
            addcmul(v, g, g, weight2, out=v)
            if len(blocks) == 5:
                np.maximum(blocks[4], v, out=blocks[4])
                v = blocks[4]
            denom = np.sqrt(v)
            denom /= opmath(bias_correction2_sqrt, denom)
            denom = add_number(denom, eps)
            addcdiv(param, m, denom, -step_size, out=param)
        for key in ("exp_avg", "exp_avg_sq", "max_exp_avg_sq"):
            if key in state:
                state[key]._bump_version()

    def _update_differentiable(self, p, grad, state, group):
        """The step as tensor operations that autograd records (``differentiable=True``), in torch's order: the
        bias corrections are 0-d tensors of the step count, the moments are updated in place and the parameter by
        ``addcdiv_`` of a copy of the first moment."""
        if state["step"].requires_grad:
            raise RuntimeError("`requires_grad` is not supported for `step` in differentiable mode")
        lr, wd, eps = group["lr"], group["weight_decay"], group["eps"]
        beta1, beta2 = group["betas"]
        if isinstance(lr, Tensor) and lr.dim() != 0:
            lr = lr.squeeze()
        if group["maximize"]:
            grad = -grad
        step_t = state["step"]
        step_t += 1
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        param = p
        if wd != 0:
            if group["decoupled_weight_decay"]:
                param.mul_(1 - lr * wd)
            elif isinstance(wd, Tensor) and wd.requires_grad:
                grad = grad.addcmul_(param.clone(), wd)
            else:
                grad = grad.add(param, alpha=wd)
        max_sq = state.get("max_exp_avg_sq")
        if param.is_complex():
            from .. import view_as_real
            grad, exp_avg, exp_avg_sq, param = (view_as_real(t) for t in (grad, exp_avg, exp_avg_sq, param))
            max_sq = None if max_sq is None else view_as_real(max_sq)
        exp_avg.lerp_(grad, 1 - beta1)
        if isinstance(beta2, Tensor) and beta2.requires_grad:
            exp_avg_sq.lerp_(grad.square(), weight=1 - beta2)
        else:
            exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=float(1 - beta2))
        step = step_t.clone() if isinstance(beta1, Tensor) and beta1.requires_grad else step_t
        bias_correction1 = 1 - beta1 ** step
        step = step_t.clone() if isinstance(beta2, Tensor) and beta2.requires_grad else step_t
        bias_correction2 = 1 - beta2 ** step
        step_size_neg = (lr / bias_correction1).neg()
        bias_correction2_sqrt = bias_correction2.sqrt()
        if group["amsgrad"]:
            max_sq.copy_(max_sq.clone().maximum(exp_avg_sq))
            second = max_sq
        else:
            second = exp_avg_sq
        denom = (second.sqrt() / (bias_correction2_sqrt * step_size_neg)).add_(eps / step_size_neg)
        param.addcdiv_(exp_avg.clone(), denom)
