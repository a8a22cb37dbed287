"""The sensation window on closed-form fields (fast): geometry, recruitment bookkeeping,
and the order of thresholds."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, replace

import numpy as np
import pytest

from estim.effects.placement import conform, fiber_nodes
from estim.effects.populations import FiberClass
from estim.effects.resolution import EDGE_FRACTION, edge_fraction, thresholds_near
from estim.effects.sensation import DEFAULT_SENSATION_CRITERIA
from estim.effects.window import ClassThresholds, sensation_window
from estim.program import load_program
from estim.waveforms import stimuli_for
from tests.conftest import EXAMPLES


@dataclass(frozen=True)
class _Pad:
    position: tuple[float, float, float]
    normal: tuple[float, float, float]
    axis: tuple[float, float, float]
    length: float
    width: float


@dataclass(frozen=True)
class _HalfSpaceDisc:
    """Disc cathode of radius a on a homogeneous half-space (Wiley & Webster 1982),
    surface z = 0, tissue z < 0; +1 A leaves the tissue through the disc."""

    a: float = 0.016
    sigma: float = 0.2

    @property
    def cathode(self) -> _Pad:
        return _Pad((0.0, 0.0, 0.0), (0.0, 0.0, 1.0), (1.0, 0.0, 0.0), 2 * self.a, 2 * self.a)

    def potential(self, pts: np.ndarray) -> np.ndarray:
        r = np.hypot(pts[:, 0], pts[:, 1])
        z = np.abs(pts[:, 2])
        v0 = 1.0 / (4 * self.sigma * self.a)
        s = np.sqrt((r - self.a) ** 2 + z**2) + np.sqrt((r + self.a) ** 2 + z**2)
        return -(2 * v0 / np.pi) * np.arcsin(np.clip(2 * self.a / s, -1, 1))


@dataclass(frozen=True)
class _Limb:
    kind: str = "limb"
    radius_x: float = 0.05
    radius_y: float = 0.04


def test_conform_keeps_depth_and_arc_length_on_a_limb():
    site = _Limb()
    pad = _Pad((site.radius_x, 0.0, 0.01), (1.0, 0.0, 0.0), (0.0, 0.0, 1.0), 0.05, 0.05)
    v = np.linspace(-0.02, 0.02, 41)
    local = np.column_stack([np.zeros_like(v), v, np.full_like(v, -1e-3)])
    world = conform(local, pad, site)
    phi = np.arctan2(world[:, 1], world[:, 0])
    surf = site.radius_x * site.radius_y / np.hypot(site.radius_y * np.cos(phi),
                                                    site.radius_x * np.sin(phi))
    r = np.hypot(world[:, 0], world[:, 1])
    assert np.allclose(surf - r, 1e-3, rtol=0, atol=1e-12)  # 1 mm deep everywhere
    # along the limb the points do not move; around it they follow the angle v / R0
    assert np.allclose(world[:, 2], 0.01)
    assert np.allclose(phi, -v / site.radius_x, atol=1e-12)


def test_a_fiber_around_a_limb_keeps_its_length_at_depth():
    """A plexus axon running around a circular limb 5 mm deep: with its own v as anchor,
    successive points lie their cable's spacing apart (the chord of an arc at R - 5 mm);
    without, they are squeezed by (R - d)/R, which is what the anchor removes."""
    site = _Limb(radius_x=0.05, radius_y=0.05)
    pad = _Pad((site.radius_x, 0.0, 0.0), (1.0, 0.0, 0.0), (0.0, 0.0, 1.0), 0.05, 0.05)
    depth, step, v_a = 5e-3, 1e-4, 3e-3
    v = v_a + step * np.arange(-100, 101)
    local = np.column_stack([np.zeros_like(v), v, np.full_like(v, -depth)])
    r = site.radius_x - depth
    chord = 2 * r * np.sin(step / (2 * r))  # an arc of one step at radius r

    def spacing(world):
        return np.linalg.norm(np.diff(world, axis=0), axis=1)

    kept = conform(local, pad, site, anchor_v_m=v_a)
    assert np.allclose(spacing(kept), chord, rtol=1e-9)  # exact on a circle, bar rounding
    squeezed = conform(local, pad, site)
    assert np.allclose(spacing(squeezed), chord * r / site.radius_x, rtol=1e-9)
    # the anchor itself lies where it lay without one, 5 mm deep
    assert np.allclose(kept[100], squeezed[100], atol=1e-15)
    assert np.hypot(kept[:, 0], kept[:, 1]) == pytest.approx(np.full(len(v), r), abs=1e-12)


def test_conform_is_rigid_on_a_plane():
    pad = _Pad((0.01, 0.02, 0.0), (0.0, 0.0, 1.0), (0.0, 1.0, 0.0), 0.05, 0.05)
    local = np.array([[1e-3, 0.0, -2e-3], [0.0, 1e-3, 0.0]])
    world = conform(local, pad, None)
    # local x runs along the electrode axis (+y), local y along normal x axis (-x)
    assert world[0] == pytest.approx([0.01, 0.021, -2e-3])
    assert world[1] == pytest.approx([0.009, 0.02, 0.0])


def test_a_carrier_template_is_shown_as_a_running_carrier():
    """True interferential's base channel holds one 250 us carrier cycle; the fibers must see
    the carrier running, not a single cycle."""
    from estim.effects.drive import unit_pulse

    base = stimuli_for(load_program(next(p for p in EXAMPLES if p.stem == "ifc_true_knee")))[0]
    assert base.pulses[0].duration == pytest.approx(250e-6)
    u = unit_pulse(base)
    assert u.width_s == pytest.approx(10e-3)
    t = np.linspace(0, 10e-3, 20001) + u.delay_s
    assert np.max(np.abs(u.sample(t))) == pytest.approx(1.0, rel=1e-6)
    assert np.mean(u.sample(t) ** 2) == pytest.approx(0.5, rel=1e-3)  # a sine all along


def test_fraction_and_amplitude_for_are_consistent():
    thr = np.array([3e-3, 1e-3, np.inf, 2e-3])
    c = ClassThresholds(FiberClass.A_BETA, thr, np.zeros(4), np.zeros(4), "mrg")
    assert c.fraction_at(2e-3)[0] == pytest.approx(0.5)
    assert c.fraction_at(1e9)[0] == pytest.approx(0.75)  # one fiber never fires
    assert c.amplitude_for(0.0) == pytest.approx(1e-3)
    assert c.amplitude_for(0.5) == pytest.approx(2e-3)
    assert math.isinf(c.amplitude_for(1.0))
    # between two fibers the fraction rises linearly, and amplitude_for inverts it
    assert c.fraction_at(2.5e-3)[0] == pytest.approx(2.5 / 4)
    assert c.amplitude_for(2.5 / 4) == pytest.approx(2.5e-3)
    assert c.fraction_at(0.999e-3)[0] == 0.0
    amps = np.geomspace(1e-4, 1, 50)
    assert np.all(np.diff(c.fraction_at(amps)) >= 0)


@pytest.mark.slow
def test_window_under_a_disc_orders_sensory_before_motor(monkeypatch):
    """The first cutaneous fibers, 0.2-1 mm deep, fire before motor axons 10-25 mm deep in a
    homogeneous half-space (first-fiber criteria: the calibrated counts are for layered
    sites with fat over the muscle, not for this bare half-space)."""
    program = load_program(next(p for p in EXAMPLES if p.stem == "tens_conventional"))
    stim = stimuli_for(program)[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # clamped Aδ diameters: a documented model limit
        w = sensation_window("1", stim, _HalfSpaceDisc(), 0.025,
                             counts={"abeta": 16, "adelta": 16, "motor": 16}, seed=3,
                             criteria=DEFAULT_SENSATION_CRITERIA)
    assert 0 < w.sensory_a < w.motor_a
    assert w.sensory_a < w.pain_a
    f = w.curve(np.array([w.sensory_a, w.motor_a]))
    assert f["abeta"][0] > 0 and f["motor"][1] >= w.motor_fraction_criterion
    # thresholds are cached: a second identical call never runs the fiber solver
    import estim.fibers

    def _no_solver(*args, **kwargs):
        raise AssertionError("the cache was not used")

    monkeypatch.setattr(estim.fibers, "find_thresholds", _no_solver)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w2 = sensation_window("1", stim, _HalfSpaceDisc(), 0.025,
                              counts={"abeta": 16, "adelta": 16, "motor": 16}, seed=3)
    assert np.array_equal(w2.classes["motor"].thresholds_a, w.classes["motor"].thresholds_a)


def test_the_nodes_known_before_the_field_are_the_windows():
    """The virtual subjects' fields are started before the site's field is solved, at
    :func:`fiber_nodes`: the very nodes the window then simulates (the subjects' cache key)."""
    program = load_program(next(p for p in EXAMPLES if p.stem == "tens_conventional"))
    stim = stimuli_for(program)[0]
    counts = {"abeta": 4, "adelta": 3, "c": 0, "motor": 5}
    disc = _HalfSpaceDisc()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # clamped diameters: a documented model limit
        early = fiber_nodes(disc.cathode, None, counts=counts, seed=7)
        w = sensation_window("1", stim, disc, 0.025, counts=counts, seed=7,
                             criteria=DEFAULT_SENSATION_CRITERIA)
    assert list(early) == [k for k, c in w.classes.items() if c.points_m]
    for name, c in w.classes.items():
        assert len(early[name]) == counts[name]
        for got, points, nodes in zip(early[name], c.points_m, c.nodes, strict=True):
            np.testing.assert_array_equal(got, points[nodes])


def test_free_adelta_endings_are_simulated_and_cached_apart():
    """``adelta_ending="free"`` gives each Aδ its unmyelinated terminal: other thresholds
    than the node ending's (never the node ending's cache entry), the model named."""
    program = load_program(next(p for p in EXAMPLES if p.stem == "tens_conventional"))
    stim = stimuli_for(program)[0]
    counts = {"abeta": 0, "adelta": 6, "c": 0, "motor": 0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # clamped Aδ diameters: a documented model limit
        # a 4 cm footprint: the Aδ sample is 1.3 x the pad, under and just round it (on
        # a pad under 3.5 cm it grows to hold NOCICEPTOR_SAMPLE_AFFERENTS)
        node, free = (sensation_window("1", stim, _HalfSpaceDisc(a=0.02), 0.025,
                                       counts=counts,
                                       seed=5, criteria=DEFAULT_SENSATION_CRITERIA,
                                       adelta_ending=ending) for ending in ("node", "free"))
    a, b = node.classes["adelta"], free.classes["adelta"]
    assert a.model == "mrg" and "free ending" in b.model
    assert np.all(np.isfinite(b.thresholds_a))
    # the same fibers with another ending: most thresholds more than 1 % from the node's (a
    # reused cache entry would make all six equal); a fiber whose action potential starts
    # away from its ending (here the second, 0.08 % apart) may keep nearly the node's
    assert np.count_nonzero(np.abs(b.thresholds_a / a.thresholds_a - 1) > 0.01) >= 4


def _class(name: str, thresholds: list[float]) -> ClassThresholds:
    thr = np.asarray(thresholds, float)
    return ClassThresholds(FiberClass(name), thr, np.zeros(thr.size), np.zeros(thr.size), "mrg")


def test_pain_counts_the_periosteal_adelta_with_the_skins():
    """Closed form: 10 skin Aδ at 1..10 mA and a criterion of half of them (5 mA alone).
    Two periosteal Aδ of 10 sampled, at 2 and 3 mA. At a density ratio of 1 (the same
    area) each counts as one skin Aδ: at 3 mA the skin's 3 and the bone's 2 make 5 of 10,
    just below it the skin's count is under 3 and the bone's 1 (it rises linearly between
    thresholds). At 0.5 the bone's 2 count as 1, and the skin's 4 complete it at 4 mA."""
    from estim.effects.sensation import Recruitment, classify_sensation
    from estim.effects.window import nociceptive_fraction, pain_threshold

    ma = 1e-3
    skin = _class("adelta", [k * ma for k in range(1, 11)])
    crit = replace(DEFAULT_SENSATION_CRITERIA, pain_adelta_fraction=0.5, pain_c_fraction=1.0)
    alone = pain_threshold({"adelta": skin}, crit)
    assert alone == skin.amplitude_for(0.5) == pytest.approx(5 * ma, rel=1e-15)
    bone = _class("periosteal", [2 * ma, 3 * ma] + [math.inf] * 8)
    both = {"adelta": skin, "periosteal": bone}
    assert pain_threshold(both, crit, periosteal_ratio=1.0) == pytest.approx(3 * ma, rel=1e-9)
    assert nociceptive_fraction(both, 3 * ma, periosteal_ratio=1.0)[0] == \
        pytest.approx(0.5, rel=1e-12)
    assert nociceptive_fraction(both, 2.999 * ma, periosteal_ratio=1.0)[0] < 0.5
    assert pain_threshold(both, crit, periosteal_ratio=0.5) == pytest.approx(4 * ma, rel=1e-9)
    assert pain_threshold(both, crit, periosteal_ratio=0.0) == alone
    # deep periosteal Aδ (all above the skin's own threshold) change nothing, bit for bit
    deep = _class("periosteal", [6 * ma, 9 * ma] + [math.inf] * 8)
    assert pain_threshold({"adelta": skin, "periosteal": deep}, crit) == alone
    # the verdict at a current agrees with the threshold, at the stored ratio
    stored = pain_threshold(both, crit)
    assert 3 * ma <= stored <= alone
    for amp, painful in ((1.001 * stored, True), (0.999 * stored, False)):
        r = Recruitment(abeta=0.0, adelta=float(skin.fraction_at(amp)[0]),
                        periosteal=float(bone.fraction_at(amp)[0]))
        got = classify_sensation(r, criteria=crit).phrase == "painful"
        assert got is painful, (amp, r)
    # C fibers still reach pain on their own
    c = _class("c", [0.5 * ma] * 4)
    assert pain_threshold({**both, "c": c}, replace(crit, pain_c_fraction=0.25)) == \
        pytest.approx(0.5 * ma)


def test_thresholds_near_a_current_are_those_within_their_edge_fraction() -> None:
    """Within a threshold's edge fraction, on either side, which side a person falls is too
    close to call; just beyond it, or at a threshold never reached (None, inf) or zero, not;
    the answer does not depend on the unit (A or V); several may be near at once, in the
    order a rising dial meets them."""
    pain = edge_fraction("pain")
    t = {"sensory": 0.004, "strong": 0.0279, "motor": 0.0273, "pain": 0.0288}
    # strong tingling is not a verdict's edge; motor (2.6 % below) and pain (2.8 % above) are
    assert [(n, a) for n, a, _ in thresholds_near(0.028, t)] == [("motor", 0.0273),
                                                                  ("pain", 0.0288)]
    assert [(n, a) for n, a, _ in thresholds_near(28.0, {k: v * 1e3 for k, v in t.items()})] \
        == [("motor", 27.3), ("pain", 28.8)]
    assert thresholds_near(0.03 * (1 + pain) * (1 - 1e-6), {"pain": 0.03}) == \
        [("pain", 0.03, pain)]
    assert thresholds_near(0.03 * (1 + pain) * (1 + 1e-6), {"pain": 0.03}) == []
    assert thresholds_near(0.03 * (1 - pain) * (1 + 1e-6), {"pain": 0.03}) == \
        [("pain", 0.03, pain)]
    assert thresholds_near(0.03 * (1 - pain) * (1 - 1e-6), {"pain": 0.03}) == []
    assert thresholds_near(0.0, {"sensory": 0.0, "motor": None, "pain": float("inf")}) == []


def test_the_edge_is_the_sampling_spread_or_the_bracket_whichever_is_wider(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A threshold's edge is its p10-p90 over samples of fibers (±1.28 SD), never narrower
    than the 3 % of its bracket and interpolation."""
    import estim.effects.resolution as w

    for name, cv in w.SAMPLING_CV.items():
        assert 0 < cv < 0.5, name  # measured (benchmarks/sensation_window.py --seeds)
        assert edge_fraction(name) == pytest.approx(max(EDGE_FRACTION, 1.2816 * cv))
    monkeypatch.setitem(w.SAMPLING_CV, "motor", 0.001)
    assert edge_fraction("motor") == EDGE_FRACTION


def test_two_thresholds_inside_their_joint_sampling_spread_are_not_ordered() -> None:
    """Two thresholds whose ratio lies below the 90th percentile of its spread over samples
    of fibers (the two draws independent: exp(1.28 × the root sum of squares of their CVs))
    are not ordered, whichever is lower, and the spread is given as that ratio less 1, as
    the words print it; just beyond it, or a threshold never reached, they are; three close
    together give each pair."""
    from estim.effects.resolution import SAMPLING_CV, orders_unsettled

    spread = math.exp(1.2816 * math.hypot(SAMPLING_CV["motor"], SAMPLING_CV["pain"])) - 1
    inside = {"sensory": 0.004, "motor": 0.03, "pain": 0.03 * (1 + spread) * (1 - 1e-6)}
    assert orders_unsettled(inside) == [("motor", 0.03, "pain", inside["pain"],
                                         pytest.approx(spread))]
    beyond = {**inside, "pain": 0.03 * (1 + spread) * (1 + 1e-6)}
    assert orders_unsettled(beyond) == []
    # pain below the twitch (microcurrent's C fibers): the same pair, lower first
    below = {"sensory": 0.004, "motor": 0.03, "pain": 0.029}
    assert [(a, b) for a, _, b, _, _ in orders_unsettled(below)] == [("pain", "motor")]
    assert orders_unsettled({"sensory": 0.03, "motor": None, "pain": math.inf}) == []
    close = {"sensory": 0.030, "motor": 0.031, "pain": 0.032}
    assert [(a, b) for a, _, b, _, _ in orders_unsettled(close)] == [
        ("sensory", "motor"), ("sensory", "pain"), ("motor", "pain")]
    # the unit does not matter (a voltage dial's thresholds are volts)
    assert [(a, b) for a, _, b, _, _ in orders_unsettled(
        {k: v * 1e3 for k, v in close.items()})] == [
        ("sensory", "motor"), ("sensory", "pain"), ("motor", "pain")]


def test_a_wider_abeta_sample_is_what_the_counts_become_fractions_of(monkeypatch):
    """``ABETA_MARGIN_M`` (benchmarks/sensation_window.py --abeta-margin) samples the Aβ
    that far beyond each edge of the cathode, and the calibrated counts become fractions of
    the afferents in that area, the Aδ's staying 15 % beyond each edge."""
    from estim.effects import placement
    from estim.effects.anatomy import innervation_density
    from estim.effects.calibration import CALIBRATED_COUNTS

    program = load_program(next(p for p in EXAMPLES if p.stem == "tens_conventional"))
    stim = stimuli_for(program)[0]
    disc = _HalfSpaceDisc(a=0.02)  # a 4 cm square footprint: the Aδ sample is not grown
    counts = {"abeta": 8, "adelta": 2, "c": 0, "motor": 0}
    per_m2 = innervation_density(None, "abeta")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # clamped Aδ diameters: a documented model limit
        near = sensation_window("1", stim, disc, 0.025, counts=counts, seed=5)
        monkeypatch.setattr(placement, "ABETA_MARGIN_M", 0.02)
        pops, _ = placement.window_populations(disc.cathode, None, counts=counts, seed=5)
        wide = sensation_window("1", stim, disc, 0.025, counts=counts, seed=5)
    side = 2 * disc.a
    assert near.available["abeta"] == pytest.approx(per_m2 * (1.3 * side) ** 2, rel=1e-12)
    assert wide.available["abeta"] == pytest.approx(per_m2 * (side + 0.04) ** 2, rel=1e-12)
    assert wide.available["adelta"] == pytest.approx(near.available["adelta"], rel=1e-12)
    assert wide.criteria.sensory_abeta_fraction == pytest.approx(
        min(1.0, CALIBRATED_COUNTS.detection_abeta / wide.available["abeta"]), rel=1e-12)
    # the Aβ endings spread beyond the common region (0.65 x 4 cm from the centre), to
    # 4 cm; the Aδ's stay in it
    ends = {p.fiber_class.value: np.abs(p.position_m[:, :2]).max() for p in pops if p.size}
    assert 0.65 * side < ends["abeta"] <= 0.5 * side + 0.02
    assert ends["adelta"] <= 0.65 * side


def test_the_nociceptors_sample_holds_the_pain_calibrations_afferents():
    """Pain needs at least the Aδ of the pain calibration's sample (1.3 x its 3.5 cm pads on
    the forearm): a smaller pad's nociceptor sample grows, in proportion, until it holds that
    many at the site's density; the calibration's own pads and larger ones keep 1.3 x the
    pad, the Aβ always do, and on the face (10.8 x the body's density) 1.5 cm discs hold
    them already."""
    from types import SimpleNamespace

    from estim.effects.anatomy import innervation_density
    from estim.effects.calibration import INTOLERANCE_PAD_CM
    from estim.effects.placement import (
        NOCICEPTOR_SAMPLE_AFFERENTS,
        afferents_available,
        sampled_region,
    )

    forearm, cheek = SimpleNamespace(name="forearm"), SimpleNamespace(name="cheek")
    side = INTOLERANCE_PAD_CM * 1e-2
    assert NOCICEPTOR_SAMPLE_AFFERENTS == pytest.approx(
        innervation_density("forearm", "adelta") * (1.3 * side) ** 2, rel=1e-12)
    # the calibration's pads: exactly 1.3 x, so the calibrated fraction is unchanged there
    calib = SimpleNamespace(length=side, width=side)
    assert sampled_region(calib, "adelta", forearm) == pytest.approx((1.3 * side,) * 2)
    # a 1.5 x 3 cm pad: grown in proportion (its 1:2 kept) to hold the count
    small = SimpleNamespace(length=0.015, width=0.03)
    length, width = sampled_region(small, "c", forearm)
    assert width / length == pytest.approx(2.0, rel=1e-12)
    assert length > 1.3 * 0.015
    assert afferents_available(small, forearm)["adelta"] == pytest.approx(
        NOCICEPTOR_SAMPLE_AFFERENTS, rel=1e-12)
    assert sampled_region(small, "abeta", forearm) == pytest.approx((0.0195, 0.039))
    # a 5 cm pad and the face's 1.5 cm discs hold more than the count: 1.3 x the pad
    big = SimpleNamespace(length=0.05, width=0.05)
    assert sampled_region(big, "adelta", forearm) == pytest.approx((0.065, 0.065))
    disc = SimpleNamespace(length=0.015, width=0.015)
    assert sampled_region(disc, "adelta", cheek) == pytest.approx((0.0195, 0.0195))
    assert afferents_available(disc, cheek)["adelta"] > NOCICEPTOR_SAMPLE_AFFERENTS


@dataclass(frozen=True)
class _ClippedDisc(_HalfSpaceDisc):
    """The disc's half-space cut off at y = ``edge``: no tissue beyond (a site smaller than
    the sample)."""

    edge: float = 0.012

    def potential(self, pts: np.ndarray) -> np.ndarray:
        return np.where(pts[:, 1] > self.edge, np.nan, super().potential(pts))


def test_nociceptors_sampled_past_a_small_site_are_counted_and_noted():
    """A 2 cm pad's nociceptor sample grows to 4.55 cm (NOCICEPTOR_SAMPLE_AFFERENTS); where
    the tissue ends 1.2 cm from the cathode's centre, the fibers wholly beyond it get no drive
    and never fire, so the window counts them and says the criteria may come late, rather
    than passing a pain threshold that is too high in silence."""
    program = load_program(next(p for p in EXAMPLES if p.stem == "tens_conventional"))
    stim = stimuli_for(program)[0]
    counts = {"abeta": 0, "adelta": 20, "c": 0, "motor": 0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # clamped Aδ diameters: a documented model limit
        clipped = sensation_window("1", stim, _ClippedDisc(a=0.01), 0.025, counts=counts,
                                   seed=3)
        whole = sensation_window("1", stim, _HalfSpaceDisc(a=0.01), 0.025, counts=counts,
                                 seed=3)
    gone = clipped.classes["adelta"].n_outside_domain
    assert gone > 0 and whole.classes["adelta"].n_outside_domain == 0
    assert np.count_nonzero(np.isinf(clipped.classes["adelta"].thresholds_a)) >= gone
    assert any(f"{gone} of the 20 Aδ fibers sampled round the cathode lie wholly outside"
               in n for n in clipped.notes)
    assert not any("wholly outside" in n for n in whole.notes)
    assert clipped.to_dict()["fibers"]["adelta"]["outside_tissue"] == gone


@pytest.mark.parametrize(("example", "mrg_s", "sundt_s"),
                         [("russian_quadriceps", 13.1e-3, 22.1e-3),
                          ("tens_conventional", None, None)])
def test_a_kilohertz_burst_is_simulated_whole(monkeypatch, example, mrg_s, sundt_s):
    """Russian current's 10 ms bursts ran for a myelinated fiber's 10 ms: the action
    potentials its last cycles start went unseen (its twitch read 68.3 mA where the whole
    burst gives 65.9; 8 December 2026). A kHz carrier's run covers its burst after the 0.1 ms
    delay and an action potential's travel from its end (3 ms myelinated, 12 ms C); a pulse
    program keeps each model's own time (None: the same cache keys as before)."""
    from estim.effects import window

    seen: dict[str, float | None] = {}

    def record(pop, *args, tstop_s=None, **kwargs):
        seen[pop.model] = tstop_s
        n = pop.size
        return ClassThresholds(pop.fiber_class, np.full(n, np.inf), pop.depth_m,
                               pop.diameter_m, pop.model)

    monkeypatch.setattr(window, "class_thresholds", record)
    stim = stimuli_for(load_program(next(p for p in EXAMPLES if p.stem == example)))[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sensation_window("1", stim, _HalfSpaceDisc(), 0.025,
                         counts={"abeta": 4, "adelta": 4, "c": 2, "motor": 4})
    assert seen["mrg"] == (None if mrg_s is None else pytest.approx(mrg_s, rel=1e-9))
    assert seen["sundt"] == (None if sundt_s is None else pytest.approx(sundt_s, rel=1e-9))
