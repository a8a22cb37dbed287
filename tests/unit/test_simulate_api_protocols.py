"""The fiber stage takes any field and waveform that meet its Protocols (issue 9)."""

from __future__ import annotations

import numpy as np
import pytest

from estim.fibers import RectangularPulse, find_thresholds, make_fiber, point_source_potential
from estim.fibers.protocols import PotentialField, SampledWaveform, UnitWaveform

SOURCE = np.array([0.0, 1e-3, 0.0])


class _PointSource:
    """φ of a point source 1 mm from the fiber (an object, not a function)."""

    def potential(self, points: np.ndarray) -> np.ndarray:
        return point_source_potential(points, SOURCE, 0.2)


class _Pulse:
    """A waveform of one's own: 100 µs cathodic, with a width and a cache key."""

    width_s = 1e-4

    def sample(self, t: np.ndarray) -> np.ndarray:
        return RectangularPulse(self.width_s).sample(t)

    def cache_key(self) -> tuple[float, ...]:
        return (self.width_s,)


def test_a_field_object_and_a_function_give_the_same_threshold() -> None:
    assert isinstance(_PointSource(), PotentialField)
    assert isinstance(_Pulse(), UnitWaveform) and isinstance(_Pulse(), SampledWaveform)
    fiber = make_fiber("mrg", 10e-6, n_nodes=21)
    by_object = find_thresholds(fiber, _PointSource(), _Pulse(), precision=0.01)
    by_function = find_thresholds(fiber, _PointSource().potential, RectangularPulse(1e-4),
                                  precision=0.01)
    assert by_object.threshold_a[0] == pytest.approx(by_function.threshold_a[0], rel=1e-12)
