"""Channels on together that share a pad: said, since each channel's window reads its own
current alone (no simulation: the note is made from the program)."""

from __future__ import annotations

from estim.effects.program import SHARED_PADS_NOTE, _shared_pads_note
from estim.program import parse_program
from estim.program.bundled import bundled_examples


def _two_channels(second_cathode: str) -> str:
    text = bundled_examples()["tens_conventional"].read_text(encoding="utf-8")
    _, _, channel = text.partition("[[channels]]")
    second = ("[[channels]]" + channel).replace('name = "1"', 'name = "2"').replace(
        'placement = "lumbar_left_lower"', f'placement = "{second_cathode}"')
    return text + "\n" + second


def test_two_channels_on_one_pair_of_pads_are_said_to_add() -> None:
    """Two 25 mA channels on one pair of pads read "strong tingling" each, where 50 mA there
    is painful, without a word (probe of 6 December 2026)."""
    text = _two_channels("lumbar_left_lower")
    note = _shared_pads_note(parse_program(text))
    assert note is not None and note.startswith(SHARED_PADS_NOTE)
    assert "lumbar_left_lower and lumbar_left_upper (channels '1' and '2': up to 50 mA " \
           "together)" in note
    # a channel that is off shares nothing
    head, _, second = text.rpartition("[[channels]]")
    assert 'amplitude = "25 mA"' in second
    off = head + "[[channels]]" + second.replace('amplitude = "25 mA"', 'amplitude = "0 mA"')
    assert _shared_pads_note(parse_program(off)) is None


def test_only_the_shared_pad_is_named() -> None:
    note = _shared_pads_note(parse_program(_two_channels("lumbar_right_lower")))
    # the second channel keeps the first's anode: that one pad is shared, the cathodes not
    assert note is not None and "lumbar_left_upper (channels" in note
    assert "lumbar_right_lower" not in note


def test_the_web_page_says_it_without_the_programmed_amounts() -> None:
    """The terminal and the report said it, the stimulator's page did not; on the dial the
    programmed amounts ("up to 50 mA together") are not the setting's, so they are left
    out there."""
    from types import SimpleNamespace

    from estim.web.device import _page_warnings

    note = _shared_pads_note(parse_program(_two_channels("lumbar_left_lower")))
    model = SimpleNamespace(result=SimpleNamespace(effects=SimpleNamespace(
        notes=("a note of the model", note))))
    shown = _page_warnings(model)  # type: ignore[arg-type]
    assert shown == ["Channels on together share a pad: lumbar_left_lower and "
                     "lumbar_left_upper (channels '1' and '2'); where their pulses coincide "
                     "their currents add there, and what a person feels is read for each "
                     "channel with its own current alone, so they may feel more than it says."]
