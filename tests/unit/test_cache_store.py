"""The on-disk cache as a store that can be trusted: a damaged entry of either kind (field
solutions, fiber thresholds) is a miss that is computed again and replaced, a cache that
cannot be written costs one warning and no wrong answer, and keys are stable."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import estim.cache
from estim.cache import CacheWarning, cache_root, digest, load_arrays, store_arrays
from estim.effects.drive import unit_pulse
from estim.effects.populations import sample_fiber_populations
from estim.effects.window import ClassThresholds, class_thresholds
from estim.fields import Channel, MeshSettings, make_site, place_electrode, solve_fields
from estim.fields.cache import load_solution
from estim.fields.solve import FieldSolution
from estim.program.bundled import resolve_program
from estim.waveforms import stimuli_for
from tests.unit.test_effects_window import _HalfSpaceDisc


@pytest.fixture(autouse=True)
def _fresh_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache per test, and the once-per-process warning not yet given."""
    root = tmp_path / "cache"
    monkeypatch.setenv("ESTIM_CACHE_DIR", str(root))
    monkeypatch.setattr(estim.cache, "_warned", [])
    return root


# ---- the two kinds of entry, each computed for real -------------------------------------

def _thresholds() -> ClassThresholds:
    """Three Aβ fibers under a disc on a half-space, the program's own pulse (~0.5 s)."""
    program, _ = resolve_program("tens_conventional")
    wave = unit_pulse(stimuli_for(program)[0])
    (pop,) = sample_fiber_populations(seed=0, counts={"abeta": 3}, classes=["abeta"])
    disc = _HalfSpaceDisc()
    return class_thresholds(pop, disc.cathode, None, disc.potential, wave)


def _field() -> FieldSolution:
    """A coarse FEM solve of two small pads on a cheek (~0.5 s once gmsh is loaded)."""
    site = make_site("cheek")
    an = place_electrode(site, "cheek_left", length=0.015)
    ca = place_electrode(site, "cheek_right", length=0.015)
    return solve_fields(site, [Channel(an, ca, current=1e-3)],
                        settings=MeshSettings.for_site(site).scaled(4))


def _resistance(sol: FieldSolution) -> float:
    return sol.channels[0].resistance


def _same_thresholds(a: ClassThresholds, b: ClassThresholds) -> None:
    np.testing.assert_array_equal(a.thresholds_a, b.thresholds_a)


def _same_field(a: FieldSolution, b: FieldSolution) -> None:
    # pyamg starts its spectral-radius estimate from a random vector, so two cold solves
    # agree to the CG tolerance (about 1e-11 relative), not bit for bit
    assert _resistance(b) == pytest.approx(_resistance(a), rel=1e-9)


KINDS: dict[str, tuple[Callable[[], object], Callable[[object, object], None]]] = {
    "thresholds": (_thresholds, _same_thresholds),  # type: ignore[dict-item]
    "fields": (_field, _same_field),  # type: ignore[dict-item]
}


def _only_entry(root: Path, kind: str) -> Path:
    (entry,) = (root / kind).glob("*.npz")
    return entry


def _leftovers(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith(".tmp")] if root.is_dir() else []


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Any, str, bytes]]:
    """Each kind computed once into a cache of its own: (result, entry name, entry bytes)."""
    root = tmp_path_factory.mktemp("reference-cache")
    out = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ESTIM_CACHE_DIR", str(root))
        for kind, (compute, _) in KINDS.items():
            result = compute()
            entry = _only_entry(root, kind)
            out[kind] = (result, entry.name, entry.read_bytes())
    return out


def _seed(root: Path, kind: str, reference: dict[str, tuple[Any, str, bytes]]) -> Path:
    """Put the reference entry of ``kind`` into the cache at ``root``; its path."""
    _, name, data = reference[kind]
    (root / kind).mkdir(parents=True, exist_ok=True)
    entry = root / kind / name
    entry.write_bytes(data)
    return entry


# ---- the ways an entry is damaged --------------------------------------------------------

def _truncate(p: Path) -> None:
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2])


def _empty(p: Path) -> None:
    p.write_bytes(b"")


def _flip_bit(p: Path) -> None:
    """One bit of the stored numbers (the largest array): the damage that, unnoticed, would
    give a wrong answer; the zip CRC catches it."""
    data = bytearray(p.read_bytes())
    with np.load(p) as z:
        largest = max((z[k] for k in z.files), key=lambda a: a.nbytes)
    raw = largest.tobytes()
    at = data.find(raw[:64])
    assert at >= 0
    data[at + len(raw) // 2] ^= 0x10
    p.write_bytes(bytes(data))


def _garbage(p: Path) -> None:
    p.write_bytes(b"not a zip at all" * 10)


def _empty_directory(p: Path) -> None:
    p.unlink()
    p.mkdir()


DAMAGE = {"truncated": _truncate, "empty": _empty, "bit-flipped": _flip_bit,
          "garbage": _garbage, "empty directory": _empty_directory}


@pytest.mark.parametrize("damage", DAMAGE)
@pytest.mark.parametrize("kind", KINDS)
def test_a_damaged_entry_is_a_miss_and_is_replaced(kind: str, damage: str, _fresh_cache: Path,
                                                   reference: dict[str, Any]) -> None:
    compute, same = KINDS[kind]
    entry = _seed(_fresh_cache, kind, reference)
    DAMAGE[damage](entry)
    assert load_arrays(kind, entry.stem) is None  # unreadable: a miss, never an exception
    same(reference[kind][0], compute())  # the right answer, computed again
    assert entry.is_file() and load_arrays(kind, entry.stem) is not None  # replaced
    assert len(entry.read_bytes()) == len(reference[kind][2])
    assert not _leftovers(_fresh_cache)


def test_a_replaced_field_entry_is_served_again(_fresh_cache: Path,
                                                reference: dict[str, Any]) -> None:
    entry = _seed(_fresh_cache, "fields", reference)
    assert _field().cache_hit  # the seeded entry is what a run reads
    _truncate(entry)
    assert not _field().cache_hit  # damaged: solved again...
    warm = _field()
    assert warm.cache_hit and load_solution(entry.stem) is not None  # ...and remembered
    _same_field(reference["fields"][0], warm)


def test_every_single_byte_flip_is_a_miss_or_the_same_arrays(_fresh_cache: Path) -> None:
    """Whatever byte of an entry is damaged, reading gives the stored arrays or a miss;
    never an exception and never different numbers."""
    arrays = {"threshold_a": np.array([1e-3, 2.5e-3, np.inf]), "blocks": np.array(2)}
    path = store_arrays("thresholds", "k", arrays)
    assert path is not None
    good = path.read_bytes()
    for i in range(len(good)):
        bad = bytearray(good)
        bad[i] ^= 0xFF
        path.write_bytes(bytes(bad))
        back = load_arrays("thresholds", "k")
        if back is not None:
            assert set(back) == set(arrays), i
            for k, v in arrays.items():
                np.testing.assert_array_equal(back[k], v)


def test_another_keys_entry_or_altered_numbers_are_a_miss(_fresh_cache: Path) -> None:
    """An entry that reads cleanly but is not this key's was served: two thresholds entries
    swapped gave a pain threshold of 7.8 mA where it is 46 mA, exit 0, and one of another
    shape a traceback; numbers rewritten as NaN, "every fiber outside the tissue" (hostile
    probe of 7 December 2026). Each is a miss now, recomputed and replaced."""
    a = {"threshold_a": np.array([1e-3, 2e-3]), "blocks": np.array(0)}
    b = {"threshold_a": np.array([5e-3, 9e-3]), "blocks": np.array(1)}
    pa, pb = store_arrays("thresholds", "a", a), store_arrays("thresholds", "b", b)
    assert pa is not None and pb is not None
    back = load_arrays("thresholds", "a")
    assert back is not None
    np.testing.assert_array_equal(back["threshold_a"], a["threshold_a"])
    # b's entry under a's name: a miss, not b's numbers
    pa.write_bytes(pb.read_bytes())
    assert load_arrays("thresholds", "a") is None
    assert load_arrays("thresholds", "b") is not None
    # the same key under another kind's folder: a miss
    other = store_arrays("drive", "b", b)
    assert other is not None
    (_fresh_cache / "drive" / "b.npz").write_bytes((_fresh_cache / "thresholds" /
                                                    "b.npz").read_bytes())
    assert load_arrays("drive", "b") is None
    # the numbers altered, the entry rewritten as a valid file with its key: a miss
    with np.load(pb, allow_pickle=False) as z:
        kept = {k: np.asarray(z[k]) for k in z.files}
    kept["threshold_a"] = np.array([np.nan, np.nan])
    with pb.open("wb") as fh:
        np.savez(fh, allow_pickle=False, **kept)
    assert load_arrays("thresholds", "b") is None
    # and stored again, it is served again
    store_arrays("thresholds", "b", b)
    again = load_arrays("thresholds", "b")
    assert again is not None
    np.testing.assert_array_equal(again["threshold_a"], b["threshold_a"])


# ---- a cache that cannot be written ------------------------------------------------------

def _unwritable_roots(tmp_path: Path) -> dict[str, Path]:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    roots = {"a regular file": blocker, "below a regular file": blocker / "cache",
             "/dev/null": Path(os.devnull)}
    if os.geteuid() != 0:  # root writes into read-only folders anyway
        ro = tmp_path / "read-only"
        ro.mkdir()
        ro.chmod(0o555)
        roots["a read-only folder"] = ro
    return roots


@pytest.mark.parametrize("where", ["a regular file", "below a regular file", "/dev/null"])
def test_an_unwritable_cache_gives_the_right_answer_with_one_warning(
        where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        reference: dict[str, Any]) -> None:
    monkeypatch.setenv("ESTIM_CACHE_DIR", str(_unwritable_roots(tmp_path)[where]))
    with pytest.warns(CacheWarning) as caught:
        thr = _thresholds()
        thr_again = _thresholds()  # neither remembered nor warned about twice
        field = _field() if where == "a regular file" else None  # one FEM solve is enough
    _same_thresholds(reference["thresholds"][0], thr)
    _same_thresholds(reference["thresholds"][0], thr_again)
    if field is not None:
        _same_field(reference["fields"][0], field)
        assert not field.cache_hit
    assert len([w for w in caught if issubclass(w.category, CacheWarning)]) == 1
    assert "ESTIM_CACHE_DIR" in str(caught[0].message)
    assert not _leftovers(tmp_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_cache_gives_the_right_answer_with_one_warning(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reference: dict[str, Any]) -> None:
    monkeypatch.setenv("ESTIM_CACHE_DIR", str(_unwritable_roots(tmp_path)["a read-only folder"]))
    with pytest.warns(CacheWarning):
        _same_thresholds(reference["thresholds"][0], _thresholds())


def test_a_folder_in_place_of_an_entry_is_left_alone_with_one_warning(
        _fresh_cache: Path, reference: dict[str, Any]) -> None:
    entry = _seed(_fresh_cache, "thresholds", reference)
    entry.unlink()
    entry.mkdir()
    (entry / "something.txt").write_text("the user's")
    with pytest.warns(CacheWarning):
        again = _thresholds()
    _same_thresholds(reference["thresholds"][0], again)
    assert (entry / "something.txt").read_text() == "the user's"
    assert not _leftovers(_fresh_cache)


def test_a_writable_cache_never_warns(_fresh_cache: Path) -> None:
    # pytest turns estim warnings into errors: any CacheWarning here fails the test
    _thresholds()
    _thresholds()
    assert load_arrays("thresholds", _only_entry(_fresh_cache, "thresholds").stem) is not None


# ---- where the cache lives, and its keys -------------------------------------------------

def test_cache_root_honours_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("ESTIM_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_root() == tmp_path / "xdg" / "estim"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # ignored, as the spec says
    assert cache_root() == Path.home() / ".cache" / "estim"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache_root() == Path.home() / ".cache" / "estim"
    monkeypatch.setenv("ESTIM_CACHE_DIR", str(tmp_path / "mine"))
    assert cache_root() == tmp_path / "mine"


def test_keys_ignore_round_off_and_see_real_differences() -> None:
    rng = np.random.default_rng(1)
    phi = rng.normal(size=(5, 40))
    noisy = phi * (1 + 4e-16 * rng.choice([-1.0, 1.0], size=phi.shape))  # a few ulps
    assert not np.array_equal(phi, noisy)
    assert digest("v", phi, 0.02) == digest("v", noisy, 0.02)
    assert digest("v", phi) != digest("v", phi * (1 + 1e-8))  # 8 digits is a real change
    assert digest(0.1 + 0.2) == digest(0.3)
    assert digest(np.array([0.0])) == digest(np.array([-0.0]))
    # structure and type are part of the key
    assert digest((1, 2), 3) != digest(1, (2, 3))
    assert digest("1") != digest(1)
    assert digest(np.zeros(4)) != digest(np.zeros((2, 2)))


def test_keys_are_the_same_in_every_process() -> None:
    code = ("import numpy as np; from estim.cache import digest; "
            "print(digest('v', np.linspace(0, 1, 7), {'b': 2.5, 'a': (1, None)}, 1e-3 + 0j))")
    runs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
            for seed in ("1", "2")}
    assert runs == {digest("v", np.linspace(0, 1, 7), {"b": 2.5, "a": (1, None)},
                           1e-3 + 0j) + "\n"}
