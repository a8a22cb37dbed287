"""One run at a time writes into a sweep's folder: two sweeps started together into one
folder both ran, and one's table replaced the other's without --force, where run one after
the other the second is refused (probe of 5 December 2026)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from estim.cli.main import main
from estim.cli.sweep import LOCK, only_run
from estim.errors import InputError

_HOLD = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_CREAT | os.O_RDWR)
fcntl.flock(fd, fcntl.LOCK_EX)
os.write(fd, f"{os.getpid()} otherhost\\n".encode())
print("held", flush=True)
time.sleep(60)
"""


@pytest.fixture
def held(tmp_path: Path) -> Iterator[Path]:
    """A folder whose lock another live process holds (as a running sweep does)."""
    folder = tmp_path / "held"
    folder.mkdir()
    child = subprocess.Popen([sys.executable, "-c", _HOLD, str(folder / LOCK)],
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdout.readline() == "held\n"
    yield folder
    child.kill()
    child.wait()


def test_a_folder_another_live_run_holds_is_refused(held: Path) -> None:
    with pytest.raises(InputError, match=r"estim process \d+ on otherhost is writing into"):
        with only_run(held):
            pytest.fail("ran beside another run")
    assert (held / LOCK).exists()  # not taken, not removed


def test_another_thread_of_this_process_is_refused(tmp_path: Path) -> None:
    """A process id in a file let two threads (or two processes of one id in two PID
    namespaces) both hold the folder (review of 5 December 2026)."""
    import threading

    folder = tmp_path / "sweep"
    seen: list[str] = []

    def second() -> None:
        try:
            with only_run(folder):
                seen.append("both inside")
        except InputError as err:
            seen.append(err.expected)

    with only_run(folder):
        t = threading.Thread(target=second)
        t.start()
        t.join()
    assert len(seen) == 1 and seen[0].startswith("a folder no other run is writing")


def test_a_lock_no_live_run_holds_is_taken_over(tmp_path: Path) -> None:
    """A lock file left by a run killed with SIGKILL, by a container whose host name has
    changed, or with any process id in it: the kernel released its lock."""
    folder = tmp_path / "sweep"
    folder.mkdir()
    (folder / LOCK).write_text("1 deadbeefcafe\n", encoding="utf-8")
    with only_run(folder):
        assert (folder / LOCK).read_text(encoding="utf-8").split()[0] == str(os.getpid())
    assert not (folder / LOCK).exists()


def test_the_lock_is_held_while_running_and_released_after(tmp_path: Path) -> None:
    folder = tmp_path / "new" / "sweep"
    seen = []
    with only_run(folder, recheck=lambda: seen.append((folder / LOCK).is_file())):
        assert (folder / LOCK).read_text(encoding="utf-8").split()[0] == str(os.getpid())
        (folder / "sweep.csv").write_text("key\n", encoding="utf-8")
    assert seen == [True]  # the earlier run's table is checked again under the lock
    assert not (folder / LOCK).exists() and (folder / "sweep.csv").is_file()


def test_a_refused_run_leaves_no_folder_it_made(tmp_path: Path) -> None:
    folder = tmp_path / "sweep"
    with pytest.raises(RuntimeError):
        with only_run(folder):
            raise RuntimeError("the scheduler refused")
    assert not folder.exists()


def test_the_cli_refuses_a_folder_in_use(held: Path, capsys) -> None:
    assert main(["sweep", "tens_conventional", "--safety-only", "--vary",
                 "amplitude=10,20mA", "-o", str(held)]) == 2
    err = capsys.readouterr().err
    assert "--output" in err and "is writing into it now" in err
    assert sorted(p.name for p in held.iterdir()) == [LOCK]  # nothing written


def test_the_cli_takes_a_folder_a_killed_run_left(tmp_path: Path, capsys) -> None:
    """Its lock file alone in the folder read as someone's file: refused without --force."""
    folder = tmp_path / "sweep"
    folder.mkdir()
    (folder / LOCK).write_text("4242 elsewhere\n", encoding="utf-8")
    assert main(["sweep", "tens_conventional", "--safety-only", "--vary",
                 "amplitude=10,20mA", "-o", str(folder)]) == 0
    assert LOCK not in {p.name for p in folder.iterdir()}


def test_a_run_off_a_terminal_says_how_far_it_is_now_and_then() -> None:
    """A sweep run off a terminal (a log, a job) printed nothing until it ended (probe of
    5 December 2026): a line at most every 30 s and at the end, the time left at the pace
    of the points computed so far (not of an earlier run's, read at once)."""
    import io

    from estim.cli.sweep import _progress_lines

    now = [0.0]
    out = io.StringIO()
    step = _progress_lines(out, every_s=30.0, clock=lambda: now[0])
    step(10, 110)  # 10 read from an earlier run
    now[0] = 10.0
    step(20, 110)  # 10 s later: no line yet
    now[0] = 40.0
    step(30, 110)  # 20 computed in 40 s: 80 left take 160 s
    now[0] = 200.0
    step(110, 110)
    assert out.getvalue().splitlines() == [
        "estim sweep: 30 of 110 points (27%), 40 s, about 3 min left",
        "estim sweep: 110 of 110 points (100%), 3 min"]


def test_hours_of_work_are_said_before_they_start(capsys) -> None:
    from estim.cli.sweep import _say_cost
    from estim.program.bundled import bundled_examples
    from estim.sweep import SweepOptions, parse_axis, plan_sweep

    tens = bundled_examples()["tens_conventional"]
    big = plan_sweep(tens, [parse_axis("amplitude=1,2mA")],
                     options=SweepOptions(fibers=100_000))
    _say_cost(big, sys.stderr)
    err = capsys.readouterr().err
    # 2 points x 8 s x 500,000 / 460 fibers = 4.8 h
    assert err.startswith("estim sweep: 2 points of about 500,000 fibers each: roughly "
                          "5 hours of one core")
    small = plan_sweep(tens, [parse_axis("amplitude=1,2mA")])
    _say_cost(small, sys.stderr)
    assert capsys.readouterr().err == ""
