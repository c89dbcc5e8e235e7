"""``torch.cuda.amp``: deprecated aliases of ``torch.amp`` with device ``'cuda'`` (reached as ``ember.cuda.amp``)."""
from __future__ import annotations

from .. import _dtype
from ._deprecated import deprecated_pair
from .autocast_mode import custom_bwd as _custom_bwd, custom_fwd as _custom_fwd

__all__ = ["autocast", "GradScaler", "custom_fwd", "custom_bwd"]


autocast, GradScaler = deprecated_pair("cuda", _dtype.float16)


def custom_fwd(fwd=None, *, cast_inputs=None):
    return _custom_fwd(fwd, device_type="cuda", cast_inputs=cast_inputs)


def custom_bwd(bwd):
    return _custom_bwd(bwd, device_type="cuda")
