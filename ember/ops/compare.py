"""Comparisons, logical and bitwise ops (no gradient), and clamp."""
from __future__ import annotations

import numpy as np

from ..autograd.function import Op
from ._util import Tensor, _wrap, promote_operands, unbroadcast

__all__ = ["eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal", "not_equal",
           "logical_and", "logical_or", "logical_xor", "bitwise_and", "bitwise_or", "bitwise_xor",
           "bitwise_left_shift", "bitwise_right_shift", "clamp", "clip", "clamp_min", "clamp_max"]


def _xp(a):
    if type(a) is np.ndarray:
        return np
    from ..backend import backend_of
    return backend_of(a).xp


def _data(x):
    return x._data if isinstance(x, Tensor) else x


def _compare(ufunc_name):
    def fn(input, other, *, out=None):
        a, b = promote_operands(input, other)
        ad, bd = _data(a), _data(b)
        ref = ad if isinstance(a, Tensor) else bd
        r = getattr(_xp(ref), ufunc_name)(ad, bd)
        res = _wrap(r if isinstance(r, np.ndarray) or hasattr(r, "shape") and r.ndim else _xp(ref).asarray(r))
        if out is not None:
            from .inplace import copy_into_out
            return copy_into_out(out, res)
        return res
    fn.__name__ = ufunc_name
    return fn


eq = _compare("equal")
ne = not_equal = _compare("not_equal")
lt = less = _compare("less")
le = less_equal = _compare("less_equal")
gt = greater = _compare("greater")
ge = greater_equal = _compare("greater_equal")
for _f, _n in ((eq, "eq"), (ne, "ne"), (lt, "lt"), (le, "le"), (gt, "gt"), (ge, "ge")):
    _f.__name__ = _n


def _logical(name):
    def fn(input, other, *, out=None):
        od = _data(other)
        r = _wrap(getattr(_xp(input._data), name)(input._data, od))
        if out is not None:
            from .inplace import copy_into_out
            return copy_into_out(out, r)
        return r
    fn.__name__ = name
    return fn


logical_and = _logical("logical_and")
logical_or = _logical("logical_or")
logical_xor = _logical("logical_xor")


def _bitwise(name, sym):
    def fn(input, other, *, out=None):
        a, b = promote_operands(input, other)
        ref = a if isinstance(a, Tensor) else b
        if ref._data.dtype.kind not in "biu":
            from .inplace import _tname
            raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{_tname(ref._data.dtype)}'")
        r = _wrap(_xp(ref._data).asarray(getattr(_xp(ref._data), sym)(_data(a), _data(b))))
        if out is not None:
            from .inplace import copy_into_out
            return copy_into_out(out, r)
        return r
    fn.__name__ = name
    return fn


bitwise_and = _bitwise("bitwise_and", "bitwise_and")
bitwise_or = _bitwise("bitwise_or", "bitwise_or")
bitwise_xor = _bitwise("bitwise_xor", "bitwise_xor")
bitwise_left_shift = _bitwise("bitwise_left_shift", "left_shift")
bitwise_right_shift = _bitwise("bitwise_right_shift", "right_shift")


class Clamp(Op):
    """y = min(max(x, lo), hi); the gradient flows where lo <= x <= hi (to the bound tensors elsewhere)."""

    save_inputs = (0, 1, 2)

    @staticmethod
    def forward(ctx, x, lo, hi):
        xp = _xp(x)
        out = x
        if lo is not None:
            out = xp.maximum(out, lo)
        if hi is not None:
            out = xp.minimum(out, hi)
        if out is x:
            out = x.copy()
        return out.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        # x gets the gradient where lo <= x <= hi; lo where x < lo; hi where x > hi, or everywhere if hi < lo
        x, lo, hi = ctx.saved_tensors
        from .shape import where
        keep = None
        if lo is not None:
            keep = x >= lo
        if hi is not None:
            keep = x <= hi if keep is None else keep & (x <= hi)
        gx = unbroadcast(where(keep, grad, 0.0), x.shape)
        glo = ghi = None
        if isinstance(lo, Tensor) and ctx._edges[1] is not None:
            to_lo = x < lo if hi is None else (x < lo) & (lo <= hi)
            glo = unbroadcast(where(to_lo, grad, 0.0), lo.shape)
        if isinstance(hi, Tensor) and ctx._edges[2] is not None:
            to_hi = x > hi if lo is None else (x > hi) | (lo > hi)
            ghi = unbroadcast(where(to_hi, grad, 0.0), hi.shape)
        return gx, glo, ghi


def clamp(input, min=None, max=None, *, out=None):
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    lo = min
    hi = max
    dt = input._data.dtype
    if isinstance(lo, Tensor) or isinstance(hi, Tensor):
        if isinstance(lo, Tensor) and lo.dtype is not input.dtype:
            lo = lo.to(input.dtype)
        if isinstance(hi, Tensor) and hi.dtype is not input.dtype:
            hi = hi.to(input.dtype)
    elif dt.kind in "iu" and (isinstance(lo, float) or isinstance(hi, float)):
        from ._util import float_like
        input = float_like(input)
    else:   # a scalar bound is converted to the tensor's dtype first (wrapping, as torch does)
        if dt.kind in "iub":
            lo = lo if lo is None else np.asarray(lo).astype(dt).item()
            hi = hi if hi is None else np.asarray(hi).astype(dt).item()
    res = Clamp.apply(input, lo, hi)
    if out is not None:
        from .inplace import copy_into_out
        return copy_into_out(out, res)
    return res


clip = clamp


def clamp_min(input, min):
    return clamp(input, min=min)


def clamp_max(input, max):
    return clamp(input, max=max)
