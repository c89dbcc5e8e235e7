"""``ember.testing.assert_close`` with torch's semantics (dtype-based default tolerances)."""
from __future__ import annotations

import numpy as np

from . import _dtype as _dt
from .tensor import Tensor

__all__ = ["assert_close", "make_tensor"]

_TOL = {_dt.float16: (1e-3, 1e-5), _dt.bfloat16: (1.6e-2, 1e-5), _dt.float32: (1.3e-6, 1e-5),
        _dt.float64: (1e-7, 1e-7), _dt.complex64: (1.3e-6, 1e-5), _dt.complex128: (1e-7, 1e-7)}


def _as_array(x):
    if isinstance(x, Tensor):
        a = x.detach()._host()
        return a.astype(np.float64) if a.dtype.kind == "V" else a
    return np.asarray(x)


def assert_close(actual, expected, *, allow_subclasses=True, rtol=None, atol=None, equal_nan=False,
                 check_device=True, check_dtype=True, check_layout=True, check_stride=False, msg=None):
    """Raise AssertionError unless ``actual`` and ``expected`` are close (recursing into sequences/dicts)."""
    if isinstance(actual, (list, tuple)) and isinstance(expected, (list, tuple)):
        if len(actual) != len(expected):
            raise AssertionError(f"The length of the sequences mismatch: {len(actual)} != {len(expected)}")
        for a, e in zip(actual, expected):
            assert_close(a, e, rtol=rtol, atol=atol, equal_nan=equal_nan, check_dtype=check_dtype, msg=msg)
        return
    if isinstance(actual, dict) and isinstance(expected, dict):
        if set(actual) != set(expected):
            raise AssertionError(f"The keys of the mappings do not match: {sorted(actual)} != {sorted(expected)}")
        for k in actual:
            assert_close(actual[k], expected[k], rtol=rtol, atol=atol, equal_nan=equal_nan,
                         check_dtype=check_dtype, msg=msg)
        return
    if (rtol is None) != (atol is None):
        raise ValueError(f"Both 'rtol' and 'atol' must be either specified or omitted, but got no {'rtol' if rtol is None else 'atol'}.")
    if isinstance(actual, Tensor) and isinstance(expected, Tensor):
        if check_dtype and actual.dtype is not expected.dtype:
            raise AssertionError(msg or f"The values for attribute 'dtype' do not match: {actual.dtype} != "
                                        f"{expected.dtype}.")
        if actual.shape != expected.shape:
            raise AssertionError(msg or f"The values for attribute 'shape' do not match: {actual.shape} != "
                                        f"{expected.shape}.")
        dt = actual.dtype
    else:
        dt = _dt.float64 if isinstance(actual, float) else None
    if rtol is None:
        rtol, atol = _TOL.get(dt, (0.0, 0.0)) if dt is not None else (0.0, 0.0)
        if not isinstance(actual, Tensor) and isinstance(actual, float):
            rtol, atol = 1e-7, 1e-7
    a, e = _as_array(actual), _as_array(expected)
    if a.shape != e.shape:
        raise AssertionError(msg or f"Shapes do not match: {a.shape} != {e.shape}")
    ok = np.isclose(a, e, rtol=rtol, atol=atol, equal_nan=equal_nan)
    if not ok.all():
        bad = int((~ok).sum())
        diff = np.abs(a.astype(np.float64) - e.astype(np.float64)) if a.dtype.kind != "b" else (a != e)
        raise AssertionError(msg or f"Tensor-likes are not close!\n\nMismatched elements: {bad} / {a.size} "
                                    f"({100.0 * bad / max(a.size, 1):.1f}%)\nGreatest absolute difference: "
                                    f"{float(np.nanmax(diff))} (up to {atol} allowed)")


def make_tensor(*shape, dtype, device="cpu", low=None, high=None, requires_grad=False, noncontiguous=False,
                exclude_zero=False):
    from ._creation import tensor
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    d = _dt.as_dtype(dtype)
    rng = np.random.default_rng()
    lo = -9 if low is None else low
    hi = 9 if high is None else high
    if d is _dt.bool:
        arr = rng.integers(0, 2, shape).astype(bool)
    elif d.category == 1:
        arr = rng.integers(max(lo, 0) if not d.is_signed else lo, hi, shape)
    else:
        arr = rng.uniform(lo, hi, shape)
    if exclude_zero:
        arr = np.where(arr == 0, 1, arr)
    return tensor(arr, dtype=d, device=device, requires_grad=requires_grad)
