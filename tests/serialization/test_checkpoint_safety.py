"""Hostile files (CHECKPOINT-FORMAT.md 10, items 10-13) and the allowlist API.

Every crafted file is loaded in one subprocess under ``RLIMIT_AS`` = 1 GiB; each must be refused with
ember's error, naming what it refused, in under a second, and the marker its payload tries to create must
never appear.
"""
import io
import json
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest

import ember
from ember.serialization import (CheckpointError, UnsafeCheckpointError, add_safe_globals, clear_safe_globals,
                                 get_safe_globals, load, safe_globals)
from _ckpt_crafted import archive, malicious_cases

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = malicious_cases("MARKER")   # names and expectations only; the subprocess builds the bytes


@pytest.fixture(scope="module")
def refused(tmp_path_factory):
    marker = tmp_path_factory.mktemp("marker") / "pwned"
    proc = subprocess.run([sys.executable, os.path.join(HERE, "_ckpt_crafted.py"), str(marker)],
                          capture_output=True, text=True, timeout=120,
                          cwd=os.path.dirname(os.path.dirname(HERE)))
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = {}
    for line in proc.stdout.splitlines():
        row = json.loads(line)
        results[row["name"]] = row
    return results, marker


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_file_is_refused(name, refused):
    results, marker = refused
    _, kind, text = CASES[name]
    row = results[name]
    assert row["error"] == f"{kind}CheckpointError", row
    assert text in row["message"]
    assert "weights_only=False" not in row["message"]   # never suggest the unsafe mode
    assert row["cpu_seconds"] < 1.0     # CPU time: the bound is on the loader's work, not on a busy machine
    assert not row["torch_imported"]
    assert not marker.exists(), "a payload ran code"


def test_a_tamper_attempt_does_not_change_later_loads(refused):
    results, marker = refused
    assert results["after_tamper"]["ok"]
    assert not marker.exists()


def test_refusal_names_the_global_and_how_to_allow_it():
    data = archive(b"\x80\x02cmymodule\nThing\n)R.")
    with pytest.raises(UnsafeCheckpointError) as info:
        load(io.BytesIO(data))
    msg = str(info.value)
    assert "'mymodule.Thing'" in msg and "add_safe_globals" in msg and "safe_globals" in msg
    assert isinstance(info.value, pickle.UnpicklingError)   # what torch raises, so except clauses carry over


# ---- user-allowed globals -----------------------------------------------------------------------------------

class Config:
    def __init__(self, lr):
        self.lr = lr


def _config_file():
    return archive(pickle.dumps({"cfg": Config(0.5), "w": [1.0]}, protocol=2))


def test_safe_globals_context_allows_a_class_only_inside():
    data = _config_file()
    with pytest.raises(UnsafeCheckpointError, match="Config"):
        load(io.BytesIO(data))
    with safe_globals([Config]):
        obj = load(io.BytesIO(data))
    assert type(obj["cfg"]) is Config and obj["cfg"].lr == 0.5
    with pytest.raises(UnsafeCheckpointError):
        load(io.BytesIO(data))


def test_add_get_clear_safe_globals():
    clear_safe_globals()
    try:
        add_safe_globals([Config, (Config, "renamed.Config")])
        assert Config in get_safe_globals() and (Config, "renamed.Config") in get_safe_globals()
        assert load(io.BytesIO(_config_file()))["cfg"].lr == 0.5
        renamed = archive(pickle.dumps(Config(1.0), protocol=2).replace(
            f"{Config.__module__}\nConfig".encode(), b"renamed\nConfig"))
        assert load(io.BytesIO(renamed)).lr == 1.0
    finally:
        clear_safe_globals()
    assert get_safe_globals() == []


def test_numpy_scalars_load_once_allowed():
    data = archive(pickle.dumps({"x": np.float64(1.5)}, protocol=2))
    with pytest.raises(UnsafeCheckpointError, match="numpy"):
        load(io.BytesIO(data))
    scalar = np._core.multiarray.scalar
    with safe_globals([(scalar, f"{scalar.__module__}.scalar"), np.dtype]):
        assert load(io.BytesIO(data))["x"] == 1.5


@pytest.mark.parametrize("obj", [os.system, eval, getattr, subprocess.Popen])
def test_dangerous_globals_can_never_be_allowed(obj):
    with pytest.raises(ValueError, match="can never be allowed"):
        add_safe_globals([obj])
    assert obj not in get_safe_globals()


def test_every_refusal_is_a_checkpoint_error_subclass():
    for cls in (ember.serialization.CorruptCheckpointError, UnsafeCheckpointError,
                ember.serialization.UnsupportedCheckpointError):
        assert issubclass(cls, CheckpointError) and issubclass(cls, pickle.UnpicklingError)
