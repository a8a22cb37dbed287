"""``estim sweep PROGRAM --vary NAME=VALUES ...``: a program over a grid of values on Dask;
a tidy table (Parquet and CSV) and a summary page; run again to resume."""

from __future__ import annotations

import argparse
import math
import os
import re
import socket
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from estim.cli.common import add_json, add_program, note_copy_beside, print_json, shown
from estim.text import spreadsheet_file

__all__ = ["register"]


def register(sub: Any) -> None:
    p = sub.add_parser(
        "sweep", help="run a program over a grid of values (Dask), a table and a page",
        description="Run PROGRAM at every point of the axes given by --vary (crossed, or "
        "zipped with --zip), each point checked as a program file, on a local Dask cluster "
        "or --scheduler. Finished points are kept in OUTPUT/points: run the same command "
        "again to resume.")
    add_program(p, optional=True)
    p.add_argument("--vary", action="append", default=[], metavar="NAME=VALUES",
                   help="an axis: NAME=50,100,200us (a list; a bare number takes the last "
                   "unit) or NAME=5..40mA:8 (8 values from 5 to 40 mA). NAME is a "
                   "stimulation field (pulse_width, amplitude), site.FIELD "
                   "(site.fat_thickness), electrodes.FIELD, device.FIELD, "
                   "channels[I].stimulation.FIELD (I counts from 0), or subject (virtual "
                   "subjects 0..N-1)")
    p.add_argument("--file", default=None, metavar="SWEEP.toml",
                   help="a sweep file: program, mode, options and a [vary] table (--vary "
                   "adds or replaces axes)")
    p.add_argument("--zip", action="store_true",
                   help="take the i-th value of every axis together (default: every "
                   "combination)")
    p.add_argument("--subjects", type=int, default=None, metavar="N",
                   help="add an axis of N virtual subjects (same as --vary subject=0..N-1:N)")
    p.add_argument("--safety-only", action="store_true",
                   help="waveform metrics and safety only (no fields, fibers or effects)")
    p.add_argument("--fibers", type=int, default=None, metavar="N",
                   help="fibers per class in the sensation window (default: estim run's)")
    p.add_argument("--seed", type=int, default=None, help="seed of the fibers and subjects")
    p.add_argument("-o", "--output", default=None,
                   help="output folder (default: estim-out/sweep-<program>); finished points "
                   "found there are not run again")
    p.add_argument("--force", action="store_true",
                   help="write into a folder that holds other files (never over them, nor "
                   "over the program)")
    p.add_argument("--scheduler", default=None, metavar="tcp://HOST:PORT",
                   help="an existing Dask scheduler (default: a local cluster)")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="processes of the local cluster (default: one per core)")
    p.add_argument("--population", type=int, default=None, metavar="N",
                   help="instead of a grid: thresholds of N fibers under the cathode, split "
                   "across the workers (e.g. 100000)")
    p.add_argument("--fiber-class", default=None,
                   choices=("abeta", "adelta", "c", "motor", "periosteal"),
                   help="the class of --population (default: abeta; periosteal: the Aδ of "
                        "the periosteum of a bone under the pads)")
    p.add_argument("--channel", default=None, metavar="NAME",
                   help="the channel of --population: the fibers under its cathode, with "
                        "its current alone (default: the first channel that is on)")
    add_json(p, help="print a JSON summary (and the files written)")
    p.set_defaults(handler=_sweep)


def _sweep(args: argparse.Namespace) -> int:
    from estim.errors import EstimError, InputError

    try:  # one line, as estim serve says it (a traceback on the quick start's install)
        import distributed  # noqa: F401
        import pyarrow  # noqa: F401
    except ImportError as err:
        raise EstimError(f"estim sweep needs the sweep extra ({err.name} is not installed): "
                         "pip install 'estim[sweep]'") from None
    from estim.program.bundled import resolve_program
    from estim.sweep import (
        SUBJECT,
        Mode,
        SweepOptions,
        axis_from_values,
        load_sweep_file,
        parse_axis,
        plan_sweep,
    )
    from estim.sweep.axes import MAX_AXIS_VALUES, same_field
    from estim.sweep.run import POINTS_FOLDER

    spec = load_sweep_file(args.file) if args.file else None
    name = args.program or (spec.program if spec else None)
    if spec is not None and name is None:  # it ran the bundled default without a word
        raise InputError("program", str(args.file), "a program in the sweep file (program = "
                         "\"tens_conventional\" or a path) or on the command line")
    _, path = resolve_program(name)
    note_copy_beside(name, path)  # as the other commands (review of 6 December 2026)
    if spec is not None and spec.program and args.program:
        theirs = resolve_program(spec.program)[1]
        if Path(theirs).resolve() != Path(path).resolve():
            # the command line's ran in place of the file's without a word (probe of
            # 5 December 2026)
            raise InputError("program", args.program, f"the sweep file's program "
                             f"({spec.program!r}), or no program on the command line: "
                             "the two name different files")
    if args.seed is not None and args.seed < 0:
        raise InputError("--seed", args.seed, "a whole number >= 0")
    if args.scheduler is None and args.workers is not None:
        from estim.sweep.run import local_workers

        local_workers(args.workers)  # refused before the output folder is made
    if args.population is None and args.fiber_class is not None:
        raise InputError("--fiber-class", args.fiber_class, "--population N beside it (the "
                         "class of a population's fibers; a grid samples every class)")
    if args.population is None and args.channel is not None:
        raise InputError("--channel", args.channel, "--population N beside it (the channel "
                         "whose cathode a population lies under; a grid reads every "
                         "channel)")
    if args.population is not None:
        grid = [o for o, given in (("--vary", bool(args.vary)),
                                   ("--subjects", args.subjects is not None),
                                   ("--safety-only", args.safety_only), ("--zip", args.zip),
                                   ("--fibers", args.fibers is not None),
                                   ("--file", args.file is not None)) if given]
        if grid:
            raise InputError("--population", args.population, f"no {', '.join(grid)} "
                             "beside it: a population thresholds one program's fibers, "
                             "not a grid of programs")
        from estim.program import load_program
        from estim.sweep.population import population_channel

        args.fiber_class = args.fiber_class or "abeta"
        program = load_program(path)  # a channel not in it refused before the folder
        args.channel = population_channel(program, args.channel)
        args.channels = len(program.channels)
        args.channel_off = next(ch for ch in program.channels if ch.name == args.channel
                                ).stimulation.amplitude.value == 0
        return _population(args, path)
    axes = {a.name: a for a in (spec.axes if spec else ())}
    typed: set[str] = set()
    for text in args.vary:
        axis = parse_axis(text)
        if axis.name in typed:
            raise InputError(f"--vary {axis.name}", axis.name, "each axis once")
        # --vary replaces the sweep file's axis of the same field, however it is named there
        axes = {n: a for n, a in axes.items()
                if n in typed or n == axis.name or not same_field(a, axis)}
        axes[axis.name] = axis
        typed.add(axis.name)
    if args.subjects is not None:
        if "subject" in typed:  # the --vary's subjects were dropped without a word (probe);
            # a sweep file's subject axis it replaces, as --vary does (review)
            raise InputError("--subjects", args.subjects, "either --subjects N or --vary "
                             "subject=..., not both (each writes the subject axis)")
        if not 1 <= args.subjects <= MAX_AXIS_VALUES:
            raise InputError("--subjects", args.subjects,
                             f"from 1 to {MAX_AXIS_VALUES:,} virtual subjects")
        axes["subject"] = axis_from_values("subject", list(range(args.subjects)),
                                           option="--subjects")
    opts: dict[str, Any] = dict(spec.options) if spec else {}
    if args.safety_only:
        opts["body"] = False
    if args.fibers is not None:
        opts["fibers"] = args.fibers
    if args.seed is not None:
        opts["seed"] = args.seed
    for key in ("fibers", "seed"):
        if opts.get(key) is not None and opts.get("body") is False:
            # they did nothing but change every point's key: a rerun with them was refused
            # as another sweep (probe of 5 December 2026); the file's too (review)
            # the file by name ("sweep file fibers" named none; probe of 6 December 2026)
            given = (f"--{key}" if getattr(args, key) is not None
                     else f"{args.file}: {key}")
            raise InputError(given, opts[key], "a sweep with the body (no --safety-only, no "
                             "body = false): the fibers and their draw are the body's, which "
                             "the safety check does not use")
    if "subject" in axes and opts.get("body") is False:  # N identical points, without a word
        n = len(axes["subject"])
        raise InputError(axes["subject"].option or "--vary subject",
                         f"{n} subject{'s' if n != 1 else ''}",
                         "a sweep with the body (no --safety-only, no body = false): virtual "
                         "subjects differ in anatomy and excitability, which the safety check "
                         "does not use")
    mode = Mode.ZIP if args.zip else (spec.mode if spec and spec.mode else Mode.CROSS)
    plan = plan_sweep(path, list(axes.values()), mode=mode, options=SweepOptions(**opts))
    folder = Path(args.output) if args.output else Path("estim-out") / f"sweep-{path.stem}"
    _check_folder(folder, POINTS_FOLDER, SWEEP_FILES, args, path)
    _check_table(folder, plan, args)
    with only_run(folder, recheck=lambda: _check_table(folder, plan, args)):
        run = _run(plan, folder, args)
        written = _write(run, folder)
    failed = len(run.errors)
    if args.json:
        from estim.sweep import sweep_table
        from estim.sweep.text import SHOWN_OUTPUTS

        # the key figures the README promises: each point's settings and the outputs the
        # terminal's table shows (only counts and files before; probe of 6 December 2026)
        table = sweep_table(run)
        shown_names = {name for _, name in SHOWN_OUTPUTS} | {"point", "error"}
        keep = [c for c in table.columns if c.kind == "input" or c.name in shown_names]
        print_json({"program": plan.program_name, "points": len(plan.points),
                    "computed": run.computed, "resumed": run.resumed, "failed": failed,
                    "errors": [{"point": i, "error": e} for i, e in run.errors],
                    "table": [{c.name: c.values[i] for c in keep} for i in range(len(table))],
                    "files": [str(p) for p in written]})
    else:
        from estim.report.terminal import console
        from estim.sweep import sweep_table
        from estim.sweep.text import print_sweep_table

        n = len(plan.points)
        # wrapped: a DBS program's name ran the line to 87 columns (hostile probe)
        import textwrap

        print(textwrap.fill(
            # in the progress line's digits: "10000 points" after "10,000 of 10,000" (probe)
            f"{n:,} point{'s' if n != 1 else ''} of {shown(plan.program_name)}: "
            f"{run.computed:,} computed, {run.resumed:,} from an earlier run"
            + (f", {failed:,} failed (see the error column)" if failed else ""),
            width=max(40, console().width), break_long_words=False, break_on_hyphens=False))
        print_sweep_table(sweep_table(run), console())
        if any(a.name == SUBJECT for a in plan.axes):
            # subject 0 read 4.5 / 30.5 / 38 mA where estim run's person 0 read 5.74 / 27.2
            # / 47.9 (probe of 6 December 2026): two draws, and two ways to compute them
            from estim.sweep.page import SUBJECTS_NOTE

            console().print(f"[dim]{SUBJECTS_NOTE}[/dim]")
        for p in written:
            print(f"wrote {shown(str(p))}")
    return 1 if failed else 0


#: The files a sweep writes into its folder (beside its points/).
SWEEP_FILES = ("sweep.parquet", "sweep.csv", "sweep.html")


def _check_folder(folder: Path, marker: str, names: tuple[str, ...],
                  args: argparse.Namespace, program: Path) -> None:
    """Refuse, before anything runs, an output folder whose files are not an earlier run's:
    a folder that holds other things and no ``marker`` subfolder (the earlier run's finished
    points or chunks, which a rerun resumes from), unless --force; and never a file this
    run writes that is the program itself."""
    from estim.errors import InputError
    from estim.outputs import check_output_dir

    check_output_dir(folder, force=True, names=names, inputs=(program,))  # the program first
    _clear_stale(folder)  # another run's, first: its folder may not look like a sweep's yet
    earlier = _earlier_run(folder, marker)
    if not (args.force or earlier):
        check_output_dir(folder, force=False)
    if not earlier:
        # with --force: other files stay, and a file of this run's names that no earlier
        # run wrote (no marker beside it) is someone's own, not written over
        for name in names:
            if (folder.expanduser() / name).exists():
                raise InputError("--output", str(folder / name),
                                 f"a folder whose {name} is an earlier sweep's (with its "
                                 f"{marker}/ beside it): --force writes beside other files, "
                                 "never over them")


#: The file whose lock a sweep holds in its output folder while it runs (:func:`only_run`).
LOCK = ".estim-sweep.lock"


@contextmanager
def only_run(folder: Path, recheck: Callable[[], None] | None = None) -> Iterator[None]:
    """This process alone writes into ``folder`` while the block runs: two sweeps started
    together into one folder both ran, and one's table replaced the other's without
    --force, where run one after the other the second is refused (probe of 5 December
    2026). The lock is the kernel's (``flock`` on :data:`LOCK`), held by an open file: it
    is released when the run ends however it ends (a SIGKILL, a container stopped), it
    holds against another thread, and against a process of another PID namespace on the
    same machine; a process id in a file stood for a run that was gone, or another run's
    with the same id (reviews of 5 December 2026). The file names the holder's process
    and host, for the message only. ``recheck`` runs once the lock is held (the earlier
    run may have finished in between). A folder this made and left empty is removed."""
    from estim.errors import InputError

    target = folder.expanduser()
    made = not target.exists()
    target.mkdir(parents=True, exist_ok=True)
    lock = target / LOCK
    try:
        fd = _take(lock)
    except BaseException:
        if made:
            _remove_if_empty(target)
        raise
    if fd is None:
        if made:
            _remove_if_empty(target)
        raise InputError("--output", str(folder), _busy(lock))
    try:
        if recheck is not None:
            recheck()
        yield
    finally:
        lock.unlink(missing_ok=True)  # while held: a run waiting on it sees it gone
        os.close(fd)
        if made:
            _remove_if_empty(target)


def _take(lock: Path) -> int | None:
    """An open descriptor of ``lock`` holding its ``flock``, or None where another holds
    it. A file unlinked between its opening and its lock (its holder finishing) is opened
    again. Without ``fcntl`` (Windows) no run is locked out."""
    from estim.errors import InputError

    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        return os.open(lock, os.O_CREAT | os.O_RDWR, 0o644)
    for _ in range(5):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_RDWR | getattr(os, "O_NOFOLLOW", 0), 0o644)
        except OSError as err:
            raise InputError("--output", str(lock.parent), f"a folder this run can write "
                             f"into ({err.strerror})") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return None
        try:
            same = os.stat(lock).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()} {socket.gethostname()}\n".encode())
            return fd
        os.close(fd)
    raise InputError("--output", str(lock.parent), "a folder whose lock file stays in place")


def _busy(lock: Path) -> str:
    """The refusal, naming the holder where its file says."""
    try:
        words = lock.read_text(encoding="utf-8").split()
    except OSError:
        words = []
    who = f"estim process {words[0]}" + (f" on {words[1]}" if len(words) > 1 else "") \
        if words else "another estim run"
    return (f"a folder no other run is writing ({who} is writing into it now: wait for it "
            "to finish, or give another folder)")


def _clear_stale(folder: Path) -> None:
    """Refuse ``folder`` where a run holds its lock; remove a lock file no run holds (left
    by a run that was killed), so that the folder reads as before it."""
    from estim.errors import InputError

    lock = folder.expanduser() / LOCK
    if not lock.exists():
        return
    fd = _take(lock)
    if fd is None:
        raise InputError("--output", str(folder), _busy(lock))
    lock.unlink(missing_ok=True)
    os.close(fd)


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()  # only an empty one
    except OSError:
        pass


#: A finished point's or chunk's file as a sweep writes it: its key in hex.
_RUN_FILE = re.compile(r"[0-9a-f]{16,64}\.(json|npz)")


def _earlier_run(folder: Path, marker: str) -> bool:
    """Whether ``folder`` holds an earlier sweep's finished points or chunks: an empty or
    foreign ``points/`` beside a user's own sweep.csv let it be written over without
    --force (probe of 5 December 2026)."""
    from estim.sweep.run import STAMP

    inside = folder.expanduser() / marker
    try:
        return inside.is_dir() and any((_RUN_FILE.fullmatch(p.name) or p.name == STAMP)
                                       and p.is_file() for p in inside.iterdir())
    except OSError:
        return False


def _check_table(folder: Path, plan: Any, args: argparse.Namespace) -> None:
    """Refuse, unless --force, a run whose table would drop points of the earlier table in
    ``folder``: another program or a smaller grid replaced a 12-row table with 2 rows of
    another program without a word (probe of 5 December 2026). A rerun of the same sweep,
    or a larger grid that holds every earlier point, resumes."""
    import csv

    from estim.errors import InputError

    table = folder.expanduser() / "sweep.csv"
    if args.force or not table.is_file():
        return
    try:
        with table.open(encoding="utf-8-sig", newline="") as f:
            keys = [row.get("key") for row in csv.DictReader(f)]
    except (OSError, UnicodeDecodeError, csv.Error):
        keys = [None]  # unreadable: not this sweep's to replace without --force
    ours = {p.key for p in plan.points}
    dropped = [k for k in keys if k not in ours]
    if dropped:
        if any(k is None for k in keys):  # no sweep's table (no key column, unreadable)
            said = "cannot be read as a sweep's table"
        else:
            # both counts: "holds 2 points" of a table of 4 that would lose 2 (probe)
            n, held = len(dropped), len(keys)
            which = ("that point is" if held == 1 else
                     f"all {held:,} are" if n == held else f"{n:,} of them are")
            said = (f"holds {held:,} point{'s' * (held != 1)}, and {which} of another "
                    "program, grid or estim version, which this run would drop from the "
                    "table")
        raise InputError("--output", str(folder), f"a folder of this sweep (its sweep.csv "
                         f"{said}): another folder, or --force to replace that table")


#: Seconds between two progress lines where no terminal shows a bar.
PROGRESS_EVERY_S = 30.0
#: Fibers a point thresholds by default (estim.effects.placement.DEFAULT_COUNTS' sum), and what
#: such a point cost on this project's 2-core machine (docs/sweeps.md: 7.6-8.3 s a point at
#: 40 fibers per class, the subjects' fields cached): the scale of a warning, not a promise.
_DEFAULT_FIBERS = 460
_DEFAULT_POINT_S = 8.0


def _say_cost(plan: Any, stderr: Any) -> None:
    """Say up front where a run will take hours: a sweep of 100,000 fibers per class
    printed nothing for as long as it ran, off a terminal (probe of 5 December 2026)."""
    options = plan.options
    if not options.body:
        return
    fibers = 5 * options.fibers if options.fibers is not None else _DEFAULT_FIBERS
    hours = len(plan.points) * _DEFAULT_POINT_S * fibers / _DEFAULT_FIBERS / 3600
    if hours >= 1:
        n = len(plan.points)
        print(f"estim sweep: {n:,} point{'s' * (n != 1)} of about {fibers:,} fibers each: "
              f"roughly {hours:,.0f} hour{'s' * (round(hours) != 1)} of one core (a point of "
              f"the default {_DEFAULT_FIBERS} took about {_DEFAULT_POINT_S:g} s here); Ctrl-C "
              "stops it, and the same command resumes", file=stderr, flush=True)


def _progress_lines(stderr: Any, every_s: float = PROGRESS_EVERY_S,
                    clock: Callable[[], float] = time.monotonic, noun: str = "points"
                    ) -> Callable[[int, int], None]:
    """Progress as a line on ``stderr`` at most every ``every_s`` and at the end, with
    the time left at the pace so far."""
    start = clock()
    last = [start]
    first: list[int] = []  # done at the first call: an earlier run's, read at once

    def step(done: int, total: int) -> None:
        now = clock()
        if not first:
            first.append(done)
        if done < total and now - last[0] < every_s:
            return
        last[0] = now
        spent = now - start
        ran = done - first[0]
        left = (f", about {_duration(spent / ran * (total - done))} left"
                if 0 < ran and done < total else "")
        print(f"estim sweep: {done:,} of {total:,} {noun} ({done / max(total, 1):.0%}), "
              f"{_duration(spent)}{left}", file=stderr, flush=True)

    return step


def _duration(seconds: float) -> str:
    """A duration in words: 45 s, 12 min, 3.5 h."""
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _progress_bar(stderr: Any) -> tuple[Callable[[int, int], None] | None, Any]:
    """A progress bar on stderr, only where someone watches it (a terminal)."""
    if not stderr.isatty():
        return None, None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from estim.report.terminal import console

    bar = Progress("points", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                   console=console(stderr=True), transient=False)
    task = bar.add_task("points", total=None)

    def step(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    return step, bar


def _run(plan: Any, folder: Path, args: argparse.Namespace) -> Any:
    from estim.sweep import run_sweep

    _say_cost(plan, sys.stderr)
    step, bar = _progress_bar(sys.stderr)
    try:
        if bar is None:  # no terminal (a log, a job): a line now and then
            return run_sweep(plan, folder, scheduler=args.scheduler, workers=args.workers,
                             progress=_progress_lines(sys.stderr))
        with bar:
            return run_sweep(plan, folder, scheduler=args.scheduler, workers=args.workers,
                             progress=step)
    except KeyboardInterrupt:  # Ctrl-C, or SIGTERM as estim.cli.main raises it
        _say_kept(plan, folder, sys.stderr)
        raise


def _say_kept(plan: Any, folder: Path, stderr: Any) -> None:
    """What a stopped sweep leaves: the points finished so far, and that the same command
    resumes from them (it said "interrupted" alone; researcher's probe of 7 December
    2026)."""
    from estim.sweep.run import POINTS_FOLDER

    inside = folder.expanduser() / POINTS_FOLDER
    keys = {p.key for p in plan.points}
    try:
        kept = sum(1 for f in inside.glob("*.json") if f.stem in keys)
    except OSError:
        return
    n = len(keys)
    if not kept:  # "0 of 6 points are kept ..., and the same command resumes from them"
        print(f"estim sweep: stopped before any of the {n:,} point{'s' * (n != 1)} was "
              "finished; the same command starts it again", file=stderr, flush=True)
        return
    print(f"estim sweep: stopped; {kept:,} of {n:,} point{'s' * (n != 1)} are kept in "
          f"{shown(inside)}, and the same command resumes from them", file=stderr, flush=True)


def _write(run: Any, folder: Path) -> list[Path]:
    from estim.outputs import write_output_file
    from estim.sweep import sweep_files

    return [write_output_file(folder / name, data, force=True)
            for name, data in sweep_files(run).items()]


def _population(args: argparse.Namespace, path: Path) -> int:
    from estim.sweep.population import CHUNKS_FOLDER

    # finished chunks are kept in the output folder as they arrive: a rerun resumes
    folder = Path(args.output) if args.output else Path("estim-out") / f"population-{path.stem}"
    _check_folder(folder, CHUNKS_FOLDER, ("population.csv",), args, path)
    with only_run(folder):
        return _population_in(args, path, folder)


def _population_in(args: argparse.Namespace, path: Path, folder: Path) -> int:
    """A population run into ``folder``, this process's alone (:func:`only_run`)."""
    import numpy as np

    from estim.outputs import write_output_file
    from estim.sweep import open_client, population_thresholds
    from estim.sweep.population import threshold_quantile

    client, close = open_client(args.scheduler, workers=args.workers)
    try:
        step, bar = _progress_bar(sys.stderr)
        if bar is None:  # no terminal: a line now and then
            result = population_thresholds(path, fibers=args.population,
                                           fiber_class=args.fiber_class,
                                           seed=args.seed or 0, client=client, folder=folder,
                                           replace=args.force, channel=args.channel,
                                           progress=_progress_lines(sys.stderr,
                                                                    noun="fibers"))
        else:
            with bar:
                result = population_thresholds(path, fibers=args.population,
                                               fiber_class=args.fiber_class,
                                               seed=args.seed or 0, client=client,
                                               folder=folder, progress=step,
                                               replace=args.force, channel=args.channel)
    finally:
        close()
    thr = np.where(np.isfinite(result.thresholds_a), result.thresholds_a * 1e3, np.nan)
    rows = ["fiber,threshold_mA,depth_mm,diameter_um"] + [
        # numpy's own repr would write 'np.float64(...)': plain floats, every digit kept
        f"{i},{'' if np.isnan(t) else repr(float(t))},{float(d) * 1e3!r},{float(u) * 1e6!r}"
        for i, (t, d, u) in enumerate(zip(thr, result.depth_m, result.diameter_m,
                                          strict=True))]
    out = write_output_file(folder / "population.csv",
                            spreadsheet_file("\n".join(rows) + "\n"), force=True)
    finite = thr[np.isfinite(thr)]
    # a fiber not reached lies above every one that fired: counted as such (the median of
    # those that fired alone was biased low, 511 for 530 mA; probe of 5 December 2026)
    def at(q: float) -> float | None:
        value = threshold_quantile(thr, q)
        return value if math.isfinite(value) else None

    summary = {"fiber_class": result.fiber_class.value, "channel": result.channel,
               "channel_off": bool(args.channel_off),
               "fibers": int(thr.size),
               "chunks": result.chunks, "resumed_chunks": result.resumed,
               "seconds": result.seconds,
               "threshold_mA": {"p10": at(10), "median": at(50), "p90": at(90)}
               if finite.size else None,
               "not_reached": int(thr.size - finite.size), "files": [str(out)]}
    if result.load_ohm is not None and finite.size:
        # a voltage-set dial: the thresholds' volts through the channel's load (mA alone
        # beside estim run's volts; probe of 5 December 2026)
        ohm = result.load_ohm
        volts = {q: None if (v := at(pct)) is None else v * 1e-3 * ohm  # [mA x Ω -> V]
                 for q, pct in (("p10", 10), ("median", 50), ("p90", 90))}
        summary["threshold_V"] = volts
        summary["load_ohm"] = result.load_ohm
    if args.json:
        print_json(summary)
    else:
        median = at(50)
        missed = thr.size - finite.size
        dial = ""
        if result.load_ohm is not None and median is not None:
            dial = (f" ({median * 1e-3 * result.load_ohm:.3g} V on the dial through "
                    f"{result.load_ohm:.0f} Ω)")
        med = ("no threshold reached" if not finite.size else
               f"median threshold {median:.3g} mA{dial}" if median is not None else
               "median threshold not reached") + (
            f" ({missed:,} of {thr.size:,} not reached)" if missed else "")
        resumed = f" ({result.resumed} read from an earlier run)" if result.resumed else ""
        tasks = f"{result.chunks} task{'s' * (result.chunks != 1)}"
        # which pads, where the program has more than one pair
        under = f" under channel {result.channel!r}" if args.channels > 1 else ""
        print(f"{thr.size:,} {result.fiber_class.value} fibers{under} in {tasks}"
              f"{resumed}, {result.seconds:.1f} s: {med}")
        if args.channel_off and args.channels > 1:  # asked for by name (probe)
            print(f"channel {result.channel!r} is off (0): these are its fibers' thresholds, "
                  "should it be on")
        print(f"wrote {shown(str(out))}")
    return 0
