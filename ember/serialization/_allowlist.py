"""The weights-only allowlist: exact ``(module, name)`` pairs, each mapped to a validating ember stand-in.

``resolve`` is what the unpickler's GLOBAL calls.  The table is built fresh for every load (``build_table``),
so a file can never alter the stand-ins a later load sees.  Users extend it with ``add_safe_globals``.
"""
from __future__ import annotations

import collections
import contextlib
import threading

from ._errors import UnsafeCheckpointError, UnsupportedCheckpointError, where
from ._storage_types import CLASSIC, DTYPES, UNSUPPORTED_DTYPES, UNSUPPORTED_STORAGES
from ._unpickler import SafeCallable, describe

__all__ = ["add_safe_globals", "get_safe_globals", "clear_safe_globals", "safe_globals", "build_table", "resolve",
           "StorageType", "user_snapshot"]

# modules whose members no file may reach, even when a user adds them (torch blocks the same four)
_BLOCKED_MODULES = {"sys", "os", "posix", "nt", "subprocess", "shutil", "socket", "importlib", "runpy", "ctypes",
                    "pickle", "_pickle", "marshal", "code", "codeop", "pty", "signal", "multiprocessing"}
_BLOCKED_BUILTINS = {"eval", "exec", "compile", "open", "getattr", "setattr", "delattr", "__import__", "globals",
                     "locals", "vars", "input", "breakpoint", "exit", "quit", "help", "memoryview", "type",
                     "object", "super", "classmethod", "staticmethod", "property", "apply", "execfile", "file",
                     "reload"}

_lock = threading.Lock()
_user = {}   # "module.name" -> object


class StorageType:
    """Inert marker for ``torch.<X>Storage`` / ``UntypedStorage``: carries the element dtype (None: bytes)."""

    __slots__ = ("name", "dtype")

    def __init__(self, name, dtype):
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "dtype", dtype)

    def __setattr__(self, key, value):
        raise AttributeError("storage markers are immutable")

    def __repr__(self):
        return f"<storage type torch.{self.name}>"


# ----------------------------------------------------------------------------------------------------------
# the user registry (torch.serialization.add_safe_globals and friends)
# ----------------------------------------------------------------------------------------------------------

def _qualname(entry):
    if isinstance(entry, tuple):
        if len(entry) != 2 or not isinstance(entry[1], str):
            raise TypeError(f"expected (object, 'module.name'), got {entry!r}")
        return entry[1], entry[0]
    module = getattr(entry, "__module__", None)
    name = getattr(entry, "__qualname__", None) or getattr(entry, "__name__", None)
    if not module or not name:
        raise TypeError(f"cannot tell the module and name of {entry!r}; pass (obj, 'module.name')")
    return f"{module}.{name}", entry


def _check_allowed(full: str) -> None:
    module, _, name = full.rpartition(".")
    top = module.split(".")[0]
    if top in _BLOCKED_MODULES or (top in ("builtins", "__builtin__") and name in _BLOCKED_BUILTINS):
        raise ValueError(f"{full} can never be allowed: it gives a file access to the interpreter or the system")


def add_safe_globals(safe_globals) -> None:
    """Allow these functions/classes in weights-only loads: ``[obj, ...]`` or ``[(obj, "module.name"), ...]``.

    ``obj`` is called (REDUCE) or instantiated (NEWOBJ) with arguments from the file, so allow only things
    that are harmless for any arguments.
    """
    pairs = [_qualname(e) for e in safe_globals]
    for full, _ in pairs:
        _check_allowed(full)
    with _lock:
        for full, obj in pairs:
            _user[full] = obj


def get_safe_globals():
    """The user-added globals, as a list (objects, or ``(obj, name)`` where the name was given)."""
    with _lock:
        return [obj if _qualname(obj)[0] == full else (obj, full) for full, obj in _user.items()]


def clear_safe_globals() -> None:
    """Forget every user-added global."""
    with _lock:
        _user.clear()


@contextlib.contextmanager
def safe_globals(safe_globals):
    """Allow globals inside a ``with`` block only: ``with safe_globals([MyConfig]): ember.load(f)``."""
    with _lock:
        saved = dict(_user)
    add_safe_globals(safe_globals)
    try:
        yield
    finally:
        with _lock:
            _user.clear()
            _user.update(saved)


def user_snapshot():
    with _lock:
        return dict(_user)


# ----------------------------------------------------------------------------------------------------------
# stand-ins for plain Python callables
# ----------------------------------------------------------------------------------------------------------

def _ordered_dict(*args):
    if not args:
        return collections.OrderedDict()
    if len(args) == 1 and type(args[0]) in (list, tuple) and \
            all(type(p) in (list, tuple) and len(p) == 2 for p in args[0]):
        return collections.OrderedDict(args[0])
    raise UnsafeCheckpointError(f"OrderedDict called with {describe(args)} (expected no arguments or a list "
                                "of pairs)")


def _counter(*args):
    if not args:
        return collections.Counter()
    if len(args) == 1 and type(args[0]) is dict:
        return collections.Counter(args[0])
    raise UnsafeCheckpointError(f"Counter called with {describe(args)} (expected no arguments or a dict)")


def _set(*args):
    if not args:
        return set()
    if len(args) == 1 and type(args[0]) in (list, tuple, set):
        return set(args[0])
    raise UnsafeCheckpointError(f"set called with {describe(args)} (expected a list)")


def _frozenset(*args):
    if not args:
        return frozenset()
    if len(args) == 1 and type(args[0]) in (list, tuple, set):
        return frozenset(args[0])
    raise UnsafeCheckpointError(f"frozenset called with {describe(args)} (expected a list)")


def _complex(*args):
    if 1 <= len(args) <= 2 and all(type(a) in (int, float) for a in args):
        return complex(*args)
    raise UnsafeCheckpointError(f"complex called with {describe(args)} (expected one or two numbers)")


def _bytearray(*args):
    if not args:
        return bytearray()
    if len(args) == 1 and type(args[0]) is bytes:
        return bytearray(args[0])
    if len(args) == 2 and type(args[0]) is str and args[1] in ("latin1", "latin-1"):
        return bytearray(args[0], "latin-1")
    if len(args) == 1 and type(args[0]) in (list, tuple) and \
            all(type(b) is int and 0 <= b < 256 for b in args[0]):
        return bytearray(args[0])
    # trap: bytearray(2**34) allocates 16 GiB from an 8-byte number in the file
    raise UnsafeCheckpointError(f"bytearray called with {describe(args)} (only bytes, a latin-1 str or a list of "
                                "byte values; never a size)")


def _codecs_encode(*args):
    if len(args) == 2 and type(args[0]) is str and args[1] in ("latin1", "latin-1"):
        return args[0].encode("latin-1")
    raise UnsafeCheckpointError(f"_codecs.encode called with {describe(args)} (only (str, 'latin1'), which is "
                                "how protocol-2 pickles store bytes)")


# ----------------------------------------------------------------------------------------------------------
# the table
# ----------------------------------------------------------------------------------------------------------

_UNSUPPORTED = {
    ("torch._utils", "_rebuild_qtensor"): "quantized tensors",
    ("torch._utils", "_rebuild_sparse_tensor"): "sparse tensors",
    ("torch._utils", "_rebuild_sparse_csr_tensor"): "sparse tensors",
    ("torch._utils", "_rebuild_meta_tensor_no_storage"): "meta tensors",
    ("torch._utils", "_rebuild_nested_tensor"): "nested tensors",
    ("torch._utils", "_rebuild_wrapper_subclass"): "tensor wrapper subclasses",
    ("torch._utils", "_rebuild_device_tensor_from_numpy"): "tensors of non-CPU devices saved through NumPy",
    ("torch._utils", "_rebuild_device_tensor_from_cpu_tensor"): "tensors of non-CPU devices",
    ("torch._utils", "_rebuild_xla_tensor"): "XLA tensors",
    ("torch._utils", "_rebuild_mps_tensor"): "MPS tensors",
    ("torch.serialization", "_get_layout"): "sparse layouts",
    ("torch._tensor", "_rebuild_from_type"): "tensor subclasses",
}
for _q in ("per_tensor_affine", "per_channel_affine", "per_tensor_symmetric", "per_channel_symmetric",
           "per_channel_affine_float_qparams"):
    _UNSUPPORTED[("torch", _q)] = "quantization schemes"
for _s in UNSUPPORTED_STORAGES:
    _UNSUPPORTED[("torch", _s)] = "quantized storages"
for _d in UNSUPPORTED_DTYPES:
    _UNSUPPORTED[("torch", _d)] = f"the dtype torch.{_d}"
for _l in ("sparse_coo", "sparse_csr", "sparse_csc", "sparse_bsr", "sparse_bsc", "_mkldnn", "jagged"):
    _UNSUPPORTED[("torch", _l)] = "sparse layouts"


def build_table(ctx):
    """A fresh ``(module, name) -> object`` table for one load; ``ctx`` supplies the tensor rebuilders."""
    from .. import _dtype as _dt
    from ..tensor import Tensor
    table = {
        ("collections", "OrderedDict"): SafeCallable("collections.OrderedDict", _ordered_dict),
        ("collections", "Counter"): SafeCallable("collections.Counter", _counter),
        ("_codecs", "encode"): SafeCallable("_codecs.encode", _codecs_encode),
        ("torch._utils", "_rebuild_tensor"): SafeCallable("torch._utils._rebuild_tensor", ctx.rebuild_tensor),
        ("torch._utils", "_rebuild_tensor_v2"):
            SafeCallable("torch._utils._rebuild_tensor_v2", ctx.rebuild_tensor_v2),
        ("torch._utils", "_rebuild_tensor_v3"):
            SafeCallable("torch._utils._rebuild_tensor_v3", ctx.rebuild_tensor_v3),
        ("torch._utils", "_rebuild_parameter"):
            SafeCallable("torch._utils._rebuild_parameter", ctx.rebuild_parameter),
        ("torch._utils", "_rebuild_parameter_with_state"):
            SafeCallable("torch._utils._rebuild_parameter_with_state", ctx.rebuild_parameter_with_state),
        ("torch._tensor", "_rebuild_from_type_v2"):
            SafeCallable("torch._tensor._rebuild_from_type_v2", ctx.rebuild_from_type_v2),
        ("torch", "Size"): SafeCallable("torch.Size", ctx.make_size),
        ("torch", "device"): SafeCallable("torch.device", ctx.make_device),
        ("torch", "Tensor"): Tensor,
        ("torch._tensor", "Tensor"): Tensor,
        ("torch.nn.parameter", "Parameter"): ctx.Parameter,
        ("torch", "UntypedStorage"): StorageType("UntypedStorage", None),
        ("torch.storage", "UntypedStorage"): StorageType("UntypedStorage", None),
    }
    for builtins in ("builtins", "__builtin__"):
        table[(builtins, "set")] = SafeCallable("builtins.set", _set)
        table[(builtins, "frozenset")] = SafeCallable("builtins.frozenset", _frozenset)
        table[(builtins, "complex")] = SafeCallable("builtins.complex", _complex)
        table[(builtins, "bytearray")] = SafeCallable("builtins.bytearray", _bytearray)
    for name, np_dtype in CLASSIC.items():
        table[("torch", name)] = StorageType(name, np_dtype)
    for name in DTYPES:
        table[("torch", name)] = _dt.as_dtype(name)
    return table


def resolve(table, user, module, name, vm):
    """GLOBAL ``module.name``: the allowlisted stand-in, a user-allowed object, or a refusal naming it."""
    hit = table.get((module, name))
    if hit is not None:
        return hit
    full = f"{module}.{name}"
    why = _UNSUPPORTED.get((module, name))
    if why is not None:
        raise UnsupportedCheckpointError(f"{where(vm.file_name, vm.record, vm.op_pos)}: the checkpoint uses "
                                         f"{full} ({why}), which ember cannot represent")
    if module in ("__builtin__",):
        full = f"builtins.{name}"
    obj = user.get(full)
    if obj is not None:
        try:
            _check_allowed(full)
        except ValueError:
            obj = None
    if obj is not None:
        return obj
    raise UnsafeCheckpointError(
        f"{where(vm.file_name, vm.record, vm.op_pos)}: checkpoint references global '{full}', which is not on "
        f"the weights-only allowlist. ember's loader runs no code from files; if you trust this file and "
        f"'{full}' is harmless for any arguments, allow it with ember.serialization.add_safe_globals([{name}]) "
        f"or inside `with ember.serialization.safe_globals([{name}]):`")

