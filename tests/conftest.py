"""Strict test settings shared by the whole suite."""
import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(__file__))

try:
    from hypothesis import HealthCheck, settings
    settings.register_profile("ember", deadline=None, max_examples=25,
                              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    settings.load_profile("ember")
except ImportError:  # pragma: no cover
    pass


def _spend_once_per_process_warnings():
    """torch gives some warnings once per process (``float()`` of a tensor that requires grad), and so does ember:
    spend both at start-up, so that snippet comparisons do not depend on which test ran first in a worker.
    (tests/test_argument_types.py checks ember's once-only warning with the flag reset.)"""
    import warnings

    import ember
    try:
        import torch
    except ImportError:  # pragma: no cover
        torch = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for lib in (ember, torch):
            if lib is not None:
                float(lib.ones(1, requires_grad=True))


_spend_once_per_process_warnings()


@pytest.fixture(autouse=True)
def _seed():
    import ember
    ember.manual_seed(0)
    np.random.seed(0)
    yield
    ember.set_default_dtype(ember.float32)
