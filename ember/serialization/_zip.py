"""The zip container of ``.pth`` files: a writer that reproduces miniz's byte layout, and a bounded reader.

torch writes with miniz and, with ``calculate_storage_offsets=True``, *predicts* record offsets from that
layout instead of reading headers, so the writer must copy it byte for byte (CHECKPOINT-FORMAT.md 1, 5.2):
stored records, a ``FB`` extra field padding every record's data to 64 bytes, a data descriptor after
every non-empty record, and a zip64 end record always.  The reader trusts nothing: every offset and size
is checked against the file before use.
"""
from __future__ import annotations

import struct
import zlib

from ._crc import _PARALLEL_MIN
from ._crc import crc32 as parallel_crc32
from ._errors import CorruptCheckpointError, UnsupportedCheckpointError, where

__all__ = ["ZipWriter", "ZipReader", "Entry", "FileSource", "BufferSource"]

_U32 = 0xFFFFFFFF
_LOCAL = struct.Struct("<4sHHHHHIIIHH")            # 30 bytes
_CENTRAL = struct.Struct("<4sHHHHHHIIIHHHHHII")     # 46 bytes
_EOCD = struct.Struct("<4sHHHHIIH")                 # 22 bytes
_EOCD64 = struct.Struct("<4sQHHIIQQQQ")             # 56 bytes
_LOCATOR = struct.Struct("<4sIQI")                  # 20 bytes
_CHUNK = 64 << 20                                   # copies run in 64 MiB pieces
_CRC_CHUNK = 4 << 20                                # read-then-CRC pieces, small enough to stay in cache


# ----------------------------------------------------------------------------------------------------------
# writing
# ----------------------------------------------------------------------------------------------------------

class ZipWriter:
    """Streams records into ``out`` (anything with ``write``); never seeks, so pipes work."""

    def __init__(self, out, folder: str, alignment: int = 64):
        self._out = out
        self._folder = folder
        self._alignment = alignment
        self._ofs = 0
        self._entries = []   # (name bytes, flags, crc, size, header offset)

    def _write(self, data) -> None:
        self._out.write(data)
        self._ofs += len(data) if not isinstance(data, memoryview) else data.nbytes

    def add(self, name: str, chunks, size: int, crc=None) -> None:
        """Add record ``<folder>/<name>`` of ``size`` bytes; ``chunks`` is bytes or an iterable of buffers.

        ``crc``, when the caller already has it, saves a pass over the data."""
        full = f"{self._folder}/{name}".encode("utf-8")
        ofs = self._ofs
        big = size >= _U32 or ofs >= _U32
        zip64 = b""
        if big:
            fields = (struct.pack("<QQ", size, size) if size >= _U32 else b"") + \
                     (struct.pack("<Q", ofs) if ofs >= _U32 else b"")
            zip64 = struct.pack("<HH", 1, len(fields)) + fields
        start = ofs + _LOCAL.size + len(full) + len(zip64) + 4
        pad = -start % self._alignment
        extra = zip64 + b"FB" + struct.pack("<H", pad) + b"Z" * pad
        # trap: miniz gives an empty record no data descriptor, and so no bit 3 in its flags
        flags = 0x0808 if size else 0x0800
        self._write(_LOCAL.pack(b"PK\x03\x04", 0, flags, 0, 0, 0, 0, 0, 0, len(full), len(extra)) + full + extra)
        known, written = crc is not None, 0
        crc = crc or 0
        for chunk in ([chunks] if isinstance(chunks, (bytes, bytearray, memoryview)) else chunks):
            view = memoryview(chunk).cast("B")
            if not known:
                crc = zlib.crc32(view, crc)
            self._write(view)
            written += view.nbytes
        if written != size:
            raise AssertionError(f"record {name}: wrote {written} bytes, announced {size}")
        if size:
            fmt = "<4sIQQ" if big else "<4sIII"
            self._write(struct.pack(fmt, b"PK\x07\x08", crc, size, size))
        self._entries.append((full, flags, crc, size, ofs))

    def finish(self) -> None:
        """Write the central directory, the zip64 end record and locator, and the classic end record."""
        cd_start = self._ofs
        for full, flags, crc, size, ofs in self._entries:
            fields = b""
            if size >= _U32:
                fields += struct.pack("<QQ", size, size)
            if ofs >= _U32:
                fields += struct.pack("<Q", ofs)
            extra = struct.pack("<HH", 1, len(fields)) + fields if fields else b""
            small = min(size, _U32)
            self._write(_CENTRAL.pack(b"PK\x01\x02", 0, 0, flags, 0, 0, 0, crc, small, small, len(full),
                                      len(extra), 0, 0, 0, 0, min(ofs, _U32)) + full + extra)
        cd_size = self._ofs - cd_start
        n = len(self._entries)
        eocd64_ofs = self._ofs
        self._write(_EOCD64.pack(b"PK\x06\x06", 44, 0x031E, 45, 0, 0, n, n, cd_size, cd_start))
        self._write(_LOCATOR.pack(b"PK\x06\x07", 0, eocd64_ofs, 1))
        self._write(_EOCD.pack(b"PK\x05\x06", 0, 0, min(n, 0xFFFF), min(n, 0xFFFF), min(cd_size, _U32),
                               min(cd_start, _U32), 0))


# ----------------------------------------------------------------------------------------------------------
# random-access sources
# ----------------------------------------------------------------------------------------------------------

class BufferSource:
    """Reads from an in-memory buffer (bytes, mmap, memoryview)."""

    def __init__(self, buf, name):
        self.buf = memoryview(buf).cast("B")
        self.size = self.buf.nbytes
        self.name = name

    def pread(self, ofs: int, n: int, record=None) -> bytes:
        if ofs < 0 or n < 0 or ofs + n > self.size:
            raise CorruptCheckpointError(f"{where(self.name, record)}: needs bytes {ofs}..{ofs + n} but the file "
                                         f"has {self.size} (truncated?)")
        return bytes(self.buf[ofs:ofs + n])

    def readinto(self, ofs: int, out: memoryview, record=None) -> None:
        n = out.nbytes
        if ofs < 0 or ofs + n > self.size:
            self.pread(ofs, n, record)   # raises the truncation error
        out[:] = self.buf[ofs:ofs + n]

    def chunks(self, ofs: int, n: int, record=None):
        if ofs < 0 or n < 0 or ofs + n > self.size:
            self.pread(ofs, n, record)   # raises the truncation error
        for i in range(ofs, ofs + n, _CHUNK):
            yield self.buf[i:min(i + _CHUNK, ofs + n)]


class FileSource:
    """Reads from a seekable binary file object with ``seek``/``readinto``."""

    def __init__(self, f, name):
        self.f = f
        self.name = name
        self.f.seek(0, 2)
        self.size = self.f.tell()

    def pread(self, ofs: int, n: int, record=None) -> bytes:
        if ofs < 0 or n < 0 or ofs + n > self.size:
            raise CorruptCheckpointError(f"{where(self.name, record)}: needs bytes {ofs}..{ofs + n} but the file "
                                         f"has {self.size} (truncated?)")
        self.f.seek(ofs)
        data = self.f.read(n)
        if len(data) != n:
            raise CorruptCheckpointError(f"{where(self.name, record)}: short read at byte {ofs}")
        return data

    def readinto(self, ofs: int, out: memoryview, record=None) -> None:
        """Read straight into ``out`` (one copy, no intermediate bytes)."""
        n = out.nbytes
        if ofs < 0 or ofs + n > self.size:
            self.pread(ofs, n, record)   # raises the truncation error
        self.f.seek(ofs)
        pos = 0
        while pos < n:
            got = self.f.readinto(out[pos:min(n, pos + _CHUNK)])
            if not got:
                raise CorruptCheckpointError(f"{where(self.name, record)}: short read at byte {ofs + pos}")
            pos += got

    def chunks(self, ofs: int, n: int, record=None):
        if ofs < 0 or n < 0 or ofs + n > self.size:
            raise CorruptCheckpointError(f"{where(self.name, record)}: needs bytes {ofs}..{ofs + n} but the file "
                                         f"has {self.size} (truncated?)")
        self.f.seek(ofs)
        left = n
        while left:
            data = self.f.read(min(left, _CHUNK))
            if not data:
                raise CorruptCheckpointError(f"{where(self.name, record)}: short read at byte {ofs + n - left}")
            left -= len(data)
            yield data


# ----------------------------------------------------------------------------------------------------------
# reading
# ----------------------------------------------------------------------------------------------------------

class Entry:
    """One central-directory entry."""

    __slots__ = ("name", "method", "flags", "crc", "csize", "usize", "header_ofs", "_data_ofs")

    def __init__(self, name, method, flags, crc, csize, usize, header_ofs):
        self.name, self.method, self.flags, self.crc = name, method, flags, crc
        self.csize, self.usize, self.header_ofs = csize, usize, header_ofs
        self._data_ofs = None

    def __repr__(self):
        return f"Entry({self.name!r}, size={self.usize}, method={self.method})"


class ZipReader:
    """The central directory of a zip archive, and bounded access to its records."""

    def __init__(self, src):
        self.src = src
        self.name = src.name
        self.entries = self._read_directory()
        self.by_name = {}
        for e in self.entries:
            if e.name in self.by_name:
                raise CorruptCheckpointError(f"{where(self.name, e.name)}: the record appears twice in the archive")
            self.by_name[e.name] = e

    def _bad(self, msg, record=None):
        return CorruptCheckpointError(f"{where(self.name, record)}: {msg}")

    def _read_directory(self):
        size = self.src.size
        if size < _EOCD.size:
            raise self._bad(f"file of {size} bytes is too small to be a zip archive (truncated?)")
        tail_len = min(size, _EOCD.size + 0xFFFF)
        tail = self.src.pread(size - tail_len, tail_len)
        pos = tail.rfind(b"PK\x05\x06")
        while pos >= 0:   # the real end record is the one whose comment ends exactly at the end of the file
            if pos + _EOCD.size <= tail_len and \
                    pos + _EOCD.size + struct.unpack_from("<H", tail, pos + 20)[0] == tail_len:
                break
            pos = tail.rfind(b"PK\x05\x06", 0, pos)
        if pos < 0:
            raise self._bad("end of the zip central directory not found (truncated or not a zip archive)")
        eocd_ofs = size - tail_len + pos
        _, disk, cd_disk, n_disk, n, cd_size, cd_ofs, _ = _EOCD.unpack_from(tail, pos)
        end_of_cd = eocd_ofs
        if eocd_ofs >= _LOCATOR.size:
            loc = self.src.pread(eocd_ofs - _LOCATOR.size, _LOCATOR.size)
            if loc[:4] == b"PK\x06\x07":
                _, _, e64_ofs, _ = _LOCATOR.unpack(loc)
                if e64_ofs + _EOCD64.size > eocd_ofs - _LOCATOR.size:
                    raise self._bad(f"zip64 end record offset {e64_ofs} is out of range")
                rec = _EOCD64.unpack(self.src.pread(e64_ofs, _EOCD64.size))
                if rec[0] != b"PK\x06\x06":
                    raise self._bad("zip64 end record signature missing")
                n, cd_size, cd_ofs = rec[7], rec[8], rec[9]
                end_of_cd = e64_ofs
        if cd_ofs + cd_size > end_of_cd:
            raise self._bad(f"central directory ({cd_size} bytes at {cd_ofs}) overlaps its end record "
                            "(truncated or corrupt)")
        if n * _CENTRAL.size > cd_size:
            raise self._bad(f"central directory claims {n} entries in {cd_size} bytes")
        cd = self.src.pread(cd_ofs, cd_size)
        entries, p = [], 0
        for i in range(n):
            if p + _CENTRAL.size > cd_size:
                raise self._bad(f"central directory entry {i} runs past the directory")
            (sig, _, _, flags, method, _, _, crc, csize, usize, nlen, xlen, clen, _, _, _,
             hofs) = _CENTRAL.unpack_from(cd, p)
            if sig != b"PK\x01\x02":
                raise self._bad(f"central directory entry {i} has a bad signature")
            end = p + _CENTRAL.size + nlen + xlen + clen
            if end > cd_size:
                raise self._bad(f"central directory entry {i} runs past the directory")
            raw = cd[p + _CENTRAL.size:p + _CENTRAL.size + nlen]
            try:
                name = raw.decode("utf-8" if flags & 0x800 else "cp437")
            except UnicodeDecodeError:
                raise self._bad(f"central directory entry {i} has an undecodable name {raw!r}") from None
            extra = cd[p + _CENTRAL.size + nlen:p + _CENTRAL.size + nlen + xlen]
            if csize == _U32 or usize == _U32 or hofs == _U32:
                usize, csize, hofs = self._zip64_fields(extra, usize, csize, hofs, name)
            if hofs + _LOCAL.size > cd_ofs or csize > size:
                raise self._bad(f"entry header offset {hofs} or size {csize} is out of range", name)
            entries.append(Entry(name, method, flags, crc, csize, usize, hofs))
            p = end
        return entries

    def _zip64_fields(self, extra, usize, csize, hofs, name):
        q = 0
        while q + 4 <= len(extra):
            tag, ln = struct.unpack_from("<HH", extra, q)
            body = extra[q + 4:q + 4 + ln]
            if tag == 1:
                vals, k = [], 0
                for want in (usize == _U32, csize == _U32, hofs == _U32):
                    if want:
                        if k + 8 > len(body):
                            raise self._bad("zip64 extra field too short", name)
                        vals.append(struct.unpack_from("<Q", body, k)[0])
                        k += 8
                    else:
                        vals.append(None)
                return (vals[0] if vals[0] is not None else usize, vals[1] if vals[1] is not None else csize,
                        vals[2] if vals[2] is not None else hofs)
            q += 4 + ln
        raise self._bad("zip64 sizes announced but the zip64 extra field is missing", name)

    # ---- record access ----------------------------------------------------------------------------------
    def data_offset(self, e: Entry) -> int:
        """Where ``e``'s bytes start, from its *local* header (its extra field differs from the central one)."""
        if e._data_ofs is None:
            head = self.src.pread(e.header_ofs, _LOCAL.size, e.name)
            sig, _, _, _, _, _, _, _, _, nlen, xlen = _LOCAL.unpack(head)
            if sig != b"PK\x03\x04":
                raise self._bad(f"local header signature missing at byte {e.header_ofs}", e.name)
            raw = self.src.pread(e.header_ofs + _LOCAL.size, nlen, e.name)
            if raw.decode("utf-8", "replace") != e.name and raw.decode("cp437") != e.name:
                raise self._bad(f"local header names {raw!r}, the central directory {e.name!r}", e.name)
            start = e.header_ofs + _LOCAL.size + nlen + xlen
            if start + e.csize > self.src.size:
                raise self._bad(f"record data ({e.csize} bytes at {start}) runs past the end of the file "
                                f"({self.src.size} bytes; truncated?)", e.name)
            if e.method == 0 and e.csize != e.usize:
                raise self._bad(f"stored record has compressed size {e.csize} != size {e.usize}", e.name)
            if e.method not in (0, 8):
                raise UnsupportedCheckpointError(f"{where(self.name, e.name)}: zip compression method "
                                                 f"{e.method} is not supported (only stored and deflate)")
            e._data_ofs = start
        return e._data_ofs

    def read(self, e: Entry, limit: int, verify_crc: bool = True) -> bytes:
        """The whole record as bytes; refuses records over ``limit`` bytes before reading them."""
        if e.usize > limit:
            raise self._bad(f"record of {e.usize} bytes exceeds the limit of {limit}", e.name)
        out = bytearray(e.usize)
        self.readinto(e, memoryview(out), verify_crc)
        return bytes(out)

    def readinto(self, e: Entry, out: memoryview, verify_crc: bool = True) -> None:
        """Fill ``out`` (exactly ``e.usize`` bytes) with the record, inflating if needed."""
        start = self.data_offset(e)
        if out.nbytes != e.usize:
            raise self._bad(f"record holds {e.usize} bytes, expected {out.nbytes}", e.name)
        crc, pos = 0, 0
        if e.method == 0 and (not verify_crc or e.usize >= _PARALLEL_MIN):
            self.src.readinto(start, out, e.name)
            if verify_crc:
                crc = parallel_crc32(out)
        elif e.method == 0:
            for i in range(0, e.usize, _CRC_CHUNK):   # CRC each piece while it is still in the CPU cache
                piece = out[i:i + _CRC_CHUNK]
                self.src.readinto(start + i, piece, e.name)
                crc = zlib.crc32(piece, crc)
        else:
            inflater = zlib.decompressobj(-15)
            try:
                for chunk in self.src.chunks(start, e.csize, e.name):
                    buf = chunk
                    while buf and not inflater.eof:
                        # trap: cap each step at the declared size (+1 to notice a lie), so a deflate bomb
                        # can never make us allocate more than the record announced
                        piece = inflater.decompress(buf, e.usize - pos + 1)
                        if pos + len(piece) > e.usize:
                            raise self._bad(f"inflates past its declared size of {e.usize} bytes", e.name)
                        out[pos:pos + len(piece)] = piece
                        if verify_crc:
                            crc = zlib.crc32(piece, crc)
                        pos += len(piece)
                        buf = inflater.unconsumed_tail
            except zlib.error as exc:
                raise self._bad(f"deflate data is corrupt ({exc})", e.name) from None
            if not inflater.eof or pos != e.usize:
                raise self._bad(f"deflate stream ends after {pos} of {e.usize} bytes", e.name)
        if verify_crc and e.crc != 0 and (crc & _U32) != e.crc:
            # crc 0 means "not computed": torch.serialization.set_crc32_options(False) writes it
            raise self._bad(f"CRC-32 mismatch (stored {e.crc:#010x}, computed {crc & _U32:#010x}); the file "
                            "is damaged", e.name)

    def verify_crc(self, e: Entry) -> None:
        """Check a stored record's CRC without copying it."""
        if e.crc == 0:
            return
        start, crc = self.data_offset(e), 0
        if isinstance(self.src, BufferSource):
            crc = parallel_crc32(self.src.buf[start:start + e.csize])
        else:
            for chunk in self.src.chunks(start, e.csize, e.name):
                crc = zlib.crc32(chunk, crc)
        if crc & _U32 != e.crc:
            raise self._bad(f"CRC-32 mismatch (stored {e.crc:#010x}, computed {crc & _U32:#010x}); the file "
                            "is damaged", e.name)
