"""Sweep of autograd as users drive it (backward, grad, hooks, custom Functions, grad modes, functional
jacobians, gradcheck), run as source snippets under ``import torch`` and under ``import ember as torch``:
printed output, results, errors and warnings must match.

Each snippet sees ``torch`` (the library under test) and ``np``; it prints and/or sets ``R``.  Snippets build
their inputs from fixed values (seeded generators differ between the libraries).
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
        vals = np.asarray(a.resolve_conj().numpy()) if a.is_complex() else np.asarray(a.numpy())
        if vals.dtype.kind in "fc":
            vals = np.round(vals, 5)
        return ("T", str(v.dtype).replace("ember.", "torch."), tuple(v.shape), vals.tolist(), v.requires_grad)
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


with warnings.catch_warnings():     # torch's first forward-mode transform warns from its own internals, once
    warnings.simplefilter("ignore")
    torch.func.jacfwd(torch.sin)(torch.ones(1))


def check(src):
    got, want = run_snippet(src, ember), run_snippet(src, torch)
    assert got[0] == want[0], "printed output differs"
    assert got[1] == want[1]
    assert got[2] == want[2], "warnings differ"


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
    "custom_function_backward_bad_returns": """
class F(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, k):
        return x * k
    @staticmethod
    def backward(ctx, g):
        return g, g
class G(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x.sum()
    @staticmethod
    def backward(ctx, g):
        return g.double().expand(1, 2)
class H(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x.sum()
    @staticmethod
    def backward(ctx, g):
        return 3.0
x = torch.tensor([1.0, 2.0], requires_grad=True)
for call in [lambda: F.apply(x, 2).sum().backward(), lambda: G.apply(x).backward(), lambda: H.apply(x).backward()]:
    try:
        call()
        print(x.grad, x.grad.dtype)
    except RuntimeError as e:
        print(e)
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
    "function_basic": """
class Exp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, i):
        result = i.exp()
        ctx.save_for_backward(result)
        return result
    @staticmethod
    def backward(ctx, grad_output):
        result, = ctx.saved_tensors
        return grad_output * result
x = torch.tensor([0.0, 1.0, 2.0], requires_grad=True)
y = Exp.apply(x)
print(y)
print(type(y.grad_fn).__name__, y.grad_fn.name(), y.is_leaf)
y.sum().backward()
R = x.grad
""",
    "function_setup_context": """
class MulConst(torch.autograd.Function):
    @staticmethod
    def forward(x, c):
        return x * c
    @staticmethod
    def setup_context(ctx, inputs, output):
        x, c = inputs
        ctx.c = c
    @staticmethod
    def backward(ctx, g):
        return g * ctx.c, None
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = MulConst.apply(x, 3.0)
y.backward(torch.ones(2))
print(y)
R = x.grad
""",
    "function_linear": """
class LinearFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input, weight, bias=None):
        ctx.save_for_backward(input, weight, bias)
        output = input.mm(weight.t())
        if bias is not None:
            output += bias.unsqueeze(0).expand_as(output)
        return output
    @staticmethod
    def backward(ctx, grad_output):
        input, weight, bias = ctx.saved_tensors
        grad_input = grad_weight = grad_bias = None
        print(ctx.needs_input_grad)
        if ctx.needs_input_grad[0]:
            grad_input = grad_output.mm(weight)
        if ctx.needs_input_grad[1]:
            grad_weight = grad_output.t().mm(input)
        if bias is not None and ctx.needs_input_grad[2]:
            grad_bias = grad_output.sum(0)
        return grad_input, grad_weight, grad_bias
x = torch.arange(6.0).reshape(2, 3)
w = torch.linspace(-1, 1, 12).reshape(4, 3).requires_grad_()
b = torch.ones(4, requires_grad=True)
out = LinearFunction.apply(x, w, b)
out.pow(2).sum().backward()
out2 = LinearFunction.apply(x, w)
out2.sum().backward()
R = w.grad, b.grad, x.grad, out
""",
    "function_non_differentiable": """
class Sort(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        idx = x.argsort()
        ctx.mark_non_differentiable(idx)
        ctx.save_for_backward(x, idx)
        return x.sort().values, idx
    @staticmethod
    def backward(ctx, g, gidx):
        x, idx = ctx.saved_tensors
        print(gidx)
        grad = torch.zeros_like(x)
        grad[idx] = g
        return grad
x = torch.tensor([3.0, 1.0, 2.0], requires_grad=True)
v, i = Sort.apply(x)
print(v.requires_grad, i.requires_grad, i.dtype)
(v * torch.tensor([1.0, 10.0, 100.0])).sum().backward()
R = x.grad
""",
    "function_mark_dirty": """
class AddOne_(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        x.add_(1)
        ctx.mark_dirty(x)
        return x
    @staticmethod
    def backward(ctx, g):
        return g
a = torch.tensor([1.0, 2.0], requires_grad=True)
b = a.clone()
c = AddOne_.apply(b)
print(c is b, c.grad_fn.name())
(c * 2).sum().backward()
R = a.grad, b
""",
    "function_materialize_grads": """
class Two(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.set_materialize_grads(False)
        return x.clone(), x.clone()
    @staticmethod
    def backward(ctx, g1, g2):
        print(g1 is None, g2 is None)
        out = torch.zeros(2)
        if g1 is not None: out = out + g1
        if g2 is not None: out = out + g2
        return out
class Two2(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x.clone(), x.clone()
    @staticmethod
    def backward(ctx, g1, g2):
        print(g1, g2)
        return g1 + g2
x = torch.tensor([1.0, 2.0], requires_grad=True)
a, b = Two.apply(x)
a.sum().backward()
a, b = Two2.apply(x)
(b * 3).sum().backward()
R = x.grad
""",
    "function_wrong_num_grads": """
class Bad(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, y):
        return x * y
    @staticmethod
    def backward(ctx, g):
        return g
x = torch.tensor([1.0, 2.0], requires_grad=True)
Bad.apply(x, torch.ones(2)).sum().backward()
""",
    "function_grad_for_nondiff_input": """
class F(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, n):
        ctx.n = n
        return x * n
    @staticmethod
    def backward(ctx, g):
        return g * ctx.n, None
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = F.apply(x, 4)
y.sum().backward()
R = x.grad, y
""",
    "function_once_differentiable": """
once_differentiable = torch.autograd.function.once_differentiable
class Sq(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 2
    @staticmethod
    @once_differentiable
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return 2 * x * g
x = torch.tensor([1.0, 3.0], requires_grad=True)
y = Sq.apply(x).sum()
g, = torch.autograd.grad(y, x, create_graph=True)
print(g, g.requires_grad)
g.sum().backward()
""",
    "function_call_forward_directly_error": """
class F(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2
    @staticmethod
    def backward(ctx, g):
        return g * 2
f = F()
f(torch.ones(2))
""",
    "function_no_backward_error": """
class F(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2
x = torch.ones(2, requires_grad=True)
F.apply(x).sum().backward()
""",
    "function_saved_tensors_after_backward": """
class F(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * 2
    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * 2
x = torch.ones(2, requires_grad=True)
y = F.apply(x)
y.sum().backward()
y.grad_fn.saved_tensors
""",
    "function_output_requires_grad": """
class F(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        print(torch.is_grad_enabled(), x.requires_grad)
        return x * 2
    @staticmethod
    def backward(ctx, g):
        return g * 2
x = torch.ones(2, requires_grad=True)
y = F.apply(x)
with torch.no_grad():
    z = F.apply(x)
w = F.apply(torch.ones(2))
R = y.requires_grad, z.requires_grad, w.requires_grad, y.grad_fn is not None, z.grad_fn
""",
    "function_double_backward": """
class Cube(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3
    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * 3 * x ** 2
x = torch.tensor(2.0, requires_grad=True)
y = Cube.apply(x)
g, = torch.autograd.grad(y, x, create_graph=True)
g2, = torch.autograd.grad(g, x)
R = g, g2
""",
    "function_return_tuple_and_nontensor": """
class F(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2, 5
    @staticmethod
    def backward(ctx, g, _):
        return g * 2
x = torch.ones(2, requires_grad=True)
a, b = F.apply(x)
print(b, type(b))
a.sum().backward()
R = x.grad
""",
    "function_ctx_attrs": """
class F(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, scale=2.0, shift=None):
        ctx.scale = scale
        ctx.shift = shift
        return x * scale
    @staticmethod
    def backward(ctx, g):
        return g * ctx.scale, None, None
x = torch.ones(3, requires_grad=True)
F.apply(x).sum().backward()
F.apply(x, 5.0).sum().backward()
R = x.grad
""",
    "grad_modes": """
x = torch.tensor([1.0], requires_grad=True)
with torch.no_grad():
    y = x * 2
    print(torch.is_grad_enabled())
    with torch.enable_grad():
        z = x * 2
print(y.requires_grad, z.requires_grad)
with torch.set_grad_enabled(False):
    w = x * 2
print(w.requires_grad)
torch.set_grad_enabled(False)
v = x * 2
torch.set_grad_enabled(True)
print(v.requires_grad, torch.is_grad_enabled())
is_train = False
with torch.set_grad_enabled(is_train):
    u = x * 2
R = u.requires_grad
""",
    "grad_mode_decorators": """
@torch.no_grad()
def f(x):
    return x * 2
@torch.no_grad
def f2(x):
    return x * 2
@torch.enable_grad()
def g(x):
    return x * 2
@torch.inference_mode()
def h(x):
    return x * 2
x = torch.tensor([1.0], requires_grad=True)
with torch.no_grad():
    b = g(x)
R = f(x).requires_grad, f2(x).requires_grad, b.requires_grad, h(x).requires_grad, h(x).is_inference()
print(f.__name__, g.__name__)
""",
    "inference_mode": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
with torch.inference_mode():
    y = x * 2
    print(torch.is_inference_mode_enabled(), torch.is_grad_enabled())
print(y.requires_grad, y.is_inference(), x.is_inference())
print(torch.is_inference_mode_enabled())
with torch.inference_mode(mode=False):
    z = x * 2
R = z.requires_grad, z.is_inference()
""",
    "inference_tensor_in_autograd_error": """
with torch.inference_mode():
    y = torch.ones(2)
w = torch.ones(2, requires_grad=True)
(w * y).sum().backward()
print(w.grad)
y.requires_grad_()
""",
    "inference_tensor_save_error": """
with torch.inference_mode():
    y = torch.ones(2)
w = torch.tensor([1.0, 2.0], requires_grad=True)
z = (w * w).sum()
z.backward()
y.add_(1)
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
    "once_differentiable_double_error": """
class Sq(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 2
    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return 2 * x * g
x = torch.tensor([1.0, 3.0], requires_grad=True)
y = Sq.apply(x * 1)
g, = torch.autograd.grad(y, x, grad_outputs=torch.ones(2, requires_grad=True), create_graph=True)
print(g.requires_grad)
g.sum().backward()
""",
    "anomaly_nan": """
x = torch.tensor([0.0, 1.0], requires_grad=True)
with torch.autograd.detect_anomaly():
    y = x.sqrt() * 0
    y.sum().backward()
""",
    "anomaly_flags": """
print(torch.is_anomaly_enabled())
with torch.autograd.set_detect_anomaly(True):
    print(torch.is_anomaly_enabled())
print(torch.is_anomaly_enabled())
torch.autograd.set_detect_anomaly(True)
print(torch.is_anomaly_enabled(), torch.is_anomaly_check_nan_enabled())
torch.autograd.set_detect_anomaly(False)
x = torch.tensor([4.0], requires_grad=True)
with torch.autograd.detect_anomaly(check_nan=False):
    (x.sqrt() * 2).sum().backward()
R = x.grad
""",
    "anomaly_custom_function_nan": """
class Bad(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x.clone()
    @staticmethod
    def backward(ctx, g):
        return g * float('nan')
x = torch.ones(2, requires_grad=True)
import warnings
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter("always")
    with torch.autograd.detect_anomaly():
        try:
            Bad.apply(x).sum().backward()
        except RuntimeError as e:
            print(e)
print([str(m.message).split(chr(10))[0] for m in w])
""",
    "jacobian_basic": """
jacobian = torch.autograd.functional.jacobian
def exp_reducer(x):
    return x.exp().sum(dim=1)
inputs = torch.tensor([[0.0, 1.0], [0.5, -1.0]])
J = jacobian(exp_reducer, inputs)
print(J.shape)
R = J
""",
    "jacobian_multi": """
def f(x, y):
    return x * y, x + y
x = torch.tensor([1.0, 2.0]); y = torch.tensor([3.0, 4.0])
J = torch.autograd.functional.jacobian(f, (x, y))
print(type(J).__name__, len(J), type(J[0]).__name__)
J3 = torch.autograd.functional.jacobian(lambda a: a ** 2, x, create_graph=True)
R = J, J3
""",
    "hessian_basic": """
def pow_reducer(x):
    return x.pow(3).sum()
inputs = torch.tensor([[1.0, 2.0], [3.0, -1.0]])
H = torch.autograd.functional.hessian(pow_reducer, inputs)
print(H.shape)
def f(x, y):
    return (x * y ** 2).sum()
H2 = torch.autograd.functional.hessian(f, (torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0])))
R = H, H2
""",
    "vjp_jvp": """
F = torch.autograd.functional
vjp, jvp, vhp, hvp = F.vjp, F.jvp, F.vhp, F.hvp
def exp_reducer(x):
    return x.exp().sum(dim=1)
inputs = torch.tensor([[0.0, 1.0], [0.5, -1.0]])
v = torch.ones(2)
out, g = vjp(exp_reducer, inputs, v)
out2, jv = jvp(exp_reducer, inputs, torch.ones(2, 2))
def pow_reducer(x):
    return x.pow(3).sum()
x = torch.tensor([1.0, 2.0])
o3, h1 = vhp(pow_reducer, x, torch.tensor([1.0, 0.5]))
o4, h2 = hvp(pow_reducer, x, torch.tensor([1.0, 0.5]))
R = out, g, out2, jv, o3, h1, o4, h2
print(g)
""",
    "vjp_scalar_no_v": """
def f(x):
    return (x ** 2).sum()
out, g = torch.autograd.functional.vjp(f, torch.tensor([1.0, 2.0]))
R = out, g
""",
    "vjp_nonscalar_no_v_error": """
def f(x):
    return x ** 2
torch.autograd.functional.vjp(f, torch.tensor([1.0, 2.0]))
""",
    "jacobian_non_tensor_output_error": """
torch.autograd.functional.jacobian(lambda x: 3, torch.tensor([1.0]))
""",
    "gradcheck_ok": """
gradcheck = torch.autograd.gradcheck
x = torch.tensor([[0.1, 0.2], [0.3, 0.4]], dtype=torch.double, requires_grad=True)
w = torch.tensor([[1.0, -1.0], [0.5, 2.0]], dtype=torch.double, requires_grad=True)
R = gradcheck(lambda a, b: (a @ b).tanh(), (x, w), eps=1e-6, atol=1e-4)
R2 = torch.autograd.gradgradcheck(lambda a: (a ** 3).sum(), (x,))
R = R, R2
""",
    "gradcheck_custom_function": """
class MyExp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        y = x.exp()
        ctx.save_for_backward(y)
        return y
    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_tensors
        return g * y
x = torch.tensor([0.1, 0.5, -0.3], dtype=torch.float64, requires_grad=True)
R = torch.autograd.gradcheck(MyExp.apply, (x,))
""",
    "gradcheck_fail": """
class BadExp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        y = x.exp()
        ctx.save_for_backward(y)
        return y
    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_tensors
        return g * y * 2
x = torch.tensor([0.1, 0.5, -0.3], dtype=torch.float64, requires_grad=True)
try:
    torch.autograd.gradcheck(BadExp.apply, (x,))
except torch.autograd.gradcheck.GradcheckError as e:
    print(type(e).__name__, isinstance(e, RuntimeError))
    print(str(e).split(chr(10))[0])
R = torch.autograd.gradcheck(BadExp.apply, (x,), raise_exception=False)
""",
    "gradcheck_float32_warning": """
x = torch.tensor([0.1, 0.5], requires_grad=True)
R = torch.autograd.gradcheck(torch.sin, (x,), eps=1e-3, atol=1e-2, raise_exception=False)
""",
    "gradcheck_no_requires_grad": """
x = torch.tensor([0.1, 0.5], dtype=torch.double)
R = torch.autograd.gradcheck(torch.sin, (x,))
""",
    "complex_grad": """
z = torch.tensor([1.0 + 2.0j, 3.0 - 1.0j], requires_grad=True)
loss = (z * z.conj()).real.sum()
loss.backward()
print(z.grad)
w = torch.tensor([1.0 + 1.0j], requires_grad=True)
(w.abs() ** 2).sum().backward()
R = z.grad, w.grad
""",
    "complex_loss_error": """
z = torch.tensor([1.0 + 2.0j], requires_grad=True)
(z * z).sum().backward()
""",
    "complex_from_real": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = torch.tensor([0.5, -1.0], requires_grad=True)
z = torch.complex(x, y)
loss = (z.abs() ** 2).sum() + torch.view_as_real(z * z).sum()
loss.backward()
R = x.grad, y.grad
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
print(y.item(), float(y), y.tolist())
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
    "no_grad_inside_training": """
model = torch.nn.Linear(2, 2)
with torch.no_grad():
    model.weight.fill_(0.5)
    model.bias.zero_()
x = torch.tensor([[1.0, 2.0]])
with torch.no_grad():
    out = model(x)
print(out, out.requires_grad)
out2 = model(x)
print(out2)
R = out2.grad_fn.name()
""",
    "set_grad_enabled_decorator": """
@torch.set_grad_enabled(False)
def f(x):
    return x * 2
x = torch.tensor([1.0], requires_grad=True)
print(torch.is_grad_enabled())
R = f(x).requires_grad, torch.is_grad_enabled()
""",
    "no_grad_generator": """
@torch.no_grad()
def gen(x):
    for i in range(2):
        yield x * i
x = torch.tensor([1.0], requires_grad=True)
R = [t.requires_grad for t in gen(x)]
""",
    "no_grad_exception_restore": """
try:
    with torch.no_grad():
        raise ValueError('x')
except ValueError:
    pass
R = torch.is_grad_enabled()
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
    "func_grad": """
from_func = torch.func
f = lambda x: (x.sin() * x).sum()
x = torch.tensor([0.5, 1.0, 2.0])
g = from_func.grad(f)(x)
gg = from_func.grad(from_func.grad(lambda t: t.sin()))(torch.tensor(1.0))
gv = from_func.grad_and_value(f)(x)
print(type(gv).__name__, len(gv))
R = g, gg, gv
""",
    "func_grad_argnums_aux": """
def loss(w, b, x):
    out = (x * w).sum() + b
    return out ** 2, out
w = torch.tensor([1.0, 2.0]); b = torch.tensor(0.5); x = torch.tensor([3.0, -1.0])
gw, gb = torch.func.grad(lambda w, b: loss(w, b, x)[0], argnums=(0, 1))(w, b)
(g2, aux) = torch.func.grad(loss, has_aux=True)(w, b, x)
R = gw, gb, g2, aux
""",
    "func_grad_nonscalar_error": """
torch.func.grad(lambda x: x * 2)(torch.tensor([1.0, 2.0]))
""",
    "func_vmap": """
def dot(a, b):
    return (a * b).sum()
A = torch.arange(6.0).reshape(3, 2)
B = torch.ones(3, 2)
print(torch.func.vmap(dot)(A, B))
print(torch.vmap(dot, in_dims=(0, None))(A, torch.tensor([1.0, -1.0])))
print(torch.vmap(lambda r: r * 2, in_dims=1)(A))
print(torch.vmap(lambda r: r * 2, out_dims=1)(A))
R = torch.vmap(torch.func.grad(lambda t: (t ** 2).sum()))(A)
""",
    "func_jacrev_jacfwd_hessian": """
f = lambda x: x.sin() * x.sum()
x = torch.tensor([0.1, 0.2, 0.3])
J1 = torch.func.jacrev(f)(x)
J2 = torch.func.jacfwd(f)(x)
H = torch.func.hessian(lambda t: (t ** 3).sum())(x)
R = J1, J2, H
""",
    "func_vjp_jvp": """
f = lambda x: x ** 2
x = torch.tensor([1.0, 2.0, 3.0])
out, vjp_fn = torch.func.vjp(f, x)
g, = vjp_fn(torch.ones(3))
out2, t = torch.func.jvp(f, (x,), (torch.tensor([1.0, 0.0, 1.0]),))
R = out, g, out2, t
print(type(vjp_fn(torch.ones(3))).__name__)
""",
    "func_vmap_pytrees": """
print(torch.vmap(lambda d: d['a'] + d['b'])({'a': torch.ones(3), 'b': torch.arange(3.)}))
print(torch.vmap(lambda x: [x, x * 2])(torch.arange(3.)))
print(torch.vmap(lambda x, n: x * n, in_dims=(0, None))(torch.ones(3), 2))
print(torch.vmap(lambda x, *, n: x * n)(torch.ones(3), n=torch.arange(3.)))
print(torch.vmap(lambda x: (x * 2, x.sum()), out_dims=(1, 0))(torch.arange(6.).reshape(3, 2)))
print(torch.vmap(torch.vmap(lambda a: a * 2))(torch.arange(6.).reshape(3, 2)))
print(torch.vmap(torch.trace)(torch.arange(8.).reshape(2, 2, 2)))
R = torch.vmap(lambda p: p[0] * p[1], in_dims=((0, None),))((torch.ones(3, 2), torch.arange(2.)))
""",
    "func_vmap_errors": """
def dot(a, b):
    return (a * b).sum()
for call in [lambda: torch.vmap(dot)(torch.ones(3, 2), torch.ones(4, 2)),
             lambda: torch.vmap(dot, in_dims=(None, None))(torch.ones(3, 2), torch.ones(3, 2)),
             lambda: torch.vmap(dot, in_dims=2)(torch.ones(3, 2), torch.ones(3, 2)),
             lambda: torch.vmap(lambda x: 3)(torch.ones(3)),
             lambda: torch.vmap(lambda x, n: x * n)(torch.ones(3), 2)]:
    try:
        call()
    except ValueError as e:
        print(e)
""",
    "func_custom_function_rules": """
class Old(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2
    @staticmethod
    def backward(ctx, g):
        return g * 2
class New(torch.autograd.Function):
    @staticmethod
    def forward(x):
        return x * 2
    @staticmethod
    def setup_context(ctx, inputs, output):
        pass
    @staticmethod
    def backward(ctx, g):
        return g * 2
class NewV(New):
    generate_vmap_rule = True
for call in [lambda: torch.vmap(Old.apply)(torch.ones(2, 2)),
             lambda: torch.func.grad(lambda x: Old.apply(x).sum())(torch.ones(2)),
             lambda: torch.vmap(New.apply)(torch.ones(2, 2)),
             lambda: torch.func.grad(lambda x: New.apply(x).sum())(torch.ones(2)),
             lambda: torch.vmap(NewV.apply)(torch.ones(2, 2)),
             lambda: torch.func.jacrev(New.apply)(torch.ones(2)),
             lambda: torch.func.jvp(New.apply, (torch.ones(2),), (torch.ones(2),))]:
    try:
        print(call())
    except (RuntimeError, NotImplementedError) as e:
        print(type(e).__name__, e)
""",
    "func_functional_call": """
model = torch.nn.Linear(2, 1)
params = {'weight': torch.tensor([[1.0, 2.0]]), 'bias': torch.tensor([0.5])}
x = torch.tensor([[1.0, 1.0], [2.0, 0.0]])
out = torch.func.functional_call(model, params, (x,))
def loss_fn(p, x):
    return torch.func.functional_call(model, p, (x,)).pow(2).sum()
grads = torch.func.grad(loss_fn)(params, x)
print(sorted(grads.keys()))
R = out, grads['weight'], grads['bias']
""",
    "func_per_sample_grads": """
model = torch.nn.Linear(3, 1)
with torch.no_grad():
    model.weight.copy_(torch.tensor([[0.1, -0.2, 0.3]]))
    model.bias.fill_(0.0)
params = {k: v.detach() for k, v in model.named_parameters()}
def compute_loss(params, sample, target):
    pred = torch.func.functional_call(model, params, (sample.unsqueeze(0),))
    return torch.nn.functional.mse_loss(pred.squeeze(0), target)
X = torch.arange(12.0).reshape(4, 3) / 10
Y = torch.tensor([[0.5], [1.0], [0.0], [2.0]])
ps = torch.func.vmap(torch.func.grad(compute_loss), in_dims=(None, 0, 0))(params, X, Y)
R = ps['weight'], ps['bias']
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
    "global_grad_disabled": """
torch.set_grad_enabled(False)
try:
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    print(x.requires_grad, y.requires_grad)
    with torch.enable_grad():
        z = x * 2
    print(z.requires_grad)
finally:
    torch.set_grad_enabled(True)
w = torch.ones(2)
with torch.no_grad():
    v = w * 2
v.requires_grad_()
(v * 3).sum().backward()
R = v.grad
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
    "no_grad_param_update_then_backward": """
w = torch.tensor([1.0, 2.0], requires_grad=True)
y = (w * w).sum()
with torch.no_grad():
    w.add_(1.0)
y.backward()
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
    "leaf_backward_itself": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
x.backward(torch.tensor([3.0, 4.0]))
print(x.grad)
s = torch.tensor(5.0, requires_grad=True)
s.backward()
R = x.grad, s.grad
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
    "custom_function_print_repr": """
class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return input.clamp(min=0)
    @staticmethod
    def backward(ctx, grad_output):
        input, = ctx.saved_tensors
        grad_input = grad_output.clone()
        grad_input[input < 0] = 0
        return grad_input
x = torch.tensor([-1.0, 0.5, 2.0], requires_grad=True)
relu = MyReLU.apply
y = relu(x)
print(y)
print(y.grad_fn.next_functions[0][0].variable is x)
y.sum().backward()
R = x.grad
""",
    "custom_function_returns_input": """
class Id(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x
    @staticmethod
    def backward(ctx, g):
        return g * 3
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = Id.apply(x)
print(y is x, y.grad_fn.name())
y.sum().backward()
R = x.grad
""",
    "custom_function_backward_wrong_shape": """
class F(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x.sum()
    @staticmethod
    def backward(ctx, g):
        return g.expand(3)
x = torch.tensor([1.0, 2.0], requires_grad=True)
F.apply(x).backward()
""",
    "custom_function_backward_returns_too_many": """
class F(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 1
    @staticmethod
    def backward(ctx, g):
        return g, g
x = torch.tensor([1.0, 2.0], requires_grad=True)
F.apply(x).sum().backward()
""",
    "custom_function_backward_returns_extra_none": """
class F(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 1
    @staticmethod
    def backward(ctx, g):
        return g, None, None
x = torch.tensor([1.0, 2.0], requires_grad=True)
F.apply(x).sum().backward()
R = x.grad
""",
    "custom_function_save_nontensor_error": """
class F(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, k):
        ctx.save_for_backward(x, k)
        return x * k
    @staticmethod
    def backward(ctx, g):
        return g, None
x = torch.tensor([1.0, 2.0], requires_grad=True)
F.apply(x, 2)
""",
    "custom_function_save_intermediate": """
class F(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        t = x.exp()
        ctx.save_for_backward(t)
        return t * 2
    @staticmethod
    def backward(ctx, g):
        t, = ctx.saved_tensors
        return g * 2 * t
x = torch.tensor([0.0, 1.0], requires_grad=True)
F.apply(x).sum().backward()
R = x.grad
""",
    "custom_function_kwargs_error": """
class F(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, scale=1.0):
        return x * scale
    @staticmethod
    def backward(ctx, g):
        return g, None
x = torch.tensor([1.0, 2.0], requires_grad=True)
F.apply(x, scale=2.0)
""",
    "functional_options": """
AF = torch.autograd.functional
def f(x):
    return x ** 2 + x.sum()
x = torch.tensor([1.0, 2.0])
J = AF.jacobian(f, x, create_graph=True)
print(J.requires_grad)
J2 = AF.jacobian(f, x, strict=True)
H = AF.hessian(lambda t: (t ** 3).sum(), x, create_graph=False, strict=False, vectorize=False)
H2 = AF.hessian(lambda t: (t ** 3).sum(), x, outer_jacobian_strategy="reverse-mode")
out, vjp = AF.vjp(f, x, torch.ones(2), create_graph=False, strict=False)
out2, jvp = AF.jvp(f, x, torch.ones(2))
R = J, J2, H, H2, vjp, jvp
""",
    "functional_strict_error": """
AF = torch.autograd.functional
def f(x):
    return torch.ones(2)
try:
    AF.jacobian(f, torch.tensor([1.0, 2.0]), strict=True)
except RuntimeError as e:
    print(e)
R = AF.jacobian(f, torch.tensor([1.0, 2.0]))
""",
    "functional_tuple_inputs_outputs": """
AF = torch.autograd.functional
def f(a, b):
    return a * b.sum(), a - b
a = torch.tensor([1.0, 2.0]); b = torch.tensor([3.0, 4.0, 5.0])
J = AF.jacobian(f, (a, b))
print([[tuple(j.shape) for j in row] for row in J])
out, v = AF.vjp(f, (a, b), (torch.ones(2), torch.ones(2)))
H = AF.hessian(lambda a, b: (a.sum() * b ** 2).sum(), (a, b))
print(type(H).__name__, [[tuple(h.shape) for h in row] for row in H])
R = J, out, v, H
""",
    "functional_hvp_vhp_tuple": """
AF = torch.autograd.functional
def f(x, y):
    return (x ** 2 * y).sum()
x = torch.tensor([1.0, 2.0]); y = torch.tensor([3.0, 4.0])
R = AF.hvp(f, (x, y), (torch.ones(2), torch.zeros(2))), AF.vhp(f, (x, y), (torch.ones(2), torch.zeros(2)))
""",
    "functional_bad_inputs": """
AF = torch.autograd.functional
for call in [lambda: AF.jacobian(lambda x: x, [1.0, 2.0]),
             lambda: AF.vjp(lambda x: x * 2, torch.ones(2), torch.ones(3)),
             lambda: AF.hessian(lambda x: x * 2, torch.ones(2)),
             lambda: AF.jvp(lambda x: x * 2, torch.ones(2)),
             lambda: AF.vhp(lambda x: x * 2, torch.ones(2), torch.ones(2)),
             lambda: AF.jacobian(lambda x: x * 2, torch.ones(2), strategy='sideways')]:
    try:
        print(call())
    except Exception as e:
        print(type(e).__name__, str(e).split(chr(10))[0])
""",
    "functional_jacobian_of_model": """
net = torch.nn.Linear(3, 2)
with torch.no_grad():
    net.weight.copy_(torch.tensor([[1.0, 0.0, -1.0], [0.5, 0.5, 0.5]]))
    net.bias.zero_()
x = torch.tensor([1.0, 2.0, 3.0])
J = torch.autograd.functional.jacobian(net, x)
print(net.weight.grad)
R = J
""",
    "functional_many_cases": """
import warnings
AF = torch.autograd.functional
x = torch.tensor([1.0, 2.0])
cases = [lambda: AF.jacobian(lambda a, b: a * 2, (x, x), strict=True),
lambda: AF.jacobian(lambda a: torch.ones(2), x, strict=True),
lambda: AF.vjp(lambda a, b: a * 2, (x, x), torch.ones(2), strict=True),
lambda: AF.vjp(lambda a: torch.ones(2), x, torch.ones(2), strict=True),
lambda: AF.jvp(lambda a, b: a * 2, (x, x), (x, x), strict=True),
lambda: AF.hessian(lambda a: a.sum(), x, strict=True),
lambda: AF.hessian(lambda a, b: (a ** 2).sum(), (x, x), strict=True),
lambda: AF.hvp(lambda a: a.sum(), x, x, strict=True),
lambda: AF.vhp(lambda a: a.sum(), x, x, strict=True),
lambda: AF.jacobian(lambda a: a * 2, x, strict=True, vectorize=True),
lambda: AF.jacobian(lambda a: a * 2, x, strategy='forward-mode'),
lambda: AF.jacobian(lambda a: a * 2, x, create_graph=True, strategy='forward-mode', vectorize=True),
lambda: AF.vjp(lambda a, b: a * 2, (x, x), (torch.ones(2), torch.ones(2))),
lambda: AF.vjp(lambda a: a * 2, x, (torch.ones(2), torch.ones(2))),
lambda: AF.hessian(lambda a: a.sum(), x),
lambda: AF.jacobian(lambda a: torch.ones(2), x),
lambda: AF.vjp(lambda a: torch.ones(2), x, torch.ones(2)),
lambda: AF.jvp(lambda a: torch.ones(2), x, torch.ones(2)),
lambda: AF.hvp(lambda a: a.sum(), x, x),
lambda: AF.jvp(lambda a: a*2, x, torch.ones(3)),
lambda: AF.vjp(lambda a: a*2, x, torch.ones(2), create_graph=True),
lambda: AF.jacobian(lambda a: (a*2, 3), x),
lambda: AF.hessian(lambda a: a.sum(), x, vectorize=True, outer_jacobian_strategy='forward-mode'),
lambda: AF.hessian(lambda a: a.sum(), x, outer_jacobian_strategy='forward-mode'),
lambda: AF.jvp(lambda a: torch.ones(2) + a.sum()*0, x, x, strict=True),
lambda: AF.vjp(lambda a: (a*2, a), (x,), (torch.ones(2), torch.ones(3))),
lambda: AF.hvp(lambda a: (a**3).sum(), x, x, strict=True),
lambda: AF.hessian(lambda a: ((a**3).sum(),), x),
lambda: AF.jacobian(lambda a: a.exp(), x, vectorize=True),
lambda: AF.jacobian(lambda a: a.exp(), x, vectorize=True, strategy="forward-mode"),
lambda: AF.hessian(lambda a: (a**3).sum(), x, create_graph=True),
lambda: AF.jvp(lambda a: a ** 2, x.clone().requires_grad_(), torch.ones(2), create_graph=True),
lambda: AF.vjp(lambda a: a ** 2, x.clone().requires_grad_(), torch.ones(2), create_graph=True),
lambda: AF.jacobian(lambda a: a ** 2, (x,)),
lambda: AF.jacobian(lambda a: (a ** 2,), x),
lambda: AF.vhp(lambda a, b: (a * b ** 2).sum(), (x, x), (x, x)),
lambda: AF.hvp(lambda a: (a ** 3).sum(), torch.tensor(2.0)),
]
for i, c in enumerate(cases):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            print(i, 'OK', c())
    except Exception as e:
        print(i, type(e).__name__, str(e))
""",
    "complex_more": """
z = torch.tensor([1.0 + 1.0j, -2.0 + 0.5j], requires_grad=True)
loss = z.abs().sum() + z.angle().sum() + (z * z).real.sum() + z.imag.pow(2).sum()
loss.backward()
print(z.grad)
w = torch.tensor([[1.0, 2.0], [3.0, -1.0]], requires_grad=True)
c = torch.view_as_complex(w)
(c.abs() ** 2 + c.real).sum().backward()
a = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
spec = torch.fft.rfft(a)
(spec.abs() ** 2).sum().backward()
R = z.grad, w.grad, a.grad
""",
    "complex_grad_fn_names": """
z = torch.tensor([1.0 + 1.0j], requires_grad=True)
R = [t.grad_fn.name() for t in (z.abs(), z.conj(), z * z)]
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
    "inference_mode_module": """
model = torch.nn.Linear(2, 2)
with torch.no_grad():
    model.weight.copy_(torch.eye(2)); model.bias.zero_()
x = torch.tensor([[1.0, 2.0]])
with torch.inference_mode():
    out = model(x)
print(out, out.requires_grad, out.is_inference())
c = out.clone()
print(c.is_inference())
try:
    (model(out) * 1).sum().backward()
except RuntimeError as e:
    print(e)
R = torch.is_inference_mode_enabled()
""",
    "inference_inplace_outside_error": """
with torch.inference_mode():
    t = torch.ones(2)
t.add_(1)
""",
    "no_grad_nesting_state": """
states = []
with torch.no_grad():
    states.append(torch.is_grad_enabled())
    with torch.enable_grad():
        states.append(torch.is_grad_enabled())
        with torch.set_grad_enabled(False):
            states.append(torch.is_grad_enabled())
        states.append(torch.is_grad_enabled())
    states.append(torch.is_grad_enabled())
states.append(torch.is_grad_enabled())
with torch.inference_mode():
    with torch.inference_mode(False):
        states.append((torch.is_grad_enabled(), torch.is_inference_mode_enabled()))
R = states
""",
    "grad_mode_objects": """
print(type(torch.no_grad()).__name__, type(torch.enable_grad()).__name__, type(torch.inference_mode()).__name__)
m = torch.set_grad_enabled(False)
print(torch.is_grad_enabled())
torch.set_grad_enabled(True)
print(isinstance(torch.no_grad(), torch.autograd.grad_mode.no_grad))
R = torch.is_grad_enabled()
""",
    "forward_ad_basic": """
fwAD = torch.autograd.forward_ad
primal = torch.tensor([1.0, 2.0, 3.0])
tangent = torch.tensor([1.0, 0.0, 2.0])
def fn(x, y):
    return x ** 2 + y.sin()
with fwAD.dual_level():
    dual_input = fwAD.make_dual(primal, tangent)
    dual_output = fn(dual_input, torch.ones(3))
    jvp = fwAD.unpack_dual(dual_output).tangent
    p, t = fwAD.unpack_dual(dual_input)
    print(type(fwAD.unpack_dual(dual_output)).__name__, fwAD.unpack_dual(primal).tangent)
    const = fwAD.unpack_dual(torch.ones(2)).tangent
    try:
        fwAD.make_dual(primal, torch.ones(2))
    except RuntimeError as e:
        print(e)
print(jvp, t, const)
print(fwAD.unpack_dual(dual_output).tangent)
try:
    fwAD.make_dual(primal, tangent)
except RuntimeError as e:
    print(e)
R = jvp, p, t
""",
    "forward_ad_module": """
fwAD = torch.autograd.forward_ad
model = torch.nn.Linear(3, 2)
with torch.no_grad():
    model.weight.copy_(torch.tensor([[1.0, 0.0, -1.0], [0.5, 0.5, 0.5]]))
    model.bias.zero_()
x = torch.tensor([[1.0, 2.0, 3.0]])
v = torch.tensor([[0.0, 1.0, 0.0]])
with fwAD.dual_level():
    out = torch.tanh(model(fwAD.make_dual(x, v)))
    jvp = fwAD.unpack_dual(out).tangent
    out2 = fwAD.make_dual(torch.tensor([2.0]), torch.tensor([1.0])).exp() * 3
    t2 = fwAD.unpack_dual(out2).tangent
    p = fwAD.unpack_dual(out).primal
R = jvp, t2, p
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
    "function_variadic": """
class Sum(torch.autograd.Function):
    @staticmethod
    def forward(ctx, *xs):
        ctx.n = len(xs)
        out = xs[0].clone()
        for t in xs[1:]:
            out = out + t
        return out
    @staticmethod
    def backward(ctx, g):
        return (g,) * ctx.n
a = torch.tensor([1.0], requires_grad=True)
b = torch.tensor([2.0], requires_grad=True)
c = torch.tensor([3.0])
Sum.apply(a, b, c).backward()
R = a.grad, b.grad
""",
    "function_output_inplace_later": """
class Double(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2
    @staticmethod
    def backward(ctx, g):
        return g * 2
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = Double.apply(x)
y.add_(1)
y.sum().backward()
print(y.grad_fn.name())
R = x.grad, y
""",
    "function_in_module": """
class ClampSTE(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x.clamp(-1, 1)
    @staticmethod
    def backward(ctx, g):
        return g
class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(2, 2)
    def forward(self, x):
        return ClampSTE.apply(self.fc(x))
net = Net()
with torch.no_grad():
    net.fc.weight.copy_(torch.tensor([[2.0, 0.0], [0.0, -3.0]]))
    net.fc.bias.zero_()
out = net(torch.tensor([[1.0, 1.0]]))
out.sum().backward()
R = out, net.fc.weight.grad
""",
    "straight_through_detach_trick": """
x = torch.tensor([0.2, 0.7, 1.4], requires_grad=True)
hard = x.round()
y = x + (hard - x).detach()
(y * torch.tensor([1.0, 2.0, 3.0])).sum().backward()
R = y, x.grad
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
    "func_linearize_and_bn": """
import warnings
x = torch.tensor([1.0, 2.0])
with warnings.catch_warnings():
    warnings.simplefilter("ignore")   # torch traces the function with torch.fx, which warns from its internals
    out, jvp_fn = torch.func.linearize(torch.sin, x)
    print(out, jvp_fn(torch.ones(2)))
    out, jvp_fn = torch.func.linearize(lambda a, b: a * b, x, x)
print(jvp_fn(torch.ones(2), torch.zeros(2)))
try:
    jvp_fn(torch.ones(3), torch.ones(2))
except RuntimeError as e:
    print(e)
m = torch.nn.Sequential(torch.nn.BatchNorm1d(2), torch.nn.Linear(2, 2))
r = torch.func.replace_all_batch_norm_modules_(m)
print(r is m, m[0].running_mean, m[0].track_running_stats)
f = torch.func.functionalize(lambda t: t.add_(1))
R = f(torch.ones(2))
""",
    "gradcheck_many_cases": """
import warnings
dt = torch.float64
x = torch.tensor([[0.1, 0.2], [0.3, 0.4]], dtype=dt, requires_grad=True)
w = torch.tensor([[1.0, -1.0], [0.5, 2.0]], dtype=dt, requires_grad=True)
class BadExp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        y = x.exp(); ctx.save_for_backward(y); return y
    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_tensors; return g * y * 2
class BadDD(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x); return x ** 2
    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors; return g * 2 * x.detach()
cases = {
 'tuple_out': lambda: torch.autograd.gradcheck(lambda a, b: (a @ b, a.sum() * 2), (x, w)),
 'nontensor_arg': lambda: torch.autograd.gradcheck(lambda a, k: a * k, (x, 3.0)),
 'int_input': lambda: torch.autograd.gradcheck(lambda a, i: a[i], (x, torch.tensor([1, 0]))),
 'fast_mode': lambda: torch.autograd.gradcheck(torch.sin, (x,), fast_mode=True),
 'batched': lambda: torch.autograd.gradcheck(torch.sin, (x,), check_batched_grad=True),
 'fwd': lambda: torch.autograd.gradcheck(torch.sin, (x,), check_forward_ad=True),
 'linear': lambda: torch.autograd.gradcheck(torch.nn.functional.linear, (x, w, torch.zeros(2, dtype=dt, requires_grad=True))),
 'single_tensor': lambda: torch.autograd.gradcheck(torch.exp, x),
 'bad': lambda: torch.autograd.gradcheck(BadExp.apply, (x,)),
 'bad_fast': lambda: torch.autograd.gradcheck(BadExp.apply, (x,), fast_mode=True),
 'bad_noraise': lambda: torch.autograd.gradcheck(BadExp.apply, (x,), raise_exception=False),
 'gg_ok': lambda: torch.autograd.gradgradcheck(lambda a, b: (a @ b).tanh(), (x, w)),
 'gg_bad': lambda: torch.autograd.gradgradcheck(BadDD.apply, (x,)),
 'gg_bad_noraise': lambda: torch.autograd.gradgradcheck(BadDD.apply, (x,), raise_exception=False),
 'float32': lambda: torch.autograd.gradcheck(torch.sin, (x.float().detach().requires_grad_(),), eps=1e-3, atol=1e-2),
 'gg_gradout': lambda: torch.autograd.gradgradcheck(torch.sin, (x,), (torch.ones(2, 2, dtype=dt),)),
 'no_out_grad': lambda: torch.autograd.gradcheck(lambda a: torch.ones(2, dtype=dt), (x,)),
 'module': lambda: torch.autograd.gradcheck(torch.nn.Linear(2, 2).double(), (x,)),
}
for k, c in cases.items():
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter('always')
        try: r = c()
        except Exception as e: r = (type(e).__name__, str(e).split(chr(10))[0])
    print(k, r, [str(m.message)[:80] for m in ws])
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
    "func_many_cases": """
F = torch.func
def attempt(name, f):
    try:
        r = f()
        print(name, 'ok', r)
    except Exception as e:
        print(name, type(e).__name__, str(e).split(chr(10))[0])
x = torch.tensor([0.5, -1.0, 2.0])
y = torch.tensor([1.0, 2.0])
f2 = lambda a, b: (a.sum() * b) ** 2
attempt('jacrev_argnums', lambda: F.jacrev(f2, argnums=(0, 1))(x, y))
attempt('jacfwd_argnums', lambda: F.jacfwd(f2, argnums=1)(x, y))
attempt('jacrev_aux', lambda: F.jacrev(lambda a: (a.sin(), a.cos()), has_aux=True)(x))
attempt('vmap_jacrev', lambda: F.vmap(F.jacrev(torch.sin))(x.reshape(3, 1)))
attempt('hessian_argnums', lambda: F.hessian(f2, argnums=1)(x, y))
attempt('jacrev_dict', lambda: F.jacrev(lambda p: p['w'] * p['b'])({'w': x, 'b': torch.tensor(2.0)}))
attempt('grad_dict_out_err', lambda: F.grad(lambda a: {'a': a.sum()})(x))
attempt('grad_int_input', lambda: F.grad(lambda a: a.sum())(torch.tensor([1, 2])))
attempt('grad_bad_argnums', lambda: F.grad(lambda a: a.sum(), argnums=2)(x))
attempt('grad_aux_bad', lambda: F.grad(lambda a: a.sum(), has_aux=True)(x))
attempt('vjp_multi', lambda: F.vjp(lambda a, b: (a * 2, b.sum()), x, y)[1]((torch.ones(3), torch.tensor(1.0))))
attempt('vjp_wrong_struct', lambda: F.vjp(lambda a: (a * 2, a), x)[1](torch.ones(3)))
attempt('jvp_not_tuple', lambda: F.jvp(torch.sin, x, x))
attempt('jvp_aux', lambda: F.jvp(lambda a: (a.sin(), a.sum()), (x,), (torch.ones(3),), has_aux=True))
attempt('grad_of_grad', lambda: F.grad(F.grad(lambda a: a ** 3))(torch.tensor(2.0)))
attempt('jacrev_scalar_out', lambda: F.jacrev(lambda a: a.sum())(x))
attempt('jacrev_0d_in', lambda: F.jacrev(lambda a: a * torch.ones(2))(torch.tensor(3.0)))
attempt('vmap_randomness', lambda: F.vmap(lambda a: a * 2, randomness='same')(x))
attempt('vmap_chunk', lambda: F.vmap(lambda a: a * 2, chunk_size=2)(x))
attempt('grad_and_value_aux', lambda: F.grad_and_value(lambda a: (a.pow(2).sum(), a.mean()), has_aux=True)(x))
model = torch.nn.Linear(3, 1)
with torch.no_grad():
    model.weight.copy_(torch.tensor([[0.1, 0.2, 0.3]])); model.bias.fill_(0.5)
params = dict(model.named_parameters())
attempt('hessian_params', lambda: F.hessian(lambda p: torch.func.functional_call(model, p, (x.unsqueeze(0),)).pow(2).sum())({k: v.detach() for k, v in params.items()}))
attempt('jacrev_params', lambda: F.jacrev(lambda p: torch.func.functional_call(model, p, (x.unsqueeze(0),)))(params))
models = [torch.nn.Linear(3, 1) for _ in range(2)]
for i, m in enumerate(models):
    with torch.no_grad():
        m.weight.fill_(i + 1.0); m.bias.fill_(-i)
ps, bs = F.stack_module_state(models)
base = models[0]
def fmodel(p, b, inp):
    return torch.func.functional_call(base, (p, b), (inp,))
attempt('ensemble', lambda: F.vmap(fmodel, in_dims=(0, 0, None))(ps, bs, x.unsqueeze(0)).detach())
attempt('stack_state', lambda: ({k: (tuple(v.shape), v.requires_grad) for k, v in ps.items()}, bs))
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
    "anomaly_traces_end_at_user_line": """
import warnings
def run(name, build):
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter('always')
        with torch.autograd.detect_anomaly():
            x = torch.tensor([0.0, 1.0], requires_grad=True)
            try:
                build(x).sum().backward()
                print(name, 'no error')
            except RuntimeError as e:
                print(name, str(e).split(chr(10))[0])
    for w in ws[1:]:
        lines = [l for l in str(w.message).split(chr(10)) if l.strip() and 'Triggered' not in l]
        print('  ', lines[0], lines[-2:])
run('sqrt_method', lambda x: x.sqrt() * 0)
run('sqrt_fn', lambda x: torch.sqrt(x) * 0)
run('div', lambda x: x / x)
def inplace(x):
    y = x.exp(); z = y * 2; y.add_(1); return z
run('inplace', inplace)
""",
    "grad_mode_decorator_cases": """
def attempt(name, f):
    try:
        print(name, 'ok', f())
    except Exception as e:
        print(name, type(e).__name__, str(e).split(chr(10))[0])
class M(torch.nn.Module):
    def __init__(self):
        super().__init__(); self.l = torch.nn.Linear(1, 1)
    @torch.no_grad()
    def predict(self, x):
        return self.l(x)
    @torch.inference_mode()
    def infer(self, x):
        return self.l(x)
m = M()
x = torch.ones(1, 1)
attempt('method_no_grad', lambda: m.predict(x).requires_grad)
attempt('method_inference', lambda: (m.infer(x).requires_grad, m.infer(x).is_inference()))
attempt('set_grad_kw', lambda: (torch.set_grad_enabled(mode=False), torch.is_grad_enabled(), torch.set_grad_enabled(True))[1])
attempt('decorate_class', lambda: torch.no_grad()(M)(x if False else None) if False else callable(torch.no_grad()(M)))
attempt('inference_false_decorator', lambda: torch.inference_mode(False)(lambda: torch.is_grad_enabled())())
attempt('enable_grad_decorator_bare', lambda: torch.enable_grad(lambda: torch.is_grad_enabled())())
attempt('no_grad_lambda_name', lambda: torch.no_grad()(lambda: 1).__name__)
def f():
    'doc'
    return torch.is_grad_enabled()
g = torch.no_grad()(f)
attempt('wraps', lambda: (g.__name__, g.__doc__, g()))
attempt('no_grad_enter_return', lambda: torch.no_grad().__enter__())
torch.set_grad_enabled(True)
torch.autograd.grad_mode.inference_mode  # exists
attempt('is_inference_mode_enabled', lambda: torch.is_inference_mode_enabled())
attempt('grad_mode_repr_type', lambda: type(torch.set_grad_enabled(True)).__name__)
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
    "eval_vs_no_grad": """
m = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Dropout(0.5))
m.eval()
out = m(torch.ones(1, 2))
print(out.requires_grad, m.training)
with torch.no_grad():
    out2 = m(torch.ones(1, 2))
print(out2.requires_grad, torch.equal(out.detach(), out2))
""",
    "function_edge_cases": """
def attempt(name, f):
    try:
        print(name, 'ok', f())
    except Exception as e:
        print(name, type(e).__name__, str(e).split(chr(10))[0])
def mk(fwd, bwd, setup=None):
    attrs = {'forward': staticmethod(fwd), 'backward': staticmethod(bwd)}
    if setup: attrs['setup_context'] = staticmethod(setup)
    return type('F', (torch.autograd.Function,), attrs)
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
V = mk(lambda ctx, a: a.view(3, 1), lambda ctx, g: g.view(3))
attempt('view_out', lambda: (V.apply(x).grad_fn.name(), V.apply(x)._base is x, V.apply(x).is_leaf))
def vb():
    y = V.apply(x); y.sum().backward(); r = x.grad.clone(); x.grad = None; return r
attempt('view_backward', vb)
I = mk(lambda ctx, a: (a * 2, torch.tensor([1, 2])), lambda ctx, g, gi: g * 2)
attempt('int_out', lambda: [t.requires_grad for t in I.apply(x)])
N = mk(lambda ctx, a: (a * 2, None), lambda ctx, g, gn: g * 2)
attempt('none_out', lambda: N.apply(x)[1])
def nb():
    a, _ = N.apply(x); a.sum().backward(); r = x.grad.clone(); x.grad = None; return r
attempt('none_out_backward', nb)
D = mk(lambda ctx, a: a.mul_(2), lambda ctx, g: g * 2)
attempt('inplace_no_mark_dirty_leaf', lambda: D.apply(x))
def dnl():
    y = x * 1
    z = D.apply(y)
    return z is y, z.grad_fn.name()
attempt('inplace_no_mark_dirty_nonleaf', dnl)
Dm = type('Dm', (torch.autograd.Function,), {'forward': staticmethod(lambda ctx, a: (ctx.mark_dirty(a), a.mul_(2))[1]), 'backward': staticmethod(lambda ctx, g: g * 2)})
attempt('mark_dirty_leaf', lambda: Dm.apply(x))
attempt('mark_dirty_no_grad_leaf', lambda: Dm.apply(torch.ones(2)))
S = mk(lambda a, k: a * k, lambda ctx, g: (g * ctx.k, None), lambda ctx, inputs, output: setattr(ctx, 'k', inputs[1]))
attempt('setup_ctx', lambda: (S.apply(x, 3.0), ))
attempt('setup_ctx_kw', lambda: S.apply(x, k=3.0))
Z = mk(lambda ctx, a: a.clone(), lambda ctx, g: None)
def zb():
    Z.apply(x).sum().backward(); return x.grad
attempt('return_none_grad', zb)
W = mk(lambda ctx, a: a.clone(), lambda ctx, g: torch.zeros(3, dtype=torch.int64))
def wb():
    W.apply(x).sum().backward(); return x.grad
attempt('int_grad', wb)
M = mk(lambda ctx, a: a * 2, lambda ctx, g: g.cpu() * 2)
attempt('apply_kwargs_old', lambda: M.apply(a=x))
attempt('needs_input_grad_outside', lambda: mk(lambda ctx, a, b: (print(ctx.needs_input_grad), a * b)[1], lambda ctx, g: (g, g)).apply(x, torch.ones(3)).grad_fn.name())
""",
    "function_defaults_and_kwargs": """
class F(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, scale=2.0):
        print(len(ctx.needs_input_grad))
        return x * scale
    @staticmethod
    def backward(ctx, g):
        return g * 2
x = torch.ones(2, requires_grad=True)
try: F.apply(x).sum().backward(); print(x.grad)
except Exception as e: print(e)
class G(torch.autograd.Function):
    @staticmethod
    def forward(x, scale=2.0):
        return x * scale
    @staticmethod
    def setup_context(ctx, inputs, output):
        print(len(inputs), len(ctx.needs_input_grad))
    @staticmethod
    def backward(ctx, g):
        return g * 2
try: G.apply(x).sum().backward(); print(x.grad)
except Exception as e: print(e)
class H(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a):
        print(len(ctx.needs_input_grad), torch.is_grad_enabled())
        return a * 2
    @staticmethod
    def backward(ctx, g):
        return g * 2
y = H.apply(a=x)
print(y.grad_fn.name(), [type(f).__name__ for f, _ in y.grad_fn.next_functions])
y.sum().backward(); print(x.grad)
""",
}


@pytest.mark.parametrize("name", list(SNIPPETS))
def test_snippet(name):
    check(SNIPPETS[name])
