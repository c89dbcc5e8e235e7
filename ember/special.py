"""``ember.special``: the special functions torch code reaches for."""
from __future__ import annotations

from .ops import erf, erfc, erfinv, exp2, expm1, log1p, logit, sigmoid, sinc, xlogy, digamma, i0  # noqa: F401
from .ops import log_softmax, logsumexp, softmax  # noqa: F401

expit = sigmoid
psi = digamma


def ndtr(x):
    return (1 + erf(x * 0.7071067811865476)) / 2


def gammaln(x):
    return x.lgamma()


def entr(x):
    return -xlogy(x, x)


def xlog1py(x, y):
    return x * log1p(y)


def gammainc(input, other, *, out=None):
    """The regularised lower incomplete gamma function P(input, other), as ``igamma``."""
    from .ops.extras import igamma
    return igamma(input, other, out=out)


def gammaincc(input, other, *, out=None):
    """The regularised upper incomplete gamma function Q(input, other) = 1 - P(input, other), as ``igammac``."""
    from .ops.extras import igammac
    return igammac(input, other, out=out)
