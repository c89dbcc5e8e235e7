"""``ember.device``: where a tensor lives.  ``"cpu"`` is NumPy; ``"cuda[:N]"`` is CuPy when installed."""
from __future__ import annotations

from ._torch_names import TorchNamed

__all__ = ["device"]

_CACHE: dict = {}


class device(metaclass=TorchNamed):
    """A device, parsed as torch parses it: ``device("cuda:1")``, ``device("cuda", 1)``, ``device("cpu")``."""

    __slots__ = ("type", "index")
    _torch_class_name = "torch.device"

    def __new__(cls, type_or_str="cpu", index=None):
        if isinstance(type_or_str, device):
            if index is not None:
                raise TypeError("device(): a device object takes no index")
            return type_or_str
        if isinstance(type_or_str, int) and not isinstance(type_or_str, bool):
            type_or_str, index = "cuda", type_or_str
        key = (type_or_str, index)
        hit = _CACHE.get(key)
        if hit is not None:
            return hit
        if not isinstance(type_or_str, str):
            raise TypeError(f"device() expected a string or a device, got {type(type_or_str).__name__}")
        text = type_or_str.strip()
        kind, _, idx = text.partition(":")
        if idx:
            if index is not None:
                raise RuntimeError(f"type (string) must not include an index because index was passed "
                                   f"explicitly: {text}")
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{text}'")
            index = int(idx)
        if kind not in ("cpu", "cuda", "meta"):
            raise RuntimeError("Expected one of cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, fpga, "
                               "maia, xla, lazy, vulkan, mps, meta, hpu, mtia, privateuseone device type at start of "
                               f"device string: {text}")
        if index is not None and (not isinstance(index, int) or index < 0):
            raise RuntimeError(f"Device index must not be negative, got {index}")
        self = object.__new__(cls)
        object.__setattr__(self, "type", kind)
        object.__setattr__(self, "index", index)
        _CACHE[key] = self
        return self

    def __setattr__(self, name, value):
        raise AttributeError("device objects are immutable")

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))

    def __repr__(self):
        return f"device(type='{self.type}')" if self.index is None else \
            f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __reduce__(self):
        return (device, (str(self),))


CPU = device("cpu")


def as_device(d) -> device:
    if d is None:
        return CPU
    return d if isinstance(d, device) else device(d)
