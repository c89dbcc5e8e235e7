"""utils.summary and utils.viz.make_dot against the model itself (torch's hooks give the expected shapes)."""
import re
import shutil

import pytest
import torch

import ember


def _nested(lib):
    nn = lib.nn

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(4, 4, 3, padding=1)
            self.bn = nn.BatchNorm2d(4)

        def forward(self, x):
            return lib.relu(self.bn(self.conv(x)))

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = nn.Conv2d(1, 4, 3, padding=1)
            shared = Block()
            self.blocks = nn.Sequential(shared, Block(), shared)   # a shared module
            self.head = nn.Sequential(nn.Flatten(), nn.Linear(4 * 6 * 6, 3))

        def forward(self, x):
            return self.head(self.blocks(self.stem(x)))
    return Net()


def _torch_shapes(model, x):
    shapes = {}

    def record(name):
        def hook(mod, args, out):
            shapes.setdefault(name, list(out.shape))   # returns None: the output is left alone
        return hook
    hooks = [m.register_forward_hook(record(name)) for name, m in model.named_modules()]
    model(x)
    for h in hooks:
        h.remove()
    return shapes


def test_summary_matches_layers_shapes_and_counts():
    em = _nested(ember)
    tm = _nested(torch)
    for p in em.head.parameters():
        p.requires_grad_(False)
    for p in tm.head.parameters():
        p.requires_grad_(False)
    stats = ember.utils.summary(em, input_size=(2, 1, 6, 6), depth=5)
    expected = _torch_shapes(tm, torch.zeros(2, 1, 6, 6))
    names = [info.name for info in stats.layers if not info.is_shared]
    assert names == [n for n, _ in tm.named_modules()]
    for info in stats.layers:
        if not info.is_shared:
            assert info.output_shape == expected[info.name], info.name
            assert info.class_name == type(dict(tm.named_modules())[info.name]).__name__
    assert stats.total_params == sum(p.numel() for p in tm.parameters())
    assert stats.trainable_params == sum(p.numel() for p in tm.parameters() if p.requires_grad)
    text = str(stats)
    assert f"Total params: {stats.total_params:,}" in text
    frozen = sum(p.numel() for p in tm.head.parameters())
    assert f"Non-trainable params: {frozen:,}" in text
    assert "(shared)" in text
    head_rows = [i for i in stats.layers if i.name == "head.1"]
    assert head_rows[0].trainable == "False"


def test_summary_depth_and_input_data():
    m = ember.nn.Sequential(ember.nn.Linear(5, 4), ember.nn.Sequential(ember.nn.ReLU(), ember.nn.Linear(4, 2)))
    s = ember.utils.summary(m, input_data=ember.randn(3, 5), depth=1)
    assert [i.name for i in s.layers] == ["", "0", "1"]
    assert s.layers[2].output_shape == [3, 2]
    with pytest.raises(ValueError):
        ember.utils.summary(m)


def test_make_dot_parses_and_names_every_parameter(tmp_path):
    m = ember.nn.Sequential(ember.nn.Linear(3, 4), ember.nn.Tanh(), ember.nn.Linear(4, 1))
    loss = m(ember.randn(2, 3)).pow(2).mean()
    dot = ember.utils.viz.make_dot(loss, params=dict(m.named_parameters()))
    src = dot.source
    assert src.startswith("digraph") and src.rstrip().endswith("}")
    assert src.count("{") == src.count("}")
    for name in dict(m.named_parameters()):
        assert f'"{name}\\n' in src
    # every edge joins declared nodes
    declared = set(re.findall(r"^\t(\w+) \[", src, re.M))
    for a, b in re.findall(r"^\t(\w+) -> (\w+)$", src, re.M):
        assert a in declared and b in declared
    path = dot.save(str(tmp_path / "g.dot"))
    assert open(path).read() == src
    if shutil.which("dot") is None:
        with pytest.raises(RuntimeError, match="Graphviz"):
            dot.render(str(tmp_path / "g"))


def test_collect_env_reports():
    from ember.utils.collect_env import get_env_info
    info = get_env_info()
    assert info["ember"] == ember.__version__
    assert "NumPy" in info and "BLAS" in info and "GPU" in info and "MPI" in info
