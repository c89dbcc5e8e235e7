"""``get_unsafe_globals_in_checkpoint``: which globals a checkpoint names that a weights-only load refuses.

The pickle is only scanned (``pickletools.genops``), never run, so this is safe on untrusted files.
"""
from __future__ import annotations

import os
import pickletools

from ._allowlist import _UNSUPPORTED, build_table, user_snapshot
from ._zip import BufferSource, FileSource, ZipReader

__all__ = ["get_unsafe_globals_in_checkpoint"]


class _NoTensors:
    """Stand-in load context: ``build_table`` only needs the rebuilders' names, nothing here is called."""

    def __getattr__(self, name):
        return lambda *a, **k: None


def _data_pkl(f) -> bytes:
    opened = None
    if isinstance(f, (str, bytes, os.PathLike)):
        name = os.fsdecode(os.fspath(f))
        opened = open(name, "rb")
        fh = opened
    else:
        fh, name = f, getattr(f, "name", "<file object>")
    try:
        if getattr(fh, "seekable", lambda: False)():
            start = fh.tell()
            src = FileSource(fh, str(name))
        else:
            start, src = None, BufferSource(fh.read(), str(name))
        try:
            if src.size < 4 or src.pread(0, 4) != b"PK\x03\x04":
                raise ValueError("Expected input to be a checkpoint returned by torch.save")
            reader = ZipReader(src)
            pkl = next((e for e in reader.entries if e.name.endswith("/data.pkl") and e.name.count("/") == 1),
                       None)
            if pkl is None:
                raise ValueError("Expected input to be a checkpoint returned by torch.save")
            return reader.read(pkl, 256 << 20)
        finally:
            if start is not None:
                fh.seek(start)
    finally:
        if opened is not None:
            opened.close()


def _globals_in(data: bytes):
    """``module.name`` of every GLOBAL / STACK_GLOBAL in the pickle, in first-seen order."""
    found, memo, strings = {}, {}, []
    last = None
    for op, arg, _ in pickletools.genops(data):
        if op.name == "GLOBAL":
            module, name = arg.split(" ", 1)
            found.setdefault(f"{module}.{name}", None)
        elif op.name == "STACK_GLOBAL" and len(strings) >= 2:
            found.setdefault(f"{strings[-2]}.{strings[-1]}", None)
        if isinstance(arg, str) and "UNICODE" in op.name:
            strings.append(arg)
            last = arg
        elif op.name in ("BINGET", "LONG_BINGET", "GET") and isinstance(memo.get(arg), str):
            strings.append(memo[arg])
            last = memo[arg]
        elif op.name in ("BINPUT", "LONG_BINPUT", "PUT"):
            memo[arg] = last
        elif op.name == "MEMOIZE":
            memo[len(memo)] = last
        else:
            last = None
    return list(found)


def get_unsafe_globals_in_checkpoint(f) -> list:
    """The ``module.name`` globals in checkpoint ``f`` that ``load(f, weights_only=True)`` would not accept
    (neither built in nor added with ``add_safe_globals``), found without unpickling anything."""
    table = build_table(_NoTensors())
    user = user_snapshot()
    out = []
    for full in _globals_in(_data_pkl(f)):
        module, _, name = full.rpartition(".")
        key = (module, name)
        if key in table or key in _UNSUPPORTED or full in user:
            continue
        if module == "__builtin__" and f"builtins.{name}" in user:
            continue
        out.append(full)
    return out
