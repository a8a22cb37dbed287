"""Where estim keeps results that are expensive and deterministic (field solutions, fiber
thresholds): ``$ESTIM_CACHE_DIR`` if set, else ``~/.cache/estim``. Nothing is written at
import; entries are written atomically (temporary file, then rename)."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["cache_root", "digest", "load_arrays", "store_arrays"]


def cache_root() -> Path:
    """``$ESTIM_CACHE_DIR`` or ``~/.cache/estim``."""
    root = os.environ.get("ESTIM_CACHE_DIR")
    return Path(root) if root else Path.home() / ".cache" / "estim"


def digest(*parts: Any) -> str:
    """sha256 over ``parts``: arrays by their bytes, shape and dtype; the rest by repr."""
    h = hashlib.sha256()
    for p in parts:
        h.update(b"\x00")
        if isinstance(p, np.ndarray):
            h.update(repr((p.shape, p.dtype.str)).encode())
            h.update(np.ascontiguousarray(p).tobytes())
        else:
            h.update(repr(p).encode())
    return h.hexdigest()


def load_arrays(kind: str, key: str) -> dict[str, np.ndarray] | None:
    """The arrays stored under ``kind/key``, or None (missing or unreadable)."""
    path = cache_root() / kind / f"{key}.npz"
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    except (OSError, ValueError):
        return None


def store_arrays(kind: str, key: str, arrays: dict[str, np.ndarray]) -> None:
    """Store arrays under ``kind/key``; a cache that cannot be written is skipped silently
    (the result is still returned to the caller, only not remembered)."""
    directory = cache_root() / kind
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, suffix=".npz.tmp")
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, allow_pickle=False, **arrays)
        os.replace(tmp, directory / f"{key}.npz")
    except OSError:
        return
