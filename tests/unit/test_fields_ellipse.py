"""The elliptic section's first-order correction (estim.fields.ellipse.ellipse_coupling)
against a closed form: a homogeneous elliptic cylinder carrying φ = cosh(k y) cos(k ζ),
harmonic (∇²φ = k²φ - k²φ = 0) and regular, so its skin current density σ ∂φ/∂n is known
and so is its energy ∫ j φ dA. The circle of equal perimeter alone is off by O(m),
m = (a - b)/(a + b); with the coupling of orders n and n ± 2 the error must be O(m²):
smaller by the factor m itself, and falling 4 × when m halves (the slow benchmark and the
integration test compare the knee with the FEM)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from estim.fields.cylinder import LayeredCylinder, _perimeter
from estim.fields.ellipse import ellipse_coupling

SIGMA, LENGTH, MEAN = 0.3, 0.2, 0.04  # S/m, m, m: (a + b)/2
K = 3 * math.pi / LENGTH  # [1/m] the third axial mode: k R ≈ 1.9, a field of the limb's scale
ORDERS = 48  # the skin density of cosh(k y) is smooth: its orders fall below 1e-12 by 48


def _ellipse(m: float) -> LayeredCylinder:
    a, b = MEAN * (1 + m), MEAN * (1 - m)
    R = _perimeter(a, b) / (2 * math.pi)
    # three layers of one conductivity: the interfaces are invisible
    return LayeredCylinder((0.3 * R, 0.8 * R, R), (SIGMA,) * 3, (SIGMA,) * 3, LENGTH, a, b)


def _skin_density(cyl: LayeredCylinder) -> np.ndarray:
    """J_n, n = -ORDERS..ORDERS: Fourier coefficients in θ = arc length / R of σ ∂φ/∂n."""
    t = np.linspace(-np.pi, np.pi, 4097)[:-1]  # parametric angle, periodic trapezoid
    a, b = cyl.a, cyl.b
    # outward normal times ds is (b cos t, a sin t) dt; ∇ cosh(k y) = (0, k sinh(k y))
    flux_ds = SIGMA * K * np.sinh(K * b * np.sin(t)) * a * np.sin(t)  # j ds / dt
    theta = cyl._arc(t) / cyl.radius
    n = np.arange(-ORDERS, ORDERS + 1)
    # J_n = (1/2π) ∫ j e^{-inθ} dθ = (1/2π) ∫ j (ds/dt) e^{-inθ(t)} dt / R
    return (np.exp(-1j * n[:, None] * theta[None, :]) @ flux_ds) * (t[1] - t[0]) \
        / (2 * np.pi * cyl.radius)


def _model(cyl: LayeredCylinder, radii: np.ndarray, *, first_order: bool
           ) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients φ_n(r) (n = 0..ORDERS) at ``radii`` and the skin, for the density."""
    J = _skin_density(cyl)
    n = np.arange(ORDERS + 1, dtype=float)
    z, T = cyl.transfer(n, np.full_like(n, K), np.concatenate([radii, [cyl.radius]]))
    c = J[ORDERS:][None, :] * z * T  # (Q + 1, n)
    if first_order:
        rho = ellipse_coupling(cyl, n, np.full_like(n, K), radii)  # (2, Q + 1, n)
        j_lo = J[ORDERS - 2:2 * ORDERS - 1]  # J_{n-2}
        j_hi = np.concatenate([J[ORDERS + 2:], [0, 0]])  # J_{n+2}
        c = c + z * T * (rho[0] * j_lo + rho[1] * j_hi)
    return c, J


def _energy(cyl: LayeredCylinder, *, first_order: bool) -> tuple[float, float]:
    """∫ j φ dA of the model and exactly, per unit of the axial factor's mean square."""
    c, J = _model(cyl, np.zeros(0), first_order=first_order)
    phi_skin = c[-1]
    # Σ_{n∈Z} conj(J_n) φ_n with φ_{-n} = conj(φ_n), times the area 2πR per radian-mode
    model = 2 * np.pi * cyl.radius * (np.real(np.conj(J[ORDERS]) * phi_skin[0])
                                     + 2 * np.real(np.conj(J[ORDERS + 1:]) @ phi_skin[1:]))
    t = np.linspace(-np.pi, np.pi, 4097)[:-1]
    y = cyl.b * np.sin(t)
    exact = np.sum(SIGMA * K * np.sinh(K * y) * cyl.a * np.sin(t) * np.cosh(K * y)) \
        * (t[1] - t[0])
    return float(model), float(exact)


@pytest.mark.parametrize("first_order", [False, True])
@pytest.mark.parametrize("sign", [1, -1], ids=["a>b", "a<b"])
def test_energy_error_is_first_order_on_the_circle_and_second_order_with_the_coupling(
        first_order: bool, sign: int) -> None:
    # measured (m = 0.08, 0.04): circle 2.0e-2, 1.2e-2 (a > b), 3.2e-2, 1.5e-2 (a < b);
    # coupled 5.5e-3, 1.38e-3 and 5.6e-3, 1.38e-3
    err = []
    for m in (0.08, 0.04):
        model, exact = _energy(_ellipse(sign * m), first_order=first_order)
        err.append(abs(model / exact - 1))
    rate = math.log2(err[0] / err[1])
    if first_order:
        # O(m²): a rate of 2 (±0.4 for the next order's share at m = 0.08), and at most
        # about m² itself
        assert 1.6 < rate < 2.4, (err, rate)
        assert err[1] < 0.04**2, err
    else:
        assert 0.6 < rate < 1.4, (err, rate)  # O(m): what the circle alone costs
        assert err[1] > 0.1 * 0.04, err


def test_potential_inside_matches_the_closed_form_to_second_order() -> None:
    cyl = _ellipse(0.05)
    # points at depths 1, 4, 10 and 20 mm, every 20 degrees of parametric angle
    t = np.radians(np.arange(0, 360, 20))
    depth = np.array([1e-3, 4e-3, 10e-3, 20e-3])
    pts = np.array([((cyl.a - d) * math.cos(s), (cyl.b - d) * math.sin(s), 0.0)
                    for d in depth for s in t])
    r, theta, _ = cyl.to_cylinder(pts)
    exact = np.cosh(K * pts[:, 1])
    errs = []
    for first_order in (False, True):
        c, _ = _model(cyl, r, first_order=first_order)
        n = np.arange(ORDERS + 1)
        e = np.where(n == 0, 1.0, 2.0)[None, :] * c[:-1] * np.exp(1j * n[None, :] * theta[:, None])
        phi = np.real(e.sum(axis=1))
        d_model, d_exact = phi - phi.mean(), exact - exact.mean()
        errs.append(np.abs(d_model - d_exact).max() / np.ptp(d_exact))
    # the circle: O(m) = several %; with the coupling O(m²) = a few 1e-3
    assert errs[0] > 0.01, errs
    assert errs[1] < 0.2 * errs[0] and errs[1] < 0.05**2 * 2, errs


def test_ellipses_beyond_the_checked_eccentricity_are_flagged() -> None:
    from estim.fields import place_electrode, site_from_spec
    from estim.fields.fast import ELLIPSE_CHECKED, channel_potential

    knee = site_from_spec("knee")  # m = 0.048: checked
    flat = knee.replace(width=0.12, height=0.10)  # m = 0.091: not
    for site, valid in ((knee, True), (flat, False)):
        an = place_electrode(site, "knee_medial", "circular", length=0.05, width=0.05)
        ca = place_electrode(site, "knee_lateral", "circular", length=0.05, width=0.05)
        fast = channel_potential(site, an, ca)
        assert fast.valid is valid
        assert (fast.note == "") is valid
        assert valid or ("FEM" in fast.note and f"{ELLIPSE_CHECKED}" in fast.note)
