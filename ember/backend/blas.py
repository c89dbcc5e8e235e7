"""Per-call control of the BLAS library's own thread count (OpenBLAS, as NumPy's wheels ship it).

Some kernels use both cores better by splitting their work between the block pool's Python threads
(``backend.parallel``), each running its own single-threaded matrix products, than by one product on two BLAS
threads: a convolution's im2col copy then runs on both cores too, and no product waits on a thread hand-off
(which on a loaded machine costs more than the product).  ``one_thread()`` sets OpenBLAS to one thread for the
duration of such a section and restores the previous count afterwards.

The library is found among the process's loaded shared objects (``/proc/self/maps``) by its exported
``openblas_set_num_threads`` (with the ``scipy_`` prefix and ``64_`` suffix of NumPy's own build).  Where it is
not found (another BLAS, another OS) ``available()`` is False and callers keep their one-product path.
"""
from __future__ import annotations

import contextlib
import ctypes
import threading

__all__ = ["available", "one_thread"]

_lock = threading.Lock()
_depth = 0
_saved = None
_funcs = None           # (set_num_threads, get_num_threads), or () when no OpenBLAS was found


def _find():
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split(None, 5)[5].strip() for line in f if "openblas" in line.lower()
                     and len(line.split(None, 5)) == 6}
    except OSError:
        return ()
    for path in sorted(paths):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix in ("scipy_openblas", "openblas"):
            for suffix in ("64_", ""):
                setter = getattr(lib, f"{prefix}_set_num_threads{suffix}", None)
                getter = getattr(lib, f"{prefix}_get_num_threads{suffix}", None)
                if setter is not None and getter is not None:
                    setter.argtypes, setter.restype = [ctypes.c_int], None
                    getter.argtypes, getter.restype = [], ctypes.c_int
                    return setter, getter
    return ()


def _library():
    global _funcs
    if _funcs is None:
        import numpy  # noqa: F401 -- NumPy loads its BLAS; look for it only afterwards
        _funcs = _find()
    return _funcs


def available() -> bool:
    """True when the BLAS library's thread count can be set per call (OpenBLAS found)."""
    return bool(_library())


@contextlib.contextmanager
def one_thread():
    """Run the body with the BLAS library on one thread (re-entrant, shared between threads)."""
    global _depth, _saved
    funcs = _library()
    if not funcs:
        yield
        return
    setter, getter = funcs
    with _lock:
        if _depth == 0:
            _saved = getter()
            if _saved != 1:
                setter(1)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _saved != 1:
                setter(_saved)
