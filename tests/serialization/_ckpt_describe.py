"""A JSON-able description of a loaded checkpoint, the same for torch and ember objects.

``make_fixtures.py`` describes what real torch loads from each fixture into ``fixtures/manifest.json``;
the tests describe what ember loads and compare.  Tensors are described by dtype, shape, stride, storage
offset, requires_grad, Parameter-ness, their exact bytes, and a storage group (equal groups = shared storage).
"""
from __future__ import annotations

import collections
import math


def _float(x: float):
    return {"float": x.hex() if math.isfinite(x) else repr(x)}


class Describer:
    """``tensor_info(t) -> (dtype name, shape, stride, offset, requires_grad, is_param, raw bytes, storage id,
    attrs)``; ``kind(obj)`` -> 'tensor' | 'size' | 'dtype' | 'device' | None."""

    def __init__(self, tensor_info, kind):
        self.tensor_info = tensor_info
        self.kind = kind
        self.groups = {}

    def __call__(self, obj):
        k = self.kind(obj)
        if k == "tensor":
            dtype, shape, stride, offset, rg, param, raw, sid, attrs = self.tensor_info(obj)
            group = self.groups.setdefault(sid, len(self.groups))
            out = {"tensor": dtype, "shape": list(shape), "stride": list(stride), "offset": offset,
                   "requires_grad": rg, "param": param, "hex": raw.hex(), "group": group}
            if attrs:
                out["attrs"] = self(dict(attrs))
            return out
        if k == "size":
            return {"size": list(obj)}
        if k == "dtype":
            return {"dtype": str(obj).replace("torch.", "")}
        if k == "device":
            return {"device": str(obj)}
        t = type(obj)
        if obj is None or t in (bool, str):
            return obj
        if t is int:
            return {"int": str(obj)}
        if t is float:
            return _float(obj)
        if t is complex:
            return {"complex": [_float(obj.real), _float(obj.imag)]}
        if t is bytes:
            return {"bytes": obj.hex()}
        if t is bytearray:
            return {"bytearray": obj.hex()}
        if t is list:
            return {"list": [self(x) for x in obj]}
        if t is tuple:
            return {"tuple": [self(x) for x in obj]}
        if t in (set, frozenset):
            import json
            return {t.__name__: sorted((self(x) for x in obj), key=lambda d: json.dumps(d, sort_keys=True))}
        if t in (dict, collections.OrderedDict, collections.Counter):
            out = {t.__name__: [[self(k), self(v)] for k, v in obj.items()]}
            meta = getattr(obj, "_metadata", None)
            if meta is not None:
                out["_metadata"] = self(meta)
            return out
        raise TypeError(f"cannot describe {t}")


def torch_describer():
    import torch

    def kind(obj):
        if isinstance(obj, torch.Tensor):
            return "tensor"
        if isinstance(obj, torch.Size):
            return "size"
        if isinstance(obj, torch.dtype):
            return "dtype"
        if isinstance(obj, torch.device):
            return "device"
        return None

    def info(t):
        c = t.detach().resolve_conj().resolve_neg().contiguous().clone()
        raw = bytes(c.untyped_storage())
        attrs = {k: v for k, v in vars(t).items()} if hasattr(t, "__dict__") else {}
        sid = t.untyped_storage().data_ptr() if t.untyped_storage().nbytes() else ("empty", id(t))
        if t.is_conj() or t.is_neg():
            sid = ("lazy", id(t))   # ember materialises conj/neg bits into a new array
        return (str(t.dtype).replace("torch.", ""), tuple(t.shape), t.stride(), t.storage_offset(),
                t.requires_grad, isinstance(t, torch.nn.Parameter), raw, sid, attrs)

    return Describer(info, kind)


def ember_describer():
    import numpy as np

    from ember.device import device
    from ember._dtype import dtype
    from ember.tensor import Size, Tensor

    def kind(obj):
        if isinstance(obj, Tensor):
            return "tensor"
        if isinstance(obj, Size):
            return "size"
        if isinstance(obj, dtype):
            return "dtype"
        if isinstance(obj, device):
            return "device"
        return None

    def info(t):
        arr = t._data
        root = arr
        while isinstance(root.base, np.ndarray):
            root = root.base
        sid = id(root) if root.nbytes else ("empty", id(t))
        try:
            from ember.nn.parameter import Parameter
            param = isinstance(t, Parameter)
        except ImportError:
            param = False
        attrs = dict(vars(t)) if hasattr(t, "__dict__") else {}
        return (t.dtype.name, tuple(arr.shape), t.stride(), t.storage_offset(), t.requires_grad, param,
                arr.tobytes(), sid, attrs)

    return Describer(info, kind)
