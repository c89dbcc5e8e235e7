"""Pooling primitives for 1, 2 and 3 spatial dims: max pooling with indices, window sums (behind average and
LP pooling), adaptive max pooling, and scatter by flat spatial index (max unpooling).

Every kernel loops over the taps of the window (at most prod(kernel_size) strided slices of the padded input),
so nothing is copied kernel-size times and nothing uses ``add.at``.  Inputs are (N, C, *S); indices are flat
positions in the unpadded ``S`` of each (n, c) plane, as torch returns them.
"""
from __future__ import annotations

import itertools
import math

import numpy as np

from ..autograd.function import Op
from ..backend.parallel import BLOCK, for_blocks
from ._util import xp_of as _xp

__all__ = ["MaxPool", "SumPool", "SumPoolTranspose", "AdaptiveMax", "ScatterFlat", "pool_output_size",
           "window_counts"]


def _taps(ksize):
    return list(itertools.product(*(range(k) for k in ksize)))


def pool_output_size(size, k, s, p, d, ceil_mode):
    """torch's pooling output length along one dim (a window must start inside input or left padding)."""
    eff = d * (k - 1) + 1
    num = size + 2 * p - eff + ((s - 1) if ceil_mode else 0)
    out = num // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def _tap_key(tap, stride, dilation, out_sp):
    return tuple(slice(k * d, k * d + s * (o - 1) + 1, s) for k, d, s, o in zip(tap, dilation, stride, out_sp))


def _padded(x, pad, need, fill):
    """x (N, C, *S) padded with ``fill``: ``pad`` on the left, up to length ``need`` per dim."""
    xp = _xp(x)
    out = xp.full(x.shape[:2] + tuple(need), fill, dtype=x.dtype)
    out[(slice(None),) * 2 + tuple(slice(p, p + s) for p, s in zip(pad, x.shape[2:]))] = x
    return out


def _needed(out_sp, ksize, stride, dilation, size, pad):
    return tuple(max((o - 1) * s + d * (k - 1) + 1, n + p)
                 for o, k, s, d, n, p in zip(out_sp, ksize, stride, dilation, size, pad))


# ----------------------------------------------------------------------------------------------------------
# max pooling
# ----------------------------------------------------------------------------------------------------------

class MaxPool(Op):
    """(values, indices) of the max over each window; ``p`` = (ksize, stride, pad, dilation, out_sp)."""

    _grad_name = "MaxPool2DWithIndicesBackward0"

    @staticmethod
    def forward(ctx, x, p, want_indices):
        ksize, stride, pad, dilation, out_sp = p
        if _tiled_2x2(x, p):
            res = _max_2x2(x)
            if res is not None:
                best, ctx.arg = res
                ctx.p, ctx.in_shape = p, x.shape
                if not want_indices:
                    return best
                return best, _flat_indices(ctx.arg.taps(), p, x.shape[2:])
        xp = _xp(x)
        floating = x.dtype.kind in "fV"
        low = -np.inf if floating else np.iinfo(x.dtype).min
        need = _needed(out_sp, ksize, stride, dilation, x.shape[2:], pad)
        xpad = x if need == x.shape[2:] and not any(pad) else _padded(x, pad, need, low)
        inside = None
        if xpad is not x:
            inside = xp.zeros(need, dtype=bool)   # real positions; a window of only -inf picks its first one
            inside[tuple(slice(q, q + s) for q, s in zip(pad, x.shape[2:]))] = True
        has_nan = floating and bool(xp.isnan(x).any())
        best = arg = None
        for t, tap in enumerate(_taps(ksize)):
            key = _tap_key(tap, stride, dilation, out_sp)
            v = xpad[(slice(None),) * 2 + key]
            if best is None:
                best = v.copy()
                arg = xp.zeros(v.shape, dtype=np.int16)
                if inside is not None:
                    arg[...] = xp.where(inside[key], 0, -1)
                continue
            # strict > keeps the first of equal maxima; a NaN always takes over (torch's rule)
            take = v > best
            if has_nan:
                take |= xp.isnan(v)
            if inside is not None:
                take |= (arg < 0) & inside[key]
            xp.maximum(best, v, out=best)     # NaN-propagating, like the rule above
            xp.putmask(arg, take, np.int16(t))
        ctx.arg, ctx.p, ctx.in_shape = arg, p, x.shape
        if not want_indices:
            return best
        return best, _flat_indices(arg, p, x.shape[2:])

    @staticmethod
    def backward(ctx, grad, grad_indices=None):
        return MaxPoolBackward.apply(grad, ctx.arg, ctx.p, ctx.in_shape), None, None


# ----------------------------------------------------------------------------------------------------------
# 2x2 windows with stride 2 (the common case): two pairwise maxima, the argmax as two 0/1 planes
# ----------------------------------------------------------------------------------------------------------

def _tiled_2x2(x, p):
    ksize, stride, pad, dilation, out_sp = p
    return (type(x) is np.ndarray and x.dtype == np.float32 and x.ndim == 4 and x.size and x.flags.c_contiguous
            and tuple(ksize) == (2, 2) and tuple(stride) == (2, 2) and not any(pad)
            and tuple(dilation) == (1, 1) and tuple(o * 2 for o in out_sp) == x.shape[2:])


class _Arg2x2:
    """Where each 2x2 window's max is, in the form the backward uses: ``row`` a uint32 bit mask (all ones when
    the max is in the bottom row) and ``shift`` a uint64 0 or 32 (left or right column).  ``taps()`` gives
    the generic tap numbers 2 row + col."""

    __slots__ = ("row", "shift")

    def __init__(self, row, shift):
        self.row, self.shift = row, shift

    def taps(self):
        return ((self.row != 0).astype(np.int16) * 2 + (self.shift != 0)).astype(np.int16)


def _max_2x2(x):
    """(max over each 2x2 window, _Arg2x2) for a float32 (N, C, 2 Ho, 2 Wo) array, planes in blocks over
    threads; the first maximum in row-major order wins, as in torch.  None when the input holds a NaN (the
    generic taps loop applies torch's NaN rule)."""
    N, C, H, W = x.shape
    Ho, Wo = H // 2, W // 2
    planes = x.reshape(N * C, H, W)
    out = np.empty((N * C, Ho, Wo), x.dtype)
    row, shift = np.empty(out.shape, np.uint32), np.empty(out.shape, np.uint64)
    nan = []

    def kernel(lo, hi):
        P = hi - lo
        xw = planes[lo:hi].reshape(P * H, Wo, 2)
        m1 = np.maximum(xw[..., 0], xw[..., 1]).reshape(P, Ho, 2, Wo)      # max of each horizontal pair
        right = np.greater(xw[..., 1], xw[..., 0]).reshape(P, Ho, 2, Wo)   # strictly: ties keep the left
        ob = np.maximum(m1[:, :, 0], m1[:, :, 1], out=out[lo:hi])
        if np.isnan(ob).any():
            nan.append(lo)
            return
        down = np.greater(m1[:, :, 1], m1[:, :, 0])                         # strictly: ties keep the top
        rb = row[lo:hi]
        np.copyto(rb, down)
        np.negative(rb, out=rb)                       # 0 or 0xffffffff
        rt = right[:, :, 0]
        c = np.not_equal(rt, right[:, :, 1])
        c &= down
        c ^= rt                                       # the chosen row's column (np.where on bools: 8x slower)
        sb = shift[lo:hi]
        np.copyto(sb, c)
        sb <<= np.uint64(5)                           # 0 or 32

    for_blocks(kernel, N * C, max(1, BLOCK // (H * W)), cost=H * W)
    if nan:
        return None
    shape = (N, C, Ho, Wo)
    return out.reshape(shape), _Arg2x2(row.reshape(shape), shift.reshape(shape))


def _max_2x2_backward(grad, arg, in_shape):
    """The gradient of ``_max_2x2`` by moving bits: a window's two rows get g AND the row mask (g or +0), and
    each row's (left, right) float32 pair, read as one uint64, is those bits shifted by 0 or 32.  Exact for
    every value (inf and NaN included: no inf * 0), and the other three positions get +0 as in torch."""
    N, C, H, W = in_shape
    Ho, Wo = H // 2, W // 2
    g3 = grad.reshape(N * C, Ho, Wo)
    row, shift = arg.row.reshape(N * C, Ho, Wo), arg.shift.reshape(N * C, Ho, Wo)
    out = np.empty((N * C, Ho, 2, Wo), np.uint64)                    # pairs of float32

    def kernel(lo, hi):
        gb = np.add(g3[lo:hi], np.float32(0)).view(np.uint32)        # torch adds into zeros: -0 -> +0
        rb, sb = row[lo:hi], shift[lo:hi]
        gi = np.empty(gb.shape, np.uint64)
        for i in (0, 1):
            bits = np.bitwise_and(gb, rb) if i else np.bitwise_and(gb, np.invert(rb))
            np.copyto(gi, bits)
            np.left_shift(gi, sb, out=out[lo:hi, :, i])

    for_blocks(kernel, N * C, max(1, BLOCK // (H * W)), cost=H * W)
    return out.view(np.float32).reshape(in_shape)


def _flat_indices(arg, p, size):
    """Window tap numbers -> flat positions in the unpadded input plane (int64)."""
    ksize, stride, pad, dilation, out_sp = p
    xp = _xp(arg)
    nd = len(ksize)
    taps = xp.unravel_index(arg.astype(np.int64), ksize)
    flat = 0
    for i in range(nd):
        shape = [1] * (nd + 2)
        shape[2 + i] = out_sp[i]
        start = (xp.arange(out_sp[i], dtype=np.int64) * stride[i] - pad[i]).reshape(shape)
        flat = flat * size[i] + (start + taps[i] * dilation[i])
    return xp.ascontiguousarray(flat)


class MaxPoolBackward(Op):
    """Route each output gradient to its window's argmax (summing where windows share it)."""

    _grad_name = "MaxPool2DWithIndicesBackwardBackward0"

    @staticmethod
    def forward(ctx, grad, arg, p, in_shape):
        ksize, stride, pad, dilation, out_sp = p
        xp = _xp(grad)
        ctx.arg, ctx.p = arg, p
        if isinstance(arg, _Arg2x2):
            if type(grad) is np.ndarray and grad.dtype == np.float32:   # (often a broadcast: sum().backward())
                return _max_2x2_backward(np.ascontiguousarray(grad), arg, in_shape)
            arg = arg.taps()
        need = _needed(out_sp, ksize, stride, dilation, in_shape[2:], pad)
        # windows that tile the input exactly (stride == kernel, no padding or overhang) write each position once
        tiled = (not any(pad) and all(d == 1 for d in dilation) and tuple(stride) == tuple(ksize)
                 and all(o * k == n for o, k, n in zip(out_sp, ksize, in_shape[2:])))
        out = (xp.empty if tiled else xp.zeros)(in_shape[:2] + need, dtype=grad.dtype)
        zero = xp.zeros((), dtype=grad.dtype)
        if tiled:
            grad = grad + zero                        # as torch adds into zeros: -0 -> +0
        for t, tap in enumerate(_taps(ksize)):
            key = (slice(None),) * 2 + _tap_key(tap, stride, dilation, out_sp)
            if tiled:                                 # a select, not grad * mask: inf * 0 would be NaN
                out[key] = xp.where(arg == t, grad, zero)
            else:
                out[key] += xp.where(arg == t, grad, xp.zeros((), dtype=grad.dtype))
        return out[(slice(None),) * 2 + tuple(slice(q, q + s) for q, s in zip(pad, in_shape[2:]))]

    @staticmethod
    def backward(ctx, gg):
        from ._util import _wrap
        arg = ctx.arg.taps() if isinstance(ctx.arg, _Arg2x2) else ctx.arg
        idx = _wrap(_flat_indices(arg, ctx.p, gg.shape[2:]))
        n, c = gg.shape[:2]
        picked = gg.reshape(n, c, -1).gather(2, idx.reshape(n, c, -1))
        return picked.reshape(idx.shape), None, None, None


# ----------------------------------------------------------------------------------------------------------
# window sums (average and LP pooling are a sum divided by a count)
# ----------------------------------------------------------------------------------------------------------

class SumPool(Op):
    """Sum over each window of the zero-padded input; ``p`` = (ksize, stride, pad, out_sp)."""

    _grad_name = "AvgPool2DBackward0"

    @staticmethod
    def forward(ctx, x, p):
        ksize, stride, pad, out_sp = p
        ctx.p, ctx.in_shape = p, x.shape
        ones = (1,) * len(ksize)
        xpad = _padded(x, pad, _needed(out_sp, ksize, stride, ones, x.shape[2:], pad), 0)
        out = None
        for tap in _taps(ksize):
            v = xpad[(slice(None),) * 2 + _tap_key(tap, stride, ones, out_sp)]
            out = v.copy() if out is None else out.__iadd__(v)
        return out

    @staticmethod
    def backward(ctx, grad):
        return SumPoolTranspose.apply(grad, ctx.p, ctx.in_shape), None


class SumPoolTranspose(Op):
    """The adjoint of ``SumPool``: each window's value added back over the window."""

    _grad_name = "AvgPool2DBackwardBackward0"

    @staticmethod
    def forward(ctx, g, p, in_shape):
        ksize, stride, pad, out_sp = p
        ctx.p = p
        ones = (1,) * len(ksize)
        need = _needed(out_sp, ksize, stride, ones, in_shape[2:], pad)
        out = _xp(g).zeros(in_shape[:2] + need, dtype=g.dtype)
        for tap in _taps(ksize):
            out[(slice(None),) * 2 + _tap_key(tap, stride, ones, out_sp)] += g
        return out[(slice(None),) * 2 + tuple(slice(q, q + s) for q, s in zip(pad, in_shape[2:]))]

    @staticmethod
    def backward(ctx, grad):
        return SumPool.apply(grad, ctx.p), None, None


def window_counts(size, ksize, stride, pad, out_sp, include_pad, xp=np):
    """How many elements each window covers: within input and padding (``include_pad``) or input only.
    Windows that run past the right padding (ceil_mode) never count that overhang, as in torch."""
    ones = (1,) * len(ksize)
    need = _needed(out_sp, ksize, stride, ones, size, pad)
    mask = xp.zeros(need, dtype=np.int64)
    if include_pad:
        mask[tuple(slice(0, s + 2 * q) for s, q in zip(size, pad))] = 1
    else:
        mask[tuple(slice(q, q + s) for s, q in zip(size, pad))] = 1
    out = 0
    for tap in _taps(ksize):
        out = out + mask[_tap_key(tap, stride, ones, out_sp)]
    return out


# ----------------------------------------------------------------------------------------------------------
# adaptive max pooling, scatter by flat index (max_unpool, and the backward of adaptive max)
# ----------------------------------------------------------------------------------------------------------

def adaptive_windows(size, out, xp=np):
    """Window index table (out, kmax) for one dim: start = floor(i*size/out), end = ceil((i+1)*size/out);
    short windows repeat their last index (a repeat never changes a max or its first position)."""
    i = np.arange(out)
    start = (i * size) // out
    end = -((-(i + 1) * size) // out)
    kmax = int((end - start).max())
    idx = np.minimum(start[:, None] + np.arange(kmax)[None, :], end[:, None] - 1)
    return xp.asarray(idx), start, end


class AdaptiveMax(Op):
    """(values, flat indices) of adaptive max pooling over the last ``len(out_sp)`` dims."""

    _grad_name = "AdaptiveMaxPool2DBackward0"

    @staticmethod
    def forward(ctx, x, out_sp):
        xp = _xp(x)
        size = x.shape[2:]
        nd = len(size)
        tables = [adaptive_windows(s, o, xp)[0] for s, o in zip(size, out_sp)]
        key = [slice(None), slice(None)]
        for i, tab in enumerate(tables):                 # broadcast to (o0, k0, o1, k1, ...)
            shape = [1] * (2 * nd)
            shape[2 * i], shape[2 * i + 1] = tab.shape
            key.append(tab.reshape(shape))
        win = x[tuple(key)]                              # (N, C, o0, k0, o1, k1, ...)
        perm = (0, 1) + tuple(2 + 2 * i for i in range(nd)) + tuple(3 + 2 * i for i in range(nd))
        ktot = math.prod(t.shape[1] for t in tables)
        win = win.transpose(perm).reshape(x.shape[:2] + tuple(out_sp) + (ktot,))   # (N, C, *O, K)
        if x.dtype.kind in "fV":
            nan = xp.isnan(win)
            arg = xp.where(nan.any(-1), _last_true(nan, xp), win.argmax(-1))
        else:
            arg = win.argmax(-1)
        values = xp.take_along_axis(win, arg[..., None], -1)[..., 0]
        taps = xp.unravel_index(arg, tuple(t.shape[1] for t in tables))
        flat = 0
        for i, tab in enumerate(tables):
            shape = [1] * (nd + 2)
            shape[2 + i] = out_sp[i]
            rows = xp.arange(out_sp[i]).reshape(shape)
            flat = flat * size[i] + tab[rows, taps[i]]
        ctx.in_sp = size
        flat = xp.ascontiguousarray(flat.astype(np.int64))
        ctx.idx = flat
        return values, flat

    @staticmethod
    def backward(ctx, grad, grad_indices=None):
        from ._util import _wrap
        return ScatterFlat.apply(grad, _wrap(ctx.idx), ctx.in_sp, True), None


def _last_true(mask, xp):
    k = mask.shape[-1]
    return k - 1 - xp.flip(mask, -1).argmax(-1)


class ScatterFlat(Op):
    """out (N, C, *size) zero, then out.flat[idx] = x (``accumulate``: +=) per (n, c) plane."""

    _grad_name = "MaxUnpool2DBackward0"

    @staticmethod
    def forward(ctx, x, idx, size, accumulate):
        xp = _xp(x)
        n, c = x.shape[:2]
        plane = math.prod(size)
        rows = (xp.arange(n * c, dtype=np.int64) * plane).reshape((n, c) + (1,) * (idx.ndim - 2))
        flat = (idx + rows).ravel()
        if accumulate:   # bincount sums in float64; windows share an element at most a few times
            out = xp.bincount(flat, weights=x.ravel().astype(np.float64), minlength=n * c * plane)
            out = out.astype(x.dtype)
        else:
            out = xp.zeros(n * c * plane, dtype=x.dtype)
            out[flat] = x.ravel()
        ctx.idx_shape = idx.shape
        return out.reshape((n, c) + tuple(size))

    @staticmethod
    def backward(ctx, grad):
        idx, = ctx.saved_tensors
        n, c = grad.shape[:2]
        picked = grad.reshape(n, c, -1).gather(2, idx.reshape(n, c, -1))
        return picked.reshape(ctx.idx_shape), None, None, None

    save_inputs = (1,)
