"""``grad_fn.name()`` and ``next_functions`` read as torch's graph (tutorials walk them)."""
import pytest
import torch

import ember


def _cases(lib):
    F = lib.nn.functional
    lib.manual_seed(0)
    x = lib.randn(16, requires_grad=True)
    v = lib.randn(16, requires_grad=True)
    w = lib.randn(16, 16, requires_grad=True)
    b = lib.randn(3, 16, 16, requires_grad=True)
    long0 = lib.zeros(16, dtype=lib.long)
    return {
        "w@x": lambda: w @ x, "x@w": lambda: x @ w, "x@v": lambda: x @ v, "b@w": lambda: b @ w, "b@x": lambda: b @ x,
        "w@w": lambda: w @ w, "b@b": lambda: b @ b, "sum": lambda: x.sum(), "sumdim": lambda: w.sum(0),
        "mean": lambda: x.mean(), "slice": lambda: x[2:5], "select": lambda: w[1], "view": lambda: x.view(4, 4),
        "reshape": lambda: x.reshape(4, 4), "relu": lambda: x.relu(), "F.relu": lambda: F.relu(x),
        "sigmoid": lambda: x.sigmoid(), "softmax": lambda: x.softmax(0), "pow2": lambda: x ** 2,
        "square": lambda: x.square(), "neg": lambda: -x, "T": lambda: w.T, "t": lambda: w.t(),
        "transpose": lambda: w.transpose(0, 1), "unsqueeze": lambda: x.unsqueeze(0), "flatten": lambda: w.flatten(),
        "cat": lambda: lib.cat([x, v]), "stack": lambda: lib.stack([x, v]), "linear": lambda: F.linear(w, w),
        "linear1d": lambda: F.linear(x, w), "cross_entropy": lambda: F.cross_entropy(w, long0),
        "max": lambda: x.max(), "maxdim": lambda: w.max(0)[0], "norm": lambda: x.norm(), "abs": lambda: x.abs(),
        "clamp": lambda: x.clamp(0, 1), "clamp_min": lambda: x.clamp_min(0), "clamp_t": lambda: x.clamp(v, v + 1),
        "expand": lambda: x.expand(3, 16), "contiguous": lambda: w.T.contiguous(), "gelu": lambda: F.gelu(x),
        "tanh": lambda: lib.tanh(x), "layer_norm": lambda: F.layer_norm(w, (16,)), "double": lambda: x.double(),
        "clone": lambda: x.clone(), "where": lambda: lib.where(x > 0, x, v), "log_softmax": lambda: F.log_softmax(w, 1),
        "split": lambda: w.split(8)[0], "chunk": lambda: w.chunk(2)[1], "permute": lambda: b.permute(2, 0, 1),
        "sum_dims": lambda: b.sum((1, 2)), "var": lambda: x.var(), "std": lambda: x.std(), "exp": lambda: x.exp(),
        "gather": lambda: w.gather(1, lib.zeros(16, 1, dtype=lib.long)), "adv_index": lambda: w[lib.tensor([1, 2])],
        "bool_index": lambda: x[x > 0], "repeat": lambda: x.repeat(2), "squeeze": lambda: x.unsqueeze(0).squeeze(0),
        "scalar_mul": lambda: x * 2.0, "rsub": lambda: 1.0 - x, "rdiv": lambda: 1.0 / x,
    }


def _walk(node, depth=2):
    if node is None:
        return None
    return (node.name(), [_walk(n, depth - 1) for n, _ in node.next_functions] if depth else [])


@pytest.mark.parametrize("case", sorted(_cases(torch)))
def test_graph_reads_as_torch(case):
    got = [_walk(_cases(lib)[case]().grad_fn) for lib in (ember, torch)]
    assert got[0] == got[1]


def test_tutorial_walk():
    """The 60-minute blitz: loss.grad_fn, then next_functions[0][0] twice."""
    names = []
    for lib in (ember, torch):
        nn = lib.nn
        net = nn.Sequential(nn.Linear(10, 8), nn.ReLU(), nn.Linear(8, 3))
        out = net(lib.randn(4, 10))
        loss = nn.MSELoss()(out, lib.randn(4, 3))
        fn = loss.grad_fn
        names.append([fn.name(), fn.next_functions[0][0].name(),
                      fn.next_functions[0][0].next_functions[0][0].name()])
    assert names[0] == names[1]
