"""Checkpoints: torch's ``.pth`` format, read and written without torch, loaded without running code.

Public table of contents; the machinery lives in private modules (see README.md here):
``_api`` (save/load), ``_pickle_writer`` (data.pkl), ``_unpickler`` (the restricted pickle VM),
``_allowlist`` (what a file may name), ``_loader`` (tensor rebuilding), ``_zip`` (the container),
``_atomic`` (crash-safe writes), ``_crc`` (multi-core CRC-32), ``_trusted`` (``weights_only=False``).
"""
from ._allowlist import add_safe_globals as add_safe_globals
from ._allowlist import clear_safe_globals as clear_safe_globals
from ._allowlist import get_safe_globals as get_safe_globals
from ._allowlist import safe_globals as safe_globals
from ._api import load as load
from ._inspect import get_unsafe_globals_in_checkpoint as get_unsafe_globals_in_checkpoint
from ._options import DEFAULT_PROTOCOL as DEFAULT_PROTOCOL
from ._options import MAP_PRIVATE as MAP_PRIVATE
from ._options import MAP_SHARED as MAP_SHARED
from ._options import LoadEndianness as LoadEndianness
from ._options import SourceChangeWarning as SourceChangeWarning
from ._options import default_restore_location as default_restore_location
from ._options import get_crc32_options as get_crc32_options
from ._options import get_default_load_endianness as get_default_load_endianness
from ._options import get_default_mmap_options as get_default_mmap_options
from ._options import location_tag as location_tag
from ._options import set_crc32_options as set_crc32_options
from ._options import set_default_load_endianness as set_default_load_endianness
from ._options import set_default_mmap_options as set_default_mmap_options
from ._api import save as save
from ._errors import CheckpointError as CheckpointError
from ._errors import CorruptCheckpointError as CorruptCheckpointError
from ._errors import UnsafeCheckpointError as UnsafeCheckpointError
from ._errors import UnsupportedCheckpointError as UnsupportedCheckpointError

__all__ = ["save", "load", "add_safe_globals", "get_safe_globals", "clear_safe_globals", "safe_globals",
           "get_unsafe_globals_in_checkpoint", "DEFAULT_PROTOCOL", "SourceChangeWarning", "LoadEndianness",
           "get_default_load_endianness", "set_default_load_endianness", "get_crc32_options", "set_crc32_options",
           "get_default_mmap_options", "set_default_mmap_options", "default_restore_location", "location_tag",
           "CheckpointError", "CorruptCheckpointError", "UnsafeCheckpointError", "UnsupportedCheckpointError"]
