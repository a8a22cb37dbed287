"""The rules judged on the sum of channels that share a pad or a lead contact: their
currents pass through the same skin, their charges through the same metal
(:func:`shared_placements`, :func:`shared_contacts`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from estim.program.model import Channel, Iontophoresis, Program, Verdict
from estim.safety.limits import iec_rms_band, limit
from estim.safety.output import FIELD_LOAD_SOURCE, ChannelOutput, Setting, channel_implanted
from estim.safety.rules import held_back, pulse_rate, site_load, warn_below
from estim.safety.verdicts import Finding, rule_finding

__all__ = ["shared_contacts", "shared_placements"]


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


def shared_placements(program: Program,
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
            # the frequencies named (the note ended "strictest band of the channels'";
            # hostile probe of 6 December 2026), each once
            freqs = ", ".join(f"{f:g} Hz" if f > 0 else "d.c." for f in dict.fromkeys(bands))
            shared = [] if (tuple(names), k) in judged_rms else [  # once per channels: the
                # same sum at the anode's and the cathode's placement (review)
                rule_finding(iec_rms_band(bands), rms, outs[0],
                             note=f"{where}; strictest band of the channels' frequencies: "
                                  f"{freqs or 'none'}",
                             action="separate electrodes or less output")]
            judged_rms.add((tuple(names), k))
            # the site's own load where that is what the sum was judged into (the finding
            # said so in words only; review of 6 December 2026)
            site = ohm if any(site_load(o) == ohm for o in outs) else None
            shared += [
                rule_finding(limit("iec.current_density"), rms / area, outs[0], note=where,
                             action="the instructions for use must draw the operator's "
                                    "attention to these electrodes", site_load_ohm=site),
                _shared_power(outs, area, where, ohm * rms**2 / area, site)]
            shared += _shared_dc(outs, area, placement, listed)
            # held back by 500 Ω, the channels' sum grows in a lower load at most as the
            # most held back of them does (two voltage channels on one pad each warned
            # alone and their sum passed; review of 6 December 2026)
            scales = [held_back(o, program.device.current_limit) for o in outs]
            if any(x is not None for x in scales):
                most = max(x if x is not None else 1.0 for x in scales)
                shared = warn_below(shared, most, "as much as the channels' outputs drive "
                                     "into it")
            found += [replace(f, channel=who) for f in _at_least(shared, missing)]
    return found


def shared_contacts(program: Program,
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
            shared = [rule_finding(limit("implant.charge_density"), q / area, outs[0], note=note,
                               action=action)]
            if q > 0:
                q_uc = q * 1e6  # [C -> µC]
                k_value = math.log10(q_uc / (area * 1e4)) + math.log10(q_uc)  # [m² -> cm²]
                shared.append(rule_finding(limit("implant.shannon_k"), k_value, outs[0],
                                       note=note, action=action))
            if outs[0].setting is Setting.PROGRAMMED:
                rates = [pulse_rate(o) for o in outs]
                if all(r is not None for r in rates):
                    # pulses of two 200 Hz channels on one contact are 400 a second
                    # through it (review of 6 December 2026): judged once, as a channel's
                    total = float(sum(r for r in rates if r is not None))
                    shared.append(rule_finding(
                        limit("implant.rate"), total, outs[0], note=f"channels {listed} "
                        f"share the contact {contact}: their pulse rates added",
                        action="give each channel its own contact, or keep their sum to "
                               "the rates the implant is labelled for"))
            found += [replace(f, channel=who) for f in _at_least(shared, missing)]
    return found


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
    found = [rule_finding(limit(rule), dc / area, outs[0], note=where,
                      action="separate drug pads, larger ones or less current")]
    if len(ionto) >= 2 and outs[0].setting is Setting.PROGRAMMED:
        dose = sum(abs(o.metrics_500.session_charge) for o in ionto)
        found.append(rule_finding(limit("iontophoresis.dose"), dose, outs[0],
                              note=f"channels {listed} share the placement {placement}: "
                                   "their net charges of the session added, into 500 Ω"))
    return found


def _shared_power(outs: list[ChannelOutput], area: float, where: str, power: float,
                  site: float | None) -> Finding:
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
            site = ohm if any(o.field_impedance_ohm == ohm
                              and o.field_load_source == FIELD_LOAD_SOURCE
                              for o in outs) else None
            where = (f"{where.split(', into ')[0]}, into {ohm_text(ohm)} (the highest of "
                     "their loads, above the 500 Ω test load: current-controlled outputs "
                     f"put more power into it; {rms * 1e3:.4g} mA r.m.s. there together)")
    return rule_finding(limit("fda.power_density"), power, outs[0], note=where,
                        action="separate electrodes, larger ones or less output",
                        site_load_ohm=site)
