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


def _gone_pid() -> int:
    """The id of a process that has finished."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.fixture
def estim_like() -> Iterator[int]:
    """A live process whose command line names estim (as a running sweep's does)."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "estim"])
    yield child.pid
    child.kill()
    child.wait()


def test_a_folder_another_live_run_holds_is_refused(tmp_path: Path, estim_like: int) -> None:
    folder = tmp_path / "sweep"
    folder.mkdir()
    (folder / LOCK).write_text(f"{estim_like}\n", encoding="utf-8")
    with pytest.raises(InputError, match=f"estim process {estim_like} is writing into it"):
        with only_run(folder):
            pytest.fail("ran beside another run")
    assert (folder / LOCK).read_text(encoding="utf-8") == f"{estim_like}\n"  # not taken


def test_a_lock_of_this_process_or_of_a_process_that_is_not_estim_is_taken_over(
        tmp_path: Path) -> None:
    """A container's process 1, or a process id reused by another program, refused the
    folder for ever after a run stopped by SIGTERM (review of 5 December 2026)."""
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        for pid in (os.getpid(), sleeper.pid):
            folder = tmp_path / f"sweep{pid}"
            folder.mkdir()
            (folder / LOCK).write_text(f"{pid}\n", encoding="utf-8")
            with only_run(folder):
                pass
            assert not (folder / LOCK).exists()
    finally:
        sleeper.kill()
        sleeper.wait()


def test_a_lock_from_another_host_is_taken_as_alive(tmp_path: Path) -> None:
    folder = tmp_path / "sweep"
    folder.mkdir()
    (folder / LOCK).write_text("4242 elsewhere.example\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"estim process 4242 on elsewhere\.example"):
        with only_run(folder):
            pytest.fail("ran beside another host's run")


def test_sigterm_ends_the_run_through_its_lock(tmp_path: Path) -> None:
    """A run stopped by `kill` (a container stopped, a job's time limit) left its lock."""
    import signal

    folder = tmp_path / "sweep"
    with pytest.raises(SystemExit) as stopped:
        with only_run(folder):
            os.kill(os.getpid(), signal.SIGTERM)
            signal.pthread_sigmask(signal.SIG_BLOCK, [])  # let the handler run here
    assert stopped.value.code == 143
    assert not (folder / LOCK).exists()


def test_the_lock_is_held_while_running_and_released_after(tmp_path: Path) -> None:
    folder = tmp_path / "new" / "sweep"
    seen = []
    with only_run(folder, recheck=lambda: seen.append((folder / LOCK).is_file())):
        assert (folder / LOCK).read_text(encoding="utf-8").split()[0] == str(os.getpid())
        (folder / "sweep.csv").write_text("key\n", encoding="utf-8")
    assert seen == [True]  # the earlier run's table is checked again under the lock
    assert not (folder / LOCK).exists() and (folder / "sweep.csv").is_file()


def test_a_lock_left_by_a_run_that_is_gone_is_taken_over(tmp_path: Path) -> None:
    folder = tmp_path / "sweep"
    folder.mkdir()
    (folder / LOCK).write_text(f"{_gone_pid()}\n", encoding="utf-8")
    with only_run(folder):
        assert (folder / LOCK).read_text(encoding="utf-8").split()[0] == str(os.getpid())
    assert not (folder / LOCK).exists()


def test_a_refused_run_leaves_no_folder_it_made(tmp_path: Path) -> None:
    folder = tmp_path / "sweep"
    with pytest.raises(RuntimeError):
        with only_run(folder):
            raise RuntimeError("the scheduler refused")
    assert not folder.exists()


def test_the_cli_refuses_a_folder_in_use(tmp_path: Path, capsys, estim_like: int) -> None:
    folder = tmp_path / "sweep"
    folder.mkdir()
    (folder / LOCK).write_text(f"{estim_like}\n", encoding="utf-8")
    assert main(["sweep", "tens_conventional", "--safety-only", "--vary",
                 "amplitude=10,20mA", "-o", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "--output" in err and "is writing into it now" in err
    assert sorted(p.name for p in folder.iterdir()) == [LOCK]  # nothing written


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
