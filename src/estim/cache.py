"""Where estim keeps results that are expensive and deterministic (field solutions, fiber
thresholds), as a store that a damaged or read-only disk cannot break.

* The root is ``$ESTIM_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/estim``, else
  ``~/.cache/estim``; an entry is ``<root>/<kind>/<key>.npz``. Nothing is written at import.
* An entry is written to a temporary file in its own directory, flushed to disk
  (``fsync``) and renamed over the entry (``os.replace``): a reader, or a run started at the
  same time, sees the old entry or the new one, never half of one.
* An entry that cannot be read for any reason (truncated, empty, bit-flipped, a directory
  in its place, a missing array) is a miss: the result is computed again and replaces it.
* An entry holds its own kind and key and a SHA-256 of its arrays: one that reads cleanly
  but is another key's (copied or restored under the wrong name) or whose numbers no longer
  match their checksum (damaged, or edited by hand without it) is a miss too (a swapped
  thresholds entry gave a silently wrong pain threshold, another's shape a traceback;
  hostile probe of 7 December 2026). It guards against accidents, not against someone
  who rewrites the checksum too. Entries written before it (without a key) are misses
  once, and are replaced.
* A cache that cannot be written (the root is a file or ``/dev/null``, a read-only
  directory, a full disk) is skipped: the result is still returned, only not remembered, and
  one :class:`CacheWarning` per process says so. No temporary file is left behind.
* Keys (:func:`digest`) round floats to :data:`KEY_BITS` significant bits (about 10 decimal
  digits), so that round-off in the last digits of a computed input does not make a new key.

>>> key = digest("thresholds-1", np.array([0.1 + 0.2, 1.0]))
>>> key == digest("thresholds-1", np.array([0.3, 1.0]))
True
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import tempfile
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from estim.errors import EstimWarning

__all__ = ["KEY_BITS", "CacheWarning", "cache_root", "digest", "load_arrays", "store_arrays"]

#: Significant bits kept of every float in a key: 2**-34 relative, about 10 decimal digits.
KEY_BITS = 34



#: The array that lists the names of the others (an entry without it, or whose arrays
#: differ from it, is a miss).
_NAMES = "__names__"
#: The entry's own ``kind/key``, and the SHA-256 of its arrays (:func:`_checksum`).
_KEY = "__key__"
_SUM = "__sha256__"


def _checksum(arrays: Mapping[str, np.ndarray]) -> str:
    """SHA-256 over each array's name, dtype, shape and bytes, in name order."""
    h = hashlib.sha256()
    for name in sorted(arrays):
        a = np.ascontiguousarray(arrays[name])
        h.update(f"{name}\0{a.dtype.str}\0{a.shape}\0".encode())
        h.update(a.tobytes())
    return h.hexdigest()


class CacheWarning(EstimWarning):
    """The cache directory cannot be written: results are computed, not remembered."""


# Warn once per process, not once per entry (a run stores dozens of entries).
_warned: list[str] = []


def cache_root() -> Path:
    """``$ESTIM_CACHE_DIR``, else ``$XDG_CACHE_HOME/estim``, else ``~/.cache/estim``."""
    root = os.environ.get("ESTIM_CACHE_DIR")
    if root:
        return Path(root)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and Path(xdg).is_absolute():  # the XDG spec: a relative value is ignored
        return Path(xdg) / "estim"
    return Path.home() / ".cache" / "estim"


def _rounded(a: np.ndarray) -> np.ndarray:
    """Real floats rounded to :data:`KEY_BITS` significant bits, -0.0 as 0.0 (float64)."""
    mantissa, exponent = np.frexp(np.asarray(a, dtype=np.float64))
    out: np.ndarray = np.ldexp(np.round(np.ldexp(mantissa, KEY_BITS)), exponent - KEY_BITS)
    return out + 0.0  # -0.0 + 0.0 is 0.0: both zeros make one key


def _feed(h: Any, obj: Any) -> None:
    """Add ``obj`` to the hash ``h``, each part tagged with its type so that different
    structures never hash alike."""
    if isinstance(obj, np.ndarray | np.generic) and not isinstance(obj, np.str_ | np.bytes_):
        a = np.asarray(obj)
        if a.dtype.kind == "f":
            a = _rounded(a)
        elif a.dtype.kind == "c":
            a = np.stack([_rounded(a.real), _rounded(a.imag)])
        h.update(f"array{a.shape}{a.dtype.str}:".encode())
        h.update(np.ascontiguousarray(a).tobytes())
    elif isinstance(obj, bool | int | str | bytes) or obj is None:
        h.update(f"{type(obj).__name__}:{obj!r};".encode())
    elif isinstance(obj, float):
        h.update(f"float:{float(_rounded(np.array(obj)))!r};".encode())
    elif isinstance(obj, complex):
        h.update(b"complex:")
        _feed(h, obj.real)
        _feed(h, obj.imag)
    elif isinstance(obj, tuple | list):
        h.update(f"{type(obj).__name__}[{len(obj)}](".encode())
        for item in obj:
            _feed(h, item)
        h.update(b")")
    elif isinstance(obj, Mapping):
        h.update(f"mapping[{len(obj)}](".encode())
        for k in sorted(obj, key=repr):
            _feed(h, k)
            _feed(h, obj[k])
        h.update(b")")
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        fields = dataclasses.fields(obj)
        h.update(f"{type(obj).__qualname__}[{len(fields)}](".encode())
        for f in fields:
            h.update(f"{f.name}=".encode())
            _feed(h, getattr(obj, f.name))
        h.update(b")")
    else:  # enums and other small values: their repr
        h.update(f"{type(obj).__qualname__}:{obj!r};".encode())


def digest(*parts: Any) -> str:
    """sha256 of ``parts``: arrays by shape, dtype and values; dataclasses field by field;
    tuples, lists and mappings item by item; everything else by its repr.

    Every float (in arrays, dataclasses or alone) is first rounded to :data:`KEY_BITS`
    significant bits (about 10 decimal digits): two inputs that agree to that precision
    share a key, and noise in the last digits of a computed input does not make a new one.
    The key is the same in every process and on every run.
    """
    h = hashlib.sha256()
    for p in parts:
        h.update(b"\x00")
        _feed(h, p)
    return h.hexdigest()


def _entry_dir(kind: str, directory: Path | None) -> Path:
    return directory if directory is not None else cache_root() / kind


def load_arrays(kind: str, key: str, *, directory: Path | None = None
                ) -> dict[str, np.ndarray] | None:
    """The arrays stored under ``kind/key``, or None: missing or unreadable (a miss).

    :param directory: the folder holding the entries (default ``cache_root() / kind``).
    """
    path = _entry_dir(kind, directory) / f"{key}.npz"
    try:
        if not path.is_file():
            return None
        # every array is read in full, so the zip CRC of each one is checked; the list of
        # names catches a damaged directory that hides some of the arrays
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: np.asarray(z[k]) for k in z.files}
        names = arrays.pop(_NAMES)
        own, total = str(arrays.pop(_KEY)), str(arrays.pop(_SUM))
        if sorted(arrays) != names.tolist() or own != f"{kind}/{key}" \
                or total != _checksum(arrays):
            return None
        return arrays
    except Exception:
        # A damaged file raises whatever the byte it hit leads to: BadZipFile (CRC),
        # EOFError, zlib.error, KeyError, ValueError, OSError, NotImplementedError (a
        # flipped zip version), MemoryError (a flipped array shape)... each is a miss.
        return None


def store_arrays(kind: str, key: str, arrays: Mapping[str, Any], *,
                 directory: Path | None = None) -> Path | None:
    """Store ``arrays`` under ``kind/key`` atomically; the path written, or None when the
    cache cannot be written (then one :class:`CacheWarning` per process, and nothing left
    behind).

    :param directory: the folder holding the entries (default ``cache_root() / kind``).
    """
    folder = _entry_dir(kind, directory)
    path = folder / f"{key}.npz"
    tmp: str | None = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{key[:16]}.", suffix=".tmp")
        # as they will be read back: the checksum is of the arrays a load gives
        kept = {k: np.asarray(v) for k, v in arrays.items()}
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, allow_pickle=False, **{_NAMES: np.array(sorted(kept), dtype=str),
                                                _KEY: np.array(f"{kind}/{key}"),
                                                _SUM: np.array(_checksum(kept))}, **kept)
            fh.flush()
            os.fsync(fh.fileno())
        if path.is_dir() and not path.is_symlink():
            path.rmdir()  # an empty directory in the entry's place holds nothing; else OSError
        os.replace(tmp, path)
        tmp = None
        _sync_directory(folder)
        return path
    except OSError as err:
        _warn_unwritable(folder, err)
        return None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _sync_directory(folder: Path) -> None:
    """Flush the rename to disk where the platform allows it (best effort)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _warn_unwritable(folder: Path, err: OSError) -> None:
    if _warned:
        return
    _warned.append(str(folder))
    reason = err.strerror or type(err).__name__
    warnings.warn(f"the estim cache at {folder} cannot be written ({reason}); results are "
                  "computed but not remembered (set ESTIM_CACHE_DIR to a writable folder)",
                  CacheWarning, stacklevel=3)
