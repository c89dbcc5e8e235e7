"""Sweep of ordinary model / training / data code, run as source snippets under ``import torch`` and under
``import ember as torch``: printed output, results, errors and warnings must match.

Each snippet sees ``torch`` (the library under test) and ``np``; it prints and/or sets ``R``.  Snippets avoid
random values (seeded generators differ between the libraries) unless only shapes or lengths are compared.
"""
import contextlib
import io
import warnings

import numpy as np
import pytest
import torch

import ember


def _norm(v):
    """A value both libraries' results can be compared as: tensors become (dtype, shape, values, grad)."""
    if isinstance(v, (torch.Tensor, ember.Tensor)):
        a = v.detach()
        a = a.float() if str(a.dtype).endswith("bfloat16") else a
        return ("T", str(v.dtype).replace("ember.", "torch."), tuple(v.shape), np.asarray(a.numpy()).tolist(),
                v.requires_grad)
    if isinstance(v, (list, tuple)):
        return type(v).__name__, [_norm(x) for x in v]
    if isinstance(v, dict):
        return type(v).__name__, {k: _norm(x) for k, x in v.items()}
    if isinstance(v, (torch.dtype, ember.dtype, torch.Size, ember.Size)):
        return str(v).replace("ember.", "torch.")
    if isinstance(v, float):
        return round(v, 6)
    return v


def run_snippet(src, lib):
    out = io.StringIO()
    env = {"torch": lib, "np": np}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with contextlib.redirect_stdout(out):
                exec(src, env)
            res = _norm(env.get("R"))
        except Exception as e:  # noqa: BLE001 - the error is part of what is compared
            res = ("raised", type(e).__name__, str(e).split("\n")[0])
    msgs = [(w.category.__name__, str(w.message).split(" (Triggered internally")[0]) for w in caught]
    return out.getvalue(), res, msgs


def check(src):
    got, want = run_snippet(src, ember), run_snippet(src, torch)
    assert got[0] == want[0], "printed output differs"
    assert got[1] == want[1]
    assert got[2] == want[2], "warnings differ"


MODEL = {
    "sequential_ordereddict": """
from collections import OrderedDict
nn = torch.nn
m = nn.Sequential(OrderedDict([('fc1', nn.Linear(4, 8)), ('act', nn.ReLU()), ('fc2', nn.Linear(8, 2))]))
print(m)
R = list(m.state_dict().keys()), [n for n, _ in m.named_modules()], sum(p.numel() for p in m.parameters())
""",
    "sequential_slicing": """
nn = torch.nn
m = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.5), nn.Linear(8, 2), nn.Softmax(dim=1))
print(m); print(m[0]); print(m[1:]); print(m[-1])
del m[2]; m[0] = nn.Linear(4, 8, bias=False); m.append(nn.Tanh()); print(m)
R = len(m), list(m.state_dict().keys())
""",
    "containers": """
nn = torch.nn
d = nn.ModuleDict({'a': nn.Linear(2, 2), 'b': nn.Conv2d(1, 2, 3)}); print(d)
l = nn.ModuleList([nn.Linear(2, 2) for _ in range(2)]); l.insert(0, nn.ReLU()); print(l)
pl = nn.ParameterList([nn.Parameter(torch.ones(2)), torch.zeros(3)]); print(pl)
pd = nn.ParameterDict({'w': nn.Parameter(torch.ones(2))}); print(pd)
R = list(d.keys()), 'a' in d, len(l), [n for n, _ in pl.named_parameters()], type(pl[1]).__name__
""",
    "custom_module": """
nn = torch.nn
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.bn = nn.BatchNorm2d(4)
        self.fc = nn.Linear(16, 10)
        self.register_buffer('steps', torch.zeros(1), persistent=False)
        self.register_buffer('const', torch.ones(1))
        self.layers = nn.ModuleList([nn.Linear(2, 2)])
    def extra_repr(self):
        return 'custom=1'
m = Net(); print(m)
R = (list(m.state_dict().keys()), [n for n, _ in m.named_buffers()], [n for n, _ in m.named_children()],
     [n for n, _ in m.named_modules(prefix='root')], [n for n, _ in m.named_parameters(recurse=False)])
""",
    "shared_submodule": """
nn = torch.nn
l = nn.Linear(2, 2); m = nn.Sequential(l, l)
R = (len(list(m.parameters())), [n for n, _ in m.named_modules()],
     [n for n, _ in m.named_modules(remove_duplicate=False)], list(m.state_dict().keys()))
""",
    "load_state_dict_results": """
nn = torch.nn
m = nn.Linear(3, 2)
r = m.load_state_dict({'weight': torch.zeros(2, 3), 'extra': torch.ones(1)}, strict=False); print(r)
r2 = m.load_state_dict({'weight': torch.ones(2, 3), 'bias': torch.ones(2)}); print(r2)
R = r.missing_keys, r.unexpected_keys, m.weight, m.bias
""",
    "load_state_dict_missing": "m = torch.nn.Linear(3, 2); m.load_state_dict({'weight': torch.zeros(2, 3)})",
    "load_state_dict_size": """
m = torch.nn.Linear(3, 2); m.load_state_dict({'weight': torch.zeros(3, 3), 'bias': torch.zeros(2)})""",
    "load_state_dict_prefix": """
m = torch.nn.Sequential(torch.nn.Linear(2, 2)); m.load_state_dict({'weight': torch.zeros(2, 2)})""",
    "load_state_dict_casts": """
m = torch.nn.Linear(2, 2)
m.load_state_dict({'weight': torch.ones(2, 2, dtype=torch.float64), 'bias': torch.zeros(2, dtype=torch.int64)})
R = m.weight, m.bias
""",
    "state_dict_shares_memory": """
m = torch.nn.Linear(2, 2); torch.nn.init.zeros_(m.weight); sd = m.state_dict(); sd['weight'][0, 0] = 100.
R = m.weight[0, 0].item(), sd['weight'].requires_grad, m.state_dict(keep_vars=True)['weight'].requires_grad
""",
    "train_eval_zero_grad": """
nn = torch.nn
m = nn.Sequential(nn.Linear(3, 2), nn.Dropout()); m.eval()
flags = m.training, m[1].training, m.train().training
m(torch.ones(1, 3)).sum().backward(); m.zero_grad(); g1 = m[0].weight.grad
m(torch.ones(1, 3)).sum().backward(); m.zero_grad(set_to_none=False); g2 = m[0].weight.grad
R = flags, g1, g2
""",
    "dtype_moves": """
m = torch.nn.Linear(3, 2).to(torch.float64)
R = m.weight.dtype, m(torch.ones(1, 3, dtype=torch.float64)).dtype, m.half().weight.dtype, m.float().bias.dtype
""",
    "dtype_mismatch": "m = torch.nn.Linear(3, 2); m(torch.ones(1, 3, dtype=torch.float64))",
    "shape_mismatch": "m = torch.nn.Linear(3, 2); m(torch.ones(1, 4))",
    "module_setattr_errors": """
m = torch.nn.Linear(2, 2); m.weight = torch.ones(2, 2)""",
    "module_no_init": """
class M(torch.nn.Module):
    def __init__(self):
        self.l = torch.nn.Linear(2, 2)
M()""",
    "module_attr_error": "m = torch.nn.Linear(2, 2); m.nothere",
    "register_buffer_clash": "m = torch.nn.Linear(2, 2); m.register_buffer('weight', torch.ones(1))",
    "register_parameter_tensor": "m = torch.nn.Linear(2, 2); m.register_parameter('p', torch.ones(1))",
    "layer_reprs": """
nn = torch.nn
for layer in [nn.Linear(3, 2, bias=False), nn.Conv2d(3, 8, kernel_size=3, stride=2, padding=1), nn.BatchNorm1d(10),
              nn.LayerNorm(5), nn.Embedding(10, 3, padding_idx=0), nn.LSTM(10, 20, num_layers=2, batch_first=True),
              nn.Dropout(p=0.3), nn.ReLU(inplace=True), nn.LeakyReLU(0.2), nn.GELU(), nn.Softmax(dim=-1),
              nn.Flatten(), nn.Identity(), nn.MaxPool2d(2, 2), nn.AdaptiveAvgPool2d((1, 1)), nn.CrossEntropyLoss(),
              nn.MSELoss(reduction='sum'), nn.ELU(alpha=0.5), nn.Hardtanh(-2, 2), nn.Softplus(beta=2), nn.PReLU(),
              nn.Unflatten(1, (2, 2)), nn.Bilinear(2, 3, 4), nn.MultiheadAttention(8, 2)]:
    print(layer)
""",
    "hooks": """
nn = torch.nn
m = nn.Linear(2, 2); torch.nn.init.ones_(m.weight); torch.nn.init.zeros_(m.bias); seen = []
h = m.register_forward_hook(lambda mod, inp, o: seen.append((type(inp).__name__, len(inp), tuple(o.shape))))
m(torch.ones(1, 2)); h.remove(); m(torch.ones(1, 2))
m.register_forward_pre_hook(lambda mod, inp: inp[0] * 3)
m.register_full_backward_hook(lambda mod, gi, go: seen.append((len(gi), len(go), tuple(go[0].shape))))
x = torch.ones(1, 2, requires_grad=True); y = m(x); y.sum().backward()
R = seen, y, x.grad
""",
    "losses_wrong_targets": """
nn = torch.nn
for fn in [lambda: nn.CrossEntropyLoss()(torch.ones(2, 3), torch.tensor([0, 3])),
           lambda: nn.CrossEntropyLoss()(torch.ones(2, 3), torch.tensor([0., 1.])),
           lambda: nn.NLLLoss()(torch.ones(2, 3), torch.tensor([0, 1], dtype=torch.int32)),
           lambda: nn.BCELoss()(torch.full((2,), 0.5), torch.tensor([0, 1])),
           lambda: nn.BCELoss()(torch.full((2,), 0.5), torch.tensor([0., 1.], dtype=torch.float64)),
           lambda: nn.BCELoss()(torch.full((2,), 0.5, dtype=torch.float64), torch.tensor([0., 1.])),
           lambda: nn.BCEWithLogitsLoss()(torch.full((2,), 0.5), torch.tensor([0, 1])),
           lambda: nn.KLDivLoss()(torch.full((2,), 0.5), torch.tensor([0, 1])),
           lambda: nn.Embedding(3, 2)(torch.tensor([3])),
           lambda: nn.Embedding(3, 2)(torch.tensor([1.0]))]:
    try:
        fn()
    except Exception as e:
        print(type(e).__name__, str(e).split(chr(10))[0])
""",
    "mse_broadcast_warning": "R = torch.nn.MSELoss()(torch.ones(2, 3), torch.ones(3))",
    "softmax_implicit_dim": "R = torch.nn.Softmax()(torch.ones(2, 3))",
    "dropout_edges": """
nn = torch.nn
R = nn.Dropout(1.0)(torch.ones(4)), nn.Dropout(0.0)(torch.ones(4)), nn.Dropout(0.5).eval()(torch.ones(4))
nn.Dropout(1.5)
""",
    "init_helpers": """
nn = torch.nn
w = torch.empty(3, 5, requires_grad=True); r = nn.init.xavier_uniform_(w)
R = (r is w, w.requires_grad, w.grad_fn, nn.init.calculate_gain('relu'), nn.init.calculate_gain('leaky_relu', 0.2),
     nn.init.calculate_gain('tanh'), nn.init.eye_(torch.empty(2, 3)), nn.init.constant_(torch.empty(2), 0.5))
nn.init.kaiming_normal_(torch.empty(2))
""",
}


@pytest.mark.parametrize("name", sorted(MODEL))
def test_model_code(name):
    check(MODEL[name])


TRAINING = {
    "steplr_loop": """
m = torch.nn.Linear(2, 1); opt = torch.optim.SGD(m.parameters(), lr=0.1)
sch = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5); lrs = []
for e in range(5):
    opt.zero_grad(); opt.step(); sch.step(); lrs.append(sch.get_last_lr())
R = lrs, opt.param_groups[0]['lr'], sorted(opt.param_groups[0].keys())
""",
    "scheduler_before_optimizer_warns": """
m = torch.nn.Linear(2, 1); opt = torch.optim.SGD(m.parameters(), lr=0.1)
sch = torch.optim.lr_scheduler.StepLR(opt, step_size=2); sch.step(); opt.step()
""",
    "optimizer_reprs": """
m = torch.nn.Linear(2, 1)
print(torch.optim.Adam(m.parameters(), lr=1e-3)); print(torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9))
opt = torch.optim.AdamW([{'params': m.weight}, {'params': m.bias, 'lr': 0.5}], lr=0.01); print(opt)
R = [g['lr'] for g in opt.param_groups]
""",
    "optimizer_bad_args": """
w = torch.ones(2, requires_grad=True)
for fn in [lambda: torch.optim.SGD([w]), lambda: torch.optim.SGD([w], lr=-1), lambda: torch.optim.SGD([], lr=0.1),
           lambda: torch.optim.SGD(w, lr=0.1), lambda: torch.optim.Adam([w], lr=0.1, betas=(1.5, 0.9)),
           lambda: torch.optim.SGD([w], lr=0.1, nesterov=True), lambda: torch.optim.SGD([torch.ones(2)], lr=0.1),
           lambda: torch.optim.SGD({w}, lr=0.1)]:
    try:
        fn()
    except Exception as e:
        print(type(e).__name__, str(e).split(chr(10))[0])
""",
    "optimizer_state_dict": """
w = torch.tensor([1.0, 2.0], requires_grad=True); opt = torch.optim.Adam([w], lr=0.1)
(w ** 2).sum().backward(); opt.step()
sd = opt.state_dict()
R = list(sd.keys()), sd['param_groups'], sorted(sd['state'][0].keys()), sd['state'][0]['step'], w
""",
    "optimizers_three_steps": """
for cls, kw in [(torch.optim.RMSprop, {}), (torch.optim.Adagrad, {}), (torch.optim.Adamax, {}),
                (torch.optim.NAdam, {}), (torch.optim.RAdam, {}), (torch.optim.AdamW, {'amsgrad': True}),
                (torch.optim.SGD, {'nesterov': True, 'momentum': 0.9})]:
    w = torch.tensor([1.0, 2.0], requires_grad=True); opt = cls([w], lr=0.1, **kw)
    for _ in range(3):
        opt.zero_grad(); (w ** 2).sum().backward(); opt.step()
    print(cls.__name__, [round(v, 5) for v in w.tolist()])
""",
    "schedulers": """
def run(make, n=8, metric=None):
    w = torch.ones(1, requires_grad=True); opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)
    sch = make(opt); out = []
    for _ in range(n):
        opt.step(); sch.step(metric) if metric is not None else sch.step()
        out.append(round(opt.param_groups[0]['lr'], 8))
    return out
S = torch.optim.lr_scheduler
print(run(lambda o: S.CosineAnnealingLR(o, T_max=5)))
print(run(lambda o: S.MultiStepLR(o, milestones=[2, 4], gamma=0.1)))
print(run(lambda o: S.LambdaLR(o, lambda e: 0.5 ** e)))
print(run(lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=8)))
print(run(lambda o: S.ReduceLROnPlateau(o, patience=1), metric=1.0))
print(run(lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.1, total_iters=3),
                                       S.CosineAnnealingLR(o, T_max=5)], milestones=[3])))
""",
    "onecycle_overrun": """
w = torch.ones(1, requires_grad=True); opt = torch.optim.SGD([w], lr=0.1)
sch = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=2)
for _ in range(3): opt.step(); sch.step()
""",
    "param_group_edits": """
w = torch.ones(1, requires_grad=True); opt = torch.optim.SGD([w], lr=0.1)
opt.param_groups[0]['lr'] = 0.01; sch = torch.optim.lr_scheduler.ExponentialLR(opt, 0.9)
opt.add_param_group({'params': [torch.ones(1, requires_grad=True)], 'lr': 0.2})
R = sch.get_last_lr(), sch.base_lrs, opt.param_groups[0].get('initial_lr'), len(opt.param_groups)
opt.add_param_group({'params': w})
""",
}


@pytest.mark.parametrize("name", sorted(TRAINING))
def test_training_code(name):
    check(TRAINING[name])


DATA = {
    "tensor_dataset_loader": """
data = torch.utils.data
ds = data.TensorDataset(torch.arange(10.).view(5, 2), torch.arange(5))
dl = data.DataLoader(ds, batch_size=2, drop_last=True)
R = len(ds), ds[0], ds[1:3], list(data.DataLoader(ds, batch_size=2)), len(dl), [x.shape for x, y in dl]
""",
    "tensor_dataset_mismatch": "torch.utils.data.TensorDataset(torch.ones(5, 2), torch.ones(4))",
    "random_split": """
data = torch.utils.data
a, b = data.random_split(data.TensorDataset(torch.arange(10)), [7, 3], generator=torch.Generator().manual_seed(42))
c, d, e = data.random_split(range(10), [0.5, 0.3, 0.2])
f, g = data.random_split(range(10), [0.33, 0.67])
R = len(a), len(b), type(a).__name__, sorted(a.indices + b.indices), len(c), len(d), len(e), len(f), len(g)
""",
    "random_split_bad": """
for lengths in ([5, 3], [0.5, 0.3]):
    try:
        torch.utils.data.random_split(range(10), lengths)
    except Exception as e:
        print(type(e).__name__, e)
""",
    "subset_concat": """
data = torch.utils.data
s = data.Subset(list(range(10)), [1, 3, 5]); c = data.ConcatDataset([s, [100, 200]])
R = len(c), [c[i] for i in range(len(c))], c[-1], c.cumulative_sizes
c[5]
""",
    "collate_structures": """
data = torch.utils.data
from collections import namedtuple
P = namedtuple('P', ['x', 'y'])
print(next(iter(data.DataLoader([{'x': torch.tensor([1., 2.]), 'y': 1, 'name': 'a'},
                                 {'x': torch.tensor([3., 4.]), 'y': 0, 'name': 'b'}], batch_size=2))))
print(next(iter(data.DataLoader([(np.array([1., 2.]), 1.5), (np.array([3., 4.]), 2.5)], batch_size=2))))
print(next(iter(data.DataLoader([(np.float32(1.5), np.int64(2), True), (np.float32(2.5), np.int64(3), False)],
                                batch_size=2))))
print(list(data.DataLoader([[1, 2], [3, 4], [5, 6]], batch_size=2)))
print(data.default_collate([P(1, 2.), P(3, 4.)]))
print(data.default_collate([torch.ones(2), torch.ones(2, dtype=torch.int64)]))
R = list(data.DataLoader(range(5), batch_size=None)), list(data.DataLoader(range(5), batch_size=2,
                                                                         collate_fn=lambda b: b))
""",
    "collate_ragged": "list(torch.utils.data.DataLoader([torch.ones(2), torch.ones(3)], batch_size=2))",
    "collate_mismatched_dicts": "torch.utils.data.default_collate([{'a': 1}, {'b': 2}])",
    "loader_options": """
data = torch.utils.data
dl = data.DataLoader(range(10), batch_size=3)
R = len(dl), dl.batch_size, dl.drop_last, type(dl.sampler).__name__, type(dl.batch_sampler).__name__
R2 = sorted(sum([b.tolist() for b in data.DataLoader(range(5), batch_size=2, shuffle=True,
                                                      generator=torch.Generator().manual_seed(0))], []))
print(R2)
data.DataLoader(range(5), batch_size=2, shuffle=True, sampler=[0, 1])
""",
    "iterable_dataset": """
data = torch.utils.data
class D(data.IterableDataset):
    def __iter__(self): return iter(range(5))
print(list(data.DataLoader(D(), batch_size=2)))
data.DataLoader(D(), batch_size=2, shuffle=True)
""",
    "samplers": """
data = torch.utils.data
R = (list(data.BatchSampler(data.SequentialSampler(range(5)), batch_size=2, drop_last=False)),
     len(data.RandomSampler(range(5))), len(data.WeightedRandomSampler([0.1, 0.9], 5)))
""",
    "save_load_roundtrip": """
import io
buf = io.BytesIO(); torch.save({'a': torch.ones(2), 'b': [1, 2], 'c': {'d': torch.arange(3)}, 'e': (1, 'x', None)}, buf)
buf.seek(0); print(torch.load(buf))
t = torch.arange(10); buf = io.BytesIO(); torch.save([t, t[2:5]], buf); buf.seek(0)
a, b = torch.load(buf); b[0] = 100
buf = io.BytesIO(); torch.save(torch.nn.Parameter(torch.ones(2)), buf); buf.seek(0); p = torch.load(buf)
R = a, b, type(p).__name__, p
""",
    "save_load_model_and_optimizer": """
import io
m = torch.nn.Linear(2, 2); torch.nn.init.ones_(m.weight)
opt = torch.optim.Adam(m.parameters()); m(torch.ones(1, 2)).sum().backward(); opt.step()
buf = io.BytesIO(); torch.save({'model': m.state_dict(), 'opt': opt.state_dict(), 'epoch': 3}, buf); buf.seek(0)
ck = torch.load(buf, weights_only=True)
m2 = torch.nn.Linear(2, 2); m2.load_state_dict(ck['model'])
opt2 = torch.optim.Adam(m2.parameters()); opt2.load_state_dict(ck['opt'])
R = type(ck['model']).__name__, list(ck['model'].keys()), ck['opt']['param_groups'], m2.weight, ck['epoch']
""",
}


@pytest.mark.parametrize("name", sorted(DATA))
def test_data_code(name):
    check(DATA[name])


AUTOGRAD = {
    "no_grad_and_accumulation": """
x = torch.tensor([1., 2.], requires_grad=True)
with torch.no_grad():
    y = x * 2
(x ** 2).sum().backward(); (x ** 2).sum().backward(); g = x.grad.clone(); x.grad.zero_()
R = y.requires_grad, y.grad_fn, g, x.grad
""",
    "backward_twice": "x = torch.tensor([1., 2.], requires_grad=True); y = (x ** 2).sum(); y.backward(); y.backward()",
    "backward_non_scalar": "x = torch.tensor([1., 2.], requires_grad=True); (x * 2).backward()",
    "retain_grad": """
x = torch.tensor([1., 2.], requires_grad=True)
y = x * 2; y.retain_grad(); y.sum().backward()
R = y.grad, y.is_leaf, y.retains_grad
""",
    "autograd_grad_create_graph": """
x = torch.tensor([1., 2.], requires_grad=True)
g, = torch.autograd.grad((x ** 3).sum(), x, create_graph=True); g2, = torch.autograd.grad(g.sum(), x)
z = torch.tensor([1.], requires_grad=True)
R = g, g2, torch.autograd.grad((x ** 3).sum(), [x, z], allow_unused=True)
""",
    "hooks": """
x = torch.tensor([1., 2.], requires_grad=True)
h = x.register_hook(lambda g: g * 10); (x * 2).sum().backward(); a = x.grad.clone(); h.remove()
y = x * 2; y.register_hook(lambda g: print('hook', g)); y.sum().backward()
R = a, x.grad
""",
    "inplace_errors": """
for fn in ["torch.tensor([1., 2.], requires_grad=True).add_(1)",
           "torch.tensor([1, 2]).requires_grad_()", "torch.tensor([1, 2], requires_grad=True)",
           "(torch.tensor([1., 2.], requires_grad=True) * 2).requires_grad_(False)",
           "torch.tensor([1., 2.], requires_grad=True).numpy()",
           "torch.ones(2, 2, requires_grad=True).view(4).__setitem__(0, 5)"]:
    try:
        eval(fn)
    except Exception as e:
        print(type(e).__name__, str(e).split(chr(10))[0])
""",
    "inplace_on_views": """
x = torch.ones(2, 2, requires_grad=True) * 1; y = x.view(4); y[0] = 5; y.sum().backward()
a = torch.ones(3, requires_grad=True); b = a * 2; c = b.view(3); b.add_(1); c.sum().backward()
R = x, a.grad
""",
    "grad_modes": """
x = torch.tensor([1., 2.], requires_grad=True)
@torch.no_grad()
def f(a): return a * 2
with torch.enable_grad():
    with torch.no_grad():
        y = x * 2
with torch.set_grad_enabled(False):
    z = x * 2
with torch.inference_mode():
    w = x * 2
R = f(x).requires_grad, y.requires_grad, z.requires_grad, torch.is_grad_enabled(), w.requires_grad, w.is_inference()
""",
    "data_and_detach": """
x = torch.tensor([1., 2.], requires_grad=True); y = x.detach(); y.add_(1)
x.data.mul_(2); c = x.clone()
R = x, x.requires_grad, c.grad_fn.name(), c.is_leaf
""",
    "custom_function": """
class F(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a); return a * 2
    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors; return g * 2 * a
x = torch.tensor([1., 2.], requires_grad=True); y = F.apply(x); y.sum().backward()
R = x.grad, y.grad_fn.name()
""",
    "functional_jacobian_hessian": """
x = torch.tensor([1., 2.])
R = torch.autograd.functional.jacobian(lambda a: a ** 2, x), torch.autograd.functional.hessian(
    lambda a: (a ** 3).sum(), x)
""",
}


@pytest.mark.parametrize("name", sorted(AUTOGRAD))
def test_autograd_code(name):
    check(AUTOGRAD[name])
