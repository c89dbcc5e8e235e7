"""MODULE-SPEC §8-9: state_dict and load_state_dict (keys, aliasing, hooks, errors, assign, extra state)."""
import copy
from collections import OrderedDict

import numpy as np
import pytest
import torch

import ember
from test_module_helpers import Lin, det, same


class _BN:
    """A BatchNorm-like module with version 2 and its BC fill of num_batches_tracked (both libraries)."""


def bn_cls(T):
    class BNLike(T.nn.Module):
        _version = 2

        def __init__(self, n):
            super().__init__()
            self.weight = T.nn.Parameter(T.ones(n))
            self.register_buffer("running_mean", T.zeros(n))
            self.register_buffer("num_batches_tracked", T.tensor(0, dtype=T.long))

        def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing, unexpected, errors):
            version = local_metadata.get("version", None)
            key = prefix + "num_batches_tracked"
            if (version is None or version < 2) and key not in state_dict:
                state_dict[key] = T.tensor(0, dtype=T.long)
            super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing, unexpected, errors)
    return BNLike


def model(T):
    net = T.nn.Sequential(OrderedDict(
        block=T.nn.Sequential(Lin(T)(3, 4), bn_cls(T)(4)),
        head=Lin(T)(4, 2, seed=3)))
    net.register_buffer("scale", T.ones(1))
    net.register_buffer("cache", T.zeros(2), persistent=False)
    net.plain = T.ones(3)
    return net


# ---- §8 state_dict -------------------------------------------------------------------------------------

def test_keys_metadata_and_values():
    def fn(T):
        sd = model(T).state_dict()
        return (type(sd).__name__, list(sd), dict(sd._metadata), type(sd._metadata).__name__,
                [type(v).__name__ for v in sd.values()], [v.requires_grad for v in sd.values()],
                [v.grad_fn is None for v in sd.values()], sd)
    same(fn)


def test_values_alias_parameters():
    def fn(T):
        net = model(T)
        sd = net.state_dict()
        snapshot = copy.deepcopy(net.state_dict())
        with T.no_grad():
            net.head.weight.add_(1)
            net.scale.mul_(5)
        return sd["head.weight"], sd["scale"], snapshot["head.weight"], snapshot["scale"]
    same(fn)


def test_keep_vars_prefix_destination_and_positional_warning():
    def fn(T):
        net = model(T)
        kv = net.state_dict(keep_vars=True)
        same_obj = kv["head.weight"] is net.head.weight and type(kv["head.weight"]).__name__ == "Parameter"
        pre = list(net.state_dict(prefix="model."))
        dest = OrderedDict()
        out = net.state_dict(destination=dest)
        positional = net.state_dict(None, "p.")
        return same_obj, pre, out is dest, hasattr(dest, "_metadata"), list(positional)
    same(fn)


def test_shared_modules_appear_under_every_path():
    def fn(T):
        shared = Lin(T)(2, 2)
        net = T.nn.Sequential(shared, T.nn.Module(), shared)
        net[1].tied = shared.weight
        return list(net.state_dict()), len(list(net.parameters()))
    same(fn)


def test_state_dict_hooks():
    def fn(T):
        log = []
        net = model(T)
        net.block.register_state_dict_pre_hook(lambda m, prefix, keep_vars: log.append(("pre", prefix, keep_vars)))
        net.block.register_state_dict_post_hook(lambda m, sd, prefix, meta: log.append(("post", prefix, len(sd),
                                                                                        dict(meta))))
        sd = net.state_dict(keep_vars=True)
        return log, list(sd)
    same(fn)

    def public_must_return_none(T):
        net = model(T)
        net.head.register_state_dict_post_hook(lambda m, sd, prefix, meta: {})
        net.state_dict()
    same(public_must_return_none)

    def private_root_and_child(T):
        net = model(T)
        net.head._register_state_dict_hook(lambda m, sd, prefix, meta: {"child": 1})   # ignored at a child
        net._register_state_dict_hook(lambda m, sd, prefix, meta: OrderedDict(root=len(sd)))
        return net.state_dict()
    same(private_root_and_child)

    def same_fn_both(T):
        def hook(m, sd, prefix, meta):
            return None
        net = model(T)
        net.register_state_dict_post_hook(hook)
        net._register_state_dict_hook(hook)
    same(same_fn_both)


def extra_cls(T):
    class WithExtra(T.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = T.nn.Parameter(T.ones(2))
            self.state = {"step": 3}

        def get_extra_state(self):
            return dict(self.state)

        def set_extra_state(self, state):
            self.state = state
    return WithExtra


def test_extra_state():
    def fn(T):
        net = T.nn.Sequential(extra_cls(T)())
        sd = net.state_dict()
        other = T.nn.Sequential(extra_cls(T)())
        sd["0._extra_state"] = {"step": 9}
        res = other.load_state_dict(sd)
        return list(sd), sd["0._extra_state"], other[0].state, repr(res)
    same(fn)
    same(lambda T: T.nn.Sequential(extra_cls(T)()).load_state_dict({"0.w": T.ones(2)}))

    def unexpected_extra(T):
        return Lin(T)(2, 2).load_state_dict({"weight": T.ones(2, 2), "bias": T.ones(2), "_extra_state": 1},
                                            strict=False)
    same(unexpected_extra)


# ---- §9 load_state_dict --------------------------------------------------------------------------------

def test_round_trip_in_place():
    def fn(T):
        src, dst = model(T), model(T)
        with T.no_grad():
            for p in src.parameters():
                p.mul_(-2)
            src.scale.fill_(4)
        w = dst.head.weight
        res = dst.load_state_dict(src.state_dict())
        with T.no_grad():
            src.head.weight.add_(100)      # the model does not alias the source
        return (repr(res), str(res), res == ([], []), res.missing_keys, type(res).__name__,
                type(res).__mro__[1].__name__, type(res)._fields, w is dst.head.weight, dst.head.weight,
                dst.scale, dst.head.weight.requires_grad)
    same(fn)


def test_dtype_and_requires_grad_kept():
    def fn(T):
        m = Lin(T)(2, 2)
        m.bias.requires_grad_(False)
        m.load_state_dict({"weight": T.ones(2, 2, dtype=T.float64), "bias": T.zeros(2, dtype=T.float64)})
        return m.weight.dtype, m.weight, m.bias.requires_grad, m.weight.is_leaf
    same(fn)


def test_not_a_mapping():
    same(lambda T: Lin(T)(2, 2).load_state_dict("weights.pth"))
    same(lambda T: Lin(T)(2, 2).load_state_dict([("weight", T.ones(2, 2))]))


def test_missing_and_unexpected_messages():
    def fn(T):
        sd = model(T).state_dict()
        del sd["head.bias"], sd["block.0.weight"]
        sd["extra"] = T.ones(1)
        sd["block.5.weight"] = T.ones(1)
        sd["block.0.extra"] = T.ones(1)
        sd["cache"] = T.ones(2)              # non-persistent buffers are unexpected
        model(T).load_state_dict(sd)
    same(fn)

    def non_strict(T):
        sd = model(T).state_dict()
        del sd["head.bias"]
        sd["extra"] = T.ones(1)
        res = model(T).load_state_dict(sd, strict=False)
        return repr(res), res.missing_keys, res.unexpected_keys
    same(non_strict)


def test_size_mismatch_raises_even_non_strict():
    def fn(T):
        sd = model(T).state_dict()
        sd["head.weight"] = T.ones(5, 5)
        sd["extra"] = T.ones(1)
        model(T).load_state_dict(sd, strict=False)
    same(fn)

    def strict(T):
        sd = model(T).state_dict()
        sd["head.weight"] = T.ones(5, 5)
        del sd["head.bias"]
        model(T).load_state_dict(sd)
    same(strict)


def test_non_tensor_value_error():
    def fn(T):
        sd = model(T).state_dict()
        sd["head.bias"] = [1.0, 2.0]
        model(T).load_state_dict(sd, strict=False)
    same(fn)


def test_scalar_from_one_element_vector():
    def fn(T):
        m = T.nn.Module()
        m.s = T.nn.Parameter(T.tensor(1.0))
        m.load_state_dict({"s": T.tensor([5.0])})
        return m.s
    same(fn)


def test_none_parameter_key_is_unexpected():
    def fn(T):
        m = Lin(T)(2, 2, bias=False)
        m.load_state_dict({"weight": T.ones(2, 2), "bias": T.ones(2)})
    same(fn)


def test_assign():
    def fn(T):
        m = Lin(T)(2, 2)
        m.bias.requires_grad_(False)
        w = T.ones(2, 2, dtype=T.float64)
        b = T.nn.Parameter(T.zeros(2))
        m.load_state_dict({"weight": w, "bias": b}, assign=True)
        with T.no_grad():
            w.add_(1)       # assigned: the module now holds w's memory
        return (type(m.weight).__name__, m.weight.dtype, m.weight, m.weight.requires_grad, m.bias is b,
                m.bias.requires_grad)
    same(fn)


def test_batchnorm_like_bc_fill_from_plain_dict():
    def fn(T):
        sd = model(T).state_dict()
        plain = {k: v for k, v in sd.items() if not k.endswith("num_batches_tracked")}
        res_plain = model(T).load_state_dict(plain)                  # no _metadata: version None: filled
        with_meta = OrderedDict(plain)
        with_meta._metadata = sd._metadata                            # version 2 recorded: missing
        try:
            model(T).load_state_dict(with_meta)
        except RuntimeError as exc:
            return repr(res_plain), str(exc)
    same(fn)


def test_load_hooks():
    def fn(T):
        log = []
        net = model(T)

        def rename(module, sd, prefix, meta, strict, missing, unexpected, errors):
            log.append(("pre", type(module).__name__, prefix, strict, sorted(sd)[:2]))
            old = prefix + "old_w"
            if old in sd:
                sd[prefix + "weight"] = sd.pop(old)

        net.head.register_load_state_dict_pre_hook(rename)
        net.block.register_load_state_dict_post_hook(lambda m, keys: log.append(("post:block", list(keys[0]))))
        net.register_load_state_dict_post_hook(lambda m, keys: log.append(("post:root", list(keys.unexpected_keys))))
        sd = net.state_dict()
        sd["head.old_w"] = sd.pop("head.weight") * 0 + 3
        net.load_state_dict(sd)
        return log, net.head.weight
    same(fn)

    def clearing_lists_makes_strict_pass(T):
        net = model(T)

        def forgive(m, keys):
            keys.missing_keys.clear()
            keys.unexpected_keys.clear()
        net.register_load_state_dict_post_hook(forgive)
        return repr(net.load_state_dict({"junk": T.ones(1)}))
    same(clearing_lists_makes_strict_pass)

    def post_returning_value(T):
        net = model(T)
        net.register_load_state_dict_post_hook(lambda m, keys: keys)
        net.load_state_dict(net.state_dict())
    same(post_returning_value)

    def private_pre_hook_without_module(T):
        log = []
        net = model(T)
        net._register_load_state_dict_pre_hook(lambda sd, prefix, *rest: log.append((prefix, len(rest))))
        net.load_state_dict(net.state_dict())
        return log
    same(private_pre_hook_without_module)


def test_override_load_from_state_dict_order_and_strict_flag():
    def fn(T):
        log = []

        class Spy(T.nn.Module):
            def __init__(self, child=None):
                super().__init__()
                self.w = T.nn.Parameter(T.ones(1))
                if child is not None:
                    self.child = child

            def _load_from_state_dict(self, sd, prefix, meta, strict, missing, unexpected, errors):
                log.append((prefix, strict, sorted(sd), dict(meta)))
                super()._load_from_state_dict(sd, prefix, meta, strict, missing, unexpected, errors)
        net = Spy(Spy(Spy()))
        net.load_state_dict(net.state_dict(), strict=False)
        return log
    same(fn)


def test_save_and_reload_through_file(tmp_path):
    # the "done means" flow: save state_dict(), load it into a fresh model, same outputs
    for T in (torch, ember):
        net = model(T)
        with T.no_grad():
            net.head.weight.mul_(3)
        path = tmp_path / f"{T.__name__}.pth"
        T.save(net.state_dict(), path)
        fresh = model(T)
        res = fresh.load_state_dict(T.load(path))
        assert repr(res) == "<All keys matched successfully>"
        np.testing.assert_allclose(fresh.head.weight.detach().numpy(), net.head.weight.detach().numpy())
    # and across libraries: torch reads ember's file and vice versa
    ember.save(model(ember).state_dict(), tmp_path / "e.pth")
    t_model = model(torch)
    t_model.load_state_dict(torch.load(tmp_path / "e.pth"))
    torch.save(t_model.state_dict(), tmp_path / "t.pth")
    e_model = model(ember)
    e_model.load_state_dict(ember.load(tmp_path / "t.pth"))
    np.testing.assert_allclose(e_model.head.weight.detach().numpy(), t_model.head.weight.detach().numpy())


def test_best_model_snapshot_needs_deepcopy():
    def fn(T):
        net = Lin(T)(2, 2)
        alias = net.state_dict()
        best = copy.deepcopy(net.state_dict())
        with T.no_grad():
            net.weight.zero_()
        net.load_state_dict(best)
        return alias["weight"], net.weight
    same(fn)


def test_det_data_is_nontrivial():
    assert not np.allclose(det(ember, 3, 3).numpy(), 0)
    with pytest.raises(AssertionError):
        same(lambda T: model(T).state_dict() if T is torch else Lin(T)(2, 2).state_dict())
