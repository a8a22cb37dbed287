"""Fiber populations: table ranges, reproducibility, geometry, MRG clamping."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from estim.effects import (
    FIBER_CLASS_TABLE,
    MODEL_DIAMETER_RANGE_M,
    EvidenceLevel,
    FiberClass,
    Orientation,
    sample_fiber_populations,
)
from estim.errors import InputError, ModelRangeWarning


def sample(**kwargs):
    """Sample while tolerating the expected Aδ clamping warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelRangeWarning)
        return {p.fiber_class: p for p in sample_fiber_populations(**kwargs)}


def test_table_has_one_row_per_class_with_sources():
    assert {s.fiber_class for s in FIBER_CLASS_TABLE} == set(FiberClass)
    for s in FIBER_CLASS_TABLE:
        assert s.diameter_source and s.depth_source
        lo, hi = s.diameter_range_m
        assert lo < s.diameter_mean_m < hi
    ranges = {s.fiber_class: s.diameter_range_m for s in FIBER_CLASS_TABLE}
    assert ranges[FiberClass.A_BETA] == (6e-6, 12e-6)
    assert ranges[FiberClass.A_DELTA] == (1e-6, 5e-6)
    # C fibers: 0.2-1.5 µm in people, sampled where Sundt's model holds (the row says so)
    assert ranges[FiberClass.C] == (0.5e-6, 1.5e-6)


def test_samples_stay_in_their_ranges_and_match_the_table():
    # the table's periosteal depths are those over a bone 5 mm deep
    pops = sample(seed=3, counts={"abeta": 2000, "adelta": 2000, "c": 2000, "motor": 2000,
                                  "periosteal": 2000}, bone_depth_m=5e-3)
    for spec in FIBER_CLASS_TABLE:
        p = pops[spec.fiber_class]
        assert p.size == 2000 and p.model == spec.model
        assert p.diameter_m.min() >= spec.diameter_range_m[0]
        assert p.diameter_m.max() <= spec.diameter_range_m[1]
        assert p.depth_m.min() >= spec.depth_range_m[0]
        assert p.depth_m.max() <= spec.depth_range_m[1]
        # mean of a centred truncated normal = its centre; 2000 draws: SE ~ SD/45 < 3 % of
        # the range, so 0.05 x range is > 3 SE
        span = spec.diameter_range_m[1] - spec.diameter_range_m[0]
        assert abs(p.diameter_m.mean() - spec.diameter_mean_m) < 0.05 * span
        top = p.ending_depth_m if p.has_endings else p.depth_m
        np.testing.assert_array_equal(p.position_m[:, 2], -top)
        np.testing.assert_allclose(np.linalg.norm(p.direction, axis=1), 1.0, rtol=1e-12)
        assert p.evidence_level is EvidenceLevel.ANATOMICAL_ASSUMPTION


def test_same_seed_same_fibers_and_independent_streams():
    a = sample(seed=11, bone_depth_m=8e-3)
    b = sample(seed=11, bone_depth_m=8e-3)
    c = sample(seed=11, counts={"c": 50})  # change another class only (and no bone)
    d = sample(seed=12)
    for cls in FiberClass:
        np.testing.assert_array_equal(a[cls].diameter_m, b[cls].diameter_m)
        np.testing.assert_array_equal(a[cls].position_m, b[cls].position_m)
    np.testing.assert_array_equal(a[FiberClass.A_BETA].diameter_m,
                                  c[FiberClass.A_BETA].diameter_m)
    assert FiberClass.PERIOSTEAL not in c  # no bone under the patch, no periosteum
    assert not np.array_equal(a[FiberClass.A_BETA].diameter_m, d[FiberClass.A_BETA].diameter_m)


def test_periosteal_adelta_run_on_the_bone_and_end_above_it():
    """The periosteal Aδ lie 0.05-0.15 mm above the bone's surface (in the periosteum),
    parallel to it, and their free endings rise 150 µm toward the skin; the skin's Aδ are
    the same sample with or without a bone under them."""
    bone = 6e-3
    with_bone = sample(seed=5, bone_depth_m=bone, adelta_ending="free")
    without = sample(seed=5, adelta_ending="free")
    p = with_bone[FiberClass.PERIOSTEAL]
    assert p.size == 60 and p.model == "mrg" and p.terminal_m is not None
    assert np.all((p.depth_m >= bone - 0.15e-3) & (p.depth_m <= bone - 0.05e-3))
    # the terminal's tip: where the myelin ends (in the plexus) less 150 µm
    assert np.all(p.ending_depth_m < p.depth_m)
    np.testing.assert_allclose(p.depth_m - p.ending_depth_m, 150e-6, atol=0.1e-3 + 1e-12)
    np.testing.assert_allclose(p.direction[:, 2], 0.0)
    assert np.all((p.diameter_m >= 1e-6) & (p.diameter_m <= 5e-6))
    np.testing.assert_array_equal(with_bone[FiberClass.A_DELTA].position_m,
                                  without[FiberClass.A_DELTA].position_m)
    with pytest.raises(InputError, match="bone_depth_m"):
        sample(seed=5, bone_depth_m=-1.0)


def test_motor_branches_are_the_same_axons_thinner():
    """The intramuscular-branch factor scales the motor diameters of the same draws and
    nothing else: positions, depths and every other class are unchanged."""
    trunk = sample(seed=7)
    branch = sample(seed=7, motor_diameter_factor=0.53)
    m0, m1 = trunk[FiberClass.MOTOR], branch[FiberClass.MOTOR]
    np.testing.assert_allclose(m1.diameter_m, 0.53 * m0.diameter_m, rtol=1e-15)
    np.testing.assert_array_equal(m1.model_diameter_m, m1.diameter_m)  # inside MRG's range
    np.testing.assert_array_equal(m1.position_m, m0.position_m)
    for cls in (FiberClass.A_BETA, FiberClass.A_DELTA, FiberClass.C):
        np.testing.assert_array_equal(branch[cls].diameter_m, trunk[cls].diameter_m)


def test_every_diameter_is_simulated_as_sampled():
    # Aδ down to 1 µm run on the thin-myelinated MRG geometry; C fibers are sampled where
    # Sundt's model holds: no class is clamped, so nothing warns.
    pops = sample_fiber_populations(seed=5, counts={"adelta": 500, "c": 200})
    for p in pops:
        lo, hi = MODEL_DIAMETER_RANGE_M[p.model]
        assert p.n_clamped == 0
        assert p.diameter_m.min() >= lo and p.diameter_m.max() <= hi
        np.testing.assert_array_equal(p.model_diameter_m, p.diameter_m)
    adelta = next(p for p in pops if p.fiber_class is FiberClass.A_DELTA)
    assert (adelta.diameter_m < 2e-6).sum() > 0.05 * adelta.size  # the thin ones are there


def test_afferents_end_above_their_plexus_and_follow_the_skin_thickness():
    thin = sample(seed=3, skin_thickness_m=1.0e-3)
    thick = sample(seed=3, skin_thickness_m=2.0e-3)
    for cls in (FiberClass.A_BETA, FiberClass.A_DELTA, FiberClass.C):
        a, b = thin[cls], thick[cls]
        assert a.has_endings
        assert np.all(a.ending_depth_m <= a.depth_m)  # the branch rises to the ending
        np.testing.assert_allclose(a.position_m[:, 2], -a.ending_depth_m)
        assert a.depth_m.max() <= 1.0e-3  # inside the skin layer
        # depths are fractions of the skin layer: doubling the skin doubles them
        np.testing.assert_allclose(b.depth_m, 2.0 * a.depth_m, rtol=1e-12)
    assert not thin[FiberClass.MOTOR].has_endings
    # the ordering of the anatomy: C endings in the epidermis, above Aδ and Aβ endings
    assert thin[FiberClass.C].ending_depth_m.max() < thin[FiberClass.A_DELTA].ending_depth_m.min()


def test_free_adelta_endings_rise_from_where_the_myelin_ends():
    """``adelta_ending="free"``: the same fibers, each with an unmyelinated terminal whose
    tip lies its length above the node ending's depth (where Aδ lose their myelin), never
    shallower than the C fibers' shallowest endings; other classes are untouched."""
    from estim.effects.anatomy import cutaneous_layout
    from estim.effects.populations import AdeltaEnding
    from estim.fibers.tables import FREE_ENDING

    skin = 1.5e-3
    node = sample(seed=4, skin_thickness_m=skin)
    free = sample(seed=4, skin_thickness_m=skin, adelta_ending="free")
    a, b = node[FiberClass.A_DELTA], free[FiberClass.A_DELTA]
    length = float(FREE_ENDING["length"]) * 1e-6  # [µm -> m]
    shallowest = cutaneous_layout("c", skin).ending_depth_m[0]
    assert a.terminal_m is None and b.terminal_m == (length, 1e-6)
    np.testing.assert_array_equal(a.diameter_m, b.diameter_m)
    np.testing.assert_array_equal(a.position_m[:, :2], b.position_m[:, :2])
    np.testing.assert_allclose(b.ending_depth_m,
                               np.maximum(a.ending_depth_m - length, shallowest), rtol=1e-12)
    assert (b.ending_depth_m < a.ending_depth_m).all()
    np.testing.assert_allclose(b.position_m[:, 2], -b.ending_depth_m)
    for cls in (FiberClass.A_BETA, FiberClass.C, FiberClass.MOTOR):
        np.testing.assert_array_equal(node[cls].position_m, free[cls].position_m)
        assert free[cls].terminal_m is None
    assert sample(seed=4, adelta_ending=AdeltaEnding.NODE)[FiberClass.A_DELTA].terminal_m is None


def test_orientation_and_site_options():
    pops = sample(seed=2, limb_axis=(0.0, 2.0, 0.0), motor_depth_range_m=(0.02, 0.03),
                  region_m=(0.1, 0.04), motor_region_m=(0.2, 0.1))
    motor = pops[FiberClass.MOTOR]
    assert motor.spec.orientation is Orientation.ALONG_LIMB
    np.testing.assert_allclose(motor.direction, np.tile([0.0, 1.0, 0.0], (motor.size, 1)))
    assert motor.depth_m.min() >= 0.02 and motor.depth_m.max() <= 0.03
    skin = pops[FiberClass.A_BETA]
    np.testing.assert_array_equal(skin.direction[:, 2], 0.0)  # parallel to the skin
    assert np.abs(skin.position_m[:, 0]).max() <= 0.05
    assert np.abs(skin.position_m[:, 1]).max() <= 0.02
    assert np.abs(motor.position_m[:, 0]).max() > 0.05  # spread over the muscle's region


def test_abeta_region_spreads_the_same_draws_wider():
    # the Aβ counts need every afferent that fires round the pad (estim.effects.window.
    # ABETA_MARGIN_M): a region of their own scales their draws and no other class's
    base = sample(seed=3, region_m=(0.065, 0.065))
    wide = sample(seed=3, region_m=(0.065, 0.065), abeta_region_m=(0.1, 0.08))
    a, b = base[FiberClass.A_BETA], wide[FiberClass.A_BETA]
    np.testing.assert_allclose(b.position_m[:, 0], a.position_m[:, 0] * 0.1 / 0.065, rtol=1e-12)
    np.testing.assert_allclose(b.position_m[:, 1], a.position_m[:, 1] * 0.08 / 0.065, rtol=1e-12)
    assert np.abs(b.position_m[:, 0]).max() > 0.0325  # beyond the common region
    assert np.abs(b.position_m[:, 1]).max() <= 0.04
    np.testing.assert_array_equal(b.diameter_m, a.diameter_m)
    for cls in (FiberClass.A_DELTA, FiberClass.C, FiberClass.MOTOR):
        np.testing.assert_array_equal(wide[cls].position_m, base[cls].position_m)


def test_class_names_as_users_write_them():
    pops = sample(seed=1, classes=["Aβ", "A-delta", FiberClass.C], counts={"A_BETA": 3})
    assert [p.fiber_class for p in pops.values()] == [FiberClass.A_BETA, FiberClass.A_DELTA,
                                                      FiberClass.C]
    assert pops[FiberClass.A_BETA].size == 3


def test_arrays_are_frozen():
    p = sample(seed=1)[FiberClass.C]
    with pytest.raises(ValueError):
        p.diameter_m[0] = 0.0


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"seed": -1}, "seed"),
    ({"seed": 1, "counts": {"abeta": -3}}, "counts['abeta']"),
    ({"seed": 1, "counts": {"gamma": 3}}, "counts"),
    ({"seed": 1, "classes": ["B"]}, "classes"),
    ({"seed": 1, "limb_axis": (0, 0, 0)}, "limb_axis"),
    ({"seed": 1, "region_m": (0.05, -1.0)}, "region_m"),
    ({"seed": 1, "motor_depth_range_m": (0.03, 0.01)}, "motor_depth_range_m"),
    ({"seed": 1, "motor_region_m": (0.0, 0.1)}, "motor_region_m"),
    ({"seed": 1, "abeta_region_m": (0.1, float("inf"))}, "abeta_region_m"),
    ({"seed": 1, "skin_thickness_m": -1e-3}, "skin_thickness"),
    ({"seed": 1, "adelta_ending": "bare"}, "adelta_ending"),
    ({"seed": 1, "motor_diameter_factor": 0.0}, "motor_diameter_factor"),
    ({"seed": 1, "motor_diameter_factor": 1.5}, "motor_diameter_factor"),
    ({"seed": 1, "motor_diameter_factor": float("nan")}, "motor_diameter_factor"),
    ({"seed": 1, "motor_diameter_factor": "half"}, "motor_diameter_factor"),
])
def test_bad_input(kwargs, field):
    with pytest.raises(InputError) as err:
        sample(**kwargs)
    assert err.value.field == field


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32), n=st.integers(0, 50))
def test_any_seed_and_count(seed, n):
    pops = sample(seed=seed, counts={c.value: n for c in FiberClass})
    for p in pops.values():
        assert p.size == n
        assert np.all(np.isfinite(p.position_m))


@pytest.mark.parametrize(("lo", "hi", "mean", "sd"), [
    (6e-6, 12e-6, 9e-6, 1.5e-6),     # centred (Aβ-like)
    (1e-6, 5e-6, 2.5e-6, 1.0e-6),    # Aδ-like, skewed
    (0.5e-6, 1.5e-6, 0.9e-6, 0.3e-6),
    (9e-6, 16e-6, 6e-6, 2e-6),       # wholly above the mean: the mirrored branch
    (1e-6, 3e-6, 8e-6, 2e-6),        # wholly below the mean, far in the tail
])
def test_truncated_normal_quantiles_are_scipy_stats(lo, hi, mean, sd):
    """The fiber diameters' quantile function without importing scipy.stats: the same
    numbers as ``truncnorm.ppf``, so every population (and every cached threshold keyed on
    its diameters) is what it was. 1e-12 of the range: float rounding, nothing else."""
    from scipy.stats import truncnorm

    from estim.effects.populations import truncated_normal_ppf

    u = np.concatenate([[0.0, 1e-9, 0.5, 1 - 1e-9, 1.0],
                        np.random.default_rng(3).uniform(size=200)])
    ours = truncated_normal_ppf(u, lo, hi, mean, sd)
    ref = truncnorm.ppf(u, (lo - mean) / sd, (hi - mean) / sd, loc=mean, scale=sd)
    np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-12 * (hi - lo) + 1e-18)
    assert np.all((ours >= lo - 1e-18) & (ours <= hi + 1e-18))  # the caller clips the rest
