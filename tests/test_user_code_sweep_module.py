"""Sweep of nn.Module mechanics and checkpoint code, run as source snippets under ``import torch`` and under
``import ember as torch``: printed output, results, errors and warnings must match.

Each snippet sees ``torch`` (the library under test), ``np`` and ``tmp`` (a fresh directory path as a str); it
prints and/or sets ``R``.  Snippets avoid random values (seeded generators differ between the libraries) unless
only shapes or lengths are compared.  Checkpoint files written by one library are also loaded by the other.
"""

import pytest
from sweep_harness_module import check


CONTAINERS = {
"plain_list_not_registered": """
nn = torch.nn
class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = [nn.Linear(2, 2), nn.Linear(2, 2)]
        self.ml = nn.ModuleList([nn.Linear(2, 3)])
        self.d = {'a': nn.Linear(2, 2)}
m = M(); print(m)
R = len(list(m.parameters())), list(m.state_dict().keys()), [n for n, _ in m.named_children()]
""",
"modulelist_ops": """
nn = torch.nn
l = nn.ModuleList([nn.Linear(1, 1), nn.ReLU()])
l.append(nn.Tanh()); l.extend([nn.Sigmoid(), nn.GELU()]); l.insert(1, nn.Identity())
print(l); print(type(l[1:3]).__name__, len(l[1:3])); print(l[::2])
del l[0]; print(l)
l2 = l + nn.ModuleList([nn.ELU()]); print(type(l2).__name__, len(l2))
l[0] = nn.Softplus(); print(l[0])
l += [nn.SiLU()]
print(len(l), [type(x).__name__ for x in l])
del l[1:3]; print(l)
R = [k for k, _ in l.named_children()]
""",
"modulelist_index_error": "l = torch.nn.ModuleList([torch.nn.ReLU()]); l[3]",
"modulelist_neg_index_error": "l = torch.nn.ModuleList([torch.nn.ReLU()]); l[-3]",
"modulelist_bad_type": "l = torch.nn.ModuleList([torch.nn.ReLU()]); l.append(3)",
"modulelist_pop": """
l = torch.nn.ModuleList([torch.nn.ReLU(), torch.nn.Tanh(), torch.nn.Sigmoid()])
x = l.pop(1); print(x); print(l)
R = [k for k, _ in l.named_children()]
""",
"moduledict_ops": """
nn = torch.nn
d = nn.ModuleDict({'b': nn.ReLU(), 'a': nn.Tanh()})
d['c'] = nn.Linear(2, 2); d.update({'e': nn.Identity()}); d.update([('f', nn.GELU())])
print(d); print(list(d.keys()), len(d), 'c' in d)
p = d.pop('b'); print(p)
for k, v in d.items(): print(k, type(v).__name__)
del d['a']; print(list(d))
R = [type(v).__name__ for v in d.values()]
""",
"moduledict_keyerror": "d = torch.nn.ModuleDict({'a': torch.nn.ReLU()}); d['zz']",
"moduledict_clear": """
d = torch.nn.ModuleDict({'a': torch.nn.ReLU()}); d.clear(); print(d); R = len(d)
""",
"sequential_ops": """
nn = torch.nn
s = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
s.append(nn.Linear(3, 1)); s.insert(0, nn.Identity()); s.extend([nn.Sigmoid()])
print(s); print(type(s[1:]).__name__); print(s[1:])
s2 = s + nn.Sequential(nn.Tanh()); print(s2)
x = s.pop(0); print(x, len(s))
s3 = s * 2 if hasattr(s, '__mul__') else s
print(len(s3))
R = [k for k, _ in s.named_children()]
""",
"sequential_index_error": "s = torch.nn.Sequential(torch.nn.ReLU()); s[5]",
"sequential_forward_multiple_args": """
s = torch.nn.Sequential(torch.nn.ReLU()); s(torch.ones(1), torch.ones(1))
""",
"sequential_empty": """
s = torch.nn.Sequential(); print(s); R = s(torch.ones(2)), len(s)
""",
"sequential_ordered_slicing": """
from collections import OrderedDict
nn = torch.nn
s = nn.Sequential(OrderedDict(a=nn.Linear(2, 2), b=nn.ReLU(), c=nn.Tanh()))
print(s[1:]); print(s.a); print(s[-1])
R = list(s[1:].state_dict().keys()), [k for k, _ in s[1:].named_children()]
""",
"parameterlist_repr": """
nn = torch.nn
pl = nn.ParameterList([nn.Parameter(torch.ones(2, 3)), nn.Parameter(torch.zeros(4, dtype=torch.float64)),
                      nn.Parameter(torch.ones(1), requires_grad=False)])
print(pl)
pl.append(nn.Parameter(torch.ones(2, dtype=torch.float16)))
pl.extend([nn.Parameter(torch.ones(1))])
print(pl); print(len(pl))
R = [n for n, _ in pl.named_parameters()], list(pl.state_dict().keys())
""",
"parameterlist_non_param": """
pl = torch.nn.ParameterList([torch.ones(2), 'hello', 3]); print(pl)
R = [type(x).__name__ for x in pl], len(list(pl.parameters()))
""",
"parameterdict_ops": """
nn = torch.nn
pd = nn.ParameterDict({'w': nn.Parameter(torch.ones(2, 2)), 'b': torch.zeros(2)})
pd['s'] = nn.Parameter(torch.tensor(3.)); pd.update({'x': nn.Parameter(torch.ones(1))})
print(pd); print(list(pd.keys()), 'w' in pd, len(pd))
v = pd.pop('x'); print(v)
print(type(pd['b']).__name__, pd['b'].requires_grad)
R = [n for n, _ in pd.named_parameters()], list(pd.state_dict().keys()), pd.get('zz'), pd.get('w')
""",
"parameterdict_keyerror": "pd = torch.nn.ParameterDict(); pd['zz']",
"named_parameters_variants": """
nn = torch.nn
class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(2, 2); self.b = self.a
        self.p = nn.Parameter(torch.ones(1)); self.q = self.p
m = M()
R = ([n for n, _ in m.named_parameters()], [n for n, _ in m.named_parameters(prefix='model')],
     [n for n, _ in m.named_parameters(recurse=False)], [n for n, _ in m.named_parameters(remove_duplicate=False)],
     list(m.state_dict().keys()), len(list(m.parameters())),
     [n for n, _ in m.named_modules(remove_duplicate=False)], [n for n, _ in m.named_modules(prefix='x')])
""",
"named_modules_memo": """
nn = torch.nn
s = nn.Sequential(nn.Linear(1, 1), nn.Sequential(nn.ReLU(), nn.Linear(1, 1)))
memo = set()
a = [n for n, _ in s.named_modules(memo=memo)]
b = [n for n, _ in s.named_modules(memo=memo)]
R = a, b, len(memo), [n for n, _ in s.named_children()], [type(c).__name__ for c in s.children()], [type(c).__name__ for c in s.modules()]
""",
"get_submodule": """
nn = torch.nn
s = nn.Sequential(nn.Linear(1, 1), nn.Sequential(nn.ReLU(), nn.Linear(1, 2)))
print(s.get_submodule('1.1')); print(s.get_submodule(''))
print(s.get_parameter('1.1.weight').shape)
R = s.get_parameter('0.bias').shape
""",
"get_submodule_missing": "s = torch.nn.Sequential(torch.nn.Linear(1, 1)); s.get_submodule('0.foo')",
"get_submodule_not_module": "s = torch.nn.Sequential(torch.nn.Linear(1, 1)); s.get_submodule('0.weight')",
"get_parameter_missing": "s = torch.nn.Sequential(torch.nn.Linear(1, 1)); s.get_parameter('0.foo')",
"get_parameter_not_param": """
s = torch.nn.Sequential(torch.nn.BatchNorm1d(2)); s.get_parameter('0.running_mean')""",
"get_buffer": """
s = torch.nn.Sequential(torch.nn.BatchNorm1d(2)); R = s.get_buffer('0.running_mean'), s.get_buffer('0.num_batches_tracked')""",
"get_buffer_missing": "s = torch.nn.Sequential(torch.nn.BatchNorm1d(2)); s.get_buffer('0.weight')",
"get_buffer_missing2": "s = torch.nn.Sequential(torch.nn.BatchNorm1d(2)); s.get_buffer('0.nothing')",
}


REGISTRATION_AND_STATE_DICT = {
"register_buffer_dot": "m = torch.nn.Module(); m.register_buffer('a.b', torch.ones(1))",
"register_buffer_empty": "m = torch.nn.Module(); m.register_buffer('', torch.ones(1))",
"register_buffer_nonstr": "m = torch.nn.Module(); m.register_buffer(1, torch.ones(1))",
"register_buffer_exists": "m = torch.nn.Linear(1, 1); m.register_buffer('weight', torch.ones(1))",
"register_buffer_attr_exists": "m = torch.nn.Linear(1, 1); m.foo = 3; m.register_buffer('foo', torch.ones(1))",
"register_buffer_nontensor": "m = torch.nn.Module(); m.register_buffer('a', [1, 2])",
"register_buffer_none": """
m = torch.nn.Module(); m.register_buffer('a', None); print(m.a)
R = list(m.state_dict().keys()), [n for n, _ in m.named_buffers()]
""",
"register_buffer_before_init": """
class M(torch.nn.Module):
    def __init__(self):
        self.register_buffer('a', torch.ones(1))
M()
""",
"assign_before_init": """
class M(torch.nn.Module):
    def __init__(self):
        self.l = torch.nn.Linear(1, 1)
M()
""",
"param_before_init": """
class M(torch.nn.Module):
    def __init__(self):
        self.w = torch.nn.Parameter(torch.ones(1))
M()
""",
"register_parameter_dot": "m = torch.nn.Module(); m.register_parameter('a.b', torch.nn.Parameter(torch.ones(1)))",
"register_parameter_empty": "m = torch.nn.Module(); m.register_parameter('', torch.nn.Parameter(torch.ones(1)))",
"register_parameter_tensor": "m = torch.nn.Module(); m.register_parameter('a', torch.ones(1))",
"register_parameter_exists": "m = torch.nn.Module(); m.a = 1; m.register_parameter('a', torch.nn.Parameter(torch.ones(1)))",
"register_parameter_nonleaf": """
x = torch.ones(1, requires_grad=True)
m = torch.nn.Module(); m.register_parameter('a', torch.nn.Parameter(x * 2))
R = m.a.is_leaf
""",
"register_parameter_none": """
m = torch.nn.Module(); m.register_parameter('a', None); print(m.a, list(m.parameters()))
R = list(m.state_dict().keys())
""",
"add_module_dot": "m = torch.nn.Module(); m.add_module('a.b', torch.nn.ReLU())",
"add_module_empty": "m = torch.nn.Module(); m.add_module('', torch.nn.ReLU())",
"add_module_nonmodule": "m = torch.nn.Module(); m.add_module('a', 3)",
"add_module_nonstr": "m = torch.nn.Module(); m.add_module(3, torch.nn.ReLU())",
"add_module_exists": "m = torch.nn.Module(); m.a = 3; m.add_module('a', torch.nn.ReLU())",
"register_module_ok": """
m = torch.nn.Module(); m.register_module('r', torch.nn.ReLU()); m.add_module('n', None); print(m)
R = [n for n, _ in m.named_children()], m.n
""",
"setattr_tensor_over_param": "m = torch.nn.Linear(2, 2); m.weight = torch.ones(2, 2)",
"setattr_none_over_param": """
m = torch.nn.Linear(2, 2); m.bias = None; print(m)
R = list(m.state_dict().keys()), m.bias
""",
"setattr_int_over_module": "m = torch.nn.Sequential(torch.nn.ReLU()); m.add_module('x', torch.nn.ReLU()); m.x = 3",
"setattr_buffer_tensor": """
m = torch.nn.BatchNorm1d(2); m.running_mean = torch.tensor([5., 6.])
R = m.state_dict()['running_mean'], [n for n, _ in m.named_buffers()]
""",
"setattr_buffer_nontensor": "m = torch.nn.BatchNorm1d(2); m.running_mean = [1, 2]",
"setattr_param_over_buffer": """
m = torch.nn.BatchNorm1d(2); m.running_mean = torch.nn.Parameter(torch.zeros(2))
""",
"delattr": """
nn = torch.nn
m = nn.Linear(2, 2); del m.bias
m.register_buffer('buf', torch.ones(1)); del m.buf
s = nn.Sequential(nn.ReLU()); del s[0]
m.extra = 5; del m.extra
m.sub = nn.ReLU(); del m.sub
R = list(m.state_dict().keys()), hasattr(m, 'bias'), hasattr(m, 'buf'), len(s), hasattr(m, 'sub')
""",
"delattr_missing": "m = torch.nn.Linear(2, 2); del m.nothing",
"getattr_missing": "m = torch.nn.Linear(2, 2); m.nothing",
"getattr_missing_custom": """
class Net(torch.nn.Module): pass
Net().foo
""",
"dir_contains": """
m = torch.nn.Linear(2, 2); m.register_buffer('buf', torch.ones(1)); m.sub = torch.nn.ReLU()
d = dir(m)
R = [x for x in ['weight', 'bias', 'buf', 'sub', 'forward', 'in_features', 'training', 'state_dict'] if x in d]
""",
"extra_repr_custom": """
nn = torch.nn
class Block(nn.Module):
    def __init__(self, c):
        super().__init__(); self.c = c; self.lin = nn.Linear(c, c)
    def extra_repr(self): return f'channels={self.c}'
class Leaf(nn.Module):
    def extra_repr(self): return 'a=1,\\nb=2'
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList([Block(2), Block(3)])
        self.leaf = Leaf(); self.empty = nn.Module()
        self.d = nn.ModuleDict({'x': nn.Sequential(nn.Linear(1, 1), nn.ReLU(inplace=True))})
print(Net()); print(Leaf()); print(nn.Module())
print(repr(Block(4)))
""",
"repr_repeated_blocks": """
nn = torch.nn
m = nn.Sequential(*[nn.Linear(2, 2) for _ in range(5)], nn.ReLU(), nn.ReLU())
print(m)
l = nn.ModuleList([nn.Sequential(nn.Linear(2, 2), nn.ReLU()) for _ in range(3)]); print(l)
""",
"load_strict_false_repr": """
m = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.BatchNorm1d(2))
r = m.load_state_dict({'0.weight': torch.zeros(2, 2), 'x.y': torch.ones(1), 'z': torch.ones(1)}, strict=False)
print(r); print(repr(r)); print(r.missing_keys); print(r.unexpected_keys)
a, b = r; print(a == r.missing_keys, type(r).__name__)
R = str(r)
""",
"load_strict_ok_repr": """
m = torch.nn.Linear(2, 2); r = m.load_state_dict(m.state_dict()); print(r); print(bool(r) if hasattr(r, '__bool__') else r)
R = tuple(r)
""",
"load_strict_error_full": """
m = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.BatchNorm1d(2))
try:
    m.load_state_dict({'0.weight': torch.zeros(3, 2), 'x.y': torch.ones(1)})
except RuntimeError as e:
    print(str(e))
""",
"load_strict_error_unexpected_only": """
m = torch.nn.Linear(2, 2); sd = m.state_dict(); sd['extra'] = torch.ones(1)
try:
    m.load_state_dict(sd)
except RuntimeError as e:
    print(str(e))
""",
"load_size_mismatch_strict_false": """
m = torch.nn.Linear(2, 2)
try:
    m.load_state_dict({'weight': torch.zeros(3, 2)}, strict=False)
except RuntimeError as e:
    print(str(e))
""",
"load_non_tensor_value": """
m = torch.nn.Linear(2, 2)
try:
    m.load_state_dict({'weight': [1, 2], 'bias': torch.zeros(2)})
except RuntimeError as e:
    print(str(e))
""",
"load_not_mapping": "m = torch.nn.Linear(2, 2); m.load_state_dict([1, 2])",
"load_assign": """
m = torch.nn.Linear(2, 2)
w = torch.arange(4.).reshape(2, 2)
m.load_state_dict({'weight': w, 'bias': torch.zeros(2)}, assign=True)
R = type(m.weight).__name__, m.weight.requires_grad, m.weight.data_ptr() == w.data_ptr(), m.weight
""",
"load_assign_float64": """
m = torch.nn.Linear(2, 2)
m.load_state_dict({'weight': torch.ones(2, 2, dtype=torch.float64), 'bias': torch.zeros(2, dtype=torch.float64)}, assign=True)
R = m.weight.dtype, m.bias
""",
"load_copy_keeps_identity": """
m = torch.nn.Linear(2, 2); w = m.weight
m.load_state_dict({'weight': torch.ones(2, 2), 'bias': torch.zeros(2)})
R = w is m.weight, m.weight, m.weight.requires_grad
""",
"keep_vars": """
m = torch.nn.BatchNorm1d(2)
sd = m.state_dict(keep_vars=True); sd2 = m.state_dict()
R = [type(v).__name__ for v in sd.values()], [type(v).__name__ for v in sd2.values()], sd['weight'] is m.weight, type(sd).__name__
""",
"state_dict_prefix_destination": """
from collections import OrderedDict
m = torch.nn.Linear(1, 1); d = OrderedDict()
out = m.state_dict(destination=d, prefix='lin.')
R = list(out.keys()), out is d, hasattr(out, '_metadata')
""",
"state_dict_metadata": """
m = torch.nn.Sequential(torch.nn.Linear(1, 1), torch.nn.BatchNorm1d(1))
sd = m.state_dict()
R = dict(sd._metadata)
""",
"state_dict_positional_deprecated": """
m = torch.nn.Linear(1, 1); d = {}
m.state_dict(d, 'p.')
R = list(d)
""",
"buffer_persistent": """
nn = torch.nn
class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer('a', torch.ones(2), persistent=False)
        self.register_buffer('b', torch.zeros(2))
m = M()
r = m.load_state_dict({'b': torch.ones(2)})
R = list(m.state_dict()), [n for n, _ in m.named_buffers()], tuple(r), m.b
""",
}


MISC = {
"safe_globals_api": """
import io
R = (hasattr(torch.serialization, 'add_safe_globals'), hasattr(torch.serialization, 'safe_globals'),
     hasattr(torch.serialization, 'get_safe_globals'), hasattr(torch.serialization, 'clear_safe_globals'),
     hasattr(torch.serialization, 'get_unsafe_globals_in_checkpoint'))
""",
"functional_call": """
functional_call = torch.func.functional_call
m = torch.nn.Linear(2, 1)
params = {'weight': torch.ones(1, 2), 'bias': torch.zeros(1)}
out = functional_call(m, params, (torch.tensor([[1., 2.]]),))
R = out, m.weight.shape
""",
"functional_call_buffers_tuple": """
functional_call = torch.func.functional_call
m = torch.nn.BatchNorm1d(2)
x = torch.tensor([[1., 2.], [3., 4.]])
p = dict(m.named_parameters()); b = {k: v.clone() for k, v in m.named_buffers()}
out = functional_call(m, (p, b), (x,))
R = out, b['running_mean'], m.running_mean
""",
"functional_call_grad": """
functional_call, grad = torch.func.functional_call, torch.func.grad
m = torch.nn.Linear(2, 1)
params = {'weight': torch.tensor([[1., 2.]]), 'bias': torch.tensor([0.5])}
x = torch.tensor([[1., 1.]])
def loss(p): return functional_call(m, p, (x,)).sum()
g = grad(loss)(params)
R = g
""",
"functional_call_missing_key_strict": """
functional_call = torch.func.functional_call
m = torch.nn.Linear(2, 1)
functional_call(m, {'weight': torch.ones(1, 2)}, (torch.ones(1, 2),), strict=True)
""",
"functional_call_unexpected": """
functional_call = torch.func.functional_call
m = torch.nn.Linear(2, 1)
functional_call(m, {'weight': torch.ones(1, 2), 'nope': torch.ones(1)}, (torch.ones(1, 2),))
""",
"to_complex_warns": """
m = torch.nn.Linear(2, 2); m.to(torch.complex64); R = m.weight.dtype
""",
"to_empty": """
m = torch.nn.Linear(2, 3); r = m.to_empty(device='cpu')
R = r is m, m.weight.shape, type(m.weight).__name__
""",
"feature_extraction_hooks": """
nn = torch.nn
model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
nn.init.constant_(model[0].weight, 1.); nn.init.constant_(model[0].bias, -1.)
nn.init.constant_(model[2].weight, 2.); nn.init.zeros_(model[2].bias)
activation = {}
def get_activation(name):
    def hook(model, input, output):
        activation[name] = output.detach()
    return hook
model[1].register_forward_hook(get_activation('relu'))
out = model(torch.tensor([[0.25, 0.5]]))
R = activation, out
""",
"moduledict_nonstr_key": "torch.nn.ModuleDict({1: torch.nn.ReLU()})",
"moduledict_iter": """
d = torch.nn.ModuleDict([('x', torch.nn.ReLU()), ('a', torch.nn.Tanh())])
R = list(d), [k for k in d], list(d.values()).__len__()
""",
"moduledict_update_bad": "d = torch.nn.ModuleDict(); d.update(3)",
"len_module_error": "len(torch.nn.Linear(1, 1))",
"iter_module_error": "iter(torch.nn.Linear(1, 1))",
"sequential_add_module_after": """
from collections import OrderedDict
nn = torch.nn
s = nn.Sequential(OrderedDict([('conv', nn.Conv2d(1, 2, 3))]))
s.add_module('relu', nn.ReLU()); s.add_module('pool', nn.MaxPool2d(2))
print(s); R = len(s), type(s[-1]).__name__, [k for k, _ in s.named_children()]
""",
"sequential_setitem_slice": """
s = torch.nn.Sequential(torch.nn.ReLU(), torch.nn.Tanh())
s[0:1] = [torch.nn.ELU()]
""",
"sequential_mul_iadd": """
nn = torch.nn
s = nn.Sequential(nn.ReLU(), nn.Tanh())
s2 = s * 2; print(s2)
s += nn.Sequential(nn.ELU()); print(s)
s3 = 2 * nn.Sequential(nn.ReLU()); print(s3)
R = len(s2), len(s), s2[0] is s2[2]
""",
"sequential_non_module": "torch.nn.Sequential(torch.nn.ReLU(), 3)",
"sequential_dir_and_iter": """
nn = torch.nn
s = nn.Sequential(nn.ReLU(), nn.Tanh())
R = [type(x).__name__ for x in s], [type(x).__name__ for x in reversed(s)] if hasattr(s, '__reversed__') else None, '0' in dir(s)
""",
"modulelist_iadd_and_mul": """
l = torch.nn.ModuleList([torch.nn.ReLU()])
l2 = l + l
print(l2); R = len(l2)
""",
"modulelist_setitem_negative": """
l = torch.nn.ModuleList([torch.nn.ReLU(), torch.nn.Tanh()]); l[-1] = torch.nn.ELU(); print(l)
R = [k for k, _ in l.named_children()]
""",
"modulelist_forward_error": "torch.nn.ModuleList([torch.nn.ReLU()])(torch.ones(1))",
"moduledict_forward_error": "torch.nn.ModuleDict({'a': torch.nn.ReLU()})(torch.ones(1))",
"parameterlist_setitem": """
nn = torch.nn
pl = nn.ParameterList([nn.Parameter(torch.ones(2)), nn.Parameter(torch.ones(2))])
pl[0] = nn.Parameter(torch.zeros(3)); pl[1] = torch.full((2,), 7.)
print(pl)
R = [p for p in pl], [n for n, _ in pl.named_parameters()], type(pl[1]).__name__, pl[-1]
""",
"parameterlist_slice": """
nn = torch.nn
pl = nn.ParameterList([nn.Parameter(torch.ones(i + 1)) for i in range(4)])
s = pl[1:3]; print(type(s).__name__, len(s)); print(s)
R = [p.shape for p in s]
""",
"parameterlist_index_error": "pl = torch.nn.ParameterList([torch.nn.Parameter(torch.ones(1))]); pl[3]",
"parameterlist_in_module": """
nn = torch.nn
class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.ws = nn.ParameterList([nn.Parameter(torch.full((2,), float(i))) for i in range(3)])
    def forward(self, x):
        for w in self.ws: x = x * w
        return x
m = M(); print(m)
y = m(torch.ones(2) * 2); y.sum().backward()
R = y, list(m.state_dict()), [p.grad for p in m.parameters()]
""",
"parameterdict_in_module": """
nn = torch.nn
class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.p = nn.ParameterDict({'scale': nn.Parameter(torch.tensor(2.)), 'shift': nn.Parameter(torch.tensor(1.))})
    def forward(self, x): return x * self.p['scale'] + self.p.shift
m = M(); print(m)
R = m(torch.ones(2)), list(m.state_dict()), sorted(m.p.keys())
""",
"parameterdict_misc": """
nn = torch.nn
pd = nn.ParameterDict({'a': nn.Parameter(torch.ones(1))})
pd2 = pd.copy(); print(type(pd2).__name__, list(pd2))
pd.setdefault('b', nn.Parameter(torch.zeros(1)))
print(list(pd.items())[1][0], list(reversed(pd)) if hasattr(pd, '__reversed__') else None)
k = pd.fromkeys(['x', 'y'], nn.Parameter(torch.ones(1))) if hasattr(pd, 'fromkeys') else None
print(k)
pd3 = pd | nn.ParameterDict({'c': nn.Parameter(torch.ones(1))})
print(pd3)
pd.clear(); R = len(pd)
""",
"module_str_with_params_only": """
nn = torch.nn
class M(nn.Module):
    def __init__(self):
        super().__init__(); self.w = nn.Parameter(torch.ones(3))
print(M()); print(nn.ParameterList())
print(nn.ModuleList()); print(nn.ModuleDict()); print(nn.ParameterDict())
""",
"parameters_count_tutorial": """
nn = torch.nn
model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 6 * 6, 10))
total = sum(p.numel() for p in model.parameters())
trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
for name, param in model.named_parameters():
    print(name, tuple(param.shape), param.requires_grad)
for name, buf in model.named_buffers():
    print(name, tuple(buf.shape), buf.dtype)
R = total, trainable
""",
"state_dict_view_grad": """
m = torch.nn.Linear(2, 2)
sd = m.state_dict()
R = [v.requires_grad for v in sd.values()], [v.is_leaf for v in sd.values()], [v.grad_fn for v in sd.values()]
""",
"half_state_dict_roundtrip": """
import io
m = torch.nn.Linear(2, 2); torch.nn.init.constant_(m.weight, 0.3); m.half()
buf = io.BytesIO(); torch.save(m.state_dict(), buf); buf.seek(0)
m2 = torch.nn.Linear(2, 2); m2.load_state_dict(torch.load(buf))
R = m2.weight.dtype, m2.weight
""",
}


USER_PATTERNS = {
"transfer_learning_replace_head": """
nn = torch.nn
class Backbone(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.fc = nn.Linear(4, 10)
    def forward(self, x): return self.fc(self.features(x))
model = Backbone()
for param in model.parameters():
    param.requires_grad = False
num_ftrs = model.fc.in_features
model.fc = nn.Linear(num_ftrs, 2)
print(model)
params_to_update = [name for name, p in model.named_parameters() if p.requires_grad]
opt = torch.optim.SGD([{'params': model.features.parameters(), 'lr': 1e-4}, {'params': model.fc.parameters()}], lr=1e-2, momentum=0.9)
R = params_to_update, [g['lr'] for g in opt.param_groups], len(opt.param_groups[0]['params'])
""",
"strip_module_prefix": """
from collections import OrderedDict
nn = torch.nn
src = nn.Sequential(nn.Linear(2, 2))
sd = OrderedDict(('module.' + k, v) for k, v in src.state_dict().items())
new_state_dict = OrderedDict()
for k, v in sd.items():
    name = k[7:]
    new_state_dict[name] = v
dst = nn.Sequential(nn.Linear(2, 2)); print(dst.load_state_dict(new_state_dict))
R = list(new_state_dict), all(torch.equal(a, b) for a, b in zip(dst.state_dict().values(), src.state_dict().values()))
""",
"partial_load_update": """
nn = torch.nn
pre = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 5))
with torch.no_grad():
    for p in pre.parameters(): p.fill_(1.)
model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 2))
pretrained_dict = pre.state_dict(); model_dict = model.state_dict()
pretrained_dict = {k: v for k, v in pretrained_dict.items() if k in model_dict and v.shape == model_dict[k].shape}
model_dict.update(pretrained_dict)
print(model.load_state_dict(model_dict))
R = sorted(pretrained_dict), model[0].weight
""",
"weight_tying": """
nn = torch.nn
class LM(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(5, 3); self.out = nn.Linear(3, 5, bias=False)
        self.out.weight = self.emb.weight
m = LM()
R = (list(m.state_dict()), [n for n, _ in m.named_parameters()], len(list(m.parameters())),
     m.out.weight is m.emb.weight, sum(p.numel() for p in m.parameters()))
""",
"weight_tying_load": """
import io
nn = torch.nn
class LM(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(5, 3); self.out = nn.Linear(3, 5, bias=False)
        self.out.weight = self.emb.weight
m = LM()
with torch.no_grad(): m.emb.weight.copy_(torch.arange(15.).reshape(5, 3))
buf = io.BytesIO(); torch.save(m.state_dict(), buf); buf.seek(0)
sd = torch.load(buf)
m2 = LM(); m2.load_state_dict(sd)
R = m2.out.weight is m2.emb.weight, m2.out.weight, sd['emb.weight'].data_ptr() == sd['out.weight'].data_ptr()
""",
"setattr_loop_layers": """
nn = torch.nn
class M(nn.Module):
    def __init__(self, n):
        super().__init__()
        for i in range(n):
            setattr(self, f'layer{i}', nn.Linear(i + 1, i + 2))
        self.n = n
    def forward(self, x):
        for i in range(self.n):
            x = getattr(self, f'layer{i}')(x)
        return x
m = M(3); print(m)
R = m(torch.ones(1, 1)).shape, list(m.state_dict())
""",
"debug_shapes_hooks": """
nn = torch.nn
model = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8, 3))
handles = []
for name, layer in model.named_children():
    handles.append(layer.register_forward_hook(lambda m, i, o, name=name: print(name, type(m).__name__, tuple(i[0].shape), '->', tuple(o.shape))))
model(torch.zeros(2, 1, 4, 4))
for h in handles: h.remove()
model(torch.zeros(2, 1, 4, 4))
""",
"tutorial_print_state_dict": """
nn = torch.nn
import torch.nn.functional as F
""" .replace("import torch.nn.functional as F", "F = torch.nn.functional") + """
class TheModelClass(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5); self.pool = nn.MaxPool2d(2, 2); self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120); self.fc2 = nn.Linear(120, 84); self.fc3 = nn.Linear(84, 10)
model = TheModelClass()
optimizer = torch.optim.SGD(model.parameters(), lr=0.001, momentum=0.9)
print("Model's state_dict:")
for param_tensor in model.state_dict():
    print(param_tensor, "\\t", model.state_dict()[param_tensor].size())
print("Optimizer's state_dict:")
for var_name in optimizer.state_dict():
    print(var_name, "\\t", optimizer.state_dict()[var_name])
""",
"lstm_forward_hook_tuple": """
nn = torch.nn
lstm = nn.LSTM(2, 3, batch_first=True)
seen = []
lstm.register_forward_hook(lambda m, i, o: seen.append((type(o).__name__, tuple(o[0].shape), type(o[1]).__name__, len(o[1]))))
lstm(torch.zeros(1, 4, 2))
R = seen
""",
"hook_replaces_tuple_output": """
nn = torch.nn
class Two(nn.Module):
    def forward(self, x): return x, x * 2
m = Two(); m.register_forward_hook(lambda mod, i, o: (o[1], o[0]))
R = m(torch.ones(1))
""",
"register_parameter_attr_conflict": """
m = torch.nn.Linear(1, 1); m.register_parameter('in_features', torch.nn.Parameter(torch.ones(1)))
""",
"add_module_attr_conflict_param": """
m = torch.nn.Linear(1, 1); m.add_module('weight', torch.nn.ReLU())
""",
"sequential_ordereddict_dotted": """
from collections import OrderedDict
torch.nn.Sequential(OrderedDict([('a.b', torch.nn.ReLU())]))
""",
"moduledict_dotted": "torch.nn.ModuleDict({'a.b': torch.nn.ReLU()})",
"parameterdict_dotted": "torch.nn.ParameterDict({'a.b': torch.nn.Parameter(torch.ones(1))})",
"train_returns_self_repr": """
m = torch.nn.Sequential(torch.nn.Linear(1, 1)); print(m.train()); print(m.eval() is m)
""",
"load_strict_false_shape_mismatch_bn": """
nn = torch.nn
m = nn.BatchNorm1d(3)
try:
    m.load_state_dict({'weight': torch.ones(4), 'bias': torch.zeros(3), 'running_mean': torch.zeros(3),
                       'running_var': torch.ones(3), 'num_batches_tracked': torch.tensor(0)}, strict=False)
except RuntimeError as e:
    print(e)
""",
"load_bn_old_version_no_num_batches": """
from collections import OrderedDict
nn = torch.nn
m = nn.BatchNorm1d(2)
sd = OrderedDict([('weight', torch.ones(2)), ('bias', torch.zeros(2)), ('running_mean', torch.ones(2)), ('running_var', torch.ones(2))])
r = m.load_state_dict(sd)
print(r)
R = m.num_batches_tracked, m.running_mean
""",
"load_scalar_shape_mismatch": """
nn = torch.nn
m = nn.BatchNorm1d(2)
sd = m.state_dict(); sd['num_batches_tracked'] = torch.tensor([3])
try:
    m.load_state_dict(sd)
except RuntimeError as e:
    print(e)
R = m.num_batches_tracked
""",
"load_requires_grad_into_param_under_no_grad": """
m = torch.nn.Linear(1, 1)
src = torch.ones(1, 1, requires_grad=True) * 3
m.load_state_dict({'weight': src, 'bias': torch.zeros(1)})
R = m.weight, m.weight.grad_fn, m.weight.is_leaf
""",
"state_dict_copy_semantics": """
m = torch.nn.Linear(1, 1)
sd = {k: v.clone() for k, v in m.state_dict().items()}
with torch.no_grad(): m.weight.fill_(5.)
m2 = torch.nn.Linear(1, 1); m2.load_state_dict(m.state_dict())
with torch.no_grad(): m.weight.fill_(7.)
R = m2.weight.item(), sd['weight'].item() != 5.
""",
"module_repr_with_lambda_attr": """
nn = torch.nn
class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.act = torch.relu
        self.lin = nn.Linear(2, 2)
        self.scale = 2.0
print(M())
""",
"named_modules_nested_prefix": """
nn = torch.nn
m = nn.Sequential(nn.Sequential(nn.Linear(1, 1), nn.ModuleDict({'k': nn.ReLU()})), nn.ModuleList([nn.Tanh()]))
for name, mod in m.named_modules():
    print(repr(name), type(mod).__name__)
R = [n for n, _ in m.named_parameters()]
""",
"count_module_types": """
nn = torch.nn
m = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU(), nn.Conv2d(2, 2, 3), nn.ReLU())
R = sum(isinstance(x, nn.Conv2d) for x in m.modules()), [type(x).__name__ for x in m.modules() if isinstance(x, (nn.ReLU, nn.BatchNorm2d))]
""",
"bn_eval_freeze": """
nn = torch.nn
m = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
def set_bn_eval(mod):
    if isinstance(mod, nn.BatchNorm1d): mod.eval()
m.train(); m.apply(set_bn_eval)
R = m.training, m[0].training, m[1].training
""",
"parameter_in_list_not_registered": """
nn = torch.nn
class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.ws = [nn.Parameter(torch.ones(1)) for _ in range(3)]
        self.t = torch.ones(2)
m = M()
R = len(list(m.parameters())), list(m.state_dict()), [n for n, _ in m.named_buffers()]
""",
"half_forward": """
m = torch.nn.Linear(2, 2).half()
with torch.no_grad():
    m.weight.copy_(torch.tensor([[1., 2.], [3., 4.]])); m.bias.zero_()
y = m(torch.tensor([[0.5, 0.25]], dtype=torch.float16))
R = y.dtype, y
""",
"double_forward_grad": """
m = torch.nn.Linear(2, 1).double()
with torch.no_grad():
    m.weight.copy_(torch.tensor([[1., 2.]])); m.bias.zero_()
x = torch.tensor([[1., 1.]], dtype=torch.float64, requires_grad=True)
m(x).sum().backward()
R = x.grad, m.weight.grad.dtype
""",
}

TRANSFER_AND_SHARING = {
"children_slice_feature_extractor": """
nn = torch.nn
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3); self.relu = nn.ReLU(); self.pool = nn.AdaptiveAvgPool2d(1)
        self.flat = nn.Flatten(); self.fc = nn.Linear(2, 5)
    def forward(self, x): return self.fc(self.flat(self.pool(self.relu(self.conv(x)))))
model = Net()
features = nn.Sequential(*list(model.children())[:-1])
print(features)
R = features(torch.zeros(1, 1, 5, 5)).shape, list(features.state_dict()), features[0] is model.conv
""",
"replace_head_identity": """
nn = torch.nn
model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
model[2] = nn.Identity()
print(model)
R = model(torch.zeros(1, 3)).shape, list(model.state_dict())
""",
"freeze_by_name": """
nn = torch.nn
model = nn.Sequential()
model.add_module('backbone', nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2)))
model.add_module('head', nn.Linear(2, 1))
for name, child in model.named_children():
    if name in ['backbone']:
        for p in child.parameters(): p.requires_grad = False
R = [(n, p.requires_grad) for n, p in model.named_parameters()]
""",
"inplace_on_leaf_param_error": "m = torch.nn.Linear(1, 1); m.weight.fill_(1.)",
"inplace_add_on_leaf_param_error": "m = torch.nn.Linear(1, 1); m.weight += 1",
"data_inplace_ok": """
m = torch.nn.Linear(1, 1); m.weight.data.fill_(2.); m.bias.data.zero_()
R = m.weight, m.bias, m.weight.requires_grad
""",
"register_buffer_in_forward": """
nn = torch.nn
class M(nn.Module):
    def forward(self, x):
        if not hasattr(self, 'stat'):
            self.register_buffer('stat', x.mean(0).detach())
        return x - self.stat
m = M(); m(torch.tensor([[1., 2.], [3., 4.]]))
R = list(m.state_dict()), m.stat
""",
"share_param_between_models": """
nn = torch.nn
a = nn.Linear(2, 2); b = nn.Linear(2, 2)
b.weight = a.weight
with torch.no_grad(): a.weight.fill_(1.)
opt = torch.optim.SGD(list(a.parameters()) + [b.bias], lr=0.1)
R = b.weight is a.weight, b.weight.sum().item(), len(opt.param_groups[0]['params'])
""",
"model_as_dict_key_and_set": """
nn = torch.nn
a, b = nn.Linear(1, 1), nn.Linear(1, 1)
d = {a: 'a', b: 'b'}
R = d[a], len({a, b, a}), a in [b], a in [a]
""",
"parameters_in_set_and_dict": """
m = torch.nn.Linear(1, 1)
s = set(m.parameters())
d = {p: n for n, p in m.named_parameters()}
R = len(s), m.weight in s, d[m.bias]
""",
}

NESTED_REPRS = {
"repr_multiline_extra_with_children": """
nn = torch.nn
class B(nn.Module):
    def __init__(self):
        super().__init__(); self.l = nn.Linear(1, 1)
    def extra_repr(self): return 'line1\\nline2'
print(B()); print(nn.Sequential(B(), B()))
print(nn.ModuleList([B(), B(), nn.ReLU(), nn.ReLU(), nn.ReLU(), B()]))
""",
"repr_sequential_mixed_repeats": """
nn = torch.nn
print(nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2), nn.Linear(2, 3), nn.ReLU(), nn.ReLU()))
print(nn.ModuleDict({'a': nn.ReLU(), 'b': nn.ReLU()}))
""",
"repr_custom_repr_override": """
nn = torch.nn
class C(nn.Module):
    def __repr__(self): return 'C!'
print(nn.Sequential(C(), nn.ReLU()))
""",
"str_vs_repr_module": """
m = torch.nn.Linear(1, 1)
R = str(m) == repr(m), repr(m), format(m)
""",
}

CONTAINER_UPDATES = {
"containers_update_from_containers": """
nn = torch.nn
d = nn.ModuleDict({'a': nn.ReLU()}); d.update(nn.ModuleDict({'c': nn.Tanh(), 'b': nn.ELU()}))
from_od = nn.ModuleDict(); from_od.update(__import__('collections').OrderedDict([('z', nn.ReLU()), ('y', nn.Tanh())]))
s = nn.Sequential(nn.ReLU()); s.extend(nn.Sequential(nn.Tanh(), nn.ELU()))
pd = nn.ParameterDict({'a': nn.Parameter(torch.ones(1))}); pd.update(nn.ParameterDict({'b': nn.Parameter(torch.zeros(1))}))
R = list(d.keys()), list(from_od.keys()), [k for k, _ in s.named_children()], list(pd.keys())
""",
"moduledict_update_plain_dict_sorted": """
nn = torch.nn
d = nn.ModuleDict(); d.update({'b': nn.ReLU(), 'a': nn.Tanh()})
R = list(d.keys())
""",
"moduledict_update_bad_element": """
torch.nn.ModuleDict().update([('a', torch.nn.ReLU(), 3)])
""",
"moduledict_update_not_pair": """
torch.nn.ModuleDict().update([3])
""",
"parameterlist_none_and_dict_none": """
nn = torch.nn
pl = nn.ParameterList([nn.Parameter(torch.ones(1))]); pl.append(None)
pd = nn.ParameterDict({'a': None})
print(pl); print(pd)
R = len(pl), len(list(pl.parameters())), list(pd.keys())
""",
"sequential_del_slice_renumber": """
nn = torch.nn
s = nn.Sequential(nn.ReLU(), nn.Tanh(), nn.ELU(), nn.GELU())
del s[1:3]
R = [k for k, _ in s.named_children()], [type(m).__name__ for m in s]
""",
}

SNIPPETS = {f"{group}.{name}": src for group, table in (
    ("containers", CONTAINERS), ("registration", REGISTRATION_AND_STATE_DICT), ("misc", MISC),
    ("patterns", USER_PATTERNS),
    ("transfer", TRANSFER_AND_SHARING), ("nested_reprs", NESTED_REPRS),
    ("container_updates", CONTAINER_UPDATES))
    for name, src in table.items()}


@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_module_code(name, tmp_path):
    check(SNIPPETS[name], tmp_path)

