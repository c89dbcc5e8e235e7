"""Indexing: ``__getitem__`` / ``__setitem__``, gather/scatter, index_* and masked_* ops."""
from __future__ import annotations

import numpy as np

from .. import _dtype as _dt
from ..autograd.function import Op
from ..autograd.graph import present
from ._util import Tensor, _wrap, unbroadcast, wrap_dim, xp_of as _xp
from .shape import Slice, numpy_spellings as _numpy_spellings, present_as

__all__ = ["getitem", "index_put", "gather", "scatter", "scatter_add", "scatter_reduce", "index_select",
           "index_add", "index_copy", "index_fill", "masked_fill", "masked_select", "masked_scatter", "take",
           "take_along_dim", "nonzero", "argwhere", "scatter_positions", "searchsorted", "bucketize"]


# ----------------------------------------------------------------------------------------------------------
# keys
# ----------------------------------------------------------------------------------------------------------

def _convert_key(key):
    """Turn a torch-style index into a NumPy one; report whether it is advanced (copying) indexing."""
    if not isinstance(key, tuple):
        key = (key,)
    out = []
    advanced = False
    for k in key:
        if isinstance(k, Tensor):
            d = k._data
            if d.dtype.kind == "b":
                advanced = True
                out.append(d)
            elif d.dtype.kind in "iu":
                advanced = True
                out.append(d)
            else:
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        elif isinstance(k, (list, tuple, range, np.ndarray)):  # any sequence is an index tensor (x[range(n), y])
            arr = np.asarray(k)
            if arr.dtype.kind not in "biu":
                if arr.size == 0:
                    arr = arr.astype(np.int64)
                else:
                    raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            advanced = True
            out.append(arr)
        elif isinstance(k, bool) or k is None or k is Ellipsis or isinstance(k, slice):
            if isinstance(k, bool):
                advanced = True
            if isinstance(k, slice):
                k = slice(_idx(k.start), _idx(k.stop), _idx(k.step))
                if k.step == 0:
                    raise ValueError("slice step cannot be zero")
                if k.step is not None and k.step < 0:
                    raise ValueError("step must be greater than zero")
            out.append(k)
        elif isinstance(k, (int, np.integer)) or hasattr(k, "__index__"):
            out.append(int(k.__index__()) if not isinstance(k, int) else k)
        else:
            raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are "
                             f"valid indices (got {type(k).__name__})")
    return tuple(out), advanced


def _idx(v):
    if v is None or isinstance(v, int):
        return v
    return int(v.__index__())


def _check_int_bounds(shape, key):
    dim = 0
    n_real = sum(1 for k in key if k is not None and k is not Ellipsis and not isinstance(k, bool))
    for k in key:
        if k is Ellipsis:
            dim += len(shape) - n_real
            continue
        if k is None or isinstance(k, bool):
            continue
        if isinstance(k, int):
            if dim >= len(shape):
                raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
            size = shape[dim]
            if not -size <= k < size:
                raise IndexError(f"index {k} is out of bounds for dimension {dim} with size {size}")
        dim += 1 if not (isinstance(k, np.ndarray) and k.dtype == np.bool_) else max(k.ndim, 1)
    if dim > len(shape):
        raise IndexError(f"too many indices for tensor of dimension {len(shape)}")


def _check_advanced(shape, key):
    """torch's errors for tensor indices: a mask of the wrong shape, an index out of range, shapes that do not
    broadcast.  Dims are counted once integer indices are applied; an index's dim is counted from the first
    tensor index, as torch reports it."""
    def width(k):
        if k is None or k is Ellipsis or isinstance(k, bool):
            return 0
        return k.ndim if isinstance(k, np.ndarray) and k.dtype == np.bool_ else 1
    n_real = sum(width(k) for k in key)
    kept, arrays, dim = [], [], 0  # kept: the shape once integer indices are applied
    for k in key:
        if k is Ellipsis:
            n = len(shape) - n_real
            kept.extend(shape[dim:dim + n])
            dim += n
            continue
        w = width(k)
        if isinstance(k, np.ndarray):
            arrays.append((k, len(kept)))
        if not isinstance(k, int):
            kept.extend(shape[dim:dim + w])
        dim += w
    kept.extend(shape[dim:])
    first = arrays[0][1] if arrays else 0
    for arr, at in arrays:
        if arr.dtype == np.bool_:
            for j, n in enumerate(arr.shape):
                if at + j >= len(kept) or kept[at + j] != n:
                    raise IndexError(f"The shape of the mask {list(arr.shape)} at index {j} does not match the "
                                     f"shape of the indexed tensor {list(kept)} at index {at + j}")
        elif arr.size and at < len(kept):
            n = kept[at]
            bad = (arr < -n) | (arr >= n)
            if bad.any():
                raise IndexError(f"index {int(arr[bad].flat[0])} is out of bounds for dimension {at - first} "
                                 f"with size {n}")
    ints = [arr.shape for arr, _ in arrays if arr.dtype != np.bool_]
    if len(ints) == len(arrays) and len(ints) > 1:
        try:
            np.broadcast_shapes(*ints)
        except ValueError:
            raise IndexError("shape mismatch: indexing tensors could not be broadcast together with shapes "
                             + ", ".join(str(list(s)) for s in ints)) from None


class IndexGet(Op):
    """Advanced indexing: a copy; backward accumulates into the indexed positions."""

    _grad_name = "IndexBackward0"

    @staticmethod
    def forward(ctx, x, key):
        ctx.in_shape = x.shape
        ctx.key = key
        try:
            return x[key]
        except IndexError as e:
            raise IndexError(_torch_index_message(str(e), x.shape)) from None

    @staticmethod
    def backward(ctx, grad):
        return IndexAccumulate.apply(grad, ctx.in_shape, ctx.key), None


class IndexAccumulate(Op):
    """zeros(shape) with ``grad`` added at ``key`` (repeated indices add up)."""

    @staticmethod
    def forward(ctx, grad, shape, key):
        ctx.key = key
        xp = _xp(grad)
        out = xp.zeros(shape, dtype=grad.dtype)
        xp.add.at(out, key, grad)
        return out

    @staticmethod
    def backward(ctx, grad):
        return IndexGet.apply(grad, ctx.key), None, None


def _torch_index_message(msg, shape):
    if "out of bounds" in msg:
        return msg.replace("axis", "dimension")
    return msg


def getitem(input, key):
    nkey, advanced = _convert_key(key)
    if not advanced:
        _check_int_bounds(input._data.shape, nkey)
        return Slice.apply(input, nkey)
    _check_advanced(input._data.shape, nkey)
    return IndexGet.apply(input, nkey)


class IndexPut(Op):
    """out = x with ``out[key] = value`` (``accumulate``: ``+=``)."""

    _grad_name = "IndexPutBackward0"

    @staticmethod
    def forward(ctx, x, value, key, accumulate):
        ctx.key = key
        ctx.accumulate = accumulate
        ctx.value_shape = np.shape(value)
        out = x.copy()
        try:
            if accumulate:
                _xp(x).add.at(out, key, value)
            else:
                out[key] = value
        except IndexError as e:
            raise IndexError(_torch_index_message(str(e), x.shape)) from None
        return out

    @staticmethod
    def backward(ctx, grad):
        key = ctx.key
        gx = None
        if ctx._edges[0] is not None:
            gx = grad if ctx.accumulate else IndexPut.apply(grad, _wrap(np.zeros((), grad._data.dtype)), key, False)
        gv = None
        if ctx._edges[1] is not None:
            gv = unbroadcast(IndexGet.apply(grad, key), ctx.value_shape)
        return gx, gv, None, None


def index_put(input, indices, values, accumulate=False):
    key, _ = _convert_key(tuple(indices))
    values = _value_operand(values, input)
    return IndexPut.apply(input, values, key, accumulate)


def _value_operand(value, like):
    if isinstance(value, Tensor):
        if value.dtype is not like.dtype:
            value = value.to(like.dtype)
        return value
    return _wrap(np.asarray(value, dtype=like._data.dtype))


_LEGACY_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
                 "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
                 "complex64": "ComplexFloat", "complex128": "ComplexDouble"}


def _legacy_name(t):
    return f"torch.{_LEGACY_NAMES.get(t.dtype.name, t.dtype.name)}Tensor"


def _fit_value(input, nkey, advanced, value):
    """``value`` shaped for ``input[key] = value``: torch's errors when it does not broadcast (NumPy's would
    name arrays), and leading size-1 dims beyond the target's dropped, as torch does."""
    vshape = tuple(value.shape) if isinstance(value, Tensor) else ()
    if not vshape:
        return value
    target = (np.empty(input._data.shape, dtype=np.bool_)[nkey] if advanced else input._data[nkey]).shape
    if advanced:
        try:
            np.broadcast_shapes(vshape, target)
        except ValueError:
            raise RuntimeError(f"shape mismatch: value tensor of shape {list(vshape)} cannot be broadcast to "
                               f"indexing result of shape {list(target)}") from None
        return value
    while vshape and vshape[0] == 1 and len(vshape) > len(target):   # torch drops leading size-1 dims first
        vshape = vshape[1:]
    if len(vshape) > len(target):
        raise RuntimeError(f"expand({_legacy_name(value)}{{{list(vshape)}}}, size={list(target)}): the number of "
                           f"sizes provided ({len(target)}) must be greater or equal to the number of dimensions "
                           f"in the tensor ({len(vshape)})")
    lead = len(target) - len(vshape)
    for i, n in enumerate(vshape):
        if n != 1 and n != target[lead + i]:
            raise RuntimeError(f"The expanded size of the tensor ({target[lead + i]}) must match the existing size "
                               f"({n}) at non-singleton dimension {lead + i}.  Target sizes: {list(target)}.  "
                               f"Tensor sizes: {list(vshape)}")
    return value if len(vshape) == value.ndim else value.reshape(vshape)


def setitem(input, key, value):
    """``input[key] = value``: in place, recorded in the graph when autograd is involved."""
    from .inplace import apply_inplace, check_inplace
    if not isinstance(value, (Tensor, bool, int, float, complex, np.generic)):
        raise TypeError(f"can't assign a {_type_name(value)} to a {_legacy_name(input)}")
    nkey, advanced = _convert_key(key)
    if not advanced:
        _check_int_bounds(input._data.shape, nkey)
    else:
        _check_advanced(input._data.shape, nkey)
    value = _value_operand(_fit_value(input, nkey, advanced, value), input)
    if input.requires_grad and input._grad_fn is None and input._base is None and _needs_graph(input):
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")
    if not _needs_graph(input, value):
        check_inplace(input)
        vd = value._data
        input._data[nkey] = vd
        input._bump_version()
        return
    # the value goes in as an operand (not a closure variable): a value that requires grad makes the write
    # recorded even when ``input`` itself does not require grad
    apply_inplace(input, lambda x, v: IndexPut.apply(x, v, nkey, False), value)
    if not advanced and input._base is None:  # torch writes basic-index assignments through a view
        present_as(input, "torch::autograd::CopySlices")


def _type_name(value):
    cls = type(value)
    return cls.__name__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__name__}"


def _needs_graph(*ts):
    from ..autograd.grad_mode import _state
    return _state[0] and any(isinstance(t, Tensor) and t.requires_grad for t in ts)


# ----------------------------------------------------------------------------------------------------------
# gather / scatter
# ----------------------------------------------------------------------------------------------------------

def _full_index(index, dim, xp, ndim=1):
    """Index arrays for ``out[i][j][k] = x[i][index[i][j][k]][k]`` style addressing along ``dim`` of an
    ``ndim``-dimensional array.  A 0-d index addresses one element of a 0-d or 1-d array, as in torch."""
    if index.ndim == 0:
        return (index,) if ndim else ()
    grids = list(xp.indices(index.shape, sparse=True))
    grids[dim] = index
    return tuple(grids)


def _check_index(name, input, dim, index):
    if index._data.dtype.kind not in "iu" or index._data.dtype.itemsize < 4:
        raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index")
    nd = builtins_max(input._data.ndim, 1)
    if index._data.ndim != input._data.ndim and not (index._data.ndim <= 1 and input._data.ndim <= 1):
        raise RuntimeError(f"Index tensor must have the same number of dimensions as "
                           f"{'input' if name == 'gather' else 'self'} tensor")
    d = wrap_dim(dim, nd)
    idx = index._data
    if idx.size and input._data.ndim:
        size = input._data.shape[d]
        lo, hi = int(idx.min()), int(idx.max())
        if hi >= size or lo < 0:
            raise RuntimeError(f"index {hi if hi >= size else lo} is out of bounds for dimension {d} with size {size}")
    return d


def builtins_max(a, b):
    return a if a > b else b


class Gather(Op):
    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.args = (x.shape, dim, index)
        xp = _xp(x)
        if x.ndim == 0:
            return x[index] if index.ndim else x.copy()
        size = x.shape[dim]
        if index.size and (index.min() < -size or index.max() >= size):
            raise RuntimeError(f"index {int(index.max())} is out of bounds for dimension {dim} with size {size}")
        return x[_full_index(index, dim, xp, x.ndim)]

    @staticmethod
    def backward(ctx, grad):
        shape, dim, index = ctx.args
        zeros = _wrap(_xp(grad._data).zeros(shape, dtype=grad._data.dtype))
        return ScatterAdd.apply(zeros, dim, index, grad), None, None


def gather(input, dim, index, *, sparse_grad=False, out=None):
    d = _check_index("gather", input, dim, index)
    return Gather.apply(input, d, index._data)


class ScatterAdd(Op):
    @staticmethod
    def forward(ctx, x, dim, index, src):
        ctx.args = (dim, index, src.shape)
        out = x.copy()
        xp = _xp(x)
        src_part = src[tuple(slice(0, s) for s in index.shape)]
        xp.add.at(out, _full_index(index, dim, xp, out.ndim), src_part)
        return out

    @staticmethod
    def backward(ctx, grad):
        dim, index, src_shape = ctx.args
        gsrc = None
        if ctx._edges[3] is not None:
            gsrc = Gather.apply(grad, dim, index)
            if gsrc.shape != src_shape:
                gsrc = gsrc.pad_to(src_shape) if hasattr(gsrc, "pad_to") else _pad_to(gsrc, src_shape)
        return grad, None, None, gsrc


def _pad_to(t, shape):
    from .shape import pad
    widths = []
    for have, want in reversed(list(zip(t.shape, shape))):
        widths += [0, want - have]
    return pad(t, widths)


class Scatter(Op):
    @staticmethod
    def forward(ctx, x, dim, index, src):
        ctx.args = (dim, index, np.shape(src))
        out = x.copy()
        xp = _xp(x)
        part = src[tuple(slice(0, s) for s in index.shape)] if np.ndim(src) else src
        out[_full_index(index, dim, xp, out.ndim)] = part
        return out

    @staticmethod
    def backward(ctx, grad):
        dim, index, src_shape = ctx.args
        zero = _wrap(np.zeros((), grad._data.dtype))
        gx = Scatter.apply(grad, dim, index, zero) if ctx._edges[0] is not None else None
        gsrc = None
        if ctx._edges[3] is not None:
            gsrc = Gather.apply(grad, dim, index)
            if gsrc.shape != src_shape:
                gsrc = _pad_to(gsrc, src_shape)
        return gx, None, None, gsrc


def scatter(input, dim, index, src=None, value=None, *, reduce=None):
    if src is None:
        src = value
    d = _check_index("scatter", input, dim, index)
    if reduce is not None:
        red = {"add": "sum", "multiply": "prod"}.get(reduce)
        if red is None:
            raise RuntimeError(f"reduce argument must be either add or multiply. Got {reduce}")
        if not isinstance(src, Tensor):
            src = _wrap(np.full(index.shape, src, dtype=input._data.dtype))
        return scatter_reduce(input, d, index, src, red)
    if isinstance(src, Tensor):
        if src.dtype is not input.dtype:
            raise RuntimeError(f"scatter(): Expected self.dtype to be equal to src.dtype")
        return Scatter.apply(input, d, index._data, src)
    return Scatter.apply(input, d, index._data, _wrap(np.asarray(src, dtype=input._data.dtype)))


def scatter_add(input, dim, index, src):
    d = _check_index("scatter_add", input, dim, index)
    return ScatterAdd.apply(input, d, index._data, src)


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    """Reduce ``src`` into ``input`` at ``index`` along ``dim`` with sum, prod, mean, amax or amin."""
    d = _check_index("scatter_reduce", input, dim, index)
    if reduce not in ("sum", "prod", "mean", "amax", "amin"):
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    idx = index._data
    xp = _xp(input._data)
    full = _full_index(idx, d, xp, input.ndim)
    src_part = src[tuple(slice(0, s) for s in idx.shape)] if src.shape != index.shape else src
    hit = np.zeros(input.shape, dtype=bool)
    hit[full] = True
    hit_t = _wrap(hit)
    if reduce in ("sum", "mean"):
        base = input if include_self else input.masked_fill(hit_t, 0)
        out = ScatterAdd.apply(base, d, idx, src_part)
        if reduce == "mean":
            counts = np.zeros(input.shape, dtype=np.int64)
            np.add.at(counts, full, 1)
            counts = counts + (1 if include_self else 0)
            counts = np.maximum(counts, 1)
            cnt = _wrap(counts.astype(input._data.dtype))
            out = out / cnt if input._data.dtype.kind in "fcV" else out.div(cnt, rounding_mode="floor")
        return out
    # prod / amax / amin: a gather-then-reduce formulation keeps the gradient exact (ties share equally)
    if reduce == "prod":
        base = input if include_self else input.masked_fill(hit_t, 1)
        logs_ok = True
        out_arr = base._data.copy()
        np.multiply.at(out_arr, full, src_part._data)
        res = _ScatterProd.apply(base, src_part, d, idx, out_arr) if logs_ok else None
        return res
    ufunc = np.maximum if reduce == "amax" else np.minimum
    out_arr = input._data.copy()
    if not include_self:
        fill = -np.inf if reduce == "amax" else np.inf
        if out_arr.dtype.kind in "iu":
            info = np.iinfo(out_arr.dtype)
            fill = info.min if reduce == "amax" else info.max
        out_arr[hit] = fill
    ufunc.at(out_arr, full, src_part._data)
    return _ScatterMinMax.apply(input, src_part, d, idx, out_arr, None if include_self else hit)


class _ScatterProd(Op):
    save_inputs = (0, 1)

    @staticmethod
    def forward(ctx, base, src, dim, index, out):
        ctx.args = (dim, index)
        ctx.out = out
        return out

    @staticmethod
    def backward(ctx, grad):
        base, src = ctx.saved_tensors
        dim, index = ctx.args
        out = _wrap(ctx.out)
        g_base = grad * out / base
        g_src = Gather.apply(grad * out, dim, index) / src
        return g_base, g_src, None, None, None


class _ScatterMinMax(Op):
    save_inputs = (0, 1)

    @staticmethod
    def forward(ctx, base, src, dim, index, out, hit):
        ctx.args = (dim, index, hit)
        ctx.out = out
        return out

    @staticmethod
    def backward(ctx, grad):
        base, src = ctx.saved_tensors
        dim, index, hit = ctx.args
        out = _wrap(ctx.out)
        # include_self: the base competes with the scattered values; otherwise it survives where nothing landed
        base_hit = (base == out) if hit is None else _wrap(~hit)
        src_hit = Gather.apply(out, dim, index) == src
        # ties share the gradient equally
        count = base_hit.to(grad.dtype)
        count = ScatterAdd.apply(count, dim, index, src_hit.to(grad.dtype))
        share = grad / count.clamp(min=1)
        g_base = share * base_hit
        g_src = Gather.apply(share, dim, index) * src_hit
        return g_base, g_src, None, None, None, None


def index_select(input, dim, index, *, out=None):
    if index._data.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    if index._data.dtype.kind not in "iu":
        raise IndexError("index_select(): Expected dtype int32/int64 for index")
    nd = input._data.ndim
    d = wrap_dim(dim, nd)
    idx = index._data.reshape(-1)
    if nd == 0:
        return getitem(input, ()) if idx.size else input.reshape(0)
    size = input._data.shape[d]
    if idx.size and (idx.min() < -size or idx.max() >= size):
        bad = int(idx.max()) if idx.max() >= size else int(idx.min())
        raise RuntimeError(f"INDICES element is out of DATA bounds, id={bad} axis_dim={size}")
    key = (slice(None),) * d + (idx,)
    return present(IndexGet.apply(input, key), "IndexSelectBackward0", input)


def index_add(input, dim, index, source, *, alpha=1):
    d = wrap_dim(dim, input._data.ndim)
    key = (slice(None),) * d + (index._data,)
    src = source * alpha if alpha != 1 else source
    return IndexPut.apply(input, src, key, True)


def index_copy(input, dim, index, source):
    d = wrap_dim(dim, input._data.ndim)
    key = (slice(None),) * d + (index._data,)
    return IndexPut.apply(input, source, key, False)


def index_fill(input, dim, index, value):
    d = wrap_dim(dim, input._data.ndim)
    key = (slice(None),) * d + (index._data,)
    v = value if isinstance(value, Tensor) else _wrap(np.asarray(value, dtype=input._data.dtype))
    return IndexPut.apply(input, v.to(input.dtype), key, False)


def masked_fill(input, mask, value):
    if mask._data.dtype != np.bool_:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{_C_NAMES.get(mask.dtype.name, mask.dtype.name)}")
    from .shape import where
    if isinstance(value, Tensor):
        if value._data.ndim != 0:
            raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value._data.ndim} dimension(s).")
        value = value.to(input.dtype)
    else:
        value = _wrap(np.asarray(value, dtype=input._data.dtype)) if input._data.dtype.kind != "V" else \
            _wrap(np.asarray(value, dtype=np.float32).astype(input._data.dtype))
    res = where(mask, value, input)
    if res.shape != input.shape:
        raise RuntimeError(f"The size of the mask must match the input's shape (got mask {list(mask.shape)} for "
                           f"input {list(input.shape)})")
    return present(res, "MaskedFillBackward0" if value._data.ndim == 0 and not value.requires_grad
                   else "MaskedFillBackward1", input, *((value,) if value.requires_grad else ()))


_C_NAMES = {"int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
            "uint8": "unsigned char", "float32": "float", "float64": "double", "float16": "c10::Half",
            "bfloat16": "c10::BFloat16"}


def masked_select(input, mask):
    from .shape import broadcast_tensors
    x, m = broadcast_tensors(input, mask)
    return IndexGet.apply(x, (m._data,))


def masked_scatter(input, mask, source):
    from .shape import broadcast_tensors
    x, m = broadcast_tensors(input, mask)
    n = int(m._data.sum())
    vals = source.reshape(-1)[:n]
    return IndexPut.apply(x.contiguous() if x is input else x.clone(), vals, (m._data,), False)


def take(input, index):
    flat = input.reshape(-1)
    idx = index._data
    n = flat._data.shape[0]
    if idx.size and (idx.min() < -n or idx.max() >= n):
        raise IndexError(f"out of range: tried to access index {int(idx.max())} on a tensor of {n} elements.")
    return IndexGet.apply(flat, (idx,))


def take_along_dim(input, indices, dim=None):
    if dim is None:
        return take(input, indices)
    from .shape import broadcast_shapes
    d = wrap_dim(dim, input._data.ndim)
    shp_in = list(input.shape)
    shp_idx = list(indices.shape)
    shp_in[d] = shp_idx[d] = 1
    b = list(broadcast_shapes(shp_in, shp_idx))
    xs = list(b)
    xs[d] = input.shape[d]
    ids = list(b)
    ids[d] = indices.shape[d]
    return gather(input.expand(xs), d, indices.expand(ids))


def nonzero(input, *, as_tuple=False):
    d = input._host()
    if d.ndim == 0:   # torch: (n, 0) indices, or one index tensor of 0s as a tuple
        n = int(bool(d))
        return (_wrap(np.zeros(n, np.int64)),) if as_tuple else _wrap(np.zeros((n, 0), np.int64))
    idx = np.nonzero(d)
    if as_tuple:
        return tuple(_wrap(i.astype(np.int64)) for i in idx)
    return _wrap(np.stack(idx, axis=1).astype(np.int64) if idx else np.zeros((0, 0), np.int64))


def argwhere(input):
    return nonzero(input)


class _ScatterPositions(Op):
    """zeros(shape) with ``grad`` added at flat ``positions`` (backward of strided views)."""

    @staticmethod
    def forward(ctx, grad, shape, positions):
        ctx.positions = positions
        xp = _xp(grad)
        out = xp.zeros(int(np.prod(shape)), dtype=grad.dtype)
        xp.add.at(out, positions.reshape(-1), grad.reshape(-1))
        return out.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return IndexGet.apply(grad.reshape(-1), (ctx.positions,)), None, None


def scatter_positions(grad, shape, positions):
    return _ScatterPositions.apply(grad, shape, positions)


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None):
    side = side or ("right" if right else "left")
    seq = sorted_sequence._host()
    vals = input._host() if isinstance(input, Tensor) else np.asarray(input)
    if seq.ndim == 1:
        res = np.searchsorted(seq, vals, side=side)
    else:
        res = np.stack([np.searchsorted(s, v, side=side) for s, v in
                        zip(seq.reshape(-1, seq.shape[-1]), vals.reshape(-1, vals.shape[-1]))]).reshape(vals.shape)
    return _wrap(np.asarray(res).astype(np.int32 if out_int32 else np.int64))


def bucketize(input, boundaries, *, out_int32=False, right=False):
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


take_along_dim = _numpy_spellings(take_along_dim)


# ----------------------------------------------------------------------------------------------------------
# embedding lookup
# ----------------------------------------------------------------------------------------------------------

class Embedding(Op):
    """out = weight[indices]; the weight's gradient is a scatter-add of ``grad`` rows (padding row excluded,
    optionally divided by each index's count in the batch)."""

    _grad_name = "EmbeddingBackward0"

    @staticmethod
    def forward(ctx, weight, indices, padding_idx, scale_grad_by_freq):
        ctx.p = (weight.shape, indices, padding_idx, scale_grad_by_freq)
        return weight[indices]

    @staticmethod
    def backward(ctx, grad):
        shape, indices, padding_idx, scale = ctx.p
        flat = indices.reshape(-1)
        g2 = grad.reshape(-1, shape[1])                              # (numel(indices), D)
        if scale or padding_idx is not None:
            factor = np.ones(flat.shape[0], grad._data.dtype)
            if scale:
                counts = np.bincount(flat, minlength=shape[0])
                factor = factor / counts[flat]
            if padding_idx is not None:
                factor = factor * (flat != padding_idx)
            g2 = g2 * _wrap(factor.astype(grad._data.dtype)).unsqueeze(1)
        zeros = _wrap(np.zeros(shape, grad._data.dtype))
        return index_add(zeros, 0, _wrap(flat), g2), None, None, None


def embedding_op(weight, indices_array, padding_idx, scale_grad_by_freq):
    return Embedding.apply(weight, indices_array, padding_idx, scale_grad_by_freq)
