"""Sweep of checkpoint code (torch.save / torch.load), run as source snippets under ``import torch`` and under
``import ember as torch``: printed output, results, errors and warnings must match.

Each snippet sees ``torch`` (the library under test), ``np`` and ``tmp`` (a fresh directory path as a str); it
prints and/or sets ``R``.  Snippets avoid random values (seeded generators differ between the libraries) unless
only shapes or lengths are compared.  Checkpoint files written by one library are also loaded by the other.
"""
import warnings

import numpy as np
import pytest
import torch

import ember
from sweep_harness_module import _norm, check


CHECKPOINTS = {
"save_load_state_dict_file": """
import os
m = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.BatchNorm1d(3))
for p in m.parameters(): torch.nn.init.constant_(p, 0.25)
path = os.path.join(tmp, 'model.pt'); torch.save(m.state_dict(), path)
sd = torch.load(path)
m2 = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.BatchNorm1d(3)); r = m2.load_state_dict(sd)
print(r); print(type(sd).__name__, list(sd))
R = sd, m2[0].weight
""",
"save_checkpoint_dict": """
import os
nn = torch.nn
m = nn.Linear(2, 1); nn.init.constant_(m.weight, 0.5); nn.init.zeros_(m.bias)
opt = torch.optim.Adam(m.parameters(), lr=0.01)
m(torch.ones(3, 2)).sum().backward(); opt.step()
path = os.path.join(tmp, 'ckpt.tar')
torch.save({'epoch': 3, 'model_state_dict': m.state_dict(), 'optimizer_state_dict': opt.state_dict(),
            'loss': 0.5, 'name': 'run1', 'hist': [1, 2.5, None], 'cfg': (1, 'a'), 'flag': True}, path)
ck = torch.load(path, weights_only=True)
m2 = nn.Linear(2, 1); opt2 = torch.optim.Adam(m2.parameters(), lr=0.1)
m2.load_state_dict(ck['model_state_dict']); opt2.load_state_dict(ck['optimizer_state_dict'])
print(ck['epoch'], ck['loss'], ck['name'], ck['hist'], ck['cfg'], ck['flag'])
print(opt2.state_dict()['param_groups'])
R = ck['optimizer_state_dict']['state'], m2.weight, opt2.state_dict()['state']
""",
"save_bytesio": """
import io
buf = io.BytesIO()
torch.save({'a': torch.arange(4), 'b': torch.tensor(2.5)}, buf)
buf.seek(0)
d = torch.load(buf)
R = d
""",
"save_bytesio_no_seek": """
import io
buf = io.BytesIO(); torch.save(torch.ones(2), buf)
d = torch.load(io.BytesIO(buf.getvalue()))
R = d
""",
"load_file_object": """
import os
p = os.path.join(tmp, 'x.pt')
with open(p, 'wb') as f: torch.save([torch.ones(2), 3], f)
with open(p, 'rb') as f: d = torch.load(f)
R = d
""",
"save_pathlib": """
import pathlib
p = pathlib.Path(tmp) / 'y.pth'
torch.save(torch.eye(2), p)
R = torch.load(p), p.exists()
""",
"shared_storage_views": """
import io
x = torch.arange(10.)
v = x[2:5]; w = x.view(2, 5)
buf = io.BytesIO(); torch.save({'x': x, 'v': v, 'w': w}, buf); buf.seek(0)
d = torch.load(buf)
d['x'][3] = 100.
R = d['v'], d['w'], d['v'].storage_offset(), d['w'].shape, d['w'].data_ptr() == d['x'].data_ptr()
""",
"sliced_saves_whole_storage": """
import io
x = torch.arange(1000.)
a = io.BytesIO(); torch.save(x[:2], a)
b = io.BytesIO(); torch.save(x[:2].clone(), b)
y = torch.load(io.BytesIO(a.getvalue()))
R = len(a.getvalue()) > 4000, len(b.getvalue()) < 2000, y, y.storage_offset()
""",
"noncontiguous": """
import io
x = torch.arange(6.).reshape(2, 3).t()
buf = io.BytesIO(); torch.save(x, buf); buf.seek(0); y = torch.load(buf)
R = y, y.stride(), y.is_contiguous()
""",
"dtypes_roundtrip": """
import io
d = {'b': torch.tensor([True, False]), 'i8': torch.tensor([-1, 2], dtype=torch.int8),
     'u8': torch.tensor([255, 1], dtype=torch.uint8), 'i16': torch.tensor([3], dtype=torch.int16),
     'i32': torch.tensor([7], dtype=torch.int32), 'i64': torch.tensor([2**40]),
     'f16': torch.tensor([1.5], dtype=torch.float16), 'bf16': torch.tensor([1.5, -2.], dtype=torch.bfloat16),
     'f64': torch.tensor([1/3], dtype=torch.float64), 'c64': torch.tensor([1+2j], dtype=torch.complex64),
     'c128': torch.tensor([1-1j], dtype=torch.complex128), 'zero_d': torch.tensor(5.),
     'empty': torch.zeros(0, 3)}
buf = io.BytesIO(); torch.save(d, buf); buf.seek(0); e = torch.load(buf)
R = {k: (v.dtype, v.shape, v.tolist() if v.dtype != torch.bfloat16 else v.float().tolist()) for k, v in e.items()}
""",
"requires_grad_roundtrip": """
import io
p = torch.nn.Parameter(torch.ones(2)); t = torch.ones(2, requires_grad=True); q = torch.nn.Parameter(torch.ones(1), requires_grad=False)
buf = io.BytesIO(); torch.save([p, t, q], buf); buf.seek(0); a, b, c = torch.load(buf)
R = type(a).__name__, a.requires_grad, type(b).__name__, b.requires_grad, type(c).__name__, c.requires_grad
""",
"map_location_variants": """
import io
buf = io.BytesIO(); torch.save({'w': torch.ones(2)}, buf)
def ld(**kw): return torch.load(io.BytesIO(buf.getvalue()), **kw)['w']
a = ld(map_location='cpu'); b = ld(map_location=torch.device('cpu'))
c = ld(map_location={'cpu': 'cpu'}); d = ld(map_location=lambda storage, loc: storage)
e = ld(map_location=None)
R = [str(x.device) for x in (a, b, c, d, e)], a
""",
"weights_only_disallowed_global": """
import io, collections
class Foo:
    pass
buf = io.BytesIO(); torch.save({'f': collections.Counter('aab')}, buf); buf.seek(0)
try:
    torch.load(buf)
except Exception as e:
    print(type(e).__name__); print(str(e).split('\\n')[0][:60])
""",
"weights_only_false_custom": """
import io, collections
buf = io.BytesIO(); torch.save({'c': collections.Counter('aab')}, buf); buf.seek(0)
d = torch.load(buf, weights_only=False)
R = dict(d['c'])
""",
"ordereddict_preserved": """
import io
from collections import OrderedDict
d = OrderedDict([('z', torch.ones(1)), ('a', torch.zeros(1))])
buf = io.BytesIO(); torch.save(d, buf); buf.seek(0); e = torch.load(buf)
R = type(e).__name__, list(e)
""",
"state_dict_metadata_roundtrip": """
import io
m = torch.nn.Sequential(torch.nn.BatchNorm1d(2))
buf = io.BytesIO(); torch.save(m.state_dict(), buf); buf.seek(0); sd = torch.load(buf)
R = dict(getattr(sd, '_metadata', {}))
""",
"load_missing_file": "torch.load('/nonexistent/file.pt')",
"save_non_str_keys": """
import io
buf = io.BytesIO(); torch.save({0: torch.ones(1), (1, 2): 'x', 1.5: None}, buf); buf.seek(0)
R = torch.load(buf)
""",
"save_dtype_and_size_objects": """
import io
buf = io.BytesIO(); torch.save({'dt': torch.float16, 'sz': torch.Size([2, 3]), 'dev': torch.device('cpu')}, buf); buf.seek(0)
d = torch.load(buf)
R = d['dt'], d['sz'], d['dev'], type(d['sz']).__name__
""",
"mmap_load": """
import os
p = os.path.join(tmp, 'm.pt'); torch.save({'a': torch.arange(5.)}, p)
d = torch.load(p, mmap=True)
R = d['a']
""",
"nested_shared_param_and_tensor": """
import io
p = torch.nn.Parameter(torch.arange(3.))
buf = io.BytesIO(); torch.save({'p': p, 'again': p, 'data': p.data}, buf); buf.seek(0)
d = torch.load(buf)
R = d['p'] is d['again'], d['data'].data_ptr() == d['p'].data_ptr(), type(d['data']).__name__
""",
"grad_not_saved": """
import io
m = torch.nn.Linear(1, 1); m(torch.ones(1, 1)).sum().backward()
buf = io.BytesIO(); torch.save(m.weight, buf); buf.seek(0)
w = torch.load(buf)
R = w.grad
""",
"load_weights_only_none_default_warn": """
import io
buf = io.BytesIO(); torch.save(torch.ones(1), buf); buf.seek(0)
R = torch.load(buf, weights_only=None)
""",
}


CHECKPOINT_PATTERNS = {
"device_pattern_load": """
import io
device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
model = torch.nn.Linear(2, 1).to(device)
with torch.no_grad(): model.weight.fill_(0.5); model.bias.fill_(0.)
buf = io.BytesIO(); torch.save(model.state_dict(), buf); buf.seek(0)
model2 = torch.nn.Linear(2, 1)
model2.load_state_dict(torch.load(buf, map_location=device, weights_only=True))
model2.to(device); model2.eval()
with torch.no_grad():
    out = model2(torch.ones(1, 2, device=device))
print(out)
R = out, str(device)
""",
"save_nonleaf_requires_grad": """
import io
x = torch.ones(2, requires_grad=True); y = x * 3
buf = io.BytesIO(); torch.save(y, buf); buf.seek(0); z = torch.load(buf)
R = z, z.is_leaf, z.grad_fn
""",
"save_expanded_stride0": """
import io
x = torch.tensor([1., 2.]).expand(3, 2)
buf = io.BytesIO(); torch.save(x, buf); buf.seek(0); y = torch.load(buf)
R = y, y.stride(), len(buf.getvalue()) < 2000
""",
"save_from_numpy": """
import io
a = np.arange(6, dtype=np.float32).reshape(2, 3)
t = torch.from_numpy(a)
buf = io.BytesIO(); torch.save({'t': t, 'tt': t.t()}, buf); buf.seek(0); d = torch.load(buf)
R = d['t'], d['tt'].stride(), d['tt'].data_ptr() == d['t'].data_ptr()
""",
"scheduler_state_dict_roundtrip": """
import io
m = torch.nn.Linear(1, 1)
opt = torch.optim.SGD(m.parameters(), lr=0.1)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
for _ in range(3):
    opt.step(); sched.step()
buf = io.BytesIO(); torch.save({'sched': sched.state_dict(), 'opt': opt.state_dict()}, buf); buf.seek(0)
ck = torch.load(buf)
opt2 = torch.optim.SGD(m.parameters(), lr=0.1)
sched2 = torch.optim.lr_scheduler.StepLR(opt2, step_size=2, gamma=0.5)
opt2.load_state_dict(ck['opt']); sched2.load_state_dict(ck['sched'])
print(sorted(ck['sched']))
R = ck['sched']['last_epoch'], sched2.get_last_lr(), opt2.param_groups[0]['lr']
""",
"resume_training_sgd": """
import io
nn = torch.nn
def make():
    m = nn.Linear(2, 1)
    with torch.no_grad(): m.weight.copy_(torch.tensor([[0.5, -0.25]])); m.bias.fill_(0.125)
    return m, torch.optim.SGD(m.parameters(), lr=0.5, momentum=0.5)
x = torch.tensor([[1., 2.], [3., 4.]]); y = torch.tensor([[1.], [0.]])
def step(m, opt):
    opt.zero_grad(); loss = ((m(x) - y) ** 2).mean(); loss.backward(); opt.step(); return loss.item()
m, opt = make()
for _ in range(2): step(m, opt)
buf = io.BytesIO()
torch.save({'epoch': 2, 'model_state_dict': m.state_dict(), 'optimizer_state_dict': opt.state_dict()}, buf)
step(m, opt)
buf.seek(0); ck = torch.load(buf, weights_only=True)
m2, opt2 = make()
m2.load_state_dict(ck['model_state_dict']); opt2.load_state_dict(ck['optimizer_state_dict'])
m2.train(); step(m2, opt2)
R = torch.equal(m.weight, m2.weight), torch.equal(m.bias, m2.bias), ck['epoch']
""",
"rng_state_save": """
import io
s = torch.get_rng_state()
buf = io.BytesIO(); torch.save({'rng': s}, buf); buf.seek(0)
r = torch.load(buf)['rng']
torch.set_rng_state(r)
R = r.dtype, r.dim(), torch.equal(r, s)
""",
"save_dict_of_lists_of_tensors": """
import io
d = {'layers': [torch.ones(2), torch.zeros(1, dtype=torch.int64)], 'meta': {'shape': (2, 3), 'names': ['a', 'b']}}
buf = io.BytesIO(); torch.save(d, buf); buf.seek(0)
R = torch.load(buf)
""",
"load_file_twice_same_result": """
import os
p = os.path.join(tmp, 'w.pt'); torch.save({'w': torch.arange(3.)}, p)
a = torch.load(p); b = torch.load(p)
a['w'][0] = 9.
R = b['w'], a['w']
""",
"save_overwrites_file": """
import os
p = os.path.join(tmp, 'w.pt')
torch.save(torch.ones(1000), p); torch.save(torch.zeros(2), p)
R = torch.load(p), os.path.getsize(p) < 2000
""",
"save_to_missing_dir": """
import os
try:
    torch.save(torch.ones(1), os.path.join(tmp, 'nope', 'w.pt'))
except Exception as e:
    print(type(e).__name__, str(e).replace(tmp, 'TMP'))
R = os.listdir(tmp)
""",
"load_directory_error": """
try:
    torch.load(tmp)
except Exception as e:
    print(type(e).__name__, str(e).replace(tmp, 'TMP'))
""",
"load_weights_only_true_explicit_tensor": """
import io
buf = io.BytesIO(); torch.save(torch.arange(3), buf)
R = torch.load(io.BytesIO(buf.getvalue()), weights_only=True)
""",
"save_parameter_in_module_dict_shared": """
import io
m = torch.nn.Linear(2, 2)
buf = io.BytesIO(); torch.save({'params': list(m.parameters()), 'sd': m.state_dict()}, buf); buf.seek(0)
d = torch.load(buf)
R = type(d['params'][0]).__name__, d['params'][0].data_ptr() == d['sd']['weight'].data_ptr(), d['params'][0].requires_grad
""",
"save_int_keys_opt_state": """
import io
m = torch.nn.Linear(1, 1); opt = torch.optim.Adam(m.parameters())
m(torch.ones(1, 1)).sum().backward(); opt.step()
buf = io.BytesIO(); torch.save(opt.state_dict(), buf); buf.seek(0)
sd = torch.load(buf)
R = list(sd['state']), sorted(sd['state'][0]), sd['state'][0]['step'], sd['param_groups'][0]['params']
""",
"state_dict_to_half_then_save_size": """
import io
m = torch.nn.Linear(100, 100)
a = io.BytesIO(); torch.save(m.state_dict(), a)
b = io.BytesIO(); torch.save({k: v.half() for k, v in m.state_dict().items()}, b)
R = len(b.getvalue()) < len(a.getvalue()) * 0.6
""",
"map_location_lambda_cpu": """
import io
buf = io.BytesIO(); torch.save(torch.ones(2), buf); buf.seek(0)
R = torch.load(buf, map_location=lambda storage, loc: storage.cpu() if hasattr(storage, 'cpu') else storage)
""",
"map_location_bad_type": """
import io
buf = io.BytesIO(); torch.save(torch.ones(2), buf); buf.seek(0)
torch.load(buf, map_location=3)
""",
}


MAP_LOCATION_ERRORS = {
"map_location_bad_type": """
import io
buf = io.BytesIO(); torch.save(torch.ones(2), buf); buf.seek(0)
torch.load(buf, map_location=3)
""",
"map_location_callable_raises": """
import io
buf = io.BytesIO(); torch.save(torch.ones(2), buf); buf.seek(0)
def boom(storage, loc): raise ValueError('no device ' + loc)
torch.load(buf, map_location=boom)
""",
"map_location_bad_type_weights_only_false": """
import io
buf = io.BytesIO(); torch.save(torch.ones(2), buf); buf.seek(0)
torch.load(buf, map_location=3, weights_only=False)
""",
"map_location_callable_raises_wof": """
import io
buf = io.BytesIO(); torch.save(torch.ones(2), buf); buf.seek(0)
def boom(storage, loc): raise KeyError(loc)
torch.load(buf, map_location=boom, weights_only=False)
""",
}

SAVE_WARNINGS = {
"save_tensor_with_hook_warns": """
import io, re, warnings
x = torch.ones(2, requires_grad=True)
def my_hook(g): return g
x.register_hook(my_hook)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter('always')
    buf = io.BytesIO(); torch.save({'x': x}, buf)
print([(w.category.__name__, re.sub('0x[0-9a-f]+', 'ADDR', str(w.message))) for w in caught])
buf.seek(0); y = torch.load(buf)['x']
R = y, y.requires_grad
""",
"save_param_with_unserializable_hook_quiet": """
import io
m = torch.nn.Linear(1, 1)
m.weight.register_hook(torch.utils.hooks.unserializable_hook(lambda g: g))
buf = io.BytesIO(); torch.save(m.state_dict(keep_vars=True), buf)
R = sorted(torch.load(io.BytesIO(buf.getvalue())))
""",
}

SERIALIZATION_OPTIONS = {
"serialization_options": """
import io, warnings, mmap
ts = torch.serialization
warnings.filterwarnings('ignore', category=ts.SourceChangeWarning)
print(ts.DEFAULT_PROTOCOL, issubclass(ts.SourceChangeWarning, Warning), [e.name for e in ts.LoadEndianness])
print(ts.get_default_load_endianness(), ts.get_crc32_options(), ts.get_default_mmap_options() == mmap.MAP_PRIVATE)
ts.set_default_load_endianness(ts.LoadEndianness.LITTLE); print(ts.get_default_load_endianness())
ts.set_default_load_endianness(None)
ts.set_crc32_options(False); print(ts.get_crc32_options()); ts.set_crc32_options(True)
with ts.set_default_mmap_options(mmap.MAP_SHARED):
    print(ts.get_default_mmap_options() == mmap.MAP_SHARED)
print(ts.get_default_mmap_options() == mmap.MAP_PRIVATE)
for bad in (lambda: ts.set_default_load_endianness('x'), lambda: ts.set_default_mmap_options(5)):
    try:
        bad()
    except Exception as e:
        print(type(e).__name__, e)
buf = io.BytesIO(); torch.save({'w': torch.ones(2)}, buf); buf.seek(0)
R = torch.load(buf, map_location=ts.default_restore_location)
""",
}

ASSIGN_LOADING = {
"assign_with_param_source": """
a = torch.nn.Linear(2, 2); b = torch.nn.Linear(2, 2)
b.load_state_dict(a.state_dict(keep_vars=True), assign=True)
R = b.weight is a.weight, type(b.weight).__name__
""",
"assign_frozen_param_keeps_flag": """
b = torch.nn.Linear(2, 2); b.weight.requires_grad_(False)
b.load_state_dict({'weight': torch.ones(2, 2), 'bias': torch.zeros(2)}, assign=True)
R = b.weight.requires_grad, b.bias.requires_grad, type(b.weight).__name__
""",
"assign_buffer_dtype": """
m = torch.nn.BatchNorm1d(2)
sd = {k: (v.double() if v.is_floating_point() else v) for k, v in m.state_dict().items()}
m.load_state_dict(sd, assign=True)
R = m.running_mean.dtype, m.weight.dtype, m.num_batches_tracked.dtype
""",
"assign_shape_mismatch": """
m = torch.nn.Linear(2, 2)
m.load_state_dict({'weight': torch.ones(3, 2), 'bias': torch.zeros(2)}, assign=True)
""",
"assign_meta_init_pattern": """
nn = torch.nn
m = nn.Linear(2, 2)
sd = {'weight': torch.arange(4.).reshape(2, 2), 'bias': torch.ones(2)}
m.load_state_dict(sd, strict=True, assign=True)
sd['weight'][0, 0] = 100.
R = m.weight[0, 0].item()
""",
}


FUNCTIONAL_CALL = {
"functional_call_tied": """
nn = torch.nn
class T(nn.Module):
    def __init__(self):
        super().__init__(); self.a = nn.Linear(1, 1, bias=False); self.b = nn.Linear(1, 1, bias=False); self.b.weight = self.a.weight
    def forward(self, x): return self.a(x) + self.b(x)
m = T()
fc = torch.func.functional_call
R = fc(m, {'a.weight': torch.full((1, 1), 2.)}, (torch.ones(1, 1),)), fc(m, {'a.weight': torch.full((1, 1), 2.)}, (torch.ones(1, 1),), tie_weights=False).shape
""",
"functional_call_tied_conflict": """
nn = torch.nn
class T(nn.Module):
    def __init__(self):
        super().__init__(); self.a = nn.Linear(1, 1, bias=False); self.b = nn.Linear(1, 1, bias=False); self.b.weight = self.a.weight
    def forward(self, x): return self.a(x) + self.b(x)
torch.func.functional_call(T(), {'a.weight': torch.ones(1, 1), 'b.weight': torch.zeros(1, 1)}, (torch.ones(1, 1),))
""",
"functional_call_strict_missing": """
m = torch.nn.Linear(1, 1)
torch.func.functional_call(m, {'weight': torch.ones(1, 1)}, (torch.ones(1, 1),), strict=True)
""",
"functional_call_kwargs": """
nn = torch.nn
class K(nn.Module):
    def __init__(self):
        super().__init__(); self.s = nn.Parameter(torch.ones(1))
    def forward(self, x, scale=1.): return x * self.s * scale
R = torch.func.functional_call(K(), {'s': torch.tensor([3.])}, (torch.ones(2),), {'scale': 2.})
""",
"functional_call_restores_params": """
m = torch.nn.Linear(1, 1); w = m.weight
torch.func.functional_call(m, {'weight': torch.zeros(1, 1)}, (torch.ones(1, 1),))
R = m.weight is w, type(m.weight).__name__
""",
"functional_call_dict_list_ambiguous": """
m = torch.nn.Linear(1, 1)
torch.func.functional_call(m, ({'weight': torch.ones(1, 1)}, {'weight': torch.ones(1, 1)}), (torch.ones(1, 1),))
""",
"functional_call_per_sample_grads": """
nn = torch.nn
m = nn.Linear(2, 1)
with torch.no_grad(): m.weight.copy_(torch.tensor([[1., -1.]])); m.bias.fill_(0.)
params = {k: v.detach() for k, v in m.named_parameters()}
def loss_fn(p, x, y):
    out = torch.func.functional_call(m, p, (x.unsqueeze(0),))
    return ((out - y) ** 2).sum()
xs = torch.tensor([[1., 2.], [3., 1.]]); ys = torch.tensor([0., 1.])
g = torch.func.vmap(torch.func.grad(loss_fn), in_dims=(None, 0, 0))(params, xs, ys)
R = g
""",
}


BACKWARD_HOOK_SHAPES = {
"full_backward_hook_dict_output": """
nn = torch.nn
class D(nn.Module):
    def forward(self, x): return {'a': x * 2}
m = D(); rec = []
m.register_full_backward_hook(lambda mod, gi, go: rec.append(1))
x = torch.ones(1, requires_grad=True)
m(x)['a'].sum().backward()
R = rec, x.grad
""",
"full_backward_hook_list_input": """
nn = torch.nn
class L(nn.Module):
    def forward(self, xs): return xs[0] + xs[1]
m = L(); rec = []
m.register_full_backward_hook(lambda mod, gi, go: rec.append((len(gi), gi[0])))
a = torch.ones(1, requires_grad=True)
m([a, a * 2]).sum().backward()
R = rec, a.grad
""",
"full_backward_hook_returns_none_for_inputs": """
nn = torch.nn
m = nn.Linear(1, 1)
m.register_full_backward_hook(lambda mod, gi, go: (None,))
x = torch.ones(1, 1, requires_grad=True)
m(x).sum().backward()
R = x.grad
""",
"forward_hook_on_eval_no_grad_output_requires_grad": """
nn = torch.nn
m = nn.Linear(1, 1); m.eval(); flags = []
m.register_forward_hook(lambda mod, i, o: flags.append((o.requires_grad, mod.training)))
with torch.inference_mode(): m(torch.ones(1, 1))
m(torch.ones(1, 1))
R = flags
""",
"backward_hook_grad_output_values_mse": """
nn = torch.nn
m = nn.Linear(2, 1)
with torch.no_grad(): m.weight.copy_(torch.tensor([[1., 2.]])); m.bias.fill_(0.)
seen = {}
m.register_full_backward_hook(lambda mod, gi, go: seen.update(gi=gi[0].clone(), go=go[0].clone()))
x = torch.tensor([[1., 1.], [2., 0.]], requires_grad=True)
nn.functional.mse_loss(m(x), torch.zeros(2, 1)).backward()
R = seen['gi'], seen['go'], x.grad
""",
"backward_pre_hook_changes_param_grads": """
nn = torch.nn
m = nn.Linear(2, 1)
with torch.no_grad(): m.weight.fill_(1.); m.bias.fill_(0.)
m.register_full_backward_pre_hook(lambda mod, go: (go[0] * 0,))
m(torch.ones(1, 2)).sum().backward()
R = m.weight.grad, m.bias.grad
""",
}

LAYER_KEYS = {
"layer_state_dict_keys": """
nn = torch.nn
layers = [nn.LSTM(2, 3, num_layers=2, bidirectional=True), nn.GRU(2, 3, batch_first=True), nn.RNN(2, 3, bias=False),
          nn.MultiheadAttention(4, 2), nn.MultiheadAttention(4, 2, kdim=3, vdim=5), nn.TransformerEncoderLayer(4, 2, 8),
          nn.TransformerDecoderLayer(4, 2, 8), nn.Embedding(5, 2, padding_idx=0), nn.EmbeddingBag(5, 2), nn.LayerNorm(3),
          nn.GroupNorm(2, 4), nn.BatchNorm2d(3), nn.InstanceNorm1d(3, affine=True, track_running_stats=True),
          nn.ConvTranspose2d(2, 3, 2), nn.PReLU(3), nn.Bilinear(2, 3, 4), nn.LSTMCell(2, 3), nn.GRUCell(2, 3),
          nn.LSTM(2, 4, proj_size=2), nn.RMSNorm(3), nn.LazyLinear(2), nn.Transformer(4, 2, 1, 1, 8)]
for l in layers:
    sd = l.state_dict()
    print(type(l).__name__, [(k, tuple(v.shape), str(v.dtype)) for k, v in sd.items()])
    print('  buffers', [n for n, _ in l.named_buffers()], 'meta', dict(sd._metadata).get('', None))
""",
}

NORM_HOOK_CHECKPOINTS = {
"spectral_norm_deepcopy_after_forward": """
import copy
m = torch.nn.utils.spectral_norm(torch.nn.Linear(2, 2))
m(torch.ones(1, 2))
copy.deepcopy(m)
""",
"spectral_norm_pickle_state_dict_after_forward": """
import io
m = torch.nn.utils.spectral_norm(torch.nn.Linear(2, 2))
m(torch.ones(1, 2))
buf = io.BytesIO(); torch.save(m.state_dict(), buf)
R = sorted(torch.load(io.BytesIO(buf.getvalue())))
""",
"weight_norm_eval_forward_no_grad": """
nn = torch.nn
lin = nn.Linear(2, 1)
with torch.no_grad(): lin.weight.copy_(torch.tensor([[3., 4.]])); lin.bias.zero_()
m = nn.utils.weight_norm(lin); m.eval()
with torch.no_grad():
    y = m(torch.tensor([[1., 1.]]))
R = y, m.weight.requires_grad
""",
"parametrizations_weight_norm_load_old_keys": """
nn = torch.nn
old = nn.utils.weight_norm(nn.Linear(2, 2))
with torch.no_grad(): old.weight_g.fill_(2.); old.weight_v.copy_(torch.tensor([[3., 4.], [0., 1.]]))
new = nn.utils.parametrizations.weight_norm(nn.Linear(2, 2))
print(new.load_state_dict(old.state_dict()))
R = new.weight
""",
}

LOAD_SAVE_ARGUMENTS = {
"load_pickle_module_weights_only": """
import io, pickle
buf = io.BytesIO(); torch.save(torch.ones(1), buf); buf.seek(0)
torch.load(buf, pickle_module=pickle, weights_only=True)
""",
"load_pickle_module_default": """
import io, pickle
buf = io.BytesIO(); torch.save(torch.ones(1), buf); buf.seek(0)
R = torch.load(buf, pickle_module=pickle)
""",
"save_pickle_module": """
import io, pickle
buf = io.BytesIO(); torch.save({'a': torch.ones(1)}, buf, pickle_module=pickle); buf.seek(0)
R = torch.load(buf)
""",
"load_unknown_kwarg": """
import io
buf = io.BytesIO(); torch.save(torch.ones(1), buf); buf.seek(0)
torch.load(buf, foo=1)
""",
"load_encoding_kwarg": """
import io
buf = io.BytesIO(); torch.save({'s': 'text'}, buf); buf.seek(0)
R = torch.load(buf, encoding='latin1')
""",
"load_not_file": "torch.load(12345)",
"load_text_mode_file": """
import os
p = os.path.join(tmp, 'x.pt'); torch.save(torch.ones(1), p)
with open(p, 'r') as f:
    try:
        torch.load(f)
    except Exception as e:
        print(type(e).__name__)
""",
"save_non_writable": """
import io
torch.save(torch.ones(1), 5)
""",
"save_closed_file": """
import io
b = io.BytesIO(); b.close(); torch.save(torch.ones(1), b)
""",
}

PARAMETRIZE_CHECKPOINTS = {
"parametrize_remove_and_cached": """
nn = torch.nn
P = nn.utils.parametrize
class Double(nn.Module):
    def forward(self, X): return X * 2
m = nn.Linear(2, 2)
with torch.no_grad(): m.weight.copy_(torch.tensor([[1., 2.], [3., 4.]]))
P.register_parametrization(m, 'weight', Double())
with P.cached():
    a = m.weight; b = m.weight
print(a is b)
P.remove_parametrizations(m, 'weight', leave_parametrized=True)
R = m.weight, list(m.state_dict()), type(m).__name__
""",
"parametrize_state_dict_roundtrip": """
import io
nn = torch.nn
P = nn.utils.parametrize
class Double(nn.Module):
    def forward(self, X): return X * 2
def make():
    m = nn.Linear(2, 2); P.register_parametrization(m, 'weight', Double()); return m
a = make()
with torch.no_grad(): a.parametrizations.weight.original.copy_(torch.eye(2))
buf = io.BytesIO(); torch.save(a.state_dict(), buf); buf.seek(0)
b = make(); print(b.load_state_dict(torch.load(buf)))
R = b.weight, list(b.state_dict())
""",
}

SPECTRAL_NORM_OLD_FORMAT = {
"spectral_norm_load_version0": """
from collections import OrderedDict
nn = torch.nn
m = nn.utils.spectral_norm(nn.Linear(2, 2))
w = torch.tensor([[2., 1.], [1., 2.]])
old = OrderedDict([('bias', torch.zeros(2)), ('weight_orig', w), ('weight', w / 3.), ('weight_u', torch.tensor([0.6, 0.8]))])
old._metadata = OrderedDict([('', {'version': 1})])
r = m.load_state_dict(old)
print(r)
R = [round(v, 4) for v in m.weight_v.tolist()], m.weight_u
""",
}

SNIPPETS = {f"{group}.{name}": src for group, table in (
    ("checkpoints", CHECKPOINTS), ("patterns", CHECKPOINT_PATTERNS), ("map_location", MAP_LOCATION_ERRORS),
    ("warnings", SAVE_WARNINGS), ("options", SERIALIZATION_OPTIONS),
    ("assign", ASSIGN_LOADING), ("functional_call", FUNCTIONAL_CALL), ("backward_hooks", BACKWARD_HOOK_SHAPES),
    ("layer_keys", LAYER_KEYS), ("norm_hooks", NORM_HOOK_CHECKPOINTS),
    ("arguments", LOAD_SAVE_ARGUMENTS), ("parametrize", PARAMETRIZE_CHECKPOINTS),
    ("spectral_old", SPECTRAL_NORM_OLD_FORMAT))
    for name, src in table.items()}


@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_checkpoint_code(name, tmp_path):
    check(SNIPPETS[name], tmp_path)


# ---- checkpoint files across the two libraries ---------------------------------------------------------------
# Each OBJECTS entry builds ``OBJ`` under a library; a file written by one library must load in the other with
# the same contents (values, dtypes, shapes, strides, offsets, container types) and the same memory sharing.

OBJECTS = {
"state_dict": """
m = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2), torch.nn.Conv1d(2, 2, 1))
with torch.no_grad():
    for i, p in enumerate(m.parameters()): p.copy_(torch.arange(p.numel(), dtype=torch.float32).reshape(p.shape) / (i + 1))
OBJ = m.state_dict()
""",
"checkpoint": """
m = torch.nn.Linear(2, 2)
with torch.no_grad():
    m.weight.copy_(torch.tensor([[1., 2.], [3., 4.]])); m.bias.fill_(0.5)
opt = torch.optim.Adam(m.parameters(), lr=0.01)
m(torch.ones(3, 2)).sum().backward(); opt.step()
OBJ = {'epoch': 7, 'model': m.state_dict(), 'optimizer': opt.state_dict(), 'loss': 0.25, 'name': 'run',
       'hist': [1, 2.5, None, True], 'cfg': (1, 'a', b'raw'), 'nested': {'a': {'b': [torch.ones(2)]}}}
""",
"sgd_momentum": """
m = torch.nn.Linear(2, 1)
with torch.no_grad():
    m.weight.fill_(1.); m.bias.fill_(0.)
opt = torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.5)
for _ in range(2):
    opt.zero_grad(); m(torch.ones(2, 2)).sum().backward(); opt.step()
OBJ = {'opt': opt.state_dict(), 'model': m.state_dict()}
""",
"dtypes": """
OBJ = {'b': torch.tensor([True, False]), 'i8': torch.tensor([-1, 2], dtype=torch.int8),
       'u8': torch.tensor([255, 1], dtype=torch.uint8), 'i16': torch.tensor([3], dtype=torch.int16),
       'i32': torch.tensor([7], dtype=torch.int32), 'i64': torch.tensor([2**40]),
       'f16': torch.tensor([1.5], dtype=torch.float16), 'bf16': torch.tensor([1.5, -2.], dtype=torch.bfloat16),
       'f64': torch.tensor([1/3], dtype=torch.float64), 'c64': torch.tensor([1+2j], dtype=torch.complex64),
       'c128': torch.tensor([1-1j], dtype=torch.complex128), 'zero_d': torch.tensor(5.),
       'empty': torch.zeros(0, 3), 'u16': torch.tensor([7], dtype=torch.uint16)}
""",
"views": """
x = torch.arange(12.)
OBJ = {'x': x, 'v': x[2:5], 'w': x.view(3, 4), 't': x.view(3, 4).t(), 'step': x[::3]}
""",
"parameters": """
OBJ = [torch.nn.Parameter(torch.arange(3.)), torch.nn.Parameter(torch.ones(2), requires_grad=False),
       torch.arange(4.).requires_grad_()]
""",
"misc_objects": """
from collections import OrderedDict
OBJ = OrderedDict([('dt', torch.float16), ('size', torch.Size([2, 3])), ('dev', torch.device('cpu')),
                   ('set', {1, 2}), ('cplx', 1 + 2j), ('ba', bytearray(b'ab')), (3, 'int key'), ((1, 2), None)])
""",
}


def _build(src, lib):
    env = {"torch": lib, "np": np}
    exec(src, env)
    return env["OBJ"]


def _sig(o):
    if isinstance(o, (torch.Tensor, ember.Tensor)):
        return _norm(o), type(o).__name__, tuple(o.stride()), o.storage_offset()
    if isinstance(o, dict):
        return type(o).__name__, [(k, _sig(v)) for k, v in o.items()]
    if isinstance(o, (list, tuple)):
        return type(o).__name__, [_sig(v) for v in o]
    if isinstance(o, set):
        return "set", sorted(o)
    return _norm(o)


def _aliasing(o):
    arrays = []

    def walk(x):
        if isinstance(x, (torch.Tensor, ember.Tensor)):
            arrays.append(x.detach().numpy() if "bfloat16" not in str(x.dtype) else np.zeros(1))
        elif isinstance(x, dict):
            for v in x.values():
                walk(v)
        elif isinstance(x, (list, tuple)):
            for v in x:
                walk(v)
    walk(o)
    n = len(arrays)
    return [(i, j) for i in range(n) for j in range(i + 1, n) if np.shares_memory(arrays[i], arrays[j])]


@pytest.mark.parametrize("direction", ["torch_to_ember", "ember_to_torch"])
@pytest.mark.parametrize("name", sorted(OBJECTS))
def test_cross_library_checkpoint(name, direction, tmp_path):
    writer, reader = (torch, ember) if direction == "torch_to_ember" else (ember, torch)
    path = tmp_path / "ckpt.pt"
    writer.save(_build(OBJECTS[name], writer), path)
    got, want = reader.load(path), writer.load(path)
    assert _sig(got) == _sig(want)
    assert _aliasing(got) == _aliasing(want)
    # the same object built and round-tripped by each library alone gives the same result
    own = tmp_path / "own.pt"
    reader.save(_build(OBJECTS[name], reader), own)
    assert _sig(reader.load(own)) == _sig(want)


@pytest.mark.parametrize("fmt", [{"_use_new_zipfile_serialization": False}, {"pickle_protocol": 4}])
def test_torch_legacy_and_protocol4_files_load(fmt, tmp_path):
    path = tmp_path / "old.pt"
    m = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.BatchNorm1d(2))
    x = torch.arange(10.)
    torch.save({"x": x, "v": x[2:4], "sd": m.state_dict()}, path, **fmt)
    got = ember.load(path)
    assert _sig(got) == _sig(torch.load(path, weights_only=False))
    assert np.shares_memory(got["x"].numpy(), got["v"].numpy())
    assert dict(got["sd"]._metadata) == dict(m.state_dict()._metadata)


def test_torch_whole_module_loads_with_weights_only_false(tmp_path):
    path = tmp_path / "model.pt"
    m = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU())
    torch.nn.init.ones_(m[0].weight)
    torch.nn.init.zeros_(m[0].bias)
    torch.save(m, path)
    assert sorted(ember.serialization.get_unsafe_globals_in_checkpoint(str(path))) == \
        sorted(torch.serialization.get_unsafe_globals_in_checkpoint(str(path)))
    m2 = ember.load(path, weights_only=False)
    assert isinstance(m2, ember.nn.Sequential) and repr(m2) == repr(m)
    assert m2(ember.ones(1, 2)).tolist() == [[2.0, 2.0]]
    with pytest.raises(ember.serialization.UnsafeCheckpointError):
        ember.load(path)


def test_get_unsafe_globals_in_checkpoint(tmp_path):
    import collections
    path = tmp_path / "mixed.pt"
    torch.save({"z": np.float64(1), "a": np.arange(2), "c": collections.Counter("ab"), "t": torch.ones(2),
                "o": collections.OrderedDict(), "s": {1}, "m": torch.nn.ReLU()}, path)
    want = torch.serialization.get_unsafe_globals_in_checkpoint(path)
    assert sorted(ember.serialization.get_unsafe_globals_in_checkpoint(path)) == sorted(want)
    with open(path, "rb") as f:
        assert sorted(ember.serialization.get_unsafe_globals_in_checkpoint(f)) == sorted(want)
        assert f.tell() == 0
    legacy = tmp_path / "legacy.pt"
    torch.save({"a": 1}, legacy, _use_new_zipfile_serialization=False)
    with pytest.raises(ValueError, match="Expected input to be a checkpoint returned by torch.save"):
        ember.serialization.get_unsafe_globals_in_checkpoint(legacy)


def test_safetensors_files_cross_library(tmp_path):
    st_torch = pytest.importorskip("safetensors.torch")
    safe_open = pytest.importorskip("safetensors").safe_open
    a, b = tmp_path / "t.safetensors", tmp_path / "e.safetensors"
    st_torch.save_file({"w": torch.arange(6.).reshape(2, 3), "i": torch.tensor([1, 2]), "z": torch.tensor(3.),
                        "h": torch.tensor([1.5], dtype=torch.bfloat16)}, a, metadata={"format": "pt"})
    got, want = ember.safetensors.load_file(a), st_torch.load_file(a)
    assert list(got) == list(want) and _sig(got) == _sig(want)
    assert _sig(ember.load(a)) == _sig(want)
    ember.safetensors.save_file({"w": ember.arange(6.).reshape(2, 3).t(), "i": ember.tensor([1, 2]),
                                 "z": ember.tensor(3.), "h": ember.tensor([1.5], dtype=ember.bfloat16)}, b,
                                metadata={"format": "pt"})
    assert _sig(st_torch.load_file(b)) == _sig(ember.safetensors.load_file(b))
    for path in (a, b):
        with safe_open(str(path), framework="pt") as f, ember.safetensors.safe_open(path, framework="pt") as g:
            assert list(f.keys()) == g.keys() and f.offset_keys() == g.offset_keys()
            assert f.metadata() == g.metadata()


_WHOLE_MODELS = {
    "conv_bn_lazy": ("torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2), torch.nn.ReLU(), "
                     "torch.nn.Flatten(), torch.nn.LazyLinear(3))", (1, 1, 4, 4)),
    "lstm": ("torch.nn.LSTM(2, 3, batch_first=True)", (1, 2, 2)),
    "encoder_layer": ("torch.nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0)", (3, 1, 4)),
    "mha": ("torch.nn.MultiheadAttention(4, 2)", None),
    "embedding": ("torch.nn.Embedding(5, 2)", None),
}


@pytest.mark.parametrize("name", sorted(_WHOLE_MODELS))
def test_torch_pickled_whole_models_load_in_ember(name, tmp_path):
    """``torch.save(model, f)`` files (classes by reference) load with ``weights_only=False``: classes that ember
    files elsewhere (MultiheadAttention, NonDynamicallyQuantizableLinear) are found too."""
    src, shape = _WHOLE_MODELS[name]
    model = eval(src, {"torch": torch})
    x = np.linspace(-1, 1, int(np.prod(shape))).reshape(shape).astype(np.float32) if shape else None
    if x is not None and name == "conv_bn_lazy":
        model(torch.from_numpy(x))
    model.eval()
    path = tmp_path / "whole.pt"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.save(model, path)
    got = ember.load(path, weights_only=False)
    got.eval()
    assert repr(got) == repr(model)
    assert list(got.state_dict()) == list(model.state_dict())
    if x is not None:
        want, out = model(torch.from_numpy(x)), got(ember.from_numpy(x))
        want, out = (want[0], out[0]) if isinstance(want, tuple) else (want, out)
        np.testing.assert_allclose(out.detach().numpy(), want.detach().numpy(), rtol=1e-5, atol=1e-6)
