"""Sums and means give torch's bits (torch's CPU summation order, ``ops/_sum_order.py``), so printing
``loss.item()`` shows the same digits."""
import numpy as np
import pytest
import torch

import ember

rng = np.random.default_rng(11)

SIZES = list(range(1, 40)) + [63, 64, 65, 127, 128, 129, 255, 256, 257, 1000, 1024, 4095, 4097, 32768, 32769,
                              50000, 300001]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_full_sum_and_mean_bits(dtype):
    for n in SIZES:
        x = rng.standard_normal(n).astype(dtype)
        e, t = ember.tensor(x), torch.tensor(x)
        assert e.sum().item() == t.sum().item(), n
        assert e.mean().item() == t.mean().item(), n


DIM_CASES = [((7, 13), 1), ((5, 100), -1), ((3, 4, 5), (1, 2)), ((64, 10), 0), ((64, 40), 0), ((8, 3), 0),
             ((100, 3), 0), ((1000, 33), 0), ((33, 70), 0), ((4, 5, 6), 1), ((2, 50, 16), 1), ((6, 4, 13), 1),
             ((16, 32, 8, 8), (0, 2, 3)), ((16, 32, 8, 8), 0), ((16, 32, 8, 8), (2, 3)), ((16, 32, 8, 8), (0, 1)),
             ((300, 64), 0), ((9, 7, 300), (0, 1)), ((8, 16, 5), (0, 2)), ((2, 3), 0), ((4, 1), 1)]


@pytest.mark.parametrize("shape,dim", DIM_CASES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dim_sum_and_mean_bits(shape, dim, dtype):
    x = rng.standard_normal(shape).astype(dtype)
    e, t = ember.tensor(x), torch.tensor(x)
    for keepdim in (False, True):
        np.testing.assert_array_equal(e.sum(dim, keepdim=keepdim).numpy(), t.sum(dim, keepdim=keepdim).numpy())
        np.testing.assert_array_equal(e.mean(dim, keepdim=keepdim).numpy(), t.mean(dim, keepdim=keepdim).numpy())


def test_losses_print_torch_digits():
    for n in (3, 10, 32, 100, 1000):
        a, b = rng.standard_normal((2, n)).astype(np.float32)
        for name in ("mse_loss", "l1_loss"):
            got = getattr(ember.nn.functional, name)(ember.tensor(a), ember.tensor(b)).item()
            want = getattr(torch.nn.functional, name)(torch.tensor(a), torch.tensor(b)).item()
            assert repr(got) == repr(want), (name, n)


@pytest.mark.parametrize("expr", ["v.t().sum(0)", "v.t().sum(1)", "v.t().mean()", "v.permute(2, 0, 1).sum((0, 2))",
                                  "v.permute(1, 2, 0).sum(2)", "v[:, ::2].sum(1)", "v.transpose(0, 1).sum(-1)"])
def test_views_sum_bits(expr):
    x = rng.standard_normal((6, 40) if "t()" in expr else (6, 40, 9)).astype(np.float32)
    got, want = eval(expr, {"v": ember.tensor(x)}), eval(expr, {"v": torch.tensor(x)})
    if "::2" in expr:      # a strided slice: NumPy's order, equal to rounding
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5, atol=1e-6)
    else:
        np.testing.assert_array_equal(got.numpy(), want.numpy())


def test_sum_gradient_unchanged():
    x = rng.standard_normal((6, 9)).astype(np.float32)
    e = ember.tensor(x, requires_grad=True)
    e.sum(1).sum().backward()
    np.testing.assert_array_equal(e.grad.numpy(), np.ones_like(x))


VAR_EXPRS = ["x.var()", "x.std()", "x.var(1)", "x.std(0)", "x.std(1, keepdim=True)", "x.var(unbiased=False)",
             "x.std(correction=0)", "L.std_mean(x, 1)[0]", "L.var_mean(x)[0]", "x.std(dim=(0, 1))"]


@pytest.mark.parametrize("expr", VAR_EXPRS)
def test_float32_var_std_bits(expr):
    """torch computes a float32 variance in double: ember gives the same bits (gradients still flow)."""
    for n in (2, 7, 33, 150):
        x = (rng.standard_normal((3, n)) * 2 + 1).astype(np.float32)
        got = eval(expr, {"x": ember.tensor(x), "L": ember}).numpy()
        want = eval(expr, {"x": torch.tensor(x), "L": torch}).numpy()
        np.testing.assert_array_equal(got, want)
    xe = ember.tensor([1.0, 2.0, 4.0], requires_grad=True)
    xt = torch.tensor([1.0, 2.0, 4.0], requires_grad=True)
    eval(expr.replace("x.", "x.view(1, 3).").replace("(x,", "(x.view(1, 3),"), {"x": xe, "L": ember}).sum().backward()
    eval(expr.replace("x.", "x.view(1, 3).").replace("(x,", "(x.view(1, 3),"), {"x": xt, "L": torch}).sum().backward()
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), rtol=1e-6, atol=1e-7)
