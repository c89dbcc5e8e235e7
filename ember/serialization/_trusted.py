"""``weights_only=False``: Python's own unpickler, for files the user trusts.  It can run code from the file.

torch names still map to ember's stand-ins (tensors, storages, dtypes); any other ``torch.x.y`` global maps
to ``ember.x.y`` when ember has it, so a whole pickled ``nn.Module`` can load.  Everything else is imported
as ``pickle.load`` would.
"""
from __future__ import annotations

import importlib
import pickle
import sys

from ._allowlist import _UNSUPPORTED
from ._errors import UnsupportedCheckpointError, where

__all__ = ["trusted_unpickle"]


class _ViewReader:
    """A read-only file over a memoryview, so unpickling a mapped file copies nothing."""

    def __init__(self, view, pos):
        self.view = view
        self.pos = pos

    def read(self, n=-1):
        end = len(self.view) if n is None or n < 0 else min(self.pos + n, len(self.view))
        out = bytes(self.view[self.pos:end])
        self.pos = end
        return out

    def readinto(self, buf):
        data = self.read(len(buf))
        buf[:len(data)] = data
        return len(data)

    def readline(self):
        end = bytes(self.view[self.pos:self.pos + 65536]).find(b"\n")
        return self.read(end + 1 if end >= 0 else 65536)


def _find_ember(target, name):
    """``target.name`` in ember, else the same-named object in a parent package (ember files some classes
    differently from torch: ``torch.nn.modules.activation.MultiheadAttention`` is re-exported by ``ember.nn``)."""
    parts = target.split(".")
    for depth in range(len(parts), 1, -1):
        try:
            obj = getattr(importlib.import_module(".".join(parts[:depth])), name)
        except (ImportError, AttributeError):
            continue
        if depth == len(parts) or getattr(obj, "__name__", None) == name:
            return obj
    # a class ember keeps in another file of the same package (NonDynamicallyQuantizableLinear lives beside
    # MultiheadAttention in ember, in nn/modules/linear.py in torch)
    package = ".".join(parts[:-1])
    for mod_name in sorted(m for m in sys.modules if m.startswith(package + ".")):
        obj = getattr(sys.modules[mod_name], name, None)
        if isinstance(obj, type) and obj.__name__ == name and obj.__module__ == mod_name:
            return obj
    return None


class _TrustedUnpickler(pickle.Unpickler):
    def __init__(self, file, ctx, encoding):
        super().__init__(file, encoding=encoding)
        self.ctx = ctx

    def find_class(self, module, name):
        hit = self.ctx.table.get((module, name))
        if hit is not None:
            return hit
        if (module, name) in _UNSUPPORTED:
            raise UnsupportedCheckpointError(f"{where(self.ctx.file_name, self.ctx.record)}: the checkpoint uses "
                                             f"{module}.{name} ({_UNSUPPORTED[(module, name)]}), which ember "
                                             "cannot represent")
        if module == "torch" or module.startswith("torch."):
            target = "ember" + module[5:]
            found = _find_ember(target, name)
            if found is None:
                raise UnsupportedCheckpointError(
                    f"{where(self.ctx.file_name, self.ctx.record)}: the checkpoint needs {module}.{name}, which "
                    f"has no ember equivalent ({target}.{name})")
            return found
        return super().find_class(module, name)

    def persistent_load(self, pid):
        return self.ctx.persistent_load(pid, None)


def trusted_unpickle(ctx, data, record, pos=0):
    """Unpickle ``data[pos:]`` with Python's unpickler; returns ``(object, end position)``."""
    ctx.record = record
    reader = _ViewReader(memoryview(data), pos)
    obj = _TrustedUnpickler(reader, ctx, ctx.encoding).load()
    return obj, reader.pos
