"""MODULE-SPEC §6: full backward hooks, backward pre-hooks, legacy hooks, Tensor.register_hook."""
import pytest
import torch
from torch.nn.modules import module as tmod

from ember.nn.modules import module as emod
from test_module_helpers import Lin, det, same


def gmod(T):
    return tmod if T is torch else emod


def net_cls(T):
    class Net(T.nn.Module):
        def __init__(self):
            super().__init__()
            self.l1 = Lin(T)(3, 4)
            self.l2 = Lin(T)(4, 2, seed=4)

        def forward(self, x):
            return self.l2(self.l1(x).tanh())
    return Net


def shapes(gs):
    return tuple(None if g is None else tuple(g.shape) for g in gs)


@pytest.mark.parametrize("input_grad", [True, False])
def test_order_across_nested_modules(input_grad):
    def fn(T):
        log = []
        net = net_cls(T)()
        for name, mod in net.named_modules():
            name = name or "root"
            mod.register_full_backward_pre_hook(lambda m, go, n=name: log.append(("bpre", n, shapes(go))))
            mod.register_full_backward_hook(lambda m, gi, go, n=name: log.append(("bfull", n, shapes(gi),
                                                                                   shapes(go))))
        x = det(T, 5, 3).requires_grad_(input_grad)
        out = net(x)
        log.append("forward done")
        out.sum().backward()
        return log, [p.grad for p in net.parameters()], x.grad
    same(fn)


def test_grad_values_and_tuples():
    def fn(T):
        got = {}
        m = Lin(T)(3, 2)
        m.register_full_backward_hook(lambda mod, gi, go: got.update(gi=gi, go=go, types=(type(gi), type(go))))
        x = det(T, 4, 3, seed=1).requires_grad_()
        (m(x) ** 2).sum().backward()
        return got["gi"], got["go"], got["types"][0].__name__, got["types"][1].__name__, m.weight.grad, x.grad
    same(fn)


def test_grad_input_positional_only_with_none_for_non_tensors():
    def fn(T):
        got = []

        class M(T.nn.Module):
            def forward(self, x, k, y, *, z=None):
                return x * k + y * z
        m = M()
        m.register_full_backward_hook(lambda mod, gi, go: got.append(gi))
        x = det(T, 3).requires_grad_()
        y = det(T, 3, seed=2).requires_grad_()
        z = det(T, 3, seed=3).requires_grad_()
        m(x, 2.0, y, z=z).sum().backward()
        return got, z.grad
    same(fn)


def test_full_hook_return_changes_only_upstream():
    def fn(T):
        m = Lin(T)(3, 2)
        m.register_full_backward_hook(lambda mod, gi, go: (gi[0] * 0 + 7,))
        x = det(T, 4, 3).requires_grad_()
        m(x).sum().backward()
        return x.grad, m.weight.grad, m.bias.grad
    same(fn)


def test_full_hook_wrong_length():
    def fn(T):
        m = Lin(T)(3, 2)
        m.register_full_backward_hook(lambda mod, gi, go: (gi[0], gi[0]))
        m(det(T, 4, 3).requires_grad_()).sum().backward()
    same(fn)


def test_pre_hook_replaces_grad_output_for_whole_module():
    def fn(T):
        m = Lin(T)(3, 2)
        seen = []
        m.register_full_backward_pre_hook(lambda mod, go: (go[0] * 0,))
        m.register_full_backward_pre_hook(lambda mod, go: seen.append(go))       # sees the replacement
        m.register_full_backward_hook(lambda mod, gi, go: seen.append(go))
        x = det(T, 4, 3).requires_grad_()
        m(x).sum().backward()
        return seen, x.grad, m.weight.grad, m.bias.grad
    same(fn)


def test_pre_hook_scaling_and_wrong_length():
    def scale(T):
        m = Lin(T)(3, 2)
        m.register_full_backward_pre_hook(lambda mod, go: (go[0] * 3,))
        x = det(T, 4, 3).requires_grad_()
        m(x).sum().backward()
        return x.grad, m.weight.grad
    same(scale)

    def bad(T):
        m = Lin(T)(3, 2)
        m.register_full_backward_pre_hook(lambda mod, go: (go[0], go[0]))
        m(det(T, 4, 3).requires_grad_()).sum().backward()
    same(bad)


def test_no_input_requires_grad_fires_at_output_time_with_warning():
    def fn(T):
        log = []
        m = Lin(T)(3, 2)
        m.register_full_backward_hook(lambda mod, gi, go: log.append((gi, shapes(go))))
        m(det(T, 4, 3)).sum().backward()
        return log, m.weight.grad
    same(fn)

    def bad_return(T):
        m = Lin(T)(3, 2)
        m.register_full_backward_hook(lambda mod, gi, go: (T.ones(1),))
        m(det(T, 4, 3)).sum().backward()
    same(bad_return)

    def none_tuple_ok(T):
        m = Lin(T)(3, 2)
        m.register_full_backward_hook(lambda mod, gi, go: (None,))
        m(det(T, 4, 3)).sum().backward()
        return m.weight.grad
    same(none_tuple_ok)

    def pre_only(T):
        m = Lin(T)(3, 2)
        log = []
        m.register_full_backward_pre_hook(lambda mod, go: log.append(shapes(go)))
        m(det(T, 4, 3)).sum().backward()
        return log
    same(pre_only)


def test_no_output_requires_grad_fires_nothing():
    def fn(T):
        log = []
        m = Lin(T)(3, 2)
        m.requires_grad_(False)
        m.register_full_backward_hook(lambda *a: log.append("full"))
        m.register_full_backward_pre_hook(lambda *a: log.append("pre"))
        out = m(det(T, 4, 3))
        return log, out.requires_grad
    same(fn)

    def no_grad_mode(T):
        log = []
        m = Lin(T)(3, 2)
        m.register_full_backward_hook(lambda *a: log.append("full"))
        with T.no_grad():
            out = m(det(T, 4, 3).requires_grad_())
        return log, out.requires_grad
    same(no_grad_mode)


def test_once_per_backward_and_retain_graph():
    def fn(T):
        log = []
        m = Lin(T)(3, 2)
        m.register_full_backward_hook(lambda mod, gi, go: log.append("full"))
        m.register_full_backward_pre_hook(lambda mod, go: log.append("pre"))
        x = det(T, 4, 3).requires_grad_()
        out = m(x).sum()
        log.append("forward")
        out.backward(retain_graph=True)
        out.backward()
        return log, x.grad
    same(fn)


def test_multiple_outputs_unused_output_is_none():
    def fn(T):
        got = []

        class Split(T.nn.Module):
            def forward(self, x, y):
                return x * 2, x * 3

        m = Split()
        m.register_full_backward_pre_hook(lambda mod, go: got.append(("pre", go)))
        m.register_full_backward_hook(lambda mod, gi, go: got.append(("full", gi, go)))
        x = det(T, 2).requires_grad_()
        y = det(T, 2, seed=1).requires_grad_()
        a, b = m(x, y)
        a.sum().backward()
        return got, x.grad, y.grad
    same(fn)


def test_prepend_and_global_first():
    def fn(T):
        log = []
        m = Lin(T)(3, 2)
        mod = gmod(T)
        hs = [mod.register_module_full_backward_hook(lambda *a: log.append("gfull")),
              mod.register_module_full_backward_pre_hook(lambda *a: log.append("gpre"))]
        try:
            m.register_full_backward_hook(lambda *a: log.append("full1"))
            m.register_full_backward_hook(lambda *a: log.append("full0"), prepend=True)
            m.register_full_backward_pre_hook(lambda *a: log.append("pre1"))
            m.register_full_backward_pre_hook(lambda *a: log.append("pre0"), prepend=True)
            m(det(T, 4, 3).requires_grad_()).sum().backward()
        finally:
            for h in hs:
                h.remove()
        return log
    same(fn)


def test_mixing_legacy_and_full_raises():
    def local(T):
        m = Lin(T)(3, 2)
        m.register_backward_hook(lambda *a: None)
        m.register_full_backward_hook(lambda *a: None)
    same(local)

    def local_reverse(T):
        m = Lin(T)(3, 2)
        m.register_full_backward_hook(lambda *a: None)
        m.register_backward_hook(lambda *a: None)
    same(local_reverse)

    def global_mix(T):
        mod = gmod(T)
        h = mod.register_module_full_backward_hook(lambda *a: None)
        try:
            mod.register_module_backward_hook(lambda *a: None)
        finally:
            h.remove()
            mod._global_is_full_backward_hook = None
    same(global_mix)


def test_legacy_backward_hook_single_op():
    def fn(T):
        got = []

        class Double(T.nn.Module):
            def forward(self, x):
                return x * 2
        m = Double()
        m.register_backward_hook(lambda mod, gi, go: got.append((mod is m, gi, go)))
        x = det(T, 3).requires_grad_()
        m(x).sum().backward()
        return got, x.grad
    same(fn)


def test_legacy_backward_hook_warnings():
    def multi_node(T):
        class TwoOps(T.nn.Module):
            def forward(self, x):
                return (x * 2).exp()
        m = TwoOps()
        m.register_backward_hook(lambda *a: None)
        m(det(T, 3).requires_grad_())
    same(multi_node)

    def non_tensor_output(T):
        class DictOut(T.nn.Module):
            def forward(self, x):
                return {"y": x * 2}
        m = DictOut()
        m.register_backward_hook(lambda *a: None)
        m(det(T, 3).requires_grad_())
    same(non_tensor_output)

    def kwargs_input(T):
        class M(T.nn.Module):
            def forward(self, x, k):
                return x * k
        m = M()
        m.register_backward_hook(lambda *a: None)
        m(det(T, 3).requires_grad_(), 2.0)
    same(kwargs_input)


def test_full_hook_non_tensor_output_warns():
    def fn(T):
        class DictOut(T.nn.Module):
            def forward(self, x):
                return {"y": x * 2}
        m = DictOut()
        m.register_full_backward_hook(lambda *a: None)
        out = m(det(T, 3).requires_grad_())
        return sorted(out)
    same(fn)


def test_tensor_register_hook():
    def fn(T):
        log = []
        w = det(T, 3).requires_grad_()
        h = w.register_hook(lambda g: log.append(("leaf", g.clone())) or g * 2)
        y = w * 3
        y.register_hook(lambda g: g + 1)
        y.sum().backward()
        first = w.grad.clone()
        h.remove()
        (w * 3).sum().backward()
        return log, first, w.grad, type(h).__name__
    same(fn)


def test_hooks_with_frozen_parameters_and_tuple_output():
    def fn(T):
        got = []

        class Pair(T.nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = Lin(T)(3, 3)

            def forward(self, x):
                y = self.lin(x)
                return y, y.detach()
        m = Pair()
        m.lin.requires_grad_(False)
        m.register_full_backward_hook(lambda mod, gi, go: got.append((shapes(gi), shapes(go))))
        x = det(T, 2, 3).requires_grad_()
        a, b = m(x)
        a.sum().backward()
        return got, x.grad, m.lin.weight.grad
    same(fn)


def test_global_legacy_backward_hook():
    def fn(T):
        got = []
        mod = gmod(T)

        class Double(T.nn.Module):
            def forward(self, x):
                return x * 2
        h = mod.register_module_backward_hook(lambda m, gi, go: got.append((type(m).__name__, gi, go)))
        try:
            m = Double()
            x = det(T, 3).requires_grad_()
            m(x).sum().backward()
        finally:
            h.remove()
            mod._global_is_full_backward_hook = None
        return got, x.grad
    same(fn)


def test_outputs_go_through_the_identity_node():
    def fn(T):
        m = Lin(T)(3, 2)
        m.register_full_backward_hook(lambda *a: None)
        seen = []
        m.register_forward_pre_hook(lambda mod, args: seen.append(args[0].grad_fn))
        out = m(det(T, 1, 3).requires_grad_())
        plain = Lin(T)(3, 2)(det(T, 1, 3).requires_grad_())
        return out.grad_fn.name(), seen[0] is None, plain.grad_fn.name() != out.grad_fn.name()
    same(fn)
