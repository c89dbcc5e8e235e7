"""The harness of the sequence-model sweeps (tests/test_user_code_sweep_seq*.py): snippets of user code (RNN /
LSTM / GRU, packing, attention, Transformers) run as source under ``import torch`` and under ``import ember as
torch``; printed output, results, errors and warnings must match.

Each snippet sees ``torch`` (the library under test), ``np`` and ``fill(module_or_tensors, lo, hi)``, which
sets every parameter from a fixed linspace (weights never come from a random stream: seeded generators differ
between the libraries).  It prints and/or sets ``R``.
"""
import contextlib
import io
import sys
import warnings

import numpy as np
import torch

import ember

PRELUDE = """
def fill(m, lo=-0.5, hi=0.5):
    ps = list(m.parameters()) if hasattr(m, 'parameters') else list(m)
    with torch.no_grad():
        for i, p in enumerate(ps):
            p.copy_(torch.linspace(lo, hi, p.numel()).reshape(p.shape) * (1 + 0.1 * i))
    return m
"""


def _norm(v):
    """A value both libraries' results can be compared as: tensors become (dtype, shape, values, grad)."""
    if isinstance(v, (torch.Tensor, ember.Tensor)):
        a = v.detach()
        a = a.float() if str(a.dtype).endswith("bfloat16") else a
        vals = np.asarray(a.numpy())
        if vals.dtype.kind == "f":
            vals = np.round(vals.astype(np.float64), 5)
        return ("T", str(v.dtype).replace("ember.", "torch."), tuple(v.shape), vals.tolist(), v.requires_grad)
    if isinstance(v, (list, tuple)):
        return type(v).__name__, [_norm(x) for x in v]
    if isinstance(v, dict):
        return type(v).__name__, {k: _norm(x) for k, x in v.items()}
    if isinstance(v, (torch.dtype, ember.dtype, torch.Size, ember.Size)):
        return str(v).replace("ember.", "torch.")
    if isinstance(v, float):
        return round(v, 6)
    return v


@contextlib.contextmanager
def _imports_as_torch(lib):
    """While a snippet runs under ember, ``import torch.nn as nn`` and ``from torch.nn.utils.rnn import ...``
    find ember's modules (as they would for a user who aliases ember as torch in sys.modules)."""
    if lib is torch:
        yield
        return
    saved = {k: v for k, v in sys.modules.items() if k == "torch" or k.startswith("torch.")}
    for k in saved:
        del sys.modules[k]
    for k, v in list(sys.modules.items()):
        if k == "ember" or k.startswith("ember."):
            sys.modules["torch" + k[5:]] = v
    try:
        yield
    finally:
        for k in [k for k in sys.modules if k == "torch" or k.startswith("torch.")]:
            del sys.modules[k]
        sys.modules.update(saved)


def run_snippet(src, lib):
    out = io.StringIO()
    env = {"torch": lib, "np": np}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with contextlib.redirect_stdout(out), _imports_as_torch(lib):
                exec(PRELUDE + src, env)
            res = _norm(env.get("R"))
        except Exception as e:  # noqa: BLE001 - the error is part of what is compared
            res = ("raised", type(e).__name__, str(e).split("\n")[0])
    msgs = [(w.category.__name__, str(w.message).split(" (Triggered internally")[0]) for w in caught
            if not str(w.message).startswith(_ONCE_PER_PROCESS)]
    return out.getvalue(), res, msgs


# warnings both libraries give once per process: whether a snippet sees them depends on test order, so they are
# left out of the comparison and checked by their own tests below
_ONCE_PER_PROCESS = ("LSTM with projections is not supported with oneDNN",
                     "The PyTorch API of nested tensors is in prototype")


def _close(a, b):
    """Equal, with float lists compared at rtol 1e-5 / atol 1e-5 (last-digit rounding differences)."""
    if isinstance(a, float) and isinstance(b, float):
        return a == b or np.isclose(a, b, rtol=1e-5, atol=1e-5) or (np.isnan(a) and np.isnan(b))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    return a == b


def check(src):
    got, want = run_snippet(src, ember), run_snippet(src, torch)
    assert got[0] == want[0], "printed output differs"
    assert _close(got[1], want[1]), (got[1], want[1])
    assert got[2] == want[2], "warnings differ"
