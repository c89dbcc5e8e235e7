"""nn.utils: gradient clipping, parameter vectors, parametrizations, batch-norm fusion, against torch."""
import numpy as np
import pytest
import torch

import ember
from ember.nn.utils import parametrizations as P
from ember.nn.utils import parametrize
from helpers import assert_same, to_ember, to_torch


def _params(seed=0):
    g = np.random.default_rng(seed)
    arrs = [g.standard_normal((3, 4)), g.standard_normal(5)]
    pe = [ember.nn.Parameter(ember.tensor(a)) for a in arrs]
    pt = [torch.nn.Parameter(torch.tensor(a)) for a in arrs]
    for e, t, a in zip(pe, pt, arrs):
        grad = g.standard_normal(a.shape) * 3
        e.grad, t.grad = ember.tensor(grad), torch.tensor(grad)
    return pe, pt


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, float("inf")])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm(norm_type, max_norm):
    pe, pt = _params()
    ne = ember.nn.utils.clip_grad_norm_(pe, max_norm, norm_type, foreach=True)
    nt = torch.nn.utils.clip_grad_norm_(pt, max_norm, norm_type)
    assert_same(ne, nt, rtol=1e-10)
    for e, t in zip(pe, pt):
        assert_same(e.grad, t.grad, rtol=1e-10)


def test_clip_grad_nonfinite_and_value():
    pe, _ = _params()
    pe[0].grad[0, 0] = float("inf")
    with pytest.raises(RuntimeError, match="The total norm of order 2.0 for gradients from `parameters` is "
                                           "non-finite"):
        ember.nn.utils.clip_grad_norm_(pe, 1.0, error_if_nonfinite=True)
    pe, pt = _params(1)
    ember.nn.utils.clip_grad_value_(pe, 0.7)
    torch.nn.utils.clip_grad_value_(pt, 0.7)
    for e, t in zip(pe, pt):
        assert_same(e.grad, t.grad)


def test_parameters_vector_roundtrip():
    pe, pt = _params()
    ve, vt = ember.nn.utils.parameters_to_vector(pe), torch.nn.utils.parameters_to_vector(pt)
    assert_same(ve, vt.detach())
    ember.nn.utils.vector_to_parameters(ve * 2, pe)
    torch.nn.utils.vector_to_parameters(vt * 2, pt)
    for e, t in zip(pe, pt):
        assert_same(e.detach(), t.detach())


def _linear_pair(inp=4, out=3):
    mt = torch.nn.Linear(inp, out).double()
    me = ember.nn.Linear(inp, out).double()
    me.load_state_dict({k: to_ember(v.detach()) for k, v in mt.state_dict().items()})
    return me, mt


def _compare_forward_backward(me, mt, x):
    ye, yt = me(ember.tensor(x)), mt(torch.tensor(x))
    assert_same(ye, yt, rtol=1e-10, atol=1e-12)
    (ye ** 2).sum().backward()
    (yt ** 2).sum().backward()
    for (n, pe), (nt, pt) in zip(me.named_parameters(), mt.named_parameters()):
        assert n == nt
        assert_same(pe.grad, pt.grad, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("dim", [0, 1, None])
def test_weight_norm(dim):
    me, mt = _linear_pair()
    P.weight_norm(me, dim=dim)
    torch.nn.utils.parametrizations.weight_norm(mt, dim=dim)
    assert repr(me) == repr(mt)
    assert list(me.state_dict()) == list(mt.state_dict())
    _compare_forward_backward(me, mt, np.random.default_rng(0).standard_normal((5, 4)))


def test_spectral_norm():
    me, mt = _linear_pair(6, 4)
    P.spectral_norm(me)
    torch.nn.utils.parametrizations.spectral_norm(mt)
    assert list(me.state_dict()) == list(mt.state_dict())
    me.load_state_dict({k: to_ember(v.detach()) for k, v in mt.state_dict().items()})   # same u, v
    x = np.random.default_rng(0).standard_normal((5, 6))
    for mode in (True, False):
        me.train(mode)
        mt.train(mode)
        _compare_forward_backward(me, mt, x)
        assert_same(me.parametrizations.weight[0]._u, mt.parametrizations.weight[0]._u, rtol=1e-10)
    sigma = np.linalg.svd(me.weight.detach().numpy(), compute_uv=False)[0]
    assert abs(sigma - 1) < 1e-3


@pytest.mark.parametrize("shape,map_", [((4, 4), "matrix_exp"), ((4, 4), "cayley"), ((3, 6), "matrix_exp"),
                                        ((6, 3), "cayley")])
def test_orthogonal(shape, map_):
    me, mt = _linear_pair(shape[1], shape[0])
    P.orthogonal(me, orthogonal_map=map_)
    torch.nn.utils.parametrizations.orthogonal(mt, orthogonal_map=map_)
    assert list(me.state_dict())[:2] == list(mt.state_dict())[:2]
    assert_same(me.weight, mt.weight.detach(), rtol=1e-8, atol=1e-10)   # both: the QR projection of W
    w = me.weight.detach().numpy()
    gram = w @ w.T if shape[0] <= shape[1] else w.T @ w
    np.testing.assert_allclose(gram, np.eye(min(shape)), atol=1e-10)
    me(ember.randn(2, shape[1], dtype=ember.float64)).sum().backward()
    assert me.parametrizations.weight.original.grad is not None


def test_register_remove_cached():
    class Symmetric(ember.nn.Module):
        def forward(self, X):
            return X.triu() + X.triu(1).mT

        def right_inverse(self, A):
            return A.triu()

    m = ember.nn.Linear(3, 3)
    parametrize.register_parametrization(m, "weight", Symmetric())
    assert parametrize.is_parametrized(m) and parametrize.is_parametrized(m, "weight")
    assert not parametrize.is_parametrized(m, "bias")
    assert type(m).__name__ == "ParametrizedLinear"
    assert parametrize.type_before_parametrizations(m) is ember.nn.Linear
    w = m.weight
    assert bool((w == w.T).all())
    with parametrize.cached():
        assert m.weight is m.weight
    sym = ember.tensor([[1.0, 2.0, 3.0], [2.0, 4.0, 5.0], [3.0, 5.0, 6.0]])
    m.weight = sym
    assert bool((m.weight == sym).all())
    parametrize.remove_parametrizations(m, "weight")
    assert type(m) is ember.nn.Linear and isinstance(m.weight, ember.nn.Parameter)
    assert bool((m.weight == sym).all())
    with pytest.raises(ValueError, match="does not have a parametrization on weight"):
        parametrize.remove_parametrizations(m, "weight")


def test_fuse_conv_bn_weights_and_linear_bn():
    g = np.random.default_rng(0)
    cw, cb = g.standard_normal((4, 3, 3, 3)), g.standard_normal(4)
    rm, rv, bw, bb = g.standard_normal(4), g.uniform(0.5, 2, 4), g.standard_normal(4), g.standard_normal(4)
    we, be = ember.nn.utils.fuse_conv_bn_weights(*(ember.tensor(a) for a in (cw, cb, rm, rv)), 1e-5,
                                                 ember.tensor(bw), ember.tensor(bb))
    wt, bt = torch.nn.utils.fuse_conv_bn_weights(*(torch.tensor(a) for a in (cw, cb, rm, rv)), 1e-5,
                                                 torch.tensor(bw), torch.tensor(bb))
    assert_same(we.detach(), wt.detach(), rtol=1e-12)
    assert_same(be.detach(), bt.detach(), rtol=1e-12)
    le, lt = _linear_pair(4, 3)
    bne, bnt = ember.nn.BatchNorm1d(3).double(), torch.nn.BatchNorm1d(3).double()
    bnt.running_mean.copy_(torch.tensor([0.1, -0.2, 0.3]))
    bnt.running_var.copy_(torch.tensor([0.5, 2.0, 1.0]))
    bne.load_state_dict({k: to_ember(v) for k, v in bnt.state_dict().items()})
    fe = ember.nn.utils.fuse_linear_bn_eval(le.eval(), bne.eval())
    ft = torch.nn.utils.fuse_linear_bn_eval(lt.eval(), bnt.eval())
    x = g.standard_normal((2, 4))
    assert_same(fe(ember.tensor(x)), ft(torch.tensor(x)).detach(), rtol=1e-10)
    assert_same(fe(ember.tensor(x)), to_torch(bne(le(ember.tensor(x))).detach()), rtol=1e-10)
