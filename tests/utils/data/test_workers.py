"""DataLoader with worker processes: order, seeding, sharding, errors, deaths and clean shutdown."""
import gc
import mmap
import multiprocessing
import os
import pickle
import random
import signal
import sys
import time

import numpy as np
import pytest
import torch
import torch.utils.data

import ember
import ember.utils.data as data

pytestmark = pytest.mark.usefixtures("deadline")


class WorkerError(Exception):
    """Raised on purpose inside a worker."""


class Items(data.Dataset):
    """Sample ``i`` is (float tensor, numpy array, int, str); ``slow`` sleeps so workers finish out of order."""

    def __init__(self, n=23, slow=()):
        self.n, self.slow = n, set(slow)

    def __getitem__(self, i):
        if i in self.slow:
            time.sleep(0.05)
        return ember.tensor([float(i), -float(i)]), np.full((2, 2), i, np.int32), i, f"s{i}"

    def __len__(self):
        return self.n


def no_children_left():
    gc.collect()  # a traceback kept by a test may hold an iterator in a reference cycle
    deadline = time.monotonic() + 5
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.02)
    return not multiprocessing.active_children()


@pytest.mark.parametrize("kwargs", [
    dict(batch_size=4), dict(batch_size=4, drop_last=True), dict(batch_size=None), dict(batch_size=5, shuffle=True),
    dict(batch_sampler=[[5, 1], [0], [22, 3, 4], [7]]),
])
def test_two_workers_give_the_same_batches_as_none(kwargs, same):
    dataset = Items(slow={0, 1, 2, 3})
    if kwargs.get("shuffle"):
        kwargs = dict(kwargs, generator=ember.Generator().manual_seed(4))
        single = data.DataLoader(dataset, **kwargs)
        kwargs["generator"] = ember.Generator().manual_seed(4)
    else:
        single = data.DataLoader(dataset, **kwargs)
    multi = data.DataLoader(dataset, num_workers=2, **kwargs)
    assert len(multi) == len(single)
    same(list(multi), list(single))
    assert no_children_left()


class HeldUp(data.Dataset):
    """Item 0 (the first batch) waits until the consumer sets ``release``, after receiving another batch."""

    def __init__(self):
        self.release = multiprocessing.get_context("fork").Event()

    def __getitem__(self, i):
        if i == 0:
            assert self.release.wait(30)
        return i

    def __len__(self):
        return 23


def test_in_order_false_hands_out_batches_as_they_come():
    dataset, got = HeldUp(), []
    for batch in data.DataLoader(dataset, batch_size=2, num_workers=2, in_order=False):
        got.append(batch.tolist())
        dataset.release.set()  # in order, the loop would never get here: batch [0, 1] waits for it
    assert got[0] != [0, 1]
    assert sorted(sum(got, [])) == list(range(23))


@pytest.mark.parametrize("prefetch_factor", [1, 2, 5])
def test_prefetch_factor(prefetch_factor, same):
    loader = data.DataLoader(Items(), batch_size=3, num_workers=2, prefetch_factor=prefetch_factor)
    same(list(loader), list(data.DataLoader(Items(), batch_size=3)))


def test_matches_torch_with_workers(same):
    class TorchItems(torch.utils.data.Dataset):
        def __getitem__(self, i):
            return torch.tensor([float(i), -float(i)]), np.full((2, 2), i, np.int32), i, f"s{i}"

        def __len__(self):
            return 23

    ours = data.DataLoader(Items(), batch_size=4, num_workers=2)
    theirs = torch.utils.data.DataLoader(TorchItems(), batch_size=4, num_workers=2)
    for a, b in zip(ours, theirs, strict=True):
        same(a, b)


# ---- IterableDataset across workers ---------------------------------------------------------------------

class Numbers(data.IterableDataset):
    """``range(n)``, sharded by worker when ``shard`` (each worker a contiguous block, torch's doc example)."""

    def __init__(self, n, shard, lib=ember):
        self.n, self.shard, self.lib = n, shard, lib

    def __iter__(self):
        info = self.lib.utils.data.get_worker_info()
        start, end = 0, self.n
        if self.shard and info is not None:
            per = -(-self.n // info.num_workers)
            start = info.id * per
            end = min(start + per, self.n)
        return iter(range(start, end))

    def __len__(self):
        return self.n


class TorchNumbers(torch.utils.data.IterableDataset):
    __init__, __iter__, __len__ = Numbers.__init__, Numbers.__iter__, Numbers.__len__


@pytest.mark.filterwarnings("ignore:This DataLoader will create 3 worker processes")
@pytest.mark.parametrize("shard", [True, False])
@pytest.mark.parametrize("kwargs", [dict(batch_size=3), dict(batch_size=3, drop_last=True), dict(batch_size=None),
                                    dict(batch_size=4, num_workers=3)])
def test_iterable_dataset_across_workers_matches_torch(shard, kwargs, same):
    kwargs = {"num_workers": 2, **kwargs}
    ours = data.DataLoader(Numbers(11, shard), **kwargs)
    theirs = torch.utils.data.DataLoader(TorchNumbers(11, shard, torch), **kwargs)
    got, want = list(ours), list(theirs)
    assert len(got) == len(want)
    for a, b in zip(got, want):
        same(a, b)
    assert no_children_left()


def test_sharded_iterable_with_two_workers_equals_single_process_content():
    single = sorted(b for b in data.DataLoader(Numbers(11, True), batch_size=None))
    multi = sorted(int(b) for b in data.DataLoader(Numbers(11, True), batch_size=None, num_workers=2))
    assert single == multi == list(range(11))


# ---- worker info and seeding ---------------------------------------------------------------------------

class WhoAmI(data.Dataset):
    def __getitem__(self, i):
        info = data.get_worker_info()
        time.sleep(0.01)  # let both workers take part
        return {"id": info.id, "num_workers": info.num_workers, "seed": info.seed,
                "same_dataset": info.dataset is self, "py": random.random(), "np": float(np.random.rand()),
                "ember": float(ember.rand(1).item()), "pid": os.getpid()}

    def __len__(self):
        return 8


def test_worker_info_and_distinct_seeds():
    assert data.get_worker_info() is None
    out = list(data.DataLoader(WhoAmI(), batch_size=None, num_workers=2,
                               generator=ember.Generator().manual_seed(1)))
    assert [o["id"] for o in out] == [0, 1] * 4  # round robin, in order
    by_worker = {o["id"]: o for o in out}
    assert all(o["num_workers"] == 2 and o["same_dataset"] for o in out)
    assert by_worker[1]["seed"] == by_worker[0]["seed"] + 1
    assert by_worker[0]["pid"] != by_worker[1]["pid"] != os.getpid()
    for key in ("py", "np", "ember"):
        assert by_worker[0][key] != by_worker[1][key]
    again = list(data.DataLoader(WhoAmI(), batch_size=None, num_workers=2,
                                 generator=ember.Generator().manual_seed(1)))
    assert [o["seed"] for o in again] == [o["seed"] for o in out]
    assert [o["ember"] for o in again] == [o["ember"] for o in out]
    ember.manual_seed(2)  # the global generator, when the loader has none
    other = list(data.DataLoader(WhoAmI(), batch_size=None, num_workers=2))
    assert other[0]["seed"] != out[0]["seed"]
    ember.manual_seed(2)
    assert [o["seed"] for o in data.DataLoader(WhoAmI(), batch_size=None, num_workers=2)] == \
        [o["seed"] for o in other]


def _init_fn(worker_id):
    data.get_worker_info().dataset.tag = f"init{worker_id}"


class Tagged(data.Dataset):
    tag = "unset"

    def __getitem__(self, i):
        return self.tag

    def __len__(self):
        return 4


def test_worker_init_fn_runs_in_each_worker():
    out = list(data.DataLoader(Tagged(), batch_size=None, num_workers=2, worker_init_fn=_init_fn))
    assert out == ["init0", "init1", "init0", "init1"]
    assert Tagged.tag == "unset"


def _failing_init(worker_id):
    raise WorkerError(f"init failed in {worker_id}")


def test_worker_init_fn_error_is_reported():
    with pytest.raises(WorkerError, match="Caught WorkerError in DataLoader worker process 0"):
        list(data.DataLoader(Tagged(), batch_size=None, num_workers=2, worker_init_fn=_failing_init))
    assert no_children_left()


# ---- errors, deaths, timeouts ----------------------------------------------------------------------------

class Raises(data.Dataset):
    def __init__(self, bad, error=WorkerError):
        self.bad, self.error = bad, error

    def __getitem__(self, i):
        if i == self.bad:
            raise self.error(f"bad item {i}")
        return i

    def __len__(self):
        return 10


def test_worker_exception_names_original_with_traceback():
    loader = data.DataLoader(Raises(5), batch_size=2, num_workers=2)
    with pytest.raises(WorkerError) as info:
        list(loader)
    msg = str(info.value)
    del info  # its traceback holds the iterator, and with it the workers
    assert msg.startswith("Caught WorkerError in DataLoader worker process 0.\nOriginal Traceback")
    assert "bad item 5" in msg and "in __getitem__" in msg and "raise self.error" in msg
    assert no_children_left()


def test_iteration_continues_after_a_worker_exception():
    it = iter(data.DataLoader(Raises(2), batch_size=2, num_workers=2))
    assert next(it).tolist() == [0, 1]
    with pytest.raises(WorkerError):
        next(it)
    assert [b.tolist() for b in it] == [[4, 5], [6, 7], [8, 9]]


def test_key_error_and_unbuildable_exceptions():
    with pytest.raises(KeyError) as info:
        list(data.DataLoader(Raises(1, KeyError), num_workers=2))
    assert "\nOriginal Traceback" in str(info.value.args[0])

    class Local(Exception):  # not importable by the main process: comes back as RuntimeError
        def __init__(self, a, b):
            super().__init__(a, b)

    class Two(Raises):
        def __getitem__(self, i):
            raise Local(1, 2)

    with pytest.raises(RuntimeError, match="Caught Local in DataLoader worker process 0"):
        list(data.DataLoader(Two(0), num_workers=2))


def test_a_sample_that_cannot_be_pickled_is_reported_not_hung():
    class Lambdas(data.Dataset):
        def __getitem__(self, i):
            return lambda: i

        def __len__(self):
            return 4

    with pytest.raises(Exception, match="Caught .* in DataLoader worker process 0") as info:
        list(data.DataLoader(Lambdas(), batch_size=None, num_workers=2))
    assert "pickle" in str(info.value)
    del info


class Dies(data.Dataset):
    """Item 3 ends its worker (SIGKILL or exit code 7), first noting the time in ``stamp``."""

    def __init__(self, how, stamp):
        self.how, self.stamp = how, stamp

    def __getitem__(self, i):
        if i == 3:
            self.stamp.write_text(repr(time.monotonic()))  # CLOCK_MONOTONIC: one clock for all processes
            if self.how == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            os._exit(7)
        return i

    def __len__(self):
        return 12


@pytest.mark.parametrize("how, message", [("kill", "is killed by signal: Killed"),
                                          ("exit", "exited unexpectedly with exit code 7")])
def test_dead_worker_raises_quickly(how, message, tmp_path):
    stamp = tmp_path / "died_at"
    # torch's message; the signal or exit code is in the cause (torch's SIGCHLD handler error)
    with pytest.raises(RuntimeError, match=r"^DataLoader worker \(pid\(s\) \d+\) exited unexpectedly$") as info:
        list(data.DataLoader(Dies(how, stamp), batch_size=2, num_workers=2))
    assert message in str(info.value.__cause__)
    assert time.monotonic() - float(stamp.read_text()) < 3  # noticed at once, not after a polling interval
    assert no_children_left()


class Blocks(data.Dataset):
    """Item 1 waits until ``release`` is set (at most 30 s): a worker that is busy for as long as needed."""

    def __init__(self):
        self.release = multiprocessing.get_context("fork").Event()

    def __getitem__(self, i):
        if i == 1:
            self.release.wait(30)
        return i

    def __len__(self):
        return 4


def test_worker_killed_from_outside_while_waiting():
    it = iter(data.DataLoader(Blocks(), num_workers=2))
    assert next(it).tolist() == [0]
    victim = it._workers[1].process
    os.kill(victim.pid, signal.SIGKILL)
    start = time.monotonic()
    died = f"DataLoader worker \\(pid\\(s\\) {victim.pid}\\) exited unexpectedly"
    with pytest.raises(RuntimeError, match=died) as info:
        next(it)
    assert f"DataLoader worker (pid {victim.pid}) is killed by signal" in str(info.value.__cause__)
    assert time.monotonic() - start < 3
    assert no_children_left()


def test_timeout():
    dataset = Blocks()
    # the timeout covers the first batch too, so it must leave room for forking workers on a loaded machine
    it = iter(data.DataLoader(dataset, num_workers=2, timeout=6.0))
    next(it)
    start = time.monotonic()
    with pytest.raises(RuntimeError, match="DataLoader timed out after 6.0 seconds"):
        next(it)
    assert 6.0 <= time.monotonic() - start < 10
    dataset.release.set()
    del it
    assert no_children_left()


# ---- shutdown and persistence ----------------------------------------------------------------------------

class Big(data.Dataset):
    """Samples larger than a pipe's buffer, so workers block writing when nobody reads."""

    def __init__(self, n=64, size=100_000):
        self.n, self.size = n, size

    def __getitem__(self, i):
        return np.full(self.size, i, np.float64)

    def __len__(self):
        return self.n


def test_break_leaves_no_children():
    for b in data.DataLoader(Big(), batch_size=4, num_workers=2):
        break
    assert no_children_left()
    for i, b in enumerate(data.DataLoader(Items(slow=range(23)), batch_size=2, num_workers=2)):
        if i == 1:
            break
    assert no_children_left()


def memory_owner(array):
    while isinstance(array, (np.ndarray, memoryview)):
        array = array.base if isinstance(array, np.ndarray) else array.obj
    return array


@pytest.mark.parametrize("size, batch_size, shared", [(100_000, 4, False), (600_000, 4, True),
                                                    (600_000, None, True)])
def test_large_arrays_arrive_intact_and_writable(size, batch_size, shared):
    from ember.utils.data._transport import SHARE_MIN
    assert (size * 8 * (batch_size or 1) >= SHARE_MIN) == shared
    loader = data.DataLoader(Big(16, size), batch_size=batch_size, num_workers=2)
    rows = batch_size or 1
    for k, batch in enumerate(loader):
        assert batch.dtype == ember.float64
        array = batch.numpy() if batch_size else batch.numpy()[None]
        assert array.shape == (rows, size)
        assert np.array_equal(array[:, 0], np.arange(rows * k, rows * k + rows))
        assert np.all(array[:, -1] == array[:, 0])
        array[0, 0] = -1.0  # a writable array, not a view of read-only bytes
        if sys.platform.startswith("linux"):  # large ones are mapped from the worker's memory, not copied
            assert isinstance(memory_owner(array), mmap.mmap if shared else bytearray)
    assert k == 16 // rows - 1


def test_persistent_workers_reuse_processes_across_epochs():
    loader = data.DataLoader(WhoAmI(), batch_size=None, num_workers=2, persistent_workers=True)
    first = [o["pid"] for o in loader]
    second = [o["pid"] for o in loader]
    assert first == second and len(set(first)) == 2
    it = iter(loader)
    next(it)  # abandon an epoch half way: the next one starts clean
    third = [o["id"] for o in loader]
    assert third == [0, 1] * 4
    assert len(multiprocessing.active_children()) == 2
    del loader, it
    assert no_children_left()


def test_persistent_iterable_dataset_restarts_each_epoch():
    loader = data.DataLoader(Numbers(6, True), batch_size=2, num_workers=2, persistent_workers=True)
    assert [b.tolist() for b in loader] == [[0, 1], [3, 4], [2], [5]]
    assert [b.tolist() for b in loader] == [[0, 1], [3, 4], [2], [5]]
    del loader
    assert no_children_left()


def test_spawn_context_works():
    loader = data.DataLoader(list(range(6)), batch_size=2, num_workers=2, multiprocessing_context="spawn")
    assert [b.tolist() for b in loader] == [[0, 1], [2, 3], [4, 5]]


def test_ember_utils_data_does_not_import_torch():
    import subprocess
    import sys
    code = "import sys, ember.utils.data; assert 'torch' not in sys.modules, 'torch was imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_unpicklable_worker_arguments_warn_then_raise():
    # spawn pickles the worker's arguments in this process: a lambda fails there, after torch's hint
    loader = data.DataLoader(range(4), num_workers=1, multiprocessing_context="spawn",
                             worker_init_fn=lambda worker_id: None)
    with pytest.warns(UserWarning, match="Got pickle error when attempting to start a worker Process"):
        with pytest.raises((AttributeError, pickle.PicklingError, TypeError)):
            iter(loader)
    assert no_children_left()
