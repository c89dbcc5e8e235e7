"""DataLoader in the main process: batches, lengths and option errors against torch's."""
import warnings

import numpy as np
import pytest
import torch
import torch.utils.data

import ember
import ember.utils.data as data


def samples(lib, n=10):
    """A map-style dataset of (tensor, int, str) samples, built for ``lib``."""
    class Items(lib.utils.data.Dataset):
        def __getitem__(self, i):
            if not 0 <= i < n:
                raise IndexError(i)
            return lib.tensor([float(i), i * 0.5]), i, f"s{i}"

        def __len__(self):
            return n
    return Items()


def stream(lib, n=10):
    class Items(lib.utils.data.IterableDataset):
        def __iter__(self):
            return iter({"x": np.full(2, i, np.float32), "i": i} for i in range(n))

        def __len__(self):
            return n
    return Items()


def loaders(make_dataset, **kwargs):
    return ember.utils.data.DataLoader(make_dataset(ember), **kwargs), \
        torch.utils.data.DataLoader(make_dataset(torch), **kwargs)


@pytest.mark.parametrize("kwargs", [
    {}, {"batch_size": 3}, {"batch_size": 3, "drop_last": True}, {"batch_size": 5, "drop_last": True},
    {"batch_size": 4, "drop_last": False}, {"batch_size": 20}, {"batch_size": 20, "drop_last": True},
    {"batch_size": None},
])
@pytest.mark.parametrize("kind", ["map", "iterable"])
def test_batches_and_len_match_torch(kind, kwargs, same):
    ours, theirs = loaders(samples if kind == "map" else stream, **kwargs)
    assert len(ours) == len(theirs)
    got, want = list(ours), list(theirs)
    assert len(got) == len(want)
    for a, b in zip(got, want):
        same(a, b)


def test_same_explicit_sampler_gives_same_batches(same):
    order = [7, 2, 9, 0, 4, 4, 1]
    for kwargs in ({"sampler": order, "batch_size": 3}, {"batch_sampler": [[3, 1], [0], [9, 8, 7]]},
                   {"sampler": order, "batch_size": None}, {"sampler": order, "batch_size": 2, "drop_last": True}):
        ours, theirs = loaders(samples, **kwargs)
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs, strict=True):
            same(a, b)


def test_shuffle_is_a_permutation_and_follows_the_generator():
    dataset = list(range(30))
    loader = data.DataLoader(dataset, batch_size=7, shuffle=True, generator=ember.Generator().manual_seed(0))
    epoch1 = [b.tolist() for b in loader]
    epoch2 = [b.tolist() for b in loader]
    assert sorted(sum(epoch1, [])) == dataset and [len(b) for b in epoch1] == [7, 7, 7, 7, 2]
    assert epoch1 != epoch2
    again = data.DataLoader(dataset, batch_size=7, shuffle=True, generator=ember.Generator().manual_seed(0))
    assert [b.tolist() for b in again] == epoch1


def test_global_seed_reproduces_shuffle():
    ember.manual_seed(11)
    a = [b.tolist() for b in data.DataLoader(list(range(20)), batch_size=5, shuffle=True)]
    ember.manual_seed(11)
    b = [b.tolist() for b in data.DataLoader(list(range(20)), batch_size=5, shuffle=True)]
    assert a == b


def test_getitems_is_used_for_a_whole_batch():
    class Batched(data.Dataset):
        calls = []

        def __getitem__(self, i):
            raise AssertionError("__getitems__ should be used")

        def __getitems__(self, indices):
            self.calls.append(list(indices))
            return [i * 10 for i in indices]

        def __len__(self):
            return 5

    out = [b.tolist() for b in data.DataLoader(Batched(), batch_size=2)]
    assert out == [[0, 10], [20, 30], [40]] and Batched.calls == [[0, 1], [2, 3], [4]]


def test_tensor_dataset_loop(same):
    x = np.arange(20, dtype=np.float32).reshape(10, 2)
    y = np.arange(10)
    ours = data.DataLoader(data.TensorDataset(ember.tensor(x), ember.tensor(y)), batch_size=4)
    theirs = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.tensor(x), torch.tensor(y)),
                                         batch_size=4)
    for a, b in zip(ours, theirs, strict=True):
        same(a, b)


def test_custom_collate_fn():
    loader = data.DataLoader(list(range(6)), batch_size=4, collate_fn=lambda batch: sum(batch))
    assert list(loader) == [6, 9]


def test_iterable_len_overrun_warns():
    class Liar(data.IterableDataset):
        def __iter__(self):
            return iter(range(5))

        def __len__(self):
            return 3

    loader = data.DataLoader(Liar(), batch_size=None)
    assert len(loader) == 3
    with pytest.warns(UserWarning, match="was reported to be 3"):
        list(loader)


def test_iterable_without_len():
    class Endless(data.IterableDataset):
        def __iter__(self):
            return iter(range(4))

    loader = data.DataLoader(Endless(), batch_size=3)
    assert [b.tolist() for b in loader] == [[0, 1, 2], [3]]
    with pytest.raises(TypeError):
        len(loader)


def test_attribute_guard_and_iterator_pickling(same_error):
    same_error(lambda L: setattr(L.utils.data.DataLoader(range(3)), "batch_size", 2))
    loader = data.DataLoader(range(3))
    loader.num_workers = 0  # not guarded in torch either
    import pickle
    with pytest.raises(NotImplementedError):
        pickle.dumps(iter(loader))


def test_pin_memory_accepted_as_a_no_op(same):
    loader = data.DataLoader(list(range(4)), batch_size=2, pin_memory=True)
    with pytest.warns(UserWarning, match="no accelerator is found"):
        out = [b.tolist() for b in loader]
    assert out == [[0, 1], [2, 3]]


CONFLICTS = {
    "sampler and shuffle": dict(sampler=[0, 1], shuffle=True),
    "batch_sampler and batch_size": dict(batch_sampler=[[0]], batch_size=2),
    "batch_sampler and shuffle": dict(batch_sampler=[[0]], shuffle=True),
    "batch_sampler and sampler": dict(batch_sampler=[[0]], sampler=[0]),
    "batch_sampler and drop_last": dict(batch_sampler=[[0]], drop_last=True),
    "no batching and drop_last": dict(batch_size=None, drop_last=True),
    "negative workers": dict(num_workers=-1),
    "negative timeout": dict(timeout=-1),
    "prefetch without workers": dict(prefetch_factor=2),
    "negative prefetch": dict(num_workers=1, prefetch_factor=-1),
    "persistent without workers": dict(persistent_workers=True),
    "context without workers": dict(multiprocessing_context="fork"),
    "unknown start method": dict(num_workers=1, multiprocessing_context="teleport"),
    "context of a wrong type": dict(num_workers=1, multiprocessing_context=3),
    "batch size zero": dict(batch_size=0),
}


@pytest.mark.parametrize("case", list(CONFLICTS))
def test_conflicting_options_match_torch(case, same_error):
    same_error(lambda L: L.utils.data.DataLoader(list(range(4)), **CONFLICTS[case]))


ITERABLE_CONFLICTS = {
    "shuffle": dict(shuffle=True),
    "sampler": dict(sampler=[0, 1]),
    "batch_sampler": dict(batch_sampler=[[0]]),
}


@pytest.mark.parametrize("case", list(ITERABLE_CONFLICTS))
def test_iterable_dataset_option_errors_match_torch(case, same_error):
    class Plain:
        pass

    def build(L):
        class Stream(L.utils.data.IterableDataset):
            def __iter__(self):
                return iter(range(3))

            def __repr__(self):
                return "Stream"
        kwargs = dict(ITERABLE_CONFLICTS[case])
        for key in ("sampler", "batch_sampler"):
            if key in kwargs:
                kwargs[key] = Plain  # a value whose repr is the same in both libraries
        return L.utils.data.DataLoader(Stream(), **kwargs)
    same_error(build)


def test_timeout_without_workers_matches_torch(same_error):
    same_error(lambda L: iter(L.utils.data.DataLoader(list(range(4)), timeout=1)))


def test_too_many_workers_warns():
    import os
    with pytest.warns(UserWarning, match="This DataLoader will create 1000 worker processes in total"):
        data.DataLoader(list(range(4)), num_workers=1000)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        data.DataLoader(list(range(4)), num_workers=min(2, len(os.sched_getaffinity(0))))


def test_base_seed_consumes_the_generator_even_without_workers():
    g = ember.Generator().manual_seed(0)
    loader = data.DataLoader(list(range(4)), generator=g)
    list(loader)
    list(loader)
    fresh = ember.Generator().manual_seed(0)
    ember.empty((), dtype=ember.int64).random_(generator=fresh)
    ember.empty((), dtype=ember.int64).random_(generator=fresh)
    assert g.get_state().tolist() == fresh.get_state().tolist()
