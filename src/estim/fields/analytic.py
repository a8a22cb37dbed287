"""Closed-form and semi-analytic volume conductors.

* point source in an infinite isotropic or anisotropic medium, and on a half-space surface;
* disc electrode on a half-space (Wiley & Webster 1982): potential, field, current density;
* point source on the surface of an N-layer planar half-space (Hankel transform, with a
  stable reflection-coefficient recursion), and the two-layer image series.

All potentials are per unit current unless a current is passed (SI: m, S/m, A, V).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "disc_current_density",
    "disc_field",
    "disc_potential",
    "disc_resistance",
    "layered_remainder",
    "layered_surface_potential",
    "point_source_potential",
    "two_layer_surface_potential",
]

F = NDArray[np.float64]


def point_source_potential(points: ArrayLike, source: ArrayLike, sigma: float | ArrayLike, *,
                           current: float = 1.0, half_space: bool = False) -> F:
    """V = I / (4π σ r) in an infinite medium (2π on a half-space surface).

    :param sigma: scalar (S/m), or a 3x3 conductivity tensor: then
        V = I / (4π sqrt(det σ) sqrt(rᵀ σ⁻¹ r)).
    """
    r = np.atleast_2d(np.asarray(points, float)) - np.asarray(source, float)
    s = np.asarray(sigma, float)
    k = 2.0 if half_space else 4.0
    if s.ndim == 0:
        return current / (k * np.pi * float(s) * np.linalg.norm(r, axis=1))
    q = np.einsum("ni,ij,nj->n", r, np.linalg.inv(s), r)
    return current / (k * np.pi * np.sqrt(np.linalg.det(s)) * np.sqrt(q))


def disc_resistance(radius: float, sigma: float) -> float:
    """R = 1 / (4 σ a) of a disc electrode on a half-space, return at infinity (Ω)."""
    return 1.0 / (4.0 * sigma * radius)


def _disc_terms(r: F, z: F, a: float) -> tuple[F, F, F]:
    s1 = np.sqrt((r - a) ** 2 + z**2)
    s2 = np.sqrt((r + a) ** 2 + z**2)
    return s1, s2, np.clip(2 * a / (s1 + s2), -1.0, 1.0)


def _one_minus_u2(r: F, z: F, a: float, s1: F, s2: F) -> F:
    """1 − u², u = 2a/(s1 + s2), without the cancellation near the disc (z → 0, r < a)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        d1 = np.where(r <= a, z**2 / (s1 + (a - r)), s1 - (a - r))  # s1 − (a − r)
    d2 = z**2 / (s2 + a + r)  # s2 − (a + r)
    return (d1 + d2) * (s1 + s2 + 2 * a) / (s1 + s2) ** 2


def disc_potential(r: ArrayLike, z: ArrayLike, *, radius: float, sigma: float,
                   current: float = 1.0) -> F:
    """Wiley & Webster 1982: V(r, z) = (2 V0/π) asin(2a / (s1 + s2)), V0 = I / (4 σ a).

    :param r: radial distance from the disc axis (m). :param z: depth (m), z ≥ 0.
    """
    rr: F = np.asarray(r, dtype=float)
    zz: F = np.abs(np.asarray(z, dtype=float))
    v0 = current * disc_resistance(radius, sigma)
    return 2 * v0 / np.pi * np.arcsin(_disc_terms(rr, zz, radius)[2])


def disc_field(r: ArrayLike, z: ArrayLike, *, radius: float, sigma: float,
               current: float = 1.0) -> tuple[F, F]:
    """(E_r, E_z) of :func:`disc_potential` (V/m), z measured into the tissue."""
    rr: F = np.asarray(r, dtype=float)
    zz: F = np.abs(np.asarray(z, dtype=float))
    a = radius
    v0 = current * disc_resistance(a, sigma)
    s1, s2, _ = _disc_terms(rr, zz, a)
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = -2 * a / (s1 + s2) ** 2
        pref = 2 * v0 / np.pi / np.sqrt(_one_minus_u2(rr, zz, a, s1, s2)) * slope
        dr: F = pref * ((rr - a) / s1 + (rr + a) / s2)
        dz: F = pref * (zz / s1 + zz / s2)
    return -dr, -dz


def disc_current_density(r: ArrayLike, *, radius: float, current: float = 1.0) -> F:
    """J(r) = I / (2π a sqrt(a² − r²)) under an equipotential disc (A/m²), r < a."""
    r = np.asarray(r, float)
    return current / (2 * np.pi * radius * np.sqrt(radius**2 - r**2))


def two_layer_surface_potential(r: ArrayLike, *, sigma1: float, sigma2: float,
                                thickness: float, current: float = 1.0,
                                terms: int = 2000) -> F:
    """Images: φ = I/(2πσ1) [1/r + 2 Σ kⁿ / sqrt(r² + (2nh)²)], k = (σ1−σ2)/(σ1+σ2).

    Source and observer on the surface of a layer σ1 of thickness h over a half-space σ2.
    ``terms`` images; the tail is below |k|^terms.
    """
    r = np.atleast_1d(np.asarray(r, float))
    k = (sigma1 - sigma2) / (sigma1 + sigma2)
    n = np.arange(1, terms + 1)
    series = (k ** n[None, :] / np.sqrt(r[:, None] ** 2 + (2 * n[None, :] * thickness) ** 2)
              ).sum(axis=1)
    return current / (2 * np.pi * sigma1) * (1 / r + 2 * series)


def _layer_kernel(lam: F, z: float, sigmas: F, thicknesses: F) -> F:
    """Φ(λ, z) of a unit surface source on layers ``sigmas`` (last one a half-space).

    In layer i (top at depth d_i, thickness h_i): Φ = a_i (e^{-λζ} + r_i e^{-λ(2h_i - ζ)}),
    ζ = z − d_i, every exponent ≤ 0: stable for any λ.
    """
    n = len(sigmas)
    h = np.append(thicknesses[: n - 1], np.inf)
    # reflection coefficients from the bottom up
    refl = np.zeros((n, lam.size))
    y = np.full(lam.size, sigmas[-1])  # admittance at the top of the layer below
    for i in range(n - 2, -1, -1):
        refl[i] = (sigmas[i] - y) / (sigmas[i] + y)
        e = np.exp(-2 * lam * h[i])
        y = sigmas[i] * (1 - refl[i] * e) / (1 + refl[i] * e)
    # amplitudes from the top down; flux at the surface: −σ ∂Φ/∂z = λ / (2π)
    amp = 1 / (2 * np.pi * sigmas[0] * (1 - refl[0] * np.exp(-2 * lam * h[0])))
    top = 0.0
    for i in range(n):
        if z <= top + h[i] or i == n - 1:
            zeta = z - top
            ref = refl[i] * np.exp(-lam * (2 * h[i] - zeta)) if i < n - 1 else 0.0
            return amp * (np.exp(-lam * zeta) + ref)
        e = np.exp(-lam * h[i])
        nxt = 1 + refl[i + 1] * np.exp(-2 * lam * h[i + 1]) if i + 1 < n - 1 else 1.0
        amp = amp * e * (1 + refl[i]) / nxt
        top += h[i]
    raise AssertionError("unreachable")


def layered_surface_potential(r: ArrayLike, z: float, *, sigmas: ArrayLike,
                              thicknesses: ArrayLike, current: float = 1.0) -> F:
    """Potential at radius ``r`` and depth ``z`` of a point source on an N-layer half-space.

    φ(r, z) = ∫₀^∞ Φ(λ, z) J0(λr) dλ, with the homogeneous top-layer part
    I / (2π σ1 sqrt(r² + z²)) taken out in closed form so the remaining integrand decays like
    e^{−λ(2h1 − z)} in the top layer and e^{−λz} below it; Gauss–Legendre panels resolve
    the J0 oscillations.

    :param sigmas: conductivities top to bottom (S/m); the last is a half-space.
    :param thicknesses: thicknesses of all but the last layer (m).
    """
    r = np.atleast_1d(np.asarray(r, float))
    s = np.asarray(sigmas, float)
    rest = layered_remainder(r, z, sigmas=s, thicknesses=thicknesses)
    return current * (rest + 1 / (2 * np.pi * s[0] * np.hypot(r, z)))


def layered_remainder(r: ArrayLike, z: float, *, sigmas: ArrayLike,
                      thicknesses: ArrayLike) -> F:
    """φ − 1/(2π σ1 sqrt(r² + z²)) per ampere for :func:`layered_surface_potential`: the
    smooth, bounded part that the layers below the top one add (V/A)."""
    from scipy.special import j0

    r = np.atleast_1d(np.asarray(r, float))
    s = np.asarray(sigmas, float)
    h = np.asarray(thicknesses, float)
    if len(s) == 1:
        return np.zeros_like(r)
    decay = max(2 * h[0] - z if z < h[0] else z, 1e-9)
    lam_max = 40.0 / decay
    period = 2 * np.pi / max(float(r.max()), decay)
    panels = int(min(max(lam_max / period * 2, 64), 20000))
    xg, wg = np.polynomial.legendre.leggauss(8)
    # uniform panels for the J0 oscillations, plus geometric ones near λ = 0 where a strong
    # contrast (|k| -> 1) makes the kernel peak with width (1 − |k|)/(2h)
    edges = np.unique(np.concatenate([[0.0], np.geomspace(lam_max * 1e-8, lam_max, 80),
                                      np.linspace(0, lam_max, panels + 1)]))
    mid, half = (edges[1:] + edges[:-1]) / 2, (edges[1:] - edges[:-1]) / 2
    lam = (mid[:, None] + half[:, None] * xg[None, :]).ravel()
    w = (half[:, None] * wg[None, :]).ravel()
    wk = w * (_layer_kernel(lam, z, s, h) - np.exp(-lam * z) / (2 * np.pi * s[0]))
    chunk = max(1, 4_000_000 // lam.size)
    return np.concatenate([j0(np.outer(r[i:i + chunk], lam)) @ wk
                           for i in range(0, r.size, chunk)])
