"""``ember.nn``: modules, parameters, the functional API, init and utilities."""
from .parameter import Buffer, Parameter, UninitializedBuffer, UninitializedParameter  # noqa: F401
from .modules import *  # noqa: F401,F403
from . import functional, init, utils  # noqa: F401,E402


def __getattr__(name):  # nn.parallel (DistributedDataParallel) loads on first use
    if name in ("parallel", "attention"):
        import importlib
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'ember.nn' has no attribute '{name}'")
