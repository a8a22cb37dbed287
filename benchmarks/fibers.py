"""Fiber thresholds: estim against PyFibers/NEURON, and population throughput.

    python benchmarks/fibers.py                 # all MRG reference cases + 1,000 fibers
    python benchmarks/fibers.py --quick         # two cases, 200 fibers
    python benchmarks/fibers.py --no-pyfibers   # estim only (ratio vs the reference cost)
    python benchmarks/fibers.py --kernel 15     # the kernel alone: fixed MRG and Sundt batches

PyFibers 0.13.0 and NEURON 9.0.2 are GPL peers used here only as an oracle and a
stopwatch (``pip install pyfibers==0.13.0 neuron==9.0.2`` then ``pyfibers_compile``);
estim never imports them. CPU time is ``time.process_time`` (all threads of this process).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np

from estim.fibers import (
    RectangularPulse,
    find_thresholds,
    make_fiber,
    point_source_potential,
)

SHARED = Path(__file__).resolve().parents[1].parent / "shared"  # beside the checkout
REF_PATH = SHARED / "reference" / "neuron_fibers.json"
REFERENCE_CPU_S = (33.0, 47.0)  # PyFibers CPU s per MRG threshold, from the reference file


def estim_threshold(diameter_um: float, distance_um: float, pw_ms: float) -> float:
    fiber = make_fiber("mrg", diameter_um * 1e-6)
    res = find_thresholds(
        fiber, lambda p: point_source_potential(p, (0.0, distance_um * 1e-6, 0.0), 0.2),
        RectangularPulse(pw_ms * 1e-3), precision=0.01)
    return float(res.threshold_a[0] * 1e6)  # [A -> µA]


def pyfibers_threshold(diameter_um: float, distance_um: float, pw_ms: float) -> float:
    from pyfibers import FiberModel, ScaledStim, build_fiber  # GPL: benchmark only

    model = FiberModel.MRG_DISCRETE if diameter_um in (5.7, 7.3, 8.7, 10.0, 11.5, 12.8, 14.0,
                                                        15.0, 16.0) else \
        FiberModel.MRG_INTERPOLATION
    fiber = build_fiber(model, diameter=diameter_um, n_nodes=51)
    mid = fiber.coordinates[fiber.sections.index(fiber.nodes[25])]
    fiber.potentials = fiber.point_source_potentials(mid[0], mid[1] + distance_um, mid[2],
                                                     1.0, 0.2)

    def pulse(t: float) -> float:
        return 1.0 if 0.0 <= t < pw_ms - 1e-9 else 0.0

    stim = ScaledStim(waveform=pulse, dt=0.001, tstop=10)
    amp, _ = stim.find_threshold(fiber, condition="activation")
    return abs(float(amp)) * 1e3  # [mA -> µA]


def timed(fn, *args, repeats: int) -> tuple[float, float]:
    values, cpu = [], []
    for _ in range(repeats):
        t0 = time.process_time()
        values.append(fn(*args))
        cpu.append(time.process_time() - t0)
    return statistics.median(values), statistics.median(cpu)


def kernel_batch(repeats: int) -> None:
    """The kernel's hot loop on two fixed batches, 4 ms at 2 µs with no early stop (the same
    work every run): 16 cutaneous MRG fibers (21 nodes, 6-12 µm) and 16 Sundt C fibers (3 mm
    in 25 µm sections, 0.8-1.2 µm: every compartment active, the gating's ``exp`` most of a
    step), each x 4 amplitudes. Prints the median wall and CPU seconds; run it under two
    checkouts, alternating, to compare."""
    from estim.fibers import SolverOptions, simulate

    rng = np.random.default_rng(0)
    batches = {
        "16 MRG": ([make_fiber("mrg", d, n_nodes=21, passive_end_nodes=(0, 1))
                    for d in rng.uniform(6e-6, 12e-6, 16)],
                   np.array([-0.2e-3, -0.5e-3, -1e-3, -3e-3]), 1e-3),
        "16 Sundt": ([make_fiber("sundt", d, length_m=3e-3, section_length_m=25e-6)
                      for d in rng.uniform(0.8e-6, 1.2e-6, 16)],
                     np.array([-0.05e-3, -0.1e-3, -0.2e-3, -0.5e-3]), 0.2e-3),
    }
    opts = SolverOptions(tstop_s=4e-3, early_stop=False)
    for name, (fibers, amps, depth) in batches.items():
        def pot(p: np.ndarray, depth: float = depth) -> np.ndarray:
            return point_source_potential(p, (0.0, depth, 0.0), 0.2)

        simulate(fibers, pot, RectangularPulse(1e-4), amps, options=opts)  # compile / load
        wall, cpu = [], []
        for _ in range(repeats):
            w0, c0 = time.perf_counter(), time.process_time()
            simulate(fibers, pot, RectangularPulse(1e-4), amps, options=opts)
            wall.append(time.perf_counter() - w0)
            cpu.append(time.process_time() - c0)
        print(f"kernel batch ({name} x 4 amplitudes, 2,000 steps): median "
              f"{statistics.median(wall):.3f} s wall, {statistics.median(cpu):.3f} s CPU over "
              f"{repeats}")


def population(n: int) -> None:
    rng = np.random.default_rng(1)
    diam = rng.uniform(2e-6, 16e-6, n)
    fibers = [make_fiber("mrg", d) for d in diam]
    pot = lambda p: point_source_potential(p, (0.0, 1e-3, 0.0), 0.2)  # noqa: E731
    w0, c0 = time.perf_counter(), time.process_time()
    res = find_thresholds(fibers, pot, RectangularPulse(1e-4))
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    ok = np.isfinite(res.threshold_a).sum()
    print(f"\npopulation: {n} MRG fibers, 2–16 µm, point source 1 mm, 0.1 ms, 1 % precision")
    print(f"  thresholded {ok}/{n} in {wall:.1f} s wall, {cpu:.1f} s CPU "
          f"-> {n / wall:.1f} fiber-thresholds/s (wall), {cpu / n * 1e3:.1f} ms CPU each, "
          f"{res.n_simulations.mean():.1f} runs each")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--no-pyfibers", action="store_true")
    ap.add_argument("--repeats", type=int, default=5, help="estim repeats (median)")
    ap.add_argument("--pyfibers-repeats", type=int, default=1)
    ap.add_argument("--population", type=int, default=None)
    ap.add_argument("--kernel", type=int, default=None, metavar="REPEATS",
                    help="only time the kernel on fixed MRG and Sundt batches")
    args = ap.parse_args()
    if args.kernel is not None:
        kernel_batch(args.kernel)
        return
    cases = [c for c in json.loads(REF_PATH.read_text())["cases"] if c["model"] == "MRG"]
    cases.append({"model": "MRG", "diameter_um": 7.0, "distance_um": 1500,
                  "pulse_width_ms": 0.3, "threshold_uA": None})  # extra oracle point
    if args.quick:
        cases = cases[1:2] + cases[-1:]
    have_pf = not args.no_pyfibers
    if have_pf:
        try:
            import pyfibers  # noqa: F401
        except Exception as exc:
            print(f"PyFibers unavailable ({exc}); ratios use the reference cost "
                  f"{REFERENCE_CPU_S[0]}–{REFERENCE_CPU_S[1]} CPU-s per threshold")
            have_pf = False
    estim_threshold(10.0, 1000.0, 0.1)  # compile (cached on disk afterwards)
    hdr = (f"{'D µm':>5} {'r µm':>5} {'pw ms':>6} {'NEURON ref':>10} {'PyFibers':>9} "
           f"{'estim':>8} {'diff %':>7} {'PF CPU s':>9} {'estim CPU s':>11} {'ratio':>7}")
    print(hdr)
    ratios = []
    for c in cases:
        d, r, pw = c["diameter_um"], c["distance_um"], c["pulse_width_ms"]
        thr_e, cpu_e = timed(estim_threshold, d, r, pw, repeats=args.repeats)
        if have_pf:
            thr_p, cpu_p = timed(pyfibers_threshold, d, r, pw, repeats=args.pyfibers_repeats)
            label = ""
        else:
            thr_p, cpu_p = float("nan"), statistics.mean(REFERENCE_CPU_S)
            label = " (ref cost)"
        ref = c["threshold_uA"]
        base = thr_p if have_pf else (ref or float("nan"))
        ratios.append(cpu_p / cpu_e)
        print(f"{d:5.1f} {r:5.0f} {pw:6.2f} {ref if ref else float('nan'):10.2f} "
              f"{thr_p:9.2f} {thr_e:8.2f} {100 * (thr_e / base - 1):+7.2f} {cpu_p:9.2f} "
              f"{cpu_e:11.4f} {cpu_p / cpu_e:7.0f}{label}")
    print(f"median CPU ratio PyFibers/estim: {statistics.median(ratios):.0f}x "
          f"(bar: 300x)")
    population(args.population or (200 if args.quick else 1000))


if __name__ == "__main__":
    main()
