"""The ``estim`` command line: one entry point, one module per command in this package.

Each command parses its options, makes one library call and renders the answer. Bad input
prints one line naming the field, the value and what was expected, and exits 2; ``check``
and ``run`` exit 1 when a safety rule fails; a closed pipe ends quietly (141).
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import re
import sys
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

from estim.errors import EstimError, EstimWarning, InputError

__all__ = ["main"]

#: The command modules, in the order ``estim --help`` lists them; each has
#: ``register(subparsers)``, which sets the parser's ``handler(args) -> exit status``.
_COMMANDS = ("estim.cli.discovery", "estim.cli.check", "estim.cli.waveform", "estim.cli.run",
             "estim.cli.field", "estim.cli.fibers", "estim.cli.sweep", "estim.cli.serve")


def _parser() -> argparse.ArgumentParser:
    import importlib

    from estim.version import __version__

    parser = _Parser(
        prog="estim", description="Electrotherapy simulation: what a stimulator program puts "
        "out, whether it meets the limits, and what it does in the body.")
    parser.add_argument("--version", action="version", version=f"estim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _COMMANDS:
        importlib.import_module(module).register(sub)
    for command in sub.choices.values():
        for action in command._actions:  # argparse has no public walk of its actions
            if type(action) is argparse._StoreAction and action.option_strings:
                action.__class__ = _Once
    return parser


class _Parser(argparse.ArgumentParser):
    """argparse's own errors (a whole number or a choice it cannot read, an option given
    twice, one without its value) on one line in the form of estim's others, without the
    usage block above them: ``--population 1.5`` printed five lines of usage and
    "argument --population: invalid int value: '1.5'" (probe of 6 December 2026). Its
    subcommands' parsers are of this class too (argparse makes them of their parent's)."""

    def error(self, message: str) -> NoReturn:
        text = message.removeprefix("argument ")
        whole = re.fullmatch(r"(\S+): invalid int value: (.*)", text)
        # Python 3.12.8 and 3.13.1 list the choices without quotes, and 3.14 may add
        # ", maybe you meant 'html'?" (review): each choice quoted, the suggestion last
        choice = re.fullmatch(r"(\S+): invalid choice: (.*?)(?:, maybe you meant (.*)\?)? "
                              r"\(choose from (.*)\)", text)
        if whole:
            text = f"{whole[1]}: got {whole[2]}, expected a whole number"
        elif choice:
            listed = ", ".join(repr(c.strip().strip("'")) for c in choice[4].split(", "))
            got = choice[2] if choice[2].startswith("'") else repr(choice[2])
            text = f"{choice[1]}: got {got}, expected one of {listed}" + (
                f" (did you mean {choice[3]}?)" if choice[3] else "")
            if got.strip("'") in _ELSEWHERE:  # "estim journal": where it is instead
                text += f" ({_ELSEWHERE[got.strip(chr(39))]})"
        option = text.split(":", 1)[0]
        if "/" in option and option.startswith("-"):  # "-o/--output": the long name
            text = option.rsplit("/", 1)[1] + text[len(option):]
        print(f"{self.prog}: error: {_shown(text)}", file=sys.stderr)
        raise SystemExit(2)


class _Once(argparse._StoreAction):
    """An option that takes one value, refused when given twice: argparse keeps the last,
    so ``sweep --file a.toml --file b.toml`` ran b.toml alone, of another program, without
    a word, and ``-o A -o B`` wrote to B (probe of 6 December 2026)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        seen: dict[str, object] = namespace.__dict__.setdefault("_given_once", {})
        if self.dest in seen:
            raise argparse.ArgumentError(self, f"got {values!r} after {seen[self.dest]!r}, "
                                               "expected the option once (it was given twice)")
        seen[self.dest] = values
        super().__call__(parser, namespace, values, option_string)


def _options(parser: argparse.ArgumentParser, argv: list[str]) -> tuple[set[str], set[str]]:
    """The long options that take one value, and every option string, of ``parser`` and of
    the command ``argv`` names (another command's would turn an option it does not have
    into a token the user never typed)."""
    valued: set[str] = set()
    known: set[str] = set()
    for action in parser._actions:  # argparse has no public walk of its actions
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                if name in argv:
                    v, k = _options(sub, [])
                    valued |= v
                    known |= k
                    break
        elif action.option_strings:
            known.update(action.option_strings)
            if action.nargs is None and action.const is None:
                valued.update(o for o in action.option_strings if o.startswith("--"))
    return valued, known


def _dash_values(argv: list[str], valued: set[str], known: set[str]) -> list[str]:
    """``--amplitude -1mA`` as ``--amplitude=-1mA``: argparse takes a value that starts with
    a dash and is not a bare number ("-1mA", "-5 us", "-x") for an option and says the
    option "expected one argument"; joined, the value reaches the check that says what is
    wrong with it. A following token that is one of the command's options (or ``--``) is
    left alone: ``--amplitude --json`` lacks its value."""
    out: list[str] = []
    i = 0
    while i < len(argv):
        token = argv[i]
        if token == "--":  # what follows is positional, as the user wrote it
            return out + argv[i:]
        following = argv[i + 1] if i + 1 < len(argv) else ""
        if (token in valued and len(following) > 1 and following[0] == "-"
                and following != "--" and following.split("=")[0] not in known):
            out.append(f"{token}={following}")
            i += 2
            continue
        out.append(token)
        i += 1
    return out


def _shown(text: object) -> str:
    """What a user typed, as plain ``print`` may show it (control characters escaped)."""
    from estim.text import terminal_text

    return terminal_text(text, markup=False)


def _one_line(err: object) -> str:
    """An error message on one line (:func:`estim.text.one_line`)."""
    from estim.text import one_line

    return one_line(err)


def _where(err: EstimError, args: argparse.Namespace) -> str:
    """``"x.toml: "`` before a problem found in the program file after it was read (a pad too
    small for the site's mesh, a placement the site lacks), as the file's reader puts it
    before its own: the field names a line of that file."""
    from estim.program.errors import ProgramError

    program = getattr(args, "program", None)
    if (isinstance(err, InputError) and not isinstance(err, ProgramError)
            and isinstance(program, str) and os.path.isfile(program)
            and err.field.startswith(("channels[", "site.", "device."))):
        return f"{_shown(program)}: "
    return ""


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


def _check_not_empty(args: argparse.Namespace) -> None:
    """An empty PROGRAM or path (``""``, a shell variable that was not set) is refused by
    name; as a path it meant the current folder ('got .'), and ``estim fibers ""`` ran the
    point source as if no program had been given."""
    for attr, option, expected in (
            ("program", "program", "a program file or a bundled example's name (estim "
                                   "programs lists them)"),
            ("output", "--output", "a path")):
        if getattr(args, attr, None) == "":
            raise InputError(option, "", expected)
    _check_output_kind(args)


#: Commands whose --output is a folder, and those whose --output is one file.
_FOLDER_OUTPUT = ("run", "field", "fibers", "sweep")
_FILE_OUTPUT = ("new", "waveform", "check")


def _check_output_kind(args: argparse.Namespace) -> None:
    """A folder's --output is not standard output (``fibers -o -`` made a folder named
    '-'), and a file's does not end in / (``new -o newdir/`` wrote a file named 'newdir';
    probe of 5 December 2026)."""
    out = getattr(args, "output", None)
    if not isinstance(out, str):
        return
    if args.command in _FOLDER_OUTPUT and out == "-":
        raise InputError("--output", out, "a folder (standard output cannot hold a folder "
                         "of files)")
    if args.command in _FILE_OUTPUT and out != "-" and out.endswith(("/", os.sep)):
        raise InputError("--output", out, "a file name (it ends in /, as a folder does)")


@contextlib.contextmanager
def _one_line_warnings(command: str) -> Iterator[None]:
    """estim's own warnings (an unwritable cache, a model outside its range) as one line on
    stderr, ``estim CMD: warning: ...``, instead of Python's file-and-source-line format;
    each once, though the stages that read the same program raise it again."""
    shown = warnings.showwarning
    said: set[str] = set()

    def show(message: Warning | str, category: type[Warning], filename: str, lineno: int,
             file: Any = None, line: str | None = None) -> None:
        if issubclass(category, EstimWarning):
            text = f"estim {command}: warning: {_shown(message)}"
            if text not in said:
                said.add(text)
                print(text, file=sys.stderr)
        else:
            shown(message, category, filename, lineno, file, line)

    warnings.showwarning = show
    try:
        yield
    finally:
        warnings.showwarning = shown


#: Words a user may take for a command, and where what they want is.
_ELSEWHERE = {"journal": "the journal of sessions is in the browser stimulator: estim serve",
              "stimulator": "the virtual stimulator opens in the browser: estim serve"}
#: A unit left over after its number (an unquoted "25 mA").
_UNIT_WORD = re.compile(r"(?:[µumkM]?(?:A|V|s|Hz|Ω|[oO]hms?)|[cm]m|%|°C)")
_QUOTE_HINT = " (a value with a space in it is quoted: --amplitude '25 mA')"


def _unit_as_program(args: argparse.Namespace) -> bool:
    """The command's program is a unit and no such file: an unquoted "25 mA" left "mA"."""
    program = getattr(args, "program", None)
    return isinstance(program, str) and bool(_UNIT_WORD.fullmatch(program)) \
        and not Path(program).exists()


#: The commands that write to standard output without ``-o``.
_TO_STDOUT = frozenset({"check", "programs", "sites", "placements"})


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``estim`` command; returns the exit status."""
    try:
        return _main(argv)
    except KeyboardInterrupt:
        # Ctrl-C while the command starts (building the parser imports the commands' modules,
        # scipy's among them): a raw traceback and death by the signal within the first
        # half second, where later it was "interrupted" and 130 (hostile probe of 7 December
        # 2026)
        print("interrupted", file=sys.stderr)
        return 130


def _main(argv: list[str] | None) -> int:
    parser = _parser()
    given = sys.argv[1:] if argv is None else list(argv)
    args, extra = parser.parse_known_args(_dash_values(given, *_options(parser, given[:1])))
    if args.command is None:
        parser.print_help()
        return 2
    if extra:
        # said by the command, in the one-line form: the top-level parser's "estim: error:
        # unrecognized arguments: tens_burst" named no command (probe of 6 December 2026)
        shown_extra = _shown(" ".join(extra))
        # "--amplitude 25 mA" unquoted left "mA" over (probe of 6 December 2026)
        quote = _QUOTE_HINT if _UNIT_WORD.fullmatch(extra[0]) or _unit_as_program(args) \
            else ""
        # "--vary pulse_width 50,100us": the values were taken for an argument of their own
        # (researcher's probe of 6 December 2026)
        bare = [v for v in getattr(args, "vary", None) or () if "=" not in str(v)]
        if bare:
            quote = (f"; --vary takes NAME=VALUES with an '=' between them, e.g. --vary "
                     f"{_shown(str(bare[0]))}={_shown(extra[0])}")
        print(f"estim {args.command}: error: arguments: got {shown_extra!r}, expected only "
              f"the command's own (estim {args.command} --help lists them){quote}",
              file=sys.stderr)
        return 2
    if sys.stdout is None:  # `estim ... >&-`: output lost with status 0, or a traceback
        if sys.stderr is not None:
            print(f"estim {args.command}: error: standard output is closed (send it to "
                  "/dev/null to discard it)", file=sys.stderr)
        return 2
    if _unit_as_program(args):  # "--amplitude 25 mA" with no program after it
        print(f"estim {args.command}: error: program: got {args.program!r}, expected a "
              f"program file or a bundled example{_QUOTE_HINT}", file=sys.stderr)
        return 2
    try:
        with _one_line_warnings(args.command), _terminate_as_interrupt():
            _check_program_path(getattr(args, "program", None))
            _check_not_empty(args)
            code: int = args.handler(args)
            return code
    except EstimError as err:  # InputError included: one line, exit 2
        print(f"estim {args.command}: error: {_where(err, args)}{_one_line(err)}",
              file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader went away (`estim check | head -1`): end quietly
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, what a shell reports for a writer killed by it
    except OSError as err:  # an output that cannot be written (read-only, parent is a file)
        where = f" {err.filename!r}" if err.filename else ""
        # the program that could not be read said "cannot write" (a 300-character file
        # name; hostile probe of 6 December 2026): which it is, by the option's name
        named = {str(getattr(args, key, None)): words for key, words in (
            ("program", "program: cannot read"), ("output", "--output: cannot write"))
            if getattr(args, key, None) is not None}
        what = named.get(str(err.filename), "cannot write") if err.filename else "cannot write"
        if not err.filename:  # a write that failed mid-way names no file ("cannot write:
            # File too large" under a file-size limit; hostile probe of 7 December 2026):
            # the output given, or standard output where the command writes there; else as
            # before (run and sweep write their default folders; review)
            output = getattr(args, "output", None)
            if output is not None and str(output) != "-":
                what, where = "--output: cannot write", f" {str(output)!r}"
            elif str(output) == "-" or args.command in _TO_STDOUT:
                what, where = "cannot write to standard output", ""
        print(f"estim {args.command}: error: {what}{_shown(where)}: "
              f"{_shown(err.strerror or err)}", file=sys.stderr)
        return 2
    except _Terminated:
        # as Ctrl-C's 130: returned, not re-raised, so that the process exits normally and
        # multiprocessing's finalizers run (raised again after the clean-up, the signal
        # killed it before them and the "leaked semaphore" warning came back; review)
        print("terminated", file=sys.stderr)
        return 143  # 128 + SIGTERM
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception:
        # Ctrl-C that a library turned into an error of its own is still Ctrl-C: numba
        # compiling a kernel took it, then raised "no compiled object yet" with a traceback
        # (hostile probe of 7 December 2026, 1 in 6 interrupts of a first run)
        if _INTERRUPTED.is_set():
            print("interrupted", file=sys.stderr)
            return 130
        raise


#: Set when Ctrl-C reaches a command (:func:`_terminate_as_interrupt`).
_INTERRUPTED = threading.Event()


class _Terminated(KeyboardInterrupt):
    """SIGTERM (``timeout``, a scheduler, ``kill``), raised where Ctrl-C would be."""


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM unwinds as Ctrl-C does: a sweep's workers and their semaphores are closed
    on the way out, where it printed the multiprocessing resource tracker's "leaked
    semaphore objects" warning (probe of 5 December 2026). Only in the main thread (a
    handler cannot be set elsewhere), and the earlier handler is back after."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread() \
            or signal.getsignal(signal.SIGTERM) is None:  # a handler not set from Python
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise _Terminated

    def interrupt(signum: int, frame: object) -> None:
        _INTERRUPTED.set()  # remembered, should a library swallow what is raised
        raise KeyboardInterrupt

    _INTERRUPTED.clear()
    before = signal.signal(signal.SIGTERM, stop)
    # Python's own Ctrl-C handler only (a caller that set its own keeps it)
    before_int = signal.getsignal(signal.SIGINT)
    if before_int is signal.default_int_handler:
        signal.signal(signal.SIGINT, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)
        if before_int is signal.default_int_handler:
            signal.signal(signal.SIGINT, before_int)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
