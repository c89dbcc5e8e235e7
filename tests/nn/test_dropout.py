"""Dropout family: masks, scaling, eval identity, channel-wise masks, alpha dropout statistics."""
import numpy as np
import pytest
import torch

import ember
import ember.nn.functional as F


def test_dropout_scaling_and_rate():
    x = ember.ones(200, 500, requires_grad=True)
    y = F.dropout(x, 0.3)
    vals = np.unique(y.detach().numpy())
    assert len(vals) == 2 and vals[0] == 0 and np.isclose(vals[1], 1 / 0.7)
    assert abs(float((y == 0).float().mean()) - 0.3) < 0.01
    y.sum().backward()
    assert bool(((x.grad == 0) == (y == 0)).all())
    assert F.dropout(x, 0.3, training=False) is x
    assert float(F.dropout(x, 1.0).abs().sum()) == 0


def test_dropout_modules():
    for name in ("Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout"):
        for kw in (dict(), dict(p=0.2, inplace=True)):
            assert repr(getattr(ember.nn, name)(**kw)) == repr(getattr(torch.nn, name)(**kw))
    m = ember.nn.Dropout(0.5).eval()
    x = ember.randn(3, 4)
    assert m(x) is x
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but got 1.5"):
        ember.nn.Dropout(1.5)


@pytest.mark.parametrize("fn,shape,lead", [(F.dropout1d, (8, 30, 5), 2), (F.dropout1d, (30, 5), 1),
                                           (F.dropout2d, (8, 30, 4, 4), 2), (F.dropout3d, (8, 30, 2, 2, 2), 2),
                                           (F.dropout3d, (30, 2, 2, 2), 1)])
def test_channel_dropout(fn, shape, lead):
    y = fn(ember.ones(*shape), 0.5).numpy()
    flat = y.reshape(shape[:lead] + (-1,))
    assert np.all((flat == 0).all(-1) | (flat == 2).all(-1))
    assert 0.3 < (flat[..., 0] == 0).mean() < 0.7


def test_inplace_dropout():
    x = ember.ones(10, 10)
    y = F.dropout(x, 0.5, inplace=True)
    assert y is x and set(np.unique(x.numpy())) <= {0.0, 2.0}


def test_alpha_dropout_keeps_statistics():
    x = ember.randn(400, 500)
    y = F.alpha_dropout(x, 0.2, training=True)
    assert abs(float(y.mean())) < 0.02 and abs(float(y.std()) - 1) < 0.02
    assert F.alpha_dropout(x, 0.2) is x            # training defaults to False, as in torch
    y = F.feature_alpha_dropout(ember.randn(50, 40, 30), 0.5, training=True).numpy()
    per_channel = y.reshape(50, 40, -1)
    assert np.mean(np.all(per_channel == per_channel[..., :1], -1)) > 0.3
