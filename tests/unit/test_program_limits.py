"""What a program may ask for: each limit of issue 10 refused at load time with one clear
InputError naming the field, the value and what was expected."""

from __future__ import annotations

import os
import threading
import warnings

import pytest

from estim.errors import InputError
from estim.program import ProgramError, load_program, parse_program
from estim.program.loader import MAX_DEPTH, MAX_PROGRAM_BYTES
from estim.units import parse_quantity
from tests.conftest import EXAMPLES

EX = {p.stem: p for p in EXAMPLES}


def _text(name: str) -> str:
    return EX[name].read_text()


def _refused(text: str, field_end: str, fragment: str) -> ProgramError:
    with pytest.raises(ProgramError) as info:
        parse_program(text, source="bad.toml")
    err = info.value
    assert err.field.endswith(field_end), str(err)
    assert fragment in err.expected, str(err)
    assert "\n" not in str(err.problems[0])
    return err


def _swap(name: str, old: str, new: str) -> str:
    text = _text(name)
    assert old in text, old
    return text.replace(old, new, 1)


# --- files -------------------------------------------------------------------------------------


def test_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "prog.toml"
    os.mkfifo(fifo)
    result: list[BaseException] = []

    def load() -> None:
        try:
            load_program(fifo)
        except BaseException as err:
            result.append(err)

    t = threading.Thread(target=load, daemon=True)
    t.start()
    t.join(5.0)
    assert not t.is_alive(), "loading a FIFO blocked"
    assert isinstance(result[0], ProgramError)
    assert "regular" in result[0].expected


def test_device_is_refused_without_reading_it():
    with pytest.raises(ProgramError) as info:
        load_program("/dev/zero")
    assert "regular" in info.value.expected


def test_directory_is_refused(tmp_path):
    with pytest.raises(ProgramError) as info:
        load_program(tmp_path)
    assert info.value.field == "program"


@pytest.mark.parametrize(("encode", "words"), [
    (lambda t: t.encode("utf-16"), "UTF-16"),  # with its byte-order mark
    (lambda t: t.encode("utf-16-le"), "UTF-16"),  # without one: NUL bytes
    (lambda t: t.replace("\n", "\r").encode(), "CR alone"),
    (lambda t: b"  \n\n", "empty file"),
])
def test_files_an_editor_saved_differently_are_named_as_such(tmp_path, encode, words):
    """The decoder's 'can't decode byte 0xff' and the parser's 'invalid character' at
    line 1, column 2 said nothing a user could act on (probe of 5 December 2026)."""
    f = tmp_path / "prog.toml"
    f.write_bytes(encode(_text("tens_conventional")))
    with pytest.raises(ProgramError) as info:
        load_program(f)
    assert info.value.field == "program" and words in info.value.expected
    assert len(info.value.problems) == 1


def test_file_size_cap(tmp_path):
    big = tmp_path / "big.toml"
    big.write_text(_text("tens_conventional") + "#" * MAX_PROGRAM_BYTES)
    with pytest.raises(ProgramError) as info:
        load_program(big)
    assert "KiB" in info.value.expected


def test_deep_nesting_is_refused():
    for depth in (MAX_DEPTH + 1, 5000):  # 5000: tomllib itself recurses too deep
        text = _text("tens_conventional") + "\n[x]\ny = " + "[" * depth + "]" * depth + "\n"
        _refused(text, "program", "nested")


def test_deep_dotted_keys_are_refused():
    text = "a" + ".a" * 3000 + " = 1\n" + _text("tens_conventional")
    _refused(text, "program", "nested")


def test_more_channels_than_any_stimulator_has_are_refused():
    """200 copies of a channel held the web server's one worker for 5.5 minutes (probe of
    6 December 2026): a program has at most MAX_CHANNELS; that many still load."""
    from estim.program.model import MAX_CHANNELS

    text = _text("tens_conventional")
    head, _, channel = text.partition("[[channels]]")

    def with_channels(n: int) -> str:
        return head + "".join("[[channels]]" + channel.replace('name = "1"', f'name = "{k}"')
                              for k in range(n))

    assert len(parse_program(with_channels(MAX_CHANNELS)).channels) == MAX_CHANNELS
    err = _refused(with_channels(MAX_CHANNELS + 1), "channels", f"at most {MAX_CHANNELS}")
    assert f"{MAX_CHANNELS + 1} channels" in str(err)


def test_too_many_keys_are_refused():
    text = _text("tens_conventional") + "\n[x]\n" + "".join(f"k{i} = 1\n" for i in range(20000))
    _refused(text, "program", "keys")


# --- quantities --------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["9**9**9 mA", "2**0.5 mA", "1 m**99", "(1+1) mA",
                                  "1e400 mA", "nan mA", "1 mA + 2 mA", "1" * 80 + " mA"])
def test_quantity_expressions_are_refused_before_pint(text):
    with pytest.raises(InputError) as info:
        parse_quantity(text, "current", field="x")
    assert info.value.field == "x"


def test_exponent_tower_in_a_program_is_refused_fast():
    _refused(_swap("tens_conventional", 'amplitude = "25 mA"', 'amplitude = "9**9**9 mA"'),
             "amplitude", "current")


# --- strict types ------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["true", '"7"', "7.0"])
def test_pulses_per_burst_must_be_an_integer(value):
    _refused(_swap("tens_burst", "pulses_per_burst = 7", f"pulses_per_burst = {value}"),
             "pulses_per_burst", "a whole number, without quotes")


def test_a_burst_too_long_for_its_period_is_said_in_a_readable_unit():
    # 1e20 pulses per burst printed "a burst (1250000000000000000000.0 ms)" (device
    # engineer's probe). By hand: 1e20 pulses at 100 Hz last 1e18 s = 2.78e14 h, against
    # the 500 ms period of 2 Hz bursts
    err = _refused(_swap("tens_burst", "pulses_per_burst = 7",
                         "pulses_per_burst = 100000000000000000000"),
                   "pulses_per_burst", "a burst (2.78 × 10¹⁴ h) that fits in the burst "
                                       "period (500 ms)")
    assert "000000" not in err.expected


@pytest.mark.parametrize("value", ['"no"', "1", '"true"'])
def test_output_indicator_must_be_a_boolean(value):
    _refused(_swap("tens_conventional", "output_indicator = true",
                   f"output_indicator = {value}"), "output_indicator", "true or false")


def test_site_override_must_be_text():
    _refused(_swap("tens_conventional", 'name = "lower_back"',
                   'name = "lower_back"\nskin_thickness = 2'), "skin_thickness", "as text")


def test_names_are_bounded():
    _refused(_swap("tens_conventional", 'name = "1"', 'name = "' + "x" * 1000 + '"'), "name",
             "characters")


# --- ranges, rates, sweeps, durations ---------------------------------------------------------


@pytest.mark.parametrize(("old", "new", "field", "expected"), [
    ('max_current = "100 mA"', 'max_current = "1e-300 A"', "max_current", "at least 1 µA"),
    ('compliance_voltage = "80 V"', 'compliance_voltage = "1 uV"', "compliance_voltage",
     "at least 0.1 V"),
])
def test_a_device_bound_below_any_stimulator_is_refused_by_its_own_name(old, new, field,
                                                                        expected):
    """1e-300 A as the device maximum was taken, and the refusal named the amplitude
    ("at most the device maximum (1e-294 uA)"); at 0 mA the file passed (device engineer's
    probe of 7 December 2026)."""
    _refused(_swap("tens_conventional", old, new), field, expected)
    _refused(_swap("tens_conventional", old, new).replace('amplitude = "25 mA"',
                                                           'amplitude = "0 mA"'),
             field, expected)


def test_tiny_electrode_is_refused():
    _refused(_swap("tens_modulated", 'diameter = "5 cm"', 'diameter = "1 nm"'), "diameter",
             "0.1 mm")


def test_sweep_overflow_and_memory_are_refused():
    _refused(_swap("ifc_true_knee", 'sweep = "6:6"', 'sweep = "1e308:1e308"'), "sweep", "60 s")
    _refused(_swap("ifc_true_knee", 'sweep = "6:6"', 'sweep = "1e300:1e300:1e300"'), "sweep",
             "60 s")


def test_tiny_beat_is_refused():
    _refused(_swap("ifc_premodulated", 'beat_frequency = "100 Hz"', 'beat_frequency = "1e-9 Hz"'),
             "beat_frequency", "0.1 Hz")


def test_long_sweep_at_a_high_carrier_is_refused():
    text = _text("ifc_true_knee").replace('sweep = "6:6"', 'sweep = "60:60:60"')
    text = text.replace('carrier_frequency = "4 kHz"', 'carrier_frequency = "10 kHz"')
    _refused(text, "sweep", "carrier cycles")


def test_low_rate_session_is_not_silently_lengthened():
    # 1e-5 Hz for 30 min would have been reported as a 27.8 h session; a cycle of more than a
    # day is the fault of the field that sets it, not of the duration (which was blamed)
    _refused(_swap("tens_conventional", 'frequency = "80 Hz"', 'frequency = "1e-5 Hz"'),
             "stimulation.frequency", "pulse period of at most 24 h")
    _refused(_swap("tens_burst", 'burst_frequency = "2 Hz"', 'burst_frequency = "1e-9 Hz"'),
             "burst_frequency", "burst period of at most 24 h")
    _refused(_swap("tens_conventional", 'frequency = "80 Hz"', 'frequency = "1e-300 Hz"'),
             "stimulation.frequency", "24 h")
    _refused(_swap("tens_acupuncture", 'frequency = "2 Hz"', 'frequency = "0.001 Hz"'),
             "duration", "whole number")


def test_tiny_duration_is_not_silently_lengthened():
    # 1e-9 s at 80 Hz once became one 12.5 ms pulse period
    _refused(_swap("tens_conventional", 'duration = "30 min"', 'duration = "1e-9 s"'),
             "duration", "pulse period")


def test_a_cycle_longer_than_the_session_names_what_sets_it_too():
    # a polarity reversal of 20 min in a 20 min session: the message named only the duration
    _refused(_swap("microcurrent_face", 'polarity_reversal = "2 s"',
                   'polarity_reversal = "20 min"'),
             "duration", "or a shorter polarity_reversal than 1200 s")


@pytest.mark.parametrize(("name", "old", "new", "fragment"), [
    ("tens_conventional", 'amplitude = "25 mA"', 'amplitude = "1e-320 mA"', "at least 1 nA"),
    ("tens_conventional", 'amplitude = "25 mA"', 'amplitude = "0.5 nA"', "at least 1 nA"),
    ("hvpc_wound", 'amplitude = "150 V"', 'amplitude = "1e-320 V"', "at least 1 µV"),
])
def test_an_amplitude_below_any_stimulators_is_refused(name, old, new, fragment):
    # 1e-320 mA (a subnormal double) once scaled to the device maximum as inf: the output
    # table read nan and its --json a traceback. Zero and 1 nA are still programs.
    _refused(_swap(name, old, new), "amplitude", fragment)
    for ok in ('"0 mA"' if "mA" in old else '"0 V"', '"1 nA"' if "mA" in old else '"1 uV"'):
        parse_program(_swap(name, old, f"amplitude = {ok}"), source="ok.toml")


def test_iontophoresis_beyond_24_h_is_refused():
    # 1 nA to 40 mA*min would take 76 years
    text = _swap("iontophoresis_dexamethasone", 'amplitude = "4 mA"', 'amplitude = "1 nA"')
    err = _refused(text, "dose", "within 24 h")
    assert "mA*min" in str(err.value)
    # in units a person reads: it said "1e-06 mA" and "6.67e+05 h" (probe, 5 December 2026)
    assert "0.001 µA" in err.expected and "666,667 h" in err.expected
    # and the amplitude that would deliver it in time: 40 mA·min over 24 h less half the
    # 30 s ramps (hostile probe of 6 December 2026)
    least = 40e-3 * 60 / (86400 - 30) * 1e6  # [C / s -> µA]
    assert f"or an amplitude of at least {least:.3g} µA for it" in err.expected


def test_an_iontophoresis_dose_under_its_ramps_names_the_amplitude_too():
    # "100 mA" on a 5 mA device was sent to raise its dose alone (probe, 5 December 2026);
    # above 10 mA the amplitude is refused first (6 December), so 10 mA's ramps against a
    # 4 mA·min dose
    text = _swap("iontophoresis_dexamethasone", 'amplitude = "4 mA"', 'amplitude = "10 mA"')
    text = text.replace('dose = "40 mA*min"', 'dose = "4 mA*min"')
    assert 'dose = "4 mA*min"' in text
    err = _refused(text, "dose", "charge of the ramps at 10 mA")
    assert "a smaller amplitude" in err.expected


# --- site overrides (checked by the fields stage, from the program's [site] table) -----------


@pytest.mark.parametrize(("key", "value", "fragment"), [
    ("length", "1e-9 m", "between"), ("skin_thickness", "1 km", "between"),
    ("muscle_conductivity", "1e30 S/m", "between"), ("fat_conductivity", "1e-9 S/m", "between"),
])
def test_site_overrides_are_within_physical_ranges(key, value, fragment):
    from estim.fields.sites import site_from_spec

    with pytest.raises(InputError) as info, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        site_from_spec("forearm", {key: value})
    assert info.value.field == f"site.{key}"
    assert fragment in info.value.expected


def test_surface_pad_must_fit_and_be_resolvable():
    from estim.fields.electrodes import place_electrode
    from estim.fields.sites import make_site

    site = make_site("forearm")
    with pytest.raises(InputError, match="at least 1 mm"):
        place_electrode(site, "forearm_volar", length=1e-4, width=1e-4)
    with pytest.raises(InputError, match="fits on the forearm"):
        place_electrode(site, "forearm_volar", length=0.5, width=0.05)


@pytest.mark.parametrize("name", sorted(EX))
def test_every_example_is_within_the_limits(name):
    assert load_program(EX[name]).channels


@pytest.mark.parametrize(("text", "dimension", "si"), [
    ("200 us", "time", 0.0002), ("5 µA", "current", 5e-6), ("2 cm²", "area", 2e-4),
    ("0.1 mA", "current", 1e-4),
    # the compatibility forms read as what they show: one character for mA, full-width
    # digits (they were "no arithmetic"; probe of 6 December 2026)
    ("20 ㎃", "current", 0.02), ("２０ mA", "current", 0.02), ("1 kΩ", "resistance", 1e3),
    ("200 ㎲", "time", 0.0002), ("1 ㏀", "resistance", 1e3),
    ("1 k\u2126", "resistance", 1e3)])  # the ohm sign, not the Greek capital omega
def test_a_quantity_is_the_number_typed_without_the_conversions_noise(
        text: str, dimension: str, si: float) -> None:
    """"200 us" was 0.00019999999999999998 s in results.json (probe of 6 December 2026): the
    conversion's rounding noise is gone, to 15 significant figures."""
    got = parse_quantity(text, dimension, field="x")
    assert got == si and repr(got) == repr(si)


@pytest.mark.parametrize(("text", "dimension"), [("10⁴ Hz", "frequency"), ("2₂ mA", "current"),
                                                 ("① mA", "current"), ("5⁰ mA", "current")])
def test_a_superscript_or_circled_digit_is_refused_not_joined_to_the_number(
        text: str, dimension: str) -> None:
    """Unicode's compatibility form of "10⁴ Hz" is "104 Hz", of "2₂ mA" 22 mA (review of 6
    December 2026): only the full-width forms and the one-character units are read so."""
    with pytest.raises(InputError):
        parse_quantity(text, dimension, field="x")


@pytest.mark.parametrize(("text", "words"), [
    # "1e-400 A" became 0 A, the channel off without a word; "30\nmA" was 30 mA, and the
    # report's copy of the program broke at the line (probe of 6 December 2026)
    ("1e-400 A", "rounds to 0"), ("30\nmA", "without control characters"),
    ("30\tmA", "without control characters")])
def test_a_quantity_that_would_change_on_the_way_in_is_refused(text: str, words: str) -> None:
    with pytest.raises(InputError, match=words):
        parse_quantity(text, "current", field="x")
    assert repr(parse_quantity("-0 mA", "current", field="x")) == "0.0"  # not -0.0


@pytest.mark.parametrize("second", ["1 ", " 1", "1\u200b"])
def test_two_channel_names_that_read_the_same_are_refused(second: str) -> None:
    """"1" and "1 " (or a zero-width space) printed as the same channel twice, and their
    shared pads as "ch 1 + 1" (probe of 6 December 2026)."""
    text = _text("tens_conventional")
    head, _, channel = text.partition("[[channels]]")
    twice = head + "[[channels]]" + channel + "[[channels]]" + channel.replace(
        'name = "1"', f'name = "{second}"')
    err = _refused(twice, "channels[1].name", "a name no other channel has")
    assert "reads as channel '1'" in str(err)
