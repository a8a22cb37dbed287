"""Stimulations: each modality estim covers, with its parameters and their checks."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import Field, StrictInt, StrictStr, field_validator, model_validator

from estim.errors import InputError
from estim.program.common import (
    MAX_SESSION_S,
    SHORTEST_PULSE_S,
    Amplitude,
    FrozenModel,
    fmt_amplitude,
    max_events,
    non_negative,
    parse_amplitude,
    positive,
    pulse_durations,
    session_as_written,
    si_text,
)
from estim.program.drugs import get_drug
from estim.program.options import Control, IFCMode, PulseShape, Recharge, TENSMode
from estim.program.quantities import Charge, Dimensionless, Frequency, Time
from estim.text import current_text, duration_text, readable

__all__ = ["DBS", "HVPC", "MAX_CARRIER_CYCLES", "MAX_CARRIER_HZ", "MAX_SWEEP_PHASE_S", "NMES",
           "STIMULATION_TYPES", "SWEEP_STEP_S", "TENS", "Interferential", "Iontophoresis",
           "Microcurrent", "Russian", "Stimulation"]


class _Pulsed(FrozenModel):
    amplitude: Annotated[Amplitude, Field(description="peak of the leading phase")]
    frequency: Frequency
    pulse_width: Time
    pulse: PulseShape = PulseShape.SYMMETRIC_BIPHASIC
    interphase_gap: Time = 0.0
    asymmetry_ratio: Dimensionless = 0.25
    duration: Time = 1800.0

    _check_amp = field_validator("amplitude", mode="before")(parse_amplitude)

    @model_validator(mode="after")
    def _check_pulse(self) -> Any:
        positive(self, "frequency", "duration")
        pulse_durations(self, "pulse_width")
        non_negative(self, "interphase_gap")
        if self.amplitude.value < 0:
            raise InputError("amplitude", self.amplitude.value,
                             "a non-negative amplitude (polarity is set by the electrodes)")
        if not 0.01 <= self.asymmetry_ratio <= 1:  # 5e-324 made the second phase infinite
            raise InputError("asymmetry_ratio", self.asymmetry_ratio,
                             "the ratio of the second phase amplitude to the first, from 0.01 "
                             "to 1")
        if "asymmetry_ratio" in self.model_fields_set \
                and self.pulse is not PulseShape.ASYMMETRIC_BIPHASIC:
            # ignored otherwise: a ratio written for a pulse left symmetric by mistake
            raise InputError("asymmetry_ratio", self.asymmetry_ratio,
                             "no asymmetry_ratio unless pulse = 'asymmetric_biphasic' (the "
                             f"pulse is '{self.pulse.value}', which has no second-phase ratio)")
        if self.interphase_gap > 0 and self.pulse is PulseShape.MONOPHASIC:
            # a single phase has no gap between phases: it was dropped without a word, and
            # the output table's pulse duration left it out (probe of 6 December 2026)
            raise InputError("interphase_gap", si_text("interphase_gap", self.interphase_gap),
                             "no interphase_gap unless the pulse is biphasic (the pulse is "
                             "'monophasic', a single phase)")
        return self

    @property
    def pulse_duration_s(self) -> float:
        """Whole pulse, all phases and the gap (s)."""
        w = self.pulse_width
        if self.pulse is PulseShape.MONOPHASIC:
            return w
        if self.pulse is PulseShape.SYMMETRIC_BIPHASIC:
            return 2 * w + self.interphase_gap
        return w + self.interphase_gap + w / self.asymmetry_ratio

    def _check_fits(self, max_frequency: float, field: str = "pulse_width") -> None:
        """The whole pulse is shorter than its period; the field blamed is the one that makes
        it overflow: the interphase gap where the pulse fits without it, the asymmetry ratio
        (which sets the second phase's length) where it would fit with equal phases, else
        ``field``."""
        period = 1.0 / max_frequency
        total = self.pulse_duration_s
        if total < period:
            return
        within = f"shorter than its period ({_us(period)} at {max_frequency:g} Hz)"
        without_gap = total - self.interphase_gap
        if self.interphase_gap > 0 and without_gap < period:
            raise InputError(
                "interphase_gap", si_text("interphase_gap", self.interphase_gap),
                f"less than {_us(period - without_gap)}: the pulse with it lasts {_us(total)}, "
                f"and it must be {within}")
        head = self.pulse_width + self.interphase_gap  # the leading phase and the gap
        if self.pulse is PulseShape.ASYMMETRIC_BIPHASIC and head + self.pulse_width < period:
            # the pulse would fit with equal phases: the long charge-balancing tail (its
            # length pulse_width / asymmetry_ratio) is what overflows
            raise InputError(
                "asymmetry_ratio", self.asymmetry_ratio,
                f"more than {self.pulse_width / (period - head):.3g}: the second phase lasts "
                f"pulse_width / asymmetry_ratio ({_us(self.pulse_width / self.asymmetry_ratio)})"
                f", and the pulse must be {within}")
        raise InputError(field, si_text(field, self.pulse_width),
                         f"a pulse (all phases: {_us(total)}) {within}")


def _us(seconds: float) -> str:
    """A duration for a message, to four digits in us, ms or s (not the 300 digits that
    1e308 us made); ms from 1,000 us ("7.692 ms", not "7692 us": DBS probe)."""
    for scale, unit in ((1e6, "us"), (1e3, "ms")):
        if seconds * scale < 1e3:
            return f"{seconds * scale:.4g} {unit}"
    return f"{seconds:.4g} s"


def _hertz_below(hz: float) -> str:
    """A rate to four figures rounded down, written out ("12,500", not "1.25e+04"; 5,555.6
    as "5,555", not the "5,556" that does not fit).

    >>> _hertz_below(12500.0), _hertz_below(5555.56), _hertz_below(1e5), _hertz_below(64.1026)
    ('12,500', '5,555', '100,000', '64.1')
    """
    digits = 4 - 1 - math.floor(math.log10(hz))
    floored = math.floor(hz * 10**digits * (1 + 1e-12)) / 10**digits
    return f"{floored:,.{max(digits, 0)}f}".rstrip("0").rstrip(".") if digits > 0 \
        else f"{floored:,.0f}"


#: Highest carrier of a medium-frequency (Russian, interferential) output (Hz).
MAX_CARRIER_HZ = 20e3
#: Longest phase of an interferential sweep (s).
MAX_SWEEP_PHASE_S = 60.0
#: Most carrier cycles in one interferential sweep cycle (bounds the work of check).
MAX_CARRIER_CYCLES = 150_000
#: An interferential sweep is stepped; each step lasts about this (s).
SWEEP_STEP_S = 0.1


def _up3(x: float) -> float:
    """``x`` rounded up to 3 significant figures: a least value said that is itself enough
    ("at least 33.3 Hz" was refused again at 33.3 Hz; review of 6 December 2026)."""
    step = 10.0 ** (math.floor(math.log10(abs(x))) - 2)
    return math.ceil(x / step * (1 - 1e-12)) * step


class TENS(_Pulsed):
    """Transcutaneous electrical nerve stimulation.

    ``conventional``: continuous pulses at ``frequency`` (typically 80-120 Hz).
    ``acupuncture``: low rate (1-10 Hz), wide pulses, high intensity.
    ``burst``: bursts of ``pulses_per_burst`` at ``frequency`` repeated at ``burst_frequency``.
    ``modulated``: amplitude, rate and/or width modulated over ``modulation_period`` by the given
    depths (fractions; the value drops to ``(1 - depth)`` of the set value and back).
    """

    type: Literal["tens"]
    mode: TENSMode = TENSMode.CONVENTIONAL
    burst_frequency: Frequency | None = None
    pulses_per_burst: StrictInt | None = None
    amplitude_modulation: Dimensionless = 0.0
    rate_modulation: Dimensionless = 0.0
    width_modulation: Dimensionless = 0.0
    modulation_period: Time = 1.0

    @model_validator(mode="after")
    def _check_mode(self) -> TENS:
        self._check_fits(self.frequency)
        for name in ("amplitude_modulation", "rate_modulation", "width_modulation"):
            if not 0 <= getattr(self, name) < 1:
                raise InputError(name, getattr(self, name),
                                 "a modulation depth from 0 up to, not including, 1: 0.3 or "
                                 "'30 %' (100 % would stop the output)")
        positive(self, "modulation_period")
        if self.mode is TENSMode.MODULATED:
            max_events("modulation_period", self.modulation_period * self.frequency)
        narrowest = self.pulse_width * (1.0 - self.width_modulation)
        if narrowest < SHORTEST_PULSE_S * (1 - 1e-9):
            # 20 us at 0.99 asked for 0.2 us pulses, rounded to none, and the waveform
            # builder's traceback ended the run (probe of 8 December 2026)
            raise InputError("width_modulation", self.width_modulation,
                             f"a depth that keeps the narrowest pulse at least "
                             f"{SHORTEST_PULSE_S * 1e6:g} us: {_us(self.pulse_width)} at this "
                             f"depth is {narrowest * 1e6:.3g} us; at most "
                             f"{1.0 - SHORTEST_PULSE_S / self.pulse_width:.3g} with this "
                             "pulse_width")
        if self.mode is TENSMode.MODULATED and self.modulation_period < 10.0 / self.frequency:
            raise InputError("modulation_period", si_text("period", self.modulation_period),
                             "at least 10 pulse periods, so the modulation is a modulation "
                             f"({duration_text(_up3(10.0 / self.frequency))} at "
                             f"{readable(format(self.frequency, 'g'))} Hz; or a rate of at "
                             f"least {readable(format(_up3(10.0 / self.modulation_period), 'g'))}"
                             " Hz)")
        if self.mode is TENSMode.BURST:
            if self.burst_frequency is None or self.pulses_per_burst is None:
                raise InputError("burst_frequency" if self.burst_frequency is None
                                 else "pulses_per_burst", None,
                                 "a value: burst TENS needs both burst_frequency and "
                                 "pulses_per_burst")
            if self.pulses_per_burst < 1:
                raise InputError("pulses_per_burst", self.pulses_per_burst, "at least 1")
            positive(self, "burst_frequency")
            burst_s = (self.pulses_per_burst - 1) / self.frequency + self.pulse_duration_s
            if burst_s >= 1.0 / self.burst_frequency:
                raise InputError(
                    "pulses_per_burst", self.pulses_per_burst,
                    # in a unit a person reads: 1e20 pulses per burst printed "a burst
                    # (1250000000000000000000.0 ms)" (device engineer's probe)
                    f"a burst ({duration_text(burst_s, 4)}) that fits in the burst period "
                    f"({duration_text(1.0 / self.burst_frequency, 4)})")
        elif self.burst_frequency is not None or self.pulses_per_burst is not None:
            raise InputError("mode", self.mode.value,
                             "mode = 'burst' when burst_frequency or pulses_per_burst is set")
        if self.mode is not TENSMode.MODULATED and (
            self.amplitude_modulation or self.rate_modulation or self.width_modulation
        ):
            raise InputError("mode", self.mode.value,
                             "mode = 'modulated' when a modulation depth is set")
        if self.mode is TENSMode.MODULATED and not (
            self.amplitude_modulation or self.rate_modulation or self.width_modulation
        ):
            raise InputError("amplitude_modulation", 0.0,
                             "modulated TENS needs at least one modulation depth above 0")
        # the cycle, and the field that sets it
        what, cause = "pulse period", ("frequency", self.frequency)
        if self.mode is TENSMode.BURST and self.burst_frequency is not None:
            what, cause = "burst period", ("burst_frequency", self.burst_frequency)
        elif self.mode is TENSMode.MODULATED:
            what, cause = "modulation period", ("modulation_period", self.modulation_period)
        session_as_written(self.cycle_s, self.duration, what=what, cause=cause)
        return self

    @property
    def cycle_s(self) -> float:
        """The period the output repeats with (s)."""
        if self.mode is TENSMode.MODULATED:
            return self.modulation_period
        if self.mode is TENSMode.BURST:
            assert self.burst_frequency is not None
            return 1.0 / self.burst_frequency
        return 1.0 / self.frequency


class NMES(_Pulsed):
    """Neuromuscular electrical stimulation (also EMS): pulse trains with on/off times and ramps.

    Ramps lie inside the on time: the amplitude rises over ``ramp_up``, holds, and falls over
    ``ramp_down`` before the off time starts.
    """

    type: Literal["nmes", "ems"]
    on_time: Time
    off_time: Time
    ramp_up: Time = 0.0
    ramp_down: Time = 0.0

    @model_validator(mode="after")
    def _check_cycle(self) -> NMES:
        self._check_fits(self.frequency)
        positive(self, "on_time")
        non_negative(self, "off_time", "ramp_up", "ramp_down")
        if self.ramp_up + self.ramp_down > self.on_time:
            raise InputError("ramp_up", self.ramp_up,
                             f"ramp_up + ramp_down within on_time ({self.on_time:g} s)")
        max_events("on_time", self.on_time * self.frequency)
        if self.on_time <= self.pulse_duration_s + 1.0 / self.frequency:
            raise InputError("on_time", si_text("on_time", self.on_time),
                             "an on time of more than one pulse period and a pulse "
                             f"({1e3 / self.frequency:.3g} + "  # [s -> ms]
                             f"{self.pulse_duration_s * 1e3:.3g} = "
                             f"{(self.pulse_duration_s + 1 / self.frequency) * 1e3:.3g} ms)")
        session_as_written(self.cycle_s, self.duration, what="on/off cycle",
                           cause=max(("on_time", self.on_time), ("off_time", self.off_time),
                                     key=lambda c: c[1]))
        return self

    @property
    def cycle_s(self) -> float:
        """One on/off cycle (s)."""
        return self.on_time + self.off_time


#: The lowest carrier estim takes: below 1 kHz a "carrier" is a low-frequency current of
#: its own (interferential carriers of 1 and 10 Hz were accepted, while the error above
#: the top said "1-10 kHz"; hostile probe of 6 December 2026).
MIN_CARRIER_HZ = 1e3


def _medium_frequency(carrier_hz: float, words: str) -> None:
    """Refuse a carrier outside :data:`MIN_CARRIER_HZ` to :data:`MAX_CARRIER_HZ`."""
    if not MIN_CARRIER_HZ <= carrier_hz <= MAX_CARRIER_HZ:
        raise InputError("carrier_frequency", si_text("frequency", carrier_hz),
                         f"from {MIN_CARRIER_HZ / 1e3:g} to {MAX_CARRIER_HZ / 1e3:g} kHz "
                         f"({words})")


class Russian(FrozenModel):
    """Russian current: a 2.5 kHz sinusoidal carrier in 50 Hz bursts (the 10/50/10 scheme:
    10 s on, 50 s off, 10 minutes)."""

    type: Literal["russian"]
    amplitude: Amplitude
    carrier_frequency: Frequency = 2500.0
    burst_frequency: Frequency = 50.0
    burst_duty: Dimensionless = 0.5
    on_time: Time = 10.0
    off_time: Time = 50.0
    ramp_up: Time = 0.0
    ramp_down: Time = 0.0
    duration: Time = 600.0

    _check_amp = field_validator("amplitude", mode="before")(parse_amplitude)

    @model_validator(mode="after")
    def _check(self) -> Russian:
        positive(self, "carrier_frequency", "burst_frequency", "on_time", "duration")
        _medium_frequency(self.carrier_frequency, "medium-frequency carriers are usually 1-10 kHz")
        non_negative(self, "off_time", "ramp_up", "ramp_down")
        if not 0 < self.burst_duty <= 1:
            raise InputError("burst_duty", self.burst_duty,
                             "a fraction above 0 and at most 1: 0.5 or '50 %'")
        if self.burst_frequency >= self.carrier_frequency:
            raise InputError("burst_frequency", self.burst_frequency,
                             f"below the carrier frequency ({self.carrier_frequency:g} Hz)")
        if self.burst_duty / self.burst_frequency * self.carrier_frequency < 1:
            raise InputError("burst_duty", self.burst_duty,
                             "a burst long enough for at least one carrier cycle")
        if self.ramp_up + self.ramp_down > self.on_time:
            raise InputError("ramp_up", self.ramp_up,
                             f"ramp_up + ramp_down within on_time ({self.on_time:g} s)")
        max_events("on_time", self.on_time * self.burst_frequency)
        if self.on_time < 1.0 / self.burst_frequency:
            raise InputError("on_time", si_text("on_time", self.on_time),
                             f"at least one burst period ({1e3 / self.burst_frequency:.3g} ms)")
        session_as_written(self.cycle_s, self.duration, what="on/off cycle",
                           cause=max(("on_time", self.on_time), ("off_time", self.off_time),
                                     key=lambda c: c[1]))
        return self

    @property
    def cycle_s(self) -> float:
        """One on/off cycle (s)."""
        return self.on_time + self.off_time


class Interferential(FrozenModel):
    """Interferential current.

    ``premodulated`` (2-pole): one channel carries the amplitude-modulated sum of the two
    carriers. ``true`` (4-pole): two channels, one (``role = "base"``) at ``carrier_frequency``
    and one (``role = "beat"``) at ``carrier_frequency + beat``; they interfere in the tissue.
    The beat sweeps between ``beat_frequency`` and ``beat_frequency_max`` with the pattern
    ``sweep`` = "rise:fall" or "rise:hold:fall" in seconds (e.g. "1:1", "6:6", "1:5:1").
    """

    type: Literal["interferential"]
    mode: IFCMode = IFCMode.TRUE
    role: Literal["base", "beat"] | None = None
    amplitude: Amplitude
    carrier_frequency: Frequency = 4000.0
    beat_frequency: Frequency = 100.0
    beat_frequency_max: Frequency | None = None
    sweep: StrictStr | None = None
    duration: Time = 1200.0

    _check_amp = field_validator("amplitude", mode="before")(parse_amplitude)

    @model_validator(mode="after")
    def _check(self) -> Interferential:
        positive(self, "carrier_frequency", "beat_frequency", "duration")
        # the carrier first: a 1 Hz one blamed the beat (hostile probe of 6 December 2026)
        _medium_frequency(self.carrier_frequency, "interferential carriers are usually 1-10 kHz")
        if self.beat_frequency >= self.carrier_frequency / 2:
            raise InputError("beat_frequency", self.beat_frequency,
                             "a beat well below the carrier frequency")
        if self.mode is IFCMode.TRUE and self.role is None:
            raise InputError("role", None, "'base' or 'beat' for true (4-pole) interferential")
        if self.mode is IFCMode.PREMODULATED and self.role is not None:
            raise InputError("role", self.role, "no role for premodulated (2-pole) interferential")
        if (self.beat_frequency_max is None) != (self.sweep is None):
            raise InputError("sweep", self.sweep,
                             "both beat_frequency_max and sweep, or neither")
        if self.beat_frequency_max is not None:
            if not self.beat_frequency < self.beat_frequency_max < self.carrier_frequency / 2:
                raise InputError("beat_frequency_max", self.beat_frequency_max,
                                 f"above beat_frequency ({self.beat_frequency:g} Hz) and well "
                                 "below the carrier")
            self.sweep_phases_s  # noqa: B018 - parse now to report errors at load time
        if self.role == "base":  # a pure carrier: one carrier cycle is built
            session_as_written(self.cycle_s, self.duration, what="carrier cycle",
                               cause=("carrier_frequency", self.carrier_frequency))
            return self
        carrier_cycles = sum(c + b for b, c in self.sweep_steps())
        if carrier_cycles > MAX_CARRIER_CYCLES:
            # a program without a sweep has no sweep to shorten (hostile probe of 6 December
            # 2026)
            per, fix = (("sweep", "a shorter sweep, a higher beat or a lower carrier")
                        if self.sweep else ("beat period", "a higher beat or a lower carrier"))
            raise InputError("sweep" if self.sweep else "beat_frequency",
                             self.sweep or si_text("frequency", self.beat_frequency),
                             f"at most {MAX_CARRIER_CYCLES:,} carrier cycles per {per} "
                             f"(this one has {carrier_cycles:.3g}): {fix}")
        if self.sweep is not None:
            written = sum(self.sweep_phases_s)
            if abs(self.cycle_s - written) > 0.1 * written:
                raise InputError("sweep", self.sweep,
                                 f"a sweep whose steps can hold whole beats: at "
                                 f"{self.beat_frequency:g} Hz this one would last "
                                 f"{self.cycle_s:.3g} s instead of {written:g} s (longer "
                                 "phases or a higher beat_frequency)")
        session_as_written(self.cycle_s, self.duration,
                           what="sweep" if self.sweep else "beat period",
                           cause=None if self.sweep else ("beat_frequency", self.beat_frequency))
        return self

    def sweep_steps(self) -> list[tuple[int, int]]:
        """(whole beats, whole base-carrier cycles) of each step of one sweep cycle.

        The sweep is stepped, as digital interferential units do: each step lasts about
        :data:`SWEEP_STEP_S` and holds whole beats and whole carrier cycles, so the beat is
        quantised to ``beats · fc / cycles`` (see :mod:`estim.waveforms.build`). Without a
        sweep there is one step of one beat.
        """
        fc = self.carrier_frequency
        if self.beat_frequency_max is None:
            return [(1, max(1, round(fc / self.beat_frequency)))]
        rise, hold, fall = self.sweep_phases_s
        lo, hi = self.beat_frequency, self.beat_frequency_max
        steps: list[tuple[int, int]] = []
        for length, f0, f1 in ((rise, lo, hi), (hold, hi, hi), (fall, hi, lo)):
            n = max(1, round(length / SWEEP_STEP_S)) if length > 0 else 0
            for i in range(n):
                beat = f0 + (f1 - f0) * (i + 0.5) / n
                beats = max(1, round(length / n * beat))
                steps.append((beats, max(1, round(beats * fc / beat))))
        # Whole beats make each step a little longer or shorter than its share (8 beats at
        # 80.4 Hz: 99.5 ms of 100 ms), and 120 of them made a 6:6 sweep 11.992 s, so a
        # 20 min session was built as 20.19 min and 10 min refused. The steps take up the
        # difference a carrier cycle each, spread evenly (a step's beat moves by 1/400 of
        # itself), so the cycle lasts the written sweep to within one carrier cycle.
        short = round((rise + hold + fall) * fc) - sum(c for _, c in steps)
        k = len(steps)
        for j in range(k):
            extra = (short * (j + 1)) // k - (short * j) // k
            beats, cycles = steps[j]
            steps[j] = (beats, max(1, cycles + extra))
        return steps

    @property
    def cycle_s(self) -> float:
        """One sweep cycle as built (s): whole carrier cycles in every step."""
        if self.role == "base":
            return 1.0 / self.carrier_frequency
        return sum(c for _, c in self.sweep_steps()) / self.carrier_frequency

    @property
    def sweep_phases_s(self) -> tuple[float, float, float]:
        """(rise, hold at the top, fall) durations of the beat sweep (s)."""
        if self.sweep is None:
            return (0.0, 0.0, 0.0)
        parts = self.sweep.split(":")
        # ASCII decimals only: float() took "６:６" in fullwidth digits and Arabic-Indic
        # ones alike (probe of 6 December 2026); a quantity reads the fullwidth forms as
        # what they show ("３ mA", estim.units.parse_quantity), a sweep's plain seconds do
        # not (the comment said a quantity refused them; engineer's probe, 7 December)
        values = [float(p) for p in parts] if all(
            re.fullmatch(r"\s*(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*", p, re.ASCII)
            for p in parts) else []
        if len(values) not in (2, 3) or any(not math.isfinite(v) or v < 0 for v in values) \
                or values[0] + values[-1] <= 0:
            raise InputError("sweep", self.sweep,
                             "'rise:fall' or 'rise:hold:fall' in seconds, e.g. '6:6' or '1:5:1'")
        if max(values) > MAX_SWEEP_PHASE_S:
            raise InputError("sweep", self.sweep,
                             f"phases of at most {MAX_SWEEP_PHASE_S:g} s each (sweeps are "
                             "'1:1' to '6:6' on interferential units)")
        if len(values) == 2:
            return (values[0], 0.0, values[1])
        return (values[0], values[1], values[2])


class HVPC(FrozenModel):
    """High-voltage pulsed current: monophasic twin-peak pulses, each peak a fast rise and an
    exponential decay, separated by ``interpeak_interval``."""

    type: Literal["hvpc"]
    amplitude: Amplitude
    frequency: Frequency = 100.0
    peak_time_constant: Time = 5e-6
    peak_duration: Time = 20e-6
    interpeak_interval: Time = 75e-6
    duration: Time = 1800.0

    _check_amp = field_validator("amplitude", mode="before")(parse_amplitude)

    @model_validator(mode="after")
    def _check(self) -> HVPC:
        positive(self, "frequency", "interpeak_interval", "duration")
        pulse_durations(self, "peak_time_constant", "peak_duration")
        if self.peak_time_constant > self.peak_duration:  # 1e308 us passed and failed safety
            if "peak_time_constant" not in self.model_fields_set:
                # the duration the program set is what is short (a 2 us peak blamed the
                # default 5 us time constant; hostile probe of 6 December 2026)
                raise InputError("peak_duration", si_text("peak_duration", self.peak_duration),
                                 f"at least the peak time constant "
                                 f"({_us(self.peak_time_constant)}): a twin-peak pulse's "
                                 "peaks decay within it")
            raise InputError("peak_time_constant", si_text("peak_time_constant",
                                                           self.peak_time_constant),
                             f"at most the peak duration ({_us(self.peak_duration)}): a "
                             "twin-peak pulse's peaks decay within it")
        if self.interpeak_interval < self.peak_duration:
            if self._peak_overran():
                raise InputError("peak_duration", si_text("peak_duration", self.peak_duration),
                                 f"at most the interpeak interval "
                                 f"({_us(self.interpeak_interval)}): the second peak starts "
                                 "then")
            raise InputError("interpeak_interval",
                             si_text("interpeak_interval", self.interpeak_interval),
                             f"at least the peak duration ({_us(self.peak_duration)})")
        pulse_s = self.interpeak_interval + self.peak_duration
        if pulse_s >= 1.0 / self.frequency:
            if self._off("interpeak_interval") > self._off("frequency"):
                # a 1e308 us interval was blamed on the 100 Hz frequency
                raise InputError("interpeak_interval",
                                 si_text("interpeak_interval", self.interpeak_interval),
                                 f"less than {_us(1.0 / self.frequency - self.peak_duration)}"
                                 f": the twin-peak pulse must be shorter than its period "
                                 f"({_us(1.0 / self.frequency)} at {self.frequency:g} Hz)")
            raise InputError("frequency", self.frequency,
                             f"below {1.0 / pulse_s:.4g} Hz: a period longer than the "
                             f"twin-peak pulse ({_us(pulse_s)})")
        session_as_written(1.0 / self.frequency, self.duration, what="pulse period",
                           cause=("frequency", self.frequency))
        return self

    def _peak_overran(self) -> bool:
        """Whether the peak duration, not the interpeak interval, is to blame for peaks that
        overlap: the one the program set, or of two set the one further (as a ratio) from
        its usual value (a 1e308 us peak is the mistake, not the 75 us interval)."""
        peak_set = "peak_duration" in self.model_fields_set
        if "interpeak_interval" not in self.model_fields_set:
            return peak_set
        return peak_set and self._off("peak_duration") > self._off("interpeak_interval")

    def _off(self, name: str) -> float:
        """How far a field the program set lies from its usual (default) value, as the size
        of the log of their ratio; 0 for a field left at its default."""
        if name not in self.model_fields_set:
            return 0.0
        usual = type(self).model_fields[name].default
        return abs(math.log(getattr(self, name) / usual))


class Microcurrent(FrozenModel):
    """Microcurrent (MENS): µA-level square current, optionally reversing polarity.

    Each period carries one pulse of ``duty`` x period. With ``polarity_reversal`` set, the
    polarity flips every that many seconds (devices do this to avoid a net d.c. dose).
    """

    type: Literal["microcurrent"]
    amplitude: Amplitude
    frequency: Frequency = 0.5
    duty: Dimensionless = 0.5
    polarity_reversal: Time | None = None
    duration: Time = 1200.0

    _check_amp = field_validator("amplitude", mode="before")(parse_amplitude)

    @model_validator(mode="after")
    def _check(self) -> Microcurrent:
        positive(self, "frequency", "duration")
        if not 0 < self.duty < 1:
            raise InputError("duty", self.duty, "a fraction in (0, 1)")
        if self.polarity_reversal is not None:
            positive(self, "polarity_reversal")
            max_events("polarity_reversal", 2 * self.polarity_reversal * self.frequency)
            if self.polarity_reversal * self.frequency < 1 - 1e-9 or not math.isclose(
                self.polarity_reversal * self.frequency,
                round(self.polarity_reversal * self.frequency), rel_tol=1e-6,
            ):
                raise InputError("polarity_reversal", self.polarity_reversal,
                                 f"a whole number of periods ({1 / self.frequency:g} s each)")
        cycle = 1.0 / self.frequency
        if self.polarity_reversal is not None:
            cycle *= 2 * round(self.polarity_reversal * self.frequency)
        session_as_written(cycle, self.duration,
                           what="pulse period" if self.polarity_reversal is None
                           else "polarity cycle",
                           cause=("frequency", self.frequency) if self.polarity_reversal is None
                           else ("polarity_reversal", self.polarity_reversal))
        return self


def _hours(seconds: float) -> str:
    """Hours as a person reads them: 24.3, 667, 666,667 (not 6.67e+05)."""
    h = seconds / 3600
    return f"{h:.3g}" if h < 1e3 else f"{h:,.0f}"


#: The largest iontophoresis plateau current the program and the dose model take (A).
IONTOPHORESIS_MAX_A = 0.01


#: What an iontophoresis channel's current must be.
_DC_AT_LEAST = ("a current of at least 1 nA (a d.c. channel at 0 delivers no drug: leave the "
                "channel out, or set it)")


class Iontophoresis(FrozenModel):
    """Direct current to drive an ionised drug through the skin, to a dose in mA·min."""

    type: Literal["iontophoresis"]
    amplitude: Amplitude
    dose: Charge
    ramp_up: Time = 30.0
    ramp_down: Time = 30.0
    drug: StrictStr | None = None
    drug_electrode: Literal["anode", "cathode"] | None = None

    @field_validator("amplitude", mode="before")
    @classmethod
    def _check_amp(cls, value: Any) -> Any:
        """As every channel's, but 0 is no iontophoresis: "expected 0, or at least 1 nA"
        beside "0 mA: expected a positive current" (probe of 6 December 2026)."""
        try:
            return parse_amplitude(value)
        except ValueError as err:
            if str(err).startswith("0, or at least "):
                raise ValueError(_DC_AT_LEAST) from None
            raise

    @model_validator(mode="after")
    def _check(self) -> Iontophoresis:
        if self.drug is not None:
            required = get_drug(self.drug).electrode
            if self.drug_electrode is not None and self.drug_electrode != required.value:
                # like charges repel: on the other electrode the drug is driven away
                raise InputError("drug_electrode", self.drug_electrode,
                                 f"'{required.value}': {self.drug} is delivered from the "
                                 f"{required.value}")  # an unknown name lists the known drugs
        if self.amplitude.control is not Control.CURRENT:
            # "4 V" went on to the dose check as 4 A ("at least the ramps' 2e+03 mA*min"),
            # and a voltage-controlled device's 4 mV was dosed as 4 mA (probe, 5 Dec 2026)
            raise InputError("amplitude", fmt_amplitude(self.amplitude),
                             "a current, e.g. '4 mA': iontophoresis is dosed in charge "
                             "(mA·min), which the current sets, so its device is "
                             "current-controlled")
        positive(self, "dose")
        non_negative(self, "ramp_up", "ramp_down")
        if self.amplitude.value <= 0:
            raise InputError("amplitude", fmt_amplitude(self.amplitude), _DC_AT_LEAST)
        self._check_dose()
        return self

    def _check_dose(self) -> None:
        """Refuse a dose the ramps alone exceed, or one that takes over 24 h at the
        amplitude (a stimulation is never left with a negative plateau, whoever builds it).
        A 100 mA typo on a 5 mA device is refused here before the program compares it with
        the device's maximum, so the message names the amplitude as a way out too (probe)."""
        ramp_charge = 0.5 * self.amplitude.value * (self.ramp_up + self.ramp_down)
        if ramp_charge > self.dose:
            # the dose in mA·min, as typed and as the ramps' (it read "got 1.32", coulombs,
            # beside "25 mA*min"; probe of 5 December 2026)
            raise InputError("dose", f"{self.dose / 0.06:.4g} mA*min",  # [C -> mA·min]
                             f"at least the charge of the ramps at "
                             f"{current_text(self.amplitude.value)} ({ramp_charge / 0.06:.3g} "
                             "mA*min); or a smaller amplitude, or shorter ramps")
        if self.duration > MAX_SESSION_S:
            seconds = MAX_SESSION_S - 0.5 * (self.ramp_up + self.ramp_down)
            most = self.amplitude.value * seconds
            # the amplitude that delivers it in time too: an --amplitude of 0.001 mA was told
            # about the dose alone (hostile probe of 6 December 2026)
            least = self.dose / seconds
            raise InputError("dose", f"{self.dose / 0.06:.4g} mA*min",
                             f"a dose that {current_text(self.amplitude.value)} delivers "
                             f"within 24 h (at most {most / 0.06:.4g} mA*min; this one takes "
                             f"{_hours(self.duration)} h), or an amplitude of at least "
                             f"{current_text(least)} for it")

    @property
    def plateau_s(self) -> float:
        """Time at full current to reach the dose, after the ramps (s)."""
        ramp_charge = 0.5 * self.amplitude.value * (self.ramp_up + self.ramp_down)
        return (self.dose - ramp_charge) / self.amplitude.value

    @property
    def duration(self) -> float:
        return self.ramp_up + self.plateau_s + self.ramp_down


class DBS(FrozenModel):
    """Deep brain stimulation: cathodic-first pulses with passive or active recharge.

    Passive recharge is the output coupling capacitor discharging through the tissue: an
    exponential anodic phase with ``recharge_time_constant`` (by default 1 ms, and at least
    the pulse width: :attr:`recharge_tau_s`) that fills the rest of the period and balances
    the charge. Active recharge is a rectangular anodic phase of
    ``recharge_ratio`` x amplitude, long enough to balance the charge.
    """

    type: Literal["dbs"]
    amplitude: Amplitude
    frequency: Frequency = 130.0
    pulse_width: Time = 60e-6
    recharge: Recharge = Recharge.PASSIVE
    interphase_gap: Time = 0.0
    recharge_ratio: Dimensionless = 1.0
    recharge_time_constant: Time = 1e-3
    duration: Time = 3600.0

    _check_amp = field_validator("amplitude", mode="before")(parse_amplitude)

    @model_validator(mode="after")
    def _check(self) -> DBS:
        positive(self, "frequency", "recharge_time_constant", "duration")
        pulse_durations(self, "pulse_width")
        non_negative(self, "interphase_gap")
        if not 0 < self.recharge_ratio <= 1:
            raise InputError("recharge_ratio", self.recharge_ratio,
                             "a fraction above 0 and at most 1: 0.1 or '10 %'")
        # a value the other recharge would read, accepted and ignored (probe, 5 Dec 2026)
        for name, kind in (("recharge_ratio", Recharge.ACTIVE),
                           ("recharge_time_constant", Recharge.PASSIVE)):
            if name in self.model_fields_set and self.recharge is not kind:
                value = getattr(self, name)
                raise InputError(name, _us(value) if name.endswith("constant") else value,
                                 f"no {name} with recharge = '{self.recharge.value}' (it sets "
                                 f"the {kind.value} recharge: recharge = '{kind.value}')")
        period = 1.0 / self.frequency
        recharge = (self.pulse_width / self.recharge_ratio if self.recharge is Recharge.ACTIVE
                    else self.pulse_width)  # the passive phase needs as long as the pulse
        total = self.pulse_width + self.interphase_gap + recharge
        if total >= period:
            # which of the two to change: the pulse, or the frequency (a 10 kHz rate was
            # refused as the 60 us pulse's fault alone; DBS probe of 6 December 2026)
            recharge_words = ("its passive recharge, as long as the pulse"
                              if self.recharge is Recharge.PASSIVE else "its recharge")
            within = (f"a pulse, its gap and {recharge_words} ({_us(total)} in all) shorter "
                      f"than the period ({_us(period)} at frequency = {self.frequency:,g} "
                      f"Hz; below {_hertz_below(1 / total)} Hz they fit)")
            if self.interphase_gap > 0 and total - self.interphase_gap < period:
                raise InputError("interphase_gap", si_text("time", self.interphase_gap),
                                 f"less than {_us(period - (total - self.interphase_gap))}: "
                                 + within)
            room = period - self.pulse_width - self.interphase_gap
            if self.recharge is Recharge.ACTIVE and self.pulse_width < room:
                # with an equal recharge it would fit: the ratio's long phase overflows
                raise InputError("recharge_ratio", self.recharge_ratio,
                                 f"more than {self.pulse_width / room:.3g}"
                                 f" (the recharge lasts pulse_width / recharge_ratio, "
                                 f"{_us(recharge)}): " + within)
            raise InputError("pulse_width", si_text("time", self.pulse_width), within)
        explicit = "recharge_time_constant" in self.model_fields_set
        if self.recharge is Recharge.PASSIVE and explicit \
                and self.recharge_time_constant < self.pulse_width:
            # the capacitor gives the pulse's charge back at a peak of charge / tau: faster
            # than the pulse, it peaks above the pulse (1 ns read as a 180 A "peak" that the
            # output then clipped into a false charge imbalance; probe of 5 December 2026)
            raise InputError("recharge_time_constant", _us(self.recharge_time_constant),
                             f"at least the pulse width ({_us(self.pulse_width)}): a passive "
                             "recharge of time constant tau peaks at the pulse's charge / tau, "
                             "above the pulse itself when tau is shorter (an output capacitor "
                             "of a few µF into a 1 kΩ lead gives milliseconds)")
        session_as_written(1.0 / self.frequency, self.duration, what="pulse period",
                           cause=("frequency", self.frequency))
        return self

    @property
    def recharge_tau_s(self) -> float:
        """The passive recharge's time constant (s): as written, or by default 1 ms and at
        least the pulse width (a 1.2 ms pulse of the stimulator's form, which has no box for
        it, was refused against the default 1 ms; review of 5 December 2026)."""
        if "recharge_time_constant" in self.model_fields_set:
            return self.recharge_time_constant
        return max(self.recharge_time_constant, self.pulse_width)


Stimulation = Annotated[
    TENS | NMES | Russian | Interferential | HVPC | Microcurrent | Iontophoresis | DBS,
    Field(discriminator="type"),
]

@dataclass(frozen=True, slots=True)
class Modality:
    """What estim knows of one ``stimulation.type`` tag.

    :param words: the modality in words, for people.
    :param short: as a table heading names it.
    :param transcutaneous: delivered through skin pads (the sensation window applies).
    :param force: meant to contract muscle (the force model applies).
    """

    words: str
    short: str
    transcutaneous: bool
    force: bool = False


#: THE modality table: every ``stimulation.type`` tag, once.
MODALITIES: dict[str, Modality] = {
    "tens": Modality("TENS (transcutaneous electrical nerve stimulation)", "TENS", True),
    "nmes": Modality("NMES (neuromuscular electrical stimulation)", "NMES", True, True),
    "ems": Modality("EMS (electrical muscle stimulation)", "EMS", True, True),
    "russian": Modality("Russian current (a 2.5 kHz carrier in bursts, for muscle "
                        "strengthening)", "Russian current", True, True),
    "interferential": Modality("interferential current (medium-frequency carriers)",
                               "interferential", True),
    "hvpc": Modality("high-voltage pulsed current", "high-voltage pulsed current", True),
    "microcurrent": Modality("microcurrent", "microcurrent", True),
    "iontophoresis": Modality("iontophoresis (direct current that drives a drug through the "
                              "skin)", "iontophoresis", False),
    "dbs": Modality("deep brain stimulation", "DBS", False),
}

STIMULATION_TYPES = tuple(MODALITIES)
#: Tags delivered through skin pads (the sensation window applies).
TRANSCUTANEOUS_TYPES = frozenset(k for k, m in MODALITIES.items() if m.transcutaneous)
#: Tags meant to contract muscle (the force model applies).
FORCE_TYPES = frozenset(k for k, m in MODALITIES.items() if m.force)
