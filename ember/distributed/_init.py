"""The default process group: ``init_process_group`` and friends, and the checks that turn a misconfigured
MPI launch into an error instead of N silent single-process worlds (or a hang)."""
from __future__ import annotations

import importlib.util
import os
import sys
import traceback

from ._backend import LocalBackend, MPIBackend

_NOT_INITIALIZED = ("Default process group has not been initialized, please make sure to call "
                    "init_process_group.")
_LAUNCH_HINT = "launch with `python -m ember.distributed.run -n N script.py` (or `mpiexec -n N python script.py`)"

# the world size each launcher tells its processes, by the variable it sets
_SIZE_VARIABLES = (("PMI_SIZE", "an MPICH-style launcher (hydra)"),
                   ("OMPI_COMM_WORLD_SIZE", "Open MPI's launcher"),
                   ("EMBER_WORLD_SIZE", "ember.distributed.run"))
_MPI_MARKERS = ("PMI_SIZE", "PMI_RANK", "PMI_FD", "PMI_PORT", "OMPI_COMM_WORLD_SIZE", "PMIX_RANK",
                "MPI_LOCALNRANKS", "EMBER_WORLD_SIZE")
_BACKENDS = ("mpi", "local", "gloo", "nccl")


class ProcessGroup:
    """A set of processes taking part in collectives; ember has the default (world) group only."""

    def __init__(self, backend):
        self._backend = backend

    def rank(self) -> int:
        return self._backend.rank

    def size(self) -> int:
        return self._backend.size

    def name(self) -> str:
        return self._backend.name

    def __repr__(self):
        return f"ProcessGroup(backend={self.name()!r}, rank={self.rank()}, size={self.size()})"


class group:  # noqa: N801  (torch's spelling: ``dist.group.WORLD``)
    WORLD = None


_state = {"pg": None, "excepthook": None}


def is_available() -> bool:
    """ember.distributed always works: over MPI when launched with one, as a world of one process otherwise."""
    return True


def is_mpi_available() -> bool:
    """Whether mpi4py is installed (it is not imported here)."""
    return importlib.util.find_spec("mpi4py") is not None


def is_initialized() -> bool:
    return _state["pg"] is not None


def launched_by_mpi() -> bool:
    """Whether an MPI launcher (or ``ember.distributed.run``) started this process."""
    return any(v in os.environ for v in _MPI_MARKERS)


def init_process_group(backend=None, init_method=None, timeout=None, world_size=-1, rank=-1, store=None,
                       group_name="", pg_options=None, device_id=None):
    """Join the default process group.

    ``backend="mpi"`` (the default) uses MPI through mpi4py when the process was started by an MPI launcher
    (``python -m ember.distributed.run -n N``, ``mpiexec -n N``); started plainly, the process is a world of
    its own (rank 0 of 1) with no MPI involved, so the same script runs and tests without MPI.
    ``backend="local"`` always gives that world of one.  ``"gloo"`` and ``"nccl"`` (from scripts written
    for torch) mean ``"mpi"``.  ``init_method``, ``store``, ``timeout`` and ``device_id`` are accepted for
    torch compatibility; MPI's launcher does the rendezvous and has no timeouts.
    """
    if _state["pg"] is not None:
        raise ValueError("trying to initialize the default process group twice!")
    name = "mpi" if backend is None else str(backend).lower().split(":")[-1]
    if name not in _BACKENDS:
        raise ValueError(f"Invalid backend: '{backend}'; ember.distributed supports 'mpi' (also spelled 'gloo' "
                         "or 'nccl' for scripts written for torch) and 'local' (one process, no MPI)")
    if name != "local" and launched_by_mpi():
        impl = _init_mpi(world_size, rank)
    else:
        _check_alone(world_size, rank)
        impl = LocalBackend()
    pg = ProcessGroup(impl)
    _state["pg"] = pg
    group.WORLD = pg
    if impl.size > 1:
        _install_abort_on_error(impl)


def destroy_process_group(group=None):
    """Leave the default process group (MPI itself stays initialised until the process exits)."""
    pg = _state["pg"]
    if pg is None:
        raise ValueError(_NOT_INITIALIZED)
    _state["pg"] = None
    globals()["group"].WORLD = None
    if _state["excepthook"] is not None:
        sys.excepthook, _state["excepthook"] = _state["excepthook"], None
    pg._backend.close()


def _default_group(group=None) -> ProcessGroup:
    pg = _state["pg"]
    if pg is None:
        raise ValueError(_NOT_INITIALIZED)
    if group is not None and group is not pg:
        raise ValueError(f"ember.distributed has only the default (world) group; got {group!r}")
    return pg


def get_rank(group=None) -> int:
    return _default_group(group).rank()


def get_world_size(group=None) -> int:
    return _default_group(group).size()


def get_backend(group=None) -> str:
    return _default_group(group).name()


# ----------------------------------------------------------------------------------------------------------
# MPI start-up and its checks
# ----------------------------------------------------------------------------------------------------------

def _check_alone(world_size, rank):
    """A process no MPI launcher started is rank 0 of 1; anything else asked for is a launch mistake."""
    wanted = {"world_size argument": world_size}
    if "WORLD_SIZE" in os.environ:
        wanted["WORLD_SIZE variable"] = os.environ["WORLD_SIZE"]
    for what, value in wanted.items():
        if value not in (None, -1) and int(value) != 1:
            raise RuntimeError(f"init_process_group: the {what} asks for {value} processes, but this process was "
                               f"not started by an MPI launcher and is alone (world size 1); {_LAUNCH_HINT}")
    if rank not in (-1, 0):
        raise RuntimeError(f"init_process_group: rank={rank} requested in a world of one process; {_LAUNCH_HINT}")


def _init_mpi(world_size, rank):
    if not is_mpi_available():
        raise RuntimeError("init_process_group: this process was started by an MPI launcher, but mpi4py is not "
                           "installed; install it with `pip install mpi4py mpich` (or `pip install "
                           "ember[distributed]`)")
    from mpi4py import MPI  # noqa: PLC0415  (starts MPI: only here, never at `import ember`)
    comm = MPI.COMM_WORLD
    size, own_rank = comm.Get_size(), comm.Get_rank()
    expected = [(f"{var}={os.environ[var]} (set by {who})", int(os.environ[var]))
                for var, who in _SIZE_VARIABLES if os.environ.get(var, "").isdigit()]
    if os.environ.get("WORLD_SIZE", "").isdigit():
        expected.append((f"WORLD_SIZE={os.environ['WORLD_SIZE']}", int(os.environ["WORLD_SIZE"])))
    if world_size not in (None, -1):
        expected.append((f"world_size={world_size} (argument)", int(world_size)))
    wrong = [what for what, n in expected if n != size]
    if wrong:
        library = MPI.Get_library_version().strip().splitlines()[0]
        raise RuntimeError(
            f"init_process_group: MPI reports a world of {size} process(es), but {', '.join(wrong)}. "
            f"The MPI library mpi4py loaded is {library!r}. Usually the launcher (mpiexec) belongs to another MPI "
            f"than that library (each process then starts alone instead of joining the others): use the mpiexec "
            f"of the same installation ({os.path.join(os.path.dirname(sys.executable), 'mpiexec')} for the "
            f"PyPI mpich wheel), set MPI4PY_LIBMPI to the matching library, or {_LAUNCH_HINT}")
    if rank not in (None, -1) and int(rank) != own_rank:
        raise RuntimeError(f"init_process_group: rank={rank} requested, but MPI gave this process rank {own_rank}; "
                           "MPI assigns ranks, so leave rank unset")
    return MPIBackend(comm, MPI)


def _install_abort_on_error(impl):
    """An uncaught exception on one rank aborts the whole job, instead of leaving the others waiting forever
    in their next collective."""
    previous = sys.excepthook

    def abort(kind, value, tb):
        try:
            sys.stderr.write(f"[ember.distributed] rank {impl.rank} of {impl.size} failed; aborting the job\n")
            traceback.print_exception(kind, value, tb)
            sys.stderr.flush()
        finally:
            impl.MPI.COMM_WORLD.Abort(1)

    sys.excepthook = abort
    _state["excepthook"] = previous
