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
from ._api import save as save
from ._errors import CheckpointError as CheckpointError
from ._errors import CorruptCheckpointError as CorruptCheckpointError
from ._errors import UnsafeCheckpointError as UnsafeCheckpointError
from ._errors import UnsupportedCheckpointError as UnsupportedCheckpointError

__all__ = ["save", "load", "add_safe_globals", "get_safe_globals", "clear_safe_globals", "safe_globals",
           "get_unsafe_globals_in_checkpoint",
           "CheckpointError", "CorruptCheckpointError", "UnsafeCheckpointError", "UnsupportedCheckpointError"]
