"""The bundled example programs, and finding a program by path or by example name."""

from __future__ import annotations

import difflib
from pathlib import Path

from estim.errors import InputError
from estim.program.loader import bundled_examples, load_program
from estim.program.model import Program

__all__ = ["DEFAULT_EXAMPLE", "bundled_examples", "resolve_program"]

DEFAULT_EXAMPLE = "tens_conventional"


def resolve_program(name_or_path: str | None) -> tuple[Program, Path]:
    """Load a program from a path, or a bundled example by name (``tens_burst``)."""
    if name_or_path is None:
        name_or_path = DEFAULT_EXAMPLE
    path = Path(name_or_path)
    # a folder is never a program: a sweep's output folder named after the example it swept
    # ("./tens_conventional") stood in for the example (phone probe of 6 December 2026)
    folder_named_like_one = (path.is_dir() and "/" not in name_or_path
                             and name_or_path.removesuffix(".toml") in bundled_examples())
    if folder_named_like_one or (not path.exists() and not path.is_symlink()):
        # a dangling link or a loop: say why
        examples = bundled_examples()
        stem = name_or_path.removesuffix(".toml")
        if stem in examples and "/" not in name_or_path:
            path = examples[stem]
        else:
            # a missing file said so, and a misspelt example its nearest name (probe, 6
            # December 2026: "tens_conventinal" got the list of every example alone)
            near = difflib.get_close_matches(stem, list(examples), n=1, cutoff=0.75)
            looks_like_file = "/" in name_or_path or name_or_path.endswith(".toml")
            what = ("an existing program file (there is no such file)" if looks_like_file
                    else "a program file")
            hint = f" (did you mean {near[0]}?)" if near else ""
            raise InputError("program", name_or_path,
                             f"{what}, or a bundled example{hint}: " + ", ".join(examples))
    return load_program(path), path
