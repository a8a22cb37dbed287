"""A program's DBS lead: its contacts as the program's electrodes, checked once at load.

A program names its lead in the site table (``[site] lead = "medtronic_3389"``). Each
electrode is then a contact of that lead (``placement = "lead_contact_1"``) or the
stimulator's case (``placement = "case"``, the return of a monopolar setting). A contact's
shape, diameter, length and area come from the lead (:mod:`estim.leads`): a size the
file states must agree with the lead, and a segment of a directional lead has its own,
smaller area, which the charge-density rules read.

Without a lead, a placement on a lead's contact (``lead_contact_1``) is a contact of the
default lead (:data:`estim.leads.DEFAULT_LEAD`), the one a brain site's field is solved with,
and is sized from it the same way: a size written for it that the lead contradicts is
refused, not trusted (a 5 x 6 cm "contact" passed the charge-density limit at 1/500 of the
density the modelled contact carries).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from estim.errors import InputError
from estim.leads import DEFAULT_LEAD, get_lead, is_contact_placement
from estim.units import parse_quantity

__all__ = ["CASE", "with_lead_contacts"]

#: The placement of the implanted pulse generator's case.
CASE = "case"
_SIZE_TOLERANCE = 0.02  # a stated size may differ from the lead's by rounding (2 %)


def with_lead_contacts(data: object) -> object:
    """The raw program ``data`` with each lead contact's size filled in from the lead.

    :raises InputError: an unknown lead, a placement that is not a contact of the lead or
        the case, a stated size or shape that contradicts the lead, or a contact that is the
        anode of one channel and the cathode of another.
    """
    if not isinstance(data, Mapping):
        return data
    site = data.get("site")
    if not isinstance(site, Mapping):
        return data
    if "lead" not in site:
        if not _places_a_contact(data.get("channels")):
            return data
        name: object = DEFAULT_LEAD
    else:
        name = site["lead"]
    if not isinstance(name, str):
        raise InputError("site.lead", name, "a lead name, e.g. 'medtronic_3389'")

    # a lead on a site that is not a brain is refused where the site is built
    # (estim.fields.sites.make_site, through estim.setup.build_setup and the CLI)
    lead = get_lead(name, field="site.lead")
    channels = data.get("channels")
    # a lead beside skin pads blamed the pads alone ("channels[0].cathode.placement: got
    # 'lumbar_left_lower', expected a contact of the Medtronic 3389"; probe of 6 December
    # 2026): where no electrode is a contact, either may be the mistake (a mistyped contact
    # on the brain, or a lead on a skin site), and the message names both
    no_contact = "lead" in site and not _places_a_contact(channels)
    if not isinstance(channels, list):
        return data
    polarity: dict[str, tuple[str, str]] = {}  # contact -> (role, channel)
    out = []
    for i, ch in enumerate(channels):
        if not isinstance(ch, Mapping):
            out.append(ch)
            continue
        ch = dict(ch)
        for role in ("cathode", "anode"):
            e = ch.get(role)
            if isinstance(e, Mapping) and isinstance(e.get("placement"), str) \
                    and e["placement"] != CASE:
                ch[role] = _contact_electrode(dict(e), lead, f"channels[{i}].{role}",
                                              default="lead" not in site,
                                              or_no_lead=no_contact)
                key = ch[role]["placement"]
                seen = polarity.setdefault(key, (role, str(ch.get("name", i))))
                if seen[0] != role:
                    raise InputError(f"channels[{i}].{role}.placement", e["placement"],
                                     f"a contact that is not the {seen[0]} of channel "
                                     f"{seen[1]!r}: a contact has one polarity at a time")
        out.append(ch)
    return {**data, "channels": out}


def _places_a_contact(channels: object) -> bool:
    """Whether an electrode of ``channels`` is placed on a lead's contact."""
    if not isinstance(channels, list):
        return False
    return any(isinstance(ch, Mapping) and isinstance(ch.get(role), Mapping)
               and isinstance(ch[role].get("placement"), str)
               and is_contact_placement(ch[role]["placement"])
               for ch in channels for role in ("cathode", "anode"))


def _contact_electrode(e: dict[str, Any], lead: Any, where: str, *,
                       default: bool = False, or_no_lead: bool = False) -> dict[str, Any]:
    assumed = " (the default lead: the program's [site] names none)" if default else ""
    instead = ("; or, for pads on the skin, no site.lead (leads go on a brain site: brain, "
               "stn)") if or_no_lead else ""
    try:
        contact = lead.contact(e["placement"], field=f"{where}.placement")
    except InputError as err:
        raise InputError(err.field, err.value, err.expected + assumed + instead) from None
    title = lead.title + assumed
    shape = e.get("shape", "lead_contact")
    if shape != "lead_contact":
        raise InputError(f"{where}.shape", shape,
                         f"'lead_contact' (or no shape) for contact {contact.name} of the "
                         f"{title}")
    if "area" in e:
        raise InputError(f"{where}.area", e["area"],
                         f"no area: contact {contact.name}'s area comes from the {title}")
    for key, value in (("diameter", lead.diameter_m), ("contact_length", contact.length_m)):
        if key in e:
            stated = parse_quantity(e[key], "length", field=f"{where}.{key}")
            if abs(stated - value) > _SIZE_TOLERANCE * value:
                raise InputError(f"{where}.{key}", e[key],
                                 f"the {lead.title}'s {key.replace('_', ' ')} "
                                 f"({value * 1e3:g} mm), or leave it out{assumed}")
    area = contact.area_m2(lead.diameter_m)
    return {**e, "placement": contact.placement, "shape": "lead_contact",
            "diameter": f"{lead.diameter_m!r} m", "contact_length": f"{contact.length_m!r} m",
            "area": f"{area!r} m**2"}


def contact_size_problem(electrode: Any, lead_name: str | None, where: str
                         ) -> InputError | None:
    """A lead contact ``electrode`` whose size is not its lead's, as an error naming the
    field; None where it agrees. Loading fills a contact's size from the lead; a program
    changed in Python (``channel.replace(cathode=...)``, or another ``site.lead``) kept any
    size, and a 5 × 6 cm "contact" passed the charge-density limit its saved file failed
    (hostile probe of 7 December 2026)."""
    if not is_contact_placement(electrode.placement):  # a contact of no lead of estim's
        return None
    lead = get_lead(lead_name or DEFAULT_LEAD, field="site.lead")
    try:
        contact = lead.contact(electrode.placement, field=f"{where}.placement")
    except InputError as err:
        return err
    # the area as the electrode has it (stated, or its ring's from the diameter and length):
    # a segment's is smaller than its ring's, which an electrode without one would take
    sizes = (("diameter", electrode.diameter, lead.diameter_m, 1e3, "mm"),
             ("contact_length", electrode.contact_length, contact.length_m, 1e3, "mm"),
             ("area", electrode.area_m2, contact.area_m2(lead.diameter_m), 1e6, "mm^2"))
    for key, stated, value, scale, unit in sizes:
        if stated is None or abs(stated - value) > 1e-6 * value:
            shown = "none" if stated is None else f"{stated * scale:.6g} {unit}"
            return InputError(f"{where}.{key}", shown,
                              f"the {lead.title}'s contact {contact.name}: diameter "
                              f"'{lead.diameter_m * 1e3:.10g} mm', contact_length "
                              f"'{contact.length_m * 1e3:.10g} mm', area "
                              f"'{contact.area_m2(lead.diameter_m) * 1e6:.10g} mm^2' (a "
                              "contact's size is its lead's)")
    return None
