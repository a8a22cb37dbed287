"""Semi-analytic layered half-space with uniform pads (method="analytic")."""

from __future__ import annotations

import numpy as np
import pytest

from estim.errors import InputError
from estim.fields import Channel, place_electrode, site_from_spec, solve_fields
from estim.fields.analytic import layered_surface_potential
from estim.fields.layered import PadSource, _rect_integral, layered_green


@pytest.fixture(scope="module")
def site():  # type: ignore[no-untyped-def]
    return site_from_spec("lower_back", {"muscle_conductivity": "0.35 S/m"})


def test_remainder_table_matches_the_hankel_integral(site) -> None:  # type: ignore[no-untyped-def]
    g = layered_green(site)
    sig = [ly.conductivity for ly in site.layers]
    th = [ly.thickness for ly in site.layers[:-1]]
    rho = np.array([0.0005, 0.004, 0.02, 0.09])
    for z in (0.0003, 0.0015, 0.004, 0.011, 0.03, 0.065):
        exact = layered_surface_potential(rho, z, sigmas=sig, thicknesses=th)
        r, _, _ = g.remainder(rho, np.full(rho.shape, z))
        table = r + 1 / (2 * np.pi * sig[0] * np.hypot(rho, z))
        # 1e-3: bicubic splines on a grid of half a skin thickness (observed ~1e-4)
        np.testing.assert_allclose(table, exact, rtol=1e-3)


def test_rectangle_integral_against_quadrature() -> None:
    # ∫∫ 1/r over [−1, 2] x [−0.5, 1] seen from (0.3, 0.2, 0.4), by a fine midpoint rule
    n = 1500
    s = -1 + (np.arange(n) + 0.5) * 3 / n
    t = -0.5 + (np.arange(n) + 0.5) * 1.5 / n
    S, T = np.meshgrid(s, t)
    ref = np.sum(1 / np.sqrt((S - 0.3) ** 2 + (T - 0.2) ** 2 + 0.4**2)) * (3 / n) * (1.5 / n)
    x, y, z = np.array([0.3]), np.array([0.2]), np.array([0.4])
    val, *_ = _rect_integral(-1 - x, 2 - x, -0.5 - y, 1 - y, z)
    assert val[0] == pytest.approx(ref, rel=1e-5)  # midpoint rule error O(h²) ~ 1e-6


def test_pad_gradient_is_consistent(site) -> None:  # type: ignore[no-untyped-def]
    g = layered_green(site)
    for shape in ("rectangular", "circular"):
        e = place_electrode(site, "lumbar_left_upper", shape, length=0.05)
        pad = PadSource(e, 0.003)
        x = np.array([[e.position[0] + 0.01, e.position[1] + 0.004, -0.004],
                      [e.position[0], e.position[1] - 0.05, -0.02]])
        _, grad = pad.evaluate(x, g)
        h = 1e-6
        for i in range(3):
            d = np.zeros(3)
            d[i] = h
            fd = (pad.evaluate(x + d, g)[0] - pad.evaluate(x - d, g)[0]) / (2 * h)
            # central differences of splines: O(h²) plus spline rounding
            np.testing.assert_allclose(fd, grad[:, i], rtol=1e-5, atol=1e-6 * np.abs(grad).max())


def test_compiled_cell_sums_are_scipys_splines_cell_by_cell(site) -> None:  # type: ignore[no-untyped-def]
    """The compiled quadrature evaluates the remainder's splines itself: it must give what
    scipy's evaluator gives, summed cell by cell, also beyond the table (clamped, as
    FITPACK clamps) and at a cell's own centre (ρ = 0, no direction)."""
    g = layered_green(site)
    rng = np.random.default_rng(3)
    n = 400
    u = rng.uniform(-0.2, 0.2, n)
    v = rng.uniform(-0.2, 0.2, n)
    z = np.concatenate([rng.uniform(0.0, site.depth * 1.2, n - 4), [0.0, 0.0, 1e-3, 2.0]])
    cells = np.column_stack([rng.uniform(-0.03, 0.03, 30), rng.uniform(-0.03, 0.03, 30)])
    u[:2], v[:2] = cells[0]  # on a cell's centre
    w = rng.uniform(0.5, 1.5, 30) / 30
    want = np.zeros((4, n))
    for (cu, cv), wk in zip(cells, w, strict=True):
        du, dv = u - cu, v - cv
        rho = np.hypot(du, dv)
        r, dr, drz = g.remainder(rho, z)
        with np.errstate(invalid="ignore", divide="ignore"):
            cos, sin = np.where(rho > 0, du / rho, 0.0), np.where(rho > 0, dv / rho, 0.0)
        want += wk * np.array([r, dr * cos, dr * sin, drz])
    got = np.array(g.cell_sums(u, v, z, cells, w))
    # only the order of floating-point sums differs (observed ~1e-15 relative)
    for row_got, row_want in zip(got, want, strict=True):
        np.testing.assert_allclose(row_got, row_want, rtol=1e-9,
                                   atol=1e-12 * np.abs(row_want).max())


def test_small_pad_far_away_is_a_point_source(site) -> None:  # type: ignore[no-untyped-def]
    g = layered_green(site)
    e = place_electrode(site, "lumbar_center", "circular", length=0.01)
    x = np.array([[0.08, 0.0, -0.001]])
    phi, _ = PadSource(e, 0.002).evaluate(x, g)
    sig = [ly.conductivity for ly in site.layers]
    point = layered_surface_potential([0.08], 0.001, sigmas=sig,
                                      thicknesses=[ly.thickness for ly in site.layers[:-1]])
    # 0.5 %: the 1 cm pad seen from 8 cm (quadrupole ~ (a/d)² / 8) and the staircase disc
    assert phi[0] == pytest.approx(point[0], rel=5e-3)


def test_analytic_channel_superposes_and_refuses_other_sites(site) -> None:  # type: ignore[no-untyped-def]
    an = place_electrode(site, "lumbar_left_upper", length=0.05)
    ca = place_electrode(site, "lumbar_left_lower", length=0.05)
    sol = solve_fields(site, [Channel(an, ca, current=0.02)], method="analytic",
                       boundary="uniform")
    ch = sol.channels[0]
    assert 50 < ch.resistance < 1000
    under = np.array([[an.position[0], an.position[1], -0.01]])
    assert sol.potential(under)[0] == pytest.approx(0.02 * ch.potential(under)[0])
    assert ch.field(under)[0, 2] < 0  # current flows from the anode down: E points to −z
    assert np.isnan(ch.potential([[0.0, 0.0, 0.01]])).all()  # above the skin
    with pytest.raises(InputError):
        solve_fields(site_from_spec("forearm", {}), [Channel(an, ca)], method="analytic",
                     boundary="uniform")
    with pytest.raises(InputError):
        # floating pads: FEM only (the analytic method's default is uniform)
        solve_fields(site, [Channel(an, ca)], method="analytic", boundary="floating")
