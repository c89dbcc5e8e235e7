""""Learning PyTorch with Examples" re-typed (fewer steps, fixed starting weights), run once with torch and once
with ember; the printed losses and polynomials must agree, and the custom Function and modules must behave."""
import contextlib
import io
import math
import random
import re
import warnings

import numpy as np
import torch

import ember

NUMBER = re.compile(r"-?(?:\d+\.?\d*(?:e[+-]?\d+)?|inf|nan)")


def run_both(script):
    outs = []
    for L in (torch, ember):
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = script(L)
        text = re.sub(r" at 0x[0-9a-f]+>", " at 0x...>", buf.getvalue())
        outs.append((text, [f"{w.category.__name__}: {w.message}" for w in caught], result))
    return outs


def assert_same_text(script, rtol=1e-4):
    """Same words and layout; numbers equal within rtol (float32 sums round differently)."""
    (t_out, t_warn, t_res), (e_out, e_warn, e_res) = run_both(script)
    assert NUMBER.sub("#", e_out) == NUMBER.sub("#", t_out), (e_out, t_out)
    for e, t in zip(NUMBER.findall(e_out), NUMBER.findall(t_out)):
        assert abs(float(e) - float(t)) <= rtol * max(abs(float(t)), 1e-2), (e, t)
    assert e_warn == t_warn
    return t_res, e_res


START = [-0.3, 0.2, 0.8, -0.1]   # the tutorial draws a, b, c, d from randn


def data(L, dtype):
    x = L.linspace(-math.pi, math.pi, 200, dtype=dtype)
    return x, L.sin(x)


def numpy_and_tensors(L):
    dtype, device = L.float, L.device("cpu")
    x, y = data(L, dtype)
    a, b, c, d = (L.tensor(v, device=device, dtype=dtype) for v in START)
    learning_rate = 1e-5
    for t in range(60):
        y_pred = a + b * x + c * x ** 2 + d * x ** 3
        loss = (y_pred - y).pow(2).sum().item()
        if t % 20 == 19:
            print(t, loss)
        grad_y_pred = 2.0 * (y_pred - y)
        grad_a = grad_y_pred.sum()
        grad_b = (grad_y_pred * x).sum()
        grad_c = (grad_y_pred * x ** 2).sum()
        grad_d = (grad_y_pred * x ** 3).sum()
        a -= learning_rate * grad_a
        b -= learning_rate * grad_b
        c -= learning_rate * grad_c
        d -= learning_rate * grad_d
    print(f'Result: y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3')
    print(type(loss), a.dtype, a.shape, a.device)


def tensors_and_autograd(L):
    dtype = L.float
    x, y = data(L, dtype)
    a, b, c, d = (L.tensor(v, dtype=dtype, requires_grad=True) for v in START)
    learning_rate = 1e-5
    for t in range(60):
        y_pred = a + b * x + c * x ** 2 + d * x ** 3
        loss = (y_pred - y).pow(2).sum()
        if t % 20 == 19:
            print(t, loss.item())
        loss.backward()
        with L.no_grad():
            a -= learning_rate * a.grad
            b -= learning_rate * b.grad
            c -= learning_rate * c.grad
            d -= learning_rate * d.grad
            a.grad = None
            b.grad = None
            c.grad = None
            d.grad = None
    print(f'Result: y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3')
    print(a, a.grad, a.is_leaf, loss.grad_fn)


def legendre_function(L):
    class LegendrePolynomial3(L.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return 0.5 * (5 * input ** 3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            input, = ctx.saved_tensors
            return grad_output * 1.5 * (5 * input ** 2 - 1)

    dtype = L.float
    x, y = data(L, dtype)
    a, b, c, d = (L.full((), v, dtype=dtype, requires_grad=True) for v in (0.0, -1.0, 0.0, 0.3))
    learning_rate = 5e-5
    for t in range(60):
        P3 = LegendrePolynomial3.apply
        y_pred = a + b * P3(c + d * x)
        loss = (y_pred - y).pow(2).sum()
        if t % 20 == 19:
            print(t, loss.item())
        loss.backward()
        with L.no_grad():
            a -= learning_rate * a.grad
            b -= learning_rate * b.grad
            c -= learning_rate * c.grad
            d -= learning_rate * d.grad
            a.grad = None
            b.grad = None
            c.grad = None
            d.grad = None
    print(f'Result: y = {a.item()} + {b.item()} * P3({c.item()} + {d.item()} x)')
    print(y_pred.grad_fn, y_pred.grad_fn.next_functions[1][0].next_functions[1][0].name())
    z = P3(x[:3].clone().requires_grad_())
    print(z, type(z.grad_fn).__name__ == "LegendrePolynomial3Backward", z.grad_fn.name())
    print(L.autograd.gradcheck(P3, (L.tensor([0.3, -0.7], dtype=L.double, requires_grad=True),)))


def fixed_linear(L, layer):
    with L.no_grad():
        layer.weight.copy_(L.tensor([START[1:]]))
        layer.bias.fill_(START[0])


def nn_module(L, optimizer_name):
    x, y = data(L, L.float)
    p = L.tensor([1, 2, 3])
    xx = x.unsqueeze(-1).pow(p)
    print(xx.shape, xx.dtype)
    model = L.nn.Sequential(L.nn.Linear(3, 1), L.nn.Flatten(0, 1))
    fixed_linear(L, model[0])
    print(model)
    loss_fn = L.nn.MSELoss(reduction='sum')
    learning_rate = 1e-5 if optimizer_name == "none" else 1e-3
    optimizer = L.optim.RMSprop(model.parameters(), lr=learning_rate) if optimizer_name == "rmsprop" else None
    print(optimizer)
    for t in range(60):
        y_pred = model(xx)
        loss = loss_fn(y_pred, y)
        if t % 20 == 19:
            print(t, loss.item())
        if optimizer is None:
            model.zero_grad()
            loss.backward()
            with L.no_grad():
                for param in model.parameters():
                    param -= learning_rate * param.grad
        else:
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    linear_layer = model[0]
    print(f'Result: y = {linear_layer.bias.item()} + {linear_layer.weight[:, 0].item()} x + '
          f'{linear_layer.weight[:, 1].item()} x^2 + {linear_layer.weight[:, 2].item()} x^3')
    print(y_pred.shape, y_pred.grad_fn, loss.grad_fn)
    if optimizer is not None:
        print(sorted(optimizer.state_dict()["state"][0]), optimizer.state_dict()["state"][0]["step"])


def custom_modules(L):
    class Polynomial3(L.nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b, self.c, self.d = (L.nn.Parameter(L.tensor(v)) for v in START)

        def forward(self, x):
            return self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3

        def string(self):
            return f'y = {self.a.item()} + {self.b.item()} x + {self.c.item()} x^2 + {self.d.item()} x^3'

    class DynamicNet(L.nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b, self.c, self.d, self.e = (L.nn.Parameter(L.tensor(v)) for v in START + [0.05])

        def forward(self, x):
            y = self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3
            for exp in range(4, random.randint(4, 6)):
                y = y + self.e * x ** exp
            return y

        def string(self):
            return (f'y = {self.a.item()} + {self.b.item()} x + {self.c.item()} x^2 + {self.d.item()} x^3 + '
                    f'{self.e.item()} x^4 ? + {self.e.item()} x^5 ?')

    x, y = data(L, L.float)
    for Model, opt in ((Polynomial3, "sgd"), (DynamicNet, "momentum")):
        random.seed(0)
        model = Model()
        print(model, [n for n, _ in model.named_parameters()])
        criterion = L.nn.MSELoss(reduction='sum')
        if opt == "sgd":
            optimizer = L.optim.SGD(model.parameters(), lr=1e-5)
        else:
            optimizer = L.optim.SGD(model.parameters(), lr=1e-7, momentum=0.9)
        for t in range(40):
            y_pred = model(x)
            loss = criterion(y_pred, y)
            if t % 20 == 19:
                print(t, loss.item())
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        print(f'Result: {model.string()}')
        print(optimizer)


def test_warm_up_numpy_and_tensors():
    assert_same_text(numpy_and_tensors)


def test_tensors_and_autograd():
    assert_same_text(tensors_and_autograd)


def test_custom_autograd_function():
    assert_same_text(legendre_function)


def test_nn_module_manual_update():
    assert_same_text(lambda L: nn_module(L, "none"))


def test_nn_module_rmsprop():
    assert_same_text(lambda L: nn_module(L, "rmsprop"))


def test_custom_modules_and_dynamic_net():
    assert_same_text(custom_modules)
