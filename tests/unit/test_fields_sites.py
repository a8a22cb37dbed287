"""Sites, the tissue table, placements, electrodes and the cache key."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from estim.errors import EstimWarning, InputError
from estim.fields import (
    SITE_NAMES,
    TISSUES,
    InterfaceModel,
    MeshSettings,
    cache_dir,
    cache_key,
    make_site,
    place_electrode,
    placements,
    site_from_spec,
)


def test_tissue_table_has_unit_and_source_for_every_entry() -> None:
    for name, t in TISSUES.items():
        assert t.name == name
        assert t.conductivity > 0 and t.conductivity_across > 0
        assert t.source and t.unit
    assert TISSUES["muscle"].conductivity == 0.5
    assert TISSUES["muscle"].conductivity_across == 0.1


@pytest.mark.parametrize("name", SITE_NAMES)
def test_every_preset_builds_and_has_placements(name: str) -> None:
    site = make_site(name)
    assert all(ly.thickness > 0 for ly in site.layers if ly.tissue != "brain")
    names = placements(site)
    assert len(names) >= 4
    for p in names:
        e = place_electrode(site, p, "circular", length=0.01)
        assert e.area > 0 or e.shape == "case"  # the IPG case is the outer boundary
        if site.kind == "limb":  # on the outer surface
            x, y, _ = e.position
            assert (x / site.radius_x) ** 2 + (y / site.radius_y) ** 2 == pytest.approx(1.0)


def test_forearm_defaults_are_the_reference_geometry() -> None:
    site = make_site("forearm")
    th = {ly.tissue: ly.thickness for ly in site.layers}
    assert site.radius_x == pytest.approx(0.04)
    assert th == pytest.approx({"skin": 0.0015, "fat": 0.005, "muscle": 0.0235, "bone": 0.01})


def test_overrides_are_parsed_with_units() -> None:
    site = site_from_spec("forearm", {"skin_thickness": "2 mm", "fat_conductivity": "40 mS/m",
                                      "muscle_conductivity_across": "0.2 S/m",
                                      "diameter": "9 cm"})
    assert site.layer("skin").thickness == pytest.approx(2e-3)
    assert site.layer("fat").conductivity == pytest.approx(0.04)
    assert site.layer("muscle").conductivity == 0.5
    assert site.layer("muscle").conductivity_across == pytest.approx(0.2)
    assert site.radius_x == pytest.approx(0.045)
    # muscle refills the limb: 45 - 2 - 5 - 10 mm
    assert site.layer("muscle").thickness == pytest.approx(0.028)
    assert site != make_site("forearm")


def test_unknown_names_and_keys_list_the_allowed_values() -> None:
    with pytest.raises(InputError) as err:
        site_from_spec("elbow", {})
    assert err.value.field == "site.name" and "forearm" in err.value.expected
    with pytest.raises(InputError) as err:
        site_from_spec("forearm", {"skin_colour": "pale"})
    assert err.value.field == "site.skin_colour" and "skin_thickness" in err.value.expected
    with pytest.raises(InputError) as err:
        site_from_spec("forearm", {"skin_thickness": "0.15 S/m"})
    assert err.value.field == "site.skin_thickness"
    with pytest.raises(InputError):
        site_from_spec("forearm", {"fat_thickness": "5 cm"})  # does not fit in the radius
    with pytest.raises(InputError) as err:
        place_electrode(make_site("forearm"), "lumbar_left")
    assert "forearm_volar_proximal" in err.value.expected


@given(st.text(max_size=12))
def test_any_override_text_is_parsed_or_refused_cleanly(text: str) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", EstimWarning)
            site = site_from_spec("lower_back", {"fat_thickness": text})
    except InputError as exc:
        assert exc.field == "site.fat_thickness"
    else:
        assert site.layer("fat").thickness > 0


def test_unlikely_values_warn() -> None:
    with pytest.warns(EstimWarning, match="skin_thickness"):
        site_from_spec("forearm", {"skin_thickness": "8 mm"})
    with pytest.warns(EstimWarning, match="fat_conductivity"):
        site_from_spec("forearm", {"fat_conductivity": "20 S/m"})


def test_a_planar_sites_thin_muscle_warns() -> None:
    """0.1 mm of the back's muscle put its motor axons' twitch (2.41 mA) below detection,
    without a word (probe of 6 December 2026): under half the preset's 50 mm is said."""
    from estim.errors import ModelRangeWarning

    with pytest.warns(ModelRangeWarning, match=r"leaves 0.1 mm of muscle where the "
                                                r"lower_back's preset has 50 mm"):
        site_from_spec("lower_back", {"muscle_thickness": "0.1 mm"})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        site_from_spec("lower_back", {"muscle_thickness": "30 mm"})


def test_a_layer_that_squeezes_a_limbs_muscle_warns_and_one_past_it_is_named() -> None:
    """The limb keeps its girth: 60 mm of fat leaves the thigh 3.5 mm of muscle (80 - 1.5 -
    60 - 15), whose motor axons fired at 12.5 mA instead of 29.5 without a word; 200 mm
    was refused as "site: got {'fat_thickness': '200 mm'}" (probe of 5 December 2026)."""
    from estim.errors import ModelRangeWarning

    with pytest.warns(ModelRangeWarning, match=r"leaves 3.5 mm of muscle .* 80 mm radius"):
        site_from_spec("thigh", {"fat_thickness": "60 mm"})
    with warnings.catch_warnings():  # a larger limb keeps its muscle: nothing to say
        warnings.simplefilter("error")
        site_from_spec("thigh", {"fat_thickness": "20 mm"})
        site_from_spec("thigh", {"fat_thickness": "60 mm", "radius": "13 cm"})
    with pytest.raises(InputError) as info:
        site_from_spec("thigh", {"fat_thickness": "200 mm"})
    assert str(info.value).startswith("site.fat_thickness: got '200 mm', expected layers "
                                      "that leave at least 1 mm of muscle inside the "
                                      "thigh's 80 mm radius")
    # 0.05 mm of muscle passed, and the mesher failed with a traceback (probe of 5 December
    # 2026); 1 mm, what a virtual subject keeps, is the least
    with pytest.raises(InputError, match=r"^site.fat_thickness: got '28.45 mm'"):
        site_from_spec("forearm", {"fat_thickness": "28.45 mm"})
    with pytest.warns(ModelRangeWarning):
        site_from_spec("forearm", {"fat_thickness": "27.5 mm"})  # 1 mm of muscle
    # the thickest layer written is named, not the last (review of 5 December 2026)
    with pytest.raises(InputError, match=r"^site.fat_thickness: got '70 mm'"):
        site_from_spec("thigh", {"fat_thickness": "70 mm", "skin_thickness": "2 mm"})
    # a radius written: no advice to write it
    with pytest.warns(ModelRangeWarning) as caught:
        site_from_spec("thigh", {"radius": "40 mm"})
    assert "set site.radius" not in str(caught[0].message)


def test_example_program_placements_exist() -> None:
    needed = {"forearm": ["forearm_volar_proximal", "forearm_volar_distal",
                          "forearm_dorsal_proximal", "forearm_lateral_epicondyle"],
              "knee": ["knee_superomedial", "knee_inferolateral", "knee_superolateral",
                       "knee_inferomedial", "knee_medial", "knee_lateral"],
              "thigh": ["quadriceps_proximal", "quadriceps_distal"],
              "calf": ["calf_proximal", "calf_wound"],
              "lower_back": ["lumbar_left_upper", "lumbar_left_lower"],
              "cheek": ["cheek_zygomatic", "cheek_mandibular"],
              "stn": ["lead_contact_1", "case"]}
    for site, names in needed.items():
        assert set(names) <= set(placements(make_site(site)))


def test_reference_placements_and_lead() -> None:
    site = make_site("forearm")
    e = place_electrode(site, "forearm_volar_proximal", length=0.05, width=0.05)
    assert e.position == pytest.approx((0.04, 0.0, 0.05))
    assert e.area == pytest.approx(25e-4)
    c = place_electrode(make_site("stn"), "lead_contact_1")
    assert c.shape == "lead_contact"
    assert c.width == pytest.approx(1.27e-3) and c.length == pytest.approx(1.5e-3)
    assert c.area == pytest.approx(math.pi * 1.27e-3 * 1.5e-3)


def test_interface_model() -> None:
    m = InterfaceModel()
    # DC: 1 / (Rs + Rp); high frequency: the capacitor shorts Rp, 1 / Rs
    assert m.conductance_per_area(0.0) == pytest.approx(1 / (m.r_series + m.r_parallel))
    assert m.conductance_per_area(1e9) == pytest.approx(1 / m.r_series, rel=1e-6)
    assert np.isclose(abs(m.impedance_per_area(0.0)), m.r_series + m.r_parallel)
    gel = InterfaceModel.gel_layer(0.7e-3, 0.5)  # 0.7 mm of 0.5 S/m hydrogel
    assert gel.conductance_per_area() == pytest.approx(0.5 / 0.7e-3)
    e = place_electrode(make_site("forearm"), "forearm_volar_mid").with_interface(gel)
    assert e.interface_conductance == pytest.approx(714.2857, rel=1e-6)


def test_cache_key_and_directory(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    a = make_site("forearm")
    b = site_from_spec("forearm", {"skin_thickness": "1.6 mm"})
    assert cache_key(a, MeshSettings()) == cache_key(make_site("forearm"), MeshSettings())
    assert cache_key(a, MeshSettings()) != cache_key(b, MeshSettings())
    assert cache_key(a, MeshSettings()) != cache_key(a, MeshSettings().scaled(0.5))
    # differences below the display precision of the reprs still change the key
    c = site_from_spec("forearm", {"skin_thickness": "1.5000001 mm"})
    assert repr(c) == repr(a) and cache_key(c) != cache_key(a)
    e1 = place_electrode(a, "forearm_volar_mid", length=0.05)
    e2 = place_electrode(a, "forearm_volar_mid", length=0.05 + 1e-9)
    assert cache_key((e1,)) != cache_key((e2,))
    monkeypatch.setenv("ESTIM_CACHE_DIR", str(tmp_path))
    assert cache_dir() == tmp_path / "fields"


def test_a_limbs_motor_points_move_by_an_override_and_its_fibers_with_them() -> None:
    """``motor_point_shift`` (a sweep's virtual subject writes it) moves the muscle's motor
    axons along the limb: the same draw of fibers, each shifted by exactly that length;
    it is a limb's override only, within ±10 cm, and refused with the field named."""
    from estim.effects.placement import site_anatomy
    from estim.effects.populations import sample_fiber_populations
    from estim.fields import place_electrode
    from estim.fields.sites import motor_point_shift_m

    plain = site_from_spec("thigh")
    moved = site_from_spec("thigh", {"motor_point_shift": "-2 cm"})
    assert motor_point_shift_m(plain) == 0.0 and motor_point_shift_m(moved) == -0.02
    assert moved.layers == plain.layers  # no tissue moves
    pad = place_electrode(plain, "quadriceps_distal", "rectangular", length=0.13, width=0.075)
    ref, shifted = (site_anatomy(s, pad) for s in (plain, moved))
    assert shifted["motor_center_m"][0] == pytest.approx(
        ref.get("motor_center_m", (0.0, 0.0))[0] - 0.02, abs=1e-12)
    kw = {"seed": 3, "classes": ["motor"], "counts": {"motor": 5}, "limb_axis": (1, 0, 0)}
    (a,), (b,) = (sample_fiber_populations(**kw, **anat) for anat in (ref, shifted))
    # along the limb axis of the sampler's frame, each axon by the same 2 cm down
    np.testing.assert_allclose(b.position_m - a.position_m, [[-0.02, 0.0, 0.0]] * 5,
                               atol=1e-12)
    np.testing.assert_array_equal(b.diameter_m, a.diameter_m)
    for spec, words in (({"motor_point_shift": "20 cm"}, "from -100 to 100 mm"),
                        ({"motor_point_shift": "2 mA"}, "length")):
        with pytest.raises(InputError, match=words) as err:
            site_from_spec("thigh", spec)
        assert err.value.field == "site.motor_point_shift"
    with pytest.raises(InputError, match="a known key of the lower_back site") as err:
        site_from_spec("lower_back", {"motor_point_shift": "1 cm"})
    # the key is what is wrong, not its value ("got '1 mm'"; researcher's probe)
    assert err.value.value == "motor_point_shift"


@pytest.mark.parametrize(("name", "dims"), [
    ("forearm", {"length_m": 0.2, "width_m": 0.08, "height_m": 0.08}),
    # a patch's extent into the body is its layers' sum (2 + 10 + 50 + 20 mm), not 0
    ("lower_back", {"length_m": 0.2, "width_m": 0.2, "depth_m": 0.082}),
    # the brain's domain: a cylinder 60 mm long of radius 30 mm
    ("stn", {"length_m": 0.06, "radius_m": 0.03}),
])
def test_the_site_as_data_names_the_dimensions_its_kind_has(name, dims):
    """``fields.json`` gave the lower back a height of 0 m (probe of 5 December 2026)."""
    data = make_site(name).to_dict()
    got = {k: v for k, v in data.items() if k.endswith("_m")}
    assert got == pytest.approx(dims, rel=1e-12)  # exact: the presets' own millimetres
