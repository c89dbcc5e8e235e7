"""Turning a list of samples into a batch (``default_collate``) and a single sample into tensors
(``default_convert``), by element type, with torch's output types.

``collate(batch, collate_fn_map=...)`` is the extensible form: a map from element type to a function
``fn(batch, *, collate_fn_map)``; an exact type match wins, otherwise the first key the element is an
instance of, in insertion order; containers recurse.
"""
from __future__ import annotations

import collections.abc
import copy
import re

import numpy as np

from ....tensor import Tensor

__all__ = ["default_collate", "default_convert", "collate", "default_collate_fn_map", "collate_tensor_fn",
           "collate_numpy_array_fn", "collate_numpy_scalar_fn", "collate_float_fn", "collate_int_fn",
           "collate_str_fn", "default_collate_err_msg_format", "np_str_obj_array_pattern"]

# NumPy dtype codes torch has no tensor for: bytes (S), unicode (U), void (V as 'a' in old numpy), object (O).
_NON_NUMERIC = re.compile(r"[SaUO]")

_ERR = "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"

# Under torch's names too: custom collate functions copied from torch's docs and repos reuse them.
default_collate_err_msg_format = _ERR
np_str_obj_array_pattern = _NON_NUMERIC


def _ember():
    import ember  # noqa: PLC0415  (the core sits below utils.data)
    return ember


def _is_namedtuple(obj):
    # torch.return_types (max, sort, ...) are structseqs in torch, without _fields: plain tuples here too,
    # although ember builds them as named tuples.
    return isinstance(obj, tuple) and hasattr(obj, "_fields") and type(obj).__module__ != "torch.return_types"


# ----------------------------------------------------------------------------------------------------------
# default_convert
# ----------------------------------------------------------------------------------------------------------

def default_convert(data):
    """NumPy arrays and scalars become tensors, inside any mapping or sequence; everything else is kept.

    Tuples come back as lists and named tuples keep their type, as in torch.
    """
    kind = type(data)
    if isinstance(data, Tensor):
        return data
    if kind.__module__ == "numpy" and kind.__name__ not in ("str_", "bytes_", "string_"):
        if isinstance(data, np.ndarray) and _NON_NUMERIC.search(data.dtype.str) is not None:
            return data
        return _ember().as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return _rebuild_mapping(data, {key: default_convert(data[key]) for key in data})
    if _is_namedtuple(data):
        return kind(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild_sequence(data, [default_convert(d) for d in data])
    return data


def _rebuild_mapping(like, values: dict):
    """A mapping of ``like``'s type holding ``values``; a plain dict when that type cannot be rebuilt."""
    try:
        if isinstance(like, collections.abc.MutableMapping):
            clone = copy.copy(like)  # keeps subclass attributes (OrderedDict order, defaultdict factory)
            clone.update(values)
            return clone
        return type(like)(values)
    except TypeError:
        return values


def _rebuild_sequence(like, values: list):
    try:
        if isinstance(like, collections.abc.MutableSequence):
            clone = copy.copy(like)
            for i, v in enumerate(values):
                clone[i] = v
            return clone
        return type(like)(values)
    except TypeError:
        return values


# ----------------------------------------------------------------------------------------------------------
# collate
# ----------------------------------------------------------------------------------------------------------

def collate(batch, *, collate_fn_map=None):
    """Collate ``batch`` (a list of samples), dispatching on the type of its first element."""
    elem = batch[0]
    kind = type(elem)
    if collate_fn_map is not None:
        if kind in collate_fn_map:
            return collate_fn_map[kind](batch, collate_fn_map=collate_fn_map)
        for key, fn in collate_fn_map.items():
            if isinstance(elem, key):
                return fn(batch, collate_fn_map=collate_fn_map)
    if isinstance(elem, collections.abc.Mapping):
        return _rebuild_mapping(elem, {key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map)
                                       for key in elem})
    if _is_namedtuple(elem):
        return kind(*(collate(column, collate_fn_map=collate_fn_map) for column in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(sample) != size for sample in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        # Columns stay the tuples zip makes: torch hands str/bytes columns back as those tuples.
        columns = [collate(column, collate_fn_map=collate_fn_map) for column in zip(*batch)]
        if isinstance(elem, tuple):
            return columns  # torch returns a list for tuples, and code relies on it
        return _rebuild_sequence(elem, columns)
    raise TypeError(_ERR.format(kind))


def collate_tensor_fn(batch, *, collate_fn_map=None):
    ember = _ember()
    for i, t in enumerate(batch):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}")
    first = tuple(batch[0].shape)
    for i, t in enumerate(batch):
        if tuple(t.shape) != first:  # checked here so the message is torch's whatever stack says
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(first)} at entry 0 "
                               f"and {list(t.shape)} at entry {i}")
    return ember.stack(batch, 0)


def collate_numpy_array_fn(batch, *, collate_fn_map=None):
    elem = batch[0]
    if _NON_NUMERIC.search(elem.dtype.str) is not None:
        raise TypeError(_ERR.format(elem.dtype))
    ember = _ember()
    return collate([ember.as_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch, *, collate_fn_map=None):
    # The list itself, not np.asarray(batch): the dtype follows torch's promotion of the elements' types
    # (int64 with float32 gives float32, where NumPy would give float64).
    return _ember().as_tensor(batch)


def collate_float_fn(batch, *, collate_fn_map=None):
    ember = _ember()
    return ember.tensor(batch, dtype=ember.float64)


def collate_int_fn(batch, *, collate_fn_map=None):
    return _ember().tensor(batch)  # int64, or bool for a batch of bools (bool is an int subclass)


def collate_str_fn(batch, *, collate_fn_map=None):
    return batch


default_collate_fn_map: dict = {
    Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,
    (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,  # before float: np.float64 is a float
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def default_collate(batch):
    """Stack a list of samples into a batch, recursing into containers.

    tensors and NumPy arrays are stacked along a new first dimension; Python floats give a float64 tensor,
    ints an int64 tensor; str and bytes stay lists; mappings, named tuples and sequences keep their
    structure (tuples become lists).

    >>> default_collate([{"x": 1, "y": "a"}, {"x": 2, "y": "b"}])["y"]
    ['a', 'b']
    """
    return collate(batch, collate_fn_map=default_collate_fn_map)
