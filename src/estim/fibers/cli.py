"""``estim fibers``: threshold of a fiber under a point source.

    estim fibers --model mrg --diameter 10um --distance 1mm --pulse-width 0.1ms --sigma 0.2 --json

Option values carry units and are parsed with :func:`estim.units.parse_quantity`. With
``-o DIR`` a strength–duration plot (and, for ``--population N``, a recruitment plot) is
written there. With a PROGRAM, ``estim`` thresholds the program's fiber populations instead
(see :mod:`estim.cli.fibers_program`).
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from estim.errors import InputError
from estim.units import parse_quantity

__all__ = ["register", "run"]


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``fibers`` subcommand to an argparse subparsers object."""
    p = subparsers.add_parser("fibers", help="nerve-fiber thresholds under a point source",
                              description=__doc__,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("program", nargs="?",
                   help="program file or bundled example: threshold its site's fiber "
                   "populations (otherwise the point-source options below)")
    p.add_argument("--force", action="store_true", help="overwrite existing plot files")
    p.add_argument("--model", default="mrg", help="mrg, sweeney, sundt or hh (default mrg)")
    p.add_argument("--diameter", default="10um", help="fibre diameter (default 10um)")
    p.add_argument("--distance", default="1mm", help="electrode-to-fiber distance (default 1mm)")
    p.add_argument("--pulse-width", default="0.1ms", help="pulse width (default 0.1ms)")
    p.add_argument("--sigma", default="0.2", help="conductivity, S/m (default 0.2)")
    p.add_argument("--anodic", action="store_true", help="anodic instead of cathodic pulse")
    p.add_argument("--precision", default="0.01", help="relative precision (default 0.01)")
    p.add_argument("--dt", default=None, help="time step (default 2us)")
    p.add_argument("--population", type=int, default=0,
                   help="also threshold N fibers of 2–16 µm at the same distance (recruitment)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("-o", "--output", default=None, help="directory for plots")
    p.set_defaults(func=run)
    return p


#: What the point-source options accept (SI): wide enough for any physiological set-up,
#: narrow enough that one run ends in seconds to minutes and fits in memory.
_DISTANCE_M = (10e-6, 0.1)  # 10 µm to 10 cm from the fiber
_PULSE_WIDTH_S = (1e-6, 5e-3)  # 1 µs to 5 ms (the simulated window is 10 ms)
_SIGMA_S_PER_M = (1e-4, 10.0)  # dry skin ~1e-4 to CSF ~1.8, saline ~1.5 (Gabriel 1996)
_PRECISION = (1e-4, 0.5)  # 0.01 % to 50 % relative bracket
_DT_S = (0.1e-6, 10e-6)  # 0.1 to 10 µs, at most a tenth of the pulse width
_POPULATION_MAX = 500
#: Compartment-steps one simulated run may take (n_compartments x tstop / dt): the default
#: Sundt C fiber (1,201 compartments, 30 ms at 2 µs) is 1.8e7; 4e7 keeps any run of the
#: threshold search under about a second on one core.
_MAX_WORK = 4e7


def _within(option: str, text: object, value: float, bounds: tuple[float, float],
            expected: str) -> float:
    """``value`` if it lies in ``bounds`` (inclusive), else an InputError saying
    ``expected``; NaN is refused."""
    lo, hi = bounds
    if not lo <= value <= hi:
        raise InputError(option, text, expected)
    return value


def _sigma(text: str) -> float:
    try:
        sigma = float(text)
    except ValueError:
        sigma = parse_quantity(text, "conductivity", field="--sigma")
    return _within("--sigma", text, sigma, _SIGMA_S_PER_M,
                   "a tissue conductivity between 0.0001 and 10 S/m (default 0.2)")


def run(args: argparse.Namespace) -> int:
    """Run the subcommand; returns the exit status. Bad input raises InputError."""
    from estim import fibers as fb
    from estim.outputs import check_output_dir

    d = parse_quantity(args.diameter, "length", field="--diameter")
    r = _within("--distance", args.distance,
                parse_quantity(args.distance, "length", field="--distance"), _DISTANCE_M,
                "a distance between 10 um and 10 cm")
    pw = _within("--pulse-width", args.pulse_width,
                 parse_quantity(args.pulse_width, "time", field="--pulse-width"),
                 _PULSE_WIDTH_S, "a pulse width between 1 us and 5 ms")
    sigma = _sigma(args.sigma)
    precision = parse_quantity(args.precision, "dimensionless", field="--precision")
    if not _PRECISION[0] <= precision < _PRECISION[1]:
        raise InputError("--precision", args.precision,
                         "a relative precision from 0.0001 up to (not including) 0.5 "
                         "(default 0.01, i.e. 1 %)")
    if args.dt is None:
        opts = fb.SolverOptions()
    else:
        dt = parse_quantity(args.dt, "time", field="--dt")
        hi = min(_DT_S[1], 0.1 * pw)
        _within("--dt", args.dt, dt, (_DT_S[0], hi),
                f"a time step between 0.1 us and {hi * 1e6:.3g} us (at most 10 us and a "
                "tenth of the pulse width; default 2 us)")
        opts = fb.SolverOptions(dt_s=dt)
    if not 0 <= args.population <= _POPULATION_MAX:
        raise InputError("--population", args.population,
                         f"0 (none) or a number of fibers up to {_POPULATION_MAX}")
    fiber = fb.make_fiber(args.model, d)
    _bound_work(fiber, opts, args.dt)
    names = ("strength_duration.png",) + (("recruitment.png",) if args.population else ())
    out = Path(args.output) if args.output else None
    if out is not None:  # refused before anything is computed; created only at the end
        check_output_dir(out, force=args.force, names=names)
    pot = _point(r, sigma)
    wave = fb.RectangularPulse(pw, cathodic=not args.anodic)
    res = fb.find_thresholds(fiber, pot, wave, precision=precision, options=opts)
    thr = float(res.threshold_a[0])
    report: dict[str, Any] = {
        "model": fiber.model.value, "diameter_m": d, "distance_m": r, "pulse_width_s": pw,
        "sigma_S_per_m": sigma, "polarity": "anodic" if args.anodic else "cathodic",
        "threshold_A": thr if math.isfinite(thr) else None,
        "lower_bound_A": float(res.lower_a[0]), "precision": precision,
        "initiation_nodes": res.initiation_nodes[0], "simulations": int(res.n_simulations[0]),
        "evidence": "mechanistic cable model, validated against NEURON (3 %)",
    }
    if out is not None:
        from estim.outputs import write_output_dir

        pngs = _plots(fiber, pot, pw, args, opts, precision)
        out = write_output_dir(out, dict(zip(names, pngs, strict=True)), force=args.force)
        report["plots"] = [str(out / n) for n in names]
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        _table(report)
    return 0


def _bound_work(fiber: Any, opts: Any, dt_text: object) -> None:
    """Refuse a time step so fine that one run of this fiber would exceed :data:`_MAX_WORK`
    compartment-steps (a 0.1 µs step on a C fiber is 3.6e8: minutes per threshold)."""
    from estim.fibers.solver import _default_tstop

    tstop = opts.tstop_s or _default_tstop(fiber)
    if fiber.n_compartments * tstop / opts.dt_s > _MAX_WORK:
        least = fiber.n_compartments * tstop / _MAX_WORK
        raise InputError("--dt", dt_text,
                         f"a time step of at least {least * 1e6:.2g} us for the "
                         f"{fiber.model.value} model ({fiber.n_compartments} compartments "
                         f"over {tstop * 1e3:g} ms)")


def _point(r: float, sigma: float) -> Any:
    from estim.fibers import point_source_potential

    return lambda p: point_source_potential(p, (0.0, r, 0.0), sigma)


def _table(rep: dict[str, Any]) -> None:
    from estim.report.terminal import terminal_text

    thr = rep["threshold_A"]
    rows = [("model", rep["model"]), ("diameter", f"{rep['diameter_m'] * 1e6:.3g} µm"),
            ("distance", f"{rep['distance_m'] * 1e3:.3g} mm"),
            ("pulse width", f"{rep['pulse_width_s'] * 1e6:.4g} µs ({rep['polarity']})"),
            ("sigma", f"{rep['sigma_S_per_m']:.3g} S/m"),
            ("threshold", "none found" if thr is None else f"{thr * 1e6:.4g} µA"),
            ("precision", f"{rep['precision'] * 100:.3g} %"),
            ("initiation node(s)", ", ".join(map(str, rep["initiation_nodes"])) or "-")]
    for k, v in rows:
        print(f"{k:>20}  {v}")
    for p in rep.get("plots", []):
        print(f"{'plot':>20}  {terminal_text(p, markup=False)}")


def _plots(fiber: Any, pot: Any, pw: float, args: argparse.Namespace, opts: Any,
           precision: float) -> list[bytes]:
    """The strength-duration plot and, with ``--population``, the recruitment plot (PNG)."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from estim import fibers as fb

    def png(fig: Any) -> bytes:
        buf = io.BytesIO()
        fig.savefig(buf, dpi=120, format="png")
        plt.close(fig)
        return buf.getvalue()

    pws = np.geomspace(min(pw, 5e-5) / 2, max(pw, 1e-3), 6)
    sd = fb.strength_duration(fiber, pot, pws, cathodic=not args.anodic, precision=precision,
                              options=opts)
    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.loglog(pws * 1e6, sd.thresholds_a * 1e6, "o", label="cable model")
    fine = np.geomspace(pws[0], pws[-1], 100)
    ax.loglog(fine * 1e6, sd.predict(fine) * 1e6, "-",
              label=f"b={sd.rheobase_a * 1e6:.3g} µA, c={sd.chronaxie_s * 1e6:.3g} µs")
    ax.set_xlabel("pulse width (µs)")
    ax.set_ylabel("threshold (µA)")
    ax.set_title(f"Strength–duration, {fiber.model.value} {fiber.diameter_m * 1e6:.3g} µm")
    ax.legend()
    fig.tight_layout()
    files = [png(fig)]
    if args.population > 0:
        rng = np.random.default_rng(0)
        pop = [fb.make_fiber(fiber.model, dd) for dd in
               rng.uniform(2e-6, 16e-6, args.population)] if fiber.model == "mrg" else [fiber]
        rec = fb.recruitment(pop, pot, fb.RectangularPulse(pw, cathodic=not args.anodic),
                             precision=precision, options=opts)
        fig, ax = plt.subplots(figsize=(5, 3.5))
        ax.semilogx(rec.amplitudes_a * 1e6, rec.fraction * 100)
        ax.set_xlabel("amplitude (µA)")
        ax.set_ylabel("fibers activated (%)")
        ax.set_title("Recruitment")
        fig.tight_layout()
        files.append(png(fig))
    return files
