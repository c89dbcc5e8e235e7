"""``ember.func``: function transforms over ember's reverse-mode autograd.

``grad``, ``grad_and_value``, ``vjp``, ``jacrev`` run one recorded forward and ``autograd.grad``.  ``jvp`` and
``jacfwd`` give forward-mode results but compute them in reverse mode (``jvp`` by the double-vjp trick,
``jacfwd`` row by row as ``jacrev``): values and structures are torch's, speed is not.  ``vmap`` calls the
function once per slice and stacks, so the transforms compose with it (``vmap(grad(f))``).  Transforms nest
(``jacrev(jacrev(f))``, ``hessian``): an input that already requires grad keeps its graph.
"""
from __future__ import annotations

import sys
import types

__all__ = ["vmap", "functional_call", "grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian",
           "stack_module_state", "linearize", "functionalize", "replace_all_batch_norm_modules_"]


def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *, tie_weights=True,
                    strict=False):
    from .nn.utils.stateless import _func_functional_call as _fc
    return _fc(module, parameter_and_buffer_dicts, args, kwargs, tie_weights=tie_weights, strict=strict)


def vmap(func_, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    """Vectorise ``func_`` over a batch dimension by calling it per slice and stacking (correct, not fast).

    Arguments and results may be tuples, lists and dicts of Tensors; ``in_dims`` is an int or None for every
    argument, or a tuple with one entry per argument (an int or None for the whole argument, or a structure
    matching it); keyword arguments are passed unbatched."""
    from .ops.shape import stack
    from .tensor import Tensor
    fname = getattr(func_, "__name__", repr(func_))

    def wrapper(*args, **kwargs):
        where = f"vmap({fname}, in_dims={in_dims}, ...)(<inputs>)"
        if isinstance(in_dims, tuple):
            if len(in_dims) != len(args):
                raise ValueError(f"{where}: in_dims is not compatible with the structure of `inputs`. in_dims has "
                                 f"{len(in_dims)} elements but inputs has {len(args)}.")
            per_arg = in_dims
        elif in_dims is None or isinstance(in_dims, int):
            per_arg = (in_dims,) * len(args)
        else:
            raise ValueError(f"{where}: expected `in_dims` to be int or a (potentially nested) tuple matching the "
                             f"structure of inputs, got: {type(in_dims)}.")
        leaves, dims = [], []
        builds = []
        for a, d in zip(args, per_arg):
            ls, b = _flatten(a)
            if d is None or isinstance(d, int):
                ds = [d] * len(ls)
            else:
                ds, _ = _flatten(d)
                if len(ds) != len(ls):
                    raise ValueError(f"{where}: in_dims is not compatible with the structure of `inputs`.")
            leaves.extend(ls)
            dims.extend(ds)
            builds.append((len(ls), b))
        sizes = []
        for x, d in zip(leaves, dims):
            if d is None:
                continue
            if not isinstance(x, Tensor):
                raise ValueError(f"{where}: Got in_dim={d} for an input but the input is of type {type(x)}. We "
                                 "cannot vmap over non-Tensor arguments, please use None as the respective in_dim")
            nd = x.dim()
            if not -nd <= d < nd:
                raise ValueError(f"{where}: Got in_dim={d} for some input, but that input is a Tensor of "
                                 f"dimensionality {nd} so expected in_dim to satisfy -{nd} <= in_dim < {nd}.")
            sizes.append(x.shape[d])
        if not sizes:
            raise ValueError("vmap: Expected at least one Tensor to vmap over")
        if len(set(sizes)) != 1:
            raise ValueError(f"vmap: Expected all tensors to have the same size in the mapped dimension, got "
                             f"sizes {sorted(set(sizes))} for the mapped dimension")
        n = sizes[0]
        outs = []
        for i in range(n):
            sliced = [x.select(d, i) if d is not None else x for x, d in zip(leaves, dims)]
            new_args, k = [], 0
            for cnt, b in builds:
                new_args.append(b(sliced[k:k + cnt]))
                k += cnt
            with _VmapLevel():
                outs.append(func_(*new_args, **kwargs))
        out_leaves0, build_o = _flatten(outs[0])
        if isinstance(out_dims, tuple) and not isinstance(outs[0], tuple):
            raise ValueError(f"vmap({fname}, ...): `{fname}` must only return Tensors, got type {type(outs[0])}.")
        od, _ = _flatten(out_dims) if isinstance(out_dims, tuple) else ([out_dims] * len(out_leaves0), None)
        if len(od) != len(out_leaves0):
            raise ValueError(f"vmap({fname}, ..., out_dims={out_dims})(<inputs>): out_dims is not compatible with "
                             "the structure of `outputs`.")
        per_slice = [_flatten(o)[0] for o in outs]
        result = []
        for j, d in enumerate(od):
            vals = [p[j] for p in per_slice]
            if d is None:
                result.append(vals[0])
                continue
            if not isinstance(vals[0], Tensor):
                raise ValueError(f"vmap({fname}, ...): `{fname}` must only return Tensors, got type "
                                 f"{type(vals[0])}. Did you mean to set out_dims= to None for output?")
            result.append(stack(vals, d))
        return build_o(result)
    return wrapper


# ----------------------------------------------------------------------------------------------------------
# a small pytree: tuples, lists, dicts of leaves
# ----------------------------------------------------------------------------------------------------------

def _flatten(tree):
    """Leaves in order and a function building the same structure from new leaves."""
    if isinstance(tree, (tuple, list)):
        parts = [_flatten(t) for t in tree]
        leaves = [leaf for p in parts for leaf in p[0]]
        kind = type(tree)

        def build(new, parts=parts, kind=kind):
            out, k = [], 0
            for ls, b in parts:
                out.append(b(new[k:k + len(ls)]))
                k += len(ls)
            return kind(out) if kind in (tuple, list) else kind(*out)
        return leaves, build
    if isinstance(tree, dict):
        keys = list(tree)
        leaves, b = _flatten([tree[k] for k in keys])
        kind = type(tree)
        return leaves, lambda new: kind(zip(keys, b(new)))
    return [tree], lambda new: new[0]


def _structure(tree):
    if isinstance(tree, (tuple, list)):
        return (type(tree).__name__, [_structure(t) for t in tree])
    if isinstance(tree, dict):
        return ("dict", list(tree), [_structure(v) for v in tree.values()])
    return "*"


def _spec_str(tree):
    """A structure as torch prints pytree specs: ``*`` for a leaf, ``(*, *)``, ``[*]``, ``{'a': *}``."""
    if isinstance(tree, tuple):
        inner = ", ".join(_spec_str(t) for t in tree)
        return f"({inner},)" if len(tree) == 1 else f"({inner})"
    if isinstance(tree, list):
        return "[" + ", ".join(_spec_str(t) for t in tree) + "]"
    if isinstance(tree, dict):
        return "{" + ", ".join(f"{k!r}: {_spec_str(v)}" for k, v in tree.items()) + "}"
    return "*"


def _check_tensors(leaves):
    from .tensor import Tensor
    for t in leaves:
        if not isinstance(t, Tensor):
            raise ValueError(f"Thing passed to transform API must be Tensor, got {type(t)}")


def _argnums(argnums, nargs):
    def one(a):
        if not isinstance(a, int) or isinstance(a, bool):
            raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(a)}")
        if not -nargs <= a < nargs:
            raise RuntimeError(f"Got argnum={a}, but only {nargs} positional inputs")
        return a % nargs
    if isinstance(argnums, tuple):
        if len(argnums) == 0:
            raise RuntimeError("argnums must be non-empty")
        return tuple(one(a) for a in argnums)
    if not isinstance(argnums, int) or isinstance(argnums, bool):
        raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
    return one(argnums)


# transforms running now: inside one, every transform keeps its graph for the outer one; user autograd
# Functions read the counts (they must be "new style" to be transformed, and need a vmap rule or a jvp)
from .autograd.function import _transforms
_depth = [0]


class _Level:
    def __init__(self, kind=0):
        self.kind = kind

    def __enter__(self):
        _depth[0] += 1
        _transforms[0] += 1
        if self.kind:
            _transforms[self.kind] += 1

    def __exit__(self, *exc):
        _depth[0] -= 1
        _transforms[0] -= 1
        if self.kind:
            _transforms[self.kind] -= 1


class _VmapLevel:
    def __enter__(self):
        _transforms[1] += 1

    def __exit__(self, *exc):
        _transforms[1] -= 1


def _wrap_input(t):
    """A tensor the transform differentiates with respect to: a fresh leaf, or (when ``t`` already takes
    part in a graph, an enclosing transform's or the user's) an alias that keeps that graph."""
    from .autograd.grad_mode import is_grad_enabled
    if t.requires_grad and is_grad_enabled():
        return t.view_as(t), True
    return t.detach().requires_grad_(True), _depth[0] > 0


def _prepare(args, argnums):
    """Replace the differentiated arguments by tracked tensors.  Returns (new args, diff leaves,
    rebuild(leaf values) -> structure of the differentiated arguments, nested)."""
    nums = _argnums(argnums, len(args))
    sel = tuple(args[i] for i in nums) if isinstance(nums, tuple) else args[nums]
    leaves, build = _flatten(sel)
    _check_tensors(leaves)
    wrapped = [_wrap_input(t) for t in leaves]
    new_leaves = [w for w, _ in wrapped]
    nested = any(n for _, n in wrapped)
    new_sel = build(new_leaves)
    args = list(args)
    if isinstance(nums, tuple):
        for i, v in zip(nums, new_sel):
            args[i] = v
    else:
        args[nums] = new_sel
    return args, new_leaves, build, nested


def _grads(outs, inputs, cotangents, nested, retain=False):
    from .autograd import grad as _grad
    from . import _creation
    pairs = [(o, c) for o, c in zip(outs, cotangents) if o.requires_grad]
    if pairs:
        gs = _grad([o for o, _ in pairs], inputs, [c for _, c in pairs], retain_graph=retain or nested,
                   create_graph=nested, allow_unused=True)
    else:
        gs = [None] * len(inputs)
    return [g if g is not None else _creation.zeros_like(x) for g, x in zip(gs, inputs)]


def _result(t, nested):
    return t if nested else t.detach()


def _split_aux(out, has_aux, api):
    if not has_aux:
        return out, None
    if not (isinstance(out, tuple) and len(out) == 2):
        raise RuntimeError(f"{api}: output of function f should be a tuple: (output, aux) if has_aux is True")
    return out[0], out[1]


def _detach_tree(tree, nested):
    from .tensor import Tensor
    leaves, build = _flatten(tree)
    return build([(_result(t, nested) if isinstance(t, Tensor) else t) for t in leaves])


# ----------------------------------------------------------------------------------------------------------
# grad, grad_and_value, vjp, jvp
# ----------------------------------------------------------------------------------------------------------

def grad_and_value(func, argnums=0, has_aux=False):
    """``func``'s gradient with respect to the arguments ``argnums`` and its value: ``(grad, value)``, or
    ``((grad, (value, aux))`` with ``has_aux``.  ``func`` must return a scalar Tensor."""
    def wrapper(*args, **kwargs):
        from .tensor import Tensor
        from .autograd.grad_mode import enable_grad
        with enable_grad():
            args2, leaves, build, nested = _prepare(args, argnums)
            with _Level():
                out = func(*args2, **kwargs)
            api = "grad_and_value(f)(*args)"
            out, aux = _split_aux(out, has_aux, api)
            if not isinstance(out, Tensor):
                raise RuntimeError(f"{api}: Expected f(*args) to return a Tensor, got {type(out)}")
            if out.dim() != 0:
                raise RuntimeError(f"{api}: Expected f(*args) to return a scalar Tensor, got tensor with "
                                   f"{out.dim()} dims. Maybe you wanted to use the vjp or jacrev APIs instead?")
            from . import _creation
            gs = _grads([out], leaves, [_creation.ones_like(out)], nested)
        g = build([_result(x, nested) for x in gs])
        value = _result(out, nested)
        if has_aux:
            return g, (value, _detach_tree(aux, nested))
        return g, value
    wrapper.__name__ = getattr(func, "__name__", "wrapper")
    return wrapper


def grad(func, argnums=0, has_aux=False):
    """The gradient of scalar-valued ``func`` with respect to the arguments ``argnums`` (an int or a tuple of
    ints; each argument may be a Tensor or a tuple/list/dict of Tensors); ``(grad, aux)`` with ``has_aux``."""
    gv = grad_and_value(func, argnums, has_aux)

    def wrapper(*args, **kwargs):
        g, value = gv(*args, **kwargs)
        if has_aux:
            return g, value[1]
        return g
    wrapper.__name__ = getattr(func, "__name__", "wrapper")
    return wrapper


def vjp(func, *primals, has_aux=False):
    """``(output, vjp_fn)`` (``(output, vjp_fn, aux)`` with ``has_aux``): ``vjp_fn(cotangents)`` returns a tuple
    with the vector-Jacobian product for every primal; it can be called more than once."""
    from .autograd.grad_mode import enable_grad
    from .tensor import Tensor
    with enable_grad():
        leaves_p, build_p = _flatten(primals)
        _check_tensors(leaves_p)
        wrapped = [_wrap_input(t) for t in leaves_p]
        xs = [w for w, _ in wrapped]
        nested = any(n for _, n in wrapped)
        with _Level():
            out = func(*build_p(xs))
        out, aux = _split_aux(out, has_aux, "vjp(f, *primals)")
        out_leaves, _ = _flatten(out)
        for o in out_leaves:
            if not isinstance(o, Tensor):
                raise RuntimeError(f"vjp(f, *primals): Expected f to be a function that has non-empty output "
                                   f"(got output = {out!r})" if not out_leaves else
                                   f"vjp(f, *primals): expected f(*primals) to return only tensors, got "
                                   f"unsupported type {type(o)}")
    out_struct = _structure(out)

    def vjp_fn(cotangents, *, retain_graph=True, create_graph=None):
        if create_graph is None:
            from .autograd.grad_mode import is_grad_enabled
            create_graph = (nested or _depth[0] > 0) and is_grad_enabled()
        c_leaves, _ = _flatten(cotangents)
        if _structure(cotangents) != out_struct:
            raise RuntimeError("Expected pytree structure of cotangents to be the same as pytree structure of "
                               f"outputs to the function. cotangents: {_spec_str(cotangents)}, primal output: "
                               f"{_spec_str(out)}")
        with enable_grad():
            gs = _grads(out_leaves, xs, c_leaves, create_graph, retain=True)
        return build_p([_result(g, create_graph) for g in gs])

    res = _detach_tree(out, nested)
    if has_aux:
        return res, vjp_fn, _detach_tree(aux, nested)
    return res, vjp_fn


def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    """``(func(*primals), J @ tangents)`` (and ``aux`` with ``has_aux``).  The forward-mode product is computed
    in reverse mode (the double-vjp trick: the vjp is linear in its cotangent, so differentiating it with
    respect to the cotangent gives the jvp); values are torch's."""
    from . import _creation
    from .autograd.grad_mode import enable_grad
    from .tensor import Tensor
    if not isinstance(primals, tuple):
        raise RuntimeError("jvp(f, primals, tangents): Expected primals to be a tuple. E.g. it should be valid "
                           "to call f(*primals).")
    if _structure(primals) != _structure(tangents):
        raise RuntimeError("jvp(f, primals, tangents): Expected primals and tangents to have the same python "
                           "structure. For example, if primals is a tuple of 3 tensors, tangents also must be.")
    leaves_p, build_p = _flatten(primals)
    leaves_t, _ = _flatten(tangents)
    _check_tensors(leaves_p)
    _check_tensors(leaves_t)
    for p, t in zip(leaves_p, leaves_t):
        if tuple(p.shape) != tuple(t.shape):
            raise RuntimeError("Trying to set a forward gradient that has a different size than that of the "
                               "original Tensor, this is not supported. Tensor is of size "
                               f"[{', '.join(map(str, p.shape))}] while the given forward gradient is of size "
                               f"[{', '.join(map(str, t.shape))}].")
    with enable_grad():
        wrapped = [_wrap_input(t) for t in leaves_p]
        xs = [w for w, _ in wrapped]
        nested = any(n for _, n in wrapped) or any(t.requires_grad for t in leaves_t)
        with _Level(2):
            out = func(*build_p(xs))
        out, aux = _split_aux(out, has_aux, "jvp(f, primals, tangents)")
        out_leaves, build_o = _flatten(out)
        for o in out_leaves:
            if not isinstance(o, Tensor):
                raise RuntimeError(f"jvp(f, primals, tangents): expected f(*primals) to return only tensors, got "
                                   f"unsupported type {type(o)}")
        us = [_creation.zeros_like(o).requires_grad_(True) for o in out_leaves]
        from .autograd import grad as _grad
        diff = [(o, u) for o, u in zip(out_leaves, us) if o.requires_grad]
        if diff:
            gs = _grad([o for o, _ in diff], xs, [u for _, u in diff], create_graph=True, allow_unused=True)
        else:
            gs = [None] * len(xs)
        pairs = [(g, t) for g, t in zip(gs, leaves_t) if g is not None and g.requires_grad]
        if pairs:
            jv = _grad([g for g, _ in pairs], us, [t for _, t in pairs], create_graph=nested, allow_unused=True)
        else:
            jv = [None] * len(us)
    jv = [_result(j, nested) if j is not None else _creation.zeros_like(o) for j, o in zip(jv, out_leaves)]
    res = (_detach_tree(out, nested), build_o(jv))
    if has_aux:
        return res + (_detach_tree(aux, nested),)
    return res


# ----------------------------------------------------------------------------------------------------------
# Jacobians and the Hessian
# ----------------------------------------------------------------------------------------------------------

def _jacobian(func, argnums, has_aux, api, kind=0):
    def wrapper(*args):
        from . import _creation
        from .autograd.grad_mode import enable_grad
        from .ops.shape import stack
        from .tensor import Tensor
        with enable_grad():
            args2, leaves, build, nested = _prepare(args, argnums)
            with _Level(kind):
                out = func(*args2)
            out, aux = _split_aux(out, has_aux, f"{api}(f, ...)(*args)")
            out_leaves, build_o = _flatten(out)
            for o in out_leaves:
                if not isinstance(o, Tensor):
                    raise RuntimeError(f"{api}(f, ...)(*args): expected f(*args) to return only tensors, got "
                                       f"unsupported type {type(o)}")
            per_out = []
            for o in out_leaves:
                flat = o.reshape(-1)
                n = flat.shape[0]
                rows = []
                for j in range(n):
                    onehot = _creation.zeros_like(flat)
                    onehot[j] = 1
                    rows.append(_grads([flat], leaves, [onehot], nested, retain=True))
                jac = []
                for i, x in enumerate(leaves):
                    shape = tuple(o.shape) + tuple(x.shape)
                    if n:
                        j = stack([r[i] for r in rows], 0).reshape(shape)
                    else:
                        j = _creation.zeros(shape, dtype=x.dtype)
                    jac.append(_result(j, nested))
                per_out.append(build(jac))
        res = build_o(per_out)
        if has_aux:
            return res, _detach_tree(aux, nested)
        return res
    wrapper.__name__ = getattr(func, "__name__", "wrapper")
    return wrapper


def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None, _preallocate_and_copy=False):
    """The Jacobian of ``func`` with respect to the arguments ``argnums``, one reverse pass per output
    element: each output leaf maps to the Jacobians of shape ``output.shape + input.shape``."""
    if chunk_size is not None and not (isinstance(chunk_size, int) and chunk_size > 0):
        raise ValueError("jacrev: `chunk_size` should be greater than 0.")
    return _jacobian(func, argnums, has_aux, "jacrev")


def jacfwd(func, argnums=0, has_aux=False, *, randomness="error"):
    """The Jacobian of ``func`` with respect to the arguments ``argnums``.  torch computes it in forward mode;
    ember computes the same values in reverse mode (as ``jacrev``)."""
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(f"Only allowed values for randomness are 'error', 'different', or 'same'. Got "
                           f"{randomness}")
    return _jacobian(func, argnums, has_aux, "jacfwd", kind=2)   # forward mode in torch: Functions need jvp


def hessian(func, argnums=0):
    """The Hessian of ``func`` with respect to the arguments ``argnums``: ``jacfwd(jacrev(func))``."""
    return jacfwd(jacrev(func, argnums), argnums)


def stack_module_state(models):
    """``(params, buffers)``: each parameter and buffer name mapped to the stack of that tensor over
    ``models`` (parameters detached and requiring grad again, as torch returns them)."""
    from .ops.shape import stack
    models = list(models)
    if len(models) == 0:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    if not (all(m.training for m in models) or all(not m.training for m in models)):
        raise RuntimeError("stack_module_state: Expected all models to have the same training/eval mode.")
    t0 = type(models[0])
    if not all(type(m) is t0 for m in models):
        raise RuntimeError("stack_module_state: Expected all models to be of the same class.")
    params = {k: stack([dict(m.named_parameters())[k] for m in models]).detach().requires_grad_(True)
              for k, _ in models[0].named_parameters()}
    buffers = {k: stack([dict(m.named_buffers())[k] for m in models]) for k, _ in models[0].named_buffers()}
    return params, buffers


def linearize(func, *primals):
    """``(func(*primals), jvp_fn)``: ``jvp_fn(*tangents)`` is the Jacobian-vector product at ``primals``."""
    out = func(*primals)
    leaves_p, _ = _flatten(primals)

    def jvp_fn(*tangents):
        leaves_t, _ = _flatten(tangents)
        for i, (p, t) in enumerate(zip(leaves_p, leaves_t)):
            if tuple(p.shape) != tuple(t.shape):
                raise RuntimeError(f"tangent:{i} with shape {t.shape} in flattened pytree doesn't match the shape "
                                   f"{p.shape} of the corresponding primal.")
        return jvp(func, primals, tangents)[1]
    return _detach_tree(out, False), jvp_fn


def functionalize(func, *, remove="mutations"):
    """``func`` itself: ember runs eagerly, where a functionalized function computes the same values."""
    if remove not in ("mutations", "mutations_and_views"):
        raise AssertionError(f"functionalize(f, remove='mutations'): received invalid argument for remove={remove}. "
                             "Valid options are:\n     remove='mutations': all inplace and out= operators will be "
                             "removed from the program, and replaced with their out-of-place equivalents.\n     "
                             "remove='mutations_and_views': In addition to the above, all aliasing operators "
                             "{view} will be replaced with their non-aliasing counterparts, {view}_copy.\n")
    return func


def replace_all_batch_norm_modules_(root):
    """Make every batch-norm module under ``root`` stop tracking running statistics (in place); returns
    ``root``."""
    from .nn.modules.batchnorm import _BatchNorm
    for m in root.modules():
        if isinstance(m, _BatchNorm):
            m.running_mean = None
            m.running_var = None
            m.num_batches_tracked = None
            m.track_running_stats = False
    return root


func = types.ModuleType("ember.func", "ember.func: function transforms (torch.func).")
for _n in __all__:
    setattr(func, _n, globals()[_n])
func.__all__ = list(__all__)
sys.modules.setdefault("ember.func", func)
