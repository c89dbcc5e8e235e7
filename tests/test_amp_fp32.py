"""Autocast's float32 list (the losses) and einsum/tensordot/prelu under autocast and in low precision,
against torch: result dtypes, values and torch's errors."""
import numpy as np
import pytest
import torch

import ember
from helpers import to_numpy

R = np.random.RandomState(0)
A = R.randn(4, 5).astype(np.float32)
B = R.randn(4, 5).astype(np.float32)
P = R.rand(4, 5).astype(np.float32)
Y = np.array([0, 1, 4, 2])
L3 = R.randn(5, 1, 3).astype(np.float32)
X4 = R.randn(2, 3, 2, 2).astype(np.float32)


def T(m, a, dt="float32"):
    return m.tensor(a).to(getattr(m, dt))


def bf(m, a):
    return T(m, a, "bfloat16")


def F(m):
    return m.nn.functional


CASES = {
    "cross_entropy": lambda m: F(m).cross_entropy(bf(m, A), m.tensor(Y)),
    "cross_entropy_smoothing": lambda m: F(m).cross_entropy(bf(m, A), m.tensor(Y), label_smoothing=0.1),
    "cross_entropy_probs": lambda m: F(m).cross_entropy(bf(m, A), bf(m, P)),
    "nll_loss_weight": lambda m: F(m).nll_loss(bf(m, A), m.tensor(Y), weight=bf(m, P[0])),
    "nll_loss_2d": lambda m: F(m).nll_loss(bf(m, X4), m.zeros(2, 2, 2, dtype=m.long)),
    "mse_loss": lambda m: F(m).mse_loss(bf(m, A), bf(m, B)),
    "mse_loss_mixed": lambda m: F(m).mse_loss(bf(m, A), T(m, B)),
    "mse_loss_double": lambda m: F(m).mse_loss(T(m, A, "float64"), T(m, B, "float64")),
    "l1_loss_half": lambda m: F(m).l1_loss(T(m, A, "float16"), T(m, B, "float16")),
    "smooth_l1_loss": lambda m: F(m).smooth_l1_loss(bf(m, A), bf(m, B)),
    "huber_loss": lambda m: F(m).huber_loss(bf(m, A), bf(m, B)),
    "kl_div": lambda m: F(m).kl_div(bf(m, A), bf(m, P), reduction="batchmean"),
    "binary_cross_entropy_mixed": lambda m: F(m).binary_cross_entropy(bf(m, P), T(m, P)),
    "bce_with_logits": lambda m: F(m).binary_cross_entropy_with_logits(bf(m, A), bf(m, P)),
    "margin_ranking_loss": lambda m: F(m).margin_ranking_loss(bf(m, A[0]), bf(m, B[0]), m.ones(5)),
    "soft_margin_loss": lambda m: F(m).soft_margin_loss(bf(m, A), bf(m, B)),
    "triplet_margin_loss": lambda m: F(m).triplet_margin_loss(bf(m, A), bf(m, B), bf(m, P)),
    "poisson_nll_loss": lambda m: F(m).poisson_nll_loss(bf(m, A), bf(m, P)),
    "cosine_embedding_loss": lambda m: F(m).cosine_embedding_loss(bf(m, A), bf(m, B), m.ones(4)),
    "hinge_embedding_loss": lambda m: F(m).hinge_embedding_loss(bf(m, A), bf(m, B)),
    "multilabel_margin_loss": lambda m: F(m).multilabel_margin_loss(bf(m, A), m.tensor([[1, 2, -1, 0, 0]] * 4)),
    "multi_margin_loss": lambda m: F(m).multi_margin_loss(bf(m, A), m.tensor(Y)),
    "ctc_loss": lambda m: F(m).ctc_loss(bf(m, L3).log_softmax(2), m.tensor([[1, 2]]), [5], [2]),
    # not on the list: stay in the inputs' type
    "multilabel_soft_margin_loss": lambda m: F(m).multilabel_soft_margin_loss(bf(m, A), bf(m, P)),
    "gaussian_nll_loss": lambda m: F(m).gaussian_nll_loss(bf(m, A), bf(m, B), bf(m, P + 1)),
    # einsum: a pair sharing a summed letter is a matrix product (lower precision), otherwise a multiply
    "einsum_mm": lambda m: m.einsum("ij,kj->ik", T(m, A), T(m, B)),
    "einsum_mm_bf16": lambda m: m.einsum("ij,kj->ik", bf(m, A), bf(m, B)),
    "einsum_mm_mixed": lambda m: m.einsum("ij,kj->ik", bf(m, A), T(m, B)),
    "einsum_mm_double": lambda m: m.einsum("ij,kj->ik", T(m, A, "float64"), T(m, B)),
    "einsum_outer": lambda m: m.einsum("i,j->ij", T(m, A[0]), T(m, B[0])),
    "einsum_outer_mixed": lambda m: m.einsum("i,j->ij", bf(m, A[0]), T(m, B[0])),
    "einsum_hadamard": lambda m: m.einsum("ij,ij->ij", T(m, A), T(m, B)),
    "einsum_rowdot": lambda m: m.einsum("ij,ij->i", T(m, A), T(m, B)),
    "einsum_chain": lambda m: m.einsum("ij,jk,kl->il", T(m, A), T(m, B.T.copy()), T(m, A)),
    "einsum_chain_then_outer": lambda m: m.einsum("ij,jk,l->ikl", T(m, A), T(m, B.T.copy()), T(m, A[0])),
    "einsum_one": lambda m: m.einsum("ij->j", T(m, A)),
    "tensordot": lambda m: m.tensordot(T(m, A), T(m, B), ([1], [1])),
    "tensordot_outer": lambda m: m.tensordot(T(m, A), T(m, B), 0),
    "tensordot_bf16": lambda m: m.tensordot(bf(m, A), bf(m, B), ([1], [1])),
    "tensordot_mixed": lambda m: m.tensordot(bf(m, A), T(m, B), ([1], [1])),
    "tensordot_size": lambda m: m.tensordot(T(m, A), T(m, B), ([1], [0])),
    "tensordot_lists": lambda m: m.tensordot(T(m, A), T(m, B), ([1, 0], [0])),
    "prelu": lambda m: F(m).prelu(T(m, A), m.ones(1) * 0.25),
    "prelu_bf16": lambda m: F(m).prelu(bf(m, A), bf(m, np.ones(1, np.float32)) * 0.25),
}


def _run(m, name, enabled, dtype):
    with m.autocast("cpu", dtype=getattr(m, dtype), enabled=enabled):
        try:
            return CASES[name](m)
        except Exception as e:      # noqa: BLE001 - compared with torch's below
            return e


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("enabled,dtype", [(True, "bfloat16"), (False, "bfloat16"), (True, "float16")])
def test_against_torch(name, enabled, dtype):
    rt = _run(torch, name, enabled, dtype)
    if isinstance(rt, NotImplementedError):
        pytest.skip("torch has no low-precision kernel here")
    re = _run(ember, name, enabled, dtype)
    if isinstance(rt, Exception):
        assert type(re) is type(rt) and str(re) == str(rt)
        return
    assert not isinstance(re, Exception), re
    assert str(re.dtype) == str(rt.dtype)
    np.testing.assert_allclose(to_numpy(re.float()), to_numpy(rt.float()), rtol=2e-2, atol=2e-2)


def test_loss_under_autocast_casts_back_in_backward():
    grads = []
    for m in (torch, ember):
        x = bf(m, A).requires_grad_()
        with m.autocast("cpu"):
            loss = F(m).cross_entropy(m.nn.functional.linear(x, T(m, B)), m.tensor([0, 1, 3, 2]))
        assert loss.dtype == m.float32
        loss.backward()
        assert x.grad.dtype == m.bfloat16
        grads.append(to_numpy(x.grad.float()))
    np.testing.assert_allclose(grads[1], grads[0], rtol=3e-2, atol=3e-2)


def test_einsum_low_precision_gradients():
    grads = []
    for m in (torch, ember):
        a, b = bf(m, A).requires_grad_(), bf(m, B).requires_grad_()
        m.einsum("ij,kj->ik", a, b).float().sum().backward()
        assert a.grad.dtype == m.bfloat16
        grads.append((to_numpy(a.grad.float()), to_numpy(b.grad.float())))
    for e, t in zip(grads[1], grads[0]):
        np.testing.assert_allclose(e, t, rtol=2e-2, atol=2e-2)
