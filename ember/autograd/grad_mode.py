"""Grad modes: ``no_grad``, ``enable_grad``, ``set_grad_enabled``, ``inference_mode``.

The flag lives in a one-element list (``_state``) that ``Function.apply`` reads directly: the cheapest global
lookup Python offers.  Each mode works as a context manager and as a decorator.
"""
from __future__ import annotations

import functools
import inspect

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled",
           "is_inference_mode_enabled", "set_multithreading_enabled", "is_multithreading_enabled"]

_state = [True]          # grad enabled
_inference = [False]     # inference mode


def is_grad_enabled() -> bool:
    return _state[0]


def is_inference_mode_enabled() -> bool:
    return _inference[0]


class _Mode:
    """Base for context managers that can also decorate functions and generators."""

    def __call__(self, func):
        if inspect.isclass(func):
            import warnings
            warnings.warn("Decorating classes is deprecated and will be disabled in future versions. You should only "
                          "decorate functions or methods. To preserve the current behavior of class decoration, you "
                          "can directly decorate the `__init__` method and nothing else.", FutureWarning,
                          stacklevel=2)
            cls = func
            func = lambda *args, **kwargs: cls(*args, **kwargs)   # noqa: E731 - torch wraps the class this way
        if inspect.isgeneratorfunction(func):
            @functools.wraps(func)
            def gen_wrapper(*args, **kwargs):
                gen = func(*args, **kwargs)
                try:
                    with self._clone():
                        response = gen.send(None)
                    while True:
                        try:
                            request = yield response
                        except GeneratorExit:
                            with self._clone():
                                gen.close()
                            raise
                        except BaseException as exc:
                            with self._clone():
                                response = gen.throw(exc)
                        else:
                            with self._clone():
                                response = gen.send(request)
                except StopIteration as stop:
                    return stop.value
            return gen_wrapper

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self._clone():
                return func(*args, **kwargs)
        return wrapper

    def _clone(self):
        return type(self)()


class _NoParamMode(_Mode):
    """A mode taking no arguments, usable bare as a decorator (``@no_grad`` as well as ``@no_grad()``)."""

    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        return super().__new__(cls)(orig_func)


class no_grad(_NoParamMode):
    """Disable gradient recording inside the block (ops return tensors with no ``grad_fn``)."""

    def __enter__(self):
        self._prev = _state[0]
        _state[0] = False

    def __exit__(self, *exc):
        _state[0] = self._prev
        return False


class enable_grad(_NoParamMode):
    """Enable gradient recording inside the block, even within ``no_grad``."""

    def __enter__(self):
        self._prev = _state[0]
        _state[0] = True

    def __exit__(self, *exc):
        _state[0] = self._prev
        return False


class set_grad_enabled(_Mode):
    """Set grad mode to ``mode``; takes effect at once, and as a context manager restores it on exit."""

    def __init__(self, mode: bool):
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled(): argument 'enabled' (position 1) must be bool, not {type(mode).__name__}")
        self._prev = _state[0]
        self.mode = mode
        _state[0] = mode

    def __enter__(self):
        _state[0] = self.mode

    def __exit__(self, *exc):
        _state[0] = self._prev
        return False

    def _clone(self):
        return set_grad_enabled(self.mode)

    def __call__(self, func):
        _state[0] = self._prev  # used as a decorator: undo the eager switch done in __init__
        return super().__call__(func)


class inference_mode(_Mode):
    """Like ``no_grad``; tensors made inside are marked as inference tensors (``is_inference()``)."""

    def __new__(cls, mode=True):
        if isinstance(mode, bool):
            return super().__new__(cls)
        return super().__new__(cls)(mode)   # bare ``@inference_mode`` on a function

    def __init__(self, mode: bool = True):
        if not isinstance(mode, bool):
            mode = True
        self.mode = mode

    def __enter__(self):
        self._prev = (_state[0], _inference[0])
        _state[0] = not self.mode           # inference_mode(False) turns grad mode back on, as in torch
        _inference[0] = self.mode

    def __exit__(self, *exc):
        _state[0], _inference[0] = self._prev
        return False

    def _clone(self):
        return inference_mode(self.mode)

    def __call__(self, func):
        if isinstance(func, bool):  # @inference_mode(False) form handled by __init__
            return inference_mode(func)
        return super().__call__(func)


_multithreading = [True]     # ember's engine is single-threaded; the flag is kept for code that sets it


def is_multithreading_enabled() -> bool:
    return _multithreading[0]


class set_multithreading_enabled(_Mode):
    """Set (at once, and restored on exit as a context manager) whether backward may use several threads."""

    def __init__(self, mode: bool):
        self._prev = _multithreading[0]
        self.mode = mode
        _multithreading[0] = mode

    def __enter__(self):
        _multithreading[0] = self.mode

    def __exit__(self, *exc):
        _multithreading[0] = self._prev
        return False

    def _clone(self):
        return set_multithreading_enabled(self.mode)
