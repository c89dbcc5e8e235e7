"""Module hook machinery: full backward hooks through an identity autograd function, hook wrappers.

``BackwardHook`` wires one module call's full backward hooks and backward pre-hooks into the graph:
``setup_input_hook`` passes the tensor arguments through ``BackwardHookFunction`` (an identity whose node is
named ``BackwardHookFunctionBackward``) and hooks that node, so the full hooks run when the gradients w.r.t.
the inputs are ready; ``setup_output_hook`` does the same for the outputs, where the pre-hooks run (and may
replace ``grad_output`` for the whole module).  When no input requires grad, the full hooks fire at output
time with ``None`` input gradients and a warning, as in torch.
"""
from __future__ import annotations

import functools
import warnings
import weakref

from ...autograd import grad_mode as _grad_mode
from ...autograd.function import Function
from ...tensor import Tensor

__all__ = []


class WrappedHook:
    """A hook bound to a module held weakly (so a module's hook dict never keeps it alive)."""

    def __init__(self, hook, module=None):
        self.hook = hook
        functools.update_wrapper(self, hook)
        self.with_module = module is not None
        if self.with_module:
            self.module = weakref.ref(module)

    def __call__(self, *args, **kwargs):
        if self.with_module:
            module = self.module()
            if module is None:
                raise RuntimeError("You are trying to call the hook of a dead Module!")
            return self.hook(module, *args, **kwargs)
        return self.hook(*args, **kwargs)

    def __getstate__(self):
        state = {"hook": self.hook, "with_module": self.with_module}
        if self.with_module:
            state["module"] = self.module()
        return state

    def __setstate__(self, state):
        self.hook = state["hook"]
        self.with_module = state["with_module"]
        if self.with_module:
            if state["module"] is None:
                raise RuntimeError("You are trying to revive the hook of a dead Module!")
            self.module = weakref.ref(state["module"])


class BackwardHookFunction(Function):
    """Identity on tensors; its graph node is where module backward hooks attach.

    Gradients of unused outputs reach the node's hooks as ``None`` (as in torch) and are materialised as
    zeros only when handed on.
    """

    @staticmethod
    def forward(ctx, *args):
        ctx.set_materialize_grads(False)
        ctx.shapes = [(a._data.shape, a._data.dtype) for a in args]
        return args

    @staticmethod
    def backward(ctx, *grads):
        if any(g is None for g in grads):
            from ..._creation import zeros
            from ...tensor import _NP2DT
            grads = tuple(g if g is not None else zeros(shape, dtype=_NP2DT[dt])
                          for g, (shape, dt) in zip(grads, ctx.shapes))
        return grads


class BackwardHook:
    """Wires full backward hooks and backward pre-hooks of one module call into the graph.

    ``setup_input_hook`` wraps the tensor arguments; the node's post-hook sees the gradients w.r.t. the
    inputs and calls the full hooks.  ``setup_output_hook`` wraps the outputs; that node's post-hook sees
    the gradients w.r.t. the outputs, runs the pre-hooks (which may replace them for the whole module) and,
    when no input requires grad, calls the full hooks right there with ``None`` input gradients.
    """

    def __init__(self, module, user_hooks, user_pre_hooks):
        self.module = module
        self.user_hooks = user_hooks
        self.user_pre_hooks = user_pre_hooks
        self.grad_outputs = None
        self.n_inputs = -1
        self.n_outputs = -1
        self.input_tensors_index = None
        self.output_tensors_index = None

    @staticmethod
    def _pack_with_none(indices, values, size):
        out = [None] * size
        for i, v in zip(indices, values):
            out[i] = v
        return tuple(out)

    @staticmethod
    def _wrap_tensors(args, on_node):
        """Pass the tensors of ``args`` through the identity; ``on_node(node)``; new args and tensor indices."""
        index = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        if not (_grad_mode._state[0] and any(args[i].requires_grad for i in index)):
            return args, None
        wanted = [i for i in index if args[i].requires_grad]
        outs = BackwardHookFunction.apply(*[args[i] for i in wanted])
        on_node(outs[0].grad_fn)
        new = list(args)
        for i, o in zip(wanted, outs):
            new[i] = o
        return (tuple(new) if type(args) is tuple else type(args)(*new)), index

    def setup_input_hook(self, args):
        def on_node(node):
            node.register_hook(self._input_grads_ready)
        res, index = self._wrap_tensors(args, on_node)
        self.n_inputs = len(args)
        self.input_tensors_index = index
        self._wrapped_inputs = None if index is None else [i for i in index if res[i] is not args[i]]
        # tensor inputs that need no grad still get one (zeros) in grad_input, as in torch
        self._zero_inputs = None if index is None else [args[i] for i in index if res[i] is args[i]]
        return res

    def _input_grads_ready(self, grad_inputs, _grad_outputs):
        if self.grad_outputs is None:  # reached the inputs without passing the outputs (double backward)
            return None
        wrapped = self._wrapped_inputs
        res = self._pack_with_none(wrapped, grad_inputs, self.n_inputs)
        if self._zero_inputs:
            from ..._creation import zeros_like
            res = list(res)
            for i, t in zip([i for i in self.input_tensors_index if i not in wrapped], self._zero_inputs):
                res[i] = zeros_like(t)
            res = tuple(res)
        for hook in self.user_hooks:
            out = hook(self.module, res, self.grad_outputs)
            if out is None:
                continue
            if len(out) != len(res):
                raise RuntimeError("Backward hook returned an invalid number of grad_input, got "
                                   f"{len(out)}, but expected {len(res)}")
            res = out
        self.grad_outputs = None
        return tuple(res[i] for i in wrapped)

    def setup_output_hook(self, result):
        is_tuple = isinstance(result, tuple)
        args = result if is_tuple else (result,)

        def on_node(node):
            node.register_hook(self._output_grads_ready)
        res, index = self._wrap_tensors(args, on_node)
        self.n_outputs = len(args)
        self.output_tensors_index = index
        self._wrapped_outputs = None if index is None else [i for i in index if res[i] is not args[i]]
        return res if is_tuple else res[0]

    def _output_grads_ready(self, grad_inputs, grad_outputs):
        self.grad_outputs = self._pack_with_none(self._wrapped_outputs, grad_outputs, self.n_outputs)
        if self.user_pre_hooks:
            expected = len(self.grad_outputs)
            for hook in self.user_pre_hooks:
                out = hook(self.module, self.grad_outputs)
                if out is None:
                    continue
                if len(out) != expected:
                    raise RuntimeError("Backward pre hook returned an invalid number of grad_output, got "
                                       f"{len(out)}, but expected {expected}")
                self.grad_outputs = out
        local = self.grad_outputs
        if self.input_tensors_index is None:
            warnings.warn("Full backward hook is firing when gradients are computed with respect to module "
                          "outputs since no inputs require gradients. See https://docs.pytorch.org/docs/main/"
                          "generated/torch.nn.Module.html#torch.nn.Module.register_full_backward_hook for more "
                          "details.", stacklevel=2)
            none_inputs = (None,) * self.n_inputs
            for hook in self.user_hooks:
                out = hook(self.module, none_inputs, self.grad_outputs)
                if out is not None and not (isinstance(out, tuple) and all(g is None for g in out)):
                    raise RuntimeError("Backward hook for Modules where no input requires gradient should always "
                                       "return None or None for all gradients.")
            self.grad_outputs = None
        if local is None:
            return None
        return tuple(local[i] for i in self._wrapped_outputs)


def warn_non_full_backward_hook(inputs, result, node):
    if not isinstance(result, Tensor):
        if not (isinstance(result, tuple) and all(isinstance(r, Tensor) for r in result)):
            warnings.warn("Using non-full backward hooks on a Module that does not return a single Tensor or a "
                          "tuple of Tensors is deprecated and will be removed in future versions. This hook "
                          "will be missing some of the grad_output. Please use register_full_backward_hook to "
                          "get the documented behavior.", FutureWarning, stacklevel=3)
            return
    else:
        result = (result,)
    if not isinstance(inputs, Tensor):
        if not (isinstance(inputs, tuple) and all(isinstance(i, Tensor) for i in inputs)):
            warnings.warn("Using non-full backward hooks on a Module that does not take as input a single "
                          "Tensor or a tuple of Tensors is deprecated and will be removed in future versions. "
                          "This hook will be missing some of the grad_input. Please use "
                          "register_full_backward_hook to get the documented behavior.", FutureWarning,
                          stacklevel=3)
            return
    else:
        inputs = (inputs,)
    out_nodes = {r.grad_fn for r in result if r.grad_fn is not None}
    if not out_nodes or (len(out_nodes) == 1 and node not in out_nodes):
        warnings.warn("Using a non-full backward hook when outputs are nested in python data structure is "
                      "deprecated and will be removed in future versions. This hook will be missing some "
                      "grad_output.", FutureWarning, stacklevel=3)
    elif len(out_nodes) > 1:
        warnings.warn("Using a non-full backward hook when outputs are generated by different autograd Nodes "
                      "is deprecated and will be removed in future versions. This hook will be missing some "
                      "grad_output. Please use register_full_backward_hook to get the documented behavior.",
                      FutureWarning, stacklevel=3)
    else:
        in_nodes = {i.grad_fn for i in inputs if i.grad_fn is not None}
        next_nodes = {n[0] for n in node.next_functions}
        if in_nodes != next_nodes:
            warnings.warn("Using a non-full backward hook when the forward contains multiple autograd Nodes "
                          "is deprecated and will be removed in future versions. This hook will be missing "
                          "some grad_input. Please use register_full_backward_hook to get the documented "
                          "behavior.", FutureWarning, stacklevel=3)
