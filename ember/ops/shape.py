"""Shape and layout ops: views (reshape, permute, expand, slicing), joins and splits, where, flips, pads.

View ops set ``is_view``: their output shares memory and the version counter with the input, as in torch.
"""
from __future__ import annotations

import builtins
import functools

import numpy as np

from ..autograd.function import Op
from ._util import Tensor, _wrap, checked_scalar, dims_tuple, promote_operands, result_dtype, unbroadcast, \
    wrap_dim, xp_of as _xp

__all__ = ["view", "reshape", "flatten", "unflatten", "squeeze", "unsqueeze", "permute", "transpose", "swapaxes",
           "swapdims", "movedim", "moveaxis", "t", "expand", "expand_as", "broadcast_to", "broadcast_tensors",
           "broadcast_shapes", "repeat", "repeat_interleave", "tile", "cat", "concat", "concatenate", "stack",
           "hstack", "vstack", "dstack", "column_stack", "split", "chunk", "tensor_split", "unbind", "narrow",
           "select", "flip", "fliplr", "flipud", "roll", "rot90", "where", "tril", "triu", "diagonal", "diag",
           "diag_embed", "trace", "pad", "meshgrid", "contiguous", "clone", "view_as", "reshape_as", "atleast_1d",
           "atleast_2d", "atleast_3d", "ravel", "squeeze_dims", "unfold", "as_strided"]


def present_as(out, name, *inputs):
    """Show a composite's result as torch's single node ``name`` over ``inputs`` (``grad_fn=<MeanBackward0>``
    where ember divides a sum); a node that belongs to one of ``inputs`` is left alone.  See graph.present."""
    from ..autograd.graph import present
    return present(out, name, *inputs)


def numpy_spellings(fn):
    """Accept NumPy's ``axis=`` / ``keepdims=`` for ``dim=`` / ``keepdim=``, as torch's argument parser does."""
    @functools.wraps(fn)
    def call(*args, **kwargs):
        if "axis" in kwargs or "keepdims" in kwargs:
            for alias, name in (("axis", "dim"), ("keepdims", "keepdim")):
                if alias in kwargs:
                    if name in kwargs:
                        raise TypeError(f"{fn.__name__}() got an unexpected keyword argument '{alias}'")
                    kwargs[name] = kwargs.pop(alias)
        return fn(*args, **kwargs)
    return call


def _shape_arg(shape):
    if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)) and not isinstance(shape[0], Tensor):
        shape = tuple(shape[0])
    return tuple(int(s) for s in shape)


def _infer_shape(shape, numel):
    shape = list(shape)
    neg = [i for i, s in enumerate(shape) if s == -1]
    if len(neg) > 1:
        raise RuntimeError("only one dimension can be inferred")
    for s in shape:
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s}")
    known = 1
    for s in shape:
        if s != -1:
            known *= s
    if neg:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape[neg[0]] = numel // known
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return tuple(shape)


# ----------------------------------------------------------------------------------------------------------
# views
# ----------------------------------------------------------------------------------------------------------

class View(Op):
    is_view = True
    _grad_name = "ViewBackward0"

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        try:
            return x.reshape(shape, copy=False)
        except ValueError:
            raise RuntimeError("view size is not compatible with input tensor's size and stride (at least one "
                               "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
                               ) from None

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.in_shape), None


class Reshape(Op):
    """Like View, but copies when the layout does not allow a view (then the output is not a view)."""

    _grad_name = "UnsafeViewBackward0"  # torch copies, then views the copy

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.in_shape), None


class Permute(Op):
    is_view = True

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return x.transpose(dims)

    @staticmethod
    def backward(ctx, grad):
        return grad.permute(tuple(np.argsort(ctx.dims).tolist())), None


class Expand(Op):
    is_view = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        lead = len(shape) - x.ndim
        # torch keeps the stride of a dim that is not expanded (NumPy's broadcast_to zeroes size-1 dims)
        strides = (0,) * lead + tuple(st if n == s else 0 for st, n, s in zip(x.strides, x.shape, shape[lead:]))
        return _as_strided(x, shape, strides)

    @staticmethod
    def backward(ctx, grad):
        return unbroadcast(grad, ctx.in_shape), None


def _as_strided(x, shape, strides):
    """A read-only strided view of ``x`` (byte strides), as ``expand`` gives: writes through it raise."""
    xp = _xp(x)
    if xp is np:
        return np.lib.stride_tricks.as_strided(x, shape, strides, writeable=False)
    return xp.lib.stride_tricks.as_strided(x, shape, strides)


class AsStrided(Op):
    """A strided view relative to the input's own memory: ``(shape, strides in elements, offset)``."""

    is_view = True

    @staticmethod
    def forward(ctx, x, shape, strides, offset):
        ctx.in_shape = x.shape
        ctx.geometry = (shape, strides, offset)
        return _strided(x, shape, strides, offset)

    @staticmethod
    def backward(ctx, grad):
        return _StridedScatter.apply(grad, ctx.in_shape, *ctx.geometry), None, None, None


class _StridedScatter(Op):
    """Backward of AsStrided: accumulate ``grad`` into a zero tensor of the input's shape."""

    @staticmethod
    def forward(ctx, grad, in_shape, shape, strides, offset):
        ctx.geometry = (shape, strides, offset)
        xp = _xp(grad)
        out = xp.zeros(int(np.prod(in_shape)), dtype=grad.dtype)
        idx = _strided(xp.arange(out.size), shape, strides, offset)
        xp.add.at(out, idx.reshape(-1), grad.reshape(-1))
        return out.reshape(in_shape)

    @staticmethod
    def backward(ctx, grad):
        return AsStrided.apply(grad.contiguous(), *ctx.geometry), None, None, None, None


def _strided(x, shape, strides, offset):
    """A view of C-contiguous ``x`` with element strides (``x`` itself when no contiguous layout exists)."""
    xp = _xp(x)
    if not x.flags.c_contiguous:
        x = xp.ascontiguousarray(x)
    item = x.dtype.itemsize
    flat = x.reshape(-1)
    return xp.lib.stride_tricks.as_strided(flat[offset:] if offset else flat, shape=shape,
                                           strides=tuple(s * item for s in strides)) if xp is np else \
        xp.lib.stride_tricks.as_strided(flat[offset:], shape=shape, strides=tuple(s * item for s in strides))


class Slice(Op):
    """Basic indexing (ints, slices, None, Ellipsis): a view."""

    is_view = True
    _grad_name = "SliceBackward0"

    @staticmethod
    def forward(ctx, x, key):
        ctx.in_shape = x.shape
        ctx.key = key
        k0 = key[0] if len(key) == 1 else None
        if type(k0) is int:                # x[i], the common case: torch's SelectBackward0
            ctx.__class__ = _SelectView
        elif type(k0) is not slice:        # type(x[0, None].grad_fn).__name__ reads as torch's too
            shown = _SLICE_KINDS.get(Slice.name(ctx))
            if shown is not None:
                ctx.__class__ = shown
        return _basic_index(x, key)

    def name(self):
        # torch applies the items one by one and names the node after the last one that did something
        real = [k for k in self.key if k is not Ellipsis]
        if len(real) == 1 and isinstance(real[0], slice):
            return "SliceBackward0"
        for k in reversed(real):
            if k is None:
                return "UnsqueezeBackward0"
            if isinstance(k, slice):
                if k != slice(None):
                    return "SliceBackward0"
            else:
                return "SelectBackward0"
        return "AliasBackward0"

    @staticmethod
    def backward(ctx, grad):
        return _SliceScatter.apply(grad, ctx.in_shape, ctx.key), None


class _SelectView(Slice):
    _grad_name = "SelectBackward0"


class _UnsqueezeView(Slice):
    _grad_name = "UnsqueezeBackward0"


class _AliasView(Slice):
    _grad_name = "AliasBackward0"


_SLICE_KINDS = {"SelectBackward0": _SelectView, "UnsqueezeBackward0": _UnsqueezeView, "AliasBackward0": _AliasView}


def _basic_index(x, key):
    """``x[key]`` for ints, slices, None and Ellipsis, always a view with torch's strides.

    A trailing Ellipsis keeps NumPy from returning a scalar when every dim is indexed by an int, and new
    axes are added with ``expand_dims`` (NumPy gives them stride 0 in indexing; torch, the stride of the
    next dim times its size).
    """
    if Ellipsis not in key:
        key = key + (Ellipsis,)
    if not any(k is None for k in key):
        return x[key]
    # torch applies the items left to right: a new axis takes its stride from the dims not yet sliced
    n_real = sum(1 for k in key if k is not None and k is not Ellipsis)
    dim = 0
    for k in key:
        if k is None:
            x = _unsqueeze_array(x, dim)
            dim += 1
        elif k is Ellipsis:
            dim += x.ndim - dim - (n_real - _consumed(key, k))
        else:
            x = x[(slice(None),) * dim + (k, Ellipsis)]
            if isinstance(k, slice):
                dim += 1
    return x


def _unsqueeze_array(x, dim):
    """``x`` with a new size-1 axis at ``dim`` whose stride is torch's: size * stride of the dim it precedes."""
    st = x.strides[dim] * x.shape[dim] if dim < x.ndim else x.dtype.itemsize
    return _xp(x).lib.stride_tricks.as_strided(x, x.shape[:dim] + (1,) + x.shape[dim:],
                                               x.strides[:dim] + (st,) + x.strides[dim:])


def _consumed(key, upto):
    """How many real (int or slice) items come before the Ellipsis ``upto`` in ``key``."""
    n = 0
    for k in key:
        if k is upto:
            return n
        if k is not None:
            n += 1
    return n


class _SliceScatter(Op):
    """Backward of Slice: the gradient placed into zeros of the input's shape."""

    @staticmethod
    def forward(ctx, grad, in_shape, key):
        ctx.key = key
        out = _xp(grad).zeros(in_shape, dtype=grad.dtype)
        out[key] = grad
        return out

    @staticmethod
    def backward(ctx, grad):
        return Slice.apply(grad, ctx.key), None, None


def view(input, *shape):
    if len(shape) == 1 and not isinstance(shape[0], (int, np.integer, tuple, list)) and \
            not hasattr(shape[0], "__iter__"):
        from .. import _dtype as _dt
        return _view_dtype(input, _dt.as_dtype(shape[0]))   # view(dtype): reinterpret the bytes
    return View.apply(input, _infer_shape(_shape_arg(shape), input._data.size))


def _view_dtype(input, dt):
    arr = input._data.view(dt.np)
    out = _wrap(arr)
    out._base = input._base or input
    if input._vc is None:
        input._vc = [0]
    out._vc = input._vc
    return out


def reshape(input, *shape):
    shape = _infer_shape(_shape_arg(shape), input._data.size)
    d = input._data
    if d.flags.c_contiguous or _can_view(d, shape):
        return View.apply(input, shape)
    return Reshape.apply(input, shape)


def _can_view(d, shape):
    try:
        d.reshape(shape, copy=False)
        return True
    except (ValueError, TypeError):
        return False


def view_as(input, other):
    return view(input, other.shape)


def reshape_as(input, other):
    return reshape(input, other.shape)


def flatten(input, start_dim=0, end_dim=-1):
    shape = input._data.shape
    nd = len(shape)
    if nd == 0:
        return reshape(input, (1,))
    s, e = wrap_dim(start_dim, nd), wrap_dim(end_dim, nd)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    n = 1
    for v in shape[s:e + 1]:
        n *= v
    return reshape(input, shape[:s] + (n,) + shape[e + 1:])


ravel = lambda input: reshape(input, (-1,))  # noqa: E731


def unflatten(input, dim, sizes):
    shape = input._data.shape
    d = wrap_dim(dim, len(shape))
    sizes = tuple(int(s) for s in sizes)
    if -1 in sizes:
        known = int(np.prod([s for s in sizes if s != -1]))
        sizes = tuple(shape[d] // known if s == -1 else s for s in sizes)
    if int(np.prod(sizes)) != shape[d]:
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {dim} "
                           f"({shape[d]}) in the input tensor")
    return view(input, shape[:d] + sizes + shape[d + 1:]) if input.is_contiguous() else \
        reshape(input, shape[:d] + sizes + shape[d + 1:])


class SqueezeView(Op):
    """squeeze / unsqueeze: views that add or drop size-1 dims, for any layout."""

    is_view = True

    @staticmethod
    def forward(ctx, x, axes, add):
        ctx.in_shape = x.shape
        ctx.kind = "Unsqueeze" if add else "Squeeze"
        return _unsqueeze_array(x, axes) if add else _xp(x).squeeze(x, axes)

    def name(self):
        return self.__dict__.get("_name") or self.kind + "Backward0"

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.in_shape), None, None


def squeeze(input, dim=None):
    shape = input._data.shape
    if dim is None:
        axes = tuple(i for i, s in enumerate(shape) if s == 1)
    else:
        dims = dims_tuple(dim, len(shape)) if len(shape) else ()
        axes = tuple(i for i in dims if shape[i] == 1)
    out = SqueezeView.apply(input, axes, False)
    # torch: squeeze() is SqueezeBackward0, squeeze(dim) SqueezeBackward1, squeeze(dims) SqueezeBackward2
    variant = 0 if dim is None else 1 if isinstance(dim, (int, np.integer)) else 2
    return present_as(out, f"SqueezeBackward{variant}", input)


squeeze_dims = squeeze


def unsqueeze(input, dim):
    return SqueezeView.apply(input, wrap_dim(dim, input._data.ndim + 1), True)


class _StridedView(Op):
    """A view with explicit strides over the input's memory (diagonal, unfold).

    ``logical`` applies the same selection to an array of element numbers, so backward knows where each
    view element came from without reasoning about memory layouts.
    """

    is_view = True
    _grad_name = "AsStridedBackward0"

    @staticmethod
    def forward(ctx, x, shape, strides, logical):
        ctx.in_shape = x.shape
        ctx.logical = logical
        item = x.dtype.itemsize
        return _xp(x).lib.stride_tricks.as_strided(x, shape=shape, strides=tuple(s * item for s in strides))

    @staticmethod
    def backward(ctx, grad):
        positions = ctx.logical(np.arange(int(np.prod(ctx.in_shape))).reshape(ctx.in_shape))
        from .index import scatter_positions
        return scatter_positions(grad, ctx.in_shape, positions), None, None, None


def permute(input, *dims):
    if not dims:
        raise TypeError('permute() missing 1 required positional arguments: "dims"')
    dims = _shape_arg(dims)
    nd = input._data.ndim
    if len(dims) != nd:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match the "
                           f"length of the desired ordering of dimensions i.e. input.dim() = {nd} is not equal "
                           f"to len(dims) = {len(dims)}")
    dims = tuple(wrap_dim(d, nd) for d in dims)
    if len(set(dims)) != nd:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return Permute.apply(input, dims)


def transpose(input, dim0, dim1):
    nd = input._data.ndim
    if nd == 0:
        return View.apply(input, ())
    a, b = wrap_dim(dim0, nd), wrap_dim(dim1, nd)
    dims = list(range(nd))
    dims[a], dims[b] = dims[b], dims[a]
    return present_as(Permute.apply(input, tuple(dims)), "TransposeBackward0", input)


swapaxes = swapdims = transpose


def t(input):
    nd = input._data.ndim
    if nd > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {nd}D")
    out = transpose(input, 0, 1) if nd == 2 else View.apply(input, input._data.shape)
    return present_as(out, "TBackward0", input)


def movedim(input, source, destination):
    nd = input._data.ndim
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({src} dims) should contain the "
                           f"same number of dims as destination ({dst} dims)")
    src = [wrap_dim(s, nd) for s in src]
    dst = [wrap_dim(s, nd) for s in dst]
    order = [d for d in range(nd) if d not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return Permute.apply(input, tuple(order))


moveaxis = movedim


def expand(input, *sizes):
    sizes = _shape_arg(sizes)
    shape = input._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError(f"expand(torch.FloatTensor{{{list(shape)}}}, size={list(sizes)}): the number of sizes "
                           f"provided ({len(sizes)}) must be greater or equal to the number of dimensions in the "
                           f"tensor ({len(shape)})")
    lead = len(sizes) - len(shape)
    new = []
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed in a leading, "
                                   "non-existing dimension 0")
            new.append(s)
            continue
        cur = shape[i - lead]
        if s == -1:
            new.append(cur)
        elif cur == 1 or cur == s:
            new.append(s)
        else:
            raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing size ({cur}) at "
                               f"non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: "
                               f"{list(shape)}")
    new = tuple(new)
    if new == shape:
        return present_as(View.apply(input, shape), "ExpandBackward0", input)
    return Expand.apply(input, new)


def expand_as(input, other):
    return expand(input, other.shape)


def broadcast_to(input, size):
    return expand(input, tuple(size))


def broadcast_shapes(*shapes):
    try:
        return _size(np.broadcast_shapes(*[tuple(s) if not isinstance(s, int) else (s,) for s in shapes]))
    except ValueError:
        raise RuntimeError(f"shape mismatch: objects cannot be broadcast to a single shape. Got shapes "
                           f"{[list(s) for s in shapes]}") from None


def _size(t):
    from ..tensor import Size
    return Size(t)


def broadcast_tensors(*tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    shape = broadcast_shapes(*[t.shape for t in tensors])
    return tuple(expand(t, shape) for t in tensors)


def contiguous(input, memory_format=None):
    if input._data.flags.c_contiguous:
        return input
    return clone(input)


class Clone(Op):
    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad


def clone(input, *, memory_format=None):
    return Clone.apply(input)


def as_strided(input, size, stride, storage_offset=None):
    """A view with explicit element strides over the input's (contiguous) memory."""
    return AsStrided.apply(input, tuple(size), tuple(stride), int(storage_offset or 0))


# ----------------------------------------------------------------------------------------------------------
# joins and splits
# ----------------------------------------------------------------------------------------------------------

class Cat(Op):
    """Join along ``dim``.  1-d empty inputs are skipped (torch's legacy rule) but still get a gradient."""

    @staticmethod
    def forward(ctx, dim, *xs):
        ctx.dim = dim
        ctx.sizes = [None if _skipped(x) else x.shape[dim] for x in xs]
        return _xp(xs[0]).concatenate([x for x in xs if not _skipped(x)], axis=dim)

    @staticmethod
    def backward(ctx, grad):
        out = [None]
        start = 0
        for n in ctx.sizes:
            if n is None:
                out.append(grad.new_zeros((0,)))
                continue
            out.append(narrow(grad, ctx.dim, start, n))
            start += n
        return tuple(out)


def _skipped(x):
    return x.ndim == 1 and x.shape[0] == 0


def _tensor_sequence(name, tensors):
    if isinstance(tensors, Tensor):
        raise TypeError(f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, not Tensor")
    tensors = list(tensors)
    for i, x in enumerate(tensors):
        if not isinstance(x, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {type(x).__name__}")
    return tensors


def cat(tensors, dim=0, *, out=None):
    tensors = _tensor_sequence("cat", tensors)
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    for i, x in enumerate(tensors):
        if not isinstance(x, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {type(x).__name__}")
    live = [x for x in tensors if not _skipped(x._data)]
    rt = result_dtype(*tensors)
    if not live:
        res = tensors[0].to(rt).clone()
        return res if out is None else _copy_out(out, res)
    ref = live[0]
    nd = ref._data.ndim
    if nd == 0:
        raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
    d = wrap_dim(dim, nd)
    for i, x in enumerate(tensors):
        if _skipped(x._data):
            continue
        if x._data.ndim != nd:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {nd} and {x._data.ndim}")
        for k in range(nd):
            if k != d and x._data.shape[k] != ref._data.shape[k]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected size "
                                   f"{ref._data.shape[k]} but got size {x._data.shape[k]} for tensor number {i} "
                                   "in the list.")
    res = Cat.apply(d, *[x if x.dtype is rt else x.to(rt) for x in tensors])
    return res if out is None else _copy_out(out, res)


def _copy_out(out, res):
    from .inplace import copy_into_out
    return copy_into_out(out, res)


concat = concatenate = cat


def stack(tensors, dim=0, *, out=None):
    tensors = _tensor_sequence("stack", tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shape = tensors[0]._data.shape
    for i, x in enumerate(tensors):
        if x._data.shape != shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(shape)} at entry 0 and "
                               f"{list(x._data.shape)} at entry {i}")
    d = wrap_dim(dim, len(shape) + 1)
    return present_as(cat([unsqueeze(x, d) for x in tensors], d, out=out), "StackBackward0", *tensors)


def hstack(tensors):
    tensors = atleast_1d(*tensors) if len(tensors) > 1 else (atleast_1d(tensors[0]),)
    return cat(tensors, 0 if tensors[0].ndim == 1 else 1)


def vstack(tensors):
    return cat([atleast_2d(x) for x in tensors], 0)


def dstack(tensors):
    return cat([atleast_3d(x) for x in tensors], 2)


def column_stack(tensors):
    return cat([x.reshape(-1, 1) if x.ndim <= 1 else x for x in tensors], 1)


def atleast_1d(*tensors):
    out = tuple(x.reshape(1) if x.ndim == 0 else x for x in (tensors[0] if len(tensors) == 1 and
                                                             isinstance(tensors[0], (list, tuple)) else tensors))
    return out[0] if len(out) == 1 else out


def atleast_2d(*tensors):
    out = tuple(x.reshape(1, 1) if x.ndim == 0 else x.unsqueeze(0) if x.ndim == 1 else x for x in tensors)
    return out[0] if len(out) == 1 else out


def atleast_3d(*tensors):
    def f(x):
        if x.ndim == 0:
            return x.reshape(1, 1, 1)
        if x.ndim == 1:
            return x.reshape(1, -1, 1)
        if x.ndim == 2:
            return x.unsqueeze(-1)
        return x
    out = tuple(f(x) for x in tensors)
    return out[0] if len(out) == 1 else out


def narrow(input, dim, start, length):
    nd = input._data.ndim
    if nd == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, nd)
    size = input._data.shape[d]
    start = int(start)
    if start < 0:
        start += size
    if not 0 <= start <= size or length < 0 or start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    key = (slice(None),) * d + (slice(start, start + length),)
    return Slice.apply(input, key)


def select(input, dim, index):
    nd = input._data.ndim
    if nd == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, nd)
    size = input._data.shape[d]
    index = int(index)
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size {list(input.shape)} at "
                         f"dimension {d}")
    key = (slice(None),) * d + (index if index >= 0 else index + size,)
    return Slice.apply(input, key)


def split(tensor, split_size_or_sections, dim=0):
    d = wrap_dim(dim, tensor._data.ndim)
    size = tensor._data.shape[d]
    if isinstance(split_size_or_sections, (int, np.integer)):
        step = int(split_size_or_sections)
        if step <= 0 and size > 0:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {size}")
        if size == 0:
            return (tensor,) if step == 0 else (narrow(tensor, d, 0, 0),)
        return tuple(present_as(narrow(tensor, d, s, builtins.min(step, size - s)), "SplitBackward0")
                     for s in range(0, size, step))
    sections = [int(s) for s in split_size_or_sections]
    if sum(sections) != size:
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's size at "
                           f"dimension {d}), but got split_sizes={sections}")
    out, start = [], 0
    for n in sections:
        out.append(present_as(narrow(tensor, d, start, n), "SplitWithSizesBackward0"))
        start += n
    return tuple(out)


def chunk(input, chunks, dim=0):
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    step = -(-size // chunks) if size else 0
    if step == 0:
        return tuple(narrow(input, d, 0, 0) for _ in range(builtins.min(chunks, 1) if size else chunks))
    return split(input, step, d)


def tensor_split(input, indices_or_sections, dim=0):
    d = wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    if isinstance(indices_or_sections, Tensor):
        indices_or_sections = indices_or_sections.tolist()
    if isinstance(indices_or_sections, (int, np.integer)):
        n = int(indices_or_sections)
        if n <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {n}")
        q, r = divmod(size, n)
        bounds, start = [], 0
        for i in range(n):
            ln = q + (1 if i < r else 0)
            bounds.append((start, ln))
            start += ln
    else:
        idx = [int(i) for i in indices_or_sections]
        bounds, prev = [], 0
        for i in idx + [size]:
            i = builtins.max(builtins.min(i, size), prev)
            bounds.append((prev, i - prev))
            prev = i
    return tuple(narrow(input, d, s, ln) for s, ln in bounds)


def unbind(input, dim=0):
    d = wrap_dim(dim, input._data.ndim)
    return tuple(present_as(select(input, d, i), "UnbindBackward0") for i in range(input._data.shape[d]))


# ----------------------------------------------------------------------------------------------------------
# where, triangles, diagonals
# ----------------------------------------------------------------------------------------------------------

class Where(Op):
    @staticmethod
    def forward(ctx, cond, x, y):
        ctx.cond = cond
        ctx.shapes = (np.shape(x), np.shape(y))
        return _xp(cond).where(cond, x, y)

    @staticmethod
    def backward(ctx, grad):
        cond = _wrap(ctx.cond)
        zero = grad * 0 if False else None
        sx, sy = ctx.shapes
        gx = unbroadcast(where(cond, grad, 0.0), sx) if ctx._edges[1] is not None else zero
        gy = unbroadcast(where(cond, 0.0, grad), sy) if ctx._edges[2] is not None else zero
        return None, gx, gy


def where(condition, input=None, other=None, *, out=None):
    if input is None and other is None:
        from .index import nonzero
        return nonzero(condition, as_tuple=True)
    if condition._data.dtype != np.bool_:
        if condition._data.dtype == np.uint8:
            condition = _wrap(condition._data.astype(bool))
        else:
            raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                               f"{condition.dtype.name.capitalize()}")
    x, y = input, other
    if isinstance(x, Tensor) or isinstance(y, Tensor):
        rt = result_dtype(x, y)
        if isinstance(x, Tensor):
            x = x if x.dtype is rt else x.to(rt)
        else:
            x = checked_scalar(x, rt)
        if isinstance(y, Tensor):
            y = y if y.dtype is rt else y.to(rt)
        else:
            y = checked_scalar(y, rt)
    else:
        rt = result_dtype(x, y)
        x, y = checked_scalar(x, rt), checked_scalar(y, rt)
    res = Where.apply(condition, x, y)
    if out is not None:
        from .inplace import copy_into_out
        return copy_into_out(out, res)
    return res


def _tri_mask(shape, diagonal, lower, xp):
    n, m = shape[-2], shape[-1]
    return xp.tri(n, m, diagonal, dtype=bool) if lower else ~xp.tri(n, m, diagonal - 1, dtype=bool)


def tril(input, diagonal=0, *, out=None):
    if input._data.ndim < 2:
        raise RuntimeError("tril: input tensor must have at least 2 dimensions")
    mask = _wrap(_tri_mask(input._data.shape, diagonal, True, _xp(input._data)))
    return present_as(where(mask, input, _zero_of(input), out=out), "TrilBackward0", input)


def triu(input, diagonal=0, *, out=None):
    if input._data.ndim < 2:
        raise RuntimeError("triu: input tensor must have at least 2 dimensions")
    mask = _wrap(_tri_mask(input._data.shape, diagonal, False, _xp(input._data)))
    return present_as(where(mask, input, _zero_of(input), out=out), "TriuBackward0", input)


def _zero_of(t):
    return _wrap(np.zeros((), dtype=t._data.dtype))


def diagonal(input, offset=0, dim1=0, dim2=1):
    d = input._data
    nd = d.ndim
    a, b = wrap_dim(dim1, nd), wrap_dim(dim2, nd)
    if a == b:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    n, m = d.shape[a], d.shape[b]
    r0, c0 = (0, offset) if offset >= 0 else (-offset, 0)
    length = builtins.max(builtins.min(n - r0, m - c0), 0)
    key = [slice(None)] * nd
    key[a] = slice(builtins.min(r0, n), None)
    key[b] = slice(builtins.min(c0, m), None)
    start = Slice.apply(input, tuple(key))             # the first diagonal element is at the view's origin
    sd = start._data
    item = sd.dtype.itemsize
    keep = [i for i in range(nd) if i not in (a, b)]
    shape = tuple(sd.shape[i] for i in keep) + (length,)
    strides = tuple(sd.strides[i] // item for i in keep) + ((sd.strides[a] + sd.strides[b]) // item,)
    out = _StridedView.apply(start, shape, strides, lambda lin: np.diagonal(lin, 0, a, b))
    return present_as(out, "DiagonalBackward0")


def diag(input, diagonal=0):
    nd = input._data.ndim
    if nd == 1:
        n = input._data.shape[0] + builtins.abs(diagonal)
        return diag_embed(input, diagonal, 0, 1) if n else input.new_zeros((0, 0))
    if nd == 2:
        return diagonal_copy(input, diagonal)
    raise RuntimeError("diag(): Supports 1D or 2D tensors. Got " + f"{nd}D")


def diagonal_copy(input, offset=0):
    return clone(diagonal(input, offset))


class DiagEmbed(Op):
    @staticmethod
    def forward(ctx, x, offset, dim1, dim2):
        ctx.args = (offset, dim1, dim2)
        xp = _xp(x)
        n = x.shape[-1] + builtins.abs(offset)
        out = xp.zeros(x.shape[:-1] + (n, n), dtype=x.dtype)
        i = xp.arange(x.shape[-1])
        r, c = (i, i + offset) if offset >= 0 else (i - offset, i)
        out[..., r, c] = x
        nd = out.ndim
        a, b = dim1 % nd, dim2 % nd
        # out has the diagonal in its last two dims; move them to (dim1, dim2)
        perm = list(range(nd - 2))
        order = [None] * nd
        rest = iter(perm)
        for k in range(nd):
            if k == a:
                order[k] = nd - 2
            elif k == b:
                order[k] = nd - 1
            else:
                order[k] = next(rest)
        ctx.order = order
        return out.transpose(order).copy()

    @staticmethod
    def backward(ctx, grad):
        offset, dim1, dim2 = ctx.args
        return diagonal(grad, offset, dim1, dim2), None, None, None


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    nd = input._data.ndim + 1
    return DiagEmbed.apply(input, offset, wrap_dim(dim1, nd), wrap_dim(dim2, nd))


def trace(input):
    if input._data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input._data.ndim}")
    return diagonal(input).sum()


# the tiling family lives in its own file; it is part of this module's public surface
from .tiling import (PadConstant, flip, fliplr, flipud, meshgrid, pad, repeat, repeat_interleave,  # noqa: E402,F401
                     roll, rot90, tile, unfold)

cat = concat = concatenate = numpy_spellings(cat)
stack, squeeze, unsqueeze, unbind, chunk, tensor_split, repeat_interleave = (
    numpy_spellings(f) for f in (stack, squeeze, unsqueeze, unbind, chunk, tensor_split, repeat_interleave))
squeeze_dims = squeeze
