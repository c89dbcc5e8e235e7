"""Matrix-vector and vector-vector products record torch's nodes (MvBackward0, DotBackward0)."""
import numpy as np
import pytest
import torch

import ember


@pytest.mark.parametrize("case", ["mv", "dot", "mv_method", "dot_fn"])
def test_nodes_values_and_grads(case):
    rng = np.random.default_rng(0)
    a, v, u = rng.standard_normal((5, 4)), rng.standard_normal(4), rng.standard_normal(4)
    res = []
    for lib in (ember, torch):
        A, x, y = (lib.tensor(t, requires_grad=True) for t in (a, v, u))
        out = {"mv": lambda: A @ x, "dot": lambda: x @ y, "mv_method": lambda: A.mv(x), "dot_fn": lambda: lib.dot(x, y)}[case]()
        out.sum().backward()
        res.append((out.grad_fn.name(), out.shape, out.detach().numpy(), A.grad if case.startswith("mv") else y.grad,
                    x.grad))
    e, t = res
    assert e[0] == t[0] and tuple(e[1]) == tuple(t[1])
    for u_, v_ in zip(e[2:], t[2:]):
        np.testing.assert_allclose(np.asarray(u_.numpy() if hasattr(u_, "numpy") else u_),
                                   np.asarray(v_.numpy() if hasattr(v_, "numpy") else v_), rtol=1e-12)


def test_gradcheck_mv_dot():
    A = ember.randn(3, 4, dtype=ember.float64, requires_grad=True)
    x = ember.randn(4, dtype=ember.float64, requires_grad=True)
    y = ember.randn(4, dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(lambda A, x: A @ x, (A, x))
    assert ember.autograd.gradgradcheck(lambda A, x: A @ x, (A, x))
    assert ember.autograd.gradcheck(ember.dot, (x, y))
    assert ember.autograd.gradgradcheck(ember.dot, (x, y))


def test_integer_products():
    for lib in (ember, torch):
        xi = lib.tensor([1, 2, 3])
        assert lib.dot(xi, xi).item() == 14 and lib.dot(xi, xi).dtype == lib.int64
        assert (lib.ones(2, 3, dtype=lib.int64) @ xi).tolist() == [6, 6]


def _structure(lib, y, depth=3):
    def walk(node, d):
        if node is None:
            return None
        kids = [walk(n, d - 1) for n, _ in node.next_functions] if d else []
        return (node.name(), kids)
    return walk(y.grad_fn, depth)


@pytest.mark.parametrize("shape", [(2, 3), (5, 2, 3), (3,)])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("x_grad", [True, False])
def test_linear_graph_reads_as_torch(shape, bias, x_grad):
    """The tutorial idiom ``loss.grad_fn.next_functions[0][0]`` walks torch's addmm / mm / view graph."""
    got = []
    for lib in (ember, torch):
        w = lib.randn(4, 3, requires_grad=True)
        b = lib.randn(4, requires_grad=True) if bias else None
        x = lib.randn(*shape, requires_grad=x_grad)
        got.append(_structure(lib, lib.nn.functional.linear(x, w, b)))
    assert got[0] == got[1]


@pytest.mark.parametrize("dt", ["bfloat16", "float16"])
def test_half_products_keep_their_dtype(dt):
    """bfloat16/float16 products multiply in float32 and round once, returning the operands' type as torch."""
    rng = np.random.default_rng(3)
    a, b, v = (rng.standard_normal(s).astype(np.float32) for s in ((5, 7), (7, 3), (7,)))
    res = []
    for lib in (ember, torch):
        d = getattr(lib, dt)
        A, B, V = (lib.tensor(t).to(d) for t in (a, b, v))
        A.requires_grad_()
        outs = [A @ B, A @ V, V @ V, lib.nn.functional.linear(A, B.T), lib.bmm(A[None], B[None])]
        sum(o.float().sum() for o in outs).backward()
        res.append([(str(o.dtype), o.float().detach().numpy()) for o in outs + [A.grad]])
    for (de, ve), (dt_, vt) in zip(*res):
        assert de == dt_
        np.testing.assert_array_equal(ve, vt)
