"""``ember.nn.utils``: gradient clipping, parameter/vector conversion, parametrizations, rnn packing."""
from __future__ import annotations

import importlib as _importlib

for _name in ("clip_grad", "convert_parameters", "fusion", "_prefix", "stateless", "parametrize",
              "parametrizations", "rnn", "weight_norm", "spectral_norm"):
    try:
        _mod = _importlib.import_module(f"{__name__}.{_name}")
    except ModuleNotFoundError as _exc:
        if _exc.name != f"{__name__}.{_name}":
            raise
        continue
    globals()[_name] = _mod
    for _fn in getattr(_mod, "__all__", ()):
        globals()[_fn] = getattr(_mod, _fn)

from . import prune  # noqa: E402  (torch keeps the pruning names in nn.utils.prune only)
