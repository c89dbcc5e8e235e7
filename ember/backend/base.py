"""The backend protocol: what NumPy and CuPy spell differently, and nothing else."""
from __future__ import annotations

from abc import ABC, abstractmethod


class Backend(ABC):
    """One array library on one kind of device.

    ``xp`` is the array module (numpy or cupy).  The methods cover the few places where the two libraries
    differ: host transfer, scatter-add, random numbers and device placement.
    """

    name: str = "?"
    xp = None

    @abstractmethod
    def device_of(self, array):
        """The ember device ``array`` lives on."""

    @abstractmethod
    def to_host(self, array):
        """A NumPy array with the same values (no copy on the CPU)."""

    @abstractmethod
    def from_host(self, array, device):
        """An array of this backend on ``device`` holding the values of NumPy ``array``."""

    @abstractmethod
    def scatter_add(self, target, index, values):
        """``target[index] += values`` with repeated indices accumulating (in place)."""

    @abstractmethod
    def rng(self, seed):
        """A fresh random generator of this backend seeded with ``seed``."""
