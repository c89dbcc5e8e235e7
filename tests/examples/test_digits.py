"""The demo in a reduced run: it learns, and its checkpoint loads in real torch with the same predictions."""
import importlib.util
import os

import numpy as np
import pytest
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _load_demo():
    spec = importlib.util.spec_from_file_location("digits_demo", os.path.join(ROOT, "examples", "digits.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    demo = _load_demo()
    out = tmp_path_factory.mktemp("digits")
    result = demo.main(["--quick", "--out", str(out), "--no-plot"])
    return demo, result


def test_demo_learns_and_freezing_holds(demo_run):
    _, result = demo_run
    assert result["test_acc"] >= 0.95
    assert result["unchanged"]


def test_demo_checkpoint_loads_in_torch_with_same_predictions(demo_run):
    demo, result = demo_run
    torch_model = demo.build_model(torch.nn)
    state = torch.load(result["final_path"], weights_only=True)
    torch_model.load_state_dict(state, strict=True)
    torch_model.eval()
    data = np.load(os.path.join(ROOT, "examples", "data", "digits.npz"))
    images = data["images"].astype(np.float32)[:, None] / 16.0
    images = (images - images.mean()) / images.std()
    import ember
    ember_model = demo.build_model(ember.nn)
    ember_model.load_state_dict(ember.load(result["final_path"]))
    ember_model.eval()
    with torch.no_grad():
        t_logits = torch_model(torch.from_numpy(images)).numpy()
    with ember.no_grad():
        e_logits = ember_model(ember.from_numpy(images)).numpy()
    np.testing.assert_allclose(e_logits, t_logits, rtol=1e-4, atol=1e-4)
    assert (e_logits.argmax(1) == t_logits.argmax(1)).all()
