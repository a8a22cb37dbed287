"""Inputs that once slipped through: every one must be refused with a clear message."""

from __future__ import annotations

import pytest

from estim.program import ProgramError, load_program, parse_program
from estim.waveforms import metrics, stimuli_for
from tests.conftest import EXAMPLES

EX = {p.stem: p for p in EXAMPLES}


def _text(name: str) -> str:
    return EX[name].read_text()


@pytest.mark.parametrize("name", sorted(EX))
@pytest.mark.parametrize("bad", ['"-5 mA"', "{ value = nan, control = \"current\" }",
                                 '"nan mA"', '"inf V"'])
def test_amplitude_must_be_a_finite_non_negative_quantity(name, bad):
    text = _text(name)
    lines = [ln for ln in text.splitlines() if ln.startswith("amplitude = ")]
    assert lines, name
    with pytest.raises(ProgramError) as info:
        parse_program(text.replace(lines[0], f"amplitude = {bad}", 1))
    assert info.value.field.endswith("stimulation.amplitude")


@pytest.mark.parametrize(
    ("name", "old", "new", "field"),
    [
        ("tens_modulated", 'modulation_period = "1 s"', 'modulation_period = "100 us"',
         "modulation_period"),
        ("nmes_quadriceps", 'on_time = "10 s"\noff_time = "50 s"\nramp_up = "2 s"\n'
         'ramp_down = "1 s"', 'on_time = "300 us"\noff_time = "50 s"', "on_time"),
        ("russian_quadriceps", 'on_time = "10 s"\noff_time = "50 s"\nramp_up = "1 s"\n'
         'ramp_down = "1 s"', 'on_time = "5 ms"\noff_time = "50 s"', "on_time"),
        ("dbs_stn", 'frequency = "130 Hz"\npulse_width = "60 us"',
         'frequency = "10 kHz"\npulse_width = "60 us"', "pulse_width"),
    ],
)
def test_timing_that_would_deliver_nothing_is_refused(name, old, new, field):
    text = _text(name)
    assert old in text
    with pytest.raises(ProgramError) as info:
        parse_program(text.replace(old, new))
    assert info.value.field.endswith(field)


def test_session_is_rounded_up_to_whole_cycles():
    text = _text("tens_burst").replace('duration = "30 min"', 'duration = "1800.2 s"')
    stim = stimuli_for(parse_program(text))[0]
    assert stim.n_cycles == 3601  # 1800.2 s of 0.5 s bursts: never reported shorter
    assert stim.duration_s >= 1800.2


def test_session_lengthened_beyond_the_tolerance_is_refused():
    # 20.4 min of 60 s cycles would run 21 min, 3 % longer than written (issue 10)
    text = _text("nmes_quadriceps").replace('duration = "20 min"', 'duration = "20.4 min"')
    with pytest.raises(ProgramError) as info:
        parse_program(text)
    assert info.value.field.endswith("duration")
    assert "1224 s or 1260 s" not in info.value.expected  # floor is 20 cycles: 1200 s
    assert "1200 s or 1260 s" in info.value.expected


def test_zero_amplitude_delivers_nothing():
    text = _text("tens_conventional").replace('amplitude = "25 mA"', 'amplitude = "0 mA"')
    (stim,) = stimuli_for(parse_program(text))
    m = metrics(stim)
    assert m.peak == 0 and m.rms == 0 and m.rms_max_1s == 0


def test_swept_beat_channel_rms_is_the_sine_rms():
    """Every sweep step holds whole cycles, so the r.m.s. of the swept channel is A/√2
    exactly, and its net charge is zero."""
    a, b = stimuli_for(load_program(EX["ifc_true_knee"]))
    for stim in (a, b):
        m = metrics(stim)
        assert m.rms == pytest.approx(0.030 / 2**0.5, rel=1e-9)
        assert abs(m.mean) < 1e-12 * m.mean_abs


@pytest.mark.parametrize(
    ("old", "new", "field", "fragment"),
    [
        ('max_current = "100 mA"', 'max_current = "1e308 A"', "device.max_current", "10 A"),
        ('frequency = "80 Hz"', 'frequency = "80 rpm"', "frequency", "frequency"),
        ('amplitude = "25 mA"', 'amplitude = "mA"', "amplitude", "current or a voltage"),
        ('pulse_width = "200 us"', 'pulse_width = "us"', "pulse_width", "number"),
        ('duration = "30 min"', 'duration = "30 d"', "duration", "24 h"),
        ('placement = "lumbar_left_lower"', 'placement = "lumbar_left_upper"',
         "cathode.placement", "other than the anode"),
    ],
)
def test_implausible_values_are_refused(old, new, field, fragment):
    text = _text("tens_conventional")
    assert old in text
    with pytest.raises(ProgramError) as info:
        parse_program(text.replace(old, new, 1))
    assert info.value.field.endswith(field)
    assert fragment in info.value.expected


def test_drug_on_the_wrong_electrode_is_refused():
    text = _text("iontophoresis_dexamethasone").replace('drug_electrode = "cathode"',
                                                         'drug_electrode = "anode"')
    with pytest.raises(ProgramError) as info:
        parse_program(text)
    assert info.value.field.endswith("drug_electrode") and "cathode" in info.value.expected


def test_microcurrent_cycle_is_bounded():
    text = _text("microcurrent_face").replace('polarity_reversal = "2 s"',
                                              'polarity_reversal = "50 min"')
    with pytest.raises(ProgramError, match="pulses per cycle"):
        parse_program(text.replace('frequency = "0.5 Hz"', 'frequency = "1 kHz"'))
