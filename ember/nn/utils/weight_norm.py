"""The hook-based ``nn.utils.weight_norm`` / ``remove_weight_norm`` (deprecated in torch, still common in vocoder
and GAN code, and in the checkpoints it wrote): ``weight`` becomes ``weight_g * weight_v / ||weight_v||``.

The module's ``weight`` parameter is replaced by two parameters, ``<name>_g`` (the norms, one per slice along
``dim``) and ``<name>_v`` (the direction), so state dicts hold ``weight_g``/``weight_v``; a forward pre-hook
recomputes the plain tensor attribute ``<name>`` before every call.  ``dim=None`` (or -1) uses one norm for
the whole tensor.  ``nn.utils.parametrizations.weight_norm`` is the parametrization-based successor.
"""
from __future__ import annotations

import warnings

from ...autograd.grad_mode import no_grad
from ..parameter import Parameter

__all__ = ["WeightNorm", "weight_norm", "remove_weight_norm"]


def _norm_except_dim(v, pow_=2, dim=0):
    """The ``pow_``-norm of ``v`` over every dimension but ``dim``, kept broadcastable (``dim=-1``: one norm)."""
    if dim == -1:
        return v.norm(pow_)
    dim = dim % max(v.dim(), 1)
    dims = [d for d in range(v.dim()) if d != dim]
    if not dims:
        return v.abs() if pow_ != 0 else v
    return v.norm(pow_, dim=dims, keepdim=True)


class WeightNorm:
    """The forward pre-hook that recomputes ``module.<name>`` from ``<name>_g`` and ``<name>_v``."""

    def __init__(self, name, dim):
        if dim is None:
            dim = -1
        self.name = name
        self.dim = dim

    def compute_weight(self, module):
        g = getattr(module, self.name + "_g")
        v = getattr(module, self.name + "_v")
        return v * (g / _norm_except_dim(v, 2, self.dim))

    @staticmethod
    def apply(module, name, dim):
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, WeightNorm) and hook.name == name:
                raise RuntimeError(f"Cannot register two weight_norm hooks on the same parameter {name}")
        if dim is None:
            dim = -1
        fn = WeightNorm(name, dim)
        weight = getattr(module, name)
        if weight is None or type(weight).__name__.startswith("Uninitialized"):
            raise ValueError("The module passed to `WeightNorm` can't have uninitialized parameters. Make sure "
                             "to run the dummy forward before applying weight normalization")
        del module._parameters[name]
        module.register_parameter(name + "_g", Parameter(_norm_except_dim(weight, 2, dim).data))
        module.register_parameter(name + "_v", Parameter(weight.data))
        setattr(module, name, fn.compute_weight(module))
        module.register_forward_pre_hook(fn)
        return fn

    def remove(self, module):
        with no_grad():
            weight = self.compute_weight(module)
        delattr(module, self.name)
        del module._parameters[self.name + "_g"]
        del module._parameters[self.name + "_v"]
        setattr(module, self.name, Parameter(weight.data))

    def __call__(self, module, inputs):
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module, name="weight", dim=0):
    """Split ``module.<name>`` into a magnitude ``<name>_g`` and a direction ``<name>_v``; returns ``module``.

    Deprecated in torch in favour of ``nn.utils.parametrizations.weight_norm`` (and warns so here too).
    """
    warnings.warn("`torch.nn.utils.weight_norm` is deprecated in favor of "
                  "`torch.nn.utils.parametrizations.weight_norm`.", FutureWarning, stacklevel=2)
    WeightNorm.apply(module, name, dim)
    return module


def remove_weight_norm(module, name="weight"):
    """Undo ``weight_norm``: ``<name>`` is a plain Parameter again (holding g * v / ||v||); returns ``module``."""
    for key, hook in module._forward_pre_hooks.items():
        if isinstance(hook, WeightNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[key]
            return module
    raise ValueError(f"weight_norm of '{name}' not found in {module}")
