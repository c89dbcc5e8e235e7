"""``ember.nn.functional``'s spatial family: convolution, folding, pooling, padding, resampling, shuffles.

Argument handling and torch's error messages live here; the work is done by the fused primitives in
``ember/ops/conv.py`` and ``ember/ops/pool.py`` and the composites in ``ember/ops/interp.py``.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from ..ops import conv as _conv
from ..ops import pool as _pool
from ..ops.interp import affine_grid as _affine_grid, grid_sample as _grid_sample, resample as _resample
from ..ops.pad_modes import pad_mode as _pad_mode
from ..ops.shape import PadConstant as _PadConstant
from ..tensor import _wrap

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "unfold",
           "fold", "max_pool1d", "max_pool2d", "max_pool3d", "max_pool1d_with_indices", "max_pool2d_with_indices",
           "max_pool3d_with_indices", "max_unpool1d", "max_unpool2d", "max_unpool3d", "avg_pool1d", "avg_pool2d",
           "avg_pool3d", "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d", "adaptive_max_pool1d",
           "adaptive_max_pool2d", "adaptive_max_pool3d", "adaptive_max_pool1d_with_indices",
           "adaptive_max_pool2d_with_indices", "adaptive_max_pool3d_with_indices", "lp_pool1d", "lp_pool2d",
           "lp_pool3d", "pad", "pixel_shuffle", "pixel_unshuffle", "channel_shuffle", "native_channel_shuffle",
           "interpolate", "upsample", "upsample_nearest", "upsample_bilinear", "grid_sample", "affine_grid"]

conv1d = _conv.conv1d
conv2d = _conv.conv2d
conv3d = _conv.conv3d
conv_transpose1d = _conv.conv_transpose1d
conv_transpose2d = _conv.conv_transpose2d
conv_transpose3d = _conv.conv_transpose3d


def _ntuple(value, n):
    if isinstance(value, (int, np.integer)):
        return (int(value),) * n
    value = tuple(int(v) for v in value)
    return value * n if len(value) == 1 else value


def _dims_str(shape):
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _batched(input, nd):
    """(input as (N, C, *S), whether to squeeze the batch dim back)."""
    if input._data.ndim == nd + 1:
        return input.unsqueeze(0), True
    return input, False


# ----------------------------------------------------------------------------------------------------------
# unfold / fold
# ----------------------------------------------------------------------------------------------------------

def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Extract sliding local blocks: (N, C, H, W) -> (N, C * kh * kw, L)."""
    if input._data.ndim == 3:
        return _conv.unfold_patches(input.unsqueeze(0), kernel_size, dilation, padding, stride).squeeze(0)
    if input._data.ndim != 4:
        raise NotImplementedError(f"Input Error: Only 3D or 4D input Tensors are supported (got {input.dim()}D)")
    return _conv.unfold_patches(input, kernel_size, dilation, padding, stride)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Sum sliding local blocks back into a tensor: (N, C * kh * kw, L) -> (N, C, *output_size)."""
    if input._data.ndim == 2:
        return _conv.fold_patches(input.unsqueeze(0), output_size, kernel_size, dilation, padding,
                                  stride).squeeze(0)
    if input._data.ndim != 3:
        raise NotImplementedError(f"Input Error: Only unbatched (2D) or batched (3D) input Tensors are supported "
                                  f"(got {input.dim()}D)")
    return _conv.fold_patches(input, output_size, kernel_size, dilation, padding, stride)


# ----------------------------------------------------------------------------------------------------------
# max pooling
# ----------------------------------------------------------------------------------------------------------

def _pool_args(nd, kernel_size, stride, padding, dilation=1):
    k = _ntuple(kernel_size, nd)
    s = k if stride is None or (not isinstance(stride, numbers.Number) and len(stride) == 0) else _ntuple(stride, nd)
    return k, s, _ntuple(padding, nd), _ntuple(dilation, nd)


def _check_pool_dims(input, nd, name):
    shape = input._data.shape
    ok = input._data.ndim in (nd + 1, nd + 2) and all(v > 0 for v in shape[-nd - 1:]) if shape else False
    if ok:
        return
    if nd == 1:
        raise RuntimeError(f"{name}: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for "
                           f"input, but got:{_dims_str(shape)}")
    raise RuntimeError(f"non-empty {nd + 1}D or {nd + 2}D (batch mode) tensor expected for input")


def _check_window(nd, k, s, p, d, size, out_sp, name):
    """torch's checks on a pooling window; ``out_sp`` None checks the arguments only."""
    if nd > 1 and any(v <= 0 for v in s):
        raise RuntimeError("stride should not be zero")
    if any(v <= 0 for v in k):
        raise RuntimeError(f"{name}() kernel_size must be greater than zero, but got {k[0]}" if nd == 1 else
                           "kernel size should be greater than zero, but got " +
                           " ".join(f"k{a}: {v}" for a, v in zip("THW"[3 - nd:], k)))
    if any(v <= 0 for v in s):
        raise RuntimeError("stride should not be zero")
    if any(v <= 0 for v in d):
        raise RuntimeError("dilation should be greater than zero, but got " +
                           " ".join(f"dilation{a}: {v}" for a, v in zip("THW"[3 - nd:], d)))
    for kk, pp, dd in zip(k, p, d):
        if pp < 0 or pp > (dd * (kk - 1) + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={pp}, "
                               f"kernel_size={kk} and dilation={dd}")
    if out_sp is not None and any(o < 1 for o in out_sp):
        unit = (1,) if nd == 1 else ()   # torch runs 1-d pooling as 2-d with a unit height, and reports it so
        c = "x".join(str(v) for v in size[:1] + unit + tuple(size[1:]))
        o = "x".join(str(v) for v in size[:1] + unit + tuple(out_sp))
        raise RuntimeError(f"Given input size: ({c}). Calculated output size: ({o}). Output size is too small")


def _max_pool(input, nd, kernel_size, stride, padding, dilation, ceil_mode, return_indices, name):
    _check_pool_dims(input, nd, name)
    k, s, p, d = _pool_args(nd, kernel_size, stride, padding, dilation)
    x, squeeze = _batched(input, nd)
    size = x._data.shape[2:]
    _check_window(nd, k, s, p, d, x._data.shape[1:], None, name)
    out_sp = tuple(_pool.pool_output_size(n, kk, ss, pp, dd, ceil_mode) for n, kk, ss, pp, dd in zip(size, k, s, p, d))
    _check_window(nd, k, s, p, d, x._data.shape[1:], out_sp, name)
    res = _pool.MaxPool.apply(x, (k, s, p, d, out_sp), bool(return_indices))
    if not return_indices:
        return res.squeeze(0) if squeeze else res
    values, indices = res
    return (values.squeeze(0), indices.squeeze(0)) if squeeze else (values, indices)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    return _max_pool(input, 1, kernel_size, stride, padding, dilation, ceil_mode, return_indices, "max_pool1d")


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    return _max_pool(input, 2, kernel_size, stride, padding, dilation, ceil_mode, return_indices, "max_pool2d")


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    return _max_pool(input, 3, kernel_size, stride, padding, dilation, ceil_mode, return_indices, "max_pool3d")


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=True):
    return _max_pool(input, 1, kernel_size, stride, padding, dilation, ceil_mode, True, "max_pool1d")


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=True):
    return _max_pool(input, 2, kernel_size, stride, padding, dilation, ceil_mode, True, "max_pool2d")


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=True):
    return _max_pool(input, 3, kernel_size, stride, padding, dilation, ceil_mode, True, "max_pool3d")


def _max_unpool(input, indices, nd, kernel_size, stride, padding, output_size):
    k, s, p, _ = _pool_args(nd, kernel_size, stride, padding)
    if indices._data.dtype != np.int64:
        raise RuntimeError(f"elements in indices should be type int64 but got: "
                           f"{ {np.dtype(np.int32): 'Int'}.get(indices._data.dtype, str(indices.dtype))}")
    if tuple(indices._data.shape) != tuple(input._data.shape):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor "
                           f"({_dims_str(input._data.shape)}) but got indices tensor with shape: "
                           f"{_dims_str(indices._data.shape)}")
    x, squeeze = _batched(input, nd)
    idx, _ = _batched(indices, nd)
    size = x._data.shape[2:]
    default = tuple((n - 1) * ss - 2 * pp + kk for n, ss, pp, kk in zip(size, s, p, k))
    if output_size is None:
        out_sp = default
    else:
        if len(output_size) == nd + 2:
            output_size = output_size[2:]                 # torch's message shows the sliced object as given
        out_sp = tuple(int(v) for v in output_size)
        if len(out_sp) != nd:
            raise ValueError(f"output_size should be a sequence containing {nd} or {nd + 2} elements, but it has a "
                             f"length of '{len(out_sp)}'")
        for i, (v, dflt, ss) in enumerate(zip(out_sp, default, s)):
            lo, hi = dflt - ss, dflt + ss
            if not lo < v < hi:
                raise ValueError(f'invalid output_size "{output_size}" (dim {i} must be between {lo} and '
                                 f'{hi})')
    plane = math.prod(out_sp)
    if idx._data.size and (idx._data.min() < 0 or idx._data.max() >= plane):
        bad = int(idx._data.max()) if idx._data.max() >= plane else int(idx._data.min())
        raise RuntimeError(f"Found an invalid max index: {bad} (output volumes are of size "
                           f"{'x'.join(map(str, out_sp))})")
    out = _pool.ScatterFlat.apply(x, idx, out_sp, False)
    return out.squeeze(0) if squeeze else out


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    return _max_unpool(input, indices, 1, kernel_size, stride, padding, output_size)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    return _max_unpool(input, indices, 2, kernel_size, stride, padding, output_size)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    return _max_unpool(input, indices, 3, kernel_size, stride, padding, output_size)


# ----------------------------------------------------------------------------------------------------------
# average and LP pooling
# ----------------------------------------------------------------------------------------------------------

def _avg_pool(input, nd, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, name):
    if input._data.ndim not in (nd + 1, nd + 2):
        if nd == 1:
            raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input._data.ndim}-dimensional tensor for "
                               f"argument #1 'self' (while checking arguments for avg_pool1d)")
        raise RuntimeError(f"non-empty {nd + 1}D or {nd + 2}D (batch mode) tensor expected for input")
    k, s, p, d = _pool_args(nd, kernel_size, stride, padding)
    x, squeeze = _batched(input, nd)
    size = x._data.shape[2:]
    _check_window(nd, k, s, p, d, x._data.shape[1:], None, name)
    out_sp = tuple(_pool.pool_output_size(n, kk, ss, pp, 1, ceil_mode) for n, kk, ss, pp in zip(size, k, s, p))
    if nd == 3 and any(n < kk for n, kk in zip(size, k)) and not any(p):
        raise RuntimeError(f"input image (T: {size[0]} H: {size[1]} W: {size[2]}) smaller than kernel size "
                           f"(kT: {k[0]} kH: {k[1]} kW: {k[2]})")
    _check_window(nd, k, s, p, d, x._data.shape[1:], out_sp, name)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    total = _pool.SumPool.apply(x, (k, s, p, out_sp))
    if divisor_override is not None:
        out = total / divisor_override
    else:
        counts = _pool.window_counts(size, k, s, p, out_sp, count_include_pad)
        if x._data.dtype.kind in "iu":
            out = (total / _wrap(counts)).trunc().to(x.dtype)
        else:
            out = total / _wrap(counts.astype(x._data.dtype))
    return out.squeeze(0) if squeeze else out


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    return _avg_pool(input, 1, kernel_size, stride, padding, ceil_mode, count_include_pad, None, "avg_pool1d")


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    return _avg_pool(input, 2, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override,
                     "avg_pool2d")


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    return _avg_pool(input, 3, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override,
                     "avg_pool3d")


def _lp_pool(input, nd, norm_type, kernel_size, stride, ceil_mode):
    k = _ntuple(kernel_size, nd)
    out = _avg_pool(input.pow(norm_type), nd, k, stride, 0, ceil_mode, True, None, f"avg_pool{nd}d")
    # sign * relu(abs) keeps a negative average (odd p) from turning into NaN under the root
    return (out.sign() * out.abs().relu()).mul(math.prod(k)).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    return _lp_pool(input, 1, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    return _lp_pool(input, 2, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    return _lp_pool(input, 3, norm_type, kernel_size, stride, ceil_mode)


# ----------------------------------------------------------------------------------------------------------
# adaptive pooling
# ----------------------------------------------------------------------------------------------------------

def _adaptive_size(input, nd, output_size):
    size = input._data.shape[-nd:]
    out = (output_size,) * nd if isinstance(output_size, (int, np.integer)) else tuple(output_size)
    if len(out) == 1 and nd > 1:
        out = out * nd
    return tuple(int(n) if o is None else int(o) for o, n in zip(out, size))


def _check_adaptive(input, nd, name):
    ndim = input._data.ndim
    if ndim not in (nd + 1, nd + 2):
        if nd == 1:
            raise RuntimeError(f"Expected 2 to 3 dimensions, but got {ndim}-dimensional tensor for argument #1 "
                               f"'self' (while checking arguments for {name})")
        raise RuntimeError(f"{name}(): Expected {nd + 1}D or {nd + 2}D tensor, but got"
                           f"{':' if 'max' in name else ''} {_dims_str(input._data.shape)}")
    for i in range(ndim - nd - 1 if ndim == nd + 2 else 0, ndim):
        if input._data.shape[i] == 0 and i >= ndim - nd:
            raise RuntimeError(f"{name}(): Expected input to have non-zero size for non-batch dimensions, but input "
                               f"has sizes {_dims_str(input._data.shape)} with dimension {i} being empty")


def _adaptive_avg(input, nd, output_size, name):
    _check_adaptive(input, nd, name)
    if input._data.dtype.kind not in "fcV":
        scalar = {"int64": "Long", "int32": "Int"}.get(str(input._data.dtype), str(input._data.dtype))
        raise NotImplementedError(f'"{name}" not implemented for \'{scalar}\'')
    out_sp = _adaptive_size(input, nd, output_size)
    size = input._data.shape[-nd:]
    dims = tuple(range(input._data.ndim - nd, input._data.ndim))
    if all(o == 1 for o in out_sp):
        return input.mean(dims, keepdim=True)
    if all(n % o == 0 for n, o in zip(size, out_sp)):      # regular windows: exactly torch's sum / count
        k = tuple(n // o for n, o in zip(size, out_sp))
        return _avg_pool(input, nd, k, k, 0, False, True, None, name)
    x = input
    for axis, n, o in zip(dims, size, out_sp):             # separable: one averaging matrix per dim
        _, start, end = _pool.adaptive_windows(n, o)
        mat = np.zeros((n, o), dtype=input._data.dtype)
        for i, (a, b) in enumerate(zip(start, end)):
            mat[a:b, i] = 1.0 / (b - a)
        x = (x.movedim(axis, -1) @ _wrap(mat)).movedim(-1, axis)
    return x


def adaptive_avg_pool1d(input, output_size):
    return _adaptive_avg(input, 1, output_size, "adaptive_avg_pool1d")


def adaptive_avg_pool2d(input, output_size):
    return _adaptive_avg(input, 2, output_size, "adaptive_avg_pool2d")


def adaptive_avg_pool3d(input, output_size):
    return _adaptive_avg(input, 3, output_size, "adaptive_avg_pool3d")


def _adaptive_max(input, nd, output_size, return_indices, name):
    _check_adaptive(input, nd, name)
    out_sp = _adaptive_size(input, nd, output_size)
    x, squeeze = _batched(input, nd)
    values, indices = _pool.AdaptiveMax.apply(x, out_sp)
    if squeeze:
        values, indices = values.squeeze(0), indices.squeeze(0)
    return (values, indices) if return_indices else values


def adaptive_max_pool1d(input, output_size, return_indices=False):
    return _adaptive_max(input, 1, output_size, return_indices, "adaptive_max_pool1d")


def adaptive_max_pool2d(input, output_size, return_indices=False):
    return _adaptive_max(input, 2, output_size, return_indices, "adaptive_max_pool2d")


def adaptive_max_pool3d(input, output_size, return_indices=False):
    return _adaptive_max(input, 3, output_size, return_indices, "adaptive_max_pool3d")


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=True):
    return _adaptive_max(input, 1, output_size, True, "adaptive_max_pool1d")


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=True):
    return _adaptive_max(input, 2, output_size, True, "adaptive_max_pool2d")


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=True):
    return _adaptive_max(input, 3, output_size, True, "adaptive_max_pool3d")


# ----------------------------------------------------------------------------------------------------------
# padding
# ----------------------------------------------------------------------------------------------------------

def pad(input, pad, mode="constant", value=None):
    """Pad the last ``len(pad) // 2`` dims; ``pad = (left_last, right_last, left_prev, right_prev, ...)``."""
    pad = tuple(int(v) for v in pad)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    nd = input._data.ndim
    if len(pad) // 2 > nd:
        raise RuntimeError(f"Padding length should be less than or equal to two times the input dimension but "
                           f"got padding length {len(pad)} and input of dimension {nd}")
    widths = [(0, 0)] * nd
    for i in range(len(pad) // 2):
        widths[nd - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    if mode == "constant":
        return _PadConstant.apply(input, tuple(widths), 0 if value is None else value)
    if value is not None and value != 0:
        raise ValueError(f"Padding mode \"{mode}\" doesn't take in value argument.")
    return _pad_mode(input, tuple(widths), mode, named=max(len(pad) // 2, 1))


# ----------------------------------------------------------------------------------------------------------
# pixel and channel shuffles
# ----------------------------------------------------------------------------------------------------------

def pixel_shuffle(input, upscale_factor):
    """(*, C * r^2, H, W) -> (*, C, H * r, W * r)."""
    shape = input._data.shape
    if len(shape) < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got input with "
                           f"{len(shape)} dimension(s)")
    r = int(upscale_factor)
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    c, h, w = shape[-3:]
    if c % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
                           f"upscale_factor, but input.size(-3)={c} is not divisible by {r * r}")
    batch = tuple(shape[:-3])
    nb = len(batch)
    x = input.reshape(batch + (c // (r * r), r, r, h, w))
    x = x.permute(tuple(range(nb)) + tuple(nb + i for i in (0, 3, 1, 4, 2)))   # (*, C, H, r, W, r)
    return x.reshape(batch + (c // (r * r), h * r, w * r))


def pixel_unshuffle(input, downscale_factor):
    """(*, C, H * r, W * r) -> (*, C * r^2, H, W)."""
    shape = input._data.shape
    if len(shape) < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but got input with "
                           f"{len(shape)} dimension(s)")
    r = int(downscale_factor)
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    c, h, w = shape[-3:]
    if h % r:
        raise RuntimeError(f"pixel_unshuffle expects height to be divisible by downscale_factor, but "
                           f"input.size(-2)={h} is not divisible by {r}")
    if w % r:
        raise RuntimeError(f"pixel_unshuffle expects width to be divisible by downscale_factor, but "
                           f"input.size(-1)={w} is not divisible by {r}")
    batch = tuple(shape[:-3])
    nb = len(batch)
    x = input.reshape(batch + (c, h // r, r, w // r, r))
    x = x.permute(tuple(range(nb)) + tuple(nb + i for i in (0, 2, 4, 1, 3)))   # (*, C, r, r, H, W)
    return x.reshape(batch + (c * r * r, h // r, w // r))


def channel_shuffle(input, groups):
    """(N, C, *) with C = g * k: channels reordered from (g, k) to (k, g)."""
    shape = input._data.shape
    if len(shape) < 3:
        raise RuntimeError(f"channel_shuffle expects input to have at least 3 dimensions, but got input with "
                           f"{len(shape)} dimension(s)")
    g = int(groups)
    if g <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of groups:{g}")
    c = shape[1]
    if c % g:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels and {g} groups.")
    x = input.reshape((shape[0], g, c // g) + tuple(shape[2:]))
    return x.transpose(1, 2).reshape(shape)


native_channel_shuffle = channel_shuffle


# ----------------------------------------------------------------------------------------------------------
# interpolate
# ----------------------------------------------------------------------------------------------------------

_MODE_DIMS = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3, "lanczos": 2}


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resize the spatial dims of (N, C, *S) ``input`` to ``size`` or by ``scale_factor``.

    ``antialias=True`` (bilinear, bicubic, lanczos; 4-D input) low-pass filters when downsampling: the
    filter's support grows with the downscale factor and its weights are normalised."""
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    nd = input._data.ndim - 2
    in_sp = tuple(input._data.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    scales = None
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != nd:
                raise ValueError(f"Input and output must have the same number of spatial dimensions, but got input "
                                 f"with spatial dimensions of {list(in_sp)} and output size of {size}. Please "
                                 f"provide input tensor in (N, C, d1, d2, ...,dK) format and output size in "
                                 f"(o1, o2, ...,oK) format.")
            if not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) or _is_int_tensor(v)
                       for v in size):
                raise TypeError(f"expected size to be one of int or Tuple[int] or Tuple[int, int] or "
                                f"Tuple[int, int, int], but got size with types {[type(v) for v in size]}")
            out_sp = tuple(int(v) for v in size)
        else:
            out_sp = (int(size),) * nd
    elif scale_factor is not None:
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != nd:
                raise ValueError(f"Input and scale_factor must have the same number of spatial dimensions, but got "
                                 f"input with spatial dimensions of {list(in_sp)} and scale_factor of shape "
                                 f"{scale_factor}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and "
                                 f"scale_factor in (s1, s2, ...,sK) format.")
            scales = tuple(float(v) for v in scale_factor)
        else:
            scales = (float(scale_factor),) * nd
        out_sp = tuple(int(math.floor(float(n) * s)) for n, s in zip(in_sp, scales))
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if recompute_scale_factor or mode == "area":
        scales = None
    if antialias and not (mode in ("bilinear", "bicubic", "lanczos") and nd == 2):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and requires a "
                         "4-D tensor as input")
    known = mode in ("nearest", "nearest-exact", "area") or mode in _MODE_DIMS
    if not known or not 1 <= nd <= 3 or (mode == "lanczos" and nd != 2):
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {nd + 2}D) for the "
                                  f"modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | area | "
                                  f"nearest-exact (got {mode})")
    if mode in _MODE_DIMS and _MODE_DIMS[mode] != nd:
        raise NotImplementedError(f"Got {nd + 2}D input, but {mode} mode needs {_MODE_DIMS[mode] + 2}D input")
    if mode == "lanczos":
        if align_corners:
            raise ValueError("Lanczos mode does not support align_corners=True")
        if not antialias:
            raise ValueError("Lanczos mode requires antialias=True")
    if mode == "area":
        return _adaptive_avg(input, nd, out_sp, f"adaptive_avg_pool{nd}d")
    if min(in_sp + out_sp) <= 0:
        names = ("D", "H", "W")[3 - nd:]
        sizes_in = ", ".join(f"{k}: {v}" for k, v in zip(names, in_sp))
        sizes_out = ", ".join(f"{k}: {v}" for k, v in zip(names, out_sp))
        joint = " and output" if nd == 1 else " output"
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input ({sizes_in}){joint} "
                           f"({sizes_out})")
    return _resample(input, out_sp, mode, align_corners, scales, antialias)


def _is_int_tensor(v):
    from ..tensor import Tensor
    return isinstance(v, Tensor) and v.ndim == 0 and not v.is_floating_point() and not v.is_complex()


def _deprecated_upsample(name):
    import warnings
    warnings.warn(f"`nn.functional.{name}` is deprecated. Use `nn.functional.interpolate` instead.", UserWarning,
                  stacklevel=3)


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    _deprecated_upsample("upsample")
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    _deprecated_upsample("upsample_nearest")
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    _deprecated_upsample("upsample_bilinear")
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ----------------------------------------------------------------------------------------------------------
# grid_sample / affine_grid
# ----------------------------------------------------------------------------------------------------------

def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """Sample ``input`` (N, C, H, W) or (N, C, D, H, W) at the normalised positions of ``grid`` (N, *O, 2|3)."""
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', "
                         f"but got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
                         f"'reflection', but got: '{padding_mode}'")
    nd = input._data.ndim - 2
    if nd not in (2, 3) or (mode == "bicubic" and nd != 2):
        raise NotImplementedError("grid_sample: ember supports 4-D input, and 5-D input with mode 'bilinear' or "
                                  "'nearest'")
    if grid._data.ndim != nd + 2 or grid._data.shape[-1] != nd:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {nd} in last dimension, but got grid with "
                           f"sizes {_dims_str(grid._data.shape)}")
    if input._data.shape[0] != grid._data.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, but got input with "
                           f"sizes {_dims_str(input._data.shape)} and grid with sizes {_dims_str(grid._data.shape)}")
    return _grid_sample(input, grid, mode, padding_mode, bool(align_corners))


def affine_grid(theta, size, align_corners=None):
    """The (N, *S, 2|3) sampling grid of affine matrices ``theta`` (N, 2, 3) or (N, 3, 4) for output ``size``."""
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = tuple(int(v) for v in size)
    if len(size) == 4:
        if theta._data.ndim != 3 or theta._data.shape[-2:] != (2, 3):
            raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size {_size_str(size)}. "
                             f"Got {_size_str(theta._data.shape)}.")
    elif len(size) == 5:
        if theta._data.ndim != 3 or theta._data.shape[-2:] != (3, 4):
            raise ValueError(f"Expected a batch of 3D affine matrices of shape Nx3x4 for size {_size_str(size)}. "
                             f"Got {_size_str(theta._data.shape)}.")
    else:
        raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
                                  f"respectively. Got size {_size_str(size)}.")
    if min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {_size_str(size)}")
    return _affine_grid(theta, size, bool(align_corners))


def _size_str(shape):
    return f"torch.Size([{', '.join(str(s) for s in shape)}])"
