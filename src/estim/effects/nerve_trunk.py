"""Strength–duration of a nerve trunk under surface electrodes: Mogyoros's own experiment.

Mogyoros, Kiernan & Burke (1996, Brain 119:439) stimulated the human median nerve at the
wrist through surface electrodes, tracked the current that kept an antidromic compound
sensory action potential (digit) or a thenar compound muscle action potential at 30 % of its
maximum while the monophasic pulse grew from 20 µs to 1 ms in 20 µs steps, and fitted Weiss's
charge–duration line: τSD sensory 665 ± 182 µs, motor 459 ± 126 µs (20 subjects).

:func:`median_nerve_strength_duration` repeats that as a prediction. The forearm site's
layers (:func:`estim.fields.make_site`) carry a disc cathode over the nerve at the distal
forearm and a disc anode 10 cm proximal on the radial (lateral) side; the field is estim's
FEM solve (cached on disk). The median nerve is a bundle of straight axons along the limb:
sensory axons are MRG axons with the sensory node (``make_fiber(..., sensory=True)``), motor
axons the plain MRG axon; each axon's threshold comes from the cable model under that field.
The compound threshold of a class is the current at which the criterion fraction of its axons
fires, and Weiss fits give the rheobase and τSD. Nothing here is fitted to Mogyoros's τ
values; the sensory node's shift was calibrated once, on their sensory ÷ motor *ratio*, in a
different geometry (a point source, :func:`estim.effects.calibrate.nap_shift_tau_ratio`).

>>> cfg = MedianNerveAtWrist()
>>> cfg.criterion_fraction, round(cfg.nerve_depth_m * 1e3, 1), cfg.sensory.sensory_node
(0.3, 4.5, True)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from estim.cache import digest, load_arrays, store_arrays
from estim.effects.strength_duration import HUMAN_SD_SOURCE, HUMAN_SD_TIME_CONSTANT_S, weiss_fit
from estim.errors import InputError
from estim.evidence import EvidenceLevel

if TYPE_CHECKING:
    from estim.fibers.cable import Fiber
    from estim.fields.sites import Site
    from estim.fields.solve import ChannelField

__all__ = ["MOGYOROS_PULSE_WIDTHS_S", "AxonClass", "CompoundThresholds", "MedianNerveAtWrist",
           "NerveStrengthDuration", "median_nerve_strength_duration", "wrist_field"]

F = NDArray[np.float64]

#: Bump when the numbers of a stored threshold table would change.
_CACHE_VERSION = "nerve-trunk-1"

#: Monophasic widths (s): an evenly spaced subset of Mogyoros's sweep (20 µs to 1 ms in
#: 20 µs steps), a sixth of the cost. The model's thresholds are not exactly Weiss's law:
#: fitted over all 50 of their widths, τ comes out ~5 % longer (docs/strength_duration.md).
MOGYOROS_PULSE_WIDTHS_S: tuple[float, ...] = (20e-6, 200e-6, 400e-6, 600e-6, 800e-6, 1000e-6)


@dataclass(frozen=True)
class AxonClass:
    """The axons of one class in the nerve (diameters in m).

    :param name: ``"sensory"`` or ``"motor"``.
    :param sensory_node: MRG with the sensory persistent-Na shift (``make_fiber(sensory=)``).
    :param diameter_range_m: hard limits of the truncated normal (m).
    :param diameter_mean_m: its mean (m). :param diameter_sd_m: its SD before truncation (m).
    :param count: axons simulated.
    :param source: where the diameters come from.
    """

    name: str
    sensory_node: bool
    diameter_range_m: tuple[float, float]
    diameter_mean_m: float
    diameter_sd_m: float
    count: int
    source: str

    def __post_init__(self) -> None:
        lo, hi = self.diameter_range_m
        if not (2e-6 <= lo < hi <= 16e-6):
            raise InputError(f"{self.name}.diameter_range_m", self.diameter_range_m,
                             "(min, max) inside the MRG model's 2-16 µm, min < max")
        if not lo <= self.diameter_mean_m <= hi or not self.diameter_sd_m > 0:
            raise InputError(f"{self.name}.diameter_mean_m", self.diameter_mean_m,
                             "a mean inside the range and a positive SD")
        if not (isinstance(self.count, int) and self.count >= 4):
            raise InputError(f"{self.name}.count", self.count,
                             "at least 4 axons (a fraction of fewer is not a criterion)")


#: Median-nerve sensory axons of the digits: the large myelinated afferents whose compound
#: potential is recorded. Fastest median sensory conduction 55-65 m/s over a diameter
#: conversion of ~4.6 m/s per µm (radial and sural nerves, "Quantitative histometric studies
#: ... in normal sensory nerves of man": 4.67 ± 0.16 and 4.55 ± 0.19) puts the largest at
#: 12-14 µm; 7-14 µm with a centred truncated normal is an assumption of shape.
SENSORY_AXONS = AxonClass(
    "sensory", True, (7e-6, 14e-6), 10.5e-6, 1.75e-6, 24,
    "7-14 µm: largest from median sensory CV 55-65 m/s / 4.6 m/s per µm (histometry of "
    "human sensory nerves); shape assumed (centred truncated normal, SD = range/4)")
#: Thenar α-motor axons: estim's motor class (9-16 µm, :data:`FIBER_CLASS_TABLE`).
MOTOR_AXONS = AxonClass(
    "motor", False, (9e-6, 16e-6), 12.5e-6, 1.75e-6, 24,
    "α-motor axons 9-16 µm as estim's motor class (estim.effects.populations, issue 5); "
    "shape assumed (truncated normal, SD = range/4)")


@dataclass(frozen=True)
class MedianNerveAtWrist:
    """The configuration of Mogyoros et al. 1996, as modelled (SI).

    :param site: a limb preset of :func:`estim.fields.make_site` (the forearm).
    :param site_overrides: its ``[site]`` overrides (:func:`estim.fields.site_from_spec`),
        e.g. ``(("fat_thickness", "2 mm"),)``.
    :param cathode_placement: over the nerve at the wrist: the distal volar spot.
    :param anode_placement: 10 cm proximal, on the lateral (radial) side of the forearm.
    :param electrode_diameter_m: both discs (m).
    :param nerve_depth_m: depth of the nerve's centre below the skin, under the cathode (m).
    :param nerve_radius_m: radius of the nerve's round cross-section (m).
    :param criterion_fraction: fraction of a class's axons firing at its compound threshold.
    :param pulse_widths_s: monophasic pulse widths (s).
    :param seed: axon sampling (diameters, positions in the nerve, node offsets).
    :param precision: relative bracket of each axon's threshold search.
    """

    site: str = "forearm"
    site_overrides: tuple[tuple[str, str], ...] = ()
    cathode_placement: str = "forearm_volar_distal"
    anode_placement: str = "forearm_radial_proximal"
    electrode_diameter_m: float = 15e-3
    nerve_depth_m: float = 4.5e-3
    nerve_radius_m: float = math.sqrt(9.33e-6 / math.pi)
    criterion_fraction: float = 0.30
    pulse_widths_s: tuple[float, ...] = MOGYOROS_PULSE_WIDTHS_S
    sensory: AxonClass = SENSORY_AXONS
    motor: AxonClass = MOTOR_AXONS
    seed: int = 0
    precision: float = 0.005
    sources: tuple[tuple[str, str], ...] = field(default=(
        ("criterion_fraction", "Mogyoros, Kiernan & Burke 1996 (abstract): CSAP or CMAP held "
         "at 30 % of maximum by threshold tracking"),
        ("pulse_widths_s", "Mogyoros et al. 1996: 20 µs to 1 ms in 20 µs steps"),
        ("nerve_radius_m", "median-nerve cross-section at the wrist 9.33 ± 1.55 mm² "
         "(Bae & An 2021, Medicine 100:e25812, high-resolution ultrasound, 107 adults)"),
        ("nerve_depth_m", "assumed: the nerve's centre 4.5 mm deep puts it 2.8-6.2 mm under "
         "the skin, the 3-6 mm of the brief's ultrasound/anatomy range (no measured depth "
         "was found in the sources searched); sensitivity ±2 mm in docs/strength_duration.md"),
        ("anode_placement", "assumed: the Sydney group's threshold-tracking set-up, anode "
         "10 cm proximal over the lateral forearm (the 1996 methods were not read)"),
        ("electrode_diameter_m", "assumed: 15 mm discs, the gel area of a disposable "
         "Ag/AgCl electrode (the 1996 electrodes' size was not read)"),
    ), repr=False)

    def __post_init__(self) -> None:
        if not 0.0 < self.criterion_fraction < 1.0:
            raise InputError("criterion_fraction", self.criterion_fraction,
                             "a fraction of the axons between 0 and 1")
        if not 0.5e-3 <= self.nerve_radius_m <= 5e-3:
            raise InputError("nerve_radius_m", self.nerve_radius_m,
                             "0.5-5 mm (a median nerve's cross-section)")
        if not self.nerve_depth_m - self.nerve_radius_m > 0.3e-3:
            raise InputError("nerve_depth_m", self.nerve_depth_m,
                             f"a centre deeper than the nerve's radius "
                             f"({self.nerve_radius_m * 1e3:.3g} mm) plus 0.3 mm of skin")
        w = np.asarray(self.pulse_widths_s, float)
        if w.size < 3 or not np.all((w >= 10e-6) & (w <= 5e-3)) or np.any(np.diff(w) <= 0):
            raise InputError("pulse_widths_s", self.pulse_widths_s,
                             "at least 3 increasing widths of 10 µs to 5 ms")
        if not 3e-3 <= self.electrode_diameter_m <= 50e-3:
            raise InputError("electrode_diameter_m", self.electrode_diameter_m,
                             "3-50 mm (a surface stimulating electrode)")

    def replace(self, **changes: Any) -> MedianNerveAtWrist:
        """A copy with ``changes`` (validated again)."""
        return replace(self, **changes)


def _site_and_electrodes(config: MedianNerveAtWrist) -> tuple[Site, Any, Any]:
    from estim.fields import place_electrode, site_from_spec

    site = site_from_spec(config.site, dict(config.site_overrides))
    if site.kind != "limb":
        raise InputError("site", config.site, "a limb site (the nerve runs along its axis)")
    d = config.electrode_diameter_m
    cathode = place_electrode(site, config.cathode_placement, "circular", length=d,
                              field="cathode")
    anode = place_electrode(site, config.anode_placement, "circular", length=d, field="anode")
    return site, cathode, anode


def wrist_field(config: MedianNerveAtWrist | None = None,
                progress: Callable[[str], None] | None = None) -> ChannelField:
    """The channel's FEM field (per A, anode to cathode) of the configuration's pads, from
    the on-disk cache when it was solved before (about 20 s otherwise)."""
    from estim.fields import Channel, solve_fields

    config = config or MedianNerveAtWrist()
    site, cathode, anode = _site_and_electrodes(config)
    return solve_fields(site, [Channel(anode, cathode, 1.0, name="median_wrist")],
                        progress=progress).channels[0]


@dataclass(frozen=True, eq=False)
class CompoundThresholds:
    """One class of axons: every axon's threshold and the compound one (A of peak current).

    :param axon_a: (axons, widths) thresholds (A); inf where none was found.
    :param diameter_m: (axons,) fiber diameters (m).
    :param depth_m: (axons,) depth of each axon below the skin (m).
    :param compound_a: (widths,) current at which ``fraction`` of the axons fire (A).
    :param fit: Weiss (rheobase A, τSD s) of ``compound_a``.
    :param axons_leaving: axons with compartments outside the meshed tissue (given the
        nearest inside potential: no drive there).
    """

    name: str
    pulse_widths_s: F
    axon_a: F
    diameter_m: F
    depth_m: F
    fraction: float
    compound_a: F
    fit: tuple[float, float]
    axons_leaving: int = 0

    @property
    def time_constant_s(self) -> float:
        return self.fit[1]

    def fit_at(self, fraction: float) -> tuple[float, float]:
        """Weiss (rheobase A, τSD s) of the compound threshold at another ``fraction`` of the
        same axons (no new cable runs)."""
        if not 0.0 < fraction < 1.0:
            raise InputError("fraction", fraction, "a fraction of the axons between 0 and 1")
        return weiss_fit(self.pulse_widths_s, np.quantile(self.axon_a, fraction, axis=0))

    def bootstrap(self, n: int = 2000, seed: int = 0) -> F:
        """τSD (s) of ``n`` resamples of the axons with replacement: the spread that the
        finite sample of axons leaves on the predicted τ."""
        rng = np.random.default_rng(seed)
        m = self.axon_a.shape[0]
        taus = np.empty(n)
        for k in range(n):
            pick = self.axon_a[rng.integers(0, m, m)]
            taus[k] = weiss_fit(self.pulse_widths_s,
                                np.quantile(pick, self.fraction, axis=0))[1]
        return taus


@dataclass(frozen=True, eq=False)
class NerveStrengthDuration:
    """The sensory and motor strength–duration of the configuration."""

    config: MedianNerveAtWrist
    sensory: CompoundThresholds
    motor: CompoundThresholds
    resistance_ohm: float
    evidence: EvidenceLevel = EvidenceLevel.MODEL_PREDICTION

    def comparison(self, n_bootstrap: int = 2000) -> dict[str, Any]:
        """Predicted τSD against Mogyoros's mean ± SD: z-score and the bootstrap spread."""
        out: dict[str, Any] = {"source": HUMAN_SD_SOURCE}
        for c in (self.sensory, self.motor):
            mean, sd = HUMAN_SD_TIME_CONSTANT_S[c.name]
            boot = c.bootstrap(n_bootstrap)
            out[c.name] = {"model_time_constant_s": c.time_constant_s,
                           "model_rheobase_A": c.fit[0], "human_mean_s": mean,
                           "human_sd_s": sd, "z_score": (c.time_constant_s - mean) / sd,
                           "bootstrap_sd_s": float(np.std(boot, ddof=1)),
                           "bootstrap_p5_p95_s": (float(np.percentile(boot, 5)),
                                                  float(np.percentile(boot, 95)))}
        out["ratio"] = self.sensory.time_constant_s / self.motor.time_constant_s
        return out


def _axons(config: MedianNerveAtWrist, cls: AxonClass, stream: int, cathode: Any, site: Site
           ) -> tuple[list[Fiber], list[F], F, F]:
    """The class's fibers, the world points of their compartments, diameters and depths.

    Axons are straight and parallel to the limb (z), uniform over the nerve's round
    cross-section centred ``nerve_depth_m`` under the cathode's centre, with their nodes at a
    uniform offset (within one internode) from the cathode's level; diameters from the
    class's truncated normal.
    """
    from scipy.stats import qmc, truncnorm

    from estim.fibers import make_fiber

    # a scrambled Halton sample of (diameter quantile, radius², angle, node offset): the
    # axons cover the four distributions evenly, so a small bundle stands for a large one
    # better than independent draws do (randomised quasi-Monte Carlo)
    u = qmc.Halton(d=4, scramble=True,
                   seed=np.random.default_rng([config.seed, stream])).random(cls.count)
    lo, hi = cls.diameter_range_m
    m, sd = cls.diameter_mean_m, cls.diameter_sd_m
    diam = truncnorm.ppf(u[:, 0], (lo - m) / sd, (hi - m) / sd, loc=m, scale=sd)
    r = config.nerve_radius_m * np.sqrt(u[:, 1])
    ang = 2 * np.pi * u[:, 2]
    offset = u[:, 3] - 0.5
    c = np.asarray(cathode.position, float)
    normal = np.asarray(cathode.normal, float)
    side = np.cross(np.asarray(cathode.axis, float), normal)
    fibers, points, depth = [], [], np.empty(cls.count)
    for i, d in enumerate(diam):
        fib = make_fiber("mrg", float(d), sensory=cls.sensory_node)
        s = np.asarray(fib.positions_m, float)
        nodes = s[fib.node_index]
        internode = float(np.median(np.diff(nodes)))
        depth[i] = config.nerve_depth_m + r[i] * math.cos(ang[i])
        centre = c - depth[i] * normal + r[i] * math.sin(ang[i]) * side
        along = s + offset[i] * internode
        points.append(centre[None, :] + along[:, None] * np.asarray(cathode.axis, float))
        fibers.append(fib)
    _inside_limb(points, site)
    return fibers, points, diam, depth


def _inside_limb(points: list[F], site: Site) -> None:
    lo = min(float(p[:, 2].min()) for p in points)
    hi = max(float(p[:, 2].max()) for p in points)
    if lo < -site.length / 2 or hi > site.length / 2:
        raise InputError("cathode_placement", f"axons span z = {lo * 1e3:.0f} to "
                         f"{hi * 1e3:.0f} mm", f"axons inside the {site.name} "
                         f"(±{site.length * 500:.0f} mm along the limb)")


def _fill_outside(phi: F, config: MedianNerveAtWrist) -> F:
    """φ with compartments outside the meshed tissue given the nearest inside value.

    The FEM evaluator gives NaN at points it does not place in an element (with the nerve
    centre 2.5 mm deep: one compartment of one motor axon, 1.4 mm deep and 35 mm from the
    cathode, where the field is flat and the copied value adds no drive)."""
    bad = ~np.isfinite(phi)
    if not bad.any():
        return phi
    if bad.sum() > phi.size // 4:
        raise InputError("nerve_depth_m", config.nerve_depth_m,
                         "axons inside the tissue (a quarter of an axon lies outside it)")
    idx = np.arange(phi.size)
    out: F = np.interp(idx, idx[~bad], phi[~bad])
    return out


def _class_thresholds(config: MedianNerveAtWrist, cls: AxonClass, stream: int,
                      cf: ChannelField, site: Site,
                      progress: Callable[[str], None] | None) -> CompoundThresholds:
    from estim.effects.drive import UnitPulse
    from estim.fibers import find_thresholds
    from estim.program.options import PulseShape
    from estim.waveforms.build import biphasic_pulse

    fibers, points, diam, depth = _axons(config, cls, stream, cf.cathode, site)
    splits = np.cumsum([len(p) for p in points])[:-1]
    phis = np.split(np.asarray(cf.potential(np.concatenate(points)), float), splits)
    leaving = sum(not np.all(np.isfinite(p)) for p in phis)
    phis = [_fill_outside(p, config) for p in phis]
    widths = np.asarray(config.pulse_widths_s, float)
    thr = np.empty((cls.count, widths.size))
    for j, w in enumerate(widths):
        if progress is not None:
            progress(f"{cls.name} axons: {w * 1e6:.0f} us")
        pulse = UnitPulse(biphasic_pulse(PulseShape.MONOPHASIC, float(w)))
        key = digest(_CACHE_VERSION, fibers[0].nap_shift_mv, diam, np.concatenate(phis),
                     pulse.cache_key(), config.precision)
        hit = load_arrays("nerve_trunk", key)
        if hit is None:
            res = find_thresholds(fibers, list(phis), pulse, precision=config.precision)
            hit = {"threshold_a": np.asarray(res.threshold_a, float)}
            store_arrays("nerve_trunk", key, hit)
        thr[:, j] = np.where(np.isfinite(hit["threshold_a"]), hit["threshold_a"], np.inf)
    compound = np.quantile(thr, config.criterion_fraction, axis=0)
    return CompoundThresholds(cls.name, widths, thr, diam, depth, config.criterion_fraction,
                              compound, weiss_fit(widths, compound), int(leaving))


def median_nerve_strength_duration(config: MedianNerveAtWrist | None = None, *,
                                   progress: Callable[[str], None] | None = None
                                   ) -> NerveStrengthDuration:
    """Sensory and motor strength–duration of the median nerve at the wrist, predicted in
    Mogyoros et al.'s configuration (see the module docstring and
    docs/strength_duration.md). Axon thresholds are cached on disk per width."""
    config = config or MedianNerveAtWrist()
    site, _, _ = _site_and_electrodes(config)
    cf = wrist_field(config, progress)
    sens = _class_thresholds(config, config.sensory, 0, cf, site, progress)
    mot = _class_thresholds(config, config.motor, 1, cf, site, progress)
    return NerveStrengthDuration(config, sens, mot, float(cf.resistance))
