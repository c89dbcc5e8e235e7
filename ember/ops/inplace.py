"""In-place ops (``add_``, ``mul_``, ``x[i] = v`` ...) and ``out=`` arguments.

Without autograd involvement an in-place op writes straight into the array (the optimizer path).  With it,
the op is computed out of place on a snapshot of the old value, the result is written into the tensor's
memory, and the tensor takes over the new graph node, as torch records in-place ops.  A tensor that is a
view of another gets its base rewired through ``CopySlices`` so the base's gradient stays right.
"""
from __future__ import annotations

import numpy as np

from ..autograd import grad_mode
from ..autograd.function import Op
from ._util import Tensor, _wrap

__all__ = ["apply_inplace", "check_inplace", "copy_into_out", "make_inplace", "check_binary_inplace",
           "checked_inplace", "binary_inplace"]

_grad_state = grad_mode._state


def check_inplace(t):
    """torch's errors for in-place writes that autograd cannot allow."""
    if _grad_state[0] and t.requires_grad:
        if t._grad_fn is None and t._base is None:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
        base = t._base
        if base is not None and base._grad_fn is None and base.requires_grad:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place "
                               "operation.")
    if t._extra and t._extra.get("inference") and not grad_mode._inference[0]:
        raise RuntimeError("Inplace update to inference tensor outside InferenceMode is not allowed.You can make "
                           "a clone to get a normal tensor before doing inplace update.See "
                           "https://github.com/pytorch/rfcs/pull/17 for more details.")


def _write(t, arr):
    d = t._data
    if arr.shape != d.shape:
        try:
            b = np.broadcast_shapes(arr.shape, d.shape)
        except ValueError:
            b = None
        if b != d.shape:
            raise RuntimeError(f"output with shape {list(d.shape)} doesn't match the broadcast shape "
                               f"{list(b if b is not None else arr.shape)}")
    if arr.dtype != d.dtype:
        if not _can_cast(arr.dtype, d.dtype):
            raise RuntimeError(f"result type {_tname(arr.dtype)} can't be cast to the desired output type "
                               f"{_tname(d.dtype)}")
    if not d.flags.writeable:
        raise RuntimeError("unsupported operation: more than one element of the written-to tensor refers to a "
                           "single memory location. Please clone() the tensor before performing the operation.")
    d[...] = arr


def _can_cast(src, dst):
    order = {"b": 0, "u": 1, "i": 1, "f": 2, "V": 2, "c": 3}
    return order[src.kind] <= order[dst.kind]


def _tname(np_dtype):
    from ..tensor import _NP2DT
    n = _NP2DT[np_dtype].name
    return {"float32": "Float", "float64": "Double", "int64": "Long", "int32": "Int", "bool": "Bool",
            "float16": "Half", "bfloat16": "BFloat16", "int16": "Short", "int8": "Char", "uint8": "Byte",
            "complex64": "ComplexFloat", "complex128": "ComplexDouble"}.get(n, n)


def apply_inplace(t, fn, *others):
    """Run ``fn(t, *others)`` (an out-of-place op with ``t``'s shape) and store the result into ``t``."""
    check_inplace(t)
    recording = _grad_state[0] and (t.requires_grad or any(isinstance(o, Tensor) and o.requires_grad
                                                           for o in others))
    if not recording:
        with grad_mode.no_grad():
            res = fn(t, *others)
        _write(t, res._data)
        t._bump_version()
        return t
    # snapshot the old value so ops that saved `t` for backward still see it
    old = _wrap(t._data.copy())
    old._grad_fn, old._output_nr, old.requires_grad = t._grad_fn, t._output_nr, t.requires_grad
    others = tuple(old if o is t else o for o in others)   # x.mul_(x): both operands are the old value
    res = fn(old, *others)
    _write(t, res._data)
    t._bump_version()
    if res._data.dtype != t._data.dtype:
        res = res.to(t.dtype)
    base = t._base
    if base is None:
        t._grad_fn, t._output_nr, t.requires_grad = res._grad_fn, res._output_nr, res.requires_grad
        _refresh_views(t, skip=None)
        return t
    _rebase_view(t, base, res)
    _refresh_views(base, skip=t)
    return t


def _plain(t, other):
    """A float ``t`` with a float number or a tensor of its dtype and shape: nothing to check (the common case)."""
    d = t._data
    if d.dtype.kind != "f":
        return False
    to = type(other)
    return to is float or to is Tensor and other._data.dtype is d.dtype and other._data.shape == d.shape


def check_binary_inplace(t, other, result=None):
    """torch's checks of ``t.op_(other)`` for an elementwise binary op, in its order and before the op runs:
    the broadcast shape must be ``t``'s, then the result dtype (``result``, else the promoted type of the
    operands) must cast to ``t``'s dtype."""
    d = t._data
    if isinstance(other, Tensor) and other._data.shape != d.shape:
        try:
            shape = np.broadcast_shapes(d.shape, other._data.shape)
        except ValueError:
            shape = d.shape     # not broadcastable: the op itself raises torch's size error
        if shape != d.shape:
            raise RuntimeError(f"output with shape {list(d.shape)} doesn't match the broadcast shape {list(shape)}")
    if not isinstance(other, (Tensor, bool, int, float, complex, np.generic)):
        return
    from ._util import result_dtype
    from ..tensor import _NP2DT
    rt = result if result is not None else result_dtype(t, other)
    if rt.category > _NP2DT[d.dtype].category:
        raise RuntimeError(f"result type {_tname(rt.np)} can't be cast to the desired output type {_tname(d.dtype)}")


def checked_inplace(method, precheck=None, result=None):
    """``method(self, other, ...)`` after ``check_binary_inplace`` (and an op's own ``precheck`` before it);
    ``result(self, other, **kwargs)`` gives the op's result dtype where it is not the promoted type."""
    def checked(self, other, *args, **kwargs):
        if not _plain(self, other):
            if precheck is not None:
                precheck(self, other)
            check_binary_inplace(self, other, result(self, other, **kwargs) if result is not None else None)
        return method(self, other, *args, **kwargs)
    checked.__name__ = getattr(method, "__name__", "inplace")
    return checked


def binary_inplace(fn, precheck=None):
    """``x.op_(other)`` / ``x op= other`` from the out-of-place elementwise binary ``op``, with torch's checks."""
    def method(self, other=None, **kwargs):
        if kwargs:      # the operand by name (x.pow_(exponent=2))
            (other,) = kwargs.values()
        if not _plain(self, other):
            if precheck is not None:
                precheck(self, other)
            check_binary_inplace(self, other)
        return apply_inplace(self, fn, other)
    method.__name__ = fn.__name__ + "_"
    return method


def _region_of(view_t, base):
    """A function selecting ``view_t``'s elements from any C-contiguous array shaped like ``base``."""
    if not base._data.flags.c_contiguous:
        raise RuntimeError("ember: an in-place op through a view of a non-contiguous tensor cannot be recorded "
                           "for autograd; call .contiguous() on the base first or do the op out of place")
    vd = view_t._data
    item = vd.dtype.itemsize
    offset = (vd.__array_interface__["data"][0] - base._data.__array_interface__["data"][0]) // item
    shape, strides = vd.shape, vd.strides

    def region(arr):
        # the offsets and strides are the base's: an array laid out otherwise (a broadcast gradient has
        # stride 0 everywhere) is read through a C-contiguous copy; writers pass C-contiguous arrays
        if not arr.flags.c_contiguous:
            arr = np.ascontiguousarray(arr)
        flat = arr.reshape(-1)
        return np.lib.stride_tricks.as_strided(flat[offset:], shape=shape, strides=strides)
    return region


def _refresh_views(base, skip):
    """After an in-place write changed ``base``'s graph, point its other live views at the new history
    (torch regenerates a view's grad_fn from its base the same way)."""
    views = base._extra.get("views") if base._extra else None
    if not views:
        return
    for v in list(views):
        if v is skip or v._data.size == 0:
            continue
        node = _Region.apply(base, _region_of(v, base))
        v._grad_fn, v._output_nr, v.requires_grad = node._grad_fn, 0, True


class CopySlices(Op):
    """The base of a view after an in-place write through the view: ``base`` with the view region replaced.

    ``region(array)`` selects the view's elements from an array shaped like the base.
    """

    _grad_name = "torch::autograd::CopySlices"     # torch's C++ node; its repr shows ``CopySlices``

    def __repr__(self):
        return f"<CopySlices object at {hex(id(self))}>"

    def _shown(self):
        """torch lists the base's edge, then the in-place op's other inputs."""
        base_e, val_e = self._edges[0], self._edges[1]
        rest = list(val_e[0].next_functions[1:]) if val_e is not None else []
        return [base_e] + rest

    @staticmethod
    def forward(ctx, base, value, region):
        ctx.region = region
        return base  # already updated in memory by the in-place write

    @staticmethod
    def backward(ctx, grad):
        region = ctx.region
        g_base = grad.contiguous().clone()     # C-contiguous: the region's offsets are a contiguous base's
        with grad_mode.no_grad():
            region(g_base._data)[...] = 0
        g_val = _Region.apply(grad, region)
        return g_base, g_val, None


class _Region(Op):
    _grad_name = "AsStridedBackward0"    # torch regenerates a rebased view's history as an as_strided of its base
    _shown = (0,)

    @staticmethod
    def forward(ctx, x, region):
        ctx.region = region
        ctx.shape = x.shape
        return region(x).copy()

    @staticmethod
    def backward(ctx, grad):
        z = np.zeros(ctx.shape, grad._data.dtype)
        region = ctx.region
        region(z)[...] = grad._data
        return _wrap(z), None


def _rebase_view(view_t, base, res):
    """Make ``base``'s graph reflect the write into ``view_t`` (torch's CopySlices)."""
    region = _region_of(view_t, base)
    old_base = _wrap(base._data)
    old_base._grad_fn, old_base._output_nr, old_base.requires_grad = base._grad_fn, base._output_nr, \
        base.requires_grad
    node_out = CopySlices.apply(old_base, res, region)
    base._grad_fn, base._output_nr, base.requires_grad = node_out._grad_fn, 0, True
    # the view now reads from the updated base
    view_t._grad_fn, view_t._output_nr, view_t.requires_grad = res._grad_fn, res._output_nr, True
    new_view = _Region.apply(base, region)
    view_t._grad_fn = new_view._grad_fn
    view_t._output_nr = 0


def copy_into_out(out, result):
    """Implements ``out=``: resize-free copy of ``result`` into ``out`` (torch errors on mismatch here)."""
    if not isinstance(out, Tensor):
        raise TypeError(f"argument 'out' must be Tensor, not {type(out).__name__}")
    if out.requires_grad and _grad_state[0]:
        raise RuntimeError(f"{'op'}(): functions with out=... arguments don't support automatic differentiation, "
                           "but one of the arguments requires grad.")
    if out._data.shape != result._data.shape:
        out._data = np.empty(result._data.shape, out._data.dtype) if out._data.size == 0 or True else out._data
    out._data[...] = result._data.astype(out._data.dtype, copy=False)
    out._bump_version()
    return out


def make_inplace(fn):
    """``x.op_(*args)`` from the out-of-place ``op``."""
    def method(self, *args, **kwargs):
        return apply_inplace(self, lambda t, *o: fn(t, *o, **kwargs), *args)
    method.__name__ = fn.__name__ + "_"
    return method
