"""The limits estim checks programs against: one table, each row with its value, unit (SI),
source and when it applies.

Two kinds of rule live here. *Device* rules (IEC 60601-2-10 output limits, the output
indicator) are about what the stimulator can put out, so they are judged at the device's
maximum setting as well as at the programmed amplitude. *Application* rules (current and
charge density, charge balance, iontophoresis dose) are about this program on these
electrodes; they are judged at the programmed amplitude, and the device maximum is reported
alongside with a milder verdict (see ``verdict_at_max``).

Clause numbers: the r.m.s., energy and voltage limits are those of IEC 601-2-10:1987
(+A1:2001), sub-clause 51.104, carried into IEC 60601-2-10:2012 (201.12.4.4); the current
density and the 10 mA / 10 V items of the instructions for use are IEC 60601-2-10:2012
201.7.9.2.101. Check the edition a submission is made against.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from estim.program.model import Verdict

__all__ = [
    "LIMITS",
    "Limit",
    "Scope",
    "iec_rms_band",
    "limit",
]


class Scope(StrEnum):
    """What a limit is about, which decides the setting it is judged at."""

    #: the device's output (judged at the device maximum and at the programmed amplitude).
    DEVICE = "device"
    #: this program on these electrodes (judged at the programmed amplitude).
    APPLICATION = "application"


@dataclass(frozen=True, slots=True)
class Limit:
    """One limit.

    :param id: stable identifier used by findings (``iec.rms.le400``).
    :param description: what is limited, in words.
    :param value: the limit, in ``unit`` (SI).
    :param unit: SI unit of ``value``.
    :param display_unit: unit the limit is printed in (``mA``, ``mA/cm²`` ...).
    :param source: where the limit comes from, precisely.
    :param applies_when: when the rule is evaluated.
    :param verdict: verdict when the value exceeds the limit at the programmed amplitude
        (or, for device rules, at the device maximum).
    :param scope: device or application rule.
    :param verdict_at_max: for application rules, the verdict when only the device maximum
        exceeds the limit (None: not judged at the maximum).
    :param rationale: why this verdict, where it is a choice estim makes.
    :param strict: the source asks for a value *below* the limit, so the limit itself
        exceeds it (FDA's power density "below 0.25 W/cm²" passed at exactly 0.25: hostile
        probe of 7 December 2026); otherwise "not above" (IEC's "shall not exceed").
    """

    id: str
    description: str
    value: float
    unit: str
    display_unit: str
    source: str
    applies_when: str
    verdict: Verdict
    scope: Scope
    verdict_at_max: Verdict | None = None
    rationale: str = ""
    strict: bool = False


_IEC87 = "IEC 601-2-10:1987+A1:2001, sub-clause 51.104 (IEC 60601-2-10:2012, 201.12.4.4)"
_IEC12_IFU = "IEC 60601-2-10:2012, 201.7.9.2.101 (additional information in instructions for use)"
#: The output indicator's source, the same for its three thresholds (two said "see above",
#: which in a CSV pointed at nothing; review of 7 December 2026). The 2012 edition's f) asks
#: the instructions for use for the maximum outputs, not for an indicator.
_INDICATOR = ("IEC 601-2-10:1987+A1:2001 (output indicator: outputs above 10 mA or 10 V "
              "r.m.s. into 1 kΩ, or 10 mJ per pulse); beside it, " + _IEC12_IFU + " f): "
              "the maximum output values of equipment that can exceed 10 mA or 10 V")
_EXTERNAL = ("external (surface) stimulators; IEC 60601-2-10 excludes implanted equipment "
             "and equipment connected to implanted electrodes")

#: The limit table. Values in SI: A, V, J, A/m², W/m², C, C/m², dimensionless.
LIMITS: tuple[Limit, ...] = (
    # --- IEC 60601-2-10 output limits (device) --------------------------------------------
    Limit("iec.rms.dc", "r.m.s. output current into 500 Ω, d.c.", 0.080, "A", "mA", _IEC87,
          f"{_EXTERNAL}; frequency 0 (d.c.) among the output's frequencies",
          Verdict.FAIL, Scope.DEVICE),
    Limit("iec.rms.le400", "r.m.s. output current into 500 Ω, up to 400 Hz", 0.050, "A",
          "mA", _IEC87, f"{_EXTERNAL}; a frequency in (0, 400] Hz", Verdict.FAIL, Scope.DEVICE),
    Limit("iec.rms.le1500", "r.m.s. output current into 500 Ω, 400 Hz to 1500 Hz", 0.080,
          "A", "mA", _IEC87, f"{_EXTERNAL}; a frequency in (400, 1500] Hz", Verdict.FAIL,
          Scope.DEVICE),
    Limit("iec.rms.gt1500", "r.m.s. output current into 500 Ω, above 1500 Hz", 0.100, "A",
          "mA", _IEC87, f"{_EXTERNAL}; a frequency above 1500 Hz", Verdict.FAIL, Scope.DEVICE),
    Limit("iec.energy_per_pulse", "output energy per pulse into 500 Ω", 0.300, "J", "mJ",
          _IEC87, f"{_EXTERNAL}; pulsed outputs (not d.c.)", Verdict.FAIL, Scope.DEVICE,
          rationale="a Russian burst, gated by its gaps, is one pulse (the whole burst: "
                    "never optimistic, as the r.m.s. band's strictest rate); a carrier that "
                    "runs on (interferential) has no pulse, and one carrier cycle is taken"),
    Limit("iec.peak_voltage", "peak output voltage, open circuit", 500.0, "V", "V", _IEC87,
          f"{_EXTERNAL}; every output (the standard says pulse outputs; estim applies it to "
          "all, never optimistic)", Verdict.FAIL, Scope.DEVICE,
          rationale="open circuit: a current-controlled output rises to its compliance "
                    "voltage, a voltage-controlled one to its set voltage"),
    # --- output indicator (device; a requirement, not a hazard) ---------------------------
    Limit("iec.indicator.current", "r.m.s. output current into 1 kΩ needing an output "
          "indicator", 0.010, "A", "mA",
          # the 2012 edition's f) asks the instructions for use for the maximum outputs
          # above 10 mA or 10 V; it is not the indicator (device engineer's probe, 7 Dec.)
          _INDICATOR,
          _EXTERNAL, Verdict.PASS, Scope.DEVICE,
          rationale="exceeding it is not a hazard but a requirement on the device (an output "
                    "indicator), which a program cannot show: reported as an action"),
    Limit("iec.indicator.voltage", "r.m.s. output voltage into 1 kΩ needing an output "
          "indicator", 10.0, "V", "V", _INDICATOR,
          _EXTERNAL, Verdict.PASS, Scope.DEVICE, rationale="as iec.indicator.current"),
    Limit("iec.indicator.energy", "energy per pulse into 1 kΩ needing an output indicator",
          0.010, "J", "mJ", _INDICATOR,
          f"{_EXTERNAL}; pulsed outputs", Verdict.PASS, Scope.DEVICE,
          rationale="as iec.indicator.current"),
    # --- surface electrodes (application) -------------------------------------------------
    Limit("iec.current_density", "r.m.s. current density under the smaller electrode "
          "(worst 1 s, into 500 Ω or the site's lower load)",
          2e-3 / 1e-4, "A/m**2", "mA/cm²",  # [mA/cm² -> A/m²]
          _IEC12_IFU + " g): electrodes with current densities above 2 mA/cm² may require "
          "the special attention of the operator",
          f"{_EXTERNAL}; every modality", Verdict.WARN, Scope.APPLICATION,
          verdict_at_max=Verdict.WARN,
          rationale="the standard asks for advice in the instructions, not a limit: warn"),
    Limit("fda.power_density", "average power density under the smaller electrode (power "
          "into 500 Ω or the site's lower load, or a current-controlled output's higher one "
          "where that gives more, over the worst 1 s / electrode area)",
          0.25 / 1e-4, "W/m**2", "W/cm²",
          "FDA, Guidance Document for Powered Muscle Stimulator 510(k)s (1999), and the "
          "Class II special controls draft guidance (2010): maximum average power density "
          "below 0.25 W/cm² to reduce the risk of thermal burns",
          f"{_EXTERNAL}; every modality", Verdict.FAIL, Scope.APPLICATION,
          verdict_at_max=Verdict.WARN,
          rationale="above it FDA considers the burn risk unmitigated: a program delivering "
                    "it fails; a device that only can (at its maximum, on these electrodes) "
                    "warns, because labelling the electrode size is the mitigation",
          strict=True),
    Limit("charge.balance", "charge balance: net charge per pulse / largest phase charge "
          "(a.c. program)",
          0.01, "1", "%",
          "Merrill DR, Bikson M, Jefferys JGR (2005) Electrical stimulation of excitable "
          "tissue: design of efficacious and safe protocols. J Neurosci Methods 141:171-198 "
          "(charge-balanced pulses avoid net Faradaic reactions: electrolysis, pH change, "
          "electrode corrosion); FDA 510(k) output tables report net charge per pulse",
          "modalities that are not d.c. by intent: TENS, NMES, Russian, interferential, DBS",
          Verdict.FAIL, Scope.APPLICATION,
          rationale="a program that should be a.c. but carries a net d.c. is an error in the "
                    "program, whatever its size; 1 % leaves room for rounding in programs "
                    "and devices (estim's choice)"),
    Limit("iec.dc_component", "d.c. component of the output: |signed mean| / mean |I| "
          "over a cycle (a microcurrent that reverses its polarity: over its worst 1 s of "
          "whole pulses), into 500 Ω or the site's lower load", 0.01, "1", "%",
          _IEC12_IFU + " c): advice on the precautions to take when the output contains a "
          "d.c. component",
          f"{_EXTERNAL}; every modality except iontophoresis (d.c. is its treatment, judged "
          "by its own density and dose rules)", Verdict.WARN, Scope.APPLICATION,
          rationale="a labelling requirement, not a limit: warn; 1 % as charge.balance"),
    Limit("dc.current_density", "average |current| density under the smaller electrode "
          "(monophasic program)", 0.5e-3 / 1e-4, "A/m**2", "mA/cm²",  # [mA/cm² -> A/m²]
          "the iontophoresis current density limit, extended by estim (no standard sets "
          "it): the "
          "continuous d.c. burn threshold applied to the average of a monophasic pulsed "
          "output, which is stricter than the pulsed output's own evidence (HVPC studies "
          "report little pH change under the pads); judged so that no verdict is optimistic",
          "monophasic-by-intent modalities: HVPC, microcurrent", Verdict.FAIL,
          Scope.APPLICATION, verdict_at_max=Verdict.WARN,
          rationale="average of |I| rather than the signed mean, so polarity reversal does "
                    "not hide the d.c. under each electrode between reversals"),
    Limit("iontophoresis.current_density", "d.c. current density under the smaller electrode",
          0.5e-3 / 1e-4, "A/m**2", "mA/cm²",  # [mA/cm² -> A/m²]
          "Costello CT, Jeske AH (1995) Iontophoresis: applications in transdermal medication "
          "delivery. Phys Ther 75:554-563 (current density at most 0.5 mA/cm² at the "
          "cathode to avoid alkaline burns; anode up to 1.0 mA/cm²)",
          "iontophoresis (the plateau current)", Verdict.FAIL, Scope.APPLICATION,
          verdict_at_max=Verdict.WARN,
          rationale="judged on the smaller electrode whichever its polarity (never "
                    "optimistic)"),
    Limit("iontophoresis.dose", "iontophoretic dose", 80e-3 * 60, "C", "mA·min",  # [mA·min -> C]
          "Costello & Jeske 1995 (above); typical device labelling: 40-80 mA·min per "
          "treatment", "iontophoresis", Verdict.WARN, Scope.APPLICATION,
          rationale="a typical maximum, not a safety limit: warn"),
    # --- implanted electrodes (application) -----------------------------------------------
    # named before its formula: the report's findings led with "Shannon k = log10(Q/A) …"
    # (phone probe of 6 December 2026)
    Limit("implant.shannon_k", "Shannon's k of the charge per phase and its density at the "
          "contact: log10(Q/A) + log10(Q), Q in µC per phase, A in cm²",
          1.85, "1", "",
          "Shannon RV (1992) A model of safe levels for electrical stimulation. IEEE Trans "
          "Biomed Eng 39:424-426 (k = 1.85 for platinum macroelectrodes, McCreery et al. "
          "1990 data)",
          "implanted electrodes (the smaller implanted contact)", Verdict.FAIL,
          Scope.APPLICATION, verdict_at_max=Verdict.WARN),
    Limit("implant.charge_density", "charge density per phase at the implanted contact",
          30e-6 / 1e-4, "C/m**2", "µC/cm²",  # [µC/cm² -> C/m²]
          "Kuncel AM, Grill WM (2004) Selection of stimulus parameters for deep brain "
          "stimulation. Clin Neurophysiol 115:2431-2441; Medtronic DBS labelling (30 "
          "µC/cm²/phase)",
          "implanted electrodes (the smaller implanted contact)", Verdict.FAIL,
          Scope.APPLICATION, verdict_at_max=Verdict.WARN),
    Limit("implant.rate", "pulse rate of an implanted channel, within the rates DBS units are "
          "labelled for", 255.0, "Hz", "Hz",
          "Boston Scientific Vercise DBS Programming Manual 91053785-17, programmable "
          "characteristics (rate 2-255 Hz; above it 'clinical effectiveness and safety of "
          "these cumulative rates has not been demonstrated'); the charge rules above rest "
          "on stimulation at 50 pulses/s (McCreery et al. 1990, IEEE Trans Biomed Eng "
          "37:996; Agnew et al. 1983, Exp Neurol 79:397: damage grows with the total charge)",
          "implanted channels with a pulse rate", Verdict.WARN, Scope.APPLICATION,
          rationale="the charge rules say nothing of the rate, and their data are at 50 Hz: a "
                    "rate beyond what implants are labelled for passes them with no evidence "
                    "that it is safe, so warn"),
    Limit("implant.lead_impedance", "stated lead impedance within what an intact lead reads",
          2000.0, "ohm", "Ω",
          "Wong J et al. (2018) Longitudinal follow-up of impedance drift in deep brain "
          "stimulation cases. Tremor Other Hyperkinet Mov 8:542 (1,764 leads settle near "
          "1,000 Ω; 'values greater than 2,000 Ω usually represent a broken lead'); Butson "
          "CR, Maks CB, McIntyre CC (2006) Clin Neurophysiol 117:447-454 (clinical DBS "
          "impedances 500-1,500 Ω)",
          "voltage-controlled implanted channels that state their impedance",
          Verdict.WARN, Scope.APPLICATION, verdict_at_max=Verdict.WARN,
          rationale="the charge rules are judged into a stated impedance, so a mistyped or "
                    "broken lead's high one makes them pass with less current than an intact "
                    "lead draws: warn, with the charge into 500 Ω beside it"),
)


def limit(limit_id: str) -> Limit:
    """The row of :data:`LIMITS` with ``limit_id`` (KeyError if there is none)."""
    for row in LIMITS:
        if row.id == limit_id:
            return row
    raise KeyError(limit_id)


def _band_id(frequency_hz: float) -> str:
    if frequency_hz <= 0:
        return "iec.rms.dc"
    if frequency_hz <= 400:
        return "iec.rms.le400"
    if frequency_hz <= 1500:
        return "iec.rms.le1500"
    return "iec.rms.gt1500"


def iec_rms_band(frequencies_hz: tuple[float, ...]) -> Limit:
    """The strictest IEC r.m.s. band among the output's frequencies (Hz; 0 means d.c.).

    An output with no stated frequency is judged at the strictest band (50 mA).
    """
    ids = {_band_id(f) for f in frequencies_hz} or {"iec.rms.le400"}
    return min((limit(i) for i in ids), key=lambda row: row.value)
