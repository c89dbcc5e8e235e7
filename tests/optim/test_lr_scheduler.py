"""Every scheduler's learning rates over 200 steps equal torch's (two param groups, with SGD+momentum or Adam)."""
import math
import warnings

import numpy as np
import pytest
import torch

import ember
from ember.optim import lr_scheduler as E
from torch.optim import lr_scheduler as T


def _optimizer(lib, kind="SGD"):
    p1 = (ember.nn.Parameter(ember.zeros(2)) if lib is ember else torch.nn.Parameter(torch.zeros(2)))
    p2 = (ember.nn.Parameter(ember.zeros(3)) if lib is ember else torch.nn.Parameter(torch.zeros(3)))
    groups = [{"params": [p1]}, {"params": [p2], "lr": 0.05}]
    if kind == "Adam":
        return lib.optim.Adam(groups, lr=0.1)
    return lib.optim.SGD(groups, lr=0.1, momentum=0.9)


SCHEDULERS = {
    "LambdaLR": lambda M, o: M.LambdaLR(o, lambda e: 0.95 ** e),
    "LambdaLR-list": lambda M, o: M.LambdaLR(o, [lambda e: 1 / (e + 1), lambda e: 0.99 ** e]),
    "MultiplicativeLR": lambda M, o: M.MultiplicativeLR(o, lambda e: 0.98),
    "StepLR": lambda M, o: M.StepLR(o, step_size=30, gamma=0.5),
    "MultiStepLR": lambda M, o: M.MultiStepLR(o, milestones=[20, 50, 50, 120], gamma=0.3),
    "ConstantLR": lambda M, o: M.ConstantLR(o, factor=0.25, total_iters=40),
    "LinearLR": lambda M, o: M.LinearLR(o, start_factor=0.1, end_factor=0.9, total_iters=60),
    "ExponentialLR": lambda M, o: M.ExponentialLR(o, gamma=0.97),
    "PolynomialLR": lambda M, o: M.PolynomialLR(o, total_iters=150, power=2.0),
    "CosineAnnealingLR": lambda M, o: M.CosineAnnealingLR(o, T_max=50, eta_min=0.001),
    "CosineAnnealingWarmRestarts": lambda M, o: M.CosineAnnealingWarmRestarts(o, T_0=10, T_mult=2, eta_min=1e-4),
    "CyclicLR-triangular": lambda M, o: M.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=15),
    "CyclicLR-triangular2": lambda M, o: M.CyclicLR(o, base_lr=[0.01, 0.02], max_lr=0.1, step_size_up=10,
                                                     step_size_down=25, mode="triangular2"),
    "CyclicLR-exp_range": lambda M, o: M.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=7, mode="exp_range",
                                                   gamma=0.99),
    "OneCycleLR-cos": lambda M, o: M.OneCycleLR(o, max_lr=0.5, total_steps=201),
    "OneCycleLR-linear3": lambda M, o: M.OneCycleLR(o, max_lr=[0.5, 0.2], epochs=10, steps_per_epoch=21,
                                                    anneal_strategy="linear", three_phase=True),
    "SequentialLR": lambda M, o: M.SequentialLR(o, [M.LinearLR(o, start_factor=0.1, total_iters=20),
                                                    M.CosineAnnealingLR(o, T_max=80),
                                                    M.ExponentialLR(o, gamma=0.98)], milestones=[20, 100]),
    "ChainedScheduler": lambda M, o: M.ChainedScheduler([M.ConstantLR(o, factor=0.5, total_iters=30),
                                                         M.ExponentialLR(o, gamma=0.99),
                                                         M.StepLR(o, step_size=40, gamma=0.5)]),
}


def _sequence(lib, module, build, kind="SGD", steps=200):
    opt = _optimizer(lib, kind)
    sched = build(module, opt)
    lrs = [sched.get_last_lr()]
    momenta = []
    for _ in range(steps):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr())
        group = opt.param_groups[0]
        momenta.append(group["betas"][0] if kind == "Adam" else group["momentum"])
    return lrs, momenta, getattr(sched, "last_epoch", None)


@pytest.mark.parametrize("name", list(SCHEDULERS))
def test_sequence_matches_torch(name):
    kind = "Adam" if name.startswith("OneCycle") else "SGD"
    steps = 209 if name == "OneCycleLR-linear3" else 200
    lrs_e, mom_e, last_e = _sequence(ember, E, SCHEDULERS[name], kind, steps)
    lrs_t, mom_t, last_t = _sequence(torch, T, SCHEDULERS[name], kind, steps)
    np.testing.assert_allclose(np.array(lrs_e), np.array(lrs_t), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(mom_e, mom_t, rtol=1e-13)
    assert last_e == last_t


@pytest.mark.parametrize("mode,threshold_mode", [("min", "rel"), ("max", "abs")])
def test_reduce_on_plateau_matches_torch(mode, threshold_mode):
    rng = np.random.default_rng(0)
    metrics = np.concatenate([np.linspace(1, 0.5, 40), 0.5 + 0.01 * rng.standard_normal(160)])
    if mode == "max":
        metrics = -metrics
    out = []
    for lib, module in ((ember, E), (torch, T)):
        opt = _optimizer(lib)
        sched = module.ReduceLROnPlateau(opt, mode=mode, factor=0.5, patience=5, threshold=1e-3,
                                         threshold_mode=threshold_mode, cooldown=3, min_lr=[1e-4, 2e-4])
        seq = []
        for m in metrics:
            opt.step()
            sched.step(float(m))
            seq.append(sched.get_last_lr())
        out.append((seq, sched.num_bad_epochs, sched.best))
    np.testing.assert_allclose(np.array(out[0][0]), np.array(out[1][0]), rtol=1e-14)
    assert out[0][1:] == out[1][1:]


def test_state_dict_round_trip_continues_the_sequence():
    opt = _optimizer(ember)
    sched = E.CosineAnnealingLR(opt, T_max=30)
    for _ in range(10):
        opt.step()
        sched.step()
    saved = sched.state_dict()
    assert "optimizer" not in saved and saved["last_epoch"] == 10
    opt2 = _optimizer(ember)
    opt2.load_state_dict(opt.state_dict())
    sched2 = E.CosineAnnealingLR(opt2, T_max=30)
    sched2.load_state_dict(saved)
    for _ in range(5):
        opt.step()
        sched.step()
        opt2.step()
        sched2.step()
    assert sched.get_last_lr() == sched2.get_last_lr()


def test_warns_when_scheduler_steps_before_optimizer():
    for module, lib in ((E, ember), (T, torch)):
        opt = _optimizer(lib)
        sched = module.StepLR(opt, step_size=2)
        with pytest.warns(UserWarning, match=r"Detected call of `lr_scheduler.step\(\)` before `optimizer.step\(\)`"):
            sched.step()
    opt = _optimizer(ember)
    sched = E.StepLR(opt, step_size=2)
    opt.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched.step()
        with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
            sched.get_lr()


def test_errors_match_torch():
    for module, lib in ((E, ember), (T, torch)):
        opt = _optimizer(lib)
        with pytest.raises(TypeError, match="is not an Optimizer"):
            module.StepLR(object(), 3)
        with pytest.raises(KeyError, match="initial_lr"):
            module.StepLR(opt, 3, last_epoch=4)
        with pytest.raises(ValueError, match="Factor should be < 1.0."):
            module.ReduceLROnPlateau(opt, factor=2.0)
        with pytest.raises(ValueError, match="Expected positive integer T_0, but got 0"):
            module.CosineAnnealingWarmRestarts(opt, T_0=0)
        with pytest.raises(ValueError, match="Sequential Schedulers expects number of schedulers"):
            module.SequentialLR(opt, [module.StepLR(opt, 2), module.StepLR(opt, 3)], milestones=[])


def test_tensor_lr_is_filled_in_place():
    p = ember.nn.Parameter(ember.zeros(2))
    lr = ember.tensor(0.1)
    opt = ember.optim.SGD([p], lr=lr)
    sched = E.ExponentialLR(opt, gamma=0.5)
    opt.step()
    sched.step()
    assert opt.param_groups[0]["lr"] is lr and math.isclose(float(lr), 0.05, rel_tol=1e-6)
