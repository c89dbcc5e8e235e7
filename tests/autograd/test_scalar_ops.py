"""Tensor (op) Python number: torch records these with the number on the node (ops/_scalar.py)."""
import numpy as np
import pytest
import torch

import ember

OPS = {
    "mul": lambda x: x * 1.5, "rmul": lambda x: 1.5 * x, "add": lambda x: x + 0.25, "radd": lambda x: 0.25 + x,
    "sub": lambda x: x - 0.25, "rsub": lambda x: 0.25 - x, "div": lambda x: x / 3.0, "rdiv": lambda x: 3.0 / x,
    "mul_int": lambda x: x * 3, "add_int": lambda x: x + 2, "rsub_int": lambda x: 2 - x, "rdiv_int": lambda x: 7 / x,
}


def _names(lib, f):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    fn = f(x).grad_fn
    return fn.name(), [None if n is None else n.name() for n, _ in fn.next_functions]


@pytest.mark.parametrize("op", sorted(OPS))
def test_graph_matches_torch(op):
    assert _names(ember, OPS[op]) == _names(torch, OPS[op])


ODD = {"mul": lambda x: x * 0.3, "div": lambda x: x / 0.3, "rdiv": lambda x: 0.3 / x, "add": lambda x: x + 7.1,
       "rsub": lambda x: 7.1 - x, "sub": lambda x: x - 0.3}


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32"])
@pytest.mark.parametrize("op", sorted(ODD))
def test_half_types_round_as_torch(op, dtype):
    """mul/div of half types run in float32 with the number unrounded; add/sub round the number first."""
    rng = np.random.default_rng(2)
    a = (rng.standard_normal(4000) * 10).astype(np.float32)
    res = []
    for lib in (ember, torch):
        x = lib.tensor(a).to(getattr(lib, dtype)).requires_grad_()
        y = ODD[op](x)
        (g,) = lib.autograd.grad(y, x, lib.ones_like(y) * 0.7)
        res.append((y.detach().float().numpy(), g.float().numpy()))
    for u, v in zip(*res):
        np.testing.assert_array_equal(u, v)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int64"])
@pytest.mark.parametrize("op", sorted(OPS))
def test_values_and_grads_bitwise(op, dtype):
    rng = np.random.default_rng(1)
    a = (rng.standard_normal(37) * 3 + 0.5)
    if dtype == "int64":
        a = np.round(a) + 10
    a = a.astype(dtype)
    res = []
    for lib in (ember, torch):
        x = lib.tensor(a, requires_grad=dtype.startswith("float"))
        y = OPS[op](x)
        out = [y.detach().numpy().astype("float64"), str(y.dtype)]
        if x.requires_grad:
            g = lib.autograd.grad(y.sum(), x)[0]
            out.append(g.numpy().astype("float64"))
        res.append(out)
    e, t = res
    assert e[1] == t[1]
    for u, v in zip(e[::2], t[::2]):
        np.testing.assert_array_equal(u, v)     # same rounding: c / x is reciprocal(x) * c as in torch


def test_zero_dim_and_inference():
    for lib in (ember, torch):
        x = lib.tensor(2.0, requires_grad=True)
        y = x * 3.0
        assert y.shape == () and y.item() == 6.0 and y.requires_grad
        with lib.inference_mode():
            z = x * 3.0
        assert z.is_inference() and not z.requires_grad
        with lib.no_grad():
            assert (x + 1.0).grad_fn is None


def test_self_not_saved_so_inplace_afterwards_is_allowed():
    grads = []
    for lib in (ember, torch):
        x = lib.ones(3, requires_grad=True)
        a = x * 1
        y = a * 2.0 + a / 4.0 - (1.0 - a)
        a.add_(1)
        y.sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_array_equal(*grads)


@pytest.mark.parametrize("op", ["mul", "div", "add", "rsub", "sub"])
def test_second_backward_as_torch(op):
    outcome = []
    for lib in (ember, torch):
        x = lib.ones(3, requires_grad=True)
        y = OPS[op](x).sum()
        y.backward()
        try:
            y.backward()
            outcome.append("ok")
        except RuntimeError as e:
            outcome.append(str(e)[:60])
    assert outcome[0] == outcome[1]


def test_double_backward_through_scalar_ops():
    vals = []
    for lib in (ember, torch):
        x = lib.tensor([0.5, 1.5, -2.0], dtype=lib.float64, requires_grad=True)
        y = ((x * x) * 1.5 - 0.5 / x + (2.0 - x) / 3.0).sum()
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), x)
        vals.append((g.detach().numpy(), gg.numpy()))
    for u, v in zip(*vals):
        np.testing.assert_allclose(u, v, rtol=1e-12)


def test_gradcheck_scalar_ops():
    x = ember.tensor([0.5, 1.5, -2.0], dtype=ember.float64, requires_grad=True)
    for f in OPS.values():
        assert ember.autograd.gradcheck(f, (x,))
        assert ember.autograd.gradgradcheck(f, (x,))
