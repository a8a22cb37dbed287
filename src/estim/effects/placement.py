"""Where the sensation window's fibers lie: the sampled regions round the cathode, the
site's muscle and anatomy under the pads, the populations drawn there, and each fiber's
cable and compartment centres placed in the site (bent along a limb's surface), with the
potential each one sees.

:mod:`estim.effects.window` thresholds these fibers and reads the criteria from them;
:mod:`estim.effects.conduction` tests their conduction under a kHz carrier. The globals
here (:data:`DEFAULT_COUNTS`, :data:`ADELTA_ENDING`, :data:`ABETA_MARGIN_M`) are what a
benchmark sets to try another sample.

Evidence: the anatomy (depths, diameters, regions) is taken from the sources named in
:mod:`estim.effects.anatomy`, or assumed where it says so; the placement is geometry.
"""

from __future__ import annotations

import math
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from estim.cache import digest
from estim.effects.anatomy import (
    PERIOSTEAL_PLEXUS_ABOVE_BONE_M,
    SITE_MUSCLE,
    Muscle,
    innervation_density,
    muscle_for_site,
)
from estim.effects.calibration import INTOLERANCE_PAD_CM, MOTOR_BRANCH_DIAMETER_FACTOR
from estim.effects.populations import (
    AdeltaEnding,
    FiberPopulation,
    sample_fiber_populations,
)
from estim.errors import ModelRangeWarning
from estim.fields.sites import motor_point_shift_m

if TYPE_CHECKING:
    from estim.fibers.cable import Fiber
    from estim.fields.electrodes import Electrode
    from estim.fields.sites import Site

__all__ = [
    "ABETA_MARGIN_M",
    "ADELTA_ENDING",
    "CLASS_LABELS",
    "DEFAULT_COUNTS",
    "GEOMETRY_ENTRIES",
    "MUSCLE_AWAY_NOTE",
    "NOCICEPTOR_SAMPLE_AFFERENTS",
    "Potential",
    "afferents_available",
    "conform",
    "fiber_geometry",
    "fiber_nodes",
    "fiber_points",
    "muscle_away",
    "place_fibers",
    "polar_angle",
    "sampled_region",
    "site_anatomy",
    "site_muscle",
    "window_populations",
]


#: Fibers per class in an ``estim run`` (small enough for seconds; the sampling is seeded).
#: C fibers are 3 mm from their ending in 25 µm sections (121 compartments, 12 ms).
DEFAULT_COUNTS: dict[str, int] = {"abeta": 60, "adelta": 60, "c": 40, "motor": 240,
                                  "periosteal": 60}

#: How the window's Aδ afferents end when :func:`sensation_window` is not told
#: (:class:`~estim.effects.populations.AdeltaEnding`): in an unmyelinated free ending past
#: the last node, as in people (Provitera et al. 2007); with it the Aδ strength-duration
#: time constant is longer than the Aβ one, as thin fibers' are (docs/effects.md).
#: ``benchmarks/sensation_window.py --adelta node`` brings back the myelinated-node ending
#: (calibration windows follow too).
ADELTA_ENDING: AdeltaEnding = AdeltaEnding.FREE

#: Nodes of Ranvier of a cutaneous (Aβ, Aδ) fiber: 21 nodes span 2.4-25 mm of dermis from
#: the ending, enough to see the electrode edge region for Aβ, at 40 % of the cost of the
#: 51-node reference fiber.
_CUTANEOUS_NODES = 21
#: A C fiber is 3 mm of axon from its ending (it conducts at ~0.5-1 m/s, so 3 mm is reached
#: within ~6 ms), in 25 µm sections (a tenth of the ~250 µm length constant of a 1 µm axon).
_C_LENGTH_M = 3e-3
_C_SECTION_M = 25e-6

def _make(pop: FiberPopulation, diameter_m: float) -> Fiber:
    """One cable of a population: afferents start with an active ending (no passive node
    there), motor axons are the 51-node reference fiber. The afferents keep the motor MRG
    node: with the sensory node (``make_fiber(..., sensory=True)``) the window's sensory
    τSD did not lengthen (docs/effects.md) and detection needed 80 % of the Aβ afferents."""
    from estim.fibers import make_fiber
    from estim.fibers.cable import Terminal

    if pop.model == "sundt":
        return make_fiber("sundt", diameter_m, length_m=_C_LENGTH_M,
                          section_length_m=_C_SECTION_M,
                          passive_end_nodes=(0, 1) if pop.has_endings else 1)
    if pop.has_endings:
        terminal = None if pop.terminal_m is None else Terminal(
            length_m=pop.terminal_m[0], diameter_m=pop.terminal_m[1])
        return make_fiber(pop.model, diameter_m, n_nodes=_CUTANEOUS_NODES,
                          passive_end_nodes=(0, 1), terminal=terminal)
    return make_fiber(pop.model, diameter_m)


def _frame(electrode: Electrode) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Electrode centre and the local -> world rotation (x: axis, y: normal x axis, z: out)."""
    p0 = np.asarray(electrode.position, float)
    n = np.asarray(electrode.normal, float)
    x = np.asarray(electrode.axis, float)
    return p0, np.column_stack([x, np.cross(n, x), n])


def conform(local: NDArray[np.float64], electrode: Electrode, site: Site | None,
            *, anchor_v_m: float | None = None) -> NDArray[np.float64]:
    """World coordinates of points given in the electrode's local frame (m).

    On a planar site the frame is rigid. On a limb (an elliptic cylinder along z) a point
    at (u along the limb, v around it, w out of the skin) keeps its depth and arc length:
    it lies at polar angle φ0 - v/R0 and radius r_surface(φ) + w, so a fiber drawn in the
    tangent plane follows the curved dermis instead of leaving the limb.

    With ``anchor_v_m`` (a fiber's own v: its ending or middle node) the arc beyond the
    anchor is measured at the point's own depth, φ = φ0 - v_a/R0 - (v - v_a)/(R0 + w):
    a fiber running around the limb 5 mm deep keeps its cable's internode lengths instead
    of being squeezed by (R0 - 5 mm)/R0 (0.7 over the knee's bone). The anchor itself lies
    where it lay without one.
    """
    p0, frame = _frame(electrode)
    if site is None or getattr(site, "kind", "") != "limb":
        out: NDArray[np.float64] = p0[None, :] + local @ frame.T
        return out
    a, b = site.radius_x, site.radius_y
    phi0 = math.atan2(p0[1], p0[0])
    r0 = math.hypot(p0[0], p0[1])
    if anchor_v_m is None:
        phi = phi0 - local[:, 1] / r0
    else:
        r_depth = np.maximum(r0 + np.minimum(local[:, 2], 0.0), 0.1 * r0)
        phi = phi0 - anchor_v_m / r0 - (local[:, 1] - anchor_v_m) / r_depth
    r_surf = a * b / np.hypot(b * np.cos(phi), a * np.sin(phi))
    r = r_surf + local[:, 2]
    return np.column_stack([r * np.cos(phi), r * np.sin(phi), p0[2] + local[:, 0]])


def fiber_points(fib: Fiber, position_local: NDArray[np.float64],
                 direction_local: NDArray[np.float64], electrode: Electrode,
                 site: Site | None,
                 *, plexus_depth_m: float | None = None) -> NDArray[np.float64]:
    """Compartment centres (world, m) of a fiber placed in the electrode's local frame.

    Without ``plexus_depth_m`` the fiber is straight through ``position_local`` (its middle
    node there). With it, the fiber is an afferent: its first compartment is the ending at
    ``position_local``, the terminal branch runs straight down to the plexus at
    ``plexus_depth_m``, and the parent axon goes on along ``direction_local`` at that depth.

    On a limb, the run around it keeps the cable's length at the fiber's own depth
    (:func:`conform` with the fiber's v as anchor). Laid at the skin's radius and pushed
    down it would be squeezed by (R - depth)/R: the periosteal Aδ over the knee's bone to
    0.7 of their length, the skin's plexus 1-2 mm deep by 3-5 % on a forearm.
    """
    anchor = float(position_local[1])
    s = np.asarray(fib.positions_m, float)
    if plexus_depth_m is None:
        local = position_local[None, :] + s[:, None] * direction_local
        return conform(local, electrode, site, anchor_v_m=anchor)
    s = s - s[0]
    rise = max(0.0, plexus_depth_m + float(position_local[2]))  # ending to plexus (m)
    along = np.maximum(s - rise, 0.0)
    local = position_local[None, :] + along[:, None] * direction_local
    local[:, 2] = np.where(s < rise, position_local[2] - s, -plexus_depth_m)
    return conform(local, electrode, site, anchor_v_m=anchor)


Potential = Callable[[NDArray[np.float64]], NDArray[np.float64]]


#: Placed populations (cables and compartment centres) kept in memory per process: the
#: virtual subjects' stage places them before the field is solved (to solve the subjects'
#: fields meanwhile) and the window then finds them here; so do the points of a sweep.
GEOMETRY_ENTRIES = 8
_geometry: OrderedDict[str, tuple[list[Fiber], list[NDArray[np.float64]]]] = OrderedDict()
_geometry_lock = threading.Lock()


def fiber_geometry(pop: FiberPopulation, electrode: Electrode, site: Site | None
                   ) -> tuple[list[Fiber], list[NDArray[np.float64]]]:
    """Every fiber of the population as a cable, and its compartment centres (world, m)
    placed under the electrode. Kept in memory under the population, electrode and site
    (:data:`GEOMETRY_ENTRIES`): the cables are read-only, so a later call shares them."""
    key = digest(pop, electrode, site, _C_LENGTH_M, _C_SECTION_M, _CUTANEOUS_NODES)
    with _geometry_lock:
        hit = _geometry.get(key)
        if hit is not None:
            _geometry.move_to_end(key)
            return hit
    fibers = []
    all_points = []
    plexus = pop.depth_m if pop.has_endings else np.full(pop.size, np.nan)
    for i in range(pop.size):
        fib = _make(pop, float(pop.model_diameter_m[i]))
        fibers.append(fib)
        dp = plexus[i]
        all_points.append(fiber_points(
            fib, pop.position_m[i], pop.direction[i], electrode, site,
            plexus_depth_m=None if np.isnan(dp) else float(dp)))
    for fib, pts in zip(fibers, all_points, strict=True):  # shared from here on: read-only
        pts.flags.writeable = False
        for value in vars(fib).values():
            if isinstance(value, np.ndarray):
                value.flags.writeable = False
    with _geometry_lock:
        _geometry[key] = (fibers, all_points)
        _geometry.move_to_end(key)
        while len(_geometry) > GEOMETRY_ENTRIES:  # the least recently used goes
            _geometry.popitem(last=False)
    return fibers, all_points


def place_fibers(pop: FiberPopulation, electrode: Electrode, site: Site | None,
            potential: Potential | Sequence[Potential], which: Sequence[int] | None = None,
            ) -> tuple[list[Fiber], list[NDArray[np.float64]], list[NDArray[np.float64]],
                       tuple[int, int]]:
    """The population's fibers (``which`` of them, default all) placed under the electrode:
    the cables, their compartment centres (world, m), φ (V/A; one row per source of a
    :class:`SourcePulses` waveform) and how many run partly, and how many wholly, outside
    the modelled tissue."""
    every_fiber, every_point = fiber_geometry(pop, electrode, site)
    picked = range(pop.size) if which is None else which
    fibers = [every_fiber[i] for i in picked]
    all_points = [every_point[i] for i in picked]
    # every fiber's points in one call per source: a call's own cost (locating the points
    # in the mesh) is paid once per class, not once per fiber
    sources = [potential] if callable(potential) else list(potential)
    splits = np.cumsum([len(p) for p in all_points])[:-1]
    stacked = np.concatenate(all_points)
    per_source = [np.split(np.asarray(src(stacked), float), splits) for src in sources]
    phis = []
    outside = gone = 0
    for i in range(len(fibers)):
        rows = [_inside(phi[i]) for phi in per_source]
        outside += any(leaves for _, leaves in rows)
        gone += all(not np.isfinite(phi[i]).any() for phi in per_source)
        phis.append(rows[0][0] if callable(potential) else np.stack([r for r, _ in rows]))
    return fibers, all_points, phis, (outside, gone)

def _inside(phi: NDArray[np.float64]) -> tuple[NDArray[np.float64], bool]:
    """φ with compartments outside the modelled tissue (a long fiber leaving the patch) given
    the nearest inside value (no gradient, so no drive there); and whether any were (a
    fiber wholly outside gets no drive at all, and is one of them)."""
    bad = ~np.isfinite(phi)
    if bad.all():
        return np.zeros_like(phi), True
    if not bad.any():
        return phi, False
    idx = np.arange(phi.size)
    return np.interp(idx, idx[~bad], phi[~bad]), True


CLASS_LABELS = {"abeta": "Aβ", "adelta": "Aδ", "c": "C", "motor": "motor",
          "periosteal": "periosteal Aδ"}

#: The cutaneous sampling region, relative to the cathode's footprint: endings just outside
#: the pad see its edge field too, so 15 % beyond each edge. Pain is a fraction of the Aδ
#: there (a local density, :mod:`estim.effects.calibration`); the Aβ have their own margin
#: where :data:`ABETA_MARGIN_M` is set.
_EDGE_MARGIN = 1.3

#: The fewest Aδ afferents the nociceptors' sample holds: those of the pain calibration's
#: own sample (the volar forearm's density over 1.3 x the 3.5 cm pads of
#: :data:`~estim.effects.calibration.INTOLERANCE_PAD_CM`, 185 afferents), derived, not
#: fitted. Pain is a fraction of the Aδ under and round the cathode, calibrated on those pads;
#: on a smaller pad the same fraction of its own few afferents was far fewer nociceptors than
#: the calibration's pain took, and its pain fell with the pad's area (5.4 mA on 1.5 cm pads,
#: 39 mA on 4 cm ones, where Dölker et al. 2022 found no size effect over 1.5-4 cm). Below
#: this many the sample grows round the cathode until it holds them, so pain needs at least
#: the calibration's count of Aδ (spatial summation, as detection is a count) and, on pads
#: as large as the calibration's and larger, the calibrated fraction (a density) as before.
#: The C fibers and the periosteal Aδ share the sample; the Aβ have their own.
NOCICEPTOR_SAMPLE_AFFERENTS = innervation_density("forearm", "adelta") \
    * (_EDGE_MARGIN * INTOLERANCE_PAD_CM * 1e-2) ** 2  # [1/m² x m² -> afferents]
#: How far beyond each edge of the cathode the Aβ afferents are sampled (m); None: as the
#: others, 15 % beyond each edge (0.75 cm round a 5 cm pad). That is too near: detection
#: and strong tingling are counts of Aβ firing, and in the calibration configuration (5 x 5
#: cm on the forearm) at strong tingling 57 % of the afferents 0.75-1.5 cm beyond the
#: cathode's edge fire, 22 % of those 1.5-2.5 cm beyond and 5 % of those 2.5-3.5 cm beyond
#: (``python benchmarks/sensation_window.py --abeta-extent``; about as far round 3.5 and
#: 7.5 cm pads at the same share of their own afferents, so a margin is a length, not a
#: fraction of the pad). Cut off at 0.75 cm, strong tingling needs 84 % of the sample and
#: 30 of 100 virtual subjects have fewer afferents there than its count. A margin of 2.5 cm
#: (``--abeta-margin 2.5``, calibrated again with it) leaves 2 of 100, but microcurrent
#: becomes a strong tingling (the counts hold at 100 pulses/s and have no temporal
#: summation for its one pulse every 2 s) and HVPC and modulated TENS come out just above
#: pain, inside its edge (docs/effects.md, "The Aβ sample's edge"). It stays None until the
#: counts sum over time.
ABETA_MARGIN_M: float | None = None


def site_muscle(site: Site | None, cathode: Electrode | None = None) -> Muscle | None:
    """The muscle whose motor axons lie under the electrodes: on a limb with muscle groups
    on several sides, the one on the cathode's side (:data:`~estim.effects.anatomy.
    LIMB_MUSCLES`); None for no site or a site without a muscle."""
    if site is None or site.name not in SITE_MUSCLE:
        return None
    return muscle_for_site(site.name, polar_angle(site, cathode))


#: How a note that the window's muscle lies away from the cathode begins (the faces show
#: it beside the muscle's twitch, not behind -v).
MUSCLE_AWAY_NOTE = "the cathode lies on the other side of the limb from the"


def muscle_away(site: Site, cathode: Electrode | None, muscle: Muscle | None) -> str | None:
    """Where the window's muscle has motor points of its own on a limb (the knee's vastus
    medialis, medial) and the cathode lies more than a quarter turn round the limb from
    them, a note that the muscle under the cathode is not modelled: a lateral knee pad's
    twitch was named the vastus medialis's without a word (probe of 5 December 2026).
    None where the cathode lies near enough, or the muscle is under the pads."""
    if muscle is None or muscle.site_position is None:
        return None
    angle = polar_angle(site, cathode)
    if angle is None:
        return None
    gap = abs((angle - muscle.site_position[0] + math.pi) % (2 * math.pi) - math.pi)
    if gap <= math.pi / 2:
        return None
    arc_cm = gap * (site.radius_x + site.radius_y) / 2 * 100  # [m -> cm]
    return (f"{MUSCLE_AWAY_NOTE} {muscle.short_name}'s motor points (about {arc_cm:.0f} cm "
            f"round it), whose twitch is the one predicted; the muscle under the cathode is "
            "not modelled and may twitch first (with a symmetric biphasic pulse or a "
            "sinusoidal current each pad is the cathode in turn, and the one the file names "
            "the cathode decides which is modelled: name the other to see its muscle)")


def polar_angle(site: Site, cathode: Electrode | None) -> float | None:
    """The cathode's polar angle on a limb's cross-section (rad; None off a limb)."""
    if cathode is None or site.kind != "limb":
        return None
    x, y = (float(v) for v in np.asarray(cathode.position, float)[:2])
    return math.atan2(y, x) if math.hypot(x, y) > 0 else None


def site_anatomy(site: Site | None, cathode: Electrode | None = None) -> dict[str, Any]:
    """Keyword arguments of :func:`sample_fiber_populations` for a site: the skin thickness
    that sets the afferents' depths, and the motor axons of the site's muscle below its skin
    and fat (:mod:`estim.effects.anatomy`), as intramuscular branches of the calibrated
    diameter (:data:`~estim.effects.calibration.MOTOR_BRANCH_DIAMETER_FACTOR`), and the
    depth of the bone's surface (its periosteal Aδ) where the site has a bone. A muscle
    whose motor points lie at a place of their own on a limb (the knee's vastus medialis)
    is put there, relative to ``cathode`` (the centre of the sampled patch). Empty for no
    site or a site without a muscle."""
    muscle = site_muscle(site, cathode)
    if site is None or muscle is None:
        return {}
    thick = {layer.tissue: layer.thickness for layer in site.layers}
    cover = thick.get("skin", 0.0) + thick.get("fat", 0.0)
    depth = (cover + muscle.branch_depth_m[0], cover + muscle.branch_depth_m[1])
    if "muscle" in thick:  # never below the muscle layer (a thin override)
        bottom = cover + thick["muscle"]
        depth = (min(depth[0], bottom), min(depth[1], bottom))
    out: dict[str, Any] = {"motor_depth_range_m": depth, "motor_region_m": muscle.region_m,
                           "motor_diameter_factor": MOTOR_BRANCH_DIAMETER_FACTOR}
    if muscle.site_position is not None and cathode is not None and site.kind == "limb":
        out["motor_center_m"] = _offset_on_limb(muscle.site_position, cathode)
    if (shift := motor_point_shift_m(site)) and site.kind == "limb":
        # a person's motor points up or down the limb (a virtual subject of a sweep)
        along, across = out.get("motor_center_m", (0.0, 0.0))
        out["motor_center_m"] = (along + shift, across)
    if "skin" in thick:
        out["skin_thickness_m"] = thick["skin"]
    names = [layer.tissue for layer in site.layers]
    if "bone" in names:  # the periosteum on the bone's surface, below every softer layer
        bone = sum(layer.thickness for layer in site.layers[:names.index("bone")])
        if bone > PERIOSTEAL_PLEXUS_ABOVE_BONE_M[1] + 1e-6:  # room for the periosteum
            out["bone_depth_m"] = bone
    return out


def _offset_on_limb(position: tuple[float, float], cathode: Electrode) -> tuple[float, float]:
    """(along, across) of a point of a limb's surface, (polar angle rad, height m), in the
    cathode's frame as :func:`conform` reads it: along the limb axis, and the arc round the
    limb at the cathode's radius (positive toward decreasing polar angle)."""
    p0 = np.asarray(cathode.position, float)
    phi0, r0 = math.atan2(p0[1], p0[0]), math.hypot(p0[0], p0[1])
    turn = (phi0 - position[0] + math.pi) % (2 * math.pi) - math.pi
    return (position[1] - float(p0[2]), r0 * turn)


def sampled_region(electrode: Electrode, fiber_class: str = "adelta",
                   site: Site | None = None) -> tuple[float, float]:
    """The area a class's afferent endings are sampled in round the cathode (length, width;
    m): :data:`_EDGE_MARGIN` times the pad; for ``"abeta"``, :data:`ABETA_MARGIN_M` beyond
    each edge where it is set. The nociceptors' sample (every class but ``"abeta"``) is
    grown in proportion, where it would hold fewer than :data:`NOCICEPTOR_SAMPLE_AFFERENTS`
    Aδ at ``site``'s innervation density (None: the body's).

    >>> from types import SimpleNamespace
    >>> pad = SimpleNamespace(length=0.05, width=0.04)  # a 5 x 4 cm cathode
    >>> [round(v, 4) for v in sampled_region(pad, "abeta") + sampled_region(pad, "adelta")]
    [0.065, 0.052, 0.065, 0.052]
    >>> small = SimpleNamespace(length=0.02, width=0.02)  # 2 x 2 cm: the Aδ of 4.55 cm
    >>> [round(v, 4) for v in sampled_region(small, "abeta") + sampled_region(small)]
    [0.026, 0.026, 0.0455, 0.0455]
    """
    length, width = float(electrode.length), float(electrode.width)
    if fiber_class == "abeta":
        if ABETA_MARGIN_M is not None:
            return (length + 2 * ABETA_MARGIN_M, width + 2 * ABETA_MARGIN_M)
        return (_EDGE_MARGIN * length, _EDGE_MARGIN * width)
    length, width = _EDGE_MARGIN * length, _EDGE_MARGIN * width
    least = NOCICEPTOR_SAMPLE_AFFERENTS / innervation_density(
        site.name if site is not None else None, "adelta")  # [afferents / (1/m²) -> m²]
    grow = math.sqrt(least / (length * width)) if length * width > 0 else 1.0
    # to 1e-9: the calibration's own pads hold exactly the count
    return (length * grow, width * grow) if grow > 1.0 + 1e-9 else (length, width)


def afferents_available(electrode: Electrode, site: Site | None) -> dict[str, float]:
    """How many Aβ and Aδ afferents the window's sample stands for: the site's innervation
    density times each class's sampled area (:func:`sampled_region`), what the calibrated
    counts become fractions of (:func:`estim.effects.calibration.criteria_from_counts`).

    >>> from types import SimpleNamespace
    >>> pad = SimpleNamespace(length=0.05, width=0.05)
    >>> {k: round(v) for k, v in afferents_available(pad, None).items()}  # 6.5 x 6.5 cm
    {'abeta': 377, 'adelta': 377}
    """
    name = site.name if site is not None else None
    return {k: innervation_density(name, k) * math.prod(sampled_region(electrode, k, site))
            for k in ("abeta", "adelta")}


def window_populations(electrode: Electrode, site: Site | None, *,
                       counts: Mapping[str, int] | None = None, seed: int = 0,
                       motor_depth_range_m: tuple[float, float] | None = None,
                       adelta_ending: AdeltaEnding | str | None = None
                       ) -> tuple[tuple[FiberPopulation, ...], list[str]]:
    """The fiber populations :func:`sensation_window` samples under ``electrode`` (its
    arguments of the same names), and the notes on diameters clamped to a model's range."""
    n = dict(DEFAULT_COUNTS)
    n.update(counts or {})
    anatomy = site_anatomy(site, electrode)
    if motor_depth_range_m is not None:
        anatomy = {**anatomy, "motor_depth_range_m": motor_depth_range_m}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ModelRangeWarning)
        pops = sample_fiber_populations(
            seed=seed, counts=n, region_m=sampled_region(electrode, "adelta", site),
            abeta_region_m=sampled_region(electrode, "abeta"), **anatomy,
            adelta_ending=ADELTA_ENDING if adelta_ending is None else adelta_ending)
    # Clamped diameters are expected here and go into the notes; anything else is re-raised.
    notes = [str(w.message) for w in caught if issubclass(w.category, ModelRangeWarning)]
    for w in caught:
        if not issubclass(w.category, ModelRangeWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return pops, notes


def fiber_nodes(electrode: Electrode, site: Site | None, *,
                counts: Mapping[str, int] | None = None, seed: int = 0
                ) -> dict[str, list[NDArray[np.float64]]]:
    """Per fiber class, each fiber's node coordinates (world, m) as :func:`sensation_window`
    places them under ``electrode``: what the virtual subjects' fields are evaluated at
    (:func:`estim.effects.subjects.drive_ratios`), known before the site's field is."""
    pops, _ = window_populations(electrode, site, counts=counts, seed=seed)
    out = {}
    for pop in pops:
        if pop.size:
            fibers, points = fiber_geometry(pop, electrode, site)
            out[pop.fiber_class.value] = [p[np.asarray(f.node_index, dtype=np.intp)]
                                          for f, p in zip(fibers, points, strict=True)]
    return out
