"""The sensory MRG axon: its nodal persistent Na activation is shifted toward rest, which
lowers its rheobase and lengthens its strength-duration time constant, as in people."""

from __future__ import annotations

import math

import numpy as np
import pytest

from estim.errors import InputError
from estim.fibers import RectangularPulse, find_thresholds, make_fiber


def _threshold(fiber, width_s: float) -> float:
    x = np.asarray(fiber.positions_m)
    phi = 1.0 / (4 * math.pi * 0.3 * np.hypot(x, 2e-3))
    return float(find_thresholds(fiber, [phi], RectangularPulse(width_s),
                                 precision=0.005).threshold_a[0])


def test_sensory_axon_has_the_lower_rheobase_and_the_longer_time_constant():
    motor, sensory = make_fiber("mrg", 10e-6), make_fiber("mrg", 10e-6, sensory=True)
    assert motor.nap_shift_mv == 0.0 and sensory.nap_shift_mv > 0
    assert motor.topology_key() != sensory.topology_key()  # never batched together
    short = _threshold(sensory, 50e-6) / _threshold(motor, 50e-6)
    long = _threshold(sensory, 1e-3) / _threshold(motor, 1e-3)
    # lower thresholds, by more at long pulses (lower rheobase, longer τSD)
    assert long < short < 1.0


def test_sensory_variant_only_for_mrg():
    with pytest.raises(InputError, match="sensory"):
        make_fiber("sweeney", 10e-6, sensory=True)
    with pytest.raises(InputError, match="nap_shift_mv"):
        make_fiber("mrg", 10e-6, nap_shift_mv=float("nan"))


def test_cli_sensory_flag(capsys):
    from estim.cli.main import main

    assert main(["fibers", "--sensory", "--pulse-width", "0.2ms", "--json"]) == 0
    import json

    assert json.loads(capsys.readouterr().out)["axon"] == "sensory"
    assert main(["fibers", "--sensory", "--model", "sweeney"]) == 2
    assert "MRG" in capsys.readouterr().err
