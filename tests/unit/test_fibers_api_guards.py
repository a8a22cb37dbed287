"""What the fibers API refuses from a Python caller (a researcher's probe of 7 December 2026:
a width of 100, meant as µs, ran as a 100 s pulse, a pulse longer than tstop was cut
without a word, a 0 width made LAPACK print and a negative one a negative chronaxie)."""

from __future__ import annotations

import numpy as np
import pytest

from estim import fibers as fb
from estim.errors import InputError


@pytest.mark.parametrize("width", [100, 0.0, -1e-4, float("nan"), "100 us", True])
def test_a_rectangular_pulse_is_a_width_in_seconds(width: object) -> None:
    with pytest.raises(InputError, match=r"pulse_width_s: got .*expected a pulse width in s "
                                         r"above 0 and at most 10 s, e.g. 100e-6"):
        fb.RectangularPulse(width)  # type: ignore[arg-type]


def test_a_pulse_past_tstop_is_refused_not_cut() -> None:
    fiber = fb.make_fiber("mrg", 10e-6)
    pot = fb.point_source_potential(fiber.points(), (0.0, 1e-3, 0.0), 0.2)
    with pytest.raises(InputError, match=r"tstop_s: got 0\.001, expected at least the "
                                         r"pulse's end, 0\.002 s"):
        fb.find_thresholds(fiber, pot, fb.RectangularPulse(2e-3),
                           options=fb.SolverOptions(tstop_s=1e-3))


@pytest.mark.parametrize(("widths", "thresholds"), [
    ([0.0, 1e-4, 2e-4], [3e-4, 2e-4, 1.5e-4]),
    ([-1e-4, 1e-4, 2e-4], [3e-4, 2e-4, 1.5e-4]),
    ([1e-4, 1e-4], [2e-4, 2e-4]),  # one width twice: no slope to fit
    ([1e-4, 2e-4], [2e-4]),
])
def test_the_weiss_fit_needs_positive_widths_and_two_of_them(widths: list[float],
                                                             thresholds: list[float]) -> None:
    with pytest.raises(InputError):
        fb.fit_strength_duration(np.array(widths), np.array(thresholds))


def test_the_weiss_fit_recovers_its_own_curve() -> None:
    """I = b (1 + c/d) exactly: the fit gives b and c back (to rounding)."""
    d = np.array([50e-6, 100e-6, 200e-6, 500e-6, 1e-3])
    b, c = 1e-4, 150e-6
    got_b, got_c = fb.fit_strength_duration(d, b * (1 + c / d))
    assert got_b == pytest.approx(b, rel=1e-9)
    assert got_c == pytest.approx(c, rel=1e-9)
