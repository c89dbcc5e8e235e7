"""``Function.apply``: where a forward op is run and, when needed, recorded in the graph.

Two kinds of functions share one ``apply``:

* ember's own ops (``Op`` subclasses) get NumPy/CuPy arrays in ``forward`` and return arrays; they name the
  inputs to keep for backward with the class attributes ``save_inputs`` (argument positions) and
  ``save_output`` (the output, re-wrapped on demand so double backward still sees it as this node's output);
* user functions (``ember.autograd.Function``) get Tensors in ``forward`` (run under ``no_grad``) and use
  ``ctx.save_for_backward`` as in torch.

``backward`` of both is written with ember Tensor ops, so ``create_graph=True`` needs no extra code.
"""
from __future__ import annotations

import weakref

import numpy as np

from . import grad_mode
from .graph import AccumulateGrad, Node, next_sequence_nr
from .saved_hooks import _stack as _saved_hooks, pack as _pack_saved

__all__ = ["Op", "Function", "FunctionCtx", "once_differentiable"]

_grad_state = grad_mode._state
_inference = grad_mode._inference
_anomaly = [False]          # set by autograd.anomaly_mode
_transforms = [0, 0, 0]     # torch.func transforms running now: [any grad-like, vmap, jvp] (ember.func_api)
_ndarray = np.ndarray
_new = object.__new__
_weakref = weakref.ref

Tensor = None                # bound by ember.tensor (import cycle)
_wrap = None


def _edge_of(t):
    """Where the gradient of tensor ``t`` goes: its producer, or its leaf accumulator."""
    fn = t._grad_fn
    if fn is not None:
        return (fn, t._output_nr)
    acc = t._accum
    if acc is None:
        acc = t._accum = AccumulateGrad(t)
    return (acc, 0)


def _check_devices(args):
    devices = []
    for a in args:
        if isinstance(a, Tensor):
            d = a.device
            if d not in devices:
                devices.append(d)
    if len(devices) > 1:
        raise RuntimeError("Expected all tensors to be on the same device, but found at least two devices, "
                           f"{devices[0]} and {devices[1]}!")


class Op(Node):
    """Base of ember's primitives: ``forward(ctx, *arrays) -> array | tuple``, ``backward(ctx, *grads)``."""

    is_view = False        # the output shares memory (and the version counter) with the first argument
    save_inputs = ()       # argument positions whose Tensors backward reads through ``ctx.saved_tensors``
    save_output = False    # backward reads the output through ``ctx.saved_output``
    differentiable = True  # False for ops whose output never has a gradient (comparisons, argmax ...)
    _packed_out = None     # the output as packed by saved_tensors_hooks (saved_hooks.py)

    def __init_subclass__(cls, **kwargs):
        """The class takes torch's node name (``type(y.grad_fn).__name__ == "MulBackward0"``, printed as
        ``<class 'MulBackward0'>``); ``_op_name`` keeps the name it was written with."""
        super().__init_subclass__(**kwargs)
        cls._op_name = cls.__name__
        grad_name = cls.__dict__.get("_grad_name") or cls.__name__ + "Backward0"
        cls._grad_name = grad_name
        cls.__name__ = cls.__qualname__ = grad_name.rsplit("::", 1)[-1]
        cls.__module__ = "builtins"

    @classmethod
    def apply(cls, *args):
        ctx = _new(cls)
        try:
            if len(args) == 1:      # unary ops: no argument list to build
                a = args[0]
                out = cls.forward(ctx, a._data if isinstance(a, Tensor) else a)
            else:
                out = cls.forward(ctx, *[a._data if isinstance(a, Tensor) else a for a in args])
        except TypeError:
            _check_devices(args)  # NumPy and CuPy arrays met: raise torch's message instead
            raise
        if _grad_state[0] and cls.differentiable:
            for a in args:
                if isinstance(a, Tensor) and a.requires_grad:
                    return _record(ctx, args, out, cls)
        if type(out) is tuple:
            return tuple(_wrap(o) for o in out)
        out = _wrap(out)
        if cls.is_view:
            _share_view(out, args[0])
        if _inference[0]:
            out._extra = {"inference": True}
        return out

    def __getattr__(self, name):
        """torch's ``grad_fn._saved_self`` / ``_saved_other`` / ``_saved_result`` (the tutorials read them);
        only reached when ordinary lookup fails."""
        if name.startswith("_saved_"):
            cls = type(self)
            key = name[7:]
            if key == "result" and cls.save_output:
                return self.saved_output
            pos = {"self": 0, "other": 1}.get(key)
            if pos is not None and pos in cls.save_inputs:
                return self.saved_tensors[cls.save_inputs.index(pos)]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    @property
    def saved_output(self):
        """The forward output as a Tensor that is this node's output (so double backward differentiates it)."""
        if self._released:
            self.saved_tensors  # raises the freed-graph error
        if self._packed_out is not None:      # saved through saved_tensors_hooks: no version check
            from .saved_hooks import unpack
            out = _wrap(unpack(self._packed_out)[0]._data)
            out._grad_fn = self
            out.requires_grad = True
            return out
        arr, vc, version = self._out
        if vc[0] != version:
            out = _wrap(arr)
            out._vc = vc
            from .graph import _raise_modified
            out._grad_fn, out.requires_grad = self, True
            _raise_modified(self, out, version)
        out = _wrap(arr)
        out._grad_fn = self
        out.requires_grad = True
        return out

    def _release(self):
        self._saved = ()
        self._out = None
        self._packed = self._packed_out = None
        self._released = True


def _share_view(out, src):
    """Make ``out`` a view of ``src``: same base, same version counter."""
    vc = src._vc
    if vc is None:
        vc = src._vc = [0]
    out._vc = vc
    out._base = src._base if src._base is not None else src


class _Views:
    """The recorded views of a base, held weakly: ``add``, iteration over the live ones, truth when any lives.

    Cheaper than a ``WeakSet`` (no callback per reference) on the path every recorded view takes; dead
    references are dropped whenever the list reaches a power of two (amortised constant time)."""

    __slots__ = ("refs",)

    def __init__(self):
        self.refs = []

    def add(self, view):
        refs = self.refs
        refs.append(_weakref(view))
        n = len(refs)
        if n >= 32 and not n & (n - 1):
            self.refs = [r for r in refs if r() is not None]

    def __iter__(self):
        for r in self.refs:
            v = r()
            if v is not None:
                yield v

    def __bool__(self):
        return any(r() is not None for r in self.refs)


def _register_view(view):
    """Remember a recorded view on its base, so an in-place write to the base can refresh its history."""
    base = view._base
    extra = base._extra
    if extra is None:
        extra = base._extra = {}
    views = extra.get("views")
    if views is None:
        views = extra["views"] = _Views()
    views.add(view)


def _forward_trace():
    """The Python stack of the forward call (anomaly mode), without ember's own frames at its end: it ends
    at the user's line, as torch's does for its built-in ops."""
    import os
    import traceback
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
    frames = traceback.extract_stack()
    while frames and os.path.abspath(frames[-1].filename).startswith(root):
        frames.pop()
    return "".join(traceback.format_list(frames))


def _record(ctx, args, out, cls):
    """Link ``ctx`` into the graph as the producer of ``out`` (an array or a tuple of arrays)."""
    ctx._edges = [((a._grad_fn, a._output_nr) if a._grad_fn is not None else _edge_of(a))
                  if isinstance(a, Tensor) and a.requires_grad else None for a in args]
    ctx._seq_nr = next_sequence_nr()
    save = cls.save_inputs
    if save:
        saved = tuple([args[i] for i in save])
        ctx._saved = saved
        ctx._saved_versions = tuple([t._vc[0] if isinstance(t, Tensor) and t._vc is not None else 0
                                     for t in saved])
        for t in saved:
            if isinstance(t, Tensor) and t._extra is not None and t._extra.get("inference"):
                raise RuntimeError(
                    "Inference tensors cannot be saved for backward. Please do not use Tensors created in inference "
                    "mode in computation tracked by autograd. To work around this, you can make a clone to get a "
                    "normal tensor and use it in autograd, or use `torch.no_grad()` instead of "
                    "`torch.inference_mode()`.")
    if type(out) is tuple:
        outs = tuple(_wrap(o) for o in out)
        ctx._n_outputs = len(outs)
        ctx._plain = False
        ctx._out_meta = [(o.shape, o.dtype, type(o) is _ndarray) for o in out]
        for nr, o in enumerate(outs):
            if o._data.dtype.kind in "fcV":   # floating, complex, bfloat16 (ml_dtypes shows as 'V')
                o._grad_fn = ctx
                o.requires_grad = True
                o._output_nr = nr
        result = outs
        first = outs[0]
    else:
        first = result = _wrap(out)
        if cls.is_view:
            _share_view(first, args[0])
            _register_view(first)
        if out.dtype.kind in "fcV":
            first._grad_fn = ctx
            first.requires_grad = True
    if cls.save_output:
        vc = first._vc
        if vc is None:
            vc = first._vc = [0]
        ctx._out = (first._data, vc, vc[0])
        if _saved_hooks:
            ctx._packed_out = _pack_saved((first,))
    if save and _saved_hooks:
        ctx._packed = _pack_saved(ctx._saved)
        ctx._saved = ()
    if _anomaly[0]:
        ctx._trace = _forward_trace()
    return result


# ----------------------------------------------------------------------------------------------------------
# the public autograd.Function
# ----------------------------------------------------------------------------------------------------------

class FunctionCtx:
    """Methods available on ``ctx`` in a user ``Function``'s ``forward`` and ``backward``."""

    def save_for_backward(self, *tensors):
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(f"save_for_backward can only save variables, but argument {i} is of type "
                                f"{type(t).__name__}")
        self._to_save = tensors

    def mark_dirty(self, *tensors):
        self._dirty = tensors

    def mark_non_differentiable(self, *tensors):
        self._non_differentiable = tensors

    def set_materialize_grads(self, value: bool):
        self._materialize = value


class _FunctionMeta(type):
    """Gives each user Function a backward node class, named ``<Name>Backward`` as in torch."""

    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        node_cls = type(name + "Backward", (BackwardCFunction,), {"_forward_cls": cls,
                                                                  "_grad_name": name + "Backward",
                                                                  "__module__": "torch.autograd.function"})
        cls._backward_cls = node_cls


class BackwardCFunction(Node, FunctionCtx):
    """The graph node of a user Function; also the ``ctx`` its forward and backward receive."""

    _forward_cls = None
    _plain = False          # user functions take the engine's checked path (gradient count, dtypes)
    _to_save = ()
    _dirty = ()
    _non_differentiable = ()

    def backward(self, *grads):
        fn = self._forward_cls
        out = fn.backward(self, *grads)
        return self._validate(out)

    def _validate(self, out):
        """torch's checks of what a user backward returned: Tensors or None, one per forward input (a non-Tensor
        input takes None), each shaped like its input (a gradient the input broadcasts to is summed down)."""
        single = type(out) is not tuple
        outs = (out,) if single else out
        if isinstance(out, list):
            outs = tuple(out)
        meta = self._in_meta
        fixed = list(outs)
        for i, g in enumerate(outs):
            if i >= len(meta):
                break
            if g is None:
                continue
            if not isinstance(g, Tensor):
                raise RuntimeError(f"expected Variable or None (got {type(g).__name__})")
            m = meta[i]
            if m is None:
                raise RuntimeError(f"function {self.name()} returned a gradient different than None at position "
                                   f"{i + 1}, but the corresponding forward input was not a Variable")
            shape, dtype = m
            if tuple(g.shape) != shape:
                try:
                    ok = np.broadcast_shapes(shape, tuple(g.shape)) == tuple(g.shape)
                except ValueError:
                    ok = False
                if not ok:
                    raise RuntimeError(f"Function {self.name()} returned an invalid gradient at index {i} - got "
                                       f"{list(g.shape)} but expected shape compatible with {list(shape)}")
                g = g.sum_to_size(shape)
            if g.dtype is not dtype:
                g = g.to(dtype)
            fixed[i] = g
        return fixed[0] if single and not isinstance(out, list) else tuple(fixed)

    @property
    def saved_tensors(self):
        return Node.saved_tensors.fget(self)

    @property
    def needs_input_grad(self):
        return self._needs_input_grad


_signatures = weakref.WeakKeyDictionary()   # Function class -> signature of its forward (setup_context style)


class Function(metaclass=_FunctionMeta):
    """Base class for custom differentiable operations, as ``torch.autograd.Function``.

    Example::

        >>> import ember
        >>> class Square(ember.autograd.Function):
        ...     @staticmethod
        ...     def forward(ctx, x):
        ...         ctx.save_for_backward(x)
        ...         return x * x
        ...     @staticmethod
        ...     def backward(ctx, grad):
        ...         (x,) = ctx.saved_tensors
        ...         return 2 * x * grad
        >>> x = ember.tensor([3.0], requires_grad=True)
        >>> Square.apply(x).backward(); x.grad
        tensor([6.])
    """

    def __init__(self, *args, **kwargs):
        import warnings
        warnings.warn(f"{self.__class__} should not be instantiated. Methods on autograd functions are all static, "
                      "so you should invoke them on the class itself. Instantiating an autograd function will raise "
                      "an error in a future version of PyTorch.", DeprecationWarning, stacklevel=2)

    def __call__(self, *args, **kwargs):
        raise RuntimeError("Legacy autograd function with non-static forward method is deprecated. Please use "
                           "new-style autograd function with static forward method. (Example: "
                           "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)")

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    vjp = backward

    @staticmethod
    def jvp(ctx, *grad_inputs):
        raise NotImplementedError("You must implement the jvp function for custom autograd.Function to use it "
                                  "with forward mode AD.")

    generate_vmap_rule = False

    @staticmethod
    def vmap(info, in_dims, *args):
        raise NotImplementedError("To use autograd.Function with vmap, you must either override the vmap "
                                  "staticmethod or set generate_vmap_rule=True.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not implemented.")

    @classmethod
    def _check_transforms(cls, uses_setup):
        """torch's rules for a user Function called inside ``torch.func`` transforms (ember runs them with
        ordinary autograd, so only the refusals need doing)."""
        if not uses_setup:
            raise RuntimeError("In order to use an autograd.Function with functorch transforms (vmap, grad, jvp, "
                               "jacrev, ...), it must override the setup_context staticmethod. For more details, "
                               "please see https://pytorch.org/docs/main/notes/extending.func.html")
        if _transforms[1] and not cls.generate_vmap_rule and cls.vmap is Function.vmap:
            raise RuntimeError(f"You tried to vmap over {cls.__name__}, but it does not have vmap support. Please "
                               "override and implement the vmap staticmethod or set generate_vmap_rule=True. For "
                               "more details, please see https://pytorch.org/docs/main/notes/extending.func.html")
        if _transforms[2] and cls.jvp is Function.jvp:
            Function.jvp(None)

    @classmethod
    def apply(cls, *args, **kwargs):
        ctx = cls._backward_cls.__new__(cls._backward_cls)
        uses_setup = cls.setup_context is not Function.setup_context  # torch's "new style" functions
        if uses_setup:
            # as torch: the inputs are the arguments bound to forward's signature, defaults included
            sig = _signatures.get(cls)
            if sig is None:
                import inspect
                sig = _signatures[cls] = inspect.signature(cls.forward)
            bound = sig.bind(*args, **kwargs)
            bound.apply_defaults()
            args, kwargs = bound.args, bound.kwargs
            inputs = args
        else:
            inputs = args + tuple(kwargs.values()) if kwargs else args   # keyword Tensors are inputs too
        tensor_args = [a for a in inputs if isinstance(a, Tensor)]
        needs = tuple(isinstance(a, Tensor) and a.requires_grad for a in inputs)
        ctx._needs_input_grad = needs
        ctx._in_meta = [(tuple(a.shape), a.dtype) if isinstance(a, Tensor) else None for a in inputs]
        record = _grad_state[0] and any(needs)
        if _transforms[0] or _transforms[1]:
            cls._check_transforms(uses_setup)
        with grad_mode.no_grad():
            if uses_setup:
                output = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, output)
            else:
                output = cls.forward(ctx, *args, **kwargs)
        single = not isinstance(output, tuple)
        outs = (output,) if single else output
        dirty = {id(t) for t in ctx._dirty}
        nondiff = {id(t) for t in ctx._non_differentiable}
        wrapped = []
        for o in outs:
            if isinstance(o, Tensor) and id(o) not in dirty and any(o is t for t in tensor_args):
                o = o.view_as(o)       # an input returned as is: the output is a new tensor, as in torch
            wrapped.append(o)
        if record:
            for t in ctx._dirty:
                if isinstance(t, Tensor) and t.requires_grad and t._grad_fn is None:
                    raise RuntimeError("a leaf Variable that requires grad has been used in an in-place operation.")
            ctx._edges = [(_edge_of(a) if isinstance(a, Tensor) and a.requires_grad else None) for a in inputs]
            ctx._seq_nr = next_sequence_nr()
            ctx._n_outputs = len(wrapped)
            ctx._out_meta = [(o._data.shape, o._data.dtype, type(o._data) is _ndarray) if isinstance(o, Tensor)
                             else None for o in wrapped]
            saved = ctx._to_save
            ctx._saved = saved
            ctx._saved_versions = tuple(t._version if isinstance(t, Tensor) else 0 for t in saved)
            if _saved_hooks and saved:
                ctx._packed = _pack_saved(saved)
                ctx._saved = ()
            for nr, o in enumerate(wrapped):
                if not isinstance(o, Tensor):
                    continue
                if id(o) in nondiff or o._data.dtype.kind not in "fcV":
                    o.requires_grad = False
                    continue
                if id(o) in dirty:
                    o._bump_version()
                o._grad_fn = ctx
                o._output_nr = nr
                o.requires_grad = True
            if _anomaly[0]:
                ctx._trace = _forward_trace()
        else:
            for o in wrapped:
                if isinstance(o, Tensor) and id(o) in dirty:
                    o._bump_version()
        return wrapped[0] if single else tuple(wrapped)


class _DelayedError(Op):
    """Stands in the graph after a ``@once_differentiable`` backward whose inputs required grad: reaching it
    again in a backward pass raises torch's error."""
    _grad_name = "DelayedError"

    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError("trying to differentiate twice a function that was marked with @once_differentiable")


def _fake_requires_grad(t):
    t = t.detach()
    t.requires_grad = True      # a leaf, so that the error node is recorded
    return t


def once_differentiable(fn):
    """Decorator for ``backward``: run it without recording a graph; when its gradient inputs require grad
    (a ``create_graph`` pass), its results lead to a node that refuses to be differentiated."""
    import functools

    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with grad_mode.no_grad():
            outputs = fn(ctx, *args)
        if not _grad_state[0] or not any(isinstance(a, Tensor) and a.requires_grad for a in args):
            return outputs
        single = not isinstance(outputs, tuple)
        wrapped = tuple(_DelayedError.apply(_fake_requires_grad(o)) if isinstance(o, Tensor)
                        and o._data.dtype.kind in "fcV" else o for o in ((outputs,) if single else outputs))
        return wrapped[0] if single else wrapped
    return wrapper
