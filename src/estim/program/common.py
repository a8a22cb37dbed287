"""Shared pieces of the program model: the frozen base, amplitudes, field checks."""

from __future__ import annotations

import math
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, model_validator

from estim.errors import InputError
from estim.program.options import Control
from estim.units import NUMBER_RANGE_WORDS, parse_quantity, unit_case_hint

__all__ = ["MAX_EVENTS_PER_CYCLE", "MAX_NAME_CHARS", "MAX_SESSION_S", "SESSION_TOLERANCE",
           "SHORTEST_PULSE_S", "Amplitude", "FrozenModel", "fmt_amplitude", "max_events",
           "non_negative", "parse_amplitude", "positive", "pulse_durations",
           "session_as_written", "si_text"]


#: Largest values a program may hold, by field name (SI). Beyond them no electrotherapy
#: device operates and the models do not hold (100 kHz: quasi-static fields and cable
#: models; 24 h: a session); they also keep numbers finite and memory bounded.
_CAPS: dict[str, tuple[float, str]] = {
    "frequency": (1e5, "at most 100 kHz"),
    "duration": (86400.0, "at most 24 h"),
    "on_time": (86400.0, "at most 24 h"), "off_time": (86400.0, "at most 24 h"),
    "ramp_up": (86400.0, "at most 24 h"), "ramp_down": (86400.0, "at most 24 h"),
    "modulation_period": (3600.0, "at most 1 h"),
    "polarity_reversal": (3600.0, "at most 1 h"),
    "max_current": (10.0, "at most 10 A"), "current_limit": (10.0, "at most 10 A"),
    "max_voltage": (1e4, "at most 10 kV"), "compliance_voltage": (1e4, "at most 10 kV"),
    "width": (1.0, "at most 1 m"), "length": (1.0, "at most 1 m"),
    "diameter": (1.0, "at most 1 m"), "area": (1.0, "at most 1 m²"),
    "dose": (60.0, "at most 1000 mA·min"),
}

#: Smallest values a program may hold, by field name (SI). Electrodes below 0.1 mm are not
#: electrotherapy electrodes (a DBS contact is 1.27 x 1.5 mm) and cannot be meshed; a surface
#: pad (width and length are only a pad's) is at least 1 mm a side and 1 mm² (the program's
#: Electrode checks a pad's diameter and area); a beat below 0.1 Hz is not interferential
#: therapy and would build a carrier of days.
_FLOORS: dict[str, tuple[float, str]] = {
    "width": (1e-3, "at least 1 mm"), "length": (1e-3, "at least 1 mm"),
    "diameter": (1e-4, "at least 0.1 mm (1 mm on a surface pad)"),
    "contact_length": (1e-4, "at least 0.1 mm"),
    "area": (1e-8, "at least 0.01 mm² (1 mm² on a surface pad)"),
    "beat_frequency": (0.1, "at least 0.1 Hz"),
    # a device that sets no more than this is no stimulator: 1e-300 A was taken, and the
    # refusal then named the amplitude, "at most the device maximum (1e-294 uA)" (device
    # engineer's probe of 7 December 2026); a microcurrent unit's top is ~1 mA
    "max_current": (1e-6, "at least 1 µA"), "current_limit": (1e-6, "at least 1 µA"),
    "max_voltage": (1e-3, "at least 1 mV"), "compliance_voltage": (0.1, "at least 0.1 V"),
}

#: Longest text a program field may hold (characters); a 1 MB name made plots take a minute.
_MAX_TEXT: dict[str, int] = {"description": 4000, "source": 4000}
MAX_NAME_CHARS = 200

#: Pulses in one cycle of a program (a 24 h NMES on-time at 100 kHz would be 8.6e9).
MAX_EVENTS_PER_CYCLE = 2_000_000
#: Longest session a program may run (s): 24 h.
MAX_SESSION_S = 86400.0
#: How much longer than written a session may come out when it is rounded up to whole cycles
#: (a fraction); beyond it the program is refused rather than silently lengthened.
SESSION_TOLERANCE = 0.01


class FrozenModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_enum_values=False)

    @model_validator(mode="after")
    def _within_caps(self) -> Any:
        for name in type(self).model_fields:
            cap = _CAPS.get(name) or (_CAPS["frequency"] if name.endswith("frequency")
                                      else None)
            value = getattr(self, name)
            if cap is not None and isinstance(value, float) and value > cap[0]:
                raise InputError(name, si_text(name, value), cap[1])
            floor = _FLOORS.get(name)
            if floor is not None and isinstance(value, float) and 0 < value < floor[0]:
                raise InputError(name, si_text(name, value), floor[1])
            limit = _MAX_TEXT.get(name, MAX_NAME_CHARS)
            if isinstance(value, str) and len(value) > limit:
                raise InputError(name, value[:40] + "...", f"at most {limit} characters")
        return self

    def replace(self, **changes: Any) -> Self:
        """A copy with ``changes`` applied and every rule of the model checked again.

        Values are SI floats (already parsed, as the model holds them); a quantity string
        such as ``"200 us"`` is parsed as in a program file. Nested models are taken as they
        are (they were checked when they were built).

        >>> from estim.program.bundled import resolve_program
        >>> tens = resolve_program("tens_conventional")[0].channels[0].stimulation
        >>> tens.replace(pulse_width=100e-6).pulse_width
        0.0001
        >>> tens.replace(pulse_width=-1.0)
        Traceback (most recent call last):
        ...
        estim.program.errors.ProgramError: pulse_width: got '-1 s', expected a value above zero

        :raises ProgramError: a change the model refuses (each problem names its field), or
            a field the model does not have.
        """
        from pydantic import ValidationError

        from estim.program.errors import ProgramError, dedupe, problem
        from estim.program.quantities import SI_CONTEXT

        fields = type(self).model_fields
        unknown = sorted(set(changes) - set(fields))
        if unknown:
            raise ProgramError([InputError(unknown[0], changes[unknown[0]],
                                           f"a field of {type(self).__name__} "
                                           f"({', '.join(fields)})")])
        # only what was set (and the changes): a default stays a default, so a rule on what
        # a program sets (asymmetry_ratio only with an asymmetric pulse) holds for the copy
        data = {name: getattr(self, name) for name in self.model_fields_set}
        data.update(changes)
        try:
            return type(self).model_validate(data, context={SI_CONTEXT: True})
        except ValidationError as err:
            problems = [problem(e) for e in err.errors(include_url=False)]
            raise ProgramError(dedupe(problems)) from None


# --- amplitude: a current or a voltage, which one depends on the device ----------------------


class Amplitude(FrozenModel):
    """A programmed amplitude: ``value`` in A (current) or V (voltage)."""

    value: float
    control: Control

    @property
    def unit(self) -> str:
        return "A" if self.control is Control.CURRENT else "V"


def parse_amplitude(value: Any) -> Any:
    """A quantity string into an :class:`Amplitude` (only strings: a table such as
    ``{value = nan}`` would bypass the unit and range checks)."""
    if isinstance(value, Amplitude):
        return value
    expected = "a current or a voltage with units, at least zero, e.g. '25 mA' or '60 V'"
    for dimension in ("current", "voltage"):
        try:
            v = parse_quantity(value, dimension, field="")
        except InputError as err:
            if err.expected in NUMBER_RANGE_WORDS:  # '1e400 mA' has its unit (probe)
                raise ValueError(err.expected) from None
            continue
        if not v >= 0:  # also refuses NaN
            # a DBS programmer writes the cathode's "-3 V"; the polarity is the placement's
            # (DBS researcher's probe of 7 December 2026)
            raise ValueError(expected + ("; the polarity is set by which electrode is the "
                                         "cathode, not by a sign" if v < 0 else ""))
        floor, text = _AMPLITUDE_FLOOR[dimension]
        if 0 < v < floor:
            raise ValueError(f"0, or at least {text} (no stimulator delivers less)")
        return Amplitude(value=v, control=Control(dimension))
    raise ValueError(expected + unit_case_hint(value, ("current", "voltage")))


#: The smallest non-zero amplitude accepted, by control: far below any stimulator (a
#: microcurrent device sets µA), and far enough above the smallest doubles that the output
#: at the device's maximum (the programmed pulse scaled up to it) stays finite: 1e-320 mA
#: once turned the output table into nan and its --json into a traceback.
_AMPLITUDE_FLOOR = {"current": (1e-9, "1 nA"), "voltage": (1e-6, "1 µV")}


# --- device, electrodes, site -----------------------------------------------------------------


def fmt_amplitude(amp: Amplitude) -> str:
    v = amp.value
    unit = amp.unit
    if v >= 1 or v == 0:
        return f"{v:g} {unit}"
    if v >= 1e-3:
        return f"{v * 1e3:g} m{unit}"
    return f"{v * 1e6:g} u{unit}"


_UNIT_BY_NAME = (("frequency", "Hz"), ("dose", "C"), ("pulse_width", "s"), ("width", "m"),
                 ("length", "m"), ("diameter", "m"), ("area", "m²"), ("time", "s"),
                 ("gap", "s"), ("duration", "s"), ("ramp", "s"), ("interval", "s"),
                 ("reversal", "s"), ("period", "s"), ("current", "A"), ("voltage", "V"))


def si_text(name: str, v: float) -> str:
    """The SI value with its unit, for messages about fields already parsed."""
    for key, unit in _UNIT_BY_NAME:
        if key in name:
            return f"{v:g} {unit}"
    return f"{v:g}"


def max_events(field: str, count: float) -> None:
    """Refuse a cycle of more than :data:`MAX_EVENTS_PER_CYCLE` pulses."""
    if count > MAX_EVENTS_PER_CYCLE:
        raise InputError(field, f"{count:.3g} pulses per cycle",
                         f"at most {MAX_EVENTS_PER_CYCLE:.0e} pulses per cycle")


def session_as_written(cycle_s: float, duration_s: float, *, what: str = "cycle",
                       cause: tuple[str, float] | None = None) -> None:
    """Refuse a session that whole cycles would make other than written.

    A session is built of whole cycles (a burst period, an on/off cycle, a modulation or sweep
    period), rounded up so that it is never shorter than written. A cycle longer than the
    session, or a rounding that lengthens it by more than :data:`SESSION_TOLERANCE`, would
    report and judge a session the user did not write.

    :param cycle_s: one cycle (s). :param duration_s: the session as written (s).
    :param cause: the field that sets the cycle and its value (SI): a cycle longer than a
        day is that field's fault (``1e-300 Hz``), not the duration's.
    """
    if cycle_s > MAX_SESSION_S:
        name, value = cause if cause is not None else ("duration", duration_s)
        raise InputError(name, si_text(name, value),
                         f"a {what} of at most 24 h (it is {cycle_s:.4g} s)")
    n = max(1, math.ceil(duration_s / cycle_s * (1 - 1e-12)))
    built = n * cycle_s
    if built > duration_s * (1 + SESSION_TOLERANCE):
        lower = math.floor(duration_s / cycle_s) * cycle_s
        hint = (f"{lower:.4g} s or {built:.4g} s" if lower > 0
                else f"at least one {what}, {cycle_s:.4g} s")
        if lower == 0 and cause is not None:  # one cycle outlasts the session: the field
            name, value = cause  # that sets it may be the one at fault (a polarity reversal
            more = "a higher" if "frequency" in name else "a shorter"  # of 20 min)
            hint += f", or {more} {name} than {si_text(name, value)}"
        raise InputError("duration", si_text("duration", duration_s),
                         f"a whole number of {what}s of {cycle_s:.4g} s (the session would "
                         f"last {built:.4g} s): e.g. {hint}")
    if built > MAX_SESSION_S * (1 + 1e-9):
        raise InputError("duration", si_text("duration", duration_s),
                         f"a session of at most 24 h in whole {what}s of {cycle_s:.6g} s "
                         f"(this one would last {built:.6g} s)")


def positive(model: BaseModel, *names: str) -> None:
    for name in names:
        v = getattr(model, name)
        if v is not None and not v > 0:
            raise InputError(name, si_text(name, v), "a value above zero")


#: The shortest pulse (or HVPC peak) accepted (s): shorter than any electrotherapy
#: stimulator's (HVPC's peaks rise in ~5 µs). The fiber stage takes ten steps per phase for
#: pulses this short (estim.effects.drive.time_step), so the finest step is 0.1 µs. Far
#: shorter ones (1e-300 s) passed every check and failed only in the fiber stage, as an
#: all-zero waveform.
SHORTEST_PULSE_S = 1e-6


def pulse_durations(model: BaseModel, *names: str) -> None:
    """Each of ``names`` (a pulse's or a peak's duration) is at least :data:`SHORTEST_PULSE_S`."""
    positive(model, *names)
    for name in names:
        v = getattr(model, name)
        if v is not None and v < SHORTEST_PULSE_S:
            raise InputError(name, si_text(name, v), f"at least {SHORTEST_PULSE_S * 1e6:g} us "
                             "(no electrotherapy stimulator's pulse is shorter)")


def non_negative(model: BaseModel, *names: str) -> None:
    for name in names:
        v = getattr(model, name)
        if v is not None and v < 0:
            raise InputError(name, si_text(name, v), "zero or more")
