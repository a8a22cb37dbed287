"""Does an action potential get through while a kHz carrier runs? The conduction test of
kilohertz-frequency block studies (Kilgore & Bhadra 2004; Bhadra et al. 2007; Pelot,
Behrend & Grill 2017), on estim's fibers.

A test action potential is started by a short intracellular pulse at the fiber's first
active compartment (an afferent's ending, a motor axon's first node) while the carrier runs,
and the detection node (90 % along, as for thresholds) is watched. Each fiber is then in one
of Pelot et al.'s three regimes, or untested:

* ``transmits``: the test action potential arrives (the carrier lets it through);
* ``excited``: the carrier fires the fiber after its onset (:data:`ONSET_S`), so the
  test says nothing about block (the fiber carries the carrier's own action potentials);
* ``blocked``: the carrier fires nothing after its onset and the test action potential
  does not arrive, though it does when the carrier stops after its onset;
* ``untested``: no test pulse up to :data:`MAX_TEST_A` reached the detection node without
  the carrier, or the fiber had not recovered from the carrier's onset action potentials
  by the test time (the test fails when the carrier stops after its onset too).

Five runs per fiber: the test pulse alone (each fiber's current raised ×3 from
:data:`FIRST_TEST_A` until it conducts); the carrier during its onset only, without and
with the test pulse (action potentials still in flight are counted on both sides); the
carrier throughout, without and with the test pulse.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np

from estim.errors import InputError
from estim.fibers.cable import Fiber
from estim.fibers.protocols import Potentials, Waveform
from estim.fibers.solver import (
    SolverOptions,
    _default_tstop,
    detect_position,
    initial_state,
    resolve_potentials,
    run_group,
    sample_waveform,
)

__all__ = ["Conduction", "ConductionTest", "conduction_test"]

#: The test pulse: 0.1 ms, as Yi & Grill's (2020) and Bhadra et al.'s; its current starts
#: at :data:`FIRST_TEST_A` and is raised ×3 up to :data:`MAX_TEST_A` until every fiber
#: conducts it without the carrier.
TEST_WIDTH_S = 0.1e-3
#: The carrier's onset: the action potentials it fires in its first 2 ms (the onset
#: response of kHz block) do not make a fiber ``excited``.
ONSET_S = 2e-3
FIRST_TEST_A = 0.2e-9
MAX_TEST_A = 20e-9


class Conduction(StrEnum):
    TRANSMITS = "transmits"
    EXCITED = "excited"
    BLOCKED = "blocked"
    UNTESTED = "untested"


@dataclass(frozen=True)
class ConductionTest:
    """One regime per fiber (:class:`Conduction`), at ``amplitude_a`` with the test action
    potential started at ``test_time_s``."""

    states: tuple[Conduction, ...]
    amplitude_a: float
    test_time_s: float

    def count(self, state: Conduction) -> int:
        return sum(1 for s in self.states if s is state)


def conduction_test(fibers: Fiber | Sequence[Fiber], potentials: Potentials,
                    waveform: Waveform, amplitude_a: float, *, test_time_s: float,
                    options: SolverOptions | None = None) -> ConductionTest:
    """The regime of every fiber under ``waveform`` at ``amplitude_a`` (A): see the module.

    :param test_time_s: when the test pulse starts (s from the waveform's start): after the
        carrier's onset response, with time left for the action potential to reach the
        detection node before ``options.tstop_s``.
    :raises InputError: a test time outside the simulated time, a non-positive amplitude.
    """
    fibers = [fibers] if isinstance(fibers, Fiber) else list(fibers)
    options = dataclasses.replace(options or SolverOptions(), early_stop=False)
    if not (math.isfinite(amplitude_a) and amplitude_a > 0):
        raise InputError("amplitude", amplitude_a, "a positive carrier amplitude in A")
    phis = resolve_potentials(fibers, potentials)
    states: list[Conduction] = [Conduction.UNTESTED] * len(fibers)
    groups: dict[tuple[Any, ...], list[int]] = {}
    for i, f in enumerate(fibers):
        groups.setdefault(f.topology_key(), []).append(i)
    for idx in groups.values():
        found = _test_group([fibers[i] for i in idx], [phis[i] for i in idx], waveform,
                            amplitude_a, test_time_s, options)
        for i, s in zip(idx, found, strict=True):
            states[i] = s
    return ConductionTest(tuple(states), amplitude_a, test_time_s)


def _test_group(fibers: list[Fiber], phis: list[np.ndarray], waveform: Waveform,
                amplitude_a: float, test_time_s: float,
                options: SolverOptions) -> list[Conduction]:
    f0 = fibers[0]
    tstop = options.tstop_s or _default_tstop(f0)
    dt = options.dt_s
    n_steps = round(tstop / dt)
    k0 = round(test_time_s / dt)
    k1 = k0 + max(1, round(TEST_WIDTH_S / dt))
    wave = sample_waveform(waveform, dt, n_steps)
    on = np.flatnonzero(np.abs(wave).reshape(-1, n_steps).sum(axis=0))
    if on.size == 0:
        raise InputError("waveform", "all zero", "a carrier that is non-zero before tstop")
    k_on = int(on[0]) + round(ONSET_S / dt)  # the onset ends 2 ms after the carrier starts
    if not k_on < k0 < k1 < n_steps:
        raise InputError("test_time", test_time_s,
                         f"a time after the carrier's {ONSET_S * 1e3:g} ms onset and inside "
                         f"the simulated {tstop * 1e3:g} ms, with the "
                         f"{TEST_WIDTH_S * 1e3:g} ms test pulse ending before it")
    stopped = wave.copy()
    stopped[..., k_on:] = 0.0  # the carrier switched off after its onset
    rest = initial_state(fibers)
    det = detect_position(f0, options.detect_fraction)
    first = int(f0.active_index[0])
    unit = np.zeros(n_steps)
    unit[k0:k1] = 1.0  # [A per A of the member's amplitude]

    def arrivals(which: np.ndarray, w: np.ndarray, amps: np.ndarray,
                 inj: np.ndarray | None) -> np.ndarray:
        out = run_group(fibers, phis, which, amps, w, options,
                        inj_comp=first if inj is not None else -1, inj_wave=inj, rest=rest)
        return np.asarray(out["n_cross"][:, det])

    n = len(fibers)
    # 1. the test pulse alone: each fiber's own current, ×3 until it conducts
    current = np.full(n, np.nan)
    trying = np.arange(n)
    level = FIRST_TEST_A
    while trying.size:
        got = arrivals(trying, np.zeros_like(wave), np.full(trying.size, level), unit) > 0
        current[trying[got]] = level
        trying = trying[~got]
        if level >= MAX_TEST_A:
            break
        level = min(3.0 * level, MAX_TEST_A)
    everyone = np.arange(n)
    amps = np.full(n, amplitude_a)
    # 2.-3. the carrier during its onset only / throughout, without the test pulse
    before = arrivals(everyone, stopped, amps, None)
    alone = arrivals(everyone, wave, amps, None)
    # 4.-5. the same with the test pulse, batched by test current (one injection per batch)
    stopped_test = np.zeros(n, dtype=np.int64)
    tested = np.zeros(n, dtype=np.int64)
    for c in np.unique(current[np.isfinite(current)]):
        which = np.flatnonzero(current == c)
        inj = unit * c / amplitude_a
        stopped_test[which] = arrivals(which, stopped, amps[which], inj)
        tested[which] = arrivals(which, wave, amps[which], inj)
    states = []
    for i in range(n):
        if not np.isfinite(current[i]) or stopped_test[i] <= before[i]:
            states.append(Conduction.UNTESTED)  # no conducting test pulse, or not recovered
        elif alone[i] > before[i]:
            states.append(Conduction.EXCITED)
        elif tested[i] > alone[i]:
            states.append(Conduction.TRANSMITS)
        else:
            states.append(Conduction.BLOCKED)
    return states
