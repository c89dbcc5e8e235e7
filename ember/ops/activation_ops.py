"""The activations whose derivative at a kink torch fixes by convention (leaky_relu, elu/selu/celu, softplus,
hardtanh/relu6, hardsigmoid, hardswish, the shrinks, threshold, logsigmoid, prelu): one primitive each, so
the gradient at the kink is torch's and each costs one graph node."""
from __future__ import annotations

import numpy as np

from ..autograd.function import Op
from ._util import xp_of as _xp

__all__ = ["leaky_relu_op", "elu_op", "softplus_op", "hardtanh_op", "hardsigmoid_op", "hardswish_op",
           "hardshrink_op", "softshrink_op", "threshold_op", "logsigmoid_op", "prelu_op"]


def _where(cond, a, b):
    from .shape import where
    return where(cond, a, b)


# ----------------------------------------------------------------------------------------------------------
# piecewise activations: torch's derivative conventions at the kinks
# ----------------------------------------------------------------------------------------------------------

class LeakyRelu(Op):
    _grad_name = "LeakyReluBackward0"
    save_inputs = (0,)

    @staticmethod
    def forward(ctx, x, slope):
        ctx.slope = slope
        return _xp(x).where(x > 0, x, x * x.dtype.type(slope))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return _where(x > 0, grad, grad * ctx.slope), None      # at 0 the slope side, as torch


class Elu(Op):
    """ELU family: scale * (x if x > 0 else alpha * (exp(x * input_scale) - 1)); SELU and CELU are cases."""

    _grad_name = "EluBackward0"
    save_inputs = (0,)

    @staticmethod
    def forward(ctx, x, alpha, scale, input_scale):
        ctx.p = (alpha, scale, input_scale)
        xp = _xp(x)
        t = x.dtype.type
        neg = xp.expm1(xp.minimum(x, 0) * t(input_scale)) * t(alpha * scale)
        return xp.where(x > 0, x * t(scale), neg)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        alpha, scale, input_scale = ctx.p
        neg = (x.clamp_max(0) * input_scale).exp() * (alpha * scale * input_scale)
        return grad * _where(x > 0, scale, neg), None, None, None   # at 0 the exponential side, as torch


class Softplus(Op):
    """log(1 + exp(beta x)) / beta, linear where beta x > threshold."""

    _grad_name = "SoftplusBackward0"
    save_inputs = (0,)

    @staticmethod
    def forward(ctx, x, beta, threshold):
        ctx.p = (beta, threshold)
        xp = _xp(x)
        t = x.dtype.type
        bx = x * t(beta)
        soft = (xp.maximum(bx, 0) + xp.log1p(xp.exp(-xp.abs(bx)))) / t(beta)
        return xp.where(bx > threshold, x, soft)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        beta, threshold = ctx.p
        bx = x * beta
        return _where(bx > threshold, grad, grad * bx.sigmoid()), None, None


class Hardtanh(Op):
    """clamp(x, lo, hi) with a zero gradient on the boundaries (clamp keeps it there)."""

    _grad_name = "HardtanhBackward0"
    save_inputs = (0,)

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.p = (lo, hi)
        return _xp(x).clip(x, lo, hi).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        lo, hi = ctx.p
        return grad * ((x > lo) & (x < hi)), None, None


_ONE_SIXTH_F32 = float(np.float32(1.0) / np.float32(6.0))   # torch's backward uses the float constant 1/6


class Hardsigmoid(Op):
    _grad_name = "HardsigmoidBackward0"
    save_inputs = (0,)

    @staticmethod
    def forward(ctx, x):
        t = x.dtype.type
        return _xp(x).clip(x + t(3), 0, 6).astype(x.dtype, copy=False) / t(6)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * ((x > -3) & (x < 3)) * _ONE_SIXTH_F32


class Hardswish(Op):
    _grad_name = "HardswishBackward0"
    save_inputs = (0,)

    @staticmethod
    def forward(ctx, x):
        t = x.dtype.type
        return x * _xp(x).clip(x + t(3), 0, 6).astype(x.dtype, copy=False) / t(6)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        mid = grad * (x / 3 + 0.5)
        return _where(x <= -3, grad * 0, _where(x < 3, mid, grad))     # both kinks take the outer side


class Hardshrink(Op):
    _grad_name = "HardshrinkBackward0"
    save_inputs = (0,)

    @staticmethod
    def forward(ctx, x, lambd):
        ctx.lambd = lambd
        return _xp(x).where((x >= -lambd) & (x <= lambd), x.dtype.type(0), x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        lam = ctx.lambd
        return grad * ((x < -lam) | (x > lam)), None


class Softshrink(Op):
    _grad_name = "SoftshrinkBackward0"
    save_inputs = (0,)

    @staticmethod
    def forward(ctx, x, lambd):
        ctx.lambd = lambd
        xp = _xp(x)
        t = x.dtype.type
        return xp.where(x > lambd, x - t(lambd), xp.where(x < -lambd, x + t(lambd), t(0)))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        lam = ctx.lambd
        return grad * ((x < -lam) | (x > lam)), None


class Threshold(Op):
    _grad_name = "ThresholdBackward0"
    save_inputs = (0,)

    @staticmethod
    def forward(ctx, x, threshold, value):
        ctx.threshold = threshold
        return _xp(x).where(x > threshold, x, np.asarray(value).astype(x.dtype))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (x > ctx.threshold), None, None


class LogSigmoid(Op):
    """log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|)), stable for any |x|."""

    _grad_name = "LogSigmoidBackward0"
    save_inputs = (0,)

    @staticmethod
    def forward(ctx, x):
        xp = _xp(x)
        return xp.minimum(x, 0) - xp.log1p(xp.exp(-xp.abs(x)))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (-x).sigmoid()


class Prelu(Op):
    """x if x > 0 else w x, with w broadcast along the channel dim (dim 1, or dim 0 of a 1-D input)."""

    _grad_name = "PreluKernelBackward0"
    save_inputs = (0, 1)

    @staticmethod
    def forward(ctx, x, w_view):
        return _xp(x).where(x > 0, x, x * w_view)

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        from ._util import unbroadcast
        gx = gw = None
        if ctx._edges[0] is not None:
            gx = _where(x > 0, grad, grad * w)
        if ctx._edges[1] is not None:
            gw = unbroadcast(_where(x > 0, grad * 0, grad * x), w.shape)
        return gx, gw


def leaky_relu_op(x, slope):
    return LeakyRelu.apply(x, slope)


def elu_op(x, alpha=1.0, scale=1.0, input_scale=1.0):
    return Elu.apply(x, alpha, scale, input_scale)


def softplus_op(x, beta=1.0, threshold=20.0):
    return Softplus.apply(x, beta, threshold)


def hardtanh_op(x, lo, hi):
    return Hardtanh.apply(x, lo, hi)


def hardsigmoid_op(x):
    return Hardsigmoid.apply(x)


def hardswish_op(x):
    return Hardswish.apply(x)


def hardshrink_op(x, lambd):
    return Hardshrink.apply(x, lambd)


def softshrink_op(x, lambd):
    return Softshrink.apply(x, lambd)


def threshold_op(x, threshold, value):
    return Threshold.apply(x, threshold, value)


def logsigmoid_op(x):
    return LogSigmoid.apply(x)


def prelu_op(x, w_view):
    return Prelu.apply(x, w_view)
