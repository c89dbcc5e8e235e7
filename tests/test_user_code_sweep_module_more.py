"""Sweep of nn.Module mechanics (more user patterns), run as source snippets under ``import torch`` and under
``import ember as torch``: printed output, results, errors and warnings must match.

Each snippet sees ``torch`` (the library under test), ``np`` and ``tmp`` (a fresh directory path as a str); it
prints and/or sets ``R``.  Snippets avoid random values (seeded generators differ between the libraries) unless
only shapes or lengths are compared.  Checkpoint files written by one library are also loaded by the other.
"""

import pytest
from sweep_harness_module import check


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


HOOK_AND_CONTAINER_EDGES = {
"print_moduledict_views": """
d = torch.nn.ModuleDict({'a': torch.nn.ReLU(), 'b': torch.nn.Tanh()})
print(type(d.keys()).__name__, type(d.items()).__name__, type(d.values()).__name__)
print(list(d.items()))
pd = torch.nn.ParameterDict({'w': torch.nn.Parameter(torch.ones(1))})
print(type(pd.keys()).__name__, list(pd.keys()), list(pd.values()))
""",
"sequential_numpy_index": """
s = torch.nn.Sequential(torch.nn.ReLU(), torch.nn.Tanh())
R = type(s[np.int64(1)]).__name__, type(s[torch.tensor(0).item()]).__name__
""",
"sequential_index_type_error": "torch.nn.Sequential(torch.nn.ReLU())['a']",
"modulelist_index_type_error": "torch.nn.ModuleList([torch.nn.ReLU()])['a']",
"parameterlist_extend_error": "torch.nn.ParameterList().extend(3)",
"modulelist_extend_error": "torch.nn.ModuleList().extend(3)",
"modulelist_extend_nonmodule": "torch.nn.ModuleList().extend([3])",
"pre_hook_kwargs_bad_return": """
m = torch.nn.Identity()
m.register_forward_pre_hook(lambda mod, args, kwargs: args, with_kwargs=True)
m(torch.ones(1))
""",
"clear_hooks_dicts": """
from collections import OrderedDict
m = torch.nn.Linear(1, 1); calls = []
m.register_forward_hook(lambda *a: calls.append('f')); m.register_forward_pre_hook(lambda *a: calls.append('p'))
m._forward_hooks.clear(); m._forward_pre_hooks = OrderedDict()
m(torch.ones(1, 1))
R = calls
""",
"global_registration_hooks": """
mm = torch.nn.modules.module
seen = []
h1 = mm.register_module_buffer_registration_hook(lambda mod, name, buf: seen.append(('buf', name)))
h2 = mm.register_module_parameter_registration_hook(lambda mod, name, p: seen.append(('param', name)))
h3 = mm.register_module_module_registration_hook(lambda mod, name, sub: seen.append(('mod', name)))
m = torch.nn.Sequential(torch.nn.Linear(1, 1)); m.register_buffer('b', torch.ones(1))
h1.remove(); h2.remove(); h3.remove()
torch.nn.Linear(1, 1)
R = seen
""",
"registration_hook_replaces": """
mm = torch.nn.modules.module
made = []
def hook(mod, name, p):
    q = torch.nn.Parameter(p.data.clone()); made.append(q); return q
h = mm.register_module_parameter_registration_hook(hook)
try:
    m = torch.nn.Linear(2, 1)
finally:
    h.remove()
R = m.weight is made[0], m.bias is made[1], len(made)
""",
"forward_hook_with_kwargs_always_call": """
class Boom(torch.nn.Module):
    def forward(self, x, flag=False):
        if flag: raise RuntimeError('flagged')
        return x
m = Boom(); seen = []
m.register_forward_hook(lambda mod, args, kwargs, out: seen.append((len(args), dict(kwargs), out)), with_kwargs=True, always_call=True)
try:
    m(torch.ones(1), flag=True)
except RuntimeError as e:
    print(e)
m(torch.ones(1))
R = len(seen), seen[0][1], seen[0][2]
""",
"hook_modifies_input_inplace": """
m = torch.nn.Identity()
def pre(mod, inp):
    inp[0].mul_(2)
m.register_forward_pre_hook(pre)
x = torch.ones(2)
R = m(x), x
""",
"hooks_on_shared_module": """
nn = torch.nn
shared = nn.Linear(1, 1); calls = []
shared.register_forward_hook(lambda m, i, o: calls.append(1))
model = nn.Sequential(shared, nn.ReLU(), shared)
model(torch.ones(1, 1))
R = len(calls), [n for n, _ in model.named_modules()]
""",
"backward_pre_hook_none_and_remove": """
nn = torch.nn
m = nn.Linear(2, 1)
with torch.no_grad(): m.weight.fill_(1.); m.bias.zero_()
seen = []
h = m.register_full_backward_pre_hook(lambda mod, go: seen.append(go[0].tolist()))
x = torch.ones(1, 2, requires_grad=True)
m(x).sum().backward(); h.remove(); m(x).sum().backward()
R = seen, x.grad
""",
"backward_hook_wrong_count": """
nn = torch.nn
m = nn.Linear(2, 1)
m.register_full_backward_hook(lambda mod, gi, go: (gi[0], gi[0]))
m(torch.ones(1, 2, requires_grad=True)).sum().backward()
""",
"state_dict_pre_hook_modifies_module": """
nn = torch.nn
m = nn.Linear(1, 1)
def pre(mod, prefix, keep_vars):
    with torch.no_grad(): mod.weight.fill_(9.)
m.register_state_dict_pre_hook(pre)
R = m.state_dict()['weight']
""",
"load_state_dict_post_hook_on_child": """
nn = torch.nn
s = nn.Sequential(nn.Linear(1, 1), nn.Linear(1, 1)); calls = []
s[1].register_load_state_dict_post_hook(lambda mod, keys: calls.append((list(keys.missing_keys), list(keys.unexpected_keys))))
s.load_state_dict({'0.weight': torch.ones(1, 1), '0.bias': torch.ones(1), 'junk': torch.ones(1)}, strict=False)
R = calls
""",
"named_parameters_after_del": """
nn = torch.nn
m = nn.Sequential(nn.Linear(1, 1), nn.Linear(1, 1))
del m[0]
m.add_module('extra', nn.Linear(1, 1))
R = [n for n, _ in m.named_parameters()], len(m), type(m[-1]).__name__
""",
"sequential_getattr_digit": """
s = torch.nn.Sequential(torch.nn.ReLU(), torch.nn.Tanh())
R = type(getattr(s, '1')).__name__, type(s._modules['0']).__name__
""",
}

STATE_DICT_OVERRIDES = {
"custom_version_and_load_override": """
nn = torch.nn
class Block(nn.Module):
    _version = 2
    def __init__(self):
        super().__init__(); self.proj = nn.Linear(2, 2)
    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs):
        version = local_metadata.get('version', None)
        print('loading', repr(prefix), version)
        if version is None or version < 2:
            for k in list(state_dict):
                if k.startswith(prefix + 'fc.'):
                    state_dict[prefix + 'proj.' + k[len(prefix) + 3:]] = state_dict.pop(k)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs)
m = nn.Sequential(Block())
sd = m.state_dict(); print(dict(sd._metadata))
old = {'0.fc.weight': torch.ones(2, 2), '0.fc.bias': torch.zeros(2)}
print(m.load_state_dict(old))
print(m.load_state_dict(sd))
R = m[0].proj.weight
""",
"custom_save_to_state_dict": """
nn = torch.nn
class M(nn.Module):
    def __init__(self):
        super().__init__(); self.lin = nn.Linear(1, 1); self.scale = torch.tensor(3.)
    def _save_to_state_dict(self, destination, prefix, keep_vars):
        super()._save_to_state_dict(destination, prefix, keep_vars)
        destination[prefix + 'scale'] = self.scale
    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs):
        key = prefix + 'scale'
        if key in state_dict:
            self.scale = state_dict.pop(key)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs)
m = nn.Sequential(M())
sd = m.state_dict(); print(list(sd))
sd['0.scale'] = torch.tensor(7.)
m2 = nn.Sequential(M()); print(m2.load_state_dict(sd))
R = m2[0].scale
""",
"state_dict_local_metadata_positional": """
nn = torch.nn
m = nn.Linear(1, 1)
sd = m.state_dict()
sd._metadata[''] = {'version': 0}
R = m.load_state_dict(sd).missing_keys
""",
"module_getstate_setstate": """
import pickle
nn = torch.nn
m = nn.Linear(2, 2)
st = m.__getstate__()
R = sorted(k for k in st if not k.startswith('_')), '_parameters' in st
""",
"pickle_module_with_hooks_named_fn": """
import pickle
nn = torch.nn
m = nn.Linear(1, 1)
m.register_forward_hook(print)
m2 = pickle.loads(pickle.dumps(m))
R = len(m2._forward_hooks)
""",
"load_state_dict_mismatch_multiple": """
nn = torch.nn
m = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))
try:
    m.load_state_dict({'0.weight': torch.zeros(2, 2), '0.bias': torch.zeros(3), '1.weight': torch.zeros(1, 2), '1.bias': torch.zeros(1), 'x': torch.ones(1)})
except RuntimeError as e:
    print(e)
""",
"load_state_dict_missing_nested_custom": """
nn = torch.nn
class Enc(nn.Module):
    def __init__(self):
        super().__init__(); self.layers = nn.ModuleList([nn.Linear(1, 1) for _ in range(2)]); self.norm = nn.LayerNorm(1)
class Model(nn.Module):
    def __init__(self):
        super().__init__(); self.encoder = Enc(); self.head = nn.Linear(1, 2)
m = Model()
sd = m.state_dict(); del sd['encoder.layers.1.bias']; sd['head.weight'] = torch.zeros(3, 1); sd['decoder.w'] = torch.ones(1)
try:
    m.load_state_dict(sd)
except RuntimeError as e:
    print(e)
print(m.load_state_dict({k: v for k, v in m.state_dict().items() if 'head' not in k}, strict=False))
""",
"load_state_dict_empty_dict_strict": """
m = torch.nn.Linear(1, 1)
try:
    m.load_state_dict({})
except RuntimeError as e:
    print(e)
""",
"load_state_dict_ordered_vs_plain": """
from collections import OrderedDict
m = torch.nn.Linear(2, 1)
r1 = m.load_state_dict(OrderedDict(weight=torch.ones(1, 2), bias=torch.ones(1)))
r2 = m.load_state_dict(dict(bias=torch.zeros(1), weight=torch.zeros(1, 2)))
R = tuple(r1), tuple(r2), m.weight
""",
"load_state_dict_into_int_buffer_from_float": """
m = torch.nn.BatchNorm1d(2)
sd = m.state_dict(); sd['num_batches_tracked'] = torch.tensor(5.7)
m.load_state_dict(sd)
R = m.num_batches_tracked
""",
"load_state_dict_from_parameter_values": """
a = torch.nn.Linear(2, 2); b = torch.nn.Linear(2, 2)
with torch.no_grad(): a.weight.fill_(2.)
b.load_state_dict(dict(a.named_parameters()))
R = b.weight, b.weight is not a.weight, b.weight.requires_grad
""",
"load_state_dict_shared_source": """
a = torch.nn.Linear(2, 2)
t = torch.ones(2, 2)
b = torch.nn.Linear(2, 2); b.load_state_dict({'weight': t, 'bias': torch.zeros(2)})
t.fill_(5.)
R = b.weight
""",
"load_state_dict_noncontiguous_source": """
b = torch.nn.Linear(2, 3)
b.load_state_dict({'weight': torch.arange(6.).reshape(2, 3).t(), 'bias': torch.zeros(3)})
R = b.weight, b.weight.is_contiguous()
""",
"load_state_dict_broadcastable_shape_error": """
b = torch.nn.Linear(2, 3)
b.load_state_dict({'weight': torch.ones(1, 2), 'bias': torch.zeros(3)})
""",
"load_state_dict_scalar_into_1elem": """
b = torch.nn.Linear(2, 1)
b.load_state_dict({'weight': torch.ones(1, 2), 'bias': torch.tensor(3.)})
""",
}


NN_UTILS = {
"params_to_vector": """
m = torch.nn.Linear(2, 2)
with torch.no_grad(): m.weight.copy_(torch.tensor([[1., 2.], [3., 4.]])); m.bias.copy_(torch.tensor([5., 6.]))
v = torch.nn.utils.parameters_to_vector(m.parameters())
torch.nn.utils.vector_to_parameters(v * 2, m.parameters())
R = v, m.weight, m.bias
""",
"fuse_conv_bn": """
nn = torch.nn
conv = nn.Conv2d(1, 2, 1); bn = nn.BatchNorm2d(2)
with torch.no_grad():
    conv.weight.copy_(torch.tensor([1., 2.]).reshape(2, 1, 1, 1)); conv.bias.fill_(0.5)
    bn.running_mean.copy_(torch.tensor([0.5, 1.])); bn.running_var.copy_(torch.tensor([4., 1.]))
conv.eval(); bn.eval()
f = torch.nn.utils.fusion.fuse_conv_bn_eval(conv, bn)
x = torch.arange(4.).reshape(1, 1, 2, 2)
R = torch.allclose(f(x), bn(conv(x))), type(f).__name__
""",
"clip_grad_value": """
m = torch.nn.Linear(2, 1)
with torch.no_grad(): m.weight.fill_(1.)
m(torch.tensor([[3., -4.]])).sum().backward()
torch.nn.utils.clip_grad_value_(m.parameters(), 2.)
R = m.weight.grad, m.bias.grad
""",
"get_total_norm": """
g = [torch.tensor([3., 4.]), torch.tensor([12.])]
R = torch.nn.utils.get_total_norm(g), torch.nn.utils.get_total_norm(g, norm_type=1.)
""",
}


DEVICES = {
"map_location_cuda_on_cpu": """
import io
buf = io.BytesIO(); torch.save({'w': torch.ones(2)}, buf); buf.seek(0)
torch.load(buf, map_location='cuda:0')
""",
"map_location_cuda_device_on_cpu": """
import io
buf = io.BytesIO(); torch.save({'w': torch.ones(2)}, buf); buf.seek(0)
torch.load(buf, map_location=torch.device('cuda'))
""",
"map_location_dict_cuda_target": """
import io
buf = io.BytesIO(); torch.save({'w': torch.ones(2)}, buf); buf.seek(0)
R = torch.load(buf, map_location={'cuda:0': 'cpu'})
""",
"cuda_is_available": "R = torch.cuda.is_available(), torch.cuda.device_count()",
}

CONTAINER_OPS = {
"subclass_missing_forward": """
class M(torch.nn.Module):
    pass
M()(torch.ones(1))
""",
"sequential_insert_negative": """
nn = torch.nn
s = nn.Sequential(nn.ReLU(), nn.Tanh())
s.insert(-1, nn.ELU()); print(s)
s.insert(len(s), nn.GELU()); print([type(x).__name__ for x in s])
""",
"sequential_insert_out_of_range": """
s = torch.nn.Sequential(torch.nn.ReLU()); s.insert(5, torch.nn.Tanh())
""",
"sequential_insert_nonmodule": """
s = torch.nn.Sequential(torch.nn.ReLU()); s.insert(0, 3)
""",
"sequential_append_nonmodule": """
s = torch.nn.Sequential(torch.nn.ReLU()); s.append(3)
""",
"modulelist_insert_negative": """
l = torch.nn.ModuleList([torch.nn.ReLU(), torch.nn.Tanh()]); l.insert(-1, torch.nn.ELU()); l.insert(-10, torch.nn.GELU())
R = [type(x).__name__ for x in l], [k for k, _ in l.named_children()]
""",
"parameterlist_iadd": """
nn = torch.nn
pl = nn.ParameterList([nn.Parameter(torch.ones(1))])
pl += [nn.Parameter(torch.zeros(2))]
R = len(pl), [n for n, _ in pl.named_parameters()]
""",
"parameterlist_to_dtype": """
nn = torch.nn
pl = nn.ParameterList([nn.Parameter(torch.ones(1)), nn.Parameter(torch.ones(2))]).double()
pd = nn.ParameterDict({'a': nn.Parameter(torch.ones(1))}).half()
R = [p.dtype for p in pl], pd['a'].dtype, type(pl[0]).__name__
""",
"moduledict_in_sequential_errors": """
nn = torch.nn
s = nn.Sequential(nn.ModuleDict({'a': nn.ReLU()}))
s(torch.ones(1))
""",
"sequential_forward_kwargs_error": """
s = torch.nn.Sequential(torch.nn.ReLU()); s(input=torch.ones(1))
""",
"modulelist_zip_layers_norms": """
nn = torch.nn
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(2)])
        self.norms = nn.ModuleList([nn.LayerNorm(2) for _ in range(2)])
        for l in self.layers:
            nn.init.eye_(l.weight); nn.init.zeros_(l.bias)
    def forward(self, x):
        for layer, norm in zip(self.layers, self.norms):
            x = norm(x + layer(x))
        return x
R = Net()(torch.tensor([[1., 3.]])), list(Net().state_dict())
""",
"dict_of_modules_in_moduledict_comprehension": """
nn = torch.nn
heads = nn.ModuleDict({name: nn.Linear(2, n) for name, n in [('cls', 3), ('box', 4)]})
R = {k: tuple(v(torch.zeros(1, 2)).shape) for k, v in heads.items()}, list(heads.state_dict())
""",
"parameterdict_tensor_conversion": """
nn = torch.nn
pd = nn.ParameterDict({'a': torch.ones(2)})
pd['b'] = torch.zeros(1)
pd['c'] = 'string'
print(pd)
R = [type(v).__name__ for v in pd.values()], [n for n, _ in pd.named_parameters()]
""",
}


CLASS_PATHS_IN_MESSAGES = {
"assign_module_to_param": "m = torch.nn.Linear(1, 1); m.weight = torch.nn.ReLU()",
"assign_param_to_module_slot": "m = torch.nn.Sequential(torch.nn.ReLU()); m.register_module('0', torch.nn.Parameter(torch.ones(1)))",
"assign_tensor_to_submodule": "s = torch.nn.Sequential(torch.nn.ReLU()); setattr(s, '0', torch.ones(1))",
"assign_linear_to_buffer": "m = torch.nn.BatchNorm1d(1); m.running_mean = torch.nn.Linear(1, 1)",
"register_parameter_module": "m = torch.nn.Module(); m.register_parameter('p', torch.nn.ReLU())",
"register_buffer_module": "m = torch.nn.Module(); m.register_buffer('b', torch.nn.ReLU())",
"add_module_tensor": "m = torch.nn.Module(); m.add_module('a', torch.ones(1))",
"sequential_add_bad": "torch.nn.Sequential(torch.nn.ReLU()) + torch.nn.ReLU()",
"sequential_mul_bad": "torch.nn.Sequential(torch.nn.ReLU()) * 0",
"sequential_mul_type": "torch.nn.Sequential(torch.nn.ReLU()) * 1.5",
"sequential_insert_nonmodule": "s = torch.nn.Sequential(torch.nn.ReLU()); s.insert(0, 3)",
"apply_to_non_module": "torch.nn.ModuleList().append(torch.ones(1))",
"load_state_dict_nontensor_value_msg": """
m = torch.nn.Linear(1, 1)
try:
    m.load_state_dict({'weight': 3, 'bias': torch.ones(1)})
except Exception as e:
    print(type(e).__name__, e)
""",
"load_state_dict_not_dict_msg": "torch.nn.Linear(1, 1).load_state_dict(torch.nn.Linear(1, 1))",
"set_submodule_not_module": "m = torch.nn.Sequential(torch.nn.ReLU()); m.set_submodule('0', 3)",
}

MODULE_TO = {
"to_kwargs": """
m = torch.nn.Linear(1, 1)
m.to(device='cpu', dtype=torch.float16, non_blocking=True)
R = m.weight.dtype
""",
"to_too_many": "torch.nn.Linear(1, 1).to('cpu', torch.float32, False, 1)",
"to_dtype_string_error": "torch.nn.Linear(1, 1).to(dtype='float64')",
"module_type_str": """
m = torch.nn.Linear(1, 1)
m.type(torch.DoubleTensor) if hasattr(torch, 'DoubleTensor') else None
R = m.weight.dtype
""",
"float_on_int_buffer_module": """
nn = torch.nn
m = nn.Module(); m.register_buffer('i', torch.tensor([1, 2])); m.register_buffer('f', torch.tensor([1.5]))
m.half(); a = (m.i.dtype, m.f.dtype)
m.float(); b = (m.i.dtype, m.f.dtype)
m.to(torch.float64); c = (m.i.dtype, m.f.dtype)
R = a, b, c
""",
"bool_buffer_unchanged": """
m = torch.nn.Module(); m.register_buffer('mask', torch.tensor([True, False])); m.double()
R = m.mask.dtype
""",
"to_preserves_requires_grad_false": """
m = torch.nn.Linear(1, 1); m.weight.requires_grad_(False); m.double()
R = m.weight.requires_grad, m.bias.requires_grad, type(m.weight).__name__
""",
"to_param_identity_and_optimizer": """
m = torch.nn.Linear(1, 1)
opt = torch.optim.SGD(m.parameters(), lr=1.0)
m.double()
with torch.no_grad(): m.weight.fill_(1.); m.bias.fill_(0.)
m(torch.ones(1, 1, dtype=torch.float64)).sum().backward(); opt.step()
R = m.weight, opt.param_groups[0]['params'][0] is m.weight
""",
}


MODULE_TO_SIGNATURES = {
"module_to_signatures": """
m = torch.nn.Linear(1, 1)
cases = [(('cpu', 'float64'), {}), ((), {'dtype': 'float64'}), ((torch.float64, 'cpu'), {}), ((), {'foo': 1}),
         (('cpu', torch.float32, False, 1), {}), (('cpu',), {'foo': 1, 'bar': 2}), ((torch.ones(1), 'cpu'), {}),
         ((torch.device('cpu'), 1.5), {}), (('cpu',), {'dtype': 'x', 'non_blocking': 3}), ((None,), {}),
         ((None, None), {}), ((torch.float32,), {'device': 'cpu'}), (('cpu',), {'dtype': torch.float64}),
         ((torch.float32, True), {}), (('cpu', torch.float32), {'non_blocking': True}),
         ((torch.ones(1),), {'dtype': torch.float64}), ((), {'device': None, 'dtype': None}),
         ((), {'memory_format': torch.channels_last}), (('cpu',), {'copy': True}), (([1],), {}),
         (('cpu', torch.float32, True, True), {}), (('cpu', 'cpu'), {}), ((torch.nn.Parameter(torch.ones(1)), 'x'), {}),
         ((torch.ones(1, dtype=torch.float16),), {}), ((), {'tensor': torch.ones(1, dtype=torch.float64)})]
for a, k in cases:
    try:
        m.to(*a, **k); print('ok', m.weight.dtype)
    except Exception as e:
        print(type(e).__name__, str(e).split(chr(10))[0])
""",
}

REGISTRATION_ORDER = {
"readd_param_order": """
nn = torch.nn
m = nn.Linear(2, 2); w = m.weight
del m.weight; m.weight = nn.Parameter(torch.ones(2, 2))
R = list(m.state_dict()), [n for n, _ in m.named_parameters()]
""",
"direct_parameters_dict_manipulation": """
nn = torch.nn
m = nn.Linear(2, 2)
m._parameters['weight'] = None
m._parameters['extra'] = nn.Parameter(torch.zeros(1))
m._buffers['buf'] = torch.ones(1)
m._modules['child'] = nn.ReLU()
print(m)
R = list(m.state_dict()), [n for n, _ in m.named_parameters()], m.weight
""",
"non_persistent_then_persistent": """
nn = torch.nn
m = nn.Module()
m.register_buffer('b', torch.ones(1), persistent=False)
m.register_buffer('b', torch.zeros(1), persistent=True)
R = list(m.state_dict()), m._non_persistent_buffers_set
""",
"delete_nonpersistent_buffer": """
nn = torch.nn
m = nn.Module(); m.register_buffer('b', torch.ones(1), persistent=False); del m.b
m.register_buffer('b', torch.ones(1))
R = list(m.state_dict())
""",
"setattr_buffer_none": """
m = torch.nn.BatchNorm1d(2); m.running_mean = None
R = list(m.state_dict()), [n for n, _ in m.named_buffers()]
""",
"parameter_assigned_twice_names": """
nn = torch.nn
class M(nn.Module):
    def __init__(self):
        super().__init__()
        p = nn.Parameter(torch.ones(1))
        self.a = p; self.b = p
        self.register_buffer('x', torch.zeros(1)); self.y = self.x
m = M()
R = [n for n, _ in m.named_parameters()], [n for n, _ in m.named_parameters(remove_duplicate=False)], list(m.state_dict()), isinstance(m.y, torch.Tensor), [n for n, _ in m.named_buffers()]
""",
"buffers_remove_duplicate": """
nn = torch.nn
m = nn.Module(); t = torch.ones(1)
m.register_buffer('a', t); m.register_buffer('b', t)
R = [n for n, _ in m.named_buffers()], [n for n, _ in m.named_buffers(remove_duplicate=False)], list(m.state_dict())
""",
"state_dict_shared_tensor_ids": """
nn = torch.nn
a = nn.Linear(2, 2); m = nn.ModuleDict({'x': a, 'y': a})
sd = m.state_dict()
R = list(sd), sd['x.weight'].data_ptr() == sd['y.weight'].data_ptr()
""",
}


CHECKPOINTING_UTILS = {
"checkpoint_module": """
nn = torch.nn
m = nn.Sequential(nn.Linear(2, 2), nn.Tanh())
with torch.no_grad(): m[0].weight.copy_(torch.tensor([[1., 0.5], [0., 1.]])); m[0].bias.zero_()
x = torch.tensor([[1., 2.]], requires_grad=True)
y = torch.utils.checkpoint.checkpoint(m, x, use_reentrant=False)
y.sum().backward()
R = [round(v, 5) for v in y.flatten().tolist()], [round(v, 5) for v in x.grad.flatten().tolist()], m[0].weight.grad is not None
""",
"checkpoint_sequential": """
nn = torch.nn
m = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1), nn.ReLU())
for l in (m[0], m[2]):
    with torch.no_grad(): l.weight.fill_(0.5); l.bias.fill_(0.1)
x = torch.ones(1, 2, requires_grad=True)
y = torch.utils.checkpoint.checkpoint_sequential(m, 2, x, use_reentrant=False)
y.sum().backward()
R = y, x.grad
""",
}


REPRS = {
"parameterlist_repr_variety": """
nn = torch.nn
pl = nn.ParameterList([nn.Parameter(torch.tensor(1.)), nn.Parameter(torch.zeros(2, dtype=torch.complex64)),
                      nn.Parameter(torch.zeros(2, 3, dtype=torch.bfloat16)), nn.Parameter(torch.zeros(0)),
                      torch.zeros(2, dtype=torch.int64), nn.Parameter(torch.zeros(1, dtype=torch.float16), requires_grad=False)])
print(pl)
pd = nn.ParameterDict({'z': nn.Parameter(torch.tensor(2.)), 'i': torch.zeros(2, dtype=torch.int32), 's': 5})
print(pd)
""",
"nested_container_repr": """
nn = torch.nn
m = nn.ModuleDict({'enc': nn.ModuleList([nn.Sequential(nn.Linear(1, 1), nn.ReLU()), nn.ParameterList([nn.Parameter(torch.ones(1))])]),
                   'p': nn.ParameterDict({'a': nn.Parameter(torch.ones(2))})})
print(m)
""",
"module_with_parameterlist_repr": """
nn = torch.nn
class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.ones(2))
        self.pl = nn.ParameterList([nn.Parameter(torch.ones(3))])
        self.lin = nn.Linear(1, 1)
print(M())
""",
}

LEGACY_BACKWARD_HOOKS = {
"legacy_backward_hook_relu": """
nn = torch.nn
m = nn.ReLU()
rec = []
m.register_backward_hook(lambda mod, gin, gout: rec.append((gin[0].tolist(), gout[0].tolist())))
x = torch.tensor([-1., 2.], requires_grad=True)
(m(x) * torch.tensor([3., 4.])).sum().backward()
R = rec, x.grad
""",
"legacy_backward_hook_modify": """
nn = torch.nn
m = nn.ReLU()
m.register_backward_hook(lambda mod, gin, gout: (gin[0] * 10,))
x = torch.tensor([-1., 2.], requires_grad=True)
m(x).sum().backward()
R = x.grad
""",
"legacy_backward_hook_sequential_warns": """
nn = torch.nn
s = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
s.register_backward_hook(lambda *a: None)
s(torch.ones(1, 2, requires_grad=True)).sum().backward()
""",
}


COPYING = {
"shallow_copy_module": """
import copy
nn = torch.nn
m = nn.Linear(1, 1); c = copy.copy(m)
c.extra = nn.Parameter(torch.ones(1))
R = c.weight is m.weight, c._parameters is m._parameters, list(m.state_dict()), c is not m
""",
"pickle_parameter_and_tensor": """
import pickle
p = torch.nn.Parameter(torch.tensor([1., 2.]), requires_grad=False)
q = pickle.loads(pickle.dumps(p))
t = pickle.loads(pickle.dumps(torch.arange(3).view(3, 1)))
R = type(q).__name__, q.requires_grad, q, t, t.shape
""",
"deepcopy_module_with_hooks": """
import copy
nn = torch.nn
m = nn.Linear(1, 1); calls = []
m.register_forward_hook(lambda mod, i, o: calls.append(type(mod).__name__))
m2 = copy.deepcopy(m); m2(torch.ones(1, 1))
R = calls, len(m2._forward_hooks)
""",
"deepcopy_optimizer_state": """
import copy
m = torch.nn.Linear(1, 1); opt = torch.optim.Adam(m.parameters())
m(torch.ones(1, 1)).sum().backward(); opt.step()
sd = copy.deepcopy(opt.state_dict())
R = sorted(sd['state'][0]), sd['param_groups'][0]['params']
""",
"deepcopy_module_training_flag_and_buffers": """
import copy
m = torch.nn.BatchNorm1d(2); m.eval()
with torch.no_grad(): m.running_mean.fill_(3.)
m2 = copy.deepcopy(m)
R = m2.training, m2.running_mean, m2.running_mean.data_ptr() != m.running_mean.data_ptr()
""",
}

INIT_ORDER = {
"plain_attr_before_init": """
class M(torch.nn.Module):
    def __init__(self):
        self.x = 1
        self.t = torch.ones(1)
        super().__init__()
        self.y = 2
m = M()
R = m.x, m.y, m.t, list(m.state_dict())
""",
"getattr_before_init": """
class M(torch.nn.Module):
    def __init__(self):
        print(hasattr(self, 'training'))
        self.foo
M()
""",
"dataclass_like_module": """
nn = torch.nn
class Cfg:
    hidden = 4
class M(nn.Module):
    def __init__(self, cfg):
        super().__init__(); self.cfg = cfg; self.lin = nn.Linear(cfg.hidden, 1)
m = M(Cfg())
print(m)
R = m.cfg.hidden, list(m.state_dict())
""",
"module_call_with_none_input": """
m = torch.nn.Identity(); R = m(None), m(3), m('s')
""",
"identity_args_ignored": """
m = torch.nn.Identity(54, unused_argument1=0.1); print(m); R = m(torch.ones(1))
""",
"flatten_unflatten_in_seq": """
nn = torch.nn
s = nn.Sequential(nn.Flatten(), nn.Unflatten(1, (2, 2)))
print(s); R = s(torch.zeros(3, 4)).shape
""",
}


GLOBAL_HOOKS = {
"global_hooks_variants": """
mm = torch.nn.modules.module
nn = torch.nn
log = []
hs = [mm.register_module_forward_hook(lambda m, a, k, o: log.append(('fwd_kw', type(m).__name__, sorted(k))), with_kwargs=True),
      mm.register_module_full_backward_pre_hook(lambda m, go: log.append(('bpre', type(m).__name__))),
      mm.register_module_forward_hook(lambda m, a, o: log.append(('always', type(m).__name__)), always_call=True)]
class Boom(nn.Module):
    def forward(self, x, fail=False):
        if fail: raise ValueError('x')
        return x * 2
try:
    b = Boom(); y = b(torch.ones(1, requires_grad=True), fail=False); y.sum().backward()
    try:
        b(torch.ones(1), fail=True)
    except ValueError:
        log.append('raised')
finally:
    for h in hs: h.remove()
b(torch.ones(1))
R = log
""",
"global_legacy_backward_hook": """
mm = torch.nn.modules.module
log = []
h = mm.register_module_backward_hook(lambda m, gi, go: log.append(type(m).__name__))
try:
    torch.nn.ReLU()(torch.ones(1, requires_grad=True)).sum().backward()
finally:
    h.remove()
R = log
""",
"global_and_local_order": """
mm = torch.nn.modules.module
log = []
m = torch.nn.Identity()
m.register_forward_hook(lambda *a: log.append('local'))
m.register_forward_pre_hook(lambda *a: log.append('local_pre'))
h1 = mm.register_module_forward_hook(lambda *a: log.append('global'))
h2 = mm.register_module_forward_pre_hook(lambda *a: log.append('global_pre'))
try:
    m(torch.ones(1))
finally:
    h1.remove(); h2.remove()
R = log
""",
}

SNIPPETS = {f"{group}.{name}": src for group, table in (
    ("mechanics", MORE_MECHANICS), ("edges", HOOK_AND_CONTAINER_EDGES), ("overrides", STATE_DICT_OVERRIDES),
    ("utils", NN_UTILS), ("devices", DEVICES), ("container_ops", CONTAINER_OPS),
    ("class_paths", CLASS_PATHS_IN_MESSAGES),
    ("module_to", MODULE_TO), ("module_to_signatures", MODULE_TO_SIGNATURES),
    ("order", REGISTRATION_ORDER), ("checkpointing", CHECKPOINTING_UTILS), ("reprs", REPRS),
    ("legacy_backward_hooks", LEGACY_BACKWARD_HOOKS), ("copying", COPYING),
    ("init_order", INIT_ORDER), ("global_hooks", GLOBAL_HOOKS)) for name, src in table.items()}


@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_module_code(name, tmp_path):
    check(SNIPPETS[name], tmp_path)


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
