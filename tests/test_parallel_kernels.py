"""The block-parallel path of the fused kernels (large inputs): equal to torch, and the same with 1 and 2
threads.  The other layer tests use small shapes, which stay on the serial path."""
import numpy as np
import pytest
import torch

import ember
import ember.nn.functional as F
from ember.backend import parallel
from helpers import assert_same

N, C = 512, 300          # 153,600 elements: above parallel.MIN_PARALLEL


def _run(lib, fn, x):
    t = lib.tensor(x, requires_grad=True)
    out = fn(lib, t)
    g = lib.tensor(np.random.default_rng(1).standard_normal(out.shape).astype(np.float32))
    out.backward(g)
    return out.detach(), t.grad


KERNELS = {
    "gelu": lambda L, t: L.nn.functional.gelu(t),
    "gelu_tanh": lambda L, t: L.nn.functional.gelu(t, approximate="tanh"),
    "layer_norm": lambda L, t: L.nn.functional.layer_norm(t, (C,)),
    "softmax": lambda L, t: L.nn.functional.softmax(t, dim=-1),
    "log_softmax": lambda L, t: L.nn.functional.log_softmax(t, dim=-1),
    "batch_norm": lambda L, t: L.nn.functional.batch_norm(t, None, None, training=True),
}


@pytest.mark.parametrize("name", list(KERNELS))
def test_large_kernels_match_torch_and_thread_count(name):
    assert N * C > parallel.MIN_PARALLEL
    x = np.random.default_rng(0).standard_normal((N, C)).astype(np.float32) * 3
    fn = KERNELS[name]
    before = parallel.num_threads()
    try:
        parallel.set_num_threads(2)
        out2, g2 = _run(ember, fn, x)
        parallel.set_num_threads(1)
        out1, g1 = _run(ember, fn, x)
    finally:
        parallel.set_num_threads(before)
    np.testing.assert_array_equal(out1.numpy(), out2.numpy())
    np.testing.assert_array_equal(g1.numpy(), g2.numpy())
    ot, gt = _run(torch, fn, x)
    assert_same(out2, ot, rtol=1e-4, atol=1e-5)
    assert_same(g2, gt, rtol=1e-4, atol=1e-4)


def test_large_cross_entropy_matches_torch():
    x = np.random.default_rng(0).standard_normal((N, C)).astype(np.float32) * 3
    y = np.random.default_rng(1).integers(0, C, N)

    def fn(L, t):
        return L.nn.functional.cross_entropy(t, L.tensor(y), label_smoothing=0.1)
    e, t = _run(ember, fn, x), _run(torch, fn, x)
    assert_same(e[0], t[0], rtol=1e-5, atol=1e-6)
    assert_same(e[1], t[1], rtol=1e-4, atol=1e-6)
