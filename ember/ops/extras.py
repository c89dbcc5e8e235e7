"""torch's remaining top-level names and Tensor methods: aliases, legacy spellings and small composites
(window functions, ``isin``, ``logaddexp``, ``cov``, ``trapezoid``, ``view_as_real`` ...), each built from the
primitives in the other op files.  Binding them here keeps those files about one family each."""
from __future__ import annotations

import builtins
import math

import numpy as np

from .. import _dtype as _dt
from ..tensor import Tensor, _wrap
from . import arith, compare, index, linalg, products, shape, unary
from ._util import float_like, result_dtype, wrap_dim
from .inplace import make_inplace

__all__ = ["logaddexp", "logaddexp2", "heaviside", "isin", "isreal", "is_signed", "is_same_size", "is_conj",
           "is_neg", "split_with_sizes", "hsplit", "vsplit", "dsplit", "diagflat", "cov", "corrcoef", "gcd", "lcm",
           "frexp", "trapezoid", "trapz", "cumulative_trapezoid", "view_as_real", "view_as_complex",
           "unravel_index", "row_stack", "histogram", "inverse", "det", "logdet", "slogdet", "pinverse",
           "matrix_power", "matrix_exp", "svd", "qr", "cholesky", "cholesky_solve", "cholesky_inverse", "lu",
           "hann_window", "hamming_window", "blackman_window", "bartlett_window", "kaiser_window", "nanquantile",
           "diagonal_scatter", "select_scatter", "slice_scatter", "fill", "zero_", "detach", "nextafter",
           "get_default_device", "set_default_device", "is_inference", "polygamma", "mvlgamma",
           "index_reduce", "put", "nuclear_norm", "frobenius_norm", "detach_", "igamma", "igammac",
           "narrow_copy"]


def logaddexp(input, other):
    """log(exp(a) + exp(b)) without overflow."""
    m = arith.maximum(input, other).detach()
    m = m.masked_fill(m.isinf(), 0.0)
    return ((input - m).exp() + (other - m).exp()).log() + m


def logaddexp2(input, other):
    return logaddexp(input * math.log(2.0), other * math.log(2.0)) / math.log(2.0)


def heaviside(input, values):
    z = input == 0
    pos = (input > 0).to(input.dtype)
    return shape.where(z, values.to(input.dtype) if isinstance(values, Tensor) else values, pos)


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    e = elements._host() if isinstance(elements, Tensor) else np.asarray(elements)
    t = test_elements._host() if isinstance(test_elements, Tensor) else np.asarray(test_elements)
    return _wrap(np.asarray(np.isin(e, t, invert=invert)))


def isreal(input):
    if input.is_complex():
        return _wrap(np.asarray(input._host().imag == 0))
    return _wrap(np.ones(input.shape, dtype=bool))


def is_signed(input):
    return input.dtype.is_signed


def is_same_size(input, other):
    return input.shape == other.shape


def is_conj(input):
    return False


def is_neg(input):
    return False


def split_with_sizes(input, split_sizes, dim=0):
    return shape.split(input, list(split_sizes), dim)


def _nsplit(input, sections, dim, name, min_dim):
    if input.ndim < min_dim:
        raise RuntimeError(f"torch.{name} requires a tensor with at least {min_dim} dimension, but got a tensor with "
                           f"{input.ndim} dimensions!")
    if isinstance(sections, int) and input.shape[dim] % sections:
        raise RuntimeError(f"torch.{name} attempted to split along dimension {dim}, but the size of the dimension "
                           f"{input.shape[dim]} is not divisible by the split_size {sections}!")
    return shape.tensor_split(input, sections, dim)


def hsplit(input, sections):
    return _nsplit(input, sections, 1 if input.ndim > 1 else 0, "hsplit", 1)


def vsplit(input, sections):
    return _nsplit(input, sections, 0, "vsplit", 2)


def dsplit(input, sections):
    return _nsplit(input, sections, 2, "dsplit", 3)


def diagflat(input, offset=0):
    return shape.diag_embed(input.reshape(-1), offset)


def cov(input, *, correction=1, fweights=None, aweights=None):
    x = float_like(input)
    x = x.reshape(1, -1) if x.ndim == 1 else x
    n = x.shape[1]
    w = None
    if fweights is not None:
        w = fweights.to(x.dtype)
    if aweights is not None:
        w = aweights.to(x.dtype) if w is None else w * aweights.to(x.dtype)
    if w is None:
        mean = x.mean(1, keepdim=True)
        xc = x - mean
        return (xc @ xc.mT.conj() if x.is_complex() else xc @ xc.mT) / max(n - correction, 0)
    wsum = w.sum()
    mean = (x * w).sum(1, keepdim=True) / wsum
    xc = x - mean
    if correction == 0:
        norm = wsum
    elif aweights is None:
        norm = wsum - correction
    else:
        norm = wsum - correction * (w * aweights.to(x.dtype)).sum() / wsum
    return (xc * w) @ xc.mT / norm


def corrcoef(input):
    c = cov(input)
    if c.ndim == 0:
        return c / c
    d = shape.diagonal(c)
    std = d.sqrt()
    return (c / std.unsqueeze(1) / std.unsqueeze(0)).clamp(-1, 1)


def gcd(input, other):
    return _wrap(np.gcd(input._host(), other._host() if isinstance(other, Tensor) else other))


def lcm(input, other):
    return _wrap(np.lcm(input._host(), other._host() if isinstance(other, Tensor) else other))


def frexp(input):
    m, e = np.frexp(input._host())
    from .reduce import _named
    return _named("frexp", ("mantissa", "exponent"))(_wrap(m.astype(input._data.dtype)), _wrap(e.astype(np.int32)))


def nextafter(input, other):
    return _wrap(np.nextafter(input._host(), other._host()))


def trapezoid(y, x=None, *, dx=None, dim=-1):
    d = wrap_dim(dim, y.ndim)
    n = y.shape[d]
    if n == 0:
        return y.sum(d)
    left, right = y.narrow(d, 0, n - 1), y.narrow(d, 1, n - 1)
    if x is not None:
        xd = x.diff(dim=-1 if x.ndim == 1 else d)
        if x.ndim == 1:
            xd = xd.reshape([-1 if i == d else 1 for i in range(y.ndim)])
        return ((left + right) * xd).sum(d) / 2
    return (left + right).sum(d) * ((1.0 if dx is None else dx) / 2)


trapz = trapezoid


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    d = wrap_dim(dim, y.ndim)
    n = y.shape[d]
    left, right = y.narrow(d, 0, n - 1), y.narrow(d, 1, n - 1)
    if x is not None:
        xd = x.diff(dim=-1 if x.ndim == 1 else d)
        if x.ndim == 1:
            xd = xd.reshape([-1 if i == d else 1 for i in range(y.ndim)])
        return ((left + right) * xd / 2).cumsum(d)
    return ((left + right) * ((1.0 if dx is None else dx) / 2)).cumsum(d)


def view_as_real(input):
    if not input.is_complex():
        raise RuntimeError("view_as_real is only supported for complex tensors")
    real = unary.real(input)
    imag = unary.imag(input)
    return shape.stack([real, imag], -1)


def view_as_complex(input):
    if input.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    return input.select(-1, 0) + input.select(-1, 1) * 1j


def unravel_index(indices, shape_):
    idx = indices._host() if isinstance(indices, Tensor) else np.asarray(indices)
    return tuple(_wrap(np.asarray(a, dtype=np.int64)) for a in np.unravel_index(idx, tuple(shape_)))


def row_stack(tensors):
    return shape.vstack(tensors)


def histogram(input, bins=100, *, range=None, weight=None, density=False):
    from collections import namedtuple
    h_t = namedtuple("histogram", ["hist", "bin_edges"])
    b = bins._host() if isinstance(bins, Tensor) else bins
    h, edges = np.histogram(input._host(), bins=b, range=range,
                            weights=None if weight is None else weight._host(), density=density)
    return h_t(_wrap(h.astype(input._data.dtype)), _wrap(edges.astype(input._data.dtype)))


# ---- legacy linear-algebra spellings --------------------------------------------------------------------

def inverse(input):
    return linalg.inv(input)


def det(input):
    return linalg.det(input)


def logdet(input):
    return linalg.logdet(input)


def slogdet(input):
    return linalg.slogdet(input)


def pinverse(input, rcond=1e-15):
    return linalg.pinv(input, rtol=rcond)


def matrix_power(input, n):
    return linalg.matrix_power(input, n)


def matrix_exp(A):
    """exp(A) by scaling and squaring with a degree-18 Taylor series (differentiable through ember ops)."""
    norm = float(np.abs(A._host()).sum(-1).max()) if A.numel() else 0.0
    s = max(0, int(math.ceil(math.log2(norm))) + 1) if norm > 0.5 else 0
    X = A / (2 ** s)
    eye = _wrap(np.broadcast_to(np.eye(A.shape[-1], dtype=A._data.dtype), A.shape).copy())
    term, result = eye, eye
    for k in range(1, 19):
        term = products.matmul(term, X) / k
        result = result + term
    for _ in range(s):
        result = products.matmul(result, result)
    return result


def svd(input, some=True, compute_uv=True):
    from collections import namedtuple
    svd_t = namedtuple("svd", ["U", "S", "V"])
    U, S, Vh = linalg.svd(input, full_matrices=not some)
    if not compute_uv:
        return svd_t(U.new_zeros(U.shape), S, Vh.new_zeros(Vh.shape))
    return svd_t(U, S, Vh.mT.conj() if Vh.is_complex() else Vh.mT)


def qr(input, some=True):
    return linalg.qr(input, "reduced" if some else "complete")


def cholesky(input, upper=False):
    return linalg.cholesky(input, upper=upper)


def cholesky_solve(B, L, upper=False):
    A = L.mT @ L if upper else L @ L.mT
    return linalg.solve(A, B)


def cholesky_inverse(L, upper=False):
    A = L.mT @ L if upper else L @ L.mT
    return linalg.inv(A)


_lu_warned = False


def lu(A, pivot=True, get_infos=False):
    """Legacy ``torch.lu``: ``linalg.lu_factor_ex`` without raising, ``infos`` returned on request."""
    global _lu_warned
    if not _lu_warned:
        _lu_warned = True
        import warnings
        warnings.warn("torch.lu is deprecated in favor of torch.linalg.lu_factor / torch.linalg.lu_factor_ex and "
                      "will be removed in a future PyTorch release.\nLU, pivots = torch.lu(A, compute_pivots)\n"
                      "should be replaced with\nLU, pivots = torch.linalg.lu_factor(A, compute_pivots)\nand\n"
                      "LU, pivots, info = torch.lu(A, compute_pivots, get_infos=True)\nshould be replaced with\n"
                      "LU, pivots, info = torch.linalg.lu_factor_ex(A, compute_pivots)", UserWarning, stacklevel=2)
    LU, pivots, info = linalg.lu_factor_ex(A, pivot=pivot)
    return (LU, pivots, info) if get_infos else (LU, pivots)


def nuclear_norm(input, keepdim=False):
    return linalg.matrix_norm(input, "nuc", keepdim=keepdim)


def frobenius_norm(input, dim=(-2, -1), keepdim=False):
    return linalg.matrix_norm(input, "fro", dim, keepdim)


# ---- window functions -----------------------------------------------------------------------------------

def _window(n, periodic, fn, dtype, requires_grad):
    from .._creation import _finish
    if n == 0:
        return _finish(np.zeros(0), dtype or _dt.get_default_dtype(), None, requires_grad)
    if n == 1:
        return _finish(np.ones(1), dtype or _dt.get_default_dtype(), None, requires_grad)
    m = n + 1 if periodic else n
    k = np.arange(m, dtype=np.float64)
    w = fn(k, m)[:n]
    return _finish(w, dtype or _dt.get_default_dtype(), None, requires_grad)


def hann_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, requires_grad=False):
    return _window(window_length, periodic, lambda k, m: 0.5 - 0.5 * np.cos(2 * np.pi * k / (m - 1)), dtype,
                   requires_grad)


def hamming_window(window_length, periodic=True, alpha=0.54, beta=0.46, *, dtype=None, layout=None, device=None,
                   requires_grad=False):
    return _window(window_length, periodic, lambda k, m: alpha - beta * np.cos(2 * np.pi * k / (m - 1)), dtype,
                   requires_grad)


def blackman_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, requires_grad=False):
    return _window(window_length, periodic, lambda k, m: 0.42 - 0.5 * np.cos(2 * np.pi * k / (m - 1)) +
                   0.08 * np.cos(4 * np.pi * k / (m - 1)), dtype, requires_grad)


def bartlett_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, requires_grad=False):
    return _window(window_length, periodic, lambda k, m: 1 - np.abs(2 * k / (m - 1) - 1), dtype, requires_grad)


def kaiser_window(window_length, periodic=True, beta=12.0, *, dtype=None, layout=None, device=None,
                  requires_grad=False):
    return _window(window_length, periodic,
                   lambda k, m: np.i0(beta * np.sqrt(1 - (2 * k / (m - 1) - 1) ** 2)) / np.i0(beta), dtype,
                   requires_grad)


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    d = input._host()
    axis = None if dim is None else wrap_dim(dim, d.ndim)
    qv = q._host() if isinstance(q, Tensor) else np.asarray(q)
    r = np.nanquantile(d, qv, axis=axis, keepdims=keepdim, method=interpolation)
    return _wrap(np.asarray(r, dtype=d.dtype))


# ---- scatter-style writes -------------------------------------------------------------------------------

def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    out = input.clone()
    shape.diagonal(out, offset, dim1, dim2).copy_(src)
    return out


def select_scatter(input, src, dim, index):
    out = input.clone()
    out.select(dim, index).copy_(src)
    return out


def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    out = input.clone()
    d = wrap_dim(dim, input.ndim)
    key = (slice(None),) * d + (slice(start, end, step),)
    out[key] = src
    return out


def index_reduce(input, dim, index, source, reduce_, *, include_self=True):
    d = wrap_dim(dim, input.ndim)
    idx_shape = [1] * source.ndim
    idx_shape[d] = -1
    full_index = index.reshape(idx_shape).expand(source.shape)
    red = {"prod": "prod", "mean": "mean", "amax": "amax", "amin": "amin"}[reduce_]
    return index_mod.scatter_reduce(input, d, full_index, source, red, include_self=include_self)


index_mod = index


def put(input, index_, source, accumulate=False):
    flat = input.reshape(-1).clone()
    out = index.index_put(flat, (index_.reshape(-1),), source.reshape(-1), accumulate)
    return out.reshape(input.shape)


# ---- small utilities ------------------------------------------------------------------------------------

def fill(input, value):
    return input.clone().fill_(value)


def zero_(input):
    return input.zero_()


def detach(input):
    return input.detach()


def detach_(input):
    return input.detach_()


def is_inference(input):
    return input.is_inference()


def get_default_device():
    from ..device import CPU
    return _default_device[0] or CPU


_default_device = [None]


def set_default_device(device):
    from ..device import as_device
    d = as_device(device) if device is not None else None
    if d is not None and d.type != "cpu":
        raise RuntimeError("ember: set_default_device supports 'cpu' only; create tensors on cpu and move them "
                           "with .to(device)")
    _default_device[0] = d


def polygamma(n, input, *, out=None):
    from .gamma_fns import polygamma as _polygamma
    return _polygamma(n, input, out=out)


def mvlgamma(input, p):
    x = float_like(input)
    out = x * 0 + p * (p - 1) / 4 * math.log(math.pi)
    for j in range(p):
        out = out + unary.lgamma(x - j / 2)
    return out


from .gamma_fns import igamma, igammac  # noqa: E402  (the incomplete gamma functions live with lgamma)


def narrow_copy(input, dim, start, length):
    return shape.narrow(input, dim, start, length).clone()


# ---- methods --------------------------------------------------------------------------------------------

for _name in ("logaddexp", "logaddexp2", "heaviside", "isreal", "is_signed", "is_same_size", "is_conj", "is_neg",
              "split_with_sizes", "hsplit", "vsplit", "dsplit", "diagflat", "cov", "corrcoef", "gcd", "lcm", "frexp",
              "nextafter", "inverse", "det", "logdet", "slogdet", "pinverse", "matrix_power", "matrix_exp", "svd",
              "qr", "cholesky", "cholesky_solve", "cholesky_inverse", "lu", "nanquantile", "diagonal_scatter",
              "select_scatter", "slice_scatter", "index_reduce", "put", "polygamma", "mvlgamma", "igamma",
              "igammac", "narrow_copy", "histogram"):
    if not hasattr(Tensor, _name):
        setattr(Tensor, _name, globals()[_name])
Tensor.polygamma = lambda self, n: polygamma(n, self)
Tensor.isin = lambda self, test_elements, **kw: isin(self, test_elements, **kw)
Tensor.get_device = lambda self: -1 if self.device.type == "cpu" else (self.device.index or 0)
Tensor.is_meta = False
Tensor.is_quantized = False
Tensor.is_nested = False
Tensor.is_mkldnn = False
Tensor.is_mps = False
Tensor.is_xla = False
Tensor.is_xpu = False
Tensor.adjoint = lambda self: self.mT.conj()
Tensor.as_subclass = lambda self, cls: __import__("ember.tensor", fromlist=["_as_subclass"])._as_subclass(self, cls)
Tensor.new_empty_strided = lambda self, size, stride, **kw: self.new_empty(size, **kw)
Tensor.resize_as_ = lambda self, other: self.resize_(other.shape)


def _resize_(self, *sizes):
    """Reshape in place to ``sizes``.  As in torch the tensor keeps its storage while it fits: shrinking then
    growing again brings the old values back; growing past the storage copies it into a larger one whose new
    elements are uninitialised (zeros here)."""
    if self.requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    sizes = tuple(sizes[0]) if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)) else tuple(sizes)
    if any(s < 0 for s in sizes):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(sizes)}: {list(sizes)}")
    n = int(np.prod(sizes))
    d = self._data
    storage = self._extra.get("storage") if self._extra else None
    if storage is not None and not (d.flags.c_contiguous and d.size <= storage.size
                                    and d.__array_interface__["data"][0] == storage.__array_interface__["data"][0]):
        storage = None          # the tensor's array was replaced since the last resize_
    if storage is None:
        storage = d.reshape(-1) if d.flags.c_contiguous else np.ascontiguousarray(d).reshape(-1)
    if storage.size < n:
        grown = np.zeros(n, d.dtype)
        grown[:storage.size] = storage
        storage = grown
    self._data = storage[:n].reshape(sizes)
    if storage.size > n:
        self._extra_dict()["storage"] = storage
    elif self._extra:
        self._extra.pop("storage", None)
    self._bump_version()
    return self


Tensor.resize_ = _resize_


def _fill_diagonal_(self, fill_value, wrap=False):
    d = self._data
    if d.ndim == 2:
        n = min(d.shape) if not wrap else d.shape[0]
        idx = np.arange(min(d.shape))
        if wrap and d.shape[0] > d.shape[1]:
            flat = d.reshape(-1)
            flat[::d.shape[1] + 1] = fill_value
        else:
            d[idx, idx] = fill_value
        del n
    else:
        n = min(d.shape)
        idx = np.arange(n)
        d[(idx,) * d.ndim] = fill_value
    self._bump_version()
    return self


Tensor.fill_diagonal_ = _fill_diagonal_

# in-place views of shape ops: they rebind the tensor's own array, as torch changes its metadata in place
for _name, _fn in (("squeeze_", shape.squeeze), ("unsqueeze_", shape.unsqueeze), ("t_", shape.t),
                   ("transpose_", shape.transpose), ("swapaxes_", shape.transpose), ("swapdims_", shape.transpose)):
    def _make(fn):
        def method(self, *args):
            if self.requires_grad and self._grad_fn is None:
                from ..autograd import grad_mode
                if grad_mode.is_grad_enabled():
                    raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
            res = fn(self, *args)
            self._data = res._data
            if res._grad_fn is not None:
                self._grad_fn, self._output_nr = res._grad_fn, res._output_nr
            return self
        return method
    setattr(Tensor, _name, _make(_fn))

for _name in ("cumsum", "cumprod", "addmm", "addmv", "addbmm", "baddbmm", "addr", "heaviside", "gcd", "lcm",
              "logit", "polygamma_", "hardshrink", "bitwise_left_shift", "bitwise_right_shift", "logaddexp",
              "mvlgamma", "index_reduce", "put", "fill_diagonal"):
    if not hasattr(Tensor, _name + "_") and hasattr(Tensor, _name):
        setattr(Tensor, _name + "_", make_inplace(getattr(Tensor, _name)))

for _name, _op in (("greater_", "gt"), ("greater_equal_", "ge"), ("less_", "lt"), ("less_equal_", "le"),
                   ("not_equal_", "ne")):
    if not hasattr(Tensor, _name):
        setattr(Tensor, _name, getattr(Tensor, _op + "_"))

del result_dtype, compare


# ---- API gaps: aliases, legacy spellings, small composites ---------------------------------------------

__all__ += ["arctan2", "conj_physical", "resolve_conj", "resolve_neg", "gradient", "get_device", "newaxis",
            "is_anomaly_enabled", "is_anomaly_check_nan_enabled", "set_anomaly_enabled", "set_warn_always",
            "is_warn_always_enabled", "native_layer_norm", "native_batch_norm", "binomial", "histogramdd",
            "set_default_tensor_type", "unsafe_chunk", "unsafe_split", "unsafe_split_with_sizes", "resize_as_",
            "set_flush_denormal"]

newaxis = None
arctan2 = arith.atan2


def conj_physical(input):
    return input.conj_physical()


def resolve_conj(input):
    return input.resolve_conj()


def resolve_neg(input):
    return input.resolve_neg()


def get_device(input):
    """-1 for a CPU tensor, else the device's index."""
    return input.get_device()


def unsafe_chunk(input, chunks, dim=0):
    return shape.chunk(input, chunks, dim)


def unsafe_split(input, split_size_or_sections, dim=0):
    return shape.split(input, split_size_or_sections, dim)


def unsafe_split_with_sizes(input, split_sizes, dim=0):
    return shape.split(input, list(split_sizes), dim)


def resize_as_(input, the_template):
    return input.resize_as_(the_template)


def set_flush_denormal(mode):
    """NumPy has no flush-to-zero switch: report it as unsupported, as torch does on CPUs without it."""
    return False


def is_anomaly_enabled():
    from ..autograd.anomaly_mode import is_anomaly_enabled as enabled
    return enabled()


_anomaly_check_nan = [True]


def is_anomaly_check_nan_enabled():
    return _anomaly_check_nan[0]


def set_anomaly_enabled(enabled, check_nan=True):
    from ..autograd import function
    function._anomaly[0] = bool(enabled)
    _anomaly_check_nan[0] = bool(check_nan)


_warn_always = [False]


def set_warn_always(b):
    """Make warnings torch emits once per process come every time (a flag ember's warn-once sites read)."""
    _warn_always[0] = bool(b)


def is_warn_always_enabled():
    return _warn_always[0]


def set_default_tensor_type(t):
    """Legacy: ``torch.set_default_tensor_type(torch.DoubleTensor)`` sets the default float dtype."""
    import warnings

    import ember
    warnings.warn("torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
                  "torch.set_default_dtype() and torch.set_default_device() as alternatives.", UserWarning,
                  stacklevel=2)
    if isinstance(t, str):
        t = getattr(ember, t[len("torch."):] if t.startswith("torch.") else t)
    dt = getattr(t, "_legacy_dtype", None)
    if dt is None:
        raise TypeError("invalid type object: only floating-point types are supported as the default type")
    if not dt.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _dt.set_default_dtype(dt)


def _along(values, dim, ndim):
    """A 1-D tensor of per-position coefficients shaped to broadcast along ``dim``."""
    return values.reshape([-1] + [1] * (ndim - dim - 1))


def _gradient_1d(f, dim, h, edge_order):
    n = f.shape[dim]
    ndim = f.ndim
    sl = lambda start, length: f.narrow(dim, start, length)  # noqa: E731
    if not isinstance(h, Tensor):       # uniform spacing
        inner = (sl(2, n - 2) - sl(0, n - 2)) / (2.0 * h)
        if edge_order == 1:
            first = (sl(1, 1) - sl(0, 1)) / h
            last = (sl(n - 1, 1) - sl(n - 2, 1)) / h
        else:
            first = (sl(0, 1) * -1.5 + sl(1, 1) * 2.0 - sl(2, 1) * 0.5) / h
            last = (sl(n - 3, 1) * 0.5 - sl(n - 2, 1) * 2.0 + sl(n - 1, 1) * 1.5) / h
        return shape.cat([first, inner, last], dim)
    dx = h[1:] - h[:-1]                 # (n-1,) steps between coordinates
    hl, hr = dx[:-1], dx[1:]
    a = _along(-hr / (hl * (hl + hr)), dim, ndim)
    b = _along((hr - hl) / (hl * hr), dim, ndim)
    c = _along(hl / (hr * (hl + hr)), dim, ndim)
    inner = a * sl(0, n - 2) + b * sl(1, n - 2) + c * sl(2, n - 2)
    if edge_order == 1:
        first = (sl(1, 1) - sl(0, 1)) / dx[0]
        last = (sl(n - 1, 1) - sl(n - 2, 1)) / dx[-1]
    else:
        d1, d2 = dx[0], dx[1]
        first = (sl(0, 1) * (-(2.0 * d1 + d2) / (d1 * (d1 + d2))) + sl(1, 1) * ((d1 + d2) / (d1 * d2))
                 + sl(2, 1) * (-d1 / (d2 * (d1 + d2))))
        d1, d2 = dx[-2], dx[-1]
        last = (sl(n - 3, 1) * (d2 / (d1 * (d1 + d2))) + sl(n - 2, 1) * (-(d2 + d1) / (d1 * d2))
                + sl(n - 1, 1) * ((2.0 * d2 + d1) / (d2 * (d1 + d2))))
    return shape.cat([first, inner, last], dim)


def gradient(input, *, spacing=1, dim=None, edge_order=1):
    """Central differences in the interior, one-sided (first or second order) at the edges; one tensor per
    dimension.  ``spacing`` is a scalar step, one step per dimension, or one coordinate tensor per dimension."""
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    if dim is None:
        dims = list(range(input.ndim))
    elif isinstance(dim, int):
        dims = [wrap_dim(dim, input.ndim)]
    else:
        dims = [wrap_dim(d, input.ndim) for d in dim]
    if isinstance(spacing, (list, tuple)):
        if len(spacing) != len(dims):
            if dim is None:
                raise RuntimeError(f"torch.gradient expected spacing to be unspecified, a scalar, or a list of length "
                                   f"equal to 'self.dim() = {input.ndim}', since dim argument was not given, but got "
                                   f"a list of length {len(spacing)}")
            raise RuntimeError(f"torch.gradient expected spacing to be unspecified, a scalar or it's spacing and dim "
                               f"arguments to have the same length, but got a spacing argument of length "
                               f"{len(spacing)} and a dim argument of length {len(dims)}.")
        steps = list(spacing)
    else:
        steps = [spacing] * len(dims)
    for d in dims:
        if input.shape[d] < edge_order + 1:
            raise RuntimeError("torch.gradient expected each dimension size to be at least edge_order+1")
    f = input if input.is_floating_point() or input.is_complex() else input.to(_dt.get_default_dtype())
    out = []
    for d, h in zip(dims, steps):
        if isinstance(h, Tensor) and h.ndim == 0:
            h = h.item()
        if isinstance(h, Tensor) and not h.is_floating_point():
            h = h.to(f.dtype)
        out.append(_gradient_1d(f, d, h, edge_order))
    return tuple(out)


def native_layer_norm(input, normalized_shape, weight, bias, eps):
    """(layer_norm output, mean, 1/std) over the last ``len(normalized_shape)`` dimensions."""
    from ..nn import functional as F
    out = F.layer_norm(input, list(normalized_shape), weight, bias, eps)
    dims = list(range(input.ndim - len(normalized_shape), input.ndim))
    with _no_grad():
        mean = input.mean(dim=dims, keepdim=True)
        rstd = (input.var(dim=dims, unbiased=False, keepdim=True) + eps).rsqrt()
    return out, mean, rstd


def native_batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps):
    """(batch_norm output, batch mean, batch 1/std); the statistics are empty in evaluation mode."""
    from ..nn import functional as F
    dims = [0] + list(range(2, input.ndim))
    if training:
        with _no_grad():
            mean = input.mean(dim=dims)
            invstd = (input.var(dim=dims, unbiased=False) + eps).rsqrt()
    else:
        mean = invstd = _wrap(np.zeros(0, input._data.dtype))
    out = F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)
    return out, mean, invstd


def _no_grad():
    from ..autograd import no_grad
    return no_grad()


def binomial(count, prob, generator=None):
    """Draws of Binomial(count, prob), elementwise, in ``count``'s floating dtype."""
    from ..random import _gen
    if not count.is_floating_point():
        raise ValueError(f"binomial only supports floating-point dtypes for count, got: {_dt_name(count.dtype)}")
    if prob.dtype != count.dtype:
        raise RuntimeError(f"Found dtype {_dt_name(prob.dtype)} but expected {_dt_name(count.dtype)}")
    n, p = np.broadcast_arrays(count._host(), prob._host())
    draws = _gen(generator).binomial(n.astype(np.int64), np.clip(p, 0.0, 1.0))
    return _wrap(np.asarray(draws, dtype=count._data.dtype))


def _dt_name(dtype):
    names = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16", "int64": "Long",
             "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}
    return names.get(dtype.name if hasattr(dtype, "name") else str(dtype), str(dtype))


def histogramdd(input, bins=10, *, range=None, weight=None, density=False):
    """Histogram of the points in the rows of ``input`` (its last dimension is the point's dimension)."""
    pts = input._host().reshape(-1, input.shape[-1])
    d = pts.shape[1]
    if isinstance(bins, Tensor):
        bins = [bins]
    if isinstance(bins, (list, tuple)) and bins and isinstance(bins[0], Tensor):
        edges_in = [b._host() for b in bins]
    else:
        edges_in = [int(bins)] * d if isinstance(bins, int) else [int(b) for b in bins]
    rng = None if range is None else [(float(range[2 * i]), float(range[2 * i + 1])) for i in builtins.range(d)]
    w = None if weight is None else weight._host().reshape(-1)
    hist, edges = np.histogramdd(pts, bins=edges_in, range=rng, weights=w, density=density)
    npd = input._data.dtype
    from collections import namedtuple
    result = namedtuple("histogramdd", ["hist", "bin_edges"])
    return result(_wrap(hist.astype(npd)), [_wrap(e.astype(npd)) for e in edges])


def _new(self, *args, device=None):
    """Legacy ``x.new(...)``: sizes give an uninitialised tensor of x's dtype, data is copied into x's dtype."""
    from .. import _creation
    if len(args) == 1 and isinstance(args[0], Tensor):
        return args[0].detach()
    if not args or all(isinstance(a, int) and not isinstance(a, bool) for a in args) or (
            len(args) == 1 and type(args[0]).__name__ == "Size"):
        size = args[0] if len(args) == 1 and not isinstance(args[0], int) else args
        return _creation.empty(*size, dtype=self.dtype) if args else _creation.empty(0, dtype=self.dtype)
    if len(args) == 1 and isinstance(args[0], (list, tuple, np.ndarray)):
        return _creation.tensor(args[0], dtype=self.dtype)
    raise TypeError(f"new(): data must be a sequence (got {type(args[0]).__name__})")


def _resize(self, *sizes, _name="resize"):
    import warnings
    warnings.warn(f"non-inplace {_name} is deprecated", stacklevel=2)
    sizes = tuple(sizes[0]) if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)) else tuple(sizes)
    n = int(np.prod(sizes))
    if n != self.numel():
        raise RuntimeError(f"requested resize to {'x'.join(map(str, sizes))} ({n} elements in total), but the given "
                           f"tensor has a size of {'x'.join(map(str, self.shape))} ({self.numel()} elements). "
                           f"autograd's resize can only change the shape of a given tensor, while preserving the "
                           f"number of elements. ")
    return self.reshape(sizes)


def _hardshrink(self, lambd=0.5):
    from ..nn import functional as F
    return F.hardshrink(self, lambd)


def _prelu(self, weight):
    from ..nn import functional as F
    return F.prelu(self, weight)


Tensor.new = _new
Tensor.resize = _resize


def _resize_as(self, tensor):
    return _resize(self, tensor.shape, _name="resize_as")


Tensor.resize_as = _resize_as
Tensor.hardshrink = _hardshrink
Tensor.prelu = _prelu
if not hasattr(Tensor, "conj_physical_"):
    Tensor.conj_physical_ = lambda self: self if not self.is_complex() else self.copy_(self.conj_physical())

# torch's top-level spellings of in-place methods (torch.exp_(x) is x.exp_())
_INPLACE_TOP = ("abs_", "acos_", "acosh_", "addmv_", "arccos_", "arccosh_", "arcsin_", "arcsinh_", "arctan_",
                "arctanh_", "asin_", "asinh_", "atan_", "atanh_", "ceil_", "clamp_", "clamp_max_", "clamp_min_",
                "clip_", "conj_physical_", "cos_", "cosh_", "deg2rad_", "erf_", "erfc_", "exp2_", "exp_", "expm1_",
                "fill_", "fix_", "floor_", "frac_", "gcd_", "i0_", "index_put_", "lcm_", "ldexp_", "log10_", "log1p_",
                "log2_", "log_", "logit_", "nan_to_num_", "neg_", "negative_", "rad2deg_", "reciprocal_", "round_",
                "rsqrt_", "sin_", "sinc_", "sinh_", "sqrt_", "square_", "tan_", "trunc_", "xlogy_")


def _top_inplace(name):
    def fn(input, *args, **kwargs):
        return getattr(input, name)(*args, **kwargs)
    fn.__name__ = fn.__qualname__ = name
    return fn


for _name in _INPLACE_TOP:
    globals()[_name] = _top_inplace(_name)
__all__ += list(_INPLACE_TOP)

# torch's top-level spellings of linear-algebra and signal functions defined in their own files
from .linalg import triangular_solve, lu_unpack, lu_solve_legacy as lu_solve  # noqa: E402
__all__ += ["triangular_solve", "lu_unpack", "lu_solve"]
Tensor.triangular_solve = triangular_solve
Tensor.lu_solve = lu_solve
from .signal import stft, istft  # noqa: E402
__all__ += ["stft", "istft"]
Tensor.stft = stft
Tensor.istft = istft
