"""Two-rank runs over MPI, launched from the suite with a timeout each (about 1-2 s per launch).

The checks run inside the launched scripts (mpi_collectives.py, mpi_ddp.py, examples/ddp.py); here we
launch them and read their verdicts, and we check that misconfigured launches fail fast instead of hanging.
"""
import os
import subprocess
import sys
import time

import pytest

from ember.distributed.run import find_mpiexec

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MPIEXEC = find_mpiexec()

try:
    import importlib.util
    _HAVE_MPI4PY = importlib.util.find_spec("mpi4py") is not None
except ImportError:  # pragma: no cover
    _HAVE_MPI4PY = False

pytestmark = pytest.mark.skipif(MPIEXEC is None or not _HAVE_MPI4PY,
                                reason="MPI is not installed (pip install mpi4py mpich; `make test` installs them)")

_ENV = {k: v for k, v in os.environ.items()
        if not k.startswith(("PMI_", "OMPI_", "PMIX_", "MPI_LOCAL", "EMBER_WORLD", "HYDRA"))}
_ENV.pop("WORLD_SIZE", None)
_ENV["PYTHONPATH"] = ROOT + os.pathsep + _ENV.get("PYTHONPATH", "")
_ENV["OMP_NUM_THREADS"] = "1"


def run(cmd, timeout=60, env=None):
    start = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=env or _ENV)
    return proc, time.monotonic() - start


def launch(*args, n=2, timeout=60):
    return run([sys.executable, "-m", "ember.distributed.run", "-n", str(n), *args], timeout=timeout)


def verdicts(proc, prefix):
    assert proc.returncode == 0, f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    lines = sorted(line for line in proc.stdout.replace(prefix, "\n" + prefix).splitlines() if line.startswith(prefix))
    return lines


def test_every_collective_and_dtype():
    proc, _ = launch("tests/distributed/mpi_collectives.py")
    lines = verdicts(proc, "OK rank")
    assert [line.split(" checks")[0].rsplit(" ", 1)[0] for line in lines] == ["OK rank 0/2", "OK rank 1/2"], lines


def test_ddp_matches_one_process_and_resumes(tmp_path):
    proc, _ = launch("tests/distributed/mpi_ddp.py", str(tmp_path))
    lines = verdicts(proc, "OK ddp rank")
    assert len(lines) == 2, proc.stdout
    for line in lines:
        assert "checkpoint resume bit-exact" in line and "no_sync" in line and "find_unused ok" in line, line
    assert os.listdir(tmp_path) == ["ddp.pth"]


def test_example_two_ranks(tmp_path):
    ckpt = str(tmp_path / "ddp.pth")
    proc, _ = launch("examples/ddp.py", "--epochs", "1", "--checkpoint", ckpt)
    assert proc.returncode == 0, proc.stderr
    assert "epoch 0: loss" in proc.stdout and "identical on all 2 rank(s)" in proc.stdout, proc.stdout
    assert os.path.exists(ckpt)


_WORLD3 = "import ember.distributed as d; d.init_process_group('mpi', world_size=3)"
_CRASH = ("import ember.distributed as d; d.init_process_group('mpi')\n"
          "if d.get_rank() == 1: raise ValueError('boom on rank 1')\n"
          "d.barrier()\n")


def test_misconfigured_launches_fail_fast(tmp_path):
    # a world size that disagrees with the launch: both ranks raise at once
    proc, took = run([MPIEXEC, "-n", "2", sys.executable, "-c", _WORLD3], timeout=60)
    assert proc.returncode != 0 and "MPI reports a world of 2 process(es)" in proc.stderr, proc.stderr
    assert "world_size=3" in proc.stderr and took < 30

    # launcher of one MPI, library of another: each process starts alone although told it has company
    env = dict(_ENV, OMPI_COMM_WORLD_SIZE="2", OMPI_COMM_WORLD_RANK="0")
    proc, took = run([sys.executable, "-c", "import ember.distributed as d; d.init_process_group('mpi')"],
                     env=env, timeout=60)
    assert proc.returncode != 0 and "OMPI_COMM_WORLD_SIZE=2" in proc.stderr, proc.stderr
    assert "MPI reports a world of 1" in proc.stderr and took < 30

    # an exception on one rank aborts the job instead of leaving rank 0 in its barrier forever
    proc, took = run([MPIEXEC, "-n", "2", sys.executable, "-c", _CRASH], timeout=60)
    assert proc.returncode != 0 and "boom on rank 1" in proc.stderr and took < 30, proc.stderr

    # the launcher refuses an mpiexec of another MPI family than the library mpi4py loads
    fake = tmp_path / "mpiexec"
    fake.write_text("#!/bin/sh\necho 'mpiexec (Open MPI) 5.0.11'\n")
    fake.chmod(0o755)
    proc, took = run([sys.executable, "-m", "ember.distributed.run", "--mpiexec", str(fake), "-n", "2",
                      "examples/ddp.py"], timeout=60)
    assert proc.returncode != 0 and "Open MPI's launcher, but mpi4py loads MPICH's library" in proc.stderr, \
        proc.stderr
