"""Ready-made parametrizations: ``weight_norm``, ``spectral_norm``, ``orthogonal``."""
from __future__ import annotations

import math

import numpy as np

from ... import _creation, linalg
from ..._dtype import finfo
from ...autograd.grad_mode import no_grad
from ...ops.shape import cat
from ...tensor import Tensor
from .. import functional as F
from ..modules.module import Module
from . import parametrize

__all__ = ["weight_norm", "spectral_norm", "orthogonal"]


def _norm_except_dim(v, dim):
    """The 2-norm of ``v`` over every dim but ``dim`` (keepdim shape); over everything when dim is -1/None."""
    if dim is None or dim == -1:
        return v.norm(2)
    d = dim % v.ndim
    axes = tuple(i for i in range(v.ndim) if i != d)
    return (v * v).sum(axes, keepdim=True).sqrt()


class _WeightNorm(Module):
    """w = g * v / ||v|| (norm over all dims except ``dim``); originals (g, v)."""

    def __init__(self, dim=0):
        super().__init__()
        if dim is None:
            dim = -1
        self.dim = dim

    def forward(self, weight_g, weight_v):
        return weight_v * (weight_g / _norm_except_dim(weight_v, self.dim))

    def right_inverse(self, weight):
        return _norm_except_dim(weight, self.dim), weight


def weight_norm(module, name="weight", dim=0):
    """Reparametrize ``module.<name>`` as g * v / ||v||: ``parametrizations.<name>.original0`` is g,
    ``original1`` is v."""
    _weight_norm = _WeightNorm(dim)
    parametrize.register_parametrization(module, name, _weight_norm, unsafe=True)

    def _weight_norm_compat_hook(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                                 error_msgs):
        g_key, v_key = f"{prefix}{name}_g", f"{prefix}{name}_v"
        if g_key in state_dict and v_key in state_dict:
            state_dict[f"{prefix}parametrizations.{name}.original0"] = state_dict.pop(g_key)
            state_dict[f"{prefix}parametrizations.{name}.original1"] = state_dict.pop(v_key)
    module._register_load_state_dict_pre_hook(_weight_norm_compat_hook)
    return module


class _SpectralNorm(Module):
    """w / sigma(w), sigma estimated by power iteration on buffers ``_u``, ``_v`` (updated in training)."""

    def __init__(self, weight, n_power_iterations=1, dim=0, eps=1e-12):
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError(f"Dimension out of range (expected to be in range of [-{ndim}, {ndim - 1}] but got "
                             f"{dim})")
        if n_power_iterations <= 0:
            raise ValueError(f"Expected n_power_iterations to be positive, but got n_power_iterations="
                             f"{n_power_iterations}")
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            weight_mat = self._reshape_weight_to_matrix(weight)
            h, w = weight_mat.shape
            u = weight_mat.new_empty(h).normal_(0, 1)
            v = weight_mat.new_empty(w).normal_(0, 1)
            self.register_buffer("_u", F.normalize(u, dim=0, eps=self.eps))
            self.register_buffer("_v", F.normalize(v, dim=0, eps=self.eps))
            self._power_method(weight_mat, 15)

    def _reshape_weight_to_matrix(self, weight):
        assert weight.ndim > 1
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.dim()) if d != self.dim))
        return weight.flatten(1)                                         # (out, rest)

    def _power_method(self, weight_mat, n_power_iterations):
        with no_grad():
            for _ in range(n_power_iterations):
                self._u.copy_(F.normalize(weight_mat.mv(self._v), dim=0, eps=self.eps))
                self._v.copy_(F.normalize(weight_mat.mH.mv(self._u), dim=0, eps=self.eps))

    def forward(self, weight):
        if weight.ndim == 1:
            return F.normalize(weight, dim=0, eps=self.eps)
        weight_mat = self._reshape_weight_to_matrix(weight)
        if self.training:
            self._power_method(weight_mat, self.n_power_iterations)
        u = self._u.clone()
        v = self._v.clone()
        sigma = u.dot(weight_mat.mv(v))
        return weight / sigma

    def right_inverse(self, value):
        return value


def spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    """Divide ``module.<name>`` by its largest singular value (power iteration, one step per training forward)."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        dim = 1 if type(module).__name__ in ("ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d") else 0
    parametrize.register_parametrization(module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module


class _Orthogonal(Module):
    """Q from an unconstrained X (tall case n >= k; a wide X is handled transposed):

    - ``matrix_exp`` / ``cayley``: Q = map(A)[:, :k], A = L - L^H with L = tril(X) padded to (n, n);
      cayley(A) = (I - A/2)^{-1} (I + A/2).
    - ``householder``: Q = (H_1 ... H_k)[:, :k] diag(trunc(diag X)), H_i = I - tau_i v_i v_i^T with
      v_i = e_i + tril(X, -1)[:, i] and tau_i = 2 / ||v_i||^2 (diag X only sets signs, no gradient).

    With ``use_trivialization`` the result is ``base @ Q``; ``right_inverse`` then stores the (orthogonalised)
    target in ``base`` and returns the X with Q = I[:, :k]."""

    def __init__(self, weight, orthogonal_map, use_trivialization=True):
        super().__init__()
        if weight.is_complex() and orthogonal_map == "householder":
            # complex reflectors cannot be recovered from the strictly lower triangle alone
            raise ValueError("The householder parametrization does not support complex tensors.")
        self.shape = weight.shape
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, X):
        n, k = X.size(-2), X.size(-1)
        transposed = n < k
        if transposed:
            X = X.mT
            n, k = k, n
        if self.orthogonal_map == "householder":
            A = X.tril(-1)                                               # (..., n, k) reflectors
            tau = 2.0 / (1.0 + (A * A).sum(-2))                          # (..., k)
            signs = X.detach().diagonal(dim1=-2, dim2=-1).int().to(X.dtype)
            Q = _householder_product(A, tau) * signs.unsqueeze(-2)
        else:
            A = X.tril()
            if n != k:                                                   # pad to (..., n, n)
                A = cat([A, A.new_zeros(A.shape[:-1] + (n - k,))], -1)
            A = A - A.mH                                                 # skew-symmetric / skew-hermitian
            if self.orthogonal_map == "matrix_exp":
                Q = _matrix_exp(A)
            else:
                eye = _creation.eye(n, dtype=A.dtype)
                Q = linalg.solve(eye - A * 0.5, eye + A * 0.5)
            if n != k:
                Q = Q[..., :k]
        if hasattr(self, "base"):
            Q = self.base @ Q
        if transposed:
            Q = Q.mT
        return Q

    def right_inverse(self, Q):
        if Q.shape != self.shape:
            raise ValueError(f"Expected a matrix or batch of matrices of shape {self.shape}. Got a tensor of shape "
                             f"{Q.shape}.")
        with no_grad():
            return self._right_inverse(Q)

    def _right_inverse(self, Q):
        Q_init = Q
        n, k = Q.size(-2), Q.size(-1)
        transpose = n < k
        if transpose:
            Q = Q.mT
            n, k = k, n
        if not hasattr(self, "base"):
            if self.orthogonal_map != "householder":
                raise NotImplementedError("It is not possible to assign to the matrix exponential or the Cayley "
                                          "parametrizations when use_trivialization=False.")
            # X with householder(X) = the QR projection of Q: LAPACK's reflectors below the diagonal and, on
            # it, sign(R_ii) -- flipped where LAPACK skipped the reflection (tau == 0, while forward uses 2)
            A, tau = _geqrf(Q)
            diag = np.sign(np.diagonal(A, axis1=-2, axis2=-1))
            diag = np.where(tau == 0.0, -diag, diag)
            idx = np.arange(k)
            A[..., idx, idx] = diag
            A = _creation.tensor(A, dtype=Q.dtype, device=Q.device)
            return A.mT if transpose else A
        if n == k:
            Q = Q.clone() if _is_orthogonal(Q) else _make_orthogonal(Q)
        else:   # complete the columns of Q to an (n, n) orthogonal matrix
            N = _creation.randn(*(Q.shape[:-2] + (n, n - k)), dtype=Q.dtype, device=Q.device)
            Q = _make_orthogonal(cat([Q, N], -1))
        self.base = Q
        # X = -I (n, k) maps to I[:, :k] under all three maps, so base @ Q(X) starts at base[:, :k]
        neg_id = _creation.zeros(Q_init.shape, dtype=Q_init.dtype, device=Q_init.device)
        neg_id.diagonal(dim1=-2, dim2=-1).fill_(-1.0)
        return neg_id


def _is_orthogonal(Q):
    n, k = Q.size(-2), Q.size(-1)
    eye = _creation.eye(k, dtype=Q.dtype, device=Q.device)
    eps = 10.0 * n * finfo(Q.dtype).eps
    return bool((Q.mH @ Q).allclose(eye, atol=eps))


def _make_orthogonal(A):
    """The Q of A = QR (A tall) with diag(R) made non-negative."""
    Q, R = linalg.qr(A)
    return Q * R.diagonal(dim1=-2, dim2=-1).sgn().unsqueeze(-2)


def _geqrf(Q):
    """LAPACK's geqrf of a tall (..., n, k) Q, as NumPy arrays: R on and above the diagonal of the first, the
    Householder vectors below it, and the (..., k) scalars tau."""
    h, tau = np.linalg.qr(Q._host(), mode="raw")                       # h: (..., k, n), column-major layout
    return np.ascontiguousarray(np.swapaxes(h, -1, -2)), tau


def _householder_product(A, tau):
    """(H_1 H_2 ... H_k)[:, :k] for A (..., n, k), H_i = I - tau_i v_i v_i^T, v_i = e_i + A[:, i] (A strictly
    lower triangular), composed from differentiable ops."""
    n, k = A.size(-2), A.size(-1)
    unit = _creation.eye(n, k, dtype=A.dtype, device=A.device)
    V = A + unit                                                         # (..., n, k)
    Q = unit.expand(A.shape)
    for i in reversed(range(k)):
        v = V[..., i:i + 1]                                              # (..., n, 1)
        Q = Q - (v * tau[..., i:i + 1].unsqueeze(-1)) @ (v.mT @ Q)       # H_i Q
    return Q


def _matrix_exp(A):
    """exp(A) by scaling and squaring with a degree-12 Taylor polynomial, in ember ops (differentiable)."""
    norm = float(A.detach().abs().sum(-2).amax())
    s = max(0, int(math.ceil(math.log2(norm))) + 1) if norm > 0.5 else 0
    X = A / (2 ** s)
    out = _creation.eye(A.shape[-1], dtype=A.dtype, device=A.device)
    term = out
    for i in range(1, 13):
        term = term @ X / i
        out = out + term
    for _ in range(s):
        out = out @ out
    return out


def orthogonal(module, name="weight", orthogonal_map=None, *, use_trivialization=True):
    """Constrain ``module.<name>`` to (semi-)orthogonal matrices (orthonormal columns if m >= n, rows otherwise).

    ``orthogonal_map``: ``"matrix_exp"`` or ``"cayley"`` of a skew-symmetric matrix, or ``"householder"`` (a
    product of reflectors, real only); default ``"matrix_exp"`` for square or complex weights, ``"householder"``
    otherwise.  Registration keeps the weight if it is already orthogonal and projects it by QR otherwise."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if weight.ndim < 2:
        raise ValueError(f"Expected a matrix or batch of matrices. Got a tensor of {weight.ndim} dimensions.")
    if orthogonal_map is None:
        square = weight.size(-2) == weight.size(-1)
        orthogonal_map = "matrix_exp" if square or weight.is_complex() else "householder"
    if orthogonal_map not in ("matrix_exp", "cayley", "householder"):
        raise ValueError('orthogonal_map has to be one of "matrix_exp", "cayley", "householder". '
                         f"Got: {orthogonal_map}")
    orth = _Orthogonal(weight, orthogonal_map, use_trivialization=use_trivialization)
    parametrize.register_parametrization(module, name, orth, unsafe=True)
    return module
