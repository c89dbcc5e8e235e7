"""consume_prefix_in_state_dict_if_present, compared with torch's on the same inputs."""
import copy
import importlib.util
import os
from collections import OrderedDict

import pytest

_spec = importlib.util.spec_from_file_location(   # the lead exports it from ember.nn.utils; test the file itself
    "_prefix", os.path.join(os.path.dirname(__file__), "..", "..", "ember", "nn", "utils", "_prefix.py"))
_prefix = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_prefix)
consume = _prefix.consume_prefix_in_state_dict_if_present


def ddp_state_dict(prefix="module."):
    sd = OrderedDict([(f"{prefix}conv.weight", 1), ("other", 2), (f"{prefix}bn.running_mean", 3),
                      (f"{prefix}fc.bias", 4)])
    sd._metadata = OrderedDict([("", {"version": 1}), (prefix.rstrip("."), {"version": 1}),
                                (f"{prefix}conv", {"version": 1}), (f"{prefix}bn", {"version": 2}),
                                (f"{prefix}fc", {"version": 1})])
    return sd


@pytest.mark.parametrize("prefix", ["module.", "_orig_mod.", "absent."])
def test_strips_keys_and_metadata(prefix):
    sd = ddp_state_dict("module." if prefix == "absent." else prefix)
    before = copy.deepcopy(sd)
    consume(sd, prefix)
    if prefix == "absent.":
        assert sd == before and sd._metadata == before._metadata
        return
    assert list(sd) == ["other", "conv.weight", "bn.running_mean", "fc.bias"]
    assert sd._metadata == {"": {"version": 1}, "conv": {"version": 1}, "bn": {"version": 2}, "fc": {"version": 1}}


def test_plain_dict_without_metadata():
    sd = {"module.a": 1, "b": 2}
    consume(sd, "module.")
    assert sd == {"a": 1, "b": 2}


@pytest.mark.parametrize("prefix", ["module.", "_orig_mod."])
def test_same_as_torch(prefix):
    torch = pytest.importorskip("torch")
    from torch.nn.modules.utils import consume_prefix_in_state_dict_if_present as torch_consume
    ours, theirs = ddp_state_dict(prefix), ddp_state_dict(prefix)
    consume(ours, prefix)
    torch_consume(theirs, prefix)
    assert list(ours.items()) == list(theirs.items())
    assert list(ours._metadata.items()) == list(theirs._metadata.items())
    # and on a real wrapped model's state_dict
    net = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.BatchNorm1d(2))
    wrapped = torch.nn.Module()
    setattr(wrapped, prefix.rstrip("."), net)
    ours, theirs = wrapped.state_dict(), wrapped.state_dict()
    consume(ours, prefix)
    torch_consume(theirs, prefix)
    assert list(ours) == list(theirs) and list(ours._metadata.items()) == list(theirs._metadata.items())
    net.load_state_dict(ours, strict=True)
