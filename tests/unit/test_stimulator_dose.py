"""The iontophoresis dial's dose at a setting, worded for the dial (no simulation needed)."""

from __future__ import annotations

import pytest

from estim.program import parse_program
from estim.program.bundled import bundled_examples
from estim.stimulator.engine import _dose_at


def _program(**replace: str):  # type: ignore[no-untyped-def]
    text = bundled_examples()["iontophoresis_dexamethasone"].read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    return parse_program(text)


def test_a_setting_refused_by_the_dose_says_which_settings_work() -> None:
    """"dose: got '40 mA*min', expected a dose that 10 µA delivers within 24 h" pointed at
    the dose where the user had turned the dial (review of 6 December 2026)."""
    low, dose = _dose_at(_program(), 10e-6)
    # 2.4 C over a day less half the two 30 s ramps: 27.8 µA, said just above it
    assert dose is None and "below 27.9 µA the 40 mA·min take more than a day" in low[0]
    small = _program(**{'dose = "40 mA*min"': 'dose = "2 mA*min"',
                        'amplitude = "4 mA"': 'amplitude = "1 mA"'})
    high, _ = _dose_at(small, 4.5e-3)
    # the ramps deliver half their current for 60 s: 0.12 C / 30 s = 4 mA
    assert "above 3.98 mA the ramps alone deliver more than the 2 mA·min" in high[0]


def test_a_compliance_short_of_the_dial_is_said_of_the_dial() -> None:
    """"64% of the programmed 5 mA" was said of the dial's 5 mA (review)."""
    reasons, dose = _dose_at(_program(**{'compliance_voltage = "80 V"':
                                         'compliance_voltage = "10 V"'}), 5e-3)
    assert dose is not None
    short = [r for r in reasons if "compliance drives at most" in r]
    assert len(short) == 1 and "of the dial's 5 mA" in short[0]
    assert "programmed" not in short[0]
    assert dose["duration_s"] == pytest.approx(40 * 60 / 5 + 30, rel=1e-12)


def _beside(*dc: str, device: str = "100 mA", compliance: str = "80 V", tens: str = "25 mA",
            dose: str = "40 mA*min"):  # type: ignore[no-untyped-def]
    """A TENS channel at ``tens`` (the dial's) after iontophoresis channels ``dc``, each
    "name:amplitude" on its own 4 cm discs."""
    from tests.programs import IONTO, TENS, channel, disc, head

    places = iter((("lumbar_right_upper", "lumbar_right_lower"),
                   ("lumbar_upper", "lumbar_center")))
    text = head(max_current=device, compliance_voltage=compliance)
    for spec in dc:
        name, amp = spec.split(":")
        text += channel(name, *next(places), pad=disc("4 cm"),
                        **{**IONTO, "amplitude": amp, "dose": dose})
    return parse_program(text + channel("tens", "lumbar_left_upper", "lumbar_left_lower",
                                        **{**TENS, "amplitude": tens}))


def test_every_dc_channel_beside_a_pulsed_one_is_dosed_at_its_own_current() -> None:
    """Two iontophoresis channels beside TENS: the dial's words gave the first alone, the
    second at 2 mA/cm² unsaid (probe of 6 December 2026). At 12.5 mA on the dial the
    channels run at half their 2 and 8 mA: 40 mA·min take 40 and 10 min plus half the
    30 s ramps, over the 4 cm discs' 4π cm² (closed forms)."""
    import math

    words, dose = _dose_at(_beside("a:2 mA", "b:8 mA"), 0.0125)
    assert dose is not None and dose["duration_s"] == pytest.approx(2430.0, rel=1e-12)
    said = " ".join(words)
    assert "At 1 mA of d.c. (channel a, moving with the dial) the 40 mA·min take 40.5 min" \
        in said
    assert "At 4 mA of d.c. (channel b, moving with the dial) the 40 mA·min take 10.5 min" \
        in said
    assert f"{4 / (4 * math.pi):.3g} mA/cm² under the drug pad" in said
    assert said.endswith("the sensation here is the pulsed channels'.")
    zero, none = _dose_at(_beside("a:2 mA", "b:8 mA"), 0.0)
    assert none is None and zero == ("the d.c. of channel a and b is off at zero: no drug "
                                     "delivered",)


def test_a_dc_channel_beside_a_pulsed_one_is_said_at_its_own_limits() -> None:
    """Beside a pulsed channel a refusal read the model's message of the d.c. current
    (5.01 mA beside a dial at 31.3 mA), the compliance note "the dial's 4 mA", and a d.c.
    channel at the device maximum "moving with the dial" (probe of 6 December 2026)."""
    # past the 10 mA the program model takes for iontophoresis: 8 mA per 25 mA on the dial
    # is 12.8 mA at 40 mA; refused, and said of that channel
    refused, none = _dose_at(_beside("dc:8 mA"), 0.040)
    assert none is None
    assert refused[0].startswith("no dose at this setting: channel 'dc', which moves with "
                                 "the dial: ")
    # 1 mA per 25 mA on the dial with 1.5 mA·min: its 30 s ramps alone hold more above
    # 3 mA of d.c. (0.09 C / 30 s), 75 mA on the dial
    ramps, _ = _dose_at(_beside("dc:1 mA", dose="1.5 mA*min"), 0.080)
    assert ("channel 'dc', which moves with the dial: above 74.6 mA on the dial the ramps "
            "alone deliver more than the 1.5 mA·min") in ramps[0]
    # 8 mA per 2 mA on a 10 mA device: the d.c. reaches the maximum at 2.5 mA on the dial
    held = _beside("dc:8 mA", device="10 mA", tens="2 mA")
    assert "(channel dc, moving with the dial)" in _dose_at(held, 0.002)[0][0]
    top, _ = _dose_at(held, 0.004)
    assert top[0].startswith("At 10 mA of d.c. (channel dc, held at the device maximum)")
    # a weak compliance is said of the d.c. channel, not of the dial
    weak, _ = _dose_at(_beside("dc:8 mA", compliance="10 V"), 0.025)
    short = [w for w in weak if "compliance drives at most" in w]
    assert len(short) == 1 and "of the d.c. channel's 8 mA" in short[0]
    assert "dial's" not in short[0]


def test_two_dc_channels_alone_are_each_named_without_a_pulsed_channel() -> None:
    """Two iontophoresis channels and no pulsed one: the dial's words ended "the sensation
    here is the pulsed channels'" and called the dial's own channel "moving with the dial"
    (review of 6 December 2026). At 2 mA on the dial (a's 4 mA) b's 8 mA runs at 4 mA."""
    from tests.programs import IONTO, channel, disc, head

    program = parse_program(
        head() + channel("a", "lumbar_right_upper", "lumbar_right_lower", pad=disc("4 cm"),
                         **IONTO)
        + channel("b", "lumbar_left_upper", "lumbar_left_lower", pad=disc("4 cm"),
                  **{**IONTO, "amplitude": "8 mA"}))
    words, dose = _dose_at(program, 0.002)
    said = " ".join(words)
    assert dose is not None
    assert "At 2 mA of d.c. (channel a, the dial's) the 40 mA·min take 20.5 min" in said
    assert "At 4 mA of d.c. (channel b, moving with the dial) the 40 mA·min take 10.5 min" \
        in said
    assert "pulsed" not in said and said.endswith("is not modelled.")


def test_the_dial_at_zero_delivers_nothing_and_passes() -> None:
    """The program model takes no d.c. channel at 0 mA, and the dial at 0 read "refused:
    amplitude: got 0.0, expected a positive current" (probe of 6 December 2026). At 0
    nothing flows: it passes, the dose's words saying so; just above, the dose's own
    refusal stands."""
    from estim.stimulator.safety_dial import REFUSED, safety_table

    table = safety_table(_program())
    assert table.spans[0].verdict == REFUSED  # the table itself: refused from 0
    zero = table.at(0.0)
    assert (zero.verdict, zero.rules, zero.rule_ids) == ("pass", (), ())  # no rule trips
    words, dose = _dose_at(_program(), 0.0)
    assert dose is None and "no drug delivered" in words[0]
    tiny = table.at(1e-6)
    assert tiny.verdict == REFUSED and "within 24 h" in tiny.rules[0]
    # a program that 0 does not refuse reads as before at 0: its own span, no words
    tens = safety_table(parse_program(
        bundled_examples()["tens_conventional"].read_text(encoding="utf-8")))
    assert tens.at(0.0).verdict == "pass" and tens.at(0.0).rules == ()
