"""``replace()`` on a program value checks every rule again, like a program file."""

from __future__ import annotations

import math

import pytest

from estim.errors import InputError
from estim.program import ProgramError
from estim.program.bundled import resolve_program


def _tens():
    return resolve_program("tens_conventional")[0]


def test_replace_keeps_si_values_and_changes_one_field() -> None:
    stim = _tens().channels[0].stimulation
    shorter = stim.replace(pulse_width=100e-6)
    assert shorter.pulse_width == pytest.approx(100e-6)
    assert shorter.frequency == stim.frequency
    assert stim.replace(pulse_width="150 us").pulse_width == pytest.approx(150e-6)


@pytest.mark.parametrize(("changes", "field"), [
    ({"pulse_width": -1.0}, "pulse_width"),
    ({"pulse_width": math.nan}, "pulse_width"),
    ({"frequency": 1e9}, "frequency"),
    ({"pulse_widht": 200e-6}, "pulse_widht"),
])
def test_replace_refuses_what_a_program_file_refuses(changes: dict[str, float],
                                                     field: str) -> None:
    stim = _tens().channels[0].stimulation
    with pytest.raises(ProgramError) as err:
        stim.replace(**changes)
    assert isinstance(err.value, InputError)
    assert err.value.field == field


def test_replace_checks_the_whole_program() -> None:
    program = _tens()
    ch = program.channels[0]
    with pytest.raises(ProgramError, match="anode"):
        program.replace(channels=(ch.replace(cathode=ch.anode),))
    with pytest.raises(ProgramError, match="device maximum"):
        program.replace(device=program.device.replace(max_current=1e-3))
