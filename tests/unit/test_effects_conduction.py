"""When the conduction test under a kHz carrier runs, and what is said where it cannot."""

from __future__ import annotations

from pathlib import Path

import pytest

from estim.effects.conduction import conduction_waveform, short_burst_note
from estim.effects.drive import unit_pulse
from estim.program import load_program
from estim.waveforms import stimuli_for
from tests.conftest import EXAMPLES

RUSSIAN = next(p for p in EXAMPLES if p.stem == "russian_quadriceps")


def _bursts(tmp_path: Path, duty: float, carrier: str = "4 kHz"):
    """Russian current's program with 50 Hz bursts of ``duty`` (0.1: 2 ms bursts)."""
    text = RUSSIAN.read_text(encoding="utf-8")
    text = text.replace("burst_duty = 0.5", f"burst_duty = {duty}")
    text = text.replace('carrier_frequency = "2.5 kHz"', f'carrier_frequency = "{carrier}"')
    path = tmp_path / f"bursts_{duty}.toml"
    path.write_text(text, encoding="utf-8")
    (stim,) = stimuli_for(load_program(path))
    return unit_pulse(stim)


@pytest.mark.parametrize("duty", [0.0125, 0.05, 0.1])
def test_a_burst_over_before_the_test_could_start_is_not_tested(tmp_path, duty):
    """Bursts of 0.25-2 ms (50 Hz, 4 kHz: the short bursts of Ward & Lucas-Toumbourou
    2007) end before the carrier's onset response is over, where the test must start: no
    test time, instead of the test's own refusal stopping the run (it did: `estim run`
    exited with "test_time: got 0.0011, expected a time after the carrier's 2 ms onset")."""
    wave = _bursts(tmp_path, duty)
    carrier, test_s = conduction_waveform(wave, False, 4e3)
    assert test_s is None
    assert carrier.width_s == wave.width_s  # a burst is not run on as a carrier would be


@pytest.mark.parametrize("duty", [0.2, 0.5])
def test_a_burst_long_enough_is_tested_inside_it_after_the_onset(tmp_path, duty):
    """4 and 10 ms bursts: the test starts after the 3 ms that the onset response and a
    margin take, inside the burst (the conduction test itself checks the same bounds)."""
    wave = _bursts(tmp_path, duty)
    _, test_s = conduction_waveform(wave, False, 4e3)
    assert test_s is not None
    burst = wave.width_s
    assert wave.delay_s + 3e-3 <= test_s < wave.delay_s + burst


def test_the_untested_burst_is_said_with_its_length_and_why():
    note = short_burst_note(4e3, 2e-3)
    assert note.startswith("4 kHz carrier in bursts of 2 ms: conduction block is not tested")
    assert "first 2 ms" in note and "Bhadra" in note
