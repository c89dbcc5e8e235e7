"""Helpers under torch's private module paths, which user code reaches into: ``_utils.collate`` (the collate
functions by element type, to extend ``default_collate``) and ``_utils.worker`` (what runs in a worker)."""
from . import collate, worker  # noqa: F401

__all__ = ["collate", "worker"]
