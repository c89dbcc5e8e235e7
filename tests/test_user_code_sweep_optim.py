"""Sweep of ordinary optimizer / learning-rate-scheduler user code, run as source snippets under ``import torch``
and under ``import ember as torch``: printed output, results, errors and warnings must match.

Each snippet sees ``torch`` (the library under test) and ``np``; it prints and/or sets ``R``.  Snippets build their
models from fixed weights (``PRELUDE``) so that no random stream is involved.  Tensor values are compared with a
small relative tolerance (float32 rounding of a few steps); everything else exactly.
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
        return ("T", str(v.dtype).replace("ember.", "torch."), tuple(v.shape), np.asarray(a.numpy()).astype(float),
                v.requires_grad)
    if isinstance(v, (list, tuple)):
        return type(v).__name__, [_norm(x) for x in v]
    if isinstance(v, dict):
        return type(v).__name__, {k: _norm(x) for k, x in v.items()}
    if isinstance(v, (torch.dtype, ember.dtype, torch.Size, ember.Size)):
        return str(v).replace("ember.", "torch.")
    return v


def _same(a, b):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape
                and np.allclose(a, b, rtol=2e-5, atol=1e-6, equal_nan=True))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float):
        return bool(np.isclose(a, b, rtol=2e-5, atol=1e-7, equal_nan=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b


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
    # torch gives the "requires_grad=True to a scalar" warning once per process, so it cannot be compared per snippet
    msgs = [(w.category.__name__, str(w.message).split(" (Triggered internally")[0]) for w in caught
            if "Converting a tensor with requires_grad=True to a scalar" not in str(w.message)]
    return out.getvalue(), res, msgs


def check(src):
    got, want = run_snippet(src, ember), run_snippet(src, torch)
    assert got[0] == want[0], "printed output differs"
    assert _same(got[1], want[1]), f"{got[1]!r}\n!=\n{want[1]!r}"
    assert got[2] == want[2], "warnings differ"


PRELUDE = """
nn = torch.nn
F = torch.nn.functional
def make(bias=True, dtype=torch.float32):
    m = nn.Sequential(nn.Linear(3, 4, bias=bias), nn.Tanh(), nn.Linear(4, 2, bias=bias)).to(dtype)
    with torch.no_grad():
        for i, p in enumerate(m.parameters()):
            p.copy_(torch.linspace(-0.5, 0.5 + 0.1 * i, p.numel()).reshape(p.shape))
    return m
def data(dtype=torch.float32):
    x = torch.linspace(-2, 2, 24, dtype=dtype).reshape(8, 3)
    return x, torch.stack([x.sum(1).sin(), x.prod(1).cos()], 1)
X, Y = data()
def train(m, opt, steps=6, sched=None, closure=False):
    losses = []
    for _ in range(steps):
        if closure:
            def c():
                opt.zero_grad(); l = F.mse_loss(m(X), Y); l.backward(); return l
            losses.append(float(opt.step(c)))
        else:
            opt.zero_grad(); loss = F.mse_loss(m(X), Y); loss.backward(); opt.step(); losses.append(loss.item())
        if sched is not None:
            sched.step()
    return losses
"""


def _opt_snippet(ctor, steps=6):
    return PRELUDE + f"""
m = make(); opt = {ctor}
losses = train(m, opt, {steps})
R = list(m.parameters()), losses
"""


ALGOS = {
    "sgd_plain": "torch.optim.SGD(m.parameters(), lr=0.1)",
    "sgd_momentum": "torch.optim.SGD(m.parameters(), lr=0.05, momentum=0.9)",
    "sgd_nesterov": "torch.optim.SGD(m.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-2)",
    "sgd_dampening": "torch.optim.SGD(m.parameters(), lr=0.05, momentum=0.8, dampening=0.3)",
    "sgd_maximize": "torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.5, maximize=True)",
    "sgd_default_lr": "torch.optim.SGD(m.parameters())",
    "adam": "torch.optim.Adam(m.parameters(), lr=1e-2)",
    "adam_amsgrad_wd": "torch.optim.Adam(m.parameters(), lr=1e-2, betas=(0.8, 0.9), weight_decay=0.1, amsgrad=True)",
    "adam_maximize": "torch.optim.Adam(m.parameters(), lr=1e-2, maximize=True, eps=1e-6)",
    "adam_tensor_lr": "torch.optim.Adam(m.parameters(), lr=torch.tensor(0.01))",
    "adamw": "torch.optim.AdamW(m.parameters(), lr=1e-2)",
    "adamw_amsgrad": "torch.optim.AdamW(m.parameters(), lr=3e-3, weight_decay=0.5, amsgrad=True)",
    "adagrad": "torch.optim.Adagrad(m.parameters(), lr=0.1)",
    "adagrad_decay": "torch.optim.Adagrad(m.parameters(), lr=0.1, lr_decay=0.01, weight_decay=0.1, "
                     "initial_accumulator_value=0.5)",
    "rmsprop": "torch.optim.RMSprop(m.parameters(), lr=0.01)",
    "rmsprop_centered": "torch.optim.RMSprop(m.parameters(), lr=0.01, alpha=0.9, momentum=0.5, centered=True, "
                        "weight_decay=0.01)",
    "rprop": "torch.optim.Rprop(m.parameters(), lr=0.01)",
    "rprop_opts": "torch.optim.Rprop(m.parameters(), lr=0.02, etas=(0.3, 1.5), step_sizes=(1e-4, 0.1), "
                  "maximize=False)",
    "adadelta": "torch.optim.Adadelta(m.parameters())",
    "adadelta_opts": "torch.optim.Adadelta(m.parameters(), lr=0.5, rho=0.8, weight_decay=0.1)",
    "adamax": "torch.optim.Adamax(m.parameters(), lr=0.02)",
    "adamax_wd": "torch.optim.Adamax(m.parameters(), lr=0.02, betas=(0.5, 0.9), weight_decay=0.1)",
    "nadam": "torch.optim.NAdam(m.parameters(), lr=0.01)",
    "nadam_decoupled": "torch.optim.NAdam(m.parameters(), lr=0.01, momentum_decay=1e-3, weight_decay=0.1, "
                       "decoupled_weight_decay=True)",
    "radam": "torch.optim.RAdam(m.parameters(), lr=0.01)",
    "radam_decoupled": "torch.optim.RAdam(m.parameters(), lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)",
    "asgd": "torch.optim.ASGD(m.parameters(), lr=0.05, t0=2)",
    "adafactor": "torch.optim.Adafactor(m.parameters())",
    "adafactor_opts": "torch.optim.Adafactor(m.parameters(), lr=0.05, beta2_decay=-0.5, eps=(1e-20, 1e-2), d=1.5, "
                      "weight_decay=0.1, maximize=True)",
    "asgd_opts": "torch.optim.ASGD(m.parameters(), lr=0.05, lambd=1e-2, alpha=0.5, t0=1, weight_decay=0.1)",
}


@pytest.mark.parametrize("name", sorted(ALGOS))
def test_algorithms(name):
    check(_opt_snippet(ALGOS[name]))


OPTIM = {
    "muon_hidden_layers": PRELUDE + """
X, Y = data(torch.float64)      # (float32 gradients differ in the last bit, which bfloat16 rounding can amplify)
m = make(bias=True, dtype=torch.float64)
hidden = [p for p in m.parameters() if p.ndim == 2]; others = [p for p in m.parameters() if p.ndim != 2]
opts = [torch.optim.Muon(hidden, lr=0.02, momentum=0.9), torch.optim.AdamW(others, lr=1e-2)]
print(opts[0])
for _ in range(4):
    for o in opts: o.zero_grad()
    F.mse_loss(m(X), Y).backward()
    for o in opts: o.step()
R = list(m.parameters()), sorted(opts[0].state_dict()['state'][0].keys())
""",
    "muon_options": PRELUDE + """
m = make(bias=False)
opt = torch.optim.Muon(m.parameters(), lr=0.05, weight_decay=0.01, nesterov=False, ns_steps=3,
                       adjust_lr_fn='match_rms_adamw')
R = list(m.parameters()), train(m, opt, 3)
""",
    "muon_errors": """
for kw in [dict(lr=-1), dict(momentum=-0.5), dict(weight_decay=-1), dict(adjust_lr_fn='other')]:
    try:
        torch.optim.Muon([torch.ones(2, 2, requires_grad=True)], **kw)
    except ValueError as e:
        print(e)
torch.optim.Muon([torch.ones(3, requires_grad=True)])
""",
    "adafactor_state_errors": """
w = torch.ones(2, 3, requires_grad=True); v = torch.ones(3, requires_grad=True)
opt = torch.optim.Adafactor([w, v], lr=0.1)
((w * torch.arange(6.).reshape(2, 3)).sum() + (v ** 2).sum()).backward(); opt.step()
print({k: sorted(s.keys()) for k, s in opt.state_dict()['state'].items()})
print(opt)
R = w, v, opt.state[w]['row_var'], opt.state[w]['col_var'], opt.state[v]['variance']
for kw in [dict(lr=-1), dict(beta2_decay=0.5), dict(eps=(-1, 1e-3)), dict(eps=(None, -1)), dict(d=0.5),
           dict(weight_decay=-1)]:
    try:
        torch.optim.Adafactor([w], **kw)
    except ValueError as e:
        print(e)
""",
    "lbfgs_closure": PRELUDE + """
X, Y = data(torch.float64)      # float32 forward/backward rounding would steer the iterations apart
m = make(dtype=torch.float64); opt = torch.optim.LBFGS(m.parameters(), lr=0.5, max_iter=5)
losses = train(m, opt, 3, closure=True); print([f"{l:.5f}" for l in losses])
R = list(m.parameters()), opt.state_dict()['state'][0]['n_iter'], opt.state_dict()['state'][0]['func_evals']
""",
    "lbfgs_strong_wolfe": PRELUDE + """
X, Y = data(torch.float64)
m = make(dtype=torch.float64)
opt = torch.optim.LBFGS(m.parameters(), lr=1, history_size=3, line_search_fn='strong_wolfe')
losses = train(m, opt, 3, closure=True); print([f"{l:.5f}" for l in losses])
R = list(m.parameters())
""",
    "lbfgs_rosenbrock": """
x = torch.tensor([-1.5, 2.0], requires_grad=True)
opt = torch.optim.LBFGS([x], lr=1, max_iter=50, line_search_fn='strong_wolfe')
def closure():
    opt.zero_grad()
    loss = (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2
    loss.backward()
    return loss
for i in range(3):
    loss = opt.step(closure)
    print(i, f"{loss.item():.4f}")
R = x
""",
    "lbfgs_no_closure": "x = torch.ones(2, requires_grad=True); torch.optim.LBFGS([x]).step()",
    "lbfgs_two_groups": "a = torch.ones(2, requires_grad=True); b = torch.ones(2, requires_grad=True)\n"
                        "torch.optim.LBFGS([{'params': [a]}, {'params': [b]}])",
    "param_groups": PRELUDE + """
m = make()
opt = torch.optim.SGD([{'params': m[0].parameters()}, {'params': m[2].parameters(), 'lr': 1e-3}], lr=1e-2,
                      momentum=0.9)
print(len(opt.param_groups), [g['lr'] for g in opt.param_groups], [g['momentum'] for g in opt.param_groups])
losses = train(m, opt, 4); print([f"{l:.4f}" for l in losses])
R = list(m.parameters()), sorted(opt.param_groups[1].keys())
""",
    "param_groups_adam_per_group": PRELUDE + """
m = make()
decay, no_decay = [], []
for name, p in m.named_parameters():
    (no_decay if name.endswith('bias') else decay).append(p)
opt = torch.optim.AdamW([{'params': decay, 'weight_decay': 0.1}, {'params': no_decay, 'weight_decay': 0.0}],
                        lr=1e-2, betas=(0.9, 0.95))
R2 = train(m, opt, 5)
R = list(m.parameters())
""",
    "add_param_group": PRELUDE + """
m = make(); opt = torch.optim.Adam(m[0].parameters(), lr=1e-2)
train(m, opt, 2)
opt.add_param_group({'params': m[2].parameters(), 'lr': 1e-3})
print(opt)
R2 = train(m, opt, 2)
R = list(m.parameters()), len(opt.state)
""",
    "add_param_group_duplicate": """
w = torch.ones(2, requires_grad=True); opt = torch.optim.SGD([w], lr=0.1)
opt.add_param_group({'params': [w]})
""",
    "add_param_group_missing_lr_required": """
w = torch.ones(2, requires_grad=True); v = torch.ones(2, requires_grad=True)
opt = torch.optim.SGD([w], lr=0.1); opt.add_param_group({'params': v}); R = opt.param_groups[1]['lr']
""",
    "add_param_group_not_dict": "w = torch.ones(2, requires_grad=True); torch.optim.SGD([w], lr=0.1).add_param_group([w])",
    "duplicate_in_group_warns": "w = torch.ones(2, requires_grad=True); opt = torch.optim.SGD([w, w], lr=0.1); R = len(opt.param_groups[0]['params'])",
    "set_params_error": "w = torch.ones(2, requires_grad=True); torch.optim.SGD({w}, lr=0.1)",
    "empty_params": "torch.optim.Adam([], lr=0.1)",
    "empty_generator": "m = torch.nn.ReLU(); torch.optim.SGD(m.parameters(), lr=0.1)",
    "tensor_not_iterable": "torch.optim.Adam(torch.ones(2, requires_grad=True))",
    "non_tensor_param": "torch.optim.Adam([1.0, 2.0])",
    "non_leaf": "w = torch.ones(2, requires_grad=True); torch.optim.Adam([w * 2])",
    "named_parameters": PRELUDE + """
m = make(); opt = torch.optim.SGD(m.named_parameters(), lr=0.1, momentum=0.9)
train(m, opt, 2)
sd = opt.state_dict(); print(sd['param_groups'])
R = sorted(sd['state'].keys()), list(m.parameters())
""",
    "invalid_lr": "torch.optim.SGD([torch.ones(1, requires_grad=True)], lr=-0.1)",
    "invalid_momentum": "torch.optim.SGD([torch.ones(1, requires_grad=True)], lr=0.1, momentum=-1)",
    "invalid_wd": "torch.optim.SGD([torch.ones(1, requires_grad=True)], lr=0.1, weight_decay=-1)",
    "nesterov_no_momentum": "torch.optim.SGD([torch.ones(1, requires_grad=True)], lr=0.1, nesterov=True)",
    "adam_bad_beta": "torch.optim.Adam([torch.ones(1, requires_grad=True)], betas=(1.0, 0.999))",
    "adam_bad_beta2": "torch.optim.Adam([torch.ones(1, requires_grad=True)], betas=(0.9, -0.1))",
    "adam_bad_eps": "torch.optim.Adam([torch.ones(1, requires_grad=True)], eps=-1e-8)",
    "adam_bad_lr": "torch.optim.Adam([torch.ones(1, requires_grad=True)], lr=-1)",
    "adamw_bad_wd": "torch.optim.AdamW([torch.ones(1, requires_grad=True)], weight_decay=-0.1)",
    "rmsprop_bad_alpha": "torch.optim.RMSprop([torch.ones(1, requires_grad=True)], alpha=-0.1)",
    "rmsprop_bad_momentum": "torch.optim.RMSprop([torch.ones(1, requires_grad=True)], momentum=-0.1)",
    "adagrad_bad_decay": "torch.optim.Adagrad([torch.ones(1, requires_grad=True)], lr_decay=-0.1)",
    "adagrad_bad_init": "torch.optim.Adagrad([torch.ones(1, requires_grad=True)], initial_accumulator_value=-1)",
    "adadelta_bad_rho": "torch.optim.Adadelta([torch.ones(1, requires_grad=True)], rho=1.5)",
    "rprop_bad_etas": "torch.optim.Rprop([torch.ones(1, requires_grad=True)], etas=(1.2, 0.5))",
    "nadam_bad_md": "torch.optim.NAdam([torch.ones(1, requires_grad=True)], momentum_decay=-1)",
    "adamax_bad_beta": "torch.optim.Adamax([torch.ones(1, requires_grad=True)], betas=(0.9, 1.0))",
    "radam_bad_wd": "torch.optim.RAdam([torch.ones(1, requires_grad=True)], weight_decay=-1)",
    "asgd_bad_lr": "torch.optim.ASGD([torch.ones(1, requires_grad=True)], lr=-1)",
    "sgd_kw_only": "torch.optim.SGD([torch.ones(1, requires_grad=True)], 0.1, 0.9)",
    "adam_amsgrad_kw": "torch.optim.Adam([torch.ones(1, requires_grad=True)], 0.1, (0.9, 0.99), 1e-8, 0, True); R = 1",
    "repr_sgd": "print(torch.optim.SGD([torch.ones(1, requires_grad=True)], lr=0.1, momentum=0.9))",
    "repr_adam": "print(torch.optim.Adam([torch.ones(1, requires_grad=True)]))",
    "repr_adamw": "print(torch.optim.AdamW([torch.ones(1, requires_grad=True)], lr=1e-3, weight_decay=0.05))",
    "repr_all": """
p = [torch.ones(1, requires_grad=True)]
for cls in [torch.optim.Adagrad, torch.optim.RMSprop, torch.optim.Rprop, torch.optim.Adadelta, torch.optim.Adamax,
            torch.optim.NAdam, torch.optim.RAdam, torch.optim.ASGD, torch.optim.LBFGS]:
    print(cls(p))
""",
    "repr_two_groups": """
a = torch.ones(1, requires_grad=True); b = torch.ones(1, requires_grad=True)
print(torch.optim.SGD([{'params': [a]}, {'params': [b], 'lr': 0.01, 'nesterov': True, 'momentum': 0.9}], lr=0.1))
""",
    "defaults": """
p = [torch.ones(1, requires_grad=True)]
for cls in [torch.optim.SGD, torch.optim.Adam, torch.optim.AdamW, torch.optim.Adagrad, torch.optim.RMSprop,
            torch.optim.Rprop, torch.optim.Adadelta, torch.optim.Adamax, torch.optim.NAdam, torch.optim.RAdam,
            torch.optim.ASGD, torch.optim.LBFGS]:
    o = cls(p)
    print(cls.__name__, sorted(o.defaults.items(), key=lambda kv: kv[0]))
""",
    "zero_grad_modes": PRELUDE + """
m = make(); opt = torch.optim.SGD(m.parameters(), lr=0.1)
F.mse_loss(m(X), Y).backward(); opt.zero_grad(); g1 = m[0].weight.grad
F.mse_loss(m(X), Y).backward(); opt.zero_grad(set_to_none=False); g2 = m[0].weight.grad
R = g1, g2
""",
    "skip_params_without_grad": """
a = torch.tensor([1., 2.], requires_grad=True); b = torch.tensor([3., 4.], requires_grad=True)
opt = torch.optim.Adam([a, b], lr=0.1)
(a ** 2).sum().backward(); opt.step()
R = a, b, list(opt.state_dict()['state'].keys())
""",
    "step_returns_closure_loss": """
w = torch.tensor([1., -1.], requires_grad=True); opt = torch.optim.SGD([w], lr=0.1)
def closure():
    opt.zero_grad(); l = (w ** 2).sum(); l.backward(); return l
r = opt.step(closure); r2 = opt.step()
R = r, r2, w
""",
    "manual_lr_change": PRELUDE + """
m = make(); opt = torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
for epoch in range(4):
    train(m, opt, 1)
    for g in opt.param_groups:
        g['lr'] *= 0.5
    print(epoch, opt.param_groups[0]['lr'])
R = list(m.parameters())
""",
    "complex_params": """
z = torch.tensor([1 + 2j, -1 + 0.5j], requires_grad=True)
opt = torch.optim.Adam([z], lr=0.1)
for _ in range(3):
    opt.zero_grad(); (z.abs() ** 2).sum().backward(); opt.step()
R = z
""",
    "float64_params": """
w = torch.tensor([1., 2., 3.], dtype=torch.float64, requires_grad=True)
opt = torch.optim.RMSprop([w], lr=0.1, momentum=0.2)
for _ in range(3):
    opt.zero_grad(); (w ** 3).sum().backward(); opt.step()
R = w, opt.state[w]['step'], opt.state[w]['square_avg'].dtype
""",
    "state_per_param": PRELUDE + """
m = make(); opt = torch.optim.Adam(m.parameters(), lr=0.01, amsgrad=True)
train(m, opt, 2)
st = opt.state[m[0].weight]
R = sorted(st.keys()), st['step'], st['exp_avg'].shape, st['exp_avg_sq'].dtype, type(opt.state).__name__
""",
    "hooks_step": """
w = torch.tensor([1., 2.], requires_grad=True); opt = torch.optim.SGD([w], lr=0.1); seen = []
h1 = opt.register_step_pre_hook(lambda o, args, kwargs: seen.append(('pre', type(o).__name__, args, kwargs)))
h2 = opt.register_step_post_hook(lambda o, args, kwargs: seen.append(('post', w.tolist())))
(w ** 2).sum().backward(); opt.step(); h1.remove(); opt.step(); h2.remove(); opt.step()
print(seen); R = w
""",
    "hooks_global": """
w = torch.tensor([1., 2.], requires_grad=True); opt = torch.optim.Adam([w], lr=0.1); seen = []
import importlib
h = importlib.import_module(torch.__name__ + '.optim.optimizer').register_optimizer_step_post_hook(lambda o, a, k: seen.append(type(o).__name__))
(w ** 2).sum().backward(); opt.step(); h.remove(); opt.step()
R = seen
""",
    "hooks_state_dict": """
w = torch.tensor([1., 2.], requires_grad=True); opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)
def post(o, sd):
    sd['extra'] = 1
    return sd
opt.register_state_dict_post_hook(post)
opt.register_load_state_dict_pre_hook(lambda o, sd: print('loading', sorted(sd.keys())))
opt.register_load_state_dict_post_hook(lambda o: print('loaded'))
(w ** 2).sum().backward(); opt.step(); sd = opt.state_dict(); print(sorted(sd.keys()))
opt.load_state_dict(sd)
""",
}


@pytest.mark.parametrize("name", sorted(OPTIM))
def test_optimizer_code(name):
    check(OPTIM[name])


STATE = {
    "state_dict_print_sgd": """
w = torch.tensor([1., 2.], requires_grad=True); b = torch.tensor([0.5], requires_grad=True)
opt = torch.optim.SGD([w, b], lr=0.1, momentum=0.9)
(w.sum() * b).sum().backward(); opt.step()
print(opt.state_dict())
""",
    "state_dict_print_adam": """
w = torch.tensor([1., 2.], requires_grad=True)
opt = torch.optim.Adam([w], lr=0.1)
(w ** 2).sum().backward(); opt.step(); opt.step()
print(opt.state_dict())
sd = opt.state_dict()
R = sd['state'][0]['step'], sd['state'][0]['exp_avg'], sd['param_groups'][0]['params']
""",
    "state_dict_print_fresh": """
p = [torch.ones(1, requires_grad=True)]
for cls in [torch.optim.SGD, torch.optim.Adam, torch.optim.AdamW, torch.optim.RMSprop, torch.optim.Adagrad,
            torch.optim.NAdam, torch.optim.RAdam, torch.optim.Adamax, torch.optim.Adadelta, torch.optim.Rprop,
            torch.optim.ASGD, torch.optim.LBFGS]:
    print(cls(p, lr=0.5).state_dict())
""",
    "state_dict_all_states": """
ws = {}
for cls in [torch.optim.SGD, torch.optim.Adam, torch.optim.AdamW, torch.optim.RMSprop, torch.optim.Adagrad,
            torch.optim.NAdam, torch.optim.RAdam, torch.optim.Adamax, torch.optim.Adadelta, torch.optim.Rprop,
            torch.optim.ASGD]:
    w = torch.tensor([1., -2.], requires_grad=True)
    kw = {'momentum': 0.5, 'centered': True} if cls is torch.optim.RMSprop else {}
    if cls is torch.optim.SGD: kw = {'momentum': 0.9}
    opt = cls([w], lr=0.1, **kw)
    for _ in range(2):
        opt.zero_grad(); (w ** 3).sum().backward(); opt.step()
    st = opt.state_dict()['state'][0]
    print(cls.__name__, {k: (type(v).__name__, getattr(v, 'dtype', None), tuple(getattr(v, 'shape', ()))) for k, v in st.items()})
    ws[cls.__name__] = (w, st)
R = ws
""",
    "load_state_dict_resume": PRELUDE + """
m1 = make(); opt1 = torch.optim.Adam(m1.parameters(), lr=1e-2, amsgrad=True)
train(m1, opt1, 3)
import copy
msd = copy.deepcopy(m1.state_dict()); osd = copy.deepcopy(opt1.state_dict())
l1 = train(m1, opt1, 3)
m2 = make(); opt2 = torch.optim.Adam(m2.parameters(), lr=0.5)
m2.load_state_dict(msd); opt2.load_state_dict(osd)
print(opt2.param_groups[0]['lr'])
l2 = train(m2, opt2, 3)
R = l1 == l2, [torch.equal(a, b) for a, b in zip(m1.parameters(), m2.parameters())], l2
""",
    "load_state_dict_checkpoint_dict": PRELUDE + """
import io
m = make(); opt = torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9, nesterov=True)
train(m, opt, 2)
ckpt = {'epoch': 2, 'model': m.state_dict(), 'optimizer': opt.state_dict(), 'loss': 0.5}
buf = io.BytesIO(); torch.save(ckpt, buf); buf.seek(0)
ck = torch.load(buf, weights_only=True)
m2 = make(); opt2 = torch.optim.SGD(m2.parameters(), lr=0.1, momentum=0.9, nesterov=True)
m2.load_state_dict(ck['model']); opt2.load_state_dict(ck['optimizer'])
R = ck['epoch'], train(m2, opt2, 2), list(m2.parameters()), sorted(ck['optimizer']['state'][0].keys())
""",
    "load_state_dict_wrong_groups": """
a = torch.ones(2, requires_grad=True); b = torch.ones(2, requires_grad=True)
o1 = torch.optim.SGD([a, b], lr=0.1)
o2 = torch.optim.SGD([{'params': [a]}, {'params': [b]}], lr=0.1)
o2.load_state_dict(o1.state_dict())
""",
    "load_state_dict_wrong_size": """
a = torch.ones(2, requires_grad=True); b = torch.ones(2, requires_grad=True)
o1 = torch.optim.SGD([a, b], lr=0.1); o2 = torch.optim.SGD([a], lr=0.1)
o2.load_state_dict(o1.state_dict())
""",
    "load_state_dict_dtype_cast": """
w = torch.tensor([1., 2.], dtype=torch.float64, requires_grad=True)
v = torch.tensor([1., 2.], requires_grad=True)
o1 = torch.optim.Adam([v], lr=0.1); (v ** 2).sum().backward(); o1.step()
o2 = torch.optim.Adam([w], lr=0.1); o2.load_state_dict(o1.state_dict())
st = o2.state[w]
R = st['exp_avg'].dtype, st['step'].dtype, st['exp_avg']
""",
    "load_state_dict_missing_key": "w = torch.ones(2, requires_grad=True); torch.optim.SGD([w], lr=0.1).load_state_dict({'state': {}})",
    "state_dict_after_zero_grad_none": """
w = torch.ones(2, requires_grad=True); opt = torch.optim.SGD([w], lr=0.1)
(w * 2).sum().backward(); opt.step(); opt.zero_grad()
R = opt.state_dict(), w.grad
""",
    "optimizer_state_keys_tensor": """
w = torch.ones(2, requires_grad=True); opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)
(w * 2).sum().backward(); opt.step()
R = [type(k).__name__ for k in opt.state.keys()], opt.state[w]['momentum_buffer'], len(opt.state)
""",
    "deepcopy_optimizer": """
import copy
w = torch.tensor([1., 2.], requires_grad=True); opt = torch.optim.Adam([w], lr=0.1)
(w ** 2).sum().backward(); opt.step()
opt2 = copy.deepcopy(opt)
R = opt2.state_dict()['state'][0]['step'], opt2.param_groups[0]['lr'], type(opt2).__name__
""",
    "param_groups_lr_printing": PRELUDE + """
m = make()
opt = torch.optim.Adam([{'params': m[0].parameters(), 'lr': 1e-3}, {'params': m[2].parameters()}], lr=3e-4)
for i, g in enumerate(opt.param_groups):
    print(i, g['lr'], g['betas'], g['eps'], g['weight_decay'], g['amsgrad'], len(g['params']))
print([g['lr'] for g in opt.param_groups])
""",
    "custom_optimizer_subclass": """
class MySGD(torch.optim.Optimizer):
    def __init__(self, params, lr=0.01):
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        super().__init__(params, dict(lr=lr))
    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group['params']:
                if p.grad is None:
                    continue
                state = self.state[p]
                state['n'] = state.get('n', 0) + 1
                p.add_(p.grad, alpha=-group['lr'])
        return loss
w = torch.tensor([1., 2.], requires_grad=True); opt = MySGD([w], lr=0.5)
for _ in range(3):
    opt.zero_grad(); (w ** 2).sum().backward(); opt.step()
print(opt)
print(opt.state_dict())
sched = torch.optim.lr_scheduler.StepLR(opt, 1, 0.5); sched.step()
R = w, opt.state[w]['n'], sched.get_last_lr()
""",
    "custom_optimizer_closure_loss": """
class Opt(torch.optim.Optimizer):
    def __init__(self, params):
        super().__init__(params, {'lr': 0.1, 'beta': 0.9})
    def step(self, closure=None):
        loss = closure() if closure is not None else None
        with torch.no_grad():
            for g in self.param_groups:
                for p in g['params']:
                    st = self.state[p]
                    if len(st) == 0:
                        st['step'] = 0
                        st['buf'] = torch.zeros_like(p, memory_format=torch.preserve_format)
                    st['step'] += 1
                    st['buf'].mul_(g['beta']).add_(p.grad)
                    p.sub_(g['lr'] * st['buf'])
        return loss
w = torch.tensor([3., -1.], requires_grad=True); opt = Opt([w])
def closure():
    opt.zero_grad(); l = (w ** 2).sum(); l.backward(); return l
ls = [opt.step(closure).item() for _ in range(4)]
R = ls, w, opt.state_dict()['state']
""",
    "grad_clipping_loop": PRELUDE + """
m = make(); opt = torch.optim.SGD(m.parameters(), lr=0.5, momentum=0.9)
norms = []
for step in range(5):
    opt.zero_grad()
    loss = F.mse_loss(m(X), Y) * 10
    loss.backward()
    n = torch.nn.utils.clip_grad_norm_(m.parameters(), max_norm=1.0)
    norms.append(n)
    torch.nn.utils.clip_grad_value_(m.parameters(), clip_value=0.05)
    opt.step()
    print(f"step {step}: loss={loss.item():.4f} norm={n.item():.4f}")
R = norms, list(m.parameters())
""",
    "grad_accumulation": PRELUDE + """
m = make(); opt = torch.optim.Adam(m.parameters(), lr=1e-2)
accum = 2
opt.zero_grad()
for i in range(6):
    loss = F.mse_loss(m(X[i % 4 * 2:(i % 4) * 2 + 2]), Y[i % 4 * 2:(i % 4) * 2 + 2]) / accum
    loss.backward()
    if (i + 1) % accum == 0:
        opt.step(); opt.zero_grad()
R = list(m.parameters())
""",
    "classification_loop": """
nn = torch.nn
X = torch.linspace(-1, 1, 40).reshape(20, 2)
y = (X[:, 0] + 0.3 * X[:, 1] > 0).long()
model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))
with torch.no_grad():
    for i, p in enumerate(model.parameters()):
        p.copy_(torch.cos(torch.arange(p.numel(), dtype=torch.float32) * (i + 1)).reshape(p.shape) * 0.5)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.1)
for epoch in range(6):
    model.train()
    optimizer.zero_grad()
    out = model(X)
    loss = criterion(out, y)
    loss.backward()
    optimizer.step()
    scheduler.step()
    acc = (out.argmax(1) == y).float().mean()
    print(f"Epoch {epoch+1}, Loss: {loss.item():.4f}, Acc: {acc.item():.2f}, LR: {scheduler.get_last_lr()[0]:.5f}")
R = list(model.parameters())
""",
    "regression_print_every": """
x = torch.linspace(0, 1, 10).unsqueeze(1); y = 3 * x + 2
model = torch.nn.Linear(1, 1)
with torch.no_grad():
    model.weight.fill_(0.5); model.bias.fill_(0.0)
opt = torch.optim.SGD(model.parameters(), lr=0.5)
loss_fn = torch.nn.MSELoss()
for epoch in range(100):
    pred = model(x); loss = loss_fn(pred, y)
    opt.zero_grad(); loss.backward(); opt.step()
    if (epoch + 1) % 25 == 0:
        print(f'Epoch [{epoch+1}/100], Loss: {loss.item():.4f}')
print(model.weight.item() > 2.5, round(model.bias.item(), 2))
R = model.weight, model.bias
""",
}


@pytest.mark.parametrize("name", sorted(STATE))
def test_state_and_loop_code(name):
    check(STATE[name])


SCHED_PRELUDE = """
lrs = torch.optim.lr_scheduler
w = torch.zeros(2, requires_grad=True)
def run(make_sched, epochs=30, opt_cls=torch.optim.SGD, **opt_kw):
    opt = opt_cls([w], **({'lr': 0.1} | opt_kw))
    s = make_sched(opt)
    out = []
    for e in range(epochs):
        opt.step()
        s.step()
        out.append(s.get_last_lr()[0])
    return out
"""


def _sched_snippet(ctor, epochs=30, **opt_kw):
    kw = ", ".join(f"{k}={v}" for k, v in opt_kw.items())
    return SCHED_PRELUDE + f"""
vals = run(lambda opt: {ctor}, {epochs}{', ' + kw if kw else ''})
print([round(v, 8) for v in vals])
R = vals
"""


SCHEDS = {
    "step": "lrs.StepLR(opt, step_size=7, gamma=0.1)",
    "step_default_gamma": "lrs.StepLR(opt, 5)",
    "multistep": "lrs.MultiStepLR(opt, milestones=[5, 10, 10, 20], gamma=0.5)",
    "exponential": "lrs.ExponentialLR(opt, gamma=0.9)",
    "cosine": "lrs.CosineAnnealingLR(opt, T_max=10)",
    "cosine_eta_min": "lrs.CosineAnnealingLR(opt, T_max=12, eta_min=1e-3)",
    "warm_restarts": "lrs.CosineAnnealingWarmRestarts(opt, T_0=5)",
    "warm_restarts_mult": "lrs.CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=2, eta_min=0.01)",
    "cyclic_triangular": "lrs.CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=4)",
    "cyclic_triangular2": "lrs.CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=3, step_size_down=5, "
                          "mode='triangular2')",
    "cyclic_exp_range": "lrs.CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=4, mode='exp_range', gamma=0.9)",
    "cyclic_scale_fn": "lrs.CyclicLR(opt, 0.01, 0.1, step_size_up=3, scale_fn=lambda x: 0.5 ** x, "
                       "scale_mode='iterations')",
    "onecycle_cos": "lrs.OneCycleLR(opt, max_lr=0.1, total_steps=31)",
    "onecycle_linear": "lrs.OneCycleLR(opt, max_lr=0.2, epochs=3, steps_per_epoch=11, anneal_strategy='linear', "
                       "pct_start=0.4)",
    "onecycle_three_phase": "lrs.OneCycleLR(opt, max_lr=0.1, total_steps=35, three_phase=True, div_factor=10, "
                            "final_div_factor=100)",
    "lambda": "lrs.LambdaLR(opt, lr_lambda=lambda epoch: 0.95 ** epoch)",
    "lambda_warmup": "lrs.LambdaLR(opt, lambda s: min(1.0, (s + 1) / 5))",
    "multiplicative": "lrs.MultiplicativeLR(opt, lr_lambda=lambda epoch: 0.9)",
    "linear": "lrs.LinearLR(opt, start_factor=0.1, total_iters=10)",
    "linear_end": "lrs.LinearLR(opt, start_factor=1.0, end_factor=0.2, total_iters=8)",
    "constant": "lrs.ConstantLR(opt, factor=0.5, total_iters=4)",
    "constant_default": "lrs.ConstantLR(opt)",
    "polynomial": "lrs.PolynomialLR(opt, total_iters=10, power=2.0)",
    "polynomial_default": "lrs.PolynomialLR(opt)",
    "sequential": "lrs.SequentialLR(opt, schedulers=[lrs.LinearLR(opt, start_factor=0.1, total_iters=5), "
                  "lrs.CosineAnnealingLR(opt, T_max=20)], milestones=[5])",
    "sequential_three": "lrs.SequentialLR(opt, [lrs.ConstantLR(opt, factor=0.1, total_iters=2), "
                        "lrs.ExponentialLR(opt, gamma=0.9), lrs.StepLR(opt, 3)], milestones=[2, 10])",
    "chained": "lrs.ChainedScheduler([lrs.ConstantLR(opt, factor=0.1, total_iters=2), "
               "lrs.ExponentialLR(opt, gamma=0.9)])",
    "chained_optimizer_arg": "lrs.ChainedScheduler([lrs.LinearLR(opt, 0.5, total_iters=4), "
                             "lrs.StepLR(opt, 5, 0.5)], optimizer=opt)",
}


@pytest.mark.parametrize("name", sorted(SCHEDS))
def test_schedulers(name):
    check(_sched_snippet(SCHEDS[name]))


SCHED = {
    "cyclic_momentum": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)
s = lrs.CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=3, base_momentum=0.8, max_momentum=0.95)
ms = []
for _ in range(10):
    opt.step(); s.step(); ms.append(opt.param_groups[0]['momentum'])
print(ms)
R = ms, s.get_last_lr()
""",
    "cyclic_adam_betas": SCHED_PRELUDE + """
opt = torch.optim.Adam([w], lr=0.1)
s = lrs.CyclicLR(opt, base_lr=0.001, max_lr=0.01, step_size_up=2)
bs = []
for _ in range(5):
    opt.step(); s.step(); bs.append(opt.param_groups[0]['betas'])
R = bs
""",
    "cyclic_no_momentum_error": SCHED_PRELUDE + """
opt = torch.optim.Adagrad([w], lr=0.1)
lrs.CyclicLR(opt, base_lr=0.01, max_lr=0.1)
""",
    "cyclic_adagrad_no_cycle": SCHED_PRELUDE + """
opt = torch.optim.Adagrad([w], lr=0.1)
s = lrs.CyclicLR(opt, base_lr=0.01, max_lr=0.1, cycle_momentum=False); opt.step(); s.step()
R = s.get_last_lr()
""",
    "onecycle_momentum": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)
s = lrs.OneCycleLR(opt, max_lr=1.0, total_steps=10)
rows = []
for _ in range(10):
    opt.step(); s.step(); rows.append((opt.param_groups[0]['lr'], opt.param_groups[0]['momentum']))
print(opt.param_groups[0].keys())
R = rows
""",
    "onecycle_adamw_betas": SCHED_PRELUDE + """
opt = torch.optim.AdamW([w], lr=1e-3)
s = lrs.OneCycleLR(opt, max_lr=1e-2, total_steps=6)
rows = []
for _ in range(6):
    opt.step(); s.step(); rows.append((opt.param_groups[0]['lr'], opt.param_groups[0]['betas']))
R = rows
""",
    "onecycle_too_many_steps": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
s = lrs.OneCycleLR(opt, max_lr=0.1, total_steps=3)
for _ in range(4):
    opt.step(); s.step()
""",
    "onecycle_missing_steps": SCHED_PRELUDE + "lrs.OneCycleLR(torch.optim.SGD([w], lr=0.1), max_lr=0.1)",
    "onecycle_bad_strategy": SCHED_PRELUDE + "lrs.OneCycleLR(torch.optim.SGD([w], lr=0.1), 0.1, 10, anneal_strategy='exp')",
    "onecycle_bad_pct": SCHED_PRELUDE + "lrs.OneCycleLR(torch.optim.SGD([w], lr=0.1), 0.1, 10, pct_start=1.5)",
    "onecycle_initial_lr": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)
s = lrs.OneCycleLR(opt, max_lr=0.1, total_steps=10)
g = opt.param_groups[0]
R = g['lr'], g['initial_lr'], g['max_lr'], g['min_lr'], g['momentum'], s.get_last_lr()
""",
    "warm_restarts_fractional": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
s = lrs.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=2, eta_min=0.001)
iters = 4
out = []
for epoch in range(4):
    for i in range(iters):
        opt.step()
        s.step(epoch + i / iters)
        out.append(s.get_last_lr()[0])
print([round(v, 6) for v in out])
R = out, s.T_cur, s.T_i
""",
    "warm_restarts_bad": SCHED_PRELUDE + "lrs.CosineAnnealingWarmRestarts(torch.optim.SGD([w], lr=0.1), T_0=0)",
    "warm_restarts_bad_mult": SCHED_PRELUDE + "lrs.CosineAnnealingWarmRestarts(torch.optim.SGD([w], lr=0.1), T_0=2, T_mult=1.5)",
    "plateau_min": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
s = lrs.ReduceLROnPlateau(opt, mode='min', factor=0.5, patience=2)
losses = [1.0, 0.9, 0.9, 0.9, 0.9, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85, 0.84]
out = []
for l in losses:
    opt.step(); s.step(l); out.append(s.get_last_lr()[0])
print(out, s.num_bad_epochs, s.best)
R = out
""",
    "plateau_max_threshold_abs": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
s = lrs.ReduceLROnPlateau(opt, mode='max', factor=0.1, patience=1, threshold=0.01, threshold_mode='abs',
                          cooldown=2, min_lr=1e-4)
accs = [0.5, 0.505, 0.51, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6]
out = []
for a in accs:
    opt.step(); s.step(torch.tensor(a)); out.append(opt.param_groups[0]['lr'])
R = out, s.cooldown_counter, s.best
""",
    "plateau_eps_min_lr_list": SCHED_PRELUDE + """
a = torch.zeros(1, requires_grad=True)
opt = torch.optim.SGD([{'params': [w]}, {'params': [a], 'lr': 0.01}], lr=0.1)
s = lrs.ReduceLROnPlateau(opt, factor=0.1, patience=0, min_lr=[0.001, 0.0005], eps=1e-3)
out = []
for _ in range(5):
    opt.step(); s.step(1.0); out.append(s.get_last_lr())
R = out
""",
    "plateau_errors": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
for kw in [dict(factor=1.0), dict(mode='avg'), dict(threshold_mode='pct'), dict(min_lr=[0.1, 0.2])]:
    try:
        lrs.ReduceLROnPlateau(opt, **kw)
    except Exception as e:
        print(type(e).__name__, e)
""",
    "plateau_state_dict": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
s = lrs.ReduceLROnPlateau(opt, patience=1)
for l in [1.0, 1.0, 1.0]:
    opt.step(); s.step(l)
sd = s.state_dict()
print(sorted(sd.keys()))
R = sd['best'], sd['num_bad_epochs'], sd['last_epoch'], sd['_last_lr'], sd['mode'], sd['threshold']
""",
    "plateau_verbose_deprecated": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
s = lrs.ReduceLROnPlateau(opt, 'min', verbose=True)
""",
    "step_before_optimizer_warns": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
s = lrs.StepLR(opt, 2)
s.step(); opt.step(); s.step()
R = s.get_last_lr()
""",
    "get_lr_outside_step_warns": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
s = lrs.StepLR(opt, 2, gamma=0.5)
opt.step(); s.step(); opt.step(); s.step()
R = s.get_lr(), s.get_last_lr()
""",
    "epoch_argument_deprecated": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
s = lrs.StepLR(opt, 2, gamma=0.5)
opt.step(); s.step(5)
R = s.get_last_lr(), s.last_epoch
""",
    "epoch_argument_exponential": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
s = lrs.ExponentialLR(opt, 0.5)
opt.step(); s.step(3); s.step(1)
R = s.get_last_lr(), s.last_epoch
""",
    "resume_last_epoch_missing_initial": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
lrs.StepLR(opt, 2, last_epoch=5)
""",
    "resume_last_epoch_initial_lr": SCHED_PRELUDE + """
opt = torch.optim.SGD([{'params': [w], 'initial_lr': 0.1}], lr=0.1)
opt.param_groups[0]['lr'] = 0.025
s = lrs.StepLR(opt, 2, gamma=0.5, last_epoch=4)
out = []
for _ in range(4):
    opt.step(); s.step(); out.append(s.get_last_lr()[0])
R = out, s.base_lrs, s.last_epoch
""",
    "scheduler_state_dict": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
s = lrs.MultiStepLR(opt, [2, 4], 0.1)
for _ in range(3):
    opt.step(); s.step()
sd = s.state_dict()
print(sd)
opt2 = torch.optim.SGD([w], lr=0.1)
s2 = lrs.MultiStepLR(opt2, [2, 4], 0.1)
s2.load_state_dict(sd)
R = s2.last_epoch, s2.get_last_lr(), opt2.param_groups[0]['lr']
""",
    "scheduler_state_dicts_print": SCHED_PRELUDE + """
for make in [lambda o: lrs.StepLR(o, 3), lambda o: lrs.ExponentialLR(o, 0.9), lambda o: lrs.CosineAnnealingLR(o, 5),
             lambda o: lrs.LinearLR(o), lambda o: lrs.ConstantLR(o), lambda o: lrs.PolynomialLR(o),
             lambda o: lrs.CosineAnnealingWarmRestarts(o, 3)]:
    opt = torch.optim.SGD([w], lr=0.1)
    s = make(opt); opt.step(); s.step()
    print(type(s).__name__, s.state_dict())
""",
    "scheduler_state_dict_resume_cosine": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)
s = lrs.CosineAnnealingLR(opt, T_max=10, eta_min=0.001)
for _ in range(4):
    opt.step(); s.step()
osd, ssd = opt.state_dict(), s.state_dict()
a = [s.get_last_lr()[0] for _ in range(1) for __ in [opt.step(), s.step()]]
opt2 = torch.optim.SGD([w], lr=0.1, momentum=0.9); opt2.load_state_dict(osd)
s2 = lrs.CosineAnnealingLR(opt2, T_max=10, eta_min=0.001); s2.load_state_dict(ssd)
opt2.step(); s2.step()
R = a, s2.get_last_lr(), opt2.param_groups[0]['initial_lr']
""",
    "lambda_state_dict": SCHED_PRELUDE + """
class Warm:
    def __init__(self, n): self.n = n
    def __call__(self, e): return min(1.0, (e + 1) / self.n)
opt = torch.optim.SGD([w], lr=0.1)
s = lrs.LambdaLR(opt, Warm(4))
opt.step(); s.step()
sd = s.state_dict(); print(sorted(sd.keys()), sd['lr_lambdas'])
s2 = lrs.LambdaLR(opt, lambda e: 1.0)
s3 = lrs.LambdaLR(opt, [lambda e: 1.0])
print(s2.state_dict()['lr_lambdas'])
""",
    "lambda_wrong_count": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
lrs.LambdaLR(opt, [lambda e: 1.0, lambda e: 0.5])
""",
    "per_group_lambdas": SCHED_PRELUDE + """
a = torch.zeros(1, requires_grad=True)
opt = torch.optim.SGD([{'params': [w]}, {'params': [a], 'lr': 1.0}], lr=0.1)
s = lrs.LambdaLR(opt, [lambda e: 0.5 ** e, lambda e: 1 / (e + 1)])
out = []
for _ in range(4):
    opt.step(); s.step(); out.append(s.get_last_lr())
print(out)
R = out
""",
    "not_an_optimizer": SCHED_PRELUDE + "lrs.StepLR([w], 2)",
    "step_size_zero": SCHED_PRELUDE + "s = lrs.StepLR(torch.optim.SGD([w], lr=0.1), 0); s.step()",
    "linear_bad_factor": SCHED_PRELUDE + "lrs.LinearLR(torch.optim.SGD([w], lr=0.1), start_factor=0)",
    "linear_bad_end": SCHED_PRELUDE + "lrs.LinearLR(torch.optim.SGD([w], lr=0.1), end_factor=2)",
    "constant_bad_factor": SCHED_PRELUDE + "lrs.ConstantLR(torch.optim.SGD([w], lr=0.1), factor=2)",
    "sequential_bad_milestones": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
lrs.SequentialLR(opt, [lrs.ConstantLR(opt), lrs.ExponentialLR(opt, 0.9)], milestones=[2, 4])
""",
    "sequential_other_optimizer": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1); opt2 = torch.optim.SGD([w], lr=0.1)
lrs.SequentialLR(opt, [lrs.ConstantLR(opt), lrs.ExponentialLR(opt2, 0.9)], milestones=[2])
""",
    "sequential_state_dict": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
s = lrs.SequentialLR(opt, [lrs.LinearLR(opt, 0.5, total_iters=2), lrs.ExponentialLR(opt, 0.9)], milestones=[2])
for _ in range(3):
    opt.step(); s.step()
sd = s.state_dict()
print(sorted(sd.keys()), [sorted(x.keys()) for x in sd['_schedulers']])
R = sd['_milestones'], sd['last_epoch'], sd['_last_lr']
""",
    "chained_state_dict": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
s = lrs.ChainedScheduler([lrs.ConstantLR(opt, 0.5, 2), lrs.ExponentialLR(opt, 0.9)])
opt.step(); s.step()
sd = s.state_dict(); print(sorted(sd.keys()))
R = s.get_last_lr(), len(sd['_schedulers'])
""",
    "two_schedulers_same_opt": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
s1 = lrs.ExponentialLR(opt, 0.9); s2 = lrs.StepLR(opt, 3, 0.5)
out = []
for _ in range(7):
    opt.step(); s1.step(); s2.step(); out.append(opt.param_groups[0]['lr'])
R = out
""",
    "warmup_then_plateau_manual": SCHED_PRELUDE + """
opt = torch.optim.Adam([w], lr=1e-3)
warm = lrs.LinearLR(opt, start_factor=0.01, total_iters=3)
plat = lrs.ReduceLROnPlateau(opt, patience=0, factor=0.5)
out = []
for e in range(7):
    opt.step()
    if e < 3:
        warm.step()
    else:
        plat.step(1.0)
    out.append(opt.param_groups[0]['lr'])
R = out
""",
    "scheduler_repr_attrs": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
s = lrs.StepLR(opt, 3)
R = s.step_size, s.gamma, s.last_epoch, s.base_lrs, s._step_count, type(s).__mro__[1].__name__
""",
    "print_last_lr": SCHED_PRELUDE + """
opt = torch.optim.Adam([w], lr=0.001)
s = lrs.ExponentialLR(opt, gamma=0.95)
for epoch in range(3):
    opt.step(); s.step()
    print(f"epoch {epoch}: lr {s.get_last_lr()}")
    print('lr', opt.param_groups[0]['lr'])
print(s.get_last_lr())
""",
    "tensor_lr_scheduler": SCHED_PRELUDE + """
opt = torch.optim.Adam([w], lr=torch.tensor(0.01))
s = lrs.StepLR(opt, 1, 0.5)
for _ in range(2):
    opt.step(); s.step()
R = s.get_last_lr(), opt.param_groups[0]['lr']
""",
}


@pytest.mark.parametrize("name", sorted(SCHED))
def test_scheduler_code(name):
    check(SCHED[name])


MISC = {
    "swa_averaged_model": PRELUDE + """
from torch.optim.swa_utils import AveragedModel, SWALR
""".replace("from torch.optim.swa_utils import AveragedModel, SWALR", "AveragedModel, SWALR = torch.optim.swa_utils.AveragedModel, torch.optim.swa_utils.SWALR") + """
m = make(); swa_model = AveragedModel(m)
opt = torch.optim.SGD(m.parameters(), lr=0.1)
swa_sched = SWALR(opt, swa_lr=0.05, anneal_epochs=3)
lrs_seen = []
for epoch in range(6):
    train(m, opt, 1)
    if epoch >= 2:
        swa_model.update_parameters(m); swa_sched.step()
    lrs_seen.append(opt.param_groups[0]['lr'])
print(swa_model)
print(lrs_seen)
R = (list(swa_model.parameters()), swa_model.n_averaged, list(swa_model.state_dict().keys()), swa_model(X),
     swa_sched.get_last_lr())
""",
    "swa_ema": PRELUDE + """
su = torch.optim.swa_utils
m = make()
ema = su.AveragedModel(m, multi_avg_fn=su.get_ema_multi_avg_fn(0.9))
ema2 = su.AveragedModel(m, avg_fn=su.get_ema_avg_fn(0.8))
opt = torch.optim.Adam(m.parameters(), lr=0.01)
for _ in range(4):
    train(m, opt, 1); ema.update_parameters(m); ema2.update_parameters(m)
R = list(ema.module.parameters()), list(ema2.parameters()), ema.n_averaged
""",
    "swa_custom_avg_fn": PRELUDE + """
su = torch.optim.swa_utils
m = make()
avg = su.AveragedModel(m, avg_fn=lambda avg_p, p, n: 0.5 * avg_p + 0.5 * p)
opt = torch.optim.SGD(m.parameters(), lr=0.1)
for _ in range(3):
    train(m, opt, 1); avg.update_parameters(m)
R = list(avg.parameters())
""",
    "swa_update_bn": """
nn = torch.nn
su = torch.optim.swa_utils
m = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 1))
with torch.no_grad():
    for i, p in enumerate(m.parameters()):
        p.copy_(torch.linspace(-1, 1, p.numel()).reshape(p.shape) * (i + 1))
swa = su.AveragedModel(m)
swa.update_parameters(m)
loader = [torch.linspace(-2, 2, 24).reshape(8, 3), torch.linspace(0, 3, 24).reshape(8, 3)]
su.update_bn(loader, swa)
bn = swa.module[1]
print(bn)
R = bn.running_mean, bn.running_var, bn.num_batches_tracked, bn.momentum, swa.training
""",
    "swa_update_bn_tuples": """
nn = torch.nn
su = torch.optim.swa_utils
m = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
with torch.no_grad():
    m[0].weight.copy_(torch.arange(6.).reshape(3, 2) / 5); m[0].bias.zero_()
data = [(torch.arange(8.).reshape(4, 2), torch.zeros(4)), (torch.ones(4, 2), torch.ones(4))]
su.update_bn(data, m)
R = m[1].running_mean, m[1].running_var
""",
    "swalr_cos_linear": SCHED_PRELUDE + """
su = torch.optim.swa_utils
out = {}
for strat in ['cos', 'linear']:
    opt = torch.optim.SGD([w], lr=0.5)
    s = su.SWALR(opt, swa_lr=[0.1], anneal_epochs=4, anneal_strategy=strat)
    vals = []
    for _ in range(6):
        opt.step(); s.step(); vals.append(s.get_last_lr()[0])
    out[strat] = vals
print(out)
R = out
""",
    "swalr_errors": SCHED_PRELUDE + """
su = torch.optim.swa_utils
opt = torch.optim.SGD([w], lr=0.5)
for kw in [dict(swa_lr=0.1, anneal_strategy='exp'), dict(swa_lr=0.1, anneal_epochs=-1), dict(swa_lr=[0.1, 0.2])]:
    try:
        su.SWALR(opt, **kw)
    except Exception as e:
        print(type(e).__name__, e)
""",
    "fused_foreach_flags": """
w = torch.tensor([1., 2.], requires_grad=True)
outs = []
for kw in [dict(foreach=True), dict(fused=True), dict(foreach=False)]:
    for cls in [torch.optim.SGD, torch.optim.Adam, torch.optim.AdamW, torch.optim.Adagrad]:
        v = w.detach().clone().requires_grad_()
        opt = cls([v], lr=0.1, **kw)
        for _ in range(2):
            opt.zero_grad(); (v ** 2).sum().backward(); opt.step()
        outs.append(v)
R = outs
""",
    "fused_and_foreach_error": "torch.optim.Adam([torch.ones(1, requires_grad=True)], fused=True, foreach=True)",
    "adam_capturable_cpu": """
w = torch.tensor([1., 2.], requires_grad=True)
opt = torch.optim.Adam([w], lr=0.1, capturable=True)
(w ** 2).sum().backward(); opt.step()
R = w
""",
    "capturable_messages": """
for cls in [torch.optim.AdamW, torch.optim.NAdam, torch.optim.ASGD, torch.optim.RAdam, torch.optim.Adamax,
            torch.optim.RMSprop, torch.optim.Rprop, torch.optim.Adadelta]:
    w = torch.tensor([1., 2.], requires_grad=True)
    opt = cls([w], capturable=True)
    (w ** 2).sum().backward()
    try:
        opt.step(); print(cls.__name__, 'ok', w.tolist())
    except AssertionError as e:
        print(cls.__name__, e, len(opt.state))
""",
    "int_param_error": """
w = torch.tensor([1, 2])
opt = torch.optim.SGD([w], lr=0.1)
R = len(opt.param_groups[0]['params'])
""",
    "step_without_grads": """
w = torch.tensor([1., 2.], requires_grad=True)
opt = torch.optim.Adam([w], lr=0.1); opt.step()
R = w, len(opt.state)
""",
    "no_grad_decorated_step": """
w = torch.tensor([1., 2.], requires_grad=True)
opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)
(w ** 2).sum().backward()
with torch.no_grad():
    opt.step()
opt.step()
R = w, w.grad, w.requires_grad, w.is_leaf, opt.state[w]['momentum_buffer'].requires_grad
""",
    "param_version_inplace_error": """
w = torch.tensor([1., 2.], requires_grad=True)
opt = torch.optim.SGD([w], lr=0.1)
y = (w ** 2).sum()
opt.zero_grad(); y.backward(retain_graph=True); opt.step()
y.backward()
""",
    "lr_as_tensor_state_dict": """
w = torch.tensor([1., 2.], requires_grad=True)
opt = torch.optim.AdamW([w], lr=torch.tensor(0.01), weight_decay=0.1)
(w ** 2).sum().backward(); opt.step()
print(opt.state_dict()['param_groups'][0]['lr'])
R = w
""",
    "sparse_adam_embedding": """
emb = torch.nn.Embedding(6, 3, sparse=True)
with torch.no_grad():
    emb.weight.copy_(torch.linspace(-1, 1, 18).reshape(6, 3))
opt = torch.optim.SparseAdam(emb.parameters(), lr=0.1)
for idx in [[0, 2, 2], [2, 5], [1]]:
    opt.zero_grad()
    out = emb(torch.tensor(idx))
    (out * torch.arange(1., 1. + out.numel()).reshape(out.shape)).sum().backward()
    opt.step()
st = opt.state[emb.weight]
print(opt)
R = emb.weight, st['step'], st['exp_avg'], st['exp_avg_sq']
""",
    "sparse_adam_errors": """
for kw in [dict(lr=0.0), dict(eps=0.0), dict(betas=(1.0, 0.9)), dict(betas=(0.9, -0.1))]:
    try:
        torch.optim.SparseAdam([torch.ones(2, requires_grad=True)], **kw)
    except ValueError as e:
        print(e)
torch.optim.SparseAdam([torch.ones(2, dtype=torch.complex64, requires_grad=True)])
""",
    "optim_classes_names": """
R = [torch.optim.Adam.__name__, torch.optim.lr_scheduler.StepLR.__name__, torch.optim.Optimizer.__name__,
     issubclass(torch.optim.AdamW, torch.optim.Optimizer), issubclass(torch.optim.AdamW, torch.optim.Adam),
     issubclass(torch.optim.lr_scheduler.StepLR, torch.optim.lr_scheduler.LRScheduler),
     issubclass(torch.optim.lr_scheduler.ReduceLROnPlateau, torch.optim.lr_scheduler.LRScheduler),
     torch.optim.lr_scheduler._LRScheduler is torch.optim.lr_scheduler.LRScheduler]
""",
}


@pytest.mark.parametrize("name", sorted(MISC))
def test_misc_code(name):
    check(MISC[name])


MORE = {
    "custom_scheduler_subclass": SCHED_PRELUDE + """
class Warmup(lrs.LRScheduler):
    def __init__(self, optimizer, warmup, last_epoch=-1):
        self.warmup = warmup
        super().__init__(optimizer, last_epoch)
    def get_lr(self):
        return [base * min(1.0, (self.last_epoch + 1) / self.warmup) for base in self.base_lrs]
opt = torch.optim.SGD([w], lr=0.1)
s = Warmup(opt, 4)
out = [s.get_last_lr()[0]]
for _ in range(6):
    opt.step(); s.step(); out.append(s.get_last_lr()[0])
print(out)
R = out, sorted(s.state_dict().keys())
""",
    "custom_old_lrscheduler": SCHED_PRELUDE + """
class Half(lrs._LRScheduler):
    def get_lr(self):
        return [g['lr'] * 0.5 for g in self.optimizer.param_groups]
opt = torch.optim.SGD([w], lr=0.1)
s = Half(opt)
for _ in range(3):
    opt.step(); s.step()
R = s.get_last_lr()
""",
    "cosine_epoch_closed_form": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
s = lrs.CosineAnnealingLR(opt, T_max=10, eta_min=0.01)
out = []
for e in [3, 7, 2, 10, 15]:
    opt.step(); s.step(e); out.append(s.get_last_lr()[0])
R = out
""",
    "cosine_chainable_after_manual_lr": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
s = lrs.CosineAnnealingLR(opt, T_max=6)
out = []
for e in range(8):
    opt.step(); s.step()
    if e == 2:
        opt.param_groups[0]['lr'] = 0.2
    out.append(opt.param_groups[0]['lr'])
R = out
""",
    "onecycle_state_dict_resume": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)
s = lrs.OneCycleLR(opt, max_lr=0.5, total_steps=12)
for _ in range(5):
    opt.step(); s.step()
ssd, osd = s.state_dict(), opt.state_dict()
print(sorted(ssd.keys()))
opt2 = torch.optim.SGD([w], lr=0.1, momentum=0.9)
s2 = lrs.OneCycleLR(opt2, max_lr=0.5, total_steps=12)
opt2.load_state_dict(osd); s2.load_state_dict(ssd)
a, b = [], []
for _ in range(4):
    opt.step(); s.step(); a.append(s.get_last_lr()[0])
    opt2.step(); s2.step(); b.append(s2.get_last_lr()[0])
R = a, b, opt2.param_groups[0]['momentum']
""",
    "cyclic_state_dict": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)
s = lrs.CyclicLR(opt, 0.01, 0.1, step_size_up=2, mode='triangular2')
opt.step(); s.step()
sd = s.state_dict()
print(sorted(sd.keys()))
R = sd['base_lrs'], sd['max_lrs'], sd['total_size'], sd['step_ratio'], sd['mode'], sd['scale_mode'], sd['last_epoch']
""",
    "plateau_nan_and_tensor": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
s = lrs.ReduceLROnPlateau(opt, patience=0)
for m in [torch.tensor(1.0), torch.tensor(0.5), float('nan'), 0.6, 0.7]:
    opt.step(); s.step(m)
R = s.get_last_lr(), s.best, s.num_bad_epochs, s.last_epoch
""",
    "plateau_epoch_warning": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
s = lrs.ReduceLROnPlateau(opt, patience=0)
opt.step(); s.step(1.0, 5)
R = s.last_epoch
""",
    "plateau_initial_last_lr": SCHED_PRELUDE + """
opt = torch.optim.Adam([w], lr=0.003)
s = lrs.ReduceLROnPlateau(opt)
R = s.get_last_lr(), s.last_epoch, s.patience, s.factor, s.threshold, s.mode, s.cooldown, s.min_lrs, s.eps
""",
    "lambda_not_callable": SCHED_PRELUDE + "lrs.LambdaLR(torch.optim.SGD([w], lr=0.1), 0.5)",
    "multistep_milestones_counter": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=1.0)
s = lrs.MultiStepLR(opt, milestones=[3, 3, 5], gamma=0.1)
print(s.milestones, type(s.milestones).__name__)
R = [s.get_last_lr()[0] for _ in range(7) for __ in [opt.step(), s.step()]]
""",
    "half_params_adam": """
w = torch.tensor([1., 2., 3.], dtype=torch.float16, requires_grad=True)
opt = torch.optim.Adam([w], lr=0.01)
for _ in range(3):
    opt.zero_grad(); (w.float() ** 2).sum().backward(); opt.step()
R = w, opt.state[w]['exp_avg'].dtype, opt.state[w]['step'].dtype
""",
    "float64_default_dtype_step": """
torch.set_default_dtype(torch.float64)
try:
    w = torch.tensor([1., 2.], requires_grad=True)
    opt = torch.optim.Adam([w], lr=0.1)
    (w ** 2).sum().backward(); opt.step()
    R = opt.state[w]['step'].dtype, w.dtype
finally:
    torch.set_default_dtype(torch.float32)
""",
    "zero_grad_create_graph": """
w = torch.tensor([1., 2.], requires_grad=True)
opt = torch.optim.SGD([w], lr=0.1)
(w ** 3).sum().backward(create_graph=True)
g = w.grad
opt.zero_grad(set_to_none=False)
R = w.grad, w.grad.requires_grad, w.grad is g
""",
    "params_to_vector": PRELUDE + """
m = make(); opt = torch.optim.SGD(m.parameters(), lr=0.1)
train(m, opt, 2)
v = torch.nn.utils.parameters_to_vector(m.parameters())
torch.nn.utils.vector_to_parameters(v * 0 + 1, m.parameters())
R = v.shape, list(m.parameters())[0]
""",
    "generator_consumed": PRELUDE + """
m = make(); params = m.parameters()
opt1 = torch.optim.SGD(params, lr=0.1)
opt2 = torch.optim.SGD(params, lr=0.1)
""",
    "get_set_param_group_option": """
w = torch.ones(2, requires_grad=True)
opt = torch.optim.SGD([w], lr=0.1)
opt.param_groups[0]['momentum'] = 0.9
(w * 3).sum().backward(); opt.step(); opt.step()
R = w, opt.state_dict()['state']
""",
    "betas_as_tensors": """
w = torch.tensor([1., 2.], requires_grad=True)
opt = torch.optim.Adam([w], lr=0.1, betas=(torch.tensor(0.9), torch.tensor(0.99)))
for _ in range(2):
    opt.zero_grad(); (w ** 2).sum().backward(); opt.step()
R = w
""",
    "step_hook_modifies_grad": """
w = torch.tensor([1., 2.], requires_grad=True)
opt = torch.optim.SGD([w], lr=0.1)
def pre(o, args, kwargs):
    for g in o.param_groups:
        for p in g['params']:
            p.grad.mul_(10)
opt.register_step_pre_hook(pre)
(w ** 2).sum().backward(); opt.step()
R = w
""",
    "state_dict_param_names_load": PRELUDE + """
m = make(); opt = torch.optim.Adam(m.named_parameters(), lr=0.01)
train(m, opt, 1)
sd = opt.state_dict()
opt2 = torch.optim.Adam(m.parameters(), lr=0.01); opt2.load_state_dict(sd)
print(sorted(opt2.param_groups[0].keys()))
opt3 = torch.optim.Adam(m.named_parameters(), lr=0.01); opt3.load_state_dict(sd)
print(opt3.param_groups[0]['param_names'])
""",
    "mixed_names_error": PRELUDE + """
m = make()
torch.optim.SGD([{'params': m[0].named_parameters()}, {'params': m[2].parameters()}], lr=0.1)
""",
}


@pytest.mark.parametrize("name", sorted(MORE))
def test_more_code(name):
    check(MORE[name])
