"""Shared pieces of the program model: the frozen base, amplitudes, field checks."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from estim.errors import InputError
from estim.program.options import Control
from estim.units import parse_quantity

__all__ = ["Amplitude", "FrozenModel", "fmt_amplitude", "non_negative", "parse_amplitude",
           "positive", "si_text"]


class FrozenModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_enum_values=False)

    def replace(self, **changes: Any) -> Any:
        """A copy with ``changes`` applied (values already in SI; not parsed again)."""
        return self.model_copy(update=changes)


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
        except InputError:
            continue
        if not v >= 0:  # also refuses NaN
            raise ValueError(expected)
        return Amplitude(value=v, control=Control(dimension))
    raise ValueError(expected)


# --- device, electrodes, site -----------------------------------------------------------------


def fmt_amplitude(amp: Amplitude) -> str:
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


def si_text(name: str, v: float) -> str:
    """The SI value with its unit, for messages about fields already parsed."""
    for key, unit in _UNIT_BY_NAME:
        if key in name:
            return f"{v:g} {unit}"
    return f"{v:g}"


def positive(model: BaseModel, *names: str) -> None:
    for name in names:
        v = getattr(model, name)
        if v is not None and not v > 0:
            raise InputError(name, si_text(name, v), "a value above zero")


def non_negative(model: BaseModel, *names: str) -> None:
    for name in names:
        v = getattr(model, name)
        if v is not None and v < 0:
            raise InputError(name, si_text(name, v), "zero or more")
