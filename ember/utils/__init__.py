"""``ember.utils``: data loading, hooks, model summaries, graph drawing, environment report."""
from . import hooks  # noqa: F401


def summary(model, input_size=None, input_data=None, depth=3, dtypes=None, **kwargs):
    """A layer-by-layer table of ``model`` (see ``ember/utils/_summary.py``)."""
    from ._summary import summary as _summary
    return _summary(model, input_size=input_size, input_data=input_data, depth=depth, dtypes=dtypes, **kwargs)


def __getattr__(name):  # submodules loaded on first use, so ``import ember`` stays light
    import importlib
    if name in ("data", "viz", "collect_env", "checkpoint"):
        return importlib.import_module(f"{__name__}.{name}")
    if name == "safetensors":
        return importlib.import_module("ember.safetensors")
    raise AttributeError(f"module 'ember.utils' has no attribute '{name}'")
