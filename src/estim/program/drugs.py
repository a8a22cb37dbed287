"""Drugs for iontophoresis: the ion that carries each one, its charge (which sets the
electrode it must be placed under), molar masses and a transport number with its source.

Part of the program layer because a program names its drug: an unknown name is refused when
the program is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from estim.errors import InputError

__all__ = ["DRUGS", "Drug", "Electrode", "get_drug", "normalise"]


class Electrode(StrEnum):
    """Electrode that holds the drug: a cation is delivered from the anode (+), an anion from
    the cathode (-)."""

    ANODE = "anode"
    CATHODE = "cathode"


TransportStatus = Literal["measured", "assumed"]


@dataclass(frozen=True, slots=True)
class Drug:
    """An ionised drug for iontophoresis.

    :param name: key in :data:`DRUGS`.
    :param ion: the ion that carries the drug.
    :param charge: charge number z of that ion (e.g. -2).
    :param ion_molar_mass_kg_per_mol: molar mass of the ion (kg/mol).
    :param salt_molar_mass_kg_per_mol: molar mass of the salt as labelled (kg/mol).
    :param transport_number: fraction of the current carried by the drug ion (1).
    :param transport_number_status: ``"measured"`` (with its source) or ``"assumed"``.
    :param source: where charge, molar mass and transport number come from.
    """

    name: str
    ion: str
    charge: int
    ion_molar_mass_kg_per_mol: float
    salt_molar_mass_kg_per_mol: float
    transport_number: float
    transport_number_status: TransportStatus
    source: str

    @property
    def electrode(self) -> Electrode:
        """Electrode the drug must be placed under (like charges repel)."""
        return Electrode.ANODE if self.charge > 0 else Electrode.CATHODE


DRUGS: dict[str, Drug] = {
    d.name: d
    for d in (
        Drug(
            "dexamethasone_sodium_phosphate", "dexamethasone phosphate (dianion)", -2,
            470.43e-3, 516.40e-3, 0.012, "measured",
            "t_d ~0.012, cathodal, no background electrolyte, pig skin: Sylvestre, Guy & "
            "Delgado-Charro 2008, Phys Ther 88:1177-1185, the formulation's best case (the "
            "clinical 4 mg/mL injection's other ions compete, so the delivery estimate is an "
            "upper end). z = -2 assumes skin-surface pH ~7 "
            "(partly -1 at lower pH); molar masses from the formulas C22H28FO8P(2-) and "
            "C22H28FNa2O8P",
        ),
        Drug(
            "lidocaine_hcl", "lidocaine (protonated cation)", +1,
            235.35e-3, 270.80e-3, 0.05, "assumed",
            "t_d assumed 0.05: order of the maximum transport numbers of small drug cations "
            "with no competing co-ions (~0.01-0.1; Mudry, Carrupt, Guy & Delgado-Charro 2007, "
            "J Control Release 122:165-172); lower with NaCl in the formulation. Molar masses "
            "from C14H23N2O(+) and C14H23ClN2O",
        ),
        Drug(
            "acetic_acid", "acetate", -1,
            59.04e-3, 60.05e-3, 0.02, "assumed",
            "t_d assumed 0.02 (no measured value found; anions are carried less than cations "
            "by the cation-permselective skin); used for calcific deposits, 2-5 % solution. "
            "Molar masses from C2H3O2(-) and C2H4O2",
        ),
    )
}


def normalise(name: str) -> str:
    """Lower case, underscores for spaces and hyphens: how drug names are compared."""
    return name.strip().lower().replace("-", "_").replace(" ", "_")


def get_drug(name: str | Drug) -> Drug:
    """Look a drug up by name (case, spaces and hyphens ignored).

    :raises InputError: unknown name; the message lists the known drugs.
    """
    if isinstance(name, Drug):
        return name
    key = normalise(str(name))
    if key not in DRUGS:
        raise InputError("drug", name, "one of " + ", ".join(sorted(DRUGS)))
    return DRUGS[key]
