"""Sweep of sequence-model user code (RNN / LSTM / GRU, packing, attention, Transformers), run as source
snippets under ``import torch`` and under ``import ember as torch``: printed output, results, errors and warnings
must match.

Each snippet sees ``torch`` (the library under test), ``np`` and ``fill(module_or_tensors, lo, hi)``, which
sets every parameter from a fixed linspace (weights never come from a random stream: seeded generators differ
between the libraries).  It prints and/or sets ``R``.
"""
import contextlib
import io
import sys
import warnings

import numpy as np
import pytest
import torch

import ember

PRELUDE = """
def fill(m, lo=-0.5, hi=0.5):
    ps = list(m.parameters()) if hasattr(m, 'parameters') else list(m)
    with torch.no_grad():
        for i, p in enumerate(ps):
            p.copy_(torch.linspace(lo, hi, p.numel()).reshape(p.shape) * (1 + 0.1 * i))
    return m
"""


def _norm(v):
    """A value both libraries' results can be compared as: tensors become (dtype, shape, values, grad)."""
    if isinstance(v, (torch.Tensor, ember.Tensor)):
        a = v.detach()
        a = a.float() if str(a.dtype).endswith("bfloat16") else a
        vals = np.asarray(a.numpy())
        if vals.dtype.kind == "f":
            vals = np.round(vals.astype(np.float64), 5)
        return ("T", str(v.dtype).replace("ember.", "torch."), tuple(v.shape), vals.tolist(), v.requires_grad)
    if isinstance(v, (list, tuple)):
        return type(v).__name__, [_norm(x) for x in v]
    if isinstance(v, dict):
        return type(v).__name__, {k: _norm(x) for k, x in v.items()}
    if isinstance(v, (torch.dtype, ember.dtype, torch.Size, ember.Size)):
        return str(v).replace("ember.", "torch.")
    if isinstance(v, float):
        return round(v, 6)
    return v


@contextlib.contextmanager
def _imports_as_torch(lib):
    """While a snippet runs under ember, ``import torch.nn as nn`` and ``from torch.nn.utils.rnn import ...``
    find ember's modules (as they would for a user who aliases ember as torch in sys.modules)."""
    if lib is torch:
        yield
        return
    saved = {k: v for k, v in sys.modules.items() if k == "torch" or k.startswith("torch.")}
    for k in saved:
        del sys.modules[k]
    for k, v in list(sys.modules.items()):
        if k == "ember" or k.startswith("ember."):
            sys.modules["torch" + k[5:]] = v
    try:
        yield
    finally:
        for k in [k for k in sys.modules if k == "torch" or k.startswith("torch.")]:
            del sys.modules[k]
        sys.modules.update(saved)


def run_snippet(src, lib):
    out = io.StringIO()
    env = {"torch": lib, "np": np}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with contextlib.redirect_stdout(out), _imports_as_torch(lib):
                exec(PRELUDE + src, env)
            res = _norm(env.get("R"))
        except Exception as e:  # noqa: BLE001 - the error is part of what is compared
            res = ("raised", type(e).__name__, str(e).split("\n")[0])
    msgs = [(w.category.__name__, str(w.message).split(" (Triggered internally")[0]) for w in caught
            if not str(w.message).startswith(_ONCE_PER_PROCESS)]
    return out.getvalue(), res, msgs


# warnings both libraries give once per process: whether a snippet sees them depends on test order, so they are
# left out of the comparison and checked by their own tests below
_ONCE_PER_PROCESS = ("LSTM with projections is not supported with oneDNN", "The PyTorch API of nested tensors is in prototype")


def _close(a, b):
    """Equal, with float lists compared at rtol 1e-5 / atol 1e-5 (last-digit rounding differences)."""
    if isinstance(a, float) and isinstance(b, float):
        return a == b or np.isclose(a, b, rtol=1e-5, atol=1e-5) or (np.isnan(a) and np.isnan(b))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    return a == b


def check(src):
    got, want = run_snippet(src, ember), run_snippet(src, torch)
    assert got[0] == want[0], "printed output differs"
    assert _close(got[1], want[1]), (got[1], want[1])
    assert got[2] == want[2], "warnings differ"


RNN = {
    "rnn_basic_shapes": """
nn = torch.nn
rnn = fill(nn.RNN(3, 4, num_layers=2))
x = torch.linspace(-1, 1, 5 * 2 * 3).reshape(5, 2, 3)
out, h = rnn(x)
print(rnn); print(out.shape, h.shape)
R = out, h, [n for n, _ in rnn.named_parameters()]
""",
    "rnn_relu_batch_first_h0": """
nn = torch.nn
rnn = fill(nn.RNN(input_size=3, hidden_size=4, nonlinearity='relu', batch_first=True))
x = torch.linspace(-1, 1, 2 * 5 * 3).reshape(2, 5, 3)
h0 = torch.full((1, 2, 4), 0.1)
out, h = rnn(x, h0)
print(rnn)
R = out, h, torch.equal(out[:, -1], h[0])
""",
    "rnn_positional_nonlinearity": """
rnn = torch.nn.RNN(3, 4, 2, 'relu')
print(rnn); R = rnn.nonlinearity, rnn.num_layers
""",
    "rnn_bidirectional_backward": """
nn = torch.nn
rnn = fill(nn.RNN(3, 4, bidirectional=True, bias=False))
x = torch.linspace(-1, 1, 4 * 2 * 3).reshape(4, 2, 3).requires_grad_()
out, h = rnn(x)
(out.sum() + h.pow(2).sum()).backward()
print(rnn)
R = out, h, x.grad, rnn.weight_hh_l0_reverse.grad, [n for n, _ in rnn.named_parameters()]
""",
    "lstm_basic": """
nn = torch.nn
lstm = fill(nn.LSTM(10, 20, num_layers=2, batch_first=True, bidirectional=True))
x = torch.linspace(-2, 2, 3 * 5 * 10).reshape(3, 5, 10)
out, (h, c) = lstm(x)
print(lstm)
print(out.shape, h.shape, c.shape)
R = out[:, :, :3], h[..., :3], c[..., :3], list(lstm.state_dict().keys())
""",
    "lstm_h0_c0_backward": """
nn = torch.nn
lstm = fill(nn.LSTM(3, 4, num_layers=2))
x = torch.linspace(-1, 1, 6 * 2 * 3).reshape(6, 2, 3).requires_grad_()
h0 = torch.linspace(-0.3, 0.3, 2 * 2 * 4).reshape(2, 2, 4).requires_grad_()
c0 = torch.linspace(0.2, -0.2, 2 * 2 * 4).reshape(2, 2, 4).requires_grad_()
out, (h, c) = lstm(x, (h0, c0))
loss = out.pow(2).mean() + c.sum()
loss.backward()
R = loss, x.grad, h0.grad, c0.grad, lstm.weight_ih_l1.grad, lstm.bias_hh_l0.grad
""",
    "lstm_proj_size": """
nn = torch.nn
lstm = fill(nn.LSTM(4, 6, proj_size=3, num_layers=2, bidirectional=True))
print(lstm)
x = torch.linspace(-1, 1, 5 * 2 * 4).reshape(5, 2, 4).requires_grad_()
out, (h, c) = lstm(x)
out.sum().backward()
R = (out, h, c, x.grad, lstm.weight_hr_l0.grad, [(n, tuple(p.shape)) for n, p in lstm.named_parameters()])
""",
    "gru_basic": """
nn = torch.nn
gru = fill(nn.GRU(3, 5, num_layers=2, batch_first=True, bidirectional=True))
x = torch.linspace(-1, 1, 2 * 4 * 3).reshape(2, 4, 3).requires_grad_()
out, h = gru(x)
out.mean().backward()
print(gru)
R = out, h, x.grad, gru.weight_hh_l1_reverse.grad, gru.bias_hh_l0.grad
""",
    "gru_no_bias_h0": """
gru = fill(torch.nn.GRU(2, 3, bias=False))
x = torch.ones(4, 1, 2)
out, h = gru(x, torch.full((1, 1, 3), 0.5))
print(gru)
R = out, h, list(gru.state_dict())
""",
    "unbatched_inputs": """
nn = torch.nn
x = torch.linspace(-1, 1, 5 * 3).reshape(5, 3)
rnn, lstm, gru = fill(nn.RNN(3, 4)), fill(nn.LSTM(3, 4, num_layers=2)), fill(nn.GRU(3, 4, bidirectional=True))
o1, h1 = rnn(x)
o2, (h2, c2) = lstm(x)
o3, h3 = gru(x, torch.zeros(2, 4))
R = o1, h1, o2, h2, c2, o3.shape, h3.shape, o3
""",
    "dropout_warning_single_layer": """
lstm = torch.nn.LSTM(3, 4, dropout=0.5)
print(lstm)
R = lstm.dropout
""",
    "dropout_out_of_range": "torch.nn.GRU(3, 4, num_layers=2, dropout=1.5)",
    "dropout_eval_equal": """
lstm = fill(torch.nn.LSTM(3, 4, num_layers=3, dropout=0.3))
x = torch.linspace(-1, 1, 5 * 2 * 3).reshape(5, 2, 3)
lstm.eval()
a, _ = lstm(x)
b, _ = lstm(x)
R = torch.equal(a, b), a
""",
    "wrong_hidden_size_rnn": """
rnn = torch.nn.RNN(3, 4, num_layers=2)
rnn(torch.zeros(5, 2, 3), torch.zeros(1, 2, 4))
""",
    "wrong_hidden_batch_gru": """
gru = torch.nn.GRU(3, 4, batch_first=True)
gru(torch.zeros(2, 5, 3), torch.zeros(1, 5, 4))
""",
    "wrong_hidden_lstm_h": """
lstm = torch.nn.LSTM(3, 4)
lstm(torch.zeros(5, 2, 3), (torch.zeros(1, 2, 3), torch.zeros(1, 2, 4)))
""",
    "wrong_hidden_lstm_c": """
lstm = torch.nn.LSTM(3, 4, proj_size=2)
lstm(torch.zeros(5, 2, 3), (torch.zeros(1, 2, 2), torch.zeros(1, 2, 2)))
""",
    "wrong_input_size": """
lstm = torch.nn.LSTM(3, 4)
lstm(torch.zeros(5, 2, 7))
""",
    "wrong_input_dim": """
torch.nn.GRU(3, 4)(torch.zeros(5, 2, 3, 1))
""",
    "lstm_hidden_not_tuple": """
lstm = torch.nn.LSTM(3, 4)
lstm(torch.zeros(5, 2, 3), torch.zeros(1, 2, 4))
""",
    "lstm_hidden_dims_mismatch": """
lstm = torch.nn.LSTM(3, 4)
lstm(torch.zeros(5, 2, 3), (torch.zeros(2, 4), torch.zeros(2, 4)))
""",
    "rnn_double_input": """
rnn = torch.nn.RNN(3, 4)
rnn(torch.zeros(5, 2, 3, dtype=torch.float64))
""",
    "rnn_double_model": """
rnn = fill(torch.nn.LSTM(3, 4)).double()
out, (h, c) = rnn(torch.linspace(0, 1, 30, dtype=torch.float64).reshape(5, 2, 3))
R = out.dtype, h.dtype, out
""",
    "all_weights": """
lstm = torch.nn.LSTM(3, 4, num_layers=2, bidirectional=True)
R = ([[tuple(w.shape) for w in ws] for ws in lstm.all_weights], lstm._flat_weights_names,
     len(lstm._flat_weights))
""",
    "attributes": """
g = torch.nn.GRU(3, 4, num_layers=2, batch_first=True)
R = (g.input_size, g.hidden_size, g.num_layers, g.bias, g.batch_first, g.dropout, g.bidirectional, g.proj_size,
     g.mode, type(g.dropout).__name__)
""",
    "reprs": """
nn = torch.nn
for m in [nn.LSTM(10, 20, num_layers=2, batch_first=True, bidirectional=True), nn.RNN(2, 3, nonlinearity='relu'),
          nn.GRU(2, 3, bias=False, dropout=0.25, num_layers=2), nn.LSTM(4, 8, proj_size=2), nn.RNNCell(2, 3),
          nn.RNNCell(2, 3, bias=False, nonlinearity='relu'), nn.LSTMCell(4, 5), nn.GRUCell(3, 3, bias=False),
          nn.RNN(3, 4, dropout=0.0, num_layers=2)]:
    print(m)
""",
    "state_dict_roundtrip": """
nn = torch.nn
a = fill(nn.LSTM(3, 4, num_layers=2, bidirectional=True))
b = nn.LSTM(3, 4, num_layers=2, bidirectional=True)
r = b.load_state_dict(a.state_dict())
x = torch.linspace(-1, 1, 12).reshape(2, 2, 3)
R = str(r), torch.equal(a(x)[0], b(x)[0]), list(b.state_dict().keys())
""",
    "sequential_with_lstm_last_step": """
nn = torch.nn
class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(10, 4)
        self.lstm = nn.LSTM(4, 6, batch_first=True)
        self.fc = nn.Linear(6, 2)
    def forward(self, x):
        out, (h, c) = self.lstm(self.emb(x))
        return self.fc(out[:, -1, :])
m = fill(Model())
tok = torch.tensor([[1, 2, 3, 4], [5, 6, 7, 0]])
y = m(tok)
loss = torch.nn.functional.cross_entropy(y, torch.tensor([0, 1]))
loss.backward()
print(m)
R = y, loss, m.emb.weight.grad, m.lstm.weight_hh_l0.grad
""",
    "training_loop_gru": """
nn = torch.nn
gru = fill(nn.GRU(2, 3, batch_first=True)); head = fill(nn.Linear(3, 1))
opt = torch.optim.SGD(list(gru.parameters()) + list(head.parameters()), lr=0.1)
x = torch.linspace(-1, 1, 4 * 5 * 2).reshape(4, 5, 2); y = torch.linspace(0, 1, 4).reshape(4, 1)
losses = []
for _ in range(3):
    opt.zero_grad()
    out, h = gru(x)
    loss = nn.functional.mse_loss(head(h[-1]), y)
    loss.backward(); opt.step(); losses.append(loss.item())
R = losses, gru.weight_ih_l0
""",
    "hidden_detach_tbptt": """
lstm = fill(torch.nn.LSTM(2, 3))
x = torch.linspace(-1, 1, 8 * 1 * 2).reshape(8, 1, 2)
hidden = None
tot = []
for chunk in x.split(4):
    out, hidden = lstm(chunk, hidden)
    hidden = tuple(h.detach() for h in hidden)
    out.sum().backward()
    tot.append(lstm.weight_ih_l0.grad.clone())
R = tot, hidden[0].requires_grad
""",
    "zero_length_hidden_size": "torch.nn.LSTM(3, 0)",
    "proj_size_too_big": "torch.nn.LSTM(3, 4, proj_size=4)",
    "proj_size_gru": "torch.nn.GRU(3, 4, proj_size=2)",
    "bad_nonlinearity": "torch.nn.RNN(3, 4, nonlinearity='sigmoid')",
    "float_hidden_size": "torch.nn.LSTM(3, 4.0)",
    "printed_outputs": """
nn = torch.nn
x = torch.linspace(-1, 1, 2 * 2 * 2).reshape(2, 2, 2)
for m in [nn.RNN(2, 2), nn.LSTM(2, 2), nn.GRU(2, 2, bidirectional=True), nn.LSTM(2, 2, batch_first=True),
          nn.GRU(2, 2, batch_first=True), nn.LSTM(2, 3, proj_size=1).double()]:
    fill(m)
    out, h = m(x.to(m.weight_ih_l0.dtype))
    print(out)
    print(h)
print(fill(nn.LSTM(2, 2))(x[0])[0])
""",
    "no_grad_outputs": """
lstm = fill(torch.nn.LSTM(3, 4))
with torch.no_grad():
    o, (h, c) = lstm(torch.ones(2, 1, 3))
print(o)
R = o.requires_grad, o.grad_fn, h
""",
    "dtype_device_kwargs": """
l = torch.nn.GRU(3, 4, device='cpu', dtype=torch.float64)
R = l.weight_ih_l0.dtype, str(l.weight_ih_l0.device), l(torch.ones(2, 3, dtype=torch.float64))[0].dtype
""",
    "forget_gate_bias_init": """
lstm = torch.nn.LSTM(3, 4, num_layers=2)
for name, param in lstm.named_parameters():
    if 'bias' in name:
        torch.nn.init.constant_(param, 0.0)
        n = param.size(0)
        param.data[n // 4:n // 2].fill_(1.)
    elif 'weight' in name:
        torch.nn.init.constant_(param, 0.1)
R = lstm(torch.ones(2, 1, 3))
""",
    "bidirectional_final_hidden": """
lstm = fill(torch.nn.LSTM(3, 4, bidirectional=True, num_layers=2, batch_first=True))
x = torch.linspace(-1, 1, 2 * 5 * 3).reshape(2, 5, 3)
out, (h, c) = lstm(x)
hidden = torch.cat((h[-2, :, :], h[-1, :, :]), dim=1)
hv = h.view(2, 2, 2, 4)
R = hidden, torch.allclose(out[:, -1, :4], h[-2]), torch.allclose(out[:, 0, 4:], h[-1]), hv[-1]
""",
    "parametrized_weight_norm": """
lstm = fill(torch.nn.LSTM(3, 4))
torch.nn.utils.parametrizations.weight_norm(lstm, name='weight_hh_l0')
print(sorted(n for n, _ in lstm.named_parameters()))
o, _ = lstm(torch.ones(2, 1, 3))
o.sum().backward()
R = o, lstm.parametrizations.weight_hh_l0.original0.grad
""",
    "deepcopy_save_load": """
import copy, io
lstm = fill(torch.nn.LSTM(3, 4, proj_size=2))
l2 = copy.deepcopy(lstm)
buf = io.BytesIO(); torch.save(lstm.state_dict(), buf); buf.seek(0)
l3 = torch.nn.LSTM(3, 4, proj_size=2); l3.load_state_dict(torch.load(buf))
x = torch.ones(2, 1, 3)
R = l2(x)[0], l3(x)[0], l2._flat_weights_names
""",
    "clip_grad_norm": """
lstm = fill(torch.nn.LSTM(3, 4))
o, _ = lstm(torch.linspace(-1, 1, 30).reshape(5, 2, 3))
o.sum().backward()
R = torch.nn.utils.clip_grad_norm_(lstm.parameters(), 0.5), lstm.weight_ih_l0.grad
""",
}

CELLS = {
    "rnncell_loop": """
nn = torch.nn
cell = fill(nn.RNNCell(3, 4))
x = torch.linspace(-1, 1, 5 * 2 * 3).reshape(5, 2, 3)
hx = torch.zeros(2, 4)
outs = []
for t in range(5):
    hx = cell(x[t], hx)
    outs.append(hx)
R = torch.stack(outs), hx.grad_fn is not None
""",
    "lstmcell_loop_backward": """
cell = fill(torch.nn.LSTMCell(3, 4))
x = torch.linspace(-1, 1, 4 * 2 * 3).reshape(4, 2, 3).requires_grad_()
h, c = torch.zeros(2, 4), torch.zeros(2, 4)
for t in range(4):
    h, c = cell(x[t], (h, c))
(h.sum() + c.sum()).backward()
R = h, c, x.grad, cell.weight_hh.grad, cell.bias_ih.grad
""",
    "grucell_no_hidden_unbatched": """
cell = fill(torch.nn.GRUCell(3, 2))
a = cell(torch.tensor([0.1, 0.2, 0.3]))
b = cell(torch.tensor([[0.1, 0.2, 0.3]]), torch.tensor([[0.5, -0.5]]))
c = cell(torch.tensor([0.1, 0.2, 0.3]), torch.tensor([0.5, -0.5]))
R = a, b, c
""",
    "lstmcell_unbatched_none": """
cell = fill(torch.nn.LSTMCell(2, 3))
h, c = cell(torch.tensor([1., -1.]))
R = h, c
""",
    "rnncell_relu_nobias": """
cell = fill(torch.nn.RNNCell(2, 3, bias=False, nonlinearity='relu'))
R = cell(torch.tensor([[1., -1.], [0.5, 2.]])), list(cell.state_dict()), cell.bias_ih
""",
    "cell_wrong_input": """
cell = torch.nn.LSTMCell(3, 4)
cell(torch.zeros(2, 5))
""",
    "cell_wrong_hidden": """
cell = torch.nn.GRUCell(3, 4)
cell(torch.zeros(2, 3), torch.zeros(2, 5))
""",
    "cell_batch_mismatch": """
cell = torch.nn.RNNCell(3, 4)
cell(torch.zeros(2, 3), torch.zeros(3, 4))
""",
    "cell_3d_input": """
cell = torch.nn.RNNCell(3, 4)
cell(torch.zeros(1, 2, 3))
""",
    "cell_param_shapes": """
nn = torch.nn
R = [(n, tuple(p.shape)) for c in (nn.RNNCell(3, 4), nn.LSTMCell(3, 4), nn.GRUCell(3, 4)) for n, p in c.named_parameters()]
""",
}

PACK = {
    "pad_sequence_variants": """
from torch.nn.utils.rnn import pad_sequence
a, b, c = torch.tensor([1, 2, 3]), torch.tensor([4, 5]), torch.tensor([6])
R = (pad_sequence([a, b, c]), pad_sequence([a, b, c], batch_first=True, padding_value=-1),
     pad_sequence([a, b, c], batch_first=True, padding_side='left'))
""",
    "pad_sequence_features": """
from torch.nn.utils.rnn import pad_sequence
seqs = [torch.ones(3, 2), torch.full((1, 2), 2.), torch.zeros(2, 2)]
p = pad_sequence(seqs, batch_first=True, padding_value=9.5)
print(p)
R = p.shape, p.dtype
""",
    "pad_sequence_grad": """
from torch.nn.utils.rnn import pad_sequence
a = torch.tensor([1., 2., 3.], requires_grad=True); b = torch.tensor([4., 5.], requires_grad=True)
p = pad_sequence([a, b], batch_first=True)
(p * torch.arange(6.).reshape(2, 3)).sum().backward()
R = p, a.grad, b.grad, p.grad_fn is not None
""",
    "pack_padded_sorted": """
from torch.nn.utils.rnn import pack_padded_sequence
x = torch.arange(12.).reshape(3, 4).t()   # (T=4, B=3)
p = pack_padded_sequence(x, [4, 2, 1])
print(p)
R = p.data, p.batch_sizes, p.sorted_indices, p.unsorted_indices, type(p).__name__
""",
    "pack_padded_unsorted_tensor_lengths": """
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
x = torch.arange(15.).reshape(3, 5, 1)      # batch_first
lengths = torch.tensor([2, 5, 3])
p = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
print(p)
out, lens = pad_packed_sequence(p, batch_first=True)
out2, lens2 = pad_packed_sequence(p, total_length=7, padding_value=-1.)
R = p.data, p.batch_sizes, p.sorted_indices, p.unsorted_indices, out, lens, out2, lens2
""",
    "pack_padded_unsorted_error": """
from torch.nn.utils.rnn import pack_padded_sequence
pack_padded_sequence(torch.zeros(5, 3, 2), [2, 5, 3])
""",
    "pack_padded_zero_length": """
from torch.nn.utils.rnn import pack_padded_sequence
pack_padded_sequence(torch.zeros(5, 3, 2), [5, 3, 0])
""",
    "pack_padded_len_mismatch": """
from torch.nn.utils.rnn import pack_padded_sequence
pack_padded_sequence(torch.zeros(5, 3, 2), [5, 3])
""",
    "pad_packed_total_length_short": """
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
p = pack_padded_sequence(torch.zeros(5, 2, 2), [5, 3])
pad_packed_sequence(p, total_length=3)
""",
    "pack_sequence_roundtrip": """
from torch.nn.utils.rnn import pack_sequence, unpack_sequence, pad_packed_sequence
seqs = [torch.tensor([1., 2.]), torch.tensor([3., 4., 5.]), torch.tensor([6.])]
p = pack_sequence(seqs, enforce_sorted=False)
print(p)
R = unpack_sequence(p), pad_packed_sequence(p), p.data.dtype
""",
    "pack_sequence_sorted_error": """
from torch.nn.utils.rnn import pack_sequence
pack_sequence([torch.tensor([1.]), torch.tensor([3., 4.])])
""",
    "unpad_sequence": """
from torch.nn.utils.rnn import pad_sequence, unpad_sequence
seqs = [torch.arange(3.), torch.arange(5.), torch.arange(2.)]
padded = pad_sequence(seqs)
R = unpad_sequence(padded, torch.tensor([3, 5, 2])), unpad_sequence(padded.t(), torch.tensor([3, 5, 2]), batch_first=True)
x = (torch.arange(6.).reshape(3, 2) * 1).requires_grad_()
u = unpad_sequence(x, torch.tensor([3, 1]))
print(u[0].grad_fn.name(), x.shape, padded.shape)
unpad_sequence(padded, [3, 5, 2])
""",
    "lstm_packed_vs_padded": """
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
nn = torch.nn
lstm = fill(nn.LSTM(2, 3, batch_first=True, bidirectional=True))
x = torch.linspace(-1, 1, 3 * 4 * 2).reshape(3, 4, 2).requires_grad_()
lengths = [2, 4, 3]
packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
out_p, (h, c) = lstm(packed)
out, lens = pad_packed_sequence(out_p, batch_first=True)
(out.sum() + h.sum()).backward()
print(type(out_p).__name__, out_p.data.shape, out_p.batch_sizes)
R = out, lens, h, c, x.grad, lstm.weight_ih_l0_reverse.grad
""",
    "gru_packed_h0_sorted": """
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
gru = fill(torch.nn.GRU(2, 3, num_layers=2))
x = torch.linspace(-1, 1, 4 * 3 * 2).reshape(4, 3, 2)
h0 = torch.linspace(-0.2, 0.2, 2 * 3 * 3).reshape(2, 3, 3)
out, h = gru(pack_padded_sequence(x, torch.tensor([4, 3, 1])), h0)
padded, lens = pad_packed_sequence(out, padding_value=float('nan'))
R = padded, lens, h
""",
    "rnn_packed_unsorted_h0": """
from torch.nn.utils.rnn import pack_sequence
rnn = fill(torch.nn.RNN(1, 2))
p = pack_sequence([torch.ones(1, 1), torch.ones(3, 1), torch.ones(2, 1)], enforce_sorted=False)
h0 = torch.tensor([[[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]])
out, h = rnn(p, h0)
R = out.data, out.batch_sizes, out.sorted_indices, h
""",
    "packed_wrong_hidden": """
from torch.nn.utils.rnn import pack_sequence
rnn = torch.nn.RNN(1, 2)
p = pack_sequence([torch.ones(3, 1), torch.ones(2, 1)])
rnn(p, torch.zeros(1, 3, 2))
""",
    "packed_methods": """
from torch.nn.utils.rnn import pack_sequence
p = pack_sequence([torch.ones(3, 2), torch.ones(2, 2)])
q = p.to(torch.float64)
R = q.data.dtype, p.double().data.dtype, p.is_cuda, p.batch_sizes.dtype, len(p), p[1], p._fields
""",
    "packed_seq_in_model": """
import torch.nn as nn
from torch.nn.utils.rnn import pad_sequence, pack_padded_sequence, pad_packed_sequence
class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(8, 3, padding_idx=0)
        self.rnn = nn.GRU(3, 4, batch_first=True, bidirectional=True)
        self.out = nn.Linear(8, 2)
    def forward(self, tokens, lengths):
        e = self.emb(tokens)
        packed = pack_padded_sequence(e, lengths, batch_first=True, enforce_sorted=False)
        o, _ = self.rnn(packed)
        o, _ = pad_packed_sequence(o, batch_first=True, total_length=tokens.shape[1])
        return self.out(o)
m = fill(Model := Tagger())
seqs = [torch.tensor([1, 2, 3]), torch.tensor([4, 5]), torch.tensor([6, 7, 1, 2])]
tokens = pad_sequence(seqs, batch_first=True)
lengths = torch.tensor([len(s) for s in seqs])
y = m(tokens, lengths)
loss = nn.functional.cross_entropy(y.reshape(-1, 2), torch.tensor([0, 1] * 6), ignore_index=-100)
loss.backward()
R = tokens, y, loss, m.emb.weight.grad
""",
}

ATTN = {
    "mha_basic": """
nn = torch.nn
mha = fill(nn.MultiheadAttention(embed_dim=8, num_heads=2))
q = torch.linspace(-1, 1, 3 * 2 * 8).reshape(3, 2, 8)
k = torch.linspace(1, -1, 4 * 2 * 8).reshape(4, 2, 8)
out, w = mha(q, k, k)
print(mha)
R = out, w, [(n, tuple(p.shape)) for n, p in mha.named_parameters()], list(mha.state_dict())
""",
    "mha_batch_first_self": """
mha = fill(torch.nn.MultiheadAttention(8, 4, batch_first=True))
x = torch.linspace(-1, 1, 2 * 5 * 8).reshape(2, 5, 8).requires_grad_()
out, w = mha(x, x, x, average_attn_weights=False)
out.sum().backward()
R = out, w.shape, w.sum(-1), x.grad, mha.in_proj_weight.grad, mha.out_proj.bias.grad
""",
    "mha_need_weights_false": """
mha = fill(torch.nn.MultiheadAttention(4, 2))
x = torch.linspace(-1, 1, 3 * 1 * 4).reshape(3, 1, 4)
out, w = mha(x, x, x, need_weights=False)
R = out, w
""",
    "mha_kdim_vdim": """
mha = fill(torch.nn.MultiheadAttention(6, 3, kdim=4, vdim=5, batch_first=True))
print(mha)
q = torch.linspace(-1, 1, 2 * 3 * 6).reshape(2, 3, 6)
k = torch.linspace(-1, 1, 2 * 4 * 4).reshape(2, 4, 4)
v = torch.linspace(1, -1, 2 * 4 * 5).reshape(2, 4, 5)
out, w = mha(q, k, v)
R = out, w, [(n, tuple(p.shape)) for n, p in mha.named_parameters()], mha.in_proj_weight, mha._qkv_same_embed_dim
""",
    "mha_bias_kv_zero_attn": """
mha = fill(torch.nn.MultiheadAttention(4, 2, add_bias_kv=True, add_zero_attn=True))
print(mha)
x = torch.linspace(-1, 1, 3 * 2 * 4).reshape(3, 2, 4)
out, w = mha(x, x, x)
R = out, w, list(mha.state_dict()), mha.bias_k.shape
""",
    "mha_key_padding_bool": """
mha = fill(torch.nn.MultiheadAttention(4, 2, batch_first=True))
x = torch.linspace(-1, 1, 2 * 3 * 4).reshape(2, 3, 4)
kpm = torch.tensor([[False, False, True], [False, True, True]])
out, w = mha(x, x, x, key_padding_mask=kpm)
R = out, w
""",
    "mha_key_padding_float": """
mha = fill(torch.nn.MultiheadAttention(4, 2, batch_first=True))
x = torch.linspace(-1, 1, 2 * 3 * 4).reshape(2, 3, 4)
kpm = torch.tensor([[0., 0., float('-inf')], [0., -1., float('-inf')]])
out, w = mha(x, x, x, key_padding_mask=kpm)
R = out, w
""",
    "mha_attn_mask_2d_3d": """
nn = torch.nn
mha = fill(nn.MultiheadAttention(4, 2))
x = torch.linspace(-1, 1, 3 * 2 * 4).reshape(3, 2, 4)
causal = nn.Transformer.generate_square_subsequent_mask(3)
o1, w1 = mha(x, x, x, attn_mask=causal)
o2, w2 = mha(x, x, x, attn_mask=torch.triu(torch.ones(3, 3, dtype=torch.bool), diagonal=1))
m3 = torch.zeros(4, 3, 3); m3[1, 0, 2] = -1.
o3, w3 = mha(x, x, x, attn_mask=m3, average_attn_weights=False)
o4, _ = mha(x, x, x, attn_mask=causal, is_causal=True)
R = o1, w1, torch.allclose(o1, o2), w3, torch.allclose(o4, o1)
""",
    "mha_mask_mismatch_warning": """
mha = fill(torch.nn.MultiheadAttention(4, 2))
x = torch.linspace(-1, 1, 3 * 2 * 4).reshape(3, 2, 4)
out, _ = mha(x, x, x, attn_mask=torch.zeros(3, 3), key_padding_mask=torch.zeros(2, 3, dtype=torch.bool))
R = out
""",
    "mha_bad_mask_shape": """
mha = torch.nn.MultiheadAttention(4, 2)
x = torch.zeros(3, 2, 4)
mha(x, x, x, attn_mask=torch.zeros(2, 3))
""",
    "mha_bad_3d_mask_shape": """
mha = torch.nn.MultiheadAttention(4, 2)
x = torch.zeros(3, 2, 4)
mha(x, x, x, attn_mask=torch.zeros(2, 3, 3))
""",
    "mha_bad_kpm_shape": """
mha = torch.nn.MultiheadAttention(4, 2)
x = torch.zeros(3, 2, 4)
mha(x, x, x, key_padding_mask=torch.zeros(3, 2, dtype=torch.bool))
""",
    "mha_mask_rank_errors": """
mha = torch.nn.MultiheadAttention(4, 2)
x, u = torch.zeros(3, 2, 4), torch.zeros(3, 4)
for fn in [lambda: mha(x, x, x, key_padding_mask=torch.zeros(2, 4, dtype=torch.bool)),
           lambda: mha(x, x, x, key_padding_mask=torch.zeros(2, dtype=torch.bool)),
           lambda: mha(u, u, u, key_padding_mask=torch.zeros(2, 3, dtype=torch.bool)),
           lambda: mha(u, u, u, attn_mask=torch.zeros(3, 3, 3)),
           lambda: mha(x, x, x, attn_mask=torch.zeros(4, 3, 3, 1)),
           lambda: mha(x, u, u),
           lambda: mha(x, torch.zeros(3, 2, 4), torch.zeros(4, 2, 4)),
           lambda: mha(x, torch.zeros(3, 3, 4), torch.zeros(3, 3, 4)),
           lambda: torch.nn.MultiheadAttention(4, 2, kdim=3, vdim=5)(x, torch.zeros(3, 2, 3), torch.zeros(4, 2, 5)),
           lambda: torch.nn.MultiheadAttention(4, 2, add_bias_kv=True)(x, x, x,
                                                                       key_padding_mask=torch.zeros(2, 4))]:
    try:
        fn()
    except Exception as e:
        print(type(e).__name__, str(e).split(chr(10))[0])
R = mha(u, u, u, attn_mask=torch.zeros(2, 3, 3))[1].shape
""",
    "mha_int_mask": """
mha = torch.nn.MultiheadAttention(4, 2)
x = torch.zeros(3, 2, 4)
mha(x, x, x, attn_mask=torch.zeros(3, 3, dtype=torch.long))
""",
    "mha_is_causal_without_mask": """
mha = torch.nn.MultiheadAttention(4, 2)
x = torch.zeros(3, 2, 4)
mha(x, x, x, is_causal=True)
""",
    "mha_not_divisible": "torch.nn.MultiheadAttention(5, 2)",
    "mha_wrong_embed": """
mha = torch.nn.MultiheadAttention(4, 2)
x = torch.zeros(3, 2, 6)
mha(x, x, x)
""",
    "mha_unbatched": """
mha = fill(torch.nn.MultiheadAttention(4, 2))
x = torch.linspace(-1, 1, 3 * 4).reshape(3, 4)
out, w = mha(x, x, x, key_padding_mask=torch.tensor([False, False, True]))
o2, w2 = mha(x, x, x, average_attn_weights=False)
R = out, w, w2.shape
""",
    "mha_eval_no_grad": """
mha = fill(torch.nn.MultiheadAttention(8, 2, dropout=0.0, batch_first=True)).eval()
x = torch.linspace(-1, 1, 2 * 3 * 8).reshape(2, 3, 8)
with torch.no_grad():
    out, w = mha(x, x, x)
    out2, w2 = mha(x, x, x, key_padding_mask=torch.tensor([[False, False, True], [False, False, False]]))
R = out, w, out2, w2
""",
    "mha_no_bias": """
mha = fill(torch.nn.MultiheadAttention(4, 1, bias=False))
print(mha)
x = torch.linspace(-1, 1, 2 * 1 * 4).reshape(2, 1, 4)
R = mha(x, x, x), list(mha.state_dict()), mha.in_proj_bias, mha.out_proj.bias
""",
    "mha_attributes": """
mha = torch.nn.MultiheadAttention(8, 2, dropout=0.1, kdim=3)
R = (mha.embed_dim, mha.num_heads, mha.head_dim, mha.dropout, mha.batch_first, mha.kdim, mha.vdim,
     mha.add_zero_attn, mha.bias_k, type(mha.out_proj).__name__, mha.in_proj_weight)
""",
    "mha_init_values": """
mha = torch.nn.MultiheadAttention(8, 2)
R = mha.in_proj_bias, mha.out_proj.bias, mha.in_proj_weight.abs().max() <= (6 / (8 + 24)) ** 0.5
""",
    "sdpa_basic": """
F = torch.nn.functional
q = torch.linspace(-1, 1, 2 * 3 * 4).reshape(1, 2, 3, 4).requires_grad_()
k = torch.linspace(1, -1, 2 * 5 * 4).reshape(1, 2, 5, 4).requires_grad_()
v = torch.linspace(0, 1, 2 * 5 * 6).reshape(1, 2, 5, 6).requires_grad_()
out = F.scaled_dot_product_attention(q, k, v)
out.sum().backward()
o3 = F.scaled_dot_product_attention(q[0], k[0], v[0])
R = out, q.grad, k.grad, v.grad, out.grad_fn.name(), o3.grad_fn.name(), F.scaled_dot_product_attention(
    q, k, k).grad_fn.name(), F.scaled_dot_product_attention(q[0, 0], k[0, 0], v[0, 0]).grad_fn.name()
""",
    "sdpa_causal_scale": """
F = torch.nn.functional
q = torch.linspace(-1, 1, 4 * 4).reshape(4, 4)
R = (F.scaled_dot_product_attention(q, q, q, is_causal=True), F.scaled_dot_product_attention(q, q, q, scale=0.3),
     F.scaled_dot_product_attention(q[None], q[None], q[None], is_causal=True, scale=2.0))
""",
    "sdpa_masks": """
F = torch.nn.functional
q = torch.linspace(-1, 1, 2 * 3 * 4).reshape(2, 3, 4)
k = torch.linspace(1, -1, 2 * 5 * 4).reshape(2, 5, 4)
bm = torch.tensor([[True, True, False, False, True]]).expand(3, 5)
fm = torch.linspace(-1, 0, 15).reshape(3, 5)
R = (F.scaled_dot_product_attention(q, k, k, attn_mask=bm), F.scaled_dot_product_attention(q, k, k, attn_mask=fm),
     F.scaled_dot_product_attention(q, k, k, attn_mask=bm[None].expand(2, 3, 5)))
""",
    "sdpa_fully_masked_row": """
F = torch.nn.functional
q = torch.linspace(-1, 1, 1 * 2 * 3 * 4).reshape(1, 2, 3, 4)
mask = torch.tensor([[True, True, True], [False, False, False], [True, False, True]])
R = F.scaled_dot_product_attention(q, q, q, attn_mask=mask)
""",
    "sdpa_gqa": """
F = torch.nn.functional
q = torch.linspace(-1, 1, 1 * 4 * 3 * 2).reshape(1, 4, 3, 2)
k = torch.linspace(1, -1, 1 * 2 * 3 * 2).reshape(1, 2, 3, 2)
R = F.scaled_dot_product_attention(q, k, k, enable_gqa=True)
""",
    "sdpa_dtype_mismatch": """
F = torch.nn.functional
F.scaled_dot_product_attention(torch.zeros(2, 3), torch.zeros(2, 3, dtype=torch.float64), torch.zeros(2, 3))
""",
    "sdpa_manual_equivalent": """
F = torch.nn.functional
q = torch.linspace(-1, 1, 2 * 3 * 4).reshape(2, 3, 4)
k = torch.linspace(1, -1, 2 * 3 * 4).reshape(2, 3, 4)
ref = torch.softmax(q @ k.transpose(-2, -1) / 2.0, dim=-1) @ k
R = torch.allclose(F.scaled_dot_product_attention(q, k, k), ref, atol=1e-6), ref
""",
    "functional_mha_forward": """
F = torch.nn.functional
E = 4
x = torch.linspace(-1, 1, 3 * 2 * E).reshape(3, 2, E)
w = torch.linspace(-0.5, 0.5, 3 * E * E).reshape(3 * E, E); b = torch.linspace(0, 0.1, 3 * E)
ow = torch.linspace(0.5, -0.5, E * E).reshape(E, E); ob = torch.zeros(E)
out, attn = F.multi_head_attention_forward(x, x, x, E, 2, w, b, None, None, False, 0.0, ow, ob, training=False)
R = out, attn
""",
}

TRANSFORMER = {
    "encoder_layer_basic": """
nn = torch.nn
layer = fill(nn.TransformerEncoderLayer(d_model=8, nhead=2, dim_feedforward=16, dropout=0.0))
print(layer)
src = torch.linspace(-1, 1, 5 * 2 * 8).reshape(5, 2, 8).requires_grad_()
out = layer(src)
out.pow(2).sum().backward()
R = out, src.grad, layer.linear1.weight.grad, list(layer.state_dict())
""",
    "encoder_layer_norm_first_gelu_batch_first": """
nn = torch.nn
layer = fill(nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, activation='gelu', batch_first=True,
                                        norm_first=True))
src = torch.linspace(-1, 1, 2 * 5 * 8).reshape(2, 5, 8)
mask = nn.Transformer.generate_square_subsequent_mask(5)
kpm = torch.tensor([[False] * 5, [False, False, False, True, True]])
R = layer(src), layer(src, src_mask=mask), layer(src, src_key_padding_mask=kpm), layer(src, mask, is_causal=True)
""",
    "encoder_layer_callable_activation": """
nn = torch.nn
layer = fill(nn.TransformerEncoderLayer(4, 1, 8, dropout=0.0, activation=torch.tanh))
layer2 = fill(nn.TransformerEncoderLayer(4, 1, 8, dropout=0.0, activation=nn.GELU()))
print(layer2)
src = torch.linspace(-1, 1, 3 * 4).reshape(3, 4)
R = layer(src), layer2(src), layer.activation_relu_or_gelu, layer2.activation_relu_or_gelu
""",
    "encoder_layer_bad_activation": "torch.nn.TransformerEncoderLayer(4, 1, activation='tanh')",
    "encoder_layer_defaults": """
layer = torch.nn.TransformerEncoderLayer(16, 4)
R = (layer.linear1.out_features, layer.dropout.p, layer.norm1.eps, layer.norm_first, layer.self_attn.batch_first,
     layer.activation_relu_or_gelu, layer.self_attn.dropout)
""",
    "encoder_stack_warning": """
nn = torch.nn
layer = nn.TransformerEncoderLayer(d_model=8, nhead=2, dim_feedforward=16)
enc = nn.TransformerEncoder(layer, num_layers=2)
enc2 = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, batch_first=True, norm_first=True), 2)
enc3 = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 1, 16, batch_first=True), 2, enable_nested_tensor=False)
enc4 = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 1, 16, batch_first=True), 2)
print(enc)
R = list(enc.state_dict())[:8], len(enc.layers), enc.layers[0] is not layer, enc.use_nested_tensor
""",
    "encoder_stack_forward": """
nn = torch.nn
layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True)
enc = fill(nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(8), enable_nested_tensor=False))
src = torch.linspace(-1, 1, 2 * 4 * 8).reshape(2, 4, 8).requires_grad_()
mask = nn.Transformer.generate_square_subsequent_mask(4)
out = enc(src, mask=mask)
out.sum().backward()
R = out, src.grad, enc.layers[1].self_attn.in_proj_weight.grad
""",
    "encoder_padding_eval_nested": """
nn = torch.nn
layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True)
enc = fill(nn.TransformerEncoder(layer, 2)).eval()
src = torch.linspace(-1, 1, 2 * 4 * 8).reshape(2, 4, 8)
kpm = torch.tensor([[False, False, False, True], [False, False, False, False]])
with torch.no_grad():
    out = enc(src, src_key_padding_mask=kpm)
R = out
""",
    "encoder_padding_train": """
nn = torch.nn
layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0)
enc = fill(nn.TransformerEncoder(layer, 1, enable_nested_tensor=False))
src = torch.linspace(-1, 1, 4 * 2 * 8).reshape(4, 2, 8)
kpm = torch.tensor([[False, False, False, True], [False, False, False, False]])
R = enc(src, src_key_padding_mask=kpm)
""",
    "decoder_layer": """
nn = torch.nn
layer = fill(nn.TransformerDecoderLayer(d_model=8, nhead=2, dim_feedforward=16, dropout=0.0))
print(layer)
tgt = torch.linspace(-1, 1, 3 * 2 * 8).reshape(3, 2, 8).requires_grad_()
mem = torch.linspace(1, -1, 4 * 2 * 8).reshape(4, 2, 8)
out = layer(tgt, mem, tgt_mask=nn.Transformer.generate_square_subsequent_mask(3),
            memory_key_padding_mask=torch.tensor([[False, False, True, True], [False] * 4]))
out.sum().backward()
R = out, tgt.grad, list(layer.state_dict())
""",
    "decoder_stack_norm_first": """
nn = torch.nn
layer = nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, batch_first=True, norm_first=True, activation='gelu')
dec = fill(nn.TransformerDecoder(layer, num_layers=2, norm=nn.LayerNorm(8)))
tgt = torch.linspace(-1, 1, 2 * 3 * 8).reshape(2, 3, 8)
mem = torch.linspace(1, -1, 2 * 4 * 8).reshape(2, 4, 8)
R = dec(tgt, mem, tgt_mask=nn.Transformer.generate_square_subsequent_mask(3), tgt_is_causal=True), \\
    [k for k in dec.state_dict() if 'layers.1' in k]
""",
    "square_mask_values": """
nn = torch.nn
m = nn.Transformer.generate_square_subsequent_mask(4)
print(m)
print(nn.Transformer.generate_square_subsequent_mask(3, dtype=torch.float64))
print(torch.triu(torch.ones(3, 3) * float('-inf'), diagonal=1))
R = m.dtype, m.requires_grad
""",
    "full_transformer": """
nn = torch.nn
model = fill(nn.Transformer(d_model=8, nhead=2, num_encoder_layers=2, num_decoder_layers=1, dim_feedforward=16,
                            dropout=0.0, batch_first=True))
src = torch.linspace(-1, 1, 2 * 5 * 8).reshape(2, 5, 8)
tgt = torch.linspace(1, -1, 2 * 3 * 8).reshape(2, 3, 8)
tgt_mask = model.generate_square_subsequent_mask(3)
out = model(src, tgt, tgt_mask=tgt_mask, src_key_padding_mask=torch.tensor([[False] * 5, [False] * 4 + [True]]),
            memory_key_padding_mask=torch.tensor([[False] * 5, [False] * 4 + [True]]))
out.sum().backward()
R = out, model.encoder.layers[0].linear1.weight.grad, sum(p.numel() for p in model.parameters())
""",
    "full_transformer_keys_repr": """
nn = torch.nn
model = nn.Transformer(d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=16)
print(model)
R = list(model.state_dict()), model.d_model, model.nhead, model.batch_first
""",
    "transformer_batch_mismatch": """
model = torch.nn.Transformer(d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=16)
model(torch.zeros(5, 2, 8), torch.zeros(3, 3, 8))
""",
    "transformer_feature_mismatch": """
model = torch.nn.Transformer(d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=16)
model(torch.zeros(5, 2, 8), torch.zeros(3, 2, 4))
""",
    "transformer_unbatched": """
model = fill(torch.nn.Transformer(d_model=4, nhead=1, num_encoder_layers=1, num_decoder_layers=1,
                                  dim_feedforward=8, dropout=0.0))
R = model(torch.linspace(-1, 1, 20).reshape(5, 4), torch.linspace(1, -1, 12).reshape(3, 4))
""",
    "transformer_xavier_init": """
model = torch.nn.Transformer(d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=16)
w = model.encoder.layers[0].linear1.weight
R = bool(w.abs().max() <= (6 / (8 + 16)) ** 0.5), model.encoder.layers[0].linear1.bias.abs().max() <= 8 ** -0.5
""",
    "transformer_train_eval_dropout0": """
nn = torch.nn
model = fill(nn.Transformer(d_model=4, nhead=2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=8,
                            dropout=0.0))
src, tgt = torch.linspace(-1, 1, 3 * 2 * 4).reshape(3, 2, 4), torch.linspace(0, 1, 2 * 2 * 4).reshape(2, 2, 4)
a = model(src, tgt)
model.eval()
with torch.no_grad():
    b = model(src, tgt)
R = torch.allclose(a, b, atol=1e-6), a
""",
    "lm_with_positional_encoding": """
import math
nn = torch.nn
class PositionalEncoding(nn.Module):
    def __init__(self, d_model, max_len=50):
        super().__init__()
        position = torch.arange(max_len).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe = torch.zeros(max_len, 1, d_model)
        pe[:, 0, 0::2] = torch.sin(position * div_term)
        pe[:, 0, 1::2] = torch.cos(position * div_term)
        self.register_buffer('pe', pe)
    def forward(self, x):
        return x + self.pe[:x.size(0)]
class LM(nn.Module):
    def __init__(self, ntoken=10, d_model=8):
        super().__init__()
        self.pos = PositionalEncoding(d_model)
        self.emb = nn.Embedding(ntoken, d_model)
        self.enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(d_model, 2, 16, 0.0), 2)
        self.dec = nn.Linear(d_model, ntoken)
        self.d_model = d_model
    def forward(self, src, mask):
        x = self.pos(self.emb(src) * math.sqrt(self.d_model))
        return self.dec(self.enc(x, mask))
m = fill(LM())
src = torch.tensor([[1, 2], [3, 4], [5, 6], [7, 8]])
mask = nn.Transformer.generate_square_subsequent_mask(4)
out = m(src, mask)
loss = nn.functional.cross_entropy(out.view(-1, 10), torch.tensor([2, 3, 4, 5, 6, 7, 8, 9]))
loss.backward()
opt = torch.optim.Adam(m.parameters(), lr=1e-3); opt.step()
R = out, loss, m.emb.weight.grad, m.pos.pe[:3, 0], list(m.state_dict())[:6]
""",
    "encoder_layer_no_bias": """
l = fill(torch.nn.TransformerEncoderLayer(4, 2, 8, 0.0, bias=False))
print(l)
R = l(torch.linspace(-1, 1, 24).reshape(3, 2, 4)), list(l.state_dict())
""",
    "custom_encoder": """
nn = torch.nn
enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 8, 0.0), 1)
m = nn.Transformer(4, 2, custom_encoder=enc, num_decoder_layers=1, dim_feedforward=8, dropout=0.0)
fill(m)
R = m(torch.linspace(-1, 1, 24).reshape(3, 2, 4), torch.linspace(-1, 1, 16).reshape(2, 2, 4)), list(m.state_dict())[:3]
""",
    "encoder_bool_and_float_masks": """
nn = torch.nn
enc = fill(nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 8, 0.0), 2, enable_nested_tensor=False))
x = torch.linspace(-1, 1, 24).reshape(3, 2, 4)
m = torch.triu(torch.ones(3, 3, dtype=torch.bool), 1)
R = enc(x, mask=m), enc(x, mask=m, is_causal=True), enc(x, mask=m.float().masked_fill(m, float('-inf')))
""",
    "encoder_mask_type_mismatch": """
nn = torch.nn
enc = fill(nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 8, 0.0), 1, enable_nested_tensor=False))
x = torch.linspace(-1, 1, 24).reshape(3, 2, 4)
R = enc(x, mask=torch.zeros(3, 3), src_key_padding_mask=torch.zeros(2, 3, dtype=torch.bool))
""",
}

MORE = {
    "ctor_errors": """
nn = torch.nn
for fn in [lambda: nn.LSTM(3), lambda: nn.RNN(3), lambda: nn.GRU(), lambda: nn.LSTM(3, 4, foo=1), lambda: nn.RNN(3, 4, 1, 'tanh', True, False, 0.0, False, 2),
           lambda: nn.LSTM(3, 4, num_layers=0), lambda: nn.LSTM(3, 4, num_layers=1.5), lambda: nn.LSTM(3, -1), lambda: nn.LSTM(3, 4, dropout=-0.1),
           lambda: nn.LSTM(3, 4, dropout=True), lambda: nn.LSTM(3, 4, proj_size=-1), lambda: nn.RNNCell(3),
           lambda: nn.MultiheadAttention(4, 0), lambda: nn.MultiheadAttention(0, 2), lambda: nn.TransformerEncoderLayer(5, 2),
           lambda: nn.TransformerEncoder(None, 2), lambda: nn.Transformer(d_model=6, nhead=4)]:
    try:
        m = fn(); print('ok', m)
    except Exception as e:
        print(type(e).__name__, str(e).split(chr(10))[0])
""",
    "positional_args": """
nn = torch.nn
print(nn.RNN(3, 4, 2, 'relu', False, True, 0.0, True))
print(nn.LSTM(3, 4, 2, False, True, 0.0, True, 2))
print(nn.GRU(3, 4, 2, True, True, 0.5, False))
print(nn.RNN(3, 4, 2, nonlinearity='relu', dropout=0.5))
print(nn.LSTM(input_size=3, hidden_size=4))
m = nn.RNN(3, 4, 2, 'relu', False, True, 0.0, True)
R = m.bias, m.batch_first, m.bidirectional, m.nonlinearity
""",
    "num_layers_float_dropout_int": """
m = torch.nn.LSTM(3, 4, num_layers=2, dropout=1)
print(m)
R = m.dropout, type(m.dropout).__name__
""",
    "cell_call_errors": """
nn = torch.nn
for fn in [lambda: nn.LSTMCell(3, 4)(torch.ones(2, 3), torch.ones(2, 4)),
           lambda: nn.LSTMCell(3, 4)(torch.ones(2, 3), (torch.ones(2, 4),)),
           lambda: nn.LSTMCell(3, 4)(torch.ones(3), (torch.ones(1, 4), torch.ones(1, 4))),
           lambda: nn.GRUCell(3, 4)(torch.ones(2, 3, dtype=torch.float64)),
           lambda: nn.RNNCell(3, 4)(torch.ones(2, 3), torch.ones(2, 4, 1)),
           lambda: nn.RNNCell(3, 4)(torch.ones(0, 3)).shape]:
    try:
        print(fn())
    except Exception as e:
        print(type(e).__name__, str(e).split(chr(10))[0])
""",
    "rnn_call_errors": """
nn = torch.nn
for fn in [lambda: nn.LSTM(3, 4)(torch.ones(5, 3), (torch.ones(1, 4), torch.ones(1, 1, 4))),
           lambda: nn.GRU(3, 4)(torch.ones(5, 3), torch.ones(1, 2, 4)),
           lambda: nn.GRU(3, 4)(torch.ones(5, 2, 3), torch.ones(2, 4)),
           lambda: nn.GRU(3, 4)(torch.ones(3)),
           lambda: nn.GRU(3, 4)(torch.ones(5, 0, 3)),
           lambda: nn.GRU(3, 4)(torch.ones(0, 2, 3)),
           lambda: nn.LSTM(3, 4)(torch.ones(5, 1, 3), (torch.ones(1, 1, 4, dtype=torch.float64), torch.ones(1, 1, 4))),
           lambda: nn.GRU(3, 4)(torch.ones(5, 1, 3), torch.ones(1, 1, 4, dtype=torch.float64)),
           lambda: nn.LSTM(3, 4)(torch.ones(5, 1, 3), None),
           lambda: nn.LSTM(3, 4)([torch.ones(5, 1, 3)])]:
    try:
        r = fn(); print(r[0].shape)
    except Exception as e:
        print(type(e).__name__, str(e).split(chr(10))[0])
""",
    "pack_errors": """
U = torch.nn.utils.rnn
for fn in [lambda: U.pack_padded_sequence(torch.ones(3, 2), torch.tensor([[3, 2]])),
           lambda: U.pack_padded_sequence(torch.ones(3, 2), torch.tensor([3., 2.])),
           lambda: U.pack_padded_sequence(torch.ones(3, 2), [3, 2]),
           lambda: U.pack_padded_sequence(torch.ones(3, 2), (3, 2)).data,
           lambda: U.pack_padded_sequence(torch.ones(3, 2), torch.tensor([3, 2], dtype=torch.int32)).batch_sizes,
           lambda: U.pad_sequence([]),
           lambda: U.pad_sequence([torch.ones(2, 3), torch.ones(1, 4)]),
           lambda: U.pad_sequence([torch.ones(2), torch.ones(3, dtype=torch.long)]),
           lambda: U.pad_sequence([torch.ones(2), torch.ones(3)], padding_side='middle'),
           lambda: U.pad_sequence((torch.ones(2), torch.ones(3))),
           lambda: U.pad_sequence(torch.ones(2, 3)),
           lambda: U.pack_sequence([]),
           lambda: U.pad_packed_sequence(torch.ones(3))]:
    try:
        print(fn())
    except Exception as e:
        print(type(e).__name__, str(e).split(chr(10))[0])
""",
    "pad_sequence_scalar_padding": """
U = torch.nn.utils.rnn
R = (U.pad_sequence([torch.tensor([1, 2]), torch.tensor([3])], padding_value=-1.5),
     U.pad_sequence([torch.tensor([True]), torch.tensor([True, False])]),
     U.pad_sequence([torch.ones(2, 0), torch.ones(1, 0)]).shape)
""",
    "manual_packed": """
from torch.nn.utils.rnn import pack_sequence, PackedSequence, pad_packed_sequence
p = pack_sequence([torch.tensor([[1.], [2.], [3.]]), torch.tensor([[4.]]), torch.tensor([[5.], [6.]])], enforce_sorted=False)
q = PackedSequence(p.data * 2, p.batch_sizes, p.sorted_indices, p.unsorted_indices)
r = p._replace(data=p.data + 1)
print(q); print(r)
print(pad_packed_sequence(q, batch_first=True))
s = PackedSequence(torch.ones(3), torch.tensor([2, 1]))
print(s)
""",
    "step_loop": """
gru = fill(torch.nn.GRU(2, 3))
x = torch.linspace(-1, 1, 4 * 1 * 2).reshape(4, 1, 2)
h = None
outs = []
for t in range(4):
    o, h = gru(x[t:t + 1], h)
    outs.append(o)
full, hf = gru(x)
R = torch.allclose(torch.cat(outs), full, atol=1e-6), h
""",
    "noncontig": """
lstm = fill(torch.nn.LSTM(3, 4))
x = torch.linspace(-1, 1, 2 * 5 * 3).reshape(2, 5, 3).transpose(0, 1)
h0 = torch.linspace(0, 1, 2 * 4).reshape(2, 1, 4).transpose(0, 1)
lstm.flatten_parameters()
R = lstm(x, (h0, h0))
""",
    "enc_is_causal_no_mask": """
nn = torch.nn
enc = fill(nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 8, 0.0), 1, enable_nested_tensor=False))
x = torch.linspace(-1, 1, 24).reshape(3, 2, 4)
R = enc(x, is_causal=True)
""",
    "enc_layer_is_causal_no_mask": """
nn = torch.nn
l = fill(nn.TransformerEncoderLayer(4, 2, 8, 0.0))
x = torch.linspace(-1, 1, 24).reshape(3, 2, 4)
R = l(x, is_causal=True)
""",
    "dec_tgt_is_causal_no_mask": """
nn = torch.nn
d = fill(nn.TransformerDecoder(nn.TransformerDecoderLayer(4, 2, 8, 0.0), 1))
x = torch.linspace(-1, 1, 24).reshape(3, 2, 4)
R = d(x, x, tgt_is_causal=True)
""",
    "transformer_causal_flags": """
nn = torch.nn
m = fill(nn.Transformer(4, 2, 1, 1, 8, 0.0))
x = torch.linspace(-1, 1, 24).reshape(3, 2, 4)
mask = m.generate_square_subsequent_mask(3)
R = m(x, x, src_mask=mask, tgt_mask=mask, src_is_causal=True, tgt_is_causal=True), m(x, x, tgt_mask=mask)
""",
    "mha_batch_mismatch": """
mha = torch.nn.MultiheadAttention(4, 2)
mha(torch.ones(3, 2, 4), torch.ones(3, 5, 4), torch.ones(3, 5, 4))
""",
    "enc_layer_3d_mask": """
nn = torch.nn
l = fill(nn.TransformerEncoderLayer(4, 2, 8, 0.0, batch_first=True))
x = torch.linspace(-1, 1, 24).reshape(2, 3, 4)
m = torch.zeros(4, 3, 3); m[:, 0, 1:] = float('-inf')
R = l(x, src_mask=m)
""",
    "enc_layer_eval_fastpath": """
nn = torch.nn
l = fill(nn.TransformerEncoderLayer(4, 2, 8, 0.1, batch_first=True)).eval()
x = torch.linspace(-1, 1, 24).reshape(2, 3, 4)
kpm = torch.tensor([[False, False, True], [False, False, False]])
with torch.no_grad():
    R = l(x), l(x, src_key_padding_mask=kpm)
""",
    "enc_eval_fastpath_nested_out": """
nn = torch.nn
enc = fill(nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 8, 0.1, batch_first=True), 2, norm=nn.LayerNorm(4))).eval()
x = torch.linspace(-1, 1, 24).reshape(2, 3, 4)
kpm = torch.tensor([[False, False, True], [False, False, False]])
with torch.inference_mode():
    R = enc(x, src_key_padding_mask=kpm)
""",
    "mha_static_kv": """
F = torch.nn.functional
E = 4
x = torch.linspace(-1, 1, 3 * 2 * E).reshape(3, 2, E)
w = torch.linspace(-0.5, 0.5, 3 * E * E).reshape(3 * E, E); b = torch.linspace(0, 0.1, 3 * E)
ow = torch.linspace(0.5, -0.5, E * E).reshape(E, E); ob = torch.zeros(E)
sk = torch.linspace(0, 1, 4 * 5 * 2).reshape(4, 5, 2)
out, attn = F.multi_head_attention_forward(x, x, x, E, 2, w, b, None, None, False, 0.0, ow, ob, training=False,
                                           static_k=sk, static_v=sk)
R = out, attn
""",
    "lstm_seq2seq": """
nn = torch.nn
class Enc(nn.Module):
    def __init__(self):
        super().__init__(); self.emb = nn.Embedding(6, 3); self.rnn = nn.LSTM(3, 4, batch_first=True)
    def forward(self, x):
        return self.rnn(self.emb(x))
class Dec(nn.Module):
    def __init__(self):
        super().__init__(); self.emb = nn.Embedding(6, 3); self.rnn = nn.LSTM(3, 4, batch_first=True); self.fc = nn.Linear(8, 6)
    def forward(self, y, hidden, enc_out):
        o, hidden = self.rnn(self.emb(y), hidden)
        scores = torch.bmm(o, enc_out.transpose(1, 2))
        attn = torch.softmax(scores, dim=-1)
        ctx = torch.bmm(attn, enc_out)
        return self.fc(torch.cat([o, ctx], -1)), hidden, attn
enc, dec = fill(Enc()), fill(Dec())
src = torch.tensor([[1, 2, 3], [4, 5, 0]]); tgt = torch.tensor([[1, 2], [3, 4]])
enc_out, hidden = enc(src)
logits, hidden, attn = dec(tgt, hidden, enc_out)
loss = nn.CrossEntropyLoss(ignore_index=0)(logits.reshape(-1, 6), torch.tensor([2, 3, 4, 0]))
loss.backward()
R = logits, attn, loss, enc.rnn.weight_hh_l0.grad
""",
    "gru_h0_requires_grad_param": """
nn = torch.nn
class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(2, 3, num_layers=2, batch_first=True)
        self.h0 = nn.Parameter(torch.zeros(2, 1, 3))
    def forward(self, x):
        return self.gru(x, self.h0.expand(-1, x.size(0), -1).contiguous())
m = fill(M())
o, h = m(torch.linspace(-1, 1, 12).reshape(2, 3, 2))
o.sum().backward()
R = o, m.h0.grad
""",
    "packed_grads_all": """
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
res = []
for M, kw in [(torch.nn.GRU, dict(num_layers=2, bidirectional=True)), (torch.nn.LSTM, dict(proj_size=2, bidirectional=True)),
              (torch.nn.RNN, dict(nonlinearity='relu', num_layers=2)), (torch.nn.LSTM, dict(num_layers=2, bias=False))]:
    m = fill(M(3, 4, batch_first=True, **kw))
    x = torch.linspace(-1, 1, 3 * 5 * 3).reshape(3, 5, 3).requires_grad_()
    D = 2 if m.bidirectional else 1
    hs = m.proj_size or 4
    h0 = torch.linspace(-0.5, 0.5, m.num_layers * D * 3 * hs).reshape(m.num_layers * D, 3, hs).requires_grad_()
    hx = (h0, torch.full((m.num_layers * D, 3, 4), 0.1, requires_grad=True)) if M is torch.nn.LSTM else h0
    p = pack_padded_sequence(x, torch.tensor([3, 5, 1]), batch_first=True, enforce_sorted=False)
    out, hn = m(p, hx)
    o, lens = pad_packed_sequence(out, batch_first=True)
    hn = hn[0] * 2 + hn[1] if isinstance(hn, tuple) else hn
    (o.pow(2).sum() + hn.sum()).backward()
    res.append((o, hn, x.grad, h0.grad, [p.grad for p in m.parameters()]))
R = res
""",
    "double_backward": """
lstm = fill(torch.nn.LSTM(2, 3))
x = torch.linspace(-1, 1, 8).reshape(4, 1, 2).requires_grad_()
out, _ = lstm(x)
g, = torch.autograd.grad(out.sum(), x, create_graph=True)
g.pow(2).sum().backward()
R = g
""",
    "gru_double_backward": """
gru = fill(torch.nn.GRU(2, 3))
x = torch.linspace(-1, 1, 8).reshape(4, 1, 2).requires_grad_()
out, _ = gru(x)
g, = torch.autograd.grad(out.sum(), x, create_graph=True)
g.pow(2).sum().backward()
R = g, x.grad
""",
    "rnn_double_backward_double": """
gru = fill(torch.nn.RNN(2, 3)).double()
x = torch.linspace(-1, 1, 8, dtype=torch.float64).reshape(4, 1, 2).requires_grad_()
out, _ = gru(x)
g, = torch.autograd.grad(out.sum(), x, create_graph=True)
g.pow(2).sum().backward()
R = g, x.grad
""",
    "gradcheck_lstm": """
lstm = fill(torch.nn.LSTM(2, 3, bidirectional=True)).double()
x = torch.linspace(-1, 1, 8, dtype=torch.float64).reshape(4, 1, 2).requires_grad_()
R = torch.autograd.gradcheck(lambda t: lstm(t)[0], (x,))
""",
    "mha_double_backward": """
mha = fill(torch.nn.MultiheadAttention(4, 2))
x = torch.linspace(-1, 1, 24).reshape(3, 2, 4).requires_grad_()
o, w = mha(x, x, x)
g, = torch.autograd.grad(o.sum(), x, create_graph=True)
g.pow(2).sum().backward()
R = g, x.grad
""",
    "double_backward_all": """
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
res = []
for M, kw in [(torch.nn.GRU, dict(num_layers=2, bidirectional=True)), (torch.nn.LSTM, dict(proj_size=2, bidirectional=True)),
              (torch.nn.RNN, dict(nonlinearity='tanh', num_layers=2)), (torch.nn.LSTM, dict(num_layers=2, bias=False)),
              (torch.nn.RNN, dict(nonlinearity='relu'))]:
    for packed in (False, True):
        m = fill(M(3, 4, batch_first=True, **kw)).double()
        x = torch.linspace(-1, 1, 3 * 5 * 3, dtype=torch.float64).reshape(3, 5, 3).requires_grad_()
        inp = pack_padded_sequence(x, torch.tensor([3, 5, 1]), batch_first=True, enforce_sorted=False) if packed else x
        out, hn = m(inp)
        o = pad_packed_sequence(out, batch_first=True)[0] if packed else out
        hn = hn[0] * 2 + hn[1].sum() if isinstance(hn, tuple) else hn
        gx, gw = torch.autograd.grad(o.pow(2).sum() + hn.sum(), [x, m.weight_hh_l0], create_graph=True)
        (gx.pow(2).sum() + gw.sin().sum()).backward()
        res.append((gx, gw, x.grad, [p.grad for p in m.parameters()]))
R = res
""",
}


@pytest.mark.parametrize("name", sorted(RNN))
def test_rnn_code(name):
    check(RNN[name])


@pytest.mark.parametrize("name", sorted(CELLS))
def test_cell_code(name):
    check(CELLS[name])


def test_lstm_projection_warns_once(monkeypatch):
    from ember.nn.modules import rnn
    monkeypatch.setattr(rnn, "_proj_warned", [])
    lstm = ember.nn.LSTM(4, 6, proj_size=3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        lstm(ember.zeros(2, 1, 4))
        lstm(ember.zeros(2, 4))
        lstm.double()(ember.zeros(2, 1, 4, dtype=ember.float64))
    assert [str(w.message) for w in caught] == [
        "LSTM with projections is not supported with oneDNN. Using default implementation."]
    monkeypatch.setattr(rnn, "_proj_warned", [])
    with warnings.catch_warnings(record=True) as caught:       # no oneDNN path for double or packed input
        warnings.simplefilter("always")
        lstm(ember.zeros(2, 1, 4, dtype=ember.float64))
        lstm.float()(ember.nn.utils.rnn.pack_sequence([ember.zeros(2, 4)]))
    assert not caught


@pytest.mark.parametrize("name", sorted(PACK))
def test_pack_code(name):
    check(PACK[name])


@pytest.mark.parametrize("name", sorted(ATTN))
def test_attention_code(name):
    check(ATTN[name])


@pytest.mark.parametrize("name", sorted(TRANSFORMER))
def test_transformer_code(name):
    check(TRANSFORMER[name])


@pytest.mark.parametrize("name", sorted(MORE))
def test_more_code(name):
    check(MORE[name])
