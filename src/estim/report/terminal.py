"""Terminal summary of a :class:`Result` (rich tables)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from estim.report.body_rows import (
    VOLTAGE_CAPACITANCE_WORDS,
    assumed_lead_words,
    at_name,
    band_range,
    clinical_impedance_words,
    count_short,
    dbs_channels_text,
    dial_ohms,
    dial_volts,
    doses_of,
    in_amperes,
    pain_beside_a_pass,
    programmed_words,
    reach_limited,
    recruited_text,
    sample_edge,
)
from estim.report.page import (
    beyond_device,
    current_words,
    device_top,
    edge_distance,
    expectation_words,
    fatigue_understated,
    force_caveats,
    fused,
    most_force_words,
    muscle_away_notes,
    newtons_apply,
    orders_too_close,
    other_steps,
    pain_distance,
    people_text,
    thresholds_at_the_edge,
    varied_words,
    with_sample_words,
)
from estim.safety.verdicts import repeats_as_programmed, rule_meaning
from estim.text import (
    duration_text,
    ohm_text,
    percent_text,
    readable,
    terminal_text,
    wrap_keeping_units,
)
from estim.units import format_si

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from estim.simulate import Result

__all__ = ["console", "render_brief", "render_effects", "render_summary", "terminal_text"]


def _dose_density(dose: dict[str, Any]) -> str:
    """The current density under the drug pad, and under the return pad where that one is
    over the limit (it read "0.167 mA/cm²" beside a FAIL of the return pad's 1.33)."""
    text = f"{dose['current_density_mA_per_cm2']:.3g} mA/cm² under the drug"
    back = dose.get("return_current_density_mA_per_cm2")
    limit = dose.get("current_density_limit_mA_per_cm2")
    if back is not None and limit is not None and back > limit * (1 + 1e-12):
        text += f" ({back:.3g} mA/cm² under the return pad: too high)"
    return text

def console(*, stderr: bool = False) -> Console:
    """A Rich console for estim's faces. When the reader of a pipe goes away (``estim check
    | head -1``) it raises :class:`BrokenPipeError` for the command to end quietly, where
    Rich's own handler exits with status 1, which a script would read as a failed rule."""
    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            self.quiet = True
            raise BrokenPipeError

    return _Console(stderr=stderr)


def render_summary(result: Result, console: Console,
                   data: dict[str, Any] | None = None) -> None:
    """Program, per-channel output metrics, then the safety check; ``data`` (the run's
    ``results.json``) lets the effects say what lies past the device's reach."""
    from rich.table import Table
    from rich.text import Text

    p = result.program
    console.rule(f"[bold]{terminal_text(p.name)}")
    if p.description:
        console.print(terminal_text(p.description, newlines=True))
    if p.source:
        console.print(f"[dim]source: {terminal_text(p.source)}[/dim]")
    table = Table(title="Output at the programmed amplitude (exact, from the pulse model; "
                        "r.m.s. over the worst 1 s, the largest phase)")
    # fold, not "…": "symmetric biphasic rectangu…" at 80 columns (probe of 5 December 2026)
    table.add_column("ch", overflow="fold")
    # at least its longest word wide: "cathodic-firs|t" at 80 columns (probe)
    longest = max((len(word) for stim in result.stimuli for word in stim.timing.shape.split()),
                  default=8)
    # below 80 columns the figures need the room: a narrower terminal folds the words
    table.add_column("waveform", overflow="fold",
                     min_width=min(longest, 20) if console.width >= 80 else None)
    volts = bool(result.stimuli) and result.stimuli[0].unit == "V"  # one control per device
    # two-line headers: the waveform's words need the room at 80 columns
    for col in ("peak", "r.m.s.", "mean\n|V|" if volts else "mean\n|I|", "d.c.",
                "phase\narea" if volts else "phase\ncharge", "duty"):
        table.add_column(col, justify="right", overflow="fold")
    for ch, stim, m in zip(p.channels, result.stimuli, result.metrics, strict=True):
        u = stim.unit
        q = "C" if u == "A" else "V·s"
        table.add_row(terminal_text(ch.name), terminal_text(stim.timing.shape),
                      _amount(m.peak, u),
                      _amount(m.rms_max_1s, u), _amount(m.mean_abs, u),
                      _amount(m.mean, u),
                      # an off channel's read "0 C", where the summary says "0 µC" (probe)
                      format_si(m.max_phase_charge, q) if m.max_phase_charge
                      else f"0 {'µC' if u == 'A' else 'µV·s'}",
                      # a fraction read as "1" beside its units (DBS probe): in per cent
                      percent_text(m.duty))
    console.print(table)
    from estim.program.options import Recharge
    from estim.program.stimulation import DBS

    for ch in p.channels:
        s = ch.stimulation
        if isinstance(s, DBS) and s.recharge is Recharge.PASSIVE:
            # a lead's 60 µs at 130 Hz read "duty 1": its recharge runs to the next pulse
            # (DBS probe of 6 December 2026)
            said = Text(f"duty of ch {terminal_text(ch.name, markup=False)}: its passive "
                        "recharge runs on to the next pulse; the leading phase alone is on "
                        f"{percent_text(s.pulse_width * s.frequency)} of the time",
                        style="dim")
            for line in wrap_keeping_units(said, console, console.width):
                console.print(line)
    from estim.safety import render_check

    render_check(result.safety, console, titled=False)  # the rule above names it
    if result.effects is not None:
        render_effects(result.effects, console, data=data)


def _amount(value: float, unit: str) -> str:
    """A current as the window writes it (mA from 0.1 mA: "peak 300 µA" stood above "at
    0.3 mA" of the same microcurrent), a voltage in SI."""
    return current_words(value) if unit == "A" else format_si(value, unit)


def _order_lines(window: dict[str, Any], top: tuple[float, str] | None) -> list[str]:
    """The terminal's line for each pair of thresholds too close to order
    (:func:`~estim.report.page.orders_too_close`): the knee's twitch and pain, 9 % apart in
    one draw of fibers, that 960 fibers put the other way round.

    >>> [said] = _order_lines({"sensory_threshold_A": 0.00402, "motor_threshold_A": 0.0334,
    ...                        "pain_threshold_A": 0.0364}, None)
    >>> print(said)  # doctest: +NORMALIZE_WHITESPACE
    too close to order: a visible twitch (33.4 mA) and pain (36.4 mA) lie 9.0% apart,
    inside the model's ±18%: which comes first is not settled
    >>> _order_lines({"sensory_threshold_A": 0.00402, "motor_threshold_A": 0.0334,
    ...               "pain_threshold_A": 0.0364}, (0.030, "its 30 mA maximum"))
    []
    """
    return [f"too close to order: {lower} ({current_words(low)}) and {upper} "
            f"({current_words(high)}) lie {high / low - 1:.1%} apart, inside the model's "
            f"±{spread:.0%}: which comes first is not settled"
            for lower, low, upper, high, spread in orders_too_close(window, top)]


def _edge_lines(window: dict[str, Any]) -> list[str]:
    """The terminal's line for each threshold the programmed current lies too close to
    (:func:`~estim.report.page.thresholds_at_the_edge`).

    >>> _edge_lines({"programmed_peak_current_A": 0.749, "sensory_threshold_A": 0.0876,
    ...              "motor_threshold_A": 0.313, "pain_threshold_A": 0.754})
    ["too close to call: 0.7% below pain (754 mA), inside the model's ±16%"]
    """
    at = window["programmed_peak_current_A"]
    return [f"too close to call: {edge_distance(at, amp)} {words} ({current_words(amp)}), "
            f"inside the model's ±{edge:.0%}"
            for words, amp, edge in thresholds_at_the_edge(window)]


def render_effects(effects: Any, console: Console,
                   data: dict[str, Any] | None = None) -> None:
    """The sensation window, force and dose, each with its evidence level; with ``data``
    (the run's ``results.json``), the thresholds past the device's reach said so, and a
    pair too close to order left unsaid where the device cannot reach it, as the summary
    does."""
    from rich.table import Table
    from rich.text import Text

    d = effects.to_dict()
    w = d.get("sensation_window")
    if w is not None:
        t = Table(title=f"Sensation window, channel {terminal_text(w['channel'])} (fiber "
                  f"thresholds: {terminal_text(w['evidence']['thresholds'])}; anatomy: "
                  f"{terminal_text(w['evidence']['anatomy'])})")
        # the bands and the people as the summary has them (-v showed less: probe of 6
        # December 2026)
        bands = w.get("bands") or {}
        t.add_column("threshold")
        t.add_column("peak current", justify="right")
        if bands:
            t.add_column("p10–p90", justify="right")
        t.add_column("criterion")
        # the strong tingling too: the summary had it and -v not (docs audit of 7 December
        # 2026); a band whose upper end is where the fiber sample ends marked as there
        edge = sample_edge(bands)
        for name, key in (("sensory", "sensory"), ("strong tingling", "strong_tingling"),
                          ("motor", "motor"), ("pain", "pain")):
            amp = w.get(f"{key}_threshold_A")
            if amp is None and key == "strong_tingling":
                continue
            band = _band(bands.get(key), amp).strip("()") if bands else ""
            if band and edge.get(key):
                band += "†"
            t.add_row(name, current_words(amp), *([band] if bands else []),
                      terminal_text(w.get(f"{key}_criterion") or ""))
        t.add_row("[bold]driven[/bold]" if w.get("held_by_device") else "[bold]programmed[/bold]",
                  current_words(w["programmed_peak_current_A"]), *([""] if bands else []),
                  terminal_text(recruited_text(w["recruited_at_programmed"])))
        console.print(t)
        if bands:
            console.print(f"[dim]p10–p90 over {bands['subjects']} virtual people differing "
                          f"in {', '.join(varied_words(bands))}[/dim]")
            if any(edge.values()):
                console.print("[dim]† the upper end lies where the model's sample of nerve "
                              "fibers ends: not a prediction[/dim]")
        # what the summary says beside the table, here too (-v said neither; probe of
        # 7 December 2026), with the device's reach (-v said a pair past a 30 mA device's
        # reach, and marked no threshold beyond it; probe of 8 December 2026)
        top = device_top(data, w["channel"]) if data is not None else None
        past = [name for name, key in (("sensory", "sensory"), ("motor", "motor"),
                                       ("pain", "pain"))
                if top is not None and (amp := w.get(f"{key}_threshold_A")) is not None
                and amp > top[0] * (1 + 1e-9)]
        if top is not None and past:
            console.print(f"[dim]beyond {terminal_text(top[1])}: {', '.join(past)}[/dim]")
        for order in _order_lines(w, top):
            console.print(Text(order, style="yellow"))
        for near in _edge_lines(w):
            console.print(Text(near, style="yellow"))
    s = d.get("sensation")
    if s is not None:
        at = at_name(d.get("sensation_window") or {})
        evidence = terminal_text(s["evidence"])
        console.print(f"[bold]At {at}:[/bold] "
                      f"{terminal_text(s.get('words') or s['phrase'])} "
                      f"({terminal_text('; '.join(s['reasons']))}). "
                      f"[dim]{evidence[:1].upper() + evidence[1:]}[/dim]")
        people = people_text(w) if w is not None else ""
        if people:  # with the summary's words on who is counted only where the sample ends
            bands = w["bands"]
            console.print(with_sample_words(
                f"Of {bands['subjects']} virtual people: {terminal_text(people)}",
                bands.get("undecided_at_programmed") or {}, bands["subjects"]))
    f = d.get("force")
    if f is not None and f["first_contraction_peak_N"] is not None:
        ratio = "n/a" if f["fatigue_ratio"] is None else f"{f['fatigue_ratio']:.2f}"
        if newtons_apply(f) or not f.get("max_force_N"):
            sizes = (f"first contraction {f['first_contraction_peak_N']:.0f} N, last "
                     f"{f['last_contraction_peak_N']:.0f} N over {f['contractions']} "
                     f"contractions (fatigue ratio {ratio}; maximal {f['max_force_N']:.0f} N)")
        else:  # the force model's newtons are the quadriceps' (probe of 5 December 2026)
            top = f["max_force_N"]
            sizes = (f"first contraction {f['first_contraction_peak_N'] / top:.0%}, last "
                     f"{f['last_contraction_peak_N'] / top:.0%} of the "
                     f"{terminal_text(f['muscle'])}'s maximal over {f['contractions']} "
                     f"contractions (fatigue ratio {ratio})")
        # wrapped keeping a number with its unit (-v split "1" / "A"; probe of 6 December
        # 2026), under its own column
        _hanging(console, "", Text.from_markup(f"[bold]Force:[/bold] {sizes}. "
                                               f"[dim]{terminal_text(f['evidence'])}[/dim]"))
    doses = doses_of(d)
    for dose in doses.values():
        drug = f", {terminal_text(dose['drug'])}" if dose["drug"] else ""
        mass = (f", about {readable(format(dose['mass_delivered_mg'], '.1g'))} mg delivered"
                if dose["mass_delivered_mg"] is not None else "")
        # with several iontophoresis channels on, each dose names its channel
        whose = f" (channel {terminal_text(dose['channel'])})" if len(doses) > 1 else ""
        _hanging(console, "", Text.from_markup(
            f"[bold]Dose{whose}:[/bold] {dose['dose_mA_min']:.3g} mA·min over "
            f"{dose['duration_s'] / 60:.3g} min, {_dose_density(dose)}{drug}{mass}. "
            f"[dim]{terminal_text(dose['evidence'])}[/dim]"))
        for line in dose["findings"]:
            _hanging(console, "! ", Text(terminal_text(line, markup=False), style="yellow"))
    for note in d.get("notes", []):
        _hanging(console, "note: ", Text(readable(terminal_text(note, markup=False)),
                                         style="dim"))


def fatigue_words(ratio: float) -> str:
    """The last contraction's peak over the first's, as a change in words.

    >>> [fatigue_words(r) for r in (0.99, 0.62, 1.0, 1.04)]
    ['1% weaker', '38% weaker', 'as strong', '4% stronger']
    """
    change = round(100 * (ratio - 1.0))
    if change == 0:
        return "as strong"
    return f"{abs(change)}% {'weaker' if change < 0 else 'stronger'}"


def _tissue_load(findings: list[dict[str, Any]]) -> tuple[str, str] | None:
    """The site's own load a run judged some rule into ("200 Ω") and whether it is above or
    below the 500 Ω test load (:attr:`estim.safety.verdicts.Finding.site_load_ohm`); None
    where every rule was judged into a standard test load.

    >>> _tissue_load([{"site_load_ohm": None}, {"site_load_ohm": 200.0}])
    ('200 Ω', 'below')
    >>> _tissue_load([{"site_load_ohm": 24_500.0}])
    ('24.5 kΩ', 'above')
    """
    from estim.safety.output import SURFACE_TEST_LOAD_OHM
    from estim.text import ohm_text

    for f in findings:
        load = f.get("site_load_ohm")
        if load is not None:
            return ohm_text(load), "below" if load < SURFACE_TEST_LOAD_OHM else "above"
    return None


def render_brief(data: dict[str, Any], console: Console) -> None:
    """The answer first, on one 80 x 50 screen: the program in a line, the safety verdict
    with any rule that fails or warns, the output an engineer looks at first, and the
    sensation window with what it means at the programmed intensity (``data`` is
    :func:`estim.report.run.result_to_dict` of a result). ``-v`` prints everything."""
    from rich.text import Text

    from estim.safety.render import expectation_text, rule_name

    prog = data["program"]
    chans = data["channels"]
    kinds = ", ".join(sorted({c["modality"] for c in chans}))
    console.print(f"[bold]{terminal_text(prog['name'])}[/bold]  [dim]{terminal_text(kinds)}, "
                  f"{len(chans)} channel{'s' * (len(chans) > 1)}[/dim]")
    if prog.get("description"):  # is this the program meant? (its settings were in -v
        # alone; UX review of 6 December 2026)
        for line in wrap_keeping_units(Text(terminal_text(
                prog["description"], markup=False, newlines=True), style="dim"),
                console, console.width):  # "1" / "s down" split (review)
            console.print(line)
        if prog.get("description_differs"):  # an edited copy's old words (probe)
            _hanging(console, "", Text(f"(note: {prog['description_differs']})",
                                       style="yellow"))
    safety = data["safety"]
    verdict = safety["verdict"]
    colour = {"pass": "green", "warn": "yellow", "fail": "red"}.get(verdict, "white")
    # failures first: six warnings filled the screen and hid three failures (probe of
    # 6 December 2026)
    bad = sorted((f for f in safety["findings"] if f["verdict"] in ("fail", "warn")),
                 key=lambda f: f["verdict"] != "fail")
    console.print(f"\n[bold]Safety:[/bold] [{colour}]{verdict.upper()}[/{colour}]  "
                  f"[dim]{len(safety['findings'])} checks, "
                  f"{sum(f['verdict'] == 'fail' for f in bad)} failed, "
                  f"{sum(f['verdict'] == 'warn' for f in bad)} warned[/dim]")
    differs = expectation_text(prog.get("expected_verdict"), verdict)
    if differs is not None:
        console.print(f"  [yellow]{differs}[/yellow]")
    hurts = pain_beside_a_pass(data)
    if hurts:
        _hanging(console, "  ", Text(hurts, style="yellow"))
    tissue = _tissue_load(safety["findings"])
    # a rule that reads the same at the device maximum as programmed (a program set to the
    # maximum) is one line naming both: it was two (DBS probe of 7 December 2026)
    # (by value, as estim check folds: a programmed FAIL that warns at the maximum is the
    # FAIL's line; a verdict worse at the maximum keeps its own line, repeats_as_programmed)
    programmed = {(f["rule_id"], f["channel"], f.get("value")): f["verdict"] for f in bad
                  if f.get("setting") == "programmed"}
    lines = [f for f in bad if not repeats_as_programmed(
        f.get("setting"), (f["rule_id"], f["channel"], f.get("value")), f["verdict"],
        programmed)]
    both = {(f["rule_id"], f["channel"]) for f in bad if f not in lines}
    for f in lines[:6]:
        value = _finding_value(f)
        # which setting: the same rule at the programmed amplitude and the device maximum
        at = ", at the device maximum" if f.get("setting") == "device maximum" else ""
        if (f["rule_id"], f["channel"]) in both:
            at = ", as programmed and at the device maximum"
        _hanging(console, f"  {f['verdict'].upper():4}  ch {terminal_text(f['channel'])}  ",
                 Text.from_markup(f"{terminal_text(rule_name(f['description']))}: "
                                  f"{value}{at}"))
        # what it means for the person, where its name does not say: microcurrent's d.c.
        # WARN stood bare on the first screen (clinician's probe of 7 December 2026)
        meaning = rule_meaning(f["rule_id"], f["verdict"])
        if meaning:
            _hanging(console, "        ", Text(meaning, style="dim"))
    if len(lines) > 6:
        # estim check has no field: its verdicts can differ from the run's (docs/safety.md)
        console.print(f"  [dim]... and {len(lines) - 6} more (-v, results.json or the "
                      "report for all)[/dim]")
    if tissue:  # estim check's counts differ, into the test loads (probe, 6 December 2026)
        # after the rules it explains, in words: it stood above them, where it read as a
        # debug line (clinician's probe of 7 December 2026)
        load, side = tissue
        worse = ("a voltage-controlled output drives more current into it" if side == "below"
                 else "a current-controlled output puts more power into it")
        _hanging(console, "  ", Text(f"(the rules were also judged into this site's own "
                                     f"{load}, {side} the 500 Ω test load: {worse}; estim "
                                     "check uses the test loads alone)", style="dim"))
    doses = doses_of(data.get("effects") or {},
                   next((c["name"] for c in chans if c.get("modality") == "iontophoresis"),
                        None))
    fx = data.get("effects") or {}
    w = fx.get("sensation_window")
    why_not = next((n for n in fx.get("notes") or [] if n.endswith("; no sensation window")),
                   None)
    if w is None and why_not is not None:
        # said, as the report says it: iontophoresis's answer had no word of what a person
        # feels but "1 note on the model (-v to show them)" (issue 8 audit, 7 December 2026)
        console.print("\n[bold]What a person feels[/bold]")
        _hanging(console, "  ", Text("not predicted: " + terminal_text(
            why_not.removesuffix("; no sensation window"), markup=False)))
    if w is not None:
        console.print(f"\n[bold]What a person feels[/bold] [dim](channel "
                      f"{terminal_text(w['channel'])}, model prediction)[/dim]")
        for note in fx.get("notes") or []:  # whose channel it is: said behind -v only
            if "is off (0); what a person feels" in note or \
                    note.startswith("the sensation window is computed for channel") or \
                    note.startswith("channels on together share a pad"):
                _hanging(console, "  ", Text(terminal_text(note, markup=False), style="yellow"))
        bands = w.get("bands") or {}
        # "when": the criterion that defines the threshold, the same at every site and
        # program; "169 Aβ afferents fire" read as a result (clinician's probe of
        # 7 December 2026)
        rows = (("feels it", w["sensory_threshold_A"], bands.get("sensory"),
                 _short_words(w["sensory_criterion"])
                 or "when " + _criterion_words(w["sensory_criterion"])),
                # conventional TENS's own level: its lower edge was in the CLI only under
                # estim fibers (probe of 6 December 2026)
                *((("strong tingling", w["strong_tingling_threshold_A"],
                    bands.get("strong_tingling"),
                    _short_words(w.get("strong_tingling_criterion") or "")
                    or "when " + _criterion_words(w.get("strong_tingling_criterion") or "")),)
                  if w.get("strong_tingling_threshold_A") is not None else ()),
                # 50 Hz bursts make a contraction at the threshold, not twitches (probe)
                ("muscle contracts" if fused(w) else "muscle twitches",
                 w["motor_threshold_A"], bands.get("motor"),
                 f"visible: {w['muscle']}" if w.get("muscle") else "visible contraction"),
                ("starts to hurt", w["pain_threshold_A"], bands.get("pain"),
                 "when " + _criterion_words(w["pain_criterion"])))
        top = device_top(data, w["channel"])
        # a band whose p90 may lie where the fiber sample ends: microcurrent's strong
        # tingling read "(0.24–1.7)" above its pain and twitch bands, unmarked (clinician's
        # probe of 7 December 2026)
        at_edge = {label: n for label, key in (("feels it", "sensory"),
                                               ("strong tingling", "strong_tingling"))
                   if (n := sample_edge(bands).get(key))}
        for label, amp, band, why in sorted(rows,
                                            key=lambda r: math.inf if r[1] is None else r[1]):
            short = why.endswith(_OUTSIDE)
            line = Text(why, style="yellow" if short else "dim")
            beyond = beyond_device(amp, top).strip()
            if beyond:  # a 100 mA device's twitch at 536 mA read as reachable
                line.append(f" {beyond}", style="yellow")
            shown = _band(band, amp)
            if label in at_edge and shown.endswith(")"):
                shown = f"{shown[:-1]}†)"
            _hanging(console, f"  {label:<16} {current_words(amp):>9} {shown:<14} ", line)
        if at_edge:
            # each row's own count where two differ (review of 7 December 2026)
            who = (f"{next(iter(at_edge.values()))}" if len(set(at_edge.values())) == 1
                   else " and ".join(f"{n} ({label})" for label, n in at_edge.items()))
            _hanging(console, "  ", Text(f"† the upper end lies where the model's sample of "
                                         f"nerve fibers ends ({who} of the "
                                         f"{bands['subjects']} people need more afferents than "
                                         "it holds): not a prediction", style="dim"))
        if bands:
            # the first figure is the reference anatomy's, not the median (probe); under
            # the table it explains (a knee's muscle note came between them; clinician's
            # probe of 7 December 2026)
            _hanging(console, "  ", Text(f"(the reference anatomy's threshold, then p10–p90 "
                                         f"over {bands['subjects']} virtual people differing "
                                         f"in {', '.join(varied_words(bands))})",
                                         style="dim"))
        # two thresholds one draw of fibers apart: the knee's twitch and pain read as an
        # order that 960 fibers reversed (issue 8, 7 December 2026)
        for order in _order_lines(w, top):
            _hanging(console, "  ", Text(order, style="yellow"))
        for note in muscle_away_notes(fx):  # a lateral knee pad's twitch is not its own
            _hanging(console, "  ", Text(terminal_text(note, markup=False), style="yellow"))
        dial = dial_volts(data, w)
        if dial:  # the window is in A at the fibers; this device is set in V
            _hanging(console, "  ", Text(dial))
        s = fx.get("sensation") or {}
        phrase = s.get("phrase", "")
        # wrapped under its own indent, so a narrow terminal does not carry it to column 0
        at_words = programmed_words(data, w)
        if reach_limited(data, w["channel"]):
            at_words = f"{current_words(w['programmed_peak_current_A'])}, what the device drives"
        # the phrase is plain already; a contraction says how far pain is (the phrase and
        # its paraphrase side by side read twice: probe of 6 December 2026)
        how_far = pain_distance(w) if phrase == "contraction, below pain" else ""
        verdict = Text.from_markup(f"[bold]at {at_words}:[/bold] "
                                   f"{terminal_text(s.get('words') or phrase)}"
                                   + (f"; {terminal_text(how_far)}" if how_far else ""))
        _hanging(console, "  ", verdict)
        # then how many of the virtual people feel what there, at once: the verdict is the
        # reference anatomy's, and "below pain" with 7 of 20 in pain read as no pain
        people = people_text(w)
        if people:
            painful = int(((bands.get("at_programmed") or {}).get("painful")) or 0)
            text = Text(with_sample_words(
                f"of {bands['subjects']} virtual people: {terminal_text(people)}",
                bands.get("undecided_at_programmed") or {}, bands["subjects"]),
                style="yellow" if painful and phrase != "painful" else "")
            _hanging(console, "  ", text)
        for near in _edge_lines(w):
            _hanging(console, "  ", Text(near, style="yellow"))
        if s.get("as_expected") is False:
            # each phrase quoted (they hold commas), and whether the model disagrees, as
            # the report says it
            words = expectation_words(data, s, thresholds_at_the_edge(w))
            _hanging(console, "  ", Text(terminal_text(words[0].lower() + words[1:],
                                                       markup=False), style="yellow"))
        for o in fx.get("other_channels") or []:  # each channel's own pads (probe)
            steps = other_steps(o, device_top(data, o["channel"]))
            held = ", what the device drives" if o.get("held_by_device") else ""
            force = o.get("force") or {}
            if force.get("first_contraction_peak_N") is not None and force.get("max_force_N"):
                newtons = (f"{force['first_contraction_peak_N']:.3g} N, "
                           if newtons_apply(force) else "")
                steps += (f"; first contraction {newtons}"
                          f"{force['first_contraction_peak_N'] / force['max_force_N']:.0%} "
                          "of maximal")
            _hanging(console, "  ", Text.from_markup(
                f"[bold]channel {terminal_text(o['channel'])}, at "
                f"{current_words(o['programmed_peak_current_A'])}{held}:[/bold] "
                f"{terminal_text(o.get('words') or o['sensation'])} [dim]({steps})[/dim]"))
            # its own close pair, under it (a second channel's went unsaid; probe)
            for order in _order_lines(o, device_top(data, o["channel"])):
                _hanging(console, "    ", Text(order, style="yellow"))
    dbs = fx.get("dbs_activation")
    if dbs is not None:
        cathodes = [c for c in dbs["contacts"] if c["role"] == "cathode"] or dbs["contacts"]
        radius = max((c["radius_m"] for c in cathodes), default=0.0) * 1e3  # [m -> mm]
        several = len(dbs.get("channels") or []) > 1  # the radii said below, each contact's
        # what the volume is, in a few words (probe of 6 December 2026: "94.1 mm³ (5.7 µm
        # axons)" left it to the reader)
        axon = f"{dbs['fiber_diameter_m'] * 1e6:.2g} µm axon"
        free = dbs.get("axon_free_radius_m")
        if dbs["volume_mm3"] <= 0:
            # "0 mm³, radius 0 mm" read as a region of no size; nothing fires where axons
            # lie (DBS researcher's probe of 7 December 2026)
            console.print("\n[bold]Activated tissue:[/bold] none [dim](no " + axon + " fires"
                          + (f" outside the encapsulation, {free * 1e3:.3g} mm from the "
                             "lead's axis" if free else "") + ")[/dim]")
        else:
            # the volume is outside the encapsulation, where the axons lie (it counted the
            # scar: DBS researcher's probe of 7 December 2026)
            # three figures, as the report gives it ("radius 3 mm" beside its 2.99 mm), and
            # an anode's lobe, which the volume holds (DBS researcher's probe of 7 December
            # 2026)
            from estim.leads import contact_name

            anodes = "".join(f", {c['radius_m'] * 1e3:.3g} mm at contact "  # [m -> mm]
                             f"{contact_name(c['placement']).upper()} (anode)"
                             for c in dbs["contacts"]
                             if c["role"] == "anode" and c["radius_m"] > 0)
            console.print("\n[bold]Activated tissue:[/bold] "
                          f"{readable(format(dbs['volume_mm3'], '.3g'))} mm³"
                          + ("" if several else f", radius {radius:.3g} mm"
                             + (f" at the cathode{anodes}" if anodes else ""))
                          + f" [dim](where {axon}s fire)[/dim]")
            # which lead: it was said nowhere, nor that a file without one got the
            # default (DBS researcher's probe of 7 December 2026)
            lead = (f"the {terminal_text(dbs['lead_title'])}"
                    if dbs.get("lead_title") and not dbs.get("lead_assumed") else "the lead")
            if free:  # none on a site without an encapsulation (review)
                _hanging(console, "  ", Text(f"outside the encapsulation round {lead}, where "
                                             "the axons lie", style="dim"))
        if dbs.get("lead_assumed") and dbs.get("lead_title"):
            _hanging(console, "  ", Text(assumed_lead_words(dbs), style="yellow"))
        if dbs.get("rate_hz"):
            _hanging(console, "  ", Text(
                f"a single pulse's thresholds: the {format_si(dbs['rate_hz'], 'Hz')} rate "
                "enters only through the pulse's recharge within its period (following, "
                "block and entrainment are not modelled)",
                style="dim"))
        if several:  # it described channel 1's alone
            _hanging(console, "  ", Text(dbs_channels_text(dbs), style="dim"))
        elif dbs.get("control") == "voltage" and not dbs.get("limited_by") \
                and dbs.get("current_A") and dbs.get("load_ohm"):
            # a voltage setting never said the current it drives (DBS probe of 6 December
            # 2026): the volume is that current's
            # whose load it is: a stated impedance was credited to the field solution
            # (review of 6 December 2026)
            whose = ("the field solution's tissue and encapsulation, no electrode interface"
                     if dbs.get("impedance_source") == "field solution" else
                     "the lead's impedance, as the program states it")
            _hanging(console, "  ", Text(
                f"{format_si(dbs['amplitude'], 'V')} drives "
                f"{current_words(dbs['current_A'])} through {dbs['load_ohm']:,.0f} Ω "
                f"({terminal_text(whose, markup=False)})", style="dim"))
            clinical = clinical_impedance_words(dbs)
            if dbs.get("impedance_source") == "field solution" and clinical:
                # a lead's measured impedance includes the interface and is higher: the
                # volume read as a clinical one (DBS researcher's probe of 7 December 2026)
                _hanging(console, "  ", Text(clinical, style="yellow"))
        if dbs.get("control") == "voltage" and dbs.get("load_ohm"):
            # as the report says it, also where several channels or a limit are said above
            # (review of 7 December 2026)
            _hanging(console, "  ", Text(VOLTAGE_CAPACITANCE_WORDS, style="dim"))
        if dbs.get("beyond_grid"):  # a lower bound read as the volume (probe)
            _hanging(console, "  ", Text("at least: the activated region reaches the edge of "
                                         "the modelled grid", style="yellow"))
        for note in dbs.get("notes") or []:  # a channel left out of the volume
            if "runs a different pulse" in note or "runs its pulses at another rate" in note \
                    or note.startswith("the brain domain ("):
                _hanging(console, "  ", Text(terminal_text(note, markup=False), style="yellow"))
        for other in dbs.get("apart") or []:  # and what it activates alone (probe)
            least = "at least " if other.get("beyond_grid") else ""
            _hanging(console, "  ", Text(
                f"channel {terminal_text(other['name'], markup=False)} alone: {least}"
                f"{readable(format(other['volume_mm3'], '.3g'))} mm³, radius {least}"
                f"{other['radius_m'] * 1e3:.2g} mm (the two interleaved together are not "
                "modelled)", style="yellow"))
        if dbs.get("limited_by"):  # 10 mA through a 3 V compliance read as 10 mA's volume
            _hanging(console, "  ", Text(f"limited: {terminal_text(dbs['limited_by'])}",
                                         style="yellow"))
        from estim.effects.dbs import shortcut_caveat

        caveat = shortcut_caveat(dbs.get("pulse_width_s"), dbs["field_threshold_V_per_m"])
        _hanging(console, "  ", Text(
            f"the common shortcut, a {dbs['field_threshold_V_per_m'] / 1e3:.2g} V/mm field "
            f"threshold, would give {readable(format(dbs['field_volume_mm3'], '.3g'))} mm³"
            + (f" ({caveat})" if caveat else ""), style="dim"))
    elif fx.get("dbs_activation_skipped"):
        console.print()
        _hanging(console, "", Text.from_markup(
            "[bold]Activated tissue:[/bold] " + terminal_text(
                fx["dbs_activation_skipped"].removeprefix("DBS activation "))))
    f = fx.get("force")
    if f is not None and f.get("first_contraction_peak_N") is not None:
        # "maximal" said as what it is, and the fatigue as a change, not a bare factor
        # ("31% of maximal at first; ×0.99 after 20 contractions": probe, 6 December 2026)
        # the share first: "95 N ... (311 N)" was read as a knee-extension strength, which
        # is a torque (clinician's probe of 7 December 2026)
        share = (f"{f['first_contraction_peak_N'] / f['max_force_N']:.0%} of the muscle's "
                 f"maximal force at first ({f['first_contraction_peak_N']:.0f} of the "
                 f"{f['max_force_N']:.0f} N the force model's muscle makes with every unit "
                 "at a fused rate; not a joint torque)"
                 if f.get("max_force_N") and newtons_apply(f) else
                 # the force model's newtons are the quadriceps' (probe of 5 December 2026)
                 f"{f['first_contraction_peak_N'] / f['max_force_N']:.0%} of the "
                 f"{terminal_text(f['muscle'])}'s maximal force at first"
                 if f.get("max_force_N") else
                 f"{f['first_contraction_peak_N']:.0f} N at first")
        fade = "" if f["fatigue_ratio"] is None else \
            f"; {fatigue_words(f['fatigue_ratio'])} after {f['contractions']} contractions"
        if fade and fatigue_understated(f):  # "1% weaker" read as a muscle that barely
            # tires (clinician's probe of 7 December 2026)
            fade += " in the force model (people tire faster: below)"
        whose = (f" (channel {terminal_text(w['channel'])})"
                 if w is not None and fx.get("other_channels") else "")
        line = Text.from_markup(f"[bold]Force{whose}:[/bold] {share}{fade}")
        console.print()
        if line.cell_len <= console.width:
            console.print(line)
        else:  # its figures under the heading, not wrapped back to column 0
            console.print(Text.from_markup(f"[bold]Force{whose}:[/bold]"))
            _hanging(console, "  ", Text(f"{share}{fade}"))
        most = most_force_words(f)
        if most:  # what compares two programs (probe of 6 December 2026)
            _hanging(console, "  ", Text(most))
        for caveat in force_caveats(f):  # twitches, a levelled fatigue, few units (probe)
            _hanging(console, "  ", Text(caveat, style="dim"))
    several = len(doses) > 1
    for dose in doses.values():
        # with several iontophoresis channels on, each dose names its channel (a second
        # channel's went unsaid; review of 6 December 2026)
        whose = f" (channel {terminal_text(dose['channel'])})" if several else ""
        said = (f"{dose['dose_mA_min']:.3g} mA·min, {_dose_density(dose)}"
                + (f", about {readable(format(dose['mass_delivered_mg'], '.1g'))} mg "
                   "delivered (order of magnitude only)"
                   if dose.get("mass_delivered_mg") is not None else ""))
        line = Text.from_markup(f"[bold]Dose{whose}:[/bold] {said}")
        console.print()
        if line.cell_len <= console.width:
            console.print(line)
        else:  # under its heading, not wrapped back to column 0 (probe, 6 December 2026)
            console.print(Text.from_markup(f"[bold]Dose{whose}:[/bold]"))
            _hanging(console, "  ", Text(said))
        # a wrong polarity, a density too high or a dose the device cannot drive are
        # the answer, not model notes (the summary dropped them; probe of 5 December 2026)
        for line in dose.get("findings", []):
            _hanging(console, "  ! ", Text(terminal_text(line, markup=False), style="yellow"))
    _output_block(console, data, chans, doses)
    notes = fx.get("notes", [])
    if notes:
        console.print(f"\n[dim]{len(notes)} note{'s' * (len(notes) > 1)} on the model "
                      "(-v to show them)[/dim]")


def _output_block(console: Console, data: dict[str, Any], chans: list[dict[str, Any]],
                  doses: dict[str, Any]) -> None:
    """The output at the programmed amplitude, each channel's peak, r.m.s. and charge:
    after what a person feels and what the program does, as the report orders them (a
    clinician read the engineer's figures first; probe of 7 December 2026)."""
    from rich.text import Text

    console.print("\n[bold]Output[/bold] [dim](at the programmed amplitude)[/dim]")
    for c in chans:
        m = c["metrics"]
        unit = "A" if "peak_A" in m else "V"
        if m[f"peak_{unit}"] == 0:  # exactly: a peak that could not be computed is None
            # an off channel read "peak 0 mA, r.m.s. 0 mA" over "phase charge 0 µC"
            # (DBS probe of 7 December 2026): one line says it is off
            _hanging(console, "  ", Text(f"ch {terminal_text(c['name'], markup=False)}: off "
                                         f"(peak {_amount(0.0, unit)})"))
            continue
        rate = m.get("pulses_per_s")
        rate_text = ""
        if rate and rate >= 1:
            shown = readable(f"{rate:.3g}")
            # the metric's event: a Russian burst, an interferential carrier cycle (a
            # Russian current's 8.33 "pulses/s" were bursts; probe of 5 December 2026)
            event = {"russian": "burst", "interferential": "carrier cycle"}.get(
                c.get("modality", ""), "pulse")
            if "premodulated" in c.get("waveform", ""):  # its events are the beats (review)
                event = "beat"
            # over the session: NMES's 50 Hz read "mean 8.32 pulses/s" beside its 10 s on,
            # 50 s off (probe of 6 December 2026)
            rate_text = (f", {shown} {event}{'' if shown == '1' else 's'}/s on average over "
                         "the session")
        # a voltage-controlled output's phase "charge" is a voltage-time area (V·s)
        q = m.get("max_phase_charge_C")  # 0 reads "0 µC" as in the other faces, not "0 C"
        charge = (f"phase charge {format_si(q, 'C') if q else '0 µC'}" if unit == "A"
                  else f"phase area {format_si(m['max_phase_charge_V_s'], 'V·s')}")
        session_q = m.get("session_charge_C")
        if c.get("modality") == "iontophoresis" and unit == "A" and session_q is not None:
            # d.c.: no phases; the session's charge, what the dose is made of
            # and how long it runs: the screen gave no session length (clinician's probe
            # of 7 December 2026)
            length = c.get("session_s")
            charge = (f"charge {format_si(session_q, 'C') if session_q else '0 µC'} over the "
                      + (f"{duration_text(length)} session" if length else "session"))
        elif unit == "V":  # "phase area" is the voltage's time integral over a phase
            charge = ("voltage-time area of a phase "
                      f"{format_si(m['max_phase_charge_V_s'], 'V·s')}")
            ohms = dial_ohms(data, c["name"])
            if ohms is not None:
                # HVPC's dose is charge, per pulse and per second (wound trials give µC/s):
                # the volt-seconds alone told a clinician nothing (probe of 7 December
                # 2026); into the tissue and skin interface the fibers see, as the window's
                # a monophasic pulse's charge (a twin peak's two), else a phase's: a
                # balanced pulse's net charge read "0 C a pulse" beside 1.97 mC/s
                # (hostile probe of 7 December 2026)
                net, phase = m["max_net_charge_per_pulse_V_s"], m["max_phase_charge_V_s"]
                monophasic = net > 0.99 * phase
                pulse_q = (net if monophasic else phase) / ohms
                per_s = m["mean_abs_V"] / ohms  # [A = C/s], |charge| over the session
                charge += (f" (into this site's {ohm_text(ohms)} of tissue and skin "
                           f"interface: {format_si(pulse_q, 'C')} a "
                           f"{'pulse' if monophasic else 'phase'}, "
                           f"{format_si(per_s, 'C')}/s over the session)")
        limited = reach_limited(data, c["name"])
        # a lead's held channels are named where there are several; the dose is the first
        # iontophoresis channel's (each channel read "as set" where one was held; review)
        held_by = ((data.get("effects") or {}).get("dbs_activation") or {}).get("limited_by")
        dbs_held = bool(held_by) and (len(chans) == 1
                                      or f"channel {c['name']!r}: " in str(held_by))
        # each dose's own channel (it marked the first channel, a TENS channel listed before
        # the iontophoresis one; probe of 6 December 2026)
        dose_held = any("compliance drives at most" in f
                        for f in (doses.get(c["name"]) or {}).get("findings") or [])
        # the output as set, where the device cannot drive it: "peak 25 mA, r.m.s. 4.47 mA"
        # stood above "the device drives 15.4 mA" (probe of 6 December 2026)
        as_set = " as set" if limited or dbs_held or dose_held else ""
        # under its own indent where a long channel name wraps it (probe of 6 December 2026)
        _hanging(console, "  ", Text(f"ch {terminal_text(c['name'], markup=False)}: peak "
                                     f"{_amount(m[f'peak_{unit}'], unit)}{as_set}, r.m.s. "
                                     f"{_amount(m[f'rms_max_1s_{unit}'], unit)} (worst 1 s)"))
        # the charge too: a lead's "phase charge 600 nC" read as what reached the tissue
        # at a 3 V compliance that drives 222 nC of it (DBS probe of 6 December 2026)
        # (not the d.c. session's charge: "over the session as set"; review)
        charge_set = "" if charge.startswith("charge ") else as_set
        _hanging(console, "    ", Text(f"{charge}{charge_set}{rate_text}"))
        if limited:  # a 3 V compliance's 60 mA read as delivered (probe of 5 December 2026)
            _hanging(console, "    ", Text(limited, style="yellow"))
        elif dbs_held:
            # a lead's 10 mA through a 3 V compliance read as delivered here (probe)
            _hanging(console, "    ", Text("the device cannot drive all of it: see the "
                                            "activated tissue above", style="yellow"))
        elif dose_held:
            _hanging(console, "    ", Text("the device cannot drive all of it: see the "
                                            "dose above", style="yellow"))


def _hanging(console: Console, prefix: str, text: Text) -> None:
    """``prefix`` then ``text`` wrapped to the terminal under its own column, so that a
    narrow terminal does not carry it back to column 0 (under four spaces where the column
    leaves less than 16 characters)."""
    from rich.text import Text

    room = console.width - len(prefix)
    indent = len(prefix) if room >= 16 else 4
    lines = wrap_keeping_units(text, console, max(16, console.width - indent))
    for k, line in enumerate(lines):
        lead = prefix if k == 0 and indent == len(prefix) else " " * indent
        if k == 0 and indent != len(prefix):
            console.print(Text(prefix.rstrip()))
        console.print(Text(lead) + line)


def _band(band: dict[str, Any] | None, amps: float | None = None) -> str:
    """`(3.6–5.9)`: the p10–p90 range of a threshold over virtual subjects, in the unit
    the threshold ``amps`` is shown in (mA, or A from 1 A)."""
    text = band_range(band, unreached="∞", amperes=in_amperes(amps))
    return f"({text})" if text else ""



_OUTSIDE = "outside the calibrated range"


def _short_words(criterion: str) -> str:
    """`all 15 Aβ afferents fire (169 needed): outside the calibrated range` where the
    count needs more afferents than lie under the pads (it said "169 Aβ afferents fire"
    of 1 x 1 cm pads with 15); empty otherwise."""
    short = count_short(criterion)
    if short is None:
        return ""
    return f"all {short[1]:,} Aβ afferents fire ({short[0]:,} needed): {_OUTSIDE}"


def _criterion_words(criterion: str) -> str:
    """A criterion in a few words: `detection: 167 Aβ afferents firing (44 % ...)` ->
    `167 Aβ afferents fire`."""
    head, _, rest = criterion.partition(": ")
    words = (rest or head).split(" (")[0].split(", ")[0]
    words = words.replace(" under and around the cathode", "").replace(" firing", " fire")
    if "periosteal" in criterion:  # pain counts the bone's Aδ with the skin's
        words = words.replace("the Aδ afferents", "Aδ (skin + bone)")
    return terminal_text(words)


def _finding_value(f: dict[str, Any]) -> str:
    """A finding's value and limit as the check prints them (20 kΩ, limit 2 kΩ; it read
    "20,000 Ω (limit 2000 Ω)")."""
    from estim.safety.table import DISPLAY_UNITS, beside_limit

    unit = f.get("display_unit", "")
    value, limit = f.get("value"), f.get("limit")
    if isinstance(value, int | float) and isinstance(limit, int | float) \
            and unit in DISPLAY_UNITS:
        shown, most = beside_limit(value, limit, unit)
        return terminal_text(f"{shown} (limit {most})")
    return terminal_text(f.get("note") or f.get("description") or "")
