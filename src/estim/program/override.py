"""Turning the dial without editing the file: a program with its amplitude set anew.

>>> from estim.program.bundled import bundled_examples
>>> p = with_amplitude(bundled_examples()["tens_conventional"], "30 mA")
>>> p.channels[0].stimulation.amplitude.value
0.03

The new amplitude goes through the same loader as a program file, so the same checks apply:
a current for a current-controlled device, a voltage for a voltage-controlled one, at least
zero, at most the device's maximum, and whatever else the modality asks of its amplitude
(an iontophoretic dose deliverable within a day).
"""

from __future__ import annotations

import math
import re
import tomllib
from pathlib import Path
from typing import Any

from estim.errors import InputError
from estim.program.loader import ProgramError, _read_regular, load_program, program_from_dict
from estim.program.model import Program

__all__ = ["channels_on", "described_elsewhere", "with_amplitude"]


def _off(amplitude: Any) -> bool:
    """Whether a channel's amplitude as written is zero (``"0 mA"``, ``"0V"``); what cannot
    be read counts as on (the loader names it)."""
    from estim.units import parse_quantity

    for dimension in ("current", "voltage"):
        try:
            return parse_quantity(amplitude, dimension, field="amplitude") == 0.0
        except (InputError, ValueError, TypeError):
            continue
    return False


def channels_on(channels: list[Any]) -> list[Any]:
    """The channel tables (as a program file parses into) that a new amplitude for "every
    channel" sets: those that are on, or all of them where every one is at 0. A channel the
    file switched off (0 mA) was switched on by ``--amplitude`` and ``--vary amplitude=``
    (probe of 5 December 2026).

    >>> [c["name"] for c in channels_on([{"name": "A", "stimulation": {"amplitude": "20 mA"}},
    ...                                   {"name": "B", "stimulation": {"amplitude": "0 mA"}}])]
    ['A']
    """
    tables = [c for c in channels if isinstance(c, dict)
              and isinstance(c.get("stimulation"), dict)]
    on = [c for c in tables if not _off(c["stimulation"].get("amplitude"))]
    return on or tables


def with_amplitude(path: str | Path, amplitude: str, *, option: str = "amplitude") -> Program:
    """The program in ``path`` with every channel's programmed peak amplitude set to
    ``amplitude`` (both channels of a true-interferential program), but those the file
    switched off (0 mA) beside one that is on (:func:`channels_on`).

    :param path: a program file (TOML).
    :param amplitude: the new peak of the leading phase as the user typed it, with units
        (``"30 mA"``, ``"150 V"``).
    :param option: how the user gave ``amplitude`` (``"--amplitude"`` on the command line),
        named in the error.
    :raises ProgramError: the file itself is not a valid program (as :func:`load_program`).
    :raises InputError: ``amplitude`` is not acceptable for this program; the message names
        ``option``, the value and what was expected.
    """
    as_written = load_program(path)  # the file's own problems are named as in the file
    data: dict[str, Any] = tomllib.loads(_read_regular(Path(path)).removeprefix("\ufeff"))
    if not isinstance(amplitude, str):
        raise InputError(option, amplitude, "a current or a voltage with units, e.g. '25 mA'")
    for channel in channels_on(data.get("channels", [])):
        channel["stimulation"]["amplitude"] = amplitude
    try:
        program = program_from_dict(data, source=str(path))
    except ProgramError as err:
        from estim.units import mega_hint

        first = err.problems[0]
        why = first.expected
        if not first.field.endswith("stimulation.amplitude"):  # a consequence elsewhere
            why = f"{why} (for {first.field} of the program)"
        elif "device maximum" in why:  # '25 MA' is mega-amperes, a valid unit (probe)
            why += mega_hint(amplitude)
        raise InputError(option, amplitude, why) from None
    if all(math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-15) for a, b in
           zip(_amplitudes(program), _amplitudes(as_written), strict=True)):
        return program  # '25000 uA' is the file's 25 mA (review)
    changes: dict[str, Any] = {"expected_sensation": (), "expected_verdict": None}
    if program.description.strip():
        # the file's words name its own amplitude ("... 3 mA ..." above a run at 10 mA;
        # probe of 6 December 2026): said to be the file's, the new one as estim writes it
        # ("0mA" as typed was quoted in the report)
        changes["description"] = (f"{program.description} (as the file has it; run at "
                                  f"{_amplitude_text(program)})")
    # what the file's source expects a person to feel, and its author the check to
    # conclude, hold at the file's amplitude: at another the report said "the model and the
    # source disagree" of a run at 0 mA (probe of 6 December 2026)
    return program.model_copy(update=changes)


def _amplitudes(program: Program) -> list[float]:
    return [c.stimulation.amplitude.value for c in program.channels]


def _amplitude_text(program: Program) -> str:
    """The amplitude of the first channel that is on (every one has it), with its unit."""
    from estim.program.options import Control

    amps = [c.stimulation.amplitude for c in program.channels]
    amp = next((a for a in amps if a.value > 0), amps[0])
    return _words(amp.value, amp.control is Control.VOLTAGE)


def _words(value: float, volts: bool) -> str:
    """An amplitude as estim writes it: '30 mA', '150 V'."""
    from estim.text import current_text

    if volts:
        return f"{value:g} V"
    return current_text(value, 4, smallest="mA") if value else "0 mA"


#: A current or voltage named in a description ("40 mA peak", "20–40 mA", "1,000 µA"); not
#: a charge ("40 mA·min", "40 mA min") nor a density ("2 mA/cm²").
#: A range's low end, its unit written or not ("50–100", "50 Hz–100", "up to"): the
#: range holds what lies between ("50 Hz–100 Hz" named 50 and 100 Hz apart beside 75 Hz;
#: hostile probe of 7 December 2026).
_LOW = (r"(?:(?P<upto>up to )|(?P<low>\d+(?:[.,]\d+)*)\s?(?:{units})?\s?"
        r"(?:[-–—]|to)\s?)?")
_NAMED_AMPLITUDE = re.compile(
    r"(?<![\w.,])" + _LOW.format(units="µA|uA|mA|A|mV|V|kV") +
    r"(?P<number>\d+(?:[.,]\d+)*(?:[eE][-+]?\d+)?) ?(?P<unit>µA|uA|mA|A|mV|V|kV)"
    r"(?![\w·*/²])(?!\s?[-·*]?\s?min\b)")
_SCALE = {"µA": 1e-6, "uA": 1e-6, "mA": 1e-3, "A": 1.0, "mV": 1e-3, "V": 1.0, "kV": 1e3}


def _number(text: str) -> float:
    """'1,000' (a thousands comma: three digits after it) is 1000, '0,5' is 0.5, '1,000.5'
    and '1.000,5' are 1000.5; nan for what reads neither way (it raised, and took a run's
    report down; review of 7 December 2026).

    >>> [_number(t) for t in ("1,000", "0,5", "1,000.5", "1.000,5", "2.5")]
    [1000.0, 0.5, 1000.5, 1000.5, 2.5]
    >>> _number("1.2.3"), _number("1.000")
    (nan, nan)
    """
    if re.fullmatch(r"[1-9]\d{0,2}\.\d{3}", text):
        return math.nan  # '1.000': one, or a thousand with a decimal comma's dot
    if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", text):
        return float(text.replace(",", ""))
    if re.fullmatch(r"\d{1,3}(\.\d{3})+,\d+", text):
        return float(text.replace(".", "").replace(",", "."))
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return math.nan


def described_elsewhere(program: Program) -> str | None:
    """Where the program's description says other settings than the program's, in words:
    amplitudes of its control (mA, or V) none of which is a channel's (a copy set to 30 mA
    kept "40 mA peak" in its header and report without a word; clinician's probe of
    7 December 2026), rates and pulse durations none of which it runs at, only the other
    control's amplitudes, and an implant's poles (:func:`_poles_elsewhere`). None where each
    kind it names matches, or where ``--amplitude`` has said so already. A range names both
    its ends; a number is read with a thousands or a decimal comma (hostile probe of
    7 December 2026).

    >>> from estim.program.bundled import bundled_examples
    >>> premod = load_program(bundled_examples()["ifc_premodulated"])
    >>> described_elsewhere(premod) is None
    True
    >>> channel = premod.channels[0]
    >>> def at(amps, words):
    ...     stim = channel.stimulation.model_copy(update={"amplitude": channel.stimulation
    ...         .amplitude.model_copy(update={"value": amps})})
    ...     return described_elsewhere(premod.replace(description=words, channels=(
    ...         channel.model_copy(update={"stimulation": stim}),)))
    >>> at(0.03, premod.description)
    'its description names 40 mA; the program sets 30 mA'
    >>> [at(a, w) for a, w in ((0.03, "20–40 mA"), (0.001, "1,000 µA"), (5e-4, "0,5 mA"),
    ...                        (0.03, "40 mA·min, 40 mA min, 2 mA/cm²"), (0.0015, "1.5e-3 A"),
    ...                        (0.07, "60 mA–80 mA"), (0.06, "up to 100 mA"))]
    [None, None, None, None, None, None, None]
    """
    words = program.description.replace("\u00a0", " ").replace("\u202f", " ").replace(
        "\u03bc", "µ")
    said = [x for x in (_amplitude_elsewhere(program, words), *_timing_elsewhere(program, words),
                        _control_elsewhere(program, words),
                        *_poles_elsewhere(program, f"{words}\n{program.name}"))
            if x]
    return "; ".join(said) or None


#: A pole a description names: "contact 1 cathode", "case anode", "contact 2A anode".
_NAMED_POLE = re.compile(r"\b(?P<where>case|contact (?P<contact>\w+))\s+(?P<role>cathode|anode)\b",
                         re.IGNORECASE)


def _pole_words(placement: str) -> str:
    """A placement as a description names it: "lead_contact_2a" is "contact 2a"."""
    return placement.removeprefix("lead_").replace("_", " ").lower()


def _poles_elsewhere(program: Program, words: str) -> list[str]:
    """The implant's poles where its description or name says others: a copy of
    ``dbs_stn`` made bipolar (contact 2 the anode) kept "contact 1 cathode, case anode" and
    "monopolar" in its header and its report's title (DBS researcher's probe of 7 December
    2026). Only the first channel's poles are compared, and only on an implant.

    >>> from estim.program.bundled import bundled_examples
    >>> dbs = load_program(bundled_examples()["dbs_stn"])
    >>> _poles_elsewhere(dbs, dbs.description + " " + dbs.name)
    []
    >>> ch = dbs.channels[0]
    >>> bipolar = dbs.replace(channels=(ch.model_copy(update={"anode": ch.anode.model_copy(
    ...     update={"placement": "lead_contact_2", "width": None, "length": None})}),))
    >>> _poles_elsewhere(bipolar, bipolar.description + " " + bipolar.name)
    ... # doctest: +NORMALIZE_WHITESPACE
    ["its description names case anode; the program's anode is contact 2",
     "its name or description says monopolar (against the case); the program's poles are
      both on the lead (bipolar)"]
    >>> _poles_elsewhere(dbs, "monopolar review (was bipolar 1-2+): contact 1 cathode; "
    ...                  "switched from contact 2 cathode to contact 1 cathode")
    []
    """
    implanted = [c for c in program.channels if c.cathode.implanted or c.anode.implanted]
    if not implanted:
        return []
    out = []
    # every channel's poles (an interleaved setting's second channel is named too); a role
    # is said only where none of the poles named for it is one of the program's, as an
    # amplitude is ("from contact 2 cathode to contact 1 cathode" names the one it has;
    # review of 7 December 2026)
    poles: dict[str, set[str]] = {"cathode": set(), "anode": set()}
    for c in implanted:
        poles["cathode"].add(_pole_words(c.cathode.placement))
        poles["anode"].add(_pole_words(c.anode.placement))
    named: dict[str, list[str]] = {"cathode": [], "anode": []}
    for m in _NAMED_POLE.finditer(words):
        role = m["role"].lower()
        where = "case" if m["where"].lower() == "case" else f"contact {m['contact'].lower()}"
        named[role].append(where if where in poles[role] else m.group(0))
    for role, said in named.items():
        if said and not poles[role] & set(said):
            has = " and ".join(sorted("the case" if p == "case" else p for p in poles[role]))
            out.append(f"its description names {', '.join(dict.fromkeys(said))}; the "
                       f"program's {role} is {has}")
    on_case = any("case" in p for p in poles.values())
    lowered = words.lower()
    monopolar = "monopolar" in lowered
    if monopolar and not on_case:
        out.append("its name or description says monopolar (against the case); the program's "
                   "poles are both on the lead (bipolar)")
    elif re.search(r"\bbipolar\b", lowered) and not monopolar and on_case:
        out.append("its name or description says bipolar; the program's "
                   f"{'anode' if 'case' in poles['anode'] else 'cathode'} is the case "
                   "(monopolar)")
    return out


#: Words beside a voltage or a current that make it another figure than the amplitude.
_NOT_AMPLITUDE = re.compile(r"complian|batter|limit|maximum|max\b|supply", re.IGNORECASE)


def _control_elsewhere(program: Program, words: str) -> str | None:
    """The other control's amplitude where the description names none of this one's: a
    copy of ``dbs_stn`` set to 3 V kept "3 mA" in its header without a word (DBS
    researcher's probe of 7 December 2026): the amplitudes are compared in the control's
    unit alone.

    >>> from estim.program.bundled import bundled_examples
    >>> dbs = load_program(bundled_examples()["dbs_stn"])
    >>> _control_elsewhere(dbs, dbs.description) is None
    True
    >>> _control_elsewhere(dbs, "2.5 V, 60 µs")
    'its description names 2.5 V; the program is current-controlled (mA)'
    >>> _control_elsewhere(dbs, "compliance 10 V, 9 V battery") is None
    True
    """
    from estim.program.options import Control

    volts = program.channels[0].stimulation.amplitude.control is Control.VOLTAGE
    ours = [m for m in _NAMED_AMPLITUDE.finditer(words) if m["unit"].endswith("V") == volts]
    # a current device's "compliance 100 V" or "9 V battery" is not its amplitude (review
    # of 7 December 2026)
    other = [m.group(0) for m in _NAMED_AMPLITUDE.finditer(words)
             if m["unit"].endswith("V") != volts
             and not _NOT_AMPLITUDE.search(words[max(0, m.start() - 20):m.end() + 12])]
    if ours or not other:
        return None
    return (f"its description names {', '.join(other)}; the program is "
            + ("voltage-controlled (V)" if volts else "current-controlled (mA)"))


#: A rate or a duration a description names, with a range's low end: "50 Hz", "2.5 kHz",
#: "80–120 Hz", "400 µs" (not "bursts/s", "mA·min" or "10 s").
_NAMED_TIMING = re.compile(
    r"(?<![\w.,])" + _LOW.format(units="kHz|Hz|µs|us") +
    r"(?P<number>\d+(?:[.,]\d+)*) ?(?P<unit>kHz|Hz|µs|us)(?![\w·*²]|/(?!\s?\d))")
_TIMING_SCALE = {"kHz": 1e3, "Hz": 1.0, "µs": 1e-6, "us": 1e-6}
#: The settings a named rate or duration may be: a stimulation's fields whose name holds
#: one of these words.
_TIMING_FIELDS = {"Hz": ("frequency",),
                  "µs": ("pulse_width", "interpeak", "interphase", "peak_duration")}


#: A timing field as the sentence names it (the others: their name with spaces).
_TIMING_WORDS = {"beat_frequency_max": "top beat frequency", "burst_frequency": "burst rate"}


def _program_timings(program: Program) -> dict[str, list[tuple[float, float, str]]]:
    """Each rate (Hz) and pulse duration (s) the program runs at, as (low, high, what it
    is): a field's value, the span a TENS rate or width modulation sweeps down to, and a
    true interferential beat channel's carrier with its beat added (4 kHz + 80-120 Hz)."""
    out: dict[str, list[tuple[float, float, str]]] = {"Hz": [], "µs": []}
    for channel in program.channels:
        fields = channel.stimulation.model_dump()
        for kind, names in _TIMING_FIELDS.items():
            for k, v in fields.items():
                if any(n in k for n in names) and isinstance(v, int | float) \
                        and not isinstance(v, bool) and v > 0:
                    swept = (fields.get("rate_modulation") if k == "frequency" else
                             fields.get("width_modulation") if k == "pulse_width" else 0.0)
                    out[kind].append((float(v) * (1 - float(swept or 0.0)), float(v),
                                      _TIMING_WORDS.get(k, k.replace("_", " "))))
        carrier, beat = fields.get("carrier_frequency"), fields.get("beat_frequency")
        if carrier and beat:
            top = fields.get("beat_frequency_max") or beat
            out["Hz"].append((float(carrier) + float(beat), float(carrier) + float(top),
                              "carrier plus beat"))
    return out


def _settings_words(runs: list[tuple[float, float, str]], kind: str) -> str:
    """The settings of one kind, each with what it is: "pulse width 250 µs, interphase gap
    50 µs" (it read "50 µs, 250 µs", the gap as if a second width; device engineer's
    probe).

    >>> _settings_words([(2.5e-4, 2.5e-4, "pulse width"), (5e-5, 5e-5, "interphase gap"),
    ...                  (2e-4, 2e-4, "pulse width")], "µs")
    'pulse width 200 µs or 250 µs, interphase gap 50 µs'
    """
    by_name: dict[str, set[float]] = {}
    for _, high, name in runs:
        by_name.setdefault(name, set()).add(high)
    return ", ".join(
        f"{name} " + " or ".join(f"{v:,.4g} Hz" if kind == "Hz" else f"{v * 1e6:,.4g} µs"
                                 for v in sorted(values))
        for name, values in by_name.items())


def _timing_elsewhere(program: Program, words: str) -> list[str]:
    """The description's rates and pulse durations where none of them is one the program
    runs at: an edited copy at 30 Hz kept "50 Hz, 400 µs" in its header (physiotherapist's
    probe of 7 December 2026); only the amplitude was compared. Of each kind one value the
    program has is enough (a description names other rates and widths too: a true
    interferential's second carrier, HVPC's peaks and their spacing; review).

    >>> from estim.program.bundled import bundled_examples
    >>> nmes = load_program(bundled_examples()["nmes_quadriceps"])
    >>> _timing_elsewhere(nmes, nmes.description)
    []
    >>> ch = nmes.channels[0]
    >>> slow = nmes.replace(channels=(ch.model_copy(update={"stimulation": ch.stimulation
    ...     .model_copy(update={"frequency": 30.0, "pulse_width": 3e-4})}),))
    >>> _timing_elsewhere(slow, slow.description)
    ['its description names 50 Hz; the program sets frequency 30 Hz', \
'its description names 400 µs; the program sets pulse width 300 µs']
    >>> _timing_elsewhere(slow, "1,000.5 Hz, 1.000,5 Hz, 30 Hz and 300 µs")
    []
    >>> [_timing_elsewhere(slow, w) for w in ("20 Hz–50 Hz, 300 µs", "20—50 Hz, 300 µs",
    ...                                       "30 Hz/100 Hz, 300 µs", "1.000 Hz, 300 µs",
    ...                                       "up to 50 Hz, 300 µs")]
    [[], [], [], [], []]
    """
    runs = _program_timings(program)
    out = []
    for kind in ("Hz", "µs"):
        named: dict[str, tuple[float, float]] = {}
        for m in _NAMED_TIMING.finditer(words):
            unit = m["unit"]
            if ("Hz" in unit) != (kind == "Hz"):
                continue
            high = _number(m["number"])
            low = 0.0 if m["upto"] else _number(m["low"]) if m["low"] else None
            if not math.isfinite(high) or (low is not None and not math.isfinite(low)):
                continue  # a number that reads two ways is not compared
            high *= _TIMING_SCALE[unit]
            low = high if low is None else low * _TIMING_SCALE[unit]
            named[m.group(0)] = (min(low, high), max(low, high))
        if not named or not runs[kind]:
            continue
        if any(lo * (1 - 1e-3) <= b and a <= hi * (1 + 1e-3)  # the two spans overlap
               for lo, hi in named.values() for a, b, _ in runs[kind]):
            continue
        out.append(f"its description names {', '.join(named)}; the program sets "
                   f"{_settings_words(runs[kind], kind)}")
    return out


def _amplitude_elsewhere(program: Program, words: str) -> str | None:
    """The amplitudes part of :func:`described_elsewhere`."""
    from estim.program.options import Control

    if "(as the file has it; run at" in program.description:
        return None
    volts = program.channels[0].stimulation.amplitude.control is Control.VOLTAGE
    named: dict[str, tuple[float, float]] = {}  # as written -> (low, high) in A or V
    for m in _NAMED_AMPLITUDE.finditer(words):
        if m["unit"].endswith("V") != volts:
            continue
        high = _number(m["number"]) * _SCALE[m["unit"]]
        low = 0.0 if m["upto"] else _number(m["low"]) * _SCALE[m["unit"]] if m["low"] \
            else high
        if not (math.isfinite(high) and math.isfinite(low)):
            continue  # a number that reads two ways is not compared
        named[m.group(0)] = (min(low, high), max(low, high))
    if not named:
        return None
    set_to = _amplitudes(program)
    if any(low * (1 - 1e-3) <= a <= high * (1 + 1e-3) for low, high in named.values()
           for a in set_to):  # a range holds what lies between its ends
        return None
    shown = [_words(a, volts) for a in sorted(set(set_to))]  # each channel's (probe)
    return (f"its description names {', '.join(named)}; the program sets "
            f"{' and '.join(shown)}")
