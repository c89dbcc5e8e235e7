"""nn.utils.rnn against torch: packing, padding and their gradients, PackedSequence."""
import numpy as np
import pytest
import torch
from torch.nn.utils import rnn as trnn

import ember
from helpers import assert_same, to_ember

E = ember.nn.utils.rnn


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("enforce_sorted", [True, False])
def test_pack_pad_roundtrip_and_grads(batch_first, enforce_sorted):
    lengths = [5, 3, 3, 1] if enforce_sorted else [3, 5, 1, 3]
    x = torch.randn((4, 5, 2) if batch_first else (5, 4, 2), dtype=torch.float64)
    xt, xe = x.clone().requires_grad_(), to_ember(x).requires_grad_()
    pt = trnn.pack_padded_sequence(xt, lengths, batch_first=batch_first, enforce_sorted=enforce_sorted)
    pe = E.pack_padded_sequence(xe, ember.tensor(lengths), batch_first=batch_first, enforce_sorted=enforce_sorted)
    assert_same(pe.data, pt.data)
    assert_same(pe.batch_sizes, pt.batch_sizes)
    for a, b in ((pe.sorted_indices, pt.sorted_indices), (pe.unsorted_indices, pt.unsorted_indices)):
        assert (a is None) == (b is None)
        if b is not None:
            assert_same(a, b)
    yt, lt = trnn.pad_packed_sequence(pt, batch_first=batch_first, padding_value=-1.5, total_length=7)
    ye, le = E.pad_packed_sequence(pe, batch_first=batch_first, padding_value=-1.5, total_length=7)
    assert_same(ye, yt)
    assert_same(le, lt)
    w = torch.randn(yt.shape, dtype=torch.float64)
    (yt * w).sum().backward()
    (ye * to_ember(w)).sum().backward()
    assert_same(xe.grad, xt.grad)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("padding_side", ["right", "left"])
def test_pad_unpad_pack_unpack_sequence(batch_first, padding_side):
    seqs = [torch.randn(n, 3) for n in (2, 5, 3)]
    st = [s.clone().requires_grad_() for s in seqs]
    se = [to_ember(s).requires_grad_() for s in seqs]
    pt = trnn.pad_sequence(st, batch_first=batch_first, padding_value=2.0, padding_side=padding_side)
    pe = E.pad_sequence(se, batch_first=batch_first, padding_value=2.0, padding_side=padding_side)
    assert_same(pe, pt)
    pt.pow(2).sum().backward()
    pe.pow(2).sum().backward()
    for a, b in zip(se, st):
        assert_same(a.grad, b.grad)
    if padding_side == "right":
        lens = torch.tensor([2, 5, 3])
        for a, b in zip(E.unpad_sequence(pe, to_ember(lens), batch_first=batch_first),
                        trnn.unpad_sequence(pt, lens, batch_first=batch_first)):
            assert_same(a, b)
    packed_t = trnn.pack_sequence(seqs, enforce_sorted=False)
    packed_e = E.pack_sequence([to_ember(s) for s in seqs], enforce_sorted=False)
    assert_same(packed_e.data, packed_t.data)
    for a, b in zip(E.unpack_sequence(packed_e), trnn.unpack_sequence(packed_t)):
        assert_same(a, b)


def test_packed_sequence_is_a_namedtuple_with_to():
    p = E.pack_sequence([ember.ones(3, 2), ember.ones(2, 2)])
    data, batch_sizes, sorted_indices, unsorted_indices = p
    assert p._fields == ("data", "batch_sizes", "sorted_indices", "unsorted_indices")
    assert sorted_indices is None and unsorted_indices is None
    assert batch_sizes.dtype is ember.int64 and batch_sizes.tolist() == [2, 2, 1]
    q = p.to(ember.float64)
    assert isinstance(q, E.PackedSequence) and q.data.dtype is ember.float64 and q.batch_sizes is p.batch_sizes
    assert p.double().data.dtype is ember.float64 and p.to("cpu") is p
    r = E.PackedSequence(p.data, p.batch_sizes, ember.tensor([1, 0]))
    assert r.unsorted_indices.tolist() == [1, 0]


@pytest.mark.parametrize("call", [
    lambda m, x: m.pack_padded_sequence(x, [2, 3]),
    lambda m, x: m.pack_padded_sequence(x, [3, 0], enforce_sorted=False),
    lambda m, x: m.pad_packed_sequence(m.pack_padded_sequence(x, [3, 2]), total_length=2),
    lambda m, x: m.pad_sequence([x[0]], padding_side="middle"),
])
def test_errors_match_torch(call):
    def run(mod, x):
        try:
            call(mod, x)
        except Exception as exc:  # noqa: BLE001
            return type(exc), str(exc)
    x = np.zeros((3, 2, 1), np.float32)
    t, e = run(trnn, torch.tensor(x)), run(E, ember.tensor(x))
    assert t is not None and e == t
