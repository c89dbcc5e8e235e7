"""Graph nodes: the objects behind ``grad_fn``.

Every recorded op is a ``Node``; the op's ``ctx`` *is* its node, so saving for backward needs no second
object.  ``_edges`` has one entry per argument of the op: ``None`` for an argument that needs no gradient,
else ``(node, output_nr)`` naming where its gradient goes.  A leaf that requires grad gets one cached
``AccumulateGrad`` node (held by the tensor; the node holds the tensor weakly, so no reference cycle).
"""
from __future__ import annotations

import itertools
import re
from collections import OrderedDict
import weakref

__all__ = ["Node", "AccumulateGrad", "ShownNode", "next_sequence_nr", "present", "saved_tensors_hooks",
           "save_on_cpu", "disable_saved_tensors_hooks", "register_multi_grad_hook", "increment_version"]

_seq = itertools.count()
next_sequence_nr = _seq.__next__

_FREED = ("Trying to backward through the graph a second time (or directly access saved tensors after they "
          "have already been freed). Saved intermediate values of the graph are freed when you call "
          ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
          "graph a second time or if you need to access saved tensors after calling backward.")


class Node:
    """A recorded op.  Subclasses define ``backward(ctx, *grad_outputs)``."""

    _n_outputs = 1
    _plain = True           # single output, no hooks: the engine's fast path (cleared when that changes)
    _materialize = True
    _saved = ()
    _saved_versions = ()
    _packed = None          # (unpack_hook, packed) when the saved tensors went through saved_tensors_hooks
    _released = False
    _pre_hooks = None       # {output_nr: [hook(grad) -> grad | None]}   (tensor hooks on non-leaf outputs)
    _hooks = None           # node-level hooks: [hook(grad_inputs, grad_outputs) -> grad_inputs | None]
    _node_pre_hooks = None  # node-level pre hooks: [hook(grad_outputs) -> grad_outputs | None]
    _trace = None           # forward stack, recorded only in anomaly mode
    _edges = ()
    _seq_nr = 0
    _shown = None           # which argument positions ``next_functions`` lists (None: all)

    # ---- introspection, as torch's grad_fn ----------------------------------------------------------
    def name(self) -> str:
        return type(self)._backward_name()

    @classmethod
    def _backward_name(cls) -> str:
        return cls.__dict__.get("_grad_name") or cls.__name__ + "Backward0"

    @property
    def next_functions(self):
        """One ``(node, output_nr)`` per tensor input, as torch lists them: ``(None, 0)`` for an input that needs
        no gradient.  ``_edges`` has a slot for every argument of the op (dims, flags ...); ``_shown`` (a class
        attribute: positions or a slice) picks the tensor inputs, and a composite presented as one torch node
        (``present``) lists the edges of its own inputs instead of its last inner op's."""
        edges = self.__dict__.get("_present_edges")
        if edges is None:
            edges = self._edges
            shown = type(self)._shown
            if shown is not None:
                if callable(shown):
                    edges = self.__dict__["_present_edges"] = shown(self)   # built once: stable identities
                elif type(shown) is slice:
                    edges = edges[shown]
                else:
                    edges = [edges[i] for i in shown if i < len(edges)]
        return tuple(e if e is not None else (None, 0) for e in edges if e is not False)

    def __repr__(self):
        return f"<{self.name()} object at {hex(id(self))}>"

    def __call__(self, *grads):
        """Run this node's backward on ``grads`` (one per output) and return one gradient per input, in the
        order of ``next_functions``, as calling a torch ``grad_fn`` does."""
        out = type(self).backward(self, *grads)
        if type(out) is not tuple:
            out = tuple(out) if isinstance(out, list) else (out,)
        shown = type(self)._shown
        idx = list(range(len(out)))
        if shown is not None and not callable(shown):
            idx = idx[shown] if type(shown) is slice else [i for i in shown if i < len(out)]
        edges = self._edges
        return tuple(out[i] for i in idx if i >= len(edges) or edges[i] is not False)

    @property
    def metadata(self):
        d = self.__dict__.get("_metadata")
        if d is None:
            d = self.__dict__["_metadata"] = {}
        return d

    def register_hook(self, fn):
        from ..utils.hooks import RemovableHandle
        if self._hooks is None:
            self._hooks = OrderedDict()
        handle = RemovableHandle(self._hooks)
        self._hooks[handle.id] = fn
        self._plain = False
        return handle

    def register_prehook(self, fn):
        from ..utils.hooks import RemovableHandle
        if self._node_pre_hooks is None:
            self._node_pre_hooks = OrderedDict()
        handle = RemovableHandle(self._node_pre_hooks)
        self._node_pre_hooks[handle.id] = fn
        self._plain = False
        return handle

    # ---- saved tensors ------------------------------------------------------------------------------
    @property
    def saved_tensors(self):
        if self._released:
            raise RuntimeError(_FREED)
        if self._packed is not None:
            from .saved_hooks import unpack
            return unpack(self._packed)
        saved = self._saved
        versions = self._saved_versions
        for i, t in enumerate(saved):
            vc = getattr(t, "_vc", None)
            if (vc[0] if vc else 0) != versions[i]:
                _raise_modified(self, t, versions[i])
        return saved

    def _saved_for(self, needed, shown=None):
        """The saved tensors, checking the versions of only those the backward will read (``needed``, one flag
        each): torch saves an input only when another input's gradient needs it, so editing the other one in
        place is no error.  ``shown`` maps a position to ``(shape, producer)`` for the message, where torch saved
        a view (a Linear keeps ``weight.t()``: ``[out, in] ..., which is output 0 of AsStrided``)."""
        if self._released or self._packed is not None:
            return self.saved_tensors
        saved = self._saved
        for i, t in enumerate(saved):
            if not needed[i]:
                continue
            vc = getattr(t, "_vc", None)
            if (vc[0] if vc else 0) != self._saved_versions[i]:
                if shown and i in shown:
                    _raise_modified_view(t, self._saved_versions[i], *shown[i])
                _raise_modified(self, t, self._saved_versions[i])
        return saved

    def _release(self):
        self._saved = ()
        self._packed = None
        self._released = True


def _raise_modified_view(t, saved_version, shape, op):
    _raise_text(t, saved_version, "[" + ", ".join(str(s) for s in shape) + "]", f", which is output 0 of {op},")


def _raise_modified(node, t, saved_version):
    shape = "[" + ", ".join(str(s) for s in t.shape) + "]"
    producer = t.grad_fn
    # torch names the producing op without its "Backward<n>" suffix ("output 0 of Sigmoid")
    op = re.sub(r"Backward\d*$", "", producer.name()) if producer is not None else ""
    where = f", which is output {t._output_nr} of {op}," if producer is not None else ""
    _raise_text(t, saved_version, shape, where)


def _raise_text(t, saved_version, shape, where):
    from .function import _anomaly
    hint = ("Hint: the backtrace further above shows the operation that failed to compute its gradient. The "
            "variable in question was changed in there or anywhere later. Good luck!" if _anomaly[0] else
            "Hint: enable anomaly detection to find the operation that failed to compute its gradient, with "
            "torch.autograd.set_detect_anomaly(True, check_nan=False).")
    raise RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace operation: "
        f"[{t.type()} {shape}]{where} is at version {t._version}; expected "
        f"version {saved_version} instead. {hint}")


def present(out, name, *inputs):
    """Show the node that produced ``out`` (the last op of a composite) as torch's single node ``name`` whose
    inputs are ``inputs``: ``grad_fn.name()`` and ``grad_fn.next_functions`` then read as torch's do.  A node
    that belongs to one of ``inputs`` (the composite returned an input unchanged) is left alone."""
    node = getattr(out, "_grad_fn", None)
    if node is None or any(node is getattr(i, "_grad_fn", None) for i in inputs):
        return out
    node.name = lambda: name
    cls = type(node)
    if cls.__name__ != name and "::" not in name:
        node.__class__ = _renamed(cls, name)    # ``type(grad_fn).__name__`` reads as torch's too
    if inputs:
        edges = []
        for i in inputs:
            if getattr(i, "requires_grad", False):
                from .function import _edge_of
                edges.append(_edge_of(i))
            else:
                edges.append(None)
        node._present_edges = edges
    return out


_renamed_classes = {}


def _renamed(cls, name):
    """A subclass of node class ``cls`` that only changes its name (cached: one per class and name)."""
    sub = _renamed_classes.get((cls, name))
    if sub is None:
        sub = type(cls)(name, (cls,), {"_grad_name": name, "__module__": cls.__module__,
                                       "__qualname__": name})
        if "_op_name" in cls.__dict__ or hasattr(cls, "_op_name"):
            sub._op_name = cls._op_name
        _renamed_classes[(cls, name)] = sub
    return sub


class ShownNode(Node):
    """A node of torch's graph that ember fused away (the ``TBackward0`` of a Linear's weight, say): shown in
    ``next_functions`` with torch's name and inputs; the engine never runs it (gradients take ember's edges)."""

    def __init__(self, name, edges):
        self._shown_name = name
        self._present_edges = list(edges)

    def name(self):
        return self._shown_name


class AccumulateGrad(Node):
    """The sink of a leaf tensor: adds incoming gradients into ``variable.grad``."""

    _grad_name = "AccumulateGrad"
    _seq_nr = float("inf")

    def __init__(self, tensor):
        self._ref = weakref.ref(tensor)

    @property
    def variable(self):
        return self._ref()

    def name(self):
        return "torch::autograd::AccumulateGrad"     # torch's C++ name; repr shows the class name

    def __repr__(self):
        return f"<AccumulateGrad object at {hex(id(self))}>"


    @property
    def next_functions(self):
        return ()



AccumulateGrad.__module__ = "builtins"     # torch's is a C++ class: ``<class 'AccumulateGrad'>``

def increment_version(tensor):
    """Bump the version counter of ``tensor`` (or of each tensor of an iterable), as an in-place op would."""
    from ..tensor import Tensor
    for t in (tensor,) if isinstance(tensor, Tensor) else tensor:
        t._bump_version()


class _MultiHandle:
    """Removes the per-tensor hooks of one ``register_multi_grad_hook``."""

    def __init__(self, handles):
        self.handles = handles

    def remove(self):
        for h in self.handles:
            h.remove()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def register_multi_grad_hook(tensors, fn, *, mode="all"):
    """Call ``fn`` once per backward pass that reaches any of ``tensors``: with the tuple of their gradients
    (None for those the pass did not compute) in mode ``"all"``, or with the first gradient computed in mode
    ``"any"``."""
    if mode not in ("all", "any"):
        raise ValueError(f"Expects mode to be one of ('all', 'any') but got {mode}")
    from . import engine
    tensors = tuple(tensors)
    state = {"grads": None}

    def flush():
        grads, state["grads"] = state["grads"], None
        if mode == "all" and grads is not None:
            fn(tuple(grads))

    def make_hook(i):
        def hook(grad):
            if state["grads"] is None:
                state["grads"] = [None] * len(tensors)
                engine.queue_callback(flush)
                if mode == "any":
                    fn(grad)
            if mode == "all":
                state["grads"][i] = grad
        return hook
    return _MultiHandle([t.register_hook(make_hook(i)) for i, t in enumerate(tensors) if t.requires_grad])


from .saved_hooks import saved_tensors_hooks, save_on_cpu, disable_saved_tensors_hooks  # noqa: E402
