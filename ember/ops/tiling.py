"""Shape ops that build bigger tensors from smaller ones or rearrange elements: repeat, tile,
repeat_interleave, pad, meshgrid, the sliding-window view ``unfold``, and flip / roll / rot90.  (Split from
``shape.py``; re-exported there.)"""
from __future__ import annotations

import builtins

import numpy as np

from ..autograd.function import Op
from ._util import Tensor, _wrap, wrap_dim
from .shape import _shape_arg, _SliceScatter, _StridedView, _xp, clone, expand, present_as, reshape

__all__ = ["repeat", "tile", "repeat_interleave", "pad", "meshgrid", "unfold", "PadConstant", "flip", "fliplr", "flipud",
           "roll", "rot90"]


# ----------------------------------------------------------------------------------------------------------
# repeat, tile, pad, meshgrid, unfold
# ----------------------------------------------------------------------------------------------------------

def repeat(input, *sizes):
    sizes = _shape_arg(sizes)
    shape = input._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of "
                           "tensor")
    shape = (1,) * (len(sizes) - len(shape)) + shape
    x = reshape(input, shape)
    # (d0, d1, ...) -> (r0, d0, r1, d1, ...) by expand, then merge pairs
    inter = []
    for r, s in zip(sizes, shape):
        inter += [1, s]
    x = reshape(x, tuple(inter))
    exp_shape = []
    for r, s in zip(sizes, shape):
        exp_shape += [r, s]
    x = expand(x, tuple(exp_shape))
    return present_as(reshape(x, tuple(r * s for r, s in zip(sizes, shape))), "RepeatBackward0", input)


def tile(input, *dims):
    """``tile(x, (2, 1))``; the method also takes the reps unpacked, ``x.tile(2, 1)``."""
    if not dims:
        raise TypeError('tile() missing 1 required positional arguments: "dims"')
    dims = _shape_arg(dims)
    if len(dims) < input._data.ndim:
        dims = (1,) * (input._data.ndim - len(dims)) + dims
    return repeat(input, dims)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    if repeats is None:  # torch.repeat_interleave(repeats_tensor)
        reps = input
        idx = np.repeat(np.arange(reps._data.shape[0]), reps._host())
        return _wrap(idx.astype(np.int64))
    if dim is None:
        input = reshape(input, (-1,))
        dim = 0
    d = wrap_dim(dim, input._data.ndim)
    n = input._data.shape[d]
    if isinstance(repeats, Tensor):
        reps = repeats._host()
        if reps.ndim == 0:
            reps = np.full(n, int(reps))
    else:
        reps = np.full(n, int(repeats))
    if reps.shape[0] != n:
        raise RuntimeError("repeats must have the same size as input along dim")
    idx = _wrap(np.repeat(np.arange(n), reps))
    from .index import index_select
    return index_select(input, d, idx)


class PadConstant(Op):
    _grad_name = "ConstantPadNdBackward0"

    @staticmethod
    def forward(ctx, x, widths, value):
        ctx.key = tuple(slice(lo, lo + s) for (lo, _), s in zip(widths, x.shape))
        xp = _xp(x)
        # negative pads crop
        crop = tuple(slice(-lo if lo < 0 else 0, s + hi if hi < 0 else s) for (lo, hi), s in zip(widths, x.shape))
        xc = x[crop]
        w = tuple((builtins.max(lo, 0), builtins.max(hi, 0)) for lo, hi in widths)
        ctx.key = tuple(slice(lo, lo + s) for (lo, _), s in zip(w, xc.shape))
        ctx.crop = crop
        ctx.in_shape = x.shape
        return xp.pad(xc, w, mode="constant", constant_values=value)

    @staticmethod
    def backward(ctx, grad):
        g = grad[ctx.key]
        if any(c != slice(0, s) for c, s in zip(ctx.crop, ctx.in_shape)):
            g = _SliceScatter.apply(g, ctx.in_shape, ctx.crop)
        return g, None, None


def pad(input, pad, mode="constant", value=None):
    """Pad the last ``len(pad) // 2`` dims; ``pad = (left_last, right_last, left_prev, right_prev, ...)``."""
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    nd = input._data.ndim
    if len(pad) // 2 > nd:
        raise RuntimeError(f"Padding length should be less than or equal to two times the input dimension but "
                           f"got padding length {len(pad)} and input of dimension {nd}")
    widths = [(0, 0)] * nd
    for i in range(len(pad) // 2):
        widths[nd - 1 - i] = (int(pad[2 * i]), int(pad[2 * i + 1]))
    if mode == "constant":
        return PadConstant.apply(input, tuple(widths), 0 if value is None else value)
    from .pad_modes import pad_mode
    return pad_mode(input, tuple(widths), mode)


_warned_meshgrid = []


def meshgrid(*tensors, indexing=None):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        if not _warned_meshgrid:   # torch warns once per process
            import warnings
            _warned_meshgrid.append(True)
            warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the indexing "
                          "argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but received: {indexing}")
    n = len(tensors)
    shape = [t.numel() for t in tensors]
    if indexing == "xy" and n >= 2:
        shape[0], shape[1] = shape[1], shape[0]
    out = []
    for i, t in enumerate(tensors):
        view_shape = [1] * n
        pos = i
        if indexing == "xy" and n >= 2 and i < 2:
            pos = 1 - i
        view_shape[pos] = -1
        out.append(expand(reshape(t, tuple(view_shape)), tuple(shape)))
    return tuple(out)


def unfold(input, dimension, size, step):
    """Sliding windows of ``size`` along ``dimension`` with ``step``, as a view (a new last dim)."""
    d = input._data
    dim = wrap_dim(dimension, builtins.max(d.ndim, 1))
    n = d.shape[dim] if d.ndim else 1
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {dim} is {n} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    count = (n - size) // step + 1
    item = d.dtype.itemsize
    st = [s // item for s in d.strides]
    shape = list(d.shape)
    shape[dim] = count
    new_strides = list(st)
    new_strides[dim] = st[dim] * step

    def logical(lin):
        win = np.lib.stride_tricks.sliding_window_view(lin, size, axis=dim)
        key = (slice(None),) * dim + (slice(None, None, step),)
        return win[key] if d.ndim else win
    out = _StridedView.apply(input, tuple(shape) + (size,), tuple(new_strides) + (st[dim],), logical)
    return present_as(out, "UnfoldBackward0")


# ----------------------------------------------------------------------------------------------------------
# reorderings
# ----------------------------------------------------------------------------------------------------------

class Flip(Op):
    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return _xp(x).flip(x, dims).copy()

    @staticmethod
    def backward(ctx, grad):
        return flip(grad, ctx.dims), None


def flip(input, *dims):
    if len(dims) == 1 and not isinstance(dims[0], (int, np.integer)):
        dims = tuple(dims[0])
    nd = input._data.ndim
    dims = tuple(wrap_dim(d, nd) for d in dims)
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"dim {dims[0]} appears multiple times in the list of dims")
    return Flip.apply(input, dims) if dims else clone(input)


def fliplr(input):
    if input.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, (1,))


def flipud(input):
    if input.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, (0,))


class Roll(Op):
    @staticmethod
    def forward(ctx, x, shifts, dims):
        ctx.args = (shifts, dims)
        return _xp(x).roll(x, shifts, dims)

    @staticmethod
    def backward(ctx, grad):
        shifts, dims = ctx.args
        neg = tuple(-s for s in shifts) if isinstance(shifts, tuple) else -shifts
        return Roll.apply(grad, neg, dims), None, None


def roll(input, shifts, dims=None):
    if isinstance(shifts, (list, tuple)):
        shifts = tuple(int(s) for s in shifts)
    if isinstance(dims, (list, tuple)):
        dims = tuple(wrap_dim(d, input.ndim) for d in dims)
        if isinstance(shifts, tuple) and len(shifts) != len(dims):
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
    elif dims is not None:
        dims = wrap_dim(dims, input.ndim)
    return Roll.apply(input, shifts, dims)


def rot90(input, k=1, dims=(0, 1)):
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    a, b = dims
    k %= 4
    if k == 1:
        return flip(input, (b,)).transpose(a, b)
    if k == 2:
        return flip(input, (a, b))
    if k == 3:
        return flip(input, (a,)).transpose(a, b)
    return clone(input)
