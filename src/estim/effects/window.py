"""The sensation window: which fibers fire under a program's own waveform and field.

This joins the stages: the fiber populations (:mod:`estim.effects.populations`) are placed in
the site under the channel's cathode (:mod:`estim.effects.placement`), each fiber's
extracellular potential per ampere comes from the field solution (:mod:`estim.fields`), the
unit waveform is the program's own pulse (:mod:`estim.waveforms`), and the cable models
(:mod:`estim.fibers`) give every fiber's threshold. Recruitment against intensity, the
sensory, motor and pain thresholds, and what fires at the programmed intensity follow;
under a kHz carrier, whether the fibers still conduct (:mod:`estim.effects.conduction`).

Evidence: fiber thresholds are mechanistic (cable models validated against NEURON); the
anatomy (diameters, depths) is an assumption; the sensation criteria are model predictions.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from estim.cache import digest, load_arrays, store_arrays
from estim.effects.anatomy import (
    PERIOSTEAL_DENSITY_RATIO,
    between_groups,
)
from estim.effects.calibration import (
    CALIBRATED_COUNTS,
    SensationCounts,
    counts_out_of_range,
    criteria_from_counts,
    pain_rate_factor,
)
from estim.effects.conduction import (
    carrier_conduction,
    conduction_note,
    conduction_waveform,
    short_burst_note,
)
from estim.effects.drive import (
    CARRIER_RUN_S,
    SourcePulses,
    UnitPulse,
    Volleys,
    carrier_tstop,
    largest_pulse,
    superposed,
    superposed_tstop,
    time_step,
    unit_pulse,
    volleys,
)
from estim.effects.placement import (
    CLASS_LABELS,
    Potential,
    afferents_available,
    muscle_away,
    place_fibers,
    polar_angle,
    site_muscle,
    window_populations,
)
from estim.effects.populations import (
    AdeltaEnding,
    FiberClass,
    FiberPopulation,
)
from estim.effects.resolution import orders_unsettled
from estim.effects.sensation import (
    Recruitment,
    SensationCriteria,
    ThresholdBands,
    maximal_force_N,
    motor_threshold_fraction,
)
from estim.errors import InputError
from estim.evidence import EvidenceLevel
from estim.progress import Partway
from estim.text import current_text, percent_text
from estim.units import finite_or_none
from estim.waveforms.stimulus import Stimulus

if TYPE_CHECKING:
    from estim.fibers.block import ConductionTest
    from estim.fibers.protocols import UnitWaveform
    from estim.fields.electrodes import Electrode
    from estim.fields.sites import Site
    from estim.fields.solve import ChannelField

__all__ = [
    "THRESHOLDS_VERSION",
    "ClassThresholds",
    "SensationWindow",
    "class_thresholds",
    "motor_threshold",
    "nociceptive_fraction",
    "pain_threshold",
    "sensation_window",
]

#: Bump when the fiber solver changes its numbers (invalidates cached thresholds, and a
#: sweep's finished points: estim.sweep.plan).
THRESHOLDS_VERSION = "thresholds-5"


#: The periosteal Aδ are searched up to this many times the skin's pain threshold (the
#: programmed current where the skin never reaches pain), rounded up to a power of 2: above
#: it they do not count toward pain, and a bone 30-60 mm deep (forearm, back) is settled in
#: a few runs per fiber instead of ~10. The 20 virtual subjects' drive ratios of the
#: periosteal Aδ span 0.61-1.85 (p10-p90 0.89-1.11; the Hughes tibia and knee pads,
#: measured 2 December 2026 with each fiber's length kept around the limb), so a fiber left
#: above the cap stays above 2.4x the site's pain threshold in every subject.
PERIOSTEAL_SEARCH_FACTOR = 4.0


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


#: Simulated time per threshold run: long enough for an AP to reach the detection node.
_TSTOP_S = {"sundt": 12e-3}
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
    fibers, all_points, phis, (outside, gone) = place_fibers(pop, electrode, site, potential)
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
    gap = None if site is None else between_groups(site.name, polar_angle(site, electrode))
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

    # under a kHz carrier the run covers the burst (or beat) and an action potential's
    # travel from its end (carrier_tstop); other waveforms keep each model's own time (a
    # microcurrent phase of 1 s is judged from its first 10 ms, docs/effects.md)
    carried = bool(stim.timing.carrier_hz and stim.timing.carrier_hz >= 1e3)
    if carried and waveform.width_s > CARRIER_RUN_S * (1 + 1e-9):
        notes.append(f"the fibers are simulated under the first {CARRIER_RUN_S * 1e3:g} ms of "
                     f"each {waveform.width_s * 1e3:.3g} ms stretch of the carrier (a burst "
                     "or a beat): a threshold that sums over longer, as people's pain "
                     "tolerance does, may lie lower than the one given")

    def class_tstop(pop: FiberPopulation) -> float | None:
        from estim.fibers.solver import MYELINATED_TSTOP_S

        if not carried:
            return None if tstop is None else max(tstop, _TSTOP_S.get(pop.model, 0.0))
        own = _TSTOP_S.get(pop.model, MYELINATED_TSTOP_S)
        return max(tstop or 0.0, own, carrier_tstop(waveform, pop.model))

    # the periosteal Aδ last: only those below a few times the skin's pain (and the
    # programmed current) can count toward pain, so the search stops there
    for pop in sorted(pops, key=lambda p: p.fiber_class is FiberClass.PERIOSTEAL):
        if pop.size == 0:
            continue
        searching = (f"thresholds: {pop.size} {CLASS_LABELS[pop.fiber_class.value]} fibers "
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
            notes.append(f"{gone} of the {classes[name].thresholds_a.size} {CLASS_LABELS[name]} "
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
        if test_s is None:
            notes.append(short_burst_note(carrier, waveform.width_s))
        else:
            tests = {name: carrier_conduction(pop, classes[name].thresholds_a, electrode,
                                              site, potential, test_wave, test_s, amplitude_a)
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

