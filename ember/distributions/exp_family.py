"""``ExponentialFamily``: the common base of Normal, Bernoulli, Exponential, Gamma, Beta (KL dispatch uses it)."""
from __future__ import annotations

from .distribution import Distribution

__all__ = ["ExponentialFamily"]


class ExponentialFamily(Distribution):
    """Distributions whose density is ``exp(<t(x), theta> - F(theta) + k(x))``."""
