"""All of ``ember.nn``'s layer classes, gathered from one file per family."""
from __future__ import annotations

import importlib as _importlib

__all__ = []

# one file per family; each lists its public classes in __all__
_FILES = ["module", "container", "linear", "activation", "conv", "pooling", "padding", "pixelshuffle",
          "upsampling", "fold", "channelshuffle", "normalization", "batchnorm", "instancenorm", "dropout",
          "sparse", "loss", "distance", "flatten", "rnn", "transformer", "activation_attention"]

for _name in _FILES:
    try:
        _mod = _importlib.import_module(f"{__name__}.{_name}")
    except ModuleNotFoundError as _exc:  # a family not written yet
        if _exc.name != f"{__name__}.{_name}":
            raise
        continue
    for _cls in getattr(_mod, "__all__", ()):
        globals()[_cls] = getattr(_mod, _cls)
        __all__.append(_cls)
