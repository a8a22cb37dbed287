"""Preparing the stimulator's dial in the background: :class:`Jobs` runs
:func:`estim.stimulator.engine.prepare` on one worker thread, one job per program, and says
where each one stands (queued, running with its progress, ready, failed)."""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from estim.errors import InputError
from estim.program.model import Program
from estim.stimulator.engine import DialModel, prepare
from estim.stimulator.options import JobState

__all__ = ["LET_GO_GRACE_S", "MAX_QUEUED", "PREPARE_STACK_B", "JobStatus", "Jobs", "job_id"]


def job_id(program: Program) -> str:
    """A job's id: the same for the same program (a digest of its content)."""
    return hashlib.sha256(program.model_dump_json().encode()).hexdigest()[:16]


@dataclass(frozen=True)
class JobStatus:
    """Where a background preparation stands.

    :param progress: fraction done, 0..1.
    :param message: the stage running (or the result).
    :param error: a failed job's one-line message (the CLI's for bad input).
    :param error_field: the field a bad input names, if any.
    """

    job_id: str
    state: JobState
    progress: float
    message: str
    error: str | None = None
    error_field: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {"job_id": self.job_id, "state": self.state.value, "progress": self.progress,
                "message": self.message, "error": self.error, "error_field": self.error_field}


@dataclass
class _Job:
    status: JobStatus
    model: DialModel | None = None
    #: the order it was queued in (the dict's order follows use)
    queued: int = 0
    #: when a page last submitted it or asked how it stands (the jobs' clock, s)
    asked: float = 0.0
    #: whether the page that asked for it has moved on (:meth:`Jobs.let_go`)
    let_go: bool = False


class _Unwanted(Exception):
    """Raised in a running job's progress callback to stop a preparation no page wants."""


#: Stack of the thread that prepares programs (B): deep LLVM compilation needs more than the
#: default 8 MiB.
PREPARE_STACK_B = 256 * 1024 * 1024


#: Programs that may wait for their preparation at once; older waiting ones are dropped.
MAX_QUEUED = 4

#: A job let go of (:meth:`Jobs.let_go`) is dropped or stopped only after no page has
#: submitted it or asked about it for this long (s): a page that reloads asks for its
#: program again within it and rejoins the running preparation.
LET_GO_GRACE_S = 10.0


class Jobs:
    """Background preparation, one job per program, on one worker thread.

    :param prepare_fn: what a job runs (default :func:`prepare`).
    :param keep: finished jobs remembered (the least recently used is forgotten first).
    :param grace_s: how long a job let go of waits for a page to ask about it before it is
        dropped or stopped (s; :data:`LET_GO_GRACE_S`).
    :param clock: the clock that grace is measured on (s; tests give a fake one).

    >>> jobs = Jobs()
    >>> jobs.status("nope")
    Traceback (most recent call last):
    ...
    KeyError: "job: got 'nope', expected a job id from Jobs.submit"
    >>> jobs.close()
    """

    def __init__(self, *, prepare_fn: Callable[..., DialModel] = prepare, keep: int = 16,
                 grace_s: float = LET_GO_GRACE_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._prepare = prepare_fn
        self._keep = keep
        self._grace_s = grace_s
        self._clock = clock
        self._lock = threading.Lock()
        self._jobs: OrderedDict[str, _Job] = OrderedDict()
        self._queued = 0
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="estim-prepare")

    def submit(self, program: Program, *, replaces: str | None = None) -> str:
        """Queue ``program``'s preparation; its id. A program already queued, running or
        done is not prepared again (a failed one is retried).

        :param replaces: the id of the job the page asked for before this one: it is let
            go of (:meth:`let_go`), unless it is this program's own."""
        if not isinstance(program, Program):
            raise InputError("program", type(program).__name__, "a Program")
        key = job_id(program)
        if replaces is not None and replaces != key:
            self.let_go(replaces)
        with self._lock:
            job = self._jobs.get(key)
            if job is not None and job.status.state is not JobState.FAILED:
                self._jobs.move_to_end(key)
                self._asked(job)
                return key
            self._queued += 1
            self._jobs[key] = _Job(JobStatus(key, JobState.QUEUED, 0.0, "queued"),
                                   queued=self._queued, asked=self._clock())
            self._drop_oldest_queued()
            self._forget_old()
        # The pool starts its thread on the first submit. Compiling the fiber kernels there
        # (numba/LLVM) can overrun a default thread stack and kill the process with SIGSEGV
        # (seen under estim serve): the preparing thread gets a large stack (virtual memory;
        # only what is touched is used). The previous size is restored at once.
        previous = threading.stack_size(PREPARE_STACK_B)
        try:
            self._pool.submit(self._run, key, program)
        finally:
            threading.stack_size(previous)
        return key

    def _set(self, key: str, status: JobStatus, model: DialModel | None = None) -> None:
        with self._lock:
            job = self._jobs.get(key)
            if job is not None:
                job.status = status
                job.model = model if model is not None else job.model

    def _drop_oldest_queued(self) -> None:
        """Past :data:`MAX_QUEUED` programs waiting, the oldest waiting ones are dropped
        (failed, so that asking for one again queues it anew): each change of a pad or a
        pulse width on the page asks for a program, and 200 of them queued hours of work
        that the one the user settled on waited behind (probe of 6 December 2026)."""
        waiting = sorted((j.queued, k) for k, j in self._jobs.items()
                         if j.status.state is JobState.QUEUED)
        for _, k in waiting[:max(0, len(waiting) - MAX_QUEUED)]:
            self._jobs[k].status = JobStatus(
                k, JobState.FAILED, 1.0, "dropped",
                f"dropped from the queue: {MAX_QUEUED} programs asked for after it were "
                "waiting (choose it again to prepare it)")

    def let_go(self, job_id: str) -> None:
        """The page that asked for ``job_id`` has moved on (another program chosen, or the
        page closed): if no page submits it or asks about it within the grace period, it is
        dropped while queued and stopped while running. Four quick setting changes queued
        four ~50 s preparations, and the server prepared them all at 100 % CPU after the
        browser was closed (phone probe of 7 December 2026). Only a page's word lets a job
        go: a hidden tab whose timers are slowed keeps its own. An unknown id is ignored
        (the job was forgotten, or the page's word came after a restart)."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is not None and job.status.state in (JobState.QUEUED, JobState.RUNNING):
                job.let_go = True

    def _asked(self, job: _Job) -> None:
        """A page asked about ``job``: it is wanted again (call with the lock held)."""
        job.asked = self._clock()
        job.let_go = False

    def _drop_if_unwanted(self, key: str, what: str) -> bool:
        """Fail ``key`` as dropped (``what`` says how far it got) if it was let go of and no
        page asked about it within the grace; whether it was. One step under the lock, so
        that a page asking for it meanwhile keeps it."""
        with self._lock:
            job = self._jobs.get(key)
            if job is None or not job.let_go or self._clock() - job.asked < self._grace_s:
                return False
            job.status = JobStatus(
                key, JobState.FAILED, 1.0, "dropped",
                f"{what}: the page that asked for it moved on, and none asked about it for "
                f"{self._grace_s:g} s (choose it again to prepare it)")
            return True

    def _run(self, key: str, program: Program) -> None:
        with self._lock:
            job = self._jobs.get(key)
            if job is None or job.status.state is not JobState.QUEUED:
                return  # dropped from the queue (or forgotten) before its turn
        if self._drop_if_unwanted(key, "dropped from the queue"):
            return
        self._set(key, JobStatus(key, JobState.RUNNING, 0.0, "starting"))

        def progress(fraction: float, message: str) -> None:
            # each stage's start is where a preparation no page wants is stopped
            if self._drop_if_unwanted(key, "stopped while it was prepared"):
                raise _Unwanted
            self._set(key, JobStatus(key, JobState.RUNNING, min(max(fraction, 0.0), 1.0),
                                     message))

        try:
            model = self._prepare(program, progress=progress)
        except _Unwanted:
            pass  # said so in its status already
        except InputError as err:
            self._set(key, JobStatus(key, JobState.FAILED, 1.0, "failed", str(err), err.field))
        except Exception as err:  # a job must report, never die silently in its thread
            self._set(key, JobStatus(key, JobState.FAILED, 1.0, "failed",
                                     f"{type(err).__name__}: {err}"))
        else:
            self._set(key, JobStatus(key, JobState.DONE, 1.0, "ready"), model)

    def _forget_old(self) -> None:
        finished = [k for k, j in self._jobs.items()
                    if j.status.state in (JobState.DONE, JobState.FAILED)]
        for k in finished[: max(0, len(finished) - self._keep)]:
            del self._jobs[k]

    def _job(self, key: str, *, asked: bool = True) -> _Job:
        with self._lock:
            job = self._jobs.get(key)
            if job is not None and asked:
                # the least recently used are forgotten first: a page turning its dial kept
                # its job only until 16 others were prepared (probe of 6 December 2026)
                self._jobs.move_to_end(key)
                self._asked(job)  # a page asks about it: wanted (a second tab, a reload)
        if job is None:
            raise KeyError(f"job: got {key!r}, expected a job id from Jobs.submit")
        return job

    def status(self, job_id: str, *, asked: bool = True) -> JobStatus:
        """The job's state, progress and message; a queued job's says how many programs are
        prepared before it (a page said "0 % (queued)" for 80 s behind three others that
        the menu's arrow keys had chosen on the way; probe of 6 December 2026).

        :param asked: whether a page asks (it is wanted again: :meth:`let_go`); False
            looks without that.
        :raises KeyError: an unknown (or forgotten) job id."""
        job = self._job(job_id, asked=asked)
        status = job.status
        if status.state is not JobState.QUEUED:
            return status
        with self._lock:
            now = self._clock()
            # not those let go of that no page asked about: they are dropped at their turn
            ahead = sum(1 for j in self._jobs.values() if j.queued < job.queued
                        and j.status.state in (JobState.QUEUED, JobState.RUNNING)
                        and not (j.let_go and now - j.asked >= self._grace_s))
        if not ahead:
            return status
        return replace(status, message=f"queued behind {ahead} other program"
                       + ("s" if ahead > 1 else "") + " being prepared")

    def model(self, job_id: str) -> DialModel:
        """The finished job's model.

        :raises KeyError: an unknown job id.
        :raises InputError: the job is not done (or failed: its message)."""
        job = self._job(job_id)
        if job.model is None:
            s = job.status
            why = f"a finished job (it is {s.state.value}" + (f": {s.error})" if s.error
                                                                 else ")")
            raise InputError("job", job_id, why)
        return job.model

    def wait(self, job_id: str, timeout_s: float | None = None) -> JobStatus:
        """Block until the job is done or failed (or ``timeout_s`` passes); its status.
        Waiting is not asking: a job let go of is stopped all the same."""
        start = time.monotonic()
        while True:
            s = self.status(job_id, asked=False)
            if s.state in (JobState.DONE, JobState.FAILED):
                return s
            if timeout_s is not None and time.monotonic() - start > timeout_s:
                return s
            time.sleep(0.02)

    def close(self) -> None:
        """Stop the worker after the running job (queued jobs are dropped)."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    def __enter__(self) -> Jobs:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
