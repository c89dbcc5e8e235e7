"""Triangular solves, the LU family and the general (non-symmetric) eigendecomposition: the parts of
``ember.linalg`` built on substitution and pivoting rather than one LAPACK call (split from ``linalg.py``,
which re-exports them)."""
from __future__ import annotations

import numpy as np

from ..autograd.function import Op
from ._util import Tensor, _wrap, unbroadcast
from .linalg import _TYPE_NAMES, _batch_prefix, _check_batch_broadcast, _check_matrix, _out, _saved_outputs, _xp
from .reduce import _named

# ----------------------------------------------------------------------------------------------------------
# triangular solves
# ----------------------------------------------------------------------------------------------------------

def _triangle(a, upper, unit):
    """The triangle of ``a`` that a triangular solver reads (the diagonal set to one when ``unit``)."""
    xp = _xp(a)
    t = xp.triu(a) if upper else xp.tril(a)
    if unit:
        n = a.shape[-1]
        t = t.copy()
        t[..., xp.arange(n), xp.arange(n)] = 1
    return t


def _substitute(t, b, upper):
    """Row-by-row substitution for T X = B (batched); a zero pivot gives inf/nan as LAPACK's trtrs does."""
    xp = _xp(t)
    n = t.shape[-1]
    x = xp.zeros(b.shape, np.result_type(t.dtype, b.dtype))
    for i in (range(n - 1, -1, -1) if upper else range(n)):
        rest = slice(i + 1, n) if upper else slice(0, i)
        acc = b[..., i, :] - (t[..., i, None, rest] @ x[..., rest, :])[..., 0, :]
        x[..., i, :] = acc / t[..., i, i, None]
    return x


class SolveTriangular(Op):
    """X = T^{-1} B for triangular T (batch dims broadcast);  gB = T^{-H} g,  gA = triangle(-gB X^H)."""

    _grad_name = "LinalgSolveTriangularBackward0"
    save_inputs = (0,)
    save_output = True

    @staticmethod
    def forward(ctx, A, B, upper, unit):
        ctx.args = (A.shape, B.shape, upper, unit)
        t = _triangle(A, upper, unit)
        shape = np.broadcast_shapes(t.shape[:-2], B.shape[:-2])
        t, b = np.broadcast_to(t, shape + t.shape[-2:]), np.broadcast_to(B, shape + B.shape[-2:])
        diag = t.diagonal(0, -2, -1)
        if t.size and bool((diag != 0).all()):
            return _xp(A).linalg.solve(t, b).astype(B.dtype, copy=False)
        return _substitute(t, b, upper).astype(B.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (A,) = ctx.saved_tensors
        X = ctx.saved_output
        a_shape, b_shape, upper, unit = ctx.args
        gB = SolveTriangular.apply(A.mH, grad, not upper, unit)
        gA = None
        if ctx._edges[0] is not None:
            gA = -(gB @ X.mH)
            gA = gA.triu(1 if unit else 0) if upper else gA.tril(-1 if unit else 0)
            gA = unbroadcast(gA, a_shape)
        return gA, unbroadcast(gB, b_shape) if ctx._edges[1] is not None else None, None, None


def _check_dtype(name, T):
    if T._data.dtype.kind not in "fc":
        raise NotImplementedError(f"\"{name}\" not implemented for '{_TYPE_NAMES.get(T.dtype.name, T.dtype.name)}'")


def solve_triangular(A, B, *, upper=None, left=True, unitriangular=False, out=None):
    """X with A X = B (``left=False``: X A = B) for triangular ``A``; only the ``upper`` or lower triangle is read.
    A zero on the diagonal gives inf/nan, not an error."""
    if upper is None:
        raise TypeError('linalg_solve_triangular() missing 1 required positional arguments: "upper"')
    if isinstance(A, Tensor) and isinstance(B, Tensor) and A._data.dtype.kind in "biu" and B._data.dtype == A._data.dtype:
        _check_dtype("triangular_solve_cpu", A)
    _check_matrix("linalg.solve_triangular", A)
    if B._data.ndim < 2:
        raise RuntimeError("linalg.solve_triangular: The input tensor B must have at least 2 dimensions.")
    n = A._data.shape[-1]
    rows, cols = B._data.shape[-2:]
    if (rows if left else cols) != n:
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(f"linalg.solve_triangular: Incompatible shapes of A and B for the equation {eq} "
                           f"({n}x{n} and {rows}x{cols})")
    _check_batch_broadcast(B._data.shape[:-2], A._data.shape[:-2])
    if B.dtype is not A.dtype:
        from ._util import result_dtype
        rt = result_dtype(A, B)
        A, B = A.to(rt), B.to(rt)
    _check_dtype("triangular_solve_cpu", A)
    if not left:
        return _out(out, SolveTriangular.apply(A.mT, B.mT, not upper, bool(unitriangular)).mT)
    return _out(out, SolveTriangular.apply(A, B, bool(upper), bool(unitriangular)))


_TriangularSolve = _named("triangular_solve", ["solution", "cloned_coefficient"])
_warned = set()


def _warn_once(key, message):
    if key not in _warned:
        _warned.add(key)
        import warnings
        warnings.warn(message, UserWarning, stacklevel=3)


def triangular_solve(input, A, upper=True, transpose=False, unitriangular=False, *, out=None):
    """Legacy ``torch.triangular_solve(b, A)``: X with A X = b (A^T X = b with ``transpose``), and a copy of A."""
    _warn_once("triangular_solve", "torch.triangular_solve is deprecated in favor of torch.linalg.solve_triangular"
               "and will be removed in a future PyTorch release.\ntorch.linalg.solve_triangular has its arguments "
               "reversed and does not return a copy of one of the inputs.\nX = torch.triangular_solve(B, A)."
               "solution\nshould be replaced with\nX = torch.linalg.solve_triangular(A, B).")
    coeff = A.mT if transpose else A
    X = solve_triangular(coeff, input, upper=bool(upper) != bool(transpose), unitriangular=unitriangular)
    return _TriangularSolve(X, A.clone())


# ----------------------------------------------------------------------------------------------------------
# LU with partial pivoting
# ----------------------------------------------------------------------------------------------------------

def _lu_host(a):
    """Batched Doolittle LU with partial pivoting, as LAPACK getrf: (LU packed, 1-based int32 pivots, the row
    permutation ``perm`` with (P^T A)[i] = A[perm[i]], info = 1-based index of the first zero pivot)."""
    xp = _xp(a)
    m, n = a.shape[-2:]
    k = min(m, n)
    w = a.reshape((int(np.prod(a.shape[:-2])), m, n)).copy()
    nb = w.shape[0]
    rows = xp.arange(nb)
    perm = xp.tile(xp.arange(m), (nb, 1))
    piv = xp.tile(xp.arange(1, k + 1, dtype=np.int32), (nb, 1))
    info = xp.zeros(nb, np.int32)
    for j in range(k):
        p = j + xp.argmax(xp.abs(w[:, j:, j]), axis=1)
        piv[:, j] = p + 1
        w[rows, j], w[rows, p] = w[rows, p], w[rows, j].copy()
        perm[rows, j], perm[rows, p] = perm[rows, p], perm[rows, j].copy()
        d = w[:, j, j]
        zero = d == 0
        info[(info == 0) & zero] = j + 1
        w[:, j + 1:, j] /= xp.where(zero, 1, d)[:, None]     # below a zero pivot the column is zero already
        w[:, j + 1:, j + 1:] -= w[:, j + 1:, j, None] * w[:, j, None, j + 1:]
    batch = a.shape[:-2]
    return w.reshape(a.shape), piv.reshape(batch + (k,)), perm.reshape(batch + (m,)), info.reshape(batch)


def _perm_matrix(perm, dtype):
    """P with A = P L U from ``perm`` ((P^T A)[i] = A[perm[i]], so P[perm[i], i] = 1)."""
    xp = _xp(perm)
    m = perm.shape[-1]
    P = xp.zeros(perm.shape + (m,), dtype)
    xp.put_along_axis(P, perm[..., :, None], 1, axis=-1)   # P^T[i, perm[i]] = 1
    return xp.swapaxes(P, -1, -2)


def _unpack(lu, m, n):
    xp = _xp(lu)
    k = min(m, n)
    L = xp.tril(lu[..., :, :k], -1) + xp.eye(m, k, dtype=lu.dtype)
    return L, xp.triu(lu[..., :k, :])


class LU(Op):
    """A = P L U.  Square:  gA = P L^{-H} [tril_{-1}(L^H gL) + triu(gU U^H)] U^{-H}.  Wide A = P L [U1 U2]:
    U2 = L^{-1} P^T A2 adds -L^{-H} gU2 U2^H to gL and gA2 = P L^{-H} gU2.  Tall A: the mirror image."""

    _grad_name = "LinalgLuBackward0"
    _materialize = False

    @staticmethod
    def forward(ctx, A):
        lu, _, perm, _ = _lu_host(A)
        L, U = _unpack(lu, *A.shape[-2:])
        P = _perm_matrix(perm, A.dtype)
        ctx.outs = (P, L, U)
        return P, L, U

    @staticmethod
    def backward(ctx, gP, gL, gU):
        _, L, U = _saved_outputs(ctx)
        return _lu_backward(_wrap(ctx.outs[0]), L, U, gL, gU)


def _lu_backward(P, L, U, gL, gU):
    m, n = L.shape[-2], U.shape[-1]
    k = min(m, n)
    if gL is None:
        gL = L.new_zeros(L.shape)
    if gU is None:
        gU = U.new_zeros(U.shape)
    from .shape import cat
    if m < n:     # wide: L is m x m, U = [U1 | U2]
        U1, U2, gU1, gU2 = U[..., :k], U[..., k:], gU[..., :k], gU[..., k:]
        gL = gL - solve_triangular(L.mH, gU2, upper=True, unitriangular=True) @ U2.mH
        gA1 = _lu_square_backward(P, L, U1, gL, gU1)
        gA2 = P @ solve_triangular(L.mH, gU2, upper=True, unitriangular=True)
        return cat([gA1, gA2], -1)
    if m > n:     # tall: L = [L1; L2], U is n x n
        L1, L2, gL1, gL2 = L[..., :k, :], L[..., k:, :], gL[..., :k, :], gL[..., k:, :]
        gL2U = solve_triangular(U.mH, gL2, upper=False, left=False)          # gL2 U^{-H}
        gU = gU - L2.mH @ gL2U
        gA1 = _lu_square_backward(None, L1, U, gL1, gU)
        return P @ cat([gA1, gL2U], -2)
    return _lu_square_backward(P, L, U, gL, gU)


def _lu_square_backward(P, L, U, gL, gU):
    phi = (L.mH @ gL).tril(-1) + (gU @ U.mH).triu()
    X = solve_triangular(L.mH, phi, upper=True, unitriangular=True)      # L^{-H} phi
    X = solve_triangular(U.mH, X, upper=False, left=False)                # ... U^{-H}
    return X if P is None else P @ X


_LU = _named("linalg_lu", ["P", "L", "U"])
_LUFactor = _named("linalg_lu_factor", ["LU", "pivots"])
_LUFactorEx = _named("linalg_lu_factor_ex", ["LU", "pivots", "info"])
_LUUnpack = _named("lu_unpack", ["P", "L", "U"])


def _check_pivot(pivot):
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")


def lu(A, *, pivot=True, out=None):
    """A = P L U with P a permutation, L unit lower triangular (m x k), U upper triangular (k x n), k = min(m, n)."""
    _check_dtype("lu_cpu", A)
    _check_matrix("linalg.lu", A, square=False)
    _check_pivot(pivot)
    P, L, U = LU.apply(A)
    return _LU(P.detach(), L, U)     # P is piecewise constant: no gradient, as in torch


def _pack(L, U):
    """The packed ``LU`` matrix (m x n): L's strict lower part and U's upper part."""
    m, n = L.shape[-2], U.shape[-1]
    from .. import nn
    low = L.tril(-1)
    up = U.triu()
    if m > n:
        up = nn.functional.pad(up, (0, 0, 0, m - n))
    elif m < n:
        low = nn.functional.pad(low, (0, n - m))
    return low + up


def lu_factor_ex(A, *, pivot=True, check_errors=False, out=None):
    """LU and pivots as LAPACK packs them (``lu_unpack`` undoes it), plus ``info`` > 0 at a zero pivot."""
    _check_dtype("lu_cpu", A)
    _check_matrix("torch.linalg.lu_factor_ex", A, square=False)
    _check_pivot(pivot)
    _, piv, _, info = _lu_host(A._data)
    if check_errors and info.any():
        _lu_singular_error("torch.linalg.lu_factor_ex", A._data.shape, info)
    if A.requires_grad:
        _, L, U = LU.apply(A)
        packed = _pack(L, U)
    else:
        packed = _wrap(_lu_host(A._data)[0])
    return _LUFactorEx(packed, _wrap(piv), _wrap(info))


def _lu_singular_error(name, shape, info):
    flat = info.reshape(-1)
    b = int(np.flatnonzero(flat)[0])
    i = int(flat[b])
    raise RuntimeError(f"{name}: {_batch_prefix(shape, b)}U[{i},{i}] is zero and using it on lu_solve would result "
                       "in a division by zero. If you still want to perform the factorization, consider calling "
                       "linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)")


def lu_factor(A, *, pivot=True, out=None):
    """``lu_factor_ex`` that raises on a zero pivot."""
    _check_matrix("torch.linalg.lu_factor", A, square=False)
    LU_, piv, info = lu_factor_ex(A, pivot=pivot)
    if info._data.any():
        _lu_singular_error("torch.linalg.lu_factor", A._data.shape, info._data)
    return _LUFactor(LU_, piv)


def _pivots_to_perm(piv, m):
    """The row permutation ``perm`` ((P^T A)[i] = A[perm[i]]) from LAPACK's sequential 1-based swaps."""
    xp = _xp(piv)
    flat = piv.reshape((int(np.prod(piv.shape[:-1])), piv.shape[-1])).astype(np.int64) - 1
    perm = xp.tile(xp.arange(m), (flat.shape[0], 1))
    rows = xp.arange(flat.shape[0])
    for j in range(flat.shape[1]):
        p = flat[:, j]
        perm[rows, j], perm[rows, p] = perm[rows, p], perm[rows, j].copy()
    return perm.reshape(piv.shape[:-1] + (m,))


def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True, *, out=None):
    """(P, L, U) from ``lu_factor``'s packed output; skipped parts come back empty."""
    m, n = LU_data.shape[-2:]
    k = min(m, n)
    if unpack_pivots:
        P = _wrap(_perm_matrix(_pivots_to_perm(LU_pivots._data, m), LU_data._data.dtype))
    else:
        P = _wrap(np.zeros((0,), LU_data._data.dtype))
    if not unpack_data:
        empty = LU_data.reshape(-1)[:0]
        return _LUUnpack(P, empty, empty.clone())
    eye = _wrap(np.eye(m, k, dtype=LU_data._data.dtype))
    L = LU_data[..., :, :k].tril(-1) + eye
    U = LU_data[..., :k, :].triu()
    return _LUUnpack(P, L, U)


def lu_solve(LU, pivots, B, *, left=True, adjoint=False, out=None):
    """X with A X = B (``adjoint``: A^H X = B; ``left=False``: X A = B) from A's ``lu_factor``."""
    _check_matrix("linalg.lu_solve", LU)
    if B._data.ndim < 2:
        raise RuntimeError("linalg.lu_solve: The input tensor B must have at least 2 dimensions.")
    if not left:        # X A = B  <=>  A^H X^H = B^H
        return _out(out, lu_solve(LU, pivots, B.mH, adjoint=not adjoint).mH)
    P, L, U = lu_unpack(LU, pivots)
    if adjoint:         # A^H = U^H L^H P^T
        Y = solve_triangular(U.mH, B, upper=False)
        return _out(out, P @ solve_triangular(L.mH, Y, upper=True, unitriangular=True))
    Y = solve_triangular(L, P.mT @ B, upper=False, unitriangular=True)
    return _out(out, solve_triangular(U, Y, upper=True))


def lu_solve_legacy(b, LU_data, LU_pivots, *, out=None):
    """Legacy ``torch.lu_solve(b, LU_data, LU_pivots)``."""
    _warn_once("lu_solve", "torch.lu_solve is deprecated in favor of torch.linalg.lu_solveand will be removed in a "
               "future PyTorch release.\nNote that torch.linalg.lu_solve has its arguments reversed.\nX = "
               "torch.lu_solve(B, LU, pivots)\nshould be replaced with\nX = torch.linalg.lu_solve(LU, pivots, B)")
    return _out(out, lu_solve(LU_data, LU_pivots, b))


# ----------------------------------------------------------------------------------------------------------
# general eigendecomposition (forward only: no gradient yet)
# ----------------------------------------------------------------------------------------------------------

_Eig = _named("linalg_eig", ["eigenvalues", "eigenvectors"])
_COMPLEX_OF = {np.dtype(np.float32): np.complex64, np.dtype(np.float64): np.complex128,
               np.dtype(np.complex64): np.complex64, np.dtype(np.complex128): np.complex128}


def _eig_host(name, A):
    _check_matrix(name, A)
    a = A._host()
    w, v = np.linalg.eig(a)            # LAPACK geev, as torch on CPU: unit-norm eigenvectors
    ct = _COMPLEX_OF[a.dtype]
    return w.astype(ct), v.astype(ct)


def eig(A, *, out=None):
    """Eigenvalues and unit-norm eigenvectors of square matrices, always complex (order as LAPACK's geev).
    ember computes no gradient through ``eig`` yet: the results do not require grad."""
    w, v = _eig_host("linalg.eig", A)
    return _Eig(_wrap(w), _wrap(v))


def eigvals(A, *, out=None):
    """The (complex) eigenvalues of square matrices; see ``eig``."""
    return _out(out, _wrap(_eig_host("linalg.eigvals", A)[0]))
