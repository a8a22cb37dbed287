"""``estim fibers``: nerve-fiber thresholds.

    estim fibers PROGRAM [--amplitude 30mA] [-o DIR] [--json]
    estim fibers --model mrg --diameter 10um --distance 1mm --pulse-width 0.1ms

With a PROGRAM, the fiber populations of its site (Aβ, Aδ, C, motor) are thresholded under
the program's own field and pulse; ``-o DIR`` adds recruitment and strength–duration plots.
Without one, one fiber's threshold under a point source; option values carry units
(:func:`estim.units.parse_quantity`); ``-o DIR`` writes a strength–duration plot (and, with
``--population N``, a recruitment plot).
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

import numpy as np

from estim.cli.common import (
    ProseHelpFormatter,
    add_amplitude,
    add_json,
    help_text,
    load,
    print_json,
    stage_progress,
)
from estim.errors import InputError
from estim.report.fiber_text import print_fiber_program, print_point_threshold
from estim.units import finite_or_none, parse_quantity

__all__ = ["register"]

#: The threshold criterion of a single fiber, in the words the output uses.
_POINT_CRITERION = ("lowest peak current of the pulse that puts a propagating action "
                    "potential on the fiber's detection node")


def register(sub: Any) -> None:
    p = sub.add_parser("fibers", help="nerve-fiber thresholds (a program's site, or a point "
                       "source)", description=help_text(__doc__),
                       formatter_class=ProseHelpFormatter)
    p.add_argument("program", nargs="?",
                   help="program file or bundled example: threshold its site's fiber "
                   "populations (otherwise the point-source options below)")
    p.add_argument("--force", action="store_true", help="overwrite existing plot files")
    add_amplitude(p)
    p.add_argument("--model", default=None, help="mrg, sweeney, sundt or hh (default mrg)")
    p.add_argument("--diameter", default=None,
                   help="fibre diameter (default 10um; mrg 1-16um, sweeney 1-25um, sundt "
                        "0.1-3um, hh 1-1000um)")
    p.add_argument("--distance", default=None, help="electrode-to-fiber distance (default 1mm)")
    p.add_argument("--pulse-width", default=None, help="pulse width (default 0.1ms)")
    p.add_argument("--sigma", default=None, help="conductivity, S/m (default 0.2)")
    p.add_argument("--anodic", action="store_true", help="anodic instead of cathodic pulse")
    p.add_argument("--sensory", action="store_true",
                   help="a sensory MRG axon (more persistent Na+ at rest: strength-duration "
                        "time constant 1.45 x the motor axon's, Mogyoros 1996)")
    p.add_argument("--precision", default=None, help="relative precision (default 0.01)")
    p.add_argument("--dt", default=None,
                   help="time step (default 2us, or a tenth of a shorter pulse)")
    p.add_argument("--population", type=int, default=None, metavar="N",
                   help="also threshold N MRG fibers of 2–16 µm at the same distance (their "
                        "thresholds; with -o a recruitment plot)")
    add_json(p)
    p.add_argument("-o", "--output", default=None, help="directory for plots")
    p.set_defaults(handler=run)


#: The point-source options and their defaults: refused together with a PROGRAM.
_POINT_DEFAULTS: dict[str, Any] = {
    "model": "mrg", "diameter": "10um", "distance": "1mm", "pulse_width": "0.1ms",
    "sigma": "0.2", "anodic": False, "sensory": False, "precision": "0.01", "dt": None,
    "population": 0}


def run(args: argparse.Namespace) -> int:
    """``estim fibers``: a program's fiber populations, or a point-source set-up."""
    if args.program:
        for key in _POINT_DEFAULTS:
            # None or False where not given: "--model mrg" typed with a PROGRAM was passed
            # over in silence, "--model MRG" refused (probe of 5 December 2026)
            if getattr(args, key) is not None and getattr(args, key) is not False:
                raise InputError(f"--{key.replace('_', '-')}", getattr(args, key),
                                 "no point-source option together with a PROGRAM (the "
                                 "program's own field and pulse are used)")
        return _program(args)
    for key, default in _POINT_DEFAULTS.items():
        if getattr(args, key) is None:
            setattr(args, key, default)
    if args.amplitude is not None:
        raise InputError("--amplitude", args.amplitude, "a PROGRAM whose amplitude to set (a "
                         "point source is thresholded: the search finds the amplitude)")
    return _point(args)


# --- a program's fiber populations -----------------------------------------------------------


def _program(args: argparse.Namespace) -> int:
    """Thresholds of every fiber class for a program; 0 on success (bad input raises).

    The same computation as the body stages of ``estim run`` (both channels of true
    interferential current drive the fibers), so both commands show the same numbers."""
    from estim.effects.program import effects_for_program
    from estim.effects.strength_duration import window_strength_duration
    from estim.outputs import check_output_dir, write_output_dir
    from estim.report.terminal import console as make_console
    from estim.waveforms import stimuli_for

    program, source = load(args)
    kind = program.channels[0].stimulation.type
    if kind in ("iontophoresis", "dbs"):
        # where to go instead: the refusal was a dead end (DBS probe of 6 December 2026)
        width = getattr(program.channels[0].stimulation, "pulse_width", 60e-6)
        instead = ("`estim run` gives the tissue the lead activates (where 5.7 µm axons "
                   "fire), and `estim fibers --model mrg --diameter 5.7um --distance 3mm "
                   f"--pulse-width {width * 1e6:g}us` one axon's threshold near a point "
                   "source (at the program's pulse width)"
                   if kind == "dbs" else
                   "`estim run` gives the dose it delivers and the current density under "
                   "its pads")
        raise InputError("program", args.program,
                         "a transcutaneous pulsed program (the fiber populations are "
                         f"cutaneous and motor axons; {kind} is not modelled here: "
                         f"{instead})")
    names = ("recruitment.png", "strength_duration.png")
    out = Path(args.output) if args.output else None
    if out is not None:  # refused before anything is computed; created only at the end
        check_output_dir(out, force=args.force, names=names, inputs=(source,))
    with stage_progress() as progress:
        effects = effects_for_program(program, stimuli_for(program), progress=progress)
    window, pf = effects.window, effects.program_fields
    if window is None or pf is None:  # nothing delivered (a zero amplitude)
        raise InputError("amplitude", "0", "an amplitude above zero, so that fibers can be "
                         "thresholded against it (" + "; ".join(effects.notes) + ")")
    amplitude = window.amplitude_a
    report: dict[str, Any] = {
        "program": program.name, **window.to_dict(),
        "load_with_skin_interface_ohm": pf.channel(window.channel).resistance,
        "control": program.device.control.value,
        # true interferential's other carrier, where both are on (channel A off: channel
        # B alone is the window's, nothing superposed)
        "superposed": [c.name for c in program.channels[:2]
                       if program.true_interferential and c.name != window.channel
                       and all(d.stimulation.amplitude.value > 0
                               for d in program.channels[:2])],
        "classes": {}, "setup_notes": list(effects.notes)}
    if effects.reach is not None:
        report["device_reach"] = effects.reach.to_dict()
        if effects.reach.limited:  # as results.json says it (estim.effects.program)
            report.update({k: v for k, v in effects.to_dict()["sensation_window"].items()
                           if k in ("held_by_device", "set_peak_current_A", "set_peak_V")})
    # each class once, under one set of names: results.json's "fibers" and
    # "recruited_at_programmed" folded into "classes" (they were both here, as
    # min_threshold_A and threshold_min_A; review of 5 December 2026)
    fibers, _ = report.pop("fibers"), report.pop("recruited_at_programmed")
    for name, c in window.classes.items():
        report["classes"][name] = {**_class_summary(c, amplitude),
                                   "leaving_tissue": fibers[name]["leaving_tissue"],
                                   "outside_tissue": fibers[name]["outside_tissue"],
                                   "local_responses": fibers[name]["local_responses"]}
    report["files"] = []
    if out is not None:
        from estim.report.fiber_plots import window_strength_duration_png
        from estim.report.plots import figure_to_png, plot_recruitment

        recruitment = figure_to_png(plot_recruitment(
            window, held=effects.reach is not None and effects.reach.limited))
        sd = window_strength_duration(pf.channel(window.channel), site=pf.site,
                                      progress=progress)
        pngs = (recruitment, window_strength_duration_png(sd))
        out = write_output_dir(out, dict(zip(names, pngs, strict=True)), force=args.force)
        report["strength_duration"] = sd.comparison()
        report["files"] = [str(out / n) for n in names]
    if args.json:
        print_json(report)
        return 0
    print_fiber_program(report, console=make_console())
    return 0


def _class_summary(c: Any, amplitude_a: float) -> dict[str, Any]:
    """One class's count, lowest and median threshold and its fraction at the programmed
    current. The median is the whole class's: a fiber not excited within the search lies
    above every one that is (the median of those that fired said 2.5 A for a periosteal
    class of which 43 of 60 fired at no current searched; probe of 5 December 2026)."""
    thr = c.thresholds_a[np.isfinite(c.thresholds_a)]
    every = np.where(np.isfinite(c.thresholds_a), c.thresholds_a, np.inf)  # NaN: not reached
    median = float(np.median(every)) if every.size else math.inf
    return {"count": int(c.thresholds_a.size), "model": c.model,
            "not_reached": int(c.thresholds_a.size - thr.size),
            "threshold_min_A": float(thr.min()) if thr.size else None,
            "threshold_median_A": median if math.isfinite(median) else None,
            "fraction_at_programmed": float(c.fraction_at(amplitude_a)[0])}


# --- one fiber under a point source ----------------------------------------------------------

#: What the point-source options accept (SI): wide enough for any physiological set-up,
#: narrow enough that one run ends in seconds to minutes and fits in memory.
_DISTANCE_M = (10e-6, 0.1)  # 10 µm to 10 cm from the fiber
_PULSE_WIDTH_S = (1e-6, 5e-3)  # 1 µs to 5 ms (the simulated window is 10 ms)
_SIGMA_S_PER_M = (1e-4, 10.0)  # dry skin ~1e-4 to CSF ~1.8, saline ~1.5 (Gabriel 1996)
_PRECISION = (1e-4, 0.5)  # 0.01 % to 50 % relative bracket
_DT_S = (0.1e-6, 10e-6)  # 0.1 to 10 µs, at most a tenth of the pulse width
_POPULATION_MAX = 500
#: Compartment-steps one simulated run may take (n_compartments x tstop / dt): the default
#: Sundt C fiber (1,201 compartments, 30 ms at 2 µs) is 1.8e7; an MRG axon under a 1 µs
#: pulse, stepped at its tenth, 5.5e7; 6e7 keeps any run of the threshold search under
#: about two seconds on one core.
_MAX_WORK = 6e7
#: Under an anodic pulse a point source's fiber reaches this many distances to either side
#: of the source, as far as one run can afford. An anodic pulse fires the fiber at virtual
#: cathodes ~1.3 distances out, and with the default 51 nodes of a 10 µm MRG axon its
#: threshold at 20 mm was its sealed ends' (49.9 mA, below the cathodic 69.4); with ±5 and
#: ±10 distances it is 312.7 mA both times (the cathodic threshold does not move). 5
#: December 2026.
_REACH = 6.0


def _within(option: str, text: object, value: float, bounds: tuple[float, float],
            expected: str) -> float:
    """``value`` if it lies in ``bounds`` (inclusive), else an InputError saying
    ``expected``; NaN is refused."""
    lo, hi = bounds
    # a bound typed in another unit may land a rounding below it (10 um is 9.999999e-06 m)
    if not lo * (1 - 1e-9) <= value <= hi * (1 + 1e-9):
        raise InputError(option, text, expected)
    return value


def _sigma(text: str) -> float:
    try:
        sigma = float(text)
    except ValueError:
        sigma = parse_quantity(text, "conductivity", field="--sigma")
    return _within("--sigma", text, sigma, _SIGMA_S_PER_M,
                   "a tissue conductivity between 0.0001 and 10 S/m (default 0.2)")


def _point(args: argparse.Namespace) -> int:
    """One fiber's threshold under a point source; bad input raises InputError."""
    from estim import fibers as fb
    from estim.fibers.thresholds import MAX_APPLIED_V
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
    if not 0 <= args.population <= _POPULATION_MAX:
        raise InputError("--population", args.population,
                         f"0 (none) or a number of fibers up to {_POPULATION_MAX}")
    fiber = _point_fiber(args, d, r, pw)
    if r <= fiber.diameter_m / 2:
        # the source sat inside the axon and a threshold was printed (probe, 6 Dec 2026)
        raise InputError("--distance", args.distance,
                         f"more than the fiber's radius, {fiber.diameter_m / 2 * 1e6:.3g} µm "
                         "(the source lies outside the fiber)")
    if args.population and fiber.model != "mrg":
        # it thresholded the one fiber and drew its step as a recruitment of N
        raise InputError("--population", args.population, "--model mrg for a population "
                         "(N myelinated axons of 2–16 µm; the sweeney, sundt and hh models "
                         "are thresholded as the one fiber)")
    opts = _time_step(fiber, pw, args)
    names = ("strength_duration.png",) + (("recruitment.png",) if args.population else ())
    out = Path(args.output) if args.output else None
    if out is not None:  # refused before anything is computed; created only at the end
        check_output_dir(out, force=args.force, names=names)
    pot = _point_source(r, sigma)
    wave = fb.RectangularPulse(pw, cathodic=not args.anodic)
    res = fb.find_thresholds(fiber, pot, wave, precision=precision, options=opts)
    thr = float(res.threshold_a[0])
    # where the search gives up: the amplitude that puts 1 kV on the fiber's nearest point
    # (estim.fibers.thresholds), or 1 kA
    searched = min(1e3, MAX_APPLIED_V * 4 * math.pi * sigma * r)
    report: dict[str, Any] = {
        # the model's name alone, its axon apart ("mrg (sensory axon)" mixed the two)
        "model": fiber.model.value,
        "axon": ("sensory" if args.sensory else "motor") if fiber.model == "mrg" else None,
        # 12 digits: 10 µm read 9.999999999999999e-06 m
        "diameter_m": float(f"{d:.12g}"), "distance_m": float(f"{r:.12g}"),
        "pulse_width_s": float(f"{pw:.12g}"),
        "sigma_S_per_m": sigma, "polarity": "anodic" if args.anodic else "cathodic",
        "threshold_A": finite_or_none(thr),
        "threshold_criterion": _POINT_CRITERION,
        "lower_bound_A": float(res.lower_a[0]) if math.isfinite(thr) else searched,
        "precision": precision, "fiber_length_m": float(f"{fiber.length_m:.12g}"),
        "initiation_nodes": res.initiation_nodes[0], "simulations": int(res.n_simulations[0]),
        "end_effect": bool(set(res.initiation_nodes[0]) & _end_nodes(fiber)),
        "evidence": _point_evidence(fiber.model.value, d),
        "files": [],
    }
    rec = None
    if args.population:  # its thresholds in the answer, the plot only with -o
        rec = _population(args, r, pw, wave, pot, opts, precision, searched)
        report["population"] = _population_summary(rec.thresholds_a, searched)
    if out is not None:
        from estim.outputs import write_output_dir

        sd, pngs = _point_plots(fiber, pot, pw, args, opts, precision, rec, r)
        report["strength_duration"] = {"rheobase_A": finite_or_none(sd.rheobase_a),
                                       "chronaxie_s": finite_or_none(sd.chronaxie_s),
                                       "fit": "Weiss",
                                       "pulse_widths_s": list(SD_FIT_WIDTHS_S)}
        out = write_output_dir(out, dict(zip(names, pngs, strict=True)), force=args.force,
                               owned=("strength_duration.png", "recruitment.png"))
        report["files"] = [str(out / n) for n in names]
    if report["end_effect"]:
        import warnings

        from estim.errors import ModelRangeWarning

        long = (f"{fiber.length_m:.3g} m" if fiber.length_m >= 1
                else f"{fiber.length_m * 1e3:.3g} mm")
        warnings.warn(f"at {r * 1e3:g} mm the action potential starts at the end of the "
                      f"simulated fiber ({long} long), whose sealed end, not the source, "
                      "sets this threshold: a long axon's is higher", ModelRangeWarning,
                      stacklevel=1)
    if args.json:
        print_json(report)
    else:
        print_point_threshold(report)
    return 0



#: The point-source cases checked against NEURON (shared/reference/neuron_fibers.json):
#: model -> the diameters (µm) they cover; within 1 % (docs/fibers.md).
_NEURON_CASES = {"mrg": (5.7, 16.0), "sweeney": (10.0, 10.0), "sundt": (1.0, 1.0)}


def _point_evidence(model: str, diameter_m: float) -> str:
    """What backs this fiber's threshold: NEURON's numbers where one of its cases holds the
    model at this diameter (±5 %), else which cases there are ("validated against NEURON"
    stood beside HH, a 1 µm MRG axon and a 25 µm Sweeney one; probe of 5 December 2026)."""
    d_um = diameter_m * 1e6
    if model == "hh":
        return ("mechanistic cable model (the Hodgkin–Huxley squid axon): checked against "
                "Hodgkin & Huxley's conduction velocity, not against NEURON")
    lo, hi = _NEURON_CASES[model]
    cases = f"{lo:g} µm" if lo == hi else f"{lo:g}–{hi:g} µm"
    if lo * 0.95 <= d_um <= hi * 1.05:
        return f"mechanistic cable model, validated against NEURON at {cases} (within 1 %)"
    # the MRG geometry: its published table, its interpolation fits from 2 µm, and below
    # 2 µm the 2 µm geometry scaled (every diameter off the cases read "scaled beyond its
    # published table"; docs check of 6 December 2026)
    where = ""
    if model == "mrg":
        where = (" (below the MRG interpolation's 2 µm: its 2 µm geometry scaled down by "
                 "similarity)" if d_um < 2.0 else
                 " (its geometry from the quadratic MRG interpolation, not the published "
                 "table)" if not 5.7 <= d_um <= 16.0 else "")
    return (f"mechanistic cable model, validated against NEURON at {cases}; not at "
            f"{d_um:.3g} µm" + where)


def _end_nodes(fiber: Any) -> set[int]:
    """The fiber's outermost active nodes or sections (its passive end ones never fire)."""
    return {1, fiber.n_nodes - 2}


def _point_fiber(args: argparse.Namespace, d: float, r: float, pw: float) -> Any:
    """The fiber a point source at ``r`` is thresholded on (:func:`_long_enough`), the
    model's refusal of ``--model``, ``--diameter`` or ``--sensory`` named as the option."""
    try:
        return _long_enough(args.model, d, r, pw, sensory=args.sensory, anodic=args.anodic)
    except InputError as err:
        raise _as_option(err, args) from None


def _long_enough(model: str, d: float, r: float, pw: float, *, sensory: bool,
                 anodic: bool) -> Any:
    """The model's default fiber, lengthened under an anodic pulse toward :data:`_REACH`
    distances to either side of the source, as far as one run can afford
    (:data:`_MAX_WORK` at the default time step): beyond that the threshold's start at the
    fiber's end is warned of. A cathodic threshold does not move with the length (10 µm MRG
    at 20 and 50 mm: the same with 51 and 401 nodes), so it keeps the default."""
    from estim import fibers as fb
    from estim.fibers.cable import MYELINATED
    from estim.fibers.solver import DEFAULT_DT_S, _default_tstop

    base = fb.make_fiber(model, d, sensory=sensory)
    need = 2 * _REACH * r  # [m] the length that reaches _REACH distances either side
    if not anodic or base.length_m >= need:
        return base
    dt = min(DEFAULT_DT_S, 0.1 * pw)
    per_m = base.n_compartments / base.length_m  # compartments per metre of this fiber
    affordable = _MAX_WORK * dt / _default_tstop(base) / per_m  # [m]
    length = min(need, max(affordable, base.length_m))
    if length <= base.length_m:
        return base
    if base.model in MYELINATED:  # whole nodes, odd (a middle node faces the source):
        spacing = base.length_m / (base.n_nodes - 1)
        n = math.ceil(length / spacing) + 1  # at least the reach ...
        n += n % 2 == 0
        if (n - 1) * spacing > affordable:  # ... unless that is over the budget: within it
            n = math.floor(affordable / spacing) + 1
            n -= n % 2 == 0
        return fb.make_fiber(model, d, sensory=sensory, n_nodes=max(base.n_nodes, n))
    return fb.make_fiber(model, d, length_m=length)


def _as_option(err: InputError, args: argparse.Namespace) -> InputError:
    """The fiber model's refusal of a point-source option, named as the option and with the
    value as typed (``--diameter: got '1m'``, not ``diameter: got '1e+06 µm'``)."""
    from estim.fibers.cable import FiberModel

    option = {"diameter": "diameter", "model": "model", "sensory": "sensory"}.get(err.field)
    if option is None:
        return err
    value = getattr(args, option)
    expected = err.expected
    if option == "model":
        expected = "one of " + ", ".join(m.value for m in FiberModel)
    elif option == "diameter" and value == _POINT_DEFAULTS["diameter"]:
        expected += " (10 um is --diameter's default: give one)"
    elif option == "sensory":
        value = "--sensory"
        expected = f"no --sensory with the {args.model} model (only MRG has a sensory axon)"
    return InputError(f"--{option}", value, expected)


def _round_up(value: float, digits: int = 3) -> str:
    """``value`` to ``digits`` significant figures, rounded up (a bound that is quoted must
    hold at the figure quoted).

    >>> _round_up(6.006), _round_up(6.0), _round_up(123.41)
    ('6.01', '6', '124')
    """
    scale = 10 ** (digits - 1 - math.floor(math.log10(abs(value))))
    return f"{math.ceil(value * scale - 1e-9) / scale:.{digits}g}"


def _time_step(fiber: Any, pw: float, args: argparse.Namespace) -> Any:
    """The solver options of a point-source threshold: ``--dt``, or the solver's 2 µs, or a
    tenth of a shorter pulse (as the sensation window steps: a 1 µs pulse averaged into one
    2 µs step); no finer than one run of this fiber can afford (:data:`_MAX_WORK`
    compartment-steps: a 0.1 µs step on a C fiber is 3.6e8, minutes per threshold)."""
    from estim import fibers as fb
    from estim.fibers.solver import DEFAULT_DT_S, _default_tstop

    tstop = _default_tstop(fiber)
    least = max(_DT_S[0], fiber.n_compartments * tstop / _MAX_WORK)
    most = min(_DT_S[1], 0.1 * pw)
    if least > most * (1 + 1e-9):
        raise InputError("--pulse-width", args.pulse_width,
                         # rounded up, so the figure given is accepted ("got '6us',
                         # expected at least 6 us" where the bound was 6.006 us; probe)
                         f"at least {_round_up(10 * least * 1e6)} us for the "
                         f"{fiber.model.value} "
                         f"model: its runs step a tenth of the pulse, and a step under "
                         f"{least * 1e6:.2g} us is more than one run can afford "
                         f"({fiber.n_compartments} compartments over {tstop * 1e3:g} ms)")
    if args.dt is None:
        return fb.SolverOptions(dt_s=min(DEFAULT_DT_S, 0.1 * pw))
    dt = parse_quantity(args.dt, "time", field="--dt")
    steps = (f"a time step of {most * 1e6:.3g} us" if most < 1.01 * least else
             f"a time step between {least * 1e6:.2g} us and {most * 1e6:.3g} us")
    _within("--dt", args.dt, dt, (least * (1 - 1e-9), most * (1 + 1e-9)),
            f"{steps} for this pulse and the {fiber.model.value} model (at most 10 us and a "
            "tenth of the pulse width; default 2 us or that tenth)")
    return fb.SolverOptions(dt_s=dt)


def _point_source(r: float, sigma: float) -> Any:
    from estim.fibers import point_source_potential

    return lambda p: point_source_potential(p, (0.0, r, 0.0), sigma)


def _population(args: argparse.Namespace, r: float, pw: float, wave: Any, pot: Any,
                opts: Any, precision: float, searched_a: float) -> Any:
    """``--population`` MRG axons of 2–16 µm (uniform, seed 0) at the same distance: their
    recruitment over their thresholds, or up to ``searched_a`` (flat at 0) where none is
    excited below it (that refused a valid point with "a population with at least one
    activation", where the one fiber's answer was "none below"; probe of 6 December 2026)."""
    from estim import fibers as fb

    rng = np.random.default_rng(0)
    pop = [_long_enough("mrg", dd, r, pw, sensory=args.sensory, anodic=args.anodic)
           for dd in rng.uniform(2e-6, 16e-6, args.population)]
    return fb.recruitment(pop, pot, wave, precision=precision, options=opts,
                          ceiling_a=searched_a)


def _population_summary(thresholds_a: Any, searched_a: float) -> dict[str, Any]:
    """The population's thresholds: lowest, median (over all, those not excited above the
    rest) and highest; None where not reached within the search."""
    # a fiber not excited is NaN or inf from the search: above every one that fired (NaN
    # made the median "not reached" as soon as one of them did not fire; review)
    thr = np.asarray(thresholds_a, float)
    fired = thr[np.isfinite(thr)]
    median = float(np.median(np.where(np.isfinite(thr), thr, np.inf)))
    return {"fibers": int(thr.size), "diameter_range_m": [2e-6, 16e-6],
            "threshold_min_A": float(fired.min()) if fired.size else None,
            "threshold_median_A": finite_or_none(median),
            "threshold_max_A": float(fired.max()) if fired.size == thr.size else None,
            "not_reached": int(thr.size - fired.size), "searched_to_A": searched_a}


#: The pulse widths the point source's strength-duration line is fitted over (s): Weiss's
#: line through 25 µs to 1 ms, as human strength-duration studies span (Mogyoros et al.
#: 1996: 0.1-1 ms).
SD_FIT_WIDTHS_S = (25e-6, 1e-3)


def _point_plots(fiber: Any, pot: Any, pw: float, args: argparse.Namespace, opts: Any,
                 precision: float, rec: Any, distance_m: float) -> tuple[Any, list[bytes]]:
    """The strength-duration fit with its plot and, with ``--population``, the
    recruitment plot (PNG)."""
    from estim import fibers as fb
    from estim.report.fiber_plots import point_recruitment_png, point_strength_duration_png

    # one range for every --pulse-width: the fit's rheobase and chronaxie moved with the
    # width asked about (49.5 -> 48.5 µA for the same fiber; probe of 5 December 2026)
    pws = np.geomspace(SD_FIT_WIDTHS_S[0], SD_FIT_WIDTHS_S[1], 6)
    sd = fb.strength_duration(fiber, pot, pws, cathodic=not args.anodic, precision=precision,
                              options=opts)
    files = [point_strength_duration_png(
        sd, title=f"Strength–duration, {fiber.model.value} {fiber.diameter_m * 1e6:.3g} µm")]
    if rec is not None:
        files.append(point_recruitment_png(
            rec.amplitudes_a, rec.fraction,
            title=f"Recruitment of {len(rec.thresholds_a)} MRG axons of 2–16 µm, "
                  f"{distance_m * 1e3:g} mm from the source"))  # [m -> mm]
    return sd, files
