"""ember.distributions against torch.distributions: values, gradients, shapes, errors and sample statistics.

Each case builds the same distribution in both libraries from one list (``CASES``) and compares through
``_compare``; samples differ by design (different generators), so they are checked by shape, dtype, support
and moments.
"""
import numpy as np
import pytest
import torch

import ember
from helpers import assert_same, to_ember, to_torch

TD = torch.distributions
ED = ember.distributions


def _t(a, dtype=torch.float32, grad=False):
    return torch.tensor(a, dtype=dtype, requires_grad=grad)


# name -> (constructor taking the library's distributions module and tensors, params, a value in the support)
CASES = {
    "normal": (lambda D, a, b: D.Normal(a, b), ([0.5, -1.0, 2.0], [1.0, 0.3, 2.5]), [0.1, -0.7, 4.0]),
    "uniform": (lambda D, a, b: D.Uniform(a, b), ([0.0, -1.0, 2.0], [1.0, 0.5, 5.0]), [0.3, 0.2, 4.9]),
    "exponential": (lambda D, a: D.Exponential(a), ([0.5, 1.0, 3.0],), [0.1, 2.0, 0.0]),
    "laplace": (lambda D, a, b: D.Laplace(a, b), ([0.5, -1.0, 2.0], [1.0, 0.3, 2.5]), [0.1, -0.7, 4.0]),
    "bernoulli_probs": (lambda D, a: D.Bernoulli(probs=a), ([0.2, 0.5, 0.9],), [1.0, 0.0, 1.0]),
    "bernoulli_logits": (lambda D, a: D.Bernoulli(logits=a), ([-1.5, 0.0, 3.0],), [1.0, 0.0, 0.0]),
    "categorical_probs": (lambda D, a: D.Categorical(probs=a), ([[0.2, 0.3, 0.5], [1.0, 2.0, 1.0]],), [2, 0]),
    "categorical_logits": (lambda D, a: D.Categorical(logits=a), ([[0.2, -1.0, 2.0], [0.0, 0.0, 5.0]],), [1, 2]),
    "onehot": (lambda D, a: D.OneHotCategorical(logits=a), ([[0.2, -1.0, 2.0], [0.0, 0.0, 5.0]],),
               [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]),
    "mvn_cov": (lambda D, a, b: D.MultivariateNormal(a, covariance_matrix=b),
                ([[0.5, -1.0], [1.0, 2.0]], [[2.0, 0.3], [0.3, 1.0]]), [[0.0, 0.0], [1.5, -1.0]]),
    "mvn_tril": (lambda D, a, b: D.MultivariateNormal(a, scale_tril=b),
                 ([0.5, -1.0, 0.0], [[1.5, 0.0, 0.0], [0.3, 0.8, 0.0], [-0.2, 0.1, 2.0]]), [0.1, 0.2, 0.3]),
    "mvn_prec": (lambda D, a, b: D.MultivariateNormal(a, precision_matrix=b),
                 ([0.5, -1.0], [[2.0, -0.4], [-0.4, 1.0]]), [[0.0, 0.0], [1.5, -1.0]]),
    "independent": (lambda D, a, b: D.Independent(D.Normal(a, b), 1),
                    ([[0.5, -1.0], [0.0, 2.0]], [[1.0, 0.3], [2.0, 0.5]]), [[0.1, -0.7], [3.0, 2.0]]),
    "gamma": (lambda D, a, b: D.Gamma(a, b), ([0.5, 2.0, 7.0], [1.0, 0.3, 2.5]), [0.1, 0.7, 4.0]),
    "chi2": (lambda D, a: D.Chi2(a), ([0.5, 2.0, 7.0],), [0.1, 0.7, 4.0]),
    "beta": (lambda D, a, b: D.Beta(a, b), ([0.5, 2.0, 7.0], [1.0, 0.3, 2.5]), [0.1, 0.7, 0.4]),
    "dirichlet": (lambda D, a: D.Dirichlet(a), ([[0.5, 2.0, 7.0], [1.0, 0.3, 2.5]],),
                  [[0.1, 0.7, 0.2], [0.3, 0.3, 0.4]]),
    "studentT": (lambda D, a, b, c: D.StudentT(a, b, c), ([0.5, 2.5, 7.0], [1.0, 0.3, 2.5], [1.0, 2.0, 3.0]),
                 [0.1, 0.7, 4.0]),
    "poisson": (lambda D, a: D.Poisson(a), ([0.5, 2.0, 7.0],), [0.0, 3.0, 4.0]),
    "geometric_probs": (lambda D, a: D.Geometric(a), ([0.2, 0.5, 0.9],), [0.0, 3.0, 4.0]),
    "geometric_logits": (lambda D, a: D.Geometric(logits=a), ([-1.2, 0.5, 0.9],), [0.0, 3.0, 4.0]),
    "binomial": (lambda D, a, b: D.Binomial(a, b), ([5.0, 5.0, 5.0], [0.2, 0.5, 0.9]), [0.0, 3.0, 4.0]),
    "lognormal": (lambda D, a, b: D.LogNormal(a, b), ([0.5, -1.0, 2.0], [1.0, 0.3, 2.5]), [0.1, 0.7, 4.0]),
    "tanh_normal": (lambda D, a, b: D.TransformedDistribution(D.Normal(a, b), [D.TanhTransform(cache_size=1)]),
                    ([0.5, -1.0, 2.0], [1.0, 0.3, 2.5]), [0.1, -0.7, 0.99]),
    "affine_sigmoid": (lambda D, a, b: D.TransformedDistribution(
        D.Normal(a, b), [D.AffineTransform(1.0, 2.0), D.SigmoidTransform()]), ([0.5, -1.0, 2.0], [1.0, 0.3, 2.5]),
        [0.1, 0.7, 0.99]),
    "compose_exp_affine": (lambda D, a, b: D.TransformedDistribution(
        D.Laplace(a, b), D.ComposeTransform([D.ExpTransform(), D.AffineTransform(-1.0, b)])),
        ([0.5, -1.0, 2.0], [1.0, 0.3, 2.5]), [0.1, 0.7, 4.0]),
}
NO_ENTROPY = {"poisson", "tanh_normal", "affine_sigmoid", "compose_exp_affine"}  # torch raises NotImplementedError there too
VALUE_DTYPE = {"categorical_probs": torch.int64, "categorical_logits": torch.int64}
CONTINUOUS = {"normal", "uniform", "exponential", "laplace", "mvn_cov", "mvn_tril", "mvn_prec", "independent",
              "gamma", "chi2", "beta", "dirichlet", "studentT", "lognormal", "tanh_normal", "affine_sigmoid",
              "compose_exp_affine"}
TRANSFORMED = {"tanh_normal", "affine_sigmoid", "compose_exp_affine"}  # no moments, as in torch


def _build(name, dtype, grad=False):
    make, params, value = CASES[name]
    tp = [_t(p, dtype, grad) for p in params]
    ep = [to_ember(p.detach(), requires_grad=grad) for p in tp]
    tv = torch.tensor(value, dtype=VALUE_DTYPE.get(name, dtype))
    return make(TD, *tp), make(ED, *ep), tp, ep, tv, to_ember(tv)


def _tol(dtype):
    return dict(rtol=1e-5, atol=1e-6) if dtype == torch.float32 else dict(rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("name", list(CASES))
def test_values_match_torch(name, dtype):
    td, ed, _, _, tv, ev = _build(name, dtype)
    tol = _tol(dtype)
    assert ed.batch_shape == td.batch_shape and ed.event_shape == td.event_shape
    assert repr(ed) == repr(td)
    assert_same(ed.log_prob(ev), td.log_prob(tv), **tol)
    if name in NO_ENTROPY:
        assert _error(ed.entropy) == _error(td.entropy)
    else:
        assert_same(ed.entropy(), td.entropy(), **tol)
    for attr in ("mean", "variance", "stddev", "mode"):
        if name in TRANSFORMED:
            assert _error(lambda: getattr(ed, attr))[0] is _error(lambda: getattr(td, attr))[0]
        else:
            assert_same(getattr(ed, attr), getattr(td, attr), **tol)
    for attr in ("probs", "logits", "covariance_matrix", "precision_matrix", "scale_tril"):
        if hasattr(td, attr):
            assert_same(getattr(ed, attr), getattr(td, attr), **tol)
    if name in ("gamma", "chi2", "lognormal") or name in TRANSFORMED:
        assert_same(ed.cdf(ev), td.cdf(tv), **tol)
    if name in ("normal", "uniform", "exponential", "laplace"):
        assert_same(ed.cdf(ev), td.cdf(tv), **tol)
        q = torch.tensor([0.05, 0.5, 0.93], dtype=dtype)
        assert_same(ed.icdf(to_ember(q)), td.icdf(q), **tol)
    if td.has_enumerate_support:
        assert_same(ed.enumerate_support(), td.enumerate_support())
        assert_same(ed.enumerate_support(expand=False), td.enumerate_support(expand=False))


@pytest.mark.parametrize("name", list(CASES))
def test_log_prob_and_entropy_gradients_match_torch(name):
    td, ed, tp, ep, tv, ev = _build(name, torch.float64, grad=True)
    with_entropy = name not in NO_ENTROPY
    (td.log_prob(tv).sum() + (td.entropy().sum() if with_entropy else 0)).backward()
    (ed.log_prob(ev).sum() + (ed.entropy().sum() if with_entropy else 0)).backward()
    for a, b in zip(ep, tp):
        assert_same(a.grad, b.grad, rtol=1e-8, atol=1e-12)  # torch's trigamma carries ~5e-10 error


@pytest.mark.parametrize("name", list(CASES))
def test_samples_shape_dtype_support_and_moments(name):
    _, ed, _, _, tv, _ = _build(name, torch.float64)
    s = ed.sample((4000,))
    assert tuple(s.shape) == (4000,) + tuple(ed.batch_shape) + tuple(ed.event_shape)
    assert s.dtype == (ember.int64 if name.startswith("categorical") else ember.float64)
    assert bool(ed.support.check(s).all())
    assert not s.requires_grad
    if name.startswith("categorical"):
        freq = ember.nn.functional.one_hot(s, 3).double().mean(0)
        np.testing.assert_allclose(freq.numpy(), ed.probs.detach().numpy(), atol=0.04)
        return
    if name in TRANSFORMED:
        return
    if name == "lognormal":  # heavy tails: check log(x) ~ N(loc, scale^2)
        s, m, v = s.log(), ed.loc.numpy(), ed.scale.pow(2).numpy()
        np.testing.assert_allclose(s.mean(0).numpy(), m, atol=5 * np.sqrt(v.max() / 4000))
        np.testing.assert_allclose(s.var(0).numpy(), v, rtol=0.15)
        return
    if name == "studentT":  # heavy tails (df 0.5 has no mean): the median instead
        np.testing.assert_allclose(s.median(0).values.numpy(), ed.loc.numpy(), atol=0.25)
        return
    m, v = ed.mean.detach().numpy(), ed.variance.detach().numpy()
    np.testing.assert_allclose(s.mean(0).numpy(), m, atol=5 * np.sqrt(v.max() / 4000) + 1e-9)
    np.testing.assert_allclose(s.var(0).numpy(), v, rtol=0.15, atol=1e-3)


@pytest.mark.parametrize("name", sorted(CONTINUOUS))
def test_rsample_is_reparameterised(name):
    td, ed, _, ep, _, _ = _build(name, torch.float64, grad=True)
    assert ed.has_rsample and td.has_rsample
    s = ed.rsample((5,))
    assert s.requires_grad and tuple(s.shape) == (5,) + tuple(td.batch_shape) + tuple(td.event_shape)
    if name in ("normal", "laplace", "independent") or name.startswith("mvn"):
        s.sum().backward()  # the location enters additively: d sum(x) / d loc = number of draws
        assert_same(ep[0].grad, torch.full(tuple(ep[0].shape), 5.0 * s[0].numel() / ep[0].numel(),
                                           dtype=torch.float64))


def test_normal_rsample_gradient_wrt_scale_is_eps():
    loc, scale = ember.zeros(3, requires_grad=True), ember.full((3,), 2.0, requires_grad=True)
    x = ED.Normal(loc, scale).rsample()
    x.sum().backward()
    np.testing.assert_allclose(scale.grad.numpy(), (x.detach() / 2.0).numpy(), rtol=1e-6)


def test_gamma_rsample_gradient_is_torchs_implicit_reparameterisation():
    conc = ember.tensor([0.3, 1.0, 2.5, 10.0, 50.0], dtype=ember.float64, requires_grad=True)
    x = ED.Gamma(conc, 1.0).rsample((50,))
    x.sum().backward()
    expected = torch._standard_gamma_grad(to_torch(conc.detach()).expand(50, 5), to_torch(x.detach())).sum(0)
    assert_same(conc.grad, expected, rtol=5e-4, atol=1e-9)  # torch's formula is itself an approximation
    rate = ember.tensor([2.0], dtype=ember.float64, requires_grad=True)  # x = G / rate: dx/drate = -x / rate
    y = ED.Gamma(ember.tensor([3.0], dtype=ember.float64), rate).rsample()
    y.sum().backward()
    assert_same(rate.grad, to_torch(-y.detach() / 2.0), rtol=1e-12)


def test_dirichlet_and_beta_rsample_gradients_in_expectation():
    # d E[x_0] / d c = d (c_0 / sum c) / d c, estimated through the reparameterised draws
    conc = ember.tensor([2.0, 3.0, 5.0], dtype=ember.float64, requires_grad=True)
    ED.Dirichlet(conc).rsample((20000,))[:, 0].mean().backward()
    np.testing.assert_allclose(conc.grad.numpy(), [0.08, -0.02, -0.02], atol=0.006)
    a = ember.tensor(2.0, dtype=ember.float64, requires_grad=True)
    ED.Beta(a, ember.tensor(3.0, dtype=ember.float64)).rsample((20000,)).mean().backward()
    np.testing.assert_allclose(a.grad.item(), 3.0 / 25.0, atol=0.006)


def test_scalar_parameters_and_dtypes():
    assert ED.Normal(0.0, 1.0).batch_shape == ember.Size([])
    assert ED.Normal(ember.tensor(0.0, dtype=ember.float64), 1.0).scale.dtype == ember.float64
    assert ED.Normal(0.0, 1.0).sample().shape == ember.Size([])
    assert ED.Bernoulli(0.3).sample((2, 3)).shape == ember.Size([2, 3])
    d = ED.Normal(ember.zeros(2), ember.ones(2)).expand([4, 2])
    assert d.batch_shape == ember.Size([4, 2]) and d.sample((3,)).shape == ember.Size([3, 4, 2])
    assert ED.Categorical(logits=ember.zeros(2, 5)).expand([3, 2]).sample().shape == ember.Size([3, 2])


def _error(fn):
    with pytest.raises(Exception) as info:
        fn()
    return type(info.value), str(info.value)


@pytest.mark.parametrize("make", [
    lambda D, L: D.Normal(L.zeros(2), -L.ones(2)),
    lambda D, L: D.Normal(L.zeros(2), L.ones(2)).log_prob(L.zeros(3)),
    lambda D, L: D.Normal(0.0, 1.0).log_prob(0.5),
    lambda D, L: D.Exponential(L.ones(2)).log_prob(-L.ones(2)),
    lambda D, L: D.Bernoulli(probs=L.tensor([0.3])).log_prob(L.tensor([0.5])),
    lambda D, L: D.Bernoulli(probs=L.tensor([1.3])),
    lambda D, L: D.Bernoulli(),
    lambda D, L: D.Categorical(probs=L.tensor([0.3, -0.1])),
    lambda D, L: D.Categorical(logits=L.tensor(1.0)),
    lambda D, L: D.Categorical(logits=L.zeros(3)).log_prob(L.tensor([3])),
    lambda D, L: D.OneHotCategorical(logits=L.zeros(3)).log_prob(L.zeros(2)),
    lambda D, L: D.Uniform(L.ones(2), L.zeros(2)),
    lambda D, L: D.MultivariateNormal(L.zeros(2)),
    lambda D, L: D.MultivariateNormal(L.zeros(2), L.tensor([[1.0, 2.0], [0.0, 1.0]])),
    lambda D, L: D.MultivariateNormal(L.zeros(2), scale_tril=L.tensor([[1.0, 2.0], [0.0, 1.0]])),
    lambda D, L: D.Independent(D.Normal(L.zeros(2), L.ones(2)), 2),
    lambda D, L: D.kl_divergence(D.Bernoulli(0.3), D.Categorical(L.ones(2))),
    lambda D, L: D.kl_divergence(D.Bernoulli(0.3), D.Exponential(1.0)),
    lambda D, L: D.kl_divergence(D.MultivariateNormal(L.zeros(2), L.eye(2)),
                                 D.MultivariateNormal(L.zeros(3), L.eye(3))),
])
def test_errors_match_torch(make):
    assert _error(lambda: make(ED, ember)) == _error(lambda: make(TD, torch))


def test_validation_can_be_turned_off():
    assert repr(ED.Normal(ember.zeros(1), -ember.ones(1), validate_args=False)) == "Normal(loc: tensor([0.]), " \
        "scale: tensor([-1.]))"
    ED.Distribution.set_default_validate_args(False)
    try:
        assert ember.isnan(ED.Normal(0.0, -1.0).log_prob(ember.tensor(0.0)))
    finally:
        ED.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        ED.Normal(0.0, -1.0)


KL_PAIRS = [("normal", "normal"), ("uniform", "uniform"), ("exponential", "exponential"), ("laplace", "laplace"),
            ("bernoulli_probs", "bernoulli_logits"), ("categorical_probs", "categorical_logits"),
            ("onehot", "onehot"), ("mvn_cov", "mvn_prec"), ("mvn_tril", "mvn_tril"), ("independent", "independent"),
            ("normal", "laplace"), ("laplace", "normal"), ("exponential", "normal"), ("uniform", "normal"),
            ("uniform", "exponential"), ("normal", "uniform"), ("exponential", "uniform"), ("normal", "exponential"),
            ("gamma", "gamma"), ("chi2", "gamma"), ("beta", "beta"), ("dirichlet", "dirichlet"), ("poisson", "poisson"),
            ("geometric_probs", "geometric_logits"), ("binomial", "binomial"), ("lognormal", "lognormal"),
            ("tanh_normal", "tanh_normal")]


@pytest.mark.parametrize("p,q", KL_PAIRS)
def test_kl_divergence_values_and_gradients_match_torch(p, q):
    tp, ep, tpp, epp, _, _ = _build(p, torch.float64, grad=True)
    tq, eq, tqp, eqp, _, _ = _build(q, torch.float64, grad=True)
    if q == "uniform" and p != "uniform":  # a wider uniform covering p's support where possible
        tq, eq = TD.Uniform(tqp[0] - 3, tqp[1] + 3), ED.Uniform(eqp[0] - 3, eqp[1] + 3)
    tk, ek = TD.kl_divergence(tp, tq), ED.kl_divergence(ep, eq)
    assert_same(ek, tk, rtol=1e-10, atol=1e-12)
    if bool(torch.isfinite(tk).all()):
        tk.sum().backward()
        ek.sum().backward()
        for a, b in zip(epp + eqp, tpp + tqp):
            assert_same(a.grad, b.grad, rtol=1e-8, atol=1e-10)


def test_kl_edge_cases_with_zero_probabilities():
    p, q = [0.0, 0.3, 1.0, 0.5], [0.5, 0.0, 0.2, 1.0]
    assert_same(ED.kl_divergence(ED.Bernoulli(ember.tensor(p)), ED.Bernoulli(ember.tensor(q))),
                TD.kl_divergence(TD.Bernoulli(torch.tensor(p)), TD.Bernoulli(torch.tensor(q))))
    cp, cq = [[0.0, 0.5, 0.5], [0.2, 0.3, 0.5]], [[0.3, 0.3, 0.4], [0.0, 0.5, 0.5]]
    assert_same(ED.kl_divergence(ED.Categorical(ember.tensor(cp)), ED.Categorical(ember.tensor(cq))),
                TD.kl_divergence(TD.Categorical(torch.tensor(cp)), TD.Categorical(torch.tensor(cq))))


def test_register_kl_dispatches_to_the_most_specific_pair():
    class MyNormal(ED.Normal):
        pass

    @ED.register_kl(MyNormal, ED.Normal)
    def _kl(p, q):
        return ember.tensor(42.0)

    assert ED.kl_divergence(MyNormal(0.0, 1.0), ED.Normal(0.0, 2.0)).item() == 42.0
    assert ED.kl_divergence(ED.Normal(0.0, 1.0), MyNormal(0.0, 1.0)).item() == 0.0


def test_constraints_reprs_and_checks_match_torch():
    names = ["real", "positive", "nonnegative", "unit_interval", "simplex", "boolean", "real_vector",
             "lower_cholesky", "positive_definite", "one_hot", "dependent"]
    for n in names:
        assert repr(getattr(ED.constraints, n)) == repr(getattr(TD.constraints, n))
    assert repr(ED.constraints.integer_interval(0, 3)) == repr(TD.constraints.integer_interval(0, 3))
    assert repr(ED.Uniform(0.0, 1.0).support) == repr(TD.Uniform(0.0, 1.0).support)
    assert repr(ED.Categorical(logits=ember.zeros(4)).support) == repr(TD.Categorical(logits=torch.zeros(4)).support)
    x = torch.tensor([[0.2, 0.8], [0.5, 0.6], [-0.1, 1.1]])
    assert_same(ED.constraints.simplex.check(to_ember(x)), TD.constraints.simplex.check(x))
    m = torch.tensor([[[1.0, 0.0], [0.5, 2.0]], [[1.0, 0.1], [0.0, 1.0]], [[-1.0, 0.0], [0.0, 1.0]]])
    assert_same(ED.constraints.lower_cholesky.check(to_ember(m)), TD.constraints.lower_cholesky.check(m))
    assert_same(ED.constraints.positive_definite.check(to_ember(m @ m.mT)),
                TD.constraints.positive_definite.check(m @ m.mT))


def test_policy_gradient_loop_matches_torch():
    logits = torch.randn(4, 3, dtype=torch.float64, requires_grad=True)
    actions = torch.tensor([0, 2, 1, 2])
    el = to_ember(logits)
    for D, lg, a in ((TD, logits, actions), (ED, el, to_ember(actions))):
        dist = D.Categorical(logits=lg)
        loss = -(dist.log_prob(a) * 0.5).mean() - 0.01 * dist.entropy().mean()
        loss.backward()
    assert_same(el.grad, logits.grad, rtol=1e-10, atol=1e-12)


def test_sac_tanh_policy_log_prob_uses_the_cached_pre_tanh_value():
    # y = tanh(x) rounds to 1.0 for large x; with cache_size=1 log_prob inverts through the cache, not atanh
    mu = torch.tensor([0.3, 9.0, -2.0], dtype=torch.float64, requires_grad=True)
    emu = to_ember(mu.detach(), requires_grad=True)
    x = torch.tensor([0.1, 20.0, -1.5], dtype=torch.float64)
    out = []
    for D, m, pre in ((TD, mu, x), (ED, emu, to_ember(x))):
        t = D.TanhTransform(cache_size=1)
        dist = D.TransformedDistribution(D.Normal(m, 1.0), [t])
        y = t(pre)
        lp = dist.log_prob(y)
        lp.sum().backward()
        out.append(lp)
    assert_same(out[1], out[0], rtol=1e-12)
    assert_same(emu.grad, mu.grad, rtol=1e-12)
    assert_same(ED.TanhTransform().log_abs_det_jacobian(to_ember(x), to_ember(x.tanh())),
                TD.TanhTransform().log_abs_det_jacobian(x, x.tanh()), rtol=1e-12)
