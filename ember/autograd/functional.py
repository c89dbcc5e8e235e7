"""``autograd.functional``: jacobian, hessian, vjp, jvp, vhp, hvp built on ``autograd.grad``.

Every function follows the same steps as torch's: check the inputs (a Tensor or a tuple of Tensors), make
fresh leaves of them (aliases that keep the graph under ``create_graph``), run the function, check the
outputs and ``v``, differentiate, put zeros where an output does not depend on an input (or, with
``strict=True``, raise torch's error), and detach the results unless ``create_graph``.  ``jvp`` and the
forward-mode strategies are computed in reverse mode (the double-backward trick); the values are the same.
"""
from __future__ import annotations

__all__ = ["vjp", "jvp", "jacobian", "hessian", "vhp", "hvp"]


def _as_tuple(x, what, fn):
    """``(was_tuple, tuple_of_tensors)``; ``what`` names the argument in torch's TypeError."""
    from ..tensor import Tensor
    was_tuple = isinstance(x, tuple)
    if not was_tuple:
        if not isinstance(x, Tensor):
            raise TypeError(f"The {what} given to {fn} must be either a Tensor or a tuple of Tensors but the given "
                            f"{what} has type {type(x)}.")
        return False, (x,)
    for i, t in enumerate(x):
        if not isinstance(t, Tensor):
            raise TypeError(f"The {what} given to {fn} must be either a Tensor or a tuple of Tensors but the value "
                            f"at index {i} has type {type(t)}.")
    return True, x


def _outputs(out, fn):
    return _as_tuple(out, "outputs of the user-provided function", fn)


def _unpack(x, was_tuple):
    return x if was_tuple else x[0]


def _preprocess(xs, create_graph, need_graph):
    """Fresh leaves for the inputs; under ``create_graph`` an input that requires grad keeps its graph."""
    if create_graph:
        return tuple(x.view_as(x) if x.requires_grad else x.detach().requires_grad_(need_graph) for x in xs)
    return tuple(x.detach().requires_grad_(need_graph) for x in xs)


def _postprocess(xs, create_graph):
    if create_graph:
        return xs
    return tuple(x.detach() if x is not None else None for x in xs)


def _validate_v(v, other, other_was_tuple):
    if len(other) != len(v):
        if other_was_tuple:
            raise RuntimeError(f"v is a tuple of invalid length: should be {len(other)} but got {len(v)}.")
        raise RuntimeError("The given v should contain a single Tensor.")
    for i, (a, b) in enumerate(zip(v, other)):
        if a.shape != b.shape:
            prefix = f"Entry {i} in v" if other_was_tuple else "v"
            raise RuntimeError(f"{prefix} has invalid size: should be {b.shape} but got {a.shape}.")


_STRICT_OUTPUT = {
    "outputs": "Output {i} of the user-provided function does not require gradients. The outputs must be "
               "computed in a differentiable manner from the input when running in strict mode.",
    "jacobian": "While computing the hessian, found that the jacobian of the user-provided function with respect "
                "to input {i} is independent of the input. This is not allowed in strict mode. You should ensure "
                "that your function is twice differentiable and that the jacobian depends on the inputs (this "
                "would be violated by a linear function for example).",
    "grad_inputs": "The gradient with respect to input {i} is independent of the inputs of the user-provided "
                   "function. This is not allowed in strict mode.",
}

_STRICT_GRAD = {
    "back": "The output of the user-provided function is independent of input {i}. This is not allowed in strict "
            "mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} in the grad_outputs when "
                  "using the double backward trick to compute forward mode gradients. This is not allowed in "
                  "strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {i}. This is not allowed "
                   "in strict mode.",
}


def _check_requires_grad(ts, kind, strict):
    if not strict:
        return
    for i, t in enumerate(ts):
        if t is None or not t.requires_grad:
            raise RuntimeError(_STRICT_OUTPUT[kind].format(i=i))


def _grad(outputs, inputs, grad_outputs=None, create_graph=False, retain_graph=None):
    """``autograd.grad`` over the outputs that require grad (None for every input when none does)."""
    from . import grad
    keep = [i for i, o in enumerate(outputs) if o is not None and o.requires_grad]
    if not keep:
        return (None,) * len(inputs)
    outs = [outputs[i] for i in keep]
    gos = None if grad_outputs is None else [grad_outputs[i] for i in keep]
    return grad(outs, inputs, gos, create_graph=create_graph, retain_graph=retain_graph, allow_unused=True)


def _fill_zeros(grads, refs, strict, stage):
    from .. import _creation
    out = []
    for i, (g, r) in enumerate(zip(grads, refs)):
        if g is None:
            if strict:
                raise RuntimeError(_STRICT_GRAD[stage].format(i=i))
            g = _creation.zeros_like(r)
        out.append(g)
    return tuple(out)


def _with_grad(fn):
    from .grad_mode import enable_grad
    with enable_grad():
        return fn()


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(*inputs), v^T J)``."""
    from .. import _creation

    def run():
        was_tuple, xs = _as_tuple(inputs, "inputs", "vjp")
        xs = _preprocess(xs, create_graph, True)
        out_tuple, outs = _outputs(func(*xs), "vjp")
        _check_requires_grad(outs, "outputs", strict)
        if v is not None:
            _, vs = _as_tuple(v, "v", "vjp")
            vs = _preprocess(vs, create_graph, False)
            _validate_v(vs, outs, out_tuple)
        else:
            if len(outs) != 1 or outs[0].numel() != 1:
                raise RuntimeError("The vector v can only be None if the user-provided function returns a single "
                                   "Tensor with a single element.")
            vs = (_creation.ones_like(outs[0]),)
        gs = _grad(outs, xs, vs, create_graph=create_graph)
        gs = _fill_zeros(gs, xs, strict, "back")
        return _unpack(_postprocess(outs, create_graph), out_tuple), _unpack(_postprocess(gs, create_graph),
                                                                             was_tuple)
    return _with_grad(run)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(*inputs), J v)``, by the double-backward trick (two reverse passes)."""
    from .. import _creation

    def run():
        was_tuple, xs = _as_tuple(inputs, "inputs", "jvp")
        xs = _preprocess(xs, create_graph, True)
        if v is not None:
            _, vs = _as_tuple(v, "v", "jvp")
            vs = _preprocess(vs, create_graph, False)
            _validate_v(vs, xs, was_tuple)
        else:
            if len(xs) != 1 or xs[0].numel() != 1:
                raise RuntimeError("The vector v can only be None if the input to the user-provided function is a "
                                   "single Tensor with a single element.")
            vs = None
        out_tuple, outs = _outputs(func(*xs), "jvp")
        _check_requires_grad(outs, "outputs", strict)
        us = tuple(_creation.zeros_like(o).requires_grad_(True) for o in outs)
        gs = _fill_zeros(_grad(outs, xs, us, create_graph=True), xs, strict, "back")
        _check_requires_grad(gs, "grad_inputs", strict)
        if vs is None:
            vs = (_creation.ones_like(xs[0]),)
        if create_graph:
            jv = _grad(gs, us, vs, create_graph=True)
        else:
            from .grad_mode import enable_grad
            with enable_grad():
                jv = _grad(gs, us, vs, create_graph=False)
        jv = _fill_zeros(jv, outs, strict, "back_trick")
        return _unpack(_postprocess(outs, create_graph), out_tuple), _unpack(_postprocess(jv, create_graph),
                                                                             out_tuple)
    return _with_grad(run)


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"):
    """The Jacobian of ``func``: for each output, ``output.shape + input.shape`` per input (nested tuples
    when the inputs or outputs are tuples)."""
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
                             'function has more outputs than inputs, "forward-mode" tends to be more performant. '
                             'Otherwise, prefer to use "reverse-mode".')
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError("torch.autograd.functional.jacobian: `create_graph=True` and "
                                      '`strategy="forward-mode"` are not supported together (yet). Please either '
                                      'set `create_graph=False` or `strategy="reverse-mode"`.')
        if not vectorize:
            raise NotImplementedError("Computing Jacobian using forward-AD or forward-over-reverse Hessian is"
                                      "only implemented for `vectorize=True`.")
    if strict and vectorize:
        raise RuntimeError("torch.autograd.functional.jacobian: `strict=True` and `vectorized=True` are not "
                           "supported together. Please either set `strict=False` or `vectorize=False`.")

    def run():
        from .. import _creation
        from ..ops.shape import stack
        was_tuple, xs = _as_tuple(inputs, "inputs", "jacobian")
        xs = _preprocess(xs, create_graph, True)
        out_tuple, outs = _outputs(func(*xs), "jacobian")
        _check_requires_grad(outs, "outputs", strict)
        result = []
        for i, o in enumerate(outs):
            flat = o.reshape(-1)
            cols = [[] for _ in xs]
            for j in range(flat.shape[0]):
                gs = _grad((flat[j],), xs, retain_graph=True, create_graph=create_graph)
                for k, (g, x) in enumerate(zip(gs, xs)):
                    if g is None:
                        if strict and not vectorize:
                            raise RuntimeError(f"Output {i} of the user-provided function is independent of input "
                                               f"{k}. This is not allowed in strict mode.")
                        g = _creation.zeros_like(x)
                    cols[k].append(g)
            per_in = []
            for k, x in enumerate(xs):
                shape = tuple(o.shape) + tuple(x.shape)
                j = stack(cols[k], 0).reshape(shape) if cols[k] else _creation.zeros(shape, dtype=x.dtype)
                per_in.append(j)
            result.append(_unpack(_postprocess(tuple(per_in), create_graph), was_tuple))
        return _unpack(tuple(result), out_tuple)
    return _with_grad(run)


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False, outer_jacobian_strategy="reverse-mode"):
    """The Hessian of scalar-valued ``func``: the Jacobian of its gradient."""
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')
    was_tuple, xs = _as_tuple(inputs, "inputs", "hessian")

    def grad_fn(*ins):
        out = func(*ins)
        out_tuple, outs = _outputs(out, "hessian")
        _check_requires_grad(outs, "outputs", strict)
        if out_tuple:
            raise RuntimeError("The function given to hessian should return a single Tensor")
        if outs[0].numel() != 1:
            raise RuntimeError("The Tensor returned by the function given to hessian should contain a single "
                               "element")
        gs = _grad(outs, ins, create_graph=True)
        _check_requires_grad(gs, "jacobian", strict)
        return _unpack(_fill_zeros(gs, ins, False, "back"), was_tuple)
    return jacobian(grad_fn, inputs, create_graph=create_graph, strict=strict, vectorize=vectorize,
                    strategy=outer_jacobian_strategy)


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(*inputs), v^T H)``."""
    return _hessian_product(func, inputs, v, create_graph, strict, "vhp")


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(*inputs), H v)``; H is symmetric for a twice continuously differentiable function, so this is
    the same double backward as ``vhp``."""
    return _hessian_product(func, inputs, v, create_graph, strict, "hvp")


def _hessian_product(func, inputs, v, create_graph, strict, name):
    from .. import _creation

    def run():
        was_tuple, xs = _as_tuple(inputs, "inputs", name)
        xs = _preprocess(xs, create_graph, True)
        if v is not None:
            _, vs = _as_tuple(v, "v", name)
            vs = _preprocess(vs, create_graph, False)
            _validate_v(vs, xs, was_tuple)
        else:
            if len(xs) != 1 or xs[0].numel() != 1:
                raise RuntimeError("The vector v can only be None if the input to the user-provided function is a "
                                   "single Tensor with a single element.")
            vs = (_creation.ones_like(xs[0]),)
        out_tuple, outs = _outputs(func(*xs), name)
        _check_requires_grad(outs, "outputs", strict)
        if out_tuple:
            raise RuntimeError(f"The function given to {name} should return a single Tensor")
        if outs[0].numel() != 1:
            raise RuntimeError(f"The Tensor returned by the function given to {name} should contain a single "
                               "element")
        jac = _grad(outs, xs, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
        gs = _grad(jac, xs, vs, create_graph=create_graph)
        gs = _fill_zeros(gs, xs, strict, "double_back")
        return _unpack(_postprocess(outs, create_graph), out_tuple), _unpack(_postprocess(gs, create_graph),
                                                                             was_tuple)
    return _with_grad(run)
