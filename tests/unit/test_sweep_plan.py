"""Sweep axes and plans: what a user types after --vary, and every point a valid program."""

from __future__ import annotations

import doctest
import json
import warnings
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import estim.sweep
import estim.sweep.axes
import estim.sweep.plan
import estim.sweep.subject
from estim.errors import InputError, ModelRangeWarning
from estim.program.bundled import bundled_examples
from estim.sweep import (
    Mode,
    SweepOptions,
    load_sweep_file,
    parse_axis,
    plan_sweep,
    run_point,
    virtual_subject,
)

TENS = bundled_examples()["tens_conventional"]
SAFETY = SweepOptions(body=False)


@pytest.mark.parametrize("module", [estim.sweep, estim.sweep.axes, estim.sweep.plan,
                                    estim.sweep.subject])
def test_docstring_examples_run(module: object) -> None:
    result = doctest.testmod(module)  # type: ignore[arg-type]
    assert result.attempted > 0 and result.failed == 0


def test_list_takes_the_last_unit_and_range_is_evenly_spaced() -> None:
    axis = parse_axis("pulse_width=50,100,200,500us")
    assert axis.values == ("50 us", "100 us", "200 us", "500 us")
    assert axis.column == "pulse_width_us"
    rng = parse_axis("site.fat_thickness=2..20mm:5")
    assert rng.numbers == (2.0, 6.5, 11.0, 15.5, 20.0)
    assert rng.column == "site.fat_thickness_mm"
    mixed = parse_axis("pulse_width=0.1ms,200us")
    assert mixed.numbers == (100.0, 200.0)  # in the column's unit, the last one's
    assert parse_axis("pulse=monophasic,symmetric_biphasic").numbers == (None, None)


def test_a_percentage_axis_is_written_as_the_program_reads_it() -> None:
    """'10,20,30%' is how a modulation depth or a duty is typed; each point's program then
    holds the fraction the same percentage gives in a file."""
    axis = parse_axis("stimulation.amplitude_modulation=10,20,30%")
    assert axis.values == ("10 %", "20 %", "30 %") and axis.numbers == (10.0, 20.0, 30.0)
    assert axis.column == "stimulation.amplitude_modulation_pct"
    assert parse_axis("burst_duty=10..50%:3").numbers == (10.0, 30.0, 50.0)
    plan = plan_sweep(bundled_examples()["tens_modulated"], [axis], options=SAFETY)
    depths = [p.load().channels[0].stimulation.amplitude_modulation for p in plan.points]
    assert depths == pytest.approx([0.1, 0.2, 0.3])
    with pytest.raises(InputError, match="a current or a voltage"):  # no percentage of one
        plan_sweep(TENS, [parse_axis("amplitude=10,20%")], options=SAFETY)
    # a sweep file's number is a fraction, as in a program file: not beside percentages
    from estim.sweep.axes import axis_from_values

    with pytest.raises(InputError, match="fractions") as err:
        axis_from_values("stimulation.amplitude_modulation", [0.2, "50%"])
    assert err.value.value == 0.2
    assert axis_from_values("burst_duty", ["20%", "50 %"]).numbers == (20.0, 50.0)
    # after --vary's last percentage a bare number is not the shorthand's: 0.2 there would
    # run as 0.2 % where the user may mean the ratio 0.2 (20 %); before it, it is
    with pytest.raises(InputError, match="ambiguous") as err:
        parse_axis("stimulation.amplitude_modulation=10%,0.2")
    assert err.value.value == "0.2"
    assert parse_axis("burst_duty=10%,20,30%").numbers == (10.0, 20.0, 30.0)
    # but not a bare number below 1, which reads as a fraction as readily: '0.1,20%' ran
    # 0.1 % where 10 % was meant (probe of 5 December 2026)
    with pytest.raises(InputError, match="ambiguous") as err:
        parse_axis("stimulation.amplitude_modulation=0.1,20%")
    assert err.value.value == "0.1" and "'10%'" in err.value.expected
    with pytest.raises(InputError, match="ambiguous"):  # 1 % or 100 %?
        parse_axis("stimulation.amplitude_modulation=1,50%")
    assert parse_axis("burst_duty=0,20%").numbers == (0.0, 20.0)
    # a range reads its start as a list does: '0.1..30%:3' ran from 0.1 %, and '5mA..40:3'
    # took 40 as mA where '5mA,40' is refused (probe of 6 December 2026)
    with pytest.raises(InputError, match="ambiguous") as err:
        parse_axis("stimulation.amplitude_modulation=0.1..30%:3")
    assert err.value.value == "0.1"
    with pytest.raises(InputError, match="a unit on 40 too"):
        parse_axis("amplitude=5mA..40:3")
    # ends of two kinds: the range is named, not its start "in a unit convertible to 'ms'"
    with pytest.raises(InputError, match=r"one kind \('mA' does not convert to 'ms'\)") as err:
        parse_axis("amplitude=5mA..40ms:3")
    assert err.value.value == "5mA..40ms:3"
    assert parse_axis("burst_duty=0..30%:3").numbers == (0.0, 15.0, 30.0)
    assert parse_axis("amplitude=5..40mA:3").numbers == parse_axis(
        "amplitude=5mA..40mA:3").numbers == (5.0, 22.5, 40.0)


@pytest.mark.parametrize("text", ["amplitude", "amplitude=", "amplitude=5..40mA:1",
                                  "amplitude=5mA,word", "subject=1.5", "a..b=1",
                                  "amplitude=5..40mA:100001", "x=1,,2",
                                  "duty=10mA%"])
def test_malformed_axis_is_one_input_error(text: str) -> None:
    with pytest.raises(InputError) as err:
        parse_axis(text)
    assert "--vary" in str(err.value)


@pytest.mark.parametrize("text", ["amplitude=5,nanmA", "amplitude=5mA,word",
                                  "pulse_width=word,100us"])
def test_a_word_among_numbers_is_the_value_named(text: str) -> None:
    """"5,nanmA" blamed the 5 for a missing unit, "nanmA" being taken for a word (probe of
    6 December 2026): the word is what the message names."""
    with pytest.raises(InputError) as err:
        parse_axis(text)
    word = next(v for v in text.split("=")[1].split(",") if not v[0].isdigit())
    assert err.value.value == word and "a finite number with its unit" in err.value.expected


@pytest.mark.parametrize("count", ["2.5", "-1", "0", "1"])
def test_a_range_of_a_count_not_whole_or_under_2_says_so(count: str) -> None:
    """':2.5' and ':-1' got the generic "a number with its unit ..." (probe of 6 December
    2026)."""
    with pytest.raises(InputError, match="N a whole number of at least 2"):
        parse_axis(f"amplitude=5..40mA:{count}")


def test_a_range_count_that_is_no_number_is_one_input_error_and_one_point_converts() -> None:
    """':1.2.3' raised a bare ValueError (a traceback from the CLI; review of 6 December
    2026), and '1000uA..1mA:1', one point, was refused before its ends were converted."""
    for count in ("1.2.3", ".", "1..2"):
        with pytest.raises(InputError):
            parse_axis(f"amplitude=5..40mA:{count}")
    assert parse_axis("amplitude=1000uA..1mA:1").values == ("1 mA",)


@given(st.text(max_size=40))
def test_any_text_parses_or_is_an_input_error(text: str) -> None:
    try:
        axis = parse_axis(text)
    except InputError:
        return
    assert len(axis) >= 1 and len(axis.values) == len(axis.numbers)


def test_cross_and_zip() -> None:
    axes = [parse_axis("amplitude=10,20,30mA"), parse_axis("pulse_width=100,200,300us")]
    cross = plan_sweep(TENS, axes, options=SAFETY)
    zipped = plan_sweep(TENS, axes, mode=Mode.ZIP, options=SAFETY)
    assert len(cross.points) == 9 and len(zipped.points) == 3
    assert [p.inputs for p in zipped.points][1] == (("amplitude_mA", 20.0),
                                                    ("pulse_width_us", 200.0))
    assert len({p.key for p in cross.points}) == 9
    program = cross.points[-1].load()
    assert program.channels[0].stimulation.amplitude.value == pytest.approx(0.03)
    with pytest.raises(InputError, match="--zip"):
        plan_sweep(TENS, [axes[0], parse_axis("pulse_width=100,200us")], mode=Mode.ZIP)


@pytest.mark.parametrize(("axis", "words"), [
    ("amplitude=10,200mA", "device maximum"),
    # M is mega, as estim run says (probe of 7 December 2026)
    ("amplitude=10 mA,25 MA", "(100 mA) (M is mega; did you mean '25 mA'?)"),
    ("site.fat_thickness=5,500mm", "200 mm"),
    ("site.bogus=1mm", "fat_thickness"),
    ("channels[3].stimulation.amplitude=1mA", "channels[0], the program's only channel"),
    ("electrodes.width=0.01mm,5cm", "1 mm"),
    ("pulse=square", "monophasic"),
    ("stimulation.burst_duty=10,20%", "got 'burst_duty', expected a known key"),
    # a number after the last unit took it: 10mA,0.02 ran 0.02 mA (probe)
    ("amplitude=10mA,0.02", "a unit on 0.02 too"),
    ("amplitude=0.01A,20", "a unit on 20 too"),
    # no unit at all: told where it goes (researcher's probe of 7 December 2026)
    ("amplitude=5..40:8", "got 5 with no unit, expected a current or a voltage with units"),
    ("amplitude=5..40:8", "the unit goes once, after the last value"),
])
def test_a_bad_value_names_the_axis_before_anything_runs(axis: str, words: str) -> None:
    with pytest.raises(InputError) as err:
        plan_sweep(TENS, [parse_axis("pulse_width=100,200us"), parse_axis(axis)])
    assert str(err.value).startswith(f"--vary {axis.split('=')[0]}")
    assert words in str(err.value)


@pytest.mark.parametrize(("first", "second"), [
    ("amplitude=5,10mA", "stimulation.amplitude=20,30mA"),
    ("amplitude=5,10mA", "channels[0].stimulation.amplitude=20,30mA"),
    ("electrodes.width=3,4cm", "cathode.width=5,6cm"),
])
def test_two_names_of_one_field_are_refused(first: str, second: str) -> None:
    """``amplitude`` and ``stimulation.amplitude`` write the same field: crossed, each point
    would run the second's value while the table showed the first's beside it (4 points, 2
    programs, a column of values never run)."""
    with pytest.raises(InputError, match="no other axis sets") as err:
        plan_sweep(TENS, [parse_axis(first), parse_axis(second)], options=SAFETY)
    assert str(err.value).startswith(f"--vary {second.split('=')[0]}")
    # fields that differ are crossed as before: another channel, the other electrode
    plan_sweep(TENS, [parse_axis("anode.width=3,4cm"), parse_axis("cathode.width=5,6cm")],
               options=SAFETY)


@pytest.mark.parametrize(("text", "got", "words"), [
    ("amplitude=10,10,10mA", "10 mA", "given twice"),
    ("amplitude=10mA,0.01A", "0.01 A", "it is '10 mA' again"),
    ("pulse_width=100..100us:3", "100 us", "given twice"),
    ("mode=burst,burst", "burst", "given twice"),
    # 100 us in s was 9.999999999999999e-05, not 0.0001: two points (probe, 6 December 2026)
    ("pulse_width=100us,0.0001s", "0.0001 s", "it is '100 us' again"),
])
def test_a_value_given_twice_is_refused(text: str, got: str, words: str) -> None:
    """One value twice is one point: its rows repeated and the count called each one
    computed (probe of 5 December 2026)."""
    with pytest.raises(InputError) as err:
        plan_sweep(TENS, [parse_axis(text)], options=SAFETY)
    assert f"got '{got}'" in str(err.value) and words in str(err.value)


def test_a_converted_value_is_written_to_the_digits_a_value_has() -> None:
    assert parse_axis("pulse_width=100us,0.0002s").numbers == (1e-4, 2e-4)


def test_zipped_axes_may_repeat_a_value_but_not_a_point() -> None:
    # a value repeated where the other axis differs is three points (review: it was refused)
    axes = [parse_axis("amplitude=10,10,20mA"), parse_axis("pulse_width=100,200,200us")]
    assert len(plan_sweep(TENS, axes, mode=Mode.ZIP, options=SAFETY).points) == 3
    axes = [parse_axis("amplitude=10,10mA"), parse_axis("pulse_width=100us,0.1ms")]
    with pytest.raises(InputError) as err:
        plan_sweep(TENS, axes, mode=Mode.ZIP, options=SAFETY)
    assert "--zip: got 'amplitude=10 mA, pulse_width=0.1 ms'" in str(err.value)
    assert "values 1 and 2 of every axis are the same point" in str(err.value)


def test_subject_numbers_are_exact_whole_numbers() -> None:
    """A subject number runs as that subject: one past the largest a float holds exactly
    is refused, not rounded to another person."""
    from estim.sweep.axes import MAX_SUBJECT

    assert parse_axis(f"subject={MAX_SUBJECT}").values == (MAX_SUBJECT,)
    for text in (f"subject={MAX_SUBJECT + 1}", "subject=99999999999999999999", "subject=-1"):
        with pytest.raises(InputError, match="whole numbers from 0") as err:
            parse_axis(text)
        if len(text) < 20:  # the number as typed, not rounded to one it allows ('1e+09')
            assert f"got '{text.removeprefix('subject=')}'" in str(err.value)


def test_a_pulse_axis_drops_the_ratio_written_for_an_asymmetric_pulse() -> None:
    """acupuncture-like TENS writes asymmetry_ratio for its asymmetric pulse; a program
    refuses the ratio on any other pulse, so a sweep over the pulse's shape failed at its
    first symmetric point. The axis drops it where the pulse is not asymmetric, and keeps
    it where it is."""
    plan = plan_sweep(bundled_examples()["tens_acupuncture"],
                      [parse_axis("pulse=monophasic,symmetric_biphasic,asymmetric_biphasic")],
                      options=SAFETY)
    stims = [json.loads(p.program)["channels"][0]["stimulation"] for p in plan.points]
    assert [s["pulse"] for s in stims] == ["monophasic", "symmetric_biphasic",
                                           "asymmetric_biphasic"]
    assert ["asymmetry_ratio" in s for s in stims] == [False, False, True]


def test_subjects_draw_the_site_anatomy_into_the_program() -> None:
    plan = plan_sweep(TENS, [parse_axis("subject=0..3:4")], options=SAFETY)
    sites = [json.loads(p.program)["site"] for p in plan.points]
    assert all("skin_thickness" in s and "fat_thickness" in s for s in sites)
    assert len({s["fat_thickness"] for s in sites}) == 4
    assert plan.points[2].subject == virtual_subject(2)  # the same person in any sweep
    alone = plan_sweep(TENS, [parse_axis("subject=2")], options=SAFETY)
    assert alone.points[0].program == plan.points[2].program


def test_subjects_on_a_site_without_skin_name_the_number_asked_for() -> None:
    """``--subjects 3`` on the brain said "--subjects: got 0" (the first subject's index;
    DBS researcher's probe of 7 December 2026): it names the 3 asked for."""
    from estim.errors import InputError
    from estim.sweep.axes import Axis

    axis = Axis("subject", (0, 1, 2), None, (0.0, 1.0, 2.0), option="--subjects")
    with pytest.raises(InputError) as caught:
        plan_sweep(bundled_examples()["dbs_stn"], [axis], options=SAFETY)
    assert (caught.value.field, caught.value.value) == ("--subjects", 3)
    assert "a site with skin for virtual subjects" in str(caught.value)


def test_a_subject_whose_fat_would_fill_the_knee_keeps_some_muscle() -> None:
    """The limb keeps its girth when a subject's fat is drawn; subject 175 draws 2.2 x the
    knee's 6 mm, which left no muscle (the program was refused). Its fat now stops 1 mm
    short of the bone, and a subject with room keeps the fat it drew."""
    from estim.fields.sites import MIN_SUBJECT_MUSCLE_M, site_from_spec

    knee = site_from_spec("knee")
    thick = {ly.tissue: ly.thickness for ly in knee.layers}
    plan = plan_sweep(bundled_examples()["ifc_true_knee"], [parse_axis("subject=175,3")],
                      options=SAFETY)
    big, small = (json.loads(p.program)["site"] for p in plan.points)
    skin_mm, fat_mm = (float(big[k].split()[0]) for k in ("skin_thickness", "fat_thickness"))
    assert virtual_subject(175).fat_scale * thick["fat"] * 1e3 > fat_mm  # [m -> mm]
    assert fat_mm == pytest.approx((min(knee.radius_x, knee.radius_y) - thick["bone"]
                                    - MIN_SUBJECT_MUSCLE_M) * 1e3 - skin_mm, abs=1e-3)
    assert float(small["fat_thickness"].split()[0]) == pytest.approx(
        virtual_subject(3).fat_scale * thick["fat"] * 1e3, rel=1e-5)


def test_a_subject_moves_the_motor_points_of_a_limbs_muscle_by_its_spread() -> None:
    """A subject's last draw moves the motor points of the muscle under the pads along a
    limb by its measured spread (the quadriceps' 2.5 cm), from wherever the program puts
    them; where no spread is measured (the lower back) nothing is written."""
    from estim.effects.anatomy import MUSCLES

    nmes = bundled_examples()["nmes_quadriceps"]
    plan = plan_sweep(nmes, [parse_axis("subject=0,1")], options=SAFETY)
    sd = MUSCLES["quadriceps"].motor_point_sd_m
    for point in plan.points:
        assert point.subject is not None
        shift = json.loads(point.program)["site"]["motor_point_shift"]
        assert float(shift.split()[0]) == pytest.approx(
            point.subject.motor_point_z * sd * 1e3, rel=1e-5)  # [m -> mm]
    own = plan_sweep(nmes, [parse_axis("site.motor_point_shift=10mm"),
                            parse_axis("subject=1")], options=SAFETY)
    person = own.points[0].subject
    assert person is not None
    assert float(json.loads(own.points[0].program)["site"]["motor_point_shift"].split()[0]) \
        == pytest.approx(10.0 + person.motor_point_z * sd * 1e3, rel=1e-5)
    back = plan_sweep(TENS, [parse_axis("subject=0")], options=SAFETY)
    assert "motor_point_shift" not in json.loads(back.points[0].program)["site"]
    # a program's shift at the limit and a subject's own past it: the sum is refused, with
    # both parts named (it was "got '109.04 mm'", a value nobody typed, or "got '10 cm',
    # expected ... from -100 to 100 mm", which contradicted itself)
    lean = next(i for i in range(20) if virtual_subject(i).motor_point_z > 0)
    with pytest.raises(InputError) as err:
        plan_sweep(nmes, [parse_axis("site.motor_point_shift=100mm"),
                          parse_axis(f"subject={lean}")], options=SAFETY)
    assert str(err.value).startswith("--vary subject: got ")
    assert "the program's site.motor_point_shift (100 mm) and this subject's own" in \
        str(err.value)


def test_safety_point_outputs() -> None:
    plan = plan_sweep(TENS, [parse_axis("amplitude=10,20mA")], options=SAFETY)
    out = dict(run_point(plan.points[1], plan.options).outputs)
    assert out["safety_verdict"] == "pass"
    assert out["peak_current_mA"] == pytest.approx(20.0)
    assert out["max_phase_charge_uC"] == pytest.approx(4.0)  # 20 mA x 200 us


def test_output_columns_take_every_channel() -> None:
    # the second channel turned up: its peak is the program's (it read the first's 30 mA)
    ifc = bundled_examples()["ifc_true_knee"]
    plan = plan_sweep(ifc, [parse_axis("channels[1].stimulation.amplitude=50mA")],
                      options=SAFETY)
    out = dict(run_point(plan.points[0], plan.options).outputs)
    assert out["peak_current_mA"] == pytest.approx(50.0)


def test_a_voltage_controlled_charge_is_the_one_into_500_ohm() -> None:
    # HVPC at 100 V: the charge of the current into 500 Ω, as estim check gives it (the
    # column read the stimulus's V·µs, 491 "µC")
    from estim.program import parse_program
    from estim.safety import check

    hvpc = bundled_examples()["hvpc_wound"]
    plan = plan_sweep(hvpc, [parse_axis("amplitude=100V")], options=SAFETY)
    out = dict(run_point(plan.points[0], plan.options).outputs)
    program = parse_program(hvpc.read_text().replace('amplitude = "150 V"',
                                                     'amplitude = "100 V"'))
    row = check(program).table.channels[0].row("max_phase_charge_500_ohm")
    assert isinstance(row.programmed, float)
    assert out["max_phase_charge_uC"] == pytest.approx(row.programmed * 1e6, rel=1e-9)
    assert out["max_phase_charge_uC"] == pytest.approx(1.473 * 100 / 150, rel=1e-3)
    assert out["peak_voltage_V"] == pytest.approx(100.0)


def test_sweep_file(tmp_path: Path) -> None:
    f = tmp_path / "s.toml"
    f.write_text('program = "tens_conventional"\nmode = "zip"\nbody = false\n'
                 '[vary]\namplitude = "10..30mA:3"\n'
                 '"site.fat_thickness" = ["5 mm", "10 mm", "15 mm"]\n')
    spec = load_sweep_file(f)
    assert spec.program == "tens_conventional" and spec.mode is Mode.ZIP
    assert [a.name for a in spec.axes] == ["amplitude", "site.fat_thickness"]
    assert spec.options == {"body": False}
    f.write_text('colour = "red"\n[vary]\namplitude = "10mA"\n')
    with pytest.raises(InputError, match="colour"):
        load_sweep_file(f)
    # the key named, not its value in Python's spelling ("bodyy: got False"; probe of
    # 6 December 2026), and an empty file is a sweep file's, not a program's (`estim new`)
    f.write_text('bodyy = false\n[vary]\namplitude = "10mA"\n')
    with pytest.raises(InputError, match=r"got 'bodyy', expected a known key \(body, "):
        load_sweep_file(f)
    f.write_text("")
    with pytest.raises(InputError, match="a sweep file, not an empty file") as empty:
        load_sweep_file(f)
    assert "estim new" not in str(empty.value)
    # the options are checked as on the command line, the file named: not planned and run
    # to fail at every point (a negative seed) or to make a table of no points (no values)
    for line, words in (("seed = -1", "seed: got -1, expected a whole number >= 0"),
                        ("fibers = 0", "fibers: got 0, expected a whole number of fibers"),
                        ("fibers = 3.0", "fibers: got 3.0, expected a whole number"),
                        ("body = 1", "body: got 1, expected true or false")):
        f.write_text(f'{line}\n[vary]\namplitude = "10mA"\n')
        with pytest.raises(InputError, match=words):
            load_sweep_file(f)
    for empty in ("amplitude = []", "subject = []"):
        f.write_text(f"[vary]\n{empty}\n")
        with pytest.raises(InputError, match="at least one value"):
            load_sweep_file(f)
    with pytest.raises(InputError, match="--seed"):
        SweepOptions(seed=-1)


def test_a_point_is_redone_when_the_model_is_calibrated_again(monkeypatch) -> None:
    """A finished point is found again by its key: the same program and options under the
    same model keep it (a resumed sweep reads it), and a global value calibrated again, or
    a new version of the fiber thresholds, gives a new key (the point is computed again,
    not mixed with answers of the model before)."""
    import estim.effects.anatomy
    import estim.effects.calibration
    import estim.effects.window

    axes = [parse_axis("amplitude=10,20mA")]

    def keys() -> list[str]:
        return [p.key for p in plan_sweep(TENS, axes, options=SAFETY).points]

    before = keys()
    assert keys() == before  # the same model: the same keys, in every process (digest)
    monkeypatch.setattr(estim.effects.anatomy, "PERIOSTEAL_DENSITY_RATIO", 0.5)
    density = keys()
    monkeypatch.setattr(estim.effects.calibration, "PAIN_SUMMATION_TAU_S", 0.03)
    tau = keys()
    monkeypatch.setattr(estim.effects.window, "THRESHOLDS_VERSION", "thresholds-test")
    version = keys()
    # a muscle's motor points measured to spread otherwise between people moves the bands
    import dataclasses
    muscles = dict(estim.effects.anatomy.MUSCLES)
    muscles["quadriceps"] = dataclasses.replace(muscles["quadriceps"], motor_point_sd_m=0.03)
    monkeypatch.setattr(estim.effects.anatomy, "MUSCLES", muscles)
    spread = keys()
    # so does a spread of the virtual subjects' draws (the fat's CV went 0.25 -> 0.40 once
    # with the keys unchanged), and the muscle a subject's fat leaves a limb
    import estim.effects.subjects
    import estim.fields.sites
    drawn = dict(estim.effects.subjects.SUBJECT_SPREAD)
    drawn["fat_thickness"] = (0.25, drawn["fat_thickness"][1])
    monkeypatch.setattr(estim.effects.subjects, "SUBJECT_SPREAD", drawn)
    fat = keys()
    monkeypatch.setattr(estim.fields.sites, "MIN_SUBJECT_MUSCLE_M", 2e-3)
    muscle = keys()
    every = [before, density, tau, version, spread, fat, muscle]
    assert len({k for ks in every for k in ks}) == 2 * len(every), every


def test_a_current_controlled_charge_is_the_programmed_one(tmp_path: Path) -> None:
    # beside its programmed peak: into 500 Ω the 20 V compliance caps 60 mA at 40 mA, and
    # the column read 8 µC beside a 60 mA peak (review of 5 December 2026)
    capped = tmp_path / "capped.toml"
    capped.write_text(TENS.read_text().replace('compliance_voltage = "80 V"',
                                               'compliance_voltage = "20 V"'))
    plan = plan_sweep(capped, [parse_axis("amplitude=60mA")], options=SAFETY)
    out = dict(run_point(plan.points[0], plan.options).outputs)
    assert out["peak_current_mA"] == pytest.approx(60.0)
    assert out["max_phase_charge_uC"] == pytest.approx(12.0)  # 60 mA x 200 us


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"seed": float("nan")}, "--seed"), ({"seed": 1.5}, "--seed"), ({"seed": None}, "--seed"),
    ({"seed": "1"}, "--seed"), ({"fibers": 1.5}, "--fibers"), ({"fibers": True}, "--fibers"),
    ({"fibers": "10"}, "--fibers"), ({"body": "no"}, "body"),
])
def test_sweep_options_are_checked_for_their_kind(kwargs: dict, field: str) -> None:
    """NaN, 1.5 and "1" passed here and failed on a worker under another name, or as a
    TypeError (probe of 5 December 2026)."""
    with pytest.raises(InputError) as err:
        SweepOptions(**kwargs)
    assert err.value.field == field


def test_a_few_fibers_a_class_warn_as_in_estim_run() -> None:
    """The points call the window directly, past SimulateOptions' warning: 3 fibers a class
    gave an Aβ fraction of 0.81 without a word (5 December 2026)."""
    with pytest.warns(ModelRangeWarning, match="--fibers 9: a threshold of fewer than 10"):
        SweepOptions(fibers=9)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        SweepOptions(fibers=10)


def test_a_sweep_files_number_beside_quantities_needs_its_unit() -> None:
    """["10 mA", 0.02] ran 0.02 mA, where a program file refuses a number without its unit
    (probe of 5 December 2026); the --vary shorthand still covers numbers before a unit."""
    from estim.sweep.axes import axis_from_values

    with pytest.raises(InputError, match=r"a unit on 0.02 too, as in a program file"):
        axis_from_values("amplitude", ["10 mA", 0.02])
    # a text of a number beside percentages ran as 0.2 % (review)
    with pytest.raises(InputError, match=r"got '0.2', expected a percentage"):
        axis_from_values("stimulation.amplitude_modulation", ["50%", "0.2"])
    assert axis_from_values("amplitude", "10,20mA").values == ("10 mA", "20 mA")


def test_a_field_only_one_channel_has_names_the_channel_without_it(tmp_path) -> None:
    """``--vary on_time`` on NMES beside TENS listed TENS's keys without naming the TENS
    channel or the way to sweep the NMES one (probe of 5 December 2026)."""
    text = bundled_examples()["nmes_quadriceps"].read_text(encoding="utf-8")
    tens = bundled_examples()["tens_conventional"].read_text(encoding="utf-8")
    channel = tens[tens.index("[[channels]]"):].replace('name = "1"', 'name = "ham"')
    channel = channel.replace("lumbar_left_upper", "hamstring_proximal").replace(
        "lumbar_left_lower", "hamstring_distal")
    path = tmp_path / "two.toml"
    path.write_text(text + "\n" + channel, encoding="utf-8")
    with pytest.raises(InputError) as err:
        plan_sweep(path, [parse_axis("on_time=10,30s")], options=SAFETY)
    words = str(err.value)
    assert words.startswith("--vary on_time: got 'on_time', expected a field of every "
                            "channel's stimulation, which channels[1]'s is not")
    assert words.endswith("channels[I].stimulation.on_time")


def test_a_subjects_motor_points_move_with_the_channel_that_is_on(tmp_path) -> None:
    """The subject axis drew its motor-point shift under the first channel's cathode, off
    beside one that is on: on the calf, the tibialis anterior's (no spread measured, no
    shift) for a channel on the gastrocnemius (2 cm between people). It is the first
    channel that is on's (5 December 2026)."""
    from estim.fields.sites import MOTOR_POINT_SHIFT

    tens = bundled_examples()["tens_conventional"].read_text(encoding="utf-8")
    head, channel = tens[:tens.index("[[channels]]")], tens[tens.index("[[channels]]"):]
    head = head.replace('name = "lower_back"', 'name = "calf"')
    front = channel.replace("lumbar_left_upper", "tibialis_anterior_proximal").replace(
        "lumbar_left_lower", "tibialis_anterior_distal").replace('"25 mA"', '"0 mA"')
    back = channel.replace('name = "1"', 'name = "back"').replace(
        "lumbar_left_upper", "gastrocnemius_proximal").replace(
        "lumbar_left_lower", "gastrocnemius_distal")
    path = tmp_path / "calf.toml"
    path.write_text(head + front + "\n" + back, encoding="utf-8")
    plan = plan_sweep(path, [parse_axis("subject=0..3:4")], options=SAFETY)
    shifts = [dict(p.load().site.overrides).get(MOTOR_POINT_SHIFT) for p in plan.points]
    assert all(s is not None for s in shifts) and len(set(shifts)) == 4


def test_a_subjects_own_motor_points_past_the_sites_range_are_held_at_it() -> None:
    """Subject 3912 draws its motor points 4.15 SD along the thigh, 104 mm: the site takes
    ±100 mm, and --subjects 3912 and more was refused on it (probe of 5 December 2026).
    With no shift of the program's own, it is held at the limit."""
    from estim.fields.sites import MAX_MOTOR_SHIFT_M

    far = 3912
    assert abs(estim.sweep.subject.virtual_subject(far).motor_point_z) > 4
    nmes = bundled_examples()["nmes_quadriceps"]
    plan = plan_sweep(nmes, [parse_axis(f"subject={far}")], options=SAFETY)
    shift = json.loads(plan.points[0].program)["site"]["motor_point_shift"]
    assert abs(float(shift.split()[0])) == pytest.approx(MAX_MOTOR_SHIFT_M * 1e3)
    # and beside a shift of the program's own inside the limit (refused beside 1 mm; review)
    for own in ("1mm", "-1mm"):
        plan = plan_sweep(nmes, [parse_axis(f"site.motor_point_shift={own}"),
                                 parse_axis(f"subject={far}")], options=SAFETY)
        shift = json.loads(plan.points[0].program)["site"]["motor_point_shift"]
        assert abs(float(shift.split()[0])) == pytest.approx(MAX_MOTOR_SHIFT_M * 1e3)


def test_sweep_options_and_files_are_refused_in_their_own_words(tmp_path, capsys) -> None:
    """A range past a double read as 'inf mA' given twice, a sweep file that is a folder as
    'program:', and --seed beside --safety-only changed every point's key without a word
    (probe of 5 December 2026)."""
    from estim.cli.main import main
    from estim.sweep import load_sweep_file

    for spec in ("amplitude=5..1e400mA:3", "subject=0..1e400:3", "amplitude=-1e308..1e308mA:3"):
        with pytest.raises(InputError) as err:
            parse_axis(spec)
        assert err.value.value == spec.split("=", 1)[1]
        assert "two finite numbers" in err.value.expected
    with pytest.raises(InputError, match="a finite number"):
        parse_axis("amplitude=1e400mA,5mA")
    with pytest.raises(InputError) as err:
        load_sweep_file(tmp_path)
    assert err.value.field == "--file" and "regular sweep file" in err.value.expected
    # a sweep file in Latin-1 names the byte and line, not Python's codec text (hostile
    # probe of 7 December 2026)
    latin = tmp_path / "latin.toml"
    latin.write_bytes(b'program = "tens_conventional"\n[vary]\nwidth = "5 \xb5s"\n')
    with pytest.raises(InputError) as err:
        load_sweep_file(latin)
    assert "byte 0xB5 on line 3 is not UTF-8" in err.value.expected
    assert "codec" not in err.value.expected
    for option in (["--seed", "3"], ["--fibers", "20"]):
        assert main(["sweep", str(TENS), "--vary", "amplitude=5mA", "--safety-only",
                     "-o", str(tmp_path / "out"), *option]) == 2
        assert f"{option[0]}: got" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
    sweep = tmp_path / "k.toml"  # the file's own, beside body = false (review)
    sweep.write_text(f'program = "{TENS.as_posix()}"\nbody = false\nseed = 2\n'
                     '[vary]\namplitude = ["5 mA"]\n', encoding="utf-8")
    assert main(["sweep", "--file", str(sweep), "-o", str(tmp_path / "out")]) == 2
    assert "k.toml: seed: got 2" in capsys.readouterr().err
    # zipped axes of two lengths: the file's mode is named, not a --zip never typed (probe)
    zipped = tmp_path / "z.toml"
    zipped.write_text(f'program = "{TENS.as_posix()}"\nmode = "zip"\nbody = false\n'
                      '[vary]\namplitude = "10,20mA"\npulse_width = "100,200,300us"\n',
                      encoding="utf-8")
    assert main(["sweep", "--file", str(zipped), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "z.toml: mode: got 'values per axis: amplitude 2, pulse_width 3'" in err, err
    assert "mode = 'cross'" in err and "--zip" not in err


def test_a_program_on_the_command_line_must_be_the_sweep_files(tmp_path, capsys) -> None:
    """``estim sweep tens_burst --file k.toml`` ran tens_burst where the file names
    tens_conventional, without a word (probe of 5 December 2026)."""
    from estim.cli.main import main

    (tmp_path / "p.toml").write_text(TENS.read_text(encoding="utf-8"), encoding="utf-8")
    sweep = tmp_path / "k.toml"
    sweep.write_text('program = "p.toml"\nbody = false\n[vary]\namplitude = ["5 mA"]\n',
                     encoding="utf-8")
    assert main(["sweep", "tens_burst", "--file", str(sweep), "-o", str(tmp_path / "o")]) == 2
    assert "the sweep file's program" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
    assert main(["sweep", str(tmp_path / "p.toml"), "--file", str(sweep),
                 "-o", str(tmp_path / "o")]) == 0


def test_a_swept_pad_onto_the_other_is_said_of_the_pad_swept() -> None:
    """Moving the anode onto the cathode's skin read "expected a pad that does not overlap
    the anode at lumbar_lower", of the anode itself (probe of 6 December 2026)."""
    with pytest.raises(InputError) as err:
        plan_sweep(TENS, [parse_axis("anode.placement=lumbar_lower")], options=SAFETY)
    assert str(err.value).startswith("--vary anode.placement: got 'lumbar_lower', expected a "
                                     "pad that does not overlap the cathode at "
                                     "lumbar_left_lower"), str(err.value)


def test_a_grid_in_other_units_is_the_same_points() -> None:
    """0.07 ms and 70 µs are one pulse width: a sweep resumed with its grid in other units
    was refused or computed again, since a point was keyed by the value's text (DBS
    researcher's probe of 7 December 2026). 0.07 ms parses to 7.000000000000001e-05 s
    through a division, 70 µs to 7e-05: the key holds the program as parsed, rounded."""
    def keys(axis: str) -> list[str]:
        return [p.key for p in plan_sweep(TENS, [parse_axis(axis)], options=SAFETY).points]

    assert keys("pulse_width=70,100us") == keys("pulse_width=0.07,0.1ms")
    assert keys("amplitude=10,20mA") == keys("amplitude=0.01,0.02A")
    # another value is another point
    assert keys("pulse_width=70,100us")[0] != keys("pulse_width=71,100us")[0]


def test_a_program_built_in_python_is_swept_as_its_file_would_be() -> None:
    """plan_sweep took a file alone: a program built in Python had to be saved first
    (researcher's probe of 7 December 2026). Its points are the file's, key for key."""
    from estim.program import load_program

    axes = [parse_axis("pulse_width=70,100us")]
    built = plan_sweep(load_program(TENS), axes, options=SAFETY)
    read = plan_sweep(TENS, axes, options=SAFETY)
    assert [p.key for p in built.points] == [p.key for p in read.points]
    assert built.program_name == read.program_name
    with pytest.raises(InputError, match="a program file or a Program"):
        plan_sweep(3, axes, options=SAFETY)  # type: ignore[arg-type]


def test_a_point_is_redone_when_a_carriers_run_time_changes(monkeypatch) -> None:
    """Russian current's thresholds moved when its fibers saw the whole of its 10 ms bursts
    (8 December 2026): a sweep resumed across that change must not keep the old points."""
    import estim.effects.drive as drive
    from estim.sweep.plan import model_key

    before = model_key()
    monkeypatch.setattr(drive, "CARRIER_RUN_S", 10e-3)
    assert model_key() != before
