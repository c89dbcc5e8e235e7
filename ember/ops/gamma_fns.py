"""lgamma, digamma and polygamma as differentiable ops (float64 inside, torch's values at poles and infinities).

NumPy has none of them: lgamma goes through ``math.lgamma`` element by element; digamma and polygamma shift
the argument up by the recurrence until the asymptotic series is exact to double precision, with the
reflection formula for negative arguments (digamma).  d lgamma = digamma, d digamma = polygamma(1),
d polygamma(n) = polygamma(n + 1).
"""
from __future__ import annotations

import math

import numpy as np

from ..autograd.function import Op
from ._util import float_like

__all__ = ["lgamma", "digamma", "polygamma"]

_SHIFT = 10.0      # the asymptotic series below are exact to ~1e-16 from here on

# Bernoulli numbers B_2k for the asymptotic series
_B2K = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510)


def _lgamma_one(v):
    if v != v:
        return v
    if v == -math.inf:
        return math.inf
    try:
        return math.lgamma(v)
    except ValueError:        # a pole: 0, -1, -2 ...
        return math.inf


_lgamma_vec = np.frompyfunc(_lgamma_one, 1, 1)


def _lgamma(x):
    return np.asarray(_lgamma_vec(x), dtype=np.float64)


def _digamma(x):
    x = np.asarray(x, dtype=np.float64)
    out = np.empty_like(x)
    neg = x < 0
    pole = neg & (x == np.floor(x))
    # reflection: psi(x) = psi(1 - x) - pi / tan(pi x) for x < 0
    xr = np.where(neg, 1 - x, x)
    res = np.zeros_like(xr)
    y = xr.copy()
    with np.errstate(all="ignore"):
        for _ in range(int(_SHIFT) + 1):
            small = y < _SHIFT
            if not small.any():
                break
            res -= np.where(small, 1 / y, 0)
            y = np.where(small, y + 1, y)
        inv2 = 1 / (y * y)
        series = np.zeros_like(y)
        for k in range(len(_B2K) - 1, -1, -1):
            series = series * inv2 + _B2K[k] / (2 * (k + 1))
        res += np.log(y) - 0.5 / y - series * inv2
        out[...] = res
        out[neg] = res[neg] - np.pi / np.tan(np.pi * x[neg])
    out[pole] = np.nan
    out[x == 0] = np.where(np.signbit(x[x == 0]), np.inf, -np.inf)   # torch: digamma(+-0) = -+inf
    out[np.isposinf(x)] = np.inf
    out[np.isneginf(x)] = np.nan
    return out


def _polygamma(n, x):
    """psi^(n)(x) = (-1)^(n+1) n! sum_k 1 / (x + k)^(n+1), n >= 1."""
    x = np.asarray(x, dtype=np.float64)
    sign = -1.0 if n % 2 == 0 else 1.0
    fact = math.factorial(n)
    res = np.zeros_like(x)
    y = x.copy()
    finite = np.isfinite(y)
    with np.errstate(all="ignore"):
        steps = 0
        while steps < 100000:
            small = finite & (y < _SHIFT + n)
            if not small.any():
                break
            res += np.where(small, 1 / y ** (n + 1), 0)
            y = np.where(small, y + 1, y)
            steps += 1
        # asymptotic tail: (n-1)!/y^n + n!/(2 y^(n+1)) + sum_k B_2k (2k+n-1)! / ((2k)! y^(2k+n))
        tail = math.factorial(n - 1) / y ** n + fact / (2 * y ** (n + 1))
        for k, b in enumerate(_B2K, start=1):
            tail = tail + b * math.factorial(2 * k + n - 1) / math.factorial(2 * k) / y ** (2 * k + n)
        out = sign * (fact * res + tail)
    pole = (x <= 0) & (x == np.floor(x))
    out[pole] = sign * np.inf
    # infinities as torch's kernel gives them: psi'(inf) = 0, psi'(-inf) = nan; for n >= 2, nan at +inf and
    # the pole's sign at -inf
    out[np.isposinf(x)] = 0.0 if n == 1 else np.nan
    out[np.isneginf(x)] = np.nan if n == 1 else sign * np.inf
    out[np.isnan(x)] = np.nan
    return out


class Lgamma(Op):
    save_inputs = (0,)

    @staticmethod
    def forward(ctx, x):
        return _lgamma(x).astype(x.dtype)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * Digamma.apply(x)


class Digamma(Op):
    save_inputs = (0,)

    @staticmethod
    def forward(ctx, x):
        return _digamma(x).astype(x.dtype)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * Polygamma.apply(x, 1)


class Polygamma(Op):
    save_inputs = (0,)

    @staticmethod
    def forward(ctx, x, n):
        ctx.n = n
        return _polygamma(n, x).astype(x.dtype)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * Polygamma.apply(x, ctx.n + 1), None


def _host_float(input):
    x = float_like(input)
    if x._data.dtype.kind == "V" or x._data.dtype == np.float16:   # computed in float32, as torch's half kernels
        return x.float(), x.dtype
    return x, None


def _finish(res, half):
    return res.to(half) if half is not None else res


def lgamma(input, *, out=None):
    x, half = _host_float(input)
    res = _finish(Lgamma.apply(x), half)
    return res if out is None else _copy_out(out, res)


def digamma(input, *, out=None):
    x, half = _host_float(input)
    res = _finish(Digamma.apply(x), half)
    return res if out is None else _copy_out(out, res)


def polygamma(n, input, *, out=None):
    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError(f"polygamma(): argument 'n' (position 1) must be int, not {type(n).__name__}")
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    if n == 0:
        return digamma(input, out=out)
    x, half = _host_float(input)
    res = _finish(Polygamma.apply(x, n), half)
    return res if out is None else _copy_out(out, res)


def _copy_out(out, res):
    from .inplace import copy_into_out
    return copy_into_out(out, res)

