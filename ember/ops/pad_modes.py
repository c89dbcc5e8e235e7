"""Non-constant padding (``F.pad`` modes reflect, replicate, circular) as one gather per padded dim.

Each mode is an index map from output positions to input positions along one dim; the forward takes along
that map and the backward adds the gradient back: the centre as one slice, the few padded rows one by one
(no ``add.at``).  Negative widths crop, as in torch.
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Op
from ._util import xp_of as _xp

__all__ = ["pad_mode"]


def _index_map(n, lo, hi, mode):
    j = np.arange(-lo, n + hi)
    if mode == "reflect":
        period = 2 * (n - 1) if n > 1 else 1
        j = np.abs(j) % period
        return np.where(j >= n, period - j, j)
    if mode == "replicate":
        return np.clip(j, 0, n - 1)
    # circular wraps over what is left after any cropping (negative widths)
    a, b = max(-lo, 0), n - max(-hi, 0)
    j = np.arange(-max(lo, 0), (b - a) + max(hi, 0))
    return a + j % (b - a)


class TakePad(Op):
    """out = x taken along ``axis`` at ``idx``, an index map (of a pad mode, or of nearest/linear resampling)."""

    _grad_name = "ReflectionPad2DBackward0"

    @staticmethod
    def forward(ctx, x, axis, idx):
        ctx.axis, ctx.idx, ctx.n = axis, idx, x.shape[axis]
        return _xp(x).take(x, _xp(x).asarray(idx), axis=axis)

    @staticmethod
    def backward(ctx, grad):
        return TakePadTranspose.apply(grad, ctx.axis, ctx.idx, ctx.n), None, None


def _passes(idx):
    """Split positions j into groups within which ``idx[j]`` are distinct (as many groups as the largest
    multiplicity), so ``out[idx[sel]] += g[sel]`` is exact for each group with no ``add.at``."""
    order = np.argsort(idx, kind="stable")
    sorted_idx = idx[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_idx)) + 1]
    rank = np.arange(len(idx)) - np.repeat(starts, np.diff(np.r_[starts, len(idx)]))
    out = []
    for r in range(int(rank.max()) + 1 if len(idx) else 0):
        sel = order[rank == r]
        out.append((sel, idx[sel]))
    return out


class TakePadTranspose(Op):
    """The adjoint of ``TakePad``: out[idx[j]] += g[j] along ``axis``."""

    _grad_name = "ReflectionPad2DBackwardBackward0"

    @staticmethod
    def forward(ctx, g, axis, idx, n):
        ctx.axis, ctx.idx = axis, idx
        xp = _xp(g)
        shape = list(g.shape)
        shape[axis] = n
        out = xp.zeros(shape, dtype=g.dtype)
        pre = (slice(None),) * axis
        for sel, dst in _passes(idx):
            if len(sel) == 1:
                out[pre + (int(dst[0]),)] += g[pre + (int(sel[0]),)]
            else:
                out[pre + (xp.asarray(dst),)] += g[pre + (xp.asarray(sel),)]
        return out

    @staticmethod
    def backward(ctx, grad):
        return TakePad.apply(grad, ctx.axis, ctx.idx), None, None, None


def _dims_str(shape):
    return "[" + ", ".join(str(s) for s in shape) + "]"


def pad_mode(input, widths, mode, named=None):
    """Pad ``input`` by ``widths`` (one (low, high) per dim, leading dims (0, 0)) in a non-constant ``mode``;
    ``named`` is how many trailing dims the caller's pad tuple listed (inferred from ``widths`` when None)."""
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    shape = input._data.shape
    nd = len(shape)
    if named is None:
        named = max((nd - i for i, w in enumerate(widths) if w != (0, 0)), default=1)
    padded_dims = named
    # torch: pads of k dims need a (k+1)-D (unbatched) or (k+2)-D (batched) input
    if padded_dims > 3:
        raise NotImplementedError("Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now")
    if nd not in (padded_dims + 1, padded_dims + 2):
        raise NotImplementedError(f"Padding size {2 * padded_dims} is not supported for {nd}D input tensor.\n"
                                  "Supported combinations for non-constant padding:\n"
                                  "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
                                  "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
                                  "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    if mode != "circular":
        if any(s == 0 for s in shape[1:]) or (nd == padded_dims + 1 and shape[0] == 0):
            lo, hi = padded_dims + 1, padded_dims + 2
            raise RuntimeError(f"Expected {lo}D or {hi}D (batch mode) tensor with possibly 0 batch size and other "
                               f"non-zero dimensions for input, but got: {_dims_str(shape)}")
    out = input
    for axis in range(nd - 1, nd - 1 - padded_dims, -1):
        lo, hi = widths[axis]
        n = shape[axis]
        if mode == "reflect" and (lo >= n or hi >= n):
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding input dimension, "
                               f"but got: padding ({lo}, {hi}) at dimension {axis} of input {_dims_str(shape)}")
        if mode == "circular" and (lo > n or hi > n):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if (lo, hi) == (0, 0):
            continue
        if n + lo + hi < 0 or (mode == "circular" and n + lo + hi <= 0):
            raise RuntimeError(f"input tensor with shape {_dims_str(shape)} and padding {(lo, hi)} gives an empty "
                               f"output along dimension {axis}")
        out = TakePad.apply(out, axis, _index_map(n, lo, hi, mode))
    return out
