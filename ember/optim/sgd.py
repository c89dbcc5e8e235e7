"""``SGD``: stochastic gradient descent with momentum, dampening, Nesterov and weight decay."""
from __future__ import annotations

from ..tensor import Tensor, _wrap
from ._validate import check_flags
from ._fused import add_scaled, scale_
from .optimizer import Optimizer, _blocks, _real, _value

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""Stochastic gradient descent (optionally with momentum).

    .. math::
        g \leftarrow \pm\nabla + \lambda\theta,\quad b \leftarrow \mu b + (1-\tau) g \ (b_1 = g),\quad
        g \leftarrow g + \mu b \text{ (nesterov) or } b,\quad \theta \leftarrow \theta - \gamma g

    >>> import ember
    >>> w = ember.nn.Parameter(ember.tensor([1.0, 2.0]))
    >>> w.grad = ember.tensor([0.5, 0.5])
    >>> SGD([w], lr=0.1).step()
    >>> w.data
    tensor([0.9500, 1.9500])
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if lr < 0.0:            # (SGD's test is ``lr < 0``, the others' ``not 0 <= lr``: NaN passes here)
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov,
                        maximize=maximize, foreach=foreach, differentiable=differentiable, fused=fused)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)
        check_flags(differentiable, fused, foreach)

    def _update(self, p, grad, state, group):
        lr, wd, momentum = float(_value(group["lr"])), float(_value(group["weight_decay"])), group["momentum"]
        dampening, nesterov, maximize = group["dampening"], group["nesterov"], group["maximize"]
        param, g = _real(p._data), _real(grad._data)
        buf = None
        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:        # the first buffer is the (decayed) gradient itself
                first = -g if maximize else g.copy()
                if wd != 0:
                    first = add_scaled(first, param, wd)
                state["momentum_buffer"] = _wrap(first.view(grad._data.dtype) if grad._data.dtype.kind == "c" else first)
                for pb, fb in _blocks(param, first):
                    add_scaled(pb, add_scaled(fb, fb, momentum) if nesterov else fb, -lr, out=pb)
                return
            buf = _real(buf._data)
        for blocks in _blocks(param, g) if buf is None else _blocks(param, g, buf):
            pb, gb = blocks[0], blocks[1]
            if maximize:
                gb = -gb
            if wd != 0:
                gb = add_scaled(gb, pb, wd)
            if buf is not None:
                bb = blocks[2]
                scale_(bb, momentum)
                add_scaled(bb, gb, 1 - dampening, out=bb)
                gb = add_scaled(gb, bb, momentum) if nesterov else bb
            add_scaled(pb, gb, -lr, out=pb)

    def _update_differentiable(self, p, grad, state, group):
        """The same step as tensor operations that autograd records (``differentiable=True``): a Tensor ``lr`` or
        ``weight_decay`` that requires grad receives gradients through the update."""
        lr, wd, momentum = group["lr"], group["weight_decay"], group["momentum"]
        if group["maximize"]:
            grad = -grad
        if isinstance(wd, Tensor) and wd.requires_grad:
            grad = grad.addcmul_(p.clone(), wd)
        elif wd != 0:
            grad = grad.add(p, alpha=wd)
        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = grad.detach().clone()
            else:
                buf.mul_(momentum).add_(grad, alpha=1 - group["dampening"])
            grad = grad.add(buf, alpha=momentum) if group["nesterov"] else buf
        if isinstance(lr, Tensor) and lr.requires_grad:
            p.addcmul_(grad, lr, value=-1)
        else:
            p.add_(grad, alpha=-lr)
