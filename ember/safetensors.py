"""The safetensors format, read and written natively (no ``safetensors`` package needed).

Layout: a little-endian u64 header length N, N bytes of JSON ``{name: {"dtype", "shape", "data_offsets":
[begin, end]}, "__metadata__": {str: str}}`` padded with spaces to a multiple of 8, then the raw C-order
tensor bytes.  It holds a flat ``{str: tensor}`` only (no nesting, no Parameters, no shared storage), so it
complements ``.pth`` rather than replacing it for training checkpoints.

Trap: the ``safetensors`` 0.8 package writes non-C-contiguous arrays from their raw pointer (wrong values,
and reads past the view for negative strides); ember always writes a C-order copy of such tensors.

>>> import ember, ember.safetensors as st
>>> blob = st.save({"w": ember.arange(6.).reshape(2, 3).t()})
>>> st.load(blob)["w"].tolist()
[[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]]
"""
from __future__ import annotations

import json
import mmap
import os
import struct

import numpy as np

from .serialization._atomic import atomic_write
from .serialization._errors import CorruptCheckpointError

__all__ = ["save", "save_file", "load", "load_file", "safe_open"]

try:
    import ml_dtypes as _ml
    _BF16 = np.dtype(_ml.bfloat16)
except ImportError:  # pragma: no cover - a declared dependency
    _BF16 = None

_TO_NP = {"BOOL": np.dtype(np.bool_), "U8": np.dtype(np.uint8), "I8": np.dtype(np.int8),
          "I16": np.dtype(np.int16), "U16": np.dtype(np.uint16), "F16": np.dtype(np.float16), "BF16": _BF16,
          "I32": np.dtype(np.int32), "U32": np.dtype(np.uint32), "F32": np.dtype(np.float32),
          "F64": np.dtype(np.float64), "I64": np.dtype(np.int64), "U64": np.dtype(np.uint64),
          "C64": np.dtype(np.complex64)}
_FROM_NP = {v: k for k, v in _TO_NP.items()}
_MAX_HEADER = 100 << 20      # the reference implementation's limit


# ----------------------------------------------------------------------------------------------------------
# writing
# ----------------------------------------------------------------------------------------------------------

def _prepare(tensors, metadata):
    """(header bytes, [(name, C-order byte view)]) after checking every input."""
    from .tensor import Tensor
    if not isinstance(tensors, dict):
        raise TypeError(f"expected a dict of name -> tensor, got {type(tensors).__name__}")
    if metadata is not None and (not isinstance(metadata, dict) or
                                 not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items())):
        raise TypeError("metadata must be a dict of str -> str")
    items = []
    for name, t in tensors.items():
        if not isinstance(name, str) or name == "__metadata__":
            raise TypeError(f"tensor names must be str other than '__metadata__', got {name!r}")
        if not isinstance(t, Tensor):
            raise TypeError(f"{name!r}: expected an ember Tensor, got {type(t).__name__}")
        arr = t._host()
        code = _FROM_NP.get(arr.dtype.newbyteorder("="))
        if code is None:
            raise TypeError(f"{name!r}: safetensors has no dtype for {t.dtype} (complex128 in particular)")
        if not arr.dtype.isnative:
            arr = arr.astype(arr.dtype.newbyteorder("="))
        if not arr.flags.c_contiguous:
            arr = arr.copy(order="C")   # not np.ascontiguousarray: it turns 0-d arrays into 1-d
        items.append((name, code, arr))
    # largest elements first, as the reference writer orders them, so every tensor's data stays aligned
    items.sort(key=lambda it: (-it[2].dtype.itemsize, it[0]))
    header, chunks, pos = {}, [], 0
    if metadata:
        header["__metadata__"] = dict(metadata)
    for name, code, arr in items:
        header[name] = {"dtype": code, "shape": list(arr.shape), "data_offsets": [pos, pos + arr.nbytes]}
        chunks.append(arr.reshape(-1).view(np.uint8))
        pos += arr.nbytes
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    raw += b" " * (-len(raw) % 8)
    return struct.pack("<Q", len(raw)) + raw, chunks


def save(tensors, metadata=None) -> bytes:
    """The safetensors bytes of ``{name: tensor}``; ``metadata`` is a dict of str -> str."""
    head, chunks = _prepare(tensors, metadata)
    return head + b"".join(memoryview(c) for c in chunks)


def save_file(tensors, filename, metadata=None) -> None:
    """Write ``{name: tensor}`` to ``filename`` atomically (a crash keeps the previous file)."""
    head, chunks = _prepare(tensors, metadata)
    with atomic_write(filename) as fh:
        fh.write(head)
        for c in chunks:
            fh.write(memoryview(c))


# ----------------------------------------------------------------------------------------------------------
# reading
# ----------------------------------------------------------------------------------------------------------

def _parse_header(read, size, name):
    """``{tensor: (dtype, shape, begin, end)}``, metadata, data start; every offset checked against ``size``."""
    def bad(msg):
        return CorruptCheckpointError(f"{name!r}: not a valid safetensors file: {msg}")

    if size < 8:
        raise bad(f"{size} bytes is too short for the header length")
    (n,) = struct.unpack("<Q", read(0, 8))
    if n > _MAX_HEADER or 8 + n > size:
        raise bad(f"header length {n} exceeds the file ({size} bytes) or the {_MAX_HEADER}-byte limit")
    try:
        header = json.loads(read(8, n).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise bad(f"the header is not JSON ({exc})") from None
    if not isinstance(header, dict):
        raise bad("the header is not a JSON object")
    metadata = header.pop("__metadata__", None) or {}
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise bad("__metadata__ must map str to str")
    start, body = 8 + n, size - 8 - n
    entries, spans = {}, []
    for key, info in header.items():
        if not isinstance(info, dict) or set(info) != {"dtype", "shape", "data_offsets"}:
            raise bad(f"tensor {key!r}: entry must have exactly dtype, shape and data_offsets")
        code, shape, offsets = info["dtype"], info["shape"], info["data_offsets"]
        dtype = _TO_NP.get(code) if isinstance(code, str) else None
        if dtype is None:
            raise bad(f"tensor {key!r}: dtype {code!r} is not supported by ember")
        if not isinstance(shape, list) or not all(type(d) is int and d >= 0 for d in shape) or len(shape) > 64:
            raise bad(f"tensor {key!r}: shape {shape!r} is not a list of non-negative ints")
        if not isinstance(offsets, list) or len(offsets) != 2 or not all(type(o) is int for o in offsets) or \
                not 0 <= offsets[0] <= offsets[1] <= body:
            raise bad(f"tensor {key!r}: data_offsets {offsets!r} lie outside the {body}-byte data section")
        numel = 1
        for d in shape:
            numel *= d
        if numel * dtype.itemsize != offsets[1] - offsets[0]:
            raise bad(f"tensor {key!r}: shape {shape} of {code} needs {numel * dtype.itemsize} bytes, the offsets "
                      f"give {offsets[1] - offsets[0]}")
        entries[key] = (dtype, tuple(shape), start + offsets[0], start + offsets[1])
        spans.append((offsets[0], offsets[1], key))
    pos = 0
    for begin, end, key in sorted(spans):
        if begin != pos:   # the data section is covered exactly: no holes, no overlaps
            raise bad(f"tensor {key!r} starts at {begin}, expected {pos} (overlap or hole in the data)")
        pos = end
    if pos != body:
        raise bad(f"the tensors cover {pos} of the {body} data bytes")
    return entries, metadata


def _to_tensor(arr, name, key, device):
    from .tensor import _wrap
    if arr.dtype == np.bool_ and arr.size and arr.view(np.uint8).max() > 1:
        raise CorruptCheckpointError(f"{name!r}: tensor {key!r}: bool data holds bytes other than 0/1")
    t = _wrap(arr)
    if device is not None and str(device) != "cpu":
        t = t.to(device)
    return t


def load(data: bytes, device="cpu"):
    """``{name: tensor}`` from safetensors bytes (the tensors are copies)."""
    view = memoryview(data).cast("B")
    entries, _ = _parse_header(lambda o, n: bytes(view[o:o + n]), view.nbytes, "<bytes>")
    return {k: _to_tensor(np.frombuffer(view, dt, int(np.prod(shape, dtype=np.int64)), b).reshape(shape).copy(),
                          "<bytes>", k, device) for k, (dt, shape, b, e) in entries.items()}


def load_file(filename, device="cpu"):
    """``{name: tensor}`` from a safetensors file; each tensor is read into its own array."""
    with safe_open(filename, framework="pt", device=device) as f:
        return {k: f.get_tensor(k) for k in f.offset_keys()}


class _Slice:
    """Lazy access to one tensor: ``get_shape()``, ``get_dtype()``, and ``[...]`` reading only that part."""

    def __init__(self, owner, key):
        self._owner, self._key = owner, key

    def get_shape(self):
        return list(self._owner._entries[self._key][1])

    def get_dtype(self):
        return _FROM_NP[self._owner._entries[self._key][0]]

    def __getitem__(self, index):
        arr = self._owner._mapped(self._key)[index]
        return self._owner._tensor(np.array(arr, copy=True), self._key)


class safe_open:
    """``with safe_open(path, framework="pt") as f: f.keys(), f.metadata(), f.get_tensor(k), f.get_slice(k)``.

    The header is read once; each ``get_tensor`` reads only its own bytes.  ``framework`` is accepted for
    compatibility ("pt", "np", "numpy", "ember" all give ember tensors).
    """

    def __init__(self, filename, framework="pt", device="cpu"):
        if framework not in ("pt", "torch", "np", "numpy", "ember"):
            raise ValueError(f"framework {framework!r} is not supported (ember returns ember tensors)")
        self._name = os.fsdecode(os.fspath(filename))
        self._device = device
        self._fh = open(self._name, "rb")
        self._map = None
        try:
            size = os.fstat(self._fh.fileno()).st_size

            def read(o, n):
                self._fh.seek(o)
                return self._fh.read(n)

            self._entries, self._metadata = _parse_header(read, size, self._name)
        except BaseException:
            self._fh.close()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        if self._map is not None:
            try:
                self._map.close()
            except BufferError:   # a caller still holds a view; the mapping goes when it does
                pass
        self._fh.close()

    def keys(self):
        """The tensor names, sorted (as the safetensors package lists them)."""
        return sorted(self._entries)

    def offset_keys(self):
        """The tensor names in the order of their data in the file."""
        return list(self._entries)

    def metadata(self):
        return dict(self._metadata)

    def get_tensor(self, key):
        dtype, shape, begin, end = self._entry(key)
        arr = np.empty(shape, dtype)
        self._fh.seek(begin)
        if self._fh.readinto(memoryview(arr.reshape(-1).view(np.uint8))) != end - begin:
            raise CorruptCheckpointError(f"{self._name!r}: tensor {key!r}: the file ends inside its data")
        return self._tensor(arr, key)

    def get_slice(self, key):
        self._entry(key)
        return _Slice(self, key)

    def _entry(self, key):
        try:
            return self._entries[key]
        except KeyError:
            raise KeyError(f"{self._name!r} has no tensor {key!r}") from None

    def _mapped(self, key):
        dtype, shape, begin, end = self._entry(key)
        if self._map is None:
            self._map = mmap.mmap(self._fh.fileno(), 0, access=mmap.ACCESS_READ)
        count = (end - begin) // dtype.itemsize
        return np.frombuffer(self._map, dtype, count, begin).reshape(shape)

    def _tensor(self, arr, key):
        return _to_tensor(arr, self._name, key, self._device)
