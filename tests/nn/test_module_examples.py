"""The examples users meet first (issue 3 "done means"), on ember's real layers, compared with torch."""
import numpy as np
import pytest
import torch

import ember
from helpers import to_ember
from test_module_helpers import det, same


def copy_weights(e_model, t_model):
    """Load torch's state into the ember model (the initialisations draw different random numbers)."""
    res = e_model.load_state_dict({k: to_ember(v) for k, v in t_model.state_dict().items()})
    assert repr(res) == "<All keys matched successfully>"


def custom_net(T):
    class CustomNet(T.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = T.nn.Linear(10, 5)
            self.act = T.nn.ReLU()
            self.fc2 = T.nn.Linear(5, 2)

        def forward(self, x):
            return self.fc2(self.act(self.fc1(x)))   # (B, 10) -> (B, 5) -> (B, 2)
    return CustomNet()


def test_custom_net_forward_backward():
    t_model, e_model = custom_net(torch), custom_net(ember)
    copy_weights(e_model, t_model)
    assert repr(e_model) == repr(t_model)
    assert [n for n, _ in e_model.named_parameters()] == [n for n, _ in t_model.named_parameters()]
    x = det(torch, 4, 10)
    t_out = t_model(x)
    e_out = e_model(to_ember(x))
    np.testing.assert_allclose(e_out.detach().numpy(), t_out.detach().numpy(), rtol=1e-5, atol=1e-6)
    t_out.pow(2).sum().backward()
    e_out.pow(2).sum().backward()
    for (n, tp), ep in zip(t_model.named_parameters(), e_model.parameters()):
        np.testing.assert_allclose(ep.grad.numpy(), tp.grad.numpy(), rtol=1e-5, atol=1e-6, err_msg=n)


def conv_net(T):
    return T.nn.Sequential(T.nn.Conv2d(3, 64, 3), T.nn.ReLU(), T.nn.Conv2d(64, 64, 3, bias=False),
                           T.nn.Flatten(), T.nn.Linear(64, 2))


def test_apply_weights_init_on_conv_layers():
    stats = {}
    for T in (torch, ember):
        model = conv_net(T)
        visited = []

        def weights_init(m):
            visited.append(type(m).__name__)
            if isinstance(m, T.nn.Conv2d):
                T.nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                if m.bias is not None:
                    T.nn.init.zeros_(m.bias)
        assert model.apply(weights_init) is model
        w = model[2].weight.detach().numpy()
        stats[T.__name__] = (visited, float(w.std()), model[0].bias.abs().sum().item(),
                             model[0].weight.is_leaf, model[0].weight.requires_grad, model[4].bias.abs().sum().item() > 0)
    t, e = stats["torch"], stats["ember"]
    assert e[0] == t[0] == ["Conv2d", "ReLU", "Conv2d", "Flatten", "Linear", "Sequential"]
    expected_std = np.sqrt(2 / (64 * 9))          # fan_out = 64 * 3 * 3, relu gain sqrt(2)
    assert abs(e[1] - expected_std) / expected_std < 0.05 and abs(t[1] - expected_std) / expected_std < 0.05
    assert e[2:] == t[2:] == (0.0, True, True, True)


def test_save_and_reload_state_dict(tmp_path):
    model = custom_net(ember)
    ember.save(model.state_dict(), tmp_path / "model.pth")
    fresh = custom_net(ember)
    res = fresh.load_state_dict(ember.load(tmp_path / "model.pth"))
    assert repr(res) == "<All keys matched successfully>"
    for a, b in zip(fresh.parameters(), model.parameters()):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    t_model = custom_net(torch)          # torch reads the file ember wrote
    t_model.load_state_dict(torch.load(tmp_path / "model.pth"))
    np.testing.assert_array_equal(t_model.fc1.weight.detach().numpy(), model.fc1.weight.detach().numpy())


def test_freeze_conv_and_train_the_rest():
    def build(T):
        class Net(T.nn.Module):
            def __init__(self):
                super().__init__()
                self.conv1 = T.nn.Conv2d(1, 2, 3)
                self.conv2 = T.nn.Conv2d(2, 2, 3)
                self.fc = T.nn.Linear(2, 3)

            def forward(self, x):
                x = self.conv2(self.conv1(x).relu())          # (B, 2, 1, 1)
                return self.fc(x.flatten(1))                   # (B, 3)
        return Net()
    t_model, e_model = build(torch), build(ember)
    copy_weights(e_model, t_model)
    x = det(torch, 4, 1, 5, 5)
    results = {}
    for T, model, inp in ((torch, t_model, x), (ember, e_model, to_ember(x))):
        for name, p in model.named_parameters():
            if "conv" in name:
                p.requires_grad = False
        opt = T.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        for _ in range(3):
            opt.zero_grad()
            model(inp).pow(2).mean().backward()
            opt.step()
        results[T.__name__] = {n: (p.detach().numpy().copy(), p.grad is None) for n, p in model.named_parameters()}
    for name, (tv, t_none) in results["torch"].items():
        ev, e_none = results["ember"][name]
        assert e_none == t_none == ("conv" in name), name
        np.testing.assert_allclose(ev, tv, rtol=1e-5, atol=1e-6, err_msg=name)


def test_replace_relu_with_leaky_relu_through_parent():
    def fn(T):
        model = T.nn.Sequential(T.nn.Linear(3, 3), T.nn.ReLU(),
                                T.nn.Sequential(T.nn.Linear(3, 3), T.nn.ReLU()))
        for child in model.children():           # rebinding a local name changes nothing
            if isinstance(child, T.nn.ReLU):
                child = T.nn.LeakyReLU(0.1)
        before = repr(model)

        def replace(parent):
            for name, child in parent.named_children():
                if isinstance(child, T.nn.ReLU):
                    setattr(parent, name, T.nn.LeakyReLU(0.1))
                else:
                    replace(child)
        replace(model)
        return before, repr(model), [type(m).__name__ for m in model.modules()]
    same(fn)


def test_linear_module_repr_and_state():
    same(lambda T: (repr(T.nn.Linear(3, 4)), list(T.nn.Linear(3, 4).state_dict()),
                    repr(T.nn.Sequential(T.nn.Linear(2, 2), T.nn.Dropout(0.1))),
                    repr(T.nn.ModuleList([T.nn.Linear(2, 2) for _ in range(3)]))))


@pytest.mark.parametrize("how", ["double", "to"])
def test_real_layers_convert_in_place(how):
    def fn(T):
        m = T.nn.Sequential(T.nn.Linear(3, 2), T.nn.BatchNorm1d(2))
        w = m[0].weight
        (m.double() if how == "double" else m.to(T.float64))
        return (m[0].weight is w, w.dtype, m[1].running_mean.dtype, m[1].num_batches_tracked.dtype,
                list(m.state_dict()), dict(m.state_dict()._metadata))
    same(fn)


def test_classic_user_errors():
    same(lambda T: T.nn.Linear(2, 5)(T.ones(4, 3)))
    same(lambda T: T.nn.Conv2d(3, 4, 3)(T.ones(1, 2, 8, 8)))


def test_cuda_without_gpu_is_a_clear_error():
    try:
        import cupy  # noqa: F401
        has_cupy = True
    except ImportError:
        has_cupy = False
    if has_cupy:
        return   # a GPU machine: nothing to check here (the device tests cover it)
    m = ember.nn.Linear(2, 2)
    w = m.weight
    for move in (lambda: m.to("cuda"), lambda: m.cuda(), lambda: m.to(ember.device("cuda:0"))):
        with pytest.raises(RuntimeError, match="CuPy"):
            move()
    assert m.weight is w and m.weight.device.type == "cpu"


def test_to_non_blocking_forms():
    def fn(T):
        m = T.nn.Linear(2, 2)
        r1 = m.to("cpu", non_blocking=True) is m
        r2 = m.to(T.float64, non_blocking=True) is m
        d = m.weight.dtype
        r3 = m.to("cpu", T.float32, True) is m
        return r1, r2, d, r3, m.weight.dtype
    same(fn)
