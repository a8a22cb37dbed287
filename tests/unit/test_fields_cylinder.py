"""The layered-cylinder solver against closed forms (fast); against the FEM in
tests/integration/test_fields_cylinder_fem.py (slow)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import ive, kve

from estim.fields import place_electrode, site_from_spec
from estim.fields.bessel import DEBYE_ORDER, log_ik
from estim.fields.cylinder import LayeredCylinder, cylinder_channel


@pytest.mark.parametrize("n", [0, 1, 3, DEBYE_ORDER, 9, 30, 80])
def test_log_ik_matches_scipy_where_scipy_does_not_underflow(n: int) -> None:
    x = np.geomspace(1e-2, 200, 60)
    x = x[(ive(n + 1, x) > 1e-290) & np.isfinite(kve(n + 1, x))]  # where scipy is finite
    li, di, lk, dk = log_ik(np.full_like(x, n), x)
    np.testing.assert_allclose(li, np.log(ive(n, x)) + x, rtol=2e-4, atol=2e-4)
    np.testing.assert_allclose(lk, np.log(kve(n, x)) - x, rtol=2e-4, atol=2e-4)
    ip = (ive(abs(n - 1), x) + ive(n + 1, x)) / 2 / ive(n, x)
    kp = -(kve(abs(n - 1), x) + kve(n + 1, x)) / 2 / kve(n, x)
    np.testing.assert_allclose(di, ip, rtol=2e-4)
    np.testing.assert_allclose(dk, kp, rtol=2e-4)


def test_log_ik_high_orders_stay_finite() -> None:
    li, di, lk, dk = log_ik(np.array([400.0, 900.0]), np.array([0.5, 1e-8]))
    assert np.all(np.isfinite([li, di, lk, dk]))


def _uniform(sigma: float, radius: float) -> LayeredCylinder:
    # three layers of one conductivity: the interfaces must be invisible
    return LayeredCylinder((0.3 * radius, 0.8 * radius, radius), (sigma,) * 3, (sigma,) * 3,
                           0.2, radius, radius)


def test_transfer_of_a_uniform_cylinder_is_the_closed_form() -> None:
    # k = 0: φ = r^n, so Z(R) = R / (σ n) and φ(r)/φ(R) = (r/R)^n
    cyl = _uniform(0.3, 0.04)
    n = np.array([1.0, 2.0, 5.0, 20.0])
    r = np.array([0.01, 0.025, 0.035, 0.04])
    z, t = cyl.transfer(n, np.zeros(4), r)
    np.testing.assert_allclose(z, 0.04 / (0.3 * n), rtol=1e-6)
    np.testing.assert_allclose(t, (r[:, None] / 0.04) ** n[None, :], rtol=1e-6, atol=1e-30)
    # k > 0, n = 0: Z = I0(kR) / (σ k I1(kR))
    k = np.array([5.0, 50.0, 500.0])
    z, _ = cyl.transfer(np.zeros(3), k, np.zeros(0))
    np.testing.assert_allclose(z, ive(0, k * 0.04) / (0.3 * k * ive(1, k * 0.04)), rtol=1e-6)


def test_channel_is_antisymmetric_in_anode_and_cathode() -> None:
    site = site_from_spec("forearm")
    an = place_electrode(site, "forearm_volar_proximal", length=0.05, width=0.05)
    ca = place_electrode(site, "forearm_volar_distal", length=0.05, width=0.05)
    fwd, back = cylinder_channel(site, an, ca), cylinder_channel(site, ca, an)
    pts = np.array([[0.03, 0.0, 0.05], [0.035, 0.01, -0.02], [0.0, 0.02, 0.0]])
    assert fwd.resistance == pytest.approx(back.resistance, rel=1e-9)
    np.testing.assert_allclose(fwd.potential(pts), fwd.resistance - back.potential(pts),
                               rtol=1e-9, atol=1e-9)
    assert np.isnan(fwd.potential([[0.05, 0.0, 0.0]])).all()  # outside the limb



def test_low_orders_for_many_arguments_match_scipy_pair_by_pair() -> None:
    """The low-order branch evaluates each (order, argument) once and gathers: the same
    numbers as one scipy call per pair (to rounding)."""
    x = np.repeat(np.geomspace(1e-2, 200, 40), 4)
    n = np.tile(np.arange(4.0), 40)
    li, di, lk, dk = log_ik(n, x)
    np.testing.assert_allclose(li, np.log(ive(n, x)) + x, rtol=1e-12)
    np.testing.assert_allclose(lk, np.log(kve(n, x)) - x, rtol=1e-12)
    ip = (ive(np.abs(n - 1), x) + ive(n + 1, x)) / 2 / ive(n, x)
    kp = -(kve(np.abs(n - 1), x) + kve(n + 1, x)) / 2 / kve(n, x)
    np.testing.assert_allclose(di, ip, rtol=1e-12)
    np.testing.assert_allclose(dk, kp, rtol=1e-12)


def test_lattice_transfer_matches_the_exact_transfer_at_every_mode() -> None:
    """The transfer interpolated from the (n, k) lattice against the exact one at each of
    the forearm's 101,000 modes up to 2π/1 mm (what a channel with 5 cm discs uses), at
    depths from the skin to 30 mm. Measured: Z within 2.6e-5, T within 3.8e-6 (on all of
    forearm, thigh, knee); the bounds leave 4x for other layer sets. A channel's φ is a sum
    of J·Z·T over modes, so it moves by about the same fraction (1e-5 of the resistance
    against the previous all-modes solver)."""
    from estim.fields.cylinder import lattice_transfer

    cyl = LayeredCylinder.from_site(site_from_spec("forearm"))
    R, L = cyl.radius, cyl.length
    kmax = 2 * np.pi / 1e-3  # [1/m]
    ns = np.arange(np.ceil(kmax * R) + 1)
    ks = np.arange(np.ceil(kmax * L / np.pi) + 1) * np.pi / L
    radii = R - np.array([0.0, 0.5e-3, 1.5e-3, 3e-3, 6e-3, 15e-3, 30e-3])
    zs, lat, pn, pk = lattice_transfer(cyl, ns, ks, radii)
    assert lat.shape[1] * lat.shape[2] < ns.size * ks.size / 40  # what it saves
    NN, KK = np.meshgrid(ns, ks, indexing="ij")
    z, log_t = cyl.log_transfer(NN.ravel(), KK.ravel(), radii)
    driven = np.ones(NN.shape, bool)
    driven[0, 0] = False  # the constant mode (k = 0 stands in by 1e-7 /m) is never driven
    np.testing.assert_allclose(zs[driven], z.reshape(NN.shape)[driven], rtol=1e-4)
    t_exact = np.exp(log_t).reshape(len(radii), *NN.shape)
    t_lattice = np.exp(np.matmul(pn, lat) @ pk.T)
    assert np.abs(t_lattice - t_exact)[:, driven].max() < 2e-5


def test_lattice_rows_of_sampled_indices_are_exact() -> None:
    from estim.fields.cylinder import _lattice

    idx, P = _lattice(300)
    np.testing.assert_array_equal(P[idx], np.eye(len(idx)))
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=1e-12)  # constants are exact
    x = np.arange(300.0)
    np.testing.assert_allclose(P @ x[idx] ** 3, x**3, rtol=1e-9)  # cubics are exact


def test_spline_grid_interpolates_the_series_at_every_grid_node() -> None:
    """The B-spline coefficients made in the spectrum (prefilter diagonal in θ and ζ, a
    matrix across radial nodes) against the series summed directly at each node: a cubic
    spline through its nodes reproduces them, so the two agree to rounding, also in the
    padding (periodic θ, mirrored ends) as far as a stencil reaches (all but its last
    node). scipy's own "nearest" radial filter missed by 1e-5 here."""
    from scipy.ndimage import map_coordinates

    from estim.fields.cylinder import _spline_grid

    rng = np.random.default_rng(1)
    nodes, nm, nz, nt, ng, pad = 5, 6, 7, 16, 18, 3
    T = rng.uniform(0.1, 1.0, (nodes, nm, nz))
    c = rng.standard_normal((nm, nz)) + 1j * rng.standard_normal((nm, nz))
    c[0] = c[0].real  # the n = 0 coefficient of a real series
    ext = _spline_grid(T, c, nt, ng, pad, offset=-2.5)
    theta = 2 * np.pi * np.arange(-pad, nt + pad) / nt
    zeta = (np.arange(-pad, ng + pad) + 0.5) / ng  # in units of L: k_m ζ = π m ζ/L
    n, m = np.arange(nm), np.arange(nz)
    rot = np.exp(1j * n[None, :] * theta[:, None])  # (θ, n)
    cos = np.cos(np.pi * m[None, :] * np.abs(zeta)[:, None])  # (ζ, m); even about 0 and L
    cos = np.where((zeta > 1)[:, None], np.cos(np.pi * m[None, :] * (2 - zeta)[:, None]), cos)
    weight = np.where(n == 0, 1.0, 2.0)  # n and -n
    direct = -2.5 + np.einsum("jnm,nm,tn,zm,n->jtz", T, c, rot, cos, weight).real
    j, t, z = np.meshgrid(np.arange(nodes), np.arange(nt + 2 * pad), np.arange(ng + 2 * pad),
                          indexing="ij")
    at_nodes = map_coordinates(ext, np.vstack([j.ravel(), t.ravel(), z.ravel()]), order=3,
                               prefilter=False, mode="nearest").reshape(j.shape)
    np.testing.assert_allclose(at_nodes[:, 1:-1, 1:-1], direct[:, 1:-1, 1:-1], rtol=0,
                               atol=1e-11)
