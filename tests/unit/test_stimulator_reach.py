"""The dial past what the device drives, on a stub of a prepared program (no fields or
fibers): which channel's hold binds the dial, and what it says."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from estim.effects.program import DeviceReach
from estim.program import parse_program
from estim.program.bundled import bundled_examples
from estim.stimulator.engine import DialModel


def _model(name: str, reaches: tuple[DeviceReach, ...]) -> DialModel:
    program = parse_program(bundled_examples()[name].read_text(encoding="utf-8"))
    effects = SimpleNamespace(reach=reaches[0] if reaches else None, reaches=reaches)
    result = SimpleNamespace(effects=effects)
    return DialModel(program=program, setup=None, result=result,  # type: ignore[arg-type]
                     thresholds={}, max_amplitude_a=program.device.max_amplitude, unit="A",
                     current_per_unit=1.0)


def test_true_interferentials_dial_binds_on_its_first_carrier_and_names_the_second() -> None:
    """The dial held both carriers where channel B reached its compliance: 2.62 mA for a
    programmed 10 mA, and "no sensation" where the run read a light tingling (review of
    5 December 2026). It binds on channel A's hold and says channel B is held as the run
    held it at the programmed setting."""
    a = DeviceReach("A", 0.00787, 0.010, "compliance", 3.0, 381.0)
    b = DeviceReach("B", 0.00787, 0.030, "compliance", 3.0, 381.0)
    model = _model("ifc_true_knee", (a, b))
    assert model.driven_top_a == pytest.approx(0.00787, rel=1e-12)
    drive, why = model._driven(0.02)
    assert drive == pytest.approx(0.00787, rel=1e-12)
    assert why[0].startswith("the device drives at most 7.87 mA")
    second = model._second_held()
    assert len(second) == 1 and second[0].startswith("channel B's device drives at most")
    # channel B within its device's reach: nothing said of it
    free = _model("ifc_true_knee", (a, DeviceReach("B", 0.05, 0.03, "compliance", 3.0, 60.0)))
    assert free._second_held() == ()
    # below the hold, the setting itself
    assert model._driven(0.005) == (0.005, ())


def test_a_program_that_is_not_interferential_says_nothing_of_a_second_carrier() -> None:
    a = DeviceReach("1", 0.00924, 0.025, "compliance", 3.0, 325.0)
    b = DeviceReach("2", 0.00924, 0.025, "compliance", 3.0, 325.0)
    model = _model("tens_conventional", (a, b))
    assert model._second_held() == ()
