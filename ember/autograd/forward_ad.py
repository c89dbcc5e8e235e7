"""``autograd.forward_ad``: dual tensors (``make_dual`` / ``unpack_dual`` inside ``dual_level()``).

ember has no forward-mode kernels: a dual tensor is an alias of its primal that the reverse-mode graph
tracks, and ``unpack_dual(out).tangent`` is computed when asked with the double-backward trick (the vjp is
linear in its cotangent, so differentiating it with respect to the cotangent along the tangents gives the
jvp).  The tangent values are torch's; what differs is that the dual tensors take part in the ordinary graph
(``requires_grad`` is True on them and on what is computed from them).
"""
from __future__ import annotations

from collections import namedtuple

__all__ = ["UnpackedDualTensor", "enter_dual_level", "exit_dual_level", "make_dual", "unpack_dual", "dual_level"]

_levels = []     # one dict per entered level: id(dual) -> (dual, its tangent, whether its primal required grad)
                 # (held strongly: a dual used only as a temporary still defines the tangents computed from it)


class UnpackedDualTensor(namedtuple("UnpackedDualTensor", ["primal", "tangent"])):
    """``(primal, tangent)`` of a dual tensor; ``tangent`` is None when it has none at this level."""


def enter_dual_level():
    if _levels:
        raise RuntimeError("Nested forward mode AD is not supported at the moment")
    _levels.append({})
    return len(_levels) - 1


def exit_dual_level(*, level=None):
    if level is None:
        level = len(_levels) - 1
    if level != len(_levels) - 1 or level < 0:
        raise RuntimeError("Trying to exit a forward AD level that was not the last one that was created. This is "
                           "not supported.")
    _levels.pop()


class dual_level:
    """Context manager: dual tensors made inside carry their tangents until it exits."""

    def __enter__(self):
        return enter_dual_level()

    def __exit__(self, *exc):
        exit_dual_level()
        return False


def _level(level):
    if not _levels or (level is not None and not 0 <= level < len(_levels)):
        return None
    return _levels[-1 if level is None else level]


def make_dual(tensor, tangent, *, level=None):
    """A tensor equal to ``tensor`` whose forward gradient is ``tangent``."""
    from ..tensor import Tensor
    reg = _level(level)
    if reg is None:
        raise RuntimeError("Trying to create a dual Tensor for forward AD but no level exists, make sure to "
                           "enter_dual_level() first.")
    if not (tensor.is_floating_point() or tensor.is_complex()):
        raise ValueError(f"Expected primal to be floating point or complex, but got: {tensor.dtype}")
    if not isinstance(tangent, Tensor) or not (tangent.is_floating_point() or tangent.is_complex()):
        raise ValueError(f"Expected tangent to be floating point or complex, but got: "
                         f"{getattr(tangent, 'dtype', type(tangent))}")
    if tuple(tensor.shape) != tuple(tangent.shape):
        raise RuntimeError("Trying to set a forward gradient that has a different size than that of the original "
                           f"Tensor, this is not supported. Tensor is of size [{', '.join(map(str, tensor.shape))}] "
                           f"while the given forward gradient is of size [{', '.join(map(str, tangent.shape))}].")
    from .grad_mode import enable_grad
    with enable_grad():
        if tensor.requires_grad:
            dual = tensor.view_as(tensor)
        else:
            dual = tensor.detach()
            dual.requires_grad_(True)
    reg[id(dual)] = (dual, tangent.detach(), tensor.requires_grad)
    return dual


def unpack_dual(tensor, *, level=None):
    """``UnpackedDualTensor(primal, tangent)`` of ``tensor`` (``tangent`` None when it does not depend on a dual
    tensor of the level)."""
    reg = _level(level)
    if reg is None:
        return UnpackedDualTensor(tensor, None)
    own = reg.get(id(tensor))
    if own is not None and own[0] is tensor:
        return UnpackedDualTensor(_primal(tensor, own[2]), own[1])
    duals = list(reg.values())
    if not tensor.requires_grad or not duals:
        return UnpackedDualTensor(tensor, None)
    ids = {id(d) for d, _, _ in duals}
    keep = _reaches_other_leaf(tensor, ids)   # the tangent (and primal) then depend on it, as in torch
    tangent = _jvp(tensor, [d for d, _, _ in duals], [t for _, t, _ in duals], keep)
    return UnpackedDualTensor(_primal(tensor, keep), tangent)


def _primal(t, keep_graph):
    return t.view_as(t) if keep_graph else t.detach()


def _jvp(out, duals, tangents, keep):
    from . import grad
    from .. import _creation
    from .grad_mode import enable_grad
    with enable_grad():
        u = _creation.zeros_like(out).requires_grad_(True)
        gs = grad(out, duals, u, retain_graph=True, create_graph=True, allow_unused=True)
        pairs = [(g, t) for g, t in zip(gs, tangents) if g is not None]
        if not pairs:
            return None
        live = [(g, t) for g, t in pairs if g.requires_grad]
        if not live:
            return _creation.zeros_like(out)
        jv, = grad([g for g, _ in live], u, [t for _, t in live], allow_unused=True, retain_graph=True,
                   create_graph=keep)
    if jv is None:
        return _creation.zeros_like(out)
    return jv if keep else jv.detach()


def _reaches_other_leaf(out, dual_ids):
    """Whether ``out``'s graph reaches a leaf requiring grad that is not one of the dual tensors."""
    from .graph import AccumulateGrad
    seen = set()
    stack = [out.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, AccumulateGrad):
            v = node.variable
            if v is not None and id(v) not in dual_ids:
                return True
            continue
        for e in node._edges:
            if e:
                stack.append(e[0])
    return False
