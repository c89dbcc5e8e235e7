"""Collectives on ember tensors, with torch.distributed's signatures.

Each call stages its tensors as contiguous NumPy arrays that MPI can carry (bfloat16 is upcast to float32 for
reductions and carried as raw 16-bit words otherwise; GPU tensors go through the host), starts the backend's
nonblocking operation, and either waits (the default) or returns a ``Work`` whose ``wait()`` finishes it and
writes the results back.
"""
from __future__ import annotations

import numpy as np

from ._backend import ReduceOp
from ._init import _default_group
from ._work import Work

# ----------------------------------------------------------------------------------------------------------
# staging: tensor <-> an array MPI can use
# ----------------------------------------------------------------------------------------------------------


class _Staged:
    """A contiguous NumPy array standing for tensor ``t`` during a transfer; ``commit()`` writes it back."""
    __slots__ = ("tensor", "buf", "_direct", "_upcast")

    def __init__(self, t, reduce=False, fill=True):
        arr = t._data
        on_host = type(arr) is np.ndarray
        host = arr if on_host else _backend_of(arr).to_host(arr)
        self.tensor = t
        self._upcast = False
        direct = on_host
        buf = host
        if host.dtype.kind == "V":           # bfloat16 (ml_dtypes): MPI has no such type
            if reduce:
                buf = host.astype(np.float32)
                self._upcast, direct = True, False
            else:
                buf = host.view(np.dtype(f"u{host.dtype.itemsize}"))   # the same memory, as raw words
        if not buf.flags.c_contiguous:
            buf = np.ascontiguousarray(buf) if fill else np.empty(buf.shape, buf.dtype)
            direct = False
        self._direct = direct
        self.buf = buf

    def commit(self):
        if self._direct:
            self.tensor._bump_version()
            return
        arr = self.tensor._data
        value = self.buf.astype(arr.dtype) if self._upcast else self.buf.view(arr.dtype)
        if type(arr) is np.ndarray:
            arr[...] = value.reshape(arr.shape)
        else:
            backend = _backend_of(arr)
            arr[...] = backend.from_host(value.reshape(arr.shape), backend.device_of(arr))
        self.tensor._bump_version()


def _backend_of(arr):
    from ..backend import backend_of  # noqa: PLC0415
    return backend_of(arr)


def _check_like(tensors, like):
    for t in tensors:
        if tuple(t.shape) != tuple(like.shape) or t.dtype is not like.dtype:
            raise ValueError(f"tensors in the list must match the input's shape {list(like.shape)} and dtype "
                             f"{like.dtype}; got {list(t.shape)} and {t.dtype}")


def _stack(tensors, like):
    """One contiguous (n, *shape) array holding a list of tensors (all of ``like``'s shape and dtype)."""
    _check_like(tensors, like)
    return np.stack([_Staged(t).buf for t in tensors])


def _unstack(stacked, tensors):
    """Copy the rows of ``stacked`` (a staging layout) into ``tensors``."""
    for row, t in zip(stacked, tensors):
        s = _Staged(t, fill=False)
        s.buf[...] = row
        s.commit()


def _finish(request, async_op, finish=None, result=None):
    work = Work(request, finish, result)
    if async_op:
        return work
    work.wait()
    return None


def _check_rank(pg, r, what):
    if r is None:
        raise ValueError(f"{what} rank must be given")
    if not 0 <= r < pg.size():
        raise ValueError(f"Invalid {what} rank {r}: expected a rank in [0, {pg.size() - 1}] for a world of "
                         f"{pg.size()}")
    return r


def _check_list(tensors, pg, what):
    if tensors is None or len(tensors) != pg.size():
        n = "None" if tensors is None else len(tensors)
        raise ValueError(f"{what} must hold one tensor per rank ({pg.size()}), got {n}")


def _check_reduce(t, op):
    if not isinstance(op, ReduceOp):
        raise TypeError(f"op must be a ember.distributed.ReduceOp, got {op!r}")
    kind = t._data.dtype.kind
    if op is ReduceOp.AVG and kind not in "fcV":
        raise ValueError(f"ReduceOp.AVG needs a floating-point or complex tensor, got {t.dtype}; reduce with "
                         "ReduceOp.SUM and divide")
    if op in (ReduceOp.MAX, ReduceOp.MIN) and kind == "c":
        raise ValueError(f"ReduceOp.{op.name} is not defined for complex tensors ({t.dtype})")
    if op in (ReduceOp.BAND, ReduceOp.BOR, ReduceOp.BXOR) and kind not in "biu":
        raise ValueError(f"ReduceOp.{op.name} needs an integer or bool tensor, got {t.dtype}")


def _reduced(staged, op, size):
    """The finishing step of a reduction: divide for AVG, write back."""
    def finish():
        if op is ReduceOp.AVG:
            staged.buf /= size
        staged.commit()
    return finish


# ----------------------------------------------------------------------------------------------------------
# collectives
# ----------------------------------------------------------------------------------------------------------

def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op=False):
    """Every rank's ``tensor`` becomes the reduction (``op``) of all ranks' tensors, in place."""
    pg = _default_group(group)
    _check_reduce(tensor, op)
    s = _Staged(tensor, reduce=True)
    return _finish(pg._backend.all_reduce(s.buf, op), async_op, _reduced(s, op, pg.size()), [tensor])


def reduce(tensor, dst=None, op=ReduceOp.SUM, group=None, async_op=False, group_dst=None):
    """Rank ``dst``'s ``tensor`` becomes the reduction of all ranks' tensors; the others' are unchanged."""
    pg = _default_group(group)
    dst = _check_rank(pg, dst if dst is not None else group_dst, "destination")
    _check_reduce(tensor, op)
    s = _Staged(tensor, reduce=True)
    request = pg._backend.reduce(s.buf, op, dst)
    finish = _reduced(s, op, pg.size()) if pg.rank() == dst else None
    return _finish(request, async_op, finish, [tensor])


def broadcast(tensor, src=None, group=None, async_op=False, group_src=None):
    """Every rank's ``tensor`` becomes rank ``src``'s."""
    pg = _default_group(group)
    src = _check_rank(pg, src if src is not None else group_src, "source")
    s = _Staged(tensor)
    return _finish(pg._backend.broadcast(s.buf, src), async_op, s.commit, [tensor])


def all_gather(tensor_list, tensor, group=None, async_op=False):
    """``tensor_list[r]`` becomes rank r's ``tensor``, on every rank."""
    pg = _default_group(group)
    _check_list(tensor_list, pg, "tensor_list")
    send = _Staged(tensor).buf
    recv = np.empty((pg.size(),) + send.shape, send.dtype)        # (world, *shape)
    _check_like(tensor_list, tensor)
    request = pg._backend.all_gather(send, recv)
    return _finish(request, async_op, lambda: _unstack(recv, tensor_list), tensor_list)


def all_gather_into_tensor(output_tensor, input_tensor, group=None, async_op=False):
    """``output_tensor`` (world * n, ...) or (world, n, ...) becomes all ranks' inputs, concatenated."""
    pg = _default_group(group)
    if output_tensor.numel() != input_tensor.numel() * pg.size() or output_tensor.dtype is not input_tensor.dtype:
        raise ValueError(f"output tensor must have world_size ({pg.size()}) times the input's elements and its "
                         f"dtype; got {list(output_tensor.shape)} {output_tensor.dtype} for input "
                         f"{list(input_tensor.shape)} {input_tensor.dtype}")
    send = _Staged(input_tensor).buf
    out = _Staged(output_tensor, fill=False)
    request = pg._backend.all_gather(send, out.buf.reshape((pg.size(),) + send.shape))
    return _finish(request, async_op, out.commit, [output_tensor])


def reduce_scatter(output, input_list, op=ReduceOp.SUM, group=None, async_op=False):
    """``output`` on rank r becomes the reduction over ranks of their ``input_list[r]``."""
    pg = _default_group(group)
    _check_list(input_list, pg, "input_list")
    _check_reduce(output, op)
    send = np.stack([_Staged(t, reduce=True).buf for t in input_list])   # (world, *shape)
    out = _Staged(output, reduce=True, fill=False)
    if send.shape[1:] != out.buf.shape or send.dtype != out.buf.dtype:
        raise ValueError("input_list tensors must match the output's shape and dtype")
    request = pg._backend.reduce_scatter(send, out.buf, op)
    return _finish(request, async_op, _reduced(out, op, pg.size()), [output])


def gather(tensor, gather_list=None, dst=None, group=None, async_op=False, group_dst=None):
    """On rank ``dst``, ``gather_list[r]`` becomes rank r's ``tensor``."""
    pg = _default_group(group)
    dst = _check_rank(pg, dst if dst is not None else (group_dst if group_dst is not None else 0), "destination")
    send = _Staged(tensor).buf
    recv = None
    if pg.rank() == dst:
        _check_list(gather_list, pg, "gather_list")
        _check_like(gather_list, tensor)
        recv = np.empty((pg.size(),) + send.shape, send.dtype)    # (world, *shape)
    elif gather_list:
        raise ValueError("Argument ``gather_list`` must NOT be specified on non-destination ranks.")
    request = pg._backend.gather(send, recv, dst)
    finish = (lambda: _unstack(recv, gather_list)) if recv is not None else None
    return _finish(request, async_op, finish, gather_list or [])


def scatter(tensor, scatter_list=None, src=None, group=None, async_op=False, group_src=None):
    """``tensor`` on rank r becomes rank ``src``'s ``scatter_list[r]``."""
    pg = _default_group(group)
    src = _check_rank(pg, src if src is not None else (group_src if group_src is not None else 0), "source")
    out = _Staged(tensor, fill=False)
    send = None
    if pg.rank() == src:
        _check_list(scatter_list, pg, "scatter_list")
        send = _stack(scatter_list, tensor)
    elif scatter_list:
        raise ValueError("Argument ``scatter_list`` must NOT be specified on non-source ranks.")
    request = pg._backend.scatter(send, out.buf, src)
    return _finish(request, async_op, out.commit, [tensor])


def barrier(group=None, async_op=False, device_ids=None, timeout=None):
    """Wait until every rank has reached this call."""
    pg = _default_group(group)
    return _finish(pg._backend.barrier(), async_op)


# ----------------------------------------------------------------------------------------------------------
# point to point
# ----------------------------------------------------------------------------------------------------------

def isend(tensor, dst=None, group=None, tag=0, group_dst=None):
    """Start sending ``tensor`` to rank ``dst``; the tensor must not change until ``wait()``."""
    pg = _default_group(group)
    dst = _check_rank(pg, dst if dst is not None else group_dst, "destination")
    buf = _Staged(tensor).buf
    return Work(pg._backend.send(buf, dst, tag), result=[tensor])


def irecv(tensor, src=None, group=None, tag=0, group_src=None):
    """Start receiving into ``tensor`` from rank ``src`` (any rank when ``None``)."""
    pg = _default_group(group)
    src = src if src is not None else group_src
    if src is not None:
        _check_rank(pg, src, "source")
    s = _Staged(tensor, fill=False)
    request = pg._backend.recv(s.buf, src, tag)
    work = Work(request, s.commit, [tensor])
    work._source = request
    return work


def send(tensor, dst=None, group=None, tag=0, group_dst=None):
    isend(tensor, dst, group, tag, group_dst).wait()


def recv(tensor, src=None, group=None, tag=0, group_src=None) -> int:
    """Receive into ``tensor``; returns the sender's rank."""
    work = irecv(tensor, src, group, tag, group_src)
    work.wait()
    return work._source.source


# ----------------------------------------------------------------------------------------------------------
# Python objects (pickled)
# ----------------------------------------------------------------------------------------------------------

def all_gather_object(object_list, obj, group=None):
    """``object_list[r]`` becomes rank r's ``obj`` (pickled: only send data you trust)."""
    pg = _default_group(group)
    if len(object_list) != pg.size():
        raise ValueError(f"object_list must have world_size ({pg.size()}) entries, got {len(object_list)}")
    object_list[:] = pg._backend.all_gather_object(obj)


def broadcast_object_list(object_list, src=None, group=None, device=None, group_src=None):
    """Every rank's ``object_list`` becomes rank ``src``'s, element for element (same length on all ranks)."""
    pg = _default_group(group)
    src = _check_rank(pg, src if src is not None else (group_src if group_src is not None else 0), "source")
    received = pg._backend.broadcast_object(list(object_list) if pg.rank() == src else None, src)
    if pg.rank() != src:
        if len(received) != len(object_list):
            raise ValueError(f"broadcast_object_list: rank {src} sent {len(received)} objects, this rank's list "
                             f"has {len(object_list)} slots")
        object_list[:] = received


def gather_object(obj, object_gather_list=None, dst=None, group=None, group_dst=None):
    """On rank ``dst``, ``object_gather_list[r]`` becomes rank r's ``obj``."""
    pg = _default_group(group)
    dst = _check_rank(pg, dst if dst is not None else (group_dst if group_dst is not None else 0), "destination")
    if pg.rank() == dst and (object_gather_list is None or len(object_gather_list) != pg.size()):
        raise ValueError(f"object_gather_list must have world_size ({pg.size()}) entries on the destination rank")
    gathered = pg._backend.gather_object(obj, dst)
    if pg.rank() == dst:
        object_gather_list[:] = gathered


def scatter_object_list(scatter_object_output_list, scatter_object_input_list=None, src=None, group=None,
                        group_src=None):
    """``scatter_object_output_list[0]`` on rank r becomes rank ``src``'s ``scatter_object_input_list[r]``."""
    pg = _default_group(group)
    src = _check_rank(pg, src if src is not None else (group_src if group_src is not None else 0), "source")
    if not isinstance(scatter_object_output_list, list) or len(scatter_object_output_list) < 1:
        raise ValueError("Expected argument scatter_object_output_list to be a list of size at least 1.")
    objs = None
    if pg.rank() == src:
        if scatter_object_input_list is None or len(scatter_object_input_list) != pg.size():
            raise ValueError(f"scatter_object_input_list must have world_size ({pg.size()}) entries on the source")
        objs = list(scatter_object_input_list)
    scatter_object_output_list[0] = pg._backend.scatter_object(objs, src)
