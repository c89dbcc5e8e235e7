"""MODULE-SPEC §5 and §7: the ``__call__`` pipeline, forward (pre-)hooks, global hooks, RemovableHandle."""
import gc
import weakref

import pytest
import torch
from torch.nn.modules import module as tmod

import ember
from ember.nn.modules import module as emod
from test_module_helpers import Lin, same


def gmod(T):
    return tmod if T is torch else emod


def test_fast_path_calls_forward_directly():
    def fn(T):
        calls = []

        class M(T.nn.Module):
            def forward(self, x, *, scale=1):
                calls.append(scale)
                return x * scale
        m = M()
        y = m(T.ones(2), scale=3)
        return calls, y
    same(fn)


def test_order_global_then_local_prepend():
    def fn(T):
        log = []
        m = Lin(T)(2, 2)
        mod = gmod(T)
        hs = [mod.register_module_forward_pre_hook(lambda mm, a: log.append("gpre")),
              mod.register_module_forward_hook(lambda mm, a, o: log.append("gpost"))]
        try:
            m.register_forward_pre_hook(lambda mm, a: log.append("pre1"))
            m.register_forward_pre_hook(lambda mm, a: log.append("pre0"), prepend=True)
            m.register_forward_pre_hook(lambda mm, a, k: log.append(("prek", sorted(k))), with_kwargs=True)
            m.register_forward_hook(lambda mm, a, o: log.append("post1"))
            m.register_forward_hook(lambda mm, a, o: log.append("post0"), prepend=True)
            m.register_forward_hook(lambda mm, a, k, o: log.append(("postk", sorted(k))), with_kwargs=True)
            m(T.ones(1, 2))
        finally:
            for h in hs:
                h.remove()
        return log
    same(fn)


def test_pre_hook_replaces_args_and_wraps_non_tuple():
    def fn(T):
        seen = []

        class M(T.nn.Module):
            def forward(self, *args, **kwargs):
                seen.append((len(args), sorted(kwargs)))
                return args[0]
        m = M()
        m.register_forward_pre_hook(lambda mm, args: args[0] * 2)           # not a tuple: wrapped
        m.register_forward_pre_hook(lambda mm, args: seen.append(("hook", len(args))))
        m.register_forward_pre_hook(lambda mm, args: (args[0] + 1, "extra"))
        out = m(T.ones(2), T.ones(3), flag=True)
        return seen, out
    same(fn)


def test_pre_hook_sees_positional_args_only():
    def fn(T):
        got = []
        m = Lin(T)(2, 2)
        m.register_forward_pre_hook(lambda mm, args: got.append(len(args)))
        m.register_forward_hook(lambda mm, args, out: got.append(("post", len(args))))

        class W(T.nn.Module):
            def forward(self, x, y=None):
                return x
        w = W()
        w.register_forward_pre_hook(lambda mm, args: got.append(len(args)))
        w(T.ones(1), y=T.ones(1))
        m(T.ones(1, 2))
        return got
    same(fn)


def test_with_kwargs_pre_hook_contract():
    def ok(T):
        class M(T.nn.Module):
            def forward(self, x, scale=1.0):
                return x * scale
        m = M()
        m.register_forward_pre_hook(lambda mm, a, k: (a, {"scale": k["scale"] * 10}), with_kwargs=True)
        return m(T.ones(2), scale=2.0)
    same(ok)

    def bad(T):
        m = Lin(T)(2, 2)
        m.register_forward_pre_hook(lambda mm, a, k: a, with_kwargs=True)
        m(T.ones(1, 2))
    same(bad)


def test_forward_hook_replaces_result_in_order():
    def fn(T):
        m = Lin(T)(2, 2)
        seen = []
        m.register_forward_hook(lambda mm, a, o: o * 0 + 5)
        m.register_forward_hook(lambda mm, a, o: seen.append(o.sum().item()))
        m.register_forward_pre_hook(lambda mm, a: (a[0] * 2,))
        m.register_forward_hook(lambda mm, a, o: seen.append(a[0].sum().item()))  # args after pre-hooks
        out = m(T.ones(1, 2))
        return seen, out
    same(fn)


def test_calling_forward_directly_skips_hooks():
    def fn(T):
        m = Lin(T)(2, 2)
        log = []
        m.register_forward_pre_hook(lambda mm, a: log.append("pre"))
        m.register_forward_hook(lambda mm, a, o: log.append("post"))
        m.forward(T.ones(1, 2))
        n = len(log)
        m(T.ones(1, 2))
        return n, log
    same(fn)


def test_hooks_receive_the_module_and_not_at_backward():
    def fn(T):
        m = Lin(T)(2, 2)
        log = []
        m.register_forward_hook(lambda mm, a, o: log.append(mm is m))
        m.register_forward_pre_hook(lambda mm, a: log.append(mm is m))
        out = m(T.ones(1, 2, requires_grad=True))
        out.sum().backward()
        return log
    same(fn)


def test_nested_order():
    def fn(T):
        log = []

        class Net(T.nn.Module):
            def __init__(self):
                super().__init__()
                self.l1 = Lin(T)(2, 2)
                self.l2 = Lin(T)(2, 2)

            def forward(self, x):
                log.append("forward:root")
                return self.l2(self.l1(x))
        net = Net()
        for name, mod in net.named_modules():
            name = name or "root"
            mod.register_forward_pre_hook(lambda mm, a, n=name: log.append("pre:" + n))
            mod.register_forward_hook(lambda mm, a, o, n=name: log.append("post:" + n))
        net(T.ones(1, 2))
        return log
    same(fn)


@pytest.mark.parametrize("where", ["forward", "pre_hook", "hook"])
def test_always_call_hooks_run_on_exception(where):
    def fn(T):
        log = []

        class M(T.nn.Module):
            def forward(self, x):
                log.append("forward")
                if where == "forward":
                    raise ValueError("boom in forward")
                return x
        m = M()
        if where == "pre_hook":
            m.register_forward_pre_hook(lambda mm, a: (_ for _ in ()).throw(KeyError("pre")))
        m.register_forward_hook(lambda mm, a, o: log.append(("always1", o is None)), always_call=True)
        m.register_forward_hook(lambda mm, a, o: log.append("plain"))
        if where == "hook":
            m.register_forward_hook(lambda mm, a, o: (_ for _ in ()).throw(RuntimeError("in hook")))
        m.register_forward_hook(lambda mm, a, k, o: log.append(("always_kw", o is None)), always_call=True,
                                with_kwargs=True)
        m.register_forward_hook(lambda mm, a, o: 1 / 0, always_call=True)     # silenced into a warning
        mod = gmod(T)
        h = mod.register_module_forward_hook(lambda mm, a, o: log.append("global_always"), always_call=True)
        try:
            m(T.ones(1))
        except Exception as exc:
            log.append(type(exc).__name__)
        finally:
            h.remove()
        return log
    same(fn)


def test_global_forward_hook_with_kwargs():
    def fn(T):
        log = []
        h = gmod(T).register_module_forward_hook(lambda mm, a, k, o: log.append(sorted(k)), with_kwargs=True)
        try:
            class M(T.nn.Module):
                def forward(self, x, y=0):
                    return x
            M()(T.ones(1), y=2)
        finally:
            h.remove()
        return log
    same(fn)


def test_snapshot_iteration_add_and_remove_during_call():
    def fn(T):
        m = Lin(T)(2, 2)
        log = []
        handles = {}

        def first(mm, a, o):
            log.append("first")
            handles["second"].remove()                     # removed during the call: still runs (snapshot)
            mm.register_forward_hook(lambda *x: log.append("added"))   # added during the call: next call

        handles["first"] = m.register_forward_hook(first)
        handles["second"] = m.register_forward_hook(lambda *x: log.append("second"))
        m(T.ones(1, 2))
        handles["first"].remove()
        m(T.ones(1, 2))
        return log
    same(fn)


def test_removable_handle():
    def fn(T):
        m = Lin(T)(2, 2)
        log = []
        h1 = m.register_forward_hook(lambda *a: log.append(1), with_kwargs=False, always_call=True)
        h2 = m.register_forward_pre_hook(lambda *a: log.append(2), with_kwargs=True)
        ids_increase = h2.id > h1.id
        h1.remove()
        h1.remove()              # twice is a no-op
        h2.remove()
        with m.register_forward_hook(lambda *a: log.append(3)):
            m(T.ones(1, 2))
        m(T.ones(1, 2))
        return (ids_increase, log, len(m._forward_hooks), len(m._forward_hooks_always_called),
                len(m._forward_pre_hooks_with_kwargs))
    same(fn)


def test_removable_handle_holds_dicts_weakly():
    for T in (torch, ember):
        m = Lin(T)(2, 2)
        h = m.register_forward_hook(lambda *a: None)
        ref = weakref.ref(m)
        del m
        gc.collect()
        assert ref() is None
        h.remove()


def test_handle_ids_are_process_global():
    m1, m2 = ember.nn.Module(), ember.nn.Module()
    ids = [m1.register_forward_hook(lambda *a: None).id, m2.register_forward_pre_hook(lambda *a: None).id,
           ember.ones(1, requires_grad=True).register_hook(lambda g: g).id]
    assert ids == sorted(ids) and len(set(ids)) == 3


def test_every_register_returns_a_handle():
    def fn(T):
        m = Lin(T)(2, 2)
        hooks = [m.register_forward_pre_hook(lambda *a: None), m.register_forward_hook(lambda *a: None),
                 m.register_full_backward_pre_hook(lambda *a: None), m.register_full_backward_hook(lambda *a: None),
                 m.register_state_dict_pre_hook(lambda *a: None),
                 m.register_state_dict_post_hook(lambda *a: None),
                 m.register_load_state_dict_pre_hook(lambda *a: None),
                 m.register_load_state_dict_post_hook(lambda *a: None)]
        mod = gmod(T)
        for reg in (mod.register_module_forward_pre_hook, mod.register_module_forward_hook,
                    mod.register_module_full_backward_pre_hook, mod.register_module_full_backward_hook):
            h = reg(lambda *a: None)
            hooks.append(h)
            h.remove()
        for h in hooks:
            h.remove()
        return [type(h).__name__ for h in hooks], len(m._backward_hooks), len(mod._global_backward_hooks)
    same(fn)


def test_fast_path_after_hooks_removed():
    m = ember.nn.Module()
    m.forward = lambda x: x
    h = m.register_forward_hook(lambda *a: None)
    h.remove()
    assert not (m._forward_hooks or emod._global_forward_hooks)
