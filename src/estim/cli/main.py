"""The ``estim`` command line.

Subcommands: ``check``, ``waveform``, ``run``, ``programs`` (and ``field``, ``fibers`` from
their stages). Bad input prints one line naming the field, the value and what was expected,
and exits 2; ``check`` exits 1 when a safety rule fails.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import os
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from estim.errors import EstimError, EstimWarning, InputError

__all__ = ["main"]

# Stages that bring their own subcommands (each module has register(subparsers) and run(args)).
_STAGE_COMMANDS = {"field": "estim.fields.cli", "fibers": "estim.fibers.cli"}


def _cmd_programs(args: argparse.Namespace) -> int:
    from estim.program import load_program
    from estim.program.bundled import bundled_examples

    rows = []
    for name, path in bundled_examples().items():
        p = load_program(path)
        kinds = sorted({c.stimulation.type for c in p.channels})
        rows.append({"name": name, "modality": "+".join(kinds), "title": p.name,
                     "expected_verdict": p.expected_verdict.value if p.expected_verdict
                     else None, "path": str(path)})
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    width = max(len(str(r["name"])) for r in rows)
    for r in rows:
        print(f"{r['name']:<{width}}  {r['modality']:<15} {r['title']}")
    return 0


def _cmd_sites(args: argparse.Namespace) -> int:
    from estim.effects.anatomy import SITE_MUSCLE, muscle_for_site
    from estim.fields.sites import SITE_NAMES, make_site, placements

    rows: list[dict[str, Any]] = []
    for name in SITE_NAMES:
        site = make_site(name)
        rows.append({
            "name": name, "kind": site.kind,
            "layers": [{"tissue": ly.tissue, "thickness_m": ly.thickness} for ly in site.layers],
            "muscle": muscle_for_site(name).name if name in SITE_MUSCLE else None,
            "placements": placements(site)})
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for r in rows:
        layers = ", ".join(f"{ly['tissue']} {ly['thickness_m'] * 1e3:g} mm"  # [m -> mm]
                           if ly["thickness_m"] else f"{ly['tissue']} (the rest)"
                           for ly in r["layers"])
        print(f"{r['name']:<11} {r['kind']:<7} {layers}")
    print("\nestim placements SITE lists where electrodes can go on a site")
    return 0


def _cmd_placements(args: argparse.Namespace) -> int:
    from estim.fields.sites import make_site, placement, placements

    site = make_site(args.site)
    rows: list[dict[str, Any]] = []
    for name in placements(site):
        where = placement(site, name)
        rows.append({"name": name, "position_m": list(where.position),
                     "normal": list(where.normal), "axis": list(where.axis)})
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(f"placements on {args.site} (electrode centre, mm):")
    for r in rows:
        x, y, z = (v * 1e3 for v in r["position_m"])  # [m -> mm]
        print(f"  {r['name']:<28} ({x:6.1f}, {y:6.1f}, {z:6.1f})")
    return 0


def _check_site(program: object) -> None:
    """The site, its overrides and every placement exist (no mesh, no solve): the same
    program is refused by every command, not only by those that solve the field."""
    from estim.fields.program import electrode_from_spec
    from estim.fields.sites import site_from_spec
    from estim.program import Program

    assert isinstance(program, Program)
    site = site_from_spec(program.site.name, program.site.overrides)
    for i, ch in enumerate(program.channels):
        electrode_from_spec(site, ch.anode, field=f"channels[{i}].anode")
        electrode_from_spec(site, ch.cathode, field=f"channels[{i}].cathode")


def _cmd_check(args: argparse.Namespace) -> int:
    from estim.program.bundled import resolve_program
    from estim.safety import check, render_check

    program, _ = resolve_program(args.program)
    _check_site(program)
    report = check(program)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2, allow_nan=False))
    else:
        from estim.report.terminal import console as make_console

        render_check(report, make_console())
    return 1 if report.verdict.value == "fail" else 0


def _cmd_waveform(args: argparse.Namespace) -> int:
    from estim.outputs import safe_output, write_output_file
    from estim.program.bundled import resolve_program
    from estim.report.plots import figure_to_png, plot_waveforms
    from estim.waveforms import stimuli_for

    program, path = resolve_program(args.program)
    _check_site(program)
    out = safe_output(Path(args.output), force=args.force, inputs=(path,))
    if out.suffix.lower() != ".png":
        raise InputError("--output", str(out), "a .png file name")
    stimuli = stimuli_for(program)
    fig = plot_waveforms(stimuli, [c.name for c in program.channels], title=program.name)
    write_output_file(out, figure_to_png(fig), force=args.force)
    print(f"wrote {_shown(out)}")
    return 0


def _cmd_fibers(args: argparse.Namespace) -> int:
    """``estim fibers``: a program's fiber populations, or a point-source set-up."""
    if args.program:
        from estim.cli.fibers_program import run_program

        # the point-source options describe another set-up: refuse them with a PROGRAM
        defaults = {"model": "mrg", "diameter": "10um", "distance": "1mm",
                    "pulse_width": "0.1ms", "sigma": "0.2", "anodic": False,
                    "precision": "0.01", "dt": None, "population": 0}
        for key, default in defaults.items():
            if getattr(args, key) != default:
                raise InputError(f"--{key.replace('_', '-')}", getattr(args, key),
                                 "no point-source option together with a PROGRAM (the "
                                 "program's own field and pulse are used)")
        return run_program(args)
    from estim.fibers.cli import run

    return run(args)


def _cmd_run(args: argparse.Namespace) -> int:
    from estim.report.run import run_command

    return run_command(args)


def _parser() -> tuple[argparse.ArgumentParser, dict[str, Callable[[argparse.Namespace], int]]]:
    parser = argparse.ArgumentParser(
        prog="estim", description="Electrotherapy simulation: what a stimulator program puts "
        "out, whether it meets the limits, and what it does in the body.")
    from estim import __version__

    parser.add_argument("--version", action="version", version=f"estim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    handlers: dict[str, Callable[[argparse.Namespace], int]] = {}

    p = sub.add_parser("sites", help="list the anatomical sites and their tissue layers")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    handlers["sites"] = _cmd_sites

    p = sub.add_parser("placements", help="list where electrodes can go on a site")
    p.add_argument("site", help="a site name (estim sites lists them)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    handlers["placements"] = _cmd_placements

    p = sub.add_parser("programs", help="list the bundled example programs")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    handlers["programs"] = _cmd_programs

    p = sub.add_parser("check", help="output table and safety findings (exit 1 if a rule fails)")
    p.add_argument("program", help="program file, or the name of a bundled example")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    handlers["check"] = _cmd_check

    p = sub.add_parser("waveform", help="plot each channel at pulse and session scale")
    p.add_argument("program", help="program file, or the name of a bundled example")
    p.add_argument("-o", "--output", required=True, help="PNG file to write")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    handlers["waveform"] = _cmd_waveform

    p = sub.add_parser("run", help="run every stage on a program (default: a bundled example)")
    p.add_argument("program", nargs="?", default=None,
                   help="program file or bundled example name (default: tens_conventional)")
    p.add_argument("-o", "--output", default=None,
                   help="directory for results.json and report.html (default: "
                   "estim-out/<program name>, or -2, -3... if that exists)")
    p.add_argument("--json", action="store_true", help="print the results JSON")
    p.add_argument("--force", action="store_true", help="overwrite existing result files")
    p.add_argument("-v", "--verbose", "--details", action="store_true",
                   help="print every table (output, findings, window, notes), not the summary")
    handlers["run"] = _cmd_run

    import importlib

    for name, module in _STAGE_COMMANDS.items():
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as err:
            if err.name != module:
                raise
            continue
        mod.register(sub)
        handlers[name] = mod.run
    if "fibers" in handlers:
        handlers["fibers"] = _cmd_fibers
    return parser, handlers


def _shown(text: object) -> str:
    """What a user typed, as plain ``print`` may show it (control characters escaped)."""
    from estim.text import terminal_text

    return terminal_text(text, markup=False)


#: Longest error message printed (a million-character key name is echoed in part).
_MAX_MESSAGE = 2000


def _one_line(err: object) -> str:
    """An error message on one line: several problems joined with '; ', control characters
    spelled out, and cut to :data:`_MAX_MESSAGE` characters."""
    text = "; ".join(part.strip() for part in str(err).splitlines() if part.strip())
    if len(text) > _MAX_MESSAGE:
        text = f"{text[:_MAX_MESSAGE]}... ({len(text) - _MAX_MESSAGE} more characters)"
    return _shown(text)


def _check_program_path(text: str | None) -> None:
    """A PROGRAM that is a symbolic link leading nowhere is named as such (not as a missing
    file or an unknown example)."""
    if not text or not os.path.islink(text):
        return
    try:
        os.stat(text)
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise InputError("program", text, "a program file (this is a symbolic link "
                             "loop: following it never reaches a file)") from None
        raise InputError("program", text, "a program file (this symbolic link points to "
                         f"{os.readlink(text)!r}, which does not exist)") from None


@contextlib.contextmanager
def _one_line_warnings(command: str) -> Iterator[None]:
    """estim's own warnings (an unwritable cache, a model outside its range) as one line on
    stderr, ``estim CMD: warning: ...``, instead of Python's file-and-source-line format."""
    shown = warnings.showwarning

    def show(message: Warning | str, category: type[Warning], filename: str, lineno: int,
             file: Any = None, line: str | None = None) -> None:
        if issubclass(category, EstimWarning):
            print(f"estim {command}: warning: {_shown(message)}", file=sys.stderr)
        else:
            shown(message, category, filename, lineno, file, line)

    warnings.showwarning = show
    try:
        yield
    finally:
        warnings.showwarning = shown


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``estim`` command; returns the exit status."""
    parser, handlers = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        with _one_line_warnings(args.command):
            _check_program_path(getattr(args, "program", None))
            return handlers[args.command](args)
    except EstimError as err:  # InputError included: one line, exit 2
        print(f"estim {args.command}: error: {_one_line(err)}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader went away (`estim check | head -1`): end quietly
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, what a shell reports for a writer killed by it
    except OSError as err:  # an output that cannot be written (read-only, parent is a file)
        where = f" {err.filename!r}" if err.filename else ""
        print(f"estim {args.command}: error: cannot write{_shown(where)}: "
              f"{_shown(err.strerror or err)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
