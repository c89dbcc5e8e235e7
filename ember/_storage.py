"""``Tensor.untyped_storage()`` and the deprecated ``Tensor.storage()``: read-only views of the memory a tensor
lives in, for the code that inspects it (checkpoint sizes, "do these two tensors share memory", ``data_ptr``).

A tensor's storage is the whole NumPy buffer its array is a view of (the root of the ``.base`` chain), so a
slice reports its parent's size and start, as torch's do.
"""
from __future__ import annotations

import warnings

import numpy as np

__all__ = ["UntypedStorage", "TypedStorage"]

_LEGACY_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
                 "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
                 "bool": "Bool", "complex64": "ComplexFloat", "complex128": "ComplexDouble"}


def _root(arr):
    """The array owning ``arr``'s memory, through as_strided's wrapper objects too (as ``storage_offset``)."""
    root, owner = arr, getattr(arr, "base", None)
    while owner is not None:
        if isinstance(owner, type(arr)):
            root = owner
        owner = getattr(owner, "base", None)
    return root


def _address(arr):
    return arr.__array_interface__["data"][0] if type(arr) is np.ndarray else int(arr.data.ptr)


class UntypedStorage:
    """The bytes under a tensor."""

    __module__ = "torch.storage"

    def __init__(self, root, device):
        self._root = root
        self._device = device

    @classmethod
    def _of(cls, tensor):
        return cls(_root(tensor._data), tensor.device)

    def _bytes(self):
        r = self._root
        host = r if type(r) is np.ndarray else r.get()
        return np.ascontiguousarray(host).reshape(-1).view(np.uint8)

    def nbytes(self):
        return int(self._root.nbytes)

    size = nbytes

    def __len__(self):
        return self.nbytes()

    def element_size(self):
        return 1

    def data_ptr(self):
        return _address(self._root)

    @property
    def device(self):
        return self._device

    @property
    def is_cuda(self):
        return self._device.type == "cuda"

    def is_shared(self):
        return False

    def is_pinned(self, device="cuda"):
        return False

    def type(self):
        return "torch.storage.UntypedStorage"

    def tolist(self):
        return self._bytes().tolist()

    def __getitem__(self, i):
        return self._bytes()[i].tolist()

    def __iter__(self):
        return iter(self.tolist())

    def __repr__(self):
        body = "\n".join(f" {v}" for v in self.tolist())
        return f"{body}\n[torch.storage.UntypedStorage(device={self._device.type}) of size {self.nbytes()}]"

    __str__ = __repr__


class TypedStorage:
    """The elements under a tensor, in the tensor's dtype (deprecated in torch, which warns once)."""

    __module__ = "torch.storage"

    def __init__(self, untyped, dtype):
        self._untyped_storage = untyped
        self.dtype = dtype

    @classmethod
    def _of(cls, tensor):
        _warn_once()
        return cls(UntypedStorage._of(tensor), tensor.dtype)

    def _values(self):
        d = self._untyped_storage._bytes().view(self.dtype.np)
        return d.astype(np.float32) if d.dtype.kind == "V" else d          # bfloat16 reads as floats

    def untyped(self):
        return self._untyped_storage

    def size(self):
        return self._untyped_storage.nbytes() // self.element_size()

    def __len__(self):
        return self.size()

    def nbytes(self):
        return self._untyped_storage.nbytes()

    def element_size(self):
        return self.dtype.itemsize

    def data_ptr(self):
        return self._untyped_storage.data_ptr()

    @property
    def device(self):
        return self._untyped_storage.device

    @property
    def is_cuda(self):
        return self._untyped_storage.is_cuda

    def is_shared(self):
        return False

    def is_pinned(self, device="cuda"):
        return False

    def type(self):
        return f"torch.{_LEGACY_NAMES.get(self.dtype.name, self.dtype.name)}Storage"

    def tolist(self):
        return self._values().tolist()

    def __getitem__(self, i):
        return self._values()[i].tolist()

    def __iter__(self):
        return iter(self.tolist())

    def __repr__(self):
        body = "\n".join(f" {v}" for v in self.tolist())
        return (f"{body}\n[torch.storage.TypedStorage(dtype={self.dtype}, device={self.device.type}) "
                f"of size {self.size()}]")

    __str__ = __repr__


_warned = [False]


def _warn_once():
    if not _warned[0]:
        _warned[0] = True
        warnings.warn("TypedStorage is deprecated. It will be removed in the future and UntypedStorage will be the "
                      "only storage class. This should only matter to you if you are using storages directly.  "
                      "To access UntypedStorage directly, use tensor.untyped_storage() instead of tensor.storage()",
                      UserWarning, stacklevel=3)
