"""DataLoader: batches from a dataset, in the main process or in worker processes.

The main process owns the sampler and decides which batch goes where: batch ``i`` is sent to the next
worker round robin, at most ``prefetch_factor`` batches per worker ahead of what the loop has consumed,
and batches are handed out in index order (``in_order=True``) or as they arrive.  Workers only fetch and
collate.  The main process waits on the result pipes and the worker processes' sentinels together, so a
worker that dies is noticed at once rather than after a polling interval.
"""
from __future__ import annotations

import itertools
import math
import os
import pickle
import signal
import time
import warnings
from typing import Generic, TypeVar

from ._utils import worker as _worker
from ._utils.collate import default_collate, default_convert
from .dataset import IterableDataset
from .sampler import BatchSampler, RandomSampler, SequentialSampler, _InfiniteConstantSampler

get_worker_info = _worker.get_worker_info  # torch.utils.data.dataloader.get_worker_info, as older code imports it

__all__ = ["DataLoader"]

# How long shutdown waits for workers to leave on their own before terminating them, in seconds.
_SHUTDOWN_WAIT = 5.0

# The workers (processes, queues, pipes) of every live multi-process iterator.  An iterator caught in a
# reference cycle (a kept traceback holds its frames) is freed by the garbage collector, which runs the
# weakref finalizers of everything in the cycle before any __del__: the task queues' feeder threads and
# the processes' sentinels would be closed before the iterator could stop its workers.  Held from here,
# they stay out of the cycle and intact until shutdown.
_live_workers: dict = {}


def _ember():
    import ember  # noqa: PLC0415
    return ember


def _mp():
    # multiprocessing (and the transport's sockets) load only when workers are asked for: import ember stays fast.
    import multiprocessing  # noqa: PLC0415
    import multiprocessing.connection  # noqa: PLC0415
    return multiprocessing


def _default_context():
    # fork is torch's default on Linux and works with NumPy; it also spares pickling the dataset.
    multiprocessing = _mp()
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


T_co = TypeVar("T_co", covariant=True)


class DataLoader(Generic[T_co]):
    """Iterates over ``dataset`` in batches, optionally shuffled, optionally with worker processes.

    Map-style datasets are read at the keys of ``sampler`` (``SequentialSampler`` or, with ``shuffle``,
    ``RandomSampler``) grouped by ``BatchSampler(sampler, batch_size, drop_last)`` unless a
    ``batch_sampler`` is given; ``batch_size=None`` turns batching off.  ``collate_fn`` defaults to
    ``default_collate`` (batching on) or ``default_convert`` (off).  ``pin_memory`` is accepted and does
    nothing on the CPU.

    >>> loader = DataLoader(list(range(5)), batch_size=2)
    >>> [b.tolist() for b in loader], len(loader)
    ([[0, 1], [2, 3], [4]], 3)
    """

    _initialized = False
    _guarded = ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset", "persistent_workers")

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None, num_workers=0,
                 collate_fn=None, pin_memory=False, drop_last=False, timeout=0, worker_init_fn=None,
                 multiprocessing_context=None, generator=None, *, prefetch_factor=None,
                 persistent_workers=False, pin_memory_device="", in_order=True):
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable "
                             "multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing.let "
                             "num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to None.")
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")

        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order

        # Dataset kind first, so users of an IterableDataset hear that samplers do not apply to it before
        # anything about how their sampler is configured.
        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable:
            if shuffle not in (False, None):
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified shuffle option, but "
                                 f"got shuffle={shuffle}")
            if sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified sampler option, but "
                                 f"got sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified batch_sampler option, "
                                 f"but got batch_sampler={batch_sampler}")
        else:
            shuffle = bool(shuffle)

        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, "
                                 "and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive with "
                             "drop_last")

        if sampler is None:
            if self._iterable:
                sampler = _InfiniteConstantSampler()  # an IterableDataset needs no keys, only a batch size
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self._iterator = None
        self._len_reported = None  # what len(loader) said of an IterableDataset, to warn on overrun
        self._initialized = True
        self.check_worker_number_rationality()

    # -- configuration ---------------------------------------------------------------------------------

    @property
    def multiprocessing_context(self):
        return self._mp_context

    @multiprocessing_context.setter
    def multiprocessing_context(self, context):
        if context is not None:
            multiprocessing = _mp()
            if self.num_workers == 0:
                raise ValueError(f"multiprocessing_context can only be used with multi-process loading "
                                 f"(num_workers > 0), but got num_workers={self.num_workers}")
            if isinstance(context, str):
                methods = multiprocessing.get_all_start_methods()
                if context not in methods:
                    raise ValueError(f"multiprocessing_context option should specify a valid start method in "
                                     f"{methods!r}, but got multiprocessing_context={context!r}")
                context = multiprocessing.get_context(context)
            if not isinstance(context, multiprocessing.context.BaseContext):
                raise TypeError(f"multiprocessing_context option should be a valid context object or a string "
                                f"specifying the start method, but got multiprocessing_context={context}")
        self._mp_context = context

    def __setattr__(self, name, value):
        if self._initialized and name in self._guarded:
            raise ValueError(f"{name} attribute should not be set after {type(self).__name__} is initialized")
        super().__setattr__(name, value)

    @property
    def _auto_collation(self):
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        """What the loader iterates for keys: the batch sampler when batching, else the sampler."""
        return self.batch_sampler if self._auto_collation else self.sampler

    def check_worker_number_rationality(self):
        """Warn when asking for more workers than this process may run on CPUs."""
        if not self.num_workers:
            return
        cpuset = hasattr(os, "sched_getaffinity")
        available = len(os.sched_getaffinity(0)) if cpuset else os.cpu_count()
        if available is not None and self.num_workers <= available:
            return
        if available is None:
            suggestion = "DataLoader is not able to compute a suggested max number of worker in current system."
        else:
            suggestion = (f"Our suggested max number of worker in current system is {available}"
                          f"{'' if cpuset else ' (`cpuset` is not taken into account)'}, which is smaller than "
                          "what this DataLoader is going to create.")
        warnings.warn(f"This DataLoader will create {self.num_workers} worker processes in total. {suggestion} "
                      "Please be aware that excessive worker creation might get DataLoader running slow or even "
                      "freeze, lower the worker number to avoid potential slowness/freeze if necessary.",
                      stacklevel=2)

    # -- iteration -------------------------------------------------------------------------------------

    def __iter__(self):
        if self.persistent_workers and self.num_workers > 0:
            if self._iterator is None or self._iterator._shutdown:  # none yet, or a worker died
                self._iterator = self._get_iterator()
            else:
                self._iterator._reset(self)
            return self._iterator
        return self._get_iterator()

    def _get_iterator(self):
        if self.num_workers == 0:
            return _SingleProcessDataLoaderIter(self)
        self.check_worker_number_rationality()
        return _MultiProcessingDataLoaderIter(self)

    def __len__(self):
        if self._iterable:
            # Trust the dataset's __len__ (it raises if there is none) and warn later if iteration overruns.
            n = self._len_reported = len(self.dataset)
            if self.batch_size is not None:
                n = n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)
            return n
        return len(self._index_sampler)


# ----------------------------------------------------------------------------------------------------------
# iterators
# ----------------------------------------------------------------------------------------------------------

class _BaseDataLoaderIter:
    def __init__(self, loader):
        self._dataset = loader.dataset
        self._iterable = loader._iterable
        self._auto_collation = loader._auto_collation
        self._drop_last = loader.drop_last
        self._index_sampler = loader._index_sampler
        self._num_workers = loader.num_workers
        self._timeout = loader.timeout
        self._collate_fn = loader.collate_fn
        self._persistent_workers = loader.persistent_workers
        if loader.pin_memory:
            _warn_pin_memory(loader.pin_memory_device)
        ember = _ember()
        # Drawn even without workers, as torch does, so that seeding reproduces the same random stream.
        self._base_seed = int(ember.empty((), dtype=ember.int64).random_(generator=loader.generator).item())
        self._sampler_iter = iter(self._index_sampler)
        self._num_yielded = 0
        self._len_reported = loader._len_reported

    def __iter__(self):
        return self

    def _reset(self, loader):
        self._sampler_iter = iter(self._index_sampler)
        self._num_yielded = 0
        self._len_reported = loader._len_reported

    def _next_index(self):
        return next(self._sampler_iter)  # StopIteration ends the epoch

    def __next__(self):
        data = self._next_data()
        self._num_yielded += 1
        if self._iterable and self._len_reported is not None and self._num_yielded > self._len_reported:
            msg = (f"Length of IterableDataset {self._dataset} was reported to be {self._len_reported}(when "
                   f"accessing len(dataloader)), but {self._num_yielded} samples have been fetched. ")
            if self._num_workers > 0:
                msg += ("For multiprocessing data-loading, this could be caused by not properly configuring the "
                        "IterableDataset replica at each worker. Please see "
                        "https://pytorch.org/docs/stable/data.html#torch.utils.data.IterableDataset for examples.")
            warnings.warn(msg, stacklevel=2)
        return data

    def __len__(self):
        return len(self._index_sampler)

    def __getstate__(self):
        # Two arguments, as torch raises it: str(error) shows the unformatted template and the name.
        raise NotImplementedError("{} cannot be pickled", type(self).__name__)


def _warn_pin_memory(device):
    if device:
        warnings.warn(f"pin_memory_device is deprecated, the current accelerator will be used as the device,"
                      f"ignore pin_memory_device='{device}'.", stacklevel=3)
    cuda = getattr(_ember(), "cuda", None)
    has_accelerator = bool(cuda is not None and getattr(cuda, "is_available", lambda: False)())
    if not has_accelerator:
        warnings.warn("'pin_memory' argument is set as true but no accelerator is found, then device pinned "
                      "memory won't be used.", stacklevel=3)


class _SingleProcessDataLoaderIter(_BaseDataLoaderIter):
    def __init__(self, loader):
        super().__init__(loader)
        if self._timeout != 0:
            raise AssertionError("_SingleProcessDataLoaderIter requires timeout == 0")
        self._fetcher = _worker.make_fetcher(self._iterable, self._dataset, self._auto_collation,
                                             self._collate_fn, self._drop_last)

    def _next_data(self):
        return self._fetcher.fetch(self._next_index())  # either may raise StopIteration


class _Worker:
    """The main process's handle on one worker: its process, task queue and results channel."""

    __slots__ = ("id", "process", "tasks", "results", "active", "stopping", "queued")

    def __init__(self, worker_id, process, tasks, results):
        self.id, self.process, self.tasks, self.results = worker_id, process, tasks, results
        self.active = True     # may be given tasks (False once its IterableDataset copy is exhausted)
        self.stopping = False  # has been sent None, so its exit is expected
        self.queued = 0        # tasks sent and not yet handed to the user (for in_order=False balancing)

    def stop(self):
        if not self.stopping:
            self.stopping = True
            self.tasks.put(None)


class _MultiProcessingDataLoaderIter(_BaseDataLoaderIter):
    _shutdown = True  # until workers exist, so a failed __init__ leaves __del__ nothing to do
    _workers = ()

    def __init__(self, loader):
        super().__init__(loader)
        self._prefetch_factor = loader.prefetch_factor
        self._in_order = loader.in_order
        if self._prefetch_factor <= 0:
            raise AssertionError("prefetch_factor must be greater than 0 for MultiProcessingDataLoaderIter")
        context = loader.multiprocessing_context or _default_context()
        self._shutdown = False
        self._workers = []
        self._done = context.Event()
        self._token = object()
        _live_workers[self._token] = (self._workers, self._done)
        try:
            for worker_id in range(self._num_workers):
                self._workers.append(self._start_worker(context, loader, worker_id))
        except BaseException:
            self._shutdown_workers()
            raise
        self._reset(loader, first=True)

    def _start_worker(self, context, loader, worker_id):
        tasks = context.Queue()
        tasks.cancel_join_thread()  # never block interpreter exit on tasks a dead worker will not read
        from . import _transport  # noqa: PLC0415
        # One channel per worker, created just before its fork and its worker end closed here right after, so
        # only this worker holds that end: its death is then an EOF here, even mid-message.
        results, results_in_worker = _transport.channel(context)
        process = context.Process(
            target=_worker.worker_loop, daemon=True,
            args=(self._iterable, self._dataset, tasks, results_in_worker, self._done, self._auto_collation,
                  self._collate_fn, self._drop_last, self._base_seed, loader.worker_init_fn, worker_id,
                  self._num_workers))
        try:
            process.start()
        except (TypeError, AttributeError, pickle.PicklingError):
            # spawn / forkserver pickle the dataset, collate_fn and worker_init_fn (lambdas, local classes fail)
            warnings.warn("Got pickle error when attempting to start a worker Process. This might be because the "
                          "worker Process arguments are not picklable. Python 3.14+ changed the multiprocessing "
                          "start method in non-Mac POSIX platforms to 'forkserver', which requires the worker "
                          "Process arguments to be picklable. You can also try multiprocessing.set_start_method("
                          "'fork').", stacklevel=2)
            raise
        finally:
            results_in_worker.close()
        return _Worker(worker_id, process, tasks, _transport.Receiver(results))

    def _reset(self, loader, first=False):
        super()._reset(loader)
        self._send_idx = 0   # index of the next batch to hand to a worker
        self._rcvd_idx = 0   # index of the next batch to hand to the user (in order)
        self._owner = {}     # batch index -> worker, for batches sent and not yet handed out
        self._arrived = {}   # batch index -> data that arrived ahead of its turn
        for w in self._workers:
            w.active, w.queued = True, 0
        self._cycle = itertools.cycle(self._workers)
        if not first:
            # Persistent workers: every worker restarts its fetcher; what it sends before the
            # acknowledgement belongs to the abandoned epoch and is dropped.
            for w in self._workers:
                w.tasks.put(_worker._Resume())
            for w in self._workers:
                while not isinstance(self._receive_from(w)[0], _worker._Resume):
                    pass
        for _ in range(self._prefetch_factor * self._num_workers):
            self._try_put_index()

    def _try_put_index(self):
        try:
            index = self._next_index()
        except StopIteration:
            return
        capacity = self._prefetch_factor * self._num_workers
        active = sum(w.active for w in self._workers)
        for _ in range(self._num_workers):
            w = next(self._cycle)
            if w.active and (self._in_order or w.queued < capacity // active):
                break
        else:
            return  # no worker can take it (every IterableDataset copy is exhausted)
        w.tasks.put((self._send_idx, index))
        self._owner[self._send_idx] = w
        w.queued += 1
        self._send_idx += 1

    def _next_data(self):
        while True:
            # Skip batches already handed out (in_order=False) and those of workers that ran dry.
            while self._rcvd_idx < self._send_idx:
                w = self._owner.get(self._rcvd_idx)
                if w is not None and (self._rcvd_idx in self._arrived or w.active):
                    break
                self._owner.pop(self._rcvd_idx, None)
                self._rcvd_idx += 1
            else:
                if not self._persistent_workers:
                    self._shutdown_workers()
                raise StopIteration
            if self._rcvd_idx in self._arrived:
                idx = self._rcvd_idx
                self._rcvd_idx += 1
                return self._hand_out(idx, self._arrived.pop(idx))
            idx, data = self._get_data()
            if isinstance(data, _worker._IterableEnd):
                w = self._workers[data.worker_id]
                w.active = False
                if not self._persistent_workers:
                    w.stop()
                self._try_put_index()
                continue
            if idx == self._rcvd_idx:
                self._rcvd_idx += 1
                return self._hand_out(idx, data)
            if not self._in_order:
                return self._hand_out(idx, data)
            self._arrived[idx] = data

    def _hand_out(self, idx, data):
        w = self._owner.pop(idx)
        w.queued -= 1
        self._try_put_index()
        if isinstance(data, _worker.ExceptionWrapper):
            data.reraise()
        return data

    # -- receiving -------------------------------------------------------------------------------------

    def _get_data(self):
        """The next ``(batch_idx, data)`` from any worker; raises if one died or ``timeout`` passed."""
        deadline = time.monotonic() + self._timeout if self._timeout > 0 else None
        while True:
            expected = [w for w in self._workers if not w.stopping]
            waitables = {w.results.conn: w for w in expected}
            waitables.update({w.process.sentinel: w for w in expected})
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            ready = _mp().connection.wait(list(waitables), remaining)
            if not ready:
                raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds")
            for obj in ready:
                w = waitables[obj]
                # A dead worker may still have sent whole results; read those before declaring it dead.
                if obj is w.results.conn or w.results.conn.poll():
                    return self._receive_from(w)
            self._worker_died(waitables[ready[0]])

    def _receive_from(self, w):
        try:
            return w.results.recv()
        except (EOFError, OSError):
            self._worker_died(w)

    def _worker_died(self, w):
        """Raise torch's error for a worker that is gone.

        torch notices the death in its SIGCHLD handler, whose detailed error (signal or exit code) interrupts
        the wait for data and becomes the cause of the error the user sees: one message for every death.
        """
        w.process.join(timeout=1.0)  # its pipes close a moment before its exit status can be read
        code = w.process.exitcode
        self._shutdown_workers()
        pid = w.process.pid
        if code is not None and code < 0:
            try:
                name = signal.strsignal(-code) or signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            detail = RuntimeError(f"DataLoader worker (pid {pid}) is killed by signal: {name}. ")
        else:
            detail = RuntimeError(f"DataLoader worker (pid {pid}) exited unexpectedly with exit code {code}. "
                                  "Details are lost due to multiprocessing. Rerunning with num_workers=0 may give "
                                  "better error trace.")
        raise RuntimeError(f"DataLoader worker (pid(s) {pid}) exited unexpectedly") from detail

    # -- shutdown --------------------------------------------------------------------------------------

    def _shutdown_workers(self):
        """Stop every worker: ask, drain their pipes so none stays blocked writing, then terminate."""
        if self._shutdown:
            return
        self._shutdown = True
        try:
            self._done.set()  # workers skip the tasks still queued
            for w in self._workers:
                w.stop()
            deadline = time.monotonic() + _SHUTDOWN_WAIT
            alive = [w for w in self._workers if w.process.exitcode is None]
            while alive and time.monotonic() < deadline:
                by_conn = {w.results.conn: w for w in alive if not w.results.conn.closed}
                waitables = list(by_conn) + [w.process.sentinel for w in alive]
                for obj in _mp().connection.wait(waitables, max(0.0, deadline - time.monotonic())):
                    if obj in by_conn:
                        try:
                            by_conn[obj].results.recv()  # dropped: the loop that wanted it is gone
                        except Exception:
                            by_conn[obj].results.close()
                alive = [w for w in alive if w.process.exitcode is None]
        finally:
            for w in self._workers:
                if w.process.exitcode is None:
                    w.process.terminate()
                    w.process.join(timeout=_SHUTDOWN_WAIT)
                    if w.process.exitcode is None:
                        w.process.kill()
                        w.process.join()
                else:
                    w.process.join()
                w.tasks.close()
                if not w.results.conn.closed:
                    w.results.close()
            _live_workers.pop(self._token, None)

    def __del__(self):
        try:
            self._shutdown_workers()
        except Exception:  # interpreter shutdown: modules may already be gone
            pass
