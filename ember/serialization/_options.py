"""The small public knobs and names of ``torch.serialization`` that user code touches.

``DEFAULT_PROTOCOL``; ``SourceChangeWarning`` (old scripts filter it); the load-endianness, CRC-32 and mmap-flag
settings (ember reads the byte order a file records, always writes CRCs, and maps files copy-on-write, so these
are recorded and reported back but change nothing); ``default_restore_location`` / ``location_tag`` for
``map_location`` callables written against torch's helpers.
"""
from __future__ import annotations

import enum
import mmap as _mmap

__all__ = ["DEFAULT_PROTOCOL", "SourceChangeWarning", "LoadEndianness", "get_default_load_endianness",
           "set_default_load_endianness", "get_crc32_options", "set_crc32_options", "get_default_mmap_options",
           "set_default_mmap_options", "default_restore_location", "location_tag"]

DEFAULT_PROTOCOL = 2
MAP_PRIVATE = getattr(_mmap, "MAP_PRIVATE", 2)
MAP_SHARED = getattr(_mmap, "MAP_SHARED", 1)


class SourceChangeWarning(Warning):
    """Warned by torch when a pickled module's source differs from the saved one (ember never pickles code)."""


class LoadEndianness(enum.Enum):
    NATIVE = 1
    LITTLE = 2
    BIG = 3


_settings = {"endianness": None, "crc32": True, "mmap_flags": MAP_PRIVATE}


def get_default_load_endianness():
    """The byte order assumed for files that record none (None: the file's own record, else native)."""
    return _settings["endianness"]


def set_default_load_endianness(endianness):
    if endianness is not None and not isinstance(endianness, LoadEndianness):
        raise TypeError("Invalid argument type in function set_default_load_endianness")
    _settings["endianness"] = endianness


def get_crc32_options() -> bool:
    return _settings["crc32"]


def set_crc32_options(compute_crc32: bool):
    """Accepted for compatibility: ember always writes CRC-32s (readers such as torch's check none)."""
    _settings["crc32"] = bool(compute_crc32)


def get_default_mmap_options() -> int:
    return _settings["mmap_flags"]


class set_default_mmap_options:
    """``mmap.MAP_PRIVATE`` (default) or ``mmap.MAP_SHARED``; usable as a context manager, as torch's.

    ember maps checkpoints copy-on-write whichever is set (writes never reach the file).
    """

    def __init__(self, flags: int) -> None:
        if flags not in (MAP_PRIVATE, MAP_SHARED):
            raise ValueError("Invalid argument in function set_default_mmap_options, expected mmap.MAP_PRIVATE or "
                             f"mmap.MAP_SHARED, but got {flags}")
        self.prev = _settings["mmap_flags"]
        _settings["mmap_flags"] = flags

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc) -> None:
        _settings["mmap_flags"] = self.prev


def location_tag(storage) -> str:
    """The location string torch records for a storage (``'cpu'``, ``'cuda:0'``)."""
    dev = getattr(storage, "device", None)
    if dev is None:
        return "cpu"
    dev = str(dev)
    return "cuda:0" if dev == "cuda" else dev


def default_restore_location(storage, location):
    """Restore ``storage`` saved at ``location``: ember keeps it where it is (the CPU), as ``map_location=None``."""
    return storage
