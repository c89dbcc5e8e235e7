"""Shape, indexing and linear-algebra ops, listed once (``OPS_SHAPE``, appended to ``op_db.OPS``).

Records are ``op_db.OpInfo`` tagged ``"shape"`` with explicit ``samples``: these ops need inputs whose shapes
fit together (an index for ``gather``, a square matrix for ``inv``), so instead of hypothesis shapes each
record lists a few calls, edge cases included (0-d, empty, broadcasting, non-contiguous).  ``samples(rng,
dtype)`` returns a list of argument tuples; an ``Arr`` becomes a tensor (of the tested dtype unless it names
its own), lists and tuples are converted element-wise, anything else is passed as is.  ``op(T, *args)`` runs
with ``T`` = ember or torch.  ``view=True`` records return a view of their first argument: the tests check
memory sharing, ``stride()``, ``storage_offset()`` and ``is_contiguous()`` against torch.

Linear-algebra factors (``qr``, ``svd``, ``eigh``) are compared through gauge-invariant quantities
(reconstructions, projections), as torch's documentation advises.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np

from op_db import ALL, BF16, BOOL, F32, FLOATS, FLOATS_INT, I64, OpInfo


@dataclass
class ShapeOpInfo(OpInfo):
    samples: Optional[Callable] = None      # samples(rng, dtype) -> [args tuple, ...]
    view: bool = False                      # the result is a view of the first argument
    gc_sample: int = 0                      # which sample gradcheck / gradgradcheck use (float64)
    tags: tuple = ("shape",)


class Arr:
    """An array that becomes a tensor: of the tested dtype, or of ``dtype``; ``grad=False`` keeps it out of
    the gradient checks."""

    def __init__(self, array, dtype=None, grad=True):
        self.array, self.dtype, self.grad = np.asarray(array), dtype, grad


def _data(rng, shape, dtype):
    if dtype == BOOL:
        return rng.integers(0, 2, shape).astype(bool)
    if dtype in (I64, "int32", "uint8"):
        return rng.integers(0 if dtype == "uint8" else -5, 6, shape)
    return rng.uniform(-2, 2, shape)


def A(rng, dtype, *shape):
    """A data tensor of the tested dtype."""
    return Arr(_data(rng, shape, dtype))


def Idx(array):
    return Arr(np.asarray(array, dtype=np.int64), I64)


def Mask(array):
    return Arr(np.asarray(array, dtype=bool), BOOL)


def _perm_index(rng, n, shape, axis):
    """An int64 index of ``shape`` whose entries along ``axis`` are distinct values below ``n``."""
    moved = list(shape)
    k = moved.pop(axis)
    rows = [rng.permutation(n)[:k] for _ in range(int(np.prod(moved)) if moved else 1)]
    arr = np.stack(rows, -1).reshape([k] + moved) if moved else np.array(rows[0])
    return Idx(np.moveaxis(arr, 0, axis))


OPS_SHAPE = []


def rec(name, op, samples, dtypes=ALL, **kw):
    OPS_SHAPE.append(ShapeOpInfo(name, op, samples=samples, dtypes=dtypes, **kw))


HALFY = ALL + (BF16,)

# ==========================================================================================================
# views and reshapes
# ==========================================================================================================

rec("view", lambda T, x, s: x.view(s), lambda r, d: [
    (A(r, d, 2, 3, 4), (6, 4)), (A(r, d, 2, 3, 4), (4, -1, 2)), (A(r, d), (1,)), (A(r, d, 0, 3), (3, 0, 1)),
    (A(r, d, 6), (-1,))], dtypes=HALFY, view=True)
rec("view_as", lambda T, x, o: x.view_as(o), lambda r, d: [(A(r, d, 2, 6), Arr(np.zeros((3, 4)), I64))],
    view=True)
rec("reshape", lambda T, x, s: x.reshape(s), lambda r, d: [
    (A(r, d, 2, 3, 4), (6, 4)), (A(r, d, 2, 3), (-1,)), (A(r, d), ()), (A(r, d, 0, 2), (2, 0))], dtypes=HALFY)
rec("reshape_noncontiguous", lambda T, x, s: x.mT.reshape(s), lambda r, d: [(A(r, d, 2, 3, 4), (2, 12)),
                                                                           (A(r, d, 3, 4), (-1,))])
rec("reshape_as", lambda T, x, o: x.reshape_as(o), lambda r, d: [(A(r, d, 2, 6), Arr(np.zeros((3, 4)), I64))])
rec("flatten", lambda T, x, *a: T.flatten(x, *a), lambda r, d: [
    (A(r, d, 2, 3, 4),), (A(r, d, 2, 3, 4), 1), (A(r, d, 2, 3, 4), 0, 1), (A(r, d),), (A(r, d, 2, 3, 4), 1, 1)])
rec("unflatten", lambda T, x, dim, s: x.unflatten(dim, s), lambda r, d: [
    (A(r, d, 2, 12), 1, (3, 4)), (A(r, d, 6, 2), 0, (-1, 2)), (A(r, d, 6), -1, (1, 6))], view=True)
rec("squeeze", lambda T, x, *a: T.squeeze(x, *a), lambda r, d: [
    (A(r, d, 1, 3, 1),), (A(r, d, 1, 3, 1), 0), (A(r, d, 1, 3, 1), 1), (A(r, d, 1, 3, 1), (0, 2)), (A(r, d),),
    (A(r, d), 0)], view=True)
rec("unsqueeze", lambda T, x, dim: x.unsqueeze(dim), lambda r, d: [
    (A(r, d, 2, 3), 0), (A(r, d, 2, 3), -1), (A(r, d, 2, 3), 1), (A(r, d), 0)], view=True)
rec("permute", lambda T, x, dims: x.permute(*dims), lambda r, d: [
    (A(r, d, 2, 3, 4), (2, 0, 1)), (A(r, d, 2, 3), (-1, 0)), (A(r, d), ())], dtypes=HALFY, view=True)
rec("transpose", lambda T, x, a, b: T.transpose(x, a, b), lambda r, d: [
    (A(r, d, 2, 3, 4), 0, 2), (A(r, d, 2, 3), -1, -2), (A(r, d, 3), 0, 0)], view=True)
rec("swapaxes", lambda T, x, a, b: T.swapaxes(x, a, b), lambda r, d: [(A(r, d, 2, 3, 4), 0, 1)], view=True)
rec("movedim", lambda T, x, s, t: T.movedim(x, s, t), lambda r, d: [
    (A(r, d, 2, 3, 4), 0, 2), (A(r, d, 2, 3, 4), (0, 1), (2, 0)), (A(r, d, 2, 3, 4), -1, 0)], view=True)
rec("t", lambda T, x: x.t(), lambda r, d: [(A(r, d, 2, 3),), (A(r, d, 3),), (A(r, d),)], view=True)
rec("expand", lambda T, x, s: x.expand(*s), lambda r, d: [
    (A(r, d, 3, 1), (3, 4)), (A(r, d, 1, 3), (2, -1, 3)), (A(r, d), (2, 2)), (A(r, d, 3), (0, 3))], view=True)
rec("expand_as", lambda T, x, o: x.expand_as(o), lambda r, d: [(A(r, d, 3, 1), Arr(np.zeros((2, 3, 4)), I64))],
    view=True)
rec("broadcast_to", lambda T, x, s: T.broadcast_to(x, s), lambda r, d: [(A(r, d, 3, 1), (2, 3, 4))], view=True)
rec("broadcast_tensors", lambda T, *xs: T.broadcast_tensors(*xs), lambda r, d: [
    (A(r, d, 3, 1), A(r, d, 4)), (A(r, d), A(r, d, 2, 1), A(r, d, 3))])
rec("diagonal", lambda T, x, *a: T.diagonal(x, *a), lambda r, d: [
    (A(r, d, 3, 4),), (A(r, d, 3, 4), 1), (A(r, d, 3, 4), -2), (A(r, d, 2, 3, 4), 0, 2, 0), (A(r, d, 3, 4), 5),
    (A(r, d, 2, 3, 4), 1, -1, 1)], view=True)
rec("narrow", lambda T, x, *a: T.narrow(x, *a), lambda r, d: [
    (A(r, d, 4, 3), 0, 1, 2), (A(r, d, 4, 3), -1, 0, 0), (A(r, d, 4, 3), 1, -2, 2)], view=True)
rec("select", lambda T, x, *a: T.select(x, *a), lambda r, d: [
    (A(r, d, 4, 3), 0, 1), (A(r, d, 4, 3), 1, -1), (A(r, d, 4), 0, 3)], view=True)
rec("unfold", lambda T, x, *a: x.unfold(*a), lambda r, d: [
    (A(r, d, 7), 0, 3, 2), (A(r, d, 2, 5), 1, 2, 1), (A(r, d, 4, 3), 0, 4, 1)], view=True)
rec("as_strided", lambda T, x, *a: T.as_strided(x, *a), lambda r, d: [
    (A(r, d, 9), (3, 3), (3, 1)), (A(r, d, 3, 3), (2, 2), (1, 3), 1), (A(r, d, 6), (3, 2), (1, 1))],
    view=True, gradgrad=False)

# ==========================================================================================================
# joins, splits, reorderings
# ==========================================================================================================

rec("cat", lambda T, xs, *a: T.cat(xs, *a), lambda r, d: [
    ([A(r, d, 2, 3), A(r, d, 1, 3)],), ([A(r, d, 2, 3), A(r, d, 2, 1)], -1), ([A(r, d, 2, 3), A(r, d, 0)],),
    ([A(r, d, 2, 0, 2), A(r, d, 2, 3, 2)], 1)], dtypes=HALFY)
rec("concat_mixed_dtypes", lambda T, x, y: T.concat([x, y.to(T.float64)]), lambda r, d: [
    (A(r, d, 2, 3), A(r, d, 1, 3))], dtypes=(F32, I64, BOOL))
rec("stack", lambda T, xs, *a: T.stack(xs, *a), lambda r, d: [
    ([A(r, d, 2, 3), A(r, d, 2, 3)],), ([A(r, d, 2, 3), A(r, d, 2, 3)], 2), ([A(r, d), A(r, d)], -1)])
rec("hstack", lambda T, xs: T.hstack(xs), lambda r, d: [
    ([A(r, d, 2, 3), A(r, d, 2, 1)],), ([A(r, d, 3), A(r, d, 2)],), ([A(r, d), A(r, d, 2)],)])
rec("vstack", lambda T, xs: T.vstack(xs), lambda r, d: [([A(r, d, 2, 3), A(r, d, 3)],), ([A(r, d, 3), A(r, d, 3)],)])
rec("split", lambda T, x, s, *a: T.split(x, s, *a), lambda r, d: [
    (A(r, d, 5, 2), 2), (A(r, d, 5, 2), [1, 4]), (A(r, d, 2, 5), 3, 1), (A(r, d, 3, 2), [0, 3])])
rec("chunk", lambda T, x, n, *a: T.chunk(x, n, *a), lambda r, d: [
    (A(r, d, 5, 2), 2), (A(r, d, 5, 2), 3), (A(r, d, 2, 6), 4, 1), (A(r, d, 2, 6), 7, -1)])
rec("tensor_split", lambda T, x, s, *a: T.tensor_split(x, s, *a), lambda r, d: [
    (A(r, d, 5, 2), 3), (A(r, d, 5, 2), [1, 4]), (A(r, d, 2, 7), [2, 9], 1), (A(r, d, 2, 3), 5, 1)])
rec("unbind", lambda T, x, *a: T.unbind(x, *a), lambda r, d: [(A(r, d, 3, 2),), (A(r, d, 3, 2), 1)])
rec("flip", lambda T, x, dims: T.flip(x, dims), lambda r, d: [
    (A(r, d, 2, 3, 4), (0, 2)), (A(r, d, 2, 3), (-1,)), (A(r, d), ()), (A(r, d, 0, 2), (0,))])
rec("roll", lambda T, x, *a: T.roll(x, *a), lambda r, d: [
    (A(r, d, 3, 4), 1), (A(r, d, 3, 4), -2, 1), (A(r, d, 3, 4), (1, 2), (0, 1)), (A(r, d, 3, 4), 5, 0)])
rec("rot90", lambda T, x, *a: T.rot90(x, *a), lambda r, d: [
    (A(r, d, 2, 3),), (A(r, d, 2, 3), 2), (A(r, d, 2, 3), 3), (A(r, d, 2, 3), -1), (A(r, d, 2, 3, 4), 1, (1, 2))])
rec("repeat", lambda T, x, s: x.repeat(*s), lambda r, d: [
    (A(r, d, 2, 3), (2, 1)), (A(r, d, 3), (2, 2)), (A(r, d), (3,)), (A(r, d, 2), (0,))])
rec("tile", lambda T, x, s: T.tile(x, s), lambda r, d: [(A(r, d, 2, 3), (2,)), (A(r, d, 3), (2, 2))])
rec("repeat_interleave", lambda T, x, *a, **k: T.repeat_interleave(x, *a, **k), lambda r, d: [
    (A(r, d, 2, 3), 2), (A(r, d, 2, 3), 2, 1), (A(r, d, 2, 3), Idx([1, 0, 2]), 1), (A(r, d, 3), Idx(2))])
rec("repeat_interleave_counts", lambda T, x: T.repeat_interleave(x), lambda r, d: [(Idx([2, 0, 3]),)],
    dtypes=(I64,), differentiable=False)
rec("tril", lambda T, x, *a: T.tril(x, *a), lambda r, d: [
    (A(r, d, 3, 4),), (A(r, d, 3, 4), 1), (A(r, d, 2, 3, 3), -1)])
rec("triu", lambda T, x, *a: T.triu(x, *a), lambda r, d: [
    (A(r, d, 3, 4),), (A(r, d, 3, 4), -1), (A(r, d, 2, 3, 3), 2)])
rec("diag", lambda T, x, *a: T.diag(x, *a), lambda r, d: [
    (A(r, d, 3),), (A(r, d, 3), 1), (A(r, d, 3), -2), (A(r, d, 3, 4),), (A(r, d, 3, 4), 1), (A(r, d, 3, 4), -1)])
rec("diag_embed", lambda T, x, *a: T.diag_embed(x, *a), lambda r, d: [
    (A(r, d, 2, 3),), (A(r, d, 3), 1), (A(r, d, 2, 3), -1, 0, 2)])
rec("trace", lambda T, x: T.trace(x), lambda r, d: [(A(r, d, 3, 3),), (A(r, d, 2, 4),)], dtypes=FLOATS_INT)
rec("pad", lambda T, x, p, *a: (T.nn.functional.pad(x, p, "constant", *a)), lambda r, d: [
    (A(r, d, 2, 3), (1, 2)), (A(r, d, 2, 3), (1, 0, 0, 2), 1.5 if d != BOOL else True),
    (A(r, d, 2, 3, 4), (-1, 1, 0, 0)), (A(r, d, 3), (0, 0))], dtypes=FLOATS_INT)
rec("meshgrid", lambda T, *xs, **k: T.meshgrid(*xs, **k), lambda r, d: [
    (A(r, d, 3), A(r, d, 2)), ((A(r, d, 3), A(r, d, 2)), ), ],
    dtypes=FLOATS_INT)
rec("meshgrid_xy", lambda T, *xs: T.meshgrid(*xs, indexing="xy"), lambda r, d: [
    (A(r, d, 3), A(r, d, 2), A(r, d, 4))], dtypes=FLOATS_INT)

# ==========================================================================================================
# gather / scatter / index_* / masked_*
# ==========================================================================================================

rec("gather", lambda T, x, dim, i: T.gather(x, dim, i), lambda r, d: [
    (A(r, d, 3, 4), 1, Idx(r.integers(0, 4, (3, 5)))), (A(r, d, 3, 4), 0, Idx(r.integers(0, 3, (2, 4)))),
    (A(r, d, 3, 4), -1, Idx(r.integers(0, 4, (2, 2)))), (A(r, d, 4), 0, Idx([3, 3, 0]))])
rec("scatter", lambda T, x, dim, i, s: T.scatter(x, dim, i, s), lambda r, d: [
    (A(r, d, 3, 5), 1, _perm_index(r, 5, (3, 2), 1), A(r, d, 3, 2)),
    (A(r, d, 4, 3), 0, _perm_index(r, 4, (2, 3), 0), A(r, d, 2, 3))])
rec("scatter_value", lambda T, x, dim, i: T.scatter(x, dim, i, 2.0 if x.is_floating_point() else 2),
    lambda r, d: [(A(r, d, 3, 5), 1, Idx(r.integers(0, 5, (3, 2))))], dtypes=FLOATS_INT)
rec("scatter_add", lambda T, x, dim, i, s: T.scatter_add(x, dim, i, s), lambda r, d: [
    (A(r, d, 3, 5), 1, Idx(r.integers(0, 5, (3, 4))), A(r, d, 3, 4)),
    (A(r, d, 3, 5), 0, Idx(r.integers(0, 3, (2, 2))), A(r, d, 2, 2))], dtypes=FLOATS_INT)
for _red in ("sum", "prod", "mean", "amax", "amin"):
    for _inc in (True, False):
        rec(f"scatter_reduce_{_red}{'' if _inc else '_exclude_self'}",
            (lambda red, inc: lambda T, x, dim, i, s: T.scatter_reduce(x, dim, i, s, red, include_self=inc))(
                _red, _inc),
            lambda r, d: [(A(r, d, 3, 4), 1, Idx(r.integers(0, 4, (3, 5))), A(r, d, 3, 5)),
                          (A(r, d, 4, 2), 0, Idx(r.integers(0, 4, (3, 2))), A(r, d, 3, 2))],
            dtypes=FLOATS_INT, gradgrad=False)
rec("index_select", lambda T, x, dim, i: T.index_select(x, dim, i), lambda r, d: [
    (A(r, d, 3, 4), 1, Idx([3, 0, 3])), (A(r, d, 3, 4), 0, Idx([])), (A(r, d, 3), 0, Idx(1))], dtypes=HALFY)
rec("index_add", lambda T, x, dim, i, s, **k: T.index_add(x, dim, i, s, **k), lambda r, d: [
    (A(r, d, 3, 4), 1, Idx([3, 0, 3]), A(r, d, 3, 3)), (A(r, d, 3, 4), 0, Idx([2, 2]), A(r, d, 2, 4))],
    dtypes=FLOATS_INT)
rec("index_add_alpha", lambda T, x, dim, i, s: T.index_add(x, dim, i, s, alpha=2), lambda r, d: [
    (A(r, d, 3, 4), 0, Idx([2, 0]), A(r, d, 2, 4))], dtypes=FLOATS_INT)
rec("index_copy", lambda T, x, dim, i, s: T.index_copy(x, dim, i, s), lambda r, d: [
    (A(r, d, 3, 4), 1, Idx([3, 0]), A(r, d, 3, 2)), (A(r, d, 3, 4), 0, Idx([1]), A(r, d, 1, 4))])
rec("index_fill", lambda T, x, dim, i: T.index_fill(x, dim, i, -1), lambda r, d: [
    (A(r, d, 3, 4), 1, Idx([3, 0])), (A(r, d, 3, 4), 0, Idx([1, 1]))], dtypes=FLOATS_INT)
rec("index_put", lambda T, x, idx, v, *a: T.index_put(x, idx, v, *a), lambda r, d: [
    (A(r, d, 3, 4), (Idx([0, 2]), Idx([1, 3])), A(r, d, 2)),
    (A(r, d, 3, 4), (Idx([0, 2, 0]), Idx([1, 3, 1])), A(r, d, 3), True),
    (A(r, d, 3, 4), (Idx([2, 0]),), A(r, d, 4)),
    (A(r, d, 3, 4), (Mask(r.integers(0, 2, (3, 4))),), A(r, d))], dtypes=FLOATS_INT)
rec("masked_fill", lambda T, x, m, v: T.masked_fill(x, m, v), lambda r, d: [
    (A(r, d, 3, 4), Mask(r.integers(0, 2, (3, 4))), 0.5 if d in FLOATS else 1),
    (A(r, d, 3, 4), Mask(r.integers(0, 2, (4,))), -2),
    (A(r, d, 3, 4), Mask(r.integers(0, 2, (3, 4))), Arr(np.array(3.0 if d in FLOATS else 3), grad=False))],
    dtypes=FLOATS_INT)
rec("masked_fill_tensor_value", lambda T, x, m, v: T.masked_fill(x, m, v), lambda r, d: [
    (A(r, d, 3, 4), Mask(r.integers(0, 2, (3, 4))), A(r, d))], dtypes=FLOATS)
rec("masked_select", lambda T, x, m: T.masked_select(x, m), lambda r, d: [
    (A(r, d, 3, 4), Mask(r.integers(0, 2, (3, 4)))), (A(r, d, 3, 1), Mask(r.integers(0, 2, (4,)))),
    (A(r, d), Mask([True, False]))])
rec("masked_scatter", lambda T, x, m, s: T.masked_scatter(x, m, s), lambda r, d: [
    (A(r, d, 3, 4), Mask(r.integers(0, 2, (3, 4))), A(r, d, 3, 5)), (A(r, d, 3, 4), Mask([1, 0, 0, 1]),
                                                                    A(r, d, 7))], dtypes=FLOATS_INT)
rec("take", lambda T, x, i: T.take(x, i), lambda r, d: [
    (A(r, d, 3, 4), Idx(r.integers(-12, 12, (2, 3)))), (A(r, d, 5), Idx(0))])
rec("take_along_dim", lambda T, x, i, *a: T.take_along_dim(x, i, *a), lambda r, d: [
    (A(r, d, 3, 4), Idx(r.integers(0, 4, (3, 2))), 1), (A(r, d, 3, 4), Idx(r.integers(0, 3, (1, 4))), 0),
    (A(r, d, 3, 4), Idx(r.integers(0, 12, (5,))))])
rec("nonzero", lambda T, x, **k: T.nonzero(x, **k), lambda r, d: [
    (Arr(r.integers(0, 2, (3, 4))),), (Arr(r.integers(0, 2, (5,))),), (Arr(np.array(1)),), (Arr(np.zeros((0, 2))),)],
    differentiable=False)
rec("nonzero_as_tuple", lambda T, x: T.nonzero(x, as_tuple=True), lambda r, d: [(Arr(r.integers(0, 2, (3, 4))),)],
    differentiable=False)

# ==========================================================================================================
# indexing: __getitem__ (basic: views; advanced and boolean: copies) and __setitem__ under autograd
# ==========================================================================================================

rec("getitem_basic", lambda T, x, k: x[k], lambda r, d: [
    (A(r, d, 4, 5), 1), (A(r, d, 4, 5), (slice(1, 3), -1)), (A(r, d, 4, 5), (Ellipsis, None, slice(None, None, 2))),
    (A(r, d, 4, 5), (slice(-3, None), slice(0, 0))), (A(r, d, 2, 3, 4), (0, Ellipsis, 1)), (A(r, d), None),
    (A(r, d), ()), (A(r, d, 4, 5), (slice(10, 20),))], dtypes=HALFY, view=True)
rec("getitem_advanced", lambda T, x, *k: x[k[0] if len(k) == 1 else tuple(k)], lambda r, d: [
    (A(r, d, 4, 5), Idx([0, 2, 0])), (A(r, d, 4, 5), Idx([[1, 3], [0, 0]]), Idx([4, 0])),
    (A(r, d, 4, 5), slice(None), Idx([-1, 1])), (A(r, d, 2, 3, 4), Idx([0, 1]), slice(None), Idx([3, 2])),
    (A(r, d, 2, 3, 4), Idx([1]), Ellipsis), (A(r, d, 2, 3, 4), slice(1, None), Idx([[2], [0]]), Idx([0, 1]))],
    dtypes=HALFY)
rec("getitem_list", lambda T, x: x[[0, 2], 1:], lambda r, d: [(A(r, d, 4, 5),)])
rec("getitem_bool", lambda T, x, m: x[m], lambda r, d: [
    (A(r, d, 3, 4), Mask(r.integers(0, 2, (3, 4)))), (A(r, d, 3, 4), Mask([True, False, True])),
    (A(r, d, 3, 4), Mask(np.zeros((3, 4))))])
rec("getitem_bool_mixed", lambda T, x, m: x[1:, m], lambda r, d: [(A(r, d, 3, 4), Mask([1, 0, 1, 1]))])
rec("getitem_scalar_bool", lambda T, x: (x[True], x[False], x[None, ..., True]), lambda r, d: [(A(r, d, 2, 3),)])


def _setitem(key_fn):
    """``y = x * 1; y[key] = v``: an in-place write on a non-leaf, recorded by autograd."""
    def op(T, x, v, *k):
        y = x * 1 if x.dtype != T.bool else x.clone()
        y[key_fn(*k)] = v
        return y
    return op


rec("setitem_basic", _setitem(lambda: (slice(None), 1)), lambda r, d: [(A(r, d, 3, 4), A(r, d, 3))])
rec("setitem_broadcast", _setitem(lambda: slice(1, 3)), lambda r, d: [(A(r, d, 3, 4), A(r, d, 4)),
                                                                     (A(r, d, 3, 4), A(r, d))])
rec("setitem_scalar", lambda T, x: _setitem(lambda: (0, slice(None, None, 2)))(T, x, 7), lambda r, d: [
    (A(r, d, 3, 4),)], dtypes=FLOATS_INT)
rec("setitem_advanced", _setitem(lambda i: i), lambda r, d: [(A(r, d, 3, 4), A(r, d, 2, 4), Idx([2, 0]))])
rec("setitem_bool", _setitem(lambda m: m), lambda r, d: [
    (A(r, d, 3, 4), A(r, d), Mask(r.integers(0, 2, (3, 4))))])
rec("setitem_ellipsis", _setitem(lambda: (Ellipsis, 0)), lambda r, d: [(A(r, d, 2, 3, 4), A(r, d, 2, 3))])

# ==========================================================================================================
# products
# ==========================================================================================================

PROD_DTYPES = FLOATS_INT
rec("matmul", lambda T, a, b: a @ b, lambda r, d: [
    (A(r, d, 2, 3), A(r, d, 3, 4)), (A(r, d, 3), A(r, d, 3)), (A(r, d, 3), A(r, d, 2, 3, 4)),
    (A(r, d, 2, 1, 2, 3), A(r, d, 3)), (A(r, d, 2, 1, 2, 3), A(r, d, 4, 3, 2)), (A(r, d, 0, 3), A(r, d, 3, 2)),
    (A(r, d, 2, 0), A(r, d, 0, 3))], dtypes=PROD_DTYPES, rtol=1e-4, atol=1e-5)
rec("mm", lambda T, a, b: T.mm(a, b), lambda r, d: [(A(r, d, 2, 3), A(r, d, 3, 4))], dtypes=PROD_DTYPES, rtol=1e-4)
rec("bmm", lambda T, a, b: T.bmm(a, b), lambda r, d: [(A(r, d, 2, 2, 3), A(r, d, 2, 3, 4))], dtypes=PROD_DTYPES,
    rtol=1e-4)
rec("mv", lambda T, a, b: T.mv(a, b), lambda r, d: [(A(r, d, 2, 3), A(r, d, 3))], dtypes=PROD_DTYPES, rtol=1e-4)
rec("dot", lambda T, a, b: T.dot(a, b), lambda r, d: [(A(r, d, 3), A(r, d, 3)), (A(r, d, 0), A(r, d, 0))],
    dtypes=PROD_DTYPES, rtol=1e-4)
rec("vdot", lambda T, a, b: T.vdot(a, b), lambda r, d: [(A(r, d, 3), A(r, d, 3))], dtypes=PROD_DTYPES, rtol=1e-4)
rec("outer", lambda T, a, b: T.outer(a, b), lambda r, d: [(A(r, d, 3), A(r, d, 2))], dtypes=PROD_DTYPES)
rec("addmm", lambda T, c, a, b, **k: T.addmm(c, a, b, **k), lambda r, d: [
    (A(r, d, 2, 4), A(r, d, 2, 3), A(r, d, 3, 4)), (A(r, d, 4), A(r, d, 2, 3), A(r, d, 3, 4))],
    dtypes=PROD_DTYPES, rtol=1e-4)
rec("addmm_scaled", lambda T, c, a, b: T.addmm(c, a, b, beta=0.5, alpha=2), lambda r, d: [
    (A(r, d, 2, 4), A(r, d, 2, 3), A(r, d, 3, 4))], dtypes=FLOATS, rtol=1e-4)
rec("addmm_beta0", lambda T, c, a, b: T.addmm(c, a, b, beta=0), lambda r, d: [
    (A(r, d, 2, 4), A(r, d, 2, 3), A(r, d, 3, 4))], dtypes=FLOATS, rtol=1e-4)
rec("addmv", lambda T, c, a, b: T.addmv(c, a, b, beta=2), lambda r, d: [
    (A(r, d, 2), A(r, d, 2, 3), A(r, d, 3))], dtypes=PROD_DTYPES, rtol=1e-4)
rec("addbmm", lambda T, c, a, b: T.addbmm(c, a, b, alpha=3), lambda r, d: [
    (A(r, d, 2, 4), A(r, d, 3, 2, 3), A(r, d, 3, 3, 4))], dtypes=PROD_DTYPES, rtol=1e-4)
rec("baddbmm", lambda T, c, a, b: T.baddbmm(c, a, b), lambda r, d: [
    (A(r, d, 3, 2, 4), A(r, d, 3, 2, 3), A(r, d, 3, 3, 4)), (A(r, d, 4), A(r, d, 3, 2, 3), A(r, d, 3, 3, 4))],
    dtypes=PROD_DTYPES, rtol=1e-4)
rec("einsum", lambda T, eq, *xs: T.einsum(eq, *xs), lambda r, d: [
    ("ij,jk->ik", A(r, d, 2, 3), A(r, d, 3, 4)), ("bij,bjk", A(r, d, 2, 2, 3), A(r, d, 2, 3, 4)),
    ("i,i->", A(r, d, 3), A(r, d, 3)), ("ij->ji", A(r, d, 2, 3)), ("...ij,...jk->...ik", A(r, d, 2, 2, 3),
                                                                      A(r, d, 3, 2)),
    ("ij,jk,kl->il", A(r, d, 2, 3), A(r, d, 3, 2), A(r, d, 2, 2)), ("ijk->j", A(r, d, 2, 3, 2)),
    ("i,j->ij", A(r, d, 2), A(r, d, 3)), ("ii->i", A(r, d, 3, 3)), ("ii", A(r, d, 3, 3)),
    ("bii->b", A(r, d, 2, 3, 3))], dtypes=FLOATS, rtol=1e-4)
rec("tensordot", lambda T, a, b, dims: T.tensordot(a, b, dims), lambda r, d: [
    (A(r, d, 2, 3, 4), A(r, d, 3, 4, 2), 2), (A(r, d, 2, 3), A(r, d, 3, 2), ([1], [0])),
    (A(r, d, 2, 3, 4), A(r, d, 4, 2, 3), ([1, 2], [2, 0])), (A(r, d, 2), A(r, d, 3), 0)],
    dtypes=FLOATS, rtol=1e-4)
rec("kron", lambda T, a, b: T.kron(a, b), lambda r, d: [
    (A(r, d, 2, 3), A(r, d, 2, 2)), (A(r, d, 2), A(r, d, 3, 2)), (A(r, d, 2, 1, 2), A(r, d, 2, 2))],
    dtypes=FLOATS_INT)

# ==========================================================================================================
# torch.linalg
# ==========================================================================================================


def _well(rng, dtype, *shape):
    """A well-conditioned square matrix (batch)."""
    n = shape[-1]
    return Arr(rng.uniform(-1, 1, shape) + n * np.eye(n))


def _spd(rng, dtype, *shape):
    x = rng.uniform(-1, 1, shape)
    return Arr(x @ np.swapaxes(x, -1, -2) + shape[-1] * np.eye(shape[-1]))


def _gauge_qr(T, Q, R):
    w = T.arange(1, Q.shape[-1] + 1, dtype=Q.dtype)
    return (Q * w) @ R, Q @ Q.mT, R.abs()


def _gauge_svd(T, U, S, Vh):
    w = T.arange(1, S.shape[-1] + 1, dtype=S.dtype)
    return S, (U * w) @ Vh, (U * w) @ U.mT, (Vh.mT * w) @ Vh


LA = dict(dtypes=FLOATS, rtol=1e-4, atol=1e-5)
rec("linalg.inv", lambda T, a: T.linalg.inv(a), lambda r, d: [
    (_well(r, d, 3, 3),), (_well(r, d, 2, 3, 3),), (_well(r, d, 0, 0),)], **LA)
rec("linalg.det", lambda T, a: T.linalg.det(a), lambda r, d: [
    (A(r, d, 3, 3),), (A(r, d, 2, 2, 2),), (Arr(np.ones((3, 3))),), (Arr(np.zeros((0, 0))),)], **LA)
rec("linalg.slogdet", lambda T, a: T.linalg.slogdet(a), lambda r, d: [(A(r, d, 3, 3),), (A(r, d, 2, 2, 2),)], **LA)
rec("logdet", lambda T, a: T.logdet(a) if T.__name__ == "torch" else T.linalg.logdet(a), lambda r, d: [
    (_spd(r, d, 3, 3),), (Arr(-_spd(r, d, 2, 2).array),)], **LA)
rec("linalg.solve", lambda T, a, b, **k: T.linalg.solve(a, b, **k), lambda r, d: [
    (_well(r, d, 3, 3), A(r, d, 3, 2)), (_well(r, d, 2, 3, 3), A(r, d, 3)), (_well(r, d, 2, 3, 3), A(r, d, 2, 3)),
    (_well(r, d, 3, 3), A(r, d, 2, 3, 1))], **LA)
rec("linalg.solve_left_false", lambda T, a, b: T.linalg.solve(a, b, left=False), lambda r, d: [
    (_well(r, d, 3, 3), A(r, d, 2, 3))], **LA)
rec("linalg.cholesky", lambda T, a, **k: T.linalg.cholesky((a + a.mT) / 2, **k), lambda r, d: [
    (_spd(r, d, 3, 3),), (_spd(r, d, 2, 3, 3),)], **LA)
rec("linalg.cholesky_upper", lambda T, a: T.linalg.cholesky((a + a.mT) / 2, upper=True), lambda r, d: [
    (_spd(r, d, 3, 3),)], **LA)
rec("linalg.qr", lambda T, a: _gauge_qr(T, *T.linalg.qr(a)), lambda r, d: [
    (A(r, d, 4, 3),), (A(r, d, 3, 3),), (A(r, d, 2, 3, 5),)], **LA)
rec("linalg.qr_complete", lambda T, a: _gauge_qr(T, *T.linalg.qr(a, mode="complete")), lambda r, d: [
    (A(r, d, 3, 4),)], **LA)
rec("linalg.qr_r", lambda T, a: T.linalg.qr(a, mode="r").R.abs(), lambda r, d: [(A(r, d, 4, 3),)],
    differentiable=False, **LA)
rec("linalg.svd", lambda T, a: _gauge_svd(T, *T.linalg.svd(a, full_matrices=False)), lambda r, d: [
    (A(r, d, 4, 3),), (A(r, d, 3, 3),), (A(r, d, 2, 3, 5),)], **LA)
rec("linalg.svd_full", lambda T, a: _gauge_svd(T, *T.linalg.svd(a)), lambda r, d: [
    (A(r, d, 3, 3),)], **LA)
rec("linalg.svdvals", lambda T, a: T.linalg.svdvals(a), lambda r, d: [(A(r, d, 4, 3),), (A(r, d, 2, 2, 5),)],
    **LA)
rec("linalg.eigh", lambda T, a, *u: (lambda L, V: (L, (V * T.arange(1, L.shape[-1] + 1, dtype=L.dtype)) @ V.mT))(
    *T.linalg.eigh(a + a.mT, *u)), lambda r, d: [(A(r, d, 3, 3),), (A(r, d, 2, 4, 4), "U")], **LA)
rec("linalg.eigvalsh", lambda T, a: T.linalg.eigvalsh(a + a.mT), lambda r, d: [(A(r, d, 3, 3),)], **LA)
rec("linalg.pinv", lambda T, a, **k: T.linalg.pinv(a, **k), lambda r, d: [
    (A(r, d, 4, 3),), (A(r, d, 2, 3, 5),), (A(r, d, 3, 3),)], **LA)
rec("linalg.pinv_hermitian", lambda T, a: T.linalg.pinv(a + a.mT, hermitian=True), lambda r, d: [
    (A(r, d, 3, 3),)], **LA)
rec("linalg.lstsq", lambda T, a, b: T.linalg.lstsq(a, b), lambda r, d: [
    (A(r, d, 5, 3), A(r, d, 5, 2)), (A(r, d, 3, 5), A(r, d, 3, 2)), (A(r, d, 2, 4, 3), A(r, d, 2, 4, 1))], **LA)
rec("linalg.lstsq_gelsd", lambda T, a, b: T.linalg.lstsq(a, b, driver="gelsd")[:2], lambda r, d: [
    (A(r, d, 5, 3), A(r, d, 5, 2)), (A(r, d, 2, 4, 3), A(r, d, 2, 4, 2))], **LA)
rec("linalg.matrix_rank", lambda T, a, **k: T.linalg.matrix_rank(a, **k), lambda r, d: [
    (Arr(r.uniform(-1, 1, (4, 2)) @ r.uniform(-1, 1, (2, 5))),), (A(r, d, 2, 3, 3),), (Arr(np.ones((3, 3))),)],
    differentiable=False, **LA)
rec("linalg.cross", lambda T, a, b, **k: T.linalg.cross(a, b, **k), lambda r, d: [
    (A(r, d, 4, 3), A(r, d, 1, 3)), (A(r, d, 3, 2), A(r, d, 3, 2))], **LA)
rec("linalg.cross_dim0", lambda T, a, b: T.linalg.cross(a, b, dim=0), lambda r, d: [
    (A(r, d, 3, 2), A(r, d, 3, 2))], **LA)
rec("linalg.matrix_power", lambda T, a, n: T.linalg.matrix_power(a, n), lambda r, d: [
    (A(r, d, 3, 3), 3), (A(r, d, 2, 2, 2), 1), (_well(r, d, 3, 3), -2), (A(r, d, 2, 2), 0)], **LA)
rec("linalg.multi_dot", lambda T, *xs: T.linalg.multi_dot(list(xs)), lambda r, d: [
    (A(r, d, 2, 3), A(r, d, 3, 4), A(r, d, 4, 2)), (A(r, d, 3), A(r, d, 3, 2)), (A(r, d, 3), A(r, d, 3))], **LA)
rec("linalg.norm", lambda T, a, *o, **k: T.linalg.norm(a, *o, **k), lambda r, d: [
    (A(r, d, 2, 3, 4),), (A(r, d, 3, 4), "fro"), (A(r, d, 3, 4), "nuc"), (A(r, d, 3, 4), 2), (A(r, d, 4), 3),
    (A(r, d, 3, 4), float("inf")), (A(r, d, 3, 4), -1), (A(r, d, 2, 3, 4), None, (0, 2)),
    (A(r, d, 2, 3, 4), 1, 1)], **LA)
rec("linalg.matrix_norm", lambda T, a, *o, **k: T.linalg.matrix_norm(a, *o, **k), lambda r, d: [
    (A(r, d, 2, 3, 4),), (A(r, d, 2, 3, 4), "nuc"), (A(r, d, 3, 4), -2), (A(r, d, 2, 3, 4), float("-inf")),
    (A(r, d, 2, 3, 4), 1, (0, 2), True)], **LA)
rec("linalg.vector_norm", lambda T, a, *o: T.linalg.vector_norm(a, *o), lambda r, d: [
    (A(r, d, 2, 3),), (A(r, d, 2, 3), 1), (A(r, d, 2, 3), float("inf")), (A(r, d, 2, 3), 0.5, (0, 1))], **LA)
