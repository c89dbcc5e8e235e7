"""nn names added late: ``F.gumbel_softmax`` and the lazy batch / instance norms, checked against torch."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import ember
import ember.nn.functional as F
from helpers import assert_same, to_ember, to_torch


# ---- gumbel_softmax ---------------------------------------------------------------------------------------

def test_gumbel_softmax_soft_is_a_distribution():
    x = ember.randn(5, 7, dtype=ember.float64)
    for dim in (-1, 0):
        y = F.gumbel_softmax(x, tau=0.5, dim=dim)
        assert y.dtype is ember.float64 and y.shape == (5, 7)
        np.testing.assert_allclose(y.sum(dim).numpy(), 1.0, rtol=1e-12)
        assert bool((y > 0).all())


def test_gumbel_softmax_hard_frequencies_follow_softmax():
    ember.manual_seed(0)
    logits = ember.tensor([1.0, 0.0, -1.0, 2.0])
    samples = F.gumbel_softmax(logits.expand(40000, 4), hard=True)
    assert samples.dtype is ember.float32
    assert bool((samples.sum(-1) == 1).all()) and set(np.unique(samples.numpy())) == {0.0, 1.0}
    np.testing.assert_allclose(samples.mean(0).numpy(), logits.softmax(0).numpy(), atol=0.01)


def test_gumbel_softmax_tau_sharpens():
    ember.manual_seed(1)
    logits = ember.tensor([1.0, 0.5, -1.0]).expand(20000, 3)
    cold = F.gumbel_softmax(logits, tau=0.05).max(-1)[0].mean().item()
    warm = F.gumbel_softmax(logits, tau=5.0).max(-1)[0].mean().item()
    assert cold > 0.95 and warm < 0.5


def test_gumbel_softmax_straight_through_gradient():
    logits = ember.randn(4, 6, dtype=ember.float64)
    cot = ember.randn(4, 6, dtype=ember.float64)
    grads, outs = [], []
    for hard in (False, True):
        x = logits.clone().requires_grad_()
        ember.manual_seed(3)
        y = F.gumbel_softmax(x, tau=0.8, hard=hard, dim=1)
        (y * cot).sum().backward()
        grads.append(x.grad)
        outs.append(y)
    soft, hard = outs
    one_hot = ember.zeros_like(soft).scatter_(1, soft.argmax(1, keepdim=True), 1.0)
    np.testing.assert_array_equal(hard.detach().numpy(), one_hot.numpy())
    assert hard.grad_fn.name() == "AddBackward0"
    np.testing.assert_allclose(grads[1].numpy(), grads[0].numpy(), rtol=1e-10, atol=1e-14)


def test_gumbel_softmax_gradcheck():
    # the hard sample is piecewise constant (its straight-through gradient is checked above), so soft only
    def f(x):
        ember.manual_seed(7)
        return F.gumbel_softmax(x, tau=0.7, dim=0)
    x = ember.randn(3, 4, dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(f, (x,))


def test_gumbel_softmax_eps_warning_and_int_error():
    for mod in (F, torch.nn.functional):
        T = ember if mod is F else torch
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            mod.gumbel_softmax(T.zeros(2, 3), eps=1e-5)
        assert [str(m.message) for m in w] == ["`eps` parameter is deprecated and has no effect."]
    msgs = []
    for mod, T in ((F, ember), (torch.nn.functional, torch)):
        with pytest.raises(RuntimeError) as info:
            mod.gumbel_softmax(T.ones(3, dtype=T.long))
        msgs.append(str(info.value))
    assert msgs[0] == msgs[1]


# ---- lazy norms -------------------------------------------------------------------------------------------

_LAZY = [("LazyBatchNorm1d", (4, 3, 5)), ("LazyBatchNorm1d", (6, 3)), ("LazyBatchNorm2d", (2, 3, 4, 4)),
         ("LazyBatchNorm3d", (2, 3, 2, 3, 2)), ("LazyInstanceNorm1d", (2, 3, 6)),
         ("LazyInstanceNorm2d", (2, 3, 4, 4)),
         ("LazyInstanceNorm3d", (2, 3, 2, 3, 2))]


@pytest.mark.parametrize("name,shape", _LAZY)
@pytest.mark.parametrize("kw", [{}, {"affine": False}, {"track_running_stats": False}, {"momentum": None},
                                {"affine": False, "track_running_stats": False}])
def test_lazy_norm_matches_torch(name, shape, kw):
    me, mt = getattr(ember.nn, name)(**kw), getattr(torch.nn, name)(**kw)
    assert repr(me) == repr(mt) and me.num_features == mt.num_features == 0
    assert list(me.state_dict()) == list(mt.state_dict())
    assert type(me.weight).__name__ == type(mt.weight).__name__
    assert type(me.running_mean).__name__ == type(mt.running_mean).__name__
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    for step in range(2):
        xe, xt = ember.tensor(x + step, requires_grad=True), torch.tensor(x + step, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")    # unbatched affine-free instance norm warns in both
            ye, yt = me(xe), mt(xt)
        assert_same(ye, yt, rtol=1e-4, atol=1e-5)
        ye.pow(2).sum().backward()
        yt.pow(2).sum().backward()
        assert_same(xe.grad, xt.grad, rtol=1e-4, atol=1e-4)
    assert type(me).__name__ == type(mt).__name__ and repr(me) == repr(mt)
    assert me.num_features == mt.num_features
    assert list(me.state_dict()) == list(mt.state_dict())
    for k, v in mt.state_dict().items():
        assert_same(me.state_dict()[k], v, rtol=1e-4, atol=1e-5)
    assert [n for n, _ in me.named_parameters()] == [n for n, _ in mt.named_parameters()]


def test_lazy_norm_dtype_and_training():
    m = ember.nn.LazyBatchNorm2d(dtype=ember.float64)
    m(ember.randn(2, 5, 3, 3, dtype=ember.float64))
    assert m.weight.dtype is m.running_mean.dtype is ember.float64 and m.weight.shape == (5,)
    assert isinstance(m, ember.nn.BatchNorm2d) and m.num_batches_tracked.item() == 1
    opt = ember.optim.SGD(m.parameters(), lr=0.1)
    m(ember.randn(2, 5, 3, 3, dtype=ember.float64)).sum().backward()
    opt.step()


def test_lazy_norm_wrong_rank_initialises_then_raises():
    for T in (ember, torch):
        m = T.nn.LazyBatchNorm2d()
        with pytest.raises(ValueError, match=r"expected 4D input \(got 3D input\)"):
            m(T.randn(2, 3, 4))
        assert type(m).__name__ == "BatchNorm2d" and m.num_features == 3


def test_lazy_norm_load_state_dict():
    src = torch.nn.BatchNorm1d(4)
    src.running_mean.fill_(0.5)
    sd = {k: to_ember(v) for k, v in src.state_dict().items()}
    me, mt = ember.nn.LazyBatchNorm1d(), torch.nn.LazyBatchNorm1d()
    me.load_state_dict(sd)
    mt.load_state_dict(src.state_dict())
    assert repr(me) == repr(mt) and type(me).__name__ == type(mt).__name__
    assert_same(me.running_mean, mt.running_mean)
    me.eval()
    mt.eval()
    x = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    assert_same(me(ember.tensor(x)), mt(torch.tensor(x)))
    assert type(me).__name__ == type(mt).__name__ == "BatchNorm1d"


def test_lazy_instance_norm_unbatched_reads_dim_1_as_torch():
    msgs = []
    for T in (ember, torch):
        m = T.nn.LazyInstanceNorm2d()
        with pytest.raises(ValueError) as info:
            m(T.randn(3, 4, 4))
        msgs.append((str(info.value), m.num_features))
    assert msgs[0] == msgs[1]
