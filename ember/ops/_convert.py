"""Dtype and device conversion: ``cast`` (differentiable), ``Tensor.to``."""
from __future__ import annotations

import numpy as np

from .. import _dtype as _dt
from ..autograd.function import Op
from ..device import as_device, device as _device_cls
from ..tensor import Tensor, _wrap, _NP2DT


class Cast(Op):
    """y = x as another dtype; the gradient goes back in x's dtype."""

    _grad_name = "ToCopyBackward0"

    @staticmethod
    def forward(ctx, x, np_dtype):
        ctx.src = x.dtype
        return _astype(x, np_dtype)

    @staticmethod
    def backward(ctx, grad):
        if grad.is_complex() and ctx.src.kind != "c":     # the real input's gradient is the real part, silently
            grad = grad.real
        return grad.to(_NP2DT[ctx.src]), None


_warned_complex = [False]


def _astype(x, np_dtype):
    """``x`` as ``np_dtype``; complex to real keeps the real part and warns once per process, as torch does
    (NumPy's ComplexWarning would come on every call, and from internal conversions too)."""
    if x.dtype.kind == "c" and np.dtype(np_dtype).kind != "c":
        if not _warned_complex[0]:
            _warned_complex[0] = True
            import warnings
            warnings.warn("Casting complex values to real discards the imaginary part", UserWarning, stacklevel=4)
        x = x.real
    return x.astype(np_dtype)


def cast(t, dtype):
    dtype = _dt.as_dtype(dtype)
    if _NP2DT[t._data.dtype] is dtype:
        return t
    if t.requires_grad and dtype.category < 2:  # to an integer type: the result leaves the graph
        return _wrap(_astype(t._data, dtype.np))
    return Cast.apply(t, dtype.np)


class ToDevice(Op):
    """y = x on another device; the gradient goes back to x's device."""

    _grad_name = "ToCopyBackward0"

    @staticmethod
    def forward(ctx, x, dev):
        from ..backend import backend_of, get_backend
        src = backend_of(x)
        ctx.src_device = src.device_of(x)
        host = src.to_host(x)
        return get_backend(dev).from_host(host, dev) if dev.type != "cpu" else np.array(host, copy=True)

    @staticmethod
    def backward(ctx, grad):
        return grad.to(ctx.src_device), None


def _parse_to_args(t, args, kwargs):
    device = kwargs.pop("device", None)
    dtype = kwargs.pop("dtype", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() received an invalid combination of arguments: unexpected {sorted(kwargs)}")
    for a in args:
        if isinstance(a, Tensor):
            device, dtype = a.device, a.dtype
        elif isinstance(a, _dt.dtype):
            dtype = a
        elif isinstance(a, (str, _device_cls)) or (isinstance(a, int) and not isinstance(a, bool)):
            device = a if not isinstance(a, int) else f"cuda:{a}"
        elif isinstance(a, bool):
            copy = a if dtype is not None or device is not None else copy
        elif a is None:
            continue
        else:
            dtype = _dt.as_dtype(a)
    return (as_device(device) if device is not None else None), \
        (_dt.as_dtype(dtype) if dtype is not None else None), copy


def to(t, *args, **kwargs):
    """``t.to(device)``, ``t.to(dtype)``, ``t.to(device, dtype)``, ``t.to(other)``; returns ``t`` when
    nothing changes (unless ``copy=True``)."""
    device, dtype, copy = _parse_to_args(t, list(args), dict(kwargs))
    out = t
    if device is not None and device != t.device:
        if device.type == "cuda" and device.index is None:
            device = _device_cls("cuda", 0)
        if device != t.device:
            if device.type == "meta":
                raise RuntimeError("ember does not support the 'meta' device")
            out = ToDevice.apply(out, device)
    if dtype is not None and dtype is not out.dtype:
        out = cast(out, dtype)
    if copy and out is t:
        out = t.clone()
    return out
