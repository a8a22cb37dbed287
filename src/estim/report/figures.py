"""The field cross-section: the electric field in the tissue, with the layers and the
electrodes drawn and the axes named as anatomy.

>>> from estim.program.bundled import bundled_examples
>>> from estim.program import load_program
>>> from estim.fields.program import fields_for_program
>>> pf = fields_for_program(load_program(bundled_examples()["tens_conventional"]),
...                         method="analytic", boundary="uniform")
>>> section = cross_section(pf)
>>> section.kind, section.horizontal_label
('longitudinal', 'along the lower back (cm; + up)')
>>> fig = cross_section_figure(pf)  # a matplotlib Figure; save it or embed it

Which plane is cut:

* a limb whose electrodes lie one above the other (forearm, thigh, calf): the section follows
  the skin from one pad to the other and runs straight into the limb, so the horizontal axis
  is the distance along the limb and the vertical one the depth below the skin;
* a limb whose electrodes face each other around one level (medial and lateral knee pads): the
  transverse section at their level;
* true interferential's four pads on two opposite sides of a limb, above and below one
  another (the knee's): the plane through the limb's axis and both sides, where the two
  currents run (crossing, as the knee example's do; on the transverse section the pads
  above and below drew on one spot);
* a planar patch (lower back, cheek): the vertical plane through the electrode centres;
* a brain site: the plane through the lead axis.

matplotlib is imported inside the functions (Agg backend), so importing estim stays cheap.
"""

from __future__ import annotations

import dataclasses
import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import NDArray

from estim.fields.interference import envelope_max
from estim.text import current_text, plot_text

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.colors import Normalize
    from matplotlib.figure import Figure

    from estim.fields.electrodes import Electrode
    from estim.fields.program import ProgramFields
    from estim.fields.sites import Site

__all__ = ["CrossSection", "SectionElectrode", "cross_section", "cross_section_figure",
           "section_figure", "section_groups", "section_panels", "sections_figure"]

SectionKind = Literal["longitudinal", "transverse", "lead", "coronal"]

#: A pad this far or farther from a section's plane is not on it (m): drawn faded, and a
#: channel with no pad on the common section gets a section of its own.
_OFF_SECTION_M = 5e-3

#: Grid points along each axis of a section.
_GRID = 161
#: Deepest tissue shown below the skin (m): deeper, the field of surface pads is negligible.
_MAX_DEPTH_M = 40e-3
#: Margin beyond the outermost pad edges along the section (m).
_MARGIN_M = 30e-3
_ROLE_COLOUR = {"anode": "#c0392b", "cathode": "#1f4e9c"}
_ROLE_SIGN = {"anode": "+", "cathode": "−"}


@dataclass(frozen=True)
class SectionElectrode:
    """An electrode as drawn on a section.

    :param channel: its channel's name.
    :param role: ``"anode"`` or ``"cathode"``.
    :param start: where it begins along the horizontal axis (m); transverse sections: the
        angle where it begins (rad, from the front, towards +y).
    :param end: where it ends (m, or rad).
    :param offset_m: its distance from the plane of the section (m); 0 when the plane cuts it.
    :param side: coronal sections: +1 on the side drawn at the top, -1 on the other.
    """

    channel: str
    role: str
    start: float
    end: float
    offset_m: float = 0.0
    side: int = 0


@dataclass(frozen=True, eq=False)
class CrossSection:
    """A plane (or a surface that follows the skin) cut through a site, with world points.

    :param kind: ``"longitudinal"`` (horizontal: along the body, vertical: depth below the
        skin), ``"transverse"`` (a slice across a limb, both axes across it), ``"coronal"``
        (through a limb's axis: horizontal along it, vertical across it from one side's skin
        to the other's) or ``"lead"``.
    :param horizontal_m: coordinates along the horizontal axis (m), shape (nh,).
    :param vertical_m: along the vertical axis (m), shape (nv,); depth below the skin for a
        longitudinal section (positive into the body).
    :param points: world points (m), shape (nv, nh, 3).
    :param horizontal_label: the horizontal axis in anatomical words, with its plotted unit.
    :param vertical_label: the vertical axis, likewise.
    :param layers: (tissue, top, bottom) depths below the skin (m), outer to inner.
    :param electrodes: the electrodes drawn on it.
    :param outer_radii_m: transverse sections: the limb's semi-axes (x, y) (m); coronal: the
        distance from the axis to the skin on the top side and on the other (m).
    :param lead_radius_m: lead sections: the lead's radius (m); its tip is at 0 on the
        vertical axis.
    :param alternating: channels whose current is a sinusoidal carrier: their pads' + and
        − are the first half-cycle's polarity (:attr:`ProgramFields.alternating`).
    """

    kind: SectionKind
    horizontal_m: NDArray[np.float64]
    vertical_m: NDArray[np.float64]
    points: NDArray[np.float64]
    horizontal_label: str
    vertical_label: str
    layers: tuple[tuple[str, float, float], ...]
    electrodes: tuple[SectionElectrode, ...]
    outer_radii_m: tuple[float, float] = (0.0, 0.0)
    lead_radius_m: float = 0.0
    alternating: tuple[str, ...] = ()


#: What one section draws: the section and its panels (label, |E| on the grid).
SectionGroup = tuple[CrossSection, Sequence[tuple[str, NDArray[np.float64]]]]


def _place_words(site: Site) -> str:
    return site.name.replace("_", " ")


def _layers(site: Site, deepest: float) -> tuple[tuple[str, float, float], ...]:
    out = []
    top = 0.0
    for layer in site.layers:
        bottom = top + layer.thickness
        if top >= deepest:
            break
        out.append((layer.tissue, top, min(bottom, deepest)))
        top = bottom
    return tuple(out)


def _limb_radius(site: Site, angle: float | NDArray[np.float64]) -> NDArray[np.float64]:
    """Distance from the limb axis to the skin at ``angle`` (rad) (m)."""
    a, b = site.radius_x, site.radius_y
    return np.asarray(a * b / np.hypot(b * np.cos(angle), a * np.sin(angle)))


def _angle(e: Electrode) -> float:
    return math.atan2(e.position[1], e.position[0])


def _extent_along(e: Electrode, direction: NDArray[np.float64]) -> float:
    """The electrode's size along a surface ``direction`` (m)."""
    if e.shape == "circular":
        return e.width
    c = abs(float(np.dot(np.asarray(e.axis), direction)))
    return c * e.length + math.sqrt(max(0.0, 1.0 - c * c)) * e.width


def _pairs(pf: ProgramFields, channel: str | None) -> list[tuple[str, Electrode, Electrode]]:
    chans = [c for c in pf.channels if channel is None or c.name == channel]
    if not chans:
        names = ", ".join(repr(c.name) for c in pf.channels)
        raise ValueError(f"channel {channel!r} is not in the field solution (it has {names})")
    return [(c.name, c.anode, c.cathode) for c in chans]


def _planar(site: Site, pairs: list[tuple[str, Electrode, Electrode]]) -> CrossSection:
    _, a, c = pairs[0]
    pa, pc = np.asarray(a.position)[:2], np.asarray(c.position)[:2]
    d = pc - pa
    u2 = d / np.linalg.norm(d) if np.linalg.norm(d) > 0 else np.array([1.0, 0.0])
    # + runs up (towards the "upper" placements) or to the right, whichever the line
    # follows more: the lower back's section had no direction (probe of 5 December 2026)
    along = 1 if abs(u2[1]) >= abs(u2[0]) else 0
    if u2[along] < 0:
        u2 = -u2
    u = np.array([*u2, 0.0])
    mid = 0.5 * (pa + pc)
    drawn = []
    lo, hi = math.inf, -math.inf
    for name, an, ca in pairs:
        for role, e in (("anode", an), ("cathode", ca)):
            s = float(np.dot(np.asarray(e.position)[:2] - mid, u2))
            half = 0.5 * _extent_along(e, u)
            rel = np.asarray(e.position)[:2] - mid
            off = abs(float(u2[0] * rel[1] - u2[1] * rel[0]))  # distance from the line
            drawn.append(SectionElectrode(name, role, s - half, s + half, off))
            lo, hi = min(lo, s - half), max(hi, s + half)
    half_patch = 0.5 * min(site.width, site.length)
    h = np.linspace(max(lo - _MARGIN_M, -half_patch), min(hi + _MARGIN_M, half_patch), _GRID)
    deepest = min(site.depth, _MAX_DEPTH_M)
    depth = np.linspace(0.0, deepest, _GRID)
    depth[0] = 1e-5  # just inside the skin
    pts = (np.array([*mid, 0.0])[None, None, :] + h[None, :, None] * u[None, None, :]
           - depth[:, None, None] * np.array([0.0, 0.0, 1.0])[None, None, :])
    return CrossSection("longitudinal", h, depth, pts, (f"along the {_place_words(site)} "
                        f"(cm; + {'up' if along else 'to the right'})"),
                        "depth below the skin (mm)", _layers(site, deepest), tuple(drawn))


def _along_limb(site: Site, pairs: list[tuple[str, Electrode, Electrode]],
                top: float | None = None
                ) -> tuple[list[SectionElectrode], NDArray[np.float64]]:
    """Every pad as drawn along the limb (its extent in z; with ``top``, the side it lies
    on: +1 within 90 degrees of that angle, else -1), and the section's grid along the
    limb, from the lowest pad edge to the highest with a margin."""
    zaxis = np.array([0.0, 0.0, 1.0])
    drawn = []
    lo, hi = math.inf, -math.inf
    for name, an, ca in pairs:
        for role, e in (("anode", an), ("cathode", ca)):
            half = 0.5 * _extent_along(e, zaxis)
            z = e.position[2]
            side = 0 if top is None else 1 if _turn(_angle(e), top) < math.pi / 2 else -1
            drawn.append(SectionElectrode(name, role, z - half, z + half, side=side))
            lo, hi = min(lo, z - half), max(hi, z + half)
    h = np.linspace(max(lo - _MARGIN_M, -site.length / 2),
                    min(hi + _MARGIN_M, site.length / 2), _GRID)
    return drawn, h


def _limb_longitudinal(site: Site, pairs: list[tuple[str, Electrode, Electrode]]
                       ) -> CrossSection:
    _, a, c = pairs[0]
    za, zc = a.position[2], c.position[2]
    ta = _angle(a)
    tc = ta + (_angle(c) - ta + math.pi) % (2 * math.pi) - math.pi  # the shorter way round
    drawn, h = _along_limb(site, pairs)
    # the angle follows the skin from one pad to the other (constant beyond them)
    theta = np.interp(h, *((np.array([za, zc]), np.array([ta, tc])) if za <= zc
                           else (np.array([zc, za]), np.array([tc, ta]))))
    radius = _limb_radius(site, theta)
    deepest = min(_MAX_DEPTH_M, 0.95 * min(site.radius_x, site.radius_y))
    depth = np.linspace(0.0, deepest, _GRID)
    depth[0] = 1e-5
    r = radius[None, :] - depth[:, None]
    pts = np.stack([r * np.cos(theta)[None, :], r * np.sin(theta)[None, :],
                    np.broadcast_to(h[None, :], r.shape)], axis=-1)
    return CrossSection("longitudinal", h, depth, pts,
                        f"along the {_place_words(site)} (cm; + towards the trunk)",
                        "depth below the skin (mm)", _layers(site, deepest), tuple(drawn))


def _turn(angle: float, to: float) -> float:
    """How far ``angle`` lies from ``to`` round the limb (rad, 0 to pi)."""
    return abs((angle - to + math.pi) % (2 * math.pi) - math.pi)


def _opposite_sides(pairs: list[tuple[str, Electrode, Electrode]]) -> float | None:
    """The angle (rad) of one side of the limb where every pad lies within 45 degrees of it
    or of the side opposite, some on each, at levels a pad's size apart or more (true
    interferential's four pads round a knee); None otherwise."""
    es = [e for _, an, ca in pairs for e in (an, ca)]
    top = _angle(es[0])
    turns = [_turn(_angle(e), top) for e in es]
    if any(math.pi / 4 <= t <= 3 * math.pi / 4 for t in turns) or max(turns) < math.pi / 2:
        return None
    zaxis = np.array([0.0, 0.0, 1.0])
    levels = [e.position[2] for e in es]
    if max(levels) - min(levels) < max(_extent_along(e, zaxis) for e in es):
        return None
    return top


def _limb_coronal(site: Site, pairs: list[tuple[str, Electrode, Electrode]], top: float
                  ) -> CrossSection:
    """The plane through the limb's axis and the sides at ``top`` and opposite it: along
    the limb, and across it from one side's skin to the other's."""
    drawn, h = _along_limb(site, pairs, top)
    up = float(_limb_radius(site, top))
    down = float(_limb_radius(site, top + math.pi))
    v = np.linspace(-down, up, _GRID)
    v[0], v[-1] = -down + 1e-5, up - 1e-5  # just under the skin on both sides
    toward = np.array([math.cos(top), math.sin(top)])
    pts = np.stack([np.broadcast_to(v[:, None] * toward[0], (v.size, h.size)),
                    np.broadcast_to(v[:, None] * toward[1], (v.size, h.size)),
                    np.broadcast_to(h[None, :], (v.size, h.size))], axis=-1)
    from estim.fields.sites import limb_side

    # which side is which (it said "through its axis" alone; review of 6 December 2026)
    names = (limb_side(site.name, top), limb_side(site.name, top + math.pi))
    sides = f"; + {names[0]}, − {names[1]}" if all(names) else ""
    return CrossSection("coronal", h, v, pts,
                        f"along the {_place_words(site)} (cm; + towards the trunk)",
                        f"across the {_place_words(site)} (cm{sides})",
                        _layers(site, min(up, down)), tuple(drawn), (up, down))


def _limb_transverse(site: Site, pairs: list[tuple[str, Electrode, Electrode]]
                     ) -> CrossSection:
    es = [e for _, an, ca in pairs for e in (an, ca)]
    z0 = float(np.mean([e.position[2] for e in es]))
    a, b = site.radius_x, site.radius_y
    x = np.linspace(-a, a, _GRID)
    y = np.linspace(-b, b, _GRID)
    X, Y = np.meshgrid(x, y)
    pts = np.stack([X, Y, np.full_like(X, z0)], axis=-1)
    drawn = []
    for name, an, ca in pairs:
        for role, e in (("anode", an), ("cathode", ca)):
            t = _angle(e)
            half = 0.5 * e.width / float(_limb_radius(site, t))  # [arc length -> rad]
            drawn.append(SectionElectrode(name, role, t - half, t + half,
                                          abs(e.position[2] - z0)))
    return CrossSection("transverse", x, y, pts, "back ← → front (cm)", "side to side (cm)",
                        _layers(site, min(a, b)), tuple(drawn), (a, b))


def _lead(site: Site, pairs: list[tuple[str, Electrode, Electrode]]) -> CrossSection:
    h = np.linspace(-10e-3, 10e-3, _GRID)
    v = np.linspace(-4e-3, 16e-3, _GRID)
    H, V = np.meshgrid(h, v)
    pts = np.stack([H, np.zeros_like(H), V], axis=-1)
    contacts = [(name, role, e) for name, an, ca in pairs
                for role, e in (("anode", an), ("cathode", ca)) if e.shape == "lead_contact"]
    drawn = [SectionElectrode(name, role, e.position[2] - e.length / 2,
                              e.position[2] + e.length / 2) for name, role, e in contacts]
    radius = max((e.width / 2 for _, _, e in contacts), default=0.0)  # width: the diameter
    return CrossSection("lead", h, v, pts, "distance from the lead axis (mm)",
                        "along the lead, from its tip (mm)", (), tuple(drawn),
                        lead_radius_m=radius)


def cross_section(program_fields: ProgramFields, *, channel: str | None = None
                  ) -> CrossSection:
    """The section that shows ``channel`` best (every channel when None; see the module).

    :param program_fields: the field solution of a program.
    :param channel: a channel name, or None for all channels on one section.
    :raises ValueError: ``channel`` is not in the solution.
    """
    section = _section(program_fields, _pairs(program_fields, channel))
    return dataclasses.replace(section, alternating=program_fields.alternating)


def _section(program_fields: ProgramFields, pairs: list[tuple[str, Electrode, Electrode]]
             ) -> CrossSection:
    site = program_fields.site
    if site.kind == "brain":
        return _lead(site, pairs)
    if site.kind == "planar":
        return _planar(site, pairs)
    if len(pairs) == 2 and program_fields.beat:
        side = _opposite_sides(pairs)
        if side is not None:
            return _limb_coronal(site, pairs, side)
    _, a, c = pairs[0]
    arc = float(_limb_radius(site, _angle(a))) * abs(
        (_angle(c) - _angle(a) + math.pi) % (2 * math.pi) - math.pi)
    if len(pairs) == 1 and abs(a.position[2] - c.position[2]) >= arc:
        return _limb_longitudinal(site, pairs)
    return _limb_transverse(site, pairs)


#: The footnote of a section with a sinusoidal carrier's pads (an educator read "anode" on an
#: interferential pad as a fixed polarity; probe of 6 December 2026).
ALTERNATING_NOTE = ("+ and −: each pad's polarity in the carrier's first half-cycle; the "
                    "sinusoidal current reverses every cycle, so each pad is anode and "
                    "cathode in turn")


def _pad_label(section: CrossSection, e: SectionElectrode, several: bool, *,
               parentheses: bool = True) -> str:
    """A pad's label: "A+" among several channels, else its role and sign ("anode (+)"),
    or "pad (+)" for a sinusoidal carrier's pad, which is anode and cathode in turn."""
    sign = _ROLE_SIGN[e.role]
    if several:
        return f"{plot_text(e.channel)}{sign}"
    word = "pad" if e.channel in section.alternating else e.role
    return f"{word} ({sign})" if parentheses else f"{word} {sign}"


def _format_current(amps: float) -> str:
    """mA from 0.1 mA, µA below, A from 1 A (HVPC's section read "1.07e+03 mA")."""
    return current_text(amps, smallest="mA") if abs(amps) >= 1e-4 else current_text(amps)


def _panels(pf: ProgramFields, section: CrossSection, channel: str | None
            ) -> list[tuple[str, NDArray[np.float64]]]:
    pts = section.points.reshape(-1, 3)
    shape = section.points.shape[:2]
    chans = [c for c in pf.channels if channel is None or c.name == channel]
    fields = [c.field(pts) * pf.currents[c.name] for c in chans]
    panels = []
    for c, e in zip(chans, fields, strict=True):
        who = f"channel {c.name}, " if len(pf.channels) > 1 else ""
        panels.append((f"{who}{_format_current(pf.currents[c.name])}: electric field",
                       np.linalg.norm(e, axis=1).reshape(shape)))
    # a channel off makes no beat (its panel was drawn black, on a scale from 0.001 V/m;
    # hostile probe of 6 December 2026)
    if len(chans) == 2 and pf.beat and all(pf.currents[c.name] > 0 for c in chans):
        panels.append(("beat amplitude: how much the two fields' sum swells and fades",
                       envelope_max(fields[0], fields[1]).reshape(shape)))
    return panels


def _draw_longitudinal(ax: Axes, section: CrossSection, image: NDArray[np.float64],
                       norm: Normalize, cmap: str) -> object:
    h_cm = section.horizontal_m * 1e2  # [m -> cm]
    d_mm = section.vertical_m * 1e3  # [m -> mm]
    im = ax.imshow(image, origin="upper", cmap=cmap, norm=norm, aspect="auto",
                   extent=(h_cm[0], h_cm[-1], d_mm[-1], d_mm[0]), interpolation="bilinear")
    for _, top, _ in section.layers:
        if top > 0:
            ax.axhline(top * 1e3, color="white", lw=0.8, alpha=0.8)
    # the tissues named on the right, each at the middle of its layer
    names = ax.secondary_yaxis("right")
    names.set_yticks([0.5 * (top + bottom) * 1e3 for _, top, bottom in section.layers],
                     labels=[tissue for tissue, _, _ in section.layers], fontsize=8)
    names.tick_params(length=0)
    bar = 0.06 * d_mm[-1]
    several = len({x.channel for x in section.electrodes}) > 1
    labels: dict[float, list[str]] = {}
    # the widest first, so that a smaller pad on the same place is drawn over it (a 2 cm
    # pad under a 5 cm one was hidden; probe of 5 December 2026), with an edge to show it
    for e in sorted(section.electrodes, key=lambda x: x.start - x.end):
        colour = _ROLE_COLOUR.get(e.role, "k")
        ax.fill_between([e.start * 1e2, e.end * 1e2], -bar, 0, color=colour, clip_on=False,
                        alpha=1.0 if e.offset_m < _OFF_SECTION_M else 0.4, edgecolor="white",
                        lw=0.8)
        # pads of several channels at one place share a label: "1+ 2+"
        labels.setdefault(round(0.5 * (e.start + e.end) * 1e2, 1), []).append(
            _pad_label(section, e, several))
    for mid, texts in labels.items():
        ax.text(mid, -bar, " ".join(texts), ha="center", va="bottom", fontsize=8)
    ax.set_ylim(d_mm[-1], -bar)
    ax.set_xlabel(section.horizontal_label)
    ax.set_ylabel(section.vertical_label)
    return im


def _fill_gaps(image: NDArray[np.float64], tissue: NDArray[np.bool_]) -> NDArray[np.float64]:
    """``image`` with the NaN samples in ``tissue`` (a mask that broadcasts to it) set to
    their finite neighbours' mean: a sample the curved mesh's point location misses at a
    layer's surface is drawn as the field around it, not as a white streak."""
    out = image.copy()
    for _ in range(4):
        gap = ~np.isfinite(out) & tissue
        if not gap.any():
            break
        padded = np.pad(out, 1, constant_values=np.nan)
        near = np.stack([padded[:-2, 1:-1], padded[2:, 1:-1], padded[1:-1, :-2],
                         padded[1:-1, 2:]])
        count = np.isfinite(near).sum(axis=0)
        mean = np.nansum(near, axis=0) / np.maximum(count, 1)
        out = np.where(gap & (count > 0), mean, out)
    return out


def _draw_lead(ax: Axes, section: CrossSection, image: NDArray[np.float64],
               norm: Normalize, cmap: str) -> object:
    """The plane through the lead: both axes in mm, the tip at the bottom, the lead's body
    and its active contacts drawn where they are."""
    from matplotlib.ticker import MultipleLocator

    h_mm = section.horizontal_m * 1e3  # [m -> mm]
    v_mm = section.vertical_m * 1e3
    r = section.lead_radius_m * 1e3
    image = _fill_gaps(image, np.abs(h_mm)[None, :] > r)
    # equal scales: the 1.27 mm lead is drawn 1.27 mm wide against its contacts' 1.5 mm
    im = ax.imshow(image, origin="lower", cmap=cmap, norm=norm, aspect="equal",
                   extent=(h_mm[0], h_mm[-1], v_mm[0], v_mm[-1]), interpolation="bilinear")
    if r > 0:
        ax.fill_between([-r, r], 0.0, v_mm[-1], color="0.55", lw=0)
    for e in section.electrodes:
        colour = _ROLE_COLOUR.get(e.role, "k")
        ax.fill_between([-r, r], e.start * 1e3, e.end * 1e3, color=colour, lw=0)
        ax.text(r + 0.4, 0.5 * (e.start + e.end) * 1e3, f"{e.role} ({_ROLE_SIGN[e.role]})",
                ha="left", va="center", fontsize=8, color=colour,
                bbox={"facecolor": "white", "alpha": 0.8, "lw": 0, "pad": 1})
    ax.set_xlim(h_mm[0], h_mm[-1])
    ax.set_ylim(v_mm[0], v_mm[-1])
    ax.xaxis.set_major_locator(MultipleLocator(5))
    ax.set_xlabel(section.horizontal_label)
    ax.set_ylabel(section.vertical_label)
    return im


def _draw_coronal(ax: Axes, section: CrossSection, image: NDArray[np.float64],
                  norm: Normalize, cmap: str) -> object:
    """The plane through a limb's axis: along it, across it (equal scales), the layers on
    both sides and the pads above the top side and below the other."""
    h_cm = section.horizontal_m * 1e2  # [m -> cm]
    v_cm = section.vertical_m * 1e2
    im = ax.imshow(image, origin="lower", cmap=cmap, norm=norm, aspect="equal",
                   extent=(h_cm[0], h_cm[-1], v_cm[0], v_cm[-1]), interpolation="bilinear")
    up, down = section.outer_radii_m
    for _, top, _ in section.layers:
        if top > 0:
            for y in (up - top, -(down - top)):
                ax.axhline(y * 1e2, color="white", lw=0.7, alpha=0.8)
    # the tissues named on the right, on the top side, the innermost at the axis (the knee's
    # bone was an unnamed bright middle; educator probe of 6 December 2026)
    names = ax.secondary_yaxis("right")
    inner = len(section.layers) - 1
    names.set_yticks([0.0 if k == inner else (up - 0.5 * (top + min(bottom, up))) * 1e2
                      for k, (_, top, bottom) in enumerate(section.layers)],
                     labels=[tissue for tissue, _, _ in section.layers], fontsize=7)
    names.tick_params(length=0)
    bar = 0.05 * (v_cm[-1] - v_cm[0])
    labels: dict[tuple[float, int], list[str]] = {}
    for e in sorted(section.electrodes, key=lambda x: x.start - x.end):  # the widest first
        y0 = v_cm[-1] if e.side > 0 else v_cm[0] - bar
        ax.fill_between([e.start * 1e2, e.end * 1e2], y0, y0 + bar,
                        color=_ROLE_COLOUR.get(e.role, "k"), clip_on=False,
                        edgecolor="white", lw=0.8)
        labels.setdefault((round(0.5 * (e.start + e.end) * 1e2, 1), e.side), []).append(
            f"{plot_text(e.channel)}{_ROLE_SIGN[e.role]}")
    for (mid, side), texts in labels.items():
        ax.text(mid, v_cm[-1] + bar if side > 0 else v_cm[0] - bar, " ".join(texts),
                ha="center", va="bottom" if side > 0 else "top", fontsize=8)
    ax.set_ylim(v_cm[0] - 3 * bar, v_cm[-1] + 3 * bar)
    ax.set_xlabel(section.horizontal_label)
    ax.set_ylabel(section.vertical_label)
    return im


def _draw_transverse(ax: Axes, section: CrossSection, image: NDArray[np.float64],
                     norm: Normalize, cmap: str) -> object:
    x_cm = section.horizontal_m * 1e2  # [m -> cm]
    y_cm = section.vertical_m * 1e2
    im = ax.imshow(image, origin="lower", cmap=cmap, norm=norm, aspect="equal",
                   extent=(x_cm[0], x_cm[-1], y_cm[0], y_cm[-1]), interpolation="bilinear")
    a, b = section.outer_radii_m
    t = np.linspace(0, 2 * np.pi, 200)
    for tissue, top, _ in section.layers:
        if top > 0:
            ax.plot((a - top) * np.cos(t) * 1e2, (b - top) * np.sin(t) * 1e2, color="white",
                    lw=0.7, alpha=0.8)
        del tissue
    inner = section.layers[-1] if section.layers else None
    if inner is not None:
        ax.text(0, 0, inner[0], color="white", fontsize=8, ha="center", va="center")
    ax.plot(a * np.cos(t) * 1e2, b * np.sin(t) * 1e2, color="0.2", lw=1)
    several = len({x.channel for x in section.electrodes}) > 1
    labels: dict[float, list[str]] = {}
    for e in sorted(section.electrodes, key=lambda x: x.start - x.end):  # the widest first
        colour = _ROLE_COLOUR.get(e.role, "k")
        arc = np.linspace(e.start, e.end, 30)
        ax.plot(1.04 * a * np.cos(arc) * 1e2, 1.04 * b * np.sin(arc) * 1e2, color=colour,
                lw=4, solid_capstyle="butt", alpha=1.0 if e.offset_m < _OFF_SECTION_M else 0.5,
                clip_on=False)
        # pads at one angle (one above, one below the section) share a label
        where = round(0.5 * (e.start + e.end), 2)
        labels.setdefault(where, []).append(
            _pad_label(section, e, several, parentheses=False))
    for mid, texts in labels.items():
        # a label beside the limb runs along it: level, it ran over the axis' tick labels
        # ("0node +"; probe of 5 December 2026)
        side = abs(np.cos(mid)) > 0.7
        ax.text(1.17 * a * np.cos(mid) * 1e2, 1.17 * b * np.sin(mid) * 1e2, " ".join(texts),
                fontsize=9, ha="center", va="center", rotation=90 if side else 0)
    ax.set_xlim(-1.25 * a * 1e2, 1.25 * a * 1e2)
    ax.set_ylim(-1.32 * b * 1e2, 1.32 * b * 1e2)  # the pads' labels clear of the frame
    ax.set_xlabel(section.horizontal_label)
    ax.set_ylabel(section.vertical_label)
    return im


def cross_section_figure(program_fields: ProgramFields, *, channel: str | None = None,
                         title: str = "") -> Figure:
    """The electric field |E| (V/m) at the programmed currents on :func:`cross_section`,
    one panel per channel (and the beat envelope of two), with the tissue layers and the
    electrodes (anode +, cathode −) drawn; channels whose pads lie apart each on their own
    section (:func:`section_groups`).

    :param program_fields: the field solution of a program
        (:func:`estim.fields.program.fields_for_program`).
    :param channel: one channel's name, or None for every channel.
    :param title: a title over the figure (user text is shown literally).
    :returns: a matplotlib Figure, 8.6 inches wide.
    """
    if channel is not None:
        return section_figure(*section_panels(program_fields, channel=channel), title=title)
    return sections_figure(section_groups(program_fields), title=title)


def section_groups(program_fields: ProgramFields) -> list[SectionGroup]:
    """The sections and panels that show every channel: one section for all where each
    channel has a pad on it (or two channels interfere), else one per channel. Two pairs of
    pads side by side on the back were drawn on the first pair's section, the second
    channel's panel showing its field 8 cm from its pads, 20 times weaker than under them
    (probe of 5 December 2026)."""
    section, panels = section_panels(program_fields)
    names = [c.name for c in program_fields.channels]
    apart = [n for n in names
             if all(e.offset_m >= _OFF_SECTION_M for e in section.electrodes if e.channel == n)]
    if len(names) < 2 or program_fields.beat or not apart:
        return [(section, panels)]
    return [section_panels(program_fields, channel=n) for n in names]


def sections_figure(groups: Sequence[SectionGroup], *, title: str = "") -> Figure:
    """:func:`section_groups` drawn: one :func:`section_figure`, or each group under the
    other."""
    if len(groups) == 1:
        return section_figure(*groups[0], title=title)
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    sizes = [_section_size(sec, len(panels), "") for sec, panels in groups]
    fig = Figure(figsize=(max(w for w, _ in sizes), sum(h for _, h in sizes)
                          + (0.3 if title else 0)), layout="constrained")
    subs: Any = fig.subfigures(len(groups), 1, squeeze=False,
                               height_ratios=[h for _, h in sizes])[:, 0]
    for sub, (sec, panels) in zip(subs, groups, strict=True):
        section_figure(sec, panels, into=sub)
    if title:
        fig.suptitle(_fits_across(fig, plot_text(title), 10), fontsize=10)
    return fig


def _section_size(section: CrossSection, n: int, title: str) -> tuple[float, float]:
    """Width and height (inches) of :func:`section_figure` of ``n`` panels."""
    extra = 0.3 if title else 0
    if section.kind == "lead":  # a square plane (equal scales): a narrower figure
        return 6.4, 4.4 * n + extra
    if section.kind == "coronal":  # equal scales over a limb's width: taller panels
        return 8.6, 4.4 * n + extra
    if section.kind != "transverse":
        return 8.6, 3.1 * n + extra
    rows, cols = math.ceil(n / 2), min(n, 2)
    return 4.3 * cols + 0.4 * (cols == 1), 3.9 * rows + extra


def section_panels(program_fields: ProgramFields, *, channel: str | None = None
                   ) -> tuple[CrossSection, list[tuple[str, NDArray[np.float64]]]]:
    """What :func:`cross_section_figure` draws: the section and, per panel, its label and
    |E| (V/m) on the section's grid (NaN outside the tissue)."""
    section = cross_section(program_fields, channel=channel)
    return section, _panels(program_fields, section, channel)


def section_figure(section: CrossSection, panels: Sequence[tuple[str, NDArray[np.float64]]], *,
                   title: str = "", into: Any = None) -> Figure:
    """:func:`cross_section_figure` drawn from :func:`section_panels` (into a subfigure
    ``into`` of a larger figure, or a new figure)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.colors import LogNorm
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    longitudinal = section.kind != "transverse"
    n = len(panels)
    axes: Sequence[Axes]
    fig = into if into is not None else Figure(figsize=_section_size(section, n, title),
                                               layout="constrained")
    if longitudinal:  # lead or longitudinal: one above the other
        axes = list(fig.subplots(n, 1, squeeze=False)[:, 0])
    else:
        rows = math.ceil(n / 2)
        cols = min(n, 2)
        axes = list(fig.subplots(rows, cols, squeeze=False).ravel())
        for ax in axes[n:]:
            ax.set_visible(False)
    outside = ~np.isfinite(panels[0][1])
    for ax, (label, image) in zip(axes, panels, strict=False):
        image = np.where(outside, np.nan, image)
        finite = image[np.isfinite(image) & (image > 0)]
        vmax = float(np.percentile(finite, 99.5)) if finite.size else 1.0
        # at most three decades, and no more than the section spans (contrast)
        vmin = max(vmax / 1e3, float(np.percentile(finite, 1)) if finite.size else 0.0)
        vmin = min(vmin, vmax / 3)
        norm = LogNorm(vmin=vmin, vmax=vmax)
        shown = np.clip(image, vmin, None)
        draw = (_draw_lead if section.kind == "lead" else _draw_coronal
                if section.kind == "coronal" else _draw_longitudinal if longitudinal
                else _draw_transverse)
        im = draw(ax, section, shown, norm, "magma")
        # wrapped to a half-width panel's width: the beat's title ran off its left edge and
        # under the colour bar on a transverse section (hostile probe of 6 December 2026)
        ax.set_title(textwrap.fill(plot_text(label), 100 if longitudinal else 44),
                     fontsize=9, pad=16 if longitudinal else 14)
        bar = fig.colorbar(im, ax=ax, shrink=0.9, label="V/m")  # type: ignore[arg-type]
        plain_numbers = FuncFormatter(lambda x, _: f"{x:,.0f}" if x >= 1e3 else f"{x:.3g}")
        bar.ax.yaxis.set_major_formatter(plain_numbers)
        # fewer than two decades' marks in the range: label the minor ticks too, so that
        # the bar can be read (the thigh's 40-400 V/m had one label, "100")
        decades = math.floor(math.log10(vmax)) - math.ceil(math.log10(vmin)) + 1
        if decades < 2:
            bar.ax.yaxis.set_minor_locator(LogLocator(subs=(2.0, 5.0)))
            bar.ax.yaxis.set_minor_formatter(plain_numbers)
        else:
            bar.ax.yaxis.set_minor_formatter(NullFormatter())
    notes = []
    off = [e.offset_m for e in section.electrodes if e.offset_m >= _OFF_SECTION_M]
    if off:  # faded pads were drawn as if the section cut them (probe of 5 December 2026)
        lo, hi = min(off) * 1e3, max(off) * 1e3  # [m -> mm]
        span = f"{lo:.0f} mm" if round(lo) == round(hi) else f"{lo:.0f}–{hi:.0f} mm"
        notes.append(f"faded pads lie off this section (their centres {span} from it), "
                     "drawn where they would cut it")
    if any(e.channel in section.alternating for e in section.electrodes):
        notes.append(ALTERNATING_NOTE)
    if notes:
        fig.supxlabel(_fits_across(fig, "; ".join(notes), 8), fontsize=8, color="0.35")
    if title:
        fig.suptitle(_fits_across(fig, plot_text(title), 10), fontsize=10)
    return fig


def _fits_across(fig: Any, text: str, fontsize: float) -> str:
    """``text`` wrapped to the width of ``fig`` (a figure or a subfigure) at ``fontsize``:
    a one-panel section's title and footnote ran off both edges, cut (probe of 5 December
    2026). A character is taken as 0.6 em wide, above matplotlib's sans-serif average
    (0.55), so that a name in capitals fits too."""
    import textwrap

    width_in = (fig.figure if hasattr(fig, "figure") and fig.figure is not None
                else fig).get_figwidth()
    chars = max(20, int(width_in * 72 / (0.6 * fontsize)))  # [in x pt/in / pt]
    return textwrap.fill(text, chars)
