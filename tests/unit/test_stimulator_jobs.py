"""Background preparation: one job per program, progress while it runs, failures reported."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from estim.errors import InputError
from estim.program.bundled import resolve_program
from estim.program.model import Program
from estim.stimulator import Jobs, JobState, job_id
from tests.fakes import Clock, Stages


def _program(name: str = "tens_conventional") -> Program:
    return resolve_program(name)[0]


class Gate:
    """A prepare function that reports progress, then waits to be released."""

    def __init__(self) -> None:
        self.reached = threading.Event()
        self.release = threading.Event()
        self.calls = 0

    def __call__(self, program: Program, *, progress: Callable[[float, str], None]) -> Any:
        self.calls += 1
        progress(0.5, "thresholds: halfway")
        self.reached.set()
        assert self.release.wait(10)
        return f"model of {program.name}"


def test_a_job_runs_in_the_background_with_progress() -> None:
    gate = Gate()
    with Jobs(prepare_fn=gate) as jobs:
        key = jobs.submit(_program())
        assert key == job_id(_program())  # stable per program
        assert gate.reached.wait(10)
        status = jobs.status(key)
        assert (status.state, status.progress, status.message) == \
            (JobState.RUNNING, 0.5, "thresholds: halfway")
        with pytest.raises(InputError, match=r"a finished job \(it is running"):
            jobs.model(key)
        gate.release.set()
        done = jobs.wait(key, timeout_s=10)
        assert done.state is JobState.DONE and done.progress == 1.0
        assert jobs.model(key) == "model of Conventional TENS, lower back"
        # the same program again is the same job, not a second preparation
        assert jobs.submit(_program()) == key and gate.calls == 1


def test_a_failed_job_reports_the_one_line_message_and_is_retried() -> None:
    calls: list[str] = []

    def refuse(program: Program, *, progress: Callable[[float, str], None]) -> Any:
        calls.append(program.name)
        raise InputError("site.name", "moon", "a site")

    with Jobs(prepare_fn=refuse) as jobs:
        key = jobs.submit(_program())
        status = jobs.wait(key, timeout_s=10)
        assert status.state is JobState.FAILED
        assert status.error == "site.name: got 'moon', expected a site"
        assert status.error_field == "site.name"
        with pytest.raises(InputError, match=r"failed: site\.name"):
            jobs.model(key)
        jobs.submit(_program())
        jobs.wait(key, timeout_s=10)
        assert len(calls) == 2


def test_an_unexpected_error_is_reported_not_lost_in_the_thread() -> None:
    def crash(program: Program, *, progress: Callable[[float, str], None]) -> Any:
        raise RuntimeError("solver diverged")

    with Jobs(prepare_fn=crash) as jobs:
        status = jobs.wait(jobs.submit(_program()), timeout_s=10)
        assert status.state is JobState.FAILED
        assert status.error == "RuntimeError: solver diverged" and status.error_field is None


def test_jobs_run_one_at_a_time_in_order_and_unknown_ids_are_refused() -> None:
    gate = Gate()
    with Jobs(prepare_fn=gate) as jobs:
        first = jobs.submit(_program("tens_conventional"))
        second = jobs.submit(_program("tens_burst"))
        assert first != second
        assert gate.reached.wait(10)
        assert jobs.status(second).state is JobState.QUEUED
        assert jobs.status(second).message == "queued behind 1 other program being prepared"
        gate.release.set()
        assert jobs.wait(second, timeout_s=10).state is JobState.DONE
        with pytest.raises(KeyError, match="expected a job id"):
            jobs.status("0" * 16)
        with pytest.raises(InputError, match="program"):
            jobs.submit("tens_conventional")  # type: ignore[arg-type]


def test_the_job_a_page_is_using_is_forgotten_last() -> None:
    """Only ``keep`` finished jobs are held; the page's own went after 16 others were
    prepared although its dial was being turned (probe of 6 December 2026): the least
    recently used finished job is the one forgotten."""
    def quick(program: Program, *, progress: Callable[[float, str], None]) -> Any:
        return f"model of {program.name}"

    names = ["tens_conventional", "tens_burst", "tens_modulated", "nmes_quadriceps"]
    with Jobs(prepare_fn=quick, keep=2) as jobs:
        keys = []
        for name in names[:2]:
            keys.append(jobs.submit(_program(name)))
            assert jobs.wait(keys[-1], timeout_s=10).state is JobState.DONE
        jobs.model(keys[0])  # the page turns its dial on the first
        for name in names[2:]:
            key = jobs.submit(_program(name))
            assert jobs.wait(key, timeout_s=10).state is JobState.DONE
            jobs.model(keys[0])
        assert jobs.model(keys[0]) == "model of " + _program(names[0]).name
        with pytest.raises(KeyError):
            jobs.status(keys[1])  # used least recently: forgotten


def test_past_the_queues_bound_the_oldest_waiting_programs_are_dropped() -> None:
    """200 programs asked for in a row all waited, hours of one worker, and the one the user
    settled on waited behind them (probe of 6 December 2026). Past MAX_QUEUED waiting, the
    oldest waiting ones are dropped unprepared, said so, and prepared when asked for again."""
    from estim.stimulator.jobs import MAX_QUEUED

    gate = Gate()
    prepared: list[str] = []

    def gated(program: Program, *, progress: Callable[[float, str], None]) -> Any:
        prepared.append(program.name)
        return gate(program, progress=progress)

    names = ["tens_conventional", "tens_burst", "tens_modulated", "tens_acupuncture",
             "nmes_quadriceps", "russian_quadriceps", "microcurrent_face"]
    assert len(names) == MAX_QUEUED + 3
    with Jobs(prepare_fn=gated) as jobs:
        running = jobs.submit(_program(names[0]))
        assert gate.reached.wait(10)  # the first runs; the others wait behind it
        waiting = [jobs.submit(_program(n)) for n in names[1:]]
        dropped, kept = waiting[:2], waiting[2:]
        for key in dropped:
            status = jobs.status(key)
            assert status.state is JobState.FAILED and "dropped from the queue" in status.error
        assert all(jobs.status(k).state is JobState.QUEUED for k in kept)
        gate.release.set()
        for key in kept:
            assert jobs.wait(key, timeout_s=10).state is JobState.DONE
        assert jobs.status(running).state is JobState.DONE
        # the dropped were never prepared
        assert prepared == [_program(n).name for n in (names[0], *names[3:])]
        again = jobs.submit(_program(names[1]))  # asked for again: queued and prepared
        assert again == dropped[0] and jobs.wait(again, timeout_s=10).state is JobState.DONE


def test_a_running_job_let_go_of_is_stopped_after_the_grace() -> None:
    """Four quick setting changes prepared four ~50 s programs one after another, and the
    server stayed at 100 % CPU after the browser was closed (phone probe of 7 December
    2026): a job the page let go of, that no page asked about for the grace, stops at its
    next stage and says how to have it again."""
    clock, stages = Clock(), Stages()
    with Jobs(prepare_fn=stages, grace_s=10.0, clock=clock) as jobs:
        key = jobs.submit(_program())
        assert stages.reached.wait(10)
        jobs.let_go(key)
        clock.now = 10.0
        stages.release.set()
        status = jobs.wait(key, timeout_s=10)
        assert (status.state, status.message) == (JobState.FAILED, "dropped")
        assert status.error is not None and "stopped while it was prepared" in status.error
        assert "choose it again to prepare it" in status.error
        assert stages.finished == []  # stopped before its second stage ran
        assert jobs.wait(jobs.submit(_program()), timeout_s=10).state is JobState.DONE


def test_a_page_that_asks_again_within_the_grace_rejoins_the_running_job() -> None:
    """A reload lets the job go (the page's pagehide) and asks for the same program a few
    seconds later: the running preparation goes on, not started again; a second tab's
    status poll keeps it the same way."""
    clock, stages = Clock(), Stages()
    with Jobs(prepare_fn=stages, grace_s=10.0, clock=clock) as jobs:
        key = jobs.submit(_program())
        assert stages.reached.wait(10)
        jobs.let_go(key)
        clock.now = 3.0
        assert jobs.submit(_program()) == key  # the reloaded page
        jobs.let_go(key)
        clock.now = 5.0
        jobs.status(key)  # another tab polling the same program
        clock.now = 100.0
        stages.release.set()
        assert jobs.wait(key, timeout_s=10).state is JobState.DONE
        assert stages.prepared == [_program().name]


def test_a_job_never_let_go_of_is_kept_however_long_nobody_asks() -> None:
    """A hidden tab's timers are slowed to a poll a minute or less: without the page's word
    (a replacement or its pagehide) its job is never dropped."""
    clock, stages = Clock(), Stages()
    with Jobs(prepare_fn=stages, grace_s=10.0, clock=clock) as jobs:
        key = jobs.submit(_program())
        assert stages.reached.wait(10)
        clock.now = 3600.0
        stages.release.set()
        assert jobs.wait(key, timeout_s=10).state is JobState.DONE


def test_a_queued_job_replaced_by_another_is_dropped_unprepared() -> None:
    """The page's next settings name the job they replace: a queued one no page asks about
    is dropped at its turn, and the replacement is not counted as waiting behind it; a
    replacement naming its own program lets nothing go."""
    clock, stages = Clock(), Stages()
    with Jobs(prepare_fn=stages, grace_s=10.0, clock=clock) as jobs:
        first = jobs.submit(_program("tens_conventional"))
        assert stages.reached.wait(10)
        second = jobs.submit(_program("tens_burst"))
        assert jobs.submit(_program("tens_burst"), replaces=second) == second
        third = jobs.submit(_program("tens_modulated"), replaces=second)
        clock.now = 10.0
        assert jobs.status(third).message == "queued behind 1 other program being prepared"
        stages.release.set()
        assert jobs.wait(third, timeout_s=10).state is JobState.DONE
        status = jobs.status(second)
        assert status.state is JobState.FAILED and status.error is not None
        assert "dropped from the queue" in status.error
        assert jobs.status(first).state is JobState.DONE
        assert stages.prepared == [_program(n).name for n in ("tens_conventional",
                                                              "tens_modulated")]
        jobs.let_go("0" * 16)  # an unknown (forgotten) job: nothing to let go
