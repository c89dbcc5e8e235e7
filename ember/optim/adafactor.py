"""``Adafactor``: Adam-like steps whose second moment of a matrix is kept as a row factor and a column factor.

For a parameter with two or more dimensions the running mean of ``g * g`` is stored only along its last two axes
(``row_var`` with the last axis reduced to 1, ``col_var`` with the second-last reduced to 1) and the full estimate is
their outer product over the row mean.  Vectors keep a plain ``variance``.  There is no first moment.  The step size
is relative: ``min(lr, 1/sqrt(t))`` times the parameter's RMS (at least ``eps[1]``), and the update is clipped to an
RMS of ``d``.
"""
from __future__ import annotations

from ..tensor import Tensor
from ._fused import add_scaled, lerp
from .optimizer import Optimizer, _scalar_tensor, _step_count

__all__ = ["Adafactor"]


def _float_lr(lr):
    return lr.item() if isinstance(lr, Tensor) else lr


class Adafactor(Optimizer):
    r"""Adafactor (Shazeer & Stern, 2018) with decoupled weight decay.

    .. math::
        \hat\beta_{2,t} = 1 - t^{c},\quad \rho_t = \min(\gamma, t^{-1/2}),\quad
        \alpha_t = \max(\epsilon_2, \mathrm{RMS}(\theta)) \rho_t,\quad
        U = g / \max(\sqrt{\hat V}, \epsilon_1),\quad \theta \leftarrow \theta - \alpha_t U / \max(1, \mathrm{RMS}(U)/d)

    ``eps[0] = None`` means the machine epsilon of the parameter's dtype.
    """

    _tensor_step = True

    def __init__(self, params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0, weight_decay=0.0, *,
                 foreach=None, maximize=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 >= beta2_decay:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        defaults = dict(lr=lr, beta2_decay=beta2_decay, eps=eps, d=d, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize)
        super().__init__(params, defaults)

    def _init_state(self, p, state, group):
        if p.is_complex():
            raise RuntimeError("Adafactor does not support complex parameters")
        state["step"] = _scalar_tensor(0.0)
        grad = p.grad
        if grad.dim() > 1:
            row_shape, col_shape = list(grad.shape), list(grad.shape)
            row_shape[-1] = 1
            col_shape[-2] = 1
            state["row_var"] = grad.new_zeros(row_shape)
            state["col_var"] = grad.new_zeros(col_shape)
        else:
            state["variance"] = grad.new_zeros(grad.shape)

    def _update(self, p, grad, state, group):
        if p.is_complex():
            raise RuntimeError("Adafactor does not support complex parameters")
        lr = _float_lr(group["lr"])
        eps1, eps2 = group["eps"]
        if eps1 is None:
            eps1 = _finfo_eps(p)
        wd, d = group["weight_decay"], group["d"]
        if group["maximize"]:
            grad = -grad
        step = _step_count(state)
        one_minus_beta2 = step ** group["beta2_decay"]
        rho = min(lr, 1 / (step ** 0.5))
        alpha = max(eps2, p.norm(2).item() / (p.numel() ** 0.5)) * rho
        if wd != 0:
            p.mul_(1 - lr * wd)
        if grad.dim() > 1:
            row_var, col_var = state["row_var"], state["col_var"]
            _lerp_(row_var, grad.norm(dim=-1, keepdim=True).square_().div_(grad.size(-1)), one_minus_beta2)
            _lerp_(col_var, grad.norm(dim=-2, keepdim=True).square_().div_(grad.size(-2)), one_minus_beta2)
            estimate = row_var @ col_var
            estimate.div_(row_var.mean(dim=-2, keepdim=True).clamp_(min=eps1))
        else:
            variance = state["variance"]
            _lerp_(variance, grad * grad, one_minus_beta2)
            estimate = variance.clone()
        update = estimate.clamp_(min=eps1 * eps1).rsqrt_()
        update.mul_(grad)
        denom = max(1.0, update.norm(2).item() / ((update.numel() ** 0.5) * d))
        add_scaled(p._data, update._data, -alpha / denom, out=p._data)


def _lerp_(tensor, end, weight):
    lerp(tensor._data, end._data, weight, out=tensor._data)
    tensor._bump_version()


def _finfo_eps(p):
    from .. import finfo
    return finfo(p.dtype).eps
