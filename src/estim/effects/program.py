"""Effects of a whole program: the sensation window, NMES force and fatigue, iontophoretic
dose. This is what ``estim run`` reports after the output table."""

from __future__ import annotations

import functools
import math
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec

import numpy as np

from estim.cache import digest
from estim.effects.drive import superposed
from estim.effects.iontophoresis import DoseReport, iontophoresis_dose
from estim.effects.muscle import force_frequency
from estim.effects.muscle_params import DING_2003_QUADRICEPS
from estim.effects.sensation import Recruitment, SensationResult, classify_sensation
from estim.effects.session import PulseTrain, SessionResult, simulate_session
from estim.effects.subjects import with_bands
from estim.effects.window import SensationWindow, sensation_window
from estim.program.drugs import get_drug
from estim.program.model import Channel, Program
from estim.program.options import Control, Sensation
from estim.program.stimulation import (
    FORCE_TYPES,
    TRANSCUTANEOUS_TYPES,
    Iontophoresis,
)
from estim.progress import Partway
from estim.text import readable
from estim.units import finite_or_none
from estim.waveforms.stimulus import Stimulus

if TYPE_CHECKING:
    from estim.effects.dbs import DBSActivation
    from estim.fields.program import ProgramFields
    from estim.fields.solve import ChannelField, FieldSolution

__all__ = ["DeviceReach", "EffectsResult", "OtherChannel", "characteristic_frequency",
           "dc_channels", "device_reach", "dose_dict", "effects_for_program", "held_to",
           "program_dose", "program_doses", "pulse_train", "reach_note",
           "subject_recruitment"]

#: Virtual subjects behind every threshold band of ``estim run`` (estim.effects.subjects).
VIRTUAL_SUBJECTS = 20

# Modalities whose pulses go to nerve fibers through the skin (the sensation window applies).
_TRANSCUTANEOUS = TRANSCUTANEOUS_TYPES
_FORCE = FORCE_TYPES


#: The muscle whose newtons the force model gives (Ding et al.'s parameters): the force of
#: another muscle is meaningful as a fraction of its maximal only.
FORCE_MODEL_MUSCLE = "quadriceps"


@dataclass(frozen=True)
class ForceAtMost:
    """The first contraction's peak force at the most current a person takes or the
    device gives: the reference anatomy's pain threshold, or the device's bound where that
    comes first. What NMES is judged by (people's evoked force at their tolerated current);
    the force at a fixed programmed current could not compare two programs (NMES's 95 N at
    60 mA, with some in pain, beside Russian current's 8 N at 70 mA; probe of 6 December
    2026).

    :param amplitude_a: the programmed peak it is taken at (A).
    :param bound: ``"pain"``, ``"device maximum"`` or ``"compliance"``.
    :param first_contraction_peak_N: the force there (N, the force model's quadriceps).
    :param pain_a: the pain threshold (A), also where the device's bound comes first.
    :param painful: how many of the virtual people find ``amplitude_a`` painful, and of how
        many (the pain threshold is the reference anatomy's; 8 of 20 were in pain at
        NMES's 100 mA, 103 mA below its pain: review of 6 December 2026); None without them.
    """

    amplitude_a: float
    bound: str
    first_contraction_peak_N: float
    pain_a: float
    painful: tuple[int, int] | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {"amplitude_A": self.amplitude_a, "bound": self.bound,
               "first_contraction_peak_N": self.first_contraction_peak_N,
               "pain_threshold_A": finite_or_none(self.pain_a)}
        if self.painful is not None:
            out["painful_subjects"], out["subjects"] = self.painful
        return out


def force_at_most(stim: Stimulus, fraction_at: Callable[[np.ndarray], np.ndarray],
                  programmed_a: float, pain_a: float,
                  bounds: list[tuple[float, str]]) -> ForceAtMost | None:
    """:class:`ForceAtMost` of ``stim`` (at ``programmed_a``, its motor recruitment
    ``fraction_at``): its first on-period scaled to the lowest of ``pain_a`` and the
    device's ``bounds`` (A, what bounds it), through the force model. None where the
    program is off or nothing bounds it."""
    tops = [(a, why) for a, why in [(pain_a, "pain"), *bounds] if math.isfinite(a) and a > 0]
    if not tops or not programmed_a > 0:
        return None
    top, why = min(tops)
    scale = top / programmed_a
    train = pulse_train(stim, lambda a: fraction_at(a * scale))
    first = train.times_s < train.period_s
    peak = 0.0
    if np.any(first):
        one = PulseTrain(times_s=train.times_s[first],
                         recruited_fraction=train.recruited_fraction[first],
                         cycle_starts_s=train.cycle_starts_s[:1], period_s=train.period_s,
                         duration_s=train.period_s)
        peaks = simulate_session(one, output_stride=5).contraction_peak_force_N
        peak = float(peaks[0]) if peaks.size else 0.0
    return ForceAtMost(top, why, peak, pain_a)


@dataclass(frozen=True)
class DeviceReach:
    """The most current a device drives through a channel's load, where it has a bound.

    :param channel: the channel's name.
    :param reach_a: the most current it drives there (A).
    :param programmed_a: the current the program asks for (A).
    :param bound: ``"compliance"`` (a current-controlled output's voltage over the load),
        ``"current limit"`` (a voltage-controlled output's) or ``"maximum voltage"`` (a
        voltage-controlled output's highest setting over the load, where that drives less
        than its current limit).
    :param bound_value: the compliance (V), the current limit (A) or the maximum voltage
        (V).
    :param load_ohm: the tissue and skin interface it drives through (Ω).
    """

    channel: str
    reach_a: float
    programmed_a: float
    bound: str
    bound_value: float
    load_ohm: float

    @property
    def limited(self) -> bool:
        """Whether the program asks for more than the device drives."""
        return self.programmed_a > self.reach_a * (1 + 1e-9)

    def to_dict(self) -> dict[str, Any]:
        return {"channel": self.channel, "reach_A": self.reach_a,
                "programmed_A": self.programmed_a, "bound": self.bound,
                "bound_value": self.bound_value,
                "bound_unit": "A" if self.bound == "current limit" else "V",
                "load_ohm": self.load_ohm, "limited": self.limited}


def device_reach(program: Program, channel_field: ChannelField, amplitude_a: float, *,
                 channel: int = 0) -> DeviceReach | None:
    """What the device drives into a channel's tissue and skin interface (the first by
    default; ``amplitude_a`` its programmed peak current): a current-controlled output at
    most its compliance over that load, a voltage-controlled one at most the lower of its
    current limit and its maximum voltage over that load. A 3 V compliance was "painful" at
    a programmed 60 mA it drives 9 mA of; microcurrent's twitch at 1.57 mA needs 38 V of a
    12 V unit (probe of 5 December 2026). None where the device states no bound.

    The load is the field solution's resistance with the skin interface at the pulse's
    characteristic frequency, the one a voltage-controlled output's current comes from.
    """
    device, main = program.device, program.channels[channel]
    load = float(channel_field.resistance)
    if not (load > 0 and math.isfinite(load)):
        return None
    if device.control is Control.CURRENT and device.compliance_voltage is not None:
        volts = float(device.compliance_voltage)
        return DeviceReach(main.name, volts / load, amplitude_a, "compliance", volts, load)
    if device.control is Control.VOLTAGE:
        # its highest setting drives max_voltage / load: a 100 V unit's pain at 760 mA (152 V)
        # read as reachable beside a 2.5 A current limit (hostile probe, 8 December 2026)
        bounds = [] if device.current_limit is None else [
            (float(device.current_limit), "current limit", float(device.current_limit))]
        if device.max_voltage is not None:
            volts = float(device.max_voltage)
            bounds.append((volts / load, "maximum voltage", volts))
        if bounds:
            amps, bound, value = min(bounds)
            return DeviceReach(main.name, amps, amplitude_a, bound, value, load)
    return None


def held_to(stim: Stimulus, limit_a: float) -> Stimulus:
    """``stim`` (A) with every event whose peak exceeds ``limit_a`` scaled down to it; the
    events below it are kept as they are (scaling the whole train shrank a ramp's first
    pulses too; review of 5 December 2026)."""
    size = stim.event_peak
    over = size > limit_a
    if not np.any(over):
        return stim
    scale = stim.scale.astype(float).copy()
    scale[over] *= limit_a / size[over]
    return Stimulus(stim.pulses, stim.onsets_s, stim.template, scale, stim.cycle_s,
                    stim.n_cycles, stim.control, stim.timing, stim.label)


def _dc_short_of(program: Program, main: Channel, amplitude_a: float, dose_c: float, *,
                 setting: str = "programmed") -> str | None:
    """Where a current-controlled device's compliance cannot push a d.c. of ``amplitude_a``
    through the typical skin's resistance under ``main``'s pads
    (:func:`estim.skin.dc_skin_load_ohm`), what it delivers instead, in words (None where
    it can). With 5 V the run claimed the full 40 mA·min of a 4 mA program that drives
    1.7 mA (probe of 5 December 2026). ``setting`` names the current ("the dial's" on the
    virtual stimulator, where the dial's 5 mA was called "the programmed")."""
    from estim.skin import dc_skin_load_ohm
    from estim.text import current_text

    volts = program.device.compliance_voltage
    if program.device.control is not Control.CURRENT or volts is None:
        return None
    load = dc_skin_load_ohm(main.anode.area_m2, main.cathode.area_m2)
    reach = float(volts) / load
    if reach >= amplitude_a * (1 - 1e-9):
        return None
    return (f"the device's {float(volts):g} V compliance drives at most "
            f"{current_text(reach, smallest='mA')} through the skin under these pads (about "
            f"{load / 1e3:.2g} kΩ to a steady current, typical skin, which varies widely): "
            f"{reach / amplitude_a:.0%} of the {setting} "
            f"{current_text(amplitude_a, smallest='mA')}, so the {dose_c / 0.06:.3g} mA·min "
            f"take at least {amplitude_a / reach:.2g} × as long, and the dose, the density "
            f"and the drug estimate above are those of the {setting} current")


def program_dose(program: Program, *, setting: str = "programmed") -> DoseReport | None:
    """The iontophoretic dose of the first iontophoresis channel, the first that is on (None
    where no channel is iontophoresis; it was the first channel's alone, and the dose of a
    second went missing; probe of 6 December 2026): :func:`program_doses`' first.
    ``estim run`` and the virtual stimulator's dial (at each setting) read it."""
    doses = program_doses(program, setting=setting)
    return doses[0][1] if doses else None


def program_doses(program: Program, *, setting: str = "programmed"
                  ) -> tuple[tuple[str, DoseReport], ...]:
    """Each iontophoresis channel's (name, dose), in the program's order (none where no
    channel is iontophoresis; :func:`dc_channels`): the drug
    under its own electrode where the file leaves it out, the density judged under both
    pads, and what a compliance too low for the skin's d.c. load delivers instead, as a
    finding (its current called ``setting``). A second channel's dose was said to be
    missing in a note, its compliance's shortfall not at all (review of 6 December 2026)."""
    return tuple((c.name, _channel_dose(program, c, setting)) for c in dc_channels(program))


def dc_channels(program: Program) -> list[Channel]:
    """The program's iontophoresis channels that are on, in its order (the program model
    takes none at 0 mA, so these are all of them)."""
    return [c for c in program.channels if isinstance(c.stimulation, Iontophoresis)
            and c.stimulation.amplitude.value > 0]


def _channel_dose(program: Program, main: Channel, setting: str) -> DoseReport:
    """One iontophoresis channel's dose (:func:`program_doses`)."""
    s = main.stimulation
    assert isinstance(s, Iontophoresis)
    under = s.drug_electrode or (get_drug(s.drug).electrode.value if s.drug else "anode")
    drug_pad, return_pad = ((main.cathode, main.anode) if under == "cathode"
                            else (main.anode, main.cathode))
    dose = iontophoresis_dose(s.amplitude.value, s.duration,
                              electrode_area_m2=drug_pad.area_m2,
                              ramp_up_s=s.ramp_up, ramp_down_s=s.ramp_down, drug=s.drug,
                              drug_electrode=s.drug_electrode,
                              return_area_m2=return_pad.area_m2)
    short = _dc_short_of(program, main, s.amplitude.value, s.dose, setting=setting)
    return dose if short is None else replace(dose, findings=(*dose.findings, short))


def dose_dict(d: DoseReport) -> dict[str, Any]:
    """A dose as ``results.json`` (``effects.dose``) and the stimulator's API give it."""
    return {
        "dose_mA_min": d.dose_mA_min, "charge_C": d.charge_C,
        "duration_s": d.duration_s,
        "current_density_mA_per_cm2": d.current_density_mA_per_cm2,
        "return_current_density_mA_per_cm2":
            None if d.return_current_density_A_per_m2 is None
            else d.return_current_density_A_per_m2 / 10.0,  # [A/m² -> mA/cm²]
        "current_density_limit_mA_per_cm2": d.current_density_limit_A_per_m2 / 10.0,
        "current_density_ok": d.current_density_ok,
        "drug": d.drug.name if d.drug is not None else None,
        "required_electrode": d.required_electrode.value
        if d.required_electrode is not None else None,
        "polarity_ok": d.polarity_ok,
        "mass_delivered_mg": d.mass_delivered_mg,
        "findings": list(d.findings), "evidence": d.evidence,
    }


def reach_note(reach: DeviceReach) -> str:
    """Where a channel's device cannot drive its setting, in words."""
    from estim.text import current_text, ohm_text

    if reach.bound == "compliance":
        return (f"channel {reach.channel!r}: the device drives at most "
                f"{current_text(reach.reach_a, smallest='mA')} of the programmed "
                f"{current_text(reach.programmed_a, smallest='mA')} through the "
                f"{ohm_text(reach.load_ohm)} of tissue and skin interface (its "
                f"{reach.bound_value:g} V compliance)")
    volts = reach.programmed_a * reach.load_ohm  # [A x Ω -> V]: the setting itself
    return (f"channel {reach.channel!r}: its {current_text(reach.bound_value, smallest='mA')} "
            f"current limit holds the {current_text(reach.programmed_a, smallest='mA')} that "
            f"{volts:.3g} V would drive through the {ohm_text(reach.load_ohm)} of tissue and skin "
            f"interface at {current_text(reach.reach_a, smallest='mA')}")


@dataclass(frozen=True, eq=False)
class OtherChannel:
    """What a person feels under one more channel's pads, a program's window being another
    channel's: its own window's thresholds and the sensation at its programmed peak (or at
    what the device drives), in the keys of ``results.json``'s ``sensation_window``.

    :param window: that channel's ``sensation_window`` (its thresholds and current).
    :param phrase: the sensation there (:class:`Sensation`'s phrase).
    :param people: how many virtual subjects feel each sensation there (phrase -> count).
    """

    window: dict[str, Any]
    phrase: str
    people: dict[str, int]
    #: that channel's own window and the device's reach into it (the stimulator's dial
    #: reads each channel along it)
    sensation_window: SensationWindow | None = field(default=None, repr=False)
    reach: DeviceReach | None = field(default=None, repr=False)
    #: the sensation as a person reads it (pain with a contraction says both;
    #: :attr:`estim.effects.sensation.SensationResult.words`)
    words: str = ""
    #: NMES and Russian current: its own force (results.json's ``force`` keys); a
    #: quadriceps channel's contraction was dropped where another channel was stronger
    #: (review of 5 December 2026)
    force: dict[str, Any] | None = None

    @property
    def channel(self) -> str:
        return str(self.window["channel"])

    def to_dict(self) -> dict[str, Any]:
        keep = ("channel", "programmed_peak_current_A", "held_by_device", "set_peak_current_A",
                "set_peak_V", "muscle", "sensory_threshold_A", "strong_tingling_threshold_A",
                "motor_threshold_A", "pain_threshold_A", "motor_volleys_fuse",
                "unordered_thresholds")
        out = {**{k: self.window[k] for k in keep if k in self.window},
               "sensation": self.phrase, "words": self.words or self.phrase,
               "at_programmed": dict(self.people)}
        if self.force is not None:
            out["force"] = dict(self.force)
        return out


@dataclass(frozen=True, eq=False)
class EffectsResult:
    """What the program does in the body (each part states its evidence level).

    :param window: the sensation window of the main channel (None where it does not apply).
    :param sensation: what the person would feel at the programmed intensity.
    :param force: NMES force and fatigue over the session (None where it does not apply).
    :param max_force_N: the modelled muscle's maximal force (N), for scale.
    :param dose: iontophoretic dose (None for other modalities): the first iontophoresis
        channel's that is on.
    :param expected_sensation: what the program's source prescribes (may be empty).
    """

    window: SensationWindow | None
    sensation: SensationResult | None
    force: SessionResult | None
    max_force_N: float | None
    dose: DoseReport | None
    fields: dict[str, Any] | None
    notes: tuple[str, ...] = field(default=())
    program_fields: ProgramFields | None = field(default=None, repr=False)  # for figures
    expected_sensation: tuple[Sensation, ...] = ()
    #: DBS: the tissue the setting activates (estim.effects.dbs.DBSActivation)
    dbs: DBSActivation | None = None
    #: DBS: why no activation was computed, in words (an active segment of a directional lead)
    dbs_skipped: str | None = None
    #: the most current the device drives into the window's channel (its compliance over
    #: the tissue and skin interface, or its current limit), where it has one
    reach: DeviceReach | None = None
    #: every channel's (the first is ``reach``'s), where the device states a bound
    reaches: tuple[DeviceReach, ...] = ()
    #: what a person feels under each other channel's own pads, where a program has
    #: several channels on (the window is the strongest one's): :class:`OtherChannel`
    others: tuple[OtherChannel, ...] = ()
    #: each pulsed channel's (name, load through the skin interface at its own pulse, Ω):
    #: the window's channel, the others read in their own runs, and those that are off; what
    #: the safety check judges them into, whether or not the device states a bound (a
    #: voltage-set unit without a current limit has no reach, and its channels took the
    #: strongest pulse's load; review of 6 December 2026)
    own_loads: tuple[tuple[str, float], ...] = ()
    #: the channel whose dose ``dose`` is
    dose_channel: str | None = None
    #: every other iontophoresis channel that is on: (name, its dose), in program order
    other_doses: tuple[tuple[str, DoseReport], ...] = ()
    #: NMES: the force at the pain threshold or the device's bound (the reference anatomy)
    force_at_most: ForceAtMost | None = None
    #: Russian current: its carrier's frequency (Hz), whose half-cycles are its phases
    carrier_hz: float | None = None

    @property
    def sensation_as_expected(self) -> bool | None:
        """Whether the predicted sensation is one the program's source prescribes (None when
        the file states none or there is no prediction)."""
        if self.sensation is None or not self.expected_sensation:
            return None
        return self.sensation.sensation in self.expected_sensation

    def to_dict(self) -> dict[str, Any]:
        # the notes as people read numbers (2,500 Hz, not 2.5e+03 Hz), in results.json too
        out: dict[str, Any] = {"notes": [readable(n) for n in self.notes]}
        if self.dbs is not None:
            out["dbs_activation"] = self.dbs.to_dict()
        if self.dbs_skipped is not None:
            out["dbs_activation_skipped"] = self.dbs_skipped
        if self.fields is not None:
            out["fields"] = self.fields
        if self.window is not None:
            out["sensation_window"] = self.window.to_dict()
            if self.reach is not None and self.reach.limited:
                # its "programmed" current is what the device drives: said so, with the set
                # one beside it (the faces called 9.24 mA "programmed"; review)
                out["sensation_window"].update(held_by_device=True,
                                               set_peak_current_A=self.reach.programmed_a)
                if self.reach.bound != "compliance":  # a voltage is set, not a current
                    out["sensation_window"]["set_peak_V"] = \
                        self.reach.programmed_a * self.reach.load_ohm  # [A x Ω -> V]
        if self.reach is not None:
            out["device_reach"] = self.reach.to_dict()
        if self.reaches:
            out["device_reaches"] = [r.to_dict() for r in self.reaches]
        if self.others:
            out["other_channels"] = [o.to_dict() for o in self.others]
        if self.sensation is not None:
            out["sensation"] = {"phrase": self.sensation.phrase,
                                # what a person reads: pain with a contraction says both
                                "words": self.sensation.words,
                                "reasons": list(self.sensation.reasons),
                                "expected": [str(x) for x in self.expected_sensation],
                                "as_expected": self.sensation_as_expected,
                                "evidence": self.sensation.evidence}
        if self.force is not None:
            peaks = self.force.contraction_peak_force_N
            out["force"] = {
                "first_contraction_peak_N": float(peaks[0]) if peaks.size else None,
                "last_contraction_peak_N": float(peaks[-1]) if peaks.size else None,
                "fatigue_ratio": finite_or_none(self.force.fatigue_ratio),
                "contractions": int(peaks.size),
                "max_force_N": self.max_force_N,
                # the force model's newtons are Ding et al.'s quadriceps' (a calf's 91 of
                # 311 N read as the calf's own; probe of 5 December 2026): the faces give
                # another muscle's force as a fraction of its maximal
                "muscle": self.window.muscle if self.window is not None else None,
                "newtons_of": FORCE_MODEL_MUSCLE,
                "evidence": self.force.evidence,
                # what the force's words need to say of it (physiotherapist's probe of
                # 7 December 2026): the pulses' rate in a contraction (twitches below
                # fusion), where the fatigue levels off, and the share of units that fire
                **_force_facts(self.force),
                "carrier_hz": self.carrier_hz,
            }
            if self.force_at_most is not None:
                out["force"]["at_most"] = self.force_at_most.to_dict()
        if self.dose is not None:
            out["dose"] = {"channel": self.dose_channel, **dose_dict(self.dose)}
        if self.other_doses:
            out["other_doses"] = [{"channel": name, **dose_dict(d)}
                                  for name, d in self.other_doses]
        return out


def _force_facts(force: SessionResult) -> dict[str, Any]:
    """The pulse (or burst) rate within a contraction (Hz: the median interval's); the
    contraction from which every peak lies within 1 % (of the first peak) of the last
    contraction's, None where the fatigue does not level off in the session's first half;
    and the largest share of the motor axons a pulse recruits (None without pulses)."""
    times = np.asarray(force.train.times_s, float)
    gaps = np.diff(times)
    rate = float(1.0 / np.median(gaps)) if gaps.size and np.median(gaps) > 0 else None
    peaks = np.asarray(force.contraction_peak_force_N, float)
    level = None
    if peaks.size >= 10 and peaks[0] > 0:
        off = np.abs(peaks - peaks[-1]) > 0.01 * peaks[0]
        k = int(np.flatnonzero(off)[-1]) + 1 if off.any() else 0
        if 0 < k <= peaks.size // 2:  # levels off before the second half
            level = k + 1  # counted from 1: the contraction from which it holds
    fractions = np.asarray(force.train.recruited_fraction, float)
    recruited = float(np.max(fractions)) if fractions.size else None
    return {"pulse_rate_hz": finite_or_none(rate) if rate is not None else None,
            "steady_from_contraction": level,
            "motor_recruited_fraction": recruited}


def pulse_train(stim: Stimulus, fraction_at: Callable[[np.ndarray], np.ndarray]
                ) -> PulseTrain:
    """Every pulse of the session with the motor fraction its amplitude recruits.

    :param fraction_at: recruited motor fraction as a function of peak current (A).
    """
    peaks = stim.event_peak
    per_cycle = fraction_at(peaks)
    n = stim.n_cycles
    times = (stim.onsets_s[None, :] + stim.cycle_s * np.arange(n)[:, None]).ravel()
    frac = np.tile(per_cycle, n)
    keep = frac > 0
    return PulseTrain(times_s=times[keep], recruited_fraction=frac[keep],
                      cycle_starts_s=stim.cycle_s * np.arange(n, dtype=np.float64),
                      period_s=stim.cycle_s,
                      duration_s=stim.duration_s)


def characteristic_frequency(stim: Stimulus) -> float:
    """The frequency (Hz) that sets the interface impedance a pulse sees: a carrier's own
    frequency, else 1 / (2 x leading phase)."""
    if stim.timing.carrier_hz:
        return float(stim.timing.carrier_hz)
    width = stim.timing.pulse_width_s or stim.timing.pulse_duration_s
    return 1.0 / (2.0 * width) if width else 0.0


def _own_channels(program: Program) -> list[int]:
    """The channels that get a window of their own: the transcutaneous pulsed ones that are
    on, true interferential's second carrier with its first (it is in the first's fiber
    stage); an iontophoresis channel beside them gets none (the cable models do not read
    d.c.; its dose comes with their run). Where no pulsed channel is on, the first channel
    that is on (iontophoresis: its dose); none for DBS (its stage reads every contact)."""
    if program.channels[0].stimulation.type == "dbs":
        return []
    on = [k for k, ch in enumerate(program.channels) if ch.stimulation.amplitude.value > 0]
    # an iontophoresis channel beside pulsed ones: the pulsed ones, each under its own pads
    # (with the iontophoresis first, the run solved no field, and a 1 x 1 cm TENS channel
    # after it passed the FDA's power density into 500 ohms at 0.125 W/cm² where its own
    # tissue takes 0.578; put first, the dose went missing; probe of 6 December 2026)
    pulsed = [k for k in on if program.channels[k].stimulation.type in _TRANSCUTANEOUS]
    if not pulsed:
        return on[:1]
    on = pulsed
    if program.true_interferential and 0 in on and 1 in on:
        on.remove(1)
    return on


def _strength(result: EffectsResult) -> tuple[int, int, int]:
    """How strong what a person feels under a channel is: the sensation's rank, then how
    many virtual subjects find it painful, then see a contraction."""
    if result.sensation is None or result.window is None:
        return (-1, 0, 0)
    bands = result.window.bands
    people = bands.sensations_at(result.window.amplitude_a) if bands is not None else {}
    return (result.sensation.sensation.rank, people.get(Sensation.PAINFUL, 0),
            people.get(Sensation.CONTRACTION, 0))


#: The start of the note that says whose channel the window is (the faces show it).
WINDOW_CHANNEL_NOTE = "the sensation window is computed for channel"

#: The start of the note that channels on together share a pad (the faces show it).
SHARED_PADS_NOTE = "channels on together share a pad"


def _shared_pads_note(program: Program) -> str | None:
    """Where channels that are on share a placement, that their currents add under it,
    which each channel's window, read with its own current alone, does not count: two
    25 mA channels on one pair of pads read "strong tingling" each, where 50 mA there is
    painful (probe of 6 December 2026). None where no pad is shared. Every channel that is
    on counts (true interferential's second carrier, read in its first's window, too)."""
    from estim.text import current_text

    under: dict[str, list[int]] = {}
    for k, channel in enumerate(program.channels):
        if channel.stimulation.amplitude.value <= 0:
            continue
        for pad in dict.fromkeys((channel.cathode.placement, channel.anode.placement)):
            under.setdefault(pad, []).append(k)
    pads_of: dict[tuple[int, ...], list[str]] = {}  # the same channels under several pads
    for pad, on in under.items():
        if len(on) > 1:
            pads_of.setdefault(tuple(on), []).append(pad)
    if not pads_of:
        return None
    parts = []
    for sharing, pads in pads_of.items():
        names = [repr(program.channels[k].name) for k in sharing]
        total = sum(program.channels[k].stimulation.amplitude.value for k in sharing)
        # currents add under a shared pad; a voltage-set output's volts do not
        amount = (f": up to {current_text(total, smallest='mA')} together"
                  if program.device.control is Control.CURRENT else "")
        parts.append(f"{' and '.join(pads)} (channels {', '.join(names[:-1])} and "
                     f"{names[-1]}{amount})")
    return (f"{SHARED_PADS_NOTE}: {'; '.join(parts)}; where their pulses coincide their "
            "currents add there, and what a person feels is read for each channel with "
            "its own current alone, so they may feel more than it says")


def _each_channel(program: Program, stimuli: tuple[Stimulus, ...], own: list[int], *,
                  progress: Callable[[str], None] | None, **kw: Any) -> EffectsResult:
    """The effects with each channel of ``own`` first in turn (its fibers under its own
    cathode, its own field; the field solution is shared), the strongest as the result.
    The window was the first channel's whatever the others did: three channels reordered
    went from "a strong but comfortable tingling" to "it would hurt" (probe of 5 December
    2026)."""
    results: list[tuple[int, EffectsResult]] = []
    for k in own:
        order = [k, *(j for j in range(len(program.channels)) if j != k)]
        say = progress
        if progress is not None and len(own) > 1:
            say = _named_progress(progress, program.channels[k].name)
        results.append((k, effects_for_program(
            program.replace(channels=tuple(program.channels[j] for j in order)),
            tuple(stimuli[j] for j in order), progress=say, each_channel=False, **kw)))
    # the strongest; of equals, the first in the program
    k, main = max(results, key=lambda kr: (*_strength(kr[1]), -kr[0]))
    main = _in_program_order(main, program, dict(results))
    name = program.channels[k].name
    notes = [n for n in main.notes if not n.startswith(WINDOW_CHANNEL_NOTE)]
    if len(own) == 1:  # the first channel off (or d.c.) and another on
        # the prediction was channel 1's, "no sensation" at 0 mA beside channel 2's 60 mA,
        # over its pain (probe of 5 December 2026)
        # (an iontophoresis channel's own note says that it is not read)
        first = program.channels[0]
        if first.stimulation.amplitude.value > 0:  # an iontophoresis channel is on
            # its notes whole, as when the pulsed channel is listed first ("the field of
            # channel 'ionto' is not in the fiber stage" came in one order only; probe)
            shared = _shared_pads_note(program)
            return replace(main, notes=(*((shared,) if shared else ()), *main.notes))
        if program.channels[k].stimulation.type not in _TRANSCUTANEOUS:
            # it read "predicted for channel 'ionto'" above "no sensation window" (probe)
            return replace(main, notes=(f"channel {first.name!r} is off (0)", *notes))
        shared = _shared_pads_note(program)
        return replace(main, notes=(
            f"channel {first.name!r} is off (0); what a person feels is "
            f"predicted for channel {name!r}", *((shared,) if shared else ()), *notes))
    others = tuple(_other(r) for j, r in results if j != k)
    shown = [o for o in others if o is not None]
    words = "; ".join(f"channel {o.channel!r}: {o.words or o.phrase}" for o in shown)
    note = (f"{WINDOW_CHANNEL_NOTE} {name!r}, the strongest of the {len(own)} channels "
            f"that are on (each read under its own pads, with its own current alone; "
            f"{words})")
    shared = _shared_pads_note(program)
    return replace(main, notes=(note, *((shared,) if shared else ()), *notes),
                   others=tuple(shown))


def _in_program_order(main: EffectsResult, program: Program,
                      runs: dict[int, EffectsResult]) -> EffectsResult:
    """``main`` (a run with its window's channel first) with the field solution, its
    metadata and the device's reaches in the program's order again, each channel's reach
    from its own run: the field panels, the loads and the reaches came out in an order
    that moved with the amplitudes, the web's field picture was scaled by the window's
    channel where the dial sets the first, and a channel's reach was read through the
    interface of another channel's pulse (886 Ω beside its own 753; review of 5 December
    2026). The window's own channel is found by name (``window.channel``)."""
    pf = main.program_fields
    if pf is None:
        return main
    from estim.fields.program import ProgramFields

    by_name = {c.name: c for c in pf.solution.channels}
    solution = replace(pf.solution, channels=tuple(by_name[ch.name]
                                                   for ch in program.channels))
    ordered = ProgramFields.of(program, solution)
    own = {program.channels[j].name: r.reach for j, r in runs.items()}
    reaches = {r.channel: r for r in main.reaches}
    reaches.update({n: r for n, r in own.items() if r is not None})
    loads: dict[str, float] = {}
    for r in runs.values():  # each run's own channel, and those that are off
        loads.update(dict(r.own_loads))
    return replace(main, program_fields=ordered, fields=ordered.metadata(),
                   reaches=tuple(reaches[ch.name] for ch in program.channels
                                 if ch.name in reaches),
                   own_loads=tuple((ch.name, loads[ch.name]) for ch in program.channels
                                   if ch.name in loads))


def _named_progress(progress: Callable[[str], None], name: str) -> Callable[[str], None]:
    """``progress`` with each line under its channel's name, a :class:`Partway` kept one (it
    became a plain line, and each share a new stage line; review of 7 December 2026)."""
    return lambda message: progress(message.renamed(f"channel {name}: {message}")
                                    if isinstance(message, Partway)
                                    else f"channel {name}: {message}")


def _other(result: EffectsResult) -> OtherChannel | None:
    """One more channel's :class:`OtherChannel` (None where it has no window)."""
    w, s = result.window, result.sensation
    if w is None or s is None:
        return None
    people = ({str(x): n for x, n in w.bands.sensations_at(w.amplitude_a).items()}
              if w.bands is not None else {})
    data = result.to_dict()
    return OtherChannel(data["sensation_window"], s.phrase, people, sensation_window=w,
                        reach=result.reach, words=s.words, force=data.get("force"))


def channel_setup(program: Program, stimuli: tuple[Stimulus, ...], *,
                  progress: Callable[[str], None] | None = None
                  ) -> tuple[ProgramFields, Stimulus, float, list[str]]:
    """The field solution, the main channel's output in amperes, its peak current (A), and
    notes on the assumptions made: what the fiber stage needs for the first channel."""
    notes: list[str] = []
    main = program.channels[0]
    if progress is not None:
        progress("fields: meshing and solving (cached after the first run)")
    # The skin-electrode interface spreads the current under a real pad (its edges carry
    # less than an ideal equipotential's). It is an R + R||C; the quasi-static solve takes
    # its conductance at the pulse's characteristic frequency.
    freq = characteristic_frequency(stimuli[0])
    g = _interface_conductance(stimuli[0])
    notes.append(f"skin-electrode interface {g:.3g} S/m² (hydrogel on intact skin, evaluated "
                 f"at {freq:.3g} Hz, the pulse's characteristic frequency)")
    pf = _program_fields(program, progress=progress, interface_conductance=g)
    cf = pf.channels[0]
    amplitude = pf.currents[main.name]
    stim = stimuli[0]
    # For voltage control the window works in current: scale the pulse to the driven current.
    if stim.unit == "V":
        stim = stim.with_scale(1.0 / cf.resistance)
        notes.append(f"voltage-controlled: current = voltage / resistance of tissue and "
                     f"interface ({cf.resistance:.0f} Ω)")
    others = [ch.name for ch in program.channels[1:] if ch.stimulation.amplitude.value > 0]
    if others and not program.true_interferential:
        # only the channels on (a channel at 0 mA has no field to leave out)
        names = " and ".join(repr(n) for n in others)
        notes.append(f"{WINDOW_CHANNEL_NOTE} {main.name!r} alone; "
                     f"the field of channel{'s' * (len(others) > 1)} {names} is not in the "
                     "fiber stage")
    return pf, stim, amplitude, notes


def _off_field(program: Program, stimuli: tuple[Stimulus, ...], k: int,
               progress: Callable[[str], None] | None) -> ChannelField | None:
    """A pulsed surface channel that is off: its field through the skin interface at its own
    pulse (the load the safety check judges it into at the device maximum); None for any
    other channel (one that is on gets its own run). An off 1 ms channel beside a 50 µs one
    took the 50 µs pulse's lower load, and its power density at the device maximum read
    0.344 W/cm² where its own load gives 0.530 (probe of 6 December 2026)."""
    channel = program.channels[k]
    if (k == 0 or channel.stimulation.amplitude.value > 0
            or channel.stimulation.type not in _TRANSCUTANEOUS):
        return None
    own = _interface_conductance(stimuli[k])
    if own == _interface_conductance(stimuli[0]):
        return None
    return _program_fields(program, progress=progress, interface_conductance=own).channels[k]


def _off_reaches(program: Program, stimuli: tuple[Stimulus, ...],
                 progress: Callable[[str], None] | None
                 ) -> tuple[tuple[DeviceReach, ...], tuple[tuple[str, float], ...]]:
    """Where no pulsed channel is on (an iontophoresis channel is), each pulsed surface
    channel's reach through its own field and pulse: the load its skin rules are judged
    into at the device maximum. With no field solved, an off 2 x 2 cm, 1 ms TENS channel
    beside an iontophoresis channel passed the power density there into 500 Ω (0.125
    W/cm²) where its own 3.79 kΩ take 0.947 (probe of 6 December 2026). The reaches, and
    each channel's load (:attr:`EffectsResult.own_loads`)."""
    out, loads = [], []
    for k, channel in enumerate(program.channels):
        if channel.stimulation.type not in _TRANSCUTANEOUS:
            continue
        pf = _program_fields(program, progress=progress,
                             interface_conductance=_interface_conductance(stimuli[k]))
        loads.append((channel.name, float(pf.channels[k].resistance)))
        reach = device_reach(program, pf.channels[k], 0.0, channel=k)
        if reach is not None:
            out.append(reach)
    return tuple(out), tuple(loads)


def _interface_conductance(stim: Stimulus) -> float:
    """The skin-electrode interface's conductance per area (S/m²) at the pulse's
    characteristic frequency: what the quasi-static solve takes of its R + R||C."""
    from estim.fields.electrodes import InterfaceModel

    return float(InterfaceModel().conductance_per_area(characteristic_frequency(stim)))


def _prefetch_subjects(program: Program, stimuli: tuple[Stimulus, ...],
                       counts: dict[str, int] | None, seed: int) -> Future[object] | None:
    """Start the virtual subjects' drive ratios on a thread (None where the program gets
    no band): they need the fibers' places and the pads, not the site's field, so they
    are solved while the field is meshed and solved on the other core."""
    from estim.effects.placement import fiber_nodes
    from estim.effects.subjects import prefetch_drive_ratios
    from estim.errors import InputError
    from estim.fields.program import program_channels

    together = program.true_interferential
    if together and any(s.unit != "A" for s in stimuli[:2]):
        return None  # the carriers' relative peaks wait for the field's resistances
    try:
        site, channels = program_channels(
            program, interface_conductance=_interface_conductance(stimuli[0]))
        at_nodes = fiber_nodes(channels[0].cathode, site, counts=counts, seed=seed)
    except InputError:  # the field stage says so, with the program's own words
        return None
    others = ((channels[1].anode, channels[1].cathode,
               superposed(stimuli[0], [stimuli[1]]).relative_peaks[1]),) if together else ()
    return prefetch_drive_ratios(at_nodes, site, channels[0].anode, channels[0].cathode,
                                 n_subjects=VIRTUAL_SUBJECTS, seed=seed, others=others)


#: FEM field solutions kept in memory per process: the points of a sweep and repeated runs
#: of one program read their disk entry (~0.45 s) once. Each holds a mesh and its
#: potentials (tens of MB), hence few.
FIELD_MEMORY_ENTRIES = 3
_field_memory: OrderedDict[str, FieldSolution] = OrderedDict()


def _program_fields(program: Program, *, progress: Callable[[str], None] | None,
                    interface_conductance: float) -> ProgramFields:
    """:func:`estim.fields.program.fields_for_program` at 1 A per channel, the solution
    served from memory when a program with the same site, pads and interface was solved in
    this process (the key holds what the disk entry's key is made of: the site as specified,
    each channel's pads, the interface conductance, the field cache's and estim's versions);
    the channel currents are the program's own."""
    from estim.fields.cache import CACHE_VERSION
    from estim.fields.program import ProgramFields, fields_for_program
    from estim.version import __version__

    # the channels in name order: a program's channels taken first in turn (_each_channel)
    # share one solution, its channels put in the program's order
    key = digest(CACHE_VERSION, __version__, program.site.model_dump(mode="json"),
                 sorted((ch.name, ch.anode.model_dump(mode="json"),
                         ch.cathode.model_dump(mode="json")) for ch in program.channels),
                 interface_conductance)
    sol = _field_memory.get(key)
    if sol is not None:
        by_name = {c.name: c for c in sol.channels}
        sol = replace(sol, channels=tuple(by_name[ch.name] for ch in program.channels))
    if sol is None:
        pf = fields_for_program(program, progress=progress,
                                interface_conductance=interface_conductance)
        sol = replace(pf.solution, cache_hit=True)  # the next read is a hit (of memory)
    else:
        if progress is not None:
            progress("fields served from memory")
        pf = ProgramFields.of(program, sol)
    _field_memory[key] = sol
    _field_memory.move_to_end(key)
    while len(_field_memory) > FIELD_MEMORY_ENTRIES:  # the least recently used goes
        _field_memory.popitem(last=False)
    return pf


def subject_recruitment(window: SensationWindow, excitability: float,
                        pain_tolerance: float = 1.0) -> Recruitment:
    """What a virtual subject whose fibers' thresholds are ``excitability`` times the
    window's, and its pain threshold a further ``pain_tolerance`` times, recruits at the
    window's programmed peak: each class's fraction at the peak over its factor."""
    amplitude = window.amplitude_a

    def frac(name: str, factor: float) -> float:
        c = window.classes.get(name)
        return float(c.fraction_at(amplitude / factor)[0]) if c is not None else 0.0

    pain = excitability * pain_tolerance
    return Recruitment(abeta=frac("abeta", excitability), adelta=frac("adelta", pain),
                       c=frac("c", pain), motor=frac("motor", excitability),
                       periosteal=frac("periosteal", pain))


_P = ParamSpec("_P")


def _with_other_doses(run: Callable[Concatenate[Program, _P], EffectsResult]
                      ) -> Callable[Concatenate[Program, _P], EffectsResult]:
    """Every result of ``run`` with the doses of the iontophoresis channels on beside the
    first (:attr:`EffectsResult.other_doses`), whichever way it was reached."""
    @functools.wraps(run)
    def wrapped(program: Program, *args: _P.args, **kw: _P.kwargs) -> EffectsResult:
        result = run(program, *args, **kw)
        doses = program_doses(program)
        return replace(result, dose_channel=doses[0][0] if doses else None,
                       other_doses=doses[1:])
    return wrapped


@_with_other_doses
def effects_for_program(program: Program, stimuli: tuple[Stimulus, ...], *,
                        progress: Callable[[str], None] | None = None,
                        counts: dict[str, int] | None = None, seed: int = 0,
                        excitability: float = 1.0, pain_tolerance: float = 1.0,
                        bands: bool = True, each_channel: bool = True) -> EffectsResult:
    """Run the body stages for ``program`` (fields, fibers, muscle, dose).

    A program with several channels on gets a window under each one's own pads
    (:func:`_each_channel`); the result is the strongest one's, the others in
    :attr:`EffectsResult.others`. ``each_channel=False`` reads the first channel alone.

    :param excitability: one virtual subject's factor on every fiber's threshold
        (:mod:`estim.effects.subjects`): the recruitment, the force and the sensation at the
        programmed intensity are then the fibers' at ``1 / excitability`` of it. The window's
        thresholds stay the reference's; the subject's are ``excitability`` times them.
    :param pain_tolerance: the subject's factor on its pain threshold alone: the pain
        classes (Aδ, C, periosteal) are recruited at a further ``1 / pain_tolerance``.
    :param bands: put the thresholds' bands over :data:`VIRTUAL_SUBJECTS` virtual subjects
        on the window; a sweep's subject point, whose program is one subject's anatomy
        already, reads its own thresholds and skips them (they cost their drive ratios).
    """
    if each_channel:
        own = _own_channels(program)
        if own and own != [0]:
            return _each_channel(program, stimuli, own, progress=progress, counts=counts,
                                 seed=seed, excitability=excitability,
                                 pain_tolerance=pain_tolerance, bands=bands)
        # (a pulsed channel read, that is; two iontophoresis channels on one pad were told
        # of pulses and of what a person feels, above "no sensation window": the safety
        # check judges their summed d.c.; probe of 6 December 2026)
        shared = _shared_pads_note(program) if own == [0] and (
            program.channels[0].stimulation.type in _TRANSCUTANEOUS) and any(
            c.stimulation.type == "iontophoresis" and c.stimulation.amplitude.value > 0
            for c in program.channels) else None
        if shared is not None:  # one channel read, an iontophoresis one on beside it
            alone = effects_for_program(program, stimuli, progress=progress, counts=counts,
                                        seed=seed, excitability=excitability,
                                        pain_tolerance=pain_tolerance, bands=bands,
                                        each_channel=False)
            return replace(alone, notes=(shared, *alone.notes))
    notes: list[str] = []
    main = program.channels[0]
    kind = main.stimulation.type
    dose = program_dose(program)
    if dose is not None and kind == "iontophoresis":
        notes.append("d.c. with slow ramps: the cable models do not apply (sensation under "
                     "d.c. electrodes is mostly electrochemical); no sensation window")
    elif dose is not None:  # beside the pulsed channel read here; the dosed ones named
        dc = [c.name for c in dc_channels(program)]
        which = (f"channel {dc[0]!r} (iontophoresis) is" if len(dc) == 1 else
                 "channels " + ", ".join(repr(n) for n in dc) + " (iontophoresis) are")
        notes.append(f"{which} d.c. with slow ramps: the cable models do not apply "
                     "(sensation under d.c. electrodes is mostly electrochemical), and what "
                     "a person feels under their pads is not predicted")
    if len(stimuli[0].onsets_s) == 0:
        notes.append("the programmed amplitude is zero: nothing is delivered, no fiber fires")
        return EffectsResult(None, None, None, None, dose, None, tuple(notes))
    if kind not in _TRANSCUTANEOUS:
        if kind == "dbs":
            from estim.effects.dbs import activation_for_run

            dbs, dbs_notes = activation_for_run(program, stimuli, progress=progress)
            return EffectsResult(None, None, None, None, dose, None, (*notes, *dbs_notes),
                                 dbs=dbs, dbs_skipped=None if dbs is not None else dbs_notes[0])
        reaches, own_loads = _off_reaches(program, stimuli, progress)
        return EffectsResult(None, None, None, None, dose, None, tuple(notes),
                             reaches=reaches, own_loads=own_loads)

    prefetch = _prefetch_subjects(program, stimuli, counts, seed) if bands else None
    pf, stim, amplitude, window_notes = channel_setup(program, stimuli, progress=progress)
    notes.extend(window_notes)
    cf = pf.channels[0]
    reach = device_reach(program, cf, amplitude)
    # every channel's: a second channel held was said behind -v only (probe of 5 December
    # 2026); true interferential's second carrier is held by its own below
    off = {k: f for k in range(len(program.channels))
           if (f := _off_field(program, stimuli, k, progress)) is not None}
    reaches = tuple(r for r in (
        device_reach(program, off.get(k, pf.channels[k]), pf.currents[ch.name], channel=k)
        for k, ch in enumerate(program.channels)
        # an iontophoresis channel's d.c. meets the skin's resistance, not this field's
        # interface at another channel's pulse: "162 mA through 492 Ω, not limited" stood
        # beside its dose's "drives at most 3.19 mA" (probe of 6 December 2026)
        if ch.stimulation.type in _TRANSCUTANEOUS) if r is not None)
    own_loads = ((main.name, float(cf.resistance)),
                 *((program.channels[k].name, float(f.resistance)) for k, f in off.items()))
    if reach is not None and reach.limited:
        # what the fibers get is what the device drives: each pulse above its bound is cut
        # to it, the rest (a ramp's first pulses) as they are (a clipped rectangular pulse
        # is a scaled one; a clipped sine is taken by its peak)
        stim = held_to(stim, reach.reach_a)
        amplitude = reach.reach_a
        notes.append(reach_note(reach) + ": what a person feels is predicted at that current")
    together: list[tuple[Stimulus, ChannelField]] = []
    if program.true_interferential and program.channels[1].stimulation.amplitude.value > 0:
        other = stimuli[1].with_scale(1.0 / pf.channels[1].resistance) \
            if stimuli[1].unit == "V" else stimuli[1]
        # the second carrier is held to what the device drives into its own pads: held on
        # channel 1 alone, channel 2 came out 3.8 times too strong beside it (review of
        # 5 December 2026)
        second = device_reach(program, pf.channels[1], other.peak, channel=1)
        if second is not None and second.limited:
            other = held_to(other, second.reach_a)
            notes.append(reach_note(second))
        together.append((other, pf.channels[1]))
        notes.append(f"true interferential: the field and carrier of channel "
                     f"{program.channels[1].name} are superposed with those of channel "
                     f"{main.name} in the fiber simulation, so each fiber sees the beat where "
                     "the two fields overlap")
    window = sensation_window(main.name, stim, cf, amplitude, site=pf.site, counts=counts,
                              seed=seed, progress=progress, together=together)
    if prefetch is not None:
        prefetch.result()  # the subjects' ratios are in memory now (or its error is raised)
    if bands:
        window = with_bands(window, cf, pf.site, n_subjects=VIRTUAL_SUBJECTS, seed=seed,
                            together=[(other_cf, weight) for (_, other_cf), weight in zip(
                                together, superposed(stim, [st for st, _ in together])
                                .relative_peaks[1:], strict=True)],
                            progress=progress)
    notes.extend(window.notes)
    force = None
    max_force = None
    force_N = None
    at_most = None
    if kind in _FORCE:
        if progress is not None:
            progress("muscle: force and fatigue over the session")
        motor = window.classes["motor"]
        train = pulse_train(stim, lambda a: motor.fraction_at(a / excitability))
        max_force = float(force_frequency([100.0], params=DING_2003_QUADRICEPS)
                          .peak_force_N[0])
        if train.times_s.size:
            force = simulate_session(train, output_stride=5)
            peaks = force.contraction_peak_force_N
            force_N = float(peaks[0]) if peaks.size else 0.0
        else:
            force_N = 0.0
        if (excitability, pain_tolerance) == (1.0, 1.0) and program.device.control is \
                Control.CURRENT:
            bounds = [(float(program.device.max_amplitude), "device maximum")]
            if reach is not None and reach.bound == "compliance":
                bounds.append((reach.reach_a, "compliance"))
            at_most = force_at_most(stim, motor.fraction_at, amplitude, window.pain_a,
                                    bounds)
        elif excitability == 1.0 and pain_tolerance == 1.0:  # said, not left out (review)
            notes.append("the force at the pain threshold or the device's maximum is given "
                         "for a current-controlled device only (this one is set in volts)")
        if at_most is not None:
            people = window.bands
            if people is not None and people.per_subject:
                pained = people.sensations_at(at_most.amplitude_a)[Sensation.PAINFUL]
                at_most = replace(at_most, painful=(pained, people.n_subjects))
        if kind == "russian":
            notes.append("Russian current: each carrier burst is taken as one motor volley "
                         "for the force model")
    recruitment = window.recruitment if (excitability, pain_tolerance) == (1.0, 1.0) else \
        subject_recruitment(window, excitability, pain_tolerance)
    sensation = classify_sensation(
        recruitment, force_N=force_N, max_force_N=max_force, criteria=window.criteria)
    return EffectsResult(window, sensation, force, max_force, dose, pf.metadata(),
                         tuple(notes), program_fields=pf,
                         expected_sensation=program.expected_sensation, reach=reach,
                         reaches=reaches, own_loads=own_loads, force_at_most=at_most,
                         carrier_hz=float(getattr(main.stimulation, "carrier_frequency", 0.0))
                         if kind == "russian" else None)
