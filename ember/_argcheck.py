"""torch's TypeError for a non-Tensor where a function takes a Tensor (``torch.tanh((x,))``, or an LSTM's
``(output, (h, c))`` tuple fed to the next layer): ``tanh(): argument 'input' (position 1) must be Tensor, not
tuple``.  The wrapper costs nothing until the call fails: only an AttributeError raised for a non-Tensor first
argument is turned into torch's message."""
from __future__ import annotations

import functools

from .tensor import Tensor

__all__ = ["tensor_first", "wrap_namespace", "translate"]


def _error(shown, arg, attribute, input, args, kwargs):
    """The exception torch raises for a non-Tensor ``input`` given to ``shown``."""
    kind = type(input).__name__
    if attribute is not None:
        return AttributeError(f"'{kind}' object has no attribute '{attribute}'")
    if arg is None:
        got = [kind] + [_type_name(a) for a in args] + [f"{k}={_type_name(v)}" for k, v in kwargs.items()]
        return TypeError(f"{shown}() received an invalid combination of arguments - got ({', '.join(got)}), "
                         "but expected one of:")
    return TypeError(f"{shown}(): argument '{arg}' (position 1) must be Tensor, not {kind}")


def _not_about_input(e, input, shown):
    return isinstance(input, Tensor) or (type(e) is TypeError and str(e).startswith(f"{shown}("))


def tensor_first(fn, name=None, arg="input", attribute=None):
    """``fn`` raising torch's TypeError for a non-Tensor first argument; with ``attribute``, torch's function is
    Python code that fails on that attribute instead (``'tuple' object has no attribute 'size'``); with ``arg``
    None, torch's parser reports the whole call (``received an invalid combination of arguments``)."""
    shown = name or fn.__name__
    _NATIVE[getattr(fn, "__wrapped__", fn).__code__] = (shown, arg, attribute)

    @functools.wraps(fn)
    def wrapper(input, *args, **kwargs):
        try:
            return fn(input, *args, **kwargs)
        except (AttributeError, TypeError) as e:
            if _not_about_input(e, input, shown):
                raise                         # not about the input, or already torch's own wording
            raise _error(shown, arg, attribute, input, args, kwargs) from None
    wrapper._tensor_first = True
    return wrapper


_NATIVE = {}       # code object of a wrapped ember function -> (torch's name, argument name, attribute)


def translate(e, input):
    """For a layer's call that failed inside an ember function (ember's layers call the unwrapped ones):
    raise what torch raises when that function received the non-Tensor ``input``; return otherwise."""
    if isinstance(input, Tensor):
        return
    tb = e.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        spec = _NATIVE.get(code)
        if spec is not None:
            if code.co_argcount and tb.tb_frame.f_locals.get(code.co_varnames[0]) is input \
                    and not _not_about_input(e, input, spec[0]):
                raise _error(*spec, input, (), {}) from None
            return
        tb = tb.tb_next


# overloaded in torch (Tensor or number bounds, a condition-only form): its parser reports the whole call
_WHOLE_CALL = frozenset(("clamp", "clip", "where"))


def _type_name(value):
    return "Tensor" if isinstance(value, Tensor) else type(value).__name__


# torch's functions written in Python (torch/functional.py): a non-Tensor fails inside them, not in an
# argument parser, so ember leaves their errors alone
_PYTHON_IN_TORCH = frozenset(("atleast_1d", "atleast_2d", "atleast_3d", "block_diag", "broadcast_tensors",
                              "cartesian_prod", "cdist", "chain_matmul", "einsum", "lu", "meshgrid", "norm", "split",
                              "stft", "istft", "tensordot", "unique", "unique_consecutive", "unravel_index",
                              # and ember functions that may warn: a wrapper frame would move the warning's
                              # location off the caller's line
                              "kl_div", "triangular_solve", "softmax", "log_softmax"))


def wrap_namespace(ns, names=None):
    """Wrap, in the dict ``ns``, every function of ember whose first parameter is ``input`` (or the ``names``
    given as {name: (torch's name, argument name)})."""
    home = ns.get("__name__")

    def put(key, wrapper):
        # pickled by reference as ``<this namespace>.<key>`` (the wrapped original keeps its own home)
        wrapper.__module__, wrapper.__qualname__ = home, key
        ns[key] = wrapper

    if names is not None:
        for key, spec in names.items():
            fn = ns.get(key)
            if fn is not None and not getattr(fn, "_tensor_first", False):
                put(key, tensor_first(fn, *spec))
        return
    for key, fn in list(ns.items()):
        inner = getattr(fn, "__wrapped__", fn)
        code = getattr(inner, "__code__", None)
        if (code is None or key.startswith("_") or key in _PYTHON_IN_TORCH or getattr(fn, "_tensor_first", False)
                or not (getattr(fn, "__module__", "") or "").split(".")[0] == "ember"):
            continue
        if key in _WHOLE_CALL:
            put(key, tensor_first(fn, key, None))
        elif code.co_argcount >= 1 and code.co_varnames[0] == "input":
            put(key, tensor_first(fn, key))
