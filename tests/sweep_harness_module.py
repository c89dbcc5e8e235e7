"""The snippet harness of the nn.Module / checkpoint sweeps (tests/test_user_code_sweep_module*.py): each snippet runs as source under ``import torch`` and under
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
        return ("T", str(v.dtype).replace("ember.", "torch."), tuple(v.shape), np.asarray(a.numpy()).tolist(),
                v.requires_grad)
    if isinstance(v, (list, tuple)):
        return type(v).__name__, [_norm(x) for x in v]
    if isinstance(v, dict):
        return type(v).__name__, {k: _norm(x) for k, x in v.items()}
    if isinstance(v, (torch.dtype, ember.dtype, torch.Size, ember.Size, torch.device, ember.device)):
        return str(v).replace("ember.", "torch.")
    if isinstance(v, float):
        return round(v, 6)
    return v


def run_snippet(src, lib, tmp):
    out = io.StringIO()
    env = {"torch": lib, "np": np, "tmp": tmp}
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


def check(src, tmp_path):
    a, b = tmp_path / "ember", tmp_path / "torch"
    a.mkdir(), b.mkdir()
    got, want = run_snippet(src, ember, str(a)), run_snippet(src, torch, str(b))
    assert got[0] == want[0], "printed output differs"
    assert got[1] == want[1]
    assert got[2] == want[2], "warnings differ"
