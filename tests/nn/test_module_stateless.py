"""``func.functional_call``: stateless calls with substituted parameters and buffers."""
import torch

from test_module_helpers import Lin, det, same


def func(T):
    return torch.func if T is torch else T.func


def model(T):
    class Net(T.nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = Lin(T)(3, 2)
            self.register_buffer("shift", T.ones(2))
            self.tied = self.lin.weight

        def forward(self, x, scale=1.0):
            return (self.lin(x) + self.shift) * scale + (x @ self.tied.t()).sum()
    return Net()


def test_substitution_gradients_and_restore():
    def fn(T):
        m = model(T)
        w = det(T, 2, 3, seed=5).requires_grad_()
        x = det(T, 4, 3)
        out = func(T).functional_call(m, {"lin.weight": w, "shift": T.zeros(2)}, (x,), {"scale": 2.0})
        out.sum().backward()
        return out, w.grad, m.lin.weight.grad, m.lin.weight is m.tied, m.shift, type(m.lin.weight).__name__
    same(fn)


def test_single_arg_and_sequence_of_dicts():
    def fn(T):
        m = model(T)
        x = det(T, 4, 3)
        a = func(T).functional_call(m, {"shift": T.zeros(2)}, x)
        b = func(T).functional_call(m, ({"shift": T.zeros(2)}, {"lin.bias": T.ones(2)}), (x,))
        return a, b, m(x)
    same(fn)
    same(lambda T: func(T).functional_call(model(T), ({"shift": T.ones(2)}, {"shift": T.ones(2)}), det(T, 1, 3)))
    same(lambda T: func(T).functional_call(model(T), [{"shift": T.ones(2)}, 3], det(T, 1, 3)))
    same(lambda T: func(T).functional_call(model(T), 3, det(T, 1, 3)))


def test_tie_weights():
    def fn(T):
        m = model(T)
        x = det(T, 4, 3)
        w = T.zeros(2, 3)
        tied = func(T).functional_call(m, {"lin.weight": w}, (x,))
        untied = func(T).functional_call(m, {"lin.weight": w}, (x,), tie_weights=False)
        both_same = func(T).functional_call(m, {"lin.weight": w, "tied": w}, (x,))
        return tied, untied, both_same
    same(fn)
    same(lambda T: func(T).functional_call(model(T), {"lin.weight": T.zeros(2, 3), "tied": T.ones(2, 3)},
                                           (det(T, 1, 3),)))


def test_strict_and_errors():
    same(lambda T: func(T).functional_call(model(T), {"lin.weight": T.zeros(2, 3), "nope": T.ones(1)},
                                           (det(T, 1, 3),), strict=True))
    same(lambda T: func(T).functional_call(model(T), {"lin.weight": T.zeros(2, 3), "nope": T.ones(1)},
                                           (det(T, 1, 3),)))
    same(lambda T: func(T).functional_call(model(T), {"lin.weight": 3}, (det(T, 1, 3),)))
    same(lambda T: func(T).functional_call(model(T), {"missing.weight": T.ones(1)}, (det(T, 1, 3),)))

    def restored_after_error(T):
        m = model(T)
        try:
            func(T).functional_call(m, {"lin.weight": T.zeros(5, 5)}, (det(T, 1, 3),))
        except RuntimeError:
            pass
        return m.lin.weight, type(m.lin.weight).__name__, m.lin.weight is m.tied
    same(restored_after_error)


def test_in_place_update_shows_in_dict():
    def fn(T):
        class Counter(T.nn.Module):
            def __init__(self):
                super().__init__()
                self.register_buffer("count", T.zeros(()))

            def forward(self, x):
                self.count = self.count + 1
                return x
        m = Counter()
        d = {"count": T.zeros(())}
        func(T).functional_call(m, d, (T.ones(1),))
        return d["count"], m.count
    same(fn)
