"""``nn.modules.utils``: the small argument helpers layer code imports (``_pair`` for ``kernel_size=3`` and
the like) and ``consume_prefix_in_state_dict_if_present``.
"""
from __future__ import annotations

import collections.abc
import itertools

__all__ = ["consume_prefix_in_state_dict_if_present"]


def _ntuple(n, name="parse"):
    """A converter: an iterable becomes a tuple of its items, anything else is repeated ``n`` times."""
    def parse(x):
        if isinstance(x, collections.abc.Iterable):
            return tuple(x)
        return tuple(itertools.repeat(x, n))
    parse.__name__ = name
    return parse


_single = _ntuple(1, "_single")
_pair = _ntuple(2, "_pair")
_triple = _ntuple(3, "_triple")
_quadruple = _ntuple(4, "_quadruple")


def _reverse_repeat_tuple(t, n):
    """``(a, b)`` with ``n=2`` -> ``(b, b, a, a)``: per-dimension values in F.pad's last-dimension-first order."""
    return tuple(v for v in reversed(t) for _ in range(n))


def _list_with_default(out_size, defaults):
    """An adaptive-pool output size: ``None`` entries take the input's size from ``defaults`` (its shape)."""
    if isinstance(out_size, int):
        return out_size
    if len(defaults) <= len(out_size):
        raise ValueError(f"Input dimension should be at least {len(out_size) + 1}")
    return [v if v is not None else d for v, d in zip(out_size, defaults[-len(out_size):])]


def __getattr__(name):
    # imported on first use: ember.nn.utils imports the layer modules, which import this package
    if name == "consume_prefix_in_state_dict_if_present":
        from ..utils._prefix import consume_prefix_in_state_dict_if_present
        return consume_prefix_in_state_dict_if_present
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
