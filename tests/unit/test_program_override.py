"""``with_amplitude``: the dial turned without editing the file, checked like the file."""

from __future__ import annotations

import doctest

import pytest

import estim.program.override
import estim.report.check_tables
from estim.errors import InputError
from estim.program.bundled import bundled_examples
from estim.program.override import with_amplitude

EXAMPLES = bundled_examples()


@pytest.mark.parametrize("module", [estim.program.override, estim.report.check_tables])
def test_docstring_examples_run(module) -> None:
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0


def test_every_channel_is_set_and_nothing_else_changes() -> None:
    before = with_amplitude(EXAMPLES["ifc_true_knee"], "30 mA")
    after = with_amplitude(EXAMPLES["ifc_true_knee"], "45 mA")
    assert [c.stimulation.amplitude.value for c in after.channels] == [0.045, 0.045]
    for a, b in zip(before.channels, after.channels, strict=True):
        assert a.stimulation.replace(amplitude=b.stimulation.amplitude) == b.stimulation
    assert after.device == before.device
    # the file's own words name its amplitude: said to be the file's (probe of 6 December
    # 2026: "60 µs, 3 mA" above a DBS run at 10 mA)
    assert after.description.endswith("(as the file has it; run at 45 mA)"), after.description


def test_the_files_expectations_hold_at_the_files_amplitude_only() -> None:
    """A run at 0 mA said "the source expects strong tingling: the model and the source
    disagree here", of a source that prescribes 25 mA; and the description quoted "0mA" as
    typed (probe of 6 December 2026). At another amplitude the file's expectations are
    dropped and the amplitude written as estim writes it; at the file's own, kept."""
    path = EXAMPLES["tens_conventional"]
    file = with_amplitude(path, "25 mA")
    assert file.expected_sensation and file.expected_verdict is not None
    assert "as the file has it" not in file.description
    same = with_amplitude(path, "25000 uA")  # the file's 25 mA, 0.024999999999999998 A
    assert same.expected_sensation and "as the file has it" not in same.description
    for typed, words in (("0mA", "0 mA"), ("60mA", "60 mA"), ("0.0301 A", "30.1 mA")):
        other = with_amplitude(path, typed)
        assert other.expected_sensation == () and other.expected_verdict is None, typed
        assert other.description == f"{file.description} (as the file has it; run at {words})"
    volts = with_amplitude(EXAMPLES["hvpc_wound"], "100V")
    assert volts.description.endswith("run at 100 V)") and volts.expected_sensation == ()


@pytest.mark.parametrize(("example", "value", "expected"), [
    ("tens_conventional", "101 mA", "at most the device maximum (100 mA)"),
    ("hvpc_wound", "600 V", "at most the device maximum (500 V)"),
    # mega-amperes are a valid unit, so parsing gave no case hint (probe, 6 December 2026)
    ("tens_conventional", "25 MA", "(100 mA) (M is mega; did you mean '25 mA'?)"),
    ("hvpc_wound", "150 MV", "(500 V) (M is mega; did you mean '150 mV'?)"),
    # out of a float's range: the parser's reason, not "with units, at least zero"
    ("tens_conventional", "1e400 mA", "a finite number"),
    ("tens_conventional", "1e-400 mA", "rounds to 0"),
    ("iontophoresis_dexamethasone", "0 mA", "a current of at least 1 nA (a d.c. channel at 0"),
    # it read "0, or at least 1 nA" beside the 0's refusal (probe of 6 December 2026)
    ("iontophoresis_dexamethasone", "1e-7 mA", "a current of at least 1 nA (a d.c. channel"),
    # a consequence elsewhere in the program is named with the field it breaks
    ("iontophoresis_dexamethasone", "0.01 mA", "channels[0].stimulation.dose"),
])
def test_the_file_limits_apply(example: str, value: str, expected: str) -> None:
    with pytest.raises(InputError) as err:
        with_amplitude(EXAMPLES[example], value, option="--amplitude")
    assert err.value.field == "--amplitude" and err.value.value == value
    assert expected in err.value.expected


def _two_channels(tmp_path, second: str, first: str = "25 mA"):
    """Conventional TENS with a second channel on the right of the back at ``second``."""
    text = EXAMPLES["tens_conventional"].read_text(encoding="utf-8")
    head, channel = text[:text.index("[[channels]]")], text[text.index("[[channels]]"):]
    right = channel.replace('name = "1"', 'name = "B"').replace("lumbar_left", "lumbar_right")
    path = tmp_path / "two.toml"
    path.write_text(head + channel.replace('"25 mA"', f'"{first}"') + "\n"
                    + right.replace('"25 mA"', f'"{second}"'), encoding="utf-8")
    return path


def test_a_channel_switched_off_stays_off(tmp_path) -> None:
    """--amplitude switched on a channel the file had at 0 mA, without a word (probe of
    5 December 2026): it sets the channels that are on, and every one only where all are
    off."""
    program = with_amplitude(_two_channels(tmp_path, "0 mA"), "30 mA")
    assert [c.stimulation.amplitude.value for c in program.channels] == [0.030, 0.0]
    program = with_amplitude(_two_channels(tmp_path, "0mA", first="0 mA"), "30 mA")
    assert [c.stimulation.amplitude.value for c in program.channels] == [0.030, 0.030]


def test_the_sweeps_amplitude_axis_leaves_a_channel_switched_off(tmp_path) -> None:
    import tomllib

    from estim.sweep.axes import apply_axis, parse_axis

    data = tomllib.loads(_two_channels(tmp_path, "0 mA").read_text(encoding="utf-8"))
    apply_axis(data, parse_axis("amplitude=30mA"), "30 mA")
    assert [c["stimulation"]["amplitude"] for c in data["channels"]] == ["30 mA", "0 mA"]
    # one channel by its index: set whatever it was
    apply_axis(data, parse_axis("channels[1].stimulation.amplitude=5mA"), "5 mA")
    assert [c["stimulation"]["amplitude"] for c in data["channels"]] == ["30 mA", "5 mA"]


def test_a_description_mismatch_names_what_each_setting_is() -> None:
    # "the program sets 50 µs, 250 µs" read the interphase gap as a second pulse width
    # (device engineer's probe): each value now says which setting it is
    from estim.program import parse_program
    from estim.program.override import described_elsewhere

    text = EXAMPLES["tens_conventional"].read_text(encoding="utf-8")
    text = text.replace('pulse_width = "200 us"', 'pulse_width = "250 us"').replace(
        'pulse = "symmetric_biphasic"', 'pulse = "symmetric_biphasic"\ninterphase_gap = "50 us"')
    said = described_elsewhere(parse_program(text))
    assert said == ("its description names 200 µs; the program sets pulse width 250 µs, "
                    "interphase gap 50 µs")
