"""The virtual stimulator's dial: latency of a dial step, and time to a first answer for a new
program, cold and warm.

    .venv/bin/python benchmarks/stimulator.py [--program NAME ...] [--steps 200]

For each program, two fresh interpreters (imports are not timed: a server has them loaded):

* *cold*: an empty disk cache (a fresh ``ESTIM_CACHE_DIR``, which :mod:`estim.cache` reads):
  ``settings_program`` + ``prepare`` (the field is meshed and solved, every fiber is
  thresholded, the safety and force tables are built) + the first ``DialModel.at``;
* *warm*: the same with the cache the cold run left (what a second visit to the program, or
  a program already prepared by ``estim run``, costs).

In the warm interpreter the dial is then turned over ``--steps`` settings from 0 to the device
maximum in a shuffled order, timing ``DialModel.at`` alone and ``at`` + ``waveform`` (what
the page asks for at each step); medians and 95th percentiles in ms. The bar of issue 11 is
100 ms p95 per dial step on this 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def child(program: str, steps: int) -> dict[str, float]:
    """Run in a fresh interpreter: time the first answer, then the dial."""
    import numpy as np

    from estim.stimulator import DeviceSettings, prepare, settings_program

    t0 = time.perf_counter()
    model = prepare(settings_program(DeviceSettings(mode=program)))
    model.at(model.program.channels[0].stimulation.amplitude.value)
    first = time.perf_counter() - t0
    rng = np.random.default_rng(0)
    settings = rng.permutation(np.linspace(0.0, model.max_amplitude_a, steps))
    at_ms, step_ms = [], []
    for a in settings:
        t = time.perf_counter()
        model.at(float(a))
        at_ms.append((time.perf_counter() - t) * 1e3)
        t = time.perf_counter()
        model.at(float(a))
        model.waveform(float(a))
        step_ms.append((time.perf_counter() - t) * 1e3)
    return {"first_s": first, "safety_calls": float(model.safety.calls if model.safety else 0),
            "at_median_ms": float(np.median(at_ms)), "at_p95_ms": float(np.percentile(at_ms, 95)),
            "step_median_ms": float(np.median(step_ms)),
            "step_p95_ms": float(np.percentile(step_ms, 95))}


def _spawn(program: str, steps: int, cache: Path) -> dict[str, float]:
    env = {**os.environ, "ESTIM_CACHE_DIR": str(cache)}
    out = subprocess.run([sys.executable, __file__, "--child", program, "--steps", str(steps)],
                         env=env, check=True, capture_output=True, text=True)
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--program", nargs="+", default=["tens_conventional", "nmes_quadriceps"])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.steps)))
        return
    rows = []
    for program in args.program:
        with tempfile.TemporaryDirectory() as tmp:
            cold = _spawn(program, args.steps, Path(tmp) / "cache")
            warm = _spawn(program, args.steps, Path(tmp) / "cache")
        rows.append((program, cold, warm))
        print(f"{program}: cold {cold['first_s']:.1f} s, warm {warm['first_s']:.1f} s",
              flush=True)
    print()
    print(f"{'program':<22} {'first answer':>17} {'check':>6} {'dial step: at()':>17} "
          f"{'at() + waveform':>17}")
    print(f"{'':<22} {'cold s':>8} {'warm s':>8} {'calls':>6} {'median':>8} {'p95 ms':>8} "
          f"{'median':>8} {'p95 ms':>8}")
    for program, cold, warm in rows:
        print(f"{program:<22} {cold['first_s']:8.1f} {warm['first_s']:8.1f} "
              f"{warm['safety_calls']:6.0f} {warm['at_median_ms']:8.3f} {warm['at_p95_ms']:8.3f} "
              f"{warm['step_median_ms']:8.3f} {warm['step_p95_ms']:8.3f}")
    print(f"({args.steps} dial settings per program, shuffled; bar: 100 ms p95 per step)")


if __name__ == "__main__":
    main()
