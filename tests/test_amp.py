"""torch.amp: autocast dtypes and values on the CPU, the global state, warnings; GradScaler against torch."""
import warnings

import numpy as np
import pytest
import torch

import ember
from helpers import to_numpy

A = np.random.RandomState(0).randn(4, 6).astype(np.float32)
W = np.random.RandomState(1).randn(5, 6).astype(np.float32)
B = np.random.RandomState(2).randn(5).astype(np.float32)
B3 = np.random.RandomState(3).randn(2, 4, 4).astype(np.float32)
X4 = np.random.RandomState(4).randn(1, 2, 6, 6).astype(np.float32)
W4 = np.random.RandomState(5).randn(3, 2, 3, 3).astype(np.float32)

OPS = {
    "linear": lambda m, t: m.nn.functional.linear(t(A), t(W), t(B)),
    "mm": lambda m, t: m.mm(t(A), t(W).t()),
    "matmul_op": lambda m, t: t(A) @ t(W).t(),
    "matmul_vec": lambda m, t: t(B) @ t(B),
    "mv": lambda m, t: m.mv(t(W), t(A)[0]),
    "dot": lambda m, t: m.dot(t(B), t(B)),
    "bmm": lambda m, t: m.bmm(t(B3), t(B3)),
    "baddbmm": lambda m, t: m.baddbmm(t(B3), t(B3), t(B3)),
    "addbmm": lambda m, t: m.addbmm(t(B3)[0], t(B3), t(B3)),
    "addmm": lambda m, t: m.addmm(t(B), t(A), t(W).t()),
    "conv2d": lambda m, t: m.nn.functional.conv2d(t(X4), t(W4), padding=1),
    "conv_transpose2d": lambda m, t: m.nn.functional.conv_transpose2d(t(X4), t(W4).transpose(0, 1)),
    "relu_after_linear": lambda m, t: m.relu(m.nn.functional.linear(t(A), t(W))),
    "add_double": lambda m, t: m.nn.functional.linear(t(A), t(W)) + t(B).double(),
    "mm_double": lambda m, t: m.mm(t(A).double(), t(W).t().double()),
}


@pytest.mark.parametrize("name", list(OPS))
@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
def test_autocast_cpu_dtypes_and_values(name, dtype):
    with torch.autocast("cpu", dtype=getattr(torch, dtype)):
        rt = OPS[name](torch, torch.tensor)
    with ember.autocast("cpu", dtype=getattr(ember, dtype)):
        re = OPS[name](ember, ember.tensor)
    assert str(re.dtype) == str(rt.dtype)
    np.testing.assert_allclose(to_numpy(re).astype(np.float32), to_numpy(rt).astype(np.float32), rtol=2e-2,
                               atol=5e-2)


def test_autocast_gradients_flow_to_float32_parameters():
    results = []
    for m in (torch, ember):
        m.manual_seed(0)
        w = m.tensor(W, requires_grad=True)
        with m.autocast("cpu"):
            y = m.nn.functional.linear(m.tensor(A), w)
            assert y.dtype == m.bfloat16 and y.grad_fn.name() == "MmBackward0"
        y.float().pow(2).sum().backward()
        assert w.grad.dtype == m.float32
        results.append(to_numpy(w.grad))
    np.testing.assert_allclose(results[1], results[0], rtol=3e-2, atol=0.5)


def test_autocast_state_nesting_and_decorator():
    for m in (torch, ember):
        assert not m.is_autocast_enabled("cpu") and m.get_autocast_dtype("cpu") == m.bfloat16
        assert m.get_autocast_dtype("cuda") == m.float16
        with m.autocast("cpu", dtype=m.float16):
            assert m.is_autocast_enabled("cpu") and not m.is_autocast_enabled()
            assert m.get_autocast_dtype("cpu") == m.float16
            with m.autocast("cpu", enabled=False):
                assert not m.is_autocast_enabled("cpu")
                assert m.mm(m.ones(2, 2), m.ones(2, 2)).dtype == m.float32
            assert m.is_autocast_enabled("cpu") and m.is_autocast_cache_enabled()
        assert not m.is_autocast_enabled("cpu") and m.get_autocast_dtype("cpu") == m.bfloat16

        @m.autocast("cpu")
        def f(a):
            return a @ a

        assert f(m.ones(2, 2)).dtype == m.bfloat16
        assert (m.ones(2, 2) @ m.ones(2, 2)).dtype == m.float32


def _warnings(fn):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        fn()
    return [(x.category, str(x.message)) for x in w]


def test_disabled_autocast_warnings_match_torch():
    def cuda(m):
        with m.autocast("cuda"):
            assert not m.is_autocast_enabled("cuda")

    def cpu_float32(m):
        with m.autocast("cpu", dtype=m.float32):
            assert not m.is_autocast_enabled("cpu")
            assert m.mm(m.ones(2, 2), m.ones(2, 2)).dtype == m.float32

    for case in (cuda, cpu_float32, lambda m: m.cpu.amp.autocast(), lambda m: m.cuda.amp.autocast(),
                 lambda m: m.cpu.amp.GradScaler(), lambda m: m.cuda.amp.GradScaler(),
                 lambda m: m.amp.GradScaler()):
        assert _warnings(lambda: case(ember)) == _warnings(lambda: case(torch))
    for m in (torch, ember):
        with pytest.raises(RuntimeError, match="device type at start of device string: xyz"):
            m.autocast("xyz")
        assert m.cpu.is_available() and m.cpu.device_count() == 1
        assert not m.amp.GradScaler().is_enabled()


def _train(m, inject, init_scale=1024.0, growth_interval=2):
    m.manual_seed(0)
    w = m.nn.Parameter(m.tensor(W[:2, :3].copy()))
    opt = m.optim.SGD([w], lr=0.1, momentum=0.9)
    scaler = m.amp.GradScaler("cpu", init_scale=init_scale, growth_interval=growth_interval)
    scales, steps = [], []
    for it in range(7):
        opt.zero_grad()
        loss = (w * m.tensor(A[:2, :3])).pow(2).sum()
        if it in inject:
            loss = loss * float("inf")
        scaler.scale(loss).backward()
        scaler.unscale_(opt)
        steps.append(scaler.step(opt))
        scaler.update()
        scales.append(scaler.get_scale())
    return scales, to_numpy(w), scaler.state_dict(), steps


def test_grad_scaler_sequence_matches_torch():
    st, wt, sdt, _ = _train(torch, inject={1, 4})
    se, we, sde, _ = _train(ember, inject={1, 4})
    assert se == st
    np.testing.assert_allclose(we, wt, rtol=1e-5, atol=1e-6)
    assert sde == sdt


def test_grad_scaler_api_and_errors():
    s = ember.amp.GradScaler("cpu", init_scale=8.0)
    assert s.get_scale() == 8.0 and s.state_dict()["_growth_tracker"] == 0
    w = ember.nn.Parameter(ember.ones(2))
    opt = ember.optim.SGD([w], lr=1.0)
    scaled = s.scale((w * 2).sum())
    assert scaled.item() == 32.0
    scaled.backward()
    s.unscale_(opt)
    np.testing.assert_allclose(to_numpy(w.grad), [2.0, 2.0])
    with pytest.raises(RuntimeError, match="unscale_\\(\\) has already been called on this optimizer"):
        s.unscale_(opt)
    s.step(opt)
    with pytest.raises(RuntimeError, match="step\\(\\) has already been called since the last update"):
        s.step(opt)
    s.update(4.0)
    assert s.get_scale() == 4.0
    t = ember.amp.GradScaler("cpu")
    t.load_state_dict(s.state_dict())
    assert t.get_scale() == 4.0
    off = ember.amp.GradScaler("cpu", enabled=False)
    x = ember.ones(1)
    assert off.scale(x) is x and off.get_scale() == 1.0 and off.state_dict() == {}
    with pytest.raises(RuntimeError, match="The source state dict is empty"):
        ember.amp.GradScaler("cpu").load_state_dict({})


def test_checkpoint_recomputes_under_autocast():
    from ember.utils.checkpoint import checkpoint
    w = ember.tensor(W, requires_grad=True)
    x = ember.tensor(A, requires_grad=True)
    with ember.autocast("cpu"):
        y = checkpoint(lambda a: ember.nn.functional.linear(a, w), x, use_reentrant=False)
    assert y.dtype == ember.bfloat16
    y.float().sum().backward()
    assert w.grad.dtype == ember.float32 and x.grad.dtype == ember.float32
