"""Hand-crafted hostile and broken checkpoints (CHECKPOINT-FORMAT.md 9 and 10, items 10-14).

``malicious_cases(marker)`` returns ``{name: (file bytes, expected error class name, text the message must
contain)}``.  Payloads that would run code try to create ``marker``; the tests check it never appears.
Run as a script (``python _ckpt_crafted.py MARKER``) it loads every case under ``RLIMIT_AS`` = 1 GiB and prints
one JSON line per case, so the memory limit never touches the test process.
"""
from __future__ import annotations

import io
import os
import pickle
import struct
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))


# ---- pickle building blocks ----------------------------------------------------------------------------------

def g(module, name):
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def u(s):
    raw = s.encode()
    return b"X" + struct.pack("<I", len(raw)) + raw


def i(x):
    return b"J" + struct.pack("<i", x)


def tup(*items):
    return b"(" + b"".join(items) + b"t"


P2 = b"\x80\x02"


def pid(kind="storage", stype=("torch", "FloatStorage"), key="0", location="cpu", numel=2, arity=5):
    fields = [u(kind), g(*stype), u(key), u(location), i(numel), b"N"][:arity]
    return tup(*fields) + b"Q"


def tensor(pid_bytes=None, offset=0, size=(2,), stride=(1,), size_items=None):
    sizes = size_items if size_items is not None else [i(n) for n in size]
    return (g("torch._utils", "_rebuild_tensor_v2") + b"(" + (pid_bytes or pid()) + i(offset) + tup(*sizes) +
            tup(*[i(s) for s in stride]) + b"\x89" + g("collections", "OrderedDict") + b")R" + b"tR")


def archive(pkl, records=None, folder="archive", compress_pkl=False, declared_size=None):
    """A zip holding ``data.pkl`` and ``records`` ({'data/0': bytes}); optionally a deflated data.pkl."""
    from ember.serialization._zip import ZipWriter
    if compress_pkl:
        return _deflated_archive(pkl, folder, declared_size)
    out = io.BytesIO()
    zw = ZipWriter(out, folder)
    zw.add("data.pkl", pkl, len(pkl))
    for name, data in (records or {"data/0": b"\x00" * 8}).items():
        zw.add(name, data, len(data))
    zw.add("version", b"3\n", 2)
    zw.finish()
    return out.getvalue()


def _deflated_archive(pkl_chunks, folder, declared_size):
    """A zip whose data.pkl is deflated from ``pkl_chunks`` (an iterable, to build bombs in little memory)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    crc, size, parts = 0, 0, []
    for chunk in pkl_chunks:
        crc = zlib.crc32(chunk, crc)
        size += len(chunk)
        parts.append(comp.compress(chunk))
    parts.append(comp.flush())
    body = b"".join(parts)
    usize = size if declared_size is None else declared_size
    name = f"{folder}/data.pkl".encode()
    local = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(body), min(usize, 0xFFFFFFFF),
                        len(name), 0) + name
    central = struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc, len(body), usize,
                          len(name), 0, 0, 0, 0, 0, 0) + name
    cd_ofs = len(local) + len(body)
    eocd = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, len(central), cd_ofs, 0)
    return local + body + central + eocd


def legacy(obj_pickle, keys=(), data=b""):
    """A legacy-format file: magic, protocol, sys_info, the object pickle, the key list, raw storages."""
    head = pickle.dumps(0x1950A86A20F9469CFC6C, protocol=2) + pickle.dumps(1001, protocol=2) + pickle.dumps(
        {"protocol_version": 1001, "little_endian": True, "type_sizes": {"short": 2, "int": 4, "long": 4}},
        protocol=2)
    return head + obj_pickle + pickle.dumps(list(keys), protocol=2) + data


class _Reduce:
    def __init__(self, fn, args):
        self.fn, self.args = fn, args

    def __reduce__(self):
        return (self.fn, self.args)


# ---- the cases ---------------------------------------------------------------------------------------------------

def malicious_cases(marker):
    touch = f"touch {marker}"
    py_touch = f"open({marker!r}, 'w').close()"
    evil = _Reduce(os.system, (touch,))
    cases = {}
    for proto in (0, 2, 4):
        cases[f"os_system_protocol{proto}"] = (archive(pickle.dumps(evil, protocol=proto)), "Unsafe", "posix.system")
    cases["inst_opcode"] = (archive(b"(" + u(touch) + b"ios\nsystem\n."), "Unsafe", "os.system")
    cases["builtins_eval"] = (archive(P2 + g("__builtin__", "eval") + tup(u(py_touch)) + b"R."), "Unsafe",
                              "builtins.eval")
    cases["getattr_import_chain"] = (archive(
        P2 + g("builtins", "getattr") + b"(" + g("builtins", "__import__") + tup(u("os")) + b"R" + u("system") +
        b"tR" + tup(u(touch)) + b"R."), "Unsafe", "builtins.getattr")
    cases["collections_itemgetter"] = (archive(P2 + g("collections", "_itemgetter") + tup(i(0)) + b"R."),
                                       "Unsafe", "collections._itemgetter")
    cases["numpy_runstring"] = (archive(P2 + g("numpy.testing._private.utils", "runstring") +
                                        b"(" + u(py_touch) + b"}tR."), "Unsafe", "numpy.testing._private.utils")
    cases["numpy_load"] = (archive(P2 + g("numpy", "load") + tup(u(marker)) + b"R."), "Unsafe", "numpy.load")
    cases["torch_load"] = (archive(P2 + g("torch", "load") + tup(u(marker)) + b"R."), "Unsafe", "torch.load")
    cases["unknown_global"] = (archive(P2 + g("mymodule", "Thing") + b")R."), "Unsafe", "mymodule.Thing")
    cases["legacy_os_system"] = (legacy(pickle.dumps(evil, protocol=2)), "Unsafe", "posix.system")
    # 11: persistent ids, storages and views
    cases["pid_kind_module"] = (archive(P2 + tensor(pid(kind="module")) + b"."), "Unsafe", "module")
    cases["pid_wrong_arity"] = (archive(P2 + tensor(pid(arity=4)) + b"."), "Corrupt", "persistent id")
    cases["pid_key_dotdot"] = (archive(P2 + tensor(pid(key="../../etc/passwd")) + b"."), "Unsafe", "key")
    cases["pid_key_slash"] = (archive(P2 + tensor(pid(key="data/0")) + b"."), "Unsafe", "key")
    cases["pid_missing_record"] = (archive(P2 + tensor(pid(key="7")) + b"."), "Corrupt", "archive/data/7")
    cases["numel_mismatch"] = (archive(P2 + tensor(pid(numel=1000), size=(2,)) + b"."), "Corrupt",
                               "does not match")
    cases["view_out_of_bounds"] = (archive(P2 + tensor(size=(5,)) + b"."), "Corrupt", "reads element")
    cases["negative_stride"] = (archive(P2 + tensor(stride=(-1,)) + b"."), "Corrupt", "stride")
    cases["negative_offset"] = (archive(P2 + tensor(offset=-1) + b"."), "Corrupt", "offset")
    cases["float_size"] = (archive(P2 + tensor(size_items=[b"G" + struct.pack(">d", 2.0)]) + b"."), "Corrupt",
                           "size")
    cases["huge_numel"] = (archive(P2 + tensor(pid(numel=2**31 - 1)) + b"."), "Corrupt", "does not match")
    # 12: resource abuse and VM abuse
    cases["memo_index_dos"] = (archive(b"\x80\x02]r\xff\xff\xff\x0f."), "Corrupt", "memo index")
    cases["bytearray_size"] = (archive(P2 + g("__builtin__", "bytearray") + tup(b"\x8a\x05\x00\x00\x00\x00\x04") +
                                       b"R."), "Unsafe", "bytearray")
    cases["codec_rot13"] = (archive(P2 + g("_codecs", "encode") + tup(u("abc"), u("rot13")) + b"R."), "Unsafe",
                            "rot13")
    cases["reduce_on_storage_marker"] = (archive(P2 + g("torch", "FloatStorage") + b")R."), "Unsafe", "REDUCE")
    cases["reduce_on_dtype"] = (archive(P2 + g("torch", "float32") + b")R."), "Unsafe", "REDUCE")
    cases["newobj_on_marker"] = (archive(P2 + g("torch", "FloatStorage") + b")\x81."), "Unsafe", "NEWOBJ")
    cases["build_tamper_codecs"] = (archive(P2 + g("_codecs", "encode") + b"N}" + u("__defaults__") +
                                            tup(u("rot13"), u("strict")) + b"s\x86b."), "Unsafe", "BUILD")
    cases["setitem_on_tensor"] = (archive(P2 + tensor() + u("k") + i(1) + b"s."), "Unsafe", "SETITEM")
    cases["append_on_dict"] = (archive(P2 + b"}" + i(1) + b"a."), "Unsafe", "APPEND")
    cases["ext1_opcode"] = (archive(P2 + b"\x82\x01."), "Unsafe", "EXT1")
    cases["deep_lists"] = (archive(P2 + b"]" * 200_000 + b"a" * 199_999 + b"."), "Unsafe", "nested")
    cases["deep_tuples"] = (archive(P2 + b")" + b"\x85" * 200_000 + b"."), "Unsafe", "nested")
    cases["deep_dict_keys"] = (archive(P2 + b"}" + b")" + b"\x85" * 5000 + b"Ns."), "Unsafe", "nested")
    zeros = (b"\x00" * (1 << 20) for _ in range(300))
    cases["deflate_bomb_300MB"] = (archive(zeros, compress_pkl=True), "Corrupt", "exceeds the limit")
    lying = (b"\x00" * (1 << 20) for _ in range(300))
    cases["deflate_bomb_lying_size"] = (archive(lying, compress_pkl=True, declared_size=100), "Corrupt",
                                        "declared size")
    cases["device_tensor_from_numpy"] = (archive(P2 + g("torch._utils", "_rebuild_device_tensor_from_numpy") +
                                                 b")R."), "Unsupported", "ember cannot represent")
    return cases


def _run_all(marker):
    """Load every case under RLIMIT_AS = 1 GiB; one JSON line each: name, error class, message, seconds."""
    import json
    import resource
    import time

    import ember.serialization as S
    cases = malicious_cases(marker)
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
    for name, (data, _, _) in cases.items():
        start = time.perf_counter()
        try:
            S.load(io.BytesIO(data))
            err, msg = None, ""
        except S.CheckpointError as exc:
            err, msg = type(exc).__name__, str(exc)
        except BaseException as exc:  # noqa: BLE001 - reported, and the test fails on it
            err, msg = "UNEXPECTED " + type(exc).__name__, str(exc)
        print(json.dumps({"name": name, "error": err, "message": msg[:2000],
                          "seconds": time.perf_counter() - start,
                          "torch_imported": "torch" in sys.modules}), flush=True)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(HERE)))
    _run_all(sys.argv[1])
