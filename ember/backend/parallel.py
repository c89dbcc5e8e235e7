"""Block-parallel loops for large elementwise and row-wise kernels on NumPy arrays.

NumPy runs each ufunc on one thread and streams every intermediate of a composite (erf, GELU, layer norm)
through RAM.  ``for_blocks(kernel, n, block)`` calls ``kernel(lo, hi)`` on consecutive ranges of at most
``block`` items covering ``range(n)``: a kernel written with ``out=`` ufuncs on cache-sized blocks keeps its
intermediates in L2, and above ``min_parallel`` items the ranges are split between the calling thread and a
lazily created pool (NumPy releases the GIL inside ufuncs, so the threads really run at once).

The calling thread always works too, so the pool holds ``threads - 1`` workers.  Blocks are handed out on
demand: a worker the OS has not scheduled yet (a loaded machine) delays nothing, the caller takes its blocks.
A kernel called from a pool worker (nested use) runs serially instead of waiting on itself.

Measured on the 2-core benchmark machine under load (``benchmarks/README.md``): for a 20-pass float32 erf
pipeline, blocks of 64K elements beat 16K (by 15%), 32K (5%) and 256K (15%), and beat whole-array passes by
about 3x; fresh multi-megabyte temporaries also cost page faults (3-4 ms per 37 MB).  Two threads gave
1.2-1.4x on 4M-element GELU and layer norm when the second core was free at all; below ``MIN_PARALLEL``
the submit and wake-up (tens of microseconds) is not worth it.  ``copysign`` and masked ``where=`` ufuncs have
no SIMD loop in NumPy 2.x (10-50x a multiply): block kernels avoid them.
"""
from __future__ import annotations

import os
import threading

__all__ = ["for_blocks", "num_threads", "set_num_threads", "BLOCK", "MIN_PARALLEL"]

BLOCK = 1 << 16          # elements per block of an elementwise pipeline (256 KiB of float32)
MIN_PARALLEL = 1 << 17   # below this many elements one thread is faster than two


def _default_threads():
    try:
        n = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        n = os.cpu_count() or 1
    env = os.environ.get("OMP_NUM_THREADS", "")
    if env.isdigit() and int(env) > 0:
        n = min(n, int(env))
    return max(1, n)


_threads = _default_threads()
_pool = None
_pool_lock = threading.Lock()
_local = threading.local()


def num_threads() -> int:
    """Threads that ``for_blocks`` uses (the CPU affinity, capped by ``OMP_NUM_THREADS``)."""
    return _threads


def set_num_threads(n: int) -> None:
    """Use ``n`` threads from the next call on (1 turns the pool off)."""
    global _threads, _pool
    n = int(n)
    if n < 1:
        raise ValueError(f"Expected a positive number of threads, got {n}")
    with _pool_lock:
        if _pool is not None and n != _threads:
            _pool.shutdown(wait=True)
            _pool = None
        _threads = n


def _get_pool():
    global _pool
    if _pool is None:
        with _pool_lock:
            if _pool is None:
                from concurrent.futures import ThreadPoolExecutor
                _pool = ThreadPoolExecutor(max_workers=_threads - 1, thread_name_prefix="ember-block",
                                           initializer=_mark_worker)
    return _pool


def _mark_worker():
    _local.worker = True


def _after_fork():
    """A forked child (a DataLoader worker) has none of the parent's threads: start a fresh pool on demand."""
    global _pool, _pool_lock
    _pool, _pool_lock = None, threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)


def _serial(kernel, n, block):
    for lo in range(0, n, block):
        kernel(lo, min(lo + block, n))


class _Job:
    """Blocks handed out one at a time to whichever thread asks next, so a worker that the OS has not scheduled
    (a loaded machine) costs nothing: the caller takes its blocks.  The caller waits only for blocks already
    running elsewhere."""

    __slots__ = ("kernel", "n", "block", "next", "busy", "error", "lock", "idle")

    def __init__(self, kernel, n, block):
        self.kernel, self.n, self.block = kernel, n, block
        self.next = self.busy = 0
        self.error = None
        self.lock = threading.Lock()
        self.idle = threading.Condition(self.lock)

    def run(self):
        kernel, n, block, lock = self.kernel, self.n, self.block, self.lock
        while True:
            with lock:
                lo = self.next
                if lo >= n or self.error is not None:
                    return
                self.next = lo + block
                self.busy += 1
            try:
                kernel(lo, min(lo + block, n))
            except BaseException as e:  # noqa: BLE001 -- re-raised in the calling thread
                with lock:
                    if self.error is None:
                        self.error = e
            finally:
                with lock:
                    self.busy -= 1
                    if not self.busy:
                        self.idle.notify_all()

    def wait(self):
        with self.lock:
            while self.busy:
                self.idle.wait()
        if self.error is not None:
            raise self.error


def for_blocks(kernel, n, block=BLOCK, min_parallel=MIN_PARALLEL, cost=1):
    """Call ``kernel(lo, hi)`` for consecutive ranges of at most ``block`` items covering ``range(n)``.

    ``cost`` is the work per item in elements (e.g. the row length when the items are rows): the ranges run on
    ``num_threads()`` threads when ``n * cost >= min_parallel``.  Each range is written by exactly one thread,
    in no fixed order; a kernel that accumulates keeps one slot per range (index ``lo // block``) and the
    caller combines them afterwards, so results do not depend on the scheduling.
    """
    if _threads == 1 or n <= block or n * cost < min_parallel or getattr(_local, "worker", False):
        _serial(kernel, n, block)
        return
    job = _Job(kernel, n, block)
    pool = _get_pool()
    for _ in range(min(_threads, -(-n // block)) - 1):
        pool.submit(job.run)
    job.run()
    job.wait()
