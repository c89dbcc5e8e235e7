"""The deprecated per-device aliases ``torch.cuda.amp.autocast`` / ``GradScaler`` and ``torch.cpu.amp.*``:
``torch.amp``'s classes with the device fixed and torch's FutureWarning."""
from __future__ import annotations

import warnings

from .autocast_mode import autocast as _autocast
from .grad_scaler import GradScaler as _GradScaler


def deprecated_pair(device, default_dtype):
    """``(autocast, GradScaler)`` classes for ``torch.<device>.amp``."""

    class autocast(_autocast):
        __doc__ = f"``torch.{device}.amp.autocast``: ``torch.amp.autocast('{device}', ...)``, deprecated."

        def __init__(self, enabled=True, dtype=default_dtype, cache_enabled=True):
            warnings.warn(f"`torch.{device}.amp.autocast(args...)` is deprecated. Please use "
                          f"`torch.amp.autocast('{device}', args...)` instead.", FutureWarning, stacklevel=2)
            super().__init__(device, enabled=enabled, dtype=dtype, cache_enabled=cache_enabled)

    class GradScaler(_GradScaler):
        __doc__ = f"``torch.{device}.amp.GradScaler``: ``torch.amp.GradScaler('{device}', ...)``, deprecated."

        def __init__(self, init_scale=2.0 ** 16, growth_factor=2.0, backoff_factor=0.5, growth_interval=2000,
                     enabled=True):
            warnings.warn(f"`torch.{device}.amp.GradScaler(args...)` is deprecated. Please use "
                          f"`torch.amp.GradScaler('{device}', args...)` instead.", FutureWarning, stacklevel=2)
            super().__init__(device, init_scale, growth_factor, backoff_factor, growth_interval, enabled)

    return autocast, GradScaler
