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
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from estim.effects.window import thresholds_near
from estim.program.options import Sensation, Verdict
from estim.program.stimulation import MODALITIES
from estim.safety.render import format_value
from estim.safety.table import beside_limit
from estim.text import current_text, readable, terminal_text

if TYPE_CHECKING:
    from collections.abc import Mapping

    from estim.safety.table import OutputTable, TableRow
    from estim.safety.verdicts import Finding
    from estim.simulate import Result
    from estim.waveforms.stimulus import Stimulus

__all__ = [
    "FindingRow",
    "Footnotes",
    "OutputColumn",
    "OutputRow",
    "Threshold",
    "across_the_edge",
    "dbs_channels_text",
    "dbs_rows",
    "dial_volts",
    "dose_rows",
    "doses_of",
    "edge_distance",
    "field_rows",
    "finding_rows",
    "force_rows",
    "output_table",
    "people_text",
    "people_words",
    "plain",
    "readable",
    "summary",
    "thresholds",
    "thresholds_at_the_edge",
    "with_sample_words",
]

#: Modalities in words.
MODALITY_WORDS = {k: m.words for k, m in MODALITIES.items()}

#: Sites whose name is an abbreviation.
SITE_WORDS = {"stn": "subthalamic nucleus"}

#: Modalities as a table heading names them.
SHORT_MODALITY = {k: m.short for k, m in MODALITIES.items()}

#: Each threshold of :data:`~estim.effects.window.EDGE_THRESHOLDS` as a sentence names it
#: ("too close to call: 0.5 % above pain"); the report and the dial use the same words.
EDGE_WORDS = {"sensory": "feeling it", "motor": "a visible twitch", "pain": "pain"}


def thresholds_at_the_edge(window: Mapping[str, Any]) -> list[tuple[str, float, float]]:
    """The thresholds (words, A, fraction) that the programmed peak current of a
    ``sensation_window`` (as ``result_to_dict`` writes it) lies within
    :func:`~estim.effects.window.edge_fraction` of: where the model cannot say on which side
    of the line a person falls.

    >>> [(words, amp) for words, amp, _ in thresholds_at_the_edge({
    ...     "programmed_peak_current_A": 0.749, "sensory_threshold_A": 0.0876,
    ...     "motor_threshold_A": 0.313, "pain_threshold_A": 0.754})]
    [('pain', 0.754)]
    """
    near = thresholds_near(window["programmed_peak_current_A"],
                           {k: window.get(f"{k}_threshold_A") for k in EDGE_WORDS})
    return [(EDGE_WORDS[name], amp, edge) for name, amp, edge in near]


def edge_distance(current: float, threshold: float) -> str:
    """How far a current lies from a threshold, in words: "0.7% below", "6.8% above"."""
    d = current / threshold - 1.0
    return f"{abs(d):.1%} {'above' if d >= 0 else 'below'}"


#: The sensation just below each threshold (by its words) and just above it.
_EDGE_SIDES = {"feeling it": (Sensation.NONE, Sensation.LIGHT_TINGLING),
               "a visible twitch": (Sensation.STRONG_TINGLING, Sensation.CONTRACTION),
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
}
#: The same, after "a person would most likely feel" ("feel the muscle twitches" was not
#: English; UX review of 6 December 2026).
FEEL_WORDS = {**PLAIN_SENSATION, "contraction, below pain": "the muscle twitch or tighten"}

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


def muscle_away_notes(effects: dict[str, Any]) -> list[str]:
    """The window's notes that its muscle lies away from the cathode (a lateral knee pad's
    twitch is the vastus medialis's; :data:`estim.effects.window.MUSCLE_AWAY_NOTE`), which
    the faces show beside the twitch, not behind -v."""
    from estim.effects.window import MUSCLE_AWAY_NOTE

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
        steps = other_steps(o, device_top(data, o["channel"]) if data is not None else None)
        steps = f" Its thresholds there: {steps}." if steps else ""
        out.append(f"Under channel {plain(o['channel'])}'s, at "
                   f"{current_words(o['programmed_peak_current_A'])}{held}, they would most "
                   f"likely feel {plain_sensation(o['sensation'], o, FEEL_WORDS)}.{steps}"
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
    """
    first, top = force.get("first_contraction_peak_N"), force.get("max_force_N")
    if first is None or not top:
        return ""
    newtons = f"{first:.3g} N, " if newtons_apply(force) else ""
    ratio = force.get("fatigue_ratio")
    kept = (f"; the last keeps {ratio:.0%} of it" if ratio is not None
            and force.get("contractions", 2) != 1 else "")
    return f"The first contraction pulls {newtons}{first / top:.0%} of the muscle's maximal " \
           f"force{kept}."


def plain_sensation(phrase: str, window: dict[str, Any] | None,
                    words: dict[str, str] | None = None) -> str:
    """What ``phrase`` means in plain words (``words``, default :data:`PLAIN_SENSATION`);
    a contraction says how far pain is.

    >>> w = {"programmed_peak_current_A": 0.07, "pain_threshold_A": 0.19}
    >>> plain_sensation("contraction, below pain", w)
    'the muscle twitches or tightens, short of what hurts (pain from about 190 mA)'
    >>> plain_sensation("contraction, below pain", {**w, "pain_threshold_A": 0.08})
    'the muscle twitches or tightens; close to what hurts (pain from about 80 mA)'
    """
    base = (words or PLAIN_SENSATION).get(phrase, phrase)
    if phrase != Sensation.CONTRACTION or window is None:
        return base
    pain, at = window.get("pain_threshold_A"), window.get("programmed_peak_current_A")
    if pain is None or at is None or not math.isfinite(pain):
        return base
    where = f"(pain from about {current_words(pain)})"
    if pain <= CLOSE_TO_PAIN * at:
        return f"{base}; close to what hurts {where}"
    return f"{base}, short of what hurts {where}"


#: What a virtual subject with each sensation does, in a sentence ("6 see the muscle
#: twitch"); ``{muscle}`` is the window's muscle.
_PEOPLE_WORDS = {
    "no sensation": "feel nothing",
    "light tingling": "feel a light tingling",
    "strong tingling, no contraction": "feel a strong tingling",
    "contraction, below pain": "see the {muscle} twitch",
    "painful": "find it painful",
}


def people_words(counts: Mapping[str, int], muscle: str | None = None) -> str:
    """How many virtual subjects feel each sensation (phrase -> count), mildest first, in a
    sentence ("14 feel a strong tingling and 6 see the vastus medialis twitch"); "" for
    none.

    >>> people_words({"no sensation": 0, "strong tingling, no contraction": 3,
    ...               "contraction, below pain": 16, "painful": 1}, "biceps")
    '3 feel a strong tingling, 16 see the biceps twitch and 1 finds it painful'
    >>> people_words({"light tingling": 20})
    'all 20 feel a light tingling'
    """
    parts = []
    for phrase, words in _PEOPLE_WORDS.items():
        n = int(counts.get(phrase, 0))
        if n:
            verb = words.format(muscle=muscle or "muscle")
            if n == 1:  # "1 finds it painful"
                first, _, rest = verb.partition(" ")
                verb = f"{first}s {rest}"
            parts.append(f"{n} {verb}")
    if len(parts) == 1 and sum(int(n) for n in counts.values()) > 1:
        return f"all {parts[0]}"
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


#: Each Aβ count criterion by name, as the sentence on its undecided subjects says it
#: (``ThresholdBands.undecided_at``'s keys).
_COUNT_WORDS = {"detection": "feeling it", "strong tingling": "a strong tingling"}


def _sample_words(undecided: Mapping[str, int], subjects: int) -> str:
    """The virtual subjects given a sensation only because the model's sample of afferents
    ran out before its count (``ThresholdBands.undecided_at``: criterion -> subjects), of
    ``subjects``, as a clause; "" for none.

    It says who is counted so, not how many run out: the sample runs out for 4 of the 20
    under true interferential's pads, and 2 of them would twitch at the programmed
    intensity anyway ("for 2 of the 20 the sample runs out" stood beside the notes' 4;
    probe of 5 December 2026).

    >>> print(_sample_words({"strong tingling": 2}, 20))  # doctest: +NORMALIZE_WHITESPACE
    2 of the 20 are counted as a strong tingling only because the model's sample of
    afferents runs out before its count
    >>> _sample_words({}, 20)
    ''
    """
    return "; ".join(f"{n} of the {subjects} {'is' if n == 1 else 'are'} counted as "
                     f"{_COUNT_WORDS[what]} only because the model's sample of afferents runs "
                     "out before its count" for what, n in undecided.items() if n)


def with_sample_words(text: str, undecided: Mapping[str, int], subjects: int) -> str:
    """``text`` (the virtual people's sentence) followed by :func:`_sample_words`'s clause
    where there is one.

    >>> with_sample_words("2 feel a strong tingling", {"strong tingling": 1}, 20)[:51]
    '2 feel a strong tingling; 1 of the 20 is counted as'
    >>> with_sample_words("all 20 feel nothing", {}, 20)
    'all 20 feel nothing'
    """
    clause = _sample_words(undecided, subjects)
    return f"{text}; {clause}" if text and clause else text


def people_text(window: Mapping[str, Any]) -> str:
    """:func:`people_words` of a ``sensation_window``'s virtual subjects at the programmed
    intensity; "" without them."""
    counts = (window.get("bands") or {}).get("at_programmed") or {}
    return people_words(counts, window.get("muscle"))


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


_VERDICT_WORDS = {"pass": "PASS", "warn": "WARNING", "fail": "FAIL"}


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


def _number(value: float | None, unit: str, digits: int = 3) -> str:
    if value is None or not math.isfinite(value):
        return "n/a"
    return readable(f"{value:.{digits}g} {unit}".strip())


def _seconds(value: float) -> str:
    """A duration in the unit that reads best: µs, ms or s."""
    if value >= 0.1:
        return _number(value, "s")
    if value >= 1e-3:
        return _number(value * 1e3, "ms")  # [s -> ms]
    return _number(value * 1e6, "µs")  # [s -> µs]


def _ohm(value: float) -> str:
    return _number(value / 1e3, "kΩ") if value >= 1e3 else _number(value, "Ω")  # [Ω -> kΩ]


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _ohms(text: str) -> str:
    """"500 ohm" and "1 kohm" in a rule's wording as "500 Ω" and "1 kΩ"."""
    return re.sub(r"\b(k?)ohms?\b", lambda m: f"{m.group(1)}Ω", text)


# --- summary --------------------------------------------------------------------------------

def _output_words(result: Result) -> str:
    """What the channels put out: "1 channel: 25 mA peak, 200 µs pulses at 80 Hz, for 30
    min"; "2 channels, each …" where they are alike, else each channel's (the summary
    gave the first channel's for all of them)."""
    names = [c.name for c in result.program.channels]
    words = [_stimulus_words(s) for s in result.stimuli]
    if len(words) == 1:
        return f"1 channel: {words[0]}"
    if len(set(words)) == 1:
        return f"{len(words)} channels, each {words[0]}"
    return f"{len(words)} channels: " + "; ".join(
        f"channel {plain(n)} at {w}" for n, w in zip(names, words, strict=True))


def _stimulus_words(stim: Stimulus) -> str:
    """One line of what a channel puts out ("25 mA peak, 200 µs pulses at 80 Hz, for 30
    min")."""
    t = stim.timing
    parts = [f"{format_value(stim.peak, 'mA' if stim.unit == 'A' else 'V')} peak"]
    if t.carrier_hz and t.frequency_max_hz:  # a swept carrier (true interferential's beat)
        parts.append(f"on a {format_value(t.carrier_hz, 'Hz').removesuffix(' Hz')}–"
                     f"{format_value(t.frequency_max_hz, 'Hz')} carrier")
    elif t.carrier_hz:
        parts.append(f"on a {format_value(t.carrier_hz, 'Hz')} carrier")
    elif t.pulse_width_s and t.frequency_hz:
        parts.append(f"{_seconds(t.pulse_width_s)} pulses at "
                     f"{format_value(t.frequency_hz, 'Hz')}")
    elif t.pulse_width_s:
        parts.append(f"{_seconds(t.pulse_width_s)} pulses")
    if t.burst_frequency_hz:
        parts.append(f"in bursts at {format_value(t.burst_frequency_hz, 'Hz')}")
    if t.on_time_s and t.off_time_s:
        parts.append(f"{t.on_time_s:.3g} s on, {t.off_time_s:.3g} s off")
    parts.append(f"for {stim.duration_s / 60:.3g} min")
    return ", ".join(parts)


def summary(result: Result, data: dict[str, Any]) -> dict[str, Any]:
    """The plain-language summary at the top of the report."""
    p = result.program
    kinds = sorted({c.stimulation.type for c in p.channels})
    modality = " and ".join(MODALITY_WORDS.get(k, k) for k in kinds)
    site = SITE_WORDS.get(p.site.name, plain(p.site.name).replace("_", " "))
    what = f"{_cap(modality)} on the {site}, {_output_words(result)}."
    report = result.safety
    bad = [f for f in report.findings if f.verdict is not Verdict.PASS]
    verdict = report.verdict.value
    if verdict == "pass":
        safety = (f"Every one of the {len(report.findings)} safety checks passes, at the "
                  "programmed intensity and at the device's maximum setting.")
    else:
        fails = sum(f.verdict is Verdict.FAIL for f in bad)
        warns = len(bad) - fails
        counts = " and ".join(x for x in (f"{fails} fail" * bool(fails),
                                          f"{warns} warn" * bool(warns)) if x)
        rules = sorted({_cap(_ohms(plain(f.description))) for f in bad})
        safety = (f"Of {len(report.findings)} safety checks, {counts}: "
                  + "; ".join(rules[:4]) + ("; …" if len(rules) > 4 else "") + ".")
    fx = data.get("effects") or {}
    w = fx.get("sensation_window")
    s = fx.get("sensation")
    feel: list[str] = []
    if w is not None and s is not None:
        at_words = programmed_words(data, w)
        limited = reach_limited(data, w["channel"])
        if limited:  # the window is at what the device drives, not at what is set
            feel.append(f"{limited[0].upper()}{limited[1:]}: at that "
                        f"{current_words(w['programmed_peak_current_A'])}, a person "
                        f"would most likely feel {plain_sensation(s['phrase'], w, FEEL_WORDS)}.")
        else:
            feel.append(f"At the programmed {at_words}, a person would "
                        f"most likely feel {plain_sensation(s['phrase'], w, FEEL_WORDS)}.")
        pull = pull_words(fx.get("force") or {})
        if pull:
            feel.append(pull)
        channels = other_channels_words(fx, w, data)  # whose pads, the others' (after the steps)
        feel.extend(channels[:1])
        steps = [(w["sensory_threshold_A"], "start to feel it"),
                 (w["motor_threshold_A"], f"see the {w.get('muscle') or 'muscle'} twitch"),
                 (w["pain_threshold_A"], "find it painful")]
        reached = sorted((a, words) for a, words in steps if a is not None)
        top = device_top(data, w["channel"])
        if reached:
            # a step past what the device drives says so (a twitch at 31 mA and pain at
            # 42.8 mA read as reachable on a unit that drives 9.24 mA; probe of 5 December
            # 2026)
            feel.append("Turning the intensity up from zero, they would "
                        + ", then ".join(f"{words} at about {current_words(a)}"
                                         + beyond_device(a, top)
                                         for a, words in reached)
                        + ".")
        for note in muscle_away_notes(fx):  # beside the twitch it qualifies
            feel.append(note[0].upper() + note[1:] + ".")
        for note in shared_pad_notes(fx):  # it may feel more than the verdict says
            feel.append(note[0].upper() + note[1:] + ".")
        dial = dial_volts(data, w)
        if dial:
            feel.append(dial[0].upper() + dial[1:] + ".")
        short = count_short(w.get("sensory_criterion"))
        if short is not None:  # 1 x 1 cm pads: 15 afferents where the count needs 169
            feel.append(f"Where they start to feel it is outside the model's calibrated "
                        f"range: the count needs {short[0]:,} Aβ afferents and only "
                        f"{short[1]:,} lie under and around these pads, so it is taken "
                        "where all of them fire.")
        at = w["programmed_peak_current_A"]
        edge = thresholds_at_the_edge(w)
        for words, amp, fraction in edge:
            which = ("The current the device drives" if w.get("held_by_device")
                     else "The programmed current")
            feel.append(f"{which} lies {edge_distance(at, amp)} the threshold "
                        f"for {words} ({current_words(amp)}); another sample of the model's nerve "
                        f"fibers moves that threshold by about ±{fraction:.1%}, so the model "
                        "cannot say on which side of it a person falls.")
        if s.get("as_expected") is False:
            across = [words for words, _, _ in edge
                      if across_the_edge(s["phrase"], words) in s["expected"]]
            expected = " or ".join(f"“{e}”" for e in s["expected"])  # phrases hold commas
            feel.append(f"{expecter(data).capitalize()} expects {expected}: "
                        + (f"just across the threshold for {across[0]}, so the model "
                           "neither confirms nor contradicts it." if across else
                           f"the model and {expecter(data, short=True)} disagree "
                           "here."))
        people = people_text(w)
        if people:
            bands = w.get("bands") or {}
            subjects = bands.get("subjects")
            varied = varied_words(bands)
            feel.append(with_sample_words(
                f"Of {subjects} virtual people, whose {', '.join(varied[:-1])} and {varied[-1]} "
                f"differ as people's do, {people} at {at_name(w)}",
                bands.get("undecided_at_programmed") or {}, int(subjects or 0)) + ".")
        # the other channels last: every sentence before is the window channel's (one
        # between them credited its people and its afferents to the other; review)
        feel.extend(channels[1:])
        feel.append("This is a model prediction (nerve-fiber cable models in an assumed "
                    "anatomy), not a measurement; people differ.")
    else:
        notes = fx.get("notes") or []
        if fx.get("dbs_activation") is not None:  # its note is the volume, not a reason
            feel.append("estim predicts the tissue a DBS setting activates, not what it feels "
                        "like" + (f". {plain(notes[0])}." if notes else "."))
        else:
            reason = plain(notes[0]) if notes else "no body stage was run"
            feel.append(f"estim does not predict what this program feels like: {reason}.")
    return {"what": what, "description": plain(p.description), "source": plain(p.source),
            "verdict": verdict, "verdict_words": _VERDICT_WORDS[verdict], "safety": safety,
            "feel": feel}


# --- safety ---------------------------------------------------------------------------------

def _rule_names(text: str) -> str:
    """A rule's id quoted in a source (``iontophoresis.current_density``) in the rule's own
    words."""
    from estim.safety.limits import LIMITS

    for rule in LIMITS:
        text = text.replace(rule.id, f"the rule on {_ohms(rule.description)}")
    return text


class Footnotes:
    """Numbered citations, each source once, in the order first cited."""

    def __init__(self) -> None:
        self.sources: list[str] = []

    def number(self, source: str) -> int:
        text = _rule_names(_ohms(plain(source)))
        if text not in self.sources:
            self.sources.append(text)
        return self.sources.index(text) + 1


@dataclass(frozen=True)
class FindingRow:
    """One rule as the findings table shows it."""

    rule: str
    channel: str
    setting: str
    value: str
    limit: str
    verdict: str
    footnote: int
    note: str
    action: str


def _shown(value: float | None, unit: str, other: float | None = None, *,
           limit: bool = False) -> str:
    """A finding's value (or, with ``limit``, its limit) with figures enough to tell it
    from ``other`` (:func:`~estim.safety.table.beside_limit`)."""
    if value is None:
        return "not computed"
    if other is None:
        return readable(plain(format_value(value, unit)))
    pair = beside_limit(other, value, unit) if limit else beside_limit(value, other, unit)
    return readable(plain(pair[1] if limit else pair[0]))


def finding_rows(findings: tuple[Finding, ...], notes: Footnotes) -> list[FindingRow]:
    """The findings, worst first (the order of the rules within a verdict kept)."""
    order = {Verdict.FAIL: 0, Verdict.WARN: 1, Verdict.PASS: 2}
    rows = []
    for f in sorted(findings, key=lambda f: order[f.verdict]):
        # a pass with a condition says it: "14.31 mA | limit 10 mA | PASS" read as a value
        # over its limit that passed for no reason, where the device declares an output
        # indicator (probe of 5 December 2026)
        said = f.verdict is not Verdict.PASS or bool(f.action) or (
            f.value is not None and f.limit is not None and f.value > f.limit)
        rows.append(FindingRow(
            rule=_cap(_ohms(plain(f.description))), channel=plain(f.channel),
            setting=f.setting.value if f.setting else "",
            value=_shown(f.value, f.display_unit, f.limit), limit=_shown(
                f.limit, f.display_unit, f.value, limit=True),
            verdict=f.verdict.value, footnote=notes.number(f.source),
            note=readable(plain(f.note)) if said else "",
            action=plain(f.action) if said else ""))
    return rows


@dataclass(frozen=True)
class OutputColumn:
    """A channel's pair of columns in the output table."""

    channel: str
    heading: str
    programmed: str
    maximum: str


@dataclass(frozen=True)
class OutputRow:
    """One characteristic of the output table, its values per channel (programmed, maximum)."""

    label: str
    #: each channel's own note ("" for none), in the channels' order
    notes: tuple[str, ...]
    values: tuple[tuple[str, str], ...]


def output_table(table: OutputTable) -> tuple[list[OutputColumn], list[OutputRow]]:
    """The 510(k) output table, every channel side by side; rows with no value in any
    channel (a burst field of a continuous program) are left out."""
    columns = [OutputColumn(plain(ct.channel),
                            f"Channel {plain(ct.channel)}: "
                            f"{SHORT_MODALITY.get(ct.modality, plain(ct.modality))}, "
                            f"{ct.control}-controlled",
                            f"at {_amp(ct.programmed_amplitude, ct.control)} (programmed)",
                            f"at {_amp(ct.maximum_amplitude, ct.control)} (device maximum)")
               for ct in table.channels]
    rows: list[OutputRow] = []
    if not table.channels:
        return columns, rows
    # every channel's rows by key: a row only one channel has (a lead impedance it states)
    # was an IndexError, or left out (review of 5 December 2026)
    first: dict[str, TableRow] = {}
    for ct in table.channels:
        for r in ct.rows:
            first.setdefault(r.key, r)
    by_key = [{r.key: r for r in ct.rows} for ct in table.channels]
    for key, row in first.items():
        cells = [own.get(key) for own in by_key]
        if all(r is None or (r.programmed is None and r.maximum is None) for r in cells):
            continue
        # each channel's own note in its own table: channel 2's "programmed: limited at
        # 5 mA" read as channel 1's, whose 3 mA is not limited, and then every channel's
        # table carried every channel's notes (probes of 5 December 2026)
        notes = tuple(readable(plain(r.note)) if r is not None and r.note else ""
                      for r in cells)
        rows.append(OutputRow(plain(row.label), notes,
                              tuple(("—", "—") if r is None else
                                    (_cell(r.programmed, r.unit), _cell(r.maximum, r.unit))
                                    for r in cells)))
    return columns, rows


def _amp(value: float, control: str) -> str:
    return format_value(value, "mA" if control == "current" else "V")


def _cell(value: Any, unit: str) -> str:
    if value is None:
        return "—"
    return readable(plain(format_value(value, unit)))


# --- body -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Threshold:
    """A threshold of the sensation window, named by what decides it."""

    name: str
    current: str
    criterion: str


def band_range(band: dict[str, Any] | None, *, unreached: str = "never",
               amperes: bool = False) -> str:
    """``3.6–5.9``: a threshold's 10th-90th percentile over the virtual subjects in mA, or
    in A with ``amperes`` (beside a threshold shown in A: "2.7 A (1600–4100)" read as
    thousands of amperes); ``unreached`` where the top is never reached, alone where even
    the 10th percentile is not; empty without a band.

    >>> band_range({"p10_A": 0.0036, "median_A": 0.0047, "p90_A": 0.0059})
    '3.6–5.9'
    >>> band_range({"p10_A": 0.0036, "median_A": 0.0047, "p90_A": None})
    '3.6–never'
    >>> band_range({"p10_A": None, "median_A": None, "p90_A": None}, unreached="∞")
    '∞'
    >>> band_range({"p10_A": 1.6, "median_A": 2.7, "p90_A": 4.1}, amperes=True)
    '1.6–4.1'
    """
    if not band or "p10_A" not in band:
        return ""
    lo, hi = band["p10_A"], band.get("p90_A")
    if lo is None:
        return unreached
    scale = 1.0 if amperes else 1e3  # [A -> mA]
    top = two_digits(hi * scale) if hi is not None else unreached
    return f"{two_digits(lo * scale)}–{top}"


def in_amperes(amps: float | None) -> bool:
    """Whether a current is shown in A (from 1 A; below, in mA or µA)."""
    return amps is not None and math.isfinite(amps) and abs(amps) >= 0.9995


def _band_text(band: dict[str, Any] | None, amps: float | None = None) -> str:
    """`` (3.6–5.9 mA across people)``, `` (most people never reach it)``, or nothing
    without a band; in A beside a threshold ``amps`` shown in A."""
    big = in_amperes(amps)
    text = band_range(band, amperes=big)
    if text == "never":
        return " (most people never reach it)"
    return f" ({text} {'A' if big else 'mA'} across people)" if text else ""


def two_digits(x: float) -> str:
    """Two significant digits without an exponent: 109 -> '110', 0.0123 -> '0.012'."""
    return format(float(f"{x:.2g}"), "g")


_SHORT = re.compile(r"(\d[\d,]*) Aβ afferents firing \(100% of the (\d[\d,]*) under")


def count_short(criterion: str | None) -> tuple[int, int] | None:
    """(needed, there) where a count criterion needs more Aβ afferents than lie under and
    around the cathode: the threshold is where all of them fire, outside the calibrated
    range. None otherwise.

    >>> count_short("detection: 169 Aβ afferents firing (100% of the 15 under and around "
    ...             "the cathode)")
    (169, 15)
    >>> count_short("detection: 169 Aβ afferents firing (44% of the 383 under and around "
    ...             "the cathode)") is None
    True
    """
    m = _SHORT.search(criterion or "")
    if m is None:
        return None
    needed, there = (int(g.replace(",", "")) for g in m.groups())
    return (needed, there) if needed > there else None


def device_maximum_a(data: dict[str, Any], channel: str) -> float | None:
    """The device's maximum current setting on ``channel`` (A) from a run's data, or None
    (a voltage-controlled device, whose thresholds in A have no setting to compare with).

    >>> device_maximum_a({"safety": {"table": {"channels": [{"channel": "1", "control":
    ...     "current", "maximum_amplitude": 0.1}]}}}, "1")
    0.1
    """
    for ct in ((data.get("safety") or {}).get("table") or {}).get("channels", []):
        if ct.get("channel") == channel and ct.get("control") == "current":
            top = ct.get("maximum_amplitude")
            return float(top) if isinstance(top, int | float) else None
    return None


def dial_volts(data: dict[str, Any], window: dict[str, Any]) -> str:
    """For a voltage-set channel, its thresholds as the dial shows them: the window is in
    A at the fibers, and the device is set in V (HVPC's page said "feels it at 85.1 mA"
    where the dial reads 17 V; probe of 5 December 2026). Empty for a current-set one.

    >>> text = dial_volts({"channels": [{"name": "1", "control": "voltage"}], "effects": {
    ...     "fields": {"channels": [{"name": "1", "resistance_ohm": 200.0}]}}},
    ...     {"channel": "1", "programmed_peak_current_A": 0.75, "sensory_threshold_A": 0.085,
    ...      "motor_threshold_A": 0.35, "pain_threshold_A": None})
    >>> text[:51]
    'set in volts: 150 V drives 750 mA through the 200 Ω'
    >>> text[-61:]
    'a person feels it at 17 V, sees a twitch at 70 V, and no pain'
    """
    channel = window.get("channel")
    control = next((c.get("control") for c in data.get("channels") or ()
                    if c.get("name") == channel), None)
    fields = ((data.get("effects") or {}).get("fields") or {}).get("channels") or ()
    ohms = next((c.get("resistance_ohm") for c in fields if c.get("name") == channel), None)
    if control != "voltage" or not isinstance(ohms, int | float) or not \
            0 < ohms < math.inf:
        return ""

    def volts(amps: float) -> str:
        return f"{readable(f'{amps * ohms:.3g}')} V"  # [A x Ω -> V]

    at = window["programmed_peak_current_A"]
    # held by the current limit: the setting is the set voltage, and a threshold past the
    # limit is never reached on the dial ("100 V drives 500 mA ... pain at 148 V" for a
    # 150 V setting; review of 5 December 2026)
    held = bool(window.get("held_by_device"))
    asked = float(window.get("set_peak_current_A") or at) if held else at
    steps = [(window.get("sensory_threshold_A"), "feels it", "it is not felt"),
             (window.get("motor_threshold_A"), "sees a twitch", "no twitch"),
             (window.get("pain_threshold_A"), "feels pain", "no pain")]
    reached = sorted((a, w) for a, w, _ in steps if a is not None and math.isfinite(a)
                     and not (held and a > at * (1 + 1e-9)))
    words = [f"{w} at {volts(a)}" for a, w in reached]
    words += [none for a, _, none in steps if a is None or not math.isfinite(a)
              or (held and a > at * (1 + 1e-9))]
    listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + ", and " + words[-1]
    lead = (f"set in volts: {volts(asked)} would drive {current_words(asked)} through the "
            f"{readable(f'{ohms:.3g}')} Ω of tissue and skin interface, and the current "
            f"limit holds it at {current_words(at)}, so on the dial a person "
            if held else
            f"set in volts: {volts(at)} drives {current_words(at)} through the "
            f"{readable(f'{ohms:.3g}')} Ω of tissue and skin interface, so on the dial a "
            f"person ")
    return lead + listed


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
        out.append((amps, f"the {current_words(amps)} its {reach['bound_value']:g} V "
                          "compliance drives here" if reach["bound"] == "compliance"
                    else f"the device's {current_words(amps)} current limit"))
    return min(out) if out else None


def set_words(window: dict[str, Any]) -> str:
    """The setting a held window's current comes from: volts for a voltage-set unit (HVPC's
    "of 749 mA set" for 150 V; probe of 5 December 2026), else the set current.

    >>> set_words({"set_peak_current_A": 0.749, "set_peak_V": 149.8})
    '150 V'
    """
    volts = window.get("set_peak_V")
    if isinstance(volts, int | float):
        return f"{readable(format(volts, '.3g'))} V"
    return current_words(window.get("set_peak_current_A"))


def at_name(window: dict[str, Any]) -> str:
    """What the window's current at "programmed" is: the programmed intensity, or, where
    the device cannot drive it, the current it drives (9.24 mA was called "programmed"
    beside a set 60 mA; review of 5 December 2026).

    >>> at_name({}), at_name({"held_by_device": True})
    ('the programmed intensity', 'the current the device drives')
    """
    return ("the current the device drives" if window.get("held_by_device")
            else "the programmed intensity")


def programmed_words(data: dict[str, Any], window: dict[str, Any]) -> str:
    """The programmed intensity of the window's channel in its dial's unit: a current, or a
    voltage with the current it drives ("At the programmed 749 mA" of HVPC's 150 V; probe of
    5 December 2026).

    >>> programmed_words({"channels": [{"name": "1", "control": "voltage", "metrics":
    ...     {"peak_V": 150.0}}]}, {"channel": "1", "programmed_peak_current_A": 0.749})
    '150 V (749 mA through the tissue)'
    """
    amps = current_words(window["programmed_peak_current_A"])
    for c in data.get("channels") or ():
        volts = (c.get("metrics") or {}).get("peak_V")
        if c.get("name") == window.get("channel") and c.get("control") == "voltage" \
                and isinstance(volts, int | float):
            return f"{readable(format(volts, '.3g'))} V ({amps} through the tissue)"
    return amps


def reach_limited(data: dict[str, Any], channel: str) -> str:
    """Where the device cannot drive what ``channel`` is set to: how much it drives, in a
    sentence (empty where it drives it all).

    >>> reach_limited({"effects": {"device_reach": {"channel": "1", "reach_A": 0.00924,
    ...     "programmed_A": 0.06, "bound": "compliance", "bound_value": 3.0,
    ...     "load_ohm": 325.0, "limited": True}}}, "1")[:67]
    'the device drives 9.24 mA of the programmed 60 mA through the 325 Ω'
    """
    fx = data.get("effects") or {}
    # any channel's (a second channel held was said behind -v only; probe of 5 December
    # 2026)
    r: dict[str, Any] = next((x for x in (fx.get("device_reaches")
                                         or [fx.get("device_reach") or {}])
                              if x.get("channel") == channel), {})
    if not r.get("limited"):
        return ""
    ohms = readable(format(r["load_ohm"], ".3g"))
    if r["bound"] != "compliance":  # a voltage set: "of the programmed 749 mA" read as if
        # a current were set (review of 5 December 2026)
        volts = readable(format(r["programmed_A"] * r["load_ohm"], ".3g"))  # [A x Ω -> V]
        return (f"its {current_words(r['bound_value'])} current limit holds the "
                f"{current_words(r['programmed_A'])} that {volts} V would drive through the "
                f"{ohms} Ω of tissue and skin interface at {current_words(r['reach_A'])}")
    return (f"the device drives {current_words(r['reach_A'])} of the programmed "
            f"{current_words(r['programmed_A'])} through the {ohms} Ω of tissue and skin "
            f"interface (its {r['bound_value']:g} V compliance)")


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


def thresholds(window: dict[str, Any], device_max_a: float | tuple[float, str] | None = None
               ) -> list[Threshold]:
    """Sensory, motor and pain thresholds (and the programmed intensity), lowest first;
    a threshold past ``device_max_a`` (A, or :func:`device_top`) says so."""
    bands = window.get("bands") or {}
    rows = [
        (window["sensory_threshold_A"], "Sensory threshold (detection)",
         window["sensory_criterion"], bands.get("sensory")),
        (window.get("strong_tingling_threshold_A"), "Strong tingling",
         window.get("strong_tingling_criterion", ""), bands.get("strong_tingling")),
        (window["motor_threshold_A"], "Motor threshold (visible contraction)",
         window["motor_criterion"], bands.get("motor")),
        (window["pain_threshold_A"], "Pain threshold",
         window["pain_criterion"], bands.get("pain")),
    ]
    rows.sort(key=lambda r: math.inf if r[0] is None else r[0])
    out = [Threshold(name, current_words(amps) + _band_text(band, amps)
                     + beyond_device(amps, device_max_a), readable(plain(crit)))
           for amps, name, crit, band in rows if crit]
    rec = window["recruited_at_programmed"]
    held = window.get("held_by_device")
    out.append(Threshold(
        "What the device drives" if held else "Programmed intensity",
        current_words(window["programmed_peak_current_A"])
        + (f" (of {set_words(window)} set)" if held else ""),
        "recruited here: " + recruited_text(rec)))
    return out


#: How the fiber classes of the results' keys read.
FIBER_WORDS = {"abeta": "Aβ", "adelta": "Aδ", "c": "C", "motor": "motor axons",
               "periosteal": "periosteal Aδ"}


def recruited_text(recruited: dict[str, float]) -> str:
    """``{"abeta": 0.91, ...}`` as "Aβ 91%, Aδ 33%, ...", each class as a reader names it."""
    return ", ".join(f"{FIBER_WORDS.get(k, k)} {v:.0%}" for k, v in recruited.items())


def field_rows(fields: dict[str, Any], result: Result) -> list[tuple[str, str]]:
    """What the field stage solved, in words."""
    site = result.effects.program_fields.site if result.effects and \
        result.effects.program_fields is not None else None
    rows: list[tuple[str, str]] = []
    if site is not None:
        layers = ", ".join(f"{ly.tissue} {ly.thickness * 1e3:.3g} mm" for ly in site.layers)
        rows.append(("Tissue layers, skin inwards", layers))  # [m -> mm]
    method = ("finite elements" if fields.get("method") == "fem" else "analytic solution")
    if fields.get("n_dofs"):
        method += f", {fields['n_dofs']:,} unknowns"
    rows.append(("Field solved by", method))
    voltage = result.program.device.control.value == "voltage"
    tables = {t.channel: t for t in result.safety.table.channels}
    for ch in fields.get("channels", []):
        who = f", channel {plain(ch['name'])}" if len(fields.get("channels", [])) > 1 else ""
        rows.append((f"Load between the pads{who}: tissue with the skin–electrode interface",
                     _ohm(ch["resistance_ohm"])))
        current = current_words(ch["current_A"])
        generic = _skin_peak_a(tables.get(ch["name"]))
        if voltage and generic is not None:
            # a voltage's current is the load's: say why the output table's differs
            limit = result.program.device.current_limit
            held = limit is not None and generic >= limit * (1 - 1e-9)
            current += (" (the voltage over this site's load; on the output table's typical "
                        "skin–electrode load, a generic 300 Ω of tissue in series with the "
                        "skin, "
                        + (f"the device's current limit, {current_words(limit)}, would hold it"
                                    if held else f"it would be {current_words(generic)}") + ")")
            if limit is not None and ch["current_A"] > limit:
                current += (f"; above the device's current limit ({current_words(limit)}), which "
                            "would hold it there")
        rows.append((f"Current{who}", current))
    return rows


def _skin_peak_a(table: Any) -> float | None:
    """The programmed peak current on the output table's typical skin load (A)."""
    if table is None:
        return None
    try:
        value = table.row("skin_peak_current").programmed
    except KeyError:
        return None
    return float(value) if isinstance(value, int | float) else None


#: The muscles whose force is the force model's own in newtons (Ding et al.'s quadriceps;
#: the knee's vastus medialis is the quadriceps' lowest part, its visible contraction a
#: fraction of the whole quadriceps' force).
NEWTON_MUSCLES = ("quadriceps", "vastus medialis")


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


def force_share(force: dict[str, Any], key: str = "first_contraction_peak_N") -> str:
    """A contraction's force as a fraction of the maximal ("29 %"), or "" without one."""
    value, top = force.get(key), force.get("max_force_N")
    return f"{value / top * 100:.0f} %" if value is not None and top else ""


def force_rows(force: dict[str, Any]) -> list[tuple[str, str]]:
    """NMES force and fatigue in words: in newtons for the quadriceps, the force model's
    muscle, as a fraction of the maximal for any other."""
    ratio = force.get("fatigue_ratio")
    if not newtons_apply(force):
        return [
            ("First contraction, peak force", f"{force_share(force)} of maximal"),
            ("Last contraction, peak force",
             f"{force_share(force, 'last_contraction_peak_N')} of maximal"),
            ("Force kept at the end (last / first)",
             "n/a" if ratio is None else f"{ratio * 100:.0f} %"),
            ("Contractions in the session", f"{force.get('contractions', 0)}"),
            ("Maximal force", f"not modelled for the {force['muscle']}: the force model's "
                              "parameters are the quadriceps' (Ding et al.), so its force "
                              "is given as a fraction of the maximal"),
        ]
    return [
        ("First contraction, peak force", _number(force.get("first_contraction_peak_N"), "N")),
        ("Last contraction, peak force", _number(force.get("last_contraction_peak_N"), "N")),
        ("Force kept at the end (last / first)",
         "n/a" if ratio is None else f"{ratio * 100:.0f} %"),
        ("Contractions in the session", f"{force.get('contractions', 0)}"),
        ("Maximal force of the modelled muscle", _number(force.get("max_force_N"), "N")),
    ]


def evidence_words(evidence: object) -> str:
    """An effect's evidence level as one sentence: a text as it is, a mapping of what to its
    level as "what: level; ..." (DBS).

    >>> evidence_words({"thresholds": "mechanistic", "field threshold": "model prediction"})
    'thresholds: mechanistic; field threshold: model prediction'
    """
    if isinstance(evidence, dict):
        return "; ".join(f"{k}: {v}" for k, v in evidence.items())
    return str(evidence or "")


def _too_high(dose: dict[str, Any], density: float | None) -> str:
    """" (too high)" where a density is over the dose's limit (a results file without the
    limit: where the dose says its density is not ok)."""
    limit = dose.get("current_density_limit_mA_per_cm2")
    if density is None:
        return ""
    if limit is None:
        return " (too high)" if dose.get("current_density_ok") is False else ""
    return " (too high)" if density > limit * (1 + 1e-12) else ""


def doses_of(fx: dict[str, Any], first_dc: str | None = None) -> dict[str, dict[str, Any]]:
    """Each iontophoresis channel's dose of a run's effects (``results.json``'s ``dose``
    and ``other_doses``), by channel, in program order; a dose that names no channel (as
    results written before 6 December 2026) is ``first_dc``'s."""
    every = ([fx["dose"]] if fx.get("dose") else []) + list(fx.get("other_doses") or [])
    return {str(x.get("channel") or first_dc): {**x, "channel": x.get("channel") or first_dc}
            for x in every}


def dose_rows(dose: dict[str, Any]) -> list[tuple[str, str]]:
    """Iontophoretic dose in words."""
    rows = [
        ("Dose", _number(dose.get("dose_mA_min"), "mA·min")),
        ("Charge delivered", _number(dose["charge_C"], "C")
         if dose.get("charge_C") is not None else "n/a"),
        ("Duration", _number(dose["duration_s"] / 60, "min")  # [s -> min]
         if dose.get("duration_s") is not None else "n/a"),
        ("Current density under the drug electrode",
         _number(dose.get("current_density_mA_per_cm2"), "mA/cm²")
         + _too_high(dose, dose.get("current_density_mA_per_cm2"))),
    ]
    back = dose.get("return_current_density_mA_per_cm2")
    if back is not None:
        rows.append(("Current density under the return electrode",
                     _number(back, "mA/cm²") + _too_high(dose, back)))
    if dose.get("drug"):
        rows.append(("Drug", plain(dose["drug"]).replace("_", " ")))
    if dose.get("required_electrode"):
        ok = dose.get("polarity_ok")
        right = "not checked" if ok is None else ("right" if ok else "wrong")
        rows.append(("Drug electrode", f"{plain(dose['required_electrode'])} "
                                       f"(polarity {right})"))
    if dose.get("mass_delivered_mg") is not None:
        # one figure: the evidence says "order of magnitude only" (0.0702 mg read as a
        # measurement; probe of 5 December 2026)
        rows.append(("Drug delivered, order of magnitude",
                     f"about {readable(format(dose['mass_delivered_mg'], '.1g'))} mg"))
    return rows


def dbs_channels_text(dbs: Mapping[str, Any]) -> str:
    """The channels a DBS activation superposes, with their currents, and the radius at
    each cathode (the run's summary gave the largest radius, as if of one channel).

    >>> chans = [{"name": "1", "current_A": 3e-3}, {"name": "2", "current_A": 2e-3}]
    >>> contacts = [{"placement": "lead_contact_1", "role": "cathode", "radius_m": 3.21e-3},
    ...             {"placement": "lead_contact_3", "role": "cathode", "radius_m": 2.87e-3}]
    >>> print(dbs_channels_text({"channels": chans, "contacts": contacts}))
    channels 1 (3 mA) and 2 (2 mA) together; radius 3.2 mm at contact 1, 2.9 mm at contact 3
    """
    from estim.leads import contact_name

    names = [f"{plain(c['name'])} ({current_text(c['current_A'])})"
             for c in dbs.get("channels") or []]
    joined = ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)
    cathodes = [c for c in dbs["contacts"] if c["role"] == "cathode"] or dbs["contacts"]
    radii = ", ".join(f"{c['radius_m'] * 1e3:.2g} mm at contact "  # [m -> mm]
                      f"{contact_name(c['placement']).upper()}" for c in cathodes)
    return f"channels {joined} together; radius {radii}"


def dbs_rows(dbs: dict[str, Any]) -> list[tuple[str, str]]:
    """The tissue a DBS setting activates, in words: lead, contacts, the current and the
    impedance it came through, volume and radii beside the field-threshold shortcut."""
    from estim.leads import contact_name, get_lead

    lead = get_lead(dbs["lead"])
    roles = ", ".join(f"contact {contact_name(c['placement']).upper()} {c['role']}"
                      for c in dbs["contacts"])
    if not any(c["role"] == "anode" for c in dbs["contacts"]):
        roles += ", the case (IPG) as return"
    rows = [("Lead", f"{lead.title}, {lead.diameter_m * 1e3:.3g} mm, "  # [m -> mm]
                     f"{len(lead.contacts)} contacts"),
            ("Active contacts", roles)]
    if dbs["control"] == "voltage" and dbs.get("load_ohm"):
        rows.append(("Current into the tissue",
                     f"{current_words(dbs['current_A'])} ({_number(dbs['amplitude'], 'V')} over "
                     f"{_ohm(dbs['load_ohm'])}, {plain(dbs['impedance_source'])})"))
    else:
        rows.append(("Current into the tissue", current_words(dbs["current_A"])))
    if dbs.get("limited_by"):
        rows[-1] = (rows[-1][0], f"{rows[-1][1]}; limited: {plain(dbs['limited_by'])}")
    chans = dbs.get("channels") or []
    if len(chans) > 1:  # the rows above are channel 1's; the activation is theirs together
        rows[-1] = (f"{rows[-1][0]}, channel {plain(dbs['channel'])}", rows[-1][1])
        rows.append(("Channels superposed in the activation",
                     ", ".join(f"{plain(c['name'])}: {current_words(c['current_A'])}"
                               for c in chans)))
    rows.append(("Lead impedance from the field solution (tissue and encapsulation, no "
                 "electrode interface)", _ohm(dbs["field_impedance_ohm"])))
    edge = " (reaches the modelled grid's edge: a lower bound)" if dbs.get("beyond_grid") \
        else ""
    rows.append((f"Activated volume ({dbs['fiber_diameter_m'] * 1e6:.2g} µm axons, "
                 f"{_seconds(dbs['pulse_width_s'])} pulse)",
                 _number(dbs["volume_mm3"], "mm³") + edge))
    for c in dbs["contacts"]:
        rows.append((f"Activation radius at contact {contact_name(c['placement']).upper()} "
                     f"({c['role']}), from the lead axis",
                     f"{_number(c['radius_m'] * 1e3, 'mm')}; field threshold "  # [m -> mm]
                     f"{_number(c['field_radius_m'] * 1e3, 'mm')}"))
    diff = dbs.get("field_vs_axon_volume")
    rows.append((f"Field-threshold shortcut ({dbs['field_threshold_V_per_m'] / 1e3:.2g} V/mm)",
                 _number(dbs["field_volume_mm3"], "mm³")
                 + (f", {diff:+.0%} against the axon model" if diff is not None else "")))
    return rows
