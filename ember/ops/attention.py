"""Fused softmax attention: out = dropout(softmax(q k^T * scale + bias)) v as one graph node.

Composed, attention is five nodes (matmul, scale, mask add, softmax, matmul) whose backward materialises the
(L, S) score gradient several times; fused, the backward is four matmuls and one softmax-gradient pass on
arrays.  ``benchmarks/bench_sequence.py`` (encoder layer, GPT) measures it.  Under ``create_graph=True`` the
backward is written in ember ops, so double backward works.
"""
from __future__ import annotations

import numpy as np

from ..autograd import grad_mode
from ..autograd.function import Op
from ._util import _wrap, unbroadcast

__all__ = ["attention_op"]

_grad_state = grad_mode._state


def _xp(a):
    if type(a) is np.ndarray:
        return np
    from ..backend import backend_of
    return backend_of(a).xp


class Attention(Op):
    """``forward(q (..., L, E), k (..., S, E), v (..., S, Ev), bias (..., L, S) | None, scale, keep (..., L, S)
    | None, zero_masked_rows) -> (out (..., L, Ev), weights (..., L, S))``.

    ``bias`` is added to the scores (-inf masks a key); ``keep`` is the dropout mask already scaled by
    1 / (1 - p); ``weights`` are the attention probabilities after dropout.  Rows whose keys are all masked
    give zeros when ``zero_masked_rows`` (torch's fused kernels) and NaN otherwise (torch's softmax).
    """

    _grad_name = "ScaledDotProductAttentionBackward0"
    save_inputs = (0, 1, 2, 3)
    _materialize = False

    @staticmethod
    def forward(ctx, q, k, v, bias, scale, keep, zero_masked_rows):
        xp = _xp(q)
        t = q.dtype.type
        s = q @ k.swapaxes(-1, -2)                                        # (..., L, S)
        s *= t(scale)
        if bias is not None:
            s = s + bias
        m = s.max(-1, keepdims=True)
        if zero_masked_rows:
            m = xp.where(xp.isfinite(m), m, t(0))
        s -= m
        xp.exp(s, out=s)
        total = s.sum(-1, keepdims=True)
        if zero_masked_rows:
            total[total == 0] = t(1)
        s /= total                                                        # p
        pd = s if keep is None else s * keep
        ctx.p = (scale, keep, s, pd)
        out = pd @ v
        if out.dtype != q.dtype:                  # bfloat16 products come back in float32: round once at the end
            return out.astype(q.dtype), pd.astype(q.dtype)
        return out, pd

    @staticmethod
    def backward(ctx, g_out, g_w):
        q, k, v, bias = ctx.saved_tensors
        scale, keep, p, pd = ctx.p
        e = ctx._edges
        if _grad_state[0]:
            return _attention_backward_graph(ctx, q, k, v, g_out, g_w)
        gd = None                                                         # d loss / d pd
        gv = None
        if g_out is not None:
            g = g_out._data
            gd = g @ v._data.swapaxes(-1, -2)
            if e[2] is not None:
                gv = _wrap(_sum_to(pd.swapaxes(-1, -2) @ g, v.shape))
        if g_w is not None:
            gd = g_w._data if gd is None else gd + g_w._data
        if gd is None:
            return None, None, None, None, None, None, None
        if keep is not None:
            gd = gd * keep
        ds = gd - (gd * p).sum(-1, keepdims=True)
        ds *= p                                                           # d loss / d scores
        gb = _wrap(_sum_to(ds, bias.shape)) if bias is not None and e[3] is not None else None
        t = ds.dtype.type
        gq = _wrap(_cast(_sum_to((ds @ k._data) * t(scale), q.shape), q)) if e[0] is not None else None
        gk = _wrap(_cast(_sum_to((ds.swapaxes(-1, -2) @ q._data) * t(scale), k.shape), k)) if e[1] is not None \
            else None
        if gv is not None:
            gv = _wrap(_cast(gv._data, v))
        if gb is not None:
            gb = _wrap(_cast(gb._data, bias))
        return gq, gk, gv, gb, None, None, None


def _cast(a, like):
    """``a`` in the dtype of the tensor ``like`` (gradients of bfloat16 inputs are computed in float32)."""
    want = like._data.dtype
    return a if a.dtype == want else a.astype(want)


def _sum_to(a, shape):
    """Sum a broadcast array down to ``shape``."""
    shape = tuple(shape)
    if a.shape == shape:
        return a
    lead = a.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(i + lead for i, n in enumerate(shape) if n == 1 and a.shape[i + lead] != 1)
    return a.sum(axis=axes, keepdims=True).reshape(shape)


def _attention_backward_graph(ctx, q, k, v, g_out, g_w):
    """The same gradients in ember ops (for create_graph=True), recomputing the probabilities."""
    scale, keep, p_arr, _ = ctx.p
    bias = ctx.saved_tensors[3]
    s = (q @ k.mT) * scale
    if bias is not None:
        s = s + bias
    p = s.softmax(-1)
    if bool((p_arr == 0).all(-1).any()):      # rows masked out entirely: keep them at zero, as the forward did
        p = p.nan_to_num(0.0)
    keep_t = None if keep is None else _wrap(keep)
    pd = p if keep_t is None else p * keep_t
    gd = None
    gv = None
    e = ctx._edges
    if g_out is not None:
        gd = g_out @ v.mT
        if e[2] is not None:
            gv = unbroadcast(pd.mT @ g_out, v.shape)
    if g_w is not None:
        gd = g_w if gd is None else gd + g_w
    if gd is None:
        return None, None, None, None, None, None, None
    if keep_t is not None:
        gd = gd * keep_t
    ds = p * (gd - (gd * p).sum(-1, keepdim=True))
    gb = unbroadcast(ds, bias.shape) if bias is not None and e[3] is not None else None
    gq = unbroadcast((ds @ k) * scale, q.shape) if e[0] is not None else None
    gk = unbroadcast((ds.mT @ q) * scale, k.shape) if e[1] is not None else None
    return gq, gk, gv, gb, None, None, None


def attention_op(q, k, v, bias=None, scale=1.0, keep=None, zero_masked_rows=True):
    """(out, weights) of fused softmax attention; see ``Attention``."""
    return Attention.apply(q, k, v, bias, scale, keep, zero_masked_rows)
