"""The functions behind the non-spatial layers: linear maps, activations, normalisation, dropout, embeddings,
distances (the losses live in ``_functional_loss`` and are re-exported here).

Each function validates its arguments with torch's messages and composes ember ops; the few with a fused
primitive (GELU, layer/batch norm, cross-entropy, the piecewise activations) call ``ember.ops.nn_ops``.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from .. import _dtype as _dt
from ..autograd import grad_mode
from ..autograd.graph import present
from ..ops import nn_ops
from ..ops.index import embedding_op as _embedding_op
from ..ops.inplace import apply_inplace
from ..ops.products import _autocast, linear
from ..ops.reduce import log_softmax as _log_softmax, softmax as _softmax, vector_norm
from ..ops.shape import where
from ..random import _gen
from ..tensor import Tensor, _wrap
from . import _functional_loss as _loss
from ._functional_loss import __all__ as _loss_all
from ._functional_loss import *  # noqa: F401,F403

__all__ = ["linear", "bilinear", "identity", "relu", "relu_", "relu6", "leaky_relu", "leaky_relu_", "prelu",
           "rrelu", "rrelu_", "elu", "elu_", "selu", "selu_", "celu", "celu_", "gelu", "silu", "mish",
           "sigmoid", "tanh", "hardtanh", "hardtanh_", "hardsigmoid", "hardswish", "softplus", "softsign",
           "softshrink", "hardshrink", "tanhshrink", "threshold", "threshold_", "logsigmoid", "glu", "softmax",
           "log_softmax", "softmin", "batch_norm", "layer_norm", "group_norm", "instance_norm", "rms_norm",
           "local_response_norm", "normalize", "dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout",
           "feature_alpha_dropout", "embedding", "embedding_bag", "one_hot", "cosine_similarity",
           "pairwise_distance", "pdist", "gumbel_softmax"] + list(_loss_all)

_grad_state = grad_mode._state


def _inplace(input, fn):
    """``fn`` applied to ``input`` and written back into it (recorded as torch records in-place ops)."""
    return apply_inplace(input, lambda t: fn(t))


def _float(input):
    if input._data.dtype.kind not in "fcV":
        raise RuntimeError(f"\"{'clamp'}\" not implemented for '{_tn(input)}'")
    return input


def _tn(t):
    return {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16", "int64": "Long",
            "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}.get(t.dtype.name,
                                                                                                t.dtype.name)


# ----------------------------------------------------------------------------------------------------------
# linear maps
# ----------------------------------------------------------------------------------------------------------

def identity(input):
    return input


def bilinear(input1, input2, weight, bias=None):
    """y_k = x1^T W_k x2 + b_k over any leading dims; weight (out, in1, in2)."""
    if input1.shape[:-1] != input2.shape[:-1]:
        raise RuntimeError(f"bilinear(): input batch dimensions do not match: got {list(input1.shape[:-1])} "
                           f"and {list(input2.shape[:-1])}")
    if weight.ndim != 3:
        raise RuntimeError(f"bilinear(): weight must be 3D, but got {weight.ndim}D")
    if input1.shape[-1] != weight.shape[1]:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got {input1.shape[-1]} but "
                           f"expected {weight.shape[1]}")
    if input2.shape[-1] != weight.shape[2]:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got {input2.shape[-1]} but "
                           f"expected {weight.shape[2]}")
    from ..ops.products import einsum
    y = einsum("...i,kij,...j->...k", input1, weight, input2)
    return y + bias if bias is not None else y


# ----------------------------------------------------------------------------------------------------------
# activations
# ----------------------------------------------------------------------------------------------------------

def relu(input, inplace=False):
    from ..ops.unary import relu as _relu
    return _inplace(input, _relu) if inplace else _relu(input)


def relu_(input):
    return relu(input, inplace=True)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    fn = lambda t: nn_ops.hardtanh_op(t, min_val, max_val)  # noqa: E731
    return _inplace(input, fn) if inplace else fn(input)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input, inplace=False):
    return hardtanh(input, 0.0, 6.0, inplace)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    fn = lambda t: nn_ops.leaky_relu_op(t, negative_slope)  # noqa: E731
    return _inplace(input, fn) if inplace else fn(input)


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, inplace=True)


def prelu(input, weight):
    """x if x > 0 else a x, with ``a`` per channel (dim 1) or shared (one element)."""
    if _autocast[0] is not None:          # on autocast's lower-precision list
        return _autocast[0].run(prelu, input, weight)
    n = weight.numel()
    if n != 1:
        channels = input.shape[1] if input.ndim >= 2 else (input.shape[0] if input.ndim == 1 else 1)
        if input.ndim == 0 or channels != n:
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                               f"{n} and channel size = {channels}.")
        view = (n,) + (1,) * (input.ndim - 2) if input.ndim >= 2 else (n,)
        w = weight.reshape(view)
    else:
        w = weight.reshape(())
    return nn_ops.prelu_op(input, w)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Randomized leaky ReLU: slope ~ U(lower, upper) per element when training, (lower + upper) / 2 otherwise."""
    if not training:
        return leaky_relu(input, (lower + upper) / 2, inplace)
    slopes = _gen(None).uniform(lower, upper, tuple(input.shape))
    noise = np.where(input._data >= 0, 1.0, slopes).astype(input._data.dtype)
    fn = lambda t: t * _wrap(noise)  # noqa: E731
    return _inplace(input, fn) if inplace else fn(input)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    return rrelu(input, lower, upper, training, inplace=True)


def elu(input, alpha=1.0, inplace=False):
    fn = lambda t: nn_ops.elu_op(t, alpha)  # noqa: E731
    return _inplace(input, fn) if inplace else fn(input)


def elu_(input, alpha=1.0):
    return elu(input, alpha, inplace=True)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input, inplace=False):
    fn = lambda t: nn_ops.elu_op(t, _SELU_ALPHA, _SELU_SCALE)  # noqa: E731
    return _inplace(input, fn) if inplace else fn(input)


def selu_(input):
    return selu(input, inplace=True)


def celu(input, alpha=1.0, inplace=False):
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    fn = lambda t: present(nn_ops.elu_op(t, alpha, 1.0, 1.0 / alpha), "CeluBackward0", t)  # noqa: E731
    return _inplace(input, fn) if inplace else fn(input)


def celu_(input, alpha=1.0):
    return celu(input, alpha, inplace=True)


def gelu(input, approximate="none"):
    """x * Phi(x); ``approximate='tanh'``: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return nn_ops.gelu_op(input, approximate)


def silu(input, inplace=False):
    fn = lambda t: present(t * t.sigmoid(), "SiluBackward0", t)  # noqa: E731
    return _inplace(input, fn) if inplace else fn(input)


def mish(input, inplace=False):
    fn = lambda t: present(t * nn_ops.softplus_op(t).tanh(), "MishBackward0", t)  # noqa: E731
    return _inplace(input, fn) if inplace else fn(input)


def sigmoid(input):
    return input.sigmoid()


def tanh(input):
    return input.tanh()


def hardsigmoid(input, inplace=False):
    return _inplace(input, nn_ops.hardsigmoid_op) if inplace else nn_ops.hardsigmoid_op(input)


def hardswish(input, inplace=False):
    return _inplace(input, nn_ops.hardswish_op) if inplace else nn_ops.hardswish_op(input)


def softplus(input, beta=1.0, threshold=20.0):
    return nn_ops.softplus_op(input, beta, threshold)


def softsign(input):
    return input / (input.abs() + 1)


def softshrink(input, lambd=0.5):
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {lambd}.")
    return nn_ops.softshrink_op(input, lambd)


def hardshrink(input, lambd=0.5):
    return nn_ops.hardshrink_op(input, lambd)


def tanhshrink(input):
    return input - input.tanh()


def threshold(input, threshold, value, inplace=False):
    fn = lambda t: nn_ops.threshold_op(t, threshold, value)  # noqa: E731
    return _inplace(input, fn) if inplace else fn(input)


def threshold_(input, threshold, value):
    return globals()["threshold"](input, threshold, value, inplace=True)


def logsigmoid(input):
    return nn_ops.logsigmoid_op(input)


def glu(input, dim=-1):
    """a * sigmoid(b) where a, b are the halves of ``input`` along ``dim``."""
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    from ..ops._util import wrap_dim
    d = wrap_dim(dim, input.ndim)
    n = input.shape[d]
    if n % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {n}")
    a, b = input.split(n // 2, d)
    return a * b.sigmoid()


def _softmax_dim(name, ndim, stacklevel):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X "
                  "as an argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _softmax_dim("softmax", input.ndim, _stacklevel)
    return _softmax(input, dim, dtype=dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _softmax_dim("softmin", input.ndim, _stacklevel)
    if dtype is not None:
        input = input.to(dtype)
    return _softmax(-input, dim)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _softmax_dim("log_softmax", input.ndim, _stacklevel)
    return _log_softmax(input, dim, dtype=dtype)


# ----------------------------------------------------------------------------------------------------------
# normalisation
# ----------------------------------------------------------------------------------------------------------

def _verify_batch_size(size):
    count = 1
    for s in [size[0]] + list(size[2:]):
        count *= s
    if count == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size {size}")


def _channel_view(t, ndim):
    return t.reshape((1, -1) + (1,) * (ndim - 2))


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1,
               eps=1e-5):
    """Normalise each channel (dim 1) by the batch's statistics (training) or the running ones.

    Training with running buffers updates them in place: mean <- (1 - m) mean + m batch_mean,
    var <- (1 - m) var + m batch_var * n / (n - 1) (the unbiased batch variance).
    """
    if training:
        _verify_batch_size(input.shape)
    C = input.shape[1] if input.ndim > 1 else None
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                    ("bias", bias)):
        if t is not None and C is not None and t.numel() != C:
            raise RuntimeError(f"{name} should contain {C} elements not {t.numel()}")
    if not training:
        if running_mean is None or running_var is None:
            raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
        rstd = (running_var + eps).rsqrt()
        scale = rstd * weight if weight is not None else rstd
        shift = -running_mean * scale
        if bias is not None:
            shift = shift + bias
        out = input * _channel_view(scale, input.ndim) + _channel_view(shift, input.ndim)
        return present(out, "NativeBatchNormBackward0", input, weight, bias)
    x = input
    mean, var = nn_ops.batch_stats(x._data)
    if running_mean is not None or running_var is not None:
        n = x.numel() // x.shape[1]
        with grad_mode.no_grad():
            if running_mean is not None:
                running_mean.mul_(1 - momentum).add_(_wrap(mean.astype(running_mean._data.dtype)) * momentum)
            if running_var is not None:
                unbiased = var * (n / (n - 1)) if n > 1 else var * float("nan")
                running_var.mul_(1 - momentum).add_(_wrap(unbiased.astype(running_var._data.dtype)) * momentum)
    return nn_ops.batch_norm_train_op(x, weight, bias, mean, var, eps)


def _norm_shape_check(input, normalized_shape):
    shape = tuple(input.shape)
    k = len(normalized_shape)
    if k == 0 or shape[len(shape) - k:] != tuple(normalized_shape) or len(shape) < k:
        raise RuntimeError(f"Given normalized_shape={list(normalized_shape)}, expected input with shape "
                           f"[*, {', '.join(str(s) for s in normalized_shape)}], but got input of size"
                           f"{list(shape)}")


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """(x - mean) / sqrt(var + eps) * weight + bias over the trailing ``normalized_shape`` dims."""
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    normalized_shape = tuple(normalized_shape)
    _norm_shape_check(input, normalized_shape)
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != normalized_shape:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got {name} of "
                               f"shape {list(t.shape)} and normalized_shape = {list(normalized_shape)}")
    return nn_ops.layer_norm_op(input, weight, bias, len(normalized_shape), eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalise groups of channels of an (N, C, *) input, then a per-channel affine map."""
    if input.ndim < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {input.ndim}")
    N, C = input.shape[0], input.shape[1]
    if C % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but got input of "
                           f"shape {list(input.shape)} and num_groups={num_groups}")
    for name, p in (("weight", weight), ("bias", bias)):
        if p is not None and (p.ndim != 1 or p.shape[0] != C):
            # torch's message shows the weight's shape in both checks ([0] when there is no weight)
            shown = list(weight.shape) if weight is not None else [0]
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of channels in input, "
                               f"but got {name} of shape {shown} and input of shape {list(input.shape)}")
    x = input.reshape(N, num_groups, -1)                                  # (N, G, C/G * spatial)
    y = nn_ops.layer_norm_op(x, None, None, 1, eps).reshape(input.shape)
    if weight is not None:
        y = y * _channel_view(weight, input.ndim)
    if bias is not None:
        y = y + _channel_view(bias, input.ndim)
    return present(y, "NativeGroupNormBackward0", input, weight, bias)


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-5):
    """Normalise each (sample, channel) over its spatial dims; running stats average the instance stats."""
    if use_input_stats:
        spatial = 1
        for s in input.shape[2:]:
            spatial *= s
        if spatial == 1:
            raise ValueError(f"Expected more than 1 spatial element when training, got input size "
                             f"{input.shape}")
    if not use_input_stats:
        return batch_norm(input, running_mean, running_var, weight, bias, False, momentum, eps)
    N, C = input.shape[0], input.shape[1]
    x = input.reshape(N * C, -1)                                          # (N*C, spatial)
    y = nn_ops.layer_norm_op(x, None, None, 1, eps)
    if weight is None and bias is None:                                   # torch: a batch norm, then a view
        y = present(y, "NativeBatchNormBackward0", input).reshape(input.shape)
    if running_mean is not None or running_var is not None:
        d = x._data
        n = d.shape[1]
        with grad_mode.no_grad():
            if running_mean is not None:
                m = d.mean(1).reshape(N, C).mean(0)
                running_mean.mul_(1 - momentum).add_(_wrap(m.astype(running_mean._data.dtype)) * momentum)
            if running_var is not None:
                v = d.var(1, ddof=1).reshape(N, C).mean(0) if n > 1 else np.full(C, np.nan)
                running_var.mul_(1 - momentum).add_(_wrap(v.astype(running_var._data.dtype)) * momentum)
    if weight is not None or bias is not None:
        y = y.reshape(N, C, -1)
        if weight is not None:
            y = y * _channel_view(weight, 3)
        if bias is not None:
            y = y + _channel_view(bias, 3)
        y = present(y, "NativeBatchNormBackward0", input, weight, bias).reshape(input.shape)
    return y


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """x / sqrt(mean(x^2) + eps) * weight over the trailing dims; eps defaults to the dtype's machine epsilon."""
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    normalized_shape = tuple(normalized_shape)
    _norm_shape_check(input, normalized_shape)
    if eps is None:
        eps = float(np.finfo(input._data.dtype).eps) if input._data.dtype.kind == "f" else 2 ** -7
    dims = tuple(range(input.ndim - len(normalized_shape), input.ndim))
    y = input * ((input * input).mean(dims, keepdim=True) + eps).rsqrt()
    return y * weight if weight is not None else y


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """x / (k + alpha / size * sum of x^2 over ``size`` neighbouring channels)^beta."""
    dim = input.ndim
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality input (got {dim} dimensions)")
    if input.numel() == 0:
        return input
    from ..ops.shape import pad
    sq = input * input
    C = input.shape[1]
    pad_spec = [0, 0] * (dim - 2) + [size // 2, (size - 1) // 2]
    padded = pad(sq, pad_spec)                                            # (N, C + size - 1, *)
    acc = padded.narrow(1, 0, C)
    for j in range(1, size):
        acc = acc + padded.narrow(1, j, C)
    div = (acc * (alpha / size) + k) ** beta
    return input / div


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """x / max(||x||_p, eps) along ``dim``."""
    denom = vector_norm(input, p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    res = input / denom
    if out is not None:
        from ..ops.inplace import copy_into_out
        return copy_into_out(out, res)
    return res


# ----------------------------------------------------------------------------------------------------------
# dropout
# ----------------------------------------------------------------------------------------------------------

def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _keep_mask(input, p, shape):
    """A {0, 1/(1-p)} mask of ``shape`` in ``input``'s dtype (all zeros when p == 1)."""
    dt = input._data.dtype
    if p == 1:
        return _wrap(np.zeros(shape, dt))
    keep = _gen(None).random(shape) >= p
    return _wrap((keep * (1.0 / (1.0 - p))).astype(dt))


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability p and scale the rest by 1 / (1 - p) (identity when not training)."""
    _check_p(p)
    if not training or p == 0:
        return input
    mask = _keep_mask(input, p, tuple(input.shape))
    fn = lambda t: t * mask  # noqa: E731
    return _inplace(input, fn) if inplace else fn(input)


def _feature_dropout(input, p, training, inplace, name, batched_ndim):
    _check_p(p)
    nd = input.ndim
    if nd not in (batched_ndim - 1, batched_ndim):
        raise RuntimeError(f"{name}: Expected {batched_ndim - 1}D or {batched_ndim}D input, but received a {nd}D "
                           f"input. Note that {name} exists to provide channel-wise dropout on inputs with "
                           f"{batched_ndim - 2} spatial dimension{'s' if batched_ndim > 3 else ''}, a channel "
                           f"dimension, and an optional batch dimension (i.e. {batched_ndim - 1}D or "
                           f"{batched_ndim}D inputs).")
    if not training or p == 0:
        return input
    lead = 2 if nd == batched_ndim else 1
    shape = tuple(input.shape[:lead]) + (1,) * (nd - lead)
    mask = _keep_mask(input, p, shape)
    fn = lambda t: t * mask  # noqa: E731
    return _inplace(input, fn) if inplace else fn(input)


def dropout1d(input, p=0.5, training=True, inplace=False):
    _check_p(p)
    if input.ndim not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D input. Note that "
                           "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, a "
                           "channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).")
    return _feature_dropout(input, p, training, inplace, "dropout1d", 3)


def dropout2d(input, p=0.5, training=True, inplace=False):
    _check_p(p)
    nd = input.ndim
    if nd not in (3, 4):
        warnings.warn(f"dropout2d: Received a {nd}-D input to dropout2d, which is deprecated and will result in an "
                      "error in a future release. To retain the behavior and silence this warning, please use "
                      "dropout instead. Note that dropout2d exists to provide channel-wise dropout on inputs with "
                      "2 spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 3D or 4D "
                      "inputs).")
    if nd == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout "
                      "behavior is desired - input is interpreted as shape (N, C, L), where C is the channel dim. "
                      "This behavior will change in a future release to interpret the input as one without a "
                      "batch dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout behavior, "
                      "please switch to using dropout1d instead.")
    if not training or p == 0:
        return input
    shape = tuple(input.shape[:2]) + (1,) * (nd - 2) if nd >= 2 else tuple(input.shape)
    mask = _keep_mask(input, p, shape)
    fn = lambda t: t * mask  # noqa: E731
    return _inplace(input, fn) if inplace else fn(input)


def dropout3d(input, p=0.5, training=True, inplace=False):
    _check_p(p)
    nd = input.ndim
    if nd not in (4, 5):
        warnings.warn(f"dropout3d: Received a {nd}-D input to dropout3d, which is deprecated and will result in an "
                      "error in a future release. To retain the behavior and silence this warning, please use "
                      "dropout instead. Note that dropout3d exists to provide channel-wise dropout on inputs with "
                      "3 spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 4D or 5D "
                      "inputs).")
    if not training or p == 0:
        return input
    lead = 1 if nd == 4 else 2
    shape = tuple(input.shape[:lead]) + (1,) * (nd - lead)
    mask = _keep_mask(input, p, shape)
    fn = lambda t: t * mask  # noqa: E731
    return _inplace(input, fn) if inplace else fn(input)


_ALPHA_PRIME = 1.7580993408473766   # -SELU scale * alpha: the value SELU saturates to


def _alpha_dropout(input, p, training, inplace, feature):
    _check_p(p)
    if not training or p == 0:
        return input
    if p == 1:
        fn = lambda t: t * 0  # noqa: E731
        return _inplace(input, fn) if inplace else fn(input)
    shape = tuple(input.shape)
    if feature:
        shape = shape[:2] + (1,) * (len(shape) - 2)
    keep = (_gen(None).random(shape) >= p).astype(np.float64)
    a = 1.0 / math.sqrt((_ALPHA_PRIME ** 2 * p + 1) * (1 - p))
    b = (keep - 1) * (_ALPHA_PRIME * a) + _ALPHA_PRIME * a * p          # dropped units go to the saturation
    dt = input._data.dtype
    mult, add = _wrap((keep * a).astype(dt)), _wrap(b.astype(dt))
    fn = lambda t: t * mult + add  # noqa: E731
    return _inplace(input, fn) if inplace else fn(input)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout for SELU networks: keeps mean and variance by sending dropped units to SELU's saturation."""
    return _alpha_dropout(input, p, training, inplace, False)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    return _alpha_dropout(input, p, training, inplace, True)


# ----------------------------------------------------------------------------------------------------------
# embeddings
# ----------------------------------------------------------------------------------------------------------

def _check_indices(input, fn_name="embedding"):
    if not isinstance(input, Tensor):
        raise TypeError(f"{fn_name}(): argument 'indices' (position 2) must be Tensor, not {type(input).__name__}")
    if input._data.dtype not in (np.int64, np.int32):
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got torch.{_tn(input)}Tensor instead (while checking arguments for "
                           f"{fn_name})")


def _renorm_rows(weight, idx, max_norm, norm_type):
    """Scale the rows ``idx`` of ``weight`` in place so their ``norm_type`` norm is at most ``max_norm``."""
    rows = np.unique(idx.reshape(-1))
    with grad_mode.no_grad():
        w = weight._data
        sel = w[rows].astype(np.float64)
        norms = np.linalg.norm(sel, ord=norm_type, axis=1) if norm_type != 2 else np.sqrt((sel * sel).sum(1))
        scale = np.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
        w[rows] = (sel * scale[:, None]).astype(w.dtype)
        weight._bump_version()


def _padding_idx(padding_idx, num):
    if padding_idx is None:
        return None
    if padding_idx > 0:
        if padding_idx >= num:
            raise AssertionError("Padding_idx must be within num_embeddings")
        return padding_idx
    if padding_idx < 0:
        if padding_idx < -num:
            raise AssertionError("Padding_idx must be within num_embeddings")
        return padding_idx + num
    return padding_idx


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    """Rows of ``weight`` picked by integer ``input``: (*) -> (*, embedding_dim)."""
    _check_indices(input)
    num = weight.shape[0]
    padding_idx = _padding_idx(padding_idx, num)
    idx = input._data.astype(np.int64, copy=False)
    if idx.size and (idx.min() < -num or idx.max() >= num or idx.min() < 0):
        raise IndexError("index out of range in self")
    if max_norm is not None:
        _renorm_rows(weight, idx, max_norm, norm_type)
    return _embedding_op(weight, idx, padding_idx, scale_grad_by_freq)


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False, mode="mean",
                  sparse=False, per_sample_weights=None, include_last_offset=False, padding_idx=None):
    """Sums, means or maxima of bags of embeddings: a 2-D ``input`` is one bag per row; a 1-D one is split at
    ``offsets``.  Entries equal to ``padding_idx`` are left out of their bag (an empty bag gives zeros).  In
    ``max`` mode each output element is the first largest of its column in the bag, and only that row gets
    the gradient."""
    _check_indices(input, "embedding_bag")
    if per_sample_weights is not None and tuple(per_sample_weights.shape) != tuple(input.shape):
        raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is not None, "
                         f"then it must have the same shape as the input ({input.shape})")
    if weight.ndim != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.ndim}")
    n_in = input._data.size
    if input.ndim == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is a mini-batch of "
                             f"fixed length sequences. However, found offsets of type {type(offsets)}")
        B, L = input.shape
        starts = np.arange(B, dtype=np.int64) * L                        # (B,)
    elif input.ndim == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.ndim != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        off = offsets._data.astype(np.int64)
        if off.size and off[0] != 0:
            raise RuntimeError("offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start "
                               f"from position 0. However, got {int(off[0])}\n[ torch.{_tn(offsets)}Tensor{{}} ]")
        if off.size and off[-1] > n_in:
            raise RuntimeError(f"offsets[-1] can not be greater than input's length {n_in} but got offsets[-1] of "
                               f"{int(off[-1])}")
        starts = off[:-1] if include_last_offset else off
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.ndim}")
    if mode == "max":
        if scale_grad_by_freq:
            raise ValueError("max mode does not support scaling the gradient by the frequency")
        if sparse:
            raise ValueError("max mode does not support sparse weights")
    elif mode not in ("sum", "mean"):
        raise ValueError("mode has to be one of sum, mean or max")
    idx = input._data.reshape(-1).astype(np.int64)
    num, D = weight.shape
    bad = np.flatnonzero((idx < 0) | (idx >= num))
    if bad.size:
        raise RuntimeError(f"embedding_bag: Expected idx >= 0 && idx < num_embeddings but found idx to be "
                           f"{int(idx[bad[0]])}")
    if max_norm is not None:
        _renorm_rows(weight, idx, max_norm, norm_type)
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(f"embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                                  f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
                                  "GitHub.")
    padding_idx = _padding_idx(padding_idx, num)
    nbags = len(starts)
    # the bag of each entry, offsets being non-decreasing; as in torch, the last bag runs to the end of the
    # input even when include_last_offset's final offset stops short of it
    bag_of = np.searchsorted(starts, np.arange(idx.size), side="right") - 1
    valid = bag_of >= 0
    if padding_idx is not None:
        valid &= idx != padding_idx
    sel = np.flatnonzero(valid)                                          # kept entries, grouped by bag
    zeros = _wrap(np.zeros((nbags, D), weight._data.dtype))
    from ..ops.index import index_add
    if mode == "max":
        return index_add(zeros, 0, _wrap(np.unique(bag_of[sel])), _bag_max(weight, idx[sel], bag_of[sel]))
    rows = _embedding_op(weight, idx[sel], None, scale_grad_by_freq)   # (kept, D)
    if per_sample_weights is not None:
        rows = rows * per_sample_weights.reshape(-1)[_wrap(sel)].unsqueeze(1)
    out = index_add(zeros, 0, _wrap(bag_of[sel]), rows)
    if mode == "mean":
        counts = np.bincount(bag_of[sel], minlength=nbags)
        out = out / _wrap(np.maximum(counts, 1).astype(weight._data.dtype)).unsqueeze(1)
    return out


def _bag_max(weight, idx, bag):
    """(bags with entries, D): per column, the first largest of the rows ``weight[idx]`` of each bag (``bag``
    sorted).  As torch's running max with ``>``: NaNs are passed over, unless the bag's first value is NaN."""
    D = weight.shape[1]
    if idx.size == 0:                                                    # still part of the graph
        return weight.reshape(-1)[_wrap(np.zeros((0, D), np.int64))]
    values = weight._data[idx]                                           # (kept, D)
    first = np.flatnonzero(np.r_[True, bag[1:] != bag[:-1]])             # (bags,) segment starts
    top = np.fmax.reduceat(values, first, axis=0)                        # (bags, D) ignoring NaN
    segment = np.cumsum(np.r_[False, bag[1:] != bag[:-1]])               # (kept,) segment of each entry
    position = np.arange(idx.size)[:, None]
    hit = np.where(values == top[segment], position, idx.size)           # (kept, D)
    arg = np.minimum.reduceat(hit, first, axis=0)                        # (bags, D) first arg-max
    arg = np.where((arg == idx.size) | np.isnan(values[first]), first[:, None], arg)
    flat = idx[arg] * D + np.arange(D)                                   # (bags, D) into weight.reshape(-1)
    return weight.reshape(-1)[_wrap(flat)]


def one_hot(tensor, num_classes=-1):
    """(*) int64 -> (*, num_classes) int64 with a 1 at each index."""
    if tensor._data.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    d = tensor._data
    if num_classes == -1:
        if d.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(d.max()) + 1
    if d.size:
        if d.min() < 0:
            raise RuntimeError("Class values must be non-negative.")
        if d.max() >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    out = np.zeros(d.shape + (num_classes,), np.int64)
    np.put_along_axis(out, d[..., None], 1, axis=-1)
    return _wrap(out)


# ----------------------------------------------------------------------------------------------------------
# distances
# ----------------------------------------------------------------------------------------------------------

def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """<x1, x2> / (max(||x1||, eps) max(||x2||, eps)) along ``dim`` (broadcasting the inputs)."""
    from ..ops.shape import broadcast_tensors
    a, b = broadcast_tensors(x1, x2)
    na = vector_norm(a, 2, dim, keepdim=True)
    nb = vector_norm(b, 2, dim, keepdim=True)
    with grad_mode.no_grad():   # the clamp does not enter the gradient, as in torch
        ca = _wrap(np.maximum(na._data, eps).astype(na._data.dtype))
        cb = _wrap(np.maximum(nb._data, eps).astype(nb._data.dtype))
    na = na + (ca - na).detach()
    nb = nb + (cb - nb).detach()
    return ((a / na) * (b / nb)).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """||x1 - x2 + eps||_p along the last dim."""
    last = max(x1.ndim, x2.ndim, 1) - 1
    return vector_norm(x1 - x2 + eps, p, last, keepdim=keepdim)


def pdist(input, p=2):
    """Distances between all row pairs i < j of an (N, M) input: (N (N - 1) / 2,)."""
    if input.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.ndim}D")
    n = input.shape[0]
    i, j = np.triu_indices(n, 1)
    return vector_norm(input[_wrap(i)] - input[_wrap(j)], p, -1)



def gumbel_softmax(logits, tau=1.0, hard=False, eps=1e-10, dim=-1):
    """softmax((logits + g) / tau) along ``dim`` with g ~ Gumbel(0, 1) (g = -log(E), E ~ Exp(1)).

    With ``hard`` the result is the one-hot of its argmax, with the soft sample's gradient (straight-through:
    y_hard - y_soft.detach() + y_soft)."""
    from .. import _creation
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    if not logits.is_floating_point():
        raise RuntimeError("Exponential distribution is a continuous probability distribution. dtype must be a "
                           f"floating point but you specified {_tn(logits)}")
    gumbels = -_creation.empty_like(logits).exponential_().log()
    y_soft = ((logits + gumbels) / tau).softmax(dim)
    if not hard:
        return y_soft
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = _creation.zeros_like(logits).scatter_(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft


del _dt, _loss
