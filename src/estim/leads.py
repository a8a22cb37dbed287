"""DBS leads: real electrode arrays with their dimensions and sources, selectable by name.

A lead lies on the z axis of a brain site, its insulated tip at z = 0 and its contacts above
it. A ring contact wraps the whole circumference; a segment of a directional lead spans
``arc_deg`` of it around ``angle_deg`` (0° faces +x). Contacts are named as the
manufacturer labels them (Medtronic 0-3; Abbott 1, 2A-2C, 3A-3C, 4), and placed in a
program as ``lead_contact_<name>`` (``lead_contact_1``, ``lead_contact_2a``) or ``case``.

>>> from estim.leads import get_lead
>>> lead = get_lead("medtronic_3389")
>>> round(lead.contact("1").z_center_m * 1e3, 2)  # [m -> mm] from the tip
4.25
>>> round(lead.contact("1").area_m2(lead.diameter_m) * 1e6, 2)  # [m² -> mm²]
5.98

Dimensions in the table are as published by the manufacturers and used by the open
simulators (OSS-DBS v2, Lead-DBS); every lead names its source.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from estim.errors import InputError

__all__ = ["DEFAULT_LEAD", "LEADS", "LEAD_NAMES", "Lead", "LeadContact", "contact_name",
           "get_lead", "is_contact_placement", "placement_name"]

#: The lead of a brain site whose program names none: the geometry estim always used.
DEFAULT_LEAD = "medtronic_3389"
_PREFIX = "lead_contact_"


@dataclass(frozen=True, slots=True)
class LeadContact:
    """One contact of a lead.

    :param name: the manufacturer's label, lower case (``"0"``, ``"2a"``).
    :param level: 0-based level along the lead, from the tip.
    :param z_center_m: height of the contact's centre above the lead tip (m).
    :param length_m: contact length along the lead (m).
    :param angle_deg: direction the segment faces, around the lead (°, 0 = +x).
    :param arc_deg: arc the contact covers (°); 360 for a ring.
    """

    name: str
    level: int
    z_center_m: float
    length_m: float
    angle_deg: float = 0.0
    arc_deg: float = 360.0

    @property
    def is_ring(self) -> bool:
        return self.arc_deg >= 360.0

    @property
    def placement(self) -> str:
        """The name a program places an electrode on (``lead_contact_2a``)."""
        return placement_name(self.name)

    def area_m2(self, lead_diameter_m: float) -> float:
        """Conducting area (m²): the cylinder band, or the segment's share of it."""
        return math.pi * lead_diameter_m * self.length_m * self.arc_deg / 360.0

    @property
    def normal(self) -> tuple[float, float, float]:
        """Outward unit normal at the middle of the contact (a ring: +x)."""
        a = math.radians(self.angle_deg)
        return (math.cos(a), math.sin(a), 0.0)


@dataclass(frozen=True, slots=True)
class Lead:
    """A DBS lead: its body and its contacts.

    :param name: the library key (``"medtronic_3389"``).
    :param title: what the manufacturer calls it.
    :param diameter_m: lead body diameter (m).
    :param tip_length_m: insulated tip below the first contact (m).
    :param contact_length_m: length of each contact level (m).
    :param spacing_m: insulation between contact levels (m).
    :param contacts: every contact, tip first.
    :param source: where the dimensions come from.
    """

    name: str
    title: str
    diameter_m: float
    tip_length_m: float
    contact_length_m: float
    spacing_m: float
    contacts: tuple[LeadContact, ...]
    source: str

    @property
    def directional(self) -> bool:
        return any(not c.is_ring for c in self.contacts)

    @property
    def contact_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.contacts)

    @property
    def placements(self) -> tuple[str, ...]:
        """Placement names of every contact, tip first."""
        return tuple(c.placement for c in self.contacts)

    def contact(self, name: str, *, field: str = "contact") -> LeadContact:
        """The contact called ``name`` (``"1"``, ``"2a"``) or placed at ``lead_contact_<name>``.

        :raises InputError: no such contact on this lead (the message lists them).
        """
        key = contact_name(name)
        for c in self.contacts:
            if c.name == key:
                return c
        raise InputError(field, name, f"a contact of the {self.title}: "
                         f"{', '.join(self.placements)} (or 'case')")

    def __repr__(self) -> str:
        return (f"Lead({self.name!r}, {self.diameter_m * 1e3:g} mm, "
                f"{len(self.contacts)} contacts of {self.contact_length_m * 1e3:g} mm, "
                f"spacing {self.spacing_m * 1e3:g} mm, tip {self.tip_length_m * 1e3:g} mm)")


def placement_name(contact: str) -> str:
    """``"2A"`` -> ``"lead_contact_2a"``."""
    return f"{_PREFIX}{contact.lower()}"


def is_contact_placement(text: str) -> bool:
    """Whether ``text`` names a placement on a lead's contact (``lead_contact_1``)."""
    return text.strip().lower().startswith(_PREFIX)


def contact_name(text: str) -> str:
    """``"lead_contact_2A"`` or ``"2A"`` -> ``"2a"``."""
    text = text.strip().lower()
    return text[len(_PREFIX):] if text.startswith(_PREFIX) else text


def _rings(name: str, title: str, *, diameter_mm: float, tip_mm: float, length_mm: float,
           spacing_mm: float, labels: tuple[str, ...], source: str) -> Lead:
    contacts = tuple(
        LeadContact(lab, k, (tip_mm + k * (length_mm + spacing_mm) + length_mm / 2) * 1e-3,
                    length_mm * 1e-3)  # [mm -> m]
        for k, lab in enumerate(labels))
    return Lead(name, title, diameter_mm * 1e-3, tip_mm * 1e-3, length_mm * 1e-3,
                spacing_mm * 1e-3, contacts, source)


def _directional_1331(name: str, title: str, *, diameter_mm: float, tip_mm: float,
                      length_mm: float, spacing_mm: float, segment_arc_deg: float,
                      source: str) -> Lead:
    """A ring, two levels of three segments (120° apart), a ring: the 1-3-3-1 layout."""
    contacts: list[LeadContact] = []
    for level in range(4):
        z = (tip_mm + level * (length_mm + spacing_mm) + length_mm / 2) * 1e-3  # [mm -> m]
        if level in (0, 3):
            contacts.append(LeadContact(str(level + 1), level, z, length_mm * 1e-3))
            continue
        for k, letter in enumerate("abc"):
            contacts.append(LeadContact(f"{level + 1}{letter}", level, z, length_mm * 1e-3,
                                        angle_deg=120.0 * k, arc_deg=segment_arc_deg))
    return Lead(name, title, diameter_mm * 1e-3, tip_mm * 1e-3, length_mm * 1e-3,
                spacing_mm * 1e-3, tuple(contacts), source)


_MEDTRONIC = ("Medtronic DBS lead kit 3387/3389 implant manual (lead diameter 1.27 mm, "
              "four 1.5 mm platinum-iridium contacts; contact 0 nearest the tip)")
_OSS_DBS = "OSS-DBS v2 electrode defaults (Butenko et al. 2020, PLoS Comput Biol 16:e1008023)"

#: Every lead estim knows, by library key.
LEADS: dict[str, Lead] = {
    "medtronic_3387": _rings(
        "medtronic_3387", "Medtronic 3387", diameter_mm=1.27, tip_mm=1.5, length_mm=1.5,
        spacing_mm=1.5, labels=("0", "1", "2", "3"),
        source=f"{_MEDTRONIC}: spacing 1.5 mm; {_OSS_DBS}"),
    "medtronic_3389": _rings(
        "medtronic_3389", "Medtronic 3389", diameter_mm=1.27, tip_mm=1.5, length_mm=1.5,
        spacing_mm=0.5, labels=("0", "1", "2", "3"),
        source=f"{_MEDTRONIC}: spacing 0.5 mm; {_OSS_DBS}"),
    # Segments: each a 90° arc, 120° apart (30° of insulation between segments).
    "abbott_6172": _directional_1331(
        "abbott_6172", "Abbott (St. Jude) Infinity directional 6172", diameter_mm=1.29,
        tip_mm=1.0, length_mm=1.5, spacing_mm=0.5, segment_arc_deg=90.0,
        source=("Abbott Infinity DBS system clinician's manual (1.29 mm lead, 1.5 mm "
                "contacts, 0.5 mm spacing, 1-3-3-1 levels); " + _OSS_DBS
                + " (tip 1.0 mm, segments 90° wide)")),
}

LEAD_NAMES: tuple[str, ...] = tuple(LEADS)


def get_lead(name: str, *, field: str = "site.lead") -> Lead:
    """The lead called ``name`` (a key of :data:`LEADS`, any case).

    :raises InputError: an unknown name (the message lists the known ones).
    """
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    if key not in LEADS:
        raise InputError(field, name, f"a lead estim knows: {', '.join(LEAD_NAMES)}")
    return LEADS[key]
