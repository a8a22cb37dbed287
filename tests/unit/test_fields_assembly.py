"""The vectorised P2 stiffness assembly against scikit-fem's, on a small curved mesh."""

from __future__ import annotations

import numpy as np
import pytest
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


def _small_p2() -> tuple[np.ndarray, np.ndarray]:
    """The unit cube in 6 x 8 = 48 tetrahedra, P2 nodes by quadratic_mesh."""
    from skfem import MeshTet1

    from estim.fields.fem.quadratic import quadratic_mesh

    m = MeshTet1().refined(1)
    return quadratic_mesh(m.p, m.t.astype(np.int64), np.zeros(m.t.shape[1], dtype=np.int64),
                          ())


def test_p1_prolongation_reproduces_linear_functions_with_merged_and_dropped_rows() -> None:
    """P1 functions are P2 functions: interpolating a linear field's vertex values gives its
    value at every edge node exactly, also where a face is one merged unknown (where the
    field is constant) and where a grounded face is dropped (where it is zero)."""
    from estim.fields.fem.precondition import p1_prolongation

    points, tets = _small_p2()
    n = points.shape[1]
    f = 2.0 * points[0] + 0.0 * points[1]  # 0 on the face x = 0, 2 on the face x = 1
    row = np.arange(n)
    top = np.flatnonzero(points[0] > 1 - 1e-12)
    row[top] = top[0]  # x = 1: one equipotential unknown
    row[points[0] < 1e-12] = -1  # x = 0: grounded
    _, compact = np.unique(row[row >= 0], return_inverse=True)
    row[row >= 0] = compact
    size = int(row.max()) + 1
    P = p1_prolongation(tets, row, size)
    fine = np.zeros(size)
    fine[row[row >= 0]] = f[row >= 0]
    coarse = np.zeros(P.shape[1])
    for v in np.unique(tets[:4]):
        if row[v] >= 0:
            cols = P[row[v]].indices
            assert len(cols) == 1  # a vertex's row is a coarse unknown of its own
            coarse[cols[0]] = f[v]
    assert P.shape[1] < size / 2  # the coarse space is the vertices (and the merged face)
    np.testing.assert_allclose(P @ coarse, fine, rtol=0, atol=1e-14)


def test_two_level_preconditioner_is_symmetric_and_cg_reaches_the_direct_solution() -> None:
    """Conjugate gradients need a symmetric preconditioner; with it, CG on a small P2
    Poisson problem (one face grounded, unit load) matches a direct solve to its tolerance."""
    from scipy.sparse.linalg import cg, spsolve

    from estim.fields.fem.precondition import p1_prolongation, two_level

    points, tets = _small_p2()
    n, nel = points.shape[1], tets.shape[1]
    row = np.full(n, -1)
    free = np.flatnonzero(points[0] > 1e-12)
    row[free] = np.arange(len(free))
    local = element_stiffness(points, tets, np.ones(nel), np.zeros(nel), np.array([0, 0, 1.0]))
    A = assemble(local, tets, row, len(free))
    M = two_level(A, p1_prolongation(tets, row, len(free)))
    rng = np.random.default_rng(3)
    u, v = rng.standard_normal((2, len(free)))
    assert v @ (M @ u) == pytest.approx(u @ (M @ v), rel=1e-12)
    b = rng.standard_normal(len(free))
    x, info = cg(A, b, rtol=1e-10, atol=0.0, M=M)
    assert info == 0
    exact = spsolve(A.tocsc(), b)
    # 1e-8: CG stops at a residual of 1e-10 relative; the condition number of this
    # 48-element problem is ~1e2, so the error is at most ~1e-8 relative
    np.testing.assert_allclose(x, exact, rtol=0, atol=1e-8 * np.abs(exact).max())
