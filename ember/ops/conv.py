"""Convolution as fused primitives, for 1, 2 and 3 spatial dims, with stride, padding, dilation and groups.

Three ops close the family under differentiation, so double backward needs no extra code:

* ``Conv``            y  = conv(x, w) + b                 backward: ConvTranspose (for x), ConvWeight (for w)
* ``ConvTranspose``   x' = conv^T(g, w) + b  (the adjoint) backward: Conv (for g), ConvWeight (for w)
* ``ConvWeight``      gw = the weight gradient of conv     backward: ConvTranspose (for x), Conv (for g)

``Unfold`` (im2col) and ``Fold`` (col2im) are the same pair of linear maps with the kernel left open.

Array kernels work in a channels-first, batch-second layout ``(C, N, *spatial)`` so that every product is one
large matrix product (one BLAS call per group):

* forward: im2col -- a strided window view of the zero-padded input copied once to ``(C * K, N * P)`` -- then
  ``(O, C * K) @ (C * K, N * P)``;
* input gradient: ``w^T @ g`` to columns, then col2im: one strided-slice ``+=`` per kernel offset (no
  ``add.at``);
* weight gradient: ``cols @ g^T`` on the forward's kept columns (OpenBLAS is many times slower at the
  equivalent ``g @ cols^T``, whose long inner dimension comes in "NT" form).

Measured alternatives (benchmarks/bench_spatial.py; 2 cores): a "shifted flat" stride-1 scheme (one
``(O, C) @ (C, L)`` product per kernel offset on views of the flattened padded input, no im2col copy) won on an
idle machine but lost by 3-10x under load, where OpenBLAS pays a thread hand-off per small product; batched
``(N, C * K, P)`` products lost the same way.

Padding is given per spatial dim as ``(low, high)`` so that ``padding='same'`` with an even kernel needs no
separate pad op.
"""
from __future__ import annotations

import itertools
import math

import numpy as np

from ..autograd.function import Op
from ..backend import blas, scratch
from ..backend.parallel import for_blocks, num_threads
from .products import _autocast
from ._util import xp_of as _xp

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
           "convolution", "unfold_patches", "fold_patches"]


def _compute_dtype(a):
    """NumPy has no fast float16/bfloat16 matmul: those compute in float32 (as torch accumulates)."""
    return np.float32 if a.dtype.kind == "V" or a.dtype == np.float16 else a.dtype


def _offsets(ksize):
    return list(itertools.product(*(range(k) for k in ksize)))


# ----------------------------------------------------------------------------------------------------------
# array kernels: (C, N, *S) layouts
# ----------------------------------------------------------------------------------------------------------

def _pad_cf(x, pad, dtype):
    """``x`` (N, C, *S) -> zero-padded, contiguous ``(C, N, *Sp)`` in ``dtype``."""
    xp = _xp(x)
    n, c = x.shape[:2]
    sp = tuple(s + lo + hi for s, (lo, hi) in zip(x.shape[2:], pad))
    out = xp.zeros((c, n) + sp, dtype=dtype)
    inner = tuple(slice(lo, lo + s) for s, (lo, _) in zip(x.shape[2:], pad))
    out[(slice(None), slice(None)) + inner] = xp.swapaxes(x, 0, 1)
    return out


def _windows(xpad, ksize, stride, dilation, out_sp):
    """Strided window view of ``xpad`` (C, N, *Sp) as (C, *K, N, *P) (no copy)."""
    xp = _xp(xpad)
    st = xpad.strides
    nd = len(ksize)
    shape = (xpad.shape[0],) + tuple(ksize) + (xpad.shape[1],) + tuple(out_sp)
    strides = ((st[0],) + tuple(st[2 + i] * dilation[i] for i in range(nd)) + (st[1],)
               + tuple(st[2 + i] * stride[i] for i in range(nd)))
    return xp.lib.stride_tricks.as_strided(xpad, shape, strides)


def _out_size(in_sp, ksize, stride, pad, dilation):
    return tuple((s + lo + hi - d * (k - 1) - 1) // st + 1
                 for s, k, st, (lo, hi), d in zip(in_sp, ksize, stride, pad, dilation))


def _pad_cf_scratch(x, pad, dtype):
    """``_pad_cf`` into a recycled buffer (NumPy only): only the border is zeroed, the interior is copied."""
    n, c = x.shape[:2]
    sp = tuple(s + lo + hi for s, (lo, hi) in zip(x.shape[2:], pad))
    out = scratch.take((c, n) + sp, dtype)
    for i, (s, (lo, hi)) in enumerate(zip(x.shape[2:], pad)):
        lead = (slice(None),) * (2 + i)
        if lo:
            out[lead + (slice(0, lo),)] = 0
        if hi:
            out[lead + (slice(lo + s, None),)] = 0
    inner = tuple(slice(lo, lo + s) for s, (lo, _) in zip(x.shape[2:], pad))
    out[(slice(None), slice(None)) + inner] = np.swapaxes(x, 0, 1)
    return out


def _im2col_cf(x, ksize, stride, pad, dilation, out_sp, groups, dt):
    """x (N, C, *S) -> contiguous columns (G, C/g * K, N * P).

    On NumPy the columns and the padded copy come from ``backend.scratch`` (a fresh 37 MB array costs more in
    page faults than the copy into it); the columns are a view of a pooled buffer that the caller may hand
    back with ``_release`` once nothing reads them any more."""
    shape = (groups, x.shape[1] // groups * math.prod(ksize), x.shape[0] * math.prod(out_sp))
    if type(x) is not np.ndarray:
        xpad = _pad_cf(x, pad, dt)                                    # (C, N, *Sp)
        cols = _windows(xpad, ksize, stride, dilation, out_sp)       # (C, *K, N, *P), a view
        return _xp(x).ascontiguousarray(cols).reshape(shape)
    xpad = _pad_cf_scratch(x, pad, dt)
    win = _windows(xpad, ksize, stride, dilation, out_sp)
    buf = scratch.take(win.shape, dt)
    np.copyto(buf, win)
    scratch.give(xpad)
    return buf.reshape(shape)


def _release(cols):
    """Hand im2col columns (a reshaped view of a pooled buffer, or a split forward's ``_Chunks``) back to the
    pool."""
    if type(cols) is _Chunks:
        for part in cols.parts:
            _release(part)
    elif cols is not None and type(cols) is np.ndarray and cols.base is not None:
        scratch.give(cols.base)


# ----------------------------------------------------------------------------------------------------------
# batch split: image ranges over the block pool's threads, one single-threaded BLAS product each
# ----------------------------------------------------------------------------------------------------------

_SPLIT_MIN = 1 << 17      # im2col elements below which one call (two BLAS threads) is as fast
_SPLIT_CHUNK = 1 << 20    # im2col elements per image range: a few MB, so the product reads them from cache


class _Chunks:
    """The im2col columns of a batch-split forward, one array per image range of ``block`` images."""

    __slots__ = ("block", "parts", "nbytes")

    def __init__(self, block, parts):
        self.block, self.parts = block, parts
        self.nbytes = sum(p.nbytes for p in parts)


def _split_block(x, per_image):
    """Images per range when splitting the batch of NumPy array ``x`` (``per_image`` im2col elements each)
    over threads pays, else 0.

    Two threads that each copy their own columns and run their own one-thread product use both cores for the
    whole layer -- the im2col copy included, which no BLAS thread helps with -- and never wait on a BLAS
    thread hand-off (benchmarks/README.md).  Needs a BLAS whose thread count can be set per call."""
    n = x.shape[0]
    threads = num_threads()
    if (type(x) is not np.ndarray or threads < 2 or n < 2 or per_image * n < _SPLIT_MIN
            or not blas.available()):
        return 0
    return max(1, min(-(-n // threads), -(-_SPLIT_CHUNK // per_image)))


def _run_split(kernel, n, block):
    """``kernel(lo, hi)`` over image ranges on the pool's threads, BLAS on one thread meanwhile."""
    with blas.one_thread():
        for_blocks(kernel, n, block, min_parallel=0)


def conv_forward(x, w, stride, pad, dilation, groups, out_sp=None, keep=None):
    """y (N, O, *P) = cross-correlation of x (N, C, *S) with w (O, C/g, *K); ``out_sp`` crops P (the adjoint of
    a transposed conv with output_padding).  ``keep``, a list, receives the im2col columns (an array, or a
    ``_Chunks`` when the batch was split between threads)."""
    if out_sp is None:
        out_sp = _out_size(x.shape[2:], w.shape[2:], stride, pad, dilation)
    block = _split_block(x, x.shape[1] * math.prod(w.shape[2:]) * math.prod(out_sp))
    if not block:
        return _conv_forward1(x, w, stride, pad, dilation, groups, out_sp, keep)
    n = x.shape[0]
    out = np.empty((n, w.shape[0]) + tuple(out_sp), x.dtype)
    parts = None if keep is None else [None] * -(-n // block)

    def kernel(lo, hi):
        mine = None if parts is None else []
        _conv_forward1(x[lo:hi], w, stride, pad, dilation, groups, out_sp, mine, out[lo:hi])
        if parts is not None:
            parts[lo // block] = mine[0]

    _run_split(kernel, n, block)
    if keep is not None:
        keep.append(_Chunks(block, parts))
    return out


def _conv_forward1(x, w, stride, pad, dilation, groups, out_sp, keep=None, dest=None):
    """``conv_forward`` in one call; ``dest`` (N, O, *P), when given, receives the result."""
    xp = _xp(x)
    dt = _compute_dtype(x)
    n = x.shape[0]
    o = w.shape[0]
    cols = _im2col_cf(x, w.shape[2:], stride, pad, dilation, out_sp, groups, dt)   # (G, Cg*K, N*P)
    wg = w.astype(dt, copy=False).reshape(groups, o // groups, -1)                 # (G, Og, Cg*K)
    pooled = type(cols) is np.ndarray and cols.base is not None
    ybuf = scratch.take((groups, o // groups, cols.shape[2]), dt) if pooled else None
    if groups == 1:
        y = xp.matmul(wg[0], cols[0], out=None if ybuf is None else ybuf[0])[None]   # (G, Og, N*P)
    else:
        y = xp.matmul(wg, cols, out=ybuf)
    if keep is not None:
        keep.append(cols)
    else:
        _release(cols)
    y = y.reshape((o, n) + tuple(out_sp))
    if dest is not None:
        np.copyto(dest, np.swapaxes(y, 0, 1), casting="unsafe")
        out = dest
    else:
        out = xp.ascontiguousarray(xp.swapaxes(y, 0, 1)).astype(x.dtype, copy=False)    # (N, O, *P)
    scratch.give(ybuf)
    return out


def conv_input_grad(g, w, in_sp, stride, pad, dilation, groups):
    """The adjoint of ``conv_forward`` in x: g (N, O, *P) -> (N, C, *in_sp).  Also conv_transpose's core."""
    c = w.shape[1] * groups
    block = _split_block(g, max(c, g.shape[1]) * math.prod(w.shape[2:]) * math.prod(in_sp))
    if not block:
        return _conv_input_grad1(g, w, in_sp, stride, pad, dilation, groups)
    n = g.shape[0]
    out = np.empty((n, c) + tuple(in_sp), g.dtype)
    _run_split(lambda lo, hi: _conv_input_grad1(g[lo:hi], w, in_sp, stride, pad, dilation, groups, out[lo:hi]),
               n, block)
    return out


def _conv_input_grad1(g, w, in_sp, stride, pad, dilation, groups, dest=None):
    """``conv_input_grad`` in one call; ``dest`` (N, C, *in_sp), when given, receives the result."""
    xp = _xp(g)
    dt = _compute_dtype(g)
    n, o = g.shape[:2]
    out_sp = g.shape[2:]
    ksize = w.shape[2:]
    c = w.shape[1] * groups
    # with stride 1 the input size is P + d (k - 1) - lo - hi, plus what output_padding added at the high end
    full = tuple((d * (k - 1) - lo, d * (k - 1) - hi + s - (p + d * (k - 1) - lo - hi))
                 for k, d, (lo, hi), s, p in zip(ksize, dilation, pad, in_sp, out_sp))
    if groups == 1 and o <= c and all(s == 1 for s in stride) and all(lo >= 0 and hi >= 0 for lo, hi in full):
        # stride 1: the adjoint is a full correlation with the flipped kernel, one (C, O*K) @ (O*K, N*P)
        # product on g's columns (O*K of them); with O <= C that beats the (C*K, N*P) product plus col2im
        flip = (slice(None), slice(None)) + (slice(None, None, -1),) * len(ksize)
        wf = xp.ascontiguousarray(xp.swapaxes(w, 0, 1)[flip])                      # (C, O, *K)
        return _conv_forward1(g, wf, stride, full, dilation, 1, tuple(in_sp), None, dest)
    gm = xp.ascontiguousarray(xp.swapaxes(g, 0, 1), dtype=dt).reshape(groups, o // groups, -1)  # (G, Og, N*P)
    wt = xp.swapaxes(w.astype(dt, copy=False).reshape(groups, o // groups, -1), 1, 2)          # (G, Cg*K, Og)
    cols = (wt[0] @ gm[0])[None] if groups == 1 else xp.matmul(wt, gm)                        # (G, Cg*K, N*P)
    cols = cols.reshape((c,) + tuple(ksize) + (n,) + tuple(out_sp))
    sp = tuple(s + lo + hi for s, (lo, hi) in zip(in_sp, pad))
    out = xp.zeros((c, n) + sp, dtype=dt)
    _col2im_add(out, cols, ksize, stride, dilation, out_sp)
    inner = tuple(slice(lo, lo + s) for s, (lo, _) in zip(in_sp, pad))
    out = out[(slice(None), slice(None)) + inner]
    if dest is not None:
        np.copyto(dest, np.swapaxes(out, 0, 1), casting="unsafe")
        return dest
    return xp.ascontiguousarray(xp.swapaxes(out, 0, 1)).astype(g.dtype, copy=False)


def _col2im_add(out, cols, ksize, stride, dilation, out_sp):
    """out (C, N, *Sp) += every tap of cols (C, *K, N, *P) at its strided window position.  (Splitting the
    channels over the block pool's two threads, like the im2col copy, measured 10% slower on one thread and no
    faster on two: both are bound by memory and page faults.)"""
    for kk in _offsets(ksize):
        key = tuple(slice(k * d, k * d + s * (p - 1) + 1, s) for k, d, s, p in zip(kk, dilation, stride, out_sp))
        out[(slice(None), slice(None)) + key] += cols[(slice(None),) + kk]


def conv_weight_grad(x, g, ksize, stride, pad, dilation, groups, cols=None):
    """The weight gradient of ``conv_forward``: x (N, C, *S), g (N, O, *P) -> (O, C/g, *K); ``cols``: x's im2col
    columns when the forward kept them (a ``_Chunks`` from a batch-split forward: the same image ranges)."""
    if type(cols) is _Chunks:
        block = cols.block
    elif cols is None:
        block = _split_block(x, x.shape[1] * math.prod(ksize) * math.prod(g.shape[2:]))
    else:
        block = 0
    if not block:
        return _conv_weight_grad1(x, g, ksize, stride, pad, dilation, groups, cols).astype(x.dtype, copy=False)
    n = x.shape[0]
    parts = [None] * -(-n // block)
    kept = cols.parts if cols is not None else None

    def kernel(lo, hi):
        i = lo // block
        parts[i] = _conv_weight_grad1(x[lo:hi], g[lo:hi], ksize, stride, pad, dilation, groups,
                                      None if kept is None else kept[i])

    _run_split(kernel, n, block)
    total = parts[0]
    for p in parts[1:]:                                  # in range order: the same sum however blocks ran
        total += p
    return total.astype(x.dtype, copy=False)


def _conv_weight_grad1(x, g, ksize, stride, pad, dilation, groups, cols=None):
    """``conv_weight_grad`` in one call, in the compute dtype."""
    xp = _xp(x)
    dt = _compute_dtype(x)
    o = g.shape[1]
    out_sp = g.shape[2:]
    own = cols is None
    if own:
        cols = _im2col_cf(x, ksize, stride, pad, dilation, out_sp, groups, dt)    # (G, Cg*K, N*P)
    gm = xp.ascontiguousarray(xp.swapaxes(g, 0, 1), dtype=dt).reshape(groups, o // groups, -1)  # (G, Og, N*P)
    # cols @ g^T then transpose: OpenBLAS is far slower at g @ cols^T (a long inner dim in "NT" form)
    gmt = xp.swapaxes(gm, 1, 2)
    # np.dot, not matmul: with two OpenBLAS threads on a loaded machine, matmul's call for a thin ``cols``
    # (e.g. 27 rows: a 3-channel stem) stalled for ~1 s where dot took 1 ms (measured, NumPy 2.4 / OpenBLAS 0.3.31)
    gwt = xp.dot(cols[0], gmt[0])[None] if groups == 1 else xp.matmul(cols, gmt)    # (G, Cg*K, Og)
    gw = xp.ascontiguousarray(xp.swapaxes(gwt, 1, 2))                               # (G, Og, Cg*K)
    if own:
        _release(cols)
    return gw.reshape((o, x.shape[1] // groups) + tuple(ksize))


_KEEP_COLS_BYTES = 128 * 2 ** 20

# ----------------------------------------------------------------------------------------------------------
# the three ops
# ----------------------------------------------------------------------------------------------------------

class Conv(Op):
    """y = conv(x, w) + b.  ``p`` = (stride, pad, dilation, groups)."""

    _grad_name = "ConvolutionBackward0"
    save_inputs = (0, 1)

    @staticmethod
    def forward(ctx, x, w, b, p, out_sp=None):
        ctx.p = p
        ctx.in_sp = x.shape[2:]
        keep = []
        y = conv_forward(x, w, *p, out_sp, keep)
        # the weight gradient reuses the forward's im2col columns (as torch's CPU conv keeps ``finput``), up to
        # a size where holding them for every layer would cost more memory than recomputing costs time
        if keep[0].nbytes <= _KEEP_COLS_BYTES:
            ctx.cols = keep[0]
        else:
            ctx.cols = None
            _release(keep[0])
        if b is not None:
            y += b.reshape((-1,) + (1,) * (y.ndim - 2))
        ctx.has_bias = b is not None
        return y

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        gx = gw = gb = None
        if ctx._edges[0] is not None:
            gx = ConvTranspose.apply(grad, w, None, ctx.p, ctx.in_sp)
        if ctx._edges[1] is not None:
            gw = ConvWeight.apply(x, grad, ctx.p, w.shape[2:], ctx.cols)
        # the columns have no other reader (ConvWeight does not keep them): recycle them for the next forward
        cols, ctx.cols = ctx.cols, None
        _release(cols)
        if ctx.has_bias and ctx._edges[2] is not None:
            gb = grad.sum((0,) + tuple(range(2, grad.ndim)))
        return gx, gw, gb, None, None


class ConvTranspose(Op):
    """x' = conv^T(g, w) + b onto spatial size ``in_sp``: the adjoint of ``Conv`` in its input."""

    _grad_name = "ConvolutionBackward0"
    save_inputs = (0, 1)

    @staticmethod
    def forward(ctx, g, w, b, p, in_sp):
        ctx.p = p
        y = conv_input_grad(g, w, in_sp, *p)
        if b is not None:
            y += b.reshape((-1,) + (1,) * (y.ndim - 2))
        ctx.has_bias = b is not None
        return y

    @staticmethod
    def backward(ctx, grad):
        g, w = ctx.saved_tensors
        gg = gw = gb = None
        if ctx._edges[0] is not None:
            gg = Conv.apply(grad, w, None, ctx.p, g.shape[2:])
        if ctx._edges[1] is not None:
            gw = ConvWeight.apply(grad, g, ctx.p, w.shape[2:])
        if ctx.has_bias and ctx._edges[2] is not None:
            gb = grad.sum((0,) + tuple(range(2, grad.ndim)))
        return gg, gw, gb, None, None


class ConvWeight(Op):
    """gw = the weight gradient of ``conv(x, .)`` for output gradient g; linear in x and in g."""

    _grad_name = "ConvolutionBackwardBackward0"
    save_inputs = (0, 1)

    @staticmethod
    def forward(ctx, x, g, p, ksize, cols=None):
        ctx.p = p
        ctx.in_sp = x.shape[2:]
        return conv_weight_grad(x, g, ksize, *p, cols)

    @staticmethod
    def backward(ctx, grad):
        x, g = ctx.saved_tensors
        gx = gg = None
        if ctx._edges[0] is not None:
            gx = ConvTranspose.apply(g, grad, None, ctx.p, ctx.in_sp)
        if ctx._edges[1] is not None:
            gg = Conv.apply(x, grad, None, ctx.p, g.shape[2:])
        return gx, gg, None, None, None


# ----------------------------------------------------------------------------------------------------------
# public functions, with torch's argument checks
# ----------------------------------------------------------------------------------------------------------

def _tuple_arg(value, nd, name):
    if isinstance(value, (int, np.integer)):
        return (int(value),) * nd
    value = tuple(int(v) for v in value)
    if len(value) == 1:
        return value * nd
    if len(value) != nd:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {nd} values to match the "
                           f"convolution dimensions, but got {name}={list(value)}")
    return value


def _dims_str(shape):
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _check_conv_input(input, weight, nd, name, bias=None):
    ndim = input._data.ndim
    if ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {name}, but got input "
                           f"of size: {_dims_str(input._data.shape)}")
    if weight._data.ndim != nd + 2:
        raise RuntimeError(f"weight should have at least three dimensions" if weight._data.ndim < 3 else
                           f"Expected {weight._data.ndim - 1}D (unbatched) or {weight._data.ndim}D (batched) input "
                           f"to {name}, but got input of size: {_dims_str(input._data.shape)}")
    _check_conv_bias(input, bias)          # torch names a mismatched bias before a mismatched weight
    if input.dtype is not weight.dtype:
        raise RuntimeError(f"expected scalar type {_scalar_name(input)} but found {_scalar_name(weight)}")
    return ndim == nd + 1


def _check_conv_bias(input, bias):
    if bias is not None and bias.dtype is not input.dtype:
        from ..tensor import _C_TYPE
        raise RuntimeError(f"Input type ({_C_TYPE.get(input.dtype.name, input.dtype.name)}) and bias type "
                           f"({_C_TYPE.get(bias.dtype.name, bias.dtype.name)}) should be the same")


_SCALAR_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
                 "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def _scalar_name(t):
    return _SCALAR_NAMES.get(t.dtype.name if hasattr(t.dtype, "name") else str(t.dtype), str(t.dtype))


def _same_padding(ksize, dilation):
    pads = []
    for k, d in zip(ksize, dilation):
        total = d * (k - 1)
        pads.append((total // 2, total - total // 2))
    return tuple(pads)


def convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding, groups, nd=None,
                name=None):
    """The function behind every ``conv*d`` / ``conv_transpose*d`` (torch's ``torch.convolution`` order)."""
    if _autocast[0] is not None:
        return _autocast[0].run(convolution, input, weight, bias, stride, padding, dilation, transposed,
                                output_padding, groups, nd, name)
    if nd is None:
        nd = weight._data.ndim - 2
    name = name or (f"conv_transpose{nd}d" if transposed else f"conv{nd}d")
    unbatched = _check_conv_input(input, weight, nd, name, bias)
    if unbatched:
        input = input.unsqueeze(0)
    stride = _tuple_arg(stride, nd, "stride")
    dilation = _tuple_arg(dilation, nd, "dilation")
    if isinstance(padding, str):
        if padding == "valid":
            pad = ((0, 0),) * nd
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            pad = _same_padding(weight._data.shape[2:], dilation)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        pad = tuple((p, p) for p in _tuple_arg(padding, nd, "padding"))
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(lo < 0 for lo, _ in pad):
        raise RuntimeError("negative padding is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError(f"dilation should be greater than zero, but got {list(dilation)}")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    ws = weight._data.shape
    xs = input._data.shape
    if not transposed:
        if ws[0] % groups:
            raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
                               f"but got weight of size [{_dims_str(ws)}] instead")
        if xs[1] != ws[1] * groups:
            raise RuntimeError(f"Given groups={groups}, weight of size {_dims_str(ws)}, expected input{_dims_str(xs)} "
                               f"to have {ws[1] * groups} channels, but got {xs[1]} channels instead")
        out_channels = ws[0]
    else:
        if xs[1] != ws[0]:
            raise RuntimeError(f"Given transposed=1, weight of size {_dims_str(ws)}, expected input{_dims_str(xs)} "
                               f"to have {ws[0]} channels, but got {xs[1]} channels instead")
        if ws[0] % groups:
            raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
                               f"but got weight of size [{_dims_str(ws)}] instead")
        out_channels = ws[1] * groups
    if bias is not None and (bias._data.ndim != 1 or bias._data.shape[0] != out_channels):
        raise RuntimeError(f"Given weight of size {_dims_str(ws)}, expected bias to be 1-dimensional with "
                           f"{out_channels} elements, but got bias of size {_dims_str(bias._data.shape)} instead")
    ksize = ws[2:]
    p = (stride, pad, dilation, groups)
    if not transposed:
        padded = tuple(s + lo + hi for s, (lo, hi) in zip(xs[2:], pad))
        eff = tuple(d * (k - 1) + 1 for k, d in zip(ksize, dilation))
        if any(a < b for a, b in zip(padded, eff)):
            raise RuntimeError(f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). Kernel "
                               f"size: ({' x '.join(map(str, eff))}). Kernel size can't be greater than actual "
                               f"input size")
        out = Conv.apply(input, weight, bias, p)
    else:
        output_padding = _tuple_arg(output_padding, nd, "output_padding")
        if any(op >= s and op >= d for op, s, d in zip(output_padding, stride, dilation)):
            # torch runs 1-d as 2-d with a unit height, and reports it so
            ops, sts, dls = ((0,) + output_padding, (1,) + stride, (1,) + dilation) if nd == 1 else \
                (output_padding, stride, dilation)
            axes = ["depth", "height", "width"][3 - len(ops):]
            parts = ([f"output_padding_{a}: {v}" for a, v in zip(axes, ops)]
                     + [f"stride_{a}: {v}" for a, v in zip(axes, sts)]
                     + [f"dilation_{a}: {v}" for a, v in zip(axes, dls)])
            raise RuntimeError("output padding must be smaller than either stride or dilation, but got "
                               + " ".join(parts))
        in_sp = tuple((i - 1) * s - lo - hi + d * (k - 1) + op + 1
                      for i, s, (lo, hi), d, k, op in zip(xs[2:], stride, pad, dilation, ksize, output_padding))
        if any(v <= 0 for v in in_sp):
            raise RuntimeError(f"Given input size per channel: ({' x '.join(map(str, xs[2:]))}). Calculated output "
                               f"size per channel: ({' x '.join(map(str, in_sp))}). Output size is too small")
        out = ConvTranspose.apply(input, weight, bias, p, in_sp)
    return out.squeeze(0) if unbatched else out


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return convolution(input, weight, bias, stride, padding, dilation, False, 0, groups, 1)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return convolution(input, weight, bias, stride, padding, dilation, False, 0, groups, 2)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return convolution(input, weight, bias, stride, padding, dilation, False, 0, groups, 3)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    return convolution(input, weight, bias, stride, padding, dilation, True, output_padding, groups, 1)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    return convolution(input, weight, bias, stride, padding, dilation, True, output_padding, groups, 2)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    return convolution(input, weight, bias, stride, padding, dilation, True, output_padding, groups, 3)


# ----------------------------------------------------------------------------------------------------------
# im2col / col2im (F.unfold / F.fold): linear maps, each the other's adjoint
# ----------------------------------------------------------------------------------------------------------

def _im2col(x, ksize, stride, pad, dilation):
    """x (N, C, *S) -> (N, C * K, L)."""
    xp = _xp(x)
    n, c = x.shape[:2]
    out_sp = _out_size(x.shape[2:], ksize, stride, pad, dilation)
    xpad = _pad_cf(x, pad, x.dtype)
    cols = _windows(xpad, ksize, stride, dilation, out_sp)       # (C, *K, N, *P)
    cols = xp.moveaxis(cols, 1 + len(ksize), 0)                   # (N, C, *K, *P)
    return xp.ascontiguousarray(cols).reshape(n, c * int(np.prod(ksize)), -1)


def _col2im(cols, out_sp, ksize, stride, pad, dilation):
    """cols (N, C * K, L) -> (N, C, *out_sp), summing overlaps."""
    xp = _xp(cols)
    n = cols.shape[0]
    k = int(np.prod(ksize))
    c = cols.shape[1] // k
    blocks = _out_size(out_sp, ksize, stride, pad, dilation)
    cols = cols.reshape((n, c) + tuple(ksize) + blocks)
    cols = xp.moveaxis(cols, 0, 1 + len(ksize))                   # (C, *K, N, *P)
    sp = tuple(s + lo + hi for s, (lo, hi) in zip(out_sp, pad))
    out = xp.zeros((c, n) + sp, dtype=cols.dtype)
    _col2im_add(out, cols, ksize, stride, dilation, blocks)
    inner = tuple(slice(lo, lo + s) for s, (lo, _) in zip(out_sp, pad))
    return xp.ascontiguousarray(xp.swapaxes(out[(slice(None), slice(None)) + inner], 0, 1))


class Unfold(Op):
    _grad_name = "Im2ColBackward0"

    @staticmethod
    def forward(ctx, x, ksize, stride, pad, dilation):
        ctx.args = (x.shape[2:], ksize, stride, pad, dilation)
        return _im2col(x, ksize, stride, pad, dilation)

    @staticmethod
    def backward(ctx, grad):
        return Fold.apply(grad, *ctx.args), None, None, None, None


class Fold(Op):
    _grad_name = "Col2ImBackward0"

    @staticmethod
    def forward(ctx, cols, out_sp, ksize, stride, pad, dilation):
        ctx.args = (ksize, stride, pad, dilation)
        return _col2im(cols, out_sp, ksize, stride, pad, dilation)

    @staticmethod
    def backward(ctx, grad):
        return Unfold.apply(grad, *ctx.args), None, None, None, None, None


def unfold_patches(input, kernel_size, dilation=1, padding=0, stride=1):
    """``F.unfold``: sliding blocks of a (N, C, *S) input as columns (N, C * prod(K), L)."""
    nd = input._data.ndim - 2
    ksize, dilation, padding, stride = (_tuple_arg(v, nd, n) for v, n in
                                        ((kernel_size, "kernel_size"), (dilation, "dilation"),
                                         (padding, "padding"), (stride, "stride")))
    blocks = _out_size(input._data.shape[2:], ksize, stride, tuple((p, p) for p in padding), dilation)
    if any(b < 1 for b in blocks):
        raise RuntimeError(f"Given input with spatial size {tuple(input._data.shape[2:])}, kernel_size={ksize}, "
                           f"dilation={dilation}, padding={padding}, calculated shape of the array of sliding "
                           f"blocks as {blocks}, but its components must be at least one.")
    return Unfold.apply(input, ksize, stride, tuple((p, p) for p in padding), dilation)


def fold_patches(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """``F.fold``: the adjoint of ``unfold``; columns (N, C * prod(K), L) summed back into (N, C, *output_size)."""
    nd = 2
    out_sp, ksize, dilation, padding, stride = (_tuple_arg(v, nd, n) for v, n in
                                                ((output_size, "output_size"), (kernel_size, "kernel_size"),
                                                 (dilation, "dilation"), (padding, "padding"),
                                                 (stride, "stride")))
    k = int(np.prod(ksize))
    shape = input._data.shape
    if shape[1] % k:
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product of kernel_size, but "
                           f"got input.size(1)={shape[1]} and kernel_size={ksize}.")
    pad = tuple((p, p) for p in padding)
    blocks = _out_size(out_sp, ksize, stride, pad, dilation)
    if math.prod(blocks) != shape[2]:
        raise RuntimeError(f"Given output_size={out_sp}, kernel_size={ksize}, dilation={dilation}, "
                           f"padding={padding}, stride={stride}, expected size of input's dimension 2 to match the "
                           f"calculated number of sliding blocks {' * '.join(map(str, blocks))} = "
                           f"{math.prod(blocks)}, but got input.size(2)={shape[2]}.")
    return Fold.apply(input, out_sp, ksize, stride, pad, dilation)
