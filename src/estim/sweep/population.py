"""A large fiber population under a program's cathode, split across Dask workers.

The population is drawn in chunks, each from its own seed (chunk ``i`` of seed ``s`` is the
same fibers in every run), exactly as the sensation window draws its fibers
(:func:`estim.effects.populations.sample_fiber_populations` under the cathode's footprint),
and each chunk's thresholds come from the batched cable solver
(:func:`estim.effects.window.class_thresholds`) on one worker. The field is solved once
(cached on disk) and read by every chunk. With a ``folder``, each finished chunk is kept
there as it arrives (``chunks/<key>.npz``, written whole or not at all), so an interrupted
population, run again with the same folder, computes only the chunks it has no file for.

A chunk's thresholds are exactly those of its fibers thresholded one by one: the batched
search advances every fiber on its own bracket (tests/unit/test_sweep_population.py).

Evidence: mechanistic thresholds (cable models validated against NEURON) on assumed anatomy.
"""

from __future__ import annotations

import io
import json
import math
import time
import tomllib
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from estim.cache import digest
from estim.effects.populations import FiberClass
from estim.errors import InputError
from estim.program.stimulation import TRANSCUTANEOUS_TYPES
from estim.sweep.plan import model_key
from estim.sweep.run import stamp
from estim.version import __version__

if TYPE_CHECKING:
    from distributed import Client

    from estim.program import Program

__all__ = ["CHUNKS_FOLDER", "MAX_POPULATION", "PopulationResult", "population_channel",
           "population_thresholds", "recruitment_curve", "threshold_quantile"]

#: Most fibers in one population.
MAX_POPULATION = 10_000_000
#: Fibers per task: large enough to fill the batched solver, small enough to spread.
DEFAULT_CHUNK = 1000
#: The folder of finished chunks inside a population's output folder.
CHUNKS_FOLDER = "chunks"
#: Bump when a chunk's thresholds change meaning (chunk files of older runs are redone).
POPULATION_VERSION = "population-1"


@dataclass(frozen=True, eq=False)
class PopulationResult:
    """Thresholds of every fiber of a population (A of channel peak; inf: not reached).

    :param depth_m: each fiber's depth below the skin (m).
    :param diameter_m: each fiber's diameter (m).
    :param seconds: wall time of the whole population (s).
    :param chunks: tasks it was split into.
    :param resumed: chunks read from the files of an earlier run.
    :param channel: the channel whose cathode the fibers lie under (its current alone).
    :param load_ohm: a voltage-controlled channel's load (the field solution's tissue with
        the skin–electrode interface, Ω), whose product with a threshold is the dial's
        volts; None for a current-controlled one.
    """

    fiber_class: FiberClass
    thresholds_a: NDArray[np.float64]
    depth_m: NDArray[np.float64]
    diameter_m: NDArray[np.float64]
    seconds: float
    chunks: int
    resumed: int = 0
    channel: str = ""
    load_ohm: float | None = None

    def fraction_at(self, amplitude_a: float) -> float:
        """Fraction of the population recruited at a peak current (A)."""
        return float(np.mean(self.thresholds_a <= amplitude_a)) if self.thresholds_a.size \
            else 0.0

    def __repr__(self) -> str:
        median = threshold_quantile(self.thresholds_a, 50)
        med = f"{median * 1e3:.3g} mA" if math.isfinite(median) else "not reached"
        return (f"PopulationResult({self.fiber_class.value!r}, {self.thresholds_a.size:,} "
                f"fibers, median threshold {med}, {self.seconds:.1f} s)")


def threshold_quantile(thresholds: NDArray[np.float64], q: float) -> float:
    """The ``q``-th percentile (linear, as numpy's) of thresholds where one not reached (inf
    or NaN) lies above every one that fired: inf where it falls among those; the median of
    the fibers that fired alone was biased low (511 for 530 mA; probe of 5 December 2026).

    >>> threshold_quantile(np.array([1.0, 2.0, 3.0, np.inf]), 50)
    2.5
    >>> threshold_quantile(np.array([1.0, 2.0, np.nan]), 90)
    inf
    """
    ranked = np.sort(np.where(np.isfinite(thresholds), thresholds, np.inf))
    if not ranked.size:
        return math.inf
    pos = (ranked.size - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    a, b, w = float(ranked[lo]), float(ranked[hi]), pos - lo
    if w == 0 or a == b:
        return a
    return a + w * (b - a) if math.isfinite(b) else math.inf


def population_channel(program: Program, name: str | None) -> str:
    """The channel whose cathode a population lies under: ``name``, or the first channel
    that is on (the first where none is): the first channel's cathode was taken even
    with that channel off and another on (noted and left on 5 December 2026).

    :raises InputError: ``name`` names no channel of the program.
    """
    names = [ch.name for ch in program.channels]
    if name is None:
        return program.first_on.name
    if name not in names:
        raise InputError("--channel", name, f"a channel of the program: "
                         f"{', '.join(repr(n) for n in names)}")
    return name


@lru_cache(maxsize=4)
def _setup(program_json: str, channel: str) -> tuple[Any, Any, Any]:
    """The program's field, the channel ``channel``'s field and its unit pulse (once per
    worker process, program and channel; the field itself comes from the disk cache)."""
    from estim.effects.drive import unit_pulse
    from estim.effects.program import channel_setup
    from estim.program.loader import program_from_dict
    from estim.waveforms.build import stimuli_for

    program = program_from_dict(json.loads(program_json))
    stimuli = stimuli_for(program)
    # the channel first: the fiber stage reads the first channel's pads and pulse
    order = sorted(range(len(program.channels)),
                   key=lambda k: program.channels[k].name != channel)
    program = program.replace(channels=tuple(program.channels[k] for k in order))
    pf, stim, _, _ = channel_setup(program, tuple(stimuli[k] for k in order))
    return pf, pf.channels[0], unit_pulse(stim)


def chunk_thresholds(program_json: str, fiber_class: str, n: int, seed: int,
                     channel: str = "1"
                     ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Thresholds (A), depths (m) and diameters (m) of ``n`` fibers drawn with ``seed``
    under channel ``channel``'s cathode (one task)."""
    from estim.effects.placement import ADELTA_ENDING, sampled_region, site_anatomy
    from estim.effects.populations import sample_fiber_populations
    from estim.effects.window import class_thresholds

    pf, cf, waveform = _setup(program_json, channel)
    electrode = cf.cathode
    # the window's own sampling region of the class round the cathode
    region = sampled_region(electrode, FiberClass(fiber_class).value, pf.site)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # clamped diameters, as the window notes them
        (pop,) = sample_fiber_populations(seed=seed, counts={fiber_class: n},
                                          classes=[fiber_class], region_m=region,
                                          adelta_ending=ADELTA_ENDING,
                                          **site_anatomy(pf.site, electrode))
    ct = class_thresholds(pop, electrode, pf.site, cf.potential, waveform)
    return ct.thresholds_a, ct.depth_m, ct.diameter_m


def population_thresholds(path: str | Path, *, fibers: int = 100_000,
                          fiber_class: FiberClass | str = FiberClass.A_BETA, seed: int = 0,
                          chunk: int = DEFAULT_CHUNK, client: Client,
                          folder: str | Path | None = None,
                          progress: Callable[[int, int], None] | None = None,
                          replace: bool = True, channel: str | None = None
                          ) -> PopulationResult:
    """Thresholds of ``fibers`` fibers of one class under a cathode of the program file
    ``path``, computed in chunks of ``chunk`` fibers on the workers of ``client``.

    :param channel: the channel whose cathode, with its current alone (None: the first
        channel that is on, :func:`population_channel`).
    :param folder: keep each finished chunk in ``folder/chunks`` and read those already
        there instead of computing them again (None: keep nothing).
    :param replace: go on where ``folder/chunks`` holds only another population's chunks
        (another program, class, seed or estim version), whose population.csv this run
        writes over; False refuses it (``estim sweep --population`` without --force).
    :param progress: called with (fibers finished, fibers in all) as chunks finish.

    :raises ProgramError: the file is not a valid program.
    :raises InputError: a transcutaneous program is needed (a skin site with pads), and
        ``fibers`` and ``chunk`` must be positive, and ``channel`` a channel's name.
    """
    from estim.program.loader import _read_regular, load_program

    program = load_program(path)
    try:
        cls = FiberClass(fiber_class)
    except ValueError:
        raise InputError("--fiber-class", fiber_class,
                         f"one of {', '.join(c.value for c in FiberClass)}") from None
    if not isinstance(fibers, int) or not 1 <= fibers <= MAX_POPULATION:
        raise InputError("--population", fibers, f"1 to {MAX_POPULATION:,} fibers")
    if not isinstance(chunk, int) or chunk < 1:
        raise InputError("chunk", chunk, "at least one fiber per task")
    name = population_channel(program, channel)
    kind = next(ch for ch in program.channels if ch.name == name).stimulation.type
    if kind not in TRANSCUTANEOUS_TYPES:
        raise InputError("--population", kind,
                         "a transcutaneous program (fibers under skin pads)")
    text = json.dumps(tomllib.loads(_read_regular(Path(path)).removeprefix("\ufeff")),
                      sort_keys=True, default=str)
    start = time.perf_counter()
    sizes = [min(chunk, fibers - i) for i in range(0, fibers, chunk)]
    seeds = [seed * 1_000_003 + i for i in range(len(sizes))]
    keys = [digest(POPULATION_VERSION, __version__, model_key(), text, cls.value, n, s, name)
            for n, s in zip(sizes, seeds, strict=True)]
    chunks_dir = None if folder is None else Path(folder).expanduser() / CHUNKS_FOLDER
    parts: dict[int, tuple[NDArray[np.float64], ...]] = {}
    if chunks_dir is not None:
        earlier = [p.stem for p in chunks_dir.glob("*.npz")] if chunks_dir.is_dir() else []
        if earlier and not replace and not set(earlier) & set(keys):
            # another program's population.csv was written over without --force (review of
            # 5 December 2026); a grown or a smaller population shares its first chunks
            raise InputError("--output", str(folder), f"a folder of this population (its "
                             f"chunks/ holds {len(earlier):,} chunk(s) of another program, "
                             "class, seed, estim version or size (a population smaller "
                             "than one chunk shares none), whose population.csv this run "
                             "would replace): another folder, or --force")
    # Solve the field once before the chunks spread, so that no two workers solve it (and
    # read the channel's load: a voltage-set dial's volts; the disk cache on a resumed run);
    # before the folder is made, so that a class the site lacks leaves nothing behind (its
    # chunks/ was left; probe of 5 December 2026)
    has_bone, load_ohm = client.submit(_setup_only, text, name, pure=False).result()
    if cls is FiberClass.PERIOSTEAL and not has_bone:
        raise InputError("--fiber-class", cls.value,
                         "a site with a bone under the pads (this site has none, so "
                         "it has no periosteal fibers): abeta, adelta, c or motor")
    if chunks_dir is not None:
        chunks_dir.mkdir(parents=True, exist_ok=True)
        stamp(chunks_dir)
        for i, (key, n) in enumerate(zip(keys, sizes, strict=True)):
            done = _read_chunk(chunks_dir / f"{key}.npz", n)
            if done is not None:
                parts[i] = done
    resumed = len(parts)
    if progress is not None:
        progress(sum(len(p[0]) for p in parts.values()), fibers)
    todo = [i for i in range(len(sizes)) if i not in parts]
    voltage = program.device.control.value == "voltage"
    if todo:
        from distributed import as_completed

        futures = {client.submit(chunk_thresholds, text, cls.value, sizes[i], seeds[i], name,
                                 key=f"estim-population-{keys[i]}"): i for i in todo}
        for future in as_completed(futures):
            i = futures[future]
            parts[i] = future.result()
            future.release()
            if chunks_dir is not None:
                _write_chunk(chunks_dir / f"{keys[i]}.npz", parts[i])
            if progress is not None:
                progress(sum(len(p[0]) for p in parts.values()), fibers)
    order = [parts[i] for i in range(len(sizes))]
    return PopulationResult(cls, np.concatenate([p[0] for p in order]),
                            np.concatenate([p[1] for p in order]),
                            np.concatenate([p[2] for p in order]),
                            time.perf_counter() - start, len(sizes), resumed, name,
                            load_ohm if voltage else None)


_CHUNK_ARRAYS = ("threshold_a", "depth_m", "diameter_m")


def _write_chunk(path: Path, arrays: tuple[NDArray[np.float64], ...]) -> None:
    from estim.outputs import write_output_file

    thr, depth, diameter = arrays
    buf = io.BytesIO()
    np.savez(buf, threshold_a=thr, depth_m=depth, diameter_m=diameter)  # _CHUNK_ARRAYS
    write_output_file(path, buf.getvalue(), force=True)


def _read_chunk(path: Path, n: int) -> tuple[NDArray[np.float64], ...] | None:
    """A finished chunk of ``n`` fibers, or None (no file, one that cannot be read whole,
    or one whose numbers no fiber has: it is computed again). A half-copied chunk raised a
    zipfile error, and an edited one gave a median threshold of -4.91 mA (probe of
    5 December 2026)."""
    import zipfile

    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = tuple(np.asarray(data[name], dtype=np.float64) for name in _CHUNK_ARRAYS)
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None
    if any(a.shape != (n,) for a in arrays):
        return None
    threshold, depth, diameter = arrays
    # a threshold is a positive current or inf (not reached); a depth and a diameter are
    # positive lengths under 1 m
    if not (np.all((threshold > 0) & ~np.isnan(threshold))
            and np.all(np.isfinite(depth) & (depth > 0) & (depth < 1.0))
            and np.all(np.isfinite(diameter) & (diameter > 0) & (diameter < 1e-3))):
        return None
    return arrays


def _setup_only(program_json: str, channel: str) -> tuple[bool, float]:
    """Solve the program's field (once, before the chunks spread); whether its site has a
    bone under the channel's pads with room for a periosteum (periosteal fibers to sample),
    and the channel's load with the skin–electrode interface (Ω)."""
    from estim.effects.placement import site_anatomy

    pf, cf, _ = _setup(program_json, channel)
    return "bone_depth_m" in site_anatomy(pf.site, cf.cathode), float(cf.resistance)


def recruitment_curve(result: PopulationResult, amplitudes_a: NDArray[np.float64]
                      ) -> NDArray[np.float64]:
    """Fraction of the population recruited at each peak current (A)."""
    thr = np.sort(result.thresholds_a)
    out: NDArray[np.float64] = np.searchsorted(thr, amplitudes_a, side="right") \
        / max(thr.size, 1)
    return out
