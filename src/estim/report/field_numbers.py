"""What ``estim field`` reports besides the cross-section image: the interferential numbers
on the section, and φ and |E| along the inward normal under each electrode (with a plot).

The section is :func:`estim.report.figures.cross_section`; its image is
:func:`estim.report.figures.cross_section_figure`. Values are at the programmed currents.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from estim.fields.interference import envelope_max, modulation_depth, premodulated_envelope
from estim.text import terminal_text
from estim.units import finite_or_none

if TYPE_CHECKING:
    from collections.abc import Sequence

    from matplotlib.figure import Figure

    from estim.fields.electrodes import Electrode
    from estim.fields.program import ProgramFields
    from estim.fields.sites import Site
    from estim.report.figures import CrossSection

__all__ = ["DepthProfile", "beat_inward", "beat_inward_text", "depth_profiles",
           "depth_profiles_figure",
           "depth_profiles_png", "section_summary"]

_PROFILE_POINTS = 80


def section_summary(pf: ProgramFields, section: CrossSection) -> dict[str, Any]:
    """The section's axes and extent and, for true interferential, the largest interferential
    envelope (V/m, true and premodulated through the first channel alone) and the mean
    modulation depth over the tissue it cuts (None where the section holds no tissue)."""
    h, v = section.horizontal_m, section.vertical_m
    out: dict[str, Any] = {
        "kind": section.kind, "horizontal": section.horizontal_label,
        "vertical": section.vertical_label,
        "extent_m": [float(h[0]), float(h[-1]), float(v[0]), float(v[-1])]}
    if len(pf.channels) != 2 or not pf.beat:  # two TENS channels do not beat
        return out
    if not all(pf.currents[c.name] > 0 for c in pf.channels):
        # one carrier alone has no beat ("up to 0 V/m, mean modulation depth 0%" for a
        # channel off; hostile probe of 6 December 2026)
        out["beat"] = "none: a channel is off"
        return out
    pts = section.points.reshape(-1, 3)
    a, b = (c.field(pts) * pf.currents[c.name] for c in pf.channels)
    env = envelope_max(a, b)
    inside = np.isfinite(env)
    out["max_envelope_V_per_m"] = float(np.nanmax(env)) if inside.any() else None
    out["mean_modulation_depth"] = (float(np.nanmean(modulation_depth(a, b))) if inside.any()
                                    else None)
    pre = premodulated_envelope(a)
    out["max_premodulated_envelope_V_per_m"] = (float(np.nanmax(pre)) if inside.any()
                                                else None)
    return out


def beat_inward(pf: ProgramFields, section: CrossSection) -> list[dict[str, Any]] | None:
    """True interferential's beat on the line midway between the pads, from the skin
    inward: in the middle of each tissue layer the line crosses, and at the limb's centre
    (a coronal section) or the section's deepest point (the back). Each point: its depth
    (m), its tissue, the beat's amplitude (the largest swing of the summed field over
    directions, V/m: :func:`~estim.fields.interference.envelope_max`) and its modulation
    depth (0-1). None where there is no beat or the section is not cut through the pads
    (a limb's transverse section, a lead).

    Interferential is sold as "strongest at depth"; what the two fields do on the way in
    was only in the picture (clinician's question, 7 December 2026).
    """
    if len(pf.channels) != 2 or not pf.beat or section.kind not in ("coronal", "longitudinal"):
        return None
    if not all(pf.currents[c.name] > 0 for c in pf.channels):
        return None
    # on the section: a pad's offset from a planar section's line is ~1e-18 m, not 0
    on = [e for e in section.electrodes if e.offset_m < 1e-6]
    if len(on) < 2:
        return None
    middle = float(np.mean([(e.start + e.end) / 2 for e in on]))
    column = int(np.argmin(np.abs(section.horizontal_m - middle)))
    v = section.vertical_m
    if section.kind == "coronal":  # depth below the skin of the side drawn at the top
        centre = section.outer_radii_m[0]
        def to_v(d: float) -> float:
            return centre - d
    else:
        centre = float(v[-1])
        def to_v(d: float) -> float:
            return d
    # each layer's middle, and the centre in the layer that holds it (not its middle too)
    stops = [(tissue, 0.5 * (top + bottom) if bottom < centre else centre)
             for tissue, top, bottom in section.layers if top < centre]
    pts = section.points[:, column, :]
    a, b = (c.field(pts) * pf.currents[c.name] for c in pf.channels)
    env, depth = envelope_max(a, b), modulation_depth(a, b)
    out = []
    for tissue, d in stops:
        k = int(np.argmin(np.abs(v - to_v(d))))
        if not np.isfinite(env[k]):  # outside the tissue (the section's corners)
            continue
        out.append({"tissue": tissue, "depth_m": float(d), "beat_V_per_m": float(env[k]),
                    "modulation_depth": float(depth[k]),
                    "centre": section.kind == "coronal" and d == centre,
                    # the back's last point is the section's deepest, not a layer's middle
                    "deepest": section.kind != "coronal" and d == centre})
    return out or None


def beat_inward_text(points: Sequence[dict[str, Any]]) -> str:
    """:func:`beat_inward` in words: each point, then where the beat is strongest.

    >>> pts = [{"tissue": "skin", "depth_m": 7.5e-4, "beat_V_per_m": 170.0,
    ...         "modulation_depth": 1.0}, {"tissue": "bone", "depth_m": 0.05,
    ...         "beat_V_per_m": 90.0, "modulation_depth": 0.93, "centre": True}]
    >>> beat_inward_text(pts)  # doctest: +NORMALIZE_WHITESPACE
    'the beat midway between the pads, from the skin in: skin at 0.75 mm, 170 V/m
    (modulation depth 100%); bone at 50 mm (the centre), 90 V/m (93%): strongest in the
    skin'
    >>> pts[1]["beat_V_per_m"] = 190.0
    >>> beat_inward_text(pts).split(": ")[-1]
    'strongest in the bone at 50 mm'
    """
    parts = []
    for k, p in enumerate(points):
        where = f"{p['tissue']} at {p['depth_m'] * 1e3:.3g} mm" + (
            " (the centre)" if p.get("centre") else
            " (the deepest drawn)" if p.get("deepest") else "")
        depth = f"{p['modulation_depth']:.0%}"
        parts.append(f"{where}, {p['beat_V_per_m']:.3g} V/m "
                     + (f"(modulation depth {depth})" if k == 0 else f"({depth})"))
    top = max(points, key=lambda p: p["beat_V_per_m"])
    return (f"the beat midway between the pads, from the skin in: {'; '.join(parts)}: "
            f"strongest in the {top['tissue']}"
            + ("" if top is points[0] else f" at {top['depth_m'] * 1e3:.3g} mm"))


@dataclass(frozen=True)
class DepthProfile:
    """φ and |E| along the inward normal under one electrode, at the programmed current.

    :param depth_m: depth below the electrode (m).
    :param potential_v: potential (V, relative to the cathode).
    :param field_v_per_m: |E| (V/m).
    """

    channel: str
    electrode: str
    placement: str
    depth_m: NDArray[np.float64]
    potential_v: NDArray[np.float64]
    field_v_per_m: NDArray[np.float64]

    def to_dict(self) -> dict[str, Any]:
        def values(x: NDArray[np.float64]) -> list[float | None]:
            return [finite_or_none(v) for v in x]

        return {"channel": self.channel, "electrode": self.electrode,
                "placement": self.placement, "depth_m": values(self.depth_m),
                "potential_V": values(self.potential_v),
                "field_V_per_m": values(self.field_v_per_m)}


def _profile_points(site: Site, e: Electrode) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Depths (m) and points along the inward normal under electrode ``e``."""
    if e.shape == "case":
        return np.zeros(0), np.zeros((0, 3))
    if e.shape == "lead_contact":
        depth = np.linspace(0.05e-3, 10e-3, _PROFILE_POINTS)
        start = np.array(e.position) + np.array([e.width / 2, 0, 0])
        return depth, start + depth[:, None] * np.array([1.0, 0, 0])
    n = -np.asarray(e.normal)
    full = site.depth if site.kind == "planar" else min(site.radius_x, site.radius_y)
    depth = np.linspace(0.0, 0.999 * full, _PROFILE_POINTS)
    depth[0] = 1e-5  # just inside the skin
    return depth, np.asarray(e.position) + depth[:, None] * n


def depth_profiles(pf: ProgramFields) -> list[DepthProfile]:
    """A :class:`DepthProfile` under each electrode of each channel (none under a case)."""
    out = []
    for c in pf.channels:
        amp = pf.currents[c.name]
        for role, e in (("anode", c.anode), ("cathode", c.cathode)):
            depth, pts = _profile_points(pf.site, e)
            if depth.size == 0:
                continue
            v, e_field = c.potential_and_field(pts)
            out.append(DepthProfile(c.name, role, e.name, depth, v * amp,
                                    np.linalg.norm(e_field, axis=1) * amp))
    return out


def _label(names: list[tuple[str, str]]) -> str:
    """A legend entry for electrodes (``(channel and role, placement)``) sharing one curve."""
    places = {p for _, p in names}
    if len(places) == 1:
        return f"{' = '.join(n for n, _ in names)} ({names[0][1]})"
    return " = ".join(f"{n} ({p})" for n, p in names)


def _coinciding(profiles: list[DepthProfile]
                ) -> list[tuple[DepthProfile, list[tuple[str, str]]]]:
    """The profiles to draw, each with the names of every electrode whose curves it is:
    two channels on the same pads drew one line over the other, and the legend named a
    line nobody could see.

    >>> d = np.array([0.0, 1e-3]); v = np.array([1.0, 0.5])
    >>> a, b = (DepthProfile(n, "anode", "p", d, v, v) for n in ("1", "2"))
    >>> [_label(names) for _, names in _coinciding([a, b])]
    ['1 anode = 2 anode (p)']
    >>> near, apart = (DepthProfile("3", "anode", "p", d, v * f, v * f) for f in (1.001, 1.02))
    >>> len(_coinciding([a, near])), len(_coinciding([a, apart]))
    (1, 2)
    """
    out: list[tuple[DepthProfile, list[tuple[str, str]]]] = []
    for p in profiles:
        name = (f"{p.channel} {p.electrode}", p.placement)
        for q, names in out:
            # the same line to the eye, 0.5 % of its scale (symmetric pads' curves differ
            # by a mesh's asymmetry and were drawn one over the other; educator probe)
            if q.depth_m.shape == p.depth_m.shape and all(
                    np.allclose(a, b, rtol=5e-3,
                                atol=5e-3 * float(np.nanmax(np.abs(a), initial=0.0)),
                                equal_nan=True)
                    for a, b in ((q.depth_m, p.depth_m), (q.potential_v, p.potential_v),
                                 (q.field_v_per_m, p.field_v_per_m))):
                names.append(name)
                break
        else:
            out.append((p, [name]))
    return out


def depth_profiles_png(profiles: list[DepthProfile], *, site_name: str,
                       layers: Sequence[tuple[str, float]] = ()) -> bytes:
    """φ and |E| against depth, one line per electrode (PNG bytes).

    :param layers: each tissue and the thickness under the skin (m), outer to inner: drawn
        as the layers' bounds and named (the jumps of |E| at them were unexplained;
        educator probe of 6 December 2026)."""
    fig = depth_profiles_figure(profiles, site_name=site_name, layers=layers)
    buf = io.BytesIO()
    fig.savefig(buf, dpi=110, format="png")
    return buf.getvalue()


def depth_profiles_figure(profiles: list[DepthProfile], *, site_name: str,
                          layers: Sequence[tuple[str, float]] = ()) -> Figure:
    """The figure of :func:`depth_profiles_png`."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    fig = Figure(figsize=(11, 4), layout="constrained")
    a1, a2 = fig.subplots(1, 2)
    deepest = max((float(p.depth_m[-1]) for p in profiles if p.depth_m.size), default=0.0)
    top = 0.0
    # a name that would run into the one before it goes a line higher: a lead's 0.5 mm of
    # encapsulation and the brain beyond read "encapsulbrain" (DBS researcher's probe of
    # 7 December 2026); widths as fractions of the axis (about 330 pt wide, with 5 %
    # margins), a character of 7 pt about 4.2 pt wide, 1.3 % of it, with room to spare
    placed: list[tuple[float, float, int]] = []  # (left, right, row) in axis fractions
    for tissue, thickness in layers:
        if top >= deepest:
            break
        # a last layer of thickness 0 is the rest of the domain (the brain round a lead: its
        # name sat on the encapsulation's edge, stacked over it; DBS researcher's probe)
        span = deepest - top if thickness <= 0 else min(thickness, deepest - top)
        middle = 0.05 + 0.9 * ((top + 0.5 * span) / deepest if deepest > 0 else 0.5)
        half = 0.0075 * len(tissue)
        row = 0
        while any(r == row and left < middle + half and middle - half < right
                  for left, right, r in placed):
            row += 1
        placed.append((middle - half, middle + half, row))
        for ax in (a1, a2):
            if top > 0:
                ax.axvline(top * 1e3, color="0.6", lw=0.7, ls="--")  # [m -> mm]
            ax.annotate(tissue, ((top + 0.5 * span) * 1e3, 1.0),
                        xycoords=ax.get_xaxis_transform(), xytext=(0, 1 + 8 * row),
                        textcoords="offset points", ha="center", va="bottom", fontsize=7,
                        color="0.35")
        top += thickness
    for p, names in _coinciding(profiles):
        label = terminal_text(_label(names), markup=False)
        label = label.replace("$", r"\$")  # a $ in a name is not mathtext
        a1.plot(p.depth_m * 1e3, p.potential_v, label=label)  # [m -> mm]
        a2.plot(p.depth_m * 1e3, p.field_v_per_m, label=label)
    a1.set_xlabel("depth (mm)")
    a1.set_ylabel("potential (V, rel. to cathode)")
    a2.set_xlabel("depth (mm)")
    a2.set_ylabel("|E| (V/m)")
    if any(np.any(p.field_v_per_m > 0) for p in profiles):  # a log axis needs a value
        a2.set_yscale("log")
        # numbers, not "6 x 10^1"
        plain = FuncFormatter(lambda x, _: f"{x:,.0f}" if x >= 1 else f"{x:.3g}")
        a2.yaxis.set_major_formatter(plain)
        lo, hi = a2.get_ylim()
        if math.log10(hi / lo) < 2:  # one decade's label alone: the 2s and 5s too
            a2.yaxis.set_minor_locator(LogLocator(subs=(2.0, 5.0)))
            a2.yaxis.set_minor_formatter(plain)
        else:
            a2.yaxis.set_minor_formatter(NullFormatter())
    if profiles:
        a1.legend(fontsize=7)
    fig.suptitle(f"{site_name}: depth profiles under each electrode", fontsize=10)
    return fig
