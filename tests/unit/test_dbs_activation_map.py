"""The activation map's geometry against closed forms: a power-law threshold gives its exact
radius, a z-independent map a cylinder's volume, and |E| ~ 1/r² the shortcut's radius."""

from __future__ import annotations

import doctest
import math

import numpy as np
import pytest

import estim.effects.dbs as dbs_module
from estim.effects.dbs import ActivationMap

R_LEAD = 0.635e-3


def _power_law_map(k: float = 300.0, rows: int = 11) -> ActivationMap:
    """Thresholds I = k r² (A, r in m) on every row, |E| = 1 / r² V/m per A."""
    r = np.geomspace(1.2e-3, 8e-3, 7)
    z = np.linspace(0.0, 10e-3, rows)
    thr = np.tile(k * r**2, (rows, 1))
    fr = np.linspace(R_LEAD + 5e-5, 8e-3, 400)
    fz = z.copy()
    fe = np.tile(1.0 / fr**2, (fz.size, 1))
    return ActivationMap(r, z, thr, R_LEAD, fr, fz, fe)


def test_docstring_examples_run() -> None:
    assert doctest.testmod(dbs_module).failed == 0


@pytest.mark.parametrize("amplitude_a", [1e-3, 3e-3, 7e-3])
def test_power_law_threshold_gives_its_exact_radius(amplitude_a: float) -> None:
    m = _power_law_map()
    expected = math.sqrt(amplitude_a / 300.0)
    assert m.radius_at(amplitude_a, 5e-3) == pytest.approx(expected, rel=1e-9)
    # between rows, the log-interpolated threshold is the same law
    assert m.radius_at(amplitude_a, 5.5e-3) == pytest.approx(expected, rel=1e-9)


def test_below_the_innermost_axon_the_slope_extends_to_the_lead() -> None:
    m = _power_law_map()
    i = 300.0 * (1.0e-3) ** 2  # the law's threshold at 1 mm, inside the innermost axon
    assert m.radius_at(i, 5e-3) == pytest.approx(1.0e-3, rel=1e-9)
    assert m.radius_at(300.0 * (0.5e-3) ** 2, 5e-3) == 0.0  # inside the lead: nothing
    assert m.radius_at(0.0, 5e-3) == 0.0


def test_no_region_ends_inside_the_encapsulation() -> None:
    """The encapsulation holds no axons: 0.2 mA read 0.58 mm³ and a 0.83 mm radius, inside
    the 1.135 mm scar, below the innermost axon's threshold (probe of 6 December 2026).
    Between the scar and the innermost axon the slope still extends."""
    m = _power_law_map()
    scarred = ActivationMap(m.r_m, m.z_m, m.threshold_a, R_LEAD, axon_free_m=1.135e-3)
    assert scarred.radius_at(300.0 * (1.0e-3) ** 2, 5e-3) == 0.0  # 1 mm: in the scar
    assert scarred.volume_m3(300.0 * (1.0e-3) ** 2) == 0.0
    assert scarred.radius_at(300.0 * (1.15e-3) ** 2, 5e-3) == pytest.approx(1.15e-3, rel=1e-9)
    assert m.radius_at(300.0 * (1.0e-3) ** 2, 5e-3) == pytest.approx(1.0e-3, rel=1e-9)
    # the field shortcut's region too: |E| = 1/r² V/m per A reaches 1 mm at 1e6 A·(V/m)
    field = ActivationMap(m.r_m, m.z_m, m.threshold_a, R_LEAD, m.field_r_m, m.field_z_m,
                          m.field_v_per_m_per_a, axon_free_m=1.135e-3)
    assert m.field_radius_at(1.0, 5e-3, 1e6) == pytest.approx(1.0e-3, rel=1e-3)
    assert field.field_radius_at(1.0, 5e-3, 1e6) == 0.0


def test_the_volume_leaves_out_the_encapsulations_ring() -> None:
    """The volume is the tissue outside the encapsulation, where axons lie; with the
    encapsulation (the region revolved less the lead alone, an isosurface's VTA) it is more
    by that ring, exactly, for a region of one radius along the 10 mm rows (DBS probes of
    6 December 2026, 94.1 against 80.8 mm³, and 7 December 2026: the headline counted the
    scar, 5.14 of 7.77 mm³ at 0.6 mA). The field shortcut's volume leaves it out alike."""
    m = _power_law_map()
    scarred = ActivationMap(m.r_m, m.z_m, m.threshold_a, R_LEAD, m.field_r_m, m.field_z_m,
                            m.field_v_per_m_per_a, axon_free_m=1.135e-3)
    i = 4e-3
    ring = math.pi * (1.135e-3**2 - R_LEAD**2) * 10e-3
    assert scarred.volume_m3(i, with_encapsulation=True) - scarred.volume_m3(i) == \
        pytest.approx(ring, rel=1e-6)
    assert m.volume_m3(i, with_encapsulation=True) == m.volume_m3(i)  # no scar: the same
    field = scarred.field_volume_m3(1.0, 200.0, with_encapsulation=True)
    assert field - scarred.field_volume_m3(1.0, 200.0) == pytest.approx(
        math.pi * (1.135e-3**2 - R_LEAD**2) * (m.field_z_m[-1] - m.field_z_m[0]), rel=1e-6)


def test_uniform_rows_revolve_into_a_hollow_cylinder() -> None:
    m = _power_law_map()
    r = math.sqrt(4e-3 / 300.0)
    assert m.volume_m3(4e-3) == pytest.approx(math.pi * (r**2 - R_LEAD**2) * 10e-3, rel=1e-6)
    z, prof = m.profile(4e-3)
    assert z[0] == 0.0 and z[-1] == pytest.approx(10e-3)
    assert np.allclose(prof, r)


def test_beyond_the_grid_is_flagged() -> None:
    m = _power_law_map()
    assert m.reaches_edge(1e-3)  # every row fires: the region runs out of the rows
    thr = m.threshold_a.copy()
    thr[[0, -1]] = np.inf
    m = ActivationMap(m.r_m, m.z_m, thr, R_LEAD)
    assert not m.reaches_edge(5e-3)
    assert m.reaches_edge(300.0 * (8e-3) ** 2 * 1.01)  # out to the last axon


def test_field_shortcut_radius_of_an_inverse_square_field() -> None:
    m = _power_law_map()
    for amp in (1e-3, 3e-3):
        # |E| I = I / r² = 200 V/m  ->  r = sqrt(I / 200)
        expected = math.sqrt(amp / 200.0)
        assert m.field_radius_at(amp, 5e-3, 200.0) == pytest.approx(expected, rel=2e-3)
    assert m.field_volume_m3(3e-3, 200.0) == pytest.approx(
        math.pi * (3e-3 / 200.0 - R_LEAD**2) * 10e-3, rel=5e-3)


def test_rows_that_never_fire_contribute_nothing() -> None:
    m = _power_law_map()
    thr = m.threshold_a.copy()
    thr[:5] = np.inf
    m2 = ActivationMap(m.r_m, m.z_m, thr, R_LEAD)
    assert m2.radius_at(3e-3, 1e-3) == 0.0
    assert 0 < m2.volume_m3(3e-3) < m.volume_m3(3e-3)
