"""Sweep benchmark: speed-up from 1 to 2 workers, time per point, and a large fiber
population split across workers.

    .venv/bin/python benchmarks/sweep.py [--points 200] [--repeats 3] [--body --fibers 5]
    .venv/bin/python benchmarks/sweep.py --population 100000 [--workers 2]

The grid is ``tens_conventional`` over amplitude x pulse width (safety only by default:
waveform metrics and the IEC/FDA checks; ``--body`` adds fields, fibers and effects with
``--fibers`` per class, its cache warmed first so that only fiber thresholds are timed).
Each repeat runs the whole grid into a new output folder on a new LocalCluster of 1, then
2, worker processes; the wall time counts from the first task to the last result (cluster
start-up apart, printed separately). Medians are printed.

``--population N``: thresholds of N Aβ fibers under the cathode of ``tens_conventional``,
in chunks of 1,000 across the workers; the field is solved (or read from the cache) once
first. Prints the wall time and the time per fiber.
"""

from __future__ import annotations

import argparse
import math
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

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


def sweep_times(points: int, repeats: int, options: SweepOptions) -> None:
    plan = _grid(points, options)
    print(f"grid: {len(plan.points)} points, body={options.body}, fibers={options.fibers}")
    if options.body:  # solve the field once: the fibers are timed, not the FEM
        from estim.sweep import run_point

        run_point(plan.points[0], replace(options, fibers=1))
    walls: dict[int, list[float]] = {1: [], 2: []}
    starts: dict[int, list[float]] = {1: [], 2: []}
    per_point: list[float] = []
    for repeat in range(repeats):
        for workers in (1, 2):
            # new fibers in every run, so that no run reads another's thresholds
            plan = _grid(points, replace(options, seed=1 + 2 * repeat + workers))
            with tempfile.TemporaryDirectory() as tmp:
                t0 = time.perf_counter()
                client, close = open_client(workers=workers)
                client.wait_for_workers(workers)
                # import estim on every worker before timing (a cold worker pays ~1 s once)
                client.run(lambda: __import__("estim.sweep.point"))
                t1 = time.perf_counter()
                try:
                    run = run_sweep(plan, Path(tmp), client=client)
                finally:
                    t2 = time.perf_counter()
                    close()
            assert not run.errors and run.computed == len(plan.points)
            walls[workers].append(t2 - t1)
            starts[workers].append(t1 - t0)
            if workers == 1:
                per_point += [r.seconds for r in run.results if r is not None]
    w1, w2 = statistics.median(walls[1]), statistics.median(walls[2])
    n = len(plan.points)
    print(f"cluster start-up: 1 worker {statistics.median(starts[1]):.2f} s, "
          f"2 workers {statistics.median(starts[2]):.2f} s (medians)")
    print(f"1 worker : {w1:.2f} s wall, {w1 / n * 1e3:.1f} ms per point")
    print(f"2 workers: {w2:.2f} s wall, {w2 / n * 1e3:.1f} ms per point")
    print(f"speed-up 1 -> 2 workers: {w1 / w2:.2f}x (median of {repeats} repeats)")
    print(f"time per point on its worker: median {statistics.median(per_point) * 1e3:.1f} ms")


def population_time(fibers: int, workers: int, chunk: int) -> None:
    from estim.sweep.population import population_thresholds

    client, close = open_client(workers=workers)
    try:
        client.wait_for_workers(workers)
        t0 = time.perf_counter()
        result = population_thresholds(PROGRAM, fibers=fibers, chunk=chunk, client=client)
        wall = time.perf_counter() - t0
    finally:
        close()
    print(result)
    print(f"{fibers:,} Aβ fibers on {workers} workers in {result.chunks} tasks: {wall:.1f} s "
          f"wall, {wall / fibers * 1e3:.2f} ms per fiber "
          f"({wall * workers / fibers * 1e3:.1f} worker-ms per fiber)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=200)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--body", action="store_true")
    ap.add_argument("--fibers", type=int, default=5)
    ap.add_argument("--population", type=int, default=None)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--chunk", type=int, default=1000)
    args = ap.parse_args()
    if args.population:
        population_time(args.population, args.workers, args.chunk)
    else:
        sweep_times(args.points, args.repeats,
                    SweepOptions(body=args.body, fibers=args.fibers if args.body else None))


if __name__ == "__main__":
    main()
