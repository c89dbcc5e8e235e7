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
    "full_precision_prints": """
for name, kw in [('SGD', dict(lr=0.1)), ('SGD', dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
                 ('SGD', dict(lr=0.1, momentum=0.9, dampening=0.1)), ('Adam', dict(lr=0.01)),
                 ('Adam', dict(lr=0.01, weight_decay=0.1)), ('AdamW', dict(lr=0.01)), ('Adagrad', dict(lr=0.1)),
                 ('Adadelta', dict(lr=1.0, weight_decay=0.1)), ('NAdam', dict(lr=0.01)), ('RAdam', dict(lr=0.01)),
                 ('Adamax', dict(lr=0.01, weight_decay=0.1)), ('ASGD', dict(lr=0.05, weight_decay=0.1)),
                 ('RMSprop', dict(lr=0.01))]:
    w = torch.tensor([0.5, -1.25, 2.0, 0.125], requires_grad=True)
    opt = getattr(torch.optim, name)([w], **kw)
    for i in range(10):
        opt.zero_grad()
        w.grad = torch.tensor([0.3, -0.7, 1.1, 0.05]) * (i % 3 + 1) - w.detach() * 0.1
        opt.step()
    print(name, w.tolist())
""",
"module_instead_of_params": "m = torch.nn.Linear(2, 2); torch.optim.Adam(m)",
"params_method_not_called": "m = torch.nn.Linear(2, 2); torch.optim.Adam(m.parameters)",
"state_dict_of_module_passed": "m = torch.nn.Linear(2, 2); torch.optim.Adam(m.state_dict())",
"list_of_lists": "m = torch.nn.Linear(2, 2); torch.optim.SGD([list(m.parameters())], lr=0.1)",
"group_without_params": "m = torch.nn.Linear(2, 2); torch.optim.SGD([{'lr': 0.1}], lr=0.1)",
"group_extra_key": """
m = torch.nn.Linear(2, 2)
opt = torch.optim.SGD([{'params': m.parameters(), 'foo': 1}], lr=0.1)
print(opt)
""",
"step_closure_not_callable": "w = torch.ones(2, requires_grad=True); opt = torch.optim.SGD([w], lr=0.1); w.grad = torch.ones(2); opt.step(1.0)",
"zero_grad_twice": "w = torch.ones(2, requires_grad=True); opt = torch.optim.SGD([w], lr=0.1); opt.zero_grad(); opt.zero_grad(); R = w.grad",
"load_state_dict_not_dict": "w = torch.ones(2, requires_grad=True); opt = torch.optim.SGD([w], lr=0.1); opt.load_state_dict([1, 2])",
"scheduler_on_module": "m = torch.nn.Linear(2, 2); torch.optim.lr_scheduler.StepLR(m, 2)",
"grad_shape_mismatch": "w = torch.ones(2, requires_grad=True); opt = torch.optim.Adam([w], lr=0.1); w.grad = torch.ones(3)",
"frozen_params": """
m = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Linear(2, 1))
for p in m[0].parameters(): p.requires_grad = False
opt = torch.optim.SGD(filter(lambda p: p.requires_grad, m.parameters()), lr=0.1)
print(len(opt.param_groups[0]['params']))
opt2 = torch.optim.SGD(m.parameters(), lr=0.1)
m(torch.ones(1, 2)).sum().backward(); opt2.step()
R = m[0].weight.grad, len(opt2.state)
""",
"requires_grad_false_param": "w = torch.ones(2); opt = torch.optim.SGD([w], lr=0.1); R = len(opt.param_groups[0]['params'])",
"differentiable_sgd_leaf": """
w = torch.tensor([1., 2.], requires_grad=True)
opt = torch.optim.SGD([w], lr=0.1, differentiable=True)
(w ** 2).sum().backward(); opt.step()
R = w
""",
"differentiable_sgd_nonleaf": """
w0 = torch.tensor([1., 2.], requires_grad=True)
w = w0 * 1.0
w.retain_grad()
opt = torch.optim.SGD([w], lr=0.1, differentiable=True)
(w ** 2).sum().backward(retain_graph=True); opt.step()
w.sum().backward()
R = w, w0.grad
""",
"differentiable_repr": """
w = torch.tensor([1., 2.], requires_grad=True)
opt = torch.optim.Adam([w], lr=0.1, differentiable=True)
print(opt.param_groups[0]['differentiable'])
""",
"differentiable_adam_nonleaf": """
w0 = torch.tensor([1., -2.], requires_grad=True)
w = w0 * 1.0
w.retain_grad()
opt = torch.optim.Adam([w], lr=0.1, differentiable=True, amsgrad=True)
for _ in range(2):
    (w ** 2).sum().backward(retain_graph=True); opt.step()
w.sum().backward()
R = w, w0.grad, opt.state[w]['step']
""",
"differentiable_adamw_lr_tensor": """
lr = torch.tensor(0.1, requires_grad=True)
w0 = torch.tensor([1., -2.], requires_grad=True)
w = w0.clone(); w.retain_grad()
opt = torch.optim.AdamW([w], lr=lr, differentiable=True)
(w ** 2).sum().backward(retain_graph=True); opt.step()
(w ** 2).sum().backward()
R = w, lr.grad
""",
"differentiable_sgd_momentum_lr": """
lr = torch.tensor(0.1, requires_grad=True)
w0 = torch.tensor([1., -2.], requires_grad=True)
w = w0.clone(); w.retain_grad()
opt = torch.optim.SGD([w], lr=lr, momentum=0.9, nesterov=True, differentiable=True)
for _ in range(2):
    w.grad = None
    (w ** 2).sum().backward(retain_graph=True); opt.step()
(w ** 2).sum().backward()
R = w, lr.grad, w0.grad
""",
"differentiable_rmsprop": """
w = torch.tensor([1., -2.], requires_grad=True).clone()
opt = torch.optim.RMSprop([w], differentiable=True)
R = opt.param_groups[0]['differentiable']
""",
"fused_int_param": "w = torch.ones(2, dtype=torch.float64, requires_grad=True); v = torch.ones(2, dtype=torch.float16, requires_grad=True); o = torch.optim.Adam([w, v], fused=True); R = o.defaults['fused']",
"fused_sgd_differentiable": "w = torch.ones(2, requires_grad=True); torch.optim.SGD([w], lr=0.1, fused=True, differentiable=True)",
"fused_adam_step_values": """
w = torch.tensor([1., -2., 3.], requires_grad=True)
opt = torch.optim.AdamW([w], lr=0.1, fused=True)
for _ in range(3):
    opt.zero_grad(); (w ** 2).sum().backward(); opt.step()
R = w, opt.state[w]['step']
""",
"foreach_tensor_lr": "w = torch.ones(2, requires_grad=True); torch.optim.Adam([w], lr=torch.tensor(0.1), foreach=True)",
"tensor_lr_2elem": "w = torch.ones(2, requires_grad=True); torch.optim.Adam([w], lr=torch.tensor([0.1, 0.2]))",
"adam_fused_capturable_state": """
w = torch.tensor([1., -2.], requires_grad=True)
opt = torch.optim.Adam([w], lr=0.1, fused=True)
(w ** 2).sum().backward(); opt.step()
print(opt.state_dict())
""",
"sgd_fused_state": """
w = torch.tensor([1., -2.], requires_grad=True)
opt = torch.optim.SGD([w], lr=0.1, momentum=0.9, fused=True)
for _ in range(2):
    opt.zero_grad(); (w ** 2).sum().backward(); opt.step()
print(opt.state_dict())
R = w
""",
    "half_precision_updates": """
out = {}
cases = [(torch.bfloat16, n, kw) for n, kw in [
    ('SGD', dict(lr=0.1)), ('SGD', dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ('Adam', dict(lr=0.01)), ('AdamW', dict(lr=0.01)), ('Adam', dict(lr=0.01, amsgrad=True, weight_decay=0.1)),
    ('Adagrad', dict(lr=0.1)), ('RMSprop', dict(lr=0.01, centered=True, momentum=0.5)), ('Adadelta', {}),
    ('Adamax', dict(lr=0.01)), ('NAdam', dict(lr=0.01)), ('RAdam', dict(lr=0.01)), ('ASGD', dict(lr=0.05))]]
cases += [(torch.float16, n, kw) for n, kw in [('SGD', dict(lr=0.1)), ('Adam', dict(lr=0.01)), ('Adagrad', dict(lr=0.1)),
                                              ('Adadelta', {}), ('Adamax', dict(lr=0.01)), ('NAdam', dict(lr=0.01))]]
for dtype, name, kw in cases:
    w = (torch.arange(4096.).reshape(64, 64) / 2048 - 1).to(dtype).requires_grad_()
    opt = getattr(torch.optim, name)([w], **kw)
    for i in range(8):
        w.grad = ((torch.arange(4096.) * (i + 1) % 17 - 8) / 8).reshape(64, 64).to(dtype)
        opt.step()
    out[(str(dtype), name, str(kw))] = w
R = out
""",
"list_betas_int_lr": """
w = torch.tensor([1., 2.], requires_grad=True)
opt = torch.optim.Adam([w], lr=1, betas=[0.5, 0.9], eps=0, weight_decay=1e-4)
print(opt)
(w ** 2).sum().backward(); opt.step()
print(opt.state_dict()['param_groups'])
R = w
""",
"numpy_float_lr": """
w = torch.tensor([1., 2.], requires_grad=True)
opt = torch.optim.SGD([w], lr=np.float64(0.1), momentum=np.float32(0.5))
print(opt)
(w ** 2).sum().backward(); opt.step(); opt.step()
R = w
""",
"tensor_lr_sgd_momentum": """
w = torch.tensor([1., 2.], requires_grad=True)
opt = torch.optim.SGD([w], lr=torch.tensor(0.1), momentum=0.9)
print(opt)
for _ in range(3):
    opt.zero_grad(); (w ** 2).sum().backward(); opt.step()
R = w
""",
"tensor_lr_all": """
out = []
for cls in [torch.optim.Adagrad, torch.optim.RMSprop, torch.optim.Adadelta, torch.optim.Adamax, torch.optim.NAdam,
            torch.optim.RAdam, torch.optim.ASGD, torch.optim.Rprop, torch.optim.AdamW]:
    w = torch.tensor([1., -2.], requires_grad=True)
    opt = cls([w], lr=torch.tensor(0.01))
    for _ in range(3):
        opt.zero_grad(); (w ** 2).sum().backward(); opt.step()
    out.append(w)
R = out
""",
    "scalar_parameters": """
outs = {}
for name in ['SGD', 'Adam', 'AdamW', 'RMSprop', 'Adagrad', 'Adadelta', 'Adamax', 'NAdam', 'RAdam', 'ASGD', 'Rprop',
             'Adafactor']:
    w = torch.tensor(1.5, requires_grad=True)
    kw = dict(lr=0.1, momentum=0.9) if name == 'SGD' else dict(lr=0.1)
    if name == 'RMSprop':
        kw.update(centered=True, momentum=0.5)
    opt = getattr(torch.optim, name)([w], **kw)
    for _ in range(3):
        opt.zero_grad(); (w ** 3).backward(); opt.step()
    outs[name] = w.item()
print(outs)
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
