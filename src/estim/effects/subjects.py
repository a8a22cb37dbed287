"""Thresholds as a band over virtual subjects, not one number.

People differ: the same pads and pulse are felt at thresholds ±30-40 % apart. estim draws
virtual subjects whose skin and subcutaneous fat thickness and innervation density vary as
:data:`SUBJECT_SPREAD` says (each with its source), whose motor points lie up or down the
limb by the spread measured for the muscle under the pads
(:attr:`estim.effects.anatomy.Muscle.motor_point_sd_m`, each with its source; none drawn
where none was found measured), and whose axons are more or less
excitable by one factor on every fiber's threshold (the rest of the person-to-person spread:
axon excitability, electrode-skin contact, the person's own criterion), calibrated on the
spread of detection thresholds in 254 people
(:data:`estim.effects.calibration.SUBJECT_EXCITABILITY_CV`); it reports every threshold of
the sensation window as the median and the 10th-90th percentile band over them.

How a subject's thresholds are found without simulating every fiber again: a fiber's
threshold is inversely proportional to the strength of the field that drives it (the cable
is linear below threshold), so each fiber's threshold in the subject is its threshold in the
reference anatomy times the ratio of its drive there to its drive in the subject. The drive
is the peak activating function along the fiber (second difference of φ; the first
difference at the ending) and both fields come from the semi-analytic layered solver
(:func:`estim.fields.fast.channel_potential`, ~0.1 s a subject), so its error against the
FEM cancels in the ratio. In the subject, an afferent's ending keeps its depth as a
fraction of the skin's thickness and a motor axon its depth inside the muscle; each fiber
moves rigidly. The approximation is checked against fibers simulated again in the
subject's field in ``tests/integration/test_effects_subjects.py``. The two carriers of true
interferential current each have their own field: over a beat their phases drift through
every difference, so a node's strongest drive is the sum of the two channels' |activating
function| there (each weighted by its channel's peak), and the fiber's drive is the largest
such sum along it; the same scaling then holds, checked the same way. Where the fast solver
does not apply (brain sites, pads across the limb) there is no band and the window says so.

The subjects' fields are the costly part (one fast solve a subject and channel) and depend
only on the site, the pads and the draw, not on the pulse: the ratios of drives they give,
one per subject and fiber, are kept in memory (the last :data:`MEMORY_ENTRIES`) and in the
disk cache (:mod:`estim.cache`, kind ``subject_drives``), keyed by the site's layers, the
pads, the fibers' nodes, the subjects' skin and fat factors and the fast solver's source
(and, for true interferential current, the other channel's pads and relative peak). A sweep over
the pulse at one site, and every ``estim run`` after the first, computes them once.

Evidence: anatomical assumption (spreads from published means ± SD; distribution shapes
assumed log-normal).
"""

from __future__ import annotations

import hashlib
import importlib.util
import math
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, Protocol

import numpy as np
from numpy.typing import NDArray

from estim.cache import digest, load_arrays, store_arrays
from estim.effects.calibration import (
    PAIN_CRITERION_CV,
    SUBJECT_EXCITABILITY_CV,
    SensationCounts,
)
from estim.effects.sensation import (
    Band,
    CountCriterion,
    SensationCriteria,
    ThresholdBands,
)

if TYPE_CHECKING:
    from estim.effects.anatomy import Muscle
    from estim.effects.drive import Volleys
    from estim.effects.window import ClassThresholds, SensationWindow
    from estim.fields.electrodes import Electrode
    from estim.fields.sites import Site

__all__ = ["SUBJECT_SPREAD", "beyond_sample_note", "counts_beyond_sample", "drive_ratios",
           "lognormal_factor", "prefetch_drive_ratios", "subject_thresholds", "threshold_bands",
           "with_bands"]

F = NDArray[np.float64]
#: The channels that run together with the main one (true interferential current's other
#: carrier): each one's anode, cathode and peak relative to the main channel's.
Others = tuple[tuple["Electrode", "Electrode", float], ...]


class ChannelPads(Protocol):
    """What the bands need of a channel's field solution: its two pads."""

    @property
    def anode(self) -> Electrode: ...

    @property
    def cathode(self) -> Electrode: ...


#: Coefficient of variation between people of each quantity a virtual subject draws
#: (log-normal with a mean of 1 x the site's own value), with the source of the spread.
SUBJECT_SPREAD: dict[str, tuple[float, str]] = {
    "skin_thickness": (0.15, "assumed from the spread of dermal thickness at one site "
                             "in Lee & Hwang 2002 (Surg Radiol Anat 24:183); SD/mean ~0.15"),
    "fat_thickness": (0.40, "healthy adults of both sexes, by ultrasound: Botter et al. 2011 "
                            "(Eur J Appl Physiol 111:2461, table 1, 53 people) 7 ± 3 to "
                            "10 ± 5 mm at the quadriceps' motor points, CV 0.38-0.50; Mechelli "
                            "et al. 2019 (JCSM Clin Rep 4) 10.4 ± 4.1 mm over the anterior "
                            "thigh, 0.39; Petrofsky et al. 2008 (Med Eng Phys 30:931) "
                            "4.8 ± 1.6 mm over the biceps, 0.33 (0.17 over quadriceps and "
                            "gastrocnemius); pooled over sexes as the detection study is"),
    "innervation_density": (0.20, "assumed: Corniani & Saal 2020 give 200,000-270,000 "
                                  "tactile afferents in total (± 15 % around 230,000)"),
    "excitability": (SUBJECT_EXCITABILITY_CV,
                     "one factor on every fiber's threshold of a subject (axon excitability, "
                     "electrode-skin contact, own criterion): calibrated so that detection "
                     "varies as in 254 people, SD/mean 0.277 (estim.effects.calibration)"),
    "pain_criterion": (PAIN_CRITERION_CV,
                       "one more factor on a subject's pain threshold alone (what a person "
                       "calls painful, beyond what moves all their thresholds): calibrated so "
                       "that pain varies as maximal tolerated NMES did in 22 people, SD/mean "
                       "0.41 (estim.effects.calibration)"),
}


def _activating(points: F, phi: F) -> F | None:
    """|activating function| at a fiber's nodes (V/m², per A; ``points`` and ``phi`` at the
    nodes): the second difference of φ over the arc length, and the first difference at
    the two ends. Nodes outside the modelled tissue take the nearest inside value, as in
    the fiber stage. None: too few nodes, or none inside."""
    ok = np.isfinite(phi)
    if points.shape[0] < 3 or not ok.any():
        return None
    if not ok.all():  # outside the modelled tissue: the nearest inside value (no drive)
        idx = np.arange(phi.size)
        phi = np.interp(idx, idx[ok], phi[ok])
    ds = np.linalg.norm(np.diff(points, axis=0), axis=1)
    ds = np.where(ds > 0, ds, np.min(ds[ds > 0]) if np.any(ds > 0) else 1.0)
    grad = np.diff(phi) / ds
    act = np.empty_like(phi)
    act[1:-1] = np.diff(grad) / (0.5 * (ds[:-1] + ds[1:]))
    act[0] = grad[0] / ds[0]
    act[-1] = -grad[-1] / ds[-1]
    return np.asarray(np.abs(act), dtype=float)


def _drive(points: F, phi: F, weights: F | None = None) -> float:
    """Peak |activating function| along a fiber's nodes (:func:`_activating`). With one
    row of ``phi`` per channel that runs at once (their ``weights``: peaks relative to
    the first), the peak over the nodes of the weighted sum of each channel's |activating
    function|: what the node sees where the carriers of a beat are in phase."""
    phi = np.asarray(phi, float)
    rows = phi[None, :] if phi.ndim == 1 else phi
    w = np.ones(rows.shape[0]) if weights is None else np.asarray(weights, float)
    total: F | None = None
    for row, weight in zip(rows, w, strict=True):
        act = _activating(points, row)
        if act is None:
            return math.nan
        total = weight * act if total is None else total + weight * act
    return math.nan if total is None else float(np.max(total))


def _depths(points: F, site: Site, cathode: Electrode) -> F:
    """Depth below the skin (m) of each point, on a planar site (along the pad normal) or a
    limb (radially below the elliptic surface)."""
    if site.kind == "limb":
        a, b = site.radius_x, site.radius_y
        phi = np.arctan2(points[:, 1], points[:, 0])
        surf = a * b / np.hypot(b * np.cos(phi), a * np.sin(phi))
        out: F = surf - np.hypot(points[:, 0], points[:, 1])
        return out
    p0 = np.asarray(cathode.position, float)
    n = np.asarray(cathode.normal, float)
    return np.asarray(-(points - p0) @ n, dtype=float)


def _move(points: F, new_depth: F, old_depth: F, site: Site, cathode: Electrode) -> F:
    """``points`` moved to ``new_depth`` along the local inward direction."""
    shift = (new_depth - old_depth)[:, None]
    if site.kind == "limb":
        radial = points.copy()
        radial[:, 2] = 0.0
        r = np.linalg.norm(radial, axis=1, keepdims=True)
        return np.asarray(points - shift * radial / np.where(r > 0, r, 1.0), dtype=float)
    n = np.asarray(cathode.normal, float)
    return np.asarray(points - shift * n[None, :], dtype=float)


def subject_points(fiber_class: str, points: F, site: Site, cathode: Electrode, *,
                   skin_scale: float, skin_m: float, fat_m: float,
                   motor_shift_m: float = 0.0) -> F:
    """A fiber's points in a subject whose skin is ``skin_scale`` x the site's and whose
    skin and fat are ``skin_m`` and ``fat_m`` thicker (m; negative: thinner): a motor axon
    keeps its depth inside the muscle, an afferent's ending its depth as a fraction of the
    skin; the fiber moves rigidly (its cable geometry is the reference one), and on a limb
    a motor axon no deeper than the bone's surface, which stays put. On a limb a
    motor axon also moves ``motor_shift_m`` along the limb (+z): where the subject's motor
    points lie (:attr:`~estim.effects.anatomy.Muscle.motor_point_sd_m`)."""
    if fiber_class == "motor" and motor_shift_m and site.kind == "limb":
        shift = _shift_within(points, site, motor_shift_m)
        points = np.asarray(points, float) + np.array([0.0, 0.0, shift])
    depth = _depths(points, site, cathode)
    if fiber_class == "motor":
        shift = skin_m + fat_m
        if site.kind == "limb" and site.layers[-1].tissue == "bone" and shift > 0:
            # a limb's bone stays put as the fat grows: an axon goes down no further than
            # its surface, as the site's own deepest axons stop there (site_anatomy)
            radius = np.hypot(np.asarray(points)[:, 0], np.asarray(points)[:, 1])
            shift = min(shift, max(float(np.min(radius)) - site.layers[-1].thickness, 0.0))
    elif fiber_class == "periosteal":
        # on the bone: a planar site's layers stack (the bone goes down with the skin and
        # fat), a limb's muscle refills to the same outer surface (the bone stays put)
        shift = 0.0 if site.kind == "limb" else skin_m + fat_m
    else:
        shift = float(depth[0]) * (skin_scale - 1.0)  # the ending is the first compartment
    return _move(points, depth + shift, depth, site, cathode)


def _shift_within(points: F, site: Site, shift_m: float) -> float:
    """``shift_m`` along the limb, as far as the axon at ``points`` stays on the modelled
    segment (±length / 2): the field beyond its ends is not modelled, and the pads can lie
    a few cm from them, so an axon the move would carry past an end stops at it (one
    already past it in the site's anatomy does not move further out)."""
    z = np.asarray(points, float)[:, 2]
    half = site.length / 2
    if shift_m > 0:
        return min(shift_m, max(0.0, half - float(z.max())))
    return max(shift_m, min(0.0, -half - float(z.min())))


def _percentile(values: F, q: float) -> float:
    """The ``q``-th percentile of every subject's threshold (numpy's linear rule), a subject
    that never reaches it (inf) counting above all that do: a percentile that falls on or
    between such subjects is open (inf), never one taken among the others alone."""
    v = np.sort(np.asarray(values, float))
    pos = q / 100.0 * (v.size - 1)
    lo, hi = math.floor(pos), math.ceil(pos)
    if not math.isfinite(v[hi]):
        return math.inf
    return float(v[lo] + (v[hi] - v[lo]) * (pos - lo))


def _band(values: F) -> Band:
    """p10, median and p90 over all the subjects (see :func:`_percentile`)."""
    return Band(*(_percentile(values, q) for q in (10, 50, 90)))


def subject_thresholds(classes: Mapping[str, ClassThresholds], channel_field: ChannelPads,
                       site: Site, *, counts: SensationCounts | None,
                       criteria: SensationCriteria, available: Mapping[str, float],
                       n_subjects: int = 20, seed: int = 0,
                       excitability_cv: float | None = None,
                       pain_cv: float | None = None,
                       train: Volleys | None = None, others: Others = ()
                       ) -> tuple[dict[str, F], str] | None:
    """The window's thresholds (A) in each of ``n_subjects`` virtual subjects: arrays
    ``"sensory"``, ``"strong"``, ``"motor"`` and ``"pain"``, and the fast field's note on
    its validity ("" when valid); None: no fast field for this site or these pads.

    :param classes: the window's thresholds per class, with the fibers' points.
    :param channel_field: the channel's field solution (its ``anode`` and ``cathode``).
    :param counts: the calibrated counts (None: the window's fractions are used as they are).
    :param available: afferents per class in the sampled area at the site's own density.
    :param excitability_cv: spread of the per-subject factor on every threshold (None: the
        calibrated :data:`~estim.effects.calibration.SUBJECT_EXCITABILITY_CV`; 0: anatomy
        alone, as the calibration needs it).
    :param pain_cv: spread of the per-subject factor on the pain threshold alone (None: the
        calibrated :data:`~estim.effects.calibration.PAIN_CRITERION_CV`; 0: none, as its
        calibration needs it).
    :param train: the program's motor volleys (:func:`estim.effects.drive.volleys`): with
        amplitude modulation each subject's motor threshold is found on them
        (:func:`~estim.effects.window.motor_threshold`); otherwise the criteria's fraction
        at the peak is exact.
    :param others: the channels whose fields act on the fibers with this one's (true
        interferential current: :func:`_drive` of both).
    """
    from estim.effects.calibration import criteria_from_counts
    from estim.effects.window import motor_threshold, pain_threshold

    anode, cathode = channel_field.anode, channel_field.cathode
    thick = {ly.tissue: ly.thickness for ly in site.layers}
    if "skin" not in thick:
        return None
    skin_k, fat_k, dens_k, excite_k, along_z, pain_k = _draws(
        n_subjects, seed,
        SUBJECT_EXCITABILITY_CV if excitability_cv is None else excitability_cv,
        PAIN_CRITERION_CV if pain_cv is None else pain_cv)
    fibers = {name: c for name, c in classes.items() if c.points_m and c.nodes}
    at_nodes = {name: [p[n] for p, n in zip(c.points_m, c.nodes, strict=True)]
                for name, c in fibers.items()}
    drawn = drive_ratios(at_nodes, site, anode, cathode, skin_k=skin_k, fat_k=fat_k,
                         motor_shift_m=motor_shifts(site, cathode, along_z), others=others)
    if drawn is None:
        return None
    ratios, note = drawn
    # the window's criteria carry the visible-contraction fraction of the program's train
    motor_frac = criteria.motor_fraction_without_force
    rows: dict[str, list[float]] = {"sensory": [], "strong": [], "motor": [], "pain": []}
    for k in range(n_subjects):
        # each fiber's threshold x its drive ratio x the subject's excitability
        subject = {name: replace(c, thresholds_a=c.thresholds_a
                                 * (excite_k[k] * ratios[name][k]))
                   for name, c in fibers.items()}
        # a subject's innervation density moves the Aβ counts' fractions; pain's fraction
        # (with the program's rate) and the motor criterion are the window's own
        crit = criteria if counts is None else replace(criteria_from_counts(
            counts, {cls: n * dens_k[k] for cls, n in available.items()}),
            pain_adelta_fraction=criteria.pain_adelta_fraction,
            motor_fraction_without_force=criteria.motor_fraction_without_force)
        rows["sensory"].append(_at(subject, "abeta", crit.sensory_abeta_fraction))
        rows["strong"].append(_at(subject, "abeta", crit.strong_abeta_fraction))
        if train is not None and train.modulated and "motor" in subject:
            rows["motor"].append(motor_threshold(subject["motor"], train, criteria))
        else:
            rows["motor"].append(_at(subject, "motor", motor_frac))
        # the subject's own pain criterion, beyond what it shares with every threshold
        rows["pain"].append(pain_threshold(subject, crit) * pain_k[k])
    return {k: np.asarray(v, dtype=float) for k, v in rows.items()}, note


def lognormal_factor(rng: np.random.Generator, cv: float,
                     size: int | None = None) -> F | float:
    """A log-normal factor of mean 1 and coefficient of variation ``cv`` drawn from ``rng``
    (``size`` of them; None: one number), as every spread between virtual people is drawn.

    >>> round(float(np.mean(lognormal_factor(np.random.default_rng(0), 0.3, 200_000))), 2)
    1.0
    """
    s = math.sqrt(math.log1p(cv * cv))
    out = np.exp(rng.normal(-0.5 * s * s, s, size))
    return float(out) if size is None else np.asarray(out, dtype=float)


class _Draws(NamedTuple):
    """Each virtual subject's draws (:func:`_draws`), one value per subject."""

    skin: F  #: skin thickness, a multiple of the site's
    fat: F  #: subcutaneous fat thickness, a multiple of the site's
    density: F  #: innervation density, a multiple of the site's
    excitability: F  #: the factor on every fiber's threshold
    along_z: F  #: standard normal: where the motor points lie (:func:`motor_shifts`)
    pain: F  #: the factor on the pain threshold alone


def _draws(n_subjects: int, seed: int, excitability_cv: float,
           pain_cv: float = 0.0) -> _Draws:
    """Each subject's skin thickness, fat thickness and innervation density (multiples of
    the site's) and excitability factor: log-normal with mean 1 and the spreads of
    :data:`SUBJECT_SPREAD`, the excitability drawn after them (so the anatomy of subject k
    is the same whatever its spread); then a standard normal draw per subject for where its
    motor points lie (:func:`motor_shifts`), and last the factor of spread ``pain_cv`` on its
    pain threshold alone (each drawn after the others, so that they are the draws they
    were before it)."""
    rng = np.random.default_rng(seed)

    def draw(cv: float) -> F:
        return np.asarray(lognormal_factor(rng, cv, n_subjects), dtype=float)

    skin_k, fat_k, dens_k = (draw(SUBJECT_SPREAD[k][0]) for k in
                             ("skin_thickness", "fat_thickness", "innervation_density"))
    excite_k = draw(excitability_cv)
    along_z = np.asarray(rng.normal(0.0, 1.0, n_subjects), dtype=float)
    return _Draws(skin_k, fat_k, dens_k, excite_k, along_z, draw(pain_cv))


def motor_shifts(site: Site, cathode: Electrode, along_z: F) -> F:
    """Each subject's motor points moved along the limb (m): the standard normal draws
    ``along_z`` times the spread between people of the muscle under ``cathode``
    (:attr:`~estim.effects.anatomy.Muscle.motor_point_sd_m`); zeros on a site that is no
    limb or a muscle without a measured spread."""
    muscle = _limb_muscle(site, cathode)
    sd = 0.0 if muscle is None else muscle.motor_point_sd_m
    return np.asarray(along_z, float) * sd


def _limb_muscle(site: Site, cathode: Electrode) -> Muscle | None:
    """The muscle under ``cathode`` on a limb, whose motor points the subjects move; None
    off a limb."""
    from estim.effects.placement import site_muscle

    return site_muscle(site, cathode) if site.kind == "limb" else None


def prefetch_drive_ratios(at_nodes: Mapping[str, list[F]], site: Site, anode: Electrode,
                          cathode: Electrode, *, n_subjects: int = 20, seed: int = 0,
                          others: Others = ()) -> Future[object]:
    """Start :func:`drive_ratios` on a thread for the subjects that
    :func:`subject_thresholds` draws with ``n_subjects`` and ``seed``; the ratios go to
    memory and the disk cache, where :func:`subject_thresholds` then finds them.

    ``estim run`` starts it before the site's FEM field is meshed and solved, which keeps
    one core busy: the subjects' fast fields take the other (docs/effects.md, Time).
    :meth:`Future.result` waits for it and raises what it raised.
    """
    skin_k, fat_k, _, _, along_z, _ = _draws(n_subjects, seed, 0.0)
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="estim-subjects")
    try:
        return pool.submit(drive_ratios, at_nodes, site, anode, cathode,
                           skin_k=skin_k, fat_k=fat_k,
                           motor_shift_m=motor_shifts(site, cathode, along_z), others=others)
    finally:
        pool.shutdown(wait=False)  # the submitted call runs on; the thread ends with it


#: Bump when the drive ratios change their numbers (invalidates the cached entries).
_CACHE_VERSION = "subject-drives-5"
_CACHE_KIND = "subject_drives"

#: Sets of drive ratios kept in memory per process (the least recently used goes first).
MEMORY_ENTRIES = 8
#: Threads solving the virtual subjects' fields at once.
SUBJECT_THREADS = min(4, os.cpu_count() or 1)
# (ratios per class, note); ratios None: the fast field does not cover the site or pads
_Drawn = tuple[dict[str, F] | None, str]
_memory: OrderedDict[str, _Drawn] = OrderedDict()
_memory_lock = threading.Lock()


@lru_cache(maxsize=1)
def _fast_solver_source() -> str:
    """sha256 of the fast layered solver's source: the cached ratios are its numbers, so an
    edit of the solver (which need not bump a version) makes new keys."""
    h = hashlib.sha256()
    for module in ("estim.fields.fast", "estim.fields.box", "estim.fields.cylinder",
                   "estim.fields.bessel"):
        spec = importlib.util.find_spec(module)
        if spec is not None and spec.origin is not None:
            h.update(Path(spec.origin).read_bytes())
    return h.hexdigest()


def drive_ratios(at_nodes: Mapping[str, list[F]], site: Site, anode: Electrode,
                 cathode: Electrode, *, skin_k: F, fat_k: F, motor_shift_m: F | None = None,
                 others: Others = ()) -> tuple[dict[str, F], str] | None:
    """Each fiber's threshold factor in each subject from its drive alone: the ratio of its
    drive in the site's own field to its drive in the subject's (1 where either is not
    finite and positive), as arrays (subjects, fibers) per class; and the fast field's note
    on its validity ("" when valid). None: no fast field for this site or these pads.

    :param at_nodes: per class, each fiber's node coordinates (m) in the site.
    :param skin_k: each subject's skin thickness as a multiple of the site's.
    :param fat_k: each subject's fat thickness as a multiple of the site's.
    :param motor_shift_m: each subject's motor points moved along the limb (m;
        :func:`motor_shifts`); None or zeros: where the site's are.
    :param others: channels whose fields act with this one's (:data:`Others`).

    Served from memory or the disk cache when the same site, pads, fibers and subjects were
    drawn before (the result is the same array, bit for bit).
    """
    from estim.version import __version__

    shift = np.zeros(len(skin_k)) if motor_shift_m is None else np.asarray(motor_shift_m,
                                                                            float)
    fat_m = _fitted_fat(site, skin_k, fat_k)
    # one channel keeps the key it had before channels could run together
    key = digest(_CACHE_VERSION, __version__, _fast_solver_source(), site, anode, cathode,
                 np.asarray(skin_k, float), np.asarray(fat_k, float), fat_m,
                 {name: tuple(pts) for name, pts in at_nodes.items()},
                 *((("others", tuple(others)),) if others else ()),
                 # no shift adds nothing to the key
                 *((("motor_shift", shift),) if shift.any() else ()))
    with _memory_lock:
        drawn = _memory.get(key)
    if drawn is None:
        shapes = {name: (len(skin_k), len(pts)) for name, pts in at_nodes.items()}
        drawn = _load(key, shapes)
        if drawn is None:
            drawn = _compute_ratios(at_nodes, site, anode, cathode, skin_k=skin_k,
                                    fat_k=fat_k, fat_m=fat_m, motor_shift_m=shift,
                                    others=others)
            _store(key, drawn)
    with _memory_lock:
        _memory[key] = drawn
        _memory.move_to_end(key)
        while len(_memory) > MEMORY_ENTRIES:  # the least recently used goes
            _memory.popitem(last=False)
    ratios, note = drawn
    return None if ratios is None else (ratios, note)


def _fitted_fat(site: Site, skin_k: F, fat_k: F) -> F:
    """Each subject's fat thickness (m): the site's times its draw, on a limb no more than
    leaves it some muscle (:func:`~estim.fields.sites.fat_that_fits`); zeros without fat."""
    from estim.fields.sites import fat_that_fits

    thick = {ly.tissue: ly.thickness for ly in site.layers}
    return np.array([fat_that_fits(site, skin_m=thick.get("skin", 0.0) * sk,
                                   fat_m=thick.get("fat", 0.0) * fk)
                     for sk, fk in zip(skin_k, fat_k, strict=True)], dtype=float)


def _compute_ratios(at_nodes: Mapping[str, list[F]], site: Site, anode: Electrode,
                    cathode: Electrode, *, skin_k: F, fat_k: F, fat_m: F, motor_shift_m: F,
                    others: Others = ()) -> _Drawn:
    """:func:`drive_ratios` computed: one fast field per channel for the site, and one per
    channel and subject (whose fat is ``fat_m``, :func:`_fitted_fat` of its draw ``fat_k``)."""
    from estim.errors import InputError
    from estim.fields.fast import channel_potential
    from estim.fields.sites import MIN_SUBJECT_MUSCLE_M

    thick = {ly.tissue: ly.thickness for ly in site.layers}
    pads = [(anode, cathode), *((a, c) for a, c, _ in others)]
    weights = np.array([1.0, *(float(w) for _, _, w in others)])
    try:
        base = [channel_potential(site, a, c) for a, c in pads]
    except InputError as err:
        return None, str(err)

    def phi_at(fields: Sequence[Callable[[F], F]], points: F) -> F:
        return np.stack([np.asarray(f(points), float) for f in fields])

    base_drive = {name: np.array([_drive(p, phi_at(base, p), weights) for p in pts])
                  for name, pts in at_nodes.items()}
    ratios = {name: np.ones((len(skin_k), len(pts))) for name, pts in at_nodes.items()}
    # the subjects with motor axons that their motor points' move would carry past the
    # modelled segment's end (:func:`_shift_within` stops them there)
    stopped = np.array([site.kind == "limb" and bool(shift) and any(
        _shift_within(p, site, float(shift)) != shift for p in at_nodes.get("motor", ()))
        for shift in motor_shift_m])

    # the subjects whose fat would leave their limb no muscle (it keeps its girth)
    drawn_fat = thick.get("fat", 0.0) * np.asarray(fat_k, float)
    fitted_fat = np.asarray(fat_m, float)

    def subject(k: int) -> str | None:
        """Row ``k`` of every ratio (subject k's field); an error's text if none."""
        skin = thick["skin"] * skin_k[k]
        fat = float(fitted_fat[k])
        try:
            fields = [channel_potential(site, a, c, skin_thickness=skin,
                                        fat_thickness=fat if "fat" in thick else None)
                      for a, c in pads]
        except InputError as err:
            return str(err)
        moved = [(name, i, subject_points(name, p, site, cathode, skin_scale=skin_k[k],
                                          skin_m=skin - thick["skin"],
                                          fat_m=fat - thick.get("fat", 0.0),
                                          motor_shift_m=float(motor_shift_m[k])))
                 for name, pts in at_nodes.items() for i, p in enumerate(pts)]
        if not moved:
            return None
        # every fiber in one call per channel (the potential at a point does not depend on
        # the others)
        phis = np.split(phi_at(fields, np.concatenate([m for _, _, m in moved])),
                        np.cumsum([len(m) for _, _, m in moved])[:-1], axis=1)
        for (name, i, points), phi in zip(moved, phis, strict=True):
            drive = _drive(points, phi, weights)
            if math.isfinite(drive) and drive > 0 and math.isfinite(base_drive[name][i]):
                ratios[name][k, i] = base_drive[name][i] / drive
        return None

    # the subjects are independent (each writes its own row): numpy's and scipy's transforms
    # release the interpreter, so two threads take ~0.6 of the time on two cores
    with ThreadPoolExecutor(max_workers=SUBJECT_THREADS) as pool:
        errors = [e for e in pool.map(subject, range(len(skin_k))) if e is not None]
    if errors:
        return None, errors[0]
    notes = [f.note for f in base if not f.valid]
    if (capped := fitted_fat < drawn_fat).any():
        notes.append(f"in {int(capped.sum())} of {len(capped)} virtual subjects the fat drawn "
                     f"would leave the limb no muscle, so it stops {MIN_SUBJECT_MUSCLE_M * 1e3:g}"
                     " mm short of the bone")
    if stopped.any():
        notes.append(f"in {int(stopped.sum())} of {len(stopped)} virtual subjects some motor "
                     "axons, moved with their motor points, stop at the modelled limb's end")
    return ratios, "; ".join(notes)


def _load(key: str, shapes: Mapping[str, tuple[int, int]]) -> _Drawn | None:
    """The entry under ``key`` when it is whole and of the expected shapes, else None."""
    hit = load_arrays(_CACHE_KIND, key)
    if hit is None or "note" not in hit or "covered" not in hit:
        return None
    if not bool(hit["covered"]):
        return None, str(hit["note"])
    ratios = {}
    for name, shape in shapes.items():
        arr = hit.get(f"ratio_{name}")
        if arr is None or arr.shape != shape or arr.dtype != np.float64:
            return None
        arr.setflags(write=False)
        ratios[name] = arr
    return ratios, str(hit["note"])


def _store(key: str, drawn: _Drawn) -> None:
    ratios, note = drawn
    arrays: dict[str, NDArray[np.generic]] = {"note": np.array(note),
                                              "covered": np.array(ratios is not None)}
    for name, arr in (ratios or {}).items():
        arrays[f"ratio_{name}"] = arr
        arr.setflags(write=False)
    store_arrays(_CACHE_KIND, key, arrays)


def threshold_bands(classes: Mapping[str, ClassThresholds], channel_field: ChannelPads,
                    site: Site, *, counts: SensationCounts | None,
                    criteria: SensationCriteria, available: Mapping[str, float],
                    n_subjects: int = 20, seed: int = 0,
                    train: Volleys | None = None, others: Others = ()
                    ) -> ThresholdBands | None:
    """The window's thresholds over ``n_subjects`` virtual subjects as bands (None: no fast
    field for this site or these pads); the arguments are :func:`subject_thresholds`'s."""
    drawn = subject_thresholds(classes, channel_field, site, counts=counts,
                               criteria=criteria, available=available, n_subjects=n_subjects,
                               seed=seed, train=train, others=others)
    if drawn is None:
        return None
    rows, note = drawn
    sensory, strong, motor, pain = (_band(rows[k])
                                    for k in ("sensory", "strong", "motor", "pain"))
    muscle = _limb_muscle(site, channel_field.cathode)
    return ThresholdBands(n_subjects, sensory, strong, motor, pain, note=note,
                          spread=SUBJECT_SPREAD,
                          motor_points=(0.0, "") if muscle is None else (
                              muscle.motor_point_sd_m, muscle.motor_point_spread),
                          beyond_sample=counts_beyond_sample(counts, available,
                                                             n_subjects=n_subjects, seed=seed),
                          per_subject={k: tuple(float(x) for x in rows[k])
                                       for k in ("sensory", "strong", "motor", "pain")})


def _needed(counts: SensationCounts) -> dict[CountCriterion, float]:
    """The Aβ afferents each count criterion needs (calibrated counts)."""
    return {"detection": counts.detection_abeta, "strong tingling": counts.strong_abeta}


def counts_beyond_sample(counts: SensationCounts | None, available: Mapping[str, float], *,
                         n_subjects: int = 20, seed: int = 0
                         ) -> dict[CountCriterion, tuple[int, ...]]:
    """Which of the virtual subjects (:func:`subject_thresholds` with the same
    ``n_subjects`` and ``seed``) need at least as many Aβ afferents for ``"detection"`` or
    ``"strong tingling"`` as lie in the sampled area at their own innervation density: their
    criterion is then capped at every sampled afferent
    (:func:`~estim.effects.calibration.criteria_from_counts`, the same arithmetic), so their
    threshold is the last one's, where the window's sample ends, not the count's. Only
    criteria some subject misses are listed; {} without counts or sampled Aβ.

    >>> from estim.effects.calibration import SensationCounts
    >>> counts_beyond_sample(SensationCounts(10.0, 90.0, 0.5), {"abeta": 100.0}, seed=0)
    {'strong tingling': (0, 11, 14, 18, 19)}
    """
    have = float(available.get("abeta", 0.0))
    if counts is None or not have > 0:
        return {}
    density = _draws(n_subjects, seed, 0.0).density
    out: dict[CountCriterion, tuple[int, ...]] = {}
    for what, n in _needed(counts).items():
        # criteria_from_counts' fraction min(1, n / available) at the subject's available
        short = tuple(int(k) for k in np.flatnonzero(n / (have * density) >= 1.0))
        if short:
            out[what] = short
    return out


def beyond_sample_note(beyond: Mapping[CountCriterion, tuple[int, ...]],
                       counts: SensationCounts | None,
                       available: Mapping[str, float], n_subjects: int) -> str:
    """The window's note on :func:`counts_beyond_sample`'s subjects ("" for none)."""
    if counts is None:
        return ""
    have = float(available.get("abeta", 0.0))
    need = _needed(counts)
    parts = []
    for what, who in beyond.items():
        why = " (an innervation density below the site's)" if need[what] < have else ""
        upper = (": the band's upper part is not a prediction"
                 if len(who) >= 0.1 * n_subjects else "")
        parts.append(f"{what}: {len(who)} of the {n_subjects} virtual subjects have no more Aβ "
                     f"afferents under and around the cathode than the {need[what]:.0f} it "
                     f"needs{why}, so their threshold is the last sampled afferent's, where "
                     f"the model's sample ends{upper}")
    if parts:
        # "for 2 of them the model cannot tell" beside this note's 4 read as a
        # contradiction (clinician's probe of 7 December 2026)
        parts.append("at one setting only those of them whose sensation then lies between "
                     "these thresholds are undecided: the count given with the virtual "
                     "people")
    return "; ".join(parts)


def _at(subject: Mapping[str, ClassThresholds], name: str, fraction: float) -> float:
    c = subject.get(name)
    return c.amplitude_for(fraction) if c is not None and c.thresholds_a.size else math.inf


def with_bands(window: SensationWindow, channel_field: ChannelPads, site: Site | None, *,
               n_subjects: int = 20, seed: int = 0,
               together: Sequence[tuple[ChannelPads, float]] = (),
               progress: Callable[[str], None] | None = None) -> SensationWindow:
    """``window`` with its thresholds as bands over ``n_subjects`` virtual subjects (or a
    note saying why there is no band: no site, no fast field).

    :param together: the pads of each channel whose field acts on the fibers with this
        one's, and its peak relative to this one's (true interferential current).
    :param progress: called with one line as the subjects' stage starts.
    """
    from dataclasses import replace as _replace

    if site is None:
        return window
    if progress is not None:
        progress(f"virtual subjects: threshold bands over {n_subjects} people "
                 "(their fields cached after the first run)")
    bands = threshold_bands(window.classes, channel_field, site, counts=window.counts,
                            criteria=window.criteria, available=window.available or {},
                            n_subjects=n_subjects, seed=seed, train=window.volleys,
                            others=tuple((pads.anode, pads.cathode, float(weight))
                                         for pads, weight in together))
    if bands is None:
        note = ("no band over virtual subjects: the fast layered field does not cover this "
                "site or these pads")
        return _replace(window, notes=(*window.notes, note))
    capped = beyond_sample_note(bands.beyond_sample, window.counts, window.available or {},
                                n_subjects)
    return _replace(window, bands=bands,
                    notes=(*window.notes, capped) if capped else window.notes)
