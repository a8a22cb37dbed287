"""The fiber API's own checks: a value of the wrong kind is an InputError naming it, never
a TypeError from float(), a NaN threshold from no rounds, or a ZeroDivisionError (probe of 5
December 2026)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from estim.errors import InputError
from estim.fibers import (
    RectangularPulse,
    SolverOptions,
    find_thresholds,
    make_fiber,
    point_source_potential,
)


@pytest.mark.parametrize(("model", "diameter", "kwargs", "field"), [
    ("mrg", "10 um", {}, "diameter"),
    ("mrg", None, {}, "diameter"),
    ("mrg", 10e-6, {"n_nodes": 2.5}, "n_nodes"),
    ("mrg", 10e-6, {"n_nodes": 10**6}, "n_nodes"),
    ("sundt", 1e-6, {"length_m": math.nan}, "length"),
    ("hh", 1e-6, {"section_length_m": -1e-6}, "section_length"),
])
def test_make_fiber_names_a_value_of_the_wrong_kind(model, diameter, kwargs, field) -> None:
    with pytest.raises(InputError) as err:
        make_fiber(model, diameter, **kwargs)
    assert err.value.field == field


def test_numpy_numbers_are_numbers() -> None:
    f = make_fiber("mrg", np.float64(10e-6), n_nodes=np.int64(21))
    assert f.n_nodes == 21


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"max_rounds": 0}, "max_rounds"),
    ({"precision": "0.01"}, "precision"),
])
def test_find_thresholds_refuses_what_would_not_run(kwargs, field) -> None:
    f = make_fiber("mrg", 10e-6, n_nodes=21)

    def pot(x):
        return point_source_potential(x, [0.0, 1e-3, 0.0], 0.2)

    with pytest.raises(InputError) as err:
        find_thresholds(f, pot, RectangularPulse(100e-6), **kwargs)
    assert err.value.field == field


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"dt_s": 0.0}, "dt_s"), ({"dt_s": math.nan}, "dt_s"), ({"dt_s": 1e-3}, "dt_s"),
    ({"tstop_s": -1.0}, "tstop_s"), ({"detect_fraction": 2.0}, "detect_fraction"),
])
def test_solver_options_are_checked(kwargs, field) -> None:
    with pytest.raises(InputError) as err:
        SolverOptions(**kwargs)
    assert err.value.field == field
