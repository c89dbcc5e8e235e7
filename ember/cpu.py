"""``ember.cpu``: the CPU device module, as ``torch.cpu`` (queries, no-op streams, the deprecated ``cpu.amp``)."""
from __future__ import annotations

import sys
import types

__all__ = ["is_available", "is_initialized", "synchronize", "current_device", "current_stream", "stream",
           "set_device", "device_count", "Stream", "StreamContext", "Event", "get_capabilities"]


def is_available() -> bool:
    return True


def is_initialized() -> bool:
    return True


def device_count() -> int:
    return 1


def current_device() -> str:
    return "cpu"


def set_device(device) -> None:
    """Does nothing: there is one CPU device."""


def synchronize(device=None) -> None:
    """Does nothing: CPU ops finish before they return."""


def get_capabilities():
    import numpy as np
    return {"numpy": np.__version__}


class Stream:
    """The CPU's one stream: work is done when the op returns."""

    def __init__(self, priority=-1):
        self.priority = priority

    def wait_stream(self, stream):
        pass

    def synchronize(self):
        pass

    def query(self):
        return True


class Event:
    def query(self):
        return True

    def record(self, stream=None):
        pass

    def synchronize(self):
        pass

    def wait(self, stream=None):
        pass


_current = Stream()


def current_stream(device=None):
    return _current


class StreamContext:
    def __init__(self, stream):
        self.stream = stream

    def __enter__(self):
        return self.stream

    def __exit__(self, *exc):
        return False


def stream(stream):
    return StreamContext(stream)


# ---- torch.cpu.amp: deprecated aliases of torch.amp with device 'cpu' --------------------------------------

def _make_amp():
    from . import _dtype
    from .amp._deprecated import deprecated_pair
    autocast, GradScaler = deprecated_pair("cpu", _dtype.bfloat16)

    module = types.ModuleType(__name__ + ".amp", "torch.cpu.amp: deprecated; use ember.amp with device 'cpu'.")
    module.autocast, module.GradScaler = autocast, GradScaler
    sys.modules[module.__name__] = module
    return module


def __getattr__(name):
    if name == "amp":
        module = _make_amp()
        globals()["amp"] = module
        return module
    raise AttributeError(f"module 'ember.cpu' has no attribute '{name}'")
