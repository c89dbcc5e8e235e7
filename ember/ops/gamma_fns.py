"""lgamma, digamma, polygamma and the regularised incomplete gamma functions as differentiable ops (float64 inside, torch's values at poles and infinities).

NumPy has none of them: lgamma goes through ``math.lgamma`` element by element; digamma and polygamma shift
the argument up by the recurrence until the asymptotic series is exact to double precision, with the
reflection formula for negative arguments (digamma).  d lgamma = digamma, d digamma = polygamma(1),
d polygamma(n) = polygamma(n + 1).
"""
from __future__ import annotations

import math

import numpy as np

from ..autograd.function import Op
from ._util import Tensor, _wrap, float_like, unbroadcast

__all__ = ["lgamma", "digamma", "polygamma", "igamma", "igammac"]

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


# ---- the regularised incomplete gamma functions ----------------------------------------------------------

def _igamma_arrays(a, x):
    """(P(a, x), Q(a, x)), the regularised lower and upper incomplete gamma functions, in float64.

    The power series gives P where x < a + 1, the continued fraction (modified Lentz) gives Q elsewhere; each
    loops until every element has converged (masked, capped).  Both share the prefactor x^a e^-x / Gamma(a).
    """
    a, x = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(x, np.float64))
    p, q = np.full(a.shape, np.nan), np.full(a.shape, np.nan)
    ok = (a >= 0) & (x >= 0)                                  # NaNs and negatives stay NaN
    one = ok & ((x == np.inf) & (a < np.inf) | (a == 0) & (x > 0))
    zero = ok & ((x == 0) & (a > 0) | (a == np.inf) & (x < np.inf))
    p[one], q[one], p[zero], q[zero] = 1.0, 0.0, 0.0, 1.0
    todo = ok & ~one & ~zero & (a > 0) & (x > 0) & np.isfinite(a) & np.isfinite(x)
    av, xv = a[todo], x[todo]
    log_pre = av * np.log(xv) - xv - _lgamma(av)
    tiny, eps = 1e-300, 1e-16
    ps, pv, qv = xv < av + 1, np.empty(av.shape), np.empty(av.shape)
    # series: P = pre / a * sum_n x^n / ((a+1)...(a+n))
    sa, sx = av[ps], xv[ps]
    term, total, n = np.ones(sa.shape), np.ones(sa.shape), 0
    active = np.ones(sa.shape, bool)
    while active.any() and n < 100000:
        n += 1
        term = np.where(active, term * sx / (sa + n), 0.0)
        total += term
        active &= term > eps * total
    pv[ps] = np.exp(log_pre[ps] - np.log(sa)) * total
    qv[ps] = 1.0 - pv[ps]
    # continued fraction: Q = pre / (x + 1 - a - 1(1-a)/(x + 3 - a - ...))
    ca, cx = av[~ps], xv[~ps]
    b = cx + 1.0 - ca
    c, d = np.full(ca.shape, 1.0 / tiny), 1.0 / b
    h, i = d.copy(), 0
    active = np.ones(ca.shape, bool)
    while active.any() and i < 100000:
        i += 1
        an, b = -i * (i - ca), b + 2.0
        d = an * d + b
        d = 1.0 / np.where(np.abs(d) < tiny, tiny, d)
        c = b + an / c
        c = np.where(np.abs(c) < tiny, tiny, c)
        delta = np.where(active, d * c, 1.0)
        h *= delta
        active &= np.abs(delta - 1.0) > eps
    qv[~ps] = np.exp(log_pre[~ps]) * h
    pv[~ps] = 1.0 - qv[~ps]
    p[todo], q[todo] = pv, qv
    return p, q


class Igamma(Op):
    """P(a, x) = gamma(a, x) / Gamma(a); dP/dx = x^(a-1) e^-x / Gamma(a), no derivative in a (as torch)."""
    save_inputs = (0, 1)
    _upper = False

    @staticmethod
    def forward(ctx, a, x):
        out = _igamma_arrays(a, x)[1 if type(ctx)._upper else 0]
        return np.asarray(out.astype(np.result_type(a, x)))

    @staticmethod
    def backward(ctx, grad):
        upper = type(ctx)._upper
        a, x = ctx.saved_tensors
        if ctx._edges[0] is not None:
            raise NotImplementedError(f"the derivative for '{'igammac' if upper else 'igamma'}: input' is "
                                      "not implemented.")
        lgamma_a = _wrap(_lgamma(a._host()).astype(a._host().dtype))   # a takes no gradient
        dx = grad * ((a - 1) * x.log() - x - lgamma_a.to(a.device)).exp()
        return None, unbroadcast(-dx if upper else dx, x.shape)


class Igammac(Igamma):
    """Q(a, x) = 1 - P(a, x)."""
    _upper = True


def _igamma_call(cls, name, input, other, out):
    for pos, v in ((1, input), (2, other)):
        if not isinstance(v, Tensor):
            argname = "input" if pos == 1 else "other"
            raise TypeError(f"{name}(): argument '{argname}' (position {pos}) must be Tensor, not {type(v).__name__}")
    from ._util import result_dtype as _result_dtype
    from .inplace import _tname
    rt = _result_dtype(input, other)
    if rt.category < 2:
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{_tname(rt.np)}'")
    from . import arith
    a, x = arith.promote_operands(input, other)
    res = arith._binary(cls, a, x)
    return res if out is None else out.copy_(res)


def igamma(input, other, *, out=None):
    """The regularised lower incomplete gamma function P(input, other)."""
    return _igamma_call(Igamma, "igamma", input, other, out)


def igammac(input, other, *, out=None):
    """The regularised upper incomplete gamma function Q(input, other) = 1 - P(input, other)."""
    return _igamma_call(Igammac, "igammac", input, other, out)
