"""``ember.linalg``: norms now; decompositions live in ``ember/ops/linalg.py`` when present."""
from __future__ import annotations

from .ops.reduce import vector_norm  # noqa: F401
from .ops.products import multi_dot  # noqa: F401

try:
    from .ops.linalg import *  # noqa: F401,F403
except ImportError:  # pragma: no cover - the module is being written
    pass
