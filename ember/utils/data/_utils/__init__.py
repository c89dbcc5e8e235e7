"""The private module paths torch's users reach into: ``_utils.collate`` (to extend ``default_collate``) and
``_utils.worker`` (``get_worker_info``).  The code itself lives in ``.._collate`` and ``.._worker``."""
from . import collate, worker  # noqa: F401

__all__ = ["collate", "worker"]
