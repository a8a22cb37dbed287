"""The elliptic limb to first order in its eccentricity: the radial correction of each
Fourier-Bessel mode of :mod:`estim.fields.cylinder`.

The cylinder solver maps an ellipse (semi-axes a, b) onto the circle of the same perimeter,
points keeping their depth and arc length. To first order in Δ = (a − b)/2 that map is a
small displacement of every point; pulled back onto the circle it is an extra conductivity
term in cos 2θ and sin 2θ, which couples angular order n with n ± 2 at each axial
wavenumber. :func:`ellipse_coupling` solves, per mode, the radial correction of that term by
linear finite elements on a radial mesh graded towards the skin (every layer interface a
node) and returns it as a ratio to the circle's own mode. Checked against a closed form
(a homogeneous elliptic cylinder carrying cosh(ky)·cos(kζ)) in
``tests/unit/test_fields_ellipse.py``: the energy error falls from O(m) to O(m²).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

__all__ = ["ELLIPSE_KAPPA_R", "LayeredSection", "ellipse_coupling"]

F = NDArray[np.float64]


class LayeredSection(Protocol):
    """What the coupling reads of a layered elliptic cylinder
    (:class:`estim.fields.cylinder.LayeredCylinder` has it): the semi-axes a, b and the
    radius R of the circle of the same perimeter (m), each layer's outer radius on that
    circle, increasing to R at the skin (m), and its radial and axial conductivities (S/m)."""

    @property
    def a(self) -> float: ...
    @property
    def b(self) -> float: ...
    @property
    def radius(self) -> float: ...
    @property
    def radii(self) -> Sequence[float]: ...
    @property
    def sigma_r(self) -> Sequence[float]: ...
    @property
    def sigma_z(self) -> Sequence[float]: ...

#: modes coupled by the ellipse: κR = R hypot(n/R, k) below this (|ρ±| < ~3e-4 above it,
#: 2e-4 of φ's range on the knee's pads left out)
ELLIPSE_KAPPA_R = 64.0


def _radial_mesh(cyl: LayeredSection, *, h0: float = 5e-5, growth: float = 0.1,
                 hmax: float = 3e-3) -> F:
    """FE nodes (m), ascending from 1 % of R to R: spacing h0 at the skin growing by
    ``growth`` of the depth (to hmax), every layer interface a node (62 on the knee). A finer
    mesh (20 µm, 0.05, 2 mm: 122 nodes) moves the knee's φ by 1.5e-5 of its range. The
    axis is left out (zero flux at 1 % of R): there the map folds (within Δ of the axis,
    inside the bone, where little current flows)."""
    R = cyl.radius
    d, depths = 0.0, [0.0]
    while d < 0.99 * R:
        d += min(hmax, max(h0, growth * d))
        depths.append(min(d, 0.99 * R))
    dep = np.array(depths)
    faces = R - np.array(cyl.radii[:-1])
    h = np.minimum(hmax, np.maximum(h0, growth * dep))
    near = np.any(np.abs(dep[:, None] - faces[None, :]) < 0.5 * h[:, None], axis=1)
    dep = np.unique(np.concatenate([dep[~near], faces]))
    return np.asarray(R - dep[::-1], dtype=np.float64)


def _fe_bands(r: F, weight: F, kind: str) -> F:
    """Tridiagonal (3, N) [upper, diagonal, lower] (scipy's banded layout) of ∫ weight(r) ·
    (products of linear hats) dr, ``weight`` given at the 3 Gauss points of each element
    (E, 3); ``kind``: "dd" w'A', "vv" wA, "dv" w'A, "vd" wA' (w the test function, rows)."""
    h = np.diff(r)[:, None]
    x, w = np.polynomial.legendre.leggauss(3)
    xg = np.broadcast_to((x + 1) / 2, (len(h), 3))
    wg = w / 2 * h * weight
    fa, fb = 1 - xg, xg  # the hats of the element's nodes a (inner) and b
    da, db = np.broadcast_to(-1 / h, xg.shape), np.broadcast_to(1 / h, xg.shape)
    w_, a_ = {"dd": ((da, db), (da, db)), "vv": ((fa, fb), (fa, fb)),
              "dv": ((da, db), (fa, fb)), "vd": ((fa, fb), (da, db))}[kind]
    out = np.zeros((3, len(r)))
    out[1, :-1] += np.sum(wg * w_[0] * a_[0], axis=1)  # (a, a)
    out[1, 1:] += np.sum(wg * w_[1] * a_[1], axis=1)  # (b, b)
    out[0, 1:] = np.sum(wg * w_[0] * a_[1], axis=1)  # row a, column b: upper (scipy layout)
    out[2, :-1] = np.sum(wg * w_[1] * a_[0], axis=1)  # row b, column a: lower
    return out


def _band_matvec(ab: F, x: F) -> F:
    """(B, 3, N) bands (scipy's solve_banded layout) times x (B, N)."""
    y = ab[:, 1] * x
    y[:, :-1] += ab[:, 0, 1:] * x[:, 1:]
    y[:, 1:] += ab[:, 2, :-1] * x[:, :-1]
    return y


def _solve_bands(ab: F, rhs: F) -> F:
    """Solve B tridiagonal systems (B, 3, N) with right-hand sides (B, N, m) at once, as one
    block-diagonal band (LAPACK's gtsv through scipy)."""
    from scipy.linalg import solve_banded

    B, _, N = ab.shape
    big = ab.copy()
    big[:, 0, 0] = 0.0  # no coupling between consecutive systems
    big[:, 2, -1] = 0.0
    big = big.transpose(1, 0, 2).reshape(3, B * N)
    out = solve_banded((1, 1), big, rhs.reshape(B * N, -1), check_finite=False)
    return np.asarray(out, dtype=np.float64).reshape(rhs.shape)


def ellipse_coupling(cyl: LayeredSection, n: F, k: F, radii: F) -> F:
    """ρ± of every (n, k) given (lattice points), at ``radii`` and the skin (m).

    :param n: orders n' >= 0 (P,). :param k: wavenumbers (P,) (1/m).
    :returns: (2, Q + 1, P): [ρ+ (source n' - 2), ρ- (source n' + 2)] at the radii, then R;
        0 where the mode has decayed below 1e-250 of the surface and for the constant mode's
        couplings (n' = 0 or the source n = 0 at k = 0: a channel drives no net current).
    """
    R = cyl.radius
    delta = (cyl.a - cyl.b) / 2
    r = _radial_mesh(cyl)
    xg = (np.polynomial.legendre.leggauss(3)[0] + 1) / 2
    rg = r[:-1, None] + xg[None, :] * np.diff(r)[:, None]  # Gauss points (E, 3)
    layer = np.clip(np.searchsorted(np.array(cyl.radii), (r[:-1] + r[1:]) / 2), 0,
                    len(cyl.radii) - 1)
    s = np.array(cyl.sigma_r)[layer][:, None]
    sz = np.array(cyl.sigma_z)[layer][:, None]
    p = 1 / rg - 1 / R
    k0 = _fe_bands(r, s * rg, "dd")
    k2 = _fe_bands(r, s / rg, "vv")
    k3 = _fe_bands(r, sz * rg, "vv")
    m_p1 = _fe_bands(r, s * p * rg, "dd")
    m_p2 = _fe_bands(r, s * p / rg, "vv")
    m_s = _fe_bands(r, -sz * p * rg, "vv")
    m_qa = _fe_bands(r, s / rg, "dv")
    m_qb = _fe_bands(r, s / rg, "vd")
    N = len(r)
    nn = np.asarray(n, float)
    kk = np.asarray(k, float)
    dead = kk == 0  # the constant mode: not driven

    def stiffness(order: F) -> F:
        ab = k0[None] + (order**2)[:, None, None] * k2[None] + (kk**2)[:, None, None] * k3[None]
        sing = (order == 0) & dead
        ab[sing, 1] += 1.0  # singular (a constant): any regular system, results zeroed
        return ab

    surf = np.zeros((len(nn), N, 1))
    surf[:, -1, 0] = R  # b0(w, U) = R w(R): unit density at the skin
    u = {e: _solve_bands(stiffness(np.abs(nn - 2 * e)), surf)[..., 0] for e in (-1, 0, 1)}
    rhs = np.empty((len(nn), N, 2))
    for col, e in enumerate((1, -1)):
        src = nn - 2 * e  # signed source order
        b1 = delta * (-m_p1[None] + (src * nn)[:, None, None] * m_p2[None]
                      + (kk**2)[:, None, None] * m_s[None]
                      + e * (src[:, None, None] * m_qa[None] - nn[:, None, None] * m_qb[None]))
        rhs[:, :, col] = -0.5 * _band_matvec(b1, u[e])
        rhs[(src == 0) & dead, :, col] = 0.0
    v = _solve_bands(stiffness(nn), rhs)  # (P, N, 2)
    at = np.concatenate([np.clip(np.asarray(radii, float), r[0], R), [R]])
    j = np.clip(np.searchsorted(r, at) - 1, 0, N - 2)
    t = (at - r[j]) / (r[j + 1] - r[j])
    u0 = u[0][:, j] * (1 - t) + u[0][:, j + 1] * t  # (P, Q+1)
    vq = v[:, j] * (1 - t)[None, :, None] + v[:, j + 1] * t[None, :, None]
    tiny = np.abs(u0) < 1e-250 * np.abs(u[0][:, -1:])
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = np.where(tiny[..., None], 0.0, vq / u0[..., None])
    rho[(nn == 0) & dead] = 0.0
    return np.moveaxis(rho, (2, 1, 0), (0, 1, 2))
