"""The GPT example in a reduced run: ember and torch from the same weights and batches give the same losses,
the loss falls, and the script runs end to end (training, validation, sampling) on both libraries."""
import importlib.util
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _load():
    spec = importlib.util.spec_from_file_location("gpt_example", os.path.join(ROOT, "examples", "gpt.py"))
    mod = importlib.util.module_from_spec(spec)
    sys.modules["gpt_example"] = mod            # dataclasses look their module up while the class is built
    spec.loader.exec_module(mod)
    return mod


def test_first_20_losses_match_torch_and_fall():
    gpt = _load()
    losses_e, losses_t = gpt.compare(steps=20)
    assert len(losses_e) == len(losses_t) == 20
    np.testing.assert_allclose(losses_e, losses_t, rtol=0, atol=1e-4)
    assert np.mean(losses_e[-5:]) < losses_e[0] - 0.3


def test_script_runs_on_both_libraries():
    gpt = _load()
    args = ["--steps", "8", "--n-layer", "1", "--n-embd", "32", "--n-head", "2", "--block-size", "16",
            "--batch-size", "4", "--sample-chars", "12", "--dropout", "0.1"]
    for extra in ([], ["--torch"]):
        result = gpt.main(args + extra)
        assert len(result["losses"]) == 8 and np.isfinite(result["val_loss"])
        assert result["sample"].startswith("def ") and len(result["sample"]) == 16


def test_text_and_vocabulary():
    gpt = _load()
    text = gpt.load_text(10_000)
    assert len(text) == 10_000
    ids = gpt.encode(text)
    assert ids.min() >= 0 and ids.max() < len(gpt._VOCAB)
    assert gpt.decode(gpt.encode("def f(x):\n")) == "def f(x):\n"
