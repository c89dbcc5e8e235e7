"""MODULE-SPEC §11-13: train/eval, to/float/double/type/..., apply, zero_grad, requires_grad_, freezing,
deepcopy and pickling of modules."""
import copy
import pickle

import pytest
import torch

import ember
from test_module_helpers import Lin, det, same


def net(T):
    n = T.nn.Sequential(Lin(T)(3, 4), T.nn.Sequential(Lin(T)(4, 2, seed=2)))
    n.register_buffer("count", T.tensor(3, dtype=T.long))
    n.register_buffer("stat", T.zeros(2))
    return n


# ---- §11 train / eval ----------------------------------------------------------------------------------

def test_train_eval_recurse_and_return_self():
    def fn(T):
        n = net(T)
        r1 = n.eval() is n
        modes = [m.training for m in n.modules()]
        n[1].train()
        modes2 = [m.training for m in n.modules()]
        r2 = n.train(False) is n
        out = n(det(T, 1, 3).requires_grad_())
        return r1, modes, modes2, r2, out.requires_grad, out.grad_fn is not None
    same(fn)
    same(lambda T: net(T).train("yes"))
    same(lambda T: net(T).train(1))


# ---- §12 device and dtype ------------------------------------------------------------------------------

@pytest.mark.parametrize("how", ["to_dtype", "double", "to_kw", "to_tensor", "to_device_dtype", "half",
                                 "bfloat16", "float"])
def test_conversion_in_place_keeps_identity(how):
    def fn(T):
        n = net(T)
        w = n[0].weight
        n(det(T, 2, 3)).sum().backward()
        g = w.grad
        count, stat = n.count, n.stat
        if how == "to_dtype":
            r = n.to(T.float64)
        elif how == "double":
            r = n.double()
        elif how == "to_kw":
            r = n.to(dtype=T.float64)
        elif how == "to_tensor":
            r = n.to(T.zeros(1, dtype=T.float64))
        elif how == "to_device_dtype":
            r = n.to("cpu", T.float64)
        elif how == "half":
            r = n.half()
        elif how == "bfloat16":
            r = n.bfloat16()
        else:
            n.double()
            r = n.float()
        return (r is n, n[0].weight is w, n[0].weight.grad is g, w.dtype, g.dtype, type(w).__name__,
                w.requires_grad, w.is_leaf, n.count.dtype, n.count is count, n.stat is stat, n.stat.dtype,
                [p.dtype for p in n.parameters()])
    same(fn)


def test_optimizer_built_before_conversion_keeps_working():
    def fn(T):
        n = net(T)
        opt = T.optim.SGD(n.parameters(), lr=0.1)
        n.double()
        x = det(T, 2, 3, dtype="float64")
        n(x).sum().backward()
        opt.step()
        return [p for p in n.parameters()]
    same(fn)


def test_to_rejects_integer_dtype_and_type_converts_everything():
    same(lambda T: net(T).to(T.int64))
    same(lambda T: net(T).to(T.long))

    def type_all(T):
        n = net(T)
        r = n.type(T.float64)
        return r is n, n.count.dtype, n.stat.dtype, n[0].weight.dtype

    same(type_all)


def test_cpu_and_device_noops():
    def fn(T):
        n = net(T)
        w = n[0].weight
        return n.cpu() is n, n.to("cpu") is n, n.to(T.device("cpu")) is n, n[0].weight is w, str(w.device), \
            w.device == T.device("cpu"), n.share_memory() is n
    same(fn)


def test_tensor_to_is_not_in_place():
    def fn(T):
        t = T.ones(2)
        return (t.to("cpu") is t, t.to(t.dtype) is t, t.float() is t, t.to(T.float64) is t, t.dtype,
                t.double().dtype)
    same(fn)


def test_to_empty():
    def fn(T):
        n = net(T)
        w = n[0].weight
        r = n.to_empty(device="cpu")
        return r is n, n[0].weight is w, n[0].weight.shape, n.count.dtype, n.stat.shape
    same(fn)


# ---- §13 apply / zero_grad / requires_grad_ / freezing -------------------------------------------------

def test_apply_is_post_order():
    def fn(T):
        n = net(T)
        order = []
        r = n.apply(lambda m: order.append(type(m).__name__))
        return order, r is n
    same(fn)


def test_apply_weights_init():
    def fn(T):
        n = net(T)

        def weights_init(m):
            if type(m).__name__ == "Lin":
                T.nn.init.constant_(m.weight, 0.5)
                T.nn.init.zeros_(m.bias)
        n.apply(weights_init)
        return [p for p in n.parameters()], [p.is_leaf for p in n.parameters()]
    same(fn)


def test_zero_grad():
    def fn(T):
        n = net(T)
        n(det(T, 2, 3)).sum().backward()
        g = n[0].weight.grad
        r = n.zero_grad(set_to_none=False)
        kept = n[0].weight.grad is g
        zeros = [p.grad for p in n.parameters()]
        n(det(T, 2, 3)).sum().backward()
        r2 = n.zero_grad()
        return r, kept, zeros, r2, [p.grad for p in n.parameters()]
    same(fn)

    def grad_with_graph(T):
        n = Lin(T)(2, 2)
        n.weight.grad = (T.ones(2, 2, requires_grad=True) * 2)
        n.zero_grad(set_to_none=False)
        return n.weight.grad, n.weight.grad.requires_grad, n.weight.grad.grad_fn is None
    same(grad_with_graph)


def test_requires_grad_and_freezing_by_name():
    def fn(T):
        n = T.nn.Sequential()
        n.add_module("conv1", Lin(T)(3, 3))
        n.add_module("fc", Lin(T)(3, 2, seed=4))
        n.register_buffer("b", T.zeros(1))
        r = n.requires_grad_(False) is n
        n.requires_grad_()
        for name, p in n.named_parameters():
            if "conv" in name:
                p.requires_grad = False
        x = det(T, 2, 3).requires_grad_()
        n(x).sum().backward()
        return (r, [(k, p.requires_grad) for k, p in n.named_parameters()], n.conv1.weight.grad,
                n.fc.weight.grad, x.grad, n.b.requires_grad)
    same(fn)


def test_freeze_then_train_rest_with_optimizer():
    def fn(T):
        n = T.nn.Sequential()
        n.add_module("conv", Lin(T)(3, 3))
        n.add_module("fc", Lin(T)(3, 2, seed=4))
        for name, p in n.named_parameters():
            if "conv" in name:
                p.requires_grad = False
        opt = T.optim.SGD(n.parameters(), lr=0.1, momentum=0.9, weight_decay=0.1)
        for _ in range(2):
            opt.zero_grad()
            n(det(T, 4, 3)).pow(2).mean().backward()
            opt.step()
        return list(n.parameters())
    same(fn)


def test_replacing_a_layer_keeps_position():
    def fn(T):
        n = T.nn.Sequential()
        n.add_module("body", Lin(T)(3, 3))
        n.add_module("fc", Lin(T)(3, 2))
        n.add_module("tail", T.nn.Sequential())
        n.fc = Lin(T)(3, 5, seed=8)
        return list(n._modules), list(n.state_dict()), repr(n)
    same(fn)


# ---- deepcopy / pickle ---------------------------------------------------------------------------------

def test_deepcopy_module():
    def fn(T):
        n = net(T)
        log = []
        n.register_forward_hook(lambda m, a, o: log.append("hook"))
        n(det(T, 2, 3)).sum().backward()
        c = copy.deepcopy(n)
        with T.no_grad():
            n[0].weight.add_(1)
        c(det(T, 2, 3))
        return (c[0].weight, c[0].weight is n[0].weight, type(c[0].weight).__name__, c[0].weight.requires_grad,
                c[0].weight.grad, c.count, log, list(c.state_dict()), repr(c))
    same(fn)


class PickleNetTorch(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(det(torch, 2, 3))
        self.register_buffer("count", torch.tensor(3))
        self.inner = torch.nn.Sequential(torch.nn.Module())

    def forward(self, x):
        return x @ self.w.t()


class PickleNetEmber(ember.nn.Module):
    def __init__(self):
        super().__init__()
        self.w = ember.nn.Parameter(det(ember, 2, 3))
        self.register_buffer("count", ember.tensor(3))
        self.inner = ember.nn.Sequential(ember.nn.Module())

    def forward(self, x):
        return x @ self.w.t()


@pytest.mark.parametrize("T,cls", [(torch, PickleNetTorch), (ember, PickleNetEmber)])
def test_pickle_module_round_trip(T, cls):
    n = cls()
    n.eval()
    n.register_forward_hook(_module_level_hook)
    c = pickle.loads(pickle.dumps(n))
    assert repr(c) == repr(n) and not c.training and not c.inner.training
    assert list(c.state_dict()) == list(n.state_dict()) == ["w", "count"]
    assert type(c.w) is type(n.w) and c.w.requires_grad and c.w is not n.w
    assert (c.w.detach().numpy() == n.w.detach().numpy()).all() and c.count.item() == 3
    assert c(det(T, 1, 3)).shape == (1, 2) and len(c._forward_hooks) == 1


def _module_level_hook(module, args, output):
    return None


def test_setstate_fills_missing_hook_dicts():
    n = net(ember)
    state = n.__getstate__()
    for k in ("_forward_hooks_always_called", "_state_dict_pre_hooks", "_backward_pre_hooks"):
        del state[k]
    m = ember.nn.Module.__new__(type(n))
    m.__setstate__(state)
    assert m(det(ember, 1, 3)).shape == (1, 2)
    assert len(m._forward_hooks_always_called) == 0 and len(m._state_dict_pre_hooks) == 0
