"""``detect_anomaly`` / ``set_detect_anomaly``: name the forward op whose backward produced NaN.

Off by default and free when off: ``Function.apply`` reads one flag; only when it is on do nodes keep the
stack of their forward call, and the engine checks each backward's results for NaN.
"""
from __future__ import annotations

import warnings

from . import function as _function

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled"]

_enabled = _function._anomaly


def is_anomaly_enabled() -> bool:
    return _enabled[0]


class detect_anomaly:
    """Context manager (and decorator) that turns anomaly detection on."""

    def __init__(self, check_nan: bool = True):
        self.check_nan = check_nan
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime and should only "
                      "be enabled for debugging.", stacklevel=2)

    def __enter__(self):
        self._prev = _enabled[0]
        _enabled[0] = True

    def __exit__(self, *exc):
        _enabled[0] = self._prev
        return False

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*a, **k):
            with self:
                return fn(*a, **k)
        return wrapper


class set_detect_anomaly:
    """Set anomaly detection on or off; as a context manager, restore the previous state on exit."""

    def __init__(self, mode: bool, check_nan: bool = True):
        self._prev = _enabled[0]
        _enabled[0] = mode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        _enabled[0] = self._prev
        return False


def check_nan(node, grads_in):
    for i, g in enumerate(grads_in):
        if g is not None and g._data.dtype.kind in "fc" and bool((g._data != g._data).any()):
            trace = node._trace
            if trace:
                warnings.warn(f"Error detected in {node.name()}. Traceback of forward call that caused the "
                              f"error:\n{trace}", stacklevel=2)
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.")
