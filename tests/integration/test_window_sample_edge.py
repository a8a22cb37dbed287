"""A threshold whose count of Aβ afferents is more than lie under the pads is where the
model's sample runs out, and says so: a 4 cm pad's strong tingling read 23.7 mA beside a
5 cm pad's 9.1 in a sweep, unflagged (probe of 5 December 2026)."""

from __future__ import annotations

from estim.effects.calibration import CALIBRATED_COUNTS
from estim.effects.program import effects_for_program
from estim.program import parse_program
from estim.program.bundled import bundled_examples
from estim.simulate import simulate

COUNTS = {k: 3 for k in ("abeta", "adelta", "c", "motor", "periosteal")}


def _window(cm: int):  # type: ignore[no-untyped-def]
    text = bundled_examples()["tens_conventional"].read_text(encoding="utf-8")
    program = parse_program(text.replace('width = "5 cm", length = "5 cm"',
                                         f'width = "{cm} cm", length = "{cm} cm"'))
    fx = effects_for_program(program, simulate(program, body=False).stimuli, counts=COUNTS,
                             bands=False)
    assert fx.window is not None
    return fx.window


def test_a_count_past_the_afferents_under_the_pad_is_flagged() -> None:
    small, large = _window(4), _window(5)
    assert small.available["abeta"] < CALIBRATED_COUNTS.strong_abeta < large.available["abeta"]
    assert small.short_of_afferents() == ("strong tingling",)
    assert large.short_of_afferents() == ()
    # a virtual subject with half the density: the 5 cm pad runs out too
    assert large.short_of_afferents(0.5) == ("strong tingling",)
