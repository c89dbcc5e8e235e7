"""Comparisons, logical and bitwise ops (no gradient), and clamp."""
from __future__ import annotations

import numpy as np

from ..autograd.function import Op
from .. import _dtype as _dt
from ..tensor import _NP2DT
from ._util import Tensor, _wrap, checked_scalar, promote_operands, result_dtype, unbroadcast, xp_of as _xp

__all__ = ["eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal", "not_equal",
           "logical_and", "logical_or", "logical_xor", "bitwise_and", "bitwise_or", "bitwise_xor",
           "bitwise_left_shift", "bitwise_right_shift", "clamp", "clip", "clamp_min", "clamp_max"]


def _data(x):
    return x._data if isinstance(x, Tensor) else x


_OPERANDS = (Tensor, bool, int, float, complex, np.generic)


def _compare(ufunc_name, name):
    def fn(input, other, *, out=None):
        if not isinstance(input, Tensor) or not isinstance(other, _OPERANDS):
            from .arith import _invalid_arguments
            raise _invalid_arguments(name, ("Tensor input, Tensor other, *, Tensor out = None",
                                            "Tensor input, Number other, *, Tensor out = None"), input, other)
        a, b = promote_operands(input, other)
        ad, bd = _data(a), _data(b)
        ref = ad if isinstance(a, Tensor) else bd
        r = getattr(_xp(ref), ufunc_name)(ad, bd)
        res = _wrap(r if isinstance(r, np.ndarray) or hasattr(r, "shape") and r.ndim else _xp(ref).asarray(r))
        if out is not None:
            from .inplace import copy_into_out
            return copy_into_out(out, res)
        return res
    fn.__name__ = name
    return fn


eq = _compare("equal", "eq")
ne = _compare("not_equal", "ne")
not_equal = _compare("not_equal", "not_equal")
lt = _compare("less", "lt")
less = _compare("less", "less")
le = _compare("less_equal", "le")
less_equal = _compare("less_equal", "less_equal")
gt = _compare("greater", "gt")
greater = _compare("greater", "greater")
ge = _compare("greater_equal", "ge")
greater_equal = _compare("greater_equal", "greater_equal")


def _logical(name):
    def fn(input, other, *, out=None):
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
        if not isinstance(other, Tensor):
            raise TypeError(f"{name}(): argument 'other' (position 2) must be Tensor, not {type(other).__name__}")
        r = _wrap(getattr(_xp(input._data), name)(input._data, other._data))
        if out is not None:
            from .inplace import copy_into_out
            return copy_into_out(out, r)
        return r
    fn.__name__ = name
    return fn


logical_and = _logical("logical_and")
logical_or = _logical("logical_or")
logical_xor = _logical("logical_xor")


def _bitwise(name, sym, kernel):
    def fn(input, other, *, out=None):
        a, b = promote_operands(input, other)
        ref = a if isinstance(a, Tensor) else b
        kind = ref._data.dtype.kind
        if kind not in "biu" or kind == "b" and sym.endswith("shift"):
            from .inplace import _tname
            raise NotImplementedError(f"\"{kernel}_cpu\" not implemented for '{_tname(ref._data.dtype)}'")
        r = _wrap(_xp(ref._data).asarray(getattr(_xp(ref._data), sym)(_data(a), _data(b))))
        if out is not None:
            from .inplace import copy_into_out
            return copy_into_out(out, r)
        return r
    fn.__name__ = name
    return fn


bitwise_and = _bitwise("bitwise_and", "bitwise_and", "bitwise_and")
bitwise_or = _bitwise("bitwise_or", "bitwise_or", "bitwise_or")
bitwise_xor = _bitwise("bitwise_xor", "bitwise_xor", "bitwise_xor")
# NumPy's shifts agree with torch's past the width (0, or the sign for >> of negatives) and for negative counts
bitwise_left_shift = _bitwise("bitwise_left_shift", "left_shift", "lshift")
bitwise_right_shift = _bitwise("bitwise_right_shift", "right_shift", "rshift")


class Clamp(Op):
    """y = min(max(x, lo), hi); the gradient flows where lo <= x <= hi (to the bound tensors elsewhere)."""

    _grad_name = "ClampBackward1"
    save_inputs = (0, 1, 2)
    tensor_bounds = False

    def name(self):
        """torch: ClampBackward1 with number bounds (one edge), ClampBackward0 with tensor bounds (three)."""
        if self.tensor_bounds:
            return "ClampBackward0"
        return {"min": "ClampMinBackward0", "max": "ClampMaxBackward0"}.get(getattr(self, "shown_as", None),
                                                                            "ClampBackward1")

    def _shown(self):
        return list(self._edges) if self.tensor_bounds else [self._edges[0]]

    @staticmethod
    def forward(ctx, x, lo, hi):
        xp = _xp(x)
        if hasattr(lo, "shape") and not np.isscalar(lo) or hasattr(hi, "shape") and not np.isscalar(hi):
            ctx.tensor_bounds = True
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
    """Elementwise min(max(input, min), max) in the result type of all three (a bool tensor with an int bound
    gives int64); bounds are all Tensors or all numbers, as torch's two overloads."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    lo, hi = min, max
    tensors = isinstance(lo, Tensor) or isinstance(hi, Tensor)
    if tensors and not all(b is None or isinstance(b, Tensor) for b in (lo, hi)):
        from .arith import _invalid_arguments
        got = ", ".join(f"{k}={'Tensor' if isinstance(v, Tensor) else type(v).__name__}"
                        for k, v in (("max", hi), ("min", lo)) if v is not None)
        raise TypeError(_invalid_arguments("clamp", (
            "Tensor input, Tensor min = None, Tensor max = None, *, Tensor out = None",
            "Tensor input, Number min = None, Number max = None, *, Tensor out = None"), input).args[0]
            .replace("got (Tensor)", f"got (Tensor, {got})"))
    if input._data.dtype.kind == "f" and not tensors:
        rt = _NP2DT[input._data.dtype]          # a float tensor with number bounds keeps its dtype
    else:
        rt = result_dtype(input, *(b for b in (lo, hi) if b is not None))
    if rt is _dt.bool and (lo is not None and hi is not None or not tensors):
        which = "" if lo is not None and hi is not None else "_min" if lo is not None else "_max"
        kernel = "clamp_cpu" if tensors else f"clamp{which}_scalar_cpu"
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")
    if input.dtype is not rt:
        input = input.to(rt)
    if tensors:
        lo = lo if lo is None or lo.dtype is rt else lo.to(rt)
        hi = hi if hi is None or hi.dtype is rt else hi.to(rt)
    else:   # a number bound is converted to the result type with torch's overflow check
        lo = lo if lo is None else _bound(lo, rt)
        hi = hi if hi is None else _bound(hi, rt)
    res = Clamp.apply(input, lo, hi)
    if out is not None:
        from .inplace import copy_into_out
        return copy_into_out(out, res)
    return res


def _bound(value, dt):
    if isinstance(value, np.generic):
        value = value.item()
    if dt.category == 1:
        return checked_scalar(value, dt).item()
    limit = _FLOAT_MAX.get(dt)
    if limit is not None and type(value) in (int, float) and limit < abs(value) != float("inf"):
        raise RuntimeError(f"value cannot be converted to type {_C_FLOAT[dt.name]} without overflow")
    return value


_FLOAT_MAX = {d: float(_dt.finfo(d).max) for d in (_dt.float16, _dt.bfloat16, _dt.float32)}
_C_FLOAT = {"float32": "float", "float16": "c10::Half", "bfloat16": "c10::BFloat16"}


clip = clamp


def _shown_as(out, kind):
    node = out._grad_fn
    if type(node) is Clamp and not node.tensor_bounds:
        node.shown_as = kind        # torch's ClampMinBackward0 / ClampMaxBackward0
    return out


def clamp_min(input, min):
    return _shown_as(clamp(input, min=min), "min")


def clamp_max(input, max):
    return _shown_as(clamp(input, max=max), "max")
