"""``torch.nn.attention.bias``: causal masks for ``scaled_dot_product_attention`` whose query and key lengths
differ, given by the corner the diagonal starts from.

``causal_upper_left(L, S)``: query i sees keys j <= i (what ``is_causal=True`` means).
``causal_lower_right(L, S)``: the diagonal ends in the bottom-right corner: query i sees keys j <= i + S - L
(the last query sees every key; what decoding with a cache wants).  Pass either as ``attn_mask``.
"""
from __future__ import annotations

import enum
import warnings

from ... import _creation
from .. import _functional_attention

__all__ = ["CausalVariant", "CausalBias", "causal_upper_left", "causal_lower_right"]


class CausalVariant(enum.IntEnum):
    """Where the causal diagonal starts."""

    UPPER_LEFT = 1
    LOWER_RIGHT = 2

    def __str__(self):
        return str(self.value)


class CausalBias:
    """A causal mask of shape (seq_len_q, seq_len_kv), materialised only when needed.

    Example::

        >>> from ember.nn.attention.bias import causal_lower_right
        >>> causal_lower_right(2, 4)._materialize()
        tensor([[ True,  True,  True, False],
                [ True,  True,  True,  True]])
    """

    def __init__(self, variant, seq_len_q, seq_len_kv):
        if not isinstance(variant, CausalVariant):
            raise AssertionError("variant must be a CausalVariant")
        self.variant = variant
        self.seq_len_q = seq_len_q
        self.seq_len_kv = seq_len_kv
        if seq_len_q > seq_len_kv and variant == CausalVariant.LOWER_RIGHT:
            warnings.warn("Lower right causal bias will produce NaNs in the output when seq_len_q > seq_len_kv!")

    def _upper_left(self, device):
        return _creation.ones((self.seq_len_q, self.seq_len_kv), dtype=_bool(), device=device).tril(0)

    def _lower_right(self, device):
        diagonal = self.seq_len_kv - self.seq_len_q
        return _creation.ones((self.seq_len_q, self.seq_len_kv), dtype=_bool(), device=device).tril(diagonal)

    def _materialize(self, device=None):
        """The boolean mask (True: attend) this bias stands for."""
        if self.variant == CausalVariant.UPPER_LEFT:
            return self._upper_left(device)
        return self._lower_right(device)

    @staticmethod
    def _dispatch(query, key, value, attn_mask, dropout_p=0.0, is_causal=False, scale=None, enable_gqa=False):
        if is_causal:
            raise ValueError("CausalBias should not be used with causal=True")
        sdpa = _functional_attention.scaled_dot_product_attention
        if attn_mask.seq_len_q == attn_mask.seq_len_kv or attn_mask.variant == CausalVariant.UPPER_LEFT:
            return sdpa(query, key, value, None, dropout_p, True, scale, enable_gqa)
        return sdpa(query, key, value, attn_mask._materialize(query.device), dropout_p, False, scale, enable_gqa)

    def __repr__(self):
        return repr(self._materialize())


def _bool():
    import ember
    return ember.bool


def causal_upper_left(*size):
    """A ``CausalBias`` for a (seq_len_q, seq_len_kv) score matrix whose diagonal starts at the top left."""
    if len(size) != 2:
        raise AssertionError("causal_upper_left only supports 2D tensors")
    return CausalBias(CausalVariant.UPPER_LEFT, size[0], size[1])


def causal_lower_right(*size):
    """A ``CausalBias`` for a (seq_len_q, seq_len_kv) score matrix whose diagonal ends at the bottom right."""
    if len(size) != 2:
        raise AssertionError("causal_lower_right only supports 2D tensors")
    return CausalBias(CausalVariant.LOWER_RIGHT, size[0], size[1])
