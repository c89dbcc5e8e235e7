"""``ChannelShuffle``: interleave channel groups (ShuffleNet)."""
from __future__ import annotations

from ..functional import _raw as F
from .module import Module

__all__ = ["ChannelShuffle"]


class ChannelShuffle(Module):
    """(N, g * k, *) with channels ordered (g, k) -> ordered (k, g)."""

    def __init__(self, groups):
        super().__init__()
        self.groups = groups

    def forward(self, input):
        return F.channel_shuffle(input, self.groups)

    def extra_repr(self):
        return f"groups={self.groups}"
