"""The vectorised P2 stiffness assembly against scikit-fem's, on a small curved mesh."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from estim.fields.fem.assembly import assemble, element_stiffness


def _curved_mesh() -> tuple[np.ndarray, np.ndarray, object]:
    from skfem import Basis, ElementTetP2, MeshTet1, MeshTet2

    m2 = MeshTet2.from_mesh(MeshTet1().refined(2))
    doflocs = m2.doflocs + 0.05 * np.sin(np.pi * m2.doflocs[[1, 2, 0]])  # genuinely curved
    basis = Basis(MeshTet2(doflocs, m2.t), ElementTetP2(), intorder=2)
    return basis.mesh.doflocs, basis.element_dofs.astype(np.int64), basis


def test_stiffness_matches_scikit_fem_with_anisotropic_conductivity() -> None:
    """Same weak form, same 4-point quadrature: equal to rounding (1e-12 of the largest
    entry), on curved elements with per-element σ and a fiber term along a tilted axis."""
    from skfem import BilinearForm, asm
    from skfem.helpers import dot, grad

    points, tets, basis = _curved_mesh()
    nel = tets.shape[1]
    rng = np.random.default_rng(1)
    st, dl = rng.uniform(0.1, 1.0, nel), rng.uniform(0.0, 0.5, nel)
    a = np.array([0.3, -0.4, 0.866])
    a /= np.linalg.norm(a)

    @BilinearForm
    def form(u, v, w):  # type: ignore[no-untyped-def]
        au, av = sum(a[i] * grad(u)[i] for i in range(3)), sum(a[i] * grad(v)[i] for i in range(3))
        return w["st"] * dot(grad(u), grad(v)) + w["dl"] * au * av

    nq = basis.X.shape[-1]  # type: ignore[attr-defined]
    ref = asm(form, basis, st=np.repeat(st[:, None], nq, 1), dl=np.repeat(dl[:, None], nq, 1))
    n = points.shape[1]
    ours = assemble(element_stiffness(points, tets, st, dl, a), tets, np.arange(n), n)
    assert abs(ours - ref).max() <= 1e-12 * abs(ref).max()


def test_merged_and_dropped_rows_equal_the_projected_matrix() -> None:
    """Scattering through an index map (nodes merged into one unknown, one dropped) gives
    Pᵀ K P with the dropped row and column removed, exactly as the solver used to build it."""
    points, tets, _ = _curved_mesh()
    n = points.shape[1]
    nel = tets.shape[1]
    local = element_stiffness(points, tets, np.ones(nel), np.zeros(nel), np.array([0, 0, 1.0]))
    K = assemble(local, tets, np.arange(n), n)
    index = np.arange(n)
    merged = np.flatnonzero(points[0] < 1e-9)  # the face x = 0: one equipotential unknown
    index[merged] = merged[0]
    _, index = np.unique(index, return_inverse=True)
    size = int(index.max()) + 1
    P = sp.csr_matrix((np.ones(n), (np.arange(n), index)), shape=(n, size))
    expected = (P.T @ K @ P).tocsr()
    drop = index[merged[0]]
    keep = np.setdiff1d(np.arange(size), [drop])
    final = np.full(size, -1)
    final[keep] = np.arange(len(keep))
    got = assemble(local, tets, final[index], len(keep))
    assert abs(got - expected[keep][:, keep]).max() <= 1e-12 * abs(K).max()
