"""The hot loop: backward-Euler cable integration of a batch of fibers, compiled with numba.

One batch member is one (fiber, amplitude) pair. Each member is integrated independently
(``prange`` over the batch) with NEURON's fixed-step scheme (``secondorder = 0``):

1. ionic conductances from the gating states of the previous step (currents are linear in
   v with states held, so the linearisation NEURON makes is exact here);
2. the implicit cable system for (Vm, Vperiaxonal) at t + dt: a 2×2 block-tridiagonal
   system for the MRG double cable, solved with block Thomas, or a scalar tridiagonal
   system for single cables (the periaxonal potential is then the applied Ve);
3. gating states advanced over dt with v(t + dt) held (exponential ``cnexp`` rule);
4. threshold crossings and early termination: stop a member once the detection node has
   fired, or once the stimulus is over and every active node is back near its rest.

Every active compartment has its own channel set: ``codes[j]`` is the model code of the
j-th active compartment and ``kin[codes[j]]`` its constants (a hybrid fiber: MRG nodes and
a Sundt unmyelinated terminal). Single-model fibers pass one code for all.

Kernel units: mV, ms, nF, µS, nA (µS·mV = nA, nF·mV/ms = nA).
:func:`run_batch_numpy` is the plain-numpy twin (banded direct solve, vectorised gating)
that the tests compare the kernel against.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange
from scipy.linalg import solve_banded

from estim.fibers.kinetics import MAX_STATES, currents, kinetic_table, rates

__all__ = ["as_sources", "channel_sets", "run_batch", "run_batch_numpy"]


@njit(cache=True)
def _member(codes, kin, dt, n_steps, v_rest, cm, gpas, epas, ga, gp, cmy, gmy, area, active,
            detect, amp, phi, wave, inj_comp, inj_wave, vm, w, st, quiet_step, quiet_mv,
            stop_on_detect, thresh, t_cross, n_cross, peak, rec, rec_every, double):
    n = cm.shape[0]
    n_act = active.shape[0]
    g = np.empty(n)
    ge = np.empty(n)
    ve = np.zeros(n)
    ve_old = np.zeros(n)
    inf = np.empty(MAX_STATES)
    tau = np.empty(MAX_STATES)
    # block-Thomas work arrays (inverse of the reduced diagonal block, reduced rhs)
    i00 = np.empty(n)
    i01 = np.empty(n)
    i10 = np.empty(n)
    i11 = np.empty(n)
    r0 = np.empty(n)
    r1 = np.empty(n)
    is_active = np.zeros(n, dtype=np.int64) - 1
    for j in range(n_act):
        is_active[active[j]] = j
    ns = st.shape[1]
    # one channel set for all (every fiber but a hybrid): its constants row hoisted
    c0 = codes[0] if n_act > 0 else 0
    kin0 = kin[c0]
    mixed = False
    for j in range(n_act):
        if codes[j] != c0:
            mixed = True
    steps_done = n_steps
    n_rec = rec.shape[0]
    n_src = wave.shape[0]
    for k in range(n_steps):
        for i in range(n):
            ve[i] = 0.0
        for c in range(n_src):
            s = amp * wave[c, k]
            if s != 0.0:
                for i in range(n):
                    ve[i] += phi[c, i] * s
        # 1. conductances with states from the previous step
        for i in range(n):
            g[i] = gpas[i]
            ge[i] = gpas[i] * epas[i]
            j = is_active[i]
            if j >= 0:
                if mixed:
                    c = codes[j]
                    gc, gec = currents(c, st[j], kin[c])
                else:
                    gc, gec = currents(c0, st[j], kin0)
                scale = area[i] * 1e6  # [S/cm² * cm² -> µS]
                g[i] += gc * scale
                ge[i] += gec * scale
        # 2. implicit cable solve
        if double:
            for i in range(n):
                ca = cm[i] / dt
                gl = ga[i - 1] if i > 0 else 0.0
                gr = ga[i] if i < n - 1 else 0.0
                pl = gp[i - 1] if i > 0 else 0.0
                pr = gp[i] if i < n - 1 else 0.0
                sa = gl + gr
                cy = cmy[i] / dt + gmy[i]
                d00 = ca + g[i] + sa
                d01 = sa
                d10 = sa
                d11 = sa + pl + pr + cy
                b0 = ca * vm[i] + ge[i]
                b1 = cmy[i] / dt * (w[i] - ve_old[i]) + cy * ve[i]
                if i == inj_comp:
                    b0 += amp * inj_wave[k]
                    b1 += amp * inj_wave[k]
                if i > 0:
                    # L = [[-gl, -gl], [-gl, -gl - pl]]; M = L @ inv(D'_{i-1}); U_{i-1} = L
                    l00 = -gl
                    l11 = -gl - pl
                    m00 = l00 * i00[i - 1] + l00 * i10[i - 1]
                    m01 = l00 * i01[i - 1] + l00 * i11[i - 1]
                    m10 = l00 * i00[i - 1] + l11 * i10[i - 1]
                    m11 = l00 * i01[i - 1] + l11 * i11[i - 1]
                    d00 -= m00 * l00 + m01 * l00
                    d01 -= m00 * l00 + m01 * l11
                    d10 -= m10 * l00 + m11 * l00
                    d11 -= m10 * l00 + m11 * l11
                    b0 -= m00 * r0[i - 1] + m01 * r1[i - 1]
                    b1 -= m10 * r0[i - 1] + m11 * r1[i - 1]
                det = d00 * d11 - d01 * d10
                i00[i] = d11 / det
                i01[i] = -d01 / det
                i10[i] = -d10 / det
                i11[i] = d00 / det
                r0[i] = b0
                r1[i] = b1
            x0 = 0.0
            x1 = 0.0
            for i in range(n - 1, -1, -1):
                b0 = r0[i]
                b1 = r1[i]
                if i < n - 1:
                    u00 = -ga[i]
                    u11 = -ga[i] - gp[i]
                    b0 -= u00 * x0 + u00 * x1
                    b1 -= u00 * x0 + u11 * x1
                x0 = i00[i] * b0 + i01[i] * b1
                x1 = i10[i] * b0 + i11[i] * b1
                vm_prev = vm[i]
                vm[i] = x0
                w[i] = x1
                r0[i] = vm_prev  # keep the old potential for crossing detection
        else:
            # scalar Thomas; the periaxonal potential is the applied potential
            for i in range(n):
                gl = ga[i - 1] if i > 0 else 0.0
                gr = ga[i] if i < n - 1 else 0.0
                d = cm[i] / dt + g[i] + gl + gr
                b = cm[i] / dt * vm[i] + ge[i]
                if i > 0:
                    b -= gl * (ve[i] - ve[i - 1])
                if i < n - 1:
                    b -= gr * (ve[i] - ve[i + 1])
                if i == inj_comp:
                    b += amp * inj_wave[k]
                if i > 0:
                    m = -gl * i00[i - 1]
                    d -= m * (-gl)
                    b -= m * r1[i - 1]
                i00[i] = 1.0 / d
                r1[i] = b
            x0 = 0.0
            for i in range(n - 1, -1, -1):
                b = r1[i]
                if i < n - 1:
                    b += ga[i] * x0
                x0 = i00[i] * b
                r0[i] = vm[i]
                vm[i] = x0
                w[i] = ve[i]
        for i in range(n):
            ve_old[i] = ve[i]
        # 3. gating states with v(t + dt)
        t_new = (k + 1) * dt
        quiet = True
        detected = False
        for j in range(n_act):
            i = active[j]
            v = vm[i]
            if mixed:
                c = codes[j]
                rates(c, v, kin[c], inf, tau)
            else:
                rates(c0, v, kin0, inf, tau)
            for q in range(ns):
                st[j, q] = inf[q] + (st[j, q] - inf[q]) * math.exp(-dt / tau[q])
            # 4. threshold crossings (linear interpolation inside the step)
            v_old = r0[i]
            if v_old < thresh <= v:
                if n_cross[j] == 0:
                    t_cross[j] = t_new - dt * (v - thresh) / (v - v_old)
                n_cross[j] += 1
                if j == detect:
                    detected = True
            if v > peak[j]:
                peak[j] = v
            if v >= v_rest[j] + quiet_mv:
                quiet = False
        if n_rec > 0 and (k + 1) % rec_every == 0:
            kr = (k + 1) // rec_every - 1
            if kr < n_rec:
                for i in range(n):
                    rec[kr, i] = vm[i]
        if stop_on_detect and detected:
            steps_done = k + 1
            break
        if k + 1 >= quiet_step and quiet:
            steps_done = k + 1
            break
    return steps_done


@njit(cache=True, parallel=True)
def _run_batch_compiled(codes, kin, dt, n_steps, v_rest, cm, gpas, epas, ga, gp, cmy, gmy, area,
                        active, detect, fib, amp, phi, wave, inj_comp, inj_wave, vm, w, st,
                        quiet_step, quiet_mv, stop_on_detect, thresh, t_cross, n_cross, peak,
                        rec, rec_every, steps, double):
    n_b = amp.shape[0]
    for b in prange(n_b):
        f = fib[b]
        steps[b] = _member(codes, kin, dt, n_steps, v_rest, cm[f], gpas[f], epas[f], ga[f], gp[f],
                           cmy[f], gmy[f], area[f], active, detect, amp[b], phi[f], wave,
                           inj_comp, inj_wave, vm[b], w[b], st[b], quiet_step, quiet_mv,
                           stop_on_detect, thresh, t_cross[b], n_cross[b], peak[b], rec[b],
                           rec_every, double)


@njit(cache=True)
def _run_batch_serial(codes, kin, dt, n_steps, v_rest, cm, gpas, epas, ga, gp, cmy, gmy, area,
                      active, detect, fib, amp, phi, wave, inj_comp, inj_wave, vm, w, st,
                      quiet_step, quiet_mv, stop_on_detect, thresh, t_cross, n_cross, peak,
                      rec, rec_every, steps, double):
    # the same loop without threads: a batch of one would leave the other threads spinning
    for b in range(amp.shape[0]):
        f = fib[b]
        steps[b] = _member(codes, kin, dt, n_steps, v_rest, cm[f], gpas[f], epas[f], ga[f], gp[f],
                           cmy[f], gmy[f], area[f], active, detect, amp[b], phi[f], wave,
                           inj_comp, inj_wave, vm[b], w[b], st[b], quiet_step, quiet_mv,
                           stop_on_detect, thresh, t_cross[b], n_cross[b], peak[b], rec[b],
                           rec_every, double)


def as_sources(phi: np.ndarray, wave: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``phi`` as (F, S, N) and ``wave`` as (S, n_steps), contiguous: one source when given
    as (F, N) and (n_steps,)."""
    phi = np.asarray(phi, dtype=np.float64)
    wave = np.asarray(wave, dtype=np.float64)
    if phi.ndim == 2:
        phi = phi[:, None, :]
    if wave.ndim == 1:
        wave = wave[None, :]
    if phi.shape[1] != wave.shape[0]:
        raise ValueError(f"{phi.shape[1]} potential sources but {wave.shape[0]} waveforms")
    return np.ascontiguousarray(phi), np.ascontiguousarray(wave)


def _outputs(n_b: int, n_act: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    t_cross = np.full((n_b, n_act), np.nan)
    n_cross = np.zeros((n_b, n_act), dtype=np.int64)
    peak = np.full((n_b, n_act), -np.inf)
    steps = np.zeros(n_b, dtype=np.int64)
    return t_cross, n_cross, peak, steps


def channel_sets(code: int | np.ndarray, kin: np.ndarray, v_rest: float | np.ndarray,
                 n_act: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The kernels' per-active-compartment form of the channels: model code of each active
    compartment (int64, (n_act,)), the constants table (one row per code, 2-D) and the rest
    potential (mV, (n_act,)) from which quiescence is judged.

    :param code: one model code for every active compartment, or one per compartment.
    :param kin: the model's constants vector (with one ``code``), or a table whose row
        ``c`` holds the constants of code ``c`` (:func:`estim.fibers.kinetics.kinetic_table`).
    :param v_rest: rest (mV), one value or one per active compartment.
    """
    codes = np.ascontiguousarray(np.broadcast_to(np.asarray(code, dtype=np.int64), (n_act,)))
    kin = np.asarray(kin, dtype=np.float64)
    if kin.ndim == 1:
        if np.ndim(code) != 0:
            raise ValueError("one constants vector for several model codes: give a table")
        kin = kinetic_table({int(code): kin})
    rest = np.ascontiguousarray(np.broadcast_to(np.asarray(v_rest, dtype=np.float64),
                                                (n_act,)))
    return codes, np.ascontiguousarray(kin), rest


def run_batch(code: int | np.ndarray, kin: np.ndarray, dt: float, n_steps: int,
              v_rest: float | np.ndarray, cable: dict[str, np.ndarray], active: np.ndarray,
              detect: int, fib: np.ndarray, amp: np.ndarray, phi: np.ndarray,
              wave: np.ndarray, inj_comp: int, inj_wave: np.ndarray, vm: np.ndarray,
              w: np.ndarray, st: np.ndarray, *,
              quiet_step: int, quiet_mv: float, stop_on_detect: bool, thresh: float,
              rec_every: int = 0, n_rec: int = 0) -> dict[str, np.ndarray]:
    """Integrate a batch with the compiled kernel. ``vm``, ``w``, ``st`` are updated in place.

    :param code, kin, v_rest: the channels (:func:`channel_sets`): one model, or one model
        code per active compartment with a constants table; a member stops early once every
        active compartment is below its ``v_rest + quiet_mv`` after ``quiet_step``.
    :param cable: per-fiber arrays ``cm`` (nF), ``gpas`` (µS), ``epas`` (mV), ``ga``, ``gp``
        (µS, length N-1), ``cmy`` (nF), ``gmy`` (µS), ``area`` (cm², channel area).
    :param phi: per-fiber applied potential per unit amplitude (mV), shape (F, N), or
        (F, S, N) for S sources driven by their own waveforms (e.g. the two channels of true
        interferential current): Ve = amp x sum_s phi[s] x wave[s].
    :param wave: unit waveform value applied during each step, shape (n_steps,) or
        (S, n_steps).
    :returns: ``t_cross`` (ms, first crossing per active node), ``n_cross``, ``peak`` (mV),
        ``steps`` (steps integrated per member) and ``rec`` (mV traces if requested).
    """
    phi, wave = as_sources(phi, wave)
    n_b = amp.shape[0]
    n = cable["cm"].shape[1]
    t_cross, n_cross, peak, steps = _outputs(n_b, active.shape[0])
    rec = np.zeros((n_b, n_rec, n)) if n_rec else np.zeros((n_b, 0, n))
    double = bool(np.any(cable["gp"] > 0))
    codes, table, rest = channel_sets(code, kin, v_rest, active.shape[0])
    kernel = _run_batch_serial if n_b == 1 else _run_batch_compiled
    kernel(codes, table, float(dt), int(n_steps), rest, cable["cm"], cable["gpas"],
           cable["epas"], cable["ga"], cable["gp"], cable["cmy"], cable["gmy"], cable["area"],
           active, int(detect), fib, amp, phi, wave, int(inj_comp), inj_wave, vm, w, st,
           int(quiet_step), float(quiet_mv), bool(stop_on_detect), float(thresh), t_cross,
           n_cross, peak, rec, max(int(rec_every), 1), steps, double)
    return {"t_cross": t_cross, "n_cross": n_cross, "peak": peak, "steps": steps, "rec": rec}


def run_batch_numpy(code: int | np.ndarray, kin: np.ndarray, dt: float, n_steps: int,
                    v_rest: float | np.ndarray,
                    cable: dict[str, np.ndarray], active: np.ndarray, detect: int,
                    fib: np.ndarray, amp: np.ndarray, phi: np.ndarray, wave: np.ndarray,
                    inj_comp: int, inj_wave: np.ndarray, vm: np.ndarray, w: np.ndarray,
                    st: np.ndarray, *, thresh: float) -> dict[str, np.ndarray]:
    """Plain-numpy twin of :func:`run_batch` (no early termination, no recording).

    Assembles the full cable matrix of every member in banded form and solves it with
    :func:`scipy.linalg.solve_banded`; gating uses the kinetics' pure-Python ``py_func``.
    Slow: meant for tests on short runs.
    """
    phi, wave = as_sources(phi, wave)
    n_b = amp.shape[0]
    n = cable["cm"].shape[1]
    ns = st.shape[2]
    t_cross, n_cross, peak, steps = _outputs(n_b, active.shape[0])
    double = bool(np.any(cable["gp"] > 0))
    codes, table, _ = channel_sets(code, kin, v_rest, active.shape[0])
    rates_py = rates.py_func
    currents_py = currents.py_func
    ve_old = np.zeros((n_b, n))
    for k in range(n_steps):
        ve = amp[:, None] * np.einsum("bsn,s->bn", phi[fib], wave[:, k])
        for b in range(n_b):
            f = fib[b]
            c = {key: val[f] for key, val in cable.items()}
            g = c["gpas"].copy()
            ge = c["gpas"] * c["epas"]
            for j, i in enumerate(active):
                gc, gec = currents_py(codes[j], st[b, j], table[codes[j]])
                g[i] += gc * c["area"][i] * 1e6
                ge[i] += gec * c["area"][i] * 1e6
            inj = np.zeros(n)
            if inj_comp >= 0:
                inj[inj_comp] = amp[b] * inj_wave[k]
            # axial coupling matrix of the intracellular (A) and periaxonal (P) lines
            a_lap = np.zeros((n, n))
            p_lap = np.zeros((n, n))
            idx = np.arange(n - 1)
            for lap, gg in ((a_lap, c["ga"]), (p_lap, c["gp"])):
                lap[idx, idx] += gg
                lap[idx + 1, idx + 1] += gg
                lap[idx, idx + 1] -= gg
                lap[idx + 1, idx] -= gg
            ca = c["cm"] / dt
            if double:
                cy = c["cmy"] / dt + c["gmy"]
                full = np.zeros((2 * n, 2 * n))
                full[0::2, 0::2] = np.diag(ca + g) + a_lap
                full[0::2, 1::2] = a_lap
                full[1::2, 0::2] = a_lap
                full[1::2, 1::2] = a_lap + p_lap + np.diag(cy)
                rhs = np.empty(2 * n)
                rhs[0::2] = ca * vm[b] + ge + inj
                rhs[1::2] = c["cmy"] / dt * (w[b] - ve_old[b]) + cy * ve[b] + inj
                band = np.zeros((7, 2 * n))
                for off in range(-3, 4):
                    diag = np.diagonal(full, off)
                    if off >= 0:
                        band[3 - off, off:] = diag
                    else:
                        band[3 - off, : 2 * n + off] = diag
                x = solve_banded((3, 3), band, rhs)
                v_new, w_new = x[0::2], x[1::2]
            else:
                mat = np.diag(ca + g) + a_lap
                rhs = ca * vm[b] + ge + inj - a_lap @ ve[b]
                band = np.zeros((3, n))
                band[0, 1:] = np.diagonal(mat, 1)
                band[1] = np.diagonal(mat)
                band[2, :-1] = np.diagonal(mat, -1)
                v_new, w_new = solve_banded((1, 1), band, rhs), ve[b].copy()
            v_old = vm[b].copy()
            vm[b] = v_new
            w[b] = w_new
            inf = np.empty(MAX_STATES)
            tau = np.empty(MAX_STATES)
            for j, i in enumerate(active):
                rates_py(codes[j], v_new[i], table[codes[j]], inf, tau)
                st[b, j, :ns] = inf[:ns] + (st[b, j, :ns] - inf[:ns]) * np.exp(-dt / tau[:ns])
                if v_old[i] < thresh <= v_new[i]:
                    if n_cross[b, j] == 0:
                        t_cross[b, j] = (k + 1) * dt - dt * (v_new[i] - thresh) / (
                            v_new[i] - v_old[i])
                    n_cross[b, j] += 1
                peak[b, j] = max(peak[b, j], v_new[i])
        ve_old = ve
    steps[:] = n_steps
    return {"t_cross": t_cross, "n_cross": n_cross, "peak": peak, "steps": steps}
