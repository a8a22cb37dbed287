"""Semi-analytic volume conductor for planar sites: pads on a layered box.

The same model as the FEM's planar site: a box ``width`` × ``length`` of horizontal layers,
the skin at z = 0, every face insulated except under the pads. The potential is a double
cosine series in x and y (exact for insulated sides) times, in each layer, cosh/sinh of
q z with q = sqrt((σ_x k_x² + σ_y k_y²)/σ_z) (anisotropic muscle, fibers along the site's
``fiber_axis``), joined by continuity of φ and σ_z ∂φ/∂z; the bottom is insulated. Pads are
equipotentials solved on graded cells as in :mod:`estim.fields.cylinder`, and the potential is
summed on a grid by DCT and interpolated with cubic splines.

Unlike :mod:`estim.fields.layered` (uniform-density pads on a half-space, a few per cent),
this carries equipotential pads and the finite box of the FEM.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from estim.fields.cylinder import _graded, pad_cells
from estim.fields.electrodes import Electrode
from estim.fields.sites import Site

__all__ = ["BoxChannel", "LayeredBox", "box_channel"]

F = NDArray[np.float64]


def _log_cosh(x: F) -> F:
    return x + np.log1p(np.exp(-2 * x)) - math.log(2)


@dataclass(frozen=True)
class LayeredBox:
    """Horizontal layers, top to bottom.

    :param thicknesses: per layer (m). :param sigma_x, sigma_y, sigma_z: per layer (S/m).
    :param width: extent along x (m). :param length: extent along y (m).
    """

    thicknesses: tuple[float, ...]
    sigma_x: tuple[float, ...]
    sigma_y: tuple[float, ...]
    sigma_z: tuple[float, ...]
    width: float
    length: float

    @classmethod
    def from_site(cls, site: Site) -> LayeredBox:
        if site.kind != "planar":
            raise ValueError(f"the layered box needs a planar site, not {site.kind!r}")
        ax = np.abs(np.asarray(site.fiber_axis, float))
        if not (np.isclose(ax[1], 1) or np.isclose(ax[0], 1)):
            raise ValueError("fibers must run along x or y")
        along_y = bool(np.isclose(ax[1], 1))
        sx = tuple(ly.conductivity_across if along_y else ly.conductivity for ly in site.layers)
        sy = tuple(ly.conductivity if along_y else ly.conductivity_across for ly in site.layers)
        sz = tuple(ly.conductivity_across for ly in site.layers)
        return cls(tuple(ly.thickness for ly in site.layers), sx, sy, sz, site.width,
                   site.length)

    @property
    def depth(self) -> float:
        return sum(self.thicknesses)

    def transfer(self, kx: F, ky: F, depths: F) -> tuple[F, F]:
        """Surface impedance Z (P,) and φ(depth)/φ(0) (Q, P) of modes (kx, ky) (1/m)."""
        nl = len(self.thicknesses)
        q = [np.sqrt((sx * kx**2 + sy * ky**2) / sz)
             for sx, sy, sz in zip(self.sigma_x, self.sigma_y, self.sigma_z, strict=True)]
        q = [np.maximum(qq, 1e-9) for qq in q]
        y = np.zeros_like(kx)  # insulated bottom
        betas: list[F] = [np.zeros_like(kx)] * nl
        tau: list[F] = [np.zeros_like(kx)] * nl
        for layer in range(nl - 1, -1, -1):  # bottom up
            s, t = self.sigma_z[layer], self.thicknesses[layer]
            beta = y / (s * q[layer])
            th = np.tanh(q[layer] * t)
            y = s * q[layer] * (th + beta) / (1 + beta * th)
            betas[layer] = beta
            tau[layer] = _log_cosh(q[layer] * t) + np.log1p(beta * th)
        z_surface = 1.0 / y
        tops = np.concatenate([[0.0], np.cumsum(self.thicknesses)])
        above = np.cumsum(np.array(tau), axis=0)  # log φ(0)/φ(bottom of layer l)
        out = np.zeros((len(depths), len(kx)))
        k = np.hypot(kx, ky)
        for j, d in enumerate(np.asarray(depths, float)):
            layer = int(np.clip(np.searchsorted(tops, d, side="right") - 1, 0, nl - 1))
            live = k * d < 40.0
            h = tops[layer + 1] - d  # height above the layer's bottom
            qq, b = q[layer][live], betas[layer][live]
            log_phi = _log_cosh(qq * h) + np.log1p(b * np.tanh(qq * h))
            out[j, live] = np.exp(log_phi - above[layer][live])
        return z_surface, out


@dataclass(frozen=True)
class _Pad:
    x: F  # cell edges along x, shifted by W/2 (m)
    y: F  # along y, shifted by L/2 (m)
    mask: NDArray[np.bool_]


def _pad_cells(box: LayeredBox, e: Electrode, cells: int) -> _Pad:
    cx, cy = e.position[0] + box.width / 2, e.position[1] + box.length / 2
    if e.shape == "circular":
        rad = e.width / 2
        du, dv = _graded(rad, 2 * cells), _graded(rad, 2 * cells)
        cu, cv = (du[1:] + du[:-1]) / 2, (dv[1:] + dv[:-1]) / 2
        return _Pad(cx + du, cy + dv, cu[:, None] ** 2 + cv[None, :] ** 2 <= rad**2)
    if e.shape != "rectangular":
        raise ValueError(f"a planar pad is rectangular or circular, not {e.shape!r}")
    if np.isclose(abs(e.axis[1]), 1):
        hx, hy = e.width / 2, e.length / 2
    elif np.isclose(abs(e.axis[0]), 1):
        hx, hy = e.length / 2, e.width / 2
    else:
        raise ValueError("planar pads run along x or y")
    return _Pad(cx + _graded(hx, cells), cy + _graded(hy, cells), np.ones((cells, cells), bool))


def _cos_transform(edges: list[F], k: F) -> F:
    lo = np.concatenate([e[:-1] for e in edges])
    hi = np.concatenate([e[1:] for e in edges])
    kk = k[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(kk == 0, (hi - lo)[None, :], (np.sin(kk * hi) - np.sin(kk * lo)) / kk)


@dataclass(frozen=True)
class BoxChannel:
    """One channel (1 A in at the anode, out at the cathode) on a layered box."""

    box: LayeredBox
    resistance: float
    _grids: tuple[tuple[float, float, F], ...]
    _step: tuple[float, float]
    _pad: int

    def potential(self, points: F) -> F:
        """φ (V per A, relative to the cathode) at ``points`` (N, 3) m; NaN outside."""
        from scipy.ndimage import map_coordinates

        x = np.asarray(points, float).reshape(-1, 3)
        b = self.box
        d = -x[:, 2]
        out = np.full(len(x), np.nan)
        inside = ((np.abs(x[:, 0]) <= b.width / 2) & (np.abs(x[:, 1]) <= b.length / 2)
                  & (d >= -1e-12) & (d <= b.depth))
        xi = (x[:, 0] + b.width / 2) / self._step[0] - 0.5 + self._pad
        yi = (x[:, 1] + b.length / 2) / self._step[1] - 0.5 + self._pad
        tops = np.concatenate([[0.0], np.cumsum(b.thicknesses)])
        layer = np.clip(np.searchsorted(tops, d, side="right") - 1, 0, len(b.thicknesses) - 1)
        for li, (d0, dd, coef) in enumerate(self._grids):
            m = inside & (layer == li)
            if m.any():
                di = np.clip((d[m] - d0) / dd, 0, coef.shape[0] - 1)
                out[m] = map_coordinates(coef, np.vstack([di, xi[m], yi[m]]), order=3,
                                         prefilter=False, mode="nearest")
        return out


def box_channel(site: Site, anode: Electrode, cathode: Electrode, *, cells: int = 12,
                step: float = 1.0e-3) -> BoxChannel:
    """The channel anode → cathode on ``site`` (planar) with equipotential pads.

    :param cells: cells per pad side (graded towards the rims).
    :param step: spacing of the interpolation grid (m).
    """
    from scipy.fft import dct
    from scipy.ndimage import spline_filter

    box = LayeredBox.from_site(site)
    W, L = box.width, box.length
    pads = [_pad_cells(box, e, cells) for e in (anode, cathode)]
    fine = min(float(np.diff(p.x).min()) for p in pads)
    fine = min(fine, *(float(np.diff(p.y).min()) for p in pads))
    kmax = max(math.pi / step, 2.0 / fine)
    kx = np.arange(math.ceil(kmax * W / math.pi) + 1, dtype=np.float64) * np.pi / W
    ky = np.arange(math.ceil(kmax * L / math.pi) + 1, dtype=np.float64) * np.pi / L
    KX, KY = np.meshgrid(kx, ky, indexing="ij")
    keep = np.hypot(KX, KY) <= kmax * 1.0001
    zs = np.zeros(KX.shape)
    zs[keep], _ = box.transfer(KX[keep], KY[keep], np.zeros(0))
    zs[0, 0] = 0.0  # zero net current: the constant mode is not driven
    Cx, Cy = _cos_transform([p.x for p in pads], kx), _cos_transform([p.y for p in pads], ky)
    ex, ey = np.where(kx == 0, 1.0, 2.0), np.where(ky == 0, 1.0, 2.0)
    na, nb = Cx.shape[1], Cy.shape[1]
    W2 = (zs * ey[None, :]) @ (Cy[:, :, None] * Cy[:, None, :]).reshape(len(ky), nb * nb)
    A = ex[:, None] * (Cx[:, :, None] * Cx[:, None, :]).reshape(len(kx), na * na)
    H = (A.T @ W2).reshape(na, na, nb, nb).transpose(0, 2, 1, 3)
    ca_, cb_, own = pad_cells([(p.mask, len(p.x) - 1, len(p.y) - 1) for p in pads])
    wx = np.concatenate([np.diff(p.x) for p in pads])
    wy = np.concatenate([np.diff(p.y) for p in pads])
    area = wx[ca_] * wy[cb_]
    nc = len(ca_)
    G = H[ca_[:, None], cb_[:, None], ca_[None, :], cb_[None, :]] / (W * L) / area[:, None]
    M = np.zeros((nc + 2, nc + 2))
    M[:nc, :nc] = G
    M[np.arange(nc), nc + own] = -1.0
    M[nc + own, np.arange(nc)] = area
    rhs = np.zeros(nc + 2)
    rhs[nc:] = (1.0, -1.0)  # [A] into the anode, out of the cathode
    sol = np.linalg.solve(M, rhs)
    dens, (u_an, u_ca) = sol[:nc], sol[nc:]
    # --- grid --------------------------------------------------------------------------
    nx, ny = math.ceil(W / step), math.ceil(L / step)
    gx = np.arange(nx, dtype=np.float64) * np.pi / W
    gy = np.arange(ny, dtype=np.float64) * np.pi / L
    D = np.zeros((na, nb))
    np.add.at(D, (ca_, cb_), dens)
    ex2, ey2 = np.where(gx == 0, 1.0, 2.0), np.where(gy == 0, 1.0, 2.0)
    J = (_cos_transform([p.x for p in pads], gx) @ D @ _cos_transform([p.y for p in pads], gy).T
         ) * ex2[:, None] * ey2[None, :] / (W * L)
    GX, GY = np.meshgrid(gx, gy, indexing="ij")
    pad = 3
    coefs = []
    tops = np.concatenate([[0.0], np.cumsum(box.thicknesses)])
    depths = []
    for li in range(len(box.thicknesses)):
        d0, d1 = tops[li], tops[li + 1]
        spacing = max(step, 0.25 * d0)
        depths.append(np.linspace(d0, d1, int(np.clip(math.ceil((d1 - d0) / spacing) + 1, 4, 10))))
    # every layer's depths in one call: the modes' recursion through the layers is done once
    zsurf, T_all = box.transfer(GX.ravel(), GY.ravel(), np.concatenate(depths))
    first = np.cumsum([0] + [len(dd) for dd in depths])
    for li, dd in enumerate(depths):
        d0, nodes, T = tops[li], len(dd), T_all[first[li]:first[li + 1]]
        spec = (J.ravel()[None, :] * zsurf[None, :] * T).reshape(nodes, nx, ny)
        spec[:, 0, 0] = 0.0
        spec[:, :, 1:] *= 0.5
        spec[:, 1:, :] *= 0.5  # DCT-III: y = x0 + 2 Σ x_m cos(...)
        vals = dct(dct(spec, type=3, axis=1), type=3, axis=2) - u_ca
        ext = np.concatenate([vals[:, pad - 1::-1], vals, vals[:, :-pad - 1:-1]], axis=1)
        ext = np.concatenate([ext[:, :, pad - 1::-1], ext, ext[:, :, :-pad - 1:-1]], axis=2)
        coefs.append((float(d0), float(dd[1] - dd[0]), spline_filter(ext, order=3,
                                                                     mode="nearest")))
    return BoxChannel(box, float(u_an - u_ca), tuple(coefs), (W / nx, L / ny), pad)
