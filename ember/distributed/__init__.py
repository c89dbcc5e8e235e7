"""``ember.distributed``: torch.distributed's API over MPI (mpi4py), or over a world of one process.

Launch N processes with ``python -m ember.distributed.run -n N train.py`` (it wraps ``mpiexec``); in each,
``init_process_group("mpi")`` joins them.  Started plainly, the same script is rank 0 of a world of one and
every collective is the identity, so nothing needs MPI to run or test.  mpi4py is imported inside
``init_process_group`` only; ``import ember`` never starts MPI.

Collectives take ember tensors and modify them in place; ``async_op=True`` returns a ``Work`` handle whose
``wait()`` completes the operation.  bfloat16 is reduced in float32 (MPI has no bfloat16) and rounded back.
"""
from ._backend import ReduceOp
from ._collectives import (all_gather, all_gather_into_tensor, all_gather_object, all_reduce, barrier, broadcast,
                           broadcast_object_list, gather, gather_object, irecv, isend, recv, reduce, reduce_scatter,
                           scatter, scatter_object_list, send)
from ._init import (ProcessGroup, destroy_process_group, get_backend, get_rank, get_world_size, group,
                    init_process_group, is_available, is_initialized, is_mpi_available)
from ._work import Future, Work

__all__ = [
    "ReduceOp", "Work", "Future", "ProcessGroup", "group",
    "init_process_group", "destroy_process_group", "is_available", "is_initialized", "is_mpi_available",
    "get_rank", "get_world_size", "get_backend",
    "all_reduce", "reduce", "broadcast", "all_gather", "all_gather_into_tensor", "reduce_scatter", "gather",
    "scatter", "barrier", "send", "recv", "isend", "irecv",
    "all_gather_object", "broadcast_object_list", "gather_object", "scatter_object_list",
]
