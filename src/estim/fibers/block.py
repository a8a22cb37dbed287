"""Does an action potential get through while a kHz carrier runs? The conduction test of
kilohertz-frequency block studies (Kilgore & Bhadra 2004; Bhadra et al. 2007; Pelot,
Behrend & Grill 2017), on estim's fibers.

A test action potential is started by a short intracellular pulse at the fiber's first
active compartment (an afferent's ending, a motor axon's first node) while the carrier runs,
and the detection node (90 % along, as for thresholds) is watched. Each fiber is then in one
of Pelot et al.'s three regimes, or untested:

* ``transmits``: the test action potential arrives (the carrier lets it through);
* ``excited``: the carrier itself keeps firing the fiber after the test time, so the test
  says nothing about block (the fiber carries the carrier's own action potentials);
* ``blocked``: the fiber is silent after the test time and the test action potential does
  not arrive, though it does without the carrier;
* ``untested``: even without the carrier, no test pulse up to :data:`MAX_TEST_A` reached
  the detection node in the simulated time.

Four runs per fiber: the test pulse alone (its current is raised ×3 until every fiber
conducts it), the carrier up to the test time, the carrier to the end, carrier and test
pulse together.
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
    if not 0 < k0 < k1 < n_steps:
        raise InputError("test_time", test_time_s,
                         f"a time inside the simulated {tstop * 1e3:g} ms, with the "
                         f"{TEST_WIDTH_S * 1e3:g} ms test pulse ending before it")
    wave = sample_waveform(waveform, dt, n_steps)
    rest = initial_state(fibers)
    det = detect_position(f0, options.detect_fraction)
    first = int(f0.active_index[0])
    n = len(fibers)
    everyone = np.arange(n)
    unit = np.zeros(n_steps)
    unit[k0:k1] = 1.0  # [A per A of the batch's amplitude]

    def arrivals(w: np.ndarray, amps: np.ndarray, inj: np.ndarray | None,
                 opts: SolverOptions = options) -> np.ndarray:
        out = run_group(fibers, phis, everyone, amps, w, opts,
                        inj_comp=first if inj is not None else -1, inj_wave=inj, rest=rest)
        return np.asarray(out["n_cross"][:, det])

    # 1. the test pulse alone: the smallest current (×3 steps) that every fiber conducts
    silent = np.zeros_like(wave)
    current = FIRST_TEST_A
    conducts = np.zeros(n, dtype=bool)
    while current <= MAX_TEST_A * (1 + 1e-9):
        conducts = arrivals(silent, np.full(n, current), unit) > 0
        if conducts.all():
            break
        current *= 3.0
    current = min(current, MAX_TEST_A)
    # 2.-4. the carrier up to the test time, to the end, and with the test pulse
    amps = np.full(n, amplitude_a)
    before = arrivals(wave[..., :k0 + 1], amps, None,
                      dataclasses.replace(options, tstop_s=(k0 + 1) * dt))
    alone = arrivals(wave, amps, None)
    tested = arrivals(wave, amps, unit * current / amplitude_a)
    states = []
    for i in range(n):
        if not conducts[i]:
            states.append(Conduction.UNTESTED)
        elif alone[i] > before[i]:
            states.append(Conduction.EXCITED)
        elif tested[i] > alone[i]:
            states.append(Conduction.TRANSMITS)
        else:
            states.append(Conduction.BLOCKED)
    return states
