"""Sequence-model user code, part 2: MultiheadAttention, scaled_dot_product_attention, the Transformer family.

See seq_sweep_harness.py for how snippets run and compare.
"""
import pytest
from seq_sweep_harness import check

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
    "mha_fast_path_mask_types": """
nn = torch.nn
mha = fill(nn.MultiheadAttention(4, 2, batch_first=True)).eval()
x = torch.linspace(-1, 1, 24).reshape(2, 3, 4)
kpm = torch.tensor([[True, True, True], [False, False, True]])
fk = torch.zeros(2, 3).masked_fill(kpm, float('-inf'))
causal_f = nn.Transformer.generate_square_subsequent_mask(3)
causal_b = torch.triu(torch.ones(3, 3, dtype=torch.bool), 1)
allb = torch.ones(3, 3, dtype=torch.bool)
nanrows = lambda o: torch.isnan(o).any(-1).tolist()
res = []
with torch.no_grad():
    for am in (None, causal_f, causal_b, allb, torch.full((3, 3), float('-inf'))):
        for kp in (None, kpm, fk):
            res.append([nanrows(mha(x, x, x, key_padding_mask=kp, attn_mask=am, need_weights=nw)[0])
                        for nw in (False, True)])
    l = fill(nn.TransformerEncoderLayer(4, 2, 8, 0.0, batch_first=True)).eval()
    res.append(nanrows(l(x, src_mask=causal_f, src_key_padding_mask=kpm)))
    res.append(nanrows(l(x, src_mask=torch.full((3, 3), float('-inf')))))
    res.append(l(x, src_mask=torch.zeros(4, 3, 3), src_key_padding_mask=kpm))
R = res
""",
    "inference_fast_path_masked_rows": """
nn = torch.nn
def mk(**kw):
    return fill(nn.TransformerEncoderLayer(4, 2, 8, 0.0, batch_first=True, **kw)).eval()
x = torch.linspace(-1, 1, 24).reshape(2, 3, 4)
kpm = torch.tensor([[True, True, True], [False, False, True]])
fk = torch.zeros(2, 3).masked_fill(kpm, float('-inf'))
nanrows = lambda o: torch.isnan(o).any(-1).tolist()
res = []
with torch.no_grad():
    res.append(mk()(x, src_key_padding_mask=kpm))
    res.append(nanrows(mk(norm_first=True, activation='gelu')(x, src_key_padding_mask=fk)))
    res.append(nanrows(mk()(x, src_mask=torch.ones(3, 3, dtype=torch.bool))))
    res.append(nanrows(mk(activation=torch.tanh)(x, src_key_padding_mask=kpm)))
    res.append(nanrows(mk(bias=False)(x, src_key_padding_mask=kpm)))
    res.append(nanrows(fill(nn.TransformerEncoderLayer(4, 1, 8, 0.0, batch_first=True)).eval()(
        x, src_key_padding_mask=kpm)))
    res.append(nanrows(nn.TransformerEncoder(mk(), 2, enable_nested_tensor=False)(x, src_key_padding_mask=kpm)))
    res.append(nanrows(nn.TransformerEncoder(mk(), 2).eval()(x, src_key_padding_mask=kpm)))
    res.append(nanrows(fill(nn.TransformerDecoderLayer(4, 2, 8, 0.0, batch_first=True)).eval()(
        x, x, tgt_key_padding_mask=kpm)))
    mha = fill(nn.MultiheadAttention(4, 2, batch_first=True)).eval()
    res.append([nanrows(mha(x, x, x, key_padding_mask=m, need_weights=False)[0]) for m in (kpm, fk)])
    res.append(nanrows(mha(x, x * 2, x * 2, key_padding_mask=kpm, need_weights=False)[0]))
    l = mk(); seen = []
    l.self_attn.register_forward_hook(lambda m, i, o: seen.append('hook'))
    res.append(nanrows(l(x, src_key_padding_mask=kpm)))
    class Sub(nn.TransformerEncoderLayer):
        def _sa_block(self, *a, **k):
            seen.append('sa')
            return super()._sa_block(*a, **k)
    Sub(4, 2, 8, 0.0, batch_first=True).eval()(x, src_key_padding_mask=kpm)
    res.append(seen)
res.append(nanrows(mk()(x, src_key_padding_mask=kpm)))
with torch.inference_mode():
    res.append(nanrows(mk()(x, src_key_padding_mask=kpm)))
res.append(nanrows(mk().requires_grad_(False)(x, src_key_padding_mask=kpm)))
R = res
""",
    "nested_tensor_reasons": """
nn = torch.nn
L = lambda **kw: nn.TransformerEncoderLayer(8, 2, 16, 0.0, batch_first=True, **kw)
layers = [L(activation=torch.tanh), L(bias=False), L(activation=nn.ReLU()), L(activation='gelu'), L(norm_first=True),
          nn.TransformerEncoderLayer(8, 1, 16, batch_first=True), L(layer_norm_eps=1e-6)]
odd = L(); odd.norm2.eps = 1e-3; layers.append(odd)
for layer in layers:
    enc = nn.TransformerEncoder(layer, 1)
    print(enc.use_nested_tensor, enc.enable_nested_tensor)
enc = nn.TransformerEncoder(L(), 1, enable_nested_tensor=False)
R = enc.use_nested_tensor
""",
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


@pytest.mark.parametrize("name", sorted(ATTN))
def test_attention_code(name):
    check(ATTN[name])


@pytest.mark.parametrize("name", sorted(TRANSFORMER))
def test_transformer_code(name):
    check(TRANSFORMER[name])
