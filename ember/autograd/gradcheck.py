"""``gradcheck`` / ``gradgradcheck``: compare analytical gradients with central finite differences."""
from __future__ import annotations

import numpy as np

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    pass


def _inputs_tuple(inputs):
    from ..tensor import Tensor
    return (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)


def _outputs_tuple(out):
    from ..tensor import Tensor
    return (out,) if isinstance(out, Tensor) else tuple(o for o in out if isinstance(o, Tensor))


def _numerical_jacobian(fn, inputs, out_index, eps):
    """d out / d input by central differences, one column per input element."""
    jac = []
    for x in inputs:
        if not (hasattr(x, "requires_grad") and x.requires_grad):
            jac.append(None)
            continue
        data = x._data
        cols = []
        # index the array itself (C order of its elements): ``reshape(-1)`` of a non-contiguous input (a
        # transposed leaf) is a copy, and nudging a copy would leave the input unchanged
        for i in np.ndindex(*data.shape):
            orig = data[i].copy()
            # evaluated with grad mode on: the function may itself call autograd (gradgradcheck)
            data[i] = orig + eps
            plus = _outputs_tuple(fn(*inputs))[out_index]._data.astype(np.float64).copy()
            data[i] = orig - eps
            minus = _outputs_tuple(fn(*inputs))[out_index]._data.astype(np.float64).copy()
            data[i] = orig
            cols.append(((plus - minus) / (2 * eps)).reshape(-1))
        jac.append(np.stack(cols, 1) if cols else
                   np.zeros((_outputs_tuple(fn(*inputs))[out_index]._data.size, 0)))
    return jac


def _analytical_jacobian(fn, inputs, out_index, nondet_tol=0.0):
    from . import grad as autograd_grad
    from .. import _creation
    out = _outputs_tuple(fn(*inputs))[out_index]
    diff = [x for x in inputs if hasattr(x, "requires_grad") and x.requires_grad]
    rows = {id(x): [] for x in diff}
    n = out._data.size
    for j in range(n):
        g = _creation.zeros_like(out)
        g._data.reshape(-1)[j] = 1
        if not out.requires_grad:
            for x in diff:
                rows[id(x)].append(np.zeros(x._data.size))
            continue
        grads = autograd_grad(out, diff, g, retain_graph=True, allow_unused=True)
        for x, gx in zip(diff, grads):
            rows[id(x)].append(np.zeros(x._data.size) if gx is None else gx._data.astype(np.float64).reshape(-1))
    jac = []
    for x in inputs:
        if id(x) not in rows:          # not differentiated: a non-tensor, or a tensor without requires_grad
            jac.append(None)
        else:
            jac.append(np.stack(rows[id(x)], 0) if rows[id(x)] else np.zeros((0, x._data.size)))
    return jac


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, nondet_tol=0.0,
              check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
              check_batched_forward_grad=False, check_forward_ad=False, check_backward_ad=True,
              fast_mode=False, masked=None):
    """True when the analytical Jacobian of ``func`` matches finite differences for every input."""
    inputs = _inputs_tuple(inputs)
    for x in inputs:
        if hasattr(x, "requires_grad") and x.requires_grad and x._data.dtype not in (np.float64, np.complex128):
            import warnings
            warnings.warn("Input #0 requires gradient and is not a double precision floating point or complex. "
                          "This check will likely fail if all the inputs are not of double precision floating "
                          "point or complex. ")
    if not any(hasattr(x, "requires_grad") and x.requires_grad for x in inputs):
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but none of them "
                         "have requires_grad=True.")
    outs = _outputs_tuple(func(*inputs))
    for k in range(len(outs)):
        numerical = _numerical_jacobian(func, inputs, k, eps)
        analytical = _analytical_jacobian(func, inputs, k)
        for i, (a, n) in enumerate(zip(analytical, numerical)):
            if a is None or n is None:
                continue
            if a.shape != n.shape or not np.allclose(a, n, rtol=rtol, atol=atol):
                if raise_exception:
                    raise GradcheckError(f"Jacobian mismatch for output {k} with respect to input {i},\n"
                                         f"numerical:{n}\nanalytical:{a}\n")
                return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3, gen_non_contig_grad_outputs=False,
                  raise_exception=True, nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
                  check_batched_grad=False, check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False,
                  masked=False):
    """Check second derivatives: gradcheck of the function that returns the first gradients."""
    from . import grad as autograd_grad
    from .. import _creation
    inputs = _inputs_tuple(inputs)
    outs = _outputs_tuple(func(*inputs))
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(_creation.tensor(rng.standard_normal(o.shape), dtype=o.dtype, requires_grad=True)
                             for o in outs)
    else:
        grad_outputs = _inputs_tuple(grad_outputs)
    n_in = len(inputs)
    diff_idx = [i for i, x in enumerate(inputs) if hasattr(x, "requires_grad") and x.requires_grad]

    def first_grads(*args):
        xs, gs = args[:n_in], args[n_in:]
        o = _outputs_tuple(func(*xs))
        o_req = [(oo, g) for oo, g in zip(o, gs) if oo.requires_grad]
        grads = autograd_grad([p for p, _ in o_req], [xs[i] for i in diff_idx], [g for _, g in o_req],
                              create_graph=True, allow_unused=True)
        return tuple(g if g is not None else _creation.zeros_like(xs[i]) for g, i in zip(grads, diff_idx))

    return gradcheck(first_grads, inputs + tuple(grad_outputs), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
