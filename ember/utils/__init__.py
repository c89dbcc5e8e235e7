"""``ember.utils``: data loading, hooks, checkpoint helpers and model tools."""
from . import hooks  # noqa: F401
