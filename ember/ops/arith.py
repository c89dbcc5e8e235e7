"""Elementwise binary arithmetic: add, sub, mul, div, pow and friends, with their derivatives."""
from __future__ import annotations

import math

import numpy as np

from .. import _dtype as _dt
from ..autograd.function import Op
from ..autograd.graph import present
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
    _grad_name = "PowBackward0"
    save_inputs = (0, 1)

    def name(self):
        """torch: PowBackward0 for tensor ** number, PowBackward1 for tensor ** tensor, PowBackward2 for
        number ** tensor."""
        a, b = self._kinds
        return "PowBackward1" if a and b else "PowBackward0" if a else "PowBackward2"

    def _shown(self):
        a, b = self._kinds
        return list(self._edges) if a and b else [self._edges[0 if a else 1]]

    @staticmethod
    def forward(ctx, a, b):
        ctx._kinds = (hasattr(a, "shape") and not isinstance(a, np.generic),
                      hasattr(b, "shape") and not isinstance(b, np.generic))
        out = a ** b if type(b) is not _nd or b.dtype.kind not in "iu" else _int_pow(a, b)
        return out

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
    """Python-style modulo (sign of the divisor): d/da = 1, d/db = -floor_divide(a, b)."""

    _grad_name = "RemainderBackward1"
    save_inputs = (0, 1)

    @staticmethod
    def forward(ctx, a, b):
        return _remainder_kernel(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        ga = unbroadcast(grad, _sh(a)) if isinstance(a, Tensor) else None
        gb = None
        if isinstance(b, Tensor):   # the quotient is piecewise constant: no gradient flows through it
            q = _wrap(_division_kernel(_data(a), b._data, "floor"))
            gb = unbroadcast(-grad * q, b.shape)
        return ga, gb


class _RemainderScalarTensor(Op):
    """``remainder(Scalar, Tensor)``: torch has no derivative; backward refuses."""

    _grad_name = "torch::autograd::NotImplemented"

    @staticmethod
    def forward(ctx, a, b):
        return _remainder_kernel(a, b)

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("derivative for aten::remainder is not implemented")


class Fmod(Op):
    """C-style modulo (sign of the dividend): d/da = 1, d/db = -div(a, b, rounding_mode='trunc')."""

    _grad_name = "FmodBackward1"
    save_inputs = (0, 1)

    @staticmethod
    def forward(ctx, a, b):
        return _fmod_kernel(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        ga = unbroadcast(grad, _sh(a)) if isinstance(a, Tensor) else None
        gb = None
        if isinstance(b, Tensor):
            q = _wrap(_division_kernel(_data(a), b._data, "trunc"))
            gb = unbroadcast(-grad * q, b.shape)
        return ga, gb


class _RemainderScalar(Remainder):
    _grad_name = "RemainderBackward0"     # torch's node for remainder(Tensor, Scalar)


class _FmodScalar(Fmod):
    _grad_name = "FmodBackward0"


class RoundedDiv(Op):
    """``div(a, b, rounding_mode='floor' | 'trunc')``: torch's derivative is zero for both inputs."""

    _grad_name = "DivBackward2"

    @staticmethod
    def forward(ctx, a, b, mode):
        ctx.shapes = (np.shape(a), np.shape(b))
        return _division_kernel(a, b, mode)

    @staticmethod
    def backward(ctx, grad):
        xp = _xp(grad._data, None)
        ea, eb = ctx._edges[0], ctx._edges[1]
        sa, sb = ctx.shapes
        return (_wrap(xp.zeros(sa, grad._data.dtype)) if ea is not None else None,
                _wrap(xp.zeros(sb, grad._data.dtype)) if eb is not None else None, None)


class FloorDivide(Op):
    """``floor_divide`` / ``//``: torch has no derivative; the output requires grad, backward refuses."""

    _grad_name = "torch::autograd::NotImplemented"
    _aten = "floor_divide"

    @staticmethod
    def forward(ctx, a, b):
        return _division_kernel(a, b, "floor")

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError(f"derivative for aten::{type(ctx)._aten} is not implemented")


class FloorDivideInplace(FloorDivide):
    _grad_name = "torch::autograd::NotImplemented"
    _aten = "floor_divide_"


class Hypot(Op):
    """sqrt(a^2 + b^2) without overflow in the squares: d/da = a / out, d/db = b / out."""

    save_inputs = (0, 1)
    save_output = True

    @staticmethod
    def forward(ctx, a, b):
        if a.dtype.kind == "V" or a.dtype == np.float16:   # computed in float32, rounded once
            return _xp(a, b).hypot(a.astype(np.float32), b.astype(np.float32)).astype(a.dtype)
        return _xp(a, b).hypot(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        out = ctx.saved_output
        ea, eb = ctx._edges
        return (unbroadcast(grad * a / out, a.shape) if ea is not None else None,
                unbroadcast(grad * b / out, b.shape) if eb is not None else None)


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


def _data(x):
    return x._data if isinstance(x, Tensor) else x


def _is_int_array(x):
    return hasattr(x, "dtype") and x.dtype.kind in "biu"


def _low_float(x):
    """float16 / bfloat16 arrays: torch computes these kernels in float32 and rounds the result once."""
    return hasattr(x, "dtype") and (x.dtype.kind == "V" or x.dtype == np.float16)


def _zero_division_check(xp, b):
    if xp.any(xp.asarray(b) == 0):
        raise RuntimeError("ZeroDivisionError")


def _division_kernel(a, b, mode):
    """torch's ``div(a, b, rounding_mode=mode)`` on arrays (or one Python scalar) of one common dtype.

    Integers divide exactly (a zero divisor raises).  Floats floor as torch does, through ``fmod``: the
    quotient of the exact remainder, not ``floor(a / b)`` (1.0 // 0.1 is 9.0, inf // 2 is nan)."""
    xp = _xp(a, b)
    ref = a if hasattr(a, "dtype") else b
    dt = ref.dtype
    if dt.kind in "biu":
        with np.errstate(all="ignore"):
            q = xp.floor_divide(a, b)
            if mode == "trunc":
                q = q + ((xp.remainder(a, b) != 0) & ((xp.asarray(a) < 0) != (xp.asarray(b) < 0)))
        _zero_division_check(xp, b)
        return xp.asarray(q).astype(dt, copy=False)
    if dt.kind == "V" or dt == np.float16:
        return _half_division(xp, a, b, mode, dt)
    with np.errstate(all="ignore"):
        if mode == "trunc":
            return xp.asarray(xp.trunc(xp.true_divide(a, b))).astype(dt, copy=False)
        # NumPy's float floor_divide is the same fmod-based algorithm (checked bit for bit against torch,
        # specials and signed zeros included, in tests/test_ops.py): one ufunc instead of a dozen
        return xp.asarray(xp.floor_divide(a, b)).astype(dt, copy=False)


def _floor_steps(xp, a, b, rnd):
    """Floor division of floats the way torch does it; ``rnd`` rounds each step to a 16-bit type (or None)."""
    rnd = rnd or (lambda x: x)
    mod = xp.fmod(a, b)                                  # exact
    div = rnd(rnd(a - mod) / b)
    div = xp.where((mod != 0) & ((xp.asarray(b) < 0) != (mod < 0)), rnd(div - 1), div)
    q = xp.floor(div)
    q = xp.where(rnd(div - q) > 0.5, rnd(q + 1), q)
    q = xp.where(div != 0, q, xp.copysign(xp.zeros_like(q), rnd(xp.true_divide(a, b))))
    return xp.where(xp.asarray(b) == 0, rnd(xp.true_divide(a, b)), q)


def _half_division(xp, a, b, mode, dt):
    """float16 / bfloat16, as torch's CPU kernels: with a Python scalar divisor everything is computed in
    float32 (the scalar unrounded) and rounded once; otherwise the quotient is rounded to the 16-bit type
    before trunc, and floor division rounds every step."""
    f32 = np.float32
    with np.errstate(all="ignore"):
        if not hasattr(b, "dtype"):
            a32, b32 = a.astype(f32), f32(b)
            q = xp.trunc(a32 / b32) if mode == "trunc" else xp.floor_divide(a32, b32)
            return q.astype(dt)
        a32 = a.astype(f32) if hasattr(a, "dtype") else f32(np.asarray(a, dtype=dt))
        b32 = b.astype(f32)

        def rnd(x):
            return xp.asarray(x).astype(dt).astype(f32)
        q = xp.trunc(rnd(a32 / b32)) if mode == "trunc" else _floor_steps(xp, a32, b32, rnd)
        return xp.asarray(q).astype(dt)


def _remainder_kernel(a, b):
    """torch's remainder: ``fmod`` moved to the divisor's sign (a zero result keeps the dividend's sign)."""
    xp = _xp(a, b)
    ref = a if hasattr(a, "dtype") else b
    dt = ref.dtype
    if dt.kind in "biu":
        with np.errstate(all="ignore"):
            r = xp.remainder(a, b)
        _zero_division_check(xp, b)
        return xp.asarray(r).astype(dt, copy=False)
    if dt.kind == "V" or dt == np.float16:    # in float32, a scalar rounded to the tensor's type first
        a, b = _to_f32(a, dt), _to_f32(b, dt)
    with np.errstate(all="ignore"):
        mod = xp.fmod(a, b)
        mod = xp.where((mod != 0) & ((xp.asarray(b) < 0) != (mod < 0)), mod + b, mod)
    return xp.asarray(mod).astype(dt, copy=False)


def _to_f32(x, dt):
    return x.astype(np.float32) if hasattr(x, "dtype") else np.float32(np.asarray(x, dtype=dt))


def _fmod_kernel(a, b):
    xp = _xp(a, b)
    ref = a if hasattr(a, "dtype") else b
    dt = ref.dtype
    if dt.kind == "V":
        a, b = _to_f32(a, dt), _to_f32(b, dt)
    with np.errstate(all="ignore"):
        r = xp.fmod(a, b)
    if dt.kind in "biu":
        _zero_division_check(xp, b)
    return xp.asarray(r).astype(dt, copy=False)


def _int_pow(a, b):
    """Integer powers with torch's rule for negative exponents: 1 and -1 keep their powers, others give 0."""
    xp = _xp(a, b)
    neg = xp.asarray(b) < 0
    if not neg.any():
        return xp.power(a, b)
    out = xp.power(a, xp.where(neg, 0, b))
    a_ = xp.asarray(a)
    odd = (xp.asarray(b) % 2) != 0
    special = xp.where(a_ == 1, 1, xp.where(a_ == -1, xp.where(odd, -1, 1), 0))
    return xp.where(neg, special, out).astype(out.dtype, copy=False)


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
    if rt.category == 0 and isinstance(alpha, int):     # a bool result: alpha as a bool (2 is True)
        return other if alpha else (other * False if isinstance(other, Tensor) else False)
    if isinstance(alpha, bool) or (isinstance(alpha, float) and rt.category < 2) or \
            (isinstance(alpha, complex) and rt.category < 3):
        if isinstance(alpha, bool):
            raise RuntimeError("Boolean alpha only supported for Boolean results.")
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating point number.")
    if not isinstance(other, Tensor):
        return other * alpha
    scaled = other * alpha                 # the scalar op: other is not saved for backward (as torch)
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
    check_sub(input, other)
    if alpha != 1 or isinstance(alpha, bool):
        other = _scaled(input, other, alpha, "sub")
    a, b = promote_operands(input, other)
    return _out(_binary(Sub, a, b), out)


def check_sub(input, other):
    """torch refuses subtraction with a bool operand (before any other check, in place too)."""
    if _is_bool(input) and _is_bool(other):
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` "
                           "or `logical_xor()` operator instead.")
    if _is_bool(input) or _is_bool(other):
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying "
                           "to invert a mask, use the `~` or `logical_not()` operator instead.")


def div_result_dtype(input, other, *, rounding_mode=None):
    """The dtype of ``div(input, other, rounding_mode=...)``: true division of integers gives the default float."""
    rt = result_dtype(input, other)
    return _dt.get_default_dtype() if rounding_mode is None and rt.category < 2 else rt


def _binary(cls, a, b):
    """``cls.apply(a, b)`` with torch's error for shapes that do not broadcast."""
    try:
        return cls.apply(a, b)
    except ValueError:
        _broadcast_error(a, b)
        raise


def _broadcast_error(a, b):
    """Raise torch's error when ``a`` and ``b`` do not broadcast (else return: the ValueError was another)."""
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
        if result_dtype(input, other).category < 2:
            # integer and bool operands divide in the default float dtype; a Python int stays a number (its
            # sign intact: uint8_tensor / -2 is negative)
            if isinstance(input, Tensor):
                input = float_like(input)
            if isinstance(other, Tensor):
                other = float_like(other)
        a, b = promote_operands(input, other)
        return _out(_binary(Div, a, b), out)
    if rounding_mode not in ("trunc", "floor"):
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                           f"'{rounding_mode}'")
    if _is_bool(input) and _is_bool(other):
        raise NotImplementedError(f"\"div_{rounding_mode}_cpu\" not implemented for 'Bool'")
    a, b = _promote_for_division(input, other)
    return _out(_binary3(RoundedDiv, a, b, rounding_mode), out)


def _promote_for_division(input, other):
    """``promote_operands``, except that a Python number dividing a float16 / bfloat16 tensor stays unrounded
    (torch's kernels take that scalar in float32)."""
    if type(other) in (int, float) and type(input) is Tensor and \
            (input._data.dtype.kind == "V" or input._data.dtype == np.float16):
        return input, other
    return promote_operands(input, other)


divide = div
true_divide = div


def _binary3(cls, a, b, extra):
    """``cls.apply(a, b, extra)`` with torch's error for shapes that do not broadcast."""
    try:
        return cls.apply(a, b, extra)
    except ValueError:
        _broadcast_error(a, b)
        raise


def floor_divide(input, other, *, out=None):
    """Floor of the quotient (torch has no derivative for it: backward through the result raises)."""
    return _out(_floor_divide(input, other, FloorDivide), out)


def _floor_divide(input, other, cls):
    if _is_bool(input) and _is_bool(other):
        raise NotImplementedError("\"div_floor_cpu\" not implemented for 'Bool'")
    a, b = _promote_for_division(input, other)
    return _binary(cls, a, b)


def floor_divide_inplace(self, other):
    """``self //= other`` / ``self.floor_divide_(other)`` (the node names the in-place op, as torch's)."""
    from .inplace import apply_inplace, check_binary_inplace, _plain
    if not _plain(self, other):
        check_binary_inplace(self, other)
    return apply_inplace(self, lambda t, o: _floor_divide(t, o, FloorDivideInplace), other)


_NUMBER_TYPES = (bool, int, float, complex)


def _invalid_arguments(name, overloads, *args):
    got = ", ".join("Tensor" if isinstance(x, Tensor) else type(x).__name__ for x in args)
    lines = "".join(f"\n * ({o})" for o in overloads)
    return TypeError(f"{name}() received an invalid combination of arguments - got ({got}), but expected one "
                     f"of:{lines}\n")


def remainder(input, other, *, out=None):
    _no_bool_kernel("remainder_cpu", input, other)
    a, b = promote_operands(input, other)
    cls = (Remainder if isinstance(b, Tensor) else _RemainderScalar) if isinstance(a, Tensor) else \
        _RemainderScalarTensor
    return _out(_binary(cls, a, b), out)


def fmod(input, other, *, out=None):
    if not isinstance(input, Tensor) or not isinstance(other, (Tensor,) + _NUMBER_TYPES + (np.generic,)):
        raise _invalid_arguments("fmod", ("Tensor input, Tensor other, *, Tensor out = None",
                                          "Tensor input, Number other, *, Tensor out = None"), input, other)
    _no_bool_kernel("fmod_cpu", input, other)
    a, b = promote_operands(input, other)
    return _out(_binary(Fmod if isinstance(b, Tensor) else _FmodScalar, a, b), out)


def pow(input, exponent, *, out=None):
    check_pow(input, exponent)
    if isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        kind = input._data.dtype.kind
        te = type(exponent)
        if te in (bool, int) and exponent in (0, 1) and (kind != "b" or te is bool) and kind in "biu":
            # torch copies for exponent 1 and fills ones for 0 (a bool tensor keeps bool with a bool exponent)
            return _out(input.clone() if exponent else _ones_like(input), out)
        if exponent == 1 and kind in "fVc" and te is not complex and not input.requires_grad:
            return _out(input.clone(), out)
        if exponent == 2 and kind in "fV" and te is not complex:
            from .unary import square
            return _out(square(input), out)
    _no_bool_kernel("pow", input, exponent)
    a, b = promote_operands(input, exponent)
    return _out(_binary(Pow, a, b), out)


def check_pow(input, exponent):
    """torch refuses an integer tensor to a negative Python int power (before any other check, in place too)."""
    if type(exponent) is int and exponent < 0 and isinstance(input, Tensor) and input._data.dtype.kind in "biu":
        raise RuntimeError("Integers to negative integer powers are not allowed.")


def _ones_like(t):
    xp = _xp(t._data, None)
    return _wrap(xp.ones(t._data.shape, t._data.dtype))


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
    if result_dtype(input, other).category < 2:   # each integer operand converts straight to the float type
        input, other = float_like(input), float_like(other)
    a, b = promote_operands(input, other)
    return _out(_binary(Atan2, a, b), out)


arctan2 = atan2


def hypot(input, other, *, out=None):
    _need_tensor("hypot", other, input)
    rt = result_dtype(input, other)
    if rt.category < 2:
        from .inplace import _tname
        raise NotImplementedError(f"\"hypot_cpu\" not implemented for '{_tname(rt.np)}'")
    a, b = promote_operands(input, other)
    return _out(_binary(Hypot, a, b), out)


def lerp(input, end, weight, *, out=None):
    """out = input + weight * (end - input)"""
    return _out(present(input + weight * (end - input), "LerpBackward0", input, end,
                        *((weight,) if isinstance(weight, Tensor) else ())), out)


def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    """out = input + value * tensor1 * tensor2"""
    prod = tensor1 * tensor2
    return _out(present(input + (prod * value if value != 1 else prod), "AddcmulBackward0", input, tensor1, tensor2),
                out)


def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    """out = input + value * tensor1 / tensor2"""
    if tensor1._data.dtype.kind in "biu" and tensor2._data.dtype.kind in "biu":
        raise RuntimeError("Integer division with addcdiv is no longer supported, and in a future release "
                           "addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv "
                           "behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2))."
                           "to(input.dtype) using Python 3 or (input + value * tensor1 / tensor2).to(input.dtype) "
                           "for integer inputs and using Python 2 for floating inputs.")
    q = tensor1 / tensor2
    return _out(present(input + (q * value if value != 1 else q), "AddcdivBackward0", input, tensor1, tensor2), out)


class Xlogy(Op):
    """x * log(y), 0 where x == 0 (unless y is NaN).  torch's derivatives: d/dx = log(y), except 0 where x == 0
    and y <= 0; d/dy = x / y."""

    _grad_name = "XlogyBackward0"
    save_inputs = (0, 1)

    def name(self):
        a, b = self._kinds
        return "XlogyBackward0" if a and b else "XlogyBackward2" if a else "XlogyBackward1"

    def _shown(self):
        a, b = self._kinds
        return list(self._edges) if a and b else [self._edges[0 if a else 1]]

    @staticmethod
    def forward(ctx, x, y):
        ctx._kinds = (hasattr(x, "shape"), hasattr(y, "shape"))
        xp = _xp(x, y)
        dt = x.dtype if hasattr(x, "dtype") else y.dtype      # a Python number does not widen the result
        with np.errstate(all="ignore"):
            res = x * xp.log(y)
            return xp.asarray(xp.where((xp.asarray(x) == 0) & ~xp.isnan(y), 0, res)).astype(dt, copy=False)

    @staticmethod
    def backward(ctx, grad):
        from .shape import where
        x, y = ctx.saved_tensors
        gx = gy = None
        if isinstance(x, Tensor) and ctx._edges[0] is not None:
            ylog = y.log() if isinstance(y, Tensor) else math.log(y) if y > 0 else (
                -math.inf if y == 0 else math.nan)
            mask = (x == 0) & (y <= 0)
            gx = unbroadcast(grad * where(mask, 0.0, ylog), x.shape)
        if isinstance(y, Tensor) and ctx._edges[1] is not None:
            gy = unbroadcast(grad * x / y, y.shape)
        return gx, gy


def xlogy(input, other, *, out=None):
    """x * log(y), with 0 where x == 0 (unless y is NaN)."""
    if isinstance(input, Tensor):
        input = float_like(input)
    if isinstance(other, Tensor):
        other = float_like(other)
    a, b = promote_operands(input, other)
    return _out(_binary(Xlogy, a, b), out)


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
