"""Sweep benchmark: speed-up from 1 to 2 workers, time per point, and a large fiber
population split across workers.

    .venv/bin/python benchmarks/sweep.py [--points 200] [--repeats 3] [--body --fibers 5]
    .venv/bin/python benchmarks/sweep.py --population 100000 [--workers 2] [--seed S]

The grid is ``tens_conventional`` over amplitude x pulse width (safety only by default:
waveform metrics and the IEC/FDA checks; ``--body`` adds fields, fibers and effects with
``--fibers`` per class, its cache warmed first so that only the per-point work is timed).
Each repeat runs the whole grid into a new output folder on a new LocalCluster of 1, then
2, worker processes, each worker warmed first (estim imported, the fiber kernel loaded);
the wall time counts from the first task to the last result. Medians are printed.

The speed-up is only as good as the cores the machine gives: beside each wall time the
benchmark prints the CPU the workers used (their ``getrusage``, all threads), the CPU of
this process (client and scheduler) and how busy the whole machine was (``/proc/stat``),
so that a low speed-up can be told apart as the machine's other work or as ours.

``--population N``: thresholds of N Aβ fibers under the cathode of ``tens_conventional``,
in chunks of ``--chunk`` fibers across the workers; the field is solved (or read from the
cache) and every worker warmed first. The seed is new on every run (printed; ``--seed`` to
fix it) so that no chunk comes from the threshold cache. Prints the wall time, fibers per
second and the worker CPU per fiber.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

from estim.program.bundled import bundled_examples
from estim.sweep import SweepOptions, open_client, parse_axis, plan_sweep, run_sweep

PROGRAM = bundled_examples()["tens_conventional"]


def _grid(points: int, options: SweepOptions):  # type: ignore[no-untyped-def]
    if options.body:  # every point new thresholds under one field (the interface's frequency
        # follows the pulse width, which stays): the gap changes the pulse, not the field
        return plan_sweep(PROGRAM, [parse_axis(f"interphase_gap=0..100us:{points}")],
                          options=options)
    widths = 4
    amps = max(1, math.ceil(points / widths))
    return plan_sweep(PROGRAM, [parse_axis(f"amplitude=1..60mA:{amps}"),
                                parse_axis("pulse_width=50,100,200,400us")], options=options)


def _machine_busy_s() -> float:
    """CPU seconds the whole machine has spent busy since boot (all cores, /proc/stat)."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return math.nan
    ticks = [int(x) for x in fields]
    idle = ticks[3] + ticks[4]  # idle + iowait
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _cpu_s() -> float:
    """CPU seconds of this process, all threads (user + system)."""
    import resource

    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _warm() -> bool:
    """Import what a point imports and load the compiled fiber kernel (a cold worker pays
    this once, ~1-3 s, which is start-up, not per-point work)."""
    import numpy as np

    import estim.effects.program  # noqa: F401
    from estim.fibers import RectangularPulse, find_thresholds, make_fiber

    fibers = [make_fiber("mrg", 10e-6, n_nodes=11) for _ in range(2)]
    find_thresholds(fibers, lambda p: 0.2 / np.linalg.norm(p - [0, 1e-3, 0], axis=1),
                    RectangularPulse(1e-4), precision=0.1)
    return True


@dataclass(frozen=True)
class Usage:
    """CPU use over one timed run (s)."""

    wall: float
    workers_cpu: float
    client_cpu: float
    machine_busy: float

    def words(self) -> str:
        others = self.machine_busy - self.workers_cpu - self.client_cpu
        return (f"workers {self.workers_cpu / self.wall:.2f} cores, client+scheduler "
                f"{self.client_cpu / self.wall:.2f}, machine busy "
                f"{self.machine_busy / self.wall:.2f} of {os.cpu_count()} "
                f"(other work {max(others, 0.0) / self.wall:.2f})")


def _timed(client: Any, work: Any) -> tuple[Any, Usage]:
    """Run ``work()`` and measure wall time, worker, client and machine CPU over it."""
    w0 = sum(client.run(_cpu_s).values())
    c0, m0, t0 = _cpu_s(), _machine_busy_s(), time.perf_counter()
    out = work()
    t1, c1, m1 = time.perf_counter(), _cpu_s(), _machine_busy_s()
    w1 = sum(client.run(_cpu_s).values())
    return out, Usage(t1 - t0, w1 - w0, c1 - c0, m1 - m0)


def sweep_times(points: int, repeats: int, options: SweepOptions) -> None:
    plan = _grid(points, options)
    print(f"grid: {len(plan.points)} points, body={options.body}, fibers={options.fibers}")
    if options.body:  # solve the field once: the per-point work is timed, not the FEM
        from estim.sweep import run_point

        run_point(plan.points[0], replace(options, fibers=1))
    usage: dict[int, list[Usage]] = {1: [], 2: []}
    per_point: dict[int, list[float]] = {1: [], 2: []}
    for repeat in range(repeats):
        for workers in (1, 2):
            # new fibers in every run, so that no run reads another's thresholds
            plan = _grid(points, replace(options, seed=1 + 2 * repeat + workers))
            with tempfile.TemporaryDirectory() as tmp:
                client, close = open_client(workers=workers)
                try:
                    client.wait_for_workers(workers)
                    client.run(_warm)
                    run, use = _timed(client, partial(run_sweep, plan, Path(tmp),
                                                      client=client))
                finally:
                    close()
            assert not run.errors and run.computed == len(plan.points)
            usage[workers].append(use)
            per_point[workers] += [r.seconds for r in run.results if r is not None]
            print(f"  repeat {repeat + 1}, {workers} worker{'s' * (workers > 1)}: "
                  f"{use.wall:.2f} s wall; {use.words()}", flush=True)
    n = len(plan.points)
    w1 = statistics.median(u.wall for u in usage[1])
    w2 = statistics.median(u.wall for u in usage[2])
    cpu1 = statistics.median(u.workers_cpu for u in usage[1]) / n
    cpu2 = statistics.median(u.workers_cpu for u in usage[2]) / n
    print(f"1 worker : {w1:.2f} s wall, {w1 / n * 1e3:.1f} ms per point")
    print(f"2 workers: {w2:.2f} s wall, {w2 / n * 1e3:.1f} ms per point")
    print(f"speed-up 1 -> 2 workers: {w1 / w2:.2f}x (median of {repeats} repeats)")
    print(f"time per point on its worker: median {statistics.median(per_point[1]) * 1e3:.1f}"
          f" ms (1 worker), {statistics.median(per_point[2]) * 1e3:.1f} ms (2 workers)")
    print(f"worker CPU per point: {cpu1 * 1e3:.1f} ms (1 worker), {cpu2 * 1e3:.1f} ms "
          f"(2 workers)")
    got1 = statistics.median(u.workers_cpu / u.wall for u in usage[1])
    got2 = statistics.median(u.workers_cpu / u.wall for u in usage[2])
    others = statistics.median((u.machine_busy - u.workers_cpu - u.client_cpu) / u.wall
                               for u in usage[1] + usage[2])
    print(f"cores the workers got: {got1:.2f} (1 worker), {got2:.2f} (2 workers), other work "
          f"on the machine {max(others, 0.0):.2f} cores (medians): the cores allowed "
          f"{got2 / got1:.2f}x")


def population_time(fibers: int, workers: int, chunk: int, seed: int) -> None:
    from estim.sweep.population import population_thresholds

    client, close = open_client(workers=workers)
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.perf_counter()
        if done == total or now - last[0] > 30:
            last[0] = now
            print(f"  {done:,}/{total:,} fibers", file=sys.stderr, flush=True)

    try:
        client.wait_for_workers(workers)
        client.run(_warm)
        # the field: solved (or read from the cache) on one worker and in this process
        population_thresholds(PROGRAM, fibers=1, chunk=1, seed=seed + 1, client=client)
        result, use = _timed(client, lambda: population_thresholds(
            PROGRAM, fibers=fibers, chunk=chunk, seed=seed, client=client,
            progress=progress))
    finally:
        close()
    print(result)
    print(f"{fibers:,} Aβ fibers (seed {seed}) on {workers} workers in {result.chunks} tasks "
          f"of {chunk:,}: {use.wall:.1f} s wall ({use.wall / 60:.1f} min), "
          f"{fibers / use.wall:.1f} fibers per second, {use.wall / fibers * 1e3:.2f} ms per "
          f"fiber")
    print(f"worker CPU: {use.workers_cpu / fibers * 1e3:.1f} ms per fiber; {use.words()}")
    if fibers < 100_000:
        print(f"projection (not measured): 100,000 fibers at this rate "
              f"{100_000 / fibers * use.wall / 60:.1f} min")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=200)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--body", action="store_true")
    ap.add_argument("--fibers", type=int, default=5)
    ap.add_argument("--population", type=int, default=None)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--chunk", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=None,
                    help="population seed (default: new every run, so nothing is cached)")
    args = ap.parse_args()
    if args.population:
        seed = args.seed if args.seed is not None else int(time.time()) % 1_000_000
        population_time(args.population, args.workers, args.chunk, seed)
    else:
        sweep_times(args.points, args.repeats,
                    SweepOptions(body=args.body, fibers=args.fibers if args.body else None))


if __name__ == "__main__":
    main()
