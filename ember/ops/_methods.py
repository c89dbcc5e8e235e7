"""Binds ember's op functions to ``Tensor`` as methods and dunders, and defines the in-place variants.

In-place methods without autograd involvement write straight into the array with NumPy's ``out=`` (the
optimizer's path); otherwise they go through ``inplace.apply_inplace`` so the graph records them.
"""
from __future__ import annotations

import numpy as np

from .. import _dtype as _dt
from ..autograd import grad_mode
from ..autograd.function import Op
from ..random import _gen
from ..tensor import Tensor, _wrap
from . import _scalar, arith, compare, index, products as matmul, reduce, shape, unary
from ._util import promote_operands
from .inplace import apply_inplace, binary_inplace, check_inplace, checked_inplace, make_inplace

_grad_state = grad_mode._state

# ---- methods that are the op functions themselves (self is the first argument) ----------------------------
_SAME = {
    arith: ["add", "sub", "mul", "div", "true_divide", "floor_divide", "remainder", "fmod", "pow", "neg", "rsub",
            "maximum", "minimum", "fmax", "fmin", "atan2", "arctan2", "hypot", "lerp", "addcmul", "addcdiv",
            "subtract", "multiply", "divide", "negative", "float_power", "xlogy", "copysign", "ldexp"],
    unary: ["exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "square", "sin", "cos",
            "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "sigmoid", "logit",
            "erf", "erfc", "erfinv", "floor", "ceil", "round", "trunc", "frac", "abs", "sign", "sgn", "reciprocal",
            "relu", "isnan", "isinf", "isfinite", "isposinf", "isneginf", "signbit", "nan_to_num", "conj",
            "angle", "fix", "absolute", "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh", "positive",
            "logical_not", "bitwise_not", "deg2rad", "rad2deg", "sinc", "i0", "lgamma", "digamma",
            "conj_physical", "resolve_conj", "resolve_neg"],
    compare: ["eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal", "not_equal",
              "logical_and", "logical_or", "logical_xor", "bitwise_and", "bitwise_or", "bitwise_xor",
              "bitwise_left_shift", "bitwise_right_shift", "clamp", "clip", "clamp_min", "clamp_max"],
    reduce: ["sum", "mean", "nansum", "nanmean", "prod", "max", "min", "amax", "amin", "argmax", "argmin", "var",
             "std", "logsumexp", "norm", "all", "any", "count_nonzero", "cumsum", "cumprod", "cummax", "cummin",
             "median", "nanmedian", "mode", "sort", "argsort", "topk", "kthvalue", "unique", "unique_consecutive",
             "softmax", "log_softmax", "sum_to_size", "aminmax", "logcumsumexp", "quantile", "msort", "diff",
             "cross", "histc", "bincount", "allclose", "isclose", "equal", "dist", "renorm"],
    shape: ["view", "reshape", "flatten", "unflatten", "squeeze", "unsqueeze", "permute", "transpose", "swapaxes",
            "swapdims", "movedim", "moveaxis", "t", "expand", "expand_as", "broadcast_to", "repeat",
            "repeat_interleave", "tile", "split", "chunk", "tensor_split", "unbind", "narrow", "select", "flip",
            "fliplr", "flipud", "roll", "rot90", "where", "tril", "triu", "diagonal", "diag", "diag_embed",
            "trace", "contiguous", "clone", "view_as", "reshape_as", "ravel", "unfold", "as_strided"],
    index: ["gather", "scatter", "scatter_add", "scatter_reduce", "index_select", "index_add", "index_copy",
            "index_fill", "masked_fill", "masked_select", "masked_scatter", "take", "take_along_dim", "nonzero",
            "argwhere", "index_put"],
    matmul: ["matmul", "mm", "bmm", "mv", "dot", "vdot", "inner", "outer", "ger", "addmm", "addmv", "addbmm",
             "baddbmm", "addr", "kron"],
}
for _mod, _names in _SAME.items():
    for _n in _names:
        setattr(Tensor, _n, getattr(_mod, _n))

Tensor.clamp_min = compare.clamp_min
Tensor.absolute = unary.abs
Tensor.real = property(unary.real)
Tensor.imag = property(unary.imag)
_TRIGGER = " (Triggered internally at /pytorch/aten/src/ATen/native/TensorShape.cpp:{}.)"


def _warn(msg):
    import warnings
    warnings.warn(msg, UserWarning, stacklevel=3)


def _T(self):
    nd = self._data.ndim
    if nd == 0:
        _warn("Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases."
              + _TRIGGER.format(4321))
    elif nd != 2:
        _warn("The use of `x.T` on tensors of dimension other than 2 to reverse their shape is deprecated and it "
              "will throw an error in a future release. Consider `x.mT` to transpose batches of matrices or "
              "`x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the dimensions of a tensor."
              + _TRIGGER.format(4314))
    return shape.permute(self, tuple(range(nd - 1, -1, -1))) if nd > 1 else self


def _matrix_attr(name, fn, zero_d):
    def get(self):
        nd = self._data.ndim
        if nd == 1 or (nd > 2 and name == "H"):
            what = "matrices (2-D tensors)" if name == "H" else "matrices or batches of matrices"
            raise RuntimeError(f"tensor.{name} is only supported on {what}. Got {nd}-D tensor.")
        if nd == 0:
            _warn(f"Tensor.{name} is deprecated on 0-D tensors. {zero_d}")
            return self if name == "mT" else self.conj()
        return fn(self)
    return property(get)


Tensor.T = property(_T)
Tensor.mT = _matrix_attr("mT", lambda self: shape.transpose(self, -2, -1),
                         "This function is the identity in these cases." + _TRIGGER.format(4373))
Tensor.H = _matrix_attr("H", lambda self: shape.transpose(self, 0, 1).conj(),
                        "Consider using x.conj()." + _TRIGGER.format(4335))
Tensor.mH = _matrix_attr("mH", lambda self: shape.transpose(self, -2, -1).conj(),
                         "Consider using x.conj()." + _TRIGGER.format(4382))


def _size_tuple(args):
    return args[0] if len(args) == 1 and isinstance(args[0], (tuple, list)) else args


def _new(self, arr):
    t = _wrap(arr)
    return t if type(self._data) is np.ndarray else t.to(self.device)


def _new_dtype(self, dtype):
    return (_dt.as_dtype(dtype) if dtype is not None else self.dtype).np


Tensor.new_zeros = lambda self, *size, dtype=None, device=None, requires_grad=False, **kw: \
    _req(_new(self, np.zeros(tuple(_size_tuple(size)), _new_dtype(self, dtype))), requires_grad)
Tensor.new_ones = lambda self, *size, dtype=None, device=None, requires_grad=False, **kw: \
    _req(_new(self, np.ones(tuple(_size_tuple(size)), _new_dtype(self, dtype))), requires_grad)
Tensor.new_empty = lambda self, *size, dtype=None, device=None, requires_grad=False, **kw: \
    _req(_new(self, np.empty(tuple(_size_tuple(size)), _new_dtype(self, dtype))), requires_grad)
Tensor.new_full = lambda self, size, fill_value, *, dtype=None, device=None, requires_grad=False, **kw: \
    _req(_new(self, np.full(tuple(size), fill_value, _new_dtype(self, dtype))), requires_grad)


def _new_tensor(self, data, *, dtype=None, device=None, requires_grad=False):
    from .._creation import tensor
    t = tensor(data._host().copy() if isinstance(data, Tensor) else data,
               dtype=dtype if dtype is not None else self.dtype, device=device or self.device)
    return _req(t, requires_grad)


Tensor.new_tensor = _new_tensor


def _req(t, flag):
    if flag:
        t.requires_grad_(True)
    return t


# ---- dunders -----------------------------------------------------------------------------------------------

def _rev(fn):
    return lambda self, other: fn(other, self)


# tensor (op) Python number: ops._scalar's fast path and torch's graph for it; the rest goes on to ops.arith
Tensor.__add__ = _scalar.add
Tensor.__radd__ = _scalar.add
Tensor.__sub__ = _scalar.sub
Tensor.__rsub__ = _scalar.rsub
Tensor.__mul__ = _scalar.mul
Tensor.__rmul__ = _scalar.mul
Tensor.__truediv__ = _scalar.div
Tensor.__rtruediv__ = _scalar.rdiv
Tensor.__floordiv__ = lambda self, other: arith.floor_divide(self, other)
Tensor.__rfloordiv__ = lambda self, other: arith.floor_divide(other, self)
Tensor.__mod__ = lambda self, other: arith.remainder(self, other)
Tensor.__rmod__ = lambda self, other: arith.remainder(other, self)
Tensor.__pow__ = lambda self, other: arith.pow(self, other)
Tensor.__rpow__ = lambda self, other: arith.pow(other, self)
Tensor.__matmul__ = lambda self, other: matmul.matmul(self, other)
Tensor.__rmatmul__ = lambda self, other: matmul.matmul(other, self)
Tensor.__neg__ = arith.neg
Tensor.__pos__ = unary.positive
Tensor.__abs__ = unary.abs
Tensor.__invert__ = lambda self: unary.logical_not(self) if self._data.dtype == np.bool_ else \
    unary.bitwise_not(self)
Tensor.__eq__ = lambda self, other: compare.eq(self, other) if _comparable(other) else NotImplemented
Tensor.__ne__ = lambda self, other: compare.ne(self, other) if _comparable(other) else NotImplemented
Tensor.__lt__ = lambda self, other: compare.lt(self, other)
Tensor.__le__ = lambda self, other: compare.le(self, other)
Tensor.__gt__ = lambda self, other: compare.gt(self, other)
Tensor.__ge__ = lambda self, other: compare.ge(self, other)
Tensor.__and__ = lambda self, other: compare.bitwise_and(self, other)
Tensor.__rand__ = Tensor.__and__
Tensor.__or__ = lambda self, other: compare.bitwise_or(self, other)
Tensor.__ror__ = Tensor.__or__
Tensor.__xor__ = lambda self, other: compare.bitwise_xor(self, other)
Tensor.__rxor__ = Tensor.__xor__
Tensor.__lshift__ = lambda self, other: compare.bitwise_left_shift(self, other)
Tensor.__rshift__ = lambda self, other: compare.bitwise_right_shift(self, other)
Tensor.__rlshift__ = lambda self, other: compare.bitwise_left_shift(other, self)
Tensor.__rrshift__ = lambda self, other: compare.bitwise_right_shift(other, self)
Tensor.__getitem__ = index.getitem
Tensor.__setitem__ = index.setitem
Tensor.__hash__ = lambda self: id(self)


def _comparable(other):
    return isinstance(other, (Tensor, int, float, bool, complex, np.generic, np.ndarray))


# ---- in-place arithmetic: direct NumPy writes when autograd is not involved -------------------------------

def _fast_ok(self, other):
    return not (_grad_state[0] and (self.requires_grad or (isinstance(other, Tensor) and other.requires_grad)))


def _operand(other):
    return other._data if isinstance(other, Tensor) else other


def _inplace_binary(ufunc, slow):
    def method(self, other, **kwargs):
        alpha = kwargs.pop("alpha", 1)
        if _fast_ok(self, other) and not kwargs and type(self._data) is np.ndarray:
            check_inplace(self)
            o = _operand(other)
            if alpha != 1:
                o = o * alpha
            d = self._data
            od = np.asarray(o)
            if od.shape != d.shape and od.ndim:       # torch checks the broadcast shape before the dtype
                try:
                    bs = np.broadcast_shapes(d.shape, od.shape)
                except ValueError:
                    bs = None
                if bs != d.shape:
                    if bs is None:
                        _broadcast_error(d.shape, od.shape)
                    raise RuntimeError(f"output with shape {list(d.shape)} doesn't match the broadcast shape "
                                       f"{list(bs)}")
            if isinstance(other, Tensor) and _CAT[od.dtype.kind] > _CAT[d.dtype.kind]:
                raise RuntimeError(f"result type {_tn(od.dtype)} can't be cast to the desired output type "
                                   f"{_tn(d.dtype)}")
            if not isinstance(other, Tensor) and isinstance(other, (bool, int, float, complex)):
                cat = _dt.scalar_category(other)
                if cat > (0 if d.dtype.kind == "b" else 1 if d.dtype.kind in "iu" else 2 if d.dtype.kind in "fV"
                          else 3):
                    raise RuntimeError(f"result type {('Bool', 'Long', 'Float', 'ComplexFloat')[cat]} can't be "
                                       f"cast to the desired output type {_tn(d.dtype)}")
                if cat == 1:   # torch wraps an int into an integer tensor's range (uint8 += -2 subtracts 2)
                    o = _dt.wrap_int(o, d.dtype) if d.dtype.kind in "iu" else _dt.parse_int(o)
            try:
                ufunc(d, o, out=d, casting="unsafe")
            except ValueError:
                raise RuntimeError(f"output with shape {list(d.shape)} doesn't match the broadcast shape "
                                   f"{list(np.broadcast_shapes(d.shape, np.shape(o)))}") from None
            self._bump_version()
            return self
        if alpha != 1:
            kwargs["alpha"] = alpha
        return apply_inplace(self, lambda t, o: slow(t, o, **kwargs), other)
    return method


_CAT = {"b": 0, "u": 1, "i": 1, "f": 2, "V": 2, "c": 3}


def _broadcast_error(sa, sb):
    """torch's message for shapes that do not broadcast (the first mismatching dimension from the right)."""
    n = max(len(sa), len(sb))
    pa, pb = (1,) * (n - len(sa)) + tuple(sa), (1,) * (n - len(sb)) + tuple(sb)
    i = max(k for k in range(n) if pa[k] != pb[k] and 1 not in (pa[k], pb[k]))
    raise RuntimeError(f"The size of tensor a ({pa[i]}) must match the size of tensor b ({pb[i]}) at "
                       f"non-singleton dimension {i}")


def _tn(np_dtype):
    from .inplace import _tname
    return _tname(np.dtype(np_dtype))


def _div_(self, other, *, rounding_mode=None):
    if rounding_mode is None and self._data.dtype.kind in "biu":
        raise RuntimeError(f"result type Float can't be cast to the desired output type {_tn(self._data.dtype)}")
    if rounding_mode is None and _fast_ok(self, other) and type(self._data) is np.ndarray:
        check_inplace(self)
        try:
            np.divide(self._data, _operand(other), out=self._data, casting="unsafe")
        except ValueError:
            raise RuntimeError(f"output with shape {list(self._data.shape)} doesn't match the broadcast shape "
                               f"{list(np.broadcast_shapes(self._data.shape, np.shape(_operand(other))))}") from None
        self._bump_version()
        return self
    return apply_inplace(self, lambda t, o: arith.div(t, o, rounding_mode=rounding_mode), other)


Tensor.add_ = _inplace_binary(np.add, arith.add)
Tensor.sub_ = checked_inplace(_inplace_binary(np.subtract, arith.sub), precheck=arith.check_sub)
Tensor.subtract_ = Tensor.sub_
Tensor.mul_ = _inplace_binary(np.multiply, arith.mul)
Tensor.multiply_ = Tensor.mul_
Tensor.div_ = Tensor.divide_ = Tensor.true_divide_ = checked_inplace(_div_, result=arith.div_result_dtype)
Tensor.__iadd__ = lambda self, other: Tensor.add_(self, other)
Tensor.__isub__ = lambda self, other: Tensor.sub_(self, other)
Tensor.__imul__ = lambda self, other: Tensor.mul_(self, other)
Tensor.__itruediv__ = lambda self, other: Tensor.div_(self, other)
Tensor.__ifloordiv__ = arith.floor_divide_inplace
Tensor.__imod__ = binary_inplace(arith.remainder)
Tensor.__ipow__ = binary_inplace(arith.pow, precheck=arith.check_pow)
Tensor.__iand__ = binary_inplace(compare.bitwise_and)
Tensor.__ior__ = binary_inplace(compare.bitwise_or)
Tensor.__ixor__ = binary_inplace(compare.bitwise_xor)
Tensor.__ilshift__ = binary_inplace(compare.bitwise_left_shift)
Tensor.__irshift__ = binary_inplace(compare.bitwise_right_shift)
Tensor.__imatmul__ = lambda self, other: apply_inplace(self, matmul.matmul, other)


def _addcmul_(self, tensor1, tensor2, *, value=1):
    if _fast_ok(self, tensor1) and _fast_ok(self, tensor2) and type(self._data) is np.ndarray:
        check_inplace(self)
        prod = np.multiply(tensor1._data, tensor2._data)
        if value != 1:
            prod *= value
        np.add(self._data, prod, out=self._data, casting="unsafe")
        self._bump_version()
        return self
    return apply_inplace(self, lambda t: arith.addcmul(t, tensor1, tensor2, value=value))


def _addcdiv_(self, tensor1, tensor2, *, value=1):
    if _fast_ok(self, tensor1) and _fast_ok(self, tensor2) and type(self._data) is np.ndarray:
        check_inplace(self)
        q = np.divide(tensor1._data, tensor2._data)
        if value != 1:
            q *= value
        np.add(self._data, q, out=self._data, casting="unsafe")
        self._bump_version()
        return self
    return apply_inplace(self, lambda t: arith.addcdiv(t, tensor1, tensor2, value=value))


def _lerp_(self, end, weight):
    if _fast_ok(self, end) and _fast_ok(self, weight) and type(self._data) is np.ndarray:
        check_inplace(self)
        d = self._data
        d += (_operand(end) - d) * _operand(weight)
        self._bump_version()
        return self
    return apply_inplace(self, lambda t: arith.lerp(t, end, weight))


Tensor.addcmul_ = _addcmul_
Tensor.addcdiv_ = _addcdiv_
Tensor.lerp_ = _lerp_

# every other in-place variant goes through the recorded path
for _name in ["pow", "remainder", "fmod", "neg", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt",
              "rsqrt", "square", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh",
              "acosh", "atanh", "sigmoid", "logit", "erf", "erfc", "erfinv", "floor", "ceil", "round", "trunc",
              "frac", "abs", "sign", "sgn", "reciprocal", "relu", "nan_to_num", "clamp", "clip", "clamp_min",
              "clamp_max", "maximum", "minimum", "fmax", "fmin", "atan2", "hypot", "floor_divide", "tril", "triu",
              "masked_fill", "masked_scatter", "index_fill", "index_add", "index_copy", "scatter", "scatter_add",
              "scatter_reduce", "index_put", "logical_not", "logical_and", "logical_or", "logical_xor",
              "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "eq", "ne", "lt", "le", "gt", "ge",
              "copysign", "xlogy", "float_power", "deg2rad", "rad2deg", "absolute", "negative", "fix", "arcsin",
              "arccos", "arctan", "arcsinh", "arccosh", "arctanh", "ldexp", "sinc", "renorm", "arctan2",
              "logical_not", "lgamma", "digamma", "i0"]:
    setattr(Tensor, _name + "_", make_inplace(getattr(Tensor, _name)))


Tensor.floor_divide_ = arith.floor_divide_inplace
Tensor.remainder_, Tensor.fmod_, Tensor.pow_ = Tensor.__imod__, binary_inplace(arith.fmod), Tensor.__ipow__


def _comparison_inplace(fn):
    def method(self, other):
        from .inplace import _write
        res = fn(self, other)
        check_inplace(self)
        _write(self, res._data.astype(self._data.dtype))
        self._bump_version()
        return self
    return method


for _name in ["eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_xor"]:
    setattr(Tensor, _name + "_", _comparison_inplace(getattr(Tensor, _name)))


# ---- copy_, fill_, zero_ -------------------------------------------------------------------------------------

def copy_(self, src, non_blocking=False):
    if not isinstance(src, Tensor):
        raise TypeError(f"copy_(): argument 'other' (position 1) must be Tensor, not {type(src).__name__}")
    if _fast_ok(self, src):
        check_inplace(self)
        s = src._data
        if type(s) is not type(self._data):
            s = src.to(self.device)._data
        try:
            np.copyto(self._data, s, casting="unsafe") if type(self._data) is np.ndarray else \
                self._data.__setitem__(Ellipsis, s.astype(self._data.dtype))
        except ValueError:
            raise RuntimeError(f"The size of tensor a ({self._data.shape[-1] if self._data.ndim else 1}) must match "
                               f"the size of tensor b ({s.shape[-1] if s.ndim else 1}) at non-singleton dimension "
                               f"{max(self._data.ndim - 1, 0)}") from None
        self._bump_version()
        return self
    return apply_inplace(self, lambda t, s: _CopyFrom.apply(t, s.to(t.dtype) if s.dtype is not t.dtype else s),
                         src)


class _CopyFrom(Op):
    """out = src broadcast to dst's shape: d/d dst = 0, d/d src = grad summed to src's shape."""

    _grad_name = "CopyBackwards"

    @staticmethod
    def forward(ctx, dst, src):
        ctx.src_shape = src.shape
        out = dst.copy()
        out[...] = src
        return out

    @staticmethod
    def backward(ctx, grad):
        from ._util import unbroadcast
        return grad * 0, unbroadcast(grad, ctx.src_shape)


def _fill_scalar(value, d):
    """torch's checked conversion of ``fill_``'s number to dtype ``d``: out of range raises, floats truncate."""
    if isinstance(value, np.generic):
        value = value.item()
    tv = type(value)
    if tv is bool or d is _dt.bool:
        return value
    overflow = None
    if d.category == 1:
        if tv is int:
            return _dt.checked_int(value, d)
        if tv is float:
            info = np.iinfo(d.np)
            if value != value or not int(info.min) <= value <= int(info.max):    # NaN, inf, out of range
                overflow = _dt._C_NAMES.get(d.name, d.name)
    elif tv in (int, float) and d in (_dt.float16, _dt.float32):
        limit = float(np.finfo(d.np).max)
        if tv is int and abs(value) > limit or tv is float and limit < abs(value) != float("inf"):
            overflow = "c10::Half" if d is _dt.float16 else "float"
    if overflow is not None:
        raise RuntimeError(f"value cannot be converted to type {overflow} without overflow")
    return value


def fill_(self, value):
    if not isinstance(value, Tensor) and type(self._data) is np.ndarray and self._data.dtype.kind != "f":
        value = _fill_scalar(value, self.dtype)
    elif isinstance(value, (int, float)) and self._data.dtype.kind == "f" and self._data.dtype.itemsize < 8:
        value = _fill_scalar(value, self.dtype)
    if isinstance(value, Tensor):
        if value._data.ndim != 0:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                               f"{value._data.ndim} dimensions.")
        if _fast_ok(self, value):
            value = value.item()
    if not isinstance(value, Tensor):
        check_inplace(self)
        if _grad_state[0] and self.requires_grad:
            return apply_inplace(self, lambda t: t * 0 + value)
        self._data[...] = value
        self._bump_version()
        return self
    return apply_inplace(self, lambda t, v: t * 0 + v, value)


def zero_(self):
    return fill_(self, 0)


Tensor.copy_ = copy_
Tensor.fill_ = fill_
Tensor.zero_ = zero_


def _set_(self, source):
    self._data = source._data
    self._bump_version()
    return self


Tensor.set_ = _set_

# ---- in-place random ---------------------------------------------------------------------------------------


# torch's names for a dtype in the samplers' errors: its ScalarType, and (cauchy_) the C++ element type
_SCALAR_NAMES = {"float64": "Double", "float32": "Float", "float16": "Half", "bfloat16": "BFloat16",
                 "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
                 "uint16": "UInt16", "uint32": "UInt32", "uint64": "UInt64", "complex64": "ComplexFloat",
                 "complex128": "ComplexDouble"}
_C_NAMES = {"int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
            "uint8": "unsigned char", "bool": "bool", "uint16": "short unsigned int", "uint32": "unsigned int",
            "uint64": "long unsigned int", "complex64": "c10::complex<float>", "complex128": "c10::complex<double>"}


def _num(v):
    return f"{float(v):g}"


def _kernel_dtypes(kernel, kinds):
    """A check that ``self``'s dtype kind is in ``kinds`` ('f' float, 'c' complex, 'i' int, 'u' uint8, ...)."""
    def check(self):
        d = self.dtype
        kind = "f" if d.is_floating_point else "c" if d.is_complex else "b" if d.name == "bool" else \
            "u" if d.name == "uint8" else "U" if d.name.startswith("uint") else "i"
        if kind not in kinds:
            raise NotImplementedError(f"\"{kernel}\" not implemented for '{_SCALAR_NAMES.get(d.name, d.name)}'")
    return check


def _continuous(distribution, names):
    def check(self):
        d = self.dtype
        if not d.is_floating_point:
            raise RuntimeError(f"{distribution} distribution is a continuous probability distribution. dtype must be "
                               f"a floating point but you specified {names.get(d.name, d.name)}")
    return check


def _random_fill(sampler, check_dtype, dtype_first=False):
    def method(self, *args, generator=None, **kwargs):
        check_inplace(self) if _grad_state[0] else None
        if dtype_first:
            check_dtype(self)
        sampler.check(*args, **kwargs)
        check_dtype(self)
        g = _gen(generator)
        draw = sampler.complex if self._data.dtype.kind == "c" else sampler
        arr = draw(g, self._data.shape, *args, **kwargs)
        self._data[...] = np.asarray(arr).astype(self._data.dtype) if type(self._data) is np.ndarray else \
            self.new_tensor(arr)._data
        self._bump_version()
        return self
    return method


def _checked(check):
    def wrap(sampler):
        sampler.check = check
        return sampler
    return wrap


def _uniform_bounds(a=0.0, b=1.0):
    if a > b:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={_num(a)} > to={_num(b)}")


@_checked(_uniform_bounds)
def _uniform(g, shape, a=0.0, b=1.0):
    return g.uniform(a, b, shape)


def _complex_parts(g, shape, sampler, *args):
    parts = sampler(g, shape + (2,), *args)                 # (*shape, 2): real and imaginary parts
    return parts[..., 0] + 1j * parts[..., 1]


_uniform.complex = lambda g, shape, a=0.0, b=1.0: _complex_parts(g, shape, _uniform, a, b)


def _normal_check(mean=0.0, std=1.0):
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_num(std)}")


@_checked(_normal_check)
def _normal(g, shape, mean=0.0, std=1.0):
    return mean + std * g.standard_normal(shape)


# torch's complex normal: variance std^2 / 2 in each part, the mean added to both parts
_normal.complex = lambda g, shape, mean=0.0, std=1.0: _complex_parts(g, shape, _normal, mean, std / np.sqrt(2.0))


@_checked(lambda p=0.5: None)
def _bernoulli(g, shape, p=0.5):
    pv = p._host() if isinstance(p, Tensor) else p
    return g.random(shape) < pv


def _random(g, shape, from_=0, to=None):
    if to is None:
        from_, to = 0, from_ if from_ else 2 ** 24
    return g.integers(from_, to, shape)


def _exponential_check(lambd=1.0):
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={_num(lambd)}")


@_checked(_exponential_check)
def _exponential(g, shape, lambd=1.0):
    return g.exponential(1.0 / lambd, shape)


def _geometric_check(p):
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={_num(p)}")


@_checked(_geometric_check)
def _geometric(g, shape, p):
    return g.geometric(p, shape)


def _log_normal_check(mean=1.0, std=2.0):
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={_num(std)}")


@_checked(_log_normal_check)
def _log_normal(g, shape, mean=1.0, std=2.0):
    return g.lognormal(mean, std, shape)


def _cauchy_check(median=0.0, sigma=1.0):
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={_num(sigma)}")


@_checked(_cauchy_check)
def _cauchy(g, shape, median=0.0, sigma=1.0):
    return median + sigma * g.standard_cauchy(shape)


Tensor.uniform_ = _random_fill(_uniform, _kernel_dtypes("check_uniform_bounds", "fc"), dtype_first=True)
Tensor.normal_ = _random_fill(_normal, _kernel_dtypes("normal_kernel_cpu", "fc"))
Tensor.bernoulli_ = _random_fill(_bernoulli, _kernel_dtypes("bernoulli_scalar_cpu_", "fiub"))
Tensor.exponential_ = _random_fill(_exponential, _continuous("Exponential", _SCALAR_NAMES))
Tensor.geometric_ = _random_fill(_geometric, _kernel_dtypes("geometric_cpu", "fiu"))
Tensor.log_normal_ = _random_fill(_log_normal, _kernel_dtypes("log_normal_cpu", "f"))
Tensor.cauchy_ = _random_fill(_cauchy, _continuous("Cauchy", _C_NAMES))


def _random_method(self, from_=0, to=None, *, generator=None):
    if self.dtype.is_complex:
        if to is None and from_ == 0:
            _kernel_dtypes("random_kernel_cpu", "fiubU")(self)
        raise RuntimeError("check_random_bounds handles only integral, floating-point and boolean types")
    if to is None and from_ == 0 and not isinstance(from_, bool):
        kind = self._data.dtype.kind
        to = 2 ** 24 + 1 if kind == "f" else (2 ** 63 - 1 if self._data.dtype == np.int64 else
                                              int(np.iinfo(self._data.dtype).max) + 1 if kind in "iu" else 2)
        if self._data.dtype == np.float64:
            to = 2 ** 53 + 1
    elif to is None:
        from_, to = 0, from_
    if self._data.dtype.kind in "biu":            # the bounds must fit the integer type
        lo, hi = (0, 1) if self._data.dtype.kind == "b" else (int(np.iinfo(self._data.dtype).min),
                                                             int(np.iinfo(self._data.dtype).max))
        name = _C_NAMES.get(self.dtype.name, self.dtype.name)
        if not lo <= from_ <= hi:
            raise RuntimeError(f"from is out of bounds for {name}")
        if not lo <= to - 1 <= hi:
            raise RuntimeError(f"to - 1 is out of bounds for {name}")
    g = _gen(generator)
    self._data[...] = g.integers(from_, to, self._data.shape).astype(self._data.dtype)
    self._bump_version()
    return self


Tensor.random_ = _random_method


def _bernoulli_method(self, p=None, *, generator=None):
    from .._creation import bernoulli
    return bernoulli(self, p, generator=generator)


Tensor.bernoulli = _bernoulli_method


def _multinomial(self, num_samples, replacement=False, *, generator=None):
    from .._creation import multinomial
    return multinomial(self, num_samples, replacement, generator=generator)


Tensor.multinomial = _multinomial


def _apply_(self, fn):
    flat = self._data.reshape(-1)
    for i in range(flat.size):
        flat[i] = fn(flat[i].item())
    self._bump_version()
    return self


Tensor.apply_ = _apply_
Tensor.map_ = lambda self, other, fn: _apply_(self, fn)



def _softmax_method(self, dim=None, dtype=None):
    return reduce.softmax(self, dim, dtype=dtype)


def _log_softmax_method(self, dim=None, dtype=None):
    return reduce.log_softmax(self, dim, dtype=dtype)


Tensor.softmax = shape.numpy_spellings(_softmax_method)          # x.softmax(axis=0) as torch's parser allows
Tensor.log_softmax = shape.numpy_spellings(_log_softmax_method)
Tensor.var_mean = reduce.var_mean
Tensor.std_mean = reduce.std_mean


def _where_method(self, condition, other):
    if type(other) is int and self._data.dtype.kind in "iu":   # torch's checked conversion of the scalar
        other = _dt.checked_int(other, _dt.from_numpy_dtype(self._data.dtype))
    return shape.where(condition, self, other)


Tensor.where = _where_method
Tensor.type_as = lambda self, other: self.to(other.dtype)
Tensor.is_set_to = lambda self, other: self._data is other._data
Tensor.is_nonzero = lambda self: bool(self)
Tensor.numel = lambda self: self._data.size
Tensor.__array_priority__ = 1000


def _logical_method(name):
    """``t.logical_and(other)``: torch's method counts ``other`` as position 1 in its error."""
    fn = getattr(compare, name)

    def method(self, other):
        if not isinstance(other, Tensor):
            raise TypeError(f"{name}(): argument 'other' (position 1) must be Tensor, not {type(other).__name__}")
        return fn(self, other)
    method.__name__ = name
    return method


for _name in ("logical_and", "logical_or", "logical_xor"):
    setattr(Tensor, _name, _logical_method(_name))
