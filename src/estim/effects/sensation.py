"""Sensation window: what the person feels, from recruited fractions and muscle force.

Pure logic on the fiber stage's recruitment fractions, so that the chain
``fibers -> effects`` can be tested before the cable models exist. The criteria are data
(:data:`SENSATION_CRITERIA_TABLE`) and are model assumptions, not clinical facts:

1. painful — Aδ fraction >= ``pain_adelta_fraction`` or C fraction >= ``pain_c_fraction``;
   the Aδ fraction counts the skin's Aδ under the pad with the periosteal Aδ of a bone
   under the pads, weighted by their density ratio (:attr:`Recruitment.nociceptive_adelta`);
2. contraction, below pain — a visible contraction: force >= ``visible_force_fraction``
   of the muscle's maximal force (or, without a force, motor fraction >=
   ``motor_fraction_without_force``);
3. strong tingling, no contraction — Aβ fraction >= ``strong_abeta_fraction``;
4. light tingling — Aβ fraction >= ``sensory_abeta_fraction`` (and > 0): with the default
   of 0 the first Aβ fiber; ``estim run`` uses the calibrated counts of
   :mod:`estim.effects.calibration` instead;
5. no sensation.

With the Ding 2003 quadriceps, a full-recruitment twitch is ~100 N and the fused maximum
~315 N, so the default 2 % visible-force criterion corresponds to ~6 % of the motor axons
firing one twitch, and to ~2 % of them firing at 100 Hz, whose twitches fuse: the window
takes the criterion on the program's own train of motor volleys
(:func:`motor_threshold_fraction`), so a burst or a high-rate program contracts visibly with
fewer axons than a single twitch needs.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from functools import lru_cache
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from estim.effects.anatomy import PERIOSTEAL_DENSITY_RATIO
from estim.effects.muscle import force_frequency, simulate_force, twitch
from estim.effects.muscle_params import DING_2003_QUADRICEPS, MuscleParams
from estim.errors import InputError
from estim.evidence import EvidenceLevel
from estim.program.options import Sensation
from estim.tables import TableEntry, table_value
from estim.text import percent_text
from estim.units import finite_or_none

__all__ = [
    "COUNT_CRITERIA",
    "DEFAULT_SENSATION_CRITERIA",
    "SENSATION_CRITERIA_TABLE",
    "Band",
    "CountCriterion",
    "Recruitment",
    "Sensation",
    "SensationCriteria",
    "SensationResult",
    "ThresholdBands",
    "checked_current",
    "classify_sensation",
    "maximal_force_N",
    "motor_threshold_fraction",
    "nociceptive_summation",
]

_ASSUMED = "model assumption of estim (issue 5); to be calibrated against human thresholds"

SENSATION_CRITERIA_TABLE: tuple[TableEntry, ...] = (
    TableEntry("sensory_abeta_fraction", 0.0, "dimensionless", _ASSUMED,
               note="sensory threshold = first Aβ fiber recruited (fraction >= this, > 0)"),
    TableEntry("strong_abeta_fraction", 0.5, "dimensionless", _ASSUMED,
               note="half the Aβ fibers under the electrode: strong tingling"),
    TableEntry("visible_force_fraction", 0.02, "dimensionless", _ASSUMED,
               note="visible twitch/contraction: force >= 2 % of the maximal fused force"),
    TableEntry("motor_fraction_without_force", 0.06, "dimensionless", _ASSUMED,
               note="≈ 2 % of max force as a single twitch with Ding 2003 quadriceps"),
    TableEntry("pain_adelta_fraction", 0.10, "dimensionless", _ASSUMED,
               note="pain once 10 % of the Aδ fibers fire"),
    TableEntry("pain_c_fraction", 0.05, "dimensionless", _ASSUMED,
               note="or 5 % of the C fibers"),
)


@dataclass(frozen=True, slots=True)
class SensationCriteria:
    """Thresholds of the sensation window, fractions 0..1 (see the module docstring)."""

    sensory_abeta_fraction: float
    strong_abeta_fraction: float
    visible_force_fraction: float
    motor_fraction_without_force: float
    pain_adelta_fraction: float
    pain_c_fraction: float

    def __post_init__(self) -> None:
        for f in fields(self):
            v = getattr(self, f.name)
            if not (isinstance(v, numbers.Real) and 0.0 <= float(v) <= 1.0):
                raise InputError(f"criteria.{f.name}", v, "a fraction in [0, 1]")

    @classmethod
    def from_table(cls, table: tuple[TableEntry, ...] = SENSATION_CRITERIA_TABLE
                   ) -> SensationCriteria:
        """Criteria from a table whose rows are named after the fields."""
        return cls(**{f.name: table_value(table, f.name) for f in fields(cls)})


DEFAULT_SENSATION_CRITERIA = SensationCriteria.from_table()


@dataclass(frozen=True, slots=True)
class Recruitment:
    """Fraction of each fiber class recruited under the electrode (each 0..1); ``periosteal``:
    of the periosteal Aδ of a bone under the pads (0 without one)."""

    abeta: float = 0.0
    adelta: float = 0.0
    c: float = 0.0
    motor: float = 0.0
    periosteal: float = 0.0

    @property
    def nociceptive_adelta(self) -> float:
        """The Aδ nociceptors firing, of the skin's and the periosteum's, in units of the
        skin's Aδ under the pad: what the pain criterion counts (the periosteal ones
        weighted by :data:`~estim.effects.anatomy.PERIOSTEAL_DENSITY_RATIO`)."""
        return self.adelta + PERIOSTEAL_DENSITY_RATIO * self.periosteal

    def __post_init__(self) -> None:
        for f in fields(self):
            v = getattr(self, f.name)
            ok = isinstance(v, numbers.Real) and not isinstance(v, bool)
            if not (ok and math.isfinite(v) and 0.0 <= v <= 1.0):
                raise InputError(f"recruitment.{f.name}", v, "a fraction in [0, 1]")


@dataclass(frozen=True, slots=True)
class SensationResult:
    """The predicted sensation and why.

    :param sensation: the window (:class:`Sensation`); ``str(result.sensation)`` is the phrase.
    :param reasons: the criteria that decided it, in words.
    """

    sensation: Sensation
    reasons: tuple[str, ...]
    recruitment: Recruitment
    force_fraction: float | None
    criteria: SensationCriteria
    evidence_level: EvidenceLevel = EvidenceLevel.MODEL_PREDICTION
    evidence: str = (
        "model prediction: thresholds on recruited fiber fractions and predicted force are "
        "assumptions of the model, not measured perception"
    )
    #: painful with a visible contraction too (:attr:`words` says both)
    with_contraction: bool = False

    def __repr__(self) -> str:
        return f"SensationResult({self.words!r}: {'; '.join(self.reasons)})"

    @property
    def phrase(self) -> str:
        """The sensation in words, e.g. ``"light tingling"`` (one of :class:`Sensation`'s, as
        tables and counts key it)."""
        return str(self.sensation)

    @property
    def words(self) -> str:
        """What a person reads: the phrase, and a contraction beside pain ("painful" alone
        hid 42 % of the motor axons firing at 81.5 mA; phone probe of 7 December 2026).

        >>> classify_sensation(Recruitment(abeta=1.0, adelta=0.95, motor=0.5)).words
        'painful, with a visible contraction'
        >>> classify_sensation(Recruitment(abeta=1.0, adelta=0.95)).words
        'painful'
        """
        return f"{self.phrase}, with a visible contraction" if self.with_contraction \
            else self.phrase


def classify_sensation(
    recruitment: Recruitment,
    *,
    force_N: float | None = None,
    max_force_N: float | None = None,
    criteria: SensationCriteria = DEFAULT_SENSATION_CRITERIA,
) -> SensationResult:
    """Predict the sensation window from recruited fractions and the muscle force.

    :param recruitment: recruited fraction per class.
    :param force_N: predicted peak force of the contraction (N), e.g. from
        :func:`estim.effects.simulate_force` with ``recruitment.motor``.
    :param max_force_N: the muscle's maximal (fused, full recruitment) force (N); needed with
        ``force_N``.
    :param criteria: thresholds (defaults: :data:`SENSATION_CRITERIA_TABLE`).
    :raises InputError: a force without its maximum, negative or non-finite forces.
    """
    force_fraction: float | None = None
    if force_N is not None:
        if max_force_N is None:
            raise InputError("max_force_N", max_force_N,
                             "the muscle's maximal force (N) when force_N is given")
        if not (math.isfinite(force_N) and force_N >= 0):
            raise InputError("force_N", force_N, "a finite force >= 0 N")
        if not (math.isfinite(max_force_N) and max_force_N > 0):
            raise InputError("max_force_N", max_force_N, "a finite force > 0 N")
        force_fraction = force_N / max_force_N
    r = recruitment
    c = criteria
    if force_fraction is not None:
        contraction = force_fraction >= c.visible_force_fraction and force_fraction > 0
        why = (f"the contraction reaches {percent_text(force_fraction)} of the muscle's "
               f"maximal force, past the {percent_text(c.visible_force_fraction)} that can "
               "be seen")
    else:
        contraction = r.motor >= c.motor_fraction_without_force and r.motor > 0
        why = (f"{percent_text(r.motor)} of the motor axons fire, past the "
               f"{percent_text(c.motor_fraction_without_force)} that makes a visible "
               "contraction")
    # pain with a contraction says both: "painful" alone hid 42 % of the motor axons firing
    # (phone probe of 7 December 2026)
    also = (why,) if contraction else ()
    noci = r.nociceptive_adelta
    if noci >= c.pain_adelta_fraction and noci > 0:
        # with a bone's periosteal Aδ the count is in units of the skin's Aδ, and can pass
        # 100 %: said as a count ("Aδ fibers firing 105 %" read as more than all; probe)
        # in words, not the model's inequality ("Aδ fibers firing 90% ≥ 78.1% (pain
        # threshold)"; UX review of 6 December 2026)
        what = (f"the pain fibers (Aδ) firing count as {percent_text(noci)} of the skin's "
                f"({percent_text(r.adelta)} of the skin's and {percent_text(r.periosteal)} of "
                f"the periosteum's, each counted as {PERIOSTEAL_DENSITY_RATIO:g} of one)"
                if r.periosteal else
                f"{percent_text(noci)} of the pain fibers (Aδ) under and around the cathode "
                "fire")
        return _result(Sensation.PAINFUL, f"{what}, past the "
                       f"{percent_text(c.pain_adelta_fraction)} at which it hurts", r,
                       force_fraction, c, also)
    if r.c >= c.pain_c_fraction and r.c > 0:
        return _result(Sensation.PAINFUL, f"{percent_text(r.c)} of the C fibers fire, past "
                       f"the {percent_text(c.pain_c_fraction)} at which it hurts", r,
                       force_fraction, c, also)
    if contraction:
        return _result(Sensation.CONTRACTION, why, r, force_fraction, c)
    if r.abeta >= c.strong_abeta_fraction and r.abeta > 0:
        return _result(Sensation.STRONG_TINGLING, f"{percent_text(r.abeta)} of the touch "
                       f"fibers (Aβ) under and around the cathode fire, past the "
                       f"{percent_text(c.strong_abeta_fraction)} of a strong tingling; no "
                       "visible contraction", r, force_fraction, c)
    if r.abeta >= c.sensory_abeta_fraction and r.abeta > 0:
        return _result(Sensation.LIGHT_TINGLING, f"{percent_text(r.abeta)} of the touch "
                       f"fibers (Aβ) under and around the cathode fire, past the "
                       f"{percent_text(c.sensory_abeta_fraction)} at which it is felt", r,
                       force_fraction, c)
    # "no Aβ fiber recruited" was said where some fired, too few to be felt
    felt = percent_text(c.sensory_abeta_fraction)
    return _result(Sensation.NONE, f"{percent_text(r.abeta)} of the touch fibers (Aβ) under "
                   f"and around the cathode fire, short of the {felt} at which it is felt"
                   if r.abeta > 0 else "no touch fiber (Aβ) fires", r, force_fraction, c)


def _result(s: Sensation, reason: str, r: Recruitment, ff: float | None,
            c: SensationCriteria, also: tuple[str, ...] = ()) -> SensationResult:
    return SensationResult(sensation=s, reasons=(reason, *also), recruitment=r,
                           force_fraction=ff, criteria=c, with_contraction=bool(also))


#: The highest rate (Hz) at which nociceptive volleys add up centrally: pain by temporal
#: summation rose from 1 to 20 Hz, the fastest rate tested (Arendt-Nielsen, Sonnenborg &
#: Andersen 2000), and the current window of TENS was smaller at 30 and at 80 pulses/s than at
#: 2 (Hughes, Bennett & Johnson 2013; no difference between 30 and 80 was reported in the
#: abstract). Faster volleys are summed as if at this rate (an assumption: thin afferents and
#: dorsal-horn neurons do not follow high rates one to one).
NOCICEPTIVE_FOLLOWING_HZ = 20.0


def nociceptive_summation(volleys_s: tuple[float, ...] | NDArray[np.float64], tau_s: float,
                          following_hz: float = NOCICEPTIVE_FOLLOWING_HZ) -> float:
    """Peak central drive of a train of nociceptive volleys, in single volleys: a leaky
    integrator of time constant ``tau_s`` that adds 1 per volley, with the gaps between
    volleys no shorter than ``1 / following_hz``. A periodic train at f <= following_hz
    tends to ``1 / (1 - exp(-1 / (f tau)))``; a single volley is 1; no volley, 0."""
    t = np.asarray(volleys_s, dtype=float)
    if t.size == 0:
        return 0.0
    if not (tau_s > 0 and following_hz > 0):
        raise InputError("tau_s", tau_s, "a time constant > 0 s and a rate > 0 Hz")
    drive = best = 1.0
    for gap in np.maximum(np.diff(t), 1.0 / following_hz):
        drive = 1.0 + drive * math.exp(-float(gap) / tau_s)
        best = max(best, drive)
    return best


@lru_cache(maxsize=64)
def motor_threshold_fraction(
    params: MuscleParams = DING_2003_QUADRICEPS,
    *,
    criteria: SensationCriteria = DEFAULT_SENSATION_CRITERIA,
    max_frequency_hz: float = 100.0,
    volleys_s: tuple[float, ...] | None = None,
) -> float:
    """Fraction of motor axons whose contraction reaches the visible-force criterion.

    Without ``volleys_s`` the contraction is a single twitch; with it, the peak force of
    that train of motor volleys (onsets in s, the program's own first second:
    :func:`estim.effects.drive.volley_times`), in which twitches sum and fuse as the Ding
    model has them: a 100 Hz train makes ~3 x the force of one twitch with the same axons,
    so fewer axons make a visible contraction. In the rested model force is proportional
    to the recruited fraction, so the fraction is ``visible_force_fraction x F_max /
    F(all axons)``, capped at 1. F_max is the peak of a 1 s train at ``max_frequency_hz``.
    """
    # A few short trains: the plain-Python integrator costs less than compiling the numba
    # kernel for a program that needs no other force simulation.
    rested = params.without_fatigue()
    if volleys_s is None or len(volleys_s) <= 1:
        f_train = twitch(params, backend="python").peak_force_N
    else:
        t = np.asarray(volleys_s, dtype=float)
        f_train = simulate_force(t - t[0], params=rested, t_end_s=float(t[-1] - t[0]) + 0.5,
                                 backend="python").peak_force_N
    return min(1.0, criteria.visible_force_fraction * maximal_force_N(params, max_frequency_hz)
               / f_train)


@lru_cache(maxsize=8)
def maximal_force_N(params: MuscleParams = DING_2003_QUADRICEPS,
                    max_frequency_hz: float = 100.0) -> float:
    """The rested muscle's maximal force (N): the peak of a 1 s train at ``max_frequency_hz``
    with every axon, what the visible-force criterion is a fraction of."""
    return float(force_frequency([max_frequency_hz], params=params, backend="python")
                 .peak_force_N[0])


def checked_current(amplitude_a: float, field: str = "amplitude_a") -> float:
    """``amplitude_a`` if it is a current in A, 0 or more, else an :class:`InputError`: NaN
    and -1 had every subject feeling nothing (researcher's probe of 7 December 2026). No
    upper bound: a voltage-set device's peak through a low load can be amperes.

    >>> checked_current(0.025)
    0.025
    >>> checked_current(float("nan"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    estim.errors.InputError: amplitude_a: got nan, expected a peak current in A, 0 or more ...
    """
    if isinstance(amplitude_a, bool) or not isinstance(amplitude_a, numbers.Real) \
            or not amplitude_a >= 0:
        raise InputError(field, amplitude_a, "a peak current in A, 0 or more (0.025 for 25 mA)")
    return float(amplitude_a)


@dataclass(frozen=True, slots=True)
class Band:
    """A threshold over the virtual subjects (A): 10th percentile, median, 90th."""

    low_a: float
    median_a: float
    high_a: float

    def to_dict(self) -> dict[str, float | None]:
        return {"p10_A": finite_or_none(self.low_a), "median_A": finite_or_none(self.median_a),
                "p90_A": finite_or_none(self.high_a)}


#: The Aβ count criteria (calibrated counts of afferents firing) whose count a virtual
#: subject can lack afferents for in the window's sample.
CountCriterion = Literal["detection", "strong tingling"]
#: Each count criterion and the sensations a subject is given only because the sample ran
#: out before its count (the criterion capped at every sampled afferent): at or above the
#: last sampled afferent's threshold.
COUNT_CRITERIA: dict[CountCriterion, tuple[Sensation, ...]] = {
    "detection": (Sensation.LIGHT_TINGLING, Sensation.STRONG_TINGLING),
    # below the sample's end as well as past it: the count may be reached below it, by
    # afferents beyond the sample (a light tingling there was told as a prediction: the 4
    # of 20 of conventional TENS at 25 mA; probe of 6 December 2026)
    "strong tingling": (Sensation.LIGHT_TINGLING, Sensation.STRONG_TINGLING),
}


@dataclass(frozen=True, slots=True)
class ThresholdBands:
    """Every threshold of the window as a band over ``n_subjects`` virtual subjects."""

    n_subjects: int
    sensory: Band
    strong: Band
    motor: Band
    pain: Band
    note: str = ""
    #: the spread each drawn quantity had: name -> (coefficient of variation, source)
    spread: Mapping[str, tuple[float, str]] = field(default_factory=dict)
    #: each subject's own thresholds (A; inf: not reached): ``"sensory"``, ``"strong"``,
    #: ``"motor"``, ``"pain"`` -> one per subject
    per_subject: Mapping[str, tuple[float, ...]] = field(default_factory=dict)
    #: the subjects (indices) who need at least as many Aβ afferents as the window samples
    #: for a count criterion (``"detection"``, ``"strong tingling"``; only those some
    #: subject misses): their threshold for it is the last sampled afferent's
    #: (:func:`estim.effects.subjects.counts_beyond_sample`)
    beyond_sample: Mapping[CountCriterion, tuple[int, ...]] = field(default_factory=dict)
    #: how far the subjects' motor points lie along the limb from the site's: the SD
    #: between people (m; 0: none drawn) and its source
    motor_points: tuple[float, str] = (0.0, "")

    def _felt(self, k: int, amplitude_a: float) -> Sensation:
        """Subject ``k``'s sensation at ``amplitude_a`` (A), by its own thresholds in
        :func:`classify_sensation`'s order: pain, then a visible contraction, strong
        tingling, light tingling."""
        order = ((Sensation.PAINFUL, "pain"), (Sensation.CONTRACTION, "motor"),
                 (Sensation.STRONG_TINGLING, "strong"), (Sensation.LIGHT_TINGLING, "sensory"))
        return next((what for what, name in order
                     if self.per_subject[name][k] <= amplitude_a), Sensation.NONE)

    def sensations_at(self, amplitude_a: float) -> dict[Sensation, int]:
        """How many subjects feel each sensation at ``amplitude_a`` (A), each by its own
        thresholds (:meth:`_felt`); mildest first, every sensation listed; {} without the
        subjects' thresholds."""
        checked_current(amplitude_a)
        if not self.per_subject:
            return {}
        counts = dict.fromkeys(Sensation, 0)
        for k in range(self.n_subjects):
            counts[self._felt(k, amplitude_a)] += 1
        return counts

    def undecided_at(self, amplitude_a: float) -> dict[CountCriterion, int]:
        """Of the subjects :attr:`beyond_sample` lists, how many are at ``amplitude_a`` (A)
        given a sensation that the criterion decides (:data:`COUNT_CRITERIA`: a light or a
        strong tingling, for either count). Where the count lies beyond the sample its
        current may be above or below the last sampled afferent's, so which of them such a
        subject feels is not a prediction. Only criteria with some."""
        checked_current(amplitude_a)
        if not self.per_subject:
            return {}
        out: dict[CountCriterion, int] = {}
        for what, who in self.beyond_sample.items():
            n = sum(1 for k in who if self._felt(k, amplitude_a) in COUNT_CRITERIA[what])
            if n:
                out[what] = n
        return out

    def to_dict(self) -> dict[str, object]:
        return {"subjects": self.n_subjects, "sensory": self.sensory.to_dict(),
                "strong_tingling": self.strong.to_dict(), "motor": self.motor.to_dict(),
                "pain": self.pain.to_dict(), "note": self.note,
                "beyond_sample": {k: list(v) for k, v in self.beyond_sample.items()},
                "spread": {k: {"cv": v[0], "source": v[1]} for k, v in self.spread.items()},
                "motor_point_position": {"sd_m": self.motor_points[0],
                                         "source": self.motor_points[1]},
                "per_subject_A": {k: [finite_or_none(x) for x in v]
                                  for k, v in self.per_subject.items()}}
