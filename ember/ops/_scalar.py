"""Tensor-with-Python-number arithmetic: the operators' fast path, and torch's graph for it.

``x * 2.0``, ``x + 1e-5``, ``x - c``, ``x / c`` are the most frequent ops in user code (scaling, epsilons,
schedules), and the per-op cost of a chain of them is what small models pay.  torch records them differently
from tensor-tensor ops: the number is kept on the node as a scalar, ``x`` itself is not saved (so modifying
``x`` in place afterwards is allowed), ``c - x`` is ``RsubBackward1`` with one edge, and ``c / x`` is computed
as ``x.reciprocal() * c``.  The ops here do the same.

The operators of floating tensors on NumPy with a Python float (or an int that a float represents exactly)
take this path; everything else (promotion, integer dtypes, CuPy) goes to ``ops.arith``.  For float16 and
bfloat16 torch multiplies and divides in float32 by the number rounded to float32 (NumPy would round it to
the half type first), while it adds and subtracts the number rounded to the half type: ``_mul``/``_div``
follow that.

The backward of each op is written with ember ops when a graph of the backward is wanted
(``create_graph=True``); otherwise it works on the arrays directly.
"""
from __future__ import annotations

import numpy as np

from ..autograd import grad_mode
from ..autograd import function as _fn
from ..autograd.function import Op
from ..autograd.graph import next_sequence_nr
from . import arith
from ._util import Tensor, _wrap

__all__ = ["mul", "add", "sub", "rsub", "div", "rdiv"]

_nd = np.ndarray
_F32 = np.dtype(np.float32)
_F64 = np.dtype(np.float64)
_F16 = np.dtype(np.float16)
try:
    import ml_dtypes as _ml
    _BF16 = np.dtype(_ml.bfloat16)
except ImportError:       # pragma: no cover - ml_dtypes is a dependency
    _BF16 = _F16
_HALF = (_F16, _BF16)
_grad_state = grad_mode._state
_inference = grad_mode._inference
_anomaly = _fn._anomaly
_new = object.__new__
_EXACT = 2 ** 53


def _mul(a, c):
    dt = a.dtype
    if dt is _F32 or dt is _F64:
        return a * c
    return (a.astype(np.float32) * np.float32(c)).astype(dt)


def _div(a, c):
    dt = a.dtype
    if dt is _F32 or dt is _F64:
        return a / c
    return (a.astype(np.float32) / np.float32(c)).astype(dt)


def _addsub(a, c, how):
    """a + c, a - c or c - a; half types with ``c`` rounded to the half type, summed in float32."""
    dt = a.dtype
    if dt is _F32 or dt is _F64:
        return a + c if how == 0 else a - c if how == 1 else c - a
    cf = np.float32(np.array(c, dtype=dt))
    af = a.astype(np.float32)
    return (af + cf if how == 0 else af - cf if how == 1 else cf - af).astype(dt)


class MulScalar(Op):
    _grad_name = "MulBackward0"

    @staticmethod
    def forward(ctx, a, c):
        ctx.c = c
        return _mul(a, c)

    @staticmethod
    def backward(ctx, grad):
        if ctx._released:           # torch keeps the number as a saved variable: a second pass is refused
            ctx.saved_tensors
        if _grad_state[0]:
            return grad * ctx.c, None
        return _wrap(_mul(grad._data, ctx.c)), None


class AddScalar(Op):
    _grad_name = "AddBackward0"

    @staticmethod
    def forward(ctx, a, c):
        ctx.c = c
        return _addsub(a, c, 0)

    @staticmethod
    def backward(ctx, grad):
        return grad, None


class SubScalar(AddScalar):
    """x - c: the same gradient as x + c, under torch's name."""

    _grad_name = "SubBackward0"

    @staticmethod
    def forward(ctx, a, c):
        ctx.c = c
        return _addsub(a, c, 1)


class RsubScalar(Op):
    """c - x: torch's ``rsub(x, c)``, whose node has the one edge of ``x``."""

    _grad_name = "RsubBackward1"

    @staticmethod
    def forward(ctx, a, c):
        ctx.c = c
        return _addsub(a, c, 2)

    @staticmethod
    def backward(ctx, grad):
        if _grad_state[0]:
            return -grad
        return _wrap(-grad._data)


class DivScalar(Op):
    _grad_name = "DivBackward0"

    @staticmethod
    def forward(ctx, a, c):
        ctx.c = c
        return _div(a, c)

    @staticmethod
    def backward(ctx, grad):
        if ctx._released and not ctx.__dict__.get("_saves_nothing"):   # (mean's division: torch's MeanBackward0)
            ctx.saved_tensors
        if _grad_state[0]:
            return grad / ctx.c, None
        return _wrap(_div(grad._data, ctx.c)), None


def _number(c):
    """True for a Python float, or an int a float holds exactly (what NumPy and torch then agree on)."""
    tc = type(c)
    return tc is float or (tc is int and -_EXACT <= c <= _EXACT)


def _eligible(x):
    d = x._data
    if type(d) is not _nd:
        return False
    dt = d.dtype
    return dt is _F32 or dt is _F64 or dt in _HALF


def _finish(cls, x, c, out, one_edge=False):
    """Wrap ``out`` and, when autograd records, link a ``cls`` node (``c`` kept on it) to ``x``."""
    if type(out) is not _nd:
        out = np.asarray(out)       # a 0-d operand gives a NumPy scalar
    t = _wrap(out)
    if x.requires_grad and _grad_state[0]:
        ctx = _new(cls)
        ctx.c = c
        fn = x._grad_fn
        edge = (fn, x._output_nr) if fn is not None else _fn._edge_of(x)
        ctx._edges = [edge] if one_edge else [edge, None]
        ctx._seq_nr = next_sequence_nr()
        if _anomaly[0]:
            import traceback
            ctx._trace = "".join(traceback.format_stack()[:-2])
        t._grad_fn = ctx
        t.requires_grad = True
    elif _inference[0]:
        t._extra = {"inference": True}
    return t


def mul(self, other):
    if _number(other) and _eligible(self):
        return _finish(MulScalar, self, other, _mul(self._data, other))
    return arith.mul(self, other)


def add(self, other):
    if _number(other) and _eligible(self):
        return _finish(AddScalar, self, other, _addsub(self._data, other, 0))
    return arith.add(self, other)


def sub(self, other):
    if _number(other) and _eligible(self):
        return _finish(SubScalar, self, other, _addsub(self._data, other, 1))
    return arith.sub(self, other)


def rsub(self, other):
    """``other - self``."""
    if _number(other) and _eligible(self):
        return _finish(RsubScalar, self, other, _addsub(self._data, other, 2), one_edge=True)
    return arith.sub(other, self)


def div(self, other):
    if _number(other) and _eligible(self):
        return _finish(DivScalar, self, other, _div(self._data, other))
    return arith.div(self, other)


def rdiv(self, other):
    """``other / self``: as torch, ``self.reciprocal() * other`` (two nodes, and its rounding)."""
    from .unary import reciprocal
    return mul(reciprocal(self), other) if isinstance(other, (int, float, bool)) else arith.div(other, self)
