"""``Optimizer``: the bookkeeping every algorithm shares.

A subclass says only what is particular to it (STYLE.md habit 12, after MLX's ``init_single`` /
``apply_single``):

* ``_init_state(p, state, group)`` fills a fresh per-parameter ``state`` dict (tensors as torch stores them:
  ``step`` a 0-d float32 tensor, moments ``zeros_like(p)``);
* ``_update(p, grad, state, group)`` applies one step to one parameter.  It works on the NumPy arrays
  (``p._data``) in place and runs its element-wise math block by block through ``_blocks`` so the temporaries
  stay in cache; ``_fused`` gives the steps that torch's kernels round once (``add(alpha=)``, ``lerp``,
  ``addcmul``, ``addcdiv``) and torch's handling of numbers against 16-bit arrays;
* ``_update_differentiable(p, grad, state, group)`` (optional) is the same step as autograd-recorded tensor
  operations, for ``differentiable=True``.

The base class owns ``param_groups`` (defaults filled in), ``state`` (keyed by parameter), ``add_param_group``,
``zero_grad``, ``step`` (closure, parameters without ``.grad`` skipped, no autograd recording unless
``differentiable``, ``capturable`` refused off accelerators), the step and
state_dict hooks, and ``state_dict`` / ``load_state_dict`` in torch's layout: state keyed by parameter index,
groups with ``params`` as index lists.  A state dict made by torch (tensors converted through NumPy) loads here
and continues identically, and the reverse.
"""
from __future__ import annotations

import functools
import warnings
from collections import OrderedDict, defaultdict
from copy import deepcopy
from itertools import chain

import numpy as np

from .. import _dtype as _dt
from ..autograd.grad_mode import enable_grad, no_grad
from ..tensor import Tensor, _wrap
from ..utils.hooks import RemovableHandle

__all__ = ["Optimizer", "required", "register_optimizer_step_pre_hook", "register_optimizer_step_post_hook"]


class _RequiredParameter:
    """Singleton marking a hyper-parameter every group must give (``SGD``'s ``lr`` in old torch)."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()

_global_step_pre_hooks: dict = OrderedDict()
_global_step_post_hooks: dict = OrderedDict()


def register_optimizer_step_pre_hook(hook):
    """Register ``hook(optimizer, args, kwargs) -> None | (args, kwargs)`` run before every optimizer's step."""
    handle = RemovableHandle(_global_step_pre_hooks)
    _global_step_pre_hooks[handle.id] = hook
    return handle


def register_optimizer_step_post_hook(hook):
    """Register ``hook(optimizer, args, kwargs)`` run after every optimizer's step."""
    handle = RemovableHandle(_global_step_post_hooks)
    _global_step_post_hooks[handle.id] = hook
    return handle


def _with_step_hooks(step):
    """Wrap a ``step`` method so the global and per-instance pre/post hooks run around it."""

    @functools.wraps(step)
    def wrapper(self, *args, **kwargs):
        if not (_global_step_pre_hooks or self._optimizer_step_pre_hooks or _global_step_post_hooks
                or self._optimizer_step_post_hooks):
            return step(self, *args, **kwargs)        # the common path pays nothing for hooks
        args = (self,) + args             # as in torch, the hooks see the optimizer as the first argument
        for hook in chain(_global_step_pre_hooks.values(), self._optimizer_step_pre_hooks.values()):
            result = hook(self, args, kwargs)
            if result is not None:
                if isinstance(result, tuple) and len(result) == 2:
                    args, kwargs = result
                else:
                    raise RuntimeError(f"{step} must return None or a tuple of (new_args, new_kwargs), but got "
                                       f"{result}.")
        out = step(*args, **kwargs)
        for hook in chain(self._optimizer_step_post_hooks.values(), _global_step_post_hooks.values()):
            hook(self, args, kwargs)
        return out

    wrapper._hooked = True
    return wrapper


def _typename(obj):
    if isinstance(obj, Tensor):
        return obj.type()
    cls = type(obj)
    module = getattr(cls, "__module__", "") or ""
    return cls.__qualname__ if module in ("", "builtins") else f"{module}.{cls.__qualname__}"


# ---- helpers for the algorithms ---------------------------------------------------------------------------

def _value(x):
    """A hyper-parameter as a number.  A 1-element Tensor becomes a NumPy scalar of its own dtype, so that scalar
    arithmetic rounds as torch's 0-d tensor arithmetic does (NumPy 2 treats Python floats as weak, like torch)."""
    if isinstance(x, Tensor):
        return x._host().reshape(())[()]
    return x


def _pow(base, exponent):
    """``base ** exponent`` where ``base`` may be a NumPy scalar from a Tensor hyper-parameter: torch's
    tensor-scalar pow multiplies out the exponents 2 and 3 and takes a square root for 0.5, which rounds differently
    from a float32 ``powf``."""
    if not isinstance(base, np.generic):
        return base ** exponent
    if exponent == 2:
        return base * base
    if exponent == 3:
        return base * base * base
    if exponent == 0.5:
        return np.sqrt(base)
    return base ** exponent


def _scalar_tensor(value, dtype=None):
    """A 0-d tensor holding a counter or scalar state (``step``, ``mu_product``); float32 as torch stores it,
    float64 when the default dtype is float64."""
    if dtype is None:
        dtype = np.float64 if _dt.get_default_dtype() is _dt.float64 else np.float32
    return _wrap(np.array(value, dtype=dtype))


def _zeros_like(p, fill=0):
    return _wrap(np.full_like(p._data, fill))


def _step_count(state):
    """Add one to ``state['step']`` (a 0-d tensor) and return the new count as a Python float."""
    step = state["step"]
    arr = step._data
    arr += 1
    step._bump_version()
    return float(arr)


_BLOCK = 1 << 14


def _blocks(*arrays):
    """Yield tuples of matching 1-D views that cover ``arrays`` (all of one shape) block by block.

    Element-wise update math over blocks of 16K elements keeps every temporary in cache, which is what makes a
    chain of NumPy calls as fast as torch's fused kernels.  Non-contiguous arrays come back whole, once."""
    n = arrays[0].size
    if n <= _BLOCK or not all(a.flags.c_contiguous for a in arrays):
        yield arrays
        return
    flat = [a.reshape(-1) for a in arrays]
    for i in range(0, n, _BLOCK):
        yield tuple(f[i:i + _BLOCK] for f in flat)


def _real(arr):
    """A complex array as a real one (torch's ``view_as_real``: real and imaginary parts updated independently)."""
    if arr.dtype.kind == "c":
        return arr.view(arr.real.dtype)
    return arr


# ---- the base class ---------------------------------------------------------------------------------------

class Optimizer:
    """Base class for all optimizers.

    Args:
        params: an iterable of Tensors, of ``(name, Tensor)`` pairs, or of dicts (parameter groups, each with a
            ``params`` entry and any hyper-parameters that differ from ``defaults``).
        defaults: the hyper-parameters a group takes when it does not name them.
    """

    _tensor_step = False      # True where torch keeps ``state['step']`` as a 0-d tensor (old float steps convert)
    # where ``capturable=True`` (CUDA-graph capture) needs an accelerator: the tensors its error message names
    _capturable_tensors = None
    _capturable_devices = ["cuda", "xpu", "hpu", "privateuseone", "xla"]

    def __init__(self, params, defaults):
        self.defaults = defaults
        self._optimizer_step_pre_hooks = OrderedDict()
        self._optimizer_step_post_hooks = OrderedDict()
        self._optimizer_state_dict_pre_hooks = OrderedDict()
        self._optimizer_state_dict_post_hooks = OrderedDict()
        self._optimizer_load_state_dict_pre_hooks = OrderedDict()
        self._optimizer_load_state_dict_post_hooks = OrderedDict()
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or dicts, "
                            "but got " + _typename(params))
        self.state = defaultdict(dict)
        self.param_groups = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "_hooked", False):
            cls.step = _with_step_hooks(step)

    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)
        for name in ("_optimizer_step_pre_hooks", "_optimizer_step_post_hooks", "_optimizer_state_dict_pre_hooks",
                     "_optimizer_state_dict_post_hooks", "_optimizer_load_state_dict_pre_hooks",
                     "_optimizer_load_state_dict_post_hooks"):
            if name not in self.__dict__:
                setattr(self, name, OrderedDict())
        self.defaults.setdefault("differentiable", False)
        # groups saved by an older version lack newer options: fill them from the defaults
        for group in self.param_groups:
            for key, value in self.defaults.items():
                if value is not required:
                    group.setdefault(key, value)
        if self._tensor_step:
            for p_state in self.state.values():
                if isinstance(p_state, dict) and "step" in p_state and not isinstance(p_state["step"], Tensor):
                    p_state["step"] = _scalar_tensor(float(p_state["step"]))

    def __repr__(self):
        text = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"

    # ---- parameter groups ------------------------------------------------------------------------------
    def add_param_group(self, param_group):
        """Add a group of parameters with its own hyper-parameters (the rest from ``defaults``)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the ordering "
                            "of tensors in sets will change between runs. Please use a list instead.")
        else:
            params = list(params)
        tensors, names = [], []
        for param in params:
            if isinstance(param, tuple):
                names.append(param[0])
                tensors.append(param[1])
            else:
                tensors.append(param)
        param_group["params"] = tensors
        if names:
            if len(names) != len(tensors):
                raise ValueError("all optimizer params should be with/without names. Some param names are missing")
            param_group["param_names"] = names
        for param in tensors:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is " + _typename(param))
            if not self.defaults.get("differentiable", None) and not (param.is_leaf or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required optimization parameter "
                                 f"{name}")
            param_group.setdefault(name, default)
        if len(tensors) != len(set(tensors)):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in future, this will "
                          "cause an error; see github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)
        seen = set()
        for group in self.param_groups:
            seen.update(group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError(f"all optimizer param groups should be with/without names. cannot add param group "
                                 f"{which} to the optimizer")
        if not seen.isdisjoint(tensors):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none=True):
        """Reset the gradients: ``None`` (default; the next step then skips them) or zeros."""
        for group in self.param_groups:
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    if grad.grad_fn is not None:
                        grad.detach_()
                    else:
                        grad.requires_grad_(False)
                    grad._data[...] = 0
                    grad._bump_version()

    # ---- the step --------------------------------------------------------------------------------------
    def step(self, closure=None):
        """One optimization step over every parameter that has a gradient.

        ``closure`` re-evaluates the model and returns the loss; it runs with grad enabled and its value is
        returned."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        states = self.state
        differentiable = self.defaults.get("differentiable", False)
        # differentiable=True: the update is recorded by autograd (tensor operations instead of array updates)
        with enable_grad() if differentiable else no_grad():
            for group in self.param_groups:
                capturable = self._capturable_tensors is not None and group.get("capturable", False)
                for p in group["params"]:
                    grad = p.grad
                    if grad is None:
                        continue
                    state = states.get(p)
                    if not state:
                        if state is None:
                            state = {}
                        self._init_state(p, state, group)
                    if capturable and p.device.type not in self._capturable_devices:
                        states[p] = state
                        raise AssertionError(f"If capturable=True, {self._capturable_tensors} must be on supported "
                                             f"devices: {self._capturable_devices}.")
                    if differentiable:
                        self._update_differentiable(p, grad, state, group)
                    else:
                        self._update(p, grad, state, group)
                        p._bump_version()
                    if state and p not in states:    # an algorithm without state (plain SGD) keeps none
                        states[p] = state
        return loss

    def _init_state(self, p, state, group):
        """Fill the empty ``state`` of parameter ``p`` before its first update (nothing by default)."""

    def _update(self, p, grad, state, group):
        raise NotImplementedError(f"{type(self).__name__} does not implement _update")

    def _update_differentiable(self, p, grad, state, group):
        """The step as autograd-recorded tensor operations (``differentiable=True``); only some algorithms have
        it."""
        raise RuntimeError(f"ember.optim.{type(self).__name__} does not support differentiable=True (autograd "
                           "through the optimizer step); SGD, Adam and AdamW do")

    # ---- hooks -----------------------------------------------------------------------------------------
    def register_step_pre_hook(self, hook):
        """``hook(optimizer, args, kwargs) -> None | (new_args, new_kwargs)`` before each ``step``."""
        handle = RemovableHandle(self._optimizer_step_pre_hooks)
        self._optimizer_step_pre_hooks[handle.id] = hook
        return handle

    def register_step_post_hook(self, hook):
        """``hook(optimizer, args, kwargs)`` after each ``step``."""
        handle = RemovableHandle(self._optimizer_step_post_hooks)
        self._optimizer_step_post_hooks[handle.id] = hook
        return handle

    def register_state_dict_pre_hook(self, hook, prepend=False):
        """``hook(optimizer)`` before ``state_dict`` builds its result."""
        return _register(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend=False):
        """``hook(optimizer, state_dict) -> None | state_dict`` after ``state_dict`` built its result."""
        return _register(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook, prepend=False):
        """``hook(optimizer, state_dict) -> None | state_dict`` before ``load_state_dict`` reads it."""
        return _register(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook, prepend=False):
        """``hook(optimizer)`` after ``load_state_dict``."""
        return _register(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    # ---- state dict ------------------------------------------------------------------------------------
    def state_dict(self):
        """``{'state': {index: {...}}, 'param_groups': [{..., 'params': [indices]}]}`` as torch lays it out.

        Indices number the parameters in group order; the state tensors are the live ones (not copies)."""
        for hook in self._optimizer_state_dict_pre_hooks.values():
            hook(self)
        index_of = {}
        groups = []
        start = 0
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start):
                index_of.setdefault(id(p), i)
            packed["params"] = [index_of[id(p)] for p in group["params"]]
            start += len(packed["params"])
            groups.append(packed)
        state = {(index_of[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()}
        state_dict = {"state": state, "param_groups": groups}
        for hook in self._optimizer_state_dict_post_hooks.values():
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    def load_state_dict(self, state_dict):
        """Load a ``state_dict()`` (from ember or torch): groups are matched in order, parameters by position.

        Floating-point state tensors take the dtype of their parameter; ``step`` counters keep theirs."""
        state_dict = state_dict.copy()
        for hook in self._optimizer_load_state_dict_pre_hooks.values():
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match the size of "
                             "optimizer's group")
        id_map = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                          chain.from_iterable(g["params"] for g in groups)))
        state = defaultdict(dict)
        for key, value in state_dict["state"].items():
            if key in id_map:
                param = id_map[key]
                state[param] = _cast(param, value, key)
            else:
                state[key] = value
        new_groups = []
        for group, saved in zip(groups, saved_groups):
            saved["params"] = group["params"]
            if "param_names" in group and "param_names" not in saved:
                saved["param_names"] = group["param_names"]
            new_groups.append(saved)
        self.__setstate__({"state": state, "param_groups": new_groups})
        for hook in self._optimizer_load_state_dict_post_hooks.values():
            hook(self)


def _register(hooks, hook, prepend):
    handle = RemovableHandle(hooks)
    hooks[handle.id] = hook
    if prepend:
        hooks.move_to_end(handle.id, last=False)
    return handle


def _cast(param, value, key=None):
    """A loaded state value for ``param``: tensors moved to its device, floating ones to its dtype (``step`` kept
    as it is), containers walked."""
    if isinstance(value, Tensor):
        # as in torch, a tensor that already has the right dtype and device is taken over, not copied
        if key != "step" and param.is_floating_point():
            return value.to(dtype=param.dtype, device=param.device)
        return value if key == "step" else value.to(device=param.device)
    if isinstance(value, dict):
        return {k: _cast(param, v, k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_cast(param, v) for v in value)
    return value


Optimizer.step = _with_step_hooks(Optimizer.step)
