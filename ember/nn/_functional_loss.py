"""Loss functions (``ember.nn.functional.*_loss``, ``cross_entropy``, ``nll_loss`` ...).

Each takes ``reduction='none' | 'mean' | 'sum'`` (and torch's deprecated ``size_average`` / ``reduce``).
Terms with exponentials are written in stable forms (log-sigmoid, log-sum-exp), so logits of magnitude 1e4
give finite losses and gradients.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from ..autograd import grad_mode
from ..autograd.function import Op
from ..ops import nn_ops
from ..ops.products import _autocast
from ..ops.reduce import log_softmax, vector_norm
from ..ops.shape import present_as, where
from ..tensor import Tensor, _wrap

__all__ = ["l1_loss", "mse_loss", "cross_entropy", "nll_loss", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "kl_div", "huber_loss", "smooth_l1_loss", "soft_margin_loss",
           "multilabel_soft_margin_loss", "multi_margin_loss", "multilabel_margin_loss", "cosine_embedding_loss",
           "margin_ranking_loss", "hinge_embedding_loss", "triplet_margin_loss",
           "triplet_margin_with_distance_loss", "poisson_nll_loss", "gaussian_nll_loss", "ctc_loss"]


# ----------------------------------------------------------------------------------------------------------
# reduction helpers
# ----------------------------------------------------------------------------------------------------------

def _legacy_reduction(size_average, reduce, reduction, emit_warning=True):
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    ret = "mean" if size_average and reduce else "sum" if reduce else "none"
    if emit_warning:
        warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{ret}' instead.",
                      stacklevel=3)
    return ret


def _check_reduction(reduction, allowed=("none", "mean", "sum")):
    if reduction not in allowed:
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _reduce(loss, reduction):
    _check_reduction(reduction)
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _warn_size(input, target):
    if tuple(target.shape) != tuple(input.shape):
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size ({input.shape}). "
                      "This will likely lead to incorrect results due to broadcasting. Please ensure they have the "
                      "same size.", stacklevel=3)


def _tn(t):
    return {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16", "int64": "Long",
            "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}.get(t.dtype.name,
                                                                                                t.dtype.name)


# ----------------------------------------------------------------------------------------------------------
# regression losses
# ----------------------------------------------------------------------------------------------------------

def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    if _autocast[0] is not None:          # on autocast's float32 list
        return _autocast[0].fp32(l1_loss, **locals())
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _warn_size(input, target)
    loss = (input - target).abs()
    return _reduce(loss * weight if weight is not None else loss, reduction)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    if _autocast[0] is not None:          # on autocast's float32 list
        return _autocast[0].fp32(mse_loss, **locals())
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _warn_size(input, target)
    d = input - target
    loss = d * d
    loss = _reduce(loss * weight if weight is not None else loss, reduction)
    return present_as(loss, "MseLossBackward0", input, target)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """0.5 d^2 where |d| < delta, else delta (|d| - delta / 2)."""
    if _autocast[0] is not None:          # on autocast's float32 list
        return _autocast[0].fp32(huber_loss, **locals())
    _check_reduction(reduction)
    _warn_size(input, target)
    d = input - target
    z = d.abs()
    loss = where(z < delta, 0.5 * d * d, delta * (z - 0.5 * delta))
    loss = _reduce(loss * weight if weight is not None else loss, reduction)
    return present_as(loss, "HuberLossBackward0", input, target)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """0.5 d^2 / beta where |d| < beta, else |d| - beta / 2 (plain L1 when beta == 0)."""
    if _autocast[0] is not None:          # on autocast's float32 list
        return _autocast[0].fp32(smooth_l1_loss, **locals())
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _warn_size(input, target)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    d = input - target
    z = d.abs()
    if beta == 0:
        return _reduce(z, reduction)
    loss = where(z < beta, 0.5 * d * d / beta, z - 0.5 * beta)
    return present_as(_reduce(loss, reduction), "SmoothL1LossBackward0", input, target)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
                     reduction="mean"):
    """exp(x) - y x (log_input) or x - y log(x + eps); ``full`` adds Stirling's term for y > 1."""
    if _autocast[0] is not None:          # on autocast's float32 list
        return _autocast[0].fp32(poisson_nll_loss, **locals())
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    loss = input.exp() - target * input if log_input else input - target * (input + eps).log()
    if full:
        safe = target.clamp_min(1.0)          # the term is only used where target > 1
        stirling = where(target > 1, target * safe.log() - target + 0.5 * (2 * math.pi * safe).log(), 0.0)
        loss = loss + stirling
    return _reduce(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """0.5 (log var + (x - y)^2 / var) (+ 0.5 log 2 pi), with var clamped to eps outside the gradient."""
    if not isinstance(var, Tensor):
        var = _wrap(np.full(tuple(input.shape), var, input._data.dtype))
    if tuple(var.shape) != tuple(input.shape):
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif tuple(input.shape[:-1]) == tuple(var.shape[:-1]) and var.shape[-1] == 1:
            pass
        else:
            raise ValueError("var is of incorrect size")
    _check_reduction(reduction)
    if bool((var._data < 0).any()):
        raise ValueError("var has negative entry/entries")
    var = var.clone()
    with grad_mode.no_grad():
        var.clamp_(min=eps)
    d = input - target
    loss = 0.5 * (var.log() + d * d / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


# ----------------------------------------------------------------------------------------------------------
# classification: nll / cross-entropy / binary
# ----------------------------------------------------------------------------------------------------------

def _check_target_dtype(target):
    if target._data.dtype not in (np.int64, np.uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_tn(target)}")


def _flatten_classes(input, target):
    """(N, C, *d) input and (N, *d) target as (M, C) and (M,) after torch's shape checks; C-only unbatched."""
    nd = input.ndim
    if nd < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {nd})")
    if nd == 1:
        if target.ndim != 0:
            raise RuntimeError(f"0D or 1D target tensor expected, multi-target not supported")
        return input.unsqueeze(0), target._data.reshape(1), ()
    if target.ndim == 0 or input.shape[0] != target.shape[0]:
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target batch_size "
                         f"({target.shape[0] if target.ndim else 1}).")
    C = input.shape[1]
    if nd == 2:
        if target.ndim != 1:
            raise RuntimeError(f"0D or 1D target tensor expected, multi-target not supported")
        return input, target._data, (input.shape[0],)
    spatial = tuple(input.shape[2:])
    expected = (input.shape[0],) + spatial
    if tuple(target.shape) != expected:
        if nd == 4 and target.ndim != 3:
            raise RuntimeError(f"only batches of spatial targets supported (3D tensors) but got targets of "
                               f"dimension: {target.ndim}")
        if nd == 4:
            raise RuntimeError(f"size mismatch (got input: {list(input.shape)} , target: {list(target.shape)}")
        raise RuntimeError(f"Expected target size {list(expected)}, got {list(target.shape)}")
    x2 = input.movedim(1, -1).reshape(-1, C)                             # (N * prod(d), C)
    return x2, target._data.reshape(-1), expected


def _check_weight(weight, C):
    if weight is not None and (weight.ndim != 1 or weight.numel() != C):
        raise RuntimeError(f"weight tensor should be defined either for all {C} classes or no classes but got "
                           f"weight tensor of shape: {list(weight.shape)}")


def _check_bounds(t, C, ignore_index):
    bad = (t != ignore_index) & ((t < 0) | (t >= C))
    if bad.any():
        raise IndexError(f"Target {int(t[np.argmax(bad)])} is out of bounds.")


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    """-w_t x[t] over the class dim (dim 1); 'mean' divides by the summed weights of non-ignored targets."""
    if _autocast[0] is not None:          # on autocast's float32 list
        return _autocast[0].fp32(nll_loss, **locals())
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _check_target_dtype(target)
    if input._data.dtype.kind not in "fV":
        raise NotImplementedError(f"\"nll_loss_out_frame\" not implemented for '{_tn(input)}'")
    x2, t, out_shape = _flatten_classes(input, target)
    C = x2.shape[1]
    _check_weight(weight, C)
    t = t.astype(np.int64)
    _check_bounds(t, C, ignore_index)
    valid = t != ignore_index
    ts = np.where(valid, t, 0)
    rows = np.arange(t.shape[0])
    picked = x2[_wrap(rows), _wrap(ts)]                                   # (M,)
    wt = valid.astype(x2._data.dtype) if weight is None else weight._data[ts] * valid
    loss = -picked * _wrap(wt.astype(x2._data.dtype))
    if reduction == "none":
        loss = loss.reshape(out_shape)
    elif reduction == "sum":
        loss = loss.sum()
    else:
        loss = loss.sum() / _wrap(np.asarray(wt.sum(), x2._data.dtype))
    return present_as(loss, _nll_node_name(input, reduction), input)


def _nll_node_name(input, reduction):
    """torch's node for nll_loss: 2-D kernels for spatial inputs (then a view for 3-D/5-D unreduced)."""
    if input.ndim <= 2:
        return "NllLossBackward0"
    return "NllLoss2DBackward0" if reduction != "none" or input.ndim == 4 else "ViewBackward0"


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """Softmax cross-entropy over the class dim (dim 1, or 0 for an unbatched input).

    Targets are class indices (int64, shape (N, *d)) or class probabilities (float, same shape as input).
    With label smoothing eps the target becomes (1 - eps) onehot + eps / C.
    """
    if _autocast[0] is not None:          # on autocast's float32 list
        return _autocast[0].fp32(cross_entropy, **locals())
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    if target._data.dtype.kind in "fV" and tuple(target.shape) == tuple(input.shape):
        return _cross_entropy_probs(input, target, weight, reduction, label_smoothing)
    _check_target_dtype(target)
    x2, t, out_shape = _flatten_classes(input, target)
    C = x2.shape[1]
    _check_weight(weight, C)
    t = t.astype(np.int64)
    _check_bounds(t, C, ignore_index)
    w = None if weight is None else weight._data.astype(x2._data.dtype, copy=False)
    loss = nn_ops.cross_entropy_op(x2, t, w, ignore_index, float(label_smoothing), reduction)
    loss = loss.reshape(out_shape) if reduction == "none" else loss
    return present_as(loss, "AddBackward0" if label_smoothing else _nll_node_name(input, reduction))


def _cross_entropy_probs(input, target, weight, reduction, eps):
    cdim = 1 if input.ndim > 1 else 0
    C = input.shape[cdim]
    _check_weight(weight, C)
    logp = log_softmax(input, cdim)
    if eps > 0:
        target = target * (1 - eps) + eps / C
    terms = logp * target
    if weight is not None:
        terms = terms * weight.reshape((C,) + (1,) * (input.ndim - cdim - 1))
    loss = -terms.sum(cdim)
    if reduction == "mean":
        return loss.sum() / (input.numel() // C) if input.numel() else loss.sum() * float("nan")
    return _reduce(loss, reduction)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """-w (y log x + (1 - y) log(1 - x)), each log clamped at -100 as torch does."""
    if _autocast[0] is not None:          # on autocast's float32 list
        return _autocast[0].fp32(binary_cross_entropy, **locals())
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input size "
                         f"({input.shape}) is deprecated. Please ensure they have the same size.")
    if target.dtype is not input.dtype:
        raise RuntimeError(f"Found dtype {_tn(target)} but expected {_tn(input)}")
    d = input._data
    if d.size and ((d < 0) | (d > 1)).any():
        raise RuntimeError("all elements of input should be between 0 and 1")
    loss = -(target * input.log().clamp_min(-100) + (1 - target) * (1 - input).log().clamp_min(-100))
    if weight is not None:
        loss = loss * weight
    return present_as(_reduce(loss, reduction), "BinaryCrossEntropyBackward0", input, target)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None, reduction="mean",
                                     pos_weight=None):
    """(1 - y) x - (1 + (pw - 1) y) log sigmoid(x), weighted; stable for any |x|."""
    if _autocast[0] is not None:          # on autocast's float32 list
        return _autocast[0].fp32(binary_cross_entropy_with_logits, **locals())
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    if target._data.dtype.kind in "biu" and input._data.dtype.kind not in "biu":
        raise RuntimeError(f"result type {_tn(input)} can't be cast to the desired output type {_tn(target)}")
    ls = nn_ops.logsigmoid_op(input)
    if pos_weight is not None:
        loss = (1 - target) * input - ((pos_weight - 1) * target + 1) * ls
    else:
        loss = (1 - target) * input - ls
    if weight is not None:
        loss = loss * weight
    return present_as(_reduce(loss, reduction), "BinaryCrossEntropyWithLogitsBackward0", input, target)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """target * (log target - input) pointwise (input is log-probabilities); 'batchmean' divides by N."""
    if _autocast[0] is not None:          # on autocast's float32 list
        return _autocast[0].fp32(kl_div, **locals())
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction, ("none", "mean", "sum", "batchmean"))
    if reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                      "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                      "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                      stacklevel=2)
    if input._data.dtype.kind in "biu" or target._data.dtype.kind in "biu":
        raise RuntimeError("kl_div: Integral inputs not supported.")
    if log_target:
        loss = target.exp() * (target - input)
    else:
        loss = target.xlogy(target) - target * input
    if reduction == "batchmean":
        return loss.sum() / input.shape[0] if input.ndim else loss.sum()
    return _reduce(loss, reduction)


# ----------------------------------------------------------------------------------------------------------
# margin losses
# ----------------------------------------------------------------------------------------------------------

def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """log(1 + exp(-y x)), as -log sigmoid(y x)."""
    if _autocast[0] is not None:          # on autocast's float32 list
        return _autocast[0].fp32(soft_margin_loss, **locals())
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    return present_as(_reduce(-nn_ops.logsigmoid_op(input * target), reduction), "SoftMarginLossBackward0", input)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """-(y log sigmoid(x) + (1 - y) log sigmoid(-x)), averaged over classes."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    loss = -(target * nn_ops.logsigmoid_op(input) + (1 - target) * nn_ops.logsigmoid_op(-input))
    if weight is not None:
        loss = loss * weight
    cdim = input.ndim - 1
    loss = loss.sum(cdim) / input.shape[cdim]
    return _reduce(loss, reduction)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None,
                      reduction="mean"):
    """sum_{j != y} max(0, margin - x_y + x_j)^p / C (times w_y)."""
    if _autocast[0] is not None:          # on autocast's float32 list
        return _autocast[0].fp32(multi_margin_loss, **locals())
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.ndim != 1:
        raise ValueError("weight must be one-dimensional")
    x = input.unsqueeze(0) if input.ndim <= 1 else input                  # (N, C)
    t = target._data.reshape(-1).astype(np.int64)
    N, C = x.shape
    if t.shape[0] != N:
        raise RuntimeError(f"inconsistent target size, expected {N} but got {list(target.shape)}")
    if t.size and (t.min() < 0 or t.max() >= C):
        raise RuntimeError("target out of range")
    rows = _wrap(np.arange(N))
    xy = x[rows, _wrap(t)].unsqueeze(1)                                   # (N, 1)
    h = (margin - xy + x).clamp_min(0)
    if p == 2:
        h = h * h
    not_target = np.ones((N, C), x._data.dtype)
    not_target[np.arange(N), t] = 0
    h = h * _wrap(not_target)
    if weight is not None:
        h = h * weight[_wrap(t)].unsqueeze(1)
    loss = h.sum(1) / C
    if input.ndim <= 1:
        loss = loss.reshape(())
    return present_as(_reduce(loss, reduction), "MultiMarginLossBackward0", input)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """sum over target j and non-target k of max(0, 1 - (x_j - x_k)) / C; targets end at the first -1."""
    if _autocast[0] is not None:          # on autocast's float32 list
        return _autocast[0].fp32(multilabel_margin_loss, **locals())
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if target._data.dtype != np.int64:
        raise RuntimeError(f"expected scalar type Long but found {_tn(target)}")
    x = input.unsqueeze(0) if input.ndim <= 1 else input                  # (N, C)
    t = target._data.reshape(x.shape)
    N, C = x.shape
    is_target = np.zeros((N, C), bool)
    for i in range(N):
        for j in range(C):
            if t[i, j] < 0:
                break
            is_target[i, t[i, j]] = True
    pair = (is_target[:, :, None] & ~is_target[:, None, :]).astype(x._data.dtype)   # (N, j, k)
    h = (1 - (x.unsqueeze(2) - x.unsqueeze(1))).clamp_min(0) * _wrap(pair)
    loss = h.sum((1, 2)) / C
    if input.ndim <= 1:
        loss = loss.reshape(())
    return present_as(_reduce(loss, reduction), "MultilabelMarginLossBackward0", input)


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    """1 - cos(x1, x2) for y = 1, max(0, cos(x1, x2) - margin) for y = -1."""
    if _autocast[0] is not None:          # on autocast's float32 list
        return _autocast[0].fp32(cosine_embedding_loss, **locals())
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    d = input1.ndim - 1
    eps = 1e-12
    prod = (input1 * input2).sum(d)
    denom = (((input1 * input1).sum(d) + eps) * ((input2 * input2).sum(d) + eps)).sqrt()
    cos = prod / denom
    zeros = cos * 0
    loss = where(target == 1, 1 - cos, zeros) + where(target == -1, (cos - margin).clamp_min(0), zeros)
    return _reduce(loss, reduction)


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    """max(0, -y (x1 - x2) + margin)."""
    if _autocast[0] is not None:          # on autocast's float32 list
        return _autocast[0].fp32(margin_ranking_loss, **locals())
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if not (input1.ndim == input2.ndim == target.ndim):
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
                           f"input1: {input1.shape}, input2: {input2.shape}, target: {target.shape} ")
    return _reduce((-target * (input1 - input2) + margin).clamp_min(0), reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"):
    """x where y = 1, max(0, margin - x) where y = -1."""
    if _autocast[0] is not None:          # on autocast's float32 list
        return _autocast[0].fp32(hinge_embedding_loss, **locals())
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    zeros = input * 0
    loss = where(target != 1, (margin - input).clamp_min(0), zeros) + where(target != -1, input, zeros)
    return _reduce(loss, reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, size_average=None,
                        reduce=None, reduction="mean"):
    """max(0, margin + d(a, p) - d(a, n)) with d the p-norm pairwise distance (``swap``: min with d(p, n))."""
    if _autocast[0] is not None:          # on autocast's float32 list
        return _autocast[0].fp32(triplet_margin_loss, **locals())
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    a, pd, nd = anchor.ndim, positive.ndim, negative.ndim
    if not (a == pd == nd):
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the same number of "
                           f"dimensions, but got: anchor {a}D, positive {pd}D, and negative {nd}D inputs")
    from ._functional_core import pairwise_distance
    d_ap = pairwise_distance(anchor, positive, p, eps)
    d_an = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_an = d_an.minimum(pairwise_distance(positive, negative, p, eps))
    return _reduce((margin + d_ap - d_an).clamp_min(0), reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None, margin=1.0,
                                      swap=False, reduction="mean"):
    _check_reduction(reduction)
    if margin <= 0:
        raise ValueError(f"TripletMarginWithDistanceLoss: expected margin to be greater than 0, got {margin} "
                         "instead")
    from ._functional_core import pairwise_distance
    dist = distance_function if distance_function is not None else pairwise_distance
    d_ap = dist(anchor, positive)
    d_an = dist(anchor, negative)
    if swap:
        d_an = d_an.minimum(dist(positive, negative))
    return _reduce((margin + d_ap - d_an).clamp_min(0), reduction)


# ----------------------------------------------------------------------------------------------------------
# CTC
# ----------------------------------------------------------------------------------------------------------

def _logsumexp2(a, b):
    m = np.maximum(a, b)
    safe = np.where(np.isneginf(m), 0.0, m)
    return np.where(np.isneginf(m), -np.inf, safe + np.log(np.exp(a - safe) + np.exp(b - safe)))


class CTCLoss(Op):
    """Negative log-likelihood of each target under CTC (blank-extended labels, forward-backward recursion).

    As torch, the gradient returned for ``log_probs`` is exp(lp) - exp(log(alpha beta) + nll - lp), the form
    that is exact when ``log_probs`` come from ``log_softmax`` (it is not differentiable twice).
    """

    _grad_name = "CtcLossBackward0"

    @staticmethod
    def forward(ctx, lp, targets, in_lens, tg_lens, blank):
        T, N, C = lp.shape
        lp64 = lp.astype(np.float64)
        nll = np.zeros(N)
        ctx.p = (lp64, targets, in_lens, tg_lens, blank, [])
        for n in range(N):
            ext = np.full(2 * tg_lens[n] + 1, blank, np.int64)
            ext[1::2] = targets[n][:tg_lens[n]]
            S = ext.shape[0]
            skip = np.zeros(S, bool)
            skip[2:] = (ext[2:] != blank) & (ext[2:] != ext[:-2])
            Tn = in_lens[n]
            alpha = np.full((max(Tn, 1), S), -np.inf)
            if Tn:
                alpha[0, 0] = lp64[0, n, blank]
                if S > 1:
                    alpha[0, 1] = lp64[0, n, ext[1]]
            for t in range(1, Tn):
                prev = alpha[t - 1]
                a = prev.copy()
                a[1:] = _logsumexp2(a[1:], prev[:-1])
                a[skip] = _logsumexp2(a[skip], prev[np.nonzero(skip)[0] - 2])
                alpha[t] = a + lp64[t, n, ext]
            last = alpha[Tn - 1, S - 1] if Tn else -np.inf
            last2 = alpha[Tn - 1, S - 2] if Tn and S > 1 else -np.inf
            nll[n] = -_logsumexp2(np.asarray(last), np.asarray(last2))
            ctx.p[5].append((ext, skip, alpha))
        return nll.astype(lp.dtype)

    @staticmethod
    def backward(ctx, grad):
        lp64, targets, in_lens, tg_lens, blank, per = ctx.p
        T, N, C = lp64.shape
        g = grad._data.astype(np.float64)
        out = np.zeros_like(lp64)
        for n in range(N):
            ext, skip, alpha = per[n]
            S, Tn = ext.shape[0], in_lens[n]
            beta = np.full((max(Tn, 1), S), -np.inf)
            if Tn:
                beta[Tn - 1, S - 1] = lp64[Tn - 1, n, ext[S - 1]]
                if S > 1:
                    beta[Tn - 1, S - 2] = lp64[Tn - 1, n, ext[S - 2]]
            skip_next = np.zeros(S, bool)
            skip_next[:-2] = skip[2:]
            for t in range(Tn - 2, -1, -1):
                nxt = beta[t + 1]
                b = nxt.copy()
                b[:-1] = _logsumexp2(b[:-1], nxt[1:])
                b[skip_next] = _logsumexp2(b[skip_next], nxt[np.nonzero(skip_next)[0] + 2])
                beta[t] = b + lp64[t, n, ext]
            ab = alpha[:Tn] + beta[:Tn]                                     # (Tn, S)
            nll = -_logsumexp2(np.asarray(alpha[Tn - 1, S - 1]) if Tn else np.asarray(-np.inf),
                               np.asarray(alpha[Tn - 1, S - 2]) if Tn and S > 1 else np.asarray(-np.inf))
            lcab = np.full((Tn, C), -np.inf)
            for s in range(S):
                lcab[:, ext[s]] = _logsumexp2(lcab[:, ext[s]], ab[:, s])
            lpn = lp64[:Tn, n, :]
            if np.isinf(nll):
                res = np.zeros_like(lpn) if ctx.zero_inf else np.exp(lpn) - np.exp(lcab + nll - lpn)
            else:
                res = np.exp(lpn) - np.exp(lcab + nll - lpn)
            out[:Tn, n, :] = res * g[n]
        return _wrap(out.astype(grad._data.dtype)), None, None, None, None


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean", zero_infinity=False):
    """Connectionist Temporal Classification loss of (T, N, C) log-probabilities against padded (N, S) or
    concatenated targets; 'mean' divides each loss by its target length, then averages over the batch."""
    if _autocast[0] is not None:          # on autocast's float32 list
        return _autocast[0].fp32(ctc_loss, **locals())
    _check_reduction(reduction)
    unbatched = log_probs.ndim == 2
    lp = log_probs.unsqueeze(1) if unbatched else log_probs                # (T, N, C)
    T, N, C = lp.shape
    if blank < 0 or blank >= C:
        raise RuntimeError("blank must be in label range")

    def _lens(v):
        arr = v._data if isinstance(v, Tensor) else np.asarray(v)
        return [int(a) for a in np.asarray(arr).reshape(-1)]
    in_lens, tg_lens = _lens(input_lengths), _lens(target_lengths)
    tg = targets._data.astype(np.int64)
    if unbatched:
        tg = tg.reshape(1, -1)
    if tg.ndim == 1:                                                       # concatenated targets
        rows, pos = [], 0
        for L in tg_lens:
            rows.append(tg[pos:pos + L])
            pos += L
    else:
        rows = [tg[n] for n in range(N)]
    for n in range(N):
        if in_lens[n] > T:
            raise RuntimeError(f"Expected input_lengths to have value at most {T}, but got value {in_lens[n]} "
                               f"(while checking arguments for ctc_loss_cpu)")
    nll = CTCLoss.apply(lp, rows, in_lens, tg_lens, blank)
    if nll._grad_fn is not None:
        nll._grad_fn.zero_inf = zero_infinity
    if zero_infinity:
        nll = where(nll.isinf(), 0.0, nll) if bool(nll.isinf().any()) else nll
    if reduction == "mean":
        denom = _wrap(np.maximum(np.asarray(tg_lens), 1).astype(lp._data.dtype))
        return (nll / denom).mean()
    if reduction == "sum":
        return nll.sum()
    return nll.reshape(()) if unbatched else nll
