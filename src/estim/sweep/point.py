"""One sweep point: run the program and read off the outputs the table holds.

:func:`run_point` is what a Dask worker runs; its outputs are plain numbers and words with
the unit in each name (:data:`OUTPUTS`), so that a table row needs no estim types.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from estim.effects.muscle_params import NEWTON_MUSCLES
from estim.errors import EstimWarning, ThinMuscleWarning
from estim.program.options import Sensation, Verdict
from estim.sweep.plan import Point, SweepOptions

if TYPE_CHECKING:
    from estim.effects.program import EffectsResult
    from estim.effects.sensation import SensationResult
    from estim.effects.window import SensationWindow
    from estim.safety.verdicts import SafetyReport
    from estim.simulate import Result
    from estim.waveforms.stimulus import Stimulus

__all__ = ["OUTPUTS", "Output", "PointResult", "run_point"]

Scalar = float | str | None


@dataclass(frozen=True)
class Output:
    """One output column.

    :param name: the column name, with its unit (``sensory_threshold_mA``).
    :param label: what the column holds, in words (plot titles).
    :param levels: the words a text column takes, mildest first (plotted as their rank).
    :param count: a whole number of things (plotted on whole ticks).
    :param text: free words (in the table, not plotted).
    :param worst: a safety quantity, worse the larger: a plot shows the largest of several
        values (over a further axis, or virtual subjects), never their median.
    """

    name: str
    label: str
    levels: tuple[str, ...] = ()
    count: bool = False
    text: bool = False
    worst: bool = False


def _band_outputs(which: str, label: str) -> tuple[Output, ...]:
    return tuple(Output(f"{which}_threshold_{q}_mA", f"{label} threshold, {words} of "
                        "virtual subjects (mA)")
                 for q, words in (("p10", "10th percentile"), ("median", "median"),
                                  ("p90", "90th percentile")))


#: Every output a point may have, in column order; a column that no point has is left out.
OUTPUTS: tuple[Output, ...] = (
    Output("safety_verdict", "Safety verdict", tuple(v.value for v in Verdict), worst=True),
    Output("safety_failures", "Safety rules failed", count=True, worst=True),
    Output("safety_warnings", "Safety warnings", count=True, worst=True),
    Output("safety_not_passed", "Rules not passed (at which setting)", text=True),
    Output("peak_current_mA", "Peak current, highest channel (mA)", worst=True),
    Output("peak_voltage_V", "Peak voltage, highest channel (V)", worst=True),
    Output("rms_current_mA", "r.m.s. current over the worst second, highest channel (mA)",
           worst=True),
    Output("rms_voltage_V", "r.m.s. voltage over the worst second, highest channel (V)",
           worst=True),
    Output("peak_current_500_ohm_mA", "Peak current into 500 Ω, highest channel (mA; what the "
           "device's compliance voltage or current limit lets through)", worst=True),
    Output("max_phase_charge_uC", "Largest phase charge, any channel (µC; into 500 Ω when "
           "voltage-controlled)", worst=True),
    Output("charge_density_uC_per_cm2", "Implant: charge density per phase at the contact, "
           "largest channel (µC/cm²; the limit is 30)", worst=True),
    Output("shannon_k", "Implant: Shannon's k of the charge per phase and its density, "
           "largest channel (the limit is 1.85)", worst=True),
    # what a sweep of pad sizes changes: the peak and the r.m.s. current stood the same
    # for 3 and 5 cm pads, and neither density was in the table (probe of 6 December 2026)
    Output("skin_current_density_mA_per_cm2", "r.m.s. current density under the smaller "
           "pad, worst of any channel or shared pads (mA/cm²; IEC 60601-2-10's limit is 2)",
           worst=True),
    Output("power_density_W_per_cm2", "Average power density under the smaller pad, worst "
           "of any channel or shared pads (W/cm²; the FDA's limit is 0.25)", worst=True),
    Output("sensory_threshold_mA", "Sensory threshold (mA)"),
    Output("strong_tingling_threshold_mA", "Strong tingling threshold (mA)"),
    Output("motor_threshold_mA", "Motor threshold (mA)"),
    Output("pain_threshold_mA", "Pain threshold (mA)"),
    # the window Alon et al. compared across widths: worked out by hand from two columns
    # (researcher's probe of 6 December 2026)
    Output("window_pain_over_sensory", "Window: pain threshold ÷ sensory threshold"),
    Output("thresholds_at_sample_edge", "Thresholds where the model's sample of Aβ "
           "afferents runs out (where all of them fire; a band's \"p90\": where a tenth of "
           "the virtual people need more than it holds): not a prediction", text=True),
    # what estim run says of the same thresholds: the sweep gave 34-36 mA of modulated TENS
    # as a settled "contraction, below pain" where the run says the twitch and pain are too
    # close to order and 36 mA too close to call (hostile probe of 8 December 2026)
    Output("thresholds_too_close_to_order", "Two thresholds nearer each other than another "
           "sample of the model's fibers moves them (their order is not settled): how far "
           "apart, and the spread", text=True),
    Output("setting_too_close_to_call", "Thresholds the driven current lies within the "
           "model's spread of (on which side a person falls is not settled)", text=True),
    *_band_outputs("sensory", "Sensory"),
    # strong tingling's band and how many of the people feel what: estim run gives both,
    # the sweep's table neither (researcher's probe of 7 December 2026)
    *_band_outputs("strong_tingling", "Strong tingling"),
    *_band_outputs("motor", "Motor"),
    *_band_outputs("pain", "Pain"),
    *(Output(f"people_{s.name.lower()}", f"Of estim run's virtual people, how many feel "
             f"{s.value} at this setting", count=True) for s in Sensation),
    Output("people_undecided", "Of those, how many are given a tingling only where the "
           "model's sample of Aβ afferents ends (not a prediction)", count=True),
    Output("abeta_recruited_fraction", "Aβ fibers recruited (fraction)"),
    Output("adelta_recruited_fraction", "Aδ fibers recruited (fraction)"),
    Output("c_recruited_fraction", "C fibers recruited (fraction)"),
    Output("periosteal_recruited_fraction",
           "Periosteal Aδ fibers recruited (fraction; where a bone lies under the pads)"),
    Output("motor_recruited_fraction", "Motor axons recruited (fraction)"),
    Output("sensation", "Predicted sensation", tuple(s.value for s in Sensation)),
    # a program of several channels is read under the strongest channel's pads: the
    # thresholds switched from one channel's to another's between two rows without a word
    # (review of 5 December 2026)
    Output("sensation_channel", "Channel whose pads the thresholds, sensation and force "
           "are read under (the strongest of those on)", text=True),
    # where the device cannot drive the setting the sensation is that of the current it
    # drives: 12, 30 and 60 mA on a 3 V unit read alike without a word (probe of
    # 5 December 2026)
    Output("driven_peak_current_mA", "Peak current the device drives into the tissue, the "
           "window's channel (mA; the setting's where the device can drive it)"),
    # the force model's newtons are Ding et al.'s quadriceps': another muscle's force is its
    # fraction of the maximal (a tibialis anterior read 271.9 N; review of 5 December 2026)
    Output("first_contraction_force_N", "Force of the first contraction (N; the force "
           "model's quadriceps newtons)"),
    Output("last_contraction_force_N", "Force of the last contraction (N; the force "
           "model's quadriceps newtons)"),
    Output("first_contraction_force_pct", "Force of the first contraction (% of the "
           "muscle's maximal)"),
    Output("fatigue_ratio", "Fatigue ratio (last / first contraction)"),
    Output("dose_mA_min", "Iontophoretic dose (mA·min)"),
    Output("current_density_mA_per_cm2", "Current density under the drug pad (mA/cm²)",
           worst=True),
    Output("dbs_current_mA", "DBS: the main channel's current into the tissue (mA; up to "
           "the device's limits)"),
    Output("activated_volume_mm3", "DBS: tissue activated by the main channel and those "
           "running its pulse (mm³, outside the encapsulation; 5.7 µm axons; a channel with "
           "another pulse is not in it)"),
    Output("activation_radius_mm", "DBS: activation radius at the cathode (mm; a lower "
           "bound where the activation reaches the grid's edge)"),
    # the volume and radius stop at the modelled axons' grid: 8 mm and 1,874 mm³ read as
    # exact in the table where estim run said "at least" (probe of 6 December 2026)
    Output("activation_at_grid_edge", "DBS: the activated region reaches the edge of the "
           "modelled axons' grid (its volume and radius are lower bounds)", text=True),
    Output("warnings", "What estim warned of at this point (a value outside its usual "
           "range, a model outside its valid range)", text=True),
)


@dataclass(frozen=True)
class PointResult:
    """What one point computed.

    :param key: the point's key.
    :param outputs: (column, value) of each output the program has; None: not reached or
        not defined (a threshold above any current tried).
    :param seconds: wall time of the point on its worker (s).
    """

    key: str
    outputs: tuple[tuple[str, Scalar], ...]
    seconds: float
    #: estim's warnings while it ran (a model outside its range), each once, for the command
    #: to say in its own words: on a worker they were printed as Python's file-and-line
    #: warnings. Not kept in the point's file.
    notes: tuple[str, ...] = ()


def run_point(point: Point, options: SweepOptions) -> PointResult:
    """Run one point's program and read its outputs (on a worker)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", EstimWarning)
        result = _run_point(point, options)
    notes: list[str] = []
    for w in caught:
        if point.subject is not None and issubclass(w.category, ThinMuscleWarning):
            continue  # a subject's drawn fat squeezes the muscle by design
        if issubclass(w.category, EstimWarning):
            if str(w.message) not in notes:
                notes.append(str(w.message))
        else:  # not estim's: as Python would show it
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    said = tuple(dict.fromkeys((*point.warnings, *notes)))  # the set-up's, then the run's
    outputs = result.outputs + ((("warnings", "; ".join(said)),) if said else ())
    return replace(result, outputs=outputs, notes=tuple(notes))


def _run_point(point: Point, options: SweepOptions) -> PointResult:
    from estim.safety import check
    from estim.simulate import field_impedances, simulate

    start = time.perf_counter()
    program = point.load()
    result = simulate(program, body=False)
    effects = _point_effects(point, options, result.stimuli) if options.body else None
    # with a field, as estim run judges it: a voltage-set output's skin rules into the
    # site's load where it is below 500 Ω (the sweep said pass where run warned; probe of
    # 5 December 2026); without one (--safety-only), estim check's 500 Ω
    safety = result.safety
    impedances = field_impedances(program, effects)
    if impedances:
        safety = check(program, impedances_ohm=impedances)
    out: dict[str, Scalar] = {}
    verdict = safety.verdict
    out["safety_verdict"] = verdict.value
    out["safety_failures"] = float(sum(f.verdict is Verdict.FAIL
                                       for f in safety.findings))
    out["safety_warnings"] = float(sum(f.verdict is Verdict.WARN
                                       for f in safety.findings))
    # which rule, at which setting: a fail in a row beside a pass-looking r.m.s. said
    # neither (probe of 5 December 2026)
    several = len(program.channels) > 1
    out["safety_not_passed"] = "; ".join(
        (f"channel {f.channel}: " if several and f.channel else "")
        + f"{f.rule_id} {f.verdict.value}"
        + (f" at the {f.setting.value}" + (" amplitude" if f.setting.value == "programmed"
                                           else "") if f.setting else "")
        for f in safety.findings if f.verdict is not Verdict.PASS) or None
    out.update(_output_columns(result))
    out.update(_densities(result))
    out.update(_implant_columns(safety))
    if effects is not None:
        out.update(_effects(point, effects))
    values = tuple((o.name, _finite(out[o.name])) for o in OUTPUTS if o.name in out)
    return PointResult(point.key, values, time.perf_counter() - start)


def _implant_columns(safety: SafetyReport) -> dict[str, Scalar]:
    """The two figures that decide an implant's verdict, at the programmed amplitude and
    the largest of its channels: a DBS sweep's rows read "fail" beside the peak and the
    r.m.s. alone, the reason in words (DBS researcher's probe of 7 December 2026)."""
    from estim.safety.output import Setting

    out: dict[str, Scalar] = {}
    for rule, column, scale in (("implant.charge_density", "charge_density_uC_per_cm2",
                                 100.0),  # [C/m² -> µC/cm²]
                                ("implant.shannon_k", "shannon_k", 1.0)):
        values = [float(f.value) * scale for f in safety.findings
                  if f.rule_id == rule and f.setting in (None, Setting.PROGRAMMED)
                  and isinstance(f.value, int | float) and not isinstance(f.value, bool)]
        if values:
            out[column] = max(values)
    return out


def _output_columns(result: Result) -> dict[str, Scalar]:
    """The programmed output of the highest channel: peak and worst-second r.m.s. in its
    control's unit, and the largest phase charge, which a voltage-controlled channel has
    only into a load: the output table's into 500 Ω. Every channel counts: a second
    channel's 90 mA read 70 mA, the first's (probe of 5 December 2026), and a
    voltage-controlled channel's charge read its V·µs as µC (491 'µC' for HVPC at 100 V,
    0.98 µC into 500 Ω)."""
    out: dict[str, Scalar] = {}
    volts = result.stimuli[0].unit == "V"  # one device, one control for every channel
    peak, rms = ("peak_voltage_V", "rms_voltage_V") if volts else \
        ("peak_current_mA", "rms_current_mA")
    scale = 1.0 if volts else 1e3  # [A -> mA]
    out[peak] = max(m.peak for m in result.metrics) * scale
    out[rms] = max(m.rms_max_1s for m in result.metrics) * scale
    # as delivered: a 1 V compliance read 25 mA beside the check's 2 mA (probe of 5
    # December 2026); a channel whose output could not be computed leaves it empty
    delivered = []
    for table in result.safety.table.channels:
        i = table.row("max_current_500_ohm").programmed
        delivered.append(float(i) if isinstance(i, int | float) else math.nan)
    whole = len(delivered) == len(result.stimuli) and all(map(math.isfinite, delivered))
    out["peak_current_500_ohm_mA"] = max(delivered) * 1e3 if whole else None  # [A -> mA]
    if not volts:  # the programmed current's, beside its programmed peak
        out["max_phase_charge_uC"] = max(m.max_phase_charge for m in result.metrics) * 1e6
        return out  # [C -> µC]
    charges = []
    for table in result.safety.table.channels:
        q = table.row("max_phase_charge_500_ohm").programmed
        charges.append(float(q) if isinstance(q, int | float) else math.nan)
    # a channel whose output could not be computed has no table: no charge (never a lower one)
    complete = len(charges) == len(result.stimuli) and all(map(math.isfinite, charges))
    out["max_phase_charge_uC"] = max(charges) * 1e6 if complete else None  # [C -> µC]
    return out


def _densities(result: Result) -> dict[str, Scalar]:
    """The skin's densities at the programmed setting as the safety rules judged them (the
    load they were judged into, shared pads' sums included): the largest of each rule's
    findings; none for a program without skin pads (a lead)."""
    out: dict[str, Scalar] = {}
    for rule, name, scale in (("iec.current_density", "skin_current_density_mA_per_cm2",
                               0.1),  # [A/m² -> mA/cm²]
                              ("fda.power_density", "power_density_W_per_cm2", 1e-4)):
        values = [f.value for f in result.safety.findings if f.rule_id == rule
                  and f.setting is not None and f.setting.value == "programmed"
                  and f.value is not None]
        if values:
            out[name] = max(values) * scale  # [W/m² -> W/cm²]
    return out


def _finite(value: Scalar) -> Scalar:
    """None for NaN and inf; a float to 12 significant figures, below any model's
    precision: the unit conversions left 9.499999999999998 mA in the CSV where the check's
    table says 9.5 (probe of 5 December 2026)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, float):
        return float(f"{value:.12g}")
    return value


def _point_effects(point: Point, options: SweepOptions, stimuli: tuple[Stimulus, ...]
                   ) -> EffectsResult:
    """The point's effects: its subject's own thresholds, or the bands over virtual
    subjects where it has none."""
    from estim.effects.placement import DEFAULT_COUNTS
    from estim.effects.program import effects_for_program

    counts = None if options.fibers is None else {k: options.fibers for k in DEFAULT_COUNTS}
    subject = point.subject
    return effects_for_program(
        point.load(), stimuli, counts=counts, seed=options.seed,
        excitability=1.0 if subject is None else subject.excitability_scale,
        pain_tolerance=1.0 if subject is None else subject.pain_scale,
        bands=subject is None)  # a subject's own thresholds, not the bands' people's


def window_ratio(sensory: Scalar | None, pain: Scalar | None, *,
                 sensory_at_edge: bool = False) -> float | None:
    """Pain ÷ sensory threshold, Alon et al.'s window; None where either is not a finite
    threshold above 0, or the sensory one lies where the Aβ sample runs out (not a
    prediction, so neither is the ratio; review of 6 December 2026).

    >>> window_ratio(4.85, 46.0)
    9.484536082474227
    >>> window_ratio(4.85, float("inf")), window_ratio(0.0, 46.0), window_ratio(None, 46.0)
    (None, None, None)
    >>> window_ratio(4.85, 46.0, sensory_at_edge=True) is None
    True
    """
    if sensory_at_edge or not (isinstance(sensory, float) and isinstance(pain, float)):
        return None
    if not (math.isfinite(sensory) and math.isfinite(pain) and sensory > 0 and pain > 0):
        return None
    return pain / sensory


def _reach_mA(point: Point, effects: EffectsResult) -> float:
    """The most current the device drives into the window's tissue (mA): its maximum setting
    (current-set) and what its compliance, current limit or top voltage drives there."""
    from estim.program.options import Control

    tops = [math.inf]
    device = point.load().device
    if device.control is Control.CURRENT and device.max_current is not None:
        tops.append(float(device.max_current) * 1e3)  # [A -> mA]
    if effects.reach is not None:
        tops.append(effects.reach.reach_a * 1e3)
    return min(tops)


def _closeness(out: dict[str, Scalar], reach_mA: float = math.inf) -> dict[str, Scalar]:
    """Where the thresholds in ``out`` (mA) are too close to order, and the driven current
    too close to one of them to call, in the words of estim run's lines; a pair past the
    device's reach (``reach_mA``) is left out, as the run leaves it.

    >>> _closeness({"sensory_threshold_mA": 4.02, "motor_threshold_mA": 33.35,
    ...             "pain_threshold_mA": 36.39, "driven_peak_current_mA": 36.0})
    {'thresholds_too_close_to_order': 'motor and pain 9.1% apart (±18%)', \
'setting_too_close_to_call': 'pain -1.1% (±16%)'}
    """
    from estim.effects.resolution import orders_unsettled, thresholds_near

    values = {k: out.get(f"{k}_threshold_mA") for k in ("sensory", "motor", "pain")}
    known = {k: float(v) for k, v in values.items() if isinstance(v, float | int)}
    pairs = [f"{a} and {b} {high / low - 1:.1%} apart (±{spread:.0%})"
             for a, low, b, high, spread in orders_unsettled(known)
             if low <= reach_mA * (1 + 1e-9)]
    at = out.get("driven_peak_current_mA")
    near = [] if not isinstance(at, float | int) else [
        f"{name} {at / amp - 1:+.1%} (±{edge:.0%})"
        for name, amp, edge in thresholds_near(float(at), known)]
    return {"thresholds_too_close_to_order": "; ".join(pairs),
            "setting_too_close_to_call": "; ".join(near)}


def _effects(point: Point, effects: EffectsResult) -> dict[str, Scalar]:
    out: dict[str, Scalar] = {}
    window = effects.window
    sensation = effects.sensation
    if window is not None:
        if point.subject is not None:
            window_out, sensation = _subject_window(window, effects, point)
            out.update(window_out)
        else:
            out.update(sensory_threshold_mA=window.sensory_a * 1e3,  # [A -> mA]
                       strong_tingling_threshold_mA=window.strong_a * 1e3,
                       motor_threshold_mA=window.motor_a * 1e3,
                       pain_threshold_mA=window.pain_a * 1e3)
            if window.bands is not None:
                bands = window.bands
                for name, band in (("sensory", bands.sensory),
                                   ("strong_tingling", bands.strong),
                                   ("motor", bands.motor), ("pain", bands.pain)):
                    out[f"{name}_threshold_p10_mA"] = band.low_a * 1e3  # [A -> mA]
                    out[f"{name}_threshold_median_mA"] = band.median_a * 1e3
                    out[f"{name}_threshold_p90_mA"] = band.high_a * 1e3
                # as estim run counts them, at the current this point drives
                felt = bands.sensations_at(window.amplitude_a)
                if felt:
                    for what, n in felt.items():
                        out[f"people_{what.name.lower()}"] = float(n)
                    out["people_undecided"] = float(sum(
                        bands.undecided_at(window.amplitude_a).values()))
        # a count of Aβ afferents more than lie under the pads (a 4 cm pad's strong tingling
        # read 23.7 mA beside a 5 cm pad's 9.1, unflagged; probe of 5 December 2026)
        edge = window.short_of_afferents(
            1.0 if point.subject is None else point.subject.density_scale)
        # a band's 90th percentile where a tenth of the virtual people need more afferents
        # than the sample holds, as estim run marks it "†": a sweep's strong tingling p90
        # read 123.7 mA, above the pain p10, unflagged (DBS researcher's probe of
        # 7 December 2026)
        bands_edge = () if point.subject is not None or window.bands is None else tuple(
            f"{what.replace('detection', 'sensory')} p90"
            for what, who in window.bands.beyond_sample.items()
            if len(who) >= 0.1 * window.bands.n_subjects)
        out["thresholds_at_sample_edge"] = ", ".join((*edge, *bands_edge))
        ratio = window_ratio(out.get("sensory_threshold_mA"), out.get("pain_threshold_mA"),
                             sensory_at_edge="sensory" in edge)
        if ratio is not None:
            out["window_pain_over_sensory"] = ratio
        # the subject's own (its factors' recruitment), or the reference anatomy's
        r = sensation.recruitment if sensation is not None else window.recruitment
        out.update(abeta_recruited_fraction=r.abeta, adelta_recruited_fraction=r.adelta,
                   c_recruited_fraction=r.c, motor_recruited_fraction=r.motor)
        if "periosteal" in window.classes:
            out["periosteal_recruited_fraction"] = r.periosteal
    if sensation is not None:
        out["sensation"] = sensation.sensation.value
    if window is not None:
        out["driven_peak_current_mA"] = window.amplitude_a * 1e3  # [A -> mA]
        out["sensation_channel"] = window.channel
        out.update(_closeness(out, _reach_mA(point, effects)))
    # the newtons are the force model's quadriceps': a tibialis anterior's force is its
    # fraction of the maximal alone, as estim run gives it (it read "106.8 N" in a sweep,
    # where the run declined to; clinician's probe of 7 December 2026)
    newtons = window is None or window.muscle is None or window.muscle in NEWTON_MUSCLES
    if effects.force is not None:
        peaks = effects.force.contraction_peak_force_N
        if peaks.size:
            if newtons:
                out["first_contraction_force_N"] = float(peaks[0])
                out["last_contraction_force_N"] = float(peaks[-1])
            if effects.max_force_N:
                out["first_contraction_force_pct"] = float(peaks[0]) / effects.max_force_N * 100
        out["fatigue_ratio"] = float(effects.force.fatigue_ratio)
    elif effects.max_force_N is not None:
        # a force program whose pulses recruit no motor axon: no force (blank cells drew
        # the force as one point at 60 mA, not a curve from zero; probe of 5 December
        # 2026); no fatigue ratio without a contraction
        if newtons:
            out["first_contraction_force_N"] = out["last_contraction_force_N"] = 0.0
        out["first_contraction_force_pct"] = 0.0
    if effects.dose is not None:
        out["dose_mA_min"] = effects.dose.dose_mA_min
        out["current_density_mA_per_cm2"] = effects.dose.current_density_mA_per_cm2
    if effects.dbs is None and effects.dbs_skipped:
        # a segment's sweep left its activation columns out without a word, where estim run
        # says why (DBS researcher's probe of 7 December 2026): said as the run says it
        warnings.warn(effects.dbs_skipped, EstimWarning, stacklevel=2)
    if effects.dbs is not None:  # a DBS sweep had the safety columns only (probe)
        act = effects.dbs
        out["dbs_current_mA"] = act.current_a * 1e3  # [A -> mA]
        out["activated_volume_mm3"] = act.volume_m3 * 1e9  # [m³ -> mm³]
        cathodes = [c for c in act.contacts if c.role == "cathode"] or list(act.contacts)
        if cathodes:
            out["activation_radius_mm"] = max(c.radius_m for c in cathodes) * 1e3  # [m -> mm]
        out["activation_at_grid_edge"] = ("yes: the volume and radius are at least these"
                                          if act.beyond_grid else "no")
    return out


def _subject_window(window: SensationWindow, effects: EffectsResult, point: Point
                    ) -> tuple[dict[str, Scalar], SensationResult | None]:
    """The thresholds and the sensation of one virtual subject: its anatomy is in the
    program already (the field was solved in it); its innervation density scales the
    afferents that the calibrated counts are compared with; its excitability factor
    multiplies every threshold and its pain factor the pain threshold (``effects`` holds
    its recruitment and force already)."""
    from estim.effects.calibration import CALIBRATED_COUNTS, criteria_from_counts
    from estim.effects.sensation import classify_sensation
    from estim.effects.window import pain_threshold

    assert point.subject is not None
    criteria = window.criteria
    if window.available is not None and window.counts is not None:
        criteria = replace(criteria_from_counts(CALIBRATED_COUNTS, {
            k: n * point.subject.density_scale for k, n in window.available.items()}),
            pain_adelta_fraction=criteria.pain_adelta_fraction,
            motor_fraction_without_force=window.motor_fraction_criterion)

    def at(name: str, fraction: float) -> float:
        c = window.classes.get(name)
        return c.amplitude_for(fraction) if c is not None and c.thresholds_a.size \
            else math.inf

    e = point.subject.excitability_scale * 1e3  # [A -> mA]
    out: dict[str, Scalar] = {
        "sensory_threshold_mA": at("abeta", criteria.sensory_abeta_fraction) * e,
        "strong_tingling_threshold_mA": at("abeta", criteria.strong_abeta_fraction) * e,
        "motor_threshold_mA": at("motor", window.motor_fraction_criterion) * e,
        "pain_threshold_mA": pain_threshold(window.classes, criteria) * e
        * point.subject.pain_scale,
    }
    sensation = effects.sensation
    if sensation is not None:
        sensation = classify_sensation(sensation.recruitment,
                                       force_N=_first_force(effects),
                                       max_force_N=effects.max_force_N, criteria=criteria)
    return out, sensation


def _first_force(effects: EffectsResult) -> float | None:
    if effects.force is None:
        return None
    peaks = effects.force.contraction_peak_force_N
    return float(peaks[0]) if peaks.size else 0.0
