"""Stiffness assembly of curved (isoparametric) P2 tetrahedra, vectorised over elements.

The same weak form and quadrature as scikit-fem's ``asm`` with ``ElementTetP2`` and
``intorder=2`` (the 4-point degree-2 rule), without its per-call form machinery: the
reference gradients at the four points are tabulated once, the Jacobians of all elements
at once with their inverses as cofactors over the determinant (no batched LAPACK calls),
and only the 55 entries on and above each element matrix's diagonal are formed, as one
(55, 24) @ (24, elements) product against the six distinct entries of each quadrature
point's symmetric metric. They are scattered straight into the numbering of the reduced
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

__all__ = ["QUADRATURE", "assemble", "assemble_upper", "cofactors", "element_stiffness",
           "element_upper", "p2_shape"]

_EDGES = ((0, 1), (1, 2), (0, 2), (0, 3), (1, 3), (2, 3))  # scikit-fem ElementTetP2 order
_A, _B = 0.5854101966249685, 0.1381966011250105
#: The 4-point degree-2 rule on the reference tetrahedron: points (4, 3), weights (4,).
QUADRATURE = (np.array([[_A, _B, _B], [_B, _B, _B], [_B, _B, _A], [_B, _A, _B]]),
              np.full(4, 1 / 24))



def cofactors(d: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Cofactors ``cof[k, j]`` of the entries (k, j) of 3 x 3 matrices stacked on the last
    axis (3, 3, nel), and their determinants (nel,): the inverse is ``cofᵀ / det``."""
    cof = np.empty_like(d)
    for k in range(3):
        k1, k2 = (k + 1) % 3, (k + 2) % 3
        for j in range(3):
            j1, j2 = (j + 1) % 3, (j + 2) % 3
            cof[k, j] = d[k1, j1] * d[k2, j2] - d[k1, j2] * d[k2, j1]
    return cof, np.einsum("je,je->e", d[0], cof[0])

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


_UPPER = np.triu_indices(10)  # the 55 entries on and above an element matrix's diagonal
_SYM = ((0, 0), (0, 1), (0, 2), (1, 1), (1, 2), (2, 2))  # a symmetric 3 x 3: triu order


def _pair_table() -> NDArray[np.float64]:
    """(55, 24): entry (ab, 6 q + m) is what metric entry m = (i, j) at point q adds to K_ab,
    d_qai d_qbj (+ d_qaj d_qbi off the diagonal of the metric)."""
    _, dn = p2_shape(QUADRATURE[0])  # (10, 4, 3)
    a, b = _UPPER
    out = np.empty((len(a), dn.shape[1], len(_SYM)))
    for q in range(dn.shape[1]):
        d = dn[:, q]
        for m, (i, j) in enumerate(_SYM):
            out[:, q, m] = d[a, i] * d[b, j] + (d[a, j] * d[b, i] if i != j else 0.0)
    return out.reshape(len(a), -1)


_PAIRS = _pair_table()


def element_upper(points: NDArray[np.float64], tets: NDArray[np.int64],
                  sigma: NDArray[np.float64], sigma_delta: NDArray[np.float64],
                  axis: NDArray[np.float64]) -> NDArray[np.float64]:
    """The 55 upper-triangle entries (in ``np.triu_indices(10)`` order) of every element
    matrix ∫ (σ ∇φ·∇v + σ_δ (a·∇φ)(a·∇v)), shape (55, nel).

    :param points: (3, n) node coordinates (m). :param tets: (10, nel) nodes per element.
    :param sigma: (nel,) conductivity across the fibers (S/m).
    :param sigma_delta: (nel,) along minus across (S/m). :param axis: (3,) fiber direction.
    """
    x = points[:, tets]  # (3, 10, nel)
    xq, wq = QUADRATURE
    _, dn = p2_shape(xq)  # (10, 4, 3)
    nel = tets.shape[1]
    # K_ab = Σ_q Σ_jl C_qjl d_qaj d_qbl with C = w |det J| J⁻¹ Σ J⁻ᵀ, Σ = σ I + σ_δ a aᵀ;
    # with J⁻¹ = cofᵀ / det: C = w / |det J| (σ cofᵀ cof + σ_δ (cofᵀ a)(cofᵀ a)ᵀ)
    metric = np.empty((len(wq), len(_SYM), nel))
    for q in range(len(wq)):
        J = np.einsum("kae,aj->kje", x, dn[:, q])  # dx_k / dξ_j, (3, 3, nel)
        cof, det = cofactors(J)
        w = wq[q] / np.abs(det)
        ca = np.einsum("kje,k->je", cof, axis)  # det J⁻¹ a
        for m, (i, j) in enumerate(_SYM):
            g = np.einsum("ke,ke->e", cof[:, i], cof[:, j])
            metric[q, m] = w * (sigma * g + sigma_delta * ca[i] * ca[j])
    return _PAIRS @ metric.reshape(-1, nel)


def element_stiffness(points: NDArray[np.float64], tets: NDArray[np.int64],
                      sigma: NDArray[np.float64], sigma_delta: NDArray[np.float64],
                      axis: NDArray[np.float64]) -> NDArray[np.float64]:
    """Element matrices ∫ (σ ∇φ·∇v + σ_δ (a·∇φ)(a·∇v)) (nel, 10, 10); parameters as
    :func:`element_upper`."""
    up = element_upper(points, tets, sigma, sigma_delta, axis)
    a, b = _UPPER
    out = np.empty((tets.shape[1], 10, 10))
    out[:, a, b] = up.T
    out[:, b, a] = up.T
    return out


def assemble(local: NDArray[np.float64], dofs: NDArray[np.int64], index: NDArray[np.int64],
             size: int) -> sp.csr_matrix:
    """Sum symmetric element matrices (nel, 10, 10) into a (size, size) CSR matrix; see
    :func:`assemble_upper`."""
    a, b = _UPPER
    return assemble_upper(local[:, a, b].T, dofs, index, size)


def assemble_upper(upper: NDArray[np.float64], dofs: NDArray[np.int64],
                   index: NDArray[np.int64], size: int) -> sp.csr_matrix:
    """Sum symmetric element matrices, given by their upper triangles, into CSR.

    :param upper: (55, nel) entries on and above each element's diagonal, in
        ``np.triu_indices(10)`` order (:func:`element_upper`).
    :param dofs: (10, nel) global dofs.
    :param index: (n_dofs,) row of each dof in the result; -1 drops it (a grounded node);
        several dofs with one row are summed (an equipotential electrode).

    Only the upper triangles are scattered (the diagonal halved) and the result is
    S + Sᵀ: the sort that sums duplicates sees 55 % of the data.
    """
    a, b = _UPPER
    # 32-bit indices, as scipy keeps them: half the memory traffic and no conversion copies
    idx = index.astype(np.int32) if size < 2**31 else index
    r = idx[dofs]  # (10, nel)
    rows, cols = r[a].ravel(), r[b].ravel()
    vals = upper.copy()
    vals[a == b] *= 0.5
    vals = vals.ravel()
    keep = (rows >= 0) & (cols >= 0)
    if not keep.all():
        rows, cols, vals = rows[keep], cols[keep], vals[keep]
    half = sp.csr_matrix((vals, (rows, cols)), shape=(size, size))
    return (half + half.T).tocsr()
