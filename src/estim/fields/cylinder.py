"""Semi-analytic volume conductor for limb sites: pads on a layered, finite cylinder.

The limb is a circular cylinder of concentric layers (outer to inner: skin, fat, muscle,
bone), length L along z, ends insulated, as in the FEM. The potential is a Fourier series in
angle and a cosine series along the axis (which makes the insulated ends exact),

    φ(r, θ, z) = Σ_n Σ_m J_nm Z_nm(r) e^{inθ} cos(k_m (z + L/2)),   k_m = mπ/L,

where J_nm are the coefficients of the current density entering through the skin (A/m²) and
Z_nm(r) the radial transfer impedance of mode (n, k_m): in each layer φ = a I_n(qr) + b K_n(qr)
with q = k sqrt(σ_z/σ_r) (the anisotropic muscle scales the axial wavenumber), joined by
continuity of φ and σ_r ∂φ/∂r at the interfaces, regular at the axis, as in the surface EMG
volume conductor of Farina, Mesin et al. 2004 (Med Biol Eng Comput 42:121). Bessel functions
are carried in log form (:mod:`estim.fields.bessel`) so high orders neither over- nor
underflow.

Pads are equipotentials: each pad is cut into cells (finer towards the rims, where the current
crowds) carrying uniform density; the cell densities are solved so that every pad has one
potential and carries ±1 A (Galerkin on cell means). The potential is then summed on a
(radius × angle × axial) grid by FFT and interpolated with cubic splines (the B-spline
prefilter applied to the spectrum, where it is diagonal).

The radial transfer is smooth in the order n and wavenumber k on the scale of the layers'
depths, far coarser than the mode spacing: it is evaluated exactly on a lattice of (n, k)
(every low mode, then a spacing of 1/8 of the index) and interpolated to the others
(:func:`lattice_transfer`; 1e-5 of the exact, tests/unit/test_fields_cylinder.py).

An elliptic limb section (the knee) maps onto the circle of the same perimeter, a point
keeping its depth below the skin and the arc length of its angular position; the map's
first order in the eccentricity, a conductivity σ₁ ∝ cos 2θ, sin 2θ on the circle, couples
each order n to n ± 2 (:func:`estim.fields.ellipse.ellipse_coupling`, radial finite
elements per mode). The pads are solved with that coupling in their kernel, and the grid
carries it. Against a closed form (a harmonic field in a homogeneous elliptic cylinder) the
circle alone is off by O(m), m = (a - b)/(a + b), the coupled solution by 0.86 m²
(tests/unit/test_fields_ellipse.py); on the knee (m = 0.048) the FEM agrees within 1.1 %
instead of 3.9 %.

Where it holds: points deeper than about :data:`MIN_DEPTH` below the skin (the series is
truncated at a wavelength of ~1 mm, so the potential in the top ~0.5 mm of the skin next to a
pad rim is smoothed); ideal contact (no interface conductance).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from estim.fields.bessel import log_ik
from estim.fields.electrodes import Electrode
from estim.fields.ellipse import ELLIPSE_KAPPA_R, ellipse_coupling
from estim.fields.sites import Site

__all__ = ["MIN_DEPTH", "CylinderChannel", "LayeredCylinder", "cylinder_channel"]

F = NDArray[np.float64]

#: Shallowest depth (m) at which the series is checked against the FEM to 2 %.
MIN_DEPTH = 1.0e-3
_TINY_K = 1e-7  # [1/m] stands in for k = 0: I_n, K_n -> r^n, r^-n, exact to 1e-12


def _perimeter(a: float, b: float) -> float:
    """Ellipse perimeter (Ramanujan's second approximation, 1e-10 relative here) (m)."""
    h = ((a - b) / (a + b)) ** 2
    return math.pi * (a + b) * (1 + 3 * h / (10 + math.sqrt(4 - 3 * h)))


@dataclass(frozen=True)
class LayeredCylinder:
    """Concentric layers, inner to outer.

    :param radii: outer radius of each layer (m), increasing; the last is the skin surface.
    :param sigma_r: radial (= angular) conductivity per layer (S/m).
    :param sigma_z: axial conductivity per layer (S/m).
    :param length: cylinder length (m), ends insulated, centred on z = 0.
    :param a: outer semi-axis along x of the real (elliptic) section (m).
    :param b: outer semi-axis along y (m).
    """

    radii: tuple[float, ...]
    sigma_r: tuple[float, ...]
    sigma_z: tuple[float, ...]
    length: float
    a: float
    b: float

    @classmethod
    def from_site(cls, site: Site) -> LayeredCylinder:
        if site.kind != "limb":
            raise ValueError(f"the layered cylinder needs a limb site, not {site.kind!r}")
        a, b = site.radius_x, site.radius_y
        outer = _perimeter(a, b) / (2 * math.pi)
        radii, r = [], outer
        for ly in site.layers:
            radii.append(r)
            r -= ly.thickness
        # every boundary keeps its depth below the skin, as the FEM's offset ellipses do
        return cls(tuple(reversed(radii)),
                   tuple(ly.conductivity_across for ly in reversed(site.layers)),
                   tuple(ly.conductivity for ly in reversed(site.layers)),
                   site.length, a, b)

    @property
    def radius(self) -> float:
        return self.radii[-1]

    # --- coordinates ---------------------------------------------------------------------
    def to_cylinder(self, x: F) -> tuple[F, F, F]:
        """(r, θ, z) on the equivalent circle of world points ``x`` (N, 3) (m, rad, m)."""
        a, b = self.a, self.b
        px, py = x[:, 0], x[:, 1]
        if math.isclose(a, b):
            return np.hypot(px, py) - a + self.radius, np.arctan2(py, px), x[:, 2]
        # depth d: the point lies on the ellipse with semi-axes (a - d, b - d), as the FEM's
        # layer boundaries do; Newton from the circle guess
        d = self.radius - np.hypot(px, py)
        for _ in range(30):
            ad, bd = np.maximum(a - d, 1e-9), np.maximum(b - d, 1e-9)
            g = (px / ad) ** 2 + (py / bd) ** 2 - 1
            dg = 2 * px**2 / ad**3 + 2 * py**2 / bd**3
            step = g / dg
            d = d - step
            if np.abs(step).max() < 1e-12:
                break
        ad, bd = a - d, b - d
        t = np.arctan2(py / bd, px / ad)  # parametric angle on that ellipse
        return self.radius - d, self._arc(t) / self.radius, x[:, 2]

    def _arc(self, t: F) -> F:
        """Signed arc length (m) on the outer ellipse from t = 0 to parametric angle t."""
        ts = np.linspace(-np.pi, np.pi, 2049)
        ds = np.hypot(self.a * np.sin(ts), self.b * np.cos(ts))
        s = np.concatenate([[0.0], np.cumsum((ds[1:] + ds[:-1]) / 2 * np.diff(ts))])
        s -= np.interp(0.0, ts, s)
        return np.interp(t, ts, s)

    # --- radial transfer -----------------------------------------------------------------
    def transfer(self, n: F, k: F, radii: F) -> tuple[F, F]:
        """Surface impedance Z(R) (V·m²/A per unit density mode) and φ(r)/φ(R) at ``radii``.

        :param n: angular orders (P,) >= 0. :param k: axial wavenumbers (P,) (1/m).
        :param radii: evaluation radii (Q,) (m).
        :returns: Z (P,) and T (Q, P); T underflows to 0 where the mode has decayed.
        """
        z, log_t = self.log_transfer(n, k, radii)
        return z, np.exp(log_t)

    def log_transfer(self, n: F, k: F, radii: F) -> tuple[F, F]:
        """Z(R) (P,) (V·m²/A) and log φ(r)/φ(R) (Q, P) at ``radii`` (m), finite for every
        mode however far it has decayed (the log form never over- or underflows)."""
        k = np.maximum(k, _TINY_K)
        rad = self.radii
        nl = len(rad)
        q = [k * math.sqrt(sz / sr) for sr, sz in zip(self.sigma_r, self.sigma_z, strict=True)]
        # core: φ = I_n(q r) normalised to 1 at its outer radius
        li, di, _, _ = log_ik(n, q[0] * rad[0])
        y = self.sigma_r[0] * q[0] * di
        betas = [np.zeros_like(k)]
        logs_in = [(li, np.zeros_like(k))]  # log I, log K at each layer's inner radius
        tau = [np.zeros_like(k)]  # log φ(outer)/φ(inner) per layer (core: unused)
        for layer in range(1, nl):
            s = self.sigma_r[layer]
            x_a, x_b = q[layer] * rad[layer - 1], q[layer] * rad[layer]
            lia, dia, lka, dka = log_ik(n, x_a)
            lib, dib, lkb, dkb = log_ik(n, x_b)
            sq = s * q[layer]
            beta = (y - sq * dia) / (sq * dka - y)
            w = beta * np.exp((lkb - lka) - (lib - lia))
            y = sq * (dib + w * dkb) / (1 + w)
            tau.append((lib - lia) + np.log(np.abs(1 + w)) - np.log(np.abs(1 + beta)))
            betas.append(beta)
            logs_in.append((lia, lka))
        z_surface = 1.0 / y
        # log φ(R)/φ(inner radius of each layer): above[l] = Σ_{l'>=l} tau
        above = np.cumsum(np.array(tau[::-1]), axis=0)[::-1]
        out = np.zeros((len(radii), len(k)))
        r_all = np.maximum(np.asarray(radii, float), 1e-3 * rad[0])
        edges = np.concatenate([[0.0], rad])
        layers = np.clip(np.searchsorted(edges, r_all, side="left") - 1, 0, nl - 1)
        for layer in np.unique(layers):  # one Bessel call per layer, for all its radii
            js = np.flatnonzero(layers == layer)
            lir, _, lkr, _ = log_ik(n[None, :], q[layer][None, :] * r_all[js, None])
            a = lir - logs_in[layer][0]  # log I(qr)/I(q r_in) (core: r_in is its outer radius)
            if layer == 0:
                out[js] = a - (above[1] if nl > 1 else 0.0)
                continue
            # φ(r)/φ(r_in) = (I/I_in + β K/K_in) / (1 + β), I/I_in >= 1 >= K/K_in factored out
            beta = betas[layer]
            out[js] = (a + np.log(np.abs(1 + beta * np.exp(lkr - logs_in[layer][1] - a)))
                       - np.log(np.abs(1 + beta)) - above[layer])
        return z_surface, out


def pad_cells(grids: list[tuple[NDArray[np.bool_], int, int]]
              ) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.intp]]:
    """The cells of several pads, each a (mask, cells along a, cells along b) grid, numbered
    along a and b across all pads one after another: (a index, b index, owning pad)."""
    ca, cb, own = [], [], []
    oa = ob = 0
    for i, (mask, na, nb) in enumerate(grids):
        ia, ib = np.nonzero(mask)
        ca.append(ia + oa)
        cb.append(ib + ob)
        own.append(np.full(len(ia), i))
        oa += na
        ob += nb
    return np.concatenate(ca), np.concatenate(cb), np.concatenate(own)


def _graded(half: float, cells: int) -> F:
    """Cell edges on [-half, half], finer towards both ends (cosine spacing) (m)."""
    return -half * np.cos(np.pi * np.arange(cells + 1) / cells)


@dataclass(frozen=True)
class _Pad:
    theta: F  # (nα+1,) angular cell edges (rad)
    zeta: F  # (nβ+1,) axial cell edges, ζ = z + L/2 (m)
    mask: NDArray[np.bool_]  # (nα, nβ) cells on the pad


def _pad_cells(cyl: LayeredCylinder, e: Electrode, cells: int) -> _Pad:
    if abs(abs(e.axis[2]) - 1) > 1e-9:
        raise ValueError("limb pads run along the limb axis")
    pos = np.asarray(e.position, float)[None, :]
    _, th, z = cyl.to_cylinder(pos)
    R = cyl.radius
    if e.shape == "rectangular":
        du = _graded(e.width / 2 / R, cells)
        dv = _graded(e.length / 2, cells)
        mask = np.ones((cells, cells), bool)
    elif e.shape == "circular":
        rad = e.width / 2
        m = 2 * cells
        du = _graded(rad / R, m)
        dv = _graded(rad, m)
        cu = (du[1:] + du[:-1]) / 2 * R
        cv = (dv[1:] + dv[:-1]) / 2
        # cells whose area is mostly inside the disc
        mask = (cu[:, None] ** 2 + cv[None, :] ** 2) <= rad**2
    else:
        raise ValueError(f"a limb pad is rectangular or circular, not {e.shape!r}")
    return _Pad(th[0] + du, z[0] + cyl.length / 2 + dv, mask)


@dataclass(frozen=True)
class CylinderChannel:
    """One channel (1 A in at the anode, out at the cathode) on a layered cylinder.

    ``potential(points)`` is V per A relative to the cathode, NaN outside the limb;
    ``resistance`` the anode-to-cathode voltage per A (Ω).
    """

    cylinder: LayeredCylinder
    resistance: float
    # per layer: inner radius, node spacing, angular and axial steps, spline coefficients
    _grids: tuple[tuple[float, float, float, float, F], ...]
    _pad: int

    def potential(self, points: F) -> F:
        """φ (V per A, relative to the cathode) at ``points`` (N, 3) m; NaN outside."""
        from scipy.ndimage import map_coordinates

        x = np.asarray(points, float).reshape(-1, 3)
        cyl = self.cylinder
        r, th, z = cyl.to_cylinder(x)
        out = np.full(len(x), np.nan)
        inside = (r >= 0) & (r <= cyl.radius * (1 + 1e-9)) & (np.abs(z) <= cyl.length / 2)
        edges = np.concatenate([[0.0], cyl.radii])
        layer = np.clip(np.searchsorted(edges, r, side="left") - 1, 0, len(cyl.radii) - 1)
        for li, (r0, dr, dt, dz, coef) in enumerate(self._grids):
            m = inside & (layer == li)
            if m.any():
                ri = np.clip((r[m] - r0) / dr, 0, coef.shape[0] - 1)
                ti = np.mod(th[m], 2 * np.pi) / dt + self._pad
                zi = (z[m] + cyl.length / 2) / dz - 0.5 + self._pad
                out[m] = map_coordinates(coef, np.vstack([ri, ti, zi]), order=3,
                                         prefilter=False, mode="nearest")
        return out


def _interval_transforms(edges_theta: list[F], edges_zeta: list[F], n: F, k: F
                         ) -> tuple[NDArray[np.complex128], F]:
    """E[n, α] = ∫ e^{inθ} dθ over each angular interval; C[m, β] = ∫ cos(kζ) dζ."""
    lo_t = np.concatenate([e[:-1] for e in edges_theta])
    hi_t = np.concatenate([e[1:] for e in edges_theta])
    lo_z = np.concatenate([e[:-1] for e in edges_zeta])
    hi_z = np.concatenate([e[1:] for e in edges_zeta])
    nn = n[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        E = np.where(nn == 0, (hi_t - lo_t)[None, :],
                     (np.exp(1j * nn * hi_t) - np.exp(1j * nn * lo_t)) / (1j * nn))
        kk = k[:, None]
        C = np.where(kk == 0, (hi_z - lo_z)[None, :],
                     (np.sin(kk * hi_z) - np.sin(kk * lo_z)) / kk)
    return E, C


def cylinder_channel(site: Site, anode: Electrode, cathode: Electrode, *, cells: int = 12,
                     step: float = 1.0e-3) -> CylinderChannel:
    """The channel anode → cathode on ``site`` (a limb) with equipotential pads.

    :param cells: cells per pad side (graded towards the rims).
    :param step: spacing of the interpolation grid on the skin surface (m); the series is
        truncated at this wavelength's Nyquist.
    """
    cyl = LayeredCylinder.from_site(site)
    R, L = cyl.radius, cyl.length
    n_modes = math.ceil(math.pi * R / step)  # angular orders 0 .. Nyquist - 1 of the grid
    n_z = math.ceil(L / step)  # axial modes
    n = np.arange(n_modes, dtype=float)
    k = np.arange(n_z, dtype=np.float64) * np.pi / L
    pads = [_pad_cells(cyl, e, cells) for e in (anode, cathode)]
    # --- equipotential pads: Galerkin on cell means --------------------------------------
    # modes for the pad solve: finer than the grid, to resolve the smallest rim cells
    fine = min(pads[0].zeta[1] - pads[0].zeta[0], pads[1].zeta[1] - pads[1].zeta[0],
               R * (pads[0].theta[1] - pads[0].theta[0]), R * (pads[1].theta[1] - pads[1].theta[0]))
    # (capped at twice the grid's: 0.05 % on the knee's 5 cm discs, 0.4 s -> 0.1 s; see
    # docs/fields.md)
    kmax = max(math.pi / step, min(2.5 / fine, 2 * math.pi / step))
    ns = np.arange(math.ceil(kmax * R) + 1, dtype=float)
    ks = np.arange(math.ceil(kmax * L / math.pi) + 1) * np.pi / L
    NN, KK = np.meshgrid(ns, ks, indexing="ij")
    keep = np.hypot(NN / R, KK) <= kmax * 1.0001
    # the interpolation grid of each layer: the step near the skin, a quarter of the depth
    # below it (there the Nyquist mode has decayed by e^{-4π} from the layer's top)
    plans = []
    for li in range(len(cyl.radii)):
        r_in = cyl.radii[li - 1] if li else 0.0
        r_out = cyl.radii[li]
        spacing = max(step, 0.25 * (R - r_out))
        nodes = int(np.clip(math.ceil((r_out - r_in) / max(spacing, 0.15 * (R - r_in))) + 1,
                            4, 8))
        plans.append((r_in, spacing, np.linspace(r_in, r_out, nodes)))
    # the radial transfer of every mode, interpolated from a lattice of exact ones
    radii = np.concatenate([p[2] for p in plans])
    zs, lat, pn, pk = _layers_transfer(cyl, len(ns), len(ks), tuple(radii))
    zs = np.where(keep, zs, 0.0)
    zs[0, 0] = 0.0  # net current of a channel is zero: the constant mode is not driven
    E, C = _interval_transforms([p.theta for p in pads], [p.zeta for p in pads], ns, ks)
    zw = zs * np.where(ks == 0, 1.0, 2.0)[None, :]
    cn = np.where(ns == 0, 1.0, 2.0)[:, None]
    elliptic = not math.isclose(cyl.a, cyl.b, rel_tol=1e-6)
    if elliptic:
        # the ellipse's first order: mode n' at the skin gains Y(n', k) J_{n'-2} (and, the
        # kernel being symmetric, n' - 2 gains Y J_{n'}); Y = ρ+ Z
        rho, qn, qk = _layers_ellipse(cyl, len(ns), len(ks), tuple(radii))
        # only modes below κR = ELLIPSE_KAPPA_R are coupled (|ρ| < ~3e-4 above it)
        n_c = min(len(ns), math.ceil(ELLIPSE_KAPPA_R) + 1)
        k_c = min(len(ks), math.ceil(ELLIPSE_KAPPA_R * L / (math.pi * R)) + 1)
        yw = (np.where(keep, qn @ rho[0, -1] @ qk.T * zs, 0.0)
              * np.where(ks == 0, 1.0, 2.0))[:n_c, :k_c]
        # Σ_{n'∈Z} Y_{n'} [E*_{n'-2,i} E_{n',j} + E*_{n',i} E_{n'-2,j}]: n' ↔ 2 - n' pair up,
        # so n' = 1 once (its partner n' - 2 = -1 is conj(E_1)) and n' >= 2 twice
        E_lo = np.zeros_like(E[:n_c])
        E_lo[2:], E_lo[1] = E[:n_c - 2], np.conj(E[1])
        cn1 = np.where(ns == 0, 0.0, np.where(ns == 1, 1.0, 2.0))[:n_c, None]
    # cells: (α, β) of each pad
    ca_, cb_, own = pad_cells([(p.mask, len(p.theta) - 1, len(p.zeta) - 1) for p in pads])
    lo_t = np.concatenate([p.theta[:-1] for p in pads])
    hi_t = np.concatenate([p.theta[1:] for p in pads])
    lo_z = np.concatenate([p.zeta[:-1] for p in pads])
    hi_z = np.concatenate([p.zeta[1:] for p in pads])
    area = R * (hi_t - lo_t)[ca_] * (hi_z - lo_z)[cb_]
    nc = len(ca_)
    # mean potential on cell j from unit density on cell i (times its area), pad by pad:
    # a cell's α and β belong to one pad, so only the blocks of equal pads are formed
    G = np.zeros((nc, nc))
    sa = np.cumsum([0] + [len(p.theta) - 1 for p in pads])
    sb = np.cumsum([0] + [len(p.zeta) - 1 for p in pads])
    rows = [np.flatnonzero(own == i) for i in range(len(pads))]
    for i, j in ((0, 0), (0, 1), (1, 1)):
        Ci, Cj = C[:, sb[i]:sb[i + 1]], C[:, sb[j]:sb[j + 1]]
        Ei, Ej = E[:, sa[i]:sa[i + 1]], E[:, sa[j]:sa[j + 1]]
        # H[(α, α'), (β, β')] = Σ_n A_n[α, α'] Σ_k Z_nk C_k[β] C_k[β']; within one pad both
        # factors are symmetric, so only the pairs α <= α', β <= β' are formed
        cc, tb = _pairs(Ci, Cj, i == j)
        ee, ta = _pairs(Ei.real, Ej.real, i == j)
        ee += _pairs(Ei.imag, Ej.imag, i == j)[0]
        H = (cn * ee).T @ (zw @ cc)
        if elliptic:
            Li, Lj = E_lo[:, sa[i]:sa[i + 1]], E_lo[:, sa[j]:sa[j + 1]]
            Ui, Uj = Ei[:n_c], Ej[:n_c]
            e1 = sum(_pairs(X, Y, i == j)[0] for X, Y in (
                (Li.real, Uj.real), (Li.imag, Uj.imag), (Ui.real, Lj.real), (Ui.imag, Lj.imag)))
            H += (cn1 * e1).T @ (yw @ cc[:k_c])
        ri, rj = rows[i], rows[j]
        blk = H[ta[(ca_[ri] - sa[i])[:, None], (ca_[rj] - sa[j])[None, :]],
                tb[(cb_[ri] - sb[i])[:, None], (cb_[rj] - sb[j])[None, :]]]
        G[np.ix_(ri, rj)] = blk
        G[np.ix_(rj, ri)] = blk.T  # the kernel is symmetric
    G = G * R / (2 * np.pi * L) / area[:, None]
    # unknowns: densities (nc), pad potentials (2); rows: cell potentials, pad currents
    M = np.zeros((nc + 2, nc + 2))
    M[:nc, :nc] = G
    M[np.arange(nc), nc + own] = -1.0
    M[nc + own, np.arange(nc)] = area
    rhs = np.zeros(nc + 2)
    rhs[nc:] = (1.0, -1.0)  # [A] into the anode, out of the cathode
    sol = np.linalg.solve(M, rhs)
    dens, (u_an, u_ca) = sol[:nc], sol[nc:]
    # --- the potential on a grid ---------------------------------------------------------
    D = np.zeros((E.shape[1], C.shape[1]))
    np.add.at(D, (ca_, cb_), dens)
    n_ext = np.arange(n_modes + 2, dtype=float)  # orders n' + 2 feed n' on an ellipse
    E2, C2 = _interval_transforms([p.theta for p in pads], [p.zeta for p in pads], n_ext, k)
    eps2 = np.where(k == 0, 1.0, 2.0)
    J = (np.conj(E2) @ D @ C2.T) * eps2[None, :] / (2 * np.pi * L)  # (n, m) A/m²
    # the densities of orders n' - 2 and n' + 2 (J_{-n} = conj(J_n))
    j_lo = np.concatenate([np.conj(J[2:0:-1]), J[:n_modes - 2]])
    j_hi = J[2:]
    J = J[:n_modes]
    grids = []
    pad = 3
    row = 0
    for r_in, spacing, rr in plans:
        nodes = len(rr)
        nm = min(math.ceil(math.pi * R / spacing), n_modes)
        nz = min(n_z, math.ceil(L / spacing))
        # grid sizes with small prime factors: a prime (2 x 173 around the calf) costs
        # the FFT several times more
        nt = _fast_even(2 * nm)
        ng = _fast_even(nz)
        T = np.exp(np.matmul(pn[:nm], lat[row:row + nodes]) @ pk[:nz].T)  # (nodes, nm, nz)
        row += nodes
        NN2, KK2 = np.meshgrid(n[:nm], k[:nz], indexing="ij")
        disc = np.hypot(NN2 / R, KK2) <= math.pi / spacing  # the grid's Nyquist disc
        extra = None
        if elliptic:  # the first-order coupling of the low modes: (nodes, n_c, k_c)
            lat_rho = rho[:, row - nodes:row]  # (2, nodes, ln, lk) on the lattice
            a, b = min(nm, n_c), min(nz, k_c)
            rp = np.matmul(qn[:a], lat_rho[0]) @ qk[:b].T
            rm = np.matmul(qn[:a], lat_rho[1]) @ qk[:b].T
            extra = np.where(disc[:a, :b], (rp * j_lo[:a, :b] + rm * j_hi[:a, :b])
                             * zs[:a, :b], 0.0)
        ext = _spline_grid(T, np.where(disc, J[:nm, :nz] * zs[:nm, :nz], 0.0), nt, ng, pad,
                           offset=-u_ca, extra=extra)
        grids.append((r_in, float(rr[1] - rr[0]), 2 * np.pi / nt, L / ng, ext))
    return CylinderChannel(cyl, float(u_an - u_ca), tuple(grids), pad)


def _spline_grid(T: F, coef: NDArray[np.complex128], nt: int, ng: int, pad: int, *,
                 offset: float = 0.0, extra: NDArray[np.complex128] | None = None) -> F:
    """Cubic B-spline coefficients on the (radial node, θ, ζ) grid of the series

        φ_j(θ, ζ) = offset + Σ_{n∈Z} Σ_m T[j, |n|, m] c_n,m e^{inθ} cos(k_m ζ),

    c_{-n} = conj(c_n), θ_i = 2πi/nt, ζ_l = (l+½)L/ng, padded by ``pad`` (periodic in θ,
    mirrored at the insulated ends) for ``map_coordinates(..., prefilter=False)``.

    The prefilter is applied to the spectrum, where it is diagonal: a sampled e^{inθ}
    convolved with the B-spline's (1, 4, 1)/6 is (4 + 2 cos(2πn/nt))/6 times itself, a
    sampled cos(k_m ζ) on the cell-centred grid (4 + 2 cos(πm/ng))/6 times itself; across
    the few radial nodes it is scipy's matrix.

    :param T: (nodes, nm, nz) real factors per node (the radial transfer).
    :param coef: (nm, nz) complex coefficients c (n >= 0).
    """
    nodes, nm, nz = T.shape
    bt = (4 + 2 * np.cos(2 * np.pi * np.arange(nm) / nt)) / 6
    bz = (4 + 2 * np.cos(np.pi * np.arange(nz) / ng)) / 6
    scale = 1 / (bt[:, None] * bz[None, :]) * (_SERIES_WEIGHT * nt)
    scale[:, 0] *= 2
    # the transforms' full input sizes, so scipy pads nothing (a copy of the grid each)
    spec = np.zeros((nodes, nt // 2 + 1, ng), complex)
    prefilter = _radial_prefilter(nodes)
    spec[:, :nm, :nz] = (prefilter @ T.reshape(nodes, -1)).reshape(T.shape)
    spec[:, :nm, :nz] *= coef * scale
    if extra is not None:  # coefficients that vary from node to node, on the low modes
        a, b = extra.shape[1:]
        tx = T[:, :a, :b] * extra * scale[:a, :b]
        spec[:, :a, :b] += (prefilter @ tx.reshape(nodes, -1)).reshape(tx.shape)
    spec[:, 0, 0] += offset * nt  # a constant is its own spline
    ext = np.empty((nodes, nt + 2 * pad, ng + 2 * pad))
    ext[:, pad:-pad, pad:-pad] = _grid_sum(spec, nt, ng)
    ext[:, :pad], ext[:, -pad:] = ext[:, nt:nt + pad], ext[:, pad:2 * pad]  # periodic θ
    ext[:, :, :pad] = ext[:, :, 2 * pad - 1:pad - 1:-1]  # mirrored at the insulated ends
    ext[:, :, -pad:] = ext[:, :, -pad - 1:-2 * pad - 1:-1]
    return ext


def _pairs(X: F, Y: F, symmetric: bool) -> tuple[F, NDArray[np.intp]]:
    """Products X[:, a] Y[:, b] over the pairs (a, b), and the table of each pair's column;
    ``symmetric`` (X is Y): only a <= b, the table pointing (b, a) to the same column."""
    nx, ny = X.shape[1], Y.shape[1]
    if not symmetric:
        return (X[:, :, None] * Y[:, None, :]).reshape(len(X), nx * ny), \
            np.arange(nx * ny).reshape(nx, ny)
    a, b = np.triu_indices(nx)
    table = np.zeros((nx, nx), np.intp)
    table[a, b] = table[b, a] = np.arange(len(a))
    return X[:, a] * Y[:, b], table


def _fast_even(n: int) -> int:
    """The smallest even length >= n whose FFT is fast (factors 2, 3, 5)."""
    from scipy.fft import next_fast_len

    while (m := next_fast_len(n, real=True)) % 2:
        n = m + 1
    return m


def _lattice(count: int, *, dense: int = 16, ratio: float = 8.0, cap: int = 16
             ) -> tuple[NDArray[np.intp], F]:
    """Sample indices of 0 .. count-1 and the (count, samples) matrix of 4-point Lagrange
    weights interpolating from them: every index below ``dense``, then a spacing of
    index / ``ratio`` (at most ``cap``), so a smooth function of log index is resolved alike
    everywhere. Rows of sampled indices are exact (a single 1)."""
    idx = list(range(min(dense, count)))
    while idx[-1] < count - 1:
        idx.append(min(count - 1, idx[-1] + max(1, min(cap, int(idx[-1] / ratio)))))
    nodes = np.array(idx)
    m = len(nodes)
    if m == count:
        return nodes, np.eye(count)
    t = np.arange(count, dtype=float)
    start = np.clip(np.searchsorted(nodes, t, side="right") - 2, 0, m - 4)
    x = nodes[start[:, None] + np.arange(4)].astype(float)  # (count, 4) stencil
    P = np.zeros((count, m))
    for s in range(4):
        w = np.ones(count)
        for u in range(4):
            if u != s:
                w *= (t - x[:, u]) / (x[:, s] - x[:, u])
        P[np.arange(count), start + s] = w
    return nodes, P


def lattice_transfer(cyl: LayeredCylinder, n: F, k: F, radii: F
                     ) -> tuple[F, F, F, F]:
    """The radial transfer of every mode (n_i, k_j) from exact values on a lattice.

    Z(n, k) and φ(r)/φ(R) are smooth functions of the (continuous) order and wavenumber,
    varying on the scale of 1/depth, far coarser than the mode spacing 1/R, π/L: they are
    evaluated on :func:`_lattice` samples of both and interpolated (cubic Lagrange in each
    index) in the log, as log(Z·κ) and log T. Against the exact transfer at every mode:
    tests/unit/test_fields_cylinder.py.

    :param n: orders 0, 1, ... (Nn,). :param k: wavenumbers 0, π/L, ... (Nk,) (1/m).
    :param radii: radial nodes (Q,) (m).
    :returns: Z (Nn, Nk) (V·m²/A); log T on the lattice (Q, ln, lk) and the interpolation
        matrices (Nn, ln), (Nk, lk): log T (Q, Nn, Nk) = P_n @ lattice @ P_kᵀ.
    """
    i_n, pn = _lattice(len(n))
    i_k, pk = _lattice(len(k))
    NN, KK = np.meshgrid(n[i_n], k[i_k], indexing="ij")
    z_lat, t_lat = cyl.log_transfer(NN.ravel(), KK.ravel(), radii)
    R = cyl.radius
    # Z ~ 1/(σ κ) at large κ: interpolate the slowly varying log(Z κ); the 1/R keeps κ > 0
    kappa = np.hypot(n[:, None] / R, k[None, :]) + 1 / R
    zk = np.log(z_lat.reshape(NN.shape) * kappa[np.ix_(i_n, i_k)])
    zs = np.exp(pn @ zk @ pk.T) / kappa
    return zs, t_lat.reshape(len(radii), len(i_n), len(i_k)), pn, pk


@lru_cache(maxsize=8)
def _layers_transfer(cyl: LayeredCylinder, n_count: int, k_count: int,
                     radii: tuple[float, ...]) -> tuple[F, F, F, F]:
    """:func:`lattice_transfer` of orders 0 .. n_count-1 and wavenumbers 0 .. (k_count-1)π/L,
    kept (read-only) for the next channel on the same layers: the dial moves pads, not
    tissue (a virtual subject's new thicknesses are a new entry)."""
    n = np.arange(n_count, dtype=float)
    k = np.arange(k_count, dtype=float) * np.pi / cyl.length
    out = lattice_transfer(cyl, n, k, np.array(radii))
    for a in out:
        a.setflags(write=False)
    return out


@lru_cache(maxsize=8)
def _layers_ellipse(cyl: LayeredCylinder, n_count: int, k_count: int,
                    radii: tuple[float, ...]) -> tuple[F, F, F]:
    """:func:`ellipse_coupling` on a lattice of orders and wavenumbers: (2, Q + 1, ln, lk)
    and the interpolation matrices (n_count, ln), (k_count, lk), kept like
    :func:`_layers_transfer` (read-only)."""
    # coarser than the transfer's (the coupling is a few % of each mode and as smooth): the
    # transfer's own lattice moves the knee's φ by 1e-6 of its range
    i_n, pn = _lattice(n_count, dense=6, ratio=3.0, cap=64)
    i_k, pk = _lattice(k_count, dense=6, ratio=3.0, cap=64)
    NN, KK = np.meshgrid(i_n.astype(float), i_k * np.pi / cyl.length, indexing="ij")
    rho = ellipse_coupling(cyl, NN.ravel(), KK.ravel(), np.array(radii))
    out = rho.reshape(2, len(radii) + 1, len(i_n), len(i_k))
    for a in (out, pn, pk):
        a.setflags(write=False)
    return out, pn, pk


def _radial_prefilter(nodes: int) -> F:
    """The cubic B-spline prefilter across ``nodes`` radial nodes as a matrix: the inverse
    of (1, 4, 1)/6 with the end coefficients repeated, as ``map_coordinates(...,
    mode="nearest")`` extends them, so the spline passes through every node exactly
    (scipy's own "nearest" filter is off by up to 3e-6 of the values on 4 nodes)."""
    B = (np.diag(np.full(nodes, 4.0)) + np.diag(np.ones(nodes - 1), 1)
         + np.diag(np.ones(nodes - 1), -1)) / 6
    B[0, 0] = B[-1, -1] = 5 / 6  # the repeated end coefficient's 1/6
    return np.asarray(np.linalg.inv(B), dtype=np.float64)


#: the factor on every coefficient but m = 0 that :func:`_grid_sum` expects (DCT-III)
_SERIES_WEIGHT = 0.5


def _grid_sum(x: NDArray[np.complex128], n_theta: int, n_z: int) -> F:
    """Σ_n Σ_m c[:, n, m] e^{inθ_i} cos(k_m ζ_l) on θ_i = 2πi/Nθ, ζ_l = (l+½)L/Nz, given
    x = Nθ c (with c_{-n} = conj(c_n): irfft sums both signs of n) times
    :data:`_SERIES_WEIGHT` for m >= 1 (the DCT-III is y = x_0 + 2 Σ x_m cos(...)); the
    caller folds these into its coefficients, sparing two passes over the array."""
    from scipy.fft import dct, irfft

    # θ first: the DCT then runs once, on real numbers
    return dct(irfft(x, n=n_theta, axis=1), type=3, axis=2, n=n_z, overwrite_x=True)


# --- the elliptic section, to first order in its eccentricity ------------------------------
# The knee's layers are offset ellipses: the boundary at depth d has semi-axes (a - d, b - d).
# The map of the equivalent circle onto them that keeps depths and the skin's arc length
# (to_cylinder's) is, to first order in Δ = (a - b)/2, the displacement
#     u_r = Δ cos 2θ,   u_θ = Δ sin 2θ (r/(2R) - 1)
# of the point (r, θ). Pulled back onto the circle, the limb's conductivity becomes
# σ̃ = det F F⁻¹ σ F⁻ᵀ (F = I + ∇u), to first order σ + σ₁ with (in-plane σ_r = s)
#     σ₁_rr = -σ₁_θθ = -s Δ P cos 2θ,  σ₁_rθ = s Δ/r sin 2θ,  σ₁_zz = σ_z Δ S cos 2θ,
#     P = 1/r - 1/R,  S = -P,
# and the layers, the skin and the pads (placed by arc length) stay where they are. So the
# circle's solution φ₀ gains φ₁ with ∫∇v·σ∇φ₁ = -∫∇v·σ₁∇φ₀ for every v: cos 2θ and sin 2θ
# carry order n into n ± 2, at the same axial wavenumber. Per mode the radial weak problem
#     b0(w, A₁) = -½ b1±(w, A_n),   n' = n ± 2,
#     b0(w, A) = ∫ r [s w'A' + (s n'²/r² + σ_z k²) w A] dr,
#     b1±(w, A) = Δ ∫ r [s P (n n' w A/r² - w'A') + σ_z S k² w A ± s (n w'A - n' w A')/r²] dr,
# is solved by linear finite elements on a radial mesh graded towards the skin (interfaces
# at nodes), for unit surface density (A = U_n, b0(w, U_n) = R w(R)). The coupling is the
# ratio ρ± = V±_{n'}/U_{n'}: mode n' gains ρ± U_{n'}(r) J_{n'∓2}; smooth in n' and k, it
# is interpolated from a lattice of (n', k) as log T is (_layers_ellipse).
