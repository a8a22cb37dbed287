"""The electrode surfaces' integrals (Robin pads, uniform injection) written out in numpy,
against scikit-fem's FacetBasis on the same curved P2 mesh."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from estim.fields.fem.solver import _Facets


def _curved_pads() -> tuple[SimpleNamespace, object, list[np.ndarray]]:
    """A refined unit cube, bent so that its faces are genuinely curved quadratic
    triangles, and two "pads" on it: the boundary facets of x = 0 and of z = 1."""
    from skfem import MeshTet1, MeshTet2

    m2 = MeshTet2.from_mesh(MeshTet1().refined(2))
    flat = m2.doflocs
    bent = flat + 0.05 * np.sin(np.pi * flat[[1, 2, 0]])
    mesh = MeshTet2(bent, m2.t)
    boundary = m2.boundary_facets()
    centre = m2.p[:, m2.facets[:, boundary]].mean(axis=1)
    pads = [boundary[np.isclose(centre[0], 0.0)], boundary[np.isclose(centre[2], 1.0)]]
    from skfem import Basis, ElementTetP2

    tets = Basis(mesh, ElementTetP2(), intorder=2).element_dofs.astype(np.int64)
    data = SimpleNamespace(points=mesh.doflocs, tets=tets,
                           electrode_tris=tuple(mesh.facets[:, f].astype(np.int64)
                                                for f in pads))
    return data, mesh, pads


@pytest.mark.parametrize("pad", [0, 1])
def test_load_and_mass_equal_scikit_fems(pad: int) -> None:
    """Same quadratic map, same degree-4 rule: equal to rounding (1e-13 of the largest
    entry); and the load sums to the curved pad's area, the mass to its square."""
    from skfem import BilinearForm, ElementTetP2, FacetBasis, LinearForm, asm

    data, mesh, pads = _curved_pads()
    basis = FacetBasis(mesh, ElementTetP2(), facets=pads[pad], intorder=4)
    ref_load = asm(LinearForm(lambda v, w: 1.0 * v), basis)
    ref_mass = asm(BilinearForm(lambda u, v, w: u * v), basis)
    ours = _Facets(data)  # type: ignore[arg-type]
    load, mass = ours.load(pad), ours.mass(pad)
    assert np.abs(load - ref_load).max() <= 1e-13 * np.abs(ref_load).max()
    assert abs(mass - ref_mass).max() <= 1e-13 * abs(ref_mass).max()
    area = float(ref_load.sum())
    assert area > 1.0 + 1e-3  # bent: more than the flat face's 1 m², so curvature counts
    assert load.sum() == pytest.approx(area, rel=1e-13)
    assert mass.sum() == pytest.approx(area, rel=1e-13)  # Σ_ij ∫ φ_i φ_j = ∫ 1


def test_a_flat_triangle_has_the_closed_form() -> None:
    """One flat triangle of area A: the P2 load is 0 at the vertices and A/3 at the edge
    nodes; the mass matrix is A/180 × the textbook P2 triangle matrix."""
    points = np.array([[0, 2, 0, 1, 1, 0, 0.3], [0, 0, 1, 0, 0.5, 0.5, 0.2],
                       [0, 0, 0, 0, 0, 0, -0.5]], float)
    # one tetrahedron (apex at node 6, its edge nodes added below) whose face 0-1-2 is the pad
    apex_mids = (points[:, [0, 1, 2]] + points[:, [6]]) / 2
    points = np.hstack([points, apex_mids])
    tets = np.array([[0], [1], [2], [6], [3], [4], [5], [7], [8], [9]], dtype=np.int64)
    data = SimpleNamespace(points=points, tets=tets,
                           electrode_tris=(np.array([[0], [1], [2]], dtype=np.int64),))
    fac = _Facets(data)  # type: ignore[arg-type]
    area = 1.0
    load = fac.load(0)
    np.testing.assert_allclose(load[:3], 0.0, atol=1e-15)
    np.testing.assert_allclose(load[3:6], area / 3, rtol=1e-13)
    textbook = np.array([[6, -1, -1, 0, -4, 0], [-1, 6, -1, 0, 0, -4],
                         [-1, -1, 6, -4, 0, 0], [0, 0, -4, 32, 16, 16],
                         [-4, 0, 0, 16, 32, 16], [0, -4, 0, 16, 16, 32]]) * area / 180
    mass = fac.mass(0).toarray()[:6, :6]
    np.testing.assert_allclose(mass, textbook, rtol=1e-12, atol=1e-15)
