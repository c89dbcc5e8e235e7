"""``autograd.Variable``: the pre-0.4 wrapper, kept (as torch keeps it) for old code.

``Variable(t, requires_grad=...)`` returns a plain Tensor sharing ``t``'s memory with no history, and every
Tensor is an instance of ``Variable``."""
from __future__ import annotations

import warnings

__all__ = ["Variable"]


class _VariableMeta(type):
    def __instancecheck__(cls, other):
        from ..tensor import Tensor
        return isinstance(other, Tensor)


class Variable(metaclass=_VariableMeta):
    def __new__(cls, data=None, requires_grad=False, volatile=False):
        from ..tensor import Tensor, _set_requires_grad
        from .. import _creation
        if volatile:
            warnings.warn("volatile was removed and now has no effect. Use `with torch.no_grad():` instead.",
                          stacklevel=2)
        if data is None:
            data = _creation.tensor([])
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        out = data.detach()
        _set_requires_grad(out, requires_grad, factory=True)
        return out


Variable.__module__ = "torch.autograd.variable"
