"""DBS figures: the lead with its active contacts, the activated region in two cross sections
beside the field-threshold outline, and radius and volume against the dial.

Each figure draws a :class:`~estim.effects.dbs.DBSActivation` as the effects stage computed
it; nothing is computed here beyond reading its map at the programmed current.

>>> import numpy as np
>>> from estim.effects.dbs import ActivationMap, ContactRadius, DBSActivation
>>> r = np.geomspace(0.9e-3, 8e-3, 5); z = np.array([3.25e-3, 4.25e-3, 5.25e-3])
>>> amap = ActivationMap(r, z, np.tile(1e-3 * (r / 1e-3) ** 2, (3, 1)), lead_radius_m=0.635e-3)
>>> act = DBSActivation("1", "medtronic_3389", "current", 3e-3, 3e-3, None, "", 1000.0,
...     5.7e-6, 60e-6, 200.0, (ContactRadius("lead_contact_1", "cathode", 4.25e-3,
...     amap.radius_at(3e-3, 4.25e-3), 0.0),), amap.volume_m3(3e-3), 0.0, amap)
>>> fig = dbs_sections_figure(act)
>>> [ax.get_title().split(":")[0] for ax in fig.axes]
['Along the lead', 'Across the lead at contact 1']

matplotlib is imported inside the functions (Agg backend), so importing estim stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from estim.leads import Lead, contact_name, get_lead

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from estim.effects.dbs import ContactRadius, DBSActivation

__all__ = ["dbs_sections_figure", "dbs_sweep_figure"]

_ROLE_COLOUR = {"anode": "#c0392b", "cathode": "#1f4e9c"}
_ACTIVATED = "#f39c12"
_FIELD = "0.25"
_LEAD_BODY = "#d5d8dc"
_ENCAPSULATION = "0.55"
_CONTACT = "#95a5a6"
_MM = 1e3  # [m -> mm]


def _words(c: ContactRadius) -> str:
    return f"contact {contact_name(c.placement).upper()}"


def _draw_lead(ax: Axes, lead: Lead, roles: dict[str, str], top_mm: float) -> None:
    """The lead seen from the front (−y), tip at z = 0: its body and its contacts, the
    active ones in their polarity's colour, each labelled with its name."""
    from matplotlib.patches import Rectangle

    r = lead.diameter_m / 2 * _MM
    ax.add_patch(Rectangle((-r, 0.0), 2 * r, top_mm, facecolor=_LEAD_BODY, edgecolor="0.4",
                           lw=0.8, zorder=3))
    for c in lead.contacts:
        z0 = (c.z_center_m - c.length_m / 2) * _MM
        if c.is_ring:
            x0, x1 = -r, r
        else:  # a segment as it projects on the front view
            a = np.radians(np.linspace(c.angle_deg - c.arc_deg / 2, c.angle_deg + c.arc_deg / 2,
                                       31))
            x0, x1 = float(np.min(r * np.cos(a))), float(np.max(r * np.cos(a)))
        role = roles.get(c.placement)
        ax.add_patch(Rectangle((x0, z0), x1 - x0, c.length_m * _MM,
                               facecolor=_ROLE_COLOUR.get(role or "", _CONTACT),
                               edgecolor="0.3", lw=0.6, zorder=4))
        if c.is_ring or c.angle_deg == 0.0:
            ax.text(r * 1.25, c.z_center_m * _MM, c.name.upper(), va="center", fontsize=7,
                    color="0.15", zorder=5)


def dbs_sections_figure(act: DBSActivation) -> Figure:
    """Two cross sections of the activated region at the programmed current: along the lead
    (the plane through its axis: activated where |x| ≤ r(z)) and across it at the first
    active contact's height (a disc around the lead), each with the outline where |E|
    exceeds the field threshold."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Circle, Patch

    lead = get_lead(act.lead)
    amap, i0, thr = act.map, act.current_a, act.field_threshold_v_per_m
    z, r = amap.profile(i0)
    zf, rf = amap.field_profile(i0, thr)
    reach = max(float(np.max(r, initial=0.0)), float(np.max(rf, initial=0.0)),
                lead.diameter_m) * _MM
    half = 1.15 * reach + 0.3

    fig = Figure(figsize=(8.6, 4.6), layout="constrained")
    along, across = fig.subplots(1, 2, width_ratios=[1.0, 1.0])

    # along the lead: the plane through its axis
    rm = np.where(r > 0, r * _MM, np.nan)
    along.fill_betweenx(z * _MM, -rm, rm, color=_ACTIVATED, alpha=0.55, lw=0, zorder=1)
    rfm = np.where(rf > 0, rf * _MM, np.nan)
    along.plot(rfm, zf * _MM, color=_FIELD, ls="--", lw=1.2, zorder=2)
    along.plot(-rfm, zf * _MM, color=_FIELD, ls="--", lw=1.2, zorder=2)
    roles = {c.placement: c.role for c in act.contacts}
    top = float(amap.z_m[-1]) * _MM
    # the encapsulation round the lead holds no axons: hatched, not filled as activated
    # (the figure coloured it orange; DBS researcher's probe of 7 December 2026)
    free = max(amap.axon_free_m, amap.lead_radius_m) * _MM
    if free > amap.lead_radius_m * _MM:
        for side in (-1, 1):
            along.fill_betweenx([float(amap.z_m[0]) * _MM, top], side * free, 0.0,
                                facecolor="white", edgecolor=_ENCAPSULATION, hatch="////",
                                lw=0, zorder=1.5)
    _draw_lead(along, lead, roles, top)
    along.set_xlim(-half, half)
    along.set_ylim(float(amap.z_m[0]) * _MM, top)
    along.set_aspect("equal")
    along.set_xlabel("across the lead (mm)")
    along.set_ylabel("along the lead, above its tip (mm)")
    along.set_title(f"Along the lead: {lead.title}", fontsize=9)

    # across the lead at the first cathode (else the first active contact)
    first = next((c for c in act.contacts if c.role == "cathode"), act.contacts[0]) \
        if act.contacts else None
    r_lead = lead.diameter_m / 2 * _MM
    if first is not None:
        if first.radius_m > 0:
            across.add_patch(Circle((0, 0), first.radius_m * _MM, color=_ACTIVATED, alpha=0.55,
                                    lw=0))
        if first.field_radius_m > 0:
            across.add_patch(Circle((0, 0), first.field_radius_m * _MM, fill=False,
                                    ec=_FIELD, ls="--", lw=1.2))
        contact = lead.contact(first.placement)
        if free > r_lead:
            across.add_patch(Circle((0, 0), free, facecolor="white", edgecolor=_ENCAPSULATION,
                                    hatch="////", lw=0, zorder=2.5))
        across.add_patch(Circle((0, 0), r_lead, fc=_LEAD_BODY, ec="0.4", lw=0.8, zorder=3))
        theta = np.radians(np.linspace(contact.angle_deg - contact.arc_deg / 2,
                                       contact.angle_deg + contact.arc_deg / 2, 90))
        across.plot(r_lead * np.cos(theta), r_lead * np.sin(theta),
                    color=_ROLE_COLOUR.get(first.role, _CONTACT), lw=3, zorder=4)
        across.set_title(f"Across the lead at {_words(first)}: "
                         f"{first.z_m * _MM:.3g} mm above the tip", fontsize=9)
    across.set_xlim(-half, half)
    across.set_ylim(-half, half)
    across.set_aspect("equal")
    across.set_xlabel("x (mm)")
    across.set_ylabel("y (mm)")

    amp = _amplitude_words(act)
    handles = [Patch(color=_ACTIVATED, alpha=0.55,
                     label=f"activated: {act.fiber_diameter_m * 1e6:g} µm axons fire at {amp}"),
               Line2D([], [], color=_FIELD, ls="--",
                      label=f"field above {thr / 1e3:g} V/mm (shortcut)")]
    if free > r_lead:
        handles.append(Patch(facecolor="white", edgecolor=_ENCAPSULATION, hatch="////",
                             label=f"encapsulation, {free - r_lead:.2g} mm: no axons, "
                                   "not in the volume"))
    handles += [Patch(color=_ROLE_COLOUR[c.role], label=f"{_words(c)}: {c.role}")
                for c in act.contacts]
    if not any(c.role == "anode" for c in act.contacts):
        handles.append(Patch(color="white", label="return: the case (monopolar)"))
    fig.legend(handles=handles, fontsize=8, loc="outside lower center", ncol=2)
    return fig


def _amplitude_words(act: DBSActivation) -> str:
    """The setting the activation is at; with several channels superposed, each one's
    current (the legend named channel 1's 3 mA for a volume of 3 and 2 mA; probe of
    5 December 2026)."""
    if len(act.superposed) > 1:
        each = " + ".join(f"{i * 1e3:.3g} mA ({name})"  # [A -> mA]
                          for name, i in act.superposed)
        return each if act.control == "current" else f"{act.amplitude:.3g} V: {each}"
    if act.control == "current":
        return f"{act.amplitude * 1e3:.3g} mA"  # [A -> mA]
    return f"{act.amplitude:.3g} V ({act.current_a * 1e3:.3g} mA)"  # [A -> mA]


def dbs_sweep_figure(act: DBSActivation) -> Figure:
    """Activation radius (per active contact) and activated volume against the dial, with
    the field-threshold shortcut's curves and the programmed setting marked; points whose
    region reaches the edge of the modelled grid are drawn hollow (lower bounds)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    sweep = act.sweep
    fig = Figure(figsize=(8.6, 3.6), layout="constrained")
    ax_r, ax_v = fig.subplots(1, 2)
    if sweep is None:
        return fig
    volt = sweep.unit == "V"
    x = sweep.amplitudes * (1.0 if volt else 1e3)  # [A -> mA]
    unit = "V" if volt else "mA"
    edge = sweep.reaches_edge
    colours = ["tab:blue", "tab:purple", "tab:green", "tab:brown"]
    by_place = {c.placement: c for c in act.contacts}
    for k, (place, radii) in enumerate(sweep.radius_m.items()):
        colour = colours[k % len(colours)]
        words = _words(by_place[place]) if place in by_place else place
        ax_r.plot(x, radii * _MM, "-", color=colour, label=f"{words}, axon model")
        ax_r.plot(x[edge], radii[edge] * _MM, "o", mfc="white", color=colour, ms=4)
        ax_r.plot(x, sweep.field_radius_m[place] * _MM, "--", color=colour,
                  label=f"{words}, {act.field_threshold_v_per_m / 1e3:g} V/mm field")
    ax_v.plot(x, sweep.volume_m3 * 1e9, "-", color="tab:orange",  # [m³ -> mm³]
              label="axon model")
    ax_v.plot(x[edge], sweep.volume_m3[edge] * 1e9, "o", mfc="white", color="tab:orange", ms=4)
    ax_v.plot(x, sweep.field_volume_m3 * 1e9, "--", color="tab:orange",  # [m³ -> mm³]
              label=f"{act.field_threshold_v_per_m / 1e3:g} V/mm field")
    here = act.amplitude * (1.0 if volt else 1e3)  # [A -> mA]
    for ax in (ax_r, ax_v):
        ax.axvline(here, color="k", lw=1.5, alpha=0.6)
        ax.set_xlabel(f"amplitude on the dial ({unit})")
        ax.set_xlim(0, float(x[-1]) * 1.02 if x.size else 1.0)
        ax.set_ylim(bottom=0)
        ax.legend(fontsize=7.5, loc="upper left")
    ax_r.set_ylabel("activation radius from the lead axis (mm)")
    ax_v.set_ylabel("activated volume (mm³)")
    ax_r.set_title(f"Radius (line: programmed {_amplitude_words(act)})", fontsize=9)
    ax_v.set_title(f"Volume, {act.fiber_diameter_m * 1e6:g} µm axons", fontsize=9)
    if np.any(edge):
        fig.suptitle("hollow: the region reaches the modelled grid's edge (a lower bound)",
                     fontsize=8)
    return fig
