"""Random state: ``Generator``, ``manual_seed``, ``seed``, ``initial_seed``, ``get_rng_state``.

Each device has one default generator; every random op takes ``generator=``.  Streams are NumPy's PCG64 and
do not equal torch's (tests compare by copying tensors, not seeds).
"""
from __future__ import annotations

import json
import time

import numpy as np

__all__ = ["Generator", "manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state",
           "default_generator", "fork_rng"]

_DEFAULT_SEED = 67280421310721  # torch's default initial seed


class Generator:
    """A random number generator, as ``torch.Generator(device='cpu')``."""

    def __init__(self, device="cpu"):
        from .device import as_device
        self.device = as_device(device)
        self._seed = _DEFAULT_SEED
        self._np = np.random.Generator(np.random.PCG64(self._seed))

    def manual_seed(self, seed):
        seed = int(seed)
        if seed < -0x8000_0000_0000_0000 or seed > 0xFFFF_FFFF_FFFF_FFFF:
            raise RuntimeError(f"Overflow when unpacking long long, seed {seed}")
        seed &= 0xFFFF_FFFF_FFFF_FFFF
        self._seed = seed
        self._np = np.random.Generator(np.random.PCG64(seed))
        return self

    def seed(self):
        s = int(time.time_ns()) ^ int(np.random.SeedSequence().entropy & 0xFFFF_FFFF_FFFF_FFFF)
        self.manual_seed(s & 0xFFFF_FFFF_FFFF_FFFF)
        return self._seed

    def initial_seed(self):
        return self._seed

    def get_state(self):
        from .tensor import _wrap
        blob = json.dumps({"seed": self._seed, "state": self._np.bit_generator.state}).encode()
        return _wrap(np.frombuffer(blob, dtype=np.uint8).copy())

    def set_state(self, new_state):
        blob = bytes(new_state.numpy().astype(np.uint8).tobytes())
        try:
            info = json.loads(blob.decode())
            self._seed = info["seed"]
            bg = np.random.PCG64()
            bg.state = info["state"]
        except (ValueError, KeyError, TypeError):
            raise RuntimeError("Invalid RNG state: expected a state tensor made by get_state()/get_rng_state() "
                               "of ember") from None
        self._np = np.random.Generator(bg)
        return self

    def clone_state(self):
        g = Generator(self.device)
        g.set_state(self.get_state())
        return g

    def __repr__(self):
        return f"<torch._C.Generator object at {hex(id(self))}>"


default_generator = Generator()


def _gen(generator):
    """The NumPy generator behind ``generator`` (or the default one)."""
    return (generator or default_generator)._np


def manual_seed(seed):
    """Seed the default generator of every device; returns it."""
    default_generator.manual_seed(seed)
    try:
        from . import cuda
        cuda.manual_seed_all(seed)
    except Exception:
        pass
    return default_generator


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state):
    default_generator.set_state(new_state)


class fork_rng:
    """Context manager restoring the default generator's state on exit."""

    def __init__(self, devices=None, enabled=True, **kwargs):
        self.enabled = enabled

    def __enter__(self):
        if self.enabled:
            self._state = get_rng_state()

    def __exit__(self, *exc):
        if self.enabled:
            set_rng_state(self._state)
        return False
