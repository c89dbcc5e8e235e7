"""ember.safetensors: native reading and writing, checked against the ``safetensors`` package and torch."""
import json
import os
import struct

import numpy as np
import pytest

import ember
import ember.safetensors as st
from ember.serialization import CorruptCheckpointError
from ember.tensor import _wrap

BF16 = ember.bfloat16.np


def arrays():
    rng = np.random.default_rng(0)
    f = rng.standard_normal(12).astype(np.float32)
    return {"f32": f.reshape(3, 4), "f64": f.astype(np.float64), "f16": f.astype(np.float16),
            "bf16": f.astype(BF16).reshape(4, 3), "i8": np.arange(-3, 3, dtype=np.int8),
            "i16": np.arange(-3, 3, dtype=np.int16), "i32": np.arange(6, dtype=np.int32),
            "i64": np.arange(6, dtype=np.int64), "u8": np.arange(250, 256, dtype=np.uint8),
            "u16": np.array([0, 65535], np.uint16), "u32": np.array([0, 2**32 - 1], np.uint32),
            "u64": np.array([0, 2**64 - 1], np.uint64), "bool": np.array([True, False]),
            "c64": (f[:4] + 1j * f[4:8]).astype(np.complex64), "scalar": np.array(2.5, np.float32),
            "empty": np.empty((0, 3), np.float32),
            # non-contiguous inputs: the safetensors package gets these wrong, ember must not
            "transposed": f.reshape(3, 4).T, "strided": f[::3], "reversed": f[::-1],
            "fortran": np.asfortranarray(f.reshape(3, 4)), "bf16_T": f.astype(BF16).reshape(3, 4).T}


def tensors():
    return {k: _wrap(v) for k, v in arrays().items()}


def check(loaded, expected=None):
    expected = arrays() if expected is None else expected
    assert sorted(loaded) == sorted(expected)
    for k, v in expected.items():
        got = loaded[k]._data if isinstance(loaded[k], ember.Tensor) else loaded[k]
        assert got.dtype == v.dtype and got.shape == v.shape, k
        assert got.tobytes() == np.ascontiguousarray(v).tobytes(), k


def test_round_trip_file_and_bytes(tmp_path):
    st.save_file(tensors(), tmp_path / "m.safetensors", metadata={"format": "pt", "step": "3"})
    check(st.load_file(tmp_path / "m.safetensors"))
    check(st.load(st.save(tensors())))
    check(ember.load(tmp_path / "m.safetensors"))   # ember.load dispatches by extension, as torch.load does


def test_layout(tmp_path):
    blob = st.save({"a": _wrap(np.ones(3, np.float32)), "b": _wrap(np.ones(2, np.float64))}, {"k": "v"})
    (n,) = struct.unpack("<Q", blob[:8])
    assert n % 8 == 0
    header = json.loads(blob[8:8 + n])
    assert header["__metadata__"] == {"k": "v"}
    assert header["b"] == {"dtype": "F64", "shape": [2], "data_offsets": [0, 16]}   # widest dtype first
    assert header["a"] == {"dtype": "F32", "shape": [3], "data_offsets": [16, 28]}
    assert len(blob) == 8 + n + 28


def test_safe_open_is_lazy_and_slices(tmp_path):
    path = tmp_path / "m.safetensors"
    st.save_file(tensors(), path, metadata={"format": "pt"})
    with st.safe_open(path, framework="pt") as f:
        assert sorted(f.keys()) == sorted(arrays()) and f.metadata() == {"format": "pt"}
        assert f.get_tensor("f32").tolist() == arrays()["f32"].tolist()
        sl = f.get_slice("f32")
        assert sl.get_shape() == [3, 4] and sl.get_dtype() == "F32"
        assert sl[1:, ::2].tolist() == arrays()["f32"][1:, ::2].tolist()
        with pytest.raises(KeyError, match="nope"):
            f.get_tensor("nope")


def test_unsavable_inputs(tmp_path):
    with pytest.raises(TypeError, match="complex128"):
        st.save({"c": _wrap(np.ones(2, np.complex128))})
    with pytest.raises(TypeError, match="str -> str"):
        st.save({"a": _wrap(np.ones(2, np.float32))}, metadata={"step": 3})
    with pytest.raises(TypeError, match="ember Tensor"):
        st.save({"a": np.ones(2)})
    with pytest.raises(TypeError):
        st.save_file({"a": {"nested": 1}}, tmp_path / "x.safetensors")
    assert os.listdir(tmp_path) == []


def _header_blob(header, data=b""):
    raw = json.dumps(header).encode()
    return struct.pack("<Q", len(raw)) + raw + data


@pytest.mark.parametrize("blob, text", [
    (b"", "too short"),
    (struct.pack("<Q", 1 << 40), "header length"),
    (struct.pack("<Q", 4) + b"{no}", "not JSON"),
    (_header_blob({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}, b"\0" * 4), "outside"),
    (_header_blob({"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}, b"\0" * 8), "needs 12 bytes"),
    (_header_blob({"a": {"dtype": "X9", "shape": [2], "data_offsets": [0, 8]}}, b"\0" * 8), "dtype"),
    (_header_blob({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                   "b": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}, b"\0" * 8), "overlap"),
    (_header_blob({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}, b"\0" * 8), "cover"),
    (_header_blob({"a": {"dtype": "BOOL", "shape": [1], "data_offsets": [0, 1]}}, b"\x07"), "bool"),
    (_header_blob({"a": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 0]}}), "shape"),
], ids=["empty", "huge-header", "bad-json", "past-end", "size-mismatch", "dtype", "overlap", "hole", "bool",
        "negative-shape"])
def test_corrupt_files(tmp_path, blob, text):
    path = tmp_path / "bad.safetensors"
    path.write_bytes(blob)
    with pytest.raises(CorruptCheckpointError, match=text):
        st.load_file(path)
    with pytest.raises(CorruptCheckpointError, match=text):
        st.load(blob)


# ---- interoperability ------------------------------------------------------------------------------------------

def test_the_safetensors_package_reads_and_writes_the_same(tmp_path):
    pytest.importorskip("ml_dtypes")
    stn = pytest.importorskip("safetensors.numpy")
    st.save_file(tensors(), tmp_path / "ember.safetensors", metadata={"a": "b"})
    check(stn.load_file(str(tmp_path / "ember.safetensors")))
    contiguous = {k: np.ascontiguousarray(v) for k, v in arrays().items()}   # the package needs these
    stn.save_file(contiguous, str(tmp_path / "package.safetensors"))
    check(st.load_file(tmp_path / "package.safetensors"), contiguous)


def test_torch_reads_ember_files(tmp_path):
    torch = pytest.importorskip("torch")
    pytest.importorskip("safetensors.torch")
    from safetensors.torch import load_file
    st.save_file(tensors(), tmp_path / "ember.safetensors")
    got = load_file(str(tmp_path / "ember.safetensors"))
    for k, v in arrays().items():
        t = got[k]
        expected = np.ascontiguousarray(v)
        if v.dtype == BF16:
            assert t.dtype == torch.bfloat16
            np.testing.assert_array_equal(t.float().numpy(), expected.astype(np.float32))
        else:
            np.testing.assert_array_equal(t.numpy(), expected)
