"""The load side of ``Module.load_state_dict``: the pre-order walk, in-place copies, torch's error texts.

``load_state_dict`` walks the modules pre-order; each module's ``_load_from_state_dict`` (overridable) sees
the keys under its prefix (after the parent's pre-hooks ran), copies its own parameters and persistent
buffers in place under ``no_grad``, and records missing keys, unexpected keys and errors.  Size mismatches
and non-tensor values are errors even with ``strict=False``.
"""
from __future__ import annotations

from collections import OrderedDict, namedtuple
from collections.abc import Mapping

from ...autograd import grad_mode as _grad_mode
from ...tensor import Tensor
from ..parameter import Parameter, is_lazy


def _torch_path(cls):
    """``torch.nn.modules.linear.Linear`` for ember's ``ember.nn.modules.linear.Linear``: the class path torch's
    messages show (ember's own classes live under ``ember.``); other classes keep their own path."""
    name = cls.__dict__.get("_torch_class_name")
    if name is not None:
        return name
    module = cls.__module__
    if module.startswith("ember."):
        module = "torch." + module[len("ember."):]
    return f"{module}.{cls.__qualname__}"


def _cls_repr(cls):
    """``repr(cls)`` as torch prints it: ``<class 'torch.nn.modules.linear.Linear'>`` for ember's classes."""
    return f"<class '{_torch_path(cls)}'>" if cls.__module__.startswith("ember.") else repr(cls)

_EXTRA_STATE_KEY_SUFFIX = "_extra_state"


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict`` returns: ``(missing_keys, unexpected_keys)``."""

    __slots__ = ()

    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


def load_own_state(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs):
    """``Module._load_from_state_dict``: copy this module's own entries in place; record what is missing."""
    from .module import Module
    for hook in self._load_state_dict_pre_hooks.values():
        hook(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs)
    non_persistent = self._non_persistent_buffers_set
    local_state = {k: v for k, v in self._parameters.items() if v is not None}
    local_state.update((k, v) for k, v in self._buffers.items() if v is not None and k not in non_persistent)
    assign = local_metadata.get("assign_to_params_buffers", False)
    for name, param in local_state.items():
        key = prefix + name
        if key not in state_dict:
            if strict:
                missing_keys.append(key)
            continue
        value = state_dict[key]
        if not isinstance(value, Tensor):
            error_msgs.append(f'While copying the parameter named "{key}", expected torch.Tensor or '
                              f"Tensor-like object from checkpoint but received {_cls_repr(type(value))}")
            continue
        lazy = is_lazy(param)
        if not lazy and param.ndim == 0 and value.ndim == 1 and value.shape[0] == 1:
            value = value[0]   # checkpoints from before 0-dim tensors stored scalars as shape [1]
        if not lazy and value.shape != param.shape:
            error_msgs.append(f"size mismatch for {key}: copying a param with shape {value.shape} from "
                              f"checkpoint, the shape in current model is {param.shape}.")
            continue
        try:
            with _grad_mode.no_grad():
                if assign:
                    if isinstance(param, Parameter):
                        if not isinstance(value, Parameter):
                            value = Parameter(value, requires_grad=param.requires_grad)
                        else:
                            value.requires_grad_(param.requires_grad)
                    setattr(self, name, value)
                elif lazy:
                    param.materialize(value.shape, dtype=value.dtype)
                    param.copy_(value)
                else:
                    param.copy_(value)
        except Exception as exc:
            error_msgs.append(f'While copying the parameter named "{key}", whose dimensions in the model are '
                              f"{param.size()} and whose dimensions in the checkpoint are {value.size()}, an "
                              f"exception occurred : {exc.args}.")
    extra_key = prefix + _EXTRA_STATE_KEY_SUFFIX
    if type(self).set_extra_state is not Module.set_extra_state:
        if extra_key in state_dict:
            self.set_extra_state(state_dict[extra_key])
        elif strict:
            missing_keys.append(extra_key)
    elif strict and extra_key in state_dict:
        unexpected_keys.append(extra_key)
    if strict:
        modules = self._modules
        n = len(prefix)
        for key in state_dict:
            if key.startswith(prefix) and key != extra_key:
                head, dot, _ = key[n:].partition(".")
                if dot:
                    if head not in modules:
                        unexpected_keys.append(key)
                elif head not in local_state:
                    unexpected_keys.append(key)


def load_state_dict(self, state_dict, strict=True, assign=False):
    """``Module.load_state_dict``: walk, copy, then raise torch's multi-line error if anything is wrong."""
    if not isinstance(state_dict, Mapping):
        raise TypeError(f"Expected state_dict to be dict-like, got {_cls_repr(type(state_dict))}.")
    missing_keys, unexpected_keys, error_msgs = [], [], []
    metadata = getattr(state_dict, "_metadata", None)
    state_dict = OrderedDict(state_dict)
    if metadata is not None:
        state_dict._metadata = metadata

    def load(module, local_state_dict, prefix=""):
        local_metadata = {} if metadata is None else metadata.get(prefix[:-1], {})
        if assign:
            local_metadata["assign_to_params_buffers"] = assign
        module._load_from_state_dict(local_state_dict, prefix, local_metadata, True, missing_keys,
                                     unexpected_keys, error_msgs)
        for name, child in module._modules.items():
            if child is not None:
                child_prefix = prefix + name + "."
                child_state = {k: v for k, v in local_state_dict.items() if k.startswith(child_prefix)}
                load(child, child_state, child_prefix)
        incompatible = _IncompatibleKeys(missing_keys, unexpected_keys)
        for hook in module._load_state_dict_post_hooks.values():
            if hook(module, incompatible) is not None:
                raise AssertionError("Hooks registered with ``register_load_state_dict_post_hook`` are not "
                                     "expected to return new values, if incompatible_keys need to be "
                                     "modified, it should be done inplace.")

    load(self, state_dict)
    del load
    if strict:
        if unexpected_keys:
            error_msgs.insert(0, "Unexpected key(s) in state_dict: {}. ".format(
                ", ".join(f'"{k}"' for k in unexpected_keys)))
        if missing_keys:
            error_msgs.insert(0, "Missing key(s) in state_dict: {}. ".format(
                ", ".join(f'"{k}"' for k in missing_keys)))
    if error_msgs:
        raise RuntimeError("Error(s) in loading state_dict for {}:\n\t{}".format(
            type(self).__name__, "\n\t".join(error_msgs)))
    return _IncompatibleKeys(missing_keys, unexpected_keys)
