"""Helpers every op shares: operand promotion, ``unbroadcast`` and dim handling."""
from __future__ import annotations

import numbers

import numpy as np

from .. import _dtype as _dt
from ..tensor import Tensor, _wrap, _NP2DT

__all__ = ["unbroadcast", "promote_operands", "wrap_dim", "dims_tuple", "as_tensor_like", "result_dtype",
           "float_like", "checked_scalar", "Tensor", "_wrap"]

_PY_SCALARS = (int, float, bool, complex)


def xp_of(a):
    """The array library of ``a``: NumPy, or the backend's (CuPy) for device arrays."""
    if type(a) is np.ndarray:
        return np
    from ..backend import backend_of
    return backend_of(a).xp


def wrap_dim(dim, ndim):
    """Normalise a possibly negative ``dim`` against ``ndim`` (0-d tensors accept -1 and 0)."""
    n = ndim if ndim > 0 else 1
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return dim + n if dim < 0 else dim


def dims_tuple(dim, ndim):
    """``dim`` (None, int, or sequence) as a sorted tuple of non-negative axes; None means all."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (int, np.integer)):
        return (wrap_dim(int(dim), ndim),)
    out = tuple(sorted(wrap_dim(int(d), ndim) for d in dim))
    if len(set(out)) != len(out):
        raise RuntimeError(f"dim {out[0]} appears multiple times in the list of dims")
    if len(out) == 0:
        return tuple(range(ndim))
    return out


def unbroadcast(grad, shape):
    """Sum ``grad`` down to ``shape`` (undo broadcasting); the one place where this is done."""
    gshape = grad._data.shape
    if gshape == shape:
        return grad
    return grad.sum_to_size(shape)


def _scalar_dtype(value, other_dtype):
    """Category rule for a Python scalar meeting a tensor of ``other_dtype``."""
    return _dt.combine(other_dtype, None, _dt.scalar_category(value))


def result_dtype(*operands):
    """torch's result type over tensors and Python scalars."""
    dims = zero = big = None
    scalar_cat = None
    for o in operands:
        if isinstance(o, Tensor):
            d = _NP2DT[o._data.dtype]
            if o._data.ndim:
                dims = d if dims is None else _dt.promote_types(dims, d)
            else:
                zero = d if zero is None else _dt.promote_types(zero, d)
        elif isinstance(o, _PY_SCALARS):
            c = _dt.scalar_category(o)
            scalar_cat = c if scalar_cat is None else max(scalar_cat, c)
            if c == 1 and not -2 ** 63 <= o < 2 ** 63:
                big = o
        elif isinstance(o, np.generic):
            c = _dt.scalar_category(o.item())
            scalar_cat = c if scalar_cat is None else max(scalar_cat, c)
        elif isinstance(o, _dt.dtype):
            dims = o if dims is None else _dt.promote_types(dims, o)
    if big is not None:     # an int beyond int64 is torch's uint64
        tensors = _dt.combine(dims, zero, None) or _dt.float32
        if tensors.category != 1:
            _int_beyond_int64(big, "b" if tensors is _dt.bool else "f")
    return _dt.combine(dims, zero, scalar_cat)


def promote_operands(a, b):
    """Bring two operands (Tensor or Python scalar, at least one Tensor) to torch's common dtype.

    Tensors are cast (a recorded op, so gradients flow back in their own dtype).  A Python scalar stays a
    Python scalar whenever the tensor's dtype can hold it: NumPy's weak scalars then keep the tensor dtype.
    """
    if isinstance(a, Tensor):
        if isinstance(b, Tensor):
            if a._data.dtype is b._data.dtype:
                return a, b
            rt = result_dtype(a, b)
            return _cast(a, rt), _cast(b, rt)
        return _promote_scalar(a, b, False)
    return _promote_scalar(b, a, True)


def _promote_scalar(t, s, swapped):
    ts = type(s)
    if ts is float and t._data.dtype.kind == "f" or ts is int and t._data.dtype.kind in "fi" and \
            (-2 ** 31 <= s < 2 ** 31 if t._data.dtype.itemsize >= 4 or t._data.dtype.kind == "f" else False):
        return (s, t) if swapped else (t, s)      # the common case: NumPy's weak scalar keeps t's dtype
    if type(s) not in _PY_SCALARS:
        if isinstance(s, np.generic):
            s = s.item()
        elif isinstance(s, numbers.Number):
            s = complex(s) if isinstance(s, numbers.Complex) and not isinstance(s, numbers.Real) else float(s)
        else:
            raise TypeError(f"unsupported operand type: expected a Tensor or a number, got {type(s).__name__}")
    kind = t._data.dtype.kind
    cat = 3 if kind == "c" else 2 if kind in "fV" else 0 if kind == "b" else 1
    scat = _dt.scalar_category(s)
    if scat == 1 and kind not in "iu" and not -2 ** 63 <= s < 2 ** 63:
        _int_beyond_int64(s, kind)
    if scat > cat:
        t = _cast(t, _dt.combine(_NP2DT[t._data.dtype], None, scat))
    elif kind == "V" or (kind == "b" and scat == 0):
        # bfloat16: ml_dtypes does not do NEP 50 weak scalars; bool+bool: keep bool
        s = np.asarray(s, dtype=t._data.dtype)
    elif kind in "iu" and scat == 1:
        info = np.iinfo(t._data.dtype)
        if not info.min <= s <= info.max:   # torch wraps out-of-range int scalars; NumPy 2 raises
            s = _dt.wrap_int(s, t._data.dtype)
    return (s, t) if swapped else (t, s)


def _int_beyond_int64(s, kind):
    """A Python int outside int64 meeting a bool or floating tensor: torch parses it as uint64 (or refuses it)."""
    _dt.parse_int(s)
    if kind == "b":
        raise RuntimeError("Promotion for uint16, uint32, uint64 types is not supported, attempted to promote "
                           "Bool and UInt64")


def checked_scalar(value, dtype):
    """A Python number as a 0-d array of ``dtype`` with torch's checked conversion (``where``'s and ``clamp``'s
    scalar operands): an int outside an integer type's range raises (an unsigned type also takes negatives down
    to -max, wrapped: ``where(c, uint8_t, -2)`` gives 254); a finite float beyond float32 raises."""
    if isinstance(value, np.generic):
        value = value.item()
    tv = type(value)
    if tv is int:
        if dtype.category == 1:
            return np.asarray(_dt.checked_int(value, dtype), dtype=dtype.np)
        if not -2 ** 63 <= value < 2 ** 63:
            _int_beyond_int64(value, "b" if dtype.category == 0 else "f")
    elif tv is float and dtype is _dt.float32 and abs(value) > _F32_MAX and value != float("inf"):
        raise RuntimeError("value cannot be converted to type float without overflow")
    return np.asarray(value, dtype=dtype.np)


_F32_MAX = float(np.finfo(np.float32).max)


def _cast(t, dtype):
    if _NP2DT[t._data.dtype] is dtype:
        return t
    from ._convert import cast
    return cast(t, dtype)


def float_like(t):
    """Integer/bool inputs of float-valued ops are computed in the default float dtype, as in torch."""
    if t._data.dtype.kind in "fcV":
        return t
    return _cast(t, _dt.get_default_dtype())


def as_tensor_like(value, like):
    """A Python scalar or array-like as a Tensor on ``like``'s device, with torch's dtype for it."""
    if isinstance(value, Tensor):
        return value
    if isinstance(value, _PY_SCALARS):
        dt = _dt.dtype_for_category(_dt.scalar_category(value))
        arr = np.asarray(value, dtype=dt.np)
    else:
        arr = np.asarray(value)
        if arr.dtype == np.float64:
            arr = arr.astype(_dt.get_default_dtype().np)
    out = _wrap(arr)
    if like is not None and type(like._data) is not np.ndarray:
        out = out.to(like.device)
    return out
