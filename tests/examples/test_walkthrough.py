"""The nn.Module walkthrough runs to the end and shows the behaviours it explains."""
import contextlib
import importlib.util
import io
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_walkthrough_runs():
    spec = importlib.util.spec_from_file_location("walkthrough", os.path.join(ROOT, "examples", "walkthrough.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        mod.main()
    text = out.getvalue()
    assert "The walkthrough ran to the end." in text
    assert "model.forward(x) -> no hooks ran" in text
    assert "plain list  : parameters = 0" in text
    assert "ModuleList  : parameters = 6" in text
    assert "cannot assign module before Module.__init__() call" in text
    assert "['Linear', 'LeakyReLU', 'Linear', 'LeakyReLU']" in text
    assert "conv weight unchanged after a step: True | its grad stays None" in text
    assert "same Parameter object: True" in text
