"""The sensation window: which fibers fire under a program's own waveform and field.

This joins the stages: the fiber populations (:mod:`estim.effects.populations`) are placed in
the site under the channel's cathode, each fiber's extracellular potential per ampere comes
from the field solution (:mod:`estim.fields`), the unit waveform is the program's own pulse
(:mod:`estim.waveforms`), and the cable models (:mod:`estim.fibers`) give every fiber's
threshold. Recruitment against intensity, the sensory, motor and pain thresholds, and what
fires at the programmed intensity follow.

Evidence: fiber thresholds are mechanistic (cable models validated against NEURON); the
anatomy (diameters, depths) is an assumption; the sensation criteria are model predictions.
"""

from __future__ import annotations

import math
import numbers
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from estim.cache import digest, load_arrays, store_arrays
from estim.effects.anatomy import (
    PERIOSTEAL_DENSITY_RATIO,
    PERIOSTEAL_PLEXUS_ABOVE_BONE_M,
    SITE_MUSCLE,
    Muscle,
    between_groups,
    innervation_density,
    muscle_for_site,
)
from estim.effects.calibration import (
    CALIBRATED_COUNTS,
    INTOLERANCE_PAD_CM,
    MOTOR_BRANCH_DIAMETER_FACTOR,
    SensationCounts,
    counts_out_of_range,
    criteria_from_counts,
    pain_rate_factor,
)
from estim.effects.drive import (
    SourcePulses,
    UnitPulse,
    Volleys,
    largest_pulse,
    superposed,
    superposed_tstop,
    time_step,
    unit_pulse,
    volleys,
)
from estim.effects.populations import (
    AdeltaEnding,
    FiberClass,
    FiberPopulation,
    sample_fiber_populations,
)
from estim.effects.sensation import (
    Recruitment,
    SensationCriteria,
    ThresholdBands,
    maximal_force_N,
    motor_threshold_fraction,
)
from estim.errors import InputError, ModelRangeWarning
from estim.evidence import EvidenceLevel
from estim.fields.sites import motor_point_shift_m
from estim.progress import Partway
from estim.text import current_text, percent_text
from estim.units import finite_or_none
from estim.waveforms.segments import Pulse, Segment
from estim.waveforms.stimulus import Stimulus

if TYPE_CHECKING:
    from estim.fibers.block import ConductionTest
    from estim.fibers.cable import Fiber
    from estim.fibers.protocols import UnitWaveform
    from estim.fields.electrodes import Electrode
    from estim.fields.sites import Site
    from estim.fields.solve import ChannelField

__all__ = [
    "ABETA_MARGIN_M",
    "ADELTA_ENDING",
    "DEFAULT_COUNTS",
    "EDGE_FRACTION",
    "EDGE_THRESHOLDS",
    "NOCICEPTOR_SAMPLE_AFFERENTS",
    "SAMPLING_CV",
    "THRESHOLDS_VERSION",
    "ClassThresholds",
    "SensationWindow",
    "afferents_available",
    "class_thresholds",
    "conform",
    "edge_fraction",
    "fiber_points",
    "motor_threshold",
    "nociceptive_fraction",
    "orders_unsettled",
    "pain_threshold",
    "sampled_region",
    "sensation_window",
    "thresholds_near",
]

#: The thresholds' own resolution (a fraction): they are bracketed to 2 % and interpolated
#: between sampled axons.
EDGE_FRACTION = 0.03
#: The thresholds whose spread over samples of fibers was measured (:data:`SAMPLING_CV`), in
#: the order a rising dial meets them; strong tingling's was not, and it is not flagged.
EDGE_THRESHOLDS = ("sensory", "motor", "pain")
#: How far each threshold moves with nothing but the draw of the fibers (the default counts,
#: :data:`DEFAULT_COUNTS`: 60 Aβ, 60 Aδ, 40 C, 240 motor axons, 60 periosteal Aδ; other
#: counts spread roughly as 1/√n, which this does not follow): SD / mean over 5 samples,
#: each calibrated on its own as the stored values were on seed 0, pooled as a root mean
#: square over the bundled examples (``python benchmarks/sensation_window.py --seeds 5
#: --recalibrate``, 3 December 2026; docs/effects.md, "How far the sample of fibers moves
#: the answer"). With 120 motor axons and seed 0's calibration on every draw they were
#: 0.107, 0.082 and 0.116.
SAMPLING_CV: dict[str, float] = {"sensory": 0.094, "motor": 0.044, "pain": 0.122}
#: A threshold's 10th-90th percentile over samples of fibers spans ±1.28 SD (the bands over
#: virtual subjects use the same percentiles).
_P90_Z = 1.2816


def edge_fraction(name: str) -> float:
    """How near (a fraction) a current may lie to the threshold ``name`` (sensory, motor,
    pain) before the side of it a person falls on is too close to call: the threshold's
    10th-90th percentile over samples of fibers (:data:`SAMPLING_CV`), or its bracket
    (:data:`EDGE_FRACTION`), whichever is wider."""
    return max(EDGE_FRACTION, _P90_Z * SAMPLING_CV[name])


def thresholds_near(current: float, thresholds: Mapping[str, float | None]
                    ) -> list[tuple[str, float, float]]:
    """The thresholds of :data:`EDGE_THRESHOLDS` (name, value, its :func:`edge_fraction`)
    that ``current`` lies within the edge fraction of, in any one unit (A, or V on a voltage
    dial); a threshold that is None, zero or infinite (never reached) is never near.

    >>> [(name, amp) for name, amp, _ in thresholds_near(0.749, {"sensory": 0.0876,
    ...     "motor": 0.313, "pain": 0.754})]
    [('pain', 0.754)]
    """
    out = []
    for name in EDGE_THRESHOLDS:
        amp = thresholds.get(name)
        edge = edge_fraction(name)
        if amp is not None and 0 < amp < math.inf and abs(current / amp - 1.0) < edge:
            out.append((name, float(amp), edge))
    return out


def orders_unsettled(thresholds: Mapping[str, float | None]
                     ) -> list[tuple[str, float, str, float, float]]:
    """Pairs of the thresholds of :data:`EDGE_THRESHOLDS` that lie too near each other for
    the model to say which a rising current meets first: (lower name, its value, upper
    name, its value, spread), where the upper lies less than ``spread`` (a fraction) above
    the lower, and ``1 + spread`` is the 90th percentile of their ratio over samples of
    fibers, of a pair of equal thresholds (:data:`SAMPLING_CV`, the two draws independent,
    the ratio log-normal; as the words say it: "18 % apart at most"). The shipped
    thresholds are one draw; a gap inside the spread is the draw's, not the model's: the
    knee's twitch and pain, 9 % apart in modulated TENS's draw, swapped with 960 fibers
    (docs/effects.md, "Where the model still disagrees"). A threshold that is None, zero or
    infinite is left out.

    >>> [(a, b, round(f, 3)) for a, _, b, _, f in orders_unsettled(
    ...     {"sensory": 0.00402, "motor": 0.0334, "pain": 0.0364})]
    [('motor', 'pain', 0.181)]
    >>> orders_unsettled({"sensory": 0.00485, "motor": 0.031, "pain": 0.046})
    []
    """
    known = sorted(((float(v), name) for name in EDGE_THRESHOLDS
                    if (v := thresholds.get(name)) is not None and 0 < v < math.inf),
                   key=lambda t: t[0])
    out = []
    for i, (low, first) in enumerate(known):
        for high, then in known[i + 1:]:
            spread = math.expm1(_P90_Z * math.hypot(SAMPLING_CV[first], SAMPLING_CV[then]))
            if high / low - 1.0 < spread:
                out.append((first, low, then, high, spread))
    return out


#: Bump when the fiber solver changes its numbers (invalidates cached thresholds, and a
#: sweep's finished points: estim.sweep.plan).
THRESHOLDS_VERSION = "thresholds-5"

#: How the window's Aδ afferents end when :func:`sensation_window` is not told
#: (:class:`~estim.effects.populations.AdeltaEnding`): in an unmyelinated free ending past
#: the last node, as in people (Provitera et al. 2007); with it the Aδ strength-duration
#: time constant is longer than the Aβ one, as thin fibers' are (docs/effects.md).
#: ``benchmarks/sensation_window.py --adelta node`` brings back the myelinated-node ending
#: (calibration windows follow too).
ADELTA_ENDING: AdeltaEnding = AdeltaEnding.FREE

#: The periosteal Aδ are searched up to this many times the skin's pain threshold (the
#: programmed current where the skin never reaches pain), rounded up to a power of 2: above
#: it they do not count toward pain, and a bone 30-60 mm deep (forearm, back) is settled in
#: a few runs per fiber instead of ~10. The 20 virtual subjects' drive ratios of the
#: periosteal Aδ span 0.61-1.85 (p10-p90 0.89-1.11; the Hughes tibia and knee pads,
#: measured 2 December 2026 with each fiber's length kept around the limb), so a fiber left
#: above the cap stays above 2.4x the site's pain threshold in every subject.
PERIOSTEAL_SEARCH_FACTOR = 4.0

#: Fibers per class in an ``estim run`` (small enough for seconds; the sampling is seeded).
#: C fibers are 3 mm from their ending in 25 µm sections (121 compartments, 12 ms).
DEFAULT_COUNTS: dict[str, int] = {"abeta": 60, "adelta": 60, "c": 40, "motor": 240,
                                  "periosteal": 60}


def motor_threshold(motor: ClassThresholds, train: Volleys, criteria: SensationCriteria
                    ) -> float:
    """The programmed peak current (A) at which the motor axons' volleys make the visible
    contraction of ``criteria``: each volley recruits the axons its own peak reaches, and
    their twitches sum through the rested Ding model (:func:`motor_threshold_fraction`).
    Without amplitude modulation every volley recruits the same fraction and this is
    ``motor.amplitude_for`` that fraction; with it (modulated TENS), the weaker volleys of
    the modulation recruit fewer axons and the current is found by bisection (numba's
    compiled Ding kernel: the window and each virtual subject take ~20 force runs). A
    modulated width is not counted: a narrower pulse recruits less than its peak says, so
    the threshold errs low (toward an earlier contraction)."""
    from estim.effects.muscle import simulate_force
    from estim.effects.muscle_params import DING_2003_QUADRICEPS

    at_peak = motor.amplitude_for(motor_threshold_fraction(criteria=criteria,
                                                           volleys_s=train.times_s or None))
    if not train.modulated or not math.isfinite(at_peak):
        return at_peak
    params = DING_2003_QUADRICEPS
    target = criteria.visible_force_fraction * maximal_force_N(params)
    times = np.asarray(train.times_s, float)
    rel = np.asarray(train.relative_peak, float)
    rested = params.without_fatigue()

    def force(amplitude_a: float) -> float:
        lam = np.minimum(motor.fraction_at(amplitude_a * rel), 1.0)
        if not np.any(lam > 0):
            return 0.0
        return simulate_force(times, params=rested, recruited_fraction=lam,
                              t_end_s=float(times[-1]) + 0.5).peak_force_N

    lo, hi = at_peak, at_peak / float(np.min(rel))
    if force(hi) < target:
        top = motor.amplitude_for(1.0)  # the last axon at the weakest volley's peak
        hi = top / float(np.min(rel)) if math.isfinite(top) else math.inf
        if not math.isfinite(hi) or force(hi) < target:
            return math.inf
    for _ in range(18):  # to ~4e-6 of the bracket, far inside the thresholds' 2 %
        mid = 0.5 * (lo + hi)
        lo, hi = (lo, mid) if force(mid) >= target else (mid, hi)
    return hi


@dataclass(frozen=True, eq=False)
class ClassThresholds:
    """Thresholds of one fiber class (A of channel peak current; inf: not reached).

    :param depth_m: depth of each fiber below the skin (m).
    :param diameter_m: anatomical diameter (m).
    """

    fiber_class: FiberClass
    thresholds_a: NDArray[np.float64]
    depth_m: NDArray[np.float64]
    diameter_m: NDArray[np.float64]
    model: str
    n_block_windows: int = 0
    n_leaving_domain: int = 0
    #: each fiber's compartment centres (world, m) and its nodes' compartment indices,
    #: for the virtual subjects
    points_m: tuple[NDArray[np.float64], ...] = ()
    nodes: tuple[NDArray[np.intp], ...] = ()
    #: fibers wholly outside the modelled tissue (a sample larger than a small site): no
    #: drive at all, so never excited (of ``n_leaving_domain``)
    n_outside_domain: int = 0

    def __repr__(self) -> str:
        """One line: a result's repr printed every fiber's points (2.5 million characters
        for one run; researcher's probe of 7 December 2026)."""
        finite = self.thresholds_a[np.isfinite(self.thresholds_a)]
        lowest = f", lowest {finite.min() * 1e3:.3g} mA" if finite.size else ""
        return (f"ClassThresholds({self.fiber_class.value!r}, {self.thresholds_a.size} fibers, "
                f"{self.model}, {finite.size} reached{lowest})")

    def fraction_at(self, amplitude_a: float | NDArray[np.float64]) -> NDArray[np.float64]:
        """Fraction of the class recruited at a peak current (A).

        The sampled fibers stand for a continuous population: between two fibers' thresholds
        the fraction rises linearly (from k/n at the k-th threshold to (k+1)/n at the
        next), so that :meth:`amplitude_for` is its exact inverse.
        """
        amps = np.atleast_1d(np.asarray(amplitude_a, float))
        thr = np.sort(self.thresholds_a[np.isfinite(self.thresholds_a)])
        n = self.thresholds_a.size
        if thr.size == 0:
            return np.zeros_like(amps)
        counts = np.interp(amps, thr, np.arange(1, thr.size + 1, dtype=float), left=0.0,
                           right=float(thr.size))
        return np.asarray(np.where(amps < thr[0], 0.0, counts) / n, dtype=float)

    def amplitude_for(self, fraction: float) -> float:
        """Smallest peak current (A) recruiting ``fraction`` of the class (inf: never,
        within the searched range); the first fiber's threshold for a fraction of 0. A
        fraction above 1 asks for more fibers than the sample holds (a count criterion
        beyond it): inf, as for one never reached; a percentage is not a fraction."""
        if isinstance(fraction, bool) or not isinstance(fraction, numbers.Real) \
                or not fraction >= 0:
            # NaN and -0.5 gave the first fiber's threshold (researcher's probe of
            # 7 December 2026)
            raise InputError("fraction", fraction, "a fraction of the class, 0 or more "
                             "(0.5 for half)")
        thr = np.sort(self.thresholds_a[np.isfinite(self.thresholds_a)])
        n = self.thresholds_a.size
        if thr.size == 0:
            return math.inf
        k = max(1.0, fraction * n)  # [fibers]
        if k > thr.size + 1e-9:
            return math.inf
        return float(np.interp(k, np.arange(1, thr.size + 1, dtype=float), thr))


def nociceptive_fraction(classes: Mapping[str, ClassThresholds],
                         amplitude_a: float | NDArray[np.float64], *,
                         periosteal_ratio: float | None = None) -> NDArray[np.float64]:
    """The Aδ nociceptors firing at a peak current (A), of the skin's and of the periosteum's
    under the pad, in units of the skin's Aδ (:attr:`Recruitment.nociceptive_adelta`).

    :param periosteal_ratio: periosteal Aδ per skin Aδ, per area (None: the calibrated
        :data:`~estim.effects.anatomy.PERIOSTEAL_DENSITY_RATIO`; another value is for its
        calibration and for showing what it moves)."""
    ratio = PERIOSTEAL_DENSITY_RATIO if periosteal_ratio is None else periosteal_ratio
    amps = np.atleast_1d(np.asarray(amplitude_a, float))
    total = np.zeros_like(amps)
    if "adelta" in classes:
        total = total + classes["adelta"].fraction_at(amps)
    if "periosteal" in classes:
        total = total + ratio * classes["periosteal"].fraction_at(amps)
    return total


def pain_threshold(classes: Mapping[str, ClassThresholds], criteria: SensationCriteria, *,
                   periosteal_ratio: float | None = None) -> float:
    """The peak current (A) of the pain criterion: the Aδ nociceptors of the skin and of
    the periosteum together reach ``criteria.pain_adelta_fraction`` of the skin's Aδ
    (:func:`nociceptive_fraction`, at ``periosteal_ratio``: nociceptive input sums at the
    spinal cord whatever the tissue), or the C fibers reach theirs; inf: neither within the
    searched range.

    Where no periosteal Aδ fires below the skin's own criterion (no bone under the pad, or
    a deep one) this is the skin's ``amplitude_for`` exactly."""
    fraction = criteria.pain_adelta_fraction
    skin = classes.get("adelta")
    pain = skin.amplitude_for(fraction) if skin is not None and skin.thresholds_a.size \
        else math.inf
    bone = classes.get("periosteal")
    if bone is not None and bone.thresholds_a.size:
        thr = bone.thresholds_a[np.isfinite(bone.thresholds_a)]
        if thr.size and float(np.min(thr)) < pain:
            lo = float(np.min(thr))  # below it the skin's count alone: short of the criterion
            every = np.concatenate([thr] + ([skin.thresholds_a[np.isfinite(skin.thresholds_a)]]
                                            if skin is not None else []))
            hi = pain if math.isfinite(pain) else float(np.max(every))

            def reached(amp: float) -> bool:
                return bool(nociceptive_fraction(
                    classes, amp, periosteal_ratio=periosteal_ratio)[0] >= fraction)

            if reached(hi):
                # the count is non-decreasing and right-continuous in the current: the
                # smallest current reaching it, by bisection to 1e-12 of the bracket
                if reached(lo):
                    hi = lo
                for _ in range(80):
                    if hi - lo <= 1e-12 * hi:
                        break
                    mid = 0.5 * (lo + hi)
                    lo, hi = (lo, mid) if reached(mid) else (mid, hi)
                pain = min(pain, hi)
    c = classes.get("c")
    if c is not None and c.thresholds_a.size:
        pain = min(pain, c.amplitude_for(criteria.pain_c_fraction))
    return pain


@dataclass(frozen=True, eq=False)
class SensationWindow:
    """Recruitment of every class and the thresholds of perception, for one channel.

    :param amplitude_a: the programmed peak current of the channel (A).
    :param sensory_a: detection (the calibrated count of Aβ afferents, A).
    :param motor_a: enough motor axons for a visible twitch (A).
    :param pain_a: Aδ (or C) recruitment at the pain criterion (A).
    """

    channel: str
    amplitude_a: float
    classes: dict[str, ClassThresholds]
    sensory_a: float
    motor_a: float
    pain_a: float
    motor_fraction_criterion: float
    recruitment: Recruitment
    criteria: SensationCriteria
    #: the whole unit pulse the fibers saw (both phases of a biphasic pulse, s)
    pulse_duration_s: float
    notes: tuple[str, ...] = ()
    #: afferents of each class under and around the cathode (innervation density x the
    #: sampled area), and the counts the criteria require; None with explicit fractions.
    available: dict[str, float] | None = None
    counts: SensationCounts | None = None
    #: every threshold over virtual subjects (None: not asked for, or no fast field here;
    #: :func:`estim.effects.subjects.with_bands`)
    bands: ThresholdBands | None = None
    #: the program's motor volleys that the visible-contraction criterion sums
    volleys: Volleys | None = None
    #: under a kHz carrier: each class's conduction test (:func:`carrier_conduction`) and
    #: when the test action potential started (s after the carrier's start)
    conduction: dict[str, ConductionTest] | None = None
    conduction_test_s: float | None = None
    #: the muscle whose motor axons were simulated (:func:`site_muscle`)
    muscle: str | None = None
    evidence: dict[str, str] = field(default_factory=lambda: {
        "thresholds": EvidenceLevel.MECHANISTIC.value,
        "anatomy": EvidenceLevel.ANATOMICAL_ASSUMPTION.value,
        "sensation": EvidenceLevel.MODEL_PREDICTION.value,
    })

    @property
    def strong_a(self) -> float:
        """Peak current (A) of a strong tingling (the strong-tingling count of Aβ)."""
        c = self.classes.get("abeta")
        return c.amplitude_for(self.criteria.strong_abeta_fraction) if c else math.inf

    def short_of_afferents(self, density_scale: float = 1.0) -> tuple[str, ...]:
        """The thresholds (``"sensory"``, ``"strong tingling"``) whose count of Aβ
        afferents is more than lie under and around the cathode (times ``density_scale``,
        a virtual subject's): each is where the model's sample runs out, not a prediction
        (a 4 cm pad's strong tingling read 23.7 mA beside a 5 cm pad's 9.1; probe of 5
        December 2026)."""
        n, a = self.counts, (self.available or {}).get("abeta", 0.0) * density_scale
        if n is None:
            return ()
        return tuple(name for name, count in (("sensory", n.detection_abeta),
                                              ("strong tingling", n.strong_abeta))
                     if count > a)

    def criterion_text(self, which: str) -> str:
        """What a threshold means, in words: ``"sensory"``, ``"strong"``, ``"motor"`` or
        ``"pain"``."""
        c, n, a = self.criteria, self.counts, self.available or {}
        if which == "motor":
            of = f" of the {self.muscle}" if self.muscle else ""
            return (f"visible contraction{of}: {percent_text(self.motor_fraction_criterion)} of "
                    "the motor axons firing at the program's own rate, whose twitches sum to "
                    f"{percent_text(c.visible_force_fraction)} of maximal force (Ding muscle "
                    "model)")
        if which == "pain":
            adelta = (f"{c.pain_adelta_fraction:.0%} of the Aδ afferents under and around the "
                      "cathode firing")
            bone = self.classes.get("periosteal")
            if bone is not None and np.any(bone.thresholds_a <= self.pain_a):
                adelta = (f"{c.pain_adelta_fraction:.0%} of the Aδ afferents under and around "
                          "the cathode firing, the bone's periosteal Aδ counted with the "
                          f"skin's (each as {PERIOSTEAL_DENSITY_RATIO:g} of one: their density)")
            return f"pain: {adelta}, or {percent_text(c.pain_c_fraction)} of the C fibers"
        frac = c.sensory_abeta_fraction if which == "sensory" else c.strong_abeta_fraction
        count = None if n is None else (n.detection_abeta if which == "sensory"
                                        else n.strong_abeta)
        what = "detection" if which == "sensory" else "strong tingling"
        if count is None:
            return (f"{what}: {percent_text(frac)} of the Aβ afferents" if frac
                    else f"{what}: first Aβ")
        return (f"{what}: {count:.0f} Aβ afferents firing ({frac:.0%} of the "
                f"{a.get('abeta', 0):.0f} under and around the cathode)")

    def curve(self, amplitudes_a: NDArray[np.float64]) -> dict[str, NDArray[np.float64]]:
        """Recruited fraction of each class at each peak current (A)."""
        return {name: c.fraction_at(amplitudes_a) for name, c in self.classes.items()}

    def to_dict(self) -> dict[str, Any]:
        from estim.fibers.block import Conduction

        return {
            "channel": self.channel,
            "programmed_peak_current_A": self.amplitude_a,
            "pulse_duration_s": self.pulse_duration_s,
            "muscle": self.muscle,
            "sensory_threshold_A": finite_or_none(self.sensory_a),
            "sensory_criterion": self.criterion_text("sensory"),
            "strong_tingling_threshold_A": finite_or_none(self.strong_a),
            "strong_tingling_criterion": self.criterion_text("strong"),
            "motor_threshold_A": finite_or_none(self.motor_a),
            "motor_criterion": self.criterion_text("motor"),
            # at its threshold the motor volleys make a held contraction, not twitches
            "motor_volleys_fuse": bool(self.volleys.fuse) if self.volleys else False,
            "pain_threshold_A": finite_or_none(self.pain_a),
            "pain_criterion": self.criterion_text("pain"),
            # two thresholds nearer each other than a draw of fibers moves them: which a
            # rising current meets first is not settled (orders_unsettled)
            "unordered_thresholds": [
                {"lower": a, "upper": b, "spread": spread} for a, _, b, _, spread
                in orders_unsettled({"sensory": self.sensory_a, "motor": self.motor_a,
                                     "pain": self.pain_a})],
            "recruited_at_programmed": {
                "abeta": self.recruitment.abeta, "adelta": self.recruitment.adelta,
                "c": self.recruitment.c, "motor": self.recruitment.motor,
                **({"periosteal": self.recruitment.periosteal}
                   if "periosteal" in self.classes else {})},
            "fibers": {name: {"count": int(c.thresholds_a.size), "model": c.model,
                              "min_threshold_A": finite_or_none(float(np.min(c.thresholds_a)))
                              if c.thresholds_a.size else None,
                              "not_reached": int(np.sum(~np.isfinite(c.thresholds_a))),
                              "leaving_tissue": c.n_leaving_domain,
                              # of those, wholly outside: never excited
                              "outside_tissue": c.n_outside_domain,
                              # fibers in which an action potential started below
                              # threshold and died out (a local response, not block)
                              "local_responses": c.n_block_windows}
                       for name, c in self.classes.items()},
            "conduction_under_carrier": None if self.conduction is None else {
                "test_time_s": self.conduction_test_s,
                "classes": {name: {"tested": len(t.states),
                                   **{state.value: t.count(state) for state in Conduction}}
                            for name, t in self.conduction.items()}},
            "bands": None if self.bands is None else {
                **self.bands.to_dict(),
                # how many of the virtual subjects feel each sensation at the programmed peak
                "at_programmed": {what.value: n for what, n
                                  in self.bands.sensations_at(self.amplitude_a).items()},
                # of those, the subjects given a sensation only where the window's sample
                # of afferents ends, not a count reached (ThresholdBands.undecided_at)
                "undecided_at_programmed": self.bands.undecided_at(self.amplitude_a)},
            "notes": list(self.notes),
            "evidence": self.evidence,
        }


#: Nodes of Ranvier of a cutaneous (Aβ, Aδ) fiber: 21 nodes span 2.4-25 mm of dermis from
#: the ending, enough to see the electrode edge region for Aβ, at 40 % of the cost of the
#: 51-node reference fiber.
_CUTANEOUS_NODES = 21
#: A C fiber is 3 mm of axon from its ending (it conducts at ~0.5-1 m/s, so 3 mm is reached
#: within ~6 ms), in 25 µm sections (a tenth of the ~250 µm length constant of a 1 µm axon).
_C_LENGTH_M = 3e-3
_C_SECTION_M = 25e-6
#: Simulated time per threshold run: long enough for an AP to reach the detection node.
_TSTOP_S = {"sundt": 12e-3}
def _make(pop: FiberPopulation, diameter_m: float) -> Fiber:
    """One cable of a population: afferents start with an active ending (no passive node
    there), motor axons are the 51-node reference fiber. The afferents keep the motor MRG
    node: with the sensory node (``make_fiber(..., sensory=True)``) the window's sensory
    τSD did not lengthen (docs/effects.md) and detection needed 80 % of the Aβ afferents."""
    from estim.fibers import make_fiber
    from estim.fibers.cable import Terminal

    if pop.model == "sundt":
        return make_fiber("sundt", diameter_m, length_m=_C_LENGTH_M,
                          section_length_m=_C_SECTION_M,
                          passive_end_nodes=(0, 1) if pop.has_endings else 1)
    if pop.has_endings:
        terminal = None if pop.terminal_m is None else Terminal(
            length_m=pop.terminal_m[0], diameter_m=pop.terminal_m[1])
        return make_fiber(pop.model, diameter_m, n_nodes=_CUTANEOUS_NODES,
                          passive_end_nodes=(0, 1), terminal=terminal)
    return make_fiber(pop.model, diameter_m)


def _frame(electrode: Electrode) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Electrode centre and the local -> world rotation (x: axis, y: normal x axis, z: out)."""
    p0 = np.asarray(electrode.position, float)
    n = np.asarray(electrode.normal, float)
    x = np.asarray(electrode.axis, float)
    return p0, np.column_stack([x, np.cross(n, x), n])


def conform(local: NDArray[np.float64], electrode: Electrode, site: Site | None,
            *, anchor_v_m: float | None = None) -> NDArray[np.float64]:
    """World coordinates of points given in the electrode's local frame (m).

    On a planar site the frame is rigid. On a limb (an elliptic cylinder along z) a point
    at (u along the limb, v around it, w out of the skin) keeps its depth and arc length:
    it lies at polar angle φ0 - v/R0 and radius r_surface(φ) + w, so a fiber drawn in the
    tangent plane follows the curved dermis instead of leaving the limb.

    With ``anchor_v_m`` (a fiber's own v: its ending or middle node) the arc beyond the
    anchor is measured at the point's own depth, φ = φ0 - v_a/R0 - (v - v_a)/(R0 + w):
    a fiber running around the limb 5 mm deep keeps its cable's internode lengths instead
    of being squeezed by (R0 - 5 mm)/R0 (0.7 over the knee's bone). The anchor itself lies
    where it lay without one.
    """
    p0, frame = _frame(electrode)
    if site is None or getattr(site, "kind", "") != "limb":
        out: NDArray[np.float64] = p0[None, :] + local @ frame.T
        return out
    a, b = site.radius_x, site.radius_y
    phi0 = math.atan2(p0[1], p0[0])
    r0 = math.hypot(p0[0], p0[1])
    if anchor_v_m is None:
        phi = phi0 - local[:, 1] / r0
    else:
        r_depth = np.maximum(r0 + np.minimum(local[:, 2], 0.0), 0.1 * r0)
        phi = phi0 - anchor_v_m / r0 - (local[:, 1] - anchor_v_m) / r_depth
    r_surf = a * b / np.hypot(b * np.cos(phi), a * np.sin(phi))
    r = r_surf + local[:, 2]
    return np.column_stack([r * np.cos(phi), r * np.sin(phi), p0[2] + local[:, 0]])


def fiber_points(fib: Fiber, position_local: NDArray[np.float64],
                 direction_local: NDArray[np.float64], electrode: Electrode,
                 site: Site | None,
                 *, plexus_depth_m: float | None = None) -> NDArray[np.float64]:
    """Compartment centres (world, m) of a fiber placed in the electrode's local frame.

    Without ``plexus_depth_m`` the fiber is straight through ``position_local`` (its middle
    node there). With it, the fiber is an afferent: its first compartment is the ending at
    ``position_local``, the terminal branch runs straight down to the plexus at
    ``plexus_depth_m``, and the parent axon goes on along ``direction_local`` at that depth.

    On a limb, the run around it keeps the cable's length at the fiber's own depth
    (:func:`conform` with the fiber's v as anchor). Laid at the skin's radius and pushed
    down it would be squeezed by (R - depth)/R: the periosteal Aδ over the knee's bone to
    0.7 of their length, the skin's plexus 1-2 mm deep by 3-5 % on a forearm.
    """
    anchor = float(position_local[1])
    s = np.asarray(fib.positions_m, float)
    if plexus_depth_m is None:
        local = position_local[None, :] + s[:, None] * direction_local
        return conform(local, electrode, site, anchor_v_m=anchor)
    s = s - s[0]
    rise = max(0.0, plexus_depth_m + float(position_local[2]))  # ending to plexus (m)
    along = np.maximum(s - rise, 0.0)
    local = position_local[None, :] + along[:, None] * direction_local
    local[:, 2] = np.where(s < rise, position_local[2] - s, -plexus_depth_m)
    return conform(local, electrode, site, anchor_v_m=anchor)


Potential = Callable[[NDArray[np.float64]], NDArray[np.float64]]


#: Placed populations (cables and compartment centres) kept in memory per process: the
#: virtual subjects' stage places them before the field is solved (to solve the subjects'
#: fields meanwhile) and the window then finds them here; so do the points of a sweep.
GEOMETRY_ENTRIES = 8
_geometry: OrderedDict[str, tuple[list[Fiber], list[NDArray[np.float64]]]] = OrderedDict()
_geometry_lock = threading.Lock()


def fiber_geometry(pop: FiberPopulation, electrode: Electrode, site: Site | None
                   ) -> tuple[list[Fiber], list[NDArray[np.float64]]]:
    """Every fiber of the population as a cable, and its compartment centres (world, m)
    placed under the electrode. Kept in memory under the population, electrode and site
    (:data:`GEOMETRY_ENTRIES`): the cables are read-only, so a later call shares them."""
    key = digest(pop, electrode, site, _C_LENGTH_M, _C_SECTION_M, _CUTANEOUS_NODES)
    with _geometry_lock:
        hit = _geometry.get(key)
        if hit is not None:
            _geometry.move_to_end(key)
            return hit
    fibers = []
    all_points = []
    plexus = pop.depth_m if pop.has_endings else np.full(pop.size, np.nan)
    for i in range(pop.size):
        fib = _make(pop, float(pop.model_diameter_m[i]))
        fibers.append(fib)
        dp = plexus[i]
        all_points.append(fiber_points(
            fib, pop.position_m[i], pop.direction[i], electrode, site,
            plexus_depth_m=None if np.isnan(dp) else float(dp)))
    for fib, pts in zip(fibers, all_points, strict=True):  # shared from here on: read-only
        pts.flags.writeable = False
        for value in vars(fib).values():
            if isinstance(value, np.ndarray):
                value.flags.writeable = False
    with _geometry_lock:
        _geometry[key] = (fibers, all_points)
        _geometry.move_to_end(key)
        while len(_geometry) > GEOMETRY_ENTRIES:  # the least recently used goes
            _geometry.popitem(last=False)
    return fibers, all_points


def _placed(pop: FiberPopulation, electrode: Electrode, site: Site | None,
            potential: Potential | Sequence[Potential], which: Sequence[int] | None = None,
            ) -> tuple[list[Fiber], list[NDArray[np.float64]], list[NDArray[np.float64]],
                       tuple[int, int]]:
    """The population's fibers (``which`` of them, default all) placed under the electrode:
    the cables, their compartment centres (world, m), φ (V/A; one row per source of a
    :class:`SourcePulses` waveform) and how many run partly, and how many wholly, outside
    the modelled tissue."""
    every_fiber, every_point = fiber_geometry(pop, electrode, site)
    picked = range(pop.size) if which is None else which
    fibers = [every_fiber[i] for i in picked]
    all_points = [every_point[i] for i in picked]
    # every fiber's points in one call per source: a call's own cost (locating the points
    # in the mesh) is paid once per class, not once per fiber
    sources = [potential] if callable(potential) else list(potential)
    splits = np.cumsum([len(p) for p in all_points])[:-1]
    stacked = np.concatenate(all_points)
    per_source = [np.split(np.asarray(src(stacked), float), splits) for src in sources]
    phis = []
    outside = gone = 0
    for i in range(len(fibers)):
        rows = [_inside(phi[i]) for phi in per_source]
        outside += any(leaves for _, leaves in rows)
        gone += all(not np.isfinite(phi[i]).any() for phi in per_source)
        phis.append(rows[0][0] if callable(potential) else np.stack([r for r, _ in rows]))
    return fibers, all_points, phis, (outside, gone)


def _partway(progress: Callable[[str], None], searching: str) -> Callable[[float], None]:
    """A threshold search's share done, said as its stage's line with that share."""
    return lambda done: progress(Partway(searching, done))


def class_thresholds(pop: FiberPopulation, electrode: Electrode, site: Site | None,
                     potential: Potential | Sequence[Potential],
                     waveform: UnitWaveform, *, precision: float = 0.02,
                     tstop_s: float | None = None, max_amplitude_a: float | None = None,
                     progress: Callable[[float], None] | None = None) -> ClassThresholds:
    """Threshold (A of channel peak) of every fiber of one population under ``electrode``.

    :param potential: φ (V/A) of the channel, or one φ per source of a
        :class:`SourcePulses` waveform (in its order).
    :param tstop_s: simulated time per run (default: the fiber model's own).
    :param max_amplitude_a: search no higher: a fiber not excited below it gets inf.
    :param progress: called with the share of the search done (not on a cached one).
    """
    from estim.fibers import SolverOptions, find_thresholds

    if pop.size == 0:
        return ClassThresholds(pop.fiber_class, np.zeros(0), pop.depth_m, pop.diameter_m,
                               pop.model)
    fibers, all_points, phis, (outside, gone) = _placed(pop, electrode, site, potential)
    # a free ending is part of the key (the default node ending keeps its earlier keys)
    ending = () if fibers[0].terminal is None else (repr(fibers[0].terminal),)
    dt = time_step(waveform)
    cap = () if max_amplitude_a is None else (("max_amplitude_a", float(max_amplitude_a)),)
    key = digest(THRESHOLDS_VERSION, pop.model, fibers[0].nap_shift_mv, pop.model_diameter_m,
                 np.stack(phis),
                 waveform.cache_key(), precision, tstop_s, dt, *ending, *cap)
    hit = load_arrays("thresholds", key)
    if hit is not None:
        thr, blocks = hit["threshold_a"], int(hit["blocks"])
    else:
        res = find_thresholds(fibers, phis, waveform, precision=precision,
                              options=SolverOptions(dt_s=dt,
                                                    tstop_s=tstop_s or _TSTOP_S.get(pop.model)),
                              max_amplitude_a=max_amplitude_a, progress=progress)
        thr = np.asarray(res.threshold_a, float)
        blocks = sum(1 for w in res.block_windows_a if len(w))
        store_arrays("thresholds", key, {"threshold_a": thr, "blocks": np.array(blocks)})
    thr = np.where(np.isfinite(thr), thr, np.inf)  # not reached within the search: inf
    model = pop.model if pop.terminal_m is None else f"{pop.model} + sundt free ending"
    return ClassThresholds(pop.fiber_class, thr, pop.depth_m, pop.diameter_m, model,
                           blocks, outside, tuple(all_points),
                           tuple(np.asarray(f.node_index, dtype=np.intp) for f in fibers),
                           n_outside_domain=gone)


#: Fibers of each class whose conduction is tested under a kHz carrier: up to this many of
#: those the carrier excites (block needs more current than excitation: Bhadra et al.
#: 2007), spread evenly over their thresholds.
CONDUCTION_SAMPLE = 8
#: The test starts at the carrier's strongest after its onset: at the peak of a beat
#: (premodulated or true interferential; the carrier runs on for up to
#: :data:`_CONDUCTION_SPAN_S` to reach one), in the middle of a burst (Russian current).
_CONDUCTION_ONSET_S = 3e-3  # 1 ms after the onset of estim.fibers.block.ONSET_S
_CONDUCTION_SPAN_S = 30e-3
#: Time after the test pulse for its action potential to reach the detection node: a C
#: fiber's 2.7 mm at 0.25 m/s (a 0.4 µm axon); myelinated fibers' tens of mm at > 20 m/s.
#: The carrier may end meanwhile: the test is blocked or not where the carrier acts.
_CONDUCTION_TRAVEL_S = {"sundt": 12e-3, "mrg": 3e-3}


def conduction_waveform(waveform: UnitPulse | SourcePulses, continuous: bool,
                        carrier_hz: float) -> tuple[UnitPulse | SourcePulses, float]:
    """The carrier to test conduction under, and when the test starts (s).

    A ``continuous`` carrier (its pulses back to back: each one a piece of a running sine or
    beat) runs on to :data:`_CONDUCTION_SPAN_S`; a burst stays as it is. The test starts
    in the middle of the first stretch after :data:`_CONDUCTION_ONSET_S` where the
    envelope (the peak of the summed sources over a carrier period, the same at every fiber
    for sources that start in phase) is within 1 % of its largest."""
    from scipy.ndimage import maximum_filter1d

    def run_on(p: Pulse) -> Pulse:
        seg = p.segments[0]
        if not continuous or len(p.segments) != 1 or seg.linear is not None:
            return p
        return Pulse((Segment(seg.start, _CONDUCTION_SPAN_S, seg.coeffs, seg.rates),),
                     p.label)

    carrier: UnitPulse | SourcePulses
    if isinstance(waveform, UnitPulse):
        one = run_on(waveform.pulse)
        carrier, end = UnitPulse(one, waveform.delay_s), one.duration
    else:
        carrier = SourcePulses(tuple(run_on(p) for p in waveform.pulses),
                               waveform.relative_peaks, waveform.delay_s)
        end = min(p.duration for p in carrier.pulses)
    d = carrier.delay_s
    dt = 0.1 / carrier_hz
    t = np.arange(d, d + end, dt)
    total = np.abs(np.atleast_2d(carrier.sample(t)).sum(axis=0))
    per = max(1, round(1.0 / (carrier_hz * dt)))
    env = maximum_filter1d(total, size=2 * (per // 2) + 1, mode="nearest")
    late = t >= d + _CONDUCTION_ONSET_S
    if continuous:  # leave the travel of the slowest fiber inside the span
        late &= t <= d + end - max(_CONDUCTION_TRAVEL_S.values())
    if not late.any():
        return carrier, d + 0.5 * end
    top = late & (env >= 0.99 * env[late].max())
    first = int(np.argmax(top))
    stop = first + int(np.argmin(top[first:])) if not top[first:].all() else t.size
    return carrier, float(t[(first + stop - 1) // 2])


def carrier_conduction(pop: FiberPopulation, thresholds: ClassThresholds,
                       electrode: Electrode, site: Site | None,
                       potential: Potential | Sequence[Potential],
                       carrier: UnitPulse | SourcePulses, test_s: float,
                       amplitude_a: float) -> ConductionTest:
    """Whether a kHz carrier at ``amplitude_a`` (A of channel peak) lets an action potential
    through up to :data:`CONDUCTION_SAMPLE` of the class's fibers that it excites
    (:mod:`estim.fibers.block`): a test action potential from each one's ending (a motor
    axon's end node), sent at ``test_s`` (:func:`conduction_waveform`). Cached on disk
    like the thresholds."""
    from estim.fibers import SolverOptions
    from estim.fibers.block import (
        FIRST_TEST_A,
        MAX_TEST_A,
        ONSET_S,
        TEST_WIDTH_S,
        Conduction,
        ConductionTest,
        conduction_test,
    )

    thr = thresholds.thresholds_a
    excited = np.flatnonzero(np.isfinite(thr) & (thr <= amplitude_a))
    if excited.size == 0:
        return ConductionTest((), amplitude_a, test_s)
    order = excited[np.argsort(thr[excited], kind="stable")]
    k = min(CONDUCTION_SAMPLE, order.size)
    which = [int(order[j]) for j in np.linspace(0, order.size - 1, k).round().astype(int)]
    fibers, _, phis, _ = _placed(pop, electrode, site, potential, which)
    dt = time_step(carrier)
    tstop = test_s + _CONDUCTION_TRAVEL_S.get(pop.model, _CONDUCTION_TRAVEL_S["mrg"])
    options = SolverOptions(dt_s=dt, tstop_s=tstop)
    ending = () if fibers[0].terminal is None else (repr(fibers[0].terminal),)
    key = digest("conduction-2", pop.model, fibers[0].nap_shift_mv,
                 pop.model_diameter_m[which], np.stack(phis), carrier.cache_key(),
                 amplitude_a, tstop, dt, test_s, options.detect_fraction, TEST_WIDTH_S,
                 FIRST_TEST_A, MAX_TEST_A, ONSET_S, *ending)
    hit = load_arrays("conduction", key)
    if hit is not None:
        names = list(Conduction)
        return ConductionTest(tuple(names[int(i)] for i in hit["states"]), amplitude_a,
                              test_s)
    found = conduction_test(fibers, phis, carrier, amplitude_a, test_time_s=test_s,
                            options=options)
    store_arrays("conduction", key, {"states": np.array(
        [list(Conduction).index(s) for s in found.states])})
    return found


def conduction_note(carrier_hz: float, amplitude_a: float, test_s: float,
                    tests: Mapping[str, ConductionTest]) -> str:
    """What the conduction tests found, in a sentence a clinician can read."""
    from estim.fibers.block import Conduction

    def listed(state: Conduction) -> str:
        return ", ".join(f"{t.count(state)} of {len(t.states)} {_LABEL[k]}"
                         for k, t in tests.items() if t.count(state))

    found = {s: listed(s) for s in Conduction}
    quiet = [_LABEL[k] for k, t in tests.items() if not t.states]
    parts = [f"blocked in {found[Conduction.BLOCKED]}" if found[Conduction.BLOCKED]
             else "no fiber blocked"]
    if found[Conduction.TRANSMITS]:
        parts.append(f"transmits in {found[Conduction.TRANSMITS]}")
    if found[Conduction.EXCITED]:
        parts.append(f"the carrier itself keeps firing {found[Conduction.EXCITED]}")
    if found[Conduction.UNTESTED]:
        parts.append(f"untested (refractory after the carrier's onset, or the test pulse "
                     f"did not conduct) in {found[Conduction.UNTESTED]}")
    if quiet:
        parts.append(f"the carrier excites no {' or '.join(quiet)} fiber, so blocks none: "
                     "block needs more current than excitation")
    return (f"{carrier_hz / 1e3:g} kHz carrier at {amplitude_a * 1e3:.3g} mA, conduction "
            f"test (a test action potential sent through up to {CONDUCTION_SAMPLE} excited "
            f"fibers of each class, from an afferent's ending or a motor axon's end, "
            f"{test_s * 1e3:.3g} ms after the carrier starts, at its strongest): "
            + "; ".join(parts)
            + ". Mechanistic, not checked against human data.")


def _inside(phi: NDArray[np.float64]) -> tuple[NDArray[np.float64], bool]:
    """φ with compartments outside the modelled tissue (a long fiber leaving the patch) given
    the nearest inside value (no gradient, so no drive there); and whether any were (a
    fiber wholly outside gets no drive at all, and is one of them)."""
    bad = ~np.isfinite(phi)
    if bad.all():
        return np.zeros_like(phi), True
    if not bad.any():
        return phi, False
    idx = np.arange(phi.size)
    return np.interp(idx, idx[~bad], phi[~bad]), True


_LABEL = {"abeta": "Aβ", "adelta": "Aδ", "c": "C", "motor": "motor",
          "periosteal": "periosteal Aδ"}

#: The cutaneous sampling region, relative to the cathode's footprint: endings just outside
#: the pad see its edge field too, so 15 % beyond each edge. Pain is a fraction of the Aδ
#: there (a local density, :mod:`estim.effects.calibration`); the Aβ have their own margin
#: where :data:`ABETA_MARGIN_M` is set.
_EDGE_MARGIN = 1.3

#: The fewest Aδ afferents the nociceptors' sample holds: those of the pain calibration's
#: own sample (the volar forearm's density over 1.3 x the 3.5 cm pads of
#: :data:`~estim.effects.calibration.INTOLERANCE_PAD_CM`, 185 afferents), derived, not
#: fitted. Pain is a fraction of the Aδ under and round the cathode, calibrated on those pads;
#: on a smaller pad the same fraction of its own few afferents was far fewer nociceptors than
#: the calibration's pain took, and its pain fell with the pad's area (5.4 mA on 1.5 cm pads,
#: 39 mA on 4 cm ones, where Dölker et al. 2022 found no size effect over 1.5-4 cm). Below
#: this many the sample grows round the cathode until it holds them, so pain needs at least
#: the calibration's count of Aδ (spatial summation, as detection is a count) and, on pads
#: as large as the calibration's and larger, the calibrated fraction (a density) as before.
#: The C fibers and the periosteal Aδ share the sample; the Aβ have their own.
NOCICEPTOR_SAMPLE_AFFERENTS = innervation_density("forearm", "adelta") \
    * (_EDGE_MARGIN * INTOLERANCE_PAD_CM * 1e-2) ** 2  # [1/m² x m² -> afferents]
#: How far beyond each edge of the cathode the Aβ afferents are sampled (m); None: as the
#: others, 15 % beyond each edge (0.75 cm round a 5 cm pad). That is too near: detection
#: and strong tingling are counts of Aβ firing, and in the calibration configuration (5 x 5
#: cm on the forearm) at strong tingling 57 % of the afferents 0.75-1.5 cm beyond the
#: cathode's edge fire, 22 % of those 1.5-2.5 cm beyond and 5 % of those 2.5-3.5 cm beyond
#: (``python benchmarks/sensation_window.py --abeta-extent``; about as far round 3.5 and
#: 7.5 cm pads at the same share of their own afferents, so a margin is a length, not a
#: fraction of the pad). Cut off at 0.75 cm, strong tingling needs 84 % of the sample and
#: 30 of 100 virtual subjects have fewer afferents there than its count. A margin of 2.5 cm
#: (``--abeta-margin 2.5``, calibrated again with it) leaves 2 of 100, but microcurrent
#: becomes a strong tingling (the counts hold at 100 pulses/s and have no temporal
#: summation for its one pulse every 2 s) and HVPC and modulated TENS come out just above
#: pain, inside its edge (docs/effects.md, "The Aβ sample's edge"). It stays None until the
#: counts sum over time.
ABETA_MARGIN_M: float | None = None


def site_muscle(site: Site | None, cathode: Electrode | None = None) -> Muscle | None:
    """The muscle whose motor axons lie under the electrodes: on a limb with muscle groups
    on several sides, the one on the cathode's side (:data:`~estim.effects.anatomy.
    LIMB_MUSCLES`); None for no site or a site without a muscle."""
    if site is None or site.name not in SITE_MUSCLE:
        return None
    return muscle_for_site(site.name, _polar_angle(site, cathode))


#: How a note that the window's muscle lies away from the cathode begins (the faces show
#: it beside the muscle's twitch, not behind -v).
MUSCLE_AWAY_NOTE = "the cathode lies on the other side of the limb from the"


def muscle_away(site: Site, cathode: Electrode | None, muscle: Muscle | None) -> str | None:
    """Where the window's muscle has motor points of its own on a limb (the knee's vastus
    medialis, medial) and the cathode lies more than a quarter turn round the limb from
    them, a note that the muscle under the cathode is not modelled: a lateral knee pad's
    twitch was named the vastus medialis's without a word (probe of 5 December 2026).
    None where the cathode lies near enough, or the muscle is under the pads."""
    if muscle is None or muscle.site_position is None:
        return None
    angle = _polar_angle(site, cathode)
    if angle is None:
        return None
    gap = abs((angle - muscle.site_position[0] + math.pi) % (2 * math.pi) - math.pi)
    if gap <= math.pi / 2:
        return None
    arc_cm = gap * (site.radius_x + site.radius_y) / 2 * 100  # [m -> cm]
    return (f"{MUSCLE_AWAY_NOTE} {muscle.short_name}'s motor points (about {arc_cm:.0f} cm "
            f"round it), whose twitch is the one predicted; the muscle under the cathode is "
            "not modelled and may twitch first (with a symmetric biphasic pulse or a "
            "sinusoidal current each pad is the cathode in turn, and the one the file names "
            "the cathode decides which is modelled: name the other to see its muscle)")


def _polar_angle(site: Site, cathode: Electrode | None) -> float | None:
    """The cathode's polar angle on a limb's cross-section (rad; None off a limb)."""
    if cathode is None or site.kind != "limb":
        return None
    x, y = (float(v) for v in np.asarray(cathode.position, float)[:2])
    return math.atan2(y, x) if math.hypot(x, y) > 0 else None


def site_anatomy(site: Site | None, cathode: Electrode | None = None) -> dict[str, Any]:
    """Keyword arguments of :func:`sample_fiber_populations` for a site: the skin thickness
    that sets the afferents' depths, and the motor axons of the site's muscle below its skin
    and fat (:mod:`estim.effects.anatomy`), as intramuscular branches of the calibrated
    diameter (:data:`~estim.effects.calibration.MOTOR_BRANCH_DIAMETER_FACTOR`), and the
    depth of the bone's surface (its periosteal Aδ) where the site has a bone. A muscle
    whose motor points lie at a place of their own on a limb (the knee's vastus medialis)
    is put there, relative to ``cathode`` (the centre of the sampled patch). Empty for no
    site or a site without a muscle."""
    muscle = site_muscle(site, cathode)
    if site is None or muscle is None:
        return {}
    thick = {layer.tissue: layer.thickness for layer in site.layers}
    cover = thick.get("skin", 0.0) + thick.get("fat", 0.0)
    depth = (cover + muscle.branch_depth_m[0], cover + muscle.branch_depth_m[1])
    if "muscle" in thick:  # never below the muscle layer (a thin override)
        bottom = cover + thick["muscle"]
        depth = (min(depth[0], bottom), min(depth[1], bottom))
    out: dict[str, Any] = {"motor_depth_range_m": depth, "motor_region_m": muscle.region_m,
                           "motor_diameter_factor": MOTOR_BRANCH_DIAMETER_FACTOR}
    if muscle.site_position is not None and cathode is not None and site.kind == "limb":
        out["motor_center_m"] = _offset_on_limb(muscle.site_position, cathode)
    if (shift := motor_point_shift_m(site)) and site.kind == "limb":
        # a person's motor points up or down the limb (a virtual subject of a sweep)
        along, across = out.get("motor_center_m", (0.0, 0.0))
        out["motor_center_m"] = (along + shift, across)
    if "skin" in thick:
        out["skin_thickness_m"] = thick["skin"]
    names = [layer.tissue for layer in site.layers]
    if "bone" in names:  # the periosteum on the bone's surface, below every softer layer
        bone = sum(layer.thickness for layer in site.layers[:names.index("bone")])
        if bone > PERIOSTEAL_PLEXUS_ABOVE_BONE_M[1] + 1e-6:  # room for the periosteum
            out["bone_depth_m"] = bone
    return out


def _offset_on_limb(position: tuple[float, float], cathode: Electrode) -> tuple[float, float]:
    """(along, across) of a point of a limb's surface, (polar angle rad, height m), in the
    cathode's frame as :func:`conform` reads it: along the limb axis, and the arc round the
    limb at the cathode's radius (positive toward decreasing polar angle)."""
    p0 = np.asarray(cathode.position, float)
    phi0, r0 = math.atan2(p0[1], p0[0]), math.hypot(p0[0], p0[1])
    turn = (phi0 - position[0] + math.pi) % (2 * math.pi) - math.pi
    return (position[1] - float(p0[2]), r0 * turn)


def sampled_region(electrode: Electrode, fiber_class: str = "adelta",
                   site: Site | None = None) -> tuple[float, float]:
    """The area a class's afferent endings are sampled in round the cathode (length, width;
    m): :data:`_EDGE_MARGIN` times the pad; for ``"abeta"``, :data:`ABETA_MARGIN_M` beyond
    each edge where it is set. The nociceptors' sample (every class but ``"abeta"``) is
    grown in proportion, where it would hold fewer than :data:`NOCICEPTOR_SAMPLE_AFFERENTS`
    Aδ at ``site``'s innervation density (None: the body's).

    >>> from types import SimpleNamespace
    >>> pad = SimpleNamespace(length=0.05, width=0.04)  # a 5 x 4 cm cathode
    >>> [round(v, 4) for v in sampled_region(pad, "abeta") + sampled_region(pad, "adelta")]
    [0.065, 0.052, 0.065, 0.052]
    >>> small = SimpleNamespace(length=0.02, width=0.02)  # 2 x 2 cm: the Aδ of 4.55 cm
    >>> [round(v, 4) for v in sampled_region(small, "abeta") + sampled_region(small)]
    [0.026, 0.026, 0.0455, 0.0455]
    """
    length, width = float(electrode.length), float(electrode.width)
    if fiber_class == "abeta":
        if ABETA_MARGIN_M is not None:
            return (length + 2 * ABETA_MARGIN_M, width + 2 * ABETA_MARGIN_M)
        return (_EDGE_MARGIN * length, _EDGE_MARGIN * width)
    length, width = _EDGE_MARGIN * length, _EDGE_MARGIN * width
    least = NOCICEPTOR_SAMPLE_AFFERENTS / innervation_density(
        site.name if site is not None else None, "adelta")  # [afferents / (1/m²) -> m²]
    grow = math.sqrt(least / (length * width)) if length * width > 0 else 1.0
    # to 1e-9: the calibration's own pads hold exactly the count
    return (length * grow, width * grow) if grow > 1.0 + 1e-9 else (length, width)


def afferents_available(electrode: Electrode, site: Site | None) -> dict[str, float]:
    """How many Aβ and Aδ afferents the window's sample stands for: the site's innervation
    density times each class's sampled area (:func:`sampled_region`), what the calibrated
    counts become fractions of (:func:`estim.effects.calibration.criteria_from_counts`).

    >>> from types import SimpleNamespace
    >>> pad = SimpleNamespace(length=0.05, width=0.05)
    >>> {k: round(v) for k, v in afferents_available(pad, None).items()}  # 6.5 x 6.5 cm
    {'abeta': 377, 'adelta': 377}
    """
    name = site.name if site is not None else None
    return {k: innervation_density(name, k) * math.prod(sampled_region(electrode, k, site))
            for k in ("abeta", "adelta")}


def window_populations(electrode: Electrode, site: Site | None, *,
                       counts: Mapping[str, int] | None = None, seed: int = 0,
                       motor_depth_range_m: tuple[float, float] | None = None,
                       adelta_ending: AdeltaEnding | str | None = None
                       ) -> tuple[tuple[FiberPopulation, ...], list[str]]:
    """The fiber populations :func:`sensation_window` samples under ``electrode`` (its
    arguments of the same names), and the notes on diameters clamped to a model's range."""
    n = dict(DEFAULT_COUNTS)
    n.update(counts or {})
    anatomy = site_anatomy(site, electrode)
    if motor_depth_range_m is not None:
        anatomy = {**anatomy, "motor_depth_range_m": motor_depth_range_m}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ModelRangeWarning)
        pops = sample_fiber_populations(
            seed=seed, counts=n, region_m=sampled_region(electrode, "adelta", site),
            abeta_region_m=sampled_region(electrode, "abeta"), **anatomy,
            adelta_ending=ADELTA_ENDING if adelta_ending is None else adelta_ending)
    # Clamped diameters are expected here and go into the notes; anything else is re-raised.
    notes = [str(w.message) for w in caught if issubclass(w.category, ModelRangeWarning)]
    for w in caught:
        if not issubclass(w.category, ModelRangeWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return pops, notes


def fiber_nodes(electrode: Electrode, site: Site | None, *,
                counts: Mapping[str, int] | None = None, seed: int = 0
                ) -> dict[str, list[NDArray[np.float64]]]:
    """Per fiber class, each fiber's node coordinates (world, m) as :func:`sensation_window`
    places them under ``electrode``: what the virtual subjects' fields are evaluated at
    (:func:`estim.effects.subjects.drive_ratios`), known before the site's field is."""
    pops, _ = window_populations(electrode, site, counts=counts, seed=seed)
    out = {}
    for pop in pops:
        if pop.size:
            fibers, points = fiber_geometry(pop, electrode, site)
            out[pop.fiber_class.value] = [p[np.asarray(f.node_index, dtype=np.intp)]
                                          for f, p in zip(fibers, points, strict=True)]
    return out


def sensation_window(channel_name: str, stim: Stimulus, channel_field: ChannelField,
                     amplitude_a: float, *, site: Site | None = None,
                     counts: Mapping[str, int] | None = None,
                     seed: int = 0, motor_depth_range_m: tuple[float, float] | None = None,
                     criteria: SensationCriteria | None = None,
                     progress: Callable[[str], None] | None = None,
                     precision: float = 0.02,
                     together: Sequence[tuple[Stimulus, ChannelField]] = (),
                     subjects: int = 0,
                     adelta_ending: AdeltaEnding | str | None = None) -> SensationWindow:
    """Thresholds of every fiber class under the channel's cathode, and the window.

    :param stim: the channel's output (its largest pulse is the unit waveform).
    :param channel_field: the channel's field solution: ``.potential(points)`` (V per A)
        and ``.cathode`` (an electrode with position, normal and axis).
    :param amplitude_a: the programmed peak current (A).
    :param site: the site (a limb bends cutaneous fibers along its surface).
    :param counts: fibers per class (default :data:`DEFAULT_COUNTS`).
    :param precision: relative bracket of each threshold (0.02: 2 %, a fifth of the spread
        of thresholds within a class).
    :param together: (stimulus, channel field) of channels that run at the same time and
        must be superposed at the nerve (the other channel of true interferential current);
        their amplitudes relative to ``stim`` are kept, and thresholds stay in amperes of
        this channel's peak.
    :param adelta_ending: how the Aδ afferents end (:class:`AdeltaEnding`; None:
        :data:`ADELTA_ENDING`).
    :param criteria: explicit fractions instead of the calibrated counts; its
        ``motor_fraction_without_force`` is replaced by the program's own
        visible-contraction fraction (:func:`motor_threshold`), which the window's criteria
        carry on.
    """
    electrode = channel_field.cathode
    pops, notes = window_populations(electrode, site, counts=counts, seed=seed,
                                     motor_depth_range_m=motor_depth_range_m,
                                     adelta_ending=adelta_ending)
    muscle = site_muscle(site, electrode)
    if muscle is not None and muscle.not_modelled:
        notes.append(muscle.not_modelled)
    gap = None if site is None else between_groups(site.name, _polar_angle(site, electrode))
    if muscle is not None and gap is not None:
        notes.append(f"the cathode lies over {gap}, which is not modelled: its motor axons "
                     f"are taken as those of the {muscle.short_name}")
    away = None if site is None else muscle_away(site, electrode, muscle)
    if away is not None:
        notes.append(away)
    waveform: UnitPulse | SourcePulses = unit_pulse(stim)
    potential: Potential | list[Potential] = channel_field.potential
    tstop = None
    if together:
        waveform = superposed(stim, [st for st, _ in together])
        potential = [channel_field.potential, *(cf.potential for _, cf in together)]
        tstop = superposed_tstop(waveform)
    available = afferents_available(electrode, site)
    calibrated = None
    train = volleys(stim)
    if criteria is None:
        calibrated = CALIBRATED_COUNTS
        # pain sums the Aδ volleys over time: slow programs need more of them
        criteria = criteria_from_counts(calibrated, available,
                                        pain_rate_factor=pain_rate_factor(train.times_s))
    classes: dict[str, ClassThresholds] = {}
    placed: dict[str, FiberPopulation] = {}

    def class_tstop(pop: FiberPopulation) -> float | None:
        return None if tstop is None else max(tstop, _TSTOP_S.get(pop.model, 0.0))

    # the periosteal Aδ last: only those below a few times the skin's pain (and the
    # programmed current) can count toward pain, so the search stops there
    for pop in sorted(pops, key=lambda p: p.fiber_class is FiberClass.PERIOSTEAL):
        if pop.size == 0:
            continue
        searching = (f"thresholds: {pop.size} {_LABEL[pop.fiber_class.value]} fibers "
                     f"({pop.model.upper() if pop.model == 'mrg' else pop.model.capitalize()} "
                     "model)")
        if progress is not None:
            progress(searching)
        cap = None
        if pop.fiber_class is FiberClass.PERIOSTEAL:
            # on the skin's pain (the programmed current only where that is not reached),
            # rounded up to a power of 2 so that nearby programs share the cached search
            top = pain_threshold(classes, criteria)
            top = top if math.isfinite(top) else amplitude_a
            cap = 2.0 ** math.ceil(math.log2(PERIOSTEAL_SEARCH_FACTOR * top)) \
                if math.isfinite(top) and top > 0 else None
        placed[pop.fiber_class.value] = pop
        classes[pop.fiber_class.value] = class_thresholds(
            pop, electrode, site, potential, waveform, precision=precision,
            tstop_s=class_tstop(pop), max_amplitude_a=cap,
            progress=None if progress is None else _partway(progress, searching))
        if pop.fiber_class is FiberClass.PERIOSTEAL:
            thr = classes["periosteal"].thresholds_a
            above = int(np.count_nonzero(~np.isfinite(thr)))
            bone = float(np.median(pop.depth_m)) * 1e3  # [m -> mm]
            notes.append(
                f"periosteal Aδ of the bone {bone:.3g} mm below the skin: "
                + ("none" if above == thr.size else f"{thr.size - above} of {thr.size}")
                + " excited below "
                + (f"{current_text(cap, smallest='mA')}, as far as their search goes (they "
                   "count toward pain with the skin's Aδ)" if cap is not None
                   else "any current searched"))
    leaving = classes["motor"].n_leaving_domain if "motor" in classes else 0
    if leaving:
        notes.append(f"{leaving} of the {classes['motor'].thresholds_a.size} motor axons run "
                     "past the modelled tissue (the site is smaller than the muscle's "
                     "innervation region there): past its edge they see the edge's "
                     "potential, so their thresholds are approximate"
                     + (f" ({classes['motor'].n_outside_domain} wholly outside it, never "
                        "excited)" if classes["motor"].n_outside_domain else ""))
    for name in ("abeta", "adelta", "c", "periosteal"):
        gone = classes[name].n_outside_domain if name in classes else 0
        if gone:
            notes.append(f"{gone} of the {classes[name].thresholds_a.size} {_LABEL[name]} "
                         "fibers sampled round the cathode lie wholly outside the modelled "
                         "tissue (the site is smaller than the sample) and are never "
                         "excited: the criteria on them may come later than on a larger site")
    if calibrated is not None:
        notes.extend(counts_out_of_range(calibrated, available))
    # visible contraction: the current at which the motor axons' volleys, at the program's
    # own rate and amplitudes, sum to the criterion's force; the criteria carry on the
    # fraction recruited at the peak there (classification, bands)
    motor = motor_threshold(classes["motor"], train, criteria) if "motor" in classes \
        else math.inf
    motor_frac = (float(classes["motor"].fraction_at(motor)[0]) if math.isfinite(motor)
                  else motor_threshold_fraction(criteria=criteria,
                                                volleys_s=train.times_s or None))
    criteria = replace(criteria, motor_fraction_without_force=motor_frac)
    sensory = (classes["abeta"].amplitude_for(criteria.sensory_abeta_fraction)
               if "abeta" in classes else math.inf)
    pain = pain_threshold(classes, criteria)

    def frac(name: str) -> float:
        c = classes.get(name)
        return float(c.fraction_at(amplitude_a)[0]) if c is not None else 0.0

    recruited = Recruitment(abeta=frac("abeta"), adelta=frac("adelta"), c=frac("c"),
                            motor=frac("motor"), periosteal=frac("periosteal"))
    carrier = stim.timing.carrier_hz
    conduction: dict[str, ConductionTest] | None = None
    conduction_s: float | None = None
    if carrier and carrier >= 1e3:
        if progress is not None:
            progress(f"conduction under the {carrier / 1e3:g} kHz carrier")
        # true interferential's carriers run on; a premodulated beat repeats back to back
        continuous = bool(together) or stim.cycle_s <= largest_pulse(stim).duration * (1 + 1e-9)
        test_wave, test_s = conduction_waveform(waveform, continuous, carrier)
        tests = {name: carrier_conduction(pop, classes[name], electrode, site, potential,
                                          test_wave, test_s, amplitude_a)
                 for name, pop in placed.items()}
        conduction, conduction_s = tests, test_s - test_wave.delay_s
        notes.append(conduction_note(carrier, amplitude_a, conduction_s, tests))
    n_c = sum(pop.size for pop in pops if pop.fiber_class.value == "c")
    if n_c == 0:
        notes.append("C fibers are not simulated by default (each costs ~100 MRG fibers): "
                     "pain is judged from Aδ recruitment alone")
    elif n_c < 30:
        notes.append(f"only {n_c} C fibers are simulated; the C-fiber fraction is coarse")
    return SensationWindow(channel=channel_name, amplitude_a=amplitude_a, classes=classes,
                           sensory_a=sensory, motor_a=motor, pain_a=pain,
                           motor_fraction_criterion=motor_frac, recruitment=recruited,
                           criteria=criteria, pulse_duration_s=waveform.width_s,
                           notes=tuple(notes), available=available, counts=calibrated,
                           volleys=train, conduction=conduction,
                           conduction_test_s=conduction_s,
                           muscle=None if muscle is None else muscle.short_name)

