"""Mogyoros et al. (1996) in their configuration: the tables of docs/strength_duration.md.

    .venv/bin/python benchmarks/nerve_trunk.py [--counts N ...] [--seeds S ...] [--precision P]
        [--sensitivity] [--layers] [--widths] [--fractions]

Each row runs :func:`estim.effects.nerve_trunk.median_nerve_strength_duration` (the FEM
field and every axon's thresholds are cached under ``$ESTIM_CACHE_DIR``, so a second run is
seconds) and prints the sensory and motor τSD with their z-scores against the human means,
the bootstrap spread over axons and the run time. ``--counts``/``--seeds``: axons per class
and sampling seeds (the spread of τ over independent scrambles of the axon sample);
``--sensitivity``: nerve depth ±2 mm and the sensory axons without the sensory node;
``--layers``: the forearm's fat 2 mm instead of 5 mm, so that the nerve lies in muscle;
``--widths``: the Weiss fit over other pulse-width sets; ``--fractions``: τSD of the default
run's axons at other criterion fractions.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

import numpy as np

from estim.effects.nerve_trunk import (
    MOTOR_AXONS,
    SENSORY_AXONS,
    MedianNerveAtWrist,
    median_nerve_strength_duration,
)


def row(label: str, cfg: MedianNerveAtWrist) -> None:
    t0 = time.perf_counter()
    sd = median_nerve_strength_duration(cfg)
    seconds = time.perf_counter() - t0
    cmp = sd.comparison()
    cells = []
    for name in ("sensory", "motor"):
        c = cmp[name]
        lo, hi = c["bootstrap_p5_p95_s"]
        cells.append(f"{c['model_time_constant_s'] * 1e6:6.0f} µs (z {c['z_score']:+.2f}, "
                     f"boot SD {c['bootstrap_sd_s'] * 1e6:3.0f}, p5-p95 {lo * 1e6:.0f}-"
                     f"{hi * 1e6:.0f}; rheobase {c['model_rheobase_A'] * 1e3:.3f} mA)")
    print(f"| {label} | {cells[0]} | {cells[1]} | {cmp['ratio']:.2f} | {seconds:.0f} s |",
          flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--counts", type=int, nargs="*", default=[24])
    ap.add_argument("--seeds", type=int, nargs="*", default=[0])
    ap.add_argument("--precision", type=float, default=None,
                    help="relative precision of the thresholds of the --counts rows "
                         "(default: the configuration's 0.005; the test uses 0.01)")
    ap.add_argument("--sensitivity", action="store_true")
    ap.add_argument("--widths", action="store_true")
    ap.add_argument("--layers", action="store_true",
                    help="the nerve in muscle instead of fat (fat 2 mm instead of 5 mm)")
    ap.add_argument("--fractions", action="store_true",
                    help="τSD at other criterion fractions of the default run's axons")
    args = ap.parse_args()
    print("| configuration | sensory τSD | motor τSD | ratio | run |")
    print("| --- | --- | --- | --- | --- |")
    base = MedianNerveAtWrist()
    for n in args.counts:
        for seed in args.seeds:
            cfg = base.replace(sensory=replace(SENSORY_AXONS, count=n),
                               motor=replace(MOTOR_AXONS, count=n), seed=seed,
                               precision=args.precision or base.precision)
            row(f"{n} + {n} axons, seed {seed}, thresholds to {cfg.precision:.1%}", cfg)
    if args.sensitivity:
        for dz in (-2e-3, 2e-3):
            depth = base.nerve_depth_m + dz
            row(f"nerve centre {depth * 1e3:.1f} mm deep", base.replace(nerve_depth_m=depth))
        row("sensory axons without the sensory node",
            base.replace(sensory=replace(SENSORY_AXONS, sensory_node=False)))
    if args.layers:
        row("fat 2 mm: the nerve in muscle (0.5/0.1 S/m), not fat (0.04 S/m)",
            base.replace(site_overrides=(("fat_thickness", "2 mm"),)))
    if args.fractions:
        sd = median_nerve_strength_duration(base)
        print("\n| fraction of axons | sensory τSD | motor τSD |\n| --- | --- | --- |")
        for f in (0.1, 0.2, 0.3, 0.5, 0.7):
            print(f"| {f:.1f} | {sd.sensory.fit_at(f)[1] * 1e6:.0f} µs | "
                  f"{sd.motor.fit_at(f)[1] * 1e6:.0f} µs |")
    if args.widths:
        sets = {"50, 100, 200, 500, 1000 µs (log-spaced)": (50e-6, 100e-6, 200e-6, 500e-6,
                                                             1000e-6),
                "20, 100, 200, ... 1000 µs (11, even)": (20e-6, *(np.arange(1, 11) * 100e-6)),
                "20, 40, ... 1000 µs (all 50 of Mogyoros's sweep)": np.arange(1, 51) * 20e-6}
        for label, widths in sets.items():
            row(label, base.replace(pulse_widths_s=tuple(float(w) for w in widths)))


if __name__ == "__main__":
    main()
