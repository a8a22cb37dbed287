"""Fiber-model constants: geometry, membrane and channel kinetics, each with unit and source.

Everything a cable model needs that was *measured or fitted* by someone lives here as data.
The kinetic rate expressions themselves (the functional forms) are in
:mod:`estim.fibers.kinetics`; they read their constants from these tables.

Units follow the publications (µm, µF/cm², S/cm², mV, ms, Ω·cm); the builders in
:mod:`estim.fibers.cable` convert them, with a bracket comment at each conversion.

Sources (abbreviations used in the ``source`` fields):

- MRG2002: McIntyre CC, Richardson AG, Grill WM (2002) Modeling the excitability of mammalian
  nerve fibers: influence of afterpotentials on the recovery cycle. J Neurophysiol 87:995-1006
  (and its ModelDB entry 3810, MRGaxon.hoc / AXNODE.mod).
- Pelot2021: Pelot NA, Catherall DC, Thio BJ, et al. (2021) Excitation properties of
  computational models of unmyelinated peripheral axons. J Neurophysiol 125:86-104, and
  Musselman ED et al. (2021) ASCENT, PLoS Comput Biol 17:e1009285 (MRG geometry fitted as
  quadratics of fibre diameter, "MRG interpolation").
- Sweeney1987: Sweeney JD, Mortimer JT, Durand D (1987) Modeling of mammalian myelinated
  nerve for functional neuromuscular stimulation. Proc IEEE EMBS 9:1577-1578 (rabbit node
  kinetics of Chiu et al. 1979 at 37 °C).
- Sundt2015: Sundt D, Gamper N, Jaffe DB (2015) Spike propagation through the dorsal root
  ganglia in an unmyelinated sensory neuron: a modeling study. J Neurophysiol 114:3140-3153
  (ModelDB 187473: nahh with Nav1.7/1.8 shifts, Borg-Graham K-DR).
- HH1952: Hodgkin AL, Huxley AF (1952) A quantitative description of membrane current and its
  application to conduction and excitation in nerve. J Physiol 117:500-544.
- PyFibers: Marshall DP et al. (2025) PyFibers, the set-up of the reference thresholds
  (passive end nodes, section layout, resting potentials).
- MacIver1993: MacIver MB, Tanelian DL (1993) Free nerve ending terminal morphology is fiber
  type specific for A delta and C fibers innervating rabbit corneal epithelium.
  J Neurophysiol 69:1779-1783 (Aδ endings: long, 0.1-1.2 mm, unmyelinated processes; C
  endings: short, < 50 µm, vertical).
- Provitera2007: Provitera V et al. (2007) Myelinated nerve endings in human skin. Muscle
  Nerve 35:767-775 (Aδ afferents lose their myelin in the upper dermis and end unmyelinated).
- Kennedy1993: Kennedy WR, Wendelschafer-Crabb G (1993) The innervation of human epidermis.
  J Neurol Sci 115:184-190 (thin unmyelinated fibers from the subepidermal plexus through
  every layer of the epidermis, ending near the stratum granulosum).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "FREE_ENDING",
    "HH",
    "MRG",
    "MRG_GEOMETRY",
    "SUNDT",
    "SWEENEY",
    "MrgGeometry",
    "Param",
    "mrg_geometry",
]


@dataclass(frozen=True)
class Param:
    """One published constant: value, unit and where it comes from."""

    value: float
    unit: str
    source: str

    def __float__(self) -> float:
        return float(self.value)


# --------------------------------------------------------------------------------------
# MRG double-cable myelinated axon
# --------------------------------------------------------------------------------------

MRG: dict[str, Param] = {
    # geometry common to all diameters
    "node_length": Param(1.0, "um", "MRG2002 Table 1"),
    "mysa_length": Param(3.0, "um", "MRG2002 Table 1 (paranode 1)"),
    "space_p1": Param(0.002, "um", "MRG2002 Table 1 (periaxonal space, node and MYSA)"),
    "space_p2": Param(0.004, "um", "MRG2002 Table 1 (periaxonal space, FLUT)"),
    "space_i": Param(0.004, "um", "MRG2002 Table 1 (periaxonal space, STIN)"),
    # electrical
    "rhoa": Param(70.0, "ohm*cm", "MRG2002 Table 1 (axoplasmic resistivity 0.7 MΩ·µm)"),
    "rhop": Param(70.0, "ohm*cm", "MRG2002 (periaxonal resistivity equals axoplasmic)"),
    "cm": Param(2.0, "uF/cm2", "MRG2002 Table 1 (axolemma capacitance)"),
    "mycm": Param(0.1, "uF/cm2", "MRG2002 Table 1 (capacitance per myelin lamella membrane)"),
    "mygm": Param(0.001, "S/cm2", "MRG2002 Table 1 (conductance per myelin lamella membrane)"),
    "g_mysa": Param(0.001, "S/cm2", "MRG2002 Table 1 (MYSA axolemma conductance)"),
    "g_flut": Param(0.0001, "S/cm2", "MRG2002 Table 1 (FLUT axolemma conductance)"),
    "g_stin": Param(0.0001, "S/cm2", "MRG2002 Table 1 (STIN axolemma conductance)"),
    "e_pas": Param(-80.0, "mV", "MRG2002 (internodal leak reversal = rest)"),
    "v_rest": Param(-80.0, "mV", "MRG2002"),
    # node of Ranvier channels (AXNODE.mod)
    "gnap": Param(0.01, "S/cm2", "MRG2002 Table 1 (persistent Na)"),
    "sensory_nap_shift": Param(
        8.85, "mV", "estim calibration (estim.effects.calibrate.calibrate_nap_shift): "
        "persistent Na activation of sensory axons shifted toward rest so that a sensory "
        "axon's strength-duration time constant is 1.45 x a motor axon's in the same "
        "geometry, as Mogyoros, Kiernan & Burke 1996 measured in the median nerve (665 vs "
        "459 µs); more persistent Na+ at rest in sensory axons: Bostock & Rothwell 1997"),
    "gnaf": Param(3.0, "S/cm2", "MRG2002 Table 1 (fast Na)"),
    "gks": Param(0.08, "S/cm2", "MRG2002 Table 1 (slow K)"),
    "gl": Param(0.007, "S/cm2", "MRG2002 Table 1 (nodal leak)"),
    "ena": Param(50.0, "mV", "MRG2002 Table 1"),
    "ek": Param(-90.0, "mV", "MRG2002 Table 1"),
    "el": Param(-90.0, "mV", "MRG2002 Table 1"),
    "q10_m": Param(2.2, "1", "MRG2002 (Q10 of Na activation, reference 20 °C)"),
    "q10_h": Param(2.9, "1", "MRG2002 (Q10 of Na inactivation, reference 20 °C)"),
    "q10_s": Param(3.0, "1", "MRG2002 (Q10 of slow K, reference 36 °C)"),
    # PyFibers passive end node
    "passive_node_g": Param(0.0001, "S/cm2", "PyFibers (passive end node leak)"),
    "passive_node_cm": Param(1.0, "uF/cm2", "PyFibers (passive end node capacitance)"),
    "passive_node_ra": Param(1e10, "ohm*cm", "PyFibers (passive end node axial resistivity)"),
    "short_circuit_g": Param(1e10, "S/cm2", "NEURON extracellular xg at nodes (short circuit)"),
}

# Rate-function constants of AXNODE.mod (MRG2002): (A, B, C) of each vtrap expression, in
# 1/ms, mV, mV.
MRG_RATES: dict[str, tuple[float, float, float]] = {
    "amp": (0.01, 27.0, 10.2),
    "bmp": (0.00025, 34.0, 10.0),
    "am": (1.86, 21.4, 10.3),
    "bm": (0.086, 25.7, 9.16),
    "ah": (0.062, 114.0, 11.0),
    "bh": (2.3, 31.8, 13.4),
    "as": (0.3, -27.0, -5.0),
    "bs": (0.03, 10.0, -1.0),
}


@dataclass(frozen=True)
class MrgGeometry:
    """MRG geometry for one fibre diameter (all lengths and diameters in µm)."""

    fiber_diameter: float
    axon_diameter: float  # FLUT and STIN axon diameter
    node_diameter: float  # node and MYSA diameter
    node_spacing: float  # delta x, node to node
    flut_length: float
    lamellae: float


# MRG2002 Table 1 (with the 5.7–16 µm rows used by every MRG implementation since).
# Columns: fibre D, axon D, node D, delta x, FLUT length, lamellae.
MRG_GEOMETRY: tuple[MrgGeometry, ...] = tuple(
    MrgGeometry(*row)
    for row in (
        (5.7, 3.4, 1.9, 500.0, 35.0, 80.0),
        (7.3, 4.6, 2.4, 750.0, 38.0, 100.0),
        (8.7, 5.8, 2.8, 1000.0, 40.0, 110.0),
        (10.0, 6.9, 3.3, 1150.0, 46.0, 120.0),
        (11.5, 8.1, 3.7, 1250.0, 50.0, 130.0),
        (12.8, 9.2, 4.2, 1350.0, 54.0, 135.0),
        (14.0, 10.4, 4.7, 1400.0, 56.0, 140.0),
        (15.0, 11.5, 5.0, 1450.0, 58.0, 145.0),
        (16.0, 12.7, 5.5, 1500.0, 60.0, 150.0),
    )
)
MRG_GEOMETRY_SOURCE = "MRG2002 Table 1"
MRG_INTERPOLATION_SOURCE = "Pelot2021 / ASCENT MRG interpolation (quadratic fits to Table 1)"
#: Below this fibre diameter (µm) the MRG geometry is scaled by similarity (thin myelinated).
THIN_MYELINATED_BELOW_UM = 2.0


def mrg_geometry(diameter_um: float) -> MrgGeometry:
    """MRG geometry for a fibre diameter in µm (1–16).

    A diameter that is a row of the published table uses that row exactly; any other
    diameter from 2 µm up uses the quadratic "MRG interpolation" fits (Pelot2021), as PyFibers
    does. Below 2 µm (thin myelinated Aδ fibers) the fits break down (at 1 µm they give an
    axon wider than the fibre), so the 2 µm geometry is scaled by similarity: every length
    and diameter in proportion to the fibre diameter, the lamellae too. Thin myelinated
    fibers keep a near-constant g-ratio and internode/diameter ratio (Rushton 1951,
    J Physiol 115:101; Waxman 1980, Muscle Nerve 3:141), which is what makes conduction
    velocity proportional to diameter, and a test checks that it is.
    """
    for row in MRG_GEOMETRY:
        if abs(row.fiber_diameter - diameter_um) < 1e-9:
            return row
    d = float(diameter_um)
    if d < THIN_MYELINATED_BELOW_UM:
        g = mrg_geometry(THIN_MYELINATED_BELOW_UM)
        k = d / THIN_MYELINATED_BELOW_UM
        return MrgGeometry(fiber_diameter=d, axon_diameter=g.axon_diameter * k,
                           node_diameter=g.node_diameter * k, node_spacing=g.node_spacing * k,
                           flut_length=g.flut_length * k, lamellae=g.lamellae * k)
    spacing = -8.215 * d**2 + 272.4 * d - 780.2 if d >= 5.643 else 81.08 * d + 37.84
    return MrgGeometry(
        fiber_diameter=d,
        axon_diameter=0.02361 * d**2 + 0.3673 * d + 0.7122,
        node_diameter=0.01093 * d**2 + 0.1008 * d + 1.099,
        node_spacing=spacing,
        flut_length=-0.1652 * d**2 + 6.354 * d - 0.2862,
        lamellae=-0.4749 * d**2 + 16.85 * d - 0.7648,
    )


# --------------------------------------------------------------------------------------
# Sweeney single-cable myelinated axon
# --------------------------------------------------------------------------------------

SWEENEY: dict[str, Param] = {
    "node_length": Param(1.5, "um", "Sweeney1987"),
    "node_diameter_ratio": Param(0.6, "1", "Sweeney1987 (axon/fibre diameter)"),
    "internode_ratio": Param(100.0, "1", "Sweeney1987 (node spacing / fibre diameter)"),
    "ra": Param(54.7, "ohm*cm", "Sweeney1987"),
    "cm": Param(2.5, "uF/cm2", "Sweeney1987"),
    "gna": Param(1.445, "S/cm2", "Sweeney1987"),
    "gl": Param(0.128, "S/cm2", "Sweeney1987"),
    "ena": Param(35.64, "mV", "Sweeney1987 (115 mV above a -80 mV rest)"),
    "el": Param(-80.01, "mV", "Sweeney1987"),
    "v_rest": Param(-80.0, "mV", "Sweeney1987"),
}

# --------------------------------------------------------------------------------------
# Sundt C fiber (unmyelinated)
# --------------------------------------------------------------------------------------

SUNDT: dict[str, Param] = {
    "section_length": Param(8.333, "um", "PyFibers / Sundt2015 compartment length"),
    "ra": Param(100.0, "ohm*cm", "Sundt2015"),
    "cm": Param(1.0, "uF/cm2", "Sundt2015"),
    "g_pas": Param(1e-4, "S/cm2", "Sundt2015 (Rm = 10 kΩ·cm²)"),
    "e_pas": Param(-60.0, "mV", "Sundt2015 (leak set so that rest is -60 mV)"),
    "v_rest": Param(-60.0, "mV", "Sundt2015"),
    "gna": Param(0.04, "S/cm2", "Sundt2015"),
    "ena": Param(50.0, "mV", "Sundt2015 (NEURON default ena)"),
    "m_shift": Param(-6.0, "mV", "Sundt2015 (Nav1.7/1.8 activation shift)"),
    "h_shift": Param(6.0, "mV", "Sundt2015 (Nav1.7/1.8 inactivation shift)"),
    "gkdr": Param(0.04, "S/cm2", "Sundt2015"),
    "ek": Param(-90.0, "mV", "Sundt2015"),
    "q10": Param(3.0, "1", "Sundt2015 (reference 30 °C)"),
    # Borg-Graham K-DR (Migliore et al. 1999 parameterisation used by Sundt2015)
    "kdr_vhalf_n": Param(-32.0, "mV", "Sundt2015"),
    "kdr_vhalf_l": Param(-61.0, "mV", "Sundt2015"),
    "kdr_a0_n": Param(0.03, "1/ms", "Sundt2015"),
    "kdr_a0_l": Param(0.001, "1/ms", "Sundt2015"),
    "kdr_zeta_n": Param(-5.0, "1", "Sundt2015"),
    "kdr_zeta_l": Param(2.0, "1", "Sundt2015"),
    "kdr_gm_n": Param(0.4, "1", "Sundt2015"),
    "kdr_gm_l": Param(1.0, "1", "Sundt2015"),
}

# --------------------------------------------------------------------------------------
# Unmyelinated free ending of a thin myelinated (Aδ) afferent
# --------------------------------------------------------------------------------------

#: The terminal of an Aδ afferent past its last myelinated node: a thin unmyelinated axon
#: with Sundt 2015 C-fiber membrane and channels (:data:`SUNDT`), from where the myelin ends
#: in the upper dermis through the papillary dermis into the epidermis.
FREE_ENDING: dict[str, Param] = {
    "length": Param(
        150.0, "um", "Provitera2007, Kennedy1993: the myelin ends in the upper dermis and the "
        "fiber runs on unmyelinated through the papillary dermis (~100 µm) into the epidermis "
        "(~50-100 µm on hairy skin, Lee & Hwang 2002); MacIver1993 measured Aδ terminal "
        "processes of 0.1-1.2 mm in corneal epithelium, so 150 µm is at the short end"),
    "diameter": Param(
        1.0, "um", "Kennedy1993, Provitera2007: intraepidermal fibers are thin unmyelinated "
        "axons (C-fiber calibre, 0.2-1.5 µm, Boyd & Davey 1968); 1 µm is also where Sundt "
        "2015's C-fiber model was built"),
    "section_length": Param(
        25.0, "um", "estim: a twentieth of the ~500 µm passive length constant of a 1 µm Sundt "
        "axon (the window's C fibers use the same sections)"),
}

# --------------------------------------------------------------------------------------
# Hodgkin–Huxley squid giant axon
# --------------------------------------------------------------------------------------

HH: dict[str, Param] = {
    "radius": Param(238.0, "um", "HH1952 (axon of the propagated-AP calculation)"),
    "ra": Param(35.4, "ohm*cm", "HH1952"),
    "cm": Param(1.0, "uF/cm2", "HH1952"),
    "gna": Param(0.120, "S/cm2", "HH1952"),
    "gk": Param(0.036, "S/cm2", "HH1952"),
    "gl": Param(0.0003, "S/cm2", "HH1952"),
    "ena": Param(50.0, "mV", "HH1952 (+115 mV from a -65 mV rest)"),
    "ek": Param(-77.0, "mV", "HH1952 (-12 mV from rest)"),
    "el": Param(-54.3, "mV", "HH1952 (+10.6 mV from rest; NEURON hh.mod value)"),
    "v_rest": Param(-65.0, "mV", "HH1952 rest, NEURON convention"),
    "q10": Param(3.0, "1", "HH1952 (reference 6.3 °C)"),
    "temperature": Param(18.5, "degC", "HH1952 (propagated action potential)"),
    "cv_computed": Param(18.8, "m/s", "HH1952 p. 532 (computed velocity, measured 21.2 m/s)"),
}


def as_array(table: dict[str, Param], keys: tuple[str, ...]) -> np.ndarray:
    """Values of ``keys`` from ``table`` as a float64 array (for the compiled kernels)."""
    return np.array([float(table[k]) for k in keys], dtype=np.float64)
