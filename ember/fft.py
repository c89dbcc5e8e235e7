"""``ember.fft``: discrete Fourier transforms (torch.fft's names, ``n``/``s``, ``dim``, ``norm``), with gradients.

Three primitives do the work, each a NumPy transform whose backward is another transform (so double backward
needs no extra code).  Their adjoints swap the normalisation: the adjoint of ``fft`` with ``norm="backward"``
(no scaling) is ``ifft`` with ``norm="forward"`` (no scaling either), ``ortho`` stays ``ortho``.

- ``_C2C``: complex to complex over some dims.  Adjoint: the opposite direction, dual norm.
- ``_R2C``: real to the one-sided half spectrum (last dim n -> n//2+1).  Adjoint: zero-fill the missing half,
  inverse complex transform, real part.
- ``_C2R``: half spectrum to real (last dim m -> n).  Adjoint (torch's): ``rfft`` of the gradient with the dual
  norm, entries 1 .. n - m doubled, since each stands for itself and its conjugate mirror.

Sizes (``n``/``s``) are applied before the transform by zero-padding or trimming, which is differentiable.
"""
from __future__ import annotations

import numpy as np

from . import _dtype as _dt
from .autograd.function import Op
from .ops import shape as _shape
from .ops._util import wrap_dim
from .tensor import Tensor, _wrap

__all__ = ["fft", "ifft", "rfft", "irfft", "fft2", "ifft2", "rfft2", "irfft2", "fftn", "ifftn", "rfftn", "irfftn",
           "hfft", "ihfft", "fftfreq", "rfftfreq", "fftshift", "ifftshift"]

_DUAL = {"backward": "forward", "forward": "backward", "ortho": "ortho"}


def _norm(norm):
    if norm is None:
        return "backward"
    if norm not in _DUAL:
        raise RuntimeError(f'Invalid normalization mode: "{norm}"')
    return norm


class _C2C(Op):
    @staticmethod
    def forward(ctx, x, dims, norm, forward):
        ctx.dims, ctx.norm, ctx.fwd = dims, norm, forward
        ctx.real_input = x.dtype.kind != "c"      # reached only by backward passes (real cotangents)
        out = (np.fft.fftn if forward else np.fft.ifftn)(x, axes=dims, norm=norm)
        return out.astype(_complex_of(x.dtype), copy=False)

    @staticmethod
    def backward(ctx, grad):
        g = _C2C.apply(grad, ctx.dims, _DUAL[ctx.norm], not ctx.fwd)
        return (g.real if ctx.real_input else g), None, None, None


class _R2C(Op):
    @staticmethod
    def forward(ctx, x, dims, norm):
        ctx.dims, ctx.norm, ctx.n = dims, norm, x.shape[dims[-1]]
        return np.fft.rfftn(x, axes=dims, norm=norm).astype(_complex_of(x.dtype), copy=False)

    @staticmethod
    def backward(ctx, grad):
        last = ctx.dims[-1]
        missing = ctx.n - grad.shape[last]
        if missing > 0:
            pad = list(grad.shape)
            pad[last] = missing
            from ._creation import zeros
            grad = _shape.cat([grad, zeros(pad, dtype=grad.dtype)], last)
        return _C2C.apply(grad, ctx.dims, _DUAL[ctx.norm], False).real, None, None


class _C2R(Op):
    @staticmethod
    def forward(ctx, x, dims, norm, n):
        ctx.dims, ctx.norm = dims, norm
        s = [x.shape[d] for d in dims[:-1]] + [n]
        out = np.fft.irfftn(x, s=s, axes=dims, norm=norm)
        return out.astype(_real_of(x.dtype), copy=False)

    @staticmethod
    def backward(ctx, grad):
        g = _R2C.apply(grad, ctx.dims, _DUAL[ctx.norm])
        last = ctx.dims[-1]
        m = g.shape[last]
        doubled = grad.shape[last] - m         # entries 1 .. doubled stand for two spectrum entries each
        if doubled > 0:
            scale = np.ones(m, dtype=_real_of(g._data.dtype))
            scale[1:1 + doubled] = 2.0
            g = g * _wrap(scale.reshape((-1,) + (1,) * (g.ndim - 1 - last)))
        return g, None, None, None


def _complex_of(np_dtype):
    return np.complex64 if np_dtype in (np.float32, np.complex64) else np.complex128


def _real_of(np_dtype):
    return np.float32 if np_dtype in (np.float32, np.complex64) else np.float64


# ---- argument handling --------------------------------------------------------------------------------------

def _floating(x):
    """Integers and bools become the default float dtype, as torch promotes them."""
    if x.is_floating_point() or x.is_complex():
        if x.dtype in (_dt.float16, _dt.bfloat16):
            raise RuntimeError(f"Unsupported dtype {x.dtype.name.capitalize()}")
        return x
    return x.to(_dt.get_default_dtype())


def _as_complex(x):
    if x.is_complex():
        return x
    from ._creation import complex as make_complex, zeros_like
    return make_complex(x, zeros_like(x))


def _dims_and_sizes(x, s, dim, default_all):
    """The transform's dims (wrapped) and sizes (None: keep the input's)."""
    if dim is None:
        if s is None:
            dims = list(range(x.ndim)) if default_all else list(range(x.ndim))[-2:]
        else:
            dims = list(range(x.ndim - len(s), x.ndim))
    else:
        dims = [wrap_dim(d, x.ndim) for d in ([dim] if isinstance(dim, int) else dim)]
    if s is not None:
        s = list(s)
        if len(s) != len(dims):
            raise RuntimeError("When given, dim and shape arguments must have the same length")
    else:
        s = [None] * len(dims)
    if len(set(dims)) != len(dims):
        raise RuntimeError("FFT dims must be unique")
    return dims, s


def _fit(x, dims, sizes):
    """Zero-pad or trim ``x`` to ``sizes`` along ``dims`` (differentiable)."""
    for d, n in zip(dims, sizes):
        if n is None or n == -1:
            continue
        if n < 1:
            raise RuntimeError(f"Invalid number of data points ({n}) specified")
        have = x.shape[d]
        if n < have:
            x = x.narrow(d, 0, n)
        elif n > have:
            from ._creation import zeros
            pad = list(x.shape)
            pad[d] = n - have
            x = _shape.cat([x, zeros(pad, dtype=x.dtype)], d)
    return x


def _c2c(input, s, dim, norm, forward, default_all=True):
    x = _as_complex(_floating(input))
    dims, sizes = _dims_and_sizes(x, s, dim, default_all)
    return _C2C.apply(_fit(x, dims, sizes), tuple(dims), _norm(norm), forward)


def _r2c(input, s, dim, norm, default_all=True):
    x = _floating(input)
    if x.is_complex():
        raise RuntimeError(f"rfft expects a real input tensor, but got {_torch_name(x.dtype)}")
    dims, sizes = _dims_and_sizes(x, s, dim, default_all)
    return _R2C.apply(_fit(x, dims, sizes), tuple(dims), _norm(norm))


def _c2r(input, s, dim, norm, default_all=True):
    x = _as_complex(_floating(input))
    dims, sizes = _dims_and_sizes(x, s, dim, default_all)
    last_n = sizes[-1]
    if last_n is None or last_n == -1:
        last_n = 2 * (x.shape[dims[-1]] - 1)
    if last_n < 1:
        raise RuntimeError(f"Invalid number of data points ({last_n}) specified")
    x = _fit(x, dims, sizes[:-1] + [last_n // 2 + 1])
    return _C2R.apply(x, tuple(dims), _norm(norm), last_n)


def _torch_name(dtype):
    return {"complex64": "ComplexFloat", "complex128": "ComplexDouble"}.get(dtype.name, dtype.name)


# ---- public transforms --------------------------------------------------------------------------------------

def fft(input, n=None, dim=-1, norm=None, *, out=None):
    """One-dimensional discrete Fourier transform: X[k] = sum_j x[j] exp(-2 pi i jk / n)."""
    return _c2c(input, None if n is None else [n], dim, norm, True)


def ifft(input, n=None, dim=-1, norm=None, *, out=None):
    """Inverse of ``fft``: x[j] = (1/n) sum_k X[k] exp(2 pi i jk / n) with the default norm."""
    return _c2c(input, None if n is None else [n], dim, norm, False)


def fft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return _c2c(input, s, dim, norm, True)


def ifft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return _c2c(input, s, dim, norm, False)


def fftn(input, s=None, dim=None, norm=None, *, out=None):
    return _c2c(input, s, dim, norm, True)


def ifftn(input, s=None, dim=None, norm=None, *, out=None):
    return _c2c(input, s, dim, norm, False)


def rfft(input, n=None, dim=-1, norm=None, *, out=None):
    """FFT of a real signal, keeping the n//2 + 1 non-redundant frequencies."""
    return _r2c(input, None if n is None else [n], dim, norm)


def irfft(input, n=None, dim=-1, norm=None, *, out=None):
    """Inverse of ``rfft``: a real signal of length ``n`` (default 2 (m - 1)) from a half spectrum of m terms."""
    return _c2r(input, None if n is None else [n], dim, norm)


def rfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return _r2c(input, s, dim, norm)


def irfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return _c2r(input, s, dim, norm)


def rfftn(input, s=None, dim=None, norm=None, *, out=None):
    return _r2c(input, s, dim, norm)


def irfftn(input, s=None, dim=None, norm=None, *, out=None):
    return _c2r(input, s, dim, norm)


def hfft(input, n=None, dim=-1, norm=None, *, out=None):
    """FFT of a Hermitian-symmetric signal given by its first half: real output of length n."""
    x = _as_complex(_floating(input)).conj()
    return _c2r(x, None if n is None else [n], dim, _DUAL[_norm(norm)])


def ihfft(input, n=None, dim=-1, norm=None, *, out=None):
    """Inverse of ``hfft``: the half spectrum of a real signal, conjugated."""
    return _r2c(input, None if n is None else [n], dim, _DUAL[_norm(norm)]).conj()


# ---- helpers ------------------------------------------------------------------------------------------------

def fftfreq(n, d=1.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """Sample frequencies [0, 1, ..., n/2 - 1, -n/2, ..., -1] / (d n)."""
    from ._creation import tensor
    dt = _dt.as_dtype(dtype) if dtype is not None else _dt.get_default_dtype()
    return tensor(np.fft.fftfreq(n, d), dtype=dt, device=device, requires_grad=requires_grad)


def rfftfreq(n, d=1.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """Sample frequencies [0, 1, ..., n//2] / (d n) of ``rfft``'s output."""
    from ._creation import tensor
    dt = _dt.as_dtype(dtype) if dtype is not None else _dt.get_default_dtype()
    return tensor(np.fft.rfftfreq(n, d), dtype=dt, device=device, requires_grad=requires_grad)


def _shift(input, dim, sign):
    if dim is None:
        dims = list(range(input.ndim))
    else:
        dims = [wrap_dim(d, input.ndim) for d in ([dim] if isinstance(dim, int) else dim)]
    shifts = [sign * (input.shape[d] // 2) if sign > 0 else -(input.shape[d] // 2) for d in dims]
    return input.roll(shifts, dims) if dims else input


def fftshift(input, dim=None):
    """Move the zero frequency to the centre (a roll by n // 2 along each dim)."""
    return _shift(input, dim, 1)


def ifftshift(input, dim=None):
    """Inverse of ``fftshift`` (a roll by -(n // 2))."""
    return _shift(input, dim, -1)


del Tensor
