"""What a person feels is predicted for the first channel that is on: channel 1 at 0 mA
beside channel 2's 60 mA was "no sensation, all 20 feel nothing" (probe of 5 December
2026)."""

from __future__ import annotations

from estim.effects.program import effects_for_program
from estim.program import parse_program
from estim.program.bundled import bundled_examples
from estim.program.options import Sensation
from estim.simulate import simulate

COUNTS = {k: 3 for k in ("abeta", "adelta", "c", "motor", "periosteal")}


def _two_on_one_pair(first: str, second: str) -> str:
    text = bundled_examples()["tens_conventional"].read_text(encoding="utf-8")
    head, block = text.split("[[channels]]", 1)
    return (head + "[[channels]]" + block.replace('amplitude = "25 mA"', f'amplitude = "{first}"')
            + "[[channels]]" + block.replace('name = "1"', 'name = "2"', 1)
            .replace('amplitude = "25 mA"', f'amplitude = "{second}"'))


def test_the_first_channel_on_is_the_one_predicted() -> None:
    both = parse_program(_two_on_one_pair("0 mA", "25 mA"))
    fx = effects_for_program(both, simulate(both, body=False).stimuli, counts=COUNTS,
                             bands=False)
    assert fx.window is not None and fx.window.channel == "2"
    assert fx.notes[0] == "channel '1' is off (0); what a person feels is predicted for channel '2'"
    # the channel at 0 mA has no field to leave out of the fiber stage
    assert not any("is not in the fiber stage" in n for n in fx.notes)
    # channel 2 on the same pads as the bundled program's one channel: the same window
    alone = bundled_examples()["tens_conventional"]
    one = parse_program(alone.read_text(encoding="utf-8"))
    ref = effects_for_program(one, simulate(one, body=False).stimuli, counts=COUNTS,
                              bands=False)
    assert ref.window is not None
    assert fx.window.sensory_a == ref.window.sensory_a and fx.window.pain_a == ref.window.pain_a
    assert fx.sensation is not None and fx.sensation.sensation == ref.sensation.sensation
    # both on alike: each read under its own pads (here the same ones), channel 1's first
    on = parse_program(_two_on_one_pair("25 mA", "25 mA"))
    fx = effects_for_program(on, simulate(on, body=False).stimuli, counts=COUNTS, bands=False)
    assert fx.window is not None and fx.window.channel == "1"
    assert fx.notes[0].startswith("the sensation window is computed for channel '1', the "
                                  "strongest of the 2 channels that are on")
    (other,) = fx.others
    assert other.channel == "2" and other.phrase == fx.sensation.phrase
    assert other.window["sensory_threshold_A"] == fx.window.sensory_a


def test_the_strongest_channel_is_predicted_in_either_order() -> None:
    """The window was the first channel's: three channels reordered went from "a strong but
    comfortable tingling" to "it would hurt" (probe of 5 December 2026). Two channels on
    one pair of pads, at 10 and 40 mA: the 40 mA channel's, listed first or second."""
    for first, second, strong in (("10 mA", "40 mA", "2"), ("40 mA", "10 mA", "1")):
        program = parse_program(_two_on_one_pair(first, second))
        fx = effects_for_program(program, simulate(program, body=False).stimuli,
                                 counts=COUNTS, bands=False)
        assert fx.window is not None and fx.window.channel == strong
        assert fx.window.amplitude_a == 0.040
        (weak,) = fx.others
        assert weak.window["programmed_peak_current_A"] == 0.010
        assert fx.sensation is not None
        assert Sensation(weak.phrase).rank < fx.sensation.sensation.rank
        # the fields and loads in the program's order, whichever channel's window it is
        # (they moved with the amplitudes, and the web's field picture with them; review)
        assert [c.name for c in fx.program_fields.channels] == ["1", "2"]
        assert [c["name"] for c in fx.fields["channels"]] == ["1", "2"]
        assert [r.channel for r in fx.reaches] == ["1", "2"]


def test_true_interferential_with_channel_a_off_is_channel_b_alone() -> None:
    """Channel A at 0 mA: a ZeroDivisionError traceback (its peak divided the other's);
    it is channel B's carrier alone, with nothing superposed (review of 5 December 2026)."""
    text = bundled_examples()["ifc_true_knee"].read_text(encoding="utf-8")
    head, a, b = text.split("[[channels]]")
    a = a.replace('amplitude = "30 mA"', 'amplitude = "0 mA"', 1)
    program = parse_program(head + "[[channels]]" + a + "[[channels]]" + b)
    fx = effects_for_program(program, simulate(program, body=False).stimuli, counts=COUNTS,
                             bands=False)
    assert fx.window is not None and fx.window.channel == "B"
    assert not any(n.startswith("true interferential") for n in fx.notes)
