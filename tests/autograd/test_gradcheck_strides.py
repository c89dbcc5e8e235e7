"""gradcheck perturbs the input itself, whatever its strides (a transposed leaf used to be nudged in a copy)."""
import numpy as np
import pytest

import ember


def test_transposed_leaf():
    a = ember.tensor(np.random.default_rng(0).standard_normal((3, 4)), dtype=ember.float64).T.requires_grad_()
    assert not a.is_contiguous()
    assert ember.autograd.gradcheck(lambda t: (t @ t.T).sin(), (a,))
    assert ember.autograd.gradgradcheck(lambda t: (t @ t.T).sin(), (a,))


def test_wrong_gradient_is_caught_on_a_transposed_leaf():
    class Wrong(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 3

    a = ember.ones(2, 3, dtype=ember.float64).T.requires_grad_()
    with pytest.raises(Exception):
        ember.autograd.gradcheck(Wrong.apply, (a,))
