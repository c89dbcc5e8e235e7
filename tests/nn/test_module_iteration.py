"""MODULE-SPEC §4: named_modules / children / parameters / buffers: order, prefixes, de-duplication."""
import types

import pytest

from test_module_helpers import Lin, same


def tree(T):
    """root -> a (Lin), shared (used twice), b -> [shared again, Lin], a tied weight and buffers."""
    root = T.nn.Module()
    root.register_buffer("rb", T.zeros(1))
    root.a = Lin(T)(2, 3)
    shared = Lin(T)(3, 3, seed=5)
    shared.register_buffer("sb", T.ones(2))
    shared.register_buffer("np", T.ones(1), persistent=False)
    root.shared = shared
    root.b = T.nn.Module()
    root.b.again = shared
    root.b.c = Lin(T)(3, 1, bias=False, seed=9)
    root.b.c.tied = root.a.weight        # one parameter under two names
    root.b.add_module("empty", None)
    root.p = T.nn.Parameter(T.ones(1))
    return root


def names(pairs):
    return [n for n, _ in pairs]


def test_named_modules():
    same(lambda T: names(tree(T).named_modules()))
    same(lambda T: names(tree(T).named_modules(remove_duplicate=False)))
    same(lambda T: names(tree(T).named_modules(prefix="model")))

    def memo(T):
        r = tree(T)
        return names(r.named_modules(memo={r.shared, r.b.c}))
    same(memo)

    def memo_root(T):
        r = tree(T)
        return names(r.named_modules(memo={r}))
    same(memo_root)


def test_children_and_modules():
    same(lambda T: (names(tree(T).named_children()), [type(m).__name__ for m in tree(T).children()],
                    [type(m).__name__ for m in tree(T).modules()], names(tree(T).b.named_children())))


@pytest.mark.parametrize("kind", ["parameters", "buffers"])
def test_named_members(kind):
    def fn(T):
        r = tree(T)
        get = getattr(r, f"named_{kind}")
        return (names(get()), names(get(prefix="m")), names(get(recurse=False)), names(get(remove_duplicate=False)),
                names(r.b.__getattribute__(f"named_{kind}")(prefix="b")))
    same(fn)


def test_iterators_are_generators():
    def fn(T):
        r = tree(T)
        gens = [r.parameters(), r.buffers(), r.children(), r.modules(), r.named_parameters(), r.named_buffers(),
                r.named_children(), r.named_modules()]
        first = next(r.parameters())
        it = r.parameters()
        n1 = len(list(it))
        n2 = len(list(it))       # exhausted: a second pass needs a new call
        return [isinstance(g, types.GeneratorType) for g in gens], first.shape, n1, n2
    same(fn)


def test_buffers_never_in_parameters():
    same(lambda T: ([p.shape for p in tree(T).parameters()], [b.shape for b in tree(T).buffers()]))


def test_replacing_keeps_slot():
    def fn(T):
        r = tree(T)
        r.a = Lin(T)(2, 3, seed=11)        # re-registered under the same key, same position
        r.p = T.nn.Parameter(T.zeros(1))
        return names(r.named_children()), names(r.named_parameters(recurse=False)), list(r.state_dict())
    same(fn)


def test_shared_parameter_counts_once():
    def fn(T):
        r = tree(T)
        return sum(p.numel() for p in r.parameters()), len(list(r.parameters())), len(r.state_dict())
    same(fn)
