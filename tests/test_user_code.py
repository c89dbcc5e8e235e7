"""Ordinary PyTorch user code, run with ember and with torch (``lib`` is the module), results compared."""
import io
import os

import numpy as np
import pytest
import torch

import ember
from helpers import assert_same, to_numpy


def run_both(fn, *args):
    return fn(ember, *args), fn(torch, *args)


def _copy_weights(src_model, dst_model):
    """Copy parameters and buffers from a torch model into an ember model (or the reverse) by name."""
    dst = dict(dst_model.named_parameters())
    dst.update(dict(dst_model.named_buffers()))
    for name, value in list(src_model.named_parameters()) + list(src_model.named_buffers()):
        arr = to_numpy(value)
        with (ember.no_grad() if isinstance(dst[name], ember.Tensor) else torch.no_grad()):
            if isinstance(dst[name], ember.Tensor):
                dst[name].copy_(ember.tensor(arr, dtype=dst[name].dtype))
            else:
                dst[name].copy_(torch.tensor(arr, dtype=dst[name].dtype))


def make_mlp(lib):
    nn = lib.nn

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(20, 32)
            self.bn = nn.BatchNorm1d(32)
            self.drop = nn.Dropout(0.0)
            self.fc2 = nn.Linear(32, 5)

        def forward(self, x):
            x = lib.relu(self.bn(self.fc1(x)))
            return self.fc2(self.drop(x))
    return MLP()


def test_training_loop_matches_torch():
    rng = np.random.default_rng(0)
    xs = rng.standard_normal((64, 20)).astype(np.float32)
    ys = rng.integers(0, 5, 64)
    te, tt = make_mlp(ember), make_mlp(torch)
    _copy_weights(tt, te)

    def train(lib, model):
        opt = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
        sched = lib.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
        crit = lib.nn.CrossEntropyLoss()
        losses = []
        model.train()
        for epoch in range(6):
            for i in range(0, 64, 16):
                x = lib.from_numpy(xs[i:i + 16])
                y = lib.from_numpy(ys[i:i + 16])
                opt.zero_grad()
                out = model(x)
                loss = crit(out, y)
                loss.backward()
                lib.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                opt.step()
                losses.append(loss.item())
            sched.step()
        model.eval()
        with lib.no_grad():
            out = model(lib.from_numpy(xs))
            _, predicted = lib.max(out.data, 1)
            correct = (predicted == lib.from_numpy(ys)).sum().item()
        return losses, correct, out
    le, ce, oe = train(ember, te)
    lt, ct, ot = train(torch, tt)
    np.testing.assert_allclose(le, lt, rtol=1e-4, atol=1e-5)
    assert ce == ct
    assert_same(oe, ot, rtol=1e-4, atol=1e-4)


def test_state_dict_roundtrip_through_files(tmp_path):
    te, tt = make_mlp(ember), make_mlp(torch)
    path = os.path.join(tmp_path, "m.pth")
    torch.save(tt.state_dict(), path)
    te.load_state_dict(ember.load(path))
    x = np.random.default_rng(1).standard_normal((4, 20)).astype(np.float32)
    te.eval()
    tt.eval()
    with ember.no_grad(), torch.no_grad():
        assert_same(te(ember.from_numpy(x)), tt(torch.from_numpy(x)), rtol=1e-5, atol=1e-6)
    path2 = os.path.join(tmp_path, "e.pth")
    ember.save(te.state_dict(), path2)
    sd = torch.load(path2, weights_only=True)
    assert list(sd.keys()) == list(tt.state_dict().keys())
    tt.load_state_dict(sd)


def test_attention_style_code():
    def fn(lib):
        lib.manual_seed(0)
        T, C = 5, 8
        x = lib.from_numpy(np.arange(2 * T * C, dtype=np.float32).reshape(2, T, C) / 50)
        tril = lib.tril(lib.ones(T, T))
        wei = x @ x.transpose(-2, -1) * C ** -0.5
        wei = wei.masked_fill(tril[:T, :T] == 0, float("-inf"))
        wei = lib.nn.functional.softmax(wei, dim=-1)
        out = wei @ x
        return out, wei.sum(-1)
    e, t = run_both(fn)
    assert_same(e, t, rtol=1e-5, atol=1e-6)


def test_common_tensor_idioms():
    def fn(lib):
        x = lib.arange(24, dtype=lib.float32).view(2, 3, 4)
        r = [
            x.view(x.size(0), -1), lib.flatten(x, 1), x.permute(2, 0, 1).contiguous(), x.mean(dim=(1, 2)),
            x.max(dim=2).values, x.argmax(-1), lib.cat([x, x], dim=1), lib.stack([x, x]).shape,
            x.unsqueeze(1).expand(2, 5, 3, 4).sum(1), x[:, None, :, 1:3], x[x > 10], x.sum(-1, keepdim=True),
            lib.where(x > 5, x, lib.zeros_like(x)), x.clamp(min=3, max=20), x.chunk(2, dim=2)[1],
            x.new_zeros(3), lib.nn.functional.one_hot(lib.tensor([0, 2, 1]), num_classes=3),
            x.std(dim=1), x.var(unbiased=False), x.norm(dim=-1), lib.topk(x.view(-1), 3).indices,
            x.float().long().dtype, (x / 3).round(), x.T.shape if False else x.transpose(0, 2).shape,
            lib.einsum("bij,bkj->bik", x, x), x.softmax(-1).sum(-1), x.log_softmax(-1).exp().sum(-1),
            x.cumsum(-1), x.flip(0), x.roll(1, 2), lib.argsort(x[0, 0], descending=True),
            x.reshape(-1)[lib.tensor([1, 5, 7])], x.masked_fill(x < 3, -1.0), x.abs().sqrt(),
            lib.multinomial(lib.tensor([0.0, 0.0, 1.0]), 1), lib.tensor([[1, 2], [3, 4]]).tolist(),
        ]
        return r
    e, t = run_both(fn)
    for a, b in zip(e, t):
        if isinstance(b, torch.Tensor):
            assert_same(a, b, rtol=1e-5, atol=1e-5)
        elif isinstance(b, torch.dtype):
            assert str(a) == str(b)
        else:
            assert tuple(a) == tuple(b) if isinstance(b, torch.Size) else a == b


def test_scatter_gather_and_inplace_idioms():
    def fn(lib):
        idx = lib.tensor([[0, 1], [1, 0]])
        src = lib.ones(2, 2)
        z = lib.zeros(2, 3).scatter_(1, idx, src * 2)
        g = lib.gather(lib.arange(6.0).view(2, 3), 1, idx)
        w = lib.zeros(5)
        w.index_add_(0, lib.tensor([0, 0, 4]), lib.tensor([1.0, 2.0, 3.0]))
        v = lib.arange(6.0).view(2, 3)
        v[0] = 7
        v[:, -1] += 1
        v.mul_(2).add_(1)
        return z, g, w, v
    e, t = run_both(fn)
    assert_same(e, t)


def test_buffers_and_register_buffer():
    def fn(lib):
        nn = lib.nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.register_buffer("mask", lib.tril(lib.ones(3, 3)))
                self.register_buffer("tmp", lib.zeros(1), persistent=False)
                self.proj = nn.Linear(3, 3, bias=False)

            def forward(self, x):
                return self.proj(x) * self.mask
        n = Net()
        return list(n.state_dict().keys()), [k for k, _ in n.named_buffers()], str(n)
    e, t = run_both(fn)
    assert e == t


def test_print_model_repr():
    def fn(lib):
        nn = lib.nn
        m = nn.Sequential(nn.Conv2d(3, 8, 3, stride=2, padding=1), nn.BatchNorm2d(8), nn.ReLU(inplace=True),
                          nn.MaxPool2d(2), nn.Flatten(), nn.Linear(32, 10), nn.Dropout(p=0.5),
                          nn.ModuleList([nn.Linear(2, 2) for _ in range(3)]))
        return repr(m)
    e, t = run_both(fn)
    assert e == t


def test_save_load_to_buffer_and_optimizer_state():
    te, tt = make_mlp(ember), make_mlp(torch)
    _copy_weights(tt, te)
    opt_t = torch.optim.Adam(tt.parameters(), lr=1e-3)
    x = torch.randn(8, 20)
    tt(x).sum().backward()
    opt_t.step()
    buf = io.BytesIO()
    torch.save({"model": tt.state_dict(), "opt": opt_t.state_dict(), "epoch": 3}, buf)
    buf.seek(0)
    ckpt = ember.load(buf)
    te.load_state_dict(ckpt["model"])
    opt_e = ember.optim.Adam(te.parameters(), lr=1e-3)
    opt_e.load_state_dict(ckpt["opt"])
    assert ckpt["epoch"] == 3
    assert opt_e.state_dict()["param_groups"][0]["lr"] == 1e-3
