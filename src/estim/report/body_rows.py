"""The report's body sections in words and units people read: the sensation window's
thresholds and bands, the field, the force, the iontophoretic dose and the tissue a DBS
setting activates, and how a device's maximum or voltage dial bears on them."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from estim.report.page import (
    beyond_device,
    current_words,
    force_caveats,
    maximum_setting,
    most_force_words,
    newtons_apply,
    number_words,
    ohm_words,
    plain,
    seconds_words,
)
from estim.text import current_text, readable

if TYPE_CHECKING:
    from collections.abc import Mapping

    from estim.simulate import Result

__all__ = [
    "CLINICAL_LEAD_OHM",
    "FIBER_WORDS",
    "VOLTAGE_CAPACITANCE_WORDS",
    "Threshold",
    "assumed_lead_words",
    "at_name",
    "band_range",
    "clinical_impedance_words",
    "count_short",
    "dbs_channels_text",
    "dbs_rows",
    "dial_volts",
    "dose_rows",
    "doses_of",
    "evidence_words",
    "field_rows",
    "force_rows",
    "force_share",
    "in_amperes",
    "programmed_words",
    "reach_limited",
    "recruited_text",
    "set_words",
    "thresholds",
    "two_digits",
]


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


#: The window's band of each count criterion (:data:`estim.effects.sensation.COUNT_CRITERIA`).
_COUNT_BANDS = {"detection": "sensory", "strong tingling": "strong_tingling"}


def sample_edge(bands: dict[str, Any]) -> dict[str, int]:
    """The bands (``"sensory"``, ``"strong_tingling"``) whose 90th percentile may be a
    subject's sample edge rather than a count reached: at least a tenth of the subjects
    need more afferents than the window samples (``beyond_sample``), band -> how many.
    Microcurrent's strong tingling read "(0.24–1.7)" above its pain and twitch bands,
    unmarked (clinician's probe of 7 December 2026).

    >>> sample_edge({"subjects": 20, "beyond_sample": {"strong tingling": [1, 4]}})
    {'strong_tingling': 2}
    >>> sample_edge({"subjects": 20, "beyond_sample": {"detection": [3]}})
    {}
    """
    n = int(bands.get("subjects") or 0)
    return {_COUNT_BANDS[what]: len(who)
            for what, who in (bands.get("beyond_sample") or {}).items()
            if what in _COUNT_BANDS and n and len(who) >= 0.1 * n}


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




def dial_ohms(data: dict[str, Any], channel: object) -> float | None:
    """The tissue and skin interface (Ω) a voltage-set ``channel`` drives its current
    through, by which its dial's volts become the fibers' amperes; None for a current-set
    channel or one without a field solution."""
    control = next((c.get("control") for c in data.get("channels") or ()
                    if c.get("name") == channel), None)
    fields = ((data.get("effects") or {}).get("fields") or {}).get("channels") or ()
    ohms = next((c.get("resistance_ohm") for c in fields if c.get("name") == channel), None)
    if control != "voltage" or not isinstance(ohms, int | float) or not \
            0 < ohms < math.inf:
        return None
    return float(ohms)


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
    ohms = dial_ohms(data, window.get("channel"))
    if ohms is None:
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
    # past the dial's top: 'pain at 152 V' on a 100 V unit (hostile probe, 8 December 2026)
    top = maximum_setting(data, window.get("channel"), "voltage")
    beyond = math.inf if top is None else top / ohms  # [V / Ω -> A]
    reached = sorted((a, w) for a, w, _ in steps if a is not None and math.isfinite(a)
                     and not (held and a > at * (1 + 1e-9)) and a <= beyond * (1 + 1e-9))
    words = [f"{w} at {volts(a)}" for a, w in reached]
    words += [none for a, _, none in steps if a is None or not math.isfinite(a)
              or (held and a > at * (1 + 1e-9))]
    words += [f"{none} within the dial's {readable(f'{top:.3g}')} V (it would take "
              f"{volts(a)})" for a, _, none in steps
              if a is not None and math.isfinite(a) and not (held and a > at * (1 + 1e-9))
              and a > beyond * (1 + 1e-9)]
    listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + ", and " + words[-1]
    lead = (f"set in volts: {volts(asked)} would drive {current_words(asked)} through the "
            f"{readable(f'{ohms:.3g}')} Ω of tissue and skin interface, and the current "
            f"limit holds it at {current_words(at)}, so on the dial a person "
            if held else
            f"set in volts: {volts(at)} drives {current_words(at)} through the "
            f"{readable(f'{ohms:.3g}')} Ω of tissue and skin interface, so on the dial a "
            f"person ")
    return lead + listed




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




def thresholds(window: dict[str, Any], device_max_a: float | tuple[float, str] | None = None
               ) -> list[Threshold]:
    """Sensory, motor and pain thresholds (and the programmed intensity), lowest first;
    a threshold past ``device_max_a`` (A, or :func:`device_top`) says so."""
    bands = window.get("bands") or {}
    edge = sample_edge(bands)
    rows = [
        (window["sensory_threshold_A"], "Sensory threshold (detection)",
         window["sensory_criterion"], "sensory"),
        (window.get("strong_tingling_threshold_A"), "Strong tingling",
         window.get("strong_tingling_criterion", ""), "strong_tingling"),
        (window["motor_threshold_A"], "Motor threshold (visible twitch)"
         if "motor_volleys_fuse" in window and not window["motor_volleys_fuse"]
         else "Motor threshold (visible contraction)",
         window["motor_criterion"], "motor"),
        (window["pain_threshold_A"], "Pain threshold",
         window["pain_criterion"], "pain"),
    ]
    rows.sort(key=lambda r: math.inf if r[0] is None else r[0])
    out = [Threshold(name, current_words(amps) + _band_text(bands.get(key), amps)
                     + (f" (its upper end lies where the model's sample of nerve fibers "
                        f"ends for {edge[key]} of the {bands['subjects']} people: not a "
                        "prediction)" if key in edge else "")
                     + beyond_device(amps, device_max_a), readable(plain(crit)))
           for amps, name, crit, key in rows if crit]
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
                     ohm_words(ch["resistance_ohm"])))
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






def force_share(force: dict[str, Any], key: str = "first_contraction_peak_N") -> str:
    """A contraction's force as a fraction of the maximal ("29 %"), or "" without one."""
    value, top = force.get(key), force.get("max_force_N")
    return f"{value / top * 100:.0f} %" if value is not None and top else ""


def force_rows(force: dict[str, Any]) -> list[tuple[str, str]]:
    """NMES force and fatigue in words: in newtons for the quadriceps, the force model's
    muscle, as a fraction of the maximal for any other."""
    ratio = force.get("fatigue_ratio")
    caveats = force_caveats(force)
    left_out = [("What these figures leave out", " ".join(caveats))] if caveats else []
    if not newtons_apply(force):
        return [
            ("First contraction, peak force", f"{force_share(force)} of maximal"),
            ("Last contraction, peak force",
             f"{force_share(force, 'last_contraction_peak_N')} of maximal"),
            ("Force kept at the end (last / first)",
             "n/a" if ratio is None else f"{ratio * 100:.0f} %"),
            ("Contractions in the session", f"{force.get('contractions', 0)}"),
            *_most_row(force),
            ("Maximal force", f"not modelled for the {force['muscle']}: the force model's "
                              "parameters are the quadriceps' (Ding et al.), so its force "
                              "is given as a fraction of the maximal"),
            *left_out,
        ]
    return [
        ("First contraction, peak force", number_words(force.get("first_contraction_peak_N"), "N")),
        ("Last contraction, peak force", number_words(force.get("last_contraction_peak_N"), "N")),
        ("Force kept at the end (last / first)",
         "n/a" if ratio is None else f"{ratio * 100:.0f} %"),
        ("Contractions in the session", f"{force.get('contractions', 0)}"),
        *_most_row(force),
        ("Maximal force of the modelled muscle", number_words(force.get("max_force_N"), "N")),
        *left_out,
    ]


def _most_row(force: dict[str, Any]) -> list[tuple[str, str]]:
    """The first contraction at the pain threshold or the device's bound, as a row."""
    words = most_force_words(force)
    return [("At the most current taken or given", words)] if words else []


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
        ("Dose", number_words(dose.get("dose_mA_min"), "mA·min")),
        ("Charge delivered", number_words(dose["charge_C"], "C")
         if dose.get("charge_C") is not None else "n/a"),
        ("Duration", number_words(dose["duration_s"] / 60, "min")  # [s -> min]
         if dose.get("duration_s") is not None else "n/a"),
        ("Current density under the drug electrode",
         number_words(dose.get("current_density_mA_per_cm2"), "mA/cm²")
         + _too_high(dose, dose.get("current_density_mA_per_cm2"))),
    ]
    back = dose.get("return_current_density_mA_per_cm2")
    if back is not None:
        rows.append(("Current density under the return electrode",
                     number_words(back, "mA/cm²") + _too_high(dose, back)))
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
    >>> text = dbs_channels_text({"channels": chans, "contacts": contacts})
    >>> text.split("; ")[0]
    'channels 1 (3 mA) and 2 (2 mA) together, pulses at the same instants (not interleaved)'
    >>> text.split("; ")[1]
    'radius 3.2 mm at contact 1, 2.9 mm at contact 3'
    """
    from estim.leads import contact_name

    names = [f"{plain(c['name'])} ({current_text(c['current_A'])})"
             for c in dbs.get("channels") or []]
    joined = ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)
    cathodes = [c for c in dbs["contacts"] if c["role"] == "cathode"] or dbs["contacts"]
    radii = ", ".join(f"{c['radius_m'] * 1e3:.2g} mm at contact "  # [m -> mm]
                      f"{contact_name(c['placement']).upper()}" for c in cathodes)
    # their pulses taken as simultaneous: interleaved programs alternate (DBS researcher's
    # probe of 7 December 2026)
    return (f"channels {joined} together, pulses at the same instants (not interleaved); "
            f"radius {radii}")


def assumed_lead_words(dbs: Mapping[str, Any], *, named: bool = True) -> str:
    """What a program without a lead was solved with (a forgotten ``lead =`` line read
    as the default lead's volume without a word; DBS researcher's probe of 7 December 2026);
    without the lead's name where a row names it already.

    >>> assumed_lead_words({"lead_title": "Medtronic 3389"})[:58]
    "on a Medtronic 3389, estim's default: the program's [site]"
    >>> assumed_lead_words({"lead_title": "Medtronic 3389"}, named=False)[:25]
    "estim's default: the prog"
    """
    from estim.leads import LEAD_NAMES

    why = (f"estim's default: the program's [site] names no lead, and another lead's "
           f"contacts lie elsewhere (name yours: site.lead, one of {', '.join(LEAD_NAMES)})")
    return f"on a {dbs['lead_title']}, {why}" if named else why


#: Where measured DBS lead impedances settle (Ω): Wong et al. 2018, 1,764 leads.
CLINICAL_LEAD_OHM = 1000.0


def clinical_impedance_words(dbs: Mapping[str, Any]) -> str:
    """A voltage setting's current through the field solution's impedance is larger than
    through a lead's measured one, which includes the electrode interface: that, with the
    current at a typical measured impedance (3 V read as 3.7 mA and 111 mm³ without a word;
    DBS researcher's probe of 7 December 2026).

    >>> clinical_impedance_words({"amplitude": 3.0, "load_ohm": 797.0})[:61]
    'measured lead impedances settle near 1,000 Ω (Wong et al. 201'
    >>> clinical_impedance_words({"amplitude": 3.0, "load_ohm": 1000.0})  # no smaller current
    ''
    """
    if not dbs.get("load_ohm") or dbs["load_ohm"] >= CLINICAL_LEAD_OHM \
            or dbs.get("limited_by"):  # a current limit's current is not V / 1 kΩ (review)
        return ""
    at = dbs["amplitude"] / CLINICAL_LEAD_OHM
    return (f"measured lead impedances settle near {CLINICAL_LEAD_OHM:,.0f} Ω (Wong et al. "
            f"2018), which would take {current_words(at)} and a smaller volume: state the "
            "lead's as channels.impedance")


#: Why a voltage setting's volume is an upper bound: the current is held at V / Z.
VOLTAGE_CAPACITANCE_WORDS = (
    "the current is V / Z for the whole pulse here; the electrode's and the tissue's "
    "capacitance make a voltage pulse's current fall during it, and the activated volume "
    "smaller (Butson & McIntyre 2005, Clin Neurophysiol 116:2490), so this volume is an "
    "upper bound")


def dbs_rows(dbs: dict[str, Any]) -> list[tuple[str, str]]:
    """The tissue a DBS setting activates, in words: lead, contacts, the current and the
    impedance it came through, volume and radii beside the field-threshold shortcut."""
    from estim.effects.dbs import shortcut_caveat
    from estim.leads import contact_name, get_lead

    lead = get_lead(dbs["lead"])
    roles = ", ".join(f"contact {contact_name(c['placement']).upper()} {c['role']}"
                      for c in dbs["contacts"])
    if not any(c["role"] == "anode" for c in dbs["contacts"]):
        roles += ", the case (IPG) as return"
    rows = [("Lead", f"{lead.title}, {lead.diameter_m * 1e3:.3g} mm, "  # [m -> mm]
                     f"{len(lead.contacts)} contacts"
             + (f"; {assumed_lead_words(dbs, named=False)}"
                if dbs.get("lead_assumed") else "")),
            ("Active contacts", roles)]
    if dbs["control"] == "voltage" and dbs.get("load_ohm"):
        rows.append(("Current into the tissue",
                     f"{current_words(dbs['current_A'])} "
                     f"({number_words(dbs['amplitude'], 'V')} over "
                     f"{ohm_words(dbs['load_ohm'])}, {plain(dbs['impedance_source'])})"
                     + (f"; {clinical}" if dbs.get("impedance_source") == "field solution"
                        and (clinical := clinical_impedance_words(dbs)) else "")
                     # no note said it (DBS researcher's probe of 7 December 2026)
                     + f"; {VOLTAGE_CAPACITANCE_WORDS}"))
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
    for other in dbs.get("apart") or []:  # interleaved: each alone (DBS researcher's probe)
        least = "at least " if other.get("beyond_grid") else ""
        rows.append((f"Channel {plain(other['name'])} alone (another pulse, rate or timing)",
                     f"{least}{number_words(other['volume_mm3'], 'mm³')}, radius {least}"
                     f"{number_words(other['radius_m'] * 1e3, 'mm')}; the interleaved "
                     "channels together are not modelled"))
    rows.append(("Lead impedance from the field solution (tissue and encapsulation, no "
                 "electrode interface)", ohm_words(dbs["field_impedance_ohm"])))
    edge = " (reaches the modelled grid's edge: a lower bound)" if dbs.get("beyond_grid") \
        else ""
    # outside the encapsulation, where the axons lie; a single pulse's (the headline
    # counted the scar, and 2 Hz and 130 Hz gave one volume without a word: DBS
    # researcher's probe of 7 December 2026)
    free = dbs.get("axon_free_radius_m")
    rate = (f"; a single pulse's: the {number_words(dbs['rate_hz'], 'Hz')} rate enters only "
            "through the recharge within its period") if dbs.get("rate_hz") else ""
    volume = number_words(dbs["volume_mm3"], "mm³") if dbs["volume_mm3"] > 0 else (
        "none: no axon fires" + (f" outside the encapsulation, {number_words(free * 1e3, 'mm')}"
                                 " from the lead's axis" if free else ""))  # [m -> mm]
    rows.append(("Activated volume" + (" outside the encapsulation" if free else "")
                 + f" ({dbs['fiber_diameter_m'] * 1e6:.2g} µm axons, "
                 f"{seconds_words(dbs['pulse_width_s'])} pulse)", volume + edge + rate))
    for c in dbs["contacts"]:
        rows.append((f"Activation radius at contact {contact_name(c['placement']).upper()} "
                     f"({c['role']}), from the lead axis",
                     f"{number_words(c['radius_m'] * 1e3, 'mm')}; field threshold "  # [m -> mm]
                     f"{number_words(c['field_radius_m'] * 1e3, 'mm')}"))
    diff = dbs.get("field_vs_axon_volume")
    caveat = shortcut_caveat(dbs.get("pulse_width_s"), dbs["field_threshold_V_per_m"])
    rows.append((f"Field-threshold shortcut ({dbs['field_threshold_V_per_m'] / 1e3:.2g} V/mm)",
                 number_words(dbs["field_volume_mm3"], "mm³")
                 + (f", {diff:+.0%} against the axon model" if diff is not None else "")
                 + (f"; {caveat}" if caveat else "")))
    return rows


def pain_beside_a_pass(data: dict[str, Any]) -> str | None:
    """Where the output passes (or only warns) but the model predicts pain at the
    programmed intensity: that the safety checks are of the output, not of what a person
    feels. A green "Safety: PASS" beside "it would hurt" read as safe to apply (clinician's
    probe of 7 December 2026).

    >>> print(pain_beside_a_pass({"safety": {"verdict": "pass"}, "channels": [], "effects": {
    ...     "sensation": {"phrase": "painful"},
    ...     "sensation_window": {"channel": "1", "programmed_peak_current_A": 0.035}}}))
    ... # doctest: +NORMALIZE_WHITESPACE
    the checks are of the output against its limits, not of what a person feels: at 35 mA
    the model predicts pain
    """
    fx = data.get("effects") or {}
    s, w = fx.get("sensation") or {}, fx.get("sensation_window")
    if (data.get("safety") or {}).get("verdict") == "fail" or w is None \
            or s.get("phrase") != "painful":
        return None
    return ("the checks are of the output against its limits, not of what a person feels: "
            f"at {programmed_words(data, w)} the model predicts pain")
