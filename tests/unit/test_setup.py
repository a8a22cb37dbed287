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
