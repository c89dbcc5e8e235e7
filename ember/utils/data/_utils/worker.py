"""What runs inside a DataLoader worker process.

Each worker owns one task queue (main -> worker: ``(batch_idx, index)``, ``_Resume`` or ``None`` to stop)
and one results channel (worker -> main: ``(batch_idx, data)``, see ``_transport``).
"""
from __future__ import annotations

import os
import pickle
import queue
import random
import sys
import traceback
from dataclasses import dataclass

import numpy as np

__all__ = ["WorkerInfo", "get_worker_info"]

# How often an idle worker checks that the main process is alive and has not asked it to stop, in seconds.
_WATCHDOG_INTERVAL = 1.0


@dataclass(frozen=True, slots=True)
class WorkerInfo:
    """What a worker knows about itself: ``id``, ``num_workers``, ``seed`` and its copy of ``dataset``.

    ``rng`` (a random-state holder, unused by process workers) and ``worker_method`` complete torch's fields.
    """

    id: int
    num_workers: int
    seed: int
    dataset: object
    rng: object = None
    worker_method: str | None = "multiprocessing"


_worker_info: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """This worker's ``WorkerInfo`` inside a DataLoader worker process; ``None`` in the main process."""
    return _worker_info


@dataclass(frozen=True)
class _IterableEnd:
    """Sent by a worker whose copy of an IterableDataset is exhausted."""

    worker_id: int


@dataclass(frozen=True)
class _Resume:
    """Persistent workers: start a new epoch (recreate the fetcher) and acknowledge."""


class ExceptionWrapper:
    """An exception caught in a worker, carried to the main process as its type and traceback text."""

    def __init__(self, where: str):
        exc_type, exc, tb = sys.exc_info()
        self.exc_type = exc_type
        self.type_name = exc_type.__name__
        self.text = "".join(traceback.format_exception(exc_type, exc, tb))
        self.where = where

    def reraise(self):
        msg = f"Caught {self.type_name} {self.where}.\nOriginal {self.text}"
        if self.exc_type is KeyError:
            msg = _VerbatimStr(msg)  # KeyError reprs its argument, which would escape every newline
        try:
            error = self.exc_type(msg) if self.exc_type is not None else None
        except Exception:
            error = None
        if error is None:  # an exception type that cannot be pickled or built from one message
            raise RuntimeError(msg) from None
        raise error

    def __reduce__(self):
        exc_type = self.exc_type
        try:
            pickle.dumps(exc_type)
        except Exception:  # a class defined inside a function: send its name only
            exc_type = None
        return (_rebuild_wrapper, (exc_type, self.type_name, self.text, self.where))


def _rebuild_wrapper(exc_type, type_name, text, where):
    w = ExceptionWrapper.__new__(ExceptionWrapper)
    w.exc_type, w.type_name, w.text, w.where = exc_type, type_name, text, where
    return w


class _VerbatimStr(str):
    def __repr__(self):
        return str(self)


# ----------------------------------------------------------------------------------------------------------
# fetchers: one index (or list of indices) in, one collated batch out; shared with the single-process path
# ----------------------------------------------------------------------------------------------------------

class _MapFetcher:
    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.dataset, self.auto_collation, self.collate_fn = dataset, auto_collation, collate_fn
        getitems = getattr(dataset, "__getitems__", None)
        self.getitems = getitems if callable(getitems) else None

    def fetch(self, index):
        if not self.auto_collation:
            return self.collate_fn(self.dataset[index])
        if self.getitems is not None:
            return self.collate_fn(self.getitems(index))
        dataset = self.dataset
        return self.collate_fn([dataset[i] for i in index])


class _IterableFetcher:
    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.auto_collation, self.collate_fn, self.drop_last = auto_collation, collate_fn, drop_last
        self.iterator = iter(dataset)
        self.ended = False

    def fetch(self, index):
        """``index`` is a list of ``None`` of the batch size (auto-collation) or ``None``."""
        if self.ended:
            raise StopIteration
        if not self.auto_collation:
            return self.collate_fn(next(self.iterator))
        samples = []
        for _ in index:
            try:
                samples.append(next(self.iterator))
            except StopIteration:
                self.ended = True
                break
        if not samples or (self.drop_last and len(samples) < len(index)):
            raise StopIteration
        return self.collate_fn(samples)


def make_fetcher(iterable, dataset, auto_collation, collate_fn, drop_last):
    kind = _IterableFetcher if iterable else _MapFetcher
    return kind(dataset, auto_collation, collate_fn, drop_last)


# ----------------------------------------------------------------------------------------------------------
# the worker process
# ----------------------------------------------------------------------------------------------------------

def _seed_worker(seed, base_seed, worker_id):
    """Seed Python's, ember's and NumPy's global generators differently in each worker."""
    import ember  # noqa: PLC0415
    random.seed(seed)
    ember.manual_seed(seed)
    # NumPy gets a hashed seed rather than ``seed`` itself, so that its stream and Python's differ.
    words = np.random.SeedSequence([worker_id, base_seed & 0xFFFFFFFF, (base_seed >> 32) & 0xFFFFFFFF, 0])
    np.random.seed(words.generate_state(4))


def worker_loop(iterable, dataset, tasks, conn, done, auto_collation, collate_fn, drop_last, base_seed,
                init_fn, worker_id, num_workers):
    global _worker_info
    where = f"in DataLoader worker process {worker_id}"
    try:
        from .._transport import Sender  # noqa: PLC0415
        results = Sender(conn)
        import ember  # noqa: PLC0415
        ember.set_num_threads(1)  # as torch: the workers already share the cores between them
        seed = base_seed + worker_id
        _seed_worker(seed, base_seed, worker_id)
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)
        init_error = None
        fetcher = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = make_fetcher(iterable, dataset, auto_collation, collate_fn, drop_last)
        except Exception:
            init_error = ExceptionWrapper(where)  # reported as the result of the first task
        ended = False
        parent = os.getppid()
        while True:
            try:
                task = tasks.get(timeout=_WATCHDOG_INTERVAL)
            except queue.Empty:
                if os.getppid() != parent or done.is_set():  # orphaned, or told to stop by other means
                    return
                continue
            if task is None:
                return
            if isinstance(task, _Resume):
                ended = False
                try:
                    fetcher = make_fetcher(iterable, dataset, auto_collation, collate_fn, drop_last)
                except Exception:
                    init_error = ExceptionWrapper(where)
                results.send((task, None))
                continue
            if done.is_set() or ended:
                continue  # shutting down, or nothing left to give: skip until the None arrives
            idx, index = task
            if init_error is not None:
                data, init_error = init_error, None
            else:
                try:
                    data = fetcher.fetch(index)
                except StopIteration:
                    if not iterable:
                        data = ExceptionWrapper(where)
                    else:
                        data, ended = _IterableEnd(worker_id), True
                except Exception:
                    data = ExceptionWrapper(where)
            try:
                results.send((idx, data))
            except (BrokenPipeError, ConnectionResetError):
                return
            except Exception:  # the batch itself would not pickle: report that instead
                results.send((idx, ExceptionWrapper(where)))
            del data, index, task
    except KeyboardInterrupt:
        pass  # the main process sees the same Ctrl-C and reports it
    except (BrokenPipeError, ConnectionResetError, EOFError):
        pass  # the main process went away
