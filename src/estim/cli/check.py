"""``estim check PROGRAM``: the output specification table and the safety findings; exit 1
when a rule fails. ``--format md|csv|html`` writes them as a document (``-o FILE``, or
stdout)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, cast

from estim.cli.common import (
    add_amplitude,
    add_json,
    add_program,
    help_text,
    load,
    print_json,
    shown,
)
from estim.report.check_tables import TABLE_FORMATS, TableFormat

__all__ = ["register"]

_SUFFIXES: dict[str, TableFormat] = {".md": "md", ".markdown": "md", ".csv": "csv",
                                     ".html": "html", ".htm": "html"}


def register(sub: Any) -> None:
    p = sub.add_parser("check", help="output table and safety findings (exit 1 if a rule fails)",
                       description=help_text(__doc__))
    add_program(p)
    add_amplitude(p)
    p.add_argument("--format", choices=TABLE_FORMATS, default=None,
                   help="write the table and findings as Markdown, CSV or a standalone HTML "
                   "page (default: from the -o file name)")
    p.add_argument("-o", "--output", default=None,
                   help="file to create (never overwritten without --force); - for stdout")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="the output table and every rule's source and notes (default: the "
                   "verdict and one line a rule)")
    add_json(p, help="print the report as JSON (with -o FILE: and the file written)")
    p.set_defaults(handler=_check)


def _format(args: argparse.Namespace) -> TableFormat | None:
    """The document format asked for: --format, else the -o file's suffix; None for the
    terminal tables."""
    from estim.errors import InputError

    named = None if args.output in (None, "-") else \
        _SUFFIXES.get(Path(args.output).suffix.lower())
    if args.format is not None:
        if named is not None and named != args.format:
            # --format html -o out.csv wrote HTML into a .csv (probe of 6 December 2026)
            raise InputError("--format", args.format,
                             f"the format its file name gives ({named}: {args.output}), or "
                             "a file name that does not end in another format's")
        return cast(TableFormat, args.format)
    if args.output is None or args.output == "-":
        return None
    fmt = named
    if fmt is None:
        raise InputError("--output", args.output, "a file name ending in .md, .csv or .html "
                         "(or --format md|csv|html)")
    return fmt


def _as_set(program: Any) -> str:
    """The dial's setting an ``--amplitude`` gave, as estim writes it ("25 mA"): the record
    kept it as typed (' 25mA', '25 ㎃', '-0mA'; hostile probe of 7 December 2026)."""
    from estim.stimulator.safety_dial import dial_channel
    from estim.text import current_text

    amp = dial_channel(program).stimulation.amplitude
    if str(getattr(amp.control, "value", amp.control)) == "voltage":
        return f"{amp.value:g} V"
    return current_text(amp.value, smallest="mA")


def _check(args: argparse.Namespace) -> int:
    from estim.errors import InputError
    from estim.outputs import safe_output, write_output_file
    from estim.report.check_tables import provenance, render_check_table
    from estim.safety import check

    fmt = _format(args)
    to_file = args.output is not None and args.output != "-"
    if args.json and fmt is not None and not to_file:
        raise InputError("--json", "--format " + fmt, "one of --json or --format on stdout "
                         "(or -o FILE for the document)")
    program, path = load(args)
    out = safe_output(Path(args.output), force=args.force, inputs=(path,)) if to_file else None
    report = check(program)
    code = 1 if report.verdict.value == "fail" else 0
    written: list[str] = []
    typed = Path(args.program).expanduser()
    # the file as a record needs it: absolute, and the --amplitude it was checked at (a
    # document of a 60 mA check named the 25 mA file alone; review of 6 December 2026)
    made_of = provenance(program.device.name, str(path.resolve()) if typed.is_file()
                         else f"estim's bundled example {args.program}",
                         amplitude=_as_set(program)
                         if getattr(args, "amplitude", None) is not None else None)
    if fmt is not None:
        text = render_check_table(report, fmt, made_of)
        if out is None:
            sys.stdout.write(text)
            return code
        if fmt == "csv":  # a file for Excel: µ and Ω read right (stdout stays plain)
            from estim.text import spreadsheet_file

            text = spreadsheet_file(text)
        written.append(str(write_output_file(out, text, force=args.force)))
    if args.json:
        expected = program.expected_verdict
        print_json({**report.to_dict(), "files": written, "provenance": made_of,
                    "expected_verdict": None if expected is None else expected.value})
    elif written:
        print(f"wrote {shown(written[0])} ({fmt}): verdict {report.verdict.value.upper()}, "
              f"{report.counts}")
    else:
        from estim.report.terminal import console
        from estim.safety import render_check
        from estim.safety.render import render_check_brief

        if args.verbose:
            render_check(report, console(), program.expected_verdict)
        else:
            render_check_brief(report, console(), program.expected_verdict,
                               as_set=_as_set(program)
                               if getattr(args, "amplitude", None) is not None else None)
    return code
