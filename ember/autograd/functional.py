"""``autograd.functional``: jacobian, hessian, vjp, jvp built on ``autograd.grad``."""
from __future__ import annotations

__all__ = ["vjp", "jvp", "jacobian", "hessian", "vhp", "hvp"]


def _tuple(x):
    from ..tensor import Tensor
    return (x,) if isinstance(x, Tensor) else tuple(x)


def _prep(inputs, create_graph):
    return tuple(x.detach().requires_grad_(True) if not create_graph or not x.requires_grad else x
                 for x in _tuple(inputs))


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    from . import grad
    from ..tensor import Tensor
    from .. import _creation
    is_single = isinstance(inputs, Tensor)
    xs = _prep(inputs, create_graph)
    out = func(*xs)
    outs = _tuple(out)
    vs = _tuple(v) if v is not None else tuple(_creation.ones_like(o) for o in outs)
    gs = grad(outs, xs, vs, create_graph=create_graph, allow_unused=True)
    gs = tuple(g if g is not None else _creation.zeros_like(x) for g, x in zip(gs, xs))
    out_r = out if create_graph else (out.detach() if isinstance(out, Tensor) else tuple(o.detach() for o in out))
    return out_r, (gs[0] if is_single else gs)


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"):
    from . import grad
    from ..tensor import Tensor
    from .. import _creation
    from ..ops.shape import stack
    is_single_in = isinstance(inputs, Tensor)
    xs = _prep(inputs, create_graph)
    out = func(*xs)
    is_single_out = isinstance(out, Tensor)
    outs = _tuple(out)
    result = []
    for o in outs:
        rows = []
        flat = o.reshape(-1)
        for j in range(flat.shape[0]):
            gs = grad(flat[j], xs, retain_graph=True, create_graph=create_graph, allow_unused=True)
            rows.append(tuple(g if g is not None else _creation.zeros_like(x) for g, x in zip(gs, xs)))
        per_in = []
        for i, x in enumerate(xs):
            if rows:
                j = stack([r[i] for r in rows], 0).reshape(tuple(o.shape) + tuple(x.shape))
            else:
                j = _creation.zeros(tuple(o.shape) + tuple(x.shape), dtype=x.dtype)
            per_in.append(j)
        result.append(per_in[0] if is_single_in else tuple(per_in))
    return result[0] if is_single_out else tuple(result)


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False, outer_jacobian_strategy="reverse-mode"):
    from ..tensor import Tensor
    is_single = isinstance(inputs, Tensor)

    def grad_fn(*xs):
        from . import grad
        out = func(*xs)
        gs = grad(out, xs, create_graph=True, allow_unused=True)
        from .. import _creation
        gs = tuple(g if g is not None else _creation.zeros_like(x) for g, x in zip(gs, xs))
        return gs[0] if is_single else gs
    return jacobian(grad_fn, inputs, create_graph=create_graph)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """Forward-mode product computed with the double-vjp trick (two reverse passes)."""
    from . import grad
    from ..tensor import Tensor
    from .. import _creation
    is_single = isinstance(inputs, Tensor)
    xs = _prep(inputs, True)
    out = func(*xs)
    outs = _tuple(out)
    us = tuple(_creation.zeros_like(o).requires_grad_(True) for o in outs)
    gs = grad(outs, xs, us, create_graph=True, allow_unused=True)
    vs = _tuple(v) if v is not None else tuple(_creation.ones_like(x) for x in xs)
    pairs = [(g, vv) for g, vv in zip(gs, vs) if g is not None]
    jv = grad([g for g, _ in pairs], us, [vv for _, vv in pairs], create_graph=create_graph, allow_unused=True)
    jv = tuple(j if j is not None else _creation.zeros_like(o) for j, o in zip(jv, outs))
    out_r = out.detach() if isinstance(out, Tensor) else tuple(o.detach() for o in out)
    return out_r, (jv[0] if isinstance(out, Tensor) else jv)


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    from . import grad
    from ..tensor import Tensor
    is_single = isinstance(inputs, Tensor)
    xs = _prep(inputs, True)
    out = func(*xs)
    gs = grad(out, xs, create_graph=True)
    vs = _tuple(v)
    hv = grad(gs, xs, vs, create_graph=create_graph, allow_unused=True)
    return out.detach(), (hv[0] if is_single else hv)


hvp = vhp
