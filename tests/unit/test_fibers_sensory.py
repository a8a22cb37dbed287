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


def test_an_unmyelinated_axons_answer_names_compartments_and_three_figures(capsys) -> None:
    """A C fiber's answer read "initiation node(s) 600" and "477.5 µA" at a 1 % search, and
    its plot's chronaxie "1.83e+04 µs" on an axis to 50,000 µA (researcher's probe of 6
    December 2026)."""
    import numpy as np

    from estim.report.fiber_plots import point_strength_duration_png
    from estim.report.fiber_text import print_point_threshold

    print_point_threshold({"model": "sundt", "diameter_m": 1e-6, "distance_m": 1e-3,
                           "pulse_width_s": 5e-4, "polarity": "cathodic", "sigma_S_per_m": 0.2,
                           "threshold_A": 4.775e-4, "precision": 0.01,
                           "initiation_nodes": [600], "evidence": "cable model", "files": []})
    text = capsys.readouterr().out
    assert "initiation compartment(s)  600" in text and "initiation node" not in text
    assert "threshold  478 µA" in text

    class SD:  # a C fiber's strength-duration, as estim.fibers.strength_duration gives
        pulse_widths_s = np.array([1e-4, 1e-3, 1e-2])
        thresholds_a = np.array([0.05, 0.006, 0.0013])
        rheobase_a, chronaxie_s = 1.1e-3, 18.28e-3

        def predict(self, d: np.ndarray) -> np.ndarray:
            return self.rheobase_a * (1 + self.chronaxie_s / d)

    import matplotlib.figure

    shown: dict[str, str] = {}
    real = matplotlib.figure.Figure.savefig

    def keep(fig: matplotlib.figure.Figure, *args: object, **kwargs: object) -> None:
        ax = fig.get_axes()[0]
        shown["y"] = ax.get_ylabel()
        shown["legend"] = " ".join(t.get_text() for t in ax.get_legend().get_texts())
        real(fig, *args, **kwargs)

    import pytest

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(matplotlib.figure.Figure, "savefig", keep)
        point_strength_duration_png(SD(), title="C fiber")
    assert shown["y"] == "threshold (mA)"
    assert "rheobase 1.1 mA, chronaxie 18.28 ms" in shown["legend"]
