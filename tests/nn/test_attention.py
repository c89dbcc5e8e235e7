"""MultiheadAttention, F.multi_head_attention_forward and F.scaled_dot_product_attention against torch."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import ember
from helpers import assert_same, to_ember

D = torch.float64


def _masks():
    g = torch.Generator().manual_seed(3)
    am_bool = torch.rand(5, 6, generator=g) > 0.7
    am_bool[:, 0] = False
    kpm = torch.tensor([[False] * 5 + [True], [False] * 3 + [True] * 3])
    kpm_f = torch.zeros(2, 6, dtype=D)
    kpm_f[1, 4:] = float("-inf")
    am3 = torch.randn(4, 5, 6, dtype=D, generator=g)
    return {"bool": {"attn_mask": am_bool, "key_padding_mask": kpm},
            "float": {"attn_mask": torch.randn(5, 6, dtype=D, generator=g), "key_padding_mask": kpm_f,
                      "average_attn_weights": False},
            "3d": {"attn_mask": am3},
            "no_weights": {"attn_mask": am_bool, "need_weights": False, "key_padding_mask": kpm},
            "none": {}}


def _run_mha(kw, fkw, shapes=((5, 2, 8), (6, 2, 8), (6, 2, 8)), self_attn=False):
    torch.manual_seed(0)
    mt = torch.nn.MultiheadAttention(8, 2, **kw).to(D)
    me = ember.nn.MultiheadAttention(8, 2, **kw).double()
    me.load_state_dict({k: to_ember(v) for k, v in mt.state_dict().items()}, strict=True)
    ins = [torch.randn(s, dtype=D) for s in shapes]
    it = [x.clone().requires_grad_() for x in ins]
    ie = [to_ember(x).requires_grad_() for x in ins]
    if self_attn:
        it, ie = [it[0]] * 3, [ie[0]] * 3
    fe = {k: to_ember(v) if isinstance(v, torch.Tensor) else v for k, v in fkw.items()}
    ot, wt = mt(*it, **fkw)
    oe, we = me(*ie, **fe)
    assert_same(oe, ot, 1e-10, 1e-12)
    assert_same(we, wt, 1e-10, 1e-12)
    g = torch.randn(ot.shape, dtype=D)
    ((ot * g).sum() + (wt.pow(2).sum() if wt is not None else 0)).backward()
    ((oe * to_ember(g)).sum() + (we.pow(2).sum() if we is not None else 0)).backward()
    for a, b in zip(ie, it):
        assert_same(a.grad, b.grad, 1e-9, 1e-12)
    for n, p in mt.named_parameters():
        assert_same(me.get_parameter(n).grad, p.grad, 1e-9, 1e-12)


@pytest.mark.parametrize("mask", list(_masks()))
@pytest.mark.parametrize("kw", [{}, {"add_bias_kv": True}, {"add_zero_attn": True}, {"bias": False},
                                {"add_bias_kv": True, "add_zero_attn": True}], ids=str)
def test_mha_masks_and_options(mask, kw):
    _run_mha(kw, dict(_masks()[mask]))


@pytest.mark.parametrize("batch_first", [False, True])
def test_mha_self_attention_and_causal(batch_first):
    shape = (2, 5, 8) if batch_first else (5, 2, 8)
    _run_mha({"batch_first": batch_first}, {}, shapes=(shape,) * 3, self_attn=True)
    causal = torch.nn.Transformer.generate_square_subsequent_mask(5, dtype=D)
    _run_mha({"batch_first": batch_first}, {"attn_mask": causal, "is_causal": True, "need_weights": False},
             shapes=(shape,) * 3, self_attn=True)


def test_mha_kdim_vdim_and_unbatched():
    _run_mha({"kdim": 4, "vdim": 3}, {}, shapes=((5, 2, 8), (6, 2, 4), (6, 2, 3)))
    _run_mha({}, {"key_padding_mask": torch.tensor([False] * 4 + [True] * 2)}, shapes=((5, 8), (6, 8), (6, 8)))


def test_mha_state_dict_keys_and_init():
    for kw in ({}, {"kdim": 4, "vdim": 6, "add_bias_kv": True}, {"bias": False}):
        mt, me = torch.nn.MultiheadAttention(8, 2, **kw), ember.nn.MultiheadAttention(8, 2, **kw)
        assert list(me.state_dict()) == list(mt.state_dict())
        assert [tuple(p.shape) for p in me.parameters()] == [tuple(p.shape) for p in mt.parameters()]
        assert repr(me) == repr(mt)
    me = ember.nn.MultiheadAttention(8, 2)
    assert np.all(me.in_proj_bias.detach().numpy() == 0) and np.all(me.out_proj.bias.detach().numpy() == 0)
    with pytest.raises(AssertionError, match="embed_dim must be divisible by num_heads"):
        ember.nn.MultiheadAttention(8, 3)


def test_mha_dropout_only_in_training():
    me = ember.nn.MultiheadAttention(8, 2, dropout=0.5).requires_grad_(False)
    x = ember.randn(4, 2, 8)
    me.eval()
    assert np.array_equal(me(x, x, x)[0].numpy(), me(x, x, x)[0].numpy())
    me.train()
    assert not np.allclose(me(x, x, x)[0].numpy(), me(x, x, x)[0].numpy())


def test_functional_multi_head_attention_forward():
    torch.manual_seed(0)
    q, k, v = (torch.randn(5, 2, 8, dtype=D) for _ in range(3))
    w, b = torch.randn(24, 8, dtype=D), torch.randn(24, dtype=D)
    ow, ob = torch.randn(8, 8, dtype=D), torch.randn(8, dtype=D)
    args = (8, 2, w, b, None, None, False, 0.0, ow, ob)
    ot, wt = TF.multi_head_attention_forward(q, k, v, *args, training=False)
    oe, we = ember.nn.functional.multi_head_attention_forward(*(to_ember(t) for t in (q, k, v)),
                                                              *(to_ember(a) for a in args), training=False)
    assert_same(oe, ot, 1e-10, 1e-12)
    assert_same(we, wt, 1e-10, 1e-12)


# ---- scaled_dot_product_attention ------------------------------------------------------------------------

SDPA_CASES = {"plain": {}, "causal": {"is_causal": True}, "bool": "bool", "float": "float", "scale": {"scale": 0.3},
              "gqa": {"hk": 2, "enable_gqa": True}, "masked_row": "masked_row", "broadcast_heads": {"hk": 1}}


@pytest.mark.parametrize("case", list(SDPA_CASES))
def test_sdpa_matches_torch(case):
    g = torch.Generator().manual_seed(1)
    kw = SDPA_CASES[case]
    if kw == "bool":
        kw = {"attn_mask": torch.rand(5, 6, generator=g) > 0.5}
    elif kw == "float":
        kw = {"attn_mask": torch.randn(2, 1, 5, 6, dtype=D, generator=g)}
    elif kw == "masked_row":
        m = torch.ones(5, 6, dtype=torch.bool)
        m[2] = False
        kw = {"attn_mask": m}
    kw = dict(kw)
    hk = kw.pop("hk", 4)
    S = 5 if kw.get("is_causal") else 6
    q = torch.randn(2, 4, 5, 8, dtype=D, generator=g)
    k = torch.randn(2, hk, S, 8, dtype=D, generator=g)
    v = torch.randn(2, hk, S, 3, dtype=D, generator=g)
    ts = [x.requires_grad_() for x in (q, k, v)]
    es = [to_ember(x.detach()).requires_grad_() for x in (q, k, v)]
    kwe = {a: to_ember(b) if isinstance(b, torch.Tensor) else b for a, b in kw.items()}
    ot = TF.scaled_dot_product_attention(*ts, **kw)
    oe = ember.nn.functional.scaled_dot_product_attention(*es, **kwe)
    assert_same(oe, ot, 1e-10, 1e-12)
    w = torch.randn(ot.shape, dtype=D, generator=g)
    (ot * w).sum().backward()
    (oe * to_ember(w)).sum().backward()
    for a, b in zip(es, ts):
        assert_same(a.grad, b.grad, 1e-9, 1e-12)


def test_sdpa_float32_and_dropout():
    q = torch.randn(3, 7, 16)
    ot = TF.scaled_dot_product_attention(q, q, q, is_causal=True)
    oe = ember.nn.functional.scaled_dot_product_attention(*(to_ember(q),) * 3, is_causal=True)
    assert_same(oe, ot, 1e-5, 1e-6)
    x = ember.ones(2, 4, 16, 8)
    out = ember.nn.functional.scaled_dot_product_attention(x, x, x, dropout_p=0.5)
    vals = np.unique(np.round(out.numpy(), 5))
    assert set(vals.tolist()) <= {0.0, 2.0} or not np.allclose(out.numpy(), 1.0)


def test_sdpa_gradcheck_and_double_backward():
    q, k, v = (ember.randn(1, 2, 3, 4, dtype=ember.float64, requires_grad=True) for _ in range(3))
    mask = ember.randn(3, 3, dtype=ember.float64, requires_grad=True)
    f = ember.nn.functional.scaled_dot_product_attention
    assert ember.autograd.gradcheck(lambda a, b, c, m: f(a, b, c, attn_mask=m), (q, k, v, mask))
    assert ember.autograd.gradgradcheck(lambda a, b, c: f(a, b, c, is_causal=True), (q, k, v))


@pytest.mark.parametrize("call", [
    lambda F, t: F.scaled_dot_product_attention(t, t, t, attn_mask=t[..., 0] > 0, is_causal=True),
    lambda F, t: F.scaled_dot_product_attention(t, t, t.double()),
])
def test_sdpa_errors_match_torch(call):
    def run(lib):
        try:
            call(lib.nn.functional, lib.ones(2, 3, 4))
        except Exception as exc:  # noqa: BLE001
            return type(exc), str(exc)
    t = run(torch)
    assert t is not None and run(ember) == t


def test_private_mha_helpers_match_torch():
    """torch's private helpers that code copied from torch's MHA calls, under their names and signatures."""
    from ember.nn import _functional_attention as EF
    qt = torch.randn(2, 1, 4)
    wt, bt = torch.randn(12, 4), torch.randn(12)
    q, w, b = to_ember(qt), to_ember(wt), to_ember(bt)
    for args_t, args_e in [((qt, qt, qt, wt, bt), (q, q, q, w, b)), ((qt, qt * 2, qt * 2, wt), (q, q * 2, q * 2, w)),
                           ((qt, qt * 2, qt * 3, wt, bt), (q, q * 2, q * 3, w, b))]:
        for a, c in zip(TF._in_projection_packed(*args_t), EF._in_projection_packed(*args_e)):
            assert_same(c, a, 1e-5, 1e-6)
    for a, c in zip(TF._in_projection(qt, qt, qt, wt[:4], wt[4:8], wt[8:], bt[:4], bt[4:8], bt[8:]),
                    EF._in_projection(q, q, q, w[:4], w[4:8], w[8:], b[:4], b[4:8], b[8:])):
        assert_same(c, a, 1e-5, 1e-6)
    with pytest.raises(AssertionError, match=r"expecting value weights shape of \(4, 4\), but got"):
        EF._in_projection(q, q, q, w[:4], w[4:8], w[8:12, :3])
    mt = torch.tensor([[True, False]])
    assert_same(EF._canonical_mask(to_ember(mt), "kpm", None, "attn_mask", ember.float32),
                TF._canonical_mask(mt, "kpm", None, "attn_mask", torch.float32))
    with pytest.warns(UserWarning, match="Support for mismatched kpm and attn_mask is deprecated"):
        EF._canonical_mask(to_ember(mt).float(), "kpm", ember.bool, "attn_mask", ember.float32)
    with pytest.raises(AssertionError, match="only bool and floating types of kpm are supported"):
        EF._canonical_mask(to_ember(mt).long(), "kpm", None, "attn_mask", ember.float32)
    assert EF._none_or_dtype(None) is None and EF._none_or_dtype(q) is ember.float32
    with pytest.raises(RuntimeError, match="must be None or torch.Tensor"):
        EF._none_or_dtype(3)
