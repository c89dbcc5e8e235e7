"""Reading torch-made files (CHECKPOINT-FORMAT.md 10, items 1-3): committed fixtures, no torch needed."""
import collections
import hashlib
import io
import json
import mmap
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

import ember
from ember.serialization import load
from _ckpt_describe import ember_describer

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")
with open(os.path.join(FIXTURES, "manifest.json")) as _fh:
    MANIFEST = json.load(_fh)
EXACT = sorted(n for n in MANIFEST if n != "tensor_attrs.pth")


def fixture(name):
    return os.path.join(FIXTURES, name)


def _root(arr):
    while isinstance(arr.base, np.ndarray):
        arr = arr.base
    return arr


@pytest.mark.parametrize("use_mmap", [False, True], ids=["read", "mmap"])
@pytest.mark.parametrize("name", EXACT)
def test_torch_fixture_loads_exactly(name, use_mmap):
    # bits, dtype, shape, stride, offset, requires_grad, Parameter-ness, storage sharing, non-tensor values,
    # _metadata: all as torch.load returned them when make_fixtures.py wrote the manifest
    assert ember_describer()(load(fixture(name), mmap=use_mmap)) == MANIFEST[name]


@pytest.mark.parametrize("name", ["checkpoint.pth", "legacy.pth", "proto4.pth", "views.pth"])
def test_weights_only_false_reads_the_same(name):
    assert ember_describer()(load(fixture(name), weights_only=False)) == MANIFEST[name]


def test_state_dict_metadata_is_kept():
    sd = load(fixture("cnn_bn.pth"))
    assert type(sd) is collections.OrderedDict
    assert list(sd) == ["conv.weight", "conv.bias", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var",
                        "bn.num_batches_tracked", "fc.weight", "fc.bias"]
    assert sd._metadata == {"": {"version": 1}, "conv": {"version": 1}, "bn": {"version": 2},
                            "fc": {"version": 1}}
    assert sd["bn.num_batches_tracked"].dtype == ember.int64


def test_views_share_memory_like_torch():
    v = load(fixture("views.pth"))
    base = v["base"]._data
    for key in ("view2d", "T", "slice", "step", "col"):
        assert np.shares_memory(base, v[key]._data), key
    assert v["T"].stride() == (1, 6) and v["slice"].storage_offset() == 5 and v["step"].stride() == (3,)
    assert v["col"].storage_offset() == 2 and v["col"].stride() == (6,)
    assert v["expand"].stride() == (0, 1) and _root(v["expand"]._data).size == 3
    assert v["scalar"].shape == () and v["scalar"].item() == 7.5
    assert v["empty"].shape == (0, 3) and v["empty"].stride() == (3, 1)
    assert not np.shares_memory(base, v["expand"]._data)


def test_training_checkpoint_values():
    ck = load(fixture("checkpoint.pth"))
    assert ck["epoch"] == 7 and ck["big"] == 2**70 and ck["neg_big"] == -(2**100) and ck["tiny"] == 1.5e-300
    assert np.isnan(ck["nan"]) and ck["inf"] == float("inf") and ck["ninf"] == -float("inf")
    assert ck["blob"] == b"\x00\xffbytes" and ck["tags"] == {"a", "b"} and ck["name"] == "résumé ✓"
    assert ck["alias1"] is ck["alias2"]
    assert ck["dtype"] is ember.float16 and ck["size"] == ember.Size([2, 3]) and ck["device"] == ember.device("cpu")
    opt = ck["optimizer"]
    assert sorted(opt) == ["param_groups", "state"]
    assert opt["param_groups"][0]["params"] == list(range(len(ck["model"]) - 3))   # bn buffers aren't params
    assert set(opt["state"][0]) == {"step", "exp_avg", "exp_avg_sq"}


def test_parameters_and_requires_grad():
    from ember.nn.parameter import Parameter
    p = load(fixture("params.pth"))
    assert type(p["p"]) is Parameter and p["p"].requires_grad
    assert type(p["frozen"]) is Parameter and not p["frozen"].requires_grad
    assert p["p"] is p["p_again"]
    assert p["attr_param"].note == "kept"
    assert type(p["t_rg"]) is ember.Tensor and p["t_rg"].requires_grad and p["t_rg"].is_leaf


def test_tensor_python_attributes_are_restored():
    # torch keeps Python attributes set on a tensor (t.foo = ...); so does ember
    t = load(fixture("tensor_attrs.pth"))["t"]
    assert t.tolist() == [0.0, 1.0, 2.0]
    assert "foo" in t.__dict__


def test_conj_and_neg_bits_are_applied():
    c = load(fixture("conj.pth"))
    np.testing.assert_array_equal(c["conj"]._data, np.conj(c["plain"]._data))
    assert c["neg"].tolist() == [-0.0, -1.0, -2.0]


def test_mmap_is_backed_by_the_file_and_copy_on_write(tmp_path):
    path = tmp_path / "views.pth"
    shutil.copy(fixture("views.pth"), path)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    v = load(path, mmap=True)
    arr = _root(v["base"]._data)
    assert isinstance(arr.base, memoryview) and isinstance(arr.base.obj, mmap.mmap)   # no copy: the mapping
    assert arr.flags.writeable
    v["base"]._data[:] = -1.0          # copy-on-write: the file never changes
    assert v["T"]._data[0, 0] == -1.0  # views of one storage still alias each other
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert load(path, mmap=True)["base"].tolist() == list(range(24))


def test_without_mmap_arrays_are_independent_copies(tmp_path):
    path = tmp_path / "views.pth"
    shutil.copy(fixture("views.pth"), path)
    a, b = load(path), load(path)
    root = _root(a["base"]._data)
    assert root.base is None and root.flags.writeable
    a["base"]._data[:] = -1.0
    assert b["base"].tolist() == list(range(24))


def test_file_objects_pathlike_and_streams(tmp_path):
    expected = MANIFEST["views.pth"]
    with open(fixture("views.pth"), "rb") as fh:
        assert ember_describer()(load(fh)) == expected
    with open(fixture("views.pth"), "rb") as fh:
        assert ember_describer()(load(fh, mmap=True)) == expected
    data = open(fixture("views.pth"), "rb").read()
    assert ember_describer()(load(io.BytesIO(data))) == expected

    class Stream(io.RawIOBase):   # not seekable, like a pipe
        def __init__(self):
            self.inner = io.BytesIO(data)

        def readable(self):
            return True

        def readinto(self, b):
            return self.inner.readinto(b)

    assert ember_describer()(load(io.BufferedReader(Stream()))) == expected
    with pytest.raises(ValueError, match="mmap"):
        load(io.BytesIO(data), mmap=True)


@pytest.mark.parametrize("map_location", ["cpu", ember.device("cpu"), {"cpu": "cpu"}, {"cuda:0": "cpu"},
                                          lambda storage, loc: storage, lambda storage, loc: None],
                         ids=["str", "device", "dict", "dict-other", "callable", "callable-none"])
def test_map_location_to_cpu(map_location):
    assert ember_describer()(load(fixture("views.pth"), map_location=map_location)) == MANIFEST["views.pth"]


def test_map_location_callable_sees_storage_and_location():
    seen = []
    load(fixture("views.pth"), map_location=lambda storage, loc: seen.append((storage.numel(), loc)))
    assert (24, "cpu") in seen


def test_map_location_cuda_without_cupy_is_a_clear_error():
    try:
        import cupy  # noqa: F401
        pytest.skip("CuPy is installed")
    except ImportError:
        pass
    # torch's error on a machine without CUDA
    with pytest.raises(RuntimeError, match="^Attempting to deserialize object on a CUDA device but "
                                           r"torch.cuda.is_available\(\) is False"):
        load(fixture("views.pth"), map_location="cuda")


def test_loading_never_imports_torch():
    code = ("import sys, ember; "
            f"[ember.load(p, mmap=m) for p in {[fixture(n) for n in EXACT]!r} for m in (False, True)]; "
            "print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=os.path.dirname(os.path.dirname(HERE)))
    assert out.stdout.strip() == "False"


def test_torchscript_archive_is_refused_clearly():
    with pytest.raises(ember.serialization.UnsupportedCheckpointError, match="not a torch.save checkpoint"):
        load(fixture("torchscript.pt"))


@pytest.mark.parametrize("use_mmap", [False, True])
def test_big_endian_archive(tmp_path, use_mmap):
    # byteorder 'big' (written by torch on big-endian hosts): values are converted to native order
    import zipfile
    from _ckpt_crafted import archive
    buf = io.BytesIO()
    ember.save({"a": ember.from_numpy(np.arange(4, dtype=np.float32)),
                "b": ember.from_numpy(np.arange(3, dtype=np.int16))}, buf)
    pkl = zipfile.ZipFile(buf).read("archive/data.pkl")
    path = tmp_path / "big.pth"
    path.write_bytes(archive(pkl, {"byteorder": b"big", "data/0": np.arange(4, dtype=">f4").tobytes(),
                                   "data/1": np.arange(3, dtype=">i2").tobytes()}))
    got = load(path, mmap=use_mmap)
    assert got["a"].tolist() == [0.0, 1.0, 2.0, 3.0] and got["a"].dtype == ember.float32
    assert got["b"].tolist() == [0, 1, 2] and got["b"].dtype == ember.int16
