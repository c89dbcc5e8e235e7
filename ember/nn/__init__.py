"""``ember.nn``: modules, parameters, functional API and init."""
from .parameter import Buffer, Parameter, UninitializedBuffer, UninitializedParameter  # noqa: F401
