"""The fused layer kernels on the inputs that pick their special paths: the float32 GELU lookup table over the
whole float32 range that matters (a dense sweep, random normals, extremes, inf and NaN), and batch norm in
every block layout (whole samples per block with long or short rows, channel runs of one sample), each
against torch and the same with 1 and 2 threads."""
import numpy as np
import pytest
import torch

import ember
from ember.backend import parallel
from ember.ops import nn_ops


def _gelu_both(lib, x, g):
    t = lib.tensor(x, requires_grad=True)
    y = lib.nn.functional.gelu(t)
    y.backward(lib.tensor(g))
    return y.detach().numpy(), t.grad.numpy()


def _sweep():
    rng = np.random.default_rng(0)
    dense = np.linspace(-20, 20, 1 << 21, dtype=np.float64)
    near0 = np.concatenate([np.geomspace(1e-38, 1e-2, 4000), -np.geomspace(1e-38, 1e-2, 4000)])
    tail = np.linspace(-6.5, -4.5, 100_000)                    # where torch's 1 + erf reaches 0
    edges = np.array([0.0, -0.0, 16.0, -16.0, 15.9999, -15.9999, 16.0001, -16.0001, 30.0, -30.0, 1e30, -1e30,
                      3.4e38, -3.4e38, 5.42, -5.42, 2 ** -11, -(2 ** -11), 2 ** -12, 3 * 2 ** -12])
    return np.concatenate([dense, near0, tail, rng.standard_normal(1 << 18) * 3, edges]).astype(np.float32)


def test_gelu_table_matches_torch_over_the_range():
    x = _sweep()
    g = np.random.default_rng(1).standard_normal(x.size).astype(np.float32)
    ye, ge = _gelu_both(ember, x, g)
    yt, gt = _gelu_both(torch, x, g)
    finite = np.isfinite(yt) & (np.abs(x) < 1e30)
    # torch's own float32 erf-GELU is a few ulp off the exact function; the table stays within that noise
    np.testing.assert_allclose(ye[finite], yt[finite], rtol=1e-5, atol=2e-6)
    np.testing.assert_allclose(ge[finite], gt[finite], rtol=1e-5, atol=2e-6)
    big = np.abs(x) >= 1e30
    np.testing.assert_array_equal(ye[big], np.where(x[big] > 0, x[big], -0.0))
    # the far left tail is exactly zero (with torch's sign), as torch rounds 1 + erf to float32
    deep = x < -5.55
    assert not ye[deep].any() and np.signbit(ye[deep]).all()


def test_gelu_table_against_float64():
    """Mean and worst absolute error against the exact float64 GELU, no worse than torch's float32 kernel."""
    x = _sweep()
    x = x[np.abs(x) < 20]
    exact = ember.nn.functional.gelu(ember.tensor(x.astype(np.float64))).numpy()
    ye = ember.nn.functional.gelu(ember.tensor(x)).numpy().astype(np.float64)
    yt = torch.nn.functional.gelu(torch.tensor(x)).numpy().astype(np.float64)
    err_e, err_t = np.abs(ye - exact), np.abs(yt - exact)
    assert err_e.max() <= 1.1 * err_t.max()
    assert err_e.mean() <= 1.1 * err_t.mean()


@pytest.mark.filterwarnings("error")
def test_gelu_non_finite():
    x = np.array([np.nan, -np.nan, np.inf, -np.inf, 1.0, -1.0] * 30_000, np.float32)   # blocked path
    y, g = _gelu_both(ember, x, np.ones_like(x))
    yt, gt = _gelu_both(torch, x, np.ones_like(x))
    # NaN at NaN and at -inf (-inf * 0); at +inf too, as torch's vectorised kernel (only a one-element tensor
    # gives inf there); the gradient is NaN at all three
    np.testing.assert_array_equal(np.isnan(y), np.isnan(yt))
    assert np.isnan(y[np.isinf(x)]).all()
    np.testing.assert_array_equal(np.isnan(g), np.isnan(gt))
    np.testing.assert_allclose(y[np.isfinite(x)], yt[np.isfinite(x)], rtol=1e-6)


def test_gelu_tables_shape():
    p0, p1, d0, d1 = nn_ops._gelu_tables()
    assert p0.dtype == np.float32 and p0.shape == p1.shape == d0.shape == d1.shape
    assert (np.diff(p0) >= 0).all() and p0[0] == 0 and p0[-1] == 1 and (p1 >= 0).all()


SHAPES = [
    (32, 32, 32, 32),    # whole samples per block, long rows
    (1024, 512),         # L = 1: partial sums over samples
    (64, 16, 7, 7),      # short rows
    (2, 80, 40, 40),     # a sample is larger than a block: runs of channels
    (3, 70_000),         # more channels than a block, L = 1
    (5, 3, 7),           # tiny, serial
]


def _bn(lib, x, g, affine, offset):
    C = x.shape[1]
    t = lib.tensor(x + offset, requires_grad=True)
    bn = lib.nn.BatchNorm2d(C) if x.ndim == 4 else lib.nn.BatchNorm1d(C)
    if x.dtype == np.float64:
        bn = bn.double()
    if affine:
        with lib.no_grad():
            bn.weight.copy_(lib.tensor(np.linspace(0.5, 1.5, C, dtype=x.dtype)))
            bn.bias.copy_(lib.tensor(np.linspace(-1, 1, C, dtype=x.dtype)))
    y = bn(t)
    y.backward(lib.tensor(g))
    return [a.detach().numpy() for a in (y, t.grad, bn.weight.grad, bn.bias.grad, bn.running_mean,
                                           bn.running_var)]


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("offset", [0.0, 100.0], ids=["centred", "offset"])
def test_batch_norm_layouts_match_torch_and_thread_count(shape, offset):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(np.float32) * 2
    g = rng.standard_normal(shape).astype(np.float32)
    before = parallel.num_threads()
    try:
        parallel.set_num_threads(2)
        two = _bn(ember, x, g, True, offset)
        parallel.set_num_threads(1)
        one = _bn(ember, x, g, True, offset)
    finally:
        parallel.set_num_threads(before)
    for a, b in zip(one, two):
        np.testing.assert_array_equal(a, b)
    ref = _bn(torch, x, g, True, offset)
    exact = _bn(torch, x.astype(np.float64), g.astype(np.float64), True, offset)
    # float32 sums of up to 10^6 terms (torch accumulates in double, ember per row or block, then in double);
    # with an offset and few samples per channel the problem itself is ill-conditioned: there ember's error
    # against float64 must stay within twice torch's own
    for name, a, b, e in zip(["y", "gx", "gw", "gb", "running_mean", "running_var"], two, ref, exact):
        scale = max(1.0, float(np.abs(b).max()))
        err_e, err_t = np.abs(a - e).max(), np.abs(b - e).max()
        assert err_e <= max(2 * err_t, 1e-5 * scale), (name, err_e, err_t)
        if not offset:
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=2e-5 * scale, err_msg=name)


def _pool_both(lib, x, g, indices=False):
    t = lib.tensor(x, requires_grad=True)
    res = lib.nn.functional.max_pool2d(t, 2, return_indices=indices)
    y = res[0] if indices else res
    y.backward(lib.tensor(g))
    out = [y.detach().numpy(), t.grad.numpy()]
    return out + [res[1].numpy()] if indices else out


def _pool_input(kind, shape=(8, 32, 32, 32)):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(np.float32)
    if kind == "ties":            # after a ReLU most windows are all zero; equal maxima across rows and columns
        x = np.maximum(np.round(x), 0)
    elif kind == "nan":
        x.reshape(-1)[rng.integers(0, x.size, 50)] = np.nan
    elif kind == "inf":
        x.reshape(-1)[rng.integers(0, x.size, 50)] = -np.inf
    return x


@pytest.mark.parametrize("kind", ["normal", "ties", "nan", "inf"])
def test_max_pool_2x2_matches_torch_and_thread_count(kind):
    x = _pool_input(kind)
    g = np.random.default_rng(1).standard_normal((8, 32, 16, 16)).astype(np.float32)
    g[0, 0, 0, :4] = [np.inf, -np.inf, np.nan, -0.0]               # moved exactly, the others get +0
    before = parallel.num_threads()
    try:
        parallel.set_num_threads(2)
        two = _pool_both(ember, x, g, indices=True)
        parallel.set_num_threads(1)
        one = _pool_both(ember, x, g, indices=True)
    finally:
        parallel.set_num_threads(before)
    ref = _pool_both(torch, x, g, indices=True)
    for a, b, c in zip(one, two, ref):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, c)
        assert (np.signbit(a) == np.signbit(c))[~np.isnan(c)].all()


def test_max_pool_2x2_double_backward():
    x = _pool_input("ties", (2, 3, 8, 8)).astype(np.float32)
    res = []
    for lib in (ember, torch):
        t = lib.tensor(x, requires_grad=True)
        g = lib.tensor(np.arange(2 * 3 * 16, dtype=np.float32).reshape(2, 3, 4, 4), requires_grad=True)
        y = lib.nn.functional.max_pool2d(t, 2)
        (gx,) = lib.autograd.grad(y, t, g, create_graph=True)
        (gg,) = lib.autograd.grad((gx * gx).sum(), g)
        res.append((gx.detach().numpy(), gg.numpy()))
    for a, b in zip(*res):
        np.testing.assert_array_equal(a, b)
