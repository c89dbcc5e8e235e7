"""MODULE-SPEC §1-3: construction, registration through attributes, naming checks, classic mistakes."""
import pytest
import torch

import ember
from test_module_helpers import Lin, det, same


# ---- §1 construction and state layout ------------------------------------------------------------------

def test_init_creates_state_in_order():
    def fn(T):
        m = T.nn.Module()
        keys = [k for k in vars(m) if not k.startswith("_compiled")]
        kinds = {k: type(v).__name__ for k, v in vars(m).items() if k in keys}
        return keys, kinds, m.training, m._is_full_backward_hook, T.nn.Module._version
    e = same(fn)
    assert "_forward_hooks_always_called" in e[1][0]


def test_init_rejects_arguments():
    same(lambda T: T.nn.Module(3))
    same(lambda T: T.nn.Module(a=1))

    def sub(T):
        class Net(T.nn.Module):
            def __init__(self):
                super().__init__(1, 2)
        return Net()
    same(sub)


def test_forward_missing():
    same(lambda T: T.nn.Module()(T.ones(1)))
    same(lambda T: T.nn.ModuleList()(T.ones(1)))
    same(lambda T: T.nn.ModuleDict()(T.ones(1)))


def test_version_class_attribute():
    same(lambda T: (T.nn.Module._version, "_version" in vars(T.nn.Module()), T.nn.Module().state_dict()._metadata))


def test_plain_tensor_attribute_is_not_a_buffer():
    def fn(T):
        m = T.nn.Module()
        m.t = T.ones(2)
        m.p = T.nn.Parameter(T.ones(1))
        m.double()
        return ("t" in vars(m), list(m.state_dict()), [n for n, _ in m.named_buffers()], m.t.dtype, m.p.dtype)
    same(fn)


# ---- §2 __setattr__ / __getattr__ / __delattr__ --------------------------------------------------------

def test_setattr_parameter_removes_other_slots():
    def fn(T):
        m = T.nn.Module()
        m.x = 3
        m.x = T.nn.Parameter(T.ones(1))
        m.register_buffer("b", T.ones(1), persistent=False)
        del m.b
        m.b = T.nn.Parameter(T.zeros(1))
        m.c = T.nn.Module()
        del m.c
        m.c = T.nn.Parameter(T.zeros(2))
        return ("x" in vars(m), list(m._parameters), list(m._buffers), list(m._modules),
                sorted(m._non_persistent_buffers_set))
    same(fn)


def test_parameter_slot_accepts_only_parameter_or_none():
    def none_keeps_slot(T):
        m = Lin(T)(2, 3)
        m.bias = None
        return list(m._parameters), m.bias, [n for n, _ in m.named_parameters()]
    same(none_keeps_slot)
    same(lambda T: setattr(Lin(T)(2, 3), "weight", T.ones(3, 2)))
    same(lambda T: setattr(Lin(T)(2, 3), "weight", T.nn.Module()))
    same(lambda T: setattr(Lin(T)(2, 3), "weight", 3))


def test_module_slot_accepts_only_module_or_none():
    def fn(T):
        m = T.nn.Module()
        m.child = T.nn.Module()
        m.child = None
        return list(m._modules), m.child, list(m.children())
    same(fn)

    def bad(T):
        m = T.nn.Module()
        m.child = T.nn.Module()
        m.child = T.ones(1)
    same(bad)


def test_setattr_module_has_no_name_validation():
    def fn(T):
        m = T.nn.Module()
        setattr(m, "a.b", T.nn.Module())
        return list(m._modules)
    same(fn)


def test_buffer_assignment_rules():
    def fn(T):
        m = T.nn.Module()
        m.register_buffer("rm", T.zeros(2), persistent=False)
        m.rm = T.ones(2)                                # reassigning keeps it non-persistent
        m.b = T.nn.Buffer(T.ones(3))
        m.c = T.nn.Buffer(T.ones(3), persistent=False)
        m.c = T.nn.Buffer(T.ones(3))                    # a Buffer brings its own flag
        m.rm = None
        return (list(m._buffers), sorted(m._non_persistent_buffers_set), type(m.b) is T.Tensor,
                list(m.state_dict()), m.rm)
    same(fn)
    same(lambda T: setattr(_with_buffer(T), "rm", 3))
    same(lambda T: setattr(_with_buffer(T), "rm", [1.0]))


def _with_buffer(T):
    m = T.nn.Module()
    m.register_buffer("rm", T.zeros(2))
    return m


def test_buffer_marker_shares_memory_and_requires_grad():
    def fn(T):
        t = T.ones(2, requires_grad=True)
        m = T.nn.Module()
        m.b = T.nn.Buffer(t)
        with T.no_grad():
            m.b.mul_(3)
        return t, m.b.requires_grad, isinstance(m.b, T.nn.Buffer), isinstance(T.nn.Buffer(t), T.nn.Buffer)
    same(fn)


def test_getattr_lookup_order_and_error():
    def fn(T):
        m = T.nn.Module()
        m.p = T.nn.Parameter(T.ones(1))
        m.register_buffer("b", T.zeros(1))
        m.c = T.nn.Module()
        return "p" in vars(m), "b" in vars(m), "c" in vars(m), type(m.c).__name__, m.b
    same(fn)
    same(lambda T: T.nn.Module().missing)

    def sub(T):
        class Net(T.nn.Module):
            pass
        return Net().weight
    same(sub)


def test_delattr():
    def fn(T):
        m = Lin(T)(2, 2)
        m.register_buffer("b", T.ones(1), persistent=False)
        m.c = T.nn.Module()
        m.plain = 1
        del m.weight, m.b, m.c, m.plain
        return list(m._parameters), list(m._buffers), list(m._modules), sorted(m._non_persistent_buffers_set)
    same(fn)
    same(lambda T: delattr(T.nn.Module(), "nothing"))


@pytest.mark.parametrize("case", ["not_str", "dot", "empty", "exists", "none", "tensor", "scaled", "nonleaf",
                                  "before_init"])
def test_register_parameter_checks(case):
    def fn(T):
        m = T.nn.Module()
        m.x = 1
        if case == "not_str":
            m.register_parameter(3, T.nn.Parameter(T.ones(1)))
        elif case == "dot":
            m.register_parameter("a.b", T.nn.Parameter(T.ones(1)))
        elif case == "empty":
            m.register_parameter("", T.nn.Parameter(T.ones(1)))
        elif case == "exists":
            m.register_parameter("x", T.nn.Parameter(T.ones(1)))
        elif case == "none":
            m.register_parameter("w", None)
            return list(m._parameters), m.w
        elif case == "tensor":
            m.register_parameter("w", T.ones(1))
        elif case == "scaled":
            m.register_parameter("w", T.nn.Parameter(T.ones(1)) * 2)
        elif case == "nonleaf":
            q = T.nn.Parameter(T.ones(1)) * 2
            m.register_parameter("w", q.as_subclass(T.nn.Parameter) if T is torch else _nonleaf_param(q))
        elif case == "before_init":
            class Bad(T.nn.Module):
                def __init__(self):
                    self.register_parameter("w", T.nn.Parameter(T.ones(1)))
            Bad()
    same(fn)


def _nonleaf_param(q):
    from ember.tensor import _as_subclass
    out = _as_subclass(q, ember.nn.Parameter)
    out._grad_fn = q._grad_fn
    return out


@pytest.mark.parametrize("case", ["not_str", "dot", "empty", "exists", "bad_type", "none", "before_init",
                                  "persistent_again"])
def test_register_buffer_checks(case):
    def fn(T):
        m = T.nn.Module()
        m.x = 1
        if case == "not_str":
            m.register_buffer(1.5, T.ones(1))
        elif case == "dot":
            m.register_buffer("a.b", T.ones(1))
        elif case == "empty":
            m.register_buffer("", T.ones(1))
        elif case == "exists":
            m.register_buffer("x", T.ones(1))
        elif case == "bad_type":
            m.register_buffer("b", [1, 2])
        elif case == "none":
            m.register_buffer("b", None)
            return list(m._buffers), m.b, list(m.state_dict()), list(m.buffers())
        elif case == "before_init":
            class Bad(T.nn.Module):
                def __init__(self):
                    self.register_buffer("b", T.ones(1))
            Bad()
        elif case == "persistent_again":
            m.register_buffer("b", T.ones(1), persistent=False)
            first = list(m.state_dict())
            m.register_buffer("b", T.ones(1))
            return first, list(m.state_dict())
    same(fn)


@pytest.mark.parametrize("case", ["not_module", "not_str", "exists", "dot", "empty", "none", "alias",
                                  "exists_and_dot"])
def test_add_module_checks(case):
    def fn(T):
        m = T.nn.Module()
        m.x = 1
        if case == "not_module":
            m.add_module("a", T.ones(1))
        elif case == "not_str":
            m.add_module(2, T.nn.Module())
        elif case == "exists":
            m.add_module("x", T.nn.Module())
        elif case == "dot":
            m.add_module("a.b", T.nn.Module())
        elif case == "empty":
            m.add_module("", T.nn.Module())
        elif case == "none":
            m.add_module("a", None)
            return list(m._modules), list(m.children()), repr(m)
        elif case == "alias":
            m.register_module("a", T.nn.Module())
            return list(m._modules)
        elif case == "exists_and_dot":   # "exists" is checked before the dot
            setattr(m, "y.z", 1)
            m.add_module("y.z", T.nn.Module())
    same(fn)


def test_none_placeholders_everywhere():
    def fn(T):
        m = T.nn.Module()
        m.register_parameter("p", None)
        m.register_buffer("b", None)
        m.add_module("c", None)
        m.q = T.nn.Parameter(T.ones(1))
        m.double()
        return (list(m.named_parameters()), list(m.named_buffers()), list(m.named_children()),
                [n for n, _ in m.named_modules()], list(m.state_dict()), repr(m))
    same(fn)


def test_global_registration_hooks():
    from ember.nn.modules import module as emod
    from torch.nn.modules import module as tmod

    def fn(T):
        mod = tmod if T is torch else emod
        seen = []

        def on_param(m, name, p):
            seen.append(("param", name))
            return T.nn.Parameter(p.detach() * 2) if name == "w" else None

        def on_buffer(m, name, b):
            seen.append(("buffer", name))
            return T.zeros(3) if name == "b" else None

        def on_module(m, name, sub):
            seen.append(("module", name, type(sub).__name__))
            return T.nn.Sequential() if name == "c" else None
        handles = [mod.register_module_parameter_registration_hook(on_param),
                   mod.register_module_buffer_registration_hook(on_buffer),
                   mod.register_module_module_registration_hook(on_module)]
        try:
            m = T.nn.Module()
            m.w = T.nn.Parameter(T.ones(2))
            m.register_buffer("b", T.ones(1))
            m.c = T.nn.Module()
            m.add_module("d", T.nn.Module())
            m.c = None
        finally:
            for h in handles:
                h.remove()
        m.e = T.nn.Module()
        return seen, m.w, m.b, type(m.c).__name__, type(m.d).__name__
    same(fn)


def test_submodule_and_parameter_paths():
    def build(T):
        root = T.nn.Module()
        root.block = T.nn.Module()
        root.block.lin = Lin(T)(2, 2)
        root.block.register_buffer("rm", T.zeros(1))
        root.block.plain = 3
        return root

    same(lambda T: (type(build(T).get_submodule("block.lin")).__name__, build(T).get_submodule("") is not None))
    same(lambda T: build(T).get_submodule("block.nope"))
    same(lambda T: build(T).get_submodule("block.plain"))
    same(lambda T: build(T).get_submodule("block.lin.weight"))
    same(lambda T: build(T).get_parameter("block.lin.weight"))
    same(lambda T: build(T).get_parameter("block.rm"))
    same(lambda T: build(T).get_parameter("block.nope"))
    same(lambda T: build(T).get_buffer("block.rm"))
    same(lambda T: build(T).get_buffer("block.lin.weight"))
    same(lambda T: build(T).get_buffer("block.lin.nope"))

    def setsub(T):
        r = build(T)
        r.set_submodule("block.lin", T.nn.Sequential())
        r.set_submodule("block.new", T.nn.Sequential())
        return repr(r)
    same(setsub)
    same(lambda T: build(T).set_submodule("", T.nn.Sequential()))
    same(lambda T: build(T).set_submodule("block.plain", T.nn.Sequential()))
    same(lambda T: build(T).set_submodule("block.new", T.nn.Sequential(), strict=True))
    same(lambda T: build(T).set_submodule("block.lin", 3))
    same(lambda T: build(T).set_submodule("nope.lin", T.nn.Sequential()))


# ---- §3 pitfalls ---------------------------------------------------------------------------------------

def test_plain_list_of_layers_is_not_registered():
    def fn(T):
        class Net(T.nn.Module):
            def __init__(self):
                super().__init__()
                self.layers = [Lin(T)(2, 2), Lin(T)(2, 2, seed=3)]

            def forward(self, x):
                for layer in self.layers:
                    x = layer(x)
                return x
        net = Net()
        net.eval()
        net.double()
        y = net(T.ones(1, 2))
        return (list(net.parameters()), list(net.state_dict()), repr(net), net.layers[0].training,
                net.layers[0].weight.dtype, y)
    same(fn)

    def fixed(T):
        class Net(T.nn.Module):
            def __init__(self):
                super().__init__()
                self.layers = T.nn.ModuleList([Lin(T)(2, 2), Lin(T)(2, 2, seed=3)])
        net = Net().eval().double()
        return ([n for n, _ in net.named_parameters()], list(net.state_dict()), repr(net),
                net.layers[0].training, net.layers[0].weight.dtype)
    same(fixed)


@pytest.mark.parametrize("what", ["module", "parameter", "buffer", "marker"])
def test_forgetting_super_init_on_assignment(what):
    def fn(T):
        class Net(T.nn.Module):
            def __init__(self):
                if what == "module":
                    self.child = T.nn.Module()
                elif what == "parameter":
                    self.w = T.nn.Parameter(T.ones(1))
                elif what == "buffer":
                    self.register_buffer("b", T.ones(1))
                else:
                    self.b = T.nn.Buffer(T.ones(1))
        Net()
    same(fn)


@pytest.mark.parametrize("action", ["call", "parameters", "state_dict", "repr"])
def test_forgetting_super_init_fails_later(action):
    def fn(T):
        class Net(T.nn.Module):
            def __init__(self):
                self.size = 3

            def forward(self, x):
                return x
        net = Net()
        if action == "call":
            return net(T.ones(1))
        if action == "parameters":
            return list(net.parameters())
        if action == "state_dict":
            return net.state_dict()
        return repr(net)
    e_res, _ = __import__("test_module_helpers").outcome(fn, ember)
    t_res, _ = __import__("test_module_helpers").outcome(fn, torch)
    assert e_res[:2] == t_res[:2] == ("raise", "AttributeError")


def test_dir_lists_registered_names():
    def fn(T):
        m = Lin(T)(2, 2)
        m.register_buffer("rm", T.zeros(1))
        m.sub = T.nn.Module()
        m.add_module("0", T.nn.Module())
        d = dir(m)
        return [k for k in ("weight", "bias", "rm", "sub", "in_features", "forward", "0") if k in d], d == sorted(d)
    same(fn)

    def seq(T):
        s = T.nn.Sequential(T.nn.Module(), T.nn.Module())
        s.add_module("x1", T.nn.Module())
        ml = T.nn.ModuleList([T.nn.Module()])
        pl = T.nn.ParameterList([T.ones(1)])
        return [[k for k in dir(c) if k[0].isdigit() or k == "x1"] for c in (s, ml, pl)]
    same(seq)


def test_module_identity_hooks_receive_self_and_det_helper():
    # det() gives identical data in both libraries (the tests above rely on it)
    assert (det(torch, 2, 3).numpy() == det(ember, 2, 3).numpy()).all()
