"""``ember.fft`` against ``torch.fft``: values, dtypes, gradients (real and complex inputs), gradcheck, errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
from helpers import assert_same, to_ember, to_torch

_RNG = np.random.default_rng(0)


def _data(shape, complex_=False, dtype=np.float64):
    x = _RNG.standard_normal(shape)
    if complex_:
        x = x + 1j * _RNG.standard_normal(shape)
        return x.astype(np.complex128 if dtype == np.float64 else np.complex64)
    return x.astype(dtype)


def _compare(name, x, tol=1e-6, **kw):
    """Same values and dtype, then the same gradient for a random cotangent (real part of a complex output)."""
    e = ember.tensor(x, requires_grad=x.dtype.kind in "fc")
    t = torch.tensor(x, requires_grad=x.dtype.kind in "fc")
    ye, yt = getattr(ember.fft, name)(e, **kw), getattr(torch.fft, name)(t, **kw)
    assert_same(ye, yt.resolve_conj(), rtol=tol, atol=tol)
    if not t.requires_grad:
        return
    cot = _data(tuple(yt.shape), yt.is_complex())
    (ye * ember.tensor(cot)).real.sum().backward() if yt.is_complex() else (ye * ember.tensor(cot)).sum().backward()
    (yt * torch.tensor(cot)).real.sum().backward() if yt.is_complex() else (yt * torch.tensor(cot)).sum().backward()
    assert_same(e.grad, t.grad.resolve_conj(), rtol=tol, atol=tol)


_ONE_D = [{}, {"n": 5}, {"n": 12}, {"dim": 0}, {"norm": "ortho"}, {"norm": "forward"}, {"n": 7, "norm": "ortho"}]


@pytest.mark.parametrize("name", ["fft", "ifft", "hfft"])
@pytest.mark.parametrize("kw", _ONE_D)
@pytest.mark.parametrize("cplx", [False, True])
def test_c2c_1d(name, kw, cplx):
    _compare(name, _data((4, 8), cplx), **kw)


@pytest.mark.parametrize("name", ["rfft", "ihfft"])
@pytest.mark.parametrize("kw", _ONE_D)
def test_r2c_1d(name, kw):
    _compare(name, _data((4, 8)), **kw)


@pytest.mark.parametrize("kw", _ONE_D + [{"n": 8}, {"n": 9}, {"n": 1}])
@pytest.mark.parametrize("m", [5, 4])
def test_irfft(kw, m):
    _compare("irfft", _data((3, m), True), **kw)


_ND = [{}, {"s": (3, 6)}, {"dim": (0, 2)}, {"s": (5, 2), "dim": (-1, 0)}, {"norm": "ortho"}, {"norm": "forward"}]


@pytest.mark.parametrize("name", ["fft2", "ifft2", "fftn", "ifftn"])
@pytest.mark.parametrize("kw", _ND)
@pytest.mark.parametrize("cplx", [False, True])
def test_c2c_nd(name, kw, cplx):
    _compare(name, _data((2, 4, 6), cplx), **kw)


@pytest.mark.parametrize("name", ["rfft2", "rfftn"])
@pytest.mark.parametrize("kw", _ND)
def test_r2c_nd(name, kw):
    _compare(name, _data((2, 4, 6)), **kw)


@pytest.mark.parametrize("name", ["irfft2", "irfftn"])
@pytest.mark.parametrize("kw", _ND + [{"s": (4, 7)}])
def test_c2r_nd(name, kw):
    _compare(name, _data((2, 4, 4), True), **kw)


@pytest.mark.parametrize("name,x", [("fft", _data(6, dtype=np.float32)), ("rfft", _data(6, dtype=np.float32)),
                                    ("ifft", _data(6, True, np.float32)), ("irfft", _data(4, True, np.float32)),
                                    ("fftn", np.arange(6).reshape(2, 3)), ("rfft", np.arange(5)),
                                    ("fft", np.array([True, False, True]))])
def test_dtypes(name, x):
    _compare(name, x, tol=1e-5)


@pytest.mark.parametrize("fn", [
    lambda F, x: F.fft(x, n=6, norm="ortho"),
    lambda F, x: F.rfft(x.real, dim=0),
    lambda F, x: F.irfft(x, n=7),
    lambda F, x: F.irfftn(x, s=(3, 4)),
    lambda F, x: F.fft2(x.real, s=(2, 5)),
    lambda F, x: F.ihfft(x.real, norm="forward"),
    lambda F, x: F.hfft(x, n=5),
])
def test_gradcheck(fn):
    # gradcheck over real numbers: the complex input is built from a real (..., 2) tensor and the complex
    # output is returned as its real and imaginary parts
    def f(a):
        y = fn(ember.fft, ember.complex(a[..., 0], a[..., 1]))
        return ember.stack([y.real, y.imag], -1) if y.is_complex() else y
    x = ember.tensor(_data((3, 4, 2)), requires_grad=True)
    assert ember.autograd.gradcheck(f, (x,))
    assert ember.autograd.gradgradcheck(f, (x,))


def test_round_trip():
    x = ember.randn(4, 10, dtype=ember.float64)
    np.testing.assert_allclose(ember.fft.irfft(ember.fft.rfft(x), n=10).numpy(), x.numpy(), atol=1e-12)
    np.testing.assert_allclose(ember.fft.ifftn(ember.fft.fftn(x)).real.numpy(), x.numpy(), atol=1e-12)


@pytest.mark.parametrize("kw", [{"n": 5}, {"n": 6, "d": 0.25}, {"n": 4, "dtype": "float64"}, {"n": 1}])
@pytest.mark.parametrize("name", ["fftfreq", "rfftfreq"])
def test_freqs(name, kw):
    ke = dict(kw, dtype=getattr(ember, kw["dtype"])) if "dtype" in kw else kw
    kt = dict(kw, dtype=getattr(torch, kw["dtype"])) if "dtype" in kw else kw
    assert_same(getattr(ember.fft, name)(**ke), getattr(torch.fft, name)(**kt))


@pytest.mark.parametrize("kw", [{}, {"dim": 0}, {"dim": (0, 1)}, {"dim": -1}])
@pytest.mark.parametrize("name", ["fftshift", "ifftshift"])
def test_shifts(name, kw):
    x = np.arange(30).reshape(5, 6)
    assert_same(getattr(ember.fft, name)(ember.tensor(x), **kw), getattr(torch.fft, name)(torch.tensor(x), **kw))
    _compare(name, _data((5, 6)), **kw)


@pytest.mark.parametrize("call", [
    lambda F, T: F.fft(T.ones(4), norm="foo"),
    lambda F, T: F.fft(T.ones(4), n=0),
    lambda F, T: F.irfft(T.ones(1, dtype=T.complex64)),
    lambda F, T: F.fft(T.ones(4), dim=2),
    lambda F, T: F.rfft(T.ones(4, dtype=T.complex64)),
    lambda F, T: F.fft2(T.ones(4, 4), s=[4]),
])
def test_errors(call):
    errs = []
    for F, T in ((ember.fft, ember), (torch.fft, torch)):
        with pytest.raises(Exception) as info:
            call(F, T)
        errs.append((type(info.value), str(info.value)))
    assert errs[0] == errs[1]


def test_import_stays_light():
    import subprocess
    import sys
    code = "import sys, ember; assert 'ember.fft' not in sys.modules; ember.fft; assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
