"""Fiber models as compartment tables: :class:`Fiber` and :func:`make_fiber`.

A fiber is a chain of compartments (one per NEURON section, ``nseg = 1``), each with its
membrane capacitance and leak, the axial conductance to the next compartment, and for the
MRG double cable the periaxonal layer (axial conductance, myelin conductance and
capacitance to the outside). Active compartments carry the model's channels.

The layouts reproduce the set-up of the reference thresholds (PyFibers 0.13): MRG
node–MYSA–FLUT–6×STIN–FLUT–MYSA periods; Sweeney node–internode; unmyelinated chains of
equal sections; one passive node at each end (leak 1e-4 S/cm², 1 µF/cm², axially
disconnected through Ra = 1e10 Ω·cm).

A hybrid fiber is an MRG axon whose first node continues into an unmyelinated
:class:`Terminal` (the free ending of an Aδ afferent) with Sundt 2015 C-fiber membrane and
channels: one fiber, two channel sets (the kernels take a model code per active
compartment). In the double cable the terminal's periaxonal layer is shorted to the
outside, as at an MRG node.
"""

from __future__ import annotations

import math
import numbers
import warnings
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from estim.errors import InputError, ModelRangeWarning
from estim.fibers.kinetics import MODEL_CODES, N_STATES, kinetic_constants, kinetic_table
from estim.fibers.tables import FREE_ENDING, HH, MRG, SUNDT, SWEENEY, mrg_geometry
from estim.units import is_whole

__all__ = ["Fiber", "FiberModel", "Terminal", "make_fiber"]

#: Indices, in the MRG kinetic constants, of the two voltage offsets of the persistent Na
#: activation rates (alpha and beta use v + offset): the 10 scalars, then rate triples.
NAP_MIDPOINTS = [11, 14]


class FiberModel(StrEnum):
    """Cable models of a nerve fiber."""

    MRG = "mrg"  # McIntyre–Richardson–Grill 2002 double-cable myelinated axon
    SWEENEY = "sweeney"  # Sweeney 1987 single-cable myelinated axon
    SUNDT = "sundt"  # Sundt 2015 unmyelinated C fiber
    HH = "hh"  # Hodgkin–Huxley 1952 squid giant axon


MYELINATED = (FiberModel.MRG, FiberModel.SWEENEY)


@dataclass(frozen=True)
class Terminal:
    """The unmyelinated free ending of a myelinated afferent, past its first node.

    Sundt 2015 C-fiber membrane and channels (:data:`estim.fibers.tables.SUNDT`); defaults
    from :data:`estim.fibers.tables.FREE_ENDING` (each value with its source).

    >>> t = Terminal()
    >>> round(t.length_m * 1e6), round(t.diameter_m * 1e6, 1), t.n_sections
    (150, 1.0, 6)

    :param length_m: length from the last node to the tip (m).
    :param diameter_m: axon diameter (m).
    :param section_length_m: compartment length (m); the length is split into whole sections.
    """

    length_m: float = float(FREE_ENDING["length"]) * 1e-6  # [µm -> m]
    diameter_m: float = float(FREE_ENDING["diameter"]) * 1e-6  # [µm -> m]
    section_length_m: float = float(FREE_ENDING["section_length"]) * 1e-6  # [µm -> m]

    def __post_init__(self) -> None:
        for name in ("length_m", "diameter_m", "section_length_m"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise InputError(f"terminal.{name}", value, "a positive length in m")
        lo, hi = _DIAMETER_RANGE_UM[FiberModel.SUNDT]
        if not lo <= self.diameter_m * 1e6 <= hi:
            raise InputError("terminal.diameter_m", self.diameter_m,
                             f"{lo}–{hi} µm (the Sundt C-fiber membrane's range)")
        if self.section_length_m > self.length_m:
            raise InputError("terminal.section_length_m", self.section_length_m,
                             f"at most the terminal's length, {self.length_m:g} m")

    @property
    def n_sections(self) -> int:
        """Compartments of the terminal (the length in whole sections, at least one)."""
        return max(1, round(self.length_m / self.section_length_m))


@dataclass(frozen=True, eq=False)
class Fiber:
    """One fiber as compartments (kernel units: nF, µS, mV, cm²; positions in m).

    Build with :func:`make_fiber`. ``positions_m`` are the compartment centres along the
    fiber axis, with the middle node at 0.
    """

    model: FiberModel
    diameter_m: float
    n_nodes: int
    temperature_c: float
    v_rest_mv: float
    positions_m: np.ndarray
    node_index: np.ndarray  # compartment index of every node (passive ones included)
    active_index: np.ndarray  # compartments with channels
    cable: dict[str, np.ndarray] = field(repr=False)
    #: shift (mV) of the nodal persistent Na activation toward rest: 0 for the published
    #: MRG motor axon; > 0 for sensory axons (:func:`make_fiber` ``sensory=True``)
    nap_shift_mv: float = 0.0
    #: the unmyelinated free ending before the first node (None: the fiber is one model)
    terminal: Terminal | None = None

    @property
    def n_compartments(self) -> int:
        return int(self.positions_m.shape[0])

    @property
    def code(self) -> int:
        return MODEL_CODES[self.model.value]

    @property
    def double_cable(self) -> bool:
        return bool(np.any(self.cable["gp"] > 0))

    @property
    def length_m(self) -> float:
        return float(self.positions_m[-1] - self.positions_m[0])

    @property
    def active_codes(self) -> np.ndarray:
        """Model code of every active compartment (int64): the terminal's Sundt sections,
        then the fiber's own model."""
        codes = np.full(self.active_index.shape[0], self.code, dtype=np.int64)
        if self.terminal is not None:
            codes[: self.terminal.n_sections] = MODEL_CODES[FiberModel.SUNDT.value]
        return codes

    @property
    def n_states(self) -> int:
        """Gating states per active compartment (all channel sets of a fiber have as many)."""
        return N_STATES[self.code]

    def kinetic_constants(self) -> np.ndarray:
        """Constants of the fiber's own model (:func:`~estim.fibers.kinetics.kinetic_constants`)."""
        kin = kinetic_constants(self.code, self.temperature_c)
        if self.nap_shift_mv:
            kin = kin.copy()
            kin[NAP_MIDPOINTS] += self.nap_shift_mv  # rates use (v + r): + shifts toward rest
        return kin

    def kinetic_table(self) -> np.ndarray:
        """Constants of every channel set, one row per model code (the kernels' table)."""
        rows = {self.code: self.kinetic_constants()}
        if self.terminal is not None:
            sundt = MODEL_CODES[FiberModel.SUNDT.value]
            rows[sundt] = kinetic_constants(sundt, self.temperature_c)
        return kinetic_table(rows)

    def node_at(self, fraction: float) -> int:
        """Index (into the nodes) of the node ``fraction`` along the fiber, NEURON style."""
        return int(fraction * (self.n_nodes - 1))

    def points(self, *, origin_m: tuple[float, float, float] = (0.0, 0.0, 0.0),
               direction: tuple[float, float, float] = (1.0, 0.0, 0.0)) -> np.ndarray:
        """Compartment centres in 3-D (m), shape (N, 3): the middle node at ``origin_m``."""
        d = np.asarray(direction, dtype=float)
        d = d / np.linalg.norm(d)
        return np.asarray(origin_m, dtype=float)[None, :] + self.positions_m[:, None] * d

    def topology_key(self) -> tuple[FiberModel, int, bool, float, int]:
        """Fibers with the same key can share one kernel batch (and its kinetics)."""
        n_terminal = 0 if self.terminal is None else self.terminal.n_sections
        return (self.model, self.n_compartments, self.double_cable, self.nap_shift_mv,
                n_terminal)

    def __repr__(self) -> str:
        ending = "" if self.terminal is None else (
            f", terminal={self.terminal.length_m * 1e6:.3g} µm x "
            f"{self.terminal.diameter_m * 1e6:.2g} µm")
        return (f"Fiber(model={self.model.value}, diameter={self.diameter_m * 1e6:.3g} µm, "
                f"n_nodes={self.n_nodes}, compartments={self.n_compartments}, "
                f"T={self.temperature_c} °C{ending})")


class _Builder:
    """Accumulates sections (lengths and diameters in µm, NEURON units) into cable arrays."""

    #: The columns of a section's row, in order.
    COLUMNS = ("length", "cm", "gpas", "epas", "r_half", "p_half", "cmy", "gmy", "area",
               "channel")

    def __init__(self) -> None:
        self.rows: list[tuple[float, ...]] = []

    def add(self, *, length: float, diam: float, ra: float, cm: float, g_pas: float,
            e_pas: float, xraxial: float = 1e9, xg: float = 1e10, xc: float = 0.0,
            channel: bool = False) -> None:
        """One section. ``ra`` Ω·cm, ``cm`` µF/cm² and ``g_pas`` S/cm² per the section's
        own (``diam``) area, ``xraxial`` MΩ/cm, ``xg`` S/cm², ``xc`` µF/cm²."""
        area = math.pi * diam * length * 1e-8  # [µm² -> cm²]
        r_half = ra * (0.5 * length * 1e-4) / (math.pi * (0.5 * diam * 1e-4) ** 2)  # [Ω]
        self.rows.append((
            length,
            cm * area * 1e3,  # [µF -> nF]
            g_pas * area * 1e6,  # [S -> µS]
            e_pas,
            r_half * 1e-6,  # [Ω -> MΩ]
            xraxial * 0.5 * length * 1e-4,  # [MΩ/cm * cm -> MΩ]
            xc * area * 1e3,  # [µF -> nF]
            xg * area * 1e6,  # [S -> µS]
            area if channel else 0.0,
            1.0 if channel else 0.0,
        ))

    def build(self, *, double: bool) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
        table = np.array(self.rows, dtype=float)
        col = {k: table[:, j] for j, k in enumerate(self.COLUMNS)}
        ga = 1.0 / (col["r_half"][:-1] + col["r_half"][1:])  # [1/MΩ = µS]
        gp = 1.0 / (col["p_half"][:-1] + col["p_half"][1:]) if double else np.zeros_like(ga)
        edges = np.concatenate([[0.0], np.cumsum(col["length"])])
        centres = 0.5 * (edges[:-1] + edges[1:]) * 1e-6  # [µm -> m]
        cable = {"cm": col["cm"], "gpas": col["gpas"], "epas": col["epas"], "ga": ga, "gp": gp,
                 "cmy": col["cmy"] if double else np.zeros_like(col["cm"]),
                 "gmy": col["gmy"] if double else np.zeros_like(col["cm"]),
                 "area": col["area"]}
        active = np.flatnonzero(col["channel"] > 0)
        return cable, centres, active


def _passive_node(b: _Builder, *, length: float, diam: float, v_rest: float,
                  xraxial: float = 1e9) -> None:
    b.add(length=length, diam=diam, ra=float(MRG["passive_node_ra"]),
          cm=float(MRG["passive_node_cm"]), g_pas=float(MRG["passive_node_g"]), e_pas=v_rest,
          xraxial=xraxial, xg=float(MRG["short_circuit_g"]))


def _mrg(d_um: float, n_nodes: int, passive: tuple[int, int],
         terminal: Terminal | None = None) -> tuple[_Builder, list[int]]:
    geo = mrg_geometry(d_um)
    rho = float(MRG["rhoa"])
    rho_um = rho * 1e4  # [Ω·cm -> Ω·µm]
    nl = geo.lamellae
    xc = float(MRG["mycm"]) / (2 * nl)
    xg = float(MRG["mygm"]) / (2 * nl)
    v_rest = float(MRG["v_rest"])
    e_pas = float(MRG["e_pas"])
    node_len = float(MRG["node_length"])
    mysa_len = float(MRG["mysa_length"])
    stin_len = (geo.node_spacing - node_len - 2 * mysa_len - 2 * geo.flut_length) / 6

    def xr(diam: float, space: float) -> float:  # periaxonal resistance per length [MΩ/cm]
        return rho_um * 0.01 / (math.pi * ((diam / 2 + space) ** 2 - (diam / 2) ** 2))

    sp1, sp2, spi = (float(MRG[k]) for k in ("space_p1", "space_p2", "space_i"))
    b = _Builder()
    internode: list[tuple[float, ...]] = []
    if terminal is not None:
        # the free ending, tip first: Sundt membrane and axoplasm; the periaxonal layer is
        # shorted to the outside (no myelin), as at a node
        d_t = terminal.diameter_m * 1e6  # [m -> µm]
        sec = terminal.length_m * 1e6 / terminal.n_sections  # [m -> µm]
        for _ in range(terminal.n_sections):
            b.add(length=sec, diam=d_t, ra=float(SUNDT["ra"]), cm=float(SUNDT["cm"]),
                  g_pas=float(SUNDT["g_pas"]), e_pas=float(SUNDT["e_pas"]),
                  xraxial=xr(d_t, sp1), xg=float(MRG["short_circuit_g"]), channel=True)
    nodes = []
    d = geo.fiber_diameter
    for k in range(n_nodes):
        nodes.append(len(b.rows))
        if k < passive[0] or k >= n_nodes - passive[1]:
            _passive_node(b, length=node_len, diam=geo.node_diameter, v_rest=v_rest,
                          xraxial=xr(geo.node_diameter, sp1))
        else:
            b.add(length=node_len, diam=geo.node_diameter, ra=rho, cm=float(MRG["cm"]),
                  g_pas=0.0, e_pas=v_rest, xraxial=xr(geo.node_diameter, sp1),
                  xg=float(MRG["short_circuit_g"]), channel=True)
        if k == n_nodes - 1:
            break
        if internode:  # every internode is the same 11 sections
            b.rows.extend(internode)
            continue
        # myelinated sections: NEURON diam = fibre D, properties scaled to the axon D
        first = len(b.rows)
        para = [(mysa_len, geo.node_diameter, sp1, float(MRG["g_mysa"])),
                (geo.flut_length, geo.axon_diameter, sp2, float(MRG["g_flut"]))]
        stin = [(stin_len, geo.axon_diameter, spi, float(MRG["g_stin"]))] * 6
        for length, ad, space, gm in [*para, *stin, *para[::-1]]:
            ratio = ad / d
            b.add(length=length, diam=d, ra=rho / ratio**2, cm=float(MRG["cm"]) * ratio,
                  g_pas=gm * ratio, e_pas=e_pas, xraxial=xr(ad, space), xg=xg, xc=xc)
        internode = b.rows[first:]
    return b, nodes


def _sweeney(d_um: float, n_nodes: int, passive: tuple[int, int]) -> tuple[_Builder, list[int]]:
    diam = d_um * float(SWEENEY["node_diameter_ratio"])
    node_len = float(SWEENEY["node_length"])
    ra = float(SWEENEY["ra"])
    v_rest = float(SWEENEY["v_rest"])
    b = _Builder()
    nodes = []
    for k in range(n_nodes):
        nodes.append(len(b.rows))
        if k < passive[0] or k >= n_nodes - passive[1]:
            _passive_node(b, length=node_len, diam=diam, v_rest=v_rest)
        else:
            b.add(length=node_len, diam=diam, ra=ra, cm=float(SWEENEY["cm"]), g_pas=0.0,
                  e_pas=v_rest, channel=True)
        if k < n_nodes - 1:
            b.add(length=float(SWEENEY["internode_ratio"]) * d_um - node_len, diam=diam, ra=ra,
                  cm=0.0, g_pas=0.0, e_pas=v_rest)
    return b, nodes


def _unmyelinated(model: FiberModel, d_um: float, n_sections: int, section_um: float,
                  passive: tuple[int, int]) -> tuple[_Builder, list[int]]:
    table = SUNDT if model is FiberModel.SUNDT else HH
    v_rest = float(table["v_rest"])
    g_pas = float(SUNDT["g_pas"]) if model is FiberModel.SUNDT else 0.0
    e_pas = float(SUNDT["e_pas"]) if model is FiberModel.SUNDT else v_rest
    b = _Builder()
    for k in range(n_sections):
        if k < passive[0] or k >= n_sections - passive[1]:
            _passive_node(b, length=section_um, diam=d_um, v_rest=v_rest)
        else:
            b.add(length=section_um, diam=d_um, ra=float(table["ra"]), cm=float(table["cm"]),
                  g_pas=g_pas, e_pas=e_pas, channel=True)
    return b, list(range(n_sections))


_DIAMETER_RANGE_UM = {FiberModel.MRG: (1.0, 16.0), FiberModel.SWEENEY: (1.0, 25.0),
                      FiberModel.SUNDT: (0.1, 3.0), FiberModel.HH: (1.0, 1000.0)}


def make_fiber(model: FiberModel | str, diameter_m: float, *, n_nodes: int | None = None,
               length_m: float | None = None, section_length_m: float | None = None,
               temperature_c: float | None = None,
               passive_end_nodes: int | tuple[int, int] = 1, sensory: bool = False,
               nap_shift_mv: float | None = None, terminal: Terminal | None = None) -> Fiber:
    """Build a fiber.

    :param model: ``mrg``, ``sweeney``, ``sundt`` or ``hh``.
    :param diameter_m: fibre diameter (m); for HH the axon diameter (m).
    :param n_nodes: nodes of Ranvier for myelinated models (default 51).
    :param length_m: length of an unmyelinated fiber (m; default 10 mm Sundt, 60 mm HH).
    :param section_length_m: compartment length of an unmyelinated fiber (m; default
        8.333 µm Sundt, 100 µm HH).
    :param temperature_c: °C (default 37, HH 18.5).
    :param passive_end_nodes: passive nodes (sections) at each end, or (first, last): a
        nerve ending is an active node at the fiber's start, ``(0, 1)``.
    :param sensory: an MRG sensory axon: the nodal persistent Na activation is shifted
        toward rest by ``MRG["sensory_nap_shift"]`` (human sensory axons have more
        persistent Na current at rest than motor axons, Bostock & Rothwell 1997; the shift
        is calibrated on the strength-duration time constants of Mogyoros et al. 1996).
    :param nap_shift_mv: that shift (mV) given explicitly (calibration, experiments).
    :param terminal: an MRG afferent's unmyelinated free ending (:class:`Terminal`) before its
        first node, which must then be active (``passive_end_nodes=(0, k)``): the fiber
        starts at the terminal's tip.
    :raises InputError: unknown model, diameter outside the model's range, too few nodes,
        a terminal on another model or behind a passive first node.
    """
    try:
        model = FiberModel(str(model).lower())
    except ValueError:
        raise InputError("model", model, f"one of {[m.value for m in FiberModel]}") from None
    lo, hi = _DIAMETER_RANGE_UM[model]
    if not isinstance(diameter_m, numbers.Real) or isinstance(diameter_m, bool):
        # "10 um" and None were float()'s errors (probe of 5 December 2026)
        raise InputError("diameter", diameter_m, f"a diameter in metres ({lo}–{hi} µm for "
                         f"the {model.value} model: {lo * 1e-6:g}–{hi * 1e-6:g})")
    d_um = float(diameter_m) * 1e6  # [m -> µm]
    if not (math.isfinite(d_um) and lo - 1e-9 <= d_um <= hi + 1e-9):
        raise InputError("diameter", f"{d_um:.4g} µm",
                         f"{lo}–{hi} µm for the {model.value} model")
    ends = ((passive_end_nodes, passive_end_nodes) if isinstance(passive_end_nodes, int)
            else (int(passive_end_nodes[0]), int(passive_end_nodes[1])))
    if min(ends) < 0:
        raise InputError("passive_end_nodes", passive_end_nodes, "counts >= 0")
    if terminal is not None and (model is not FiberModel.MRG or ends[0] != 0):
        raise InputError("terminal", terminal, "an MRG fiber whose first node is active "
                                               "(passive_end_nodes=(0, k))")
    if temperature_c is None:
        temperature_c = float(HH["temperature"]) if model is FiberModel.HH else 37.0
    if not 0.0 <= temperature_c <= 45.0:
        raise InputError("temperature", temperature_c, "0–45 °C")
    if model in MYELINATED:
        whole = is_whole(n_nodes) or (isinstance(n_nodes, numbers.Real)
                                      and float(n_nodes).is_integer())  # 21.0 is 21 nodes
        if n_nodes is not None and not (whole and n_nodes <= 100_001):
            # 2.5 read "got 2", 21.7 ran 21 nodes, 10**6 built 11 M compartments
            raise InputError("n_nodes", n_nodes, "a whole number of nodes, at most 100,001")
        n_nodes = 51 if n_nodes is None else int(n_nodes)
        if n_nodes < sum(ends) + 3:
            raise InputError("n_nodes", n_nodes, f"at least {sum(ends) + 3}")
        if model is FiberModel.MRG:
            builder, nodes = _mrg(d_um, n_nodes, ends, terminal)
        else:
            builder, nodes = _sweeney(d_um, n_nodes, ends)
        double = model is FiberModel.MRG
        v_rest = float((MRG if double else SWEENEY)["v_rest"])
    else:
        default_sec = float(SUNDT["section_length"]) if model is FiberModel.SUNDT else 100.0
        for name, value in (("length", length_m), ("section_length", section_length_m)):
            if value is not None and not (isinstance(value, numbers.Real)
                                          and not isinstance(value, bool)
                                          and math.isfinite(value) and 0 < value <= 10.0):
                # NaN was int()'s ValueError; a negative section read "length: got (missing)"
                raise InputError(name, value, "a length in metres above 0 and at most 10 m")
        sec_um = default_sec if section_length_m is None else float(section_length_m) * 1e6
        default_len = 10e-3 if model is FiberModel.SUNDT else 60e-3
        length_um = (default_len if length_m is None else float(length_m)) * 1e6
        n_nodes = int(length_um / sec_um) + 1
        if n_nodes < sum(ends) + 3:
            raise InputError("length", length_m, "a fiber of at least a few sections")
        builder, nodes = _unmyelinated(model, d_um, n_nodes, sec_um, ends)
        double = False
        v_rest = float((SUNDT if model is FiberModel.SUNDT else HH)["v_rest"])
        if model is FiberModel.SUNDT and abs(d_um - 1.0) > 0.5:
            warnings.warn(f"Sundt C-fiber model at {d_um:.2g} µm: validated near 1 µm",
                          ModelRangeWarning, stacklevel=2)
    cable, centres, active = builder.build(double=double)
    node_index = np.asarray(nodes, dtype=np.int64)
    centres = centres - centres[node_index[(n_nodes - 1) // 2]]
    shift = float(MRG["sensory_nap_shift"]) if sensory else 0.0
    if nap_shift_mv is not None:
        shift = float(nap_shift_mv)
    if shift and model is not FiberModel.MRG:
        raise InputError("sensory", sensory, "the MRG model (the only one with a sensory "
                                             "variant)")
    if not (math.isfinite(shift) and -20.0 <= shift <= 20.0):
        raise InputError("nap_shift_mv", nap_shift_mv, "a shift between -20 and 20 mV")
    return Fiber(model=model, diameter_m=float(diameter_m), n_nodes=n_nodes,
                 temperature_c=float(temperature_c), v_rest_mv=v_rest, positions_m=centres,
                 node_index=node_index, active_index=active.astype(np.int64), cable=cable,
                 nap_shift_mv=shift, terminal=terminal)
