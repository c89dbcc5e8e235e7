"""Sweep of autograd as users drive it: backward, autograd.grad, gradient accumulation, hooks, graph nodes,
in-place and version-counter errors, detach/requires_grad,
run as source snippets under ``import torch`` and under ``import ember as torch``: printed output, results,
errors and warnings must match.

Each snippet sees ``torch`` (the library under test) and ``np``; it prints and/or sets ``R``.  Snippets build
their inputs from fixed values (seeded generators differ between the libraries).
"""

import pytest
from sweep_harness_autograd import check


SNIPPETS = {
    "backward_basic": """
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = (x ** 2).sum()
y.backward()
print(x.grad)
R = x.grad, y, y.grad_fn.name(), x.is_leaf, y.is_leaf
""",
    "backward_nonscalar_error": """
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x * 2
y.backward()
""",
    "backward_nonscalar_gradient": """
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x * 2
y.backward(torch.tensor([0.1, 1.0, 0.0001]))
R = x.grad
""",
    "backward_nonscalar_gradient_kw": """
x = torch.arange(6.0).reshape(2, 3).requires_grad_()
y = x.exp()
y.backward(gradient=torch.ones_like(y))
print(x.grad)
R = x.grad
""",
    "backward_twice_error": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = (x * x).sum()
y.backward()
y.backward()
""",
    "backward_twice_error_exp": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x.exp().sum()
y.backward()
y.backward()
""",
    "backward_retain_graph": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = (x * x).sum()
y.backward(retain_graph=True)
print(x.grad)
y.backward()
print(x.grad)
R = x.grad
""",
    "grad_accumulation_zero": """
w = torch.tensor([1.0, -1.0], requires_grad=True)
for i in range(3):
    loss = (w * torch.tensor([2.0, 3.0])).sum()
    loss.backward()
print(w.grad)
w.grad.zero_()
print(w.grad)
w.grad = None
(w * 5).sum().backward()
print(w.grad)
R = w.grad
""",
    "backward_no_grad_error": """
x = torch.tensor([1.0, 2.0])
y = (x * 2).sum()
y.backward()
""",
    "backward_under_no_grad_error": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
with torch.no_grad():
    y = (x * 2).sum()
print(y.requires_grad)
y.backward()
""",
    "autograd_grad_basic": """
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = (x ** 3).sum()
g, = torch.autograd.grad(y, x)
print(g, x.grad)
R = g
""",
    "autograd_grad_create_graph": """
x = torch.tensor(2.0, requires_grad=True)
y = x ** 3
dy, = torch.autograd.grad(y, x, create_graph=True)
d2y, = torch.autograd.grad(dy, x, create_graph=True)
d3y, = torch.autograd.grad(d2y, x)
print(dy, d2y, d3y)
R = dy, d2y, d3y
""",
    "autograd_grad_unused_error": """
x = torch.tensor(2.0, requires_grad=True)
z = torch.tensor(3.0, requires_grad=True)
y = x * 2
torch.autograd.grad(y, [x, z])
""",
    "autograd_grad_allow_unused": """
x = torch.tensor(2.0, requires_grad=True)
z = torch.tensor(3.0, requires_grad=True)
y = x * 2
R = torch.autograd.grad(y, [x, z], allow_unused=True)
print(R)
R2 = torch.autograd.grad(x * 2, [x, z], materialize_grads=True)
print(R2)
""",
    "autograd_grad_outputs": """
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x * x
g, = torch.autograd.grad(y, x, grad_outputs=torch.tensor([1.0, 0.0, 2.0]))
R = g
""",
    "autograd_grad_outputs_shape_error": """
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x * x
torch.autograd.grad(y, x, grad_outputs=torch.tensor([1.0, 0.0]))
""",
    "autograd_grad_batched": """
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x ** 2
I = torch.eye(3)
jac, = torch.autograd.grad(y, x, grad_outputs=I, is_grads_batched=True)
print(jac)
R = jac
""",
    "backward_inputs": """
a = torch.tensor(1.0, requires_grad=True)
b = torch.tensor(2.0, requires_grad=True)
y = a * b
y.backward(inputs=[a])
print(a.grad, b.grad)
R = a.grad
""",
    "backward_inputs_nonleaf": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x * 2
z = (y * y).sum()
z.backward(inputs=[y], retain_graph=True)
print(y.grad, x.grad, y.retains_grad)
z.backward(inputs=[y, x])
R = y.grad, x.grad, y.retains_grad
""",
    "grad_penalty": """
x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
w = torch.tensor([[0.5, -1.0], [2.0, 0.1]], requires_grad=True)
out = torch.tanh(x @ w).sum()
g, = torch.autograd.grad(out, x, create_graph=True)
penalty = (g.norm(2, dim=1) - 1).pow(2).mean()
penalty.backward()
R = w.grad, x.grad
""",
    "train_loop_manual": """
w = torch.tensor([0.0, 0.0], requires_grad=True)
b = torch.tensor(0.0, requires_grad=True)
X = torch.tensor([[1.0, 2.0], [2.0, 1.0], [3.0, 3.0]])
Y = torch.tensor([5.0, 4.0, 9.0])
lr = 0.01
for epoch in range(50):
    pred = X @ w + b
    loss = ((pred - Y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
        b -= lr * b.grad
        w.grad.zero_()
        b.grad.zero_()
print(w.requires_grad, w.is_leaf, w.grad)
R = w, b, loss
""",
    "train_loop_grad_none_update": """
w = torch.tensor([0.5, -0.5], requires_grad=True)
X = torch.tensor([[1.0, 2.0], [2.0, 1.0]])
for _ in range(3):
    loss = (X @ w).pow(2).sum()
    loss.backward()
    w.data -= 0.01 * w.grad.data
    w.grad = None
R = w, loss
""",
    "autograd_backward_fn": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
y1 = x * 2
y2 = x ** 2
torch.autograd.backward([y1, y2], [torch.ones(2), torch.tensor([1.0, 0.5])])
print(x.grad)
torch.autograd.backward(x.sum())
R = x.grad
""",
    "grad_not_in_graph_error": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
z = torch.tensor([1.0, 2.0], requires_grad=True)
y = (x * 2).sum()
torch.autograd.grad(y, z)
""",
    "grad_input_no_requires_grad_error": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
z = torch.tensor([1.0, 2.0])
y = (x * z).sum()
torch.autograd.grad(y, [x, z])
""",
    "grad_nonscalar_error": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
torch.autograd.grad(x * 2, x)
""",
    "grad_wrt_intermediate": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
h = x * 3
y = (h ** 2).sum()
gh, gx = torch.autograd.grad(y, [h, x])
R = gh, gx
""",
    "grad_retain_twice": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = (x.exp() * x).sum()
g1, = torch.autograd.grad(y, x, retain_graph=True)
g2, = torch.autograd.grad(y, x)
R = g1, g2
torch.autograd.grad(y, x)
""",
    "grad_multiple_outputs": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
a = (x ** 2).sum()
b = (x * 3).sum()
R = torch.autograd.grad([a, b], x)
R2 = torch.autograd.grad([a * 1, b * 1], [x], grad_outputs=[torch.tensor(2.0), torch.tensor(-1.0)])
R = R, R2
""",
    "backward_create_graph": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = (x ** 3).sum()
import warnings
with warnings.catch_warnings():
    warnings.simplefilter("ignore")     # torch warns once per process
    y.backward(create_graph=True)
print(x.grad.requires_grad, x.grad.grad_fn is not None)
g = x.grad
x.grad = None
g.sum().backward()
R = x.grad
""",
    "backward_scalar_explicit_grad": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = (x ** 2).sum()
y.backward(torch.tensor(3.0))
R = x.grad
""",
    "backward_wrong_shape_grad": """
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x * 2
y.backward(torch.ones(2))
""",
    "backward_double_grad_dtype": """
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x * 2
y.backward(torch.ones(3, dtype=torch.float64))
R = x.grad
""",
    "grad_assign_wrong_shape": """
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
x.grad = torch.ones(2)
""",
    "grad_assign_wrong_dtype": """
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
x.grad = torch.ones(3, dtype=torch.float64)
""",
    "grad_assign_ok": """
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
x.grad = torch.ones(3)
(x * 2).sum().backward()
R = x.grad
""",
    "grad_none_zero_error": """
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
print(x.grad)
x.grad.zero_()
""",
    "grad_wrt_parameters_generator": """
model = torch.nn.Linear(2, 1)
with torch.no_grad():
    model.weight.copy_(torch.tensor([[1.0, -1.0]]))
    model.bias.fill_(0.25)
x = torch.tensor([[1.0, 2.0], [0.5, 0.5]])
loss = model(x).pow(2).mean()
grads = torch.autograd.grad(loss, model.parameters(), create_graph=True)
print(type(grads).__name__, len(grads))
gnorm = sum(g.pow(2).sum() for g in grads)
gnorm.backward()
R = grads, model.weight.grad, model.bias.grad
""",
    "grad_keywords": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x.sin()
g = torch.autograd.grad(outputs=[y], inputs=[x], grad_outputs=[torch.ones_like(y)], retain_graph=True)
g2 = torch.autograd.grad(y, x, torch.ones_like(y))
R = g, g2
""",
    "grad_only_inputs": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = (x * 2).sum()
R = torch.autograd.grad(y, x, only_inputs=True)
""",
    "grad_through_indexing": """
x = torch.arange(6.0, requires_grad=True)
idx = torch.tensor([0, 2, 2, 5])
y = x[idx] * torch.tensor([1.0, 2.0, 3.0, 4.0])
y.sum().backward()
print(x.grad)
x2 = torch.arange(6.0).reshape(2, 3).requires_grad_()
x2[x2 > 2].sum().backward()
print(x2.grad)
x3 = torch.arange(6.0).reshape(2, 3).requires_grad_()
x3[:, [0, 2]].pow(2).sum().backward()
R = x.grad, x2.grad, x3.grad
""",
    "grad_through_scatter_gather": """
src = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
idx = torch.tensor([[0, 0], [1, 0]])
g = torch.gather(src, 1, idx)
(g * torch.tensor([[1.0, 10.0], [100.0, 1000.0]])).sum().backward()
print(src.grad)
s = torch.zeros(3).scatter_add(0, torch.tensor([0, 0, 2]), torch.tensor([1.0, 2.0, 3.0], requires_grad=True))
R = src.grad, s
""",
    "grad_accumulates_shared_weight": """
w = torch.tensor([2.0], requires_grad=True)
x = torch.tensor([1.0, 2.0, 3.0])
h = x * w
h = h * w
h = h * w
h.sum().backward()
R = w.grad
""",
    "second_derivative_loop": """
x = torch.linspace(-1, 1, 5, requires_grad=True)
y = torch.sin(x) * x
dy = torch.autograd.grad(y.sum(), x, create_graph=True)[0]
d2y = torch.autograd.grad(dy.sum(), x, create_graph=True)[0]
d3y = torch.autograd.grad(d2y.sum(), x)[0]
R = dy, d2y, d3y
""",
    "pinn_style": """
x = torch.linspace(0, 1, 4).reshape(-1, 1).requires_grad_(True)
net = torch.nn.Sequential(torch.nn.Linear(1, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1))
with torch.no_grad():
    net[0].weight.copy_(torch.tensor([[0.5], [-1.0], [2.0]]))
    net[0].bias.copy_(torch.tensor([0.1, 0.2, -0.3]))
    net[2].weight.copy_(torch.tensor([[1.0, 0.5, -0.5]]))
    net[2].bias.fill_(0.0)
u = net(x)
u_x = torch.autograd.grad(u, x, grad_outputs=torch.ones_like(u), create_graph=True)[0]
u_xx = torch.autograd.grad(u_x, x, grad_outputs=torch.ones_like(u_x), create_graph=True)[0]
loss = (u_xx + u).pow(2).mean()
loss.backward()
R = u_x, u_xx, net[0].weight.grad, net[2].weight.grad
""",
    "gradient_clipping_manual": """
model = torch.nn.Linear(3, 2)
with torch.no_grad():
    model.weight.copy_(torch.arange(6.0).reshape(2, 3))
    model.bias.fill_(1.0)
x = torch.tensor([[1.0, 2.0, 3.0]])
model(x).pow(2).sum().backward()
total = torch.sqrt(sum(p.grad.pow(2).sum() for p in model.parameters()))
for p in model.parameters():
    p.grad.mul_(1.0 / total)
R = total, model.weight.grad, model.bias.grad
""",
    "detect_anomaly_inplace_hint": """
a = torch.tensor([1.0, 2.0], requires_grad=True)
b = a.exp()
b.add_(1)
try:
    b.sum().backward()
    print('no error')
except RuntimeError as e:
    print(e)
c = a.sigmoid()
d = c * 2
c.add_(1)
try:
    d.sum().backward()
except RuntimeError as e:
    print(e)
""",
    "tensor_backward_inputs_kw": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
w = torch.tensor([3.0, 4.0], requires_grad=True)
loss = (x * w).sum()
loss.backward(inputs=w)
print(x.grad, w.grad)
loss2 = (x * w).sum()
loss2.backward(inputs=[])
""",
    "errors_misc_grad": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
c = torch.tensor([1.0, 2.0])
for call in [lambda: torch.autograd.grad([(x * 2).sum(), c.sum()], x),
             lambda: torch.autograd.grad((x * 2).sum(), []),
             lambda: torch.autograd.grad((x * 2).sum(), [x, 3.0]),
             lambda: torch.autograd.grad((x * 2).sum(), x, grad_outputs=[torch.tensor(1.0), torch.tensor(2.0)]),
             lambda: torch.autograd.backward([(x * 2).sum(), c.sum()]),
             lambda: torch.autograd.grad((x * 2).sum(), x, allow_unused=False, materialize_grads=True),
             lambda: torch.autograd.grad(x, x),
             lambda: (x * 2).sum().backward(inputs=[c]),
             lambda: (x * 2).backward(torch.ones(2, dtype=torch.complex64)),
             ]:
    try:
        print(call())
    except Exception as e:
        print(type(e).__name__, str(e).split(chr(10))[0])
""",
    "grad_of_grad_none_error": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = (x * 2).sum()
g, = torch.autograd.grad(y, x, create_graph=True)
print(g.requires_grad)
torch.autograd.grad(g.sum(), x)
""",
    "grad_of_grad_allow_unused": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = (x * 2).sum()
g, = torch.autograd.grad(y, x, create_graph=True)
R = g.requires_grad, g.grad_fn
""",
    "backward_list_of_outputs": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
outs = [x.sum(), (x ** 2).sum()]
torch.autograd.backward(outs)
R = x.grad
""",
    "maml_inner_loop": """
w = torch.tensor([1.0, -1.0], requires_grad=True)
x = torch.tensor([[1.0, 2.0], [0.5, -1.0]])
y = torch.tensor([1.0, 0.0])
def loss_fn(w):
    return ((x @ w - y) ** 2).mean()
inner = loss_fn(w)
g, = torch.autograd.grad(inner, w, create_graph=True)
w_adapted = w - 0.1 * g
outer = loss_fn(w_adapted)
outer.backward()
R = w.grad, w_adapted, outer
""",
    "grad_accumulation_steps": """
w = torch.tensor([1.0, 2.0], requires_grad=True)
data = [torch.tensor([1.0, 0.0]), torch.tensor([0.0, 1.0]), torch.tensor([1.0, 1.0])]
for i, d in enumerate(data):
    loss = (w * d).sum() ** 2 / len(data)
    loss.backward()
print(w.grad)
with torch.no_grad():
    w -= 0.1 * w.grad
w.grad.zero_()
R = w, w.grad
""",
    "tensor_grad_setter_none_and_data": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
(x * 3).sum().backward()
g = x.grad
x.grad.data.zero_()
print(g)
x.grad = torch.tensor([5.0, 5.0])
(x * 1).sum().backward()
R = x.grad, g
""",
    "autograd_grad_with_nn_loss": """
x = torch.tensor([[0.5, -1.0, 2.0]], requires_grad=True)
target = torch.tensor([2])
loss = torch.nn.functional.cross_entropy(x, target)
g, = torch.autograd.grad(loss, x)
loss2 = torch.nn.MSELoss()(x, torch.zeros(1, 3))
loss2.backward()
R = g, x.grad, loss.grad_fn.name(), loss2.grad_fn.name()
""",
    "grad_capture_hooks_and_bad_args": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
x.register_hook(lambda g: g * 10)
print(torch.autograd.grad((x * 2).sum(), x))
y = x * 1
y.register_hook(lambda g: g * 10)
print(torch.autograd.grad((y * 2).sum(), [x, y]))
x.register_post_accumulate_grad_hook(lambda p: print('post'))
print(torch.autograd.grad((x * 2).sum(), x))
try: torch.autograd.grad([1.0], x)
except Exception as e: print(type(e).__name__, e)
try: torch.autograd.backward([x.sum(), 1.0])
except Exception as e: print(type(e).__name__, e)
""",
    "odd_arguments_cases": """
def attempt(name, f):
    try:
        r = f()
        print(name, 'ok', r)
    except Exception as e:
        print(name, type(e).__name__, str(e).split(chr(10))[0])
x = torch.tensor([1.0, 2.0], requires_grad=True)
attempt('one_elem', lambda: ((x[:1] * 2).backward(), x.grad)[1])
attempt('gt_sum', lambda: (x > 0).sum().backward())
attempt('float_gradient', lambda: (x.sum() * 2).backward(2.0))
attempt('list_gradient', lambda: (x * 2).backward([1.0, 1.0]))
attempt('int_gradient', lambda: (x * 2).backward(torch.tensor([1, 1])))
attempt('grad_float_out', lambda: torch.autograd.grad(x.sum() * 2, x, 2.0))
attempt('half_out', lambda: ((x.half() * 2).sum().backward(), x.grad)[1])
attempt('bf16_out', lambda: ((x.bfloat16() * 2).sum().backward(), x.grad)[1])
attempt('f64_grad_for_f32', lambda: torch.autograd.grad(x * 2, x, torch.ones(2, dtype=torch.float64)))
attempt('grad_out_requires_grad', lambda: torch.autograd.grad(x * 2, x, torch.ones(2, requires_grad=True), create_graph=True))
attempt('backward_none_tensor', lambda: torch.autograd.backward(None))
attempt('backward_nontensor', lambda: torch.autograd.backward([1.0]))
attempt('grad_nontensor_out', lambda: torch.autograd.grad(1.0, x))
attempt('detach_grad', lambda: (x.detach().requires_grad_() * 2).sum().backward())
attempt('sum_int', lambda: torch.tensor([1, 2]).sum().backward())
attempt('retain_grad_int', lambda: torch.tensor([1, 2]).retain_grad())
attempt('grad_of_inference', lambda: torch.autograd.grad((x * 2).sum(), x, retain_graph=None, create_graph=False))
attempt('cpu_to_same', lambda: (x.to('cpu') is x, x.cpu() is x, x.float() is x))
attempt('new_tensor_rg', lambda: x.new_tensor([1.0]).requires_grad)
attempt('tensor_of_tensor', lambda: torch.tensor(x).requires_grad)
attempt('as_tensor', lambda: torch.as_tensor(x) is x)
attempt('clone_detach', lambda: x.clone().detach().requires_grad)
""",
    "backward_inputs_with_hooks": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x * 2
y.register_hook(lambda g: g * 10)
z = (y * y).sum()
z.backward(inputs=[y], retain_graph=True)
print(y.grad, x.grad)
z.backward(inputs=[x, y])
print(y.grad, x.grad)
w = x * 3
w.retain_grad()
w.register_hook(lambda g: g + 1)
(w * w).sum().backward(inputs=[w])
print(w.grad)
""",
    "tutorial_blitz_autograd": """
a = torch.tensor([2., 3.], requires_grad=True)
b = torch.tensor([6., 4.], requires_grad=True)
Q = 3*a**3 - b**2
external_grad = torch.tensor([1., 1.])
Q.backward(gradient=external_grad)
print(9*a**2 == a.grad)
print(-2*b == b.grad)
x = torch.ones(5, 5)
y = torch.zeros(5, 5)
z = torch.ones((5, 5), requires_grad=True)
a = x + y
print(f"Does `a` require gradients?: {a.requires_grad}")
b = x + z
print(f"Does `b` require gradients?: {b.requires_grad}")
""",
    "tutorial_basics_autograd": """
x = torch.ones(5)
y = torch.zeros(3)
w = torch.linspace(-1, 1, 15).reshape(5, 3).requires_grad_()
b = torch.tensor([0.1, 0.2, 0.3], requires_grad=True)
z = torch.matmul(x, w) + b
loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
print(type(z.grad_fn).__name__, type(loss.grad_fn).__name__)
loss.backward()
print(w.grad)
print(b.grad)
z = torch.matmul(x, w) + b
print(z.requires_grad)
with torch.no_grad():
    z = torch.matmul(x, w) + b
print(z.requires_grad)
z = torch.matmul(x, w) + b
z_det = z.detach()
print(z_det.requires_grad)
inp = torch.eye(4, 5, requires_grad=True)
out = (inp + 1).pow(2).t()
out.backward(torch.ones_like(out), retain_graph=True)
print(f"First call\\n{inp.grad}")
out.backward(torch.ones_like(out), retain_graph=True)
print(f"\\nSecond call\\n{inp.grad}")
inp.grad.zero_()
out.backward(torch.ones_like(out), retain_graph=True)
print(f"\\nCall after zeroing gradients\\n{inp.grad}")
""",
    "freeze_finetune": """
model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
for param in model.parameters():
    param.requires_grad = False
model[2] = torch.nn.Linear(4, 2)
with torch.no_grad():
    model[0].weight.copy_(torch.linspace(-1, 1, 12).reshape(4, 3)); model[0].bias.fill_(0.1)
    model[2].weight.copy_(torch.linspace(-0.5, 0.5, 8).reshape(2, 4)); model[2].bias.zero_()
print([p.requires_grad for p in model.parameters()])
opt = torch.optim.SGD(model[2].parameters(), lr=0.1, momentum=0.9)
x = torch.tensor([[1.0, 2.0, 3.0]])
loss = model(x).pow(2).sum()
loss.backward()
print(model[0].weight.grad, model[2].weight.grad + 0.0)
opt.step()
print(loss.grad_fn.name(), [n for n, p in model.named_parameters() if p.requires_grad])
R = model[2].weight
""",
    "gradients_through_many_ops": """
x0 = torch.arange(1.0, 7.0).reshape(2, 3)
w = torch.arange(12.0).reshape(2, 6) / 7
cases = {
 'stack': lambda x: torch.stack([x, x * 2], 1),
 'cat': lambda x: torch.cat([x, x.flip(0)], 1),
 'split': lambda x: torch.cat([c * (i + 1) for i, c in enumerate(x.split([1, 2], 1))], 1),
 'chunk': lambda x: torch.cat([c.exp() for c in x.chunk(3, 1)], 1),
 'unbind': lambda x: torch.stack([r * i for i, r in enumerate(x.unbind(1))], 1),
 'expand': lambda x: x[:, :1].expand(2, 3) * x,
 'repeat': lambda x: x.repeat(1, 2)[:, :3] * 2,
 'index_put': lambda x: x.index_put((torch.tensor([0, 1]), torch.tensor([2, 0])), torch.tensor([5.0, 6.0])),
 'topk': lambda x: x.topk(2, dim=1).values.repeat(1, 2)[:, :3] ** 2,
 'sort': lambda x: x.sort(1, descending=True).values * torch.arange(3.0),
 'cumsum': lambda x: x.cumsum(1) ** 2,
 'roll': lambda x: x.roll(1, 1) * torch.arange(3.0),
 'tril': lambda x: torch.cat([x, x], 0)[:, :3].tril(),
 'scatter': lambda x: torch.zeros(2, 3).scatter(1, torch.tensor([[2, 1, 0], [0, 2, 1]]), x),
 'diag': lambda x: torch.diag(x[:, :2]).repeat(2, 2)[:, :3] * x,
 'kthvalue': lambda x: x.kthvalue(2, 1).values.unsqueeze(1) * x,
 'median': lambda x: x.median(1).values.unsqueeze(1) * x,
 'logcumsumexp': lambda x: torch.logcumsumexp(x, 1),
 'cummax': lambda x: x.flip(1).cummax(1).values * x,
 'einsum_trace': lambda x: torch.einsum('ij,ij->i', x, x).unsqueeze(1) * x,
 'renorm': lambda x: x.renorm(2, 0, 5),
 'dist': lambda x: torch.dist(x, x.flip(1)).expand(2, 3) * x,
 'amax_ties': lambda x: torch.stack([x.round(), x.round()]).amax(0) * x,
 'nan_to_num': lambda x: torch.nan_to_num(x / (x - 2)) ,
 'lerp': lambda x: torch.lerp(x, x ** 2, 0.3),
 'addcmul': lambda x: torch.addcmul(x, x, x.flip(1), value=0.5),
 'baddbmm': lambda x: torch.baddbmm(x.unsqueeze(0), x.unsqueeze(0), torch.eye(3).unsqueeze(0)),
 'matrix_power': lambda x: torch.linalg.matrix_power(x[:, :2], 3).repeat(1, 2)[:, :3],
 'unfold': lambda x: x.unfold(1, 2, 1).sum(-1).repeat(1, 2)[:, :3] * x,
 'as_strided': lambda x: x.as_strided((2, 2), (1, 2)).repeat(1, 2)[:, :3],
 'narrow_copy': lambda x: x.narrow(1, 1, 2).repeat(1, 2)[:, :3] * x,
 'take': lambda x: torch.take(x, torch.tensor([[0, 5, 5], [1, 2, 3]])),
 'masked_select': lambda x: x.masked_select(x > 2).repeat(2)[:6].reshape(2, 3),
 'where_scalar': lambda x: torch.where(x > 3, x, 0.0) ** 2,
 'std_mean': lambda x: torch.stack(torch.std_mean(x, 1), 1).repeat(1, 2)[:, :3] * x,
 'softmax_dim0': lambda x: torch.softmax(x, 0) * x,
 'prod_zero': lambda x: torch.cat([x[:, :1] * 0, x[:, 1:]], 1).prod(1, keepdim=True) * x,
}
for k, f in cases.items():
    x = x0.clone().requires_grad_()
    try:
        y = f(x)
        (y * w[:, :y.shape[-1]] if y.dim() == 2 else y).sum().backward()
        print(k, [round(v, 4) for v in x.grad.reshape(-1).tolist()])
    except Exception as e:
        print(k, type(e).__name__, str(e)[:100])
""",
    "deprecated_arguments": """
import warnings
warnings.simplefilter('always')
x = torch.tensor([1.0, 2.0], requires_grad=True)
def attempt(name, f):
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter('always')
        try:
            r = f()
        except Exception as e:
            r = (type(e).__name__, str(e).split(chr(10))[0])
    print(name, r, [(w.category.__name__, str(w.message)) for w in ws])
attempt('grad_variables', lambda: torch.autograd.backward([x * 2], grad_variables=[torch.ones(2)]))
attempt('only_inputs_false', lambda: torch.autograd.grad((x * 2).sum(), x, only_inputs=False))
attempt('both', lambda: torch.autograd.backward([x * 2], grad_tensors=[torch.ones(2)], grad_variables=[torch.ones(2)]))
attempt('tensor_data_grad', lambda: x.data.requires_grad)
attempt('detect_anomaly_check_nan', lambda: torch.autograd.detect_anomaly(check_nan=False).check_nan)
attempt('set_detect_anomaly_obj', lambda: type(torch.autograd.set_detect_anomaly(False)).__name__)
""",
}


@pytest.mark.parametrize("name", list(SNIPPETS))
def test_snippet(name):
    check(SNIPPETS[name])
