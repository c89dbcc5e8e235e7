"""Activations: forward and backward against torch (including the kinks), gradcheck, in-place, modules, repr."""
import numpy as np
import pytest
import torch

import ember
import ember.nn.functional as F
from helpers import assert_same, check_against_torch

TF = torch.nn.functional

# name, kwargs; every function is f(x, **kwargs)
CASES = [
    ("relu", {}), ("relu6", {}), ("leaky_relu", {}), ("leaky_relu", {"negative_slope": 0.2}),
    ("elu", {}), ("elu", {"alpha": 0.5}), ("selu", {}), ("celu", {"alpha": 2.0}),
    ("gelu", {}), ("gelu", {"approximate": "tanh"}), ("silu", {}), ("mish", {}), ("sigmoid", {}), ("tanh", {}),
    ("hardtanh", {}), ("hardtanh", {"min_val": -2.0, "max_val": 0.5}), ("hardsigmoid", {}), ("hardswish", {}),
    ("softplus", {}), ("softplus", {"beta": 2.0, "threshold": 1.0}), ("softsign", {}), ("softshrink", {}),
    ("softshrink", {"lambd": 1.0}), ("hardshrink", {}), ("hardshrink", {"lambd": 1.0}), ("tanhshrink", {}),
    ("threshold", {"threshold": 0.5, "value": -3.0}), ("logsigmoid", {}), ("glu", {}), ("glu", {"dim": 0}),
    ("softmax", {"dim": 1}), ("softmax", {"dim": 0}), ("log_softmax", {"dim": -1}), ("softmin", {"dim": 1}),
    ("rrelu", {}),
]

# values on every kink torch fixes by convention
KINKS = np.array([-6.0, -3.0, -2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0, 6.0, 20.0, -20.0], np.float64)


def _inputs(dtype, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((4, 6)) * 3
    x.reshape(-1)[:KINKS.size] = KINKS
    return x.astype(dtype)


@pytest.mark.parametrize("name,kw", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_against_torch(name, kw, dtype):
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-12)
    check_against_torch(lambda x: getattr(F, name)(x, **kw), lambda x: getattr(TF, name)(x, **kw),
                        [_inputs(dtype)], **tol)


@pytest.mark.parametrize("name,kw", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_gradcheck(name, kw):
    rng = np.random.default_rng(1)
    x = ember.tensor(rng.standard_normal((2, 4)) * 2 + 0.1, dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(lambda t: getattr(F, name)(t, **kw), (x,))


@pytest.mark.parametrize("name", ["gelu", "elu", "softplus", "logsigmoid", "hardswish", "silu",
                                  "mish", "selu", "celu"])
def test_double_backward(name):
    x = np.random.default_rng(2).standard_normal((3, 5))
    xe = ember.tensor(x, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    (ge,) = ember.autograd.grad(getattr(F, name)(xe).sum(), xe, create_graph=True)
    (gt,) = torch.autograd.grad(getattr(TF, name)(xt).sum(), xt, create_graph=True)
    (gge,) = ember.autograd.grad((ge * ge).sum(), xe)
    (ggt,) = torch.autograd.grad((gt * gt).sum(), xt)
    assert_same(gge, ggt, rtol=1e-9, atol=1e-10)


def test_prelu():
    x = _inputs(np.float64).reshape(4, 6)
    for w in (np.array([0.25]), np.linspace(-1, 1, 6)):
        check_against_torch(F.prelu, TF.prelu, [x, w], rtol=1e-10, atol=1e-12)
    x3 = np.random.default_rng(0).standard_normal((2, 3, 4))
    check_against_torch(F.prelu, TF.prelu, [x3, np.array([0.1, 0.2, 0.3])], rtol=1e-10, atol=1e-12)
    xe = ember.tensor(x3, requires_grad=True)
    we = ember.tensor([0.1, 0.2, 0.3], dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(F.prelu, (xe, we))
    with pytest.raises(RuntimeError, match="Mismatch of parameter numbers and input channel size. Found parameter "
                                           "numbers = 3 and channel size = 6."):
        F.prelu(ember.ones(4, 6), ember.ones(3))


def test_rrelu_training_slopes_in_range():
    x = ember.full((1000,), -1.0)
    y = F.rrelu(x, 0.1, 0.3, training=True)
    assert float(y.max()) <= -0.1 and float(y.min()) >= -0.3
    assert float(F.rrelu(ember.tensor([-2.0, 3.0]), 0.1, 0.3)[0]) == pytest.approx(-0.4)


@pytest.mark.parametrize("name", ["relu", "relu6", "leaky_relu", "elu", "selu", "celu", "silu", "mish",
                                  "hardtanh", "hardsigmoid", "hardswish", "threshold"])
def test_inplace(name):
    kw = {"threshold": 0.5, "value": -1.0} if name == "threshold" else {}
    x = _inputs(np.float32)
    base_e = ember.tensor(x, requires_grad=True)
    base_t = torch.tensor(x, requires_grad=True)
    ye = base_e * 1.0
    yt = base_t * 1.0
    oe = getattr(F, name)(ye, inplace=True, **kw)
    ot = getattr(TF, name)(yt, inplace=True, **kw)
    assert oe is ye
    assert_same(ye, yt)
    (oe * oe).sum().backward()
    (ot * ot).sum().backward()
    assert_same(base_e.grad, base_t.grad, rtol=1e-5, atol=1e-5)


def test_glu_error():
    with pytest.raises(RuntimeError, match="Halving dimension must be even, but dimension 1 is size 5"):
        F.glu(ember.ones(3, 5))


def test_large_logits_stable():
    x = ember.tensor([-1e4, 1e4, 0.0], requires_grad=True)
    for f in (F.logsigmoid, F.softplus, F.mish, F.silu, F.gelu, F.elu, F.selu):
        y = f(x)
        y.sum().backward()
        assert bool(ember.isfinite(y).all()) and bool(ember.isfinite(x.grad).all()), f.__name__
        x.grad = None


MODULES = [
    ("ReLU", (), {}), ("ReLU", (), {"inplace": True}), ("ReLU6", (), {}), ("ReLU6", (True,), {}),
    ("LeakyReLU", (), {}), ("LeakyReLU", (0.2, True), {}), ("PReLU", (), {}), ("PReLU", (3,), {}),
    ("RReLU", (), {}), ("RReLU", (0.1, 0.3, True), {}), ("ELU", (), {}), ("ELU", (0.5, True), {}), ("SELU", (), {}),
    ("SELU", (True,), {}), ("CELU", (), {}), ("GELU", (), {}), ("GELU", (), {"approximate": "tanh"}),
    ("SiLU", (), {}), ("SiLU", (True,), {}), ("Mish", (), {}), ("Sigmoid", (), {}), ("Tanh", (), {}),
    ("Hardtanh", (), {}), ("Hardtanh", (-2.0, 3.0, True), {}), ("Hardsigmoid", (), {}), ("Hardswish", (), {}),
    ("Softplus", (), {}), ("Softplus", (2, 10), {}), ("Softsign", (), {}), ("Softshrink", (), {}),
    ("Softshrink", (1.5,), {}), ("Hardshrink", (), {}), ("Tanhshrink", (), {}), ("Threshold", (0.1, 20), {}),
    ("Threshold", (0.1, 20.0, True), {}), ("LogSigmoid", (), {}), ("GLU", (), {}), ("GLU", (2,), {}),
    ("Softmax", (), {"dim": 1}), ("Softmax", (), {}), ("LogSoftmax", (), {"dim": 1}), ("Softmin", (), {"dim": 0}),
    ("Softmax2d", (), {}),
]


@pytest.mark.parametrize("name,args,kw", MODULES)
def test_module_repr_and_forward(name, args, kw):
    me = getattr(ember.nn, name)(*args, **kw)
    mt = getattr(torch.nn, name)(*args, **kw)
    assert repr(me) == repr(mt)
    me.eval()
    mt.eval()
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 2)).astype(np.float32)
    if name == "PReLU" and args:
        with torch.no_grad():
            mt.weight.copy_(torch.tensor([0.1, 0.2, 0.3]))
        me.weight.data = ember.tensor([0.1, 0.2, 0.3])
    if kw.get("dim", 1) is None or (name in ("Softmax",) and not kw):
        return
    xe, xt = ember.tensor(x), torch.tensor(x)
    if getattr(mt, "inplace", False):
        xe, xt = xe.clone(), xt.clone()
    assert_same(me(xe), mt(xt))


def test_prelu_module_parameter():
    me, mt = ember.nn.PReLU(4, init=0.1), torch.nn.PReLU(4, init=0.1)
    assert_same(me.weight, mt.weight.detach())
    assert [n for n, _ in me.named_parameters()] == ["weight"]
