"""A small MLP built twice, in ember and in torch, from the same weights; a training loop run on both."""
from __future__ import annotations

import numpy as np
import torch

import ember

_E = {np.float32: ember.float32, np.float64: ember.float64}
_T = {np.float32: torch.float32, np.float64: torch.float64}


def make_weights(dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    shapes = {"w1": (8, 4), "b1": (8,), "w2": (3, 8), "b2": (3,), "extra": (3,)}
    weights = {k: (rng.standard_normal(s) * 0.5).astype(dtype) for k, s in shapes.items()}
    x = rng.standard_normal((16, 4)).astype(dtype)
    y = rng.standard_normal((16, 3)).astype(dtype)
    return weights, x, y


class Pair:
    """The same model in both libraries: ``params_e`` / ``params_t`` dicts of leaf parameters."""

    def __init__(self, dtype=np.float64, seed=0):
        weights, x, y = make_weights(dtype, seed)
        self.params_e = {k: ember.nn.Parameter(ember.tensor(v.copy())) for k, v in weights.items()}
        self.params_t = {k: torch.nn.Parameter(torch.tensor(v.copy())) for k, v in weights.items()}
        self.x_e, self.y_e = ember.tensor(x), ember.tensor(y)
        self.x_t, self.y_t = torch.tensor(x), torch.tensor(y)

    @staticmethod
    def _loss(lib, p, x, y, use_extra):
        h = lib.tanh(x @ p["w1"].T + p["b1"])
        out = h @ p["w2"].T + p["b2"]
        if use_extra:                   # "extra" gets a gradient only in the steps that use it
            out = out * p["extra"]
        return (out - y).pow(2).mean()

    def loss_e(self, use_extra=True):
        return self._loss(ember, self.params_e, self.x_e, self.y_e, use_extra)

    def loss_t(self, use_extra=True):
        return self._loss(torch, self.params_t, self.x_t, self.y_t, use_extra)

    def backward(self, use_extra=True):
        """Both losses backward.  In float32 the gradients of the two libraries differ by rounding and a 30-step
        run amplifies that near a minimum, so there ember's parameters get torch's gradients (copied through
        NumPy) and only the optimizers are compared; in float64 each library uses its own backward."""
        self.loss_e(use_extra).backward()
        self.loss_t(use_extra).backward()
        if self.x_t.dtype == torch.float32:
            for k, p in self.params_t.items():
                self.params_e[k].grad = None if p.grad is None else ember.tensor(p.grad.numpy().copy())

    def groups(self, lib, split, group1=None):
        """One group of everything, or two groups (``w1, b1`` | ``w2, b2, extra``) with ``group1`` overrides."""
        p = self.params_e if lib is ember else self.params_t
        if not split:
            return list(p.values())
        return [{"params": [p["w1"], p["b1"]]}, dict({"params": [p["w2"], p["b2"], p["extra"]]}, **(group1 or {}))]

    def assert_close(self, rtol, atol=0.0):
        """Parameters agree to ``rtol``; ``atol`` is relative to the largest magnitude in each tensor."""
        for k in self.params_e:
            a = self.params_e[k].detach().numpy()
            b = self.params_t[k].detach().numpy()
            np.testing.assert_allclose(a, b, rtol=rtol, atol=atol * max(float(np.abs(b).max()), 1.0), err_msg=k)


def convert(value, to):
    """Copy a (nested) optimizer state value across libraries tensor by tensor through NumPy."""
    if isinstance(value, torch.Tensor):
        return ember.tensor(value.detach().numpy().copy()) if to is ember else value
    if isinstance(value, ember.Tensor):
        return torch.tensor(value.detach().numpy().copy()) if to is torch else value
    if isinstance(value, dict):
        return {k: convert(v, to) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(convert(v, to) for v in value)
    return value


def assert_state_equal(sd_e, sd_t, rtol, atol=1e-12):
    """ember's and torch's optimizer state dicts have the same layout and values."""
    assert list(sd_e["state"].keys()) == list(sd_t["state"].keys())
    for key, st_t in sd_t["state"].items():
        st_e = sd_e["state"][key]
        assert list(st_e.keys()) == list(st_t.keys()), (key, list(st_e), list(st_t))
        for name, v_t in st_t.items():
            v_e = st_e[name]
            if isinstance(v_t, torch.Tensor):
                assert isinstance(v_e, ember.Tensor), name
                assert str(v_e.dtype) == str(v_t.dtype), (name, v_e.dtype, v_t.dtype)
                desired = v_t.detach().numpy()
                scale = float(np.abs(desired).max()) if desired.size else 0.0
                np.testing.assert_allclose(v_e.numpy(), desired, rtol=rtol, atol=atol * max(scale, 1.0), err_msg=name)
            else:
                assert v_e == v_t, name
    assert len(sd_e["param_groups"]) == len(sd_t["param_groups"])
    for g_e, g_t in zip(sd_e["param_groups"], sd_t["param_groups"]):
        assert list(g_e.keys()) == list(g_t.keys())
        for k in g_t:
            if isinstance(g_t[k], torch.Tensor):
                assert float(g_e[k]) == float(g_t[k])
            elif isinstance(g_t[k], tuple) and any(isinstance(b, torch.Tensor) for b in g_t[k]):
                assert [float(b) for b in g_e[k]] == [float(b) for b in g_t[k]]
            else:
                assert g_e[k] == g_t[k], k
