"""The CuPy backend: NVIDIA GPUs.  Imported only when a ``cuda`` device is used."""
from __future__ import annotations

from ..device import device as _device
from .base import Backend

try:
    import cupy as _cp
except ImportError as exc:  # pragma: no cover - depends on the machine
    raise RuntimeError("ember: the 'cuda' device needs CuPy, which is not installed. Install the matching "
                       "wheel, e.g. `pip install cupy-cuda12x` (or `pip install ember[cuda]`).") from exc

try:
    _N_DEVICES = _cp.cuda.runtime.getDeviceCount()
except Exception as exc:  # pragma: no cover - depends on the machine
    raise RuntimeError(f"ember: CuPy is installed but no usable NVIDIA GPU was found ({exc}).") from exc
if _N_DEVICES == 0:  # pragma: no cover
    raise RuntimeError("ember: CuPy is installed but no NVIDIA GPU was found.")


class CupyBackend(Backend):
    name = "cupy"
    xp = _cp

    def device_of(self, array):
        return _device("cuda", array.device.id)

    def to_host(self, array):
        return _cp.asnumpy(array)

    def from_host(self, array, device):
        index = device.index or 0
        if index >= _N_DEVICES:
            raise RuntimeError(f"CUDA error: invalid device ordinal (asked for cuda:{index}, "
                               f"{_N_DEVICES} GPU(s) present)")
        with _cp.cuda.Device(index):
            return _cp.asarray(array)

    def scatter_add(self, target, index, values):
        _cp.add.at(target, index, values)
        return target

    def rng(self, seed):
        return _cp.random.Generator(_cp.random.XORWOW(seed))
