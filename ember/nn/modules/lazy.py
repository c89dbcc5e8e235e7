"""``LazyModuleMixin``: modules whose parameter shapes are decided by the first input.

A lazy module holds ``UninitializedParameter`` / ``UninitializedBuffer`` entries. Two hooks do the work:

* a forward pre-hook (with kwargs) calls ``initialize_parameters(*args, **kwargs)``; once nothing is left
  uninitialised, both hooks are removed and the module's class becomes ``cls_to_become`` (when set);
* a load-state-dict pre-hook materialises each uninitialised entry to the shape found in the checkpoint
  (keeping the entry's own dtype), so the ordinary copy then fills it.
"""
from __future__ import annotations

import itertools

from ..parameter import is_lazy

__all__ = ["LazyModuleMixin"]


class LazyModuleMixin:
    """Mix in before a ``Module`` subclass; subclasses implement ``initialize_parameters``."""

    cls_to_become = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._load_hook = self._register_load_state_dict_pre_hook(self._lazy_load_hook)
        self._initialize_hook = self.register_forward_pre_hook(self._infer_parameters, with_kwargs=True)

    def _save_to_state_dict(self, destination, prefix, keep_vars):
        # uninitialised entries are saved as they are (a detach would lose what they are)
        for name, param in self._parameters.items():
            if param is not None:
                destination[prefix + name] = param if (is_lazy(param) or keep_vars) else param.detach()
        for name, buf in self._buffers.items():
            if buf is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = buf if (is_lazy(buf) or keep_vars) else buf.detach()

    def _lazy_load_hook(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                        error_msgs):
        from ...autograd.grad_mode import no_grad
        for name, param in itertools.chain(self._parameters.items(), self._buffers.items()):
            key = prefix + name
            if param is None or key not in state_dict:
                continue
            value = state_dict[key]
            if is_lazy(param) and not is_lazy(value):
                with no_grad():
                    param.materialize(value.shape)

    def initialize_parameters(self, *args, **kwargs):
        raise NotImplementedError(f"initialize_parameters is not implemented for {self.__class__.__name__}")

    def has_uninitialized_params(self):
        tensors = itertools.chain(self._parameters.values(), self._buffers.values())
        return any(is_lazy(t) for t in tensors if t is not None)

    def _infer_parameters(self, module, args, kwargs=None):
        module.initialize_parameters(*args, **(kwargs or {}))
        if module.has_uninitialized_params():
            raise RuntimeError(f"module {self._get_name()} has not been fully initialized")
        module._initialize_hook.remove()
        module._load_hook.remove()
        delattr(module, "_initialize_hook")
        delattr(module, "_load_hook")
        if module.cls_to_become is not None:
            module.__class__ = module.cls_to_become

    def _replicate_for_data_parallel(self):
        raise RuntimeError("Modules with uninitialized parameters can't be used with `DataParallel`. "
                           "Run a dummy forward pass to correctly initialize the modules")


def _uninitialized_buffer(dtype=None):
    """An ``UninitializedBuffer`` that materialises to ``dtype`` (the default dtype when ``None``)."""
    import numpy as np
    from ... import _dtype as _dt
    from ..parameter import UninitializedBuffer
    buf = UninitializedBuffer()
    dt = _dt.as_dtype(dtype) if dtype is not None else _dt.get_default_dtype()
    if buf.dtype != dt:
        buf._data = np.empty(0, dt.np)
    return buf
