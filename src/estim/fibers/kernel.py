"""The hot loop: backward-Euler cable integration of a batch of fibers, compiled with numba.

One batch member is one (fiber, amplitude) pair. Each member is integrated independently
with NEURON's fixed-step scheme (``secondorder = 0``):

1. ionic conductances from the gating states of the previous step (currents are linear in
   v with states held, so the linearisation NEURON makes is exact here);
2. the implicit cable system for (Vm, Vperiaxonal) at t + dt: a 2×2 block-tridiagonal
   system for the MRG double cable, solved with block Thomas, or a scalar tridiagonal
   system for single cables (the periaxonal potential is then the applied Ve);
3. gating states advanced over dt with v(t + dt) held (exponential ``cnexp`` rule);
4. threshold crossings and early termination: stop a member once the detection node has
   fired, or once the stimulus is over and every active node is back near its rest.

The batch is split among the threads (``prange`` over chunks); a thread integrates
:data:`LANES` members of its chunk side by side, step by step, and a lane whose member has
finished takes the next. A member's arithmetic is the same, operation for operation, as if
it ran alone (the tests check this bit for bit): the lanes only let the processor overlap
the long chains of dependent operations of independent members' cable solves.

Divisions follow IEEE arithmetic (``error_model="numpy"``): a zero divisor gives inf rather
than an exception (numba raised one inside a thread of ``prange``, and that thread's
remaining members were silently left unintegrated). A gating time constant that underflows
to zero then sets the gate at its steady state, its limit; a member whose membrane potential
leaves the finite range stops, and :func:`run_batch` refuses the run.

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
from numba import get_num_threads, njit, prange
from scipy.linalg import solve_banded

from estim.errors import InputError
from estim.fibers.kinetics import (
    currents,
    gate_table,
    kinetic_table,
    step_gates,
)
from estim.parallel import one_at_a_time

__all__ = ["as_sources", "channel_sets", "run_batch", "run_batch_numpy"]


#: Batch members integrated side by side on one thread. Each member's cable solve is a chain
#: of dependent operations (block Thomas): interleaving independent members lets the
#: processor overlap their chains. Every member gets exactly the operations it would alone.
LANES = 8


@njit(cache=True, error_model="numpy")
def _take(la, b, fib, amp, dt, cm, gpas, epas, ga, gp, cmy, gmy, area, phi, vm, w, st, lb, lk,
          lamp, lvm, lw, lold, lst, lcad, lcyd, lgpas, lepas, lgmy, larea, lga, lgp, lphi):
    """Put member ``b`` into lane ``la``: its state, its fiber's cable and potentials, its
    amplitude, step 0."""
    lb[la] = b
    lk[la] = 0
    lamp[la] = amp[b]
    f = fib[b]
    n = lvm.shape[0]
    for i in range(n):
        lvm[i, la] = vm[b, i]
        lw[i, la] = w[b, i]
        lold[i, la] = 0.0
        lcad[i, la] = cm[f, i] / dt
        lcyd[i, la] = cmy[f, i] / dt
        lgpas[i, la] = gpas[f, i]
        lepas[i, la] = epas[f, i]
        lgmy[i, la] = gmy[f, i]
        larea[i, la] = area[f, i]
    for i in range(n - 1):
        lga[i, la] = ga[f, i]
        lgp[i, la] = gp[f, i]
    for c in range(lphi.shape[0]):
        for i in range(n):
            lphi[c, i, la] = phi[f, c, i]
    for j in range(lst.shape[0]):
        for q in range(lst.shape[1]):
            lst[j, q, la] = st[b, j, q]


@njit(cache=True, error_model="numpy")
def _chunk(members, codes, kin, dt, n_steps, v_rest, cm, gpas, epas, ga, gp, cmy, gmy, area,
           active, detect, fib, amp, phi, wave, inj_comp, inj_wave, vm, w, st, quiet_step,
           quiet_mv, stop_on_detect, thresh, t_cross, n_cross, peak, rec, rec_every, steps,
           double, gtab):
    """Integrate the batch members listed in ``members``, :data:`LANES` at a time: a lane
    that finishes its member (detection, quiescence or the last step) takes the next one."""
    n = cm.shape[1]
    n_act = active.shape[0]
    n_src = wave.shape[0]
    ns = st.shape[2]
    n_rec = rec.shape[1]
    lanes = LANES
    # lane-local copies of each member's state and fiber (lane index last)
    lvm = np.empty((n, lanes))
    lw = np.empty((n, lanes))
    lold = np.empty((n, lanes))  # applied potential of the previous step
    lst = np.empty((n_act, ns, lanes))
    lcad = np.empty((n, lanes))  # cm / dt
    lcyd = np.empty((n, lanes))  # cmy / dt
    lgpas = np.empty((n, lanes))
    lepas = np.empty((n, lanes))
    lgmy = np.empty((n, lanes))
    larea = np.empty((n, lanes))
    lga = np.empty((max(n - 1, 1), lanes))
    lgp = np.empty((max(n - 1, 1), lanes))
    lphi = np.empty((n_src, n, lanes))
    # per-step work arrays
    g = np.empty((n, lanes))
    ge = np.empty((n, lanes))
    ve = np.empty((n, lanes))
    i00 = np.empty((n, lanes))
    i01 = np.empty((n, lanes))
    i10 = np.empty((n, lanes))
    i11 = np.empty((n, lanes))
    r0 = np.empty((n, lanes))
    r1 = np.empty((n, lanes))
    x0 = np.empty(lanes)
    x1 = np.empty(lanes)
    # the lanes' members
    lb = np.full(lanes, -1, dtype=np.int64)
    lk = np.zeros(lanes, dtype=np.int64)
    lamp = np.zeros(lanes)
    quiet = np.zeros(lanes, dtype=np.bool_)
    detected = np.zeros(lanes, dtype=np.bool_)
    diverged = np.zeros(lanes, dtype=np.bool_)
    act = np.empty(lanes, dtype=np.int64)  # slots in use are act[:na]
    is_active = np.zeros(n, dtype=np.int64) - 1
    for j in range(n_act):
        is_active[active[j]] = j
    n_m = members.shape[0]
    nxt = 0
    na = 0
    if n_steps <= 0:
        for m in range(n_m):
            steps[members[m]] = 0
        return
    # fill the lanes
    na = min(lanes, n_m)
    for li in range(na):
        act[li] = li
    for li in range(na):
        la = act[li]
        _take(la, members[nxt], fib, amp, dt, cm, gpas, epas, ga, gp, cmy, gmy, area, phi, vm,
              w, st, lb, lk, lamp, lvm, lw, lold, lst, lcad, lcyd, lgpas, lepas, lgmy, larea,
              lga, lgp, lphi)
        nxt += 1
    while na > 0:
        # applied potential
        for li in range(na):
            la = act[li]
            for i in range(n):
                ve[i, la] = 0.0
            for c in range(n_src):
                s = lamp[la] * wave[c, lk[la]]
                if s != 0.0:
                    for i in range(n):
                        ve[i, la] += lphi[c, i, la] * s
        # 1. conductances with states from the previous step
        for i in range(n):
            j = is_active[i]
            for li in range(na):
                la = act[li]
                g[i, la] = lgpas[i, la]
                ge[i, la] = lgpas[i, la] * lepas[i, la]
            if j >= 0:
                c = codes[j]
                for li in range(na):
                    la = act[li]
                    gc, gec = currents(c, lst[j, :, la], kin[c])
                    scale = larea[i, la] * 1e6  # [S/cm² * cm² -> µS]
                    g[i, la] += gc * scale
                    ge[i, la] += gec * scale
        # 2. implicit cable solve
        if double:
            for i in range(n):
                for li in range(na):
                    la = act[li]
                    k = lk[la]
                    ca = lcad[i, la]
                    gl = lga[i - 1, la] if i > 0 else 0.0
                    gr = lga[i, la] if i < n - 1 else 0.0
                    pl = lgp[i - 1, la] if i > 0 else 0.0
                    pr = lgp[i, la] if i < n - 1 else 0.0
                    sa = gl + gr
                    cy = lcyd[i, la] + lgmy[i, la]
                    d00 = ca + g[i, la] + sa
                    d01 = sa
                    d10 = sa
                    d11 = sa + pl + pr + cy
                    b0 = ca * lvm[i, la] + ge[i, la]
                    b1 = lcyd[i, la] * (lw[i, la] - lold[i, la]) + cy * ve[i, la]
                    if i == inj_comp:
                        b0 += lamp[la] * inj_wave[k]
                        b1 += lamp[la] * inj_wave[k]
                    if i > 0:
                        l00 = -gl
                        l11 = -gl - pl
                        m00 = l00 * i00[i - 1, la] + l00 * i10[i - 1, la]
                        m01 = l00 * i01[i - 1, la] + l00 * i11[i - 1, la]
                        m10 = l00 * i00[i - 1, la] + l11 * i10[i - 1, la]
                        m11 = l00 * i01[i - 1, la] + l11 * i11[i - 1, la]
                        d00 -= m00 * l00 + m01 * l00
                        d01 -= m00 * l00 + m01 * l11
                        d10 -= m10 * l00 + m11 * l00
                        d11 -= m10 * l00 + m11 * l11
                        b0 -= m00 * r0[i - 1, la] + m01 * r1[i - 1, la]
                        b1 -= m10 * r0[i - 1, la] + m11 * r1[i - 1, la]
                    det = d00 * d11 - d01 * d10
                    i00[i, la] = d11 / det
                    i01[i, la] = -d01 / det
                    i10[i, la] = -d10 / det
                    i11[i, la] = d00 / det
                    r0[i, la] = b0
                    r1[i, la] = b1
            for li in range(na):
                la = act[li]
                x0[la] = 0.0
                x1[la] = 0.0
            for i in range(n - 1, -1, -1):
                for li in range(na):
                    la = act[li]
                    b0 = r0[i, la]
                    b1 = r1[i, la]
                    if i < n - 1:
                        u00 = -lga[i, la]
                        u11 = -lga[i, la] - lgp[i, la]
                        b0 -= u00 * x0[la] + u00 * x1[la]
                        b1 -= u00 * x0[la] + u11 * x1[la]
                    y0 = i00[i, la] * b0 + i01[i, la] * b1
                    y1 = i10[i, la] * b0 + i11[i, la] * b1
                    x0[la] = y0
                    x1[la] = y1
                    r0[i, la] = lvm[i, la]  # keep the old potential for crossing detection
                    lvm[i, la] = y0
                    lw[i, la] = y1
        else:
            # scalar Thomas; the periaxonal potential is the applied potential
            for i in range(n):
                for li in range(na):
                    la = act[li]
                    k = lk[la]
                    gl = lga[i - 1, la] if i > 0 else 0.0
                    gr = lga[i, la] if i < n - 1 else 0.0
                    d = lcad[i, la] + g[i, la] + gl + gr
                    bb = lcad[i, la] * lvm[i, la] + ge[i, la]
                    if i > 0:
                        bb -= gl * (ve[i, la] - ve[i - 1, la])
                    if i < n - 1:
                        bb -= gr * (ve[i, la] - ve[i + 1, la])
                    if i == inj_comp:
                        bb += lamp[la] * inj_wave[k]
                    if i > 0:
                        mm = -gl * i00[i - 1, la]
                        d -= mm * (-gl)
                        bb -= mm * r1[i - 1, la]
                    i00[i, la] = 1.0 / d
                    r1[i, la] = bb
            for li in range(na):
                x0[act[li]] = 0.0
            for i in range(n - 1, -1, -1):
                for li in range(na):
                    la = act[li]
                    bb = r1[i, la]
                    if i < n - 1:
                        bb += lga[i, la] * x0[la]
                    y0 = i00[i, la] * bb
                    x0[la] = y0
                    r0[i, la] = lvm[i, la]
                    lvm[i, la] = y0
                    lw[i, la] = ve[i, la]
        for i in range(n):
            for li in range(na):
                la = act[li]
                lold[i, la] = ve[i, la]
        # 3. gating states with v(t + dt); 4. crossings
        for li in range(na):
            la = act[li]
            quiet[la] = True
            detected[la] = False
            diverged[la] = False
        for j in range(n_act):
            i = active[j]
            c = codes[j]
            for li in range(na):
                la = act[li]
                b = lb[la]
                v = lvm[i, la]
                step_gates(c, v, kin[c], gtab, dt, lst[j, :, la], ns)
                v_old = r0[i, la]
                if v_old < thresh <= v:
                    if n_cross[b, j] == 0:
                        t_cross[b, j] = (lk[la] + 1) * dt - dt * (v - thresh) / (v - v_old)
                    n_cross[b, j] += 1
                    if j == detect:
                        detected[la] = True
                if not math.isfinite(v):
                    diverged[la] = True
                if v > peak[b, j]:
                    peak[b, j] = v
                if v >= v_rest[j] + quiet_mv:
                    quiet[la] = False
        # recording, end of the step, and members that are finished
        for li in range(na - 1, -1, -1):
            la = act[li]
            b = lb[la]
            k1 = lk[la] + 1
            lk[la] = k1
            if n_rec > 0 and k1 % rec_every == 0:
                kr = k1 // rec_every - 1
                if kr < n_rec:
                    for i in range(n):
                        rec[b, kr, i] = lvm[i, la]
            fin = k1 >= n_steps or diverged[la] or (stop_on_detect and detected[la]) or (
                k1 >= quiet_step and quiet[la])
            if not fin:
                continue
            steps[b] = -k1 if diverged[la] else k1  # < 0: left the finite range
            for i in range(n):
                vm[b, i] = lvm[i, la]
                w[b, i] = lw[i, la]
            for j in range(n_act):
                for q in range(ns):
                    st[b, j, q] = lst[j, q, la]
            if nxt < n_m:
                # the lane takes the next member
                _take(la, members[nxt], fib, amp, dt, cm, gpas, epas, ga, gp, cmy, gmy, area,
                      phi, vm, w, st, lb, lk, lamp, lvm, lw, lold, lst, lcad, lcyd, lgpas,
                      lepas, lgmy, larea, lga, lgp, lphi)
                nxt += 1
            else:
                na -= 1
                act[li] = act[na]


@njit(cache=True, parallel=True, error_model="numpy")
def _run_batch_compiled(codes, kin, dt, n_steps, v_rest, cm, gpas, epas, ga, gp, cmy, gmy, area,
                        active, detect, fib, amp, phi, wave, inj_comp, inj_wave, vm, w, st,
                        quiet_step, quiet_mv, stop_on_detect, thresh, t_cross, n_cross, peak,
                        rec, rec_every, steps, double, gtab, n_chunks):
    n_b = amp.shape[0]
    for t in prange(n_chunks):
        _chunk(np.arange(t, n_b, n_chunks), codes, kin, dt, n_steps, v_rest, cm, gpas, epas,
               ga, gp, cmy, gmy, area, active, detect, fib, amp, phi, wave, inj_comp,
               inj_wave, vm, w, st, quiet_step, quiet_mv, stop_on_detect, thresh, t_cross,
               n_cross, peak, rec, rec_every, steps, double, gtab)


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
    :raises InputError: a member whose membrane potential left the finite range (an
        amplitude far beyond any stimulator's); the other members are integrated all the same.
    """
    phi, wave = as_sources(phi, wave)
    n_b = amp.shape[0]
    n = cable["cm"].shape[1]
    t_cross, n_cross, peak, steps = _outputs(n_b, active.shape[0])
    rec = np.zeros((n_b, n_rec, n)) if n_rec else np.zeros((n_b, 0, n))
    double = bool(np.any(cable["gp"] > 0))
    codes, table, rest = channel_sets(code, kin, v_rest, active.shape[0])
    args = (codes, table, float(dt), int(n_steps), rest, cable["cm"], cable["gpas"],
            cable["epas"], cable["ga"], cable["gp"], cable["cmy"], cable["gmy"], cable["area"],
            active, int(detect), fib, amp, phi, wave, int(inj_comp), inj_wave, vm, w, st,
            int(quiet_step), float(quiet_mv), bool(stop_on_detect), float(thresh), t_cross,
            n_cross, peak, rec, max(int(rec_every), 1), steps, double,
            gate_table(codes, table, dt))
    if n_b == 1:  # on this thread: a batch of one would leave the other threads spinning
        _chunk(np.zeros(1, dtype=np.int64), *args)
    else:
        with one_at_a_time():  # numba's workqueue layer aborts on a second thread
            _run_batch_compiled(*args, min(get_num_threads(), n_b))
    bad = np.flatnonzero(steps < 0)
    if bad.size:
        b = int(bad[0])
        raise InputError("amplitude", f"{amp[b]:g} A (fiber {int(fib[b])}, step {-steps[b]})",
                         "an amplitude at which the fiber's membrane potential stays finite "
                         f"({bad.size} of {n_b} runs left it)")
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
    step_gates_py = step_gates.py_func
    gtab = gate_table(codes, table, dt)
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
            for j, i in enumerate(active):
                step_gates_py(codes[j], v_new[i], table[codes[j]], gtab, dt, st[b, j], ns)
                if v_old[i] < thresh <= v_new[i]:
                    if n_cross[b, j] == 0:
                        t_cross[b, j] = (k + 1) * dt - dt * (v_new[i] - thresh) / (
                            v_new[i] - v_old[i])
                    n_cross[b, j] += 1
                peak[b, j] = max(peak[b, j], v_new[i])
        ve_old = ve
    steps[:] = n_steps
    return {"t_cross": t_cross, "n_cross": n_cross, "peak": peak, "steps": steps}
