"""The NumPy backend: the CPU."""
from __future__ import annotations

import numpy as np

from ..device import CPU
from .base import Backend


class NumpyBackend(Backend):
    name = "numpy"
    xp = np

    def device_of(self, array):
        return CPU

    def to_host(self, array):
        return array

    def from_host(self, array, device):
        return array

    def scatter_add(self, target, index, values):
        np.add.at(target, index, values)
        return target

    def rng(self, seed):
        return np.random.Generator(np.random.PCG64(seed))


NUMPY = NumpyBackend()
