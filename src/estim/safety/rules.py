"""The rules judged on one channel's output: the IEC 60601-2-10 device limits and output
indicator, the skin's current, power and d.c. densities, charge balance, and an implant's
charge and rate (:func:`channel_findings`).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import replace
from functools import partial

import numpy as np

from estim.program.model import Channel, Control, Iontophoresis, Program, Verdict
from estim.program.stimulation import Russian
from estim.safety.limits import iec_rms_band, limit
from estim.safety.loads import INDICATOR_LOAD_OHM
from estim.safety.output import FIELD_LOAD_SOURCE, ChannelOutput, Setting, channel_implanted
from estim.safety.table import format_value
from estim.safety.verdicts import Finding, rule_finding
from estim.text import current_text, ohm_text, readable
from estim.units import format_si
from estim.waveforms.stimulus import Stimulus

__all__ = ["channel_findings", "held_back", "pulse_rate", "site_load", "warn_below"]


def _device_rules(out: ChannelOutput) -> list[Finding]:
    """IEC 60601-2-10 output limits (external stimulators)."""
    t = out.stimulus.timing
    band = iec_rms_band(t.band_frequencies_hz)
    freqs = ", ".join(f"{f:g} Hz" if f > 0 else "d.c." for f in t.band_frequencies_hz)
    note = f"worst 1 s r.m.s. into 500 Ω; strictest band of: {freqs or 'none'}"
    own = iec_rms_band((t.carrier_hz,)) if t.carrier_hz else band
    if own.value > band.value:
        # "up to 400 Hz" of a channel listed at 4000 Hz, unexplained, failed a 100 mA
        # interferential unit (clinician's probe of 7 December 2026): a carrier's own band
        # (its own frequency: a beat channel's is not the base's; review) and what the
        # output does there are said
        rms = out.metrics_500.rms_max_1s
        does = "is within" if rms <= own.value * (1 + 1e-9) else "exceeds"
        top = f"{t.carrier_hz:g}" + (f"–{t.frequency_max_hz:g}" if t.frequency_max_hz
                                      else "")
        note += (f"; the {top} Hz carrier alone is in the band "
                 f"{own.description.rsplit(', ', 1)[-1]} (limit "
                 f"{format_value(own.value, own.display_unit)}), which this output "
                 f"{does}: estim judges a carrier by the strictest band among its carrier "
                 "and its beat or burst rate, the rate the nerves follow (docs/safety.md)")
    found = [rule_finding(band, out.metrics_500.rms_max_1s, out, note=note)]
    if not out.is_dc:
        found.append(rule_finding(limit("iec.energy_per_pulse"), out.energy_per_pulse_j(500.0), out,
                              note="largest pulse energy into 500 Ω"))
    found.append(rule_finding(limit("iec.peak_voltage"), out.open_circuit_v, out,
                          note="compliance voltage" if out.stimulus.control.value == "current"
                          else "set peak voltage"))
    return found


#: An indicator threshold this program stays under, on a device that does not declare one.
THIS_PROGRAM_ONLY = ("judged for this program only: another program of the same device, at its "
                     "maximum, may need an output indicator")


def _indicator(out: ChannelOutput, *, declared: bool | None) -> list[Finding]:
    """Output indicator thresholds, at the device maximum into 1 kΩ.

    Above a threshold the device must have an output indicator: the verdict follows what the
    program file declares (``device.output_indicator``): true passes, false fails, and an
    undeclared indicator warns, since a pass would assume what nobody said.
    """
    d = out.at(INDICATOR_LOAD_OHM)
    action = ("IEC 60601-2-10 requires an output indicator on this device: check that it has "
              "one")
    i_rms = out.metrics_1k.rms_max_1s
    found = [
        rule_finding(limit("iec.indicator.current"), i_rms, out, action=action,
                 note="worst 1 s r.m.s. into 1 kΩ"),
        rule_finding(limit("iec.indicator.voltage"), i_rms * INDICATOR_LOAD_OHM, out, action=action,
                 note="worst 1 s r.m.s. into 1 kΩ"),
    ]
    if not out.is_dc:
        found.append(rule_finding(limit("iec.indicator.energy"),
                              out.energy_per_pulse_j(INDICATOR_LOAD_OHM), out, action=action,
                              note=f"largest pulse energy into 1 kΩ; peak "
                                   f"{d.peak_voltage_v:.3g} V"))
    judged = []
    for f in found:
        needed = f.value is not None and f.limit is not None and f.value > f.limit
        above = "; above this threshold an output indicator is required"
        if not needed and declared is True:
            judged.append(replace(f, action=""))
        elif not needed:
            # the standard asks it of a device capable of the output: a burst program under
            # the threshold read as a plain pass for a 100 mA unit with no indicator, whose
            # conventional TENS is over it (engineer's probe of 6 December 2026)
            judged.append(replace(f, action="", note=f.note + f"; {THIS_PROGRAM_ONLY}"))
        elif declared is True:
            # no call to check what the file declares: the red "check that it has one" stood
            # under a PASS (UX review of 6 December 2026)
            judged.append(replace(f, verdict=Verdict.PASS, action="",
                                  note=f.note + above + ", and the device declares one"))
        elif declared is False:
            # "declares none ... check that it has one" contradicted itself (device
            # engineer's probe of 7 December 2026)
            judged.append(replace(f, verdict=Verdict.FAIL,
                                  note=f.note + above + ", and the device declares none",
                                  action="fit an output indicator (IEC 60601-2-10), or keep "
                                         "the output under the threshold"))
        else:
            judged.append(replace(f, verdict=Verdict.WARN,
                                  note=f.note + above + "; whether the device has one is not "
                                  "stated (set device.output_indicator)"))
    return judged


def _into(out: ChannelOutput) -> str:
    """The load a channel's skin rules are judged into, in words."""
    if out.metrics_load is not None and out.load_ohm is not None:
        return f"into {out.load_ohm:.0f} Ω ({out.load_source}, below the 500 Ω test load)"
    if out.stimulus.control.value == "voltage":
        return "into 500 Ω" + _LOWER_LOAD_WORDS
    return "into 500 Ω"


def site_load(out: ChannelOutput) -> float | None:
    """The site's own load (Ω) a surface channel's skin rules are judged into, where it is
    not the 500 Ω test load (:func:`_into`); None otherwise."""
    if out.metrics_load is not None and out.load_source == FIELD_LOAD_SOURCE:
        return out.load_ohm
    return None


#: What a voltage-controlled channel's note says of a load below 500 Ω; a warning that
#: names the load below which its rule fails says it instead.
_LOWER_LOAD_WORDS = (" (voltage-controlled: a lower load draws more current; estim run "
                     "judges it into the site's own)")


def _power_density(out: ChannelOutput, where: str) -> Finding:
    """The average power density under the smaller pad, into the judged load, or into the
    field solution's load where that is higher for a current-controlled output (the power
    there is the larger: R·I² at the same current; a compliance that clips it is counted)."""
    from estim.text import ohm_text

    area = out.smaller_area_m2
    power = out.judged_ohm * out.judged_metrics.rms_max_1s**2 / area
    note = where + ", worst 1 s"
    judged_into = site_load(out)
    if out.metrics_field is not None and out.field_impedance_ohm is not None:
        there = out.field_impedance_ohm * out.metrics_field.rms_max_1s**2 / area
        if there > power:
            power = there
            # the field solution's load, not the d.c. skin's, which estim check judges
            # into as well (review of 6 December 2026)
            judged_into = out.field_impedance_ohm \
                if out.field_load_source == FIELD_LOAD_SOURCE else None
            note = (f"smaller electrode {area * 1e4:.3g} cm², into "
                    f"{ohm_text(out.field_impedance_ohm)} ({out.field_load_source}: above the "
                    "500 Ω test load, a current-controlled output puts more power into it), "
                    "worst 1 s")
    return rule_finding(limit("fda.power_density"), power, out, note=note,
                        action="larger electrodes or less output", site_load_ohm=judged_into)


#: The skin rules whose value grows with the current into the load: an output held back
#: by the 500 Ω test load (a voltage source, or a current source its compliance clips)
#: drives more of it into a lower one.
_GROWS_WITH_CURRENT = ("iec.current_density", "fda.power_density", "dc.current_density")


def _below_test_load(found: list[Finding], out: ChannelOutput,
                     current_limit: float | None) -> list[Finding]:
    """A skin channel judged into the 500 Ω test load without the site's own (``estim
    check``: no field solution) whose current that load holds back drives more into the
    lower loads tissue puts between pads (a calf's 200 Ω): a rule passed into 500 Ω that
    the most it can drive would fail is a warning, not a pass, naming the load below which
    it fails. The most: a voltage source's current limit (none stated: no bound), a
    current source clipped by its compliance its programmed current. HVPC at 500 V and
    1 kHz passed ``dc.current_density`` at 0.39 mA/cm² where ``estim run``, into the calf's
    load, failed it at 0.98 (probe of 6 December 2026). The power density grows with the
    current too (``V·I`` at the set voltage; at most the compliance times the current)."""
    scale = held_back(out, current_limit)
    if scale is None:
        return found
    voltage = out.stimulus.control is Control.VOLTAGE
    most = current_limit if voltage else out.stimulus.peak
    # the current set at this setting: at the device maximum it is not the programmed one
    # ("up to 1 A, its programmed current" of a 25 mA program; hostile probe of 6 December
    # 2026)
    set_words = ("current at the device maximum" if out.setting is Setting.DEVICE_MAXIMUM
                 else "programmed current")
    bound = ("a voltage-controlled device that states no current limit" if most is None
             else f"up to {current_text(most)}, its "
             + ("current limit" if voltage else f"{set_words}, which its compliance "
                "clips into 500 Ω"))
    return warn_below(found, scale, bound)


def held_back(out: ChannelOutput, current_limit: float | None) -> float | None:
    """How many times its current into 500 Ω a skin channel may drive into a lower load
    where no site load is known (inf: no bound); None where it is not held back by the test
    load, or the site's load is known (``estim run`` judges the rules there)."""
    if out.field_impedance_ohm is not None:
        return None
    peak = out.metrics_500.peak
    voltage = out.stimulus.control is Control.VOLTAGE
    if peak <= 0 or not (voltage or out.resistive[500.0].limited):
        return None
    most = current_limit if voltage else out.stimulus.peak
    return math.inf if most is None else most / peak


def warn_below(found: list[Finding], scale: float, bound: str) -> list[Finding]:
    """The passes of :data:`_GROWS_WITH_CURRENT` that ``scale`` x their value would fail, as
    warnings naming the load below which they do (``bound``: the most the output drives)."""
    judged = []
    for f in found:
        worst = None if f.value is None else f.value * scale
        if (f.rule_id not in _GROWS_WITH_CURRENT or f.verdict is not Verdict.PASS
                or worst is None or f.limit is None or not worst > f.limit):
            judged.append(f)
            continue
        # the current, and so the rule's value, goes as 500 Ω over the load until the most
        # the device drives: the rule fails below 500 Ω x value / limit
        below = ohm_text(500.0 * f.value / f.limit) if f.value else "any"
        note = f.note.replace(readable(_LOWER_LOAD_WORDS), "")
        judged.append(replace(f, verdict=Verdict.WARN, note=readable(
            f"{note}; into a load below {below} it exceeds the limit ({bound})"),
            action="judge it into the site's own load: estim run"))
    return judged


def _surface_rules(out: ChannelOutput, *, current_limit: float | None = None
                   ) -> list[Finding]:
    area = out.smaller_area_m2
    m = out.judged_metrics
    rms = m.rms_max_1s
    where = f"smaller electrode {area * 1e4:.3g} cm², {_into(out)}"
    site = partial(rule_finding, site_load_ohm=site_load(out))  # judged into _into's load
    found = [
        site(limit("iec.current_density"), rms / area, out, note=where,
             action="the instructions for use must draw the operator's attention to these "
                    "electrodes"),
        _power_density(out, where),
    ]
    s = out.channel.stimulation
    if not isinstance(s, Iontophoresis) and _shape_setting(out):
        frac = abs(m.mean) / m.mean_abs if m.mean_abs > 0 else 0.0
        if _one_way_s(out) > 0 and m.mean_abs > 0:
            # monophasic pulses whose polarity reverses every so often: balanced over the
            # cycle, d.c. over any stretch one way (an hour one way read "0 %" and passed;
            # hostile probe of 7 December 2026). Judged over the worst 1 s of whole pulses,
            # the window IEC 60601-2-10 measures the output over: a pulse one way as long
            # as the window is d.c. (the bundled example's 1 s pulses; review), pulses that
            # alternate many times a second are not
            frac = max(frac, worst_window_dc(out.stimulus, IEC_WINDOW_S))
        zero = _shape_note(out) + _one_way(out, m.mean_abs)
        found.append(site(limit("iec.dc_component"), frac, out,
                          note=f"net d.c. {m.mean * 1e3:.4g} mA, mean |I| "
                               f"{m.mean_abs * 1e3:.4g} mA {_into(out)}{zero}",
                          action="the instructions for use must give the precautions for a "
                                 "d.c. component", shape=True))
    if out.monophasic_by_intent:
        found.append(site(limit("dc.current_density"), m.mean_abs / area, out,
                          note=where + ", average of |I|"))
    if isinstance(s, Iontophoresis):
        found.append(site(limit("iontophoresis.current_density"), m.peak / area, out,
                          note=where + ", plateau"))
        if out.setting is Setting.PROGRAMMED:
            found.append(rule_finding(limit("iontophoresis.dose"),
                                  abs(out.metrics_500.session_charge), out,
                                  note="net charge of the session into 500 Ω"))
    return _below_test_load(found, out, current_limit)


def _implant_rules(out: ChannelOutput) -> list[Finding]:
    area = out.implanted_area_m2
    assert area is not None
    q = out.judged_metrics.max_phase_charge
    voltage = out.stimulus.control.value == "voltage"
    into = ""
    if voltage and out.load_ohm is not None:
        into = (f"; voltage-controlled: current into the lead impedance "
                f"{format_value(out.load_ohm, 'Ω')} ({out.load_source})")
    elif out.load_ohm is not None:
        into = (f"; current-controlled: into the lead impedance {format_value(out.load_ohm, 'Ω')} "
                f"({out.load_source}), where the compliance voltage holds back less than into "
                "500 Ω")
    elif voltage:
        into = "; voltage-controlled: current into 500 Ω, a low (conservative) lead impedance"
        if out.field_impedance_ohm is not None:
            into += (f" (the field solution's {out.field_impedance_ohm:.0f} Ω would give less "
                     "current; a lead's impedance varies between people)")
    note = f"largest phase charge {q * 1e6:.4g} µC on {area * 1e4:.4g} cm²{into}"
    found = [rule_finding(limit("implant.charge_density"), q / area, out, note=note)]
    rate = pulse_rate(out)
    if out.setting is Setting.PROGRAMMED and rate is not None:
        # the same at every amplitude: judged once (an 8 kHz DBS passed; probe)
        found.append(rule_finding(limit("implant.rate"), rate, out,
                              note="programmed pulse rate; the charge rules rest on 50 Hz "
                                   "data",
                              action="show that the rate is safe for the implant, or keep "
                                     "to the rates it is labelled for"))
    if voltage and out.load_ohm is not None and out.load_source == "stated in the program":
        found.append(_stated_impedance(out, area))
    shannon = limit("implant.shannon_k")
    if q > 0:
        q_uc = q * 1e6  # [C -> µC]
        k = math.log10(q_uc / (area * 1e4)) + math.log10(q_uc)  # [m² -> cm²]
        found.append(rule_finding(shannon, k, out, note=note))
    else:
        found.append(Finding(shannon.id, shannon.description, shannon.source, None,
                             shannon.value, shannon.unit, shannon.display_unit, Verdict.PASS,
                             out.channel.name, out.setting, "no charge delivered"))
    return found


#: The contact area of the leads behind the 2,000 Ω of a broken lead (Wong et al. 2018:
#: Medtronic 3387/3389 rings, 1.27 mm across and 1.5 mm long), m².
RING_CONTACT_AREA_M2 = math.pi * 1.27e-3 * 1.5e-3
#: A contact smaller than this share of it (a directional segment, a quarter ring or less)
#: is told that the figure is a ring's.
SMALL_CONTACT_FRACTION = 0.75


def _stated_impedance(out: ChannelOutput, area: float) -> Finding:
    """A voltage-controlled lead's stated impedance, against what an intact lead reads: the
    charge rules take the stated value, so a high one (a broken lead, or kΩ typed for Ω)
    lets them pass on a current an intact lead would exceed. The note gives the charge into
    the 500 Ω test load, the low end of intact leads, with its verdict."""
    assert out.load_ohm is not None
    row = limit("implant.lead_impedance")
    stated = format_value(out.load_ohm, "Ω")
    if out.load_ohm <= row.value * (1 + 1e-9):  # a pass says no more (a 500 Ω figure over
        return rule_finding(row, out.load_ohm, out,  # the limit read as a failure; review)
                        note=f"stated {stated}; the charge rules are judged into it")
    q = out.metrics_500.max_phase_charge
    density = limit("implant.charge_density")
    over = q / area > density.value * (1 + 1e-9)
    into_500 = (f"into 500 Ω, the low end of an intact lead, the largest phase charge would "
                f"be {q * 1e6:.4g} µC, {q / area * 1e2:.4g} µC/cm² "  # [C/m² -> µC/cm²]
                f"({'over' if over else 'within'} the {density.value * 1e2:g} µC/cm² limit)")
    note = f"stated {stated}; the charge rules are judged into it; {into_500}"
    action = ("measure the lead's impedance again: above 2,000 Ω a lead is usually broken; "
              "if the value was mistyped, correct channels.impedance")
    if area < SMALL_CONTACT_FRACTION * RING_CONTACT_AREA_M2:
        # a directional segment's 2.5 kΩ was called "usually broken" (its field alone is
        # ~2 kΩ; DBS researcher's probe of 7 December 2026): the verdict stays a warning,
        # the words say whose 2,000 Ω it is
        field = "" if out.field_impedance_ohm is None else (
            f"; the field solution alone gives this contact "
            f"{format_value(out.field_impedance_ohm, 'Ω')}, without the electrode interface")
        note += (f"; the 2,000 Ω is of ring contacts of {RING_CONTACT_AREA_M2 * 1e6:.3g} mm²; "
                 f"this one is {area * 1e6:.3g} mm², and a smaller contact reads higher when "
                 f"intact{field}")  # [m² -> mm²]
        action = ("check the reading against the lead's labelled range for a contact this "
                  "small (the 2,000 Ω of a broken lead is a ring contact's); if the value was "
                  "mistyped, correct channels.impedance")
    return rule_finding(row, out.load_ohm, out, note=note, action=action)


def _shape_setting(out: ChannelOutput) -> bool:
    """Whether the rules of the pulse's shape (charge balance, the d.c. component) are
    judged at this output's setting: at the programmed amplitude, or, for a channel
    programmed at 0, at the device maximum. A ratio of nothing to nothing read 0 % and
    passed a monophasic channel at 0, which the dial turns into 100 % d.c. (probe of
    6 December 2026)."""
    if out.channel.stimulation.amplitude.value == 0:
        return out.setting is Setting.DEVICE_MAXIMUM
    if out.setting is Setting.DEVICE_MAXIMUM:
        # a pulse that the compliance (or a voltage-set output's current limit) clips at the
        # maximum is another shape: an asymmetric pulse balanced as programmed left 20 % of
        # its charge unbalanced there, and passed (device engineer's probe of 7 December
        # 2026)
        return out.at(500.0).limited
    return True


#: Said of a shape rule judged at the device maximum (the channel programmed at 0).
_AT_ZERO = "; the channel is programmed at 0, so its pulse is judged at the device maximum"
#: Said of a shape rule judged at the device maximum, where the output is clipped.
_CLIPPED = "; at the device maximum the output is clipped into 500 Ω, which changes its shape"


#: The window over which IEC 60601-2-10 measures the output (its r.m.s. over any 1 s).
IEC_WINDOW_S = 1.0


def worst_window_dc(stim: Stimulus, window_s: float) -> float:
    """The largest d.c. fraction, |signed charge| ÷ charge of either sign, over any
    ``window_s`` of whole pulses of ``stim`` (a pulse longer than the window counts as its
    own window). For pulses of one polarity each, reversed every so often.

    >>> from estim.program.bundled import resolve_program
    >>> from estim.waveforms import stimuli_for
    >>> micro = stimuli_for(resolve_program("microcurrent_face")[0])[0]
    >>> worst_window_dc(micro, 1.0)  # one 1 s pulse one way, then the other way
    1.0
    """
    on = np.asarray(stim.onsets_s, float)
    if on.size == 0:
        return 0.0
    ends = on + stim.template_durations[stim.template]
    q, qa = np.asarray(stim.event_charge, float), np.asarray(stim.event_charge_abs, float)
    if np.any((ends - on > window_s * (1 + 1e-9)) & (qa > 0)):
        return min(1.0, float(np.max(np.abs(q[qa > 0]) / qa[qa > 0])))
    # the cycle repeated past one window beyond its end, so every window is whole
    cycle = stim.cycle_s
    reps = math.ceil(window_s / cycle) + 1
    shift = cycle * np.repeat(np.arange(reps), on.size)
    on2, ends2 = np.tile(on, reps) + shift, np.tile(ends, reps) + shift
    qs = np.r_[0.0, np.cumsum(np.tile(q, reps))]
    qas = np.r_[0.0, np.cumsum(np.tile(qa, reps))]
    last = np.searchsorted(ends2, on2[:on.size] + window_s * (1 + 1e-9), side="right")
    first = np.arange(on.size)
    net = np.abs(qs[last] - qs[first])
    total = qas[last] - qas[first]
    held = total > 0
    # at most 1: the two running sums round apart by a few units in the last place
    return min(1.0, float(np.max(net[held] / total[held]))) if held.any() else 0.0


def _one_way_s(out: ChannelOutput) -> float:
    """How long a microcurrent that reverses its polarity runs one way (s): from the first
    pulse after a reversal to the end of the last before the next (0 without reversals)."""
    s = out.channel.stimulation
    reversal = getattr(s, "polarity_reversal", None)
    if reversal is None:
        return 0.0
    off = (1.0 - float(getattr(s, "duty", 1.0))) / float(getattr(s, "frequency", math.inf))
    return float(reversal) - off


def _one_way(out: ChannelOutput, mean_abs: float) -> str:
    """Said of the d.c. component of a microcurrent that reverses its polarity: how long
    and how much charge the output runs one way between reversals, within which the whole
    current is d.c. 10 min one way read "0 %" alone (device engineer's probe of 7 December
    2026); the d.c. burn rule judges the average of |I| whatever the polarity."""
    s = out.channel.stimulation
    reversal = getattr(s, "polarity_reversal", None)
    if reversal is None:
        return ""
    charge = mean_abs * reversal  # the cycle's mean |I| flows one way for the whole stretch

    def span(t: float) -> str:
        return f"{t / 60:.3g} min" if t >= 60 else f"{t:.3g} s"  # [s -> min]

    return (f"; the output runs one way for {span(_one_way_s(out))} at a time "
            f"({format_si(charge, 'C')}) before it reverses, balanced only over its whole "
            f"{span(2 * reversal)} cycle: judged over the worst 1 s of whole pulses, the "
            "window IEC 60601-2-10 measures the output over")


def _shape_note(out: ChannelOutput) -> str:
    """Why a shape rule is judged at the device maximum, where it is."""
    if out.setting is not Setting.DEVICE_MAXIMUM:
        return ""
    return _AT_ZERO if out.channel.stimulation.amplitude.value == 0 else _CLIPPED


def _balance(out: ChannelOutput) -> list[Finding]:
    if not out.ac_by_intent or not _shape_setting(out):
        return []
    m = out.metrics_500
    zero = _shape_note(out)
    commanded = out.stimulus
    balanced_as_set = (len(commanded.scale) > 0 and float(np.max(np.abs(
        commanded.event_charge))) <= 0.01 * commanded.max_phase_charge())
    if out.at(500.0).limited and balanced_as_set:
        zero = ""  # the action says it: the compliance clips it
        # an asymmetric pulse balanced as set, its tall leading phase clipped by the
        # compliance: "make it biphasic" was said of a biphasic pulse (engineer's probe of
        # 6 December 2026); a voltage-set output is clipped by its current limit (review)
        current = out.stimulus.control is Control.CURRENT
        # a clipped voltage-set output's peak current is its current limit
        bound = (f"{out.open_circuit_v:.3g} V compliance" if current
                 else f"{out.at(500.0).peak_current_a * 1e3:.3g} mA current limit")
        higher = "compliance" if current else "current limit"
        action = (f"the pulse is balanced as set, but the {bound} clips it into 500 Ω and "
                  f"leaves a net charge: lower the amplitude, or use an output with a higher "
                  f"{higher} or a passive (capacitor-coupled) recharge")
    elif isinstance(out.channel.stimulation, Russian):
        # a sine carrier cut short by its burst: "make it biphasic" was said of a sine
        # (hostile probe of 6 December 2026)
        stim = out.channel.stimulation
        cycles = stim.burst_duty / stim.burst_frequency * stim.carrier_frequency
        action = (f"make each burst hold whole carrier cycles (it holds {cycles:.3g}: burst "
                  "duty ÷ burst frequency × carrier frequency a whole number)")
    else:
        action = "make the pulse charge-balanced (biphasic)"
    return [rule_finding(limit("charge.balance"), m.charge_imbalance, out,
                     note=f"net {m.max_net_charge_per_pulse * 1e6:.4g} µC per pulse into 500 Ω"
                          + zero, action=action, shape=True)]


_Rule = Callable[[ChannelOutput], list[Finding]]


def channel_findings(program: Program, channel: Channel,
                      outputs: tuple[ChannelOutput, ...]) -> list[Finding]:
    implanted = channel_implanted(program, channel)
    found: list[Finding] = []
    for out in outputs:
        rules: list[_Rule] = [_balance]
        if implanted:
            rules.append(_implant_rules)
        else:
            rules += [_device_rules, partial(_surface_rules,
                                             current_limit=program.device.current_limit)]
            if out.setting is Setting.DEVICE_MAXIMUM:
                rules.append(partial(_indicator, declared=program.device.output_indicator))
        for rule in rules:
            found += rule(out)
    return found


def pulse_rate(out: ChannelOutput) -> float | None:
    """A channel's programmed pulse rate (Hz), where its stimulation has one."""
    rate = getattr(out.channel.stimulation, "frequency", None)
    if not isinstance(rate, numbers.Real) or isinstance(rate, bool):
        return None
    value = float(rate)
    return value if math.isfinite(value) else None
