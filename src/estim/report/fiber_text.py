"""The terminal faces of ``estim fibers``: a program's fiber classes and one fiber's
threshold under a point source, from the reports the command also prints as JSON."""

from __future__ import annotations

import shutil
import textwrap
from typing import Any

from estim.safety.render import format_value  # µs, and ms from 1,000 µs
from estim.text import current_text, readable, terminal_text

__all__ = ["print_fiber_program", "print_point_threshold"]


def _ma(v: float | None) -> str:
    return "not reached" if v is None else current_text(v, smallest="mA")


#: Each fiber class as the terminal names it.
_CLASS_WORDS = {"abeta": "Aβ", "adelta": "Aδ", "c": "C", "motor": "motor",
                "periosteal": "periosteal"}  # Aδ too: the notes say so


def _model_words(model: str) -> str:
    """A fiber model's name as written in the literature.

    >>> _model_words("mrg + sundt free ending")
    'MRG + Sundt free ending'
    """
    from estim.text import terminal_text

    return terminal_text(model.replace("mrg", "MRG").replace("sundt", "Sundt"))


def print_fiber_program(report: dict[str, Any], console: Any) -> None:
    """``estim fibers PROGRAM``'s answer (its JSON report) as a table of the fiber classes'
    thresholds and the window's thresholds with their criteria."""
    from rich.table import Table
    from rich.text import Text

    from estim.report.body_rows import dial_volts, reach_limited, sample_edge, set_words
    from estim.report.terminal import _band, _hanging, terminal_text

    # whose cathode and pulse: true interferential's table read as channel A's alone, and
    # the title called a sine carrier a pulse (probe of 5 December 2026)
    ch = terminal_text(report["channel"])
    with_other = "".join(f", channel {terminal_text(o)}'s field superposed"
                         for o in report.get("superposed") or ())
    t = Table(title=f"{terminal_text(report['program'])}\nfiber thresholds (peak current) "
              f"under channel {ch}'s cathode{with_other}")
    last = ("recruited at what it drives" if report.get("held_by_device")
            else "recruited at programmed")
    for col in ("class", "model", "sampled", "lowest", "median", last):
        # a narrow terminal folds a cell rather than cutting its number ("27… mA")
        t.add_column(col, justify="right" if col not in ("class", "model") else "left",
                     overflow="fold")
    for name, c in report["classes"].items():
        # the classes as the run and the help name them, not their keys ("abeta", "mrg")
        t.add_row(_CLASS_WORDS.get(name, terminal_text(name)), _model_words(c["model"]),
                  str(c["count"]),
                  _ma(c["threshold_min_A"]), _ma(c["threshold_median_A"]),
                  f"{c['fraction_at_programmed']:.0%}")
    console.print(t)
    # "60" Aβ here and "169 of the 377" below read as a contradiction (probe of 6 December
    # 2026): the simulated fibers are a sample of the afferents the criteria count
    _hanging(console, "", Text("the sampled fibers stand for all of their class under and "
                               "around the cathode, which the criteria below count",
                               style="dim"))
    unreached = [f"{_CLASS_WORDS.get(name, terminal_text(name))} {c['not_reached']} of "
                 f"{c['count']}"
                 for name, c in report["classes"].items() if c["not_reached"]]
    if unreached:  # "not reached": above every current searched (the notes give the limit)
        _hanging(console, "", Text("not excited within the search: " + ", ".join(unreached)
                                   + " (the class's median counts them above the rest)"))
    _hanging(console, "", Text(
        (f"peak current the device drives {_ma(report['programmed_peak_current_A'])} (of "
         f"{set_words(report)} programmed)" if report.get("held_by_device")
         else f"programmed peak current {_ma(report['programmed_peak_current_A'])}")
        + "; load with the "
        f"skin interface {report['load_with_skin_interface_ohm']:.0f} Ω (tissue and "
        "skin–electrode interface, field solution)"))
    data = {"effects": {"device_reach": report.get("device_reach"),
                        "fields": {"channels": [{
                            "name": report["channel"],
                            "resistance_ohm": report["load_with_skin_interface_ohm"]}]}},
            "channels": [{"name": report["channel"], "control": report["control"]}]}
    limited = reach_limited(data, report["channel"])
    if limited:  # the table's "recruited at programmed" is at what the device drives
        _hanging(console, "", Text(limited + "; the table's last column is at what it "
                                   "drives", style="yellow"))
    volts = dial_volts(data, report)
    if volts:  # HVPC's thresholds as its dial reads them (it is set in volts)
        _hanging(console, "", Text(volts))
    bands = report.get("bands") or {}
    edge = sample_edge(bands)  # as estim run marks it (docs audit of 7 December 2026)
    for key, band, label in (("sensory", "sensory", "sensory"),
                             ("strong_tingling", "strong_tingling", "strong"),
                             ("motor", "motor", "motor"), ("pain", "pain", "pain")):
        v = report[f"{key}_threshold_A"]
        spread = _band(bands.get(band), v)
        if edge.get(band) and spread.endswith(")"):
            spread = f"{spread[:-1]}†)"
        line = Text(f"{_ma(v)} {spread}".rstrip() + "  ")
        line.append(f"criterion: {terminal_text(report[f'{key}_criterion'])}", style="dim")
        _hanging(console, f"{label:>8} threshold: ", line)
    if bands:
        console.print(f"(p10–p90 over {bands['subjects']} virtual people in brackets)",
                      style="dim")
        if edge:
            console.print("(† the upper end lies where the model's sample of nerve fibers "
                          "ends: not a prediction)", style="dim")
    for words, style in time_constant_lines(report.get("strength_duration")):
        _hanging(console, "", Text(words, style=style))
    for note in report.get("notes") or ():  # what the JSON says: why a class is "not reached"
        _hanging(console, "note: ", Text(terminal_text(note), style="dim"))
    for p in report["files"]:
        console.print(f"wrote {terminal_text(p)}")


def time_constant_lines(sd: dict[str, Any] | None) -> list[tuple[str, str]]:
    """The strength-duration time constants against people's, each with its style, and how
    they were taken: a researcher read "motor 400 µs (human 459 ± 126)" as agreement beside
    a sensory constant shorter than it, and the program's own pulses give others
    (researcher's probe of 6 December 2026).

    >>> sd = {"pulse_widths_s": [50e-6, 1e-3], "sensory": {"model_time_constant_s": 393e-6,
    ...       "human_mean_s": 665e-6, "human_sd_s": 182e-6}, "motor": {
    ...       "model_time_constant_s": 400e-6, "human_mean_s": 459e-6, "human_sd_s": 126e-6}}
    >>> lines = [line for line, _ in time_constant_lines(sd)]
    >>> lines[0][-58:]
    "; 1.5 SD below people's, under this pad (docs/effects.md))"
    >>> lines[1]
    'motor strength-duration time constant 400 µs (human 459 ± 126 µs)'
    >>> lines[2][:60]
    '(fitted on single monophasic pulses of 50 µs–1 ms, as Mogyor'
    >>> "0.98 × the motor one here, the shorter, where people's is the longer (× 1.45)" in lines[2]
    True
    """
    if not sd:
        return []
    lines = []
    for name in ("sensory", "motor"):
        s = sd[name]
        z = (s["model_time_constant_s"] - s["human_mean_s"]) / s["human_sd_s"]
        # a value outside people's spread said so (393 µs beside 665 ± 182 read as
        # agreeing: probe of 6 December 2026); docs/effects.md says why under a pad
        beyond = (f"; {abs(z):.1f} SD {'below' if z < 0 else 'above'} people's, under "
                  "this pad (docs/effects.md)" if abs(z) > 1 else "")
        lines.append((f"{name} strength-duration time constant "
                      f"{s['model_time_constant_s'] * 1e6:.0f} µs (human "  # [s -> µs]
                      f"{s['human_mean_s'] * 1e6:.0f} ± {s['human_sd_s'] * 1e6:.0f} µs"
                      f"{beyond})", ""))
    ratio = sd["sensory"]["model_time_constant_s"] / sd["motor"]["model_time_constant_s"]
    people = sd["sensory"]["human_mean_s"] / sd["motor"]["human_mean_s"]
    order = ("the longer, as people's is" if ratio > 1 else
             "the shorter, where people's is the longer")
    widths = sd.get("pulse_widths_s") or []
    span = (f" of {format_value(min(widths), 'µs')}–{format_value(max(widths), 'µs')}"
            if widths else "")
    lines.append((f"(fitted on single monophasic pulses{span}, as Mogyoros et al. 1996 "
                  f"measured: the sensory constant is {ratio:.2f} × the motor one here, "
                  f"{order} (× {people:.2f}); the program's own pulses give other "
                  "constants)", "dim"))
    return lines


def print_point_threshold(rep: dict[str, Any]) -> None:
    """``estim fibers``' answer for one fiber under a point source (its JSON report), one
    quantity a line, long values wrapped under their own column.

    >>> print_point_threshold({"model": "mrg", "diameter_m": 10e-6, "distance_m": 1e-3,
    ...     "pulse_width_s": 100e-6, "polarity": "cathodic", "sigma_S_per_m": 0.2,
    ...     "threshold_A": 1.2e-4, "precision": 0.01, "initiation_nodes": [25],
    ...     "evidence": "cable model", "files": []})
                   model  mrg
                diameter  10 µm
                distance  1 mm
             pulse width  100 µs (cathodic)
                   sigma  0.2 S/m
               threshold  120 µA
               criterion  first propagating action potential (detection node)
               precision  1 %
      initiation node(s)  25
                evidence  cable model
    """
    thr = rep["threshold_A"]
    model = rep["model"] + (f" ({rep['axon']} axon)" if rep.get("axon") == "sensory" else "")
    rows = [("model", model), ("diameter", f"{rep['diameter_m'] * 1e6:.3g} µm"),
            ("distance", f"{rep['distance_m'] * 1e3:.3g} mm"),
            ("pulse width", f"{format_value(rep['pulse_width_s'], 'µs')} ({rep['polarity']})"),
            ("sigma", f"{rep['sigma_S_per_m']:.3g} S/m"),
            # three figures at a search's 1 % ("477.5 µA"; researcher's probe of 6 December
            # 2026)
            ("threshold", _none_below(rep) if thr is None else current_text(thr, 3)),
            ("criterion", "first propagating action potential (detection node)"),
            ("precision", f"{readable(format(rep['precision'] * 100, '.4g'))} %"),
            # an unmyelinated axon has compartments, not nodes ("initiation node(s) 600" of a
            # C fiber; researcher's probe)
            ("initiation compartment(s)" if rep["model"] in ("sundt", "hh")
             else "initiation node(s)",
             ", ".join(map(str, rep["initiation_nodes"])) or "-")]
    pop = rep.get("population")
    if pop is not None:
        def amps(v: float | None) -> str:
            return "not reached" if v is None else current_text(v, 3)

        rows.append(("population", f"{pop['fibers']} MRG axons of 2–16 µm"))
        if pop["not_reached"] == pop["fibers"]:
            rows.append(("", f"none excited below {current_text(pop['searched_to_A'], 4)}"))
        else:
            rows.append(("", f"lowest {amps(pop['threshold_min_A'])}, median "
                         f"{amps(pop['threshold_median_A'])}, highest "
                         f"{amps(pop['threshold_max_A'])}"))
        if 0 < pop["not_reached"] < pop["fibers"]:
            rows.append(("", f"{pop['not_reached']} not excited below "
                         f"{current_text(pop['searched_to_A'], 4)}"))
    sd = rep.get("strength_duration")
    if sd is not None and sd["rheobase_A"] is not None and sd["chronaxie_s"] is not None:
        rows.append(("strength-duration", f"rheobase {current_text(sd['rheobase_A'], 3)}, "
                     f"chronaxie {format_value(sd['chronaxie_s'], 'µs')} (Weiss's line "
                     f"through {_range(sd['pulse_widths_s'])}; a longer pulse's threshold may lie "
                     "under this rheobase)"))
    # what backs the number, wrapped under its own column
    width = max(40, shutil.get_terminal_size().columns - 22)
    rows.append(("evidence", rep["evidence"]))
    for k, v in rows:
        # a long value wrapped under its own column (the fit's range ran past 80 columns)
        print(f"{k:>20}  " + ("\n" + " " * 22).join(textwrap.wrap(v, width) or [""]))
    for p in rep["files"]:
        print(f"{'plot':>20}  {terminal_text(p, markup=False)}")


def _none_below(rep: dict[str, Any]) -> str:
    """Where a search that found no threshold stopped: 1 kV on the fiber, or 1 kA."""
    top = rep["lower_bound_A"]
    why = "at 1 kA" if top >= 1e3 else "where the fiber sees 1 kV"
    return f"none below {current_text(top, 4)} (the search stops {why})"


def _range(widths_s: list[float]) -> str:
    """The strength-duration fit's pulse widths in words ("25 µs–1 ms")."""
    return f"{format_value(min(widths_s), 'µs')}–{format_value(max(widths_s), 'µs')}"
