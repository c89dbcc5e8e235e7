"""Stateless module calls: run a module with some parameters and buffers swapped for given tensors.

``functional_call(module, {"weight": w}, x)`` puts ``w`` in the module's ``weight`` slot, calls the module,
and puts the original back, even when the call raises.  Gradients flow to ``w``, not to the module's own
parameter.  Used by ``ember.func.functional_call``.

Deviation: torch's ``nn.utils.stateless.functional_call`` is a deprecated twin of ``torch.func.functional_call``
that warns and takes one dict only; here both names are the ``torch.func`` function.
"""
from __future__ import annotations

import contextlib
from collections.abc import Sequence

from ...tensor import Tensor

__all__ = ["functional_call"]

_MISSING = object()


# ----------------------------------------------------------------------------------------------------------
# swapping one dotted name
# ----------------------------------------------------------------------------------------------------------

class _Accessor:
    """Dotted-name access to a module's tensors, caching the submodule lookups."""

    def __init__(self, module):
        self.module = module
        self.memo = {}

    def submodule(self, path):
        if not path:
            return self.module
        if path in self.memo:
            return self.memo[path]
        prefix, dot, attr = path.rpartition(".")
        parent = self.submodule(prefix) if dot else self.module
        try:
            sub = getattr(parent, attr)
        except AttributeError as exc:
            raise AttributeError(f"{parent._get_name()} has no attribute `{attr}`") from exc
        from ..modules.module import Module
        if not isinstance(sub, Module):
            raise TypeError(f"submodule `{path}`: {sub} is not an instance of torch.nn.Module")
        self.memo[path] = sub
        return sub

    def swap(self, name, value):
        """Put ``value`` at dotted ``name`` (``_MISSING`` deletes it); returns what was there."""
        prefix, _, attr = name.rpartition(".")
        return _swap_tensor(self.submodule(prefix), attr, value)

    def swap_all(self, named):
        originals = {}
        try:
            for name, value in named.items():
                originals[name] = self.swap(name, value)
        except Exception:
            for name, value in originals.items():
                self.swap(name, value)
            raise
        return originals

    def check_keys(self, keys):
        keys = set(keys)
        valid = {n for n, _ in self.module.named_parameters(remove_duplicate=False)}
        valid |= {n for n, _ in self.module.named_buffers(remove_duplicate=False)}
        return sorted(valid - keys), sorted(keys - valid)


def _swap_tensor(module, name, value):
    if value is not _MISSING and not isinstance(value, Tensor):
        raise TypeError(f"{value} is not an instance of torch.Tensor")
    if "." in name:
        raise KeyError('tensor name can\'t contain "."')
    if name == "":
        raise KeyError('tensor name can\'t be empty string ""')
    for slots in (module._parameters, module._buffers):
        if name in slots:
            original = slots[name]
            if value is _MISSING:
                del slots[name]
            else:
                slots[name] = value     # a plain tensor may sit in a parameter slot for the call
            return original
    original = getattr(module, name) if hasattr(module, name) else _MISSING
    if original is not _MISSING and not isinstance(original, Tensor):
        raise TypeError(f"attribute `{name}`: {original} is not an instance of torch.Tensor")
    if value is not _MISSING:
        setattr(module, name, value)
    elif hasattr(module, name):
        delattr(module, name)
    return original


# ----------------------------------------------------------------------------------------------------------
# tied weights and the context manager
# ----------------------------------------------------------------------------------------------------------

def _untie(module, given):
    """Give every name of a tied tensor the value supplied for one of them (several different: error)."""
    names_of = {}
    for name, t in [*module.named_parameters(remove_duplicate=False), *module.named_buffers(remove_duplicate=False)]:
        names_of.setdefault(id(t), set()).add(name)
    tied = {}
    for names in names_of.values():
        if len(names) > 1:
            for n in names:
                tied[n] = names
    given_tied = {n for n in given if n in tied}
    for n in given_tied:
        group = tied[n]
        if len(group & given_tied) > 1 and len({id(given[g]) for g in group if g in given}) != 1:
            raise ValueError(f"functional_call got multiple values for keys {sorted(group)}, which are tied. "
                             "Consider using tie_weights=False")
    out = dict(given)
    for n in given_tied:
        for other in tied[n]:
            out[other] = given[n]
    return out


@contextlib.contextmanager
def _reparametrize_module(module, parameters_and_buffers, tie_weights=False, strict=False):
    values = _untie(module, parameters_and_buffers) if tie_weights else parameters_and_buffers
    accessor = _Accessor(module)
    if strict:
        missing, unexpected = accessor.check_keys(values)
        errors = []
        if unexpected:
            errors.append(f"Unexpected key(s): {', '.join(map(repr, unexpected))}.")
        if missing:
            errors.append(f"Missing key(s): {', '.join(map(repr, missing))}.")
        if errors:
            raise RuntimeError("Error(s) in reparametrizing for {}:\n\t{}".format(module._get_name(),
                                                                                 "\n\t".join(errors)))
    originals = {}
    try:
        originals = accessor.swap_all(values)
        yield
    finally:
        current = accessor.swap_all(originals)
        # an in-place or re-assigned value inside the call shows through in the caller's dict (as torch)
        parameters_and_buffers.update({k: current[k] for k in parameters_and_buffers if k in current})


def _functional_call(module, parameters_and_buffers, args=None, kwargs=None, *, tie_weights=True, strict=False):
    if kwargs is None:
        kwargs = {}
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    with _reparametrize_module(module, parameters_and_buffers, tie_weights=tie_weights, strict=strict):
        return module(*args, **kwargs)


def _merge_dicts(dicts):
    if isinstance(dicts, dict):
        return dicts
    if isinstance(dicts, Sequence):
        if not all(isinstance(d, dict) for d in dicts):
            raise ValueError("Expected all elements of parameter_and_buffer_dicts to be dictionaries")
        counts = {}
        for d in dicts:
            for k in d:
                counts[k] = counts.get(k, 0) + 1
        repeated = [k for k, n in counts.items() if n > 1]
        if repeated:
            raise ValueError(f"{repeated} appeared in multiple dictionaries; behavior of functional call is "
                             "ambiguous")
        return {k: v for d in dicts for k, v in d.items()}
    raise ValueError("Expected parameter_and_buffer_dicts to be a dict, or a list/tuple of dicts, but got "
                     f"{type(dicts)}")


def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *, tie_weights=True,
                    strict=False):
    """Call ``module(*args, **kwargs)`` with the named parameters/buffers replaced by the given tensors.

    ``parameter_and_buffer_dicts`` is a dict (or a list/tuple of dicts) from dotted names to tensors;
    names not given keep the module's own values.  ``tie_weights`` makes a value given for one name of a
    tied parameter apply to all its names; ``strict`` requires exactly the module's names.

    Example::

        >>> import ember
        >>> from ember import nn
        >>> class Scale(nn.Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.w = nn.Parameter(ember.ones(1))
        ...     def forward(self, x):
        ...         return x * self.w
        >>> ember.func.functional_call(Scale(), {"w": ember.tensor([3.0])}, ember.tensor([2.0]))
        tensor([6.])
    """
    import warnings
    warnings.warn("`torch.nn.utils.stateless.functional_call` is deprecated as of PyTorch 2.0 and will be removed "
                  "in a future version of PyTorch. Please use `torch.func.functional_call` instead which is a drop-in "
                  "replacement.", FutureWarning, stacklevel=2)
    return _func_functional_call(module, parameter_and_buffer_dicts, args, kwargs, tie_weights=tie_weights,
                                 strict=strict)


def _func_functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *, tie_weights=True,
                          strict=False):
    """``torch.func.functional_call``: the same call without the deprecation of this module's name."""
    merged = _merge_dicts(parameter_and_buffer_dicts)
    return _functional_call(module, merged, args, kwargs, tie_weights=tie_weights, strict=strict)
