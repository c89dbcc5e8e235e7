"""Convolution layers and functions against torch: values, gradients, double backward, init, repr, errors."""
import math

import numpy as np
import pytest
import torch

import ember
from helpers import assert_same, check_against_torch, to_ember

TF = torch.nn.functional
EF = ember.nn.functional
rng = np.random.default_rng(0)


def _copy_params(e_mod, t_mod):
    e_mod.load_state_dict({k: to_ember(v.detach()) for k, v in t_mod.state_dict().items()})


def _compare_module(e_mod, t_mod, x, rtol=1e-5, atol=1e-5, **call):
    """Same output and same input/parameter gradients after copying torch's parameters in."""
    _copy_params(e_mod, t_mod)
    xe = ember.tensor(x, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    ye, yt = e_mod(xe, **call), t_mod(xt, **call)
    assert_same(ye, yt, rtol, atol)
    g = rng.standard_normal(tuple(yt.shape)).astype(x.dtype)
    ye.backward(ember.tensor(g))
    yt.backward(torch.tensor(g))
    assert_same(xe.grad, xt.grad, rtol, atol)
    for (name, pe), (_, pt) in zip(e_mod.named_parameters(), t_mod.named_parameters()):
        assert_same(pe.grad, pt.grad, rtol, atol)


CONV_CASES = [
    # nd, in, out, spatial, kwargs
    (1, 3, 4, (9,), dict(kernel_size=3)),
    (1, 4, 6, (10,), dict(kernel_size=2, stride=3, padding=2, dilation=2, groups=2)),
    (2, 3, 5, (7, 6), dict(kernel_size=(3, 2))),
    (2, 3, 5, (7, 8), dict(kernel_size=3, stride=2, padding=1)),
    (2, 4, 6, (9, 8), dict(kernel_size=3, stride=(2, 1), padding=(1, 2), dilation=(2, 1), groups=2)),
    (2, 4, 8, (6, 7), dict(kernel_size=3, padding=1, groups=4)),            # depthwise, multiplier 2
    (2, 3, 4, (7, 6), dict(kernel_size=4, padding="same", dilation=(1, 2))),  # even kernel: asymmetric pad
    (2, 3, 4, (7, 6), dict(kernel_size=3, padding="valid", bias=False)),
    (2, 3, 4, (7, 6), dict(kernel_size=3, padding=2, padding_mode="reflect")),
    (2, 3, 4, (7, 6), dict(kernel_size=(3, 2), padding=(1, 2), padding_mode="replicate", stride=2)),
    (2, 3, 4, (7, 6), dict(kernel_size=3, padding=1, padding_mode="circular")),
    (2, 3, 4, (7, 6), dict(kernel_size=4, padding="same", padding_mode="circular")),
    (3, 2, 4, (5, 4, 6), dict(kernel_size=(2, 3, 2), padding=1)),
    (3, 4, 4, (5, 6, 5), dict(kernel_size=3, stride=2, padding=(1, 0, 1), groups=2)),
]


@pytest.mark.parametrize("nd,cin,cout,spatial,kw", CONV_CASES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_conv_layer_matches_torch(nd, cin, cout, spatial, kw, dtype):
    cls = f"Conv{nd}d"
    tm = getattr(torch.nn, cls)(cin, cout, **kw).to(torch.float64 if dtype == np.float64 else torch.float32)
    em = getattr(ember.nn, cls)(cin, cout, **kw)
    if dtype == np.float64:
        em = em.double()
    tol = (1e-10, 1e-10) if dtype == np.float64 else (1e-5, 1e-5)
    for batch in (2, 1):
        x = rng.standard_normal((batch, cin) + spatial).astype(dtype)
        _compare_module(em, tm, x, *tol)
    _compare_module(em, tm, rng.standard_normal((cin,) + spatial).astype(dtype), *tol)   # unbatched


TRANSPOSE_CASES = [
    (1, 3, 4, (5,), dict(kernel_size=3, stride=2, padding=1, output_padding=1)),
    (2, 3, 4, (4, 5), dict(kernel_size=(3, 2))),
    (2, 4, 6, (4, 5), dict(kernel_size=3, stride=(2, 3), padding=(1, 0), output_padding=(1, 2), groups=2)),
    (2, 4, 4, (4, 5), dict(kernel_size=3, padding=1, dilation=2, output_padding=1, bias=False)),
    (2, 4, 4, (5, 5), dict(kernel_size=3, groups=4)),
    (3, 2, 4, (3, 4, 3), dict(kernel_size=2, stride=2, padding=(0, 1, 0))),
]


@pytest.mark.parametrize("nd,cin,cout,spatial,kw", TRANSPOSE_CASES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_conv_transpose_layer_matches_torch(nd, cin, cout, spatial, kw, dtype):
    cls = f"ConvTranspose{nd}d"
    tm = getattr(torch.nn, cls)(cin, cout, **kw).to(torch.float64 if dtype == np.float64 else torch.float32)
    em = getattr(ember.nn, cls)(cin, cout, **kw)
    if dtype == np.float64:
        em = em.double()
    tol = (1e-10, 1e-10) if dtype == np.float64 else (1e-5, 1e-5)
    for batch in (2, 1):
        _compare_module(em, tm, rng.standard_normal((batch, cin) + spatial).astype(dtype), *tol)
    _compare_module(em, tm, rng.standard_normal((cin,) + spatial).astype(dtype), *tol)


def test_conv_transpose_output_size():
    tm = torch.nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1)
    em = ember.nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1)
    x = rng.standard_normal((1, 3, 4, 5)).astype(np.float32)
    _compare_module(em, tm, x, output_size=(8, 10))
    _compare_module(em, tm, x, output_size=[1, 2, 7, 9])
    with pytest.raises(ValueError) as e_err:
        em(ember.tensor(x), output_size=(12, 9))
    with pytest.raises(ValueError) as t_err:
        tm(torch.tensor(x), output_size=(12, 9))
    assert str(e_err.value) == str(t_err.value)


@pytest.mark.parametrize("fn,args", [
    ("conv2d", dict(stride=2, padding=1, dilation=1, groups=1)),
    ("conv2d", dict(stride=1, padding=(2, 1), dilation=(2, 1), groups=2)),
    ("conv1d", dict(stride=2, padding="valid", groups=1)),
    ("conv3d", dict(stride=1, padding="same", groups=1)),
    ("conv_transpose2d", dict(stride=2, padding=1, output_padding=1, groups=2)),
    ("conv_transpose1d", dict(stride=1, padding=1, output_padding=1, dilation=2)),
])
def test_conv_functional_gradcheck_and_double_backward(fn, args):
    nd = int(fn[-2])
    transposed = "transpose" in fn
    cin, cout = 4, 2
    groups = args.get("groups", 1)
    spatial = (5, 4, 4)[:nd]
    x = rng.standard_normal((2, cin) + spatial)
    wshape = (cin, cout // groups) if transposed else (cout, cin // groups)
    w = rng.standard_normal(wshape + (3, 2, 2)[:nd])
    b = rng.standard_normal(cout)
    check_against_torch(lambda *a: getattr(EF, fn)(*a, **args), lambda *a: getattr(TF, fn)(*a, **args),
                        [x, w, b], rtol=1e-10, atol=1e-10)
    f = lambda *a: getattr(EF, fn)(*a, **args)  # noqa: E731
    tiny = [ember.tensor(v, requires_grad=True) for v in
            (x[:1, :, :3, ...], w[(slice(None),) * 2 + (slice(0, 2),) * nd], b)]
    assert ember.autograd.gradcheck(f, tiny)
    assert ember.autograd.gradgradcheck(f, tiny)
    tensors = [ember.tensor(v, requires_grad=True) for v in (x, w, b)]
    # double backward equals torch's: d/d(x, w) of <grad_x, v> with create_graph
    xe, we, be = tensors
    xt, wt, bt = (torch.tensor(v, requires_grad=True) for v in (x, w, b))
    ye, yt = f(xe, we, be), getattr(TF, fn)(xt, wt, bt, **args)
    g = rng.standard_normal(tuple(yt.shape))
    gxe, gwe = ember.autograd.grad(ye, [xe, we], ember.tensor(g, requires_grad=True), create_graph=True)
    gxt, gwt = torch.autograd.grad(yt, [xt, wt], torch.tensor(g, requires_grad=True), create_graph=True)
    v1, v2 = rng.standard_normal(gxt.shape), rng.standard_normal(gwt.shape)
    se = (gxe * ember.tensor(v1)).sum() + (gwe * ember.tensor(v2)).sum()
    st = (gxt * torch.tensor(v1)).sum() + (gwt * torch.tensor(v2)).sum()
    for a, t in zip(ember.autograd.grad(se, [xe, we]), torch.autograd.grad(st, [xt, wt])):
        assert_same(a, t, 1e-10, 1e-10)


def test_conv_default_init_distribution():
    ember.manual_seed(1)
    for layer, fan_in in ((ember.nn.Conv2d(64, 32, 3), 64 * 9), (ember.nn.Conv1d(30, 200, 5, groups=5), 6 * 5),
                          (ember.nn.ConvTranspose2d(16, 64, 3, groups=2), 32 * 9)):
        w, b = layer.weight.detach().numpy(), layer.bias.detach().numpy()
        bound = 1 / math.sqrt(fan_in)   # kaiming_uniform_(a=sqrt(5)): gain sqrt(1/3) * sqrt(3 / fan_in)
        assert np.abs(w).max() <= bound and np.abs(w).max() > 0.98 * bound
        assert abs(w.mean()) < 0.02 * bound
        assert abs(w.std() - bound / math.sqrt(3)) < 0.03 * bound
        assert np.abs(b).max() <= bound
    tm, em = torch.nn.Conv3d(4, 6, (2, 3, 1)), ember.nn.Conv3d(4, 6, (2, 3, 1))
    assert em.weight.shape == tm.weight.shape and em.bias.shape == tm.bias.shape
    assert ember.nn.ConvTranspose1d(4, 6, 3, groups=2).weight.shape == (4, 3, 3)


@pytest.mark.parametrize("make", [
    "Conv1d(3, 4, 3)", "Conv1d(3, 4, 3, padding=1)", "Conv2d(3, 16, 3)", "Conv2d(3, 16, (3, 5), stride=(2, 1))",
    "Conv2d(4, 4, 3, padding='same', dilation=2, groups=4, bias=False, padding_mode='circular')",
    "Conv2d(3, 4, 3, padding='valid')", "Conv3d(2, 4, 3, stride=2, padding=(1, 0, 1))",
    "ConvTranspose1d(3, 4, 3, stride=2, output_padding=1)",
    "ConvTranspose2d(4, 6, (3, 2), stride=2, output_padding=1, groups=2, dilation=(1, 2))",
    "ConvTranspose3d(2, 2, 2, bias=False)",
])
def test_conv_repr_and_attributes(make):
    e, t = eval("ember.nn." + make), eval("torch.nn." + make)
    assert repr(e) == repr(t)
    for attr in ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "output_padding",
                 "groups", "padding_mode", "transposed", "_reversed_padding_repeated_twice"):
        assert getattr(e, attr) == getattr(t, attr), attr


def _same_error(fe, ft, exc=RuntimeError):
    with pytest.raises(exc) as e_err:
        fe()
    with pytest.raises(exc) as t_err:
        ft()
    e_msg, t_msg = str(e_err.value), str(t_err.value)
    if "{" in t_msg:   # torch prints a set of names: its order depends on string hashing
        e_msg, t_msg = e_msg.split("{")[0], t_msg.split("{")[0]
    assert e_msg == t_msg


@pytest.mark.parametrize("xs,ws,kw", [
    ((1, 2, 8, 8), (4, 3, 3, 3), {}),
    ((2, 8, 8), (4, 3, 3, 3), {}),
    ((8, 8), (4, 3, 3, 3), {}),
    ((1, 3, 2, 2), (4, 3, 3, 3), {}),
    ((1, 3, 8, 8), (4, 3, 3, 3), dict(stride=0)),
    ((1, 3, 8, 8), (4, 3, 3, 3), dict(padding=-1)),
    ((1, 3, 8, 8), (4, 3, 3, 3), dict(padding="same", stride=2)),
    ((1, 3, 8, 8), (4, 3, 3, 3), dict(padding="foo")),
    ((1, 3, 8, 8), (4, 3, 3, 3), dict(groups=2)),
    ((1, 4, 8, 8), (3, 2, 3, 3), dict(groups=2)),
    ((1, 3, 8, 8), (4, 3, 3, 3), dict(bias=3)),
    ((1, 3, 8, 8), (4, 3, 3, 3), dict(dilation=0)),
    ((1, 3, 8, 8), (4, 3, 3, 3), dict(stride=(1, 1, 1))),
])
def test_conv2d_errors_match_torch(xs, ws, kw):
    kw = dict(kw)
    x, w = np.ones(xs, np.float32), np.ones(ws, np.float32)
    eb = tb = None
    if "bias" in kw:
        n = kw.pop("bias")
        eb, tb = ember.ones(n), torch.ones(n)
    _same_error(lambda: EF.conv2d(ember.tensor(x), ember.tensor(w), eb, **kw),
                lambda: TF.conv2d(torch.tensor(x), torch.tensor(w), tb, **kw))


def test_conv_transpose_errors_match_torch():
    _same_error(lambda: EF.conv_transpose2d(ember.ones(1, 3, 8, 8), ember.ones(4, 3, 3, 3)),
                lambda: TF.conv_transpose2d(torch.ones(1, 3, 8, 8), torch.ones(4, 3, 3, 3)))
    _same_error(lambda: EF.conv_transpose2d(ember.ones(1, 4, 8, 8), ember.ones(4, 3, 3, 3), output_padding=1),
                lambda: TF.conv_transpose2d(torch.ones(1, 4, 8, 8), torch.ones(4, 3, 3, 3), output_padding=1))
    _same_error(lambda: EF.conv_transpose1d(ember.ones(1, 4, 8), ember.ones(4, 3, 3), output_padding=2, stride=2),
                lambda: TF.conv_transpose1d(torch.ones(1, 4, 8), torch.ones(4, 3, 3), output_padding=2, stride=2))
    _same_error(lambda: EF.conv_transpose3d(ember.ones(1, 4, 3, 3, 3), ember.ones(4, 3, 3, 3, 3),
                                            output_padding=(1, 2, 3), stride=2),
                lambda: TF.conv_transpose3d(torch.ones(1, 4, 3, 3, 3), torch.ones(4, 3, 3, 3, 3),
                                            output_padding=(1, 2, 3), stride=2))
    _same_error(lambda: EF.conv2d(ember.ones(1, 3, 8, 8, dtype=ember.float64), ember.ones(4, 3, 3, 3)),
                lambda: TF.conv2d(torch.ones(1, 3, 8, 8, dtype=torch.float64), torch.ones(4, 3, 3, 3)))


@pytest.mark.parametrize("kw,exc", [
    (dict(groups=0), ValueError), (dict(groups=2), ValueError), (dict(padding="foo"), ValueError),
    (dict(padding="same", stride=2), ValueError), (dict(padding_mode="zero"), ValueError),
])
def test_conv_constructor_errors_match_torch(kw, exc):
    _same_error(lambda: ember.nn.Conv2d(3, 4, 3, **kw), lambda: torch.nn.Conv2d(3, 4, 3, **kw), exc)


def test_conv_transpose_rejects_padding_mode():
    _same_error(lambda: ember.nn.ConvTranspose2d(3, 4, 3, padding_mode="reflect"),
                lambda: torch.nn.ConvTranspose2d(3, 4, 3, padding_mode="reflect"), ValueError)


def test_conv_integer_and_half_inputs():
    x = rng.integers(-3, 4, (2, 3, 5, 5))
    w = rng.integers(-2, 3, (4, 3, 3, 3))
    assert_same(EF.conv2d(ember.tensor(x), ember.tensor(w), padding=1),
                TF.conv2d(torch.tensor(x), torch.tensor(w), padding=1))
    xh, wh = x.astype(np.float16), w.astype(np.float16)
    assert_same(EF.conv2d(ember.tensor(xh), ember.tensor(wh)), TF.conv2d(torch.tensor(xh), torch.tensor(wh)),
                rtol=1e-3, atol=1e-2)


def test_conv_grad_fn_name_and_training_step():
    conv = ember.nn.Conv2d(3, 4, 3)
    y = conv(ember.randn(2, 3, 6, 6))
    assert y.grad_fn.name() == "ConvolutionBackward0"
    opt_loss = y.square().mean()
    opt_loss.backward()
    assert conv.weight.grad.shape == conv.weight.shape and conv.bias.grad.shape == (4,)


@pytest.mark.parametrize("fn,xs,ws,kw", [
    ("conv2d", (0, 3, 5, 5), (4, 3, 3, 3), dict(stride=2)), ("conv1d", (0, 2, 6), (4, 1, 3), dict(groups=2)),
    ("conv_transpose2d", (0, 3, 4, 4), (3, 2, 3, 3), dict(stride=2)),
])
def test_conv_empty_batch_matches_torch(fn, xs, ws, kw):
    check_against_torch(lambda x, w: getattr(EF, fn)(x, w, **kw), lambda x, w: getattr(TF, fn)(x, w, **kw),
                        [np.ones(xs, np.float32), np.ones(ws, np.float32)])
