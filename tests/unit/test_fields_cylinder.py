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
