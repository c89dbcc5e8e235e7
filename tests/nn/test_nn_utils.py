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
    # the normalised weight's top singular value is torch's (after a few power iterations it nears 1, but how
    # near depends on the random weights' spectral gap, so the comparison is with torch, not with 1)
    sigma = np.linalg.svd(me.weight.detach().numpy(), compute_uv=False)[0]
    sigma_t = np.linalg.svd(mt.weight.detach().numpy(), compute_uv=False)[0]
    assert abs(sigma - sigma_t) < 1e-6


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


def _copy_state(me, mt):
    me.load_state_dict({k: to_ember(v.detach()) for k, v in mt.state_dict().items()})


@pytest.mark.parametrize("shape", [(6, 3), (3, 6), (4, 4), (5, 1)])
@pytest.mark.parametrize("triv", [True, False])
def test_orthogonal_householder(shape, triv):
    me, mt = _linear_pair(shape[1], shape[0])
    P.orthogonal(me, orthogonal_map="householder", use_trivialization=triv)
    torch.nn.utils.parametrizations.orthogonal(mt, orthogonal_map="householder", use_trivialization=triv)
    assert list(me.state_dict()) == list(mt.state_dict())
    assert_same(me.weight, mt.weight.detach(), rtol=1e-9, atol=1e-11)   # QR projection of the initial W
    if not triv:   # the stored reflectors (LAPACK's geqrf with sign-fixed diagonal)
        assert_same(me.parametrizations.weight.original, mt.parametrizations.weight.original.detach(),
                    rtol=1e-9, atol=1e-11)
    _copy_state(me, mt)
    x = np.random.default_rng(0).standard_normal((5, shape[1]))
    _compare_forward_backward(me, mt, x)
    with torch.no_grad():   # away from the identity point, so every reflector matters
        o = mt.parametrizations.weight.original
        o.add_(torch.from_numpy(np.random.default_rng(1).standard_normal(tuple(o.shape))) * 0.5)
    _copy_state(me, mt)
    me.zero_grad()
    mt.zero_grad()
    _compare_forward_backward(me, mt, x)
    W = np.random.default_rng(2).standard_normal(shape)
    me.weight = ember.tensor(W)
    mt.weight = torch.tensor(W)
    if not triv or shape[0] == shape[1]:   # otherwise base is completed with random columns
        assert_same(me.weight, mt.weight.detach(), rtol=1e-9, atol=1e-11)
        assert_same(me.parametrizations.weight.original, mt.parametrizations.weight.original.detach(),
                    rtol=1e-9, atol=1e-11)
    else:
        assert_same(me.weight, mt.weight.detach(), rtol=1e-9, atol=1e-11)


def test_orthogonal_householder_gradcheck_batched_float32():
    rng = np.random.default_rng(0)
    X = ember.tensor(rng.standard_normal((2, 5, 3)), requires_grad=True)
    orth = P._Orthogonal(X, "householder", use_trivialization=False)
    assert ember.autograd.gradcheck(orth, (X,))
    Xt = torch.tensor(X.detach().numpy())
    orth_t = torch.nn.utils.parametrizations._Orthogonal(Xt, torch.nn.utils.parametrizations._OrthMaps.householder,
                                                         use_trivialization=False)
    assert_same(orth(X), orth_t(Xt), rtol=1e-10, atol=1e-12)
    # float32 batch of matrices registered on a buffer-free module
    me, mt = ember.nn.Module(), torch.nn.Module()
    w = rng.standard_normal((3, 4, 2)).astype(np.float32)
    me.w = ember.nn.Parameter(ember.tensor(w))
    mt.w = torch.nn.Parameter(torch.tensor(w))
    P.orthogonal(me, "w", use_trivialization=False)
    torch.nn.utils.parametrizations.orthogonal(mt, "w", use_trivialization=False)
    assert_same(me.w, mt.w.detach(), rtol=1e-4, atol=1e-5)
    assert_same(me.parametrizations.w.original, mt.parametrizations.w.original.detach(), rtol=1e-4, atol=1e-5)


@pytest.mark.filterwarnings("ignore:Complex modules")
def test_orthogonal_defaults_and_errors():
    for shape, expect in [((4, 4), "matrix_exp"), ((5, 3), "householder"), ((3, 5), "householder")]:
        m = ember.nn.Linear(shape[1], shape[0])
        P.orthogonal(m)
        assert m.parametrizations.weight[0].orthogonal_map == expect
    q = np.linalg.qr(np.random.default_rng(0).standard_normal((4, 4)))[0]
    m = ember.nn.Linear(4, 4, bias=False).double()
    m.weight.data = ember.tensor(q)
    P.orthogonal(m)      # already orthogonal: kept as it is (not re-projected)
    np.testing.assert_array_equal(m.parametrizations.weight[0].base.numpy(), q)

    def errors(lib, **kw):
        m = lib.nn.Linear(3, 4)
        orth = P.orthogonal if lib is ember else torch.nn.utils.parametrizations.orthogonal
        with pytest.raises(Exception) as info:
            orth(m, **kw)
        return type(info.value), str(info.value)

    assert errors(ember, orthogonal_map="qr") == errors(torch, orthogonal_map="qr")
    assert errors(ember, name="bias") == errors(torch, name="bias")
    assert errors(ember, name="nope")[0] is ValueError
    mc, mtc = ember.nn.Linear(3, 4).to(ember.complex64), torch.nn.Linear(3, 4).to(torch.complex64)
    with pytest.raises(ValueError, match="householder parametrization does not support complex") as e1:
        P.orthogonal(mc, orthogonal_map="householder")
    with pytest.raises(ValueError) as e2:
        torch.nn.utils.parametrizations.orthogonal(mtc, orthogonal_map="householder")
    assert str(e1.value) == str(e2.value)
    m = P.orthogonal(ember.nn.Linear(3, 4), orthogonal_map="cayley", use_trivialization=False)
    with pytest.raises(NotImplementedError, match="use_trivialization=False"):
        m.weight = ember.randn(4, 3)
    with pytest.raises(ValueError, match=r"Expected a matrix or batch of matrices of shape"):
        m.parametrizations.weight[0].right_inverse(ember.randn(3, 3))


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
