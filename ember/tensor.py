"""``Tensor``: an array (NumPy or CuPy) plus the fields autograd needs.

The class holds data and autograd state only.  Its math methods are ember's op functions bound as methods
(``ember/ops/_methods.py``), so ``x.add(y)`` and ``ember.add(x, y)`` are the same code.

Fields (``__slots__``): ``_data`` the array; ``requires_grad``; ``grad``; ``_grad_fn`` the producing node
(``None`` for leaves); ``_output_nr`` which output of that node; ``_vc`` the version counter, a one-element
list shared with views (created lazily: ``None`` means version 0, unshared); ``_base`` the tensor this one is
a view of; ``_accum`` a leaf's cached ``AccumulateGrad``; ``_extra`` a dict for rare state (hooks,
``retain_grad``, names) so the common path pays nothing for it.
"""
from __future__ import annotations

from collections import OrderedDict

import numpy as np

from . import _dtype as _dt
from .autograd import function as _function
from .device import CPU, as_device
from ._torch_names import TorchNamed

__all__ = ["Tensor", "Size"]

_ndarray = np.ndarray
_NP2DT = {d.np: d for d in _dt._ALL if d.np is not None}


class Size(tuple, metaclass=TorchNamed):
    """The shape of a tensor: a tuple of ints, printed as ``torch.Size([2, 3])``."""

    __slots__ = ()
    _torch_class_name = "torch.Size"

    def __repr__(self):
        return f"torch.Size([{', '.join(str(s) for s in self)}])"

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, item):
        out = tuple.__getitem__(self, item)
        return Size(out) if isinstance(item, slice) else out

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))

    def __reduce__(self):
        return (Size, (tuple(self),))


class Tensor(metaclass=TorchNamed):
    """A multi-dimensional array with autograd, as ``torch.Tensor``.

    Build tensors with ``ember.tensor``, ``ember.zeros`` and friends; the legacy constructor
    ``Tensor(2, 3)`` (uninitialised float) and ``Tensor([1, 2])`` (copy, default float) works as in torch.
    """

    _torch_class_name = "torch.Tensor"

    __slots__ = ("_data", "requires_grad", "_grad", "_grad_fn", "_output_nr", "_vc", "_base", "_accum", "_extra",
                 "__weakref__", "__dict__")

    def __new__(cls, *args, **kwargs):
        self = object.__new__(cls)
        if cls is Tensor or args or kwargs:
            _init_legacy(self, args, kwargs)
        return self

    def __init__(self, *args, **kwargs):
        pass

    # ---- basic properties ---------------------------------------------------------------------------
    @property
    def grad(self):
        g = self._grad
        if g is None and self._grad_fn is not None and not self.retains_grad:
            import warnings
            warnings.warn("The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
                          "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
                          "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. "
                          "If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor "
                          "instead. See github.com/pytorch/pytorch/pull/30531 for more information. (Triggered "
                          "internally at /pytorch/build/aten/src/ATen/core/TensorBody.h:493.)", UserWarning,
                          stacklevel=2)
        return g

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type "
                                f"{type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError(f"attempting to assign a gradient of size '{list(value._data.shape)}' to a "
                                   f"tensor of size '{list(self._data.shape)}'. Please ensure that the gradient "
                                   "and the tensor are the same size")
            if value._data.dtype != self._data.dtype:
                from .ops.inplace import _tname
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{_C_TYPE.get(value.dtype.name, value.dtype.name)}' "
                    f"to a tensor with grad_dtype '{_tname(self._data.dtype)}'. The gradient must match the "
                    "tensor's grad_dtype (defaults to the tensor's dtype). You can set the tensor's grad_dtype "
                    "attribute with a specific dtype, or None to allow any dtype. Set grad_dtype with caution. "
                    "Diverging the dtypes of a tensor and its gradient may break downstream systems that assume "
                    "they match.")
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    @property
    def volatile(self):
        import warnings
        warnings.warn("volatile was removed (Variable.volatile is always False)", UserWarning, stacklevel=2)
        return False

    @property
    def data(self):
        """The same values, detached from the graph: shares memory but, unlike ``detach()``, not the version
        counter (as torch's ``.data``: edits through it are invisible to autograd's in-place checks)."""
        return _wrap(self._data)

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, got {type(value).__name__}")
        self._data = value._data

    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        shape = self._data.shape
        if dim is None:
            return Size(shape)
        return shape[_wrap_dim(dim, len(shape))]

    @property
    def dtype(self):
        return _NP2DT[self._data.dtype]

    @property
    def device(self):
        d = self._data
        if type(d) is _ndarray:
            return CPU
        from .backend import backend_of
        return backend_of(d).device_of(d)

    @property
    def is_cuda(self):
        return self.device.type == "cuda"

    @property
    def is_cpu(self):
        return self.device.type == "cpu"

    @property
    def is_leaf(self):
        return self._grad_fn is None

    @property
    def grad_fn(self):
        return self._grad_fn

    @property
    def output_nr(self):
        return self._output_nr

    @property
    def ndim(self):
        return self._data.ndim

    def dim(self):
        return self._data.ndim

    ndimension = dim

    def numel(self):
        return self._data.size

    nelement = numel

    def element_size(self):
        return self._data.dtype.itemsize

    @property
    def itemsize(self):
        return self._data.dtype.itemsize

    @property
    def nbytes(self):
        return self._data.nbytes

    @property
    def is_floating_point_(self):
        return self._data.dtype.kind in "fV"

    def is_floating_point(self):
        return self.dtype.is_floating_point

    def is_complex(self):
        return self._data.dtype.kind == "c"

    @property
    def is_sparse(self):
        return False

    @property
    def layout(self):
        return "torch.strided"

    @property
    def _version(self):
        vc = self._vc
        return 0 if vc is None else vc[0]

    def _bump_version(self):
        vc = self._vc
        if vc is None:
            self._vc = [1]
        else:
            vc[0] += 1

    @property
    def _is_view_(self):
        return self._base is not None

    def _is_view(self):
        return self._base is not None

    def is_inference(self):
        return bool(self._extra and self._extra.get("inference"))

    @property
    def retains_grad(self):
        return bool(self._extra and self._extra.get("retains_grad"))

    @property
    def name(self):
        return (self._extra or {}).get("name")

    # ---- memory layout ------------------------------------------------------------------------------
    def stride(self, dim=None):
        d = self._data
        item = d.dtype.itemsize
        strides = tuple(s // item for s in d.strides)
        if dim is None:
            return strides
        return strides[_wrap_dim(dim, d.ndim)]

    def storage_offset(self):
        d = self._data
        base = d
        owner = d.base
        while owner is not None:   # through as_strided's wrapper objects too, to the array owning the memory
            if isinstance(owner, type(d)):
                base = owner
            owner = getattr(owner, "base", None)
        if base is d:
            return 0
        return (_address(d) - _address(base)) // d.dtype.itemsize

    def data_ptr(self):
        return _address(self._data)

    def is_contiguous(self, memory_format=None):
        d = self._data
        if d.flags.c_contiguous:
            return True
        # torch ignores strides of size-1 dims
        expected = d.dtype.itemsize
        for size, st in zip(reversed(d.shape), reversed(d.strides)):
            if size != 1 and st != expected:
                return False
            expected *= size
        return True

    def untyped_storage(self):
        from ._storage import UntypedStorage
        return UntypedStorage._of(self)

    def storage(self):
        from ._storage import TypedStorage
        return TypedStorage._of(self)

    # ---- conversion ---------------------------------------------------------------------------------
    def item(self):
        d = self._data
        if d.size != 1:
            raise RuntimeError(f"a Tensor with {d.size} elements cannot be converted to Scalar")
        v = d.reshape(()).item() if type(d) is _ndarray else d.item()
        if d.dtype.kind == "V":  # bfloat16: ml_dtypes scalar -> Python float
            v = float(d.astype(np.float32).reshape(()))
        return v

    def tolist(self):
        d = self._host()
        if d.dtype.kind == "V":
            d = d.astype(np.float32)
        return d.tolist()

    def numpy(self, *, force=False):
        if self.requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                               "instead.")
        d = self._data
        if type(d) is not _ndarray:
            if not force:
                raise TypeError(f"can't convert {self.device} device type tensor to numpy. Use Tensor.cpu() to "
                                "copy the tensor to host memory first.")
            return self._host()
        return d

    def _host(self):
        d = self._data
        if type(d) is _ndarray:
            return d
        from .backend import backend_of
        return backend_of(d).to_host(d)

    def __array__(self, dtype=None, copy=None):
        if self.requires_grad:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                               "instead.")
        d = self._host()
        return d if dtype is None else d.astype(dtype, copy=False)

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __bool__(self):
        d = self._data
        if d.size != 1:
            if d.size == 0:
                raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(d.reshape(()))

    def __index__(self):
        d = self._data
        if d.size != 1 or d.dtype.kind not in "iub":
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(d.reshape(()))

    def _one(self):
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self.item()

    def __int__(self):
        return int(self._one())

    def __float__(self):
        if self.requires_grad and not _FLOAT_WARNED:       # torch warns once per process (TORCH_WARN_ONCE)
            _float_warned()
            import warnings
            warnings.warn("Converting a tensor with requires_grad=True to a scalar may lead to unexpected behavior.\n"
                          "Consider using tensor.detach() first. (Triggered internally at "
                          "/pytorch/torch/csrc/autograd/generated/python_variable_methods.cpp:822.)", UserWarning,
                          stacklevel=2)
        return float(self._one())

    def __complex__(self):
        return complex(self._one())

    def __hash__(self):
        return id(self)

    def __reduce_ex__(self, protocol):
        # plain pickling (copy.deepcopy, multiprocessing): rebuild from the array and autograd flags
        return (_rebuild, (type(self), self._host(), self.requires_grad, self.device.type,
                           getattr(self, "__dict__", None)))

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        if not self.is_leaf:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
                               "protocol at the moment.  If you were attempting to deepcopy a module, this may "
                               "be because of a torch.nn.utils.weight_norm usage, see "
                               "https://github.com/pytorch/pytorch/pull/103001")
        new = _wrap(self._data.copy())
        if type(self) is not Tensor:
            new = _as_subclass(new, type(self))
        new.requires_grad = self.requires_grad
        memo[id(self)] = new
        if self.grad is not None:
            import copy
            new.grad = copy.deepcopy(self.grad, memo)
        d = getattr(self, "__dict__", None)
        if d:
            import copy
            new.__dict__.update(copy.deepcopy(d, memo))
        return new

    # ---- autograd -----------------------------------------------------------------------------------
    def detach(self):
        return _detach(self)

    def detach_(self):
        if self._base is not None and self._base.requires_grad:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self._grad_fn = None
        self.requires_grad = False
        return self

    def requires_grad_(self, requires_grad=True):
        if not requires_grad and self._grad_fn is not None:
            raise RuntimeError("you can only change requires_grad flags of leaf variables. If you want to use a "
                               "computed variable in a subgraph that doesn't require differentiation use "
                               "var_no_grad = var.detach().")
        _set_requires_grad(self, requires_grad)
        return self

    def retain_grad(self):
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self._grad_fn is None or self.retains_grad:
            return
        import weakref
        ref = weakref.ref(self)

        def _retain(grad):
            t = ref()
            if t is not None:
                if t.grad is None:
                    t.grad = grad.detach().clone() if not grad.requires_grad else grad.clone()
                else:
                    t.grad = t.grad + grad
        _add_node_pre_hook(self, _retain, retain=True)
        self._extra_dict()["retains_grad"] = True

    def register_hook(self, hook):
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        from .utils.hooks import RemovableHandle
        if self._grad_fn is None:
            hooks = self._extra_dict().setdefault("hooks", OrderedDict())
            handle = RemovableHandle(hooks)
            hooks[handle.id] = hook
            return handle
        return _add_node_pre_hook(self, hook)

    def register_post_accumulate_grad_hook(self, hook):
        if self._grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        from .utils.hooks import RemovableHandle
        hooks = self._extra_dict().setdefault("post_accumulate_hooks", OrderedDict())
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        return handle

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        from .autograd import backward as _backward
        _backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def _extra_dict(self):
        e = self._extra
        if e is None:
            e = self._extra = {}
        return e

    # ---- device and dtype ---------------------------------------------------------------------------
    def type(self, dtype=None, non_blocking=False, **kwargs):
        if dtype is None:
            name = _TYPE_NAMES.get(self.dtype, "Tensor")
            return f"torch.cuda.{name}" if self.device.type == "cuda" else f"torch.{name}"
        if isinstance(dtype, str):
            rev = {v: k for k, v in _TYPE_NAMES.items()}
            key = dtype.split(".")[-1]
            if key not in rev:
                raise ValueError(f"invalid type: '{dtype}'")
            return self.to(rev[key])
        legacy = getattr(dtype, "_legacy_dtype", None)
        return self.to(legacy if legacy is not None else dtype)

    def to(self, *args, **kwargs):
        from .ops._convert import to
        return to(self, *args, **kwargs)

    def cpu(self, memory_format=None):
        return self.to("cpu")

    def cuda(self, device=None, non_blocking=False, memory_format=None):
        return self.to(as_device("cuda" if device is None else (device if not isinstance(device, int)
                                                                   else f"cuda:{device}")))

    def float(self, memory_format=None):
        return self.to(_dt.float32)

    def double(self, memory_format=None):
        return self.to(_dt.float64)

    def half(self, memory_format=None):
        return self.to(_dt.float16)

    def bfloat16(self, memory_format=None):
        return self.to(_dt.bfloat16)

    def long(self, memory_format=None):
        return self.to(_dt.int64)

    def int(self, memory_format=None):
        return self.to(_dt.int32)

    def short(self, memory_format=None):
        return self.to(_dt.int16)

    def char(self, memory_format=None):
        return self.to(_dt.int8)

    def byte(self, memory_format=None):
        return self.to(_dt.uint8)

    def bool(self, memory_format=None):
        return self.to(_dt.bool)

    def cfloat(self):
        return self.to(_dt.complex64)

    def cdouble(self):
        return self.to(_dt.complex128)

    def pin_memory(self, device=None):
        return self

    def is_pinned(self, device=None):
        return False

    def share_memory_(self):
        return self

    def is_shared(self):
        return False

    # ---- printing -----------------------------------------------------------------------------------
    def __repr__(self, *, tensor_contents=None):
        from ._tensor_str import tensor_repr
        return tensor_repr(self)

    def __str__(self):
        return self.__repr__()

    def __format__(self, spec):
        if self._data.ndim == 0 and not self.requires_grad:
            return self.item().__format__(spec)
        return object.__format__(self, spec)


_TYPE_NAMES = {_dt.float32: "FloatTensor", _dt.float64: "DoubleTensor", _dt.float16: "HalfTensor",
               _dt.bfloat16: "BFloat16Tensor", _dt.int64: "LongTensor", _dt.int32: "IntTensor",
               _dt.int16: "ShortTensor", _dt.int8: "CharTensor", _dt.uint8: "ByteTensor", _dt.bool: "BoolTensor",
               _dt.complex64: "ComplexFloatTensor", _dt.complex128: "ComplexDoubleTensor"}


# ----------------------------------------------------------------------------------------------------------
# construction helpers (the hot path: every op output goes through _wrap)
# ----------------------------------------------------------------------------------------------------------

# C type names in torch's messages
_C_TYPE = {"float32": "float", "float64": "double", "float16": "c10::Half", "bfloat16": "c10::BFloat16",
           "int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
           "bool": "bool"}


_FLOAT_WARNED = False


def _float_warned():
    global _FLOAT_WARNED
    _FLOAT_WARNED = True


def _wrap(arr, requires_grad=False):
    """A leaf Tensor around ``arr`` (no copy)."""
    if type(arr) is not _ndarray and isinstance(arr, np.generic):
        arr = np.asarray(arr)   # NumPy reductions return scalars; a tensor always holds an array
    t = object.__new__(Tensor)
    t._data = arr
    t.requires_grad = requires_grad
    t._grad = None
    t._grad_fn = None
    t._output_nr = 0
    t._vc = None
    t._base = None
    t._accum = None
    t._extra = None
    return t


def _init_fields(t, arr, requires_grad=False):
    t._data = arr
    t.requires_grad = requires_grad
    t._grad = None
    t._grad_fn = None
    t._output_nr = 0
    t._vc = None
    t._base = None
    t._accum = None
    t._extra = None


def _as_subclass(t, cls):
    new = object.__new__(cls)
    _init_fields(new, t._data, t.requires_grad)
    new._vc = t._vc
    new._base = t._base
    return new


def _is_param(t):
    from .nn.parameter import Parameter
    return isinstance(t, Parameter)


def _detach(t):
    out = _wrap(t._data)
    vc = t._vc
    if vc is None:
        vc = t._vc = [0]
    out._vc = vc           # detach() shares memory and the version counter
    return out


def _set_requires_grad(t, flag, factory=False):
    if flag and t._data.dtype.kind not in "fcV":
        if factory:   # torch words the factory-function error differently from requires_grad_()
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        raise RuntimeError("only Tensors of floating point dtype can require gradients")
    if flag and _inference_tensor(t):
        raise RuntimeError("Setting requires_grad=True on inference tensor outside InferenceMode is not allowed.")
    t.requires_grad = bool(flag)


def _inference_tensor(t):
    return bool(t._extra and t._extra.get("inference"))


def _add_node_pre_hook(t, hook, retain=False):
    from .utils.hooks import RemovableHandle
    node = t._grad_fn
    node._plain = False
    if node._pre_hooks is None:
        node._pre_hooks = {}
    hooks = node._pre_hooks.setdefault(t._output_nr, OrderedDict())
    handle = RemovableHandle(hooks)
    if retain:
        # retain_grad's hook always runs last, after user hooks (as in torch)
        hooks[float("inf")] = hook
        return handle
    items = [(k, v) for k, v in hooks.items() if k != float("inf")]
    tail = [(k, v) for k, v in hooks.items() if k == float("inf")]
    hooks.clear()
    hooks.update(items)
    hooks[handle.id] = hook
    hooks.update(tail)
    return handle


def _address(arr):
    return arr.__array_interface__["data"][0] if type(arr) is _ndarray else arr.data.ptr


def _wrap_dim(dim, ndim):
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return dim + n if dim < 0 else dim


def _rebuild(cls, arr, requires_grad, device_type, state):
    t = _wrap(np.array(arr))
    if device_type != "cpu":
        t = t.to(device_type)
    if cls is not Tensor:
        t = _as_subclass(t, cls)
    t.requires_grad = requires_grad
    if state:
        t.__dict__.update(state)
    return t


def _init_legacy(self, args, kwargs):
    """``torch.Tensor(*sizes)`` / ``torch.Tensor(data)`` / ``torch.Tensor()``: default-dtype tensors."""
    device = kwargs.pop("device", None)
    if kwargs:
        raise TypeError(f"Tensor(): unexpected keyword arguments {sorted(kwargs)}")
    dt = _dt.get_default_dtype().np
    if not args:
        arr = np.empty((0,), dt)
    elif all(isinstance(a, int) and not isinstance(a, bool) for a in args):
        arr = np.empty(args, dt)
    elif len(args) == 1 and isinstance(args[0], (tuple, Size)) and type(args[0]) is Size:
        arr = np.empty(tuple(args[0]), dt)
    elif len(args) == 1:
        src = args[0]
        if isinstance(src, Tensor):
            arr = src._data
        else:
            arr = np.array(src, dtype=dt)
    else:
        raise TypeError(f"Tensor(): could not interpret arguments {args!r}")
    _init_fields(self, arr)
    if device is not None and as_device(device).type != "cpu":
        moved = self.to(device)
        self._data = moved._data


_function.Tensor = Tensor
_function._wrap = _wrap
