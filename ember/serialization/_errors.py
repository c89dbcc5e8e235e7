"""The error types of checkpoint loading.

All derive from ``pickle.UnpicklingError``, the type ``torch.load`` raises for refused files, so code that
catches torch's error keeps working.  Every message names the file, and the record or global at fault.
"""
from __future__ import annotations

import pickle

__all__ = ["CheckpointError", "CorruptCheckpointError", "UnsafeCheckpointError", "UnsupportedCheckpointError"]


class CheckpointError(pickle.UnpicklingError):
    """Base of every error ``ember.load`` raises for a bad checkpoint file."""


class CorruptCheckpointError(CheckpointError):
    """The file is damaged or inconsistent: truncated, bad CRC, missing record, out-of-bounds view."""


class UnsafeCheckpointError(CheckpointError):
    """The file asks for something the weights-only loader refuses: a global off the allowlist, an opcode."""


class UnsupportedCheckpointError(CheckpointError):
    """A valid torch file using a feature ember cannot represent (quantized, sparse, TorchScript ...)."""


class UserCodeError(Exception):
    """Carries an exception raised by the caller's own code during a load (a ``map_location`` callable) out of
    the unpickler, which would otherwise report it as a damaged file; ``load`` re-raises ``.exc`` as is."""

    def __init__(self, exc):
        super().__init__(exc)
        self.exc = exc


def where(name, record=None, pos=None) -> str:
    """``'file.pth', record 'a/data.pkl' at byte 12`` for error messages."""
    out = repr(str(name))
    if record is not None:
        out += f", record {record!r}"
    if pos is not None:
        out += f" at byte {pos}"
    return out
