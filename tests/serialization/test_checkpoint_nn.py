"""Checkpoints with ember's nn and optim: torch checkpoints drive ember models and back."""
import collections
import os

import numpy as np
import pytest

import ember
from ember import nn
from ember.nn.utils import consume_prefix_in_state_dict_if_present
from ember.serialization import load, save

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")


class CNN(nn.Module):
    """make_fixtures.CNN, written for ember."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3)
        self.bn = nn.BatchNorm2d(4)
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        x = ember.relu(self.bn(self.conv(x)))    # (B, 4, H-2, W-2)
        return self.fc(x.mean(dim=(2, 3)))       # (B, 3)


def trained():
    model = CNN()
    model.load_state_dict(load(os.path.join(FIXTURES, "cnn_bn.pth")), strict=True)
    return model.eval()


def test_torch_weights_reproduce_torch_outputs():
    io_ = load(os.path.join(FIXTURES, "cnn_io.pth"))
    with ember.no_grad():
        y = trained()(io_["x"])
    np.testing.assert_allclose(y.numpy(), io_["y"].numpy(), rtol=1e-5, atol=1e-6)


def test_ember_state_dict_round_trip(tmp_path):
    model = trained()
    save(model.state_dict(), tmp_path / "m.pth")
    sd = load(tmp_path / "m.pth", mmap=True)
    assert sd._metadata == model.state_dict()._metadata
    fresh = CNN()
    fresh.load_state_dict(sd, strict=True)
    for (k, a), (_, b) in zip(model.state_dict().items(), fresh.state_dict().items()):
        assert a.dtype == b.dtype and a.numpy().tobytes() == b.numpy().tobytes(), k


@pytest.mark.parametrize("prefix", ["module.", "_orig_mod."])
def test_prefixed_checkpoints_load_after_consuming_the_prefix(tmp_path, prefix):
    sd = load(os.path.join(FIXTURES, "cnn_bn.pth"))
    wrapped = collections.OrderedDict((prefix + k, v) for k, v in sd.items())
    wrapped._metadata = collections.OrderedDict([("", {"version": 1})] + [
        (prefix + k if k else prefix.rstrip("."), v) for k, v in sd._metadata.items()])
    save(wrapped, tmp_path / "ddp.pth")
    loaded = load(tmp_path / "ddp.pth")
    consume_prefix_in_state_dict_if_present(loaded, prefix)
    assert list(loaded) == list(sd) and loaded._metadata == sd._metadata
    CNN().load_state_dict(loaded, strict=True)


def test_ember_model_state_loads_into_torch_bit_identical(tmp_path):
    torch = pytest.importorskip("torch")
    from make_fixtures import CNN as TorchCNN
    save(trained().state_dict(), tmp_path / "m.pth")
    reference = TorchCNN()
    reference.load_state_dict(torch.load(os.path.join(FIXTURES, "cnn_bn.pth"), weights_only=True))
    model = TorchCNN()
    model.load_state_dict(torch.load(tmp_path / "m.pth", weights_only=True), strict=True)
    x = torch.load(os.path.join(FIXTURES, "cnn_io.pth"), weights_only=True)["x"]
    with torch.no_grad():
        assert torch.equal(model.eval()(x), reference.eval()(x))


def test_optimizer_state_from_torch_loads_into_ember_adam(tmp_path):
    ck = load(os.path.join(FIXTURES, "checkpoint.pth"))
    model = CNN()
    model.load_state_dict(ck["model"], strict=True)
    opt = ember.optim.Adam(model.parameters(), lr=1e-3)
    opt.load_state_dict(ck["optimizer"])
    state = opt.state_dict()
    assert float(state["state"][0]["step"]) == 1.0
    save({"optimizer": state}, tmp_path / "opt.pth")
    again = load(tmp_path / "opt.pth")["optimizer"]
    assert again["param_groups"][0]["lr"] == 1e-3
    expected = ck["optimizer"]["state"][0]["exp_avg"].numpy()
    np.testing.assert_array_equal(again["state"][0]["exp_avg"].numpy(), expected)
