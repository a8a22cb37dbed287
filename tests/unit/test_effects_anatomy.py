"""Per-site anatomy: afferents as terminal branch + plexus axon, motor branches inside the
site's muscle below its own skin and fat, and the thin myelinated geometry of Aδ fibers."""

from __future__ import annotations

import numpy as np
import pytest

from estim.effects.anatomy import CUTANEOUS_TABLE, MUSCLES, SITE_MUSCLE, cutaneous_layout
from estim.effects.placement import fiber_points, site_anatomy
from estim.errors import EstimWarning, InputError
from estim.fibers import conduction_velocity, make_fiber
from estim.fibers.tables import mrg_geometry
from estim.fields.sites import make_site


def test_every_row_has_a_source_and_ordered_fractions():
    for row in CUTANEOUS_TABLE:
        lo, hi = row.fraction
        assert row.source and 0 < lo < hi < 1
    for m in MUSCLES.values():
        assert m.source and 0 < m.branch_depth_m[0] < m.branch_depth_m[1]
    assert set(SITE_MUSCLE.values()) <= set(MUSCLES)


@pytest.mark.parametrize("name", sorted(SITE_MUSCLE))
def test_motor_axons_lie_in_muscle_below_that_sites_skin_and_fat(name):
    site = make_site(name)
    thick = {ly.tissue: ly.thickness for ly in site.layers}
    cover = thick["skin"] + thick["fat"]
    lo, hi = site_anatomy(site)["motor_depth_range_m"]
    assert cover < lo < hi <= cover + thick["muscle"] + 1e-12


def test_motor_depth_follows_an_overridden_fat_layer():
    thigh = make_site("thigh")
    fat = next(ly for ly in thigh.layers if ly.tissue == "fat")
    thicker = thigh.replace(layers=tuple(ly.__class__(ly.tissue, 0.03, ly.conductivity,
                                                      ly.conductivity_across)
                                         if ly.tissue == "fat" else ly for ly in thigh.layers))
    a = site_anatomy(thigh)["motor_depth_range_m"]
    b = site_anatomy(thicker)["motor_depth_range_m"]
    assert b[0] - a[0] == pytest.approx(0.03 - fat.thickness)


def test_every_fat_a_planar_site_takes_leaves_its_motor_axons_a_place():
    """A lower back with the 200 mm of fat a program may give it (its layers within the
    planar 300 mm) put the paraspinals' branches 207-232 mm deep, and the fiber stage,
    which took them only to 200 mm, stopped the run on motor_depth_range_m, a name nobody
    wrote. They are sampled there now."""
    from estim.effects.populations import FiberClass, sample_fiber_populations
    from estim.fields.sites import MAX_DEPTH_M, site_from_spec

    with pytest.warns(EstimWarning, match="outside the usual range"):
        site = site_from_spec("lower_back", {"fat_thickness": "200 mm"})
    assert site.depth <= MAX_DEPTH_M
    kw = site_anatomy(site)
    lo, hi = kw["motor_depth_range_m"]
    assert 0.2 < lo < hi < MAX_DEPTH_M
    motor = {k: v for k, v in kw.items() if k.startswith("motor_")}
    (pop,) = sample_fiber_populations(seed=0, counts={FiberClass.MOTOR: 5},
                                      classes=[FiberClass.MOTOR], **motor)
    depths = pop.depth_m
    assert np.all((depths >= lo) & (depths <= hi))


@pytest.mark.parametrize(("name", "bone_mm"), [("lower_back", 62.0), ("patch", 46.5),
                                              ("knee", 15.0), ("cheek", None)])
def test_the_periosteum_lies_under_every_softer_layer_of_a_site_with_a_bone(name, bone_mm):
    """The bone's depth is the sum of the layers above it (a limb's muscle fills the radius:
    the knee's 50 mm less 1.5 skin, 6 fat and a 35 mm bone is 15 mm); the cheek has none."""
    got = site_anatomy(make_site(name)).get("bone_depth_m")
    if bone_mm is None:
        assert got is None
    else:
        assert got == pytest.approx(bone_mm * 1e-3, rel=1e-12)


def test_no_periosteum_where_the_layers_leave_no_room_for_it():
    """A hostile override with 0.15 mm of tissue on the bone: no periosteal Aδ (they need
    0.15 mm above the bone), instead of an error about a field the user never wrote."""
    patch = make_site("patch")
    thin = patch.replace(layers=tuple(ly.__class__(ly.tissue, 0.05e-3, ly.conductivity,
                                                   ly.conductivity_across)
                                      if ly.tissue != "bone" else ly for ly in patch.layers))
    assert "bone_depth_m" not in site_anatomy(thin)
    assert "motor_depth_range_m" in site_anatomy(thin)


def test_no_anatomy_for_the_brain_and_bad_classes_are_refused():
    assert site_anatomy(make_site("stn")) == {}
    with pytest.raises(InputError):
        cutaneous_layout("gamma", 1e-3)


class _Flat:  # an electrode frame on a planar site: x along the axis, z out of the skin
    position = (0.0, 0.0, 0.0)
    normal = (0.0, 0.0, 1.0)
    axis = (1.0, 0.0, 0.0)


def test_an_afferent_rises_from_its_plexus_to_its_ending():
    fib = make_fiber("mrg", 3e-6, n_nodes=21, passive_end_nodes=(0, 1))
    ending = np.array([0.001, 0.002, -0.2e-3])
    pts = fiber_points(fib, ending, np.array([0.0, 1.0, 0.0]), _Flat(), None,
                       plexus_depth_m=1.0e-3)
    np.testing.assert_allclose(pts[0], ending, atol=1e-15)  # first compartment: the ending
    rising = pts[:, 2] > -1.0e-3
    # straight down to the plexus, then along it at the plexus depth
    np.testing.assert_allclose(pts[rising, :2], np.tile(ending[:2], (rising.sum(), 1)))
    np.testing.assert_allclose(pts[~rising, 2], -1.0e-3)
    assert np.all(np.diff(pts[~rising, 1]) > 0)
    # arc length is preserved: the path is as long as the cable, less the corner that the
    # chord between the two compartments on either side of the bend cuts
    seg = np.linalg.norm(np.diff(pts, axis=0), axis=1).sum()
    arc = fib.positions_m[-1] - fib.positions_m[0]
    assert 0.0 <= arc - seg < np.diff(fib.positions_m).max()


def test_an_ending_is_an_active_node_and_the_far_end_is_passive():
    fib = make_fiber("mrg", 9e-6, n_nodes=21, passive_end_nodes=(0, 1))
    assert fib.active_index[0] == fib.node_index[0]
    assert fib.node_index[-1] not in set(fib.active_index)


def test_thin_myelinated_geometry_is_similar_below_2um():
    two = mrg_geometry(2.0)
    one = mrg_geometry(1.0)
    assert one.axon_diameter / one.fiber_diameter == pytest.approx(
        two.axon_diameter / two.fiber_diameter)
    assert one.node_spacing == pytest.approx(two.node_spacing / 2)
    assert one.axon_diameter < one.fiber_diameter  # the quadratic fits break this at 1 µm


@pytest.mark.slow
def test_thin_myelinated_conduction_is_proportional_to_diameter_and_in_the_adelta_range():
    cv = {d: conduction_velocity(make_fiber("mrg", d * 1e-6, n_nodes=31)) for d in (1.0, 2.0)}
    # Similar geometry (same g-ratio and L/D) makes velocity proportional to diameter
    # (Rushton 1951); 5 % covers the change of node length, which is not scaled.
    assert cv[1.0] / cv[2.0] == pytest.approx(0.5, rel=0.05)
    # Aδ conduct at about 2-30 m/s; human cutaneous nerves at 4.55 ± 0.19 (m/s)/µm
    # (Tackmann et al. 1976, J Neurol 212:71): within 15 % of that slope, 3 SDs of the
    # across-subject spread plus the rounding of the 31-node fiber's timing.
    for d, v in cv.items():
        assert 2.0 < v < 30.0
        assert v / d == pytest.approx(4.55, rel=0.15)


@pytest.mark.parametrize("where", ["knee_lateral", "knee_medial", "knee_inferolateral",
                                   "knee_superomedial"])
def test_knee_motor_points_are_the_vastus_medialis_above_the_joint(where):
    """Over the joint there is no muscle: the knee's motor axons are the vastus medialis's,
    centred where its row puts them (polar angle, height above the joint line) whatever
    pad is the cathode, at their depth below the knee's skin and fat."""
    from estim.effects.placement import conform
    from estim.effects.populations import sample_fiber_populations
    from estim.fields.electrodes import place_electrode

    site = make_site("knee")
    row = MUSCLES[SITE_MUSCLE["knee"]]
    assert row.site_position is not None
    cathode = place_electrode(site, where, "circular", length=0.05)
    kw = site_anatomy(site, cathode)
    centre = conform(np.array([[*kw["motor_center_m"], 0.0]]), cathode, site)[0]
    assert np.arctan2(centre[1], centre[0]) == pytest.approx(row.site_position[0], abs=1e-9)
    assert centre[2] == pytest.approx(row.site_position[1], abs=1e-9)
    (motor,) = sample_fiber_populations(seed=0, counts={"motor": 200}, classes=["motor"],
                                        **kw)
    along = motor.position_m[:, 0] - kw["motor_center_m"][0]
    assert np.all(np.abs(along) <= 0.5 * row.region_m[0] + 1e-12)
    # every motor axon above the pads' upper row and the joint line
    assert np.all(cathode.position[2] + motor.position_m[:, 0] > 0.07)


def test_knee_pads_keep_their_place_on_the_longer_segment():
    """The knee segment runs 17.5 cm either side of the joint line; its named pads stay a
    hand's width above and below it (37.5 mm), as before the segment grew."""
    from estim.fields.sites import placement

    site = make_site("knee")
    assert site.length == pytest.approx(0.35)
    for name, z in (("knee_superomedial", 0.0375), ("knee_inferolateral", -0.0375),
                    ("knee_anterior_proximal", 0.0375), ("knee_medial", 0.0)):
        assert placement(site, name).position[2] == pytest.approx(z, abs=1e-12)


def test_knee_pads_stay_put_when_the_segment_is_overridden():
    """A shorter knee (a site override) keeps its pads a hand's width from the joint line."""
    from estim.fields.sites import placement

    site = make_site("knee").replace(length=0.15)
    assert placement(site, "knee_inferolateral").position[2] == pytest.approx(-0.0375)


@pytest.mark.parametrize(("site_name", "where", "muscle"), [
    ("calf", "tibialis_anterior_proximal", "tibialis anterior"),
    ("calf", "gastrocnemius", "calf muscles"),
    ("calf", "calf_wound", "calf muscles"),  # posterolateral: nearer the calf's back
    ("forearm", "forearm_volar", "forearm flexors"),
    ("forearm", "forearm_ulnar", "forearm flexors"),
    ("forearm", "forearm_dorsal_distal", "forearm extensors"),
    ("forearm", "forearm_radial", "forearm extensors"),  # the mobile wad
    ("forearm", "forearm_lateral_epicondyle", "forearm extensors"),  # their common origin
    ("thigh", "vastus_lateralis", "quadriceps"),
    ("thigh", "hamstring_mid", "hamstrings"),
    ("upper_arm", "triceps", "triceps brachii"),
    ("upper_arm", "biceps_distal", "biceps brachii"),
])
def test_a_limb_pad_gets_the_muscle_on_its_side(site_name, where, muscle):
    """On a limb the motor axons are those of the muscle group on the cathode's side (the
    issue's tibialis anterior and gastrocnemius, forearm flexors and extensors), each with
    its own branch depth and region below that site's skin and fat."""
    from estim.effects.anatomy import MUSCLES
    from estim.effects.placement import site_muscle
    from estim.fields.electrodes import place_electrode

    site = make_site(site_name)
    cathode = place_electrode(site, where, "circular", length=0.04)
    row = site_muscle(site, cathode)
    assert row is not None and row.short_name == muscle
    assert row in MUSCLES.values()
    thick = {ly.tissue: ly.thickness for ly in site.layers}
    cover = thick["skin"] + thick["fat"]
    kw = site_anatomy(site, cathode)
    assert kw["motor_depth_range_m"] == pytest.approx(
        (cover + row.branch_depth_m[0], cover + row.branch_depth_m[1]))
    assert kw["motor_region_m"] == row.region_m


def test_a_pad_as_far_from_two_groups_gets_the_sites_own_and_every_group_exists():
    """The calf's lateral (peroneal) side lies as far from the tibialis anterior as from
    the calf muscles, and its own compartment is not modelled: the site's muscle."""
    import math

    from estim.effects.anatomy import LIMB_MUSCLES, MUSCLES, between_groups, muscle_for_site

    assert muscle_for_site("calf", math.pi / 2) is MUSCLES[SITE_MUSCLE["calf"]]
    # ... and the window's notes say what the pad lies over instead
    assert "peroneal" in (between_groups("calf", math.pi / 2) or "")
    assert "deltoid" in (between_groups("upper_arm", -math.pi / 2) or "")
    assert between_groups("calf", 0.2) is None and between_groups("forearm", math.pi) is None
    assert muscle_for_site("calf") is MUSCLES[SITE_MUSCLE["calf"]]
    for site_name, groups in LIMB_MUSCLES.items():
        assert SITE_MUSCLE[site_name] in {key for _, key in groups}
        assert all(key in MUSCLES for _, key in groups)


@pytest.mark.parametrize(("where", "away"), [
    ("knee_lateral", True), ("knee_superolateral", True), ("knee_inferolateral", True),
    ("knee_medial", False), ("knee_inferomedial", False), ("knee_anterior", False)])
def test_a_cathode_across_the_knee_from_its_muscle_says_so(where: str, away: bool) -> None:
    """The knee's motor axons are the vastus medialis's, medial, whatever the cathode: a
    lateral pad's twitch was named the vastus medialis's without a word (probe of
    5 December 2026). A cathode more than a quarter turn round the limb from its motor
    points (1.14 rad medial; lateral is +π/2, 2.71 rad away, anterior 1.14) gets the note;
    the arc is the angle on the knee's mean radius (5.25 cm: 14 cm for the lateral)."""
    from estim.effects.placement import MUSCLE_AWAY_NOTE, muscle_away, site_muscle
    from estim.fields.electrodes import place_electrode

    site = make_site("knee")
    cathode = place_electrode(site, where, "circular", length=0.05)
    note = muscle_away(site, cathode, site_muscle(site, cathode))
    assert (note is not None) is away
    if away:
        assert note.startswith(MUSCLE_AWAY_NOTE) and "vastus medialis's motor points" in note
    # a muscle under the pads (the thigh's quadriceps) never gets it
    thigh = make_site("thigh")
    pad = place_electrode(thigh, "quadriceps_distal", "circular", length=0.05)
    assert muscle_away(thigh, pad, site_muscle(thigh, pad)) is None
