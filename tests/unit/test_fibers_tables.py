"""Fiber parameter tables: units and sources, MRG geometry table and interpolation."""

from __future__ import annotations

import numpy as np
import pytest

from estim.fibers import tables
from estim.fibers.tables import MRG_GEOMETRY, Param, mrg_geometry


@pytest.mark.parametrize("table", [tables.MRG, tables.SWEENEY, tables.SUNDT, tables.HH,
                                   tables.FREE_ENDING])
def test_every_entry_has_unit_and_source(table: dict[str, Param]) -> None:
    for name, p in table.items():
        assert isinstance(p, Param), name
        assert p.unit and p.source, name
        assert np.isfinite(p.value), name


def test_table_rows_are_used_exactly() -> None:
    g = mrg_geometry(10.0)
    assert (g.axon_diameter, g.node_diameter, g.node_spacing, g.flut_length, g.lamellae) == (
        6.9, 3.3, 1150.0, 46.0, 120.0)


def test_interpolation_is_continuous_and_close_to_the_table() -> None:
    # The quadratic fits pass within ~13 % of every published row (Pelot2021), and a
    # diameter a hair off a row gives geometry within that of the row.
    for row in MRG_GEOMETRY:
        near = mrg_geometry(row.fiber_diameter + 1e-6)
        for attr in ("axon_diameter", "node_diameter", "node_spacing", "flut_length",
                     "lamellae"):
            assert getattr(near, attr) == pytest.approx(getattr(row, attr), rel=0.15), attr
    d = np.linspace(2.0, 16.0, 141)
    spacing = np.array([mrg_geometry(x + 1e-7).node_spacing for x in d])
    assert np.all(np.diff(spacing) > 0)
    # the two branches of the node-spacing fit meet at 5.643 µm
    assert mrg_geometry(5.643 - 1e-9).node_spacing == pytest.approx(
        mrg_geometry(5.643 + 1e-9).node_spacing, rel=2e-3)
