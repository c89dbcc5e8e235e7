"""Activation checkpointing, as ``torch.utils.checkpoint``: run a segment of the forward pass without keeping
what its backward needs, and recompute it when backward reaches the segment.

Two variants, as in torch:

* ``use_reentrant=True`` (torch 2.13's default when the argument is omitted, with a warning): the segment
  runs under ``no_grad`` inside a ``CheckpointFunction``; its backward reruns the segment on detached inputs
  and calls ``ember.autograd.backward`` on it (parameters receive ``.grad`` from that inner backward).
* ``use_reentrant=False``: the segment runs with grad, so the graph is torch's own (``out.grad_fn`` is the
  segment's last op); then every node it created drops the tensors and arrays it saved for backward.  A
  pre-hook on those nodes reruns the segment the first time backward reaches one and moves the recomputed
  nodes' saved state into them.  ``autograd.grad`` with respect to parameters works, as in torch.

Both restore the RNG state of the forward pass before recomputing (``preserve_rng_state``), so Dropout draws
the same mask, and recompute under the autocast state of the forward pass.
"""
from __future__ import annotations

import warnings

import numpy as np

from .. import autograd as _autograd
from ..autograd import grad_mode as _grad_mode
from ..autograd.function import Function
from ..autograd.graph import AccumulateGrad
from ..tensor import Tensor

__all__ = ["checkpoint", "checkpoint_sequential", "CheckpointError", "CheckpointFunction", "noop_context_fn",
           "set_checkpoint_early_stop"]


class CheckpointError(RuntimeError):
    """Raised when the recomputed segment differs from the forward pass."""


def noop_context_fn():
    """The default ``context_fn``: two do-nothing context managers (forward, recompute)."""
    import contextlib
    return contextlib.nullcontext(), contextlib.nullcontext()


class _EarlyStop:
    def __init__(self, enable):
        self.enable = enable

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def set_checkpoint_early_stop(enable):
    """Accepted for torch compatibility: ember always recomputes the whole segment (same numbers)."""
    return _EarlyStop(enable)


_REENTRANT_WARNING = (
    "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. Starting in PyTorch 2.9, "
    "calling checkpoint without use_reentrant will raise an exception. use_reentrant=False is recommended, but if "
    "you need to preserve the current default behavior, you can pass use_reentrant=True. Refer to docs for more "
    "details on the differences between the two variants.")
_SEQUENTIAL_WARNING = (
    "torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter should be passed explicitly. In "
    "version 2.9 we will raise an exception if use_reentrant is not passed. use_reentrant=False is recommended, "
    "but if you need to preserve the current default behavior, you can pass use_reentrant=True. Refer to docs "
    "for more details on the differences between the two variants.")


# ----------------------------------------------------------------------------------------------------------
# state captured at forward and restored for the recomputation
# ----------------------------------------------------------------------------------------------------------

def _autocast_state():
    import sys
    amp = sys.modules.get("ember.amp.autocast_mode")
    return amp._snapshot() if amp is not None else None


class _Replay:
    """Restores the forward's RNG and autocast state around a recomputation, then puts the current back."""

    def __init__(self, preserve_rng_state):
        from .. import random as _random
        self.rng = _random.get_rng_state() if preserve_rng_state else None
        self.autocast = _autocast_state()

    def __enter__(self):
        from .. import random as _random
        if self.rng is not None:
            self.now = _random.get_rng_state()
            _random.set_rng_state(self.rng)
        if self.autocast is not None or _autocast_state() is not None:
            from ..amp import autocast_mode
            self.autocast_now = autocast_mode._snapshot()
            autocast_mode._restore(self.autocast)
        return self

    def __exit__(self, *exc):
        from .. import random as _random
        if self.rng is not None:
            _random.set_rng_state(self.now)
        if hasattr(self, "autocast_now"):
            from ..amp import autocast_mode
            autocast_mode._restore(self.autocast_now)
        return False


# ----------------------------------------------------------------------------------------------------------
# use_reentrant=True
# ----------------------------------------------------------------------------------------------------------

def _detach_inputs(inputs):
    out = []
    for a in inputs:
        if isinstance(a, Tensor):
            d = a.detach()
            d.requires_grad = a.requires_grad
            out.append(d)
        else:
            out.append(a)
    return tuple(out)


class CheckpointFunction(Function):
    """The reentrant checkpoint: its node (``CheckpointFunctionBackward``) reruns the segment in backward."""

    @staticmethod
    def forward(ctx, run_function, preserve_rng_state, *args):
        ctx.run_function = run_function
        ctx.replay = _Replay(preserve_rng_state)
        ctx.inputs = [None if isinstance(a, Tensor) else a for a in args]
        ctx.tensor_indices = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        ctx.save_for_backward(*[a for a in args if isinstance(a, Tensor)])
        return run_function(*args)

    @staticmethod
    def backward(ctx, *grads):
        inputs = list(ctx.inputs)
        for i, t in zip(ctx.tensor_indices, ctx.saved_tensors):
            inputs[i] = t
        inputs = _detach_inputs(inputs)
        with ctx.replay, _grad_mode.enable_grad():
            outputs = ctx.run_function(*inputs)
        if isinstance(outputs, Tensor):
            outputs = (outputs,)
        roots, root_grads = [], []
        for o, g in zip(outputs, grads):
            if isinstance(o, Tensor) and o.requires_grad:
                roots.append(o)
                root_grads.append(g)
        if not roots:
            raise RuntimeError("none of output has requires_grad=True, this checkpoint() is not necessary")
        _autograd.backward(roots, root_grads)
        return (None, None) + tuple(a.grad if isinstance(a, Tensor) else None for a in inputs)


def _checkpoint_reentrant(function, preserve, args):
    if _grad_mode.is_grad_enabled() and not any(isinstance(a, Tensor) and a.requires_grad for a in args):
        warnings.warn("None of the inputs have requires_grad=True. Gradients will be None", UserWarning,
                      stacklevel=3)
    return CheckpointFunction.apply(function, preserve, *args)


# ----------------------------------------------------------------------------------------------------------
# use_reentrant=False
# ----------------------------------------------------------------------------------------------------------

# Node attributes that describe the graph itself; everything else a node holds is what its backward reads.
_STRUCTURE = frozenset(("_edges", "_seq_nr", "_n_outputs", "_plain", "_hooks", "_pre_hooks", "_node_pre_hooks",
                        "_metadata", "_present_edges", "_trace", "_out_meta", "_needs_input_grad", "_released"))


def _holds_memory(value):
    if isinstance(value, (Tensor, np.ndarray)):
        return True
    if isinstance(value, (tuple, list)):
        return any(_holds_memory(v) for v in value)
    return hasattr(value, "__array__") and hasattr(value, "shape")   # CuPy arrays


def _flatten(obj, found):
    if isinstance(obj, Tensor):
        found.append(obj)
    elif isinstance(obj, (tuple, list)):
        for o in obj:
            _flatten(o, found)
    elif isinstance(obj, dict):
        for o in obj.values():
            _flatten(o, found)
    return found


def _segment_nodes(outputs, first_seq):
    """The nodes created by the segment (sequence number >= ``first_seq``) reachable from its outputs,
    in creation order."""
    seen, stack = {}, [t._grad_fn for t in _flatten(outputs, []) if t._grad_fn is not None]
    while stack:
        node = stack.pop()
        if id(node) in seen or type(node) is AccumulateGrad or node._seq_nr < first_seq:
            continue
        seen[id(node)] = node
        stack.extend(e[0] for e in node._edges if e)
    return sorted(seen.values(), key=lambda n: n._seq_nr)


class _Frame:
    """One non-reentrant checkpointed call: its nodes, and how to refill them."""

    def __init__(self, function, args, kwargs, replay, recompute_context, determinism_check):
        self.function, self.args, self.kwargs = function, args, kwargs
        self.replay = replay
        self.recompute_context = recompute_context
        self.determinism_check = determinism_check
        self.nodes = []
        self.filled = False

    def strip(self):
        for node in self.nodes:
            d = node.__dict__
            for key in [k for k, v in d.items() if k not in _STRUCTURE and _holds_memory(v)]:
                del d[key]
            node.register_prehook(self._pre_hook)

    def _pre_hook(self, grad_outputs):
        if not self.filled or not any(n._released for n in self.nodes) and not self._complete():
            self._refill()
        return None

    def _complete(self):
        return self.filled

    def _refill(self):
        from ..autograd.graph import next_sequence_nr
        first = next_sequence_nr() + 1
        with self.replay, _grad_mode.enable_grad(), self.recompute_context:
            outputs = self.function(*self.args, **self.kwargs)
        fresh = _segment_nodes(outputs, first)
        if self.determinism_check != "none":
            old_kinds = [type(n).__name__ for n in self.nodes]
            new_kinds = [type(n).__name__ for n in fresh]
            if old_kinds != new_kinds:
                raise CheckpointError(
                    "torch.utils.checkpoint: Recomputed values for the following tensors have different metadata "
                    "than during the forward pass.\nThe recomputed segment created the graph nodes "
                    f"{new_kinds}, the forward pass created {old_kinds}.")
        for old, new in zip(self.nodes, fresh):
            if old._released:
                continue          # freed by an earlier backward: let the engine raise torch's error
            for key, value in new.__dict__.items():
                if key not in _STRUCTURE:
                    old.__dict__[key] = value
        self.filled = True


def _checkpoint_non_reentrant(function, preserve, context_fn, determinism_check, args, kwargs):
    from ..autograd.graph import next_sequence_nr
    if determinism_check not in ("default", "none"):
        raise ValueError(f"determinism_check should be one of ['default', 'none'], but got {determinism_check}")
    forward_context, recompute_context = context_fn()
    replay = _Replay(preserve)
    if not _grad_mode.is_grad_enabled():
        with forward_context:
            return function(*args, **kwargs)
    first = next_sequence_nr() + 1
    with forward_context:
        outputs = function(*args, **kwargs)
    frame = _Frame(function, args, kwargs, replay, recompute_context, determinism_check)
    frame.nodes = _segment_nodes(outputs, first)
    frame.strip()
    return outputs


# ----------------------------------------------------------------------------------------------------------
# public entry points
# ----------------------------------------------------------------------------------------------------------

def checkpoint(function, *args, use_reentrant=None, context_fn=noop_context_fn, determinism_check="default",
               debug=False, early_stop=True, **kwargs):
    """Run ``function(*args, **kwargs)`` without keeping its intermediate activations; recompute them in backward.

    Gradients equal those of calling ``function`` directly (for the inputs and for parameters used inside).

    Example::

        >>> import ember
        >>> from ember.utils.checkpoint import checkpoint
        >>> lin = ember.nn.Linear(3, 3)
        >>> x = ember.randn(2, 3, requires_grad=True)
        >>> checkpoint(lin, x, use_reentrant=False).sum().backward()
        >>> x.grad.shape
        torch.Size([2, 3])
    """
    if use_reentrant is None:
        warnings.warn(_REENTRANT_WARNING, UserWarning, stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if use_reentrant:
        if context_fn is not noop_context_fn or debug:
            raise ValueError("Passing `context_fn` or `debug` is only supported when use_reentrant=False.")
        if kwargs:
            raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
        return _checkpoint_reentrant(function, preserve, args)
    return _checkpoint_non_reentrant(function, preserve, context_fn, determinism_check, args, kwargs)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Checkpoint a sequential model in ``segments`` chunks; the last chunk runs normally.

    ``functions`` is an ``nn.Sequential`` or a list of modules/functions run in order.
    """
    if use_reentrant is None:
        warnings.warn(_SEQUENTIAL_WARNING, UserWarning, stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))

    def run_function(start, end, functions):
        def forward(x):
            for j in range(start, end + 1):
                x = functions[j](x)
            return x
        return forward

    from ..nn import Sequential
    if isinstance(functions, Sequential):
        functions = list(functions.children())
    segment_size = len(functions) // segments
    end = -1
    for start in range(0, segment_size * (segments - 1), segment_size):
        end = start + segment_size - 1
        input = checkpoint(run_function(start, end, functions), input, use_reentrant=use_reentrant,
                           preserve_rng_state=preserve)
    return run_function(end + 1, len(functions) - 1, functions)(input)
