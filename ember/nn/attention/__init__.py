"""``torch.nn.attention``: choosing the kernel behind ``scaled_dot_product_attention``.

ember has one implementation of attention; ``sdpa_kernel`` still records which kernels the caller allows, so
that code which turns the math kernel off fails (or runs) where torch's CPU build does: with the math kernel
off only torch's CPU flash kernel is left, which takes 4-D query, key and value of one head size without dropout.
"""
from __future__ import annotations

import contextlib
import enum

from .._functional_attention import _sdpa_backends

__all__ = ["SDPBackend", "sdpa_kernel", "WARN_FOR_UNFUSED_KERNELS"]

WARN_FOR_UNFUSED_KERNELS = False


class SDPBackend(enum.Enum):
    """The kernels of scaled dot-product attention (torch's values)."""

    ERROR = -1
    MATH = 0
    FLASH_ATTENTION = 1
    EFFICIENT_ATTENTION = 2
    CUDNN_ATTENTION = 3
    OVERRIDEABLE = 4

    def __int__(self):
        return self.value

    __index__ = __int__


_ORDER = (SDPBackend.CUDNN_ATTENTION, SDPBackend.FLASH_ATTENTION, SDPBackend.EFFICIENT_ATTENTION, SDPBackend.MATH,
          SDPBackend.OVERRIDEABLE)


def _cur_sdpa_kernel_backends(with_priority=False):
    """The backends now enabled, in torch's listing order."""
    return [b for b in _ORDER if b.value in _sdpa_backends[0]]


@contextlib.contextmanager
def sdpa_kernel(backends, set_priority=False):
    """Within the block, ``scaled_dot_product_attention`` may only use ``backends`` (one or a list)."""
    if not (isinstance(backends, SDPBackend) or isinstance(backends, (list, tuple, set))):
        raise AssertionError("Backend must be an instance of SDPBackend or a list of SDPBackend instances, got "
                             f"{type(backends).__name__}")
    backends = [backends] if isinstance(backends, SDPBackend) else list(backends)
    for b in backends:
        if not isinstance(b, SDPBackend):
            raise AssertionError("Backend must be an instance of SDPBackend or a list of SDPBackend instances, "
                                 f"got {type(b).__name__}")
    previous = _sdpa_backends[0]
    _sdpa_backends[0] = frozenset(b.value for b in backends)
    try:
        yield {}
    finally:
        _sdpa_backends[0] = previous
