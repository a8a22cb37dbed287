"""Program files: valid ones load into SI values; every bad input is one clear message."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from estim.errors import InputError
from estim.program import ProgramError, load_program, parse_program
from estim.units import parse_quantity
from tests.conftest import EXAMPLES


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_loads(path):
    program = load_program(path)
    assert program.channels
    assert program.expected_verdict is not None  # each example states its verdict


def test_quantities_are_si(tens_text):
    p = parse_program(tens_text)
    stim = p.channels[0].stimulation
    assert stim.amplitude.value == pytest.approx(0.025)
    assert stim.pulse_width == pytest.approx(200e-6)
    assert stim.frequency == pytest.approx(80.0)
    assert stim.duration == pytest.approx(1800.0)
    assert p.channels[0].anode.area_m2 == pytest.approx(25e-4)
    assert p.device.compliance_voltage == pytest.approx(80.0)


@pytest.mark.parametrize(
    ("text", "value", "dimension"),
    [("25 mA", 0.025, "current"), ("200 us", 2e-4, "time"), ("200 µs", 2e-4, "time"),
     ("4 kHz", 4000.0, "frequency"), ("40 mA*min", 2.4, "charge"), ("1.5 mm", 1.5e-3, "length"),
     ("0.2 S/m", 0.2, "conductivity"), ("25 cm**2", 25e-4, "area"), ("300 uA", 3e-4, "current"),
     # a depth or a ratio as people write it (it was 'no arithmetic')
     ("25 %", 0.25, "dimensionless"), ("30%", 0.3, "dimensionless")],
)
def test_parse_quantity(text, value, dimension):
    assert parse_quantity(text, dimension, field="x") == pytest.approx(value, rel=1e-12)


def test_units_as_estim_prints_them_are_read():
    """estim prints cm² and µs; both are read back (cm² was 'no arithmetic')."""
    assert parse_quantity("25 cm²", "area", field="x") == pytest.approx(25e-4, rel=1e-12)
    # and as device manuals write an area: "20 cm2" was refused as arithmetic
    assert parse_quantity("20 cm2", "area", field="x") == pytest.approx(20e-4, rel=1e-12)
    assert parse_quantity("0.5 mA/cm2", "current_density", field="x") == pytest.approx(5.0)
    with pytest.raises(InputError):  # a digit after any other unit is still not a power
        parse_quantity("20 mA2", "current", field="x")


@pytest.mark.parametrize(("text", "dimension", "words"), [
    ("25 V", "area", "expected an area (in m**2"),  # not "a area"
    ("3 m", "dimensionless", "expected a number without units"),  # not "a dimensionless"
    ("x", "dimensionless", "expected a number, e.g."),
    ("25 %", "current", "expected a current"),  # a percentage is no current
    # pint would read these as 28 mA and 50 ns: '%' only after a bare number, and only
    # where a number is wanted
    ("2800 mA %", "current", "not a percentage"),
    ("5 us %", "time", "not a percentage"),
    ("%", "dimensionless", "a percentage such as '25 %'"),
])
def test_what_a_quantity_should_be_is_said_in_words(text, dimension, words):
    with pytest.raises(InputError) as info:
        parse_quantity(text, dimension, field="x")
    assert words in str(info.value)


@pytest.mark.parametrize(
    ("old", "new", "field", "expected_fragment"),
    [
        ('amplitude = "25 mA"', 'amplitude = "25 ms"', "channels[0].stimulation.amplitude",
         "current or a voltage"),
        ('amplitude = "25 mA"', 'amplitude = 25', "channels[0].stimulation.amplitude",
         "with units"),
        ('amplitude = "25 mA"', 'amplitude = "250 mA"', "channels[0].stimulation.amplitude",
         "device maximum"),
        ('amplitude = "25 mA"', 'amplitude = "25 V"', "channels[0].stimulation.amplitude",
         "current-controlled"),
        ('pulse_width = "200 us"', 'pulse_width = "0 us"', "channels[0].stimulation.pulse_width",
         "above zero"),
        ('pulse_width = "200 us"', 'pulse_width = "-5 us"',
         "channels[0].stimulation.pulse_width", "above zero"),
        ('pulse_width = "200 us"', 'pulse_width = "7 ms"', "channels[0].stimulation.pulse_width",
         "shorter than its period"),
        # far below any stimulator's pulse: it passed every check and the fiber stage found
        # nothing but zeros
        ('pulse_width = "200 us"', 'pulse_width = "1e-300 s"',
         "channels[0].stimulation.pulse_width", "at least 1 us"),
        ('type = "tens"', 'type = "tenz"', "channels[0].stimulation.type", "'tens'"),
        ('mode = "conventional"', 'mode = "conventional"\nfoo = 1',
         "channels[0].stimulation.foo", "known key"),
        ('frequency = "80 Hz"', "", "channels[0].stimulation.frequency", "required"),
        ('control = "current"', 'control = "curent"', "device.control", "'current'"),
        ('width = "5 cm", length', "length", "channels[0].anode.width", "width and length"),
        ('compliance_voltage = "80 V"', "", "device.compliance_voltage", "compliance"),
        # a size the shape does not take, or an area beside the sizes, was silently ignored
        ('width = "5 cm", length = "5 cm"', 'width = "5 cm", length = "5 cm", diameter = "5 cm"',
         "channels[0].anode.diameter", "no diameter on a rectangular electrode"),
        ('width = "5 cm", length = "5 cm"', 'width = "5 cm", length = "5 cm", area = "9 cm^2"',
         "channels[0].anode.area", "not both"),
        # an asymmetric pulse whose long balancing phase overflows the period: the ratio
        # sets that phase's length, so it is the field to change (a symmetric pulse fits)
        ('pulse = "symmetric_biphasic"', 'pulse = "asymmetric_biphasic"\nasymmetry_ratio = 0.015',
         "channels[0].stimulation.asymmetry_ratio", "more than 0.0163"),
        # ... and a gap that overflows it, the gap (it blamed the pulse width); a ratio so small
        # that the second phase was infinite is out of range
        ('pulse = "symmetric_biphasic"', 'pulse = "symmetric_biphasic"\n'
         'interphase_gap = "12400 us"', "channels[0].stimulation.interphase_gap",
         "less than 12.1 ms"),
        ('pulse = "symmetric_biphasic"', 'pulse = "asymmetric_biphasic"\nasymmetry_ratio = 5e-324',
         "channels[0].stimulation.asymmetry_ratio", "from 0.01 to 1"),
        # a gap on a single phase was dropped without a word, even one longer than the
        # period (probe of 6 December 2026)
        ('pulse = "symmetric_biphasic"', 'pulse = "monophasic"\ninterphase_gap = "1 s"',
         "channels[0].stimulation.interphase_gap", "no interphase_gap unless the pulse is "
         "biphasic"),
        # a wrong type in TOML's words, not pydantic's ("Input should be a valid integer")
        ('mode = "conventional"', 'mode = "burst"\nburst_frequency = "2 Hz"\n'
         'pulses_per_burst = "seven"', "channels[0].stimulation.pulses_per_burst",
         "a whole number, without quotes: e.g. 7"),
        # 1e3 is a decimal in TOML: said so, with what to write (probe of 6 December 2026)
        ('mode = "conventional"', 'mode = "burst"\nburst_frequency = "2 Hz"\n'
         'pulses_per_burst = 7e0', "channels[0].stimulation.pulses_per_burst",
         "TOML reads it as a decimal number: write 7"),
        ('output_indicator = true', 'output_indicator = "yes"', "device.output_indicator",
         "true or false"),
        ('name = "1"', 'name = 1', "channels[0].name", "text in quotes"),
        # empty names printed a blank first line and "Channel  — tens"
        ('name = "1"', 'name = " "', "channels[0].name", "a name for the channel"),
        ('name = "Conventional TENS, lower back"', 'name = ""', "name",
         "a name for the program"),
        ('mode = "conventional"', 'mode = "burst"', "channels[0].stimulation.burst_frequency",
         "a value: burst TENS needs both"),
        ('anode = { placement = "lumbar_left_upper", shape = "rectangular", width = "5 cm", '
         'length = "5 cm" }', 'anode = "lumbar_left_upper"', "channels[0].anode", "a table"),
        # a surface pad is at least 1 mm a side, in the file as where it is meshed (0.5 mm
        # passed here and failed there as a 'size', under another floor)
        ('width = "5 cm", length = "5 cm"', 'width = "0.5 mm", length = "5 cm"',
         "channels[0].anode.width", "at least 1 mm"),
        ('width = "5 cm", length = "5 cm"', 'area = "0.5 mm^2"', "channels[0].anode.area",
         "at least 1 mm² on a surface pad"),
        # a key that is no name is reported as a key, not as a quantity without units
        ('name = "lower_back"', 'name = "lower_back"\n7 = 3', "site.7", "a site key"),
        ('mode = "conventional"', 'mode = "burst"\nburst_frequency = "2 Hz"\n'
         'pulses_per_burst = 200', "channels[0].stimulation.pulses_per_burst", "fits"),
        # a ratio written for a pulse left symmetric was ignored without a word
        ('pulse = "symmetric_biphasic"', 'pulse = "symmetric_biphasic"\nasymmetry_ratio = 0.5',
         "channels[0].stimulation.asymmetry_ratio", "unless pulse = 'asymmetric_biphasic'"),
    ],
)
def test_bad_input_names_field_value_and_expectation(tens_text, old, new, field,
                                                     expected_fragment):
    text = tens_text.replace(old, new, 1)
    assert text != tens_text
    with pytest.raises(ProgramError) as info:
        parse_program(text, source="bad.toml")
    err = info.value
    assert err.field == field
    assert expected_fragment in err.expected
    assert str(err).startswith(f"bad.toml: {field}: got ")


@pytest.mark.parametrize(("old", "new", "field", "written"), [
    # a check across fields (the pulse against its period) sees SI values; the message shows
    # the file's text, which the user can find, not "0.0002 s"
    ('frequency = "80 Hz"', 'frequency = "20 kHz"', "channels[0].stimulation.pulse_width",
     "200 us"),
    ('pulse_width = "200 us"', 'pulse_width = "20 ms"', "channels[0].stimulation.pulse_width",
     "20 ms"),
    ('width = "5 cm", length = "5 cm"', 'width = "5 cm", length = "0.05 mm"',
     "channels[0].anode.length", "0.05 mm"),
])
def test_an_error_shows_the_value_as_the_file_has_it(tens_text, old, new, field, written):
    text = tens_text.replace(old, new, 1)
    assert text != tens_text
    with pytest.raises(ProgramError) as info:
        parse_program(text, source="bad.toml")
    assert info.value.field == field
    assert info.value.value == written
    assert f"{field}: got '{written}', expected" in str(info.value)


@pytest.mark.parametrize(("old", "new", "shown"), [
    ('output_indicator = true', 'output_indicator = [true]', "got [true], expected"),
    ('amplitude = "25 mA"', 'amplitude = { value = 200 }', "got { value = 200 }, expected"),
    ('frequency = "80 Hz"', 'frequency = 0', "got 0, expected"),  # not 0.0
])
def test_a_value_is_shown_as_toml_writes_it(tens_text, old, new, shown):
    """Not Python's True, [True], {'value': 200} or 0.0 (a hostile probe's find)."""
    with pytest.raises(ProgramError) as info:
        parse_program(tens_text.replace(old, new, 1), source="bad.toml")
    assert shown in str(info.value)


def test_all_problems_are_listed(tens_text):
    text = tens_text.replace('amplitude = "25 mA"', 'amplitude = "x"').replace(
        'frequency = "80 Hz"', 'frequency = "80 m"')
    with pytest.raises(ProgramError) as info:
        parse_program(text)
    fields = {p.field for p in info.value.problems}
    assert {"channels[0].stimulation.amplitude", "channels[0].stimulation.frequency"} <= fields


def test_not_toml_and_missing_file(tmp_path):
    with pytest.raises(ProgramError, match="valid TOML"):
        parse_program("name = [unclosed")
    # a key written twice is named, with its line ("Cannot overwrite a value (at line 33,
    # column 21)" named neither; device engineer's probe of 7 December 2026)
    text = (EXAMPLES[0].parent / "tens_conventional.toml").read_text()
    twice = text.replace('pulse = "symmetric_biphasic"',
                         'pulse = "symmetric_biphasic"\npulse = "monophasic"')
    number = twice.splitlines().index('pulse = "monophasic"') + 1
    with pytest.raises(ProgramError) as info:
        parse_program(twice)
    assert (f"expected valid TOML ('pulse' is set twice in its table (line {number}: "
            'pulse = "monophasic"))') in str(info.value)
    with pytest.raises(ProgramError, match=r"\(line 2: max_current = 100 mA\); a quantity "
                                           r"with its unit is text in quotes: "
                                           r'max_current = "100 mA"'):
        parse_program('name = "x"\nmax_current = 100 mA\n')
    # a table twice said as a table, not a Python tuple; a dotted key into a value said as
    # that, not "set twice" (hostile probe of 7 December 2026)
    with pytest.raises(ProgramError, match=r"the table \[device\] is declared twice"):
        parse_program('name = "x"\n[device]\ncontrol = "current"\n[device]\n')
    with pytest.raises(ProgramError, match=r"'name\.x' sets a key inside 'name'"):
        parse_program('name = "x"\nname.x = 1\n')
    with pytest.raises(ProgramError, match="existing program file"):
        load_program(tmp_path / "nope.toml")


def test_ifc_true_needs_a_base_and_a_beat_channel():
    text = (EXAMPLES[0].parent / "ifc_true_knee.toml").read_text()
    with pytest.raises(ProgramError, match="exactly one 'base' and one 'beat'"):
        parse_program(text.replace('role = "beat"', 'role = "base"'))


def test_interferential_carriers_that_differ_name_the_channel_and_its_unit():
    """It read "channels.stimulation.carrier_frequency: got 4000.0 ... (5000.0)": neither
    which channel nor in what unit."""
    text = (EXAMPLES[0].parent / "ifc_true_knee.toml").read_text()
    first = text.index('carrier_frequency = "')
    end = text.index("\n", first)
    with pytest.raises(ProgramError) as info:
        parse_program(text[:first] + 'carrier_frequency = "5 kHz"' + text[end:])
    assert info.value.field == "channels[1].stimulation.carrier_frequency"
    assert "(5000 Hz on the other)" in str(info.value)


@pytest.mark.parametrize(("sweep", "refused"), [("6.0:6", False), ("6 : 6", False),
                                              ("5:6", True), ("６:６", True)])
def test_interferential_sweeps_are_compared_by_their_phases(sweep: str, refused: bool) -> None:
    """"6.0:6" on one channel against "6:6" on the other was refused as another sweep (read
    as text), and fullwidth digits were taken as a sweep where a quantity refuses them
    (probe of 6 December 2026)."""
    text = (EXAMPLES[0].parent / "ifc_true_knee.toml").read_text()
    assert text.count('sweep = "6:6"') == 2
    edited = text.replace('sweep = "6:6"', f'sweep = "{sweep}"', 1)
    if not refused:
        assert parse_program(edited).channels[0].stimulation.sweep_phases_s == (6.0, 0.0, 6.0)
        return
    with pytest.raises(ProgramError) as info:
        parse_program(edited)
    assert info.value.field.endswith("stimulation.sweep")


def test_unknown_drug_is_refused_at_load():
    text = (EXAMPLES[0].parent / "iontophoresis_dexamethasone.toml").read_text()
    with pytest.raises(ProgramError) as info:
        parse_program(text.replace('drug = "dexamethasone_sodium_phosphate"', 'drug = "aspirin"'))
    assert info.value.field == "channels[0].stimulation.drug"
    assert "dexamethasone_sodium_phosphate" in info.value.expected


@pytest.mark.parametrize("amplitude", ["4 V", "0.004 V"])
def test_iontophoresis_in_volts_is_refused_as_an_amplitude_not_as_a_dose(amplitude):
    """"4 V" reached the dose check as 4 A ("at least the ramps' 2e+03 mA*min") while
    "0.004 V" was refused as a voltage: both are the amplitude's error, whatever the number."""
    text = (EXAMPLES[0].parent / "iontophoresis_dexamethasone.toml").read_text()
    with pytest.raises(ProgramError) as info:
        parse_program(text.replace('amplitude = "4 mA"', f'amplitude = "{amplitude}"'))
    assert info.value.field == "channels[0].stimulation.amplitude"
    assert info.value.value == amplitude and "a current" in info.value.expected


def test_a_voltage_controlled_iontophoresis_device_is_refused():
    """A voltage-controlled device's 4 mV was dosed as 4 mA: 40 mA·min and 0.07 mg reported
    where 4 mV drives ~18 µA (probe of 5 December 2026)."""
    text = (EXAMPLES[0].parent / "iontophoresis_dexamethasone.toml").read_text()
    text = text.replace('control = "current"', 'control = "voltage"').replace(
        'max_current = "', 'max_voltage = "80 V"\ncurrent_limit = "')
    text = re.sub(r'compliance_voltage = "[^"]*"\n', "", text)  # a voltage unit has none
    with pytest.raises(ProgramError) as info:
        parse_program(text)
    assert info.value.field == "device.control" and info.value.value == "voltage"
    assert "'current'" in info.value.expected


def test_an_impedance_nothing_reads_is_refused():
    """A current-controlled channel on skin pads sets its current whatever the skin's
    impedance: a stated one was accepted and changed nothing (probe of 5 December 2026)."""
    text = (EXAMPLES[0].parent / "tens_conventional.toml").read_text()
    with pytest.raises(ProgramError) as info:
        parse_program(text.replace("[[channels]]\n", '[[channels]]\nimpedance = "2 kohm"\n', 1))
    assert info.value.field == "channels[0].impedance"
    assert "a channel of skin pads" in info.value.expected
    hvpc = (EXAMPLES[0].parent / "hvpc_wound.toml").read_text()  # voltage-controlled: the same
    with pytest.raises(ProgramError) as info:
        parse_program(hvpc.replace("[[channels]]\n", '[[channels]]\nimpedance = "1 kohm"\n', 1))
    assert info.value.field == "channels[0].impedance"


def test_iontophoresis_plateau_reaches_the_dose():
    p = load_program(EXAMPLES[0].parent / "iontophoresis_dexamethasone.toml")
    s = p.channels[0].stimulation
    # 40 mA*min at 4 mA with two 30 s ramps: ramps carry 4 mA * 30 s = 0.12 C, the plateau
    # the remaining 2.28 C, i.e. 570 s.
    assert s.plateau_s == pytest.approx((2.4 - 0.12) / 0.004)


# --- property: whatever text a user types, only the project's own error comes out ----------

_keys = st.sampled_from(["name", "device", "site", "channels", "type", "amplitude",
                         "frequency", "pulse_width", "control", "max_current", "anode",
                         "placement", "shape", "width", "length", "stimulation", "mode",
                         "duration", "dose", "sweep", "role", "on_time", "bogus"])
_scalars = st.one_of(
    st.text(max_size=12), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
    st.booleans(),
    st.sampled_from(["25 mA", "0 us", "-1 Hz", "4 kHz", "1e400 mA", "nan mA", "inf s",
                     "current", "voltage", "tens", "nmes", "dbs", "interferential", "6:6",
                     "1:x", "rectangular", "lead_contact", "5 cm", "80 V", "40 mA*min"]))
_values = st.recursive(_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(_keys, inner, max_size=5)), max_leaves=12)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(_keys, _values, max_size=6))
def test_generated_programs_raise_only_input_error(data):
    from estim.program import program_from_dict

    try:
        program_from_dict(data)
    except InputError:
        pass


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_generated_text_raises_only_input_error(text):
    try:
        parse_program(text)
    except InputError:
        pass


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["amplitude", "frequency", "pulse_width", "duration",
                        "interphase_gap"]),
       st.one_of(st.text(max_size=10), st.floats(), st.integers()))
def test_mutated_example_raises_only_input_error(tens_text_field, value):
    import tomllib

    from estim.program import program_from_dict

    base = tomllib.loads((EXAMPLES[0].parent / "tens_conventional.toml").read_text())
    base["channels"][0]["stimulation"][tens_text_field] = value
    try:
        p = program_from_dict(base)
    except InputError:
        return
    s = p.channels[0].stimulation
    assert math.isfinite(s.amplitude.value) and s.pulse_width > 0


def test_an_error_about_a_long_or_missing_value_still_says_what_was_expected() -> None:
    """A 900,000-character description filled the one-line message before it said what was
    expected (the limit); a missing value read "got None". The value is shown in part, its
    length said, and a missing one as '(missing)'."""
    from estim.errors import InputError
    from estim.program import parse_program
    from estim.program.bundled import bundled_examples
    from estim.text import one_line

    text = bundled_examples()["tens_conventional"].read_text()
    long = text.replace('description = "', 'description = "' + "A<" * 450_000, 1)
    with pytest.raises(InputError) as err:
        parse_program(long)
    message = one_line(err.value)
    # the count is the text's own, not its repr's with the quotes (900,002 before)
    assert "...' (900,0" in message, message[-200:]  # 900,000 of A< and the rest
    assert message.endswith("expected at most 4000 characters"), message[-200:]
    assert len(message) < 500
    assert "got '(missing)'" in str(InputError("device.max_voltage", None, "a voltage"))


@pytest.mark.parametrize(("call", "value"), [
    ("load_program", None), ("load_program", b"/etc/hostname"), ("load_program", "a\0b"),
    ("parse_program", None), ("parse_program", b"name = 'x'"), ("parse_program", {"x": 1}),
    ("parse_program", Path("x.toml")),
])
def test_a_value_of_the_wrong_kind_is_a_program_error(call: str, value: object) -> None:
    """pathlib's and tomllib's TypeErrors reached the caller (probe of 5 December 2026)."""
    import estim

    with pytest.raises(ProgramError) as err:
        getattr(estim, call)(value)
    assert "expected" in str(err.value)


@pytest.mark.parametrize(("old", "new", "field"), [
    ('max_current = "100 mA"', 'max_current = "100 mA"\ncurrent_limit = "50 mA"',
     "current_limit"),
    ('max_current = "100 mA"', 'max_current = "100 mA"\nmax_voltage = "50 V"', "max_voltage"),
])
def test_the_other_controls_bounds_are_refused(old: str, new: str, field: str) -> None:
    """A current_limit on a current-controlled unit was accepted and changed nothing, as if
    it held its current (probe of 5 December 2026)."""
    text = (EXAMPLES[0].parent / "tens_conventional.toml").read_text()
    assert old in text
    with pytest.raises(ProgramError) as info:
        parse_program(text.replace(old, new))
    assert info.value.field == f"device.{field}"
    assert "bounded by its max_current and compliance_voltage" in info.value.expected


def test_a_missing_type_and_a_program_key_under_site_are_named_plainly(tens_text):
    """A stimulation without ``type`` showed its whole table as the value, and ``channels``
    written below ``[site]`` was told it should be a quantity with units (probe of
    5 December 2026)."""
    with pytest.raises(ProgramError) as info:
        parse_program(tens_text.replace('type = "tens"\n', "", 1))
    first = info.value.problems[0]
    assert (first.field, first.value) == ("channels[0].stimulation.type", "(missing)")
    assert "'tens'" in first.expected
    site = tens_text.index("[site]")
    moved = tens_text[:site] + tens_text[site:].replace("[site]\n", '[site]\ndevice = "x"\n', 1)
    with pytest.raises(ProgramError) as info:
        parse_program(moved)
    assert any(p.field == "site.device" and "key of the program" in p.expected
               for p in info.value.problems)


def test_a_misspelt_example_gets_its_nearest_name_and_a_missing_file_says_so(tmp_path):
    """``estim check tens_conventinal`` got the list of every example and nothing else; a
    path that does not exist is said not to exist (probe of 6 December 2026)."""
    from estim.errors import InputError
    from estim.program.bundled import resolve_program

    with pytest.raises(InputError) as near:
        resolve_program("tens_conventinal")
    assert "(did you mean tens_conventional?)" in str(near.value)
    assert "no such file" not in str(near.value)
    with pytest.raises(InputError) as gone:
        resolve_program(str(tmp_path / "mine.toml"))
    assert "an existing program file (there is no such file)" in str(gone.value)
    assert "did you mean" not in str(gone.value)


def test_a_misspelt_key_is_one_error_with_the_key_it_stands_for(tens_text):
    """``pulse_widht`` was two errors on one line, pulse_width missing and pulse_widht
    unknown, with no hint; it is one, naming the key meant (probe of 6 December 2026). A key
    like no known one keeps the list alone, and a required key missing with no near
    misspelling is still said to be missing."""
    assert 'pulse_width = "200 us"' in tens_text
    with pytest.raises(ProgramError) as typo:
        parse_program(tens_text.replace('pulse_width = "200 us"', 'pulse_widht = "200 us"'))
    assert len(typo.value.problems) == 1
    only = typo.value.problems[0]
    assert only.field.endswith("pulse_widht")
    assert only.expected.startswith("a known key; did you mean pulse_width? (amplitude, ")
    # the key is what is wrong, not its value: "mode: got 'cyclic', expected a known key"
    # (DBS researcher's probe of 7 December 2026)
    assert "pulse_widht: got the key 'pulse_widht', expected a known key" in str(only)
    with pytest.raises(ProgramError) as other:
        parse_program(tens_text.replace('pulse_width = "200 us"', 'colour = "200 us"'))
    said = {p.field.rsplit(".", 1)[-1]: p.expected for p in other.value.problems}
    assert said["pulse_width"] == "a value: this field is required"
    assert "did you mean" not in said["colour"]


def test_a_folder_named_like_an_example_does_not_stand_in_for_it(tmp_path, monkeypatch):
    """A sweep's output folder ``./tens_conventional`` made ``estim sweep tens_conventional``
    fail with "not a directory" (phone probe of 6 December 2026): a folder is never a
    program, so the name is the bundled example's; a file of that name is still the file."""
    from estim.program.bundled import bundled_examples, resolve_program

    monkeypatch.chdir(tmp_path)
    (tmp_path / "tens_conventional").mkdir()
    _, path = resolve_program("tens_conventional")
    assert path == bundled_examples()["tens_conventional"]
    mine = tmp_path / "tens_burst.toml"
    mine.write_text(bundled_examples()["tens_conventional"].read_text(encoding="utf-8"))
    program, path = resolve_program("tens_burst.toml")
    assert path == Path("tens_burst.toml") and program.name == "Conventional TENS, lower back"


def test_a_negative_amplitude_is_told_the_polarity_is_the_placements(tens_text):
    """A DBS programmer writes the cathode's "-3 V": the refusal says the polarity comes
    from which electrode is the cathode (DBS researcher's probe of 7 December 2026)."""
    assert 'amplitude = "25 mA"' in tens_text
    with pytest.raises(ProgramError) as caught:
        parse_program(tens_text.replace('amplitude = "25 mA"', 'amplitude = "-25 mA"'))
    (only,) = caught.value.problems
    assert only.expected.endswith("at least zero, e.g. '25 mA' or '60 V'; the polarity is set "
                                  "by which electrode is the cathode, not by a sign")


def test_load_program_given_an_examples_name_points_at_the_bundled_examples(
        tmp_path: Path) -> None:
    """The CLI takes a bundled example's name and load_program a file: it said only
    "expected an existing program file" (researcher's probe of 7 December 2026)."""
    from estim.program.loader import ProgramError, load_program

    with pytest.raises(ProgramError, match=r"'tens_conventional' is a bundled example: "
                                           r"load_program\(bundled_examples\(\)"):
        load_program("tens_conventional")
    with pytest.raises(ProgramError) as missing:
        load_program(tmp_path / "mine.toml")
    assert "bundled example" not in str(missing.value)


def test_a_file_in_another_encoding_is_named_in_words(tmp_path):
    """A Latin-1 "é" gave Python's codec text ("'utf-8' codec can't decode byte 0xe9 in
    position 11: invalid continuation byte"; device engineer's probe of 7 December 2026):
    the byte, its line and what to do."""
    latin = tmp_path / "latin.toml"
    latin.write_bytes(b'# notes\nname = "caf\xe9"\n')
    with pytest.raises(ProgramError) as info:
        load_program(latin)
    said = str(info.value)
    assert "byte 0xE9 on line 2 is not UTF-8" in said and "save it as UTF-8" in said
    assert "codec" not in said
