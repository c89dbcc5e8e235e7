"""A non-Tensor where torch's function takes a Tensor (an LSTM's output tuple fed to the next layer, a list to
torch.exp) fails as in torch: the same exception type and first line."""
import numpy as np
import pytest
import torch

import ember

CALLS = {
    "F.relu": "F.relu(t)", "F.relu6": "F.relu6(t)", "F.gelu": "F.gelu(t)", "F.silu": "F.silu(t)",
    "F.elu": "F.elu(t)", "F.leaky_relu": "F.leaky_relu(t)", "F.hardtanh": "F.hardtanh(t)",
    "F.softplus": "F.softplus(t)", "F.logsigmoid": "F.logsigmoid(t)", "F.dropout": "F.dropout(t)",
    "F.layer_norm": "F.layer_norm(t, (3,))", "F.group_norm": "F.group_norm(t, 1)",
    "F.avg_pool2d": "F.avg_pool2d(t, 2)", "F.max_pool2d": "F.max_pool2d(t, 2)",
    "F.pixel_shuffle": "F.pixel_shuffle(t, 2)", "F.one_hot": "F.one_hot(t)",
    "F.cosine_similarity": "F.cosine_similarity(t, t)", "F.conv2d": "F.conv2d(t, L.ones(1, 1, 1, 1), stride=2)",
    "F.conv_transpose2d": "F.conv_transpose2d(t, L.ones(1, 1, 1, 1))", "F.linear": "F.linear(t, L.ones(3, 3))",
    "F.linear weight": "F.linear(L.ones(3), (L.ones(3, 3),))", "F.linear bias": "F.linear(L.ones(3), L.ones(3, 3), (1,))",
    "F.bce": "F.binary_cross_entropy(t, L.ones(2, 3))", "F.batch_norm": "F.batch_norm(t, L.zeros(3), L.ones(3))",
    "F.pad": "F.pad(t, (1, 1))", "F.normalize": "F.normalize(t)", "F.unfold": "F.unfold(t, 2)",
    "F.adaptive_avg_pool2d": "F.adaptive_avg_pool2d(t, 1)",
    "nn.Linear": "L.nn.Linear(3, 2)(t)", "nn.ReLU": "L.nn.ReLU()(t)", "nn.Dropout": "L.nn.Dropout()(t)",
    "nn.LayerNorm": "L.nn.LayerNorm(3)(t)", "LSTM into Linear": "L.nn.Sequential(L.nn.LSTM(3, 4), L.nn.Linear(4, 2))(L.ones(5, 2, 3))",
    "tanh": "L.tanh(t)", "sum": "L.sum(t)", "exp list": "L.exp([1.0])", "mean": "L.mean(t)", "max": "L.max(t)",
    "argmax": "L.argmax(t)", "abs": "L.abs([1])", "clamp": "L.clamp(t, 0, 1)", "clamp kw": "L.clamp(t, min=0)",
    "where": "L.where(t, t, t)", "flatten": "L.flatten(t)", "reshape": "L.reshape(t, (6,))",
    "stack tensor": "L.stack(L.ones(2))", "cat tensor": "L.cat(L.ones(2))", "cat element": "L.cat([L.ones(2), (1,)])",
    "sigmoid": "L.sigmoid(t)", "add": "L.add(t, 1)", "mul": "L.mul([1.0], 2)", "transpose": "L.transpose(t, 0, 1)",
    "squeeze": "L.squeeze(t)", "unsqueeze": "L.unsqueeze(t, 0)", "zeros_like": "L.zeros_like(t)",
    "sqrt float": "L.sqrt(4.0)", "log int": "L.log(2)", "numel": "L.numel(t)", "relu": "L.relu(t)",
    "matmul": "L.matmul(t, t)", "pow scalar first": "L.pow(2, L.ones(2))", "remainder scalar first": "L.remainder(5, L.tensor([3]))",
}


def _outcome(expr, L):
    try:
        eval(expr, {"L": L, "F": L.nn.functional, "t": (L.ones(2, 3),)})
        return "ok"
    except Exception as e:  # noqa: BLE001 -- the error is what is compared
        return type(e).__name__, str(e).split("\n")[0]


@pytest.mark.parametrize("name", list(CALLS))
def test_non_tensor_argument_errors(name):
    assert _outcome(CALLS[name], ember) == _outcome(CALLS[name], torch)


def test_warnings_still_point_at_the_caller():
    import warnings
    for L in (ember,):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            L.nn.functional.softmax(L.ones(2, 3))
            L.nn.functional.upsample(L.ones(1, 1, 2, 2), scale_factor=2)
            L.nn.functional.kl_div(L.ones(2, 3), L.ones(2, 3))
        assert [x.filename for x in w] == [__file__] * 3
    np.testing.assert_array_equal(ember.pow(2, ember.ones(2)).numpy(), [2.0, 2.0])


def test_float_of_requires_grad_warns_once_per_process(monkeypatch):
    import sys
    import warnings
    monkeypatch.setattr(sys.modules["ember.tensor"], "_FLOAT_WARNED", False)
    x = ember.ones(1, requires_grad=True)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        for _ in range(3):
            float(x * 2)
    assert [str(m.message).split("\n")[0] for m in w] == [
        "Converting a tensor with requires_grad=True to a scalar may lead to unexpected behavior."]


def test_small_api_names():
    import warnings
    assert ember.nn.attention.SDPBackend is not None
    assert callable(ember.nn.functional._canonical_mask) and callable(ember.nn.functional._in_projection_packed)
    m = ember.nn.Linear(1, 1)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        ember.nn.utils.stateless.functional_call(m, {}, (ember.ones(1, 1),))
        ember.func.functional_call(m, {}, (ember.ones(1, 1),))
    assert [x.category for x in w] == [FutureWarning]
    with pytest.raises(RuntimeError, match="Expected one of cpu, cuda, ipu, xpu"):
        ember.device("tanh")


SAVED = {
    "linear weight stepped, input without grad": """
model = L.nn.Linear(2, 1); opt = L.optim.SGD(model.parameters(), lr=0.1)
out = model(L.tensor([[1.0, 2.0]])); out.sum().backward(retain_graph=True); opt.step()
(out ** 2).sum().backward(); print('ok')""",
    "linear weight stepped, input with grad": """
model = L.nn.Linear(2, 1); opt = L.optim.SGD(model.parameters(), lr=0.1)
out = model(L.tensor([[1.0, 2.0]], requires_grad=True)); out.sum().backward(retain_graph=True); opt.step()
(out ** 2).sum().backward()""",
    "linear 3-d input, weight edited": """
m = L.nn.Linear(3, 2); o = m(L.ones(4, 5, 3, requires_grad=True))
with L.no_grad(): m.weight.add_(1)
o.sum().backward()""",
    "data edit is invisible": """
x = L.tensor([1.0, 2.0], requires_grad=True); y = x.sigmoid(); y.data.mul_(2); y.sum().backward(); print(x.grad)""",
    "second backward through mean, sum, add; not through mul": """
x = L.tensor([1.0, 2.0], requires_grad=True)
for f in (lambda: x.mean(), lambda: x.sum(), lambda: (x + 1).sum(), lambda: (x * x).mean()):
    y = f(); y.backward()
    try:
        y.backward(); print('ok', x.grad)
    except RuntimeError as e:
        print(str(e)[:50])""",
    "del grad and volatile": """
x = L.ones(2, requires_grad=True); (x * 2).sum().backward(); del x.grad; print(x.grad, x.volatile)""",
}


@pytest.mark.parametrize("name", list(SAVED))
def test_saved_tensor_rules(name):
    def run(L):
        import contextlib
        import io
        import warnings
        out = io.StringIO()
        try:
            with warnings.catch_warnings(), contextlib.redirect_stdout(out):
                warnings.simplefilter("ignore")
                exec(SAVED[name], {"L": L})
            return out.getvalue()
        except Exception as e:  # noqa: BLE001 -- the error is what is compared
            return type(e).__name__, str(e).split("\n")[0]
    assert run(ember) == run(torch)
