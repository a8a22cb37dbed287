"""P2 point evaluation and the solution cache, on a small scikit-fem mesh (no gmsh)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from estim.fields.cache import load_solution, store_solution
from estim.fields.fem.evaluate import FemEvaluator, _inverse, p2_shape
from estim.fields.fem.geometry import MeshData
from estim.fields.fem.solver import FemSolution


def _quadratic(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A quadratic u and its gradient; P2 on straight elements reproduces it exactly."""
    u = 1 + 2 * x[0] - x[1] + 0.5 * x[2] + x[0] * x[1] - 2 * x[2] ** 2 + 0.3 * x[0] ** 2
    g = np.array([2 + x[1] + 0.6 * x[0], -1 + x[0] + 0 * x[0], 0.5 - 4 * x[2]])
    return u, g


def _solution(bend: float) -> FemSolution:
    from skfem import Basis, ElementTetP2, MeshTet1, MeshTet2

    m2 = MeshTet2.from_mesh(MeshTet1().refined(2))
    # bend the mesh so that the elements are genuinely curved (isoparametric)
    doflocs = m2.doflocs + bend * np.sin(np.pi * m2.doflocs[[1, 2, 0]])
    basis = Basis(MeshTet2(doflocs, m2.t), ElementTetP2())
    pts = basis.mesh.doflocs
    tets = basis.element_dofs.astype(np.int64)
    mesh = MeshData(pts, tets, np.zeros(tets.shape[1], dtype=np.int64), ("muscle",),
                    (np.zeros((3, 0), dtype=np.int64),))
    u, _ = _quadratic(pts)
    linear = 1 + 2 * pts[0] - pts[1] + 0.5 * pts[2]
    return FemSolution(mesh, np.vstack([u, linear]), np.zeros((2, 1)), len(u), (0, 0))


@pytest.fixture(scope="module")
def solution() -> FemSolution:
    return _solution(0.05)


def test_shape_functions_partition_unity_and_gradients() -> None:
    rng = np.random.default_rng(0)
    xi = rng.dirichlet(np.ones(4), size=50)[:, 1:]
    n, dn = p2_shape(xi)
    np.testing.assert_allclose(n.sum(axis=0), 1.0, atol=1e-14)
    np.testing.assert_allclose(dn.sum(axis=0), 0.0, atol=1e-13)
    h = 1e-6
    for j in range(3):
        e = np.zeros(3)
        e[j] = h
        fd = (p2_shape(xi + e)[0] - p2_shape(xi - e)[0]) / (2 * h)
        np.testing.assert_allclose(fd, dn[:, :, j], atol=1e-8)  # central differences, O(h²)


def test_cofactor_inverses_match_lapack() -> None:
    rng = np.random.default_rng(3)
    d = rng.normal(size=(3, 3, 500))  # columns: edge vectors of 500 tetrahedra
    d[:, :, 0] = [[1e-3, 0, 0], [0, 1e-3, 0], [0, 0, 1e-6]]  # a flat sliver
    inv = _inverse(d)
    # products with the originals are the identity to rounding: cond(d) eps, at most ~1e5 here
    cond = np.linalg.cond(np.moveaxis(d, 2, 0))
    err = np.abs(inv @ np.moveaxis(d, 2, 0) - np.eye(3)).max(axis=(1, 2))
    assert np.all(err < 1e-13 * np.maximum(cond, 1.0))


def test_evaluator_reproduces_quadratics_on_straight_elements() -> None:
    ev = FemEvaluator(_solution(0.0))
    x = np.random.default_rng(1).uniform(0.0, 1.0, size=(400, 3))
    val, grd = ev.evaluate(x, gradient=True)
    u, g = _quadratic(x.T)
    assert grd is not None
    np.testing.assert_allclose(val[0], u, atol=1e-12)  # exact up to rounding
    np.testing.assert_allclose(grd[0], g.T, atol=1e-11)


def test_evaluator_reproduces_linears_on_curved_elements(solution: FemSolution) -> None:
    """Isoparametric P2 reproduces linear functions of x exactly, so this checks the point
    location and the Newton inversion of the curved element maps."""
    ev = FemEvaluator(solution)
    x = np.random.default_rng(1).uniform(0.1, 0.9, size=(400, 3))
    x = x + 0.05 * np.sin(np.pi * x[:, [1, 2, 0]])  # inside the bent cube
    val, grd = ev.evaluate(x, gradient=True)
    assert grd is not None
    np.testing.assert_allclose(val[1], 1 + 2 * x[:, 0] - x[:, 1] + 0.5 * x[:, 2], atol=1e-12)
    np.testing.assert_allclose(grd[1], np.tile([2.0, -1.0, 0.5], (len(x), 1)), atol=1e-11)
    out, _ = ev.evaluate(np.array([[2.0, 2.0, 2.0], [-1.0, 0.5, 0.5]]), gradient=False)
    assert np.isnan(out).all()


def test_cache_round_trip(solution: FemSolution, tmp_path: Path) -> None:
    assert load_solution("abc", tmp_path) is None
    store_solution("abc", solution, tmp_path)
    back = load_solution("abc", tmp_path)
    assert back is not None
    np.testing.assert_array_equal(back.potentials, solution.potentials)
    np.testing.assert_array_equal(back.mesh.tets, solution.mesh.tets)
    assert back.mesh.tissues == ("muscle",)
    (tmp_path / "bad.npz").write_bytes(b"not a zip")
    assert load_solution("bad", tmp_path) is None  # a damaged entry is a miss


def test_import_has_no_side_effects() -> None:
    code = ("import sys, estim.fields; "
            "print(sorted(m for m in ('gmsh', 'skfem', 'pyamg', 'matplotlib') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_large_point_sets_are_remembered_under_the_solutions_key(
        solution: FemSolution, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A run asks for the same fiber points every time: with a ``memo`` key the values at a
    large point set come back from the disk cache, bit for bit, without locating a point;
    other points, another key or another request (gradients) are computed."""
    monkeypatch.setenv("ESTIM_CACHE_DIR", str(tmp_path))
    from estim.fields.fem import evaluate as module

    x = np.random.default_rng(2).uniform(0.1, 0.9, size=(module.MEMO_MIN_POINTS, 3))
    first = FemEvaluator(solution, memo="solution-a").evaluate(x, gradient=True)
    assert len(list((tmp_path / "field_points").glob("*.npz"))) == 1

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("located the points again")

    again = FemEvaluator(solution, memo="solution-a")
    monkeypatch.setattr(again, "_evaluate", refuse)
    val, grd = again.evaluate(x, gradient=True)
    assert grd is not None and first[1] is not None
    np.testing.assert_array_equal(val, first[0])
    np.testing.assert_array_equal(grd, first[1])
    for other in (FemEvaluator(solution, memo="solution-b"), FemEvaluator(solution)):
        monkeypatch.setattr(other, "_evaluate", refuse)
        with pytest.raises(AssertionError, match="again"):
            other.evaluate(x, gradient=True)
    with pytest.raises(AssertionError, match="again"):  # the same points, other request
        again.evaluate(x, gradient=False)
    with pytest.raises(AssertionError, match="again"):  # moved by 1e-6 of their span
        again.evaluate(x + 1e-6, gradient=True)
    # a small point set is computed every time, never written
    FemEvaluator(solution, memo="solution-a").evaluate(x[:10], gradient=True)
    assert len(list((tmp_path / "field_points").glob("*.npz"))) == 1
