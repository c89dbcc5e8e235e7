"""Shape, indexing and linear-algebra ops (``op_db_shape.OPS_SHAPE``) against torch: values and dtypes,
gradients for a random cotangent, ``gradcheck`` in float64, ``gradgradcheck`` where torch has a double
backward, view semantics (memory sharing, strides, offsets, contiguity), in-place writes through views under
autograd, the version counter, and torch's errors."""
from __future__ import annotations

import builtins
import warnings

import numpy as np
import pytest
import torch

import ember
from helpers import assert_same, to_ember, to_numpy
from op_db import OPS, BF16, F16, F32, F64
from op_db_shape import Arr

SHAPE_OPS = [r for r in OPS if "shape" in r.tags]


# ----------------------------------------------------------------------------------------------------------
# running one record in both libraries
# ----------------------------------------------------------------------------------------------------------

def _convert(x, dtype, leaves):
    """(torch, ember) versions of a sample argument; floating ``Arr`` leaves are collected in ``leaves``."""
    if isinstance(x, Arr):
        d = x.dtype or dtype
        t = torch.tensor(x.array).to(getattr(torch, d))
        e = to_ember(t)
        if x.grad and t.dtype.is_floating_point:
            leaves.append((t, e))
        return t, e
    if isinstance(x, (list, tuple)):
        pairs = [_convert(v, dtype, leaves) for v in x]
        return type(x)(p[0] for p in pairs), type(x)(p[1] for p in pairs)
    return x, x


def _call(rec, T, args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return rec.op(T, *args)


def _flat(out):
    if isinstance(out, (tuple, list)) and not isinstance(out, (torch.Size, ember.Size)):
        return [y for o in out for y in _flat(o)]
    return [out]


def _builtin_type(exc):
    for cls in type(exc).__mro__:
        if cls.__module__ == "builtins":
            return cls
    return Exception


def compare(out_e, out_t, rtol, atol):
    if isinstance(out_t, tuple) and hasattr(out_t, "_fields") or type(out_t).__module__ == "torch.return_types":
        assert type(out_e).__name__ == type(out_t).__name__, f"{type(out_e).__name__} != {type(out_t).__name__}"
    if isinstance(out_t, torch.Size):
        assert tuple(out_e) == tuple(out_t)
        return
    if isinstance(out_t, (tuple, list)):
        assert isinstance(out_e, (tuple, list)) and len(out_e) == len(out_t), f"{out_e!r} vs {out_t!r}"
        for a, b in zip(out_e, out_t):
            compare(a, b, rtol, atol)
        return
    assert_same(out_e, out_t, rtol, atol)


def _tol(rec, dtype):
    if dtype == F16:
        return 2e-3, 2e-3
    if dtype == BF16:
        return 2e-2, 2e-2
    if dtype == F64:
        return 1e-7, 1e-9
    return rec.rtol, rec.atol


def run_both(rec, sample, dtype, grad=True):
    leaves = []
    t_args, e_args = _convert(sample, dtype, leaves)
    diff = grad and rec.differentiable and dtype in (F32, F64)
    if diff:
        for t, e in leaves:
            t.requires_grad_(True)
            e.requires_grad_(True)
    try:
        out_t = _call(rec, torch, t_args)
    except Exception as exc:
        with pytest.raises(_builtin_type(exc)):
            _call(rec, ember, e_args)
        return None
    out_e = _call(rec, ember, e_args)
    rtol, atol = _tol(rec, dtype)
    compare(out_e, out_t, rtol, atol)
    if not diff or not leaves:
        return out_e, out_t, e_args, t_args
    pairs = [(e, t) for e, t in zip(_flat(out_e), _flat(out_t)) if isinstance(t, torch.Tensor)]
    for e, t in pairs:
        assert e.requires_grad == t.requires_grad, f"requires_grad {e.requires_grad} != torch {t.requires_grad}"
    pairs = [(e, t) for e, t in pairs if t.requires_grad and t.numel() >= 0]
    if not pairs:
        return out_e, out_t, e_args, t_args
    rng = np.random.default_rng(1)
    cot_t = [torch.tensor(rng.standard_normal(t.shape)).to(t.dtype) for _, t in pairs]
    cot_e = [to_ember(c) for c in cot_t]
    gt = torch.autograd.grad([t for _, t in pairs], [t for t, _ in leaves], cot_t, allow_unused=True)
    ge = ember.autograd.grad([e for e, _ in pairs], [e for _, e in leaves], cot_e, allow_unused=True)
    for i, (a, b) in enumerate(zip(ge, gt)):
        if b is None:
            assert a is None or not to_numpy(a).any(), f"input {i}: torch has no gradient, ember has {a}"
            continue
        assert a is not None, f"input {i}: ember has no gradient"
        assert_same(a, b, builtins.max(rtol, 1e-4) if b.dtype == torch.float32 else rtol, atol * 10)
    return out_e, out_t, e_args, t_args


def _value_cases():
    for rec in SHAPE_OPS:
        for d in rec.dtypes:
            yield pytest.param(rec, d, id=f"{rec.name}-{d}")


@pytest.mark.parametrize("rec,dtype", list(_value_cases()))
def test_values_and_grads(rec, dtype):
    rng = np.random.default_rng(0)
    for k, sample in enumerate(rec.samples(rng, dtype)):
        try:
            run_both(rec, sample, dtype)
        except AssertionError as exc:
            raise AssertionError(f"sample {k}: {exc}") from None


# ----------------------------------------------------------------------------------------------------------
# view semantics of the view ops
# ----------------------------------------------------------------------------------------------------------

def _view_cases():
    for rec in SHAPE_OPS:
        if rec.view:
            yield pytest.param(rec, id=rec.name)


def _shares(a, b):
    return a.numel() > 0 and np.shares_memory(a._data, b._data)


@pytest.mark.parametrize("rec", list(_view_cases()))
def test_view_layout(rec):
    rng = np.random.default_rng(0)
    for k, sample in enumerate(rec.samples(rng, F32)):
        leaves = []
        t_args, e_args = _convert(sample, F32, leaves)
        try:
            out_t = _call(rec, torch, t_args)
        except Exception:  # noqa: BLE001 - error samples are checked by test_values_and_grads
            continue
        out_e = _call(rec, ember, e_args)
        x_t, x_e = t_args[0], e_args[0]
        ctx = f"sample {k}"
        assert out_e.is_contiguous() == out_t.is_contiguous(), ctx
        assert out_e.stride() == out_t.stride(), f"{ctx}: stride {out_e.stride()} != torch {out_t.stride()}"
        if out_t.numel():   # NumPy does not move the data pointer of an empty slice; torch clamps it
            assert out_e.storage_offset() == out_t.storage_offset(), ctx
        assert out_e._is_view() == out_t._is_view(), ctx
        if out_t.numel():
            assert _shares(out_e, x_e), f"{ctx}: the view does not share memory with its base"
            before = x_e._version
            out_e.add_(0) if out_t.stride().count(0) == 0 or out_t.numel() == 1 else x_e.add_(0)
            assert x_e._version == out_e._version == before + 1, f"{ctx}: version counter not shared"


def test_view_requires_contiguous_layout():
    for T in (torch, ember):
        x = T.arange(12.0).reshape(3, 4)
        with pytest.raises(RuntimeError) as info:
            x.t().view(12)
        msg = str(info.value)
        if T is torch:
            expected = msg
    assert msg == expected


def test_reshape_views_when_it_can_and_copies_otherwise():
    for T in (torch, ember):
        x = T.arange(12.0).reshape(3, 4)
        assert x.reshape(4, 3)._base is x._base      # _base is always the tensor owning the memory
        y = x.t().reshape(12)
        assert y._base is None and y.is_contiguous()
        y[0] = 100
        assert x[0, 0].item() == 0
        z = x[:, :2].reshape(3, 2, 1)        # a view is possible here
        z[0, 0, 0] = 7
        assert x[0, 0].item() == 7
        assert z._base is x._base


def test_chained_view_layout():
    def run(T):
        x = T.arange(60.0).reshape(3, 4, 5)
        v = x.permute(2, 0, 1)[1:, ::2].transpose(0, 2).unsqueeze(1)[..., 1]
        return v, (v.stride(), v.storage_offset(), v.is_contiguous(), v.shape)
    (ve, le), (vt, lt) = run(ember), run(torch)
    assert le == (lt[0], lt[1], lt[2], ember.Size(lt[3]))
    assert_same(ve, vt)


def test_view_write_propagates_to_base_and_back():
    for T in (torch, ember):
        x = T.zeros(2, 3)
        v = x[1]
        v.fill_(5)
        x[:, 0] = 1
        assert v.tolist() == [1.0, 5.0, 5.0]
        assert x.tolist() == [[1.0, 0.0, 0.0], [1.0, 5.0, 5.0]]


# ----------------------------------------------------------------------------------------------------------
# gradcheck / gradgradcheck in float64
# ----------------------------------------------------------------------------------------------------------

def _grad_cases():
    for rec in SHAPE_OPS:
        if rec.differentiable and F64 in rec.dtypes:
            yield pytest.param(rec, id=rec.name)


@pytest.mark.parametrize("rec", list(_grad_cases()))
def test_gradcheck(rec):
    rng = np.random.default_rng(0)
    sample = rec.samples(rng, F64)[rec.gc_sample]
    leaves = []
    _, e_args = _convert(sample, F64, leaves)
    e_leaves = [e for _, e in leaves]
    assert e_leaves, "no floating input to check"
    for e in e_leaves:
        e.requires_grad_(True)
    ids = {id(e): i for i, e in enumerate(e_leaves)}

    def substitute(x, xs):
        if isinstance(x, ember.Tensor) and id(x) in ids:
            return xs[ids[id(x)]]
        if isinstance(x, (list, tuple)) and not isinstance(x, ember.Size):
            return type(x)(substitute(v, xs) for v in x)
        return x

    def fn(*xs):
        out = _call(rec, ember, substitute(e_args, xs))
        return tuple(o for o in _flat(out) if isinstance(o, ember.Tensor) and o.requires_grad)

    assert ember.autograd.gradcheck(fn, tuple(e_leaves), eps=1e-6, atol=1e-5, rtol=1e-3)
    if rec.gradgrad:
        assert ember.autograd.gradgradcheck(fn, tuple(e_leaves), eps=1e-6, atol=1e-5, rtol=1e-3)


# ----------------------------------------------------------------------------------------------------------
# in-place writes through views under autograd, and the version counter
# ----------------------------------------------------------------------------------------------------------

def _both(fn):
    """``fn(T, a, b)`` with fresh float64 leaves in each library; returns ember's and torch's results."""
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal((3, 4)), rng.standard_normal(3)
    out = []
    for T in (ember, torch):
        ta = T.tensor(a, requires_grad=True)
        tb = T.tensor(b, requires_grad=True)
        out.append(fn(T, ta, tb))
    return out


INPLACE_CASES = {
    "row_mul_": lambda T, a, b: _grads(T, a, b, lambda y: y[0].mul_(2)),
    "column_setitem": lambda T, a, b: _grads(T, a, b, lambda y: y.__setitem__((slice(None), 1), b * 3)),
    "view_of_view_add_": lambda T, a, b: _grads(T, a, b, lambda y: y[1:][:, ::2].add_(b[1:, None] + y[0, :2])),
    "transposed_view_mul_": lambda T, a, b: _grads(T, a, b, lambda y: y.t()[1].mul_(b)),
    "setitem_then_use_view": lambda T, a, b: _grads(T, a, b, lambda y: y[2].copy_(b.sum() + y[0]), use_view=True),
    "saved_view_modified": lambda T, a, b: (lambda r: (r[0], r[1].split(":")[0]))(_message(
        lambda: _grads(T, a, b, lambda y: y[1:][:, ::2].add_(b[1:, None] * y[0, :2])))),
    "base_inplace_then_view": lambda T, a, b: _base_then_view(T, a, b),
    "masked_setitem": lambda T, a, b: _grads(T, a, b, lambda y: y.__setitem__(y > 0, b[0])),
    "advanced_setitem": lambda T, a, b: _grads(T, a, b, lambda y: y.__setitem__(T.tensor([2, 0]), b[:2, None])),
    "unsqueeze_view_sigmoid_": lambda T, a, b: _grads(T, a, b, lambda y: y.unsqueeze(0)[0, 1].sigmoid_()),
}


def _grads(T, a, b, write, use_view=False):
    y = a * 1.5
    write(y)
    loss = (y * y).sum() + (y[2].sum() if use_view else 0)
    ga, gb = T.autograd.grad(loss, [a, b], allow_unused=True)
    return y.detach(), ga, gb


def _base_then_view(T, a, b):
    y = a * 1.0
    v = y[:2]
    y.mul_(b[:, None])            # the base changes after the view was taken: the view sees it
    loss = (v * v).sum()
    return (v.detach(),) + tuple(T.autograd.grad(loss, [a, b]))


@pytest.mark.parametrize("name", list(INPLACE_CASES))
def test_inplace_through_views(name):
    e, t = _both(INPLACE_CASES[name])
    for x, y in zip(e, t):
        if isinstance(y, (str, type)):
            assert x == y
        elif y is None:
            assert x is None or not to_numpy(x).any()
        else:
            assert_same(x, y, 1e-10, 1e-12)


def _message(fn):
    try:
        fn()
    except Exception as exc:  # noqa: BLE001 - the message is what is compared
        return type(exc), str(exc)
    return None, None


def test_inplace_on_view_of_leaf_raises():
    msgs = []
    for T in (ember, torch):
        a = T.ones(3, requires_grad=True)
        msgs.append(_message(lambda: a[0].mul_(2)))
        msgs.append(_message(lambda: a.__setitem__(0, 2.0)))
    assert msgs[0][1] == msgs[2][1] and msgs[1][1] == msgs[3][1]
    assert msgs[0][0] is RuntimeError and msgs[1][0] is RuntimeError


def test_modified_saved_tensor_raises_version_error():
    out = []
    for T in (ember, torch):
        a = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = a.exp()               # exp saves its output
        z = y * 2
        y.add_(1)                 # direct in-place: y is now at version 1
        out.append(_message(lambda: z.sum().backward() or (y.sum() + 0).backward()))
        b = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
        w = b * 1
        s = w.sigmoid()           # saves its output
        s2 = s * 1
        s[1:].mul_(3)             # through a view: the shared version counter is bumped
        out.append(_message(lambda: s2.sum().backward() or s.sum().backward()))
        c = T.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        m = c * 1
        p = m @ m                 # mm saves both operands
        m[0, 0] = 5.0
        out.append(_message(lambda: p.sum().backward()))
    (e1, e2, e3), (t1, t2, t3) = out[:3], out[3:]
    for (te, me), (tt, mt) in ((e1, t1), (e2, t2), (e3, t3)):
        assert te is RuntimeError and tt is RuntimeError
        assert me.startswith("one of the variables needed for gradient computation has been modified by an inplace "
                             "operation"), me
        assert me.split(":", 1)[1].split(";")[0].split("]")[0] == mt.split(":", 1)[1].split(";")[0].split("]")[0]
        assert "is at version" in me and me.split("is at version")[1][:4] == mt.split("is at version")[1][:4]


# ----------------------------------------------------------------------------------------------------------
# errors: torch's exception types and wording
# ----------------------------------------------------------------------------------------------------------

def _f(*shape, dtype="float32"):
    return lambda T: T.arange(float(np.prod(shape))).reshape(shape).to(getattr(T, dtype)) / 7


ERROR_CASES = {
    "view_bad_size": lambda T: T.ones(2, 3).view(4),
    "view_two_inferred": lambda T: T.ones(2, 3).view(-1, -1),
    "reshape_bad_size": lambda T: T.ones(2, 3).reshape(5, -1),
    "expand_bad": lambda T: T.ones(2, 3).expand(3, 3),
    "expand_fewer_dims": lambda T: T.ones(2, 3).expand(3),
    "permute_wrong_len": lambda T: T.ones(2, 3).permute(0),
    "permute_repeated": lambda T: T.ones(2, 3).permute(0, 0),
    "transpose_out_of_range": lambda T: T.ones(2, 3).transpose(0, 2),
    "squeeze_out_of_range": lambda T: T.ones(2, 3).squeeze(3),
    "t_3d": lambda T: T.ones(2, 3, 4).t(),
    "cat_mismatch": lambda T: T.cat([T.ones(2, 3), T.ones(2, 4)]),
    "cat_ndim": lambda T: T.cat([T.ones(2, 3), T.ones(3)]),
    "cat_0d": lambda T: T.cat([T.tensor(1.0), T.tensor(2.0)]),
    "cat_empty_list": lambda T: T.cat([]),
    "stack_mismatch": lambda T: T.stack([T.ones(2), T.ones(3)]),
    "split_bad_sections": lambda T: T.ones(5).split([2, 2]),
    "chunk_zero": lambda T: T.ones(5).chunk(0),
    "narrow_out_of_range": lambda T: T.ones(5).narrow(0, 3, 3),
    "select_out_of_range": lambda T: T.ones(2, 3).select(1, 3),
    "getitem_out_of_range": lambda T: T.ones(2, 3)[2],
    "getitem_too_many": lambda T: T.ones(2, 3)[0, 0, 0],
    "getitem_float_index": lambda T: T.ones(2, 3)[T.tensor([0.5])],
    "getitem_advanced_out_of_range": lambda T: T.ones(2, 3)[T.tensor([0, 5])],
    "gather_float_index": lambda T: T.ones(2, 3).gather(1, T.tensor([[0.0]])),
    "gather_out_of_range": lambda T: T.ones(2, 3).gather(1, T.tensor([[5]])),
    "scatter_out_of_range": lambda T: T.ones(2, 3).scatter(1, T.tensor([[5]]), 1.0),
    "index_select_out_of_range": lambda T: T.ones(2, 3).index_select(1, T.tensor([5])),
    "take_out_of_range": lambda T: T.ones(2, 3).take(T.tensor([9])),
    "masked_fill_uint8": lambda T: T.ones(2).masked_fill(T.tensor([1, 0], dtype=T.uint8), 0.0),
    "index_put_out_of_range": lambda T: T.ones(2, 3).index_put((T.tensor([3]),), T.tensor(1.0)),
    "gather_ndim": lambda T: T.ones(2, 3).gather(1, T.tensor([0])),
    "index_select_2d_index": lambda T: T.ones(2, 3).index_select(0, T.tensor([[0]])),
    "masked_fill_non_bool": lambda T: T.ones(2).masked_fill(T.tensor([1, 0]), 0.0),
    "flip_repeated": lambda T: T.ones(2, 3).flip(0, 0),
    "roll_mismatch": lambda T: T.ones(2, 3).roll((1, 2), (0,)),
    "diagonal_same_dims": lambda T: T.ones(2, 3).diagonal(0, 1, 1),
    "tril_1d": lambda T: T.ones(3).tril(),
    "trace_3d": lambda T: T.ones(2, 2, 2).trace(),
    "repeat_fewer_dims": lambda T: T.ones(2, 3).repeat(2),
    "pad_odd": lambda T: T.nn.functional.pad(T.ones(2, 3), (1,)),
    "mm_shapes": lambda T: T.mm(T.ones(2, 3), T.ones(4, 2)),
    "matmul_shapes": lambda T: T.ones(2, 3) @ T.ones(4, 2),
    "matmul_0d": lambda T: T.matmul(T.tensor(1.0), T.ones(2)),
    "matmul_dtypes": lambda T: T.ones(2, 2) @ T.ones(2, 2, dtype=T.float64),
    "bmm_2d": lambda T: T.bmm(T.ones(2, 3), T.ones(3, 2)),
    "bmm_batch": lambda T: T.bmm(T.ones(2, 2, 3), T.ones(3, 3, 2)),
    "mv_shapes": lambda T: T.mv(T.ones(2, 3), T.ones(4)),
    "dot_2d": lambda T: T.dot(T.ones(2, 2), T.ones(2)),
    "dot_sizes": lambda T: T.dot(T.ones(2), T.ones(3)),
    "dot_dtypes": lambda T: T.dot(T.ones(2), T.ones(2, dtype=T.float64)),
    "inv_singular": lambda T: T.linalg.inv(T.tensor([[1.0, 2, 3], [2, 4, 6], [1, 1, 1]])),
    "inv_singular_batch": lambda T: T.linalg.inv(T.stack([T.eye(3), T.tensor([[1.0, 2, 3], [2, 4, 6], [1, 1, 1]])])),
    "inv_zero_first_pivot": lambda T: T.linalg.inv(T.zeros(2, 2)),
    "inv_not_square": lambda T: T.linalg.inv(T.ones(2, 3)),
    "inv_1d": lambda T: T.linalg.inv(T.ones(3)),
    "inv_int": lambda T: T.linalg.inv(T.ones(3, 3, dtype=T.long)),
    "inv_half": lambda T: T.linalg.inv(T.ones(3, 3, dtype=T.bfloat16)),
    "det_not_square": lambda T: T.linalg.det(T.ones(2, 3)),
    "solve_singular": lambda T: T.linalg.solve(T.ones(3, 3), T.ones(3)),
    "solve_singular_batch": lambda T: T.linalg.solve(T.stack([T.eye(3), T.ones(3, 3)]), T.ones(3)),
    "solve_shapes": lambda T: T.linalg.solve(T.eye(3), T.ones(4)),
    "solve_batch": lambda T: T.linalg.solve(T.ones(2, 3, 3), T.ones(3, 3, 3)),
    "cholesky_not_pd": lambda T: T.linalg.cholesky(T.tensor([[1.0, 2], [2, 1]])),
    "cholesky_not_pd_first": lambda T: T.linalg.cholesky(T.tensor([[-1.0, 2], [2, 1]])),
    "cholesky_not_pd_batch": lambda T: T.linalg.cholesky(T.stack([T.eye(2), T.tensor([[1.0, 2], [2, 1]])])),
    "cholesky_not_square": lambda T: T.linalg.cholesky(T.ones(2, 3)),
    "eigh_not_square": lambda T: T.linalg.eigh(T.ones(2, 3)),
    "eigh_uplo": lambda T: T.linalg.eigh(T.eye(3), UPLO="X"),
    "qr_1d": lambda T: T.linalg.qr(T.ones(3)),
    "qr_mode": lambda T: T.linalg.qr(T.ones(3, 3), mode="x"),
    "svd_1d": lambda T: T.linalg.svd(T.ones(3)),
    "cross_len": lambda T: T.linalg.cross(T.ones(4), T.ones(4)),
    "cross_ndim": lambda T: T.linalg.cross(T.ones(2, 3), T.ones(3)),
    "cross_broadcast": lambda T: T.linalg.cross(T.ones(2, 3), T.ones(3, 3)),
    "matrix_power_not_square": lambda T: T.linalg.matrix_power(T.ones(2, 3), 2),
    "multi_dot_one": lambda T: T.linalg.multi_dot([T.ones(3)]),
    "multi_dot_3d": lambda T: T.linalg.multi_dot([T.ones(2, 3, 3), T.ones(3, 3)]),
    "norm_3d_ord": lambda T: T.linalg.norm(T.ones(2, 3, 4), 2),
    "matrix_norm_1d": lambda T: T.linalg.matrix_norm(T.ones(3), 2),
    "matrix_norm_ord": lambda T: T.linalg.matrix_norm(T.ones(3, 3), 3),
    "lstsq_rows": lambda T: T.linalg.lstsq(T.ones(5, 3), T.ones(4, 2)),
    "lstsq_driver": lambda T: T.linalg.lstsq(T.ones(5, 3), T.ones(5, 2), driver="foo"),
    "qr_r_backward": lambda T: T.linalg.qr(T.ones(3, 2, requires_grad=True) * 1, mode="r").R.sum().backward(),
    "qr_complete_tall_backward": lambda T: T.linalg.qr(T.eye(3, 2, requires_grad=True) * 1,
                                                       mode="complete").R.sum().backward(),
}


def _linalg_error(T):
    return T.linalg.LinAlgError


@pytest.mark.parametrize("name", list(ERROR_CASES))
def test_errors_match_torch(name):
    fn = ERROR_CASES[name]
    te, tm = _message(lambda: fn(torch))
    assert te is not None, "torch accepted this: not an error case"
    ee, em = _message(lambda: fn(ember))
    assert ee is not None, f"ember accepted what torch refuses with {te.__name__}: {tm}"
    if issubclass(te, torch.linalg.LinAlgError):
        assert issubclass(ee, ember.linalg.LinAlgError), ee
    else:
        assert _builtin_type_of(ee) is _builtin_type_of(te), (ee, te, em)
    assert em == tm


def _builtin_type_of(cls):
    for c in cls.__mro__:
        if c.__module__ == "builtins":
            return c
    return Exception


def test_linalg_error_is_runtime_error():
    assert issubclass(ember.linalg.LinAlgError, RuntimeError)
    with pytest.raises(RuntimeError):
        ember.linalg.cholesky(-ember.eye(2))


def test_every_listed_op_has_a_record():
    names = {r.name for r in SHAPE_OPS}
    needed = ["view", "view_as", "reshape", "reshape_as", "flatten", "unflatten", "squeeze", "unsqueeze", "permute",
              "transpose", "swapaxes", "movedim", "t", "expand", "expand_as", "broadcast_to", "broadcast_tensors",
              "repeat", "repeat_interleave", "tile", "cat", "stack", "hstack", "vstack", "split", "chunk",
              "tensor_split", "unbind", "narrow", "select", "flip", "roll", "rot90", "gather", "scatter",
              "scatter_add", "scatter_reduce_sum", "index_select", "index_add", "index_copy", "index_fill",
              "index_put", "masked_fill", "masked_select", "masked_scatter", "take", "take_along_dim", "nonzero",
              "tril", "triu", "diagonal", "diag", "diag_embed", "trace", "pad", "meshgrid", "getitem_basic",
              "getitem_advanced", "getitem_bool", "setitem_basic", "matmul", "mm", "bmm", "mv", "dot", "vdot",
              "outer", "addmm", "addmv", "addbmm", "baddbmm", "einsum", "tensordot", "kron", "linalg.inv",
              "linalg.det", "linalg.slogdet", "linalg.solve", "linalg.cholesky", "linalg.qr", "linalg.svd",
              "linalg.svdvals", "linalg.eigh", "linalg.eigvalsh", "linalg.norm", "linalg.matrix_norm",
              "linalg.vector_norm", "linalg.matrix_rank", "linalg.pinv", "linalg.lstsq", "linalg.cross",
              "linalg.matrix_power", "linalg.multi_dot"]
    missing = [n for n in needed if n not in names]
    assert not missing, missing
