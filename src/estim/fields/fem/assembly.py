"""Stiffness assembly of curved (isoparametric) P2 tetrahedra, vectorised over elements.

The same weak form and quadrature as scikit-fem's ``asm`` with ``ElementTetP2`` and
``intorder=2`` (the 4-point degree-2 rule), without its per-call form machinery: the
reference gradients at the four points are computed once, the Jacobians of all elements at
once, and the element matrices are scattered straight into the numbering of the reduced
system (floating electrodes merged, the ground dropped), so no sparse products or slicing
follow. ``tests/unit/test_fields_assembly.py`` checks it against scikit-fem.

    >>> import numpy as np
    >>> nodes = np.array([[0, 1, 0, 0, .5, .5, 0, 0, .5, 0], [0, 0, 1, 0, 0, .5, .5, 0, 0, .5],
    ...                   [0, 0, 0, 1, 0, 0, 0, .5, .5, .5]], dtype=float)
    >>> k = element_stiffness(nodes, np.arange(10)[:, None], np.ones(1), np.zeros(1),
    ...                       np.array([0.0, 0.0, 1.0]))
    >>> bool(np.allclose(k.sum(axis=2), 0))  # constants are in the kernel
    True
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

__all__ = ["QUADRATURE", "assemble", "element_stiffness", "p2_shape"]

_EDGES = ((0, 1), (1, 2), (0, 2), (0, 3), (1, 3), (2, 3))  # scikit-fem ElementTetP2 order
_A, _B = 0.5854101966249685, 0.1381966011250105
#: The 4-point degree-2 rule on the reference tetrahedron: points (4, 3), weights (4,).
QUADRATURE = (np.array([[_A, _B, _B], [_B, _B, _B], [_B, _B, _A], [_B, _A, _B]]),
              np.full(4, 1 / 24))


def p2_shape(xi: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """P2 tetrahedron shape functions (10, N) and reference gradients (10, N, 3) at ξ (N, 3)."""
    lam = np.stack([1 - xi.sum(axis=1), xi[:, 0], xi[:, 1], xi[:, 2]])  # (4, N)
    dlam = np.array([[-1.0, -1.0, -1.0], [1, 0, 0], [0, 1, 0], [0, 0, 1]])  # (4, 3)
    n = np.empty((10, xi.shape[0]))
    dn = np.empty((10, xi.shape[0], 3))
    for i in range(4):
        n[i] = lam[i] * (2 * lam[i] - 1)
        dn[i] = (4 * lam[i] - 1)[:, None] * dlam[i]
    for k, (i, j) in enumerate(_EDGES, start=4):
        n[k] = 4 * lam[i] * lam[j]
        dn[k] = 4 * (lam[j][:, None] * dlam[i] + lam[i][:, None] * dlam[j])
    return n, dn


def element_stiffness(points: NDArray[np.float64], tets: NDArray[np.int64],
                      sigma: NDArray[np.float64], sigma_delta: NDArray[np.float64],
                      axis: NDArray[np.float64]) -> NDArray[np.float64]:
    """Element matrices ∫ (σ ∇φ·∇v + σ_δ (a·∇φ)(a·∇v)) (nel, 10, 10).

    :param points: (3, n) node coordinates (m). :param tets: (10, nel) nodes per element.
    :param sigma: (nel,) conductivity across the fibers (S/m).
    :param sigma_delta: (nel,) along minus across (S/m). :param axis: (3,) fiber direction.
    """
    x = np.moveaxis(points[:, tets], 0, -1)  # (10, nel, 3)
    xq, wq = QUADRATURE
    _, dn = p2_shape(xq)  # (10, 4, 3)
    nel = tets.shape[1]
    # K_ab = Σ_q Σ_kl C_qkl d_qak d_qbl with C = w |det J| J⁻¹ Σ J⁻ᵀ, Σ = σ I + σ_δ a aᵀ:
    # one (nel, 36) @ (36, 100) product against the reference gradient pairs
    metric = np.empty((nel, len(wq), 3, 3))
    for q in range(len(wq)):
        jac = np.einsum("aek,aj->ekj", x, dn[:, q])  # dx_k / dξ_j, (nel, 3, 3)
        inv = np.linalg.inv(jac)
        w = wq[q] * np.abs(np.linalg.det(jac))
        ia = inv @ axis  # (nel, 3)
        metric[:, q] = ((w * sigma)[:, None, None] * (inv @ inv.transpose(0, 2, 1))
                        + (w * sigma_delta)[:, None, None] * (ia[:, :, None] * ia[:, None, :]))
    pairs = np.einsum("aqk,bql->qklab", dn, dn).reshape(len(wq) * 9, 100)
    return (metric.reshape(nel, -1) @ pairs).reshape(nel, 10, 10)


def assemble(local: NDArray[np.float64], dofs: NDArray[np.int64], index: NDArray[np.int64],
             size: int) -> sp.csr_matrix:
    """Sum symmetric element matrices into a (size, size) CSR matrix.

    :param local: (nel, 10, 10) element matrices, symmetric.
    :param dofs: (10, nel) global dofs.
    :param index: (n_dofs,) row of each dof in the result; -1 drops it (a grounded node);
        several dofs with one row are summed (an equipotential electrode).

    Only the 55 entries on and above each element's diagonal are scattered (the diagonal
    halved) and the result is S + Sᵀ: the sort that sums duplicates sees 55 % of the data.
    """
    a, b = np.triu_indices(local.shape[1])
    r = index[dofs]  # (10, nel)
    rows, cols = r[a].ravel(), r[b].ravel()
    vals = local[:, a, b].T.copy()  # (55, nel), same order as rows and cols
    vals[a == b] *= 0.5
    vals = vals.ravel()
    keep = (rows >= 0) & (cols >= 0)
    if not keep.all():
        rows, cols, vals = rows[keep], cols[keep], vals[keep]
    half = sp.csr_matrix((vals, (rows, cols)), shape=(size, size))
    return (half + half.T).tocsr()
