"""Writing output files without losing anything the user wrote."""

from __future__ import annotations

import os
from pathlib import Path

from estim.errors import InputError

__all__ = ["safe_output"]


def safe_output(path: Path, *, force: bool, inputs: tuple[Path, ...] = ()) -> Path:
    """Check that writing ``path`` loses nothing the user wrote.

    Refuses to overwrite an input, and refuses an existing file unless ``force`` is given.
    """
    path = path.expanduser()
    for src in inputs:
        try:
            same = path.exists() and (path.resolve() == src.resolve()
                                      or os.path.samefile(path, src))  # hard links too
        except OSError:
            same = False
        if same:
            raise InputError("output", str(path), "a path other than the program file")
    if path.is_dir():
        raise InputError("output", str(path), "a file name, not a directory")
    if path.exists() and not force:
        raise InputError("output", str(path),
                         "a path that does not exist yet (or --force to overwrite)")
    if not path.parent.exists():
        raise InputError("output", str(path), f"a path in an existing directory "
                         f"({path.parent} does not exist)")
    return path
