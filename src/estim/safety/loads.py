"""Test loads and what a channel actually delivers into them.

A stimulator's output specification is measured into resistors: 500 Ω, 2 kΩ and 10 kΩ for
the 510(k) table (FDA), 1 kΩ for the IEC 60601-2-10 output-indicator rule. Into a resistor the
delivered waveform is exact: a current-controlled output runs out of compliance voltage and
is clipped at ``Vc / R`` (split exactly where it crosses, :meth:`Pulse.clipped`); a
voltage-controlled output drives ``I = V / R``, clipped at the device's current limit.

Real skin is not a resistor. :class:`SkinElectrodeLoad` is the usual lumped model: a series
resistance (deep tissue, gel) and the stratum corneum as a resistance in parallel with a
capacitance or a constant-phase element, ``Z = Rs + Rp / (1 + Rp·Q·(jω)^α)``. Its response is
computed as a periodic steady state over one pulse period by FFT. The parameters vary widely
between people, sites, skin preparation and electrodes (a factor of ten is common): the
figures are typical, not worst cases, and no limit in :mod:`estim.safety.limits` is judged
on this load.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import fft as sfft

from estim.errors import EstimError
from estim.program.model import Control, Device
from estim.skin import SKIN_INTERFACE_TABLE, TYPICAL_SERIES_RESISTANCE
from estim.tables import TableEntry
from estim.text import readable
from estim.waveforms.segments import Pulse
from estim.waveforms.stimulus import FloatArray, Stimulus

__all__ = [
    "INDICATOR_LOAD_OHM",
    "SKIN_PARAMETERS",
    "TEST_LOADS_OHM",
    "Delivered",
    "Load",
    "ResistiveLoad",
    "SkinElectrodeLoad",
    "deliver",
]

#: The 510(k) output-table test loads (Ω) (FDA, Guidance Document for Powered Muscle
#: Stimulator 510(k)s, 1999: output "at 500 Ω, 2 kΩ and 10 kΩ").
TEST_LOADS_OHM: tuple[float, ...] = (500.0, 2_000.0, 10_000.0)
#: The load of the IEC 60601-2-10 output-indicator thresholds (Ω).
INDICATOR_LOAD_OHM = 1_000.0


#: Typical skin–electrode parameters: the interface per unit electrode area (the rows of
#: :data:`estim.skin.SKIN_INTERFACE_TABLE`, the same skin the field solution uses), its
#: dispersion, and the tissue between the electrodes.
SKIN_PARAMETERS: tuple[TableEntry, ...] = (
    *(row for row in SKIN_INTERFACE_TABLE if row.name != "series_resistance_ohm_m2"),
    TableEntry(
        "cpe_exponent", 1.0, "dimensionless",
        "Yamamoto T, Yamamoto Y (1976) Electrical properties of the epidermal stratum corneum. "
        "Med Biol Eng 14:151-158",
        note="1 gives an ideal R||C; measured skin dispersions fit a constant-phase element "
             "with an exponent of roughly 0.7-0.9 (Yamamoto & Yamamoto 1976); the default "
             "keeps the ideal capacitor, whose Q is the capacitance"),
    TYPICAL_SERIES_RESISTANCE,
)


def _param(name: str) -> float:
    for p in SKIN_PARAMETERS:
        if p.name == name:
            return p.value
    raise KeyError(name)


@dataclass(frozen=True)
class ResistiveLoad:
    """A resistor test load.

    :param ohms: resistance (Ω).
    """

    ohms: float

    def __post_init__(self) -> None:
        if not self.ohms > 0:
            raise ValueError(f"a load resistance above 0 ohm, got {self.ohms!r}")

    @property
    def label(self) -> str:
        return f"{self.ohms / 1e3:g} kΩ" if self.ohms >= 1e3 else f"{self.ohms:g} Ω"

    def impedance(self, omega: FloatArray) -> NDArrayC:
        """Z(ω) (Ω) at angular frequencies ``omega`` (rad/s)."""
        return np.full(np.shape(omega), complex(self.ohms))


NDArrayC = np.ndarray


@dataclass(frozen=True)
class SkinElectrodeLoad:
    """Lumped skin–electrode load ``Z = Rs + Rp / (1 + Rp·Q·(jω)^α)``.

    :param series_ohm: Rs, deep tissue and gel (Ω).
    :param parallel_ohm: Rp, stratum corneum resistance of the pair (Ω).
    :param cpe_q: Q of the constant-phase element (S·s^α; the capacitance in F when α = 1).
    :param alpha: CPE exponent in (0, 1]; 1 is an ideal capacitor.
    """

    series_ohm: float
    parallel_ohm: float
    cpe_q: float
    alpha: float = 1.0

    def __post_init__(self) -> None:
        if not (self.series_ohm >= 0 and self.parallel_ohm > 0 and self.cpe_q > 0
                and 0 < self.alpha <= 1):
            raise ValueError("skin load: series >= 0, parallel > 0, Q > 0, 0 < alpha <= 1")

    @classmethod
    def for_electrodes(cls, anode_area_m2: float, cathode_area_m2: float, *,
                       alpha: float | None = None) -> SkinElectrodeLoad:
        """Typical skin under two electrodes in series, from :data:`SKIN_PARAMETERS`.

        Each electrode's interface is ``rp/A`` in parallel with ``q·A``; their time constants
        ``rp·q`` are equal, so the two in series are exactly one element with
        ``Rp = rp/A1 + rp/A2`` and the same ``Rp·Q``.

        :param anode_area_m2: anode area (m²).
        :param cathode_area_m2: cathode area (m²).
        :param alpha: CPE exponent (default from the table).
        """
        rp = _param("parallel_resistance_ohm_m2")
        c = _param("capacitance_f_per_m2")
        a = _param("cpe_exponent") if alpha is None else alpha
        r_pair = rp / anode_area_m2 + rp / cathode_area_m2
        return cls(_param("series_resistance_ohm"), r_pair, rp * c / r_pair, a)

    @property
    def label(self) -> str:
        return (f"skin–electrode (Rs {self.series_ohm:.0f} Ω, Rp {self.parallel_ohm:.0f} Ω, "
                f"Q {self.cpe_q * 1e9:.3g} nS·s^α, α {self.alpha:g})")

    @property
    def time_constant_s(self) -> float:
        """(Rp·Q)^(1/α) (s): the interface's characteristic time."""
        return float((self.parallel_ohm * self.cpe_q) ** (1.0 / self.alpha))

    def interface_impedance(self, omega: FloatArray) -> NDArrayC:
        """Rp / (1 + Rp·Q·(jω)^α) (Ω)."""
        jw = (1j * np.asarray(omega, dtype=float)) ** self.alpha
        return self.parallel_ohm / (1.0 + self.parallel_ohm * self.cpe_q * jw)

    def impedance(self, omega: FloatArray) -> NDArrayC:
        """Z(ω) (Ω) at angular frequencies ``omega`` (rad/s)."""
        return self.series_ohm + self.interface_impedance(omega)


Load = ResistiveLoad | SkinElectrodeLoad


@dataclass(frozen=True)
class Delivered:
    """What a channel puts into a load.

    :param load: the load.
    :param current: delivered current (A), exact; None for the skin load (see below).
    :param voltage: voltage across the load (V), exact; None for the skin load.
    :param peak_current_a: largest |I| (A).
    :param peak_voltage_v: largest |V| across the load (V).
    :param energy_per_event_j: largest energy of one event (a pulse, a burst, a carrier
        step) dissipated in the load (J); on the skin load, a carrier output's is one
        carrier cycle's.
    :param limited: True when the output is limited by the device: clipped by the compliance
        voltage or the current limit (resistors), or, for the skin load, when the voltage the
        programmed current needs exceeds the compliance (or the current exceeds the limit);
        the skin-load peaks are then the device's limit, and the energy that of the unlimited
        output (an upper bound).
    :param note: how the figures were obtained, or why they are approximate.
    """

    load: Load
    current: Stimulus | None
    voltage: Stimulus | None
    peak_current_a: float
    peak_voltage_v: float
    energy_per_event_j: float
    limited: bool
    note: str = ""


def deliver(stim: Stimulus, load: Load, device: Device, *, exact: bool = True) -> Delivered:
    """The current and voltage ``stim`` delivers into ``load`` through ``device``'s output.

    :param stim: the commanded output (A for current control, V for voltage control).
    :param load: a resistor (exact) or the skin–electrode model (periodic steady state).
    :param device: gives the compliance voltage or the current limit.
    :param exact: resistors only. False skips building the clipped waveform (costly for
        long kHz carriers): peaks stay exact, ``current``/``voltage`` are None and, when the
        output is clipped, ``energy_per_event_j`` is an upper bound.
    """
    if isinstance(load, ResistiveLoad):
        if not exact:
            return _peaks_into_resistor(stim, load, device)
        return _into_resistor(stim, load, device)
    return _into_skin(stim, load, device)


# --- resistors: exact ---------------------------------------------------------------------------


#: Distinct clipped templates made exactly, one per (template, |scale|); beyond this many
#: (a continuously modulated amplitude gives one per pulse, millions), the scales of clipped
#: events are rounded *up* to a geometric grid of this ratio: never optimistic, and the work
#: stays bounded (one template per grid step).
_EXACT_CLIPPED_TEMPLATES = 256
_SCALE_GRID_RATIO = 1.001


#: Pieces (closed-form segments) that clipping may create in all: a clipped carrier splits at
#: every crossing of the limit, four per cycle, so a long swept carrier clipped at hundreds of
#: sweep steps would otherwise take minutes and gigabytes.
_MAX_CLIPPED_PIECES = 100_000


def _clip_pieces(pulse: Pulse) -> float:
    """About how many segments clipping ``pulse`` makes: four per cycle of its fastest
    oscillation, one for a non-oscillating piece."""
    return sum(1.0 + 4.0 * seg.duration * max((abs(r.imag) for r in seg.rates), default=0.0)
               / (2 * math.pi) for seg in pulse.segments)


class ClippingTooCostly(EstimError):
    """Clipping this output exactly would take more than :data:`_MAX_CLIPPED_PIECES`
    pieces; the caller falls back to a bound."""

    def __init__(self, pieces: float) -> None:
        self.pieces = pieces
        super().__init__(f"clipping the output exactly would take about {pieces:.3g} pieces "
                         f"(at most {_MAX_CLIPPED_PIECES:,} are computed)")


def _flat_magnitude(pulse: Pulse) -> float | None:
    """|value| of a pulse whose every non-zero piece is a constant of the same magnitude
    (rectangular mono- and biphasic pulses), else None. Clipping such a pulse is a rescale."""
    level = None
    for seg in pulse.segments:
        if seg.linear is not None or any(r != 0 for r in seg.rates):
            return None
        v = abs(sum(seg.coeffs).real)
        if v == 0.0:
            continue
        if level is not None and not math.isclose(v, level, rel_tol=1e-12):
            return None
        level = v
    return level


def clip_events(stim: Stimulus, limit: float) -> tuple[Stimulus, bool]:
    """``stim`` with every event's |value| limited to ``limit`` (A or V).

    Exact for rectangular pulses (clipping them is a rescale of the event) and for up to
    :data:`_EXACT_CLIPPED_TEMPLATES` other (template, |scale|) pairs, each of which gets its
    own clipped template. Past that, the |scale| of every clipped event is rounded up to a
    geometric grid of ratio :data:`_SCALE_GRID_RATIO` first: the parts of a pulse below the
    limit come out at most 0.1 % high (never low), the clipped parts exactly at the limit.
    Returns the stimulus and whether anything was clipped.
    """
    if stim.peak <= limit or len(stim.scale) == 0:
        return stim, False
    peaks = np.array([p.peak for p in stim.pulses])
    flat = np.array([_flat_magnitude(p) is not None for p in stim.pulses])
    size = np.abs(stim.scale) * peaks[stim.template]
    over = size > limit
    scale = stim.scale.astype(float).copy()
    rescale = over & flat[stim.template]
    scale[rescale] *= limit / size[rescale]  # exact: a rectangular pulse clips to a rescale
    rest = np.flatnonzero(over & ~rescale)
    keys = np.unique(np.column_stack([stim.template[rest], np.abs(scale[rest])]), axis=0)
    if len(keys) > _EXACT_CLIPPED_TEMPLATES:
        step = math.log(_SCALE_GRID_RATIO)
        grid = np.exp(np.ceil(np.log(np.abs(scale[rest])) / step) * step)
        scale[rest] = np.sign(scale[rest]) * grid
    pieces = sum(_clip_pieces(stim.pulses[int(t)]) for t in np.unique(
        np.column_stack([stim.template[rest], np.abs(scale[rest])]), axis=0)[:, 0])
    if pieces > _MAX_CLIPPED_PIECES:
        raise ClippingTooCostly(pieces)
    pulses = list(stim.pulses)
    template = stim.template.copy()
    made: dict[tuple[int, float], int] = {}
    for k in rest:
        key = (int(template[k]), float(abs(scale[k])))
        if key not in made:
            pulses.append(stim.pulses[key[0]].clipped(limit / key[1]))
            made[key] = len(pulses) - 1
        template[k] = made[key]
    out = Stimulus(tuple(pulses), stim.onsets_s, template, scale, stim.cycle_s,
                   stim.n_cycles, stim.control, stim.timing, stim.label)
    return out, True


def _as(stim: Stimulus, factor: float, control: Control) -> Stimulus:
    """The same waveform times ``factor``, labelled as ``control`` (A or V)."""
    return Stimulus(stim.pulses, stim.onsets_s, stim.template, stim.scale * factor,
                    stim.cycle_s, stim.n_cycles, control, stim.timing, stim.label)


def _clip_or_bound(stim: Stimulus, limit: float) -> tuple[Stimulus, bool, float, str]:
    """The clipped output, whether it was limited, its peak, and a note. When exact clipping
    would cost too much, the unclipped output stands in as an upper bound of everything but
    the peak (clipping only lowers |I| at every instant, so r.m.s., charge and energy can only
    be smaller): rules on them are then judged on the bound, never optimistically."""
    try:
        out, limited = clip_events(stim, limit)
    except ClippingTooCostly as err:
        return stim, True, min(stim.peak, limit), (
            f"r.m.s., charge and energy are upper bounds (the unclipped output): {err}")
    return out, limited, out.peak, ""


def _into_resistor(stim: Stimulus, load: ResistiveLoad, device: Device) -> Delivered:
    r = load.ohms
    if stim.control is Control.CURRENT:
        assert device.compliance_voltage is not None  # validated for current control
        current, limited, peak, bound = _clip_or_bound(stim, device.compliance_voltage / r)
        note = (f"clipped at the compliance voltage ({device.compliance_voltage:g} V / "
                f"{load.label} = {device.compliance_voltage / r * 1e3:.4g} mA)" if limited else "")
    else:
        current = _as(stim, 1.0 / r, Control.CURRENT)
        limited, peak, bound, note = False, current.peak, "", ""
        if device.current_limit is not None:
            current, limited, peak, bound = _clip_or_bound(current, device.current_limit)
            if limited:
                note = f"clipped at the current limit ({device.current_limit * 1e3:g} mA)"
    voltage = _as(current, r, Control.VOLTAGE)
    energy = float(np.max(current.event_charge_sq, initial=0.0)) * r
    note = "; ".join(x for x in (note, bound) if x)
    return Delivered(load, current, voltage, peak, peak * r, energy, limited, note)


def _peaks_into_resistor(stim: Stimulus, load: ResistiveLoad, device: Device) -> Delivered:
    r = load.ohms
    if stim.control is Control.CURRENT:
        assert device.compliance_voltage is not None
        cap = device.compliance_voltage / r
        peak_i = min(stim.peak, cap)
    else:
        cap = device.current_limit if device.current_limit is not None else math.inf
        peak_i = min(stim.peak / r, cap)
    unclipped = stim.event_charge_sq * (r if stim.control is Control.CURRENT else 1.0 / r)
    limited = peak_i < (stim.peak if stim.control is Control.CURRENT else stim.peak / r)
    energy = unclipped
    note = ""
    if limited:
        bound = cap**2 * r * stim.template_durations[stim.template]
        energy = np.minimum(unclipped, bound)
        note = (f"limited at {cap * 1e3:.4g} mA by the "
                + ("compliance voltage" if stim.control is Control.CURRENT else "current limit"))
    e = float(np.max(energy, initial=0.0))
    return Delivered(load, None, None, peak_i, peak_i * r, e, limited, note)


# --- skin: periodic steady state by FFT ---------------------------------------------------------

# At most this many samples per pulse period; and at least this many per shortest feature.
_MAX_SAMPLES = 2**20
_PER_FEATURE = 40
# Time constants after which an ideal skin interface has forgotten a pulse (e^-40).
_SETTLE = 40.0
# The fewest taken where _SETTLE would need more than _MAX_SAMPLES at the pulse's own step:
# e^-12 = 6e-6 of the response left when the next pulse starts. A 1 µs pulse at 10 Hz was
# sampled at 95 ns, under a tenth of the pulse, and its energy read 2.5 times that at
# 100 Hz (probe of 5 December 2026).
_SETTLE_MIN = 12.0


def _periods(stim: Stimulus) -> FloatArray:
    """For each template, the shortest time from one of its events to the next event (s)."""
    on = stim.onsets_s
    nxt = np.append(on[1:], on[0] + stim.cycle_s) - on if len(on) else np.array([])
    out = np.array([p.duration for p in stim.pulses], dtype=float)
    for j in range(len(stim.pulses)):
        m = stim.template == j
        if np.any(m):
            out[j] = max(float(np.min(nxt[m])), stim.pulses[j].duration)
    return out


def steady_state(pulse: Pulse, period_s: float, load: SkinElectrodeLoad, control: Control,
                 ) -> tuple[FloatArray, FloatArray, FloatArray, bool]:
    """One period of the periodic steady state of ``pulse`` (peak 1) repeated every
    ``period_s`` into ``load``.

    The pulse is sampled (cell averages, so every phase keeps its exact charge) and the
    response is ``IFFT(Z(ω)·I(ω))`` for current drive or ``IFFT(V(ω)/Z(ω))`` for voltage drive.
    The series resistance is applied in the time domain, so only the smooth interface part
    goes through the FFT (no Gibbs ringing at rectangular edges).

    :returns: times (s), current (per unit), voltage (per unit), and whether the sampling
        resolved the load's time constant.
    """
    finest = min(s.duration for s in pulse.segments)
    fastest = max((abs(r.imag) / (2 * math.pi) for s in pulse.segments for r in s.rates),
                  default=0.0)
    tau = load.time_constant_s
    if control is Control.VOLTAGE and load.series_ohm > 0:  # the interface charges via Rs‖Rp
        rs, rp = load.series_ohm, load.parallel_ohm
        tau = float((rs * rp / (rs + rp) * load.cpe_q) ** (1.0 / load.alpha))
    dt = min(finest / _PER_FEATURE, tau / 10)
    if fastest > 0:
        dt = min(dt, 1.0 / (fastest * _PER_FEATURE))
    if load.alpha == 1.0:
        # An ideal R‖C forgets a pulse exponentially: after _SETTLE time constants the rest of
        # a long period is silence (zero drive, a discharged interface, e^-40 of the response
        # left). One pulse and that tail is the steady state, and a 1000 s period is sampled
        # as finely as a 10 ms one instead of hitting the sample cap.
        fits = (_MAX_SAMPLES * dt - pulse.duration) / tau  # time constants at this step
        period_s = min(period_s, pulse.duration + max(_SETTLE_MIN, min(_SETTLE, fits)) * tau)
    n = math.ceil(period_s / dt)
    resolved = n <= _MAX_SAMPLES
    n = sfft.next_fast_len(min(max(n, 256), _MAX_SAMPLES), real=True)
    dt = period_s / n
    edges = np.arange(n + 1) * dt
    cum = _charge_upto(pulse, edges)
    drive = np.diff(cum) / dt  # cell averages
    omega = 2 * math.pi * sfft.rfftfreq(n, dt)
    spec = sfft.rfft(drive)
    if control is Control.CURRENT:
        current = drive
        voltage = load.series_ohm * drive + sfft.irfft(load.interface_impedance(omega) * spec, n)
    elif load.series_ohm > 0:
        # 1/Z = 1/Rs - Zp / (Rs (Rs + Zp)): the jump through Rs in the time domain, the
        # smooth (low-pass) rest by FFT
        voltage = drive
        zp = load.interface_impedance(omega)
        rs = load.series_ohm
        current = drive / rs - sfft.irfft(spec * zp / (rs * (rs + zp)), n)
    else:
        voltage = drive
        current = sfft.irfft(spec / load.impedance(omega), n)
    t = edges[:-1] + 0.5 * dt
    return t, current, voltage, resolved


def _rectangular_rc_peak(pulse: Pulse, period_s: float, load: SkinElectrodeLoad,
                         control: Control = Control.CURRENT) -> float | None:
    """The peak of ``pulse`` repeated every ``period_s`` into an ideal R‖C interface behind
    Rs, exactly: of |voltage| for a current drive, of |current| for a voltage drive. In each
    constant phase the interface's voltage relaxes exponentially (towards i·Rp with
    τ = Rp·C under a current; towards V·Rp/(Rs + Rp) with τ = (Rs‖Rp)·C under a voltage),
    and the periodic steady state is the fixed point of one period's affine map. None where
    a phase is not constant or the interface not ideal.

    >>> load = SkinElectrodeLoad(300.0, 1000.0, 1e-6, 1.0)
    >>> from estim.waveforms import Pulse, Segment
    >>> one = Pulse((Segment.constant(1.0, 0.0, 1.0),))  # 1 for 1 s, every 1000 s
    >>> round(_rectangular_rc_peak(one, 1000.0, load), 6)  # 1 A: Rs + Rp, C charged fully
    1300.0
    >>> round(_rectangular_rc_peak(one, 1000.0, load, Control.VOLTAGE), 9)  # 1 V: C empty
    0.003333333
    """
    if load.alpha != 1.0:
        return None
    pieces: list[tuple[float, float]] = []
    t = 0.0
    for seg in sorted(pulse.segments, key=lambda x: x.start):
        if seg.linear is not None or np.any(seg.rates) or seg.start < t - 1e-15:
            return None
        if seg.start > t:
            pieces.append((0.0, seg.start - t))
        pieces.append((float(sum(seg.coeffs).real), seg.duration))
        t = seg.start + seg.duration
    if period_s > t:
        pieces.append((0.0, period_s - t))
    rs, rp, c = load.series_ohm, load.parallel_ohm, load.cpe_q
    voltage = control is Control.VOLTAGE
    if voltage and rs <= 0:
        return None
    tau = (rs * rp / (rs + rp) if voltage else rp) * c
    gain = rp / (rs + rp) if voltage else rp  # the interface's voltage a drive of 1 settles at

    def out(drive: float, vc: float) -> float:
        """The peaked quantity: the current through Rs, or the voltage across the load."""
        return (drive - vc) / rs if voltage else vc + rs * drive

    # one period: vc_end = a·vc_start + b; the steady state is vc = b / (1 - a)
    a, b = 1.0, 0.0
    for i, d in pieces:
        k = math.exp(-d / tau)
        a, b = a * k, b * k + i * gain * (1.0 - k)
    vc = b / (1.0 - a) if a < 1.0 else 0.0
    peak = 0.0
    for i, d in pieces:
        end = i * gain + (vc - i * gain) * math.exp(-d / tau)
        peak = max(peak, abs(out(i, vc)), abs(out(i, end)))
        vc = end
    return peak


def _pointwise_peak(pulse: Pulse, t: FloatArray, i: FloatArray, v: FloatArray,
                    load: SkinElectrodeLoad, control: Control) -> float | None:
    """The peak of the quantity the drive does not set (|voltage| under a current, |current|
    under a voltage) from the drive's own values, not its cell averages: the series
    resistance's share is the drive's exact value, at every sample time and on both sides
    of every segment's edge, and only the interface's smooth share is interpolated between
    the samples. HVPC's 5 µs exponential peaks start at 150 V, so their current starts at
    (150 V - the interface's voltage)/Rs; the first cell's average read 5 % under it (now
    5e-4 low, the interface interpolated across the kink of its rise). None
    where a voltage drives the interface with no series resistance.

    >>> load = SkinElectrodeLoad(300.0, 1000.0, 1e-6, 1.0)
    >>> from estim.waveforms import Pulse, Segment
    >>> peak = Pulse((Segment.decay(1.0, 5e-6, 0.0, 20e-6),))  # 1 V falling from its start
    >>> t, i, v, _ = steady_state(peak, 0.01, load, Control.VOLTAGE)
    >>> round(_pointwise_peak(peak, t, i, v, load, Control.VOLTAGE) * 300, 3)  # C empty
    1.0
    """
    rs = load.series_ohm
    current = control is Control.CURRENT
    if rs <= 0 and not current:
        return None
    drive, other = (i, v) if current else (v, i)
    # the smooth share: the interface's voltage, or the current through it
    smooth = other - rs * drive if current else drive / rs - other
    dt = float(t[1] - t[0])
    period = float(t[-1] + dt / 2)
    times, values = [t], [np.zeros_like(t)]
    for seg in pulse.segments:
        inside = (t >= seg.start) & (t < seg.end)
        values[0][inside] += seg.value(t[inside] - seg.start)
        times.append(np.array([seg.start, seg.end]))
        values.append(seg.value(np.array([0.0, seg.duration])))
    at = np.concatenate(times)
    f = np.concatenate(values)
    s = np.interp(np.mod(at, period), t, smooth, period=period)
    out = rs * f + s if current else f / rs - s
    return float(np.max(np.abs(out)))


def _energy(pulse: Pulse, i: FloatArray, v: FloatArray, load: SkinElectrodeLoad,
            control: Control, dt: float) -> float:
    """∫ i·v over one sampled steady-state period (per unit amplitude², J).

    The part through the series resistance is the drive's own ∫ f² (exact: Rs ∫ i² for a
    current, ∫ v² / Rs for a voltage), and only the interface's smooth part is summed from
    the samples. Cell averages lose up to a quarter of a cell's f² at every edge that falls
    inside a cell: HVPC's 5 µs exponential twin peaks read 1.8 % low (physics probe of
    5 December 2026)."""
    rs = load.series_ohm
    if rs <= 0:  # a voltage straight onto the interface: nothing smooth to split off
        return float(np.sum(i * v)) * dt
    if control is Control.CURRENT:  # v = Rs·i + the interface's (smooth) voltage
        return rs * pulse.charge_sq + float(np.sum(i * (v - rs * i))) * dt
    # i = v / Rs − a smooth current through the interface
    return pulse.charge_sq / rs + float(np.sum(v * (i - v / rs))) * dt


def _largest_cycle_energy(i: FloatArray, v: FloatArray, dt: float, period_s: float) -> float:
    """The largest ∫ i·v over any window of one carrier period in a sampled steady state
    (per unit amplitude², J): a carrier output's "pulse" at the top of its envelope. The
    mean over the pulse read premodulated interferential's cycles at half the one at the
    beat's peak (engineer's probe of 6 December 2026). A sine has no edges for the samples
    to miss, so they are summed as they are."""
    n = max(1, round(period_s / dt))
    power = i * v
    if n >= power.size:
        return float(np.sum(power)) * dt
    # the steady state is periodic: a window past its end goes on at its start (a
    # premodulated beat's largest cycle straddles two beats; review of 6 December 2026)
    summed = np.concatenate(([0.0], np.cumsum(np.concatenate((power, power[:n])))))
    return float(np.max(summed[n:power.size + n] - summed[:power.size])) * dt


def _charge_upto(pulse: Pulse, t: FloatArray) -> FloatArray:
    """∫_0^t f for each t (s from the onset), exact, vectorised over t."""
    out = np.zeros_like(t)
    for s in pulse.segments:
        tau = np.clip(t - s.start, 0.0, s.duration)
        if s.linear is not None:
            a, b = s.linear
            out += a * tau + (b - a) * tau**2 / (2 * s.duration)
            continue
        for c, lam in zip(s.coeffs, s.rates, strict=True):
            if abs(lam) * s.duration < 1e-8:
                out += (c * tau).real
            else:
                out += (c * np.expm1(lam * tau) / lam).real
    return out


def _slow_dc(stim: Stimulus, load: SkinElectrodeLoad) -> bool:
    """A current-controlled d.c. without steps whose every piece (ramps, plateau) lasts over
    100 time constants of the skin (iontophoresis): its capacitance follows, and the load is
    its resistance. A square wave (microcurrent) steps, and a voltage step drives a spike
    of V / Rs through the uncharged capacitance, so neither is one."""
    if stim.control is not Control.CURRENT or load.alpha != 1.0 or not stim.pulses:
        return False
    tau = load.parallel_ohm * load.cpe_q
    for pulse in stim.pulses:
        level = 0.0  # a pulse starts from nothing and must end there
        for seg in sorted(pulse.segments, key=lambda x: x.start):
            if seg.linear is None and np.any(seg.rates):
                return False  # a sine or an exponential: not a ramp
            a, b = seg.linear if seg.linear is not None else (
                float(sum(seg.coeffs).real),) * 2
            if abs(a - level) > 1e-9 or seg.duration <= 100 * tau:
                return False
            level = b
        if abs(level) > 1e-9:
            return False
    return True


def _into_skin(stim: Stimulus, load: SkinElectrodeLoad, device: Device) -> Delivered:
    periods = _periods(stim)
    peak_i = peak_v = energy = 0.0
    resolved_all = True
    # a carrier output's "pulse" is one carrier cycle, as into the test resistors
    # (estim.safety.output.pulse_energy_j): an interferential sweep step holds hundreds
    fc = stim.timing.carrier_hz
    for j, pulse in enumerate(stim.pulses):
        m = stim.template == j
        if not np.any(m):
            continue
        s = float(np.max(np.abs(stim.scale[m])))
        t, i, v, resolved = steady_state(pulse, float(periods[j]), load, stim.control)
        # the peaks exactly where they can be had: the drive's own (a voltage source puts its
        # whole voltage across the load: HVPC's 150 V read 142.8 V), and a rectangular
        # current's voltage on an ideal R‖C at its phases' ends, where the cell averages
        # moved with the last bit of the pulse width (14.51 V for "200 us", 14.69 V for
        # "0.2 ms", 14.75 V exact; the compliance flag flipped; probe of 5 December 2026)
        exact = _rectangular_rc_peak(pulse, float(periods[j]), load, stim.control)
        if exact is None:  # another shape: its drive's exact values, the interface sampled
            exact = _pointwise_peak(pulse, t, i, v, load, stim.control)
        resolved_all &= resolved
        # the step sampled: a period longer than the interface takes to forget a pulse is
        # cut short (steady_state), and the energy summed over the whole period's step was
        # that many times too large (a 2 Hz program's, ~5 ×; probe of 5 December 2026)
        dt = float(t[1] - t[0])
        # the exact peak replaces the samples' (a wide pulse's samples overshot it, past
        # (Rs + Rp)·I, and the flag moved with the spelling again; review); the drive's own
        # peak is its template's, exact
        sampled_v, sampled_i = float(np.max(np.abs(v))), float(np.max(np.abs(i)))
        if stim.control is Control.CURRENT:
            tpl_i, tpl_v = pulse.peak, exact if exact is not None else sampled_v
        else:
            tpl_v, tpl_i = pulse.peak, exact if exact is not None else sampled_i
        peak_i = max(peak_i, s * tpl_i)
        peak_v = max(peak_v, s * tpl_v)
        one = (_largest_cycle_energy(i, v, dt, 1.0 / fc) if fc and pulse.duration > 1.0 / fc
               else _energy(pulse, i, v, load, stim.control, dt))
        energy = max(energy, s * s * one)
    # The device cannot put out more than its compliance voltage (current control) or its
    # current limit (voltage control): the rows show the limit, never the unlimited figure.
    if stim.control is Control.CURRENT:
        assert device.compliance_voltage is not None
        limited = peak_v > device.compliance_voltage
        if limited:
            peak_v = device.compliance_voltage
            # and the current it drives: at most the compliance over the series resistance
            # (the skin's capacitance uncharged, at a pulse's onset); 100 mA at 20 V through
            # 300 Ω cannot flow
            if load.series_ohm > 0:
                peak_i = min(peak_i, device.compliance_voltage / load.series_ohm)
            if _slow_dc(stim, load):
                # a d.c. of minutes meets the skin's resistance, not an uncharged capacitance:
                # 5 V drove "4 mA" through the 300 Ω in series where the 3.1 kΩ of the pair
                # lets 1.6 mA flow (probe of 5 December 2026)
                peak_i = min(peak_i, device.compliance_voltage
                             / (load.series_ohm + load.parallel_ohm))
        if device.max_current is not None:
            peak_i = min(peak_i, device.max_current)
    else:
        limited = device.current_limit is not None and peak_i > device.current_limit
        if limited:
            assert device.current_limit is not None
            peak_i = device.current_limit
        if device.max_voltage is not None:
            peak_v = min(peak_v, device.max_voltage)
    # the load estim run's sensation uses is the site's field solution with the skin
    # interface, another current for the same setting: said where the two are read side by
    # side (probe of 5 December 2026)
    note = (f"{readable(load.label)}, periodic steady state over one pulse period (FFT); "
            "energy per pulse period (a carrier cycle for carrier outputs); typical skin "
            "parameters, "
            "which vary widely; the command estim run drives the site's own tissue (its field "
            "solution with the skin interface) for what a person feels")
    if _slow_dc(stim, load):
        # d.c. with ramps of seconds (iontophoresis): the sampling cannot resolve a 1 ms
        # time constant over 10 minutes, and need not, which the note said it had not
        note = (f"d.c. whose ramps and plateau last over 100 × the skin's time constant "
                f"({load.parallel_ohm * load.cpe_q * 1e3:.2g} ms): the skin's capacitance "
                "follows them, and the load is its resistance; typical skin parameters, which "
                "vary widely")
    elif not resolved_all:
        note += f"; sampling capped at {_MAX_SAMPLES} points: load time constant not resolved"
    if limited:
        note += ("; the output would exceed the compliance voltage: the peaks shown are the "
                 "compliance and the current it drives through "
                 + ("the skin's resistance" if _slow_dc(stim, load) else
                    "the series resistance") + ", the "
                 "energy that of the unlimited output (an upper bound)"
                 if stim.control is Control.CURRENT else
                 "; the output would exceed the current limit: the peak shown is the limit, "
                 "the energy that of the unlimited output (an upper bound)")
    return Delivered(load, None, None, peak_i, peak_v, energy, limited, note)
