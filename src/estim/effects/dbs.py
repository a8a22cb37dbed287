"""Tissue a DBS setting activates: MRG axons around the lead, thresholded under the program's
own pulse, beside the common field-threshold shortcut.

Straight myelinated axons (MRG, 5.7 µm by default) run perpendicular to the lead, one through
each point of a grid in a half-plane that contains the lead axis (radius r from the axis,
height z along it), tangential to the circles around the lead (Butson & McIntyre 2006,
Clin Neurophysiol 117:447). Each axon's extracellular potential comes from the field
solution of the program's channels (superposed at their programmed currents), its waveform
is the program's own pulse (cathodic phase, interphase gap, recharge), and the batched
cable solver gives its threshold as a multiple of the programmed peak current. Ring contacts
make the field a body of revolution, so the activated region at any amplitude is the set
of grid points whose threshold is below it, revolved around the lead: its boundary is the
isosurface, its radius at a contact's centre the activation radius, its volume the VTA.
One threshold search serves every amplitude, so a sweep over the dial costs nothing more.

The shortcut activates wherever |E| exceeds a fixed threshold (0.2 V/mm); both regions are
reported, with how far apart they are.

>>> from estim.effects.dbs import ActivationMap
>>> import numpy as np
>>> r = np.array([1e-3, 2e-3, 4e-3]); z = np.array([0.0])
>>> m = ActivationMap(r, z, np.array([[1e-3, 4e-3, 16e-3]]), lead_radius_m=0.635e-3)
>>> round(m.radius_at(4e-3, 0.0) * 1e3, 3)  # [m -> mm] the 2 mm axon's threshold is 4 mA
2.0

Evidence: axon thresholds are mechanistic (the cable model is validated against NEURON);
the straight, perpendicular axons and the homogeneous tissue are assumptions; the
field-threshold region is a model shortcut.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from estim.evidence import EvidenceLevel
from estim.tables import TableEntry
from estim.units import finite_or_none

if TYPE_CHECKING:
    from estim.fibers.protocols import UnitWaveform
    from estim.program.model import Program
    from estim.waveforms.stimulus import Stimulus

__all__ = ["DBS_ACTIVATION_TABLE", "DEFAULT_FIBER_DIAMETER_M", "ActivationMap",
           "ActivationSweep", "ContactRadius", "DBSActivation", "activation_map",
           "dbs_activation", "volume_text"]

FloatArray = NDArray[np.float64]

#: Axon diameter of the DBS activation model (m): the large myelinated axons of the internal
#: capsule and the pallidothalamic / cerebellothalamic tracts.
DEFAULT_FIBER_DIAMETER_M = 5.7e-6

DBS_ACTIVATION_TABLE: tuple[TableEntry, ...] = (
    TableEntry("fiber_diameter_m", DEFAULT_FIBER_DIAMETER_M, "m",
               "McIntyre, Mori, Sherman, Thakor & Vitek 2004, Clin Neurophysiol 115:589; "
               "Butson & McIntyre 2006, Clin Neurophysiol 117:447", published="5.7 um"),
    TableEntry("field_threshold_v_per_m", 200.0, "V/m",
               "Åström, Diczfalusy, Martens & Wårdell 2015, IEEE TBME 62:664 (|E| threshold "
               "of ~5 um axons at 60-120 us); the default of field-threshold VTAs in "
               "Lead-DBS and OSS-DBS", published="0.2 V/mm"),
)
_FIELD_THRESHOLD_V_PER_M = 200.0

#: Bump when the thresholds change meaning (invalidates cached activation maps).
_CACHE_VERSION = "dbs-activation-2"
#: Nodes of Ranvier per axon: 20 mm of a 5.7 µm axon. 21 nodes (10 mm) were enough under a
#: cathode (80.8 against 82.0 mm³ for dbs_stn) but not under an anode, where the sealed ends
#: of a short axon fire: contact 1 as the anode at 3 mA read 45.5 mm³ and a 2.55 mm radius;
#: 31, 41, 61 and 81 nodes give 6.8, 6.4, 6.4 and 6.4 mm³, 1.67 mm (DBS researcher's probe
#: of 7 December 2026; docs/dbs.md).
_NODES = 41
#: Relative bracket of each threshold search.
_PRECISION = 0.03
#: Radii of the axon grid (m): from just outside the encapsulation, geometric to 8 mm.
_R_MAX_M = 8e-3
_N_R = 7
#: Rows of the grid (m): every 1 mm up to 5 mm beyond the outermost active contact, and
#: every 0.25 mm within 1.5 mm of each active contact's centre, where the region ends at a
#: contact's edge. With 1 mm rows alone a bipolar pair's volume read 24.9 mm³ where finer
#: rows converge to 33 (-25 %), an anode's 5.3 for 6.3 (-16 %) and dbs_stn's 80.4 for
#: 82.3 (-2 %): the lobes end within a contact's length, between two rows (DBS
#: researcher's probe of 7 December 2026). With these rows, 32.3, 6.3 and 81.6 mm³, for
#: 1.9 x the axons of one contact (21 rows against 11; 0.25 mm rows all along: 41) and
#: about 1.5 x the thresholding time.
_Z_STEP_M = 1e-3
_Z_REACH_M = 5e-3
_Z_FINE_M = 0.25e-3
_Z_NEAR_M = 1.5e-3
#: Resolution of the profiles and volumes (m): thresholds interpolated between rows.
_FINE_M = 0.05e-3
#: Simulated time after the active part of the pulse (s): an action potential reaches the
#: detection node well within it.
_AFTER_PULSE_S = 1.5e-3


@dataclass(frozen=True, eq=False)
class ActivationMap:
    """Axon thresholds (A of the main channel's peak current) on an (r, z) grid.

    :param r_m: radii of the axons from the lead axis (m), increasing.
    :param z_m: heights of the rows above the lead tip (m), increasing.
    :param threshold_a: (len(z_m), len(r_m)) thresholds; inf: not reached.
    :param lead_radius_m: no tissue inside it (m).
    :param axon_free_m: no axons inside it (m): the encapsulation's outer radius (0: the
        lead's radius).
    :param field_r_m: radii of the field samples (m).
    :param field_z_m: heights of the field samples (m).
    :param field_v_per_m_per_a: |E| per A of main-channel peak current, (z, r) samples.
    """

    r_m: FloatArray
    z_m: FloatArray
    threshold_a: FloatArray
    lead_radius_m: float
    field_r_m: FloatArray = field(default_factory=lambda: np.zeros(0))
    field_z_m: FloatArray = field(default_factory=lambda: np.zeros(0))
    field_v_per_m_per_a: FloatArray = field(default_factory=lambda: np.zeros((0, 0)))
    axon_free_m: float = 0.0

    def _row_thresholds(self, z_m: float) -> FloatArray:
        """log-interpolated thresholds of a row at height ``z_m`` (m)."""
        if self.z_m.size == 1:
            return self.threshold_a[0]
        log = np.log(np.where(np.isfinite(self.threshold_a), self.threshold_a, 1e9))
        out = np.array([np.interp(z_m, self.z_m, log[:, k], left=np.inf, right=np.inf)
                        for k in range(self.r_m.size)])
        return np.exp(out)

    def radius_at(self, amplitude_a: float, z_m: float) -> float:
        """Radius (m, from the lead axis) of the activated region at height ``z_m``; 0 where
        nothing is activated. Log-log interpolation between axons; below the innermost
        axon the first two axons' slope is extended inwards, as far as the encapsulation
        (:attr:`axon_free_m`): a region ending inside it has no axon that fires, so none is
        activated (0.2 mA read 0.58 mm³ in the scar, below the innermost axon's 0.39 mA;
        probe of 6 December 2026)."""
        thr = self._row_thresholds(z_m)
        if amplitude_a <= 0 or not np.isfinite(thr[0]):
            return 0.0
        lr, lt, la = np.log(self.r_m), np.log(thr), math.log(amplitude_a)
        above = np.flatnonzero(thr > amplitude_a)
        if above.size == 0:
            return float(self.r_m[-1])  # beyond the grid: clipped (see reaches_edge)
        k = int(above[0])
        if k == 0:  # extend the innermost slope inwards
            k = 1
        slope = (lt[k] - lt[k - 1]) / (lr[k] - lr[k - 1])
        if not np.isfinite(slope) or slope <= 0:
            return float(self.r_m[k - 1]) if thr[k - 1] <= amplitude_a else 0.0
        r = math.exp(lr[k - 1] + (la - lt[k - 1]) / slope)
        return r if r > max(self.lead_radius_m, self.axon_free_m) else 0.0

    def reaches_edge(self, amplitude_a: float) -> bool:
        """Whether the activated region reaches the outermost axons at ``amplitude_a``."""
        return bool(np.any(self.threshold_a[:, -1] <= amplitude_a)
                    or np.any(self.threshold_a[[0, -1], :] <= amplitude_a))

    def profile(self, amplitude_a: float) -> tuple[FloatArray, FloatArray]:
        """The boundary of the activated region: heights (m) and radii (m). Revolved around
        the lead axis it is the isosurface of activation."""
        z = np.arange(self.z_m[0], self.z_m[-1] + _FINE_M / 2, _FINE_M)
        return z, np.array([self.radius_at(amplitude_a, float(zz)) for zz in z])

    def volume_m3(self, amplitude_a: float, *, with_encapsulation: bool = False) -> float:
        """Activated volume (m³): the profile revolved, less the lead and the encapsulation
        (:attr:`axon_free_m`), which holds no axons (``with_encapsulation``: less the lead
        only, the isosurface's whole content). The headline counted the encapsulation: at
        0.6 mA, 5.14 of its 7.77 mm³ were scar (DBS researcher's probe of 7 December
        2026)."""
        z, r = self.profile(amplitude_a)
        return _revolved(z, r, self._inner(with_encapsulation))

    def _inner(self, with_encapsulation: bool) -> float:
        """The radius inside which a volume counts nothing (m)."""
        return self.lead_radius_m if with_encapsulation \
            else max(self.lead_radius_m, self.axon_free_m)

    # --- the field-threshold shortcut ----------------------------------------------------
    def field_radius_at(self, amplitude_a: float, z_m: float, threshold_v_per_m: float
                        ) -> float:
        """Radius (m) out to which |E| exceeds ``threshold_v_per_m`` at height ``z_m``."""
        if self.field_z_m.size == 0 or amplitude_a <= 0:
            return 0.0
        row = np.array([np.interp(z_m, self.field_z_m, self.field_v_per_m_per_a[:, k])
                        for k in range(self.field_r_m.size)]) * amplitude_a
        over = np.flatnonzero(row >= threshold_v_per_m)
        if over.size == 0:
            return 0.0
        k = int(over[-1])
        if k == row.size - 1:
            return float(self.field_r_m[-1])
        r0, r1, e0, e1 = self.field_r_m[k], self.field_r_m[k + 1], row[k], row[k + 1]
        r = float(r0 + (e0 - threshold_v_per_m) / (e0 - e1) * (r1 - r0))
        # a region ending in the encapsulation holds no axons, as :meth:`radius_at`'s
        # (0.2 mA gave 18.8 mm³ inside the scar; review of 6 December 2026)
        return r if r > self.axon_free_m else 0.0

    def field_profile(self, amplitude_a: float, threshold_v_per_m: float
                      ) -> tuple[FloatArray, FloatArray]:
        z = self.field_z_m
        return z, np.array([self.field_radius_at(amplitude_a, float(zz), threshold_v_per_m)
                            for zz in z])

    def field_volume_m3(self, amplitude_a: float, threshold_v_per_m: float, *,
                        with_encapsulation: bool = False) -> float:
        """The field shortcut's volume (m³), less the lead and encapsulation as
        :meth:`volume_m3`'s."""
        z, r = self.field_profile(amplitude_a, threshold_v_per_m)
        return _revolved(z, r, self._inner(with_encapsulation))


def _revolved(z: FloatArray, r: FloatArray, r_in: float) -> float:
    """Volume (m³) of the profile r(z) revolved around the axis, less a cylinder of r_in."""
    if z.size < 2:
        return 0.0
    area = math.pi * np.maximum(r**2 - r_in**2, 0.0)
    return float(np.sum((area[1:] + area[:-1]) / 2 * np.diff(z)))


@dataclass(frozen=True)
class ContactRadius:
    """The activation radius at one active contact (m, from the lead axis)."""

    placement: str
    role: str  # "cathode" or "anode"
    z_m: float
    radius_m: float
    field_radius_m: float


@dataclass(frozen=True, eq=False)
class ActivationSweep:
    """Radius and volume against the dial (all channels scaled together, each up to what
    the device can drive).

    :param amplitudes: dial settings in the control's unit (A or V).
    :param current_a: the main channel's peak current at each (A).
    :param radius_m: per active contact (placement -> radii, m).
    """

    amplitudes: FloatArray
    unit: str
    current_a: FloatArray
    radius_m: dict[str, FloatArray]
    volume_m3: FloatArray
    field_radius_m: dict[str, FloatArray]
    field_volume_m3: FloatArray
    reaches_edge: NDArray[np.bool_]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: a setting left out of the sweep (NaN) is None."""
        def listed(v: FloatArray) -> list[float | None]:
            return [finite_or_none(float(x)) for x in v]

        return {"amplitudes": self.amplitudes.tolist(), "unit": self.unit,
                "current_A": self.current_a.tolist(),
                "radius_m": {k: listed(v) for k, v in self.radius_m.items()},
                "volume_m3": listed(self.volume_m3),
                "field_radius_m": {k: listed(v) for k, v in self.field_radius_m.items()},
                "field_volume_m3": listed(self.field_volume_m3),
                "beyond_grid": self.reaches_edge.tolist()}


@dataclass(frozen=True, eq=False)
class DBSActivation:
    """The tissue a DBS setting activates.

    :param current_a: the main channel's peak current (A): the programmed one, or what the
        device can drive where its compliance voltage or current limit holds it back
        (``limited_by``).
    :param load_ohm: the impedance that turned a voltage into a current, or that the
        compliance voltage drives the current through (Ω); None for a current-controlled
        output without a compliance voltage.
    :param impedance_source: where ``load_ohm`` comes from (the program, the field solution).
    :param field_impedance_ohm: the field solution's impedance of the main channel (Ω):
        tissue and encapsulation, no electrode interface.
    """

    channel: str
    lead: str
    control: str
    amplitude: float
    current_a: float
    load_ohm: float | None
    impedance_source: str
    field_impedance_ohm: float
    fiber_diameter_m: float
    pulse_width_s: float
    field_threshold_v_per_m: float
    contacts: tuple[ContactRadius, ...]
    volume_m3: float
    field_volume_m3: float
    map: ActivationMap = field(repr=False)
    sweep: ActivationSweep | None = field(default=None, repr=False)
    notes: tuple[str, ...] = ()
    seconds: float = 0.0
    #: why the current is less than the dial asks for (the compliance voltage, the current
    #: limit), in words; "" where the device delivers it
    limited_by: str = ""
    #: the superposed channels' currents (A) at a setting of the main dial, each up to the
    #: device's limits through its own impedance, and the activation maps of the field
    #: shapes computed (keyed by each channel's current per ampere of the main channel's)
    currents_at: Callable[[float], tuple[float, ...]] | None = field(default=None, repr=False)
    maps: dict[tuple[float, ...], ActivationMap] = field(default_factory=dict, repr=False)
    #: the channels whose fields are superposed in the activation, each with the current
    #: (A) it delivers (those off left out): a run of several described channel 1's only
    superposed: tuple[tuple[str, float], ...] = ()
    #: every channel's field-solution impedance (Ω), by name: the safety check judges each
    #: channel into its own (channel 2 of two was judged into 500 Ω while channel 1 took
    #: its field's 54.5 Ω; probe of 5 December 2026)
    field_impedances_ohm: Mapping[str, float] = field(default_factory=dict)
    #: the main channel's pulse rate (Hz): the thresholds are a single pulse's, so it
    #: enters only through the recharge within a period, and the run says so (2, 130 and
    #: 1,000 Hz gave 94.1, 94.1 and 90.7 mm³ without a word; DBS researcher's probe of
    #: 7 December 2026)
    rate_hz: float | None = None
    #: the program's [site] names no lead: the field is the default lead's (a forgotten
    #: line read as the 3389's volume without a word; DBS researcher's probe of 7 December
    #: 2026)
    lead_assumed: bool = False
    #: each channel on but not superposed (another pulse, rate or timing: interleaved
    #: settings), with its own activation alone: (name, volume m³, its cathodes' largest
    #: radius m, whether it reaches the grid's edge); channel 2's activation was nowhere
    #: (DBS researcher's probe of 7 December 2026)
    apart: tuple[tuple[str, float, float, bool], ...] = ()
    evidence: dict[str, str] = field(default_factory=lambda: {
        "thresholds": EvidenceLevel.MECHANISTIC.value,
        "axons and tissue": EvidenceLevel.ANATOMICAL_ASSUMPTION.value,
        "field threshold": EvidenceLevel.MODEL_PREDICTION.value,
    })

    def at_dial(self, setting: float) -> tuple[float, float]:
        """The main channel's current (A) and the activated volume (m³) at another dial
        setting (A or V): each channel's current up to the device's limits through its own
        impedance, exactly at the setting (the sweep's settings, joined by straight lines,
        put a compliance's bend between two of them: 3.35 mA where 3.5 flow), and the
        volume from the map of that setting's field shape; a shape no map holds (the limits
        change the channels' ratio between the sweep's settings) takes the volume between
        the sweep's settings."""
        if self.currents_at is None:
            current = self.current_a * setting / self.amplitude if self.amplitude > 0 else 0.0
            return current, self.map.volume_m3(current) if current > 0 else 0.0
        currents = self.currents_at(setting)
        main = currents[0]
        if main <= 0:
            return 0.0, 0.0
        weights = [c / main for c in currents]
        for key, amap in self.maps.items():
            if all(abs(w - k) <= 1e-9 * max(abs(w), abs(k), 1.0)
                   for w, k in zip(weights, key, strict=True)):
                return main, amap.volume_m3(main)
        assert self.sweep is not None  # a second shape exists only along a sweep
        volume = float(np.interp(setting, np.r_[0.0, self.sweep.amplitudes],
                                 np.r_[0.0, self.sweep.volume_m3]))
        return main, volume

    @property
    def field_difference(self) -> float:
        """(field-threshold volume / axon-model volume) - 1; nan when nothing is activated."""
        return self.field_volume_m3 / self.volume_m3 - 1 if self.volume_m3 > 0 else math.nan

    @property
    def beyond_grid(self) -> bool:
        return self.map.reaches_edge(self.current_a)

    def to_dict(self) -> dict[str, Any]:
        from estim.leads import get_lead

        z, r = self.map.profile(self.current_a)
        keep = r > 0
        return {
            "channel": self.channel, "lead": self.lead, "control": self.control,
            "amplitude": self.amplitude, "amplitude_unit": "A" if self.control == "current"
            else "V", "current_A": self.current_a, "load_ohm": self.load_ohm,
            "impedance_source": self.impedance_source,
            "field_impedance_ohm": self.field_impedance_ohm,
            "fiber_diameter_m": self.fiber_diameter_m, "pulse_width_s": self.pulse_width_s,
            "volume_mm3": self.volume_m3 * 1e9,  # [m³ -> mm³]
            # no axon lies inside it (the encapsulation's outer radius): the volume is
            # outside it, and a setting that activates nothing fires no axon beyond it;
            # None without an encapsulation
            "axon_free_radius_m": self.map.axon_free_m
            if self.map.axon_free_m > self.map.lead_radius_m else None,
            "rate_hz": self.rate_hz,
            "lead_title": get_lead(self.lead).title, "lead_assumed": self.lead_assumed,
            "field_threshold_V_per_m": self.field_threshold_v_per_m,
            "field_volume_mm3": self.field_volume_m3 * 1e9,  # [m³ -> mm³]
            "field_vs_axon_volume": finite_or_none(self.field_difference),
            "contacts": [{"placement": c.placement, "role": c.role, "z_m": c.z_m,
                          "radius_m": c.radius_m, "field_radius_m": c.field_radius_m}
                         for c in self.contacts],
            "isosurface": {"z_m": z[keep].tolist(), "r_m": r[keep].tolist(),
                           "about": "boundary r(z) of the activated region; revolved around "
                                    "the lead axis (x = y = 0) it is the isosurface"},
            "beyond_grid": self.beyond_grid,
            "sweep": self.sweep.to_dict() if self.sweep is not None else None,
            "limited_by": self.limited_by or None,
            "channels": [{"name": n, "current_A": i} for n, i in self.superposed],
            # interleaved channels, each alone (their union is not modelled)
            "apart": [{"name": n, "volume_mm3": v * 1e9, "radius_m": r, "beyond_grid": edge}
                      for n, v, r, edge in self.apart],
            "notes": list(self.notes), "evidence": self.evidence, "seconds": self.seconds,
        }


Potential = Callable[[FloatArray], FloatArray]
Field = Callable[[FloatArray], FloatArray]


def _check_activation_arguments(program: Program, stimuli: Sequence[Stimulus],
                                threshold: object, sweep_max: object) -> None:
    """What :func:`dbs_activation` is given, checked where a user gives it: an empty list of
    stimuli was an IndexError, a threshold of 0 or -200 V/m activated the whole grid, NaN
    none, and a NaN sweep top swept the whole grid (probe of 6 December 2026)."""
    import numbers

    from estim.errors import InputError
    from estim.program.model import Program
    from estim.waveforms.stimulus import Stimulus

    if not isinstance(program, Program):
        raise InputError("program", type(program).__name__, "a Program (estim.load_program)")
    if len(stimuli) != len(program.channels) or not all(
            isinstance(s, Stimulus) for s in stimuli):
        raise InputError("stimuli", f"{len(stimuli)} items", f"each of the program's "
                         f"{len(program.channels)} channels' Stimulus "
                         "(estim.stimuli_for(program))")
    for name, value in (("field_threshold_v_per_m", threshold), ("sweep_max", sweep_max)):
        if name == "sweep_max" and value is None:
            continue
        ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
        if not (ok and math.isfinite(float(value)) and float(value) > 0):  # type: ignore[arg-type]
            raise InputError(name, value, "a positive, finite number (SI: V/m; the dial's A "
                             "or V)")


def _common_rate_hz(stim: Stimulus, other: Stimulus) -> float | None:
    """How often two channels' pulse trains that both start at 0 start a cycle together
    (Hz): the greatest common divisor of their cycle rates (20 and 130 Hz: 10); None where
    their onsets within a cycle differ (a delayed channel) or the rates share none above
    0.1 Hz."""
    from fractions import Fraction

    if not (np.allclose(stim.onsets_s[:1], 0.0) and np.allclose(other.onsets_s[:1], 0.0)):
        return None
    a = Fraction(1.0 / stim.cycle_s).limit_denominator(1000)
    b = Fraction(1.0 / other.cycle_s).limit_denominator(1000)
    g = Fraction(math.gcd(a.numerator * b.denominator, b.numerator * a.denominator),
                 a.denominator * b.denominator)
    return float(g) if g >= Fraction(1, 10) else None


def _coincide(stim: Stimulus, other: Stimulus) -> bool:
    """Whether two channels' pulses start together every time: the same cycle and the same
    onsets in it."""
    a, b = np.asarray(stim.onsets_s, float), np.asarray(other.onsets_s, float)
    return math.isclose(stim.cycle_s, other.cycle_s, rel_tol=1e-9) and a.shape == b.shape \
        and bool(np.allclose(a, b, rtol=0.0, atol=1e-9))


def activation_map(potential: Potential, field_of: Field | None, waveform: UnitWaveform, *,
                   contact_z_m: Sequence[float], lead_radius_m: float, r_min_m: float,
                   axon_free_m: float = 0.0, fiber_diameter_m: float = DEFAULT_FIBER_DIAMETER_M,
                   tstop_s: float | None = None,
                   progress: Callable[[str], None] | None = None) -> ActivationMap:
    """Thresholds of the axon grid around ring contacts at heights ``contact_z_m``.

    :param potential: φ (V per A of the main channel's peak current) at points (N, 3) m.
    :param field_of: E (V/m per A) at points, for the shortcut; None: no shortcut.
    :param waveform: the unit pulse (``sample(t)``, ``cache_key()``).
    :param r_min_m: innermost axon (m): outside the encapsulation.
    :param axon_free_m: no axons inside it (m): the encapsulation's outer radius.
    """
    from estim.cache import digest, load_arrays, store_arrays
    from estim.fibers import SolverOptions, find_thresholds, make_fiber

    r = np.geomspace(r_min_m, _R_MAX_M, _N_R)
    z = _rows(contact_z_m)
    fib = make_fiber("mrg", fiber_diameter_m, n_nodes=_NODES)
    s = np.asarray(fib.positions_m, float)
    # axon through (r, 0, z), along y: tangential to the circle around the lead
    pts = np.stack([np.broadcast_to(rr, s.shape) for zz in z for rr in r])
    pts = np.stack([pts, np.tile(s, (z.size * r.size, 1)),
                    np.repeat(z, r.size)[:, None] * np.ones_like(s)], axis=-1)
    phi = np.asarray(potential(pts.reshape(-1, 3)), float).reshape(z.size * r.size, s.size)
    phi = np.stack([_fill(row) for row in phi])
    key = digest(_CACHE_VERSION, phi, waveform.cache_key(), fiber_diameter_m, _NODES,
                 _PRECISION, tstop_s)
    hit = load_arrays("dbs_thresholds", key)
    if hit is not None:
        thr = np.asarray(hit["threshold_a"], float)
    else:
        if progress is not None:
            progress(f"DBS activation: thresholds of {phi.shape[0]} axons "
                     f"({fiber_diameter_m * 1e6:g} µm MRG)")
        res = find_thresholds([fib] * phi.shape[0], list(phi), waveform, precision=_PRECISION,
                              options=SolverOptions(tstop_s=tstop_s))
        thr = np.asarray(res.threshold_a, float)
        store_arrays("dbs_thresholds", key, {"threshold_a": thr})
    thr = np.where(np.isfinite(thr), thr, np.inf).reshape(z.size, r.size)
    fr = fz = np.zeros(0)
    fe = np.zeros((0, 0))
    if field_of is not None:
        fr = np.linspace(lead_radius_m + _FINE_M, _R_MAX_M, 160)
        fz = np.arange(z[0], z[-1] + _FINE_M, 2 * _FINE_M)
        grid = np.stack([np.repeat(fr[None, :], fz.size, 0),
                         np.zeros((fz.size, fr.size)),
                         np.repeat(fz[:, None], fr.size, 1)], axis=-1).reshape(-1, 3)
        e = np.linalg.norm(np.asarray(field_of(grid), float), axis=-1)
        fe = np.nan_to_num(e, nan=0.0).reshape(fz.size, fr.size)
    return ActivationMap(r, z, thr, lead_radius_m, fr, fz, fe, axon_free_m=axon_free_m)


def _rows(contact_z_m: Sequence[float]) -> FloatArray:
    """Heights of the axon grid's rows (m), increasing: every :data:`_Z_STEP_M` to
    :data:`_Z_REACH_M` beyond each active contact, every :data:`_Z_FINE_M` within
    :data:`_Z_NEAR_M` of it.

    >>> (_rows([0.0]) * 1e3).round(2).tolist()  # doctest: +NORMALIZE_WHITESPACE
    [-5.0, -4.0, -3.0, -2.0, -1.5, -1.25, -1.0, -0.75, -0.5, -0.25, 0.0, 0.25, 0.5, 0.75,
     1.0, 1.25, 1.5, 2.0, 3.0, 4.0, 5.0]
    """
    def steps(step: float, reach: float) -> range:
        return range(-round(reach / step), round(reach / step) + 1)

    return np.array(sorted({round(z + k * step, 7) for z in contact_z_m
                            for step, reach in ((_Z_STEP_M, _Z_REACH_M),
                                                (_Z_FINE_M, _Z_NEAR_M))
                            for k in steps(step, reach)}))


def _fill(phi: FloatArray) -> FloatArray:
    """φ along an axon with points the field solution could not locate (NaN) filled from
    their neighbours."""
    bad = ~np.isfinite(phi)
    if not bad.any() or bad.all():
        return np.nan_to_num(phi)
    i = np.arange(phi.size)
    return np.interp(i, i[~bad], phi[~bad])


def dbs_activation(program: Program, stimuli: Sequence[Stimulus], *,
                   fiber_diameter_m: float = DEFAULT_FIBER_DIAMETER_M,
                   field_threshold_v_per_m: float = _FIELD_THRESHOLD_V_PER_M,
                   sweep_steps: int = 10, sweep_max: float | None = None,
                   progress: Callable[[str], None] | None = None) -> DBSActivation:
    """The activated tissue of a DBS program's setting, and a sweep over the dial.

    :param program: a program on a brain site whose channels are DBS.
    :param stimuli: each channel's output (:func:`estim.waveforms.build.stimuli_for`).
    :param fiber_diameter_m: axon diameter (m), 5.7 µm by default.
    :param field_threshold_v_per_m: |E| threshold of the shortcut (V/m).
    :param sweep_steps: amplitudes of the sweep, evenly up to ``sweep_max``.
    :param sweep_max: top of the sweep in the dial's unit (A or V); default the device
        maximum.
    :raises InputError: an active segment of a directional lead (the activation around it
        is not axisymmetric, which the axon grid assumes).
    """
    from estim.effects.drive import unit_pulse
    from estim.errors import InputError
    from estim.fields.program import fields_for_program
    from estim.leads import DEFAULT_LEAD, LeadContact, contact_name, get_lead
    from estim.program.options import Recharge
    from estim.program.stimulation import DBS
    from estim.text import current_text

    _check_activation_arguments(program, stimuli, field_threshold_v_per_m, sweep_max)
    dials0 = [ch.stimulation.amplitude.value for ch in program.channels]
    on = next((k for k, d in enumerate(dials0) if d > 0), None)
    if dials0[0] <= 0 and on is not None:
        # the first channel off and another on: the activation was the first's, 0 mm³
        # (review of 5 December 2026); it is the first channel that is on
        order = [on, *(k for k in range(len(dials0)) if k != on)]
        moved = dbs_activation(
            program.replace(channels=tuple(program.channels[k] for k in order)),
            [stimuli[k] for k in order], fiber_diameter_m=fiber_diameter_m,
            field_threshold_v_per_m=field_threshold_v_per_m, sweep_steps=sweep_steps,
            sweep_max=sweep_max, progress=progress)
        return dataclasses.replace(moved, notes=(
            f"channel {program.channels[0].name!r} is off (0); the activation is channel "
            f"{program.channels[on].name!r}'s, with the channels on beside it", *moved.notes))
    t0 = time.perf_counter()
    notes: list[str] = []
    main = program.channels[0]
    lead = get_lead(program.site.lead or DEFAULT_LEAD)
    for ch in program.channels:  # before any solve: the axon grid assumes rings
        for e in (ch.cathode, ch.anode):
            if e.placement != "case" and not lead.contact(contact_name(e.placement)).is_ring:
                raise InputError("channels.placement", e.placement,
                                 "ring contacts for the activation volume")
    pf = fields_for_program(program, progress=progress)
    cf = pf.channels[0]
    control = main.stimulation.amplitude.control.value
    stated = main.impedance
    if control == "voltage":
        load = stated if stated is not None else cf.resistance
        source = "stated in the program" if stated is not None else "field solution"
        notes.append(f"voltage-controlled: current = voltage / {load:.0f} Ω ({source}: "
                     + ("measured" if stated is not None else "tissue and encapsulation, no "
                        "electrode interface") + ")")
    elif program.device.compliance_voltage is not None:
        # the impedance the compliance voltage drives the current through (it was None,
        # with an empty source, where a stated impedance held the current back)
        load = stated if stated is not None else cf.resistance
        source = "stated in the program" if stated is not None else "field solution"
    else:
        load, source = None, ""
    device = program.device

    def impedance(k: int) -> tuple[float, str]:
        """Channel k's electrode impedance (Ω) and where it comes from: its own stated one,
        else its own field solution's (each channel its own: a second lead's 2 kΩ was
        taken as the first channel's 812 Ω, before the idle contacts floated: 797 Ω)."""
        z = program.channels[k].impedance
        if z is not None:
            return z, "stated in the program"
        return pf.channels[k].resistance, ("the field solution's tissue and encapsulation, "
                                           "no electrode interface")

    def delivered(k: int, dial: float) -> float:
        """The current channel k's dial setting drives: a voltage over its impedance, up to
        the device's current limit; a current up to what the compliance voltage drives
        through its impedance."""
        z, _ = impedance(k)
        if control == "voltage":
            i = dial / z
            return min(i, device.current_limit) if device.current_limit is not None else i
        vc = device.compliance_voltage
        return min(dial, vc / z) if vc is not None else dial

    def to_current(a: float) -> float:
        return delivered(0, a)

    dials = [ch.stimulation.amplitude.value for ch in program.channels]
    currents = [delivered(k, d) for k, d in enumerate(dials)]
    limits = []
    for k, (setting, i) in enumerate(zip(dials, currents, strict=True)):
        z, where = impedance(k)
        unlimited = setting if control == "current" else setting / z
        if i >= unlimited * (1 - 1e-9):
            continue
        who = f"channel {program.channels[k].name!r}: " if len(dials) > 1 else ""
        if control == "current":
            assert device.compliance_voltage is not None
            limits.append(f"{who}the {device.compliance_voltage:g} V compliance drives at "
                          f"most {current_text(i)} through {z:,.0f} Ω ({where}), not the "
                          f"programmed {current_text(setting)}")
        else:
            limits.append(f"{who}the device's current limit holds it at {current_text(i)}, "
                          f"not the {current_text(unlimited)} that {setting:g} V drives "
                          f"through {z:,.0f} Ω")
    limited_by = "; ".join(limits)
    waveform = unit_pulse(stimuli[0])
    together = [0]
    for k in range(1, len(program.channels)):
        same = unit_pulse(stimuli[k]).pulse.segments == waveform.pulse.segments
        if same and _coincide(stimuli[k], stimuli[0]):
            together.append(k)
        elif same:
            # the same pulse at 20 Hz beside 130 Hz was summed as if every pulse coincided
            # (probe of 6 December 2026): fields add only where the pulses do, which, both
            # starting at 0, is at the rates' common divisor (review)
            every = _common_rate_hz(stimuli[k], stimuli[0])
            when = (f"; their pulses coincide {every:g} times a second, when the summed "
                    "field reaches further than this volume" if every else "")
            notes.append(f"channel {program.channels[k].name} runs its pulses at another "
                         f"rate or time than channel {program.channels[0].name}; its field "
                         f"is not superposed in the activation{when}")
        else:
            notes.append(f"channel {program.channels[k].name} runs a different pulse; its "
                         "field is not superposed in the activation")
    rel = [currents[k] / currents[0] if currents[0] > 0 else 0.0 for k in together]
    chans = [pf.channels[k] for k in together]

    active: list[tuple[str, str, LeadContact]] = []
    for k in together:
        ch = program.channels[k]
        for role in ("cathode", "anode"):
            e = getattr(ch, role)
            # a contact two channels share once (it was listed twice; probe)
            if e.placement != "case" and all(e.placement != p for p, _, _ in active):
                active.append((e.placement, role, lead.contact(contact_name(e.placement))))
    enc = pf.site.layers[0].thickness if pf.site.layers[0].tissue == "encapsulation" else 0.0
    r_lead = lead.diameter_m / 2
    stim = main.stimulation
    if not isinstance(stim, DBS):
        raise InputError("channels[0].stimulation.type", stim.type, "dbs for a DBS activation")
    act = stim.pulse_width + stim.interphase_gap + (
        stim.pulse_width / stim.recharge_ratio if stim.recharge is Recharge.ACTIVE else 0.0)
    def map_for(weights: Sequence[float]) -> ActivationMap:
        """The activation map of the channels' fields superposed with ``weights`` (each
        channel's current per ampere of the main channel's)."""
        def potential(x: FloatArray) -> FloatArray:
            return sum((c.potential(x) * w for c, w in zip(chans, weights, strict=True)),
                       start=np.zeros(len(x)))

        def field_of(x: FloatArray) -> FloatArray:
            return sum((c.field(x) * w for c, w in zip(chans, weights, strict=True)),
                       start=np.zeros((len(x), 3)))

        return activation_map(potential, field_of, waveform,
                              contact_z_m=[c.z_center_m for _, _, c in active],
                              lead_radius_m=r_lead, r_min_m=r_lead + enc + 0.05e-3,
                              axon_free_m=r_lead + enc,
                              fiber_diameter_m=fiber_diameter_m,
                              tstop_s=waveform.delay_s + act + _AFTER_PULSE_S,
                              progress=progress)

    amap = map_for(rel)
    i0 = currents[0]
    half = pf.site.length / 2
    if amap.z_m.size and (amap.z_m[-1] > half or amap.z_m[0] < -half):
        # a 14 mm site cut the region at its end without a word: 64.9 mm³ where the
        # full-length domain gives 80.4 (hostile probe of 7 December 2026)
        dropped = [n for n in lead.placements
                   if n not in {e.name for e in pf.solution.electrodes}
                   and n not in pf.solution.floating]
        notes.append(f"the brain domain ({pf.site.length * 1e3:.3g} mm long) ends inside the "
                     f"modelled axons' grid ({amap.z_m[0] * 1e3:.3g} to "
                     f"{amap.z_m[-1] * 1e3:.3g} mm up the lead): the activated region is cut "
                     "at its end and the field there is not the open brain's; a longer "
                     "site.length"
                     + (f" (contacts {', '.join(contact_name(n).upper() for n in dropped)} "
                        "lie beyond it and are left out of the field)" if dropped else ""))
    radii = tuple(ContactRadius(p, role, c.z_center_m, amap.radius_at(i0, c.z_center_m),
                                amap.field_radius_at(i0, c.z_center_m, field_threshold_v_per_m))
                  for p, role, c in active)
    top = sweep_max if sweep_max is not None else program.device.max_amplitude
    dial = np.linspace(top / sweep_steps, top, sweep_steps) if sweep_steps > 0 else np.zeros(0)
    cur = np.array([to_current(a) for a in dial])
    # the map holds one field shape, the channels' programmed ratio of currents; a setting
    # where the device's limits hold one channel back more than another has a shape of its
    # own, and its own map (it was read off this one: 40.6 mm³ where the setting programmed
    # gives 27.3; review of 5 December 2026)
    scale = [dials[k] / dials[0] if dials[0] > 0 else 0.0 for k in together]
    maps: dict[tuple[float, ...], ActivationMap] = {tuple(rel): amap}
    point_maps = []
    for a, i in zip(dial, cur, strict=True):
        each = [delivered(k, a * f) for k, f in zip(together, scale, strict=True)]
        weights = tuple(c / i for c in each) if i > 0 else tuple(rel)  # 0: no new shape
        same = all(abs(w - r) <= 1e-9 * max(abs(w), abs(r), 1.0)
                   for w, r in zip(weights, rel, strict=True))
        key = tuple(rel) if same else weights
        if key not in maps:
            maps[key] = map_for(weights)
        point_maps.append(maps[key])
    if len(maps) > 1:
        notes.append(f"the device's limits change the channels' ratio of currents along the "
                     f"sweep: {len(maps) - 1} more field shape(s) computed for it")
    pairs = list(zip(point_maps, cur, strict=True))
    sweep = ActivationSweep(
        amplitudes=dial, unit="A" if control == "current" else "V", current_a=cur,
        radius_m={p: np.array([m.radius_at(i, c.z_center_m) for m, i in pairs])
                  for p, _, c in active},
        volume_m3=np.array([m.volume_m3(i) for m, i in pairs]),
        field_radius_m={p: np.array([m.field_radius_at(i, c.z_center_m,
                                                       field_threshold_v_per_m)
                                     for m, i in pairs]) for p, _, c in active},
        field_volume_m3=np.array([m.field_volume_m3(i, field_threshold_v_per_m)
                                  for m, i in pairs]),
        reaches_edge=np.array([m.reaches_edge(i) for m, i in pairs]))
    if amap.reaches_edge(i0):
        notes.append(f"the activated region reaches the edge of the modelled grid "
                     f"({_R_MAX_M * 1e3:g} mm from the lead, {_Z_REACH_M * 1e3:g} mm beyond the "
                     "contacts): radius and volume are lower bounds")
    if amap.axon_free_m > amap.lead_radius_m and i0 > 0:
        # the volume is the tissue outside the encapsulation, where axons lie; an
        # isosurface's VTA (the region revolved less the lead alone) also holds the
        # encapsulation it encloses: both said (DBS probes of 6 and 7 December 2026)
        whole, outside = amap.volume_m3(i0, with_encapsulation=True), amap.volume_m3(i0)
        if whole > 0:
            notes.append(
                f"the volume is the activated tissue outside the "
                f"{(amap.axon_free_m - amap.lead_radius_m) * 1e3:g} mm of encapsulation "
                f"round the lead (no axons there), {outside * 1e9:.3g} mm³; the region's "
                f"isosurface, revolved less the lead alone as a VTA often is, also encloses "
                f"{(whole - outside) * 1e9:.3g} mm³ of encapsulation, "
                f"{whole * 1e9:.3g} mm³ in all")
    notes.append(f"{fiber_diameter_m * 1e6:g} µm MRG axons perpendicular to the lead in "
                 "homogeneous tissue; the field-threshold shortcut uses "
                 f"{field_threshold_v_per_m / 1e3:g} V/mm")
    return DBSActivation(
        channel=main.name, lead=lead.name, control=control,
        amplitude=stim.amplitude.value, current_a=i0, load_ohm=load,
        impedance_source=source, field_impedance_ohm=cf.resistance,
        fiber_diameter_m=fiber_diameter_m, pulse_width_s=stim.pulse_width,
        field_threshold_v_per_m=field_threshold_v_per_m, contacts=radii,
        volume_m3=amap.volume_m3(i0),
        field_volume_m3=amap.field_volume_m3(i0, field_threshold_v_per_m), map=amap,
        sweep=sweep, notes=tuple(notes), seconds=time.perf_counter() - t0,
        limited_by=limited_by, maps=maps,
        rate_hz=float(getattr(stim, "frequency", 0.0) or 0.0) or None,
        lead_assumed=not program.site.lead,
        superposed=tuple((program.channels[k].name, currents[k]) for k in together
                         if currents[k] > 0),
        field_impedances_ohm={ch.name: float(c.resistance)
                              for ch, c in zip(program.channels, pf.channels, strict=True)},
        currents_at=lambda a: tuple(delivered(k, a * f) for k, f in zip(together, scale,
                                                                         strict=True)))


#: The pulse widths the 0.2 V/mm field threshold was derived for (s): Åström et al. 2015,
#: ~5 µm axons at 60-120 µs.
SHORTCUT_WIDTHS_S = (60e-6, 120e-6)


def shortcut_caveat(pulse_width_s: float | None, threshold_v_per_m: float) -> str:
    """Words for the field-threshold shortcut at another pulse width than its own: the
    default 0.2 V/mm is Åström's for 60-120 µs, and the shortcut's signed difference from
    the axon model at 10 µs (+418 %) read as the method's, not the pulse's (DBS
    researcher's probe of 7 December 2026). Empty where it applies.

    >>> shortcut_caveat(10e-6, 200.0)
    "its 0.2 V/mm is Åström et al.'s for 60-120 µs pulses, not this 10 µs one"
    >>> shortcut_caveat(90e-6, 200.0)
    ''
    """
    lo, hi = SHORTCUT_WIDTHS_S
    if pulse_width_s is None or threshold_v_per_m != _FIELD_THRESHOLD_V_PER_M or \
            lo * (1 - 1e-9) <= pulse_width_s <= hi * (1 + 1e-9):
        return ""
    return (f"its {threshold_v_per_m / 1e3:g} V/mm is Åström et al.'s for "
            f"{lo * 1e6:g}-{hi * 1e6:g} µs pulses, not this {pulse_width_s * 1e6:.3g} µs one")


def volume_text(m3: float) -> str:
    """A volume in mm³ to 3 figures, without e-notation.

    >>> volume_text(1.5204e-6), volume_text(9.45e-8)
    ('1,520 mm³', '94.5 mm³')
    """
    return f"{float(f'{m3 * 1e9:.3g}'):,g} mm³"  # [m³ -> mm³]


def activation_for_run(program: Program, stimuli: Sequence[Stimulus], *,
                       progress: Callable[[str], None] | None = None
                       ) -> tuple[DBSActivation | None, list[str]]:
    """What ``estim run`` shows of a DBS program: its activation and a note in words, or
    why there is none (an active segment of a directional lead)."""
    from estim.errors import InputError
    from estim.leads import contact_name

    try:
        act = dbs_activation(program, stimuli, progress=progress)
    except InputError as err:
        if err.field != "channels.placement":
            raise
        return None, [f"DBS activation not computed: contact "
                      f"{contact_name(str(err.value)).upper()} is a "
                      "segment of a directional lead, and the activated volume is computed "
                      "around ring contacts only (around a segment it differs with the "
                      "direction); the output and safety are computed here, and the segment's "
                      "field by the command estim field"]

    radii = ", ".join(f"{c.radius_m * 1e3:.2g} mm at contact "
                      f"{contact_name(c.placement).upper()} ({c.role})"
                      for c in act.contacts)
    diff = act.field_difference
    on = [ch.name for ch in program.channels if ch.stimulation.amplitude.value > 0]
    names = [n for n, _ in act.superposed]
    alone = []
    for k, ch in enumerate(program.channels):
        if ch.name in on and ch.name not in names:
            # its own activation, the other channels' contacts idle metal as any unused
            # contact (an interleaved setting's second channel was nowhere; DBS
            # researcher's probe of 7 December 2026)
            own = dbs_activation(program.replace(channels=(ch,)), [stimuli[k]],
                                 sweep_steps=0, progress=progress)
            cathodes = [c for c in own.contacts if c.role == "cathode"] or list(own.contacts)
            alone.append((ch.name, own.volume_m3, max((c.radius_m for c in cathodes),
                                                      default=0.0), own.beyond_grid))
    if alone:
        act = dataclasses.replace(act, apart=tuple(alone))
    by, apart = "", ""
    if len(names) < len(on):  # 95.9 mm³ read as both channels' while channel 2's own
        # different pulse activates 1,080 (probe of 5 December 2026)
        left = [n for n in on if n not in names]
        by = f" by channel{'s' * (len(names) > 1)} {' and '.join(names)} only"
        apart = (f"; channel{'s' * (len(left) > 1)} {' and '.join(left)} run"
                 f"{'s' * (len(left) == 1)} another pulse, rate or timing, not superposed")
    elif len(names) > 1:
        # pulses at the same instants: two programs at one rate read as interleaved, whose
        # pulses alternate (DBS researcher's probe of 7 December 2026)
        by = (f" by channels {' and '.join(names)} together, their pulses at the same "
              "instants (interleaved pulses, which alternate, are not modelled)")
    # a lower bound says so where it is read first (the summary's "904 mm³ ... radius
    # 6.3 mm" had no "at least"; DBS researcher's probe of 7 December 2026)
    least = "at least " if act.beyond_grid else ""
    words = [f"DBS: {least}{volume_text(act.volume_m3)} of tissue activated{by} "
             f"({act.fiber_diameter_m * 1e6:g} µm axons{apart}), radius {least}{radii}; the "
             f"{act.field_threshold_v_per_m / 1e3:g} V/mm field threshold gives "
             f"{volume_text(act.field_volume_m3)}"
             + (f" ({diff:+.0%}"
                + (f"; {caveat}" if (caveat := shortcut_caveat(
                    act.pulse_width_s, act.field_threshold_v_per_m)) else "") + ")"
                if math.isfinite(diff) else "")
             + (f"; limited: {act.limited_by}" if act.limited_by else "")]
    for name, volume, radius, edge in act.apart:
        least = "at least " if edge else ""
        words.append(f"channel {name} alone, its own pulse, rate or timing: {least}"
                     f"{volume_text(volume)}, radius {least}{radius * 1e3:.2g} mm (the "
                     "region its pulses and the others' reach together, interleaved, is not "
                     "modelled)")
    return act, words + list(act.notes)
