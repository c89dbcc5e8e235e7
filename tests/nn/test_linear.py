"""Linear, Bilinear, LazyLinear, Identity, Flatten, Unflatten against torch; default init statistics."""
import math

import numpy as np
import pytest
import torch

import ember
import ember.nn.functional as F
from helpers import assert_same, check_against_torch, to_ember


def _copy(me, mt):
    me.load_state_dict({k: to_ember(v.detach()) for k, v in mt.state_dict().items()})


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("shape", [(1, 3), (4, 3), (2, 5, 3), (3,)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_linear(bias, shape, dtype):
    mt = torch.nn.Linear(3, 4, bias=bias).to(torch.float64 if dtype == np.float64 else torch.float32)
    me = ember.nn.Linear(3, 4, bias=bias, dtype=ember.float64 if dtype == np.float64 else ember.float32)
    assert repr(me) == repr(mt)
    _copy(me, mt)
    x = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-12)
    check_against_torch(lambda x: me(x), lambda x: mt(x), [x], **tol)
    ye = me(ember.tensor(x))
    ye.sum().backward()
    yt = mt(torch.tensor(x))
    yt.sum().backward()
    for (n, pe), (_, pt) in zip(me.named_parameters(), mt.named_parameters()):
        assert_same(pe.grad, pt.grad, **tol)


def test_linear_errors_and_gradcheck():
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(2x5 and 3x4\)"):
        ember.nn.Linear(3, 4)(ember.randn(2, 5))
    x = ember.randn(2, 3, dtype=ember.float64, requires_grad=True)
    w = ember.randn(4, 3, dtype=ember.float64, requires_grad=True)
    b = ember.randn(4, dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(F.linear, (x, w, b))


@pytest.mark.parametrize("bias", [True, False])
def test_bilinear(bias):
    mt, me = torch.nn.Bilinear(2, 3, 4, bias=bias).double(), ember.nn.Bilinear(2, 3, 4, bias=bias).double()
    assert repr(me) == repr(mt)
    _copy(me, mt)
    g = np.random.default_rng(1)
    x1, x2 = g.standard_normal((5, 2)), g.standard_normal((5, 3))
    check_against_torch(lambda a, b: me(a, b), lambda a, b: mt(a, b), [x1, x2], rtol=1e-10, atol=1e-12)
    args = [ember.tensor(a, requires_grad=True) for a in (x1[:2], x2[:2], g.standard_normal((4, 2, 3)),
                                                          g.standard_normal(4))]
    assert ember.autograd.gradcheck(F.bilinear, tuple(args))


def test_lazy_linear():
    m = ember.nn.LazyLinear(4)
    assert repr(m) == repr(torch.nn.LazyLinear(4))
    y = m(ember.randn(2, 7))
    assert y.shape == (2, 4) and type(m) is ember.nn.Linear and m.in_features == 7
    assert repr(m) == repr(torch.nn.Linear(7, 4))
    assert m.weight.shape == (4, 7) and float(m.weight.abs().max()) <= 1 / math.sqrt(7)


def test_identity_flatten_unflatten():
    assert repr(ember.nn.Identity(3, k=1)) == repr(torch.nn.Identity(3, k=1))
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 5))
    for args in [(), (0, 2), (2,), (1, -2)]:
        me, mt = ember.nn.Flatten(*args), torch.nn.Flatten(*args)
        assert repr(me) == repr(mt)
        check_against_torch(lambda t: me(t), lambda t: mt(t), [x])
    for dim, sizes in [(1, (3, 1)), (-1, (5, 1)), (2, [2, 2])]:
        me, mt = ember.nn.Unflatten(dim, sizes), torch.nn.Unflatten(dim, sizes)
        assert repr(me) == repr(mt)
        check_against_torch(lambda t: me(t), lambda t: mt(t), [x])


def test_default_init_statistics():
    m = ember.nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    w = m.weight.detach().numpy()
    assert w.min() >= -bound and w.max() <= bound
    assert abs(w.mean()) < 0.01 * bound * 3
    assert abs(w.std() - bound / math.sqrt(3)) < 0.02 * bound
    b = m.bias.detach().numpy()
    assert b.min() >= -bound and b.max() <= bound
    bl = ember.nn.Bilinear(200, 30, 50)
    bb = 1 / math.sqrt(200)
    assert float(bl.weight.abs().max()) <= bb
    assert abs(float(bl.weight.std()) - bb / math.sqrt(3)) < 0.02 * bb
