"""Damaged files (CHECKPOINT-FORMAT.md 10, item 14): one clear error naming the file and the record."""
import io
import os
import struct
import time
import zipfile

import numpy as np
import pytest

import ember
from ember.serialization import CorruptCheckpointError, load, save

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")


@pytest.fixture
def good(tmp_path):
    """An ember-written checkpoint ``ck.pth`` (archive folder ``ck``) and its bytes."""
    path = tmp_path / "ck.pth"
    save({"w": ember.from_numpy(np.arange(64, dtype=np.float32)), "b": ember.from_numpy(np.ones(3, np.int64)),
          "meta": {"epoch": 3}}, path)
    return path, path.read_bytes()


def data_span(data, record):
    """(start, size) of a record's bytes, from its local header."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(record)
    nlen, xlen = struct.unpack_from("<HH", data, info.header_offset + 26)
    return info.header_offset + 30 + nlen + xlen, info.file_size


def refused(path, *texts, **kw):
    start = time.process_time()
    with pytest.raises(CorruptCheckpointError) as info:
        load(path, **kw)
    assert time.process_time() - start < 1.0   # CPU time: bounded work, whatever the machine's load
    msg = str(info.value)
    assert str(path) in msg, msg
    for text in texts:
        assert text in msg, msg
    return msg


def rewrite(path, data):
    path.write_bytes(data)
    return path


def test_truncated_to_half(good):
    path, data = good
    refused(rewrite(path, data[:len(data) // 2]), "truncated", "record 'ck/")


def test_truncated_by_ten_bytes(good):
    path, data = good
    refused(rewrite(path, data[:-10]), "truncated", "record 'ck/")


def test_empty_file(tmp_path):
    refused(rewrite(tmp_path / "e.pth", b""), "empty")


def test_random_bytes(tmp_path):
    refused(rewrite(tmp_path / "r.pth", np.random.default_rng(0).bytes(4096)), "not a torch checkpoint")


def test_random_bytes_after_a_zip_signature(tmp_path):
    refused(rewrite(tmp_path / "r.pth", b"PK\x03\x04" + np.random.default_rng(1).bytes(4096)), "zip")


def test_flipped_byte_in_data_pkl(good):
    path, data = good
    start, _ = data_span(data, "ck/data.pkl")
    bad = bytearray(data)
    bad[start + 20] ^= 0x01
    refused(rewrite(path, bytes(bad)), "CRC-32", "record 'ck/data.pkl'")


@pytest.mark.parametrize("kw", [{}, {"mmap": True, "verify_crc": True}], ids=["read", "mmap+verify"])
def test_flipped_byte_in_a_storage(good, kw):
    path, data = good
    start, size = data_span(data, "ck/data/0")
    bad = bytearray(data)
    bad[start + size // 2] ^= 0x40
    refused(rewrite(path, bytes(bad)), "CRC-32", "record 'ck/data/0'", **kw)
    # mmap without verification reads nothing up front, as torch (which never checks CRCs)
    assert load(path, mmap=True)["w"].shape == (64,)


def _repack(data, drop=(), add=()):
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename not in drop:
                dst.writestr(info.filename, src.read(info))
        for name, payload in add:
            dst.writestr(name, payload)
    return out.getvalue()


def test_two_top_level_folders(good):
    path, data = good
    refused(rewrite(path, _repack(data, add=[("other/x", b"1")])), "two top-level folders", "record 'other/x'")


def test_missing_data_pkl(good):
    path, data = good
    refused(rewrite(path, _repack(data, drop=["ck/data.pkl"])), "record 'ck/data.pkl'", "missing")


def test_missing_storage_record(good):
    path, data = good
    refused(rewrite(path, _repack(data, drop=["ck/data/1"])), "record 'ck/data/1'", "missing")


def test_duplicate_record(good):
    path, data = good
    with pytest.warns(UserWarning):   # zipfile itself warns about the duplicate name
        bad = _repack(data, add=[("ck/data/0", b"\x00" * 256)])
    refused(rewrite(path, bad), "appears twice")


def test_central_directory_and_local_header_disagree(good):
    path, data = good
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("ck/data/0")
    bad = bytearray(data)
    name_at = info.header_offset + 30
    bad[name_at + len("ck/data/")] = ord("9")
    refused(rewrite(path, bytes(bad)), "local header names")


def test_bool_storage_with_bytes_other_than_0_and_1(tmp_path):
    path = tmp_path / "b.pth"
    save({"m": ember.from_numpy(np.array([True, False, True]))}, path)
    data = path.read_bytes()
    start, _ = data_span(data, "b/data/0")
    bad = bytearray(data)
    bad[start] = 2
    refused(rewrite(path, bytes(bad)), "bool", mmap=True)


def test_crc_zero_means_not_computed(good):
    # torch.serialization.set_crc32_options(False) writes CRC 0: accepted (fixture nocrc.pth covers torch's file)
    path, data = good
    zf = zipfile.ZipFile(io.BytesIO(data))
    bad = bytearray(data)
    cd = data.index(b"PK\x01\x02")
    for _ in zf.infolist():
        bad[cd + 16:cd + 20] = b"\x00\x00\x00\x00"
        nlen, xlen, clen = struct.unpack_from("<HHH", bad, cd + 28)
        cd += 46 + nlen + xlen + clen
    assert load(rewrite(path, bytes(bad)))["w"].tolist() == list(range(64))
    assert load(os.path.join(FIXTURES, "nocrc.pth"))["base"].tolist() == list(range(24))


def test_legacy_file_truncated_in_its_data(tmp_path):
    data = open(os.path.join(FIXTURES, "legacy.pth"), "rb").read()
    refused(rewrite(tmp_path / "l.pth", data[:-10]), "legacy storage", "truncated")


@pytest.mark.parametrize("kw", [{}, {"mmap": True, "verify_crc": True}], ids=["read", "mmap+verify"])
def test_flipped_byte_in_a_large_storage(tmp_path, kw):
    # records of 32 MiB and more are checked by the multi-core CRC path
    path = tmp_path / "big.pth"
    save({"w": ember.from_numpy(np.zeros(10 << 20, np.float32))}, path)
    data = bytearray(path.read_bytes())
    start, size = data_span(bytes(data), "big/data/0")
    data[start + size - 3] ^= 0x01
    refused(rewrite(path, bytes(data)), "CRC-32", "record 'big/data/0'", **kw)
