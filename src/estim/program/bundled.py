"""The bundled example programs, and finding a program by path or by example name."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from estim.errors import InputError
from estim.program.loader import load_program
from estim.program.model import Program

__all__ = ["DEFAULT_EXAMPLE", "bundled_examples", "resolve_program"]

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
    if not path.exists() and not path.is_symlink():  # a dangling link or a loop: say why
        examples = bundled_examples()
        stem = name_or_path.removesuffix(".toml")
        if stem in examples and "/" not in name_or_path:
            path = examples[stem]
        else:
            raise InputError("program", name_or_path,
                             "a program file, or a bundled example: " + ", ".join(examples))
    return load_program(path), path
