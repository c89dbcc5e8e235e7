"""Handles of operations in flight: ``Work`` (what ``async_op=True`` returns) and a small ``Future``."""
from __future__ import annotations


class Work:
    """An operation started with ``async_op=True``; ``wait()`` blocks until it is done.

    ``finish`` runs once, after the transfer completed: it writes the result back into the caller's tensors
    (copy back from a staging buffer, downcast from the upcast float32 of a bfloat16 reduction, divide for
    ``AVG``).  Until ``wait()`` returns, the tensors may hold partial results.
    """

    def __init__(self, request, finish=None, result=None):
        self._request = request
        self._finish = finish
        self._result = result if result is not None else []
        self._done = False

    def wait(self, timeout=None):
        if not self._done:
            self._request.Wait()
            self._complete()
        return True

    def is_completed(self) -> bool:
        if not self._done and self._request.Test():
            self._complete()
        return self._done

    def is_success(self) -> bool:
        return self.is_completed()

    def result(self):
        self.wait()
        return self._result

    def get_future(self):
        """A ``Future`` whose value is the list of output tensors."""
        return Future(lambda: self.result())

    def _complete(self):
        self._done = True
        finish, self._finish = self._finish, None
        if finish is not None:
            finish()


class Future:
    """A value computed on demand: ``wait()`` (or ``value()``) produces it once; ``then(fn)`` chains
    ``fn(this_future)`` after it.  ``Future()`` with no producer is completed by ``set_result``."""

    _UNSET = object()

    def __init__(self, producer=None):
        self._producer = producer
        self._value = Future._UNSET

    def set_result(self, value):
        self._value = value
        self._producer = None

    def done(self) -> bool:
        return self._value is not Future._UNSET

    def wait(self):
        if self._value is Future._UNSET:
            if self._producer is None:
                raise RuntimeError("Future.wait() on a future that has no result and nothing to produce one")
            producer, self._producer = self._producer, None
            self._value = producer()
        return self._value

    def value(self):
        return self.wait()

    def then(self, callback):
        return Future(lambda: callback(self._ready()))

    def _ready(self):
        self.wait()
        return self
