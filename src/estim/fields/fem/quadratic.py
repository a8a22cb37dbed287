"""Quadratic (P2) tetrahedra from a linear mesh: edge nodes placed by us, not by gmsh.

gmsh's own second-order step (``setOrder(2)``) cost about as much as the whole volume
mesh. Here every edge gets one node at its midpoint, numbered after the vertices, and the
edges that lie on a curved surface of the site (the coaxial circular or elliptic cylinders
of limb layers and of the DBS lead) have that node moved onto the surface along the ray
from the axis, so that the elements are isoparametric where the geometry is curved and
straight elsewhere (the flat end caps, planar sites). An edge is on a curved surface when
it belongs to a boundary or tissue-interface face whose three vertices lie on the same
cylinder and whose normal is radial: a chord through the tissue whose two ends happen to
lie on a cylinder stays straight, as gmsh leaves it.

    >>> import numpy as np
    >>> pts = np.array([[1.0, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 0]]).T
    >>> p, t = quadratic_mesh(pts, np.arange(4)[:, None], np.zeros(1, dtype=np.int64), ())
    >>> p.shape, t[:4, 0].tolist()  # vertices first, then one node per edge
    ((3, 10), [0, 1, 2, 3])
    >>> p[:, t[4, 0]].tolist(), p[:, t[9, 0]].tolist()  # on edges 0-1 and 2-3
    ([0.5, 0.5, 0.0], [0.0, 0.0, 0.5])
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

__all__ = ["EDGES", "quadratic_mesh"]

#: Local vertex pairs of the six edges, in scikit-fem's ElementTetP2 order: edge k is node 4 + k.
EDGES = ((0, 1), (1, 2), (0, 2), (0, 3), (1, 3), (2, 3))
_FACES = ((1, 2, 3), (0, 2, 3), (0, 1, 3), (0, 1, 2))
_ON_SURFACE = 1e-7  # relative distance from a cylinder: gmsh puts surface nodes on it exactly
_RADIAL = 0.5  # |n_z| below this: a face on the cylinder's side, not on a flat cap


def quadratic_mesh(points: NDArray[np.float64], tets: NDArray[np.int64],
                   tissue: NDArray[np.int64], cylinders: Sequence[tuple[float, float]]
                   ) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """P2 nodes and element connectivity of a linear tetrahedral mesh.

    :param points: (3, nv) vertex coordinates (m); every vertex belongs to some element.
    :param tets: (4, nel) vertex indices per element.
    :param tissue: (nel,) tissue index per element (interfaces are where it changes).
    :param cylinders: semi-axes (a along x, b along y) (m) of the curved surfaces, each an
        elliptic cylinder around the z axis.
    :returns: points (3, nv + n_edges), vertices first, and tets (10, nel) in scikit-fem's
        P2 order.
    """
    nv = np.int64(points.shape[1])
    t = tets.astype(np.int64)
    nel = t.shape[1]
    lo = np.concatenate([np.minimum(t[i], t[j]) for i, j in EDGES])
    hi = np.concatenate([np.maximum(t[i], t[j]) for i, j in EDGES])
    keys, first, edge = np.unique(lo * nv + hi, return_index=True, return_inverse=True)
    ends = np.stack([lo[first], hi[first]])  # (2, n_edges)
    mid = 0.5 * (points[:, ends[0]] + points[:, ends[1]])
    if cylinders:
        _curve(points, t, tissue, keys, mid, cylinders)
    return np.hstack([points, mid]), np.vstack([t, nv + edge.reshape(6, nel)])


def _curve(points: NDArray[np.float64], t: NDArray[np.int64], tissue: NDArray[np.int64],
           keys: NDArray[np.int64], mid: NDArray[np.float64],
           cylinders: Sequence[tuple[float, float]]) -> None:
    """Move the midpoints of edges on the cylinders onto them (in place)."""
    nv = np.int64(points.shape[1])
    faces = np.sort(np.concatenate([t[list(f)] for f in _FACES], axis=1), axis=0)  # (3, 4 nel)
    owner = np.tile(tissue, 4)
    fkey = (faces[0] * nv + faces[1]) * nv + faces[2]
    order = np.argsort(fkey, kind="stable")
    fkey, faces, owner = fkey[order], faces[:, order], owner[order]
    same_next = np.zeros(len(fkey), dtype=bool)
    same_next[:-1] = fkey[1:] == fkey[:-1]
    twin = same_next | np.r_[False, same_next[:-1]]  # an inner face: listed twice
    # boundary faces, and one copy of each face between two tissues
    interface = same_next.copy()
    interface[:-1] &= owner[1:] != owner[:-1]
    keep = ~twin | interface
    faces = faces[:, keep]
    x = points[:, faces]  # (3, 3 vertices, n_faces)
    normal = np.cross(x[:, 1] - x[:, 0], x[:, 2] - x[:, 0], axis=0)
    radial = np.abs(normal[2]) < _RADIAL * np.linalg.norm(normal, axis=0)
    for a, b in cylinders:
        rho = np.hypot(points[0] / a, points[1] / b)  # 1 on the cylinder
        on = np.abs(rho - 1) < _ON_SURFACE
        f = faces[:, radial & on[faces].all(axis=0)]
        if f.shape[1] == 0:
            continue
        pairs = np.concatenate([np.sort(f[[i, j]], axis=0) for i, j in ((0, 1), (1, 2), (0, 2))],
                               axis=1)
        idx = np.searchsorted(keys, np.unique(pairs[0] * nv + pairs[1]))
        r = np.hypot(mid[0, idx] / a, mid[1, idx] / b)
        mid[:2, idx] /= r
