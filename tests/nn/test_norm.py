"""Normalisation layers against torch: outputs, gradients of input and parameters, running statistics."""
import numpy as np
import pytest
import torch

import ember
import ember.nn.functional as F
from helpers import assert_same, to_ember

TF = torch.nn.functional


@pytest.fixture(autouse=True)
def _torch_seed():
    torch.manual_seed(0)   # the affine parameters are drawn with torch's generator


def _copy_state(me, mt):
    me.load_state_dict({k: to_ember(v.detach()) for k, v in mt.state_dict().items()})


def _run_module(me, mt, x, dtype=np.float32, steps=1, modes=("train",)):
    """Forward + backward through both modules (several steps/modes) and compare everything."""
    tol = dict(rtol=1e-5, atol=2e-5) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-11)
    if dtype == np.float64:
        me.double()
        mt.double()
    _copy_state(me, mt)
    rng = np.random.default_rng(1)
    for mode in modes:
        me.train(mode == "train")
        mt.train(mode == "train")
        for _ in range(steps):
            xe = ember.tensor(x.astype(dtype), requires_grad=True)
            xt = torch.tensor(x.astype(dtype), requires_grad=True)
            ye, yt = me(xe), mt(xt)
            assert_same(ye, yt, **tol)
            cot = rng.standard_normal(yt.shape).astype(dtype)
            ye.backward(ember.tensor(cot))
            yt.backward(torch.tensor(cot))
            assert_same(xe.grad, xt.grad, **tol)
            for (n, pe), (_, pt) in zip(me.named_parameters(), mt.named_parameters()):
                assert_same(pe.grad, pt.grad, **tol), n
                pe.grad = None
                pt.grad = None
            for (n, be), (_, bt) in zip(me.named_buffers(), mt.named_buffers()):
                assert_same(be, bt, **tol), n


def _x(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape) * 2 + 0.5


# ---- batch norm --------------------------------------------------------------------------------------------------

BN_CONFIGS = [dict(), dict(momentum=None), dict(track_running_stats=False), dict(affine=False),
              dict(momentum=0.3, eps=1e-3), dict(affine=False, track_running_stats=False)]


@pytest.mark.parametrize("cfg", BN_CONFIGS)
@pytest.mark.parametrize("cls,shape", [("BatchNorm1d", (5, 3)), ("BatchNorm1d", (4, 3, 7)),
                                       ("BatchNorm2d", (3, 3, 4, 5)), ("BatchNorm3d", (2, 3, 2, 3, 4))])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_batchnorm(cls, shape, cfg, dtype):
    me, mt = getattr(ember.nn, cls)(3, **cfg), getattr(torch.nn, cls)(3, **cfg)
    assert repr(me) == repr(mt)
    if cfg.get("affine", True):
        with torch.no_grad():
            mt.weight.uniform_(0.5, 1.5)
            mt.bias.uniform_(-1, 1)
    _run_module(me, mt, _x(*shape), dtype, steps=3, modes=("train", "eval", "train"))
    if cfg.get("track_running_stats", True):
        assert me.num_batches_tracked.item() == mt.num_batches_tracked.item() == 6
        assert me.num_batches_tracked.dtype is ember.int64


def test_batchnorm_batch_one_errors_and_dims():
    with pytest.raises(ValueError, match=r"Expected more than 1 value per channel when training, got input size "
                                         r"torch.Size\(\[1, 3\]\)"):
        ember.nn.BatchNorm1d(3)(ember.randn(1, 3))
    with pytest.raises(ValueError, match=r"expected 4D input \(got 2D input\)"):
        ember.nn.BatchNorm2d(3)(ember.randn(4, 4))
    with pytest.raises(RuntimeError, match="running_mean should contain 4 elements not 3"):
        ember.nn.BatchNorm1d(3)(ember.randn(4, 4))
    m = ember.nn.BatchNorm1d(3).eval()           # batch 1 is fine in eval
    assert m(ember.randn(1, 3)).shape == (1, 3)


def test_batchnorm_state_dict_and_old_checkpoint():
    mt = torch.nn.BatchNorm2d(4)
    me = ember.nn.BatchNorm2d(4)
    assert list(me.state_dict()) == list(mt.state_dict())
    assert me._version == 2
    sd = {k: to_ember(v) for k, v in mt.state_dict().items() if k != "num_batches_tracked"}
    sd_t = {k: v for k, v in mt.state_dict().items() if k != "num_batches_tracked"}
    # a checkpoint without version metadata (older than num_batches_tracked) loads with strict=True
    from collections import OrderedDict
    sd, sd_t = OrderedDict(sd), OrderedDict(sd_t)
    sd._metadata = OrderedDict({"": {"version": 1}})
    sd_t._metadata = OrderedDict({"": {"version": 1}})
    res_e = me.load_state_dict(sd)
    res_t = mt.load_state_dict(sd_t)
    assert list(res_e.missing_keys) == list(res_t.missing_keys) == []
    # a current (version 2) checkpoint missing it is reported, as in torch
    sd2 = OrderedDict((k, v) for k, v in sd.items())
    sd2._metadata = OrderedDict({"": {"version": 2}})
    with pytest.raises(RuntimeError, match="num_batches_tracked"):
        me.load_state_dict(sd2)


def test_batch_norm_functional_and_gradcheck():
    x = ember.tensor(_x(4, 3, 2), requires_grad=True)
    w = ember.tensor([0.5, 1.0, 2.0], dtype=ember.float64, requires_grad=True)
    b = ember.tensor([0.1, -0.2, 0.3], dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), (x, w, b))
    rm, rv = ember.zeros(3, dtype=ember.float64), ember.ones(3, dtype=ember.float64)
    assert ember.autograd.gradcheck(lambda x, w, b: F.batch_norm(x, rm, rv, w, b, training=False), (x, w, b))


def test_batch_norm_double_backward():
    x = _x(4, 3, 2)
    xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    we, wt = ember.tensor([0.5, 1.0, 2.0], dtype=ember.float64), torch.tensor([0.5, 1.0, 2.0], dtype=torch.float64)
    (ge,) = ember.autograd.grad((F.batch_norm(xe, None, None, we, None, True) ** 3).sum(), xe, create_graph=True)
    (gt,) = torch.autograd.grad((TF.batch_norm(xt, None, None, wt, None, True) ** 3).sum(), xt, create_graph=True)
    assert_same(ge, gt.detach(), rtol=1e-10, atol=1e-10)
    assert_same(ember.autograd.grad(ge.pow(2).sum(), xe)[0], torch.autograd.grad(gt.pow(2).sum(), xt)[0],
                rtol=1e-8, atol=1e-9)


# ---- layer norm / rms norm / group norm ----------------------------------------------------------------------------

@pytest.mark.parametrize("shape,norm", [((4, 6), 6), ((2, 3, 4), (3, 4)), ((1, 5), [5]), ((3, 2, 7), 7)])
@pytest.mark.parametrize("cfg", [dict(), dict(elementwise_affine=False), dict(bias=False), dict(eps=1e-3)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_layernorm(shape, norm, cfg, dtype):
    me, mt = ember.nn.LayerNorm(norm, **cfg), torch.nn.LayerNorm(norm, **cfg)
    assert repr(me) == repr(mt)
    if mt.weight is not None:
        with torch.no_grad():
            mt.weight.uniform_(0.5, 1.5)
            if mt.bias is not None:
                mt.bias.uniform_(-1, 1)
    _run_module(me, mt, _x(*shape), dtype)


def test_layer_norm_gradcheck_double_backward_and_error():
    x = ember.tensor(_x(3, 4), requires_grad=True)
    w = ember.tensor(_x(4, seed=1), requires_grad=True)
    b = ember.tensor(_x(4, seed=2), requires_grad=True)
    assert ember.autograd.gradcheck(lambda x, w, b: F.layer_norm(x, (4,), w, b), (x, w, b))
    assert ember.autograd.gradgradcheck(lambda x, w, b: F.layer_norm(x, (4,), w, b), (x, w, b))
    with pytest.raises(RuntimeError, match=r"Given normalized_shape=\[3\], expected input with shape \[\*, 3\], "
                                           r"but got input of size\[4, 4\]"):
        ember.nn.LayerNorm(3)(ember.randn(4, 4))


@pytest.mark.parametrize("shape,norm", [((4, 6), 6), ((2, 3, 4), (3, 4))])
@pytest.mark.parametrize("cfg", [dict(), dict(elementwise_affine=False), dict(eps=1e-3)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_rmsnorm(shape, norm, cfg, dtype):
    me, mt = ember.nn.RMSNorm(norm, **cfg), torch.nn.RMSNorm(norm, **cfg)
    assert repr(me) == repr(mt)
    if mt.weight is not None:
        with torch.no_grad():
            mt.weight.uniform_(0.5, 1.5)
    _run_module(me, mt, _x(*shape), dtype)


@pytest.mark.parametrize("groups,channels,shape", [(2, 4, (3, 4, 5)), (1, 3, (2, 3, 2, 2)), (3, 3, (2, 3, 2)),
                                                  (2, 6, (1, 6, 2, 3, 2))])
@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_groupnorm(groups, channels, shape, affine, dtype):
    me, mt = ember.nn.GroupNorm(groups, channels, affine=affine), torch.nn.GroupNorm(groups, channels, affine=affine)
    assert repr(me) == repr(mt)
    if affine:
        with torch.no_grad():
            mt.weight.uniform_(0.5, 1.5)
            mt.bias.uniform_(-1, 1)
    _run_module(me, mt, _x(*shape), dtype)


def test_groupnorm_error():
    with pytest.raises(ValueError, match=r"num_channels \(3\) must be divisible by num_groups \(2\)"):
        ember.nn.GroupNorm(2, 3)
    x = ember.tensor(_x(2, 4, 3), requires_grad=True)
    assert ember.autograd.gradcheck(lambda x: F.group_norm(x, 2), (x,))


# ---- instance norm ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("cls,shape", [("InstanceNorm1d", (3, 4, 5)), ("InstanceNorm1d", (4, 5)),
                                       ("InstanceNorm2d", (2, 4, 3, 3)), ("InstanceNorm3d", (2, 4, 2, 3, 2))])
@pytest.mark.parametrize("cfg", [dict(), dict(affine=True), dict(track_running_stats=True),
                                 dict(affine=True, track_running_stats=True, momentum=0.2)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_instancenorm(cls, shape, cfg, dtype):
    me, mt = getattr(ember.nn, cls)(4, **cfg), getattr(torch.nn, cls)(4, **cfg)
    assert repr(me) == repr(mt)
    if cfg.get("affine"):
        with torch.no_grad():
            mt.weight.uniform_(0.5, 1.5)
            mt.bias.uniform_(-1, 1)
    _run_module(me, mt, _x(*shape), dtype, steps=2, modes=("train", "eval"))


def test_instancenorm_errors():
    with pytest.raises(ValueError, match=r"expected 3D or 4D input \(got 2D input\)"):
        ember.nn.InstanceNorm2d(3)(ember.randn(3, 4))
    with pytest.raises(ValueError, match=r"expected input's size at dim=1 to match num_features \(3\), but got: 4."):
        ember.nn.InstanceNorm1d(3, affine=True)(ember.randn(2, 4, 5))


def _load_outcome(lib, make, source, as_plain_dict, strict=True, drop=(), metadata_version="keep"):
    """What ``make().load_state_dict(source's state dict)`` does in ``lib``: (exception type, message) or the
    result's repr, plus the module's num_batches_tracked and whether the caller's dict was left untouched."""
    module = eval(f"lib.nn.{make}")
    sd = eval(f"lib.nn.{source}").state_dict()
    if metadata_version != "keep":
        sd._metadata[""] = {} if metadata_version is None else {"version": metadata_version}
    sd = dict(sd) if as_plain_dict else sd
    for key in drop:
        sd.pop(key)
    before = list(sd)
    try:
        outcome = repr(module.load_state_dict(sd, strict=strict))
    except RuntimeError as err:
        outcome = ("RuntimeError", str(err))
    tracked = getattr(module, "num_batches_tracked", None)
    return outcome, None if tracked is None else int(tracked), list(sd) == before


@pytest.mark.parametrize("make,source,kw", [
    ("InstanceNorm2d(3)", "BatchNorm2d(3)", dict(as_plain_dict=True)),
    ("InstanceNorm2d(3)", "BatchNorm2d(3)", dict(as_plain_dict=True, strict=False)),
    ("InstanceNorm2d(3)", "BatchNorm2d(3)", dict(as_plain_dict=False)),
    ("InstanceNorm2d(3)", "BatchNorm2d(3)", dict(as_plain_dict=False, strict=False)),
    ("InstanceNorm1d(3, affine=True)", "InstanceNorm1d(3, affine=True, track_running_stats=True)",
     dict(as_plain_dict=True)),
    ("InstanceNorm1d(3, affine=True)", "InstanceNorm1d(3, affine=True, track_running_stats=True)",
     dict(as_plain_dict=True, strict=False, drop=("running_var",))),
    ("InstanceNorm3d(3)", "InstanceNorm3d(3, track_running_stats=True)",
     dict(as_plain_dict=False, strict=False, metadata_version=None)),
    ("InstanceNorm3d(3)", "InstanceNorm3d(3, track_running_stats=True)",
     dict(as_plain_dict=False, strict=False, metadata_version=1)),
    ("InstanceNorm1d(3, track_running_stats=True)", "InstanceNorm1d(3, track_running_stats=True)",
     dict(as_plain_dict=True, drop=("num_batches_tracked",))),
    ("InstanceNorm1d(3, track_running_stats=True)", "InstanceNorm1d(3)", dict(as_plain_dict=True)),
    ("Sequential(lib.nn.Conv2d(3, 3, 1), lib.nn.InstanceNorm2d(3))",
     "Sequential(lib.nn.Conv2d(3, 3, 1), lib.nn.BatchNorm2d(3))", dict(as_plain_dict=True, strict=False)),
])
def test_instancenorm_loading_running_stats_matches_torch(make, source, kw):
    # untracked InstanceNorm refuses running stats from unversioned checkpoints (even non-strict), torch's wording
    assert _load_outcome(ember, make, source, **kw) == _load_outcome(torch, make, source, **kw)


# ---- local response norm -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("size,shape", [(2, (2, 5, 3)), (3, (2, 4, 3, 3)), (5, (1, 6, 2, 2, 2))])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_local_response_norm(size, shape, dtype):
    me = ember.nn.LocalResponseNorm(size, alpha=0.1, beta=0.6, k=2.0)
    mt = torch.nn.LocalResponseNorm(size, alpha=0.1, beta=0.6, k=2.0)
    assert repr(me) == repr(mt)
    _run_module(me, mt, _x(*shape), dtype)
    x = ember.tensor(_x(1, 4, 3), requires_grad=True)
    assert ember.autograd.gradcheck(lambda x: F.local_response_norm(x, 3, 0.1, 0.6, 2.0), (x,))


def test_reprs_with_options():
    for args, kw in [((3,), dict(eps=1e-3, momentum=None, affine=False, track_running_stats=False))]:
        assert repr(ember.nn.BatchNorm2d(*args, **kw)) == repr(torch.nn.BatchNorm2d(*args, **kw))
    assert repr(ember.nn.LayerNorm([2, 3], bias=False)) == repr(torch.nn.LayerNorm([2, 3], bias=False))
    assert repr(ember.nn.RMSNorm(4, eps=1e-6)) == repr(torch.nn.RMSNorm(4, eps=1e-6))
