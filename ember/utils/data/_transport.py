"""Moving a worker's batches to the main process without copying their arrays in user space.

A batch is pickled with protocol 5; ember Tensors reduce to their NumPy arrays, whose buffers then go out
of band.  On the channel (one per worker, written only by that worker) a message is:

1. a frame with one signed size per buffer (negative: the buffer travels as shared memory);
2. a frame with the pickle;
3. each buffer in turn: its raw bytes, or, for one of at least ``SHARE_MIN`` bytes on Linux, a memfd
   passed over the socket (SCM_RIGHTS) that the main process maps.  The memory has no name, so nothing
   can leak: it is freed with the last array that uses it, and a message never read is freed with the
   socket.

Frames use ``Connection``'s framing; raw bytes and descriptors go straight to the file descriptor, since
``Connection.recv_bytes_into`` would read into a temporary and copy twice.
"""
from __future__ import annotations

import array
import io
import mmap
import multiprocessing.connection
import os
import pickle
import socket
import struct
import sys

import numpy as np

from ...tensor import Tensor

# Buffers of at least 4 MiB go through shared memory where the platform allows it.  Measured (Linux 2-core,
# CPU time per message): below that the socket costs less in total; above it the main process, which runs the
# training step, spends a third to a half less.  Collating straight into shared memory was tried and cost the
# workers more than it saved: faulting in shared pages from user space is dearer than write() filling them.
SHARE_MIN = 1 << 22
_CAN_SHARE = sys.platform.startswith("linux") and hasattr(os, "memfd_create") and hasattr(socket, "AF_UNIX")
_Connection = getattr(multiprocessing.connection, "Connection", None)  # absent on Windows


def channel(context):
    """``(main_end, worker_end)``: a socket pair where descriptors can travel (Linux), else a pipe."""
    main_end, worker_end = context.Pipe(duplex=_CAN_SHARE)  # duplex is a socketpair on POSIX
    if not _CAN_SHARE:
        _widen_pipe(main_end)
    return main_end, worker_end


def _widen_pipe(conn):
    """Ask for a 1 MiB pipe buffer (Linux gives 64 KiB): large batches cross in fewer wake-ups."""
    try:
        import fcntl  # noqa: PLC0415
        fcntl.fcntl(conn.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)
    except (ImportError, OSError, ValueError, AttributeError):
        pass


# ----------------------------------------------------------------------------------------------------------
# pickling
# ----------------------------------------------------------------------------------------------------------

def _rebuild_tensor(array_, requires_grad):
    import ember  # noqa: PLC0415
    t = ember.as_tensor(array_)  # shares the received buffer
    if requires_grad:
        t.requires_grad_(True)
    return t


class _Pickler(pickle.Pickler):
    """Sends an ember Tensor as its array, so the array's buffer goes out of band.

    ``Tensor``'s own pickling copies the array on arrival; subclasses (``Parameter``) still use it.
    """

    def __init__(self, stream, buffers):
        super().__init__(stream, protocol=5, buffer_callback=buffers.append)

    def reducer_override(self, obj):
        if type(obj) is Tensor:
            data = obj._data
            if type(data) is not np.ndarray and hasattr(data, "get"):  # a CuPy array: ship host memory
                data = data.get()
            return _rebuild_tensor, (np.ascontiguousarray(data), bool(obj.requires_grad))
        return NotImplemented


def _dumps(obj):
    buffers = []
    stream = io.BytesIO()
    _Pickler(stream, buffers).dump(obj)
    return stream.getbuffer(), [b.raw() for b in buffers]


# ----------------------------------------------------------------------------------------------------------
# the two ends
# ----------------------------------------------------------------------------------------------------------

class _End:
    def __init__(self, conn):
        self.conn = conn
        self.fd = conn.fileno() if type(conn) is _Connection else None  # None: framed sends only
        self.sock = None
        if _CAN_SHARE and self.fd is not None:
            sock = socket.socket(fileno=os.dup(self.fd))
            if sock.family == socket.AF_UNIX:
                self.sock = sock
            else:
                sock.close()

    def close(self):
        if self.sock is not None:
            self.sock.close()
        self.conn.close()


class Sender(_End):
    """The worker's end."""

    def send(self, obj):
        header, buffers = _dumps(obj)
        shared = [self.sock is not None and b.nbytes >= SHARE_MIN for b in buffers]
        sizes = [-b.nbytes if s else b.nbytes for b, s in zip(buffers, shared)]
        self.conn.send_bytes(struct.pack(f"<{len(sizes)}q", *sizes))
        self.conn.send_bytes(header)
        for b, s in zip(buffers, shared):
            if s:
                self._send_shared(b)
            elif self.fd is not None:
                _write_all(self.fd, b)
            else:
                self.conn.send_bytes(b)

    def _send_shared(self, buf):
        fd = os.memfd_create("ember-batch", os.MFD_CLOEXEC)
        try:
            _write_all(fd, buf)
            self.sock.sendmsg([b"F"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [fd]))])
        finally:
            os.close(fd)


class Receiver(_End):
    """The main process's end."""

    def recv(self):
        """The next object; EOFError when the worker died before sending all of it."""
        sizes = self.conn.recv_bytes()
        header = self.conn.recv_bytes()
        buffers = []
        for (size,) in struct.iter_unpack("<q", sizes):
            if size < 0:
                buffers.append(self._recv_shared(-size))
                continue
            buf = bytearray(size)
            if self.fd is not None:
                _read_into(self.fd, memoryview(buf))
            elif size:
                self.conn.recv_bytes_into(buf)
            else:
                self.conn.recv_bytes()
            buffers.append(buf)
        return pickle.loads(header, buffers=buffers)

    def _recv_shared(self, size):
        space = socket.CMSG_SPACE(array.array("i").itemsize)
        msg, ancillary, _flags, _addr = self.sock.recvmsg(1, space)
        if not msg:
            raise EOFError
        fds = array.array("i")
        for level, kind, data in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.frombytes(data[:len(data) - len(data) % fds.itemsize])
        if len(fds) != 1:
            for fd in fds:
                os.close(fd)
            raise EOFError("expected one shared-memory descriptor from the worker")
        try:
            return mmap.mmap(fds[0], size)  # the arrays keep the mapping alive; the descriptor can go
        finally:
            os.close(fds[0])


def _write_all(fd, buf):
    view = memoryview(buf)
    while len(view):
        view = view[os.write(fd, view):]


def _read_into(fd, view):
    while len(view):
        n = os.readv(fd, [view])
        if n == 0:
            raise EOFError
        view = view[n:]
