"""Channel kinetics of the nodes (functional forms; constants come from :mod:`.tables`).

Each model has gating states updated with the exponential (``cnexp``) rule with the membrane
potential held over a step, as NEURON does. The functions are scalar and decorated with a
*lazy* ``numba.njit``: nothing is compiled at import; the compiled kernels call them, and the
plain-numpy twin calls their ``py_func`` element by element.

Internal units: mV, ms, S/cm².

numba caches a compiled kernel by its own source file: the kernel in :mod:`.kernel` carries
these functions compiled into it, so after a change here a developer's stale cache of
``kernel.py`` must go (delete its ``__pycache__/*.nb*``); an installation writes every
file anew.

Model codes (int, used inside the kernels): 0 MRG, 1 Sweeney, 2 Sundt, 3 Hodgkin–Huxley.
A fiber may mix models (an MRG axon ending in a Sundt unmyelinated terminal): the kernels
take one code per active compartment and a table with one row of constants per code
(:func:`kinetic_table`).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from estim.fibers.tables import HH, MRG, MRG_RATES, SUNDT, SWEENEY

__all__ = ["GATE_TABLE_LOW_MV", "GATE_TABLE_STEP_MV", "MAX_STATES", "MODEL_CODES",
           "N_KINETIC", "N_STATES", "currents", "gate_table", "gates", "kinetic_constants",
           "kinetic_table", "rates", "step_gates"]

MODEL_CODES = {"mrg": 0, "sweeney": 1, "sundt": 2, "hh": 3}
N_STATES = {0: 4, 1: 2, 2: 4, 3: 3}  # MRG: mp m h s; Sweeney: m h; Sundt: m h n l; HH: m h n
MAX_STATES = 4
#: Length of a row of :func:`kinetic_table` (the longest constants vector, MRG's).
N_KINETIC = 34


def kinetic_constants(code: int, temperature_c: float) -> np.ndarray:
    """Constants vector of one model at a temperature (°C), in the layout the kernels read."""
    t = float(temperature_c)
    if code == 0:
        q1 = float(MRG["q10_m"]) ** ((t - 20.0) / 10.0)
        q2 = float(MRG["q10_h"]) ** ((t - 20.0) / 10.0)
        q3 = float(MRG["q10_s"]) ** ((t - 36.0) / 10.0)
        rates_flat = [x for k in ("amp", "bmp", "am", "bm", "ah", "bh", "as", "bs")
                      for x in MRG_RATES[k]]
        head = [float(MRG[k]) for k in ("gnap", "gnaf", "gks", "gl", "ena", "ek", "el")]
        return np.array([*head, q1, q2, q3, *rates_flat], dtype=np.float64)
    if code == 1:
        return np.array([float(SWEENEY[k]) for k in ("gna", "gl", "ena", "el")])
    if code == 2:
        q = float(SUNDT["q10"]) ** ((t - 30.0) / 10.0)
        frt = 1e-3 * 9.648e4 / (8.315 * (273.16 + t))  # [zeta·mV -> dimensionless exponent]
        keys = ("gna", "ena", "m_shift", "h_shift", "gkdr", "ek", "kdr_vhalf_n", "kdr_vhalf_l",
                "kdr_a0_n", "kdr_a0_l", "kdr_zeta_n", "kdr_zeta_l", "kdr_gm_n", "kdr_gm_l")
        return np.array([*(float(SUNDT[k]) for k in keys), q, frt], dtype=np.float64)
    if code == 3:
        phi = float(HH["q10"]) ** ((t - 6.3) / 10.0)
        hh_keys = ("gna", "gk", "gl", "ena", "ek", "el")
        return np.array([*(float(HH[k]) for k in hh_keys), phi], dtype=np.float64)
    raise ValueError(f"unknown model code {code}")


def kinetic_table(rows: dict[int, np.ndarray]) -> np.ndarray:
    """Constants of several models as one (codes, :data:`N_KINETIC`) table, row = model code.

    :param rows: constants vector (:func:`kinetic_constants`) of each model code used;
        rows of codes not given are zero (never read).
    """
    table = np.zeros((len(MODEL_CODES), N_KINETIC))
    for code, kin in rows.items():
        table[code, : kin.shape[0]] = kin
    return table


@njit(cache=True)
def _efun(x: float, c: float) -> float:
    """x / (1 - exp(-x/c)), continuous at x = 0 (limit c)."""
    if abs(x / c) < 1e-6:
        return c * (1.0 + 0.5 * x / c)
    return x / (1.0 - math.exp(-x / c))


@njit(cache=True)
def _exp(x: float) -> float:
    """exp clipped below at -100 (as the published .mod files), and above to avoid overflow."""
    if x < -100.0:
        return 0.0
    if x > 700.0:
        x = 700.0
    return math.exp(x)


@njit(cache=True, error_model="numpy")
def gates(code: int, v: float, kin: np.ndarray) -> tuple[float, float, float, float,
                                                         float, float, float, float]:
    """Steady state and rate (1/τ, per ms) of each gating state at membrane potential ``v``
    (mV): ``(inf_0, .., inf_3, k_0, .., k_3)``; states a model does not have are 0 (their
    rate 1). The kernel advances a state as ``inf + (s - inf)·exp(-dt·k)`` with no
    division by τ; :func:`rates` gives τ = 1/k. Divisions follow IEEE arithmetic, as in the
    kernel: a time constant that underflows to 0 (Sundt's K-DR far above rest) is an
    infinite rate, and the state takes its steady state."""
    if code == 0:  # MRG node (MRG2002)
        q1 = kin[7]
        q2 = kin[8]
        q3 = kin[9]
        r = kin[10:]
        # persistent Na activation mp
        a = q1 * r[0] * _efun(v + r[1], r[2]) if v >= -150.0 else q1 * 0.00086725
        b = q1 * r[3] * _efun(-(v + r[4]), r[5]) if v <= 150.0 else q1 * 1.5855e-05
        k0 = a + b
        i0 = a / k0
        # fast Na activation m
        a = q1 * r[6] * _efun(v + r[7], r[8]) if v >= -150.0 else q1 * 0.15733
        b = q1 * r[9] * _efun(-(v + r[10]), r[11]) if v <= 150.0 else q1 * 0.0057268
        k1 = a + b
        i1 = a / k1
        # fast Na inactivation h
        a = q2 * r[12] * _efun(-(v + r[13]), r[14]) if v <= 150.0 else q2 * 0.0032594
        b = q2 * r[15] / (1.0 + _exp(-(v + r[16]) / r[17])) if v >= -150.0 else q2 * 0.0014054
        k2 = a + b
        i2 = a / k2
        # slow K s (Traub convention, v2 = v + 80)
        v2 = v + 80.0
        a = q3 * r[18] / (_exp((v2 + r[19]) / r[20]) + 1.0) if v >= -150.0 else q3 * 3.3484e-05
        b = q3 * r[21] / (_exp((v2 + r[22]) / r[23]) + 1.0) if v >= -150.0 else q3 * 3.3484e-06
        k3 = a + b
        return i0, i1, i2, a / k3, k0, k1, k2, k3
    if code == 1:  # Sweeney 1987 (rabbit node, 37 °C, no temperature scaling)
        a = (126.0 + 0.363 * v) / (1.0 + _exp(-(v + 49.0) / 5.3))
        b = a * _exp(-(v + 56.2) / 4.17)
        k0 = a + b
        i0 = a / k0
        b = 15.6 / (1.0 + _exp(-(v + 56.0) / 10.0))
        a = b * _exp(-(v + 74.5) / 5.0)
        k1 = a + b
        return i0, a / k1, 0.0, 0.0, k0, k1, 1.0, 1.0
    if code == 2:  # Sundt 2015: nahh with shifts, Borg-Graham K-DR
        q = kin[14]
        frt = kin[15]
        u = v + 65.0 + kin[2]
        # x / (exp(x/y) - 1) = efun(-x, y)
        a = q * 0.32 * _efun(-(13.1 - u), 4.0)
        b = q * 0.28 * _efun(-(u - 40.1), 5.0)
        k0 = a + b
        i0 = a / k0
        u = v + 65.0 + kin[3]
        a = q * 0.128 * _exp((17.0 - u) / 18.0)
        b = q * 4.0 / (_exp((40.0 - u) / 5.0) + 1.0)
        k1 = a + b
        i1 = a / k1
        e = _exp(kin[10] * frt * (v - kin[6]))
        i2 = 1.0 / (1.0 + e)
        k2 = q * kin[8] * (1.0 + e) / _exp(kin[10] * kin[12] * frt * (v - kin[6]))
        e = _exp(kin[11] * frt * (v - kin[7]))
        i3 = 1.0 / (1.0 + e)
        k3 = q * kin[9] * (1.0 + e) / _exp(kin[11] * kin[13] * frt * (v - kin[7]))
        return i0, i1, i2, i3, k0, k1, k2, k3
    # Hodgkin–Huxley 1952, modern sign convention (rest -65 mV)
    phi = kin[6]
    a = 0.1 * _efun(v + 40.0, 10.0)
    b = 4.0 * _exp(-(v + 65.0) / 18.0)
    k0 = phi * (a + b)
    i0 = a / (a + b)
    a = 0.07 * _exp(-(v + 65.0) / 20.0)
    b = 1.0 / (_exp(-(v + 35.0) / 10.0) + 1.0)
    k1 = phi * (a + b)
    i1 = a / (a + b)
    a = 0.01 * _efun(v + 55.0, 10.0)
    b = 0.125 * _exp(-(v + 65.0) / 80.0)
    return i0, i1, a / (a + b), 0.0, k0, k1, phi * (a + b), 1.0


#: The gating table (:func:`gate_table`) spans -150 to +150 mV, where every model's rates
#: follow their formulas (beyond it MRG's are held constant), in steps of 0.05 mV: a gate
#: advanced over a 2 µs step by linear interpolation is within 6.1e-7 of the formulas (Sundt;
#: MRG 1.2e-8), thresholds move by under 1e-5 (MRG 3-10 µm, Aδ, Sundt C; 4 December 2026),
#: and a membrane potential outside the grid (or not finite) takes the formulas.
GATE_TABLE_LOW_MV = -150.0
GATE_TABLE_HIGH_MV = 150.0
GATE_TABLE_STEP_MV = 0.05


@njit(cache=True, error_model="numpy")
def _fill_gate_table(kin: np.ndarray, used: np.ndarray, dt: float, out: np.ndarray) -> None:
    for c in range(out.shape[0]):
        if not used[c]:
            continue
        for i in range(out.shape[1]):
            gs = gates(c, GATE_TABLE_LOW_MV + i * GATE_TABLE_STEP_MV, kin[c])
            for q in range(MAX_STATES):
                out[c, i, q] = gs[q]
                out[c, i, MAX_STATES + q] = math.exp(-dt * gs[MAX_STATES + q])


_TABLES: dict[tuple[bytes, bytes, float], np.ndarray] = {}


def gate_table(codes: np.ndarray, kin: np.ndarray, dt: float) -> np.ndarray:
    """Each gate's steady state and its decay factor over one step, exp(-dt·k), on a grid
    of membrane potentials, for the model codes in ``codes`` (constants table ``kin``,
    :func:`kinetic_table`): shape (codes, points, 2 × :data:`MAX_STATES`), row ``c`` of the
    code ``c``. Evaluating :func:`gates` and four exponentials at every node and step took
    about a third of the kernel's time; the table replaces them with two interpolations a
    gate (:func:`step_gates`). Kept per constants and step, as threshold searches ask for
    the same table round after round."""
    kin = np.ascontiguousarray(kin, dtype=np.float64)
    used = np.zeros(kin.shape[0], dtype=np.bool_)
    used[np.unique(np.asarray(codes, dtype=np.int64))] = True
    key = (kin.tobytes(), used.tobytes(), float(dt))
    table = _TABLES.get(key)
    if table is None:
        n = round((GATE_TABLE_HIGH_MV - GATE_TABLE_LOW_MV) / GATE_TABLE_STEP_MV) + 1
        table = np.zeros((kin.shape[0], n, 2 * MAX_STATES))
        _fill_gate_table(kin, used, float(dt), table)
        if len(_TABLES) >= 16:  # 1.5 MB each: a run uses two or three
            _TABLES.clear()
        _TABLES[key] = table
    return table


@njit(cache=True, error_model="numpy")
def step_gates(code: int, v: float, kin: np.ndarray, table: np.ndarray, dt: float,
               st: np.ndarray, ns: int) -> None:
    """Advance the ``ns`` gating states ``st`` of one compartment over a step of ``dt`` (ms)
    with its membrane potential ``v`` (mV) held: ``inf + (s - inf)·exp(-dt·k)``, the
    steady states and decay factors interpolated in :func:`gate_table` (``table[code]``)
    inside its grid, from :func:`gates` outside it."""
    x = (v - GATE_TABLE_LOW_MV) * (1.0 / GATE_TABLE_STEP_MV)
    if x >= 0.0 and x < table.shape[1] - 1:
        i = int(x)
        f = x - i
        for q in range(ns):
            lo = table[code, i, q]
            inf = lo + f * (table[code, i + 1, q] - lo)
            lo = table[code, i, MAX_STATES + q]
            dec = lo + f * (table[code, i + 1, MAX_STATES + q] - lo)
            st[q] = inf + (st[q] - inf) * dec
    else:
        gs = gates(code, v, kin)
        for q in range(ns):
            st[q] = gs[q] + (st[q] - gs[q]) * math.exp(-dt * gs[MAX_STATES + q])


@njit(cache=True, error_model="numpy")
def rates(code: int, v: float, kin: np.ndarray, inf: np.ndarray, tau: np.ndarray) -> None:
    """Fill ``inf`` and ``tau`` (ms) of each gating state at membrane potential ``v`` (mV)
    (:func:`gates`, with τ = 1/k)."""
    g = gates(code, v, kin)
    for q in range(MAX_STATES):
        inf[q] = g[q]
        tau[q] = 1.0 / g[MAX_STATES + q]


@njit(cache=True)
def currents(code: int, st: np.ndarray, kin: np.ndarray) -> tuple[float, float]:
    """Ionic conductance g (S/cm²) and g·E (S/cm²·mV) of the channels with states ``st``.

    The ionic current density is ``g * v - gE`` (mA/cm² with v in mV).
    """
    if code == 0:
        gnap = kin[0] * st[0] ** 3
        gna = kin[1] * st[1] ** 3 * st[2]
        gk = kin[2] * st[3]
        gl = kin[3]
        return gnap + gna + gk + gl, (gnap + gna) * kin[4] + gk * kin[5] + gl * kin[6]
    if code == 1:
        gna = kin[0] * st[0] ** 2 * st[1]
        return gna + kin[1], gna * kin[2] + kin[1] * kin[3]
    if code == 2:
        gna = kin[0] * st[0] ** 3 * st[1]
        gk = kin[4] * st[2] ** 3 * st[3]
        return gna + gk, gna * kin[1] + gk * kin[5]
    gna = kin[0] * st[0] ** 3 * st[1]
    gk = kin[1] * st[2] ** 4
    return gna + gk + kin[2], gna * kin[3] + gk * kin[4] + kin[2] * kin[5]
