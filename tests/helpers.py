"""Compare ember with torch on the same data (crossing through NumPy).

``to_torch`` / ``to_ember`` copy tensors across; ``assert_same`` compares values, dtype and shape;
``check_against_torch`` runs one function in both libraries on the same inputs and compares outputs and
gradients.  Tests import torch only through this module or directly; ember never does.
"""
from __future__ import annotations

import numpy as np
import torch

import ember

_E2T = {ember.float16: torch.float16, ember.bfloat16: torch.bfloat16, ember.float32: torch.float32,
        ember.float64: torch.float64, ember.int8: torch.int8, ember.int16: torch.int16, ember.int32: torch.int32,
        ember.int64: torch.int64, ember.uint8: torch.uint8, ember.bool: torch.bool,
        ember.complex64: torch.complex64, ember.complex128: torch.complex128}
_T2E = {v: k for k, v in _E2T.items()}


def e2t_dtype(d):
    return _E2T[d]


def t2e_dtype(d):
    return _T2E[d]


def to_numpy(x):
    """A NumPy copy of an ember or torch tensor (bfloat16 as float32)."""
    if isinstance(x, torch.Tensor):
        x = x.detach()
        if x.dtype == torch.bfloat16:
            return x.float().numpy().copy()
        return x.numpy().copy()
    if isinstance(x, ember.Tensor):
        a = x.detach()._host()
        return a.astype(np.float32) if a.dtype.kind == "V" else a.copy()
    return np.asarray(x)


def to_torch(x, requires_grad=None):
    if isinstance(x, ember.Tensor):
        t = torch.from_numpy(to_numpy(x)).to(_E2T[x.dtype])
        rg = x.requires_grad if requires_grad is None else requires_grad
        return t.requires_grad_(rg) if rg else t
    return x


def to_ember(x, requires_grad=None):
    if isinstance(x, torch.Tensor):
        e = ember.tensor(to_numpy(x), dtype=_T2E[x.dtype])
        rg = x.requires_grad if requires_grad is None else requires_grad
        return e.requires_grad_(rg) if rg else e
    return x


def assert_same(e, t, rtol=1e-5, atol=1e-6, check_dtype=True, equal_nan=True):
    """ember value ``e`` equals torch value ``t`` (tensors, numbers, or nested tuples/lists of them)."""
    if isinstance(t, (tuple, list)):
        assert isinstance(e, (tuple, list)), f"expected a sequence, got {type(e).__name__}"
        assert len(e) == len(t), f"length {len(e)} != {len(t)}"
        for a, b in zip(e, t):
            assert_same(a, b, rtol, atol, check_dtype, equal_nan)
        return
    if isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor), f"expected an ember Tensor, got {type(e).__name__}"
        assert tuple(e.shape) == tuple(t.shape), f"shape {tuple(e.shape)} != torch {tuple(t.shape)}"
        if check_dtype:
            assert e.dtype is _T2E[t.dtype], f"dtype {e.dtype} != torch {t.dtype}"
        a, b = to_numpy(e), to_numpy(t)
        if a.dtype.kind in "biu":
            np.testing.assert_array_equal(a, b)
        else:
            np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)
        return
    if t is None:
        assert e is None, f"expected None, got {e!r}"
        return
    np.testing.assert_allclose(np.asarray(e, dtype=np.float64), np.asarray(t, dtype=np.float64), rtol=rtol,
                               atol=atol)


def check_against_torch(fn_e, fn_t, inputs, rtol=1e-5, atol=1e-6, grad=True, check_dtype=True):
    """Run ``fn_e`` on ember copies and ``fn_t`` on torch copies of ``inputs`` (NumPy arrays or scalars);
    compare outputs, then (when ``grad``) the gradients of every floating input for a random cotangent."""
    e_in, t_in = [], []
    for x in inputs:
        if isinstance(x, np.ndarray):
            req = grad and x.dtype.kind == "f"
            e_in.append(ember.tensor(x, requires_grad=req))
            t_in.append(torch.tensor(x, requires_grad=req))
        else:
            e_in.append(x)
            t_in.append(x)
    out_e = fn_e(*e_in)
    out_t = fn_t(*t_in)
    assert_same(out_e, out_t, rtol, atol, check_dtype)
    if not grad:
        return out_e, out_t
    outs_e = out_e if isinstance(out_e, (tuple, list)) else (out_e,)
    outs_t = out_t if isinstance(out_t, (tuple, list)) else (out_t,)
    rng = np.random.default_rng(0)
    pairs = [(a, b) for a, b in zip(outs_e, outs_t) if isinstance(b, torch.Tensor) and b.requires_grad]
    if not pairs:
        return out_e, out_t
    cots = [rng.standard_normal(b.shape).astype(to_numpy(b).dtype) for _, b in pairs]
    diff_e = [x for x in e_in if isinstance(x, ember.Tensor) and x.requires_grad]
    diff_t = [x for x in t_in if isinstance(x, torch.Tensor) and x.requires_grad]
    ge = ember.autograd.grad([a for a, _ in pairs], diff_e, [ember.tensor(c) for c in cots], allow_unused=True)
    gt = torch.autograd.grad([b for _, b in pairs], diff_t, [torch.tensor(c) for c in cots], allow_unused=True)
    for a, b in zip(ge, gt):
        assert_same(a, b, rtol, atol, check_dtype)
    return out_e, out_t
