"""The program model: what a stimulator delivers, where, validated into frozen values.

A program file (TOML) names the device, the site and one or more channels. Each channel has
an electrode pair and a stimulation (the modality with its parameters). Quantities are parsed
from strings with units into SI floats once, here; every later stage reads SI.

Sign convention: channel current is positive when it flows from the anode electrode through
the tissue to the cathode electrode. The "leading" phase of a pulse is positive, so the
cathode electrode is the one that is cathodic during the leading phase.
"""

from __future__ import annotations

import math
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from estim.errors import InputError
from estim.program.quantities import (
    Area,
    Charge,
    Current,
    Dimensionless,
    Frequency,
    Length,
    Time,
    Voltage,
)
from estim.units import parse_quantity

__all__ = [
    "Amplitude",
    "Channel",
    "Control",
    "DBS",
    "Device",
    "Electrode",
    "ElectrodeShape",
    "IFCMode",
    "Interferential",
    "Iontophoresis",
    "HVPC",
    "Microcurrent",
    "NMES",
    "Program",
    "PulseShape",
    "Recharge",
    "Russian",
    "SiteSpec",
    "Stimulation",
    "TENS",
    "TENSMode",
    "Verdict",
]


class Control(StrEnum):
    """What the output stage regulates."""

    CURRENT = "current"
    VOLTAGE = "voltage"


class Verdict(StrEnum):
    """Outcome of a safety rule, ordered from best to worst."""

    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"


class PulseShape(StrEnum):
    MONOPHASIC = "monophasic"
    SYMMETRIC_BIPHASIC = "symmetric_biphasic"
    ASYMMETRIC_BIPHASIC = "asymmetric_biphasic"


class TENSMode(StrEnum):
    CONVENTIONAL = "conventional"
    ACUPUNCTURE = "acupuncture"
    BURST = "burst"
    MODULATED = "modulated"


class IFCMode(StrEnum):
    PREMODULATED = "premodulated"
    TRUE = "true"


class Recharge(StrEnum):
    PASSIVE = "passive"
    ACTIVE = "active"


class ElectrodeShape(StrEnum):
    RECTANGULAR = "rectangular"
    CIRCULAR = "circular"
    LEAD_CONTACT = "lead_contact"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_enum_values=False)

    def replace(self, **changes: Any) -> Any:
        """A copy with ``changes`` applied (values already in SI; not parsed again)."""
        return self.model_copy(update=changes)


# --- amplitude: a current or a voltage, which one depends on the device ----------------------


class Amplitude(_Model):
    """A programmed amplitude: ``value`` in A (current) or V (voltage)."""

    value: float
    control: Control

    @property
    def unit(self) -> str:
        return "A" if self.control is Control.CURRENT else "V"


def _parse_amplitude(value: Any) -> Any:
    if isinstance(value, Amplitude | dict):
        return value
    try:
        return {"value": parse_quantity(value, "current", field=""), "control": "current"}
    except InputError:
        pass
    try:
        return {"value": parse_quantity(value, "voltage", field=""), "control": "voltage"}
    except InputError:
        raise ValueError("a current or a voltage with units, e.g. '25 mA' or '60 V'") from None


# --- device, electrodes, site -----------------------------------------------------------------


class Device(_Model):
    """The stimulator's output stage.

    :param control: current- or voltage-controlled output.
    :param max_current: largest current the device can be set to (A).
    :param max_voltage: largest voltage the device can be set to (V).
    :param compliance_voltage: the most voltage a current-controlled output can drive (V).
    :param current_limit: the most current a voltage-controlled output can drive (A).
    """

    name: str = "unnamed stimulator"
    control: Control
    max_current: Current | None = None
    max_voltage: Voltage | None = None
    compliance_voltage: Voltage | None = None
    current_limit: Current | None = None
    implanted: bool = False

    @model_validator(mode="after")
    def _complete(self) -> Device:
        if self.control is Control.CURRENT:
            if self.max_current is None:
                raise InputError("max_current", None,
                                 "the largest settable current of a current-controlled device, "
                                 "e.g. '100 mA'")
            if self.compliance_voltage is None:
                raise InputError("compliance_voltage", None,
                                 "the compliance voltage of a current-controlled device, "
                                 "e.g. '80 V'")
        elif self.max_voltage is None:
            raise InputError("max_voltage", None,
                             "the largest settable voltage of a voltage-controlled device, "
                             "e.g. '300 V'")
        for name in ("max_current", "max_voltage", "compliance_voltage", "current_limit"):
            v = getattr(self, name)
            if v is not None and v <= 0:
                raise InputError(name, v, "a positive value")
        return self

    @property
    def max_amplitude(self) -> float:
        """The device maximum in the unit of its control (A or V)."""
        value = self.max_current if self.control is Control.CURRENT else self.max_voltage
        assert value is not None  # guaranteed by validation
        return value


class Electrode(_Model):
    """One electrode of a channel.

    Rectangular electrodes take ``width`` and ``length``; circular ones ``diameter``; a DBS
    lead contact takes ``diameter`` (of the lead) and ``contact_length``. ``area`` may be given
    instead of the dimensions for either surface shape.
    """

    placement: str
    shape: ElectrodeShape = ElectrodeShape.RECTANGULAR
    width: Length | None = None
    length: Length | None = None
    diameter: Length | None = None
    contact_length: Length | None = None
    area: Area | None = None

    @model_validator(mode="after")
    def _sized(self) -> Electrode:
        for name in ("width", "length", "diameter", "contact_length", "area"):
            v = getattr(self, name)
            if v is not None and v <= 0:
                raise InputError(name, v, "a positive size")
        if self.area is not None:
            return self
        need = {
            ElectrodeShape.RECTANGULAR: ("width", "length"),
            ElectrodeShape.CIRCULAR: ("diameter",),
            ElectrodeShape.LEAD_CONTACT: ("diameter", "contact_length"),
        }[self.shape]
        missing = [n for n in need if getattr(self, n) is None]
        if missing:
            raise InputError(missing[0], None,
                             f"the {' and '.join(need)} of a {self.shape.value} electrode "
                             "(or its area)")
        return self

    @property
    def area_m2(self) -> float:
        """Conducting area (m²)."""
        if self.area is not None:
            return self.area
        if self.shape is ElectrodeShape.RECTANGULAR:
            assert self.width is not None and self.length is not None
            return self.width * self.length
        if self.shape is ElectrodeShape.CIRCULAR:
            assert self.diameter is not None
            return math.pi * self.diameter**2 / 4.0
        assert self.diameter is not None and self.contact_length is not None
        return math.pi * self.diameter * self.contact_length

    @property
    def implanted(self) -> bool:
        return self.shape is ElectrodeShape.LEAD_CONTACT


class SiteSpec(BaseModel):
    """Where the program is applied: a named site and overrides of its defaults.

    Overrides are kept as the user's strings (e.g. ``skin_thickness = "1.5 mm"``); the fields
    stage, which owns the site parameters, parses and checks them.
    """

    model_config = ConfigDict(frozen=True, extra="allow")

    name: str

    @property
    def overrides(self) -> dict[str, str]:
        extra = self.model_extra or {}
        return {k: str(v) for k, v in extra.items()}


# --- stimulations ----------------------------------------------------------------------------


class _Pulsed(_Model):
    amplitude: Annotated[Amplitude, Field(description="peak of the leading phase")]
    frequency: Frequency
    pulse_width: Time
    pulse: PulseShape = PulseShape.SYMMETRIC_BIPHASIC
    interphase_gap: Time = 0.0
    asymmetry_ratio: Dimensionless = 0.25
    duration: Time = 1800.0

    _check_amp = field_validator("amplitude", mode="before")(_parse_amplitude)

    @model_validator(mode="after")
    def _check_pulse(self) -> Any:
        _positive(self, "frequency", "pulse_width", "duration")
        _non_negative(self, "interphase_gap")
        if self.amplitude.value < 0:
            raise InputError("amplitude", self.amplitude.value,
                             "a non-negative amplitude (polarity is set by the electrodes)")
        if not 0 < self.asymmetry_ratio <= 1:
            raise InputError("asymmetry_ratio", self.asymmetry_ratio,
                             "the ratio of the second phase amplitude to the first, in (0, 1]")
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
        if self.pulse_duration_s >= 1.0 / max_frequency:
            raise InputError(
                field, _si(field, self.pulse_width),
                f"a pulse (all phases: {self.pulse_duration_s * 1e6:.0f} us) shorter than its "
                f"period ({1e6 / max_frequency:.0f} us at {max_frequency:g} Hz)")


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
    pulses_per_burst: int | None = None
    amplitude_modulation: Dimensionless = 0.0
    rate_modulation: Dimensionless = 0.0
    width_modulation: Dimensionless = 0.0
    modulation_period: Time = 1.0

    @model_validator(mode="after")
    def _check_mode(self) -> TENS:
        self._check_fits(self.frequency)
        for name in ("amplitude_modulation", "rate_modulation", "width_modulation"):
            if not 0 <= getattr(self, name) < 1:
                raise InputError(name, getattr(self, name), "a modulation depth in [0, 1)")
        _positive(self, "modulation_period")
        if self.mode is TENSMode.BURST:
            if self.burst_frequency is None or self.pulses_per_burst is None:
                raise InputError("burst_frequency" if self.burst_frequency is None
                                 else "pulses_per_burst", None,
                                 "burst TENS needs burst_frequency and pulses_per_burst")
            if self.pulses_per_burst < 1:
                raise InputError("pulses_per_burst", self.pulses_per_burst, "at least 1")
            _positive(self, "burst_frequency")
            burst_s = (self.pulses_per_burst - 1) / self.frequency + self.pulse_duration_s
            if burst_s >= 1.0 / self.burst_frequency:
                raise InputError(
                    "pulses_per_burst", self.pulses_per_burst,
                    f"a burst ({burst_s * 1e3:.1f} ms) that fits in the burst period "
                    f"({1e3 / self.burst_frequency:.1f} ms)")
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
        return self


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
        _positive(self, "on_time")
        _non_negative(self, "off_time", "ramp_up", "ramp_down")
        if self.ramp_up + self.ramp_down > self.on_time:
            raise InputError("ramp_up", self.ramp_up,
                             f"ramp_up + ramp_down within on_time ({self.on_time:g} s)")
        return self


class Russian(_Model):
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

    _check_amp = field_validator("amplitude", mode="before")(_parse_amplitude)

    @model_validator(mode="after")
    def _check(self) -> Russian:
        _positive(self, "carrier_frequency", "burst_frequency", "on_time", "duration")
        _non_negative(self, "off_time", "ramp_up", "ramp_down")
        if not 0 < self.burst_duty <= 1:
            raise InputError("burst_duty", self.burst_duty, "a fraction in (0, 1]")
        if self.burst_frequency >= self.carrier_frequency:
            raise InputError("burst_frequency", self.burst_frequency,
                             f"below the carrier frequency ({self.carrier_frequency:g} Hz)")
        if self.burst_duty / self.burst_frequency * self.carrier_frequency < 1:
            raise InputError("burst_duty", self.burst_duty,
                             "a burst long enough for at least one carrier cycle")
        if self.ramp_up + self.ramp_down > self.on_time:
            raise InputError("ramp_up", self.ramp_up,
                             f"ramp_up + ramp_down within on_time ({self.on_time:g} s)")
        return self


class Interferential(_Model):
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
    sweep: str | None = None
    duration: Time = 1200.0

    _check_amp = field_validator("amplitude", mode="before")(_parse_amplitude)

    @model_validator(mode="after")
    def _check(self) -> Interferential:
        _positive(self, "carrier_frequency", "beat_frequency", "duration")
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
        return self

    @property
    def sweep_phases_s(self) -> tuple[float, float, float]:
        """(rise, hold at the top, fall) durations of the beat sweep (s)."""
        if self.sweep is None:
            return (0.0, 0.0, 0.0)
        parts = self.sweep.split(":")
        try:
            values = [float(p) for p in parts]
        except ValueError:
            values = []
        if len(values) not in (2, 3) or any(not math.isfinite(v) or v < 0 for v in values) \
                or values[0] + values[-1] <= 0:
            raise InputError("sweep", self.sweep,
                             "'rise:fall' or 'rise:hold:fall' in seconds, e.g. '6:6' or '1:5:1'")
        if len(values) == 2:
            return (values[0], 0.0, values[1])
        return (values[0], values[1], values[2])


class HVPC(_Model):
    """High-voltage pulsed current: monophasic twin-peak pulses, each peak a fast rise and an
    exponential decay, separated by ``interpeak_interval``."""

    type: Literal["hvpc"]
    amplitude: Amplitude
    frequency: Frequency = 100.0
    peak_time_constant: Time = 5e-6
    peak_duration: Time = 20e-6
    interpeak_interval: Time = 75e-6
    duration: Time = 1800.0

    _check_amp = field_validator("amplitude", mode="before")(_parse_amplitude)

    @model_validator(mode="after")
    def _check(self) -> HVPC:
        _positive(self, "frequency", "peak_time_constant", "peak_duration",
                  "interpeak_interval", "duration")
        if self.interpeak_interval < self.peak_duration:
            raise InputError("interpeak_interval", self.interpeak_interval,
                             f"at least the peak duration ({self.peak_duration * 1e6:g} us)")
        if self.interpeak_interval + self.peak_duration >= 1.0 / self.frequency:
            raise InputError("frequency", self.frequency,
                             "a period longer than the twin-peak pulse")
        return self


class Microcurrent(_Model):
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

    _check_amp = field_validator("amplitude", mode="before")(_parse_amplitude)

    @model_validator(mode="after")
    def _check(self) -> Microcurrent:
        _positive(self, "frequency", "duration")
        if not 0 < self.duty < 1:
            raise InputError("duty", self.duty, "a fraction in (0, 1)")
        if self.polarity_reversal is not None:
            _positive(self, "polarity_reversal")
            if self.polarity_reversal * self.frequency < 1 - 1e-9 or not math.isclose(
                self.polarity_reversal * self.frequency,
                round(self.polarity_reversal * self.frequency), rel_tol=1e-6,
            ):
                raise InputError("polarity_reversal", self.polarity_reversal,
                                 f"a whole number of periods ({1 / self.frequency:g} s each)")
        return self


class Iontophoresis(_Model):
    """Direct current to drive an ionised drug through the skin, to a dose in mA·min."""

    type: Literal["iontophoresis"]
    amplitude: Amplitude
    dose: Charge
    ramp_up: Time = 30.0
    ramp_down: Time = 30.0
    drug: str | None = None
    drug_electrode: Literal["anode", "cathode"] | None = None

    _check_amp = field_validator("amplitude", mode="before")(_parse_amplitude)

    @model_validator(mode="after")
    def _check(self) -> Iontophoresis:
        _positive(self, "dose")
        _non_negative(self, "ramp_up", "ramp_down")
        if self.amplitude.value <= 0:
            raise InputError("amplitude", self.amplitude.value, "a positive current")
        ramp_charge = 0.5 * self.amplitude.value * (self.ramp_up + self.ramp_down)
        if ramp_charge > self.dose:
            raise InputError("dose", self.dose,
                             f"at least the charge of the ramps ({ramp_charge / 0.06:.3g} mA*min)")
        return self

    @property
    def plateau_s(self) -> float:
        """Time at full current to reach the dose, after the ramps (s)."""
        ramp_charge = 0.5 * self.amplitude.value * (self.ramp_up + self.ramp_down)
        return (self.dose - ramp_charge) / self.amplitude.value

    @property
    def duration(self) -> float:
        return self.ramp_up + self.plateau_s + self.ramp_down


class DBS(_Model):
    """Deep brain stimulation: cathodic-first pulses with passive or active recharge.

    Passive recharge is the output coupling capacitor discharging through the tissue: an
    exponential anodic phase with ``recharge_time_constant`` that fills the rest of the period
    and balances the charge. Active recharge is a rectangular anodic phase of
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

    _check_amp = field_validator("amplitude", mode="before")(_parse_amplitude)

    @model_validator(mode="after")
    def _check(self) -> DBS:
        _positive(self, "frequency", "pulse_width", "recharge_time_constant", "duration")
        _non_negative(self, "interphase_gap")
        if not 0 < self.recharge_ratio <= 1:
            raise InputError("recharge_ratio", self.recharge_ratio, "a fraction in (0, 1]")
        active = self.pulse_width + self.interphase_gap
        if self.recharge is Recharge.ACTIVE:
            active += self.pulse_width / self.recharge_ratio
        if active >= 1.0 / self.frequency:
            raise InputError("pulse_width", self.pulse_width,
                             f"a pulse and its recharge shorter than the period "
                             f"({1e6 / self.frequency:.0f} us)")
        return self


Stimulation = Annotated[
    TENS | NMES | Russian | Interferential | HVPC | Microcurrent | Iontophoresis | DBS,
    Field(discriminator="type"),
]

STIMULATION_TYPES = ("tens", "nmes", "ems", "russian", "interferential", "hvpc",
                     "microcurrent", "iontophoresis", "dbs")


class Channel(_Model):
    """One output channel: an electrode pair and what it delivers."""

    name: str
    anode: Electrode
    cathode: Electrode
    stimulation: Stimulation


class Program(_Model):
    """A whole stimulation program, as read from a program file.

    :param expected_verdict: what ``estim check`` should conclude, written by the author of
        the file (the bundled examples state theirs; the tests hold them to it).
    """

    name: str
    description: str = ""
    source: str = ""
    expected_verdict: Verdict | None = None
    device: Device
    site: SiteSpec
    channels: tuple[Channel, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Program:
        names = [c.name for c in self.channels]
        for i, c in enumerate(self.channels):
            if names.index(c.name) != i:
                raise InputError(f"channels[{i}].name", c.name, "a name no other channel has")
            amp = c.stimulation.amplitude
            where = f"channels[{i}].stimulation.amplitude"
            if amp.control is not self.device.control:
                raise InputError(where, _fmt(amp),
                                 f"a {self.device.control.value}, because the device is "
                                 f"{self.device.control.value}-controlled")
            if amp.value > self.device.max_amplitude * (1 + 1e-12):
                raise InputError(where, _fmt(amp),
                                 f"at most the device maximum "
                                 f"({_fmt(Amplitude(value=self.device.max_amplitude, control=amp.control))})")
        ifc = [c.stimulation for c in self.channels
               if isinstance(c.stimulation, Interferential)
               and c.stimulation.mode is IFCMode.TRUE]
        if ifc:
            roles = sorted(s.role or "" for s in ifc)
            if roles != ["base", "beat"]:
                raise InputError("channels", roles,
                                 "true interferential: exactly one 'base' and one 'beat' channel")
            a, b = ifc
            for key in ("carrier_frequency", "beat_frequency", "beat_frequency_max", "sweep"):
                if getattr(a, key) != getattr(b, key):
                    raise InputError(f"channels.stimulation.{key}", getattr(b, key),
                                     f"the same {key} on both interferential channels "
                                     f"({getattr(a, key)!r})")
        return self

    @property
    def implanted(self) -> bool:
        return self.device.implanted or any(
            c.anode.implanted or c.cathode.implanted for c in self.channels)


def _fmt(amp: Amplitude) -> str:
    v = amp.value
    unit = amp.unit
    if v >= 1 or v == 0:
        return f"{v:g} {unit}"
    if v >= 1e-3:
        return f"{v * 1e3:g} m{unit}"
    return f"{v * 1e6:g} u{unit}"


_UNIT_BY_NAME = (("frequency", "Hz"), ("dose", "C"), ("time", "s"), ("width", "s"),
                 ("gap", "s"), ("duration", "s"), ("ramp", "s"), ("interval", "s"),
                 ("reversal", "s"), ("period", "s"))


def _si(name: str, v: float) -> str:
    """The SI value with its unit, for messages about fields already parsed."""
    for key, unit in _UNIT_BY_NAME:
        if key in name:
            return f"{v:g} {unit}"
    return f"{v:g}"


def _positive(model: BaseModel, *names: str) -> None:
    for name in names:
        v = getattr(model, name)
        if v is not None and not v > 0:
            raise InputError(name, _si(name, v), "a value above zero")


def _non_negative(model: BaseModel, *names: str) -> None:
    for name in names:
        v = getattr(model, name)
        if v is not None and v < 0:
            raise InputError(name, _si(name, v), "zero or more")
