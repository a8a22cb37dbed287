"""Closed-form volume conductors against the formulas of shared/reference/fields.json."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from estim.fields.analytic import (
    disc_current_density,
    disc_field,
    disc_potential,
    disc_resistance,
    layered_surface_potential,
    point_source_potential,
    two_layer_surface_potential,
)
from tests.conftest import REFERENCE_DIR

REFERENCE = REFERENCE_DIR / "fields.json"


def test_reference_formulas_are_the_ones_implemented() -> None:
    ref = json.loads(REFERENCE.read_text())
    assert "arcsin" in ref["disc_on_half_space"]["formulas"]["potential"]
    assert "k^n" in ref["two_layer_surface_point_source"]


def test_point_source_isotropic_and_half_space() -> None:
    pts = np.array([[0.01, 0, 0], [0, 0.02, 0], [0, 0, -0.05]])
    v = point_source_potential(pts, [0, 0, 0], 0.2, current=2e-3)
    r = np.linalg.norm(pts, axis=1)
    np.testing.assert_allclose(v, 2e-3 / (4 * math.pi * 0.2 * r), rtol=1e-14)
    vh = point_source_potential(pts, [0, 0, 0], 0.2, half_space=True)
    np.testing.assert_allclose(vh, 1 / (2 * math.pi * 0.2 * r), rtol=1e-14)


def test_point_source_anisotropic_reduces_and_solves_laplace() -> None:
    iso = point_source_potential([[0.01, 0.02, 0.03]], [0, 0, 0], 0.3)
    tensor = point_source_potential([[0.01, 0.02, 0.03]], [0, 0, 0], 0.3 * np.eye(3))
    np.testing.assert_allclose(tensor, iso, rtol=1e-14)
    # div(σ grad V) = 0 away from the source, by second differences (step 1e-4 m: the
    # truncation error is ~(h/r)² ~ 1e-5 relative to each term)
    sigma = np.diag([0.5, 0.1, 0.1])
    x0 = np.array([0.01, 0.015, -0.02])
    h = 1e-4
    lap = 0.0
    scale = 0.0
    for i in range(3):
        e = np.zeros(3)
        e[i] = h
        vals = point_source_potential(np.array([x0 - e, x0, x0 + e]), [0, 0, 0], sigma)
        term = sigma[i, i] * (vals[0] - 2 * vals[1] + vals[2]) / h**2
        lap += term
        scale += abs(term)
    assert abs(lap) < 1e-4 * scale


def test_disc_on_axis_and_surface_values() -> None:
    a, sigma, current = 0.01, 0.25, 1e-3
    v0 = current / (4 * sigma * a)
    z = np.array([1e-4, 0.005, 0.01, 0.05])
    np.testing.assert_allclose(disc_potential(0 * z, z, radius=a, sigma=sigma, current=current),
                               2 * v0 / math.pi * np.arctan(a / z), rtol=1e-12)
    # the disc itself is the equipotential V0
    r = np.linspace(0, 0.99 * a, 7)
    np.testing.assert_allclose(disc_potential(r, 0 * r, radius=a, sigma=sigma, current=current),
                               v0, rtol=1e-7)  # asin near 1: rounding grows as sqrt(eps)
    assert disc_resistance(a, sigma) == pytest.approx(v0 / current, rel=1e-15)
    # far away the disc looks like a point source on the half-space (1 % at 30 radii:
    # the next multipole term is O((a/d)²) ~ 1e-3)
    d = 30 * a
    far = disc_potential(d, 0.0, radius=a, sigma=sigma, current=current)
    assert far == pytest.approx(current / (2 * math.pi * sigma * d), rel=1e-2)


def test_disc_current_density_from_the_potential() -> None:
    a, sigma = 0.01, 0.25
    r = np.array([0.0, 0.3, 0.6, 0.9]) * a
    _, ez = disc_field(r, np.full_like(r, 1e-7 * a), radius=a, sigma=sigma)
    # J = σ E_z just under the disc, against Wiley & Webster's J(r); 1e-5 relative: the
    # finite depth 1e-7 a enters as O((z a / (a² − r²))²) at the largest r
    np.testing.assert_allclose(sigma * ez, disc_current_density(r, radius=a), rtol=1e-5)
    # the density integrates to the total current: ∫ J 2πr dr = I (closed form, substitution)
    rr = a * np.sin(np.linspace(0, math.pi / 2, 20001))
    j = disc_current_density(rr[:-1], radius=a)
    total = np.sum(j * 2 * math.pi * rr[:-1] * np.diff(rr))
    assert total == pytest.approx(1.0, rel=1e-3)  # 1e-3: Riemann sum against the r->a singularity


def test_disc_field_is_minus_gradient() -> None:
    a, sigma = 0.01, 0.3
    r, z, h = 0.013, 0.004, 1e-7
    er, ez = disc_field(r, z, radius=a, sigma=sigma)
    dvr = (disc_potential(r + h, z, radius=a, sigma=sigma)
           - disc_potential(r - h, z, radius=a, sigma=sigma)) / (2 * h)
    dvz = (disc_potential(r, z + h, radius=a, sigma=sigma)
           - disc_potential(r, z - h, radius=a, sigma=sigma)) / (2 * h)
    # central differences, h = 1e-7 m: error ~ h² V''' ~ 1e-9 relative
    assert er == pytest.approx(-dvr, rel=1e-6)
    assert ez == pytest.approx(-dvz, rel=1e-6)


def test_two_layer_images_homogeneous_limit() -> None:
    r = np.array([0.001, 0.01, 0.1])
    v = two_layer_surface_potential(r, sigma1=0.2, sigma2=0.2, thickness=0.002)
    np.testing.assert_allclose(v, 1 / (2 * math.pi * 0.2 * r), rtol=1e-14)


@settings(max_examples=15, deadline=None)
@given(s1=st.floats(0.01, 2.0), s2=st.floats(0.01, 2.0), h=st.floats(5e-4, 0.02),
       r=st.floats(1e-3, 0.1))
def test_hankel_layered_matches_two_layer_images(s1: float, s2: float, h: float,
                                                 r: float) -> None:
    images = two_layer_surface_potential([r], sigma1=s1, sigma2=s2, thickness=h, terms=20000)
    hankel = layered_surface_potential([r], 0.0, sigmas=[s1, s2], thicknesses=[h])
    # 1e-6: Gauss–Legendre quadrature of an exponentially decaying integrand against
    # 20000 images (|k| < 0.99 -> tail < 1e-80 relative)
    np.testing.assert_allclose(hankel, images, rtol=1e-6)


def test_hankel_layered_below_the_surface() -> None:
    s1, s2, h = 0.15, 0.04, 0.0015
    k = (s1 - s2) / (s1 + s2)
    r = np.array([0.002, 0.01, 0.04])
    z = 0.0009
    n = np.arange(1, 4000)[None, :]
    rr = r[:, None]
    images = 1 / np.hypot(r, z) + (k**n * (1 / np.hypot(rr, 2 * n * h - z)
                                            + 1 / np.hypot(rr, 2 * n * h + z))).sum(1)
    images /= 2 * math.pi * s1
    hankel = layered_surface_potential(r, z, sigmas=[s1, s2], thicknesses=[h])
    np.testing.assert_allclose(hankel, images, rtol=1e-6)  # as above
    # an interface between equal conductivities changes nothing (below the surface too)
    three = layered_surface_potential(r, 0.004, sigmas=[s1, s2, s2], thicknesses=[h, 0.002])
    two = layered_surface_potential(r, 0.004, sigmas=[s1, s2], thicknesses=[h])
    np.testing.assert_allclose(three, two, rtol=1e-10)
    # the potential is continuous across the interface
    above = layered_surface_potential(r, h * (1 - 1e-9), sigmas=[s1, s2], thicknesses=[h])
    below = layered_surface_potential(r, h * (1 + 1e-9), sigmas=[s1, s2], thicknesses=[h])
    np.testing.assert_allclose(above, below, rtol=1e-6)
