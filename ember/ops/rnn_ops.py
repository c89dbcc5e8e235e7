"""Fused recurrent layers: one graph node per layer and direction for ``nn.RNN``, ``nn.LSTM`` and ``nn.GRU``.

Composed from per-step ops, a 64-step LSTM layer is about a thousand graph nodes whose backward runs step by
step in Python; here the forward loops over time in NumPy and keeps what the backward needs (activated gates,
previous states), and the backward is one reverse loop over time followed by a handful of matmuls batched over
all steps (d W_ih = dA^T X, d W_hh = dA^T H_prev, d X = dA W_ih).  ``benchmarks/bench_sequence.py`` measures it.

Every layer works on the *packed* layout: ``x`` is (N, I) with the rows of step t at ``offsets[t]:offsets[t+1]``
and ``batch_sizes[t]`` rows active at step t (non-increasing, as in ``PackedSequence``).  A plain (T, B, I)
input is the special case ``batch_sizes = [B] * T``.  Rows that finished keep their state, so the final state
array holds each sequence's last state, and a reverse pass starts each sequence from h0 at its own last step.

Gates, as torch orders them: LSTM (i, f, g, o), GRU (r, z, n), where GRU's n = tanh(W_in x + b_in +
r * (W_hn h + b_hn)).  Under ``create_graph=True`` the backward recomputes the layer from ember ops, step by
step, and differentiates that graph, so higher-order gradients work (slowly, as torch's do).
"""
from __future__ import annotations

import numpy as np

from ..autograd import grad_mode
from ..autograd.function import Op
from ._util import _wrap

__all__ = ["recurrent_layer"]

_grad_state = grad_mode._state
_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _xp(a):
    if type(a) is np.ndarray:
        return np
    from ..backend import backend_of
    return backend_of(a).xp


def _sigmoid_(xp, a):
    """a <- 1 / (1 + exp(-a)), in place."""
    xp.negative(a, out=a)
    xp.exp(a, out=a)
    a += 1
    xp.reciprocal(a, out=a)
    return a


class RecurrentLayer(Op):
    """One layer, one direction, over a packed sequence.

    ``forward(x (N, I), h0 (B, Hout), c0 (B, H) | None, w_ih (G H, I), w_hh (G H, Hout), b_ih, b_hh,
    w_hr (Hout, H) | None, mode, batch_sizes, reverse) -> (out (N, Hout), h_n (B, Hout)[, c_n (B, H)])``.
    """

    _grad_name = "RecurrentLayerBackward0"
    save_inputs = (0, 1, 2, 3, 4, 5, 6, 7)       # all of them: double backward recomputes the layer
    save_output = True
    _materialize = False          # unused outputs (h_n, c_n) arrive as None

    @staticmethod
    def forward(ctx, x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, mode, batch_sizes, reverse):
        ctx.low = None
        if x.dtype.itemsize == 2:             # float16 / bfloat16: computed in float32, rounded once at the end
            ctx.low = x.dtype
            x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr = (None if a is None else a.astype(np.float32)
                                                        for a in (x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr))
            res = _layer_forward(ctx, x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, mode, batch_sizes, reverse)
            return tuple(a.astype(ctx.low) for a in res)
        return _layer_forward(ctx, x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, mode, batch_sizes, reverse)

    @staticmethod
    def backward(ctx, g_out, g_h, g_c=None):
        if _grad_state[0]:                          # create_graph: differentiate a recomputed, composed graph
            return _backward_graph(ctx, g_out, g_h, g_c)
        grads = _layer_backward(ctx, g_out, g_h, g_c)
        if ctx.low is None:
            return grads
        return tuple(g if g is None else _wrap(g._data.astype(ctx.low)) for g in grads)


def _layer_forward(ctx, x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, mode, batch_sizes, reverse):
    xp = _xp(x)
    H = w_ih.shape[0] // _GATES[mode]
    offsets = np.concatenate([[0], np.cumsum(batch_sizes)]).tolist()
    steps = range(len(batch_sizes) - 1, -1, -1) if reverse else range(len(batch_sizes))
    ctx.p = (mode, offsets, steps, H, b_hh is not None, b_ih is not None)
    xw = x @ w_ih.T                                                   # (N, G H): all steps in one matmul
    if b_ih is not None:
        xw += b_ih
    if mode != "GRU" and b_hh is not None:
        xw += b_hh
    h = h0.copy()
    h_prev = xp.empty((x.shape[0], h0.shape[1]), x.dtype)           # (N, Hout)
    w_hh_t = w_hh.T
    if mode == "LSTM":
        return _lstm_forward(ctx, xp, xw, h, c0.copy(), h_prev, w_hh_t, w_hr, offsets, steps, H)
    if mode == "GRU":
        return _gru_forward(ctx, xp, xw, h, h_prev, w_hh_t, b_hh, offsets, steps, H)
    ctx.n_batch = h.shape[0]
    for t in steps:
        s, e = offsets[t], offsets[t + 1]
        hp = h[:e - s]
        h_prev[s:e] = hp
        a = xw[s:e]
        a += hp @ w_hh_t
        if mode == "RNN_TANH":
            xp.tanh(a, out=a)
        else:
            xp.maximum(a, 0, out=a)
        h[:e - s] = a
    ctx.saved = (h_prev,)
    return xw, h                                                      # the activated pre-activations


def _layer_backward(ctx, g_out, g_h, g_c):
    x, _, _, w_ih, w_hh, _, _, w_hr = ctx.saved_tensors
    x, w_ih, w_hh = x._data, w_ih._data, w_hh._data
    w_hr = None if w_hr is None else w_hr._data
    if ctx.low is not None:
        x, w_ih, w_hh = x.astype(np.float32), w_ih.astype(np.float32), w_hh.astype(np.float32)
        w_hr = None if w_hr is None else w_hr.astype(np.float32)
    mode, offsets, steps, H, has_bhh, has_bih = ctx.p
    xp = _xp(x)
    dt = x.dtype
    g_out = None if g_out is None else g_out._data.astype(dt, copy=False)
    h_prev = ctx.saved[0]
    rows = ctx.n_batch
    dh = xp.zeros((rows, h_prev.shape[1]), dt) if g_h is None else g_h._data.astype(dt, copy=True)
    back = steps[::-1]
    gw_hr = None
    if mode == "LSTM":
        dc = xp.zeros((rows, H), dt) if g_c is None else g_c._data.astype(dt, copy=True)
        da, gw_hr = _lstm_backward(ctx, xp, g_out, dh, dc, w_hh, w_hr, offsets, back, H)
        da_h = da
    elif mode == "GRU":
        dc = None
        da, da_h = _gru_backward(ctx, xp, g_out, dh, w_hh, offsets, back, H)
    else:
        dc = None
        out = ctx.saved_output._data.astype(dt, copy=False)           # checked for in-place changes
        da = xp.empty_like(out)
        for t in back:
            s, e = offsets[t], offsets[t + 1]
            dh_b = dh[:e - s]
            if g_out is not None:
                dh_b += g_out[s:e]
            y = out[s:e]
            d = da[s:e]
            if mode == "RNN_TANH":
                xp.multiply(y, y, out=d)
                xp.subtract(1, d, out=d)
                d *= dh_b
            else:
                xp.multiply(dh_b, y > 0, out=d)
            dh[:e - s] = d @ w_hh
        da_h = da
    e = ctx._edges
    gx = _wrap(da @ w_ih) if e[0] is not None else None
    gh0 = _wrap(dh) if e[1] is not None else None
    gc0 = _wrap(dc) if dc is not None and e[2] is not None else None
    gw_ih = _wrap(da.T @ x) if e[3] is not None else None
    gw_hh = _wrap(da_h.T @ h_prev) if e[4] is not None else None
    gb_ih = _wrap(da.sum(0)) if has_bih and e[5] is not None else None
    gb_hh = _wrap(da_h.sum(0)) if has_bhh and e[6] is not None else None
    gw_hr = _wrap(gw_hr) if gw_hr is not None and e[7] is not None else None
    return gx, gh0, gc0, gw_ih, gw_hh, gb_ih, gb_hh, gw_hr, None, None, None


# ----------------------------------------------------------------------------------------------------------
# LSTM: c' = f c + i g, h' = o tanh(c') (then h' W_hr^T with a projection)
# ----------------------------------------------------------------------------------------------------------

def _lstm_forward(ctx, xp, xw, h, c, h_prev, w_hh_t, w_hr, offsets, steps, H):
    N = xw.shape[0]
    c_prev = xp.empty((N, H), xw.dtype)
    tanh_c = xp.empty((N, H), xw.dtype)
    m_all = xp.empty((N, H), xw.dtype) if w_hr is not None else None   # o tanh(c), before the projection
    out = xp.empty_like(h_prev)
    w_hr_t = None if w_hr is None else w_hr.T
    for t in steps:
        s, e = offsets[t], offsets[t + 1]
        b = e - s
        hp, cp = h[:b], c[:b]
        h_prev[s:e] = hp
        c_prev[s:e] = cp
        a = xw[s:e]                                                       # (b, 4H), becomes the gates
        a += hp @ w_hh_t
        _sigmoid_(xp, a[:, :2 * H])
        xp.tanh(a[:, 2 * H:3 * H], out=a[:, 2 * H:3 * H])
        _sigmoid_(xp, a[:, 3 * H:])
        cp *= a[:, H:2 * H]
        cp += a[:, :H] * a[:, 2 * H:3 * H]
        tc = tanh_c[s:e]
        xp.tanh(cp, out=tc)
        if w_hr is None:
            xp.multiply(a[:, 3 * H:], tc, out=out[s:e])
        else:
            m = m_all[s:e]
            xp.multiply(a[:, 3 * H:], tc, out=m)
            xp.matmul(m, w_hr_t, out=out[s:e])
        hp[...] = out[s:e]
    ctx.saved = (h_prev, xw, c_prev, tanh_c, m_all)
    ctx.n_batch = h.shape[0]
    return out, h, c


def _lstm_backward(ctx, xp, g_out, dh, dc, w_hh, w_hr, offsets, back, H):
    _, gates, c_prev, tanh_c, m_all = ctx.saved
    da = xp.empty_like(gates)
    dr_all = xp.empty((gates.shape[0], dh.shape[1]), gates.dtype) if w_hr is not None else None
    for t in back:
        s, e = offsets[t], offsets[t + 1]
        b = e - s
        dh_b = dh[:b]
        if g_out is not None:
            dh_b += g_out[s:e]
        if w_hr is not None:
            dr_all[s:e] = dh_b
            dm = dh_b @ w_hr                                              # (b, H)
        else:
            dm = dh_b
        a = gates[s:e]
        i, f, g, o = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:]
        tc = tanh_c[s:e]
        d = da[s:e]
        dcb = dc[:b]
        xp.multiply(dm, tc, out=d[:, 3 * H:])                             # d o
        d[:, 3 * H:] *= o * (1 - o)
        tmp = dm * o
        tmp *= 1 - tc * tc
        dcb += tmp
        xp.multiply(dcb, g, out=d[:, :H])                                 # d i
        d[:, :H] *= i * (1 - i)
        xp.multiply(dcb, c_prev[s:e], out=d[:, H:2 * H])                  # d f
        d[:, H:2 * H] *= f * (1 - f)
        xp.multiply(dcb, i, out=d[:, 2 * H:3 * H])                        # d g
        d[:, 2 * H:3 * H] *= 1 - g * g
        dcb *= f                                                          # d c_prev
        xp.matmul(d, w_hh, out=dh_b)
    gw_hr = dr_all.T @ m_all if w_hr is not None else None
    return da, gw_hr


# ----------------------------------------------------------------------------------------------------------
# GRU: r, z = sigmoid(.), n = tanh(xn + r (W_hn h + b_hn)), h' = (1 - z) n + z h
# ----------------------------------------------------------------------------------------------------------

def _gru_forward(ctx, xp, xw, h, h_prev, w_hh_t, b_hh, offsets, steps, H):
    N = xw.shape[0]
    hw_n = xp.empty((N, H), xw.dtype)
    out = xp.empty_like(h_prev)
    for t in steps:
        s, e = offsets[t], offsets[t + 1]
        b = e - s
        hp = h[:b]
        h_prev[s:e] = hp
        hw = hp @ w_hh_t                                                  # (b, 3H)
        if b_hh is not None:
            hw += b_hh
        a = xw[s:e]                                                       # becomes (r, z, n)
        a[:, :2 * H] += hw[:, :2 * H]
        _sigmoid_(xp, a[:, :2 * H])
        hw_n[s:e] = hw[:, 2 * H:]
        n = a[:, 2 * H:]
        n += a[:, :H] * hw[:, 2 * H:]
        xp.tanh(n, out=n)
        hp -= n
        hp *= a[:, H:2 * H]
        hp += n                                                           # n + z (h - n)
        out[s:e] = hp
    ctx.saved = (h_prev, xw, hw_n)
    ctx.n_batch = h.shape[0]
    return out, h


def _gru_backward(ctx, xp, g_out, dh, w_hh, offsets, back, H):
    h_prev, gates, hw_n = ctx.saved
    dx = xp.empty_like(gates)
    dhw = xp.empty_like(gates)
    for t in back:
        s, e = offsets[t], offsets[t + 1]
        b = e - s
        dh_b = dh[:b]
        if g_out is not None:
            dh_b += g_out[s:e]
        a = gates[s:e]
        r, z, n = a[:, :H], a[:, H:2 * H], a[:, 2 * H:]
        d, dw = dx[s:e], dhw[s:e]
        dnp = d[:, 2 * H:]
        xp.multiply(dh_b, 1 - z, out=dnp)
        dnp *= 1 - n * n                                                  # d (n pre-activation)
        xp.multiply(dnp, hw_n[s:e], out=d[:, :H])
        d[:, :H] *= r * (1 - r)                                           # d r
        xp.subtract(h_prev[s:e], n, out=d[:, H:2 * H])
        d[:, H:2 * H] *= dh_b
        d[:, H:2 * H] *= z * (1 - z)                                      # d z
        dw[:, :2 * H] = d[:, :2 * H]
        xp.multiply(dnp, r, out=dw[:, 2 * H:])
        dh_b *= z
        dh_b += dw @ w_hh
    return dx, dhw


# ----------------------------------------------------------------------------------------------------------
# double backward: the same layer composed from ember ops, differentiated with create_graph
# ----------------------------------------------------------------------------------------------------------

def _composed_layer(x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, mode, offsets, steps, H):
    """(out (N, Hout), h_n, c_n or None) of one layer over packed rows, as a graph of ember ops."""
    from .shape import cat
    xw = x @ w_ih.mT
    if b_ih is not None:
        xw = xw + b_ih
    h, c = h0, c0
    outs = [None] * (len(offsets) - 1)
    for t in steps:
        s, e = offsets[t], offsets[t + 1]
        b = e - s
        hp = h[:b]
        hw = hp @ w_hh.mT
        if b_hh is not None:
            hw = hw + b_hh
        a = xw[s:e]
        if mode == "GRU":
            r = (a[:, :H] + hw[:, :H]).sigmoid()
            z = (a[:, H:2 * H] + hw[:, H:2 * H]).sigmoid()
            n = (a[:, 2 * H:] + r * hw[:, 2 * H:]).tanh()
            hb = (1 - z) * n + z * hp
        elif mode == "LSTM":
            a = a + hw
            i, f, g, o = a[:, :H].sigmoid(), a[:, H:2 * H].sigmoid(), a[:, 2 * H:3 * H].tanh(), a[:, 3 * H:].sigmoid()
            cb = f * c[:b] + i * g
            hb = o * cb.tanh()
            if w_hr is not None:
                hb = hb @ w_hr.mT
            c = cb if b == c.shape[0] else cat([cb, c[b:]], 0)
        else:
            a = a + hw
            hb = a.tanh() if mode == "RNN_TANH" else a.relu()
        outs[t] = hb
        h = hb if b == h.shape[0] else cat([hb, h[b:]], 0)
    return cat(outs, 0), h, c


def _backward_graph(ctx, g_out, g_h, g_c):
    from ..autograd import enable_grad, grad
    args = ctx.saved_tensors                                              # x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr
    mode, offsets, steps, H = ctx.p[:4]
    e = ctx._edges
    wanted = [i for i in range(8) if e[i] is not None and args[i] is not None]
    with enable_grad():
        outs = _composed_layer(*args, mode, offsets, steps, H)
        pairs = [(o, g) for o, g in zip(outs, (g_out, g_h, g_c)) if o is not None and g is not None]
        grads = grad([o for o, _ in pairs], [args[i] for i in wanted], [g for _, g in pairs], create_graph=True,
                     allow_unused=True)
    res = [None] * 11
    for i, g in zip(wanted, grads):
        res[i] = g
    return tuple(res)


def recurrent_layer(x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, mode, batch_sizes, reverse):
    """One recurrent layer in one direction over packed rows ``x`` (see the module docstring).

    Returns ``(out, h_n)`` or, for ``mode == 'LSTM'``, ``(out, h_n, c_n)``.
    """
    return RecurrentLayer.apply(x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, mode, batch_sizes, reverse)
