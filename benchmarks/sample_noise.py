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

The calibration's own configurations are run at the same seeds (detection: the forearm's
5 x 5 cm pads at 100 µs, where the Aβ count was calibrated; pain: 3.5 cm pads at 150 µs,
where the pain fraction was), and each example's threshold is also given relative to them
at the same seed, times seed 0's: roughly what a model calibrated on that seed's sample
would say (a multiplicative approximation: the calibration moves a count and a fraction,
not a factor). Its spread is the part of the noise that calibrating on one sample does not
absorb.
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


def _calibration(seed: int) -> dict[str, float]:
    """The calibration configurations' detection and pain at ``seed`` (A)."""
    from estim.effects.calibrate import calibration_window
    from estim.effects.calibration import INTOLERANCE_PAD_CM, INTOLERANCE_PHASE_S

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        detection = calibration_window(100e-6, seed=seed).sensory_a
        pain = calibration_window(INTOLERANCE_PHASE_S, INTOLERANCE_PAD_CM, seed=seed).pain_a
    return {"detection": detection, "pain": pain}


def _line(name: str, values: list[float]) -> str:
    if any(v == float("inf") for v in values):
        return f"  {name:<30} beyond the search at some seeds"
    med = statistics.median(values)
    return (f"  {name:<30} {med * 1e3:9.2f} {min(values) * 1e3:8.2f} "
            f"{max(values) * 1e3:8.2f} {(max(values) - min(values)) / med:7.0%} "
            f"{values[0] / med - 1:+7.0%}")


def _heading(title: str) -> None:
    print(f"\n{title}")
    print(f"  {'threshold':<30} {'median mA':>9} {'lowest':>8} {'highest':>8} "
          f"{'spread':>7} {'seed 0':>7}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("programs", nargs="*", default=list(DEFAULT_PROGRAMS))
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    print(f"{args.seeds} seeds per program; spread = (highest - lowest) / median over the "
          "seeds; seed 0 = its distance from that median")
    calib = [_calibration(seed) for seed in range(args.seeds)]
    _heading("calibration configurations (forearm)")
    for name in ("detection", "pain"):
        print(_line(name, [c[name] for c in calib]))
    for program in args.programs:
        rows: dict[str, list[float]] = {}
        t0 = time.perf_counter()
        for seed in range(args.seeds):
            for k, v in _window(program, seed).items():
                rows.setdefault(k, []).append(v)
            print(f"  {program}: seed {seed} done ({time.perf_counter() - t0:.0f} s)",
                  file=sys.stderr, flush=True)
        _heading(program)
        for k, values in rows.items():
            print(_line(k, values))
        for name in ("detection", "pain"):
            typical = rows[f"{name}, typical"]
            print(_line(f"{name}, as if calibrated there",
                        [v * calib[0][name] / c[name] for v, c in zip(typical, calib,
                                                                       strict=True)]))


if __name__ == "__main__":
    main()
