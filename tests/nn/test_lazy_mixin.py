"""LazyModuleMixin: the shared lazy machinery, compared with torch."""
import pytest
import torch

import ember
from ember.nn.modules.lazy import LazyModuleMixin


def _mods(lib):
    return {"lin": lib.nn.LazyLinear(3), "conv": lib.nn.LazyConv1d(4, 2), "bn": lib.nn.LazyBatchNorm1d(),
            "inorm": lib.nn.LazyInstanceNorm1d()}


def test_all_lazy_modules_share_the_mixin():
    for m in _mods(ember).values():
        assert isinstance(m, LazyModuleMixin)
        assert m.has_uninitialized_params()
        assert hasattr(m, "_initialize_hook") and hasattr(m, "_load_hook")


@pytest.mark.parametrize("kind, src", [("lin", lambda L: L.nn.Linear(5, 3)), ("conv", lambda L: L.nn.Conv1d(2, 4, 2)),
                                       ("bn", lambda L: L.nn.BatchNorm1d(6))])
def test_load_state_dict_materialises_like_torch(kind, src):
    out = []
    for lib in (torch, ember):
        lib.manual_seed(0)
        s = src(lib)
        m = _mods(lib)[kind]
        r = m.load_state_dict(s.state_dict())
        assert not m.has_uninitialized_params()
        state = {k: v.shape for k, v in m.state_dict().items()}
        still_lazy_class = type(m).__name__
        attrs = (getattr(m, "in_features", None), getattr(m, "in_channels", None), getattr(m, "num_features", None))
        out.append((str(r), state, still_lazy_class, attrs))
    assert out[0][0] == out[1][0] and out[0][2:] == out[1][2:]
    assert {k: tuple(v) for k, v in out[0][1].items()} == {k: tuple(v) for k, v in out[1][1].items()}


def test_linear_after_load_reads_in_features_at_forward():
    m = ember.nn.LazyLinear(3)
    m.load_state_dict(ember.nn.Linear(4, 3).state_dict())
    assert m.in_features == 0
    m(ember.ones(2, 4))
    assert type(m) is ember.nn.Linear and m.in_features == 4
    assert not hasattr(m, "_initialize_hook") and not hasattr(m, "_load_hook")
    m2 = ember.nn.LazyLinear(3)
    m2.load_state_dict(ember.nn.Linear(4, 3).state_dict())
    with pytest.raises(AssertionError, match="in_features inferred from input: 5"):
        m2(ember.ones(2, 5))


def _custom(lib, init):
    from importlib import import_module
    mixin = import_module(lib.__name__ + ".nn.modules.lazy").LazyModuleMixin

    class M(mixin, lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = lib.nn.UninitializedParameter()

        def forward(self, x, scale=1):
            return x * scale
    if init is not None:
        M.initialize_parameters = init
    return M()


def test_custom_subclass_contract():
    for lib in (torch, ember):
        with pytest.raises(NotImplementedError, match="^initialize_parameters is not implemented for M$"):
            _custom(lib, None)(lib.ones(2))
        with pytest.raises(RuntimeError, match="^module M has not been fully initialized$"):
            _custom(lib, lambda self, x, scale=1: None)(lib.ones(2))
        seen = []

        def init(self, x, scale=1):
            seen.append(scale)
            self.w.materialize((x.shape[0],))
        m = _custom(lib, init)
        assert m(lib.ones(2), scale=3).tolist() == [3.0, 3.0]
        assert seen == [3] and tuple(m.w.shape) == (2,) and type(m).__name__ == "M"
        assert not m.has_uninitialized_params()


def test_factory_dtype_kept_through_load():
    for lib in (torch, ember):
        m = lib.nn.LazyBatchNorm1d(dtype=lib.float64)
        m.load_state_dict(lib.nn.BatchNorm1d(3).state_dict())
        assert m.weight.dtype == lib.float64 and m.running_mean.dtype == lib.float64
