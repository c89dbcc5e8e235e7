"""A small pickle virtual machine that builds only allowlisted objects (the weights-only loader).

Why not ``pickle.Unpickler`` with ``find_class``: the C unpickler's REDUCE, BUILD, SETITEM and APPEND act on
*whatever* object is on the stack, and its memo is a list that grows to the largest index a file names
(8 bytes of pickle ask for 2 GiB).  Here every opcode type-checks its target (CHECKPOINT-FORMAT.md 4.2):

- GLOBAL resolves through an exact ``(module, name)`` table built fresh for each load, so no load can
  tamper with the objects another load sees;
- REDUCE calls only ``SafeCallable`` stand-ins (or callables a user allowed); BUILD acts only on
  ``OrderedDict``/``Counter`` (the ``_metadata`` of a state_dict) or instances of user-allowed classes;
  SETITEM(S) only on dict, OrderedDict and Counter; APPEND(S) only on list;
- the memo is a dict; tuples deeper than ``MAX_DEPTH`` are refused as they are built, because hashing
  one (a dict key) recurses in C and crashes the interpreter; lists and dicts are depth-checked at the end.
"""
from __future__ import annotations

import collections
import reprlib
import struct

from ._errors import CheckpointError, CorruptCheckpointError, UnsafeCheckpointError, where

__all__ = ["Unpickler", "SafeCallable", "MAX_DEPTH", "describe"]

MAX_DEPTH = 1000
_MAX_NAME = 1024          # bytes in a GLOBAL's module or name
_MAX_LONG = 1 << 16       # bytes in a LONG4 (LONG1 is at most 255 by construction)

_WRAPPED = (IndexError, KeyError, TypeError, ValueError, struct.error, UnicodeError, OverflowError,
            AttributeError, MemoryError, RecursionError)

_short = reprlib.Repr()
_short.maxstring = 60
_short.maxother = 60


def describe(obj) -> str:
    """A short, recursion-safe description of a stack object for error messages."""
    try:
        return f"{type(obj).__name__} {_short.repr(obj)}"
    except Exception:  # noqa: BLE001 - a description must never raise
        return type(obj).__name__


class SafeCallable:
    """An allowlisted callable: ``fn`` with the name it was looked up under.  Immutable."""

    __slots__ = ("name", "_fn")

    def __init__(self, name, fn):
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "_fn", fn)

    def __setattr__(self, key, value):
        raise AttributeError("allowlisted callables are immutable")

    def __call__(self, *args):
        return self._fn(*args)

    def __repr__(self):
        return f"<weights-only stand-in for {self.name}>"


_NAMES = {  # opcode byte -> name, for error messages
    0x28: "MARK", 0x2e: "STOP", 0x30: "POP", 0x31: "POP_MARK", 0x32: "DUP", 0x4e: "NONE", 0x88: "NEWTRUE",
    0x89: "NEWFALSE", 0x4a: "BININT", 0x4b: "BININT1", 0x4d: "BININT2", 0x8a: "LONG1", 0x8b: "LONG4",
    0x47: "BINFLOAT", 0x55: "SHORT_BINSTRING", 0x54: "BINSTRING", 0x58: "BINUNICODE", 0x8c: "SHORT_BINUNICODE",
    0x8d: "BINUNICODE8", 0x43: "SHORT_BINBYTES", 0x42: "BINBYTES", 0x8e: "BINBYTES8", 0x29: "EMPTY_TUPLE",
    0x74: "TUPLE", 0x85: "TUPLE1", 0x86: "TUPLE2", 0x87: "TUPLE3", 0x5d: "EMPTY_LIST", 0x6c: "LIST",
    0x61: "APPEND", 0x65: "APPENDS", 0x7d: "EMPTY_DICT", 0x64: "DICT", 0x73: "SETITEM", 0x75: "SETITEMS",
    0x8f: "EMPTY_SET", 0x90: "ADDITEMS", 0x91: "FROZENSET", 0x63: "GLOBAL", 0x93: "STACK_GLOBAL",
    0x52: "REDUCE", 0x62: "BUILD", 0x81: "NEWOBJ", 0x51: "BINPERSID", 0x68: "BINGET", 0x6a: "LONG_BINGET",
    0x71: "BINPUT", 0x72: "LONG_BINPUT", 0x94: "MEMOIZE", 0x80: "PROTO", 0x95: "FRAME",
    # refused
    0x69: "INST", 0x6f: "OBJ", 0x82: "EXT1", 0x83: "EXT2", 0x84: "EXT4", 0x50: "PERSID", 0x92: "NEWOBJ_EX",
    0x96: "BYTEARRAY8", 0x97: "NEXT_BUFFER", 0x98: "READONLY_BUFFER", 0x49: "INT", 0x4c: "LONG",
    0x46: "FLOAT", 0x53: "STRING", 0x56: "UNICODE", 0x70: "PUT", 0x67: "GET",
}
_REFUSED = {0x69, 0x6f, 0x82, 0x83, 0x84, 0x50, 0x92, 0x96, 0x97, 0x98, 0x49, 0x4c, 0x46, 0x53, 0x56, 0x70, 0x67}
_DICTS = (dict, collections.OrderedDict, collections.Counter)


class Unpickler:
    """Runs one pickle from ``data`` starting at ``pos``; ``load()`` returns the object, ``self.pos`` its end.

    ``resolve(module, name)`` returns the object a GLOBAL names or raises; ``persistent_load(pid)`` turns a
    BINPERSID id into a storage; ``user_types``/``user_callables`` come from ``add_safe_globals``.
    """

    def __init__(self, data, *, resolve, persistent_load, file_name, record, user_callables=frozenset(),
                 user_types=(), encoding="utf-8", pos=0):
        self.data = data
        self.pos = pos
        self.resolve = resolve
        self.persistent_load = persistent_load
        self.file_name = file_name
        self.record = record
        self.user_callables = user_callables     # ids of user-allowed callables
        self.user_types = tuple(user_types)       # user-allowed classes (BUILD/NEWOBJ targets)
        self.encoding = encoding

    # ---- errors -------------------------------------------------------------------------------------------
    def _corrupt(self, msg, at=None):
        return CorruptCheckpointError(f"{where(self.file_name, self.record, self.op_pos if at is None else at)}: "
                                      f"{msg}")

    def _unsafe(self, msg):
        return UnsafeCheckpointError(f"{where(self.file_name, self.record, self.op_pos)}: {msg}")

    # ---- reading --------------------------------------------------------------------------------------------
    def _take(self, n):
        pos = self.pos
        if n < 0 or pos + n > len(self.data):
            raise self._corrupt(f"{_NAMES.get(self.op, 'opcode')} needs {n} bytes but the pickle ends at byte "
                                f"{len(self.data)} (truncated?)")
        self.pos = pos + n
        return self.data[pos:pos + n]

    def _line(self):
        window = bytes(self.data[self.pos:self.pos + _MAX_NAME + 1])
        end = window.find(b"\n")
        if end < 0:
            raise self._corrupt(f"GLOBAL name is not newline-terminated within {_MAX_NAME} bytes")
        self.pos += end + 1
        return window[:end].decode("utf-8")

    def _u(self, fmt, n):
        return struct.unpack(fmt, self._take(n))[0]

    # ---- the loop -------------------------------------------------------------------------------------------
    def load(self):
        self.stack = []
        self.marks = []
        self.memo = {}
        self.depth = {}       # id(tuple) -> nesting depth
        self.keep = []        # tuples whose ids are in self.depth stay alive
        self.op = None
        self.op_pos = self.pos
        data = self.data
        while True:
            self.op_pos = self.pos
            if self.pos >= len(data):
                raise self._corrupt("the pickle ends without a STOP opcode (truncated?)")
            op = self.op = data[self.pos]
            self.pos += 1
            if op == 0x2e:   # STOP
                if len(self.stack) != 1 or self.marks:
                    raise self._corrupt(f"STOP with {len(self.stack)} objects and {len(self.marks)} open MARKs "
                                        "on the stack (expected exactly one object)")
                return self.stack.pop()
            handler = _DISPATCH.get(op)
            if handler is None:
                if op in _REFUSED:
                    raise self._unsafe(f"pickle opcode {_NAMES[op]} is not allowed by the weights-only loader")
                raise self._corrupt(f"unknown pickle opcode {op:#04x}")
            try:
                handler(self)
            except CheckpointError as exc:
                if str(exc).startswith(repr(str(self.file_name))):
                    raise
                # a stand-in refused its arguments: add where in the file that happened
                raise type(exc)(f"{where(self.file_name, self.record, self.op_pos)}: {exc}") from None
            except _WRAPPED as exc:
                raise self._corrupt(f"{_NAMES.get(op, hex(op))} failed: {type(exc).__name__}: {exc}") from None

    # ---- stack helpers --------------------------------------------------------------------------------------
    def _pop(self):
        if not self.stack or (self.marks and len(self.stack) <= self.marks[-1]):
            raise self._corrupt(f"{_NAMES[self.op]} on an empty stack")
        return self.stack.pop()

    def _top(self):
        if not self.stack or (self.marks and len(self.stack) <= self.marks[-1]):
            raise self._corrupt(f"{_NAMES[self.op]} on an empty stack")
        return self.stack[-1]

    def _pop_mark(self):
        if not self.marks:
            raise self._corrupt(f"{_NAMES[self.op]} without a MARK")
        k = self.marks.pop()
        items = self.stack[k:]
        del self.stack[k:]
        return items

    def _tuple(self, items):
        d = 0
        for x in items:
            if type(x) is tuple or type(x) is frozenset:
                d = max(d, self.depth.get(id(x), 0))
        t = tuple(items)
        if d:
            if d + 1 > MAX_DEPTH:
                raise self._unsafe(f"tuples nested more than {MAX_DEPTH} levels deep")
            self.depth[id(t)] = d + 1
            self.keep.append(t)
        elif t:
            self.depth[id(t)] = 1
            self.keep.append(t)
        self.stack.append(t)

    # ---- opcodes: scalars -----------------------------------------------------------------------------------
    def op_mark(self):
        self.marks.append(len(self.stack))

    def op_pop(self):
        if self.stack and not (self.marks and len(self.stack) <= self.marks[-1]):
            self.stack.pop()
        else:
            self._pop_mark()

    def op_pop_mark(self):
        self._pop_mark()

    def op_dup(self):
        self.stack.append(self._top())

    def op_none(self):
        self.stack.append(None)

    def op_true(self):
        self.stack.append(True)

    def op_false(self):
        self.stack.append(False)

    def op_binint(self):
        self.stack.append(self._u("<i", 4))

    def op_binint1(self):
        self.stack.append(self._take(1)[0])

    def op_binint2(self):
        self.stack.append(self._u("<H", 2))

    def op_long1(self):
        n = self._take(1)[0]
        self.stack.append(int.from_bytes(self._take(n), "little", signed=True))

    def op_long4(self):
        n = self._u("<i", 4)
        if n < 0 or n > _MAX_LONG:
            raise self._unsafe(f"LONG4 of {n} bytes (the limit is {_MAX_LONG})")
        self.stack.append(int.from_bytes(self._take(n), "little", signed=True))

    def op_binfloat(self):
        self.stack.append(self._u(">d", 8))

    def _str8(self, raw):
        # Python-2 ``str``: decoded with ``encoding`` ('bytes' keeps it bytes), as pickle.load does
        raw = bytes(raw)
        self.stack.append(raw if self.encoding == "bytes" else raw.decode(self.encoding, "strict"))

    def op_short_binstring(self):
        self._str8(self._take(self._take(1)[0]))

    def op_binstring(self):
        self._str8(self._take(self._u("<i", 4)))

    def op_binunicode(self):
        self.stack.append(bytes(self._take(self._u("<I", 4))).decode("utf-8", "surrogatepass"))

    def op_short_binunicode(self):
        self.stack.append(bytes(self._take(self._take(1)[0])).decode("utf-8", "surrogatepass"))

    def op_binunicode8(self):
        self.stack.append(bytes(self._take(self._u("<Q", 8))).decode("utf-8", "surrogatepass"))

    def op_short_binbytes(self):
        self.stack.append(bytes(self._take(self._take(1)[0])))

    def op_binbytes(self):
        self.stack.append(bytes(self._take(self._u("<I", 4))))

    def op_binbytes8(self):
        self.stack.append(bytes(self._take(self._u("<Q", 8))))

    # ---- opcodes: containers --------------------------------------------------------------------------------
    def op_empty_tuple(self):
        self.stack.append(())

    def op_tuple(self):
        self._tuple(self._pop_mark())

    def op_tuple1(self):
        a = self._pop()
        self._tuple([a])

    def op_tuple2(self):
        b = self._pop()
        a = self._pop()
        self._tuple([a, b])

    def op_tuple3(self):
        c = self._pop()
        b = self._pop()
        a = self._pop()
        self._tuple([a, b, c])

    def op_empty_list(self):
        self.stack.append([])

    def op_list(self):
        self.stack.append(self._pop_mark())

    def op_empty_dict(self):
        self.stack.append({})

    def op_dict(self):
        items = self._pop_mark()
        if len(items) % 2:
            raise self._corrupt("DICT with an odd number of items")
        self.stack.append({items[i]: items[i + 1] for i in range(0, len(items), 2)})

    def op_empty_set(self):
        self.stack.append(set())

    def op_frozenset(self):
        items = self._pop_mark()
        self._tuple(items)   # depth bookkeeping, then swap the tuple for a frozenset
        t = self.stack.pop()
        f = frozenset(t)
        self.depth[id(f)] = self.depth.get(id(t), 1)
        self.keep.append(f)
        self.stack.append(f)

    def op_append(self):
        value = self._pop()
        target = self._top()
        if type(target) is not list:
            raise self._unsafe(f"APPEND to {describe(target)} (only lists may be appended to)")
        target.append(value)

    def op_appends(self):
        items = self._pop_mark()
        target = self._top()
        if type(target) is not list:
            raise self._unsafe(f"APPENDS to {describe(target)} (only lists may be appended to)")
        target.extend(items)

    def op_setitem(self):
        value = self._pop()
        key = self._pop()
        target = self._top()
        if type(target) not in _DICTS:
            raise self._unsafe(f"SETITEM on {describe(target)} (only dict, OrderedDict and Counter allowed)")
        target[key] = value

    def op_setitems(self):
        items = self._pop_mark()
        target = self._top()
        if type(target) not in _DICTS:
            raise self._unsafe(f"SETITEMS on {describe(target)} (only dict, OrderedDict and Counter allowed)")
        if len(items) % 2:
            raise self._corrupt("SETITEMS with an odd number of items")
        for i in range(0, len(items), 2):
            target[items[i]] = items[i + 1]

    def op_additems(self):
        items = self._pop_mark()
        target = self._top()
        if type(target) is not set:
            raise self._unsafe(f"ADDITEMS on {describe(target)} (only sets allowed)")
        target.update(items)

    # ---- opcodes: memo --------------------------------------------------------------------------------------
    def _get(self, i):
        if i not in self.memo:
            raise self._corrupt(f"memo index {i} read before it was written")
        self.stack.append(self.memo[i])

    def op_binget(self):
        self._get(self._take(1)[0])

    def op_long_binget(self):
        self._get(self._u("<I", 4))

    def op_binput(self):
        self.memo[self._take(1)[0]] = self._top()

    def op_long_binput(self):
        i = self._u("<I", 4)
        if i > self.pos + 16:
            # a pickler numbers memo entries in order, so index i needs i earlier opcodes; a huge index is how
            # the C unpickler is made to allocate gigabytes (its memo is a list)
            raise self._corrupt(f"memo index {i} is larger than any pickle of {self.pos} bytes could use")
        self.memo[i] = self._top()

    def op_memoize(self):
        self.memo[len(self.memo)] = self._top()

    # ---- opcodes: framing -----------------------------------------------------------------------------------
    def op_proto(self):
        v = self._take(1)[0]
        if v > 5:
            raise self._corrupt(f"pickle protocol {v} is not supported (at most 5)")

    def op_frame(self):
        n = self._u("<Q", 8)
        if self.pos + n > len(self.data):
            raise self._corrupt(f"FRAME of {n} bytes runs past the end of the pickle (truncated?)")

    # ---- opcodes: objects -----------------------------------------------------------------------------------
    def op_global(self):
        module = self._line()
        name = self._line()
        self.stack.append(self.resolve(module, name, self))

    def op_stack_global(self):
        name = self._pop()
        module = self._pop()
        if type(module) is not str or type(name) is not str:
            raise self._corrupt("STACK_GLOBAL needs two str on the stack")
        self.stack.append(self.resolve(module, name, self))

    def op_reduce(self):
        args = self._pop()
        func = self._pop()
        if type(args) is not tuple:
            raise self._corrupt(f"REDUCE arguments must be a tuple, got {describe(args)}")
        if type(func) is SafeCallable or id(func) in self.user_callables:
            self.stack.append(func(*args))
            return
        raise self._unsafe(f"REDUCE on {describe(func)}, which is not an allowlisted callable")

    def op_newobj(self):
        args = self._pop()
        cls = self._pop()
        if not (isinstance(cls, type) and id(cls) in self.user_callables) or type(args) is not tuple:
            raise self._unsafe(f"NEWOBJ on {describe(cls)} (allowed only for classes added with "
                               "ember.serialization.add_safe_globals)")
        self.stack.append(cls.__new__(cls, *args))

    def op_build(self):
        state = self._pop()
        target = self._top()
        if type(target) in (collections.OrderedDict, collections.Counter):
            if type(state) is not dict or not all(type(k) is str and not k.startswith("__") and
                                                  not hasattr(type(target), k) for k in state):
                raise self._unsafe(f"BUILD on an {type(target).__name__} with state {describe(state)} (only a "
                                   "dict of plain attribute names, such as state_dict's _metadata)")
            for k, v in state.items():
                setattr(target, k, v)
            return
        if self.user_types and isinstance(target, self.user_types):
            setstate = getattr(target, "__setstate__", None)
            if setstate is not None:
                setstate(state)
            elif type(state) is dict:
                target.__dict__.update(state)
            else:
                raise self._unsafe(f"BUILD on {describe(target)} with state {describe(state)}")
            return
        raise self._unsafe(f"BUILD on {describe(target)} (only OrderedDict state and classes added with "
                           "ember.serialization.add_safe_globals)")

    def op_inst(self):
        # refused, but INST names its global inline: say which one
        full = f"{self._line()}.{self._line()}"
        raise self._unsafe(f"pickle opcode INST (protocol-0 object creation) of global '{full}' is not allowed by "
                           "the weights-only loader")

    def op_binpersid(self):
        pid = self._pop()
        self.stack.append(self.persistent_load(pid, self))


_DISPATCH = {
    0x28: Unpickler.op_mark, 0x30: Unpickler.op_pop, 0x31: Unpickler.op_pop_mark, 0x32: Unpickler.op_dup,
    0x4e: Unpickler.op_none, 0x88: Unpickler.op_true, 0x89: Unpickler.op_false, 0x4a: Unpickler.op_binint,
    0x4b: Unpickler.op_binint1, 0x4d: Unpickler.op_binint2, 0x8a: Unpickler.op_long1, 0x8b: Unpickler.op_long4,
    0x47: Unpickler.op_binfloat, 0x55: Unpickler.op_short_binstring, 0x54: Unpickler.op_binstring,
    0x58: Unpickler.op_binunicode, 0x8c: Unpickler.op_short_binunicode, 0x8d: Unpickler.op_binunicode8,
    0x43: Unpickler.op_short_binbytes, 0x42: Unpickler.op_binbytes, 0x8e: Unpickler.op_binbytes8,
    0x29: Unpickler.op_empty_tuple, 0x74: Unpickler.op_tuple, 0x85: Unpickler.op_tuple1,
    0x86: Unpickler.op_tuple2, 0x87: Unpickler.op_tuple3, 0x5d: Unpickler.op_empty_list,
    0x6c: Unpickler.op_list, 0x61: Unpickler.op_append, 0x65: Unpickler.op_appends,
    0x7d: Unpickler.op_empty_dict, 0x64: Unpickler.op_dict, 0x73: Unpickler.op_setitem,
    0x75: Unpickler.op_setitems, 0x8f: Unpickler.op_empty_set, 0x90: Unpickler.op_additems,
    0x91: Unpickler.op_frozenset, 0x63: Unpickler.op_global, 0x93: Unpickler.op_stack_global,
    0x52: Unpickler.op_reduce, 0x62: Unpickler.op_build, 0x81: Unpickler.op_newobj,
    0x51: Unpickler.op_binpersid, 0x68: Unpickler.op_binget, 0x6a: Unpickler.op_long_binget,
    0x71: Unpickler.op_binput, 0x72: Unpickler.op_long_binput, 0x94: Unpickler.op_memoize,
    0x80: Unpickler.op_proto, 0x95: Unpickler.op_frame, 0x69: Unpickler.op_inst,
}
