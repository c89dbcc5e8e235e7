"""ember.nn.init: distributions (statistics on large tensors), exact fills, errors, generator reproducibility."""
import math

import numpy as np
import pytest
import torch

import ember
from ember.nn import init


def test_calculate_gain():
    for nl, param in [("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None), ("relu", None),
                      ("leaky_relu", None), ("leaky_relu", 0.2), ("selu", None)]:
        assert init.calculate_gain(nl, param) == pytest.approx(torch.nn.init.calculate_gain(nl, param))
    with pytest.raises(ValueError, match="Unsupported nonlinearity foo"):
        init.calculate_gain("foo")
    with pytest.raises(ValueError, match="negative_slope x not a valid number"):
        init.calculate_gain("leaky_relu", "x")


def test_fans():
    for shape in [(3, 4), (8, 3, 5, 5), (6, 2, 3)]:
        assert init._calculate_fan_in_and_fan_out(ember.empty(*shape)) == \
            torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(*shape))
    with pytest.raises(ValueError, match="Fan in and fan out can not be computed for tensor with fewer than 2 "
                                         "dimensions"):
        init._calculate_fan_in_and_fan_out(ember.empty(3))
    with pytest.raises(ValueError, match=r"Mode fan_avg not supported, please use one of \['fan_in', 'fan_out'\]"):
        init.kaiming_uniform_(ember.empty(3, 4), mode="fan_avg")


def _stats(t):
    a = t.detach().numpy().astype(np.float64)
    return a.mean(), a.std(), a.min(), a.max()


@pytest.mark.parametrize("shape", [(600, 500), (64, 32, 5, 5)])
def test_fan_scaled_distributions(shape):
    fan_in = shape[1] * int(np.prod(shape[2:]))
    fan_out = shape[0] * int(np.prod(shape[2:]))
    t = ember.empty(*shape)
    for fn, kw, kind, std in [
        (init.xavier_uniform_, dict(gain=2.0), "u", 2.0 * math.sqrt(2 / (fan_in + fan_out))),
        (init.xavier_normal_, dict(), "n", math.sqrt(2 / (fan_in + fan_out))),
        (init.kaiming_uniform_, dict(a=math.sqrt(5)), "u", math.sqrt(2 / 6) / math.sqrt(fan_in)),
        (init.kaiming_uniform_, dict(mode="fan_out", nonlinearity="relu"), "u", math.sqrt(2) / math.sqrt(fan_out)),
        (init.kaiming_normal_, dict(nonlinearity="relu"), "n", math.sqrt(2) / math.sqrt(fan_in)),
    ]:
        out = fn(t, **kw)
        assert out is t
        mean, s, lo, hi = _stats(t)
        assert abs(mean) < 0.01 * std * 5 and abs(s - std) < 0.01 * std
        if kind == "u":
            assert -math.sqrt(3) * std <= lo and hi <= math.sqrt(3) * std


def test_plain_distributions_and_fills():
    t = ember.empty(500, 400)
    init.uniform_(t, -2, 3)
    mean, s, lo, hi = _stats(t)
    assert lo >= -2 and hi <= 3 and abs(mean - 0.5) < 0.02 and abs(s - 5 / math.sqrt(12)) < 0.02
    init.normal_(t, 1.0, 0.5)
    mean, s, _, _ = _stats(t)
    assert abs(mean - 1) < 0.005 and abs(s - 0.5) < 0.005
    init.trunc_normal_(t, 0.0, 1.0, -1.0, 2.0)
    mean, s, lo, hi = _stats(t)
    ref = torch.nn.init.trunc_normal_(torch.empty(500, 400), 0.0, 1.0, -1.0, 2.0).numpy().astype(np.float64)
    assert lo >= -1 and hi <= 2 and abs(mean - ref.mean()) < 0.01 and abs(s - ref.std()) < 0.01
    init.constant_(t, 0.25)
    assert float(t.min()) == float(t.max()) == 0.25
    init.ones_(t)
    assert float(t.sum()) == t.numel()
    init.zeros_(t)
    assert float(t.abs().sum()) == 0
    e = init.eye_(ember.empty(3, 5))
    np.testing.assert_array_equal(e.numpy(), np.eye(3, 5))
    with pytest.raises(ValueError, match="Only tensors with 2 dimensions are supported"):
        init.eye_(ember.empty(3))


@pytest.mark.parametrize("shape,groups", [((4, 3, 3), 1), ((6, 2, 3, 3), 2), ((4, 4, 1, 3, 3), 1),
                                          ((2, 5, 3), 1)])
def test_dirac(shape, groups):
    e = init.dirac_(ember.empty(*shape), groups)
    t = torch.nn.init.dirac_(torch.empty(*shape), groups)
    np.testing.assert_array_equal(e.numpy(), t.numpy())
    with pytest.raises(ValueError, match="Only tensors with 3, 4, or 5 dimensions are supported"):
        init.dirac_(ember.empty(3, 3))


@pytest.mark.parametrize("shape", [(6, 6), (4, 9), (9, 4), (3, 2, 4)])
def test_orthogonal(shape):
    t = init.orthogonal_(ember.empty(*shape), gain=2.0).numpy().reshape(shape[0], -1).astype(np.float64)
    rows, cols = t.shape
    gram = t @ t.T if rows <= cols else t.T @ t
    np.testing.assert_allclose(gram, 4 * np.eye(min(rows, cols)), atol=1e-5)
    with pytest.raises(ValueError, match="Only tensors with 2 or more dimensions are supported"):
        init.orthogonal_(ember.empty(3))


def test_sparse():
    t = init.sparse_(ember.empty(20, 300), 0.3, std=0.05).numpy()
    assert np.all((t == 0).sum(0) >= 6) and abs(t[t != 0].std() - 0.05) < 0.005


def test_generator_and_no_grad():
    g1, g2 = ember.Generator().manual_seed(7), ember.Generator().manual_seed(7)
    a = init.kaiming_normal_(ember.empty(5, 5), generator=g1)
    b = init.kaiming_normal_(ember.empty(5, 5), generator=g2)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    p = ember.nn.Parameter(ember.empty(3, 3))
    v = p._version
    init.xavier_uniform_(p)
    assert p.requires_grad and p.grad_fn is None and p._version > v
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        init.kaiming_uniform_(ember.empty(0, 3))
