"""``Muon``: momentum SGD for 2-D weights whose update is orthogonalised by a Newton-Schulz iteration.

The momentum (optionally Nesterov) update matrix ``X`` is normalised and pushed towards ``U V^T`` of its SVD by
``ns_steps`` rounds of the quintic ``X <- a X + (b G + c G^2) X`` with ``G = X X^T``, done in bfloat16 as torch does
(the wide side of the matrix kept as columns).  The step is scaled by ``sqrt(max(1, rows/cols))`` ("original") or
``0.2 * sqrt(max(rows, cols))`` ("match_rms_adamw"); weight decay is decoupled.
"""
from __future__ import annotations

import math

import ml_dtypes
import numpy as np

from .. import _dtype as _dt
from ..tensor import Tensor, _wrap
from ._fused import add_scaled, lerp
from .optimizer import Optimizer

__all__ = ["Muon"]

EPS = 1e-7
DEFAULT_A = 3.4445
DEFAULT_B = -4.7750
DEFAULT_C = 2.0315
DEFAULT_NS_STEPS = 5


def _bf16(arr):
    """Round a float32 array to bfloat16 and back (the value a bfloat16 result holds)."""
    return arr.astype(ml_dtypes.bfloat16).astype(np.float32)


def _orthogonalize(update, coefficients, steps, eps):
    """``steps`` Newton-Schulz rounds on the 2-D ``update``, in bfloat16: each product accumulates in float32 and
    rounds once to bfloat16, as a bfloat16 ``addmm`` does.  Returns a bfloat16 tensor."""
    if steps >= 100:
        raise ValueError("Number of steps must be less than 100 for computational efficiency")
    if update.dim() != 2:
        raise ValueError("Input tensor gradient must be a 2D matrix")
    if len(coefficients) != 3:
        raise ValueError("Coefficients must be a tuple of exactly 3 values")
    a, b, c = coefficients
    tall = update.size(0) > update.size(1)
    x = _bf16(update.to(_dt.bfloat16)._data.astype(np.float32))
    if tall:
        x = x.T
    norm = _bf16(np.sqrt(np.square(x).sum(dtype=np.float32)))      # a bfloat16 norm, accumulated in float32
    x = _bf16(x / max(norm, _bf16(np.float32(eps))))
    for _ in range(steps):
        gram = _bf16(x @ x.T)
        poly = _bf16(np.float32(b) * gram + np.float32(c) * (gram @ gram))
        x = _bf16(np.float32(a) * x + poly @ x)
    if tall:
        x = x.T
    return _wrap(np.ascontiguousarray(x).astype(ml_dtypes.bfloat16))


def _lr_ratio(adjust_lr_fn, shape):
    rows, cols = shape[0], shape[1]
    if adjust_lr_fn is None or adjust_lr_fn == "original":
        return math.sqrt(max(1, rows / cols))
    if adjust_lr_fn == "match_rms_adamw":
        return 0.2 * math.sqrt(max(rows, cols))
    return 1.0


class Muon(Optimizer):
    r"""Muon: :math:`B \leftarrow \mu B + g`, :math:`\tilde B = g + \mu B` (Nesterov) or :math:`B`,
    :math:`\theta \leftarrow (1 - \gamma\lambda)\theta - \gamma' \, \mathrm{NS}(\tilde B)`.

    Only 2-D parameters; biases and embeddings belong in another optimizer (e.g. ``AdamW``)."""

    def __init__(self, params, lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True,
                 ns_coefficients=(DEFAULT_A, DEFAULT_B, DEFAULT_C), eps=EPS, ns_steps=DEFAULT_NS_STEPS,
                 adjust_lr_fn=None):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 <= momentum:
            raise ValueError(f"momentum should be >= 0 but is: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight decay should be >= 0 but is: {weight_decay}")
        if adjust_lr_fn is not None and adjust_lr_fn not in ("original", "match_rms_adamw"):
            raise ValueError(f"Adjust learning rate function {adjust_lr_fn} is not supported")
        defaults = dict(lr=lr, weight_decay=weight_decay, momentum=momentum, nesterov=nesterov,
                        ns_coefficients=ns_coefficients, eps=eps, ns_steps=ns_steps, adjust_lr_fn=adjust_lr_fn)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                if p.dim() != 2:
                    raise ValueError(f"Muon only supports 2D parameters whereas we found a parameter with size: "
                                     f"{p.size()}")

    def _init_state(self, p, state, group):
        if p.is_complex():
            raise RuntimeError("Muon does not support complex parameters")
        state["momentum_buffer"] = p.grad.new_zeros(p.grad.shape)

    def _update(self, p, grad, state, group):
        if grad.dim() != 2:
            raise ValueError("Param gradient must be a 2D matrix")
        lr = group["lr"]
        lr = lr.item() if isinstance(lr, Tensor) else lr
        momentum = group["momentum"]
        buf = state["momentum_buffer"]
        lerp(buf._data, grad._data, 1 - momentum, out=buf._data)
        buf._bump_version()
        update = _wrap(lerp(grad._data, buf._data, momentum)) if group["nesterov"] else buf
        update = _orthogonalize(update, group["ns_coefficients"], group["ns_steps"], group["eps"])
        param = p._data
        param *= param.dtype.type(1 - lr * group["weight_decay"])
        # the bfloat16 update widened to the parameter's dtype, then one fused multiply-add as in torch's add_
        alpha = -lr * _lr_ratio(group["adjust_lr_fn"], p.shape)
        add_scaled(param, update._data.astype(param.dtype), alpha, out=param)
