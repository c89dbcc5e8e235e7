"""``torch.accelerator``: the device-agnostic view of the current accelerator.

ember's only accelerator is CUDA through CuPy (``ember.cuda``); without it there is none, and, as in torch,
the functions that need a device raise "Cannot access accelerator device when none is available.".  The
tutorials' device choice ``torch.accelerator.current_accelerator().type if torch.accelerator.is_available()
else "cpu"`` works either way.
"""
from __future__ import annotations

import contextlib
import warnings

from . import cuda as _cuda
from .device import device as _device

__all__ = ["is_available", "current_accelerator", "device_count", "current_device_index", "current_device_idx",
           "set_device_index", "set_device_idx", "device_index", "synchronize", "empty_cache"]

_NONE = "Cannot access accelerator device when none is available."


def is_available() -> bool:
    return _cuda.is_available()


def current_accelerator(check_available: bool = False):
    """``device(type='cuda')`` when a GPU is usable, else None."""
    return _device("cuda") if _cuda.is_available() else None


def device_count() -> int:
    return _cuda.device_count() if _cuda.is_available() else 0


def _require():
    if not _cuda.is_available():
        raise RuntimeError(_NONE)


def current_device_index() -> int:
    _require()
    return _cuda.current_device()


def current_device_idx() -> int:
    warnings.warn("Use `current_device_index` instead.", FutureWarning, stacklevel=2)
    return current_device_index()


def set_device_index(device) -> None:
    _require()
    _cuda.set_device(device)


def set_device_idx(device) -> None:
    warnings.warn("Use `set_device_index` instead.", FutureWarning, stacklevel=2)
    set_device_index(device)


@contextlib.contextmanager
def device_index(device):
    """Make ``device`` (an index, or None for no change) current inside the block."""
    if device is None:
        yield
        return
    _require()
    prev = _cuda.current_device()
    _cuda.set_device(device)
    try:
        yield
    finally:
        _cuda.set_device(prev)


def synchronize(device=None) -> None:
    _require()
    _cuda.synchronize(device)


def empty_cache() -> None:
    _require()
    _cuda.empty_cache()
