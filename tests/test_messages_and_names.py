"""Messages, warnings and node names that user code and tutorials meet, compared with torch."""
import warnings

import pytest
import torch

import ember


def _outcome(lib, fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            res = fn(lib)
            out = ("ok", repr(res) if not isinstance(res, (int, float, str, tuple, list)) else res)
        except Exception as e:  # noqa: BLE001 -- the comparison is the point
            out = (type(e).__name__, str(e))
    msgs = [str(w.message).split(" (Triggered internally")[0].split("\n")[0] for w in caught
            if issubclass(w.category, UserWarning)]
    return out, msgs


def _inplace_after_save(t):
    x = t.randn(3, requires_grad=True)
    y = x.sigmoid()
    y.mul_(2)
    y.sum().backward()


def _inplace_after_save_anomaly(t):
    with t.autograd.set_detect_anomaly(True):
        _inplace_after_save(t)


def _unused(t):
    x, u = t.randn(3, requires_grad=True), t.randn(3, requires_grad=True)
    t.autograd.grad((x * 2).sum(), [x, u])


def _inference_saved(t):
    x = t.randn(3, requires_grad=True)
    with t.inference_mode():
        y = t.ones(3)
    return (y * x).sum()


def _grad_size(t):
    x = t.randn(2, requires_grad=True)
    x.grad = t.ones(3)


def _grad_dtype(t):
    x = t.randn(2, requires_grad=True)
    x.grad = t.ones(2, dtype=t.float64)


CASES = {
    "inplace_saved": _inplace_after_save,
    "inplace_saved_anomaly": _inplace_after_save_anomaly,
    "unused_input": _unused,
    "inference_saved": _inference_saved,
    "grad_size": _grad_size,
    "grad_dtype": _grad_dtype,
    "int_of_vector": lambda t: int(t.tensor([1, 2])),
    "float_of_vector": lambda t: float(t.tensor([1.0, 2.0])),
    "item_of_vector": lambda t: t.tensor([1, 2]).item(),
    "T_3d": lambda t: tuple(t.ones(2, 3, 4).T.shape),
    "T_0d": lambda t: t.tensor(2.0).T.item(),
    "mT_1d": lambda t: t.ones(3).mT,
    "mH_1d": lambda t: t.ones(3).mH,
    "H_1d": lambda t: t.ones(3).H,
    "softmax_axis": lambda t: t.ones(3).softmax(axis=0).tolist(),
    "type_legacy": lambda t: str(t.ones(3).type(t.DoubleTensor).dtype).split(".")[1],
    "linear_bad_bias": lambda t: t.nn.functional.linear(t.ones(4, 3), t.ones(2, 3), t.ones(3)),
    "einsum_sizes": lambda t: t.einsum("ij,jk->ik", t.ones(2, 3), t.ones(4, 5)),
    "einsum_rank": lambda t: t.einsum("ij->i", t.ones(2, 3, 4)),
    "finfo": lambda t: [repr(t.finfo(d)) for d in (t.float32, t.float16, t.bfloat16, t.float64)],
    "iinfo": lambda t: [repr(t.iinfo(d)) for d in (t.int32, t.uint8, t.int64)],
    "fill_overflow": lambda t: t.zeros(2, dtype=t.uint8).fill_(300),
    "fill_wrap": lambda t: t.zeros(2, dtype=t.uint8).fill_(-1).tolist(),
    "fill_half_overflow": lambda t: t.zeros(2, dtype=t.float16).fill_(1e6),
    "fill_nan_int": lambda t: t.zeros(2, dtype=t.int64).fill_(float("nan")),
    "fill_truncates": lambda t: t.zeros(2, dtype=t.int32).fill_(2.7).tolist(),
    "set_num_threads": lambda t: t.set_num_threads(0),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_same_outcome_as_torch(case):
    e = _outcome(ember, CASES[case])
    t = _outcome(torch, CASES[case])
    if e[0][0] == "ok" and isinstance(e[0][1], str) and e[0][1].startswith("tensor"):
        e, t = ((e[0][0], None), e[1]), ((t[0][0], None), t[1])
    assert e == t


def _names(t):
    x = t.randn(3, requires_grad=True)
    F = t.nn.functional
    outs = [2 ** x, x ** 2.5, x ** x, x.log1p(), F.silu(x), F.mish(x), F.celu(x), x.masked_fill(x > 0, 0.0),
            x.index_select(0, t.tensor([0])), x.lerp(x * 2, 0.5), x.addcmul(x, x), x.addcdiv(x, x + 3),
            x.clamp(0, 1), x.clamp_min(0), x.clamp_max(1)]
    y = x * 1
    y[1:].mul_(2)
    outs.append(y)
    return [(o.grad_fn.name(), len(o.grad_fn.next_functions)) for o in outs]


def test_node_names_and_arity():
    assert _names(ember) == _names(torch)


def test_assigning_a_tensor_that_requires_grad_records_the_write():
    """``a[i] = x`` with ``x`` requiring grad: the gradient reaches ``x`` though ``a`` did not require grad."""
    out = []
    for lib in (ember, torch):
        x = lib.ones(2, requires_grad=True)
        y = lib.tensor(5.0, requires_grad=True)
        a = lib.zeros(4)
        a[1:3] = x * 3
        a[0] = y
        b = lib.zeros(2, 3)
        v = b[0]
        v[:] = lib.arange(3.0) * y
        ((a * lib.arange(4.0)).sum() + b.sum()).backward()
        out.append((a.grad_fn.name(), b.grad_fn.name(), v.grad_fn.name(), x.grad.tolist(), y.grad.item()))
    assert out[0] == out[1]


def test_logical_method_argument_position():
    msgs = []
    for lib in (ember, torch):
        with pytest.raises(TypeError) as info:
            lib.ones(3, dtype=lib.bool).logical_and(3)
        msgs.append(str(info.value))
    assert msgs[0] == msgs[1]
