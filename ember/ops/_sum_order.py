"""Floating-point sums in torch's CPU summation order, so ``x.sum().item()`` and ``x.mean().item()`` give
torch's bits, not just torch's value to a rounding error.

Float addition is not associative: NumPy's pairwise sum and torch's kernel round differently in the last bit
about half the time, which shows wherever user code prints a loss with ``.item()``.  torch's CPU sum (measured
against torch 2.13, float32 and float64) accumulates like this:

* **Along a contiguous run** of ``n`` items (a full reduction, or the trailing dims): the run is read as
  vectors of ``L`` lanes (8 float32 / 4 float64); whole vectors go round-robin to four accumulator vectors,
  each a *cascade* (below); leftover vectors join accumulator 0, then accumulators 1-3 join 0 in order.
  The scalar tail after the last whole vector is summed in order from zero, then the ``L`` lanes are added to
  it in order.  A run shorter than ``L`` is summed the same way with scalars for vectors.
* **Across rows** (the reduced dims lie before a contiguous kept one, e.g. ``grad.sum(0)`` of a batch): every
  kept column is its own cascade over the rows, for columns in groups of ``4 L``; columns left over past those
  go through the round-robin form above, by vectors of ``L`` and then singly.  Fewer than ``L`` columns: groups
  of four columns are cascades, the rest round-robin.
* **Leading and trailing dims around kept ones** (``sum((0, 2, 3))`` of an (N, C, H, W) batch): each leading
  index's runs as above, those sums added in order over the leading dims.
* **A cascade** adds its items in blocks of ``2**p`` (``p = max(4, ceil(log2 n) // 4)``), each block summed in
  order from zero; block sums are summed in order into a level-1 accumulator that is flushed into level 2 every
  ``2**p`` blocks, and so on over four levels; the items after the last whole block go into level 0, and the
  levels are added 0 + 1 + 2 + 3 at the end.
* A full reduction of more than 32768 items is split into ``threads`` equal ranges (one per thread, torch's
  grain size), each summed as above, and the range sums are added in order.

NumPy's ``add.reduce`` over a non-innermost axis of a C-contiguous array adds the slices in order, lane by lane,
which is exactly one in-order chain per lane: every step below is one such reduce or one ufunc on whole arrays.
"""
from __future__ import annotations

import numpy as np

__all__ = ["torch_sum", "torch_sum_any_layout", "supported"]

_LANES = {np.dtype(np.float32): 8, np.dtype(np.float64): 4}
_GRAIN = 32768
_LEVELS = 4


def supported(x) -> bool:
    return type(x) is np.ndarray and x.dtype in _LANES


def _chain(a, axis):
    """In-order sum of ``a`` along ``axis`` (not the last), lane by lane; zeros when the axis is empty."""
    if a.shape[axis] == 0:
        shape = a.shape[:axis] + a.shape[axis + 1:]
        return np.zeros(shape, a.dtype)
    return np.add.reduce(a, axis=axis)


def _cascade(rows):
    """torch's cascade sum of ``rows`` (B, n, W) over axis 1 -> (B, W)."""
    B, n, W = rows.shape
    ceil_log2 = (n - 1).bit_length() if n > 1 else 0
    step = 1 << max(4, ceil_log2 // _LEVELS)
    nb = n // step
    acc0 = _chain(rows[:, nb * step:], 1)                                  # the items after the last block
    level = _chain(rows[:, :nb * step].reshape(B, nb, step, W), 2)        # (B, nb, W) block sums
    accs = []
    for _ in range(1, _LEVELS - 1):                                        # levels 1 and 2 flush every `step`
        m = level.shape[1] // step
        accs.append(_chain(level[:, m * step:], 1))                        # what this level holds at the end
        level = _chain(level[:, :m * step].reshape(B, m, step, W), 2)      # flushed into the next level
    accs.append(_chain(level, 1))                                          # level 3 never flushes
    for a in accs:
        acc0 = acc0 + a
    return acc0


def _round_robin(units):
    """torch's ``row_sum`` of ``units`` (B, n, W) over axis 1 with four interleaved cascades -> (B, W)."""
    B, n, W = units.shape
    k = n // 4
    if k:
        parts = _cascade(units[:, :4 * k].reshape(B, k, 4 * W)).reshape(B, 4, W)
        p = [parts[:, i] for i in range(4)]
    else:
        p = [np.zeros((B, W), units.dtype) for _ in range(4)]
    p0 = p[0]
    for i in range(4 * k, n):
        p0 = p0 + units[:, i]
    for i in range(1, 4):
        p0 = p0 + p[i]
    return p0


def _inner(x2):
    """Sums of the rows of a C-contiguous (B, n) array, as torch adds a contiguous run -> (B,)."""
    B, n = x2.shape
    L = _LANES[x2.dtype]
    if n < L:
        return _round_robin(x2.reshape(B, n, 1))[:, 0]
    nv = n // L
    vec = _round_robin(x2[:, :nv * L].reshape(B, nv, L))                  # (B, L)
    out = _chain(x2[:, nv * L:].T, 0)                                      # the tail, in order from zero
    for j in range(L):
        out = out + vec[:, j]
    return out


def _outer(x3):
    """Sums over axis 1 of a C-contiguous (B, n, W) array, each column on its own -> (B, W)."""
    B, n, W = x3.shape
    L = _LANES[x3.dtype]
    out = np.empty((B, W), x3.dtype)
    if W < L:                                  # scalar columns: four at a time as cascades, the rest round-robin
        j = W // 4 * 4
        if j:
            out[:, :j] = _cascade(x3[:, :, :j])
    else:
        wide = W // (4 * L) * (4 * L)
        if wide:
            out[:, :wide] = _cascade(x3[:, :, :wide])
        j = wide
        while j + L <= W:
            out[:, j:j + L] = _round_robin(x3[:, :, j:j + L])
            j += L
    if j < W:
        out[:, j:] = _round_robin(x3[:, :, j:].transpose(0, 2, 1).reshape(B * (W - j), n, 1)).reshape(B, W - j)
    return out


def _full(flat, threads):
    n = flat.size
    if n <= _GRAIN or threads < 2:
        return _inner(flat.reshape(1, n))[0]
    tasks = min(threads, -(-n // _GRAIN))
    size = -(-n // tasks)
    total = flat.dtype.type(0)
    for lo in range(0, n, size):
        total = total + _inner(flat[lo:lo + size].reshape(1, -1))[0]
    return total


def torch_sum(x, axes, threads):
    """Sum of C-contiguous float32/float64 ``x`` over ``axes`` (sorted, non-negative; None or all axes: a full
    reduction) in torch's order, without keepdim; None when the axes are neither trailing nor leading (the
    caller then sums as usual)."""
    nd = x.ndim
    if axes is None or len(axes) == nd:
        return np.asarray(_full(x.reshape(-1), threads), dtype=x.dtype)
    axes = tuple(axes)
    if not axes:
        return None
    shape = x.shape
    if axes == tuple(range(nd - len(axes), nd)):                 # trailing: a contiguous run per output
        n = int(np.prod([shape[a] for a in axes]))
        kept = shape[:nd - len(axes)]
        return _inner(x.reshape(-1, n)).reshape(kept)
    if axes == tuple(range(axes[0], axes[-1] + 1)):              # a block of dims followed by kept ones
        lead = shape[:axes[0]]
        n = int(np.prod([shape[a] for a in axes]))
        W = int(np.prod(shape[axes[-1] + 1:]))
        B = int(np.prod(lead))
        return _outer(x.reshape(B, n, W)).reshape(lead + shape[axes[-1] + 1:])
    a = 0
    while a < len(axes) and axes[a] == a:
        a += 1
    if 0 < a < len(axes) and axes[a:] == tuple(range(nd - len(axes) + a, nd)):
        # leading and trailing dims reduced around kept ones (a batch norm's sum over N, H, W): each leading
        # index's contiguous runs are summed, and those sums are added in order over the leading dims
        n = int(np.prod([shape[d] for d in axes[a:]]))
        kept = shape[a:nd - len(axes) + a]
        runs = _inner(x.reshape(-1, n)).reshape((-1,) + kept)
        return _chain(runs, 0)
    return None


def torch_sum_any_layout(x, axes, threads):
    """``torch_sum`` for any array whose dims, ordered by decreasing stride, are C-contiguous (a transposed or
    permuted view of contiguous data: torch walks memory in that order too); None otherwise."""
    axes = tuple(sorted(axes))
    if x.flags.c_contiguous:
        return torch_sum(x, axes, threads)
    order = sorted(range(x.ndim), key=lambda i: -x.strides[i])
    xt = x.transpose(order)
    if not xt.flags.c_contiguous:
        return None
    r = torch_sum(xt, tuple(sorted(order.index(a) for a in axes)), threads)
    if r is None or r.ndim < 2:
        return r
    kept = [a for a in order if a not in axes]                    # the result's dims, in memory order
    return r.transpose([kept.index(a) for a in sorted(kept)])
