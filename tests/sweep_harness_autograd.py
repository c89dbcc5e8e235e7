"""The snippet harness of the autograd sweeps (tests/test_user_code_sweep_autograd*.py): each snippet runs as source under ``import torch`` and under
``import ember as torch``; printed output, the result ``R``, errors and warnings must match."""
import contextlib
import io
import warnings

import numpy as np
import torch

import ember


def _norm(v):
    """A value both libraries' results can be compared as: tensors become (dtype, shape, values, grad)."""
    if isinstance(v, (torch.Tensor, ember.Tensor)):
        a = v.detach()
        a = a.float() if str(a.dtype).endswith("bfloat16") else a
        vals = np.asarray(a.resolve_conj().numpy()) if a.is_complex() else np.asarray(a.numpy())
        if vals.dtype.kind in "fc":
            vals = np.round(vals, 5)
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


def run_snippet(src, lib):
    out = io.StringIO()
    env = {"torch": lib, "np": np}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with contextlib.redirect_stdout(out):
                exec(src, env)
            res = _norm(env.get("R"))
        except Exception as e:  # noqa: BLE001 - the error is part of what is compared
            res = ("raised", type(e).__name__, str(e).split("\n")[0])
    msgs = [(w.category.__name__, str(w.message).split(" (Triggered internally")[0]) for w in caught]
    return out.getvalue(), res, msgs


with warnings.catch_warnings():     # torch's first forward-mode transform warns from its own internals, once
    warnings.simplefilter("ignore")
    torch.func.jacfwd(torch.sin)(torch.ones(1))


def check(src):
    got, want = run_snippet(src, ember), run_snippet(src, torch)
    assert got[0] == want[0], "printed output differs"
    assert got[1] == want[1]
    assert got[2] == want[2], "warnings differ"
