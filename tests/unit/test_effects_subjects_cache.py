"""The virtual subjects' drive ratios are computed once per site, pads and draw, and served
from memory or the disk cache as the same numbers, bit for bit (estim.effects.subjects)."""

from __future__ import annotations

import dataclasses
import math
import shutil
from pathlib import Path

import numpy as np
import pytest

from estim.effects import subjects as S
from estim.effects.anatomy import MUSCLES
from estim.effects.populations import FiberClass
from estim.effects.sensation import Band, SensationCriteria
from estim.effects.window import ClassThresholds
from estim.fields import make_site, place_electrode
from estim.fields.fast import channel_potential

N_SUBJECTS = 3


@pytest.fixture(autouse=True)
def _own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty disk cache and an empty memory for every test."""
    monkeypatch.setenv("ESTIM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(S, "_memory", type(S._memory)())
    return tmp_path / "cache"


class _PointPads:
    """φ of two point sources at the pads' centres, stronger for a thinner skin: a field as
    cheap as the cache tests need (the fast solver itself is in the last tests)."""

    valid, note = True, ""

    def __init__(self, anode, cathode, skin_thickness: float | None) -> None:
        self.a, self.c = np.asarray(anode.position), np.asarray(cathode.position)
        self.k = 1.0 / (1.0 + 100.0 * (skin_thickness or 1.5e-3))

    def __call__(self, x):  # type: ignore[no-untyped-def]
        x = np.asarray(x, float).reshape(-1, 3)
        return self.k * (1 / np.linalg.norm(x - self.a, axis=1)
                         - 1 / np.linalg.norm(x - self.c, axis=1))


@pytest.fixture
def solves(monkeypatch: pytest.MonkeyPatch) -> list[float | None]:
    """The skin thickness of every field the subjects ask for (None: the site's own)."""
    import estim.fields.fast as fast

    calls: list[float | None] = []

    def counted(site, anode, cathode, *, skin_thickness=None, fat_thickness=None):  # type: ignore[no-untyped-def]
        calls.append(skin_thickness)
        return _PointPads(anode, cathode, skin_thickness)

    monkeypatch.setattr(fast, "channel_potential", counted)
    return calls


def _setup(cathode_at: str = "forearm_volar_distal", skin_sigma: float | None = None):
    site = make_site("forearm")
    if skin_sigma is not None:
        site = site.replace(layers=tuple(
            dataclasses.replace(ly, conductivity=skin_sigma, conductivity_across=skin_sigma)
            if ly.tissue == "skin" else ly
            for ly in site.layers))
    anode = place_electrode(site, "forearm_volar_proximal", length=0.05)
    cathode = place_electrode(site, cathode_at, length=0.05)
    return site, anode, cathode


def _classes(cathode, scale: float = 1.0) -> dict[str, ClassThresholds]:
    """Straight fibers along the limb under the cathode: afferents in the skin, motor axons
    in the muscle; thresholds 1-5 mA (x ``scale``, as another pulse would give)."""
    p0 = np.asarray(cathode.position, float)
    n = np.asarray(cathode.normal, float)
    axis = np.asarray(cathode.axis, float)
    s = np.linspace(-0.02, 0.02, 81)
    out = {}
    for cls, depths in ((FiberClass.A_BETA, [0.6e-3, 0.9e-3, 1.2e-3]),
                        (FiberClass.MOTOR, [9e-3, 12e-3, 15e-3])):
        points = tuple(p0[None, :] - d * n[None, :] + s[:, None] * axis[None, :]
                       for d in depths)
        nodes = tuple(np.arange(0, s.size, 4, dtype=np.intp) for _ in depths)
        thr = scale * np.linspace(1e-3, 5e-3, len(depths))
        out[cls.value] = ClassThresholds(cls, thr, np.array(depths), np.full(len(depths), 1e-5),
                                         "test", points_m=points, nodes=nodes)
    return out


def _draw(classes, site, anode, cathode, seed: int = 3):
    class Pads:
        pass

    pads = Pads()
    pads.anode, pads.cathode = anode, cathode  # type: ignore[attr-defined]
    drawn = S.subject_thresholds(classes, pads, site, counts=None,  # type: ignore[arg-type]
                                 criteria=SensationCriteria.from_table(), available={},
                                 n_subjects=N_SUBJECTS, seed=seed)
    assert drawn is not None
    return drawn


def _assert_same(a, b) -> None:
    assert a[1] == b[1]
    for k in ("sensory", "strong", "motor", "pain"):
        np.testing.assert_array_equal(a[0][k], b[0][k], err_msg=k)  # bit for bit


def test_memory_and_disk_give_the_computed_numbers(solves, _own_cache: Path) -> None:
    site, anode, cathode = _setup()
    classes = _classes(cathode)
    first = _draw(classes, site, anode, cathode)
    assert len(solves) == 1 + N_SUBJECTS  # the site's own field and one per subject
    _assert_same(_draw(classes, site, anode, cathode), first)  # from memory
    S._memory.clear()
    _assert_same(_draw(classes, site, anode, cathode), first)  # from the disk
    assert len(solves) == 1 + N_SUBJECTS
    assert len(list((_own_cache / "subject_drives").glob("*.npz"))) == 1


def test_a_damaged_entry_is_computed_again(solves, _own_cache: Path) -> None:
    site, anode, cathode = _setup()
    classes = _classes(cathode)
    first = _draw(classes, site, anode, cathode)
    (entry,) = (_own_cache / "subject_drives").glob("*.npz")
    entry.write_bytes(entry.read_bytes()[:100])  # a truncated entry is a miss
    S._memory.clear()
    _assert_same(_draw(classes, site, anode, cathode), first)
    assert len(solves) == 2 * (1 + N_SUBJECTS)


def test_ratios_prefetched_on_a_thread_are_the_ones_the_bands_use(solves,
                                                                  _own_cache: Path) -> None:
    """``estim run`` starts the subjects' fields on a thread before the site's field is
    solved: the bands then solve nothing and are the numbers computed in line."""
    site, anode, cathode = _setup()
    classes = _classes(cathode)
    at_nodes = {name: [p[n] for p, n in zip(c.points_m, c.nodes, strict=True)]
                for name, c in classes.items()}
    future = S.prefetch_drive_ratios(at_nodes, site, anode, cathode, n_subjects=N_SUBJECTS,
                                     seed=3)
    assert future.result() is not None
    assert len(solves) == 1 + N_SUBJECTS
    prefetched = _draw(classes, site, anode, cathode, seed=3)
    assert len(solves) == 1 + N_SUBJECTS  # found in memory
    S._memory.clear()
    shutil.rmtree(_own_cache / S._CACHE_KIND)
    _assert_same(_draw(classes, site, anode, cathode, seed=3), prefetched)  # in line
    assert len(solves) == 2 * (1 + N_SUBJECTS)


def test_another_pulse_reuses_the_fields(solves) -> None:
    """Thresholds 1.7 x (a longer pulse, say): the same subjects' fields, the bands 1.7 x."""
    site, anode, cathode = _setup()
    first = _draw(_classes(cathode), site, anode, cathode)
    other = _draw(_classes(cathode, scale=1.7), site, anode, cathode)
    assert len(solves) == 1 + N_SUBJECTS
    for k in ("sensory", "motor"):
        np.testing.assert_allclose(other[0][k], 1.7 * first[0][k], rtol=1e-12)


@pytest.mark.parametrize("change", ["cathode", "skin_sigma", "seed"])
def test_what_the_fields_depend_on_makes_a_new_entry(solves, change: str) -> None:
    site, anode, cathode = _setup()
    _draw(_classes(cathode), site, anode, cathode)
    if change == "cathode":
        site, anode, cathode = _setup(cathode_at="forearm_volar_mid")
        _draw(_classes(cathode), site, anode, cathode)
    elif change == "skin_sigma":
        sigma = next(ly.conductivity for ly in site.layers if ly.tissue == "skin")
        site, anode, cathode = _setup(skin_sigma=2.0 * sigma)
        _draw(_classes(cathode), site, anode, cathode)
    else:
        _draw(_classes(cathode), site, anode, cathode, seed=4)  # other subjects
    assert len(solves) == 2 * (1 + N_SUBJECTS)


def test_the_ratios_are_the_per_subject_formula() -> None:
    """Each subject's thresholds are the site's times (its drive there / its drive in the
    subject's own field) times the subject's excitability, as the per-subject loop did."""
    site, anode, cathode = _setup()
    classes = _classes(cathode)
    rows, _ = _draw(classes, site, anode, cathode, seed=5)
    rng = np.random.default_rng(5)

    def draw(cv: float) -> np.ndarray:
        s = math.sqrt(math.log1p(cv * cv))
        return np.exp(rng.normal(-0.5 * s * s, s, N_SUBJECTS))

    skin_k, fat_k, _dens = (draw(S.SUBJECT_SPREAD[k][0]) for k in
                            ("skin_thickness", "fat_thickness", "innervation_density"))
    excite = draw(S.SUBJECT_SPREAD["excitability"][0])
    # where each subject's motor points lie: along the forearm by the flexors' spread
    shift = rng.normal(0.0, 1.0, N_SUBJECTS) * MUSCLES["forearm_flexors"].motor_point_sd_m
    assert shift.std() > 0
    thick = {ly.tissue: ly.thickness for ly in site.layers}
    base = channel_potential(site, anode, cathode)
    criteria = SensationCriteria.from_table()
    for cls, row, frac in (("motor", "motor", criteria.motor_fraction_without_force),
                           ("abeta", "sensory", criteria.sensory_abeta_fraction)):
        c = classes[cls]
        for k in range(N_SUBJECTS):
            skin, fat = thick["skin"] * skin_k[k], thick["fat"] * fat_k[k]
            field = channel_potential(site, anode, cathode, skin_thickness=skin,
                                      fat_thickness=fat)
            thr = []
            for p, nodes, t in zip(c.points_m, c.nodes, c.thresholds_a, strict=True):
                moved = S.subject_points(cls, p[nodes], site, cathode, skin_scale=skin_k[k],
                                         skin_m=skin - thick["skin"],
                                         fat_m=fat - thick["fat"],
                                         motor_shift_m=shift[k])
                thr.append(t * excite[k] * S._drive(p[nodes], base(p[nodes]))
                           / S._drive(moved, field(moved)))
            expected = ClassThresholds(c.fiber_class, np.array(thr), c.depth_m,
                                       c.diameter_m, c.model).amplitude_for(frac)
            # the same products in another order: equal to a few units in the last place
            assert rows[row][k] == pytest.approx(expected, rel=1e-12), (cls, k)


def test_memory_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    site, anode, cathode = _setup()
    classes = _classes(cathode)
    monkeypatch.setattr(S, "_compute_ratios", lambda at_nodes, *a, **k: (
        {name: np.ones((N_SUBJECTS, len(p))) for name, p in at_nodes.items()}, ""))
    for seed in range(S.MEMORY_ENTRIES + 3):
        _draw(classes, site, anode, cathode, seed=seed)
    assert len(S._memory) == S.MEMORY_ENTRIES


def test_no_fast_field_no_band() -> None:
    """A lead contact: the fast solver does not apply, and that answer is remembered too."""
    site = make_site("forearm")
    anode = place_electrode(site, "forearm_volar_proximal", length=0.05)
    cathode = place_electrode(site, "forearm_volar_distal", length=0.05)
    lead = dataclasses.replace(cathode, shape="lead_contact")
    classes = _classes(cathode)
    at_nodes = {k: [p[n] for p, n in zip(c.points_m, c.nodes, strict=True)]
                for k, c in classes.items()}
    ones = np.ones(N_SUBJECTS)
    assert S.drive_ratios(at_nodes, site, anode, lead, skin_k=ones, fat_k=ones) is None
    S._memory.clear()  # from the disk entry
    assert S.drive_ratios(at_nodes, site, anode, lead, skin_k=ones, fat_k=ones) is None


def _triple(band: Band) -> tuple[float, float, float]:
    return band.low_a, band.median_a, band.high_a


def test_a_band_counts_the_subjects_that_never_reach_it() -> None:
    """The band's percentiles are over every subject, one that never reaches the threshold
    (inf) counting above all that do (as ``sensations_at`` counts them): with half of 20
    never reaching it the median and p90 are open and p10 is numpy's over all 20 (2.9,
    between the 2nd and 3rd lowest), not over the ten that reach it (1.9)."""
    reach = np.arange(1.0, 11.0)
    band = S._band(np.concatenate([reach, np.full(10, math.inf)]))
    assert band.low_a == pytest.approx(np.percentile(np.arange(1.0, 21.0), 10))  # 2.9
    assert math.isinf(band.median_a) and math.isinf(band.high_a)
    # one of 20 never reaches it: only p90 (position 17.1 of 0..19) stays finite...
    one_out = np.concatenate([np.arange(1.0, 20.0), [math.inf]])
    assert _triple(S._band(one_out)) == pytest.approx(
        np.percentile(np.arange(1.0, 21.0), [10, 50, 90]), rel=1e-12)
    # ...and where every subject reaches it the band is numpy's percentiles exactly
    everyone = np.random.default_rng(1).lognormal(size=20)
    assert _triple(S._band(everyone)) == pytest.approx(
        np.percentile(everyone, [10, 50, 90]), rel=1e-12)  # numpy interpolates from the top


def test_a_subjects_motor_points_move_along_the_limb_by_the_muscles_spread() -> None:
    """Where a muscle's motor points lie varies between people (measured for five muscles,
    estim.effects.anatomy): a subject's motor axons move along the limb by its standard
    normal draw times that spread; afferents stay, and a planar site or a muscle without a
    measured spread draws none."""
    site, _, cathode = _setup()  # the forearm's flexors: 0.85 cm
    z = np.array([-1.0, 0.0, 2.0])
    shifts = S.motor_shifts(site, cathode, z)
    assert shifts == pytest.approx(z * MUSCLES["forearm_flexors"].motor_point_sd_m, rel=1e-12)
    points = np.array([[0.0, 0.03, -0.01], [0.0, 0.03, 0.0], [0.0, 0.03, 0.01]])
    kw = {"skin_scale": 1.0, "skin_m": 0.0, "fat_m": 0.0}
    moved = S.subject_points("motor", points, site, cathode, motor_shift_m=0.02, **kw)
    assert moved - points == pytest.approx(np.array([[0.0, 0.0, 0.02]] * 3), abs=1e-12)
    assert S.subject_points("abeta", points, site, cathode, motor_shift_m=0.02, **kw) \
        == pytest.approx(points, abs=1e-12)
    back = make_site("lower_back")
    pad = place_electrode(back, "lumbar_left_lower")
    assert not S.motor_shifts(back, pad, z).any()
    assert MUSCLES["paraspinals"].motor_point_sd_m == 0.0
    # the anatomy and excitability of each subject are the draws they were without it
    five = S._draws(N_SUBJECTS, 3, 0.2)
    rng = np.random.default_rng(3)
    for _ in range(4):
        rng.normal(size=N_SUBJECTS)
    assert five[4] == pytest.approx(rng.normal(size=N_SUBJECTS), rel=1e-12)


def test_a_motor_axon_moved_toward_the_limbs_end_stops_there() -> None:
    """A subject's motor points moved along the limb could carry an axon past the modelled
    segment's end, where the field is not modelled although a pad may lie a few cm away:
    it stops at the end (its ratio from the field there), and the note says in how many
    subjects that happened; an axon with room moves the whole way (the real fast field of
    the forearm, ±10 cm long)."""
    site, anode, cathode = _setup()
    r = 0.04 - 1.5e-3 - 5e-3 - 3e-3  # 3 mm into the muscle
    z = np.linspace(0.06, 0.095, 36)  # ends 5 mm short of the forearm's end
    near = np.column_stack([np.full_like(z, r), np.zeros_like(z), z])
    kw = {"skin_scale": 1.0, "skin_m": 0.0, "fat_m": 0.0}
    moved = S.subject_points("motor", near, site, cathode, motor_shift_m=0.02, **kw)
    assert moved[-1, 2] == pytest.approx(0.1, abs=1e-12)  # 5 mm of the 20 mm
    back = S.subject_points("motor", near, site, cathode, motor_shift_m=-0.02, **kw)
    assert back[:, 2] - near[:, 2] == pytest.approx(np.full(36, -0.02), abs=1e-12)
    at_nodes = {"motor": [near, near - np.array([0.0, 0.0, 0.1])]}
    ones = np.ones(3)
    drawn = S.drive_ratios(at_nodes, site, anode, cathode, skin_k=ones, fat_k=ones,
                           motor_shift_m=np.array([0.0, 0.02, -0.02]))
    assert drawn is not None
    ratios, note = drawn
    assert np.isfinite(ratios["motor"]).all() and (ratios["motor"] > 0).all()
    assert ratios["motor"][0] == pytest.approx(1.0, rel=1e-12)  # unmoved
    assert "in 1 of 3 virtual subjects some motor axons" in note


def test_fat_that_would_fill_the_limb_stops_short_of_the_bone() -> None:
    """A limb keeps its girth when a subject's fat is drawn, so the fat grows into the
    muscle; a draw with no room left (10 x the forearm's 5 mm) failed the whole band. Its
    fat now stops 1 mm short of the bone: its ratios are those of a subject drawn with just
    that fat, and the note says in how many subjects that happened (the real fast field)."""
    from estim.fields.sites import fat_that_fits

    site, anode, cathode = _setup()
    z = np.linspace(-0.02, 0.02, 21)
    r = 0.04 - 1.5e-3 - 5e-3 - 3e-3  # 3 mm into the muscle
    at_nodes = {"motor": [np.column_stack([np.full_like(z, r), np.zeros_like(z), z])]}
    # as a multiple of 5 mm, a hair under the room (not capped, whatever the rounding)
    room = fat_that_fits(site, skin_m=1.5e-3, fat_m=1.0) / 5e-3 * (1 - 1e-9)
    assert 1.0 < room < 10.0
    drawn = S.drive_ratios(at_nodes, site, anode, cathode, skin_k=np.ones(2),
                           fat_k=np.array([1.0, 10.0]))
    fitted = S.drive_ratios(at_nodes, site, anode, cathode, skin_k=np.ones(2),
                            fat_k=np.array([1.0, room]))
    assert drawn is not None and fitted is not None
    assert drawn[0]["motor"] == pytest.approx(fitted[0]["motor"], rel=1e-6)
    assert "in 1 of 2 virtual subjects the fat drawn would leave the limb no muscle" in drawn[1]
    assert "fat drawn" not in fitted[1]


@pytest.mark.parametrize(("site_name", "placement", "muscle"), [
    ("thigh", "hamstring_mid", "hamstrings"), ("forearm", "forearm_dorsal_mid",
                                                "forearm_extensors"),
    ("thigh", "quadriceps_mid", "quadriceps"), ("forearm", "forearm_volar_mid",
                                                 "forearm_flexors")])
def test_the_spread_drawn_is_the_muscle_under_the_cathode(site_name: str, placement: str,
                                                           muscle: str) -> None:
    """On a limb with muscles on several sides, the subjects' motor points move by the
    spread measured for the muscle on the cathode's side (the hamstrings' 3 cm behind the
    thigh, the forearm extensors' 1.5 cm on its back)."""
    site = make_site(site_name)
    pad = place_electrode(site, placement)
    z = np.array([-1.0, 0.5, 2.0])
    sd = MUSCLES[muscle].motor_point_sd_m
    assert sd > 0 and "no spread" not in MUSCLES[muscle].motor_point_spread
    assert S.motor_shifts(site, pad, z) == pytest.approx(z * sd, rel=1e-12)


def test_a_motor_axon_stops_at_the_bone_when_the_fat_grows() -> None:
    """A limb keeps its girth and its bone: a subject with more fat pushes a motor axon down
    by the extra cover, but no further than the bone's surface (the site's own deepest
    axons stop there too); a subject with less fat lifts it the whole way."""
    site = make_site("knee")
    bone = site.layers[-1].thickness
    z = np.linspace(-0.01, 0.01, 11)
    deep = np.column_stack([np.full_like(z, bone + 1e-3), np.zeros_like(z), z])  # 1 mm above
    pad = place_electrode(site, "knee_superomedial")
    kw = {"skin_scale": 1.0, "skin_m": 0.0}
    down = S.subject_points("motor", deep, site, pad, fat_m=5e-3, **kw)
    assert np.hypot(down[:, 0], down[:, 1]) == pytest.approx(np.full(11, bone), abs=1e-12)
    up = S.subject_points("motor", deep, site, pad, fat_m=-2e-3, **kw)
    assert np.hypot(up[:, 0], up[:, 1]) == pytest.approx(np.full(11, bone + 3e-3), abs=1e-12)


def test_a_subjects_fibers_move_as_its_skin_and_fat_say() -> None:
    """Closed form, apart from the ratios that use it (the tests of those built their
    expectations with ``subject_points`` itself; review of 6 December 2026). Under a pad on
    the back: an afferent whose ending lies 0.6 mm deep goes down rigidly so that its
    ending lies at twice that in skin twice as thick; a motor axon goes down by the extra
    skin and fat, whatever the skin's scale."""
    site = make_site("lower_back")
    cathode = place_electrode(site, "lumbar_left_upper", length=0.05)
    p0, n = np.asarray(cathode.position), np.asarray(cathode.normal)
    # a terminal branch up toward the skin: its ending (first point) 0.6 mm below the pad,
    # then down to 1.6 mm, then along the back at that depth
    line = np.array([p0 - n * d for d in (0.6e-3, 1.1e-3, 1.6e-3)])
    points = np.vstack([line, line[-1] + np.array([0.01, 0.0, 0.0])])
    moved = S.subject_points("abeta", points, site, cathode, skin_scale=2.0, skin_m=0.0015,
                             fat_m=0.004)
    np.testing.assert_allclose(moved, points - 0.6e-3 * n, rtol=0, atol=1e-12)
    motor = S.subject_points("motor", points, site, cathode, skin_scale=2.0, skin_m=0.0015,
                             fat_m=0.004)
    np.testing.assert_allclose(motor, points - 0.0055 * n, rtol=0, atol=1e-12)
