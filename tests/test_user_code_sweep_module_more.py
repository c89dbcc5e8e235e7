"""Sweep of nn.Module mechanics (more user patterns), run as source snippets under ``import torch`` and under
``import ember as torch``: printed output, results, errors and warnings must match.

Each snippet sees ``torch`` (the library under test), ``np`` and ``tmp`` (a fresh directory path as a str); it
prints and/or sets ``R``.  Snippets avoid random values (seeded generators differ between the libraries) unless
only shapes or lengths are compared.  Checkpoint files written by one library are also loaded by the other.
"""
import contextlib
import io
import os
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
    if isinstance(v, (torch.dtype, ember.dtype, torch.Size, ember.Size, torch.device, ember.device)):
        return str(v).replace("ember.", "torch.")
    if isinstance(v, float):
        return round(v, 6)
    return v


def run_snippet(src, lib, tmp):
    out = io.StringIO()
    env = {"torch": lib, "np": np, "tmp": tmp}
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


def check(src, tmp_path):
    a, b = tmp_path / "ember", tmp_path / "torch"
    a.mkdir(), b.mkdir()
    got, want = run_snippet(src, ember, str(a)), run_snippet(src, torch, str(b))
    assert got[0] == want[0], "printed output differs"
    assert got[1] == want[1]
    assert got[2] == want[2], "warnings differ"


MORE_MECHANICS = {
"monkeypatch_forward": """
m = torch.nn.Linear(2, 2)
orig = m.forward
m.forward = lambda x: orig(x) * 0 + 7
calls = []
m.register_forward_hook(lambda mod, i, o: calls.append(o.sum().item()))
R = m(torch.ones(1, 2)), calls
""",
"property_attribute_error_masked": """
nn = torch.nn
class M(nn.Module):
    @property
    def prop(self):
        return self.missing_thing
m = M()
m.prop
""",
"property_ok": """
nn = torch.nn
class M(nn.Module):
    def __init__(self):
        super().__init__(); self.lin = nn.Linear(2, 3)
    @property
    def out_dim(self): return self.lin.out_features
R = M().out_dim, hasattr(M(), 'lin'), hasattr(M(), 'nothing')
""",
"module_init_kwargs": """
class M(torch.nn.Module):
    def __init__(self):
        super().__init__(foo=1)
M()
""",
"module_init_args": """
class M(torch.nn.Module):
    def __init__(self):
        super().__init__(1)
M()
""",
"apply_order": """
nn = torch.nn
m = nn.Sequential(nn.Linear(1, 1), nn.Sequential(nn.ReLU(), nn.Tanh()))
order = []
m.apply(lambda x: order.append(type(x).__name__))
R = order
""",
"modulelist_hook_call_error": """
l = torch.nn.ModuleList([torch.nn.ReLU()])
l.register_forward_hook(lambda *a: None)
l(torch.ones(1))
""",
"bn_half_buffers": """
m = torch.nn.BatchNorm1d(2).half()
R = {k: v.dtype for k, v in m.state_dict().items()}
""",
"deepcopy_after_forward_stores_nonleaf": """
import copy
nn = torch.nn
class M(nn.Module):
    def __init__(self):
        super().__init__(); self.lin = nn.Linear(1, 1)
    def forward(self, x):
        self.last = self.lin(x); return self.last
m = M(); m(torch.ones(1, 1))
copy.deepcopy(m)
""",
"deepcopy_after_forward_nograd": """
import copy
nn = torch.nn
class M(nn.Module):
    def __init__(self):
        super().__init__(); self.lin = nn.Linear(1, 1)
    def forward(self, x):
        self.last = self.lin(x).detach(); return self.last
m = M(); m(torch.ones(1, 1))
m2 = copy.deepcopy(m)
R = m2.last.shape, m2.lin.weight is not m.lin.weight
""",
"double_init": """
nn = torch.nn
m = nn.Linear(2, 2)
nn.Module.__init__(m)
R = list(m.state_dict()), hasattr(m, 'in_features')
""",
"ema_pattern": """
import copy
nn = torch.nn
model = nn.Linear(2, 1)
with torch.no_grad(): model.weight.fill_(1.); model.bias.fill_(0.)
ema = copy.deepcopy(model)
for p in ema.parameters(): p.requires_grad_(False)
with torch.no_grad(): model.weight.fill_(3.)
decay = 0.5
with torch.no_grad():
    for e, p in zip(ema.parameters(), model.parameters()):
        e.mul_(decay).add_(p, alpha=1 - decay)
R = ema.weight, ema.weight.requires_grad
""",
"ema_state_dict_lerp": """
nn = torch.nn
model = nn.BatchNorm1d(2); ema = nn.BatchNorm1d(2)
with torch.no_grad(): model.weight.fill_(3.); model.running_mean.fill_(1.)
msd = model.state_dict()
for k, v in ema.state_dict().items():
    if v.dtype.is_floating_point:
        v.copy_(v * 0.5 + msd[k].detach() * 0.5)
R = ema.weight, ema.running_mean, ema.num_batches_tracked
""",
"param_groups_by_name_no_decay": """
nn = torch.nn
model = nn.Sequential(nn.Linear(2, 2), nn.LayerNorm(2), nn.Linear(2, 1))
decay, no_decay = [], []
for name, param in model.named_parameters():
    if not param.requires_grad: continue
    if len(param.shape) == 1 or name.endswith('.bias'): no_decay.append(name)
    else: decay.append(name)
R = decay, no_decay
""",
"grad_clip_and_norm_over_params": """
nn = torch.nn
m = nn.Linear(2, 1)
with torch.no_grad(): m.weight.copy_(torch.tensor([[3., 4.]])); m.bias.fill_(0.)
m(torch.tensor([[3., 4.]])).sum().backward()
total = torch.nn.utils.clip_grad_norm_(m.parameters(), max_norm=1.0)
R = total, m.weight.grad, m.bias.grad
""",
"count_params_by_module": """
nn = torch.nn
m = nn.Sequential(nn.Embedding(10, 4), nn.LSTM(4, 3), nn.Linear(3, 2))
for name, mod in m.named_children():
    print(name, type(mod).__name__, sum(p.numel() for p in mod.parameters()))
print([n for n, _ in m[1].named_parameters()])
""",
"state_dict_filter_and_strict_false": """
nn = torch.nn
enc = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
full = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1))
r = full.load_state_dict(enc.state_dict(), strict=False)
R = r.missing_keys, r.unexpected_keys
""",
"module_register_hooks_return_types": """
m = torch.nn.Linear(1, 1)
hs = [m.register_forward_hook(lambda *a: None), m.register_forward_pre_hook(lambda *a: None),
      m.register_full_backward_hook(lambda *a: None), m.register_full_backward_pre_hook(lambda *a: None),
      m.register_state_dict_pre_hook(lambda *a: None), m.register_load_state_dict_post_hook(lambda *a: None)]
R = [type(h).__name__ for h in hs], len(set(h.id for h in hs))
""",
"zero_grad_optimizer_and_module": """
m = torch.nn.Linear(1, 1); opt = torch.optim.SGD(m.parameters(), lr=0.1)
m(torch.ones(1, 1)).sum().backward()
opt.zero_grad(set_to_none=False); a = m.weight.grad.clone()
m(torch.ones(1, 1)).sum().backward(); opt.zero_grad()
R = a, m.weight.grad
""",
}


@pytest.mark.parametrize("name", sorted(MORE_MECHANICS))
def test_module_code(name, tmp_path):
    check(MORE_MECHANICS[name], tmp_path)


def test_nn_modules_utils_helpers():
    import importlib
    mine = importlib.import_module("ember.nn.modules.utils")
    theirs = importlib.import_module("torch.nn.modules.utils")
    for name in ("_single", "_pair", "_triple", "_quadruple"):
        for v in (3, (1, 2), [4, 5, 6]):
            assert getattr(mine, name)(v) == getattr(theirs, name)(v)
    assert mine._ntuple(3)(2) == theirs._ntuple(3)(2)
    assert mine._reverse_repeat_tuple((1, 2, 3), 2) == theirs._reverse_repeat_tuple((1, 2, 3), 2)
    assert mine._list_with_default([None, 3], [1, 2, 5, 6]) == theirs._list_with_default([None, 3], [1, 2, 5, 6])
    assert mine._list_with_default(4, [1, 2]) == theirs._list_with_default(4, [1, 2])
    with pytest.raises(ValueError, match="Input dimension should be at least 3"):
        mine._list_with_default([1, 2], [5, 6])
    sd = {"module.a": 1, "module.b.c": 2, "x": 3}
    mine.consume_prefix_in_state_dict_if_present(sd, "module.")
    assert sd == {"a": 1, "b.c": 2, "x": 3}
