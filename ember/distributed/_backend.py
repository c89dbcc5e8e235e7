"""Backends: collectives on contiguous NumPy arrays, every one nonblocking (it returns a request).

``LocalBackend`` is the world of one process (no MPI at all); ``MPIBackend`` runs over mpi4py, which is
imported only when a process group is created.  The tensor-level API in ``_api.py`` converts dtypes and
layouts before it calls these, so a backend sees only arrays that MPI can carry.
"""
from __future__ import annotations

import enum
import pickle
from collections import defaultdict, deque


class ReduceOp(enum.Enum):
    """How ``all_reduce`` / ``reduce`` / ``reduce_scatter`` combine the ranks' values."""
    SUM = 0
    AVG = 1
    PRODUCT = 2
    MIN = 3
    MAX = 4
    BAND = 5
    BOR = 6
    BXOR = 7

    def __repr__(self):
        return f"<ReduceOp.{self.name}: {self.value}>"


class _Done:
    """The request of an operation that finished when it was started (the local backend's)."""
    source = 0

    def Wait(self):  # noqa: N802  (mpi4py's spelling, so both request kinds read alike)
        return None

    def Test(self):  # noqa: N802
        return True


_DONE = _Done()


class LocalBackend:
    """World size 1: every collective is the identity (or a copy); send/recv go through a mailbox."""
    name = "local"
    rank = 0
    size = 1

    def __init__(self):
        self._mailbox = defaultdict(deque)

    def all_reduce(self, arr, op):
        return _DONE

    def broadcast(self, arr, src):
        return _DONE

    def all_gather(self, send, recv):
        recv[0] = send
        return _DONE

    def reduce(self, arr, op, dst):
        return _DONE

    def gather(self, send, recv, dst):
        recv[0] = send
        return _DONE

    def scatter(self, send, recv, src):
        recv[...] = send[0]
        return _DONE

    def reduce_scatter(self, send, recv, op):
        recv[...] = send[0]
        return _DONE

    def send(self, arr, dst, tag):
        self._mailbox[tag].append(arr.copy())
        return _DONE

    def recv(self, arr, src, tag):
        box = self._mailbox[tag]
        if not box:
            raise RuntimeError(f"recv(tag={tag}) in a world of one process has no matching send and would block "
                               "forever: send to rank 0 first, or launch more processes with "
                               "`python -m ember.distributed.run -n N script.py`")
        arr[...] = box.popleft().reshape(arr.shape)
        return _DONE

    def barrier(self):
        return _DONE

    # objects travel pickled, as they would between processes (the caller gets copies)
    def all_gather_object(self, obj):
        return [_copy(obj)]

    def broadcast_object(self, obj, src):
        return _copy(obj)

    def gather_object(self, obj, dst):
        return [_copy(obj)]

    def scatter_object(self, objs, src):
        return _copy(objs[0])

    def close(self):
        self._mailbox.clear()


def _copy(obj):
    return pickle.loads(pickle.dumps(obj))


class MPIBackend:
    """Collectives on a private duplicate of ``MPI.COMM_WORLD`` (so ember's traffic never matches the
    user's own mpi4py calls)."""
    name = "mpi"

    def __init__(self, comm, MPI):  # noqa: N803
        self.MPI = MPI
        self.comm = comm.Dup()
        self.rank = self.comm.Get_rank()
        self.size = self.comm.Get_size()
        self._ops = {ReduceOp.SUM: MPI.SUM, ReduceOp.AVG: MPI.SUM, ReduceOp.PRODUCT: MPI.PROD,
                     ReduceOp.MIN: MPI.MIN, ReduceOp.MAX: MPI.MAX, ReduceOp.BAND: MPI.BAND,
                     ReduceOp.BOR: MPI.BOR, ReduceOp.BXOR: MPI.BXOR}
        # MPI defines only the logical operations on booleans
        self._bool_ops = {ReduceOp.SUM: MPI.LOR, ReduceOp.MAX: MPI.LOR, ReduceOp.BOR: MPI.LOR,
                          ReduceOp.PRODUCT: MPI.LAND, ReduceOp.MIN: MPI.LAND, ReduceOp.BAND: MPI.LAND,
                          ReduceOp.BXOR: MPI.LXOR}

    def _op(self, arr, op):
        return self._bool_ops[op] if arr.dtype.kind == "b" else self._ops[op]

    def all_reduce(self, arr, op):
        return self.comm.Iallreduce(self.MPI.IN_PLACE, arr, op=self._op(arr, op))

    def broadcast(self, arr, src):
        return self.comm.Ibcast(arr, root=src)

    def all_gather(self, send, recv):
        return self.comm.Iallgather(send, recv)

    def reduce(self, arr, op, dst):
        if self.rank == dst:
            return self.comm.Ireduce(self.MPI.IN_PLACE, arr, op=self._op(arr, op), root=dst)
        return self.comm.Ireduce(arr, None, op=self._op(arr, op), root=dst)

    def gather(self, send, recv, dst):
        return self.comm.Igather(send, recv if self.rank == dst else None, root=dst)

    def scatter(self, send, recv, src):
        return self.comm.Iscatter(send if self.rank == src else None, recv, root=src)

    def reduce_scatter(self, send, recv, op):
        return self.comm.Ireduce_scatter_block(send, recv, op=self._op(recv, op))

    def send(self, arr, dst, tag):
        return self.comm.Isend(arr, dest=dst, tag=tag)

    def recv(self, arr, src, tag):
        source = self.MPI.ANY_SOURCE if src is None else src
        return _Received(self.comm.Irecv(arr, source=source, tag=tag), self.MPI.Status())

    def barrier(self):
        return self.comm.Ibarrier()

    def all_gather_object(self, obj):
        return self.comm.allgather(obj)

    def broadcast_object(self, obj, src):
        return self.comm.bcast(obj, root=src)

    def gather_object(self, obj, dst):
        return self.comm.gather(obj, root=dst)

    def scatter_object(self, objs, src):
        return self.comm.scatter(objs, root=src)

    def close(self):
        self.comm.Free()


class _Received:
    """An ``Irecv`` request that remembers who sent the message (for ``recv(src=None)``)."""

    def __init__(self, request, status):
        self.request = request
        self.status = status
        self.source = None

    def Wait(self):  # noqa: N802
        self.request.Wait(self.status)
        self.source = self.status.Get_source()

    def Test(self):  # noqa: N802
        done = self.request.Test(self.status)
        if done:
            self.source = self.status.Get_source()
        return done
