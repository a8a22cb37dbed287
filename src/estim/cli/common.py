"""What every subcommand shares: finding the program, writing outputs without clobbering."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from estim.errors import InputError
from estim.program import Program, load_program

__all__ = ["DEFAULT_EXAMPLE", "bundled_examples", "resolve_program", "safe_output"]

DEFAULT_EXAMPLE = "tens_conventional"


def bundled_examples() -> dict[str, Path]:
    """The bundled example programs by name (file stem)."""
    root = resources.files("estim") / "examples"
    out: dict[str, Path] = {}
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            out[entry.name.removesuffix(".toml")] = Path(str(entry))
    return out


def resolve_program(name_or_path: str | None) -> tuple[Program, Path]:
    """Load a program from a path, or a bundled example by name (``tens_burst``)."""
    if name_or_path is None:
        name_or_path = DEFAULT_EXAMPLE
    path = Path(name_or_path)
    if not path.exists():
        examples = bundled_examples()
        stem = name_or_path.removesuffix(".toml")
        if stem in examples and "/" not in name_or_path:
            path = examples[stem]
        else:
            raise InputError("program", name_or_path,
                             "a program file, or a bundled example: " + ", ".join(examples))
    return load_program(path), path


def safe_output(path: Path, *, force: bool, inputs: tuple[Path, ...] = ()) -> Path:
    """Check that writing ``path`` loses nothing the user wrote.

    Refuses to overwrite an input, and refuses an existing file unless ``force`` is given.
    """
    path = path.expanduser()
    for src in inputs:
        try:
            if path.exists() and path.resolve() == src.resolve():
                raise InputError("output", str(path), "a path other than the program file")
        except OSError:
            pass
    if path.is_dir():
        raise InputError("output", str(path), "a file name, not a directory")
    if path.exists() and not force:
        raise InputError("output", str(path),
                         "a path that does not exist yet (or --force to overwrite)")
    if not path.parent.exists():
        raise InputError("output", str(path), f"a path in an existing directory "
                         f"({path.parent} does not exist)")
    return path
