"""``estim run [PROGRAM]``: every stage on one program; a one-screen answer, ``results.json``
and a self-contained ``report.html``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from estim.cli.common import add_amplitude, add_json, add_program, load, print_json, stage_progress

if TYPE_CHECKING:

    pass

__all__ = ["register"]


def register(sub: Any) -> None:
    p = sub.add_parser("run", help="run every stage on a program (default: a bundled example)",
                       description="Run every stage on a program: its output and safety "
                                   "verdict, the field in the tissue, which nerve fibers fire "
                                   "and what a person would feel, the force or the dose; "
                                   "prints the answer and writes results.json and "
                                   "report.html.")
    add_program(p, optional=True,
                help="program file or bundled example name (default: tens_conventional)")
    p.add_argument("-o", "--output", default=None,
                   help="directory for results.json and report.html (default: "
                   "estim-out/<program name>, or -2, -3... if that exists)")
    add_amplitude(p)
    add_json(p, help="print the results JSON (and the files written)")
    p.add_argument("--force", action="store_true", help="overwrite existing result files")
    p.add_argument("-v", "--verbose", "--details", action="store_true",
                   help="print every table (output, findings, window, notes), not the summary")
    p.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    """Run every stage, write the results and print a summary."""
    from estim.outputs import check_output_dir, fresh_dir, write_output_dir
    from estim.report.run import RUN_FILES, default_output_dir, render_run_files
    from estim.report.terminal import console as make_console
    from estim.report.terminal import render_brief, render_summary, terminal_text
    from estim.simulate import simulate

    program, path = load(args)
    # the default folder is a new one each time; an explicit -o must be new, or --force
    fresh = not args.output
    base = Path(args.output) if args.output else default_output_dir(path)
    check_output_dir(fresh_dir(base) if fresh else base, force=args.force, names=RUN_FILES,
                     inputs=(path,))
    console = make_console(stderr=args.json)
    with stage_progress() as progress:
        result = simulate(program, progress=progress)
    # Everything is rendered before anything is written, and the folder appears whole: bad
    # input creates nothing, and a run that finds the folder taken meanwhile writes nothing.
    data, files = render_run_files(result, program_text=_program_text(path, args.amplitude))
    outdir = write_output_dir(base, files, force=args.force, fresh=fresh)
    written = [outdir / n for n in RUN_FILES]
    if args.json:
        print_json({**data, "files": [str(p) for p in written]})
    else:
        if args.verbose:
            render_summary(result, console, data)
        else:
            render_brief(data, console)
        console.print("\nwrote")  # one path a line: a long folder still fits 80 columns
        for path_written in written:
            console.print(f"  {terminal_text(str(path_written))}")
    return 1 if data["safety"]["verdict"] == "fail" else 0


def _program_text(path: Path, amplitude: str | None) -> str | None:
    """The program file as written (checked when it was loaded: a regular UTF-8 file of at
    most 1 MiB), headed by the ``--amplitude`` that replaced what it programs."""
    try:
        text = path.read_text(encoding="utf-8").removeprefix("\ufeff")
    except (OSError, UnicodeDecodeError):  # changed since it was loaded: leave it out
        return None
    if amplitude is None:
        return text
    return (f"# estim run --amplitude {amplitude}: the amplitude of every channel below "
            f"that is on was replaced by {amplitude} (one at 0 stays off)\n{text}")

