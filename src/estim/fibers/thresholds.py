"""Batched threshold search, strength–duration and recruitment.

The threshold is the LOWEST amplitude that puts an action potential on the detection node.
Searching down from a high bound can land above a virtual-anode block window (MRG 10 µm,
1 ms: propagation at 0.05–0.7 mA, block at 1.0–1.5 mA, propagation again at 2 mA), so the
search here only ever walks *up*:

1. a probe at a clearly subthreshold amplitude (largest applied Ve along the fiber 1 mV)
   gives the linear response; the scan starts where that response extrapolates to 10 mV;
2. the scan climbs geometrically (factor 1.25–2, chosen from the peak depolarisation of the
   last subthreshold run) until a run *excites* (an AP anywhere); a run that fires only
   below the threshold of being seen is therefore never skipped by more than one step;
3. geometric bisection between the last quiet amplitude and the first excited one, to a
   relative gap ``precision``; if the excited upper bound propagates to the detection node
   that is the threshold, otherwise it is the start of a block window and the scan resumes
   upward for propagation.

Every fiber advances one amplitude per round and all fibers of a round run in one kernel
batch. The reported threshold is the upper (activating) bound, like NEURON/PyFibers.

A run is never repeated or climbed past: each fiber keeps the lowest amplitude at which it
has been seen to excite and the lowest at which it propagated. A scan step that would reach
or pass one of them (a fiber that excited on its first step and stepped down, or one that
climbs on for propagation above an excitation that did not reach the detection node, having
already propagated a little higher during its bisection) takes that amplitude as its upper
bound instead of a new run: it lies within the one step the scan allows, so nothing is
skipped that the scan would not have skipped.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from estim.errors import InputError
from estim.fibers.cable import Fiber
from estim.fibers.protocols import Potentials, Waveform
from estim.fibers.solver import (
    RectangularPulse,
    SolverOptions,
    _default_tstop,
    initial_state,
    resolve_potentials,
    run_group,
    sample_waveform,
)
from estim.units import is_whole

__all__ = ["MAX_APPLIED_V", "ThresholdResult", "find_thresholds"]

_NONE, _BLOCK, _FIRE = 0, 1, 2
#: The largest applied potential on a fiber (V) that the search tries (see ``ceiling``).
MAX_APPLIED_V = 1e3


@dataclass(frozen=True, eq=False)
class ThresholdResult:
    """Thresholds of a set of fibers (amplitude multipliers of the unit waveform, A).

    :ivar threshold_a: lowest activating amplitude found (upper bound of the bracket).
    :ivar lower_a: highest non-activating amplitude below it.
    :ivar n_simulations: runs spent per fiber.
    :ivar initiation_nodes: per fiber, node numbers where the AP started at threshold
        (local minima of first-crossing time; more than one = several initiation sites).
    :ivar block_windows_a: per fiber, amplitude intervals (A) in which APs start but do not
        reach the detection node (only found by the scan, or by ``probe_block``).
    """

    threshold_a: np.ndarray
    lower_a: np.ndarray
    n_simulations: np.ndarray
    precision: float
    initiation_nodes: list[list[int]] = field(default_factory=list)
    block_windows_a: list[list[tuple[float, float]]] = field(default_factory=list)

    def __repr__(self) -> str:
        thr = ", ".join(f"{x * 1e6:.4g}" for x in self.threshold_a[:5])
        more = ", ..." if self.threshold_a.size > 5 else ""
        return f"ThresholdResult([{thr}{more}] µA, precision={self.precision:g})"


#: Runs a fiber still scanning for its first upper bound is taken to need: a step or two
#: to bracket it, then the bisection of a ×2 bracket to 1 % (7 halvings).
_SCAN_RUNS_LEFT = 9


def _share_done(phase: np.ndarray, lo: np.ndarray, hi: np.ndarray, runs: np.ndarray,
                precision: float) -> float:
    """The share of a group's search done: its runs so far over those plus the runs each
    fiber has left (none once done, the halvings its bracket needs while bisecting, a
    scan's estimate before).

    >>> _share_done(np.array([2, 1, 0]), np.array([1.0, 1.0, 0.0]), np.array([1.0, 2.0, np.inf]),
    ...             np.array([10, 3, 3]), 0.01)
    0.5
    """
    left = np.full(phase.shape, float(_SCAN_RUNS_LEFT))
    left[phase == 2] = 0.0
    bis = phase == 1
    if np.any(bis):
        ratio = np.log(np.maximum(hi[bis] / np.maximum(lo[bis], 1e-300), 1.0 + precision))
        left[bis] = np.maximum(np.ceil(np.log2(ratio / math.log1p(precision))), 1.0)
    done = float(np.sum(runs))
    return done / (done + float(np.sum(left))) if done + np.sum(left) > 0 else 1.0


def _classify(out: dict[str, np.ndarray], det: int) -> np.ndarray:
    fired = np.any(out["n_cross"] > 0, axis=1)
    return np.where(out["n_cross"][:, det] > 0, _FIRE, np.where(fired, _BLOCK, _NONE))


def _initiation_nodes(t_cross: np.ndarray, node_numbers: np.ndarray) -> list[int]:
    """Nodes whose first crossing is earlier than both neighbours' (NaN = never)."""
    t = np.where(np.isnan(t_cross), np.inf, t_cross)
    if not np.any(np.isfinite(t)):
        return []
    left = np.concatenate([[np.inf], t[:-1]])
    right = np.concatenate([t[1:], [np.inf]])
    mins = np.flatnonzero(np.isfinite(t) & (t <= left) & (t <= right))
    # a plateau of equal times counts once
    keep = [m for k, m in enumerate(mins) if k == 0 or m != mins[k - 1] + 1]
    return [int(node_numbers[m]) for m in keep]


def find_thresholds(fibers: Fiber | Sequence[Fiber], potentials: Potentials,
                    waveform: Waveform, *,
                    precision: float = 0.01, options: SolverOptions | None = None,
                    probe_block: bool = False, block_probe_max_factor: float = 32.0,
                    max_rounds: int = 60, max_amplitude_a: float | None = None,
                    progress: Callable[[float], None] | None = None) -> ThresholdResult:
    """Lowest activating amplitude of every fiber.

    :param fibers: fibers (any mix of models; same-topology fibers are batched together).
    :param potentials: φ (V/A): a field or a callable of points, or one array per fiber
        (:data:`estim.fibers.protocols.Potentials`).
    :param waveform: unit waveform (A) (:data:`estim.fibers.protocols.Waveform`).
    :param precision: relative bracket width at which to stop (0.01 = 1 %).
    :param probe_block: also scan above threshold (×√2 steps up to
        ``block_probe_max_factor`` × threshold) for block windows.
    :param max_amplitude_a: search no higher (A): a fiber not excited below it gets NaN, as
        one beyond the scan's own ceiling does (a caller that needs only the fibers below
        some current saves their bisection).
    :param progress: called after each batch of runs with the share of the search done
        (0..1, never falling; an estimate from the runs each fiber has left).
    """
    fibers = [fibers] if isinstance(fibers, Fiber) else list(fibers)
    if not (isinstance(precision, numbers.Real) and 0.0 < precision < 0.5):
        raise InputError("precision", precision, "a relative precision between 0 and 0.5")
    if not is_whole(max_rounds) or max_rounds < 1:
        # 0 returned NaN, "never fires", without running anything (probe, 5 December 2026)
        raise InputError("max_rounds", max_rounds, "a whole number of rounds, 1 or more")
    if max_amplitude_a is not None and not max_amplitude_a > 0:
        raise InputError("max_amplitude_a", max_amplitude_a, "a current > 0 A, or None")
    options = options or SolverOptions()
    phis = resolve_potentials(fibers, potentials)
    n = len(fibers)
    thr = np.full(n, np.nan)
    low = np.full(n, np.nan)
    nsim = np.zeros(n, dtype=np.int64)
    init: list[list[int]] = [[] for _ in range(n)]
    blocks: list[list[tuple[float, float]]] = [[] for _ in range(n)]
    groups: dict[tuple[Any, ...], list[int]] = {}
    for i, f in enumerate(fibers):
        groups.setdefault(f.topology_key(), []).append(i)
    finished, shown = 0, [0.0]

    def partway(share: float) -> None:
        # each group's share weighted by its fibers, after the groups before it
        if progress is not None:
            shown[0] = max(shown[0], (finished + share * len(idx)) / n)
            progress(shown[0])

    for idx in groups.values():
        _search_group([fibers[i] for i in idx], [phis[i] for i in idx], waveform, options,
                      precision, max_rounds, probe_block, block_probe_max_factor,
                      idx, thr, low, nsim, init, blocks, max_amplitude_a, partway)
        finished += len(idx)
    if progress is not None:
        progress(1.0)
    return ThresholdResult(threshold_a=thr, lower_a=low, n_simulations=nsim,
                           precision=precision, initiation_nodes=init, block_windows_a=blocks)


def _search_group(fibers: list[Fiber], phis: list[np.ndarray], waveform: Waveform,
                  options: SolverOptions, precision: float, max_rounds: int, probe_block: bool,
                  probe_max: float, idx: list[int], thr: np.ndarray, low: np.ndarray,
                  nsim: np.ndarray, init: list[list[int]],
                  blocks: list[list[tuple[float, float]]],
                  max_amplitude_a: float | None = None,
                  partway: Callable[[float], None] | None = None) -> None:
    from estim.fibers.solver import detect_position

    f0 = fibers[0]
    n = len(fibers)
    tstop = options.tstop_s or _default_tstop(f0)
    if isinstance(waveform, RectangularPulse) and waveform.end_s > tstop * (1 + 1e-9):
        # a 2 ms pulse under a 1 ms tstop was cut there without a word (researcher's probe
        # of 7 December 2026)
        raise InputError("tstop_s", tstop, f"at least the pulse's end, {waveform.end_s:.10g} s "
                         "(a longer SolverOptions(tstop_s=...)): a pulse past it is cut")
    n_steps = round(tstop / options.dt_s)
    wave = sample_waveform(waveform, options.dt_s, n_steps)
    if not np.any(wave):
        raise InputError("waveform", "all zero", "a waveform that is non-zero before tstop")
    rest = initial_state(fibers)
    det = detect_position(f0, options.detect_fraction)
    act = f0.active_index
    node_numbers = np.searchsorted(f0.node_index, act)
    v_ss = rest[0][:, act]  # (F, n_act) resting Vm at the active compartments

    def run(which: np.ndarray, amps: np.ndarray) -> dict[str, np.ndarray]:
        nsim[np.asarray(idx)[which]] += 1
        return run_group(fibers, phis, which, amps, wave, options, rest=rest)

    # 1. linear probe: largest |Ve| on the fiber = 1 mV
    everyone = np.arange(n)
    probe = np.array([1e-3 / max(np.max(np.abs(p)), 1e-30) for p in phis])  # [V / (V/A) -> A]
    # The scan gives up at 1 kA or where the largest |Ve| on the fiber reaches 1 kV
    # (:data:`MAX_APPLIED_V`), whichever comes first: no stimulator in estim's range puts a kV
    # on a fiber, and far beyond it the membrane equations leave any physical range
    # (a C fiber at 3 kV drove Vm to -1,400 mV and the kernel divided by zero).
    ceiling = np.minimum(1e3, probe * (MAX_APPLIED_V / 1e-3))
    cap = math.inf if max_amplitude_a is None else float(max_amplitude_a)
    out = run(everyone, probe)
    dv = np.max(out["peak"] - v_ss, axis=1)
    amp = probe * 10.0 / np.maximum(dv, 1e-6)
    lo = np.zeros(n)
    hi = np.full(n, np.inf)
    hi_cls = np.zeros(n, dtype=np.int64)
    hi_cross = np.full((n, act.shape[0]), np.nan)
    crit = np.full(n, _BLOCK)  # upper bounds must reach at least this class
    phase = np.zeros(n, dtype=np.int64)  # 0 scan, 1 bisect, 2 done
    # the lowest amplitude seen to reach each class (excite: _BLOCK or more; propagate:
    # _FIRE), with what it did and its crossing times, so no scan repeats or passes it
    seen_a = np.full((n, 3), np.inf)
    seen_cls = np.zeros((n, 3), dtype=np.int64)
    seen_cross = np.full((n, 3, act.shape[0]), np.nan)

    def take_seen(i: int) -> bool:
        """A scanning fiber whose next step reaches a seen amplitude above its lower bound
        takes it as its upper bound (no run); True if it did."""
        a_seen = seen_a[i, crit[i]]
        if not (phase[i] == 0 and lo[i] < a_seen <= amp[i]):
            return False
        hi[i], hi_cls[i] = a_seen, seen_cls[i, crit[i]]
        hi_cross[i] = seen_cross[i, crit[i]]
        phase[i] = 1
        return True

    def close(i: int) -> None:
        """A bracket within ``precision``: done if its upper bound propagates, else climb
        on from it for propagation."""
        if hi_cls[i] == _FIRE:
            phase[i] = 2
            return
        # excitation without propagation (a local response): climb on for propagation
        blocks[idx[i]].append((hi[i], hi[i]))
        crit[i] = _FIRE
        lo[i] = hi[i]
        amp[i] = hi[i] * 1.25
        hi[i] = np.inf
        phase[i] = 0

    for _ in range(max_rounds):
        # a scan stepping past the caller's cap tries the cap itself once, so that no
        # fiber below it is lost between two steps (a climb started below re-checks it)
        # a step onto a seen amplitude needs no run; the bracket it makes may already be
        # within precision (done, or climbing on for propagation: look again)
        settled = False
        while not settled:
            settled = True
            amp[(phase == 0) & (amp > cap) & (lo < cap)] = cap
            for i in np.flatnonzero(phase == 0):
                if take_seen(int(i)) and hi[i] - lo[i] <= precision * hi[i]:
                    close(int(i))
                    settled = False
        bad = np.flatnonzero((phase == 0) & (amp > np.minimum(ceiling, cap)))  # nothing fires
        phase[bad] = 2
        hi[bad] = np.nan
        todo = np.flatnonzero(phase < 2)
        if todo.size == 0:
            break
        bis = phase[todo] == 1
        a = amp[todo].copy()
        a[bis] = np.sqrt(lo[todo][bis] * hi[todo][bis])
        out = run(todo, a)
        cls = _classify(out, det)
        dv = np.max(out["peak"] - v_ss[todo], axis=1)
        for k, i in enumerate(todo):
            for c in (_BLOCK, _FIRE):
                if cls[k] >= c and a[k] < seen_a[i, c]:
                    seen_a[i, c], seen_cls[i, c] = a[k], cls[k]
                    seen_cross[i, c] = out["t_cross"][k]
            if cls[k] >= crit[i]:
                hi[i], hi_cls[i] = a[k], cls[k]
                hi_cross[i] = out["t_cross"][k]
                if phase[i] == 0 and lo[i] == 0.0:
                    # excited on the very first step: step down until quiet (the scan
                    # then climbs back, onto the seen amplitude at most)
                    amp[i] = a[k] / 2.0
                    hi[i] = np.inf
                    continue
                phase[i] = 1
            else:
                lo[i] = a[k]
                if cls[k] == _BLOCK:
                    blocks[idx[i]].append((a[k], a[k]))
                if phase[i] == 0:
                    amp[i] = a[k] * float(np.clip(20.0 / max(dv[k], 1e-6), 1.25, 2.0))
            if phase[i] == 1 and hi[i] - lo[i] <= precision * hi[i]:
                close(int(i))
        if partway is not None:
            partway(_share_done(phase, lo, hi, nsim[np.asarray(idx)], precision))
    for local, glob in enumerate(idx):
        ok_thr = phase[local] == 2 and np.isfinite(hi[local])
        thr[glob] = hi[local] if ok_thr else np.nan
        low[glob] = lo[local]
        init[glob] = _initiation_nodes(hi_cross[local], node_numbers) if ok_thr else []
    if probe_block:
        ok = np.flatnonzero(np.isfinite(thr[idx]))
        factors = 2.0 ** (np.arange(1, int(2 * math.log2(probe_max)) + 1) / 2)
        which = np.repeat(ok, factors.size)
        amps = (thr[np.asarray(idx)[ok]][:, None] * factors[None, :]).ravel()
        if which.size:
            cls = _classify(run(which, amps), det).reshape(ok.size, factors.size)
            for row, pos in enumerate(ok):
                g = idx[int(pos)]
                window: list[float] = []
                for c, fa in zip(cls[row], factors, strict=True):
                    if c == _BLOCK:
                        window.append(float(fa * thr[g]))
                    elif window:
                        blocks[g].append((window[0], window[-1]))
                        window = []
                if window:
                    blocks[g].append((window[0], window[-1]))
