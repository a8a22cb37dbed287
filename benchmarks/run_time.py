"""How long ``estim run`` takes on the default example, cold and warm.

    .venv/bin/python benchmarks/run_time.py [--program NAME] [--runs N]

Each run is the installed ``estim run PROGRAM -o DIR`` in a subprocess (imports included):
*cold* with an empty disk cache (a fresh ``ESTIM_CACHE_DIR``: the field is meshed and
solved and every fiber is thresholded, C fibers included), then *warm* with the cache that
run left (the field, the thresholds and the virtual subjects' drive ratios are read back;
the force and the report are computed again). Numba's compiled kernels are cached by the
installation and are not part of "cold", and neither is Python's bytecode (the runs keep
``__pycache__`` even where the environment sets ``PYTHONDONTWRITEBYTECODE``, as a user's
Python does). Prints each run, the medians and the load average before and after (other
work on the machine slows every run); the bar of issue 8 is 30 s cold and 5 s warm on this
2-core machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _estim() -> str:
    exe = Path(sys.executable).with_name("estim")
    return str(exe) if exe.exists() else "estim"


def _run(program: str, cache: Path, out: Path) -> float:
    # Python keeps compiled bytecode, as it does on a user's machine (a sandbox that sets
    # PYTHONDONTWRITEBYTECODE would compile estim's ~100 modules on every run, ~0.3 s)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update({"ESTIM_CACHE_DIR": str(cache), "COLUMNS": "80"})
    t0 = time.perf_counter()
    subprocess.run([_estim(), "run", program, "-o", str(out), "--force"], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--program", default="tens_conventional")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"load average before: {_load()}", flush=True)
    cold, warm = [], []
    for k in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            cache, out = Path(tmp) / "cache", Path(tmp) / "out"
            cold.append(_run(args.program, cache, out))
            warm.append(_run(args.program, cache, out))
        print(f"run {k + 1}: cold {cold[-1]:.1f} s, warm {warm[-1]:.1f} s", flush=True)
    print(f"estim run {args.program}: median cold {statistics.median(cold):.1f} s (bar 30 s), "
          f"median warm {statistics.median(warm):.1f} s (bar 5 s), {args.runs} runs")
    print(f"load average after: {_load()}")


def _load() -> str:
    """The 1, 5 and 15 minute load averages ("unknown" where the platform has none)."""
    try:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


if __name__ == "__main__":
    main()
