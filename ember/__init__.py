"""ember: PyTorch's programming model on NumPy.  ``import ember as torch`` and keep your code.

This module is the public table of contents: torch's top-level names, each defined in a submodule.
"""
from __future__ import annotations

__version__ = "0.1.0"

import numpy as _np

# torch computes inf/nan silently; NumPy would warn on every division by zero inside ops.  This changes
# NumPy's process-wide error state (documented in the README under "differences").
_np.seterr(divide="ignore", invalid="ignore", over="ignore", under="ignore")

from . import _dtype as _dtype_mod
from ._dtype import (bfloat16, bool, cdouble, cfloat, complex64, complex128, double, dtype, finfo, float, float16,
                    float32, float64, get_default_dtype, half, iinfo, int, int8, int16, int32, int64, long,
                    promote_types, set_default_dtype, short, uint8, uint16, uint32, uint64)
from .device import device
from .tensor import Size, Tensor
from .autograd import (enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled)
from .autograd.grad_mode import is_inference_mode_enabled
from .ops import *  # noqa: F401,F403
from .ops import _methods as _ops_methods  # noqa: F401
from ._creation import *  # noqa: F401,F403
from ._creation import range  # noqa: F401  (shadows the builtin inside this namespace, as torch does)
from .random import Generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state, default_generator
from ._tensor_str import get_printoptions, set_printoptions
from . import autograd, random, testing, linalg, special, cuda, backends, utils  # noqa: E402
from . import nn  # noqa: E402


def save(obj, f, *args, **kwargs):
    """Save ``obj`` to ``f`` in torch's .pth format (``ember.serialization.save``; loaded on first use)."""
    from .serialization import save as _save
    return _save(obj, f, *args, **kwargs)


def load(f, *args, **kwargs):
    """Load a torch .pth file without running code from it (``ember.serialization.load``)."""
    from .serialization import load as _load
    return _load(f, *args, **kwargs)


_AUTOCAST_NAMES = frozenset((
    "autocast", "is_autocast_enabled", "set_autocast_enabled", "get_autocast_dtype", "set_autocast_dtype",
    "is_autocast_cpu_enabled", "set_autocast_cpu_enabled", "get_autocast_cpu_dtype", "set_autocast_cpu_dtype",
    "get_autocast_gpu_dtype", "set_autocast_gpu_dtype", "is_autocast_cache_enabled", "set_autocast_cache_enabled",
    "clear_autocast_cache", "autocast_increment_nesting", "autocast_decrement_nesting", "is_autocast_available"))


def __getattr__(name):  # heavier subpackages load on first use, so ``import ember`` stays light
    import importlib
    if name in ("optim", "distributed", "serialization", "safetensors", "distributions", "amp", "fft", "cpu",
                "accelerator"):
        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"{__name__}.{name}":
                raise
    if name in _AUTOCAST_NAMES:   # torch.autocast, torch.is_autocast_enabled ... live in ember.amp
        from .amp import autocast_mode
        return getattr(autocast_mode, name)
    raise AttributeError(f"module 'ember' has no attribute '{name}'")


from .func_api import func, vmap  # noqa: E402

import builtins as _builtins  # noqa: E402

# torch also exposes these nn.functional entry points at the top level
for _name in ("conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
              "avg_pool1d", "max_pool1d", "max_pool2d", "max_pool3d", "adaptive_avg_pool1d", "adaptive_max_pool1d",
              "max_pool1d_with_indices", "batch_norm", "layer_norm", "group_norm", "instance_norm", "rms_norm",
              "dropout", "alpha_dropout", "feature_alpha_dropout", "embedding", "embedding_bag", "bilinear",
              "pixel_shuffle", "pixel_unshuffle", "channel_shuffle", "cosine_similarity", "pairwise_distance",
              "pdist", "hardshrink", "prelu", "rrelu", "selu", "celu", "threshold", "kl_div", "margin_ranking_loss",
              "hinge_embedding_loss", "poisson_nll_loss", "triplet_margin_loss", "cosine_embedding_loss",
              "binary_cross_entropy_with_logits", "constant_pad_nd", "affine_grid_generator", "grid_sampler"):
    if _name not in globals() and hasattr(nn.functional, _name):
        globals()[_name] = getattr(nn.functional, _name)
for _name in ("relu_", "sigmoid_", "tanh_", "selu_", "celu_", "threshold_", "rrelu_", "dropout_"):
    if _name not in globals() and hasattr(Tensor, _name):
        globals()[_name] = getattr(Tensor, _name)



def _legacy_constructor(dt, name):
    def make(*args, **kwargs):
        """torch's legacy typed constructor: sizes give an uninitialised tensor, data is copied."""
        if not args:
            return empty(0, dtype=dt)
        if _builtins.all(isinstance(a, _builtins.int) for a in args) or isinstance(args[0], Size):
            return empty(*args, dtype=dt)
        return tensor(args[0], dtype=dt, **kwargs)
    make.__name__ = make.__qualname__ = name
    make._legacy_dtype = dt          # x.type(torch.DoubleTensor)
    return make


FloatTensor = _legacy_constructor(float32, "FloatTensor")
DoubleTensor = _legacy_constructor(float64, "DoubleTensor")
HalfTensor = _legacy_constructor(float16, "HalfTensor")
LongTensor = _legacy_constructor(int64, "LongTensor")
IntTensor = _legacy_constructor(int32, "IntTensor")
BoolTensor = _legacy_constructor(bool, "BoolTensor")
ByteTensor = _legacy_constructor(uint8, "ByteTensor")

strided = "torch.strided"
contiguous_format = "torch.contiguous_format"
preserve_format = "torch.preserve_format"
channels_last = "torch.channels_last"
e = 2.718281828459045
pi = 3.141592653589793
inf = _builtins.float("inf")
nan = _builtins.float("nan")


def is_tensor(obj):
    return isinstance(obj, Tensor)


def is_floating_point(input):
    return input.is_floating_point()


def is_complex(input):
    return input.is_complex()


def is_nonzero(input):
    return _builtins.bool(input)


def numel(input):
    return input.numel()


def result_type(tensor1, tensor2):
    from .ops._util import result_dtype
    return result_dtype(tensor1, tensor2)


def can_cast(from_, to):
    from .ops.inplace import _can_cast
    return _can_cast(from_.np, to.np)


def typename(obj):
    if isinstance(obj, Tensor):
        return obj.type()
    module = type(obj).__module__
    if module in ("builtins", "__builtin__"):
        return type(obj).__qualname__
    return f"{module}.{type(obj).__qualname__}"


def get_num_threads():
    """Threads ember's block kernels use (``backend.parallel``): the CPU affinity, capped by OMP_NUM_THREADS."""
    from .backend.parallel import num_threads
    return num_threads()


def set_num_threads(n):
    """Threads for ember's block kernels and, when threadpoolctl is installed, for the BLAS library."""
    import builtins
    if not isinstance(n, builtins.int) or isinstance(n, builtins.bool):
        raise RuntimeError(f"set_num_threads expects an int, but got {type(n).__name__}")
    if n <= 0:
        raise RuntimeError("set_num_threads expects a positive integer")
    from .backend import parallel
    parallel.set_num_threads(n)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(n)


def get_num_interop_threads():
    return 1


def set_num_interop_threads(n):
    return None


def use_deterministic_algorithms(mode, *, warn_only=False):
    return None


def are_deterministic_algorithms_enabled():
    return True


def compile(model=None, **kwargs):
    """``torch.compile`` stand-in: ember runs eagerly, so the model is returned unchanged."""
    if model is None:
        return lambda m: m
    return model


def set_float32_matmul_precision(precision):
    return None


def get_float32_matmul_precision():
    return "highest"


def is_storage(obj):
    from ._storage import TypedStorage, UntypedStorage
    return isinstance(obj, (TypedStorage, UntypedStorage))


from ._argcheck import wrap_namespace as _wrap_namespace  # noqa: E402

_wrap_namespace(globals())      # torch.tanh((x,)) -> torch's TypeError, not an AttributeError from inside
