"""The multi-core CRC-32 equals zlib's, for every split of the buffer into pieces."""
import zlib

import numpy as np
import pytest

from ember.serialization import _crc


@pytest.mark.parametrize("n", [0, 1, 4 * _crc._PIECE - 1, 4 * _crc._PIECE, 4 * _crc._PIECE + 1,
                               5 * _crc._PIECE + 12345])
@pytest.mark.parametrize("start", [0, 0xDEADBEEF])
def test_matches_zlib(n, start, monkeypatch):
    monkeypatch.setattr(_crc, "_workers", lambda: 4)   # take the threaded path even on one core
    data = (np.arange(n, dtype=np.uint32) * 2654435761 >> 13).astype(np.uint8)
    view = memoryview(data)
    assert _crc.crc32(view, start) == zlib.crc32(view, start)


def test_zeros_operator_is_crc_combination():
    a, b = b"hello, ", b"checkpoint"
    shift = _crc._zeros_operator(len(b))
    assert _crc._apply(shift, zlib.crc32(a)) ^ zlib.crc32(b) == zlib.crc32(a + b)
