"""Samplers: deterministic ones equal torch's; random ones by their invariants and torch's lengths."""
import collections

import pytest
import torch
import torch.utils.data

import ember
import ember.utils.data as data


def test_sequential_sampler():
    assert list(data.SequentialSampler(range(5))) == list(torch.utils.data.SequentialSampler(range(5)))
    assert len(data.SequentialSampler(range(5))) == 5


@pytest.mark.parametrize("n, batch_size", [(10, 3), (9, 3), (1, 4), (0, 2), (7, 1)])
@pytest.mark.parametrize("drop_last", [False, True])
def test_batch_sampler_matches_torch(n, batch_size, drop_last):
    ours = data.BatchSampler(data.SequentialSampler(range(n)), batch_size, drop_last)
    theirs = torch.utils.data.BatchSampler(torch.utils.data.SequentialSampler(range(n)), batch_size, drop_last)
    assert list(ours) == list(theirs)
    assert len(ours) == len(theirs)


def test_batch_sampler_over_plain_iterable():
    assert list(data.BatchSampler([5, 4, 3, 2, 1], 2, False)) == [[5, 4], [3, 2], [1]]


@pytest.mark.parametrize("make", [
    lambda L: L.utils.data.BatchSampler(range(3), 0, False),
    lambda L: L.utils.data.BatchSampler(range(3), True, False),
    lambda L: L.utils.data.BatchSampler(range(3), 2.0, False),
    lambda L: L.utils.data.BatchSampler(range(3), 2, None),
    lambda L: L.utils.data.RandomSampler(range(3), replacement=1),
    lambda L: L.utils.data.RandomSampler(range(3), num_samples=0),
    lambda L: L.utils.data.RandomSampler(range(0)),
    lambda L: L.utils.data.WeightedRandomSampler([1.0, 2.0], 0),
    lambda L: L.utils.data.WeightedRandomSampler([1.0, 2.0], True),
    lambda L: L.utils.data.WeightedRandomSampler([1.0, 2.0], 2, replacement=0),
    lambda L: L.utils.data.WeightedRandomSampler([[1.0, 2.0]], 2),
])
def test_sampler_errors_match_torch(make, same_error):
    same_error(make)


def test_random_sampler_is_a_permutation():
    s = data.RandomSampler(range(50), generator=ember.Generator().manual_seed(0))
    out = list(s)
    assert sorted(out) == list(range(50)) and len(s) == 50
    assert out != list(range(50))


def test_random_sampler_reproducible_with_generator_and_global_seed():
    g1, g2 = ember.Generator().manual_seed(5), ember.Generator().manual_seed(5)
    assert list(data.RandomSampler(range(20), generator=g1)) == list(data.RandomSampler(range(20), generator=g2))
    ember.manual_seed(7)
    a = list(data.RandomSampler(range(20)))
    b = list(data.RandomSampler(range(20)))
    ember.manual_seed(7)
    assert list(data.RandomSampler(range(20))) == a
    assert a != b  # each epoch draws a fresh order


@pytest.mark.parametrize("n, num_samples", [(10, 25), (10, 7), (3, 3)])
def test_random_sampler_without_replacement_takes_whole_permutations(n, num_samples):
    out = list(data.RandomSampler(range(n), num_samples=num_samples, generator=ember.Generator().manual_seed(1)))
    assert len(out) == num_samples == len(data.RandomSampler(range(n), num_samples=num_samples))
    for start in range(0, num_samples - num_samples % n, n):
        assert sorted(out[start:start + n]) == list(range(n))
    assert len(set(out[num_samples - num_samples % n:])) == num_samples % n


@pytest.mark.parametrize("num_samples", [5, 32, 70])
def test_random_sampler_with_replacement(num_samples):
    s = data.RandomSampler(range(4), replacement=True, num_samples=num_samples,
                           generator=ember.Generator().manual_seed(2))
    out = list(s)
    assert len(out) == num_samples == len(s)
    assert set(out) <= set(range(4))
    assert len(s) == len(torch.utils.data.RandomSampler(range(4), replacement=True, num_samples=num_samples))


def test_subset_random_sampler():
    indices = [10, 20, 30, 40]
    s = data.SubsetRandomSampler(indices, generator=ember.Generator().manual_seed(0))
    assert sorted(s) == indices and len(s) == 4


def test_weighted_random_sampler():
    weights = [0.0, 1.0, 0.0, 3.0]
    s = data.WeightedRandomSampler(weights, 4000, generator=ember.Generator().manual_seed(0))
    counts = collections.Counter(s)
    assert set(counts) == {1, 3} and len(s) == 4000
    assert 0.2 < counts[1] / 4000 < 0.3
    assert s.weights.dtype == ember.float64
    no_repeat = list(data.WeightedRandomSampler([1.0, 1.0, 1.0, 0.5], 4, replacement=False))
    assert sorted(no_repeat) == [0, 1, 2, 3]


def test_custom_sampler_without_len():
    class Evens(data.Sampler):
        def __iter__(self):
            return iter([0, 2, 4])

    assert list(Evens()) == [0, 2, 4]
    with pytest.raises(TypeError):
        len(Evens())


@pytest.mark.parametrize("n, world, drop_last", [(10, 3, False), (10, 3, True), (9, 3, False), (2, 4, False),
                                                 (11, 4, True), (5, 2, False)])
def test_distributed_sampler_unshuffled_matches_torch(n, world, drop_last):
    for rank in range(world):
        ours = data.DistributedSampler(range(n), num_replicas=world, rank=rank, shuffle=False, drop_last=drop_last)
        theirs = torch.utils.data.DistributedSampler(range(n), num_replicas=world, rank=rank, shuffle=False,
                                                     drop_last=drop_last)
        assert list(ours) == list(theirs)
        assert len(ours) == len(theirs)


@pytest.mark.parametrize("drop_last", [False, True])
def test_distributed_sampler_shuffled_shards(drop_last):
    n, world = 23, 4
    shards = []
    for rank in range(world):
        s = data.DistributedSampler(range(n), num_replicas=world, rank=rank, seed=3, drop_last=drop_last)
        s.set_epoch(2)
        shards.append(list(s))
        assert len(shards[-1]) == len(s)
    everything = [i for shard in shards for i in shard]
    if drop_last:
        assert len(set(everything)) == len(everything) == 20
    else:
        assert set(everything) == set(range(n)) and len(everything) == 24
    again = data.DistributedSampler(range(n), num_replicas=world, rank=0, seed=3, drop_last=drop_last)
    again.set_epoch(2)
    assert list(again) == shards[0]
    again.set_epoch(3)
    assert list(again) != shards[0]


def test_distributed_sampler_errors(same_error):
    same_error(lambda L: L.utils.data.DistributedSampler(range(4), num_replicas=2, rank=2))
    same_error(lambda L: L.utils.data.DistributedSampler(range(4), num_replicas=2, rank=-1))
    same_error(lambda L: L.utils.data.DistributedSampler(range(4)))
