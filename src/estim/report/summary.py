"""The report's summary: what the program is, what it puts out, whether it is safe, and
what a person feels and how hard the muscle pulls, in the few lines read first."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from estim.program.options import Verdict
from estim.program.override import described_elsewhere
from estim.report.body_rows import (
    at_name,
    count_short,
    dial_volts,
    doses_of,
    pain_beside_a_pass,
    programmed_words,
    reach_limited,
)
from estim.report.page import (
    FEEL_WORDS,
    MODALITY_WORDS,
    SITE_WORDS,
    VERDICT_WORDS,
    beyond_device,
    capitalised,
    current_words,
    device_top,
    edge_distance,
    expectation_words,
    fused,
    muscle_away_notes,
    number_words,
    ohm_symbols,
    order_sentence,
    orders_too_close,
    other_channels_words,
    people_text,
    plain,
    plain_sensation,
    pull_words,
    readable,
    seconds_words,
    shared_pad_notes,
    thresholds_at_the_edge,
    varied_words,
    with_sample_words,
)
from estim.safety.output import Setting
from estim.safety.render import format_value

if TYPE_CHECKING:
    from estim.safety.verdicts import Finding
    from estim.simulate import Result
    from estim.waveforms.stimulus import Stimulus

__all__ = ["summary"]


def _output_words(result: Result) -> str:
    """What the channels put out: "1 channel: 25 mA peak, 200 µs pulses at 80 Hz, for 30
    min"; "2 channels, each …" where they are alike, else each channel's (the summary
    gave the first channel's for all of them)."""
    names = [c.name for c in result.program.channels]
    # an implant runs on: its file's duration is the time assessed, not a session
    # ("for 60 min" of DBS; browser probe of 6 December 2026)
    words = [_stimulus_words(s, continuous=c.stimulation.type == "dbs")
             for s, c in zip(result.stimuli, result.program.channels, strict=True)]
    if len(words) == 1:
        return f"1 channel: {words[0]}"
    if len(set(words)) == 1:
        return f"{len(words)} channels, each {words[0]}"
    return f"{len(words)} channels: " + "; ".join(
        f"channel {plain(n)} at {w}" for n, w in zip(names, words, strict=True))


def _stimulus_words(stim: Stimulus, *, continuous: bool = False) -> str:
    """One line of what a channel puts out ("25 mA peak, 200 µs pulses at 80 Hz, for 30
    min"; ``continuous``: "continuously (60 min assessed)")."""
    t = stim.timing
    # a current as the terminal writes it: premodulated interferential's 30 mA read "29.99
    # mA peak", its sampled waveform's (probe of 7 December 2026)
    parts = [f"{current_words(stim.peak) if stim.unit == 'A' else format_value(stim.peak, 'V')}"
             " peak"]
    if t.carrier_hz and t.frequency_max_hz:  # a swept carrier (true interferential's beat)
        parts.append(f"on a {format_value(t.carrier_hz, 'Hz').removesuffix(' Hz')}–"
                     f"{format_value(t.frequency_max_hz, 'Hz')} carrier")
    elif t.carrier_hz:
        parts.append(f"on a {format_value(t.carrier_hz, 'Hz')} carrier")
    elif t.pulse_width_s and t.frequency_hz:
        parts.append(f"{seconds_words(t.pulse_width_s)} pulses at "
                     f"{format_value(t.frequency_hz, 'Hz')}")
    elif t.pulse_width_s:
        parts.append(f"{seconds_words(t.pulse_width_s)} pulses")
    if t.burst_frequency_hz:
        parts.append(f"in bursts at {format_value(t.burst_frequency_hz, 'Hz')}")
    if t.on_time_s and t.off_time_s:
        parts.append(f"{t.on_time_s:.3g} s on, {t.off_time_s:.3g} s off")
    parts.append(f"continuously ({stim.duration_s / 60:.3g} min assessed)" if continuous
                 else f"for {stim.duration_s / 60:.3g} min")
    return ", ".join(parts)



def _rules_not_passing(findings: Sequence[Finding]) -> list[str]:
    """Each rule of ``findings`` that does not pass, by its name (the description up to its
    formula or parenthesis), with "(at the device maximum only)" where the same rule on the
    same channel passes at the programmed setting. The summary gave the rules' formulas and
    not where, so a rule tripped at a 500 V maximum read as if the programmed 150 V were
    over it (phone probe of 6 December 2026); a rule judged at the maximum alone (a channel
    programmed at 0, the indicator) is not said to pass at the setting (review)."""
    passing_as_set = {(f.rule_id, f.channel) for f in findings
                      if f.setting is Setting.PROGRAMMED and f.verdict is Verdict.PASS}
    where: dict[str, bool] = {}
    for f in findings:
        if f.verdict is Verdict.PASS:
            continue
        name = capitalised(ohm_symbols(plain(re.split(r": | \(", f.description, maxsplit=1)[0])))
        at_max_only = (f.setting is Setting.DEVICE_MAXIMUM
                       and (f.rule_id, f.channel) in passing_as_set)
        where[name] = where.get(name, True) and at_max_only
    return [name + (" (at the device maximum only)" if only else "")
            for name, only in sorted(where.items())]


def summary(result: Result, data: dict[str, Any]) -> dict[str, Any]:
    """The plain-language summary at the top of the report."""
    p = result.program
    kinds = sorted({c.stimulation.type for c in p.channels})
    # where the beat is made, the one thing a learner must take away: the premodulated
    # report said its single channel's carriers "beat in the tissue" (educator probe of
    # 6 December 2026)
    modes = {str(getattr(c.stimulation, "mode", "")) for c in p.channels
             if c.stimulation.type == "interferential"}
    kind_words = dict(MODALITY_WORDS)
    if p.true_interferential:
        # not "True ..." at the start of the sentence, which reads as Python's True
        kind_words["interferential"] = (
            "interferential current of two channels (true, 4-pole: medium-frequency carriers "
            "on crossing pads, which beat where their fields meet in the tissue)")
    elif modes == {"premodulated"}:
        kind_words["interferential"] = (
            "interferential current of one channel (premodulated, 2-pole: one "
            "medium-frequency carrier, modulated at the beat inside the device, so the whole "
            "current path gets the beat)")
    modality = " and ".join(kind_words.get(k, k) for k in kinds)
    site = SITE_WORDS.get(p.site.name, plain(p.site.name).replace("_", " "))
    what = f"{capitalised(modality)} on the {site}, {_output_words(result)}."
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
        rules = _rules_not_passing(report.findings)
        safety = (f"Of {len(report.findings)} safety checks, {counts}: "
                  + "; ".join(rules[:4]) + ("; …" if len(rules) > 4 else "") + ".")
    hurts = pain_beside_a_pass(data)
    if hurts:
        safety += f" {hurts[0].upper()}{hurts[1:]}."
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
                        f"would most likely feel "
                        f"{plain_sensation(s.get('words') or s['phrase'], w, FEEL_WORDS)}.")
        else:
            feel.append(f"At the programmed {at_words}, a person would "
                        f"most likely feel "
                        f"{plain_sensation(s.get('words') or s['phrase'], w, FEEL_WORDS)}.")
        pull = pull_words(fx.get("force") or {})
        if pull:
            feel.append(pull)
        channels = other_channels_words(fx, w, data)  # whose pads, the others' (after the steps)
        feel.extend(channels[:1])
        steps = [(w["sensory_threshold_A"], "start to feel it"),
                 (w["motor_threshold_A"], f"see the {w.get('muscle') or 'muscle'} "
                  f"{'contract' if fused(w) else 'twitch'}"),
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
        # right after the order it qualifies: the knee's twitch and pain, one draw apart
        feel.extend(order_sentence(*pair) for pair in orders_too_close(w, top))
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
                        f"fibers moves that threshold by about ±{fraction:.0%}, so the model "
                        "cannot say on which side of it a person falls.")
        if s.get("as_expected") is False:
            feel.append(expectation_words(data, s, edge))
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
        # what an iontophoresis program is for, in the summary too (it was only further
        # down; browser probe of 6 December 2026)
        for dose in doses_of(fx).values():
            mass = dose.get("mass_delivered_mg")
            feel.append(
                f"It delivers a dose of {number_words(dose.get('dose_mA_min'), 'mA·min')} "
                f"at {number_words(dose.get('current_density_mA_per_cm2'), 'mA/cm²')} under "
                "the drug pad" + (f", about {readable(format(mass, '.1g'))} mg of the drug "
                                  "(an order of magnitude only)" if mass is not None else "")
                + ".")
    return {"what": what, "description": plain(p.description),
            "description_differs": described_elsewhere(p), "source": plain(p.source),
            "verdict": verdict, "verdict_words": VERDICT_WORDS[verdict], "safety": safety,
            "feel": feel}
