"""softmax and log_softmax over any dim, with torch's ``dtype=`` and implicit-dim rules; the last dim of a
large float array goes to the block kernels of ``nn_ops`` (``softmax_last_dim_op``)."""
from __future__ import annotations

from ..autograd.function import Op
from ._util import wrap_dim, xp_of as _xp

__all__ = ["softmax", "log_softmax", "Softmax", "LogSoftmax"]


class Softmax(Op):
    save_output = True

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        xp = _xp(x)
        if x.size == 0:
            return x.copy()
        m = x.max(axis=dim, keepdims=True)
        e = xp.exp(x - m)
        e /= e.sum(axis=dim, keepdims=True)
        return e

    @staticmethod
    def backward(ctx, grad):
        y = ctx.saved_output
        return y * (grad - (grad * y).sum(ctx.dim, keepdim=True)), None


class LogSoftmax(Op):
    save_output = True

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        xp = _xp(x)
        if x.size == 0:
            return x.copy()
        m = x.max(axis=dim, keepdims=True)
        shifted = x - m
        return shifted - xp.log(xp.exp(shifted).sum(axis=dim, keepdims=True))

    @staticmethod
    def backward(ctx, grad):
        y = ctx.saved_output
        return grad - y.exp() * grad.sum(ctx.dim, keepdim=True), None


def _softmax_dim(ndim):
    import warnings
    warnings.warn("Implicit dimension choice for softmax has been deprecated. Change the call to include dim=X "
                  "as an argument.", stacklevel=4)
    return 0 if ndim in (0, 1, 3) else 1


def _softmax_family(input, dim, dtype, log):
    """softmax / log_softmax: dtype handling, torch's errors, then the fused op for the dim."""
    if dtype is not None:
        input = input.to(dtype)
    elif input._data.dtype.kind in "biu":
        wrap_dim(dim if dim is not None else 0, input._data.ndim)
        if input._data.size == 0:
            return input.clone()
        from .inplace import _tname
        raise NotImplementedError(f"\"softmax_lastdim_kernel_impl\" not implemented for '{_tname(input._data.dtype)}'")
    op = LogSoftmax if log else Softmax
    x = input
    if dim is None:
        dim = _softmax_dim(x.ndim)
    d = wrap_dim(dim, x._data.ndim)
    if x._data.ndim == 0:
        return op.apply(x, None)
    if d == x._data.ndim - 1:                  # the blocked last-dim kernel, when the array fits it
        from .nn_ops import softmax_last_dim_op
        out = softmax_last_dim_op(x, log=log)
        if out is not None:
            return out
    return op.apply(x, d)


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    return _softmax_family(input, dim, dtype, log=False)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    return _softmax_family(input, dim, dtype, log=True)
