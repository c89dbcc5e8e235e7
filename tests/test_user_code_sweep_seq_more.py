"""Sequence-model user code, part 3: errors, double backward and larger models (seq2seq, char-RNN, WeightDrop,
attention hooks).

See seq_sweep_harness.py for how snippets run and compare.
"""
import pytest
from seq_sweep_harness import check

MORE = {
    "transformer_misuse_errors": """
nn = torch.nn
enc = nn.TransformerEncoderLayer(8, 2, 16, 0.0)
dec = nn.TransformerDecoderLayer(8, 2, 16, 0.0)
T = nn.Transformer(8, 2, 1, 1, 16, 0.0)
encb = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, 0.0, batch_first=True), 1)
x = torch.ones(3, 2, 8)
for fn in [lambda: enc(torch.ones(3, 2, 4)),
           lambda: enc(x, src_key_padding_mask=torch.zeros(3, 2, dtype=torch.bool)),
           lambda: enc(x, src_mask=torch.zeros(2, 2)),
           lambda: enc(x, src_mask=torch.zeros(3, 3, dtype=torch.long)),
           lambda: dec(x, torch.ones(4, 2, 6)),
           lambda: dec(x, torch.ones(4, 3, 8)),
           lambda: dec(x, torch.ones(4, 2, 8), memory_mask=torch.zeros(3, 3)),
           lambda: T(torch.ones(5, 8), torch.ones(3, 2, 8)),
           lambda: T(torch.ones(5, 2, 8), torch.ones(3, 8)),
           lambda: T(x, x, tgt_mask=torch.zeros(4, 4)),
           lambda: encb(torch.ones(2, 3, 8), src_key_padding_mask=torch.zeros(3, 2, dtype=torch.bool)),
           lambda: encb(torch.ones(2, 3, 8), mask=torch.zeros(2, 3, 3)),
           lambda: enc(torch.ones(2, 3, 4, 8))]:
    try:
        print(fn().shape)
    except Exception as e:
        print(type(e).__name__, str(e).split(chr(10))[0])
""",
    "pad_edge": """
U = torch.nn.utils.rnn
for fn in [lambda: U.pad_sequence([torch.ones(0, 2), torch.ones(3, 2)]),
           lambda: U.pad_sequence([torch.ones(0, 2)], batch_first=True),
           lambda: U.pad_sequence([torch.tensor(1.), torch.tensor(2.)]),
           lambda: U.pack_sequence([torch.ones(2, 1), torch.ones(0, 1)]),
           lambda: U.pad_sequence([torch.ones(2, 3), torch.ones(1, 3, dtype=torch.float64)]),
           lambda: U.pad_sequence([torch.ones(2, 3, dtype=torch.float64), torch.ones(1, 3)]),
           lambda: U.pack_padded_sequence(torch.ones(3, 2, 1), torch.tensor([3, 2]),
                                          enforce_sorted=False).sorted_indices,
           lambda: U.pack_padded_sequence(torch.ones(3, 2, 1), [3, 3]).batch_sizes,
           lambda: U.pad_packed_sequence(U.pack_sequence([torch.ones(2, 1)]), total_length=2)[0].shape]:
    try:
        print(fn())
    except Exception as e:
        print(type(e).__name__, str(e).split(chr(10))[0])
""",
    "packed_seq_ops": """
U = torch.nn.utils.rnn
p = U.pack_sequence([torch.tensor([[1., 2.], [3., 4.]]), torch.tensor([[5., 6.]])])
emb = torch.nn.Linear(2, 3)
fill(emb)
q = U.PackedSequence(emb(p.data), p.batch_sizes, p.sorted_indices, p.unsorted_indices)
r = p._replace(data=torch.relu(p.data - 2))
print(q.data.shape, r)
print(p == p, p.batch_sizes.device, p.data.device, p.to('cpu') is p, p.cpu() is p)
R = U.pad_packed_sequence(q)[0], list(p), p.count(None), p.index(p.batch_sizes)
""",
    "lstm_on_packed_different_dtypes": """
U = torch.nn.utils.rnn
lstm = fill(torch.nn.LSTM(2, 3)).double()
p = U.pack_sequence([torch.ones(2, 2), torch.ones(1, 2)])
try:
    lstm(p)
except Exception as e:
    print(type(e).__name__, e)
res = []
for M in [torch.nn.LSTM, torch.nn.GRU, torch.nn.RNN]:
    for wd, xd in [(torch.float64, torch.float32), (torch.float32, torch.float64), (torch.float32, torch.bfloat16)]:
        m = M(2, 3).to(wd)
        q = U.pack_sequence([torch.ones(2, 2, dtype=xd), torch.ones(1, 2, dtype=xd)])
        try:
            m(q)
        except Exception as e:
            res.append((type(e).__name__, str(e)))
R = lstm(p.double())[0].data, res
""",
    "lstm_full_backward_hook": """
lstm = fill(torch.nn.LSTM(2, 3))
seen = []
shapes = lambda gs: [None if g is None else tuple(g.shape) for g in gs]
lstm.register_full_backward_hook(lambda m, gi, go: seen.append((len(gi), len(go), shapes(go))))
x = torch.linspace(-1, 1, 8).reshape(4, 1, 2).requires_grad_()
out, (h, c) = lstm(x)
out.sum().backward()
R = seen, x.grad
""",
    "gru_forward_hooks": """
gru = fill(torch.nn.GRU(2, 3))
seen = []
gru.register_forward_pre_hook(lambda m, inp: seen.append(('pre', len(inp), tuple(inp[0].shape))))
gru.register_forward_hook(lambda m, inp, out: seen.append(('post', type(out).__name__, tuple(out[0].shape),
                                                           tuple(out[1].shape))))
gru(torch.ones(4, 1, 2))
gru(torch.ones(4, 1, 2), torch.zeros(1, 1, 3))
R = seen
""",
    "mha_full_backward_hook": """
mha = fill(torch.nn.MultiheadAttention(4, 2))
seen = []
shapes = lambda gs: [None if g is None else tuple(g.shape) for g in gs]
mha.register_full_backward_hook(lambda m, gi, go: seen.append((len(gi), len(go), shapes(go), shapes(gi))))
x = torch.linspace(-1, 1, 24).reshape(3, 2, 4).requires_grad_()
out, w = mha(x, x, x)
out.sum().backward()
R = seen
""",
    "lstm_named_buffers_modules": """
m = torch.nn.LSTM(2, 3, num_layers=2)
R = list(m.named_buffers()), [n for n, _ in m.named_modules()], len(list(m.children())), m.training
""",
    "lstm_zero_grad_apply": """
lstm = fill(torch.nn.LSTM(2, 3))
lstm(torch.ones(2, 1, 2))[0].sum().backward()
lstm.zero_grad()
lstm.apply(lambda m: None)
lstm.half()
R = [p.grad for p in lstm.parameters()], lstm.weight_ih_l0.dtype, lstm._flat_weights[0].dtype
""",
    "lstm_state_dict_load_errors": """
lstm = torch.nn.LSTM(2, 3)
sd = torch.nn.LSTM(2, 3, num_layers=2).state_dict()
try:
    lstm.load_state_dict(sd)
except RuntimeError as e:
    print(str(e))
sd = torch.nn.LSTM(2, 4).state_dict()
try:
    lstm.load_state_dict(sd)
except RuntimeError as e:
    print(str(e))
""",
    "mha_load_state_dict_errors": """
mha = torch.nn.MultiheadAttention(4, 2)
try:
    mha.load_state_dict(torch.nn.MultiheadAttention(4, 2, kdim=3).state_dict())
except RuntimeError as e:
    print(str(e))
""",
    "private_module_helpers": """
from torch.nn.modules.rnn import apply_permutation, _apply_permutation
from torch.nn.modules.transformer import _get_seq_len, _generate_square_subsequent_mask, _get_clones
x = torch.arange(6.).reshape(1, 3, 2)
print(_generate_square_subsequent_mask(3))
R = (apply_permutation(x, torch.tensor([2, 0, 1])), _apply_permutation(x, torch.tensor([1, 0]), dim=2),
     _get_seq_len(torch.ones(2, 3, 4), True), _get_seq_len(torch.ones(2, 3, 4), False),
     _get_seq_len(torch.ones(3, 4), True), len(_get_clones(torch.nn.Linear(2, 2), 3)))
""",
    "long_lstm": """
lstm = fill(torch.nn.LSTM(16, 32, num_layers=2, batch_first=True), -0.2, 0.2)
x = torch.sin(torch.arange(4 * 60 * 16.).reshape(4, 60, 16) * 0.37)
out, (h, c) = lstm(x)
loss = out.pow(2).mean()
loss.backward()
R = out[:, -1], h, loss, lstm.weight_hh_l0.grad[:3], lstm.weight_ih_l0.grad.norm()
""",
    "long_gru": """
gru = fill(torch.nn.GRU(16, 32, bidirectional=True), -0.2, 0.2)
x = torch.sin(torch.arange(60 * 4 * 16.).reshape(60, 4, 16) * 0.37)
out, h = gru(x)
out.sum().backward()
R = out[-1], h, gru.weight_hh_l0_reverse.grad[:3]
""",
    "big_mha": """
mha = fill(torch.nn.MultiheadAttention(64, 8, batch_first=True), -0.1, 0.1)
x = torch.sin(torch.arange(4 * 50 * 64.).reshape(4, 50, 64) * 0.13)
out, w = mha(x, x, x, attn_mask=torch.nn.Transformer.generate_square_subsequent_mask(50))
out.sum().backward()
R = out[:, -1, :8], w[:, -1, :8], mha.in_proj_weight.grad[:2, :8]
""",
    "pickle_whole_models": """
import pickle, copy
nn = torch.nn
res = []
for m in [nn.Transformer(4, 2, 1, 1, 8, 0.0), nn.LSTM(3, 4, proj_size=2), nn.MultiheadAttention(4, 2, kdim=3),
          nn.TransformerEncoderLayer(4, 2, 8, 0.0, activation='gelu')]:
    fill(m)
    m2 = pickle.loads(pickle.dumps(m))
    m3 = pickle.loads(pickle.dumps(m, protocol=2))
    m4 = copy.deepcopy(m)
    res.append([str(x) == str(m) for x in (m2, m3, m4)] + [list(x.state_dict()) == list(m.state_dict())
                                                            for x in (m2, m3, m4)])
x = torch.linspace(-1, 1, 24).reshape(3, 2, 4)
R = res, m2(x), m3(x)
""",
    "translation_tutorial": """
import math
from torch import Tensor
import torch.nn as nn
from torch.nn import Transformer
PAD_IDX, BOS_IDX, EOS_IDX = 1, 2, 3
class PositionalEncoding(nn.Module):
    def __init__(self, emb_size, dropout, maxlen=50):
        super().__init__()
        den = torch.exp(- torch.arange(0, emb_size, 2) * math.log(10000) / emb_size)
        pos = torch.arange(0, maxlen).reshape(maxlen, 1)
        pos_embedding = torch.zeros((maxlen, emb_size))
        pos_embedding[:, 0::2] = torch.sin(pos * den)
        pos_embedding[:, 1::2] = torch.cos(pos * den)
        pos_embedding = pos_embedding.unsqueeze(-2)
        self.dropout = nn.Dropout(dropout)
        self.register_buffer('pos_embedding', pos_embedding)
    def forward(self, token_embedding: Tensor):
        return self.dropout(token_embedding + self.pos_embedding[:token_embedding.size(0), :])
class TokenEmbedding(nn.Module):
    def __init__(self, vocab_size, emb_size):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, emb_size)
        self.emb_size = emb_size
    def forward(self, tokens: Tensor):
        return self.embedding(tokens.long()) * math.sqrt(self.emb_size)
class Seq2SeqTransformer(nn.Module):
    def __init__(self, num_encoder_layers, num_decoder_layers, emb_size, nhead, src_vocab_size, tgt_vocab_size,
                 dim_feedforward=16, dropout=0.0):
        super().__init__()
        self.transformer = Transformer(d_model=emb_size, nhead=nhead, num_encoder_layers=num_encoder_layers,
                                       num_decoder_layers=num_decoder_layers, dim_feedforward=dim_feedforward,
                                       dropout=dropout)
        self.generator = nn.Linear(emb_size, tgt_vocab_size)
        self.src_tok_emb = TokenEmbedding(src_vocab_size, emb_size)
        self.tgt_tok_emb = TokenEmbedding(tgt_vocab_size, emb_size)
        self.positional_encoding = PositionalEncoding(emb_size, dropout=dropout)
    def forward(self, src, trg, src_mask, tgt_mask, src_padding_mask, tgt_padding_mask, memory_key_padding_mask):
        src_emb = self.positional_encoding(self.src_tok_emb(src))
        tgt_emb = self.positional_encoding(self.tgt_tok_emb(trg))
        outs = self.transformer(src_emb, tgt_emb, src_mask, tgt_mask, None, src_padding_mask, tgt_padding_mask,
                                memory_key_padding_mask)
        return self.generator(outs)
    def encode(self, src, src_mask):
        return self.transformer.encoder(self.positional_encoding(self.src_tok_emb(src)), src_mask)
    def decode(self, tgt, memory, tgt_mask):
        return self.transformer.decoder(self.positional_encoding(self.tgt_tok_emb(tgt)), memory, tgt_mask)
def generate_square_subsequent_mask(sz):
    mask = (torch.triu(torch.ones((sz, sz))) == 1).transpose(0, 1)
    mask = mask.float().masked_fill(mask == 0, float('-inf')).masked_fill(mask == 1, float(0.0))
    return mask
def create_mask(src, tgt):
    src_seq_len, tgt_seq_len = src.shape[0], tgt.shape[0]
    tgt_mask = generate_square_subsequent_mask(tgt_seq_len)
    src_mask = torch.zeros((src_seq_len, src_seq_len)).type(torch.bool)
    src_padding_mask = (src == PAD_IDX).transpose(0, 1)
    tgt_padding_mask = (tgt == PAD_IDX).transpose(0, 1)
    return src_mask, tgt_mask, src_padding_mask, tgt_padding_mask
model = Seq2SeqTransformer(2, 2, 8, 2, 12, 12)
for p in model.parameters():
    if p.dim() > 1:
        nn.init.xavier_uniform_(p)
fill(model)
src = torch.tensor([[2, 2], [5, 6], [7, 3], [3, 1]])
tgt = torch.tensor([[2, 2], [4, 8], [9, 3], [3, 1]])
tgt_input = tgt[:-1, :]
src_mask, tgt_mask, src_padding_mask, tgt_padding_mask = create_mask(src, tgt_input)
print(tgt_mask)
logits = model(src, tgt_input, src_mask, tgt_mask, src_padding_mask, tgt_padding_mask, src_padding_mask)
loss_fn = torch.nn.CrossEntropyLoss(ignore_index=PAD_IDX)
tgt_out = tgt[1:, :]
loss = loss_fn(logits.reshape(-1, logits.shape[-1]), tgt_out.reshape(-1))
opt = torch.optim.Adam(model.parameters(), lr=0.001, betas=(0.9, 0.98), eps=1e-9)
opt.zero_grad(); loss.backward(); opt.step()
model.eval()
def greedy_decode(model, src, src_mask, max_len, start_symbol):
    memory = model.encode(src, src_mask)
    ys = torch.ones(1, 1).fill_(start_symbol).type(torch.long)
    for i in range(max_len - 1):
        tgt_mask = (generate_square_subsequent_mask(ys.size(0)).type(torch.bool))
        out = model.decode(ys, memory, tgt_mask)
        out = out.transpose(0, 1)
        prob = model.generator(out[:, -1])
        _, next_word = torch.max(prob, dim=1)
        next_word = next_word.item()
        ys = torch.cat([ys, torch.ones(1, 1).type_as(src.data).fill_(next_word)], dim=0)
        if next_word == EOS_IDX:
            break
    return ys
with torch.no_grad():
    ys = greedy_decode(model, src[:, :1], torch.zeros(4, 4).type(torch.bool), 6, BOS_IDX)
R = logits, loss, ys.flatten().tolist()
""",
    "lengths_variants": """
import numpy as np
U = torch.nn.utils.rnn
x = torch.arange(12.).reshape(4, 3)
R = [U.pack_padded_sequence(x, l, enforce_sorted=False) for l in
     (np.array([4, 2, 3]), [torch.tensor(4), torch.tensor(2), torch.tensor(3)],
      torch.tensor([4, 2, 3], dtype=torch.int32), (4, 2, 3))]
print(U.invert_permutation(torch.tensor([2, 0, 1])), U.invert_permutation(None))
""",
    "mha_float_mask_full_row": """
mha = fill(torch.nn.MultiheadAttention(4, 2))
x = torch.linspace(-1, 1, 24).reshape(3, 2, 4)
m = torch.zeros(3, 3); m[1] = float('-inf')
o, w = mha(x, x, x, attn_mask=m)
mha.eval()
with torch.no_grad():
    o2, w2 = mha(x, x, x, attn_mask=m)
R = o, w, o2, w2
""",
    "sdpa_float_mask_full_row": """
F = torch.nn.functional
q = torch.linspace(-1, 1, 24).reshape(1, 2, 3, 4)
m = torch.zeros(3, 3); m[1] = float('-inf')
R = (F.scaled_dot_product_attention(q, q, q, attn_mask=m),
     F.scaled_dot_product_attention(q[0], q[0], q[0], attn_mask=m))
""",
    "enc_nested_all_pad_row": """
nn = torch.nn
enc = fill(nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 8, 0.0, batch_first=True), 1)).eval()
x = torch.linspace(-1, 1, 24).reshape(2, 3, 4)
kpm = torch.tensor([[False, True, True], [False, False, False]])
with torch.no_grad():
    R = enc(x, src_key_padding_mask=kpm)
""",
    "enc_nested_not_left_aligned": """
nn = torch.nn
enc = fill(nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 8, 0.0, batch_first=True), 1)).eval()
x = torch.linspace(-1, 1, 24).reshape(2, 3, 4)
kpm = torch.tensor([[True, False, False], [False, False, False]])
with torch.no_grad():
    R = enc(x, src_key_padding_mask=kpm)
""",
    "enc_nested_float_kpm": """
nn = torch.nn
enc = fill(nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 8, 0.0, batch_first=True), 1)).eval()
x = torch.linspace(-1, 1, 24).reshape(2, 3, 4)
kpm = torch.tensor([[0., 0., float('-inf')], [0., 0., 0.]])
with torch.no_grad():
    R = enc(x, src_key_padding_mask=kpm)
""",
    "transformer_eval_padding": """
nn = torch.nn
model = fill(nn.Transformer(4, 2, 1, 1, 8, 0.0, batch_first=True)).eval()
src = torch.linspace(-1, 1, 24).reshape(2, 3, 4); tgt = torch.linspace(1, -1, 16).reshape(2, 2, 4)
kpm = torch.tensor([[False, False, True], [False, False, False]])
with torch.no_grad():
    R = model(src, tgt, src_key_padding_mask=kpm, memory_key_padding_mask=kpm)
""",
    "get_submodule_names": """
nn = torch.nn
m = nn.Transformer(4, 2, 2, 1, 8)
R = [n for n, _ in m.named_modules()][:14], type(m.encoder.layers[0].self_attn.out_proj).__name__
""",
    "causal_bias": """
from torch.nn.attention.bias import causal_lower_right, causal_upper_left, CausalVariant
F = torch.nn.functional
b = causal_lower_right(2, 4)
print(b, b.variant, b.seq_len_q, b.seq_len_kv)
print(b._materialize()); print(causal_upper_left(2, 4)._materialize())
print(list(CausalVariant.__members__), CausalVariant.LOWER_RIGHT, CausalVariant.LOWER_RIGHT.value)
q = torch.linspace(-1, 1, 16).reshape(1, 1, 2, 8); k = torch.linspace(1, -1, 32).reshape(1, 1, 4, 8)
res = [F.scaled_dot_product_attention(q, k, k, attn_mask=b),
       F.scaled_dot_product_attention(q, k, k, attn_mask=causal_upper_left(2, 4)),
       F.scaled_dot_product_attention(k[0], q[0], q[0], attn_mask=causal_lower_right(4, 2)),
       F.scaled_dot_product_attention(k, k, k, attn_mask=causal_lower_right(4, 4))]
for fn in [lambda: F.scaled_dot_product_attention(q, k, k, attn_mask=b, is_causal=True), lambda: causal_lower_right(2)]:
    try:
        fn()
    except Exception as e:
        print(type(e).__name__, e)
R = res
""",
    "autocast_bf16_dtypes": """
nn = torch.nn
x = torch.ones(3, 2, 4)
res = []
with torch.autocast('cpu', dtype=torch.bfloat16):
    for m in [nn.LSTM(4, 4), nn.GRU(4, 4), nn.RNN(4, 4), nn.LSTM(4, 4, proj_size=2),
              nn.RNN(4, 4, nonlinearity='relu', bidirectional=True)]:
        o, h = m(x)
        res.append((type(m).__name__, o.dtype, (h[0] if isinstance(h, tuple) else h).dtype, o.grad_fn.name()))
    o, w = nn.MultiheadAttention(4, 2)(x, x, x)
    res.append(('mha', o.dtype, w.dtype))
    res.append(('enc', nn.TransformerEncoderLayer(4, 2, 8)(x).dtype))
    F = nn.functional
    res.append(('sdpa', F.scaled_dot_product_attention(x, x, x).dtype,
                F.scaled_dot_product_attention(x, x, x, attn_mask=torch.zeros(2, 2)).dtype))
    res.append(('cells', nn.LSTMCell(4, 4)(x[0])[0].dtype, nn.GRUCell(4, 4)(x[0]).dtype, nn.RNNCell(4, 4)(x[0]).dtype))
    o, (h, c) = nn.LSTM(4, 4)(x, (torch.zeros(1, 2, 4), torch.zeros(1, 2, 4)))
    res.append((o.dtype, h.dtype, c.dtype))
    res.append(nn.LSTM(4, 4)(nn.utils.rnn.pack_sequence([torch.ones(2, 4)]))[0].data.dtype)
    l = nn.LSTM(4, 4); xx = x.clone().requires_grad_()
    o, _ = l(xx); o.float().sum().backward()
    res.append((l.weight_ih_l0.grad.dtype, xx.grad.dtype, o.shape))
    res.append(nn.LSTM(4, 4).double()(x.double())[0].dtype)
    nn.LSTM(4, 4)(x.double())
R = res
""",
    "bfloat16_modules_dtypes": """
nn = torch.nn
x = torch.linspace(-1, 1, 24).reshape(3, 2, 4).to(torch.bfloat16).requires_grad_()
res = []
for m in [nn.LSTM(4, 4), nn.GRU(4, 4, bidirectional=True), nn.RNN(4, 4)]:
    m = m.to(torch.bfloat16)
    o, h = m(x)
    o.float().sum().backward()
    res.append((o.dtype, o.shape, x.grad.dtype, m.weight_hh_l0.grad.dtype))
q = x.reshape(1, 2, 3, 4)
o = nn.functional.scaled_dot_product_attention(q, q, q)
o.float().sum().backward()
R = res, o.dtype, o.grad_fn.name()
""",
    "ctor_errors": """
nn = torch.nn
for fn in [lambda: nn.LSTM(3), lambda: nn.RNN(3), lambda: nn.GRU(), lambda: nn.LSTM(3, 4, foo=1),
           lambda: nn.RNN(3, 4, 1, 'tanh', True, False, 0.0, False, 2),
           lambda: nn.LSTM(3, 4, num_layers=0), lambda: nn.LSTM(3, 4, num_layers=1.5), lambda: nn.LSTM(3, -1),
           lambda: nn.LSTM(3, 4, dropout=-0.1),
           lambda: nn.LSTM(3, 4, dropout=True), lambda: nn.LSTM(3, 4, proj_size=-1), lambda: nn.RNNCell(3),
           lambda: nn.MultiheadAttention(4, 0), lambda: nn.MultiheadAttention(0, 2),
           lambda: nn.TransformerEncoderLayer(5, 2),
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
p = pack_sequence([torch.tensor([[1.], [2.], [3.]]), torch.tensor([[4.]]), torch.tensor([[5.], [6.]])],
                  enforce_sorted=False)
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
layer = nn.TransformerEncoderLayer(4, 2, 8, 0.1, batch_first=True)
enc = fill(nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(4))).eval()
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
        super().__init__(); self.emb = nn.Embedding(6, 3); self.rnn = nn.LSTM(3, 4, batch_first=True)
        self.fc = nn.Linear(8, 6)
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
for M, kw in [(torch.nn.GRU, dict(num_layers=2, bidirectional=True)),
              (torch.nn.LSTM, dict(proj_size=2, bidirectional=True)),
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
for M, kw in [(torch.nn.GRU, dict(num_layers=2, bidirectional=True)),
              (torch.nn.LSTM, dict(proj_size=2, bidirectional=True)),
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
    "weight_drop": """
nn = torch.nn
class WeightDrop(nn.Module):
    def __init__(self, module, weights, dropout=0.0):
        super().__init__()
        self.module, self.weights, self.dropout = module, weights, dropout
        for name_w in self.weights:
            w = getattr(self.module, name_w)
            del self.module._parameters[name_w]
            self.module.register_parameter(name_w + '_raw', nn.Parameter(w.data))
    def forward(self, *args):
        for name_w in self.weights:
            raw_w = getattr(self.module, name_w + '_raw')
            setattr(self.module, name_w, nn.functional.dropout(raw_w, p=self.dropout, training=self.training))
        return self.module.forward(*args)
lstm = fill(nn.LSTM(3, 4))
wd = WeightDrop(lstm, ['weight_hh_l0'], dropout=0.0)
out, _ = wd(torch.linspace(-1, 1, 18).reshape(3, 2, 3))
out.sum().backward()
print(sorted(n for n, _ in wd.named_parameters()))
R = out, lstm.weight_hh_l0_raw.grad
""",
    "attn_weights_hook": """
nn = torch.nn
layer = nn.TransformerEncoderLayer(4, 2, 8, 0.0, batch_first=True)
enc = fill(nn.TransformerEncoder(layer, 2, enable_nested_tensor=False))
saved = []
def patch_attention(m):
    forward_orig = m.forward
    def wrap(*args, **kwargs):
        kwargs['need_weights'] = True
        kwargs['average_attn_weights'] = False
        return forward_orig(*args, **kwargs)
    m.forward = wrap
for layer in enc.layers:
    patch_attention(layer.self_attn)
    layer.self_attn.register_forward_hook(lambda mod, inp, out: saved.append(out[1]))
x = torch.linspace(-1, 1, 24).reshape(2, 3, 4)
out = enc(x)
R = out, saved
""",
    "subclass_sa_block": """
nn = torch.nn
class MyLayer(nn.TransformerEncoderLayer):
    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal=False):
        x, w = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask, need_weights=True)
        self.attn = w
        return self.dropout1(x)
l = fill(MyLayer(4, 2, 8, 0.0))
out = l(torch.linspace(-1, 1, 24).reshape(3, 2, 4))
R = out, l.attn
""",
    "mha_merge_masks": """
mha = torch.nn.MultiheadAttention(4, 2, batch_first=True)
q = torch.ones(2, 3, 4)
m, t = mha.merge_masks(torch.zeros(3, 3), torch.tensor([[False, False, True], [False] * 3]), q)
m2, t2 = mha.merge_masks(None, None, q)
R = m, t, m2, t2
""",
    "enc_layer_eval_need_grad": """
nn = torch.nn
l = fill(nn.TransformerEncoderLayer(4, 2, 8, batch_first=True)).eval()
x = torch.linspace(-1, 1, 24).reshape(2, 3, 4)
R = l(x), l(x, src_key_padding_mask=torch.tensor([[False, False, True], [False] * 3]))
""",
    "decoder_memory_mask": """
nn = torch.nn
d = fill(nn.TransformerDecoderLayer(4, 2, 8, 0.0))
t = torch.linspace(-1, 1, 16).reshape(2, 2, 4); m = torch.linspace(1, -1, 24).reshape(3, 2, 4)
mm = torch.tensor([[False, True, True], [False, False, True]])
R = d(t, m, memory_mask=mm), d(t, m, memory_mask=mm.float().masked_fill(mm, -1e9))
""",
    "transformer_masks_dtype_warn": """
nn = torch.nn
model = fill(nn.Transformer(4, 2, 1, 1, 8, 0.0))
src = torch.linspace(-1, 1, 24).reshape(3, 2, 4); tgt = torch.linspace(1, -1, 16).reshape(2, 2, 4)
kpm = torch.tensor([[0., 0., float('-inf')], [0., 0., 0.]])
R = model(src, tgt, src_key_padding_mask=kpm, memory_key_padding_mask=kpm,
          tgt_mask=torch.triu(torch.ones(2, 2, dtype=torch.bool), 1))
""",
    "extract_tensor_module": """
nn = torch.nn
class LastStep(nn.Module):
    def forward(self, x):
        out, _ = x
        return out[:, -1]
m = fill(nn.Sequential(nn.GRU(3, 4, batch_first=True), LastStep(), nn.Linear(4, 2)))
print(m)
R = m(torch.linspace(-1, 1, 24).reshape(2, 4, 3))
""",
    "char_rnn_generation": """
nn = torch.nn
class CharRNN(nn.Module):
    def __init__(self, n, h):
        super().__init__()
        self.h = h
        self.emb = nn.Embedding(n, h); self.rnn = nn.GRU(h, h, 2); self.out = nn.Linear(h, n)
    def forward(self, x, hidden):
        o, hidden = self.rnn(self.emb(x).view(1, 1, -1), hidden)
        return self.out(o.view(1, -1)), hidden
    def init_hidden(self):
        return torch.zeros(2, 1, self.h)
m = fill(CharRNN(5, 3))
h = m.init_hidden()
x = torch.tensor([1])
seq = []
for _ in range(6):
    logits, h = m(x, h)
    x = logits.argmax(1)
    seq.append(x.item())
R = seq, logits, torch.softmax(logits, 1)
""",
    "mha_merge_masks2": """
mha = torch.nn.MultiheadAttention(4, 2, batch_first=True)
q = torch.ones(2, 3, 4)
kpm = torch.tensor([[False, False, True], [False] * 3])
res = []
bm = torch.zeros(3, 3, dtype=torch.bool)
for am, k in [(torch.zeros(3, 3), None), (torch.zeros(4, 3, 3), None), (None, kpm), (torch.zeros(3, 3), kpm),
              (torch.zeros(4, 3, 3), kpm), (bm, None), (bm, kpm), (None, kpm.float())]:
    res.append(mha.merge_masks(am, k, q))
R = res
torch.nn.MultiheadAttention(4, 2).merge_masks(torch.zeros(3,3), kpm, torch.ones(3,2,4))
""",
}


@pytest.mark.parametrize("name", sorted(MORE))
def test_more_code(name):
    check(MORE[name])

