"""What the HTML report says, section by section, in words and units people read.

Each function takes the library's values (a :class:`~estim.simulate.Result`, its JSON form
from :func:`estim.report.run.result_to_dict`) and returns plain text and small frozen rows
for the templates: numbers formatted with their units (mA, µs, Hz, µC, V, Ω), thresholds
named by their criterion, no raw keys. User text is returned as it was typed (control
characters spelled out); the templates escape it.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any

from estim.effects.drive import FUSION_HZ
from estim.effects.muscle_params import NEWTON_MUSCLES
from estim.effects.resolution import orders_unsettled, thresholds_near
from estim.program.options import Sensation
from estim.program.stimulation import MODALITIES
from estim.text import current_text, readable, terminal_text

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping


__all__ = [
    "CLOSE_TO_PAIN",
    "EDGE_WORDS",
    "FEEL_WORDS",
    "FUSED_HZ",
    "FUSION_HZ",
    "MODALITY_WORDS",
    "NEWTON_MUSCLES",
    "PLAIN_SENSATION",
    "SHORT_MODALITY",
    "SITE_WORDS",
    "VERDICT_WORDS",
    "across_the_edge",
    "beyond_device",
    "capitalised",
    "current_words",
    "device_maximum_a",
    "device_top",
    "dial_force_caveats",
    "edge_distance",
    "edge_words",
    "expecter",
    "fatigue_understated",
    "force_caveats",
    "fused",
    "maximum_setting",
    "most_force_words",
    "muscle_away_notes",
    "newtons_apply",
    "number_words",
    "ohm_symbols",
    "ohm_words",
    "order_sentence",
    "orders_too_close",
    "other_channels_words",
    "other_steps",
    "pain_distance",
    "people_text",
    "people_words",
    "plain",
    "plain_sensation",
    "pull_words",
    "readable",
    "seconds_words",
    "shared_pad_notes",
    "thresholds_at_the_edge",
    "varied_words",
    "with_sample_words",
]

#: Modalities in words.
MODALITY_WORDS = {k: m.words for k, m in MODALITIES.items()}

#: Sites whose name is an abbreviation.
SITE_WORDS = {"stn": "subthalamic nucleus", "patch": "skin patch"}

#: Modalities as a table heading names them.
SHORT_MODALITY = {k: m.short for k, m in MODALITIES.items()}

#: Each threshold of :data:`~estim.effects.resolution.EDGE_THRESHOLDS` as a sentence names it
#: ("too close to call: 0.5 % above pain"); the report and the dial use the same words.
EDGE_WORDS = {"sensory": "feeling it", "motor": "a visible twitch", "pain": "pain"}


def thresholds_at_the_edge(window: Mapping[str, Any]) -> list[tuple[str, float, float]]:
    """The thresholds (words, A, fraction) that the programmed peak current of a
    ``sensation_window`` (as ``result_to_dict`` writes it) lies within
    :func:`~estim.effects.resolution.edge_fraction` of: where the model cannot say on which side
    of the line a person falls.

    >>> [(words, amp) for words, amp, _ in thresholds_at_the_edge({
    ...     "programmed_peak_current_A": 0.749, "sensory_threshold_A": 0.0876,
    ...     "motor_threshold_A": 0.313, "pain_threshold_A": 0.754})]
    [('pain', 0.754)]
    """
    near = thresholds_near(window["programmed_peak_current_A"],
                           {k: window.get(f"{k}_threshold_A") for k in EDGE_WORDS})
    words = edge_words(fused(window))
    return [(words[name], amp, edge) for name, amp, edge in near]


def orders_too_close(window: Mapping[str, Any], top: tuple[float, str] | None = None
                     ) -> list[tuple[str, float, str, float, float]]:
    """Two thresholds of a ``sensation_window`` (as ``result_to_dict`` writes it, or one of
    ``other_channels``) too near each other for the model to order
    (:func:`~estim.effects.resolution.orders_unsettled`): (lower words, A, upper words, A,
    spread), in :func:`edge_words`' words. A pair both of which lie beyond ``top`` (the
    device's reach, :func:`device_top`) is left out: no setting meets either (a 30 mA
    device's twitch and pain at 33 and 36 mA were said to be unordered; probe of 7
    December 2026).

    >>> [(a, b) for a, _, b, _, _ in orders_too_close({"sensory_threshold_A": 0.00402,
    ...     "motor_threshold_A": 0.0334, "pain_threshold_A": 0.0364})]
    [('a visible twitch', 'pain')]
    """
    words = edge_words(fused(window))
    said = window.get("unordered_thresholds")
    if said is None:  # a result written before the window said it (7 December 2026)
        pairs = orders_unsettled({k: window.get(f"{k}_threshold_A") for k in EDGE_WORDS})
    else:
        pairs = [(p["lower"], window[f"{p['lower']}_threshold_A"], p["upper"],
                  window[f"{p['upper']}_threshold_A"], p["spread"]) for p in said]
    reach = math.inf if top is None else top[0] * (1 + 1e-9)
    return [(words[a], low, words[b], high, spread) for a, low, b, high, spread in pairs
            if low <= reach]


def order_sentence(lower: str, low: float, upper: str, high: float, spread: float, *,
                   amount: Callable[[float], str] | None = None) -> str:
    """:func:`orders_too_close`'s pair as the report says it; ``amount`` words a threshold
    (default :func:`current_words`: a voltage dial's are volts).

    >>> order_sentence("a visible twitch", 0.0334, "pain", 0.0364, 0.181).split(";")[0]
    'A visible twitch (33.4 mA) and pain (36.4 mA) lie 9.0% apart'
    """
    said = amount or current_words
    return (f"{capitalised(lower)} ({said(low)}) and {upper} ({said(high)}) lie "
            f"{high / low - 1:.1%} apart; another sample of the model's nerve fibers moves "
            f"them by about ±{spread:.0%} against each other, so the model cannot say which "
            "a person meets first.")


def edge_words(fuse: bool) -> Mapping[str, str]:
    """:data:`EDGE_WORDS`, the motor threshold a contraction where the volleys ``fuse``:
    Russian current read "muscle contracts" and then "above a visible twitch" (hostile
    probe of 7 December 2026).

    >>> edge_words(True)["motor"], edge_words(False)["motor"]
    ('a visible contraction', 'a visible twitch')
    """
    return {**EDGE_WORDS, "motor": "a visible contraction"} if fuse else EDGE_WORDS


def edge_distance(current: float, threshold: float) -> str:
    """How far a current lies from a threshold, in words: "0.7% below", "6.8% above"."""
    d = current / threshold - 1.0
    return f"{abs(d):.1%} {'above' if d >= 0 else 'below'}"


#: The sensation just below each threshold (by its words) and just above it.
_EDGE_SIDES = {"feeling it": (Sensation.NONE, Sensation.LIGHT_TINGLING),
               "a visible twitch": (Sensation.STRONG_TINGLING, Sensation.CONTRACTION),
               "a visible contraction": (Sensation.STRONG_TINGLING, Sensation.CONTRACTION),
               "pain": (Sensation.CONTRACTION, Sensation.PAINFUL)}


def across_the_edge(phrase: str, words: str) -> str | None:
    """The sensation a prediction ``phrase`` would become across the threshold ``words``
    (:func:`thresholds_at_the_edge`'s), or None where the threshold does not bound it.

    >>> across_the_edge("contraction, below pain", "a visible twitch")
    'strong tingling, no contraction'
    >>> across_the_edge("light tingling", "pain") is None
    True
    """
    below, above = _EDGE_SIDES[words]
    sides: dict[str, Sensation] = {below: above, above: below}  # a StrEnum is its phrase
    across = sides.get(phrase)
    return None if across is None else across.value


#: What each predicted sensation means, in words a patient would use.
PLAIN_SENSATION = {
    "no sensation": "nothing: the current is too weak to notice",
    "light tingling": "a faint tingling or buzzing under the pads",
    "strong tingling, no contraction": "a strong but comfortable tingling, without a muscle "
                                       "twitch",
    "contraction, below pain": "the muscle twitches or tightens",
    "painful": "pain: it would hurt",
    "painful, with a visible contraction": "pain: it would hurt, and the muscle would "
                                           "tighten",
}
#: The same, after "a person would most likely feel" ("feel the muscle twitches" was not
#: English; UX review of 6 December 2026).
FEEL_WORDS = {**PLAIN_SENSATION, "contraction, below pain": "the muscle twitch or tighten",
              "painful, with a visible contraction": "pain, and the muscle tighten"}

#: A contraction is "close to what hurts" where pain lies within this factor of the
#: programmed intensity: Russian current's 70 mA was called close to a pain of 190 mA
#: (probe of 5 December 2026). 1.25: a step a clinician takes on the dial in a session,
#: and wider than the model's own edge at pain (±15.6 %).
CLOSE_TO_PAIN = 1.25


def expecter(data: dict[str, Any], *, short: bool = False) -> str:
    """Who expects the program's ``expected_sensation``: its cited source, or, for a file
    that cites none, the file ("the program's source expects" of a user's own file;
    probe of 5 December 2026); ``short``: "the source" or "the file".

    >>> expecter({"program": {"source": "Houghton et al. 2003"}}), expecter({}, short=True)
    ("the program's source", 'the file')
    """
    source = (data.get("program") or {}).get("source")
    if short:
        return "the source" if source else "the file"
    return "the program's source" if source else "the program file"


def expectation_words(data: dict[str, Any], sensation: dict[str, Any],
                      edge: list[tuple[str, float, float]]) -> str:
    """Where the model's sensation at the programmed intensity is not what the file
    expects: who expects what, and whether the model contradicts it or the intensity lies
    just across a threshold (``edge``: :func:`thresholds_at_the_edge`). The terminal gave
    the expectation alone, where the report said they disagree (clinician's probe of
    7 December 2026).

    >>> print(expectation_words({"program": {"source": "Johnson 2008"}},
    ...                         {"phrase": "strong tingling, no contraction",
    ...                          "expected": ["contraction, below pain"]}, []))
    ... # doctest: +NORMALIZE_WHITESPACE
    The program's source expects “contraction, below pain”: the model and the source
    disagree here.
    """
    across = [words for words, _, _ in edge
              if across_the_edge(sensation["phrase"], words) in sensation["expected"]]
    expected = " or ".join(f"“{e}”" for e in sensation["expected"])  # phrases hold commas
    return (f"{expecter(data).capitalize()} expects {expected}: "
            + (f"just across the threshold for {across[0]}, so the model neither confirms "
               "nor contradicts it." if across else
               f"the model and {expecter(data, short=True)} disagree here."))


def muscle_away_notes(effects: dict[str, Any]) -> list[str]:
    """The window's notes that its muscle lies away from the cathode (a lateral knee pad's
    twitch is the vastus medialis's; :data:`estim.effects.placement.MUSCLE_AWAY_NOTE`), which
    the faces show beside the twitch, not behind -v."""
    from estim.effects.placement import MUSCLE_AWAY_NOTE

    return [n for n in effects.get("notes") or [] if n.startswith(MUSCLE_AWAY_NOTE)]


def shared_pad_notes(effects: dict[str, Any]) -> list[str]:
    """The window's notes that channels on together share a pad
    (:data:`estim.effects.program.SHARED_PADS_NOTE`): said in the summary, since what a
    person feels there may be more than the verdict."""
    from estim.effects.program import SHARED_PADS_NOTE

    return [plain(n) for n in effects.get("notes") or [] if n.startswith(SHARED_PADS_NOTE)]


def other_steps(other: dict[str, Any], top: float | tuple[float, str] | None = None) -> str:
    """Another channel's thresholds in a line, those past the device's top
    (:func:`device_top`) saying so: a twitch at 107 mA from a 100 mA device read as one to
    turn the dial to (probe of 5 December 2026).

    >>> other_steps({"sensory_threshold_A": 0.0131, "motor_threshold_A": 0.107,
    ...              "pain_threshold_A": 0.124}, 0.1)
    "feels it 13.1 mA; twitch 107 mA, hurts 124 mA: above the device's 100 mA"
    """
    steps = [(words, other[key]) for words, key in (
        ("feels it", "sensory_threshold_A"), ("twitch", "motor_threshold_A"),
        ("hurts", "pain_threshold_A")) if other.get(key) is not None]
    past = [beyond_device(amps, top) for _, amps in steps]
    below = ", ".join(f"{w} {current_words(a)}" for (w, a), b in zip(steps, past, strict=True)
                      if not b)
    above = ", ".join(f"{w} {current_words(a)}" for (w, a), b in zip(steps, past, strict=True)
                      if b)
    if not above:
        return below
    words = next(b for b in past if b).strip().removeprefix("(").removesuffix(")")
    return f"{below}; {above}: {words}" if below else f"{above}: {words}"


def other_channels_words(effects: dict[str, Any], window: dict[str, Any],
                         data: dict[str, Any] | None = None) -> list[str]:
    """Whose pads the window is under where a program has several channels on, and what a
    person feels under each other's, with its thresholds, in sentences ([] for one channel).
    The report read the first channel's alone: three channels reordered went from "a strong
    but comfortable tingling" to "it would hurt" (probe of 5 December 2026); the others'
    thresholds were in the terminal and results.json, not here (probe of 5 December 2026).
    ``data`` (the run's) says which threshold lies past what the device drives.

    >>> fx = {"other_channels": [{"channel": "left", "programmed_peak_current_A": 0.025,
    ...                           "sensation": "strong tingling, no contraction"}]}
    >>> other_channels_words(fx, {"channel": "right"})[0]
    "That is under channel right's pads, the strongest of the 2 channels that are on."
    """
    others = effects.get("other_channels") or []
    if not others:
        return []
    out = [f"That is under channel {plain(window['channel'])}'s pads, the strongest of the "
           f"{len(others) + 1} channels that are on."]
    for o in others:
        held = " (what the device drives)" if o.get("held_by_device") else ""
        people = people_words(o.get("at_programmed") or {}, o.get("muscle"))
        there = f" Of {sum(o['at_programmed'].values())} virtual people, {people} there." \
            if people else ""
        pull = pull_words(o.get("force") or {})
        pull = f" {pull}" if pull else ""
        top = device_top(data, o["channel"]) if data is not None else None
        steps = other_steps(o, top)
        steps = f" Its thresholds there: {steps}." if steps else ""
        # its own twitch and pain one draw of fibers apart (said of the window's channel
        # alone: a second channel's 7.7 % went unsaid; probe of 7 December 2026)
        steps += "".join(f" {order_sentence(*pair)}" for pair in orders_too_close(o, top))
        out.append(f"Under channel {plain(o['channel'])}'s, at "
                   f"{current_words(o['programmed_peak_current_A'])}{held}, they would most "
                   "likely feel "
                   f"{plain_sensation(o.get('words') or o['sensation'], o, FEEL_WORDS)}.{steps}"
                   f"{there}{pull}")
    return out


def pull_words(force: dict[str, Any]) -> str:
    """How hard the first contraction pulls, in a sentence ("" without a force): NMES's
    answer, which the report's summary did not give (UX review of 6 December 2026).

    >>> pull_words({"first_contraction_peak_N": 95.3, "last_contraction_peak_N": 94.7,
    ...             "max_force_N": 310.9, "muscle": "quadriceps", "fatigue_ratio": 0.994})
    ... # doctest: +NORMALIZE_WHITESPACE
    "The first contraction pulls 95.3 N, 31% of the muscle's maximal force; the last keeps
    99% of it."
    >>> pull_words({"first_contraction_peak_N": 95.3, "max_force_N": 310.9,
    ...             "muscle": "quadriceps", "fatigue_ratio": 0.994, "contractions": 20,
    ...             "motor_recruited_fraction": 0.3})[-63:]
    'of it in the force model; people tire faster with so few units.'
    """
    first, top = force.get("first_contraction_peak_N"), force.get("max_force_N")
    if first is None or not top:
        return ""
    newtons = f"{first:.3g} N, " if newtons_apply(force) else ""
    ratio = force.get("fatigue_ratio")
    kept = (f"; the last keeps {ratio:.0%} of it" if ratio is not None
            and force.get("contractions", 2) != 1 else "")
    if kept and fatigue_understated(force):
        kept += " in the force model; people tire faster with so few units"
    return f"The first contraction pulls {newtons}{first / top:.0%} of the muscle's maximal " \
           f"force{kept}."


def most_force_words(force: dict[str, Any]) -> str:
    """The force at the most current a person takes or the device gives (the force's
    ``at_most``), in a phrase; "" without it. What compares two NMES programs: each one's
    force at its own tolerated current (probe of 6 December 2026). The pain threshold is
    the reference anatomy's, so the virtual people in pain there are said (8 of 20 at
    NMES's 100 mA: "the most without pain" was true of one anatomy; review).

    >>> most_force_words({"max_force_N": 310.9, "muscle": "quadriceps", "at_most": {
    ...     "amplitude_A": 0.1, "bound": "device maximum", "first_contraction_peak_N": 163.3,
    ...     "pain_threshold_A": 0.1028, "painful_subjects": 8, "subjects": 20}})
    ... # doctest: +NORMALIZE_WHITESPACE
    "at the device's maximum, 100 mA: 163 N, 53% of maximal (the reference anatomy's pain
    from 103 mA; 8 of 20 virtual people find 100 mA painful)"
    >>> most_force_words({"max_force_N": 310.9, "muscle": "calf muscles", "at_most": {
    ...     "amplitude_A": 0.09, "bound": "pain", "first_contraction_peak_N": 40.0,
    ...     "pain_threshold_A": 0.09}})
    "at the reference anatomy's pain threshold, 90 mA: 13% of maximal"
    """
    most, top = force.get("at_most"), force.get("max_force_N")
    if not most or not top:
        return ""
    where = {"pain": "the reference anatomy's pain threshold",
             "device maximum": "the device's maximum",
             "compliance": "the most its compliance drives"}[most["bound"]]
    newton = most["first_contraction_peak_N"]
    newtons = f"{newton:.3g} N, " if newtons_apply(force) else ""
    pain = most.get("pain_threshold_A")
    said = [] if most["bound"] == "pain" or pain is None else \
        [f"the reference anatomy's pain from {current_words(pain)}"]
    if most.get("subjects"):
        said.append(f"{most['painful_subjects']} of {most['subjects']} virtual people find "
                    f"{current_words(most['amplitude_A'])} painful")
    after = f" ({'; '.join(said)})" if said else ""
    return (f"at {where}, {current_words(most['amplitude_A'])}: {newtons}"
            f"{newton / top:.0%} of maximal{after}")


def plain_sensation(phrase: str, window: dict[str, Any] | None,
                    words: dict[str, str] | None = None) -> str:
    """What ``phrase`` means in plain words (``words``, default :data:`PLAIN_SENSATION`);
    a contraction says how far pain is.

    >>> w = {"programmed_peak_current_A": 0.07, "pain_threshold_A": 0.19}
    >>> plain_sensation("contraction, below pain", w)
    'the muscle twitches or tightens, short of what hurts: pain from about 190 mA'
    >>> plain_sensation("contraction, below pain", {**w, "pain_threshold_A": 0.08})
    'the muscle twitches or tightens; close to what hurts: pain from about 80 mA'
    """
    base = (words or PLAIN_SENSATION).get(phrase, phrase)
    if phrase != Sensation.CONTRACTION:
        return base
    how_far = pain_distance(window)
    if not how_far:
        return base
    return f"{base}{';' if how_far.startswith('close') else ','} {how_far}"


def pain_distance(window: dict[str, Any] | None) -> str:
    """How far a contraction is from pain, in words; "" where pain is not reached.

    >>> pain_distance({"programmed_peak_current_A": 0.07, "pain_threshold_A": 0.19})
    'short of what hurts: pain from about 190 mA'
    """
    if window is None:
        return ""
    pain, at = window.get("pain_threshold_A"), window.get("programmed_peak_current_A")
    if pain is None or at is None or not math.isfinite(pain):
        return ""
    # after a colon, not in brackets: the report's sensation box puts the whole phrase in
    # brackets ("(the muscle twitches or tightens; close to what hurts (pain from about
    # 760 mA))", HVPC's report)
    where = f"pain from about {current_words(pain)}"
    if pain <= CLOSE_TO_PAIN * at:
        return f"close to what hurts: {where}"
    return f"short of what hurts: {where}"


#: What a virtual subject with each sensation does, in a sentence ("6 see the muscle
#: contract"); ``{muscle}`` is the window's muscle.
_PEOPLE_WORDS = {
    "no sensation": "feel nothing",
    "light tingling": "feel a light tingling",
    "strong tingling, no contraction": "feel a strong tingling",
    "contraction, below pain": "see the {muscle} contract",
    "painful": "find it painful",
}


def people_words(counts: Mapping[str, int], muscle: str | None = None, *,
                 twitch: bool = False) -> str:
    """How many virtual subjects feel each sensation (phrase -> count), mildest first, in a
    sentence ("14 feel a strong tingling and 6 see the vastus medialis contract"); "" for
    none.

    >>> people_words({"no sensation": 0, "strong tingling, no contraction": 3,
    ...               "contraction, below pain": 16, "painful": 1}, "biceps")
    '3 feel a strong tingling, 16 see the biceps contract and 1 finds it painful'
    >>> people_words({"light tingling": 20})
    'all 20 feel a light tingling'
    >>> people_words({"contraction, below pain": 19}, "quadriceps", twitch=True)
    'all 19 see the quadriceps twitch'
    """
    parts = []
    for phrase, words in _PEOPLE_WORDS.items():
        n = int(counts.get(phrase, 0))
        if n:
            verb = words.format(muscle=muscle or "muscle")
            if twitch:  # separate twitches where the volleys do not fuse (hostile probe)
                verb = verb.replace(" contract", " twitch")
            if n == 1:  # "1 finds it painful"
                first, _, rest = verb.partition(" ")
                verb = f"{first}s {rest}"
            parts.append(f"{n} {verb}")
    if len(parts) == 1 and sum(int(n) for n in counts.values()) > 1:
        return f"all {parts[0]}"
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


#: What is not told apart for a subject whose Aβ count lies beyond the sample, by criterion
#: (``ThresholdBands.undecided_at``'s keys).
#: What the model cannot tell of the people a count's sample runs out for, each said of those
#: counted as feeling a tingling ("of those who feel a tingling, ... whether they feel it at
#: all" contradicted itself; review of 7 December 2026).
_COUNT_WORDS = {"detection": "of those counted as feeling a tingling, for {n} the model "
                             "cannot tell whether they feel anything at all",
                "strong tingling": "of those who feel a tingling, for {n} the model cannot "
                                   "tell whether it is light or strong"}


def _sample_words(undecided: Mapping[str, int], subjects: int) -> str:
    """The virtual subjects whose sensation the model cannot decide because its sample of
    afferents runs out before the count (``ThresholdBands.undecided_at``: criterion ->
    subjects), of ``subjects``, as a clause; "" for none.

    It says who is undecided, not how many run out: the sample runs out for 4 of the 20
    under true interferential's pads, and 2 of them would twitch at the programmed
    intensity anyway ("for 2 of the 20 the sample runs out" stood beside the notes' 4;
    probe of 5 December 2026). "4 of the 20 may feel a light or a strong tingling", after
    counts that already made 20, read as 4 more people (probe of 6 December 2026).

    "for 3 of them", after "2 feel a light tingling, 8 feel a strong tingling", read as if
    it meant the 2 (clinician's probe of 7 December 2026): they are among all who feel a
    tingling, and it says so.

    >>> print(_sample_words({"strong tingling": 2}, 20))  # doctest: +NORMALIZE_WHITESPACE
    of those who feel a tingling, for 2 the model cannot tell whether it is light or strong
    (its sample of nerve fibers runs out before their count)
    >>> _sample_words({}, 20)
    ''
    >>> _sample_words({"detection": 3}, 20)[:80]
    'of those counted as feeling a tingling, for 3 the model cannot tell whether they'
    """
    return "; ".join(f"{_COUNT_WORDS[what].format(n=n)} (its sample of nerve fibers runs out "
                     "before their count)" for what, n in undecided.items() if n)


def with_sample_words(text: str, undecided: Mapping[str, int], subjects: int) -> str:
    """``text`` (the virtual people's sentence) followed by :func:`_sample_words`'s clause
    where there is one.

    >>> with_sample_words("2 feel a strong tingling", {"strong tingling": 1}, 20)[:50]
    '2 feel a strong tingling; of those who feel a ting'
    >>> with_sample_words("all 20 feel nothing", {}, 20)
    'all 20 feel nothing'
    """
    clause = _sample_words(undecided, subjects)
    return f"{text}; {clause}" if text and clause else text


def people_text(window: Mapping[str, Any]) -> str:
    """:func:`people_words` of a ``sensation_window``'s virtual subjects at the programmed
    intensity; "" without them."""
    counts = (window.get("bands") or {}).get("at_programmed") or {}
    return people_words(counts, window.get("muscle"),
                        twitch="motor_volleys_fuse" in window and not fused(window))


def varied_words(bands: Mapping[str, Any]) -> list[str]:
    """What differs between the virtual people of ``bands`` (a window's bands as in
    ``results.json``), in words: where their motor points lie only where a spread of them
    was drawn, and what each calls painful where that has a spread of its own.

    >>> varied_words({"motor_point_position": {"sd_m": 0.025},
    ...               "spread": {"pain_criterion": {"cv": 0.3}}})
    ['skin', 'fat', 'nerves', 'motor points', 'excitability', 'pain tolerance']
    >>> varied_words({})
    ['skin', 'fat', 'nerves', 'excitability']
    """
    moved = ((bands.get("motor_point_position") or {}).get("sd_m") or 0) > 0
    tolerance = (((bands.get("spread") or {}).get("pain_criterion") or {}).get("cv") or 0) > 0
    return ["skin", "fat", "nerves", *(["motor points"] if moved else []), "excitability",
            *(["pain tolerance"] if tolerance else [])]


VERDICT_WORDS = {"pass": "PASS", "warn": "WARNING", "fail": "FAIL"}


def plain(text: object) -> str:
    """User text as it was typed, control characters spelled out (``\\x1b``); the template
    escapes it for HTML."""
    return terminal_text(text, markup=False)


def current_words(amps: float | None) -> str:
    """A current as the report and the terminal write it: µA below 0.1 mA, mA, and A from
    1 A (it read 2.7e+03 mA); "not reached" for none."""
    if amps is None or not math.isfinite(amps):
        return "not reached"
    if amps == 0:
        return "0 mA"  # "0 A" beside "0 mA" in the output table
    if abs(amps) >= 1e-4:  # from 0.1 mA: mA, and A from 1 A (it read 2.7e+03 mA); signed
        return current_text(amps, smallest="mA")
    return f"{readable(f'{amps * 1e6:.3g}')} µA"  # [A -> µA]


def number_words(value: float | None, unit: str, digits: int = 3) -> str:
    if value is None or not math.isfinite(value):
        return "n/a"
    return readable(f"{value:.{digits}g} {unit}".strip())


def seconds_words(value: float) -> str:
    """A duration in the unit that reads best: µs, ms or s."""
    if value >= 0.1:
        return number_words(value, "s")
    if value >= 1e-3:
        return number_words(value * 1e3, "ms")  # [s -> ms]
    return number_words(value * 1e6, "µs")  # [s -> µs]


def ohm_words(value: float) -> str:
    if value >= 1e3:
        return number_words(value / 1e3, "kΩ")  # [Ω -> kΩ]
    return number_words(value, "Ω")


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def ohm_symbols(text: str) -> str:
    """"500 ohm" and "1 kohm" in a rule's wording as "500 Ω" and "1 kΩ"."""
    return re.sub(r"\b(k?)ohms?\b", lambda m: f"{m.group(1)}Ω", text)


def device_maximum_a(data: dict[str, Any], channel: str) -> float | None:
    """The device's maximum current setting on ``channel`` (A) from a run's data, or None
    (a voltage-controlled device, whose thresholds in A have no setting to compare with).

    >>> device_maximum_a({"safety": {"table": {"channels": [{"channel": "1", "control":
    ...     "current", "maximum_amplitude": 0.1}]}}}, "1")
    0.1
    """
    return maximum_setting(data, channel, "current")


def maximum_setting(data: dict[str, Any], channel: str | None, control: str) -> float | None:
    """The channel's maximum setting from a run's safety table where it is set in
    ``control`` ("current": A, "voltage": V), or None.

    >>> maximum_setting({"safety": {"table": {"channels": [{"channel": "1", "control":
    ...     "voltage", "maximum_amplitude": 100.0}]}}}, "1", "voltage")
    100.0
    """
    for ct in ((data.get("safety") or {}).get("table") or {}).get("channels", []):
        if ct.get("channel") == channel and ct.get("control") == control:
            top = ct.get("maximum_amplitude")
            return float(top) if isinstance(top, int | float) and top > 0 else None
    return None


def device_top(data: dict[str, Any], channel: str) -> tuple[float, str] | None:
    """The most current the device puts into ``channel``'s tissue (A), in words: the lower
    of its maximum setting and what its compliance (or current limit) drives through the
    tissue and skin interface (microcurrent's twitch at 1.57 mA needs 38 V of a 12 V unit;
    probe of 5 December 2026). None where neither is known.

    >>> device_top({"effects": {"device_reach": {"channel": "1", "reach_A": 0.00049,
    ...     "bound": "compliance", "bound_value": 12.0}}}, "1")
    (0.00049, 'the 0.49 mA its 12 V compliance drives here')
    """
    out: list[tuple[float, str]] = []
    top = device_maximum_a(data, channel)
    if top is not None:
        out.append((top, f"the device's {current_words(top)}"))
    fx = data.get("effects") or {}
    # any channel's own reach (another channel's twitch past the device read as reachable;
    # probe of 5 December 2026)
    reaches = fx.get("device_reaches") or [fx.get("device_reach") or {}]
    reach: dict[str, Any] = next((r for r in reaches if r.get("channel") == channel), {})
    if reach.get("channel") == channel:
        amps = float(reach["reach_A"])
        volts = {"compliance": "compliance", "maximum voltage": "maximum"}.get(reach["bound"])
        out.append((amps, f"the {current_words(amps)} its {reach['bound_value']:g} V "
                          f"{volts} drives here" if volts is not None
                    else f"the device's {current_words(amps)} current limit"))
    return min(out) if out else None


def beyond_device(amps: float | None, top: float | tuple[float, str] | None) -> str:
    """`` (above the device's 100 mA)`` for a threshold past the device's maximum setting
    (a twitch at 536 mA and pain at 2.7 A from a 100 mA device read as reachable), or past
    what it drives (``top`` from :func:`device_top`)."""
    if top is None:
        return ""
    maximum, words = top if isinstance(top, tuple) else (top, f"the device's "
                                                             f"{current_words(top)}")
    if amps is None or not amps > maximum * (1 + 1e-9):
        return ""
    return f" (above {words})"




#: Above this pulse rate (Hz) the force model's twitches are fused in full: Ding et al.'s
#: quadriceps makes 311 N at 100 Hz, 322 N at 200 Hz (tests/unit/test_force_caveats.py).
FUSED_HZ = 100.0


def fused(window: Mapping[str, Any]) -> bool:
    """Whether the program's motor volleys make a held contraction at its visible-
    contraction threshold rather than separate twitches
    (:attr:`estim.effects.drive.Volleys.fuse`).

    >>> fused({"motor_volleys_fuse": True}), fused({"motor_volleys_fuse": False})
    (True, False)
    >>> fused({})  # a result written before it was kept
    False
    """
    return bool(window.get("motor_volleys_fuse"))


def _rate_caveat(force: Mapping[str, Any]) -> str | None:
    """The rate's caveat (:func:`force_caveats`): twitches that do not fuse below
    :data:`FUSION_HZ`, or fused long since above :data:`FUSED_HZ`; None between."""
    rate = force.get("pulse_rate_hz")
    # Russian current's volleys are its bursts (hostile probe of 7 December 2026)
    what = "burst" if force.get("carrier_hz") else "pulse"
    if rate is not None and rate < FUSION_HZ:
        shown = f"{rate:.3g}"
        # the model sums twitches in part from ~5 Hz (108 N at 5, 166 at 10 Hz beside a
        # 99.5 N twitch) and fuses them fully at 50-100 Hz (review)
        return (f"At {shown} {what}{'s' * (shown != '1')} a second the twitches do not "
                f"fuse: each {what} makes a twitch of its own (summed in part above about "
                f"5 Hz); a smooth contraction needs {FUSION_HZ:g}-20 Hz or more.")
    if rate is not None and rate > FUSED_HZ:
        # 200 Hz went without a word (physiotherapist's probe of 7 December 2026)
        return (f"At {rate:,.4g} {what}s a second the twitches are long fused (fully from "
                f"50-{FUSED_HZ:g} Hz): more pulses add little force in the force model, "
                "and in people 150 and 200 Hz tended to tire the quadriceps more than "
                "50 Hz, with large differences between people (Rongsawad & "
                "Ratanapinunchai 2018, Ann Rehabil Med 42:250, abstract).")
    return None


def _carrier_caveat(force: Mapping[str, Any]) -> str | None:
    """Russian current's short phases (:func:`force_caveats`); None without a carrier."""
    carrier = force.get("carrier_hz")
    if not carrier:
        return None
    # NMES at 70 mA made 38 % of maximal, Russian current 3 %, unexplained (probe)
    return (f"Russian current's phases are its {carrier:,.4g} Hz carrier's "
            f"half-cycles, {0.5e6 / carrier:.3g} µs of a sine each (2/π of a square "
            "phase's charge): nerve fibers need more peak current for them than for "
            "NMES's 200-400 µs rectangular phases, so at the same current it recruits "
            "fewer motor axons.")


def dial_force_caveats(force: Mapping[str, Any]) -> list[str]:
    """The caveats of :func:`force_caveats` that hold at every setting of a dial: the rate's
    and Russian current's short phases, not those of the programmed setting's session
    (the virtual stimulator shows them; educator's probe of 7 December 2026).

    >>> dial_force_caveats({"pulse_rate_hz": 50.0, "motor_recruited_fraction": 0.03,
    ...                     "contractions": 10, "fatigue_ratio": 1.0})
    []
    """
    return [c for c in (_rate_caveat(force), _carrier_caveat(force)) if c]


def force_caveats(force: dict[str, Any]) -> list[str]:
    """What the force and fatigue figures do not say on their own, each a sentence: twitches
    below fusion, a fatigue that levels off within the session, and few units recruited
    (a physiotherapist read 1 Hz as a strengthening contraction, 20 and 40 min as the same
    fatigue, and a 35 mA 10/10 protocol as "1% stronger"; probe of 7 December 2026).

    >>> force_caveats({"pulse_rate_hz": 1.0, "contractions": 20, "fatigue_ratio": 0.95,
    ...                "steady_from_contraction": 7, "motor_recruited_fraction": 0.04})
    ... # doctest: +NORMALIZE_WHITESPACE
    ['At 1 pulse a second the twitches do not fuse: each pulse makes a twitch of its own
    (summed in part above about 5 Hz); a smooth contraction needs 15-20 Hz or more.', 'The
    fatigue levels off from contraction 7 of 20: in the force
    model its build-up and recovery then balance (fatigue that goes on building over a
    session is not modelled).', 'About 4% of the motor axons fire, the same ones in every
    contraction: in people these few units tire faster than the force model says, which
    tires the whole muscle evenly.']
    >>> force_caveats({"pulse_rate_hz": 200.0})[0][:58]
    'At 200 pulses a second the twitches are long fused (fully '
    >>> force_caveats({"carrier_hz": 2500.0})[0][:66]
    "Russian current's phases are its 2,500 Hz carrier's half-cycles, 2"
    >>> force_caveats({"contractions": 5, "fatigue_ratio": 1.0,
    ...                "motor_recruited_fraction": 0.004})[0][:40]
    'Under 1% of the motor axons fire, the sa'
    >>> force_caveats({"contractions": 1, "fatigue_ratio": 1.0,
    ...                "motor_recruited_fraction": 0.04})
    []
    """
    out = [c for c in (_rate_caveat(force),) if c]
    level, n = force.get("steady_from_contraction"), force.get("contractions")
    ratio = force.get("fatigue_ratio")
    if level is not None and n and ratio is not None and ratio < 0.97:  # a fatigue, levelled
        out.append(f"The fatigue levels off from contraction {level} of {n}: in the force "
                   "model its build-up and recovery then balance (fatigue that goes on "
                   "building over a session is not modelled).")
    carrier = _carrier_caveat(force)
    if carrier:
        out.append(carrier)
    if fatigue_understated(force):
        share = force["motor_recruited_fraction"]
        said = "under 1%" if share < 0.01 else f"about {share:.0%}"
        out.append(f"{said[0].upper()}{said[1:]} of the motor axons fire, the same ones in every "
                   "contraction: in people these few units tire faster than the force model "
                   "says, which tires the whole muscle evenly.")
    return out


def fatigue_understated(force: dict[str, Any]) -> bool:
    """Whether the force model's fatigue reads too little: few motor units recruited, the
    same ones in every contraction, and the muscle (as the model tires it) still over 90 %
    of its first contraction. The headline's "the last keeps 99%" read as a muscle that
    barely tires, the caveat rows away (clinician's probe of 7 December 2026).

    >>> fatigue_understated({"motor_recruited_fraction": 0.3, "fatigue_ratio": 0.99,
    ...                      "contractions": 20})
    True
    >>> fatigue_understated({"motor_recruited_fraction": 0.3, "fatigue_ratio": 0.99,
    ...                      "contractions": 1})  # one contraction: no "every" (review)
    False
    """
    share, ratio = force.get("motor_recruited_fraction"), force.get("fatigue_ratio")
    return (share is not None and 0 < share < 0.5 and ratio is not None and ratio > 0.9
            and (force.get("contractions") or 0) >= 2)


def newtons_apply(force: dict[str, Any]) -> bool:
    """Whether a force's newtons are its muscle's own: the force model is the quadriceps'
    (Ding et al.), so a tibialis anterior's "91 of 311 N" were the quadriceps' newtons
    (probe of 5 December 2026); another muscle's force is a fraction of its maximal. A
    result without a muscle (an older one) keeps its newtons.

    >>> newtons_apply({"muscle": "vastus medialis"}), newtons_apply({"muscle": "calf muscles"})
    (True, False)
    """
    muscle = force.get("muscle")
    return muscle is None or muscle in NEWTON_MUSCLES
