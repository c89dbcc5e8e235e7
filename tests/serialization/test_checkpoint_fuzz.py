"""Fuzzing: mutated checkpoints raise nothing but ember's documented errors (``CheckpointError`` subclasses).

Two bounded hypothesis runs (a few seconds together): raw byte mutations of whole files (zip and legacy; the
legacy format has no CRC, so they reach the unpickler directly), and mutations of ``data.pkl`` re-wrapped
in an archive with valid CRCs, so every example exercises the pickle VM and the tensor checks.
"""
import io
import os
import pickle
import warnings
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ember
from ember.serialization import CheckpointError, load, save
from _ckpt_crafted import archive

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")


def _ember_file():
    base = np.arange(12, dtype=np.float32)
    buf = io.BytesIO()
    save({"w": ember.from_numpy(base.reshape(3, 4).T), "s": ember.from_numpy(base[2:5]),
          "u": ember.from_numpy(np.arange(4, dtype=np.uint16)), "meta": [1, "x", b"y", {2.5}, 2**70, (1, 2)]}, buf)
    return buf.getvalue()


BASES = [_ember_file()] + [open(os.path.join(FIXTURES, n), "rb").read()
                           for n in ("cnn_bn.pth", "legacy.pth", "params.pth", "proto4.pth")]
PICKLES = [zipfile.ZipFile(io.BytesIO(BASES[0])).read("archive/data.pkl"),
           pickle.dumps({"a": [1, 2.0, "s", (1, 2), {3}], "b": b"xy", "c": 2**80}, protocol=2)]
STORAGES = {"data/0": bytes(48), "data/1": bytes(8)}   # what the ember file's data.pkl asks for


@st.composite
def mutated(draw, bases):
    data = bytearray(draw(st.sampled_from(bases)))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "set", "insert", "delete", "truncate", "duplicate"]))
        pos = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "flip" and data:
            data[pos] ^= 1 << draw(st.integers(0, 7))
        elif kind == "set" and data:
            data[pos] = draw(st.sampled_from([0, 1, 0x7F, 0x80, 0xFF, ord("."), ord("("), ord("R"), ord("b")]))
        elif kind == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=8))
        elif kind == "delete":
            del data[pos:pos + draw(st.integers(1, 16))]
        elif kind == "truncate":
            del data[pos:]
        elif kind == "duplicate":
            data[pos:pos] = data[pos:pos + draw(st.integers(1, 32))]
    return bytes(data)


def _load_expecting_only_checkpoint_errors(data):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            load(io.BytesIO(data))
    except CheckpointError:
        pass


_SETTINGS = dict(deadline=None, database=None, derandomize=False,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@settings(max_examples=600, **_SETTINGS)
@given(mutated(BASES))
def test_mutated_files(data):
    _load_expecting_only_checkpoint_errors(data)


@settings(max_examples=600, **_SETTINGS)
@given(mutated(PICKLES))
def test_mutated_pickles_with_valid_crcs(pkl):
    _load_expecting_only_checkpoint_errors(archive(pkl, STORAGES))


@pytest.mark.parametrize("seed", range(3))
def test_random_garbage_pickles(seed):
    rng = np.random.default_rng(seed)
    for _ in range(300):
        body = rng.integers(0, 256, rng.integers(1, 64), dtype=np.uint8).tobytes()
        _load_expecting_only_checkpoint_errors(archive(b"\x80\x02" + body, STORAGES))
