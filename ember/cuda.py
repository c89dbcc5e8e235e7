"""``ember.cuda``: GPU queries.  ``is_available()`` is True only when CuPy sees an NVIDIA GPU."""
from __future__ import annotations

__all__ = ["is_available", "device_count", "manual_seed", "manual_seed_all", "synchronize", "current_device",
           "set_device", "empty_cache", "get_device_name"]


def is_available() -> bool:
    from .backend import cuda_available
    return cuda_available()


def device_count() -> int:
    if not is_available():
        return 0
    import cupy
    return cupy.cuda.runtime.getDeviceCount()


def _require():
    if not is_available():
        raise RuntimeError("ember: CUDA is not available (CuPy is missing or no NVIDIA GPU was found). Install "
                           "CuPy (`pip install cupy-cuda12x`) on a machine with an NVIDIA GPU.")


def manual_seed(seed):
    if is_available():
        import cupy
        cupy.random.seed(int(seed) & 0xFFFFFFFF)


manual_seed_all = manual_seed


def synchronize(device=None):
    if is_available():
        import cupy
        cupy.cuda.Device().synchronize()


def current_device() -> int:
    _require()
    import cupy
    return cupy.cuda.Device().id


def set_device(device):
    _require()
    import cupy
    from .device import as_device
    d = as_device(device) if not isinstance(device, int) else None
    cupy.cuda.Device(device if isinstance(device, int) else (d.index or 0)).use()


def empty_cache():
    if is_available():
        import cupy
        cupy.get_default_memory_pool().free_all_blocks()


def get_device_name(device=None):
    _require()
    import cupy
    idx = 0 if device is None else (device if isinstance(device, int) else (device.index or 0))
    return cupy.cuda.runtime.getDeviceProperties(idx)["name"].decode()


def __getattr__(name):   # ``torch.cuda.amp`` (deprecated aliases), loaded on first use
    if name == "amp":
        from .amp import cuda_amp
        return cuda_amp
    raise AttributeError(f"module 'ember.cuda' has no attribute '{name}'")
