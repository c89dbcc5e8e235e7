"""linalg.eig / eigvals, and the errors and warnings of the triangular and LU solvers, against torch
(values and gradients of the solvers are op_db records)."""
import warnings

import numpy as np
import pytest
import torch

import ember


def test_eig_matches_torch_as_sets_and_eigenpairs():
    a = np.random.default_rng(0).standard_normal((2, 4, 4))
    w, v = ember.linalg.eig(ember.tensor(a))
    wt, vt = torch.linalg.eig(torch.tensor(a))
    assert type(w).__name__ == "Tensor" and str(w.dtype) == str(wt.dtype) == "torch.complex128"
    np.testing.assert_allclose(np.sort_complex(w.numpy().ravel()), np.sort_complex(wt.numpy().ravel()), atol=1e-12)
    vn = v.numpy()
    np.testing.assert_allclose(a @ vn, vn * w.numpy()[..., None, :], atol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(vn, axis=-2), 1, atol=1e-12)
    assert str(ember.linalg.eigvals(ember.eye(2)).dtype) == str(torch.linalg.eigvals(torch.eye(2)).dtype)
    with pytest.raises(RuntimeError, match="A must be batches of square matrices"):
        ember.linalg.eig(ember.ones(2, 3))


CASES = {
    "st_missing_upper": lambda T: T.linalg.solve_triangular(T.eye(3), T.ones(3, 2)),
    "st_vector_b": lambda T: T.linalg.solve_triangular(T.eye(3), T.ones(3), upper=True),
    "st_shapes": lambda T: T.linalg.solve_triangular(T.eye(3), T.ones(4, 2), upper=True),
    "st_shapes_right": lambda T: T.linalg.solve_triangular(T.eye(3), T.ones(2, 4), upper=True, left=False),
    "st_long": lambda T: T.linalg.solve_triangular(T.eye(3).long(), T.ones(3, 2).long(), upper=True),
    "st_not_square": lambda T: T.linalg.solve_triangular(T.ones(2, 3), T.ones(2, 2), upper=True),
    "st_zero_pivot": lambda T: T.linalg.solve_triangular(T.zeros(3, 3), T.ones(3, 1), upper=True),
    "st_mixed": lambda T: T.linalg.solve_triangular(T.eye(3, dtype=T.float64), T.ones(3, 2), upper=True),
    "lu_no_pivot": lambda T: T.linalg.lu(T.eye(3), pivot=False),
    "lu_factor_singular": lambda T: T.linalg.lu_factor(T.zeros(3, 3)),
    "lu_factor_singular_batch": lambda T: T.linalg.lu_factor(T.stack([T.eye(3), T.zeros(3, 3)])),
    "lu_factor_ex_check": lambda T: T.linalg.lu_factor_ex(T.zeros(3, 3), check_errors=True),
    "lu_long": lambda T: T.linalg.lu(T.eye(3).long()),
    "lu_solve_vector": lambda T: T.linalg.lu_solve(*T.linalg.lu_factor(T.eye(3)), T.ones(3)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_errors_and_edge_values_match_torch(name):
    try:
        expected = CASES[name](torch)
    except Exception as exc:
        with pytest.raises(type(exc)) as info:
            CASES[name](ember)
        assert str(info.value) == str(exc)
        return
    got = CASES[name](ember)
    np.testing.assert_array_equal(got.numpy(), expected.numpy())
    assert str(got.dtype) == str(expected.dtype)


def test_legacy_names_warn_and_return_named_tuples():
    A = ember.eye(3) * 2
    b = ember.ones(3, 2)
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        res = ember.triangular_solve(b, A)
        LU, piv = ember.linalg.lu_factor(A)
        x = ember.lu_solve(b, LU, piv)
    assert type(res).__name__ == "triangular_solve" and res._fields == ("solution", "cloned_coefficient")
    np.testing.assert_allclose(res.solution.numpy(), 0.5)
    np.testing.assert_allclose(x.numpy(), 0.5)
    assert type(ember.lu_unpack(LU, piv)).__name__ == "lu_unpack"
    assert type(ember.linalg.lu(A)).__name__ == "linalg_lu"
    P, L, U = ember.linalg.lu(ember.randn(3, 3, requires_grad=True))
    assert not P.requires_grad and L.requires_grad and U.requires_grad
