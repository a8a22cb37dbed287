"""Nerve-fiber populations under the electrodes: cutaneous afferents and motor axons.

Data and sampling only; the cable models live in ``estim.fibers`` and are named here by plain
strings (``"mrg"``, ``"sundt"``) for the lead to wire to ``estim.fibers.FiberModel``.

Coordinates (m): the skin surface is z = 0 with z pointing out of the body, so tissue is at
z < 0. x, y are uniform over a rectangle centred on the origin (the electrode footprint, or
the muscle's innervation region for motor axons); the limb axis defaults to x.

Cutaneous afferents (Aβ, Aδ, C) are *terminal branch + plexus axon*
(:mod:`estim.effects.anatomy`): ``position_m`` is the ending at ``ending_depth_m``, the
branch rises to it vertically from the plexus at ``depth_m``, and the parent axon runs on
along the plexus in ``direction`` (parallel to the skin). Motor axons are straight, along the
muscle fibers, at ``depth_m`` (``ending_depth_m`` is NaN).

An Aδ afferent ends either at a myelinated node (:attr:`AdeltaEnding.NODE`, this sampler's
default; the sensation window uses the free ending, ``estim.effects.placement.ADELTA_ENDING``) or
in an unmyelinated free ending (:attr:`AdeltaEnding.FREE`): its myelin ends where the node
ending would be (the anatomy table's Aδ ending row is where Aδ lose their myelin) and a thin
unmyelinated terminal (:data:`estim.fibers.tables.FREE_ENDING`) rises from there toward the
epidermis; ``position_m`` is then the terminal's tip.

Periosteal Aδ nociceptors (a bone under thin soft tissue: the shin) are drawn the same way
one layer down: the plexus axon runs in the periosteum, parallel to the bone's surface, and a
free ending rises from it (:func:`estim.effects.anatomy.periosteal_layout`). They are sampled only
for a site with a bone (``bone_depth_m``).

Ranges of diameters are textbook classifications; the distribution *shapes* (truncated
normal, centred, SD = range/4) are stated assumptions: see :data:`FIBER_CLASS_TABLE`. Every
diameter is simulated as sampled: MRG covers 1-16 µm (thin myelinated Aδ by similarity
scaling, :func:`estim.fibers.tables.mrg_geometry`), Sundt's C fiber 0.5-1.5 µm.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray

from estim.effects.anatomy import (
    PERIOSTEAL_PLEXUS_ABOVE_BONE_M,
    cutaneous_layout,
    periosteal_layout,
)
from estim.errors import InputError, ModelRangeWarning
from estim.evidence import EvidenceLevel
from estim.fields.sites import MAX_DEPTH_M

__all__ = [
    "FIBER_CLASS_TABLE",
    "MODEL_DIAMETER_RANGE_M",
    "AdeltaEnding",
    "FiberClass",
    "FiberClassSpec",
    "FiberPopulation",
    "Orientation",
    "sample_fiber_populations",
    "truncated_normal_ppf",
]


class FiberClass(StrEnum):
    """Fiber classes the effects stage reasons about."""

    A_BETA = "abeta"  # touch, vibration: tingling
    A_DELTA = "adelta"  # sharp pain, cold
    C = "c"  # burning pain, warmth
    MOTOR = "motor"  # alpha motor axons of the muscle under the electrodes
    PERIOSTEAL = "periosteal"  # Aδ nociceptors of the periosteum of a bone under the pads


class AdeltaEnding(StrEnum):
    """How an Aδ afferent ends under the skin."""

    NODE = "node"  # its last myelinated node is the ending
    FREE = "free"  # an unmyelinated free ending (Sundt membrane) past the last node


class Orientation(StrEnum):
    """How fiber directions are drawn."""

    ALONG_LIMB = "along_limb"  # all parallel to the limb axis
    RANDOM_IN_PLANE = "random_in_plane"  # uniform azimuth, parallel to the skin


#: Diameter range (m) inside which each cable model's geometry is defined.
MODEL_DIAMETER_RANGE_M: dict[str, tuple[float, float]] = {
    # MRG interpolated geometry (McIntyre, Richardson & Grill 2002 fitted 5.7-16 µm; the
    # interpolation used by PyFibers and ASCENT extends it down to 2 µm, similarity scaling
    # to 1 µm).
    "mrg": (1e-6, 16e-6),
    # Sundt et al. 2015 was built for ~1 µm C fibers; 0.5-1.5 µm keeps it near its data.
    "sundt": (0.5e-6, 1.5e-6),
}

_KANDEL = ("Kandel ER et al., Principles of Neural Science, 5th ed. (2013), classification "
           "of sensory fibers (after Boyd & Davey 1968): Aβ 6-12 µm, Aδ 1-5 µm, C 0.2-1.5 µm")


@dataclass(frozen=True, slots=True)
class FiberClassSpec:
    """One row of the fiber-class table (SI).

    :param diameter_range_m: (min, max) fiber diameter (m), hard limits of the sampling.
    :param diameter_mean_m: mean of the truncated normal (m).
    :param diameter_sd_m: SD before truncation (m).
    :param depth_range_m: (min, max) depth below the skin surface (m), uniform: of the plexus
        axon for cutaneous afferents, of the axon for motor axons.
    :param count: default number of fibers sampled.
    :param ending_depth_range_m: (min, max) depth of the ending of a cutaneous afferent's
        terminal branch (m); None for axons without a modelled ending (motor).
    """

    fiber_class: FiberClass
    model: str
    diameter_range_m: tuple[float, float]
    diameter_mean_m: float
    diameter_sd_m: float
    depth_range_m: tuple[float, float]
    orientation: Orientation
    count: int
    diameter_source: str
    depth_source: str
    ending_depth_range_m: tuple[float, float] | None = None


#: THE defaults table: one row per class, each with its sources.
FIBER_CLASS_TABLE: tuple[FiberClassSpec, ...] = (
    FiberClassSpec(
        FiberClass.A_BETA, "mrg", (6e-6, 12e-6), 9e-6, 1.5e-6, (0.9e-3, 1.35e-3),
        Orientation.RANDOM_IN_PLANE, 200,
        _KANDEL + "; shape assumed (centred truncated normal, SD = range/4)",
        "deep dermal plexus, ending in the upper dermis: estim.effects.anatomy "
        "(the range here is for a 1.5 mm skin; sites pass their own)",
        ending_depth_range_m=(0.15e-3, 0.5e-3),
    ),
    FiberClassSpec(
        FiberClass.A_DELTA, "mrg", (1e-6, 5e-6), 3e-6, 1.0e-6, (0.75e-3, 1.35e-3),
        Orientation.RANDOM_IN_PLANE, 200,
        _KANDEL + "; shape assumed (centred truncated normal, SD = range/4)",
        "dermal plexus, myelinated up to the upper dermis: estim.effects.anatomy",
        ending_depth_range_m=(0.15e-3, 0.4e-3),
    ),
    FiberClassSpec(
        FiberClass.C, "sundt", (0.5e-6, 1.5e-6), 1.0e-6, 0.25e-6, (0.2e-3, 0.6e-3),
        Orientation.RANDOM_IN_PLANE, 400,
        _KANDEL + " (0.2-1.5 µm), cut to 0.5-1.5 µm where Sundt's model holds; thinner C "
        "fibers are less excitable, so the C-fiber pain threshold is a lower bound; shape "
        "assumed (centred truncated normal, SD = range/4)",
        "subepidermal plexus, free endings in the epidermis: estim.effects.anatomy",
        ending_depth_range_m=(0.045e-3, 0.12e-3),
    ),
    FiberClassSpec(
        FiberClass.MOTOR, "mrg", (9e-6, 16e-6), 12.5e-6, 1.75e-6, (10e-3, 25e-3),
        Orientation.ALONG_LIMB, 200,
        "α-motor axons, Aα class 12-20 µm (Principles of Neural Science); 9-16 µm used here "
        "(issue 5), kept inside MRG's 2-16 µm; shape assumed (truncated normal). These are "
        "the axons of a nerve trunk; the window's intramuscular branches are thinner by the "
        "calibrated MOTOR_BRANCH_DIAMETER_FACTOR (estim.effects.calibration)",
        "intramuscular branches below the site's skin and fat: estim.effects.anatomy "
        "(the range here is a default for a 1.5 mm skin, 8 mm fat)",
    ),
    FiberClassSpec(
        FiberClass.PERIOSTEAL, "mrg", (1e-6, 5e-6), 3e-6, 1.0e-6, (4.85e-3, 4.95e-3),
        Orientation.RANDOM_IN_PLANE, 60,
        _KANDEL + " (Aδ, as in the skin: the periosteum's myelinated afferents are thin, "
        "NF200+ Aδ; estim.effects.anatomy.PERIOSTEUM_SOURCES); shape assumed",
        "in the periosteum on the bone's surface (the range here is for a bone 5 mm deep; "
        "sites pass their own): estim.effects.anatomy.periosteal_layout",
        ending_depth_range_m=(4.85e-3, 4.95e-3),
    ),
)

# Fixed per-class stream index: changing one class's count never changes another's sample.
_STREAM = {FiberClass.A_BETA: 0, FiberClass.A_DELTA: 1, FiberClass.C: 2, FiberClass.MOTOR: 3,
           FiberClass.PERIOSTEAL: 4}


@dataclass(frozen=True, eq=False)
class FiberPopulation:
    """Sampled fibers of one class (arrays read-only).

    :param diameter_m: sampled anatomical fiber diameter (m), shape (n,).
    :param model_diameter_m: diameter the cable model is run with (m): equal to
        ``diameter_m`` unless clamped to the model's range.
    :param depth_m: depth below the skin surface (m), shape (n,): the plexus axon of an
        afferent, the axon of a motor fiber.
    :param position_m: the ending of an afferent, a point on a motor axon (x, y, z) (m),
        shape (n, 3).
    :param direction: unit vector along each (plexus or motor) axon, shape (n, 3).
    :param ending_depth_m: depth of each afferent's ending (m); NaN for motor axons.
    :param n_clamped: number of fibers whose model diameter was clamped.
    :param terminal_m: (length, diameter) of an unmyelinated free ending past the last
        myelinated node (m), rising vertically to ``position_m``; None: the node is the
        ending.
    """

    fiber_class: FiberClass
    model: str
    diameter_m: NDArray[np.float64]
    model_diameter_m: NDArray[np.float64]
    depth_m: NDArray[np.float64]
    position_m: NDArray[np.float64]
    direction: NDArray[np.float64]
    n_clamped: int
    seed: int
    spec: FiberClassSpec
    ending_depth_m: NDArray[np.float64] | None = None
    evidence_level: EvidenceLevel = EvidenceLevel.ANATOMICAL_ASSUMPTION
    terminal_m: tuple[float, float] | None = None

    @property
    def has_endings(self) -> bool:
        """True for afferents drawn as terminal branch + plexus axon."""
        return self.ending_depth_m is not None

    @property
    def size(self) -> int:
        """Number of fibers."""
        return int(self.diameter_m.size)

    def __repr__(self) -> str:
        d = self.diameter_m * 1e6  # [m -> µm]
        span = f"{d.min():.2f}-{d.max():.2f} µm" if d.size else "empty"
        return (f"FiberPopulation({self.fiber_class.value!r}, model={self.model!r}, "
                f"n={self.size}, {span}, clamped={self.n_clamped})")


def _ro(x: NDArray[np.float64]) -> NDArray[np.float64]:
    x = np.ascontiguousarray(x, dtype=np.float64)
    x.flags.writeable = False
    return x


def truncated_normal_ppf(u: NDArray[np.float64], lo: float, hi: float, mean: float,
                         sd: float) -> NDArray[np.float64]:
    """Quantiles ``u`` of a normal (``mean``, ``sd``) truncated to [``lo``, ``hi``]: the
    inverse CDF through scipy.special's ``ndtr``/``ndtri``, as ``scipy.stats.truncnorm.ppf``
    gives it (within 1e-12 for the truncations used here: tests/unit/test_effects_
    populations.py) without importing scipy.stats, which costs every run ~1 s. A truncation
    wholly above the mean is mirrored below it, where ``ndtr`` keeps its precision."""
    from scipy.special import ndtr, ndtri

    a, b = (lo - mean) / sd, (hi - mean) / sd
    u = np.asarray(u, float)
    sign = 1.0
    if a > 0:  # upper tail: the mirror image's lower tail, quantile 1 - u
        a, b, u, sign = -b, -a, 1.0 - u, -1.0
    pa, pb = ndtr(a), ndtr(b)
    return np.asarray(mean + sign * sd * np.clip(ndtri(pa + u * (pb - pa)), a, b), float)


def _sample_one(spec: FiberClassSpec, n: int, seed: int, region_m: tuple[float, float],
                limb_axis: NDArray[np.float64], depth_range_m: tuple[float, float],
                ending_range_m: tuple[float, float] | None,
                terminal: tuple[float, float, float] | None = None,
                diameter_factor: float = 1.0,
                center_m: tuple[float, float] = (0.0, 0.0)) -> FiberPopulation:
    """One class. ``terminal``: (length, diameter, shallowest tip depth) of a free ending
    (m) above each sampled ending, which is then where the myelin ends. ``diameter_factor``
    scales every sampled diameter (the same draws): intramuscular motor branches.
    ``center_m``: where the region's centre lies (along, across; m)."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, _STREAM[spec.fiber_class]]))
    lo, hi = spec.diameter_range_m
    diam = truncated_normal_ppf(rng.uniform(size=n), lo, hi, spec.diameter_mean_m,
                                spec.diameter_sd_m)
    diam = np.clip(diam, lo, hi) * diameter_factor  # ppf rounding at the edges
    depth = rng.uniform(depth_range_m[0], depth_range_m[1], size=n)
    x = rng.uniform(-0.5 * region_m[0], 0.5 * region_m[0], size=n) + center_m[0]
    y = rng.uniform(-0.5 * region_m[1], 0.5 * region_m[1], size=n) + center_m[1]
    ending = None
    if ending_range_m is not None:
        ending = np.minimum(rng.uniform(ending_range_m[0], ending_range_m[1], size=n), depth)
        if terminal is not None:  # no draw: the sample is the node-ending one's
            ending = np.maximum(ending - terminal[0], terminal[2])
    pos = np.column_stack([x, y, -(depth if ending is None else ending)])
    if spec.orientation is Orientation.ALONG_LIMB:
        direction = np.tile(limb_axis, (n, 1))
    else:
        theta = rng.uniform(0.0, 2.0 * np.pi, size=n)
        direction = np.column_stack([np.cos(theta), np.sin(theta), np.zeros(n)])
    model_diam = diam.copy()
    n_clamped = 0
    valid = MODEL_DIAMETER_RANGE_M.get(spec.model)
    if valid is not None:
        outside = (diam < valid[0]) | (diam > valid[1])
        n_clamped = int(outside.sum())
        if n_clamped:
            model_diam = np.clip(diam, valid[0], valid[1])
            warnings.warn(
                f"{n_clamped} of {n} {spec.fiber_class.value} fibers are outside the "
                f"{spec.model.upper()} geometry range {valid[0] * 1e6:g}-{valid[1] * 1e6:g} "
                "µm; they are simulated at the nearest valid diameter (model_diameter_m). "
                "A clamped-up fiber is more excitable than the thinner real one, so its "
                "computed threshold is a lower bound",
                ModelRangeWarning, stacklevel=3,
            )
    return FiberPopulation(
        fiber_class=spec.fiber_class, model=spec.model, diameter_m=_ro(diam),
        model_diameter_m=_ro(model_diam), depth_m=_ro(depth), position_m=_ro(pos),
        direction=_ro(direction), n_clamped=n_clamped, seed=seed, spec=spec,
        ending_depth_m=None if ending is None else _ro(ending),
        terminal_m=None if terminal is None else (terminal[0], terminal[1]),
    )


def sample_fiber_populations(
    *,
    seed: int,
    counts: Mapping[FiberClass | str, int] | None = None,
    classes: Sequence[FiberClass | str] | None = None,
    region_m: tuple[float, float] = (0.05, 0.05),
    limb_axis: Sequence[float] = (1.0, 0.0, 0.0),
    motor_depth_range_m: tuple[float, float] | None = None,
    motor_region_m: tuple[float, float] | None = None,
    motor_center_m: tuple[float, float] = (0.0, 0.0),
    abeta_region_m: tuple[float, float] | None = None,
    skin_thickness_m: float | None = None,
    table: Sequence[FiberClassSpec] = FIBER_CLASS_TABLE,
    adelta_ending: AdeltaEnding | str = AdeltaEnding.NODE,
    motor_diameter_factor: float = 1.0,
    bone_depth_m: float | None = None,
) -> tuple[FiberPopulation, ...]:
    """Sample fiber populations reproducibly.

    :param seed: integer seed; the same seed and arguments give the same fibers, and each
        class has its own stream (changing one count leaves the others unchanged).
    :param counts: fibers per class, overriding the table's defaults (e.g. ``{"c": 1000}``).
    :param classes: which classes to sample (default: all rows of ``table``).
    :param region_m: (length along x, width along y) of the sampled skin patch (m).
    :param limb_axis: direction of the limb (any non-zero 3-vector, normalised here).
    :param motor_depth_range_m: (min, max) depth of the motor axons for this site (m).
    :param motor_region_m: (along, across) extent over which motor axons are spread (m);
        default ``region_m``.
    :param motor_center_m: (along, across) position of that region's centre (m), from the
        centre of the cutaneous patch: a muscle whose motor points lie beside the pads.
    :param abeta_region_m: (along, across) extent of the Aβ afferents' patch (m), centred
        as ``region_m``; default ``region_m``.
    :param skin_thickness_m: the site's skin thickness (m): cutaneous depths follow it
        (:func:`estim.effects.anatomy.cutaneous_layout`); default: the table's ranges.
    :param adelta_ending: how the Aδ afferents end (:class:`AdeltaEnding`): ``free`` puts
        an unmyelinated terminal above each sampled ending (the same fibers otherwise),
        its tip no shallower than the C fibers' shallowest endings.
    :param motor_diameter_factor: the motor axons' diameter over the table's α-axon
        diameter: 1 for axons in a nerve trunk; the window passes the calibrated diameter
        of intramuscular branches (:data:`estim.effects.calibration.MOTOR_BRANCH_DIAMETER_FACTOR`).
    :raises InputError: unknown class names, negative counts, bad region or axis, a motor
        diameter factor outside (0, 1].
    :warns ModelRangeWarning: when diameters are clamped to a cable model's range.
    """
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise InputError("seed", seed, "a non-negative integer")
    by_class = {spec.fiber_class: spec for spec in table}
    wanted = list(by_class) if classes is None else [_as_class(c, "classes") for c in classes]
    n_by_class = {c: by_class[c].count for c in by_class}
    for key, value in (counts or {}).items():
        cls = _as_class(key, "counts")
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
            raise InputError(f"counts[{key!r}]", value, "a non-negative integer")
        n_by_class[cls] = int(value)
    region = _region(region_m, "region_m")
    axis = np.asarray(limb_axis, dtype=np.float64)
    norm = float(np.linalg.norm(axis)) if axis.shape == (3,) else 0.0
    if not (np.isfinite(norm) and norm > 0):
        raise InputError("limb_axis", limb_axis, "a non-zero 3-vector")
    axis = axis / norm
    motor_region = region if motor_region_m is None else _region(motor_region_m,
                                                                  "motor_region_m")
    abeta_region = region if abeta_region_m is None else _region(abeta_region_m,
                                                                  "abeta_region_m")
    try:
        center = tuple(float(v) for v in motor_center_m)
    except (TypeError, ValueError):
        center = ()
    if len(center) != 2 or not all(math.isfinite(v) and abs(v) < 1.0 for v in center):
        raise InputError("motor_center_m", motor_center_m,
                         "(along, across) in m, each finite and within 1 m")
    factor = float(motor_diameter_factor) if isinstance(motor_diameter_factor, numbers.Real) \
        and not isinstance(motor_diameter_factor, bool) else math.nan
    if not 0.0 < factor <= 1.0:
        raise InputError("motor_diameter_factor", motor_diameter_factor,
                         "a fraction in (0, 1]: branches are no thicker than their axon")
    try:
        ending_kind = AdeltaEnding(str(adelta_ending).lower())
    except ValueError:
        raise InputError("adelta_ending", adelta_ending,
                         "one of " + ", ".join(e.value for e in AdeltaEnding)) from None
    shallowest = PERIOSTEAL_PLEXUS_ABOVE_BONE_M[1]
    if bone_depth_m is not None and not (isinstance(bone_depth_m, numbers.Real)
                                         and shallowest < float(bone_depth_m) < 1.0):
        raise InputError("bone_depth_m", bone_depth_m,
                         f"the bone's depth in m, over {shallowest * 1e3:g} mm and under 1 m")
    out = []
    for cls in wanted:
        spec = by_class[cls]
        depth = spec.depth_range_m
        ending = spec.ending_depth_range_m
        where = abeta_region if cls is FiberClass.A_BETA else region
        terminal = None
        if cls is FiberClass.PERIOSTEAL:
            if bone_depth_m is None:
                continue  # no bone under the patch
            layout = periosteal_layout(float(bone_depth_m))
            depth, ending = layout.plexus_depth_m, layout.ending_depth_m
            terminal = (*free_ending(None)[:2], 0.0)
        elif cls is FiberClass.MOTOR:
            where = motor_region
            if motor_depth_range_m is not None:
                d0, d1 = (float(v) for v in motor_depth_range_m)
                # as deep as a site's layers may reach (a planar patch's 30 cm in all)
                if not (np.isfinite(d0) and np.isfinite(d1) and 0 < d0 <= d1 < MAX_DEPTH_M):
                    raise InputError("motor_depth_range_m", motor_depth_range_m,
                                     f"(min, max) depth in m with 0 < min <= max < "
                                     f"{MAX_DEPTH_M:g}")
                depth = (d0, d1)
        elif skin_thickness_m is not None and ending is not None:
            layout = cutaneous_layout(cls.value, float(skin_thickness_m))
            depth, ending = layout.plexus_depth_m, layout.ending_depth_m
        if cls is FiberClass.A_DELTA and ending_kind is AdeltaEnding.FREE:
            terminal = free_ending(skin_thickness_m)
        motor = cls is FiberClass.MOTOR
        out.append(_sample_one(spec, n_by_class[cls], int(seed), where, axis, depth, ending,
                               terminal, factor if motor else 1.0,
                               (center[0], center[1]) if motor else (0.0, 0.0)))
    return tuple(out)


def free_ending(skin_thickness_m: float | None) -> tuple[float, float, float]:
    """(length, diameter, shallowest tip depth) of an Aδ free ending (m): the terminal of
    :data:`estim.fibers.tables.FREE_ENDING`; its tip no shallower than the C fibers'
    intraepidermal endings (:func:`estim.effects.anatomy.cutaneous_layout`) in skin of this
    thickness (default: the C row of the class table)."""
    from estim.fibers.tables import FREE_ENDING

    if skin_thickness_m is None:
        spec = next(s for s in FIBER_CLASS_TABLE if s.fiber_class is FiberClass.C)
        shallowest = (spec.ending_depth_range_m or (0.0, 0.0))[0]
    else:
        shallowest = cutaneous_layout("c", float(skin_thickness_m)).ending_depth_m[0]
    return (float(FREE_ENDING["length"]) * 1e-6, float(FREE_ENDING["diameter"]) * 1e-6,
            shallowest)  # [µm -> m]


def _region(value: tuple[float, float], field: str) -> tuple[float, float]:
    region = tuple(float(v) for v in value)
    if len(region) != 2 or not all(np.isfinite(v) and v > 0 for v in region):
        raise InputError(field, value, "(length, width) in m, both > 0")
    return (region[0], region[1])


def _as_class(value: FiberClass | str, field: str) -> FiberClass:
    try:
        text = str(value).lower().replace("β", "beta").replace("δ", "delta")
        return FiberClass(text.replace("_", "").replace("-", "").replace(" ", ""))
    except ValueError:
        raise InputError(field, value,
                         "one of " + ", ".join(c.value for c in FiberClass)) from None
