"""Pooling layers and functions against torch: values, indices, gradients, gradcheck, repr, errors."""
import numpy as np
import pytest
import torch

import ember
from helpers import assert_same, check_against_torch

TF = torch.nn.functional
EF = ember.nn.functional
rng = np.random.default_rng(0)


def _both(fn_name, x, *args, tol=(1e-10, 1e-12), **kw):
    """Compare ember and torch ``F.<fn_name>`` on ``x``: outputs (values and indices) and input gradients."""
    return check_against_torch(lambda a: getattr(EF, fn_name)(a, *args, **kw),
                               lambda a: getattr(TF, fn_name)(a, *args, **kw), [x], rtol=tol[0], atol=tol[1])


MAX_CASES = [
    ("max_pool1d", (2, 3, 9), (3, 2, 1), {}),
    ("max_pool1d", (3, 10), (4, 3, 2), dict(ceil_mode=True, dilation=2)),
    ("max_pool2d", (2, 3, 7, 8), (3, 2, 1), {}),
    ("max_pool2d", (1, 2, 7, 8), ((3, 2), (2, 1), (1, 1)), dict(dilation=(2, 1), ceil_mode=True)),
    ("max_pool2d", (3, 7, 5), (2,), {}),
    ("max_pool2d", (2, 2, 9, 9), (3,), dict(stride=1)),
    ("max_pool3d", (2, 2, 5, 6, 7), (3, 2, 1), dict(ceil_mode=True)),
    ("max_pool3d", (1, 2, 4, 5, 6), ((2, 3, 2),), {}),
]


@pytest.mark.parametrize("fn,shape,args,kw", MAX_CASES)
@pytest.mark.parametrize("return_indices", [False, True])
def test_max_pool_matches_torch(fn, shape, args, kw, return_indices):
    _both(fn, rng.standard_normal(shape), *args, return_indices=return_indices, **kw)
    _both(fn, rng.standard_normal(shape).astype(np.float32), *args, return_indices=return_indices,
          tol=(1e-6, 1e-6), **kw)


def test_max_pool_ties_nan_and_all_inf_windows():
    # ties pick the first position; a NaN wins; a window of -inf picks its first real position
    rows = [[1.0, 1.0, 1.0, 1.0], [np.nan, 1.0, np.nan, 2.0], [-np.inf] * 4, [2.0, 5.0, 5.0, -1.0]]
    x = np.array(rows)[None, :, None, :]
    for args in [((1, 4),), ((1, 2), (1, 1), (0, 1)), ((1, 3), (1, 2), (0, 1))]:
        check_against_torch(lambda a: EF.max_pool2d(a, *args, return_indices=True),
                            lambda a: TF.max_pool2d(a, *args, return_indices=True), [x], grad=False)


def test_max_pool_overlapping_windows_gradient_sums():
    x = np.zeros((1, 1, 5, 5))
    x[0, 0, 2, 2] = 1.0   # the max of every 3x3 window with stride 1
    _both("max_pool2d", x, 3, 1)


def test_max_pool_gradcheck_and_double_backward():
    x = ember.tensor(rng.standard_normal((1, 2, 5, 4)), requires_grad=True)
    f = lambda a: EF.max_pool2d(a, 2, 1, 1, ceil_mode=True)  # noqa: E731
    assert ember.autograd.gradcheck(f, [x])
    assert ember.autograd.gradgradcheck(f, [x])


AVG_CASES = [
    ("avg_pool1d", (2, 3, 9), (3, 2, 1), {}),
    ("avg_pool1d", (3, 10), (4, 3, 2), dict(ceil_mode=True, count_include_pad=False)),
    ("avg_pool2d", (2, 3, 7, 8), (3, 2, 1), {}),
    ("avg_pool2d", (2, 3, 7, 8), (3, 2, 1), dict(ceil_mode=True)),
    ("avg_pool2d", (2, 3, 7, 8), ((3, 2), (2, 3), (1, 1)), dict(ceil_mode=True, count_include_pad=False)),
    ("avg_pool2d", (1, 2, 7, 8), (3, 2, 1), dict(divisor_override=5)),
    ("avg_pool2d", (3, 6, 6), (2,), {}),
    ("avg_pool3d", (2, 2, 5, 6, 7), (3, 2, 1), dict(ceil_mode=True, count_include_pad=False)),
    ("avg_pool3d", (1, 2, 4, 5, 6), (2,), dict(divisor_override=3)),
]


@pytest.mark.parametrize("fn,shape,args,kw", AVG_CASES)
def test_avg_pool_matches_torch(fn, shape, args, kw):
    _both(fn, rng.standard_normal(shape), *args, **kw)
    _both(fn, rng.standard_normal(shape).astype(np.float32), *args, tol=(1e-5, 1e-6), **kw)


def test_avg_pool_gradcheck_and_double_backward():
    x = ember.tensor(rng.standard_normal((1, 2, 5, 4)), requires_grad=True)
    f = lambda a: EF.avg_pool2d(a, 3, 2, 1, ceil_mode=True, count_include_pad=False)  # noqa: E731
    assert ember.autograd.gradcheck(f, [x])
    assert ember.autograd.gradgradcheck(f, [x])


@pytest.mark.parametrize("fn,shape,out", [
    ("adaptive_avg_pool1d", (2, 3, 7), 3), ("adaptive_avg_pool1d", (3, 8), 4),
    ("adaptive_avg_pool2d", (2, 3, 7, 9), (3, 4)), ("adaptive_avg_pool2d", (2, 3, 7, 9), 1),
    ("adaptive_avg_pool2d", (2, 3, 8, 6), (4, 3)), ("adaptive_avg_pool2d", (3, 7, 9), (None, 5)),
    ("adaptive_avg_pool2d", (1, 2, 3, 4), (5, 6)), ("adaptive_avg_pool3d", (1, 2, 5, 6, 7), (2, 4, 3)),
])
def test_adaptive_avg_pool_matches_torch(fn, shape, out):
    _both(fn, rng.standard_normal(shape), out)
    _both(fn, rng.standard_normal(shape).astype(np.float32), out, tol=(1e-5, 1e-6))


@pytest.mark.parametrize("fn,shape,out", [
    ("adaptive_max_pool1d", (2, 3, 7), 3), ("adaptive_max_pool2d", (2, 3, 7, 9), (3, 4)),
    ("adaptive_max_pool2d", (3, 7, 9), (None, 2)), ("adaptive_max_pool2d", (1, 2, 3, 4), (5, 6)),
    ("adaptive_max_pool3d", (1, 2, 5, 6, 7), (2, 4, 3)),
])
@pytest.mark.parametrize("return_indices", [False, True])
def test_adaptive_max_pool_matches_torch(fn, shape, out, return_indices):
    _both(fn, rng.standard_normal(shape), out, return_indices=return_indices)


def test_adaptive_pool_gradcheck():
    x = ember.tensor(rng.standard_normal((1, 2, 5, 4)), requires_grad=True)
    assert ember.autograd.gradcheck(lambda a: EF.adaptive_avg_pool2d(a, (3, 3)), [x])
    assert ember.autograd.gradcheck(lambda a: EF.adaptive_max_pool2d(a, (3, 3)), [x])
    assert ember.autograd.gradgradcheck(lambda a: EF.adaptive_max_pool2d(a, (2, 3)), [x])


@pytest.mark.parametrize("fn,shape,args", [
    ("lp_pool1d", (2, 3, 9), (2, 3)), ("lp_pool1d", (2, 3, 9), (3.0, 3, 2)),
    ("lp_pool2d", (2, 3, 7, 8), (2, 3, 2)), ("lp_pool2d", (2, 3, 7, 8), (1.5, (2, 3))),
    ("lp_pool3d", (1, 2, 4, 5, 6), (2, 2)),
])
def test_lp_pool_matches_torch(fn, shape, args):
    x = rng.standard_normal(shape)
    if args[0] == 1.5:
        x = np.abs(x) + 0.1
    _both(fn, x, *args, tol=(1e-9, 1e-10))
    xe = ember.tensor(np.abs(x[:1, :1]) + 0.1, requires_grad=True)   # a negative window sum has no real root
    assert ember.autograd.gradcheck(lambda a: getattr(EF, fn)(a, *args), [xe])


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_max_unpool_round_trip_matches_torch(nd):
    shape = (2, 3) + (6, 4, 4)[:nd]
    x = rng.standard_normal(shape)
    pool_e = getattr(ember.nn, f"MaxPool{nd}d")(2, return_indices=True)
    pool_t = getattr(torch.nn, f"MaxPool{nd}d")(2, return_indices=True)
    unpool_e, unpool_t = getattr(ember.nn, f"MaxUnpool{nd}d")(2), getattr(torch.nn, f"MaxUnpool{nd}d")(2)
    ve, ie = pool_e(ember.tensor(x))
    vt, it = pool_t(torch.tensor(x))
    ve = ve.detach().requires_grad_()
    vt = vt.detach().requires_grad_()
    for size in (None, shape):
        ye = unpool_e(ve, ie, output_size=size)
        yt = unpool_t(vt, it, output_size=size)
        assert_same(ye, yt)
        g = rng.standard_normal(tuple(yt.shape))
        assert_same(ember.autograd.grad(ye, ve, ember.tensor(g))[0], torch.autograd.grad(yt, vt, torch.tensor(g))[0])


@pytest.mark.parametrize("make", [
    "MaxPool1d(3, 2, 1, return_indices=True)", "MaxPool2d(2)",
    "MaxPool2d((3, 2), stride=1, dilation=2, ceil_mode=True)",
    "MaxPool3d(2, padding=1)", "AvgPool1d(3)", "AvgPool1d(3, 2, 1, ceil_mode=True)", "AvgPool2d(3, ceil_mode=True)",
    "AvgPool2d((2, 3), stride=(1, 2), padding=1, count_include_pad=False)", "AvgPool3d(2, divisor_override=2)",
    "MaxUnpool1d(3, 2)", "MaxUnpool2d(2)", "MaxUnpool3d((2, 1, 2), padding=1)", "AdaptiveAvgPool1d(3)",
    "AdaptiveAvgPool2d((None, 3))", "AdaptiveAvgPool3d(2)", "AdaptiveMaxPool1d(4, return_indices=True)",
    "AdaptiveMaxPool2d(3)", "AdaptiveMaxPool3d((1, 2, 3))", "LPPool1d(2.5, 3, 2)", "LPPool2d(2, 3)",
    "LPPool3d(1, (2, 2, 1))",
])
def test_pool_repr_matches_torch(make):
    assert repr(eval("ember.nn." + make)) == repr(eval("torch.nn." + make))


@pytest.mark.parametrize("name,make_layer,shape", [
    ("max", lambda nn: nn.MaxPool2d(3, 2, 1, ceil_mode=True), (2, 3, 8, 7)),
    ("max_idx", lambda nn: nn.MaxPool1d(2, return_indices=True), (2, 3, 8)),
    ("avg", lambda nn: nn.AvgPool3d(2, 1, 1, count_include_pad=False), (1, 2, 4, 4, 3)),
    ("adaptive", lambda nn: nn.AdaptiveAvgPool2d((2, 3)), (2, 3, 7, 7)),
    ("adaptive_max", lambda nn: nn.AdaptiveMaxPool2d(3, return_indices=True), (2, 3, 7, 7)),
    ("lp", lambda nn: nn.LPPool2d(2, 2), (2, 3, 6, 6)),
])
def test_pool_layers_match_torch(name, make_layer, shape):
    x = rng.standard_normal(shape).astype(np.float32)
    check_against_torch(make_layer(ember.nn), make_layer(torch.nn), [x], rtol=1e-5, atol=1e-6)


def _same_error(fe, ft, exc=RuntimeError):
    with pytest.raises(exc) as e_err:
        fe()
    with pytest.raises(exc) as t_err:
        ft()
    assert str(e_err.value) == str(t_err.value)


@pytest.mark.parametrize("call", [
    "max_pool2d(x4, 3, padding=2)", "max_pool2d(small, 3)", "max_pool2d(x2, 2)", "max_pool2d(x4, 0)",
    "max_pool2d(x4, 2, stride=0)", "max_pool2d(x4, 2, dilation=0)", "max_pool3d(x5, 3, padding=2)",
    "max_pool3d(small5, 3)", "max_pool1d(x1, 2)",
    "avg_pool2d(x4, 3, padding=2)", "avg_pool2d(small, 3)", "avg_pool2d(x4, 2, divisor_override=0)",
    "avg_pool1d(x1, 2)", "avg_pool1d(small3, 3)", "avg_pool3d(x5, 3, padding=2)", "avg_pool3d(small5, 3)",
    "adaptive_avg_pool2d(x2, 2)", "adaptive_avg_pool3d(x2, 2)", "adaptive_avg_pool1d(x1, 2)",
    "adaptive_max_pool2d(x2, 2)", "adaptive_max_pool1d(x1, 2)", "adaptive_max_pool2d(empty, 2)",
    "adaptive_avg_pool2d(x4.long(), 2)",
    "max_unpool2d(v, idx_big, 2)", "max_unpool2d(v, idx.int(), 2)", "max_unpool2d(v, idx[..., :1], 2)",
])
def test_pool_errors_match_torch(call):
    def env(lib):
        return dict(x4=lib.ones(1, 3, 8, 8), x5=lib.ones(1, 3, 8, 8, 8), x2=lib.ones(3, 8), x1=lib.ones(8),
                    small=lib.ones(1, 3, 2, 2), small5=lib.ones(1, 3, 2, 2, 2), small3=lib.ones(1, 3, 2),
                    empty=lib.ones(1, 3, 0, 8), v=lib.ones(1, 3, 2, 2),
                    idx=lib.zeros(1, 3, 2, 2, dtype=lib.int64), idx_big=lib.full((1, 3, 2, 2), 20, dtype=lib.int64))
    exc = NotImplementedError if "long()" in call else RuntimeError
    _same_error(lambda: eval("F." + call, {"F": EF}, env(ember)), lambda: eval("F." + call, {"F": TF}, env(torch)),
                exc)


def test_max_unpool_output_size_error_matches_torch():
    _same_error(lambda: EF.max_unpool2d(ember.ones(1, 3, 2, 2), ember.zeros(1, 3, 2, 2, dtype=ember.int64), 2,
                                        output_size=(9, 9)),
                lambda: TF.max_unpool2d(torch.ones(1, 3, 2, 2), torch.zeros(1, 3, 2, 2, dtype=torch.int64), 2,
                                        output_size=(9, 9)), ValueError)


def test_max_pool_indices_dtype_and_grad_fn():
    v, i = EF.max_pool2d(ember.randn(1, 2, 4, 4, requires_grad=True), 2, return_indices=True)
    assert i.dtype is ember.int64 and not i.requires_grad
    assert v.requires_grad


@pytest.mark.parametrize("fn,args", [("max_pool2d", (2,)), ("avg_pool2d", (2,)), ("adaptive_avg_pool2d", (2,)),
                                     ("adaptive_max_pool2d", (2,))])
def test_pool_empty_batch_matches_torch(fn, args):
    _both(fn, np.ones((0, 3, 5, 5)), *args)
