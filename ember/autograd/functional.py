"""``autograd.functional``: jacobian, hessian, vjp, jvp built on ``autograd.grad``."""
from __future__ import annotations

__all__ = ["vjp", "jvp", "jacobian", "hessian", "vhp", "hvp"]


def _tuple(x):
    from ..tensor import Tensor
    return (x,) if isinstance(x, Tensor) else tuple(x)


def _is_tensors(x):
    from ..tensor import Tensor
    return isinstance(x, Tensor) or (isinstance(x, tuple) and all(isinstance(t, Tensor) for t in x))


def _check_inputs(inputs, fn):
    if not _is_tensors(inputs):
        raise TypeError(f"The inputs given to {fn} must be either a Tensor or a tuple of Tensors but the given "
                        f"inputs has type {type(inputs)}.")


def _check_outputs(out, fn):
    if not _is_tensors(out):
        raise TypeError(f"The outputs of the user-provided function given to {fn} must be either a Tensor or a "
                        f"tuple of Tensors but the given outputs of the user-provided function has type {type(out)}.")


def _check_scalar_output(out, fn):
    from ..tensor import Tensor
    if not isinstance(out, Tensor):
        if isinstance(out, tuple) and len(out) == 1 and isinstance(out[0], Tensor):
            out = out[0]
        else:
            raise RuntimeError(f"The function given to {fn} should return a single Tensor")
    if out.numel() != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {fn} should contain a single element")
    return out


def _prep(inputs, create_graph):
    return tuple(x.detach().requires_grad_(True) if not create_graph or not x.requires_grad else x
                 for x in _tuple(inputs))


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    from . import grad
    from ..tensor import Tensor
    from .. import _creation
    _check_inputs(inputs, "vjp")
    is_single = isinstance(inputs, Tensor)
    xs = _prep(inputs, create_graph)
    out = func(*xs)
    _check_outputs(out, "vjp")
    outs = _tuple(out)
    if v is None and not (len(outs) == 1 and outs[0].numel() == 1):
        raise RuntimeError("The vector v can only be None if the user-provided function returns a single Tensor "
                           "with a single element.")
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
    _check_inputs(inputs, "jacobian")
    is_single_in = isinstance(inputs, Tensor)
    xs = _prep(inputs, create_graph)
    out = func(*xs)
    _check_outputs(out, "jacobian")
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

    _check_inputs(inputs, "hessian")

    def grad_fn(*xs):
        from . import grad
        out = _check_scalar_output(func(*xs), "hessian")
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
    _check_inputs(inputs, "jvp")
    is_single = isinstance(inputs, Tensor)
    xs = _prep(inputs, True)
    out = func(*xs)
    _check_outputs(out, "jvp")
    outs = _tuple(out)
    if v is None and not (len(xs) == 1 and xs[0].numel() == 1):
        raise RuntimeError("The vector v can only be None if the input to the user-provided function is a single "
                           "Tensor with a single element.")
    us = tuple(_creation.zeros_like(o).requires_grad_(True) for o in outs)
    gs = grad(outs, xs, us, create_graph=True, allow_unused=True)
    vs = _tuple(v) if v is not None else tuple(_creation.ones_like(x) for x in xs)
    pairs = [(g, vv) for g, vv in zip(gs, vs) if g is not None]
    jv = grad([g for g, _ in pairs], us, [vv for _, vv in pairs], create_graph=create_graph, allow_unused=True)
    jv = tuple(j if j is not None else _creation.zeros_like(o) for j, o in zip(jv, outs))
    out_r = out.detach() if isinstance(out, Tensor) else tuple(o.detach() for o in out)
    return out_r, (jv[0] if isinstance(out, Tensor) else jv)


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    return _hessian_product(func, inputs, v, create_graph, "vhp")


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """H v; for a twice continuously differentiable scalar function H is symmetric, so H v = v^T H."""
    return _hessian_product(func, inputs, v, create_graph, "hvp")


def _hessian_product(func, inputs, v, create_graph, name):
    from . import grad
    from ..tensor import Tensor
    _check_inputs(inputs, name)
    is_single = isinstance(inputs, Tensor)
    xs = _prep(inputs, True)
    out = _check_scalar_output(func(*xs), name)
    if v is None:
        if not (len(xs) == 1 and xs[0].numel() == 1):
            raise RuntimeError("The vector v can only be None if the input to the user-provided function is a "
                               "single Tensor with a single element.")
        from .. import _creation
        v = _creation.ones_like(xs[0])
    gs = grad(out, xs, create_graph=True)
    vs = _tuple(v)
    hv = grad(gs, xs, vs, create_graph=create_graph, allow_unused=True)
    return out.detach(), (hv[0] if is_single else hv)

