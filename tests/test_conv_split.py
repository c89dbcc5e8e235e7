"""The batch-split convolution path (image ranges over the block pool's threads, one single-threaded BLAS
product each: ``ops/conv.py``) gives torch's values and gradients, forced on small layers here."""
import numpy as np
import pytest
import torch

import ember
from ember.backend import blas
from ember.ops import conv as conv_ops
from helpers import assert_same, to_ember

rng = np.random.default_rng(3)

pytestmark = pytest.mark.skipif(not blas.available(), reason="needs a BLAS whose thread count can be set per call")


@pytest.fixture
def split_everything(monkeypatch):
    """Every convolution splits its batch, one image per range, on two threads."""
    monkeypatch.setattr(conv_ops, "_SPLIT_MIN", 1)
    monkeypatch.setattr(conv_ops, "_SPLIT_CHUNK", 1)
    before = ember.get_num_threads()
    ember.set_num_threads(2)
    yield
    ember.set_num_threads(before)


CASES = [
    # nd, in, out, spatial, batch, kwargs
    (2, 4, 6, (9, 8), 5, dict(kernel_size=3, padding=1)),
    (2, 4, 6, (9, 8), 3, dict(kernel_size=3, stride=2, padding=1, bias=False)),
    (2, 4, 8, (7, 7), 4, dict(kernel_size=3, padding=1, groups=4)),
    (2, 3, 4, (7, 6), 3, dict(kernel_size=(3, 2), dilation=(2, 1), padding=(2, 0))),
    (1, 3, 5, (11,), 6, dict(kernel_size=4, stride=3)),
    (3, 2, 3, (5, 4, 6), 3, dict(kernel_size=2, padding=1)),
]


@pytest.mark.parametrize("nd,cin,cout,spatial,n,kw", CASES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_split_conv_matches_torch(split_everything, nd, cin, cout, spatial, n, kw, dtype):
    tdt = torch.float64 if dtype == np.float64 else torch.float32
    tm = getattr(torch.nn, f"Conv{nd}d")(cin, cout, **kw).to(tdt)
    em = getattr(ember.nn, f"Conv{nd}d")(cin, cout, **kw).to(ember.float64 if dtype == np.float64 else ember.float32)
    em.load_state_dict({k: to_ember(v.detach()) for k, v in tm.state_dict().items()})
    x = rng.standard_normal((n, cin) + spatial).astype(dtype)
    xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ye, yt = em(xe), tm(xt)
    tol = 1e-5 if dtype == np.float32 else 1e-10
    assert_same(ye, yt, tol, tol)
    g = rng.standard_normal(tuple(yt.shape)).astype(dtype)
    ye.backward(ember.tensor(g))
    yt.backward(torch.tensor(g))
    assert_same(xe.grad, xt.grad, tol, tol)
    for (_, pe), (_, pt) in zip(em.named_parameters(), tm.named_parameters()):
        assert_same(pe.grad, pt.grad, tol, tol)


@pytest.mark.parametrize("kw", [dict(stride=2, padding=1, output_padding=1), dict(padding=1, groups=2)])
def test_split_conv_transpose_matches_torch(split_everything, kw):
    tm = torch.nn.ConvTranspose2d(4, 6, 3, **kw)
    em = ember.nn.ConvTranspose2d(4, 6, 3, **kw)
    em.load_state_dict({k: to_ember(v.detach()) for k, v in tm.state_dict().items()})
    x = rng.standard_normal((5, 4, 6, 7)).astype(np.float32)
    xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ye, yt = em(xe), tm(xt)
    assert_same(ye, yt, 1e-5, 1e-5)
    ye.sum().backward()
    yt.sum().backward()
    assert_same(xe.grad, xt.grad, 1e-5, 1e-5)
    assert_same(em.weight.grad, tm.weight.grad, 1e-5, 1e-5)


def test_split_conv_double_backward_and_gradcheck(split_everything):
    x = ember.tensor(rng.standard_normal((3, 2, 5, 5)), requires_grad=True)
    w = ember.tensor(rng.standard_normal((3, 2, 3, 3)), requires_grad=True)
    assert ember.autograd.gradcheck(lambda a, b: ember.nn.functional.conv2d(a, b, padding=1), (x, w))
    assert ember.autograd.gradgradcheck(lambda a, b: ember.nn.functional.conv2d(a, b, stride=2), (x, w))


def test_split_conv_half_precision(split_everything):
    x = rng.standard_normal((4, 3, 6, 6)).astype(np.float32)
    w = rng.standard_normal((5, 3, 3, 3)).astype(np.float32)
    ye = ember.nn.functional.conv2d(ember.tensor(x).half(), ember.tensor(w).half(), padding=1)
    yt = torch.nn.functional.conv2d(torch.tensor(x).half(), torch.tensor(w).half(), padding=1)
    assert ye.dtype == ember.float16
    assert_same(ye, yt, 2e-3, 2e-3)


def test_split_is_taken_and_restores_blas_threads(split_everything):
    """The split path really runs (columns kept per image range), and BLAS gets its thread count back."""
    setter, getter = blas._library()
    before = getter()
    layer = ember.nn.Conv2d(2, 3, 3, padding=1)
    x = ember.randn(4, 2, 6, 6, requires_grad=True)
    y = layer(x)
    assert type(y.grad_fn.cols) is conv_ops._Chunks and len(y.grad_fn.cols.parts) == 4
    y.sum().backward()
    assert getter() == before
