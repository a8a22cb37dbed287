"""Iontophoresis: charge dose (mA·min), current density, polarity, and a Faraday-law estimate
of the drug delivered.

Dose. The current ramps linearly from 0 to ``current_A`` over ``ramp_up_s``, holds, and
ramps back to 0 over ``ramp_down_s``; ``duration_s`` includes both ramps. Charge
Q = I (T - (t_up + t_down)/2); 1 mA·min = 0.06 C.

Drug delivered (physical estimate). The fraction of the charge carried by the drug ion is
its *transport number* t_d, so the moles delivered are n = t_d Q / (|z| F) and the mass
m = n M (Faraday's law; Phipps/Guy line of work). t_d depends on the formulation (competing
ions), the skin and the current; the table's values are single published measurements or
stated assumptions, so the mass is an order-of-magnitude estimate, not a dose measurement.
A drug on the wrong electrode is repelled from the skin: the estimate is then 0.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

from scipy import constants

from estim.errors import InputError
from estim.evidence import EvidenceLevel
from estim.program.drugs import DRUGS, Drug, Electrode, get_drug, normalise
from estim.program.stimulation import IONTOPHORESIS_MAX_A
from estim.tables import TableEntry

__all__ = [
    "CURRENT_DENSITY_LIMIT_A_PER_M2",
    "DRUGS",
    "IONTOPHORESIS_TABLE",
    "MA_MIN_IN_C",
    "DoseReport",
    "Drug",
    "Electrode",
    "get_drug",
    "iontophoresis_dose",
    "time_to_dose",
]

#: 1 mA·min in coulombs: 1e-3 A x 60 s.
MA_MIN_IN_C = 0.06

#: Faraday constant (C/mol), CODATA via scipy.
_FARADAY_C_PER_MOL = constants.physical_constants["Faraday constant"][0]


IONTOPHORESIS_TABLE: tuple[TableEntry, ...] = (
    TableEntry(
        "current_density_limit_A_per_m2", 5.0, "A/m**2",
        "commonly cited clinical limit for iontophoresis electrodes (physical-therapy texts; "
        "see Costello & Jeske 1995, Phys Ther 75:554-563)",
        "0.5 mA/cm**2",
        "guideline, not a standard: some texts allow 1.0 mA/cm² under the anode",
    ),
    TableEntry(
        "labelled_dose_max_C", 80e-3 * 60, "C",  # [80 mA·min -> C]
        "the largest dose buffered iontophoresis electrodes are commonly labelled for (40-80 "
        "mA·min per treatment; Costello & Jeske 1995): past an electrode's buffer capacity "
        "the pH under it swings, the cause of electrochemical burns",
        "80 mA*min",
        "labelling, not a standard: an electrode's own stated capacity rules",
    ),
)

#: 0.5 mA/cm² in A/m² (x 10: 1 mA/cm² = 1e-3 A / 1e-4 m² = 10 A/m²).
CURRENT_DENSITY_LIMIT_A_PER_M2 = IONTOPHORESIS_TABLE[0].value
#: 80 mA·min in C.
LABELLED_DOSE_MAX_C = IONTOPHORESIS_TABLE[1].value

@dataclass(frozen=True, slots=True)
class DoseReport:
    """What an iontophoresis treatment delivers.

    Charge and current density follow from the inputs exactly (evidence: arithmetic, and the
    limit is a guideline rule); the drug amount is a Faraday-law physical estimate.

    :param charge_C: total charge (C).
    :param dose_mA_min: the same in mA·min, the unit on device labels.
    :param current_density_A_per_m2: plateau current / electrode area (A/m²).
    :param current_density_mA_per_cm2: the same in mA/cm².
    :param current_density_ok: at or below :data:`CURRENT_DENSITY_LIMIT_A_PER_M2` under the
        drug electrode and under the return electrode (where its area is given).
    :param return_current_density_A_per_m2: plateau current / the return electrode's area
        (A/m²; None where it was not given): the skin under it takes the same current.
    :param required_electrode: where the drug must be (None without a drug).
    :param polarity_ok: drug under the right electrode (None without a drug/electrode).
    :param moles_delivered: Faraday estimate (mol), None without a drug.
    :param mass_delivered_kg: the same as mass of the drug ion (kg).
    :param findings: one sentence per problem (wrong polarity, excessive current density).
    """

    current_A: float
    duration_s: float
    ramp_up_s: float
    ramp_down_s: float
    electrode_area_m2: float
    charge_C: float
    dose_mA_min: float
    current_density_A_per_m2: float
    current_density_mA_per_cm2: float
    current_density_limit_A_per_m2: float
    current_density_ok: bool
    drug: Drug | None
    drug_electrode: Electrode | None
    required_electrode: Electrode | None
    polarity_ok: bool | None
    moles_delivered: float | None
    mass_delivered_kg: float | None
    findings: tuple[str, ...]
    evidence_level: EvidenceLevel
    evidence: str
    return_current_density_A_per_m2: float | None = None

    def __repr__(self) -> str:
        drug = f", {self.drug.name}: {self.mass_delivered_kg * 1e6:.3g} mg" if (
            self.drug is not None and self.mass_delivered_kg is not None) else ""
        flags = f", {len(self.findings)} finding(s)" if self.findings else ""
        return (f"DoseReport({self.dose_mA_min:.4g} mA·min, "
                f"{self.current_density_mA_per_cm2:.3g} mA/cm²{drug}{flags})")

    @property
    def mass_delivered_mg(self) -> float | None:
        """Drug mass in mg (x 1e6 from kg)."""
        return None if self.mass_delivered_kg is None else self.mass_delivered_kg * 1e6


def _positive(name: str, value: float, *, allow_zero: bool = False) -> float:
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(
        value) and (
        value >= 0 if allow_zero else value > 0)
    if not ok:
        raise InputError(name, value, "a finite number " + (">= 0" if allow_zero else "> 0"))
    return float(value)


def _charge(current_A: float, duration_s: float, up: float, down: float) -> float:
    return current_A * (duration_s - 0.5 * (up + down))


def iontophoresis_dose(
    current_A: float,
    duration_s: float,
    *,
    electrode_area_m2: float,
    ramp_up_s: float = 0.0,
    ramp_down_s: float = 0.0,
    drug: str | Drug | None = None,
    drug_electrode: Electrode | str | None = None,
    return_area_m2: float | None = None,
) -> DoseReport:
    """Dose, current density and drug delivered for a constant-current treatment.

    :param current_A: plateau current (A), > 0 and at most 10 mA (devices give 0-4 mA).
    :param duration_s: total treatment time including ramps (s).
    :param electrode_area_m2: area of the drug (active) electrode (m²).
    :param ramp_up_s: linear rise at the start (s).
    :param ramp_down_s: linear fall at the end (s).
    :param drug: a :data:`DRUGS` key (e.g. ``"dexamethasone_sodium_phosphate"``) or a Drug.
    :param drug_electrode: electrode the drug is placed under (``"anode"``/``"cathode"``);
        defaults to the right one for the drug.
    :param return_area_m2: area of the other (return) electrode (m²): the density limit
        holds under it too (a 3 cm² return pad under a 24 cm² drug pad passed, probe of
        5 December 2026); None leaves it unjudged.
    :raises InputError: non-positive or non-finite values, ramps longer than the treatment,
        unknown drug or electrode names.
    """
    current = _positive("current_A", current_A)
    if current > IONTOPHORESIS_MAX_A * (1 + 1e-12):
        raise InputError("current_A", current_A, "at most 10 mA (iontophoresis uses 0-4 mA)")
    duration = _positive("duration_s", duration_s)
    area = _positive("electrode_area_m2", electrode_area_m2)
    up = _positive("ramp_up_s", ramp_up_s, allow_zero=True)
    down = _positive("ramp_down_s", ramp_down_s, allow_zero=True)
    if up + down > duration:
        raise InputError("ramp_up_s + ramp_down_s", up + down,
                         f"ramps that fit in the treatment time ({duration:g} s)")
    q = _charge(current, duration, up, down)
    density = current / area
    limit = CURRENT_DENSITY_LIMIT_A_PER_M2
    findings: list[str] = []
    density_ok = density <= limit * (1 + 1e-12)
    if not density_ok:
        findings.append(
            f"current density {density / 10:.3g} mA/cm² exceeds the commonly cited "
            f"{limit / 10:.3g} mA/cm² (risk of skin irritation and burns; estim holds both "
            "pads to it, though some texts allow 1.0 mA/cm² under the anode): use a larger "
            f"electrode (>= {current / limit * 1e4:.3g} cm²) or less current"
        )
    if q > LABELLED_DOSE_MAX_C * (1 + 1e-12):
        # the dose was a warning of the check alone, said nowhere in the dose (a 400 mA·min
        # session on a 2 cm² pad: physics review of 6 December 2026)
        findings.append(
            f"dose {q / MA_MIN_IN_C:.3g} mA·min exceeds the "
            f"{LABELLED_DOSE_MAX_C / MA_MIN_IN_C:.3g} mA·min buffered drug electrodes are "
            "commonly labelled for: past an electrode's buffer capacity the pH under it "
            "swings (electrochemical burns); use the electrode's own stated capacity, or "
            "split the dose over sessions")
    back = None
    if return_area_m2 is not None:
        back = current / _positive("return_area_m2", return_area_m2)
        if back > limit * (1 + 1e-12):
            density_ok = False
            findings.append(
                f"current density {back / 10:.3g} mA/cm² under the return electrode exceeds "
                f"the commonly cited {limit / 10:.3g} mA/cm² (risk of skin irritation and "
                f"burns): use a larger return electrode (>= {current / limit * 1e4:.3g} cm²) "
                "or less current")
    drug_obj = None if drug is None else get_drug(drug)
    electrode: Electrode | None = None
    if drug_electrode is not None:
        try:
            electrode = Electrode(normalise(str(drug_electrode)))
        except ValueError:
            raise InputError("drug_electrode", drug_electrode,
                             "'anode' (+) or 'cathode' (-)") from None
    required = polarity_ok = moles = mass = None
    if drug_obj is not None:
        required = drug_obj.electrode
        if electrode is None:
            electrode = required
        polarity_ok = electrode is required
        if polarity_ok:
            moles = drug_obj.transport_number * q / (abs(drug_obj.charge) * _FARADAY_C_PER_MOL)
        else:
            moles = 0.0
            findings.append(
                f"wrong polarity: {drug_obj.name} is carried by a "
                f"{'positive' if drug_obj.charge > 0 else 'negative'} ion and must be under "
                f"the {required}, not the {electrode}; it is repelled from the skin"
            )
        mass = moles * drug_obj.ion_molar_mass_kg_per_mol
        evidence = (
            f"{EvidenceLevel.PHYSICAL_ESTIMATE}: Faraday's law with transport number "
            f"{drug_obj.transport_number:g} ({drug_obj.transport_number_status}); the real "
            "amount depends on formulation, skin and competing ions: order of magnitude only. "
            "Charge and current density are exact; the density limit is a guideline rule."
        )
        level = EvidenceLevel.PHYSICAL_ESTIMATE
    else:
        evidence = (f"{EvidenceLevel.RULE}: charge and current density are exact; the "
                    "density limit is a commonly cited clinical guideline")
        level = EvidenceLevel.RULE
    return DoseReport(
        current_A=current, duration_s=duration, ramp_up_s=up, ramp_down_s=down,
        electrode_area_m2=area, charge_C=q, dose_mA_min=q / MA_MIN_IN_C,
        current_density_A_per_m2=density,
        current_density_mA_per_cm2=density / 10.0,  # [A/m² -> mA/cm²]
        current_density_limit_A_per_m2=limit, current_density_ok=density_ok,
        drug=drug_obj, drug_electrode=electrode, required_electrode=required,
        polarity_ok=polarity_ok, moles_delivered=moles, mass_delivered_kg=mass,
        findings=tuple(findings), evidence_level=level, evidence=evidence,
        return_current_density_A_per_m2=back,
    )


def time_to_dose(dose_C: float, current_A: float, *, ramp_up_s: float = 0.0,
                 ramp_down_s: float = 0.0) -> float:
    """Treatment time (s, ramps included) that delivers ``dose_C`` at ``current_A``.

    Inverse of the dose: T = Q/I + (t_up + t_down)/2. Use ``dose_mA_min * MA_MIN_IN_C`` for
    a dose in mA·min (40 mA·min = 2.4 C).

    :raises InputError: non-positive values, or a dose smaller than the ramps alone deliver.
    """
    q = _positive("dose_C", dose_C)
    current = _positive("current_A", current_A)
    up = _positive("ramp_up_s", ramp_up_s, allow_zero=True)
    down = _positive("ramp_down_s", ramp_down_s, allow_zero=True)
    ramps_charge = 0.5 * current * (up + down)
    if q < ramps_charge:
        raise InputError("dose_C", dose_C,
                         f"at least the {ramps_charge:g} C that the ramps alone deliver")
    return q / current + 0.5 * (up + down)
