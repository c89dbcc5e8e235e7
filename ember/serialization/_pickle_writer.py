"""``data.pkl``: a hand-written protocol-2 emitter that writes exactly the shapes torch writes.

Not ``pickle.Pickler``: it would import every GLOBAL it writes (``torch._utils``) and, above protocol 2, emit
opcodes that torch's weights-only loader refuses (CHECKPOINT-FORMAT.md 5.1).  Everything the emitter does not
know raises ``TypeError``/``ValueError`` naming where in the object it sits, before any byte is written to
the destination.
"""
from __future__ import annotations

import collections
import struct
import sys

import numpy as np

from ._storage_types import NP_TO_STORAGE
from ..utils.hooks import warn_if_has_hooks

__all__ = ["dumps"]

_BATCH = 1000   # items per MARK ... SETITEMS/APPENDS, as pickle batches


def _encode_long(x: int) -> bytes:
    """Two's-complement little-endian bytes of ``x``, as short as possible (LONG1's payload)."""
    if x == 0:
        return b""
    raw = x.to_bytes((x.bit_length() >> 3) + 1, "little", signed=True)
    if x < 0 and len(raw) > 1 and raw[-1] == 0xFF and raw[-2] & 0x80:
        raw = raw[:-1]
    return raw


def _path_str(path) -> str:
    out = "obj"
    for step in path:
        out += step if isinstance(step, str) else f"[{step[0]!r}]"
    return out


class _Emitter:
    def __init__(self):
        self.out = bytearray(b"\x80\x02")         # PROTO 2
        self.memo = {}                              # id(obj) -> memo index
        self.alive = []                             # keeps memoized objects alive so ids stay unique
        self.storages = []                          # [(key, byte view of the storage)] in key order
        self.storage_of = {}                        # (id(root array), dtype) -> (key, numel)
        self.copies = {}                            # id(array needing a copy) -> its contiguous copy
        from ..tensor import Tensor, Size
        from .._dtype import dtype
        from ..device import device
        self.Tensor, self.Size, self.dtype, self.device = Tensor, Size, dtype, device
        try:
            from ..nn.parameter import Parameter
        except ImportError:  # pragma: no cover - nn not built yet
            Parameter = ()
        self.Parameter = Parameter

    # ---- primitives -------------------------------------------------------------------------------------
    def put(self, obj) -> None:
        i = len(self.memo)
        self.memo[id(obj)] = i
        self.alive.append(obj)
        self.out += b"q" + bytes([i]) if i < 256 else b"r" + struct.pack("<I", i)

    def get(self, obj) -> bool:
        i = self.memo.get(id(obj))
        if i is None:
            return False
        self.out += b"h" + bytes([i]) if i < 256 else b"j" + struct.pack("<I", i)
        return True

    def glob(self, module: str, name: str) -> None:
        key = ("global", module, name)
        i = self.memo.get(key)
        if i is not None:
            self.out += b"h" + bytes([i]) if i < 256 else b"j" + struct.pack("<I", i)
            return
        self.out += b"c" + module.encode() + b"\n" + name.encode() + b"\n"
        i = len(self.memo)
        self.memo[key] = i
        self.out += b"q" + bytes([i]) if i < 256 else b"r" + struct.pack("<I", i)

    def int_(self, x: int, path) -> None:
        if 0 <= x < 256:
            self.out += b"K" + bytes([x])
        elif 0 <= x < 65536:
            self.out += b"M" + struct.pack("<H", x)
        elif -2**31 <= x < 2**31:
            self.out += b"J" + struct.pack("<i", x)
        else:
            raw = _encode_long(x)
            if len(raw) > 255:
                raise ValueError(f"cannot save {_path_str(path)}: an int of {x.bit_length()} bits needs pickle's "
                                 "LONG4 opcode, which torch's weights-only loader does not support (at most 2040 "
                                 "bits)")
            self.out += b"\x8a" + bytes([len(raw)]) + raw

    def str_(self, s: str) -> None:
        raw = s.encode("utf-8", "surrogatepass")
        self.out += b"X" + struct.pack("<I", len(raw)) + raw

    def tuple_(self, items, path) -> None:
        if not items:
            self.out += b")"
            return
        if len(items) > 3:
            self.out += b"("
        for i, item in enumerate(items):
            self.save(item, path + ((i,),))
        self.out += b"t" if len(items) > 3 else (b"\x85", b"\x86", b"\x87")[len(items) - 1]

    def reduce(self, module, name, args, path) -> None:
        self.glob(module, name)
        self.tuple_(args, path)
        self.out += b"R"

    def items(self, pairs, path) -> None:
        for start in range(0, len(pairs), _BATCH):
            batch = pairs[start:start + _BATCH]
            self.out += b"("
            for k, v in batch:
                self.save(k, path + ("<key>",))
                self.save(v, path + ((k,),))
            self.out += b"u"

    # ---- dispatch ---------------------------------------------------------------------------------------
    def save(self, obj, path=()) -> None:
        t = type(obj)
        if obj is None:
            self.out += b"N"
        elif t is bool:
            self.out += b"\x88" if obj else b"\x89"
        elif t is int:
            self.int_(obj, path)
        elif t is float:
            self.out += b"G" + struct.pack(">d", obj)
        elif t is str:
            self.str_(obj)
        elif self.get(obj):
            pass
        elif t is bytes:
            self.reduce("_codecs", "encode", (obj.decode("latin-1"), "latin1"), path)
            self.put(obj)
        elif t is bytearray:
            self.reduce("__builtin__", "bytearray", (bytes(obj).decode("latin-1"), "latin-1"), path)
            self.put(obj)
        elif t is complex:
            self.reduce("__builtin__", "complex", (obj.real, obj.imag), path)
        elif t is tuple:
            self.tuple_(obj, path)
        elif t is list:
            self.out += b"]"
            self.put(obj)
            for start in range(0, len(obj), _BATCH):
                self.out += b"("
                for i, item in enumerate(obj[start:start + _BATCH], start):
                    self.save(item, path + ((i,),))
                self.out += b"e"
        elif t is dict:
            self.out += b"}"
            self.put(obj)
            self.items(list(obj.items()), path)
        elif t is collections.OrderedDict:
            self.reduce("collections", "OrderedDict", (), path)
            self.put(obj)
            self.items(list(obj.items()), path)
            state = vars(obj)
            if state:   # state_dict()'s ``_metadata`` rides along as instance state, as torch writes it
                self.out += b"}"
                self.items([(k, v) for k, v in state.items()], path + (".__dict__",))
                self.out += b"b"
        elif t is collections.Counter:
            self.reduce("collections", "Counter", (dict(obj),), path)
            self.put(obj)
        elif t is set:
            self.glob("__builtin__", "set")
            self.out += b"]"
            self.out += b"("
            for item in obj:
                self.save(item, path + ("<set item>",))
            self.out += b"e\x85R"
            self.put(obj)
        elif isinstance(obj, self.Tensor):
            self.tensor(obj, path)
        elif t is self.Size:
            self.reduce("torch", "Size", (tuple(obj),), path)
        elif t is self.dtype:
            self.glob("torch", obj.name)
        elif t is self.device:
            self.reduce("torch", "device", (str(obj),), path)
        elif isinstance(obj, np.generic) and t in _SCALAR_OK:
            self.save(_numpy_scalar(obj), path)
        else:
            raise TypeError(_unsavable(obj, path))

    # ---- tensors ----------------------------------------------------------------------------------------
    def tensor(self, t, path) -> None:
        warn_if_has_hooks(t)
        is_param = isinstance(t, self.Parameter)
        if type(t) is not self.Tensor and not is_param:
            raise TypeError(f"cannot save {_path_str(path)}: tensor subclass {type(t).__qualname__} has no "
                            "weights-only form; convert it with .as_subclass(ember.Tensor)")
        state = getattr(t, "__dict__", None)
        if is_param:
            fn = "_rebuild_parameter_with_state" if state else "_rebuild_parameter"
            self.glob("torch._utils", fn)
            self.out += b"("
            self.plain_tensor(t, False, path)
            self.out += b"\x88" if t.requires_grad else b"\x89"
            self.reduce("collections", "OrderedDict", (), path)
            if state:
                self.save(dict(state), path + (".__dict__",))
            self.out += b"tR"
        else:
            self.plain_tensor(t, bool(t.requires_grad), path)
        self.put(t)

    def plain_tensor(self, t, requires_grad: bool, path) -> None:
        arr = t._host() if hasattr(t, "_host") else t._data
        location = "cpu" if type(t._data) is np.ndarray else str(t.device)
        storage_name, is_v3, dtype_name = _storage_kind(arr, path)
        if arr.dtype.byteorder == ">" or (arr.dtype.byteorder == "=" and sys.byteorder == "big"):
            arr = arr.astype(arr.dtype.newbyteorder("<"))
        key, numel, offset, strides = self.storage(arr, is_v3)
        self.glob("torch._utils", "_rebuild_tensor_v3" if is_v3 else "_rebuild_tensor_v2")
        self.out += b"("
        # persistent id: ('storage', storage type, key, location, numel)
        self.out += b"("
        self.str_("storage")
        self.glob("torch.storage" if is_v3 else "torch", storage_name)
        self.str_(key)
        self.str_(location)
        self.int_(numel, path)
        self.out += b"tQ"
        self.int_(offset, path)
        self.tuple_(tuple(arr.shape), path)
        self.tuple_(strides, path)
        self.out += b"\x88" if requires_grad else b"\x89"
        self.reduce("collections", "OrderedDict", (), path)
        if is_v3:
            self.glob("torch", dtype_name)
        self.out += b"tR"

    def storage(self, arr, is_v3):
        """(key, numel, offset, strides) of ``arr``, sharing the storage of a saved ancestor when possible.

        The storage is the topmost dense (C- or Fortran-contiguous) ancestor of the same dtype, or a byte array
        above it: NumPy points ``np.ndarray(buffer=typed_view)`` at the buffer's owner, which for storages torch
        keeps untyped (uint16/32/64 via ``_rebuild_tensor_v3``) is the uint8 array ember loaded the bytes into.
        """
        item = arr.dtype.itemsize
        root = None
        cur = arr
        while isinstance(cur, np.ndarray):
            dense = cur.flags.c_contiguous or cur.flags.f_contiguous   # one block of memory from its pointer
            if dense and (cur.dtype == arr.dtype or
                                           (cur.dtype == np.uint8 and cur.nbytes % item == 0)):
                root = cur
            cur = cur.base
            # np.broadcast_to / as_strided views (ember's expand) keep their source behind a stride_tricks
            # DummyArray: step through it, so a stride-0 view saves its source's storage as torch does
            while cur is not None and not isinstance(cur, np.ndarray) and isinstance(getattr(cur, "base", None),
                                                                                       np.ndarray):
                cur = cur.base
        offset = strides = None
        if root is not None:
            delta = arr.__array_interface__["data"][0] - root.__array_interface__["data"][0]
            extent = sum((n - 1) * s for n, s in zip(arr.shape, arr.strides)) if arr.size else 0
            if delta >= 0 and delta % item == 0 and all(s >= 0 and s % item == 0 for s in arr.strides) and \
                    delta + extent + (item if arr.size else 0) <= root.nbytes:
                offset = delta // item
                strides = tuple(s // item for s in arr.strides)
        if offset is None:
            # negative strides, dtype-reinterpreting views, non-contiguous roots: save a C-order copy.
            # trap: not np.ascontiguousarray, which turns a 0-d array into 1-d
            copy = self.copies.get(id(arr))
            if copy is None:
                copy = self.copies[id(arr)] = arr.copy(order="C")
                self.alive.append(arr)
            root, offset = copy, 0
            strides = tuple(s // item for s in copy.strides)
        if arr.size == 0 and (root is arr or root is self.copies.get(id(arr))):
            strides = _contiguous_strides(arr.shape)   # numpy 2 gives new empty arrays zero strides, torch doesn't
        # one key per (memory, dtype): torch refuses one storage seen as two dtypes, so such a pair is saved twice
        hit = self.storage_of.get((id(root), arr.dtype.str))
        if hit is None:
            key = str(len(self.storages))
            flat = root.ravel(order="K").view(np.uint8)    # memory order: a view, also for Fortran order
            numel = flat.size if is_v3 else flat.size // item
            hit = self.storage_of[(id(root), arr.dtype.str)] = (key, numel)
            self.storages.append((key, flat))
            self.alive.append(root)
        return hit[0], hit[1], offset, strides


def _contiguous_strides(shape):
    out, acc = [], 1
    for n in reversed(shape):
        out.append(acc)
        acc *= max(n, 1)
    return tuple(reversed(out))


def _storage_kind(arr, path):
    kind = NP_TO_STORAGE.get(arr.dtype.newbyteorder("="))
    if kind is None:
        raise TypeError(f"cannot save {_path_str(path)}: tensors of NumPy dtype {arr.dtype} have no torch storage "
                        "type")
    return kind


_SCALAR_OK = {np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64,
              np.float16, np.float32, np.float64, np.complex64, np.complex128, np.longlong, np.ulonglong}


def _numpy_scalar(x):
    # numpy scalars become Python scalars: numpy's own pickle needs numpy globals that torch refuses
    if isinstance(x, np.bool_):
        return bool(x)
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, np.complexfloating):
        return complex(x)
    return float(x)


def _unsavable(obj, path) -> str:
    t = type(obj)
    what = f"{t.__module__}.{t.__qualname__}"
    hint = ""
    if isinstance(obj, np.ndarray):
        hint = ("; wrap NumPy arrays with ember.from_numpy(arr) (object arrays cannot be saved at all)"
                if obj.dtype != object else "; object arrays cannot be saved")
    elif t is frozenset:
        hint = "; torch's weights-only loader has no frozenset, save a set or a sorted list"
    elif isinstance(obj, (dict, list, tuple, set)):
        hint = f"; convert the {t.__base__.__name__} subclass to a plain {t.__base__.__name__} first"
    elif isinstance(obj, np.generic):
        hint = "; only numeric NumPy scalars are converted to Python numbers"
    elif callable(getattr(obj, "state_dict", None)):  # a whole Module or optimizer, as torch.save(model, PATH)
        hint = ("; ember does not pickle whole objects (their classes and code), save obj.state_dict() instead, "
                "then build the object again and call load_state_dict(ember.load(f))")
    return (f"cannot save {_path_str(path)} of type {what}: ember.save writes only what torch.load(weights_only="
            f"True) reads (tensors, Parameters, dict/OrderedDict/list/tuple/set, str, bytes, int, float, "
            f"complex, bool, None, torch.Size/dtype/device){hint}")


def dumps(obj):
    """``(data.pkl bytes, [(key, uint8 view of the storage), ...])`` for ``obj``."""
    em = _Emitter()
    try:
        em.save(obj)
    except RecursionError:
        raise ValueError("cannot save obj: it is nested too deeply (or is a recursive tuple)") from None
    em.out += b"."
    return bytes(em.out), em.storages
