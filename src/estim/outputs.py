"""Writing output files and folders without losing anything the user wrote.

Every command checks its output before it computes anything (:func:`check_output_dir`,
:func:`safe_output`), renders everything in memory, and only then writes, so that bad input
creates nothing and two runs into one place cannot mix or silently replace each other:

* a folder is written as a hidden sibling and renamed into place (:func:`write_output_dir`):
  it appears whole or not at all, and a run that finds the folder made by another run while
  it computed refuses (nothing of it is written);
* a single file is written beside its target and linked into place, which fails if the
  target appeared meanwhile (:func:`write_output_file`).

``--force`` replaces estim's own files in an existing folder one by one (each atomically)
and leaves every other file there alone.
"""

from __future__ import annotations

import errno
import os
import secrets
import shutil
from collections.abc import Mapping
from pathlib import Path

from estim.errors import InputError

__all__ = ["check_output_dir", "fresh_dir", "safe_output", "write_output_dir",
           "write_output_file"]

_TAKEN = "a folder that does not exist yet, or is empty (or --force to write into it)"


def safe_output(path: Path, *, force: bool, inputs: tuple[Path, ...] = (),
                option: str = "--output") -> Path:
    """Check that writing ``path`` loses nothing the user wrote.

    Refuses to overwrite an input, and refuses an existing file unless ``force`` is given.
    """
    path = path.expanduser()
    _refuse_inputs(path, inputs, option)
    if path.is_dir():
        raise InputError(option, str(path), "a file name, not a directory")
    if path.exists() and not path.is_file():  # --force replaced /dev/full with a file
        raise InputError(option, str(path), "a regular file or a new path (this is a "
                         "device, a named pipe or a socket, which estim never replaces, not "
                         "even with --force)")
    if path.is_symlink() and not path.exists() and not force:
        raise InputError(option, str(path), "a path that does not exist yet (it is a "
                         f"symbolic link to {os.readlink(path)}, which does not exist; or "
                         "--force to replace the link)")
    if path.exists() and not force:
        raise InputError(option, str(path),
                         "a path that does not exist yet (or --force to overwrite)")
    if not path.parent.exists():
        raise InputError(option, str(path), f"a path in an existing directory "
                         f"({path.parent} does not exist)")
    if not path.parent.is_dir():
        raise InputError(option, str(path), f"a path in a directory ({path.parent} is a "
                         "file)")
    if not os.access(path.parent, os.W_OK | os.X_OK) or not _can_create_in(path.parent):
        # it failed at the end, naming the hidden temporary file (-o /proc/x.csv)
        raise InputError(option, str(path), f"a path in a writable directory "
                         f"({path.parent} cannot be written)")
    return path


def _refuse_inputs(path: Path, inputs: tuple[Path, ...], option: str) -> None:
    for src in inputs:
        try:
            same = path.exists() and (path.resolve() == src.resolve()
                                      or os.path.samefile(path, src))  # hard links too
        except (OSError, RuntimeError):  # RuntimeError: a symlink loop (Python < 3.13)
            same = False
        if same:
            raise InputError(option, str(path), "a path other than the program file")


def _is_empty_dir(path: Path) -> bool:
    try:
        return path.is_dir() and not any(path.iterdir())
    except OSError:
        return False


def check_output_dir(path: Path, *, force: bool, names: tuple[str, ...] = (),
                     inputs: tuple[Path, ...] = (), option: str = "--output") -> Path:
    """Refuse, before anything is computed or created, an output folder that cannot be
    written: a file, a folder that already holds something (unless ``force``), a folder whose
    nearest existing parent is not a writable directory, or one where a file named in
    ``names`` would overwrite an input. Leaves nothing behind (a folder it makes to know
    that one can be made is removed at once); returns the path.
    """
    path = path.expanduser()
    if path.exists() or path.is_symlink():
        if not path.is_dir():
            raise InputError(option, str(path), "a directory")
        if not force and not _is_empty_dir(path):
            raise InputError(option, str(path), _TAKEN)
        for name in names:
            _refuse_inputs(path / name, inputs, option)
            if (path / name).is_dir():
                raise InputError(option, str(path / name), "a file name, not a directory")
        if not os.access(path, os.W_OK | os.X_OK) or not _can_create_in(path):
            # a read-only mount ran the whole computation first (review)
            raise InputError(option, str(path), "a folder that can be written (it cannot)")
        return path
    ancestor = path.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise InputError(option, str(path), f"a folder in a directory ({ancestor} is a file)")
    if not os.access(ancestor, os.W_OK | os.X_OK) or not _can_create_in(ancestor):
        raise InputError(option, str(path), f"a folder in a writable directory ({ancestor} "
                         "cannot be written)")
    return path


def _can_create_in(folder: Path) -> bool:
    """Whether a folder can be made in ``folder``, tried and removed at once: root passes
    os.access everywhere, and -o /proc/x failed only after the whole computation, naming a
    temporary file (probe of 5 December 2026)."""
    import tempfile

    try:
        os.rmdir(tempfile.mkdtemp(prefix=".estim-check-", dir=folder))
    except OSError:
        return False
    return True


def fresh_dir(base: Path) -> Path:
    """``base``, or ``base-2``, ``base-3``... whichever does not exist yet."""
    candidate, k = base, 1
    while candidate.exists() or candidate.is_symlink():
        k += 1
        candidate = base.with_name(f"{base.name}-{k}")
    return candidate


def _create_unique(parent: Path, stem: str, *, folder: bool) -> Path:
    """A new hidden file or folder in ``parent`` with the user's usual permissions (mkstemp
    would make it private)."""
    while True:
        path = parent / f".{stem}.{secrets.token_hex(4)}.tmp"
        try:
            if folder:
                path.mkdir()
            else:
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            return path
        except FileExistsError:
            continue


def _write(path: Path, data: bytes | str) -> None:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with open(path, "wb") as fh:
        fh.write(raw)
        fh.flush()
        os.fsync(fh.fileno())


def write_output_dir(path: Path, files: Mapping[str, bytes | str], *, force: bool,
                     fresh: bool = False, owned: tuple[str, ...] = ()) -> Path:
    """Write ``files`` (name: content; text as UTF-8) as the folder ``path``, all at once.

    The files go to a hidden sibling folder that is then renamed to ``path``: the folder
    appears whole or not at all. If ``path`` holds something by then (another run made it
    while this one computed), this refuses with :class:`InputError` and writes nothing; with
    ``force`` the files replace those of the same names there (each atomically) and every
    other file is kept, except those of ``owned`` (the names this command writes on other
    runs) that this run does not write: an earlier run's recruitment plot stayed beside a
    new run's strength-duration plot (probe of 5 December 2026). With ``fresh`` the next
    free name ``path-2``, ``path-3``... is taken. Returns the folder written.
    """
    path = path.expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    stage = _create_unique(path.parent, path.name, folder=True)
    try:
        for name, data in files.items():
            _write(stage / name, data)
        target = fresh_dir(path) if fresh else path
        while True:
            if force and target.is_dir() and not _is_empty_dir(target):
                for name in files:
                    os.replace(stage / name, target / name)
                for name in owned:
                    if name not in files and (target / name).is_file():
                        (target / name).unlink()
                return target
            try:
                os.rename(stage, target)  # atomic; replaces an empty folder, nothing else
                return target
            except OSError as err:
                if err.errno not in (errno.EEXIST, errno.ENOTEMPTY, errno.ENOTDIR,
                                     errno.EISDIR):
                    raise
            if fresh:
                target = fresh_dir(path)
            elif not force or not target.is_dir():
                raise InputError("--output", str(path),
                                 f"{_TAKEN}: another run created it while this one ran, "
                                 "and nothing of this run was written")
    finally:
        shutil.rmtree(stage, ignore_errors=True)  # gone already once renamed


def write_output_file(path: Path, data: bytes | str, *, force: bool,
                      option: str = "--output") -> Path:
    """Write one file whole (a temporary file beside it, then linked or renamed into place);
    without ``force`` this refuses, writing nothing, if ``path`` exists by then."""
    path = path.expanduser()
    tmp = _create_unique(path.parent, path.name, folder=False)
    try:
        _write(tmp, data)
        if force:
            try:
                os.replace(tmp, path)
            except OSError as err:  # a folder where the file goes: it named the temporary
                # file, not the path ("cannot write '...json.b41175ca.tmp': Is a directory";
                # hostile probe of 7 December 2026)
                raise OSError(err.errno, err.strerror, str(path)) from None
            return path
        try:
            os.link(tmp, path)  # fails if the file exists: exclusive creation, whole content
        except FileExistsError:
            raise InputError(option, str(path), "a path that does not exist yet (another "
                             "run created it while this one ran; or --force)") from None
        except OSError:  # no hard links on this file system: exclusive create, then copy
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            except FileExistsError:
                raise InputError(option, str(path), "a path that does not exist yet "
                                 "(or --force to overwrite)") from None
            with os.fdopen(fd, "wb") as fh, open(tmp, "rb") as src:
                shutil.copyfileobj(src, fh)
        return path
    finally:
        try:
            os.unlink(tmp)
        except OSError:
            pass
