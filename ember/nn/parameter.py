"""``Parameter`` (a Tensor that a Module registers) and the ``Buffer`` marker."""
from __future__ import annotations

from ..tensor import Tensor, _init_fields, _set_requires_grad, _wrap

__all__ = ["Parameter", "Buffer", "UninitializedParameter", "UninitializedBuffer", "is_lazy"]


class Parameter(Tensor):
    """A Tensor that is a module parameter: assigning it to a Module attribute registers it.

    ``requires_grad`` defaults to True.  It shares memory with the tensor it is made from.
    """

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            from .._creation import empty
            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter(): expected a Tensor for 'data', got {type(data).__name__}")
        self = object.__new__(cls)
        _init_fields(self, data._data)
        vc = data._vc
        if vc is None:
            vc = data._vc = [0]
        self._vc = vc
        if requires_grad:
            _set_requires_grad(self, True, factory=True)
        return self

    def __init__(self, data=None, requires_grad=True):
        pass

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol):
        from ..tensor import _rebuild
        return (_rebuild, (Parameter, self._host(), self.requires_grad, self.device.type,
                           dict(self.__dict__) or None))

    def __deepcopy__(self, memo):
        # as torch: a new Parameter of the cloned values and the same requires_grad; .grad is not copied
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(_wrap(self._data.copy()), self.requires_grad)
        memo[id(self)] = result
        return result


class _BufferMeta(type):
    """``isinstance(t, nn.Buffer)`` is true for the tensors ``nn.Buffer(...)`` makes, as in torch."""

    def __instancecheck__(cls, instance):
        if isinstance(instance, _BufferTensor):
            return True
        extra = getattr(instance, "_extra", None) if isinstance(instance, Tensor) else None
        return bool(extra and extra.get("is_buffer"))


class Buffer(metaclass=_BufferMeta):
    """Marks a tensor to be registered as a buffer when assigned to a Module attribute.

    ``nn.Buffer(t)`` is ``t`` detached (same memory, same ``requires_grad``) carrying ``persistent``;
    assigning it to a Module attribute stores a plain Tensor in ``_buffers``.
    """

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            from .._creation import empty
            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Buffer(): expected a Tensor, got {type(data).__name__}")
        t = _BufferTensor.__new__(_BufferTensor)
        _init_fields(t, data._data, data.requires_grad)
        vc = data._vc
        if vc is None:
            vc = data._vc = [0]
        t._vc = vc
        t.persistent = persistent
        return t


class _BufferTensor(Tensor):
    """The object ``nn.Buffer(...)`` returns; Module registration unwraps it to a plain Tensor."""

    _torch_class_name = "torch.Tensor"      # torch's nn.Buffer(...) is a plain Tensor

    def __new__(cls, *args, **kwargs):
        return object.__new__(cls)

    def __init__(self, *args, **kwargs):
        pass


def _is_buffer_marker(value):
    return isinstance(value, _BufferTensor)


_UNINIT_SHAPE = ("Can't access the shape of an uninitialized parameter or buffer. This error usually happens in "
                 "`load_state_dict` when trying to load an uninitialized parameter into an initialized one. Call "
                 "`forward` to initialize the parameters before accessing their attributes.")


def _uninit_use(name):
    return ValueError(f"Attempted to use an uninitialized parameter in <method '{name}' of 'torch._C.TensorBase' "
                      "objects>. This error happens when you are using a `LazyModule` or explicitly manipulating "
                      "`torch.nn.parameter.UninitializedParameter` objects. When using LazyModules Call `forward` "
                      "with a dummy batch to initialize the parameters before calling torch functions")


class UninitializedParameter(Parameter):
    """A parameter whose shape is decided at the first forward (``LazyLinear``)."""

    def numel(self):
        raise _uninit_use("numel")

    def dim(self):
        raise _uninit_use("dim")

    @property
    def shape(self):
        raise RuntimeError(_UNINIT_SHAPE)

    def __new__(cls, requires_grad=True, device=None, dtype=None):
        from .._creation import empty
        self = Parameter.__new__(cls, empty(0, dtype=dtype), requires_grad)
        return self

    def __init__(self, requires_grad=True, device=None, dtype=None):
        pass

    def materialize(self, shape, device=None, dtype=None):
        import numpy as np
        from .. import _dtype as _dt
        npd = (_dt.as_dtype(dtype) if dtype is not None else self.dtype).np
        self._data = np.empty(tuple(shape), npd)
        self.__class__ = Parameter

    def __repr__(self):
        return "<UninitializedParameter>"

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.requires_grad, None, self.dtype)
        memo[id(self)] = result
        return result


class UninitializedBuffer(Tensor):

    def numel(self):
        raise _uninit_use("numel")

    def dim(self):
        raise _uninit_use("dim")
    @property
    def shape(self):
        raise RuntimeError(_UNINIT_SHAPE)

    def __new__(cls, requires_grad=False, device=None, dtype=None, persistent=True):
        import numpy as np
        from .. import _dtype as _dt
        self = object.__new__(cls)
        npd = _dt.as_dtype(dtype).np if dtype is not None else _dt.get_default_dtype().np
        _init_fields(self, np.empty(0, npd), requires_grad)
        return self

    def __repr__(self):
        return "<UninitializedBuffer>"

    def __init__(self, *args, **kwargs):
        pass

    def materialize(self, shape, device=None, dtype=None):
        import numpy as np
        from .. import _dtype as _dt
        npd = (_dt.as_dtype(dtype) if dtype is not None else self.dtype).np
        self._data = np.empty(tuple(shape), npd)
        self.__class__ = Tensor


def is_lazy(param):
    return isinstance(param, (UninitializedParameter, UninitializedBuffer))
