"""A population split in chunks across Dask gives each fiber's own threshold, and resumes.

The reference is each fiber built and thresholded alone (``find_thresholds`` on one fiber,
the kernel's single-member path) with the same field, waveform and precision as the
sensation window: the chunked, batched, distributed path must change nothing, so the
comparison is exact, not to a tolerance.
"""

from __future__ import annotations

import json
import tomllib
import warnings
from pathlib import Path

import numpy as np
import pytest

from estim.errors import InputError
from estim.program.bundled import bundled_examples
from estim.sweep.population import CHUNKS_FOLDER, population_thresholds, recruitment_curve

pytest.importorskip("distributed")

TENS = bundled_examples()["tens_conventional"]


@pytest.fixture(scope="module")
def client(dask_client: object) -> object:
    return dask_client


def _one_by_one(seeds: list[int], sizes: list[int]) -> np.ndarray:
    """Thresholds (A) of the same draws, each fiber built and thresholded on its own."""
    from estim.effects.placement import _inside, _make, fiber_points, sampled_region, site_anatomy
    from estim.effects.populations import sample_fiber_populations
    from estim.fibers import SolverOptions, find_thresholds
    from estim.program.loader import _read_regular
    from estim.sweep.population import _setup

    text = json.dumps(tomllib.loads(_read_regular(Path(TENS)).removeprefix("\ufeff")),
                      sort_keys=True, default=str)
    pf, cf, waveform = _setup(text, "1")
    electrode = cf.cathode
    region = sampled_region(electrode, "abeta")
    out = []
    for seed, n in zip(seeds, sizes, strict=True):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            (pop,) = sample_fiber_populations(seed=seed, counts={"abeta": n},
                                              classes=["abeta"], region_m=region,
                                              **site_anatomy(pf.site))
        for d, p, u, dp in zip(pop.model_diameter_m, pop.position_m, pop.direction,
                               pop.depth_m, strict=True):
            fib = _make(pop, float(d))
            phi, _ = _inside(np.asarray(cf.potential(
                fiber_points(fib, p, u, electrode, pf.site, plexus_depth_m=float(dp))), float))
            res = find_thresholds(fib, [phi], waveform, precision=0.02,
                                  options=SolverOptions())
            out.append(float(res.threshold_a[0]))
    return np.array(out)


def test_chunked_population_equals_fibers_thresholded_one_by_one(client: object,
                                                                 tmp_path: Path) -> None:
    # 11 fibers in chunks of 4: three tasks of 4, 4 and 3 fibers, seeds 7*1_000_003 + i
    result = population_thresholds(TENS, fibers=11, chunk=4, seed=7, client=client,
                                   folder=tmp_path)
    assert result.chunks == 3 and result.resumed == 0 and result.thresholds_a.size == 11
    direct = _one_by_one([7 * 1_000_003 + i for i in range(3)], [4, 4, 3])
    assert np.all(np.isfinite(direct))  # Aβ under a TENS pad: every fiber reachable
    # exact: the batched search brackets each fiber on its own, with the same kernel maths
    np.testing.assert_array_equal(result.thresholds_a, direct)
    # and a sane magnitude: Aβ thresholds under a 5 x 5 cm TENS pad are mA, not µA or A
    assert 1e-4 < float(np.median(direct)) < 0.2
    curve = recruitment_curve(result, np.array([0.0, np.inf]))
    assert curve.tolist() == [0.0, 1.0]


def test_a_rerun_reads_finished_chunks_and_recomputes_a_missing_or_broken_one(
        client: object, tmp_path: Path) -> None:
    first = population_thresholds(TENS, fibers=9, chunk=3, seed=11, client=client,
                                  folder=tmp_path)
    files = sorted((tmp_path / CHUNKS_FOLDER).glob("*.npz"))
    assert len(files) == 3
    files[0].unlink()  # lost
    files[1].write_bytes(b"not a chunk")  # cut short by a crash (cannot be read whole)
    again = population_thresholds(TENS, fibers=9, chunk=3, seed=11, client=client,
                                  folder=tmp_path)
    assert (again.chunks, again.resumed) == (3, 1)
    np.testing.assert_array_equal(again.thresholds_a, first.thresholds_a)
    np.testing.assert_array_equal(again.depth_m, first.depth_m)
    np.testing.assert_array_equal(again.diameter_m, first.diameter_m)
    # a different seed is a different population: nothing of the first is reused
    other = population_thresholds(TENS, fibers=9, chunk=3, seed=12, client=client,
                                  folder=tmp_path)
    assert other.resumed == 0 and not np.array_equal(other.depth_m, first.depth_m)


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"fibers": 0}, "--population"),
    ({"fibers": 10, "chunk": 0}, "chunk"),
    ({"fibers": 10, "fiber_class": "gamma"}, "--fiber-class"),
])
def test_bad_sizes_are_refused_naming_the_field(client: object, kwargs: dict[str, object],
                                                field: str) -> None:
    with pytest.raises(InputError, match=field):
        population_thresholds(TENS, client=client, **kwargs)  # type: ignore[arg-type]


def _two_channels(tmp_path: Path, first_on: bool) -> tuple[Path, Path]:
    """Conventional TENS on the left of the back (channel '1', off unless ``first_on``)
    beside the same on the right (channel 'right', 25 mA), in the program's order and with
    'right' first."""
    text = Path(TENS).read_text(encoding="utf-8")
    head, channel = text[:text.index("[[channels]]")], text[text.index("[[channels]]"):]
    left = channel if first_on else channel.replace('amplitude = "25 mA"',
                                                    'amplitude = "0 mA"')
    assert "25 mA" in channel and (first_on or "0 mA" in left)
    right = channel.replace('name = "1"', 'name = "right"').replace("lumbar_left",
                                                                    "lumbar_right")
    paths = tmp_path / "in_order.toml", tmp_path / "right_first.toml"
    paths[0].write_text(head + left + "\n" + right, encoding="utf-8")
    paths[1].write_text(head + right + "\n" + left, encoding="utf-8")
    return paths


def test_a_population_lies_under_the_first_channel_that_is_on(client: object,
                                                               tmp_path: Path) -> None:
    """The first channel's cathode was taken with that channel off and another on
    (5 December 2026): its fibers are now under the channel that is on, exactly as with
    that channel written first, and another channel is had by its name."""
    in_order, right_first = _two_channels(tmp_path, first_on=False)
    ours = population_thresholds(in_order, fibers=4, chunk=4, seed=3, client=client)
    first = population_thresholds(right_first, fibers=4, chunk=4, seed=3, client=client)
    assert ours.channel == first.channel == "right"
    np.testing.assert_array_equal(ours.thresholds_a, first.thresholds_a)
    # the channel that is off, asked for by name: the fibers under the left cathode, whose
    # thresholds differ (other pads, other places in the same draws' field)
    left = population_thresholds(in_order, fibers=4, chunk=4, seed=3, client=client,
                                 channel="1")
    assert left.channel == "1" and not np.array_equal(left.thresholds_a, ours.thresholds_a)
    with pytest.raises(InputError, match=r"--channel: got 'left', expected a channel of "
                                         r"the program: '1', 'right'"):
        population_thresholds(in_order, fibers=4, client=client, channel="left")


def test_periosteal_fibers_on_a_site_without_bone_are_refused(client: object,
                                                              monkeypatch: pytest.MonkeyPatch,
                                                              tmp_path: Path) -> None:
    """Every preset site has a bone, so a site without one is stood in for by an anatomy
    without ``bone_depth_m``: the refusal names the field instead of failing to unpack an
    empty list of populations in a worker, and leaves no folder behind (its chunks/ was
    left; probe of 5 December 2026)."""
    import estim.effects.placement as placement

    real = placement.site_anatomy

    def boneless(*args: object, **kwargs: object) -> dict[str, object]:
        out = real(*args, **kwargs)  # type: ignore[arg-type]
        out.pop("bone_depth_m", None)
        return out

    monkeypatch.setattr(placement, "site_anatomy", boneless)
    with pytest.raises(InputError, match=r"--fiber-class.*periosteal.*no periosteal"):
        population_thresholds(TENS, client=client, fibers=4, fiber_class="periosteal",
                              folder=tmp_path / "p0")
    assert not (tmp_path / "p0").exists()


def test_a_chunk_samples_the_abeta_where_the_window_does(monkeypatch):
    """A chunk draws its Aβ over the window's own Aβ region: with a margin set
    (``estim.effects.placement.ABETA_MARGIN_M``) the same draws spread beyond the pad, so the
    same fibers (depths, diameters) get other thresholds, higher in the median."""
    from estim.effects import placement
    from estim.program.loader import _read_regular
    from estim.sweep.population import chunk_thresholds

    text = json.dumps(tomllib.loads(_read_regular(Path(TENS)).removeprefix("\ufeff")),
                      sort_keys=True, default=str)
    near = chunk_thresholds(text, "abeta", 6, 3)
    monkeypatch.setattr(placement, "ABETA_MARGIN_M", 0.025)
    wide = chunk_thresholds(text, "abeta", 6, 3)
    np.testing.assert_array_equal(wide[1], near[1])  # depths: the same draws
    np.testing.assert_array_equal(wide[2], near[2])  # diameters
    assert np.median(wide[0]) > np.median(near[0])


def test_a_voltage_set_channel_carries_its_load_for_the_dials_volts(client: object) -> None:
    """--population gave a voltage-set program's thresholds in mA alone, where estim run
    gives the dial's volts too (probe of 5 December 2026): the channel's load comes with
    the result (the same field solution's, so volts = mA x Ω as estim run's), and none for
    a current-set one."""
    from estim import load_program, simulate

    hvpc = bundled_examples()["hvpc_wound"]
    result = population_thresholds(hvpc, fibers=2, chunk=2, seed=1, client=client)
    fx = simulate(load_program(hvpc)).effects
    assert fx is not None and fx.program_fields is not None
    assert result.load_ohm == pytest.approx(fx.program_fields.channel("1").resistance,
                                            rel=1e-12)
    assert population_thresholds(TENS, fibers=2, chunk=2, seed=1,
                                 client=client).load_ohm is None


def test_a_damaged_or_edited_chunk_is_computed_again(tmp_path: Path) -> None:
    """A half-copied chunk raised zipfile.BadZipFile (a traceback), and an edited one was
    read as it was: a median threshold of -4.91 mA (probe of 5 December 2026). Either is
    now no chunk, which the population computes again."""
    from estim.sweep.population import _read_chunk, _write_chunk

    good = (np.array([1e-3, np.inf]), np.array([2e-3, 3e-3]), np.array([9e-6, 1e-5]))
    path = tmp_path / "k.npz"
    _write_chunk(path, good)
    back = _read_chunk(path, 2)
    assert back is not None and np.array_equal(back[0], good[0])  # inf: not reached, kept
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])  # half copied
    assert _read_chunk(path, 2) is None
    for bad in ((np.array([-4.91e-3, 1e-3]), good[1], good[2]),
                (np.array([np.nan, 1e-3]), good[1], good[2]),
                (good[0], np.array([-1e-3, 3e-3]), good[2]),
                (good[0], good[1], np.array([0.0, 1e-5]))):
        _write_chunk(path, bad)
        assert _read_chunk(path, 2) is None
