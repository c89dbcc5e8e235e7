"""Every op of the elementwise, comparison and reduction families, listed once.

Each record names one op and holds the facts the tests need: how to call it (``op(T, *inputs, **kwargs)``
with ``T`` the module, ``ember`` or ``torch``, so one function runs on both), how many tensor inputs it takes
and where their values live, the dtypes it is checked in, whether it is differentiable, whether torch has its
double backward, and tolerances.  ``tests/test_ops.py`` turns each record into value, dtype, gradient,
``gradcheck`` and ``gradgradcheck`` tests.  Shape, index and linear-algebra ops live in ``op_db_shape.py``
(``OPS_SHAPE``) and are appended here, so ``OPS`` lists every op once.
"""
from __future__ import annotations

import operator
from dataclasses import dataclass, field
from typing import Callable, Optional

# dtype names (resolved against ember or torch by the tests)
F32, F64, F16, BF16 = "float32", "float64", "float16", "bfloat16"
I64, I32, I16, I8, U8, BOOL = "int64", "int32", "int16", "int8", "uint8", "bool"
FLOATS = (F32, F64)
FLOATS_INT = (F32, F64, I64)
ALL = (F32, F64, I64, BOOL)
INTS = (I64, I32, U8)
HALF = (F16, BF16)


@dataclass
class OpInfo:
    """One op.  ``domains`` is one value domain per tensor input (see ``test_ops.make_array``):
    ``real`` (-3, 3), ``pos`` (0.1, 3), ``nonzero`` (+-[0.5, 3]), ``unit`` (-0.9, 0.9), ``prob`` (0.05, 0.95),
    ``gt1`` (1.1, 4), ``small`` (0, 3), ``cond`` (bool whatever the dtype).  Integer dtypes get small integers
    from the same region.
    ``shapes`` is ``"broadcast"`` (mutually broadcastable shapes, inputs in any order), ``"first"`` (the
    others broadcast to the first: in-place ops), or ``"same"``.  ``variants`` are keyword sets drawn by
    hypothesis (the key ``_args`` holds extra positional arguments).  ``input_dtypes`` maps the tested dtype
    to one dtype per input when they differ (``where``'s condition)."""
    name: str
    op: Callable
    arity: int = 1
    dtypes: tuple = FLOATS
    half: bool = False                      # also check float16 / bfloat16 (looser tolerances)
    domains: tuple = ("real",)
    gc_domains: Optional[tuple] = None      # domains for gradcheck (away from kinks); default ``domains``
    shapes: str = "broadcast"
    variants: tuple = ({},)
    differentiable: bool = True
    grad_inputs: Optional[tuple] = None     # input positions that get requires_grad (default: all floating)
    gradgrad: bool = True                   # torch supports double backward
    specials: bool = False                  # sprinkle nan / inf / -0.0 into float inputs
    input_dtypes: Optional[Callable] = None
    rtol: float = 1e-5
    atol: float = 1e-6
    min_ndim: int = 0
    nonempty: bool = False                  # shapes without zero-size dims
    max_side: int = 4
    unordered: bool = False                 # compare ``values`` only (indices of ties are unspecified)
    tags: tuple = field(default=())

    def __post_init__(self):
        if len(self.domains) != self.arity:
            self.domains = self.domains + (self.domains[-1],) * (self.arity - len(self.domains))
        if self.gc_domains is None:
            self.gc_domains = self.domains
        elif len(self.gc_domains) != self.arity:
            self.gc_domains = self.gc_domains + (self.gc_domains[-1],) * (self.arity - len(self.gc_domains))

    @property
    def ember_fn(self):
        import ember
        return lambda *a, **k: self.op(ember, *a, **k)

    @property
    def torch_fn(self):
        import torch
        return lambda *a, **k: self.op(torch, *a, **k)

    def __repr__(self):
        return f"OpInfo({self.name})"


def _m(name):
    """``T.name(*inputs, **kw)``"""
    return lambda T, *a, **k: getattr(T, name)(*a, **k)


def _meth(name):
    """``inputs[0].name(*inputs[1:], **kw)``"""
    return lambda T, x, *a, **k: getattr(x, name)(*a, **k)


def _inplace(name):
    """``x.clone().name_(*others)``: the in-place method on a non-leaf (recorded by autograd)."""
    def op(T, x, *a, **k):
        return getattr(x.clone(), name + "_")(*a, **k)
    return op


def _iop(fn):
    """``y = x.clone(); y op= other`` for an augmented assignment operator ``fn`` (operator.iadd ...)."""
    def op(T, x, *a):
        y = x.clone()
        return fn(y, *a)
    return op


OPS = []


def add(*records):
    OPS.extend(records)


# ==========================================================================================================
# arithmetic dunders: tensor-tensor, tensor-scalar, reflected, in-place
# ==========================================================================================================

_ARITH = [
    # name, operator, in-place operator, domains (left, right), dtypes, differentiable
    ("add", operator.add, operator.iadd, ("real", "real"), ALL + INTS, True),
    ("sub", operator.sub, operator.isub, ("real", "real"), FLOATS_INT + INTS, True),
    ("mul", operator.mul, operator.imul, ("real", "real"), ALL + INTS, True),
    ("truediv", operator.truediv, operator.itruediv, ("real", "nonzero"), ALL, True),
    # torch has no derivative for floor_divide
    ("floordiv", operator.floordiv, operator.ifloordiv, ("real", "nonzero"), FLOATS_INT + INTS, False),
    ("mod", operator.mod, operator.imod, ("real", "nonzero"), FLOATS_INT + INTS, True),
    ("pow", operator.pow, operator.ipow, ("pos", "small"), FLOATS_INT, True),
]

for _n, _f, _fi, _dom, _dts, _diff in _ARITH:
    _half = _n in ("add", "mul", "truediv")
    add(OpInfo(f"__{_n}__", (lambda f: lambda T, x, y: f(x, y))(_f), arity=2, dtypes=_dts, domains=_dom,
               differentiable=_diff, half=_half))
    _rdiff = _diff and _n != "mod"   # torch has no derivative for remainder(Scalar, Tensor)
    for _s in (2, 2.5, True) if _n not in ("pow",) else (2, 0.5, 3):
        _sd = (_dom[0],)
        add(OpInfo(f"__{_n}__scalar_{_s!r}", (lambda f, s: lambda T, x: f(x, s))(_f, _s),
                   dtypes=_dts, domains=_sd, differentiable=_diff),
            OpInfo(f"__r{_n}__scalar_{_s!r}", (lambda f, s: lambda T, x: f(s, x))(_f, _s),
                   dtypes=_dts, domains=(_dom[1],), differentiable=_rdiff))
    add(OpInfo(f"__i{_n}__", _iop(_fi), arity=2, dtypes=_dts, domains=_dom, shapes="first",
               differentiable=_diff),
        OpInfo(f"__i{_n}__scalar", (lambda fi: _iop(lambda y: fi(y, 2)))(_fi), dtypes=_dts,
               domains=(_dom[0],), differentiable=_diff),
        OpInfo(f"__i{_n}__scalar_float", (lambda fi: _iop(lambda y: fi(y, 1.5)))(_fi), dtypes=_dts,
               domains=(_dom[0],), differentiable=_diff))

add(
    OpInfo("__neg__", lambda T, x: -x, dtypes=ALL, half=True),
    OpInfo("__pos__", lambda T, x: +x, dtypes=ALL),
    OpInfo("__abs__", lambda T, x: abs(x), dtypes=ALL, gc_domains=("nonzero",)),
    OpInfo("__invert__", lambda T, x: ~x, dtypes=INTS + (I64, BOOL), differentiable=False),
)

# ==========================================================================================================
# comparison, logical and bitwise dunders and functions
# ==========================================================================================================

for _n, _f in (("eq", operator.eq), ("ne", operator.ne), ("lt", operator.lt), ("le", operator.le),
               ("gt", operator.gt), ("ge", operator.ge)):
    add(OpInfo(f"__{_n}__", (lambda f: lambda T, x, y: f(x, y))(_f), arity=2, dtypes=ALL + (U8,),
               domains=("small", "small"), differentiable=False, half=True, specials=True),
        OpInfo(f"__{_n}__scalar", (lambda f: lambda T, x: f(x, 1))(_f), dtypes=ALL, domains=("small",),
               differentiable=False),
        OpInfo(f"__{_n}__scalar_float", (lambda f: lambda T, x: f(x, 1.5))(_f), dtypes=ALL, domains=("small",),
               differentiable=False),
        OpInfo(f"__{_n}__reflected", (lambda f: lambda T, x: f(1, x))(_f), dtypes=ALL, domains=("small",),
               differentiable=False),
        OpInfo(_n, _m(_n), arity=2, dtypes=ALL, domains=("small", "small"), differentiable=False),
        OpInfo(f"{_n}_", _inplace(_n), arity=2, dtypes=ALL, domains=("small", "small"), shapes="first",
               differentiable=False))

_BITWISE_DTYPES = (I64, I32, U8, BOOL)
for _n, _f, _fi in (("and", operator.and_, operator.iand), ("or", operator.or_, operator.ior),
                    ("xor", operator.xor, operator.ixor)):
    add(OpInfo(f"__{_n}__", (lambda f: lambda T, x, y: f(x, y))(_f), arity=2, dtypes=_BITWISE_DTYPES,
               domains=("real", "real"), differentiable=False),
        OpInfo(f"__r{_n}__scalar", (lambda f: lambda T, x: f(3, x))(_f), dtypes=(I64, I32, U8),
               domains=("small",), differentiable=False),
        OpInfo(f"__{_n}__scalar_bool", (lambda f: lambda T, x: f(x, True))(_f), dtypes=_BITWISE_DTYPES,
               domains=("small",), differentiable=False),
        OpInfo(f"__i{_n}__", _iop(_fi), arity=2, dtypes=_BITWISE_DTYPES, domains=("real", "real"),
               shapes="first", differentiable=False),
        OpInfo(f"bitwise_{_n}", _m(f"bitwise_{_n}"), arity=2, dtypes=_BITWISE_DTYPES + FLOATS,
               domains=("real", "real"), differentiable=False),
        OpInfo(f"logical_{_n}", _m(f"logical_{_n}"), arity=2, dtypes=ALL, domains=("small", "small"),
               differentiable=False, specials=True),
        OpInfo(f"logical_{_n}_", _inplace(f"logical_{_n}"), arity=2, dtypes=ALL, domains=("small", "small"),
               shapes="first", differentiable=False))

add(
    OpInfo("bitwise_not", _m("bitwise_not"), dtypes=_BITWISE_DTYPES + (F32,), differentiable=False),
    OpInfo("logical_not", _m("logical_not"), dtypes=ALL, domains=("small",), differentiable=False,
           specials=True),
    OpInfo("__lshift__", lambda T, x, y: x << y, arity=2, dtypes=(I64, I32), domains=("real", "small"),
           differentiable=False),
    OpInfo("__rshift__", lambda T, x, y: x >> y, arity=2, dtypes=(I64, I32), domains=("real", "small"),
           differentiable=False),
    OpInfo("bitwise_left_shift", _m("bitwise_left_shift"), arity=2, dtypes=(I64, U8),
           domains=("small", "small"), differentiable=False),
    OpInfo("bitwise_right_shift", _m("bitwise_right_shift"), arity=2, dtypes=(I64, U8),
           domains=("small", "small"), differentiable=False),
    OpInfo("isnan", _m("isnan"), dtypes=ALL, differentiable=False, specials=True, half=True),
    OpInfo("isinf", _m("isinf"), dtypes=ALL, differentiable=False, specials=True),
    OpInfo("isfinite", _m("isfinite"), dtypes=ALL, differentiable=False, specials=True),
)

# ==========================================================================================================
# named binary arithmetic
# ==========================================================================================================

add(
    OpInfo("add", _m("add"), arity=2, dtypes=ALL, half=True,
           variants=({}, {"alpha": 2}, {"alpha": 0.5}, {"alpha": True})),
    OpInfo("add_scalar", lambda T, x, **k: T.add(x, 3, **k), dtypes=ALL, variants=({}, {"alpha": 2})),
    OpInfo("add_", _inplace("add"), arity=2, dtypes=FLOATS_INT, shapes="first", variants=({}, {"alpha": 2})),
    OpInfo("sub", _m("sub"), arity=2, dtypes=FLOATS_INT, variants=({}, {"alpha": 2}, {"alpha": -1.5})),
    OpInfo("sub_", _inplace("sub"), arity=2, dtypes=FLOATS_INT, shapes="first", variants=({}, {"alpha": 3})),
    OpInfo("rsub", _m("rsub"), arity=2, dtypes=FLOATS_INT, variants=({}, {"alpha": 2})),
    OpInfo("mul", _m("mul"), arity=2, dtypes=ALL, half=True),
    OpInfo("mul_", _inplace("mul"), arity=2, dtypes=FLOATS_INT, shapes="first"),
    OpInfo("div", _m("div"), arity=2, dtypes=ALL, domains=("real", "nonzero"), half=True,
           variants=({}, {"rounding_mode": None}, {"rounding_mode": "trunc"}, {"rounding_mode": "floor"})),
    OpInfo("div_scalar", lambda T, x, **k: T.div(x, 2, **k), dtypes=FLOATS_INT,
           variants=({}, {"rounding_mode": "trunc"}, {"rounding_mode": "floor"})),
    OpInfo("div_", _inplace("div"), arity=2, dtypes=FLOATS_INT, domains=("real", "nonzero"), shapes="first",
           variants=({}, {"rounding_mode": "trunc"}, {"rounding_mode": "floor"})),
    OpInfo("true_divide", _m("true_divide"), arity=2, dtypes=FLOATS_INT, domains=("real", "nonzero")),
    OpInfo("floor_divide", _m("floor_divide"), arity=2, dtypes=FLOATS_INT + INTS, domains=("real", "nonzero"),
           differentiable=False),
    OpInfo("floor_divide_by_zero_int", lambda T, x: T.floor_divide(x, T.zeros_like(x)), dtypes=(I64,),
           differentiable=False, nonempty=True),
    OpInfo("remainder", _m("remainder"), arity=2, dtypes=FLOATS_INT + INTS, domains=("real", "nonzero")),
    OpInfo("remainder_scalar", lambda T, x: T.remainder(x, -1.5), dtypes=FLOATS_INT),
    OpInfo("fmod", _m("fmod"), arity=2, dtypes=FLOATS_INT + INTS, domains=("real", "nonzero")),
    OpInfo("fmod_scalar", lambda T, x: T.fmod(x, 2), dtypes=FLOATS_INT),
    OpInfo("pow", _m("pow"), arity=2, dtypes=FLOATS_INT, domains=("pos", "small"), half=True,
           gc_domains=("pos", "real")),
    OpInfo("pow_scalar_exp", lambda T, x, **k: T.pow(x, **k), dtypes=FLOATS_INT,
           variants=({"exponent": 2}, {"exponent": 3}, {"exponent": 0}, {"exponent": 1}, {"exponent": -2.0},
                     {"exponent": 0.5}, {"exponent": -1}), domains=("pos",)),
    OpInfo("pow_scalar_base", lambda T, x: T.pow(2, x), dtypes=FLOATS_INT, domains=("small",)),
    OpInfo("pow_zero_base", lambda T, x: T.pow(T.zeros_like(x), x), dtypes=FLOATS, domains=("small",),
           gradgrad=False),
    OpInfo("neg", _m("neg"), dtypes=ALL),
    OpInfo("neg_", _inplace("neg"), dtypes=FLOATS_INT),
    OpInfo("abs", _m("abs"), dtypes=ALL + INTS, half=True, gc_domains=("nonzero",)),
    OpInfo("abs_", _inplace("abs"), dtypes=FLOATS_INT, gc_domains=("nonzero",)),
    OpInfo("sign", _m("sign"), dtypes=ALL, specials=True, gc_domains=("nonzero",)),
    OpInfo("reciprocal", _m("reciprocal"), dtypes=ALL, domains=("nonzero",)),
    OpInfo("maximum", _m("maximum"), arity=2, dtypes=ALL, specials=True, gc_domains=("real",)),
    OpInfo("minimum", _m("minimum"), arity=2, dtypes=ALL, specials=True),
    OpInfo("fmax", _m("fmax"), arity=2, dtypes=FLOATS_INT, specials=True),
    OpInfo("fmin", _m("fmin"), arity=2, dtypes=FLOATS_INT, specials=True),
    OpInfo("atan2", _m("atan2"), arity=2, dtypes=FLOATS_INT),
    OpInfo("hypot", _m("hypot"), arity=2, dtypes=FLOATS),
    OpInfo("lerp", _m("lerp"), arity=3, dtypes=FLOATS, domains=("real", "real", "prob")),
    OpInfo("lerp_scalar_weight", lambda T, x, y: T.lerp(x, y, 0.3), arity=2, dtypes=FLOATS),
    OpInfo("lerp_", _inplace("lerp"), arity=3, dtypes=FLOATS, domains=("real", "real", "prob"),
           shapes="first"),
    OpInfo("addcmul", _m("addcmul"), arity=3, dtypes=FLOATS, variants=({}, {"value": 2}, {"value": 0.5})),
    OpInfo("addcmul_int", _m("addcmul"), arity=3, dtypes=(I64, I32), variants=({}, {"value": 2})),
    OpInfo("addcmul_", _inplace("addcmul"), arity=3, dtypes=FLOATS, shapes="first",
           variants=({}, {"value": -2})),
    OpInfo("addcdiv", _m("addcdiv"), arity=3, dtypes=FLOATS_INT, domains=("real", "real", "nonzero"),
           variants=({}, {"value": 2}, {"value": 0.5})),
    OpInfo("addcdiv_", _inplace("addcdiv"), arity=3, dtypes=FLOATS, domains=("real", "real", "nonzero"),
           shapes="first", variants=({}, {"value": 3})),
    OpInfo("where", lambda T, c, x, y: T.where(c, x, y), arity=3, dtypes=ALL, domains=("cond", "real", "real"),
           input_dtypes=lambda dt: (BOOL, dt, dt)),
    OpInfo("where_scalar", lambda T, c, x: T.where(c, x, 0.5), arity=2, dtypes=FLOATS_INT,
           domains=("cond", "real"), input_dtypes=lambda dt: (BOOL, dt)),
    OpInfo("where_method", lambda T, x, c: x.where(c, -x), arity=2, dtypes=FLOATS_INT,
           domains=("real", "cond"), input_dtypes=lambda dt: (dt, BOOL)),
    OpInfo("clamp", _m("clamp"), dtypes=FLOATS_INT + (U8,), half=True,
           variants=({"min": -1}, {"max": 1}, {"min": -1.5, "max": 0.5}, {"min": 1, "max": -1}, {}),
           gc_domains=("real",)),
    # torch's backward fails when the bounds broadcast the output beyond x: keep x the largest
    OpInfo("clamp_tensor", lambda T, x, lo, hi: T.clamp(x, lo, hi), arity=3, dtypes=FLOATS_INT, shapes="first"),
    OpInfo("clamp_tensor_min", lambda T, x, lo: T.clamp(x, min=lo), arity=2, dtypes=FLOATS_INT),
    OpInfo("clamp_tensor_max", lambda T, x, hi: x.clamp(max=hi), arity=2, dtypes=FLOATS_INT),
    OpInfo("clamp_", _inplace("clamp"), dtypes=FLOATS_INT, variants=({"min": -1}, {"min": -0.5, "max": 0.5})),
    OpInfo("clip", _m("clip"), dtypes=FLOATS_INT, variants=({"min": -1, "max": 1}, {"max": 0})),
    OpInfo("clamp_min", _m("clamp_min"), dtypes=FLOATS_INT, variants=({"_args": (0.5,)},)),
    OpInfo("clamp_max", _m("clamp_max"), dtypes=FLOATS_INT, variants=({"_args": (0.5,)},)),
    OpInfo("nan_to_num", _m("nan_to_num"), dtypes=FLOATS_INT + (F16,), specials=True,
           variants=({}, {"nan": 1.0}, {"nan": 0.0, "posinf": 9.0, "neginf": -9.0})),
)

# ==========================================================================================================
# unary math
# ==========================================================================================================

_UNARY = [
    # name, domain, gradcheck domain, half, extra
    ("exp", "real", None, True), ("exp2", "real", None, False), ("expm1", "real", None, False),
    ("log", "pos", None, True), ("log2", "pos", None, False), ("log10", "pos", None, False),
    ("log1p", "pos", None, False), ("sqrt", "pos", None, True), ("rsqrt", "pos", None, False),
    ("square", "real", None, False), ("sin", "real", None, True), ("cos", "real", None, False),
    ("tan", "unit", None, False), ("asin", "unit", None, False), ("acos", "unit", None, False),
    ("atan", "real", None, False), ("sinh", "real", None, False), ("cosh", "real", None, False),
    ("tanh", "real", None, True), ("asinh", "real", None, False), ("acosh", "gt1", None, False),
    ("atanh", "unit", None, False), ("sigmoid", "real", None, True), ("erf", "real", None, False),
    ("erfc", "real", None, False), ("erfinv", "unit", None, False), ("relu", "real", "nonzero", True),
    ("floor", "real", None, False), ("ceil", "real", None, False), ("trunc", "real", None, False),
    ("frac", "real", None, False), ("round", "real", None, False),
]
for _n, _d, _gd, _half in _UNARY:
    _dts = FLOATS_INT + (BOOL,) if _n not in ("relu", "frac", "round") else FLOATS_INT
    add(OpInfo(_n, _m(_n), dtypes=_dts, domains=(_d,), gc_domains=(_gd or _d,), half=_half,
               specials=_n in ("exp", "log", "sqrt", "floor", "round", "tanh", "sigmoid"),
               gradgrad=_n not in ()),
        OpInfo(f"{_n}_method", _meth(_n), dtypes=(F32,), domains=(_d,), gc_domains=(_gd or _d,)))
    if _n not in ("relu", "asinh", "acosh", "atanh"):   # torch has no derivative for those three in place
        add(OpInfo(f"{_n}_", _inplace(_n), dtypes=FLOATS, domains=(_d,), gc_domains=(_gd or _d,)))

add(
    OpInfo("square_int", _m("square"), dtypes=(I64, I32, U8, BOOL), differentiable=False),
    OpInfo("round_decimals", _m("round"), dtypes=FLOATS_INT,
           variants=({"decimals": 1}, {"decimals": 2}, {"decimals": -1}, {"decimals": 0})),
    OpInfo("round_half", _m("round"), dtypes=FLOATS, domains=("halves",), gc_domains=("real",)),
    OpInfo("logit", _m("logit"), dtypes=FLOATS_INT, domains=("prob",), variants=({}, {"eps": 0.1})),
    OpInfo("relu_nn", lambda T, x: T.nn.functional.relu(x), dtypes=FLOATS_INT, gc_domains=("nonzero",)),
    OpInfo("softmax", _m("softmax"), dtypes=FLOATS + (I64,), half=True,
           variants=({"dim": 0}, {"dim": -1}, {"dim": -1, "dtype": "float64"}), rtol=1e-4),
    OpInfo("log_softmax", _m("log_softmax"), dtypes=FLOATS + (I64,), half=True,
           variants=({"dim": 0}, {"dim": -1}, {"dim": 1}), rtol=1e-4, atol=1e-5),
    OpInfo("softmax_method", lambda T, x, **k: x.softmax(**k), dtypes=FLOATS, variants=({"dim": -1},)),
    OpInfo("log_softmax_nn", lambda T, x, **k: T.nn.functional.log_softmax(x, **k), dtypes=FLOATS,
           variants=({"dim": -1},), rtol=1e-4, atol=1e-5),
)

# ==========================================================================================================
# reductions
# ==========================================================================================================

_DIMS = ({}, {"dim": 0}, {"dim": -1, "keepdim": True}, {"dim": (0, -1)}, {"dim": 1}, {"dim": []})
_ONE_DIM = ({"dim": 0}, {"dim": -1}, {"dim": -1, "keepdim": True}, {"dim": 1, "keepdim": False})

add(
    OpInfo("sum", _m("sum"), dtypes=ALL + INTS, half=True, variants=_DIMS + ({"dtype": "float64"},),
           rtol=1e-4, atol=1e-5),
    OpInfo("sum_method", lambda T, x, **k: x.sum(**k), dtypes=(F32, BOOL), variants=({}, {"dim": -1})),
    OpInfo("mean", _m("mean"), dtypes=ALL, half=True, variants=_DIMS + ({"dtype": "float64"},),
           rtol=1e-4, atol=1e-5),
    OpInfo("prod", _m("prod"), dtypes=ALL, variants=({}, {"dim": 0}, {"dim": -1, "keepdim": True},
                                                      {"dtype": "float64"}), rtol=1e-4, atol=1e-5),
    OpInfo("prod_with_zeros", lambda T, x, **k: T.prod(x * (x > 0), **k), dtypes=FLOATS,
           variants=({}, {"dim": -1}), nonempty=True),
    OpInfo("max", _m("max"), dtypes=ALL, specials=False, variants=({},) + _ONE_DIM),
    OpInfo("min", _m("min"), dtypes=ALL, variants=({},) + _ONE_DIM),
    OpInfo("max_nan", _m("max"), dtypes=FLOATS, specials=True, variants=({},) + _ONE_DIM, differentiable=False),
    OpInfo("max_binary", lambda T, x, y: T.max(x, y), arity=2, dtypes=FLOATS_INT),
    OpInfo("amax", _m("amax"), dtypes=ALL, variants=_DIMS),
    OpInfo("amin", _m("amin"), dtypes=ALL, variants=_DIMS),
    OpInfo("amax_ties", lambda T, x, **k: T.amax(x.round(), **k), dtypes=FLOATS, variants=_DIMS,
           nonempty=True),
    OpInfo("argmax", _m("argmax"), dtypes=ALL, differentiable=False,
           variants=({}, {"dim": 0}, {"dim": -1, "keepdim": True}, {"keepdim": True})),
    OpInfo("argmin", _m("argmin"), dtypes=ALL, differentiable=False,
           variants=({}, {"dim": 0}, {"dim": -1, "keepdim": True})),
    # torch's var backward with dim=[] divides by zero (its forward reduces every dim): no dim=[] here
    OpInfo("var", _m("var"), dtypes=FLOATS, half=True, rtol=1e-4, atol=1e-5,
           variants=_DIMS[:-1] + ({"correction": 0}, {"unbiased": False}, {"dim": 0, "unbiased": True},
                             {"dim": 0, "correction": 0}, {"_args": (False,)}, {"_args": (0, False)})),
    OpInfo("std", _m("std"), dtypes=FLOATS, rtol=1e-4, atol=1e-5, nonempty=True, min_ndim=1,
           variants=_DIMS[:4] + ({"correction": 0}, {"unbiased": False}, {"dim": -1, "correction": 0})),
    OpInfo("var_mean", _m("var_mean"), dtypes=FLOATS, rtol=1e-4, atol=1e-5,
           variants=({}, {"dim": 0}, {"dim": -1, "keepdim": True, "correction": 0}, {"unbiased": False})),
    OpInfo("std_mean", _m("std_mean"), dtypes=FLOATS, rtol=1e-4, atol=1e-5, nonempty=True, min_ndim=1,
           variants=({}, {"dim": 0}, {"dim": -1, "keepdim": True, "correction": 0})),
    OpInfo("logsumexp", _m("logsumexp"), dtypes=FLOATS + (I64,), rtol=1e-4, atol=1e-5,
           variants=({"dim": 0}, {"dim": -1, "keepdim": True}, {"dim": (0, -1)})),
    OpInfo("norm", _m("norm"), dtypes=FLOATS, rtol=1e-4, atol=1e-5, gc_domains=("nonzero",),
           variants=({}, {"p": 1}, {"p": 2, "dim": -1}, {"p": 3, "dim": 0, "keepdim": True},
                     {"p": float("inf")}, {"p": "fro"})),
    OpInfo("vector_norm", lambda T, x, **k: T.linalg.vector_norm(x, **k), dtypes=FLOATS, rtol=1e-4,
           atol=1e-5, gc_domains=("nonzero",),
           variants=({}, {"ord": 1}, {"ord": 2, "dim": -1}, {"ord": 3, "dim": 0, "keepdim": True},
                     {"ord": float("inf")}, {"ord": float("-inf"), "dim": -1}, {"ord": 0.5},
                     {"dim": (0, 1)})),
    OpInfo("vector_norm_ord0", lambda T, x, **k: T.linalg.vector_norm(x, 0, **k), dtypes=FLOATS, gradgrad=False,
           specials=True, variants=({}, {"dim": -1})),
    OpInfo("vector_norm_int", lambda T, x: T.linalg.vector_norm(x), dtypes=(I64,), differentiable=False),
    OpInfo("vector_norm_zero", lambda T, x: T.linalg.vector_norm(x * 0), dtypes=FLOATS, gradgrad=False),
    OpInfo("all", _m("all"), dtypes=ALL, differentiable=False, domains=("small",),
           variants=({}, {"dim": 0}, {"dim": -1, "keepdim": True})),
    OpInfo("any", _m("any"), dtypes=ALL, differentiable=False, domains=("small",),
           variants=({}, {"dim": 0}, {"dim": -1, "keepdim": True})),
    OpInfo("count_nonzero", _m("count_nonzero"), dtypes=ALL, differentiable=False, domains=("small",),
           variants=({}, {"dim": 0}, {"dim": (0, -1)})),
    OpInfo("cumsum", _m("cumsum"), dtypes=ALL, variants=({"dim": 0}, {"dim": -1}, {"dim": 0, "dtype": "float64"}),
           rtol=1e-4, atol=1e-5),
    OpInfo("cumprod", _m("cumprod"), dtypes=ALL, variants=({"dim": 0}, {"dim": -1}), rtol=1e-4, atol=1e-5),
    OpInfo("cumprod_with_zeros", lambda T, x, **k: T.cumprod(x * (x > -1), **k), dtypes=FLOATS,
           variants=({"dim": -1},)),
    OpInfo("cummax", _m("cummax"), dtypes=FLOATS_INT, variants=({"dim": 0}, {"dim": -1})),
    OpInfo("cummin", _m("cummin"), dtypes=FLOATS_INT, variants=({"dim": 0}, {"dim": -1})),
    OpInfo("median", _m("median"), dtypes=FLOATS_INT, variants=({}, {"dim": 0}, {"dim": -1, "keepdim": True})),
    OpInfo("mode", _m("mode"), dtypes=(I64, F32), domains=("small",), differentiable=False,
           variants=({}, {"dim": 0}, {"dim": -1, "keepdim": True})),
    OpInfo("sort", _m("sort"), dtypes=FLOATS_INT,
           variants=({}, {"dim": 0}, {"descending": True}, {"dim": 0, "descending": True, "stable": True})),
    OpInfo("sort_ties", _m("sort"), dtypes=(I64, F32, BOOL), domains=("small",), differentiable=False,
           variants=({"stable": True}, {"stable": True, "descending": True}, {"dim": 0, "stable": True})),
    OpInfo("sort_nan", _m("sort"), dtypes=FLOATS, specials=True, differentiable=False,
           variants=({"stable": True}, {"stable": True, "descending": True})),
    OpInfo("argsort", _m("argsort"), dtypes=FLOATS_INT, differentiable=False,
           variants=({}, {"dim": 0}, {"descending": True})),
    # integers tie, and torch does not specify which index a tie reports: floats only
    OpInfo("topk", _m("topk"), dtypes=FLOATS, nonempty=True,
           variants=({"k": 1}, {"k": 2, "dim": 0}, {"k": 1, "largest": False}, {"k": 0})),
    OpInfo("kthvalue", _m("kthvalue"), dtypes=FLOATS, nonempty=True,
           variants=({"k": 1}, {"k": 2, "dim": 0}, {"k": 1, "dim": -1, "keepdim": True})),
    OpInfo("unique", _m("unique"), dtypes=(I64, F32, BOOL), domains=("small",), differentiable=False,
           variants=({}, {"return_inverse": True}, {"return_counts": True},
                     {"return_inverse": True, "return_counts": True}, {"dim": 0, "return_inverse": True})),
)


# API-gap aliases and composites (tests/test_api_gaps.py covers their other behaviour)
add(
    OpInfo("arctan2", _m("arctan2"), arity=2, dtypes=FLOATS_INT),
    OpInfo("conj_physical", _m("conj_physical"), dtypes=FLOATS_INT),
    OpInfo("resolve_conj", _m("resolve_conj"), dtypes=ALL),
    OpInfo("resolve_neg", _m("resolve_neg"), dtypes=ALL),
    OpInfo("hardshrink_method", _meth("hardshrink"), gc_domains=("nonzero",)),
    OpInfo("exp_top_inplace", lambda T, x: T.exp_(x.clone())),
    OpInfo("sqrt_top_inplace", lambda T, x: T.sqrt_(x.clone()), domains=("pos",)),
)


try:  # shape / index / linear-algebra records, kept by their owner in a file of their own
    from op_db_shape import OPS_SHAPE
except ModuleNotFoundError as _exc:
    if _exc.name != "op_db_shape":
        raise
    OPS_SHAPE = []

OPS.extend(OPS_SHAPE)


# triangular solves and LU (ember/ops/linalg.py); records in op_db_shape's sample style
if OPS_SHAPE:
    import numpy as _np
    from op_db_shape import Arr as _Arr, ShapeOpInfo as _ShapeOpInfo

    def _tri(rng, dtype, *shape):
        """A well-conditioned matrix (batch) whose both triangles are read by some variant."""
        return _Arr(rng.uniform(-1, 1, shape) + 2 * _np.eye(shape[-1]))

    def _mat(rng, dtype, *shape):
        return _Arr(rng.uniform(-2, 2, shape))

    def _la(name, op, samples, **kw):
        OPS.append(_ShapeOpInfo(name, op, samples=samples, dtypes=FLOATS, rtol=1e-4, atol=1e-5, **kw))

    _la("linalg.solve_triangular", lambda T, a, b, k: T.linalg.solve_triangular(a, b, **k), lambda r, d: [
        (_tri(r, d, 3, 3), _mat(r, d, 3, 2), {"upper": True}), (_tri(r, d, 2, 3, 3), _mat(r, d, 3, 1), {"upper": False}),
        (_tri(r, d, 3, 3), _mat(r, d, 2, 2, 3), {"upper": True, "left": False, "unitriangular": True}),
        (_tri(r, d, 0, 0), _mat(r, d, 0, 2), {"upper": False})])
    _la("triangular_solve", lambda T, b, a, *o: T.triangular_solve(b, a, *o), lambda r, d: [
        (_mat(r, d, 3, 2), _tri(r, d, 3, 3)), (_mat(r, d, 3, 2), _tri(r, d, 2, 3, 3), False, True, True)])
    _la("linalg.lu", lambda T, a: T.linalg.lu(a), lambda r, d: [
        (_mat(r, d, 3, 3),), (_mat(r, d, 2, 4, 3),), (_mat(r, d, 3, 5),), (_mat(r, d, 0, 2),)])
    _la("linalg.lu_factor", lambda T, a: T.linalg.lu_factor(a), lambda r, d: [
        (_mat(r, d, 3, 3),), (_mat(r, d, 2, 3, 4),), (_mat(r, d, 4, 2),)])
    _la("linalg.lu_factor_ex", lambda T, a: T.linalg.lu_factor_ex(a), lambda r, d: [
        (_mat(r, d, 3, 3),), (_Arr(_np.zeros((2, 3, 3))),)], gradgrad=False)
    _la("lu_unpack", lambda T, a, *o: T.lu_unpack(*T.linalg.lu_factor(a), *o), lambda r, d: [
        (_mat(r, d, 3, 3),), (_mat(r, d, 2, 4, 3), True, False), (_mat(r, d, 3, 4),)])
    _la("linalg.lu_solve", lambda T, a, b, k: T.linalg.lu_solve(*T.linalg.lu_factor(a), b, **k), lambda r, d: [
        (_tri(r, d, 3, 3), _mat(r, d, 3, 2), {}), (_tri(r, d, 2, 3, 3), _mat(r, d, 3, 1), {"adjoint": True}),
        (_tri(r, d, 3, 3), _mat(r, d, 2, 3), {"left": False})])
    _la("lu_solve_legacy", lambda T, b, a: T.lu_solve(b, *T.linalg.lu_factor(a)), lambda r, d: [
        (_mat(r, d, 3, 2), _tri(r, d, 3, 3)), (_mat(r, d, 2, 3, 1), _tri(r, d, 3, 3))])

_names = [r.name for r in OPS]
assert len(_names) == len(set(_names)), sorted(n for n in _names if _names.count(n) > 1)
