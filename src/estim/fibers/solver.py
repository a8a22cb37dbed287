"""Driving the kernel: potentials, waveforms, steady state, batched runs.

The extracellular potential is Ve(x, t) = φ(x) · I(t): ``φ`` in V/A at every compartment
centre (an array, or a callable ``potential(points (N, 3) m) -> (N,) V/A``), and ``I(t)`` the
waveform at unit amplitude (A): an object with ``.sample(t)``, a callable ``sample(t)``, or
an array already on the solver's time grid. Amplitudes multiply the waveform.

Several sources with waveforms of their own (the two channels of true interferential
current) superpose: Ve(x, t) = Σ_s φ_s(x) · I_s(t). Give each fiber's φ as an (S, N) array
and a waveform whose ``sample(t)`` returns (S, len(t)) values.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from estim.errors import InputError
from estim.fibers.cable import MYELINATED, Fiber
from estim.fibers.kernel import run_batch
from estim.fibers.kinetics import MAX_STATES, rates
from estim.fibers.protocols import Potentials, SampledWaveform, Waveform, potentials_of

__all__ = [
    "DEFAULT_DT_S",
    "RectangularPulse",
    "SimulationResult",
    "SolverOptions",
    "point_source_potential",
    "simulate",
]

DEFAULT_DT_S = 2e-6  # within 1 % of NEURON at dt = 1 µs on the reference cases (docs/fibers.md)
AP_THRESHOLD_MV = -30.0  # AP detection level, as the reference set-up


@dataclass(frozen=True)
class RectangularPulse:
    """Monophasic rectangular pulse of unit amplitude starting at ``delay_s``.

    ``cathodic=True`` gives -1 A during the pulse (a negative, cathodic current).
    """

    pulse_width_s: float
    delay_s: float = 0.0
    cathodic: bool = True

    def __post_init__(self) -> None:
        # 100 (meant as µs) ran as a 100 s pulse, NaN and -1e-4 were blamed on an "all
        # zero" waveform and '100 us' was a TypeError (researcher's probe of 7 December
        # 2026): a width in s, as SolverOptions' times are
        w = self.pulse_width_s
        if isinstance(w, bool) or not isinstance(w, numbers.Real) or not 0 < w <= 10.0:
            raise InputError("pulse_width_s", w, "a pulse width in s above 0 and at most "
                             "10 s, e.g. 100e-6 for 100 µs")
        d = self.delay_s
        if isinstance(d, bool) or not isinstance(d, numbers.Real) or not 0 <= d <= 10.0:
            raise InputError("delay_s", d, "a delay in s from 0 to 10 s")

    def sample(self, t: np.ndarray) -> np.ndarray:
        t = np.asarray(t, dtype=float)
        on = (t >= self.delay_s) & (t < self.delay_s + self.pulse_width_s)
        return np.where(on, -1.0 if self.cathodic else 1.0, 0.0)

    @property
    def end_s(self) -> float:
        return self.delay_s + self.pulse_width_s


@dataclass(frozen=True)
class SolverOptions:
    """Numerical settings. Times in s, potentials in mV.

    :param dt_s: time step.
    :param tstop_s: longest simulated time (default 10 ms myelinated, 30 ms unmyelinated).
    :param detect_fraction: detection node, as a fraction along the fiber (NEURON indexing).
    :param quiet_mv: a run stops once the stimulus is over and all active nodes are within
        this of rest (no AP can follow); ``math.inf`` never stops early... only at tstop.
    :param early_stop: stop at detection or quiescence (False: always run to tstop).
    """

    dt_s: float = DEFAULT_DT_S
    tstop_s: float | None = None
    detect_fraction: float = 0.9
    quiet_mv: float = 10.0
    early_stop: bool = True

    def __post_init__(self) -> None:
        # 0 was a ZeroDivisionError, NaN a ValueError, and a step longer than the pulse
        # blamed the waveform as "all zero" (probe of 5 December 2026)
        if not (isinstance(self.dt_s, numbers.Real) and 0 < self.dt_s <= 1e-4):
            raise InputError("dt_s", self.dt_s, "a time step above 0 and at most 100 µs")
        if self.tstop_s is not None and not (isinstance(self.tstop_s, numbers.Real)
                                             and self.dt_s < self.tstop_s <= 10.0):
            raise InputError("tstop_s", self.tstop_s, "None, or a time above the step and "
                             "at most 10 s")
        if not (isinstance(self.detect_fraction, numbers.Real)
                and 0 <= self.detect_fraction <= 1):
            raise InputError("detect_fraction", self.detect_fraction, "a fraction from 0 to 1")


@dataclass(frozen=True, eq=False)
class SimulationResult:
    """Outcome of a batch: one row per fiber, one column per amplitude.

    ``first_crossing_s`` has one entry per active compartment (NaN: never crossed -30 mV).
    """

    activated: np.ndarray  # (F, K) bool, AP at the detection node
    detect_time_s: np.ndarray  # (F, K)
    first_crossing_s: np.ndarray  # (F, K, n_active)
    n_crossings: np.ndarray  # (F, K, n_active)
    peak_mv: np.ndarray  # (F, K, n_active)
    steps: np.ndarray  # (F, K) steps integrated
    traces_mv: np.ndarray | None = None  # (F, K, n_rec, N) when recorded

    @property
    def fired_anywhere(self) -> np.ndarray:
        return np.any(self.n_crossings > 0, axis=-1)

    @property
    def blocked(self) -> np.ndarray:
        """APs somewhere but none reached the detection node (e.g. virtual-anode block)."""
        return self.fired_anywhere & ~self.activated


def point_source_potential(points_m: np.ndarray, source_m: Sequence[float], sigma_s_per_m: float,
                           ) -> np.ndarray:
    """Potential of a point current source in an infinite homogeneous medium, V per A.

    V = 1 / (4 π σ r).

    :param points_m: (N, 3) evaluation points (m).
    :param source_m: source position (m).
    :param sigma_s_per_m: conductivity (S/m).
    """
    if not (sigma_s_per_m > 0 and math.isfinite(sigma_s_per_m)):
        raise InputError("sigma", sigma_s_per_m, "a positive conductivity in S/m")
    r = np.linalg.norm(np.asarray(points_m, float) - np.asarray(source_m, float)[None, :], axis=1)
    if np.any(r <= 0):
        raise InputError("distance", 0.0, "a source not on a compartment centre")
    return 1.0 / (4.0 * math.pi * sigma_s_per_m * r)


def resolve_potentials(fibers: Sequence[Fiber], potentials: Potentials) -> list[np.ndarray]:
    """φ (V/A) of every fiber: from a field (``.potential(points)``), one callable, one
    array per fiber, or a 2-D array."""
    out = []
    for f, phi in zip(fibers, potentials_of(fibers, potentials), strict=True):
        if phi.shape[-1:] != (f.n_compartments,) or phi.ndim > 2:
            raise InputError("potentials", phi.shape,
                             f"{f.n_compartments} values (V/A), one per compartment centre "
                             "(or one such row per source)")
        if not np.all(np.isfinite(phi)):
            raise InputError("potentials", "non-finite values", "finite V/A values")
        out.append(phi)
    return out


def sample_waveform(waveform: Waveform, dt_s: float, n_steps: int) -> np.ndarray:
    """Unit waveform (A) applied during each step: the mean over the step of ``sample(t)``.

    An array is taken as already on the grid (value during step k) and padded with zeros.
    """
    if isinstance(waveform, np.ndarray):
        w = np.zeros((*waveform.shape[:-1], n_steps))
        m = min(n_steps, waveform.shape[-1])
        w[..., :m] = waveform[..., :m]
        return w
    sample = waveform.sample if isinstance(waveform, SampledWaveform) else waveform
    if not callable(sample):
        raise InputError("waveform", type(waveform).__name__,
                         "an object with .sample(t), a callable or an array")
    sub = 4
    t = (np.arange(n_steps)[:, None] + (np.arange(sub)[None, :] + 0.5) / sub) * dt_s
    values = np.asarray(sample(t.ravel()), dtype=float)  # (T,) or (sources, T)
    return values.reshape(*values.shape[:-1], n_steps, sub).mean(axis=-1)


#: Simulated time of a myelinated fiber's run where the caller gives none (s): long enough
#: for an action potential started by a pulse of a few ms to reach the detection node.
MYELINATED_TSTOP_S = 10e-3


def _default_tstop(fiber: Fiber) -> float:
    return MYELINATED_TSTOP_S if fiber.model in MYELINATED else 30e-3


def _stack(fibers: Sequence[Fiber]) -> dict[str, np.ndarray]:
    return {k: np.ascontiguousarray(np.stack([f.cable[k] for f in fibers]))
            for k in fibers[0].cable}


#: Extra settling of a hybrid fiber's rest (steps of 50 ms): its terminal (Sundt, rest
#: -60 mV) and the MRG node it joins (-80 mV) settle to a shared rest through the Sundt
#: K-DR inactivation, whose time constant is hundreds of ms.
_HYBRID_SETTLE_STEPS = 100


def initial_state(fibers: Sequence[Fiber]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rest state: Vm = v_rest, gates at steady state, then 200 ms at dt = 5 ms, no stimulus
    (the reference's steady-state initialisation); a hybrid fiber settles 5 s more at
    dt = 50 ms (backward Euler and exponential gating are stable at any step). Returns vm,
    w (mV), states."""
    f0 = fibers[0]
    n_f = len(fibers)
    kin = f0.kinetic_table()
    codes = f0.active_codes
    n_act = f0.active_index.shape[0]
    vm = np.full((n_f, f0.n_compartments), f0.v_rest_mv)
    w = np.zeros_like(vm)
    ns = f0.n_states
    st = np.zeros((n_f, n_act, ns))
    inf = np.empty(MAX_STATES)
    tau = np.empty(MAX_STATES)
    for code in np.unique(codes):
        rates(int(code), f0.v_rest_mv, kin[code], inf, tau)
        st[:, codes == code] = inf[:ns]
    cable = _stack(fibers)
    settle = [(5.0, 40)]
    if f0.terminal is not None:
        settle.append((50.0, _HYBRID_SETTLE_STEPS))
    for dt_ms, n_steps in settle:
        zeros = np.zeros(n_steps)
        run_batch(codes, kin, dt_ms, n_steps, f0.v_rest_mv, cable, f0.active_index, 0,
                  np.arange(n_f), np.zeros(n_f), np.zeros_like(vm), zeros, -1, zeros, vm, w,
                  st, quiet_step=n_steps + 1, quiet_mv=math.inf, stop_on_detect=False,
                  thresh=AP_THRESHOLD_MV)
    return vm, w, st


def quiet_rest(fibers: Sequence[Fiber], vm_rest: np.ndarray) -> np.ndarray | float:
    """Rest (mV) from which a run is judged quiet: the model's rest for a single-model fiber;
    for a hybrid, at the terminal's compartments the highest settled rest of the group (the
    terminal rests between the Sundt -60 mV and the MRG -80 mV)."""
    f0 = fibers[0]
    if f0.terminal is None:
        return f0.v_rest_mv
    settled = np.max(vm_rest[:, f0.active_index], axis=0)
    return np.where(f0.active_codes == f0.code, f0.v_rest_mv, settled)


def detect_position(fiber: Fiber, fraction: float) -> int:
    """Position, in the fiber's active-compartment list, of the detection node."""
    if not 0.0 <= fraction <= 1.0:
        raise InputError("detect_fraction", fraction, "a fraction of the fiber length, 0–1")
    comp = fiber.node_index[fiber.node_at(fraction)]
    hits = np.flatnonzero(fiber.active_index == comp)
    if hits.size == 0:
        raise InputError("detect_fraction", fraction, "a location on an active (not end) node")
    return int(hits[0])


def run_group(fibers: Sequence[Fiber], phis: Sequence[np.ndarray], fib: np.ndarray,
              amps_a: np.ndarray, wave: np.ndarray, options: SolverOptions, *,
              inj_comp: int = -1, inj_wave: np.ndarray | None = None,
              rest: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
              record_every: int = 0) -> dict[str, np.ndarray]:
    """Run batch members ``(fib[b], amps_a[b])`` of fibers that share a topology."""
    f0 = fibers[0]
    dt_ms = options.dt_s * 1e3  # [s -> ms]
    n_steps = wave.shape[-1]
    vm0, w0, st0 = rest if rest is not None else initial_state(fibers)
    vm = np.ascontiguousarray(vm0[fib])
    w = np.ascontiguousarray(w0[fib])
    st = np.ascontiguousarray(st0[fib])
    phi_mv = np.stack(phis) * 1e3  # [V/A -> mV/A]; (F, N), or (F, sources, N)
    inj = np.zeros(n_steps) if inj_wave is None else inj_wave * 1e9  # [A -> nA]
    drive = np.abs(wave).reshape(-1, n_steps).sum(axis=0) + (
        np.abs(inj_wave) if inj_wave is not None else 0.0)
    last_on = int(np.flatnonzero(drive)[-1]) + 1 if np.any(drive) else 0
    quiet_step = last_on + 1 if options.early_stop else n_steps + 1
    n_rec = (n_steps // record_every) if record_every else 0
    return run_batch(f0.active_codes, f0.kinetic_table(), dt_ms, n_steps,
                     quiet_rest(fibers, vm0), _stack(fibers),
                     f0.active_index, detect_position(f0, options.detect_fraction),
                     fib.astype(np.int64), amps_a.astype(float), phi_mv, wave, inj_comp, inj,
                     vm, w, st, quiet_step=quiet_step, quiet_mv=options.quiet_mv,
                     stop_on_detect=options.early_stop, thresh=AP_THRESHOLD_MV,
                     rec_every=record_every, n_rec=n_rec)


def simulate(fibers: Fiber | Sequence[Fiber], potentials: Potentials, waveform: Waveform,
             amplitudes_a: Sequence[float] | np.ndarray, *, options: SolverOptions | None = None,
             record_every: int = 0) -> SimulationResult:
    """Simulate every fiber at every amplitude.

    :param fibers: one fiber or fibers sharing a model and compartment count.
    :param potentials: φ in V/A (see module doc).
    :param waveform: unit waveform (A): ``.sample(t)``, callable, or array on the grid.
    :param amplitudes_a: amplitude multipliers (A), shape (K,) or (F, K).
    :param record_every: record Vm of every compartment each this many steps (0: none).
    """
    fibers = [fibers] if isinstance(fibers, Fiber) else list(fibers)
    options = options or SolverOptions()
    keys = {f.topology_key() for f in fibers}
    if len(keys) != 1:
        raise InputError("fibers", f"{len(keys)} topologies",
                         "fibers of one model and compartment count per call")
    if not (options.dt_s > 0 and math.isfinite(options.dt_s)):
        raise InputError("dt", options.dt_s, "a positive time step in s")
    amps = np.asarray(amplitudes_a, dtype=float)
    amps = np.broadcast_to(amps, (len(fibers), amps.shape[-1])) if amps.ndim == 1 else amps
    n_f, n_k = amps.shape
    tstop = options.tstop_s or _default_tstop(fibers[0])
    n_steps = round(tstop / options.dt_s)
    wave = sample_waveform(waveform, options.dt_s, n_steps)
    phis = resolve_potentials(fibers, potentials)
    fib = np.repeat(np.arange(n_f), n_k)
    out = run_group(fibers, phis, fib, amps.ravel(), wave, options, record_every=record_every)
    det = detect_position(fibers[0], options.detect_fraction)
    t_cross = out["t_cross"].reshape(n_f, n_k, -1) * 1e-3  # [ms -> s]
    n_cross = out["n_cross"].reshape(n_f, n_k, -1)
    return SimulationResult(
        activated=n_cross[:, :, det] > 0,
        detect_time_s=t_cross[:, :, det],
        first_crossing_s=t_cross,
        n_crossings=n_cross,
        peak_mv=out["peak"].reshape(n_f, n_k, -1),
        steps=out["steps"].reshape(n_f, n_k),
        traces_mv=out["rec"].reshape(n_f, n_k, *out["rec"].shape[1:]) if record_every else None,
    )
