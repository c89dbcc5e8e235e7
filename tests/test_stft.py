"""torch.stft / torch.istft against torch: values, dtypes, errors, warnings, gradients (gradcheck in float64)."""
import warnings

import numpy as np
import pytest
import torch

import ember

RNG = np.random.default_rng(0)
X1 = RNG.standard_normal(20).astype(np.float32)
XB = RNG.standard_normal((2, 20))
HANN = np.hanning(8)


def both(fn, *arrays):
    """fn(T, *tensors) on torch and ember: same values and dtype, or the same error type and message."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            out_t = fn(torch, *[torch.tensor(a) for a in arrays])
        except Exception as exc:
            with pytest.raises(type(exc)) as info:
                fn(ember, *[ember.tensor(a) for a in arrays])
            assert str(info.value) == str(exc)
            return
        out_e = fn(ember, *[ember.tensor(a) for a in arrays])
    assert str(out_e.dtype) == str(out_t.dtype) and tuple(out_e.shape) == tuple(out_t.shape)
    np.testing.assert_allclose(out_e.detach().numpy(), out_t.detach().numpy(), rtol=1e-5, atol=1e-5)


STFT_KW = [{}, {"hop_length": 3}, {"win_length": 6}, {"center": False}, {"pad_mode": "constant"},
           {"normalized": True}, {"onesided": False}]


@pytest.mark.parametrize("kw", STFT_KW, ids=str)
def test_stft_values(kw):
    both(lambda T, x: T.stft(x, 8, return_complex=True, **kw), X1)
    both(lambda T, x, w: T.stft(x, 8, window=w[:kw.get("win_length", 8)], return_complex=True, **kw), XB, HANN)


def test_stft_real_output_and_complex_input():
    both(lambda T, x, w: T.stft(x, 8, 2, 6, w, return_complex=False), XB, HANN[:6])
    both(lambda T, x, w: T.stft(x.to(T.complex128), 8, window=w, return_complex=True), XB, HANN)
    both(lambda T, x: x.stft(8, return_complex=True), X1)


@pytest.mark.parametrize("case", range(8))
def test_stft_errors(case):
    fn = [lambda T, x: T.stft(x, 4),
          lambda T, x: T.stft(x, 40, return_complex=True),
          lambda T, x: T.stft(x, 40, center=False, return_complex=True),
          lambda T, x: T.stft(x, 4, hop_length=0, return_complex=True),
          lambda T, x: T.stft(x, 4, win_length=5, return_complex=True),
          lambda T, x: T.stft(x, 4, window=T.ones(3), return_complex=True),
          lambda T, x: T.stft(x.long(), 4, return_complex=True),
          lambda T, x: T.stft(x.to(T.complex64), 4, onesided=True, return_complex=True)][case]
    both(fn, X1)


def test_stft_warns_without_window():
    with pytest.warns(UserWarning, match="A window was not provided"):
        ember.stft(ember.tensor(X1), 8, return_complex=True)


ISTFT_KW = [({}, {}), ({"hop_length": 3}, {"hop_length": 3}), ({"normalized": True}, {"normalized": True}),
            ({}, {"length": 18}), ({"onesided": False}, {}), ({"center": False, "hop_length": 2}, {"center": False, "hop_length": 2}),
            ({}, {"length": 25})]


@pytest.mark.parametrize("skw,ikw", ISTFT_KW, ids=str)
def test_istft_roundtrip(skw, ikw):
    both(lambda T, x, w: T.istft(T.stft(x, 8, window=w, return_complex=True, **skw), 8, window=w, **ikw), XB, HANN)


def test_istft_complex_and_errors():
    both(lambda T, x, w: T.istft(T.stft(x, 8, window=w, onesided=False, return_complex=True), 8, window=w,
                                 return_complex=True), X1, HANN.astype(np.float32))
    both(lambda T, x, w: T.istft(T.stft(x, 8, window=w, return_complex=True).real, 8, window=w), X1, HANN)
    both(lambda T, x, w: T.istft(T.stft(x, 8, window=w, return_complex=True), 8, window=w, return_complex=True),
         X1, HANN)


def test_gradients():
    X = ember.tensor(XB, requires_grad=True)
    W = ember.tensor(HANN)
    spec = lambda x: ember.view_as_real(ember.stft(x, 8, hop_length=3, window=W, return_complex=True))
    inv = lambda x: ember.istft(ember.stft(x, 8, hop_length=3, window=W, return_complex=True), 8, hop_length=3, window=W)
    assert ember.autograd.gradcheck(spec, (X,)) and ember.autograd.gradgradcheck(spec, (X,))
    assert ember.autograd.gradcheck(inv, (X,)) and ember.autograd.gradgradcheck(inv, (X,))
    # against torch for a random cotangent, with the window as a leaf too
    Xt, Wt = torch.tensor(XB, requires_grad=True), torch.tensor(HANN, requires_grad=True)
    W.requires_grad_(True)
    g = RNG.standard_normal((2, 5, 7, 2))
    torch.autograd.backward(torch.view_as_real(torch.stft(Xt, 8, 3, window=Wt, return_complex=True)), torch.tensor(g))
    ember.autograd.backward(ember.view_as_real(ember.stft(X, 8, 3, window=W, return_complex=True)), ember.tensor(g))
    np.testing.assert_allclose(X.grad.numpy(), Xt.grad.numpy(), rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(W.grad.numpy(), Wt.grad.numpy(), rtol=1e-7, atol=1e-10)
