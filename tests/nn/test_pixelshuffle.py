"""pixel_shuffle / pixel_unshuffle / channel_shuffle and their layers against torch."""
import numpy as np
import pytest
import torch

import ember
from helpers import check_against_torch

TF = torch.nn.functional
EF = ember.nn.functional
rng = np.random.default_rng(0)


@pytest.mark.parametrize("fn,shape,arg", [
    ("pixel_shuffle", (2, 12, 3, 4), 2), ("pixel_shuffle", (18, 2, 3), 3), ("pixel_shuffle", (2, 2, 8, 3, 4), 2),
    ("pixel_unshuffle", (2, 3, 4, 6), 2), ("pixel_unshuffle", (3, 6, 9), 3), ("channel_shuffle", (2, 6, 4, 5), 3),
    ("channel_shuffle", (2, 8, 5), 2), ("native_channel_shuffle", (1, 6, 2, 2), 2),
])
def test_shuffles_match_torch(fn, shape, arg):
    # torch has no derivative for native_channel_shuffle: compare its values only
    check_against_torch(lambda a: getattr(EF, fn)(a, arg), lambda a: getattr(TF, fn)(a, arg),
                        [rng.standard_normal(shape)], rtol=0, atol=0, grad=not fn.startswith("native"))


@pytest.mark.parametrize("make,shape", [("PixelShuffle(2)", (2, 8, 3, 3)), ("PixelUnshuffle(3)", (1, 2, 6, 9)),
                                        ("ChannelShuffle(2)", (2, 4, 3, 3))])
def test_shuffle_layers_match_torch(make, shape):
    e, t = eval("ember.nn." + make), eval("torch.nn." + make)
    assert repr(e) == repr(t)
    check_against_torch(e, t, [rng.standard_normal(shape).astype(np.float32)])


@pytest.mark.parametrize("call", ["pixel_shuffle(ember_or_torch.ones(1, 3, 4, 4), 2)",
                                  "pixel_unshuffle(ember_or_torch.ones(1, 3, 5, 4), 2)",
                                  "pixel_unshuffle(ember_or_torch.ones(1, 3, 4, 5), 2)",
                                  "pixel_shuffle(ember_or_torch.ones(4, 4), 2)",
                                  "channel_shuffle(ember_or_torch.ones(1, 3, 4, 4), 2)"])
def test_shuffle_errors_match_torch(call):
    with pytest.raises(RuntimeError) as e_err:
        eval("F." + call, {"F": EF, "ember_or_torch": ember})
    with pytest.raises(RuntimeError) as t_err:
        eval("F." + call, {"F": TF, "ember_or_torch": torch})
    assert str(e_err.value) == str(t_err.value)
