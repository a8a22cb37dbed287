"""What the fields API refuses from a Python caller, each in an InputError naming the
argument (a researcher's probe of 7 December 2026 found a (3, N) array of points read as
mixed coordinates, a made-up boundary solved as floating, a channel whose anode is its
cathode given a zero field, a NaN pad size accepted). The analytic layered solution keeps
these quick."""

from __future__ import annotations

import numpy as np
import pytest

from estim.errors import InputError
from estim.fields import Channel, make_site, place_electrode, solve_fields


@pytest.fixture(scope="module")
def back() -> tuple[object, Channel]:
    site = make_site("lower_back")
    ch = Channel(place_electrode(site, "lumbar_left_upper"),
                 place_electrode(site, "lumbar_left_lower"), 0.02, name="1")
    return site, ch


def test_the_analytic_method_works_with_its_own_default_boundary(back) -> None:
    """It was refused with the default arguments (boundary 'floating'): the layered
    half-space has uniform pads only, so that is its default."""
    site, ch = back
    sol = solve_fields(site, [ch], method="analytic", cache=False)
    assert sol.boundary == "uniform"
    assert sol.channels[0].resistance > 0


def test_points_in_rows_and_one_point_are_read_the_same_and_coordinates_first_refused(
        back) -> None:
    site, ch = back
    sol = solve_fields(site, [ch], method="analytic", cache=False)
    rows = np.array([[0.0, 0.02, -0.005], [0.01, 0.0, -0.01], [0.0, -0.02, -0.02],
                     [0.03, 0.0, -0.003]])
    v = sol.potential(rows)
    assert v.shape == (4,)
    # one point alone is the same number as its row
    assert sol.potential(rows[1])[0] == pytest.approx(v[1], rel=1e-12)
    with pytest.raises(InputError, match=r"points: got an array of shape \(3, 4\)") as err:
        sol.potential(rows.T)
    assert "pass its transpose" in str(err.value)
    with pytest.raises(InputError, match=r"shape \(3, 2\)"):
        sol.potential(np.zeros((3, 2)))


def test_a_grid_of_points_keeps_its_shape(back) -> None:
    """Points of a (a, b, 3) grid came back flattened to (a·b,) (researcher's probe of
    7 December 2026): the potential is (a, b) and the field (a, b, 3), each value the one
    its point has on its own."""
    site, ch = back
    sol = solve_fields(site, [ch], method="analytic", cache=False)
    xs, zs = np.meshgrid(np.linspace(-0.02, 0.02, 5), np.linspace(-0.02, -0.002, 4))
    grid = np.stack([xs, np.zeros_like(xs), zs], axis=-1)  # (4, 5, 3)
    v, e = sol.potential(grid), sol.field(grid)
    assert v.shape == (4, 5) and e.shape == (4, 5, 3)
    flat = grid.reshape(-1, 3)
    assert v == pytest.approx(sol.potential(flat).reshape(4, 5), rel=1e-12)
    assert e == pytest.approx(sol.field(flat).reshape(4, 5, 3), rel=1e-12)
    one = sol.channels[0]
    pv, pe = one.potential_and_field(grid)
    assert pv.shape == (4, 5) and pe.shape == (4, 5, 3)
    assert pv[2, 3] == pytest.approx(one.potential(grid[2, 3])[0], rel=1e-12)


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"boundary": "xx"}, "boundary: got 'xx', expected 'floating' or 'uniform'"),
    ({"method": "Analytic"}, "method: got 'Analytic', expected 'fem' or 'analytic'"),
])
def test_an_unknown_method_or_boundary_is_refused(back, kwargs: dict[str, str],
                                                  words: str) -> None:
    site, ch = back
    with pytest.raises(InputError, match=words):
        solve_fields(site, [ch], cache=False, **kwargs)


def test_no_channels_one_pad_twice_and_a_site_name_are_refused(back) -> None:
    site, ch = back
    with pytest.raises(InputError, match="channels: got no channels"):
        solve_fields(site, [], method="analytic", cache=False)
    with pytest.raises(InputError, match="channels: got one Channel, expected a sequence"):
        solve_fields(site, ch, method="analytic", cache=False)  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"channels\[0\]: got '1', expected an anode and a "
                                         "cathode that are two electrodes"):
        solve_fields(site, [Channel(ch.anode, ch.anode, name="1")], method="analytic",
                     cache=False)
    with pytest.raises(InputError, match=r"site: got 'lower_back', expected a Site"):
        solve_fields("lower_back", [ch], method="analytic")  # type: ignore[arg-type]


@pytest.mark.parametrize("size", [float("nan"), float("inf"), "4 cm", True])
def test_a_pad_size_is_a_finite_number_of_metres(size: object) -> None:
    site = make_site("lower_back")
    with pytest.raises(InputError, match=r"electrode\.length: got .*expected a finite size in m"):
        place_electrode(site, "lumbar_left_upper", length=size)  # type: ignore[arg-type]


def test_an_unknown_channel_of_a_programs_fields_is_named(back) -> None:
    """ProgramFields.channel('2') raised a bare StopIteration."""
    from estim.fields.program import ProgramFields

    site, ch = back
    sol = solve_fields(site, [ch], method="analytic", cache=False)
    fields = ProgramFields(site, sol, {"1": 0.02})
    assert fields.channel("1") is sol.channels[0]
    with pytest.raises(InputError, match="channel: got '2', expected one of the program's "
                                         "channels: '1'"):
        fields.channel("2")


def test_a_fem_solution_pickles_and_gives_the_same_potentials() -> None:
    """A result could not be pickled (a channel's potential was a local function), so
    multiprocessing and joblib could not carry one (researcher's probe of 7 December
    2026). A coarse FEM solve of two small pads on a cheek."""
    import pickle

    from estim.fields import MeshSettings

    site = make_site("cheek")
    ch = Channel(place_electrode(site, "cheek_left", length=0.015),
                 place_electrode(site, "cheek_right", length=0.015), 1e-3, name="1")
    sol = solve_fields(site, [ch], settings=MeshSettings.for_site(site).scaled(4), cache=False)
    back = pickle.loads(pickle.dumps(sol))
    points = np.array([[0.0, 0.0, -0.002], [0.01, 0.0, -0.004]])
    np.testing.assert_array_equal(back.potential(points), sol.potential(points))
    assert back.channels[0].resistance == sol.channels[0].resistance


def test_a_programs_fields_take_the_analytic_methods_own_boundary_and_a_generator_is_named(
        back) -> None:
    """fields_for_program(method='analytic') kept 'floating' and was refused; a generator of
    channels was a bare TypeError (review of 7 December 2026)."""
    from estim.fields import fields_for_program
    from estim.program.bundled import resolve_program

    program, _ = resolve_program("tens_conventional")
    fields = fields_for_program(program, method="analytic", cache=False)
    assert fields.solution.boundary == "uniform"
    site, ch = back
    with pytest.raises(InputError, match="channels: got generator, expected a sequence"):
        solve_fields(site, (c for c in [ch]), method="analytic")  # type: ignore[arg-type]


def test_the_fast_channel_reads_points_as_the_fem_channel_does(back) -> None:
    """The fast (semi-analytic) channel flattened a grid and took (3, N) points as mixed
    coordinates, where the solved channel refuses them (review of 7 December 2026)."""
    from estim.fields.fast import channel_potential

    site, ch = back
    fast = channel_potential(site, ch.anode, ch.cathode)
    xs, zs = np.meshgrid(np.linspace(-0.02, 0.02, 5), np.linspace(-0.02, -0.004, 3))
    grid = np.stack([xs, np.zeros_like(xs), zs], axis=-1)  # (3, 5, 3)
    v = fast.potential(grid)
    assert v.shape == (3, 5)
    assert v == pytest.approx(fast.potential(grid.reshape(-1, 3)).reshape(3, 5), rel=1e-12)
    with pytest.raises(InputError, match="pass its transpose"):
        fast.potential(np.zeros((3, 4)))
