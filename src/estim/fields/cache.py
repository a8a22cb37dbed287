"""On-disk cache of FEM solutions, keyed by a hash of site, electrodes, channels and mesh.

Entries live under ``fields/`` of the estim cache (:mod:`estim.cache`: ``$ESTIM_CACHE_DIR``,
else ``$XDG_CACHE_HOME/estim``, else ``~/.cache/estim``) as ``<sha256>.npz``. A hit costs one
file read; an unreadable entry is a miss and is replaced; a cache that cannot be written is
skipped with one warning. Nothing is written at import.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from estim.cache import cache_root, digest, load_arrays, store_arrays
from estim.fields.fem.geometry import MeshData
from estim.fields.fem.solver import FemSolution

__all__ = ["cache_dir", "cache_key", "load_solution", "store_solution"]

#: Bump when the discretisation changes in a way that changes the numbers.
CACHE_VERSION = "fields-fem-4"  # 2: potentials by mesh node; 3: own P2 nodes, P1-coarse CG;
# 4: unsmoothed surface meshes, CG to 1e-5

_KIND = "fields"


def cache_dir() -> Path:
    """The folder of the field entries: ``fields/`` under :func:`estim.cache.cache_root`."""
    return cache_root() / _KIND


def cache_key(*parts: object) -> str:
    """sha256 of ``parts`` (frozen dataclasses, tuples, numbers, strings) at full precision
    up to :data:`estim.cache.KEY_BITS` bits (the display ``__repr__``s round far more)."""
    return digest(CACHE_VERSION, *parts)


def load_solution(key: str, directory: Path | None = None) -> FemSolution | None:
    """The solution stored under ``key``, or None (missing, unreadable or inconsistent)."""
    z = load_arrays(_KIND, key, directory=directory)
    if z is None:
        return None
    try:
        ne = int(z["n_electrodes"])
        mesh = MeshData(z["points"], z["tets"], z["tissue"],
                        tuple(str(s) for s in z["tissues"]),
                        tuple(z[f"tris_{k}"] for k in range(ne)))
        sol = FemSolution(mesh, z["potentials"], z["electrode_potentials"], int(z["n_dofs"]),
                          tuple(int(i) for i in z["iterations"]))
    except (KeyError, ValueError, TypeError, IndexError):
        return None  # arrays missing or of the wrong kind: a miss, overwritten by the next store
    # the zip CRC catches damaged bytes; this catches arrays that do not fit together
    n_points = mesh.points.shape[-1]
    if (mesh.points.ndim != 2 or mesh.tets.ndim != 2 or sol.potentials.ndim != 2
            or sol.potentials.shape[-1] != n_points
            or (mesh.tets.size and not 0 <= mesh.tets.min() <= mesh.tets.max() < n_points)
            or not np.all(np.isfinite(sol.potentials))):
        return None
    return sol


def store_solution(key: str, sol: FemSolution, directory: Path | None = None) -> Path | None:
    """Store ``sol`` under ``key`` atomically; the path, or None if the cache is unwritable."""
    m = sol.mesh
    arrays: dict[str, Any] = {f"tris_{k}": t for k, t in enumerate(m.electrode_tris)}
    arrays.update(points=m.points, tets=m.tets, tissue=m.tissue, tissues=np.array(m.tissues),
                  n_electrodes=np.array(len(m.electrode_tris)), potentials=sol.potentials,
                  electrode_potentials=sol.electrode_potentials, n_dofs=np.array(sol.n_dofs),
                  iterations=np.array(sol.iterations))
    return store_arrays(_KIND, key, arrays, directory=directory)
