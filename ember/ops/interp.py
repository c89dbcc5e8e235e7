"""Resampling: ``interpolate``'s separable modes, ``grid_sample`` and ``affine_grid`` (composites).

Each separable mode (nearest, nearest-exact, linear, bilinear, trilinear, bicubic) is, per spatial dim, a few
index maps with weights: out = sum_j w_j * x.take(idx_j, dim).  The takes are ``TakePad`` ops, whose adjoint
adds back without ``add.at``; gradients come from composition.  Source coordinates are computed in the
input's precision (float32 for float32), as torch does, so that floor() lands on the same index.
"""
from __future__ import annotations

import itertools
import math

import numpy as np

from ..autograd.function import Op
from ._util import _wrap
from .pad_modes import TakePad

__all__ = ["resample", "grid_sample", "affine_grid"]

_CUBIC_A = -0.75


def _scale(in_size, out_size, align_corners, scale, ftype):
    """Output-to-input coordinate scale (torch's area_pixel_compute_scale)."""
    if align_corners:
        return ftype((in_size - 1) / (out_size - 1)) if out_size > 1 else ftype(0)
    if scale is not None and scale > 0:
        return ftype(1.0 / scale)
    return ftype(ftype(in_size) / ftype(out_size))


def _source(scale, out_size, align_corners, cubic, ftype):
    dst = np.arange(out_size).astype(ftype)
    if align_corners:
        return scale * dst
    src = scale * (dst + ftype(0.5)) - ftype(0.5)
    return src if cubic else np.maximum(src, ftype(0))


def _nearest_map(in_size, out_size, scale, exact):
    if out_size == in_size and not exact:
        return np.arange(out_size)
    s = _scale(in_size, out_size, False, scale, np.float32)
    dst = np.arange(out_size).astype(np.float32)
    if exact:
        dst = dst + np.float32(0.5)
    return np.minimum(np.floor(dst * s).astype(np.int64), in_size - 1)


def _linear_taps(in_size, out_size, align_corners, scale, ftype):
    s = _scale(in_size, out_size, align_corners, scale, ftype)
    src = _source(s, out_size, align_corners, False, ftype)
    i0 = np.minimum(np.floor(src).astype(np.int64), in_size - 1)
    lam1 = np.clip(src - i0.astype(ftype), 0, 1).astype(ftype)
    i1 = i0 + (i0 < in_size - 1)
    return [(i0, (ftype(1) - lam1)), (i1, lam1)]


def _cubic_taps(in_size, out_size, align_corners, scale, ftype):
    s = _scale(in_size, out_size, align_corners, scale, ftype)
    src = _source(s, out_size, align_corners, True, ftype)
    i = np.minimum(np.floor(src).astype(np.int64), in_size - 1)
    t = np.clip(src - i.astype(ftype), 0, 1).astype(ftype)
    a = ftype(_CUBIC_A)

    def near(x):   # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):    # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    weights = [far(t + 1), near(t), near(1 - t), far(2 - t)]
    return [(np.clip(i - 1 + j, 0, in_size - 1), w.astype(ftype)) for j, w in enumerate(weights)]


def _triangle(x):
    return np.maximum(1 - np.abs(x), 0)


def _keys_cubic(x):
    """Keys' cubic convolution kernel with a = -0.5 (the antialiasing bicubic filter)."""
    x = np.abs(x)
    a = x.dtype.type(-0.5)
    near = ((a + 2) * x - (a + 3)) * x * x + 1
    far = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return np.where(x < 1, near, np.where(x < 2, far, 0)).astype(x.dtype)


def _lanczos3(x):
    """sinc(x) sinc(x / 3) on |x| < 3."""
    out = np.sinc(x.astype(np.float64)) * np.sinc(x.astype(np.float64) / 3)
    return np.where(np.abs(x) < 3, out, 0).astype(x.dtype)


# filter and its support radius (in input pixels, before widening by the downscale factor)
_AA_FILTERS = {"bilinear": (_triangle, 1), "bicubic": (_keys_cubic, 2), "lanczos": (_lanczos3, 3)}


def _antialias_taps(in_size, out_size, align_corners, scale, ftype, mode):
    """Taps of the antialiased filter: output i covers input pixels j within ``support`` of the centre
    c_i = s (i + 1/2), weight f((j + 1/2 - c_i) / max(s, 1)) normalised to sum 1, where the filter's support
    is widened by the downscale factor s = in / out when s > 1.  Arithmetic follows torch's rounding in
    float32: centre and support rounded to the input's precision, the filter argument formed in double."""
    fn, radius = _AA_FILTERS[mode]
    s = _scale(in_size, out_size, align_corners, scale, ftype)
    support = ftype(radius * float(s)) if s >= 1 else ftype(radius)
    invscale = ftype(1.0 / float(s)) if s >= 1 else ftype(1)
    centre = (float(s) * (np.arange(out_size) + 0.5)).astype(ftype)                     # (out,)
    lo = np.maximum(np.trunc((centre - support).astype(np.float64) + 0.5).astype(np.int64), 0)
    hi = np.minimum(np.trunc((centre + support).astype(np.float64) + 0.5).astype(np.int64), in_size)
    count = np.maximum(hi - lo, 0)
    ntaps = int(math.ceil(float(support))) * 2 + 1
    j = np.arange(ntaps)[:, None]                                                        # (taps, 1)
    arg = ((j + lo - centre).astype(ftype).astype(np.float64) + 0.5) * float(invscale)   # (taps, out)
    w = np.where(j < count, fn(arg.astype(ftype)), ftype(0)).astype(ftype)
    total = np.zeros(out_size, ftype)
    for row in w:                                # sequential sum, in the input's precision
        total = (total + row).astype(ftype)
    w = np.where(total != 0, w / np.where(total != 0, total, 1), w).astype(ftype)
    idx = np.minimum(lo + np.minimum(j, np.maximum(count - 1, 0)), in_size - 1)          # padding taps: weight 0
    used = int(count.max()) if out_size else 0
    return list(zip(idx[:used], w[:used]))


def resample(input, out_size, mode, align_corners, scales, antialias=False):
    """Separable resampling of the last ``len(out_size)`` dims of ``input`` (N, C, *S); ``antialias``
    (bilinear, bicubic, lanczos) widens the filter by the downscale factor and skips dims whose size is kept."""
    nd = len(out_size)
    ftype = np.float64 if input._data.dtype == np.float64 else np.float32
    x = input
    for i in reversed(range(nd)) if antialias else range(nd):
        axis = x._data.ndim - nd + i
        n, o = x._data.shape[axis], out_size[i]
        sc = scales[i] if scales is not None else None
        if mode in ("nearest", "nearest-exact"):
            x = TakePad.apply(x, axis, _nearest_map(n, o, sc, mode == "nearest-exact"))
            continue
        if antialias:
            if n == o:
                continue
            taps = _antialias_taps(n, o, align_corners, sc, ftype, mode)
        else:
            taps = (_cubic_taps if mode == "bicubic" else _linear_taps)(n, o, align_corners, sc, ftype)
        shape = [1] * x._data.ndim
        shape[axis] = o
        out = None
        for idx, w in taps:
            term = TakePad.apply(x, axis, idx) * _wrap(w.reshape(shape).astype(x._data.dtype))
            out = term if out is None else out + term
        x = out
    return input.clone() if x is input else x      # antialias with every size kept: still a new tensor


# ----------------------------------------------------------------------------------------------------------
# grid_sample / affine_grid
# ----------------------------------------------------------------------------------------------------------

def _unnormalize(coord, size, align_corners):
    if align_corners:
        return (coord + 1) / 2 * (size - 1)
    return ((coord + 1) * size - 1) / 2


def _reflect(coord, twice_low, twice_high):
    if twice_low == twice_high:
        return coord * 0
    low = twice_low / 2
    span = (twice_high - twice_low) / 2
    c = (coord - low).abs()
    extra = c.fmod(span)
    flips = (c / span).floor().detach()
    even = (flips.fmod(2) == 0)
    from .shape import where
    return where(even, extra + low, span - extra + low)


def _source_coord(coord, size, padding_mode, align_corners):
    c = _unnormalize(coord, size, align_corners)
    if padding_mode == "border":
        c = c.clamp(0, size - 1)
    elif padding_mode == "reflection":
        c = _reflect(c, 0, 2 * (size - 1)) if align_corners else _reflect(c, -1, 2 * size - 1)
        c = c.clamp(0, size - 1)
    return c


def _gather(input, idx, valid):
    """input (N, C, *S) at integer positions ``idx`` (one (N, *O) tensor per spatial dim); zero where not
    ``valid``."""
    n, c = input._data.shape[:2]
    size = input._data.shape[2:]
    out_sp = tuple(idx[0]._data.shape[1:])
    flat = 0
    for i, s in zip(idx, size):
        flat = flat * s + i.clamp(0, s - 1)
    m = math.prod(out_sp)
    flat = flat.reshape(n, 1, m).expand(n, c, m)
    vals = input.reshape(n, c, -1).gather(2, flat).reshape((n, c) + out_sp)
    return vals * valid.unsqueeze(1).to(input.dtype)


def _inside(idx, size):
    ok = None
    for i, s in zip(idx, size):
        v = (i >= 0) & (i < s)
        ok = v if ok is None else ok & v
    return ok


class _ZeroGradFor(Op):
    """Identity on ``out``; gives ``other`` a zero gradient (torch's grid gradient of nearest sampling)."""

    @staticmethod
    def forward(ctx, out, other):
        ctx.other_shape = other.shape
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad, grad.new_zeros(ctx.other_shape)


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=False):
    """Sample (N, C, *S) ``input`` at ``grid`` (N, *O, nd) normalised positions in [-1, 1], listed (x, y[, z]):
    the last coordinate indexes the first spatial dim."""
    size = input._data.shape[2:]
    nd = len(size)
    if mode == "bicubic":
        return _grid_sample_bicubic(input, grid, padding_mode, align_corners)
    # coordinate k of the grid indexes spatial dim nd - 1 - k; keep them in spatial-dim order
    coords = [_source_coord(grid[..., nd - 1 - d], size[d], padding_mode, align_corners) for d in range(nd)]
    if mode == "nearest":
        idx = [c.round().detach().long() for c in coords]
        return _ZeroGradFor.apply(_gather(input, idx, _inside(idx, size)), grid)
    lows = [c.floor().detach() for c in coords]
    out = None
    for corner in itertools.product((0, 1), repeat=nd):
        idx, weight = [], None
        for c, lo, k in zip(coords, lows, corner):
            idx.append((lo + k).long())
            w = (c - lo) if k else (lo + 1 - c)
            weight = w if weight is None else weight * w
        term = _gather(input, idx, _inside(idx, size)) * weight.unsqueeze(1)
        out = term if out is None else out + term
    return out



def _cubic_weights(t):
    """The four cubic-convolution weights (A = -0.75) of taps -1, 0, 1, 2 at fractional offset ``t``."""
    a = _CUBIC_A

    def near(x):
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return [far(t + 1), near(t), near(1 - t), far(2 - t)]


def _bounded_tap(pos, size, padding_mode, align_corners):
    """An integer tap position moved inside by ``padding_mode`` (border, reflection); zeros keeps it as is."""
    if padding_mode == "border":
        return pos.clamp(0, size - 1)
    if padding_mode == "reflection":
        r = _reflect(pos, 0, 2 * (size - 1)) if align_corners else _reflect(pos, -1, 2 * size - 1)
        return r.clamp(0, size - 1)
    return pos


def _grid_sample_bicubic(input, grid, padding_mode, align_corners):
    """4x4 taps of cubic convolution around each (unpadded) source point; ``padding_mode`` bounds each tap."""
    h, w = input._data.shape[2:]
    gx = _unnormalize(grid[..., 0], w, align_corners)
    gy = _unnormalize(grid[..., 1], h, align_corners)
    x0, y0 = gx.floor().detach(), gy.floor().detach()
    wx, wy = _cubic_weights(gx - x0), _cubic_weights(gy - y0)
    out = None
    for j in range(4):
        iy = _bounded_tap(y0 + (j - 1), h, padding_mode, align_corners).detach().round().long()
        for i in range(4):
            ix = _bounded_tap(x0 + (i - 1), w, padding_mode, align_corners).detach().round().long()
            idx = [iy, ix]
            term = _gather(input, idx, _inside(idx, (h, w))) * (wx[i] * wy[j]).unsqueeze(1)
            out = term if out is None else out + term
    return out


def _base_coords(n, align_corners, like):
    if n <= 1:
        return np.zeros(max(n, 1), dtype=like)
    v = np.linspace(-1, 1, n, dtype=np.float64)
    if not align_corners:
        v = v * (n - 1) / n
    return v.astype(like)


def affine_grid(theta, size, align_corners=False):
    """Sampling grid (N, *S, nd) of the affine maps ``theta`` (N, nd, nd + 1) over output ``size``."""
    dt = theta._data.dtype
    spatial = tuple(size[2:])
    nd = len(spatial)
    axes = [_base_coords(s, align_corners, dt) for s in spatial]   # depth, height, width
    mesh = np.meshgrid(*axes, indexing="ij")
    cols = [mesh[i] for i in range(nd - 1, -1, -1)] + [np.ones(spatial, dtype=dt)]   # (x, y[, z], 1)
    base = _wrap(np.stack(cols, axis=-1).reshape(1, -1, nd + 1))                       # (1, P, nd + 1)
    grid = base @ theta.transpose(1, 2)                                                  # (N, P, nd)
    return grid.reshape((theta._data.shape[0],) + spatial + (nd,))
