"""The set-up stage: a program placed on its site, every rule that needs the site checked
once, in the library (issue 9)."""

from __future__ import annotations

import pytest

import estim
from estim.errors import InputError
from estim.program import Program
from estim.setup import Setup, build_setup


def _example(name: str = "tens_conventional") -> Program:
    return estim.load_program(estim.bundled_examples()[name])


def test_setup_places_every_channel_and_resolves_currents() -> None:
    setup = build_setup(_example("ifc_true_knee"))
    assert isinstance(setup, Setup)
    assert setup.site.name == "knee"
    assert [c.name for c in setup.channels] == [c.name for c in setup.program.channels]
    for placed, ch in zip(setup.channels, setup.program.channels, strict=True):
        assert placed.anode.name == ch.anode.placement
        assert placed.cathode.name == ch.cathode.placement
        assert placed.current_a == pytest.approx(ch.stimulation.amplitude.value)
    assert setup.stimuli == tuple(c.stimulus for c in setup.channels)
    assert setup.channel("B") is setup.channels[1]
    with pytest.raises(InputError):
        setup.channel("C")


def test_voltage_control_current_waits_for_the_field_unless_impedance_is_stated() -> None:
    hvpc = build_setup(_example("hvpc_wound"))
    assert hvpc.channels[0].current_a is None
    dbs = _example("dbs_stn")
    assert build_setup(dbs).channels[0].current_a == pytest.approx(
        dbs.channels[0].stimulation.amplitude.value)


def test_site_overrides_reach_the_site_and_the_program() -> None:
    setup = build_setup(_example(), site_overrides={"skin_thickness": "1.5 mm"})
    assert setup.site.layer("skin").thickness == pytest.approx(1.5e-3)
    # later stages read the program: they must see the same site
    assert setup.program.site.overrides["skin_thickness"] == "1.5 mm"


@pytest.mark.parametrize(("overrides", "field"), [
    ({"name": "moon"}, "site.name"),
    ({"skin_thicknes": "1.5 mm"}, "site.skin_thicknes"),
    ({"skin_thickness": "1.5 V"}, "site.skin_thickness"),
])
def test_bad_site_overrides_are_refused(overrides: dict[str, str], field: str) -> None:
    with pytest.raises(InputError) as err:
        build_setup(_example(), site_overrides=overrides)
    assert err.value.field == field


def _moved(name: str, **placements: str) -> Program:
    """An example with its first channel's pads moved (anode=..., cathode=...)."""
    program = _example(name)
    ch = program.channels[0]
    moved = {role: getattr(ch, role).replace(placement=where)
             for role, where in placements.items()}
    return program.replace(channels=(ch.replace(**moved), *program.channels[1:]))


@pytest.mark.parametrize(("overrides", "reach"), [
    # the placements move with the site's size: on a 6 cm back the 5 cm pads at a quarter of
    # its length reach 40 mm from its centre, past its 30 mm edge (this crashed the mesher)
    ({"length": "6 cm"}, "reaches 40 mm"),
    ({"width": "7 cm"}, "reaches 39 mm"),
])
def test_a_pad_that_runs_off_the_site_is_refused(overrides: dict[str, str], reach: str) -> None:
    with pytest.raises(InputError) as err:
        build_setup(_example(), site_overrides=overrides)
    assert err.value.field == "channels[0].anode.placement"
    assert reach in err.value.expected and "past its edge" in err.value.expected
    # a site as long as the pads need (50 mm pads centred 27.5 mm out) is kept
    build_setup(_example(), site_overrides={"length": "11 cm"})


@pytest.mark.parametrize(("name", "placements", "field", "other"), [
    # 5 x 5 cm pads 4 cm apart on the back
    ("tens_conventional", {"anode": "lumbar_center", "cathode": "lumbar_upper"},
     "channels[0].cathode.placement", "the anode at lumbar_center"),
    # 5 cm discs 3.75 cm apart along the knee, on the same side
    ("tens_modulated", {"anode": "knee_medial", "cathode": "knee_superomedial"},
     "channels[0].cathode.placement", "the anode at knee_medial"),
    # true interferential: channel A's anode moved to the medial joint line, 3.75 cm from
    # channel B's cathode below it
    ("ifc_true_knee", {"anode": "knee_medial"}, "channels[1].cathode.placement",
     "channel A's anode at knee_medial"),
    # ... and to the front of the joint, a quarter of the way round from every other pad
    ("ifc_true_knee", {"anode": "knee_anterior"}, None, None),
])
def test_pads_that_cover_the_same_skin_are_refused(name: str, placements: dict[str, str],
                                                   field: str | None, other: str | None
                                                   ) -> None:
    program = _moved(name, **placements)
    if field is None:  # pads apart: kept
        build_setup(program)
        return
    with pytest.raises(InputError) as err:
        build_setup(program)
    assert err.value.field == field and other in err.value.expected


def test_every_bundled_example_keeps_its_pads_apart_and_on_its_site() -> None:
    for name in estim.bundled_examples():
        build_setup(_example(name))


def test_a_pad_off_the_site_is_named_width_by_length_as_the_file_gives_it() -> None:
    """A 1 cm wide, 15 cm long pad was called "this 150 x 10 mm pad" (probe of 6 December
    2026): the file's order, width then length, and the reach along the back's length."""
    from estim.fields.electrodes import place_electrode
    from estim.fields.sites import make_site

    with pytest.raises(InputError) as err:
        place_electrode(make_site("lower_back"), "lumbar_left_upper", "rectangular",
                        length=0.15, width=0.01, field="channels[0].anode")
    assert "this 10 x 150 mm pad (width x length" in err.value.expected
    assert "past its edge at 100 mm" in err.value.expected


def test_pads_that_overlap_are_named_width_by_length_too() -> None:
    """Overlapping 3 cm wide, 7 cm long pads were "70 x 30 mm pads" where a pad off the site
    is "30 x 70 mm (width x length)" (hostile probe of 7 December 2026): one order."""
    text = estim.bundled_examples()["tens_conventional"].read_text(encoding="utf-8")
    text = text.replace('width = "5 cm", length = "5 cm"', 'width = "3 cm", length = "7 cm"')
    text = text.replace('placement = "lumbar_left_upper"', 'placement = "lumbar_left"')
    with pytest.raises(InputError) as err:
        build_setup(estim.parse_program(text))
    assert ("30 x 70 mm (width x length) and 30 x 70 mm (width x length) pads"
            in err.value.expected)


def test_overlapping_round_pads_are_named_by_their_diameter() -> None:
    """Two 5 cm discs on the same skin were "50 x 50 and 50 x 50 mm pads, width x length
    as the file gives them", where the file gives a diameter (probe of 8 December 2026)."""
    text = estim.bundled_examples()["tens_modulated"].read_text(encoding="utf-8")
    assert 'placement = "knee_medial"' in text
    text = text.replace('placement = "knee_medial"', 'placement = "knee_lateral_mid"', 1)
    with pytest.raises(InputError) as err:
        build_setup(estim.parse_program(text))
    assert "50 mm round and 50 mm round pads" in err.value.expected
    assert "width x length" not in err.value.expected


def test_a_pad_sized_by_its_area_is_refused_by_its_area() -> None:
    """``area = "1 m2"`` was refused as "channels[0].cathode.size: got '1000 x 1000 mm'",
    a field the file did not have (probe of 8 December 2026): the area is named, as
    written, with the square it makes."""
    text = estim.bundled_examples()["tens_conventional"].read_text(encoding="utf-8")
    old = ('cathode = { placement = "lumbar_left_lower", shape = "rectangular", '
           'width = "5 cm", length = "5 cm" }')
    assert old in text
    text = text.replace(old, 'cathode = { placement = "lumbar_left_lower", '
                        'shape = "rectangular", area = "1 m2" }')
    with pytest.raises(InputError) as err:
        build_setup(estim.parse_program(text))
    assert err.value.field == "channels[0].cathode.area"
    assert str(err.value).startswith("channels[0].cathode.area: got '10,000 cm²', expected a "
                                     "pad that fits on the lower_back site")
    assert str(err.value).endswith("(the area makes a square 1,000 mm a side)")
