"""saved_tensors_hooks / save_on_cpu / disable_saved_tensors_hooks compared with torch: call counts and
order, a pack hook returning a copy, errors."""
import numpy as np
import pytest
import torch
import torch.autograd.graph as tgraph

import ember
import ember.autograd.graph as egraph

X = np.array([0.5, -1.2, 2.0], dtype=np.float32)
W = np.array([1.5, 0.3, -0.7], dtype=np.float32)


def _run(lib, graph, body):
    log = []

    def pack(t):
        log.append(("pack", tuple(t.shape), t.requires_grad, t.grad_fn is not None))
        return t.clone()

    def unpack(t):
        log.append(("unpack", tuple(t.shape)))
        return t
    x = lib.tensor(X, requires_grad=True)
    w = lib.tensor(W, requires_grad=True)
    with graph.saved_tensors_hooks(pack, unpack):
        y = body(lib, x, w)
    n_pack = len(log)
    y.backward()
    return log[:n_pack], log[n_pack:], x.grad.numpy(), w.grad.numpy()


@pytest.mark.parametrize("body", [
    lambda lib, x, w: (x * w).sin().exp().sum(),
    lambda lib, x, w: (x / w).tanh().sum(),
    lambda lib, x, w: (x * 2 + w).sum(),
])
def test_counts_and_values(body):
    t = _run(torch, tgraph, body)
    e = _run(ember, egraph, body)
    assert t[0] == e[0] and t[1] == e[1]
    np.testing.assert_allclose(t[2], e[2], rtol=1e-4, atol=1e-7)
    np.testing.assert_allclose(t[3], e[3], rtol=1e-4, atol=1e-7)


def _custom(lib):
    class F(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a * 2

        @staticmethod
        def backward(ctx, g):
            (a,) = ctx.saved_tensors
            (a,) = ctx.saved_tensors
            return g * a
    return F


def test_custom_function_and_nesting():
    for lib, graph in ((torch, tgraph), (ember, egraph)):
        F = _custom(lib)
        log = []
        x = lib.tensor(X, requires_grad=True)
        with graph.saved_tensors_hooks(lambda t: log.append("outer") or t, lambda t: t):
            with graph.saved_tensors_hooks(lambda t: log.append("pack") or t,
                                           lambda t: log.append("unpack") or t):
                y = F.apply(x)
        y.sum().backward()
        assert log == ["pack", "unpack", "unpack"]
        np.testing.assert_allclose(x.grad.numpy(), X)


def test_copy_hides_inplace_change_and_save_on_cpu():
    res = []
    for lib, graph in ((torch, tgraph), (ember, egraph)):
        x = lib.tensor(X, requires_grad=True)
        w = lib.tensor(W, requires_grad=True)
        a = x * 1
        with graph.saved_tensors_hooks(lambda t: t.clone(), lambda t: t):
            z = a * w
        with lib.no_grad():
            a.add_(1)          # the hook kept a copy: no version error, the old value is used
        z.sum().backward()
        with graph.save_on_cpu(pin_memory=False):
            (x.exp() * w).sum().backward()
        res.append((w.grad.numpy(), x.grad.numpy()))
    for a, b in zip(*res):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-7)


def test_double_backward_through_hooks():
    res = []
    for lib, graph in ((torch, tgraph), (ember, egraph)):
        x = lib.tensor(X, requires_grad=True)
        with graph.saved_tensors_hooks(lambda t: t * 1, lambda t: t):
            y = x.exp().sum()
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), x)
        res.append(gg.numpy())
    np.testing.assert_allclose(res[0], res[1], rtol=1e-4, atol=1e-7)


def _errors(lib, graph):
    out = []
    x = lib.tensor(X, requires_grad=True)
    w = lib.tensor(W, requires_grad=True)
    with graph.saved_tensors_hooks(lambda t: 1, lambda t: 2):
        y = (x * w).sum()
    with pytest.raises(TypeError) as e:
        y.backward()
    out.append(str(e.value))
    with graph.saved_tensors_hooks(lambda t: t.add_(1), lambda t: t):
        with pytest.raises(RuntimeError) as e:
            x * 2 * w
    out.append(str(e.value))
    with graph.saved_tensors_hooks(lambda t: t, lambda t: t):
        z = x * w
    z.sum().backward()
    with pytest.raises(RuntimeError) as e:
        z.sum().backward()
    out.append(str(e.value))
    with graph.disable_saved_tensors_hooks("no hooks here"):
        with pytest.raises(RuntimeError, match="no hooks here"):
            with graph.saved_tensors_hooks(lambda t: t, lambda t: t):
                pass
    with graph.saved_tensors_hooks(lambda t: t, lambda t: t):   # usable again after the disabling context
        pass
    return out


def test_errors():
    assert _errors(torch, tgraph) == _errors(ember, egraph)
