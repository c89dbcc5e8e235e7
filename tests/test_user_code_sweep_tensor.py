"""Sweep of ordinary tensor code (creation, indexing, errors), run with ember and torch and compared."""
import warnings

import numpy as np
import pytest
import torch

import ember
from helpers import assert_same


def outcome(fn, lib):
    """``fn(lib)``'s value, or the type and first line of the error it raised."""
    try:
        return fn(lib)
    except Exception as e:  # noqa: BLE001 - the error itself is what is compared
        return (type(e).__name__, str(e).split("\n")[0])


def same(fn):
    e, t = outcome(fn, ember), outcome(fn, torch)
    if isinstance(t, str) or (isinstance(t, tuple) and len(t) == 2 and isinstance(t[0], str)
                              and t[0].endswith(("Error", "Exception"))):
        assert e == t
    else:
        assert_same(e, t)


CREATION = {
    "bool_int_float_list": lambda L: L.tensor([True, 1, 2.5]),
    "bool_list": lambda L: L.tensor([True, False]),
    "int_nested": lambda L: L.tensor([[1, 2], [3, 4]]),
    "empty_list": lambda L: L.tensor([]),
    "empty_rows": lambda L: L.tensor([[], []]),
    "complex_list": lambda L: L.tensor([1 + 2j, 3]),
    "np_float32_in_list": lambda L: L.tensor([np.float32(1), 2]),
    "np_int32_in_list": lambda L: L.tensor([1, np.int32(2)]),
    "np_int32_only": lambda L: L.tensor([np.int32(1), np.int32(2)]),
    "np_float64_in_list": lambda L: L.tensor([1.5, np.float64(2)]),
    "np_int8_uint8": lambda L: L.tensor([np.int8(1), np.uint8(2)]),
    "np_scalar": lambda L: L.tensor(np.int32(2)),
    "tensor_in_list": lambda L: L.tensor([L.tensor(1.5, dtype=L.float64), 2]),
    "ragged": lambda L: L.tensor([[1, 2], [3]]),
    "ragged_deep": lambda L: L.tensor([[[1], [2]], [[1], [2, 3]]]),
    "ragged_empty": lambda L: L.tensor([[1, 2], []]),
    "scalar_where_list": lambda L: L.tensor([[1, 2], 3]),
    "list_where_int": lambda L: L.tensor([1, 2, [3]]),
    "list_where_float": lambda L: L.tensor([1., 2, [3]]),
    "str_in_list": lambda L: L.tensor([1, "a"]),
    "none_in_list": lambda L: L.tensor([1, None]),
    "dict": lambda L: L.tensor({1: 2}),
    "multi_elem_tensors": lambda L: L.tensor([L.tensor([1, 2]), L.tensor([3, 4])]),
    "arange_float_step": lambda L: L.arange(0, 1, 0.1),
    "arange_half_steps": lambda L: L.arange(1, 4, 0.5),
    "arange_float_end": lambda L: L.arange(0.0, 5),
    "arange_neg": lambda L: L.arange(10, 0, -2),
    "arange_int64_float_step": lambda L: L.arange(0, 5, 1.5, dtype=L.int64),
    "arange_int64_zero_step": lambda L: L.arange(0, 1, 0.3, dtype=L.int64),
    "arange_int32_float_step": lambda L: L.arange(0, 2.5, 0.5, dtype=L.int32),
    "arange_int32_offsets": lambda L: L.arange(0.5, 3, 0.7, dtype=L.int32),
    "arange_int64_float_end": lambda L: L.arange(5.0, dtype=L.int64),
    "arange_bad_sign": lambda L: L.arange(10, 0, 1),
    "arange_bad_sign_int64": lambda L: L.arange(0, -0.5, dtype=L.int64),
    "arange_zero_step": lambda L: L.arange(0, 10, 0),
    "linspace": lambda L: L.linspace(0, 1, 5),
    "linspace_int": lambda L: L.linspace(0, 10, 5, dtype=L.int64),
    "linspace_int_neg": lambda L: L.linspace(-1, 1, 4, dtype=L.int32),
    "logspace": lambda L: L.logspace(0, 2, 3),
    "full_int": lambda L: L.full((2, 3), 7),
    "full_float": lambda L: L.full((2, 3), 7.),
    "full_bool": lambda L: L.full((2, 3), True),
    "full_like_trunc": lambda L: L.full_like(L.tensor([1, 2]), 2.7),
    "ones_like_dtype": lambda L: L.ones_like(L.tensor([1, 2]), dtype=L.float32),
    "eye_rect": lambda L: L.eye(2, 3),
    "zeros_negative": lambda L: L.zeros(2, -3),
    "ones_negative": lambda L: L.ones(-1),
    "rand_negative": lambda L: L.rand(2, -1),
    "full_negative": lambda L: L.full((-1,), 1),
    "ones_float_size": lambda L: L.ones(2.5),
    "randn_float_size": lambda L: L.randn(2, 3.0),
    "full_float_size": lambda L: L.full((2.0,), 1),
    "rand_int_dtype": lambda L: L.rand(2, dtype=L.int32),
    "randn_long_like": lambda L: L.randn_like(L.tensor([1, 2])),
    "rand_like_long": lambda L: L.rand_like(L.tensor([1, 2])),
    "randn_byte": lambda L: L.randn(2, dtype=L.uint8),
    "randint_dtype": lambda L: L.randint(0, 10, (3,)).dtype is L.int64,
    "item_types": lambda L: [type(L.tensor(2).item()).__name__, type(L.tensor(True).item()).__name__,
                             type(L.tensor(1.5).item()).__name__] == ["int", "bool", "float"],
    "tolist": lambda L: L.tensor([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]],
    "item_many": lambda L: L.tensor([1, 2]).item(),
}


@pytest.mark.parametrize("name", sorted(CREATION))
def test_creation(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        same(CREATION[name])


def test_list_of_arrays_warns_like_torch():
    for lib in (ember, torch):
        with pytest.warns(UserWarning, match="Creating a tensor from a list of numpy.ndarrays is extremely slow"):
            t = lib.tensor([np.array([1, 2]), np.array([3, 4])])
        assert t.tolist() == [[1, 2], [3, 4]]


def _grid(L):
    return L.arange(24).view(2, 3, 4)


INDEXING = {
    "negative_step": lambda L: L.tensor([1, 2, 3])[::-1],
    "view_after_t": lambda L: L.arange(12).view(3, 4).t().view(12),
    "reshape_after_t": lambda L: L.arange(12).view(3, 4).t().reshape(12),
    "view_bad": lambda L: L.arange(12).view(5, -1),
    "view_two_infer": lambda L: L.arange(12).view(-1, -1),
    "reshape_bad": lambda L: L.arange(12).reshape(5, 3),
    "permute_bad": lambda L: L.arange(12).view(3, 4).permute(0),
    "fancy_pairs": lambda L: L.arange(12).view(3, 4)[[0, 2], [1, 3]],
    "row_out_of_range": lambda L: L.arange(12).view(3, 4)[5],
    "col_out_of_range": lambda L: L.arange(12).view(3, 4)[:, 4],
    "too_many": lambda L: L.arange(12).view(3, 4)[1, 2, 3],
    "mask_short": lambda L: L.arange(12).view(3, 4)[L.tensor([True, False])],
    "mask_2d_bad": lambda L: _grid(L)[L.ones(2, 5, dtype=L.bool)],
    "mask_after_slice": lambda L: _grid(L)[:, L.ones(2, dtype=L.bool)],
    "mask_after_int": lambda L: _grid(L)[0, L.ones(2, dtype=L.bool)],
    "mask_after_ellipsis": lambda L: _grid(L)[..., L.ones(3, dtype=L.bool)],
    "mask_list": lambda L: _grid(L)[[True, False, True]],
    "mask_2d_ok": lambda L: _grid(L)[L.ones(2, 3, dtype=L.bool)],
    "mask_mid_ok": lambda L: _grid(L)[0, L.tensor([True, False, True]), 1:],
    "index_oob_second": lambda L: _grid(L)[L.tensor([0, 1]), L.tensor([0, 7])],
    "index_oob_last": lambda L: _grid(L)[:, :, L.tensor([0, 7])],
    "index_oob_after_slice": lambda L: _grid(L)[:, L.tensor([0, 1]), L.tensor([0, 7])],
    "index_oob_after_int": lambda L: _grid(L)[0, L.tensor([0, 7])],
    "index_negative": lambda L: _grid(L)[L.tensor([-1, 1]), L.tensor([0, -3])],
    "index_no_broadcast": lambda L: _grid(L)[L.tensor([[0], [1]]), L.tensor([0, 1, 2]), L.tensor([0, 1])],
}


@pytest.mark.parametrize("name", sorted(INDEXING))
def test_indexing(name):
    same(INDEXING[name])


def test_setitem_patterns():
    def run(L):
        t = L.arange(12).view(3, 4)
        t[t > 5] = 0
        t[:, 1] = L.tensor([9, 9, 9])
        t[0] = 1.5  # truncated into the int tensor
        z = L.zeros(3)
        z[L.tensor([0, 0, 1])] += 1  # repeated index: not accumulated
        errs = []
        for bad in (lambda: t.__setitem__(L.ones(5, dtype=L.bool), 0),
                    lambda: t.__setitem__((slice(None), L.tensor([0, 5])), 1)):
            errs.append(outcome(lambda _: bad(), L))
        return t, z, errs
    (te, ze, ee), (tt, zt, et) = run(ember), run(torch)
    assert_same(te, tt)
    assert_same(ze, zt)
    assert ee == et


def test_numpy_memory_sharing():
    for L in (ember, torch):
        a = np.arange(3.)
        t = L.from_numpy(a)
        a[0] = 10
        assert t[0].item() == 10.0
        t2 = L.ones(3)
        t2.numpy()[0] = 5
        assert t2.tolist() == [5.0, 1.0, 1.0]
    same(lambda L: L.ones(3, requires_grad=True).numpy())


def _x(L):
    return L.tensor([1., 5, 3, 5, 2])


REDUCTIONS = {
    "dim_tuple": lambda L: [L.arange(24.).view(2, 3, 4).sum(dim=(0, 2)),
                            L.arange(24.).view(2, 3, 4).sum((0, 2), keepdim=True),
                            L.arange(24.).view(2, 3, 4).mean((-1, -2)), L.arange(24.).view(2, 3, 4).amax((0, 1))],
    "dim_repeated": lambda L: L.arange(24.).view(2, 3, 4).sum(dim=(0, 0)),
    "dim_out_of_range": lambda L: L.arange(24.).view(2, 3, 4).sum(dim=3),
    "int_mean": lambda L: L.arange(24).view(2, 3, 4).mean(),
    "int_sum_dtype": lambda L: L.arange(24).sum(),
    "sort_stable": lambda L: list(L.tensor([3, 1, 2, 1, 3]).sort(stable=True)),
    "sort_desc_stable": lambda L: list(L.tensor([3, 1, 2, 1, 3]).sort(descending=True, stable=True)),
    "unique": lambda L: L.unique(L.tensor([3, 1, 2, 1, 3])),
    "unique_counts_inverse": lambda L: list(L.unique(L.tensor([3, 1, 2, 1, 3]), return_inverse=True,
                                                     return_counts=True)),
    "unique_dim0": lambda L: list(L.unique(L.tensor([[1, 2], [3, 4], [1, 2]]), dim=0, return_inverse=True,
                                           return_counts=True)),
    "unique_dim1": lambda L: L.unique(L.tensor([[1, 2, 1], [3, 4, 3]]), dim=1),
    "unique_consecutive": lambda L: list(L.unique_consecutive(L.tensor([1, 1, 2, 2, 3, 1, 1, 2]),
                                                              return_counts=True, return_inverse=True)),
    "topk": lambda L: list(_x(L).topk(2)),
    "topk_smallest": lambda L: list(_x(L).topk(2, largest=False)),
    "topk_too_many": lambda L: _x(L).topk(6),
    "argmax_ties": lambda L: [_x(L).argmax(), L.tensor([2., 2., 1.]).argmin(), L.tensor([2., 2., 1.]).max(0)[1],
                              L.tensor([[1, 3, 3], [2, 2, 1]]).argmax(dim=1)],
    "max_dim_repr": lambda L: repr(_x(L).max(dim=0)) == "torch.return_types.max(\nvalues=tensor(5.),\n"
                                                        "indices=tensor(1))",
    "sort_repr": lambda L: repr(L.tensor([[3., 1], [2, 0]]).sort()),
    "aminmax_repr": lambda L: repr(L.tensor([3., 1]).aminmax()),
    "allclose": lambda L: [L.allclose(L.tensor([1.0, 2.0]), L.tensor([1.0, 2.0 + 1e-9])),
                           L.equal(L.tensor([1, 2]), L.tensor([1, 2])), L.allclose(L.tensor([1]), L.tensor([1]))],
    "allclose_dtypes": lambda L: L.allclose(L.tensor([1, 2]), L.tensor([1.0, 2.0])),
    "isclose_float_double": lambda L: L.isclose(L.tensor([1., 2]), L.tensor([1.0, 2.0], dtype=L.float64)),
    "allclose_shapes": lambda L: L.allclose(L.tensor([1., 2.]), L.tensor([1.0, 2.0, 3.0])),
    "allclose_broadcast": lambda L: L.allclose(L.tensor([1., 2]), L.tensor([[1.0, 2.0]])),
    "isclose_nan": lambda L: L.isclose(L.tensor([1.0, float('nan')]), L.tensor([1.0, float('nan')]),
                                       equal_nan=True),
    "empty_max": lambda L: L.tensor([]).max(),
    "empty_dim_max": lambda L: L.ones(2, 0).max(dim=1),
    "std_var": lambda L: [L.arange(6.).view(2, 3).std(), L.arange(6.).view(2, 3).std(dim=0),
                          L.arange(6.).view(2, 3).std(dim=1, unbiased=False),
                          L.arange(6.).view(2, 3).var(correction=0), L.tensor([1., 2, 3]).var(0, True)],
    "median_even": lambda L: [L.tensor([1., 2, 3, 4]).median(), list(L.arange(6.).view(2, 3).median(dim=1))],
    "norms": lambda L: [L.tensor([[1., 2], [3, 4]]).norm(), L.tensor([[1., 2], [3, 4]]).norm(dim=1),
                        L.tensor([[1., 2], [3, 4]]).norm(p=1), L.linalg.norm(L.tensor([[1., 2], [3, 4]]))],
    "logsumexp_needs_dim": lambda L: L.logsumexp(L.tensor([[1., 2.], [3., 4.]])),
    "logsumexp": lambda L: L.logsumexp(L.tensor([[1., 2.], [3., 4.]]), dim=1),
    "max_positional_keepdim": lambda L: list(L.tensor([1, 2, 3]).min(0, True)),
    "var_positional_unbiased": lambda L: L.tensor([1., 2, 3]).var(False),
    "bool_sum": lambda L: L.tensor([True, False, True]).sum(),
}


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
def test_reductions(name):
    same(REDUCTIONS[name])


@pytest.mark.parametrize("expr", ["L.tensor([5.]).std()", "L.ones(2, 1).var(dim=1)",
                                  "L.std_mean(L.ones(3), correction=3)", "L.var_mean(L.ones(1))"])
def test_no_degrees_of_freedom_warns(expr):
    msgs = []
    for L in (ember, torch):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            eval(expr, {"L": L})
        msgs.append([str(x.message).split(" (Triggered")[0] for x in w])
    assert msgs[0] == msgs[1] and len(msgs[0]) == 1


def _assign(L, make, key, value):
    t = make(L)
    t[key(L)] = value(L)
    return t


ASSIGNMENT = {
    "vector_into_scalar": lambda L: _assign(L, lambda L: L.zeros(3), lambda L: 0, lambda L: L.tensor([1, 2])),
    "leading_one_dropped": lambda L: _assign(L, lambda L: L.zeros(3), lambda L: 0, lambda L: L.tensor([5.])),
    "leading_ones_row": lambda L: _assign(L, lambda L: L.zeros(3), lambda L: slice(0, 2),
                                          lambda L: L.tensor([[1., 2.]])),
    "too_many_dims": lambda L: _assign(L, lambda L: L.zeros(3), lambda L: slice(0, 2),
                                       lambda L: L.tensor([[1., 2.], [3, 4]])),
    "too_long": lambda L: _assign(L, lambda L: L.zeros(3), lambda L: slice(0, 2), lambda L: L.tensor([1., 2., 3.])),
    "column_mismatch": lambda L: _assign(L, lambda L: L.zeros(2, 3), lambda L: (slice(None), 0),
                                         lambda L: L.ones(3)),
    "fancy_mismatch": lambda L: _assign(L, lambda L: L.zeros(3), lambda L: [0, 1], lambda L: L.tensor([1., 2., 3.])),
    "mask_mismatch": lambda L: _assign(L, lambda L: L.zeros(3), lambda L: L.tensor([True, True, True]),
                                       lambda L: L.tensor([1., 2.])),
    "fancy_rows_mismatch": lambda L: _assign(L, lambda L: L.zeros(2, 3), lambda L: ([0, 1], slice(None)),
                                             lambda L: L.ones(3, 3)),
    "row_broadcast": lambda L: _assign(L, lambda L: L.zeros(2, 3), lambda L: slice(None),
                                       lambda L: L.tensor([1., 2., 3.])),
    "list_value": lambda L: _assign(L, lambda L: L.zeros(2, 3), lambda L: 0, lambda L: [1., 2., 3.]),
    "tuple_value": lambda L: _assign(L, lambda L: L.zeros(2, 3, dtype=L.int64), lambda L: 0, lambda L: (1, 2, 3)),
    "ndarray_value": lambda L: _assign(L, lambda L: L.zeros(2, 3), lambda L: 0, lambda L: np.ones(3)),
    "none_value": lambda L: _assign(L, lambda L: L.zeros(2, 3), lambda L: 0, lambda L: None),
    "numpy_scalar_value": lambda L: _assign(L, lambda L: L.zeros(2, 3), lambda L: 0, lambda L: np.float64(2)),
    "float_into_int": lambda L: _assign(L, lambda L: L.zeros(2, dtype=L.int64), lambda L: 0, lambda L: 2.7),
    "zero_step": lambda L: L.arange(6).view(2, 3)[:, ::0],
}


@pytest.mark.parametrize("name", sorted(ASSIGNMENT))
def test_assignment(name):
    same(ASSIGNMENT[name])


def test_assignment_nodes_and_gradients():
    def run(L):
        w = L.zeros(3, requires_grad=True)
        v = L.tensor([[7.]], requires_grad=True)
        y = w * 1
        y[1] = v                      # basic index: CopySlices in torch
        z = w * 1
        z[[0, 1]] = 2.                # advanced index: IndexPutBackward0
        (y.sum() + z.sum()).backward()
        return repr(y), y.grad_fn.name(), z.grad_fn.name(), w.grad, v.grad
    e, t = run(ember), run(torch)
    assert e[:3] == t[:3]
    assert_same(list(e[3:]), list(t[3:]))


NUMPY_SPELLINGS = {
    "sum_axis": lambda L: L.ones(2, 3).sum(axis=0),
    "sum_keepdims": lambda L: L.sum(L.ones(2, 3), axis=1, keepdims=True),
    "mean_axes": lambda L: L.arange(6.).view(2, 3).mean(axis=(0, 1)),
    "max_axis": lambda L: list(L.arange(6.).view(2, 3).max(axis=0)),
    "std_axis": lambda L: L.arange(6.).view(2, 3).std(axis=0),
    "cat_axis": lambda L: L.cat([L.ones(2, 3), L.zeros(2, 3)], axis=1),
    "stack_axis": lambda L: L.stack([L.ones(2, 3), L.zeros(2, 3)], axis=1),
    "squeeze_axis": lambda L: L.ones(1, 3).squeeze(axis=0),
    "cumsum_axis": lambda L: L.arange(6.).view(2, 3).cumsum(axis=0),
    "sort_axis": lambda L: list(L.tensor([[3, 1], [2, 5]]).sort(axis=0)),
    "softmax_axis": lambda L: L.softmax(L.arange(6.).view(2, 3), axis=0),
    "take_along_axis": lambda L: L.take_along_dim(L.arange(6.).view(2, 3), L.tensor([[1], [0]]), axis=1),
    "both_spellings": lambda L: L.ones(2, 3).sum(dim=0, axis=0),
}


@pytest.mark.parametrize("name", sorted(NUMPY_SPELLINGS))
def test_numpy_spellings(name):
    same(NUMPY_SPELLINGS[name])


def test_meshgrid_without_indexing_warns_once(monkeypatch):
    from ember.ops import tiling
    monkeypatch.setattr(tiling, "_warned_meshgrid", [])     # torch too warns once per process
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        a, b = ember.meshgrid(ember.arange(2), ember.arange(3))
        ember.meshgrid(ember.arange(2), ember.arange(3))
    assert [str(w.message) for w in caught] == [
        "torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument."]
    ta, tb = torch.meshgrid(torch.arange(2), torch.arange(3), indexing="ij")
    assert_same(a, ta) and assert_same(b, tb)


@pytest.mark.parametrize("args", [(-1, 1, 11), (0, 10, 7), (-3.3, 7.1, 13), (1e-3, 5, 100), (0, 1, 1000), (2, -2, 6),
                                  (0.5, 10.7, 5), (0, 255, 100), (-1000, 1000, 999), (0, 1, 1), (3, 3, 4)])
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int64", "int32", "uint8", "int8"])
def test_linspace_bitwise(args, dtype):
    """Each element as torch's kernel computes it (halves counted from each end): printing shows the difference,
    linspace(-1, 1, 11)[5] is -1.4901e-08."""
    same(lambda L: L.linspace(*args, dtype=getattr(L, dtype)))


def test_linspace_prints_like_torch():
    assert repr(ember.linspace(-1, 1, 11)) == repr(torch.linspace(-1, 1, 11))


OVERFLOW = {
    "full_too_big": lambda L: L.full((2,), 300, dtype=L.uint8),
    "full_minus_one_wraps": lambda L: L.full((2,), -1, dtype=L.uint8),
    "full_minus_255": lambda L: L.full((2,), -255, dtype=L.uint8),
    "full_minus_256": lambda L: L.full((2,), -256, dtype=L.uint8),
    "full_negative_float": lambda L: L.full((2,), -2.5, dtype=L.uint8),
    "full_big_float_int32": lambda L: L.full((2,), 1e10, dtype=L.int32),
    "full_nan_int": lambda L: L.full((2,), float("nan"), dtype=L.int32),
    "full_int16": lambda L: L.full((2,), 70000, dtype=L.int16),
    "full_like_uint8": lambda L: L.full_like(L.zeros(2, dtype=L.uint8), 256),
    "tensor_uint8": lambda L: L.tensor([300], dtype=L.uint8),
    "tensor_uint8_wraps": lambda L: L.tensor([-1, 5], dtype=L.uint8),
    "tensor_int32_float": lambda L: L.tensor([1e10], dtype=L.int32),
    "tensor_nested_int8": lambda L: L.tensor([[1, 2], [300, 4]], dtype=L.int8),
    "tensor_truncates": lambda L: L.tensor([1.7, -2.7], dtype=L.int64),
    "linspace_bounds": lambda L: L.linspace(-3.3, 7.1, 13, dtype=L.uint8),
    "linspace_int8": lambda L: L.linspace(0, 1000, 9, dtype=L.int8),
}


@pytest.mark.parametrize("name", sorted(OVERFLOW))
def test_integer_overflow(name):
    same(OVERFLOW[name])
