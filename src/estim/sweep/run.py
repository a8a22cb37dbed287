"""Running a sweep on Dask, each finished point kept as it completes.

A local cluster with one worker process per core by default, or an existing cluster by the
address of its scheduler (``tcp://HOST:PORT``). A point with the body is one task; points
of waveform metrics and safety alone (a few ms each) go several to a task, so that the
scheduler's per-task cost does not outweigh them. Each result is written by this process to
``points/<key>.json`` in the output folder as soon as it arrives (atomically: a point file
is whole or absent; a few files at once, so that cheap points do not queue behind the disk's
fsync), so an interrupted sweep, run again with the same folder, computes only the points it
has no file for. A worker that dies takes only its running points with it: Dask runs them
again on the others.

Field solutions and fiber thresholds are shared between points through estim's disk cache
(:mod:`estim.cache`): points that share a site and electrodes solve the field once. On a
cluster, give the workers one cache folder (``ESTIM_CACHE_DIR``) on a shared disk.
"""

from __future__ import annotations

import json
import logging
import math
import os
import signal
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from estim.errors import EstimWarning, InputError
from estim.sweep.plan import Point, SweepOptions, SweepPlan
from estim.sweep.point import OUTPUTS, PointResult, run_point

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["POINTS_FOLDER", "STAMP", "WORKERS_PER_CORE", "SweepRun", "local_workers",
           "open_client", "run_batch", "run_sweep", "stamp"]

#: The folder of finished points inside a sweep's output folder.
POINTS_FOLDER = "points"
#: A file a sweep leaves in its points/ (or chunks/) as it starts: the folder is an earlier
#: run's even where no point finished (every point failed, or it was stopped at once), and
#: a user's own empty points/ is not (review of 5 December 2026).
STAMP = ".estim-sweep"


def stamp(folder: Path) -> None:
    """Mark ``folder`` (a sweep's points/ or chunks/) as estim's."""
    marker = folder / STAMP
    if not marker.exists():
        marker.write_text("written by estim sweep: its finished points are kept here\n",
                          encoding="utf-8")
#: Threads of this process writing point files: each write waits for its own fsync (2.6 ms
#: a file one at a time, 0.26 ms a file sixteen at a time, measured on the project's
#: machine), which bounded a grid of 2 ms safety points at ~10 ms a point, whatever the
#: number of workers.
_WRITERS = 8
#: Most safety-only points in one task, and tasks aimed for per worker thread: a few tasks
#: each, so that the load still balances and a lost worker loses little.
_MAX_BATCH = 25
_TASKS_PER_THREAD = 8


@dataclass(frozen=True)
class SweepRun:
    """A finished (or partly failed) sweep.

    :param results: each point's result, in plan order (None: the point failed).
    :param errors: (point index, what went wrong) of each failed point.
    :param resumed: points read from files of an earlier run.
    :param computed: points computed by this run.
    """

    plan: SweepPlan
    results: tuple[PointResult | None, ...]
    errors: tuple[tuple[int, str], ...]
    resumed: int
    computed: int
    folder: Path


#: Most processes of a local cluster, per core: more only wait for the cores (100,000 asked
#: for hung for minutes making scratch folders).
WORKERS_PER_CORE = 4


def local_workers(workers: int | None) -> int:
    """The processes of a local cluster: ``workers``, or one per core; from one to
    :data:`WORKERS_PER_CORE` per core."""
    cores = os.cpu_count() or 1
    n = workers if workers is not None else cores
    most = WORKERS_PER_CORE * cores
    if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= most:
        raise InputError("--workers", workers, f"from 1 to {most} worker processes "
                         f"({WORKERS_PER_CORE} per core of this machine's {cores})")
    return n


@contextmanager
def _workers_ignore_ctrl_c() -> Iterator[None]:
    """Processes started in the block ignore Ctrl-C (an ignored SIGINT is inherited, and
    Python keeps it ignored): the terminal sends it to the whole process group, and each
    worker printed its own KeyboardInterrupt traceback, four beside the sweep's one line
    "interrupted" (probe of 5 December 2026). This process stops them as it closes the
    cluster. Outside the main thread (a web server's job) nothing is changed."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def open_client(scheduler: str | None = None, *, workers: int | None = None
                ) -> tuple[Client, Callable[[], None]]:
    """A Dask client (and how to close it): on the scheduler at ``scheduler``, or on a new
    local cluster of ``workers`` single-threaded processes (default: one per core).

    :raises InputError: no scheduler answers at ``scheduler``, or ``workers`` < 1.
    """
    from distributed import Client, LocalCluster

    if scheduler is not None:
        if not isinstance(scheduler, str) or "://" not in scheduler:
            raise InputError("--scheduler", scheduler, "a scheduler address such as "
                             "tcp://HOST:PORT")
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError, ValueError) as err:
            raise InputError("--scheduler", scheduler, f"a running Dask scheduler (cannot "
                             f"connect: {err})") from None
        except Exception as err:
            # a server that is not Dask's answered with bytes read as a 3 EiB message: a
            # traceback (docs probe of 6 December 2026)
            raise InputError("--scheduler", scheduler, "a running Dask scheduler (what "
                             f"answers there is not one: {type(err).__name__})") from None
        return client, client.close
    n = local_workers(workers)
    # The fiber kernel runs its batch on numba threads: the workers share the cores
    # instead of each taking all of them. Loopback only; the scheduler's HTTP endpoint on
    # any free port (8787 may be taken).
    threads = str(max(1, (os.cpu_count() or 1) // n))
    # Dask's own logs only when critical: a worker's missed heartbeat on a busy machine
    # printed a 25-line traceback over a sweep that then finished (probe of 5 December
    # 2026); a point's failure comes back in its result, and a lost worker's points run
    # on the others
    with _workers_ignore_ctrl_c():
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address="127.0.0.1:0",
                               silence_logs=logging.CRITICAL,
                               env={"NUMBA_NUM_THREADS": threads})
    client = Client(cluster)

    def close() -> None:
        client.close()
        cluster.close()

    return client, close


def run_sweep(plan: SweepPlan, folder: str | Path, *, scheduler: str | None = None,
              workers: int | None = None, client: Client | None = None,
              progress: Callable[[int, int], None] | None = None) -> SweepRun:
    """Run every point of ``plan`` not already finished in ``folder``.

    :param folder: the sweep's output folder (created); finished points go to
        ``folder/points``.
    :param scheduler: address of a running Dask scheduler (default: a local cluster).
    :param workers: processes of the local cluster (default: one per core).
    :param client: a Dask client to use as it is (neither ``scheduler`` nor ``workers``).
    :param progress: called with (points finished, points in the plan) as points finish.
    """
    from estim.outputs import write_output_file

    points_dir = Path(folder).expanduser() / POINTS_FOLDER
    results: dict[int, PointResult] = {}
    for p in plan.points:
        done = _read_point(points_dir / f"{p.key}.json", p.key)
        if done is not None:
            results[p.index] = done
    resumed = len(results)
    todo: dict[str, list[Point]] = {}
    for p in plan.points:
        if p.index not in results:
            todo.setdefault(p.key, []).append(p)
    total = len(plan.points)
    if progress is not None:
        progress(resumed, total)
    errors: list[tuple[int, str]] = []
    computed = 0
    said: set[str] = {w for p in plan.points for w in p.warnings}  # said when planned
    if todo:
        close: Callable[[], None] | None = None
        if client is None:
            client, close = open_client(scheduler, workers=workers)
        try:
            # made once a cluster is there: a scheduler refused left an empty points/ that
            # made the next sweep into the folder refused for it (probe of 5 December 2026)
            points_dir.mkdir(parents=True, exist_ok=True)
            stamp(points_dir)
            from distributed import as_completed

            keys = list(todo)
            size = _batch_size(len(keys), sum(client.nthreads().values()), plan.options.body)
            batches = [keys[i:i + size] for i in range(0, len(keys), size)]
            futures = {client.submit(run_batch, [todo[k][0] for k in batch], plan.options,
                                     key=f"estim-sweep-{batch[0]}-{len(batch)}"): batch
                       for batch in batches}
            with ThreadPoolExecutor(_WRITERS, thread_name_prefix="estim-sweep-write") as pool:
                writes: list[Future[object]] = []
                for future in as_completed(futures):
                    try:
                        batch_out: list[tuple[str, PointResult | None, str]] = future.result()
                    except Exception as err:  # a worker lost 3 times: every point of the task
                        batch_out = [(k, None, f"{type(err).__name__}: {err}")
                                     for k in futures[future]]
                    for key, res, error in batch_out:
                        if res is None:
                            errors.extend((p.index, error) for p in todo[key])
                            continue
                        writes.append(pool.submit(
                            write_output_file, points_dir / f"{key}.json",
                            _point_json(todo[key][0], res), force=True))
                        for p in todo[key]:
                            results[p.index] = res
                        computed += len(todo[key])
                        for note in res.notes:  # once each, in the command's own words
                            if note not in said:
                                said.add(note)
                                warnings.warn(note, EstimWarning, stacklevel=2)
                    if progress is not None:
                        progress(len(results) + len(errors), total)
                    future.release()
                for w in writes:
                    w.result()  # a point file that could not be written is an error here
        finally:
            if close is not None:
                close()
    ordered = tuple(results.get(p.index) for p in plan.points)
    return SweepRun(plan, ordered, tuple(sorted(errors)), resumed, computed,
                    Path(folder).expanduser())


def run_batch(points: Sequence[Point], options: SweepOptions
              ) -> list[tuple[str, PointResult | None, str]]:
    """Run points one after another (one task): (key, result, "") of each, or
    (key, None, what went wrong) for a point that failed, without failing the others."""
    out: list[tuple[str, PointResult | None, str]] = []
    for point in points:
        try:
            out.append((point.key, run_point(point, options), ""))
        except Exception as err:  # the point's own error, named in the table
            out.append((point.key, None, f"{type(err).__name__}: {err}"))
    return out


def _batch_size(points: int, threads: int, body: bool) -> int:
    """Points per task: one with the body (seconds each); cheap points several, aiming at
    :data:`_TASKS_PER_THREAD` tasks per worker thread."""
    if body:
        return 1
    return max(1, min(_MAX_BATCH, math.ceil(points / (_TASKS_PER_THREAD * max(threads, 1)))))


def _point_json(point: Point, result: PointResult) -> str:
    outputs = [list(x) for x in result.outputs]
    return json.dumps({"key": result.key, "inputs": [list(x) for x in point.inputs],
                       "outputs": outputs, "outputs_digest": _outputs_digest(outputs),
                       "seconds": result.seconds,
                       "program": json.loads(point.program)}, indent=1, allow_nan=False)


def _outputs_digest(outputs: Any) -> str:
    """A hash of a point's outputs as written: an r.m.s. edited to 999 mA at a 10 mA peak
    was read back as computed (probe of 5 December 2026); with it, an edited point is
    computed again."""
    import hashlib

    text = json.dumps(outputs, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


#: The columns a point may write, by name.
_COLUMNS = {o.name: o for o in OUTPUTS}


def _valid_output(name: str, value: Any) -> bool:
    """Whether a point file's output is one a point writes: a known column, and a word of
    its levels or a finite number (None: not reached)."""
    column = _COLUMNS.get(name)
    if column is None:
        return False
    if value is None:
        return True
    if column.levels:
        return value in column.levels
    if column.text:
        return isinstance(value, str)
    return isinstance(value, float | int) and not isinstance(value, bool) \
        and math.isfinite(value)


#: The largest point file read (B): a point's outputs and warnings are a few kB.
_MOST_POINT_BYTES = 1 << 20


def _read_point(path: Path, key: str) -> PointResult | None:
    """A finished point's result, or None (no file, or one that cannot be read whole; not a
    regular file or larger than :data:`_MOST_POINT_BYTES`: a named pipe there hung a
    resumed sweep, a link to /dev/zero filled the memory; hostile probe of 7 December
    2026)."""
    try:
        if not path.is_file() or path.stat().st_size > _MOST_POINT_BYTES:
            return None
        data: Any = json.loads(path.read_text(encoding="utf-8"))
        if data["key"] != key:
            return None
        outputs = tuple((str(name), value) for name, value in data["outputs"])
        if not all(_valid_output(n, v) for n, v in outputs) or \
                data.get("outputs_digest") != _outputs_digest(data["outputs"]):
            return None  # edited or from another version: computed again
        return PointResult(key, tuple((n, float(v) if isinstance(v, int) else v)
                                      for n, v in outputs), float(data["seconds"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
