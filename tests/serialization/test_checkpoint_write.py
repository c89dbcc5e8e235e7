"""Writing files torch reads (CHECKPOINT-FORMAT.md 10, items 4-8), and full round trips."""
import collections
import io
import json
import os
import pickletools
import struct
import zipfile

import numpy as np
import pytest

import ember
from ember.serialization import load, save
from ember.tensor import _wrap
from _ckpt_describe import ember_describer

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")
with open(os.path.join(FIXTURES, "manifest.json")) as _fh:
    MANIFEST = json.load(_fh)
ROUND_TRIP = sorted(n for n in MANIFEST if n != "tensor_attrs.pth")

# the opcodes of torch's weights-only unpickler (torch/_weights_only_unpickler.py, protocol 2 only)
TORCH_OPCODES = {"PROTO", "STOP", "MARK", "NONE", "NEWTRUE", "NEWFALSE", "BININT", "BININT1", "BININT2", "LONG1",
                 "BINFLOAT", "BINUNICODE", "EMPTY_DICT", "EMPTY_LIST", "EMPTY_TUPLE", "TUPLE", "TUPLE1", "TUPLE2",
                 "TUPLE3", "APPEND", "APPENDS", "SETITEM", "SETITEMS", "GLOBAL", "REDUCE", "BUILD", "BINPERSID",
                 "BINPUT", "LONG_BINPUT", "BINGET", "LONG_BINGET"}


def from_np(a):
    return ember.from_numpy(a)


def ember_views():
    base = np.arange(24, dtype=np.float32)
    v2 = base.reshape(4, 6)
    return {"base": from_np(base), "view2d": from_np(v2), "T": from_np(v2.T), "slice": from_np(base[5:17]),
            "step": from_np(base[::3]), "col": from_np(v2[:, 2]),
            "expand": from_np(np.broadcast_to(np.arange(3, dtype=np.float32), (4, 3))),
            "scalar": from_np(np.array(7.5, dtype=np.float32)), "empty": from_np(np.empty((0, 3), np.float32)),
            "fortran": from_np(np.asfortranarray(np.arange(6.0).reshape(2, 3))),
            "reversed": _wrap(base[::-1]),   # ops may make negative-stride arrays even if from_numpy refuses them
            "bf16_T": from_np(np.arange(6, dtype=ember.bfloat16.np).reshape(2, 3).T),
            "u16": from_np(np.arange(6, dtype=np.uint16).reshape(2, 3)[:, 1:]),
            "bool": from_np(np.array([True, False])), "c128": from_np(np.array([1 + 2j, -3j]))}


def record_layout(data):
    """[(relative name, data offset, size, flags)] from the raw local headers, in file order."""
    zf = zipfile.ZipFile(io.BytesIO(data))
    out = []
    for info in zf.infolist():
        sig, _, flags, _, _, _, _, _, _, nlen, xlen = struct.unpack_from("<4sHHHHHIIIHH", data, info.header_offset)
        assert sig == b"PK\x03\x04"
        start = info.header_offset + 30 + nlen + xlen
        out.append((info.filename.split("/", 1)[1], start, info.file_size, flags))
    return zf, out


# ---- torch reads ember's files ----------------------------------------------------------------------------------

@pytest.fixture
def torch_mod():
    return pytest.importorskip("torch")


def torch_load(torch, path, mode, monkeypatch):
    """torch.load three ways: plain, mmap, and mmap predicting offsets from the miniz layout (debug-asserted)."""
    import torch.utils.serialization as tus
    if mode != "offsets":
        return torch.load(path, weights_only=True, mmap=mode == "mmap")
    monkeypatch.setenv("TORCH_SERIALIZATION_DEBUG", "1")
    tus.config.load.calculate_storage_offsets = True   # (monkeypatch.setattr breaks torch's config module)
    try:
        return torch.load(path, weights_only=True, mmap=True)
    finally:
        tus.config.load.calculate_storage_offsets = False


MODES = ["plain", "mmap", "offsets"]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", ROUND_TRIP)
def test_round_trip_torch_file_through_ember_is_identical_in_torch(name, mode, tmp_path, torch_mod, monkeypatch):
    from _ckpt_describe import torch_describer
    out = tmp_path / name
    save(load(os.path.join(FIXTURES, name)), out)
    assert torch_describer()(torch_load(torch_mod, out, mode, monkeypatch)) == MANIFEST[name]


@pytest.mark.parametrize("source_mmap", [False, True], ids=["from-read", "from-mmap"])
@pytest.mark.parametrize("name", ROUND_TRIP)
def test_round_trip_ember_to_ember_is_identical(name, source_mmap, tmp_path):
    out = tmp_path / name
    save(load(os.path.join(FIXTURES, name), mmap=source_mmap), out)
    for use_mmap in (False, True):
        assert ember_describer()(load(out, mmap=use_mmap)) == MANIFEST[name]


@pytest.mark.parametrize("mode", MODES)
def test_ember_made_views_in_torch(mode, tmp_path, torch_mod, monkeypatch):
    torch = torch_mod
    obj = ember_views()
    save(obj, tmp_path / "v.pth")
    t = torch_load(torch, tmp_path / "v.pth", mode, monkeypatch)
    for k, v in obj.items():
        assert str(t[k].dtype) == f"torch.{v.dtype.name}", k
        assert tuple(t[k].shape) == tuple(v.shape), k
        expected = v._data.astype(np.float32) if v.dtype is ember.bfloat16 else v._data
        got = t[k].float().numpy() if v.dtype is ember.bfloat16 else t[k].numpy()
        np.testing.assert_array_equal(got, expected, err_msg=k)
    ptr = t["base"].untyped_storage().data_ptr()
    for k in ("view2d", "T", "slice", "step", "col"):
        assert t[k].untyped_storage().data_ptr() == ptr, k
    assert t["T"].stride() == (1, 6) and t["slice"].storage_offset() == 5 and t["step"].stride() == (3,)
    assert t["col"].storage_offset() == 2 and t["col"].stride() == (6,)
    assert t["expand"].stride() == (0, 1) and t["expand"].untyped_storage().nbytes() == 12
    assert t["fortran"].stride() == (1, 2) and t["empty"].stride() == (3, 1) and t["scalar"].stride() == ()
    assert t["reversed"].untyped_storage().data_ptr() != ptr and t["reversed"].stride() == (1,)   # copied
    assert t["bf16_T"].stride() == (1, 3) and t["u16"].stride() == (3, 1) and t["u16"].storage_offset() == 1


def test_model_optimizer_and_forward_pass_in_torch(tmp_path, torch_mod):
    torch = torch_mod
    from make_fixtures import CNN
    save(load(os.path.join(FIXTURES, "checkpoint.pth")), tmp_path / "ck.pth")
    ck = torch.load(tmp_path / "ck.pth", weights_only=True)
    model = CNN()
    model.load_state_dict(ck["model"], strict=True)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    opt.load_state_dict(ck["optimizer"])
    assert opt.state_dict()["state"][0]["step"].item() == 1.0
    # the cnn_bn fixture is the same trained model; its forward pass must reproduce bit for bit
    save(load(os.path.join(FIXTURES, "cnn_bn.pth")), tmp_path / "cnn.pth")
    model = CNN()
    model.load_state_dict(torch.load(tmp_path / "cnn.pth", weights_only=True, mmap=True), strict=True)
    model.eval()
    io_ = torch.load(os.path.join(FIXTURES, "cnn_io.pth"), weights_only=True)
    with torch.no_grad():
        assert torch.equal(model(io_["x"]), io_["y"])


def test_aliasing_and_plain_values_in_torch(tmp_path, torch_mod):
    torch = torch_mod
    shared, t = [1, 2], from_np(np.ones(2, np.float32))
    obj = {"a": shared, "b": shared, "t1": t, "t2": t, "bytes": b"\x00\xff", "set": {1, 2}, "big": 2**70,
           "neg": -(2**64), "f": 1.5e-300, "c": complex(1, -2), "ba": bytearray(b"ab"), "none": None,
           "od": collections.OrderedDict(x=1), "counter": collections.Counter(a=3), "tuple5": (1, 2, 3, 4, 5),
           "dtype": ember.float16, "size": ember.Size([2, 3]), "device": ember.device("cpu"),
           "np_scalars": [np.float32(1.5), np.int64(3), np.bool_(True)]}
    save(obj, tmp_path / "x.pth")
    got = torch.load(tmp_path / "x.pth", weights_only=True)
    assert got["a"] is got["b"] and got["t1"] is got["t2"]
    assert got["bytes"] == b"\x00\xff" and got["set"] == {1, 2} and got["big"] == 2**70 and got["neg"] == -(2**64)
    assert got["f"] == 1.5e-300 and got["c"] == complex(1, -2) and got["ba"] == bytearray(b"ab")
    assert type(got["od"]) is collections.OrderedDict and got["counter"] == collections.Counter(a=3)
    assert got["tuple5"] == (1, 2, 3, 4, 5) and got["dtype"] is torch.float16
    assert got["size"] == torch.Size([2, 3]) and got["device"] == torch.device("cpu")
    assert got["np_scalars"] == [1.5, 3, True] and type(got["np_scalars"][1]) is int


def test_parameters_in_torch(tmp_path, torch_mod):
    torch = torch_mod
    from ember.nn.parameter import Parameter
    p = Parameter(from_np(np.arange(3, dtype=np.float32)))
    frozen = Parameter(from_np(np.ones(2, np.float32)), requires_grad=False)
    p.note = "kept"
    save({"p": p, "frozen": frozen, "again": p}, tmp_path / "p.pth")
    got = torch.load(tmp_path / "p.pth", weights_only=True)
    assert type(got["p"]) is torch.nn.Parameter and got["p"].requires_grad and got["p"].note == "kept"
    assert type(got["frozen"]) is torch.nn.Parameter and not got["frozen"].requires_grad
    assert got["again"] is got["p"]


# ---- layout -------------------------------------------------------------------------------------------------

def test_layout_matches_torch(tmp_path):
    save(ember_views(), tmp_path / "my.model.pth")
    data = (tmp_path / "my.model.pth").read_bytes()
    zf, layout = record_layout(data)
    assert zf.testzip() is None
    assert all(n.startswith("my.model/") for n in zf.namelist())
    names = [n for n, *_ in layout]
    n_storages = sum(n.startswith("data/") for n in names)
    assert names == (["data.pkl", ".format_version", ".storage_alignment", "byteorder"] +
                     [f"data/{k}" for k in range(n_storages)] + ["version", ".data/serialization_id"])
    assert zf.read("my.model/version") == b"3\n" and zf.read("my.model/.format_version") == b"1"
    assert zf.read("my.model/.storage_alignment") == b"64" and zf.read("my.model/byteorder") == b"little"
    sid = zf.read("my.model/.data/serialization_id")
    assert len(sid) == 40 and sid.isdigit()
    for name, start, size, flags in layout:
        assert start % 64 == 0, name
        assert flags == (0x0808 if size else 0x0800), name
    ops = {op.name for op, _, _ in pickletools.genops(zf.read("my.model/data.pkl"))}
    assert ops <= TORCH_OPCODES, ops - TORCH_OPCODES
    assert data[-22 - 20 - 56:-22 - 20 - 52] == b"PK\x06\x06"     # zip64 end record, as miniz always writes
    assert data[-22:-18] == b"PK\x05\x06"


def test_saving_to_a_file_object_uses_archive_folder():
    buf = io.BytesIO()
    save({"x": from_np(np.ones(3, np.float32))}, buf)
    assert zipfile.ZipFile(io.BytesIO(buf.getvalue())).namelist()[0] == "archive/data.pkl"
    buf.seek(0)
    assert load(buf)["x"].tolist() == [1.0, 1.0, 1.0]


# ---- what cannot be saved ---------------------------------------------------------------------------------------

class Custom:
    pass


UNSAVABLE = {
    "frozenset": frozenset({1}), "object_array": np.array([1, "a"], dtype=object), "ndarray": np.arange(3),
    "custom_class": Custom(), "int_over_255_bytes": 2**2100, "lambda": lambda: 0,
    "defaultdict": collections.defaultdict(list), "namedtuple": collections.namedtuple("P", "x")(1),
    "datetime64": np.datetime64("2020-01-01"),
}


@pytest.mark.parametrize("name", sorted(UNSAVABLE))
def test_unsavable_values_raise_before_writing(name, tmp_path):
    dest = tmp_path / "ck.pth"
    dest.write_bytes(b"previous checkpoint")
    obj = {"model": {"w": from_np(np.ones(2, np.float32))}, "extra": [1, {"bad": UNSAVABLE[name]}]}
    with pytest.raises((TypeError, ValueError), match=r"obj\['extra'\]\[1\]\['bad'\]"):
        save(obj, dest)
    assert dest.read_bytes() == b"previous checkpoint"
    assert sorted(os.listdir(tmp_path)) == ["ck.pth"]        # no temp file left
    buf = io.BytesIO()
    with pytest.raises((TypeError, ValueError)):
        save(obj, buf)
    assert buf.getvalue() == b""


def test_save_options_that_ember_refuses(tmp_path):
    with pytest.raises(ValueError, match="protocol 2"):
        save({}, tmp_path / "a.pth", pickle_protocol=4)
    with pytest.raises(ValueError, match="legacy"):
        save({}, tmp_path / "a.pth", _use_new_zipfile_serialization=False)
    assert os.listdir(tmp_path) == []


def test_whole_torch_module_needs_weights_only_false(tmp_path, torch_mod):
    torch = torch_mod
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU())
    torch.save(model, tmp_path / "full.pth")
    with pytest.raises(ember.serialization.UnsafeCheckpointError, match="torch.nn.modules.container.Sequential"):
        load(tmp_path / "full.pth")
    mine = load(tmp_path / "full.pth", weights_only=False)   # trusted file: torch.nn.X maps to ember.nn.X
    assert type(mine).__name__ == "Sequential"
    x = np.ones((1, 2), np.float32)
    np.testing.assert_array_equal(mine(from_np(x)).detach().numpy(), model(torch.from_numpy(x)).detach().numpy())
