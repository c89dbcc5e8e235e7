"""``ember.func``: stateless module calls (``functional_call``) and a loop-based ``vmap``."""
from __future__ import annotations

import types

__all__ = ["func", "vmap", "functional_call"]


def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *, tie_weights=True,
                    strict=False):
    from .nn.utils.stateless import functional_call as _fc
    return _fc(module, parameter_and_buffer_dicts, args, kwargs, tie_weights=tie_weights, strict=strict)


def vmap(func_, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    """Vectorise ``func_`` over a batch dimension by calling it per slice and stacking (correct, not fast)."""
    from .ops.shape import stack

    def wrapper(*args):
        dims = in_dims if isinstance(in_dims, (list, tuple)) else (in_dims,) * len(args)
        sizes = {a.shape[d] for a, d in zip(args, dims) if d is not None}
        if len(sizes) != 1:
            raise ValueError(f"vmap: Expected all tensors to have the same size in the mapped dimension, got "
                             f"sizes {sorted(sizes)} for the mapped dimension")
        n = sizes.pop()
        outs = []
        for i in range(n):
            sliced = [a.select(d, i) if d is not None else a for a, d in zip(args, dims)]
            outs.append(func_(*sliced))
        if isinstance(outs[0], tuple):
            return tuple(stack([o[k] for o in outs], out_dims) for k in range(len(outs[0])))
        return stack(outs, out_dims)
    return wrapper


func = types.SimpleNamespace(functional_call=functional_call, vmap=vmap)
