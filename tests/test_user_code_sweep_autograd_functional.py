"""Sweep of autograd as users drive it: autograd.functional (jacobian, hessian, vjp, jvp, hvp, vhp), torch.func
transforms (grad, vmap, jacrev, jacfwd, functional_call), forward-mode AD, gradcheck, complex gradients,
run as source snippets under ``import torch`` and under ``import ember as torch``: printed output, results,
errors and warnings must match.

Each snippet sees ``torch`` (the library under test) and ``np``; it prints and/or sets ``R``.  Snippets build
their inputs from fixed values (seeded generators differ between the libraries).
"""

import pytest
from sweep_harness_autograd import check


SNIPPETS = {
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
    "func_more_cases": """
F = torch.func
def attempt(name, f):
    try:
        r = f()
        print(name, 'ok', r)
    except Exception as e:
        print(name, type(e).__name__, str(e).split(chr(10))[0])
x = torch.tensor([0.5, -1.0, 2.0])
attempt('grad_kwargs', lambda: F.grad(lambda a, scale=1.0: (a * scale).sum())(x, scale=3.0))
attempt('grad_const', lambda: F.grad(lambda a: torch.tensor(1.0))(x))
attempt('grad_int_out', lambda: F.grad(lambda a: (a > 0).sum())(x))
lin = torch.nn.Linear(3, 2)
with torch.no_grad():
    lin.weight.copy_(torch.arange(6.0).reshape(2, 3) / 10); lin.bias.zero_()
attempt('vmap_module', lambda: F.vmap(lin)(torch.arange(6.0).reshape(2, 3)).detach())
attempt('vmap_F_conv', lambda: F.vmap(lambda img: torch.nn.functional.conv1d(img.unsqueeze(0), torch.ones(1, 1, 2)).squeeze(0))(torch.arange(8.0).reshape(2, 1, 4)))
attempt('vmap_out_none', lambda: F.vmap(lambda a: (a * 2, 3.0), out_dims=(0, None))(x))
attempt('vmap_nested_in_dims', lambda: F.vmap(F.vmap(lambda a, b: a * b, in_dims=(0, None)), in_dims=(None, 0))(x, torch.tensor([1.0, 10.0])))
attempt('grad_wrt_two', lambda: F.grad(lambda a, b: (a * b).sum(), argnums=(0, 1))(x, x * 2))
attempt('grad_tuple_input', lambda: F.grad(lambda t: (t[0] * t[1]).sum())((x, x + 1)))
attempt('jacrev_two_outputs', lambda: F.jacrev(lambda a: (a.sum(), a * 2))(x))
attempt('hessian_of_norm', lambda: F.hessian(lambda a: a.norm())(x))
attempt('vmap_grad_argnums', lambda: F.vmap(F.grad(lambda a, b: (a * b).sum(), argnums=1))(x.reshape(3, 1), x.reshape(3, 1)))
attempt('vmap_in_dims_list', lambda: F.vmap(lambda a, b: a + b, in_dims=[0, None])(x, torch.tensor(1.0)))
attempt('vmap_kw_in_dims', lambda: F.vmap(lambda a: a * 2, in_dims=(0,))(x))
attempt('vmap_bad_in_dims_type', lambda: F.vmap(lambda a: a, in_dims='x')(x))
""",
}


@pytest.mark.parametrize("name", list(SNIPPETS))
def test_snippet(name):
    check(SNIPPETS[name])
