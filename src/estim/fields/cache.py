"""On-disk cache of FEM solutions, keyed by a hash of site, electrodes, channels and mesh.

The directory is ``$ESTIM_CACHE_DIR`` if set, else ``~/.cache/estim``; entries live under
``fields/`` as ``<sha256>.npz``. A hit costs one file read; nothing is written at import.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from estim.fields.fem.geometry import MeshData
from estim.fields.fem.solver import FemSolution

__all__ = ["cache_dir", "cache_key", "load_solution", "store_solution"]

#: Bump when the discretisation changes in a way that changes the numbers.
CACHE_VERSION = "fields-fem-1"


def cache_dir() -> Path:
    """``$ESTIM_CACHE_DIR/fields`` or ``~/.cache/estim/fields``."""
    root = os.environ.get("ESTIM_CACHE_DIR")
    base = Path(root) if root else Path.home() / ".cache" / "estim"
    return base / "fields"


def _canonical(obj: object) -> object:
    """Field values at full float precision (the display ``__repr__``s round)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return (type(obj).__name__, dataclasses.astuple(obj))
    if isinstance(obj, tuple | list):
        return tuple(_canonical(o) for o in obj)
    return obj


def cache_key(*parts: object) -> str:
    """sha256 of ``parts`` (frozen dataclasses, tuples, numbers, strings)."""
    h = hashlib.sha256(CACHE_VERSION.encode())
    for p in parts:
        h.update(b"\x00")
        h.update(repr(_canonical(p)).encode())
    return h.hexdigest()


def load_solution(key: str, directory: Path | None = None) -> FemSolution | None:
    path = (directory or cache_dir()) / f"{key}.npz"
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as z:
            ne = int(z["n_electrodes"])
            tissues = tuple(str(s) for s in z["tissues"])
            mesh = MeshData(z["points"], z["tets"], z["tissue"], tissues,
                            tuple(z[f"tris_{k}"] for k in range(ne)))
            return FemSolution(mesh, z["potentials"], z["electrode_potentials"],
                               int(z["n_dofs"]), tuple(int(i) for i in z["iterations"]))
    except (OSError, KeyError, ValueError):
        return None  # a damaged entry is a miss, and is overwritten by the next store


def store_solution(key: str, sol: FemSolution, directory: Path | None = None) -> Path:
    d = directory or cache_dir()
    d.mkdir(parents=True, exist_ok=True)
    m = sol.mesh
    arrays: dict[str, Any] = {f"tris_{k}": t for k, t in enumerate(m.electrode_tris)}
    fd, tmp = tempfile.mkstemp(dir=d, suffix=".npz.tmp")
    with os.fdopen(fd, "wb") as f:
        np.savez(f, points=m.points, tets=m.tets, tissue=m.tissue,
                 tissues=np.array(m.tissues), n_electrodes=len(m.electrode_tris),
                 potentials=sol.potentials, electrode_potentials=sol.electrode_potentials,
                 n_dofs=sol.n_dofs, iterations=np.array(sol.iterations), **arrays)
    path = d / f"{key}.npz"
    os.replace(tmp, path)  # atomic: concurrent runs never read half a file
    return path
