"""``ember.nn``: modules, parameters, the functional API, init and utilities."""
from .parameter import Buffer, Parameter, UninitializedBuffer, UninitializedParameter  # noqa: F401
from .modules import *  # noqa: F401,F403
from . import functional, init, utils  # noqa: F401,E402
from . import parallel  # noqa: F401,E402
