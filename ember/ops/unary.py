"""Elementwise unary math with derivatives: exp, log, trig, activations' primitives, rounding, predicates."""
from __future__ import annotations

import math

import numpy as np

from ..autograd.function import Op
from ._util import Tensor, float_like, _wrap, xp_of as _xp

__all__ = ["exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "square", "sin", "cos", "tan",
           "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "sigmoid", "logit", "erf",
           "erfc", "erfinv", "floor", "ceil", "round", "trunc", "frac", "abs", "sign", "sgn", "reciprocal",
           "relu", "isnan", "isinf", "isfinite", "isposinf", "isneginf", "signbit", "nan_to_num", "conj",
           "real", "imag", "angle", "fix", "absolute", "arcsin", "arccos", "arctan", "arcsinh", "arccosh",
           "arctanh", "positive", "logical_not", "bitwise_not", "deg2rad", "rad2deg", "sinc", "i0",
           "lgamma", "digamma", "special_erf"]


class Exp(Op):
    save_output = True

    @staticmethod
    def forward(ctx, x):
        return _xp(x).exp(x)

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.saved_output.conj() if grad.is_complex() else grad * ctx.saved_output


class Exp2(Op):
    save_output = True

    @staticmethod
    def forward(ctx, x):
        return _xp(x).exp2(x)

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.saved_output * math.log(2.0)


class Expm1(Op):
    save_output = True

    @staticmethod
    def forward(ctx, x):
        return _xp(x).expm1(x)

    @staticmethod
    def backward(ctx, grad):
        return grad * (ctx.saved_output + 1)


class Log(Op):
    save_inputs = (0,)

    @staticmethod
    def forward(ctx, x):
        return _xp(x).log(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (x.conj() if x.is_complex() else x)


class Log2(Op):
    save_inputs = (0,)

    @staticmethod
    def forward(ctx, x):
        return _xp(x).log2(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (x * math.log(2.0))


class Log10(Op):
    save_inputs = (0,)

    @staticmethod
    def forward(ctx, x):
        return _xp(x).log10(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (x * math.log(10.0))


class Log1p(Op):
    _grad_name = "Log1PBackward0"
    save_inputs = (0,)

    @staticmethod
    def forward(ctx, x):
        return _xp(x).log1p(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (x + 1)


class Sqrt(Op):
    save_output = True

    @staticmethod
    def forward(ctx, x):
        return _xp(x).sqrt(x)

    @staticmethod
    def backward(ctx, grad):
        return grad / (2 * ctx.saved_output)


class Rsqrt(Op):
    save_output = True

    @staticmethod
    def forward(ctx, x):
        return 1 / _xp(x).sqrt(x)

    @staticmethod
    def backward(ctx, grad):
        out = ctx.saved_output
        return grad * -0.5 * out * out * out


class Square(Op):
    _grad_name = "PowBackward0"      # torch records x.square() and x ** 2 as pow
    save_inputs = (0,)

    @staticmethod
    def forward(ctx, x):
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (2 * x)


class Sin(Op):
    save_inputs = (0,)

    @staticmethod
    def forward(ctx, x):
        return _xp(x).sin(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x.cos()


class Cos(Op):
    save_inputs = (0,)

    @staticmethod
    def forward(ctx, x):
        return _xp(x).cos(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * -x.sin()


class Tan(Op):
    save_output = True

    @staticmethod
    def forward(ctx, x):
        return _xp(x).tan(x)

    @staticmethod
    def backward(ctx, grad):
        out = ctx.saved_output
        return grad * (1 + out * out)


class Asin(Op):
    save_inputs = (0,)

    @staticmethod
    def forward(ctx, x):
        return _xp(x).arcsin(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (1 - x * x).rsqrt()


class Acos(Op):
    save_inputs = (0,)

    @staticmethod
    def forward(ctx, x):
        return _xp(x).arccos(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return -grad * (1 - x * x).rsqrt()


class Atan(Op):
    save_inputs = (0,)

    @staticmethod
    def forward(ctx, x):
        return _xp(x).arctan(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (1 + x * x)


class Sinh(Op):
    save_inputs = (0,)

    @staticmethod
    def forward(ctx, x):
        return _xp(x).sinh(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x.cosh()


class Cosh(Op):
    save_inputs = (0,)

    @staticmethod
    def forward(ctx, x):
        return _xp(x).cosh(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x.sinh()


class Tanh(Op):
    save_output = True

    @staticmethod
    def forward(ctx, x):
        return _xp(x).tanh(x)

    @staticmethod
    def backward(ctx, grad):
        return TanhBackward.apply(grad, ctx.saved_output)


class TanhBackward(Op):
    """grad * (1 - y^2) in one pass (y = tanh(x)); differentiable itself for higher orders."""

    save_inputs = (0, 1)

    @staticmethod
    def forward(ctx, grad, y):
        return grad * (1 - y * y)

    @staticmethod
    def backward(ctx, gg):
        grad, y = ctx.saved_tensors
        return gg * (1 - y * y), -2 * gg * grad * y


class Asinh(Op):
    save_inputs = (0,)

    @staticmethod
    def forward(ctx, x):
        return _xp(x).arcsinh(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (x * x + 1).rsqrt()


class Acosh(Op):
    save_inputs = (0,)

    @staticmethod
    def forward(ctx, x):
        return _xp(x).arccosh(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (x * x - 1).rsqrt()


class Atanh(Op):
    save_inputs = (0,)

    @staticmethod
    def forward(ctx, x):
        return _xp(x).arctanh(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (1 - x * x)


class Sigmoid(Op):
    save_output = True

    @staticmethod
    def forward(ctx, x):
        xp = _xp(x)
        # split by sign so exp never overflows (a large negative x would give exp(-x) = inf)
        if x.dtype.kind == "f":
            out = xp.empty_like(x)
            pos = x >= 0
            ez = xp.exp(-xp.abs(x))
            xp.divide(1, 1 + ez, out=out, where=pos)
            xp.divide(ez, 1 + ez, out=out, where=~pos)
            return out
        return 1 / (1 + xp.exp(-x))

    @staticmethod
    def backward(ctx, grad):
        return SigmoidBackward.apply(grad, ctx.saved_output)


class SigmoidBackward(Op):
    """grad * y * (1 - y) in one pass (y = sigmoid(x)); differentiable itself for higher orders."""

    save_inputs = (0, 1)

    @staticmethod
    def forward(ctx, grad, y):
        return grad * y * (1 - y)

    @staticmethod
    def backward(ctx, gg):
        grad, y = ctx.saved_tensors
        return gg * y * (1 - y), gg * grad * (1 - 2 * y)


class Erf(Op):
    save_inputs = (0,)

    @staticmethod
    def forward(ctx, x):
        return _erf(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (2 / math.sqrt(math.pi)) * (-(x * x)).exp()


class Erfinv(Op):
    save_output = True

    @staticmethod
    def forward(ctx, x):
        return _erfinv(x)

    @staticmethod
    def backward(ctx, grad):
        out = ctx.saved_output
        return grad * (math.sqrt(math.pi) / 2) * (out * out).exp()


class Abs(Op):
    save_inputs = (0,)

    @staticmethod
    def forward(ctx, x):
        return _xp(x).abs(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        if x.is_complex():
            return grad * x / x.abs().where(x.abs() != 0, 1)
        return grad * x.sign()


class Relu(Op):
    save_output = True

    @staticmethod
    def forward(ctx, x):
        return x * (x > 0) if x.dtype.kind != "f" else _xp(x).maximum(x, 0, dtype=x.dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad * (ctx.saved_output > 0)


class Reciprocal(Op):
    save_output = True

    @staticmethod
    def forward(ctx, x):
        return 1 / x

    @staticmethod
    def backward(ctx, grad):
        out = ctx.saved_output
        return -grad * ((out * out).conj() if grad.is_complex() else out * out)   # torch's order: -g * r^2


class _ZeroGrad(Op):
    """Piecewise-constant functions: the gradient is zero almost everywhere (as torch defines it)."""

    @staticmethod
    def backward(ctx, grad):
        return grad * 0


class Floor(_ZeroGrad):
    @staticmethod
    def forward(ctx, x):
        return _xp(x).floor(x)


class Ceil(_ZeroGrad):
    @staticmethod
    def forward(ctx, x):
        return _xp(x).ceil(x)


class Trunc(_ZeroGrad):
    @staticmethod
    def forward(ctx, x):
        return _xp(x).trunc(x)


class Round(_ZeroGrad):
    @staticmethod
    def forward(ctx, x, decimals):
        return _xp(x).round(x, decimals) if decimals else _xp(x).rint(x)

    @staticmethod
    def backward(ctx, grad):
        return grad * 0, None


class Sign(_ZeroGrad):
    @staticmethod
    def forward(ctx, x):
        xp = _xp(x)
        out = xp.sign(x)
        if x.dtype.kind in "fV":  # torch: sign(nan) = 0
            out = xp.where(xp.isnan(x), xp.zeros((), x.dtype), out)
        return out


class Conj(Op):
    _grad_name = "ConjBackward0"

    @staticmethod
    def forward(ctx, x):
        return _xp(x).conj(x)

    @staticmethod
    def backward(ctx, grad):
        return grad.conj()


class Real(Op):
    @staticmethod
    def forward(ctx, x):
        return x.real if x.dtype.kind == "c" else x

    @staticmethod
    def backward(ctx, grad):
        return grad


class Imag(Op):
    @staticmethod
    def forward(ctx, x):
        return x.imag

    @staticmethod
    def backward(ctx, grad):
        return grad * 1j


# ----------------------------------------------------------------------------------------------------------
# erf / erfinv without SciPy (SciPy is not a dependency)
# ----------------------------------------------------------------------------------------------------------

def _erf(x):
    xp = _xp(x)
    if xp is not np:
        return xp.asarray(_erf(xp.asnumpy(x)))
    try:
        from scipy.special import erf as _sp_erf  # fast and exact when SciPy happens to be installed
        return _sp_erf(x).astype(x.dtype, copy=False)
    except ImportError:
        pass
    vec = np.frompyfunc(math.erf, 1, 1)
    return vec(x).astype(x.dtype) if x.ndim else np.asarray(math.erf(float(x)), dtype=x.dtype)


def _erfinv(y):
    xp = _xp(y)
    if xp is not np:
        return xp.asarray(_erfinv(xp.asnumpy(y)))
    yd = np.asarray(y, dtype=np.float64)
    # Giles' single-precision approximation, then two Newton steps on erf for full double precision
    w = -np.log(np.maximum((1.0 - yd) * (1.0 + yd), 1e-300))
    small = w < 5.0
    ws = w - 2.5
    p1 = 2.81022636e-08
    for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503, -0.00417768164,
              0.246640727, 1.50140941):
        p1 = c + p1 * ws
    wl = np.sqrt(w) - 3.0
    p2 = -0.000200214257
    for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047,
              1.00167406, 2.83297682):
        p2 = c + p2 * wl
    x = np.where(small, p1, p2) * yd
    erf_vec = np.frompyfunc(math.erf, 1, 1)
    for _ in range(2):
        err = np.asarray(erf_vec(x), dtype=np.float64) - yd
        x = x - err / (2 / math.sqrt(math.pi) * np.exp(-x * x))
    x = np.where(yd == 1, np.inf, np.where(yd == -1, -np.inf, x))
    x = np.where(np.abs(yd) > 1, np.nan, x)
    return np.asarray(x).astype(y.dtype)


# ----------------------------------------------------------------------------------------------------------
# public functions
# ----------------------------------------------------------------------------------------------------------

def _unary_float(cls):
    def fn(input, *, out=None):
        r = cls.apply(float_like(input))
        return r if out is None else _copy_out(out, r)
    return fn


def _copy_out(out, r):
    from .inplace import copy_into_out
    return copy_into_out(out, r)


exp = _unary_float(Exp)
exp2 = _unary_float(Exp2)
expm1 = _unary_float(Expm1)
log = _unary_float(Log)
log2 = _unary_float(Log2)
log10 = _unary_float(Log10)
log1p = _unary_float(Log1p)
sqrt = _unary_float(Sqrt)
rsqrt = _unary_float(Rsqrt)
sin = _unary_float(Sin)
cos = _unary_float(Cos)
tan = _unary_float(Tan)
asin = arcsin = _unary_float(Asin)
acos = arccos = _unary_float(Acos)
atan = arctan = _unary_float(Atan)
sinh = _unary_float(Sinh)
cosh = _unary_float(Cosh)
tanh = _unary_float(Tanh)
asinh = arcsinh = _unary_float(Asinh)
acosh = arccosh = _unary_float(Acosh)
atanh = arctanh = _unary_float(Atanh)
sigmoid = _unary_float(Sigmoid)
erf = special_erf = _unary_float(Erf)
erfinv = _unary_float(Erfinv)
reciprocal = _unary_float(Reciprocal)
for _f, _n in ((exp, "exp"), (exp2, "exp2"), (expm1, "expm1"), (log, "log"), (log2, "log2"), (log10, "log10"),
               (log1p, "log1p"), (sqrt, "sqrt"), (rsqrt, "rsqrt"), (sin, "sin"), (cos, "cos"), (tan, "tan"),
               (asin, "asin"), (acos, "acos"), (atan, "atan"), (sinh, "sinh"), (cosh, "cosh"), (tanh, "tanh"),
               (asinh, "asinh"), (acosh, "acosh"), (atanh, "atanh"), (sigmoid, "sigmoid"), (erf, "erf"),
               (erfinv, "erfinv"), (reciprocal, "reciprocal")):
    _f.__name__ = _f.__qualname__ = _n


def erfc(input, *, out=None):
    r = 1 - erf(input)
    return r if out is None else _copy_out(out, r)


def square(input, *, out=None):
    r = Square.apply(input) if input._data.dtype.kind != "b" else Square.apply(input.long())
    return r if out is None else _copy_out(out, r)


def logit(input, eps=None, *, out=None):
    x = float_like(input)
    if eps is not None:
        x = x.clamp(eps, 1 - eps)
    r = (x / (1 - x)).log()
    return r if out is None else _copy_out(out, r)


def _not_for(name, input, kinds="b"):
    """torch's NotImplementedError for a dtype its kernel lacks (``"abs_cpu" not implemented for 'Bool'``)."""
    if input._data.dtype.kind in kinds:
        from .inplace import _tname
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{_tname(input._data.dtype)}'")


def abs(input, *, out=None):
    _not_for("abs", input)
    r = Abs.apply(input)
    if input.is_complex():
        r = r.real if r.is_complex() else r
    return r if out is None else _copy_out(out, r)


absolute = abs


def sign(input, *, out=None):
    if input.is_complex():
        raise RuntimeError("Unlike NumPy, torch.sign is not intended to support complex numbers. Please use "
                           "torch.sgn instead.")
    r = Sign.apply(input) if input._data.dtype.kind != "b" else input.clone()
    return r if out is None else _copy_out(out, r)


def sgn(input, *, out=None):
    if not input.is_complex():
        return sign(input, out=out)
    a = input.abs()
    return input / a.where(a != 0, 1)


def relu(input):
    if input._data.dtype.kind == "b":
        raise RuntimeError('"clamp_min_scalar_cpu" not implemented for \'Bool\'')
    return Relu.apply(input)


def _int_passthrough(cls):
    def fn(input, *, out=None):
        _not_for(cls._op_name.lower() + "_vml", input)
        r = input.clone() if input._data.dtype.kind in "biu" else cls.apply(input)
        return r if out is None else _copy_out(out, r)
    return fn


floor = _int_passthrough(Floor)
ceil = _int_passthrough(Ceil)
trunc = fix = _int_passthrough(Trunc)
floor.__name__, ceil.__name__, trunc.__name__ = "floor", "ceil", "trunc"


def round(input, *, decimals=None, out=None):
    if decimals is not None:   # torch's round.decimals overload has no integer kernel
        _not_for("round" if decimals else "round_vml", input, "biu")
    decimals = decimals or 0
    if input._data.dtype.kind in "biu":
        r = input.clone()
    else:
        r = Round.apply(input, decimals)
    return r if out is None else _copy_out(out, r)


def frac(input, *, out=None):
    _not_for("frac", input, "biu")
    r = input - trunc(input)
    return r if out is None else _copy_out(out, r)


def positive(input):
    if input._data.dtype.kind == "b":
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


def conj(input):
    if not input.is_complex():
        return input
    return Conj.apply(input)


def conj_physical(input):
    return conj(input)


def resolve_conj(input):
    return input


def resolve_neg(input):
    return input


def real(input):
    if not input.is_complex():
        return input
    return Real.apply(input)


def imag(input):
    if not input.is_complex():
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return Imag.apply(input)


def angle(input):
    if input.is_complex():
        from .arith import atan2
        return atan2(imag(input), real(input))
    from .shape import where
    x = float_like(input)
    return where(x.isnan(), x, where(x < 0, math.pi, 0.0).to(x.dtype)).detach()


def deg2rad(input):
    return float_like(input) * (math.pi / 180.0)


def rad2deg(input):
    return float_like(input) * (180.0 / math.pi)


def sinc(input):
    from .shape import where
    x = float_like(input)
    px = x * math.pi
    safe = where(x == 0, x * 0 + 1, px)
    return where(x == 0, x * 0 + 1, safe.sin() / safe)


def _predicate(fn_np):
    def fn(input):
        d = input._data
        if d.dtype.kind == "V":
            d = d.astype(np.float32)
        return _wrap(fn_np(_xp(d), d))
    return fn


isnan = _predicate(lambda xp, d: xp.isnan(d))
isinf = _predicate(lambda xp, d: xp.isinf(d))
isfinite = _predicate(lambda xp, d: xp.isfinite(d))
isposinf = _predicate(lambda xp, d: xp.isposinf(d) if d.dtype.kind == "f" else xp.zeros(d.shape, bool))
isneginf = _predicate(lambda xp, d: xp.isneginf(d) if d.dtype.kind == "f" else xp.zeros(d.shape, bool))
signbit = _predicate(lambda xp, d: xp.signbit(d) if d.dtype.kind in "fiu" else xp.zeros(d.shape, bool))
for _f, _n in ((isnan, "isnan"), (isinf, "isinf"), (isfinite, "isfinite"), (isposinf, "isposinf"),
               (isneginf, "isneginf"), (signbit, "signbit")):
    _f.__name__ = _n


def logical_not(input, *, out=None):
    r = _wrap(_xp(input._data).logical_not(input._data))
    return r if out is None else _copy_out(out, r)


def bitwise_not(input, *, out=None):
    _not_for("bitwise_not", input, "fcV")
    r = _wrap(_xp(input._data).invert(input._data))
    return r if out is None else _copy_out(out, r)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    from .shape import where
    if input._data.dtype.kind not in "fcV":
        return input.clone()
    info = np.finfo(input._data.dtype) if input._data.dtype.kind != "V" else None
    big = float(info.max) if info is not None else 3.3895313892515355e+38
    posinf = big if posinf is None else posinf
    neginf = -big if neginf is None else neginf
    r = where(input.isnan(), nan, where(input.isposinf(), posinf, where(input.isneginf(), neginf, input)))
    return r if out is None else _copy_out(out, r)


def lgamma(input, *, out=None):
    from .gamma_fns import lgamma as _lgamma
    return _lgamma(input, out=out)


def digamma(input, *, out=None):
    from .gamma_fns import digamma as _digamma
    return _digamma(input, out=out)


def i0(input):
    x = float_like(input)
    return _wrap(np.i0(x._host()).astype(x._data.dtype))
