"""LazyConv*d / LazyConvTranspose*d against torch: repr before and after, inferred shapes, values, errors."""
import numpy as np
import pytest
import torch

import ember
from helpers import assert_same, to_ember


@pytest.mark.parametrize("make,shape", [
    ("LazyConv1d(4, 3)", (2, 3, 8)), ("LazyConv2d(4, 3, padding='same', dilation=2, groups=2)", (2, 6, 7, 7)),
    ("LazyConv3d(2, 2, bias=False)", (3, 4, 4, 4)), ("LazyConvTranspose1d(4, 3, stride=2)", (2, 3, 5)),
    ("LazyConvTranspose2d(4, 3, groups=2)", (1, 2, 4, 4)), ("LazyConvTranspose3d(2, 2)", (1, 2, 3, 3, 3)),
    ("LazyConv2d(4, 3)", (3, 5, 5)),                                    # unbatched: C_in from dim 0
])
def test_lazy_conv_matches_torch(make, shape):
    me, mt = eval("ember.nn." + make), eval("torch.nn." + make)
    assert repr(me) == repr(mt)                                         # in_channels shown as 0
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    mt(torch.tensor(x))
    me(ember.tensor(x))
    assert type(me).__name__ == type(mt).__name__                       # became the plain layer
    assert repr(me) == repr(mt)
    assert [tuple(p.shape) for p in me.parameters()] == [tuple(p.shape) for p in mt.parameters()]
    me.load_state_dict({k: to_ember(v) for k, v in mt.state_dict().items()})
    assert_same(me(ember.tensor(x)), mt(torch.tensor(x)).detach(), atol=1e-5)


@pytest.mark.parametrize("make,shape,exc", [("LazyConv2d(4, 3)", (5, 5), RuntimeError),
                                            ("LazyConv2d(4, 3, groups=2)", (1, 3, 5, 5), ValueError),
                                            ("LazyConvTranspose1d(4, 3)", (1, 2, 3, 5), RuntimeError)])
def test_lazy_conv_errors_match_torch(make, shape, exc):
    with pytest.raises(exc) as e_err:
        eval("ember.nn." + make)(ember.ones(*shape))
    with pytest.raises(exc) as t_err:
        eval("torch.nn." + make)(torch.ones(*shape))
    assert str(e_err.value) == str(t_err.value)
