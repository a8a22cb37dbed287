"""True interferential current at the nerve: both channels' carriers, each through its own
field, superposed in the fiber simulation (issue 8)."""

from __future__ import annotations

import numpy as np
import pytest

from estim.effects.drive import SourcePulses, unit_pulse
from estim.fibers import find_thresholds, make_fiber, point_source_potential
from estim.program.bundled import resolve_program
from estim.waveforms import stimuli_for


@pytest.fixture(scope="module")
def carriers() -> SourcePulses:
    a, b = stimuli_for(resolve_program("ifc_true_knee")[0])
    return SourcePulses((unit_pulse(a).pulse, unit_pulse(b).pulse), (1.0, 0.5))


def test_the_sources_beat(carriers: SourcePulses) -> None:
    t = np.arange(0, 10e-3, 1e-6)
    rows = carriers.sample(t)
    assert rows.shape == (2, t.size)
    # each channel at its own peak (1 and the relative 0.5) ...
    assert np.max(np.abs(rows[0])) == pytest.approx(1.0, rel=1e-3)
    assert np.max(np.abs(rows[1])) == pytest.approx(0.5, rel=1e-3)
    # ... and where both fields are equal their sum beats between 1 + 0.5 and 1 - 0.5 at the
    # difference frequency: the envelope is smallest half a beat after the start
    beat_hz = (carriers.pulses[1].segments[0].rates[0].imag
               - carriers.pulses[0].segments[0].rates[0].imag) / (2 * np.pi)
    assert 80.0 <= beat_hz <= 120.0
    total = rows.sum(axis=0)
    half = 0.5 / beat_hz
    first = total[t < 0.3e-3]
    second = total[np.abs(t - half) < 0.15e-3]  # a bit more than one 4 kHz cycle
    assert np.max(np.abs(first)) == pytest.approx(1.5, rel=2e-3)
    # the envelope moves by < 0.5 % of its depth within ±0.15 ms of its minimum
    assert np.max(np.abs(second)) == pytest.approx(0.5, rel=0.01)


def test_coincident_sources_are_one_source_with_the_summed_current(carriers) -> None:
    """Superposition is exact: two sources with the same field are one source driven by the
    sum of the currents."""
    fiber = make_fiber("mrg", 10e-6, n_nodes=21)
    phi = point_source_potential(fiber.points(), (0.0, 1e-3, 0.0), 0.2)
    both = find_thresholds(fiber, [np.stack([phi, phi])], carriers, precision=0.01)
    summed = find_thresholds(fiber, [phi], lambda t: carriers.sample(t).sum(axis=0),
                             precision=0.01)
    assert np.isfinite(summed.threshold_a[0])
    assert both.threshold_a[0] == pytest.approx(summed.threshold_a[0], rel=1e-9)


def test_a_source_with_no_field_there_changes_nothing(carriers) -> None:
    fiber = make_fiber("mrg", 10e-6, n_nodes=21)
    phi = point_source_potential(fiber.points(), (0.0, 1e-3, 0.0), 0.2)
    alone = find_thresholds(fiber, [phi], lambda t: carriers.sample(t)[0], precision=0.01)
    both = find_thresholds(fiber, [np.stack([phi, 0 * phi])], carriers, precision=0.01)
    assert both.threshold_a[0] == pytest.approx(alone.threshold_a[0], rel=1e-9)
