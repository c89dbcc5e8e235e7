"""F.interpolate, Upsample, grid_sample and affine_grid against torch."""
import numpy as np
import pytest
import torch

import ember
from helpers import assert_same, check_against_torch

TF = torch.nn.functional
EF = ember.nn.functional
rng = np.random.default_rng(0)

MODES_2D = [("nearest", None), ("nearest-exact", None), ("bilinear", False), ("bilinear", True),
            ("bicubic", False), ("bicubic", True), ("area", None)]


@pytest.mark.parametrize("mode,align", MODES_2D)
@pytest.mark.parametrize("kw", [dict(size=(9, 4)), dict(size=5), dict(scale_factor=1.7), dict(scale_factor=(2, 0.5)),
                                dict(scale_factor=(1.3, 2.7), recompute_scale_factor=True), dict(scale_factor=3),
                                dict(size=(5, 6))])
def test_interpolate_2d_matches_torch(mode, align, kw):
    x = rng.standard_normal((2, 3, 5, 6))
    check_against_torch(lambda a: EF.interpolate(a, mode=mode, align_corners=align, **kw),
                        lambda a: TF.interpolate(a, mode=mode, align_corners=align, **kw), [x],
                        rtol=1e-10, atol=1e-12)
    check_against_torch(lambda a: EF.interpolate(a, mode=mode, align_corners=align, **kw),
                        lambda a: TF.interpolate(a, mode=mode, align_corners=align, **kw), [x.astype(np.float32)],
                        atol=1e-5)   # bicubic's negative taps cancel: float32 rounding order shows near zero


@pytest.mark.parametrize("shape,mode,kw", [
    ((2, 3, 7), "linear", dict(scale_factor=2.3)), ((2, 3, 7), "linear", dict(size=4, align_corners=True)),
    ((2, 3, 7), "nearest", dict(size=12)), ((2, 3, 7), "nearest-exact", dict(scale_factor=0.6)),
    ((2, 3, 7), "area", dict(size=3)), ((1, 2, 4, 3, 5), "trilinear", dict(scale_factor=1.5)),
    ((1, 2, 4, 3, 5), "trilinear", dict(size=(2, 5, 3), align_corners=True)),
    ((1, 2, 4, 3, 5), "nearest", dict(size=(3, 7, 4))), ((1, 2, 4, 3, 5), "area", dict(size=(2, 2, 3))),
])
def test_interpolate_1d_3d_matches_torch(shape, mode, kw):
    check_against_torch(lambda a: EF.interpolate(a, mode=mode, **kw), lambda a: TF.interpolate(a, mode=mode, **kw),
                        [rng.standard_normal(shape)], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("mode", ["nearest", "bilinear", "bicubic"])
def test_interpolate_gradcheck(mode):
    x = ember.tensor(rng.standard_normal((1, 2, 3, 4)), requires_grad=True)
    f = lambda a: EF.interpolate(a, size=(5, 3), mode=mode)  # noqa: E731
    assert ember.autograd.gradcheck(f, [x])
    assert ember.autograd.gradgradcheck(f, [x])


@pytest.mark.parametrize("make", [
    "Upsample(scale_factor=2)", "Upsample(size=(3, 4), mode='bilinear')", "Upsample(scale_factor=(2.0, 1.5))",
    "Upsample(scale_factor=1.5, mode='bicubic', align_corners=True)", "UpsamplingNearest2d(scale_factor=2)",
    "UpsamplingBilinear2d(size=7)",
])
def test_upsample_layers_match_torch(make):
    e, t = eval("ember.nn." + make), eval("torch.nn." + make)
    assert repr(e) == repr(t)
    check_against_torch(e, t, [rng.standard_normal((2, 3, 4, 5)).astype(np.float32)])


def _same_error(fe, ft, exc):
    with pytest.raises(exc) as e_err:
        fe()
    with pytest.raises(exc) as t_err:
        ft()
    assert str(e_err.value) == str(t_err.value)


@pytest.mark.parametrize("shape,kw,exc", [
    ((1, 3, 4), dict(scale_factor=2, mode="bilinear"), NotImplementedError),
    ((1, 3, 4, 4), dict(scale_factor=2, mode="linear"), NotImplementedError),
    ((1, 3, 4), dict(mode="nearest"), ValueError), ((1, 3, 4), dict(size=3, scale_factor=2), ValueError),
    ((1, 3, 4), dict(size=3, mode="foo"), NotImplementedError),
    ((1, 3, 4), dict(size=3, mode="nearest", align_corners=True), ValueError),
])
def test_interpolate_errors_match_torch(shape, kw, exc):
    _same_error(lambda: EF.interpolate(ember.ones(shape), **kw), lambda: TF.interpolate(torch.ones(shape), **kw), exc)


AA_MODES = [("bilinear", False), ("bilinear", True), ("bicubic", False), ("bicubic", True), ("lanczos", None)]
AA_SIZES = [dict(size=(5, 4)), dict(scale_factor=0.3), dict(size=(20, 15)), dict(scale_factor=(0.5, 1.7)),
            dict(size=(4, 13)), dict(scale_factor=0.37, recompute_scale_factor=True), dict(size=(17, 13))]


@pytest.mark.parametrize("mode,align", AA_MODES)
@pytest.mark.parametrize("kw", AA_SIZES)
def test_interpolate_antialias_matches_torch(mode, align, kw):
    x = rng.standard_normal((2, 3, 17, 13))

    def run(lib):
        return lambda a: lib.interpolate(a, mode=mode, align_corners=align, antialias=True, **kw)
    check_against_torch(run(EF), run(TF), [x], rtol=1e-10, atol=1e-12)
    # float32: bilinear's weights are torch's to the bit; the cubic filters' differ in the last float32 digits
    atol = 1e-7 if mode == "bilinear" else 3e-6
    check_against_torch(run(EF), run(TF), [x.astype(np.float32)], rtol=1e-5, atol=atol)


@pytest.mark.parametrize("mode", ["bilinear", "bicubic", "lanczos"])
def test_interpolate_antialias_gradcheck(mode):
    x = ember.tensor(rng.standard_normal((1, 2, 9, 7)), requires_grad=True)
    f = lambda a: EF.interpolate(a, size=(4, 3), mode=mode, antialias=True)  # noqa: E731
    assert ember.autograd.gradcheck(f, [x])
    g = lambda a: EF.interpolate(a, size=(12, 4), mode=mode, antialias=True)  # noqa: E731
    assert ember.autograd.gradcheck(g, [x])


def test_interpolate_antialias_keeps_a_new_tensor():
    x = ember.randn(1, 1, 4, 5)
    y = EF.interpolate(x, size=(4, 5), mode="bilinear", antialias=True)
    assert_same(y, torch.tensor(x.numpy()))
    y.add_(1)     # not a view of x
    assert_same(y - x, torch.ones(1, 1, 4, 5))


@pytest.mark.parametrize("shape,kw,exc", [
    ((1, 3, 6, 6), dict(size=3, mode="nearest"), ValueError), ((1, 3, 6), dict(size=3, mode="linear"), ValueError),
    ((1, 3, 6, 6), dict(size=3, mode="area"), ValueError), ((1, 3, 6), dict(size=3, mode="bilinear"), ValueError),
    ((1, 3, 6, 6, 6), dict(size=3, mode="trilinear"), ValueError),
    ((1, 3, 6, 6, 6), dict(size=3, mode="bicubic"), ValueError),
    ((1, 3, 6, 6), dict(size=3, mode="nearest-exact"), ValueError),
    ((1, 3, 6, 6), dict(size=3, mode="lanczos", align_corners=True), ValueError),
    ((1, 3, 6, 6), dict(size=(0, 3), mode="bilinear"), RuntimeError),
])
def test_interpolate_antialias_errors_match_torch(shape, kw, exc):
    _same_error(lambda: EF.interpolate(ember.ones(shape), antialias=True, **kw),
                lambda: TF.interpolate(torch.ones(shape), antialias=True, **kw), exc)


@pytest.mark.parametrize("shape,kw,exc", [
    ((1, 3, 6, 6), dict(size=3, mode="lanczos"), ValueError),
    ((1, 3, 6), dict(size=(0,), mode="linear"), RuntimeError),
    ((1, 3, 0, 6), dict(size=(2, 2), mode="nearest"), RuntimeError),
    ((1, 3, 4, 4, 4), dict(size=(2, 0, 2), mode="trilinear"), RuntimeError),
    ((1, 3, 4, 4), dict(size=(2.0, 2), mode="bilinear"), TypeError),
    ((1, 3, 4, 4), dict(size=(2, 2), recompute_scale_factor=True), ValueError),
    ((1, 3, 4, 4), dict(size=(2, 2, 2)), ValueError),
    ((1, 3, 4, 4), dict(scale_factor=(2, 2, 2)), ValueError),
])
def test_interpolate_size_errors_match_torch(shape, kw, exc):
    _same_error(lambda: EF.interpolate(ember.ones(shape), **kw), lambda: TF.interpolate(torch.ones(shape), **kw),
                exc)


@pytest.mark.parametrize("mode", ["bilinear", "nearest", "bicubic"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align", [False, True])
def test_grid_sample_matches_torch(mode, padding_mode, align):
    x = rng.standard_normal((2, 3, 5, 6))
    grid = rng.uniform(-1.4, 1.4, (2, 4, 7, 2))
    check_against_torch(lambda a, g: EF.grid_sample(a, g, mode, padding_mode, align),
                        lambda a, g: TF.grid_sample(a, g, mode, padding_mode, align), [x, grid],
                        rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
def test_grid_sample_5d_matches_torch(mode, padding_mode):
    x = rng.standard_normal((2, 2, 3, 4, 5))
    grid = rng.uniform(-1.3, 1.3, (2, 2, 3, 4, 3))
    for align in (False, True):
        check_against_torch(lambda a, g: EF.grid_sample(a, g, mode, padding_mode, align),
                            lambda a, g: TF.grid_sample(a, g, mode, padding_mode, align), [x, grid],
                            rtol=1e-9, atol=1e-10)


def test_grid_sample_gradcheck():
    x = ember.tensor(rng.standard_normal((1, 2, 3, 4)), requires_grad=True)
    g = ember.tensor(rng.uniform(-0.9, 0.9, (1, 2, 3, 2)), requires_grad=True)
    for mode in ("bilinear", "bicubic"):
        assert ember.autograd.gradcheck(lambda a, b: EF.grid_sample(a, b, mode, align_corners=False), [x, g])


@pytest.mark.parametrize("size,align", [((2, 3, 4, 5), False), ((2, 3, 4, 5), True), ((2, 1, 3, 1), False),
                                        ((2, 3, 2, 4, 3), False), ((2, 3, 2, 4, 3), True)])
def test_affine_grid_matches_torch(size, align):
    nd = len(size) - 2
    theta = rng.standard_normal((2, nd, nd + 1))
    check_against_torch(lambda t: EF.affine_grid(t, size, align), lambda t: TF.affine_grid(t, size, align), [theta],
                        rtol=1e-12, atol=1e-12)


def test_affine_grid_then_grid_sample_identity():
    x = ember.randn(1, 2, 4, 5)
    theta = ember.tensor([[[1.0, 0, 0], [0, 1.0, 0]]])
    y = EF.grid_sample(x, EF.affine_grid(theta, (1, 2, 4, 5), align_corners=False), align_corners=False)
    assert_same(y, torch.tensor(x.numpy()), rtol=1e-5, atol=1e-6)
