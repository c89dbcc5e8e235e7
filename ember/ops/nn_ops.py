"""Neural-network primitives with hand-written backward: GELU, layer and batch normalisation, softmax over the
last dim, cross-entropy from logits, and the embedding lookup (the kinked activations are in
``activation_ops.py``).

Fused because a benchmark shows it pays (``benchmarks/bench_layers.py``): composed, layer norm is about ten
graph nodes and three times the memory traffic; cross-entropy from logits would materialise the
log-probabilities twice.  The fused backward passes run on arrays when no graph is being recorded (the
ordinary ``loss.backward()``); under ``create_graph=True`` they are written in ember ops, so double backward
works.

For contiguous float32/float64 NumPy arrays, GELU, layer norm, batch norm and last-dim softmax run as block
kernels (``backend.parallel.for_blocks``): in-place ufuncs on cache-sized blocks, blocks over two threads,
reductions summed per block and then across blocks so results do not depend on the scheduling.  Other
arrays (CuPy, half precision, strided) take the whole-array expressions.
"""
from __future__ import annotations

import math

import numpy as np

from ..autograd import grad_mode
from ..autograd.function import Op
from ..backend.parallel import BLOCK, for_blocks
from ._util import _wrap, xp_of as _xp
from .activation_ops import (elu_op, hardshrink_op, hardsigmoid_op, hardswish_op, hardtanh_op,  # noqa: F401
                             leaky_relu_op, logsigmoid_op, prelu_op, softplus_op, softshrink_op, threshold_op)

__all__ = ["leaky_relu_op", "elu_op", "softplus_op", "hardtanh_op", "hardsigmoid_op", "hardswish_op",
           "hardshrink_op", "softshrink_op", "threshold_op", "logsigmoid_op", "gelu_op", "layer_norm_op",
           "batch_norm_train_op", "cross_entropy_op", "softmax_last_dim_op", "prelu_op",
           "fast_erfc"]

_grad_state = grad_mode._state
_SQRT1_2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def _where(cond, a, b):
    from .shape import where
    return where(cond, a, b)


# ----------------------------------------------------------------------------------------------------------
# GELU
# ----------------------------------------------------------------------------------------------------------

# erfc(z) for z >= 0 as t * exp(-z^2 + P(t)), t = 1 / (1 + z/2): relative error below 1.2e-7 everywhere
# (the Chebyshev fit of Numerical Recipes' erfcc), enough for float32; float64 uses Cody's rational fits.
_ERFCC = (-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587,
          -0.82215223, 0.17087277)

# W. J. Cody, "Rational Chebyshev approximations for the error function" (1969), the CALERF coefficients.
_CODY_A = (3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02, 3.20937758913846947e03,
           1.85777706184603153e-1)
_CODY_B = (2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03, 2.84423683343917062e03)
_CODY_C = (5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01, 2.98635138197400131e02,
           8.81952221241769090e02, 1.71204761263407058e03, 2.05107837782607147e03, 1.23033935479799725e03,
           2.15311535474403846e-8)
_CODY_D = (1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02, 1.62138957456669019e03,
           3.29079923573345963e03, 4.36261909014324716e03, 3.43936767414372164e03, 1.23033935480374942e03)
_CODY_P = (3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1, 1.60837851487422766e-2,
           6.58749161529837803e-4, 1.63153871373020978e-2)
_CODY_Q = (2.56852019228982242e00, 1.87295284992346725e00, 5.27905102951428412e-1, 6.05183413124413191e-2,
           2.33520497626869185e-3)


def _erfc_cody(z):
    """erfc(z) for z >= 0 in float64, to about 1e-16 relative."""
    xp = _xp(z)
    out = xp.empty_like(z)
    small = z <= 0.46875
    mid = (~small) & (z <= 4.0)
    big = z > 4.0
    if small.any():
        y = z[small]
        ysq = y * y
        num, den = _CODY_A[4] * ysq, ysq
        for i in range(3):
            num = (num + _CODY_A[i]) * ysq
            den = (den + _CODY_B[i]) * ysq
        out[small] = 1.0 - y * (num + _CODY_A[3]) / (den + _CODY_B[3])
    if mid.any():
        y = z[mid]
        num, den = _CODY_C[8] * y, y
        for i in range(7):
            num = (num + _CODY_C[i]) * y
            den = (den + _CODY_D[i]) * y
        out[mid] = (num + _CODY_C[7]) / (den + _CODY_D[7]) * _exp_neg_square(y)
    if big.any():
        y = z[big]
        ysq = 1.0 / (y * y)
        num, den = _CODY_P[5] * ysq, ysq
        for i in range(4):
            num = (num + _CODY_P[i]) * ysq
            den = (den + _CODY_Q[i]) * ysq
        r = ysq * (num + _CODY_P[4]) / (den + _CODY_Q[4])
        out[big] = (1.0 / math.sqrt(math.pi) - r) / y * _exp_neg_square(y)
    return out


def _exp_neg_square(y):
    """exp(-y^2) without the rounding error of forming y^2 (split y into a short head and a tail)."""
    xp = _xp(y)
    head = xp.trunc(y * 16.0) / 16.0
    return xp.exp(-head * head) * xp.exp(-(y - head) * (y + head))


def fast_erfc(z):
    """erfc(z) for z >= 0 (arrays): float64 to ~1e-16, other dtypes to ~1.2e-7 relative."""
    if z.dtype == np.float64:
        return _erfc_cody(z)
    xp = _xp(z)
    t = z.dtype.type
    tt = 1.0 / (1.0 + z * t(0.5))
    poly = t(_ERFCC[-1])
    for c in _ERFCC[-2::-1]:
        poly = poly * tt + t(c)
    return tt * xp.exp(poly - z * z)


def _normal_cdf(x):
    """Phi(x) = (1 + erf(x / sqrt 2)) / 2, rounded as torch rounds it (erf first, so the far left tail is 0)."""
    xp = _xp(x)
    t = x.dtype.type
    erf_abs = 1 - fast_erfc(xp.abs(x) * t(_SQRT1_2))
    return (1 + xp.where(x < 0, -erf_abs, erf_abs)) * t(0.5)


_TANH_K = math.sqrt(2.0 / math.pi)


def _gelu_parts(x, approximate):
    """(gelu(x), d gelu / dx) as arrays."""
    xp = _xp(x)
    t = x.dtype.type
    if approximate == "tanh":
        inner = (x + t(0.044715) * x * x * x) * t(_TANH_K)
        th = xp.tanh(inner)
        y = t(0.5) * x * (1 + th)
        d_inner = t(_TANH_K) * (1 + t(3 * 0.044715) * x * x)
        dy = t(0.5) * (1 + th) + t(0.5) * x * (1 - th * th) * d_inner
        return y, dy
    cdf = _normal_cdf(x)
    pdf = xp.exp(x * x * t(-0.5)) * t(_INV_SQRT_2PI)
    return x * cdf, cdf + x * pdf


# torch's vectorised float erf (Abramowitz & Stegun 7.1.26): erf(z) = 1 - t P(t) exp(-z^2), t = 1 / (1 + p z),
# absolute error below 1.5e-7.  The float32 GELU tabulates it (see ``_gelu_tables``).
_AS_P = 0.3275911
_AS_A = (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)

# float32 erf-GELU by table lookup plus a first-order Taylor step: x is split into x0 = k h (h = 2^-11, k an
# integer, |x0| <= 16) and d = x - x0 (exact), then Phi(x) ~= P0[k] + d P1[k], and the backward's
# Phi(x) + x phi(x) ~= D0[k] + d D1[k].  The tables hold torch's function (its A&S erf, 1 + erf rounded to
# float32, so the far left tail is exactly 0 as in torch), computed in float64 once; the truncation error is
# below (h/2)^2 / 2 * max|f''| ~ 1.5e-8 absolute, under torch's own rounding noise (measured against torch in
# tests/test_layer_kernels.py).  Twelve NumPy passes (two of them gathers) instead of about twenty-two.
_GELU_LOG_H = 11
_GELU_HALF = 1 << (_GELU_LOG_H + 4)                 # entries on each side of 0: |x0| <= 16
_gelu_tables_cache = None


def _erf_as(z):
    """torch's float erf formula (A&S 7.1.26) and its derivative, evaluated in float64 for z >= 0."""
    t = 1.0 / (1.0 + _AS_P * z)
    a1, a2, a3, a4, a5 = _AS_A
    poly = a1 + t * (a2 + t * (a3 + t * (a4 + t * a5)))
    dpoly = a2 + t * (2 * a3 + t * (3 * a4 + t * 4 * a5))
    e = np.exp(-z * z)
    erfc = t * poly * e
    # d erfc / dz = (dt/dz)(poly + t dpoly) e - 2 z erfc, dt/dz = -p t^2
    d_erfc = -_AS_P * t * t * (poly + t * dpoly) * e - 2.0 * z * erfc
    return 1.0 - erfc, -d_erfc


def _gelu_tables():
    """(P0, P1, D0, D1) float32 tables over x0 = (k - HALF) h, k = 0 .. 2 HALF - 1 (built once)."""
    global _gelu_tables_cache
    if _gelu_tables_cache is None:
        h = 2.0 ** -_GELU_LOG_H
        x0 = (np.arange(2 * _GELU_HALF, dtype=np.float64) - _GELU_HALF) * h
        z = np.abs(x0) * _SQRT1_2
        erf_abs, derf = _erf_as(z)
        erf = np.where(x0 < 0, -erf_abs, erf_abs)
        # torch rounds 1 + erf to float32 (erf itself near -1 in float32 is what zeroes the left tail)
        one_plus = (1.0 + erf.astype(np.float32)).astype(np.float32).astype(np.float64)
        cdf = 0.5 * one_plus
        dcdf = 0.5 * _SQRT1_2 * derf                                   # d/dx of 0.5 (1 + erf(x / sqrt 2))
        # where 1 + erf rounds to 0 (x0 < -5.4) torch gives exactly 0:
        dcdf = np.where(cdf == 0, 0.0, dcdf)                           # and never below 0 in that tail
        pdf = np.exp(-0.5 * x0 * x0) * _INV_SQRT_2PI
        P0, P1 = cdf, dcdf
        D0 = cdf + x0 * pdf                                             # torch: cdf + x * pdf
        D1 = dcdf + pdf * (1.0 - x0 * x0)
        _gelu_tables_cache = tuple(np.ascontiguousarray(a, dtype=np.float32) for a in (P0, P1, D0, D1))
    return _gelu_tables_cache


def _gelu_erf_f32(x, grad=None):
    """gelu(x) (``grad`` None) or grad * gelu'(x) for float32 NumPy arrays, by table lookup (above): twelve
    in-place passes per cache-sized block, blocks spread over threads (``backend.parallel``)."""
    xf = x.reshape(-1)
    gf = None if grad is None else grad.reshape(-1)
    out = np.empty_like(xf)
    P0, P1, D0, D1 = _gelu_tables()
    T0, T1 = (P0, P1) if grad is None else (D0, D1)
    f = np.float32
    step, half = f(2.0 ** -_GELU_LOG_H), f(_GELU_HALF)
    scale, lo_x, hi_x = f(1 << _GELU_LOG_H), -half * step, (half - 1) * step

    def kernel(lo, hi):
        with np.errstate(invalid="ignore"):           # NaN -> int, inf * 0: no warnings, as torch
            xb, ob = xf[lo:hi], out[lo:hi]
            k = np.clip(xb, lo_x, hi_x)               # NaN stays NaN
            k *= scale
            np.rint(k, out=k)                         # x0 / h
            d = np.multiply(k, step)
            np.subtract(xb, d, out=d)                 # d = x - x0, exact; inf at +-inf (NaN below, as torch)
            k += half
            idx = k.astype(np.intp)                   # NaN -> a negative index, clipped by take
            np.take(T1, idx, out=ob, mode="clip")
            ob *= d
            np.take(T0, idx, out=d, mode="clip")
            ob += d                                   # Phi(x), or Phi(x) + x phi(x)
            ob *= xb if gf is None else gf[lo:hi]

    for_blocks(kernel, xf.size)
    return out.reshape(x.shape)


def _gelu_tanh_blocked(x, grad=None):
    """The tanh approximation, 0.5 x (1 + tanh(k (x + c x^3))), or grad times its derivative, for float32/64
    NumPy arrays, block by block over threads."""
    xf = x.reshape(-1)
    gf = None if grad is None else grad.reshape(-1)
    out = np.empty_like(xf)
    f = xf.dtype.type
    k, kc, k3c = f(_TANH_K), f(_TANH_K * 0.044715), f(_TANH_K * 3 * 0.044715)

    def kernel(lo, hi):
        xb, ob = xf[lo:hi], out[lo:hi]
        sq = np.multiply(xb, xb)
        th = sq * kc
        th += k
        th *= xb
        np.tanh(th, out=th)                           # tanh(k (x + c x^3))
        if gf is None:
            th += f(1)
            th *= xb
            np.multiply(th, f(0.5), out=ob)
            return
        sq *= k3c
        sq += k                                       # d inner / dx = k (1 + 3 c x^2)
        np.multiply(th, th, out=ob)
        np.subtract(f(1), ob, out=ob)
        ob *= sq
        ob *= xb                                      # x sech^2 d inner
        th += f(1)
        ob += th
        ob *= f(0.5)                                  # 0.5 (1 + th) + 0.5 x sech^2 d inner
        ob *= gf[lo:hi]

    for_blocks(kernel, xf.size)
    return out.reshape(x.shape)


def _rowsum(a, out=None):
    """Row sums of a contiguous (M, K) block: einsum's SIMD loop is 2.5x ``a.sum(1)`` (NumPy's pairwise sum
    restarts per row) and, unlike ``a @ ones``, starts no BLAS threads inside the block pool."""
    return np.einsum("ij->i", a, out=out)


def _blockable(x, grad=None):
    """A C-contiguous float32/float64 NumPy array (and a gradient of the same layout), fit for block kernels."""
    return (type(x) is np.ndarray and x.dtype in _F32_F64 and x.flags.c_contiguous
            and (grad is None or (type(grad) is np.ndarray and grad.dtype == x.dtype and grad.shape == x.shape
                                  and grad.flags.c_contiguous)))


_F32_F64 = (np.dtype(np.float32), np.dtype(np.float64))


class Gelu(Op):
    _grad_name = "GeluBackward0"
    save_inputs = (0,)

    @staticmethod
    def forward(ctx, x, approximate):
        ctx.approximate = approximate
        if _blockable(x) and (approximate == "tanh" or x.dtype == np.float32):
            return _gelu_tanh_blocked(x) if approximate == "tanh" else _gelu_erf_f32(x)
        if approximate == "tanh":
            return _gelu_parts(x, "tanh")[0]
        return x * _normal_cdf(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return GeluBackward.apply(grad, x, ctx.approximate), None


class GeluBackward(Op):
    """grad * gelu'(x); its own backward gives double backward (gelu'' via ember ops)."""

    _grad_name = "GeluBackwardBackward0"
    save_inputs = (0, 1)

    @staticmethod
    def forward(ctx, grad, x, approximate):
        ctx.approximate = approximate
        if _blockable(x, grad) and (approximate == "tanh" or x.dtype == np.float32):
            ctx.dy = None
            return _gelu_tanh_blocked(x, grad) if approximate == "tanh" else _gelu_erf_f32(x, grad)
        dy = _gelu_parts(x, approximate)[1]
        ctx.dy = dy
        return grad * dy

    @staticmethod
    def backward(ctx, gg):
        grad, x = ctx.saved_tensors
        if ctx._edges[0] is not None:
            dy = ctx.dy if ctx.dy is not None else _gelu_parts(x._data, ctx.approximate)[1]
            g_grad = gg * _wrap(dy)
        else:
            g_grad = None
        g_x = None
        if ctx._edges[1] is not None:
            if ctx.approximate == "tanh":
                k, c = _TANH_K, 0.044715
                th = ((x + c * x * x * x) * k).tanh()
                d_inner = k * (1 + 3 * c * x * x)
                sech2 = 1 - th * th
                second = sech2 * d_inner + 0.5 * x * (-2 * th * sech2 * d_inner * d_inner + sech2 * 6 * c * k * x)
            else:
                pdf = (x * x * -0.5).exp() * _INV_SQRT_2PI
                second = pdf * (2 - x * x)
            g_x = gg * grad * second
        return g_grad, g_x, None


def gelu_op(x, approximate="none"):
    return Gelu.apply(x, approximate)


# ----------------------------------------------------------------------------------------------------------
# layer norm over the trailing dims
# ----------------------------------------------------------------------------------------------------------

class LayerNorm(Op):
    """y = (x - mean) / sqrt(var + eps) * w + b over the last ``k`` dims (biased var)."""

    _grad_name = "NativeLayerNormBackward0"
    save_inputs = (0, 1, 2)

    @staticmethod
    def forward(ctx, x, w, b, k, eps):
        xp = _xp(x)
        inner = int(np.prod(x.shape[x.ndim - k:])) if k else 1
        x2 = x.reshape(-1, inner)                                    # (M, K)
        ctx.k, ctx.eps = k, eps
        if x2.size and _blockable(x2) and all(a is None or a.dtype == x.dtype for a in (w, b)):
            y, mean, rstd = _layer_norm_rows(x2, w, b, eps)
            ctx.stats = (None, mean, rstd)
            return y.reshape(x.shape)
        mean = x2.mean(1, keepdims=True)
        xhat = x2 - mean
        var = xp.einsum("ij,ij->i", xhat, xhat)[:, None] / x.dtype.type(inner)
        rstd = 1 / xp.sqrt(var + x.dtype.type(eps))
        xhat *= rstd
        ctx.stats = (xhat, None, rstd)
        if w is None:
            y = xhat.copy() if b is None else xhat + b.reshape(-1)
        else:
            y = xhat * w.reshape(-1)
            if b is not None:
                y += b.reshape(-1)
        return y.reshape(x.shape)

    @staticmethod
    def backward(ctx, grad):
        if _grad_state[0]:
            return _layer_norm_backward_graph(ctx, grad)
        x, w, b = ctx.saved_tensors
        xhat, mean, rstd = ctx.stats
        if xhat is None:
            return _layer_norm_rows_backward(ctx, grad._data, x._data, w, b, mean, rstd)
        K = xhat.shape[1]
        g2 = grad._data.reshape(xhat.shape)                          # (M, K)
        gx = gw = gb = None
        need_w = w is not None and ctx._edges[1] is not None
        if ctx._edges[0] is not None or need_w:
            gxx = g2 * xhat
        if ctx._edges[0] is not None:
            if w is None:
                gsum, gxsum = g2.sum(1, keepdims=True), gxx.sum(1, keepdims=True)
                gxhat = g2.copy()
            else:
                wv = w._data.reshape(-1)
                gsum, gxsum = (g2 @ wv)[:, None], (gxx @ wv)[:, None]
                gxhat = g2 * wv
            inv_k = xhat.dtype.type(1.0 / K)
            gxhat -= gsum * inv_k
            gxhat -= xhat * (gxsum * inv_k)
            gxhat *= rstd
            gx = _wrap(gxhat.reshape(x.shape))
        if need_w:
            gw = _wrap(gxx.sum(0).reshape(w.shape))
        if b is not None and ctx._edges[2] is not None:
            gb = _wrap(g2.sum(0).reshape(b.shape))
        return gx, gw, gb, None, None


def _layer_norm_rows(x2, w, b, eps):
    """(y, mean, rstd) of layer norm over the rows of a contiguous (M, K) array, blocks of rows over threads."""
    M, K = x2.shape
    y = np.empty_like(x2)
    mean, rstd = np.empty(M, x2.dtype), np.empty(M, x2.dtype)
    f = x2.dtype.type
    inv_k, eps = f(1.0 / K), f(eps)
    wv = None if w is None else w.reshape(-1)
    bv = None if b is None else b.reshape(-1)

    def kernel(lo, hi):
        xb, yb, mb, rb = x2[lo:hi], y[lo:hi], mean[lo:hi], rstd[lo:hi]
        _rowsum(xb, mb)
        mb *= inv_k
        np.subtract(xb, mb[:, None], out=yb)
        np.einsum("ij,ij->i", yb, yb, out=rb)
        rb *= inv_k
        rb += eps
        np.sqrt(rb, out=rb)
        np.reciprocal(rb, out=rb)                     # 1 / sqrt(var + eps)
        yb *= rb[:, None]                             # xhat
        if wv is not None:
            yb *= wv
        if bv is not None:
            yb += bv

    for_blocks(kernel, M, max(1, BLOCK // K), cost=K)
    return y, mean, rstd


def _layer_norm_rows_backward(ctx, grad, x, w, b, mean, rstd):
    """The array backward of ``_layer_norm_rows``: xhat is rebuilt per block from (mean, rstd), the weight and
    bias gradients are summed per block (deterministic order) and then across blocks.
    gx = rstd (gxhat - mean(gxhat) - xhat mean(gxhat xhat)), gxhat = grad * w."""
    M, K = mean.shape[0], x.size // mean.shape[0]
    g2, x2 = grad.reshape(M, K), x.reshape(M, K)                  # (M, K)
    rows = max(1, BLOCK // K)
    nblocks = -(-M // rows)
    need_x = ctx._edges[0] is not None
    need_w = w is not None and ctx._edges[1] is not None
    need_b = b is not None and ctx._edges[2] is not None
    gx = np.empty_like(x2) if need_x else None
    gw_part = np.empty((nblocks, K), x2.dtype) if need_w else None
    gb_part = np.empty((nblocks, K), x2.dtype) if need_b else None
    wv = None if w is None else w._data.reshape(-1)
    inv_k = x2.dtype.type(1.0 / K)

    def kernel(lo, hi):
        gb_, rb = g2[lo:hi], rstd[lo:hi, None]
        xh = np.subtract(x2[lo:hi], mean[lo:hi, None])
        xh *= rb                                      # xhat
        i = lo // rows
        if need_b:
            np.sum(gb_, 0, out=gb_part[i])
        if need_w:
            np.einsum("ij,ij->j", gb_, xh, out=gw_part[i])
        if need_x:
            ob = gx[lo:hi]
            if wv is None:
                ob[...] = gb_
            else:
                np.multiply(gb_, wv, out=ob)          # gxhat
            gsum = _rowsum(ob)
            gsum *= inv_k
            gxsum = np.einsum("ij,ij->i", ob, xh)
            gxsum *= inv_k
            xh *= gxsum[:, None]
            ob -= xh
            ob -= gsum[:, None]
            ob *= rb

    for_blocks(kernel, M, rows, cost=K)
    gx = None if gx is None else _wrap(gx.reshape(x.shape))
    gw = None if gw_part is None else _wrap(gw_part.sum(0).reshape(w.shape))
    gb = None if gb_part is None else _wrap(gb_part.sum(0).reshape(b.shape))
    return gx, gw, gb, None, None


def _layer_norm_backward_graph(ctx, grad):
    """The same gradients written in ember ops from the saved input (for create_graph=True)."""
    x, w, b = ctx.saved_tensors
    dims = tuple(range(x.ndim - ctx.k, x.ndim))
    mean = x.mean(dims, keepdim=True)
    xc = x - mean
    rstd = ((xc * xc).mean(dims, keepdim=True) + ctx.eps).rsqrt()
    xhat = xc * rstd
    batch_dims = tuple(range(x.ndim - ctx.k))
    gxhat = grad * w if w is not None else grad
    gx = (gxhat - gxhat.mean(dims, keepdim=True) - xhat * (gxhat * xhat).mean(dims, keepdim=True)) * rstd
    gw = (grad * xhat).sum(batch_dims) if w is not None and ctx._edges[1] is not None else None
    gb = grad.sum(batch_dims) if b is not None and ctx._edges[2] is not None else None
    return (gx if ctx._edges[0] is not None else None), gw, gb, None, None


def layer_norm_op(x, w, b, k, eps):
    return LayerNorm.apply(x, w, b, k, eps)


# ----------------------------------------------------------------------------------------------------------
# batch norm (training: batch statistics)
# ----------------------------------------------------------------------------------------------------------

class _ChannelBlocks:
    """Block layout of an (N, C, *) array seen as (N, C, L) for the batch-norm kernels, and per-block partial
    sums per channel that do not depend on the scheduling (one slot per block, combined in float64 after).

    When a sample holds at most ``BLOCK`` elements a block is ``per`` whole samples, ``key(lo, hi)`` =
    ``(slice(lo, hi), slice(None))``; otherwise a block is a run of channels of one sample, ``(n, slice(c0,
    c1))``.  ``x3[key]`` is the block and ``plane[key[1:]]`` the matching part of a (C, L) plane.  Partial sums
    go by rows ((N, C) slots, einsum's SIMD row sums) when rows are long (L >= 64) and over the block's samples
    ((blocks, C, L) slots) when they are short: NumPy's reductions over 1-16 long rows are 5-30x slower."""

    def __init__(self, x):
        n, c = x.shape[0], x.shape[1]
        self.x3 = x3 = x.reshape(n, c, -1)                            # (N, C, L)
        self.L = L = max(1, x3.shape[2])
        if c * L <= BLOCK:
            self.per, self.items = max(1, BLOCK // (c * L)), n
            self.key = lambda lo, hi: (slice(lo, hi), slice(None))
        else:
            chunk = max(1, BLOCK // L)
            nchunk = -(-c // chunk)
            self.per, self.items = 1, n * nchunk

            def key(lo, hi):
                s, k = divmod(lo, nchunk)
                return s, slice(k * chunk, min(c, (k + 1) * chunk))
            self.key = key
        self.cost = max(1, x3.size // max(1, self.items))
        self.by_rows = L >= 64 or self.per == 1 and self.items > n

    def slots(self):
        N, C, L = self.x3.shape
        shape = (N, C) if self.by_rows else (-(-self.items // self.per), C, L)
        return np.empty(shape, self.x3.dtype)

    def add_sum(self, acc, lo, k, a):
        """acc's slot for the block (lo, key k) = the block's per-channel sums of ``a``."""
        if self.by_rows:
            np.einsum("...l->...", a, out=acc[k])
        else:
            np.sum(a, 0, out=acc[lo // self.per])

    def add_dot(self, acc, lo, k, a, scratch):
        """The same for a * scratch (``scratch`` may be overwritten)."""
        if self.by_rows:
            np.einsum("...l,...l->...", a, scratch, out=acc[k])
        else:
            np.sum(np.multiply(a, scratch, out=scratch), 0, out=acc[lo // self.per])

    def total(self, acc, divisor=1):
        """Per-channel totals (C,) of the slots, summed (and divided) in float64, in the array's dtype."""
        t = acc.sum(0, dtype=np.float64)
        return ((t if self.by_rows else t.sum(-1)) / divisor).astype(self.x3.dtype)

    def run(self, kernel):
        for_blocks(kernel, self.items, self.per, cost=self.cost)


def _plane(col, L):
    """A per-channel column (C,) spread over a contiguous (C, L) plane: a ufunc against the plane runs as one
    flat loop, against a (C, 1) column NumPy restarts its inner loop every row (2-3x slower for L = 1024)."""
    return np.repeat(col, L).reshape(col.shape[0], L)


def batch_stats(x):
    """Per-channel (dim 1) mean and biased variance of an (N, C, *) array, as float arrays of shape (C,)."""
    xp = _xp(x)
    if _blockable(x) and x.size:
        return _batch_stats_blocked(x)
    n, c = x.shape[0], x.shape[1]
    x3 = x.reshape(n, c, -1)                                          # (N, C, L)
    count = n * x3.shape[2]
    mean = x3.sum(2).sum(0) / x.dtype.type(count)
    xc = x3 - mean[:, None]
    var = xp.einsum("ncl,ncl->c", xc, xc) / x.dtype.type(count)
    return mean, var


def _batch_stats_blocked(x):
    """Two blocked passes: per-channel sums (the mean), then sums of squares about the mean."""
    lay = _ChannelBlocks(x)
    x3, key, count = lay.x3, lay.key, x.size // x.shape[1]
    acc = lay.slots()

    def sums(lo, hi):
        k = key(lo, hi)
        lay.add_sum(acc, lo, k, x3[k])

    lay.run(sums)
    mean = lay.total(acc, count)
    mplane = _plane(mean, lay.L)

    def squares(lo, hi):
        k = key(lo, hi)
        xc = np.subtract(x3[k], mplane[k[1:]])
        lay.add_dot(acc, lo, k, xc, xc)

    lay.run(squares)
    return mean, lay.total(acc, count)


class BatchNormTrain(Op):
    """y = (x - mean_c) * rstd_c * w_c + b_c with the batch's own statistics (given, from ``batch_stats``)."""

    _grad_name = "NativeBatchNormBackward0"
    save_inputs = (0, 1, 2)

    @staticmethod
    def forward(ctx, x, w, b, mean, var, eps):
        xp = _xp(x)
        n, c = x.shape[0], x.shape[1]
        x3 = x.reshape(n, c, -1)                                      # (N, C, L)
        rstd = 1 / xp.sqrt(var + x.dtype.type(eps))
        scale = rstd if w is None else rstd * w
        ctx.eps = eps
        if _blockable(x) and x.size and all(a is None or a.dtype == x.dtype for a in (w, b, mean, var)):
            ctx.stats = (None, mean, rstd)                            # xhat is rebuilt per block in backward
            shift = -mean * scale if b is None else b - mean * scale
            lay = _ChannelBlocks(x)
            x3, key = lay.x3, lay.key
            # x * scale + shift is one pass less than (x - mean) * scale + b, but loses |mean| / std ulps of
            # the result to cancellation: only where every channel's mean is within 4 std of 0
            centred = bool(np.all(mean * mean <= 16 * var))
            splane = _plane(scale, lay.L)
            tplane = _plane(shift, lay.L) if centred else None
            mplane = None if centred else _plane(mean, lay.L)
            bplane = None if centred or b is None else _plane(b, lay.L)
            y = np.empty_like(x3)

            def kernel(lo, hi):
                k = key(lo, hi)
                kp = k[1:]
                if centred:
                    yb = np.multiply(x3[k], splane[kp], out=y[k])
                    yb += tplane[kp]
                    return
                yb = np.subtract(x3[k], mplane[kp], out=y[k])
                yb *= splane[kp]
                if bplane is not None:
                    yb += bplane[kp]

            lay.run(kernel)
            return y.reshape(x.shape)
        xhat = (x3 - mean[:, None]) * rstd[:, None]
        ctx.stats = (xhat, mean, rstd)
        y = (x3 - mean[:, None]) * scale[:, None]
        if b is not None:
            y += b[:, None]
        return y.reshape(x.shape)

    @staticmethod
    def backward(ctx, grad):
        if _grad_state[0]:
            return _batch_norm_backward_graph(ctx, grad)
        x, w, b = ctx.saved_tensors
        xhat, mean, rstd = ctx.stats
        if xhat is None:
            return _batch_norm_backward_blocked(ctx, grad._data, x._data, w, b, mean, rstd)
        g3 = grad._data.reshape(xhat.shape)                          # (N, C, L)
        count = xhat.shape[0] * xhat.shape[2]
        xp = _xp(g3)
        gsum = g3.sum(2).sum(0)
        gxsum = xp.einsum("ncl,ncl->c", g3, xhat)
        gx = gw = gb = None
        if ctx._edges[0] is not None:
            scale = rstd if w is None else rstd * w._data
            inv = xhat.dtype.type(1.0 / count)
            gxa = xhat * (gxsum * inv)[:, None]
            gxa += (gsum * inv)[:, None]
            np.subtract(g3, gxa, out=gxa)
            gxa *= scale[:, None]
            gx = _wrap(gxa.reshape(x.shape))
        if w is not None and ctx._edges[1] is not None:
            gw = _wrap(gxsum)
        if b is not None and ctx._edges[2] is not None:
            gb = _wrap(gsum)
        return gx, gw, gb, None, None, None


def _batch_norm_backward_blocked(ctx, grad, x, w, b, mean, rstd):
    """Pass 1: per-channel sums of g and g (x - mean); pass 2: gx = a_c g + b_c (x - mean) + c_c, from
    gx = scale (g - mean(g) - xhat mean(g xhat)), scale = rstd w.  Per-channel factors are (C, L) planes."""
    lay = _ChannelBlocks(x)
    x3, key, L = lay.x3, lay.key, lay.L
    g3 = grad.reshape(x3.shape)                                       # (N, C, L)
    gacc, gxacc = lay.slots(), lay.slots()
    mplane = _plane(mean, L)

    def sums(lo, hi):
        k = key(lo, hi)
        gb_ = g3[k]
        lay.add_sum(gacc, lo, k, gb_)
        lay.add_dot(gxacc, lo, k, gb_, np.subtract(x3[k], mplane[k[1:]]))

    lay.run(sums)
    gsum, gxsum = lay.total(gacc), lay.total(gxacc) * rstd           # sum g, sum g xhat
    gx = None
    if ctx._edges[0] is not None:
        scale = rstd if w is None else rstd * w._data
        inv = x.dtype.type(1.0 / (x.size // x.shape[1]))
        aplane = _plane(scale, L)
        bplane = _plane(-scale * rstd * gxsum * inv, L)               # d gx / d x through xhat
        cplane = _plane(-scale * gsum * inv, L)
        out = np.empty_like(x3)

        def apply(lo, hi):
            k = key(lo, hi)
            kp = k[1:]
            ob = np.multiply(g3[k], aplane[kp], out=out[k])
            tmp = np.subtract(x3[k], mplane[kp])                     # x - mean, not x: no cancellation
            tmp *= bplane[kp]
            tmp += cplane[kp]
            ob += tmp

        lay.run(apply)
        gx = _wrap(out.reshape(x.shape))
    gw = _wrap(gxsum) if w is not None and ctx._edges[1] is not None else None
    gb = _wrap(gsum) if b is not None and ctx._edges[2] is not None else None
    return gx, gw, gb, None, None, None


def _batch_norm_backward_graph(ctx, grad):
    x, w, b = ctx.saved_tensors
    dims = (0,) + tuple(range(2, x.ndim))
    view = (1, -1) + (1,) * (x.ndim - 2)
    mean = x.mean(dims, keepdim=True)
    xc = x - mean
    rstd = ((xc * xc).mean(dims, keepdim=True) + ctx.eps).rsqrt()
    xhat = xc * rstd
    gxhat = grad * w.reshape(view) if w is not None else grad
    gx = (gxhat - gxhat.mean(dims, keepdim=True) - xhat * (gxhat * xhat).mean(dims, keepdim=True)) * rstd
    gw = (grad * xhat).sum(dims) if w is not None and ctx._edges[1] is not None else None
    gb = grad.sum(dims) if b is not None and ctx._edges[2] is not None else None
    return (gx if ctx._edges[0] is not None else None), gw, gb, None, None, None


def batch_norm_train_op(x, w, b, mean, var, eps):
    return BatchNormTrain.apply(x, w, b, mean, var, eps)


# ----------------------------------------------------------------------------------------------------------
# softmax and log-softmax over the last dim, by blocks of rows
# ----------------------------------------------------------------------------------------------------------

def _softmax_rows(x2, log):
    """softmax (or log-softmax) of each row of a contiguous (M, K) float array, blocks of rows over threads."""
    M, K = x2.shape
    y = np.empty_like(x2)

    def kernel(lo, hi):
        xb, yb = x2[lo:hi], y[lo:hi]
        m = xb.max(1, keepdims=True)
        np.subtract(xb, m, out=yb)                    # x - max
        if log:
            s = _rowsum(np.exp(yb))[:, None]
            yb -= np.log(s, out=s)
        else:
            np.exp(yb, out=yb)
            s = _rowsum(yb)[:, None]
            yb *= np.reciprocal(s, out=s)             # as torch: one division per row

    for_blocks(kernel, M, max(1, BLOCK // K), cost=K)
    return y


def _softmax_rows_backward(g2, y2, log):
    """softmax: y (g - sum(g y)); log-softmax: g - exp(y) sum(g); rows of (M, K) arrays."""
    M, K = y2.shape
    gx = np.empty_like(y2)

    def kernel(lo, hi):
        gb, yb, ob = g2[lo:hi], y2[lo:hi], gx[lo:hi]
        if log:
            s = _rowsum(gb)[:, None]
            np.exp(yb, out=ob)
            ob *= s
            np.subtract(gb, ob, out=ob)
        else:
            s = np.einsum("ij,ij->i", gb, yb)
            np.subtract(gb, s[:, None], out=ob)
            ob *= yb

    for_blocks(kernel, M, max(1, BLOCK // K), cost=K)
    return gx


class SoftmaxLastDim(Op):
    """softmax over the last dim of a contiguous float32/float64 NumPy array (``F.softmax``'s fast path; the
    general op is ``ops.reduce.Softmax``).  dx = y (g - sum(g y))."""

    _grad_name = "SoftmaxBackward0"
    save_output = True

    @staticmethod
    def forward(ctx, x):
        return _softmax_rows(x.reshape(-1, x.shape[-1]), False).reshape(x.shape)

    @staticmethod
    def backward(ctx, grad):
        y = ctx.saved_output
        if _grad_state[0] or type(grad._data) is not np.ndarray or grad._data.dtype != y._data.dtype:
            return y * (grad - (grad * y).sum(-1, keepdim=True))
        K = y.shape[-1]
        return _wrap(_softmax_rows_backward(grad._data.reshape(-1, K), y._data.reshape(-1, K), False)
                     .reshape(y.shape))


class LogSoftmaxLastDim(Op):
    """log-softmax over the last dim (``F.log_softmax``'s fast path).  dx = g - exp(y) sum(g)."""

    _grad_name = "LogSoftmaxBackward0"
    save_output = True

    @staticmethod
    def forward(ctx, x):
        return _softmax_rows(x.reshape(-1, x.shape[-1]), True).reshape(x.shape)

    @staticmethod
    def backward(ctx, grad):
        y = ctx.saved_output
        if _grad_state[0] or type(grad._data) is not np.ndarray or grad._data.dtype != y._data.dtype:
            return grad - y.exp() * grad.sum(-1, keepdim=True)
        K = y.shape[-1]
        return _wrap(_softmax_rows_backward(grad._data.reshape(-1, K), y._data.reshape(-1, K), True)
                     .reshape(y.shape))


def softmax_last_dim_op(x, log=False):
    """The fused softmax / log-softmax over the last dim, or None when ``x`` does not fit the block kernels
    (then ``ops.reduce`` takes it)."""
    a = x._data
    if a.ndim == 0 or a.size == 0 or not _blockable(a):
        return None
    return (LogSoftmaxLastDim if log else SoftmaxLastDim).apply(x)


# ----------------------------------------------------------------------------------------------------------
# cross-entropy from logits with class-index targets
# ----------------------------------------------------------------------------------------------------------

def _exp_shifted_rows(x2, want_sum):
    """(exp(x - max), max, row sums of the exponentials, row sums of x or None) of a contiguous (M, C) array,
    blocks of rows over threads."""
    M, C = x2.shape
    e, m, s = np.empty_like(x2), np.empty((M, 1), x2.dtype), np.empty(M, x2.dtype)
    xsum = np.empty(M, x2.dtype) if want_sum else None

    def kernel(lo, hi):
        xb, eb = x2[lo:hi], e[lo:hi]
        np.max(xb, 1, keepdims=True, out=m[lo:hi])
        np.subtract(xb, m[lo:hi], out=eb)
        np.exp(eb, out=eb)
        _rowsum(eb, s[lo:hi])
        if want_sum:
            _rowsum(xb, xsum[lo:hi])

    for_blocks(kernel, M, max(1, BLOCK // C), cost=C)
    return e, m, s, xsum


def _scale_rows(a, col, shift=None):
    """a * col[:, None] - shift[:, None] for an (M, C) array (blocks of rows over threads when large)."""
    if a.size <= BLOCK or not _blockable(a):
        return a * col[:, None] if shift is None else a * col[:, None] - shift[:, None]
    out = np.empty_like(a)

    def kernel(lo, hi):
        ob = np.multiply(a[lo:hi], col[lo:hi, None], out=out[lo:hi])
        if shift is not None:
            ob -= shift[lo:hi, None]

    for_blocks(kernel, a.shape[0], max(1, BLOCK // a.shape[1]), cost=a.shape[1])
    return out


class CrossEntropy(Op):
    """loss_i = w_t * (1 - eps) * (-log p_i,t) + eps / C * sum_c w_c (-log p_i,c), rows with t == ignore give 0.

    ``x`` is (M, C) logits, ``t`` (M,) class indices; ``reduction`` 'mean' divides by sum_i w_t (torch's
    weighted mean).  d loss_i / d x_ic = (1 - eps) w_t (p_ic - [c == t]) + eps / C (W p_ic - w_c), W = sum_c w_c.
    """

    _grad_name = "NllLossBackward0"
    save_inputs = (0,)

    @staticmethod
    def forward(ctx, x, t, w, ignore_index, eps, reduction):
        xp = _xp(x)
        M, C = x.shape
        ft = x.dtype.type
        valid = t != ignore_index
        ts = xp.where(valid, t, 0)
        xsum = None
        if x.size > BLOCK and _blockable(x):
            e, m, s, xsum = _exp_shifted_rows(x, bool(eps) and w is None)   # (M, C), (M, 1), (M,), (M,)
        else:
            m = x.max(1, keepdims=True) if C else xp.zeros((M, 1), x.dtype)
            e = xp.exp(x - m)                                         # (M, C)
            s = e.sum(1)
        lse = xp.log(s) + m[:, 0]                                     # (M,)
        wt = valid.astype(x.dtype) if w is None else w[ts] * valid
        rows = xp.arange(M)
        loss = (lse - x[rows, ts]) * wt
        if eps:
            if w is None:
                smooth = (lse * ft(C) - (x.sum(1) if xsum is None else xsum)) * valid
            else:
                smooth = (lse * w.sum() - x @ w) * valid
            loss = loss * ft(1 - eps) + smooth * ft(eps / C)
        ctx.p = (ts, valid, wt, e, s, w, eps, reduction)
        if reduction == "none":
            return loss
        total = loss.sum()
        if reduction == "mean":
            ctx.denom = wt.sum()
            return xp.asarray(total / ctx.denom, dtype=x.dtype)
        return xp.asarray(total, dtype=x.dtype)

    @staticmethod
    def backward(ctx, grad):
        ts, valid, wt, e, s, w, eps, reduction = ctx.p
        if _grad_state[0]:
            return _cross_entropy_backward_graph(ctx, grad), None, None, None, None, None
        g = grad._data
        if reduction == "mean":
            g = g / ctx.denom
        ft = e.dtype.type
        C = e.shape[1]
        total_w = ft(C) if w is None else w.sum()
        gi = g * wt * ft(1 - eps) if reduction == "none" else wt * (g * ft(1 - eps))   # (M,)
        coef = gi if not eps else gi + (g * ft(eps / C) * total_w) * valid
        smooth_row = (g * ft(eps / C)) * valid if eps else None
        out = _scale_rows(e, (coef / s).astype(e.dtype, copy=False),   # p * coef - smoothing, (M, C)
                          None if w is not None or not eps else smooth_row.astype(e.dtype, copy=False))
        out[np.arange(e.shape[0]), ts] -= gi
        if eps and w is not None:
            out -= smooth_row[:, None] * w[None, :]
        return _wrap(out.astype(e.dtype, copy=False)), None, None, None, None, None


def _cross_entropy_backward_graph(ctx, grad):
    """The same gradient in ember ops (for create_graph=True): p from the saved logits."""
    (x,) = ctx.saved_tensors
    ts, valid, wt, e, s, w, eps, reduction = ctx.p
    g = grad / _wrap(ctx.denom) if reduction == "mean" else grad
    p = x.softmax(1)
    C = x.shape[1]
    wt_t, valid_t = _wrap(wt), _wrap(valid.astype(e.dtype))
    onehot = np.zeros(e.shape, e.dtype)
    onehot[np.arange(e.shape[0]), ts] = 1
    gv = g.unsqueeze(-1) if reduction == "none" else g
    out = (p - _wrap(onehot)) * (wt_t * (1 - eps)).unsqueeze(-1)
    if eps:
        wv = _wrap(np.ones(C, e.dtype) if w is None else w)
        out = out + (p * wv.sum() - wv) * (valid_t * (eps / C)).unsqueeze(-1)
    return out * gv


def cross_entropy_op(x2d, target, weight, ignore_index, label_smoothing, reduction):
    """x2d: (M, C) logits Tensor; target: (M,) int64 array; weight: (C,) array or None."""
    return CrossEntropy.apply(x2d, target, weight, ignore_index, label_smoothing, reduction)
