"""Probability distributions and KL divergences, as ``torch.distributions``.

Samples come from ember's generator (``ember.manual_seed``), so they differ from torch's draws; densities,
moments, entropies and KL divergences follow torch's formulas.
"""
from . import constraints
from .bernoulli import Bernoulli
from .binomial import Binomial
from .categorical import Categorical, OneHotCategorical
from .dirichlet import Beta, Dirichlet
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .exponential import Exponential
from .gamma import Chi2, Gamma
from .geometric import Geometric
from .independent import Independent
from .kl import kl_divergence, register_kl
from .laplace import Laplace
from .multivariate_normal import MultivariateNormal
from .normal import Normal
from .poisson import Poisson
from .studentT import StudentT
from .transformed_distribution import LogNormal, TransformedDistribution
from .transforms import (AffineTransform, ComposeTransform, ExpTransform, SigmoidTransform, TanhTransform,
                         Transform)
from .uniform import Uniform
from . import _kl_more  # noqa: F401,E402  (registers the KL pairs of the distributions above)

__all__ = ["Bernoulli", "Beta", "Binomial", "Chi2", "Dirichlet", "Gamma", "Geometric", "Poisson", "StudentT",
           "LogNormal", "TransformedDistribution", "AffineTransform", "ComposeTransform", "ExpTransform",
           "SigmoidTransform", "TanhTransform", "Transform",
           "Categorical", "Distribution", "Exponential", "ExponentialFamily", "Independent",
           "Laplace", "MultivariateNormal", "Normal", "OneHotCategorical", "Uniform", "constraints",
           "kl_divergence", "register_kl"]
