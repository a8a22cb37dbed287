"""Electrodes: surface pads, DBS lead contacts, the skin–electrode interface, channels.

The field solve needs only the *geometry* of each electrode and, optionally, an interface
conductance per area (S/m²) between the electrode metal and the skin. The circuit-level load
(series R with parallel R‖C seen by the stimulator) belongs to :mod:`estim.safety.loads`;
:class:`InterfaceModel` here gives the same three numbers per area and turns them into the
conductance the volume-conductor solve uses.
"""

from __future__ import annotations

import itertools
import math
import numbers
from dataclasses import dataclass, replace
from typing import Literal

from estim.errors import InputError
from estim.fields.sites import Site, Vec3, placement
from estim.leads import DEFAULT_LEAD, get_lead
from estim.skin import skin_interface_value

__all__ = [
    "Boundary",
    "Channel",
    "DBSLead",
    "Electrode",
    "ElectrodeShape",
    "InterfaceModel",
    "idle_contacts",
    "pads_overlap",
    "place_electrode",
]

ElectrodeShape = Literal["rectangular", "circular", "lead_contact", "case"]
#: ``"floating"``: each electrode an equipotential carrying its total current (physical).
#: ``"uniform"``: the current enters with uniform density over the electrode (comparison).
Boundary = Literal["floating", "uniform"]


@dataclass(frozen=True, slots=True)
class InterfaceModel:
    """Skin–electrode interface per unit area: ``r_series`` + (``r_parallel`` ‖ ``c_parallel``).

    :param r_series: gel / bulk resistance times area (Ω·m²).
    :param r_parallel: skin (stratum corneum) resistance times area (Ω·m²).
    :param c_parallel: skin capacitance per area (F/m²).

    Defaults: hydrogel on intact skin, Rs = 1 kΩ·cm², Rp = 20 kΩ·cm², Cp = 0.05 uF/cm²
    (:data:`estim.skin.SKIN_INTERFACE_TABLE`: van Boxtel 1977; Keller & Kuhn 2008). The
    interface is resistive only for pulses much longer than Rp·Cp (here 1 ms); for kHz
    carriers and short pulses use :meth:`conductance_per_area` at the frequency of interest.
    """

    r_series: float = skin_interface_value("series_resistance_ohm_m2")
    r_parallel: float = skin_interface_value("parallel_resistance_ohm_m2")
    c_parallel: float = skin_interface_value("capacitance_f_per_m2")

    def impedance_per_area(self, frequency: float) -> complex:
        """Specific impedance (Ω·m²) at ``frequency`` (Hz)."""
        w = 2 * math.pi * frequency
        return self.r_series + self.r_parallel / (1 + 1j * w * self.r_parallel * self.c_parallel)

    def conductance_per_area(self, frequency: float = 0.0) -> float:
        """1/|Z| per area (S/m²), what the quasi-static field solve uses as a Robin term."""
        return 1.0 / abs(self.impedance_per_area(frequency))

    @classmethod
    def gel_layer(cls, thickness: float, conductivity: float) -> InterfaceModel:
        """A gel layer alone (no skin barrier): Rs = t / σ (Ω·m²), no R‖C.

        :param thickness: gel thickness (m). :param conductivity: gel conductivity (S/m).
        """
        return cls(r_series=thickness / conductivity, r_parallel=0.0, c_parallel=0.0)


@dataclass(frozen=True, slots=True)
class Electrode:
    """An electrode placed on a site.

    :param name: the placement it sits on.
    :param shape: rectangular / circular pad, DBS ``lead_contact``, or the IPG ``case``
        (the outer boundary of a brain site, the usual monopolar return).
    :param position: centre on the surface (m).
    :param normal: outward unit normal of the surface there.
    :param axis: unit tangent along which ``length`` runs (lead: the lead axis).
    :param length: extent along ``axis`` (m); lead contact: contact length.
    :param width: extent across ``axis``, arc length on a limb (m); circular: the diameter.
    :param interface_conductance: S/m² between metal and skin; ``None`` is ideal contact.
    :param arc_deg: lead contact: the arc of the circumference it covers (°); 360 for a ring.
    """

    name: str
    shape: ElectrodeShape
    position: Vec3
    normal: Vec3
    axis: Vec3
    length: float
    width: float
    interface_conductance: float | None = None
    arc_deg: float = 360.0

    @property
    def area(self) -> float:
        """Contact area (m²)."""
        if self.shape == "circular":
            return math.pi * self.width**2 / 4
        if self.shape == "lead_contact":
            return math.pi * self.width * self.length * self.arc_deg / 360.0
        return self.length * self.width

    @property
    def diameter(self) -> float:
        return self.width

    def with_interface(self, conductance: float | InterfaceModel | None, *,
                       frequency: float = 0.0) -> Electrode:
        """A copy with an interface conductance (S/m²), or one from an :class:`InterfaceModel`
        at ``frequency`` (Hz); ``None`` for ideal contact."""
        if isinstance(conductance, InterfaceModel):
            conductance = conductance.conductance_per_area(frequency)
        return replace(self, interface_conductance=conductance)

    def to_dict(self) -> dict[str, object]:
        """The electrode as data (SI units), for the JSON that ``estim field`` and
        ``estim run`` write; an ideal contact's interface conductance is null."""
        return {"placement": self.name, "shape": self.shape, "length_m": self.length,
                "width_m": self.width, "area_m2": self.area, "position_m": list(self.position),
                "interface_conductance_S_per_m2": self.interface_conductance}

    def __repr__(self) -> str:
        g = ("ideal" if self.interface_conductance is None
             else f"{self.interface_conductance:g} S/m²")
        return (f"Electrode({self.name!r}, {self.shape}, {self.length * 1e3:g} x "
                f"{self.width * 1e3:g} mm at {tuple(round(c * 1e3, 3) for c in self.position)} mm, "
                f"{g})")


@dataclass(frozen=True, slots=True)
class DBSLead:
    """A cylindrical DBS lead on the z axis, tip at z = 0 (Medtronic 3389-like).

    :param diameter: 1.27 mm. :param contact_length: 1.5 mm. :param spacing: 0.5 mm.
    :param tip_length: insulated tip below contact 0 (m).
    """

    diameter: float = 1.27e-3
    contact_length: float = 1.5e-3
    spacing: float = 0.5e-3
    n_contacts: int = 4
    tip_length: float = 1.5e-3

    def contact_center(self, k: int) -> float:
        """z of the centre of contact ``k`` (m)."""
        return self.tip_length + k * (self.contact_length + self.spacing) + self.contact_length / 2


@dataclass(frozen=True, slots=True)
class Channel:
    """An anode–cathode pair driven by one current source.

    :param current: the channel's amplitude (A); fields are solved at 1 A and scaled.
    """

    anode: Electrode
    cathode: Electrode
    current: float = 1.0
    name: str = "ch1"


def place_electrode(site: Site, where: str, shape: ElectrodeShape = "rectangular", *,
                    length: float = 0.05, width: float | None = None,
                    interface_conductance: float | None = None,
                    field: str = "electrode") -> Electrode:
    """Put an electrode on a named placement of ``site``.

    :param where: placement name (see :func:`estim.fields.sites.placements`).
    :param length: along the placement axis (m); circular: the diameter.
    :param width: across it (m); defaults to ``length``.
    """
    spot = placement(site, where, field_name=f"{field}.placement")
    if shape == "circular":
        width = length
    width = length if width is None else width
    for name, size in (("length", length), ("width", width)):
        # NaN made a "nan x nan mm" pad and '4 cm' a TypeError (researcher's probe of
        # 7 December 2026): a size here is a number of metres
        if isinstance(size, bool) or not isinstance(size, numbers.Real) \
                or not math.isfinite(size):
            raise InputError(f"{field}.{name}", size, "a finite size in m, e.g. 0.05 for "
                             "5 cm (a program file takes '5 cm')")
    if length <= 0 or width <= 0:
        raise InputError(f"{field}.size", (length, width), "positive electrode dimensions")
    if site.kind != "brain":
        _fits(site, length, width, field=field)
        _on_site(site, where, spot.position, length, width, field=field)
    if site.kind == "brain":
        if where == "case":
            # the field takes the case as the brain's far boundary whatever its size; its
            # stated size is kept for what the program said (fields.json read 0 m²; probe)
            return Electrode(where, "case", spot.position, spot.normal, spot.axis, length,
                             width, interface_conductance)
        lead = get_lead(site.lead or DEFAULT_LEAD)
        contact = lead.contact(where, field=f"{field}.placement")
        top = spot.position[2] + contact.length_m / 2
        if top >= site.length / 2 - contact.length_m:
            # the mesh lost the contact's band beyond the domain's end: "electrode triangle
            # edges not found in the mesh", a traceback (probe of 6 December 2026)
            # the margin said: "its top lies 5 mm up, the domain reaches 6 mm" read as a
            # wrong refusal (hostile probe of 7 December 2026)
            raise InputError(f"{field}.placement", where, f"a contact inside the brain "
                             f"domain with a contact's length ({contact.length_m * 1e3:.3g} "
                             f"mm) to spare: its top lies {top * 1e3:.3g} mm up the lead, and "
                             f"the {site.length * 1e3:.3g} mm domain reaches "
                             f"{site.length / 2 * 1e3:.3g} mm (a longer site.length, or a "
                             "contact nearer the tip)")
        normal, arc = spot.normal, 360.0
        if not contact.is_ring:  # a segment faces angle_deg around the lead (0°: +x)
            normal, arc = _segment_normal(spot.axis, contact.angle_deg), contact.arc_deg
        return Electrode(where, "lead_contact", spot.position, normal, spot.axis,
                         contact.length_m, lead.diameter_m, interface_conductance,
                         arc_deg=arc)
    if shape not in ("rectangular", "circular"):
        raise InputError(f"{field}.shape", shape, "'rectangular' or 'circular' on a surface site")
    return Electrode(where, shape, spot.position, spot.normal, spot.axis, length, width,
                     interface_conductance)


def idle_contacts(site: Site, electrodes: tuple[Electrode, ...]) -> tuple[Electrode, ...]:
    """The contacts of a brain site's lead that none of ``electrodes`` is: metal that no
    channel drives, a floating conductor in the field (OSS-DBS can, as "Floating"). They were
    insulation unless a channel named them, so a channel at 0 mA on contact 2 moved
    channel 1's impedance from 812 to 804 Ω and its 0.2 V/mm volume by 7 % (DBS
    researcher's probe of 7 December 2026; leaving a 3387's inactive contacts out of its
    model moved potentials and thresholds, Howell, Naik & Grill 2014, IEEE TBME 61:297). A
    contact the site's domain cannot hold (within a contact's length of its end, as a
    channel's contact is refused) is left out, insulation; :attr:`FieldSolution.floating
    <estim.fields.solve.FieldSolution.floating>` lists those meshed. Empty off a brain
    site."""
    if site.kind != "brain":
        return ()
    used = {e.name for e in electrodes}
    out = []
    for where in get_lead(site.lead or DEFAULT_LEAD).placements:
        if where in used:
            continue
        try:
            out.append(place_electrode(site, where, "lead_contact"))
        except InputError:
            continue  # beyond the domain's end
    return tuple(out)


def _segment_normal(axis: Vec3, angle_deg: float) -> Vec3:
    """The outward direction a segment faces: ``angle_deg`` around ``axis`` from the
    direction of +x made perpendicular to the axis (+y where the axis is along x)."""
    ax = [float(c) for c in axis]
    norm = math.sqrt(sum(c * c for c in ax))
    ax = [c / norm for c in ax]
    ref = [1.0, 0.0, 0.0] if abs(ax[0]) < 0.9 else [0.0, 1.0, 0.0]
    dot = sum(r * a for r, a in zip(ref, ax, strict=True))
    u = [r - dot * a for r, a in zip(ref, ax, strict=True)]
    un = math.sqrt(sum(c * c for c in u))
    u = [c / un for c in u]
    v = [ax[1] * u[2] - ax[2] * u[1], ax[2] * u[0] - ax[0] * u[2], ax[0] * u[1] - ax[1] * u[0]]
    a = math.radians(angle_deg)
    return (math.cos(a) * u[0] + math.sin(a) * v[0], math.cos(a) * u[1] + math.sin(a) * v[1],
            math.cos(a) * u[2] + math.sin(a) * v[2])


#: Smallest side of a surface electrode (m): smaller pads are not electrotherapy electrodes
#: and the mesher cannot resolve them on a body-sized site.
MIN_SURFACE_ELECTRODE_M = 1e-3


def _on_site(site: Site, where: str, position: Vec3, length: float, width: float, *,
             field: str) -> None:
    """The pad at ``position`` lies on the site: within its length along the axis (a patch:
    and its width across). A site shortened by an override (``length = "6 cm"``) moves its
    placements with it, and a pad that ran past the edge crashed the mesher or was solved
    on the part of it that lay on the tissue."""
    along = position[2] if site.kind == "limb" else position[1]
    reach = [("length", abs(along) + length / 2, site.length / 2)]
    if site.kind == "planar":
        reach.append(("width", abs(position[0]) + width / 2, site.width / 2))
    for name, out, edge in reach:
        if out > edge * (1 + 1e-9):
            raise InputError(f"{field}.placement", where,
                             f"a pad that lies on the site: this {width * 1e3:g} x "
                             f"{length * 1e3:g} mm pad (width x length, as the file gives "
                             f"them) at {where} reaches {out * 1e3:.4g} mm "
                             f"from the {site.name} site's centre, past its edge at "
                             f"{edge * 1e3:.4g} mm (the site's {name} is "
                             f"{2 * edge * 1e3:.4g} mm)")


def _arc(site: Site, theta: float) -> float:
    """Arc length (m) round a limb's elliptic surface from its front to polar angle
    ``theta`` (negative on the other side)."""
    a, b = site.radius_x, site.radius_y
    t = [theta * k / 256 for k in range(257)]
    pts = [(a * b / math.hypot(b * math.cos(u), a * math.sin(u)), u) for u in t]
    arc = sum(math.hypot(r1 * math.cos(u1) - r0 * math.cos(u0),
                         r1 * math.sin(u1) - r0 * math.sin(u0))
              for (r0, u0), (r1, u1) in itertools.pairwise(pts))
    return math.copysign(arc, theta)


def _surface_coordinates(site: Site, e: Electrode) -> tuple[float, float]:
    """Where a pad's centre lies on the skin, in the pad's own axes (m): across its axis
    (a limb: the arc length round the limb from its front) and along it."""
    x, y, z = e.position
    if site.kind != "limb":
        return x, y
    return _arc(site, math.atan2(y, x)), z


def pads_overlap(site: Site, a: Electrode, b: Electrode) -> bool:
    """Whether two surface pads cover some of the same skin (more than touching: 0.1 mm)."""
    if site.kind == "brain":
        return False
    (ua, va), (ub, vb) = _surface_coordinates(site, a), _surface_coordinates(site, b)
    du, dv = abs(ua - ub), abs(va - vb)
    if site.kind == "limb":  # the shorter way round
        du = min(du, 2 * _arc(site, math.pi) - du)
    slack = 1e-4
    if du >= (a.width + b.width) / 2 - slack or dv >= (a.length + b.length) / 2 - slack:
        return False
    circles = [e for e in (a, b) if e.shape == "circular"]
    if len(circles) == 2:
        return math.hypot(du, dv) < (a.width + b.width) / 2 - slack
    if len(circles) == 1:  # the circle's centre against the rectangle
        rect = b if circles[0] is a else a
        cu = max(du - rect.width / 2, 0.0)
        cv = max(dv - rect.length / 2, 0.0)
        return math.hypot(cu, cv) < circles[0].width / 2 - slack
    return True


def _fits(site: Site, length: float, width: float, *, field: str) -> None:
    """A surface pad at least :data:`MIN_SURFACE_ELECTRODE_M` a side and no larger than the
    site: along the limb axis (or the patch's y) and across it (a patch's x, half a limb's
    circumference)."""
    if min(length, width) < MIN_SURFACE_ELECTRODE_M:
        raise InputError(f"{field}.size", f"{length * 1e3:g} x {width * 1e3:g} mm",
                         f"sides of at least {MIN_SURFACE_ELECTRODE_M * 1e3:g} mm")
    across = (site.width if site.kind == "planar"
              else math.pi * min(site.radius_x, site.radius_y))
    if length > site.length or width > across:
        raise InputError(f"{field}.size", f"{length * 1e3:g} x {width * 1e3:g} mm",
                         f"a pad that fits on the {site.name} site (at most "
                         f"{site.length * 1e3:.4g} x {across * 1e3:.4g} mm)")
