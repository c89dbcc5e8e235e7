"""The only code that knows NumPy from CuPy.  Ops ask for ``xp`` (the array module) and never branch on it.

``get_backend(device)`` returns the backend object for a device; ``backend_of(array)`` the one an array
belongs to.  The CuPy backend is imported lazily, with a clear error when CuPy or a GPU is missing.
"""
from .base import Backend
from .numpy_backend import NUMPY, NumpyBackend

__all__ = ["Backend", "NUMPY", "NumpyBackend", "get_backend", "backend_of", "cuda_available"]

_cupy_backend = None


def _cuda_backend():
    global _cupy_backend
    if _cupy_backend is None:
        from .cupy_backend import CupyBackend
        _cupy_backend = CupyBackend()
    return _cupy_backend


def get_backend(device) -> Backend:
    if device.type == "cpu":
        return NUMPY
    if device.type == "cuda":
        return _cuda_backend()
    raise RuntimeError(f"ember has no backend for device '{device}'")


def backend_of(array) -> Backend:
    module = type(array).__module__
    if module.startswith("numpy"):
        return NUMPY
    if not module.startswith("cupy"):
        raise TypeError(f"expected a NumPy or CuPy array, got {type(array).__name__}")
    return _cuda_backend()


def cuda_available() -> bool:
    try:
        import cupy  # noqa: F401
        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False
