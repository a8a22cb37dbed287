"""``estim fibers PROGRAM``: the fiber populations of a program's site, thresholded under the
program's own field and pulse; strength–duration and recruitment plots with ``-o DIR``.

(The point-source form, ``estim fibers --model ... --distance ...``, is in
:mod:`estim.fibers.cli`; this module joins program, fields, fibers and populations.)
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["run_program"]


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def run_program(args: argparse.Namespace) -> int:
    """Thresholds of every fiber class for a program; 0 on success (bad input raises)."""
    from estim.effects.program import channel_setup
    from estim.effects.strength_duration import window_strength_duration
    from estim.effects.window import sensation_window
    from estim.errors import InputError
    from estim.outputs import check_output_dir, write_output_dir
    from estim.program.bundled import resolve_program
    from estim.report.terminal import console as make_console
    from estim.report.terminal import terminal_text
    from estim.waveforms import stimuli_for

    program, source = resolve_program(args.program)
    kind = program.channels[0].stimulation.type
    if kind in ("iontophoresis", "dbs"):
        raise InputError("program", args.program,
                         "a transcutaneous pulsed program (the fiber populations are "
                         f"cutaneous and motor axons; {kind} is not modelled here)")
    names = ("recruitment.png", "strength_duration.png")
    out = Path(args.output) if args.output else None
    if out is not None:  # refused before anything is computed; created only at the end
        check_output_dir(out, force=args.force, names=names, inputs=(source,))
    console = make_console(stderr=True)

    def progress(message: str) -> None:
        console.log(terminal_text(message))

    stimuli = stimuli_for(program)
    pf, stim, amplitude, notes = channel_setup(program, stimuli, progress=progress)
    main = program.channels[0]
    window = sensation_window(main.name, stim, pf.channels[0], amplitude, site=pf.site,
                              progress=progress)
    report: dict[str, Any] = {"program": program.name, **window.to_dict(),
                              "classes": {}, "setup_notes": notes}
    for name, c in window.classes.items():
        thr = c.thresholds_a[np.isfinite(c.thresholds_a)]
        report["classes"][name] = {
            "count": int(c.thresholds_a.size), "model": c.model,
            "threshold_min_A": float(thr.min()) if thr.size else None,
            "threshold_median_A": float(np.median(thr)) if thr.size else None,
            "fraction_at_programmed": float(c.fraction_at(amplitude)[0]),
        }
    if out is not None:
        from estim.report.plots import figure_to_png, plot_recruitment

        recruitment = figure_to_png(plot_recruitment(window))
        sd = window_strength_duration(pf.channels[0], site=pf.site, progress=progress)
        pngs = (recruitment, figure_to_png(_plot_sd(sd)))
        out = write_output_dir(out, dict(zip(names, pngs, strict=True)), force=args.force)
        report["strength_duration"] = sd.comparison()
        report["plots"] = [str(out / n) for n in names]
    if args.json:
        print(json.dumps(report, indent=2, allow_nan=False))
        return 0
    _print(report, console=make_console())
    return 0


def _print(report: dict[str, Any], console: Any) -> None:
    from rich.table import Table

    from estim.report.terminal import terminal_text

    t = Table(title=f"{terminal_text(report['program'])}: fiber thresholds under the cathode "
              "(peak current of the program's pulse)")
    for col in ("class", "model", "fibers", "lowest", "median", "recruited at programmed"):
        t.add_column(col, justify="right" if col not in ("class", "model") else "left")
    for name, c in report["classes"].items():
        def ma(v: float | None) -> str:
            return "-" if v is None else f"{v * 1e3:.3g} mA"

        t.add_row(terminal_text(name), terminal_text(c["model"]), str(c["count"]),
                  ma(c["threshold_min_A"]), ma(c["threshold_median_A"]),
                  f"{c['fraction_at_programmed']:.0%}")
    console.print(t)
    for key, label in (("sensory_threshold_A", "sensory"), ("motor_threshold_A", "motor"),
                       ("pain_threshold_A", "pain")):
        v = report[key]
        console.print(f"{label:>8} threshold: "
                      f"{'not reached' if v is None else f'{v * 1e3:.3g} mA'}")
    sd = report.get("strength_duration")
    if sd:
        for name in ("sensory", "motor"):
            s = sd[name]
            console.print(f"{name} strength-duration time constant "
                          f"{s['model_time_constant_s'] * 1e6:.0f} us (human "
                          f"{s['human_mean_s'] * 1e6:.0f} ± {s['human_sd_s'] * 1e6:.0f} us)")
    for p in report.get("plots", []):
        console.print(f"wrote {terminal_text(p)}")


def _plot_sd(sd: Any) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 4), layout="constrained")
    ax = fig.subplots()
    d = sd.pulse_widths_s
    fine = np.geomspace(d[0], d[-1], 100)
    for name, thr, (b, tau), colour in (("sensory (first Aβ)", sd.sensory_a, sd.sensory_fit,
                                         "tab:green"),
                                        ("motor (visible twitch)", sd.motor_a, sd.motor_fit,
                                         "tab:blue")):
        ax.loglog(d * 1e6, thr * 1e3, "o", color=colour)
        ax.loglog(fine * 1e6, b * (1 + tau / fine) * 1e3, "-", color=colour,
                  label=f"{name}: τ = {tau * 1e6:.0f} µs")
    ax.set_xlabel("pulse width (µs, monophasic)")
    ax.set_ylabel("threshold (mA)")
    ax.set_title("Strength–duration (human τ: sensory 665, motor 459 µs; Mogyoros 1996)",
                 fontsize=9)
    ax.legend(fontsize=8)
    return fig
