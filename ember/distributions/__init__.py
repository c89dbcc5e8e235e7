"""Probability distributions and KL divergences, as ``torch.distributions``.

Samples come from ember's generator (``ember.manual_seed``), so they differ from torch's draws; densities,
moments, entropies and KL divergences follow torch's formulas.
"""
from . import constraints
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .exponential import Exponential
from .laplace import Laplace
from .normal import Normal
from .uniform import Uniform

__all__ = ["Distribution", "Exponential", "ExponentialFamily", "Laplace", "Normal", "Uniform", "constraints"]
