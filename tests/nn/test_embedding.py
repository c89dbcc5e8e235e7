"""Embedding and EmbeddingBag against torch."""
import numpy as np
import pytest
import torch

import ember
import ember.nn.functional as F
from helpers import assert_same, to_ember

TF = torch.nn.functional


def _pair(**kw):
    mt = torch.nn.Embedding(10, 3, **kw).double()
    me = ember.nn.Embedding(10, 3, **kw).double()
    me.load_state_dict({k: to_ember(v.detach()) for k, v in mt.state_dict().items()})
    return me, mt


@pytest.mark.parametrize("kw", [dict(), dict(padding_idx=0), dict(padding_idx=-2), dict(scale_grad_by_freq=True),
                                dict(max_norm=1.0), dict(max_norm=0.5, norm_type=1.0),
                                dict(padding_idx=3, scale_grad_by_freq=True)])
def test_embedding(kw):
    me, mt = _pair(**kw)
    assert repr(me) == repr(mt)
    idx = np.array([[1, 2, 3, 3], [0, 9, 3, 8]])
    ye, yt = me(ember.tensor(idx)), mt(torch.tensor(idx))
    assert_same(ye, yt, rtol=1e-10)
    cot = np.random.default_rng(0).standard_normal(yt.shape)
    (ye * ember.tensor(cot)).sum().backward()
    (yt * torch.tensor(cot)).sum().backward()
    assert_same(me.weight.grad, mt.weight.grad, rtol=1e-10)
    assert_same(me.weight.detach(), mt.weight.detach(), rtol=1e-10)   # max_norm renormalised in place


def test_embedding_init_from_pretrained_and_errors():
    m = ember.nn.Embedding(1000, 50, padding_idx=5)
    w = m.weight.detach().numpy()
    assert np.all(w[5] == 0) and abs(w.std() - 1) < 0.02 and abs(w.mean()) < 0.02
    pre = ember.tensor([[1.0, 2.0], [3.0, 4.0]])
    e = ember.nn.Embedding.from_pretrained(pre)
    assert not e.weight.requires_grad and repr(e) == repr(torch.nn.Embedding.from_pretrained(torch.ones(2, 2)))
    assert_same(e(ember.tensor([1])), torch.tensor([[3.0, 4.0]]))
    assert ember.nn.Embedding.from_pretrained(pre, freeze=False).weight.requires_grad
    with pytest.raises(RuntimeError, match=r"Expected tensor for argument #1 'indices' to have one of the following "
                                           r"scalar types: Long, Int; but got torch.FloatTensor instead \(while "
                                           r"checking arguments for embedding\)"):
        ember.nn.Embedding(3, 4)(ember.tensor([1.0]))
    with pytest.raises(IndexError, match="index out of range in self"):
        ember.nn.Embedding(3, 4)(ember.tensor([5]))
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        ember.nn.Embedding(3, 4, padding_idx=3)


def test_embedding_double_backward():
    w = ember.randn(5, 2, dtype=ember.float64, requires_grad=True)
    idx = ember.tensor([0, 2, 2])
    assert ember.autograd.gradcheck(lambda w: F.embedding(idx, w) ** 2, (w,))
    assert ember.autograd.gradgradcheck(lambda w: F.embedding(idx, w) ** 2, (w,))


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("layout", ["2d", "offsets", "last_offset"])
@pytest.mark.parametrize("padding_idx", [None, 2])
def test_embedding_bag(mode, layout, padding_idx):
    mt = torch.nn.EmbeddingBag(10, 3, mode=mode, padding_idx=padding_idx,
                               include_last_offset=layout == "last_offset").double()
    me = ember.nn.EmbeddingBag(10, 3, mode=mode, padding_idx=padding_idx,
                               include_last_offset=layout == "last_offset").double()
    assert repr(me) == repr(mt)
    me.load_state_dict({k: to_ember(v.detach()) for k, v in mt.state_dict().items()})
    if layout == "2d":
        args = (np.array([[1, 2, 4], [4, 3, 2], [2, 2, 2]]), None)
    elif layout == "offsets":
        args = (np.array([1, 2, 4, 5, 4, 3, 2, 9]), np.array([0, 2, 2, 5]))
    else:
        args = (np.array([1, 2, 4, 5, 4, 3, 2, 9]), np.array([0, 2, 2, 5, 8]))
    ae = [ember.tensor(a) if a is not None else None for a in args]
    at = [torch.tensor(a) if a is not None else None for a in args]
    ye, yt = me(*ae), mt(*at)
    assert_same(ye, yt, rtol=1e-10)
    cot = np.random.default_rng(0).standard_normal(yt.shape)
    (ye * ember.tensor(cot)).sum().backward()
    (yt * torch.tensor(cot)).sum().backward()
    assert_same(me.weight.grad, mt.weight.grad, rtol=1e-10)


def test_embedding_bag_per_sample_weights():
    w = np.random.default_rng(1).standard_normal((10, 3))
    idx, off = np.array([1, 2, 4, 5, 4, 3]), np.array([0, 2])
    psw = np.random.default_rng(2).standard_normal(6)
    we, pe = ember.tensor(w, requires_grad=True), ember.tensor(psw, requires_grad=True)
    wt, pt = torch.tensor(w, requires_grad=True), torch.tensor(psw, requires_grad=True)
    ye = F.embedding_bag(ember.tensor(idx), we, ember.tensor(off), mode="sum", per_sample_weights=pe)
    yt = TF.embedding_bag(torch.tensor(idx), wt, torch.tensor(off), mode="sum", per_sample_weights=pt)
    assert_same(ye, yt, rtol=1e-10)
    ye.sum().backward()
    yt.sum().backward()
    assert_same(we.grad, wt.grad, rtol=1e-10)
    assert_same(pe.grad, pt.grad, rtol=1e-10)


def test_one_hot():
    t = np.array([[0, 2], [1, 4]])
    assert_same(F.one_hot(ember.tensor(t)), TF.one_hot(torch.tensor(t)))
    assert_same(F.one_hot(ember.tensor(t), 6), TF.one_hot(torch.tensor(t), 6))
    with pytest.raises(RuntimeError, match="one_hot is only applicable to index tensor of type LongTensor."):
        F.one_hot(ember.tensor([1.0]))
    with pytest.raises(RuntimeError, match="Class values must be smaller than num_classes."):
        F.one_hot(ember.tensor([1, 5]), 3)


def _bag_both(args_of, weight, cot):
    """Run F.embedding_bag in torch and ember on copies of ``weight``: (output, weight grad) or (type, message)."""
    out = []
    for lib in (torch, ember):
        w = lib.tensor(weight.copy(), requires_grad=True)
        try:
            y = lib.nn.functional.embedding_bag(*args_of(lib, w))
        except Exception as err:   # noqa: BLE001 - the error itself is compared
            out.append((type(err).__name__, str(err)))
            continue
        y.backward(lib.tensor(cot[:y.shape[0]].copy()))
        out.append((y, w.grad))
    (yt, gt), (ye, ge) = out
    if isinstance(yt, str):
        assert (ye, ge) == (yt, gt)
    else:
        assert_same(ye, yt.detach(), rtol=1e-12)
        assert_same(ge, gt, rtol=1e-12)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("include_last_offset", [False, True])
@pytest.mark.parametrize("padding_idx", [None, 2, -1])
def test_embedding_bag_empty_bags_ties_and_last_offset(mode, include_last_offset, padding_idx):
    rng = np.random.default_rng(0)
    w = rng.standard_normal((10, 4))
    w[3, 1] = w[5, 1]                                         # a tie: the first row of the bag wins
    cot = rng.standard_normal((8, 4))
    idx = np.array([1, 2, 3, 5, 2, 9, 0, 3, 5, 7, 2, 2])
    # empty bags (repeated offsets), a bag of padding only; with include_last_offset the final offset (9) stops
    # short of the input, and torch's last bag still runs to its end
    off = np.array([0, 0, 3, 3, 7, 9 if include_last_offset else 12])
    _bag_both(lambda lib, wt: (lib.tensor(idx), wt, lib.tensor(off), None, 2, False, mode, False, None,
                               include_last_offset, padding_idx), w, cot)
    _bag_both(lambda lib, wt: (lib.tensor(idx.reshape(3, 4)), wt, None, None, 2, False, mode, False, None, False,
                               padding_idx), w, cot)
    _bag_both(lambda lib, wt: (lib.tensor(np.array([2, 2, 2])), wt, lib.tensor(np.array([0, 1])), None, 2, False,
                               mode, False, None, False, 2), w, cot)


@pytest.mark.parametrize("order", [[1, 0, 2], [0, 1, 2], [2, 0]])
def test_embedding_bag_max_nan_like_torch(order):
    # torch keeps a running max with ">": NaN is passed over, unless it comes first in its bag
    w = np.array([[np.nan, 0.0], [1.0, 2.0], [3.0, np.nan]])
    _bag_both(lambda lib, wt: (lib.tensor(order), wt, lib.tensor([0]), None, 2, False, "max"), w, np.ones((1, 2)))


@pytest.mark.parametrize("case", [
    lambda lib, w: (lib.tensor([1, 2, 3]), w, lib.tensor([1, 3]), None, 2, False, "max"),
    lambda lib, w: (lib.tensor([1, 2, 3]), w, lib.tensor([0, 4]), None, 2, False, "sum"),
    lambda lib, w: (lib.tensor([1, 2, 3]), w, lib.tensor([0, 2]), None, 2, True, "max"),
    lambda lib, w: (lib.tensor([1, 2, 3]), w, lib.tensor([0, 2]), None, 2, False, "max", True),
    lambda lib, w: (lib.tensor([1, 2, 3]), w, lib.tensor([0, 2]), None, 2, False, "min"),
    lambda lib, w: (lib.tensor([1, 2, 3]), w, lib.tensor([0, 2]), None, 2, False, "mean", False, lib.ones(2)),
    lambda lib, w: (lib.tensor([1, 2, 3]), w, lib.tensor([0, 2]), None, 2, False, "max", False, lib.ones(3)),
    lambda lib, w: (lib.tensor([1, 2, 3]), w[0], lib.tensor([0, 2])),
    lambda lib, w: (lib.tensor([1, 12, 3]), w, lib.tensor([0, 2]), None, 2, False, "max"),
    lambda lib, w: (lib.tensor([[[1]]]), w, None),
    lambda lib, w: (lib.tensor([1, 2]), w, None),
])
def test_embedding_bag_errors_match_torch(case):
    _bag_both(case, np.ones((10, 3)), np.ones((5, 3)))


def test_embedding_bag_max_many_bags_is_vectorised():
    rng = np.random.default_rng(0)
    w = rng.standard_normal((50, 8))
    idx = rng.integers(0, 50, 20000)
    off = np.sort(rng.choice(20000, 4000, replace=False))
    off[0] = 0
    _bag_both(lambda lib, wt: (lib.tensor(idx), wt, lib.tensor(off), None, 2, False, "max", False, None, False, 7),
              w, rng.standard_normal((4000, 8)))


def test_embedding_bag_gradcheck():
    w = ember.tensor(np.random.default_rng(5).standard_normal((6, 3)), requires_grad=True)
    psw = ember.tensor(np.random.default_rng(6).standard_normal((2, 3)), requires_grad=True)
    idx = ember.tensor([[0, 2, 5], [5, 1, 1]])
    assert ember.autograd.gradcheck(lambda t: F.embedding_bag(idx, t, mode="max"), (w,))
    assert ember.autograd.gradcheck(lambda t, p: F.embedding_bag(idx, t, mode="sum", per_sample_weights=p),
                                    (w, psw))
