"""``Module``: the base class of every layer, and the process-wide module hooks.

A Module keeps its state in four places, all created by ``Module.__init__``: ``_parameters``, ``_buffers``
(plus ``_non_persistent_buffers_set``), ``_modules`` and a set of hook dicts.  Assigning a ``Parameter``,
a ``Module`` or an ``nn.Buffer`` to an attribute registers it there (``__setattr__``); reading it back goes
through ``__getattr__``, which Python only calls when the normal lookup fails, so registered objects never
live in ``__dict__``.

``__call__`` goes straight to ``forward`` when no hook exists anywhere; otherwise ``_call_impl`` runs, in
order: forward pre-hooks (global, then local), backward-hook wiring of the inputs, ``forward``, forward hooks
(global, then local), backward-hook wiring of the outputs, legacy backward hooks.  The backward-hook
machinery (an identity autograd function around inputs and outputs) lives in ``_module_hooks.py``; the
state_dict walk and its error texts in ``_module_state.py``.
"""
from __future__ import annotations

import warnings
from collections import OrderedDict

from ..._argcheck import translate as _translate
from ...autograd import grad_mode as _grad_mode
from ...tensor import Tensor, _wrap
from ...utils.hooks import RemovableHandle
from ..parameter import Parameter, _BufferTensor
from . import _module_convert as _convert
from . import _module_hooks as _hooks
from . import _module_state as _state
from ._module_state import _IncompatibleKeys  # noqa: F401  (torch has it in nn.modules.module)

# the nn namespace exports Module only; the register_module_* functions are reached through this module, as in
# torch (``nn.modules.module.register_module_forward_hook``)
__all__ = ["Module"]

_EXTRA_STATE_KEY_SUFFIX = "_extra_state"


def _typename(obj):
    """``torch.typename``: ``torch.FloatTensor`` for tensors, ``int`` for builtins, else the class path."""
    if isinstance(obj, Tensor):
        return obj.type()
    if type(obj).__module__ in ("builtins", "__builtin__"):
        return type(obj).__qualname__
    return _state._torch_path(type(obj))


def _addindent(text, spaces):
    """Indent every line but the first of ``text`` by ``spaces``."""
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    pad = " " * spaces
    return lines[0] + "\n" + "\n".join(pad + line for line in lines[1:])


# ----------------------------------------------------------------------------------------------------------
# process-wide hooks (``ember.nn.modules.module.register_module_*``)
# ----------------------------------------------------------------------------------------------------------

_global_backward_pre_hooks: dict = OrderedDict()
_global_backward_hooks: dict = OrderedDict()
_global_is_full_backward_hook = None
_global_forward_pre_hooks: dict = OrderedDict()
_global_forward_hooks: dict = OrderedDict()
_global_forward_hooks_always_called: dict = OrderedDict()
_global_forward_hooks_with_kwargs: dict = OrderedDict()
_global_buffer_registration_hooks: dict = OrderedDict()
_global_module_registration_hooks: dict = OrderedDict()
_global_parameter_registration_hooks: dict = OrderedDict()


def register_module_buffer_registration_hook(hook):
    """``hook(module, name, buffer) -> None | new buffer`` runs before every ``register_buffer`` stores."""
    handle = RemovableHandle(_global_buffer_registration_hooks)
    _global_buffer_registration_hooks[handle.id] = hook
    return handle


def register_module_module_registration_hook(hook):
    """``hook(module, name, submodule) -> None | new submodule`` runs before a submodule is stored."""
    handle = RemovableHandle(_global_module_registration_hooks)
    _global_module_registration_hooks[handle.id] = hook
    return handle


def register_module_parameter_registration_hook(hook):
    """``hook(module, name, param) -> None | new param`` runs before a parameter is stored."""
    handle = RemovableHandle(_global_parameter_registration_hooks)
    _global_parameter_registration_hooks[handle.id] = hook
    return handle


def register_module_forward_pre_hook(hook):
    """``hook(module, args) -> None | new args`` before every module's ``forward``, before local pre-hooks."""
    handle = RemovableHandle(_global_forward_pre_hooks)
    _global_forward_pre_hooks[handle.id] = hook
    return handle


def register_module_forward_hook(hook, *, with_kwargs=False, always_call=False):
    """``hook(module, args, output) -> None | new output`` after every module's ``forward``."""
    handle = RemovableHandle(_global_forward_hooks, extra_dict=[_global_forward_hooks_always_called,
                                                                 _global_forward_hooks_with_kwargs])
    _global_forward_hooks[handle.id] = hook
    if with_kwargs:
        _global_forward_hooks_with_kwargs[handle.id] = True
    if always_call:
        _global_forward_hooks_always_called[handle.id] = True
    return handle


_MIXED_GLOBAL = ("Cannot use both regular backward hooks and full backward hooks as a global Module hook. "
                 "Please use only one of them.")
_MIXED_LOCAL = ("Cannot use both regular backward hooks and full backward hooks on a single Module. Please use "
                "only one of them.")


def register_module_backward_hook(hook):
    """Legacy global backward hook (deprecated: use ``register_module_full_backward_hook``)."""
    global _global_is_full_backward_hook
    if _global_is_full_backward_hook is True:
        raise RuntimeError(_MIXED_GLOBAL)
    _global_is_full_backward_hook = False
    handle = RemovableHandle(_global_backward_hooks)
    _global_backward_hooks[handle.id] = hook
    return handle


def register_module_full_backward_pre_hook(hook):
    """``hook(module, grad_output) -> None | new grad_output`` for every module, before local ones."""
    handle = RemovableHandle(_global_backward_pre_hooks)
    _global_backward_pre_hooks[handle.id] = hook
    return handle


def register_module_full_backward_hook(hook):
    """``hook(module, grad_input, grad_output) -> None | new grad_input`` for every module."""
    global _global_is_full_backward_hook
    if _global_is_full_backward_hook is False:
        raise RuntimeError(_MIXED_GLOBAL)
    _global_is_full_backward_hook = True
    handle = RemovableHandle(_global_backward_hooks)
    _global_backward_hooks[handle.id] = hook
    return handle


def _forward_unimplemented(self, *args, **kwargs):
    raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')


_HOOK_DICTS = ("_forward_pre_hooks", "_forward_pre_hooks_with_kwargs", "_forward_hooks",
               "_forward_hooks_with_kwargs", "_forward_hooks_always_called", "_backward_pre_hooks",
               "_backward_hooks", "_state_dict_hooks", "_state_dict_pre_hooks", "_load_state_dict_pre_hooks",
               "_load_state_dict_post_hooks")


# ----------------------------------------------------------------------------------------------------------
# Module
# ----------------------------------------------------------------------------------------------------------

class Module:
    """Base class for all neural network modules, as ``torch.nn.Module``.

    Subclasses call ``super().__init__()`` first, assign parameters, buffers and submodules as attributes,
    and define ``forward``.  Call the module (``model(x)``), not ``forward``, so hooks run.

    Example::

        >>> import ember
        >>> from ember import nn
        >>> class Scale(nn.Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.w = nn.Parameter(ember.ones(2))
        ...     def forward(self, x):
        ...         return x * self.w
        >>> [name for name, _ in Scale().named_parameters()]
        ['w']
    """

    dump_patches: bool = False
    _version: int = 1
    training: bool
    call_super_init: bool = False
    _compiled_call_impl = None

    def __init__(self, *args, **kwargs):
        if self.call_super_init is False and kwargs:
            raise TypeError(f"{type(self).__name__}.__init__() got an unexpected keyword argument "
                            f"'{next(iter(kwargs))}'")
        if self.call_super_init is False and args:
            raise TypeError(f"{type(self).__name__}.__init__() takes 1 positional argument but {len(args) + 1} "
                            "were given")
        d = self.__dict__
        d["training"] = True
        d["_parameters"] = {}
        d["_buffers"] = {}
        d["_non_persistent_buffers_set"] = set()
        d["_backward_pre_hooks"] = OrderedDict()
        d["_backward_hooks"] = OrderedDict()
        d["_is_full_backward_hook"] = None
        d["_forward_hooks"] = OrderedDict()
        d["_forward_hooks_with_kwargs"] = OrderedDict()
        d["_forward_hooks_always_called"] = OrderedDict()
        d["_forward_pre_hooks"] = OrderedDict()
        d["_forward_pre_hooks_with_kwargs"] = OrderedDict()
        d["_state_dict_hooks"] = OrderedDict()
        d["_state_dict_pre_hooks"] = OrderedDict()
        d["_load_state_dict_pre_hooks"] = OrderedDict()
        d["_load_state_dict_post_hooks"] = OrderedDict()
        d["_modules"] = {}
        if self.call_super_init:
            super().__init__(*args, **kwargs)

    forward = _forward_unimplemented

    # ---- registration ---------------------------------------------------------------------------------
    def register_buffer(self, name, tensor, persistent=True):
        """Add a buffer: state that is not a parameter (``running_mean``); ``persistent`` puts it in state_dict."""
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        if not isinstance(name, str):
            raise TypeError(f"buffer name should be a string. Got {_typename(name)}")
        if "." in name:
            raise KeyError('buffer name can\'t contain "."')
        if name == "":
            raise KeyError('buffer name can\'t be empty string ""')
        if hasattr(self, name) and name not in self._buffers:
            raise KeyError(f"attribute '{name}' already exists")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{_typename(tensor)}' object to buffer '{name}' "
                            "(torch Tensor or None required)")
        if type(tensor) is _BufferTensor:   # the nn.Buffer marker: store the plain tensor it wraps
            tensor = _unmark_buffer(tensor)
        for hook in _global_buffer_registration_hooks.values():
            out = hook(self, name, tensor)
            if out is not None:
                tensor = out
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def register_parameter(self, name, param):
        """Add a parameter (or a ``None`` placeholder) under ``name``."""
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        if not isinstance(name, str):
            raise TypeError(f"parameter name should be a string. Got {_typename(name)}")
        if "." in name:
            raise KeyError('parameter name can\'t contain "."')
        if name == "":
            raise KeyError('parameter name can\'t be empty string ""')
        if hasattr(self, name) and name not in self._parameters:
            raise KeyError(f"attribute '{name}' already exists")
        if param is None:
            self._parameters[name] = None
            return
        if not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{_typename(param)}' object to parameter '{name}' "
                            "(torch.nn.Parameter or None required)")
        if param.grad_fn is not None:
            raise ValueError(f"Cannot assign non-leaf Tensor to parameter '{name}'. Model parameters must be "
                             f"created explicitly. To express '{name}' as a function of another Tensor, compute "
                             "the value in the forward() method.")
        for hook in _global_parameter_registration_hooks.values():
            out = hook(self, name, param)
            if out is not None:
                param = out
        self._parameters[name] = param

    def add_module(self, name, module):
        """Add a child module (or a ``None`` placeholder) under ``name``."""
        if not isinstance(module, Module) and module is not None:
            raise TypeError(f"{_typename(module)} is not a Module subclass")
        if not isinstance(name, str):
            raise TypeError(f"module name should be a string. Got {_typename(name)}")
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")
        if "." in name:
            raise KeyError(f'module name can\'t contain ".", got: {name}')
        if name == "":
            raise KeyError('module name can\'t be empty string ""')
        for hook in _global_module_registration_hooks.values():
            out = hook(self, name, module)
            if out is not None:
                module = out
        self._modules[name] = module

    def register_module(self, name, module):
        """Alias of ``add_module``."""
        self.add_module(name, module)

    def get_submodule(self, target):
        """The submodule at dotted path ``target`` (``""`` is ``self``)."""
        if target == "":
            return self
        mod = self
        for item in target.split("."):
            if not hasattr(mod, item):
                raise AttributeError(mod._get_name() + " has no attribute `" + item + "`")
            mod = getattr(mod, item)
            if not isinstance(mod, Module):
                raise AttributeError("`" + item + "` is not an nn.Module")
        return mod

    def set_submodule(self, target, module, strict=False):
        """Put ``module`` at dotted path ``target``; ``strict`` requires the slot to exist already."""
        if target == "":
            raise ValueError("Cannot set the submodule without a target name!")
        atoms = target.split(".")
        if not isinstance(module, Module):
            raise ValueError(f"`module` is not an nn.Module, found {_state._cls_repr(type(module))}")
        parent = self if len(atoms) == 1 else self.get_submodule(".".join(atoms[:-1]))
        last = atoms[-1]
        if strict and not hasattr(parent, last):
            raise AttributeError(parent._get_name() + " has no attribute `" + last + "`")
        if hasattr(parent, last) and not isinstance(getattr(parent, last), Module):
            raise AttributeError("`" + last + "` is not an nn.Module")
        setattr(parent, last, module)

    def get_parameter(self, target):
        """The parameter at dotted path ``target``."""
        module_path, _, name = target.rpartition(".")
        mod = self.get_submodule(module_path)
        if not hasattr(mod, name):
            raise AttributeError(mod._get_name() + " has no attribute `" + name + "`")
        param = getattr(mod, name)
        if not isinstance(param, Parameter):
            raise AttributeError("`" + name + "` is not an nn.Parameter")
        return param

    def get_buffer(self, target):
        """The buffer at dotted path ``target``."""
        module_path, _, name = target.rpartition(".")
        mod = self.get_submodule(module_path)
        if not hasattr(mod, name):
            raise AttributeError(mod._get_name() + " has no attribute `" + name + "`")
        buf = getattr(mod, name)
        if name not in mod._buffers:
            raise AttributeError("`" + name + "` is not a buffer")
        return buf

    def get_extra_state(self):
        """Extra picklable state saved under ``'_extra_state'`` when a subclass overrides this."""
        raise RuntimeError("Module.get_extra_state() is only called when a subclass overrides it; reaching the "
                           "base implementation is a bug in ember.")

    def set_extra_state(self, state):
        """Restore what ``get_extra_state`` returned (override both)."""
        raise RuntimeError("Module.set_extra_state() is only called when a subclass overrides it; reaching the "
                           "base implementation is a bug in ember.")

    # ---- attribute protocol -----------------------------------------------------------------------------
    def __getattr__(self, name):
        d = self.__dict__
        if "_parameters" in d:
            params = d["_parameters"]
            if name in params:
                return params[name]
        if "_buffers" in d:
            bufs = d["_buffers"]
            if name in bufs:
                return bufs[name]
        if "_modules" in d:
            mods = d["_modules"]
            if name in mods:
                return mods[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __setattr__(self, name, value):
        d = self.__dict__
        params = d.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            _remove_from(name, d, self._buffers, self._modules, self._non_persistent_buffers_set)
            self.register_parameter(name, value)
            return
        if params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{_typename(value)}' as parameter '{name}' "
                                "(torch.nn.Parameter or None expected)")
            self.register_parameter(name, value)
            return
        modules = d.get("_modules")
        if isinstance(value, Module):
            if modules is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            _remove_from(name, d, self._parameters, self._buffers, self._non_persistent_buffers_set)
            for hook in _global_module_registration_hooks.values():
                out = hook(self, name, value)
                if out is not None:
                    value = out
            modules[name] = value
            return
        if modules is not None and name in modules:
            if value is not None:
                raise TypeError(f"cannot assign '{_typename(value)}' as child module '{name}' "
                                "(torch.nn.Module or None expected)")
            for hook in _global_module_registration_hooks.values():
                out = hook(self, name, value)
                if out is not None:
                    value = out
            modules[name] = value
            return
        buffers = d.get("_buffers")
        is_marker = type(value) is _BufferTensor
        if is_marker or (buffers is not None and name in buffers):
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{_typename(value)}' as buffer '{name}' "
                                "(torch.nn.Buffer, torch.Tensor or None expected)")
            if is_marker:
                persistent = value.persistent
            else:
                persistent = name not in self._non_persistent_buffers_set
            self.register_buffer(name, value, persistent)
            return
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        if name in self._parameters:
            del self._parameters[name]
        elif name in self._buffers:
            del self._buffers[name]
            self._non_persistent_buffers_set.discard(name)
        elif name in self._modules:
            del self._modules[name]
        else:
            object.__delattr__(self, name)

    def __dir__(self):
        keys = (dir(self.__class__) + list(self.__dict__) + list(self._parameters) + list(self._modules)
                + list(self._buffers))
        return sorted(k for k in keys if not k[0].isdigit())

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_compiled_call_impl", None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        d = self.__dict__
        for name in _HOOK_DICTS:   # objects pickled by older versions may lack some of these
            if name not in d:
                d[name] = OrderedDict()
        d.setdefault("_is_full_backward_hook", None)
        d.setdefault("_non_persistent_buffers_set", set())

    # ---- calling ----------------------------------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        # the fast path: no hook anywhere means plain forward (checked on the dicts' emptiness only)
        if (self._forward_pre_hooks or self._forward_hooks or self._backward_hooks or self._backward_pre_hooks
                or _global_forward_pre_hooks or _global_forward_hooks or _global_backward_hooks
                or _global_backward_pre_hooks):
            return self._call_impl(*args, **kwargs)
        try:                                  # (free until something raises)
            return self.forward(*args, **kwargs)
        except (AttributeError, TypeError) as e:
            if args:                          # a non-Tensor input: torch's error, as its kernel would raise it
                _translate(e, args[0])
            raise

    _wrapped_call_impl = __call__

    def _call_impl(self, *args, **kwargs):
        """``__call__`` with hooks: the order is fixed (see the module docstring)."""
        state = {"result": None, "args": args, "kwargs": kwargs, "called": set()}
        try:
            return self._run_hooked(state)
        except Exception:
            self._run_always_called_hooks(state)
            raise

    def _run_hooked(self, state):
        args, kwargs = state["args"], state["kwargs"]
        backward_pre_hooks = []
        if self._backward_pre_hooks or _global_backward_pre_hooks:
            backward_pre_hooks = [*_global_backward_pre_hooks.values(), *self._backward_pre_hooks.values()]
        full_hooks, legacy_hooks = [], []
        if self._backward_hooks or _global_backward_hooks:
            full_hooks, legacy_hooks = self._get_backward_hooks()

        if _global_forward_pre_hooks or self._forward_pre_hooks:
            with_kwargs = self._forward_pre_hooks_with_kwargs
            for hook_id, hook in (*_global_forward_pre_hooks.items(), *self._forward_pre_hooks.items()):
                if hook_id in with_kwargs:
                    out = hook(self, args, kwargs)
                    if out is not None:
                        if isinstance(out, tuple) and len(out) == 2:
                            args, kwargs = out
                        else:
                            raise RuntimeError("forward pre-hook must return None or a tuple of (new_args, "
                                               f"new_kwargs), but got {out}.")
                else:
                    out = hook(self, args)
                    if out is not None:
                        args = out if isinstance(out, tuple) else (out,)
                state["args"], state["kwargs"] = args, kwargs

        bw_hook = None
        if full_hooks or backward_pre_hooks:
            bw_hook = _hooks.BackwardHook(self, full_hooks, backward_pre_hooks)
            args = bw_hook.setup_input_hook(args)
            state["args"] = args

        result = self.forward(*args, **kwargs)
        state["result"] = result
        if _global_forward_hooks or self._forward_hooks:
            called = state["called"]
            for hook_id, hook in (*_global_forward_hooks.items(), *self._forward_hooks.items()):
                if hook_id in self._forward_hooks_always_called or hook_id in _global_forward_hooks_always_called:
                    called.add(hook_id)
                if hook_id in self._forward_hooks_with_kwargs or hook_id in _global_forward_hooks_with_kwargs:
                    out = hook(self, args, kwargs, result)
                else:
                    out = hook(self, args, result)
                if out is not None:
                    result = out
                    state["result"] = result

        if bw_hook is not None:
            if not isinstance(result, (Tensor, tuple)):
                warnings.warn("For backward hooks to be called, module output should be a Tensor or a tuple of "
                              f"Tensors but received {_state._cls_repr(type(result))}", stacklevel=3)
            result = bw_hook.setup_output_hook(result)

        if legacy_hooks:
            var = result
            while not isinstance(var, Tensor):
                if isinstance(var, dict):
                    var = next(v for v in var.values() if isinstance(v, Tensor))
                else:
                    var = var[0]
            node = var.grad_fn
            if node is not None:
                for hook in legacy_hooks:
                    node.register_hook(_hooks.WrappedHook(hook, self))
                _hooks.warn_non_full_backward_hook(args, result, node)
        return result

    def _run_always_called_hooks(self, state):
        args, kwargs, result, called = state["args"], state["kwargs"], state["result"], state["called"]
        for hook_id, hook in _global_forward_hooks.items():
            if hook_id in _global_forward_hooks_always_called and hook_id not in called:
                try:
                    out = hook(self, args, result)
                    if out is not None:
                        result = out
                except Exception as exc:
                    warnings.warn("global module forward hook with ``always_call=True`` raised an exception that "
                                  f"was silenced as another error was raised in forward: {exc}", stacklevel=3)
        for hook_id, hook in self._forward_hooks.items():
            if hook_id in self._forward_hooks_always_called and hook_id not in called:
                try:
                    if hook_id in self._forward_hooks_with_kwargs:
                        out = hook(self, args, kwargs, result)
                    else:
                        out = hook(self, args, result)
                    if out is not None:
                        result = out
                except Exception as exc:
                    warnings.warn("module forward hook with ``always_call=True`` raised an exception that was "
                                  f"silenced as another error was raised in forward: {exc}", stacklevel=3)

    def _get_backward_hooks(self):
        """(full hooks, legacy hooks): global ones first."""
        full, legacy = [], []
        if _global_is_full_backward_hook is True:
            full += _global_backward_hooks.values()
        elif _global_is_full_backward_hook is False:
            legacy += _global_backward_hooks.values()
        if self._is_full_backward_hook is True:
            full += self._backward_hooks.values()
        elif self._is_full_backward_hook is False:
            legacy += self._backward_hooks.values()
        return full, legacy

    def _get_backward_pre_hooks(self):
        return [*_global_backward_pre_hooks.values(), *self._backward_pre_hooks.values()]

    # ---- hook registration ------------------------------------------------------------------------------
    def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
        """``hook(module, args) -> None | args`` (or ``hook(module, args, kwargs)`` with ``with_kwargs``)."""
        handle = RemovableHandle(self._forward_pre_hooks, extra_dict=self._forward_pre_hooks_with_kwargs)
        self._forward_pre_hooks[handle.id] = hook
        if with_kwargs:
            self._forward_pre_hooks_with_kwargs[handle.id] = True
        if prepend:
            self._forward_pre_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False, always_call=False):
        """``hook(module, args, output) -> None | output``; ``always_call`` also runs it when forward raises."""
        handle = RemovableHandle(self._forward_hooks, extra_dict=[self._forward_hooks_with_kwargs,
                                                                   self._forward_hooks_always_called])
        self._forward_hooks[handle.id] = hook
        if with_kwargs:
            self._forward_hooks_with_kwargs[handle.id] = True
        if always_call:
            self._forward_hooks_always_called[handle.id] = True
        if prepend:
            self._forward_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_full_backward_pre_hook(self, hook, prepend=False):
        """``hook(module, grad_output) -> None | grad_output`` when the output gradients are ready."""
        handle = RemovableHandle(self._backward_pre_hooks)
        self._backward_pre_hooks[handle.id] = hook
        if prepend:
            self._backward_pre_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_full_backward_hook(self, hook, prepend=False):
        """``hook(module, grad_input, grad_output) -> None | grad_input`` when the input gradients are ready."""
        if self._is_full_backward_hook is False:
            raise RuntimeError(_MIXED_LOCAL)
        self._is_full_backward_hook = True
        handle = RemovableHandle(self._backward_hooks)
        self._backward_hooks[handle.id] = hook
        if prepend:
            self._backward_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_backward_hook(self, hook):
        """Legacy backward hook on the last autograd node of forward (deprecated)."""
        if self._is_full_backward_hook is True:
            raise RuntimeError(_MIXED_LOCAL)
        self._is_full_backward_hook = False
        handle = RemovableHandle(self._backward_hooks)
        self._backward_hooks[handle.id] = hook
        return handle

    def _register_state_dict_hook(self, hook):
        """Private post hook ``hook(module, state_dict, prefix, local_metadata)``; may return a new dict."""
        if getattr(hook, "_from_public_api", False):
            raise RuntimeError("Cannot register the same function as the state dict post hook that was "
                               "previously registered via register_state_dict_post_hook")
        handle = RemovableHandle(self._state_dict_hooks)
        self._state_dict_hooks[handle.id] = hook
        return handle

    def register_state_dict_post_hook(self, hook):
        """``hook(module, state_dict, prefix, local_metadata) -> None`` after this module's state is saved."""
        hook._from_public_api = True
        handle = RemovableHandle(self._state_dict_hooks)
        self._state_dict_hooks[handle.id] = hook
        return handle

    def register_state_dict_pre_hook(self, hook):
        """``hook(module, prefix, keep_vars)`` before this module's state is saved."""
        handle = RemovableHandle(self._state_dict_pre_hooks)
        self._state_dict_pre_hooks[handle.id] = hook
        return handle

    def _register_load_state_dict_pre_hook(self, hook, with_module=False):
        handle = RemovableHandle(self._load_state_dict_pre_hooks)
        self._load_state_dict_pre_hooks[handle.id] = _hooks.WrappedHook(hook, self if with_module else None)
        return handle

    def register_load_state_dict_pre_hook(self, hook):
        """``hook(module, state_dict, prefix, local_metadata, strict, missing, unexpected, errors)``."""
        return self._register_load_state_dict_pre_hook(hook, with_module=True)

    def register_load_state_dict_post_hook(self, hook):
        """``hook(module, incompatible_keys) -> None``; may edit the key lists in place."""
        handle = RemovableHandle(self._load_state_dict_post_hooks)
        self._load_state_dict_post_hooks[handle.id] = hook
        return handle

    # ---- state_dict -------------------------------------------------------------------------------------
    def _save_to_state_dict(self, destination, prefix, keep_vars):
        """This module's own parameters, persistent buffers and extra state (not its children)."""
        for name, param in self._parameters.items():
            if param is not None:
                destination[prefix + name] = param if keep_vars else param.detach()
        non_persistent = self._non_persistent_buffers_set
        for name, buf in self._buffers.items():
            if buf is not None and name not in non_persistent:
                destination[prefix + name] = buf if keep_vars else buf.detach()
        if type(self).get_extra_state is not Module.get_extra_state:
            destination[prefix + _EXTRA_STATE_KEY_SUFFIX] = self.get_extra_state()

    def state_dict(self, *args, destination=None, prefix="", keep_vars=False):
        """An ``OrderedDict`` of every parameter and persistent buffer by dotted name.

        Values are detached tensors that share memory with the module (``keep_vars=True``: the objects
        themselves); shared submodules appear under every path.  ``_metadata`` holds each module's version.
        """
        if args:
            warnings.warn("Positional args are being deprecated, use kwargs instead. Refer to "
                          "https://pytorch.org/docs/main/generated/torch.nn.Module.html#torch.nn.Module.state_dict"
                          " for details.", FutureWarning, stacklevel=2)
            if destination is None:
                destination = args[0]
            if len(args) > 1 and prefix == "":
                prefix = args[1]
            if len(args) > 2 and keep_vars is False:
                keep_vars = args[2]
        if destination is None:
            destination = OrderedDict()
            destination._metadata = OrderedDict()
        local_metadata = {"version": self._version}
        if hasattr(destination, "_metadata"):
            destination._metadata[prefix[:-1]] = local_metadata
        for hook in self._state_dict_pre_hooks.values():
            hook(self, prefix, keep_vars)
        self._save_to_state_dict(destination, prefix, keep_vars)
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination=destination, prefix=prefix + name + ".", keep_vars=keep_vars)
        for hook in self._state_dict_hooks.values():
            out = hook(self, destination, prefix, local_metadata)
            if getattr(hook, "_from_public_api", False):
                if out is not None:
                    raise RuntimeError("state_dict post-hook must return None")
            elif out is not None:
                destination = out
        return destination

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                              error_msgs):
        """Copy this module's own entries of ``state_dict`` in place; record what is missing or unexpected.

        Runs the load pre-hooks first.  Override it (calling ``super()``) to rename or fill keys of old
        checkpoints, as BatchNorm does for ``num_batches_tracked``.
        """
        _state.load_own_state(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                              error_msgs)

    def load_state_dict(self, state_dict, strict=True, assign=False):
        """Copy ``state_dict`` into this module's parameters and buffers in place.

        Returns ``(missing_keys, unexpected_keys)``; with ``strict`` either one non-empty raises.  Size
        mismatches raise whatever ``strict`` says.  ``assign=True`` stores the given tensors instead.
        """
        return _state.load_state_dict(self, state_dict, strict, assign)

    # ---- iteration --------------------------------------------------------------------------------------
    def _named_members(self, get_members, prefix="", recurse=True, remove_duplicate=True):
        memo = set()
        modules = (self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse
                   else [(prefix, self)])
        for module_prefix, module in modules:
            for name, value in get_members(module):
                if value is None or id(value) in memo:
                    continue
                if remove_duplicate:
                    memo.add(id(value))
                yield (module_prefix + ("." if module_prefix else "") + name), value

    def parameters(self, recurse=True):
        """A generator over the parameters (each once, in registration order, depth first)."""
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        """A generator of ``(dotted name, parameter)``; a tied parameter appears under its first name."""
        yield from self._named_members(_own_parameters, prefix, recurse, remove_duplicate)

    def buffers(self, recurse=True):
        """A generator over the buffers (persistent or not)."""
        for _, buf in self.named_buffers(recurse=recurse):
            yield buf

    def named_buffers(self, prefix="", recurse=True, remove_duplicate=True):
        """A generator of ``(dotted name, buffer)``."""
        yield from self._named_members(_own_buffers, prefix, recurse, remove_duplicate)

    def children(self):
        """A generator over the direct submodules (each once)."""
        for _, module in self.named_children():
            yield module

    def named_children(self):
        """A generator of ``(name, direct submodule)``, skipping ``None`` and repeats."""
        memo = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in memo:
                memo.add(id(module))
                yield name, module

    def modules(self):
        """A generator over this module and every submodule (pre-order, each once)."""
        for _, module in self.named_modules():
            yield module

    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        """A pre-order generator of ``(dotted name, module)`` starting with ``(prefix, self)``."""
        if memo is None:
            memo = set()
        if self in memo:
            return
        if remove_duplicate:
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            yield from module.named_modules(memo, prefix + ("." if prefix else "") + name, remove_duplicate)

    # ---- modes and gradients ----------------------------------------------------------------------------
    def train(self, mode=True):
        """Set training mode here and in every submodule; returns ``self``."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.training = mode
        for module in self.children():
            module.train(mode)
        return self

    def eval(self):
        """``train(False)``.  It does not disable autograd (use ``no_grad``)."""
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        """Set ``requires_grad`` on every parameter; returns ``self``."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        """Reset every parameter's gradient: to ``None`` by default, else to zeros in place."""
        for p in self.parameters():
            g = p.grad
            if g is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                if g.grad_fn is not None:
                    g.detach_()
                else:
                    g.requires_grad_(False)
                g.zero_()

    def apply(self, fn):
        """Call ``fn`` on every submodule (children first), then on ``self``; returns ``self``."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    def share_memory(self):
        """Move storage to shared memory (a no-op for NumPy arrays); returns ``self``."""
        return self._apply(lambda t: t.share_memory_())

    def compile(self, *args, **kwargs):
        """``torch.compile`` this module in place; ember runs eagerly, so calls behave the same. Returns None."""
        return None

    # ---- device and dtype -------------------------------------------------------------------------------
    def _apply(self, fn, recurse=True):
        """Convert every parameter, gradient and buffer with ``fn``, in place.

        A parameter keeps its identity (its array is swapped, as ``param.data = fn(param)``), and so does its
        ``.grad``; buffers are replaced by ``fn(buffer)``.
        """
        if recurse:
            for module in self.children():
                module._apply(fn)
        for key, param in self._parameters.items():
            if param is None:
                continue
            with _grad_mode.no_grad():
                new = fn(param)
            param._data = new._data
            grad = param.grad
            if grad is not None:
                with _grad_mode.no_grad():
                    new_grad = fn(grad)
                grad._data = new_grad._data
        for key, buf in self._buffers.items():
            if buf is not None:
                self._buffers[key] = fn(buf)
        return self

    def to(self, *args, **kwargs):
        """``to(device)``, ``to(dtype)``, ``to(device, dtype)``, ``to(tensor)``: convert in place, return ``self``.

        Only floating-point and complex tensors change dtype (integer buffers keep theirs).
        """
        device, dtype, non_blocking = _convert.parse_module_to(args, kwargs)
        if dtype is not None:
            if not (dtype.is_floating_point or dtype.is_complex):
                raise TypeError("nn.Module.to only accepts floating point or complex dtypes, but got desired "
                                f"dtype={dtype}")
            if dtype.is_complex:
                warnings.warn("Complex modules are a new feature under active development whose design may "
                              "change, and some modules might not work as expected when using complex tensors as "
                              "parameters or buffers. Please file an issue at "
                              "https://github.com/pytorch/pytorch/issues/new?template=bug-report.yml if a complex "
                              "module does not work as expected.", stacklevel=2)

        def convert(t):
            if t.is_floating_point() or t.is_complex():
                return t.to(device, dtype)
            return t.to(device)
        return self._apply(convert)

    def cpu(self):
        """Move every parameter and buffer to the CPU; returns ``self``."""
        return self._apply(lambda t: t.cpu())

    def cuda(self, device=None):
        """Move every parameter and buffer to a GPU; returns ``self``."""
        return self._apply(lambda t: t.cuda(device))

    def type(self, dst_type):
        """Cast every parameter and buffer (integer ones too) to ``dst_type``; returns ``self``."""
        return self._apply(lambda t: t.type(dst_type))

    def float(self):
        """Floating-point parameters and buffers to float32; returns ``self``."""
        return self._apply(lambda t: t.float() if t.is_floating_point() else t)

    def double(self):
        """Floating-point parameters and buffers to float64; returns ``self``."""
        return self._apply(lambda t: t.double() if t.is_floating_point() else t)

    def half(self):
        """Floating-point parameters and buffers to float16; returns ``self``."""
        return self._apply(lambda t: t.half() if t.is_floating_point() else t)

    def bfloat16(self):
        """Floating-point parameters and buffers to bfloat16; returns ``self``."""
        return self._apply(lambda t: t.bfloat16() if t.is_floating_point() else t)

    def to_empty(self, *, device=None, recurse=True):
        """Replace every parameter and buffer by an uninitialised tensor of the same shape on ``device``."""
        from ..._creation import empty_like
        return self._apply(lambda t: empty_like(t, device=device), recurse=recurse)

    # ---- printing ---------------------------------------------------------------------------------------
    def _get_name(self):
        return type(self).__name__

    def extra_repr(self):
        """The text inside ``Name(...)``; layers override it to show their settings."""
        return ""

    def __repr__(self):
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = ["(" + key + "): " + _addindent(repr(module), 2) for key, module in self._modules.items()]
        lines = extra_lines + child_lines
        text = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                text += extra_lines[0]
            else:
                text += "\n  " + "\n  ".join(lines) + "\n"
        return text + ")"

    def _replicate_for_data_parallel(self):
        replica = self.__new__(type(self))
        replica.__dict__ = self.__dict__.copy()
        replica._parameters = dict()
        replica._buffers = replica._buffers.copy()
        replica._modules = replica._modules.copy()
        return replica


# ----------------------------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------------------------

def _own_parameters(module):
    return module._parameters.items()


def _own_buffers(module):
    return module._buffers.items()


def _remove_from(name, *containers):
    for c in containers:
        if name in c:
            if isinstance(c, dict):
                del c[name]
            else:
                c.discard(name)


def _unmark_buffer(marker):
    """The plain Tensor an ``nn.Buffer`` marker stands for (same memory and version counter)."""
    t = _wrap(marker._data, marker.requires_grad)
    t._extra = {"is_buffer": True}      # so that isinstance(t, nn.Buffer) holds, as in torch
    vc = marker._vc
    if vc is None:
        vc = marker._vc = [0]
    t._vc = vc
    return t
