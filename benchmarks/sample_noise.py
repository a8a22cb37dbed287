"""How much a bundled example's sensation window moves with the fiber sample (the seed).

    .venv/bin/python benchmarks/sample_noise.py [--seeds N] [PROGRAM ...]

``estim run`` draws each class of fibers (positions, depths, diameters) and the virtual
subjects from ``SimulateOptions(seed=0)``; the calibration (docs/effects.md, section 2) was
made on seed 0's sample too. Another seed is another, equally valid sample of the same
anatomy. This runs each program at seeds 0 .. N-1 and prints, per threshold (the typical
person's and the band's median over the virtual subjects), the median over the seeds, the
lowest and highest, the spread (highest - lowest) / median, and where seed 0 lies from the
median: the sampling noise of the default answer, which the band of one run does not hold
(its subjects share one fiber sample). Fields come from the cache after the first seed;
every seed thresholds its own fibers (tens of seconds a seed on 2 cores).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings

#: Cheap to threshold (no kHz carrier): the bundled examples of the kinds people use most.
DEFAULT_PROGRAMS = ("tens_conventional", "tens_acupuncture", "tens_burst", "nmes_quadriceps",
                    "microcurrent_face")
THRESHOLDS = (("detection", "sensory"), ("twitch", "motor"), ("pain", "pain"))


def _window(program: str, seed: int) -> dict[str, float]:
    from estim.program.bundled import resolve_program
    from estim.simulate import SimulateOptions, simulate

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        effects = simulate(resolve_program(program)[0],
                           options=SimulateOptions(seed=seed)).effects
    assert effects is not None and effects.window is not None, program
    w = effects.window
    out = {}
    for name, key in THRESHOLDS:
        out[f"{name}, typical"] = getattr(w, f"{key}_a")
        if w.bands is not None:
            out[f"{name}, band median"] = getattr(w.bands, key).median_a
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("programs", nargs="*", default=list(DEFAULT_PROGRAMS))
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    print(f"{args.seeds} seeds per program; spread = (highest - lowest) / median over the "
          "seeds; seed 0 = its distance from that median")
    for program in args.programs:
        rows: dict[str, list[float]] = {}
        t0 = time.perf_counter()
        for seed in range(args.seeds):
            for k, v in _window(program, seed).items():
                rows.setdefault(k, []).append(v)
            print(f"  {program}: seed {seed} done ({time.perf_counter() - t0:.0f} s)",
                  file=sys.stderr, flush=True)
        print(f"\n{program}")
        print(f"  {'threshold':<22} {'median mA':>9} {'lowest':>8} {'highest':>8} "
              f"{'spread':>7} {'seed 0':>7}")
        for k, values in rows.items():
            finite = [v for v in values if v != float("inf")]
            if len(finite) < len(values):
                print(f"  {k:<22} beyond the search in {len(values) - len(finite)} seeds")
                continue
            med = statistics.median(values)
            print(f"  {k:<22} {med * 1e3:9.2f} {min(values) * 1e3:8.2f} "
                  f"{max(values) * 1e3:8.2f} {(max(values) - min(values)) / med:7.0%} "
                  f"{values[0] / med - 1:+7.0%}")


if __name__ == "__main__":
    main()
