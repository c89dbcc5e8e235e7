"""Sweep of autograd as users drive it: tensor and node hooks, retain_grad, graph nodes (grad_fn,
next_functions), leaves and requires_grad, detach, in-place and version-counter errors,
run as source snippets under ``import torch`` and under ``import ember as torch``: printed output, results,
errors and warnings must match.

Each snippet sees ``torch`` (the library under test) and ``np``; it prints and/or sets ``R``.  Snippets build
their inputs from fixed values (seeded generators differ between the libraries).
"""

import pytest
from sweep_harness_autograd import check


SNIPPETS = {
    "nonleaf_grad_warning": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x * 2
z = y.sum()
z.backward()
print(y.grad)
R = y.is_leaf, y.grad is None
""",
    "retain_grad": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x * 2
y.retain_grad()
z = (y ** 2).sum()
z.backward()
print(y.grad, y.retains_grad, x.retains_grad)
R = y.grad, x.grad
""",
    "is_leaf_table": """
a = torch.rand(10, requires_grad=True)
b = torch.rand(10, requires_grad=True).cuda() if False else torch.rand(10, requires_grad=True) * 2
c = torch.rand(10) + 1
d = torch.rand(10).requires_grad_()
e = a.detach()
f = a[0:2]
R = [t.is_leaf for t in (a, b, c, d, e, f)], [t.requires_grad for t in (a, b, c, d, e, f)]
print([type(t.grad_fn).__name__ for t in (a, b, c, d, e, f)])
""",
    "grad_fn_names": """
x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
ops = [x + 1, x * 2, x - x, x / 3, x @ x, x.sum(), x.mean(), x.t(), x.view(4), x.reshape(4), x[0], x.exp(),
       x.relu(), torch.sigmoid(x), torch.tanh(x), x.pow(2), x ** 2, x.abs(), x.max(), x.sqrt(), x.log(),
       torch.cat([x, x]), torch.stack([x, x]), x.unsqueeze(0), x.squeeze(), x.transpose(0, 1), x.clone(),
       x.neg(), -x, 2 * x, 1 - x, 1 / x, x.sin(), x.cos(), x.norm(), x.expand(3, 2, 2), x.permute(1, 0),
       x.flatten(), x.softmax(0), x.log_softmax(1), x.float(), x.double(), x.sum(0), x.mean(1), x.std(),
       x.var(), x.prod(), x.cumsum(0), x.clamp(0, 2), torch.where(x > 2, x, x * 0), x.contiguous()]
R = [o.grad_fn.name() if o.grad_fn is not None else None for o in ops]
print(R)
""",
    "detach": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x * 3
z = y.detach()
print(z.requires_grad, z.grad_fn, z.is_leaf)
z[0] = 100
print(y)
y2 = x * 3
y2.detach_()
print(y2.requires_grad, y2.grad_fn, y2.is_leaf)
R = z, y
""",
    "requires_grad_int_error": """
x = torch.tensor([1, 2, 3])
x.requires_grad_()
""",
    "requires_grad_int_ctor_error": """
x = torch.tensor([1, 2, 3], requires_grad=True)
""",
    "requires_grad_nonleaf_error": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x * 2
y.requires_grad_(False)
""",
    "requires_grad_nonleaf_true_ok": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x * 2
y.requires_grad_(True)
R = y.requires_grad
""",
    "hook_modify": """
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
h = x.register_hook(lambda g: g * 2)
(x * x).sum().backward()
print(x.grad)
h.remove()
x.grad = None
(x * x).sum().backward()
print(x.grad)
R = x.grad
""",
    "hook_nonleaf": """
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x * 2
seen = []
y.register_hook(lambda g: seen.append(g.clone()))
y.register_hook(lambda g: g + 1)
(y ** 2).sum().backward()
print(seen)
R = x.grad
""",
    "hook_no_requires_grad_error": """
x = torch.tensor([1.0, 2.0])
x.register_hook(lambda g: g)
""",
    "post_accumulate_hook": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
calls = []
def hook(p):
    calls.append(p.grad.clone())
    p.grad.mul_(0.5)
x.register_post_accumulate_grad_hook(hook)
(x * 4).sum().backward()
print(calls, x.grad)
R = x.grad
""",
    "post_accumulate_hook_nonleaf_error": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x * 2
y.register_post_accumulate_grad_hook(lambda p: None)
""",
    "inplace_leaf_error": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
x.add_(1)
""",
    "inplace_leaf_setitem_error": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
x[0] = 5
""",
    "inplace_leaf_no_grad_ok": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
with torch.no_grad():
    x.add_(1)
    x[0] = 5
    x -= 0.5
print(x)
R = x, x.requires_grad, x.is_leaf
""",
    "inplace_saved_error": """
a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
b = a.sigmoid()
c = b * 2
b.mul_(2)
c.sum().backward()
print(a.grad)
d = a.exp()
e = d * d
d.add_(1)
e.sum().backward()
""",
    "inplace_view_of_leaf_error": """
a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
v = a[:2]
v.mul_(2)
""",
    "inplace_nonleaf_ok": """
a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
b = a * 1
b.mul_(3)
b[0] = 0
print(b.grad_fn.name())
b.sum().backward()
R = a.grad, b
""",
    "inplace_relu_after_sigmoid_error": """
x = torch.tensor([1.0, -2.0], requires_grad=True)
y = torch.sigmoid(x)
y.relu_()
y.sum().backward()
""",
    "node_graph": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
w = torch.tensor([3.0, 4.0], requires_grad=True)
y = (x * w).sum()
print(type(y.grad_fn).__name__, len(y.grad_fn.next_functions))
mul = y.grad_fn.next_functions[0][0]
print(mul.name(), [(type(f).__name__, i) for f, i in mul.next_functions])
acc = mul.next_functions[0][0]
print(type(acc).__name__, acc.variable is x)
print(isinstance(y.grad_fn, torch.autograd.graph.Node))
R = [type(f).__name__ for f, _ in mul.next_functions]
""",
    "node_hooks": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x * 2
z = y.sum()
def hook(grad_inputs, grad_outputs):
    print('hook', grad_inputs, grad_outputs)
def pre(grad_outputs):
    print('pre', grad_outputs)
h = y.grad_fn.register_hook(hook)
h2 = y.grad_fn.register_prehook(pre)
z.backward(retain_graph=True)
h.remove(); h2.remove()
z.backward()
R = x.grad
""",
    "node_metadata_and_saved": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x.exp()
print(y.grad_fn._saved_result)
z = x * x
print(z.grad_fn._saved_self, z.grad_fn._saved_other)
print(y.grad_fn.metadata)
R = torch.equal(y.grad_fn._saved_result, y)
""",
    "variable_legacy": """
Variable = torch.autograd.Variable
x = Variable(torch.tensor([1.0, 2.0]), requires_grad=True)
y = (x * x).sum()
y.backward()
print(type(x).__name__, x.grad, x.data)
v = Variable(torch.ones(2))
R = x.grad, v.requires_grad, isinstance(x, torch.Tensor)
""",
    "data_attribute": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x * 2
x.data.mul_(10)
print(x, x.data.requires_grad)
x.data = torch.tensor([5.0, 6.0])
print(x)
y.sum().backward()
R = x.grad
""",
    "item_and_tolist": """
x = torch.tensor([1.5, 2.0], requires_grad=True)
y = (x * 3).sum()
print(y.item(), float(y.detach()), y.tolist())   # float(y) itself warns once per process in both libraries
print(x.detach().numpy())
x.numpy()
""",
    "numpy_requires_grad_error": """
x = torch.tensor([1.5, 2.0], requires_grad=True)
(x * 2).numpy()
""",
    "backward_on_int": """
x = torch.tensor(3.0, requires_grad=True)
y = x.long()
print(y.requires_grad, y.grad_fn)
z = x.round()
z.backward()
R = x.grad
""",
    "grad_of_argmax_error": """
x = torch.tensor([1.0, 3.0], requires_grad=True)
i = x.argmax()
print(i.requires_grad)
i.backward()
""",
    "requires_grad_after_creation": """
x = torch.zeros(3)
x.requires_grad = True
y = torch.ones(2, 2, requires_grad=True)
z = torch.full((2,), 3.0, requires_grad=True)
w = torch.arange(3.0, requires_grad=True)
(x.sum() + y.sum() + z.prod() + (w * w).sum()).backward()
R = x.grad, y.grad, z.grad, w.grad
""",
    "factory_int_requires_grad_error": """
torch.arange(3, requires_grad=True)
""",
    "parameter_grad": """
p = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
print(p.requires_grad, p.is_leaf, p.grad_fn)
q = torch.nn.Parameter(torch.tensor([1.0, 2.0]), requires_grad=False)
loss = (p * q).sum()
loss.backward()
print(p.grad, q.grad)
R = p.grad
""",
    "hook_grad_clip": """
lin = torch.nn.Linear(2, 1)
with torch.no_grad():
    lin.weight.copy_(torch.tensor([[1.0, -2.0]]))
    lin.bias.fill_(0.5)
for p in lin.parameters():
    p.register_hook(lambda g: torch.clamp(g, -0.1, 0.1))
x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
lin(x).sum().backward()
R = lin.weight.grad, lin.bias.grad
""",
    "hook_returns_wrong_shape": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
x.register_hook(lambda g: torch.ones(3))
(x * 2).sum().backward()
""",
    "hook_changes_dtype": """
def to_double(g):
    return g.double()
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x * 1
y.register_hook(to_double)
(y * 2).sum().backward()
""",
    "hook_returns_number": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
x.register_hook(lambda g: 3.0)
(x * 2).sum().backward()
""",
    "hook_order_and_count": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
calls = []
x.register_hook(lambda g: calls.append(('a', g.tolist())))
x.register_hook(lambda g: calls.append(('b', g.tolist())))
y = x * 2 + x * 3
y.sum().backward()
print(calls)
R = x.grad
""",
    "saved_tensors_hooks": """
packed = []
def pack(t):
    packed.append(tuple(t.shape))
    return t.clone()
def unpack(t):
    return t
x = torch.tensor([1.0, 2.0], requires_grad=True)
with torch.autograd.graph.saved_tensors_hooks(pack, unpack):
    y = (x * x).exp()
y.sum().backward()
print(packed)
R = x.grad
""",
    "detach_shares_memory": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x.detach()
y[0] = 10.0
print(x)
z = x.detach().clone()
z[1] = -1
print(x, z)
R = x
""",
    "detach_inplace_then_backward_error": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x.exp()
y.detach().zero_()
y.sum().backward()
""",
    "clone_grad": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x.clone()
print(y.requires_grad, y.is_leaf, y.grad_fn.name())
(y * y).sum().backward()
R = x.grad
""",
    "view_grad": """
x = torch.arange(6.0, requires_grad=True)
y = x.view(2, 3)
z = y[:, 1:] * torch.tensor([[1.0, 2.0], [3.0, 4.0]])
z.sum().backward()
print(y._base is x, y.is_leaf)
R = x.grad
""",
    "inplace_on_view_of_nonleaf": """
x = torch.arange(4.0, requires_grad=True)
y = x * 1
v = y[1:3]
v.mul_(10)
print(y.grad_fn.name(), v.grad_fn.name())
y.sum().backward()
R = x.grad, y
""",
    "masked_fill_grad": """
x = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
y = x.masked_fill(x < 0, 0.0)
y.sum().backward()
R = x.grad
""",
    "max_grad_ties": """
x = torch.tensor([1.0, 3.0, 3.0], requires_grad=True)
x.max().backward()
y = torch.tensor([1.0, 3.0, 3.0], requires_grad=True)
y.max(dim=0).values.backward()
z = torch.tensor([1.0, 3.0, 3.0], requires_grad=True)
torch.amax(z, 0).backward()
R = x.grad, y.grad, z.grad
""",
    "abs_sqrt_zero_grad": """
x = torch.tensor([0.0, 1.0], requires_grad=True)
x.abs().sum().backward()
print(x.grad)
x.grad = None
torch.sqrt(x).sum().backward()
print(x.grad)
y = torch.tensor([0.0, 4.0], requires_grad=True)
torch.norm(y - y).backward()
R = x.grad, y.grad
""",
    "relu_grad_at_zero": """
x = torch.tensor([-1.0, 0.0, 1.0], requires_grad=True)
torch.relu(x).sum().backward()
y = torch.tensor([-1.0, 0.0, 1.0], requires_grad=True)
torch.clamp(y, min=0).sum().backward()
z = torch.tensor([-1.0, 0.0, 1.0], requires_grad=True)
torch.nn.functional.leaky_relu(z, 0.1).sum().backward()
R = x.grad, y.grad, z.grad
""",
    "requires_grad_chain": """
x = torch.arange(4.0).requires_grad_()
y = torch.zeros(2).requires_grad_(True)
print(x.requires_grad_(False) is x, x.requires_grad)
x.requires_grad_()
R = x.requires_grad, y.requires_grad
""",
    "nonleaf_grad_after_cast": """
x = torch.ones(2, requires_grad=True).double()
(x * 2).sum().backward()
print(x.grad, x.is_leaf)
R = x.grad_fn.name()
""",
    "leaf_to_dtype_grad": """
w = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
y = (w.float() * torch.tensor([3.0, 4.0])).sum()
y.backward()
R = w.grad
""",
    "version_counter": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x * 1
print(y._version)
y.add_(1)
y[0] = 3
print(y._version, x._version)
v = y.view(2)
v.mul_(2)
R = y._version, v._version
""",
    "leaf_backward_itself": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
x.backward(torch.tensor([3.0, 4.0]))
print(x.grad)
s = torch.tensor(5.0, requires_grad=True)
s.backward()
R = x.grad, s.grad
""",
    "register_hook_on_grad_fn_output": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x.exp()
grads = {}
def save_grad(name):
    def hook(grad):
        grads[name] = grad
    return hook
y.register_hook(save_grad('y'))
z = y.sum()
z.backward()
print(grads['y'])
R = x.grad
""",
    "retain_grad_noop_on_leaf": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
x.retain_grad()
(x * 2).sum().backward()
print(x.retains_grad, x.grad)
c = torch.ones(2)
c.retain_grad()
""",
    "grad_attribute_of_nonleaf_after_retain": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x ** 2
y.retain_grad()
z = y * 3
z.retain_grad()
out = z.mean()
out.retain_grad()
out.backward()
R = y.grad, z.grad, out.grad, x.grad
""",
    "tensor_requires_grad_repr": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
print(x)
print(x * 2)
print((x * 2).sum())
print(x.mean())
print(x[0])
print(x.detach())
print(torch.nn.Parameter(torch.ones(2)))
print(x.exp().sin().view(2, 1))
with torch.no_grad():
    print(x * 2)
print(repr(x + 1))
""",
    "node_call_directly": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x * 3
print(y.grad_fn(torch.ones(2)))
z = x * x
R = z.grad_fn(torch.tensor([1.0, 1.0]))
""",
    "node_walk_graph": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
w = torch.tensor([0.5, -0.5], requires_grad=True)
loss = torch.sigmoid(x * w + 1).sum()
def walk(fn, depth=0):
    if fn is None:
        return
    print('  ' * depth + fn.name())
    for nxt, _ in fn.next_functions:
        walk(nxt, depth + 1)
walk(loss.grad_fn)
""",
    "node_hook_modify_grad_inputs": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x * 2
z = y.sum()
def hook(grad_inputs, grad_outputs):
    return tuple(g * 10 if g is not None else None for g in grad_inputs)
y.grad_fn.register_hook(hook)
z.backward()
R = x.grad
""",
    "node_prehook_modify": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x.exp()
z = y.sum()
y.grad_fn.register_prehook(lambda gouts: (gouts[0] * 0.5,))
z.backward()
R = x.grad
""",
    "accumulate_grad_node_hook": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = (x * 2).sum()
acc = y.grad_fn.next_functions[0][0].next_functions[0][0]
print(acc.name(), type(acc).__name__)
seen = []
acc.register_hook(lambda gi, go: seen.append([g.tolist() for g in go]))
y.backward()
print(seen)
R = x.grad
""",
    "grad_cam_style_hooks": """
conv = torch.nn.Conv2d(1, 2, 2)
with torch.no_grad():
    conv.weight.copy_(torch.arange(8.0).reshape(2, 1, 2, 2) / 10)
    conv.bias.zero_()
store = {}
def fwd_hook(m, inp, out):
    store['act'] = out
    out.register_hook(lambda g: store.__setitem__('grad', g))
conv.register_forward_hook(fwd_hook)
x = torch.arange(9.0).reshape(1, 1, 3, 3)
out = conv(x).relu().sum()
out.backward()
weights = store['grad'].mean(dim=(2, 3), keepdim=True)
cam = (weights * store['act']).sum(1).relu()
R = store['grad'], cam.detach()
""",
    "saved_tensors_twice_and_none": """
class F(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, w=None):
        ctx.save_for_backward(x, w)
        return x * 2 if w is None else x * w
    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        x2, w2 = ctx.saved_tensors
        print(w is None, w2 is None)
        return g * 2, None
x = torch.tensor([1.0, 2.0], requires_grad=True)
F.apply(x).sum().backward()
R = x.grad
""",
    "straight_through_detach_trick": """
x = torch.tensor([0.2, 0.7, 1.4], requires_grad=True)
hard = x.round()
y = x + (hard - x).detach()
(y * torch.tensor([1.0, 2.0, 3.0])).sum().backward()
R = y, x.grad
""",
    "multi_grad_hook_and_graph_utils": """
a = torch.tensor([1.0, 2.0], requires_grad=True)
b = torch.tensor([3.0], requires_grad=True)
c = torch.tensor([5.0], requires_grad=True)
def fn(grads):
    print('all', [None if g is None else g.tolist() for g in grads])
h = torch.autograd.graph.register_multi_grad_hook((a, b, c), fn)
(a.sum() * b).sum().backward()
(a * 2).sum().backward()
h.remove()
(a * 2).sum().backward()
h2 = torch.autograd.graph.register_multi_grad_hook((b,), lambda g: print('any', g.tolist()), mode='any')
(a.sum() * b).sum().backward()
try:
    torch.autograd.graph.register_multi_grad_hook((a, b), fn, mode='x')
except ValueError as e:
    print(e)
print(torch.autograd.is_multithreading_enabled())
with torch.autograd.set_multithreading_enabled(False):
    print(torch.autograd.is_multithreading_enabled())
x = torch.ones(2)
torch.autograd.graph.increment_version(x)
R = x._version, torch.autograd.is_multithreading_enabled()
""",
    "hooks_ordering_cases": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x * 1
y.retain_grad()
y.register_hook(lambda g: g * 2)
(y * 3).sum().backward()
print(y.grad, x.grad)
x.grad = None
y = x * 1
y.register_hook(lambda g: g * 2)
y.retain_grad()
(y * 3).sum().backward()
print(y.grad, x.grad)
# leaf hooks and post accumulate
x.grad = None
order = []
x.register_hook(lambda g: order.append('h1'))
x.register_post_accumulate_grad_hook(lambda p: order.append('post'))
x.register_hook(lambda g: order.append('h2'))
(x * 2).sum().backward()
print(order)
# hook on a tensor used twice
a = torch.tensor([1.0], requires_grad=True)
b = a * 2
cnt = []
b.register_hook(lambda g: cnt.append(g.item()))
(b * 3 + b * 4).sum().backward()
print(cnt)
# hook removing itself
c = torch.tensor([1.0], requires_grad=True)
hs = []
def once(g):
    hs[0].remove()
    return g * 10
hs.append(c.register_hook(once))
(c * 1).sum().backward(); (c * 1).sum().backward()
print(c.grad)
# handle as context manager
d = torch.tensor([1.0], requires_grad=True)
with d.register_hook(lambda g: g * 100):
    (d * 1).sum().backward()
(d * 1).sum().backward()
print(d.grad)
# hook on output of multi-output op
e = torch.tensor([3.0, 1.0, 2.0], requires_grad=True)
vals, idx = e.sort()
vals.register_hook(lambda g: g * torch.tensor([1.0, 10.0, 100.0]))
vals.sum().backward()
print(e.grad)
""",
    "inplace_many_cases": """
def attempt(name, f):
    try:
        r = f()
        print(name, 'ok', r)
    except Exception as e:
        print(name, type(e).__name__, str(e).split(chr(10))[0])
def c1():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp(); y[0] = 0; y.sum().backward()
def c2():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2; y[0] = 0; y.sum().backward(); return x.grad
def c3():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x.tanh(); z = y.view(2); z.mul_(2); y.sum().backward()
def c4():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x.sigmoid(); y.data.mul_(2); y.sum().backward(); return x.grad
def c5():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x.pow(2); x2 = x.detach(); x2.add_(1); y.sum().backward()
def c6():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    x.data.add_(1); (x * x).sum().backward(); return x.grad
def c7():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = torch.relu(x); y += 1; y.sum().backward(); return x.grad
def c8():
    x = torch.tensor([-1.0, 2.0], requires_grad=True)
    y = torch.relu(x * 1); z = y * y; y.add_(1); z.sum().backward()
def c9():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x.clone(); y.exp_(); y.sum().backward(); return x.grad
def c10():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x.clone(); y.exp_(); y.mul_(2); y.sum().backward(); return x.grad
def c11():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    x.zero_()
def c12():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    x.copy_(torch.ones(2))
def c13():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    torch.nn.init.zeros_(x); return x
def c14():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    x.fill_(3)
def c15():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x[0]; y.add_(1)
def c16():
    x = torch.tensor([[1.0, 2.0]], requires_grad=True)
    y = x.t(); y.mul_(2)
def c17():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    torch.sigmoid_(x)
def c18():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x + 0
    out = torch.exp(y)
    torch.exp(y, out=y)
def c19():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    out = torch.empty(2)
    torch.mul(x, 2, out=out)
def c20():
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = a.unbind(0)[0]; b.mul_(2)
def c21():
    a = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True) * 1
    chunks = a.split(2); chunks[0].mul_(2)
for i, f in enumerate([c1, c2, c3, c5, c6, c7, c8, c9, c11, c12, c13, c14, c15, c16, c17], 1):
    attempt(f'c{i}', f)
""",
    "node_types_and_attrs": """
class Exp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x.exp()
    @staticmethod
    def backward(ctx, g):
        return g
x = torch.tensor([1.0], requires_grad=True)
y = Exp.apply(x)
print(type(y.grad_fn), type((x*2).grad_fn), type(y.grad_fn.next_functions[0][0]))
print(isinstance(y.grad_fn, torch.autograd.function.BackwardCFunction), isinstance(y.grad_fn, torch.autograd.graph.Node))
print(y.grad_fn.name(), Exp.__name__, Exp._backward_cls.__name__ if hasattr(Exp, '_backward_cls') else None)
print(isinstance((x*2).grad_fn, torch.autograd.graph.Node), issubclass(type((x*2).grad_fn), torch.autograd.graph.Node))
print(hasattr(y.grad_fn, 'saved_tensors'), y.grad_fn.needs_input_grad, y.grad_fn.metadata)
print(callable(torch.autograd.grad), torch.autograd.grad.__name__)
print(torch.is_grad_enabled.__name__ if hasattr(torch.is_grad_enabled, '__name__') else '')
print(x.grad_fn, x.is_leaf, x.requires_grad, x.retains_grad, x.output_nr if hasattr(x, 'output_nr') else 'na')
v = x.sort()
print(v.values.output_nr, v.indices.requires_grad, (x*2).output_nr)
""",
    "requires_grad_false_then_true": """
m = torch.nn.Linear(2, 1)
m.requires_grad_(False)
print([p.requires_grad for p in m.parameters()])
out = m(torch.ones(1, 2))
print(out.requires_grad, out.grad_fn)
m.weight.requires_grad_(True)
out = m(torch.ones(1, 2))
print(out.requires_grad, out.grad_fn.name())
out.sum().backward()
R = m.weight.grad, m.bias.grad
""",
    "saved_tensors_hooks_cases": """
def attempt(name, f):
    try:
        print(name, 'ok', f())
    except Exception as e:
        print(name, type(e).__name__, str(e).split(chr(10))[0])
x = torch.tensor([1.0, 2.0], requires_grad=True)
def packs_id():
    store = {}
    def pack(t):
        k = len(store); store[k] = t; return k
    def unpack(k):
        return store[k]
    with torch.autograd.graph.saved_tensors_hooks(pack, unpack):
        y = x.pow(2).sin()
    y.sum().backward()
    r = x.grad.clone(); x.grad = None
    return len(store), r
attempt('pack_index', packs_id)
def on_cpu():
    with torch.autograd.graph.save_on_cpu():
        y = (x * x).exp()
    y.sum().backward(); r = x.grad.clone(); x.grad = None; return r
attempt('save_on_cpu', on_cpu)
def disabled():
    with torch.autograd.graph.disable_saved_tensors_hooks("not allowed here"):
        with torch.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t):
            pass
attempt('disabled', disabled)
def unpack_wrong():
    with torch.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t.sum()):
        y = x.exp()
    y.sum().backward()
attempt('unpack_wrong_shape', unpack_wrong)
def nested():
    calls = []
    with torch.autograd.graph.saved_tensors_hooks(lambda t: (calls.append('outer'), t)[1], lambda t: t):
        with torch.autograd.graph.saved_tensors_hooks(lambda t: (calls.append('inner'), t)[1], lambda t: t):
            y = x.exp()
    return calls
attempt('nested', nested)
def inplace_after_pack():
    with torch.autograd.graph.saved_tensors_hooks(lambda t: t.clone(), lambda t: t):
        a = x * 1
        y = a.exp()
        b = a * a
    a.add_(1)
    (y.sum() + b.sum()).backward()
    r = x.grad.clone(); x.grad = None; return r
attempt('inplace_after_pack', inplace_after_pack)
""",
    "second_backward_which_ops_save": """
F = torch.nn.functional
cases = {'add': lambda x: (x + 1).sum(), 'mul_scalar': lambda x: (x * 2).sum(), 'mul_tensor_const': lambda x: (x * torch.ones(2)).sum(),
'sub': lambda x: (1 - x).sum(), 'div_scalar': lambda x: (x / 2).sum(), 'neg': lambda x: (-x).sum(),
'view': lambda x: x.view(2, 1).sum(), 'index': lambda x: x[0] * 1, 'cat': lambda x: torch.cat([x, x]).sum(), 'exp': lambda x: x.exp().sum(),
'relu': lambda x: x.relu().sum(), 'pow': lambda x: (x ** 2).sum(), 'matmul_const': lambda x: (x @ torch.ones(2)), 'linear': lambda x: F.linear(x, torch.ones(3, 2)).sum(),
'expand': lambda x: x.expand(3, 2).sum(), 'clone': lambda x: x.clone().sum(), 'transpose': lambda x: x.unsqueeze(0).t().sum(), 'sum_dim': lambda x: x.sum(0),
'add_tensor': lambda x: (x + torch.ones(2)).sum(), 'sigmoid': lambda x: x.sigmoid().sum(), 'abs': lambda x: x.abs().sum(), 'mse': lambda x: F.mse_loss(x, torch.zeros(2)),
'rsub_tensor': lambda x: (torch.ones(2) - x).sum(), 'div_tensor_const': lambda x: (x / torch.ones(2)).sum(), 'scalar_div': lambda x: (1 / x).sum(), 'sqrt': lambda x: x.sqrt().sum(),
'flatten': lambda x: x.flatten().sum(), 'reshape': lambda x: x.reshape(1, 2).sum(), 'stack': lambda x: torch.stack([x, x]).sum(), 'squeeze': lambda x: x.unsqueeze(1).squeeze(1).sum(),
'permute': lambda x: x.reshape(1, 2).permute(1, 0).sum(), 'repeat': lambda x: x.repeat(2).sum(), 'flip': lambda x: x.flip(0).sum(), 'softmax': lambda x: x.softmax(0)[0], 'tanh': lambda x: x.tanh().sum(),
'log_softmax': lambda x: x.log_softmax(0)[0], 'dropout_eval': lambda x: F.dropout(x, 0.5, False).sum(), 'clamp': lambda x: x.clamp(0, 1.5).sum(), 'max': lambda x: x.max(), 'norm': lambda x: x.norm(),
}
for k, f in cases.items():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = f(x)
    y.backward()
    try:
        y.backward(); print(k, 'twice ok', x.grad.tolist())
    except RuntimeError as e:
        print(k, 'error')
""",
    "grad_setter_cases": """
import warnings
def attempt(name, f):
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter('always')
        try:
            r = f()
        except Exception as e:
            r = (type(e).__name__, str(e).split(chr(10))[0])
    print(name, r, [(w.category.__name__, str(w.message)[:60]) for w in ws])
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x * 2
attempt('set_nonleaf_grad', lambda: (setattr(y, 'grad', torch.ones(2)), y.grad)[1])
attempt('plain_grad', lambda: torch.ones(2).grad)
attempt('set_grad_non_tensor', lambda: setattr(x, 'grad', [1.0, 2.0]))
attempt('set_grad_requires_grad', lambda: (setattr(x, 'grad', torch.ones(2, requires_grad=True)), x.grad.requires_grad)[1])
attempt('set_grad_int', lambda: setattr(x, 'grad', torch.ones(2, dtype=torch.long)))
attempt('set_grad_on_int_tensor', lambda: setattr(torch.tensor([1, 2]), 'grad', torch.ones(2)))
z = torch.ones(2, requires_grad=True)
attempt('grad_after_set_none', lambda: (setattr(z, 'grad', None), z.grad)[1])
attempt('is_leaf_after_detach_', lambda: (y.detach_(), y.is_leaf, y.grad)[1:])
""",
}


@pytest.mark.parametrize("name", list(SNIPPETS))
def test_snippet(name):
    check(SNIPPETS[name])
