"""ember's differentiable ops.  Each file holds one family: a primitive class per op (forward and backward
side by side) and its public function right below; composites are written with the public functions."""
from __future__ import annotations

from .arith import *  # noqa: F401,F403
from .unary import *  # noqa: F401,F403
from .compare import *  # noqa: F401,F403
from .reduce import *  # noqa: F401,F403
from .shape import *  # noqa: F401,F403
from .index import *  # noqa: F401,F403
from .products import *  # noqa: F401,F403
from ._convert import cast, to  # noqa: F401
from . import _methods  # noqa: F401  (binds the ops as Tensor methods)
from .extras import *  # noqa: F401,F403  (aliases and small composites; binds their methods too)
from . import _shown  # noqa: F401,E402  (torch's next_functions positions per op class)


def _zeros_for_output(node, i):
    raise RuntimeError(f"{node.name()}: gradient of output {i} is missing")
