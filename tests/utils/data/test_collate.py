"""default_collate and default_convert against torch's, case by case."""
import collections
from typing import NamedTuple

import numpy as np
import pytest
import torch
import torch.utils.data

import ember
import ember.utils.data as data

Point = collections.namedtuple("Point", ["x", "y"])


class Pair(NamedTuple):
    a: object
    b: object


def both(make):
    """The same batch built for ember and for torch (``make(lib)`` may use ``lib.tensor``)."""
    return make(ember), make(torch)


COLLATE_CASES = {
    "float tensors": lambda L: [L.tensor([1.0, 2.0]), L.tensor([3.0, 4.0])],
    "int tensors 2d": lambda L: [L.tensor([[1, 2], [3, 4]]), L.tensor([[5, 6], [7, 8]])],
    "scalar tensors": lambda L: [L.tensor(1.5), L.tensor(2.5), L.tensor(3.5)],
    "bool tensors": lambda L: [L.tensor([True, False]), L.tensor([False, False])],
    "float64 tensors": lambda L: [L.tensor([1.0], dtype=L.float64), L.tensor([2.0], dtype=L.float64)],
    "numpy float32": lambda L: [np.ones((2, 3), np.float32), np.zeros((2, 3), np.float32)],
    "numpy int32": lambda L: [np.arange(3, dtype=np.int32), np.arange(3, 6, dtype=np.int32)],
    "numpy uint8": lambda L: [np.array([1, 255], np.uint8), np.array([2, 3], np.uint8)],
    "numpy 0-d": lambda L: [np.array(1.0), np.array(2.0)],
    "numpy scalars f32": lambda L: [np.float32(1.5), np.float32(2.5)],
    "numpy scalars i64": lambda L: [np.int64(1), np.int64(2)],
    "numpy scalars f64": lambda L: [np.float64(1.5), np.float64(2.5)],
    "numpy bools": lambda L: [np.bool_(True), np.bool_(False)],
    "python floats": lambda L: [1.5, 2.5, 3.0],
    "python ints": lambda L: [1, 2, 3],
    "python bools": lambda L: [True, False],
    "strings": lambda L: ["a", "bc"],
    "numpy str_": lambda L: [np.str_("a"), np.str_("b")],
    "bytes": lambda L: [b"x", b"yz"],
    "dict": lambda L: [{"x": L.tensor([1.0]), "y": 1}, {"x": L.tensor([2.0]), "y": 2}],
    "ordered dict": lambda L: [collections.OrderedDict(b=1, a=2.0), collections.OrderedDict(b=3, a=4.0)],
    "list samples": lambda L: [[1, 2.0, "s"], [3, 4.0, "t"]],
    "tuple samples": lambda L: [(L.tensor([1]), 2), (L.tensor([3]), 4)],
    "namedtuple": lambda L: [Point(1, 2.0), Point(3, 4.0)],
    "typing NamedTuple": lambda L: [Pair(L.tensor([1.0]), "s"), Pair(L.tensor([2.0]), "t")],
    "nested": lambda L: [
        {"img": np.ones((2, 2), np.float32), "meta": {"id": 1, "tags": ["a", "b"]}, "pt": Point(0.5, (1, 2))},
        {"img": np.zeros((2, 2), np.float32), "meta": {"id": 2, "tags": ["c", "d"]}, "pt": Point(1.5, (3, 4))},
    ],
    "single sample": lambda L: [(L.tensor([1.0, 2.0]), 7)],
}


@pytest.mark.parametrize("case", list(COLLATE_CASES))
def test_default_collate_matches_torch(case, same):
    ours, theirs = both(COLLATE_CASES[case])
    same(data.default_collate(ours), torch.utils.data.default_collate(theirs))


def test_collated_tensor_is_a_new_array_not_a_view():
    items = [ember.tensor([1.0, 2.0]), ember.tensor([3.0, 4.0])]
    batch = data.default_collate(items)
    batch[0, 0] = 9.0
    assert items[0].tolist() == [1.0, 2.0]


ERROR_CASES = {
    "ragged tensors": lambda L: [L.zeros(2), L.zeros(3)],
    "ragged tensors, different rank": lambda L: [L.zeros(2, 3), L.zeros(3)],
    "ragged numpy arrays": lambda L: [np.zeros(2), np.zeros(3)],
    "ragged lists": lambda L: [[1, 2], [1]],
    "object": lambda L: [object(), object()],
    "None": lambda L: [None, None],
    "complex": lambda L: [1j, 2j],
    "numpy strings": lambda L: [np.array(["a"]), np.array(["b"])],
    "numpy objects": lambda L: [np.array([None]), np.array([None])],
}


@pytest.mark.parametrize("case", list(ERROR_CASES))
def test_default_collate_errors_match_torch(case):
    ours, theirs = both(ERROR_CASES[case])
    with pytest.raises(Exception) as expected:
        torch.utils.data.default_collate(theirs)
    with pytest.raises(expected.type) as got:
        data.default_collate(ours)
    assert str(got.value) == str(expected.value)


CONVERT_CASES = {
    "int": lambda L: 0,
    "numpy array": lambda L: np.array([0, 1]),
    "numpy scalar": lambda L: np.float32(2.5),
    "numpy strings stay": lambda L: np.array(["a", "b"]),
    "namedtuple of arrays": lambda L: Point(np.array(0), np.array(1.5)),
    "list of arrays": lambda L: [np.array([0, 1]), np.array([2, 3])],
    "tuple becomes list": lambda L: (np.array([1]), "s", 3),
    "dict": lambda L: {"a": np.ones(2), "b": [np.zeros(1)], "c": "text"},
    "tensor passes": lambda L: L.tensor([1, 2]),
    "string": lambda L: "hello",
    "bytes": lambda L: b"hello",
}


@pytest.mark.parametrize("case", list(CONVERT_CASES))
def test_default_convert_matches_torch(case, same):
    ours, theirs = both(CONVERT_CASES[case])
    same(data.default_convert(ours), torch.utils.data.default_convert(theirs))


def test_custom_collate_fn_map():
    from ember.utils.data._utils.collate import collate, default_collate_fn_map

    def as_sum(batch, *, collate_fn_map):
        return sum(batch)

    custom = {**default_collate_fn_map, int: as_sum}
    assert collate([{"a": 1, "b": 2.0}, {"a": 3, "b": 4.0}], collate_fn_map=custom)["a"] == 4


def test_collate_keeps_requires_grad():
    a = ember.tensor([1.0], requires_grad=True)
    out = data.default_collate([a, ember.tensor([2.0])])
    assert out.requires_grad
