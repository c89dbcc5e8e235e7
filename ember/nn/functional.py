"""``ember.nn.functional``: the functions behind every layer.  Split by family into private files."""
from __future__ import annotations

import importlib as _importlib

from ..ops import (relu, softmax, log_softmax, sigmoid, tanh, pad)  # noqa: F401
from ..ops.products import linear  # noqa: F401

for _name in ("_functional_core", "_functional_spatial", "_functional_attention"):
    try:
        _mod = _importlib.import_module(f"ember.nn.{_name}")
    except ModuleNotFoundError as _exc:
        if _exc.name != f"ember.nn.{_name}":
            raise
        continue
    for _fn in getattr(_mod, "__all__", ()):
        globals()[_fn] = getattr(_mod, _fn)
