"""``ember.nn.functional``: the functions behind every layer.  Split by family into private files."""
from __future__ import annotations

import importlib as _importlib
import types as _types

from ..ops import (relu, softmax, log_softmax, sigmoid, tanh, pad)  # noqa: F401
from ..ops.products import linear  # noqa: F401

for _name in ("_functional_core", "_functional_spatial", "_functional_attention"):
    try:
        _mod = _importlib.import_module(f"ember.nn.{_name}")
    except ModuleNotFoundError as _exc:
        if _exc.name != f"ember.nn.{_name}":
            raise
        continue
    for _fn in getattr(_mod, "__all__", ()):
        globals()[_fn] = getattr(_mod, _fn)


from ._functional_attention import (_canonical_mask, _in_projection, _in_projection_packed,  # noqa: E402,F401
                                    _mha_shape_check, _none_or_dtype)
from .._argcheck import wrap_namespace as _wrap_namespace  # noqa: E402

# ember's own layers call the functions unwrapped (``from ..functional import _raw as F``): the argument check
# below costs a Python frame per call (~0.3 us), which only direct user calls need to pay
_raw = _types.SimpleNamespace(**{_k: _v for _k, _v in globals().items() if not _k.startswith("__")})

# the functions torch implements natively: a non-Tensor input gets torch's TypeError with torch's kernel name.
# (Functions that may warn -- softmax's implicit dim, the losses' legacy size_average/reduce, kl_div's 'mean',
# interpolate, attention -- are left unwrapped: the wrapper's frame would move their warnings off the caller.)
_wrap_namespace(globals(), {
    **{n: (n, "input") for n in ("relu", "relu6", "gelu", "silu", "mish", "elu", "celu", "selu", "leaky_relu",
                                 "hardtanh", "hardswish", "hardsigmoid", "hardshrink", "softshrink", "softplus",
                                 "dropout", "alpha_dropout", "layer_norm", "avg_pool1d", "avg_pool2d",
                                 "avg_pool3d", "max_pool1d", "max_pool2d", "max_pool3d", "pixel_shuffle",
                                 "pixel_unshuffle", "one_hot", "batch_norm", "pad", "rrelu", "prelu",
                                 "feature_alpha_dropout", "conv_transpose1d", "conv_transpose2d",
                                 "conv_transpose3d")},
    "logsigmoid": ("log_sigmoid", "input"), "unfold": ("im2col", "input"),
    "cosine_similarity": ("cosine_similarity", "x1"), "pairwise_distance": ("pairwise_distance", "x1"),
    # written in Python in torch: they fail on an attribute of the input first
    **{n: (None, "input", "size") for n in ("binary_cross_entropy", "binary_cross_entropy_with_logits",
                                            "adaptive_avg_pool2d", "adaptive_avg_pool3d")},
    **{n: (None, "input", "dim") for n in ("group_norm", "instance_norm")},
    "normalize": (None, "input", "norm"),
    **{n: (n, None) for n in ("conv1d", "conv2d", "conv3d")}})
