"""``MultiheadAttention``, with torch's packed ``in_proj_weight`` layout and state_dict keys."""
from __future__ import annotations

from ... import _creation
from ...autograd.grad_mode import is_grad_enabled
from ...ops import products as _products
from .._functional_attention import _multi_head_attention
from .. import init
from ..parameter import Parameter
from .linear import Linear
from .module import Module

__all__ = ["MultiheadAttention"]


class NonDynamicallyQuantizableLinear(Linear):
    """A ``Linear`` under torch's name for the output projection (so reprs and checkpoints read the same)."""


class MultiheadAttention(Module):
    """softmax(Q K^T / sqrt(d) + mask) V per head, heads concatenated, then ``out_proj``.

    Q, K, V = the rows of ``in_proj_weight`` (3E, E) applied to query, key, value (or ``q_proj_weight``,
    ``k_proj_weight``, ``v_proj_weight`` when ``kdim`` or ``vdim`` differ from ``embed_dim``).  Projection
    weights are Xavier-uniform, their biases zero.

    Shape: query (L, N, E), key (S, N, kdim), value (S, N, vdim) ((N, L, E) ... with ``batch_first``) ->
    (output (L, N, E), weights (N, L, S) or (N, H, L, S) or None).

    Example::

        >>> import ember
        >>> mha = ember.nn.MultiheadAttention(8, 2, batch_first=True)
        >>> x = ember.zeros(3, 5, 8)
        >>> out, w = mha(x, x, x)
        >>> out.shape, w.shape
        (torch.Size([3, 5, 8]), torch.Size([3, 5, 5]))
    """

    __constants__ = ["batch_first"]

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False, add_zero_attn=False,
                 kdim=None, vdim=None, batch_first=False, device=None, dtype=None):
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"embed_dim and num_heads must be greater than 0, got embed_dim={embed_dim} and "
                             f"num_heads={num_heads} instead")
        super().__init__()
        kw = {"device": device, "dtype": dtype}
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != embed_dim:
            raise AssertionError("embed_dim must be divisible by num_heads")
        if not self._qkv_same_embed_dim:
            self.q_proj_weight = Parameter(_creation.empty((embed_dim, embed_dim), **kw))
            self.k_proj_weight = Parameter(_creation.empty((embed_dim, self.kdim), **kw))
            self.v_proj_weight = Parameter(_creation.empty((embed_dim, self.vdim), **kw))
            self.register_parameter("in_proj_weight", None)
        else:
            self.in_proj_weight = Parameter(_creation.empty((3 * embed_dim, embed_dim), **kw))
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(_creation.empty(3 * embed_dim, **kw))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias, **kw)
        if add_bias_kv:
            self.bias_k = Parameter(_creation.empty((1, 1, embed_dim), **kw))
            self.bias_v = Parameter(_creation.empty((1, 1, embed_dim), **kw))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self):
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
        if self.bias_v is not None:
            init.xavier_normal_(self.bias_v)

    def __setstate__(self, state):
        if "_qkv_same_embed_dim" not in state:
            state["_qkv_same_embed_dim"] = True
        super().__setstate__(state)

    def merge_masks(self, attn_mask, key_padding_mask, query):
        """One (B, num_heads, L, L) mask from ``attn_mask`` ((L, L) or (B * num_heads, L, L)) and
        ``key_padding_mask`` (B, L), added as they are, with its type: None (no mask), 1 (the padding mask
        alone, returned unchanged) or 2 (merged).  B and L are ``query``'s first two sizes."""
        if attn_mask is None and key_padding_mask is None:
            return None, None
        if attn_mask is None:
            return key_padding_mask, 1
        batch_size, seq_len = query.shape[0], query.shape[1]
        if attn_mask.dim() == 3:
            attn = attn_mask.view(batch_size, -1, seq_len, seq_len)
        else:
            attn = attn_mask.view(1, 1, seq_len, seq_len).expand(batch_size, self.num_heads, -1, -1)
        if key_padding_mask is None:
            return attn, 2
        kpm = key_padding_mask.view(batch_size, 1, 1, seq_len).expand(-1, self.num_heads, -1, -1)
        return attn + kpm, 2

    def _fast_path(self, query, key, value):
        """Whether torch would run this call on its fused inference kernel (self-attention on a batch-first 3-D
        input, in eval mode, without gradients, with a packed projection with bias and an even head count).  It
        gives the same numbers except that a query whose keys boolean masks hide entirely becomes NaN."""
        if not (query.dim() == 3 and query is key and key is value and self.batch_first and not self.training):
            return False
        if not self._qkv_same_embed_dim or self.in_proj_bias is None or self.num_heads % 2 == 1:
            return False
        if self.bias_k is not None or self.add_zero_attn or _products._autocast[0] is not None:
            return False
        if query.dtype != self.in_proj_bias.dtype or query.device.type != "cpu":
            return False
        tensors = (query, self.in_proj_weight, self.in_proj_bias, self.out_proj.weight, self.out_proj.bias)
        return not (is_grad_enabled() and any(t.requires_grad for t in tensors))

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True, is_causal=False):
        masks = [m for m in (key_padding_mask, attn_mask) if m is not None]      # NaN only when all are boolean
        nan_rows = bool(masks) and all(m.dtype.name == "bool" for m in masks) and self._fast_path(query, key, value)
        return self._attend(query, key, value, key_padding_mask, need_weights, attn_mask, average_attn_weights,
                            is_causal, nan_rows)

    def _attend(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True, is_causal=False, nan_rows=False):
        if query.dim() not in (2, 3):
            raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received "
                                 f"{query.dim()}-D query tensor")
        if self.batch_first and query.dim() == 3:
            if key is value:
                if query is key:
                    query = key = value = query.transpose(1, 0)
                else:
                    query, key = query.transpose(1, 0), key.transpose(1, 0)
                    value = key
            else:
                query, key, value = (x.transpose(1, 0) for x in (query, key, value))
        out, weights = _multi_head_attention(
            query, key, value, self.embed_dim, self.num_heads, self.in_proj_weight, self.in_proj_bias,
            self.bias_k, self.bias_v, self.add_zero_attn, self.dropout, self.out_proj.weight, self.out_proj.bias,
            training=self.training, key_padding_mask=key_padding_mask, need_weights=need_weights,
            attn_mask=attn_mask, use_separate_proj_weight=not self._qkv_same_embed_dim,
            q_proj_weight=self.q_proj_weight, k_proj_weight=self.k_proj_weight, v_proj_weight=self.v_proj_weight,
            average_attn_weights=average_attn_weights, is_causal=is_causal, nan_rows=nan_rows)
        if self.batch_first and query.dim() == 3:
            return out.transpose(1, 0), weights
        return out, weights
