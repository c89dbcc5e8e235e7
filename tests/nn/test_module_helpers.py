"""Shared helpers for the Module tests: run the same user code on torch and on ember and compare.

``same(fn)`` runs ``fn(T)`` with ``T = torch`` and ``T = ember``.  ``fn`` is ordinary PyTorch user code
written against ``T``; it returns plain data (names, strings, numbers, tensors, nested lists) or raises.
Both runs must return equal data (tensors compared by value, dtype and shape; strings after writing
``ember`` as ``torch``) or raise the same exception type with the same message.
"""
from __future__ import annotations

import warnings

import numpy as np
import torch

import ember


def _norm_str(s):
    return s.replace("ember", "torch")


def plain(x):
    """A comparable form of ``x``: tensors become ("tensor", dtype name, array)."""
    if isinstance(x, (torch.Tensor, ember.Tensor)):
        arr = x.detach().float().numpy() if x.dtype in (torch.bfloat16, ember.bfloat16) else x.detach().numpy()
        return ("tensor", str(x.dtype), np.array(arr))
    if isinstance(x, (torch.dtype, ember.dtype, torch.device, ember.device)):
        return ("dtype/device", str(x))
    if isinstance(x, dict):
        return {plain(k): plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x)(plain(v) for v in x) if type(x) in (list, tuple) else tuple(plain(v) for v in x)
    if isinstance(x, str):
        return _norm_str(x)
    if isinstance(x, type):
        return _norm_str(f"{x.__module__}.{x.__qualname__}") if x.__module__ != "builtins" else x.__name__
    return x


def assert_plain_equal(e, t, path="result", rtol=1e-5, atol=1e-6):
    if isinstance(t, tuple) and len(t) == 3 and t[:1] == ("tensor",):
        assert isinstance(e, tuple) and e[:1] == ("tensor",), f"{path}: expected a tensor, got {e!r}"
        assert e[1] == t[1], f"{path}: dtype {e[1]} != torch {t[1]}"
        assert e[2].shape == t[2].shape, f"{path}: shape {e[2].shape} != torch {t[2].shape}"
        np.testing.assert_allclose(e[2], t[2], rtol=rtol, atol=atol, err_msg=path)
        return
    if isinstance(t, dict):
        assert isinstance(e, dict), f"{path}: expected a dict, got {e!r}"
        assert list(e.keys()) == list(t.keys()), f"{path}: keys {list(e)} != torch {list(t)}"
        for k in t:
            assert_plain_equal(e[k], t[k], f"{path}[{k!r}]", rtol, atol)
        return
    if isinstance(t, (list, tuple)):
        assert isinstance(e, (list, tuple)) and type(e) is type(t), f"{path}: expected {t!r}, got {e!r}"
        assert len(e) == len(t), f"{path}: length {len(e)} != torch {len(t)}: {e!r} vs {t!r}"
        for i, (a, b) in enumerate(zip(e, t)):
            assert_plain_equal(a, b, f"{path}[{i}]", rtol, atol)
        return
    if isinstance(t, float) and isinstance(e, float):
        np.testing.assert_allclose(e, t, rtol=rtol, atol=atol, err_msg=path)
        return
    assert e == t, f"{path}: {e!r} != torch {t!r}"


def outcome(fn, T):
    """("ok", plain result, warnings) or ("raise", exception type name, message, warnings)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            res = ("ok", plain(fn(T)))
        except Exception as exc:  # noqa: BLE001 - the exception itself is what we compare
            msg = str(exc) if not isinstance(exc, KeyError) else str(exc.args[0])
            res = ("raise", type(exc).__name__, _norm_str(msg))
    warned = [(w.category.__name__, _norm_str(str(w.message))) for w in caught
              if w.category is not DeprecationWarning]
    return res, warned


def same(fn, check_warnings=True, rtol=1e-5, atol=1e-6):
    """Run ``fn`` on torch and ember; both must agree (result or exception, and warnings). Returns ember's."""
    t_res, t_warn = outcome(fn, torch)
    e_res, e_warn = outcome(fn, ember)
    if t_res[0] == "raise" or e_res[0] == "raise":
        assert e_res == t_res, f"ember: {e_res}\ntorch: {t_res}"
    else:
        assert_plain_equal(e_res[1], t_res[1], rtol=rtol, atol=atol)
    if check_warnings:
        assert e_warn == t_warn, f"warnings differ:\nember: {e_warn}\ntorch: {t_warn}"
    return e_res


def det(T, *shape, seed=0, dtype="float32"):
    """The same pseudo-random tensor in either library."""
    rng = np.random.RandomState(seed + 7 * len(shape) + sum(shape))
    return T.tensor(rng.randn(*shape).astype(dtype))


_LIN = {}


def Lin(T):
    """A Linear-like module class for library ``T`` (the same class name and repr in both)."""
    if T in _LIN:
        return _LIN[T]

    class Lin(T.nn.Module):
        def __init__(self, in_features, out_features, bias=True, seed=0):
            super().__init__()
            self.in_features, self.out_features = in_features, out_features
            self.weight = T.nn.Parameter(det(T, out_features, in_features, seed=seed))
            if bias:
                self.bias = T.nn.Parameter(det(T, out_features, seed=seed + 1))
            else:
                self.register_parameter("bias", None)

        def forward(self, x):
            y = x @ self.weight.t()
            return y + self.bias if self.bias is not None else y

        def extra_repr(self):
            return (f"in_features={self.in_features}, out_features={self.out_features}, "
                    f"bias={self.bias is not None}")

    _LIN[T] = Lin
    return Lin


def test_helpers_detect_differences():
    # the comparison itself must be able to fail
    import pytest
    with pytest.raises(AssertionError):
        same(lambda T: T.ones(2) if T is torch else ember.zeros(2))
    with pytest.raises(AssertionError):
        same(lambda T: ["a"] if T is torch else ["b"])
    with pytest.raises(AssertionError):
        same(lambda T: 1 if T is torch else (_ for _ in ()).throw(ValueError("x")))
    same(lambda T: [T.ones(2, dtype=T.float64), "torch.nn", {"a": 1}])
