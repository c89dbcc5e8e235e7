"""``ember.nn.parallel``: DistributedDataParallel (over MPI) when ``ember/distributed`` is present."""
try:
    from .distributed import DistributedDataParallel  # noqa: F401
except ModuleNotFoundError as _exc:  # written by the distributed work
    if _exc.name != f"{__name__}.distributed":
        raise
