"""F.unfold / F.fold and the Unfold / Fold layers against torch."""
import numpy as np
import pytest
import torch

import ember
from helpers import check_against_torch

TF = torch.nn.functional
EF = ember.nn.functional
rng = np.random.default_rng(0)


@pytest.mark.parametrize("shape,kw", [
    ((2, 3, 7, 8), dict(kernel_size=(3, 2), dilation=(1, 2), padding=1, stride=(2, 1))),
    ((1, 2, 5, 5), dict(kernel_size=2)), ((3, 6, 5), dict(kernel_size=3, padding=(1, 0), stride=2)),
])
def test_unfold_matches_torch(shape, kw):
    check_against_torch(lambda a: EF.unfold(a, **kw), lambda a: TF.unfold(a, **kw), [rng.standard_normal(shape)],
                        rtol=1e-12, atol=1e-12)
    x = ember.tensor(rng.standard_normal((1,) + shape[-3:]), requires_grad=True)
    assert ember.autograd.gradgradcheck(lambda a: EF.unfold(a, **kw), [x])


@pytest.mark.parametrize("out,kw,blocks", [
    ((5, 6), dict(kernel_size=(2, 2), stride=2, padding=1), 12), ((4, 5), dict(kernel_size=3, padding=1), 20),
    ((6, 5), dict(kernel_size=(2, 3), dilation=(2, 1), stride=(1, 2)), 8),
])
def test_fold_matches_torch(out, kw, blocks):
    k = np.prod(kw["kernel_size"]) if isinstance(kw["kernel_size"], tuple) else kw["kernel_size"] ** 2
    for shape in [(2, 3 * k, blocks), (3 * k, blocks)]:
        check_against_torch(lambda a: EF.fold(a, out, **kw), lambda a: TF.fold(a, out, **kw),
                            [rng.standard_normal(shape)], rtol=1e-12, atol=1e-12)
    x = ember.tensor(rng.standard_normal((1, k, blocks)), requires_grad=True)
    assert ember.autograd.gradgradcheck(lambda a: EF.fold(a, out, **kw), [x])


def test_fold_unfold_layers_match_torch():
    for make, shape in [("Unfold(3, padding=1)", (2, 3, 5, 5)), ("Fold((4, 5), 2)", (2, 12, 12)),
                        ("Fold(output_size=(3, 3), kernel_size=2, stride=1, dilation=1)", (1, 8, 4))]:
        e, t = eval("ember.nn." + make), eval("torch.nn." + make)
        assert repr(e) == repr(t)
        check_against_torch(e, t, [rng.standard_normal(shape).astype(np.float32)])


def _same_error(fe, ft, exc=RuntimeError):
    with pytest.raises(exc) as e_err:
        fe()
    with pytest.raises(exc) as t_err:
        ft()
    assert str(e_err.value) == str(t_err.value)


def test_fold_unfold_errors_match_torch():
    _same_error(lambda: EF.unfold(ember.ones(1, 3, 4, 4), 5), lambda: TF.unfold(torch.ones(1, 3, 4, 4), 5))
    _same_error(lambda: EF.fold(ember.ones(1, 10, 4), (3, 3), 2), lambda: TF.fold(torch.ones(1, 10, 4), (3, 3), 2))
    _same_error(lambda: EF.fold(ember.ones(1, 12, 5), (3, 3), 2), lambda: TF.fold(torch.ones(1, 12, 5), (3, 3), 2))
