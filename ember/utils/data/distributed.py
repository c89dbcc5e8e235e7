"""DistributedSampler: each of ``num_replicas`` processes reads its own, equal-sized share of a dataset."""
from __future__ import annotations

import math

import numpy as np

from .sampler import Sampler

__all__ = ["DistributedSampler"]

_NOT_INITIALIZED = ("Default process group has not been initialized, please make sure to call "
                    "init_process_group.")


def _default_world():
    """``(world_size, rank)`` of the initialised process group; torch's error when there is none."""
    try:
        from ... import distributed as dist  # noqa: PLC0415  (optional layer above utils.data)
    except ImportError:
        dist = None
    if dist is None or not getattr(dist, "is_initialized", lambda: False)():
        raise ValueError(_NOT_INITIALIZED)
    return dist.get_world_size(), dist.get_rank()


def _torch_permutation(n, seed):
    """The permutation ``torch.randperm(n, generator=torch.Generator().manual_seed(seed))`` gives on the CPU.

    Every rank must draw the same order, and a job resumed under torch or ember must keep its shards, so the
    sampler reproduces torch's exact stream instead of ember's own generator: a Mersenne Twister (MT19937)
    seeded with the low 32 bits of ``seed``, one 32-bit draw per position of a forward Fisher-Yates shuffle
    (``swap(r[i], r[i + draw % (n - i)])``).  Checked against torch in tests/distributed.
    """
    bits = np.random.MT19937()
    bits._legacy_seeding(seed % 2 ** 32)            # init_genrand(seed): the seeding torch's CPU generator uses
    order = list(range(n))
    if n > 1:
        draws = bits.random_raw(n - 1) % np.arange(n, 1, -1, dtype=np.uint64)   # (n-1,) offsets into the tail
        for i, offset in enumerate(draws.tolist()):
            j = i + offset
            order[i], order[j] = order[j], order[i]
    return order


class DistributedSampler(Sampler):
    """Indices ``rank, rank + num_replicas, ...`` of a (seeded, per-epoch) permutation of the dataset.

    Every replica draws the same permutation from ``seed + epoch``, so call ``set_epoch`` before each epoch.
    Without ``drop_last`` the list is padded with its own head to a multiple of ``num_replicas``; with it,
    the tail is cut instead.

    >>> list(DistributedSampler(range(5), num_replicas=2, rank=1, shuffle=False))
    [1, 3, 0]
    """

    def __init__(self, dataset, num_replicas=None, rank=None, shuffle=True, seed=0, drop_last=False):
        if num_replicas is None or rank is None:
            world, own_rank = _default_world()
            num_replicas = world if num_replicas is None else num_replicas
            rank = own_rank if rank is None else rank
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        n = len(dataset)
        if drop_last and n % num_replicas != 0:
            self.num_samples = math.ceil((n - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self):
        n = len(self.dataset)
        if self.shuffle:
            indices = _torch_permutation(n, self.seed + self.epoch)
        else:
            indices = list(range(n))
        if self.drop_last:
            indices = indices[:self.total_size]
        else:
            padding = self.total_size - len(indices)
            indices += (indices * math.ceil(padding / len(indices)))[:padding] if padding else []
        assert len(indices) == self.total_size, (len(indices), self.total_size)
        return iter(indices[self.rank:self.total_size:self.num_replicas])

    def __len__(self):
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Use ``seed + epoch`` for the next permutation; without it every epoch has the same order."""
        self.epoch = epoch
