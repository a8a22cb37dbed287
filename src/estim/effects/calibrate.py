"""Calibrating the sensation model's global values on :mod:`estim.effects.calibration`'s
targets: the procedures behind ``benchmarks/calibrate_sensation.py`` and the calibration
tests (the stored values live in the calibration module, which the window reads).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from numpy.typing import NDArray

from estim.effects.calibration import (
    CALIBRATED_COUNTS,
    CALIBRATION_CONFIGURATION,
    CALIBRATION_RATE_HZ,
    CALIBRATION_TARGETS,
    HUGHES_CALIBRATION_PAIRS,
    HUGHES_SITES,
    HUGHES_WINDOW_DIFFERENCES,
    INTOLERANCE_PAD_CM,
    INTOLERANCE_PHASE_S,
    MOTOR_CALIBRATION_CONFIGURATION,
    SensationCounts,
    pain_rate_factor,
)
from estim.effects.window import SensationWindow
from estim.errors import ThinMuscleWarning

if TYPE_CHECKING:
    from estim.program.model import Program

__all__ = ["calibrate", "calibrate_excitability_cv", "calibrate_motor_branch_factor",
           "calibrate_nap_shift", "calibrate_pain_criterion_cv", "calibrate_pain_summation_tau",
           "calibrate_periosteal_density",
           "calibration_program", "calibration_window", "detection_by_subject",
           "detection_spread", "hughes_program", "hughes_window_differences",
           "nap_shift_tau_ratio", "pain_by_subject", "pain_current_rate_ratio",
           "pain_fraction_for_ratio", "pain_spread", "pain_spread_window",
           "quarter_mvc_current", "study_quarter_mvc_current"]

#: Virtual subjects behind the spread calibration: the CV of 400 draws has a sampling
#: error of about 0.277 / sqrt(2 x 400) = 0.01 (3.5 % of it).
_SPREAD_SUBJECTS = 400


@lru_cache(maxsize=32)
def _point_source_tau(shift_mv: float) -> float:
    """τSD (s) of a 10 µm MRG axon with its persistent Na activation shifted by ``shift_mv``,
    3 mm from a point source in 0.3 S/m (cached: the root search asks for the unshifted
    axon at every step)."""
    import numpy as np

    from estim.effects.drive import UnitPulse
    from estim.effects.strength_duration import weiss_fit
    from estim.fibers import find_thresholds, make_fiber
    from estim.waveforms.segments import Pulse, Segment

    widths = np.array([20e-6, 50e-6, 100e-6, 200e-6, 500e-6, 1000e-6])
    f = make_fiber("mrg", 10e-6, nap_shift_mv=shift_mv)
    x = np.asarray(f.positions_m)
    phi = 1.0 / (4 * np.pi * 0.3 * np.hypot(x - x[len(x) // 2], 3e-3))
    thr = [float(find_thresholds(
        [f], [phi], UnitPulse(Pulse((Segment.constant(-1.0, 0.0, float(w)),), "mono"),
                              delay_s=1e-3), precision=0.002).threshold_a[0])
           for w in widths]
    return weiss_fit(widths, np.array(thr))[1]


def nap_shift_tau_ratio(shift_mv: float) -> float:
    """τSD of a 10 µm MRG axon with the persistent Na activation shifted by ``shift_mv``
    over that of the unshifted (motor) axon, 3 mm from a point source in 0.3 S/m."""
    return _point_source_tau(float(shift_mv)) / _point_source_tau(0.0)


def calibrate_nap_shift() -> float:
    """The shift (mV, to 0.05) at which :func:`nap_shift_tau_ratio` is Mogyoros's ratio."""
    from scipy.optimize import brentq

    target = next(t.value for t in CALIBRATION_TARGETS if t.name == "sensory_tau_ratio")
    shift = brentq(lambda s: nap_shift_tau_ratio(s) - target, 7.0, 9.5, xtol=0.01)
    return round(float(shift) * 20) / 20


def calibration_program(pad_cm: float | None = None) -> Program:
    """The program of :data:`CALIBRATION_CONFIGURATION`, with square pads of ``pad_cm``
    instead of its 5 x 5 cm (None: as bundled; the same site and placements)."""
    from estim.program import parse_program
    from estim.program.bundled import bundled_examples, resolve_program

    name = CALIBRATION_CONFIGURATION["program"]
    if pad_cm is None:
        return resolve_program(name)[0]
    text = bundled_examples()[name].read_text(encoding="utf-8")
    pads = 'width = "5 cm", length = "5 cm"'
    if text.count(pads) != 2:
        raise RuntimeError(f"{name}: its two 5 x 5 cm pads are no longer written as "
                           f"{pads!r}; calibration_program(pad_cm) cannot resize them")
    return parse_program(text.replace(
        pads, f'width = "{pad_cm:g} cm", length = "{pad_cm:g} cm"'))


def calibration_window(phase_s: float = 100e-6, pad_cm: float | None = None,
                       rate_hz: float | None = None, *, seed: int = 0) -> SensationWindow:
    """The sensation window of :data:`CALIBRATION_CONFIGURATION` with the stored counts: the
    bundled program's pads and field, symmetric biphasic pulses of ``phase_s`` per phase
    for 1 s at ``rate_hz`` (None: :data:`~estim.effects.calibration.CALIBRATION_RATE_HZ`);
    ``pad_cm``: square pads of that side instead of the program's 5 x 5 cm (the same site
    and placement); ``seed``: the draw of the fibers (the stored values are seed 0's)."""
    from estim.effects.program import channel_setup
    from estim.effects.window import sensation_window
    from estim.program.options import PulseShape
    from estim.waveforms.build import biphasic_pulse, regular_train, stimuli_for

    program = calibration_program(pad_cm)
    pf, _, _, _ = channel_setup(program, stimuli_for(program))
    pulse = biphasic_pulse(PulseShape.SYMMETRIC_BIPHASIC, phase_s)
    stim = regular_train(pulse, CALIBRATION_RATE_HZ if rate_hz is None else rate_hz)
    # the calibrated fractions are the skin's (Dölker et al. measured on the upper arm, whose
    # periosteum fires above the skin's own pain): no periosteal fibers to search
    return sensation_window("calibration", stim, pf.channels[0], 1.0, site=pf.site,
                            counts={"periosteal": 0}, seed=seed)


def pain_fraction_for_ratio(pad_cm: float = INTOLERANCE_PAD_CM,
                            phase_s: float = INTOLERANCE_PHASE_S,
                            ratio: float | None = None, *, seed: int = 0,
                            detection_abeta: float | None = None) -> float:
    """The fraction of the Aδ afferents under and around the cathode (to 0.001) at which
    pain ÷ detection is ``ratio`` (None: Dölker et al. 2022's intolerance ÷ perception) in
    the calibration configuration with square pads of ``pad_cm`` and ``phase_s`` pulses,
    on the model's own detection threshold in that configuration (the study's two
    thresholds were measured on the same pads).

    With :data:`~estim.effects.calibration.INTOLERANCE_PAD_CM` pads and the study's
    :data:`~estim.effects.calibration.INTOLERANCE_PHASE_S` pulses this is the stored
    ``pain_adelta_fraction``; other sizes and widths show how much the stored value rests
    on the assumed pads (the study's ran from 1.5 to 4 cm; the medians' is not in the
    abstract read). NaN
    where no fraction reaches the ratio (pads so small that every Aδ fires below it, or so
    large that the first does above it).

    ``detection_abeta``: the detection count to take the detection threshold at (None: the
    stored one, the window's own). :func:`calibrate` passes the count it has just found, so
    that the fraction is calibrated on the detection threshold the new count gives, not on
    the stored count's."""
    import math

    from scipy.optimize import brentq

    if ratio is None:
        ratio = next(t.value for t in CALIBRATION_TARGETS if t.name == "pain")
    win = calibration_window(phase_s, None if pad_cm == 5.0 else pad_cm, seed=seed)
    adelta = win.classes["adelta"]
    detection = win.sensory_a
    have = (win.available or {}).get("abeta", 0.0)
    stored = win.counts.detection_abeta if win.counts is not None else 0.0
    count = stored if detection_abeta is None else detection_abeta
    if detection_abeta is not None:
        detection = float(win.classes["abeta"].amplitude_for(
            min(1.0, detection_abeta / have) if have > 0 else 1.0))
    if count > have:
        import warnings

        from estim.errors import ModelRangeWarning

        warnings.warn(f"the detection count ({count:.1f} Aβ) is more than the {have:.0f} "
                      f"afferents sampled round the {pad_cm:g} cm pads: detection there is "
                      "the sample's last afferent, and the pain fraction is calibrated on "
                      "where the sample ends", ModelRangeWarning, stacklevel=2)

    def excess(f: float) -> float:
        return float(adelta.amplitude_for(f)) / detection - ratio

    lo, hi = 1e-3, 1.0
    if not (excess(lo) < 0 < excess(hi)) or not math.isfinite(detection):
        return math.nan
    return round(float(brentq(excess, lo, hi, xtol=1e-5)), 3)


def pain_current_rate_ratio(tau_s: float, slow_hz: float = 1.0, fast_hz: float = 20.0, *,
                            seed: int = 0, pain_adelta_fraction: float | None = None) -> float:
    """Pain current at ``fast_hz`` over that at ``slow_hz`` in the intolerance configuration
    (:data:`~estim.effects.calibration.INTOLERANCE_PAD_CM` pads,
    :data:`~estim.effects.calibration.INTOLERANCE_PHASE_S` pulses), with temporal
    summation of time constant ``tau_s``: the window's Aδ recruitment at the fraction each
    rate needs (:func:`~estim.effects.calibration.pain_rate_factor`)."""
    import numpy as np

    adelta = calibration_window(INTOLERANCE_PHASE_S, INTOLERANCE_PAD_CM,
                                seed=seed).classes["adelta"]
    base = CALIBRATED_COUNTS.pain_adelta_fraction if pain_adelta_fraction is None \
        else pain_adelta_fraction

    def current(rate: float) -> float:
        volleys = tuple(np.arange(0.0, 1.0, 1.0 / rate))
        need = min(1.0, base * pain_rate_factor(volleys, tau_s))
        return float(adelta.amplitude_for(need))

    return current(fast_hz) / current(slow_hz)


def calibrate_pain_summation_tau(*, seed: int = 0,
                                 pain_adelta_fraction: float | None = None) -> float:
    """The summation time constant (s, to 0.01 ms) at which :func:`pain_current_rate_ratio`
    is Arendt-Nielsen et al.'s 0.6 / 0.8: a longer constant sums the 20 Hz train more (a
    1 Hz train is one volley at a time for any constant here), so the ratio falls as it
    grows (searched between 2 and 45 ms). The model has no slower summation (wind-up over
    seconds): that 1 Hz trains were painful below a single stimulus in the study is not in
    it."""
    from scipy.optimize import brentq

    target = next(t.value for t in CALIBRATION_TARGETS if t.name == "pain_rate")
    tau = brentq(lambda x: pain_current_rate_ratio(
        x, seed=seed, pain_adelta_fraction=pain_adelta_fraction) - target, 2e-3, 45e-3,
        xtol=2e-6)
    return round(float(tau), 5)


def calibrate(*, seed: int = 0) -> SensationCounts:
    """The counts (Aβ) recruited, in the calibration configuration, at the targets'
    currents (the detection threshold, and strong tingling at its published ratio to it),
    and the Aδ fraction at which pain ÷ detection is the published ratio on the intolerance
    study's assumed pads (:func:`pain_fraction_for_ratio`), detection there taken at the
    count just found: one pass, whatever the stored counts (an Aβ sample of another size or
    draw moves the detection count, and with it the intolerance study's detection
    threshold). What ``CALIBRATED_COUNTS`` holds, rounded."""
    win = calibration_window(seed=seed)
    target = {t.name: t.value for t in CALIBRATION_TARGETS}
    detection_a = target["detection"] * 1e-3  # [mA -> A]
    avail = win.available or {}

    def fraction(cls: str, amp_a: float) -> float:
        return float(win.classes[cls].fraction_at(amp_a)[0])

    detection = round(fraction("abeta", detection_a) * avail["abeta"], 1)
    return SensationCounts(
        detection_abeta=detection,
        strong_abeta=round(fraction("abeta", detection_a * target["strong"]) * avail["abeta"],
                           1),
        # on the detection threshold the new count gives on the intolerance study's pads
        pain_adelta_fraction=pain_fraction_for_ratio(seed=seed, detection_abeta=detection))


def detection_spread(excitability_cv: float | None = None,
                     n_subjects: int = _SPREAD_SUBJECTS) -> float:
    """SD / mean of the calibration window's detection threshold over ``n_subjects`` virtual
    subjects (seed 0), with the per-subject factor of spread ``excitability_cv`` (None: the
    stored one; 0: the anatomy alone)."""
    import numpy as np

    thresholds = detection_by_subject(excitability_cv, n_subjects)
    return float(np.std(thresholds, ddof=1) / np.mean(thresholds))


def detection_by_subject(excitability_cv: float | None = None,
                         n_subjects: int = _SPREAD_SUBJECTS) -> NDArray[Any]:
    """The calibration window's detection threshold (A) in each virtual subject (seed 0)."""
    from estim.effects.program import channel_setup
    from estim.program.bundled import resolve_program
    from estim.waveforms.build import stimuli_for

    win = calibration_window()
    program = resolve_program(CALIBRATION_CONFIGURATION["program"])[0]
    pf = channel_setup(program, stimuli_for(program))[0]
    return _by_subject(win, pf.channels[0], pf.site, "sensory", n_subjects,
                       excitability_cv=excitability_cv)


def _by_subject(window: SensationWindow, channel: Any, site: Any, row: str, n_subjects: int,
                **spread: float | None) -> NDArray[Any]:
    """One threshold (A) of ``window`` in each of ``n_subjects`` virtual subjects (seed 0)
    with the factors' spreads ``spread`` (:func:`~estim.effects.subjects.subject_thresholds`)."""
    from estim.effects.subjects import subject_thresholds

    drawn = subject_thresholds(window.classes, channel, site, counts=window.counts,
                               criteria=window.criteria, available=window.available or {},
                               n_subjects=n_subjects, **spread)  # type: ignore[arg-type]
    if drawn is None:
        raise RuntimeError(f"{window.channel}: this configuration has no fast field for "
                           "subjects")
    return drawn[0][row]


def calibrate_excitability_cv(n_subjects: int = _SPREAD_SUBJECTS) -> float:
    """The per-subject factor's CV (to 0.005) that, with the anatomy's own spread, gives
    the detection study's SD / mean: ``1 + CV² = (1 + CV_anatomy²)(1 + CV_factor²)`` for
    independent factors (the factor scales every threshold of a subject alike)."""
    return _factor_cv("detection_spread", detection_spread(0.0, n_subjects))


def _factor_cv(target_name: str, shared: float) -> float:
    """The CV (to 0.005) of an independent log-normal factor that, composed with a spread
    ``shared``, gives the target's: ``1 + CV² = (1 + shared²)(1 + CV_factor²)``; 0 where the
    shared spread alone reaches it."""
    target = next(t.value for t in CALIBRATION_TARGETS if t.name == target_name)
    if shared >= target:
        return 0.0
    cv = ((1 + target * target) / (1 + shared * shared) - 1) ** 0.5
    return round(cv * 200) / 200


_PAIN_SPREAD_PROGRAM = """
name = "the maximal tolerated current's spread: wide-pulse NMES over the biceps"
[device]
control = "current"
max_current = "100 mA"
compliance_voltage = "120 V"
[site]
name = "upper_arm"
[[channels]]
name = "1"
anode = { placement = "biceps_proximal", shape = "rectangular", width = "5 cm", length = "5 cm" }
cathode = { placement = "biceps_distal", shape = "rectangular", width = "5 cm", length = "5 cm" }
[channels.stimulation]
type = "nmes"
amplitude = "15 mA"
frequency = "100 Hz"
pulse_width = "1 ms"
on_time = "10 s"
off_time = "10 s"
duration = "1 min"
"""


def pain_spread_window(*, seed: int = 0) -> tuple[SensationWindow, Any, Any]:
    """The sensation window of :data:`~estim.effects.calibration.PAIN_SPREAD_CONFIGURATION`
    (symmetric biphasic 1 ms pulses at 100 Hz, the calibration's rate, so pain's fraction
    is the calibrated one), with its channel's field solution and its site."""
    from estim.effects.program import channel_setup
    from estim.effects.window import sensation_window
    from estim.program import parse_program
    from estim.program.options import PulseShape
    from estim.waveforms.build import biphasic_pulse, regular_train, stimuli_for

    program = parse_program(_PAIN_SPREAD_PROGRAM)
    pf, _, _, _ = channel_setup(program, stimuli_for(program))
    stim = regular_train(biphasic_pulse(PulseShape.SYMMETRIC_BIPHASIC, 1e-3),
                         CALIBRATION_RATE_HZ)
    window = sensation_window("pain spread", stim, pf.channels[0], 1.0, site=pf.site,
                              seed=seed)
    return window, pf.channels[0], pf.site


def pain_by_subject(pain_cv: float | None = None,
                    n_subjects: int = _SPREAD_SUBJECTS) -> NDArray[Any]:
    """The pain threshold (A) of :func:`pain_spread_window` in each virtual subject (seed 0),
    with the pain factor of spread ``pain_cv`` (None: the stored one; 0: none)."""
    win, channel, site = pain_spread_window()
    return _by_subject(win, channel, site, "pain", n_subjects, pain_cv=pain_cv)


def pain_spread(pain_cv: float | None = None, n_subjects: int = _SPREAD_SUBJECTS) -> float:
    """SD / mean of :func:`pain_by_subject`."""
    import numpy as np

    pain = pain_by_subject(pain_cv, n_subjects)
    return float(np.std(pain, ddof=1) / np.mean(pain))


def calibrate_pain_criterion_cv(n_subjects: int = _SPREAD_SUBJECTS) -> float:
    """The pain factor's CV (to 0.005) that, with the spread pain shares with every
    threshold (anatomy and excitability), gives the maximal tolerated current's SD / mean:
    ``1 + CV² = (1 + CV_shared²)(1 + CV_pain²)`` for independent factors."""
    return _factor_cv("pain_spread", pain_spread(0.0, n_subjects))


@lru_cache(maxsize=32)
def quarter_mvc_current(branch_factor: float | None = None,
                        pads_cm: tuple[float, float] = (5.0, 8.0), *, seed: int = 0) -> float:
    """The current (A) at which the quadriceps makes 25 % of its maximal force in
    :data:`~estim.effects.calibration.MOTOR_CALIBRATION_CONFIGURATION` (Patterson & Lockwood's
    300 µs pulses at 40 Hz), with motor branches ``branch_factor`` times the trunk diameter
    (None: the stored factor) and pads of ``pads_cm`` (width, length along the thigh).

    The window's own motor axons (the same draws, ``seed``, the window's count): their recruited
    fraction makes ``fraction x F(40 Hz) / F(100 Hz)`` of the maximal Ding force, so 25 %
    needs ``0.25 F(100) / F(40)`` of them."""
    from estim.effects.drive import UnitPulse
    from estim.effects.muscle import force_frequency
    from estim.effects.muscle_params import DING_2003_QUADRICEPS
    from estim.effects.placement import DEFAULT_COUNTS, site_anatomy
    from estim.effects.populations import sample_fiber_populations
    from estim.effects.program import channel_setup
    from estim.effects.window import class_thresholds
    from estim.program import parse_program
    from estim.program.bundled import bundled_examples
    from estim.program.options import PulseShape
    from estim.waveforms.build import biphasic_pulse, stimuli_for

    name = MOTOR_CALIBRATION_CONFIGURATION["program"]
    text = bundled_examples()[name].read_text(encoding="utf-8")
    pads = 'width = "7.5 cm", length = "13 cm"'
    if text.count(pads) != 2:
        raise RuntimeError(f"{name}: its two pads are no longer written as {pads!r}; "
                           "quarter_mvc_current cannot resize them")
    program = parse_program(text.replace(
        pads, f'width = "{pads_cm[0]:g} cm", length = "{pads_cm[1]:g} cm"'))
    pf, _, _, _ = channel_setup(program, stimuli_for(program))
    cf = pf.channels[0]
    anatomy = site_anatomy(pf.site)
    if branch_factor is not None:
        anatomy["motor_diameter_factor"] = branch_factor
    (pop,) = sample_fiber_populations(seed=seed, counts={"motor": DEFAULT_COUNTS["motor"]},
                                      classes=["motor"], **anatomy)
    pulse = UnitPulse(biphasic_pulse(PulseShape.SYMMETRIC_BIPHASIC, 300e-6))
    motor = class_thresholds(pop, cf.cathode, pf.site, cf.potential, pulse)
    force = force_frequency([40.0, 100.0], params=DING_2003_QUADRICEPS,
                            backend="python").peak_force_N
    fraction = 0.25 * float(force[1]) / float(force[0])
    return float(motor.amplitude_for(fraction))


#: Patterson & Lockwood's electrodes spanned 20-60 cm² and gave about 55 mA for 25 % MVC
#: whatever their size: pads of 20, 40 and 60 cm² over the thigh's two motor points (width,
#: length along the thigh; cm).
STUDY_PADS_CM: tuple[tuple[float, float], ...] = ((4.5, 4.5), (5.0, 8.0), (6.0, 10.0))


def study_quarter_mvc_current(branch_factor: float | None = None, *, seed: int = 0) -> float:
    """The mean of :func:`quarter_mvc_current` (A) over the study's pad sizes
    (:data:`STUDY_PADS_CM`): the figure the study reports for all of them."""
    return sum(quarter_mvc_current(branch_factor, pads, seed=seed) for pads in STUDY_PADS_CM) \
        / len(STUDY_PADS_CM)


def calibrate_motor_branch_factor(*, seed: int = 0) -> float:
    """The motor-branch diameter factor (to 0.005, a ~1 % step in the current) at which
    :func:`study_quarter_mvc_current` is Patterson & Lockwood's 55 mA. Thinner branches need
    more current, so the search is on a monotonic function of the factor, between 0.3 and 1
    of the trunk diameter. ``seed``: the draw of the motor axons (the stored factor is seed
    0's)."""
    from scipy.optimize import brentq

    target = next(t.value for t in CALIBRATION_TARGETS if t.name == "nmes_quarter_mvc")
    factor = brentq(lambda f: study_quarter_mvc_current(round(f, 4), seed=seed) * 1e3 - target,
                    0.3, 1.0, xtol=1e-3)
    return round(float(factor) * 200) / 200


def hughes_program(label: str) -> Program:
    """The bundled ``tens_conventional`` program (5 x 5 cm pads 7.5 cm apart, 200 µs
    symmetric biphasic at 80 Hz) at one of Hughes et al.'s sites
    (:data:`~estim.effects.calibration.HUGHES_SITES`)."""
    from estim.program import parse_program
    from estim.program.bundled import bundled_examples

    site, overrides, anode, cathode = HUGHES_SITES[label]
    text = bundled_examples()["tens_conventional"].read_text(encoding="utf-8")
    for old in ('name = "lower_back"', "lumbar_left_upper", "lumbar_left_lower"):
        if text.count(old) != 1:
            raise RuntimeError(f"tens_conventional: {old!r} is no longer written once; "
                               "hughes_program cannot move its pads")
    return parse_program(text.replace('name = "lower_back"', f'name = "{site}"\n{overrides}')
                         .replace("lumbar_left_upper", anode)
                         .replace("lumbar_left_lower", cathode))


def hughes_window_differences(windows: Mapping[str, SensationWindow],
                              periosteal_ratio: float | None = None
                              ) -> dict[tuple[str, str], float]:
    """Hughes et al.'s differences between sites' windows (pain − detection, mA) that
    ``windows`` (label -> the window at that site) allow, with pain counted at
    ``periosteal_ratio`` periosteal Aδ per skin Aδ (None: the stored one). The fibers'
    thresholds do not depend on it, so one set of windows serves every ratio."""
    from estim.effects.window import pain_threshold

    def window_ma(w: SensationWindow) -> float:
        pain = pain_threshold(w.classes, w.criteria, periosteal_ratio=periosteal_ratio)
        return (pain - w.sensory_a) * 1e3  # [A -> mA]

    return {(a, b): window_ma(windows[a]) - window_ma(windows[b])
            for a, b, *_ in HUGHES_WINDOW_DIFFERENCES if a in windows and b in windows}


def calibrate_periosteal_density(windows: Mapping[str, SensationWindow] | None = None, *,
                                 seed: int = 0) -> float:
    """The periosteal Aδ's density per skin Aδ (searched over 0-2 in steps of 0.05, the
    precision it is stored to) whose differences lower back − tibia and knee − tibia
    (:data:`~estim.effects.calibration.HUGHES_CALIBRATION_PAIRS`) are nearest Hughes et
    al.'s means: least squares, each difference weighted by its standard error, the 95 %
    CI's half-width over 1.96. ``windows``: label -> window at those sites (None: computed
    here for :func:`hughes_program`'s programs with the draw of fibers ``seed``; the stored
    value is seed 0's)."""
    import numpy as np

    from estim.effects.program import effects_for_program
    from estim.waveforms.build import stimuli_for

    needed = sorted({site for pair in HUGHES_CALIBRATION_PAIRS for site in pair})
    if windows is None:
        windows = {}
        for label in needed:
            program = hughes_program(label)
            with warnings.catch_warnings():
                # the tibia's 0.5 mm of muscle is outside the motor axons' range; its
                # window's detection and pain, all the calibration reads, are not
                warnings.simplefilter("ignore", ThinMuscleWarning)
                fx = effects_for_program(program, stimuli_for(program), seed=seed)
            if fx is None or fx.window is None:
                raise RuntimeError(f"{label}: the Hughes program has no sensation window")
            windows[label] = fx.window
    target = {(a, b): (mean, (hi - lo) / (2 * 1.96))
              for a, b, mean, lo, hi in HUGHES_WINDOW_DIFFERENCES
              if (a, b) in HUGHES_CALIBRATION_PAIRS}
    # on the stored grid itself: the 0.01 search's 0.22 (cost 1.77), rounded to 0.2, fell
    # beyond the cliff where the shin's periosteal count stops reaching the criterion
    # (cost 2.87, where 0.25 gives 1.85; 6 December 2026)
    ratios = np.round(np.arange(0.0, 2.0 + 1e-9, 0.05), 2)
    cost = []
    for r in ratios:
        got = hughes_window_differences(windows, float(r))
        cost.append(sum(((got[k] - mean) / se) ** 2 for k, (mean, se) in target.items()))
    return float(ratios[int(np.argmin(cost))])
