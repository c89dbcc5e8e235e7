"""Constructor checks shared by the algorithms, with torch's messages."""
from __future__ import annotations

from ..tensor import Tensor


def check_lr(lr):
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")


def check_nonneg(value, what):
    """``what`` is the message's noun: ``'epsilon'``, ``'weight_decay'`` ..."""
    if not 0.0 <= value:
        raise ValueError(f"Invalid {what} value: {value}")


def check_betas(betas):
    for i in (0, 1):
        if not 0.0 <= betas[i] < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {betas[i]}")


def check_flags(differentiable, fused=None, foreach=None):
    """``fused`` and ``foreach`` are accepted and change nothing (every step is one fused NumPy pass per block);
    ``differentiable=True`` records the step in autograd where the algorithm supports it (checked at ``step``)."""
    if fused and differentiable:
        raise RuntimeError("`fused` does not support `differentiable`")
    if fused and foreach:
        raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
