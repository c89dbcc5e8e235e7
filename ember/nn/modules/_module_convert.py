"""``Module.to``'s argument parsing: torch's three signatures, and its errors for anything else.

    to(device=None, dtype=None, non_blocking=False)    device: str, torch.device or int; both may be None
    to(dtype, non_blocking=False)
    to(tensor, non_blocking=False)                      tensor's device and dtype

each also with ``memory_format=`` (accepted, ignored: ember tensors are always row-major) and a ``copy`` flag
that Module.to refuses.
"""
from __future__ import annotations

from ... import _dtype as _dt
from ...device import device as _device
from ...tensor import Tensor

__all__ = []

_MEMORY_FORMAT_KW = ("non_blocking", "copy", "memory_format")


def _is_device(v):
    return isinstance(v, (str, _device)) or (isinstance(v, int) and not isinstance(v, bool))


def _typename(v):
    if isinstance(v, Tensor):
        return type(v).__name__
    if isinstance(v, _dt.dtype):
        return "torch.dtype"
    if isinstance(v, _device):
        return "torch.device"
    return type(v).__name__


def _invalid(args, kwargs):
    parts = [_typename(a) for a in args] + [f"{k}={_typename(v)}" for k, v in reversed(list(kwargs.items()))]
    inner = ", ".join(parts) if args else ", ".join(parts) + ", "
    return TypeError(f"to() received an invalid combination of arguments - got ({inner}), but expected one of:\n"
                     " * (torch.device device = None, torch.dtype dtype = None, bool non_blocking = False, bool copy "
                     "= False, *, torch.memory_format memory_format = None)\n"
                     " * (torch.dtype dtype, bool non_blocking = False, bool copy = False, *, torch.memory_format "
                     "memory_format = None)\n"
                     " * (Tensor tensor, bool non_blocking = False, bool copy = False, *, torch.memory_format "
                     "memory_format = None)\n")


def _bind(args, kwargs, names, checks):
    """Match ``args``/``kwargs`` to parameters ``names`` with type ``checks``; a dict, or None if they don't fit."""
    if len(args) > len(names):
        return None
    bound = dict(zip(names, args))
    for k, v in kwargs.items():
        if k == "memory_format":
            continue
        if k not in names or k in bound:
            return None
        bound[k] = v
    for k, v in bound.items():
        if not checks[k](v):
            return None
    return bound


_CHECKS = {
    "device": lambda v: v is None or _is_device(v),
    "dtype": lambda v: v is None or isinstance(v, _dt.dtype),
    "dtype!": lambda v: isinstance(v, _dt.dtype),
    "tensor": lambda v: isinstance(v, Tensor),
    "non_blocking": lambda v: isinstance(v, bool),
    "copy": lambda v: isinstance(v, bool),
}


def parse_module_to(args, kwargs):
    """(device, dtype, non_blocking) from ``Module.to(*args, **kwargs)``, or torch's TypeError/RuntimeError."""
    args, kwargs = tuple(args), dict(kwargs)
    b = _bind(args, kwargs, ("device", "dtype", "non_blocking", "copy"), _CHECKS)
    if b is None:
        c = dict(_CHECKS, dtype=_CHECKS["dtype!"])
        b = _bind(args, kwargs, ("dtype", "non_blocking", "copy"), c)
    if b is None:
        b = _bind(args, kwargs, ("tensor", "non_blocking", "copy"), _CHECKS)
        if b is not None:
            b["device"], b["dtype"] = b["tensor"].device, b["tensor"].dtype
    if b is None:
        raise _invalid(args, kwargs)
    if b.get("copy"):
        raise RuntimeError(".to() does not accept copy argument")
    device = b.get("device")
    if device is not None:
        from ...device import as_device
        device = as_device(device if not isinstance(device, int) else f"cuda:{device}")
    return device, b.get("dtype"), b.get("non_blocking", False)
