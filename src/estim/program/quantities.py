"""Pydantic field types that parse quantity strings into SI floats, once.

``Current`` accepts ``"25 mA"`` and stores ``0.025`` (A). A wrong dimension, a bare number or
garbage text becomes a pydantic error whose context carries the :class:`InputError`, so the
loader can name the field, the value and what was expected.
"""

from __future__ import annotations

import math
from functools import partial
from typing import Annotated, Any

from pydantic import BeforeValidator, ValidationInfo

from estim.errors import InputError
from estim.units import parse_quantity

__all__ = [
    "Area",
    "Capacitance",
    "Charge",
    "Current",
    "Dimensionless",
    "Frequency",
    "Length",
    "Resistance",
    "Time",
    "Voltage",
]


#: Validation context under which a quantity field takes a float as already in SI (what
#: :meth:`estim.program.common.FrozenModel.replace` passes: values were parsed once).
SI_CONTEXT = "si_floats"


def _parse(dimension: str, value: Any, info: ValidationInfo) -> float:
    if isinstance(info.context, dict) and info.context.get(SI_CONTEXT) \
            and isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise ValueError(f"a finite {dimension.replace('_', ' ')} in SI units")
        return float(value)
    try:
        return parse_quantity(value, dimension, field="")
    except InputError as err:
        # The field name is filled in by the loader from pydantic's location.
        raise ValueError(err.expected) from None


def _q(dimension: str) -> Any:
    return BeforeValidator(partial(_parse, dimension))


Current = Annotated[float, _q("current")]
Voltage = Annotated[float, _q("voltage")]
Time = Annotated[float, _q("time")]
Frequency = Annotated[float, _q("frequency")]
Length = Annotated[float, _q("length")]
Area = Annotated[float, _q("area")]
Charge = Annotated[float, _q("charge")]
Resistance = Annotated[float, _q("resistance")]
Capacitance = Annotated[float, _q("capacitance")]
Dimensionless = Annotated[float, _q("dimensionless")]
