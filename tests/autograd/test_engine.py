"""Autograd semantics against torch: accumulation, retain/create graph, hooks, modes, leaf rules."""
import numpy as np
import pytest
import torch

import ember
from helpers import assert_same, to_ember, to_torch


def both(fn):
    """Run ``fn(lib)`` with ember and torch; return both results."""
    return fn(ember), fn(torch)


def test_gradient_accumulates_across_backward_calls():
    def run(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        (x * x).sum().backward()
        (x * 3).sum().backward()
        return x.grad
    e, t = both(run)
    assert_same(e, t)


def test_second_backward_without_retain_graph_raises():
    for lib in (ember, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = (x.exp() * 2).sum()
        y.backward()
        with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
            y.backward()


def test_retain_graph_allows_second_backward():
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = (x.exp() * x).sum()
        y.backward(retain_graph=True)
        y.backward()
        return x.grad
    assert_same(*both(run))


def test_create_graph_second_derivative():
    def run(lib):
        x = lib.tensor([0.5, -1.5, 2.0], dtype=lib.float64, requires_grad=True)
        y = (x.sin() * x ** 3).sum()
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        (h,) = lib.autograd.grad(g.sum(), x)
        return g.detach(), h
    assert_same(*both(run), rtol=1e-12)


def test_third_derivative_tanh():
    def run(lib):
        x = lib.tensor([0.3, -0.7], dtype=lib.float64, requires_grad=True)
        y = x.tanh().sum()
        g1 = lib.autograd.grad(y, x, create_graph=True)[0]
        g2 = lib.autograd.grad(g1.sum(), x, create_graph=True)[0]
        g3 = lib.autograd.grad(g2.sum(), x)[0]
        return g3
    assert_same(*both(run), rtol=1e-12)


def test_grad_allow_unused_and_materialize():
    for lib in (ember, torch):
        x = lib.tensor([1.0], requires_grad=True)
        z = lib.tensor([2.0], requires_grad=True)
        y = (x * 2).sum()
        with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
            lib.autograd.grad(y, [x, z], retain_graph=True)
        gx, gz = lib.autograd.grad(y, [x, z], allow_unused=True, retain_graph=True)
        assert gz is None
        gx, gz = lib.autograd.grad(y, [x, z], materialize_grads=True)
        assert gz.tolist() == [0.0]


def test_grad_does_not_touch_dot_grad():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    g = ember.autograd.grad((x * x).sum(), x)[0]
    assert x.grad is None
    assert g.tolist() == [2.0, 4.0]


def test_backward_inputs_restricts_accumulation():
    def run(lib):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        b = lib.tensor([3.0, 4.0], requires_grad=True)
        (a * b).sum().backward(inputs=[a])
        return a.grad, b.grad
    (ea, eb), (ta, tb) = both(run)
    assert_same(ea, ta)
    assert eb is None and tb is None


def test_backward_inputs_non_leaf_gets_grad():
    def run(lib):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        m = a * 2
        (m * m).sum().backward(inputs=[m])
        return m.grad, a.grad
    (em, ea), (tm, ta) = both(run)
    assert_same(em, tm)
    assert ea is None and ta is None


def test_non_scalar_backward_needs_gradient():
    for lib in (ember, torch):
        x = lib.ones(3, requires_grad=True)
        with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
            (x * 2).backward()


def test_backward_with_gradient_argument():
    def run(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        (x * x).backward(lib.tensor([0.1, 1.0, 10.0]))
        return x.grad
    assert_same(*both(run))


def test_no_grad_tensor_backward_error():
    for lib in (ember, torch):
        x = lib.ones(2)
        with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad and does not have a "
                                               "grad_fn"):
            x.sum().backward()


def test_grad_modes():
    x = ember.ones(2, requires_grad=True)
    with ember.no_grad():
        y = x * 2
        assert not y.requires_grad and y.grad_fn is None
        with ember.enable_grad():
            z = x * 2
            assert z.requires_grad
    with ember.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert ember.is_grad_enabled()

    @ember.no_grad()
    def f(v):
        return v * 2
    assert not f(x).requires_grad
    ember.set_grad_enabled(False)
    assert not ember.is_grad_enabled()
    ember.set_grad_enabled(True)
    with ember.inference_mode():
        w = x * 2
        assert not w.requires_grad
        assert w.is_inference()
    assert not ember.is_inference_mode_enabled()


def test_no_grad_decorates_generators():
    @ember.no_grad()
    def gen(v):
        for _ in range(2):
            yield (v * 2).requires_grad
    x = ember.ones(1, requires_grad=True)
    assert list(gen(x)) == [False, False]
    assert ember.is_grad_enabled()


def test_leaf_rules_and_messages():
    for lib in (ember, torch):
        x = lib.ones(2, requires_grad=True)
        assert x.is_leaf
        y = x * 2
        assert not y.is_leaf
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place "
                                               "operation."):
            x.add_(1)
        with pytest.raises(RuntimeError, match="you can only change requires_grad flags of leaf variables."):
            y.requires_grad_(False)
        with pytest.raises(RuntimeError, match="only Tensors of floating point dtype can require gradients"):
            lib.ones(2, dtype=lib.int64).requires_grad_()
        with pytest.raises(RuntimeError, match="Only Tensors of floating point and complex dtype can require "
                                               "gradients"):
            lib.ones(2, dtype=lib.int64, requires_grad=True)
        with lib.no_grad():
            x.add_(1)  # allowed under no_grad
        assert x.tolist() == [2.0, 2.0]


def test_view_of_leaf_inplace_error():
    for lib in (ember, torch):
        x = lib.ones(4, requires_grad=True)
        v = x[:2]
        with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad is being used in an "
                                               "in-place operation."):
            v.mul_(2)


def test_version_counter_error_on_saved_tensor():
    for lib in (ember, torch):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        b = a * 1
        c = b.sin()          # saves b
        b.add_(1)
        with pytest.raises(RuntimeError, match="one of the variables needed for gradient computation has been "
                                               "modified by an inplace operation"):
            c.sum().backward()


def test_version_counter_error_on_saved_output():
    for lib in (ember, torch):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        b = a.exp()          # saves its output
        b.mul_(2)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            b.sum().backward()


def test_version_counter_values():
    for lib in (ember, torch):
        a = lib.zeros(3)
        v = a[1:]
        assert a._version == 0
        v.add_(1)
        assert a._version == 1 and v._version == 1
        a[0] = 5
        assert a._version == 2
        assert a.tolist() == [5.0, 1.0, 1.0]


def test_inplace_on_non_leaf_is_recorded():
    def run(lib):
        x = lib.tensor([0.5, -1.0, 2.0], requires_grad=True)
        y = x * 2
        y.mul_(x)
        y.add_(y)
        y.exp_()
        y.sum().backward()
        return x.grad, y.grad_fn is not None
    (eg, ef), (tg, tf) = both(run)
    assert_same(eg, tg)
    assert ef and tf


def test_inplace_through_view_of_non_leaf():
    def run(lib):
        x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        y = x * 1
        y[0].mul_(10)
        y[:, 1] = x[:, 0] * 3
        (y * y).sum().backward()
        return x.grad, y.detach()
    assert_same(*both(run))


def test_setitem_under_autograd():
    def run(lib):
        x = lib.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
        w = lib.tensor([5.0, 6.0], requires_grad=True)
        y = x.clone()
        y[1:3] = w * 2
        y[lib.tensor([0])] = 7.0
        (y * lib.arange(4.0)).sum().backward()
        return x.grad, w.grad
    assert_same(*both(run))


def test_tensor_hooks_leaf_and_non_leaf():
    def run(lib):
        calls = []
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        h1 = x.register_hook(lambda g: calls.append(("x", g.tolist())) or g * 10)
        y = x * 3
        y.register_hook(lambda g: calls.append(("y", g.tolist())))
        y.register_hook(lambda g: g + 1)
        (y * y).sum().backward()
        h1.remove()
        return x.grad, calls
    (eg, ec), (tg, tc) = both(run)
    assert_same(eg, tg)
    assert ec == tc


def test_retain_grad():
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        y.retain_grad()
        assert y.retains_grad
        (y * y).sum().backward()
        return y.grad
    assert_same(*both(run))


def test_post_accumulate_grad_hook():
    seen = []
    x = ember.tensor([1.0], requires_grad=True)
    x.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.tolist()))
    (x * 2).sum().backward()
    assert seen == [[2.0]]


def test_leaf_used_twice_gets_summed_grad_once_in_hook():
    def run(lib):
        seen = []
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        x.register_hook(lambda g: seen.append(g.tolist()))
        (x * 2 + x * x).sum().backward()
        return seen
    e, t = both(run)
    assert e == t


def test_grad_fn_names_and_next_functions():
    x = ember.tensor([1.0], requires_grad=True)
    y = x * 2
    assert y.grad_fn.name() == "MulBackward0"
    nf = y.grad_fn.next_functions
    assert nf[0][0].name() == "torch::autograd::AccumulateGrad"   # torch 2.13 reports the C++ name
    assert nf[0][0].variable is x
    assert "grad_fn=<MulBackward0>" in repr(y)
    assert (x + 1).grad_fn.name() == "AddBackward0"
    assert x.sum().grad_fn.name() == "SumBackward0"


def test_detach_shares_memory_and_version():
    for lib in (ember, torch):
        x = lib.ones(3, requires_grad=True)
        d = x.detach()
        assert not d.requires_grad
        d[0] = 5
        assert x[0].item() == 5
        assert x._version == d._version == 1


def test_dot_data_is_detached():
    x = ember.ones(3, requires_grad=True)
    assert not x.data.requires_grad
    x.data.mul_(2)
    assert x.tolist() == [2.0, 2.0, 2.0]


class _Square(ember.autograd.Function):
    @staticmethod
    def forward(ctx, x, k):
        ctx.save_for_backward(x)
        ctx.k = k
        return x * x * k

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 2 * x * ctx.k, None


def test_custom_function():
    x = ember.tensor([1.0, -2.0], dtype=ember.float64, requires_grad=True)
    y = _Square.apply(x, 3.0)
    assert y.grad_fn.name() == "_SquareBackward"
    y.sum().backward()
    assert x.grad.tolist() == [6.0, -12.0]
    assert ember.autograd.gradcheck(lambda t: _Square.apply(t, 3.0), (x,))


def test_custom_function_needs_input_grad_and_non_differentiable():
    seen = {}

    class Split(ember.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            idx = (a > 0).long()
            ctx.mark_non_differentiable(idx)
            return a * b, idx

        @staticmethod
        def backward(ctx, g, g_idx):
            seen["needs"] = ctx.needs_input_grad
            return g, None

    a = ember.tensor([1.0, -1.0], requires_grad=True)
    b = ember.tensor([2.0, 2.0])
    out, idx = Split.apply(a, b)
    assert not idx.requires_grad
    out.sum().backward()
    assert seen["needs"] == (True, False)
    assert a.grad.tolist() == [1.0, 1.0]


def test_custom_function_wrong_gradient_count():
    class Bad(ember.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            return a + b

        @staticmethod
        def backward(ctx, g):
            return (g,)

    a = ember.ones(1, requires_grad=True)
    b = ember.ones(1, requires_grad=True)
    with pytest.raises(RuntimeError, match="returned an incorrect number of gradients"):
        Bad.apply(a, b).sum().backward()


def test_custom_function_mark_dirty():
    class AddOne(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.add_(1)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    a = ember.ones(2, requires_grad=True)
    b = a * 1
    c = AddOne.apply(b)
    c.sum().backward()
    assert a.grad.tolist() == [1.0, 1.0]
    assert c.tolist() == [2.0, 2.0]


def test_anomaly_detection_names_op():
    x = ember.tensor([0.0], requires_grad=True)
    with pytest.warns(UserWarning):
        with ember.autograd.detect_anomaly():
            y = x.sqrt() * 0     # backward of sqrt at 0 gives inf * 0 = nan
            with pytest.raises(RuntimeError, match="Function 'SqrtBackward0' returned nan values in its 0th "
                                                   "output."):
                y.sum().backward()


def test_gradcheck_detects_wrong_gradient():
    class Wrong(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * x

        @staticmethod
        def backward(ctx, g):
            return g * 3

    x = ember.tensor([1.0, 2.0], dtype=ember.float64, requires_grad=True)
    assert not ember.autograd.gradcheck(Wrong.apply, (x,), raise_exception=False)
    with pytest.raises(RuntimeError, match="Jacobian mismatch"):
        ember.autograd.gradcheck(Wrong.apply, (x,))


def test_gradgradcheck():
    x = ember.tensor([0.3, 0.9], dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradgradcheck(lambda t: (t.exp() * t.sin()).sum(), (x,))


def test_freed_grad_is_stolen_not_shared():
    # a + b passes the same gradient to both leaves; they must not alias each other
    a = ember.ones(2, requires_grad=True)
    b = ember.ones(2, requires_grad=True)
    (a + b).sum().backward()
    a.grad.add_(5)
    assert b.grad.tolist() == [1.0, 1.0]


def test_user_gradient_is_copied_into_grad():
    x = ember.ones(2, requires_grad=True)
    g = ember.tensor([1.0, 2.0])
    (x * 1).backward(g)
    x.grad.add_(1)
    assert g.tolist() == [1.0, 2.0]


def test_functional_jacobian_hessian():
    def f(v):
        return (v ** 3).sum()

    xe = ember.tensor([1.0, 2.0], dtype=ember.float64)
    xt = to_torch(xe)
    assert_same(ember.autograd.functional.hessian(f, xe), torch.autograd.functional.hessian(f, xt))
    assert_same(ember.autograd.functional.jacobian(lambda v: v * v, xe),
                torch.autograd.functional.jacobian(lambda v: v * v, xt))


def test_many_small_graphs_do_not_leak():
    import gc
    import weakref
    x = ember.ones(4, requires_grad=True)
    y = (x * 2).sum()
    ref = weakref.ref(y.grad_fn)
    y.backward()
    del y
    assert ref() is None, "graph nodes kept alive after backward (reference cycle)"
    gc.collect()
