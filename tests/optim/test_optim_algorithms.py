"""Every algorithm and option combination: 30 steps on a small MLP give torch's parameters and state.

The runs have two parameter groups with different hyper-parameters, a parameter whose ``.grad`` is None every
third step, and a change of ``lr`` half-way."""
import numpy as np
import pytest
import torch

import ember
from _optim_common import Pair, assert_state_equal

# (algorithm, constructor options, overrides for the second parameter group)
CASES = [
    ("SGD", dict(lr=0.1), dict(lr=0.05)),
    ("SGD", dict(lr=0.1, momentum=0.9), dict(lr=0.05, momentum=0.5)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.2), dict(dampening=0.0)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True), dict(lr=0.02)),
    ("SGD", dict(lr=0.1, weight_decay=0.1), dict(weight_decay=0.0)),
    ("SGD", dict(lr=0.1, momentum=0.9, weight_decay=0.05, maximize=True), dict(lr=0.01)),
    ("SGD", dict(lr=0.1, momentum=0.8, nesterov=True, weight_decay=0.1, foreach=False), dict(lr=0.02)),
    ("Adam", dict(lr=0.01), dict(lr=0.05)),
    ("Adam", dict(lr=0.01, amsgrad=True), dict(betas=(0.8, 0.99))),
    ("Adam", dict(lr=0.01, weight_decay=0.1), dict(weight_decay=0.0, eps=1e-6)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, amsgrad=True, maximize=True), dict(lr=0.002)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True), dict(lr=0.03)),
    ("Adam", dict(lr=0.01, betas=(0.5, 0.9)), dict(betas=(0.95, 0.9999))),
    ("AdamW", dict(lr=0.01), dict(lr=0.05, weight_decay=0.1)),
    ("AdamW", dict(lr=0.01, amsgrad=True, weight_decay=0.05), dict(lr=0.02)),
    ("AdamW", dict(lr=0.01, maximize=True), dict(lr=0.02)),
    ("Adamax", dict(lr=0.02), dict(lr=0.01)),
    ("Adamax", dict(lr=0.02, weight_decay=0.1, betas=(0.8, 0.99)), dict(eps=1e-3)),
    ("Adamax", dict(lr=0.02, maximize=True), dict(lr=0.01)),
    ("NAdam", dict(lr=0.02), dict(lr=0.01)),
    ("NAdam", dict(lr=0.02, weight_decay=0.1), dict(momentum_decay=0.01)),
    ("NAdam", dict(lr=0.02, weight_decay=0.1, decoupled_weight_decay=True), dict(lr=0.005)),
    ("NAdam", dict(lr=0.02, maximize=True, betas=(0.8, 0.99)), dict(lr=0.01)),
    ("RAdam", dict(lr=0.02), dict(lr=0.01)),
    ("RAdam", dict(lr=0.02, weight_decay=0.1), dict(betas=(0.8, 0.99))),
    ("RAdam", dict(lr=0.02, weight_decay=0.1, decoupled_weight_decay=True), dict(lr=0.05)),
    ("RAdam", dict(lr=0.02, maximize=True), dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01), dict(lr=0.005)),
    ("RMSprop", dict(lr=0.01, centered=True), dict(alpha=0.9)),
    ("RMSprop", dict(lr=0.01, momentum=0.9), dict(momentum=0.5)),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.9, weight_decay=0.1, maximize=True), dict(lr=0.001)),
    ("Adagrad", dict(lr=0.1), dict(lr=0.05)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.05), dict(eps=1e-6)),
    ("Adagrad", dict(lr=0.1, initial_accumulator_value=0.1, weight_decay=0.1), dict(lr=0.01)),
    ("Adagrad", dict(lr=0.1, maximize=True), dict(lr_decay=0.1)),
    ("Adadelta", dict(), dict(lr=0.5)),
    ("Adadelta", dict(lr=2.0, rho=0.8, weight_decay=0.1), dict(eps=1e-4)),
    ("Adadelta", dict(maximize=True), dict(rho=0.95)),
    ("ASGD", dict(lr=0.05), dict(lr=0.01)),
    ("ASGD", dict(lr=0.05, t0=5, lambd=1e-2, alpha=0.5), dict(t0=10)),
    ("ASGD", dict(lr=0.05, t0=3, weight_decay=0.1, maximize=True), dict(lambd=1e-3)),
    ("Rprop", dict(lr=0.01), dict(lr=0.001)),
    ("Rprop", dict(lr=0.01, etas=(0.3, 1.5), step_sizes=(1e-4, 0.05)), dict(etas=(0.6, 1.1))),
    ("Rprop", dict(lr=0.01, maximize=True), dict(step_sizes=(1e-3, 0.02))),
]


def _run(name, options, group1, dtype, steps=30):
    pair = Pair(dtype)
    opt_e = getattr(ember.optim, name)(pair.groups(ember, True, group1), **options)
    opt_t = getattr(torch.optim, name)(pair.groups(torch, True, group1), **options)
    for i in range(steps):
        if i == steps // 2:
            for opt in (opt_e, opt_t):
                for group in opt.param_groups:
                    group["lr"] = group["lr"] * 0.5
        opt_e.zero_grad()
        opt_t.zero_grad()
        use_extra = i % 3 != 1
        pair.backward(use_extra)
        if not use_extra:
            assert pair.params_e["extra"].grad is None
        opt_e.step()
        opt_t.step()
    return pair, opt_e, opt_t


@pytest.mark.parametrize("dtype,rtol", [(np.float64, 1e-10), (np.float32, 1e-5)], ids=["float64", "float32"])
@pytest.mark.parametrize("name,options,group1", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_thirty_steps_match_torch(name, options, group1, dtype, rtol):
    pair, opt_e, opt_t = _run(name, options, group1, dtype)
    pair.assert_close(rtol, atol=1e-12 if dtype is np.float64 else 1e-6)
    # state is compared too (layout, dtypes, values); float32 moments near cancellation get a looser bound
    assert_state_equal(opt_e.state_dict(), opt_t.state_dict(), rtol=1e-9 if dtype is np.float64 else 1e-4,
                       atol=1e-12 if dtype is np.float64 else 1e-5)


def _tensor_options(lib, name, dtype):
    """Hyper-parameters given as 0-d tensors (float32 as ``torch.tensor(0.01)`` makes them)."""
    lr = lib.tensor(0.01, dtype=dtype)
    if name == "Adam":
        return dict(lr=lr, betas=(lib.tensor(0.9, dtype=dtype), lib.tensor(0.99, dtype=dtype)), weight_decay=0.1)
    return dict(lr=lr)


@pytest.mark.parametrize("param_dtype,rtol", [(np.float64, 1e-10), (np.float32, 1e-5)], ids=["float64", "float32"])
@pytest.mark.parametrize("scalar_dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "RMSprop", "Adagrad",
                                  "Adadelta", "ASGD", "Rprop"])
def test_tensor_hyper_parameters(name, scalar_dtype, param_dtype, rtol):
    pair = Pair(param_dtype)
    opt_e = getattr(ember.optim, name)(pair.groups(ember, False),
                                       **_tensor_options(ember, name, getattr(ember, scalar_dtype)))
    opt_t = getattr(torch.optim, name)(pair.groups(torch, False),
                                       **_tensor_options(torch, name, getattr(torch, scalar_dtype)))
    for _ in range(30):
        opt_e.zero_grad()
        opt_t.zero_grad()
        pair.backward()
        opt_e.step()
        opt_t.step()
    pair.assert_close(rtol, atol=1e-12 if param_dtype is np.float64 else 1e-6)


# float64 only: L-BFGS's line search branches on float comparisons of the loss, which float32 rounding in the
# two libraries' forward passes can flip
# LBFGS's curvature pairs and line search amplify last-bit differences of the two libraries' float64 gradients
@pytest.mark.parametrize("dtype,rtol", [(np.float64, 1e-8)], ids=["float64"])
@pytest.mark.parametrize("options", [dict(), dict(line_search_fn="strong_wolfe"),
                                     dict(lr=0.5, history_size=3, max_iter=5),
                                     dict(line_search_fn="strong_wolfe", history_size=4, max_iter=7, max_eval=9)])
def test_lbfgs_matches_torch(options, dtype, rtol):
    pair = Pair(dtype)
    opt_e = ember.optim.LBFGS(pair.groups(ember, False), **options)
    opt_t = torch.optim.LBFGS(pair.groups(torch, False), **options)

    def closure_e():
        opt_e.zero_grad()
        loss = pair.loss_e()
        loss.backward()
        return loss

    def closure_t():
        opt_t.zero_grad()
        loss = pair.loss_t()
        loss.backward()
        return loss

    for _ in range(4):
        loss_e = opt_e.step(closure_e)
        loss_t = opt_t.step(closure_t)
        np.testing.assert_allclose(float(loss_e), float(loss_t.detach()), rtol=rtol)
    pair.assert_close(rtol, atol=1e-8 if dtype is np.float64 else 1e-5)
    st_e, st_t = opt_e.state[pair.params_e["w1"]], opt_t.state[pair.params_t["w1"]]
    assert st_e["func_evals"] == st_t["func_evals"] and st_e["n_iter"] == st_t["n_iter"]
