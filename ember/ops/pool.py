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

__all__ = ["MaxPool", "SumPool", "SumPoolTranspose", "AdaptiveMax", "ScatterFlat", "pool_output_size",
           "window_counts"]


def _xp(a):
    if type(a) is np.ndarray:
        return np
    from ..backend import backend_of
    return backend_of(a).xp


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
        need = _needed(out_sp, ksize, stride, dilation, in_shape[2:], pad)
        # windows that tile the input exactly (stride == kernel, no padding or overhang) write each position once
        tiled = (not any(pad) and all(d == 1 for d in dilation) and tuple(stride) == tuple(ksize)
                 and all(o * k == n for o, k, n in zip(out_sp, ksize, in_shape[2:])))
        out = (xp.empty if tiled else xp.zeros)(in_shape[:2] + need, dtype=grad.dtype)
        for t, tap in enumerate(_taps(ksize)):
            key = (slice(None),) * 2 + _tap_key(tap, stride, dilation, out_sp)
            if tiled:
                xp.multiply(grad, arg == t, out=out[key])
            else:
                out[key] += xp.where(arg == t, grad, xp.zeros((), dtype=grad.dtype))
        return out[(slice(None),) * 2 + tuple(slice(q, q + s) for q, s in zip(pad, in_shape[2:]))]

    @staticmethod
    def backward(ctx, gg):
        from ._util import _wrap
        idx = _wrap(_flat_indices(ctx.arg, ctx.p, gg.shape[2:]))
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
