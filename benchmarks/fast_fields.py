"""The semi-analytic limb solver (estim.fields.fast) per limb site: time per configuration
and error against the FEM (issue 14: under 0.1 s, within 2 % at probes under and between
the pads).

    .venv/bin/python benchmarks/fast_fields.py [--repeats 9] [--no-fem] [--site thigh]
    .venv/bin/python benchmarks/fast_fields.py --ellipses

Configurations: the bundled examples' pad placements on every limb site (the same as
tests/integration/test_fields_fast_fem.py). Per configuration it prints

* ``first``: the first call in this process (imports done, nothing else warm), reported
  apart from the rest;
* ``wall`` and ``cpu``: medians over ``--repeats`` further calls, each a new virtual
  subject (skin and fat thickness × U(0.7, 1.3), as :mod:`estim.effects.subjects` draws
  them), so nothing can be reused from the call before: one ``channel_potential`` and its
  evaluation at the 20 probes;
* ``dial``: the median of as many calls on the site's own layers with anode and cathode
  swapped each time (a new channel on unchanged tissue, as the dial moves pads: the radial
  transfer of the layers is reused, the pads are solved again);
* ``err``: the largest error of φ(p) − φ(p_ref) at the probes relative to the largest FEM
  difference, and the resistance against the FEM's (floating pads, default mesh; FEM
  fields come from the disk cache, a cold one costs 20-60 s per configuration).

``--ellipses`` instead measures the elliptic section: the knee's layers on the circle the
fast solver maps it onto (same perimeter, every layer at its depth) and on ellipses of
m = (a - b)/(a + b) up to the knee's 0.048 (the solver carries the map's first order in m),
with the test's two knee pad sets and placements that are not in the test (pads at the long
axis's ends, and a quarter turn apart); error and resistance against the FEM (20-60 s per
uncached FEM solve).

The load average is printed before and after: on a loaded machine the wall time is the
CPU time times the contention, so quote both.
"""

from __future__ import annotations

import os

# the pad solve is a few hundred unknowns: BLAS threads only contend (before numpy loads)
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import math
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from estim.fields import Channel, Site, place_electrode, site_from_spec, solve_fields
from estim.fields.fast import channel_potential

# site -> (anode placement, cathode placement, shape, length, width (m)), from the examples
CASES = [
    ("forearm", "forearm_volar_distal", "forearm_volar_proximal", "rectangular", 0.05, 0.05),
    ("forearm", "forearm_dorsal_proximal", "forearm_lateral_epicondyle", "rectangular", 0.06,
     0.04),
    ("upper_arm", "biceps_proximal", "biceps_distal", "rectangular", 0.05, 0.05),
    ("thigh", "quadriceps_proximal", "quadriceps_distal", "rectangular", 0.13, 0.075),
    ("calf", "calf_proximal", "calf_wound", "rectangular", 0.15, 0.10),
    ("knee", "knee_superomedial", "knee_inferolateral", "rectangular", 0.05, 0.05),
    ("knee", "knee_medial", "knee_lateral", "circular", 0.05, 0.05),
]


def probes(site: Site, anode: object, cathode: object) -> np.ndarray:
    """Under the pads, a third of the way and midway between them, at 1 mm, mid-fat, 3 mm
    into the muscle and 15 mm (tests/integration/test_fields_fast_fem.py's probes)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "integration"))
    from test_fields_fast_fem import probes as test_probes

    return test_probes(site, anode, cathode)


# the knee's placements for --ellipses: the test's two, then pads at the ends of the long axis
# and pads a quarter turn apart (5 x 5 cm and 5 cm discs)
KNEE_CASES = [c[1:] for c in CASES if c[0] == "knee"] + [
    ("knee_anterior_proximal", "knee_posterior_distal", "rectangular", 0.05, 0.05),
    ("knee_anterior", "knee_medial_distal", "rectangular", 0.05, 0.05),
    ("knee_lateral_proximal", "knee_posterior", "rectangular", 0.05, 0.05),
    ("knee_anterior", "knee_lateral", "circular", 0.05, 0.05),
]


def knee_ellipse(a: float, b: float) -> Site:
    """The knee's layers (skin, fat and muscle at their depths) on an a x b semi-axes section
    (m); the bone fills the rest, as on the knee itself."""
    knee = site_from_spec("knee")
    depth = sum(ly.thickness for ly in knee.layers[:-1])
    bone = knee.layers[-1]
    return knee.replace(width=2 * a, height=2 * b,
                        layers=(*knee.layers[:-1], replace(bone, thickness=min(a, b) - depth)))


def ellipses() -> None:
    """Error and resistance against the FEM on the knee's layers, circle to the knee's ellipse."""
    from estim.fields.cylinder import LayeredCylinder

    r = LayeredCylinder.from_site(site_from_spec("knee")).radius
    print(f"{'a x b mm':12s} {'m':>6s} {'anode -> cathode':62s} {'err':>6s} "
          f"{'R fast / FEM':>16s} {'dR':>7s}")
    for a, b in ((r, r), (0.0535, 0.0515), (0.054, 0.051), (0.055, 0.050)):
        site = knee_ellipse(a, b)
        for pa, pc, shape, length, width in KNEE_CASES:
            an = place_electrode(site, pa, shape, length=length, width=width)  # type: ignore[arg-type]
            ca = place_electrode(site, pc, shape, length=length, width=width)  # type: ignore[arg-type]
            p = probes(site, an, ca)
            fem = solve_fields(site, [Channel(an, ca)]).channels[0]  # disk cache
            fast = channel_potential(site, an, ca)
            vf, vs = fem.potential(p), fast(p)
            ref = len(p) - 3
            df, ds = vf - vf[ref], vs - vs[ref]
            err = 100 * np.abs(ds - df).max() / np.abs(df).max()
            label = f"{pa} -> {pc} ({shape[:4]} {length * 100:g}x{width * 100:g} cm)"
            print(f"{a * 1e3:5.2f}x{b * 1e3:5.2f} {(a - b) / (a + b):6.4f} {label:62s} "
                  f"{err:5.2f}% {fast.resistance:7.1f} / {fem.resistance:6.1f} "
                  f"{100 * (fast.resistance / fem.resistance - 1):+6.2f}%", flush=True)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=9)
    ap.add_argument("--no-fem", action="store_true", help="skip the FEM comparison")
    ap.add_argument("--site", help="only this limb site")
    ap.add_argument("--ellipses", action="store_true",
                    help="what the knee's ellipse costs, circle to a/b = 1.1 (FEM each)")
    args = ap.parse_args(argv)
    if args.ellipses:
        ellipses()
        return
    rng = np.random.default_rng(0)
    print(f"load average {os.getloadavg()[0]:.2f} (1 min) on {os.cpu_count()} CPUs; "
          f"{args.repeats} repeats, medians")
    print(f"{'site':10s} {'anode -> cathode':58s} {'first':>7s} {'wall':>7s} {'cpu':>7s} "
          f"{'dial':>7s} {'err':>6s} {'R fast / FEM':>16s}  valid")
    for name, pa, pc, shape, length, width in CASES:
        if args.site and name != args.site:
            continue
        site = site_from_spec(name)
        an = place_electrode(site, pa, shape, length=length, width=width)  # type: ignore[arg-type]
        ca = place_electrode(site, pc, shape, length=length, width=width)  # type: ignore[arg-type]
        p = probes(site, an, ca)
        t0 = time.perf_counter()
        fast = channel_potential(site, an, ca)
        vs = fast(p)
        first = time.perf_counter() - t0
        thick = {ly.tissue: ly.thickness for ly in site.layers}
        walls, cpus = [], []
        for _ in range(args.repeats):
            skin, fat = thick["skin"] * rng.uniform(0.7, 1.3), thick["fat"] * rng.uniform(0.7, 1.3)
            t0, c0 = time.perf_counter(), time.process_time()
            channel_potential(site, an, ca, skin_thickness=skin, fat_thickness=fat)(p)
            walls.append(time.perf_counter() - t0)
            cpus.append(time.process_time() - c0)
        dial = []
        for i in range(args.repeats):
            pads = (an, ca) if i % 2 else (ca, an)
            t0 = time.perf_counter()
            channel_potential(site, *pads)(p)
            dial.append(time.perf_counter() - t0)
        err = rs = "-"
        if not args.no_fem:
            fem = solve_fields(site, [Channel(an, ca)]).channels[0]  # disk cache
            vf = fem.potential(p)
            ref = len(p) - 3  # the deepest probe midway between the pads
            df, ds = vf - vf[ref], vs - vs[ref]
            err = f"{100 * np.abs(ds - df).max() / np.abs(df).max():.2f}%"
            rs = f"{fast.resistance:.1f} / {fem.resistance:.1f}"
        label = f"{pa} -> {pc} ({shape[:4]} {length * 100:g}x{width * 100:g} cm)"
        ms = [statistics.median(x) * 1e3 for x in (walls, cpus, dial)]
        print(f"{name:10s} {label:58s} {first * 1e3:5.0f}ms {ms[0]:5.1f}ms {ms[1]:5.1f}ms "
              f"{ms[2]:5.1f}ms {err:>6s} {rs:>16s}  {fast.valid}", flush=True)
        if not math.isfinite(float(np.sum(vs))):
            raise SystemExit(f"{name}: the fast field is not finite at the probes")
    print(f"load average {os.getloadavg()[0]:.2f} (1 min) at the end")


if __name__ == "__main__":
    main()
