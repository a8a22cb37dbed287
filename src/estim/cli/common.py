"""What every ``estim`` command shares: the PROGRAM argument, ``--amplitude``, ``--json``,
and printing what a user typed safely."""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from estim.program import Program

__all__ = ["add_amplitude", "add_json", "add_program", "load", "print_json", "shown"]

_PROGRAM_HELP = "program file (TOML), or the name of a bundled example (estim programs)"


def add_program(p: argparse.ArgumentParser, *, optional: bool = False,
                help: str = _PROGRAM_HELP) -> None:
    """The PROGRAM positional argument."""
    if optional:
        p.add_argument("program", nargs="?", default=None, help=help)
    else:
        p.add_argument("program", help=help)


def add_amplitude(p: argparse.ArgumentParser) -> None:
    """``--amplitude``: every channel's programmed peak, without editing the file."""
    p.add_argument("--amplitude", default=None, metavar="AMP",
                   help="set the programmed peak amplitude of every channel that is on "
                   "(e.g. 30mA; a voltage for a voltage-controlled program), checked as in "
                   "a program file")


def add_json(p: argparse.ArgumentParser, help: str = "machine-readable summary on stdout"
             ) -> None:
    p.add_argument("--json", action="store_true", help=help)


def note_copy_beside(name: object, path: Path) -> None:
    """Say on stderr that ``name`` ran the bundled example where a file ``name.toml`` is
    here: an edited copy beside the example's name ran the example, unsaid (hostile probe
    of 6 December 2026)."""
    if isinstance(name, str) and path != Path(name) and Path(f"{name}.toml").is_file():
        print(f"estim: note: {shown(name)} is estim's bundled example; the file "
              f"{shown(name)}.toml here is run by its file name", file=sys.stderr)


def load(args: argparse.Namespace) -> tuple[Program, Path]:
    """The program named by ``args.program``, with ``args.amplitude`` applied, and its file;
    its site and placements are checked too (no mesh, no solve), so every command refuses
    the same programs."""
    from estim.program.bundled import resolve_program
    from estim.program.override import with_amplitude

    program, path = resolve_program(args.program)
    note_copy_beside(args.program, path)
    amplitude = getattr(args, "amplitude", None)
    if amplitude == []:  # argparse's reading of "--amplitude=--" ("got []"; hostile probe)
        amplitude = "--"
    if amplitude is not None:
        program = with_amplitude(path, amplitude, option="--amplitude")
    _check_site(program)
    return program, path


def _check_site(program: Program) -> None:
    """The site and every placement, refused as the library refuses them."""
    from estim.setup import build_setup

    build_setup(program)


class ProseHelpFormatter(argparse.RawDescriptionHelpFormatter):
    """A description whose indented lines (usage examples) are kept as written and whose
    prose is filled to the terminal's width (lines of the docstring's 91 characters ran past
    an 80-column terminal and wrapped mid-word; docs audit of 7 December 2026)."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        import textwrap

        out: list[str] = []
        for block in re.split(r"\n\s*\n", text.strip("\n")):
            lines = block.splitlines()
            if lines and lines[0][:1].isspace():
                out.append("\n".join(indent + line for line in lines))
            else:
                out.append(textwrap.fill(" ".join(x.strip() for x in lines), width,
                                         initial_indent=indent, subsequent_indent=indent))
        return "\n\n".join(out) + "\n"


def help_text(doc: str | None) -> str:
    """A module docstring as ``--help`` shows it: reStructuredText's ````code```` and
    ``:func:`name``` roles as plain words (the help printed them raw).

    >>> help_text("``-o DIR`` writes (:func:`estim.units.parse_quantity`)")
    '-o DIR writes (estim.units.parse_quantity)'
    """
    text = re.sub(r":\w+:`~?([^`]+)`", r"\1", doc or "")
    return text.replace("``", "")


def print_json(data: Any) -> None:
    """``data`` as indented JSON on stdout (NaN refused: JSON has none)."""
    print(json.dumps(data, indent=2, allow_nan=False))


def shown(text: object) -> str:
    """What a user typed, as plain ``print`` may show it (control characters escaped)."""
    from estim.text import terminal_text

    return terminal_text(text, markup=False)


@contextmanager
def stage_progress() -> Iterator[Callable[[str], None] | None]:
    """The long stages' progress, in one style for every command: on stderr, a spinner line
    a stage with its elapsed time, cleared when done, and only on a terminal (None in a pipe
    or a log file).

    >>> with stage_progress() as progress:  # doctests do not run on a terminal
    ...     progress is None
    True
    """
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from estim.progress import Partway
    from estim.report.terminal import console as make_console
    from estim.text import terminal_text

    status = make_console(stderr=True)
    if not status.is_terminal:
        yield None
        return
    # cleared when done: eleven finished stages stood above the answer (probe of 6 December
    # 2026); while it runs, each stage shows with its time
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=status, transient=True) as bar:
        current: list[Any] = []

        def step(message: str) -> None:
            if isinstance(message, Partway) and current:
                # the running stage's own line, with how far it has got
                bar.update(current[-1], description=terminal_text(
                    f"{message} {message.done:.0%}"))
                return
            if current:
                bar.update(current[-1], completed=1, total=1)
            # the description is Rich markup, and a message may quote a channel name
            current.append(bar.add_task(terminal_text(message), total=None))

        yield step
        if current:
            bar.update(current[-1], completed=1, total=1)
