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
