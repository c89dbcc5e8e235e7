import subprocess
import sys


def test_import_does_not_import_torch_and_is_fast():
    code = ("import sys, time; t = time.perf_counter(); import ember; dt = time.perf_counter() - t; "
            "bad = [m for m in sys.modules if m == 'torch' or m.startswith('torch.')]; "
            "print(len(bad), dt)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out[0] == "0", "import ember imported torch"
    # generous bound for a loaded CI machine; benchmarks/ records the real figure
    assert float(out[1]) < 2.0


def test_optional_dependencies_not_imported():
    code = ("import sys; import ember; "
            "print(','.join(m for m in ('cupy', 'mpi4py', 'tqdm', 'matplotlib', 'scipy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""
