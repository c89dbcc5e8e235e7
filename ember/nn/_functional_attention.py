"""Attention: ``scaled_dot_product_attention`` and ``multi_head_attention_forward`` (``nn.MultiheadAttention``).

Both end in the fused softmax-attention node (``ops/attention.py``).  Masks follow torch's two conventions:
for ``scaled_dot_product_attention`` a boolean ``attn_mask`` marks the keys that *take part*; for multi-head
attention a boolean ``attn_mask`` or ``key_padding_mask`` marks the keys to *ignore*.  Float masks are added
to the scores in both.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from .. import _creation, ops
from ..ops.attention import attention_op
from ..tensor import Tensor
from ..ops.products import _autocast, linear
from ..ops._util import _wrap
from ..autograd.grad_mode import is_grad_enabled
from ..autograd.graph import present
from ._functional_core import _keep_mask

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]


def _tn(t):
    return {"float32": "float", "float64": "double", "float16": "c10::Half", "bfloat16": "c10::BFloat16"}.get(
        t.dtype.name, t.dtype.name)


def _bias_from_bool(mask, dtype, allowed):
    """A float bias of 0 / -inf from a boolean mask whose True means ``allowed`` (else: masked)."""
    m = mask._data
    keep = m if allowed else ~m
    return _wrap(np.where(keep, dtype.type(0), dtype.type(-np.inf)).astype(dtype))


# the kernels ``nn.attention.sdpa_kernel`` allows (values of ``nn.attention.SDPBackend``: math 0, flash 1, ...)
_sdpa_backends = [frozenset((0, 1, 2, 3, 4))]

_C_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half", "bfloat16": "c10::BFloat16",
            "int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
            "bool": "bool"}


def _flash_reason(q, k, v, attn_mask, dropout_p):
    """None when torch's CPU flash kernel takes the call; else why not (the text torch warns, '' when silent)."""
    if dropout_p > 0.0:
        return "Both fused kernels do not support non-zero dropout."
    if not q.dim() == k.dim() == v.dim() == 4:
        return ("All fused kernels requires query, key and value to be 4 dimensional, but got Query dim: "
                f"{q.dim()}, Key dim: {k.dim()}, Value dim: {v.dim()} instead.")
    if attn_mask is not None and attn_mask.dim() not in (2, 4):
        return ("Please use the following attn mask shapes: 2d - ({Q_seq_len, 1}  x {KV_seq_len, 1}); 4d - "
                "({Batch, 1} x {Num_heads, 1} x {Q_seq_len, 1}  x {KV_seq_len, 1})")
    if not q.shape[-1] == k.shape[-1] == v.shape[-1]:
        return ("Flash attention requires q,k,v to have the same last dimension. Got Query.size(-1): "
                f"{q.shape[-1]}, Key.size(-1): {k.shape[-1]}, Value.size(-1): {v.shape[-1]} instead.")
    if attn_mask is not None and attn_mask.requires_grad and is_grad_enabled():
        return ""
    return None


def _broadcast_batch(a, b):
    """The broadcast of batch shapes ``a`` and ``b``, with torch's error for sizes that do not match."""
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)
    for i in range(n):
        if a[i] != b[i] and a[i] != 1 and b[i] != 1:
            raise RuntimeError(f"The size of tensor a ({a[i]}) must match the size of tensor b ({b[i]}) at "
                               f"non-singleton dimension {i}")
    return tuple(max(x, y) if min(x, y) else 0 for x, y in zip(a, b))


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
                                 enable_gqa=False):
    """softmax(q k^T * scale + mask) v, with dropout on the weights.

    Shape: query (..., L, E), key (..., S, E), value (..., S, Ev) -> (..., L, Ev).  ``scale`` defaults to
    1 / sqrt(E); ``is_causal`` lets query i see keys j <= i; ``enable_gqa`` shares each key/value head among
    a group of query heads (dim -3).
    """
    if attn_mask is not None and type(attn_mask).__name__ == "CausalBias":      # nn.attention.bias
        return attn_mask._dispatch(query, key, value, attn_mask, dropout_p, is_causal, scale, enable_gqa)
    policy = _autocast[0]
    if policy is not None:              # on torch's autocast list: floating inputs (and a float mask) are cast
        return policy.run(scaled_dot_product_attention, query, key, value, attn_mask, dropout_p, is_causal, scale,
                          enable_gqa)
    if not (query.dtype is key.dtype is value.dtype):
        raise RuntimeError("Expected query, key, and value to have the same dtype, but got query.dtype: "
                           f"{_tn(query)} key.dtype: {_tn(key)} and value.dtype: {_tn(value)} instead.")
    if attn_mask is not None and attn_mask.dtype.name != "bool" and attn_mask.dtype is not query.dtype:
        raise RuntimeError("Expected attn_mask dtype to be bool or float or to match query dtype, but got "
                           f"attn_mask.dtype: {_C_NAMES.get(attn_mask.dtype.name, attn_mask.dtype.name)} and  "
                           f"query.dtype: {_tn(query)} instead.")
    if not 0.0 <= dropout_p <= 1.0:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {dropout_p}")
    why_not_flash = _flash_reason(query, key, value, attn_mask, dropout_p)
    allowed = _sdpa_backends[0]
    if 0 not in allowed:                                   # math turned off: only the CPU flash kernel is left
        if 1 not in allowed:
            raise RuntimeError("No viable backend for scaled_dot_product_attention was found. This is likely due "
                               "to turning off both the math kernel and the fused kernels.")
        if why_not_flash is not None:
            warnings.warn("Flash attention kernel not used because:")
            if why_not_flash:
                warnings.warn(why_not_flash)
            raise RuntimeError("No available kernel.  Aborting execution.")
    # torch's CPU flash kernel applies an explicit mask and the causal one together; its math kernel refuses the pair
    if attn_mask is not None and is_causal and why_not_flash is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when "
                           "is_causal=True")
    if query.shape[-1] != key.shape[-1]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{int(np.prod(key.shape[:-2]))}, {query.shape[-1]}] but got: "
                           f"[{int(np.prod(key.shape[:-2]))}, {key.shape[-1]}].")
    L, S, E = query.shape[-2], key.shape[-2], query.shape[-1]
    orig = (query, key, value)
    if scale is None:
        scale = 1.0 / math.sqrt(E) if E else 1.0
    dt = query._data.dtype
    if enable_gqa and query.dim() >= 3 and key.shape[-3] != query.shape[-3]:
        hq, hk = query.shape[-3], key.shape[-3]
        if hq % hk or value.shape[-3] != hk:
            raise RuntimeError("Number of heads in key and value must divide the number of heads in ")
        key = key.repeat_interleave(hq // hk, -3)
        value = value.repeat_interleave(hq // hk, -3)
    batch = _broadcast_batch(query.shape[:-2], key.shape[:-2])
    if value.shape[-2] != S:
        n = int(np.prod(batch))
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{n}, {S}] but got: "
                           f"[{n}, {value.shape[-2]}].")
    bias = None
    if attn_mask is not None:
        from .utils.rnn import _copy_broadcast           # the scores take the mask in place: torch's errors
        _copy_broadcast(batch + (L, S), tuple(attn_mask.shape))
        bias = _bias_from_bool(attn_mask, dt, allowed=True) if attn_mask.dtype.name == "bool" else attn_mask
    if is_causal:
        causal = _wrap(np.where(np.tril(np.ones((L, S), bool)), dt.type(0), dt.type(-np.inf)).astype(dt))
        bias = causal if bias is None else bias + causal
    keep = None
    if dropout_p > 0.0:
        keep = _keep_mask(query, dropout_p, batch + (L, S))._data
    out, _ = attention_op(query, key, value, bias, scale, keep, True)
    if out.requires_grad:
        _present_sdpa(out, orig, why_not_flash is None)
    return out


def _present_sdpa(out, qkv, flash):
    """Name the result's node as torch's CPU dispatch would: its flash kernel is one node over q, k, v; the math
    path ends in a bmm's view (a plain mm for 2-D inputs)."""
    q, k, v = qkv
    if flash and q.device.type == "cpu":
        present(out, "ScaledDotProductFlashAttentionForCpuBackward0", q, k, v)
    else:
        present(out, "MmBackward0" if q.dim() == 2 else "UnsafeViewBackward0")


# ----------------------------------------------------------------------------------------------------------
# multi-head attention
# ----------------------------------------------------------------------------------------------------------

def _float_mask(mask, name, other_name, other, target_dtype):
    """Float (added) form of a bool (True: ignore) or float mask; None stays None."""
    if mask is None:
        return None
    if other is not None and mask.dtype != other.dtype and (mask.dtype.name == "bool" or
                                                            mask.dtype.is_floating_point):
        warnings.warn(f"Support for mismatched {name} and {other_name} is deprecated. Use same type for both "
                      "instead.")
    if mask.dtype.name == "bool":
        return _bias_from_bool(mask, target_dtype, allowed=False)
    if not mask.dtype.is_floating_point:
        raise AssertionError(f"only bool and floating types of {name} are supported")
    return mask


def _project_qkv(query, key, value, E, in_proj_weight, in_proj_bias, use_separate, q_w, k_w, v_w):
    """q, k, v = the three input projections (one linear when query, key and value are one tensor)."""
    if in_proj_bias is not None:
        b_q, b_k, b_v = in_proj_bias[:E], in_proj_bias[E:2 * E], in_proj_bias[2 * E:]
    else:
        b_q = b_k = b_v = None
    if not use_separate:
        if query is key and key is value:
            qkv = linear(query, in_proj_weight, in_proj_bias)                 # (L, N, 3E)
            return qkv[..., :E], qkv[..., E:2 * E], qkv[..., 2 * E:]
        w_q, w_k, w_v = in_proj_weight[:E], in_proj_weight[E:2 * E], in_proj_weight[2 * E:]
        if key is value:
            kv = linear(key, in_proj_weight[E:], None if in_proj_bias is None else in_proj_bias[E:])
            return linear(query, w_q, b_q), kv[..., :E], kv[..., E:]
        return linear(query, w_q, b_q), linear(key, w_k, b_k), linear(value, w_v, b_v)
    if q_w is None or k_w is None or v_w is None:
        raise AssertionError("use_separate_proj_weight is True but q_proj_weight, k_proj_weight or "
                             "v_proj_weight is None")
    return linear(query, q_w, b_q), linear(key, k_w, b_k), linear(value, v_w, b_v)


# ---- torch's private helpers under their names and signatures (code written against torch's internals) ----

def _none_or_dtype(input):
    """None, or the dtype of the tensor ``input``."""
    if input is None:
        return None
    if isinstance(input, Tensor):
        return input.dtype
    raise RuntimeError("input to _none_or_dtype() must be None or torch.Tensor")


def _canonical_mask(mask, mask_name, other_type, other_name, target_type, check_other=True):
    """A bool mask (True: masked) as a float mask of ``target_type`` (0 / -inf); float masks pass unchanged."""
    if mask is None:
        return None
    if mask.dtype.name != "bool" and not mask.dtype.is_floating_point:
        raise AssertionError(f"only bool and floating types of {mask_name} are supported")
    if check_other and other_type is not None and mask.dtype != other_type:
        warnings.warn(f"Support for mismatched {mask_name} and {other_name} is deprecated. Use same type for both "
                      "instead.", stacklevel=2)
    if mask.dtype.name == "bool":
        return _creation.zeros_like(mask, dtype=target_type).masked_fill_(mask, float("-inf"))
    return mask


def _in_projection_packed(q, k, v, w, b=None):
    """(q, k, v) projected by the packed (3E, E) weight ``w`` (and bias ``b``), as one product when they are one
    tensor."""
    E = q.size(-1)
    if k is v:
        if q is k:
            qkv = linear(q, w, b)
            return qkv[..., :E], qkv[..., E:2 * E], qkv[..., 2 * E:]
        kv = linear(k, w[E:], None if b is None else b[E:])
        return linear(q, w[:E], None if b is None else b[:E]), kv[..., :E], kv[..., E:]
    ws = w[:E], w[E:2 * E], w[2 * E:]
    bs = (None, None, None) if b is None else (b[:E], b[E:2 * E], b[2 * E:])
    return linear(q, ws[0], bs[0]), linear(k, ws[1], bs[1]), linear(v, ws[2], bs[2])


def _in_projection(q, k, v, w_q, w_k, w_v, b_q=None, b_k=None, b_v=None):
    """(q, k, v) each projected by its own weight, with torch's shape checks."""
    Eq, Ek, Ev = q.size(-1), k.size(-1), v.size(-1)
    for what, t, want in (("query weights", w_q, (Eq, Eq)), ("key weights", w_k, (Eq, Ek)),
                          ("value weights", w_v, (Eq, Ev)), ("query bias", b_q, (Eq,)), ("key bias", b_k, (Eq,)),
                          ("value bias", b_v, (Eq,))):
        if t is not None and tuple(t.shape) != want:
            raise AssertionError(f"expecting {what} shape of {want}, but got {t.shape}")
    return linear(q, w_q, b_q), linear(k, w_k, b_k), linear(v, w_v, b_v)


def _pad_last(mask, n=1):
    """Append ``n`` zero columns (keys that nothing masks) to a float mask's last dim."""
    if mask is None:
        return None
    return ops.cat([mask, mask.new_zeros(tuple(mask.shape[:-1]) + (n,))], -1)


def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads):
    """Whether the call is batched, after torch's checks of the inputs' and masks' ranks."""
    q, k, v = query.dim(), key.dim(), value.dim()
    if q not in (2, 3):
        raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received {q}-D query tensor")
    kind, want = ("batched (3-D)", 3) if q == 3 else ("unbatched (2-D)", 2)
    if k != want or v != want:
        raise AssertionError(f"For {kind} `query`, expected `key` and `value` to be {want}-D but found {k}-D and "
                             f"{v}-D tensors respectively")
    if key_padding_mask is not None and key_padding_mask.dim() != want - 1:
        raise AssertionError(f"For {kind} `query`, expected `key_padding_mask` to be `None` or {want - 1}-D but "
                             f"found {key_padding_mask.dim()}-D tensor instead")
    if attn_mask is not None:
        if attn_mask.dim() not in (2, 3):
            raise AssertionError(f"For {kind} `query`, expected `attn_mask` to be `None`, 2-D or 3-D but found "
                                 f"{attn_mask.dim()}-D tensor instead")
        if q == 2 and attn_mask.dim() == 3:
            expected = (num_heads, query.shape[0], key.shape[0])
            if tuple(attn_mask.shape) != expected:
                raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got {attn_mask.shape}")
    return q == 3


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias,
                                 bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias,
                                 training=True, key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None, k_proj_weight=None,
                                 v_proj_weight=None, static_k=None, static_v=None, average_attn_weights=True,
                                 is_causal=False):
    """Multi-head attention over sequence-first inputs: query (L, N, E), key (S, N, kdim), value (S, N, vdim)
    (or unbatched (L, E) ...) -> (output (L, N, E), weights (N, L, S) averaged over heads, (N, H, L, S), or
    None without ``need_weights``)."""
    return _multi_head_attention(query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias,
                                 bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias, training,
                                 key_padding_mask, need_weights, attn_mask, use_separate_proj_weight, q_proj_weight,
                                 k_proj_weight, v_proj_weight, static_k, static_v, average_attn_weights, is_causal)


def _multi_head_attention(query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias,
                          bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias,
                          training=True, key_padding_mask=None, need_weights=True, attn_mask=None,
                          use_separate_proj_weight=False, q_proj_weight=None, k_proj_weight=None,
                          v_proj_weight=None, static_k=None, static_v=None, average_attn_weights=True,
                          is_causal=False, nan_rows=False):
    """``multi_head_attention_forward``; ``nan_rows``: queries whose keys are all masked give NaN (torch's fused
    inference kernels) instead of zeros (its scaled_dot_product_attention, used without weights)."""
    batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the Transformer module "
                           "method `generate_square_subsequent_mask` to create this mask.")
    L, N, E = query.shape
    S = key.shape[0]
    if E != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but got {E}")
    head_dim = E // num_heads
    if head_dim * num_heads != E:
        raise AssertionError(f"embed_dim {E} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if tuple(key.shape[:2]) != tuple(value.shape[:2]):
            raise AssertionError(f"key's sequence and batch dims {key.shape[:2]} do not match value's "
                                 f"{value.shape[:2]}")
    elif tuple(key.shape) != tuple(value.shape):
        raise AssertionError(f"key shape {key.shape} does not match value shape {value.shape}")
    dt = query._data.dtype
    key_padding_mask = _float_mask(key_padding_mask, "key_padding_mask", "attn_mask", attn_mask, dt)
    attn_mask = _float_mask(attn_mask, "attn_mask", None, None, dt)

    q, k, v = _project_qkv(query, key, value, E, in_proj_weight, in_proj_bias, use_separate_proj_weight,
                             q_proj_weight, k_proj_weight, v_proj_weight)   # (L, N, E), (S, N, E), (S, N, E)
    if attn_mask is not None:
        if attn_mask.dim() == 2:
            if tuple(attn_mask.shape) != (L, S):
                raise RuntimeError(f"The shape of the 2D attn_mask is {attn_mask.shape}, but should be "
                                   f"{(L, S)}.")
            attn_mask = attn_mask.unsqueeze(0)                                # (1, L, S)
        elif attn_mask.dim() == 3:
            if tuple(attn_mask.shape) != (N * num_heads, L, S):
                raise RuntimeError(f"The shape of the 3D attn_mask is {attn_mask.shape}, but should be "
                                   f"{(N * num_heads, L, S)}.")
        else:
            raise RuntimeError(f"attn_mask's dimension {attn_mask.dim()} is not supported")
    if bias_k is not None and bias_v is not None:
        if static_k is not None or static_v is not None:
            raise AssertionError("bias cannot be added to static key." if static_k is not None
                                 else "bias cannot be added to static value.")
        k = ops.cat([k, bias_k.expand(1, N, E)], 0)                           # (S + 1, N, E)
        v = ops.cat([v, bias_v.expand(1, N, E)], 0)
        attn_mask = _pad_last(attn_mask)
        key_padding_mask = _pad_last(key_padding_mask)
    q = q.reshape(L, N * num_heads, head_dim).transpose(0, 1)                 # (N H, L, hd)
    k = (k.reshape(k.shape[0], N * num_heads, head_dim).transpose(0, 1) if static_k is None
         else static_k)                                                       # (N H, S, hd)
    v = (v.reshape(v.shape[0], N * num_heads, head_dim).transpose(0, 1) if static_v is None
         else static_v)
    if add_zero_attn:
        k = ops.cat([k, k.new_zeros((N * num_heads, 1, head_dim))], 1)
        v = ops.cat([v, v.new_zeros((N * num_heads, 1, head_dim))], 1)
        attn_mask = _pad_last(attn_mask)
        key_padding_mask = _pad_last(key_padding_mask)
    S = k.shape[1]
    if key_padding_mask is not None:
        for i, n in enumerate((N, S)):
            if key_padding_mask.shape[i] != n:
                raise AssertionError(f"Expected key_padded_mask.shape[{i}] to be {n}, but got "
                                     f"{key_padding_mask.shape[i]}")
        kpm = key_padding_mask.reshape(N, 1, 1, S).expand(N, num_heads, 1, S).reshape(N * num_heads, 1, S)
        attn_mask = kpm if attn_mask is None else attn_mask + kpm
    if not training:
        dropout_p = 0.0
    keep = None
    if dropout_p > 0.0:
        keep = _keep_mask(q, dropout_p, (N * num_heads, L, S))._data
    out, weights = attention_op(q, k, v, attn_mask, 1.0 / math.sqrt(head_dim), keep,
                                not (need_weights or nan_rows))               # (N H, L, hd), (N H, L, S)
    out = out.transpose(0, 1).reshape(L * N, E)
    out = linear(out, out_proj_weight, out_proj_bias).reshape(L, N, E)
    if not need_weights:
        return (out if batched else out.squeeze(1)), None
    weights = weights.reshape(N, num_heads, L, S)
    if average_attn_weights:
        weights = weights.mean(1)                                             # (N, L, S)
    if not batched:
        return out.squeeze(1), weights.squeeze(0)
    return out, weights
