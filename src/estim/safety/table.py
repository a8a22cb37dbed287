"""The output specification table of a 510(k) (21 CFR 882.5890-series / 890.5850 fields),
per channel, at the programmed amplitude and at the device's maximum setting.

Values are SI inside; each row carries a label and the unit it is printed in. Conventions:

- "Maximum output voltage / current" are peak values into the resistor named.
- Current density and power density are over the *smaller* electrode of the pair, into
  500 Ω, with the r.m.s. over the worst 1 s window. Average power density is
  ``500 Ω · I_rms² / area`` (the FDA powered-muscle-stimulator convention: power into the
  500 Ω load divided by the electrode's conductive area).
- "Maximum average current" is the average of |I| over a cycle; the net d.c. current is the
  signed average.
- Energy per pulse: see :func:`estim.safety.output.pulse_energy_j`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from estim.safety.loads import INDICATOR_LOAD_OHM, TEST_LOADS_OHM, ResistiveLoad
from estim.safety.output import ChannelOutput
from estim.text import readable
from estim.waveforms.stimulus import Stimulus

__all__ = ["DISPLAY_UNITS", "ChannelTable", "OutputTable", "TableRow", "channel_table",
           "display_value", "format_value", "programmed_only", "with_channel_timing"]

#: Display unit -> (SI unit, SI value of one display unit).
DISPLAY_UNITS: dict[str, tuple[str, float]] = {
    "": ("1", 1.0),
    "%": ("1", 1e-2),
    "A": ("A", 1.0),
    "mA": ("A", 1e-3),
    "µA": ("A", 1e-6),
    "V": ("V", 1.0),
    "µC": ("C", 1e-6),
    "mA·min": ("C", 60e-3),  # [mA·min -> C]
    "s": ("s", 1.0),
    "ms": ("s", 1e-3),
    "µs": ("s", 1e-6),
    "min": ("s", 60.0),
    "Hz": ("Hz", 1.0),
    "mJ": ("J", 1e-3),
    "cm²": ("m**2", 1e-4),
    "mA/cm²": ("A/m**2", 10.0),  # [1 mA/cm² = 10 A/m²]
    "W/cm²": ("W/m**2", 1e4),
    "µC/cm²": ("C/m**2", 1e-2),
    "Ω": ("ohm", 1.0),
}

Value = float | int | str | None


def display_value(value: Value, unit: str) -> Value:
    """``value`` (SI) in the display ``unit``, to 12 significant figures (0.125 mJ, not the
    division's 0.12500000000000003 that the JSON showed; engineer's probe of 6 December
    2026); strings and None pass through. Twelve, not 15: a figure computed in a few steps
    carries its noise into the 14th (a duty cycle's 0.00501333333333346 %, 7 December).

    >>> display_value(0.000125, "mJ")
    0.125
    >>> display_value(5.01333333333346e-5, "%")
    0.00501333333333
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        shown = value / DISPLAY_UNITS[unit][1]
        return float(f"{shown:.12g}") if math.isfinite(shown) else shown
    return value


#: Where a figure in a row's unit reaches 1,000, the next larger unit it is shown in, and
#: the factor to it: iontophoresis's 630,000,000 µs pulse is 630 s, 2,400,000 µC 2.4 C.
_STEP_UP: dict[str, tuple[str, float]] = {"µs": ("ms", 1e-3), "ms": ("s", 1e-3),
                                          "µC": ("mC", 1e-3), "mC": ("C", 1e-3),
                                          "mJ": ("J", 1e-3), "Ω": ("kΩ", 1e-3)}


def beside_limit(value: Value, limit: Value, unit: str) -> tuple[str, str]:
    """``value`` and ``limit`` as :func:`format_value` prints them, with as many more
    figures as it takes to tell them apart (up to 9): 50.0022 mA failed "50 mA against
    the limit 50 mA", and 49.9985 mA passed with the same words (probe of 5 December 2026).

    >>> beside_limit(0.0500022, 0.05, "mA")
    ('50.002 mA', '50 mA')
    >>> beside_limit(0.0179, 0.05, "mA")
    ('17.9 mA', '50 mA')

    Both in one unit, the larger one's: "2 J against the limit 300 mJ" (probe).

    >>> beside_limit(2.0, 0.3, "mJ")
    ('2 J', '0.3 J')
    """
    digits = 4
    steps = max(_steps(value, unit), _steps(limit, unit))
    while True:
        shown = (format_value(value, unit, digits, steps=steps),
                 format_value(limit, unit, digits, steps=steps))
        differ = isinstance(value, float | int) and isinstance(limit, float | int) \
            and not isinstance(value, bool) and value != limit
        if shown[0] != shown[1] or not differ or digits >= 9:
            return shown
        digits += 1


def _steps(value: Value, unit: str) -> int:
    """How many times :func:`format_value` steps ``value`` up from ``unit``."""
    shown = display_value(value, unit) if value is not None else None
    n = 0
    if isinstance(shown, float):
        while abs(shown) >= 999.95 and unit in _STEP_UP:
            unit, factor = _STEP_UP[unit]
            shown *= factor
            n += 1
    return n


def format_value(value: Value, unit: str, digits: int = 4, *, steps: int | None = None
                 ) -> str:
    """``value`` (SI) printed in ``unit`` with 4 significant figures (``digits``; in a
    larger unit from 1,000 of it, :data:`_STEP_UP`, or ``steps`` units up); None is "n/a"."""
    if value is None:
        return "n/a"
    shown = display_value(value, unit)
    if isinstance(shown, str):
        return shown
    if isinstance(shown, int):
        return str(shown)
    assert isinstance(shown, float)
    for _ in range(_steps(value, unit) if steps is None else steps):
        if unit not in _STEP_UP:
            break
        unit, factor = _STEP_UP[unit]
        shown *= factor
    if unit == "Hz" and abs(shown) >= 1000:
        # a carrier to a tenth of a hertz, as its beat is: 4,119.7 Hz read "4120 Hz"
        # beside a beat of 119.7 Hz
        digits = max(digits, len(str(int(abs(shown)))) + 1)
    text = readable(f"{shown:.{digits}g}")  # no 1e+04 nor rounding noise (4.2e-28 µC is 0)
    return f"{text} {unit}".strip()


@dataclass(frozen=True)
class TableRow:
    """One field of the output table.

    :param key: stable name (``max_current_500_ohm``).
    :param label: the field as a 510(k) table words it.
    :param unit: display unit (a key of :data:`DISPLAY_UNITS`); values are SI.
    :param programmed: value at the programmed amplitude (SI), text, or None (n/a).
    :param maximum: value at the device's maximum setting.
    :param note: how the value was obtained, when that matters.
    """

    key: str
    label: str
    unit: str
    programmed: Value
    maximum: Value
    note: str = ""

    @property
    def si_unit(self) -> str:
        return DISPLAY_UNITS[self.unit][0]

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "unit": self.si_unit,
                "display_unit": self.unit, "programmed": self.programmed,
                "device_maximum": self.maximum, "note": self.note}


@dataclass(frozen=True)
class ChannelTable:
    """The output table of one channel."""

    channel: str
    modality: str
    control: str
    programmed_amplitude: float
    maximum_amplitude: float
    rows: tuple[TableRow, ...]
    #: Where the device holds the output below its setting (the compliance voltage, or a
    #: voltage output's current limit): (setting, test load in Ω) pairs, of the 500 Ω and
    #: 1 kΩ loads.
    held: tuple[tuple[str, float], ...] = ()

    def row(self, key: str) -> TableRow:
        for r in self.rows:
            if r.key == key:
                return r
        raise KeyError(key)

    def to_dict(self) -> dict[str, Any]:
        return {"channel": self.channel, "modality": self.modality, "control": self.control,
                "amplitude_unit": "A" if self.control == "current" else "V",
                "programmed_amplitude": self.programmed_amplitude,
                "maximum_amplitude": self.maximum_amplitude,
                "rows": [r.to_dict() for r in self.rows]}


@dataclass(frozen=True)
class OutputTable:
    """The output specification table of a program, one :class:`ChannelTable` per channel."""

    program: str
    channels: tuple[ChannelTable, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"program": self.program, "channels": [c.to_dict() for c in self.channels]}


def _both(key: str, label: str, unit: str, p: ChannelOutput, m: ChannelOutput,
          get: Any, note: str = "") -> TableRow:
    return TableRow(key, label, unit, get(p), get(m), note)


def _passive_note(out: ChannelOutput) -> str:
    """A passive recharge's phase runs to the next pulse: a DBS pulse of 60 µs read as
    lasting 7.691 ms, the period, without a word (probe of 5 December 2026)."""
    from estim.program.options import Recharge
    from estim.program.stimulation import DBS

    s = out.channel.stimulation
    if not (isinstance(s, DBS) and s.recharge is Recharge.PASSIVE):
        return ""
    from estim.text import duration_text

    return (f"the passive (capacitive) recharge, time constant "
            f"{duration_text(s.recharge_tau_s)}, runs on to the next pulse: the whole period")


def _timing(key: str, label: str, unit: str, p: ChannelOutput, m: ChannelOutput,
            attr: str, note: str = "") -> TableRow:
    """A timing row from each setting's own output: an iontophoresis dose reached sooner at
    the device maximum ends its plateau sooner (630 s at 4 mA, 510 s at 5 mA; the table
    showed 630 s for both beside a session of 8.5 min)."""
    # a d.c. output has no pulse or frequency: its "Frequency 0 Hz" and a pulse of 630 s
    # (6.3e+08 µs in the CSV) read as figures (probe of 5 December 2026); its ON time and
    # ramps say how long it runs
    return _both(key, label, unit, p, m, lambda o: None if _direct(o) and key in (
        "pulse_width", "pulse_duration", "frequency") else getattr(o.stimulus.timing, attr),
        note)


def _direct(o: ChannelOutput) -> bool:
    """Whether the output is a direct current (no pulses, no frequency)."""
    t = o.stimulus.timing
    return t.frequency_hz == 0 and not t.carrier_hz


def programmed_only(table: ChannelTable, maximum_amplitude: float) -> ChannelTable:
    """``table`` (made from the programmed output in both columns) with its device-maximum
    column n/a but for the setting itself and the words (the waveform, the control): the
    output there could not be computed."""
    # only the words the setting does not change: "Device limit reached on a typical skin
    # load" copied the programmed column's "no" (review of 5 December 2026)
    rows = tuple(replace(r, maximum=maximum_amplitude if r.key == "amplitude" else
                         r.maximum if r.key in ("waveform", "shape", "control", "symmetric_phases")
                         else None,
                         note="; ".join(dict.fromkeys(  # the programmed note once, not twice
                             part for part in r.note.split("; ")
                             if not part.startswith("device maximum"))))
                 for r in table.rows)
    return replace(table, maximum_amplitude=maximum_amplitude, rows=rows,
                   held=tuple(h for h in table.held if h[0] == "programmed"))


def _skin_note(p: ChannelOutput, m: ChannelOutput) -> str:
    """The skin-load rows' note: the programmed column's, and what the device maximum adds
    (its peaks held at the compliance, its energy an upper bound): the note of the
    programmed column alone left microcurrent's 22.91 mJ at its maximum unexplained
    (hostile probe of 6 December 2026)."""
    own = p.skin.note if p.skin else ""
    top = m.skin.note if m.skin else ""
    if top.startswith(own) and len(top) > len(own):
        return own + "; at the device maximum" + top[len(own):].removeprefix(";")
    return own or top


def _set_shape_rows(p: ChannelOutput, m: ChannelOutput, amp_unit: str) -> list[TableRow]:
    """An asymmetric pulse's second phase and a modulated program's ranges, as set: a
    510(k) table gives both, and the table had the leading phase and the top of each
    modulation alone (device engineer's probe of 7 December 2026). Rows only where the
    program has them."""
    from estim.program.options import PulseShape, TENSMode
    from estim.program.stimulation import NMES, TENS

    s = p.channel.stimulation
    rows: list[TableRow] = []
    if isinstance(s, TENS | NMES) and s.pulse is PulseShape.ASYMMETRIC_BIPHASIC:
        ratio = s.asymmetry_ratio
        rows += [
            TableRow("second_phase_amplitude", "Second phase amplitude (asymmetric pulse, as "
                     "set)", amp_unit, p.amplitude * ratio, m.amplitude * ratio,
                     note=f"{ratio:.3g} × the leading phase, for as long as it takes to "
                          "balance its charge"),
            TableRow("second_phase_duration", "Second phase duration (asymmetric pulse)", "µs",
                     s.pulse_width / ratio, s.pulse_width / ratio),
        ]
    if isinstance(s, TENS) and s.mode is TENSMode.MODULATED:
        # as the waveform is built, which the plot draws: its pulses sample the modulation
        # (a depth of 0.99 read 0.28 mA where the pulses go down to 0.65 mA) and hold each
        # width to a 1 µs step (0.15 µs read beside the 2 µs built; hostile probe of
        # 7 December 2026)
        if s.amplitude_modulation:
            rows.append(_both("modulation_lowest_amplitude", "Modulated: lowest amplitude "
                              "(of the pulses as built)", amp_unit, p, m, _lowest_peak))
        if s.rate_modulation:
            rows.append(_both("modulation_lowest_frequency", "Modulated: lowest frequency",
                              "Hz", p, m, lambda o: min(
                                  (f for f in o.stimulus.timing.band_frequencies_hz if f > 0),
                                  default=None)))
        if s.width_modulation:
            rows.append(_both("modulation_narrowest_pulse", "Modulated: narrowest pulse "
                              "width (leading phase, as built)", "µs", p, m, _narrowest,
                              note="each pulse's width is held to the waveform's 1 µs step"))
        rows.append(TableRow("modulation_period", "Modulation period", "s",
                             s.modulation_period, s.modulation_period))
    return rows


def _shape_words(o: ChannelOutput) -> str:
    """The waveform in words at this output's setting: an asymmetric pulse "charge-balanced"
    as set, which the compliance clips into 500 Ω, is not (the device maximum's column read
    "charge-balanced" beside its 4 µC net charge and a failed balance; hostile probe of
    7 December 2026)."""
    shape = o.stimulus.timing.shape
    unbalanced = o.metrics_500.charge_imbalance
    if "charge-balanced" in shape and unbalanced > 0.01:
        return shape.replace("charge-balanced", f"balanced as set; clipped into 500 Ω, "
                                                f"{unbalanced:.0%} of its charge unbalanced")
    return shape


def _pulse_shape(o: ChannelOutput) -> str | None:
    """The 510(k) table's "Shape" (rectangular, sine, spike...) from the pulses' own
    segments, apart from the waveform's words where it was one cell with them (device
    engineer's probe of 7 December 2026): a constant segment is rectangular, an oscillating
    one sine, a decaying one exponential (a passive recharge's, said so), a ramp linear.
    None where no pulse is on."""
    import numpy as np

    stim = o.stimulus
    words: list[str] = []
    for t in sorted({int(t) for t in stim.template[stim.scale != 0]}):
        pulse = stim.pulses[t]
        for i, seg in enumerate(pulse.segments):
            rates = np.asarray(seg.rates, complex)
            if seg.linear is not None:
                word = "linear ramps"
            elif not rates.any():
                word = "constant (d.c.)" if o.is_dc else "rectangular"
            elif not rates.real.any():
                word = "sine"
            elif pulse.recharged and i == len(pulse.segments) - 1:
                word = "exponential (passive recharge)"
            else:
                word = "exponential (spike)"
            if word not in words:
                words.append(word)
    if not words:
        return None
    if "linear ramps" in words and len(words) > 1:  # the ramps of a d.c. output
        words.remove("linear ramps")
        return f"{', then '.join(words)} with linear ramps"
    return ", then ".join(words)


def _lowest_peak(o: ChannelOutput) -> float | None:
    """The lowest peak of the pulses that are on, as the waveform is built (A or V)."""
    peaks = o.stimulus.event_peak[o.stimulus.scale != 0]
    return float(peaks.min()) if peaks.size else None


def _narrowest(o: ChannelOutput) -> float | None:
    """The narrowest leading phase of the pulses that are on, as built (s)."""
    used = {int(t) for t in o.stimulus.template[o.stimulus.scale != 0]}
    widths = [o.stimulus.pulses[t].segments[0].end - o.stimulus.pulses[t].segments[0].start
              for t in used]
    return float(min(widths)) if widths else None


def channel_table(p: ChannelOutput, m: ChannelOutput) -> ChannelTable:
    """The table of one channel from its output at the programmed amplitude (``p``) and at
    the device maximum (``m``)."""
    t = p.stimulus.timing
    ctrl = p.stimulus.control.value
    amp_unit = "mA" if ctrl == "current" else "V"
    # a carrier (Russian, interferential) has no pulses of its own: its rows say what they
    # are for it. Russian's read "Pulse duration (all phases and gaps) 10 ms", its burst,
    # "peak of the leading phase" of a sine and "Frequency 2500 Hz" above "Carrier
    # frequency 2500 Hz" (device engineer's probe)
    carrier = bool(t.carrier_hz)
    rows: list[TableRow] = [
        _both("waveform", "Waveform", "", p, m, _shape_words),
        _both("shape", "Shape", "", p, m, _pulse_shape),
        TableRow("control", "Output control", "", ctrl, ctrl),
        TableRow("amplitude", "Amplitude setting (peak of the carrier)" if carrier else
                 "Amplitude setting (peak of the leading phase)", amp_unit,
                 p.amplitude, m.amplitude),
    ]
    # 1 kΩ too: the output indicator's load, which the engineer compares with the thresholds
    # (the table gave 500 Ω, 2 kΩ and 10 kΩ; engineer's probe of 6 December 2026)
    for r in sorted({*TEST_LOADS_OHM, INDICATOR_LOAD_OHM}):
        lab = ResistiveLoad(r).label
        rows.append(_both(f"max_voltage_{r:g}_ohm", f"Maximum output voltage @ {lab} (peak)",
                          "V", p, m, lambda o, r=r: o.at(r).peak_voltage_v))
        rows.append(_both(f"max_current_{r:g}_ohm", f"Maximum output current @ {lab} (peak)",
                          "mA", p, m, lambda o, r=r: o.at(r).peak_current_a,
                          note=_limited_note(p, m, r)))
    rows += [
        _both("rms_current_500_ohm", "R.m.s. output current @ 500 Ω (worst 1 s)", "mA", p, m,
              lambda o: o.metrics_500.rms_max_1s),
        # the output indicator's threshold is an r.m.s. into 1 kΩ: its finding gave a
        # figure no row of the table held (device engineer's probe)
        _both("rms_current_1000_ohm", "R.m.s. output current @ 1 kΩ (worst 1 s)", "mA", p, m,
              lambda o: o.metrics_1k.rms_max_1s),
        _timing("pulse_width", "Phase duration (half a carrier cycle)" if carrier else
                "Pulse width (leading phase)", "µs", p, m, "pulse_width_s"),
        # a Russian burst between its gaps is the pulse, as its energy per pulse below
        # (interferential's carriers run on: no burst, and its row n/a says no pulse)
        _timing("pulse_duration", "Pulse duration (a carrier's: one whole burst)"
                if carrier and t.burst_frequency_hz else "Pulse duration (a carrier's: none, "
                "it runs on)" if carrier else "Pulse duration (all phases and gaps)", "µs",
                p, m,
                "pulse_duration_s", note=_passive_note(p)),
        # the 510(k) table's "Symmetrical phases?" and the gap between the phases, which
        # showed only inside the waveform's words and the pulse duration (probe)
        _both("symmetric_phases", "Symmetrical phases?", "", p, m,
              lambda o: _yes_no(o.stimulus.timing.symmetric_phases)),
        _timing("interphase_interval", "Interphase interval", "µs", p, m, "interphase_s"),
        # a carrier's own frequency is the carrier row's: not twice
        TableRow("frequency", "Frequency", "Hz", None, None) if carrier else
        _timing("frequency", "Frequency", "Hz", p, m, "frequency_hz"),
        *_set_shape_rows(p, m, amp_unit),
        _timing("carrier_frequency", "Carrier frequency", "Hz", p, m, "carrier_hz"),
        _timing("frequency_max", "Carrier frequency, top of the sweep", "Hz", p, m,
                "frequency_max_hz"),
        _timing("beat_frequency", "Beat frequency (the envelope; lowest of a sweep)", "Hz",
                p, m, "beat_hz"),
        _timing("beat_frequency_max", "Beat frequency, top of the sweep", "Hz", p, m,
                "beat_max_hz"),
        # d.c. has no pulses: its "net charge per pulse" read 2.4 C, the session's charge
        # (phone probe of 6 December 2026), which its dose gives in mA·min
        _both("net_charge_500_ohm", "Net charge per pulse @ 500 Ω", "µC", p, m,
              lambda o: None if o.is_dc else o.metrics_500.max_net_charge_per_pulse),
        _both("max_phase_charge_500_ohm", "Maximum phase charge @ 500 Ω", "µC", p, m,
              lambda o: None if o.is_dc else o.metrics_500.max_phase_charge),
        _both("max_current_density", "Maximum current density @ 500 Ω (r.m.s., worst 1 s, "
              "smaller electrode)", "mA/cm²", p, m,
              lambda o: o.metrics_500.rms_max_1s / o.smaller_area_m2),
        _both("max_average_current", "Maximum average current @ 500 Ω (mean |I| over the "
              "program's cycle, off times included)", "mA", p, m,
              lambda o: o.metrics_500.mean_abs),
        _both("net_dc_current", "Net d.c. current @ 500 Ω (signed mean)", "mA", p, m,
              lambda o: o.metrics_500.mean),
        _both("max_average_power_density", "Maximum average power density @ 500 Ω "
              "(500 Ω · I_rms² / smaller electrode area)", "W/cm²", p, m,
              lambda o: 500.0 * o.metrics_500.rms_max_1s ** 2 / o.smaller_area_m2),
        _both("energy_per_pulse_500_ohm", "Energy per pulse @ 500 Ω", "mJ", p, m,
              lambda o: None if o.is_dc else o.energy_per_pulse_j(500.0),
              # a Russian burst between its gaps is the pulse, whole (safety.output)
              note=("a whole burst of the carrier" if t.carrier_hz and t.burst_frequency_hz
                    else "a carrier cycle for carrier outputs" if t.carrier_hz else "")),
        _both("open_circuit_voltage", "Open-circuit output voltage (peak)", "V", p, m,
              lambda o: o.open_circuit_v),
        _timing("pulses_per_burst", "Burst mode: pulses per burst", "", p, m,
                "pulses_per_burst"),
        _timing("burst_frequency", "Burst mode: bursts per second", "Hz", p, m,
                "burst_frequency_hz"),
        _timing("burst_duration", "Burst mode: burst duration", "ms", p, m,
                "burst_duration_s"),
        # the 510(k) table's line d, which the table left out (device engineer's probe)
        _both("burst_duty_cycle", "Burst mode: duty cycle (bursts per second × burst "
              "duration)", "%", p, m, _burst_duty),
        _timing("on_time", "ON time", "s", p, m, "on_time_s"),
        _timing("off_time", "OFF time", "s", p, m, "off_time_s"),
        _timing("ramp_up", "Ramp up", "s", p, m, "ramp_up_s"),
        _timing("ramp_down", "Ramp down", "s", p, m, "ramp_down_s"),
        _both("session_duration", "Session duration", "min", p, m,
              lambda o: o.stimulus.duration_s,
              # a program without one runs the model's 30 min, said so (it read as the
              # program's own; probe of 5 December 2026)
              "" if "duration" in p.channel.stimulation.model_fields_set
              or "duration" not in type(p.channel.stimulation).model_fields  # a dose's time
              else "the program gives no duration: the default 30 min"),
        TableRow("smaller_electrode_area", "Smaller electrode area", "cm²", p.smaller_area_m2,
                 m.smaller_area_m2),
        _both("skin_peak_voltage", "Peak voltage on a typical skin–electrode load", "V", p, m,
              lambda o: o.skin and o.skin.peak_voltage_v, note=_skin_note(p, m)),
        _both("skin_peak_current", "Peak current on a typical skin–electrode load", "mA", p, m,
              lambda o: o.skin and o.skin.peak_current_a),
        _both("skin_energy_per_pulse", "Energy per pulse period on a typical skin–electrode "
              "load", "mJ", p, m,
              lambda o: None if o.is_dc else o.skin and o.skin.energy_per_event_j,
              # a Russian burst between its gaps is the pulse, whole (safety.output)
              note=("a whole burst of the carrier" if t.carrier_hz and t.burst_frequency_hz
                    else "a carrier cycle for carrier outputs" if t.carrier_hz else "")),
        _both("skin_limited", "Device limit reached on a typical skin–electrode load", "", p, m,
              lambda o: None if o.skin is None else ("yes" if o.skin.limited else "no")),
    ]
    if (p.metrics_load is not None or m.metrics_load is not None) \
            and p.implanted_area_m2 is not None:  # a lead's (a surface channel's: below)
        # labels without the channel's value: a CSV's columns are shared by the channels, and
        # a second channel's 300 Ω figures sat under "@ the lead impedance 20 kΩ" (probe).
        # A column judged into 500 Ω gives 500 Ω's figures: a current-controlled lead's
        # stated impedance is taken only where the compliance clips into 500 Ω, often at
        # the device maximum alone, and the rows were then left out (review)
        rows += [
            _both("lead_impedance", "Lead impedance the charge is judged into", "Ω", p, m,
                  lambda o: o.load_ohm if o.metrics_load is not None else 500.0,
                  note=p.load_source or m.load_source),
            _both("max_current_lead", "Maximum output current @ the lead impedance (peak)",
                  "mA", p, m, lambda o: o.judged_metrics.peak),
            _both("max_phase_charge_lead", "Maximum phase charge @ the lead impedance", "µC",
                  p, m, lambda o: o.judged_metrics.max_phase_charge),
        ]
    elif p.metrics_load is not None or m.metrics_load is not None:
        # a surface channel whose skin rules are judged into the site's own load (estim
        # run): the load and the current there, beside the test loads above, so the figure
        # behind a warning is in the table (2.23 mA/cm² into 200 Ω beside a table of 500 Ω
        # figures alone; review of 5 December 2026)
        rows += [
            _both("skin_rules_load", "Load the skin rules are judged into", "Ω", p, m,
                  lambda o: o.load_ohm if o.metrics_load is not None else 500.0,
                  note=p.load_source or m.load_source),
            _both("rms_current_skin_rules_load", "R.m.s. output current into that load "
                  "(worst 1 s)", "mA", p, m, lambda o: o.judged_metrics.rms_max_1s),
        ]
    if p.metrics_field is not None or m.metrics_field is not None:
        # a current-controlled surface channel whose power density is judged into the
        # site's load above 500 Ω as well: the figure behind its verdict, in the table
        # (0.0227 W/cm² @ 500 Ω stood beside a finding of 0.18; review of 6 December 2026)
        rows += [
            _both("power_density_load", "Load the power density is also judged into", "Ω",
                  p, m, lambda o: o.field_impedance_ohm if o.metrics_field is not None
                  else None,
                  note=f"{p.field_load_source}, above the 500 Ω test load (the larger power "
                       "density of the two is judged)"),
            _both("power_density_field_load", "Average power density into that load (I_rms² "
                  "· load / smaller electrode area, worst 1 s)", "W/cm²", p, m,
                  lambda o: None if o.metrics_field is None or o.field_impedance_ohm is None
                  else o.field_impedance_ohm * o.metrics_field.rms_max_1s ** 2
                  / o.smaller_area_m2),
        ]
    held = tuple((o.setting.value, ohms) for o in (p, m) for ohms in (500.0, INDICATOR_LOAD_OHM)
                 if o.at(ohms).limited)
    return ChannelTable(p.channel.name, p.modality, ctrl, p.amplitude, m.amplitude, tuple(rows),
                        held)


def _yes_no(flag: bool | None) -> str | None:
    """A flag as the 510(k) table answers it; None (n/a) stays None."""
    return None if flag is None else "yes" if flag else "no"


def _burst_duty(o: ChannelOutput) -> float | None:
    """The fraction of the time a burst output is on: bursts per second × burst duration
    (tens_burst's 2 Hz × 60.4 ms = 0.1208); None without bursts."""
    t = o.stimulus.timing
    if t.burst_frequency_hz is None or t.burst_duration_s is None:
        return None
    return t.burst_frequency_hz * t.burst_duration_s


def with_channel_timing(tables: tuple[ChannelTable, ...],
                        programmed: Mapping[str, ChannelOutput]) -> tuple[ChannelTable, ...]:
    """``tables`` with the 510(k) table's "synchronous or alternating" in each where the
    program has two or more: a program sets no delay between its channels, so estim starts
    every channel's cycle at the same instant and none alternates. The row says so, and
    whether the channel's pulses fall at another's instants (the same timing) or at its own
    (another rate): it was not said at all (device engineer's probe).

    :param programmed: each channel's output at its programmed amplitude, by name.
    """
    if len(tables) < 2:
        return tables
    # a channel off (0) as programmed is no other channel's neighbour: "simultaneous with
    # channel ham" was said of one at 0 mA (review of 7 December 2026)
    on = [ct.channel for ct in tables if programmed[ct.channel].stimulus.peak > 0]
    out = []
    for ct in tables:
        mine = programmed[ct.channel].stimulus
        others = [n for n in on if n != ct.channel]
        if ct.channel not in on:
            words = "off as programmed (0)"
        elif not others:
            out.append(ct)  # the one channel on
            continue
        else:
            same = [n for n in others if _same_instants(mine, programmed[n].stimulus)]
            apart = [n for n in others if n not in same]
            # "its own instants": another rate, or the same rate on another on/off cycle
            parts = ([f"synchronous with {_channels(same)} (pulses at the same instants)"]
                     if same else []) \
                + ([f"simultaneous with {_channels(apart)}, its pulses at instants of its own"]
                   if apart else [])
            words = f"as programmed: {'; '.join(parts)}; not alternating"
        row = TableRow("channel_timing", "Channels: synchronous or alternating?", "", words,
                       words, note="a program sets no delay between its channels: each "
                                   "starts its cycle at the same instant")
        at = next(i for i, r in enumerate(ct.rows) if r.key == "control") + 1
        out.append(replace(ct, rows=(*ct.rows[:at], row, *ct.rows[at:])))
    return tuple(out)


def _channels(names: list[str]) -> str:
    """"channel 2", "channels 2 and 3"."""
    if len(names) == 1:
        return f"channel {names[0]}"
    return f"channels {', '.join(names[:-1])} and {names[-1]}"


def _same_instants(a: Stimulus, b: Stimulus) -> bool:
    """Whether two outputs' pulses start at the same instants, cycle after cycle: the same
    cycle and pulse rate, and each pulse of the one with fewer at an instant of the other's
    (a ramp from 0 drops the first pulse, and a shorter on-time the last ones: two NMES
    channels at one rate, one with ramps, were "each at its own timing"; hostile probe of
    7 December 2026)."""
    if not (math.isclose(a.cycle_s, b.cycle_s, rel_tol=1e-9)
            and math.isclose(a.timing.frequency_hz or 0.0, b.timing.frequency_hz or 0.0,
                             rel_tol=1e-9)):
        return False
    few, many = sorted((np.asarray(a.onsets_s), np.asarray(b.onsets_s)), key=len)
    if not few.size:
        return False
    at = np.clip(np.searchsorted(many, few), 1, max(many.size - 1, 1))
    near = np.minimum(np.abs(many[at - 1] - few), np.abs(many[np.minimum(at, many.size - 1)]
                                                          - few))
    return bool(np.all(near <= 1e-9 * a.cycle_s))


def _limited_note(p: ChannelOutput, m: ChannelOutput, ohms: float) -> str:
    notes = [f"{o.setting.value}: {o.at(ohms).note}" for o in (p, m) if o.at(ohms).limited]
    return "; ".join(notes)
