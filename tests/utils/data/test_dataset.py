"""Datasets and random_split, against torch's where the result is deterministic."""
import warnings

import numpy as np
import pytest
import torch
import torch.utils.data

import ember
import ember.utils.data as data


class Range(data.Dataset):
    def __init__(self, n, offset=0):
        self.n, self.offset = n, offset

    def __getitem__(self, i):
        if not 0 <= i < self.n:
            raise IndexError(i)
        return self.offset + i

    def __len__(self):
        return self.n


class Stream(data.IterableDataset):
    def __init__(self, items):
        self.items = items

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)


def test_base_dataset_getitem_raises():
    with pytest.raises(NotImplementedError, match="Subclasses of Dataset should implement __getitem__"):
        data.Dataset()[0]
    assert not hasattr(data.Dataset(), "__len__")


def test_tensor_dataset(same):
    x = np.arange(12, dtype=np.float32).reshape(4, 3)
    y = np.arange(4)
    ours = data.TensorDataset(ember.tensor(x), ember.tensor(y))
    theirs = torch.utils.data.TensorDataset(torch.tensor(x), torch.tensor(y))
    assert len(ours) == len(theirs) == 4
    for i in range(4):
        same(ours[i], theirs[i])
    same(ours[1:3], theirs[1:3])


def test_tensor_dataset_size_mismatch(same_error):
    same_error(lambda L: L.utils.data.TensorDataset(L.zeros(3), L.zeros(4)))


def test_stack_dataset_tuple_and_dict():
    a, b = Range(4), Range(4, offset=10)
    s = data.StackDataset(a, b)
    assert len(s) == 4 and s[2] == (2, 12)
    assert s.__getitems__([0, 3]) == [(0, 10), (3, 13)]
    d = data.StackDataset(x=a, y=b)
    assert d[1] == {"x": 1, "y": 11}
    assert d.__getitems__([1, 2]) == [{"x": 1, "y": 11}, {"x": 2, "y": 12}]


def test_stack_dataset_uses_nested_getitems():
    class Batched(Range):
        def __getitems__(self, indices):
            return [("batched", i) for i in indices]

    s = data.StackDataset(Batched(3), Range(3))
    assert s.__getitems__([0, 2]) == [(("batched", 0), 0), (("batched", 2), 2)]


@pytest.mark.parametrize("make", [
    lambda L: L.utils.data.StackDataset(),
    lambda L: L.utils.data.StackDataset(range(3), range(4)),
    lambda L: L.utils.data.StackDataset(a=range(3), b=range(4)),
    lambda L: L.utils.data.StackDataset(range(3), b=range(3)),
])
def test_stack_dataset_errors(make, same_error):
    same_error(make)


def test_concat_dataset_matches_torch():
    parts = [list(range(3)), list(range(10, 15)), list(range(20, 22))]
    ours, theirs = data.ConcatDataset(parts), torch.utils.data.ConcatDataset(parts)
    assert len(ours) == len(theirs) == 10
    assert ours.cumulative_sizes == theirs.cumulative_sizes
    assert [ours[i] for i in range(-10, 10)] == [theirs[i] for i in range(-10, 10)]
    assert list((Range(2) + Range(2, offset=5)).__class__.__mro__)[0] is data.ConcatDataset
    with pytest.warns(FutureWarning):
        assert ours.cummulative_sizes == [3, 8, 10]


@pytest.mark.parametrize("make", [
    lambda L: L.utils.data.ConcatDataset([]),
    lambda L: L.utils.data.ConcatDataset([[1, 2]])[-3],
])
def test_concat_dataset_errors(make, same_error):
    same_error(make)


def test_concat_rejects_iterable():
    with pytest.raises(AssertionError, match="ConcatDataset does not support IterableDataset"):
        data.ConcatDataset([Stream([1])])


def test_chain_dataset():
    c = data.ChainDataset([Stream([1, 2]), Stream([3])])
    assert list(c) == [1, 2, 3] and len(c) == 3
    assert list(Stream([1]) + Stream([2])) == [1, 2]
    with pytest.raises(AssertionError, match="ChainDataset only supports IterableDataset"):
        list(data.ChainDataset([Range(2)]))


def test_subset():
    s = data.Subset(Range(10), [7, 3, 5])
    assert len(s) == 3 and [s[i] for i in range(3)] == [7, 3, 5]
    assert s.__getitems__([2, 0]) == [5, 7]

    class Custom(data.Subset):
        def __getitem__(self, i):
            return -1

    with pytest.raises(NotImplementedError, match="overrides __getitem__ but not __getitems__"):
        Custom(Range(3), [0])


def test_random_split_lengths():
    parts = data.random_split(Range(10), [3, 7], generator=ember.Generator().manual_seed(0))
    assert [len(p) for p in parts] == [3, 7]
    assert sorted(parts[0].indices + parts[1].indices) == list(range(10))


@pytest.mark.parametrize("n, fractions", [(10, [0.3, 0.3, 0.4]), (11, [0.5, 0.5]), (7, [0.1, 0.2, 0.7]),
                                          (5, [1 / 3, 1 / 3, 1 / 3])])
def test_random_split_fractions_give_torch_lengths(n, fractions):
    ours = data.random_split(Range(n), fractions, generator=ember.Generator().manual_seed(1))
    theirs = torch.utils.data.random_split(range(n), fractions, generator=torch.Generator().manual_seed(1))
    assert [len(p) for p in ours] == [len(p) for p in theirs]
    assert sorted(i for p in ours for i in p.indices) == list(range(n))


def test_random_split_is_reproducible_with_a_generator():
    a = data.random_split(Range(20), [0.5, 0.5], generator=ember.Generator().manual_seed(3))
    b = data.random_split(Range(20), [0.5, 0.5], generator=ember.Generator().manual_seed(3))
    assert [p.indices for p in a] == [p.indices for p in b]


@pytest.mark.parametrize("make", [
    lambda L: L.utils.data.random_split(range(10), [3, 8]),
    lambda L: L.utils.data.random_split(range(10), [1.5, -0.5]),
])
def test_random_split_errors(make, same_error):
    same_error(make)


def test_random_split_warns_on_empty_split():
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        data.random_split(Range(2), [1.0, 0.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        data.random_split(Range(2), [0.5, 0.5])
