"""Optimizer state dicts cross between torch and ember (tensor by tensor through NumPy) and training continues
identically; plus the base class's bookkeeping: groups, errors, zero_grad, hooks."""
import numpy as np
import pytest
import torch

import ember
from _optim_common import Pair, assert_state_equal, convert

MAKERS = {
    "Adam": lambda lib, ps: lib.optim.Adam(ps, lr=0.01, amsgrad=True),
    "SGD": lambda lib, ps: lib.optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True),
}


def _train(lib, pair, opt, steps):
    for _ in range(steps):
        opt.zero_grad()
        (pair.loss_e() if lib is ember else pair.loss_t()).backward()
        opt.step()


@pytest.mark.parametrize("name", list(MAKERS))
@pytest.mark.parametrize("direction", ["torch->ember", "ember->torch"])
def test_state_dict_crosses_and_continues(name, direction):
    pair = Pair(np.float64)
    src_lib, dst_lib = (torch, ember) if direction == "torch->ember" else (ember, torch)
    src_params = pair.groups(src_lib, True, {"lr": 0.02})
    src = MAKERS[name](src_lib, src_params)
    _train(src_lib, pair, src, 5)
    # the destination starts from the source's parameters and state
    for k in pair.params_e:
        if src_lib is torch:
            pair.params_e[k].data.copy_(ember.tensor(pair.params_t[k].detach().numpy().copy()))
        else:
            pair.params_t[k].data.copy_(torch.tensor(pair.params_e[k].detach().numpy().copy()))
    dst = MAKERS[name](dst_lib, pair.groups(dst_lib, True, {"lr": 0.02}))
    dst.load_state_dict(convert(src.state_dict(), dst_lib))
    sd_e, sd_t = (dst.state_dict(), src.state_dict()) if dst_lib is ember else (src.state_dict(), dst.state_dict())
    assert_state_equal(sd_e, sd_t, rtol=0)
    _train(src_lib, pair, src, 5)
    _train(dst_lib, pair, dst, 5)
    pair.assert_close(1e-10, atol=1e-12)


def test_state_dict_layout_and_load_errors():
    pair = Pair()
    opt = ember.optim.Adam(pair.groups(ember, True, {"lr": 0.5}), lr=0.1)
    _train(ember, pair, opt, 1)
    sd = opt.state_dict()
    assert list(sd) == ["state", "param_groups"]
    assert sd["param_groups"][0]["params"] == [0, 1] and sd["param_groups"][1]["params"] == [2, 3, 4]
    assert list(sd["param_groups"][0])[-1] == "params"
    step = sd["state"][0]["step"]
    assert isinstance(step, ember.Tensor) and step.dtype is ember.float32 and step.shape == () and float(step) == 1
    other = ember.optim.Adam(pair.groups(ember, False), lr=0.1)
    with pytest.raises(ValueError, match="loaded state dict has a different number of parameter groups"):
        other.load_state_dict(sd)
    bad = ember.optim.Adam([{"params": [pair.params_e["w1"]]}, {"params": [pair.params_e["w2"]]}])
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        bad.load_state_dict(sd)
    # loading casts floating state to the parameter's dtype and keeps the step counter's
    p32 = ember.nn.Parameter(ember.zeros(3, dtype=ember.float32))
    o32 = ember.optim.Adam([p32])
    o32.load_state_dict({"state": {0: {"step": ember.tensor(3.0), "exp_avg": ember.ones(3, dtype=ember.float64),
                                       "exp_avg_sq": ember.ones(3, dtype=ember.float64)}},
                         "param_groups": [dict(o32.state_dict()["param_groups"][0])]})
    assert o32.state[p32]["exp_avg"].dtype is ember.float32 and o32.state[p32]["step"].dtype is ember.float32


def test_constructor_and_group_errors_match_torch():
    for lib in (ember, torch):
        w = lib.nn.Parameter(lib.zeros(2))
        with pytest.raises(ValueError, match="^Invalid learning rate: -1$"):
            lib.optim.SGD([w], lr=-1)
        with pytest.raises(ValueError, match="^Invalid beta parameter at index 1: 1.0$"):
            lib.optim.Adam([w], betas=(0.9, 1.0))
        with pytest.raises(ValueError, match="^Invalid epsilon value: -1.0$"):
            lib.optim.RMSprop([w], eps=-1.0)
        with pytest.raises(ValueError, match="^Invalid momentum value: -0.5$"):
            lib.optim.SGD([w], lr=0.1, momentum=-0.5)
        with pytest.raises(ValueError, match="Nesterov momentum requires a momentum and zero dampening"):
            lib.optim.SGD([w], lr=0.1, nesterov=True)
        with pytest.raises(ValueError, match="^Invalid eta values: 1.5, 2$"):
            lib.optim.Rprop([w], etas=(1.5, 2))
        with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
            lib.optim.Adam([])
        with pytest.raises(TypeError, match="should be an iterable of Tensors or dicts, but got torch.FloatTensor"):
            lib.optim.Adam(w.detach())
        with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
            lib.optim.Adam([w * 2])
        opt = lib.optim.SGD([w], lr=0.1)
        with pytest.raises(TypeError, match="ordering of tensors in sets will change"):
            opt.add_param_group({"params": {lib.nn.Parameter(lib.zeros(1))}})
        with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
            opt.add_param_group({"params": [w]})
        with pytest.raises(ValueError, match="LBFGS doesn't support per-parameter options"):
            lib.optim.LBFGS([{"params": [w]}, {"params": [lib.nn.Parameter(lib.zeros(1))]}])


def test_groups_defaults_names_zero_grad_and_skipping():
    w, b = ember.nn.Parameter(ember.ones(2)), ember.nn.Parameter(ember.ones(1))
    opt = ember.optim.Adam([("w", w), ("b", b)], lr=0.1)
    tw, tb = torch.nn.Parameter(torch.ones(2)), torch.nn.Parameter(torch.ones(1))
    topt = torch.optim.Adam([("w", tw), ("b", tb)], lr=0.1)
    assert opt.param_groups[0].keys() == topt.param_groups[0].keys()
    assert opt.param_groups[0]["param_names"] == ["w", "b"]
    extra = ember.nn.Parameter(ember.ones(3))
    with pytest.raises(ValueError, match="cannot add param group without names"):
        opt.add_param_group({"params": [extra]})
    w.grad = ember.ones(2)
    opt.step()                                   # b has no grad: skipped, no state
    assert b not in opt.state and float(b.sum()) == 1.0
    opt.zero_grad(set_to_none=False)
    assert w.grad is not None and float(w.grad.abs().sum()) == 0.0
    opt.zero_grad()
    assert w.grad is None


def test_step_hooks_and_state_dict_hooks():
    w = ember.nn.Parameter(ember.ones(2))
    w.grad = ember.ones(2)
    opt = ember.optim.SGD([w], lr=0.1)
    calls = []
    h1 = opt.register_step_pre_hook(lambda o, args, kwargs: calls.append("pre"))
    h2 = opt.register_step_post_hook(lambda o, args, kwargs: calls.append("post"))
    g = ember.optim.optimizer.register_optimizer_step_pre_hook(lambda o, args, kwargs: calls.append("global"))
    opt.step()
    assert calls == ["global", "pre", "post"]
    for h in (h1, h2, g):
        h.remove()
    opt.step()
    assert calls == ["global", "pre", "post"]
    opt.register_state_dict_post_hook(lambda o, sd: dict(sd, extra=1))
    assert opt.state_dict()["extra"] == 1
    seen = []
    opt.register_load_state_dict_pre_hook(lambda o, sd: seen.append("pre"))
    opt.register_load_state_dict_post_hook(lambda o: seen.append("post"))
    opt.load_state_dict(opt.state_dict())
    assert seen == ["pre", "post"]


def test_closure_loss_is_returned():
    pair = Pair()
    opt = ember.optim.SGD(pair.groups(ember, False), lr=0.1)

    def closure():
        opt.zero_grad()
        loss = pair.loss_e()
        loss.backward()
        return loss
    loss = opt.step(closure)
    assert isinstance(loss, ember.Tensor) and loss.requires_grad


def test_import_ember_optim_does_not_import_torch():
    import subprocess
    import sys
    code = "import sys, ember, ember.optim.lr_scheduler, ember.optim.swa_utils; assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
