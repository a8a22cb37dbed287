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


# Two 5 x 5 cm pads: Rs = 300 Ω, Rp = 2 · 3 Ω·m² / 25e-4 m² = 2400 Ω,
# C = 3 Ω·m² · 3e-4 F/m² / 2400 Ω = 375 nF, τ = Rp·C = 0.9 ms.
LOAD = SkinElectrodeLoad.for_electrodes(25e-4, 25e-4)


def _biphasic_peak_v(i: float, w: float) -> float:
    """|V| at the end of the first phase of a symmetric biphasic current pulse into an
    uncharged Rs + Rp‖C: I·(Rs + Rp·(1 - e^{-w/τ})); the second phase ends lower."""
    tau = LOAD.parallel_ohm * LOAD.cpe_q
    return i * (LOAD.series_ohm + LOAD.parallel_ohm * (1 - math.exp(-w / tau)))


def test_load_parameters_by_hand() -> None:
    assert LOAD.series_ohm == pytest.approx(300.0)
    assert LOAD.parallel_ohm == pytest.approx(2400.0)
    assert LOAD.time_constant_s == pytest.approx(0.9e-3)
    # 25 mA, 200 us: 25 mA · (300 + 2400 · (1 - e^-0.2222)) = 19.456 V
    assert _biphasic_peak_v(0.025, 200e-6) == pytest.approx(19.456, abs=1e-3)


@pytest.mark.parametrize("frequency", [1e-3, 0.01, 1.0, 80.0])
def test_skin_peak_is_right_at_any_rate(frequency: float) -> None:
    """At 1e-3 Hz the FFT sample cap once turned the row into nonsense; an ideal interface
    forgets a pulse after a few τ, so the peak is the isolated pulse's at any low rate.
    2 %: the peak is read at a sample centre, w/40 = 5 us from the phase end, where the
    voltage rises at about 50 V/ms (0.25 V of 19.5 V)."""
    device = Device(control=Control.CURRENT, max_current="100 mA", compliance_voltage="100 V")
    d = deliver(_train(0.025, 200e-6, frequency), LOAD, device)
    expected = _biphasic_peak_v(0.025, 200e-6)  # at 80 Hz (14 τ) the interface is empty too
    assert d.peak_voltage_v == pytest.approx(expected, rel=0.02)
    assert d.peak_current_a == pytest.approx(0.025, rel=1e-9)
    assert not d.limited


def test_current_device_never_shows_more_than_its_compliance() -> None:
    # 100 mA into 1 x 1 cm pads: Rp = 2 · 3 / 1e-4 = 60 kΩ; the unlimited peak would be
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
    # Unlimited: the interface charges through Rs‖Rp (τ = 266.7 Ω · 375 nF = 100 us) to
    # 100 V · 2400/2700 · (1 - e^-2) = 76.86 V; at the polarity switch the current is
    # (100 + 76.86) V / 300 Ω = 589.5 mA. 5 %: the output is cell-averaged over 10 us
    # (τ/10) at an edge where it falls by about a quarter per 50 us.
    free = Device(control=Control.VOLTAGE, max_voltage="100 V")
    unlimited = deliver(_train(100.0, 200e-6, 80.0, control=Control.VOLTAGE), LOAD, free)
    vc = 100.0 * 2400 / 2700 * (1 - math.exp(-2.0))
    assert unlimited.peak_current_a == pytest.approx((100.0 + vc) / 300.0, rel=0.05)
    assert not unlimited.limited
