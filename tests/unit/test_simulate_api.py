"""``estim.simulate``: the library refuses what the CLI refuses, takes a set-up or a
program, and its options (issue 9)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

import estim
from estim.cli.main import main
from estim.effects.program import EffectsResult
from estim.errors import InputError
from estim.program import Program, parse_program
from estim.simulate import SimulateOptions


def _example(name: str = "tens_conventional") -> Program:
    return estim.load_program(estim.bundled_examples()[name])


def _moon() -> Program:
    p = _example()
    return p.replace(site=p.site.model_copy(update={"name": "moon"}))


def _nowhere() -> Program:
    p = _example()
    ch = p.channels[0]
    return p.replace(channels=(ch.replace(anode=ch.anode.replace(placement="nowhere_at_all")),))


def _huge_pad() -> Program:
    p = _example("microcurrent_face")
    ch = p.channels[0]
    big = ch.cathode.replace(diameter=0.9)
    return p.replace(channels=(ch.replace(cathode=big),))


def _unknown_override() -> Program:
    p = _example()
    return p.model_copy(update={"site": p.site.model_validate(
        {"name": p.site.name, "skin_thicknes": "1.5 mm"})})


@pytest.mark.parametrize(("make", "field"), [
    (_moon, "site.name"),
    (_nowhere, "channels[0].anode.placement"),
    (_huge_pad, "channels[0].cathode"),
    (_unknown_override, "site.skin_thicknes"),
])
def test_simulate_refuses_what_the_cli_refuses(make, field: str) -> None:
    program = make()
    with pytest.raises(InputError) as err:
        estim.simulate(program, body=False)
    assert err.value.field.startswith(field)
    with pytest.raises(InputError) as again:
        estim.build_setup(program)
    assert again.value.field == err.value.field


def test_the_cli_refuses_the_same_program_file(tmp_path: Path, capsys) -> None:
    text = estim.bundled_examples()["tens_conventional"].read_text()
    bad = tmp_path / "moon.toml"
    bad.write_text(text.replace('name = "lower_back"', 'name = "moon"'))
    assert main(["check", str(bad)]) == 2
    assert "site.name" in capsys.readouterr().err
    with pytest.raises(InputError, match=r"site\.name"):
        estim.simulate(estim.load_program(bad), body=False)


def test_simulate_takes_a_setup_or_a_program_and_the_old_keywords() -> None:
    program = _example()
    setup = estim.build_setup(program)
    a = estim.simulate(setup, options=SimulateOptions(body=False))
    b = estim.simulate(program, body=False)
    assert a.setup is setup and b.setup is not None
    assert a.effects is None and b.effects is None
    assert a.safety.verdict is b.safety.verdict
    assert a.metrics[0].peak == b.metrics[0].peak
    seen: list[str] = []
    estim.simulate(program, options=SimulateOptions(body=True), body=False,
                   progress=seen.append)
    assert seen == ["safety: output table and findings"]
    with pytest.raises(InputError):
        estim.simulate("tens_conventional", body=False)  # type: ignore[arg-type]


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"fiber_counts": {"aalpha": 3}}, "fiber_counts"),
    ({"fiber_counts": {"abeta": -1}}, "fiber_counts.abeta"),
    # none made detection infinite ("no sensation" at 25 mA), one put pain below it, 10**12
    # asked numpy for 7.28 TiB (probe of 5 December 2026)
    ({"fiber_counts": {"abeta": 0}}, "fiber_counts.abeta"),
    ({"fiber_counts": {"motor": 0}}, "fiber_counts.motor"),
    ({"fiber_counts": {"motor": 10**12}}, "fiber_counts.motor"),
    ({"fiber_counts": "abeta"}, "fiber_counts"),
    ({"body": "false"}, "body"),  # a true string: the whole run ran
    ({"seed": -1}, "seed"),
    ({"progress": 5}, "progress"),
    ({"fiber_counts": {"abeta": 2.5}}, "fiber_counts.abeta"),
    ({"seed": 1.5}, "seed"),
])
def test_options_are_checked(kwargs, field: str) -> None:
    with pytest.raises(InputError) as err:
        SimulateOptions(**kwargs)
    assert err.value.field == field


DBS_TEXT = """
name = "voltage DBS"
[device]
control = "voltage"
max_voltage = "5 V"
implanted = true
[site]
name = "stn"
lead = "medtronic_3389"
[[channels]]
name = "1"
cathode = { placement = "lead_contact_1" }
anode = { placement = "case", shape = "rectangular", width = "5 cm", length = "6 cm" }
[channels.stimulation]
type = "dbs"
amplitude = "3 V"
frequency = "130 Hz"
pulse_width = "90 us"
recharge = "active"
"""


def test_voltage_dbs_is_judged_as_check_judges_it_and_names_the_field_impedance(monkeypatch
                                                                                   ) -> None:
    """The body stages' impedance reaches the safety check, which keeps the 500 Ω test load
    where the field's is higher, so ``run`` and ``check`` give one verdict (the fields are
    stubbed: the wiring is what is tested here; test_dbs_safety holds the check to its
    numbers)."""
    import estim.effects.program as effects_program

    def fake_effects(program, stimuli, **_kw) -> EffectsResult:
        dbs = SimpleNamespace(channel="1", control="voltage", field_impedance_ohm=800.0,
                              field_impedances_ohm={"1": 800.0})
        return EffectsResult(None, None, None, None, None, None, dbs=dbs)

    monkeypatch.setattr(effects_program, "effects_for_program", fake_effects)
    program = parse_program(DBS_TEXT)

    def density_note(result) -> str:
        return next(f.note for f in result.safety.by_rule("implant.charge_density")
                    if f.setting is not None and f.setting.value == "programmed")

    def density(result) -> float:
        return next(f.value for f in result.safety.by_rule("implant.charge_density")
                    if f.setting is not None and f.setting.value == "programmed")

    with_body, without = estim.simulate(program), estim.simulate(program, body=False)
    assert "field solution's 800 Ω" in density_note(with_body)
    assert "500" in density_note(without)
    assert density(with_body) == density(without)
    assert with_body.safety.verdict == without.safety.verdict


def test_numpy_integers_are_whole_numbers_and_options_must_be_options() -> None:
    import numpy as np

    # "seed: got np.int64(3), expected an integer" contradicted itself
    opts = SimulateOptions(seed=np.int64(3), fiber_counts={"abeta": np.int32(20)})
    assert opts.seed == 3 and opts.fiber_counts == {"abeta": 20}
    with pytest.raises(InputError) as err:
        opts.replace(bogus=1)
    assert err.value.field == "bogus"
    program = estim.load_program(estim.bundled_examples()["tens_conventional"])
    with pytest.raises(InputError) as err:
        estim.simulate(program, options={"body": False})  # type: ignore[arg-type]
    assert err.value.field == "options"


@pytest.mark.parametrize("call", ["build_setup", "check", "stimuli_for"])
def test_every_stage_refuses_what_is_not_a_program(call: str) -> None:
    # None was an AttributeError from deep inside (probe of 5 December 2026)
    fn = {"build_setup": estim.build_setup, "check": estim.safety.check,
          "stimuli_for": estim.stimuli_for}[call]
    with pytest.raises(InputError) as err:
        fn(None)  # type: ignore[arg-type]
    assert err.value.field == "program"


def test_a_class_may_be_left_out_and_a_small_sample_warns() -> None:
    """C fibers and the bone's Aδ may be left out (the calibration leaves the bone out);
    fewer than 10 fibers of a class warn: one of each put pain below detection (review and
    probe of 5 December 2026)."""
    from estim.errors import ModelRangeWarning

    assert SimulateOptions(fiber_counts={"c": 0, "periosteal": 0}).fiber_counts == {
        "c": 0, "periosteal": 0}
    with pytest.warns(ModelRangeWarning, match="fewer than 10 fibers"):
        SimulateOptions(fiber_counts={"adelta": 1})


def test_what_estim_warned_of_goes_into_the_result_and_its_files() -> None:
    """A fat of 150 mm was "outside the usual range" on the terminal only: results.json and
    report.html had no trace of it (probe of 6 December 2026). The result carries each
    warning once, the files too, and the warning is still given (once the recording is
    over: given inside it, it was recorded again without end)."""
    from estim.errors import EstimWarning
    from estim.report.run import render_run_files

    p = _example()
    fat = p.model_copy(update={"site": p.site.model_validate(
        {"name": p.site.name, "fat_thickness": "150 mm"})})
    with pytest.warns(EstimWarning, match="fat_thickness = '150 mm' is outside the usual"):
        result = estim.simulate(fat, body=False)
    assert result.warnings == ("site.fat_thickness = '150 mm' is outside the usual range "
                               "(0.3-80 mm)",)
    data, files = render_run_files(result)
    assert data["warnings"] == list(result.warnings)
    assert "estim warns: site.fat_thickness = &#39;150 mm&#39; is outside the usual" \
        in files["report.html"]
    assert estim.simulate(p, body=False).warnings == ()
    # the options' own warning, given when they are built, is in the result too (review)
    from estim.errors import ModelRangeWarning

    with pytest.warns(ModelRangeWarning, match="fewer than 10 fibers"):
        few = SimulateOptions(body=False, fiber_counts={"adelta": 3})
    assert estim.simulate(p, options=few).warnings == (
        "fiber_counts.adelta = 3: a threshold of fewer than 10 fibers is no population's "
        "(one of each put pain below detection)",)


def test_the_stages_used_alone_name_what_they_were_given() -> None:
    """`estim.metrics(None)`, `fields_for_program(None)` or a Setup, and `dbs_activation`
    with no stimuli were AttributeErrors and an IndexError from inside; a field threshold
    of 0, -200 or NaN V/m, and a NaN sweep top, gave the whole grid or nothing; a boundary
    "xx" was solved as floating (probe of 6 December 2026)."""
    import math

    from estim.effects.dbs import dbs_activation
    from estim.fields.program import fields_for_program

    with pytest.raises(InputError, match="Stimulus") as err:
        estim.metrics(None)  # type: ignore[arg-type]
    assert err.value.field == "stim"
    with pytest.raises(InputError, match="Stimulus"):
        estim.metrics(estim.stimuli_for(_example()))  # type: ignore[arg-type]
    for wrong in (None, estim.build_setup(_example())):
        with pytest.raises(InputError, match="a Program") as err:
            fields_for_program(wrong)  # type: ignore[arg-type]
        assert err.value.field == "program"
    with pytest.raises(InputError) as err:
        fields_for_program(_example(), boundary="xx")  # type: ignore[arg-type]
    assert err.value.field == "boundary"
    dbs = _example("dbs_stn")
    with pytest.raises(InputError) as err:
        dbs_activation(dbs, [])
    assert err.value.field == "stimuli"
    for bad in (0.0, -200.0, math.nan, "0.2 V/mm"):
        with pytest.raises(InputError) as err:
            dbs_activation(dbs, estim.stimuli_for(dbs), field_threshold_v_per_m=bad)  # type: ignore[arg-type]
        assert err.value.field == "field_threshold_v_per_m"
    with pytest.raises(InputError) as err:
        dbs_activation(dbs, estim.stimuli_for(dbs), sweep_max=math.nan)
    assert err.value.field == "sweep_max"


def test_result_to_dict_names_what_it_was_given() -> None:
    """``estim.result_to_dict(None)`` was an AttributeError from inside (hostile probe of
    7 December 2026)."""
    with pytest.raises(InputError, match="a Result") as err:
        estim.result_to_dict(None)  # type: ignore[arg-type]
    assert err.value.field == "result"
