"""One load: storages, the tensor rebuild stand-ins, ``map_location``, and the final check of the result.

Every stand-in validates its arguments the way CHECKPOINT-FORMAT.md 4.3 lists: exact ``int`` offsets, sizes
and strides, all non-negative, every element inside its storage, empty hooks, metadata limited to the
conj/neg bits.  Views are built with ``np.ndarray(buffer=storage, ...)`` (never ``as_strided``): NumPy
re-checks the bounds, and ``.base`` keeps pointing at the storage, so storage sharing survives a save.
"""
from __future__ import annotations

import collections
import warnings

import numpy as np

from ._errors import CorruptCheckpointError, UnsafeCheckpointError, UnsupportedCheckpointError, UserCodeError, where
from ._allowlist import StorageType, build_table, resolve, user_snapshot
from ._unpickler import MAX_DEPTH, SafeCallable, Unpickler, describe

__all__ = ["LoadContext", "Storage", "DRY"]

_MAX_NDIM = 64


class Storage:
    """A storage read from the file: ``array`` is 1-D (``dtype`` elements, or bytes when untyped)."""

    __slots__ = ("key", "dtype", "numel", "array", "location", "target", "_typed")

    def __init__(self, key, dtype, numel, array, location, target):
        self.key, self.dtype, self.numel, self.array = key, dtype, numel, array
        self.location, self.target = location, target
        self._typed = {}

    def typed(self, dtype):
        """This untyped (byte) storage seen as ``dtype`` elements; one cached view per dtype."""
        if self.dtype is not None:
            return self.array
        hit = self._typed.get(dtype)
        if hit is None:
            if self.array is None:   # dry pass
                return None
            if self.array.nbytes % dtype.itemsize:
                raise ValueError(f"{self.array.nbytes} bytes is not a whole number of {dtype} elements")
            hit = self._typed[dtype] = self.array.view(dtype)
        return hit


class _Dry:
    """What rebuilders return in the dry (first) pass over a legacy file, before storages are read."""

    __slots__ = ()

    def __repr__(self):
        return "<tensor (dry pass)>"


DRY = _Dry()


class LoadContext:
    """State shared by the stand-ins of one load.  ``storage_loader(pid_fields) -> Storage``."""

    def __init__(self, file_name, map_location, storage_loader, *, dry=False, encoding="utf-8"):
        from ..device import device as _device_cls
        from ..tensor import Tensor, Size, _wrap
        try:
            from ..nn.parameter import Parameter
        except ImportError:  # pragma: no cover - nn not built yet
            Parameter = None
        self.file_name = file_name
        self.record = None
        self.Tensor, self.Size, self._wrap, self.Parameter = Tensor, Size, _wrap, Parameter
        self._device_cls = _device_cls
        self.map_location = map_location
        self.storage_loader = storage_loader
        self.dry = dry
        self.encoding = encoding
        self.table = build_table(self)
        self.user = user_snapshot()
        self.rebuilders = {id(self.table[("torch._utils", n)]) for n in
                           ("_rebuild_tensor", "_rebuild_tensor_v2", "_rebuild_tensor_v3", "_rebuild_parameter",
                            "_rebuild_parameter_with_state")}

    # ---- errors ---------------------------------------------------------------------------------------------
    def corrupt(self, msg):
        return CorruptCheckpointError(f"{where(self.file_name, self.record)}: {msg}")

    def unsafe(self, msg):
        return UnsafeCheckpointError(f"{where(self.file_name, self.record)}: {msg}")

    # ---- running a pickle -----------------------------------------------------------------------------------
    def unpickle(self, data, record, pos=0, persistent=True):
        """Run the pickle at ``data[pos:]`` (record name for errors); returns ``(object, end position)``."""
        self.record = record
        user = self.user
        user_types = tuple(o for o in user.values() if isinstance(o, type))
        vm = Unpickler(data, resolve=lambda m, n, vm: resolve(self.table, user, m, n, vm),
                       persistent_load=self.persistent_load if persistent else self._no_persistent,
                       file_name=self.file_name, record=record, user_callables={id(o) for o in user.values()},
                       user_types=user_types, encoding=self.encoding, pos=pos)
        obj = vm.load()
        return obj, vm.pos

    def _no_persistent(self, pid, vm):
        raise self.corrupt(f"persistent id {describe(pid)} where none is allowed")

    def persistent_load(self, pid, vm):
        """BINPERSID: ``('storage', storage type, key, location, numel[, view_metadata])``."""
        if type(pid) is not tuple or len(pid) not in (5, 6):
            raise self.corrupt(f"persistent id {describe(pid)} is not a 5-tuple ('storage', type, key, location, "
                               "numel)")
        kind, stype, key, location, numel = pid[:5]
        if kind not in ("storage", b"storage"):
            raise self.unsafe(f"persistent id of kind {describe(kind)} (only 'storage' is allowed)")
        if type(stype) is not StorageType:
            raise self.corrupt(f"persistent id names {describe(stype)} as its storage type")
        if type(key) is bytes:   # Python-2 era files loaded with encoding="bytes"
            key = key.decode("ascii", "replace")
        if type(key) is not str or not key or "/" in key or "\\" in key or ".." in key or "\x00" in key:
            raise self.unsafe(f"storage key {describe(key)} is not a plain name")
        if type(location) is bytes:
            location = location.decode("ascii", "replace")
        if type(location) is not str:
            raise self.corrupt(f"storage location {describe(location)} is not a str")
        if type(numel) is not int or numel < 0:
            raise self.corrupt(f"storage size {describe(numel)} is not a non-negative int")
        if len(pid) == 6 and pid[5] is not None:
            raise UnsupportedCheckpointError(f"{where(self.file_name, self.record)}: storage views (files from "
                                             "torch < 0.4) are not supported")
        return self.storage_loader(key, stype, location, numel)

    # ---- map_location ---------------------------------------------------------------------------------------
    def target_device(self, location, storage_array):
        """Where a storage saved at ``location`` goes: None for CPU, else a device."""
        ml = self.map_location
        if ml is None:
            return None   # ember restores everything to the CPU (CHECKPOINT-FORMAT.md 2)
        if isinstance(ml, dict):
            dest = ml.get(location)
            return self._device(dest) if dest is not None else None
        if isinstance(ml, (str, self._device_cls)):
            return self._device(ml)
        if callable(ml):
            try:
                out = ml(self._wrap(storage_array) if storage_array is not None else None, location)
            except Exception as exc:  # noqa: BLE001 - the caller's error, handed back unchanged by load()
                raise UserCodeError(exc) from exc
            if out is None or not isinstance(out, self.Tensor):
                return None
            return self._device(out.device)
        # torch calls anything else as a function
        raise UserCodeError(TypeError(f"'{type(ml).__name__}' object is not callable"))

    def _device(self, d):
        dev = self._device_cls(d) if not isinstance(d, self._device_cls) else d
        if dev.type == "cuda":
            from .. import cuda
            if not cuda.is_available():
                raise UserCodeError(RuntimeError(
                    "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is False. If "
                    "you are running on a CPU-only machine, please use torch.load with "
                    "map_location=torch.device('cpu') to map your storages to the CPU."))
        return None if dev.type == "cpu" else dev

    # ---- tensors --------------------------------------------------------------------------------------------
    def _view(self, storage, dtype, offset, size, stride):
        if type(storage) is not Storage:
            raise self.corrupt(f"tensor storage is {describe(storage)}, not a storage from the file")
        if type(offset) is not int or offset < 0:
            raise self.corrupt(f"storage offset {describe(offset)} is not a non-negative int")
        if type(size) not in (tuple, self.Size) or type(stride) not in (tuple, self.Size):
            raise self.corrupt(f"size {describe(size)} and stride {describe(stride)} must be tuples")
        if len(size) != len(stride) or len(size) > _MAX_NDIM:
            raise self.corrupt(f"size {describe(size)} and stride {describe(stride)} must have equal lengths "
                               f"of at most {_MAX_NDIM}")
        if not all(type(n) is int and n >= 0 for n in size) or not all(type(s) is int and s >= 0 for s in stride):
            raise self.corrupt(f"size {describe(size)} / stride {describe(stride)} must be non-negative ints")
        array = storage.typed(dtype)
        numel = storage.numel if storage.dtype is not None else storage.numel // dtype.itemsize
        if 0 in size:
            if offset > numel:
                raise self.corrupt(f"empty tensor's offset {offset} lies past its storage of {numel} elements")
        else:
            last = offset + sum((n - 1) * s for n, s in zip(size, stride))
            if last >= numel:
                raise self.corrupt(f"view (offset {offset}, size {size}, stride {stride}) reads element {last} "
                                   f"of storage {storage.key!r}, which has {numel} elements")
        if array is None:
            return None
        item = dtype.itemsize
        return np.ndarray(size, dtype, buffer=array, offset=offset * item, strides=tuple(s * item for s in stride))

    def _tensor(self, storage, dtype, offset, size, stride, requires_grad, hooks, metadata):
        if type(requires_grad) is not bool:
            raise self.corrupt(f"requires_grad {describe(requires_grad)} is not a bool")
        if hooks is not None and (type(hooks) not in (collections.OrderedDict, dict) or hooks):
            raise self.unsafe(f"backward hooks {describe(hooks)} (only an empty OrderedDict)")
        if metadata is not None and (type(metadata) is not dict or
                                     not set(metadata) <= {"conj", "neg"} or
                                     not all(type(v) is bool for v in metadata.values())):
            raise UnsupportedCheckpointError(f"{where(self.file_name, self.record)}: tensor metadata "
                                             f"{describe(metadata)} (only the conj/neg bits are supported)")
        arr = self._view(storage, dtype, offset, size, stride)
        if requires_grad and dtype.kind not in "fcV":
            raise self.corrupt(f"a {dtype} tensor cannot require grad")
        if arr is None:
            return DRY
        if metadata:
            # the stored values are the un-conjugated / un-negated ones; ember has no lazy bits, so apply them
            if metadata.get("conj"):
                arr = np.conj(arr)
            if metadata.get("neg"):
                arr = np.negative(arr)
        t = self._wrap(arr)
        if storage.target is not None:
            t = t.to(storage.target)
        t.requires_grad = requires_grad
        return t

    def rebuild_tensor(self, storage, offset, size, stride):
        dtype = self._storage_dtype(storage)
        return self._tensor(storage, dtype, offset, size, stride, False, None, None)

    def rebuild_tensor_v2(self, storage, offset, size, stride, requires_grad, hooks, metadata=None):
        dtype = self._storage_dtype(storage)
        return self._tensor(storage, dtype, offset, size, stride, requires_grad, hooks, metadata)

    def rebuild_tensor_v3(self, storage, offset, size, stride, requires_grad, hooks, dtype, metadata=None):
        from .._dtype import dtype as ember_dtype
        if type(dtype) is not ember_dtype:
            raise self.corrupt(f"_rebuild_tensor_v3 dtype {describe(dtype)} is not a torch dtype")
        if type(storage) is Storage and storage.dtype is not None and storage.dtype != dtype.np:
            raise self.corrupt(f"storage {storage.key!r} holds {storage.dtype}, the tensor claims {dtype.name}")
        return self._tensor(storage, dtype.np, offset, size, stride, requires_grad, hooks, metadata)

    def _storage_dtype(self, storage):
        if type(storage) is not Storage:
            raise self.corrupt(f"tensor storage is {describe(storage)}, not a storage from the file")
        return storage.dtype if storage.dtype is not None else np.dtype(np.uint8)

    def _is_tensor(self, x):
        return x is DRY or type(x) is self.Tensor

    def rebuild_parameter(self, data, requires_grad, hooks):
        return self.rebuild_parameter_with_state(data, requires_grad, hooks, None)

    def rebuild_parameter_with_state(self, data, requires_grad, hooks, state):
        if self.Parameter is None:
            raise UnsupportedCheckpointError(f"{where(self.file_name, self.record)}: the file holds Parameters but "
                                             "ember.nn.parameter is not available")
        if not self._is_tensor(data):
            raise self.corrupt(f"Parameter data is {describe(data)}, not a tensor")
        if type(requires_grad) is not bool:
            raise self.corrupt(f"requires_grad {describe(requires_grad)} is not a bool")
        if type(hooks) not in (collections.OrderedDict, dict) or hooks:
            raise self.unsafe(f"backward hooks {describe(hooks)} (only an empty OrderedDict)")
        if data is DRY:
            return DRY
        if requires_grad and data._data.dtype.kind not in "fcV":
            raise self.corrupt(f"a {data._data.dtype} Parameter cannot require grad")
        p = self.Parameter(data, requires_grad)
        self._set_state(p, state)
        return p

    def rebuild_from_type_v2(self, func, new_type, args, state):
        if type(func) is not SafeCallable or id(func) not in self.rebuilders:
            raise self.unsafe(f"_rebuild_from_type_v2 with function {describe(func)} (only tensor rebuilders)")
        if new_type is not self.Tensor and (self.Parameter is None or new_type is not self.Parameter):
            raise UnsupportedCheckpointError(f"{where(self.file_name, self.record)}: tensor subclass "
                                             f"{describe(new_type)} is not supported")
        if type(args) is not tuple:
            raise self.corrupt(f"_rebuild_from_type_v2 arguments {describe(args)} are not a tuple")
        out = func(*args)
        if out is DRY:
            return DRY
        if not isinstance(out, self.Tensor):
            raise self.corrupt(f"_rebuild_from_type_v2 built {describe(out)}, not a tensor")
        if new_type is not type(out):
            if new_type is self.Tensor:
                plain = self._wrap(out._data)
                plain.requires_grad = out.requires_grad
                out = plain
            else:
                out = self.Parameter(out, out.requires_grad)
        self._set_state(out, state)
        return out

    def _set_state(self, t, state):
        """Python attributes saved with a tensor (``t.foo = 1``): set where the class has a ``__dict__``."""
        if state is None:
            return
        if type(state) is tuple and len(state) == 2:
            state = {**(state[0] or {}), **(state[1] or {})} if all(
                s is None or type(s) is dict for s in state) else state
        if type(state) is not dict or not all(type(k) is str and not k.startswith("__") for k in state):
            raise self.unsafe(f"tensor state {describe(state)} (only a dict of plain attribute names)")
        if not state:
            return
        clash = [k for k in state if hasattr(type(t), k) or k in ("_data", "grad", "requires_grad")]
        if clash:
            raise self.unsafe(f"tensor state would overwrite tensor fields {clash}")
        d = getattr(t, "__dict__", None)
        if d is None:
            warnings.warn(f"{self.file_name}: dropped Python attributes {sorted(state)} of a saved tensor: ember "
                          "Tensors cannot hold extra attributes", stacklevel=4)
            return
        d.update(state)

    def make_size(self, *args):
        if len(args) == 1 and type(args[0]) in (tuple, list) and \
                all(type(n) is int for n in args[0]) and len(args[0]) <= _MAX_NDIM:
            return self.Size(args[0])
        raise self.corrupt(f"torch.Size called with {describe(args)} (expected a tuple of ints)")

    def make_device(self, *args):
        if 1 <= len(args) <= 2 and type(args[0]) is str and len(args[0]) < 64 and \
                (len(args) == 1 or type(args[1]) is int or args[1] is None):
            try:
                return self._device_cls(*args)
            except (RuntimeError, TypeError, ValueError) as exc:
                raise self.corrupt(f"torch.device{args!r}: {exc}") from None
        raise self.corrupt(f"torch.device called with {describe(args)}")

    # ---- the result -----------------------------------------------------------------------------------------
    def check_result(self, obj):
        """Walk the result (iteratively): only plain objects, nesting at most ``MAX_DEPTH`` deep."""
        from .. import _dtype as _dt
        leaves = (type(None), bool, int, float, complex, str, bytes, bytearray, self.Size, self._device_cls,
                  _dt.dtype)
        seen = set()
        todo = [(obj, 1)]
        while todo:
            x, depth = todo.pop()
            t = type(x)
            if t in leaves or isinstance(x, self.Tensor):
                continue
            if x is self.Tensor or x is self.Parameter:
                continue
            if depth > MAX_DEPTH:
                raise self.unsafe(f"the object is nested more than {MAX_DEPTH} levels deep")
            if id(x) in seen:
                continue
            if t in (list, tuple, set, frozenset):
                seen.add(id(x))
                todo.extend((c, depth + 1) for c in x)
            elif t in (dict, collections.OrderedDict, collections.Counter):
                seen.add(id(x))
                for k, v in x.items():
                    todo.append((k, depth + 1))
                    todo.append((v, depth + 1))
                extra = getattr(x, "__dict__", None)
                if extra:
                    todo.extend((v, depth + 1) for v in extra.values())
            elif t is StorageType or t is SafeCallable or x is DRY:
                raise UnsupportedCheckpointError(f"{where(self.file_name, self.record)}: the object contains "
                                                 f"{describe(x)} itself, which ember does not return")
            elif self.user:
                continue   # only a callable the user allowed can have made it
            else:
                raise self.unsafe(f"the object contains {describe(x)}, which the weights-only loader does not "
                                  "return")
        return obj
