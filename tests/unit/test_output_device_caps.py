"""The skin-load rows of the output table never show more than the device can deliver, and
stay right at very low rates (issue 10). Hand-computed values throughout."""

from __future__ import annotations

import math

import numpy as np
import pytest

from estim.program import Control, Device, PulseShape
from estim.safety import SkinElectrodeLoad, deliver
from estim.waveforms import Stimulus, Timing, biphasic_pulse


def _train(amplitude: float, width_s: float, frequency_hz: float, *,
           control: Control = Control.CURRENT) -> Stimulus:
    pulse = biphasic_pulse(PulseShape.SYMMETRIC_BIPHASIC, width_s)
    timing = Timing(shape=pulse.label, pulse_width_s=width_s, frequency_hz=frequency_hz,
                    band_frequencies_hz=(frequency_hz,))
    return Stimulus((pulse,), np.zeros(1), np.zeros(1, dtype=np.intp), np.array([amplitude]),
                    1.0 / frequency_hz, 2, control, timing)


# Two 5 x 5 cm pads (estim.skin: 20 kΩ·cm², 0.05 µF/cm²): Rs = 300 Ω,
# Rp = 2 · 2 Ω·m² / 25e-4 m² = 1600 Ω, C = 2 Ω·m² · 5e-4 F/m² / 1600 Ω = 625 nF,
# τ = Rp·C = 1 ms.
LOAD = SkinElectrodeLoad.for_electrodes(25e-4, 25e-4)


def _biphasic_peak_v(i: float, w: float) -> float:
    """|V| at the end of the first phase of a symmetric biphasic current pulse into an
    uncharged Rs + Rp‖C: I·(Rs + Rp·(1 - e^{-w/τ})); the second phase ends lower."""
    tau = LOAD.parallel_ohm * LOAD.cpe_q
    return i * (LOAD.series_ohm + LOAD.parallel_ohm * (1 - math.exp(-w / tau)))


def test_load_parameters_by_hand() -> None:
    assert LOAD.series_ohm == pytest.approx(300.0)
    assert LOAD.parallel_ohm == pytest.approx(1600.0)
    assert LOAD.time_constant_s == pytest.approx(1e-3)
    # 25 mA, 200 us: 25 mA · (300 + 1600 · (1 - e^-0.2)) = 14.751 V
    assert _biphasic_peak_v(0.025, 200e-6) == pytest.approx(14.751, abs=1e-3)


@pytest.mark.parametrize("frequency", [1e-3, 0.01, 1.0, 80.0])
def test_skin_peak_is_right_at_any_rate(frequency: float) -> None:
    """At 1e-3 Hz the FFT sample cap once turned the row into nonsense; an ideal interface
    forgets a pulse after a few τ, so the peak is the isolated pulse's at any low rate.
    2 %: the peak is read at a sample centre, w/40 = 5 us from the phase end, where the
    voltage rises at about 33 V/ms (0.17 V of 14.8 V)."""
    device = Device(control=Control.CURRENT, max_current="100 mA", compliance_voltage="100 V")
    d = deliver(_train(0.025, 200e-6, frequency), LOAD, device)
    expected = _biphasic_peak_v(0.025, 200e-6)  # at 80 Hz (14 τ) the interface is empty too
    assert d.peak_voltage_v == pytest.approx(expected, rel=0.02)
    assert d.peak_current_a == pytest.approx(0.025, rel=1e-9)
    assert not d.limited


def test_current_device_never_shows_more_than_its_compliance() -> None:
    # 100 mA into 1 x 1 cm pads: Rp = 2 · 2 / 1e-4 = 40 kΩ; the unlimited peak would be
    # hundreds of volts. A 100 V compliance device can show at most 100 V.
    small = SkinElectrodeLoad.for_electrodes(1e-4, 1e-4)
    device = Device(control=Control.CURRENT, max_current="100 mA", compliance_voltage="100 V")
    d = deliver(_train(0.100, 200e-6, 80.0), small, device)
    assert d.limited
    assert d.peak_voltage_v == 100.0
    assert d.peak_current_a <= 0.100
    assert "compliance" in d.note


def test_voltage_device_never_shows_more_than_its_current_limit() -> None:
    # 100 V across Rs = 300 Ω at the pulse edge (the interface still empty): 333 mA
    # unlimited; the device limits the current to 60 mA.
    device = Device(control=Control.VOLTAGE, max_voltage="100 V", current_limit="60 mA")
    d = deliver(_train(100.0, 200e-6, 80.0, control=Control.VOLTAGE), LOAD, device)
    assert d.limited
    assert d.peak_current_a == 0.060
    assert d.peak_voltage_v <= 100.0
    # Unlimited: the interface charges through Rs‖Rp (τ = 252.6 Ω · 625 nF = 157.9 us) to
    # 100 V · 1600/1900 · (1 - e^-1.267) = 60.48 V; at the polarity switch the current is
    # (100 + 60.48) V / 300 Ω = 534.9 mA. 5 %: the output is cell-averaged over 10 us
    # at an edge where it falls by about a fifth per 50 us.
    free = Device(control=Control.VOLTAGE, max_voltage="100 V")
    unlimited = deliver(_train(100.0, 200e-6, 80.0, control=Control.VOLTAGE), LOAD, free)
    tau = 300.0 * 1600.0 / 1900.0 * 625e-9
    vc = 100.0 * 1600 / 1900 * (1 - math.exp(-200e-6 / tau))
    assert unlimited.peak_current_a == pytest.approx((100.0 + vc) / 300.0, rel=0.05)
    assert not unlimited.limited


def _many(pulse, scales: np.ndarray) -> Stimulus:
    n = scales.size
    timing = Timing(shape=pulse.label, frequency_hz=100.0, band_frequencies_hz=(100.0,))
    return Stimulus((pulse,), np.arange(n) * 0.01, np.zeros(n, dtype=np.intp), scales,
                    0.01 * n, 1, Control.CURRENT, timing)


def test_a_modulated_rectangular_train_clips_by_rescaling_exactly():
    """A continuously modulated amplitude gives every pulse its own scale; clipping a
    rectangular pulse is a rescale, so no template is made per pulse (the probe's 2-million
    pulse program at a 30 V compliance ran past a minute) and the result is exact."""
    from estim.safety.loads import clip_events

    width = 200e-6
    scales = np.linspace(0.02, 0.05, 5000)  # A
    stim, limited = clip_events(_many(biphasic_pulse(PulseShape.SYMMETRIC_BIPHASIC, width),
                                      scales), 0.03)
    assert limited and len(stim.pulses) == 1
    np.testing.assert_allclose(stim.event_peak, np.minimum(scales, 0.03), rtol=1e-12)
    # charge² of a symmetric biphasic pulse: 2 phases x I² x width
    np.testing.assert_allclose(stim.event_charge_sq, 2 * np.minimum(scales, 0.03) ** 2 * width,
                               rtol=1e-12)


def test_many_clipped_sines_are_rounded_up_never_down():
    """Past 256 distinct (template, scale) pairs, clipped scales are rounded up to a 0.1 %
    grid: the clipped parts stay exactly at the limit and the rest comes out at most 0.1 %
    high, never low; the number of templates is bounded by the grid."""
    from estim.safety.loads import clip_events
    from estim.waveforms.segments import Pulse, Segment

    sine = Pulse((Segment.sine(1.0, 1000.0, 0.0, 2e-3),), "sine")
    scales = np.linspace(0.02, 0.05, 3000)
    limit = 0.03
    stim, limited = clip_events(_many(sine, scales), limit)
    assert limited
    grid_steps = math.log(0.05 / 0.03) / math.log(1.001) + 2
    assert len(stim.pulses) - 1 <= grid_steps
    exact = np.minimum(scales, limit)
    np.testing.assert_allclose(stim.event_peak, exact, rtol=1e-9)  # the limit, or unclipped
    for k in (0, 1500, 2100, 2999):  # each event against its own exact clipping
        want = sine.clipped(limit / scales[k]).charge_sq * scales[k] ** 2 if scales[k] > limit \
            else sine.charge_sq * scales[k] ** 2
        got = stim.event_charge_sq[k]
        assert want * (1 - 1e-9) <= got <= want * 1.002 ** 2


def test_clipping_that_would_explode_falls_back_to_a_bound_never_optimistic():
    """A long carrier clipped at hundreds of distinct pieces would take minutes and
    gigabytes. clip_events says so; the delivered output then shows the device's limit as its
    peak and judges r.m.s., charge and energy on the unclipped output, an upper bound
    (clipping only lowers |I| at every instant), with a note saying so."""
    from estim.safety import ResistiveLoad
    from estim.safety.loads import ClippingTooCostly, clip_events
    from estim.waveforms.segments import Pulse, Segment

    pulses = tuple(Pulse((Segment.sine(1.0, 4000.0 + k, 0.0, 0.1),), f"c{k}") for k in range(400))
    n = len(pulses)
    timing = Timing(shape="carrier", frequency_hz=4000.0, band_frequencies_hz=(4000.0,))
    stim = Stimulus(pulses, np.arange(n) * 0.1, np.arange(n, dtype=np.intp), np.full(n, 0.05),
                    0.1 * n, 1, Control.CURRENT, timing)
    with pytest.raises(ClippingTooCostly, match="pieces"):
        clip_events(stim, 0.03)
    device = Device(control="current", max_current="100 mA", compliance_voltage="15 V")
    out = deliver(stim, ResistiveLoad(500.0), device)
    assert out.limited and "upper bound" in out.note
    assert out.peak_current_a == pytest.approx(0.03)  # 15 V / 500 Ω, the device's limit
    assert out.peak_voltage_v == pytest.approx(15.0)
    assert out.current is not None
    # the r.m.s. it is judged on is the unclipped one (≥ any clipped output's)
    assert out.current.event_charge_sq.max() == pytest.approx(stim.event_charge_sq.max())
