"""Differentiable lgamma / digamma and the reparameterised standard-gamma draw used by Gamma, Dirichlet, Beta.

``ember.lgamma`` and ``ember.digamma`` carry no gradient yet, so the distributions use these private ops.
"""
from __future__ import annotations

import math

import numpy as np

import ember
from ember.autograd.function import Op
from ember.random import _gen

_lgamma_vec = np.frompyfunc(lambda v: math.lgamma(v) if not (v <= 0 and v == math.floor(v)) else math.inf, 1, 1)


def _lgamma_np(x):
    return np.asarray(_lgamma_vec(x).astype(np.float64))


def _digamma_np(x):
    """psi(x): the recurrence psi(x) = psi(x + 1) - 1/x up to x >= 12, then the asymptotic series; reflection
    psi(1 - x) - pi cot(pi x) below 0 (poles give nan)."""
    x = np.array(x, np.float64)
    neg = x < 0
    refl = np.where(neg, -np.pi / np.tan(np.pi * x), 0.0)
    x = np.where(neg, 1.0 - x, x)
    res = np.where(x == 0, np.nan, 0.0)
    for _ in range(12):
        small = x < 12
        res -= np.where(small, 1.0 / np.where(small, x, 1.0), 0.0)
        x = np.where(small, x + 1, x)
    r = 1.0 / (x * x)
    tail = np.log(x) - 0.5 / x - r * (1 / 12 - r * (1 / 120 - r * (1 / 252 - r * (1 / 240 - r / 132))))
    return res + tail + refl


def _trigamma_np(x):
    """psi'(x) for x > 0: the recurrence psi'(x) = psi'(x + 1) + 1/x^2 up to x >= 12, then the asymptotic series."""
    x = np.array(x, np.float64)
    res = np.zeros_like(x)
    for _ in range(12):
        small = x < 12
        res += np.where(small, 1.0 / (x * x), 0.0)
        x = np.where(small, x + 1, x)
    r = 1.0 / (x * x)
    tail = (1.0 / x + r / 2 + r / x * (1 / 6 - r * (1 / 30 - r * (1 / 42 - r * (1 / 30 - r * 5 / 66)))))
    return res + tail


class _Lgamma(Op):
    save_inputs = (0,)

    @staticmethod
    def forward(ctx, x):
        return _lgamma_np(x).astype(x.dtype)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * digamma(x)


class _Digamma(Op):
    save_inputs = (0,)

    @staticmethod
    def forward(ctx, x):
        return _digamma_np(x).astype(x.dtype)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * ember.tensor(_trigamma_np(x._host()).astype(x._host().dtype))


def lgamma(x):
    return _Lgamma.apply(x)


def digamma(x):
    return _Digamma.apply(x)


class _StandardGamma(Op):
    """x ~ Gamma(alpha, 1).  Implicit reparameterisation: dx/dalpha = -(dP(alpha, x)/dalpha) / p(x; alpha),
    with dP/dalpha by a central difference of the regularised incomplete gamma function (float64)."""
    save_inputs = (0,)
    save_output = True

    @staticmethod
    def forward(ctx, alpha):
        x = _gen(None).standard_gamma(alpha.astype(np.float64))
        return np.asarray(np.maximum(x, np.finfo(alpha.dtype).tiny).astype(alpha.dtype))

    @staticmethod
    def backward(ctx, grad):
        (alpha,) = ctx.saved_tensors
        return grad * ember.tensor(_standard_gamma_grad(alpha._host(), ctx.saved_output._host()))


def _standard_gamma_grad(alpha, x):
    from ember.ops.extras import _igamma_arrays
    a, xv = alpha.astype(np.float64), x.astype(np.float64)
    h = 1e-5 * np.maximum(a, 1e-3)
    h = np.minimum(h, a / 2)
    dp_da = (_igamma_arrays(a + h, xv)[0] - _igamma_arrays(a - h, xv)[0]) / (2 * h)
    log_pdf = (a - 1) * np.log(xv) - xv - _lgamma_np(a)
    return (-dp_da / np.exp(log_pdf)).astype(alpha.dtype)


def standard_gamma(alpha):
    return _StandardGamma.apply(alpha)


class _Xlogy(Op):
    """x log(y), 0 where x == 0 (unless y is nan); torch's gradients: d/dx = log(y), d/dy = x / y."""
    save_inputs = (0, 1)

    @staticmethod
    def forward(ctx, x, y):
        out = x * np.log(y)
        return np.where((x == 0) & ~np.isnan(y), 0.0, out).astype(out.dtype)

    @staticmethod
    def backward(ctx, grad):
        from ember.ops._util import unbroadcast
        x, y = ctx.saved_tensors
        return unbroadcast(grad * y.log(), x.shape), unbroadcast(grad * x / y, y.shape)


def xlogy(x, y):
    return _Xlogy.apply(x, y)
