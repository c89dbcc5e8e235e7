"""MODULE-SPEC §15: Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict; §14 container reprs."""
from collections import OrderedDict

import pytest

from test_module_helpers import Lin, det, same


def tags(T, n):
    """n distinguishable leaf modules (their class name says which)."""
    out = []
    for i in range(n):
        cls = type(f"M{i}", (T.nn.Module,), {"forward": lambda self, x, i=i: x * (i + 2)})
        out.append(cls())
    return out


def names(container):
    return [(k, type(m).__name__) for k, m in container._modules.items()]


# ---- Sequential ----------------------------------------------------------------------------------------

def test_sequential_forward_and_construction():
    def fn(T):
        s = T.nn.Sequential(*tags(T, 3))
        od = T.nn.Sequential(OrderedDict([("a", Lin(T)(2, 3)), ("b", Lin(T)(3, 1, seed=4))]))
        return (s(T.ones(2)), names(s), names(od), od(det(T, 4, 2)), T.nn.Sequential()(T.ones(2)),
                type(od.a).__name__)
    same(fn)


def test_sequential_indexing():
    same(lambda T: [type(m).__name__ for m in (lambda s: (s[0], s[-1], s[-3], s[1]))(T.nn.Sequential(*tags(T, 3)))])
    same(lambda T: T.nn.Sequential(*tags(T, 3))[3])
    same(lambda T: T.nn.Sequential(*tags(T, 3))[-4])
    same(lambda T: T.nn.Sequential(*tags(T, 3))["0"])

    def slicing(T):
        s = T.nn.Sequential(*tags(T, 4))
        sub = s[1:3]
        return type(sub).__name__, names(sub), sub[0] is s[1], names(s[::2]), names(s[::-1])
    same(slicing)


def test_sequential_mutation():
    def fn(T):
        s = T.nn.Sequential(*tags(T, 5))
        extra = tags(T, 3)
        s[1] = extra[0]
        s[-1] = extra[1]
        log = [names(s)]
        del s[0]
        log.append(names(s))
        del s[1:3]
        log.append(names(s))
        popped = s.pop(0)
        log.append((type(popped).__name__, names(s)))
        r1 = s.append(extra[2]) is s
        r2 = s.extend(tags(T, 2)) is s
        r3 = s.insert(1, T.nn.Module()) is s
        r4 = s.insert(-1, T.nn.Sequential()) is s
        s.insert(len(s), T.nn.ModuleList())
        log.append(names(s))
        return log, r1, r2, r3, r4
    same(fn)
    same(lambda T: T.nn.Sequential(*tags(T, 2)).insert(3, T.nn.Module()))
    same(lambda T: T.nn.Sequential(*tags(T, 2)).insert(-3, T.nn.Module()))
    same(lambda T: T.nn.Sequential(*tags(T, 2)).insert(0, 3))


def test_sequential_arithmetic():
    def fn(T):
        a = T.nn.Sequential(*tags(T, 2))
        b = T.nn.Sequential(OrderedDict([("x", Lin(T)(2, 2))]))
        c = a + b
        d = a * 2
        e = 2 * a
        f = T.nn.Sequential(*tags(T, 2))
        f += b
        g = T.nn.Sequential(*tags(T, 2))
        g *= 3
        return (names(c), c[0] is a[0], names(d), d[2] is a[0], names(e), names(f), f[2] is b.x, names(g),
                g[4] is g[0], len(g))
    same(fn)
    same(lambda T: T.nn.Sequential() + T.nn.ModuleList())
    same(lambda T: T.nn.Sequential().__iadd__([1]))
    same(lambda T: T.nn.Sequential(*tags(T, 1)) * 0)
    same(lambda T: T.nn.Sequential(*tags(T, 1)) * 1.5)

    def imul_bad(T):
        s = T.nn.Sequential(*tags(T, 1))
        s *= -1
    same(imul_bad)


def test_sequential_len_iter_and_registration():
    def fn(T):
        s = T.nn.Sequential(Lin(T)(2, 2), T.nn.Sequential(Lin(T)(2, 2, seed=3)))
        s.eval()
        s.double()
        return (len(s), [type(m).__name__ for m in s], list(s.state_dict()), s[1][0].training,
                s[1][0].weight.dtype)
    same(fn)


# ---- ModuleList ----------------------------------------------------------------------------------------

def test_module_list():
    def fn(T):
        ml = T.nn.ModuleList(tags(T, 3))
        log = [names(ml), type(ml[-1]).__name__, type(ml[1:]).__name__, names(ml[1:]), len(ml)]
        extra = tags(T, 4)
        log.append(ml.append(extra[0]) is ml)
        log.append(ml.extend(extra[1:3]) is ml)
        log.append(ml.insert(1, extra[3]))
        log.append(names(ml))
        ml[0] = T.nn.Module()
        del ml[2]
        log.append(names(ml))
        del ml[::2]
        log.append(names(ml))
        log.append(type(ml.pop(-1)).__name__)
        ml += tags(T, 1)
        both = ml + T.nn.ModuleList(tags(T, 2))
        log.append((type(both).__name__, names(both), names(ml), [type(m).__name__ for m in ml]))
        return log
    same(fn)
    same(lambda T: T.nn.ModuleList(tags(T, 2))[2])
    same(lambda T: T.nn.ModuleList(tags(T, 2))[-3])
    same(lambda T: T.nn.ModuleList().extend(3))
    same(lambda T: T.nn.ModuleList([3]))
    same(lambda T: T.nn.ModuleList(tags(T, 1))(T.ones(1)))


def test_module_list_insert_negative_and_end():
    def fn(T):
        ml = T.nn.ModuleList(tags(T, 3))
        ml.insert(3, T.nn.Module())
        ml.insert(0, T.nn.Sequential())
        return names(ml)
    same(fn)


# ---- ModuleDict ----------------------------------------------------------------------------------------

def test_module_dict():
    def fn(T):
        m = tags(T, 5)
        md = T.nn.ModuleDict({"z": m[0], "a": m[1]})           # plain dict: insertion order kept
        log = [names(md), list(md), list(md.keys()), [type(v).__name__ for v in md.values()],
               [(k, type(v).__name__) for k, v in md.items()], "z" in md, "q" in md, len(md)]
        md["b"] = m[2]
        md.update([("c", m[3]), ("z", m[4])])
        md.update(OrderedDict(d=T.nn.Module()))
        md.update(T.nn.ModuleDict({"e": T.nn.Module()}))
        log.append(names(md))
        log.append(type(md.pop("a")).__name__)
        del md["b"]
        log.append(names(md))
        md.clear()
        log.append((len(md), list(md.parameters())))
        return log
    same(fn)
    same(lambda T: T.nn.ModuleDict()["missing"])
    same(lambda T: T.nn.ModuleDict().update(3))
    same(lambda T: T.nn.ModuleDict().update([("a",)]))
    same(lambda T: T.nn.ModuleDict().update([3]))
    same(lambda T: T.nn.ModuleDict({"a": 3}))
    same(lambda T: T.nn.ModuleDict({"a.b": T.nn.Module()}))


# ---- ParameterList -------------------------------------------------------------------------------------

def test_parameter_list():
    def fn(T):
        frozen = T.nn.Parameter(T.ones(2), requires_grad=False)
        pl = T.nn.ParameterList([T.zeros(2, 3), frozen])
        log = [[type(p).__name__ for p in pl], [p.requires_grad for p in pl], pl[1] is frozen,
               [n for n, _ in pl.named_parameters()], len(pl)]
        log.append(pl.append(T.ones(1)) is pl)
        log.append(pl.extend([T.ones(4), T.nn.Parameter(T.ones(5))]) is pl)
        sub = pl[1:4]
        log.append((type(sub).__name__, [p.shape for p in sub], sub[0] is frozen))
        pl[0] = T.ones(7)
        pl += [T.ones(8)]
        log.append([p.shape for p in pl])
        log.append([tuple(p.shape) for p in pl.parameters()])
        log.append(pl[-1].shape)
        return log
    same(fn)
    same(lambda T: T.nn.ParameterList([T.ones(1)])(T.ones(1)))
    same(lambda T: T.nn.ParameterList([T.ones(1)])[1])
    same(lambda T: T.nn.ParameterList().extend(T.ones(3)))
    same(lambda T: T.nn.ParameterList().extend(3))

    def objects(T):
        pl = T.nn.ParameterList([T.ones(2), "not a tensor"])
        return pl[1], len(list(pl.parameters())), repr(pl)
    same(objects)


# ---- ParameterDict -------------------------------------------------------------------------------------

def test_parameter_dict_ordering_quirk():
    def fn(T):
        plain = T.nn.ParameterDict({"b": T.ones(1), "a": T.ones(2), "c": T.ones(3)})
        ordered = T.nn.ParameterDict(OrderedDict([("b", T.ones(1)), ("a", T.ones(2))]))
        pairs = T.nn.ParameterDict([("z", T.ones(1)), ("y", T.ones(1))])
        ordered.update({"q": T.ones(1), "d": T.ones(1)})
        return (list(plain), list(ordered), list(pairs), [n for n, _ in plain.named_parameters()],
                [type(v).__name__ for v in plain.values()])
    same(fn)


def test_parameter_dict_api():
    def fn(T):
        frozen = T.nn.Parameter(T.ones(2), requires_grad=False)
        pd = T.nn.ParameterDict(OrderedDict(a=T.ones(1), b=frozen))
        log = ["a" in pd, "x" in pd, len(pd), pd["b"] is frozen, pd.get("x", 5), pd.get("a").shape,
               list(pd.keys()), [k for k, _ in pd.items()], list(reversed(pd))]
        log.append(pd.setdefault("c", T.ones(3)).shape)
        log.append(pd.setdefault("a", T.ones(9)).shape)
        log.append(pd.pop("a").shape)
        log.append(pd.popitem()[0])
        c = pd.copy()
        log.append((type(c).__name__, list(c), c["b"] is frozen))
        merged = pd | T.nn.ParameterDict(OrderedDict(z=T.ones(1)))
        log.append(list(merged))
        pd |= T.nn.ParameterDict(OrderedDict(y=T.ones(1)))
        log.append(list(pd))
        fk = pd.fromkeys(["p", "q"], T.ones(1))
        log.append((list(fk), type(fk["p"]).__name__))
        del pd["b"]
        pd.clear()
        log.append((len(pd), list(pd.parameters())))
        pd["plain"] = "string"
        log.append(pd["plain"])
        return log
    same(fn)
    same(lambda T: T.nn.ParameterDict()[1])
    same(lambda T: T.nn.ParameterDict().__setitem__(1, T.ones(1)))
    same(lambda T: T.nn.ParameterDict()(T.ones(1)))
    same(lambda T: T.nn.ParameterDict().update(3))
    same(lambda T: T.nn.ParameterDict().update([("a", T.ones(1), 3)]))
    same(lambda T: T.nn.ParameterDict()["missing"])


# ---- registration and reprs ----------------------------------------------------------------------------

def test_containers_register_contents():
    def fn(T):
        class Net(T.nn.Module):
            def __init__(self):
                super().__init__()
                self.seq = T.nn.Sequential(Lin(T)(2, 2))
                self.ml = T.nn.ModuleList([Lin(T)(2, 2, seed=1)])
                self.md = T.nn.ModuleDict({"x": Lin(T)(2, 2, seed=2)})
                self.pl = T.nn.ParameterList([T.ones(2)])
                self.pd = T.nn.ParameterDict({"w": T.ones(3)})
        n = Net().eval().double()
        return (list(n.state_dict()), [m.training for m in n.modules()],
                [p.dtype for p in n.parameters()])
    same(fn)


def test_reprs():
    def fn(T):
        class Net(T.nn.Module):
            def __init__(self):
                super().__init__()
                self.seq = T.nn.Sequential(Lin(T)(2, 2), Lin(T)(2, 2), T.nn.Sequential())
                self.ml = T.nn.ModuleList([Lin(T)(2, 2) for _ in range(3)] + [Lin(T)(2, 3)] +
                                          [T.nn.Sequential(Lin(T)(1, 1)), T.nn.Sequential(Lin(T)(1, 1))])
                self.empty = T.nn.ModuleList()
                self.md = T.nn.ModuleDict({"x": Lin(T)(2, 2)})
                self.pl = T.nn.ParameterList([T.ones(2, 3), T.nn.Parameter(T.ones(1, dtype=T.float64))])
                self.pd = T.nn.ParameterDict({"w": T.ones(3), "v": T.ones(2, 2, dtype=T.float64)})
                self.none = None
                self.add_module("gap", None)
        return repr(Net()), repr(T.nn.ModuleList()), repr(T.nn.ParameterList()), repr(T.nn.Sequential())
    e = same(fn)
    assert "(0-2): 3 x Lin(" in e[1][0]


def test_helper_tags_are_distinct():
    with pytest.raises(AssertionError):
        same(lambda T: names(T.nn.Sequential(*tags(T, 2))) if T.__name__ == "torch"
             else names(T.nn.Sequential(*tags(T, 3))))
