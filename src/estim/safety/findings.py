"""Check a program against :data:`estim.safety.limits.LIMITS`.

:func:`check` analyses every channel at the programmed amplitude and at the device's maximum
setting and judges each applicable limit:

- *device* rules (IEC 60601-2-10 output limits) are judged at both settings with the same
  verdict: a device whose maximum setting exceeds an IEC output limit fails even if this
  program sets less, because the standard is about what the device can deliver. The
  maximum is this program's waveform at the device's maximum amplitude; other settings of
  the device (wider pulses, higher rates) are not known to estim and are not covered.
- *application* rules (densities, balance, dose) are judged at the programmed amplitude; the
  device maximum gets the limit's milder ``verdict_at_max`` (a warning that the device can
  exceed the limit on these electrodes).

Verdicts are never optimistic: a value that cannot be computed is a warning, not a pass.
Every finding's evidence level is "rule" (a standard or a guidance document).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from estim.errors import InputError
from estim.evidence import EvidenceLevel
from estim.program.model import Channel, Control, Iontophoresis, Program, Verdict
from estim.safety.limits import Limit, Scope, iec_rms_band, limit
from estim.safety.loads import INDICATOR_LOAD_OHM
from estim.safety.output import ChannelOutput, Setting, analyse, channel_implanted
from estim.safety.table import (
    OutputTable,
    channel_table,
    display_value,
    format_value,
    programmed_only,
)
from estim.text import current_text, ohm_text, readable
from estim.waveforms.build import stimulus_for

__all__ = ["Finding", "SafetyReport", "check", "worst"]

_RANK = {Verdict.PASS: 0, Verdict.WARN: 1, Verdict.FAIL: 2}


def worst(verdicts: Any) -> Verdict:
    """The worst of ``verdicts`` (PASS for none)."""
    return max(verdicts, key=_RANK.__getitem__, default=Verdict.PASS)


@dataclass(frozen=True)
class Finding:
    """The outcome of one rule on one channel at one setting.

    :param rule_id: the limit's id (:data:`estim.safety.limits.LIMITS`).
    :param description: what was judged.
    :param source: the limit's source.
    :param value: the computed value (SI, ``unit``); None when it could not be computed.
    :param limit: the limit (SI, ``unit``); None when no limit was reached (analysis error).
    :param unit: SI unit of ``value`` and ``limit``.
    :param display_unit: unit to print them in.
    :param verdict: PASS, WARN or FAIL.
    :param channel: channel name ("" for the whole program).
    :param setting: the amplitude the value is taken at.
    :param note: how the value was obtained.
    :param action: what the user or the manufacturer must do (e.g. fit an output indicator).
    :param evidence: always "rule".
    """

    rule_id: str
    description: str
    source: str
    value: float | None
    limit: float | None
    unit: str
    display_unit: str
    verdict: Verdict
    channel: str
    setting: Setting | None
    note: str = ""
    action: str = ""
    evidence: EvidenceLevel = EvidenceLevel.RULE

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id, "description": self.description, "source": self.source,
            "value": self.value, "limit": self.limit, "unit": self.unit,
            "display_unit": self.display_unit,
            "display_value": display_value(self.value, self.display_unit),
            "display_limit": display_value(self.limit, self.display_unit),
            "verdict": self.verdict.value, "channel": self.channel,
            "setting": self.setting.value if self.setting else None,
            "note": self.note, "action": self.action, "evidence": self.evidence.value,
        }


@dataclass(frozen=True)
class SafetyReport:
    """Findings and the output table of one program.

    :param program: the program's name.
    :param findings: every rule judged, channel by channel.
    :param table: the output specification table.
    """

    program: str
    findings: tuple[Finding, ...]
    table: OutputTable

    @property
    def verdict(self) -> Verdict:
        """The worst verdict of all findings."""
        return worst(f.verdict for f in self.findings)

    @property
    def failed(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.verdict is Verdict.FAIL)

    @property
    def counts(self) -> str:
        """How many rules were checked, failed and warned, in words ("15 rule checks, 1
        failed, 2 warned"): every face says the same (the terminal's last line left the
        warnings out; probe of 5 December 2026)."""
        warned = sum(f.verdict is Verdict.WARN for f in self.findings)
        return f"{len(self.findings)} rule checks, {len(self.failed)} failed, {warned} warned"

    def by_rule(self, rule_id: str) -> tuple[Finding, ...]:
        """Findings of one rule (ids of the IEC r.m.s. bands start with ``iec.rms``)."""
        return tuple(f for f in self.findings if f.rule_id == rule_id)

    def to_dict(self) -> dict[str, Any]:
        return {"program": self.program, "verdict": self.verdict.value,
                "findings": [f.to_dict() for f in self.findings],
                "table": self.table.to_dict()}


def _finding(row: Limit, value: float | None, out: ChannelOutput, *, note: str = "",
             action: str = "", limit_value: float | None = None,
             shape: bool = False) -> Finding:
    """A rule's finding; ``shape``: a rule of the pulse's shape, whose verdict is its own at
    any setting (judged at the device maximum only for a channel programmed at 0)."""
    lim = row.value if limit_value is None else limit_value
    if value is None or not math.isfinite(value):
        verdict = Verdict.WARN
        note = (note + "; " if note else "") + "value could not be computed"
        value = None
    elif value > lim * (1 + 1e-9):
        at_max = out.setting is Setting.DEVICE_MAXIMUM and row.scope is Scope.APPLICATION \
            and not shape
        verdict = (row.verdict_at_max or Verdict.WARN) if at_max else row.verdict
    else:
        verdict = Verdict.PASS
        action = ""
    return Finding(row.id, row.description, row.source, value, lim, row.unit, row.display_unit,
                   verdict, out.channel.name, out.setting, readable(note), action)


def _device_rules(out: ChannelOutput) -> list[Finding]:
    """IEC 60601-2-10 output limits (external stimulators)."""
    t = out.stimulus.timing
    band = iec_rms_band(t.band_frequencies_hz)
    freqs = ", ".join(f"{f:g} Hz" if f > 0 else "d.c." for f in t.band_frequencies_hz)
    found = [_finding(band, out.metrics_500.rms_max_1s, out,
                      note=f"worst 1 s r.m.s. into 500 Ω; strictest band of: {freqs or 'none'}")]
    if not out.is_dc:
        found.append(_finding(limit("iec.energy_per_pulse"), out.energy_per_pulse_j(500.0), out,
                              note="largest pulse energy into 500 Ω"))
    found.append(_finding(limit("iec.peak_voltage"), out.open_circuit_v, out,
                          note="compliance voltage" if out.stimulus.control.value == "current"
                          else "set peak voltage"))
    return found


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
        _finding(limit("iec.indicator.current"), i_rms, out, action=action,
                 note="worst 1 s r.m.s. into 1 kΩ"),
        _finding(limit("iec.indicator.voltage"), i_rms * INDICATOR_LOAD_OHM, out, action=action,
                 note="worst 1 s r.m.s. into 1 kΩ"),
    ]
    if not out.is_dc:
        found.append(_finding(limit("iec.indicator.energy"),
                              out.energy_per_pulse_j(INDICATOR_LOAD_OHM), out, action=action,
                              note=f"largest pulse energy into 1 kΩ; peak "
                                   f"{d.peak_voltage_v:.3g} V"))
    judged = []
    for f in found:
        needed = f.value is not None and f.limit is not None and f.value > f.limit
        above = "; above the limit an output indicator is required"
        if not needed:
            judged.append(replace(f, action=""))
        elif declared is True:
            # no call to check what the file declares: the red "check that it has one" stood
            # under a PASS (UX review of 6 December 2026)
            judged.append(replace(f, verdict=Verdict.PASS, action="",
                                  note=f.note + above + ", and the device declares one"))
        elif declared is False:
            judged.append(replace(f, verdict=Verdict.FAIL,
                                  note=f.note + above + ", and the device declares none"))
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
    if out.metrics_field is not None and out.field_impedance_ohm is not None:
        there = out.field_impedance_ohm * out.metrics_field.rms_max_1s**2 / area
        if there > power:
            power = there
            note = (f"smaller electrode {area * 1e4:.3g} cm², into "
                    f"{ohm_text(out.field_impedance_ohm)} ({out.field_load_source}: above the "
                    "500 Ω test load, a current-controlled output puts more power into it), "
                    "worst 1 s")
    return _finding(limit("fda.power_density"), power, out, note=note,
                    action="larger electrodes or less output")


def _shared_power(outs: list[ChannelOutput], area: float, where: str, power: float
                  ) -> Finding:
    """The power density of channels sharing a placement: into the highest judged load, or,
    where a current-controlled channel's field load is above 500 Ω, the summed currents
    into the highest of those loads if that is more (two channels on 2 x 2 cm pads into
    4 kΩ read 0.091 W/cm² where each alone read 0.18 and the sum is 0.73; review of
    6 December 2026)."""
    from estim.text import ohm_text

    if any(o.metrics_field is not None for o in outs):
        rms = sum((o.metrics_field if o.metrics_field is not None else o.judged_metrics)
                  .rms_max_1s for o in outs)
        ohm = max(o.field_impedance_ohm if o.metrics_field is not None
                  and o.field_impedance_ohm is not None else o.judged_ohm for o in outs)
        there = ohm * rms**2 / area
        if there > power:
            power = there
            where = (f"{where.split(', into ')[0]}, into {ohm_text(ohm)} (the highest of "
                     "their loads, above the 500 Ω test load: current-controlled outputs "
                     f"put more power into it; {rms * 1e3:.4g} mA r.m.s. there together)")
    return _finding(limit("fda.power_density"), power, outs[0], note=where,
                    action="separate electrodes, larger ones or less output")


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
    scale = _held_back(out, current_limit)
    if scale is None:
        return found
    voltage = out.stimulus.control is Control.VOLTAGE
    most = current_limit if voltage else out.stimulus.peak
    bound = ("a voltage-controlled device that states no current limit" if most is None
             else f"up to {current_text(most)}, its "
             + ("current limit" if voltage else "programmed current, which its compliance "
                "clips into 500 Ω"))
    return _warn_below(found, scale, bound)


def _held_back(out: ChannelOutput, current_limit: float | None) -> float | None:
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


def _warn_below(found: list[Finding], scale: float, bound: str) -> list[Finding]:
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
    found = [
        _finding(limit("iec.current_density"), rms / area, out, note=where,
                 action="the instructions for use must draw the operator's attention to "
                        "these electrodes"),
        _power_density(out, where),
    ]
    s = out.channel.stimulation
    if not isinstance(s, Iontophoresis) and _shape_setting(out):
        frac = abs(m.mean) / m.mean_abs if m.mean_abs > 0 else 0.0
        zero = _AT_ZERO if out.setting is Setting.DEVICE_MAXIMUM else ""
        found.append(_finding(limit("iec.dc_component"), frac, out,
                              note=f"net d.c. {m.mean * 1e3:.4g} mA, mean |I| "
                                   f"{m.mean_abs * 1e3:.4g} mA {_into(out)}{zero}",
                              action="the instructions for use must give the precautions "
                                     "for a d.c. component", shape=True))
    if out.monophasic_by_intent:
        found.append(_finding(limit("dc.current_density"), m.mean_abs / area, out,
                              note=where + ", average of |I|"))
    if isinstance(s, Iontophoresis):
        found.append(_finding(limit("iontophoresis.current_density"),
                              m.peak / area, out, note=where + ", plateau"))
        if out.setting is Setting.PROGRAMMED:
            found.append(_finding(limit("iontophoresis.dose"),
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
    found = [_finding(limit("implant.charge_density"), q / area, out, note=note)]
    rate = _rate(out)
    if out.setting is Setting.PROGRAMMED and rate is not None:
        # the same at every amplitude: judged once (an 8 kHz DBS passed; probe)
        found.append(_finding(limit("implant.rate"), rate, out,
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
        found.append(_finding(shannon, k, out, note=note))
    else:
        found.append(Finding(shannon.id, shannon.description, shannon.source, None,
                             shannon.value, shannon.unit, shannon.display_unit, Verdict.PASS,
                             out.channel.name, out.setting, "no charge delivered"))
    return found


def _stated_impedance(out: ChannelOutput, area: float) -> Finding:
    """A voltage-controlled lead's stated impedance, against what an intact lead reads: the
    charge rules take the stated value, so a high one (a broken lead, or kΩ typed for Ω)
    lets them pass on a current an intact lead would exceed. The note gives the charge into
    the 500 Ω test load, the low end of intact leads, with its verdict."""
    assert out.load_ohm is not None
    row = limit("implant.lead_impedance")
    stated = format_value(out.load_ohm, "Ω")
    if out.load_ohm <= row.value * (1 + 1e-9):  # a pass says no more (a 500 Ω figure over
        return _finding(row, out.load_ohm, out,  # the limit read as a failure; review)
                        note=f"stated {stated}; the charge rules are judged into it")
    q = out.metrics_500.max_phase_charge
    density = limit("implant.charge_density")
    over = q / area > density.value * (1 + 1e-9)
    into_500 = (f"into 500 Ω, the low end of an intact lead, the largest phase charge would "
                f"be {q * 1e6:.4g} µC, {q / area * 1e2:.4g} µC/cm² "  # [C/m² -> µC/cm²]
                f"({'over' if over else 'within'} the {density.value * 1e2:g} µC/cm² limit)")
    note = f"stated {stated}; the charge rules are judged into it; {into_500}"
    return _finding(row, out.load_ohm, out, note=note,
                    action="measure the lead's impedance again: above 2,000 Ω a lead is "
                           "usually broken; if the value was mistyped, correct "
                           "channels.impedance")


def _shape_setting(out: ChannelOutput) -> bool:
    """Whether the rules of the pulse's shape (charge balance, the d.c. component) are
    judged at this output's setting: at the programmed amplitude, or, for a channel
    programmed at 0, at the device maximum. A ratio of nothing to nothing read 0 % and
    passed a monophasic channel at 0, which the dial turns into 100 % d.c. (probe of
    6 December 2026)."""
    if out.channel.stimulation.amplitude.value == 0:
        return out.setting is Setting.DEVICE_MAXIMUM
    return out.setting is Setting.PROGRAMMED


#: Said of a shape rule judged at the device maximum (the channel programmed at 0).
_AT_ZERO = "; the channel is programmed at 0, so its pulse is judged at the device maximum"


def _balance(out: ChannelOutput) -> list[Finding]:
    if not out.ac_by_intent or not _shape_setting(out):
        return []
    m = out.metrics_500
    zero = _AT_ZERO if out.setting is Setting.DEVICE_MAXIMUM else ""
    return [_finding(limit("charge.balance"), m.charge_imbalance, out,
                     note=f"net {m.max_net_charge_per_pulse * 1e6:.4g} µC per pulse into 500 Ω"
                          + zero,
                     action="make the pulse charge-balanced (biphasic)", shape=True)]


_Rule = Callable[[ChannelOutput], list[Finding]]


def _channel_findings(program: Program, channel: Channel,
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


def _shared(electrodes: list[tuple[Channel, Any]],
            outputs: Mapping[str, tuple[ChannelOutput, ChannelOutput | None]]
            ) -> list[tuple[str, list[str], float, str, str]]:
    """The placements two or more analysed channels' ``electrodes`` share: (placement, the
    channels' names, the smallest of their electrodes' areas there, the names listed for a
    note, and the finding's channel: ``1 + 2 at lead_contact_1``)."""
    at: dict[str, list[tuple[str, float]]] = {}
    for ch, electrode in electrodes:
        if ch.name in outputs:
            at.setdefault(electrode.placement, []).append((ch.name, electrode.area_m2))
    out = []
    for placement, users in at.items():
        names = list(dict.fromkeys(name for name, _ in users))
        if len(names) < 2:
            continue
        listed = ", ".join(names) if len(names) <= 4 else \
            f"{names[0]}, {names[1]} … {names[-1]} ({len(names)} channels)"
        who = (" + ".join(names) if len(names) <= 4 else
               f"{names[0]} + … + {names[-1]} ({len(names)} channels)") + f" at {placement}"
        out.append((placement, names, min(a for _, a in users), listed, who))
    return out


def _at_each_setting(outputs: Mapping[str, tuple[ChannelOutput, ChannelOutput | None]],
                     names: list[str]) -> list[tuple[list[ChannelOutput], list[str]]]:
    """The named channels' outputs at the programmed amplitude and at the device maximum,
    each with the channels whose output at the device maximum could not be computed: their
    programmed output stands in, a lower bound (the sum was left out, and a certain failure
    at the maximum with it; review of 5 December 2026)."""
    programmed = [outputs[name][0] for name in names]
    top, missing = [], []
    for name in names:
        p, m = outputs[name]
        if m is None:
            missing.append(name)
            m = replace(p, setting=Setting.DEVICE_MAXIMUM)
        top.append(m)
    return [(programmed, []), (top, missing)]


def _at_least(found: list[Finding], missing: list[str]) -> list[Finding]:
    """Findings on a sum that is a lower bound (``missing`` channels' device maximum could
    not be computed): a failure stands, a pass is only a warning."""
    if not missing:
        return found
    why = (f"; a lower bound: the output of channel {', '.join(missing)} at the device "
           "maximum could not be computed, and its programmed output stands in")
    return [replace(f, note=f.note + why,
                    verdict=Verdict.WARN if f.verdict is Verdict.PASS else f.verdict)
            for f in found]


def _shared_placements(program: Program,
                       outputs: Mapping[str, tuple[ChannelOutput, ChannelOutput | None]]
                       ) -> list[Finding]:
    """Channels whose electrodes sit on the same placement pass their currents through the
    same skin: the surface rules judged on their sum. The channels' worst 1 s r.m.s.
    currents are added as if in phase (the most they can sum to; a sum of r.m.s. values
    bounds the r.m.s. of the sum) on the smallest of their electrodes there, into 500 Ω.
    Each channel alone can pass while forty of them on one pair of pads exceed the FDA's
    power density."""
    found: list[Finding] = []
    skin = [(ch, e) for ch in program.channels if not channel_implanted(program, ch)
            for e in (ch.anode, ch.cathode)]
    judged_rms: set[tuple[tuple[str, ...], int]] = set()
    for placement, names, area, listed, who in _shared(skin, outputs):
        for k, (outs, missing) in enumerate(_at_each_setting(outputs, names)):
            # each channel's current into its own judged load; the power into the highest
            # of those loads (the most the summed current can dissipate there)
            rms = sum(o.judged_metrics.rms_max_1s for o in outs)
            ohm = max(o.judged_ohm for o in outs)
            where = (f"channels {listed} share the placement {placement}: their "
                     f"worst 1 s r.m.s. currents added ({rms * 1e3:.4g} mA) on the smallest "
                     f"electrode there, {area * 1e4:.3g} cm², into {ohm:.0f} Ω")
            # the IEC r.m.s. limit on the current through the pads, in the strictest band of
            # any channel there: two 34.9 mA r.m.s. channels on one pair passed where one
            # channel of 69.7 mA fails (probe of 5 December 2026)
            bands = tuple(f for o in outs for f in o.stimulus.timing.band_frequencies_hz)
            shared = [] if (tuple(names), k) in judged_rms else [  # once per channels: the
                # same sum at the anode's and the cathode's placement (review)
                _finding(iec_rms_band(bands), rms, outs[0],
                         note=f"{where}; strictest band of the channels'",
                         action="separate electrodes or less output")]
            judged_rms.add((tuple(names), k))
            shared += [
                _finding(limit("iec.current_density"), rms / area, outs[0], note=where,
                         action="the instructions for use must draw the operator's attention "
                                "to these electrodes"),
                _shared_power(outs, area, where, ohm * rms**2 / area)]
            shared += _shared_dc(outs, area, placement, listed)
            # held back by 500 Ω, the channels' sum grows in a lower load at most as the
            # most held back of them does (two voltage channels on one pad each warned
            # alone and their sum passed; review of 6 December 2026)
            scales = [_held_back(o, program.device.current_limit) for o in outs]
            if any(x is not None for x in scales):
                most = max(x if x is not None else 1.0 for x in scales)
                shared = _warn_below(shared, most, "as much as the channels' outputs drive "
                                     "into it")
            found += [replace(f, channel=who) for f in _at_least(shared, missing)]
    return found


def _shared_contacts(program: Program,
                     outputs: Mapping[str, tuple[ChannelOutput, ChannelOutput | None]]
                     ) -> list[Finding]:
    """Channels that drive the same lead contact pass their charges through the same metal:
    the implant rules judged on their sum. Each channel's largest phase charge is added as
    if the phases coincided (the most they can sum to; a device may interleave them, which
    the program does not say), on the smallest of their contacts there. Two 8 mA, 150 µs
    channels on one contact each passed at 20 µC/cm² while the contact carried 40 µC/cm²,
    which one 16 mA channel fails (probe of 5 December 2026)."""
    found: list[Finding] = []
    contacts = [(ch, e) for ch in program.channels for e in (ch.anode, ch.cathode)
                if e.implanted]
    for contact, names, area, listed, who in _shared(contacts, outputs):
        for outs, missing in _at_each_setting(outputs, names):
            q = sum(o.judged_metrics.max_phase_charge for o in outs)
            note = (f"channels {listed} share the contact {contact}: their largest phase "
                    f"charges added as if their phases coincided ({q * 1e6:.4g} µC) on "
                    f"{area * 1e4:.4g} cm²")  # [C -> µC, m² -> cm²]
            action = "lower the channels' amplitudes or give each channel its own contact"
            shared = [_finding(limit("implant.charge_density"), q / area, outs[0], note=note,
                               action=action)]
            if q > 0:
                q_uc = q * 1e6  # [C -> µC]
                k_value = math.log10(q_uc / (area * 1e4)) + math.log10(q_uc)  # [m² -> cm²]
                shared.append(_finding(limit("implant.shannon_k"), k_value, outs[0],
                                       note=note, action=action))
            if outs[0].setting is Setting.PROGRAMMED:
                rates = [_rate(o) for o in outs]
                if all(r is not None for r in rates):
                    # pulses of two 200 Hz channels on one contact are 400 a second
                    # through it (review of 6 December 2026): judged once, as a channel's
                    total = float(sum(r for r in rates if r is not None))
                    shared.append(_finding(
                        limit("implant.rate"), total, outs[0], note=f"channels {listed} "
                        f"share the contact {contact}: their pulse rates added",
                        action="give each channel its own contact, or keep their sum to "
                               "the rates the implant is labelled for"))
            found += [replace(f, channel=who) for f in _at_least(shared, missing)]
    return found


def _rate(out: ChannelOutput) -> float | None:
    """A channel's programmed pulse rate (Hz), where its stimulation has one."""
    rate = getattr(out.channel.stimulation, "frequency", None)
    if not isinstance(rate, numbers.Real) or isinstance(rate, bool):
        return None
    value = float(rate)
    return value if math.isfinite(value) else None


def _shared_dc(outs: list[ChannelOutput], area: float, placement: str, listed: str
               ) -> list[Finding]:
    """The d.c. rules on the channels' d.c. added at one placement: iontophoresis's plateau
    currents and the monophasic-by-intent channels' average |I| (balanced channels carry
    none), on the smallest electrode there; and the iontophoretic doses added. Each of two
    4 mA channels on one 10 cm² drug pad passes 0.5 mA/cm² alone; together they put 0.8
    mA/cm² through that skin."""
    ionto = [o for o in outs if isinstance(o.channel.stimulation, Iontophoresis)]
    mono = [o for o in outs if o.monophasic_by_intent
            and not isinstance(o.channel.stimulation, Iontophoresis)]
    if len(ionto) + len(mono) < 2:
        return []  # one d.c. channel at most: its own rules judged it
    dc = sum(o.metrics_500.peak for o in ionto) + sum(o.judged_metrics.mean_abs for o in mono)
    what = " and ".join(w for w, on in (("iontophoresis's plateau currents", ionto),
                                         ("the monophasic channels' average |I|", mono)) if on)
    where = (f"channels {listed} share the placement {placement}: their d.c. added "
             f"({dc * 1e3:.4g} mA: {what}) on the smallest electrode there, "
             f"{area * 1e4:.3g} cm², "
             + ("into 500 Ω" if all(o.judged_ohm == 500.0 for o in mono)
                else "each into its own judged load"))
    rule = "iontophoresis.current_density" if ionto else "dc.current_density"
    found = [_finding(limit(rule), dc / area, outs[0], note=where,
                      action="separate drug pads, larger ones or less current")]
    if len(ionto) >= 2 and outs[0].setting is Setting.PROGRAMMED:
        dose = sum(abs(o.metrics_500.session_charge) for o in ionto)
        found.append(_finding(limit("iontophoresis.dose"), dose, outs[0],
                              note=f"channels {listed} share the placement {placement}: "
                                   "their net charges of the session added, into 500 Ω"))
    return found


def _check_impedances(program: Program, impedances: Mapping[str, float] | None) -> None:
    """Each given impedance a channel's, positive and finite: a misspelled name (or the
    integer 1 for channel "1") was ignored, and the verdict taken into 500 Ω passed where the
    100 Ω given would fail; NaN wrote "the field solution's nan Ω" (probe of 5 December
    2026)."""
    if impedances is None:
        return
    if not isinstance(impedances, Mapping):
        raise InputError("impedances_ohm", impedances, "a mapping of channel name to ohms")
    names = [c.name for c in program.channels]
    for key, z in impedances.items():
        if key not in names:
            raise InputError("impedances_ohm", key, f"a channel name: {', '.join(names)}")
        ok = isinstance(z, numbers.Real) and not isinstance(z, bool)  # numpy's too
        if not (ok and math.isfinite(z) and z > 0):
            raise InputError(f"impedances_ohm[{key!r}]", z, "a positive, finite impedance "
                             "(ohms)")


def check(program: Program, *, impedances_ohm: Mapping[str, float] | None = None
          ) -> SafetyReport:
    """Judge ``program`` against every applicable limit and build its output table.

    :param impedances_ohm: per channel name, the electrode impedance of an implanted
        channel from the field solution (Ω); an impedance the program states takes
        precedence; without one, a voltage-controlled channel, or a current-controlled one
        whose compliance clips its current into 500 Ω, is judged into the 500 Ω test load,
        or into the field's impedance where that is lower (a lower impedance is the
        conservative one).
    :returns: the findings (overall verdict = the worst) and the output table.
    """
    if not isinstance(program, Program):  # None was an AttributeError from inside
        raise InputError("program", type(program).__name__, "a Program (estim.load_program)")
    _check_impedances(program, impedances_ohm)
    findings: list[Finding] = []
    tables = []
    analysed: dict[str, tuple[ChannelOutput, ChannelOutput | None]] = {}
    for channel in program.channels:
        z = (impedances_ohm or {}).get(channel.name)
        try:
            base = stimulus_for(channel)
            programmed = analyse(program, channel, Setting.PROGRAMMED, programmed=base,
                                 impedance_ohm=z)
        except Exception as err:  # never pass what could not be computed
            findings.append(Finding("analysis", "output of the channel", "estim", None,
                                    None, "", "", Verdict.WARN, channel.name, None,
                                    f"could not compute the output: {err}"))
            continue
        try:
            top = analyse(program, channel, Setting.DEVICE_MAXIMUM, programmed=base,
                          impedance_ohm=z)
        except Exception as err:
            # the programmed output is still judged: iontophoresis whose ramps at the
            # device maximum hold more than its dose lost its whole table and a FAIL at
            # the programmed 4 mA, a WARN with exit 0 (probe of 5 December 2026)
            findings.append(Finding("analysis", "output of the channel at the device maximum",
                                    "estim", None, None, "", "", Verdict.WARN, channel.name,
                                    Setting.DEVICE_MAXIMUM,
                                    f"could not compute the output at the device maximum: "
                                    f"{err}"))
            findings += _channel_findings(program, channel, (programmed,))
            tables.append(programmed_only(channel_table(programmed, programmed),
                                          program.device.max_amplitude))
            analysed[channel.name] = (programmed, None)
            continue
        findings += _channel_findings(program, channel, (programmed, top))
        tables.append(channel_table(programmed, top))
        analysed[channel.name] = (programmed, top)
    findings += _shared_placements(program, analysed)
    findings += _shared_contacts(program, analysed)
    return SafetyReport(program.name, tuple(findings), OutputTable(program.name, tuple(tables)))
