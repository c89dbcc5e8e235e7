"""nn.Parameter and nn.Buffer: construction, repr, sharing, deepcopy and pickling."""
import copy
import pickle

import numpy as np
import pytest
import torch

import ember
from test_module_helpers import det, same


def test_parameter_basics():
    def fn(T):
        t = det(T, 2, 3)
        p = T.nn.Parameter(t)
        with T.no_grad():
            p.mul_(2)                     # shares memory with t
        q = T.nn.Parameter(t, requires_grad=False)
        e = T.nn.Parameter()
        return (t, p.requires_grad, p.is_leaf, p.grad_fn, q.requires_grad, e.shape, e.requires_grad,
                isinstance(p, T.Tensor), type(p * 2).__name__, type(p.detach()).__name__,
                type(p.data).__name__, type(p[0]).__name__, type(p.clone()).__name__)
    same(fn)
    same(lambda T: T.nn.Parameter(T.tensor([1, 2])))
    same(lambda T: T.nn.Parameter(T.tensor([1, 2]), requires_grad=False).dtype)


def test_parameter_repr():
    same(lambda T: (repr(T.nn.Parameter(det(T, 2, 3))), repr(T.nn.Parameter(T.tensor(2.0))),
                    repr(T.nn.Parameter(T.ones(2), requires_grad=False)), str(T.nn.Parameter(T.zeros(1)))))


def test_parameter_deepcopy():
    def fn(T):
        p = T.nn.Parameter(det(T, 3))
        (p * 2).sum().backward()
        c = copy.deepcopy(p)
        f = copy.deepcopy(T.nn.Parameter(T.ones(1), requires_grad=False))
        memo_same = copy.deepcopy([p, p])
        with T.no_grad():
            p.add_(1)
        return (type(c).__name__, c, c.requires_grad, c.grad, f.requires_grad, memo_same[0] is memo_same[1],
                c.is_leaf)
    same(fn)


@pytest.mark.parametrize("T", [torch, ember])
def test_parameter_pickle(T):
    p = T.nn.Parameter(det(T, 2, 2))
    q = pickle.loads(pickle.dumps(p))
    assert type(q) is T.nn.Parameter and q.requires_grad and q is not p
    np.testing.assert_array_equal(q.detach().numpy(), p.detach().numpy())
    r = pickle.loads(pickle.dumps(T.nn.Parameter(T.ones(1), requires_grad=False)))
    assert not r.requires_grad


def test_buffer_marker():
    def fn(T):
        t = det(T, 3)
        b = T.nn.Buffer(t)
        nb = T.nn.Buffer(t, persistent=False)
        e = T.nn.Buffer()
        with T.no_grad():
            b.mul_(0)
        return (t, b.persistent, nb.persistent, isinstance(b, T.nn.Buffer), isinstance(t, T.nn.Buffer),
                isinstance(b, T.Tensor), e.shape, b.requires_grad)
    same(fn)


def test_parameter_in_module_after_conversion_is_still_parameter():
    def fn(T):
        m = T.nn.Module()
        m.p = T.nn.Parameter(det(T, 2))
        m.double()
        return type(m.p).__name__, m.p.dtype, m.p.requires_grad, m.p
    same(fn)


def test_uninitialized_parameter():
    def fn(T):
        p = T.nn.UninitializedParameter(requires_grad=True, dtype=T.float64)
        c = copy.deepcopy(p)
        m = T.nn.Module()
        m.w = p
        before = (repr(p), type(c).__name__, repr(c), c.requires_grad, list(m._parameters))
        p.materialize((2, 3))
        return before, type(p).__name__, p.shape, p.dtype, p.requires_grad, type(m.w).__name__
    same(fn)
