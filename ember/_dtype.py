"""dtype objects with torch's names, their NumPy mapping, and torch's type-promotion rules.

torch promotes by *category* (bool < integer < floating < complex).  A Python scalar or a 0-d tensor only
changes the result dtype when it belongs to a higher category than every dimensioned operand; inside one
category the dimensioned tensors decide.  NumPy 2 (NEP 50) is close but not equal (int tensor + Python float
gives float64 there, the default float here), so ember computes result dtypes itself and casts explicitly.
"""
from __future__ import annotations

from ._torch_names import TorchNamed
import numpy as np

try:  # bfloat16 lives in ml_dtypes (a runtime dependency); keep import errors readable
    import ml_dtypes as _ml_dtypes
    _BF16 = np.dtype(_ml_dtypes.bfloat16)
except ImportError:  # pragma: no cover - ml_dtypes is a declared dependency
    _ml_dtypes = None
    _BF16 = None

__all__ = ["dtype", "float16", "bfloat16", "float32", "float64", "complex64", "complex128", "int8", "int16",
           "int32", "int64", "uint8", "uint16", "uint32", "uint64", "bool", "half", "float", "double", "long",
           "int", "short", "cfloat", "cdouble", "get_default_dtype", "set_default_dtype", "promote_types",
           "finfo", "iinfo"]

_BOOL, _INT, _FLOAT, _COMPLEX = 0, 1, 2, 3


class dtype(metaclass=TorchNamed):
    """A tensor element type, named as in torch (``ember.float32`` prints as ``torch.float32``)."""

    __slots__ = ("name", "np", "itemsize", "category", "is_signed", "_rank")
    _torch_class_name = "torch.dtype"

    def __init__(self, name, np_dtype, category, is_signed, rank):
        self.name = name
        self.np = np_dtype
        self.itemsize = np_dtype.itemsize if np_dtype is not None else 2
        self.category = category
        self.is_signed = is_signed
        self._rank = rank

    @property
    def is_floating_point(self):
        return self.category == _FLOAT

    @property
    def is_complex(self):
        return self.category == _COMPLEX

    def to_real(self):
        return {complex64: float32, complex128: float64}.get(self, self)

    def to_complex(self):
        return {float32: complex64, float64: complex128, float16: complex64}.get(self, self)

    def __repr__(self):
        return "torch." + self.name

    def __reduce__(self):  # pickled dtypes resolve to the module-level singletons
        return (_dtype_by_name, (self.name,))


def _dtype_by_name(name):
    return _BY_NAME[name]


bool = dtype("bool", np.dtype(np.bool_), _BOOL, False, 0)
uint8 = dtype("uint8", np.dtype(np.uint8), _INT, False, 1)
int8 = dtype("int8", np.dtype(np.int8), _INT, True, 2)
int16 = dtype("int16", np.dtype(np.int16), _INT, True, 3)
uint16 = dtype("uint16", np.dtype(np.uint16), _INT, False, 3)
int32 = dtype("int32", np.dtype(np.int32), _INT, True, 4)
uint32 = dtype("uint32", np.dtype(np.uint32), _INT, False, 4)
int64 = dtype("int64", np.dtype(np.int64), _INT, True, 5)
uint64 = dtype("uint64", np.dtype(np.uint64), _INT, False, 5)
float16 = dtype("float16", np.dtype(np.float16), _FLOAT, True, 6)
bfloat16 = dtype("bfloat16", _BF16, _FLOAT, True, 6)
float32 = dtype("float32", np.dtype(np.float32), _FLOAT, True, 7)
float64 = dtype("float64", np.dtype(np.float64), _FLOAT, True, 8)
complex64 = dtype("complex64", np.dtype(np.complex64), _COMPLEX, True, 9)
complex128 = dtype("complex128", np.dtype(np.complex128), _COMPLEX, True, 10)

half, float, double = float16, float32, float64
long, int, short = int64, int32, int16
cfloat, cdouble = complex64, complex128

_ALL = [bool, uint8, int8, int16, uint16, int32, uint32, int64, uint64, float16, bfloat16, float32, float64,
        complex64, complex128]
_BY_NAME = {d.name: d for d in _ALL}
_FROM_NP = {d.np: d for d in _ALL if d.np is not None}


def from_numpy_dtype(np_dtype) -> dtype:
    """The ember dtype of a NumPy dtype; a clear TypeError for types torch has no tensor for."""
    try:
        return _FROM_NP[np_dtype]
    except KeyError:
        pass
    try:
        return _FROM_NP[np.dtype(np_dtype)]
    except (KeyError, TypeError):
        raise TypeError(f"can't convert np.ndarray of type {np.dtype(np_dtype)}. The only supported types are: "
                        "float64, float32, float16, complex64, complex128, int64, int32, int16, int8, uint64, "
                        "uint32, uint16, uint8, and bool.") from None


def to_numpy_dtype(d) -> np.dtype:
    if isinstance(d, dtype):
        return d.np
    return as_dtype(d).np


def as_dtype(d) -> dtype:
    """Accept an ember dtype, a NumPy dtype, a Python type (float, int, bool, complex) or a name."""
    if isinstance(d, dtype):
        return d
    if d is builtins_float:
        return float64
    if d is builtins_int:
        return int64
    if d is builtins_bool:
        return bool
    if d is complex:
        return complex128
    if isinstance(d, str):
        name = d[6:] if d.startswith("torch.") else d
        if name in _BY_NAME:
            return _BY_NAME[name]
        alias = {"half": float16, "float": float32, "double": float64, "long": int64, "int": int32,
                 "short": int16, "cfloat": complex64, "cdouble": complex128}
        if name in alias:
            return alias[name]
    try:
        return from_numpy_dtype(np.dtype(d))
    except TypeError:
        raise TypeError(f"expected a dtype (e.g. ember.float32), got {d!r}") from None


import builtins as _builtins  # noqa: E402  (the module shadows bool/int/float)

builtins_float, builtins_int, builtins_bool = _builtins.float, _builtins.int, _builtins.bool

# ----------------------------------------------------------------------------------------------------------
# default dtype and promotion
# ----------------------------------------------------------------------------------------------------------

_default = [float32]


def get_default_dtype() -> dtype:
    return _default[0]


def set_default_dtype(d) -> None:
    d = as_dtype(d)
    if d not in (float16, bfloat16, float32, float64):
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _default[0] = d


def default_complex_dtype() -> dtype:
    return complex128 if _default[0] is float64 else complex64


_PROMOTE_CACHE: dict = {}


def promote_types(a, b) -> dtype:
    """The smallest dtype both ``a`` and ``b`` convert to without loss, as ``torch.promote_types``."""
    a, b = as_dtype(a), as_dtype(b)
    key = (a, b)
    hit = _PROMOTE_CACHE.get(key)
    if hit is not None:
        return hit
    if a is b:
        out = a
    elif {a, b} == {float16, bfloat16}:
        out = float32
    elif a.category == _COMPLEX or b.category == _COMPLEX:
        real = promote_types(a.to_real() if a.category == _COMPLEX else a,
                             b.to_real() if b.category == _COMPLEX else b)
        out = complex128 if real is float64 else complex64
    elif a.category == _BOOL:
        out = b
    elif b.category == _BOOL:
        out = a
    elif a.category == _INT and b.category == _INT:
        if a.is_signed == b.is_signed:
            out = a if a._rank >= b._rank else b
        else:
            signed, unsigned = (a, b) if a.is_signed else (b, a)
            # torch: uint8 with a signed type gives the wider signed type (int8 + uint8 -> int16)
            if unsigned is uint8:
                out = int16 if signed is int8 else signed
            elif unsigned.itemsize < signed.itemsize:
                out = signed
            else:
                raise TypeError(f"Promotion for uint16, uint32, uint64 types is not supported, attempted to "
                                f"promote {a.name.capitalize()} and {b.name.capitalize()}")
    elif a.category == _FLOAT and b.category == _FLOAT:
        out = a if a._rank >= b._rank else b
    else:  # one int, one float
        out = a if a.category == _FLOAT else b
    _PROMOTE_CACHE[key] = out
    return out


def scalar_category(value) -> int:
    if isinstance(value, _builtins.bool):
        return _BOOL
    if isinstance(value, _builtins.int):
        return _INT
    if isinstance(value, _builtins.float):
        return _FLOAT
    if isinstance(value, complex):
        return _COMPLEX
    raise TypeError(f"expected a number, got {type(value).__name__}")


def dtype_for_category(cat: int) -> dtype:
    """The dtype torch gives a lone Python scalar of a category."""
    return (bool, int64, _default[0], default_complex_dtype())[cat]


def combine(dims_dtype, zero_dim_dtype, scalar_cat):
    """torch's three-tier rule: dimensioned tensors, then 0-d tensors, then Python scalars.

    Each tier only matters when it is of a higher category than the tiers above it.
    """
    out = dims_dtype
    if zero_dim_dtype is not None:
        if out is None or zero_dim_dtype.category > out.category:
            out = zero_dim_dtype if out is None else _lift(out, zero_dim_dtype)
    if scalar_cat is not None:
        if out is None:
            out = dtype_for_category(scalar_cat)
        elif scalar_cat > out.category:
            out = _lift(out, dtype_for_category(scalar_cat))
    return out


def _lift(base, higher):
    """Result when a higher-category operand meets ``base``: the higher category at its default width."""
    if higher.category == _COMPLEX and base.category == _FLOAT:
        return promote_types(base, higher) if base is float64 else higher
    return higher


# ----------------------------------------------------------------------------------------------------------
# finfo / iinfo
# ----------------------------------------------------------------------------------------------------------

class finfo:
    """Machine limits of a floating dtype, with torch's attribute names."""

    def __init__(self, type=None):
        d = as_dtype(type) if type is not None else get_default_dtype()
        if d.category not in (_FLOAT, _COMPLEX):
            raise TypeError(f"torch.finfo() requires a floating point input type. Use torch.iinfo to handle "
                            f"'{d.name}'")
        d = d.to_real()
        info = np.finfo(d.np) if d is not bfloat16 else _ml_dtypes.finfo(d.np)
        self.dtype = d.name
        self.bits = d.itemsize * 8
        self.eps = _builtins.float(info.eps)
        self.max = _builtins.float(info.max)
        self.min = _builtins.float(info.min)
        self.tiny = self.smallest_normal = _builtins.float(info.tiny)
        self.resolution = 10.0 ** -_builtins.int(info.precision)    # torch: exactly 1e-06 for float32

    def __repr__(self):   # torch prints six significant digits
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
                f"smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:
    """Limits of an integer dtype, with torch's attribute names."""

    def __init__(self, type):
        d = as_dtype(type)
        if d.category not in (_INT, _BOOL):
            raise TypeError(f"torch.iinfo() requires an integer input type. Use torch.finfo to handle '{d.name}'")
        info = np.iinfo(d.np) if d is not bool else None
        self.dtype = d.name
        self.bits = d.itemsize * 8
        self.max = _builtins.int(info.max) if info else 1
        self.min = _builtins.int(info.min) if info else 0

    def __repr__(self):
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"


# ----------------------------------------------------------------------------------------------------------
# Python int scalars meeting integer tensors
# ----------------------------------------------------------------------------------------------------------

_C_NAMES = {"uint8": "uint8_t", "int8": "int8_t", "int16": "int16_t", "int32": "int", "int64": "int64_t",
            "uint16": "uint16_t", "uint32": "uint32_t", "uint64": "uint64_t"}


def parse_int(value):
    """A Python int as torch's argument parser takes it: OverflowError outside [-2**63, 2**64)."""
    if value < -0x8000000000000000:
        raise OverflowError("can't convert negative int to unsigned")
    if value > 0xFFFFFFFFFFFFFFFF:
        raise OverflowError("int too big to convert")
    return value


def wrap_int(value, np_dtype):
    """A Python int operand of an integer tensor's arithmetic, converted to that dtype by wrapping modulo
    2**bits as torch does (``uint8_tensor + -2`` adds 254); NumPy 2 would refuse it."""
    parse_int(value)
    bits = np_dtype.itemsize * 8
    v = value & ((1 << bits) - 1)
    if np_dtype.kind == "i" and v >> (bits - 1):
        v -= 1 << bits
    return v


def checked_int(value, d):
    """torch's checked conversion of a Python int to integer dtype ``d`` (``where``'s scalar operand): a value
    outside the type's range raises, except that an unsigned type also takes negatives down to -max (wrapped)."""
    parse_int(value)
    info = np.iinfo(d.np)
    lo = _builtins.int(info.min) if d.is_signed else -_builtins.int(info.max)
    if not lo <= value <= _builtins.int(info.max):
        raise RuntimeError(f"value cannot be converted to type {_C_NAMES.get(d.name, d.name)} without overflow")
    return wrap_int(value, d.np)
