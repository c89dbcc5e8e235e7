"""Sweep of autograd as users drive it: custom autograd.Function (ctx, setup_context, save_for_backward,
mark_dirty/non_differentiable, once_differentiable), grad modes (no_grad, enable_grad, set_grad_enabled,
inference_mode) and anomaly detection,
run as source snippets under ``import torch`` and under ``import ember as torch``: printed output, results,
errors and warnings must match.

Each snippet sees ``torch`` (the library under test) and ``np``; it prints and/or sets ``R``.  Snippets build
their inputs from fixed values (seeded generators differ between the libraries).
"""

import pytest
from sweep_harness_autograd import check


SNIPPETS = {
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
    "no_grad_param_update_then_backward": """
w = torch.tensor([1.0, 2.0], requires_grad=True)
y = (w * w).sum()
with torch.no_grad():
    w.add_(1.0)
y.backward()
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
