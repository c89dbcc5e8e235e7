"""The reparameterised standard-gamma draw used by Gamma, Dirichlet and Beta, and the special functions the
distributions use (ember's own differentiable ``lgamma``, ``digamma`` and ``xlogy``, re-exported)."""
from __future__ import annotations

import numpy as np

import ember
from ember.autograd.function import Op
from ember.ops.gamma_fns import _igamma_arrays, _lgamma
from ember.random import _gen

lgamma = ember.lgamma
digamma = ember.digamma
xlogy = ember.xlogy


class _StandardGamma(Op):
    """x ~ Gamma(alpha, 1).  Implicit reparameterisation: dx/dalpha = -(dP(alpha, x)/dalpha) / p(x; alpha),
    with dP/dalpha by a central difference of the regularised incomplete gamma function (float64)."""
    save_inputs = (0,)
    save_output = True

    @staticmethod
    def forward(ctx, alpha):
        x = _gen(None).standard_gamma(alpha.astype(np.float64))
        return np.asarray(np.maximum(x, np.finfo(alpha.dtype).tiny).astype(alpha.dtype))

    @staticmethod
    def backward(ctx, grad):
        (alpha,) = ctx.saved_tensors
        return grad * ember.tensor(_standard_gamma_grad(alpha._host(), ctx.saved_output._host()))


def _standard_gamma_grad(alpha, x):
    a, xv = alpha.astype(np.float64), x.astype(np.float64)
    h = 1e-5 * np.maximum(a, 1e-3)
    h = np.minimum(h, a / 2)
    dp_da = (_igamma_arrays(a + h, xv)[0] - _igamma_arrays(a - h, xv)[0]) / (2 * h)
    log_pdf = (a - 1) * np.log(xv) - xv - _lgamma(a)
    return (-dp_da / np.exp(log_pdf)).astype(alpha.dtype)


def standard_gamma(alpha):
    return _StandardGamma.apply(alpha)
