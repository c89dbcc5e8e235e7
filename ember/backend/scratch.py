"""Recycled scratch arrays for the large internal temporaries of NumPy kernels (im2col columns, padded inputs).

A fresh multi-megabyte NumPy array is a fresh ``mmap``: the kernel zeroes every page on first touch, which costs
about 4 ms per 37 MB here -- more than the copy that fills it (2.3 ms) and as much as the matrix product that
reads it.  A convolution layer of the benchmark's ResNet-style stack makes two such arrays per training step.
``take`` hands out an array of the wanted shape and dtype from a free list when one is there; ``give`` returns
one that no longer has users.  Only arrays that never leave the kernel that made them go through here, and
``give`` is only called when the caller holds the last reference (so a recycled buffer can never alias live
data); a buffer that is never given back is simply collected.

The free lists hold at most ``LIMIT`` bytes together (the rest are dropped), so the pool never keeps more than
one training step's worth of columns alive.  Arrays below ``MIN_BYTES`` are not worth the bookkeeping: NumPy's
and the C library's allocators already recycle small blocks without page faults.
"""
from __future__ import annotations

import threading

import numpy as np

__all__ = ["take", "give", "clear", "LIMIT", "MIN_BYTES"]

LIMIT = 512 * 2 ** 20
MIN_BYTES = 1 << 20

_free: dict = {}        # (shape, dtype) -> list of arrays
_held = 0               # bytes in _free
_lock = threading.Lock()


def take(shape, dtype):
    """An uninitialised C-contiguous NumPy array of ``shape`` and ``dtype``, recycled when possible."""
    shape = tuple(shape)
    dtype = np.dtype(dtype)
    key = (shape, dtype)
    global _held
    with _lock:
        stack = _free.get(key)
        if stack:
            arr = stack.pop()
            _held -= arr.nbytes
            return arr
    return np.empty(shape, dtype)


def give(arr):
    """Return ``arr`` (made by ``take``, no other users) to the pool."""
    global _held
    if type(arr) is not np.ndarray or arr.nbytes < MIN_BYTES or arr.base is not None:
        return
    with _lock:
        if _held + arr.nbytes > LIMIT:
            return
        _free.setdefault((arr.shape, arr.dtype), []).append(arr)
        _held += arr.nbytes


def clear():
    """Drop every pooled array (memory goes back to the system)."""
    global _held
    with _lock:
        _free.clear()
        _held = 0
