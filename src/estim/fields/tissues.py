"""The one tissue table: conductivities and default layer thicknesses, each with unit and source.

Conductivities are low-frequency values (DC to a few kHz), where tissue is close to a pure
conductor and the quasi-static approximation used by :mod:`estim.fields` holds. Above a few
kHz (interferential carriers, Russian current at 2.5 kHz) skin and fat conductivities rise;
the table gives the low-frequency value and says so.

Every number here is a *default*: a program's ``[site]`` table overrides any of them
(see :func:`estim.fields.sites.site_from_spec`).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

__all__ = ["TISSUES", "Tissue", "tissue"]

_GABRIEL = "Gabriel, Lau & Gabriel 1996, Phys Med Biol 41:2251/2271 (low-frequency limit)"
_ITIS = "IT'IS Foundation tissue database v4.1, low-frequency conductivity (Hasgall et al. 2022)"
_FOREARM = "estim reference forearm model, shared/reference/fields.json (Kuhn et al. 2009 ranges)"


@dataclass(frozen=True, slots=True)
class Tissue:
    """A tissue's electrical and geometric defaults.

    :param name: key in :data:`TISSUES`.
    :param conductivity: isotropic conductivity, or the value along the fibers (S/m).
    :param conductivity_across: conductivity across the fibers (S/m); equal to
        ``conductivity`` for an isotropic tissue.
    :param thickness: default layer thickness where the tissue is a layer (m); 0 if none.
    :param source: where the numbers come from.
    """

    name: str
    conductivity: float
    conductivity_across: float
    thickness: float
    source: str
    unit: str = "S/m, m"

    @property
    def anisotropic(self) -> bool:
        return self.conductivity != self.conductivity_across


def _t(name: str, sigma: float, thickness_mm: float, source: str,
       sigma_across: float | None = None) -> Tissue:
    return Tissue(name=name, conductivity=sigma,
                  conductivity_across=sigma if sigma_across is None else sigma_across,
                  thickness=thickness_mm * 1e-3,  # [mm -> m]
                  source=source)


TISSUES: MappingProxyType[str, Tissue] = MappingProxyType({
    # Skin as a single wet-skin layer (stratum corneum hydrated by the electrode gel);
    # dry stratum corneum is ~1e-4 S/m and is carried by the electrode interface model instead.
    "skin": _t("skin", 0.15, 1.5, f"{_FOREARM}; wet skin, cf. {_ITIS} (0.148 S/m)"),
    "fat": _t("fat", 0.04, 5.0, f"{_GABRIEL}; {_FOREARM}"),
    # Muscle is anisotropic; 0.5 along / 0.1 across the fibers (Gielen et al. 1984,
    # Med Biol Eng Comput 22:569; Rush et al. 1963). The isotropic mean used in the
    # reference forearm is 0.35 S/m.
    "muscle": _t("muscle", 0.5, 0.0, "Gielen et al. 1984; Rush, Abildskov & McFee 1963",
                 sigma_across=0.1),
    "bone": _t("bone", 0.02, 0.0, f"{_GABRIEL} (cortical bone, low frequency); {_FOREARM}"),
    "tendon": _t("tendon", 0.3, 0.0, _ITIS),
    # Brain and DBS.
    "gray_matter": _t("gray_matter", 0.2, 0.0, f"{_GABRIEL}; Butson & McIntyre 2005"),
    "white_matter": _t("white_matter", 0.14, 0.0, _GABRIEL),
    "brain": _t("brain", 0.2, 0.0, "homogeneous brain, Butson & McIntyre 2005 Clin Neurophysiol"),
    "encapsulation": _t("encapsulation", 0.1, 0.5,
                        "Butson et al. 2006, J Neural Eng 3:1 (0.05-0.2 S/m, 0.5 mm)"),
    "csf": _t("csf", 1.79, 0.0, "Baumann et al. 1997, IEEE TBME 44:220 (37 degC)"),
    # Electrode gel / hydrogel layer (conductive adhesive).
    "gel": _t("gel", 0.5, 0.7, "hydrogel electrodes, Keller & Kuhn 2008 (0.1-2 S/m)"),
})


def tissue(name: str) -> Tissue:
    """Look up a tissue by name; :class:`KeyError` names the known ones."""
    try:
        return TISSUES[name]
    except KeyError:
        raise KeyError(f"unknown tissue {name!r}; known: {', '.join(sorted(TISSUES))}") from None
