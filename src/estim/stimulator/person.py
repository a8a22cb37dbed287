"""A person's calibration: their marks on the dial fitted into three factors of the site model.

The person model (docs/stimulator.md has the reasoning and its limits):

* ``cutaneous_factor`` k_c multiplies the cutaneous thresholds of the model: sensory
  (first felt) and strong tingling (strong but comfortable). It stands for what moves those
  thresholds together in one person: the skin and the electrode interface (how much of the
  dial's current reaches the dermis) and the density of afferents under the pad.
* ``pain_factor`` k_p multiplies the pain threshold (too much). What a person calls too
  much varies between people more than what they first feel (the virtual subjects' pain
  factor, :data:`estim.effects.calibration.PAIN_CRITERION_CV`), so with a cutaneous mark
  beside it, k_p is the too-much mark's own; without one, k_p and k_c are the same factor,
  from whichever marks there are, and the fit says so.
* ``motor_factor`` k_m multiplies the motor threshold (first twitch). It stands for what the
  cutaneous marks cannot see: fat thickness and the depth of the motor point. Without a
  twitch mark it is taken equal to k_c (no evidence that the muscle is deeper or shallower
  than the model's), and the fit says so.

Fit: least squares in log space, ``log mark = log k + log T_model`` for each mark present. With
one factor per group of marks the least-squares solution is closed-form: log k_c is the mean
of log(mark / T) over the cutaneous marks, log k_m = log(twitch / T_motor), log k_p =
log(too_much / T_pain). The residual of each
mark is reported (log(mark / prediction)): a large one says the person's thresholds are not
a scaled copy of the model's.

Carrying the fit to another program or pulse width multiplies *that* program's own model
thresholds (each from its own :func:`estim.simulate`) by the same factors, so the predicted
window follows the model's strength-duration and geometry, not a rule of thumb.

>>> class Model:  # a stand-in with the model's thresholds (A)
...     thresholds = {"sensory": 0.005, "strong": 0.009, "motor": 0.016, "pain": 0.023}
...     max_amplitude_a, unit, safety_ceiling_a = 0.1, "A", float("inf")
...     program = None
>>> fit = fit_person(Model(), Marks(first_felt=0.006, strong=0.0108))
>>> round(fit.cutaneous_factor, 6), round(fit.motor_factor, 6)
(1.2, 1.2)
>>> round(fit.window(Model())["motor"], 6), round(fit.window(Model())["pain"], 6)
(0.0192, 0.0276)
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any, Protocol

from estim.errors import Described, InputError
from estim.program.model import TENS, Program
from estim.program.options import TENSMode
from estim.program.stimulation import FORCE_TYPES
from estim.stimulator.safety_dial import dial_channel

__all__ = ["FACTOR_RANGE", "HABITUATION", "Goal", "Marks", "PersonFit", "Recommendation",
           "fit_person", "goal_of"]


class ModelWindow(Protocol):
    """What the person model reads of a :class:`~estim.stimulator.engine.DialModel`."""

    @property
    def thresholds(self) -> Mapping[str, float]: ...
    @property
    def max_amplitude_a(self) -> float: ...
    @property
    def unit(self) -> str: ...
    @property
    def safety_ceiling_a(self) -> float: ...
    @property
    def program(self) -> Program | None: ...


#: Each mark and the model threshold it reads (cutaneous marks share k_c; twitch has k_m).
_MARK_THRESHOLD = {"first_felt": "sensory", "strong": "strong", "too_much": "pain",
                   "twitch": "motor"}
_CUTANEOUS = ("first_felt", "strong")


@dataclass(frozen=True)
class Marks:
    """What the person marked while turning the dial up (A, or V on a voltage dial).

    :param first_felt: the first setting they felt anything.
    :param strong: strong but comfortable.
    :param twitch: the first visible muscle twitch (optional).
    :param too_much: too much, the end of what they accept (optional).
    :raises InputError: a mark that is not a positive number, or marks out of order
        (first_felt < strong < too_much; twitch < too_much), naming the mark.
    """

    first_felt: float
    strong: float
    twitch: float | None = None
    too_much: float | None = None

    def __post_init__(self) -> None:
        problems = Marks.problems(first_felt=self.first_felt, strong=self.strong,
                                  twitch=self.twitch, too_much=self.too_much)
        if problems:
            raise problems[0]

    @staticmethod
    def problems(*, first_felt: object, strong: object, twitch: object = None,
                 too_much: object = None) -> list[InputError]:
        """Every problem of these marks, each naming its mark (:class:`Marks` raises the
        first): a page showed one problem at a time, the next only once it was corrected
        (phone probe of 7 December 2026). Marks that are not positive numbers are not
        compared with the others.

        >>> [p.field for p in Marks.problems(first_felt=0.01, strong=0.005, too_much=0.004)]
        ['marks.strong', 'marks.too_much']
        """
        given = {"first_felt": first_felt, "strong": strong, "twitch": twitch,
                 "too_much": too_much}
        out: list[InputError] = []
        ok: dict[str, float] = {}
        for name, v in given.items():
            if v is None and name in ("twitch", "too_much"):
                continue
            if isinstance(v, numbers.Real) and _finite(v) and float(v) > 0:
                ok[name] = float(v)
            else:
                out.append(InputError(f"marks.{name}", v, "a positive setting read off the "
                                      "dial"))
        first, strong_, twitch_, too = (ok.get(k) for k in given)
        if first is not None and strong_ is not None and not strong_ > first:
            out.append(InputError("marks.strong", strong, f"above first_felt ({first:g}): the "
                                  "marks are made turning the dial up"))
        too_refused = True
        if too is not None and strong_ is not None and not too > strong_:
            out.append(InputError("marks.too_much", too_much, f"above strong ({strong_:g})"))
        elif too is not None and first is not None and not too > first:
            out.append(InputError("marks.too_much", too_much, f"above first_felt ({first:g})"))
        else:
            too_refused = False
        # a twitch is compared with a 'too much' that stands: under a refused one it was
        # asked to be below 3 mA and at or above 8 mA at once (hostile probe of 7 December
        # 2026)
        if twitch_ is not None and too is not None and not too_refused and not twitch_ < too:
            out.append(InputError("marks.twitch", twitch, f"below too_much ({too:g}): a "
                                  "twitch after 'too much' cannot be marked"))
        return out

    def present(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self)
                if getattr(self, f.name) is not None}


def _finite(x: object) -> bool:
    """A real number that is a finite float (not a bool; a 400-digit int is not one)."""
    if not isinstance(x, numbers.Real) or isinstance(x, bool):
        return False
    try:
        return math.isfinite(float(x))
    except OverflowError:
        return False


class Goal(StrEnum):
    """The intensity a program's source asks for."""

    SENSORY = "sensory"        # strong but comfortable, below motor (conventional TENS)
    MOTOR_TENS = "motor_tens"  # visible twitches, below pain (acupuncture-like, burst TENS)
    NMES = "nmes"              # the highest tolerated contraction (NMES, Russian)
    PROGRAM = "program"        # no sensation rule: the program's own amplitude


def goal_of(program: Program | None, channel: str | None = None) -> Goal:
    """The intensity goal of a program (by modality and TENS mode): of its channel named
    ``channel`` (the window's: a TENS channel first took the TENS rule for thresholds that
    were a second, NMES channel's; probe of 5 December 2026), else of its first."""
    if program is None:
        return Goal.SENSORY
    stim = next((c for c in program.channels if c.name == channel),
                program.channels[0]).stimulation
    if stim.type in FORCE_TYPES:
        return Goal.NMES
    if isinstance(stim, TENS):
        return Goal.MOTOR_TENS if stim.mode in (TENSMode.ACUPUNCTURE, TENSMode.BURST) \
            else Goal.SENSORY
    if stim.type in ("interferential", "hvpc"):
        return Goal.SENSORY
    return Goal.PROGRAM


def _window_channel(model: Any) -> str | None:
    """The channel whose window a dial model reads (None for a model without one)."""
    window = getattr(model, "window", None)
    return getattr(window, "channel", None)


_RULES = {
    Goal.SENSORY: ("strong but comfortable, below motor and pain: the person's strong "
                   "tingling, capped at 95 % of the lower of their motor and pain thresholds",
                   "Johnson 2008 (Electrotherapy: Evidence-Based Practice, ch. 15); Sluka & "
                   "Walsh 2003 (J Pain 4:109); Moran et al. 2011 (J Pain 12:929): "
                   "hypoalgesia grows with intensity up to the strongest comfortable"),
    Goal.MOTOR_TENS: ("visible twitches, below pain: the geometric middle of the person's "
                      "motor and pain thresholds, at most 95 % of pain",
                      "Eriksson, Sjolund & Nielzen 1979 (Pain 6:335); Johnson 2008, ch. 15"),
    Goal.NMES: ("the highest tolerated contraction: 90 % of the person's too-much, and never "
                "below their motor threshold (else the middle of motor and pain); without a "
                "too-much mark, their first visible contraction",
                "Maffiuletti 2010 (Eur J Appl Physiol 110:223): training intensity is the "
                "maximal tolerated; Bax et al. 2005 (Sports Med 35:191)"),
    Goal.PROGRAM: ("no sensation-based rule for this modality: the program's own amplitude",
                   "the program's source"),
}

#: Habituation during a session: Pantaleao et al. 2011 (J Pain 12:581), 40 min of 100 Hz TENS
#: at strong but comfortable intensity, re-adjusted to that sensation during the session:
#: the adjusted group ended at 35.51 mA on average against 31.37 mA in the group held at its
#: starting intensity, i.e. x1.13 over 40 min. An estimate of the rate from two group means
#: (not each person's own ramp): (growth factor, over minutes, step minutes, source).
HABITUATION = (35.51 / 31.37, 40.0, 5.0,
               "Pantaleao et al. 2011 (J Pain 12:581): mean final amplitude 35.51 mA with "
               "adjustment vs 31.37 mA fixed over 40 min (x1.13); steps every 5 min are "
               "estim's choice")


#: A fitted threshold this far from the person's own mark (log ratio; 10 %) is said beside
#: the recommendation that takes the mark.
_APART = math.log(1.1)

#: A person's factor on the model's median thresholds (a mark over the model's threshold)
#: is taken between these: people's thresholds spread by SD / mean 0.2-0.4 (the virtual
#: subjects' bands), so a hundredfold is a wrong unit or pad, not a person.
FACTOR_RANGE = (0.01, 100.0)


@dataclass(frozen=True)
class Recommendation:
    """An intensity and why.

    :param amplitude_a: the setting (A or V, the dial's unit).
    :param rule: the rule in words.
    :param source: where the rule comes from.
    :param limited_by: what capped it, if anything (device maximum, safety check).
    """

    amplitude_a: float
    rule: str
    source: str
    limited_by: str = ""

    def to_dict(self) -> dict[str, object]:
        return {"amplitude": self.amplitude_a, "rule": self.rule, "source": self.source,
                "limited_by": self.limited_by}


#: A fit's notes as :func:`fit_person` writes them: a few sentences (one per mark at most).
_MAX_NOTES = 20
_MAX_NOTE_CHARS = 500


@dataclass(frozen=True)
class PersonFit:
    """A person's three factors on the site model and how well their marks fit.

    :param cutaneous_factor: k_c (1: the model's median person).
    :param motor_factor: k_m.
    :param motor_from_twitch: whether k_m comes from a twitch mark (else it is k_c).
    :param pain_factor: k_p.
    :param pain_from_mark: whether k_p comes from a too-much mark apart from k_c (else the
        two are one factor).
    :param marks: the marks fitted (A or V).
    :param predicted: the model's prediction of each mark after the fit.
    :param residuals: log(mark / prediction) per mark (0: fitted exactly).
    :param program: the calibration program's name; ``site`` its site.
    :param notes: what the fit could not use or assumed.
    """

    cutaneous_factor: float
    motor_factor: float
    motor_from_twitch: bool
    pain_factor: float
    pain_from_mark: bool
    marks: Mapping[str, float]
    predicted: Mapping[str, float]
    residuals: Mapping[str, float]
    program: str = ""
    site: str = ""
    notes: tuple[str, ...] = field(default=())

    def window(self, model: ModelWindow) -> dict[str, float]:
        """The person's thresholds on ``model``'s program (its dial's unit): ``sensory``,
        ``strong``, ``motor``, ``pain`` (inf: not reached within the model)."""
        t = model.thresholds
        if not t:
            raise InputError("program", _name(model), "a program with a sensation window "
                             "(transcutaneous pulses)")
        return {"sensory": self.cutaneous_factor * t["sensory"],
                "strong": self.cutaneous_factor * t["strong"],
                "motor": self.motor_factor * t["motor"],
                "pain": self.pain_factor * t["pain"]}

    def check_on(self, model: ModelWindow) -> None:
        """Refuse a fit that :func:`fit_person` did not make on ``model``'s program: each
        prediction is its factor times the program's threshold, so a factor edited on its
        own (the pain factor 1 -> 5 was kept, and on NMES the pain rose from 101 to 482 mA;
        probe of 6 December 2026), or a fit made on another program, is caught here, which
        :meth:`from_dict` cannot do without the thresholds.

        :raises InputError: naming the factor whose prediction does not follow."""
        t = model.thresholds
        for name, value in self.marks.items():
            threshold = t.get(_MARK_THRESHOLD[name], math.nan)
            if name not in self.predicted and math.isfinite(threshold) and threshold > 0:
                # the model reaches it here, so fit_person would have fitted it (probe)
                raise InputError(f"fit.marks.{name}", value, "a mark the fit was made on: "
                                 "this program's model reaches its threshold, so the "
                                 "stimulator fits it")
        factor = {"twitch": ("motor_factor", self.motor_factor),
                  "too_much": ("pain_factor", self.pain_factor)}
        for name, p in self.predicted.items():
            threshold = t.get(_MARK_THRESHOLD[name], math.nan)
            which, k = factor.get(name, ("cutaneous_factor", self.cutaneous_factor))
            if not math.isfinite(threshold) or abs(k * threshold - p) > 1e-6 * p:
                raise InputError(f"fit.{which}", k, "the factor this program's thresholds "
                                 f"give its prediction of the {name.replace('_', ' ')} mark "
                                 f"({p / threshold if threshold else math.inf:.6g}): a fit "
                                 "as the stimulator made it on this program, not edited")

    def recommendation(self, model: ModelWindow) -> Recommendation:
        """An intensity for ``model``'s program by its goal (:func:`goal_of`), within the
        device maximum and below the setting where the safety check fails."""
        goal = goal_of(model.program, _window_channel(model))
        rule, source = _RULES[goal]
        if goal is Goal.PROGRAM or not model.thresholds:
            program = model.program
            value = dial_channel(program).stimulation.amplitude.value if program else 0.0
            return _capped(Recommendation(value, *_RULES[Goal.PROGRAM]), model)
        w = self.window(model)
        limited = ""
        if goal is Goal.SENSORY:
            # the person's own strong mark, not the fit's: fitted on first felt and strong
            # together, 20 and 22 mA put a strong tingling at 30.7 mA, and that was
            # recommended as theirs, 40 % above what they said (probe of 5 December 2026)
            same = self._made_on(w)
            strong = self.marks["strong"] if same and "strong" in self.marks else w["strong"]
            value = min(strong, 0.95 * min(w["motor"], w["pain"]))
            # their own first-felt mark too: marks at 99, 99.5 and 100 mA were told 95 mA
            # with no word that they feel nothing there (hostile probe of 7 December 2026)
            felt = self.marks["first_felt"] if same and "first_felt" in self.marks \
                else w["sensory"]
            if value < strong:
                limited = "the person's " + ("twitch" if w["motor"] <= w["pain"] else "pain")
                if value < w["sensory"]:
                    limited += (", which comes before they feel it: below it they feel "
                                "nothing")
                elif value < felt:  # their pain is after it; 95 % of it is not (review)
                    limited += (f": 95 % of it lies under their own first-felt mark "
                                f"({_setting(felt, model.unit)}), so they feel nothing there")
            elif same and "strong" in self.marks \
                    and abs(math.log(w["strong"] / strong)) > _APART:
                limited = (f"the person's own strong mark: the model fitted to their marks "
                           f"puts a strong tingling ×{w['strong'] / strong:.2f} of it (their "
                           "window between first felt and strong differs from the model's)")
        elif goal is Goal.MOTOR_TENS:
            value = min(math.sqrt(w["motor"] * w["pain"]), 0.95 * w["pain"]) \
                if w["motor"] < w["pain"] else 0.95 * w["pain"]
        elif "too_much" not in self.marks:
            # the highest tolerated contraction needs the person's tolerance: 90 % of a
            # pain the model predicts from a first-felt and a strong mark gave 82 mA for
            # marks of 3 and 5 mA (probe of 5 December 2026); start at their twitch, or
            # where the model has none below their pain, at their strong tingling (review)
            if math.isfinite(w["motor"]) and w["motor"] <= 0.9 * w["pain"]:
                # (a twitch and a pain both beyond the model's search, inf <= inf, gave the
                # device maximum; review)
                value = w["motor"]
                limited = ("no 'too much' mark: set at the person's first visible "
                           "contraction; mark where it becomes too much for the highest "
                           "tolerated one")
            elif w["motor"] < w["pain"]:  # a twitch at 99 % of pain was recommended (review)
                value = 0.9 * w["pain"]
                limited = ("no 'too much' mark, and the person's twitch lies within 10 % of "
                           "the pain the model predicts for them: held at 90 % of that pain, "
                           "below the twitch (no contraction); mark where it becomes too "
                           "much")
            else:
                value = min(w["strong"], 0.95 * w["pain"])
                limited = ("no 'too much' mark, and no contraction below this person's pain "
                           "in the model: set at " + ("their strong tingling" if value ==
                                                      w["strong"] else "95 % of their pain")
                           + "; mark where it becomes too much")
        else:
            value = 0.9 * w["pain"]
            if value < w["motor"] < w["pain"]:
                value = math.sqrt(w["motor"] * w["pain"])
        return _capped(Recommendation(value, rule, source, limited), model)

    def _made_on(self, window: Mapping[str, float]) -> bool:
        """Whether ``window`` (:meth:`window` on a model) is the program's the marks were
        made on: its thresholds are the fit's own predictions for the marks. Another pulse
        width, rate, pads or placement moves them; the name did not tell, since the page
        keeps a mode's name when its settings change (docs check of 5 December 2026)."""
        pairs = [(window[_MARK_THRESHOLD[m]], p) for m, p in self.predicted.items()
                 if m in _CUTANEOUS]
        return bool(pairs) and all(math.isclose(a, b, rel_tol=1e-9) for a, b in pairs)

    def recommend(self, model: ModelWindow) -> float:
        """The recommended intensity (A or V); :meth:`recommendation` says why."""
        return self.recommendation(model).amplitude_a

    def ramp(self, model: ModelWindow, *, minutes: float) -> list[tuple[float, float]]:
        """A habituation ramp: (minute, setting) every 5 minutes from the recommendation,
        growing at :data:`HABITUATION`'s rate, capped at 95 % of the person's pain (and of
        their motor threshold for a sensory-level program), the device maximum and the
        safety ceiling.

        :param minutes: the session's length (0 < minutes <= 24 h).
        """
        ok = isinstance(minutes, numbers.Real) and not isinstance(minutes, bool)
        if not (ok and math.isfinite(minutes) and 0 < minutes <= 1440):
            raise InputError("minutes", minutes, "a session length in minutes, more than 0 "
                             "and at most 1440")
        start = self.recommend(model)
        growth, over, step, _ = HABITUATION
        cap = math.inf
        if model.thresholds:
            w = self.window(model)
            sensory = goal_of(model.program, _window_channel(model)) is Goal.SENSORY
            cap = 0.95 * (min(w["motor"], w["pain"]) if sensory else w["pain"])
        cap = min(cap, model.max_amplitude_a, _below(model.safety_ceiling_a))
        top = max(start, cap)
        times = [k * step for k in range(int(minutes // step) + 1)]
        if times[-1] < minutes:
            times.append(float(minutes))
        return [(float(t), float(min(start * growth ** (t / over), top))) for t in times]

    def to_dict(self) -> dict[str, object]:
        return {"cutaneous_factor": self.cutaneous_factor, "motor_factor": self.motor_factor,
                "motor_from_twitch": self.motor_from_twitch, "pain_factor": self.pain_factor,
                "pain_from_mark": self.pain_from_mark, "marks": dict(self.marks),
                "predicted": dict(self.predicted), "residuals": dict(self.residuals),
                "program": self.program, "site": self.site, "notes": list(self.notes)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PersonFit:
        """A fit from :meth:`to_dict`'s mapping (as stored in the journal).

        :raises InputError: a missing or malformed entry, naming it."""
        if not isinstance(data, Mapping):
            raise InputError("fit", type(data).__name__, "a mapping from PersonFit.to_dict")
        out: dict[str, Any] = {}
        unknown = [k for k in data if k not in _FIT_KEYS]
        if unknown:  # dropped in silence before
            raise InputError(f"fit.{unknown[0]}", data[unknown[0]],
                             f"only the fit's entries: {', '.join(_FIT_KEYS)}")
        # a fit stored before the pain factor had one factor for pain and the skin
        data = {"pain_factor": data.get("cutaneous_factor"), **data}
        lo, hi = FACTOR_RANGE
        for name in ("cutaneous_factor", "motor_factor", "pain_factor"):
            v: Any = data.get(name)
            ok = isinstance(v, numbers.Real) and not isinstance(v, bool)
            # compared as given (NaN and inf fail it): float() of a 400-digit int overflows
            if not (ok and lo <= v <= hi):
                raise InputError(f"fit.{name}", v, f"a factor from {lo:g} to {hi:g} (a "
                                 "person's thresholds over the model's median person's)")
            out[name] = float(v)
        for name in ("marks", "predicted", "residuals"):
            v = data.get(name, {})
            if not isinstance(v, Mapping) or not all(
                    isinstance(k, str) and k in _MARK_THRESHOLD and _finite(x)
                    for k, x in v.items()):
                raise InputError(f"fit.{name}", v, "a mapping of mark name ("
                                 f"{', '.join(_MARK_THRESHOLD)}) to a finite number")
            if name != "residuals" and not all(x > 0 for x in v.values()):
                # a setting or a threshold: a negative prediction was kept
                raise InputError(f"fit.{name}", v, "settings above 0")
            out[name] = {k: float(x) for k, x in v.items()}
        notes = data.get("notes", [])
        if not isinstance(notes, list | tuple) or not all(isinstance(n, str) for n in notes):
            raise InputError("fit.notes", notes, "a list of text")
        if len(notes) > _MAX_NOTES or any(len(n) > _MAX_NOTE_CHARS for n in notes):
            # 99 KB of notes were kept as sent (hostile probe of 7 December 2026)
            long = next((n for n in notes if len(n) > _MAX_NOTE_CHARS), None)
            raise InputError("fit.notes", long if long is not None
                             else Described(f"{len(notes)} notes"),
                             f"at most {_MAX_NOTES} notes of at most {_MAX_NOTE_CHARS} "
                             "characters each, as a fit writes them")
        flags: dict[str, bool] = {}
        for name in ("motor_from_twitch", "pain_from_mark"):
            v = data.get(name, False)
            if not isinstance(v, bool):  # bool("false") is True: it was stored as true
                raise InputError(f"fit.{name}", v, "true or false")
            flags[name] = v
        texts: dict[str, str] = {}
        for name in ("program", "site"):
            v = data.get(name, "")
            if not isinstance(v, str):  # str([1]) was stored as "[1]"
                raise InputError(f"fit.{name}", v, "text (the calibration program's "
                                 + ("name)" if name == "program" else "site)"))
            texts[name] = v
        _follows_from_marks(out, flags, notes)
        return cls(motor_from_twitch=flags["motor_from_twitch"],
                   pain_from_mark=flags["pain_from_mark"], program=texts["program"],
                   site=texts["site"], notes=tuple(notes), **out)


def _follows_from_marks(fit: Mapping[str, Any], flags: Mapping[str, bool],
                        notes: Sequence[str] = ()) -> None:
    """Refuse a fit that :func:`fit_person` cannot have made from its own marks: each
    residual is log(mark / prediction), the least squares put the cutaneous residuals'
    mean at 0 and a twitch's or too-much's own factor's at 0, and a factor without its mark
    is the cutaneous one. A fit whose marks were edited to 1 and 2 mA kept its 4.6 times
    higher recommendation (probe of 5 December 2026). The model's thresholds are not in the
    fit, so a fit whose factors and predictions were all edited together is not caught.

    :raises InputError: naming the entry that does not follow."""
    marks, predicted, residuals = fit["marks"], fit["predicted"], fit["residuals"]
    tol = 1e-6
    for name, value in marks.items():
        # a mark the fit did not use is one whose threshold the model does not reach, and
        # the fit says so: a twitch and a too-much mark added to a fit of first felt and
        # strong were kept unfitted, and the stimulator recommended twice the person's own
        # twitch (probe of 6 December 2026)
        if name not in predicted and not any(n.startswith(f"{name}: the model does not reach")
                                             for n in notes):
            raise InputError(f"fit.marks.{name}", value, "a mark the fit was made on (with "
                             "its prediction and residual), as the stimulator fits every mark "
                             "whose threshold its model reaches")
    first, strong, too_much = (marks.get(k) for k in ("first_felt", "strong", "too_much"))
    if first is not None and strong is not None and not first < strong:
        raise InputError("fit.marks.strong", strong, f"a current above first_felt ({first:g})")
    if too_much is not None and not all(too_much > v for k, v in marks.items()
                                        if k != "too_much"):
        raise InputError("fit.marks.too_much", too_much, "a current above every other mark")
    if set(predicted) != set(residuals) or not set(predicted) <= set(marks):
        raise InputError("fit.predicted", predicted, "a prediction and a residual for each "
                         f"mark fitted ({', '.join(marks) or 'none'})")
    for name, p in predicted.items():
        if abs(math.log(marks[name] / p) - residuals[name]) > tol:
            raise InputError(f"fit.residuals.{name}", residuals[name],
                             f"log(mark / prediction) = {math.log(marks[name] / p):.6g}: "
                             "the fit's marks and predictions do not go together")
    cutaneous = [residuals[n] for n in _CUTANEOUS if n in residuals]
    if not flags["pain_from_mark"] and "too_much" in residuals:
        cutaneous.append(residuals["too_much"])
    for name, mark, flag in (("motor_factor", "twitch", "motor_from_twitch"),
                             ("pain_factor", "too much", "pain_from_mark")):
        k_c = fit["cutaneous_factor"]
        if not flags[flag] and abs(fit[name] - k_c) > tol * k_c:
            # either may be the one edited: both values said
            raise InputError(f"fit.{name}", fit[name], f"the cutaneous factor ({k_c:.6g}): "
                             f"without a {mark} mark the two are one factor")
    checks = [("cutaneous_factor", sum(cutaneous) / len(cutaneous) if cutaneous else 0.0)]
    if flags["motor_from_twitch"]:
        checks.append(("motor_factor", residuals.get("twitch", math.inf)))
    if flags["pain_from_mark"]:
        checks.append(("pain_factor", residuals.get("too_much", math.inf)))
    for name, off in checks:
        if not abs(off) <= tol:
            raise InputError(f"fit.{name}", fit[name], "the factor the fit's own marks give "
                             "(a fit as the stimulator made it, not edited)")


#: What :meth:`PersonFit.to_dict` writes: any other entry of a fit is refused.
_FIT_KEYS = ("cutaneous_factor", "motor_factor", "motor_from_twitch", "pain_factor",
             "pain_from_mark", "marks", "predicted", "residuals", "program", "site", "notes")


def _setting(value: float, unit: str) -> str:
    """A dial setting as the dial shows it: 100 mA, not 0.1 A; volts as they are."""
    from estim.text import current_text

    return current_text(value, smallest="mA") if unit == "A" else f"{value:.3g} {unit}"


def _name(model: ModelWindow) -> str:
    return model.program.name if model.program is not None else "?"


def _below(ceiling: float) -> float:
    """Just below the setting where the safety check fails."""
    return ceiling * (1 - 1e-3) if math.isfinite(ceiling) else math.inf


def _capped(rec: Recommendation, model: ModelWindow) -> Recommendation:
    # past what the device drives into the tissue a higher setting changes nothing: a
    # recommendation of 21.7 mA on a unit that drives 9.24 mA read as reachable (review of
    # 5 December 2026)
    limits = [(model.max_amplitude_a, "the device maximum"),
              (getattr(model, "driven_top_a", math.inf),
               "what the device drives into this tissue (its compliance or current limit)"),
              (_below(model.safety_ceiling_a), "the safety check (it fails above)")]
    value, why = rec.amplitude_a, rec.limited_by
    for limit, what in limits:
        if value > limit:
            value, why = limit, what
    if value < rec.amplitude_a and why == limits[0][1]:
        # the dial's top as the recommendation read as reachable advice: the rule's own
        # figure past the dial's range is said (phone probe of 7 December 2026)
        unit = getattr(model, "unit", "A")
        why += (f": the rule asks for {_setting(rec.amplitude_a, unit)}, beyond the dial's "
                f"range (up to {_setting(limits[0][0], unit)})")
    return Recommendation(float(value), rec.rule, rec.source, why)


def fit_person(model: ModelWindow, marks: Marks) -> PersonFit:
    """Fit a person's marks on ``model``'s program (see the module for the model).

    :param model: the calibration program's dial model.
    :param marks: what the person marked (in the dial's unit).
    :raises InputError: marks above the dial, a program without a sensation window, or no
        cutaneous mark the model reaches.
    """
    if not isinstance(marks, Marks):
        raise InputError("marks", type(marks).__name__, "Marks")
    t = model.thresholds
    if not t:
        raise InputError("program", _name(model), "a program with a sensation window "
                         "(transcutaneous pulses) to calibrate on")
    given = marks.present()
    for name, v in given.items():
        if v > model.max_amplitude_a * (1 + 1e-12):
            raise InputError(f"marks.{name}", v, f"at most the device maximum "
                             f"({_setting(model.max_amplitude_a, model.unit)})")
    notes: list[str] = []
    usable = {}
    lo, hi = FACTOR_RANGE
    top = getattr(model, "driven_top_a", math.inf)
    held = [name for name, v in given.items() if v > top * (1 + 1e-9)]
    if len(held) > 1:
        # two marks past it are one current: first felt and strong both became 9.24 mA
        # and a threshold was fitted that the person did not feel (probe of 5 December
        # 2026)
        raise InputError(f"marks.{held[-1]}", given[held[-1]], f"marks at different "
                         f"currents: past {_setting(top, model.unit)} the device drives no "
                         f"more (its compliance or current limit), so {' and '.join(held)} "
                         "would be one current")
    for name in held:  # the person felt what the device drove, not the setting
        notes.append(f"{name}: marked at {_setting(given[name], model.unit)}, where the "
                     f"device drives what {_setting(top, model.unit)} does (its compliance "
                     "or current limit): fitted there")
        given[name] = top
    for name, v in given.items():
        threshold = t[_MARK_THRESHOLD[name]]
        if math.isfinite(threshold) and threshold > 0:
            if not lo <= v / threshold <= hi:
                raise InputError(f"marks.{name}", v, f"a setting within {1 / lo:g} times "
                                 f"the model's {_MARK_THRESHOLD[name]} threshold for its "
                                 f"median person ({_setting(threshold, model.unit)}): people "
                                 "differ by far less; check the unit and the pads")
            usable[name] = math.log(v / threshold)
        else:
            notes.append(f"{name}: the model does not reach the {_MARK_THRESHOLD[name]} "
                         "threshold within the dial, so this mark is not fitted")
    cutaneous = [usable[n] for n in _CUTANEOUS if n in usable]
    pain_mark = "too_much" in usable
    pain_from_mark = pain_mark and bool(cutaneous)
    if not pain_from_mark:
        # one factor for the skin and pain: from whichever of their marks there are
        cutaneous += [usable["too_much"]] if pain_mark else []
        notes.append("only a 'too much' mark: the skin's factor is taken equal to the pain "
                     "one" if pain_mark else "no 'too much' mark: the pain factor is taken "
                     "equal to the skin's")
    if not cutaneous:
        raise InputError("marks", given, "at least one of first_felt, strong, too_much at a "
                         "threshold the model reaches")
    log_c = sum(cutaneous) / len(cutaneous)  # least squares of a common offset: the mean
    from_twitch = "twitch" in usable
    log_m = usable["twitch"] if from_twitch else log_c
    if not from_twitch:
        notes.append("no twitch mark: the motor factor is taken equal to the cutaneous one")
    if marks.twitch is not None and marks.twitch < marks.first_felt:
        notes.append("the twitch is marked below first felt: this person's muscle twitches "
                     "before they feel the current (less feeling in the skin, or a pad on a "
                     "motor point), so a tingling without a twitch is out of their reach")
    k_c, k_m = math.exp(log_c), math.exp(log_m)
    k_p = math.exp(usable["too_much"]) if pain_from_mark else k_c
    factor = {"twitch": k_m, "too_much": k_p}
    predicted = {n: factor.get(n, k_c) * t[_MARK_THRESHOLD[n]] for n in usable}
    residuals = {n: math.log(given[n] / predicted[n]) for n in usable}
    program = model.program
    return PersonFit(cutaneous_factor=k_c, motor_factor=k_m, motor_from_twitch=from_twitch,
                     pain_factor=k_p, pain_from_mark=pain_from_mark,
                     marks=given, predicted=predicted, residuals=residuals,
                     program=program.name if program is not None else "",
                     site=program.site.name if program is not None else "",
                     notes=tuple(notes))
