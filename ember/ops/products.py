"""Matrix products: matmul (and the names torch gives its special cases), a fused linear, einsum."""
from __future__ import annotations

import numpy as np

from ..autograd import grad_mode as _grad_mode
from ..autograd.function import Op
from ..autograd.graph import ShownNode, present
from .. import _dtype as _dt
from ._util import Tensor, _wrap, promote_operands, unbroadcast, xp_of as _xp

# autocast's hook (``ember.amp.autocast_mode``): None unless an autocast region is active, then the policy whose
# ``run(fn, *args)`` calls ``fn`` with its inputs cast.  Read once at the entry of the lower-precision ops.
_autocast = [None]

__all__ = ["matmul", "mm", "bmm", "mv", "dot", "vdot", "inner", "outer", "ger", "addmm", "addmv", "addbmm",
           "baddbmm", "addr", "einsum", "tensordot", "kron", "linear", "chain_matmul", "multi_dot"]


_grad_state = _grad_mode._state
_inference = _grad_mode._inference


def _mm(a, b):
    """``a @ b``; float16 and bfloat16 multiply in float32 (no fast NumPy kernel, and ml_dtypes' bfloat16
    product would come back float32) and round once to the operands' type, as torch's CPU kernels do."""
    if a.dtype.kind == "V" or a.dtype == np.float16:
        return (a.astype(np.float32) @ b.astype(np.float32)).astype(a.dtype)
    return a @ b


def _bmm_shown(node):
    if node.batched:     # torch: UnsafeViewBackward0 over a BmmBackward0 of the expanded, folded operands
        folded = [(ShownNode("ViewBackward0", [(ShownNode("ExpandBackward0", [e]), 0)]), 0) if e is not None
                  else None for e in node._edges]
        return [(ShownNode("BmmBackward0", folded), 0)]
    return node._edges


class Matmul(Op):
    """Batched matrix product of operands with ndim >= 2 (broadcast over the batch dims)."""

    _grad_name = "MmBackward0"       # the class's name; ``name()`` gives the batched form
    save_inputs = (0, 1)
    _shown = _bmm_shown
    batched = False

    def name(self):
        return "UnsafeViewBackward0" if self.batched else "MmBackward0"

    @staticmethod
    def forward(ctx, a, b):
        if a.ndim > 2 or b.ndim > 2:
            ctx.batched = True
        return _mm(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        ga = gb = None
        if ctx._edges[0] is not None:
            ga = unbroadcast(grad @ b.mT.conj() if b.is_complex() else grad @ b.mT, a.shape)
        if ctx._edges[1] is not None:
            gb = unbroadcast(a.mT.conj() @ grad if a.is_complex() else a.mT @ grad, b.shape)
        return ga, gb


class Mv(Op):
    """matrix (n, k) @ vector (k,) -> (n,): torch's ``mv`` (what ``A @ x`` records)."""

    _grad_name = "MvBackward0"
    save_inputs = (0, 1)

    @staticmethod
    def forward(ctx, a, x):
        return _mm(a, x)

    @staticmethod
    def backward(ctx, grad):
        a, x = ctx.saved_tensors
        ga = gx = None
        if ctx._edges[0] is not None:
            ga = outer(grad, x.conj() if x.is_complex() else x)
        if ctx._edges[1] is not None:
            gx = Mv.apply(a.mT.conj() if a.is_complex() else a.mT, grad)
        return ga, gx


class Dot(Op):
    """vector . vector -> 0-d: torch's ``dot``."""

    _grad_name = "DotBackward0"
    save_inputs = (0, 1)

    @staticmethod
    def forward(ctx, a, b):
        xp = _xp(a)
        if a.dtype.kind == "V" or a.dtype == np.float16:
            return xp.asarray(xp.dot(a.astype(np.float32), b.astype(np.float32))).astype(a.dtype)
        return xp.asarray(xp.dot(a, b))

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        ea, eb = ctx._edges
        return (grad * (b.conj() if b.is_complex() else b) if ea is not None else None,
                grad * (a.conj() if a.is_complex() else a) if eb is not None else None)


def _shape_str(s):
    return "x".join(str(v) for v in s)


def matmul(input, other, *, out=None):
    if _autocast[0] is not None:
        return _autocast[0].run(matmul, input, other, out=out)
    if not isinstance(input, Tensor):
        raise TypeError(f"matmul(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if not isinstance(other, Tensor):
        raise TypeError(f"matmul(): argument 'other' (position 2) must be Tensor, not {type(other).__name__}")
    if input.dtype is not other.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {input.dtype.name} != "
                           f"{other.dtype.name}".replace("float32", "float").replace("float64", "double")
                           .replace("int64", "long int"))
    na, nb = input._data.ndim, other._data.ndim
    if na == 0 or nb == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {na}D and {nb}D")
    if na == 1 and nb == 1:
        res = dot(input, other)
    elif na == 2 and nb == 2:
        _check_mm(input, other)
        res = Matmul.apply(input, other)
    elif na == 1:
        _check_inner(input._data.shape[0], other._data.shape[-2], input, other)
        res = present(Matmul.apply(input.unsqueeze(0), other).squeeze(-2), "SqueezeBackward4")
    elif nb == 1:
        _check_inner(input._data.shape[-1], other._data.shape[0], input, other)
        if na == 2:
            res = Mv.apply(input, other)
        else:   # (..., n, k) @ (k,): one matrix-vector product on the folded rows, as torch records it
            lead = input._data.shape[:-1]
            res = present(Mv.apply(input.reshape(-1, input._data.shape[-1]), other).view(*lead),
                          "UnsafeViewBackward0")
    elif nb == 2:
        # (..., n, k) @ (k, m): one matrix product on the folded rows (NumPy would run one per batch entry),
        # recorded as torch does: UnsafeViewBackward0 over MmBackward0 over the folded input
        _check_inner(input._data.shape[-1], other._data.shape[-2], input, other)
        lead = input._data.shape[:-1]
        res = Matmul.apply(input.reshape(-1, input._data.shape[-1]), other).view(*lead, other._data.shape[-1])
        present(res, "UnsafeViewBackward0")
    else:
        _check_inner(input._data.shape[-1], other._data.shape[-2], input, other)
        try:
            np.broadcast_shapes(input._data.shape[:-2], other._data.shape[:-2])
        except ValueError:
            raise RuntimeError(f"The size of tensor a ({input._data.shape[-3]}) must match the size of tensor b "
                               f"({other._data.shape[-3]}) at non-singleton dimension 0") from None
        res = Matmul.apply(input, other)
    if out is not None:
        from .inplace import copy_into_out
        return copy_into_out(out, res)
    return res


def _check_mm(a, b):
    sa, sb = a._data.shape, b._data.shape
    if sa[1] != sb[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_shape_str(sa)} and {_shape_str(sb)})")


def _check_inner(k1, k2, a, b):
    if k1 != k2:
        sa, sb = a._data.shape, b._data.shape
        if len(sa) == 1:
            raise RuntimeError(f"size mismatch, got input ({sb[-2]}x{sb[-1]}), vec ({sa[0]})" if len(sb) == 2 else
                               f"Expected size for first two dimensions of batch2 tensor to be: [{sb[0]}, {k1}] "
                               f"but got: [{sb[0]}, {k2}].")
        if len(sb) == 1:
            raise RuntimeError(f"size mismatch, got input ({sa[-2]}), mat ({sa[-2]}x{sa[-1]}), vec ({sb[0]})")
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{sb[0] if len(sb) > 2 else 1}, "
                           f"{k1}] but got: [{sb[0] if len(sb) > 2 else 1}, {k2}]." if len(sa) > 2 else
                           f"mat1 and mat2 shapes cannot be multiplied ({_shape_str(sa[-2:])} and "
                           f"{_shape_str(sb[-2:])})")


def mm(input, mat2, *, out=None):
    if _autocast[0] is not None:
        return _autocast[0].run(mm, input, mat2, out=out)
    if input._data.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if mat2._data.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    return matmul(input, mat2, out=out)


def bmm(input, mat2, *, out=None):
    if _autocast[0] is not None:
        return _autocast[0].run(bmm, input, mat2, out=out)
    if input._data.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if mat2._data.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if input._data.shape[0] != mat2._data.shape[0] or input._data.shape[2] != mat2._data.shape[1]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{input._data.shape[0]}, {input._data.shape[2]}] but got: "
                           f"[{mat2._data.shape[0]}, {mat2._data.shape[1]}].")
    return matmul(input, mat2, out=out)


def mv(input, vec, *, out=None):
    if _autocast[0] is not None:      # not on autocast's list: runs in the inputs' dtype
        return _autocast[0].plain(mv, input, vec, out=out)
    if input._data.ndim != 2 or vec._data.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {vec._data.ndim}, {input._data.ndim}, "
                           f"{vec._data.ndim}")
    return matmul(input, vec, out=out)


def dot(input, other, *, out=None):
    if input._data.ndim != 1 or other._data.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input._data.ndim}D and {other._data.ndim}D tensors")
    if input._data.shape[0] != other._data.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{input._data.shape[0]}] and src "
                           f"[{other._data.shape[0]}] to have the same number of elements, but got "
                           f"{input._data.shape[0]} and {other._data.shape[0]} elements respectively")
    if input.dtype is not other.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found {_tn(input)} and "
                           f"{_tn(other)}")
    return Dot.apply(input, other)


def vdot(input, other):
    return dot(input.conj(), other)


def inner(input, other):
    if input._data.ndim == 0 or other._data.ndim == 0:
        return input * other
    return matmul(input, other.unsqueeze(-1) if other._data.ndim == 1 else other.mT) if other._data.ndim <= 2 \
        else tensordot(input, other, ([-1], [-1]))


def outer(input, vec2):
    return input.unsqueeze(-1) * vec2.unsqueeze(0)


ger = outer


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    """out = beta * input + alpha * (mat1 @ mat2)"""
    if _autocast[0] is not None:
        return _autocast[0].run(addmm, input, mat1, mat2, beta=beta, alpha=alpha, out=out)
    prod = mm(mat1, mat2)
    res = _scaled_sum(input, prod, beta, alpha)
    return res if out is None else _out(out, res)


def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    res = _scaled_sum(input, mv(mat, vec), beta, alpha)
    return res if out is None else _out(out, res)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    if _autocast[0] is not None:
        return _autocast[0].run(addbmm, input, batch1, batch2, beta=beta, alpha=alpha, out=out)
    res = _scaled_sum(input, bmm(batch1, batch2).sum(0), beta, alpha)
    return res if out is None else _out(out, res)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    if _autocast[0] is not None:
        return _autocast[0].run(baddbmm, input, batch1, batch2, beta=beta, alpha=alpha, out=out)
    res = _scaled_sum(input, bmm(batch1, batch2), beta, alpha)
    return res if out is None else _out(out, res)


def addr(input, vec1, vec2, *, beta=1, alpha=1):
    return _scaled_sum(input, outer(vec1, vec2), beta, alpha)


def _scaled_sum(input, prod, beta, alpha):
    if alpha != 1:
        prod = prod * alpha
    if beta == 0:   # input is ignored (nan and inf too) but still gets a zero gradient, as in torch
        from .shape import where
        return prod + where(_wrap(np.ones(input._data.shape, bool)), _wrap(np.zeros((), input._data.dtype)), input)
    return (input * beta if beta != 1 else input) + prod


def _out(out, res):
    from .inplace import copy_into_out
    return copy_into_out(out, res)


def _linear_shown(node):
    """torch's graph around a linear: ``AddmmBackward0(bias, input, TBackward0(weight))`` for a matrix input
    (``MmBackward0(input, TBackward0(weight))`` without bias), under a ``ViewBackward0`` for other ranks."""
    x_e, w_e, b_e = node._edges
    t_e = (ShownNode("TBackward0", [w_e]), 0) if w_e is not None else None
    if node.in_ndim != 2 and x_e is not None:          # torch folds the input to a matrix first
        x_e = (ShownNode("UnsqueezeBackward0" if node.in_ndim == 1 and not node.has_bias else "ViewBackward0",
                         [x_e]), 0)
    inner = [b_e, x_e, t_e] if node.has_bias else [x_e, t_e]
    if node.in_ndim == 2:
        return inner
    return [(ShownNode("AddmmBackward0" if node.has_bias else "MmBackward0", inner), 0)]


class Linear(Op):
    """y = x W^T + b over any leading dims: one node instead of three for every ``nn.Linear`` call (shown as
    torch's nodes by ``name`` and ``next_functions``)."""

    _grad_name = "AddmmBackward0"    # the class's name; ``name()`` gives the form for this call
    save_inputs = (0, 1)
    _shown = _linear_shown

    def name(self):
        if self.in_ndim == 2:
            return "AddmmBackward0" if self.has_bias else "MmBackward0"
        if self.in_ndim == 1 and not self.has_bias:
            return "SqueezeBackward4"
        return "ViewBackward0" if self.has_bias else "UnsafeViewBackward0"

    @staticmethod
    def forward(ctx, x, w, b):
        ctx.in_ndim = x.ndim
        if x.ndim > 2:      # NumPy runs stacked matmuls gemm by gemm (about 3x slower): one 2-D product instead
            y = _mm(x.reshape(-1, x.shape[-1]), w.T).reshape(x.shape[:-1] + (w.shape[0],))
        else:
            y = _mm(x, w.T)
        if b is not None:
            y += b
        ctx.has_bias = b is not None
        return y

    @staticmethod
    def backward(ctx, grad):
        # written with the primitives directly (no argument checking: the shapes are known to fit), since
        # this runs for every Linear layer in every step
        # x is read only for the weight's gradient and w only for the input's (torch saves them that way)
        x, w = ctx._saved_for((ctx._edges[1] is not None, ctx._edges[0] is not None),
                              {1: (ctx._saved[1].shape[::-1], "AsStrided")} if ctx._saved else None)
        gx = gw = gb = None
        g2 = grad if grad.ndim <= 2 else grad.reshape(-1, grad.shape[-1])          # (N, out)
        if ctx._edges[0] is not None:
            gx = Matmul.apply(g2, w)                                                 # (N, in)
            if grad.ndim > 2:
                gx = gx.reshape(x.shape)
        if ctx._edges[1] is not None:
            x2 = x if x.ndim <= 2 else x.reshape(-1, x.shape[-1])
            gw = Matmul.apply(_Transpose2d.apply(g2), x2) if g2.ndim == 2 else outer(g2, x2)   # (out, in)
        if ctx.has_bias and ctx._edges[2] is not None:
            gb = _SumRows.apply(g2) if g2.ndim == 2 else grad                           # (out,)
        return gx, gw, gb


class _Transpose2d(Op):
    """The transpose of a matrix (a view); its own backward."""

    is_view = True
    _grad_name = "TBackward0"

    @staticmethod
    def forward(ctx, x):
        return x.T

    @staticmethod
    def backward(ctx, grad):
        return _Transpose2d.apply(grad)


class _SumRows(Op):
    """Column sums of a matrix: (N, C) -> (C,)."""

    _grad_name = "SumBackward1"

    @staticmethod
    def forward(ctx, x):
        ctx.rows = x.shape[0]
        return x.sum(0)

    @staticmethod
    def backward(ctx, grad):
        return grad.unsqueeze(0).expand(ctx.rows, grad.shape[0])


def linear(input, weight, bias=None):
    """y = x W^T + b, with torch's shape errors."""
    if _autocast[0] is not None:
        return _autocast[0].run(linear, input, weight, bias)
    try:
        sx, sw = input._data.shape, weight._data.shape
        if bias is not None:
            bias._data
    except AttributeError:
        _argument_types("linear", ("input", input), ("weight", weight), ("bias", bias))
        raise
    if input._data.ndim == 0 or weight._data.ndim not in (1, 2) or sx[-1] != sw[-1]:
        if weight._data.ndim == 2 and input._data.ndim >= 1:
            rows = int(np.prod(sx[:-1])) if len(sx) > 1 else 1
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{sx[-1]} and "
                               f"{sw[1]}x{sw[0]})")
        raise RuntimeError(f"both arguments to linear need to be at least 1D, but they are {len(sx)}D and "
                           f"{len(sw)}D" if len(sx) == 0 else "size mismatch in linear")
    di, dw = input._data.dtype, weight._data.dtype
    if di is not dw and di != dw:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {_tn(input)} and {_tn(weight)}")
    if weight._data.ndim == 1:
        out = matmul(input, weight)
        return out + bias if bias is not None else out
    if bias is not None and bias._data.shape != sw[:1]:
        _check_bias(bias._data.shape, sx[:-1] + (sw[0],))
    xd = input._data
    if type(xd) is np.ndarray and xd.ndim == 2 and not (_grad_state[0] and (
            input.requires_grad or weight.requires_grad or (bias is not None and bias.requires_grad))):
        # nothing to record (inference, no_grad): the product without the op machinery
        y = _mm(xd, weight._data.T)
        if bias is not None:
            y += bias._data
        out = _wrap(y)
        if _inference[0]:
            out._extra = {"inference": True}
        return out
    return Linear.apply(input, weight, bias)


def _argument_types(name, *args):
    """torch's TypeError for the first argument that is not a Tensor (None allowed after the first two)."""
    for pos, (arg, value) in enumerate(args, 1):
        if not isinstance(value, Tensor) and not (pos > 2 and value is None):
            raise TypeError(f"{name}(): argument '{arg}' (position {pos}) must be Tensor, not {type(value).__name__}")


def _check_bias(bs, target):
    """torch's error when the bias does not expand to the output's shape."""
    if len(bs) > len(target):
        raise RuntimeError(f"The expand of the tensor sizes {list(bs)} must be at least the number of dimensions "
                           f"of the target {list(target)}")
    for k in range(1, len(bs) + 1):
        b, t = bs[-k], target[-k]
        if b != 1 and b != t:
            raise RuntimeError(f"The expanded size of the tensor ({t}) must match the existing size ({b}) at "
                               f"non-singleton dimension {len(target) - k}.  Target sizes: {list(target)}.  "
                               f"Tensor sizes: {list(bs)}")


def _tn(t):
    return _dn(t.dtype)


def _dn(d):
    return {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
            "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
            "bool": "Bool", "complex64": "ComplexFloat", "complex128": "ComplexDouble"}.get(d.name, d.name)


# ----------------------------------------------------------------------------------------------------------
# einsum / tensordot / kron
# ----------------------------------------------------------------------------------------------------------

class Einsum(Op):
    _shown = slice(1, None)     # the equation is an argument of the op, not an input torch lists
    """``einsum(eq, *operands)``; the gradient of each operand is another einsum."""

    @staticmethod
    def forward(ctx, spec, *ops):
        eq, dt = spec                                  # dt: the result's NumPy dtype (torch's, see _einsum_dtype)
        ctx.eq = eq
        ctx.shapes = [o.shape for o in ops]
        ctx.dtypes = [o.dtype for o in ops]
        # NumPy has no bfloat16 einsum and sums float16 in float16: work in float32, round once, as torch's CPU
        # kernels accumulate
        wide = [o.astype(np.float32) if o.dtype.kind == "V" or o.dtype == np.float16 else o for o in ops]
        return _xp(ops[0]).einsum(eq, *wide, optimize=len(ops) > 2).astype(dt, copy=False)

    @staticmethod
    def backward(ctx, grad):
        ins, out = ctx.eq.split("->")
        subs = ins.split(",")
        inputs = ctx._inputs
        grads = [None]
        for i, s in enumerate(subs):
            if ctx._edges[i + 1] is None:
                grads.append(None)
                continue
            others = [subs[j] for j in range(len(subs)) if j != i]
            other_ops = [inputs[j] for j in range(len(subs)) if j != i]
            grads.append(_einsum_operand_grad(s, ctx.shapes[i], out, others, grad, other_ops, ctx.dtypes[i]))
        return tuple(grads)


def _einsum_operand_grad(s, shape, out, others, grad, other_ops, dt):
    """The gradient of one operand with subscripts ``s``: an einsum of the output gradient with the other
    operands onto the operand's distinct letters, broadcast over letters summed only here, then placed on the
    diagonal for letters repeated within ``s`` (``ii``)."""
    letters = "".join(dict.fromkeys(s))
    size = {c: shape[s.index(c)] for c in letters}
    present = set(out) | set("".join(others))
    kept = "".join(c for c in letters if c in present)
    g = _EinsumApply(",".join([out] + others) + "->" + kept, (grad,) + tuple(other_ops), dt)
    if kept != letters:   # letters summed away only in this operand: broadcast back
        g = g.reshape([size[c] if c in kept else 1 for c in letters]).expand([size[c] for c in letters])
    if letters == s:
        return g
    free = iter(c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" if c not in s + out
                and c not in "".join(others))
    renamed, eyes, seen = [], [], set()
    for c in s:
        if c in seen:              # a repeat: a fresh letter tied to the first by an identity matrix
            f = next(free)
            renamed.append(f)
            eyes.append(c + f)
        else:
            seen.add(c)
            renamed.append(c)
    eye_ts = [_wrap(_xp(grad._data).eye(size[e[0]], dtype=grad._data.dtype)) for e in eyes]
    return _EinsumApply(",".join([letters] + eyes) + "->" + "".join(renamed), (g,) + tuple(eye_ts), dt)


def _normalize_einsum(eq, operands):
    eq = eq.replace(" ", "")
    if "->" not in eq:
        ins = eq
        letters = [c for c in ins.replace(",", "").replace(".", "") if c.isalpha()]
        out = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
        eq = ins + "->" + ("..." if "..." in ins else "") + out
    if "..." in eq:
        ins, out = eq.split("->")
        subs = ins.split(",")
        used = set(c for c in eq if c.isalpha())
        free = [c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" if c not in used]
        nd = max((o.ndim - (len(s) - 3)) for s, o in zip(subs, operands) if "..." in s)
        ell = "".join(free[:nd])
        new_subs = []
        for s, o in zip(subs, operands):
            if "..." in s:
                k = o.ndim - (len(s) - 3)
                s = s.replace("...", ell[nd - k:])
            new_subs.append(s)
        out = out.replace("...", ell)
        eq = ",".join(new_subs) + "->" + out
    return eq


def einsum(equation, *operands):
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    eq = _normalize_einsum(equation, operands)
    _check_einsum_sizes(equation, eq, operands)
    policy = _autocast[0]
    dt, lower = _einsum_dtype(eq, operands, policy)
    if lower:                                  # ends in a matrix product: autocast's lower-precision list
        return policy.run(lambda *ops: _EinsumApply(eq, ops, _einsum_dtype(eq, ops, None)[0]), *operands)
    return _EinsumApply(eq, operands, dt)


_LOW = ("float16", "bfloat16", "float32")


def _einsum_dtype(eq, operands, policy):
    """torch's result dtype for einsum, and whether autocast runs it in its lower precision.

    torch contracts the operands left to right, a pair at a time: a pair that shares a letter summed away is a
    batched matrix product (same dtype required, or "expected scalar type ..."; on autocast's lower-precision
    list), any other pair a broadcast multiply (dtypes promote).  The opt_einsum path (not installed here)
    would reorder the pairs.
    """
    subs, out = eq.split("->")
    subs = subs.split(",")
    target = None                                     # the autocast dtype, when autocast is on here
    if policy is not None:
        from ..amp import autocast_mode as _am
        kind = operands[0].device.type
        target = _am._dtype[kind] if _am._enabled.get(kind) else None
    dtype, letters, lowered = operands[0].dtype, set(subs[0]), False
    for k in range(1, len(subs)):
        later = set(out).union(*subs[k + 1:])
        other, mine = operands[k].dtype, set(subs[k])
        if (letters & mine) - later:                  # a contraction: bmm
            if target is not None:
                dtype = target if dtype.name in _LOW else dtype
                other = target if other.name in _LOW else other
            if dtype is not other:
                raise RuntimeError(f"expected scalar type {_dn(dtype)} but found {_dn(other)}")
            lowered = dtype is target
        else:                                         # a broadcast multiply
            dtype = _dt.promote_types(dtype, other)
            lowered = lowered and dtype is target
        letters = (letters | mine) & later
    return dtype.np, lowered


def _check_einsum_sizes(original, eq, operands):
    """torch's messages for operands that do not fit the equation (before NumPy words them its way)."""
    subs = eq.split("->")[0].split(",")
    if len(subs) != len(operands):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation"
                           if len(operands) > len(subs) else
                           "einsum(): fewer operands were provided than specified in the equation")
    seen = {}
    explicit = set(c for c in original if c.isalpha())
    for i, (s, o) in enumerate(zip(subs, operands)):
        if len(s) != o._data.ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(s)}) does not match the "
                               f"number of dimensions ({o._data.ndim}) for operand {i} and no ellipsis was given")
        for c, n in zip(s, o._data.shape):
            if c not in explicit:          # ellipsis dims broadcast
                continue
            m = seen.get(c)
            if m is None or m == 1:
                seen[c] = n
            elif n != 1 and n != m:
                raise RuntimeError(f"einsum(): subscript {c} has size {n} for operand {i} which does not broadcast "
                                   f"with previously seen size {m}")


def _EinsumApply(eq, operands, dt):
    res = Einsum.apply((eq, dt.np if isinstance(dt, _dt.dtype) else dt), *operands)
    if res._grad_fn is not None:
        res._grad_fn._inputs = operands
    return res


def tensordot(a, b, dims=2):
    if a.dtype is not b.dtype:
        raise RuntimeError("both inputs should have same dtype")
    if isinstance(dims, int):
        da = list(range(a.ndim - dims, a.ndim))
        db = list(range(dims))
    elif isinstance(dims, Tensor):
        dl = dims.tolist()
        da, db = (dl[0], dl[1]) if isinstance(dl[0], list) else ([dl[0]], [dl[1]])
    else:
        da, db = dims
        da = [da] if isinstance(da, int) else list(da)
        db = [db] if isinstance(db, int) else list(db)
    if len(da) != len(db):
        raise RuntimeError("both dimension lists should have same length")
    da = [d % a.ndim for d in da]
    db = [d % b.ndim for d in db]
    for i, j in zip(da, db):
        if a.shape[i] != b.shape[j]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size {a.shape[i]} in dim {i} "
                               f"and second has size {b.shape[j]} in dim {j}")
    letters = iter("abcdefghijklmnopqrstuvwxyz")
    sa = [next(letters) for _ in range(a.ndim)]
    sb = [next(letters) for _ in range(b.ndim)]
    for i, j in zip(da, db):
        sb[j] = sa[i]
    out = [c for k, c in enumerate(sa) if k not in da] + [c for k, c in enumerate(sb) if k not in db]
    eq = "".join(sa) + "," + "".join(sb) + "->" + "".join(out)
    if _autocast[0] is not None:              # a matrix product even when no dim is summed (torch's mm)
        return _autocast[0].run(lambda x, y: _EinsumApply(eq, (x, y), x.dtype), a, b)
    return _EinsumApply(eq, (a, b), a.dtype)


def kron(input, other):
    nd = max(input.ndim, other.ndim)
    a = input.reshape((1,) * (nd - input.ndim) + tuple(input.shape))
    b = other.reshape((1,) * (nd - other.ndim) + tuple(other.shape))
    # interleave: a[i, None, j, None] * b[None, k, None, l] -> reshape
    a_shape, b_shape = [], []
    for s in a.shape:
        a_shape += [s, 1]
    for s in b.shape:
        b_shape += [1, s]
    prod = a.reshape(a_shape) * b.reshape(b_shape)
    return prod.reshape(tuple(x * y for x, y in zip(a.shape, b.shape)))


def chain_matmul(*matrices):
    return multi_dot(matrices)


def multi_dot(tensors, *, out=None):
    """The product of a chain of matrices; the first may be a row vector and the last a column vector."""
    tensors = list(tensors)
    n = len(tensors)
    if n < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {n}")
    first, last = tensors[0]._data.ndim, tensors[-1]._data.ndim
    if first not in (1, 2):
        raise RuntimeError(f"multi_dot(): the first tensor must be 1D or 2D but got {first}D")
    if last not in (1, 2):
        raise RuntimeError(f"multi_dot(): the last tensor must be 1D or 2D but got {last}D")
    for i, t in enumerate(tensors[1:-1], 1):
        if t._data.ndim != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {t._data.ndim}D")
    res = tensors[0]
    for t in tensors[1:]:
        res = matmul(res, t)
    return res if out is None else _out(out, res)
