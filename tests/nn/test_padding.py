"""F.pad modes and padding layers against torch: values, gradients, gradcheck, repr, errors."""
import numpy as np
import pytest
import torch

import ember
from helpers import check_against_torch

TF = torch.nn.functional
EF = ember.nn.functional
rng = np.random.default_rng(0)

PAD_CASES = [
    ((2, 3, 7), (2, 3)), ((3, 7), (1, 0)), ((2, 3, 7, 8), (2, 3, 1, 2)), ((3, 7, 8), (0, 1, 3, 2)),
    ((2, 3, 4, 5, 6), (2, 3, 1, 2, 1, 1)), ((3, 4, 5, 6), (1, 1, 0, 2, 3, 1)),
    ((2, 3, 7, 8), (-1, 3, 1, -2)), ((2, 3, 5), (-2, -1)), ((1, 1, 4, 4), (3, 3, 3, 3)),
]


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize("shape,pad", PAD_CASES)
def test_pad_modes_match_torch(mode, shape, pad):
    if mode == "circular" and max(pad) > min(shape[-len(pad) // 2:]):
        pytest.skip("wraps more than once")
    check_against_torch(lambda a: EF.pad(a, pad, mode=mode), lambda a: TF.pad(a, pad, mode=mode),
                        [rng.standard_normal(shape)], rtol=1e-12, atol=1e-12)
    check_against_torch(lambda a: ember.nn.functional.pad(a, pad, mode),
                        lambda a: torch.nn.functional.pad(a, pad, mode),
                        [rng.standard_normal(shape).astype(np.float32)])


def test_pad_constant_still_works_with_value():
    check_against_torch(lambda a: EF.pad(a, (1, 2, 0, 1), value=2.5), lambda a: TF.pad(a, (1, 2, 0, 1), value=2.5),
                        [rng.standard_normal((2, 3, 4))])


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_pad_modes_gradcheck_and_double_backward(mode):
    x = ember.tensor(rng.standard_normal((1, 2, 3, 4)), requires_grad=True)
    f = lambda a: EF.pad(a, (2, 1, 1, 2), mode=mode)  # noqa: E731
    assert ember.autograd.gradcheck(f, [x])
    assert ember.autograd.gradgradcheck(f, [x])


LAYERS = ["ZeroPad1d(2)", "ZeroPad1d((1, 2))", "ZeroPad2d(2)", "ZeroPad2d((1, 0, 2, 3))", "ZeroPad3d(1)",
          "ConstantPad1d(2, 1.5)", "ConstantPad2d((1, 2, 0, 1), -1.0)", "ConstantPad3d(1, 3.5)",
          "ReflectionPad1d(2)", "ReflectionPad2d((1, 2, 0, 3))", "ReflectionPad3d(1)", "ReplicationPad1d((3, 1))",
          "ReplicationPad2d(2)", "ReplicationPad3d((1, 0, 2, 1, 0, 1))", "CircularPad1d(2)",
          "CircularPad2d((1, 2, 2, 1))", "CircularPad3d(1)"]


@pytest.mark.parametrize("make", LAYERS)
def test_padding_layers_match_torch(make):
    e, t = eval("ember.nn." + make), eval("torch.nn." + make)
    assert repr(e) == repr(t)
    assert e.padding == t.padding
    nd = int(make.split("d(")[0][-1])
    for shape in [(2, 3) + (5, 6, 4)[:nd], (3,) + (5, 6, 4)[:nd]]:
        check_against_torch(e, t, [rng.standard_normal(shape).astype(np.float32)])


def _same_error(fe, ft, exc):
    with pytest.raises(exc) as e_err:
        fe()
    with pytest.raises(exc) as t_err:
        ft()
    assert str(e_err.value) == str(t_err.value)


@pytest.mark.parametrize("shape,pad,mode,exc", [
    ((1, 3, 3), (3, 3), "reflect", RuntimeError), ((1, 3, 3), (3, 3, 1, 1), "reflect", RuntimeError),
    ((3,), (1, 1), "reflect", NotImplementedError), ((1, 3, 3), (4, 4), "circular", RuntimeError),
    ((1, 3, 3), (1, 1), "foo", NotImplementedError), ((2, 1, 1, 3, 3), (1, 1), "replicate", NotImplementedError),
    ((1, 3, 0), (1, 1), "replicate", RuntimeError), ((1, 3, 0), (1, 1), "reflect", RuntimeError),
    ((1, 3), (1, 1, 1), "reflect", RuntimeError), ((1, 3), (1, 1, 1, 1, 1, 1), "constant", RuntimeError),
])
def test_pad_errors_match_torch(shape, pad, mode, exc):
    _same_error(lambda: EF.pad(ember.ones(shape), pad, mode=mode), lambda: TF.pad(torch.ones(shape), pad, mode=mode),
                exc)
