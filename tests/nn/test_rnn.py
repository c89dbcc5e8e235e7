"""RNN, LSTM, GRU and the cells against torch after copying torch's weights in: outputs, final states and
gradients of inputs, initial states and every parameter; gradcheck in float64; torch's errors."""
import numpy as np
import pytest
import torch

import ember
from helpers import assert_same, to_ember

LAYERS = [("RNN", {}), ("RNN", {"nonlinearity": "relu"}), ("LSTM", {}), ("LSTM", {"proj_size": 3}), ("GRU", {})]
OPTIONS = [{}, {"num_layers": 2}, {"bidirectional": True}, {"num_layers": 2, "bidirectional": True},
           {"bias": False, "batch_first": True}, {"num_layers": 2, "batch_first": True, "bidirectional": True}]
TOL = {torch.float32: (1e-5, 1e-6), torch.float64: (1e-10, 1e-12)}


def _pair(name, kw, dtype, input_size=4, hidden=6):
    torch.manual_seed(0)
    mt = getattr(torch.nn, name)(input_size, hidden, **kw).to(dtype)
    me = getattr(ember.nn, name)(input_size, hidden, **kw)
    if dtype == torch.float64:
        me.double()
    me.load_state_dict({k: to_ember(v) for k, v in mt.state_dict().items()}, strict=True)
    return mt, me


def _state_sum(h):
    return h.sum() if not isinstance(h, tuple) else h[0].sum() + 2 * h[1].sum()


def _compare(mt, me, x, hx=None, dtype=torch.float64):
    rtol, atol = TOL[dtype]
    xt = x.clone().requires_grad_()
    xe = to_ember(x).requires_grad_()
    args_t, args_e = [xt], [xe]
    hx_t = hx_e = None
    if hx is not None:
        hx_t = tuple(h.clone().requires_grad_() for h in hx)
        hx_e = tuple(to_ember(h).requires_grad_() for h in hx)
        args_t.append(hx_t if len(hx) == 2 else hx_t[0])
        args_e.append(hx_e if len(hx) == 2 else hx_e[0])
    ot, ht = mt(*args_t)
    oe, he = me(*args_e)
    assert_same(oe, ot, rtol, atol)
    assert_same(he, ht, rtol, atol)
    w = torch.randn(ot.shape, dtype=dtype)
    ((ot * w).sum() + _state_sum(ht)).backward()
    ((oe * to_ember(w)).sum() + _state_sum(he)).backward()
    assert_same(xe.grad, xt.grad, rtol * 10, atol)
    if hx is not None:
        for a, b in zip(hx_e, hx_t):
            assert_same(a.grad, b.grad, rtol * 10, atol)
    for n, p in mt.named_parameters():
        assert_same(me.get_parameter(n).grad, p.grad, rtol * 10, atol)


@pytest.mark.parametrize("name,extra", LAYERS, ids=lambda v: str(v))
@pytest.mark.parametrize("kw", OPTIONS, ids=str)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=str)
def test_layer_matches_torch(name, extra, kw, dtype):
    mt, me = _pair(name, {**extra, **kw}, dtype)
    T, B = 5, 3
    x = torch.randn((B, T, 4) if kw.get("batch_first") else (T, B, 4), dtype=dtype)
    _compare(mt, me, x, dtype=dtype)


@pytest.mark.parametrize("name,extra", LAYERS, ids=lambda v: str(v))
def test_initial_states_and_unbatched(name, extra):
    kw = {**extra, "num_layers": 2, "bidirectional": True}
    mt, me = _pair(name, kw, torch.float64)
    hout = kw.get("proj_size", 6)
    h0 = torch.randn(4, 3, hout, dtype=torch.float64)
    hx = (h0, torch.randn(4, 3, 6, dtype=torch.float64)) if name == "LSTM" else (h0,)
    _compare(mt, me, torch.randn(5, 3, 4, dtype=torch.float64), hx)
    hx1 = tuple(h[:, 0] for h in hx)
    _compare(mt, me, torch.randn(5, 4, dtype=torch.float64), hx1)
    _compare(mt, me, torch.randn(5, 4, dtype=torch.float64))


@pytest.mark.parametrize("name,extra", LAYERS, ids=lambda v: str(v))
@pytest.mark.parametrize("enforce_sorted", [True, False])
def test_packed_input_matches_torch(name, extra, enforce_sorted):
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
    E = ember.nn.utils.rnn
    kw = {**extra, "num_layers": 2, "bidirectional": True}
    mt, me = _pair(name, kw, torch.float64)
    lengths = [6, 4, 4, 1] if enforce_sorted else [4, 6, 1, 4]
    x = torch.randn(6, 4, 4, dtype=torch.float64)
    xt, xe = x.clone().requires_grad_(), to_ember(x).requires_grad_()
    hout = kw.get("proj_size", 6)
    h0 = torch.randn(4, 4, hout, dtype=torch.float64)
    hx = [h0, torch.randn(4, 4, 6, dtype=torch.float64)] if name == "LSTM" else [h0]
    hx_t = [h.clone().requires_grad_() for h in hx]
    hx_e = [to_ember(h).requires_grad_() for h in hx]
    pt = pack_padded_sequence(xt, lengths, enforce_sorted=enforce_sorted)
    pe = E.pack_padded_sequence(xe, lengths, enforce_sorted=enforce_sorted)
    ot, ht = mt(pt, tuple(hx_t) if name == "LSTM" else hx_t[0])
    oe, he = me(pe, tuple(hx_e) if name == "LSTM" else hx_e[0])
    assert isinstance(oe, E.PackedSequence)
    yt, lt = pad_packed_sequence(ot, batch_first=True)
    ye, le = E.pad_packed_sequence(oe, batch_first=True)
    assert_same(ye, yt, 1e-10, 1e-12)
    assert_same(le, lt)
    assert_same(he, ht, 1e-10, 1e-12)
    w = torch.randn(yt.shape, dtype=torch.float64)
    ((yt * w).sum() + _state_sum(ht)).backward()
    ((ye * to_ember(w)).sum() + _state_sum(he)).backward()
    assert_same(xe.grad, xt.grad, 1e-9, 1e-12)
    for a, b in zip(hx_e, hx_t):
        assert_same(a.grad, b.grad, 1e-9, 1e-12)
    for n, p in mt.named_parameters():
        assert_same(me.get_parameter(n).grad, p.grad, 1e-9, 1e-12)


@pytest.mark.parametrize("name,extra", LAYERS, ids=lambda v: str(v))
def test_gradcheck(name, extra):
    me = getattr(ember.nn, name)(3, 4, num_layers=2, bidirectional=True, **extra).double()
    params = list(me.parameters())
    x = ember.randn(3, 2, 3, dtype=ember.float64, requires_grad=True)

    def fn(x, *ps):
        out, h = ember.func.functional_call(me, dict(zip([n for n, _ in me.named_parameters()], ps)), (x,)) \
            if hasattr(ember, "func") else me(x)
        return out.sum() + _state_sum(h)
    assert ember.autograd.gradcheck(fn, (x, *params), eps=1e-6, atol=1e-5)


def test_parameter_names_shapes_and_init():
    mt = torch.nn.LSTM(4, 6, num_layers=2, proj_size=3, bidirectional=True)
    me = ember.nn.LSTM(4, 6, num_layers=2, proj_size=3, bidirectional=True)
    assert [(n, tuple(p.shape)) for n, p in me.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in mt.named_parameters()]
    assert me._flat_weights_names == mt._flat_weights_names
    assert len(me._flat_weights) == len(mt._flat_weights)
    bound = 1 / np.sqrt(6)
    for p in me.parameters():
        a = p.detach().numpy()
        assert a.min() >= -bound and a.max() <= bound and a.std() > bound / 4
    me.flatten_parameters()
    assert repr(me) == repr(mt)
    for name in ("RNN", "GRU"):
        mt = getattr(torch.nn, name)(3, 5, num_layers=3, bias=False, batch_first=True, dropout=0.2)
        me = getattr(ember.nn, name)(3, 5, num_layers=3, bias=False, batch_first=True, dropout=0.2)
        assert list(me.state_dict()) == list(mt.state_dict())
        assert repr(me) == repr(mt)


def test_dropout_between_layers_only_in_training():
    me = ember.nn.LSTM(4, 8, num_layers=2, dropout=0.5).requires_grad_(False)
    x = ember.randn(5, 3, 4)
    me.eval()
    a, _ = me(x)
    b, _ = me(x)
    assert np.array_equal(a.numpy(), b.numpy())
    me.train()
    c, _ = me(x)
    assert not np.allclose(a.numpy(), c.numpy())
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        one = ember.nn.GRU(4, 8, dropout=0.5).requires_grad_(False)   # no layer after the last: no dropout
    assert np.array_equal(one(x)[0].numpy(), one(x)[0].numpy())


@pytest.mark.parametrize("name,kw", LAYERS)
def test_double_backward_matches_torch(name, kw):
    """create_graph through the fused layers: second-order gradients of inputs and weights equal torch's."""
    mt, me = _pair(name, {"num_layers": 2, "bidirectional": True, **kw}, torch.float64)
    xt = torch.randn(4, 2, 4, dtype=torch.float64, requires_grad=True)
    xe = ember.tensor(xt.detach().numpy(), requires_grad=True)
    res = []
    for lib, m, x in ((torch, mt, xt), (ember, me, xe)):
        out, h = m(x)
        gx, gw = lib.autograd.grad(out.pow(2).sum() + _state_sum(h), [x, m.weight_hh_l0], create_graph=True)
        (gx.pow(2).sum() + gw.sin().sum()).backward()
        res.append([gx, gw, x.grad] + [p.grad for p in m.parameters()])
    for a, b in zip(*res):
        np.testing.assert_allclose(b.detach().numpy(), a.detach().numpy(), rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("make,call", [
    (lambda nn: nn.LSTM(4, 6, num_layers=2, proj_size=3, bidirectional=True), lambda m, t: m(t.randn(5, 2, 3))),
    (lambda nn: nn.LSTM(4, 6), lambda m, t: m(t.randn(5, 2, 4), (t.zeros(1, 2, 6), t.zeros(1, 2, 5)))),
    (lambda nn: nn.LSTM(4, 6), lambda m, t: m(t.randn(5, 2, 4), (t.zeros(2, 2, 6), t.zeros(1, 2, 6)))),
    (lambda nn: nn.LSTM(4, 6), lambda m, t: m(t.randn(5, 4), (t.zeros(1, 1, 6), t.zeros(1, 1, 6)))),
    (lambda nn: nn.GRU(4, 6), lambda m, t: m(t.randn(1, 5, 2, 4))),
    (lambda nn: nn.GRU(3, 4), lambda m, t: m(t.randn(2, 1, 3), t.zeros(2, 1, 4))),
    (lambda nn: nn.RNN(3, 4, nonlinearity="sigmoid"), None),
    (lambda nn: nn.GRU(3, 4, proj_size=2), None),
    (lambda nn: nn.LSTM(3, 4, proj_size=4), None),
    (lambda nn: nn.LSTM(3, 4, dropout=1.5), None),
    (lambda nn: nn.LSTMCell(3, 4), lambda m, t: m(t.randn(2, 5))),
    (lambda nn: nn.GRUCell(3, 4), lambda m, t: m(t.randn(2, 3), t.randn(3, 4))),
    (lambda nn: nn.RNNCell(3, 4), lambda m, t: m(t.randn(2, 2, 3))),
])
def test_errors_match_torch(make, call):
    def run(lib):
        try:
            m = make(lib.nn)
            if call is not None:
                call(m, lib)
        except Exception as exc:  # noqa: BLE001
            return type(exc), str(exc)
        return None
    et, tt = run(ember), run(torch)
    assert tt is not None and et == tt


@pytest.mark.parametrize("name", ["RNNCell", "LSTMCell", "GRUCell"])
@pytest.mark.parametrize("batched", [True, False])
def test_cells_match_torch(name, batched):
    torch.manual_seed(0)
    mt = getattr(torch.nn, name)(4, 5).double()
    me = getattr(ember.nn, name)(4, 5).double()
    me.load_state_dict({k: to_ember(v) for k, v in mt.state_dict().items()}, strict=True)
    shape = (3, 4) if batched else (4,)
    hshape = (3, 5) if batched else (5,)
    x = torch.randn(shape, dtype=torch.float64)
    hx = [torch.randn(hshape, dtype=torch.float64) for _ in range(2 if name == "LSTMCell" else 1)]
    xt, xe = x.clone().requires_grad_(), to_ember(x).requires_grad_()
    ht = [h.clone().requires_grad_() for h in hx]
    he = [to_ember(h).requires_grad_() for h in hx]
    ot = mt(xt, tuple(ht) if name == "LSTMCell" else ht[0])
    oe = me(xe, tuple(he) if name == "LSTMCell" else he[0])
    assert_same(oe, ot, 1e-10, 1e-12)
    _state_sum(ot if isinstance(ot, tuple) else (ot, ot * 0)).backward()
    _state_sum(oe if isinstance(oe, tuple) else (oe, oe * 0)).backward()
    assert_same(xe.grad, xt.grad, 1e-10, 1e-12)
    for a, b in zip(he, ht):
        assert_same(a.grad, b.grad, 1e-10, 1e-12)
    for n, p in mt.named_parameters():
        assert_same(me.get_parameter(n).grad, p.grad, 1e-10, 1e-12)
    assert repr(me) == repr(mt)
    assert_same(me(xe.detach()) if name != "LSTMCell" else me(xe.detach())[0],
                mt(xt.detach()) if name != "LSTMCell" else mt(xt.detach())[0], 1e-10, 1e-12)


def test_torch_state_dict_roundtrip_float32():
    torch.manual_seed(1)
    mt = torch.nn.GRU(8, 16, num_layers=2, bidirectional=True, batch_first=True)
    me = ember.nn.GRU(8, 16, num_layers=2, bidirectional=True, batch_first=True)
    me.load_state_dict({k: to_ember(v) for k, v in mt.state_dict().items()}, strict=True)
    x = torch.randn(4, 12, 8)
    assert_same(me(to_ember(x))[0], mt(x)[0], 1e-5, 1e-6)
