"""torch.utils.checkpoint: gradients equal the plain run, RNG replay, warnings, graph and error behaviour."""
import warnings

import numpy as np
import pytest
import torch
import torch.utils.checkpoint as tcp

import ember
import ember.utils.checkpoint as ecp
from helpers import to_numpy


def _models(seed=0):
    """The same small MLP in both libraries."""
    torch.manual_seed(seed)
    t = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 8), torch.nn.ReLU(),
                            torch.nn.Linear(8, 3))
    e = ember.nn.Sequential(ember.nn.Linear(4, 8), ember.nn.Tanh(), ember.nn.Linear(8, 8), ember.nn.ReLU(),
                            ember.nn.Linear(8, 3))
    e.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in t.state_dict().items()})
    return t, e


def _grads(model):
    return [to_numpy(p.grad) for p in model.parameters()]


@pytest.mark.parametrize("reentrant", [True, False])
def test_gradients_match_plain_run_and_torch(reentrant):
    t, e = _models()
    xn = np.random.randn(5, 4).astype(np.float32)
    xt = torch.tensor(xn, requires_grad=True)
    xe = ember.tensor(xn, requires_grad=True)
    tcp.checkpoint(t, xt, use_reentrant=reentrant).pow(2).sum().backward()
    out = ecp.checkpoint(e, xe, use_reentrant=reentrant)
    out.pow(2).sum().backward()
    for a, b in zip(_grads(t), _grads(e)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(to_numpy(xt.grad), to_numpy(xe.grad), rtol=1e-5, atol=1e-6)
    # and equal to running without checkpointing
    plain = [p.grad.clone() for p in e.parameters()]
    e.zero_grad()
    e(xe.detach()).pow(2).sum().backward()
    for a, b in zip(plain, e.parameters()):
        np.testing.assert_allclose(to_numpy(a), to_numpy(b.grad), rtol=1e-6, atol=1e-7)


def test_graph_names_and_default_warning():
    t, e = _models()
    for lib, cp, m in ((torch, tcp, t), (ember, ecp, e)):
        x = lib.randn(2, 4, requires_grad=True)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            y = cp.checkpoint(m, x)
        msgs = [(x.category, str(x.message)) for x in w]
        assert y.grad_fn.name() == "CheckpointFunctionBackward"
        assert cp.checkpoint(m, x, use_reentrant=False).grad_fn.name() == "AddmmBackward0"
        if lib is torch:
            expected = msgs
    assert msgs == expected and "use_reentrant parameter should be passed explicitly" in msgs[0][1]


def test_non_reentrant_autograd_grad_wrt_parameters():
    t, e = _models()
    xn = np.random.randn(3, 4).astype(np.float32)
    gt = torch.autograd.grad(tcp.checkpoint(t, torch.tensor(xn), use_reentrant=False).sum(), list(t.parameters()))
    ge = ember.autograd.grad(ecp.checkpoint(e, ember.tensor(xn), use_reentrant=False).sum(), list(e.parameters()))
    for a, b in zip(gt, ge):
        np.testing.assert_allclose(to_numpy(a), to_numpy(b), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("reentrant", [True, False])
def test_dropout_mask_replayed(reentrant):
    ember.manual_seed(3)
    x = ember.randn(64, requires_grad=True)
    drop = ember.nn.Dropout(0.5)
    y = ecp.checkpoint(lambda a: drop(a) * 2, x, use_reentrant=reentrant)
    ember.randn(10)        # the global stream moves on between forward and backward
    y.sum().backward()
    mask = (y.detach() != 0).float()
    np.testing.assert_array_equal(to_numpy(x.grad), to_numpy(mask * 4))


def test_tuple_and_non_tensor_outputs_kwargs():
    w = ember.randn(3, requires_grad=True)

    def f(a, scale, *, shift=0.0):
        return a * w * scale + shift, "tag", a.sum()

    x = ember.randn(3, requires_grad=True)
    y, tag, s = ecp.checkpoint(f, x, 2.0, use_reentrant=False, shift=1.0)
    assert tag == "tag"
    (y.sum() + s).backward()
    np.testing.assert_allclose(to_numpy(x.grad), to_numpy(w.detach() * 2 + 1), rtol=1e-6)
    np.testing.assert_allclose(to_numpy(w.grad), to_numpy(x.detach() * 2), rtol=1e-6)
    x.grad = None
    y, tag = ecp.checkpoint(lambda a, k: (a * k, k), x, 3, use_reentrant=True)
    y.sum().backward()
    assert tag == 3 and np.allclose(to_numpy(x.grad), 3)
    with pytest.raises(ValueError, match="Unexpected keyword arguments: shift"):
        ecp.checkpoint(f, x, 2.0, use_reentrant=True, shift=1.0)


def test_no_grad_and_inputs_without_grad():
    lin = ember.nn.Linear(2, 2)
    with ember.no_grad():
        for r in (True, False):
            assert not ecp.checkpoint(lin, ember.randn(1, 2), use_reentrant=r).requires_grad
    with pytest.warns(UserWarning, match="None of the inputs have requires_grad=True. Gradients will be None"):
        y = ecp.checkpoint(lin, ember.randn(1, 2), use_reentrant=True)
    assert not y.requires_grad
    y = ecp.checkpoint(lin, ember.randn(1, 2), use_reentrant=False)   # parameters still get gradients
    y.sum().backward()
    assert lin.weight.grad is not None


def test_non_reentrant_second_backward_raises_and_retain_graph_works():
    x = ember.randn(4, requires_grad=True)
    y = ecp.checkpoint(lambda a: a.exp().sin(), x, use_reentrant=False).sum()
    y.backward(retain_graph=True)
    g1 = x.grad.clone()
    y.backward()
    np.testing.assert_allclose(to_numpy(x.grad), to_numpy(2 * g1), rtol=1e-6)
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_checkpoint_sequential_matches_torch():
    t, e = _models()
    xn = np.random.randn(5, 4).astype(np.float32)
    for r in (True, False):
        t.zero_grad()
        e.zero_grad()
        xt = torch.tensor(xn, requires_grad=True)
        xe = ember.tensor(xn, requires_grad=True)
        ot = tcp.checkpoint_sequential(t, 2, xt, use_reentrant=r)
        oe = ecp.checkpoint_sequential(e, 2, xe, use_reentrant=r)
        np.testing.assert_allclose(to_numpy(ot), to_numpy(oe), rtol=1e-5, atol=1e-6)
        ot.sum().backward()
        oe.sum().backward()
        for a, b in zip(_grads(t), _grads(e)):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    with pytest.warns(UserWarning, match="checkpoint_sequential: the use_reentrant parameter"):
        ecp.checkpoint_sequential(e, 2, xe)
