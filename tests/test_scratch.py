"""The scratch pool behind convolution's im2col buffers: recycling must never alias live data."""
import numpy as np
import pytest
import torch

import ember
from ember.backend import scratch


def test_take_give_recycles_only_base_arrays_of_pool_size():
    scratch.clear()
    a = scratch.take((512, 1024), np.float32)          # 2 MiB: above MIN_BYTES
    scratch.give(a)
    b = scratch.take((512, 1024), np.float32)
    assert b is a                                     # recycled
    scratch.give(b[:10])                              # a view is refused: its base may have other users
    assert scratch.take((512, 1024), np.float32) is not a
    small = scratch.take((4,), np.float32)
    scratch.give(small)
    assert scratch.take((4,), np.float32) is not small
    scratch.clear()


def test_pool_is_capped():
    scratch.clear()
    n = scratch.LIMIT // (8 * 2 ** 20) + 2
    arrays = [scratch.take((2 ** 20,), np.float64) for _ in range(n)]
    for a in arrays:
        scratch.give(a)
    assert scratch._held <= scratch.LIMIT
    scratch.clear()
    assert scratch._held == 0


@pytest.mark.parametrize("retain", [False, True])
def test_conv_stack_with_recycled_columns_matches_torch(retain):
    """Two layers of one shape share pooled buffers between forward, backward and the next step."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((16, 8, 40, 40)).astype(np.float32)   # im2col columns > 1 MiB
    w1 = rng.standard_normal((8, 8, 3, 3)).astype(np.float32) * 0.2
    w2 = rng.standard_normal((8, 8, 3, 3)).astype(np.float32) * 0.2
    results = {}
    for lib in (ember, torch):
        xs = lib.tensor(x, requires_grad=True)
        ws = [lib.tensor(w, requires_grad=True) for w in (w1, w2)]
        outs = []
        for _ in range(2):                                          # a second step reuses the pool
            y = lib.nn.functional.conv2d(lib.nn.functional.conv2d(xs, ws[0], padding=1).relu(), ws[1], padding=1)
            loss = (y * y).mean()
            loss.backward(retain_graph=retain)
            if retain:
                loss.backward()                                     # recomputes the released columns
            outs.append([y.detach().numpy().copy(), xs.grad.numpy().copy()] + [w.grad.numpy().copy() for w in ws])
        results[lib.__name__] = outs
    for e, t in zip(results["ember"], results["torch"]):
        for a, b in zip(e, t):
            np.testing.assert_allclose(a, b, rtol=2e-4, atol=1e-5)


def test_set_num_threads_drives_the_block_pool():
    before = ember.get_num_threads()
    try:
        ember.set_num_threads(1)
        assert ember.get_num_threads() == 1
    finally:
        ember.set_num_threads(before)
    for bad in (0, -1, 1.5, True):
        msgs = []
        for lib in (ember, torch):
            with pytest.raises(RuntimeError) as info:
                lib.set_num_threads(bad)
            msgs.append(str(info.value))
        assert msgs[0] == msgs[1]
