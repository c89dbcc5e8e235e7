"""Complex random draws (variance 1/2 per part for normals) and the in-place samplers' dtype and parameter errors,
against torch."""
import numpy as np
import pytest
import torch

import ember

N = 100000



@pytest.mark.parametrize("name", ["randn", "randn_like", "normal_", "normal_mean_std", "normal_fn", "normal_tensor",
                                  "rand", "uniform_"])
def test_complex_draw_statistics(name):
    draws = {
        "randn": lambda m: m.randn(N, dtype=m.complex64),
        "randn_like": lambda m: m.randn_like(m.zeros(N, dtype=m.complex128)),
        "normal_": lambda m: m.zeros(N, dtype=m.complex64).normal_(),
        "normal_mean_std": lambda m: m.zeros(N, dtype=m.complex64).normal_(1.0, 2.0),
        "normal_fn": lambda m: m.normal(0.0, 2.0, (N,), dtype=m.complex64),
        "normal_tensor": lambda m: m.normal(m.zeros(N, dtype=m.complex64), 2.0),
        "rand": lambda m: m.rand(N, dtype=m.complex64),
        "uniform_": lambda m: m.zeros(N, dtype=m.complex128).uniform_(-1, 3),
    }
    stats = []
    for m in (torch, ember):
        m.manual_seed(0)
        z = draws[name](m)
        assert str(z.dtype).startswith("torch.complex")
        re, im = z.real.double().numpy() if m is torch else np.asarray(z.real.double()._data), \
            z.imag.double().numpy() if m is torch else np.asarray(z.imag.double()._data)
        stats.append((str(z.dtype), re.mean(), im.mean(), re.var(), im.var(), re.min(), im.min()))
        assert abs(np.corrcoef(re, im)[0, 1]) < 0.02          # the parts are independent
    assert stats[1][0] == stats[0][0]
    np.testing.assert_allclose(stats[1][1:5], stats[0][1:5], rtol=0.05, atol=0.02)
    np.testing.assert_allclose(stats[1][5:], stats[0][5:], atol=0.05 if name in ("rand", "uniform_") else 1.5)


DTYPES = ["int64", "int32", "int16", "int8", "uint8", "bool", "float16", "bfloat16", "float64", "complex64",
          "complex128"]
CALLS = [("uniform_", ()), ("uniform_", (2.0, 1.0)), ("normal_", ()), ("normal_", (0.0, -1.0)), ("cauchy_", ()),
         ("cauchy_", (0.0, -1.0)), ("log_normal_", ()), ("log_normal_", (0.0, 0.0)), ("geometric_", (0.5,)),
         ("geometric_", (1.0,)), ("exponential_", ()), ("exponential_", (-1.0,)), ("random_", ()),
         ("random_", (0, 5)), ("random_", (-1, 1)), ("random_", (0, 300))]


def _outcome(m, dtype, method, args):
    try:
        t = getattr(m.ones(2, dtype=getattr(m, dtype)), method)(*args)
        return "ok", str(t.dtype)
    except Exception as e:      # noqa: BLE001 - compared with torch's
        return type(e).__name__, str(e).split("\n")[0]


@pytest.mark.parametrize("dtype", DTYPES)
def test_sampler_errors_match_torch(dtype):
    for method, args in CALLS:
        assert _outcome(ember, dtype, method, args) == _outcome(torch, dtype, method, args), (method, args)


def test_factory_errors_match_torch():
    for f in (lambda m: m.normal(0.0, 1.0, (3,), dtype=m.long), lambda m: m.normal(0.0, -1.5, (3,)),
              lambda m: m.randn(3, dtype=m.int32), lambda m: m.rand(3, dtype=m.bool)):
        with pytest.raises(Exception) as et:
            f(torch)
        with pytest.raises(type(et.value), match=None) as ee:
            f(ember)
        assert str(ee.value) == str(et.value)


def test_complex_backward_is_silent_and_explicit_casts_warn_once():
    import warnings
    import ember.ops._convert as conv
    c = np.array([1 + 2j, 3j, 1], np.complex64)
    grads = []
    for m in (torch, ember):
        x = m.tensor([0.5, -1.0, 2.0], requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            (x * m.tensor(c)).abs().sum().backward()
            (x.to(m.complex64) * (1 + 1j)).real.sum().backward()
        grads.append(np.asarray(x.grad.tolist()))
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-6)
    conv._warned_complex[0] = False
    with pytest.warns(UserWarning, match="Casting complex values to real discards the imaginary part"):
        assert ember.tensor([1 + 2j]).float().tolist() == [1.0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ember.tensor([1 + 2j]).long().tolist() == [1]      # once per process, as torch
