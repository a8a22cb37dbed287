"""One row of a parameter table: a value in SI with its unit and published source."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["TableEntry", "table_value"]


@dataclass(frozen=True, slots=True)
class TableEntry:
    """A published constant, stored in SI.

    :param name: field name the value feeds (e.g. ``alpha_a_per_s2``).
    :param value: the value in ``unit`` (SI).
    :param unit: pint-parsable unit of ``value`` (``"1/s**2"``, ``"N/s"``, ``"dimensionless"``).
    :param source: where the number comes from (author, year, journal, table).
    :param published: the value as published, with the published unit, pint-parsable
        (e.g. ``"-4.0e-7 / ms**2"``); empty when it was published in SI already. A unit test
        converts it and compares with ``value``, which pins every ms -> s conversion.
    :param note: caveats (assumed, fitted to one subject, value of a reimplementation ...).
    """

    name: str
    value: float
    unit: str
    source: str
    published: str = ""
    note: str = ""


def table_value(table: tuple[TableEntry, ...], name: str) -> float:
    """The SI value of the row called ``name`` (KeyError if absent: a programming error)."""
    for row in table:
        if row.name == name:
            return row.value
    raise KeyError(name)
