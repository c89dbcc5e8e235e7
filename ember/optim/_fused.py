"""Element-wise update steps that round as torch's CPU kernels for them do.

torch's ``add(other, alpha=a)``, ``lerp`` and ``addcmul`` kernels end in a fused multiply-add: the product and the
sum are rounded once.  Two NumPy operations round twice and differ in the last bit for about one element in ten,
which shows in a printed ``loss.item()`` after a few dozen steps.  For float32 the fused result is computed exactly
through float64 (the product of two float32 numbers has at most 48 significant bits) and rounded back once; 16-bit
arrays do the float32 computation torch does internally and round to their own dtype at the end.  float64 arrays
(no wider type in NumPy) carry the rounding errors of the product and the sum exactly (Dekker's product, Knuth's
sum) and add them back, which rounds as a fused multiply-add does in all but vanishingly rare ties.

The helpers take and return NumPy arrays (the optimizers' blocks); ``out`` receives the result in place.
"""
from __future__ import annotations

import numpy as np

_F64 = np.float64


_SPLIT = 134217729.0          # 2**27 + 1: Veltkamp's constant, splits a double into two 26-bit halves


def _emulated(dtype):
    return dtype.kind == "f" and dtype.itemsize <= 4 or dtype.kind == "V"


def _fma64(a, b, c):
    """``a * b + c`` for float64 arrays (or numbers), rounded once."""
    p = a * b
    t = _SPLIT * a
    a_hi = t - (t - a)
    a_lo = a - a_hi
    t = _SPLIT * b
    b_hi = t - (t - b)
    b_lo = b - b_hi
    product_error = ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo
    s = p + c
    v = s - p
    sum_error = (p - (s - v)) + (c - v)
    return s + (sum_error + product_error)


def _is_f64(dtype):
    return dtype == _F64


def _narrow(result, dtype, out):
    if dtype.itemsize == 2:
        result = result.astype(np.float32)
    if out is None:
        return np.asarray(result.astype(dtype))
    out[...] = result
    return out


def add_scaled(x, y, alpha, out=None):
    """``x + alpha * y`` as torch's ``x.add(y, alpha=alpha)``; 16-bit dtypes first round ``alpha`` to themselves."""
    if (alpha == 1 or alpha == -1) and x.dtype == y.dtype and x.dtype.kind == "f" and x.ndim:
        # a product by +-1 is exact: the fused step is the plain sum, rounded once (the optimizers' common case)
        return (np.add if alpha == 1 else np.subtract)(x, y, out=out)
    if _is_f64(x.dtype):
        result = _fma64(_F64(alpha), y, x)
    elif not _emulated(x.dtype):
        result = x + alpha * y
    elif x.dtype == np.float32 and y.dtype == np.float32 and x.ndim and x.shape == y.shape:
        # exact product in float64, one sum there, one rounding back: the ufuncs cast block by block, so no
        # float64 copies of x and y are made
        t = y.astype(_F64)                       # plain casts and same-type ufuncs: NumPy's fast loops
        t *= _F64(np.float32(alpha))
        t += x.astype(_F64)
        if out is None:
            return t.astype(np.float32)
        np.copyto(out, t, casting="same_kind")
        return out
    else:
        a = _F64(x.dtype.type(alpha)) if x.dtype.itemsize == 2 else _F64(np.float32(alpha))
        result = x.astype(_F64) + a * y.astype(_F64)
        return _narrow(result, x.dtype, out)
    if out is None:
        return np.asarray(result)
    out[...] = result
    return out


def lerp(start, end, weight, out=None):
    """``start + weight * (end - start)`` as torch's lerp: ``end - (end - start) * (1 - weight)`` for weights of
    0.5 and above (so that weight 1 gives ``end`` exactly)."""
    if _is_f64(start.dtype):
        diff = end - start
        result = _fma64(_F64(weight), diff, start) if abs(weight) < 0.5 else _fma64(-_F64(1 - weight), diff, end)
        if out is None:
            return np.asarray(result)
        out[...] = result
        return out
    if not _emulated(start.dtype):
        diff = end - start
        result = start + weight * diff if abs(weight) < 0.5 else end - diff * (1 - weight)
        if out is None:
            return np.asarray(result)
        out[...] = result
        return out
    w = np.float32(weight)
    if start.dtype.itemsize == 2:
        diff = end.astype(np.float32) - start.astype(np.float32)
    else:
        diff = end - start
    if abs(weight) < 0.5:
        result = start.astype(_F64) + _F64(w) * diff.astype(_F64)
    else:
        result = end.astype(_F64) - diff.astype(_F64) * _F64(np.float32(1) - w)
    return _narrow(result, start.dtype, out)


def addcmul(x, t1, t2, value, out=None):
    """``x + value * t1 * t2`` as torch's addcmul: ``value * t1`` rounded (in float32), then one fused
    multiply-add with ``t2`` and ``x``."""
    if _is_f64(x.dtype):
        result = _fma64(_F64(value) * t1, t2, x)
        if out is None:
            return np.asarray(result)
        out[...] = result
        return out
    if not _emulated(x.dtype):
        result = x + value * t1 * t2
        if out is None:
            return np.asarray(result)
        out[...] = result
        return out
    scaled = np.float32(value) * t1.astype(np.float32)
    result = x.astype(_F64) + scaled.astype(_F64) * t2.astype(_F64)
    return _narrow(result, x.dtype, out)



def addcdiv(x, t1, t2, value, out=None):
    """``x + value * t1 / t2`` as torch's addcdiv: ``(value * t1) / t2`` rounded, then added (no fused step); 16-bit
    arrays compute all of it in float32 and round once."""
    if x.dtype.itemsize == 2 and x.dtype.kind in "fV":
        result = x.astype(np.float32) + (np.float32(value) * t1.astype(np.float32)) / t2.astype(np.float32)
        result = result.astype(x.dtype)
    else:
        result = x + (value * t1) / t2
    if out is None:
        return np.asarray(result)
    out[...] = result
    return out


def opmath(value, arr):
    """A Python number as torch's multiplication and division use it against ``arr``: a float32 scalar for a 16-bit
    array (so that NumPy computes ``arr * value`` in float32 and rounds once, instead of first rounding ``value`` to
    16 bits), the number itself otherwise: ``x *= opmath(beta, x)``.  (Adding a number is different: torch rounds
    the number to the 16-bit dtype first, which is what NumPy does with a plain Python float.)"""
    if arr.dtype.itemsize == 2 and arr.dtype.kind in "fV":
        return np.float32(value)
    return value


def scale_(x, factor):
    """``x *= factor`` in place as torch's ``mul_(number)`` (see ``opmath``)."""
    x *= opmath(factor, x)
    return x


def _half(arr):
    return arr.dtype.itemsize == 2 and arr.dtype.kind in "fV"


def add_number(x, value, out=None):
    """``x + value`` as torch adds a Python number: a 16-bit array first rounds ``value`` to its dtype, adds in
    float32 and rounds the sum (NumPy would keep a bfloat16 sum in float32)."""
    if _half(x):
        result = (x.astype(np.float32) + np.float32(x.dtype.type(value))).astype(x.dtype)
    else:
        result = x + value
    if out is None:
        return np.asarray(result)
    out[...] = result
    return out


def div_number(x, value):
    """``x / value`` as torch divides by a Python number (float32 arithmetic, one rounding, for 16-bit arrays)."""
    if _half(x):
        return np.asarray((x.astype(np.float32) / np.float32(value)).astype(x.dtype))
    return np.asarray(x / value)


def rdiv_number(value, x):
    """``value / x`` as torch computes a number divided by a tensor: ``x.reciprocal() * value``."""
    if _half(x):
        recip = (np.float32(1) / x.astype(np.float32)).astype(x.dtype)
        return np.asarray((recip.astype(np.float32) * np.float32(value)).astype(x.dtype))
    return np.asarray((1 / x) * value)
