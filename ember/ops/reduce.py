"""Reductions and scans: sum, mean, prod, max/min, var/std, logsumexp, norms, cumulative ops, sorting,
softmax / log_softmax (fused primitives: their composed forms cost three passes and lose precision)."""
from __future__ import annotations

import builtins
from collections import namedtuple

import numpy as np

from .. import _dtype as _dt
from ..autograd.function import Op
from ..backend.parallel import num_threads
from . import _sum_order
from ._util import Tensor, _wrap, dims_tuple, float_like, wrap_dim, xp_of as _xp
from .shape import numpy_spellings, present_as

__all__ = ["sum", "mean", "nansum", "nanmean", "prod", "max", "min", "amax", "amin", "argmax", "argmin", "var",
           "std", "var_mean", "std_mean", "logsumexp", "norm", "vector_norm", "all", "any", "count_nonzero",
           "cumsum", "cumprod", "cummax", "cummin", "median", "nanmedian", "mode", "sort", "argsort", "topk",
           "kthvalue", "unique", "unique_consecutive", "softmax", "log_softmax", "sum_to_size", "aminmax",
           "logcumsumexp", "quantile", "msort", "diff", "cross", "histc", "bincount", "allclose", "isclose",
           "equal", "dist", "renorm", "cdist"]

values_indices = namedtuple("values_indices", ["values", "indices"])


def _named(name, fields=("values", "indices")):
    cls = namedtuple(name, fields)
    cls.__module__ = "torch.return_types"
    cls.__repr__ = _return_type_repr
    return cls


def _return_type_repr(self):
    """torch's layout: ``torch.return_types.max(`` then one ``field=value`` per line."""
    body = ",\n".join(f"{k}={v!r}" for k, v in zip(self._fields, self))
    return f"torch.return_types.{type(self).__name__}(\n{body})"


_max_t, _min_t, _sort_t, _topk_t, _kth_t, _median_t, _mode_t, _cummax_t, _cummin_t = (
    _named(n) for n in ("max", "min", "sort", "topk", "kthvalue", "median", "mode", "cummax", "cummin"))
_aminmax_t = _named("aminmax", ("min", "max"))


def _axes(dim, ndim):
    """Reduced axes for NumPy: ``dims_tuple`` with torch's checks, and none at all for a 0-d tensor."""
    axes = dims_tuple(dim, ndim)
    return axes if ndim else ()


def _check_nonempty(name, x, dim):
    """torch's errors for max-like reductions over nothing."""
    d = x._data
    if d.size:
        return
    if dim is None or dim == () or dim == []:
        raise (IndexError if name.startswith("arg") else RuntimeError)(
            f"{name}(): Expected reduction dim to be specified for input.numel() == 0."
            + ("" if name.startswith("arg") else " Specify the reduction dim with the 'dim' argument."))
    for a in ((dim,) if isinstance(dim, int) else dim):
        a = wrap_dim(a, d.ndim)
        if d.ndim and d.shape[a] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {a} to have non-zero size.")


def _expand_back(grad, in_shape, axes, keepdim):
    """Broadcast a reduced gradient back over the reduced ``axes``."""
    if not keepdim and axes:
        shape = list(in_shape)
        for a in axes:
            shape[a] = 1
        grad = grad.reshape(tuple(shape))
    return grad.expand(in_shape)


# ----------------------------------------------------------------------------------------------------------
# sum / mean / prod
# ----------------------------------------------------------------------------------------------------------

class Sum(Op):
    @staticmethod
    def forward(ctx, x, axes, keepdim, np_dtype):
        ctx.in_shape = x.shape
        ctx.axes = axes
        ctx.keepdim = keepdim
        if np_dtype is None and x.dtype.itemsize == 2 and x.dtype.kind in "fV":
            # float16 / bfloat16 accumulate in float32, as torch does (bf16 partial sums lose digits fast)
            return _xp(x).sum(x, axis=axes, keepdims=keepdim, dtype=np.float32).astype(x.dtype)
        if (np_dtype is None or np_dtype == x.dtype) and _sum_order.supported(x) and x.size:
            r = _sum_order.torch_sum_any_layout(x, axes, num_threads())
            if r is not None:                        # torch's summation order: torch's last bit (_sum_order.py)
                if keepdim:
                    r = r.reshape(tuple(1 if i in axes else s for i, s in enumerate(x.shape)))
                return r
        return _xp(x).sum(x, axis=axes, keepdims=keepdim, dtype=np_dtype)

    @staticmethod
    def backward(ctx, grad):
        return _expand_back(grad, ctx.in_shape, ctx.axes, ctx.keepdim), None, None, None


def sum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    d = input._data
    if dtype is not None:
        np_dtype = _dt.as_dtype(dtype).np
        if input.dtype is not _dt.as_dtype(dtype):
            input = input.to(dtype)
            d = input._data
    elif d.dtype.kind in "biu":
        np_dtype = np.int64 if d.dtype != np.uint64 else np.uint64
    else:
        np_dtype = None
    axes = _axes(dim, d.ndim)
    res = Sum.apply(input, axes, keepdim, np_dtype)
    if dim is not None:  # torch: sum() is SumBackward0, sum(dim) SumBackward1
        present_as(res, "SumBackward1", input)
    return _out(res, out)


def nansum(input, dim=None, keepdim=False, *, dtype=None):
    return sum(input.where(~input.isnan(), 0.0), dim, keepdim, dtype=dtype)


def mean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    if dtype is not None:
        input = input.to(dtype)
    if input._data.dtype.kind not in "fcV":
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a floating point or "
                           f"complex dtype. Got: {input.dtype.name.capitalize() if input.dtype.name != 'int64' else 'Long'}")
    d = input._data
    axes = _axes(dim, d.ndim)
    n = 1
    for a in axes:
        n *= d.shape[a]
    low = d.dtype.itemsize == 2 and d.dtype.kind in "fV"   # float16 / bfloat16: sum and divide in float32
    s = sum(input.float() if low else input, axes if dim is not None else None, keepdim)
    res = s / n if n else s * float("nan")
    if n and res._grad_fn is not None:
        res._grad_fn._saves_nothing = True        # torch's MeanBackward0 saves no tensor: a second pass is fine
    res = present_as(res.to(input.dtype) if low else res, "MeanBackward0" if dim is None else "MeanBackward1",
                     input)
    return _out(res, out)


def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    notnan = ~input.isnan()
    return nansum(input, dim, keepdim, dtype=dtype) / notnan.sum(dim, keepdim).to(input.dtype)


class Prod(Op):
    save_inputs = (0,)
    save_output = True

    @staticmethod
    def forward(ctx, x, axis, keepdim, np_dtype):
        ctx.args = (x.shape, axis, keepdim)
        return _xp(x).prod(x, axis=axis, keepdims=keepdim, dtype=np_dtype)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        shape, axis, keepdim = ctx.args
        axes = tuple(range(len(shape))) if axis is None else (axis,)
        # exact also when x has zeros: product of all the other elements, via exclusive cumprods
        if axis is None:
            flat = x.reshape(-1)
            others = _prod_of_others(flat, 0).reshape(shape)
            return _expand_back(grad, shape, axes, keepdim) * others, None, None, None
        others = _prod_of_others(x, axis)
        return _expand_back(grad, shape, axes, keepdim) * others, None, None, None


def _prod_of_others(x, dim):
    """For each element, the product of the other elements along ``dim`` (no division, so zeros are fine)."""
    n = x.shape[dim]
    if n == 0:
        return x
    ones_shape = list(x.shape)
    ones_shape[dim] = 1
    one = x.new_ones(tuple(ones_shape))
    left = cat_([one, x.narrow(dim, 0, n - 1)], dim).cumprod(dim)
    right = cat_([x.narrow(dim, 1, n - 1), one], dim).flip(dim).cumprod(dim).flip(dim)
    return left * right


def cat_(ts, dim):
    from .shape import cat
    return cat(ts, dim)


def prod(input, dim=None, keepdim=False, *, dtype=None):
    if dtype is not None:
        input = input.to(dtype)
    d = input._data
    np_dtype = np.int64 if d.dtype.kind in "biu" else None
    axis = None if dim is None else wrap_dim(dim, d.ndim)
    if d.ndim == 0:
        axis = None
    res = Prod.apply(input, axis, keepdim if dim is not None else False, np_dtype)
    return res if dim is None else present_as(res, "ProdBackward1")


def sum_to_size(input, *size):
    """Sum broadcast dims away so the result has ``size`` (the inverse of ``expand``)."""
    if len(size) == 1 and not isinstance(size[0], int):
        size = tuple(size[0])
    shape = input._data.shape
    if tuple(size) == shape:
        return input
    lead = len(shape) - len(size)
    if lead < 0:
        raise RuntimeError(f"size {{{list(size)}}} is not expandable to size {{{list(shape)}}}.")
    axes = list(range(lead))
    for i, s in enumerate(size):
        if s == 1 and shape[lead + i] != 1:
            axes.append(lead + i)
        elif s != shape[lead + i]:
            raise RuntimeError(f"size {{{list(size)}}} is not expandable to size {{{list(shape)}}}.")
    out = Sum.apply(input, tuple(axes), True, None) if axes else input
    if lead:
        out = out.reshape(tuple(size))
    return out


# ----------------------------------------------------------------------------------------------------------
# max / min family
# ----------------------------------------------------------------------------------------------------------

class MaxMin(Op):
    """Full reduction: the gradient is shared equally among the tied extremes, as torch does."""

    save_inputs = (0,)
    save_output = True

    @staticmethod
    def forward(ctx, x, axes, keepdim, is_max):
        ctx.args = (x.shape, axes, keepdim)
        xp = _xp(x)
        return (xp.max if is_max else xp.min)(x, axis=axes, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        shape, axes, keepdim = ctx.args
        out = _expand_back(ctx.saved_output, shape, axes, keepdim)
        mask = (x == out).to(grad.dtype)
        count = _expand_back(mask.sum(axes, keepdim=True), shape, axes, True)
        return _expand_back(grad, shape, axes, keepdim) * mask / count, None, None, None


class MaxMinDim(Op):
    """Reduction along one dim returning (values, indices); the gradient goes to the first extreme."""

    @staticmethod
    def forward(ctx, x, dim, keepdim, is_max):
        xp = _xp(x)
        if x.ndim == 0:
            ctx.args = (x.shape, dim, keepdim, xp.zeros((), np.int64))
            return x.copy(), xp.zeros((), np.int64)
        if x.shape[dim] == 0:
            raise IndexError(f"{'max' if is_max else 'min'}(): Expected reduction dim {dim} to have non-zero size.")
        idx = (xp.argmax if is_max else xp.argmin)(x, axis=dim)   # NumPy points at the first NaN, as torch
        idx = xp.expand_dims(idx, dim)
        vals = xp.take_along_axis(x, idx, dim)
        if not keepdim:
            vals, idx = vals.squeeze(dim), idx.squeeze(dim)
        ctx.args = (x.shape, dim, keepdim, idx)
        return vals, idx.astype(np.int64)

    @staticmethod
    def backward(ctx, grad, _grad_idx=None):
        shape, dim, keepdim, idx = ctx.args
        return _index_grad(grad, shape, dim, keepdim, idx), None, None, None


def _index_grad(grad, shape, dim, keepdim, idx):
    """Scatter a gradient of selected (values, indices) back to the input's positions."""
    from .index import ScatterAdd
    if len(shape) == 0:
        return grad
    if not keepdim:
        grad = grad.unsqueeze(dim)
        idx = np.expand_dims(idx, dim)
    zeros = _wrap(np.zeros(shape, dtype=grad._data.dtype)) if type(grad._data) is np.ndarray else \
        grad.new_zeros(shape)
    return ScatterAdd.apply(zeros, dim, idx, grad)


def _zeros_for_output(node, i):  # used by the engine for unused outputs of multi-output ops
    raise RuntimeError("internal: multi-output op without materialized zeros")


def max(input, dim=None, keepdim=False, *, out=None):
    if isinstance(dim, Tensor):
        from .arith import maximum
        return maximum(input, dim)
    if dim is None:
        _check_nonempty("max", input, None)
        if input._data.dtype.kind == "f" and _xp(input._data).isnan(input._data).any():
            return _wrap(np.asarray(np.nan, dtype=input._data.dtype)) + input.sum() * 0
        return present_as(MaxMin.apply(input, None, False, True), "MaxBackward1")
    v, i = MaxMinDim.apply(input, wrap_dim(dim, input._data.ndim), keepdim, True)
    return _max_t(present_as(v, "MaxBackward0"), i)


def min(input, dim=None, keepdim=False, *, out=None):
    if isinstance(dim, Tensor):
        from .arith import minimum
        return minimum(input, dim)
    if dim is None:
        _check_nonempty("min", input, None)
        if input._data.dtype.kind == "f" and _xp(input._data).isnan(input._data).any():
            return _wrap(np.asarray(np.nan, dtype=input._data.dtype)) + input.sum() * 0
        return present_as(MaxMin.apply(input, None, False, False), "MinBackward1")
    v, i = MaxMinDim.apply(input, wrap_dim(dim, input._data.ndim), keepdim, False)
    return _min_t(present_as(v, "MinBackward0"), i)


def amax(input, dim=(), keepdim=False):
    _check_nonempty("amax", input, dim)
    axes = _axes(dim if dim != () else None, input._data.ndim) or None
    return present_as(MaxMin.apply(input, axes, keepdim, True), "AmaxBackward0")


def amin(input, dim=(), keepdim=False):
    _check_nonempty("amin", input, dim)
    axes = _axes(dim if dim != () else None, input._data.ndim) or None
    return present_as(MaxMin.apply(input, axes, keepdim, False), "AminBackward0")


def aminmax(input, *, dim=None, keepdim=False):
    return _aminmax_t(amin(input, dim if dim is not None else (), keepdim),
                      amax(input, dim if dim is not None else (), keepdim))


def _check_arg(name, input, dim):
    if input._data.dtype == np.bool_:
        raise RuntimeError(f"{name}(): does not support bool input")
    _check_nonempty(name, input, dim)
    if dim is not None:
        wrap_dim(dim, input._data.ndim)


def argmax(input, dim=None, keepdim=False):
    _check_arg("argmax", input, dim)
    d = input._data
    xp = _xp(d)
    if dim is None:
        r = xp.argmax(d.reshape(-1) if d.ndim else d.reshape(1))
        return _wrap(xp.asarray(r, dtype=np.int64).reshape((1,) * d.ndim if keepdim else ()))
    return max(input, dim, keepdim)[1] if d.ndim else _wrap(xp.zeros((), np.int64))


def argmin(input, dim=None, keepdim=False):
    _check_arg("argmin", input, dim)
    d = input._data
    xp = _xp(d)
    if dim is None:
        r = xp.argmin(d.reshape(-1) if d.ndim else d.reshape(1))
        return _wrap(xp.asarray(r, dtype=np.int64).reshape((1,) * d.ndim if keepdim else ()))
    return min(input, dim, keepdim)[1] if d.ndim else _wrap(xp.zeros((), np.int64))


# ----------------------------------------------------------------------------------------------------------
# statistics
# ----------------------------------------------------------------------------------------------------------

_REQUIRED = object()


def _correction(unbiased, correction):
    if correction is not None:
        return correction
    if unbiased is None:
        return 1
    return 1 if unbiased else 0


def _var_args(dim, unbiased, correction):
    # var(x, True) means unbiased=True in torch's old signature
    if isinstance(dim, bool):
        return None, dim
    return dim, unbiased


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return _var(input, dim, unbiased, keepdim, correction, "var")


def _var(input, dim, unbiased, keepdim, correction, name, var64=None):
    """var, warning as ``name`` (std, var_mean ...) when the correction leaves no degrees of freedom; ``var64``,
    a list, receives the float64 variance of a float32 input (``std`` takes its root in double)."""
    dim, unbiased = _var_args(dim, unbiased, correction)
    c = _correction(unbiased, correction)
    x = float_like(input)
    axes = _axes(dim, x._data.ndim)
    n = 1
    for a in axes:
        n *= x._data.shape[a]
    if n - c <= 0:
        import warnings
        warnings.warn(f"{name}(): degrees of freedom is <= 0. Correction should be strictly less than the "
                      "reduction factor (input numel divided by output numel).", UserWarning, stacklevel=3)
    mu = mean(x, axes if dim is not None else None, keepdim=True)
    dev = x - mu
    sq = (dev * dev.conj()).real if x.is_complex() else dev * dev
    s = sum(sq, axes if dim is not None else None, keepdim)
    res = present_as(s / builtins.max(n - c, 0), "VarBackward0", input)
    d = x._data
    if type(d) is np.ndarray and d.dtype == np.float32 and d.size:
        # torch computes a float32 variance in double (the mean of a full reduction from its float32 mean):
        # the graph above gives the gradient, this its exact value (``std`` takes the root in double too)
        if dim is None:
            m = np.float64(mu._data.reshape(()))
        else:
            m = d.mean(axis=axes, keepdims=True, dtype=np.float64)
        dev64 = d.astype(np.float64) - m
        with np.errstate(divide="ignore", invalid="ignore"):
            v64 = np.sum(dev64 * dev64, axis=axes if dim is not None else None, keepdims=keepdim) / builtins.max(n - c, 0)
        np.copyto(res._data, v64, casting="unsafe")
        if var64 is not None:
            var64.append(v64)
    return res


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    v64 = []
    v = _var(input, dim, unbiased, keepdim, correction, "std", v64)
    return present_as(_exact_root(_SafeSqrt.apply(v), v64), "StdBackward0", input)


def _exact_root(out, v64):
    """The root of a float32 variance taken in double, as torch does."""
    if v64:
        np.copyto(out._data, np.sqrt(v64[0]), casting="unsafe")
    return out


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    dim2, _ = _var_args(dim, unbiased, correction)
    v = _var(input, dim, unbiased, keepdim, correction, "var_mean")
    return v, mean(float_like(input), dim2, keepdim)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    dim2, _ = _var_args(dim, unbiased, correction)
    v64 = []
    v = _var(input, dim, unbiased, keepdim, correction, "std_mean", v64)
    return present_as(_exact_root(_SafeSqrt.apply(v), v64), "StdBackward0"), mean(float_like(input), dim2, keepdim)


def logsumexp(input, dim=_REQUIRED, keepdim=False):
    if dim is _REQUIRED:
        raise TypeError('logsumexp() missing 1 required positional arguments: "dim"')
    x = float_like(input)
    if dim is None or dim == ():
        dim = tuple(range(x.ndim))
    axes = _axes(dim, x._data.ndim)
    if x._data.size == 0:     # log(0) = -inf over empty dims; amax has no identity to start from
        out = x.exp().sum(axes, keepdim=True).log()
        return out if keepdim else out.squeeze(axes) if axes else out
    m = amax(x, axes, keepdim=True).detach()
    m = m.masked_fill(m.isinf(), 0.0)
    out = (x - m).exp().sum(axes, keepdim=True).log() + m
    return present_as(out if keepdim else out.squeeze(axes) if axes else out, "LogsumexpBackward0", input)


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    return present_as(_vector_norm(x, ord, dim, keepdim, dtype), "LinalgVectorNormBackward0", x)


def _vector_norm(x, ord, dim, keepdim, dtype):
    if dtype is not None:
        x = x.to(dtype)
    if x._data.dtype.kind not in "fcV":
        from .inplace import _tname
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
                           f"{_tname(x._data.dtype)}")
    a = x.abs()
    if dim is not None and not isinstance(dim, (list, tuple)):
        dim = (dim,)
    if ord in (float("inf"), float("-inf")) and x._data.size == 0 and builtins.any(
            x._data.shape[i] == 0 for i in _axes(dim, x._data.ndim)):
        raise RuntimeError(f"linalg.vector_norm cannot compute the {ord} norm on an empty tensor because the "
                           "operation does not have an identity")
    if ord == float("inf"):
        return amax(a, dim if dim is not None else (), keepdim)
    if ord == float("-inf"):
        return amin(a, dim if dim is not None else (), keepdim)
    if ord == 0:   # counts non-zeros; sign keeps the (zero) gradient connected, as torch does
        nan = _wrap(_xp(a._data).isnan(a._data).astype(a._data.dtype))   # NaN counts, but sign(NaN) is 0
        return (a.sign() + nan).sum(dim, keepdim)
    if ord == 1:
        return a.sum(dim, keepdim)
    if ord == 2:
        sq = a * a
        s = sq.sum(dim, keepdim)
        return _SafeSqrt.apply(s)
    return (a ** ord).sum(dim, keepdim) ** (1.0 / ord)


class _SafeSqrt(Op):
    """sqrt whose gradient at 0 is 0 (the subgradient torch's norm uses), not inf."""

    save_output = True

    @staticmethod
    def forward(ctx, x):
        return _xp(x).sqrt(x)

    @staticmethod
    def backward(ctx, grad):
        out = ctx.saved_output
        return (grad / (2 * out)).masked_fill(out == 0, 0.0)


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    if p == "fro" or p is None:
        p = 2
    if p == "nuc":
        from . import linalg
        return linalg.matrix_norm(input, "nuc", dim if dim is not None else (-2, -1), keepdim)
    return vector_norm(input, p, dim, keepdim, dtype=dtype)


def dist(input, other, p=2):
    return vector_norm(input - other, p)


def renorm(input, p, dim, maxnorm):
    d = wrap_dim(dim, input.ndim)
    others = tuple(i for i in range(input.ndim) if i != d)
    norms = vector_norm(input, p, others, keepdim=True)
    factor = (maxnorm / (norms + 1e-7)).where(norms > maxnorm, 1.0)
    return input * factor.detach() if False else input * factor


def all(input, dim=None, keepdim=False):
    d = input._data
    xp = _xp(d)
    if dim is None:
        return _wrap(xp.asarray(xp.all(d)))
    axes = _axes(dim, d.ndim) or None
    return _wrap(xp.asarray(xp.all(d, axis=axes, keepdims=keepdim)))


def any(input, dim=None, keepdim=False):
    d = input._data
    xp = _xp(d)
    if dim is None:
        return _wrap(xp.asarray(xp.any(d)))
    axes = _axes(dim, d.ndim) or None
    return _wrap(xp.asarray(xp.any(d, axis=axes, keepdims=keepdim)))


def count_nonzero(input, dim=None):
    d = input._data
    xp = _xp(d)
    axes = None if dim is None else (_axes(dim, d.ndim) or None)
    return _wrap(xp.asarray(xp.count_nonzero(d, axis=axes), dtype=np.int64))


# ----------------------------------------------------------------------------------------------------------
# scans
# ----------------------------------------------------------------------------------------------------------

class Cumsum(Op):
    @staticmethod
    def forward(ctx, x, dim, np_dtype):
        ctx.dim = dim
        return _xp(x).cumsum(x, axis=dim, dtype=np_dtype)

    @staticmethod
    def backward(ctx, grad):
        d = ctx.dim
        return grad.flip(d).cumsum(d).flip(d), None, None


def cumsum(input, dim, *, dtype=None):
    if dtype is not None:
        input = input.to(dtype)
    d = input._data
    np_dtype = np.int64 if d.dtype.kind in "biu" else None
    if d.ndim == 0:
        return input.clone() if np_dtype is None else input.to(_dt.int64)
    return Cumsum.apply(input, wrap_dim(dim, d.ndim), np_dtype)


def cumprod(input, dim, *, dtype=None):
    if dtype is not None:
        input = input.to(dtype)
    d = input._data
    dim = wrap_dim(dim, d.ndim)
    if d.ndim == 0 or d.size == 0:
        return input.clone() if d.dtype.kind not in "biu" else input.to(_dt.int64)
    return _Cumprod.apply(input, dim)


class _Cumprod(Op):
    _grad_name = "CumprodBackward0"
    save_inputs = (0,)
    save_output = True

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        return _xp(x).cumprod(x, axis=dim, dtype=np.int64 if x.dtype.kind in "biu" else None)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        dim = ctx.dim
        n = x.shape[dim]
        # d out_j / d x_i = prod_{k<=j, k!=i} x_k : built from exclusive products, exact with zeros
        outs = []
        for i in range(n):
            xi_one = x.narrow(dim, i, 1)
            replaced = cat_([x.narrow(dim, 0, i), xi_one * 0 + 1, x.narrow(dim, i + 1, n - i - 1)], dim)
            cp = replaced.cumprod(dim)
            g = (grad * cp).narrow(dim, i, n - i).sum(dim, keepdim=True)
            outs.append(g)
        return cat_(outs, dim), None


def _cum_extreme(input, dim, is_max):
    d = input._data
    dim = wrap_dim(dim, builtins.max(d.ndim, 1))
    if d.ndim == 0:
        return (_cummax_t if is_max else _cummin_t)(input.clone(), _wrap(np.zeros((), np.int64)))
    xp = _xp(d)
    acc = (xp.maximum if is_max else xp.minimum).accumulate(d, axis=dim)
    n = d.shape[dim]
    ar = xp.arange(n).reshape([-1 if i == dim else 1 for i in range(d.ndim)])
    hit = (d == acc)
    if d.dtype.kind == "f":
        hit |= xp.isnan(d)
    idx = xp.maximum.accumulate(xp.where(hit, ar, 0), axis=dim).astype(np.int64)
    vals = input.gather(dim, _wrap(idx))
    return (_cummax_t if is_max else _cummin_t)(vals, _wrap(idx))


def cummax(input, dim):
    return _cum_extreme(input, dim, True)


def cummin(input, dim):
    return _cum_extreme(input, dim, False)


def logcumsumexp(input, dim):
    x = float_like(input)
    m = x.detach().max() if x.numel() else 0.0
    m = 0.0 if isinstance(m, Tensor) and m.isinf().item() else m
    return (x - m).exp().cumsum(dim).log() + m


# ----------------------------------------------------------------------------------------------------------
# sorting and selection
# ----------------------------------------------------------------------------------------------------------

def sort(input, dim=-1, descending=False, stable=False, *, out=None):
    d = input._data
    xp = _xp(d)
    if d.ndim == 0:
        return _sort_t(input.clone(), _wrap(xp.zeros((), np.int64)))
    dim = wrap_dim(dim, d.ndim)
    if descending:
        # stable descending order: sort the reversed array ascending, then map indices back
        src = d
        key = -src if src.dtype.kind in "fi" else src
        if src.dtype.kind in "fi":
            idx = xp.argsort(key, axis=dim, kind="stable")
            if src.dtype.kind == "f":  # NaN sorts first in descending order, as in torch
                nan = xp.isnan(xp.take_along_axis(src, idx, dim))
                order = xp.argsort(~nan, axis=dim, kind="stable")
                idx = xp.take_along_axis(idx, order, dim)
        else:
            n = src.shape[dim]
            rev = xp.flip(src, dim)
            idx = n - 1 - xp.flip(xp.argsort(rev, axis=dim, kind="stable"), dim)
    else:
        idx = xp.argsort(d, axis=dim, kind="stable")
    idx = idx.astype(np.int64)
    return _sort_t(present_as(input.gather(dim, _wrap(idx)), "SortBackward0"), _wrap(idx))


def argsort(input, dim=-1, descending=False, stable=False):
    return sort(input, dim, descending, stable).indices


def msort(input):
    return sort(input, 0).values


def topk(input, k, dim=-1, largest=True, sorted=True):
    d = input._data
    dim = wrap_dim(dim, builtins.max(d.ndim, 1))
    n = d.shape[dim] if d.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError("selected index k out of range")
    s = sort(input, dim, descending=largest, stable=True)
    values = present_as(s.values.narrow(dim, 0, k) if d.ndim else s.values, "TopkBackward0")
    return _topk_t(values, s.indices.narrow(dim, 0, k) if d.ndim else s.indices)


def kthvalue(input, k, dim=-1, keepdim=False):
    d = input._data
    dim = wrap_dim(dim, builtins.max(d.ndim, 1))
    n = d.shape[dim] if d.ndim else 1
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {dim}")
    if d.ndim == 0:
        return _kth_t(input.clone(), _wrap(_xp(d).zeros((), np.int64)))
    s = sort(input, dim, stable=True)
    v, i = s.values.select(dim, k - 1), s.indices.select(dim, k - 1)
    if keepdim:
        v, i = v.unsqueeze(dim), i.unsqueeze(dim)
    return _kth_t(present_as(v, "KthvalueBackward0"), i)


def median(input, dim=None, keepdim=False):
    d = input._data
    if dim is None and d.size == 0:   # torch: nan for floats, the smallest value for integers
        if d.dtype.kind in "fV":
            return input.sum() * 0 + float("nan")
        fill = np.iinfo(d.dtype).min if d.dtype.kind in "iu" else False
        return _wrap(_xp(d).full((), fill, dtype=d.dtype))
    if dim is not None and d.ndim == 0:
        wrap_dim(dim, 0)
        return _median_t(input.clone(), _wrap(_xp(d).zeros((), np.int64)))
    if dim is None:
        flat = input.reshape(-1)
        n = flat.shape[0]
        s = sort(flat, 0, stable=True)
        if d.dtype.kind == "f" and np.isnan(input._host()).any():
            return present_as(flat[int(np.argmax(np.isnan(input._host().reshape(-1))))], "MedianBackward0")
        return present_as(s.values[(n - 1) // 2], "MedianBackward0")
    dim = wrap_dim(dim, builtins.max(d.ndim, 1))
    n = d.shape[dim] if d.ndim else 1
    s = sort(input, dim, stable=True)
    v, i = s.values.select(dim, (n - 1) // 2), s.indices.select(dim, (n - 1) // 2)
    if keepdim:
        v, i = v.unsqueeze(dim), i.unsqueeze(dim)
    return _median_t(present_as(v, "MedianBackward1"), i)


def nanmedian(input, dim=None, keepdim=False):
    return median(input, dim, keepdim)


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    x = input.reshape(-1) if dim is None else input
    dim = 0 if dim is None else wrap_dim(dim, input.ndim)
    s = sort(x, dim).values
    n = s.shape[dim]
    qs = q if isinstance(q, Tensor) else None
    qv = q._host().reshape(-1).tolist() if isinstance(q, Tensor) else ([q] if not isinstance(q, (list, tuple))
                                                                       else list(q))
    outs = []
    for qq in qv:
        if not 0 <= qq <= 1:
            raise RuntimeError("quantile() q values must be in the range [0, 1]")
        pos = qq * (n - 1)
        lo, hi = int(np.floor(pos)), int(np.ceil(pos))
        a, b = s.select(dim, lo), s.select(dim, hi)
        frac_ = pos - lo
        if interpolation == "linear":
            r = a + (b - a) * frac_
        elif interpolation == "lower":
            r = a
        elif interpolation == "higher":
            r = b
        elif interpolation == "midpoint":
            r = (a + b) / 2
        else:
            r = s.select(dim, int(np.round(pos)))
        if keepdim:
            r = r.unsqueeze(dim)
        outs.append(r)
    from .shape import stack
    if (qs is not None and qs.ndim == 0) or (qs is None and not isinstance(q, (list, tuple))):
        return outs[0]
    return stack(outs, 0)


def mode(input, dim=-1, keepdim=False):
    d = input._host()
    dim = wrap_dim(dim, d.ndim)
    if d.ndim == 0:
        return _mode_t(input.clone(), _wrap(np.zeros((), np.int64)))
    if d.shape[dim] == 0:
        raise IndexError(f"mode(): Expected reduction dim {dim} to have non-zero size.")
    moved = np.moveaxis(d, dim, -1)
    flat = moved.reshape(-1, moved.shape[-1])
    vals, idxs = [], []
    for row in flat:
        u, c = np.unique(row, return_counts=True)
        best = u[np.argmax(c)]          # smallest of the most frequent values
        vals.append(best)
        idxs.append(np.nonzero(row == best)[0][-1])
    v = np.array(vals, dtype=d.dtype).reshape(moved.shape[:-1])
    i = np.array(idxs, dtype=np.int64).reshape(moved.shape[:-1])
    if keepdim:
        v, i = np.expand_dims(v, dim), np.expand_dims(i, dim)
    return _mode_t(_wrap(v), _wrap(i))


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    d = input._host()
    if dim is not None and builtins.any(s == 0 for i, s in enumerate(d.shape) if i != wrap_dim(dim, d.ndim)):
        raise RuntimeError("There are 0 sized dimensions, and they aren't selected, so unique cannot be applied")
    if dim is None:
        u, inv, cnt = np.unique(d.reshape(-1), return_inverse=True, return_counts=True)
        inv = inv.reshape(d.shape)
    else:
        u, inv, cnt = np.unique(d, return_inverse=True, return_counts=True, axis=dim)
    out = [_wrap(u.astype(d.dtype))]
    if return_inverse:
        out.append(_wrap(inv.astype(np.int64).reshape(d.shape if dim is None else -1)))
    if return_counts:
        out.append(_wrap(cnt.astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    d = input._host().reshape(-1) if dim is None else input._host()
    if d.size == 0:
        keep = np.zeros(0, bool)
    else:
        keep = np.concatenate([[True], d[1:] != d[:-1]])
    u = d[keep]
    out = [_wrap(u)]
    if return_inverse:
        out.append(_wrap((np.cumsum(keep) - 1).astype(np.int64).reshape(input.shape)))
    if return_counts:
        starts = np.nonzero(keep)[0]
        out.append(_wrap(np.diff(np.append(starts, d.size)).astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


def diff(input, n=1, dim=-1, prepend=None, append=None):
    from .shape import cat
    x = input
    if prepend is not None:
        x = cat([prepend, x], dim)
    if append is not None:
        x = cat([x, append], dim)
    for _ in range(n):
        size = x.shape[dim]
        x = x.narrow(dim, 1, size - 1) - x.narrow(dim, 0, size - 1) if x.dtype is not _dt.bool else \
            x.narrow(dim, 1, size - 1) ^ x.narrow(dim, 0, size - 1)
    return x


def cross(input, other, dim=None):
    if dim is None:
        dim = next(i for i, s in enumerate(input.shape) if s == 3)
    a = [input.select(dim, i) for i in range(3)]
    b = [other.select(dim, i) for i in range(3)]
    from .shape import stack
    return stack([a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]], dim)


def histc(input, bins=100, min=0, max=0):
    d = input._host()
    lo, hi = float(min), float(max)
    if lo == hi:
        lo, hi = float(d.min()), float(d.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    h, _ = np.histogram(d, bins=bins, range=(lo, hi))
    return _wrap(h.astype(d.dtype))


def bincount(input, weights=None, minlength=0):
    d = input._host()
    w = weights._host() if weights is not None else None
    r = np.bincount(d, w, minlength)
    return _wrap(r.astype(np.int64 if w is None else w.dtype))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    if isinstance(other, Tensor):
        if other.dtype is not input.dtype:
            from .inplace import _tname
            raise RuntimeError(f"{_tname(input._data.dtype)} did not match {_tname(other._data.dtype)}")
        _check_broadcast(input._data.shape, other._data.shape)
    o = other._data if isinstance(other, Tensor) else other
    return _wrap(np.asarray(_xp(input._data).isclose(input._data, o, rtol=rtol, atol=atol, equal_nan=equal_nan)))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return bool(isclose(input, other, rtol, atol, equal_nan).all())


def _check_broadcast(a, b):
    """torch's message for shapes that do not broadcast."""
    n = builtins.max(len(a), len(b))
    pa, pb = (1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)
    for i in builtins.range(n - 1, -1, -1):
        if pa[i] != pb[i] and pa[i] != 1 and pb[i] != 1:
            raise RuntimeError(f"The size of tensor a ({pa[i]}) must match the size of tensor b ({pb[i]}) at "
                               f"non-singleton dimension {i}")


def equal(input, other):
    return input.shape == other.shape and bool((input._data == other._data).all())


def cdist(x1, x2, p=2.0):
    diff_ = x1.unsqueeze(-2) - x2.unsqueeze(-3)
    return vector_norm(diff_, p, dim=-1)


def _out(result, out):
    if out is None:
        return result
    from .inplace import copy_into_out
    return copy_into_out(out, result)


from .softmax import LogSoftmax, Softmax, log_softmax, softmax  # noqa: E402,F401 (torch.softmax lives here too)

# torch also takes NumPy's axis= / keepdims= on these
for _name in ("sum", "mean", "nansum", "nanmean", "prod", "max", "min", "amax", "amin", "argmax", "argmin", "var",
              "std", "var_mean", "std_mean", "logsumexp", "all", "any", "count_nonzero", "cumsum", "cumprod",
              "cummax", "cummin", "logcumsumexp", "median", "nanmedian", "mode", "sort", "argsort", "topk",
              "kthvalue", "quantile", "aminmax", "diff", "softmax", "log_softmax"):
    globals()[_name] = numpy_spellings(globals()[_name])
del _name
