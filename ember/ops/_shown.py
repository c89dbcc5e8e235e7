"""Which arguments of an op torch lists in ``grad_fn.next_functions``.

An op's node keeps one edge per argument of its ``forward`` (so backward can index them), including
dimensions, flags and options that torch's nodes do not show.  torch lists one ``(node, output_nr)`` per tensor
input: this table sets ``_shown`` (argument positions, a slice, or a function of the node) on the op classes
whose arguments include non-tensors, so code that walks ``loss.grad_fn.next_functions[0][0]`` finds what it
finds in torch.  ``autograd.graph.Node.next_functions`` reads it.
"""
from __future__ import annotations

from ..autograd.graph import ShownNode
from . import _convert, index, reduce, shape

FIRST = (0,)


def _log_softmax_first(node):
    """Fused cross-entropy: torch's ``NllLossBackward0`` follows a ``LogSoftmaxBackward0`` of the logits."""
    e = node._edges[0]
    return [(ShownNode("LogSoftmaxBackward0", [e]), 0) if e is not None else None]


def _install():
    for mod, names, shown in (
            (reduce, ("Sum", "MaxMin", "MaxMinDim"), FIRST),
            (shape, ("View", "Slice", "Permute", "SqueezeView", "Expand", "Reshape"), FIRST),
            (shape, ("Cat",), slice(1, None)),
            (shape, ("Where",), (1, 2)),
            (index, ("Gather", "IndexGet"), FIRST),
            (index, ("IndexPut",), (0, 1)),
            (_convert, ("Cast",), FIRST),
    ):
        for name in names:
            cls = getattr(mod, name, None)
            if cls is not None and "_shown" not in cls.__dict__:
                cls._shown = shown
    from . import nn_ops
    for name, shown in (("Gelu", FIRST), ("LayerNorm", (0, 1, 2)), ("BatchNormTrain", (0, 1, 2)), ("CrossEntropy", _log_softmax_first)):
        cls = getattr(nn_ops, name, None)
        if cls is not None and "_shown" not in cls.__dict__:
            cls._shown = shown


_install()
