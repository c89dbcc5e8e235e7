"""Sweep of nn.Module hooks, conversions and copies, run as source snippets under ``import torch`` and under
``import ember as torch``: printed output, results, errors and warnings must match.

Each snippet sees ``torch`` (the library under test), ``np`` and ``tmp`` (a fresh directory path as a str); it
prints and/or sets ``R``.  Snippets avoid random values (seeded generators differ between the libraries) unless
only shapes or lengths are compared.  Checkpoint files written by one library are also loaded by the other.
"""

import pytest
from sweep_harness_module import check


HOOKS = {
"forward_hook_basic": """
nn = torch.nn
m = nn.Linear(2, 2); nn.init.ones_(m.weight); nn.init.zeros_(m.bias)
log = []
def hook(mod, inp, out):
    log.append((type(mod).__name__, type(inp).__name__, len(inp), tuple(out.shape)))
    return out * 2
h = m.register_forward_hook(hook)
y1 = m(torch.ones(1, 2)); h.remove(); y2 = m(torch.ones(1, 2))
print(log); print(type(h).__name__, h.id >= 0)
R = y1, y2
""",
"forward_hook_with_kwargs": """
nn = torch.nn
class M(nn.Module):
    def forward(self, x, scale=1.0):
        return x * scale
m = M(); seen = []
def hook(mod, args, kwargs, out):
    seen.append((len(args), sorted(kwargs))); return out + 1
m.register_forward_hook(hook, with_kwargs=True)
def pre(mod, args, kwargs):
    seen.append(('pre', kwargs.get('scale'))); kwargs['scale'] = 3.0; return args, kwargs
m.register_forward_pre_hook(pre, with_kwargs=True)
print(seen)
R = m(torch.ones(2), scale=2.0), seen
""",
"forward_pre_hook_modify": """
m = torch.nn.Identity()
def pre(mod, inp): return inp[0] * 10
def pre2(mod, inp): return (inp[0] + 1,)
m.register_forward_pre_hook(pre); m.register_forward_pre_hook(pre2)
R = m(torch.ones(2))
""",
"forward_pre_hook_prepend": """
m = torch.nn.Identity(); order = []
m.register_forward_pre_hook(lambda mod, i: order.append('a'))
m.register_forward_pre_hook(lambda mod, i: order.append('b'), prepend=True)
m.register_forward_hook(lambda mod, i, o: order.append('c'))
m.register_forward_hook(lambda mod, i, o: order.append('d'), prepend=True)
m(torch.ones(1)); R = order
""",
"forward_hook_always_call": """
class Boom(torch.nn.Module):
    def forward(self, x): raise ValueError('boom')
m = Boom(); calls = []
m.register_forward_hook(lambda mod, i, o: calls.append('always'), always_call=True)
m.register_forward_hook(lambda mod, i, o: calls.append('normal'))
try:
    m(torch.ones(1))
except ValueError as e:
    print('caught', e)
R = calls
""",
"hook_handle_context": """
m = torch.nn.Identity(); calls = []
with m.register_forward_hook(lambda mod, i, o: calls.append(1)):
    m(torch.ones(1))
m(torch.ones(1))
R = calls
""",
"hook_handle_remove_twice": """
m = torch.nn.Identity(); h = m.register_forward_hook(lambda *a: None); h.remove(); h.remove()
R = len(m._forward_hooks)
""",
"hooks_dict_attrs": """
m = torch.nn.Identity()
h = m.register_forward_hook(lambda *a: None); h2 = m.register_forward_pre_hook(lambda *a: None)
R = type(m._forward_hooks).__name__, len(m._forward_hooks), len(m._forward_pre_hooks), h.id in m._forward_hooks
""",
"full_backward_hook": """
nn = torch.nn
m = nn.Linear(2, 3); nn.init.constant_(m.weight, 0.5); nn.init.zeros_(m.bias)
rec = []
def bh(mod, gin, gout):
    rec.append(([None if g is None else tuple(g.shape) for g in gin], [tuple(g.shape) for g in gout]))
    rec.append(gout[0].clone()); rec.append(gin[0].clone())
m.register_full_backward_hook(bh)
x = torch.arange(4.).reshape(2, 2).requires_grad_()
m(x).pow(2).sum().backward()
R = rec, x.grad
""",
"full_backward_hook_modify": """
nn = torch.nn
m = nn.Linear(2, 2); nn.init.eye_(m.weight); nn.init.zeros_(m.bias)
m.register_full_backward_hook(lambda mod, gin, gout: (gin[0] * 3,))
x = torch.ones(1, 2, requires_grad=True)
m(x).sum().backward()
R = x.grad, m.weight.grad
""",
"full_backward_hook_no_input_grad": """
nn = torch.nn
m = nn.Linear(2, 2); nn.init.eye_(m.weight); nn.init.zeros_(m.bias)
rec = []
m.register_full_backward_hook(lambda mod, gin, gout: rec.append((gin, gout[0].shape)))
m(torch.ones(1, 2)).sum().backward()
R = rec
""",
"full_backward_pre_hook": """
nn = torch.nn
m = nn.Linear(2, 2); nn.init.eye_(m.weight); nn.init.zeros_(m.bias)
rec = []
def pre(mod, gout):
    rec.append(gout[0].clone()); return (gout[0] * 10,)
m.register_full_backward_pre_hook(pre)
x = torch.ones(1, 2, requires_grad=True)
m(x).sum().backward()
R = rec, x.grad, m.weight.grad
""",
"backward_hook_sequential": """
nn = torch.nn
s = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1))
for l in (s[0], s[2]):
    nn.init.constant_(l.weight, 1.0); nn.init.zeros_(l.bias)
names = []
for name, mod in s.named_modules():
    if name:
        mod.register_full_backward_hook(lambda mod, gi, go, name=name: names.append((name, go[0].tolist())))
x = torch.tensor([[1., -2.]], requires_grad=True)
s(x).sum().backward()
R = names, x.grad
""",
"legacy_backward_hook_warns": """
m = torch.nn.Linear(2, 2); m.register_backward_hook(lambda *a: None)
m(torch.ones(1, 2, requires_grad=True)).sum().backward()
""",
"mixed_hooks_error": """
m = torch.nn.Linear(2, 2); m.register_backward_hook(lambda *a: None); m.register_full_backward_hook(lambda *a: None)
m(torch.ones(1, 2, requires_grad=True)).sum().backward()
""",
"global_forward_hook": """
nn = torch.nn
calls = []
h = nn.modules.module.register_module_forward_hook(lambda m, i, o: calls.append(type(m).__name__))
h2 = nn.modules.module.register_module_forward_pre_hook(lambda m, i: calls.append('pre-' + type(m).__name__))
s = nn.Sequential(nn.ReLU(), nn.Tanh()); s(torch.ones(1))
h.remove(); h2.remove(); s(torch.ones(1))
R = calls
""",
"global_backward_hook": """
nn = torch.nn
calls = []
h = nn.modules.module.register_module_full_backward_hook(lambda m, gi, go: calls.append(type(m).__name__))
s = nn.Sequential(nn.Linear(1, 1), nn.Tanh()); s(torch.ones(1, 1)).sum().backward()
h.remove()
R = calls
""",
"state_dict_pre_hook": """
nn = torch.nn
m = nn.Linear(1, 1); calls = []
m.register_state_dict_pre_hook(lambda mod, prefix, keep_vars: calls.append((type(mod).__name__, prefix, keep_vars)))
s = nn.Sequential(m); s.state_dict(); s.state_dict(keep_vars=True)
R = calls
""",
"state_dict_post_hook": """
nn = torch.nn
m = nn.Linear(1, 1)
def post(mod, sd, prefix, local_metadata):
    sd[prefix + 'extra'] = torch.tensor(7.)
h = m.register_state_dict_post_hook(post) if hasattr(m, 'register_state_dict_post_hook') else m._register_state_dict_hook(post)
s = nn.Sequential(m)
R = list(s.state_dict().keys())
""",
"state_dict_hook_private": """
m = torch.nn.Linear(1, 1)
def hook(mod, sd, prefix, local_metadata):
    return {k: v * 0 for k, v in sd.items()}
m._register_state_dict_hook(hook)
R = m.state_dict()
""",
"load_pre_hook_private": """
nn = torch.nn
class M(nn.Module):
    def __init__(self):
        super().__init__(); self.lin = nn.Linear(1, 1)
        self._register_load_state_dict_pre_hook(self._rename)
    def _rename(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs):
        for k in list(state_dict):
            if k.startswith(prefix + 'old.'):
                state_dict[k.replace(prefix + 'old.', prefix + 'lin.')] = state_dict.pop(k)
m = M()
r = m.load_state_dict({'old.weight': torch.ones(1, 1), 'old.bias': torch.zeros(1)})
R = tuple(r), m.lin.weight
""",
"load_pre_hook_public": """
nn = torch.nn
m = nn.Linear(1, 1); calls = []
def pre(module, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs):
    calls.append((type(module).__name__, prefix, strict))
h = m.register_load_state_dict_pre_hook(pre)
nn.Sequential(m).load_state_dict({'0.weight': torch.ones(1, 1), '0.bias': torch.ones(1)})
R = calls
""",
"load_post_hook": """
nn = torch.nn
m = nn.Linear(1, 1); calls = []
def post(module, incompatible_keys):
    calls.append((type(module).__name__, list(incompatible_keys.missing_keys), list(incompatible_keys.unexpected_keys)))
    incompatible_keys.unexpected_keys.clear()
m.register_load_state_dict_post_hook(post)
r = m.load_state_dict({'weight': torch.ones(1, 1), 'bias': torch.ones(1), 'junk': torch.ones(1)})
R = calls, tuple(r)
""",
"load_post_hook_error": """
nn = torch.nn
m = nn.Linear(1, 1)
def post(module, incompatible_keys):
    incompatible_keys.missing_keys.append('fake')
m.register_load_state_dict_post_hook(post)
m.load_state_dict({'weight': torch.ones(1, 1), 'bias': torch.ones(1)})
""",
"load_error_msgs_hook": """
nn = torch.nn
class M(nn.Linear):
    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs):
        error_msgs.append('custom problem')
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs)
try:
    M(1, 1).load_state_dict({'weight': torch.ones(1, 1), 'bias': torch.ones(1)})
except RuntimeError as e:
    print(e)
""",
"module_hooks_on_call_kwargs": """
nn = torch.nn
class M(nn.Module):
    def forward(self, x, y=None):
        return x if y is None else x + y
m = M(); seen = []
m.register_forward_pre_hook(lambda mod, args: seen.append(len(args)))
m.register_forward_hook(lambda mod, args, out: seen.append(len(args)))
R = m(torch.ones(1), y=torch.ones(1)), seen
""",
"forward_hook_return_none_keeps": """
m = torch.nn.ReLU(); m.register_forward_hook(lambda mod, i, o: None)
R = m(torch.tensor([-1., 2.]))
""",
"tensor_register_hook_in_forward": """
nn = torch.nn
class M(nn.Module):
    def __init__(self):
        super().__init__(); self.w = nn.Parameter(torch.tensor([1., 2.]))
    def forward(self, x):
        y = x * self.w; y.register_hook(lambda g: g * 2); return y.sum()
m = M(); x = torch.ones(2, requires_grad=True); m(x).backward()
R = m.w.grad, x.grad
""",
}


CONVERSION_AND_COPY = {
"to_dtype_int_buffers": """
nn = torch.nn
m = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
m.register_buffer('idx', torch.arange(3))
w = m[0].weight
m.double()
print({k: v.dtype for k, v in m.state_dict().items()})
R = w is m[0].weight, m[0].weight.dtype, m[1].num_batches_tracked.dtype, m.idx.dtype
""",
"half_bfloat16": """
m = torch.nn.Linear(2, 2)
m.half(); a = m.weight.dtype; m.bfloat16(); b = m.weight.dtype; m.float(); c = m.bias.dtype
m.to(dtype=torch.float64); d = m.weight.dtype
R = a, b, c, d, m.weight.requires_grad, type(m.weight).__name__
""",
"to_device_and_dtype": """
m = torch.nn.Linear(2, 2)
r = m.to('cpu', torch.float64)
r2 = m.to(torch.device('cpu')); r3 = m.cpu()
r4 = m.to(torch.zeros(1, dtype=torch.float16))
R = r is m, r2 is m, r3 is m, r4 is m, m.weight.dtype, m.weight.device
""",
"to_int_dtype_error": "m = torch.nn.Linear(2, 2); m.to(torch.int64)",
"type_method": """
m = torch.nn.Linear(2, 2); m.type(torch.float64)
R = m.weight.dtype, m.bias.dtype
""",
"to_grad_conversion": """
m = torch.nn.Linear(2, 2); m(torch.ones(1, 2)).sum().backward()
m.double()
R = m.weight.grad.dtype, m.weight.grad
""",
"requires_grad_false": """
nn = torch.nn
m = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1))
r = m[0].requires_grad_(False)
R = r is m[0], [p.requires_grad for p in m.parameters()], sum(p.numel() for p in m.parameters() if p.requires_grad)
""",
"freeze_then_train": """
nn = torch.nn
m = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1))
for p in m[0].parameters(): p.requires_grad = False
opt = torch.optim.SGD(filter(lambda p: p.requires_grad, m.parameters()), lr=0.1)
for l in m:
    nn.init.constant_(l.weight, 0.5); nn.init.zeros_(l.bias)
m(torch.ones(1, 2)).sum().backward(); opt.step()
R = m[0].weight.grad, m[1].weight
""",
"apply_init": """
nn = torch.nn
def init(mod):
    if isinstance(mod, nn.Linear):
        nn.init.constant_(mod.weight, 0.1); nn.init.zeros_(mod.bias)
    elif isinstance(mod, nn.Conv2d):
        nn.init.ones_(mod.weight)
m = nn.Sequential(nn.Conv2d(1, 1, 1), nn.Flatten(), nn.Linear(4, 2))
r = m.apply(init)
R = r is m, m[2].weight, m[0].weight
""",
"train_eval_children": """
nn = torch.nn
m = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Dropout(), nn.BatchNorm1d(2)))
m.eval(); a = [x.training for x in m.modules()]
m[1].train(); b = [x.training for x in m.modules()]
m.train(False); c = [x.training for x in m.modules()]
R = a, b, c
""",
"train_bad_mode": "torch.nn.Linear(1, 1).train('yes')",
"zero_grad_variants": """
m = torch.nn.Linear(2, 1)
m(torch.ones(1, 2)).sum().backward()
m.zero_grad(set_to_none=False); a = m.weight.grad
m(torch.ones(1, 2)).sum().backward(); m.zero_grad(); b = m.weight.grad
R = a, b
""",
"deepcopy_module": """
import copy
nn = torch.nn
m = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
nn.init.ones_(m[0].weight)
m2 = copy.deepcopy(m)
m2[0].weight.data.fill_(5.)
R = m[0].weight, m2[0].weight, m2[0].weight is not m[0].weight, type(m2[0].weight).__name__, list(m2.state_dict())
""",
"deepcopy_shared_param": """
import copy
nn = torch.nn
a = nn.Linear(2, 2); m = nn.Sequential(a, a); m2 = copy.deepcopy(m)
R = m2[0] is m2[1], m2[0].weight is m2[1].weight, len(list(m2.parameters()))
""",
"deepcopy_with_grad": """
import copy
m = torch.nn.Linear(2, 1); m(torch.ones(1, 2)).sum().backward()
m2 = copy.deepcopy(m)
R = m2.weight.grad, m2.weight.requires_grad
""",
"deepcopy_nonleaf_error": """
import copy
x = torch.ones(2, requires_grad=True) * 2
copy.deepcopy(x)
""",
"copy_state_dict_deepcopy": """
import copy
m = torch.nn.Linear(2, 2); torch.nn.init.zeros_(m.weight)
best = copy.deepcopy(m.state_dict())
torch.nn.init.ones_(m.weight)
m.load_state_dict(best)
R = m.weight, type(best).__name__
""",
"pickle_module": """
import pickle
m = torch.nn.Sequential(torch.nn.Linear(2, 2)); torch.nn.init.ones_(m[0].weight)
m2 = pickle.loads(pickle.dumps(m))
print(m2)
R = m2[0].weight, type(m2[0].weight).__name__
""",
"pickle_state_dict": """
import pickle
m = torch.nn.Linear(2, 2); torch.nn.init.ones_(m.weight); torch.nn.init.zeros_(m.bias)
sd = pickle.loads(pickle.dumps(m.state_dict()))
R = sd, type(sd).__name__
""",
"parameter_repr": """
p = torch.nn.Parameter(torch.tensor([1., 2.])); print(p); print(repr(p))
q = torch.nn.Parameter(torch.tensor([1., 2.]), requires_grad=False); print(q)
print(torch.nn.Parameter(torch.zeros(2, dtype=torch.float64)))
R = str(p)
""",
"parameter_ops": """
p = torch.nn.Parameter(torch.tensor([1., 2.]))
a = p * 2; b = p.data; c = p.detach(); d = p.clone()
R = (type(a).__name__, type(b).__name__, type(c).__name__, type(d).__name__, isinstance(p, torch.Tensor),
     p.is_leaf, a.grad_fn is not None, type(p[0]).__name__, type(p.view(2)).__name__)
""",
"parameter_int_error": "torch.nn.Parameter(torch.tensor([1, 2]))",
"parameter_int_noreq": """
p = torch.nn.Parameter(torch.tensor([1, 2]), requires_grad=False); print(p); R = p.dtype
""",
"parameter_default": """
p = torch.nn.Parameter(); print(p); R = p.shape, p.requires_grad
""",
"parameter_deepcopy": """
import copy
p = torch.nn.Parameter(torch.tensor([1., 2.])); q = copy.deepcopy(p)
R = type(q).__name__, q, q is not p
""",
"uninitialized_parameter": """
nn = torch.nn
m = nn.LazyLinear(3)
print(m)
print(type(m.weight).__name__)
m(torch.ones(2, 4))
print(m)
R = m.weight.shape, type(m.weight).__name__
""",
"buffer_class": """
nn = torch.nn
class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.b = nn.Buffer(torch.ones(2))
        self.c = nn.Buffer(torch.zeros(1), persistent=False)
m = M()
R = list(m.state_dict()), [n for n, _ in m.named_buffers()], type(m.b).__name__
""",
"module_call_vs_forward": """
nn = torch.nn
class M(nn.Module):
    def __init__(self):
        super().__init__(); self.l = nn.Linear(1, 1)
    def forward(self, x): return self.l(x)
m = M(); calls = []
m.l.register_forward_hook(lambda *a: calls.append(1))
m(torch.ones(1, 1)); m.forward(torch.ones(1, 1))
R = len(calls)
""",
"module_no_forward": "torch.nn.Module()(torch.ones(1))",
"module_forward_wrong_args": """
m = torch.nn.Linear(2, 2); m(torch.ones(2), torch.ones(2))
""",
"named_buffers_options": """
nn = torch.nn
s = nn.Sequential(nn.BatchNorm1d(1), nn.Sequential(nn.BatchNorm1d(1)))
R = [n for n, _ in s.named_buffers(prefix='p')], [n for n, _ in s.named_buffers(recurse=False)], len(list(s.buffers()))
""",
"parameters_generator": """
m = torch.nn.Linear(2, 2)
g = m.parameters()
R = type(g).__name__, len(list(g)), len(list(g))
""",
"module_eq_hash": """
a = torch.nn.Linear(1, 1); b = torch.nn.Linear(1, 1)
R = a == a, a == b, len({a, b, a})
""",
"compile_like_attrs": """
m = torch.nn.Linear(2, 2)
R = m.__class__.__name__, m._get_name(), m.training, m.in_features, sorted(m._parameters), sorted(m._buffers), sorted(m._modules)
""",
"share_memory": """
m = torch.nn.Linear(2, 2); r = m.share_memory(); R = r is m
""",
"extra_state": """
nn = torch.nn
class M(nn.Module):
    def __init__(self):
        super().__init__(); self.lin = nn.Linear(1, 1); self.counter = 0
    def get_extra_state(self): return {'counter': self.counter}
    def set_extra_state(self, state): self.counter = state['counter']
m = M(); m.counter = 5
sd = m.state_dict(); print(list(sd)); print(sd['_extra_state'])
m2 = M(); m2.load_state_dict(sd)
R = m2.counter
""",
}


PARAMETERS_AND_MORE_HOOKS = {
"print_state_dict": """
m = torch.nn.Linear(2, 2)
with torch.no_grad():
    m.weight.copy_(torch.tensor([[1., 2.], [3., 4.]])); m.bias.fill_(0.5)
print(m.state_dict()); print(m.state_dict().keys()); print(m.state_dict().values().__class__.__name__)
print(list(m.parameters())); print(dict(m.named_parameters()))
print(m.state_dict(keep_vars=True))
""",
"print_bn_state_dict": """
print(torch.nn.BatchNorm1d(2).state_dict())
""",
"print_module_iter_items": """
s = torch.nn.Sequential(torch.nn.Linear(1, 1))
print(list(s.named_children())); print(list(s.children()))
print(next(s.modules()) is s)
""",
"parameter_to_dtype_type": """
p = torch.nn.Parameter(torch.ones(2))
a = p.double(); b = p.to(torch.float16); c = p.float(); d = p.detach(); e = p + 0
R = [type(x).__name__ for x in (a, b, c, d, e)], c is p, a.requires_grad, a.is_leaf
""",
"parameter_shares_memory": """
t = torch.zeros(3)
p = torch.nn.Parameter(t)
t[0] = 5.
R = p, p.data_ptr() == t.data_ptr()
""",
"parameter_data_assign": """
m = torch.nn.Linear(2, 2)
m.weight.data = torch.arange(4.).reshape(2, 2)
m.bias.data.fill_(1.)
R = m.weight, type(m.weight).__name__, m.weight.requires_grad
""",
"parameter_data_assign_shape_change": """
m = torch.nn.Linear(2, 2)
m.weight.data = torch.ones(3, 3)
R = m.weight.shape, m.state_dict()['weight'].shape
""",
"parameter_grad_repr": """
p = torch.nn.Parameter(torch.tensor([1., 2.]))
(p * p).sum().backward()
print(p.grad); print(p)
p.grad = None
print(p.grad)
""",
"parameter_bfloat16_repr": """
print(torch.nn.Parameter(torch.tensor([1.5, 2.], dtype=torch.bfloat16)))
print(torch.nn.Parameter(torch.tensor(3.)))
print(torch.nn.Parameter(torch.zeros(0)))
""",
"parameter_isinstance": """
p = torch.nn.Parameter(torch.ones(1))
R = isinstance(p, torch.nn.Parameter), isinstance(p, torch.Tensor), isinstance(torch.ones(1), torch.nn.Parameter), type(p) is torch.nn.Parameter, torch.nn.Parameter.__name__, torch.is_tensor(p)
""",
"uninitialized_parameter_repr_and_errors": """
p = torch.nn.UninitializedParameter()
print(p)
R = type(p).__name__, isinstance(p, torch.nn.Parameter)
""",
"uninitialized_parameter_shape_error": """
p = torch.nn.UninitializedParameter(); p.shape
""",
"buffer_register_parameter_object": """
m = torch.nn.Module()
m.register_buffer('b', torch.nn.Parameter(torch.ones(1)))
R = type(m.b).__name__, [n for n, _ in m.named_buffers()], [n for n, _ in m.named_parameters()]
""",
"requires_grad_default": """
m = torch.nn.Linear(1, 1); m.requires_grad_(False); m.requires_grad_()
R = [p.requires_grad for p in m.parameters()]
""",
"add_param_group": """
m1, m2 = torch.nn.Linear(1, 1), torch.nn.Linear(1, 1)
opt = torch.optim.SGD(m1.parameters(), lr=0.1)
opt.add_param_group({'params': m2.parameters(), 'lr': 0.01})
R = [len(g['params']) for g in opt.param_groups], [g['lr'] for g in opt.param_groups]
""",
"add_param_group_duplicate": """
m1 = torch.nn.Linear(1, 1)
opt = torch.optim.SGD(m1.parameters(), lr=0.1)
opt.add_param_group({'params': m1.weight})
""",
"forward_hook_kwargs_only_forward": """
class M(torch.nn.Module):
    def forward(self, *, x): return x + 1
m = M(); seen = []
m.register_forward_hook(lambda mod, args, out: seen.append(args))
R = m(x=torch.ones(1)), seen
""",
"backward_hook_tuple_output": """
nn = torch.nn
class Split(nn.Module):
    def forward(self, x): return x * 2, x * 3
m = Split(); rec = []
m.register_full_backward_hook(lambda mod, gi, go: rec.append((len(gi), len(go), [g.tolist() if g is not None else None for g in go])))
x = torch.ones(2, requires_grad=True)
a, b = m(x); (a.sum() + 2 * b.sum()).backward()
R = rec, x.grad
""",
"backward_hook_two_inputs": """
nn = torch.nn
class Add(nn.Module):
    def forward(self, x, y): return x * y
m = Add(); rec = []
m.register_full_backward_hook(lambda mod, gi, go: rec.append([None if g is None else g.tolist() for g in gi]))
x = torch.tensor([2.], requires_grad=True); y = torch.tensor([3.])
m(x, y).sum().backward()
R = rec
""",
"forward_hook_under_no_grad": """
m = torch.nn.Linear(1, 1); seen = []
m.register_forward_hook(lambda mod, i, o: seen.append(o.requires_grad))
with torch.no_grad(): m(torch.ones(1, 1))
m(torch.ones(1, 1))
R = seen
""",
"state_dict_keys_order_registration": """
nn = torch.nn
class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer('z', torch.zeros(1))
        self.b = nn.Linear(1, 1)
        self.a = nn.Parameter(torch.ones(1))
        self.register_buffer('y', torch.zeros(1))
R = list(M().state_dict()), [n for n, _ in M().named_parameters()]
""",
"overwrite_submodule_order": """
nn = torch.nn
class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(1, 1); self.b = nn.Linear(1, 1); self.a = nn.Linear(1, 2)
m = M(); print(m)
R = list(m.state_dict())
""",
"module_attr_becomes_none": """
nn = torch.nn
m = nn.Sequential(nn.Linear(1, 1)); m.extra = nn.ReLU(); m.extra = None
print(m); R = [n for n, _ in m.named_children()], m.extra
""",
"module_float_attribute_shadow": """
nn = torch.nn
m = nn.Linear(1, 1)
m.weight = nn.Parameter(torch.zeros(1, 1))
m.extra_thing = torch.ones(1)
R = list(m.state_dict()), isinstance(m.extra_thing, torch.Tensor), [n for n, _ in m.named_buffers()]
""",
"get_parameter_errors": """
m = torch.nn.Sequential(torch.nn.Linear(1, 1))
for target in ['0.nope', 'x.weight', '0', '']:
    try:
        m.get_parameter(target)
    except Exception as e:
        print(type(e).__name__, e)
""",
"get_submodule_errors": """
m = torch.nn.Sequential(torch.nn.Linear(1, 1))
for target in ['1', '0.weight', '0.x', 'foo.bar']:
    try:
        m.get_submodule(target)
    except Exception as e:
        print(type(e).__name__, e)
""",
"set_submodule": """
nn = torch.nn
m = nn.Sequential(nn.Sequential(nn.Linear(1, 1), nn.ReLU()))
m.set_submodule('0.1', nn.Tanh())
print(m)
try:
    m.set_submodule('0.5.x', nn.ReLU())
except Exception as e:
    print(type(e).__name__, e)
""",
"named_parameters_module_is_none": """
nn = torch.nn
class M(nn.Module):
    def __init__(self):
        super().__init__(); self.a = None; self.register_module('b', None); self.lin = nn.Linear(1, 1)
m = M(); print(m)
R = [n for n, _ in m.named_modules()], list(m.state_dict())
""",
"load_state_dict_into_none_param": """
m = torch.nn.Linear(1, 1, bias=False)
r = m.load_state_dict({'weight': torch.ones(1, 1), 'bias': torch.ones(1)}, strict=False)
print(r)
""",
"backward_hook_mixed_requires_grad": """
nn = torch.nn
rec = []
def h(mod, gi, go): rec.append(('gi', [None if g is None else g.tolist() for g in gi], 'go', [None if g is None else g.tolist() for g in go]))
class Split(nn.Module):
    def forward(self, x): return x * 2, x * 3
m = Split(); m.register_full_backward_hook(h)
x = torch.ones(1, requires_grad=True); a, b = m(x); a.sum().backward()
class Two(nn.Module):
    def forward(self, x, y):
        rec.append(('in-forward', x.requires_grad, y.requires_grad)); return x * y
m = Two(); m.register_full_backward_hook(h)
x = torch.tensor([2.], requires_grad=True); y = torch.tensor([3.])
m(x, y).sum().backward()
x = torch.tensor([2.], requires_grad=True); y = torch.tensor([3.], requires_grad=True)
class Lin(nn.Module):
    def forward(self, x, y): return x * 2
m = Lin(); m.register_full_backward_hook(h); m(x, y).sum().backward()
class IntOut(nn.Module):
    def forward(self, x): return x * 2, torch.tensor([1, 2])
m = IntOut(); m.register_full_backward_hook(h); m(x)[0].sum().backward()
R = rec, x.grad, y.grad
""",
}


LAZY = {
"lazy_state_dict": """
nn = torch.nn
m = nn.LazyLinear(3)
sd = m.state_dict(); print(sd)
print([type(v).__name__ for v in sd.values()])
src = nn.Linear(4, 3)
with torch.no_grad(): src.weight.fill_(1.); src.bias.fill_(2.)
r = m.load_state_dict(src.state_dict()); print(r); print(m)
R = m.weight, type(m.weight).__name__, m.in_features
""",
"lazy_conv_forward": """
nn = torch.nn
m = nn.Sequential(nn.LazyConv2d(2, 3), nn.ReLU(), nn.Flatten(), nn.LazyLinear(1))
print(m)
y = m(torch.zeros(1, 1, 4, 4)); print(m)
R = y.shape, [tuple(p.shape) for p in m.parameters()]
""",
"lazy_has_uninitialized": """
nn = torch.nn
m = nn.LazyLinear(2)
R = m.has_uninitialized_params(), isinstance(m.weight, nn.parameter.UninitializedParameter), torch.nn.parameter.is_lazy(m.weight)
""",
"lazy_deepcopy": """
import copy
m = torch.nn.LazyLinear(2)
m2 = copy.deepcopy(m)
m2(torch.ones(1, 3))
R = type(m.weight).__name__, m2.weight.shape
""",
"lazy_optimizer_warning": """
m = torch.nn.LazyLinear(2)
opt = torch.optim.SGD(m.parameters(), lr=0.1)
""",
"lazy_numel_count": """
m = torch.nn.LazyLinear(2)
sum(p.numel() for p in m.parameters())
""",
}

REPARAMETRIZATION_KEYS = {
"weight_norm_state_dict": """
nn = torch.nn
m = nn.utils.weight_norm(nn.Linear(2, 3))
print(list(m.state_dict())); print([n for n, _ in m.named_parameters()])
R = m.weight_g.shape, m.weight_v.shape
""",
"parametrizations_weight_norm": """
nn = torch.nn
m = nn.utils.parametrizations.weight_norm(nn.Linear(2, 3))
print(list(m.state_dict())); print(m)
R = [n for n, _ in m.named_parameters()]
""",
"spectral_norm_state_dict": """
nn = torch.nn
m = nn.utils.spectral_norm(nn.Linear(2, 3))
R = list(m.state_dict()), [n for n, _ in m.named_parameters()], [n for n, _ in m.named_buffers()]
""",
"parametrize_custom": """
nn = torch.nn
P = nn.utils.parametrize
class Symmetric(nn.Module):
    def forward(self, X): return X.triu() + X.triu(1).transpose(-1, -2)
m = nn.Linear(3, 3)
P.register_parametrization(m, 'weight', Symmetric())
print(m)
R = list(m.state_dict()), torch.equal(m.weight, m.weight.T), P.is_parametrized(m), type(m).__name__
""",
"orthogonal_keys": """
nn = torch.nn
m = nn.utils.parametrizations.orthogonal(nn.Linear(3, 3))
R = list(m.state_dict()), [n for n, _ in m.named_parameters()]
""",
}


WEIGHT_AND_SPECTRAL_NORM_HOOKS = {
"weight_norm_values_and_grads": """
nn = torch.nn
lin = nn.Linear(2, 3)
with torch.no_grad():
    lin.weight.copy_(torch.tensor([[3., 4.], [1., 0.], [0., 2.]])); lin.bias.zero_()
m = nn.utils.weight_norm(lin)
print(list(m.state_dict())); print(m)
y = m(torch.tensor([[1., 1.]]))
with torch.no_grad(): m.weight_g.mul_(2)
y2 = m(torch.tensor([[1., 1.]]))
y2.sum().backward()
R = (m.weight_g, m.weight_v, y, y2, m.weight_g.grad, [[round(x, 5) for x in r] for r in m.weight_v.grad.tolist()],
     type(m.weight).__name__, m.weight.requires_grad)
""",
"weight_norm_dims": """
nn = torch.nn
def mk(**kw):
    c = nn.Conv1d(2, 3, 2)
    with torch.no_grad(): c.weight.copy_(torch.arange(12.).reshape(3, 2, 2))
    return nn.utils.weight_norm(c, **kw)
R = [mk(dim=d).weight_g for d in (0, 1, 2, None, -1)]
""",
"weight_norm_remove": """
nn = torch.nn
lin = nn.Linear(2, 2)
with torch.no_grad(): lin.weight.copy_(torch.tensor([[3., 4.], [0., 2.]]))
m = nn.utils.weight_norm(lin, name='weight')
with torch.no_grad(): m.weight_g.fill_(1.)
m = nn.utils.remove_weight_norm(m)
print(list(m.state_dict()), len(m._forward_pre_hooks))
R = m.weight, type(m.weight).__name__
""",
"weight_norm_errors": """
nn = torch.nn
m = nn.utils.weight_norm(nn.Linear(2, 2))
for f in (lambda: nn.utils.weight_norm(m), lambda: nn.utils.remove_weight_norm(nn.Linear(1, 1)),
          lambda: nn.utils.remove_weight_norm(m, 'bias')):
    try:
        f()
    except Exception as e:
        print(type(e).__name__, e)
""",
"weight_norm_checkpoint_roundtrip": """
import io
nn = torch.nn
def make():
    return nn.Sequential(nn.utils.weight_norm(nn.Conv1d(1, 2, 3)), nn.ReLU(), nn.utils.weight_norm(nn.Conv1d(2, 1, 1)))
a = make()
with torch.no_grad():
    for i, p in enumerate(a.parameters()): p.copy_(torch.linspace(-1, 1, p.numel()).reshape(p.shape) * (i + 1))
buf = io.BytesIO(); torch.save(a.state_dict(), buf); buf.seek(0)
b = make(); print(b.load_state_dict(torch.load(buf)))
x = torch.linspace(0, 1, 8).reshape(1, 1, 8)
R = list(b.state_dict()), torch.equal(a(x), b(x))
""",
"weight_norm_deepcopy_error": """
import copy
m = torch.nn.utils.weight_norm(torch.nn.Linear(2, 2))
copy.deepcopy(m)
""",
"spectral_norm_keys_and_metadata": """
nn = torch.nn
m = nn.utils.spectral_norm(nn.Conv2d(2, 3, 3))
sd = m.state_dict()
print(list(sd)); print(dict(sd._metadata))
t = nn.utils.spectral_norm(nn.ConvTranspose2d(2, 3, 3))
R = m.weight_u.shape, m.weight_v.shape, t.weight_u.shape, t.weight_v.shape, type(m.weight).__name__, m.weight.requires_grad
""",
"spectral_norm_values": """
nn = torch.nn
lin = nn.Linear(3, 2)
with torch.no_grad(): lin.weight.copy_(torch.tensor([[2., 0., 0.], [0., 1., 0.]])); lin.bias.zero_()
m = nn.utils.spectral_norm(lin)
with torch.no_grad():
    m.weight_u.copy_(torch.tensor([0.6, 0.8])); m.weight_v.copy_(torch.tensor([0.6, 0.8, 0.]))
y = m(torch.tensor([[1., 1., 1.]]))
u1, v1 = m.weight_u.clone(), m.weight_v.clone()
m.eval(); y2 = m(torch.tensor([[1., 1., 1.]]))
y2.sum().backward()
R = [round(v, 4) for v in u1.tolist()], [round(v, 4) for v in v1.tolist()], torch.equal(m.weight_u, u1), [round(v, 4) for v in y2.flatten().tolist()], m.weight_orig.grad.shape
""",
"spectral_norm_remove": """
nn = torch.nn
lin = nn.Linear(2, 2)
with torch.no_grad(): lin.weight.copy_(torch.tensor([[4., 0.], [0., 2.]]))
m = nn.utils.spectral_norm(lin)
with torch.no_grad():
    m.weight_u.copy_(torch.tensor([1., 0.])); m.weight_v.copy_(torch.tensor([1., 0.]))
nn.utils.remove_spectral_norm(m)
print(list(m.state_dict()), len(m._forward_pre_hooks), len(m._state_dict_hooks), len(m._load_state_dict_pre_hooks))
R = m.weight, dict(m.state_dict()._metadata)
""",
"spectral_norm_errors": """
nn = torch.nn
m = nn.utils.spectral_norm(nn.Linear(2, 2))
for f in (lambda: nn.utils.spectral_norm(m), lambda: nn.utils.remove_spectral_norm(nn.Linear(1, 1)),
          lambda: nn.utils.spectral_norm(nn.Linear(1, 1), n_power_iterations=0)):
    try:
        f()
    except Exception as e:
        print(type(e).__name__, e)
""",
"spectral_norm_checkpoint_roundtrip": """
import io
nn = torch.nn
a = nn.utils.spectral_norm(nn.Linear(2, 2))
with torch.no_grad():
    a.weight_orig.copy_(torch.tensor([[1., 2.], [3., 4.]])); a.weight_u.copy_(torch.tensor([0.6, 0.8])); a.weight_v.copy_(torch.tensor([0.8, 0.6]))
buf = io.BytesIO(); torch.save(a.state_dict(), buf); buf.seek(0)
b = nn.utils.spectral_norm(nn.Linear(2, 2)); r = b.load_state_dict(torch.load(buf)); print(r)
b.eval(); a.eval()
R = torch.equal(b.weight_u, a.weight_u), torch.allclose(a(torch.ones(1, 2)), b(torch.ones(1, 2)))
""",
"spectral_norm_gan_discriminator": """
nn = torch.nn
SN = nn.utils.spectral_norm
D = nn.Sequential(SN(nn.Conv2d(1, 4, 3, 2, 1)), nn.LeakyReLU(0.2), SN(nn.Conv2d(4, 8, 3, 2, 1)), nn.LeakyReLU(0.2),
                  nn.Flatten(), SN(nn.Linear(8 * 2 * 2, 1)))
print(D)
out = D(torch.zeros(2, 1, 8, 8))
R = out.shape, list(D.state_dict()), sum(p.numel() for p in D.parameters())
""",
}

BACKWARD_HOOK_INT_INPUTS = {
"backward_hook_int_input": """
nn = torch.nn
class G(nn.Module):
    def forward(self, x, idx): return x[idx] * 2
m = G(); rec = []
m.register_full_backward_hook(lambda mod, gi, go: rec.append([None if g is None else (g.dtype, g.tolist()) for g in gi]))
x = torch.tensor([1., 2., 3.], requires_grad=True)
m(x, torch.tensor([0, 2])).sum().backward()
R = rec, x.grad
""",
"backward_hook_embedding": """
nn = torch.nn
e = nn.Embedding(3, 2); rec = []
e.register_full_backward_hook(lambda mod, gi, go: rec.append(([g for g in gi], go[0].shape)))
e(torch.tensor([0, 1])).sum().backward()
R = rec
""",
}

RETURN_VALUES = {
"container_method_returns": """
nn = torch.nn
s = nn.Sequential(); l = nn.ModuleList(); d = nn.ModuleDict(); pl = nn.ParameterList(); pd = nn.ParameterDict()
R = (s.append(nn.ReLU()) is s, s.extend([nn.Tanh()]) is s, s.insert(0, nn.ELU()) is s,
     l.append(nn.ReLU()) is l, l.extend([nn.Tanh()]) is l, l.insert(0, nn.ELU()),
     d.update({'a': nn.ReLU()}), pl.append(nn.Parameter(torch.ones(1))) is pl, pl.extend([]) is pl,
     pd.update({'a': nn.Parameter(torch.ones(1))}), m_ret if (m_ret := nn.Module().register_buffer('b', None)) else None,
     nn.Module().add_module('x', None), nn.Module().register_parameter('p', None))
""",
"module_methods_return_self": """
m = torch.nn.Linear(1, 1)
R = [x is m for x in (m.train(), m.eval(), m.float(), m.double(), m.half(), m.bfloat16(), m.cpu(), m.to('cpu'),
     m.requires_grad_(), m.apply(lambda x: None), m.share_memory(), m.type(torch.float32), m.to_empty(device='cpu'))], m.zero_grad()
""",
}

SNIPPETS = {f"{group}.{name}": src for group, table in (
    ("hooks", HOOKS), ("conversion", CONVERSION_AND_COPY), ("parameters", PARAMETERS_AND_MORE_HOOKS), ("lazy", LAZY),
    ("reparam", REPARAMETRIZATION_KEYS), ("norm_hooks", WEIGHT_AND_SPECTRAL_NORM_HOOKS),
    ("int_inputs", BACKWARD_HOOK_INT_INPUTS), ("returns", RETURN_VALUES))
    for name, src in table.items()}


@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_module_code(name, tmp_path):
    check(SNIPPETS[name], tmp_path)
