"""Sweep of layer usage in ordinary model code (CNNs, sequence models), run as source snippets under
``import torch`` and under ``import ember as torch``: printed output, results, errors and warnings must match.

Each snippet sees ``torch``, ``nn``, ``F``, ``np``, ``rng`` (a fresh ``np.random.RandomState(0)``, so inputs are
the same under both libraries) and ``load(module)``: under torch it records the module's state_dict, under ember
it loads the recorded arrays into the ember module, so randomly initialised layers compute the same numbers.
Floating results are compared with a tolerance; everything else exactly.
"""
import contextlib
import io
import warnings

import numpy as np
import pytest
import torch

import ember

def _norm(v):
    if isinstance(v, (torch.Tensor, ember.Tensor)):
        a = v.detach()
        return ("T", str(v.dtype).replace("ember.", "torch."), tuple(v.shape), np.array(a.numpy()), v.requires_grad)
    if isinstance(v, (list, tuple)):
        return type(v).__name__, [_norm(x) for x in v]
    if isinstance(v, dict):
        return type(v).__name__, {k: _norm(x) for k, x in v.items()}
    if isinstance(v, (torch.dtype, ember.dtype, torch.Size, ember.Size)):
        return str(v).replace("ember.", "torch.")
    if isinstance(v, float):
        return round(v, 5)
    return v


# warnings torch gives once per process (so whether a snippet sees one depends on the tests run before it)
_ONCE_PER_PROCESS = ("oneDNN", "nested tensors is in prototype stage")


def run_snippet(src, lib, saved):
    def load(m):
        if lib is torch:
            saved.append({k: t.detach().numpy().copy() for k, t in m.state_dict().items()})
        else:
            m.load_state_dict({k: lib.tensor(a) for k, a in saved.pop(0).items()})
        return m
    out = io.StringIO()
    env = {"torch": lib, "nn": lib.nn, "F": lib.nn.functional, "np": np, "rng": np.random.RandomState(0),
           "load": load}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with contextlib.redirect_stdout(out):
                exec(src, env)
            res = _norm(env.get("R"))
        except Exception as e:
            res = ("raised", type(e).__name__, str(e).split("\n")[0])
    msgs = [(w.category.__name__, str(w.message).split(" (Triggered internally")[0]) for w in caught
            if not any(m in str(w.message) for m in _ONCE_PER_PROCESS)]
    return out.getvalue(), res, msgs


def _same(a, b, path="R"):
    if isinstance(b, np.ndarray):
        assert isinstance(a, np.ndarray) and a.shape == b.shape and a.dtype == b.dtype, (path, a, b)
        if a.dtype.kind in "fc":
            np.testing.assert_allclose(a, b, rtol=2e-4, atol=2e-5, err_msg=path)
        else:
            np.testing.assert_array_equal(a, b, err_msg=path)
    elif isinstance(b, (list, tuple)):
        assert isinstance(a, type(b)) and len(a) == len(b), (path, a, b)
        for i, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f"{path}[{i}]")
    elif isinstance(b, dict):
        assert list(a) == list(b), (path, list(a), list(b))
        for k in b:
            _same(a[k], b[k], f"{path}[{k!r}]")
    else:
        assert a == b, (path, a, b)


def check(src):
    saved = []
    want = run_snippet(src, torch, saved)
    got = run_snippet(src, ember, saved)
    assert got[0] == want[0], "printed output differs:\n" + got[0] + "\n---- torch:\n" + want[0]
    _same(got[1], want[1])
    assert got[2] == want[2], ("warnings differ", got[2], want[2])


CNN = {
"conv1d_variants": """
x = torch.tensor(rng.randn(2, 4, 11).astype('float32'), requires_grad=True)
outs = []
for kw in [dict(stride=2), dict(padding=2, dilation=2), dict(groups=2, padding='same'), dict(padding=1, padding_mode='reflect'),
           dict(padding=2, padding_mode='circular', stride=3), dict(padding=1, padding_mode='replicate', bias=False), dict(padding='valid')]:
    m = load(nn.Conv1d(4, 6, 3, **kw)); y = m(x); y.square().sum().backward(); outs += [y, m.weight.grad]
    print(m)
R = outs, x.grad
""",
"conv2d_variants": """
x = torch.tensor(rng.randn(2, 4, 9, 8).astype('float32'), requires_grad=True)
outs = []
for kw in [dict(stride=(2, 1), padding=(1, 2)), dict(dilation=(2, 1), groups=4), dict(padding='same', dilation=2),
           dict(padding=(1, 2), padding_mode='reflect'), dict(padding=1, padding_mode='circular'), dict(padding=2, padding_mode='replicate', stride=2)]:
    m = load(nn.Conv2d(4, 8, (3, 2), **kw)); y = m(x); (y * y).mean().backward(); outs += [y, m.weight.grad, m.bias.grad]
    print(m)
R = outs, x.grad
""",
"conv3d": """
x = torch.tensor(rng.randn(1, 2, 5, 6, 4).astype('float32'), requires_grad=True)
m = load(nn.Conv3d(2, 4, 3, stride=(1, 2, 1), padding=1, groups=2)); y = m(x); y.sum().backward(); print(m)
m2 = load(nn.Conv3d(2, 3, (1, 3, 3), padding='same', padding_mode='replicate')); y2 = m2(x); print(m2)
R = y, x.grad, m.weight.grad, y2
""",
"conv_transpose": """
x = torch.tensor(rng.randn(2, 4, 5, 6).astype('float32'), requires_grad=True)
outs = []
for kw in [dict(stride=2, output_padding=1), dict(stride=2, padding=1, output_padding=(1, 0)), dict(groups=2, dilation=2),
           dict(stride=3, padding=(1, 2), output_padding=2, bias=False)]:
    m = load(nn.ConvTranspose2d(4, 6, 3, **kw)); y = m(x); y.square().sum().backward(); outs += [y, m.weight.grad]
    print(m)
y = m(x, output_size=[17, 19]); outs.append(y.shape)
R = outs, x.grad
""",
"conv_transpose_1d_3d": """
x = torch.tensor(rng.randn(2, 3, 7).astype('float32'))
m = load(nn.ConvTranspose1d(3, 2, 4, stride=2, padding=1)); print(m)
x3 = torch.tensor(rng.randn(1, 2, 3, 4, 2).astype('float32'))
m3 = load(nn.ConvTranspose3d(2, 2, 2, stride=2, output_padding=(1, 0, 1))); print(m3)
R = m(x), m3(x3)
""",
"conv_output_size_bad": """
m = nn.ConvTranspose2d(2, 2, 3, stride=2); x = torch.zeros(1, 2, 4, 4)
m(x, output_size=[20, 20])
""",
"conv_bad_channels": "nn.Conv2d(3, 8, 3)(torch.zeros(1, 4, 8, 8))",
"conv_bad_ndim": "nn.Conv2d(3, 8, 3)(torch.zeros(1, 1, 3, 8, 8))",
"conv_too_small": "nn.Conv2d(3, 8, 5)(torch.zeros(1, 3, 4, 4))",
"conv_dtype_mismatch": "nn.Conv2d(3, 8, 3)(torch.zeros(1, 3, 8, 8, dtype=torch.float64))",
"conv_long_input": "nn.Conv1d(3, 8, 3)(torch.zeros(1, 3, 8, dtype=torch.long))",
"conv_groups_bad": "nn.Conv2d(4, 6, 3, groups=4)",
"conv_groups_bad_out": "nn.Conv2d(4, 6, 3, groups=4)",
"conv_same_stride": "nn.Conv2d(4, 6, 3, stride=2, padding='same')",
# torch prints a set whose order comes from its compiled .pyc (a frozenset constant): compare the words only
"conv_bad_padding_mode": """
try:
    nn.Conv2d(4, 6, 3, padding_mode='foo')
except ValueError as e:
    R = sorted(str(e).replace(",", " ").replace("{", " ").replace("}", " ").split())
""",
"conv_bad_padding_str": "nn.Conv2d(4, 6, 3, padding='full')",
"conv_unbatched": """
m = load(nn.Conv2d(3, 2, 3)); x = torch.tensor(rng.randn(3, 5, 5).astype('float32'))
R = m(x)
""",
"conv_nn_init_apply": """
def init_fn(mod):
    if isinstance(mod, (nn.Conv2d, nn.Linear)):
        nn.init.constant_(mod.weight, 0.01)
        if mod.bias is not None: nn.init.zeros_(mod.bias)
    elif isinstance(mod, nn.BatchNorm2d):
        nn.init.ones_(mod.weight); nn.init.constant_(mod.bias, 0.5)
model = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
                      nn.Conv2d(8, 16, 3, bias=False), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 10))
r = model.apply(init_fn)
print(model)
x = torch.tensor(rng.randn(2, 3, 8, 8).astype('float32'))
R = r is model, sum(p.numel() for p in model.parameters()), sum(p.numel() for p in model.parameters() if p.requires_grad), model(x), list(model.state_dict())
""",
"pool_variants": """
x = torch.tensor(rng.randn(2, 3, 9, 10).astype('float32'), requires_grad=True)
outs = []
for m in [nn.MaxPool2d(3, stride=2, ceil_mode=True), nn.MaxPool2d(2, padding=1), nn.MaxPool2d((3, 2), dilation=2),
          nn.AvgPool2d(3, stride=2, ceil_mode=True), nn.AvgPool2d(3, 2, padding=1, count_include_pad=False),
          nn.AvgPool2d(2, divisor_override=3), nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True),
          nn.AdaptiveAvgPool2d((5, 3)), nn.AdaptiveAvgPool2d((None, 7)), nn.AdaptiveMaxPool2d(4), nn.LPPool2d(2, 3, stride=2)]:
    y = m(x); y.sum().backward(); outs += [y, x.grad.clone()]; x.grad = None; print(m)
R = outs
""",
"pool_1d_3d": """
x = torch.tensor(rng.randn(2, 3, 11).astype('float32'), requires_grad=True)
outs = [nn.MaxPool1d(3, 2, ceil_mode=True)(x), nn.AvgPool1d(4, 3, padding=2, ceil_mode=True)(x), nn.AdaptiveAvgPool1d(4)(x),
        nn.AdaptiveMaxPool1d(5)(x)]
x3 = torch.tensor(rng.randn(1, 2, 5, 7, 6).astype('float32'))
outs += [nn.MaxPool3d(2, ceil_mode=True)(x3), nn.AvgPool3d((2, 3, 2), stride=1)(x3), nn.AdaptiveAvgPool3d((2, 3, 5))(x3), nn.AdaptiveMaxPool3d(3)(x3)]
sum(o.sum() for o in outs[:4]).backward()
R = outs, x.grad
""",
"maxpool_indices_unpool": """
x = torch.tensor(rng.randn(1, 2, 7, 8).astype('float32'))
pool = nn.MaxPool2d(2, stride=2, return_indices=True); unpool = nn.MaxUnpool2d(2, stride=2)
y, idx = pool(x); z = unpool(y, idx); z2 = unpool(y, idx, output_size=x.size())
p1 = nn.MaxPool1d(3, 2, return_indices=True, ceil_mode=True); y1, i1 = p1(x[0])
u1 = nn.MaxUnpool1d(3, 2)(y1, i1, output_size=[8])
y3, i3 = nn.AdaptiveMaxPool2d(3, return_indices=True)(x)
print(pool, unpool)
R = y, idx, z, z2, y1, i1, u1, y3, i3
""",
"unpool_bad_size": """
x = torch.tensor(rng.randn(1, 2, 6, 6).astype('float32'))
y, idx = nn.MaxPool2d(2, return_indices=True)(x)
nn.MaxUnpool2d(2)(y, idx, output_size=[9, 9])
""",
"pool_too_big": "nn.MaxPool2d(3)(torch.zeros(1, 1, 2, 2))",
"pool_pad_too_big": "nn.MaxPool2d(2, padding=2)(torch.zeros(1, 1, 6, 6))",
"avgpool_pad_too_big": "nn.AvgPool2d(2, padding=2)(torch.zeros(1, 1, 6, 6))",
"adaptive_bad_ndim": "nn.AdaptiveAvgPool2d(2)(torch.zeros(2))",
"batchnorm_train_eval": """
m = load(nn.BatchNorm2d(3, momentum=0.2))
for i in range(3):
    x = torch.tensor(rng.randn(4, 3, 5, 5).astype('float32') * (i + 1) + i, requires_grad=True)
    y = m(x); (y * torch.arange(75.).reshape(3, 5, 5)).sum().backward()
m.eval(); ye = m(x)
print(m)
R = y, x.grad, m.weight.grad, m.bias.grad, m.running_mean, m.running_var, m.num_batches_tracked, ye, list(m.state_dict())
""",
"batchnorm_cumulative": """
m = nn.BatchNorm1d(4, momentum=None); outs = []
for i in range(3):
    x = torch.tensor(rng.randn(6, 4).astype('float32') + i)
    outs.append(m(x))
m2 = nn.BatchNorm1d(4, affine=False, track_running_stats=False); y2 = m2(x); m2.eval(); y3 = m2(x)
print(m, m2)
R = outs, m.running_mean, m.running_var, m.num_batches_tracked, y2, y3, list(m2.state_dict()), m2.running_mean
""",
"batchnorm_3d_and_1d_seq": """
m = nn.BatchNorm1d(3); x = torch.tensor(rng.randn(2, 3, 7).astype('float32')); y = m(x)
m3 = nn.BatchNorm3d(2); x3 = torch.tensor(rng.randn(2, 2, 3, 2, 2).astype('float32')); y3 = m3(x3)
R = y, m.running_var, y3, m3.running_mean
""",
"batchnorm_one_value": "nn.BatchNorm1d(3)(torch.zeros(1, 3))",
"batchnorm_bad_ndim": "nn.BatchNorm2d(3)(torch.zeros(2, 3, 4))",
"batchnorm_bad_channels": "nn.BatchNorm2d(3)(torch.zeros(2, 4, 4, 4))",
"batchnorm1d_bad_ndim": "nn.BatchNorm1d(3)(torch.zeros(2, 3, 4, 4))",
"groupnorm_layernorm": """
x = torch.tensor(rng.randn(2, 6, 4, 5).astype('float32'), requires_grad=True)
g = load(nn.GroupNorm(3, 6)); ln = load(nn.LayerNorm([4, 5])); ln1 = load(nn.LayerNorm(5, elementwise_affine=False))
ln2 = load(nn.LayerNorm((6, 4, 5), bias=False, eps=1e-3))
outs = [g(x), ln(x), ln1(x), ln2(x)]
sum((o * o.detach()).sum() for o in outs).backward()
print(g, ln, ln1, ln2)
R = outs, x.grad, g.weight.grad, ln.weight.grad, ln.bias.grad, list(ln2.state_dict())
""",
"groupnorm_bad": "nn.GroupNorm(4, 6)",
"groupnorm_bad_input": "nn.GroupNorm(2, 6)(torch.zeros(2, 4, 3))",
"layernorm_bad_shape": "nn.LayerNorm([4, 5])(torch.zeros(2, 5, 4))",
"instancenorm": """
x = torch.tensor(rng.randn(2, 3, 6).astype('float32'))
m = nn.InstanceNorm1d(3); m2 = nn.InstanceNorm1d(3, affine=True, track_running_stats=True); print(m, m2)
R = m(x), m2(x), m2.running_mean, list(m2.state_dict())
""",
"dropout_eval": """
model = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5), nn.Dropout2d(0.3), nn.AlphaDropout(0.2)); load(model)
model.eval(); x = torch.tensor(rng.randn(3, 4).astype('float32'))
print(model)
d = nn.Dropout(p=1.0); d.train(); y = d(torch.ones(5))
R = model(x), model.training, [m.training for m in model], y
""",
"dropout_bad_p": "nn.Dropout(1.5)",
"dropout_train_stats": """
torch.manual_seed(0); y = nn.Dropout(0.25)(torch.ones(20000))
R = abs((y == 0).float().mean().item() - 0.25) < 0.02, sorted(set(y.tolist()))
""",
}

SEQ = {
"lstm_bidir_layers": """
m = load(nn.LSTM(4, 5, num_layers=2, bidirectional=True, batch_first=True))
x = torch.tensor(rng.randn(3, 6, 4).astype('float32'), requires_grad=True)
h0 = torch.tensor(rng.randn(4, 3, 5).astype('float32')); c0 = torch.tensor(rng.randn(4, 3, 5).astype('float32'))
out, (h, c) = m(x, (h0, c0)); (out.sum() + h.square().sum() + c.sum()).backward()
print(m)
R = out, h, c, x.grad, m.weight_ih_l0.grad, m.bias_hh_l1_reverse.grad, list(m.state_dict()), sum(p.numel() for p in m.parameters())
""",
"gru_rnn": """
g = load(nn.GRU(3, 4, num_layers=2)); r = load(nn.RNN(3, 4, nonlinearity='relu', bias=False, bidirectional=True))
x = torch.tensor(rng.randn(5, 2, 3).astype('float32'), requires_grad=True)
o1, h1 = g(x); o2, h2 = r(x); (o1.sum() + (o2 * o2).sum()).backward()
print(g, r)
R = o1, h1, o2, h2, x.grad, g.weight_hh_l1.grad, list(r.state_dict())
""",
"lstm_unbatched_proj": """
m = load(nn.LSTM(3, 6, proj_size=2, num_layers=2))
x = torch.tensor(rng.randn(4, 3).astype('float32'))
out, (h, c) = m(x); print(m)
R = out, h, c, list(m.state_dict()), [p.shape for p in m.parameters()]
""",
"lstm_dropout_eval": """
m = load(nn.LSTM(3, 4, num_layers=2, dropout=0.5)); m.eval()
x = torch.tensor(rng.randn(4, 2, 3).astype('float32'))
print(m)
R = m(x)
""",
"rnn_dropout_warn_one_layer": "m = nn.LSTM(3, 4, dropout=0.5); print(m)",
"rnn_dropout_bad": "nn.GRU(3, 4, dropout=1.5)",
"lstm_bad_input_size": "nn.LSTM(3, 4)(torch.zeros(5, 2, 4))",
"lstm_bad_ndim": "nn.LSTM(3, 4)(torch.zeros(5, 2, 3, 1))",
"lstm_bad_hidden": "nn.LSTM(3, 4)(torch.zeros(5, 2, 3), (torch.zeros(1, 3, 4), torch.zeros(1, 2, 4)))",
"lstm_bad_cell": "nn.LSTM(3, 4)(torch.zeros(5, 2, 3), (torch.zeros(1, 2, 4), torch.zeros(1, 2, 5)))",
"gru_bad_hidden": "nn.GRU(3, 4, num_layers=2)(torch.zeros(5, 2, 3), torch.zeros(1, 2, 4))",
"gru_unbatched_bad_hidden": "nn.GRU(3, 4)(torch.zeros(5, 3), torch.zeros(1, 2, 4))",
"lstm_double_input": "nn.LSTM(3, 4)(torch.zeros(5, 2, 3, dtype=torch.float64))",
"lstm_tuple_for_gru": "nn.GRU(3, 4)(torch.zeros(5, 2, 3), (torch.zeros(1, 2, 4), torch.zeros(1, 2, 4)))",
"packed_unsorted": """
seqs = [torch.tensor(rng.randn(n, 3).astype('float32')) for n in (2, 5, 3)]
lengths = torch.tensor([2, 5, 3])
padded = nn.utils.rnn.pad_sequence(seqs, batch_first=True)
packed = nn.utils.rnn.pack_padded_sequence(padded, lengths, batch_first=True, enforce_sorted=False)
m = load(nn.LSTM(3, 4, batch_first=True, bidirectional=True))
out, (h, c) = m(packed)
un, lens = nn.utils.rnn.pad_packed_sequence(out, batch_first=True)
un2, lens2 = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, padding_value=-1.0, total_length=7)
R = (padded, packed.data, packed.batch_sizes, packed.sorted_indices, packed.unsorted_indices, un, lens, h, c, un2, lens2,
     type(out).__name__)
""",
"packed_sorted_gru": """
seqs = [torch.tensor(rng.randn(n, 2).astype('float32'), requires_grad=True) for n in (4, 3, 1)]
packed = nn.utils.rnn.pack_sequence(seqs)
m = load(nn.GRU(2, 3, num_layers=2))
out, h = m(packed); un, lens = nn.utils.rnn.pad_packed_sequence(out)
un.sum().backward()
R = packed.batch_sizes, packed.sorted_indices, un, lens, h, seqs[0].grad, seqs[2].grad
""",
"pack_not_sorted_error": """
nn.utils.rnn.pack_padded_sequence(torch.zeros(3, 2, 1), torch.tensor([1, 3]))
""",
"pack_zero_length": "nn.utils.rnn.pack_padded_sequence(torch.zeros(3, 2, 1), torch.tensor([3, 0]))",
"pack_sequence_unsorted": """
p = nn.utils.rnn.pack_sequence([torch.ones(1), torch.ones(3) * 2, torch.ones(2) * 3], enforce_sorted=False)
print(p)
R = p.data, p.batch_sizes, p.sorted_indices, p.unsorted_indices, nn.utils.rnn.unpack_sequence(p)
""",
"pad_sequence_variants": """
a, b = torch.tensor([1, 2, 3]), torch.tensor([4])
R = (nn.utils.rnn.pad_sequence([a, b]), nn.utils.rnn.pad_sequence([a, b], batch_first=True, padding_value=-1),
     nn.utils.rnn.pad_sequence([b, a], padding_side='left', batch_first=True),
     nn.utils.rnn.pad_sequence([torch.ones(2, 3), torch.zeros(1, 3)]))
""",
"pad_sequence_bad": "nn.utils.rnn.pad_sequence([torch.ones(2, 3), torch.zeros(1, 4)])",
"lstm_cell_gru_cell": """
lc = load(nn.LSTMCell(3, 4)); gc = load(nn.GRUCell(3, 4)); rc = load(nn.RNNCell(3, 4, nonlinearity='relu'))
x = torch.tensor(rng.randn(2, 3).astype('float32'), requires_grad=True)
h, c = lc(x); h2 = gc(x, h); h3 = rc(x[0])
(h.sum() + c.sum() + h2.sum() + h3.sum()).backward()
print(lc, gc, rc)
R = h, c, h2, h3, x.grad, lc.weight_ih.grad
""",
"cell_bad": "nn.LSTMCell(3, 4)(torch.zeros(2, 5))",
"cell_bad_hidden": "nn.GRUCell(3, 4)(torch.zeros(2, 3), torch.zeros(3, 4))",
"flatten_parameters_and_all_weights": """
m = nn.LSTM(2, 3, num_layers=2); m.flatten_parameters()
R = [w.shape for layer in m.all_weights for w in layer], m._flat_weights_names if hasattr(m, '_flat_weights_names') else None
""",
}


ATTN = {
"mha_masks": """
m = load(nn.MultiheadAttention(8, 2))
q = torch.tensor(rng.randn(4, 2, 8).astype('float32'), requires_grad=True)
k = torch.tensor(rng.randn(5, 2, 8).astype('float32'))
bool_mask = torch.tensor(rng.rand(4, 5) > 0.7); float_mask = torch.tensor(rng.randn(4, 5).astype('float32'))
kpm = torch.tensor([[False, False, False, True, True], [False] * 5])
outs = []
for kw in [dict(), dict(attn_mask=bool_mask), dict(attn_mask=float_mask), dict(key_padding_mask=kpm),
           dict(key_padding_mask=kpm, attn_mask=bool_mask, average_attn_weights=False), dict(need_weights=False),
           dict(attn_mask=torch.zeros(4, 4, 5, dtype=torch.bool))]:
    o, w = m(q, k, k, **kw); outs += [o, w]
o.sum().backward(); print(m)
R = outs, q.grad, m.in_proj_weight.grad, m.out_proj.weight.grad, list(m.state_dict())
""",
"mha_batch_first_kdim": """
m = load(nn.MultiheadAttention(6, 3, batch_first=True, kdim=4, vdim=5, bias=False, add_bias_kv=True, add_zero_attn=True))
q = torch.tensor(rng.randn(2, 3, 6).astype('float32'))
k = torch.tensor(rng.randn(2, 4, 4).astype('float32')); v = torch.tensor(rng.randn(2, 4, 5).astype('float32'))
o, w = m(q, k, v)
R = o, w, list(m.state_dict()), sum(p.numel() for p in m.parameters())
""",
"mha_unbatched_causal": """
m = load(nn.MultiheadAttention(4, 2, batch_first=True))
x = torch.tensor(rng.randn(3, 4).astype('float32'))
mask = nn.Transformer.generate_square_subsequent_mask(3)
o, w = m(x, x, x, attn_mask=mask)
o2, w2 = m(x, x, x, attn_mask=mask.bool() if False else torch.triu(torch.ones(3, 3, dtype=torch.bool), 1), is_causal=True)
R = mask, o, w, o2, w2
""",
"mha_eval_fastpath": """
m = load(nn.MultiheadAttention(4, 2, batch_first=True)); m.eval()
x = torch.tensor(rng.randn(2, 3, 4).astype('float32'))
kpm = torch.tensor([[False, False, True], [False, False, False]])
with torch.no_grad():
    o, w = m(x, x, x, key_padding_mask=kpm)
    o2, _ = m(x, x, x, need_weights=False)
R = o, w, o2
""",
"mha_bad_embed": "nn.MultiheadAttention(10, 3)",
"mha_bad_mask_shape": """
m = nn.MultiheadAttention(4, 2); x = torch.zeros(3, 2, 4)
m(x, x, x, attn_mask=torch.zeros(2, 2))
""",
"mha_bad_query_dim": """
m = nn.MultiheadAttention(4, 2); x = torch.zeros(3, 2, 5)
m(x, x, x)
""",
"mha_kpm_mismatch_dtype_warn": """
m = load(nn.MultiheadAttention(4, 2)); x = torch.tensor(rng.randn(3, 2, 4).astype('float32'))
kpm = torch.tensor([[0., 0., float('-inf')], [0., 0., 0.]]); am = torch.tensor(rng.rand(3, 3) > 0.5)
R = m(x, x, x, key_padding_mask=kpm, attn_mask=am)
""",
"encoder_layer_stack": """
layer = nn.TransformerEncoderLayer(d_model=8, nhead=2, dim_feedforward=16, dropout=0.0, batch_first=True)
enc = load(nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False))
x = torch.tensor(rng.randn(2, 5, 8).astype('float32'), requires_grad=True)
mask = nn.Transformer.generate_square_subsequent_mask(5)
kpm = torch.tensor([[False] * 5, [False, False, False, True, True]])
y = enc(x, mask=mask, src_key_padding_mask=kpm); y.square().sum().backward()
print(enc)
R = y, x.grad, enc.layers[0].linear1.weight.grad, list(enc.state_dict()), sum(p.numel() for p in enc.parameters())
""",
"encoder_norm_first_gelu": """
layer = nn.TransformerEncoderLayer(8, 2, 12, dropout=0.1, activation='gelu', norm_first=True)
enc = load(nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(8), enable_nested_tensor=False)); enc.eval()
x = torch.tensor(rng.randn(5, 2, 8).astype('float32'))
kpm = torch.tensor([[False] * 5, [False, False, True, True, True]])
with torch.no_grad():
    y = enc(x, src_key_padding_mask=kpm)
y2 = enc(x, mask=nn.Transformer.generate_square_subsequent_mask(5), is_causal=True)
print(layer)
R = y, y2
""",
"encoder_nested_warning": """
layer = nn.TransformerEncoderLayer(8, 2, 12, norm_first=True)
enc = nn.TransformerEncoder(layer, 2)
R = enc.use_nested_tensor
""",
"decoder_stack": """
dl = nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, batch_first=True, activation=F.relu)
dec = load(nn.TransformerDecoder(dl, 2, norm=nn.LayerNorm(8)))
tgt = torch.tensor(rng.randn(2, 4, 8).astype('float32'), requires_grad=True)
mem = torch.tensor(rng.randn(2, 6, 8).astype('float32'), requires_grad=True)
tm = nn.Transformer.generate_square_subsequent_mask(4)
mkpm = torch.tensor([[False] * 6, [False] * 4 + [True] * 2])
y = dec(tgt, mem, tgt_mask=tm, memory_key_padding_mask=mkpm, tgt_is_causal=True); y.sum().backward()
R = y, tgt.grad, mem.grad, list(dec.state_dict())
""",
"full_transformer": """
t = load(nn.Transformer(d_model=8, nhead=2, num_encoder_layers=2, num_decoder_layers=1, dim_feedforward=16, dropout=0.0))
src = torch.tensor(rng.randn(6, 2, 8).astype('float32')); tgt = torch.tensor(rng.randn(3, 2, 8).astype('float32'))
y = t(src, tgt, tgt_mask=t.generate_square_subsequent_mask(3), src_key_padding_mask=torch.tensor([[False] * 6, [False] * 5 + [True]]))
print(t.encoder.layers[0]); print(t.decoder.norm)
R = y, sum(p.numel() for p in t.parameters()), len(list(t.state_dict())), list(t.state_dict())[:12]
""",
"transformer_bad_batch": """
t = nn.Transformer(d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=16)
t(torch.zeros(6, 2, 8), torch.zeros(3, 3, 8))
""",
"transformer_bad_dim": """
t = nn.Transformer(d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=16)
t(torch.zeros(6, 2, 8), torch.zeros(3, 2, 6))
""",
"sdpa": """
q = torch.tensor(rng.randn(2, 2, 4, 8).astype('float32'), requires_grad=True)
k = torch.tensor(rng.randn(2, 2, 5, 8).astype('float32')); v = torch.tensor(rng.randn(2, 2, 5, 3).astype('float32'))
m = torch.tensor(rng.rand(4, 5) > 0.3)
outs = [F.scaled_dot_product_attention(q, k, v), F.scaled_dot_product_attention(q, k, v, attn_mask=m),
        F.scaled_dot_product_attention(q, k, v, is_causal=True, scale=0.5),
        F.scaled_dot_product_attention(q, k, v, attn_mask=torch.tensor(rng.randn(2, 1, 4, 5).astype('float32')))]
sum(o.sum() for o in outs).backward()
R = outs, q.grad
""",
"sdpa_gqa": """
q = torch.tensor(rng.randn(1, 4, 3, 8).astype('float32')); k = torch.tensor(rng.randn(1, 2, 3, 8).astype('float32'))
R = F.scaled_dot_product_attention(q, k, k, enable_gqa=True)
""",
"sdpa_mask_and_causal": """
q = torch.zeros(1, 2, 3, 4); F.scaled_dot_product_attention(q, q, q, attn_mask=torch.ones(3, 3, dtype=torch.bool), is_causal=True)
""",
"embedding": """
e = load(nn.Embedding(10, 4, padding_idx=0)); idx = torch.tensor([[0, 2, 4], [4, 3, 0]])
y = e(idx); (y * torch.arange(4.)).sum().backward()
e2 = nn.Embedding(5, 3, padding_idx=-2); print(e, e2)
R = y, e.weight.grad, e2.padding_idx, e2.weight[3], list(e.state_dict())
""",
"embedding_max_norm": """
e = load(nn.Embedding(6, 3, max_norm=1.0, norm_type=2.0)); idx = torch.tensor([1, 1, 3])
with torch.no_grad(): e.weight.mul_(3)
y = e(idx); print(e)
R = y, e.weight
""",
"embedding_from_pretrained": """
w = torch.tensor([[1., 2.], [3., 4.], [5., 6.]])
e = nn.Embedding.from_pretrained(w, padding_idx=1); e2 = nn.Embedding.from_pretrained(w, freeze=False, max_norm=2.)
bag = nn.EmbeddingBag.from_pretrained(w, mode='mean')
print(e, e2, bag)
R = e(torch.tensor([2, 1])), e.weight.requires_grad, e2.weight.requires_grad, bag(torch.tensor([[0, 1], [2, 2]]))
""",
"embedding_bag": """
b = load(nn.EmbeddingBag(8, 3, mode='sum')); inp = torch.tensor([1, 2, 4, 5, 4, 3, 2, 7]); offs = torch.tensor([0, 3, 5])
y = b(inp, offs); y.sum().backward()
b2 = load(nn.EmbeddingBag(8, 3, mode='max')); y2 = b2(inp, offs)
w = torch.tensor(rng.rand(8).astype('float32')); y3 = b(inp, offs, per_sample_weights=w)
print(b, b2)
R = y, b.weight.grad, y2, y3
""",
"embedding_out_of_range": "nn.Embedding(4, 2)(torch.tensor([4]))",
"embedding_float_index": "nn.Embedding(4, 2)(torch.tensor([1.0]))",
"embedding_bad_padding": "nn.Embedding(4, 2, padding_idx=4)",
"clip_grad_norm": """
m = load(nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)))
x = torch.tensor(rng.randn(5, 3).astype('float32'))
(m(x) ** 2).sum().backward()
n = nn.utils.clip_grad_norm_(m.parameters(), max_norm=0.5)
g1 = [p.grad.clone() for p in m.parameters()]
n2 = nn.utils.clip_grad_norm_(m.parameters(), 0.1, norm_type='inf')
n3 = nn.utils.clip_grad_norm_(list(m.parameters()), 10.0, norm_type=1)
nn.utils.clip_grad_value_(m.parameters(), 0.01)
R = n, g1, n2, n3, [p.grad for p in m.parameters()], nn.utils.get_total_norm([p.grad for p in m.parameters()])
""",
"clip_grad_nonfinite": """
p = nn.Parameter(torch.ones(2)); p.grad = torch.tensor([float('inf'), 1.])
n = nn.utils.clip_grad_norm_([p], 1.0)
nn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
""",
"clip_grad_no_grads": """
p = nn.Parameter(torch.ones(2)); R = nn.utils.clip_grad_norm_([p], 1.0), nn.utils.clip_grad_norm_([], 1.0), p.grad
""",
"clip_grad_single_tensor": """
p = nn.Parameter(torch.ones(3)); p.grad = torch.tensor([3., 4., 0.])
R = nn.utils.clip_grad_norm_(p, 1.0), p.grad
""",
"parameters_to_vector": """
m = load(nn.Linear(3, 2)); v = nn.utils.parameters_to_vector(m.parameters())
nn.utils.vector_to_parameters(v * 2, m.parameters())
R = v, m.weight, m.bias
""",
}
ATTN.update({
"sdpa_mask_and_causal_4d": """
q = torch.tensor(rng.randn(1, 2, 3, 5).astype('float32'), requires_grad=True); k = torch.tensor(rng.randn(1, 2, 4, 5).astype('float32'))
fm = torch.tensor(rng.randn(3, 4).astype('float32')); bm = torch.tensor(rng.rand(1, 2, 3, 4) > 0.2)
a = F.scaled_dot_product_attention(q, k, k, attn_mask=fm, is_causal=True); b = F.scaled_dot_product_attention(q, k, k, attn_mask=bm, is_causal=True)
(a.sum() + b.sum()).backward()
R = a, b, q.grad
""",
"sdpa_mask_and_causal_3d": "q = torch.zeros(2, 3, 4); F.scaled_dot_product_attention(q, q, q, attn_mask=torch.ones(3, 3, dtype=torch.bool), is_causal=True)",
"encoder_eval_nested_fastpath": """
layer = nn.TransformerEncoderLayer(8, 2, 16, batch_first=True)
enc = load(nn.TransformerEncoder(layer, 2)); enc.eval()
x = torch.tensor(rng.randn(2, 4, 8).astype('float32'))
kpm = torch.tensor([[False] * 4, [False, False, True, True]])
with torch.no_grad():
    y = enc(x, src_key_padding_mask=kpm)
    y1 = enc.layers[0](x, src_key_padding_mask=kpm)
R = enc.use_nested_tensor, y, y1
""",
"encoder_layer_mismatched_masks": """
layer = load(nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0))
x = torch.tensor(rng.randn(3, 2, 4).astype('float32'))
R = layer(x, src_mask=torch.zeros(3, 3), src_key_padding_mask=torch.tensor([[False, False, True], [False] * 3]))
""",
"encoder_custom_activation_warn": """
layer = nn.TransformerEncoderLayer(8, 2, 16, batch_first=True, activation=nn.GELU())
enc = nn.TransformerEncoder(layer, 1)
layer2 = nn.TransformerEncoderLayer(8, 2, 16, batch_first=True, activation=torch.tanh)
enc2 = nn.TransformerEncoder(layer2, 1)
enc3 = nn.TransformerEncoder(nn.TransformerEncoderLayer(9, 3, 16, batch_first=True), 1)
R = enc.use_nested_tensor, enc2.use_nested_tensor, layer.activation_relu_or_gelu, enc3.use_nested_tensor
""",
})


LOSS = {
"cross_entropy_variants": """
logits = torch.tensor(rng.randn(6, 4).astype('float32'), requires_grad=True)
t = torch.tensor([0, 3, 1, -100, 2, 1]); w = torch.tensor([1., 2., 0.5, 1.5])
outs = [nn.CrossEntropyLoss()(logits, torch.tensor([0, 3, 1, 1, 2, 1])), nn.CrossEntropyLoss(ignore_index=-100)(logits, t),
        nn.CrossEntropyLoss(weight=w, reduction='sum')(logits, t), nn.CrossEntropyLoss(label_smoothing=0.1, weight=w)(logits, t),
        nn.CrossEntropyLoss(reduction='none', label_smoothing=0.2)(logits, t),
        nn.CrossEntropyLoss()(logits, torch.softmax(torch.tensor(rng.randn(6, 4).astype('float32')), 1)),
        nn.CrossEntropyLoss(ignore_index=1)(logits, t.clamp(min=0))]
sum(o.sum() for o in outs).backward(); print(nn.CrossEntropyLoss(label_smoothing=0.1), nn.NLLLoss(ignore_index=3))
R = outs, logits.grad
""",
"cross_entropy_seq": """
logits = torch.tensor(rng.randn(2, 5, 3).astype('float32'))
t = torch.tensor([[0, 1, 4], [2, -100, 3]])
R = F.cross_entropy(logits, t), F.cross_entropy(logits, t, reduction='none'), F.nll_loss(F.log_softmax(logits, 1), t)
""",
"cross_entropy_all_ignored": "R = F.cross_entropy(torch.zeros(2, 3), torch.tensor([-100, -100]))",
"cross_entropy_bad_target": "F.cross_entropy(torch.zeros(2, 3), torch.tensor([0, 3]))",
"cross_entropy_float_target_shape": "F.cross_entropy(torch.zeros(2, 3), torch.zeros(2))",
"cross_entropy_batch_mismatch": "F.cross_entropy(torch.zeros(2, 3), torch.tensor([0, 1, 2]))",
"bce_family": """
x = torch.tensor(rng.randn(4, 3).astype('float32'), requires_grad=True); y = torch.tensor((rng.rand(4, 3) > 0.5).astype('float32'))
pw = torch.tensor([1., 2., 3.])
outs = [nn.BCEWithLogitsLoss()(x, y), nn.BCEWithLogitsLoss(pos_weight=pw)(x, y), nn.BCEWithLogitsLoss(weight=pw, reduction='none')(x, y),
        nn.BCELoss()(torch.sigmoid(x), y), nn.MSELoss()(x, y), nn.L1Loss(reduction='sum')(x, y), nn.SmoothL1Loss(beta=0.5)(x, y),
        nn.HuberLoss(delta=0.7)(x, y), nn.KLDivLoss(reduction='batchmean')(F.log_softmax(x, 1), F.softmax(y, 1)),
        nn.SoftMarginLoss()(x, y * 2 - 1), nn.MultiLabelSoftMarginLoss()(x, y)]
sum(outs).sum().backward()
R = outs, x.grad
""",
"bce_size_mismatch": "nn.BCEWithLogitsLoss()(torch.zeros(3, 1), torch.zeros(3))",
"mse_broadcast_warning": "R = nn.MSELoss()(torch.zeros(3, 1), torch.ones(3))",
"kl_default_warning": "R = nn.KLDivLoss()(torch.zeros(2, 3), torch.ones(2, 3) / 3)",
"nll_weight_ignore": """
lp = F.log_softmax(torch.tensor(rng.randn(5, 3).astype('float32')), 1)
R = nn.NLLLoss(weight=torch.tensor([1., 0., 2.]), ignore_index=2)(lp, torch.tensor([0, 1, 2, 1, 0]))
""",
"ctc_margin_losses": """
x = torch.tensor(rng.randn(4, 3).astype('float32'), requires_grad=True)
t = torch.tensor([0, 2, 1, 1])
R = (nn.MultiMarginLoss()(x, t), nn.MultiMarginLoss(p=2, margin=0.5, weight=torch.tensor([1., 2., 3.]))(x, t),
     nn.MarginRankingLoss(0.1)(x[:, 0], x[:, 1], torch.tensor([1., -1., 1., -1.])),
     nn.CosineEmbeddingLoss()(x, x.flip(0), torch.tensor([1, -1, 1, -1])), nn.TripletMarginLoss()(x, x.flip(0), x * 2),
     nn.PoissonNLLLoss()(x, x.abs()), nn.GaussianNLLLoss()(x, x * 0.5, torch.ones(4, 3)),
     nn.HingeEmbeddingLoss()(x, torch.tensor([[1., -1., 1.]] * 4)))
""",
"init_on_layers": """
torch.manual_seed(0)
conv = nn.Conv2d(3, 8, 3); lin = nn.Linear(20, 30); lstm = nn.LSTM(4, 6)
nn.init.kaiming_normal_(conv.weight, mode='fan_out', nonlinearity='relu'); nn.init.xavier_uniform_(lin.weight, gain=nn.init.calculate_gain('tanh'))
nn.init.orthogonal_(lstm.weight_hh_l0); nn.init.trunc_normal_(lin.bias, std=0.02, a=-0.04, b=0.04)
nn.init.kaiming_uniform_(lin.weight, a=0.1); nn.init.normal_(conv.bias, 0, 0.01); nn.init.sparse_(torch.empty(6, 4), 0.5)
q = lstm.weight_hh_l0.detach()
R = (abs(conv.weight.std().item() - (2 / (8 * 9)) ** 0.5) < 0.05, lin.weight.abs().max().item() <= (6 / 50) ** 0.5 * 5 / 3,
     lin.bias.abs().max().item() <= 0.04, [nn.init.calculate_gain(n) for n in ['linear', 'relu', 'tanh', 'selu', 'sigmoid']],
     nn.init.calculate_gain('leaky_relu', 0.2), nn.init._calculate_fan_in_and_fan_out(conv.weight), q.shape, conv.weight.requires_grad,
     nn.init.eye_(torch.empty(2, 3)), nn.init.dirac_(torch.empty(2, 2, 3)), nn.init.dirac_(torch.empty(4, 2, 3), groups=2))
""",
"init_orthogonal_property": """
w = nn.init.orthogonal_(torch.empty(6, 4), gain=2.0); g = w.T @ w
R = torch.allclose(g, 4 * torch.eye(4), atol=1e-4), w.shape
""",
"init_errors": "nn.init.xavier_uniform_(torch.empty(3))",
"init_bad_gain": "nn.init.calculate_gain('foo')",
"init_bad_mode": "nn.init.kaiming_uniform_(torch.empty(3, 3), mode='fan')",
"init_no_grad_record": """
lin = nn.Linear(3, 3); out = nn.init.constant_(lin.weight, 0.3)
R = out is lin.weight, lin.weight.grad_fn, lin.weight.is_leaf, lin.weight._version > 0 if hasattr(lin.weight, '_version') else None
""",
"print_cnn_model": """
class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, padding=1, bias=False, padding_mode='reflect'); self.bn = nn.BatchNorm2d(c, eps=1e-3, momentum=0.01)
        self.act = nn.LeakyReLU(0.1, inplace=True); self.pool = nn.MaxPool2d(2, 2, ceil_mode=True); self.drop = nn.Dropout2d(0.1)
        self.up = nn.Upsample(scale_factor=2, mode='bilinear', align_corners=False); self.ct = nn.ConvTranspose2d(c, c, 2, 2, output_padding=0, dilation=1)
        self.gn = nn.GroupNorm(2, c, affine=False); self.ln = nn.LayerNorm([c, 4, 4], elementwise_affine=False)
        self.ap = nn.AvgPool2d(3, 1, 1, count_include_pad=False); self.aap = nn.AdaptiveAvgPool2d((1, None)); self.lp = nn.LPPool1d(2, 3)
        self.un = nn.MaxUnpool2d(2); self.ps = nn.PixelShuffle(2); self.zp = nn.ZeroPad2d((1, 0, 2, 0)); self.rp = nn.ReflectionPad1d(2)
        self.cp = nn.ConstantPad2d(1, 3.5); self.inn = nn.InstanceNorm2d(c, affine=True); self.emb = nn.Embedding(10, 3, padding_idx=0, max_norm=1.0, scale_grad_by_freq=True, sparse=True)
        self.bag = nn.EmbeddingBag(10, 3, mode='max'); self.mha = nn.MultiheadAttention(4, 2, kdim=3, vdim=3)
        self.rnn = nn.RNN(3, 4, 2, nonlinearity='relu', batch_first=True); self.lstm = nn.LSTM(3, 4, proj_size=2, bias=False)
        self.cell = nn.GRUCell(3, 4, bias=False); self.fl = nn.Flatten(0, -1); self.ufl = nn.Unflatten(1, (2, 2)); self.id = nn.Identity(3, k=4)
        self.bil = nn.Bilinear(2, 3, 4); self.lazy = nn.LazyLinear(5); self.ce = nn.CrossEntropyLoss(weight=torch.ones(3), label_smoothing=0.1)
m = Block(4); print(m)
R = sum(p.numel() for p in m.parameters() if not isinstance(p, nn.parameter.UninitializedParameter))
""",
# (the warning float() gives here is once per process in both libraries: tests/test_argument_types.py)
"float_of_requires_grad": ("import warnings\nx = nn.Linear(2, 1).weight.sum()\nwith warnings.catch_warnings():\n"
                           "    warnings.simplefilter('ignore')\n    R = float(x) == x.item()"),
}


EXTRA = {
"cnn_training_steps": """
model = load(nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4 * 3 * 3, 3)))
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
x = torch.tensor(rng.randn(5, 1, 6, 6).astype('float32')); y = torch.tensor([0, 1, 2, 1, 0])
losses = []
for _ in range(3):
    opt.zero_grad(); loss = F.cross_entropy(model(x), y); loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), 1.0); opt.step(); losses.append(loss.item())
model.eval()
R = losses, model(x), model[1].running_mean, model[1].running_var, model[1].num_batches_tracked
""",
"lstm_classifier_training": """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(12, 5, padding_idx=0); self.rnn = nn.GRU(5, 6, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(12, 2)
    def forward(self, ids, lengths):
        e = self.emb(ids)                                                  # (B, T, 5)
        p = nn.utils.rnn.pack_padded_sequence(e, lengths, batch_first=True, enforce_sorted=False)
        _, h = self.rnn(p)                                                 # (2, B, 6)
        return self.fc(torch.cat([h[0], h[1]], dim=1))
net = load(Net()); opt = torch.optim.Adam(net.parameters(), lr=0.01)
ids = torch.tensor([[3, 4, 5, 0], [1, 2, 0, 0], [7, 8, 9, 10]]); lengths = torch.tensor([3, 2, 4]); y = torch.tensor([0, 1, 1])
for _ in range(3):
    opt.zero_grad(); loss = F.cross_entropy(net(ids, lengths), y); loss.backward(); opt.step()
R = loss, net(ids, lengths), net.emb.weight[0]
""",
"interpolate_modes": """
x = torch.tensor(rng.randn(1, 2, 5, 7).astype('float32'), requires_grad=True)
outs = [F.interpolate(x, scale_factor=2, mode='nearest'), F.interpolate(x, size=(3, 4), mode='bilinear', align_corners=True),
        F.interpolate(x, scale_factor=1.5, mode='bilinear'), F.interpolate(x, size=(8, 9), mode='bicubic'),
        F.interpolate(x, size=(4, 10), mode='nearest-exact'), F.interpolate(x, scale_factor=0.5, mode='area'),
        F.interpolate(x, scale_factor=1.7, mode='bilinear', recompute_scale_factor=True),
        nn.Upsample(scale_factor=(2, 1), mode='nearest')(x), nn.UpsamplingBilinear2d(size=(6, 6))(x)]
sum(o.sum() for o in outs).backward()
x1 = torch.tensor(rng.randn(1, 2, 5).astype('float32'))
R = outs, x.grad, F.interpolate(x1, size=8, mode='linear'), F.interpolate(x1[None], size=(2, 3, 4), mode='trilinear')
""",
"interpolate_errors": "F.interpolate(torch.zeros(1, 2, 5), size=4, mode='bilinear')",
"interpolate_both": "F.interpolate(torch.zeros(1, 2, 5), size=4, scale_factor=2)",
"pad_modes": """
x = torch.tensor(rng.randn(1, 2, 4, 5).astype('float32'), requires_grad=True)
outs = [F.pad(x, (1, 2)), F.pad(x, (1, 2, 2, 1), mode='reflect'), F.pad(x, (2, 2, 1, 1), mode='replicate'),
        F.pad(x, (3, 1, 2, 0), mode='circular'), F.pad(x, (1, 1, 1, 1, 1, 1), value=2.), F.pad(x, (-1, 1))]
sum((o * o).sum() for o in outs).backward()
R = outs, x.grad
""",
"pad_reflect_too_big": "F.pad(torch.zeros(1, 2, 3), (3, 0), mode='reflect')",
}


# differences found by the sweep in files owned elsewhere (ops/conv.py, nn/_functional_core.py); strict, so a fix
# shows up as XPASS and the mark is removed
_KNOWN = {}


def _param(table):
    return [pytest.param(n, marks=pytest.mark.xfail(reason=_KNOWN[n], strict=True)) if n in _KNOWN else n
            for n in sorted(table)]


@pytest.mark.parametrize("name", _param(CNN))
def test_cnn_code(name):
    check(CNN[name])


@pytest.mark.parametrize("name", _param(SEQ))
def test_sequence_code(name):
    check(SEQ[name])


@pytest.mark.parametrize("name", _param(ATTN))
def test_attention_embedding_clip_code(name):
    check(ATTN[name])


@pytest.mark.parametrize("name", _param(LOSS))
def test_loss_init_print_code(name):
    check(LOSS[name])


@pytest.mark.parametrize("name", _param(EXTRA))
def test_training_resampling_padding_code(name):
    check(EXTRA[name])
