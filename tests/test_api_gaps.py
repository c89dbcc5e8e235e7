"""Names PyTorch users reach for that ember added late: aliases, legacy spellings, small composites.
Each is run in ember and torch on the same data."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import ember
from helpers import assert_same, check_against_torch, to_ember, to_torch


def _both(fn):
    """Run ``fn(T)`` for ember and torch; return (ember result, torch result) or (ember error, torch error)."""
    out = []
    for T in (ember, torch):
        try:
            out.append(fn(T))
        except Exception as e:  # noqa: BLE001 - the test compares the errors
            out.append(e)
    return out


def _same_error(fn):
    e, t = _both(fn)
    assert isinstance(t, Exception), "torch did not raise"
    assert type(e) is type(t), f"{type(e).__name__}: {e} != {type(t).__name__}: {t}"
    assert str(e) == str(t)


# ---- torch.gradient -------------------------------------------------------------------------------------

_F = np.array([1.0, 4, 9, 16, 25, 30.5])
_COORDS = np.array([0.0, 1, 1.5, 3.5, 4, 6])


@pytest.mark.parametrize("kw", [{}, {"spacing": 2.0}, {"edge_order": 2}, {"spacing": [0.5]}, {"spacing": 3}])
def test_gradient_uniform(kw):
    check_against_torch(lambda x: ember.gradient(x, **kw), lambda x: torch.gradient(x, **kw), [_F])


@pytest.mark.parametrize("edge_order", [1, 2])
def test_gradient_coordinates(edge_order):
    c = _COORDS
    check_against_torch(lambda x: ember.gradient(x, spacing=(ember.tensor(c),), edge_order=edge_order),
                        lambda x: torch.gradient(x, spacing=(torch.tensor(c),), edge_order=edge_order), [_F])


@pytest.mark.parametrize("kw", [{}, {"dim": 1}, {"dim": -2}, {"spacing": [1.0, 2.0], "dim": (0, 1)},
                                {"spacing": 2, "dim": 1, "edge_order": 2}, {"spacing": [2.0, 0.5]}])
def test_gradient_2d(kw):
    x = np.random.default_rng(0).standard_normal((3, 5))
    check_against_torch(lambda a: ember.gradient(a, **kw), lambda a: torch.gradient(a, **kw), [x])


def test_gradient_int_input_and_coordinates_2d():
    x = np.arange(12).reshape(3, 4) ** 2
    coords = (np.array([0.0, 1, 3]), np.array([0.0, 0.5, 2, 2.5]))
    e = ember.gradient(ember.tensor(x), spacing=tuple(ember.tensor(c) for c in coords))
    t = torch.gradient(torch.tensor(x), spacing=tuple(torch.tensor(c) for c in coords))
    assert_same(e, t)
    assert_same(ember.gradient(ember.tensor(x)), torch.gradient(torch.tensor(x)))


def test_gradient_gradcheck():
    x = ember.tensor(np.random.default_rng(1).standard_normal((4, 5)), requires_grad=True)
    c = ember.tensor(np.array([0.0, 0.3, 1.0, 1.2, 2.0]))
    assert ember.autograd.gradcheck(lambda a: ember.gradient(a, spacing=(1.5, c), edge_order=2), (x,))
    assert ember.autograd.gradcheck(lambda a: ember.gradient(a), (x,))


@pytest.mark.parametrize("call", [
    lambda T: T.gradient(T.ones(5), edge_order=3),
    lambda T: T.gradient(T.ones(5), spacing=[1.0, 2.0]),
    lambda T: T.gradient(T.ones(1)),
    lambda T: T.gradient(T.ones(2), edge_order=2),
    lambda T: T.gradient(T.ones(2, 3), spacing=[1.0, 2.0], dim=1),
])
def test_gradient_errors(call):
    _same_error(call)


# ---- aliases and flags ----------------------------------------------------------------------------------

def test_aliases_and_constants():
    assert ember.newaxis is torch.newaxis is None
    x = ember.randn(3, 4)
    assert ember.get_device(x) == torch.get_device(to_torch(x)) == -1
    assert x[ember.newaxis].shape == (1, 3, 4)
    a, b = np.random.default_rng(0).standard_normal((2, 5))
    assert_same(ember.arctan2(ember.tensor(a), ember.tensor(b)), torch.arctan2(torch.tensor(a), torch.tensor(b)))
    for name in ("conj_physical", "resolve_conj", "resolve_neg", "unsafe_chunk", "unsafe_split"):
        args = (2,) if name.startswith("unsafe") else ()
        assert_same(getattr(ember, name)(ember.tensor(a), *args), getattr(torch, name)(torch.tensor(a), *args))
    assert_same(ember.unsafe_split_with_sizes(ember.tensor(a), [2, 3]),
                torch.unsafe_split_with_sizes(torch.tensor(a), [2, 3]))


def test_conj_physical_complex():
    z = np.array([1 + 2j, -3 - 0.5j])
    assert_same(ember.conj_physical(ember.tensor(z)), torch.conj_physical(torch.tensor(z)))
    e, t = ember.tensor(z), torch.tensor(z)
    e.conj_physical_()
    t.conj_physical_()
    assert_same(e, t)


@pytest.mark.parametrize("name", ["abs_", "exp_", "neg_", "floor_", "sigmoid_", "clamp_", "fill_", "xlogy_",
                                  "nan_to_num_", "square_", "rad2deg_"])
def test_top_level_inplace(name):
    x = np.array([-1.5, 0.25, 2.0])
    args = {"clamp_": (-1.0, 1.0), "fill_": (3.0,), "xlogy_": (2.0,)}.get(name, ())
    e, t = ember.tensor(x), torch.tensor(x)
    re, rt = getattr(ember, name)(e, *args), getattr(torch, name)(t, *args)
    assert re is e and rt is t
    assert_same(e, t)


def test_anomaly_flags():
    assert ember.is_anomaly_enabled() is torch.is_anomaly_enabled() is False
    assert ember.is_anomaly_check_nan_enabled() is torch.is_anomaly_check_nan_enabled() is True
    try:
        ember.set_anomaly_enabled(True, False)
        assert ember.is_anomaly_enabled() and ember.autograd.is_anomaly_enabled()
        assert not ember.is_anomaly_check_nan_enabled()
    finally:
        ember.set_anomaly_enabled(False)
    assert not ember.is_anomaly_enabled() and ember.is_anomaly_check_nan_enabled()


def test_warn_always_flag():
    assert ember.is_warn_always_enabled() is torch.is_warn_always_enabled() is False
    assert ember.set_warn_always(True) is None
    assert ember.is_warn_always_enabled() is True
    ember.set_warn_always(False)
    assert ember.is_warn_always_enabled() is False


def test_set_default_tensor_type():
    try:
        for T in (ember, torch):
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                T.set_default_tensor_type(T.DoubleTensor)
            assert T.get_default_dtype() is T.float64 and T.ones(1).dtype is T.float64
            assert w[0].category is UserWarning
            assert str(w[0].message).startswith("torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, "
                                                "please use torch.set_default_dtype() and torch.set_default_device()")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                T.set_default_tensor_type("torch.FloatTensor")
            assert T.get_default_dtype() is T.float32
    finally:
        ember.set_default_dtype(ember.float32)
        torch.set_default_dtype(torch.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _same_error(lambda T: T.set_default_tensor_type(T.LongTensor))
        _same_error(lambda T: T.set_default_tensor_type(T.float64))
    assert ember.get_default_dtype() is ember.float32


def test_set_flush_denormal_returns_bool():
    assert isinstance(ember.set_flush_denormal(False), bool)


# ---- Tensor methods ---------------------------------------------------------------------------------------

def test_prelu_and_hardshrink_methods():
    x = np.random.default_rng(0).standard_normal((2, 3, 4))
    w = np.array([0.1, 0.2, 0.3])
    check_against_torch(lambda a, b: a.prelu(b), lambda a, b: a.prelu(b), [x, w])
    check_against_torch(lambda a: a.hardshrink(0.3), lambda a: a.hardshrink(0.3), [x])
    check_against_torch(lambda a: a.hardshrink(), lambda a: a.hardshrink(), [x])


@pytest.mark.parametrize("args", [(2, 3), (), ([1, 2],), ((2, 3),), ("size",), ([[1.5, 2]],)])
@pytest.mark.parametrize("dtype", ["float32", "int32", "float64"])
def test_new_legacy(args, dtype):
    def run(T):
        x = T.ones(2, dtype=getattr(T, dtype))
        a = (T.Size([4, 1]),) if args == ("size",) else args
        return x.new(*a)
    e, t = _both(run)
    assert e.dtype is to_ember(t).dtype and tuple(e.shape) == tuple(t.shape)
    if args and args != (2, 3) and args != ("size",):
        assert_same(e, t)


def test_new_from_tensor_shares_and_bad_data():
    x = ember.ones(3)
    y = x.new(x)
    y[0] = 5.0
    assert x[0].item() == 5.0
    _same_error(lambda T: T.ones(2).new(2.5))


def test_resize_storage_semantics():
    for T in (ember, torch):
        x = T.arange(6.0)
        x.resize_(2)
        assert x.tolist() == [0.0, 1.0]
        x.resize_(2, 3)          # the storage kept its six values
        assert x.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
        x.resize_(8)
        assert x.shape == (8,) and x[:6].tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
        y = T.zeros(2, 2)
        assert T.resize_as_(x, y) is x and x.shape == (2, 2) and x.flatten().tolist() == [0.0, 1.0, 2.0, 3.0]
    _same_error(lambda T: T.ones(3, requires_grad=True).resize_(2))


def test_resize_after_array_replaced():
    x = ember.arange(6.0)
    x.resize_(2)
    x.copy_(ember.tensor([7.0, 8.0]))
    x.data = ember.tensor([9.0, 9.5])
    x.resize_(3)
    assert x[:2].tolist() == [9.0, 9.5]


def test_resize_out_of_place():
    for T in (ember, torch):
        x = T.ones(2, 3, requires_grad=True)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            y = x.resize(3, 2)
        assert "non-inplace resize is deprecated" in str(w[0].message)
        y.sum().backward()
        assert x.grad.shape == (2, 3)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            assert x.resize_as(T.zeros(6)).shape == (6,)
        assert "non-inplace resize_as is deprecated" in str(w[0].message)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _same_error(lambda T: T.ones(3).resize(2))


# ---- native norms, binomial, histogramdd ----------------------------------------------------------------

def test_native_layer_norm():
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((2, 3, 4)), rng.standard_normal(4), rng.standard_normal(4)
    e = ember.native_layer_norm(ember.tensor(x, requires_grad=True), [4], ember.tensor(w), ember.tensor(b), 1e-5)
    t = torch.native_layer_norm(torch.tensor(x, requires_grad=True), [4], torch.tensor(w), torch.tensor(b), 1e-5)
    assert_same(e, t)
    assert e[0].requires_grad and not e[1].requires_grad and not e[2].requires_grad
    check_against_torch(lambda a, c, d: ember.native_layer_norm(a, (3, 4), None, None, 1e-5)[0],
                        lambda a, c, d: torch.native_layer_norm(a, (3, 4), None, None, 1e-5)[0], [x, w, b])


@pytest.mark.parametrize("training", [True, False])
def test_native_batch_norm(training):
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((4, 3, 5)), rng.standard_normal(3), rng.standard_normal(3)
    rm, rv = rng.standard_normal(3), rng.random(3) + 0.5
    res = []
    for T in (ember, torch):
        rm_, rv_ = T.tensor(rm), T.tensor(rv)
        out = T.native_batch_norm(T.tensor(x), T.tensor(w), T.tensor(b), rm_, rv_, training, 0.1, 1e-5)
        res.append((out, rm_, rv_))
    assert_same(res[0][0], res[1][0])
    assert_same(res[0][1:], res[1][1:])


def test_binomial():
    g = ember.Generator().manual_seed(0)
    count = ember.full((20000,), 10.0)
    prob = ember.full((20000,), 0.3)
    s = ember.binomial(count, prob, generator=g)
    assert s.dtype is ember.float32 and s.shape == (20000,)
    assert abs(s.mean().item() - 3.0) < 0.05 and abs(s.var().item() - 2.1) < 0.1
    assert float(s.min()) >= 0 and float(s.max()) <= 10 and bool((s == s.round()).all())
    edge = ember.binomial(ember.tensor([0.0, 7.0, 5.0], dtype=ember.float64), ember.tensor([0.5, 1.0, 0.0],
                                                                                         dtype=ember.float64))
    assert edge.dtype is ember.float64 and edge.tolist() == [0.0, 7.0, 0.0]
    _same_error(lambda T: T.binomial(T.tensor([3, 4]), T.tensor([0.5, 0.5])))
    _same_error(lambda T: T.binomial(T.tensor([3.0]), T.tensor([0.5], dtype=T.float64)))


@pytest.mark.parametrize("kw", [{"bins": 3}, {"bins": [2, 4]}, {"bins": [3, 2], "density": True},
                                {"bins": 2, "range": [0.0, 1.0, -1.0, 1.0]}, {"bins": 3, "weight": True}])
def test_histogramdd(kw):
    x = np.random.default_rng(0).random((50, 2)).astype(np.float32)
    w = np.random.default_rng(1).random(50).astype(np.float32)
    kw_e = dict(kw, weight=ember.tensor(w)) if kw.get("weight") else kw
    kw_t = dict(kw, weight=torch.tensor(w)) if kw.get("weight") else kw
    e = ember.histogramdd(ember.tensor(x), **kw_e)
    t = torch.histogramdd(torch.tensor(x), **kw_t)
    assert_same(e.hist, t.hist)
    assert_same(list(e.bin_edges), list(t.bin_edges))


def test_histogramdd_tensor_bins():
    x = np.random.default_rng(0).random((30, 2))
    edges = [np.array([0.0, 0.5, 1.0]), np.array([0.0, 0.2, 0.7, 1.0])]
    e = ember.histogramdd(ember.tensor(x), bins=[ember.tensor(b) for b in edges])
    t = torch.histogramdd(torch.tensor(x), bins=[torch.tensor(b) for b in edges])
    assert_same(e.hist, t.hist)
