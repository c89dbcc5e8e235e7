"""Losses against torch: values and gradients for every reduction, gradcheck, torch's errors, stability."""
import numpy as np
import pytest
import torch

import ember
import ember.nn.functional as F
from helpers import assert_same, check_against_torch, to_torch

TF = torch.nn.functional
RED = ["none", "mean", "sum"]
rng = np.random.default_rng(0)


def _tol(dtype):
    return dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-12)


def _r(*shape, dtype=np.float64, scale=1.0):
    return (np.random.default_rng(sum(shape) + len(shape)).standard_normal(shape) * scale).astype(dtype)


def _u(*shape, dtype=np.float64):
    return np.random.default_rng(sum(shape) + 7).uniform(0.05, 0.95, shape).astype(dtype)


def _sign(*shape):
    return np.where(np.random.default_rng(sum(shape) + 3).random(shape) < 0.5, -1.0, 1.0)


# name -> (inputs builder(dtype), kwargs); inputs are arrays (floating ones get gradients) or scalars
def _cases():
    c = {}
    c["l1_loss"] = (lambda d: [_r(3, 4, dtype=d), _r(3, 4, dtype=d) * 0.5], {})
    c["mse_loss"] = (lambda d: [_r(3, 4, dtype=d), _r(3, 4, dtype=d) * 0.5], {})
    c["huber_loss"] = (lambda d: [_r(3, 4, dtype=d, scale=2), _r(3, 4, dtype=d)], {"delta": 0.7})
    c["smooth_l1_loss"] = (lambda d: [_r(3, 4, dtype=d, scale=2), _r(3, 4, dtype=d)], {"beta": 0.5})
    c["smooth_l1_loss-beta0"] = (lambda d: [_r(3, 4, dtype=d, scale=2), _r(3, 4, dtype=d)], {"beta": 0.0})
    c["binary_cross_entropy"] = (lambda d: [_u(3, 4, dtype=d), _u(4, 3, dtype=d).T.copy()], {})
    c["binary_cross_entropy-w"] = (lambda d: [_u(3, 4, dtype=d), _u(4, 3, dtype=d).T.copy()],
                                   {"weight": "w34"})
    c["binary_cross_entropy_with_logits"] = (lambda d: [_r(3, 4, dtype=d, scale=3), _u(3, 4, dtype=d)], {})
    c["binary_cross_entropy_with_logits-pw"] = (lambda d: [_r(3, 4, dtype=d, scale=3), _u(3, 4, dtype=d)],
                                                {"pos_weight": "pw4", "weight": "w34"})
    c["kl_div"] = (lambda d: [np.log(_u(3, 4, dtype=d)), _u(4, 3, dtype=d).T.copy()], {})
    c["kl_div-log"] = (lambda d: [np.log(_u(3, 4, dtype=d)), np.log(_u(4, 3, dtype=d)).T.copy()],
                       {"log_target": True})
    c["soft_margin_loss"] = (lambda d: [_r(3, 4, dtype=d)], {"target": "s34"})
    c["multilabel_soft_margin_loss"] = (lambda d: [_r(3, 4, dtype=d), (_sign(3, 4) > 0).astype(d)], {})
    c["multilabel_soft_margin_loss-w"] = (lambda d: [_r(3, 4, dtype=d), (_sign(3, 4) > 0).astype(d)],
                                          {"weight": "w4"})
    c["poisson_nll_loss"] = (lambda d: [_r(3, 4, dtype=d), np.abs(_r(4, 3, dtype=d)).T.copy() * 3], {})
    c["poisson_nll_loss-full"] = (lambda d: [_u(3, 4, dtype=d), np.abs(_r(4, 3, dtype=d)).T.copy() * 3],
                                  {"log_input": False, "full": True})
    c["gaussian_nll_loss"] = (lambda d: [_r(3, 4, dtype=d), _r(4, 3, dtype=d).T.copy(), _u(3, 4, dtype=d)], {})
    c["gaussian_nll_loss-full"] = (lambda d: [_r(3, 4, dtype=d), _r(4, 3, dtype=d).T.copy(), _u(3, 1, dtype=d)],
                                   {"full": True})
    c["cosine_embedding_loss"] = (lambda d: [_r(5, 4, dtype=d), _r(4, 5, dtype=d).T.copy(), "y5"],
                                  {"margin": 0.2})
    c["margin_ranking_loss"] = (lambda d: [_r(6, dtype=d), _r(7, dtype=d)[:6].copy(), "y6"], {"margin": 0.1})
    c["hinge_embedding_loss"] = (lambda d: [_r(3, 4, dtype=d), _sign(3, 4).astype(d)], {"margin": 0.5})
    c["triplet_margin_loss"] = (lambda d: [_r(5, 4, dtype=d), _r(4, 5, dtype=d).T.copy(), _r(5, 5, dtype=d)[:, :4]
                                           .copy()], {})
    c["triplet_margin_loss-swap"] = (lambda d: [_r(5, 4, dtype=d), _r(4, 5, dtype=d).T.copy(),
                                                _r(5, 5, dtype=d)[:, :4].copy()], {"swap": True, "p": 1.0})
    c["multi_margin_loss"] = (lambda d: [_r(5, 4, dtype=d), "t5c4"], {})
    c["multi_margin_loss-p2w"] = (lambda d: [_r(5, 4, dtype=d), "t5c4"], {"p": 2, "margin": 0.7, "weight": "w4"})
    c["multilabel_margin_loss"] = (lambda d: [_r(3, 5, dtype=d), "ml35"], {})
    c["nll_loss"] = (lambda d: [_r(5, 4, dtype=d), "t5c4"], {})
    c["nll_loss-w-ign"] = (lambda d: [_r(5, 4, dtype=d), "t5c4ign"], {"weight": "w4", "ignore_index": 1})
    c["nll_loss-spatial"] = (lambda d: [_r(2, 4, 3, 2, dtype=d), "t2x3x2c4"], {"weight": "w4"})
    c["cross_entropy"] = (lambda d: [_r(5, 4, dtype=d, scale=2), "t5c4"], {})
    c["cross_entropy-w-ign-ls"] = (lambda d: [_r(5, 4, dtype=d, scale=2), "t5c4ign"],
                                   {"weight": "w4", "ignore_index": 1, "label_smoothing": 0.15})
    c["cross_entropy-ls"] = (lambda d: [_r(5, 4, dtype=d, scale=2), "t5c4"], {"label_smoothing": 0.3})
    c["cross_entropy-spatial"] = (lambda d: [_r(2, 4, 3, 2, dtype=d), "t2x3x2c4"], {"label_smoothing": 0.1})
    c["cross_entropy-spatial3"] = (lambda d: [_r(2, 4, 3, 2, 2, dtype=d), "t2x3x2x2c4"], {"weight": "w4"})
    c["cross_entropy-probs"] = (lambda d: [_r(5, 4, dtype=d), _softmax_np(_r(4, 5, dtype=d).T)], {})
    c["cross_entropy-probs-w-ls"] = (lambda d: [_r(2, 4, 3, dtype=d), _softmax_np(_r(2, 4, 3, dtype=d) * 2, 1)],
                                     {"weight": "w4", "label_smoothing": 0.2})
    return c


def _softmax_np(x, axis=-1):
    e = np.exp(x - x.max(axis, keepdims=True))
    return np.ascontiguousarray(e / e.sum(axis, keepdims=True))


CASES = _cases()


def _specials(dtype):
    g = np.random.default_rng(5)
    return {
        "w34": g.uniform(0.5, 1.5, (3, 4)).astype(dtype), "w4": g.uniform(0.5, 1.5, 4).astype(dtype),
        "pw4": g.uniform(0.5, 3, 4).astype(dtype), "y5": np.array([1, -1, 1, -1, -1], dtype),
        "y6": _sign(6).astype(dtype), "s34": _sign(3, 4).astype(dtype), "t5c4": np.array([0, 3, 1, 2, 3]), "t5c4ign": np.array([0, 1, 3, 1, 2]),
        "t2x3x2c4": g.integers(0, 4, (2, 3, 2)), "t2x3x2x2c4": g.integers(0, 4, (2, 3, 2, 2)),
        "ml35": np.array([[3, 0, -1, 1, 2], [1, 2, 4, 0, -1], [4, -1, 0, 0, 0]]),
    }


def _build(name, dtype):
    maker, kw = CASES[name]
    sp = _specials(dtype)
    inputs = [sp[a] if isinstance(a, str) else a for a in maker(dtype)]
    kw = dict(kw)
    extra = {k: sp[v] for k, v in kw.items() if isinstance(v, str)}
    for k in extra:
        kw.pop(k)
    return inputs, kw, extra


def _call(lib, fname, inputs, kw, extra, reduction):
    ex = {k: (ember.tensor(v) if lib is F else torch.tensor(v)) for k, v in extra.items()}
    ints = [i for i, a in enumerate(inputs) if isinstance(a, np.ndarray) and a.dtype.kind == "i"]

    def fn(*xs):
        xs = list(xs)
        return getattr(lib, fname)(*xs, reduction=reduction, **kw, **ex)
    return fn, ints


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("reduction", RED)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_against_torch(name, reduction, dtype):
    fname = name.split("-")[0]
    inputs, kw, extra = _build(name, dtype)
    fe, _ = _call(F, fname, inputs, kw, extra, reduction)
    ft, _ = _call(TF, fname, inputs, kw, extra, reduction)
    tol = _tol(dtype)
    if fname == "multilabel_margin_loss":
        inputs = [inputs[0], inputs[1]]
    check_against_torch(fe, ft, inputs, **tol)


@pytest.mark.parametrize("name", list(CASES))
def test_gradcheck(name):
    fname = name.split("-")[0]
    inputs, kw, extra = _build(name, np.float64)
    ex = {k: ember.tensor(v) for k, v in extra.items()}
    args = [ember.tensor(a, requires_grad=a.dtype.kind == "f") if isinstance(a, np.ndarray) else a for a in inputs]
    if fname in ("cosine_embedding_loss", "margin_ranking_loss", "hinge_embedding_loss"):
        args[-1].requires_grad_(False)
    diff = [i for i, a in enumerate(args) if isinstance(a, ember.Tensor) and a.requires_grad]

    def fn(*xs):   # non-differentiable arguments are closed over (gradcheck only takes the tensors it perturbs)
        full = list(args)
        for i, x in zip(diff, xs):
            full[i] = x
        return getattr(F, fname)(*full, **kw, **ex)
    assert ember.autograd.gradcheck(fn, tuple(args[i] for i in diff))


def test_cross_entropy_double_backward():
    x = _r(4, 5, scale=2)
    t = np.array([1, 0, 4, 2])
    w = np.array([1.0, 2.0, 0.5, 1.5, 1.0])
    xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    le = F.cross_entropy(xe, ember.tensor(t), weight=ember.tensor(w), label_smoothing=0.1)
    lt = TF.cross_entropy(xt, torch.tensor(t), weight=torch.tensor(w), label_smoothing=0.1)
    (ge,) = ember.autograd.grad(le, xe, create_graph=True)
    (gt,) = torch.autograd.grad(lt, xt, create_graph=True)
    assert_same(ge, gt.detach(), rtol=1e-10, atol=1e-12)
    (gge,) = ember.autograd.grad((ge * ge).sum(), xe)
    (ggt,) = torch.autograd.grad((gt * gt).sum(), xt)
    assert_same(gge, ggt, rtol=1e-9, atol=1e-12)


def test_cross_entropy_unbatched_and_all_ignored():
    x = _r(5)
    check_against_torch(lambda a: F.cross_entropy(a, ember.tensor(2)), lambda a: TF.cross_entropy(a, torch.tensor(2)),
                        [x], rtol=1e-10)
    for red in RED:
        e = F.cross_entropy(ember.tensor(_r(2, 3)), ember.tensor([-100, -100]), reduction=red)
        t = TF.cross_entropy(torch.tensor(_r(2, 3)), torch.tensor([-100, -100]), reduction=red)
        assert_same(e, t)


@pytest.mark.parametrize("fn,args", [
    ("cross_entropy", lambda m: ([m(_r(2, 3, scale=1e4))], [1, 0])),
    ("binary_cross_entropy_with_logits", lambda m: ([m(_r(2, 3, scale=1e4))], np.eye(2, 3))),
    ("soft_margin_loss", lambda m: ([m(_r(2, 3, scale=1e4))], -np.sign(_r(2, 3, scale=1e4)))),
    ("multilabel_soft_margin_loss", lambda m: ([m(_r(2, 3, scale=1e4))], np.eye(2, 3))),
])
def test_stable_for_huge_logits(fn, args):
    x, target = args(lambda a: ember.tensor(a.astype(np.float32), requires_grad=True))
    if fn == "cross_entropy":
        t = ember.tensor(target)
    else:
        t = ember.tensor(np.asarray(target, np.float32))
    loss = getattr(F, fn)(x[0], t)
    loss.backward()
    assert np.isfinite(loss.item()) and bool(ember.isfinite(x[0].grad).all())
    if fn != "soft_margin_loss":   # torch's soft margin overflows to inf; ember stays finite
        expected = getattr(TF, fn)(to_torch(x[0].detach()), to_torch(t))
        assert_same(loss, expected, rtol=1e-5)


def _err(fn_e, fn_t):
    with pytest.raises(Exception) as te:
        fn_t()
    with pytest.raises(type(te.value)) as ee:
        fn_e()
    assert str(ee.value) == str(te.value)


@pytest.mark.parametrize("call", [
    lambda L, m: L.cross_entropy(m(np.zeros((4, 5), np.float32)), m(np.array([1, 2, 3, 4], np.int32))),
    lambda L, m: L.cross_entropy(m(np.zeros((4, 5), np.float32)), m(np.array([1.0, 2, 3, 4], np.float32))),
    lambda L, m: L.cross_entropy(m(np.zeros((4, 5), np.float32)), m(np.array([1, 2, 3, 7]))),
    lambda L, m: L.cross_entropy(m(np.zeros((4, 5), np.float32)), m(np.array([1, 2, 3]))),
    lambda L, m: L.cross_entropy(m(np.zeros((4, 5, 3), np.float32)), m(np.zeros((4, 2), np.int64))),
    lambda L, m: L.cross_entropy(m(np.zeros((4, 5), np.float32)), m(np.array([1, 2, 3, 4])), label_smoothing=1.5),
    lambda L, m: L.nll_loss(m(np.zeros((4, 5, 3, 2), np.float32)), m(np.zeros((4, 3, 3), np.int64))),
    lambda L, m: L.nll_loss(m(np.zeros((4, 5, 3, 2), np.float32)), m(np.zeros((4, 3), np.int64))),
    lambda L, m: L.nll_loss(m(np.zeros((4, 5), np.float32)), m(np.zeros(4, np.int64)), weight=m(np.ones(3))),
    lambda L, m: L.nll_loss(m(np.zeros((4, 5), np.float32)), m(np.zeros(4, np.int64)), reduction="foo"),
    lambda L, m: L.binary_cross_entropy(m(np.full(3, 0.5, np.float32)), m(np.full(4, 0.5, np.float32))),
    lambda L, m: L.binary_cross_entropy(m(np.full(3, 1.5, np.float32)), m(np.full(3, 0.5, np.float32))),
    lambda L, m: L.binary_cross_entropy_with_logits(m(np.zeros(3, np.float32)), m(np.zeros(4, np.float32))),
    lambda L, m: L.multi_margin_loss(m(np.zeros((4, 5), np.float32)), m(np.zeros(4, np.int64)), p=3),
    lambda L, m: L.margin_ranking_loss(m(np.zeros(4)), m(np.zeros((4, 1))), m(np.zeros(4))),
    lambda L, m: L.triplet_margin_loss(m(np.zeros((4, 3))), m(np.zeros((4, 3))), m(np.zeros(3))),
    lambda L, m: L.gaussian_nll_loss(m(np.zeros((4, 3))), m(np.zeros((4, 3))), m(np.ones((4, 2)))),
    lambda L, m: L.gaussian_nll_loss(m(np.zeros((4, 3))), m(np.zeros((4, 3))), m(-np.ones((4, 3)))),
    lambda L, m: L.kl_div(m(np.zeros((4, 3))), m(np.zeros((4, 3))), reduction="xx"),
    lambda L, m: L.multilabel_margin_loss(m(np.zeros((3, 4), np.float32)), m(np.ones((3, 4), np.float32))),
    lambda L, m: L.ctc_loss(m(np.zeros((5, 2, 4), np.float32)), m(np.ones((2, 2), np.int64)), (5, 5), (2, 2),
                            blank=7),
])
def test_errors(call):
    _err(lambda: call(F, ember.tensor), lambda: call(TF, torch.tensor))


def test_warnings():
    with pytest.warns(UserWarning, match="Using a target size"):
        F.mse_loss(ember.zeros(4, 5), ember.zeros(4, 1))
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated, please use "
                                         "reduction='sum' instead."):
        F.l1_loss(ember.zeros(3), ember.zeros(3), size_average=False)
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        F.kl_div(ember.zeros(3, 2), ember.ones(3, 2))


# ---- CTC -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("reduction", RED)
@pytest.mark.parametrize("concat", [False, True])
def test_ctc_against_torch(reduction, concat):
    g = np.random.default_rng(3)
    T, N, C = 7, 3, 5
    logits = g.standard_normal((T, N, C))
    in_lens = [7, 5, 6]
    tg_lens = [3, 2, 0]
    targets = np.array([[1, 2, 2], [3, 1, 0], [0, 0, 0]])
    tg = np.concatenate([targets[n][:tg_lens[n]] for n in range(N)]) if concat else targets

    def fe(x):
        return F.ctc_loss(x.log_softmax(2), ember.tensor(tg), ember.tensor(in_lens), ember.tensor(tg_lens),
                          reduction=reduction)

    def ft(x):
        return TF.ctc_loss(x.log_softmax(2), torch.tensor(tg), torch.tensor(in_lens), torch.tensor(tg_lens),
                           reduction=reduction)
    check_against_torch(fe, ft, [logits], rtol=1e-9, atol=1e-10)


def test_ctc_leaf_log_probs_gradient_and_zero_infinity():
    g = np.random.default_rng(4)
    lp = np.log(_softmax_np(g.standard_normal((4, 2, 3))))
    targets = np.array([[1, 1, 2], [2, 1, 1]])
    for zi in (False, True):
        def fe(x):
            return F.ctc_loss(x, ember.tensor(targets), [4, 4], [3, 2], zero_infinity=zi, reduction="sum")

        def ft(x):
            return TF.ctc_loss(x, torch.tensor(targets), [4, 4], [3, 2], zero_infinity=zi, reduction="sum")
        if zi:
            check_against_torch(fe, ft, [lp], rtol=1e-9, atol=1e-10)
        else:
            out_e, out_t = fe(ember.tensor(lp)), ft(torch.tensor(lp))
            assert_same(out_e, out_t)


# ---- modules ---------------------------------------------------------------------------------------------------

MODULES = ["L1Loss", "MSELoss", "CrossEntropyLoss", "NLLLoss", "BCELoss", "BCEWithLogitsLoss", "KLDivLoss",
           "HuberLoss", "SmoothL1Loss", "SoftMarginLoss", "MultiLabelSoftMarginLoss", "MultiMarginLoss",
           "MultiLabelMarginLoss", "CosineEmbeddingLoss", "MarginRankingLoss", "HingeEmbeddingLoss",
           "TripletMarginLoss", "PoissonNLLLoss", "GaussianNLLLoss", "CTCLoss", "TripletMarginWithDistanceLoss"]


@pytest.mark.parametrize("name", MODULES)
def test_module_repr_and_state(name):
    me, mt = getattr(ember.nn, name)(), getattr(torch.nn, name)()
    assert repr(me) == repr(mt)
    assert me.reduction == mt.reduction
    assert list(me.state_dict()) == list(mt.state_dict())


def test_weighted_module_forward():
    w = np.array([1.0, 2.0, 0.5, 1.5], np.float32)
    x = _r(5, 4, dtype=np.float32)
    t = np.array([0, 3, 1, 2, 3])
    me = ember.nn.CrossEntropyLoss(weight=ember.tensor(w), ignore_index=2, label_smoothing=0.1, reduction="sum")
    mt = torch.nn.CrossEntropyLoss(weight=torch.tensor(w), ignore_index=2, label_smoothing=0.1, reduction="sum")
    assert_same(me(ember.tensor(x), ember.tensor(t)), mt(torch.tensor(x), torch.tensor(t)))
    assert list(me.state_dict()) == ["weight"]
    pw = np.array([2.0, 1.0, 0.5, 3.0], np.float32)
    me = ember.nn.BCEWithLogitsLoss(pos_weight=ember.tensor(pw))
    mt = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(pw))
    y = _u(5, 4, dtype=np.float32)
    assert_same(me(ember.tensor(x), ember.tensor(y)), mt(torch.tensor(x), torch.tensor(y)))
    assert list(me.state_dict()) == list(mt.state_dict())
    with pytest.warns(UserWarning):
        assert ember.nn.MSELoss(size_average=False).reduction == "sum"
