"""``ember.linalg``: decompositions, solvers and norms.

Each decomposition is one primitive: NumPy's LAPACK-backed ``numpy.linalg`` computes the forward, and the
backward is the standard matrix-calculus formula written with ember Tensor ops (so double backward works).
Formulas are for real inputs and written with ``mH`` so they read as in the literature; shapes are batched
over any leading dims ``(*, m, n)``.

Sign and phase conventions of ``qr``, ``svd`` and ``eigh`` are LAPACK's (as NumPy returns them); compare
invariant quantities (reconstructions, projections, singular values) rather than the factors themselves, as
torch's documentation advises.
"""
from __future__ import annotations


import numpy as np

from ..autograd.function import Op
from ._util import Tensor, _wrap, unbroadcast, wrap_dim, xp_of as _xp
from .products import matmul, multi_dot
from .reduce import _named, vector_norm

__all__ = ["LinAlgError", "inv", "inv_ex", "det", "slogdet", "logdet", "solve", "cholesky", "cholesky_ex", "qr",
           "svd", "svdvals", "eigh", "eigvalsh", "norm", "matrix_norm", "vector_norm", "matrix_rank", "pinv",
           "lstsq", "cross", "matrix_power", "multi_dot", "matmul", "vecdot", "diagonal", "solve_triangular", "lu",
           "lu_factor", "lu_factor_ex", "lu_solve", "eig", "eigvals"]


class LinAlgError(RuntimeError):
    """Raised when a matrix is singular or not positive-definite (``torch.linalg.LinAlgError``)."""


_TYPE_NAMES = {"float16": "Half", "bfloat16": "BFloat16", "int64": "Long", "int32": "Int", "int16": "Short",
               "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def _check_matrix(name, A, square=True):
    """torch's argument checks shared by every linalg function: floating dtype, >= 2 dims, square."""
    if not isinstance(A, Tensor):
        raise TypeError(f"{name}(): argument 'A' (position 1) must be Tensor, not {type(A).__name__}")
    kind = A._data.dtype.kind
    if kind not in "fcV":
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got "
                           f"{_TYPE_NAMES.get(A.dtype.name, A.dtype.name)}")
    if kind == "V" or A._data.dtype == np.float16:
        raise RuntimeError(f"{name}: Low precision dtypes not supported. Got {_TYPE_NAMES[A.dtype.name]}")
    if A._data.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    m, n = A._data.shape[-2:]
    if square and m != n:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are {m} by {n} matrices")


def _batch_prefix(shape, flat_index):
    """torch's ``(Batch element k): `` prefix for errors in batched inputs (nothing for a single matrix)."""
    return f"(Batch element {flat_index}): " if len(shape) > 2 else ""


def _zero_pivot(a):
    """1-based index of the first zero pivot of LU with partial pivoting (LAPACK getrf's ``info``), or 0."""
    a = np.array(a, dtype=np.float64 if a.dtype.kind == "f" else np.complex128)
    n = a.shape[0]
    for k in range(n):
        p = k + int(np.argmax(np.abs(a[k:, k])))
        if a[p, k] == 0:
            return k + 1
        a[[k, p]] = a[[p, k]]
        a[k + 1:, k] /= a[k, k]
        a[k + 1:, k + 1:] -= np.outer(a[k + 1:, k], a[k, k + 1:])
    return 0


def _first_singular(a):
    """(flat batch index, 1-based zero pivot) of the first singular matrix in batch ``a``."""
    host = a if type(a) is np.ndarray else _xp(a).asnumpy(a)
    flat = host.reshape((-1,) + host.shape[-2:])
    for i, mat in enumerate(flat):
        piv = _zero_pivot(mat)
        if piv:
            return i, piv
    return 0, host.shape[-1]


def _square_eye(n, like):
    return _wrap(_xp(like._data).eye(n, dtype=like._data.dtype))


def _saved_outputs(ctx):
    """All outputs of a multi-output node as Tensors that are this node's outputs (for double backward)."""
    outs = []
    for i, arr in enumerate(ctx.outs):
        t = _wrap(arr)
        t._grad_fn, t._output_nr, t.requires_grad = ctx, i, True
        outs.append(t)
    return outs


def _sym(x):
    return (x + x.mH) * 0.5


# ----------------------------------------------------------------------------------------------------------
# inverse, determinants, solve
# ----------------------------------------------------------------------------------------------------------

class Inv(Op):
    """Y = A^{-1};  dA = -Y^H dY Y^H."""

    _grad_name = "LinalgInvExBackward0"
    save_output = True

    @staticmethod
    def forward(ctx, A):
        try:
            return _xp(A).linalg.inv(A)
        except np.linalg.LinAlgError:
            b, piv = _first_singular(A)
            raise LinAlgError(f"linalg.inv: {_batch_prefix(A.shape, b)}The diagonal element {piv} is zero, the "
                              "inversion could not be completed because the input matrix is singular.") from None

    @staticmethod
    def backward(ctx, grad):
        Y = ctx.saved_output
        return -(Y.mH @ grad @ Y.mH)


def inv(A, *, out=None):
    """The inverse of each square matrix in ``A`` (``*, n, n``)."""
    _check_matrix("linalg.inv", A)
    return _out(out, Inv.apply(A))


def inv_ex(A, *, check_errors=False, out=None):
    _check_matrix("linalg.inv", A)
    try:
        res = Inv.apply(A)
        info = np.zeros(A._data.shape[:-2], np.int32)
    except LinAlgError:
        if check_errors:
            raise
        res = _wrap(np.full(A._data.shape, np.nan, A._data.dtype))
        info = _info_array(A._data)
    return _InvEx(res, _wrap(info))


_InvEx = _named("linalg_inv_ex", ["inverse", "info"])


def _info_array(a):
    flat = a.reshape((-1,) + a.shape[-2:])
    return np.array([_zero_pivot(m) for m in flat], np.int32).reshape(a.shape[:-2])


class Det(Op):
    """d = det(A);  dA = g d A^{-H} (the adjugate, through an SVD when A is singular)."""

    _grad_name = "LinalgDetBackward0"
    save_inputs = (0,)
    save_output = True

    @staticmethod
    def forward(ctx, A):
        xp = _xp(A)
        return xp.asarray(xp.linalg.det(A), dtype=A.dtype)   # NumPy returns a scalar for one matrix

    @staticmethod
    def backward(ctx, grad):
        (A,) = ctx.saved_tensors
        d = ctx.saved_output
        scale = (grad * d.conj()).unsqueeze(-1).unsqueeze(-1)
        try:
            return scale * Inv.apply(A).mH
        except LinAlgError:
            return grad.unsqueeze(-1).unsqueeze(-1) * _adjugate_t(A)


def _adjugate_t(A):
    """adj(A)^H from an SVD, valid for singular A: det(U) det(V^H) U diag(prod_{j != i} s_j) V^H."""
    a = A.detach()._host().astype(np.float64)
    U, S, Vh = np.linalg.svd(a)
    n = S.shape[-1]
    others = np.stack([np.prod(np.delete(S, i, axis=-1), axis=-1) for i in range(n)], -1) if n else S
    sign = np.linalg.det(U) * np.linalg.det(Vh)
    adj = sign[..., None, None] * (U * others[..., None, :]) @ Vh
    return _wrap(adj.astype(A._data.dtype))


def det(A, *, out=None):
    """The determinant of each square matrix in ``A``."""
    _check_matrix("linalg.det", A)
    return _out(out, Det.apply(A))


class Slogdet(Op):
    """(sign, log|det A|);  d log|det A| / dA = A^{-H}; sign is piecewise constant."""

    _grad_name = "LinalgSlogdetBackward0"
    _materialize = False
    save_inputs = (0,)

    @staticmethod
    def forward(ctx, A):
        xp = _xp(A)
        sign, logabs = xp.linalg.slogdet(A)
        return xp.asarray(sign, dtype=A.dtype), xp.asarray(logabs, dtype=A.dtype)

    @staticmethod
    def backward(ctx, g_sign, g_logabs):
        if g_logabs is None:
            return None
        (A,) = ctx.saved_tensors
        return g_logabs.unsqueeze(-1).unsqueeze(-1) * Inv.apply(A).mH


_Slogdet = _named("linalg_slogdet", ["sign", "logabsdet"])


def slogdet(A, *, out=None):
    """Sign and natural log of the absolute value of the determinant."""
    _check_matrix("linalg.slogdet", A)
    return _Slogdet(*Slogdet.apply(A))


def logdet(A):
    """log det A: nan for a negative determinant, -inf for a singular matrix (as ``torch.logdet``)."""
    _check_matrix("logdet", A)
    sign, logabs = Slogdet.apply(A)
    nan = _wrap(np.asarray(np.nan, dtype=A._data.dtype))
    from .shape import where
    return where(sign < 0, nan, logabs)


class Solve(Op):
    """X = A^{-1} B for matrices B (batch dims broadcast);  gB = A^{-H} g,  gA = -gB X^H."""

    _grad_name = "LinalgSolveExBackward0"
    save_inputs = (0,)
    save_output = True

    @staticmethod
    def forward(ctx, A, B):
        ctx.shapes = (A.shape, B.shape)
        try:
            return _xp(A).linalg.solve(A, B)
        except np.linalg.LinAlgError:
            b, _ = _first_singular(np.broadcast_to(A, np.broadcast_shapes(A.shape[:-2], B.shape[:-2]) + A.shape[-2:]))
            raise LinAlgError(f"torch.linalg.solve: {_batch_prefix(A.shape, b)}The solver failed because the input "
                              "matrix is singular.") from None

    @staticmethod
    def backward(ctx, grad):
        (A,) = ctx.saved_tensors
        X = ctx.saved_output
        a_shape, b_shape = ctx.shapes
        gB = Solve.apply(A.mH, grad)
        gA = unbroadcast(-(gB @ X.mH), a_shape) if ctx._edges[0] is not None else None
        return gA, unbroadcast(gB, b_shape) if ctx._edges[1] is not None else None


def solve(A, B, *, left=True, out=None):
    """X with A X = B (``left=False``: X A = B).  B may be a vector (``*, n``) or matrices (``*, n, k``)."""
    _check_matrix("linalg.solve", A)
    if not left:
        return _out(out, solve(A.mT, B.mT).mT)
    a, b = A._data, B._data
    vector = b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])
    Bm = B.unsqueeze(-1) if vector else B
    bm = Bm._data
    if bm.shape[-2] != a.shape[-1]:
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation AX = B "
                           f"({a.shape[-2]}x{a.shape[-1]} and {bm.shape[-2]}x{bm.shape[-1]})")
    _check_batch_broadcast(bm.shape[:-2], a.shape[:-2])
    if B.dtype is not A.dtype:
        from ._util import result_dtype
        rt = result_dtype(A, B)
        A, Bm = A.to(rt), Bm.to(rt)
    X = Solve.apply(A, Bm)
    return _out(out, X.squeeze(-1) if vector else X)


def _check_batch_broadcast(sa, sb):
    """torch's broadcasting message for batch shapes ``sa`` (tensor a) and ``sb`` (tensor b)."""
    nd = max(len(sa), len(sb))
    pa, pb = (1,) * (nd - len(sa)) + tuple(sa), (1,) * (nd - len(sb)) + tuple(sb)
    for i, (x, y) in enumerate(zip(pa, pb)):
        if x != y and x != 1 and y != 1:
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b ({y}) at "
                               f"non-singleton dimension {i}")


# ----------------------------------------------------------------------------------------------------------
# Cholesky, QR
# ----------------------------------------------------------------------------------------------------------

class Cholesky(Op):
    """A = L L^H;  gA = sym(L^{-H} Phi(L^H gL) L^{-1}), Phi = lower triangle with the diagonal halved."""

    _grad_name = "LinalgCholeskyExBackward0"
    save_output = True

    @staticmethod
    def forward(ctx, A):
        try:
            return _xp(A).linalg.cholesky(A)
        except np.linalg.LinAlgError:
            b, order = _first_not_pd(A)
            raise LinAlgError(f"linalg.cholesky: {_batch_prefix(A.shape, b)}The factorization could not be "
                              "completed because the input is not positive-definite (the leading minor of order "
                              f"{order} is not positive-definite).") from None

    @staticmethod
    def backward(ctx, grad):
        L = ctx.saved_output
        P = L.mH @ grad.tril()
        P = P.tril() - 0.5 * P.diagonal(0, -2, -1).diag_embed()    # Phi(L^H gL)
        T = Solve.apply(L.mH, P)                                   # L^{-H} Phi
        S = Solve.apply(L.mH, T.mH).mH                             # L^{-H} Phi L^{-1}
        return _sym(S)


def _first_not_pd(a):
    host = a if type(a) is np.ndarray else _xp(a).asnumpy(a)
    flat = host.reshape((-1,) + host.shape[-2:])
    for i, mat in enumerate(flat):
        for k in range(1, mat.shape[-1] + 1):
            try:
                np.linalg.cholesky(mat[:k, :k])
            except np.linalg.LinAlgError:
                return i, k
    return 0, host.shape[-1]


def cholesky(A, *, upper=False, out=None):
    """The Cholesky factor of each Hermitian positive-definite matrix (lower; ``upper=True``: L^H)."""
    _check_matrix("linalg.cholesky", A)
    L = Cholesky.apply(A)
    return _out(out, L.mH if upper else L)


def cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    _check_matrix("linalg.cholesky", A)
    try:
        L = cholesky(A, upper=upper)
        info = np.zeros(A._data.shape[:-2], np.int32)
    except LinAlgError:
        if check_errors:
            raise
        L = _wrap(np.zeros(A._data.shape, A._data.dtype))
        flat = A._host().reshape((-1,) + A._data.shape[-2:])
        info = np.array([_first_not_pd(m)[1] if _not_pd(m) else 0 for m in flat], np.int32)
        info = info.reshape(A._data.shape[:-2])
    return _CholeskyEx(L, _wrap(info))


def _not_pd(m):
    try:
        np.linalg.cholesky(m)
        return False
    except np.linalg.LinAlgError:
        return True


_CholeskyEx = _named("linalg_cholesky_ex", ["L", "info"])


class QR(Op):
    """A = Q R.  For m >= n (Liao et al. 2019):  M = R gR^H - gQ^H Q,  gA = (gQ + Q copyltu(M)) R^{-H}.
    For m < n, A = [X | Y] with X square: X = Q U, Y = Q V, so gY = Q gV and X takes gQ + Y gV^H."""

    _grad_name = "LinalgQrBackward0"
    _materialize = False

    @staticmethod
    def forward(ctx, A, mode):
        ctx.mode = mode
        Q, R = _xp(A).linalg.qr(A, mode="complete" if mode == "complete" else "reduced")
        ctx.outs = (Q, R)
        if mode == "r":
            return _xp(A).empty((0,), A.dtype), R
        return Q, R

    @staticmethod
    def backward(ctx, gQ, gR):
        mode = ctx.mode
        if mode == "r":
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
                               "Please use linalg.qr(A, mode='reduced') if you are going to differentiate through "
                               "linalg.qr.")
        Q, R = _saved_outputs(ctx)
        m, n = Q.shape[-2], R.shape[-1]
        if mode == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when mode='complete' and nrows > ncols.")
        if gQ is None:
            gQ = Q.new_zeros(Q.shape)
        if gR is None:
            gR = R.new_zeros(R.shape)
        if m >= n:
            return _qr_backward_tall(Q, R, gQ, gR), None
        A = Q @ R
        Y = A[..., m:]
        U, gU, gV = R[..., :m], gR[..., :m], gR[..., m:]
        gX = _qr_backward_tall(Q, U, gQ + Y @ gV.mH, gU)
        from .shape import cat
        return cat([gX, Q @ gV], -1), None


def _qr_backward_tall(Q, R, gQ, gR):
    M = R @ gR.mH - gQ.mH @ Q
    low = M.tril(-1)
    b = gQ + Q @ (low + low.mH + M.diagonal(0, -2, -1).diag_embed())   # copyltu(M): lower mirrored up
    return Solve.apply(R, b.mH).mH                                       # b R^{-H}


_QR = _named("linalg_qr", ["Q", "R"])


def qr(A, mode="reduced", *, out=None):
    """A = Q R with Q orthonormal columns and R upper triangular; ``mode``: reduced, complete or r."""
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), 'r', "
                           "or 'complete'")
    _check_matrix("linalg.qr", A, square=False)
    return _QR(*QR.apply(A, mode))


# ----------------------------------------------------------------------------------------------------------
# SVD and the symmetric eigendecomposition
# ----------------------------------------------------------------------------------------------------------

class SVD(Op):
    """A = U diag(S) V^H (thin).  With F_ij = 1/(s_j^2 - s_i^2) (Townsend 2016):
    gA = U [diag(gS) + F*(U^H gU - gU^H U) S + S F*(V^H gV - gV^H V)] V^H
         + (I - U U^H) gU S^{-1} V^H + U S^{-1} gV^H (I - V V^H)."""

    _grad_name = "LinalgSvdBackward0"
    _materialize = False

    @staticmethod
    def forward(ctx, A, full_matrices):
        U, S, Vh = _xp(A).linalg.svd(A, full_matrices=full_matrices)
        ctx.outs = (U, S, Vh)
        return U, S, Vh

    @staticmethod
    def backward(ctx, gU, gS, gVh):
        U, S, Vh = _saved_outputs(ctx)
        k = S.shape[-1]
        if U.shape[-1] != k:      # full_matrices: only the first k singular vectors carry information
            U = U[..., :k]
            gU = gU[..., :k] if gU is not None else None
        if Vh.shape[-2] != k:
            Vh = Vh[..., :k, :]
            gVh = gVh[..., :k, :] if gVh is not None else None
        return _svd_backward(U, S, Vh, gU, gS, gVh), None


def _svd_backward(U, S, Vh, gU, gS, gVh):
    m, n, k = U.shape[-2], Vh.shape[-1], S.shape[-1]
    inner = gS.diag_embed() if gS is not None else None
    if gU is None and gVh is None:
        return U @ inner @ Vh
    S2 = S * S
    E = S2.unsqueeze(-2) - S2.unsqueeze(-1)                     # E_ij = s_j^2 - s_i^2
    E = E + _square_eye(k, E)                                   # the diagonal is never read (skew parts are 0)
    gA = None
    if gU is not None:
        UhgU = U.mH @ gU
        term = ((UhgU - UhgU.mH) / E) * S.unsqueeze(-2)         # (F * skew) S
        inner = term if inner is None else inner + term
        if m > k:
            gA = ((gU - U @ UhgU) / S.unsqueeze(-2)) @ Vh       # (I - U U^H) gU S^{-1} V^H
    if gVh is not None:
        V, gV = Vh.mH, gVh.mH
        VhgV = V.mH @ gV
        term = S.unsqueeze(-1) * ((VhgV - VhgV.mH) / E)         # S (F * skew)
        inner = term if inner is None else inner + term
        if n > k:
            extra = U @ ((gV - V @ VhgV) / S.unsqueeze(-2)).mH  # U S^{-1} gV^H (I - V V^H)
            gA = extra if gA is None else gA + extra
    core = U @ inner @ Vh
    return core if gA is None else core + gA


_SVDResult = _named("linalg_svd", ["U", "S", "Vh"])


def svd(A, full_matrices=True, *, driver=None, out=None):
    """A = U diag(S) Vh with S descending; ``full_matrices=False`` gives the thin factors."""
    _check_matrix("linalg.svd", A, square=False)
    return _SVDResult(*SVD.apply(A, bool(full_matrices)))


def svdvals(A, *, driver=None, out=None):
    """The singular values of ``A`` in descending order."""
    _check_matrix("linalg.svdvals", A, square=False)
    return _out(out, SVD.apply(A, False)[1])


class Eigh(Op):
    """A = V diag(L) V^H (Hermitian A, lower triangle read).  With E_ij = L_j - L_i:
    gA = V [diag(gL) + skew(V^H gV) / (2E)] V^H, whose off-diagonal part is symmetric."""

    _grad_name = "LinalgEighBackward0"
    _materialize = False

    @staticmethod
    def forward(ctx, A, uplo):
        L, V = _xp(A).linalg.eigh(A, UPLO=uplo)
        ctx.outs = (L, V)
        return L, V

    @staticmethod
    def backward(ctx, gL, gV):
        L, V = _saved_outputs(ctx)
        return _eigh_backward(L, V, gL, gV), None


def _eigh_backward(L, V, gL, gV):
    if gV is None:
        return (V * gL.unsqueeze(-2)) @ V.mH
    n = L.shape[-1]
    VhgV = V.mH @ gV
    E = L.unsqueeze(-2) - L.unsqueeze(-1)
    E = E + _square_eye(n, E)
    inner = ((VhgV - VhgV.mH) * 0.5) / E
    inner = inner - inner.diagonal(0, -2, -1).diag_embed()       # zero diagonal
    if gL is not None:
        inner = inner + gL.diag_embed()
    return V @ inner @ V.mH


_Eigh = _named("linalg_eigh", ["eigenvalues", "eigenvectors"])


def _check_uplo(UPLO):
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")


def eigh(A, UPLO="L", *, out=None):
    """Eigenvalues (ascending) and orthonormal eigenvectors of Hermitian matrices."""
    _check_matrix("linalg.eigh", A)
    _check_uplo(UPLO)
    return _Eigh(*Eigh.apply(A, UPLO))


def eigvalsh(A, UPLO="L", *, out=None):
    """The eigenvalues of Hermitian matrices, ascending."""
    _check_matrix("linalg.eigvalsh", A)
    _check_uplo(UPLO)
    return _out(out, Eigh.apply(A, UPLO)[0])


# ----------------------------------------------------------------------------------------------------------
# pseudo-inverse, least squares, rank
# ----------------------------------------------------------------------------------------------------------

def _tolerance(S, shape, dtype, atol, rtol):
    """torch's cutoff max(atol, rtol * s_max); rtol defaults to eps * max(m, n) when neither is given."""
    if isinstance(atol, Tensor):
        atol = atol._host()
    if isinstance(rtol, Tensor):
        rtol = rtol._host()
    if rtol is None:
        rtol = 0.0 if (atol is not None and np.any(np.asarray(atol) > 0)) else \
            np.finfo(dtype).eps * max(shape[-2:])
    atol = 0.0 if atol is None else atol
    smax = S[..., :1] if S.shape[-1] else np.zeros(S.shape[:-1] + (1,), S.dtype)
    return np.maximum(np.asarray(atol)[..., None] if np.ndim(atol) else atol,
                      (np.asarray(rtol)[..., None] if np.ndim(rtol) else rtol) * smax)


class Pinv(Op):
    """X = A^+;  gA = -X^H g X^H + (I - A X) g^H X X^H + X^H X g^H (I - X A) (Golub and Pereyra 1973;
    exact while the rank is locally constant)."""

    _grad_name = "LinalgPinvBackward0"
    save_inputs = (0,)
    save_output = True

    @staticmethod
    def forward(ctx, A, atol, rtol, hermitian):
        xp = _xp(A)
        if hermitian:
            w, V = xp.linalg.eigh(A)
            order = xp.argsort(-xp.abs(w), axis=-1)
            S = xp.take_along_axis(xp.abs(w), order, -1)
            tol = _tolerance(S, A.shape, A.dtype, atol, rtol)
            winv = xp.where(xp.abs(w) > tol, 1 / xp.where(w == 0, 1, w), 0)
            return ((V * winv[..., None, :]) @ xp.swapaxes(V, -1, -2).conj()).astype(A.dtype)
        U, S, Vh = xp.linalg.svd(A, full_matrices=False)
        tol = _tolerance(S, A.shape, A.dtype, atol, rtol)
        sinv = xp.where(S > tol, 1 / xp.where(S == 0, 1, S), 0).astype(A.dtype)
        return xp.swapaxes(Vh, -1, -2).conj() @ (sinv[..., :, None] * xp.swapaxes(U, -1, -2).conj())

    @staticmethod
    def backward(ctx, grad):
        (A,) = ctx.saved_tensors
        X = ctx.saved_output
        m, n = A.shape[-2], A.shape[-1]
        Xh = X.mH
        gA = -(Xh @ grad @ Xh)
        gh = grad.mH
        gA = gA + (_square_eye(m, A) - A @ X) @ gh @ (X @ Xh)
        gA = gA + (Xh @ X) @ gh @ (_square_eye(n, A) - X @ A)
        return gA, None, None, None


def pinv(A, *, atol=None, rtol=None, hermitian=False, out=None):
    """The Moore-Penrose pseudo-inverse; singular values below max(atol, rtol * s_max) count as zero."""
    _check_matrix("linalg.pinv", A, square=False)
    return _out(out, Pinv.apply(A, atol, rtol, hermitian))


def matrix_rank(A, *, atol=None, rtol=None, hermitian=False, tol=None, out=None):
    """The number of singular values above max(atol, rtol * s_max), as int64."""
    _check_matrix("linalg.matrix_rank", A, square=hermitian)
    if tol is not None:
        atol, rtol = tol, 0.0
    a = A._host()
    S = np.sort(np.abs(np.linalg.eigvalsh(a)), -1)[..., ::-1] if hermitian else \
        np.linalg.svd(a, compute_uv=False)
    tol_ = _tolerance(S, a.shape, a.dtype, atol, rtol)
    return _out(out, _wrap(np.asarray((S > tol_).sum(-1), dtype=np.int64)))


_Lstsq = _named("linalg_lstsq", ["solution", "residuals", "rank", "singular_values"])
_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


def lstsq(A, B, rcond=None, *, driver=None):
    """The least-squares (minimum-norm) solution of A X = B, with residuals, rank and singular values as
    torch's CPU drivers report them (default ``gelsy``: rank only)."""
    _check_matrix("torch.linalg.lstsq", A, square=False)
    driver = driver or "gelsy"
    if driver not in _DRIVERS:
        raise RuntimeError("torch.linalg.lstsq: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)")
    vector = B._data.ndim == A._data.ndim - 1
    Bm = B.unsqueeze(-1) if vector else B
    if Bm._data.shape[-2] != A._data.shape[-2]:
        raise RuntimeError("torch.linalg.lstsq: input.size(-2) should match other.size(-2)")
    m, n = A._data.shape[-2:]
    a = A._host()
    S = np.linalg.svd(a, compute_uv=False)
    rtol = np.finfo(a.dtype).eps * max(m, n) if rcond is None or rcond < 0 else rcond
    ranks = (S > _tolerance(S, a.shape, a.dtype, 0.0, rtol)).sum(-1)
    X = Pinv.apply(A, 0.0, rtol, False) @ Bm
    empty = A.new_zeros((0,))
    residuals = X.reshape(-1)[:0]     # empty, but part of the graph as in torch
    if driver != "gelsy" and m > n and np.all(ranks == n):
        residuals = ((A @ X - Bm) ** 2).sum(-2)
        if vector:
            residuals = residuals.squeeze(-1)
    rank = _wrap(np.asarray(ranks, np.int64)) if driver != "gels" else _wrap(np.zeros((0,), np.int64))
    sv = _wrap(S.astype(a.dtype)) if driver in ("gelsd", "gelss") else empty.detach()
    return _Lstsq(X.squeeze(-1) if vector else X, residuals, rank, sv)


# ----------------------------------------------------------------------------------------------------------
# cross product, powers, norms
# ----------------------------------------------------------------------------------------------------------

class Cross(Op):
    """c = a x b along ``dim``;  ga = b x g,  gb = g x a."""

    _grad_name = "LinalgCrossBackward0"
    save_inputs = (0, 1)

    @staticmethod
    def forward(ctx, a, b, dim):
        ctx.args = (dim, a.shape, b.shape)
        return _xp(a).cross(a, b, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        dim, sa, sb = ctx.args
        ga = unbroadcast(Cross.apply(b, grad, dim), sa) if ctx._edges[0] is not None else None
        gb = unbroadcast(Cross.apply(grad, a, dim), sb) if ctx._edges[1] is not None else None
        return ga, gb, None


def cross(input, other, *, dim=-1, out=None):
    """The cross product of 3-vectors along ``dim`` (batch dims broadcast)."""
    if input._data.ndim != other._data.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    d = wrap_dim(dim, input._data.ndim)
    if input._data.shape[d] != 3 or other._data.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{input._data.shape[d]} and {other._data.shape[d]}")
    _check_batch_broadcast(input._data.shape, other._data.shape)
    if input.dtype is not other.dtype:
        from ._util import result_dtype
        rt = result_dtype(input, other)
        input, other = input.to(rt), other.to(rt)
    return _out(out, Cross.apply(input, other, d))


def matrix_power(A, n, *, out=None):
    """A^n by repeated squaring (n < 0: of the inverse); a composite of ``matmul`` and ``inv``."""
    if not isinstance(n, (int, np.integer)):
        raise TypeError(f"matrix_power(): argument 'n' must be int, not {type(n).__name__}")
    if A._data.ndim < 2:
        raise RuntimeError("linalg.matrix_power: The input tensor A must have at least 2 dimensions.")
    m, k = A._data.shape[-2:]
    if m != k:
        raise RuntimeError(f"linalg.matrix_power: A must be batches of square matrices, but they are {m} by {k} "
                           "matrices")
    if n == 0:   # the identity, recorded as a copy into A (zero gradient), as torch does
        from ._methods import _CopyFrom
        return _out(out, _CopyFrom.apply(A, _square_eye(m, A)))
    if n < 0:
        A, n = inv(A), -int(n)
    result, base = None, A
    while n:
        if n & 1:
            result = base if result is None else result @ base
        n >>= 1
        if n:
            base = base @ base
    return _out(out, result)


_MATRIX_ORDS = ("fro", "nuc", 1, -1, 2, -2, float("inf"), float("-inf"))


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    """Matrix norms over ``dim``: 'fro', 'nuc', +-1 (max/min column sum), +-2 (singular values), +-inf (row sums)."""
    if A._data.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    if ord not in _MATRIX_ORDS:
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    if dtype is not None:
        A = A.to(dtype)
    nd = A._data.ndim
    d0, d1 = (wrap_dim(d, nd) for d in dim)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dim[0]}, {dim[1]})")
    if ord == "fro":
        return _out(out, vector_norm(A, 2, (d0, d1), keepdim))
    if ord in ("nuc", 2, -2):
        S = svdvals(A.movedim((d0, d1), (-2, -1)))
        res = S.sum(-1) if ord == "nuc" else S.amax(-1) if ord == 2 else S.amin(-1)
        if keepdim:
            for d in sorted((d0, d1)):
                res = res.unsqueeze(d)
        return _out(out, res)
    a = A.abs()
    red, keep = (d0, d1) if ord in (1, -1) else (d1, d0)
    sums = a.sum(red, keepdim=True)
    res = sums.amax(keep, keepdim=True) if ord > 0 else sums.amin(keep, keepdim=True)
    return _out(out, res if keepdim else res.squeeze((d0, d1)))


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None, out=None):
    """A vector norm (``dim`` an int or None with 1-D input) or a matrix norm (``dim`` a pair or 2-D input)."""
    if isinstance(dim, (int, np.integer)):
        dim = (int(dim),)
    if dim is not None:
        dim = tuple(dim)
        if len(dim) == 2:
            return matrix_norm(A, "fro" if ord is None else ord, dim, keepdim, dtype=dtype, out=out)
        return _out(out, vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype))
    if ord is None:
        res = vector_norm(A.reshape(-1) if not keepdim else A, 2, None, keepdim, dtype=dtype)
        return _out(out, res)
    if A._data.ndim == 2:
        return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype, out=out)
    if A._data.ndim == 1:
        return _out(out, vector_norm(A, ord, None, keepdim, dtype=dtype))
    raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got "
                       f"{A._data.ndim}D.")


def vecdot(x, y, *, dim=-1, out=None):
    """sum(conj(x) * y) along ``dim`` with broadcasting."""
    return _out(out, (x.conj() * y).sum(dim))


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    return A.diagonal(offset, dim1, dim2)


def _out(out, res):
    if out is None:
        return res
    from .inplace import copy_into_out
    return copy_into_out(out, res)


# triangular solves, LU, eig: ops/linalg_solve.py (imported at the end: it uses the helpers above)
from .linalg_solve import (  # noqa: E402,F401
    eig, eigvals, lu, lu_factor, lu_factor_ex, lu_solve, lu_solve_legacy, lu_unpack, solve_triangular,
    triangular_solve)
