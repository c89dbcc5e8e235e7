"""Shared helpers for the data-loading tests: structural comparison with torch, and a hang guard."""
import collections.abc
import signal

import numpy as np
import pytest
import torch

import ember


def plain(x):
    """A comparable, library-free form of a batch: tensors become (dtype name, shape, values)."""
    if isinstance(x, (ember.Tensor, torch.Tensor)):
        values = x.detach().numpy() if isinstance(x, torch.Tensor) else x.numpy()
        return ("tensor", str(x.dtype), tuple(x.shape), values.tolist())
    if isinstance(x, np.ndarray):
        return ("ndarray", str(x.dtype), x.tolist())
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return (type(x).__name__, tuple(plain(v) for v in x))
    if isinstance(x, collections.abc.Mapping):
        return (type(x).__name__, {k: plain(v) for k, v in x.items()})
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, [plain(v) for v in x])
    return (type(x).__name__, x)


@pytest.fixture
def same():
    """``same(ember_obj, torch_obj)`` asserts both have the same structure, dtypes and values."""
    def check(ours, theirs):
        assert plain(ours) == plain(theirs)
    return check


@pytest.fixture
def deadline():
    """Fail a test that would otherwise hang: SIGALRM after 30 s raises in the main thread."""
    def on_alarm(signum, frame):
        raise TimeoutError("test exceeded its 30 s deadline (a DataLoader hang?)")
    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(30)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def torch_error(fn):
    """The (type, message) torch raises for ``fn(torch)``."""
    with pytest.raises(Exception) as info:
        fn(torch)
    return info.type, str(info.value)


@pytest.fixture
def same_error():
    """``same_error(fn)`` runs ``fn(torch)`` and ``fn(ember)`` and asserts the same error type and text."""
    def check(fn):
        expected_type, expected_msg = torch_error(fn)
        with pytest.raises(expected_type) as info:
            fn(ember)
        assert str(info.value) == expected_msg
    return check
