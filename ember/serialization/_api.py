"""``save`` and ``load``: files, the zip archive and the legacy format around the pickle machinery."""
from __future__ import annotations

import io
import mmap as _mmap
import os
import pickle
import secrets
import warnings

import numpy as np

from ._atomic import atomic_write
from ._crc import crc32
from ._errors import CorruptCheckpointError, UnsupportedCheckpointError, UserCodeError, where
from ._loader import LoadContext, Storage
from ._pickle_writer import dumps
from ._trusted import trusted_unpickle
from ._zip import BufferSource, FileSource, ZipReader, ZipWriter

__all__ = ["save", "load"]

_MAX_PICKLE = 256 << 20          # data.pkl larger than this is refused before it is read
_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
_LEGACY_HEAD = b"\x80\x02\x8a\x0a" + _LEGACY_MAGIC.to_bytes(10, "little")
_MAX_FORMAT_VERSION = 10


# ----------------------------------------------------------------------------------------------------------
# save
# ----------------------------------------------------------------------------------------------------------

def save(obj, f, pickle_module=None, pickle_protocol=2, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Save ``obj`` to ``f`` (a path, ``os.PathLike`` or binary file) in torch's zip format.

    The file loads in ``torch.load(f, weights_only=True)`` and in ``ember.load``.  Saving to a path is
    atomic: until the new file is complete the old one stays.  Values that cannot be saved raise
    ``TypeError``/``ValueError`` before anything is written.

    >>> import ember, io
    >>> buf = io.BytesIO(); ember.save({"w": ember.ones(2)}, buf); _ = buf.seek(0)
    >>> ember.load(buf)["w"].tolist()
    [1.0, 1.0]
    """
    # pickle_module is accepted and unused: data.pkl comes from ember's own protocol-2 writer, whose output for
    # the objects it supports is what any pickle module would write
    if pickle_protocol != 2:
        raise ValueError(f"ember.save writes pickle protocol 2 only (what torch.load(weights_only=True) reads), "
                         f"got pickle_protocol={pickle_protocol}")
    if not _use_new_zipfile_serialization:
        raise ValueError("ember.save never writes the legacy (pre-1.6) format; it only reads it")
    data_pkl, storages = dumps(obj)    # everything that can fail on the object fails here
    if isinstance(f, (str, bytes, os.PathLike)):
        path = os.fsdecode(os.fspath(f))
        folder = os.path.splitext(os.path.basename(path))[0] or "archive"
        with atomic_write(path) as fh:
            _write_archive(fh, folder, data_pkl, storages, not _disable_byteorder_record)
    else:
        if not hasattr(f, "write"):
            raise AttributeError("expected 'f' to be string, path, or a file-like object with a 'write' attribute")
        _write_archive(f, "archive", data_pkl, storages, not _disable_byteorder_record)


def _chunks(flat, size=64 << 20):
    for i in range(0, flat.size, size):
        yield memoryview(flat[i:i + size])


def _write_archive(out, folder, data_pkl, storages, byteorder):
    zw = ZipWriter(out, folder)
    zw.add("data.pkl", data_pkl, len(data_pkl))
    zw.add(".format_version", b"1", 1)
    zw.add(".storage_alignment", b"64", 2)
    if byteorder:
        zw.add("byteorder", b"little", 6)
    for key, flat in storages:   # numeric key order, as .format_version 1 promises
        zw.add(f"data/{key}", _chunks(flat), flat.size, crc=crc32(memoryview(flat)))   # CRC on all cores
    zw.add("version", b"3\n", 2)
    sid = "".join(secrets.choice("0123456789") for _ in range(40)).encode()
    zw.add(".data/serialization_id", sid, len(sid))
    zw.finish()


# ----------------------------------------------------------------------------------------------------------
# load
# ----------------------------------------------------------------------------------------------------------

def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, verify_crc=None,
         **pickle_load_args):
    """Load a torch checkpoint (zip format, or the legacy pre-1.6 format) without torch.

    ``weights_only`` (default True, False when a ``pickle_module`` is given) interprets the file with ember's
    restricted unpickler: tensors, Parameters, containers, scalars and the objects of optimizer state dicts,
    nothing that runs code.
    ``weights_only=False`` uses Python's unpickler and can run code from the file: trusted files only.
    ``map_location``: None (everything on the CPU), a device or str, a dict ``{saved: target}``, or a callable
    ``(storage, location)``.  ``mmap=True`` maps storages from the file copy-on-write, without reading them.
    ``verify_crc`` (ember only) checks record CRCs; default on, except with ``mmap=True``.
    Bad files raise ``CorruptCheckpointError``, ``UnsafeCheckpointError`` or ``UnsupportedCheckpointError``.
    """
    if pickle_module is not None and weights_only:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is specified")
    if weights_only is None:
        weights_only = pickle_module is None     # as torch: an explicit pickle_module means a trusted load
    if pickle_module is not None and getattr(pickle_module, "Unpickler", None) is not pickle.Unpickler:
        raise ValueError("ember loads with its own unpickler or Python's pickle; other pickle_modules are not "
                         "supported")
    if pickle_load_args and weights_only:
        warnings.warn("pickle_load_args only works if `weights_only=False`.", stacklevel=2)
    encoding = pickle_load_args.pop("encoding", "utf-8")
    for key in pickle_load_args:
        if weights_only:
            raise TypeError(f"Unpickler.__init__() got an unexpected keyword argument '{key}'")
        if key not in ("errors", "fix_imports"):
            raise TypeError(f"'{key}' is an invalid keyword argument for Unpickler()")
    mmap = bool(mmap)
    if verify_crc is None:
        verify_crc = not mmap
    try:
        if isinstance(f, (str, bytes, os.PathLike)):
            path = os.fsdecode(os.fspath(f))
            if path.endswith(".safetensors"):
                from ..safetensors import load_file
                return load_file(path)
            with open(path, "rb") as fh:
                return _load_file(fh, path, map_location, weights_only, mmap, verify_crc, encoding)
        if not hasattr(f, "read") or not hasattr(f, "seek"):
            raise AttributeError(f"'{type(f).__name__}' object has no attribute "
                                 f"'{'seek' if hasattr(f, 'read') or not hasattr(f, 'seek') else 'read'}'. You can "
                                 "only torch.load from a file that is seekable. Please pre-load the data into a "
                                 "buffer like io.BytesIO and try to load from it instead.")
        name = getattr(f, "name", None)
        return _load_file(f, name if isinstance(name, str) else "<file object>", map_location, weights_only, mmap,
                          verify_crc, encoding)
    except UserCodeError as exc:   # the caller's map_location raised: hand that error back unchanged
        raise exc.exc from None


def _load_file(fh, name, map_location, weights_only, mmap, verify_crc, encoding):
    seekable = getattr(fh, "seekable", lambda: False)()
    legacy_buf = None
    if not seekable:
        if mmap:
            raise ValueError(f"mmap=True needs a file on disk, {name!r} is not seekable")
        src = BufferSource(fh.read(), name)
    elif mmap:
        try:
            fileno = fh.fileno()
        except (AttributeError, OSError, io.UnsupportedOperation):
            raise ValueError(f"mmap=True needs a file on disk; {name!r} has no file descriptor") from None
        if os.fstat(fileno).st_size == 0:
            raise CorruptCheckpointError(f"{where(name)}: the file is empty (0 bytes)")
        src = BufferSource(_mmap.mmap(fileno, 0, access=_mmap.ACCESS_COPY), name)
    else:
        src = FileSource(fh, name)
    if src.size == 0:
        raise CorruptCheckpointError(f"{where(name)}: the file is empty (0 bytes)")
    head = src.pread(0, min(src.size, len(_LEGACY_HEAD)))
    unpickle = _safe_unpickle if weights_only else trusted_unpickle
    if head[:4] == b"PK\x03\x04":
        return _load_zip(src, name, map_location, unpickle, mmap, verify_crc, encoding)
    if head == _LEGACY_HEAD:
        if isinstance(src, BufferSource):
            legacy_buf = src.buf
        else:
            try:
                legacy_buf = memoryview(_mmap.mmap(fh.fileno(), 0, access=_mmap.ACCESS_READ))
            except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
                fh.seek(0)
                legacy_buf = memoryview(fh.read())
        return _load_legacy(legacy_buf, name, map_location, unpickle, mmap, encoding)
    if src.size >= 262 and src.pread(257, 5) == b"ustar":
        raise UnsupportedCheckpointError(f"{where(name)}: a tar archive (torch 0.1's format) is not supported")
    raise CorruptCheckpointError(f"{where(name)}: not a torch checkpoint: it starts with {head[:8]!r}, neither a "
                                 "zip archive (torch >= 1.6) nor the legacy pickle format")


def _safe_unpickle(ctx, data, record, pos=0):
    return ctx.unpickle(data, record, pos)


def _make_storage(ctx, key, stype, location, numel, arr, record):
    if arr.dtype == np.bool_ and arr.size and arr.view(np.uint8).max() > 1:
        # torch would hand back a bool tensor holding 2..255: a silently wrong tensor
        raise CorruptCheckpointError(f"{where(ctx.file_name, record)}: bool storage holds bytes other than 0/1")
    return Storage(key, stype.dtype, numel, arr, location, ctx.target_device(location, arr))


# ---- zip ----------------------------------------------------------------------------------------------------

def _load_zip(src, name, map_location, unpickle, mmap, verify_crc, encoding):
    try:
        reader = ZipReader(src)
    except CorruptCheckpointError as exc:
        raise CorruptCheckpointError(f"{exc}{_last_record_hint(src)}") from None
    entries = reader.entries
    if not entries:
        raise CorruptCheckpointError(f"{where(name)}: the zip archive has no records")
    first = entries[0].name
    folder = first.split("/")[0] if "/" in first else ""
    if not folder:
        raise CorruptCheckpointError(f"{where(name, first)}: the record is not inside an archive folder")
    for e in entries:
        if not e.name.startswith(folder + "/"):
            raise CorruptCheckpointError(f"{where(name, e.name)}: record is not in the archive folder {folder!r}/ "
                                         "(two top-level folders)")
    names = reader.by_name
    if f"{folder}/constants.pkl" in names or any(n.startswith(f"{folder}/code/") for n in names):
        raise UnsupportedCheckpointError(f"{where(name)}: this is a TorchScript archive (torch.jit.save), not a "
                                         "torch.save checkpoint; ember cannot load TorchScript")
    pkl = names.get(f"{folder}/data.pkl")
    if pkl is None:
        raise CorruptCheckpointError(f"{where(name, f'{folder}/data.pkl')}: the record is missing: not a "
                                     "torch.save checkpoint")
    little = True
    rec = names.get(f"{folder}/byteorder")
    if rec is not None:
        order = reader.read(rec, 16)
        if order not in (b"little", b"big"):
            raise CorruptCheckpointError(f"{where(name, rec.name)}: byte order {order[:16]!r} is neither little "
                                         "nor big")
        little = order == b"little"
    rec = names.get(f"{folder}/version")
    if rec is not None:
        text = reader.read(rec, 16)
        if not text.strip().isdigit():
            raise CorruptCheckpointError(f"{where(name, rec.name)}: format version {text!r} is not a number")
        if int(text) > _MAX_FORMAT_VERSION:
            raise UnsupportedCheckpointError(f"{where(name, rec.name)}: format version {int(text)} is newer than "
                                             f"this reader ({_MAX_FORMAT_VERSION})")
    data = reader.read(pkl, _MAX_PICKLE)
    storages = {}

    def load_storage(key, stype, location, numel):
        hit = storages.get(key)
        if hit is not None:
            if hit.dtype != stype.dtype or hit.numel != numel:
                raise CorruptCheckpointError(f"{where(name, f'{folder}/data/{key}')}: storage used as "
                                             f"{hit.numel} x {hit.dtype} and as {numel} x {stype.dtype}")
            return hit
        record = f"{folder}/data/{key}"
        e = names.get(record)
        if e is None:
            raise CorruptCheckpointError(f"{where(name, record)}: storage record is missing")
        dtype = stype.dtype if stype.dtype is not None else np.dtype(np.uint8)
        nbytes = numel * dtype.itemsize
        if e.usize != nbytes:
            raise CorruptCheckpointError(f"{where(name, record)}: record size ({e.usize} bytes) does not match "
                                         f"expected size ({nbytes} bytes = {numel} x {dtype})")
        if mmap and e.method == 0 and little:
            ofs = reader.data_offset(e)
            if verify_crc:
                reader.verify_crc(e)
            arr = np.frombuffer(src.buf, dtype, numel, ofs) if numel else np.empty(0, dtype)
        else:
            arr = np.empty(numel, dtype)
            reader.readinto(e, memoryview(arr.view(np.uint8)), verify_crc)
            if not little:
                arr = arr.view(dtype.newbyteorder(">")).astype(dtype)
        st = storages[key] = _make_storage(ctx, key, stype, location, numel, arr, record)
        return st

    ctx = LoadContext(name, map_location, load_storage, encoding=encoding)
    obj, _ = unpickle(ctx, data, pkl.name)
    return ctx.check_result(obj) if unpickle is _safe_unpickle else obj


def _last_record_hint(src) -> str:
    """For a zip without its directory (truncated): name the last record whose header survives."""
    n = min(src.size, 1 << 20)
    tail = src.pread(src.size - n, n)
    pos = tail.rfind(b"PK\x03\x04")
    if pos < 0 or pos + 30 > n:
        return ""
    nlen = int.from_bytes(tail[pos + 26:pos + 28], "little")
    record = tail[pos + 30:pos + 30 + nlen].decode("utf-8", "replace")
    return f"; the file ends in or after record {record!r}"


# ---- legacy (pre-1.6) ---------------------------------------------------------------------------------------

def _load_legacy(buf, name, map_location, unpickle, mmap, encoding):
    """Five pickles, then raw storages (CHECKPOINT-FORMAT.md 3).  The object pickle runs twice: a dry pass
    learns each storage's type, so the data region can be walked, then the real pass builds tensors."""
    header = LoadContext(name, None, None, encoding=encoding)
    magic, pos = header.unpickle(buf, "legacy header", 0, persistent=False)
    if magic != _LEGACY_MAGIC:
        raise CorruptCheckpointError(f"{where(name, 'legacy header')}: bad magic number")
    version, pos = header.unpickle(buf, "legacy header", pos, persistent=False)
    if version != 1001:
        raise UnsupportedCheckpointError(f"{where(name, 'legacy header')}: legacy protocol version {version!r} "
                                         "(only 1001)")
    sys_info, pos = header.unpickle(buf, "legacy sys_info", pos, persistent=False)
    if type(sys_info) is not dict:
        raise CorruptCheckpointError(f"{where(name, 'legacy sys_info')}: not a dict")
    little = sys_info.get("little_endian", True)
    seen = {}

    def record(key, stype, location, numel):
        prev = seen.get(key)
        if prev is not None and (prev[0] is not stype or prev[1] != numel):
            raise CorruptCheckpointError(f"{where(name, f'legacy storage {key}')}: storage used with two types "
                                         "or sizes")
        seen[key] = (stype, numel)
        return Storage(key, stype.dtype, numel, None, location, None)

    obj_pos = pos
    dry = LoadContext(name, None, record, dry=True, encoding=encoding)
    _, pos = unpickle(dry, buf, "legacy object pickle", obj_pos)
    keys, pos = header.unpickle(buf, "legacy storage keys", pos, persistent=False)
    if type(keys) is not list or not all(type(k) is str for k in keys):
        raise CorruptCheckpointError(f"{where(name, 'legacy storage keys')}: expected a list of str")
    offsets = {}
    size = len(buf)
    for key in keys:
        rec = f"legacy storage {key}"
        if key not in seen or key in offsets:
            raise CorruptCheckpointError(f"{where(name, rec)}: listed storage is "
                                         f"{'listed twice' if key in offsets else 'never used'}")
        stype, numel = seen[key]
        item = stype.dtype.itemsize if stype.dtype is not None else 1
        if pos + 8 > size:
            raise CorruptCheckpointError(f"{where(name, rec)}: the file ends before the storage (truncated?)")
        count = int.from_bytes(buf[pos:pos + 8], "little" if little else "big", signed=True)
        if count != numel:
            raise CorruptCheckpointError(f"{where(name, rec)}: holds {count} elements, the pickle says {numel}")
        offsets[key] = pos + 8
        pos += 8 + numel * item
        if pos > size:
            raise CorruptCheckpointError(f"{where(name, rec)}: the file ends inside the storage (truncated?)")
    missing = sorted(set(seen) - set(offsets))
    if missing:
        raise CorruptCheckpointError(f"{where(name, f'legacy storage {missing[0]}')}: the storage has no data")
    storages = {}

    def load_storage(key, stype, location, numel):
        hit = storages.get(key)
        if hit is not None:
            return hit
        dtype = stype.dtype if stype.dtype is not None else np.dtype(np.uint8)
        view = np.frombuffer(buf, dtype if little else dtype.newbyteorder(">"), numel, offsets[key]) if numel \
            else np.empty(0, dtype)
        arr = view if (mmap and little) else view.astype(dtype)   # astype copies: independent of the file
        st = storages[key] = _make_storage(ctx, key, stype, location, numel, arr, f"legacy storage {key}")
        return st

    ctx = LoadContext(name, map_location, load_storage, encoding=encoding)
    obj, _ = unpickle(ctx, buf, "legacy object pickle", obj_pos)
    return ctx.check_result(obj) if unpickle is _safe_unpickle else obj
