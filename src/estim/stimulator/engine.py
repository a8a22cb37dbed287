"""The dial of the virtual stimulator: thresholds computed once per program, then a lookup.

:func:`prepare` runs :func:`estim.simulate` once (fields, fibers, the sensation window; seconds,
most of it cached) and tabulates what moves with the dial: the safety verdict
(:mod:`estim.stimulator.safety_dial`) and, for NMES and Russian current, the first
contraction's force. :meth:`DialModel.at` is then a lookup: each fiber class's recruited
fraction is the window's own recruitment curve at the dial's current, the sensation is
:func:`estim.effects.sensation.classify_sensation` on those fractions with the window's
criteria, and the force and safety verdict come from the tables.

Units: the dial is in the device's control unit, A for a current-controlled device and V for a
voltage-controlled one (:attr:`DialModel.unit`); ``amplitude_a`` and the thresholds are in that
unit (deviation from the agreed names, which say A: a voltage dial's values are V). A voltage
dial reaches the fibers through the resistance of tissue and interface that the field
solution computed, as the effects stage does.

:class:`estim.stimulator.jobs.Jobs` prepares models in the background (one worker thread), one
job per program.

>>> import estim
>>> program = estim.load_program(estim.bundled_examples()["tens_conventional"])
>>> model = prepare(program)  # doctest: +SKIP
>>> model.at(0.025).level  # doctest: +SKIP
<Level.STRONG: 'strong'>
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from estim.effects.iontophoresis import DoseReport
from estim.effects.program import (
    DeviceReach,
    dc_channels,
    device_reach,
    dose_dict,
    held_to,
    program_doses,
    pulse_train,
)
from estim.effects.resolution import thresholds_near
from estim.effects.sensation import CountCriterion, Recruitment, classify_sensation
from estim.effects.session import PulseTrain, simulate_session
from estim.effects.window import SensationWindow
from estim.errors import InputError
from estim.program.common import MAX_SESSION_S
from estim.program.model import Program
from estim.program.options import Control, Sensation
from estim.program.stimulation import FORCE_TYPES, Iontophoresis
from estim.progress import Partway
from estim.setup import Setup, build_setup
from estim.simulate import Result, SimulateOptions, field_impedances, simulate
from estim.stimulator.options import Level
from estim.stimulator.safety_dial import (
    Ahead,
    SafetyTable,
    dial_channel,
    program_at,
    refused_channel,
    safety_table,
)
from estim.text import current_text, duration_text, readable
from estim.waveforms.stimulus import Stimulus

if TYPE_CHECKING:
    from estim.effects.dbs import DBSActivation

__all__ = ["DialModel", "DialState", "prepare"]

_LEVEL = {Sensation.NONE: Level.NONE, Sensation.LIGHT_TINGLING: Level.SENSORY,
          Sensation.STRONG_TINGLING: Level.STRONG, Sensation.CONTRACTION: Level.MOTOR,
          Sensation.PAINFUL: Level.PAIN}

#: Amplitudes of the force table over the dial (plus the programmed amplitude).
FORCE_GRID = 64


@dataclass(frozen=True)
class DialState:
    """What the device shows at one dial setting.

    :param amplitude_a: the dial (A, or V for a voltage-controlled device).
    :param recruitment: fiber class -> recruited fraction 0..1 (``abeta``, ``adelta``, ``c``,
        ``motor``, and ``periosteal`` where a bone lies under the pads); empty where no
        sensation window applies.
    :param sensation: what the person would feel, in words.
    :param reasons: the criterion that decided it.
    :param level: the sensation window's level.
    :param force_fraction: NMES/Russian: peak force of the first contraction as a fraction of
        the muscle's maximal force (Ding model); None for other modalities.
    :param safety_verdict: ``pass``, ``warn``, ``fail`` (``estim.safety.check`` at this
        amplitude) or ``refused`` (the program model refuses the amplitude).
    :param tripped_rules: one line per rule that does not pass: verdict, rule, what, source.
    :param near: the thresholds (name, value in the dial's unit, fraction) that the setting
        lies within :func:`~estim.effects.resolution.edge_fraction` of: on which side of them a
        person falls is too close to call.
    :param people: how many of the window's virtual subjects feel each sensation at this
        setting (phrase -> count, mildest first), each by its own thresholds; empty where
        there is no band.
    :param undecided: of them, how many are given a sensation only where the window's
        sample of afferents ends, not a count reached (``ThresholdBands.undecided_at``:
        criterion -> subjects).
    """

    amplitude_a: float
    recruitment: Mapping[str, float]
    sensation: str
    level: Level
    force_fraction: float | None
    safety_verdict: str
    tripped_rules: tuple[str, ...]
    reasons: tuple[str, ...] = ()
    near: tuple[tuple[str, float, float], ...] = ()
    people: Mapping[str, int] = field(default_factory=dict)
    undecided: Mapping[CountCriterion, int] = field(default_factory=dict)
    #: the muscle of the channel whose pads the sensation is read under (the people's
    #: twitch: a TENS channel on the hamstrings read "the quadriceps" of the NMES channel
    #: beside it; probe of 5 December 2026)
    muscle: str | None = None
    #: the channel whose muscle ``force_fraction`` is (the window channel's)
    force_channel: str | None = None
    #: iontophoresis: the dose at this setting, as ``results.json``'s ``effects.dose``
    #: (the dose-controlled treatment's time, the densities, the drug); None otherwise.
    #: Beside a pulsed channel, the d.c. channel's at its share of the setting.
    dose: Mapping[str, object] | None = None
    #: beside a pulsed channel (whose sensation ``reasons`` give), the d.c. channel's dose
    #: in words; iontophoresis alone says it in ``reasons``
    dose_words: tuple[str, ...] = ()
    #: the setting whose current the device drives into the tissue (dial unit), where its
    #: compliance or current limit keeps it below the dial's; None where it is the dial's
    #: (the page measured the edge from the dial's 1 mA where the fibers got 0.49 mA: "78 %
    #: above pain", and drew the waveform and the field at 1 mA; probe of 6 December 2026)
    driven: float | None = None
    #: the verdict of the rules judged at this setting (``safety_verdict`` also judges the
    #: device maximum, which the dial does not move); None where it is the same
    setting_verdict: str | None = None
    #: what lies up the dial: the next rule to trip and where, or a passing dial's margin
    #: at its top (:class:`estim.stimulator.safety_dial.Ahead`); None at a failing or
    #: refused setting
    ahead: Ahead | None = None

    def to_dict(self) -> dict[str, object]:
        return {"amplitude": self.amplitude_a, "recruitment": dict(self.recruitment),
                "sensation": self.sensation, "reasons": list(self.reasons),
                "level": self.level.value, "force_fraction": self.force_fraction,
                "safety_verdict": self.safety_verdict,
                "tripped_rules": list(self.tripped_rules),
                "near": [{"threshold": name, "amplitude": amp, "fraction": edge}
                         for name, amp, edge in self.near],
                "people": dict(self.people), "undecided": dict(self.undecided),
                "muscle": self.muscle, "force_channel": self.force_channel,
                "dose": None if self.dose is None else dict(self.dose),
                "dose_words": list(self.dose_words), "driven": self.driven,
                "setting_verdict": self.setting_verdict or self.safety_verdict,
                "ahead": None if self.ahead is None else self.ahead.to_dict()}


@dataclass(frozen=True, eq=False)
class DialChannel:
    """One more channel of a program with several on, as the dial reads it: the dial sets
    the first channel and scales the others with it, each capped at the device maximum
    (:func:`estim.stimulator.safety_dial.program_at`).

    :param window: its own window (its fibers under its own pads).
    :param per_unit: A at its fibers per dial unit, below the caps.
    :param top_a: the most current it gets (A): its share of the device maximum, or what
        the device drives into it.
    """

    window: SensationWindow
    per_unit: float
    top_a: float

    def current_at(self, setting: float) -> float:
        """Its current (A) at a dial setting."""
        return min(setting * self.per_unit, self.top_a)

    def threshold_setting(self, current_a: float) -> float:
        """The dial setting at which it reaches ``current_a`` (inf: never)."""
        return current_a / self.per_unit if current_a <= self.top_a * (1 + 1e-12) \
            else math.inf


@dataclass(frozen=True, eq=False)
class DialModel:
    """One program's dial: computed once (seconds), then :meth:`at` is a lookup (< 1 ms).

    :param program: the program as prepared.
    :param setup: its set-up (site and placed electrodes).
    :param result: :func:`estim.simulate`'s result (with the body stages).
    :param thresholds: ``sensory``, ``strong``, ``motor``, ``pain`` in the dial's unit, and
        where the virtual subjects gave bands, ``<name>_p10`` and ``<name>_p90``; empty where
        no sensation window applies (inf: not reached).
    :param max_amplitude_a: the top of the dial: the device maximum (A or V).
    :param unit: ``"A"`` or ``"V"``.
    """

    program: Program
    setup: Setup
    result: Result
    thresholds: Mapping[str, float]
    max_amplitude_a: float
    unit: str
    #: A of current at the fibers per dial unit (1 for current control; None without a window)
    current_per_unit: float | None = field(default=None, repr=False)
    safety: SafetyTable | None = field(default=None, repr=False)
    #: the force table: dial amplitudes and first-contraction peak force / maximal force
    force_amplitudes: NDArray[np.float64] | None = field(default=None, repr=False)
    force_fractions: NDArray[np.float64] | None = field(default=None, repr=False)
    #: a program's other channels that are on, each read along the dial (the window is
    #: the strongest at the programmed setting; another may be the strongest at another)
    others: tuple[DialChannel, ...] = field(default=(), repr=False)
    #: the most current (A) the window's channel gets from the dial: its share of the
    #: device maximum where the dial sets another channel (what the device drives into
    #: it is :meth:`_binding`'s)
    window_top_a: float = field(default=math.inf, repr=False)

    @property
    def window(self) -> SensationWindow | None:
        effects = self.result.effects
        return effects.window if effects is not None else None

    @property
    def driven_top_a(self) -> float:
        """The highest setting (A or V) whose current the device drives into the tissue: its
        compliance (or current limit) over the load; inf where it has no bound there."""
        return self._binding()[0]

    def _binding(self) -> tuple[float, DeviceReach | None]:
        """The setting at which the window's channel reaches what its device drives, and
        its reach. True interferential's second carrier is held as the effects stage held
        it at the programmed setting: its own hold along the dial would need another
        window at each setting (the dial held both carriers where one was, and read 0 %
        where the run read 35 %; review of 5 December 2026)."""
        effects = self.result.effects
        if effects is None or effects.reach is None or not self.current_per_unit:
            return math.inf, None
        if effects.reach.reach_a >= self.window_top_a:  # the device maximum binds first
            return math.inf, None
        return effects.reach.reach_a / self.current_per_unit, effects.reach

    @property
    def safety_ceiling_a(self) -> float:
        """The lowest dial setting at which the safety check fails (inf: none)."""
        return self.safety.ceiling() if self.safety is not None else math.inf

    def setting_text(self, value: float) -> str:
        """A dial setting in words: a current in mA (µA, A), a voltage in V."""
        from estim.text import current_text

        return current_text(value) if self.unit == "A" else f"{value:.4g} V"

    def _check(self, amplitude_a: float) -> float:
        ok = isinstance(amplitude_a, int | float) and not isinstance(amplitude_a, bool)
        if not (ok and math.isfinite(amplitude_a)
                and 0.0 <= amplitude_a <= self.max_amplitude_a * (1 + 1e-12)):
            raise InputError("amplitude", amplitude_a,
                             f"a setting from 0 to the device maximum "
                             f"({self.setting_text(self.max_amplitude_a)})")
        return float(amplitude_a)

    def at(self, amplitude_a: float) -> DialState:
        """The state at a dial setting (A or V).

        :raises InputError: a setting outside 0 .. the device maximum.
        """
        a = self._check(amplitude_a)
        assert self.safety is not None
        return replace(self._at(a), ahead=self.safety.ahead(a))

    def _at(self, a: float) -> DialState:
        """:meth:`at` without what lies up the dial."""
        assert self.safety is not None
        safe = self.safety.at(a)
        window = self.window
        # the fibers get what the device drives: past its compliance (or current limit)
        # through this tissue, the setting's own current never arrives (probe of
        # 5 December 2026)
        drive, capped = self._driven(a)
        capped = (*capped, *self._second_held())
        force = None
        if self.force_amplitudes is not None and self.force_fractions is not None:
            # the table holds each pulse as the device drives it (_force_table)
            force = float(np.interp(a, self.force_amplitudes, self.force_fractions))
        if window is None or self.current_per_unit is None:
            effects = self.result.effects
            notes = effects.notes if effects is not None else ()
            why: tuple[str, ...] = (notes[0] if notes else
                                    "no sensation model for this modality",)
            dose = None
            if effects is not None and effects.dbs is not None:
                # at this setting: the programmed setting's volume stood at every one
                # (94.5 mm³ at 0 mA and at 10 mA; probe of 5 December 2026)
                why = (_dbs_words(effects.dbs, a),)
            elif effects is not None and effects.dose is not None:
                # the dial of an iontophoresis unit said only "no sensation window": its
                # dose, time and densities at this setting are what the user turns it for
                why, dose = _dose_at(self.program, a)
            return DialState(a, {}, "not modelled", Level.UNKNOWN, force, safe.verdict,
                             safe.rules, why, dose=dose, setting_verdict=safe.at_setting)
        # beside iontophoresis the d.c. channel's dose at this setting, as for iontophoresis
        # alone; its words follow the sensation's reasons
        dc_words: tuple[str, ...] = ()
        dc_dose = None
        effects = self.result.effects
        if effects is not None and effects.dose is not None:
            dc_words, dc_dose = _dose_at(self.program, a)
        current = min(drive * self.current_per_unit, self.window_top_a)  # [dial unit -> A]
        fractions = {name: float(c.fraction_at(current)[0])
                     for name, c in window.classes.items()}
        recruited = Recruitment(**{k: min(1.0, fractions.get(k, 0.0))
                                   for k in ("abeta", "adelta", "c", "motor", "periosteal")})
        if force is not None and recruited.motor <= 0:
            # no motor axon fires at this setting's peak: no force, whatever the line between
            # two of the table's settings says (1 % of maximal beside "no contraction", no
            # axon recruited; probe of 5 December 2026)
            force = 0.0
        max_force = self.result.effects.max_force_N if self.result.effects else None
        felt = classify_sensation(
            recruited, criteria=window.criteria,
            force_N=None if force is None or max_force is None else force * max_force,
            max_force_N=None if force is None else max_force)
        people = {} if window.bands is None else {
            what.value: n for what, n in window.bands.sensations_at(current).items()}
        undecided = {} if window.bands is None else window.bands.undecided_at(current)
        reasons = (*capped, *felt.reasons)
        if self.others:
            # each channel under its own pads, the strongest said (the dial read the
            # programmed setting's strongest channel alone: "no sensation" at 12.5 mA
            # where another channel's 12.5 mA was a strong tingling; review of 5 December
            # 2026)
            strongest = max(((felt.sensation.rank, people.get(Sensation.PAINFUL.value, 0),
                              1, window.channel, fractions, felt, people, undecided,
                              window.muscle),
                             *(self._other_at(o, a) for o in self.others)),
                            key=lambda v: v[:3])
            _, _, own, name, fractions, felt, people, undecided, muscle = strongest
            reasons = ((*capped, *felt.reasons) if own else felt.reasons)
            reasons = (f"read under channel {name}'s pads, the strongest of "
                       f"{len(self.others) + 1} channels here", *reasons)
            # the force is the window channel's muscle's, said as such beside another
            # channel's sensation (it was dropped there, where estim run gives it; probe
            # of 5 December 2026)
            return DialState(a, fractions, felt.words, _LEVEL[felt.sensation], force,
                             safe.verdict, safe.rules, reasons,
                             tuple(thresholds_near(drive, self.thresholds)), people,
                             undecided, muscle=muscle,
                             force_channel=window.channel if force is not None else None,
                             driven=drive if drive < a and own else None, dose=dc_dose,
                             dose_words=dc_words, setting_verdict=safe.at_setting)
        return DialState(a, fractions, felt.words, _LEVEL[felt.sensation], force,
                         safe.verdict, safe.rules, reasons,
                         tuple(thresholds_near(drive, self.thresholds)), people, undecided,
                         muscle=window.muscle, driven=drive if drive < a else None,
                         dose=dc_dose, dose_words=dc_words, setting_verdict=safe.at_setting)

    def _other_at(self, other: DialChannel, setting: float) -> tuple[Any, ...]:
        """Another channel's sensation at a dial setting, in :meth:`at`'s terms (its force
        is not modelled: a contraction by its motor axons' count)."""
        current = other.current_at(setting)
        w = other.window
        fractions = {name: float(c.fraction_at(current)[0]) for name, c in w.classes.items()}
        recruited = Recruitment(**{k: min(1.0, fractions.get(k, 0.0))
                                   for k in ("abeta", "adelta", "c", "motor", "periosteal")})
        felt = classify_sensation(recruited, criteria=w.criteria)
        people = {} if w.bands is None else {
            what.value: n for what, n in w.bands.sensations_at(current).items()}
        undecided = {} if w.bands is None else w.bands.undecided_at(current)
        return (felt.sensation.rank, people.get(Sensation.PAINFUL.value, 0), 0, w.channel,
                fractions, felt, people, undecided, w.muscle)

    def _second_held(self) -> tuple[str, ...]:
        """True interferential's second carrier held at the programmed setting, said: the
        dial's window holds it there at every setting (:meth:`_binding`)."""
        effects = self.result.effects
        if effects is None or not self.program.true_interferential:
            return ()
        from estim.text import current_text

        held = [r for r in effects.reaches[1:2] if r.limited]
        return tuple(f"channel {r.channel}'s device drives at most "
                     f"{current_text(r.reach_a)} into its pads: the dial reads the window "
                     "of the programmed setting, with that carrier held as there (estim run "
                     "holds each setting on its own)" for r in held)

    def _driven(self, setting: float) -> tuple[float, tuple[str, ...]]:
        """The setting whose current the device drives into the tissue at ``setting`` (dial
        unit), and why it is lower where it is."""
        top, reach = self._binding()
        if reach is None or setting <= top * (1 + 1e-9):
            return setting, ()
        from estim.text import current_text, ohm_text

        bound = {"compliance": f"its {reach.bound_value:g} V compliance",
                 "maximum voltage": f"its {reach.bound_value:g} V maximum"}.get(
            reach.bound, f"its {current_text(reach.bound_value)} current limit")
        return top, (
            f"the device drives at most {current_text(reach.reach_a)} through the "
            f"{ohm_text(reach.load_ohm)} of tissue and skin interface ({bound}): what a person "
            "feels is taken there",)

    def waveform(self, amplitude_a: float, *, span_s: float | None = None,
                 held: bool = False, start_s: float | None = None
                 ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """The dial's channel's output (:func:`dial_channel`: the first that is on) at a
        dial setting: times (s) and values (A or V), from the first pulse at full strength
        (:meth:`waveform_start`): from the session's start a ramped program showed its
        ramp's first pulses, 0.6-2.4 mA at a 60 mA setting (probe of 6 December 2026).

        :param span_s: how much to show (default: four pulse periods, one burst period for
            burst TENS, at most one second; two periods of a slower output, up to 10 s).
        :param start_s: from when (s into the session; None: the first pulse at full
            strength).
        :param held: each pulse as the device drives it where that is the window's channel
            (:func:`estim.effects.program.held_to`: only the pulses above its reach are cut,
            as the run and the force table hold them; scaling the whole train drew a
            ramp's weak pulses 3 x too small, review of 6 December 2026).
        """
        stim = self._dial_stimulus(amplitude_a, held=held)
        if span_s is None:
            span_s = _default_span(stim)
        if not (isinstance(span_s, int | float) and math.isfinite(span_s) and span_s > 0):
            raise InputError("span_s", span_s, "a positive time (s)")
        start = _full_strength(stim) if start_s is None else start_s
        if not (isinstance(start, int | float) and math.isfinite(start) and start >= 0):
            raise InputError("start_s", start, "a time (s) from 0 into the session")
        return stim.sample_grid(float(start), float(start) + float(span_s),
                                max_points=20_000)

    def _dial_stimulus(self, amplitude_a: float, *, held: bool) -> Stimulus:
        """The dial channel's output at a dial setting, each pulse as the device drives it
        where ``held`` and it is the window's channel (:meth:`waveform`)."""
        a = self._check(amplitude_a)
        channel = dial_channel(self.program)
        k = self.program.channels.index(channel)
        stim = _scaled(self.result.stimuli[k], self.program, a, k)
        top, reach = self._binding()
        window = self.window
        if held and reach is not None and window is not None and window.channel == channel.name:
            stim = held_to(stim, top)
        return stim

    def beat_waveform(self, amplitude_a: float) -> tuple[
            NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]] | None:
        """True interferential's two channels added, as where their fields meet equally in
        the tissue: times (s), the dial's channel alone and both added (A, or V) over one
        period of the slowest beat, from the first pulse at full strength, each channel as
        its device drives it (at most its compliance over its own load); None for any other
        program, or where a channel is off (no beat). Each channel's own output is an
        unmodulated carrier; only the sum beats (the page drew 1 ms of channel A's carrier,
        and an educator could not see the interference: browser probe of 6 December 2026).
        """
        program = self.program
        if not program.true_interferential or any(
                c.stimulation.amplitude.value <= 0 for c in program.channels):
            return None
        a = self._check(amplitude_a)
        stims = [_scaled(s, program, a, k) for k, s in enumerate(self.result.stimuli)]
        effects = self.result.effects
        fields = effects.program_fields if effects is not None else None
        if fields is not None and program.device.control is Control.CURRENT:
            # what each carrier's compliance drives through its own load (the sum was drawn
            # at 140 mA where a 5 V unit drives 13 mA a channel; review of 6 December 2026)
            reaches = [device_reach(program, fields.channel(c.name), a, channel=k)
                       for k, c in enumerate(program.channels)]
            stims = [s if r is None else held_to(s, r.reach_a)
                     for s, r in zip(stims, reaches, strict=True)]
        beats = [float(getattr(c.stimulation, "beat_frequency", 0.0)) for c in program.channels]
        slowest = min((b for b in beats if b > 0), default=100.0)
        start = max(_full_strength(s) for s in stims)
        span = min(1.0 / slowest, 1.0)
        k = program.channels.index(dial_channel(program))
        t, own = stims[k].sample_grid(start, start + span, max_points=20_000)
        return t, own, own + stims[1 - k].sample(t)

    def pattern(self, amplitude_a: float) -> tuple[NDArray[np.float64],
                                                    NDArray[np.float64]] | None:
        """Each pulse of the dial channel's repeating pattern at a dial setting: onsets (s,
        from the cycle's start) and peaks (A, or V; as the device drives them), over one
        cycle, where the pulses' peaks or gaps vary within a cycle of 0.2-10 s (a swell, a
        rate that falls and rises, bursts); None otherwise. The waveform's few pulses
        cannot show it: knead's 2 s swell and rub's 0.5 s dip looked like conventional TENS
        (educator's probe of 7 December 2026)."""
        stim = self._dial_stimulus(amplitude_a, held=True)
        onsets = np.asarray(stim.onsets_s, dtype=float)
        peaks = np.asarray(stim.event_peak, dtype=float)
        if not (PATTERN_CYCLE_S[0] <= stim.cycle_s <= PATTERN_CYCLE_S[1]) or onsets.size < 3:
            return None
        gaps = np.diff(onsets)
        size = np.abs(peaks)
        varies = (float(np.min(size)) < 0.95 * float(np.max(size))
                  or float(np.ptp(gaps)) > 0.1 * float(np.median(gaps)))
        return (onsets, peaks) if varies else None

    def pattern_cycle_s(self) -> float:
        """The dial channel's cycle (s): the period over which :meth:`pattern` repeats."""
        k = self.program.channels.index(dial_channel(self.program))
        return float(self.result.stimuli[k].cycle_s)

    def waveform_start(self, amplitude_a: float) -> float:
        """Where :meth:`waveform` starts (s into the session): the first pulse at the
        program's full strength, past any ramp (0 for a program without one)."""
        a = self._check(amplitude_a)
        k = self.program.channels.index(dial_channel(self.program))
        return _full_strength(_scaled(self.result.stimuli[k], self.program, a, k))


#: The cycles (s) whose pattern the page draws pulse by pulse (:meth:`DialModel.pattern`):
#: longer than a few pulses, shorter than an NMES on/off cycle's minute.
PATTERN_CYCLE_S = (0.2, 10.0)


def _scaled(stim: Stimulus, program: Program, amplitude: float, channel: int = 0
            ) -> Stimulus:
    """Channel ``channel``'s output (``stim``) at the dial's ``amplitude`` (its waveform is
    linear in the amplitude; the dial sets its channel and scales the others)."""
    programmed = dial_channel(program).stimulation.amplitude.value
    own = program.channels[channel].stimulation.amplitude.value
    if programmed > 0 and own > 0:
        # each channel capped at the device maximum, as program_at sets it (a second
        # channel at 1.6 times the first read 160 mA on a 100 mA device; review)
        target = min(amplitude * own / programmed, program.device.max_amplitude)
        return stim.with_scale(target / own)
    if programmed > 0:
        return stim.with_scale(amplitude / programmed)
    from estim.stimulator.safety_dial import program_at
    from estim.waveforms.build import stimulus_for

    return stimulus_for(program_at(program, amplitude).channels[channel])


def _full_strength(stim: Stimulus) -> float:
    """The onset (s) of the first pulse at the largest scale of ``stim``'s cycle."""
    if stim.scale.size == 0:
        return 0.0
    peak = np.abs(stim.scale)
    first = int(np.argmax(peak >= peak.max() * (1 - 1e-9)))
    return float(stim.onsets_s[first])


def _default_span(stim: Stimulus) -> float:
    t = stim.timing
    if t.beat_hz:
        # two beats: 1 ms of a premodulated 4 kHz carrier hid its 100 Hz beat (educator
        # probe of 6 December 2026)
        span = 2.0 / t.beat_hz
    elif t.burst_frequency_hz:
        span = 1.0 / t.burst_frequency_hz
    elif t.frequency_hz:
        # four pulses within a second, and two whole periods of a slow output up to 10 s:
        # 1 s of microcurrent's 0.5 Hz square wave showed its first half alone, neither its
        # shape nor its reversal (phone probe of 7 December 2026)
        span = max(min(4.0 / t.frequency_hz, 1.0), min(2.0 / t.frequency_hz, 10.0))
        return float(min(span, stim.duration_s))
    else:
        span = stim.cycle_s
    return float(min(span, stim.duration_s, 1.0))


# --- preparing a model ---------------------------------------------------------------------------

#: Share of the preparation done when simulate reports each stage (for the progress bar),
#: by the words its message starts with. From cold preparations on 2 cores (7 December
#: 2026, fresh cache): NMES 36 s (meshing 22 %, solving 4 %, Aβ/Aδ/C 19 %, motor 47 %),
#: true interferential 300 s (meshing 7 %, solving 8 %, Aβ/Aδ/C 23 %, motor 49 %,
#: periosteal 4 %, conduction 2 %, the rest 7 %). By its start: "fields: meshing and
#: solving" put the bar at solving's share as meshing began (review of 7 December 2026).
_STAGES = (("safety", 0.01), ("fields", 0.02), ("meshing", 0.03), ("solving", 0.18),
           ("thresholds: ", 0.25), ("conduction", 0.90), ("virtual subjects", 0.92),
           ("muscle", 0.94))
#: Within the threshold searches ("thresholds: 60 Aδ fibers (MRG model)"), by the class the
#: message names (test_stimulator_progress checks that each class moves the bar on).
_CLASSES = ((" Aβ fibers", 0.25), (" Aδ fibers", 0.29), (" C fibers", 0.33),
            (" motor fibers", 0.42), (" periosteal", 0.88))
#: The threshold searches' span of the bar (to the periosteal search's end), shared out
#: between channels with a window each.
_SEARCHES = (0.25, 0.90)


def _stage_share(message: str) -> float:
    """Where a stage's message (no channel's name in front) starts on the bar."""
    if message.startswith("thresholds: "):
        return max((value for key, value in _CLASSES if key in message), default=0.25)
    return max((value for key, value in _STAGES if message.startswith(key)), default=0.0)


def _fraction(message: str, last: float, channels: tuple[str, ...] = ()) -> float:
    """How far a stage's message puts the preparation, never back from ``last``; a
    :class:`Partway` message goes that share of the way to the next stage's start. With
    ``channels`` (the program's, in order), a search under a channel's name takes that
    channel's part of the searches' span (channel 2's stood where channel 1's ended).

    >>> _fraction("thresholds: 240 motor fibers (MRG model)", 0.3)
    0.42
    >>> round(_fraction(Partway("thresholds: 240 motor fibers (MRG model)", 0.5), 0.42), 3)
    0.65
    >>> _fraction("fields: meshing and solving (cached after the first run)", 0.01)
    0.02
    >>> round(_fraction("channel B: thresholds: 60 Aβ fibers (MRG model)", 0.5, ("A", "B")), 3)
    0.575
    >>> round(_fraction(Partway("channel A: thresholds: 60 periosteal Aδ fibers (MRG model)",
    ...                         0.5), 0.5, ("A", "B")), 3)
    0.57
    """
    channel, n = 0, 1
    for k, name in enumerate(channels):
        if len(channels) > 1 and message.startswith(f"channel {name}: "):
            channel, n = k, len(channels)
            bare = message.removeprefix(f"channel {name}: ")
            message = message.renamed(bare) if isinstance(message, Partway) else bare
            break
    share = _stage_share(message)
    if isinstance(message, Partway):
        after = min((value for _, value in (*_STAGES, *_CLASSES) if value > share),
                    default=share)
        share += message.done * (after - share)
    low, high = _SEARCHES
    if n > 1 and low <= share <= high:
        share = low + (channel + (share - low) / (high - low)) * (high - low) / n
    return max(last, share)


def prepare(program: Program, *, progress: Callable[[float, str], None] | None = None
            ) -> DialModel:
    """Compute a program's dial: one :func:`estim.simulate` with the body stages (cached
    fields and fiber thresholds make a repeat quick), then the safety and force tables.

    :param progress: called with (fraction done 0..1, what is running).
    :raises InputError: a program the set-up or a stage refuses.
    """
    done = [0.0]

    def report(fraction: float, message: str) -> None:
        done[0] = max(done[0], fraction)
        if progress is not None:
            progress(done[0], message)

    report(0.0, "set-up: site and electrodes")
    setup = build_setup(program)
    names = tuple(ch.name for ch in program.channels)
    result = simulate(setup, options=SimulateOptions(
        progress=lambda m: report(_fraction(m, done[0], names), m)))
    program = result.program
    effects = result.effects
    window = effects.window if effects is not None else None
    per_unit = _current_per_unit(result)
    report(0.95, "safety: the verdict along the dial")
    impedances = field_impedances(result.program, result.effects)
    table = safety_table(program, impedances_ohm=impedances)
    thresholds: dict[str, float] = {}
    others = _dial_others(result)
    if window is not None and per_unit is not None:
        top = _window_top(result, per_unit)  # past it the dial cannot take its channel
        thresholds = _lowest({k: v if v * per_unit <= top * (1 + 1e-12) else math.inf
                              for k, v in _thresholds(window, per_unit).items()}, others)
    amps = fracs = None
    # the window channel's muscle (NMES second behind a TENS channel had no force along
    # the dial where the run gave 58 %; probe of 5 December 2026)
    if window is not None and per_unit is not None and _channel(program, window.channel) \
            .stimulation.type in FORCE_TYPES and effects is not None and effects.max_force_N:
        report(0.97, "muscle: the first contraction's force along the dial")
        amps, fracs = _force_table(result, window, per_unit, effects.max_force_N)
    report(1.0, "ready")
    return DialModel(program=program, setup=setup, result=result, thresholds=thresholds,
                     max_amplitude_a=program.device.max_amplitude,
                     unit="A" if program.device.control is Control.CURRENT else "V",
                     current_per_unit=per_unit, safety=table, force_amplitudes=amps,
                     force_fractions=fracs, others=others,
                     window_top_a=_window_top(result, per_unit))


def _current_per_unit(result: Result) -> float | None:
    """A at the window's fibers per dial unit: 1 for current control, 1 / resistance for
    voltage, times the window channel's share of the dial. The dial sets the first
    channel and scales the others with it (:func:`estim.stimulator.safety_dial.program_at`),
    and the window may be another channel's (the strongest of several,
    :func:`estim.effects.program.effects_for_program`)."""
    effects = result.effects
    window = effects.window if effects is not None else None
    share = _share(result.program, window.channel) if window is not None else 1.0
    if result.program.device.control is Control.CURRENT:
        return share
    fields_ = effects.program_fields if effects is not None else None
    if fields_ is None or window is None:
        return None
    return share / float(fields_.channel(window.channel).resistance)



def _dbs_words(act: DBSActivation, setting: float) -> str:
    """What a DBS setting activates, in words (the stimulator's reason for no sensation), its
    currents in mA as the dial shows them ("0.6 mA" on the dial, "600 µA" here; probe of
    5 December 2026)."""
    from estim.effects.dbs import volume_text
    from estim.text import current_text

    current, volume = act.at_dial(setting)
    if current <= 0:
        return ("DBS at this setting: no current, no tissue activated. estim predicts the "
                "tissue a DBS setting activates, not what it feels like.")
    if act.control == "current":
        unlimited, limit = setting, "the compliance voltage"
    else:  # a voltage over the lead's impedance, up to the device's current limit
        unlimited = setting / act.load_ohm if act.load_ohm else current
        limit = "the device's current limit"
    held = current < unlimited * (1 - 1e-9)
    return (f"DBS at this setting: {volume_text(volume)} of tissue activated "
            f"({act.fiber_diameter_m * 1e6:g} µm axons, outside the encapsulation) by "
            f"{current_text(current, smallest='mA')}"
            + (f"; {limit} holds the current below what the setting asks "
               f"({current_text(unlimited, smallest='mA')})" if held else "")
            + ". estim predicts the tissue a DBS setting activates, not what it feels like.")


def _dose_at(program: Program, setting: float
             ) -> tuple[tuple[str, ...], dict[str, object] | None]:
    """An iontophoresis program's dose at a dial setting (A), in words and as
    :func:`estim.effects.program.dose_dict` (the first d.c. channel's): the dose is the
    program's, so the time is what moves with the current (ramps included). Beside a pulsed
    channel, which the dial sets, or with several d.c. channels, each is said at its own
    current, by name (such a dial gave no dose, and then the first d.c. channel's alone;
    review and probe of 6 December 2026)."""
    dial = dial_channel(program).name
    dcs = dc_channels(program)
    beside = not isinstance(dial_channel(program).stimulation, Iontophoresis)
    named = beside or len(dcs) > 1
    if setting <= 0:
        return ((f"the d.c. of channel {' and '.join(c.name for c in dcs)} is off at zero: "
                 "no drug delivered",) if named
                else ("the dial is at zero: no current, no drug delivered",)), None
    try:
        moved = program_at(program, setting)
        doses = program_doses(moved, setting="d.c. channel's" if named else "dial's")
    except InputError as err:  # the program model refuses the setting: said of the dial
        return (f"no dose at this setting: {_dose_refused(program, setting, err)}",), None
    words: list[str] = []
    for name, dose in doses:
        own = _channel(moved, name).stimulation.amplitude.value
        how = ("the dial's" if name == dial else "held at the device maximum"
               if own < _share(program, name) * setting * (1 - 1e-9) else "moving with the dial")
        words.extend(_dose_words(dose, own, f"channel {name}, {how}" if named else None))
    closing = ("The sensation under a d.c. electrode is mostly electrochemical and is not "
               "modelled")
    if named:
        pulsed = "; the sensation here is the pulsed channels'" if beside else ""
        words.append(f"{closing}{pulsed}.")
    else:
        words[0] += f" {closing}."
    return tuple(words), dose_dict(doses[0][1])


def _dose_words(dose: DoseReport, current: float, which: str | None) -> list[str]:
    """One d.c. channel's dose at its ``current`` (A) in words, then its findings; ``which``
    says whose (None: the dial's only channel)."""
    d = dose_dict(dose)
    limit = d["current_density_limit_mA_per_cm2"]
    back = d["return_current_density_mA_per_cm2"]
    density = f"{dose.current_density_mA_per_cm2:.3g} mA/cm² under the drug pad"
    if back is not None:
        density += f" and {back:.3g} under the return pad"
    at = (f"At {current_text(current, smallest='mA')} of d.c. ({which})" if which is not None
          else f"At {current_text(current, smallest='mA')}")
    words = (f"{at} the {dose.dose_mA_min:.3g} mA·min "
             f"take {duration_text(dose.duration_s)}, ramps included; {density} (the "
             f"guideline: at most {limit:.3g} mA/cm² under each)")
    if dose.drug is not None and dose.mass_delivered_mg is not None:
        # the mass is the drug ion's (Faraday's law), fixed by the dose, not by the dial
        words += (f"; about {readable(format(dose.mass_delivered_mg, '.1g'))} mg of "
                  f"{dose.drug.ion.split(' (')[0]} delivered, an order of magnitude")
    return [f"{words}.", *(f"{f[0].upper()}{f[1:]}." for f in dose.findings)]


def _dose_refused(program: Program, setting: float, err: InputError) -> str:
    """Why the program model refuses a dial setting's dose, said of the dial: it read
    "dose: got '40 mA*min', expected a dose that 10 µA delivers within 24 h", which points
    at the dose where the user turned the dial (review of 6 December 2026). Beside a pulsed
    channel, of the d.c. channel that moves with the dial, at the dial's settings (it read
    the model's message of the d.c. current, 5.01 mA beside a dial at 31.3 mA; probe)."""
    dc = refused_channel(program, err)
    if dc is None:  # the model names the dose alone: the d.c. channel whose dose fails here
        dcs = dc_channels(program) or [dial_channel(program)]
        dc = next((c for c in dcs if _dose_fails(c.stimulation,
                                                 setting * _share(program, c.name))), dcs[0])
    s = dc.stimulation
    beside = dc.name != dial_channel(program).name
    whose = f"channel {dc.name!r}, which moves with the dial: " if beside else ""
    on_dial = " on the dial" if beside else ""
    if not isinstance(s, Iontophoresis) or not (err.field or "").endswith("dose"):
        return f"{whose}{err}"
    share = _share(program, dc.name)  # [A of the d.c. channel per unit of the dial]
    ramps = 0.5 * (s.ramp_up + s.ramp_down)  # the ramps deliver half their current
    dose = f"the {s.dose / 0.06:.3g} mA·min"  # [C -> mA·min]
    if s.dose / (setting * share) > MAX_SESSION_S - ramps:
        lowest = s.dose / (MAX_SESSION_S - ramps) / share
        return (f"{whose}below {current_text(lowest * (1 + 5e-3))}{on_dial} {dose} take "
                "more than a day, the longest treatment the program model takes")
    if ramps > 0 and setting * share * ramps > s.dose:
        highest = s.dose / ramps / share
        return (f"{whose}above {current_text(highest * (1 - 5e-3))}{on_dial} the ramps "
                f"alone deliver more than {dose}")
    return f"{whose}{err}"


def _dose_fails(s: Any, current: float) -> bool:
    """Whether an iontophoresis dose is refused at ``current`` (A): its ramps alone hold
    more, or it takes more than a day (``Iontophoresis._check_dose``'s conditions)."""
    if not isinstance(s, Iontophoresis) or current <= 0:
        return False
    try:
        s.model_copy(update={"amplitude": s.amplitude.model_copy(
            update={"value": current})})._check_dose()
    except InputError:
        return True
    return False


def _channel(program: Program, name: str) -> Any:
    """The program's channel named ``name``."""
    return next(c for c in program.channels if c.name == name)


def _share(program: Program, name: str) -> float:
    """Channel ``name``'s setting per unit of the dial, below the device maximum: the dial
    sets the first channel and scales the others with it, or with the first off sets each
    alike (:func:`estim.stimulator.safety_dial.program_at`)."""
    first = dial_channel(program).stimulation.amplitude.value
    return _channel(program, name).stimulation.amplitude.value / first if first > 0 else 1.0


def _dial_others(result: Result) -> tuple[DialChannel, ...]:
    """The program's other channels that are on, each with its own window, as the dial
    reads them (:class:`DialChannel`)."""
    effects = result.effects
    if effects is None or effects.program_fields is None:
        return ()
    program = result.program
    first = dial_channel(program).stimulation.amplitude.value
    top = program.device.max_amplitude
    out = []
    for other in effects.others:
        if other.sensation_window is None:
            continue
        share = _share(program, other.channel)
        unit_a = 1.0 if program.device.control is Control.CURRENT else \
            1.0 / float(effects.program_fields.channel(other.channel).resistance)
        cap = min(top, share * top) * unit_a if first > 0 else top * unit_a
        if other.reach is not None:
            cap = min(cap, other.reach.reach_a)
        out.append(DialChannel(other.sensation_window, share * unit_a, cap))
    return tuple(out)


def _window_top(result: Result, per_unit: float | None) -> float:
    """The most current (A) the window's channel gets from the dial: the device maximum,
    times its share where it is not the channel the dial sets and is programmed higher."""
    effects = result.effects
    window = effects.window if effects is not None else None
    program = result.program
    if window is None or per_unit is None or dial_channel(program).name == window.channel:
        return math.inf  # the dial's own channel: the dial stops at the device maximum
    share = _share(program, window.channel)
    return program.device.max_amplitude * per_unit / max(share, 1.0)


def _lowest(thresholds: dict[str, float], others: tuple[DialChannel, ...]
            ) -> dict[str, float]:
    """The dial's thresholds where a program has several channels on: each the lowest
    setting at which one channel reaches it (that channel's band with it)."""
    out = dict(thresholds)
    for other in others:
        own = {k: other.threshold_setting(v) for k, v in
               _thresholds(other.window, 1.0).items()}  # [A -> dial unit]
        for name in ("sensory", "strong", "motor", "pain"):
            if own[name] < out[name]:
                for key in (name, f"{name}_p10", f"{name}_p90"):
                    if key in own:
                        out[key] = own[key]
    return out


def _thresholds(window: SensationWindow, per_unit: float) -> dict[str, float]:
    out = {"sensory": window.sensory_a, "strong": window.strong_a, "motor": window.motor_a,
           "pain": window.pain_a}
    bands = window.bands
    if bands is not None:
        for name, band in (("sensory", bands.sensory), ("strong", bands.strong),
                           ("motor", bands.motor), ("pain", bands.pain)):
            out[f"{name}_p10"] = band.low_a
            out[f"{name}_p90"] = band.high_a
    return {k: v / per_unit for k, v in out.items()}  # [A -> dial unit]


def _force_table(result: Result, window: SensationWindow, per_unit: float, max_force_n: float
                 ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """First-contraction peak force / maximal force at :data:`FORCE_GRID` dial settings and
    the programmed one: each the effects stage's own force model (Ding, with fatigue) on one
    on/off cycle whose pulses recruit the motor class's fraction at their own peak."""
    program = result.program
    top = program.device.max_amplitude
    programmed = dial_channel(program).stimulation.amplitude.value
    motor = window.classes["motor"]
    reach = result.effects.reach if result.effects is not None else None
    # the window's channel (the strongest of several, not always the first) and its load
    k_window = next(k for k, c in enumerate(program.channels) if c.name == window.channel)
    pf = result.effects.program_fields if result.effects is not None else None
    resistance = float(pf.channel(window.channel).resistance) if pf is not None else math.inf
    # the first motor axon's threshold on the grid, and a setting just below it: the force
    # rises from 0 there, not along the line from the grid's setting below
    fire = [t / per_unit for t in motor.thresholds_a if np.isfinite(t) and 0 < t / per_unit < top]
    starts = [min(fire) * (1 - 1e-9), min(fire)] if fire else []
    grid = np.unique(np.append(np.linspace(0.0, top, FORCE_GRID + 1), [programmed, *starts]))
    out = np.zeros_like(grid)
    for k, a in enumerate(grid):
        if a <= 0:
            continue
        stim = _scaled(result.stimuli[k_window], program, float(a), k_window)
        if stim.unit == "V":  # the window channel's tissue and interface
            stim = stim.with_scale(1.0 / resistance)
        if reach is not None:  # each pulse as the device drives it, as the effects stage
            stim = held_to(stim, reach.reach_a)  # does (its force at the programmed setting)
        full = pulse_train(stim, lambda x: motor.fraction_at(x))
        first = full.times_s < stim.cycle_s
        if not np.any(first):
            continue
        train = PulseTrain(times_s=full.times_s[first],
                           recruited_fraction=full.recruited_fraction[first],
                           cycle_starts_s=np.zeros(1), period_s=stim.cycle_s,
                           duration_s=stim.cycle_s)
        peak = simulate_session(train, output_stride=5).contraction_peak_force_N
        out[k] = float(peak[0]) / max_force_n if peak.size else 0.0
    return grid, out
