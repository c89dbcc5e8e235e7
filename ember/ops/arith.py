"""Elementwise binary arithmetic: add, sub, mul, div, pow and friends, with their derivatives."""
from __future__ import annotations

import numpy as np

from .. import _dtype as _dt
from ..autograd.function import Op
from ._util import Tensor, float_like, promote_operands, result_dtype, unbroadcast, _wrap

_nd = np.ndarray

__all__ = ["add", "sub", "mul", "div", "true_divide", "floor_divide", "remainder", "fmod", "pow", "neg", "rsub",
           "maximum", "minimum", "fmax", "fmin", "atan2", "hypot", "lerp", "addcmul", "addcdiv", "subtract",
           "multiply", "divide", "negative", "float_power", "xlogy", "copysign", "ldexp"]


def _shape(x):
    return x.shape if isinstance(x, np.ndarray) or hasattr(x, "shape") else ()


def _scalar_shape(b):
    return () if type(b) in (float, int, bool, complex) else np.shape(b)


class Add(Op):
    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = (a.shape if type(a) is _nd else np.shape(a), b.shape if type(b) is _nd else _scalar_shape(b))
        return a + b

    @staticmethod
    def backward(ctx, grad):
        sa, sb = ctx.shapes
        ea, eb = ctx._edges
        return (unbroadcast(grad, sa) if ea is not None else None,
                unbroadcast(grad, sb) if eb is not None else None)


class Sub(Op):
    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = (a.shape if type(a) is _nd else np.shape(a), b.shape if type(b) is _nd else _scalar_shape(b))
        return a - b

    @staticmethod
    def backward(ctx, grad):
        sa, sb = ctx.shapes
        ea, eb = ctx._edges
        return (unbroadcast(grad, sa) if ea is not None else None,
                unbroadcast(-grad, sb) if eb is not None else None)


class Mul(Op):
    save_inputs = (0, 1)

    @staticmethod
    def forward(ctx, a, b):
        return a * b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        ea, eb = ctx._edges
        ga = unbroadcast(grad * _conj(b), _sh(a)) if ea is not None else None
        gb = unbroadcast(grad * _conj(a), _sh(b)) if eb is not None else None
        return ga, gb


class Div(Op):
    save_inputs = (0, 1)

    @staticmethod
    def forward(ctx, a, b):
        return a / b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        ga = gb = None
        if isinstance(a, Tensor):
            ga = unbroadcast(grad / _conj(b), _sh(a))
        if isinstance(b, Tensor) and ctx._edges[1] is not None:
            gb = unbroadcast(-grad * _conj(a) / _conj(b * b), _sh(b))
        return ga, gb


class Pow(Op):
    save_inputs = (0, 1)

    @staticmethod
    def forward(ctx, a, b):
        return a ** b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        ga = gb = None
        if isinstance(a, Tensor) and ctx._edges[0] is not None:
            if isinstance(b, Tensor):
                ga = grad * b * where_(b == 0, a * 0 + 1, a ** (b - 1))
            elif b == 0:
                ga = grad * 0
            else:
                ga = grad * b * a ** (b - 1)
            ga = unbroadcast(ga, _sh(a))
        if isinstance(b, Tensor) and ctx._edges[1] is not None:
            out = a ** b
            base_log = a.log() if isinstance(a, Tensor) else _log_scalar(a, b)
            gb = grad * where_((out == 0) & (b >= 0), out * 0, out * base_log)
            gb = unbroadcast(gb, _sh(b))
        return ga, gb


class Maximum(Op):
    save_inputs = (0, 1)

    @staticmethod
    def forward(ctx, a, b):
        return _xp(a, b).maximum(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return _minmax_grads(grad, a, b, a < b, a > b)


class Minimum(Op):
    save_inputs = (0, 1)

    @staticmethod
    def forward(ctx, a, b):
        return _xp(a, b).minimum(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return _minmax_grads(grad, a, b, a > b, a < b)


class Fmax(Op):
    """NaN-ignoring maximum: the gradient goes to ``a`` where a >= b or b is NaN, else to ``b`` (no split)."""

    save_inputs = (0, 1)

    @staticmethod
    def forward(ctx, a, b):
        return _xp(a, b).fmax(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        to_a = (a >= b) | b.isnan()
        return unbroadcast(where_(to_a, grad, 0.0), a.shape), unbroadcast(where_(to_a, 0.0, grad), b.shape)


class Fmin(Op):
    save_inputs = (0, 1)

    @staticmethod
    def forward(ctx, a, b):
        return _xp(a, b).fmin(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        to_a = (a <= b) | b.isnan()
        return unbroadcast(where_(to_a, grad, 0.0), a.shape), unbroadcast(where_(to_a, 0.0, grad), b.shape)


def _minmax_grads(grad, a, b, a_loses, b_loses):
    # ties split the gradient in half; where a comparison is NaN both sides get it (torch's rule)
    split = where_(a == b, grad / 2, grad)
    ga = where_(a_loses, 0.0, split)
    gb = where_(b_loses, 0.0, split)
    return unbroadcast(ga, a.shape), unbroadcast(gb, b.shape)


class Atan2(Op):
    save_inputs = (0, 1)

    @staticmethod
    def forward(ctx, a, b):
        return _xp(a, b).arctan2(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        denom = a * a + b * b
        return unbroadcast(grad * b / denom, a.shape), unbroadcast(-grad * a / denom, b.shape)


class Remainder(Op):
    """Python-style modulo (sign of the divisor): d/da = 1, d/db = -floor(a / b)."""

    save_inputs = (0, 1)

    @staticmethod
    def forward(ctx, a, b):
        return _xp(a, b).remainder(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        ga = unbroadcast(grad, _sh(a)) if isinstance(a, Tensor) else None
        gb = unbroadcast(-grad * (a / b).floor(), _sh(b)) if isinstance(b, Tensor) else None
        return ga, gb


class Fmod(Op):
    """C-style modulo (sign of the dividend): d/da = 1, d/db = -trunc(a / b)."""

    save_inputs = (0, 1)

    @staticmethod
    def forward(ctx, a, b):
        return _xp(a, b).fmod(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        ga = unbroadcast(grad, _sh(a)) if isinstance(a, Tensor) else None
        gb = unbroadcast(-grad * (a / b).trunc(), _sh(b)) if isinstance(b, Tensor) else None
        return ga, gb


class Neg(Op):
    @staticmethod
    def forward(ctx, a):
        if a.dtype == np.bool_:
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you are "
                               "trying to invert a mask, use the `~` or `logical_not()` operator instead.")
        return -a

    @staticmethod
    def backward(ctx, grad):
        return -grad


# ----------------------------------------------------------------------------------------------------------
# small helpers
# ----------------------------------------------------------------------------------------------------------

def _sh(x):
    return x.shape if isinstance(x, Tensor) else ()


def _conj(x):
    if isinstance(x, Tensor) and x._data.dtype.kind == "c":
        return x.conj()
    if isinstance(x, complex):
        return x.conjugate()
    return x


def _xp(a, b):
    for x in (a, b):
        if hasattr(x, "__array_namespace__") and type(x) is not np.ndarray and not isinstance(x, np.generic):
            from ..backend import backend_of
            return backend_of(x).xp
    return np


def _log_scalar(a, like):
    import math
    return math.log(a) if a > 0 else float("nan") if a < 0 else float("-inf")


def where_(cond, x, y):
    from .shape import where
    return where(cond, x, y)


# ----------------------------------------------------------------------------------------------------------
# public functions
# ----------------------------------------------------------------------------------------------------------

def _need_tensor(name, other, input=None):
    if input is not None and not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if not isinstance(other, Tensor):
        raise TypeError(f"{name}(): argument 'other' (position 2) must be Tensor, not {type(other).__name__}")


def _no_bool_kernel(kernel, input, other):
    """torch has no bool kernel for some binary ops: both operands bool raise NotImplementedError."""
    if _is_bool(input) and _is_bool(other):
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


def _check_tensor_arg(name, *xs):
    if not any(isinstance(x, Tensor) for x in xs):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(xs[0]).__name__}")


def _scaled(input, other, alpha, op):
    """``other * alpha`` with torch's checks on ``alpha``; the result keeps the dtype of ``input op other``."""
    rt = result_dtype(input, other)
    if isinstance(alpha, bool) or (isinstance(alpha, float) and rt.category < 2) or \
            (isinstance(alpha, complex) and rt.category < 3):
        if rt.category == 0 and isinstance(alpha, bool):
            return other if alpha else (other * 0 if isinstance(other, Tensor) else False)
        if isinstance(alpha, bool):
            raise RuntimeError("Boolean alpha only supported for Boolean results.")
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating point number.")
    if not isinstance(other, Tensor):
        return other * alpha
    scaled = mul(other, alpha)
    return scaled if scaled.dtype is rt or not isinstance(input, Tensor) else scaled.to(rt)


def _fast_operands(input, other):
    """True when no promotion or checking is needed: a float tensor with a float tensor of the same dtype, or
    with a Python float (the common case in models and in every backward pass)."""
    if type(input) is not Tensor:
        return False
    to = type(other)
    if to is Tensor:
        return input._data.dtype is other._data.dtype and input._data.dtype.kind == "f"
    return to is float and input._data.dtype.kind == "f"


def add(input, other, *, alpha=1, out=None):
    """out = input + alpha * other"""
    if type(alpha) is int and alpha == 1 and out is None and _fast_operands(input, other):
        return _binary(Add, input, other)
    if alpha != 1 or isinstance(alpha, bool):
        other = _scaled(input, other, alpha, "add")
    a, b = promote_operands(input, other)
    return _out(_binary(Add, a, b), out)


def _is_bool(x):
    return isinstance(x, bool) or (isinstance(x, Tensor) and x._data.dtype == np.bool_)


def sub(input, other, *, alpha=1, out=None):
    """out = input - alpha * other"""
    if type(alpha) is int and alpha == 1 and out is None and _fast_operands(input, other):
        return _binary(Sub, input, other)
    if _is_bool(input) and _is_bool(other):
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` "
                           "or `logical_xor()` operator instead.")
    if _is_bool(input) or _is_bool(other):
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying "
                           "to invert a mask, use the `~` or `logical_not()` operator instead.")
    if alpha != 1 or isinstance(alpha, bool):
        other = _scaled(input, other, alpha, "sub")
    a, b = promote_operands(input, other)
    return _out(_binary(Sub, a, b), out)


def _binary(cls, a, b):
    """``cls.apply(a, b)`` with torch's error for shapes that do not broadcast."""
    try:
        return cls.apply(a, b)
    except ValueError:
        sa, sb = _sh(a), _sh(b)
        if sa != sb:
            try:
                np.broadcast_shapes(sa, sb)
            except ValueError:
                n = max(len(sa), len(sb))
                pa, pb = (1,) * (n - len(sa)) + tuple(sa), (1,) * (n - len(sb)) + tuple(sb)
                i = max(k for k in range(n) if pa[k] != pb[k] and 1 not in (pa[k], pb[k]))
                raise RuntimeError(f"The size of tensor a ({pa[i]}) must match the size of tensor b ({pb[i]}) at "
                                   f"non-singleton dimension {i}") from None
        raise


subtract = sub


def rsub(input, other, *, alpha=1):
    return sub(other, mul(input, alpha) if alpha != 1 else input)


def mul(input, other, *, out=None):
    if out is None and _fast_operands(input, other):
        return _binary(Mul, input, other)
    a, b = promote_operands(input, other)
    return _out(_binary(Mul, a, b), out)


multiply = mul


def div(input, other, *, rounding_mode=None, out=None):
    """True division (ints give the default float); ``rounding_mode='trunc' | 'floor'`` round the result."""
    if rounding_mode is None and out is None and _fast_operands(input, other):
        return _binary(Div, input, other)
    if rounding_mode is None:
        a, b = promote_operands(input, other)
        if isinstance(a, Tensor) and a._data.dtype.kind in "biu" and \
                (not isinstance(b, Tensor) or b._data.dtype.kind in "biu"):
            a = float_like(a)
            if isinstance(b, Tensor):
                b = float_like(b)
        elif isinstance(b, Tensor) and b._data.dtype.kind in "biu" and not isinstance(a, Tensor):
            b = float_like(b)
        return _out(_binary(Div, a, b), out)
    if rounding_mode in ("trunc", "floor") and _is_bool(input) and _is_bool(other):
        raise NotImplementedError(f"\"div_{rounding_mode}_cpu\" not implemented for 'Bool'")
    if rounding_mode == "trunc":
        return _out(_rounded_div(input, other, "trunc"), out)
    if rounding_mode == "floor":
        return _out(_rounded_div(input, other, "floor"), out)
    raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                       f"'{rounding_mode}'")


divide = div
true_divide = div


def _rounded_div(input, other, mode):
    a, b = promote_operands(input, other)
    ref = a if isinstance(a, Tensor) else b
    if ref._data.dtype.kind in "iu":
        ad = a._data if isinstance(a, Tensor) else a
        bd = b._data if isinstance(b, Tensor) else b
        xp = _xp(ad, bd)
        if xp.any(xp.asarray(bd) == 0):
            raise RuntimeError("ZeroDivisionError")
        q = xp.floor_divide(ad, bd)
        if mode == "trunc":
            r = xp.remainder(ad, bd)
            q = q + ((r != 0) & ((xp.asarray(ad) < 0) != (xp.asarray(bd) < 0)))
        return _wrap(xp.asarray(q).astype(ref._data.dtype))
    if ref._data.dtype.kind == "V" or ref._data.dtype == np.float16:
        # torch divides half types in float32 and rounds once at the end; rounding the quotient to 16 bits
        # first can move it across an integer (-5.99 -> -6.0)
        low = ref.dtype
        a32 = a.float() if isinstance(a, Tensor) else a
        b32 = b.float() if isinstance(b, Tensor) else b
        q = Div.apply(a32, b32)
        return (q.trunc() if mode == "trunc" else q.floor()).to(low)
    q = Div.apply(a, b)
    return q.trunc() if mode == "trunc" else q.floor()


def floor_divide(input, other, *, out=None):
    return div(input, other, rounding_mode="floor", out=out)


def remainder(input, other, *, out=None):
    _no_bool_kernel("remainder_cpu", input, other)
    a, b = promote_operands(input, other)
    return _out(_binary(Remainder, a, b), out)


def fmod(input, other, *, out=None):
    _no_bool_kernel("fmod_cpu", input, other)
    a, b = promote_operands(input, other)
    return _out(_binary(Fmod, a, b), out)


def pow(input, exponent, *, out=None):
    _no_bool_kernel("pow", input, exponent)
    if isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        if input._data.dtype.kind in "iu" and isinstance(exponent, int) and exponent < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        if exponent == 1 and not input.requires_grad:
            return _out(input.clone(), out)
        if exponent == 2 and input._data.dtype.kind in "fV":
            from .unary import square
            return _out(square(input), out)
    a, b = promote_operands(input, exponent)
    return _out(_binary(Pow, a, b), out)


def float_power(input, exponent):
    tgt = _dt.complex128 if (isinstance(input, Tensor) and input.is_complex()) else _dt.float64
    a = input.to(tgt) if isinstance(input, Tensor) else input
    b = exponent.to(tgt) if isinstance(exponent, Tensor) else float(exponent)
    return pow(a, b)


def neg(input, *, out=None):
    return _out(Neg.apply(input), out)


negative = neg


def maximum(input, other, *, out=None):
    _need_tensor("maximum", other, input)
    a, b = promote_operands(input, other)
    return _out(_binary(Maximum, a, b), out)


def minimum(input, other, *, out=None):
    _need_tensor("minimum", other, input)
    a, b = promote_operands(input, other)
    return _out(_binary(Minimum, a, b), out)


def fmax(input, other, *, out=None):
    _need_tensor("fmax", other, input)
    a, b = promote_operands(input, other)
    return _out(_binary(Fmax, a, b), out)


def fmin(input, other, *, out=None):
    _need_tensor("fmin", other, input)
    a, b = promote_operands(input, other)
    return _out(_binary(Fmin, a, b), out)


def atan2(input, other, *, out=None):
    _need_tensor("atan2", other, input)
    a, b = promote_operands(input, other)
    a = float_like(a) if isinstance(a, Tensor) else a
    b = float_like(b) if isinstance(b, Tensor) else b
    return _out(_binary(Atan2, a, b), out)


arctan2 = atan2


def hypot(input, other, *, out=None):
    _no_bool_kernel("hypot_cpu", input, other)
    return _out((input * input + other * other).sqrt(), out)


def lerp(input, end, weight, *, out=None):
    """out = input + weight * (end - input)"""
    return _out(input + weight * (end - input), out)


def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    """out = input + value * tensor1 * tensor2"""
    prod = tensor1 * tensor2
    return _out(input + (prod * value if value != 1 else prod), out)


def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    """out = input + value * tensor1 / tensor2"""
    if tensor1._data.dtype.kind in "biu" and tensor2._data.dtype.kind in "biu":
        raise RuntimeError("Integer division with addcdiv is no longer supported, and in a future release "
                           "addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv "
                           "behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2))."
                           "to(input.dtype) using Python 3 or (input + value * tensor1 / tensor2).to(input.dtype) "
                           "for integer inputs and using Python 2 for floating inputs.")
    q = tensor1 / tensor2
    return _out(input + (q * value if value != 1 else q), out)


def xlogy(input, other, *, out=None):
    """x * log(y), with 0 where x == 0 (unless y is NaN)."""
    from .shape import where
    x = input if isinstance(input, Tensor) else other * 0 + input
    y = other if isinstance(other, Tensor) else x * 0 + other
    x, y = float_like(x), float_like(y)
    res = x * y.log()
    return _out(where((x == 0) & ~y.isnan(), res * 0, res), out)


def copysign(input, other, *, out=None):
    from .unary import abs as _abs, signbit
    from .shape import where
    a = float_like(input)
    mag = _abs(a)
    neg_ = signbit(other) if isinstance(other, Tensor) else (other < 0 or (other == 0 and str(other)[0] == "-"))
    return _out(where(neg_, -mag, mag) if isinstance(neg_, Tensor) else (-mag if neg_ else mag), out)


def ldexp(input, other, *, out=None):
    return _out(float_like(input) * (2.0 ** other), out)


def _out(result, out):
    if out is None:
        return result
    from .inplace import copy_into_out
    return copy_into_out(out, result)
