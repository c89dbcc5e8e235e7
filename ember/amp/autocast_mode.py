"""Automatic mixed precision: ``autocast`` and the global autocast state (``torch.is_autocast_enabled`` ...).

While autocast is on for a device, the ops on torch's "lower precision" list (matrix products, linear,
convolutions, einsum) cast their floating-point inputs (float64 excepted) to the autocast dtype and return that
dtype; the ops on its "float32" list (the losses, cdist, prod ...) cast float16/bfloat16 inputs to float32; every
other op follows its inputs.  The hook is one list read at the entry of those ops
(``ember.ops.products._autocast``): ``None`` whenever autocast is off, so the normal path costs nothing.
"""
from __future__ import annotations

import functools
import warnings

from numpy import ndarray as _ndarray

from .. import _dtype as _dt
from ..ops import products as _products

__all__ = ["autocast", "is_autocast_available", "custom_fwd", "custom_bwd"]

_DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga", "maia",
                 "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone")

_enabled = {"cpu": False, "cuda": False}
_dtype = {"cpu": _dt.bfloat16, "cuda": _dt.float16}
_cache_enabled = [True]
_nesting = [0]
_cache = {}          # id(weight) -> (weight, version, casted): casts of leaves that require grad, per region


# ----------------------------------------------------------------------------------------------------------
# the op hook
# ----------------------------------------------------------------------------------------------------------

class _Policy:
    """Installed in ``ops.products._autocast`` while autocast is on for some device."""

    def cast(self, t):
        from ..tensor import Tensor
        if not isinstance(t, Tensor):
            return t
        device = "cpu" if type(t._data) is _ndarray else t.device.type
        if not _enabled.get(device):
            return t
        target = _dtype[device]
        if t.dtype is target or t.dtype not in (_dt.float32, _dt.float16, _dt.bfloat16):
            return t
        if _cache_enabled[0] and t.requires_grad and t._grad_fn is None:
            hit = _cache.get(id(t))
            if hit is not None and hit[0] is t and hit[1] == t._version:
                return hit[2]
            out = t.to(target)
            _cache[id(t)] = (t, t._version, out)
            return out
        return t.to(target)

    def plain(self, fn, *args, **kwargs):
        """Call ``fn`` as written (an op outside the lists that is built on one of the hooked ops)."""
        _products._autocast[0] = None
        try:
            return fn(*args, **kwargs)
        finally:
            _products._autocast[0] = self

    def fp32(self, fn, *args, **kwargs):
        """Call the float32-list op ``fn`` (losses, ...) with its float16/bfloat16 inputs in float32 (torch casts
        every floating input but float64, whatever the autocast dtype; nothing is cached), autocast off inside."""
        from ..tensor import Tensor

        def up(t):
            if not isinstance(t, Tensor) or t.dtype not in (_dt.float16, _dt.bfloat16):
                return t
            return t.to(_dt.float32) if _enabled.get("cpu" if type(t._data) is _ndarray else t.device.type) else t
        args = [up(a) for a in args]
        kwargs = {k: up(v) for k, v in kwargs.items()}
        _products._autocast[0] = None
        try:
            return fn(*args, **kwargs)
        finally:
            _products._autocast[0] = self

    def run(self, fn, *args, **kwargs):
        """Call the lower-precision op ``fn`` with its floating inputs cast, autocast off inside it."""
        from ..tensor import Tensor
        args = [self.cast(a) if not isinstance(a, (list, tuple)) else type(a)(self.cast(x) for x in a)
                for a in args]
        _products._autocast[0] = None        # ops called inside fn run as written
        try:
            out = fn(*args, **kwargs)
        finally:
            _products._autocast[0] = self
        if isinstance(out, Tensor) and out.dtype is _dt.float32:
            # ember's bfloat16 products accumulate and return in float32: round the fresh result once, as torch
            # does, in place (the graph stays torch's: no extra cast node after the product)
            device = "cpu" if type(out._data) is _ndarray else out.device.type
            floats = [a for a in args if isinstance(a, Tensor) and a.is_floating_point()]
            if _enabled.get(device) and floats and all(a.dtype is _dtype[device] for a in floats):
                out._data = out._data.astype(_dtype[device].np)
        return out


_POLICY = _Policy()


def _install():
    _products._autocast[0] = _POLICY if any(_enabled.values()) else None


def _snapshot():
    return dict(_enabled), dict(_dtype), _cache_enabled[0]


def _restore(state):
    if state is None:
        return
    enabled, dtypes, cache = state
    _enabled.update(enabled)
    _dtype.update(dtypes)
    _cache_enabled[0] = cache
    _install()


# ----------------------------------------------------------------------------------------------------------
# the global state, as torch's top-level functions
# ----------------------------------------------------------------------------------------------------------

def _device_type(device_type):
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    kind = device_type.split(":")[0]
    if kind not in _DEVICE_TYPES:
        raise RuntimeError(f"Expected one of {', '.join(_DEVICE_TYPES)} device type at start of device string: "
                           f"{device_type}")
    return kind


def is_autocast_available(device_type):
    """Whether autocast can be used on ``device_type`` (``'cpu'`` always; ``'cuda'`` with a GPU)."""
    kind = _device_type(device_type)
    if kind == "cuda":
        from .. import cuda
        return cuda.is_available()
    return kind == "cpu"


def is_autocast_enabled(device_type=None):
    """``torch.is_autocast_enabled()``: without an argument, whether CUDA autocast is on (as torch)."""
    return _enabled.get(_device_type(device_type) if device_type is not None else "cuda", False)


def set_autocast_enabled(device_type, enabled=None):
    if enabled is None:                      # the old one-argument form is about CUDA
        device_type, enabled = "cuda", device_type
    _enabled[_device_type(device_type)] = bool(enabled)
    _install()


def get_autocast_dtype(device_type):
    return _dtype.get(_device_type(device_type), _dt.float16)


def set_autocast_dtype(device_type, dtype):
    _dtype[_device_type(device_type)] = dtype


def is_autocast_cpu_enabled():
    return _enabled["cpu"]


def set_autocast_cpu_enabled(enabled):
    set_autocast_enabled("cpu", enabled)


def get_autocast_cpu_dtype():
    return _dtype["cpu"]


def set_autocast_cpu_dtype(dtype):
    _dtype["cpu"] = dtype


def get_autocast_gpu_dtype():
    return _dtype["cuda"]


def set_autocast_gpu_dtype(dtype):
    _dtype["cuda"] = dtype


def is_autocast_cache_enabled():
    return _cache_enabled[0]


def set_autocast_cache_enabled(enabled):
    _cache_enabled[0] = bool(enabled)


def clear_autocast_cache():
    _cache.clear()


def autocast_increment_nesting():
    _nesting[0] += 1
    return _nesting[0]


def autocast_decrement_nesting():
    _nesting[0] -= 1
    return _nesting[0]


# ----------------------------------------------------------------------------------------------------------
# the context manager
# ----------------------------------------------------------------------------------------------------------

class autocast:
    """Run the ops of a region in mixed precision, as ``torch.autocast(device_type, dtype, enabled, cache_enabled)``.

    On the CPU the default dtype is ``bfloat16``; ``float16`` is also accepted.  Usable as a decorator.

    Example::

        >>> import ember
        >>> with ember.autocast("cpu"):
        ...     y = ember.nn.functional.linear(ember.randn(2, 3), ember.randn(4, 3))
        >>> y.dtype
        torch.bfloat16
    """

    def __init__(self, device_type, dtype=None, enabled=True, cache_enabled=None):
        self.device = _device_type(device_type)
        self.fast_dtype = get_autocast_dtype(self.device) if dtype is None else dtype
        self._cache_enabled = is_autocast_cache_enabled() if cache_enabled is None else cache_enabled
        self._enabled = enabled
        if enabled and self.device == "cpu" and self.fast_dtype not in (_dt.bfloat16, _dt.float16):
            warnings.warn("In CPU autocast, but the target dtype is not supported. Disabling autocast.\n"
                          "CPU Autocast only supports dtypes of torch.bfloat16, torch.float16 currently.")
            self._enabled = False
        elif enabled and self.device == "cuda" and not is_autocast_available("cuda"):
            warnings.warn("CUDA is not available or torch_xla is imported. Disabling autocast.")
            self._enabled = False
        elif enabled and self.device not in ("cpu", "cuda"):
            warnings.warn(f"User specified an unsupported autocast device_type '{self.device}'")
            self._enabled = False
        self._saved = []

    def __enter__(self):
        self._saved.append((_enabled.get(self.device, False), _dtype.get(self.device), _cache_enabled[0]))
        _enabled[self.device] = self._enabled
        _dtype[self.device] = self.fast_dtype
        _cache_enabled[0] = self._cache_enabled
        autocast_increment_nesting()
        _install()
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        if autocast_decrement_nesting() == 0:
            clear_autocast_cache()
        enabled, dtype, cache = self._saved.pop()
        _enabled[self.device] = enabled
        _dtype[self.device] = dtype
        _cache_enabled[0] = cache
        _install()
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def decorated(*args, **kwargs):
            with self:
                return func(*args, **kwargs)
        return decorated


# ----------------------------------------------------------------------------------------------------------
# custom autograd functions under autocast
# ----------------------------------------------------------------------------------------------------------

def custom_fwd(fwd=None, *, device_type, cast_inputs=None):
    """Decorator for a custom ``Function.forward``: with ``cast_inputs``, run it in that dtype with autocast off
    when called inside an autocast region; remember the autocast state for ``custom_bwd``."""
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)
    kind = _device_type(device_type)

    @functools.wraps(fwd)
    def decorated(*args, **kwargs):
        ctx = args[0]
        ctx._fwd_used_autocast = is_autocast_enabled(kind)
        ctx._autocast_dtype = get_autocast_dtype(kind)
        if cast_inputs is None or not ctx._fwd_used_autocast:
            return fwd(*args, **kwargs)
        from ..tensor import Tensor

        def cast(v):
            if isinstance(v, Tensor) and v.is_floating_point() and v.dtype is not _dt.float64:
                return v.to(cast_inputs)
            return v
        with autocast(kind, enabled=False):
            return fwd(*[cast(a) for a in args], **{k: cast(v) for k, v in kwargs.items()})
    return decorated


def custom_bwd(bwd=None, *, device_type):
    """Decorator for a custom ``Function.backward``: run it under the autocast state its forward saw."""
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)
    kind = _device_type(device_type)

    @functools.wraps(bwd)
    def decorated(ctx, *args, **kwargs):
        with autocast(kind, enabled=ctx._fwd_used_autocast, dtype=ctx._autocast_dtype):
            return bwd(ctx, *args, **kwargs)
    return decorated
