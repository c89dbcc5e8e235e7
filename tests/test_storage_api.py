"""``Tensor.untyped_storage()`` / ``Tensor.storage()`` read as torch's (sizes, sharing, element lists, reprs,
the deprecation warning), and integer indexing's node types, compared with torch on the same snippet."""
import contextlib
import io
import re
import warnings

import torch

import ember

STORAGE = """
x = L.arange(4.)
s = x.untyped_storage()
print(type(s).__name__, s.nbytes(), s.size(), len(s), s.element_size(), s.device, s[4], s.tolist()[:8])
print(s.is_shared(), s.is_pinned(), s.type())
print(x[1:3].untyped_storage().nbytes(), x[1:3].untyped_storage().data_ptr() == x.data_ptr())
print(s)
t = x.storage()
print(type(t).__name__, t.size(), len(t), t.dtype, t.nbytes(), t.element_size(), t[1], t.tolist(), t.device)
print(repr(t))
print(x[2:].storage().data_ptr() == x.data_ptr(), x[2:].storage().size())
print(L.is_storage(s), L.is_storage(t), L.is_storage(x), t.untyped().nbytes(), t.type())
print(L.tensor([1, 2], dtype=L.int32).storage())
y = x.view(2, 2).t()
print(y.untyped_storage().data_ptr() == x.untyped_storage().data_ptr())
print(y.contiguous().untyped_storage().data_ptr() == x.untyped_storage().data_ptr())
print(x.clone().untyped_storage().data_ptr() == x.untyped_storage().data_ptr())
print(L.tensor([True, False]).storage().tolist(), L.zeros(2, dtype=L.bfloat16).storage().type())
"""


def _run(src, lib):
    out = io.StringIO()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with contextlib.redirect_stdout(out):
            exec(src, {"L": lib})
    return out.getvalue(), [str(w.message) for w in caught]


def test_storage_views_match_torch():
    import ember._storage as st
    st._warned[0] = False
    got, want = _run(STORAGE, ember), _run(STORAGE, torch)
    assert got[0] == want[0]
    assert len(got[1]) == 1 and got[1][0].startswith("TypedStorage is deprecated")   # once per process
    if want[1]:                   # torch warns once per process too: only when it has not warned yet
        assert got[1] == want[1]


def test_integer_index_node_types():
    src = ("x = L.tensor([1.0, 2.0], requires_grad=True); y = L.ones(2, 3, requires_grad=True)\n"
           "print([type(e.grad_fn).__name__ for e in (x[0], x[..., 0], x[0:1], y[0], y[0, 1], y[:, 0], y[..., 1],"
           " y[0, None], y[None, 0], y[:])])\n"
           "z = y[1]; (z * 2).sum().backward(); print(y.grad)")
    assert re.sub(" at 0x[0-9a-f]+", "", _run(src, ember)[0]) == re.sub(" at 0x[0-9a-f]+", "", _run(src, torch)[0])


def test_core_classes_print_as_torch():
    src = ("print(type(L.ones(1)), type(L.nn.Parameter(L.ones(1))), L.Tensor, L.nn.Parameter)\n"
           "print(type(L.Size([1])), type(L.float32), type(L.device('cpu')), type(L.ones(2).shape))\n"
           "print(L.nn.parameter.UninitializedParameter, type(L.nn.Buffer(L.ones(1))))\n"
           "class MyT(L.Tensor):\n    pass\nprint(MyT, type(L.ones(2).dtype), L.ones(1).__class__)")
    assert _run(src, ember)[0] == _run(src, torch)[0]
