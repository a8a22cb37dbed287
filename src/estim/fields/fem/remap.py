"""Reuse a limb mesh for another subject: nodes moved radially onto the new layer radii.

Virtual subjects of one limb site differ in their layer thicknesses only (skin and fat
drawn, the muscle refilling to the same outer surface: :func:`estim.fields.fast.
with_thicknesses`). Their meshes then share one topology: every node keeps its polar angle
and is moved along the ray from the axis, piecewise linearly between the layer interfaces,
so that each interface (an elliptic cylinder) lands on the new one, the outer surface and
the electrodes on it stay where they are, and the tissue of every element is unchanged.
Midside nodes on an interface stay on it, so the elements remain isoparametric. Meshing is
~70 % of a cold forearm solve; a remap is a few milliseconds.

    >>> from estim.fields import site_from_spec
    >>> from estim.fields.fast import with_thicknesses
    >>> site = site_from_spec("forearm")
    >>> thin = with_thicknesses(site, skin_thickness=0.001)
    >>> pts = np.array([[0.0, 0.04 - 0.0015, 0.0], [0.04, 0.0, 0.0]]).T  # skin bottom, surface
    >>> np.round(remap_points(pts, site, thin)[1], 6).tolist()  # onto the thinner skin's bottom
    [0.039, 0.0]
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from estim.fields.fem.geometry import MeshData
from estim.fields.sites import Site

__all__ = ["remap_mesh", "remap_points"]


def _interfaces(site: Site) -> list[tuple[float, float]]:
    """Semi-axes (x, y) of the layer tops, outer to inner (m)."""
    out, d = [], 0.0
    for ly in site.layers:
        out.append((site.radius_x - d, site.radius_y - d))
        d += ly.thickness
    return out


def _check(source: Site, target: Site) -> None:
    if source.kind != "limb" or target.kind != "limb":
        raise ValueError(f"remapping needs two limb sites; got {source.kind!r} and "
                         f"{target.kind!r}")
    same = (source.radius_x == target.radius_x and source.radius_y == target.radius_y
            and source.length == target.length)
    if not same:
        raise ValueError(f"site {target.name!r}: outer semi-axes and length "
                         f"({target.radius_x}, {target.radius_y}, {target.length}) m; expected "
                         f"the mesh's ({source.radius_x}, {source.radius_y}, {source.length}) m "
                         "(only layer thicknesses may change)")
    if [ly.tissue for ly in source.layers] != [ly.tissue for ly in target.layers]:
        raise ValueError(f"site {target.name!r}: layers "
                         f"{[ly.tissue for ly in target.layers]}; expected the mesh's "
                         f"{[ly.tissue for ly in source.layers]}")
    for ax, ay in _interfaces(target):
        if ax <= 0 or ay <= 0:
            raise ValueError(f"site {target.name!r}: layer thicknesses "
                             f"{[ly.thickness for ly in target.layers]} m do not fit inside "
                             "the limb")


def remap_points(points: NDArray[np.float64], source: Site, target: Site
                 ) -> NDArray[np.float64]:
    """Points (3, n) of a ``source`` mesh moved onto ``target``'s layer radii (m)."""
    _check(source, target)
    x, y = points[0], points[1]
    r = np.hypot(x, y)
    # each interface's distance from the axis along every node's ray: (layers, n)
    rho = np.divide(1.0, r, out=np.zeros_like(r), where=r > 0)
    cos, sin = x * rho, y * rho

    def radii(site: Site) -> NDArray[np.float64]:
        return np.array([1.0 / np.hypot(cos / a, sin / b) for a, b in _interfaces(site)])

    old, new = radii(source), radii(target)
    old = np.vstack([old, np.zeros_like(r)])  # the axis closes the innermost layer
    new = np.vstack([new, np.zeros_like(r)])
    # the layer of each node: the innermost interface still outside it (n,)
    k = np.clip((old >= r - 1e-12 * old[0]).sum(axis=0) - 1, 0, len(old) - 2)
    cols = np.arange(len(r))
    o_out, o_in = old[k, cols], old[k + 1, cols]
    n_out, n_in = new[k, cols], new[k + 1, cols]
    scale = np.divide(r - o_in, o_out - o_in, out=np.zeros_like(r), where=o_out > o_in)
    r_new = n_in + scale * (n_out - n_in)
    out = points.copy()
    out[0] = cos * r_new
    out[1] = sin * r_new
    return out


def remap_mesh(mesh: MeshData, source: Site, target: Site) -> MeshData:
    """``mesh`` of ``source`` with its nodes moved onto ``target``'s layers (same topology,
    tissues and electrode triangles)."""
    return MeshData(remap_points(mesh.points, source, target), mesh.tets, mesh.tissue,
                    mesh.tissues, mesh.electrode_tris)
