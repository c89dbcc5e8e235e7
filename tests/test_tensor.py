"""Tensor basics against torch: creation, dtypes, repr, conversion, layout, devices."""
import copy
import pickle

import numpy as np
import pytest
import torch

import ember
from helpers import assert_same, to_ember, to_torch


@pytest.mark.parametrize("data", [
    [1.0, 2.0], [[1, 2], [3, 4]], [True, False], 3.5, 7, [[1.5, -2.25]], [1, 2.5], [], [[]], [1e-5, 1.0],
    [1e10, 1.0], [[0.1234567, 100.5]], [float("nan"), 1.0, float("inf")], [2 ** 40, 1], [0.0, -0.0],
    [1, 2, 3] * 10, list(range(2000)), [[1.0] * 30] * 3, [123456789.0, 1.0],
])
def test_repr_matches_torch(data):
    assert repr(ember.tensor(data)) == repr(torch.tensor(data))


@pytest.mark.parametrize("dtype", ["float64", "float16", "bfloat16", "int32", "int8", "uint8", "bool", "int16"])
def test_repr_dtype_suffix(dtype):
    data = [[1, 0], [3, 2]]
    assert repr(ember.tensor(data, dtype=getattr(ember, dtype))) == \
        repr(torch.tensor(data, dtype=getattr(torch, dtype)))


def test_repr_grad_suffixes():
    e = ember.tensor([1.0, 2.0], requires_grad=True)
    t = torch.tensor([1.0, 2.0], requires_grad=True)
    assert repr(e) == repr(t)
    assert repr(e * 2) == repr(t * 2)
    assert repr(ember.zeros(2, 0, 3)) == repr(torch.zeros(2, 0, 3))
    assert repr(ember.tensor(2.5)) == repr(torch.tensor(2.5))
    assert repr(ember.zeros(3, 2, 2)) == repr(torch.zeros(3, 2, 2))
    rng = np.random.default_rng(0)
    a = rng.standard_normal((4, 3, 5)).astype(np.float32)
    assert repr(ember.tensor(a)) == repr(torch.tensor(a))
    big = rng.standard_normal((40, 50)).astype(np.float32)
    assert repr(ember.tensor(big)) == repr(torch.tensor(big))


@pytest.mark.parametrize("data", [[1, 2], [1.0, 2], [True, 1], 5, 5.0, True, [[1], [2]]])
def test_tensor_dtype_inference(data):
    assert ember.tensor(data).dtype is to_ember(torch.tensor(data)).dtype


def test_default_dtype():
    ember.set_default_dtype(ember.float64)
    assert ember.tensor([1.0]).dtype is ember.float64
    assert ember.zeros(2).dtype is ember.float64
    assert (ember.tensor([1, 2]) / 2).dtype is ember.float64
    ember.set_default_dtype(ember.float32)
    assert ember.get_default_dtype() is ember.float32
    with pytest.raises(TypeError):
        ember.set_default_dtype(ember.int64)


def test_from_numpy_shares_and_tensor_copies():
    a = np.zeros(3, np.float32)
    t = ember.from_numpy(a)
    c = ember.tensor(a)
    a[0] = 5
    assert t[0].item() == 5 and c[0].item() == 0
    assert ember.as_tensor(a) .data_ptr() == a.__array_interface__["data"][0]
    with pytest.raises(TypeError):
        ember.from_numpy([1, 2])


def test_creation_functions_match_torch():
    pairs = [
        (lambda L: L.zeros(2, 3), None), (lambda L: L.ones((2, 3), dtype=L.int32), None),
        (lambda L: L.full((2, 2), 7), None), (lambda L: L.full((2,), 1.5), None),
        (lambda L: L.full((2,), True), None),
        (lambda L: L.arange(5), None), (lambda L: L.arange(1, 4, 0.5), None), (lambda L: L.arange(0, 1, 0.1), None),
        (lambda L: L.arange(10, 0, -3), None), (lambda L: L.linspace(0, 1, 7), None),
        (lambda L: L.logspace(0, 2, 5), None), (lambda L: L.eye(3), None), (lambda L: L.eye(2, 4), None),
        (lambda L: L.zeros_like(L.ones(2, dtype=L.int64)), None), (lambda L: L.full_like(L.ones(2), 3), None),
        (lambda L: L.empty(2, 3).shape, None), (lambda L: L.tril_indices(3, 3), None),
    ]
    for fn, _ in pairs:
        e, t = fn(ember), fn(torch)
        if isinstance(t, torch.Size):
            assert tuple(e) == tuple(t)
        else:
            assert_same(e, t)


def test_random_shapes_dtypes_and_generator():
    g = ember.Generator().manual_seed(3)
    a = ember.rand(2, 3, generator=g)
    g.manual_seed(3)
    b = ember.rand(2, 3, generator=g)
    assert (a == b).all()
    assert ember.randn(4, dtype=ember.float64).dtype is ember.float64
    r = ember.randint(0, 5, (100,))
    assert r.dtype is ember.int64 and int(r.min()) >= 0 and int(r.max()) < 5
    p = ember.randperm(10)
    assert sorted(p.tolist()) == list(range(10))
    ember.manual_seed(7)
    x = ember.randn(3)
    ember.manual_seed(7)
    assert (ember.randn(3) == x).all()
    s = ember.get_rng_state()
    y = ember.rand(2)
    ember.set_rng_state(s)
    assert (ember.rand(2) == y).all()
    assert ember.initial_seed() == 7
    m = ember.multinomial(ember.tensor([0.0, 1.0, 0.0]), 1)
    assert m.tolist() == [1]
    t = ember.empty(1000).uniform_(-2, 2)
    assert float(t.min()) >= -2 and float(t.max()) <= 2
    n = ember.empty(20000).normal_(1.0, 2.0)
    assert abs(float(n.mean()) - 1.0) < 0.1 and abs(float(n.std()) - 2.0) < 0.1
    bern = ember.bernoulli(ember.full((1000,), 0.3))
    assert 0.2 < float(bern.mean()) < 0.4


def test_size_and_attributes():
    for lib in (ember, torch):
        x = lib.zeros(2, 3, 4)
        assert x.size() == (2, 3, 4) and x.size(-1) == 4 and x.shape[1:] == (3, 4)
        assert x.dim() == 3 and x.ndim == 3 and x.numel() == 24 and len(x) == 2
        assert x.element_size() == 4
        assert repr(x.shape) == "torch.Size([2, 3, 4])"
        assert x.T.shape == (4, 3, 2) if lib is ember else True
        assert x.mT.shape == (2, 4, 3)
        assert x.is_contiguous() and not x.transpose(0, 1).is_contiguous()
        assert x.transpose(0, 2).stride() == (1, 4, 12)
        assert x[1:, 1:].storage_offset() == 16
    with pytest.raises(IndexError, match="Dimension out of range"):
        ember.zeros(2).size(3)


def test_item_tolist_bool_index_len():
    assert ember.tensor([2.5]).item() == 2.5
    assert ember.tensor([[1, 2]]).tolist() == [[1, 2]]
    assert bool(ember.tensor([1])) is True
    with pytest.raises(RuntimeError, match="Boolean value of Tensor with more than one value is ambiguous"):
        bool(ember.tensor([1, 2]))
    assert [10, 20, 30][ember.tensor(1)] == 20
    with pytest.raises(RuntimeError, match="a Tensor with 2 elements cannot be converted to Scalar"):
        ember.tensor([1, 2]).item()
    assert ember.tensor([1.0, 2.0], dtype=ember.bfloat16).tolist() == [1.0, 2.0]
    assert [v.item() for v in ember.tensor([3, 4])] == [3, 4]


def test_numpy_requires_grad_error():
    for lib in (ember, torch):
        x = lib.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError, match=r"Can't call numpy\(\) on Tensor that requires grad. Use "
                                               r"tensor.detach\(\).numpy\(\) instead."):
            x.numpy()
    assert isinstance(np.asarray(ember.ones(2)), np.ndarray)


def test_to_and_type_conversions():
    x = ember.tensor([1.5, -2.5])
    assert x.to(ember.int64).tolist() == [1, -2]
    assert x.to("cpu") is x
    assert x.to(ember.float32) is x
    assert x.to(ember.float32, copy=True) is not x
    assert x.double().dtype is ember.float64
    assert x.half().dtype is ember.float16
    assert x.bfloat16().dtype is ember.bfloat16
    assert x.long().dtype is ember.int64 and x.int().dtype is ember.int32 and x.bool().dtype is ember.bool
    assert x.type() == "torch.FloatTensor"
    assert x.type(ember.float64).dtype is ember.float64
    assert x.to(ember.zeros(1, dtype=ember.float64)).dtype is ember.float64
    y = ember.ones(2, requires_grad=True)
    z = y.double()
    z.sum().backward()
    assert y.grad.dtype is ember.float32


def test_cuda_without_cupy_is_clear():
    pytest.importorskip("numpy")
    try:
        import cupy  # noqa: F401
        pytest.skip("CuPy present")
    except ImportError:
        pass
    assert not ember.cuda.is_available()
    with pytest.raises(RuntimeError, match="CuPy"):
        ember.ones(2).to("cuda")


def test_device_parsing():
    d = ember.device("cuda:1")
    assert d.type == "cuda" and d.index == 1 and str(d) == "cuda:1"
    assert repr(ember.device("cpu")) == repr(torch.device("cpu"))
    assert repr(ember.device("cuda", 0)) == repr(torch.device("cuda", 0))
    assert ember.device("cpu") == "cpu"
    assert ember.ones(1).device == ember.device("cpu")
    with pytest.raises(RuntimeError):
        ember.device("tpu")


def test_dtype_objects():
    assert repr(ember.float32) == "torch.float32"
    assert ember.float is ember.float32 and ember.double is ember.float64 and ember.long is ember.int64
    assert ember.float32.is_floating_point and not ember.int64.is_floating_point
    assert ember.promote_types(ember.int32, ember.float16) is ember.float16
    assert ember.finfo(ember.float32).eps == torch.finfo(torch.float32).eps
    assert ember.iinfo(ember.int8).max == 127
    assert ember.finfo(ember.bfloat16).eps == torch.finfo(torch.bfloat16).eps
    for a in ("int8", "uint8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64", "bool"):
        for b in ("int8", "uint8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64", "bool"):
            assert ember.promote_types(getattr(ember, a), getattr(ember, b)).name == \
                str(torch.promote_types(getattr(torch, a), getattr(torch, b))).split(".")[1]


def test_deepcopy_and_pickle():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = copy.deepcopy(x)
    assert y.requires_grad and y.tolist() == [1.0, 2.0] and y.data_ptr() != x.data_ptr()
    z = pickle.loads(pickle.dumps(x))
    assert z.requires_grad and z.tolist() == [1.0, 2.0]
    with pytest.raises(RuntimeError, match="Only Tensors created explicitly by the user"):
        copy.deepcopy(x * 2)


def test_clone_contiguous_new_methods():
    x = ember.arange(6.0).reshape(2, 3)
    t = x.t()
    c = t.contiguous()
    assert c.is_contiguous() and c.tolist() == t.tolist()
    assert x.contiguous() is x
    assert x.new_zeros(2).dtype is ember.float32 and x.new_ones((1, 2)).shape == (1, 2)
    assert x.new_full((2,), 4).tolist() == [4.0, 4.0]
    assert x.new_tensor([1, 2]).dtype is ember.float32
    x.fill_(3)
    assert x.sum().item() == 18
    x.zero_()
    assert x.sum().item() == 0
    y = ember.zeros(3)
    y.copy_(ember.tensor([1, 2, 3]))
    assert y.tolist() == [1.0, 2.0, 3.0]


def test_legacy_tensor_constructor():
    assert ember.Tensor(2, 3).shape == (2, 3)
    assert ember.Tensor([1, 2]).dtype is ember.float32
    assert isinstance(ember.ones(1), ember.Tensor)
    assert ember.is_tensor(ember.ones(1)) and not ember.is_tensor(1)


def test_legacy_typed_constructors():
    for name in ("FloatTensor", "DoubleTensor", "LongTensor", "IntTensor", "BoolTensor", "ByteTensor"):
        e, t = getattr(ember, name)([1, 0, 200]), getattr(torch, name)([1, 0, 200])
        assert_same(e, t)
        assert tuple(getattr(ember, name)(2, 3).shape) == (2, 3)
    assert ember.LongTensor([2 ** 40]).item() == 2 ** 40
