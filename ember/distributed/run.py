"""``python -m ember.distributed.run -n N script.py [args]``: start N ranks of a training script over MPI.

It wraps ``mpiexec``: the one next to this Python first (the PyPI ``mpich`` wheel puts it in the venv), then
the one on ``PATH``, or ``--mpiexec PATH``.  Before launching it checks that the launcher and the MPI library
mpi4py will load come from the same MPI family; mixed, every rank would start alone and train its own model.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys

_HELP_INSTALL = "install an MPI with `pip install mpi4py mpich` (or `pip install ember[distributed]`)"


def find_mpiexec(explicit=None):
    """The launcher to use: ``explicit``, ``$EMBER_MPIEXEC``, the venv's, or ``PATH``'s; ``None`` if none."""
    for candidate in (explicit, os.environ.get("EMBER_MPIEXEC"),
                      os.path.join(os.path.dirname(sys.executable), "mpiexec")):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("mpiexec")


def _family(text):
    text = text.lower()
    if "open mpi" in text or "openrte" in text or "prrte" in text or "open-mpi" in text:
        return "Open MPI"
    if "hydra" in text or "mpich" in text or "intel" in text:
        return "MPICH"
    return None


def launcher_family(mpiexec):
    try:
        out = subprocess.run([mpiexec, "--version"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return _family(out.stdout + out.stderr)


def library_family(python=sys.executable):
    """(family, first line of MPI_Get_library_version) of the MPI mpi4py loads, read without starting MPI."""
    code = ("import mpi4py; mpi4py.rc.initialize = False; from mpi4py import MPI; "
            "print(MPI.Get_library_version().strip().splitlines()[0])")
    try:
        out = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=30)
    except subprocess.TimeoutExpired:
        return None, "(timed out reading the MPI library version)"
    if out.returncode != 0:
        last = (out.stderr.strip().splitlines() or ["?"])[-1]
        raise SystemExit(f"ember.distributed.run: mpi4py cannot load an MPI library: {last}\n{_HELP_INSTALL}")
    line = out.stdout.strip()
    return _family(line), line


def build_command(args, mpiexec, family):
    cmd = [mpiexec, "-n", str(args.nproc)]
    if family == "Open MPI" and args.nproc > (os.cpu_count() or 1):
        cmd.append("--oversubscribe")
    cmd += list(args.mpiexec_arg or [])
    cmd += [sys.executable, "-u"]
    cmd += ["-m", args.script] if args.module else [args.script]
    return cmd + list(args.script_args)


def parse(argv):
    p = argparse.ArgumentParser(prog="python -m ember.distributed.run",
                                description="Run a script on N processes over MPI (wraps mpiexec).")
    p.add_argument("-n", "--nproc-per-node", "--nproc_per_node", dest="nproc", type=int, default=1,
                   help="number of processes (ranks) to start")
    p.add_argument("--mpiexec", help="the mpiexec to use (default: next to this Python, then PATH)")
    p.add_argument("--mpiexec-arg", action="append", metavar="ARG",
                   help="pass ARG to mpiexec before the program (repeatable), e.g. --mpiexec-arg=-hosts=a,b")
    p.add_argument("-m", "--module", action="store_true", help="run SCRIPT as a module (python -m SCRIPT)")
    p.add_argument("--no-check", action="store_true", help="skip the launcher/library consistency check")
    p.add_argument("script", help="the training script (or module with -m)")
    p.add_argument("script_args", nargs=argparse.REMAINDER, help="arguments for the script")
    args = p.parse_args(argv)
    if args.nproc < 1:
        p.error(f"-n must be at least 1, got {args.nproc}")
    return args


def main(argv=None):
    args = parse(sys.argv[1:] if argv is None else argv)
    mpiexec = find_mpiexec(args.mpiexec)
    if mpiexec is None:
        raise SystemExit(f"ember.distributed.run: no mpiexec found next to {sys.executable} or on PATH; "
                         f"{_HELP_INSTALL}")
    family = launcher_family(mpiexec)
    if not args.no_check:
        lib_family, lib_line = library_family()
        if family and lib_family and family != lib_family:
            raise SystemExit(
                f"ember.distributed.run: {mpiexec} is {family}'s launcher, but mpi4py loads {lib_family}'s library "
                f"({lib_line}). Each rank would start alone. Use the mpiexec that belongs to that library "
                f"(--mpiexec PATH), or point mpi4py at the launcher's library with MPI4PY_LIBMPI=/path/to/libmpi.so")
    env = dict(os.environ, EMBER_WORLD_SIZE=str(args.nproc))
    if family == "Open MPI" and hasattr(os, "geteuid") and os.geteuid() == 0:
        env.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
        env.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
    cmd = build_command(args, mpiexec, family)
    sys.stdout.flush()
    os.execve(cmd[0], cmd, env)


if __name__ == "__main__":
    main()
