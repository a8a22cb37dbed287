"""Waveform metrics against hand calculations, closed forms and a brute-force sampler."""

from __future__ import annotations

import functools
import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from estim.program import PulseShape, load_program, parse_program
from estim.waveforms import Pulse, Segment, biphasic_pulse, metrics, stimuli_for
from tests.conftest import EXAMPLES

EX = {p.stem: p for p in EXAMPLES}


@functools.cache
def _stimuli(name):
    return stimuli_for(load_program(EX[name]))


def _stim(name, channel=0):
    return _stimuli(name)[channel]


def _brute(stim, t0, t1, n=2_000_001):
    """Sampled mean, mean |I| and r.m.s. over [t0, t1): the independent check."""
    t = np.linspace(t0, t1, n, endpoint=False)
    v = stim.sample(t)
    return v.mean(), np.abs(v).mean(), math.sqrt(np.mean(v * v))


def test_conventional_tens_by_hand():
    m = metrics(_stim("tens_conventional"))
    # 25 mA, 200 us symmetric biphasic at 80 Hz: each phase 25 mA * 200 us = 5 uC;
    # r.m.s. = 25 mA * sqrt(2 * 200 us * 80 Hz); mean |I| = 25 mA * 2 * 200 us * 80 Hz.
    assert m.peak == pytest.approx(0.025, rel=1e-12)
    assert m.max_phase_charge == pytest.approx(5e-6, rel=1e-12)
    assert m.max_net_charge_per_pulse == pytest.approx(0.0, abs=1e-18)
    assert m.rms == pytest.approx(0.025 * math.sqrt(2 * 200e-6 * 80), rel=1e-12)
    assert m.rms_max_1s == pytest.approx(m.rms, rel=1e-9)
    assert m.mean_abs == pytest.approx(0.025 * 2 * 200e-6 * 80, rel=1e-12)
    assert m.duty == pytest.approx(2 * 200e-6 * 80, rel=1e-12)
    assert m.pulses_per_s == pytest.approx(80.0)


def test_burst_tens_by_hand():
    m = metrics(_stim("tens_burst"))
    # 7 pulses of 30 mA, 2 x 200 us phases, per 0.5 s
    assert m.rms == pytest.approx(0.030 * math.sqrt(7 * 2 * 200e-6 / 0.5), rel=1e-12)
    assert m.pulses_per_s == pytest.approx(14.0)


def test_asymmetric_biphasic_balances_charge():
    p = biphasic_pulse(PulseShape.ASYMMETRIC_BIPHASIC, 250e-6, ratio=0.25)
    assert p.phase_charges == pytest.approx((250e-6, -250e-6), rel=1e-12)
    assert p.charge == pytest.approx(0.0, abs=1e-18)
    # ∫f² = w·1 + (w/r)·r² = w(1 + r)
    assert p.charge_sq == pytest.approx(250e-6 * 1.25, rel=1e-12)


def test_nmes_ramps_and_worst_second():
    stim = _stim("nmes_quadriceps")
    m = metrics(stim)
    # On time 10 s at 50 Hz with a 2 s ramp up and 1 s ramp down: the worst 1 s window sits on
    # the plateau, where the r.m.s. is 60 mA * sqrt(2 * 400 us * 50 Hz) = 12 mA.
    # 1e-6: the worst window is found to within one pulse's share (1/50 of a second) of an
    # exact plateau alignment; on a flat plateau the result is exact to rounding
    assert m.rms_max_1s == pytest.approx(0.060 * math.sqrt(2 * 400e-6 * 50), rel=1e-6)
    # long-run r.m.s. over the 60 s cycle, from the program's own numbers (not the built
    # envelope, which made this agree with any ramp shape; review of 6 December 2026): a
    # pulse every 20 ms of the 10 s on time, the last at 9.98 s, each at the linear ramps'
    # fraction of 60 mA, rising over 2 s and falling over the last 1 s
    onsets = [k / 50 for k in range(500)]
    envelope_sq = sum(min(1.0, t / 2.0, 10.0 - t) ** 2 for t in onsets)
    expected = 0.060 * math.sqrt(envelope_sq * 2 * 400e-6 / 60.0)
    assert m.rms == pytest.approx(expected, rel=1e-12)
    assert stim.scale.size == 499  # the pulse at 0 s has no current and is not delivered
    assert m.rms < m.rms_max_1s


def test_russian_sine_bursts():
    m = metrics(_stim("russian_quadriceps"))
    # 2.5 kHz sine, 70 mA peak, 50 Hz bursts at 50 %: on the plateau r.m.s. = 70/√2 · √0.5;
    # a phase (half a carrier cycle) carries 2A/ω = 70 mA / (π · 2500 Hz).
    # 1e-6: as above, a window aligned with burst edges on the plateau is exact
    assert m.rms_max_1s == pytest.approx(0.070 / math.sqrt(2) * math.sqrt(0.5), rel=1e-6)
    assert m.max_phase_charge == pytest.approx(0.070 / (math.pi * 2500), rel=1e-9)
    # a burst of the carrier is one pulse: 50 bursts/s during 10 s of every 60
    assert m.pulses_per_s == pytest.approx(50 * 10 / 60, rel=1e-12)


def test_true_ifc_channels_count_their_carrier_cycles():
    # Channel A is built one 4 kHz cycle per event; channel B, swept 80-120 Hz above it, as
    # ~0.1 s stretches of constant frequency that run on into each other. Both count their
    # cycles (channel B's once counted 10 "pulses"/s, one per stretch). B's mean is 4 kHz +
    # the 6:6 sweep's mean beat, 100 Hz; its steps of constant frequency (40 Hz over 60
    # steps each way) may shift the time-weighted mean by up to a step, 0.67 Hz.
    a, b = (metrics(_stim("ifc_true_knee", k)) for k in (0, 1))
    assert a.pulses_per_s == pytest.approx(4000.0, rel=1e-12)
    assert b.pulses_per_s == pytest.approx(4100.0, abs=0.67)


def test_premodulated_ifc_rms_and_beat():
    stim = _stim("ifc_premodulated")
    m = metrics(stim)
    # (A/2)(sin ω1 t + sin ω2 t): r.m.s. = A/2 (two uncorrelated sines of amplitude A/2)
    assert m.rms == pytest.approx(0.040 / 2, rel=1e-9)
    # the envelope beats at 100 Hz: samples near t = 5 ms (beat node) are small
    t = np.linspace(4.9e-3, 5.1e-3, 2001)
    assert np.max(np.abs(stim.sample(t))) < 0.002


def test_a_swept_premodulated_beat_counts_its_beats() -> None:
    """Each step of a swept premodulated beat holds whole beats: it read 10 "beats" per
    second, its 0.1 s steps (probe of 6 December 2026). The count is the steps' beats over
    their time, from the program's own steps (exact but for round-off); the unswept example
    keeps its 100 beats/s."""
    text = EX["ifc_premodulated"].read_text(encoding="utf-8")
    assert 'beat_frequency = "100 Hz"' in text
    swept = parse_program(text.replace('beat_frequency = "100 Hz"', 'beat_frequency = "1 Hz"\n'
                                       'beat_frequency_max = "100 Hz"\nsweep = "6:6"'))
    s = swept.channels[0].stimulation
    steps = s.sweep_steps()
    fc = s.carrier_frequency
    beats = sum(b for b, _ in steps) / sum(c / fc for _, c in steps)
    assert metrics(stimuli_for(swept)[0]).pulses_per_s == pytest.approx(beats, rel=1e-9)
    assert 30 < beats < 70  # a sweep between ~2 and ~114 Hz, not its 10 steps per second
    assert metrics(_stim("ifc_premodulated")).pulses_per_s == pytest.approx(100.0, rel=1e-9)


def test_iontophoresis_dose_and_dc():
    stim = _stim("iontophoresis_dexamethasone")
    m = metrics(stim)
    assert m.session_charge == pytest.approx(2.4, rel=1e-12)  # 40 mA*min
    assert m.rms_max_1s == pytest.approx(0.004, rel=1e-9)
    assert m.mean == pytest.approx(2.4 / stim.duration_s, rel=1e-12)


def test_dbs_passive_recharge_balances():
    stim = _stim("dbs_stn")
    m = metrics(stim)
    assert m.max_phase_charge == pytest.approx(3e-3 * 60e-6, rel=1e-9)
    assert m.max_net_charge_per_pulse < 1e-6 * m.max_phase_charge


def test_microcurrent_reverses_polarity():
    m = metrics(_stim("microcurrent_face"))
    assert m.mean == pytest.approx(0.0, abs=1e-15)
    # each 1 s pulse at 300 uA is a phase of 300 uC; with reversal the session is balanced
    assert m.max_phase_charge == pytest.approx(300e-6, rel=1e-12)
    assert m.session_charge == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("name", sorted(EX))
def test_metrics_match_brute_force_sampling(name):
    """Exact metrics against a 2-million-point sampled cycle (independent code path)."""
    for stim in _stimuli(name):
        m = metrics(stim)
        cycle = stim.cycle_s
        n = 2_000_001
        if stim.timing.carrier_hz:
            n = max(n, int(cycle * stim.timing.carrier_hz * 200))
        if n > 30_000_000:
            continue  # the sweep cycles of IFC are checked through rms against the closed form
        mean, mean_abs, rms = _brute(stim, 0.0, cycle, n)
        # Tolerance: a rectangular edge falls between samples and is off by up to one sample;
        # over a cycle's many pulses the edges fall at every offset and their errors mostly
        # cancel, so 2e-3 holds even where a pulse gets few samples (NMES's 400 µs phases in
        # its 60 s cycle: 13; the bound is an observed one, not one derived per pulse).
        scale = max(m.peak, 1e-30)
        assert rms == pytest.approx(m.rms, rel=2e-3, abs=1e-6 * scale)
        assert mean_abs == pytest.approx(m.mean_abs, rel=2e-3, abs=1e-6 * scale)
        assert mean == pytest.approx(m.mean, abs=2e-3 * m.mean_abs + 1e-6 * scale)


# --- properties --------------------------------------------------------------------------------

widths = st.floats(1e-6, 1e-3)
gaps = st.floats(0.0, 2e-4)
ratios = st.floats(0.05, 1.0)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([PulseShape.SYMMETRIC_BIPHASIC, PulseShape.ASYMMETRIC_BIPHASIC]),
       widths, gaps, ratios)
def test_charge_balanced_shapes_carry_no_net_charge(shape, w, g, r):
    p = biphasic_pulse(shape, w, gap_s=g, ratio=r)
    q = p.phase_charges
    assert len(q) == 2
    assert abs(p.charge) <= 1e-12 * abs(q[0])


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(sorted(EX)), st.floats(0.01, 3.0))
def test_rms_never_exceeds_peak(name, factor):
    for stim in _stimuli(name):
        m = metrics(stim.with_scale(factor))
        assert m.rms <= m.peak * (1 + 1e-12)
        assert m.rms_max_1s <= m.peak * (1 + 1e-12)
        assert m.mean_abs <= m.rms * (1 + 1e-12)  # Cauchy–Schwarz
        assert m.rms <= m.rms_max_1s * (1 + 1e-9) or m.rms_max_1s == 0


@settings(max_examples=100, deadline=None)
@given(st.floats(-5, 5), st.floats(1.0, 5e4), st.floats(-3, 3), st.floats(1e-5, 1e-2),
       st.floats(-1e4, 0))
def test_segment_integrals_match_quadrature(amp, freq, phase, dur, decay):
    seg = Segment(0.0, dur, (complex(amp * math.cos(phase), amp), complex(0.3)),
                  (complex(decay, 2 * math.pi * freq), 0j))
    t = np.linspace(0.0, dur, 200_001)
    v = seg.value(t)
    from scipy.integrate import simpson

    scale = max(np.max(np.abs(v)), 1e-9)
    assert seg.integral() == pytest.approx(simpson(v, x=t), abs=1e-6 * scale * dur)
    assert seg.integral_sq() == pytest.approx(simpson(v * v, x=t), abs=1e-6 * scale**2 * dur)
    assert seg.abs_integral() == pytest.approx(simpson(np.abs(v), x=t), abs=1e-4 * scale * dur)


def test_clipping_is_exact_for_a_sine():
    p = Pulse((Segment.sine(1.0, 1000.0, 0.0, 1e-3),))
    c = p.clipped(0.5)
    assert c.peak == pytest.approx(0.5, rel=1e-9)  # crossing found to ~1e-15 s; slope ω
    # ∫ of min(|sin|, 1/2) over one period = 4·[(1 - cos(π/6))/ω + (1/2)(π/2 - π/6)/ω]
    w = 2 * math.pi * 1000
    expected = 4 * ((1 - math.cos(math.pi / 6)) / w + 0.5 * (math.pi / 2 - math.pi / 6) / w)
    assert c.charge_abs == pytest.approx(expected, rel=1e-9)


def test_integrals_survive_a_denormal_rate():
    """λ = -5e-324 + 2πi once lost the whole ∫f² of a sine (z·d underflowed to 0)."""
    seg = Segment(0.0, 1 / 128, (1 + 1j, 0.3 + 0j), (complex(-5e-324, 2 * math.pi), 0j))
    ref = Segment(0.0, 1 / 128, (1 + 1j, 0.3 + 0j), (complex(0.0, 2 * math.pi), 0j))
    assert seg.integral_sq() == pytest.approx(ref.integral_sq(), rel=1e-12)
    assert seg.integral() == pytest.approx(ref.integral(), rel=1e-12)


def test_a_level_just_below_a_peak_is_found_twice_per_period():
    """Crossings of a level 1e-6 below a sine's peak lie 1 µs apart, far inside one grid
    cell: the extremum refinement finds both (the compliance clip relied on it)."""
    import math

    from estim.waveforms.segments import Segment

    seg = Segment.sine(1.0, 1000.0, 0.0, 3e-3)
    level = 1.0 - 1e-6
    roots = seg.roots(level)
    assert len(roots) == 6
    half_width = math.acos(level) / (2 * math.pi * 1000.0)  # from the peak to each crossing
    peaks = np.array([0.25e-3, 1.25e-3, 2.25e-3])
    np.testing.assert_allclose(np.reshape(roots, (3, 2)),
                               np.column_stack([peaks - half_width, peaks + half_width]),
                               atol=1e-12)


def test_a_drawn_pulse_reaches_its_peak_and_a_short_one_is_drawn_alone() -> None:
    """HVPC's pulse panel spanned 12 ms, where its twin 20 µs peaks 75 µs apart were one
    spike each, drawn at 136 and 148 V of 150 (the grid missed each decay's start; probe of
    5 December 2026)."""
    from estim.program import load_program
    from estim.program.bundled import bundled_examples
    from estim.report.plots import _pulse_window
    from estim.waveforms.build import stimulus_for

    stim = stimulus_for(load_program(bundled_examples()["hvpc_wound"]).channels[0])
    t0, t1, _ = _pulse_window(stim)
    assert t1 - t0 < 0.5e-3  # the twin-peak pulse (95 µs), not 1.2 periods
    _, v = stim.sample_grid(t0, t1)
    peaks = v[np.r_[False, (v[1:-1] > v[:-2]) & (v[1:-1] >= v[2:]), False]]
    assert len(peaks) == 2 and peaks == pytest.approx([150.0, 150.0], rel=1e-9)
    # a pulse that is a visible share of its period keeps the window of its repeats
    tens = stimulus_for(load_program(bundled_examples()["tens_conventional"]).channels[0])
    t0, t1, _ = _pulse_window(tens)
    assert t1 - t0 > 1.0 / 80
    # the axis counts from the pulse's onset: NMES's first full pulse, 2 s into its ramp,
    # read 2000.0 to 2001.3 ms (phone probe of 6 December 2026)
    nmes = stimulus_for(load_program(bundled_examples()["nmes_quadriceps"]).channels[0])
    t0, t1, onset = _pulse_window(nmes)
    assert onset == pytest.approx(2.0, abs=0.05) and t0 < onset < t1
    assert nmes.sample(np.array([onset - 1e-6]))[0] == 0.0
    assert nmes.sample(np.array([onset + 1e-6]))[0] != 0.0


def test_the_beat_sweep_is_read_from_the_base_carrier_whichever_channel_comes_first() -> None:
    """The beat channel now carries its own 4,080-4,120 Hz; the figure took the base
    carrier from the first channel, so with the channels listed the other way round the
    beat sweep read 0.2-39.7 Hz instead of 80-120 (review of 5 December 2026)."""
    from estim.program.bundled import bundled_examples
    from estim.report.plots import plot_waveforms
    from estim.waveforms.build import stimulus_for

    program = load_program(bundled_examples()["ifc_true_knee"])
    for channels in (program.channels, program.channels[::-1]):
        stimuli = [stimulus_for(c) for c in channels]
        fig = plot_waveforms(stimuli, [c.name for c in channels], beat=True)
        sweep = next(ax for ax in fig.axes if ax.get_ylabel() == "beat frequency (Hz)")
        beats = sweep.lines[0].get_ydata()
        assert min(beats) == pytest.approx(80.0, abs=1.0)
        assert max(beats) == pytest.approx(120.0, abs=1.0)
    # a channel off makes no beat: no row of the sum (it drew a steady carrier as "the
    # beat"; hostile probe of 6 December 2026)
    from estim.program import parse_program

    text = bundled_examples()["ifc_true_knee"].read_text(encoding="utf-8")
    head, b = text.rsplit("[[channels]]", 1)
    off = parse_program(head + "[[channels]]" + b.replace('amplitude = "30 mA"',
                                                           'amplitude = "0 mA"'))
    fig = plot_waveforms([stimulus_for(c) for c in off.channels],
                         [c.name for c in off.channels], beat=True)
    assert not [ax for ax in fig.axes if ax.get_ylabel() == "beat frequency (Hz)"]


def _plotted(text: str, **kw: object) -> object:
    from estim.program import parse_program
    from estim.report.plots import plot_waveforms
    from estim.waveforms.build import stimulus_for

    program = parse_program(text)
    return plot_waveforms([stimulus_for(c) for c in program.channels],
                          [c.name for c in program.channels],
                          beat=program.true_interferential, **kw)


def _example_text(name: str) -> str:
    from estim.program.bundled import bundled_examples

    return bundled_examples()[name].read_text()


def test_only_true_interferential_gets_a_beat_row_in_its_own_unit() -> None:
    """Two carriers that are not a base and a beat (Russian current on two muscles) got a
    summed 'beat' and an empty sweep; a voltage-controlled pair was drawn ×1,000 as mA
    (probe of 5 December 2026)."""
    ifc = _example_text("ifc_true_knee")
    labels = [ax.get_ylabel() for ax in _plotted(ifc).axes]  # type: ignore[attr-defined]
    assert "A + B (mA)" in labels
    volts = (ifc.replace('control = "current"', 'control = "voltage"')
             .replace('max_current = "70 mA"', 'max_voltage = "100 V"')
             .replace('amplitude = "30 mA"', 'amplitude = "20 V"'))
    volts = "\n".join(line for line in volts.splitlines()
                       if not line.startswith("compliance_voltage"))
    fig = _plotted(volts)
    summed = next(ax for ax in fig.axes if ax.get_ylabel().startswith("A + B"))  # type: ignore[attr-defined]
    assert summed.get_ylabel() == "A + B (V)"
    assert max(abs(summed.lines[0].get_ydata())) == pytest.approx(40.0, rel=0.01)
    russian = _example_text("russian_quadriceps")
    block = russian[russian.index("[[channels]]"):]
    two = russian + "\n" + block.replace('name = "1"', 'name = "2"', 1)
    assert not any(ax.get_ylabel().startswith("A + B")
                   for ax in _plotted(two).axes)  # type: ignore[attr-defined]


def test_a_fast_long_pulse_train_is_drawn_with_both_polarities() -> None:
    """Microcurrent at 1 kHz, reversed every 2 s: 4,000 samples over 4 s fell on the
    positive phase only, a d.c. level then nothing (probe of 5 December 2026)."""
    fast = _example_text("microcurrent_face").replace('frequency = "0.5 Hz"',
                                                      'frequency = "1000 Hz"')
    train = _plotted(fast).axes[1]  # type: ignore[attr-defined]
    (band,) = train.collections
    ys = np.concatenate([path.vertices[:, 1] for path in band.get_paths()])
    assert ys.min() == pytest.approx(-0.3, rel=1e-6)  # mA
    assert ys.max() == pytest.approx(0.3, rel=1e-6)


def test_a_one_hertz_train_shows_its_pulse_and_a_day_reads_as_hours() -> None:
    slow = (_example_text("tens_conventional").replace('frequency = "80 Hz"',
                                                       'frequency = "1 Hz"')
            .replace('duration = "30 min"', 'duration = "24 h"'))
    axes = _plotted(slow).axes  # type: ignore[attr-defined]
    assert axes[1].get_xlim()[0] < 0  # the pulse at 0 is off the axis line
    assert axes[2].get_title() == "session: 24 h, at 25 mA"
    assert axes[2].get_xlabel() == "session time (h)"
    from estim.report.plots import _duration_text

    assert [_duration_text(x) for x in (1.0, 0.0125, 90.0, 1800.0, 86400.0)] == \
        ["1 s", "12.5 ms", "90 s", "30 min", "24 h"]


def test_every_short_phase_of_a_long_pulse_train_is_sampled() -> None:
    """DBS with passive recharge fills its period; sampled an eighth of the whole pulse
    apart, 60 of its 130 pulses a second were drawn below half their peak (review of 5
    December 2026). Sampled by the shortest phase, every pulse reaches its peak."""
    from estim.program.bundled import bundled_examples
    from estim.report.plots import _sampled_range
    from estim.waveforms.build import stimulus_for

    stim = stimulus_for(load_program(bundled_examples()["dbs_stn"]).channels[0])
    _, _, high = _sampled_range(stim, 1.0)
    at_peak = high >= 0.999 * stim.peak
    runs = int(np.count_nonzero(at_peak[1:] & ~at_peak[:-1])) + int(at_peak[0])
    assert runs == round(1.0 * stim.timing.frequency_hz)  # 130 pulses in the second


def test_a_carrier_and_a_dc_output_are_named_as_what_they_are() -> None:
    """Every first panel was a "pulse", true interferential's swept second carrier a
    "4.08 kHz carrier", and a d.c. session's level a "pulse peak" (probe of 5 December
    2026)."""
    ifc = _plotted(_example_text("ifc_true_knee")).axes  # type: ignore[attr-defined]
    assert ifc[0].get_title() == "carrier cycles"
    assert ifc[4].get_title() == "train: 4.08 kHz–4.12 kHz carrier"  # channel B, swept
    assert ifc[4].get_ylabel() == "carrier peak (mA)"
    dc = _plotted(_example_text("iontophoresis_dexamethasone")).axes  # type: ignore[attr-defined]
    assert dc[0].get_title() == "ramp up"  # a session of one d.c. event: its ramps
    assert dc[2].get_ylabel() == "output (mA)"


@pytest.mark.parametrize("short_us", [196.0, 199.0])
def test_a_partly_unbalanced_pulse_has_its_imbalance_and_dc_by_hand(short_us: float) -> None:
    """Closed form: +1 A for 200 µs, then -1 A for a shorter phase, at 100 Hz. The net charge
    is (200 - short) µC of a 200 µC phase; the mean current that net over the 10 ms period,
    the mean |I| the two phases' charge over it. Only fully monophasic pulses (100 %) were
    checked before, so a rule read at half its value passed every test (review of 6
    December 2026): 2 % and 0.5 % lie either side of the 1 % limits."""
    from estim.waveforms.build import regular_train

    pulse = Pulse((Segment.constant(1.0, 0.0, 200e-6),
                   Segment.constant(-1.0, 200e-6, short_us * 1e-6)))
    m = metrics(regular_train(pulse, 100.0))
    net, total = (200.0 - short_us) * 1e-6, (200.0 + short_us) * 1e-6  # [C]
    assert m.charge_imbalance == pytest.approx(net / 200e-6, rel=1e-9)
    assert m.max_net_charge_per_pulse == pytest.approx(net, rel=1e-9)
    assert m.mean == pytest.approx(net / 0.01, rel=1e-9)
    assert m.mean_abs == pytest.approx(total / 0.01, rel=1e-9)


def test_a_dc_session_draws_its_ramps_not_one_curve_three_times() -> None:
    """Iontophoresis's three panels drew its one ramp-plateau-ramp three times (phone
    probe of 6 December 2026): the ramp up, the ramp down (each with as much plateau
    again), then the session. The ramps reach the plateau where the program says."""
    from estim.program import load_program
    from estim.program.bundled import bundled_examples
    from estim.report.plots import plot_waveforms
    from estim.waveforms.build import stimulus_for

    program = load_program(bundled_examples()["iontophoresis_dexamethasone"])
    stim = stimulus_for(program.channels[0])
    fig = plot_waveforms([stim], ["1"])
    up, down, session = fig.get_axes()
    assert [a.get_title() for a in (up, down)] == ["ramp up", "ramp down"]
    assert session.get_title().startswith("session: ")
    x, y = up.get_lines()[0].get_data()
    ramp = program.channels[0].stimulation.ramp_up  # 30 s
    assert float(np.max(x)) == pytest.approx(2 * ramp, rel=1e-6)  # [s]
    reached = float(np.min(np.asarray(x)[np.asarray(y) >= 0.999 * float(np.max(y))]))
    assert reached == pytest.approx(ramp, rel=0.02)
    x, _ = down.get_lines()[0].get_data()
    assert float(np.min(x)) == pytest.approx(-2 * program.channels[0].stimulation.ramp_down,
                                            rel=1e-6)


def test_the_sensation_figure_marks_strong_tingling_and_where_the_device_stops() -> None:
    """The table lists strong tingling, the figure did not; and NMES's axis ran to 200 mA
    with no mark at its 100 mA maximum (phone probe of 6 December 2026). A window with
    known thresholds: each is a line at its value, the device's top one, greyed beyond."""
    from types import SimpleNamespace

    from estim.report.plots import plot_recruitment

    thresholds = {"abeta": np.geomspace(2e-3, 20e-3, 60), "motor": np.geomspace(25e-3, 0.2, 60)}

    def curve(amps: np.ndarray) -> dict[str, np.ndarray]:
        return {k: (t[None, :] <= amps[:, None]).mean(axis=1) for k, t in thresholds.items()}

    window = SimpleNamespace(
        classes={k: SimpleNamespace(thresholds_a=t) for k, t in thresholds.items()},
        curve=curve, sensory_a=3e-3, strong_a=6e-3, motor_a=30e-3, pain_a=0.12,
        amplitude_a=0.06, channel="1")
    fig = plot_recruitment(window, device=(0.1, "the device's 100 mA"))
    (ax,) = fig.get_axes()
    labels = {line.get_label(): float(line.get_xdata()[0]) for line in ax.get_lines()
              if not line.get_label().startswith("_")}
    assert labels["strong tingling: 6 mA"] == pytest.approx(6.0)
    assert labels["most the device drives here: 100 mA"] == pytest.approx(100.0)
    assert labels["programmed intensity: 60 mA"] == pytest.approx(60.0)
    # beyond the device's top the axis is greyed
    grey = [p for p in ax.patches if p.get_facecolor()[:3] == pytest.approx((0.5, 0.5, 0.5))]
    assert len(grey) == 1 and grey[0].get_x() == pytest.approx(100.0)
    # a dial in volts: a second axis in V through the load, and the setting in V too (HVPC's
    # figure was in mA alone)
    fig = plot_recruitment(window, dial_ohm=200.0)
    (ax,) = fig.get_axes()
    (volts,) = ax.child_axes
    assert volts.get_xlabel().startswith("dial setting (V; through the 200 Ω")
    assert any(line.get_label() == "programmed intensity: 60 mA (12 V)"
               for line in ax.get_lines())


def test_a_width_modulated_pulse_shows_its_narrowest_and_a_rate_its_range() -> None:
    """The pulse panel of modulated TENS showed the widest pulse alone and the train's title
    "100 Hz" for 50-100 Hz: the width modulation was nowhere in the figure (device
    engineer's probe of 7 December 2026). The narrowest pulse is drawn over it, 140 µs of
    the 200 µs (a 0.3 depth), and the title gives the range."""
    import numpy as np

    fig = _plotted(_example_text("tens_modulated"))
    pulse = fig.axes[0]  # type: ignore[attr-defined]
    (narrow,) = [ln for ln in pulse.lines if ln.get_label() == "narrowest"]
    t, v = narrow.get_xdata(), narrow.get_ydata()
    lead = t[v > 0.5 * v.max()]  # ms, the leading phase above half its height
    # 5 µs: the plot's sampling grid between the phase's edges (the width itself is held to
    # a 1 µs step)
    assert lead.max() - lead.min() == pytest.approx(0.140, abs=0.005)
    # 2 %: the pulses sample the modulation, so the narrowest is within a pulse's step of
    # the lowest amplitude (19.65 mA for 19.6)
    assert v.max() == pytest.approx(28.0 * (1 - 0.3), rel=0.02)
    assert fig.axes[1].get_title() == "train: 50–100 Hz"  # type: ignore[attr-defined]
    plain = _plotted(_example_text("tens_conventional"))
    assert not [ln for ln in plain.axes[0].lines  # type: ignore[attr-defined]
                if ln.get_label() == "narrowest"]
    assert plain.axes[1].get_title() == "train: 80 Hz"  # type: ignore[attr-defined]
    assert np.isfinite(t).all()


def test_a_width_modulated_train_draws_each_pulses_duration() -> None:
    """A train modulated in width alone drew flat peaks in its train panel: nothing there
    showed the modulation (left alone on 7 December 2026). Each pulse's duration is drawn
    on the panel's own right axis, down to 0.7 × at a 0.3 depth."""
    text = _example_text("tens_modulated")
    for name in ("amplitude_modulation", "rate_modulation"):
        text = re.sub(rf"{name} = .*", f"{name} = 0", text)
    fig = _plotted(text)
    (twin,) = [ax for ax in fig.axes  # type: ignore[attr-defined]
               if ax.get_ylabel() == "pulse duration (µs)"]
    (line,) = twin.get_lines()
    durations = line.get_ydata()
    # 2 %: the pulses sample the modulation (100 a second over 1 s), so the narrowest is
    # within a pulse's step of the depth; the widest is the 2 × 200 µs pulse itself
    assert durations.max() == pytest.approx(400.0, rel=1e-6)
    assert durations.min() / durations.max() == pytest.approx(0.7, rel=0.02)
    plain = _plotted(_example_text("tens_conventional"))
    assert not [ax for ax in plain.axes  # type: ignore[attr-defined]
                if ax.get_ylabel() == "pulse duration (µs)"]
