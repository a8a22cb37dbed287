"""Sites: named, parameterised anatomies as frozen values, and named electrode placements.

Coordinates (m):

* ``planar`` sites (a layered patch: lower back, cheek, generic): the skin surface is the
  plane z = 0, tissue is z < 0, the patch spans ``width`` along x and ``length`` along y.
  Muscle fibers run along ``fiber_axis`` (y by default).
* ``limb`` sites (forearm, upper arm, thigh, calf, knee): a layered cylinder or elliptic
  cylinder with its axis on z, proximal towards +z, ends insulated. The volar / anterior
  side faces +x. Muscle fibers run along z.
* ``brain``: a homogeneous cylinder of brain around a DBS lead on the z axis, tip at the
  origin, contacts above it; see :mod:`estim.fields.electrodes` for the lead.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from estim.errors import EstimWarning, InputError, ThinMuscleWarning
from estim.fields.tissues import tissue
from estim.leads import DEFAULT_LEAD, get_lead
from estim.units import parse_quantity

__all__ = [
    "BRAIN_SITES",
    "MAX_DEPTH_M",
    "MAX_MOTOR_SHIFT_M",
    "MIN_SUBJECT_MUSCLE_M",
    "MOTOR_POINT_SHIFT",
    "SITE_NAMES",
    "Layer",
    "Placement",
    "Site",
    "SiteKind",
    "fat_that_fits",
    "limb_side",
    "make_site",
    "motor_point_shift_m",
    "placement",
    "placements",
    "site_from_spec",
]

SiteKind = Literal["planar", "limb", "brain"]
Vec3 = tuple[float, float, float]


@dataclass(frozen=True, slots=True)
class Layer:
    """One tissue layer.

    :param tissue: tissue name (key of :data:`estim.fields.tissues.TISSUES`).
    :param thickness: layer thickness (m). For the innermost layer of a limb it is the core
        radius; for the deepest layer of a planar patch it is the modelled depth (the
        analytic solvers treat it as a half-space).
    :param conductivity: along the fibers, or isotropic (S/m).
    :param conductivity_across: across the fibers (S/m).
    """

    tissue: str
    thickness: float
    conductivity: float
    conductivity_across: float

    @property
    def isotropic(self) -> bool:
        return self.conductivity == self.conductivity_across

    @property
    def mean_conductivity(self) -> float:
        """Geometric mean of the three principal conductivities (S/m)."""
        return (self.conductivity * self.conductivity_across**2) ** (1 / 3)


@dataclass(frozen=True, slots=True)
class Placement:
    """A named spot on a site's surface.

    :param position: centre of the electrode on the surface (m).
    :param normal: outward unit normal there.
    :param axis: unit tangent along which an electrode's ``length`` runs.
    """

    name: str
    position: Vec3
    normal: Vec3
    axis: Vec3


@dataclass(frozen=True, slots=True)
class Site:
    """A parameterised anatomy.

    :param name: preset name (``"forearm"``, ``"lower_back"``, ...).
    :param kind: ``"planar"``, ``"limb"`` or ``"brain"``.
    :param layers: outer to inner.
    :param length: extent along the limb axis z, or along y for a patch (m).
    :param width: extent along x of a patch, or 2x the x semi-axis of a limb (m).
    :param height: 2x the y semi-axis of a limb; brain: domain radius (m).
    :param fiber_axis: direction of muscle fibers (unit vector).
    :param lead: brain sites: the DBS lead on the z axis (a key of
        :data:`estim.leads.LEADS`); empty on other sites.
    """

    name: str
    kind: SiteKind
    layers: tuple[Layer, ...]
    length: float
    width: float
    height: float
    fiber_axis: Vec3 = (0.0, 0.0, 1.0)
    overrides: tuple[tuple[str, str], ...] = field(default=())
    lead: str = ""

    @property
    def radius_x(self) -> float:
        """Limb: outer semi-axis along x (m)."""
        return self.width / 2

    @property
    def radius_y(self) -> float:
        """Limb: outer semi-axis along y (m)."""
        return self.height / 2

    @property
    def depth(self) -> float:
        """Planar: modelled depth, the sum of layer thicknesses (m)."""
        return sum(layer.thickness for layer in self.layers)

    def layer(self, tissue_name: str) -> Layer:
        for layer in self.layers:
            if layer.tissue == tissue_name:
                return layer
        raise KeyError(tissue_name)

    def replace(self, **changes: object) -> Site:
        return replace(self, **changes)  # type: ignore[arg-type]

    def key(self) -> str:
        """Stable text used in cache keys."""
        return repr(self)

    def to_dict(self) -> dict[str, object]:
        """The site as data (SI units), for the JSON that ``estim field`` and ``estim run``
        write."""
        # each kind by the dimensions it has: a planar patch's height was written as 0 and
        # a brain's domain radius as its "height" (probe of 5 December 2026)
        if self.kind == "limb":
            size = {"length_m": self.length, "width_m": self.width, "height_m": self.height}
        elif self.kind == "planar":
            size = {"length_m": self.length, "width_m": self.width, "depth_m": self.depth}
        else:
            size = {"length_m": self.length, "radius_m": self.height}
        out: dict[str, object] = {
            "name": self.name, "kind": self.kind, **size,
            "layers": [{"tissue": ly.tissue, "thickness_m": ly.thickness,
                        "conductivity_S_per_m": ly.conductivity,
                        "conductivity_across_S_per_m": ly.conductivity_across}
                       for ly in self.layers]}
        if self.lead:
            out["lead"] = self.lead
        return out

    def __repr__(self) -> str:
        layers = ", ".join(f"{ly.tissue} {ly.thickness * 1e3:g} mm "
                           f"{ly.conductivity:g}/{ly.conductivity_across:g} S/m"
                           for ly in self.layers)
        lead = f", lead={self.lead!r}" if self.lead else ""
        return (f"Site({self.name!r}, {self.kind}, length={self.length * 1e3:g} mm, "
                f"width={self.width * 1e3:g} mm, height={self.height * 1e3:g} mm, "
                f"fiber_axis={self.fiber_axis}, layers=[{layers}]{lead})")


# --- presets -------------------------------------------------------------------------------
# Dimensions in mm: (kind, length, width, height, layers outer->inner as (tissue, thickness)).
# Limb innermost "thickness" is the bone radius; muscle fills the rest (given as 0 here).
_PRESETS: dict[str, tuple[SiteKind, float, float, float, tuple[tuple[str, float], ...]]] = {
    # Reference geometry of shared/reference/fields.json (forearm_two_patch).
    "forearm": ("limb", 200, 80, 80, (("skin", 1.5), ("fat", 5.0), ("muscle", 0), ("bone", 10))),
    "upper_arm": ("limb", 250, 100, 100,
                  (("skin", 1.5), ("fat", 8.0), ("muscle", 0), ("bone", 12))),
    # Thigh: subcutaneous fat at the quadriceps' motor points 7 ± 3 to 10 ± 5 mm (Botter et
    # al. 2011, Eur J Appl Physiol 111:2461, table 1, 53 adults: vastus lateralis 10/7/7,
    # rectus femoris 10/10, vastus medialis 8 mm), of the anterior thigh 10.4 ± 4.1 mm by
    # ultrasound (Mechelli et al., J Cachexia Sarcopenia Muscle Clin Rep 2019, 17 adults),
    # 7.5 ± 1.3 mm over the quadriceps (Petrofsky et al. 2008): 10 mm (15 mm, without a
    # source, until December 2026).
    "thigh": ("limb", 350, 160, 160, (("skin", 1.5), ("fat", 10.0), ("muscle", 0), ("bone", 15))),
    "calf": ("limb", 340, 110, 110, (("skin", 1.5), ("fat", 7.0), ("muscle", 0), ("bone", 13))),
    # Knee: elliptic, little muscle, a large bony core (femoral condyles / tibial plateau);
    # 17.5 cm above and below the joint line (z = 0), so the vastus medialis's motor points
    # above the joint (up to 13.5 cm, and their axons ~2.5 cm beyond) are in the model
    # (estim.effects.anatomy); a virtual subject whose motor points lie higher still has
    # its highest axons stopped at the end (estim.effects.subjects).
    "knee": ("limb", 350, 110, 100, (("skin", 1.5), ("fat", 6.0), ("muscle", 0), ("bone", 35))),
    # Lower back: 10 mm of fat has no source over the paraspinals at L3-L5. At the midline,
    # MRI gives 20.5 +/- 12.3 mm at L1 and 29.8 +/- 15.7 mm at L5 (92 hospital patients,
    # Cukurova Med J 45:1238, 2020); the back's twitch threshold moves ~1 mA per mm of it
    # (docs/effects.md, "Burst TENS at 30 mA gets no twitch").
    "lower_back": ("planar", 200, 200, 0,
                   (("skin", 2.0), ("fat", 10.0), ("muscle", 50.0), ("bone", 20.0))),
    "cheek": ("planar", 60, 60, 0, (("skin", 1.5), ("fat", 4.0), ("muscle", 10.0))),
    "patch": ("planar", 150, 150, 0,
              (("skin", 1.5), ("fat", 5.0), ("muscle", 40.0), ("bone", 10.0))),
    # Brain: cylinder of homogeneous brain, radius 30 mm, height 60 mm, encapsulation 0.5 mm.
    "brain": ("brain", 60, 60, 30, (("encapsulation", 0.5), ("brain", 0.0))),
    # Subthalamic nucleus DBS: the same homogeneous model (STN region ~0.2 S/m).
    "stn": ("brain", 60, 60, 30, (("encapsulation", 0.5), ("brain", 0.0))),
}

SITE_NAMES: tuple[str, ...] = tuple(_PRESETS)
#: The sites a DBS lead goes on.
BRAIN_SITES: tuple[str, ...] = tuple(n for n, p in _PRESETS.items() if p[0] == "brain")


def make_site(name: str) -> Site:
    """The preset site ``name`` with the defaults of the tissue table."""
    if name not in _PRESETS:
        raise InputError("site.name", name, f"one of {', '.join(SITE_NAMES)}")
    kind, length, width, height, spec = _PRESETS[name]
    layers = tuple(
        Layer(t, th * 1e-3, tissue(t).conductivity, tissue(t).conductivity_across)  # [mm -> m]
        for t, th in spec
    )
    fiber_axis: Vec3 = (0.0, 1.0, 0.0) if kind == "planar" else (0.0, 0.0, 1.0)
    site = Site(name, kind, layers, length * 1e-3, width * 1e-3, height * 1e-3,  # [mm -> m]
                fiber_axis=fiber_axis, lead=DEFAULT_LEAD if kind == "brain" else "")
    return _fill_muscle(site)


#: The site override that moves a limb's motor points along it (a virtual subject's,
#: :mod:`estim.sweep.subject`): :func:`motor_point_shift_m`.
MOTOR_POINT_SHIFT = "motor_point_shift"
#: The most it moves them either way (m): four times the quadriceps' 2.5 cm spread between
#: people (:attr:`estim.effects.anatomy.Muscle.motor_point_sd_m`).
MAX_MOTOR_SHIFT_M = 0.1


def motor_point_shift_m(site: Site) -> float:
    """How far the motor points of ``site``'s muscle lie along the limb (+z, m) from where
    the site puts them: its :data:`MOTOR_POINT_SHIFT` override, 0 without one.

    >>> motor_point_shift_m(site_from_spec("thigh", {"motor_point_shift": "-2 cm"}))
    -0.02
    """
    text = dict(site.overrides).get(MOTOR_POINT_SHIFT)
    return 0.0 if text is None else parse_quantity(text, "length",
                                                   field=f"site.{MOTOR_POINT_SHIFT}")


#: The muscle a limb keeps when a virtual subject's fat grows into it (m):
#: :func:`fat_that_fits`.
MIN_SUBJECT_MUSCLE_M = 1e-3


def fat_that_fits(site: Site, *, skin_m: float, fat_m: float) -> float:
    """``fat_m``, or on a limb the most fat that leaves :data:`MIN_SUBJECT_MUSCLE_M` of
    muscle under skin ``skin_m`` when it is more (but never less than the site's own fat,
    on a site built with less muscle than that): a limb keeps its girth when a virtual
    subject's fat is drawn, so the fat grows into the muscle, and at the knee (6 mm of fat
    over 7.5 mm of muscle) a subject drawn with about twice the site's fat would not fit.

    >>> knee = site_from_spec("knee")
    >>> round(fat_that_fits(knee, skin_m=1.5e-3, fat_m=30e-3) * 1e3, 2)
    12.5
    """
    if site.kind != "limb":
        return fat_m
    others = sum(ly.thickness for ly in site.layers if ly.tissue not in ("skin", "fat",
                                                                          "muscle"))
    room = min(site.radius_x, site.radius_y) - others - skin_m - MIN_SUBJECT_MUSCLE_M
    # never thinner than the site's own fat (a site built with less muscle than that)
    own = next((ly.thickness for ly in site.layers if ly.tissue == "fat"), 0.0)
    return min(fat_m, max(room, own))


def _fill_muscle(site: Site) -> Site:
    """Limb: the muscle layer fills the space between fat and bone."""
    if site.kind != "limb":
        return site
    r = min(site.radius_x, site.radius_y)
    others = sum(ly.thickness for ly in site.layers if ly.tissue != "muscle")
    fill = r - others
    if fill < MIN_SUBJECT_MUSCLE_M * (1 - 1e-9):
        # 0.05 mm of muscle passed, and the mesher failed with a traceback (probe of 5
        # December 2026): at least the millimetre a virtual subject keeps
        raise InputError("site", site.name, "layers that leave at least "
                         f"{MIN_SUBJECT_MUSCLE_M * 1e3:g} mm of muscle inside the limb radius")
    return replace(site, layers=tuple(replace(ly, thickness=fill) if ly.tissue == "muscle"
                                      else ly for ly in site.layers))


_GEOMETRY_KEYS = {"length": "length", "width": "width", "height": "height",
                  "diameter": "diameter", "radius": "radius", "domain_radius": "height"}


def _allowed_keys(site: Site) -> list[str]:
    keys = ["length"]
    if site.kind == "planar":
        keys += ["width"]
    elif site.kind == "limb":
        keys += ["radius", "diameter", "width", "height", MOTOR_POINT_SHIFT]
    else:
        keys += ["domain_radius"]
    for ly in site.layers:
        keys += [f"{ly.tissue}_conductivity", f"{ly.tissue}_conductivity_along",
                 f"{ly.tissue}_conductivity_across"]
        if not (site.kind == "limb" and ly.tissue == "muscle") and ly.tissue != "brain":
            keys.append(f"{ly.tissue}_radius" if site.kind == "limb" and ly is site.layers[-1]
                        else f"{ly.tissue}_thickness")
    return keys


def site_from_spec(name: str, overrides: Mapping[str, str] | None = None, *,
                   lead: str | None = None) -> Site:
    """Build a site from a program's ``[site]`` table; values outside their usual range warn
    (:func:`site_warnings` says the same without warning).

    :param name: preset name, one of :data:`SITE_NAMES`.
    :param overrides: e.g. ``{"skin_thickness": "1.5 mm", "fat_conductivity": "0.04 S/m"}``.
        ``<tissue>_conductivity`` sets both principal values; ``_along`` / ``_across`` one.
    :param lead: a brain site's DBS lead (:data:`estim.leads.LEADS`); None: the
        default lead.
    :raises InputError: unknown name or key (the message lists the allowed ones), a value
        of the wrong dimension, or a lead on a site that is not a brain.
    """
    said: list[tuple[str, type[Warning]]] = []
    site = _build_site(name, overrides, lead, said)
    for text, category in said:
        warnings.warn(text, category, stacklevel=2)
    return site


def site_warnings(name: str, overrides: Mapping[str, str] | None = None, *,
                  lead: str | None = None) -> tuple[str, ...]:
    """What :func:`site_from_spec` warns of for this site, in words, without warning (a
    result's files carry them: no warning filter or thread in between)."""
    said: list[tuple[str, type[Warning]]] = []
    _build_site(name, overrides, lead, said)
    return tuple(text for text, _ in said)


def _build_site(name: str, overrides: Mapping[str, str] | None, lead: str | None,
                said: list[tuple[str, type[Warning]]]) -> Site:
    site = make_site(name)
    overrides = dict(overrides or {})
    lead = overrides.pop("lead", lead)  # a program's [site] table names its lead there
    if lead is not None:
        if site.kind != "brain":
            raise InputError("site.lead", lead, f"no lead on the {site.kind} site {name!r} "
                             "(leads go on a brain site: brain, stn)")
        site = replace(site, lead=get_lead(lead).name)
    allowed = _allowed_keys(site)
    layers = {ly.tissue: ly for ly in site.layers}
    geometry: dict[str, float] = {}
    for key, text in overrides.items():
        fld = f"site.{key}"
        if key not in allowed:
            # the key is what is wrong ("--vary site.wibble=1,2mm: got '1 mm'"; researcher's
            # probe of 6 December 2026)
            raise InputError(fld, key, f"a known key of the {name} site ({', '.join(allowed)})")
        if key == MOTOR_POINT_SHIFT:  # read by the fiber stage (motor_point_shift_m)
            value = parse_quantity(text, "length", field=fld)
            if not abs(value) <= MAX_MOTOR_SHIFT_M:
                raise InputError(fld, text, f"a length along the limb from "
                                 f"{-MAX_MOTOR_SHIFT_M * 1e3:g} to "
                                 f"{MAX_MOTOR_SHIFT_M * 1e3:g} mm")
            continue
        if key in _GEOMETRY_KEYS:
            value = parse_quantity(text, "length", field=fld)
            _within(fld, text, value, _GEOMETRY_RANGE_M[key], "m", 1e3, "mm")
            geometry[_GEOMETRY_KEYS[key]] = value
            continue
        tname, _, prop = key.partition("_")
        # tissue names may contain underscores (gray_matter): split on the known suffix
        for suffix in ("_conductivity_along", "_conductivity_across", "_conductivity",
                       "_thickness", "_radius"):
            if key.endswith(suffix):
                tname, prop = key[: -len(suffix)], suffix[1:]
                break
        ly = layers[tname]
        if prop.startswith("conductivity"):
            value = parse_quantity(text, "conductivity", field=fld)
            _within(fld, text, value, _SIGMA_LIMITS, "S/m", 1.0, "S/m")
            if prop == "conductivity":
                ly = replace(ly, conductivity=value, conductivity_across=value)
            elif prop == "conductivity_along":
                ly = replace(ly, conductivity=value)
            else:
                ly = replace(ly, conductivity_across=value)
        else:
            value = parse_quantity(text, "length", field=fld)
            _within(fld, text, value, _THICKNESS_LIMITS_M, "m", 1e3, "mm")
            ly = replace(ly, thickness=value)
        layers[tname] = ly
    changes: dict[str, object] = {"layers": tuple(layers[ly.tissue] for ly in site.layers)}
    if "radius" in geometry or "diameter" in geometry:
        d = geometry.pop("diameter", 2 * geometry.pop("radius", 0.0))
        changes.update(width=d, height=d)
    changes.update(geometry)
    if site.kind == "limb":
        # muscle refills unless the user set its thickness explicitly (not allowed: derived)
        changes["layers"] = tuple(replace(ly, thickness=0.0) if ly.tissue == "muscle" else ly
                                  for ly in changes["layers"])  # type: ignore[attr-defined]
    out = replace(site, **changes, overrides=tuple(sorted(overrides.items())))  # type: ignore[arg-type]
    if out.kind == "brain":
        _room_round_the_lead(out, overrides)
    if out.kind == "planar" and out.depth > MAX_DEPTH_M:
        raise InputError("site", dict(overrides), f"layers at most {MAX_DEPTH_M * 1e3:g} mm "
                         f"deep in all (they are {out.depth * 1e3:.4g} mm)")
    try:
        out = _fill_muscle(out)
    except InputError:
        raise _no_room(out, overrides) from None
    _warn_unlikely(out, overrides, said)
    _warn_thin_muscle(site, out, overrides, said)
    return out


def _room_round_the_lead(site: Site, overrides: Mapping[str, str]) -> None:
    """A brain site's lead and its encapsulation within half the domain's radius, so that
    brain surrounds them: 7 mm of encapsulation in the 30 mm domain was solved as brain
    throughout (554 Ω where 0.1 S/m gives ~1,100; probe of 6 December 2026), and one
    thicker than the domain was taken."""
    lead_r = get_lead(site.lead or DEFAULT_LEAD).diameter_m / 2
    enc = site.layers[0].thickness
    if enc > 0.25 * site.length:
        # it also runs below the tip: 7 mm of it in a 10 mm domain reached past its bottom
        # (review of 6 December 2026)
        key = "encapsulation_thickness" if "encapsulation_thickness" in overrides \
            or "length" not in overrides else "length"
        raise InputError(f"site.{key}", overrides.get(key, f"{enc * 1e3:g} mm"),
                         f"an encapsulation ({enc * 1e3:.3g} mm) within a quarter of the "
                         f"domain's {site.length * 1e3:.3g} mm length (it runs below the "
                         "lead's tip too)")
    if lead_r + enc <= 0.5 * site.height:
        return
    key = ("encapsulation_thickness" if "encapsulation_thickness" in overrides
           or "domain_radius" not in overrides else "domain_radius")
    raise InputError(f"site.{key}", overrides.get(key, f"{enc * 1e3:g} mm"),
                     f"the lead's radius ({lead_r * 1e3:.3g} mm) and its encapsulation "
                     f"({enc * 1e3:.3g} mm) within half the domain's "
                     f"{site.height * 1e3:.3g} mm radius")


def _layer_keys(site: Site, overrides: Mapping[str, str]) -> list[str]:
    """The overrides that set a layer's thickness (or the limb's radius), as written."""
    return [k for k in overrides if k.endswith(("_thickness", "_radius")) or k in
            ("radius", "diameter", "width", "height")]


def _no_room(site: Site, overrides: Mapping[str, str]) -> InputError:
    """Layers that leave no muscle inside the limb, named by the value that was written (it
    said: site: got {'fat_thickness': '200 mm'}, expected layer thicknesses that fit inside
    the limb radius)."""
    r = min(site.radius_x, site.radius_y)
    thick = {ly.tissue: ly.thickness for ly in site.layers}
    layers_written = [k for k in _layer_keys(site, overrides)
                      if k.removesuffix("_thickness").removesuffix("_radius") in thick]
    # the thickest layer written takes the room (70 mm of fat, not the 2 mm of skin beside it)
    keys = sorted(layers_written, key=lambda k: thick[k.removesuffix("_thickness")
                                                      .removesuffix("_radius")])
    girth = [k for k in ("radius", "diameter", "width", "height") if k in overrides]
    # a limb made narrower is what leaves no room, whatever layers were written beside it
    keys = girth or keys or _layer_keys(site, overrides) or ["site"]
    key = keys[-1]
    layers = ", ".join(f"{ly.tissue} {ly.thickness * 1e3:.4g} mm" for ly in site.layers
                       if ly.tissue != "muscle")  # [m -> mm]
    return InputError(f"site.{key}" if key != "site" else "site",
                      overrides.get(key, dict(overrides)),
                      f"layers that leave at least {MIN_SUBJECT_MUSCLE_M * 1e3:g} mm of muscle "
                      f"inside the {site.name}'s {r * 1e3:.4g} mm radius (they are {layers})")


#: A limb's muscle thinner than this share of its preset's is outside the model's range.
_THIN_MUSCLE = 0.5


def _warn_thin_muscle(preset: Site, site: Site, overrides: Mapping[str, str],
                      said: list[tuple[str, type[Warning]]]) -> None:
    """A limb keeps its girth when a layer is made thicker, so the muscle shrinks: 60 mm of
    fat on the thigh left 3.4 mm of muscle, whose motor axons then lay next to the fat's
    inner face and fired at 12.5 mA instead of 29.5 (probe of 5 December 2026), the
    opposite of what thicker fat does. Said, with what to set instead."""
    if site.kind == "planar" and "muscle_thickness" in overrides:
        # a planar site's muscle is set directly: 0.1 mm of the back's muscle put its motor
        # axons' twitch (2.41 mA) below detection, without a word (probe of 6 December 2026)
        before = next((ly.thickness for ly in preset.layers if ly.tissue == "muscle"), 0.0)
        after = next(ly.thickness for ly in site.layers if ly.tissue == "muscle")
        if after < _THIN_MUSCLE * before:
            said.append((f"site.muscle_thickness = {overrides['muscle_thickness']!r} leaves "
                          f"{after * 1e3:.3g} mm of muscle where the {site.name}'s preset "
                          f"has {before * 1e3:.3g} mm: its motor axons lie in a thinner "
                          "muscle than the model was checked on, outside its range",
                          ThinMuscleWarning))
        return
    if site.kind != "limb" or not _layer_keys(site, overrides):
        return
    before = next(ly.thickness for ly in _fill_muscle(preset).layers if ly.tissue == "muscle")
    after = next(ly.thickness for ly in site.layers if ly.tissue == "muscle")
    if after >= _THIN_MUSCLE * before:
        return
    written = ", ".join(f"site.{k} = {overrides[k]!r}" for k in _layer_keys(site, overrides))
    girth = any(k in overrides for k in ("radius", "diameter", "width", "height"))
    why = ("its motor axons lie in a thinner muscle than the model was checked on, outside "
           "its range" if girth else
           "the limb keeps its girth, so the muscle and its motor axons move towards the "
           "skin, outside the model's range; set site.radius too for a limb that grows with "
           "its fat")
    said.append((f"{written} leaves {after * 1e3:.3g} mm of muscle in the {site.name}'s "
                  f"{min(site.radius_x, site.radius_y) * 1e3:.4g} mm radius (its preset has "
                  f"{before * 1e3:.3g} mm): {why}", ThinMuscleWarning))


# Hard limits of site overrides: beyond them the anatomy is not a body part, the mesh cannot
# be made (a 1 nm feature) or takes minutes (a 1 km layer), or the solver does not converge
# (1e30 S/m). Lengths in m, conductivities in S/m.
_GEOMETRY_RANGE_M: dict[str, tuple[float, float]] = {
    "length": (0.01, 1.0), "width": (0.01, 1.0), "height": (0.01, 1.0),
    "diameter": (0.01, 0.5), "radius": (0.005, 0.25), "domain_radius": (0.005, 0.25)}
_THICKNESS_LIMITS_M = (0.05e-3, 0.2)  # 50 um (an encapsulation) to 20 cm (fat of a thigh)
MAX_DEPTH_M = 0.3  # a planar patch, all layers together
# dry stratum corneum (1e-4 S/m) to ten times CSF (1.8 S/m), Gabriel et al. 1996
_SIGMA_LIMITS = (1e-4, 20.0)


def _within(fld: str, text: str, value: float, limits: tuple[float, float], unit: str,
            scale: float, shown: str) -> None:
    lo, hi = limits
    if not lo <= value <= hi:
        raise InputError(fld, text, f"between {lo * scale:g} and {hi * scale:g} {shown}")


# Plausible ranges (legal outside them, but worth a warning): S/m, and m per tissue layer.
_SIGMA_RANGE = (1e-3, 3.0)  # fat/bone ~0.01-0.1 up to CSF 1.8 S/m (Gabriel 1996)
_THICKNESS_RANGE = {"skin": (0.5e-3, 4e-3), "fat": (0.3e-3, 80e-3),
                    "encapsulation": (0.05e-3, 2e-3)}


def _warn_unlikely(site: Site, overrides: Mapping[str, str],
                   said: list[tuple[str, type[Warning]]]) -> None:
    for ly in site.layers:
        for key in (f"{ly.tissue}_conductivity", f"{ly.tissue}_conductivity_along",
                    f"{ly.tissue}_conductivity_across"):
            if key in overrides:
                lo, hi = _SIGMA_RANGE
                for value in (ly.conductivity, ly.conductivity_across):
                    if not lo <= value <= hi:
                        said.append((f"site.{key} = {overrides[key]!r} is outside the usual "
                                      f"range of tissue conductivity ({lo:g}-{hi:g} S/m)",
                                      EstimWarning))
                        break
        key = f"{ly.tissue}_thickness"
        if key in overrides and ly.tissue in _THICKNESS_RANGE:
            lo, hi = _THICKNESS_RANGE[ly.tissue]
            if not lo <= ly.thickness <= hi:
                said.append((f"site.{key} = {overrides[key]!r} is outside the usual range "
                              f"({lo * 1e3:g}-{hi * 1e3:g} mm)", EstimWarning))


# --- placements ----------------------------------------------------------------------------
_LIMB_SIDES: dict[str, dict[str, float]] = {
    # side name -> polar angle (rad) of the electrode centre; 0 faces +x (volar / anterior)
    "forearm": {"volar": 0.0, "dorsal": math.pi, "radial": math.pi / 2, "ulnar": -math.pi / 2},
    "upper_arm": {"biceps": 0.0, "triceps": math.pi, "deltoid_lateral": math.pi / 2},
    "thigh": {"quadriceps": 0.0, "hamstring": math.pi, "vastus_lateralis": math.pi / 3,
              "vastus_medialis": -math.pi / 3},
    "calf": {"tibialis_anterior": 0.0, "gastrocnemius": math.pi,
             "peroneal": math.pi / 2},
    "knee": {"anterior": 0.0, "posterior": math.pi, "lateral": math.pi / 2,
             "medial": -math.pi / 2},
}
_LEVELS = {"proximal": 0.25, "mid": 0.0, "distal": -0.25}  # fraction of the length along z


def limb_side(site_name: str, angle: float) -> str | None:
    """The name of a limb's side at a polar angle (rad; 0 faces +x), within 30 degrees of
    it ("medial" at -pi/2 on the knee); None where no named side is that near.

    >>> limb_side("knee", -1.5), limb_side("thigh", math.pi), limb_side("knee", 0.8)
    ('medial', 'hamstring', None)
    """
    sides = _LIMB_SIDES.get(site_name, {"anterior": 0.0, "posterior": math.pi})
    turn = {name: abs((angle - at + math.pi) % (2 * math.pi) - math.pi)
            for name, at in sides.items()}
    name = min(turn, key=turn.__getitem__)
    return name.replace("_", " ") if turn[name] <= math.pi / 6 else None
#: The knee's pads sit a hand's width (~4 cm) above and below the joint line, whatever the
#: segment's length (it runs on past them to hold the thigh's motor points), m.
_KNEE_LEVEL_M = 0.0375


def _limb_point(site: Site, theta: float, z: float) -> tuple[Vec3, Vec3]:
    a, b = site.radius_x, site.radius_y
    # the point of the ellipse at polar angle theta, and its outward normal
    r = a * b / math.hypot(b * math.cos(theta), a * math.sin(theta))
    x, y = r * math.cos(theta), r * math.sin(theta)
    nx, ny = x / a**2, y / b**2
    n = math.hypot(nx, ny)
    return (x, y, z), (nx / n, ny / n, 0.0)


def _planar_spots(site: Site) -> dict[str, tuple[float, float]]:
    w, ln = site.width, site.length
    prefix = {"lower_back": "lumbar", "cheek": "cheek", "patch": "patch"}[site.name]
    spots = {"center": (0.0, 0.0), "left": (-w / 5, 0.0), "right": (w / 5, 0.0),
             "upper": (0.0, ln / 5), "lower": (0.0, -ln / 5)}
    for h, x in (("left", -w / 5), ("right", w / 5)):
        for v, y in (("upper", ln / 4), ("lower", -ln / 4)):
            spots[f"{h}_{v}"] = (x, y)
    if site.name == "cheek":  # microcurrent: over the zygomatic arch and the jaw line
        spots.update({"anterior": (-w / 4, 0.0), "posterior": (w / 4, 0.0),
                      "zygomatic": (0.0, ln / 4), "mandibular": (0.0, -ln / 4)})
    return {f"{prefix}_{k}": v for k, v in spots.items()}


# Extra named spots per limb: name -> (polar angle, fraction of the length along z).
_LIMB_EXTRA: dict[str, dict[str, tuple[float, float]]] = {
    "forearm": {"forearm_lateral_epicondyle": (math.pi / 2, 0.35)},
    # (polar angle, +1 above or -1 below the joint line: _KNEE_LEVEL_M)
    "knee": {"knee_superomedial": (-math.pi / 2, 1.0), "knee_inferomedial": (-math.pi / 2, -1.0),
             "knee_superolateral": (math.pi / 2, 1.0), "knee_inferolateral": (math.pi / 2, -1.0)},
    "calf": {"calf_proximal": (math.pi, 0.25), "calf_distal": (math.pi, -0.25),
             "calf_wound": (3 * math.pi / 4, -0.25)},
}


def _all_placements(site: Site) -> dict[str, Placement]:
    out: dict[str, Placement] = {}
    if site.kind == "limb":
        sides = _LIMB_SIDES.get(site.name, {"anterior": 0.0, "posterior": math.pi})
        prefix = f"{site.name}_" if site.name in ("forearm", "knee") else ""
        spots: dict[str, tuple[float, float]] = {}
        for side, theta in sides.items():
            spots[f"{prefix}{side}"] = (theta, 0.0)
            for level, frac in _LEVELS.items():
                spots[f"{prefix}{side}_{level}"] = (theta, frac)
        spots.update(_LIMB_EXTRA.get(site.name, {}))
        if site.name == "knee":  # rows at a fixed height above and below the joint line
            spots = {k: (t, math.copysign(_KNEE_LEVEL_M / site.length, f) if f else 0.0)
                     for k, (t, f) in spots.items()}
        for name, (theta, frac) in spots.items():
            pos, nrm = _limb_point(site, theta, frac * site.length)
            out[name] = Placement(name, pos, nrm, (0.0, 0.0, 1.0))
    elif site.kind == "planar":
        for name, (x, y) in _planar_spots(site).items():
            out[name] = Placement(name, (x, y, 0.0), (0.0, 0.0, 1.0), (0.0, 1.0, 0.0))
    else:
        for c in get_lead(site.lead or DEFAULT_LEAD).contacts:
            out[c.placement] = Placement(c.placement, (0.0, 0.0, c.z_center_m), c.normal,
                                         (0.0, 0.0, 1.0))
        out["case"] = Placement("case", (0.0, 0.0, 0.0), (0.0, 0.0, 0.0), (0.0, 0.0, 1.0))
    return out


def placements(site: Site) -> list[str]:
    """Names of the placements defined on ``site``."""
    return list(_all_placements(site))


def placement(site: Site, name: str, *, field_name: str = "placement") -> Placement:
    """Resolve a placement name on ``site``; :class:`InputError` lists the valid names."""
    spots = _all_placements(site)
    if name not in spots:
        raise InputError(field_name, name, f"a placement on site {site.name!r}: "
                         f"{', '.join(spots)}")
    return spots[name]
