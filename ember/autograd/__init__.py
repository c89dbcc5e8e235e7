"""Reverse-mode automatic differentiation: ``backward``, ``grad``, ``Function``, grad modes, gradcheck.

See ``README.md`` beside this file for how the graph is recorded and run.
"""
from __future__ import annotations

from . import anomaly_mode, grad_mode
from .anomaly_mode import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from .function import Function, FunctionCtx, once_differentiable
from .grad_mode import (enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled,
                        set_multithreading_enabled, is_multithreading_enabled)
from .graph import Node
from . import variable
from .variable import Variable

__all__ = ["backward", "grad", "Function", "FunctionCtx", "once_differentiable", "no_grad", "enable_grad",
           "set_grad_enabled", "inference_mode", "is_grad_enabled", "detect_anomaly", "set_detect_anomaly",
           "is_anomaly_enabled", "gradcheck", "gradgradcheck", "Node", "functional", "graph", "Variable", "forward_ad"]


def _as_tuple(x):
    """``None``, a Tensor, or any iterable of them (``model.parameters()`` is a generator) as a tuple; anything
    else raises Python's TypeError for a non-iterable, as torch does."""
    from ..tensor import Tensor
    if x is None:
        return None
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def _tensors(x):
    """The ``tensors``/``outputs`` argument as a tuple of Tensors."""
    from ..tensor import Tensor
    out = (x,) if isinstance(x, Tensor) else tuple(x)
    for t in out:
        if not isinstance(t, Tensor):
            raise AssertionError("Expected output to be a torch.Tensor")
    return out


def _grads_for(outputs, grads):
    """One gradient (or None) per output: torch ignores extra ones and refuses too few."""
    grads = _as_tuple(grads) or (None,) * len(outputs)
    if len(grads) < len(outputs):
        raise RuntimeError(f"got {len(outputs)} tensors and {len(grads)} gradients")
    return grads[:len(outputs)]


def _check_roots(outputs):
    for i, t in enumerate(outputs):
        if not t.requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")


def _make_grads(outputs, grad_outputs, create_graph):
    from ..tensor import Tensor
    from .. import _creation
    grads = []
    for out, g in zip(outputs, grad_outputs):
        if g is None:
            if out.requires_grad:
                if out._data.size != 1:
                    raise RuntimeError("grad can be implicitly created only for scalar outputs")
                if out._data.dtype.kind not in "fV":
                    raise RuntimeError(f"grad can be implicitly created only for real scalar outputs but got "
                                       f"{out.dtype}")
                g = _creation.ones_like(out)
            grads.append(g)
            continue
        if not isinstance(g, Tensor):
            raise TypeError(f"gradients can be either Tensors or None, but got {type(g).__name__}")
        if g.shape != out.shape:
            raise RuntimeError(f"Mismatch in shape: grad_output[{len(grads)}] has a shape of {g.shape} and "
                               f"output[{len(grads)}] has a shape of {out.shape}.")
        if g.dtype.is_complex != out.dtype.is_complex:
            raise RuntimeError(f"For complex Tensors, both grad_output and output are required to have the same "
                               f"dtype. Mismatch in dtype: grad_output[{len(grads)}] has a dtype of {g.dtype} and "
                               f"output[{len(grads)}] has a dtype of {out.dtype}.")
        if g.dtype is not out.dtype:
            g = g.to(out.dtype)         # torch casts a root's gradient to the output's dtype
        grads.append(g)
    return grads


_warned_create_graph = False


def _warn_create_graph():
    """torch warns once per process when ``backward`` builds a graph of the gradients."""
    global _warned_create_graph
    import warnings
    _warned_create_graph = True
    warnings.warn("Using backward() with create_graph=True will create a reference cycle between the parameter and "
                  "its gradient which can cause a memory leak. We recommend using autograd.grad when creating the "
                  "graph to avoid this. If you have to use this function, make sure to reset the .grad fields of "
                  "your parameters to None after use to break the cycle and avoid the leak.", stacklevel=3)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None,
             inputs=None):
    """Accumulate gradients of ``tensors`` into the ``.grad`` of the leaves (or of ``inputs``)."""
    from .engine import run_backward
    from ..tensor import Tensor
    if grad_variables is not None:
        import warnings
        warnings.warn("`grad_variables` is deprecated. Use `grad_tensors` instead.", FutureWarning, stacklevel=2)
        if grad_tensors is None:
            grad_tensors = grad_variables
        else:
            raise RuntimeError("`grad_tensors` and `grad_variables` (deprecated) arguments both passed to "
                               "`backward()`. Please only use `grad_tensors`.")
    tensors = _tensors(tensors)
    grad_tensors = _grads_for(tensors, grad_tensors)
    if inputs is not None:
        inputs = _as_tuple(inputs)
        if len(inputs) == 0:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
        for t in inputs:
            if not isinstance(t, Tensor):
                raise TypeError("inputs to backward() must be Tensors")
            if not t.requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            if t._grad_fn is not None:
                t.retain_grad()     # as torch: a non-leaf input keeps its .grad from now on
    if retain_graph is None:
        retain_graph = create_graph
    if create_graph and not _warned_create_graph:
        _warn_create_graph()
    _check_roots(tensors)
    grads = _make_grads(tensors, grad_tensors, create_graph)
    run_backward(tensors, grads, retain_graph, create_graph, inputs=inputs, accumulate=True)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of ``outputs`` with respect to ``inputs`` (returned, not accumulated)."""
    from .engine import run_backward
    from ..tensor import Tensor
    from .. import _creation
    if not only_inputs:
        import warnings
        warnings.warn("only_inputs argument is deprecated and is ignored now (defaults to True). To accumulate "
                      "gradient for other parts of the graph, please use torch.autograd.backward.", FutureWarning,
                      stacklevel=2)
    outputs = _tensors(outputs)
    inputs = _as_tuple(inputs)
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when materialize_grads=True, but got: "
                         "allow_unused=False.")
    if allow_unused is None:
        allow_unused = materialize_grads
    if not inputs:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    for t in inputs:
        if not isinstance(t, Tensor):
            raise RuntimeError(f"all inputs have to be Tensors or GradientEdges, but got {type(t).__name__}")
    grad_outputs = _grads_for(outputs, grad_outputs)
    _check_roots(outputs)
    if retain_graph is None:
        retain_graph = create_graph
    if is_grads_batched:
        return _batched_grad(outputs, inputs, grad_outputs, retain_graph, create_graph, allow_unused,
                             materialize_grads)
    grads = _make_grads(outputs, grad_outputs, create_graph)
    result = run_backward(outputs, grads, retain_graph, create_graph, inputs=inputs, accumulate=False,
                          allow_unused=allow_unused)
    if materialize_grads:
        result = [g if g is not None else _creation.zeros_like(x) for g, x in zip(result, inputs)]
    return tuple(result)


def _batched_grad(outputs, inputs, grad_outputs, retain_graph, create_graph, allow_unused, materialize_grads):
    """``grad(..., is_grads_batched=True)``: the first dimension of each grad_output is a batch of vectors;
    one backward pass per vector, the results stacked (torch vmaps the pass; the values are the same)."""
    from .. import _creation
    from ..ops.shape import stack
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if g is None:
            continue
        if g.dim() == 0:
            raise ValueError("vmap(vjp, in_dims=0, ...)(<inputs>): Got in_dim=0 for some input, but that input is "
                             "a Tensor of dimensionality 0 so expected in_dim to satisfy 0 <= in_dim < 0.")
        if g.shape[1:] != out.shape:
            raise RuntimeError("If `is_grads_batched=True`, we interpret the first dimension of each grad_output as "
                               "the batch dimension. The sizes of the remaining dimensions are expected to match "
                               "the shape of corresponding output, but a mismatch was detected: grad_output["
                               f"{i}] has a shape of {g.shape[2:]} and output[{i}] has a shape of {out.shape}. "
                               "If you only want some tensors in `grad_output` to be considered batched, consider "
                               "using vmap.")
    sizes = {g.shape[0] for g in grad_outputs if g is not None}
    if len(sizes) != 1:
        raise ValueError("vmap: Expected all tensors to have the same size in the mapped dimension, got sizes "
                         f"{sorted(sizes)} for the mapped dimension")
    n = sizes.pop()
    per_input = [[] for _ in inputs]
    for b in range(n):
        gos = tuple(None if g is None else g[b] for g in grad_outputs)
        res = grad(outputs, inputs, gos, retain_graph=retain_graph or b < n - 1, create_graph=create_graph,
                   allow_unused=allow_unused)
        for k, r in enumerate(res):
            per_input[k].append(r)
    result = []
    for x, rs in zip(inputs, per_input):
        if rs and rs[0] is None:
            result.append(_creation.zeros_like(x) if materialize_grads else None)
        else:
            result.append(stack(rs))
    return tuple(result)


from .gradcheck import gradcheck, gradgradcheck  # noqa: E402
from . import functional  # noqa: E402
from . import graph  # noqa: E402
from . import forward_ad  # noqa: E402
