"""The tidy table of a sweep: one row per point, one column per input and output, the unit
in each column's name; written as Parquet and CSV.

Columns: ``point`` (the row's place in the plan), ``key`` (its file in ``points/``), the
axes (``pulse_width_us``, ``site.fat_thickness_mm``, ``subject``), the outputs that any
point has (:data:`estim.sweep.point.OUTPUTS`), and ``error`` where a point failed. A
missing value (a threshold not reached, an output the program does not have) is empty.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from estim.sweep.axes import SUBJECT
from estim.sweep.point import OUTPUTS, Output, Scalar
from estim.sweep.run import SweepRun
from estim.text import spreadsheet_cell

__all__ = ["Column", "SweepTable", "micro_unit", "sweep_table"]


@dataclass(frozen=True)
class Column:
    """One column: its name (with unit), its values (one per point) and what it is."""

    name: str
    values: tuple[Scalar | int, ...]
    kind: str  # "index", "key", "input", "output" or "error"
    output: Output | None = None
    #: an input in words with its unit (``pulse_width (µs)``); outputs have theirs
    label: str = ""

    @property
    def shown(self) -> str:
        """The column as a reader names it (plots, the page's table)."""
        if self.output is not None:
            return self.output.label
        return self.label or self.name

    @property
    def numeric(self) -> bool:
        return all(v is None or isinstance(v, float | int) for v in self.values)


@dataclass(frozen=True)
class SweepTable:
    """The tidy table of a sweep."""

    columns: tuple[Column, ...]

    def __len__(self) -> int:
        return len(self.columns[0].values) if self.columns else 0

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def inputs(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.kind == "input")

    @property
    def outputs(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.kind == "output")

    def to_csv(self) -> str:
        """The table as CSV text (floats as Python writes them back exactly; words that a
        spreadsheet would run as a formula with a leading ``'``)."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([c.name for c in self.columns])
        for i in range(len(self)):
            writer.writerow([_cell(c, c.values[i]) for c in self.columns])
        return out.getvalue()

    def to_parquet(self) -> bytes:
        """The table as a Parquet file (floats float64, words strings, ``point``, counts and
        the virtual subject int64, as the CSV writes them: subject 0.0 in the Parquet
        beside 0 in the CSV; researcher's probe of 7 December 2026)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        arrays = {}
        for c in self.columns:
            values = list(c.values)
            if c.kind == "index":
                kind = pa.int64()
            elif c.output is not None and c.output.text:  # text even where every point is empty
                kind = pa.string()
            elif c.numeric and _whole(c) and all(
                    v is None or (isinstance(v, int | float) and float(v).is_integer())
                    for v in values):
                kind = pa.int64()
                values = [None if v is None else int(v) for v in values]
            elif c.numeric:
                kind = pa.float64()
            else:
                kind = pa.string()
            arrays[c.name] = pa.array(values, type=kind)
        sink = io.BytesIO()
        pq.write_table(pa.table(arrays), sink)
        return sink.getvalue()


def micro_unit(unit: str) -> str:
    """A unit as typed, with its micro prefix as people print it: ``us`` as µs."""
    return re.sub(r"^u(?=[A-Za-zΩ])", "µ", unit)


def sweep_table(run: SweepRun) -> SweepTable:
    """The table of ``run``, rows in plan order."""
    plan = run.plan
    n = len(plan.points)
    columns = [Column("point", tuple(p.index for p in plan.points), "index"),
               Column("key", tuple(p.key for p in plan.points), "key")]
    for j, axis in enumerate(plan.axes):
        columns.append(Column(axis.column, tuple(p.inputs[j][1] for p in plan.points),
                              "input", label=axis.name + (f" ({micro_unit(axis.unit)})"
                                                          if axis.unit else "")))
    rows = [dict(r.outputs) if r is not None else {} for r in run.results]
    for output in OUTPUTS:
        if any(output.name in row for row in rows):
            columns.append(Column(output.name, tuple(row.get(output.name) for row in rows),
                                  "output", output))
    if run.errors:
        errors: list[Scalar] = [None] * n
        for index, text in run.errors:
            errors[index] = text
        columns.append(Column("error", tuple(errors), "error"))
    return SweepTable(tuple(columns))


def _whole(column: Column) -> bool:
    """Whether ``column`` holds whole numbers: a count, or the virtual subject."""
    return (column.output is not None and column.output.count) or \
        (column.kind == "input" and column.name == SUBJECT)


def _cell(column: Column, value: object) -> object:
    """A CSV cell: empty for None, a count as a whole number (it read 1.0 rules failed),
    other floats as Python writes them back exactly."""
    if value is None:
        return ""
    if isinstance(value, float):
        # a count and a virtual subject as whole numbers (1.0 rules failed; subject 0.0)
        if _whole(column) and value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, str):
        # a channel's name is the user's: "=HYPERLINK(...)" as a name ran as a formula in a
        # spreadsheet (probe of 6 December 2026), as estim check's CSV and the journal's
        # export already prevent
        return spreadsheet_cell(value)
    return value
