"""Sweep of what users print: tensor reprs (summarised, sci mode, dtypes, empty) and the ``grad_fn=<...>`` node
names of ordinary expressions, ember against torch."""
import pytest
import torch

import ember

REPRS = {
    "long_float": "L.arange(2000).float()",
    "long_int_2d": "L.arange(2000).view(40, 50)",
    "wide_2d": "L.arange(2000.).view(2, 1000)",
    "sci": "L.tensor([1e-5, 1.0, 1e5])",
    "big_small": "L.tensor([1e-10, 1.0])",
    "nan_inf": "L.tensor([1.5, float('nan'), float('inf'), -float('inf')])",
    "float64": "L.tensor([0.1, 0.25], dtype=L.float64)",
    "float16": "L.tensor([0.1, 0.25], dtype=L.float16)",
    "bool": "L.tensor([True, False])",
    "empty_int64": "L.tensor([], dtype=L.int64)",
    "empty_bool": "L.tensor([], dtype=L.bool)",
    "empty_float": "L.tensor([])",
    "empty_2d_int": "L.zeros(0, 2, dtype=L.int64)",
    "empty_2d_f64": "L.zeros(2, 0, dtype=L.float64)",
    "empty_requires_grad": "L.zeros(0, requires_grad=True)",
    "scalar": "L.tensor(3.5)",
    "int32": "L.tensor([1, 2], dtype=L.int32)",
    "requires_grad": "L.ones(2, 3, requires_grad=True)",
    "grad_fn": "L.ones(2, 3, requires_grad=True).sum()",
    "mixed_widths": "L.tensor([[1.123456789, -22.5], [333.75, 0.001]])",
    "complex": "L.tensor([1+2j, 3-4.5j])",
    "divided": "L.arange(30.).view(5, 6) / 7",
    "param": "L.nn.Parameter(L.ones(2))",
}


@pytest.mark.parametrize("name", sorted(REPRS))
def test_repr(name):
    assert repr(eval(REPRS[name], {"L": ember})) == repr(eval(REPRS[name], {"L": torch}))


@pytest.mark.parametrize("opts", [dict(precision=2), dict(sci_mode=False), dict(threshold=5),
                                  dict(edgeitems=1, threshold=5), dict(linewidth=30), dict(profile="short")])
def test_printoptions(opts):
    outs = []
    for L in (ember, torch):
        L.set_printoptions(**opts)
        try:
            outs.append([repr(L.tensor([1.23456, 2.0, 1e-8])), repr(L.arange(20).view(4, 5)),
                         repr(L.arange(30.))])
        finally:
            L.set_printoptions(profile="default")
    assert outs[0] == outs[1]


NODE_NAMES = [
    "y.sum()", "y.sum(0)", "y.sum(dim=(0, 1))", "y.mean()", "y.mean(0)", "y.mean(dim=(0, 1))", "y.prod(0)",
    "y.max()", "y.min()", "y.max(1)[0]", "y.max(dim=1).values", "y.amax(0)", "y.amin()", "y.std()", "y.var(0)",
    "y.norm()", "y.norm(dim=1)", "y.norm(p=1)", "L.linalg.vector_norm(y)", "y.logsumexp(1)", "y.sort(1)[0]",
    "y.topk(2)[0]", "y.median()", "y.median(1)[0]", "y.kthvalue(1, 1)[0]", "y.cumprod(0)",
    "y.t()", "y.T", "y.transpose(0, 1)", "y.mT", "y.swapaxes(0, 1)", "y.permute(1, 0)",
    "y.unsqueeze(0)", "y[None]", "y.squeeze()", "x.squeeze(0)", "x.squeeze((0, 2))",
    "y[0]", "y[:, 0]", "y[0, 1]", "y[0:1]", "y[:, 1:]", "y[..., 0]", "y[:]", "y[:, :]", "y[...]", "y[0, :]",
    "y[:, None]", "y[0, None]", "y.select(1, 0)", "y.narrow(1, 0, 2)",
    "y.view(6)", "y.reshape(3, 2)", "y.t().reshape(6)", "y.flatten()", "y.expand(2, 2, 3)", "y.expand_as(y)",
    "y.repeat(2, 1)", "y.tile((2,))", "y.unfold(1, 2, 1)", "L.stack([y, y])", "L.cat([y, y])",
    "y.chunk(2)[0]", "y.split(1)[1]", "y.split([1, 2], 1)[1]", "y.unbind(0)[0]", "y.tril()", "y.triu()",
    "y.diagonal()", "F.pad(y, (1, 1))",
    "F.mse_loss(y, y.detach() * 0)", "F.mse_loss(y, y.detach(), reduction='sum')",
    "F.mse_loss(y, y.detach(), reduction='none')", "F.l1_loss(y, y.detach())",
    "F.smooth_l1_loss(y, y.detach())", "F.huber_loss(y, y.detach())",
    "F.binary_cross_entropy(y.sigmoid(), y.detach().sigmoid())",
    "F.binary_cross_entropy_with_logits(y, y.detach())", "F.nll_loss(y, L.tensor([0, 1]))",
    "F.nll_loss(y, L.tensor([0, 1]), reduction='none')", "F.cross_entropy(y, L.tensor([0, 1]))",
    "F.cross_entropy(y, L.tensor([0, 1]), label_smoothing=0.1)",
    "F.cross_entropy(L.ones(2, 3, 4, requires_grad=True), L.zeros(2, 4, dtype=L.long))",
    "F.soft_margin_loss(y, y.detach())", "F.multi_margin_loss(y, L.tensor([0, 1]))",
    "L.nn.MSELoss()(y, y.detach())",
]


@pytest.mark.parametrize("expr", NODE_NAMES)
def test_grad_fn_names(expr):
    names = []
    for L in (ember, torch):
        env = {"L": L, "F": L.nn.functional, "y": L.ones(2, 3, requires_grad=True),
               "x": L.ones(1, 2, 1, requires_grad=True)}
        names.append(eval(expr, env).grad_fn.name())
    assert names[0] == names[1]


NORM_LAYERS = ["L.nn.BatchNorm1d(2)", "L.nn.BatchNorm1d(2, affine=False)", "L.nn.BatchNorm1d(2).eval()",
               "L.nn.BatchNorm1d(2, affine=False).eval()", "L.nn.BatchNorm1d(2, track_running_stats=False)",
               "L.nn.InstanceNorm1d(2)", "L.nn.InstanceNorm1d(2, affine=True)", "L.nn.GroupNorm(1, 2)",
               "L.nn.GroupNorm(2, 2, affine=False)", "L.nn.LayerNorm(4)", "L.nn.RMSNorm(4)"]


@pytest.mark.parametrize("layer", NORM_LAYERS)
def test_norm_layer_graph_names(layer):
    """Normalisation layers read as torch's single native node (train and eval), with its tensor inputs only."""
    shown = []
    for L in (ember, torch):
        y = eval(layer, {"L": L})(L.arange(16.).reshape(2, 2, 4).requires_grad_())
        nxt = [None if f is None else f.name() for f, _ in y.grad_fn.next_functions]
        shown.append((y.grad_fn.name(), nxt, repr(y).split("\n")[-1].split(",")[-1]))
    assert shown[0] == shown[1]
