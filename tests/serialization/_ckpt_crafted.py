"""Hand-crafted hostile and broken checkpoints (CHECKPOINT-FORMAT.md 9 and 10, items 10-14).

``malicious_cases(marker)`` returns ``{name: (builder of the file bytes, expected error class, text the message
must contain)}``.  Payloads that would run code try to create ``marker``; the tests check it never appears.
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


def archive(pkl, records=None, folder="archive"):
    """A zip (miniz layout) holding ``data.pkl`` and ``records`` ({'data/0': bytes}, default 8 zero bytes)."""
    from ember.serialization._zip import ZipWriter
    out = io.BytesIO()
    zw = ZipWriter(out, folder)
    zw.add("data.pkl", pkl, len(pkl))
    for name, data in (records or {"data/0": b"\x00" * 8}).items():
        zw.add(name, data, len(data))
    zw.add("version", b"3\n", 2)
    zw.finish()
    return out.getvalue()


def _deflated_archive(body, crc, size, declared=None, folder="archive"):
    """A zip whose only record, data.pkl, is the deflate stream ``body`` announcing ``declared`` bytes."""
    usize = size if declared is None else declared
    name = f"{folder}/data.pkl".encode()
    local = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(body), usize, len(name), 0) + name
    central = struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc, len(body), usize,
                          len(name), 0, 0, 0, 0, 0, 0) + name
    eocd = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, len(central), len(local) + len(body), 0)
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

_BOMB = []


def _bomb_body():
    """300 MB of zeros, deflated (about 300 KB); built once."""
    if not _BOMB:
        comp = zlib.compressobj(9, zlib.DEFLATED, -15)
        zeros = b"\x00" * (1 << 20)
        crc, parts = 0, []
        for _ in range(300):
            crc = zlib.crc32(zeros, crc)
            parts.append(comp.compress(zeros))
        parts.append(comp.flush())
        _BOMB.append((b"".join(parts), crc, 300 << 20))
    return _BOMB[0]


def malicious_cases(marker):
    """``{name: (build() -> file bytes, expected error class prefix, text the message must contain)}``."""
    touch = f"touch {marker}"
    py_touch = f"open({marker!r}, 'w').close()"
    evil = _Reduce(os.system, (touch,))
    c = {}
    for proto in (0, 2, 4):
        c[f"os_system_protocol{proto}"] = (lambda p=proto: archive(pickle.dumps(evil, protocol=p)), "Unsafe",
                                           "posix.system")
    c["inst_opcode"] = (lambda: archive(b"(" + u(touch) + b"ios\nsystem\n."), "Unsafe", "os.system")
    c["builtins_eval"] = (lambda: archive(P2 + g("__builtin__", "eval") + tup(u(py_touch)) + b"R."), "Unsafe",
                          "builtins.eval")
    c["getattr_import_chain"] = (lambda: archive(
        P2 + g("builtins", "getattr") + b"(" + g("builtins", "__import__") + tup(u("os")) + b"R" + u("system") +
        b"tR" + tup(u(touch)) + b"R."), "Unsafe", "builtins.getattr")
    c["collections_itemgetter"] = (lambda: archive(P2 + g("collections", "_itemgetter") + tup(i(0)) + b"R."),
                                   "Unsafe", "collections._itemgetter")
    c["numpy_runstring"] = (lambda: archive(P2 + g("numpy.testing._private.utils", "runstring") + b"(" +
                                            u(py_touch) + b"}tR."), "Unsafe", "numpy.testing._private.utils")
    c["numpy_load"] = (lambda: archive(P2 + g("numpy", "load") + tup(u(marker)) + b"R."), "Unsafe", "numpy.load")
    c["torch_load"] = (lambda: archive(P2 + g("torch", "load") + tup(u(marker)) + b"R."), "Unsafe", "torch.load")
    c["unknown_global"] = (lambda: archive(P2 + g("mymodule", "Thing") + b")R."), "Unsafe", "mymodule.Thing")
    c["legacy_os_system"] = (lambda: legacy(pickle.dumps(evil, protocol=2)), "Unsafe", "posix.system")
    # 11: persistent ids, storages and views
    c["pid_kind_module"] = (lambda: archive(P2 + tensor(pid(kind="module")) + b"."), "Unsafe", "module")
    c["pid_wrong_arity"] = (lambda: archive(P2 + tensor(pid(arity=4)) + b"."), "Corrupt", "persistent id")
    c["pid_key_dotdot"] = (lambda: archive(P2 + tensor(pid(key="../../etc/passwd")) + b"."), "Unsafe", "key")
    c["pid_key_slash"] = (lambda: archive(P2 + tensor(pid(key="data/0")) + b"."), "Unsafe", "key")
    c["pid_missing_record"] = (lambda: archive(P2 + tensor(pid(key="7")) + b"."), "Corrupt", "archive/data/7")
    c["numel_mismatch"] = (lambda: archive(P2 + tensor(pid(numel=1000)) + b"."), "Corrupt", "does not match")
    c["huge_numel"] = (lambda: archive(P2 + tensor(pid(numel=2**31 - 1)) + b"."), "Corrupt", "does not match")
    c["view_out_of_bounds"] = (lambda: archive(P2 + tensor(size=(5,)) + b"."), "Corrupt", "reads element")
    c["negative_stride"] = (lambda: archive(P2 + tensor(stride=(-1,)) + b"."), "Corrupt", "stride")
    c["negative_offset"] = (lambda: archive(P2 + tensor(offset=-1) + b"."), "Corrupt", "offset")
    c["float_size"] = (lambda: archive(P2 + tensor(size_items=[b"G" + struct.pack(">d", 2.0)]) + b"."), "Corrupt",
                       "size")
    # 12: resource abuse and VM abuse
    c["memo_index_dos"] = (lambda: archive(b"\x80\x02]r\xff\xff\xff\x0f."), "Corrupt", "memo index")
    c["bytearray_size"] = (lambda: archive(P2 + g("__builtin__", "bytearray") +
                                           tup(b"\x8a\x05\x00\x00\x00\x00\x04") + b"R."), "Unsafe", "bytearray")
    c["codec_rot13"] = (lambda: archive(P2 + g("_codecs", "encode") + tup(u("abc"), u("rot13")) + b"R."), "Unsafe",
                        "rot13")
    c["reduce_on_storage_marker"] = (lambda: archive(P2 + g("torch", "FloatStorage") + b")R."), "Unsafe", "REDUCE")
    c["reduce_on_dtype"] = (lambda: archive(P2 + g("torch", "float32") + b")R."), "Unsafe", "REDUCE")
    c["newobj_on_marker"] = (lambda: archive(P2 + g("torch", "FloatStorage") + b")\x81."), "Unsafe", "NEWOBJ")
    c["build_tamper_codecs"] = (lambda: archive(P2 + g("_codecs", "encode") + b"N}" + u("__defaults__") +
                                                tup(u("rot13"), u("strict")) + b"s\x86b."), "Unsafe", "BUILD")
    c["setitem_on_tensor"] = (lambda: archive(P2 + tensor() + u("k") + i(1) + b"s."), "Unsafe", "SETITEM")
    c["append_on_dict"] = (lambda: archive(P2 + b"}" + i(1) + b"a."), "Unsafe", "APPEND")
    c["ext1_opcode"] = (lambda: archive(P2 + b"\x82\x01."), "Unsafe", "EXT1")
    c["deep_lists"] = (lambda: archive(P2 + b"]" * 200_000 + b"a" * 199_999 + b"."), "Unsafe", "nested")
    c["deep_tuples"] = (lambda: archive(P2 + b")" + b"\x85" * 200_000 + b"."), "Unsafe", "nested")
    c["deep_tuple_as_dict_key"] = (lambda: archive(P2 + b"})" + b"\x85" * 5000 + b"Ns."), "Unsafe", "nested")
    c["deflate_bomb_300MB"] = (lambda: _deflated_archive(*_bomb_body(), declared=None), "Corrupt",
                               "exceeds the limit")
    c["deflate_bomb_lying_size"] = (lambda: _deflated_archive(*_bomb_body(), declared=100), "Corrupt",
                                    "declared size")
    c["device_tensor_from_numpy"] = (lambda: archive(P2 + g("torch._utils", "_rebuild_device_tensor_from_numpy") +
                                                     b")R."), "Unsupported", "ember cannot represent")
    return c


def _run_all(marker):
    """Load every case under RLIMIT_AS = 1 GiB; one JSON line each: name, error class, message, seconds."""
    import json
    import resource
    import time

    import ember.serialization as S
    cases = {name: build() for name, (build, _, _) in malicious_cases(marker).items()}
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
    for name, data in cases.items():
        start, cpu = time.perf_counter(), time.process_time()
        try:
            S.load(io.BytesIO(data))
            err, msg = None, ""
        except S.CheckpointError as exc:
            err, msg = type(exc).__name__, str(exc)
        except BaseException as exc:  # noqa: BLE001 - reported, and the test fails on it
            err, msg = "UNEXPECTED " + type(exc).__name__, str(exc)
        print(json.dumps({"name": name, "error": err, "message": msg[:2000],
                          "seconds": time.perf_counter() - start, "cpu_seconds": time.process_time() - cpu,
                          "torch_imported": "torch" in sys.modules}), flush=True)
    # after the BUILD-tamper attempt, bytes (which go through _codecs.encode) must still load normally
    ok = S.load(io.BytesIO(archive(pickle.dumps({"b": b"xy\xff"}, protocol=2)))) == {"b": b"xy\xff"}
    print(json.dumps({"name": "after_tamper", "ok": ok}), flush=True)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(HERE)))
    _run_all(sys.argv[1])
