"""The Transformer family against torch after copying torch's weights in (dropout 0 so the runs match)."""
import warnings

import numpy as np
import pytest
import torch

import ember
from helpers import assert_same, to_ember

D = torch.float64


def _check(mt, me, ins, kw, eval_mode=False):
    me.double()
    me.load_state_dict({k: to_ember(v) for k, v in mt.state_dict().items()}, strict=True)
    if eval_mode:
        mt.eval()
        me.eval()
    it = [x.clone().requires_grad_() for x in ins]
    ie = [to_ember(x).requires_grad_() for x in ins]
    ke = {k: to_ember(v) if isinstance(v, torch.Tensor) else v for k, v in kw.items()}
    ot, oe = mt(*it, **kw), me(*ie, **ke)
    assert_same(oe, ot, 1e-9, 1e-11)
    g = torch.randn(ot.shape, dtype=D)
    (ot * g).sum().backward()
    (oe * to_ember(g)).sum().backward()
    for a, b in zip(ie, it):
        assert_same(a.grad, b.grad, 1e-9, 1e-11)
    for n, p in mt.named_parameters():
        assert_same(me.get_parameter(n).grad, p.grad, 1e-8, 1e-11)


def _kpm():
    return torch.tensor([[False] * 5, [False] * 3 + [True] * 2, [False] * 4 + [True]])


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu", "callable"])
@pytest.mark.parametrize("masks", ["causal_float+kpm", "bool", "none"])
def test_encoder_layer(norm_first, activation, masks):
    act_t = torch.nn.functional.silu if activation == "callable" else activation
    act_e = ember.nn.functional.silu if activation == "callable" else activation
    mt = torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, activation=act_t, norm_first=norm_first).to(D)
    me = ember.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, activation=act_e, norm_first=norm_first)
    kw = {}
    if masks == "causal_float+kpm":
        kw = {"src_mask": torch.nn.Transformer.generate_square_subsequent_mask(5, dtype=D),
              "src_key_padding_mask": _kpm()}
    elif masks == "bool":
        kw = {"src_mask": torch.rand(5, 5, generator=torch.Generator().manual_seed(0)) > 0.8}
    _check(mt, me, [torch.randn(5, 3, 8, dtype=D)], kw)


def test_decoder_layer_and_stacks_batch_first():
    mt = torch.nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, batch_first=True, layer_norm_eps=1e-6).to(D)
    me = ember.nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, batch_first=True, layer_norm_eps=1e-6)
    tgt, mem = torch.randn(3, 4, 8, dtype=D), torch.randn(3, 5, 8, dtype=D)
    _check(mt, me, [tgt, mem], {"tgt_mask": torch.nn.Transformer.generate_square_subsequent_mask(4, dtype=D),
                                "memory_key_padding_mask": _kpm(), "tgt_is_causal": True})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mt = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0), 2,
                                         norm=torch.nn.LayerNorm(8)).to(D)
        me = ember.nn.TransformerEncoder(ember.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0), 2,
                                         norm=ember.nn.LayerNorm(8))
    _check(mt, me, [torch.randn(5, 3, 8, dtype=D)], {}, eval_mode=True)


@pytest.mark.parametrize("kw", [{"batch_first": True}, {"norm_first": True, "bias": False},
                                {"activation": "gelu", "layer_norm_eps": 1e-3}], ids=str)
def test_transformer(kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mt = torch.nn.Transformer(8, 2, 2, 2, 16, dropout=0.0, **kw).to(D)
        me = ember.nn.Transformer(8, 2, 2, 2, 16, dropout=0.0, **kw)
    assert list(me.state_dict()) == list(mt.state_dict())
    bf = kw.get("batch_first", False)
    src = torch.randn((3, 5, 8) if bf else (5, 3, 8), dtype=D)
    tgt = torch.randn((3, 4, 8) if bf else (4, 3, 8), dtype=D)
    _check(mt, me, [src, tgt], {"tgt_mask": torch.nn.Transformer.generate_square_subsequent_mask(4, dtype=D) < 0,
                                "src_key_padding_mask": _kpm(), "memory_key_padding_mask": _kpm()})


def test_generate_square_subsequent_mask_and_errors():
    assert_same(ember.nn.Transformer.generate_square_subsequent_mask(4),
                torch.nn.Transformer.generate_square_subsequent_mask(4))
    assert ember.nn.Transformer.generate_square_subsequent_mask(3, dtype=ember.float64).dtype is ember.float64
    with pytest.raises(RuntimeError, match="activation should be relu/gelu, not tanh"):
        ember.nn.TransformerEncoderLayer(8, 2, activation="tanh")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = ember.nn.Transformer(8, 2, 1, 1, 16)
    with pytest.raises(RuntimeError, match="the batch number of src and tgt must be equal"):
        m(ember.zeros(5, 2, 8), ember.zeros(4, 3, 8))
    with pytest.raises(RuntimeError, match="the feature number of src and tgt must be equal to d_model"):
        m(ember.zeros(5, 2, 8), ember.zeros(4, 2, 6))


def test_reprs_and_torch_checkpoint_float32():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mt = torch.nn.Transformer(16, 4, 1, 1, 32, batch_first=True)
        me = ember.nn.Transformer(16, 4, 1, 1, 32, batch_first=True)
    assert repr(me) == repr(mt)
    me.load_state_dict({k: to_ember(v) for k, v in mt.state_dict().items()}, strict=True)
    mt.eval()
    me.eval()
    src, tgt = torch.randn(2, 6, 16), torch.randn(2, 3, 16)
    assert_same(me(to_ember(src), to_ember(tgt)), mt(src, tgt), 1e-5, 1e-5)
    for p in me.parameters():
        if p.dim() > 1:
            bound = np.sqrt(6 / sum(p.shape[:2]))
            assert np.abs(p.detach().numpy()).max() <= bound
