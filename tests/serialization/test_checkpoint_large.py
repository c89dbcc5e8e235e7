"""Checkpoints past 4 GiB (zip64), both ways (CHECKPOINT-FORMAT.md 10, item 9).

Opt-in (about 30 s, 4.1 GiB of disk and memory): ``EMBER_TEST_LARGE=1 pytest tests/serialization``.
"""
import os

import numpy as np
import pytest

import ember
from ember.serialization import load, save

pytestmark = pytest.mark.skipif(os.environ.get("EMBER_TEST_LARGE") != "1",
                                reason="opt-in: set EMBER_TEST_LARGE=1 (4 GiB of disk and memory)")

BIG = (4 << 30) + (1 << 20)     # data/0 is over 4 GiB, so data/1 starts past the 4 GiB offset


def test_ember_writes_zip64_that_torch_reads_with_predicted_offsets(tmp_path, monkeypatch):
    torch = pytest.importorskip("torch")
    import torch.utils.serialization as tus
    big = np.zeros(BIG, np.uint8)
    big[[0, 1 << 32, -1]] = (7, 8, 9)
    path = tmp_path / "large.pth"
    save({"big": ember.from_numpy(big), "after": ember.from_numpy(np.arange(10, dtype=np.float32))}, path)
    del big
    assert os.path.getsize(path) > BIG
    mine = load(path, mmap=True)
    assert mine["after"].tolist() == list(range(10))
    assert [int(mine["big"]._data[i]) for i in (0, 1 << 32, -1)] == [7, 8, 9]
    del mine
    monkeypatch.setenv("TORCH_SERIALIZATION_DEBUG", "1")
    tus.config.load.calculate_storage_offsets = True
    try:
        theirs = torch.load(path, weights_only=True, mmap=True)
    finally:
        tus.config.load.calculate_storage_offsets = False
    assert theirs["after"].tolist() == list(range(10))
    assert [int(theirs["big"][i]) for i in (0, 1 << 32, -1)] == [7, 8, 9]


def test_torch_zip64_file_loads_in_ember(tmp_path):
    torch = pytest.importorskip("torch")
    big = torch.zeros(BIG, dtype=torch.uint8)
    big[0], big[1 << 32], big[-1] = 7, 8, 9
    path = tmp_path / "torch_large.pth"
    torch.save({"big": big, "after": torch.arange(10.0)}, path)
    del big
    for use_mmap in (True, False):
        got = load(path, mmap=use_mmap, verify_crc=use_mmap is False)
        assert got["after"].tolist() == list(range(10))
        assert [int(got["big"]._data[i]) for i in (0, 1 << 32, -1)] == [7, 8, 9]
        del got
