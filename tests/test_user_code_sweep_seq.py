"""Sequence-model user code, part 1: RNN / LSTM / GRU layers, the cells, packing and padding.

See seq_sweep_harness.py for how snippets run and compare.
"""
import warnings

import pytest

import ember
from seq_sweep_harness import check

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
cells = (nn.RNNCell(3, 4), nn.LSTMCell(3, 4), nn.GRUCell(3, 4))
R = [(n, tuple(p.shape)) for c in cells for n, p in c.named_parameters()]
""",
}

PACK = {
    "packed_construct": """
U = torch.nn.utils.rnn
for fn in [lambda: U.PackedSequence(torch.ones(3), [2, 1]),
           lambda: U.PackedSequence(torch.ones(3), torch.tensor([2, 1]), torch.tensor([1, 0])),
           lambda: U.PackedSequence((torch.ones(3), torch.tensor([2, 1]))),
           lambda: U.PackedSequence(torch.ones(3)),
           lambda: U.PackedSequence(torch.ones(3), torch.tensor([2, 1]), [1, 0]),
           ]:
    try:
        p = fn(); print(type(p).__name__, p)
    except Exception as e:
        print(type(e).__name__, str(e).split(chr(10))[0])
""",
    "rnn_packed_from_manual": """
U = torch.nn.utils.rnn
rnn = fill(torch.nn.GRU(1, 2))
p = U.PackedSequence(torch.tensor([[1.], [2.], [3.]]), torch.tensor([2, 1]), torch.tensor([1, 0]))
o, h = rnn(p)
print(o)
R = h, U.pad_packed_sequence(o)
""",
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
R = (unpad_sequence(padded, torch.tensor([3, 5, 2])),
     unpad_sequence(padded.t(), torch.tensor([3, 5, 2]), batch_first=True))
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
