"""Parameter sweeps on Dask: many programs from one, each point validated, run on a local
cluster or an existing one, kept as it finishes, and gathered into a tidy table and a page.

>>> from estim.program.bundled import bundled_examples
>>> plan = plan_sweep(bundled_examples()["tens_conventional"],
...                   [parse_axis("amplitude=10..30mA:3")], options=SweepOptions(body=False))
>>> [p.inputs for p in plan.points]
[(('amplitude_mA', 10.0),), (('amplitude_mA', 20.0),), (('amplitude_mA', 30.0),)]

``run_sweep(plan, folder)`` runs it (:mod:`estim.sweep.run`), ``sweep_table(run)`` gathers
the table and :func:`sweep_files` renders what ``estim sweep`` writes.
"""

from __future__ import annotations

import json

from estim.sweep.axes import SUBJECT, Axis, axis_from_values, parse_axis
from estim.sweep.page import sweep_page
from estim.sweep.plan import Mode, Point, SweepOptions, SweepPlan, load_sweep_file, plan_sweep
from estim.sweep.point import OUTPUTS, Output, PointResult, run_point
from estim.sweep.population import PopulationResult, population_thresholds
from estim.sweep.run import SweepRun, open_client, run_sweep
from estim.sweep.subject import VirtualSubject, virtual_subject
from estim.sweep.table import Column, SweepTable, micro_unit, sweep_table
from estim.text import spreadsheet_file

__all__ = [
    "OUTPUTS",
    "SUBJECT",
    "SWEEP_FILES",
    "Axis",
    "Column",
    "Mode",
    "Output",
    "Point",
    "PointResult",
    "PopulationResult",
    "SweepOptions",
    "SweepPlan",
    "SweepRun",
    "SweepTable",
    "VirtualSubject",
    "axis_from_values",
    "load_sweep_file",
    "open_client",
    "parse_axis",
    "plan_sweep",
    "population_thresholds",
    "run_point",
    "run_sweep",
    "sweep_files",
    "sweep_page",
    "sweep_table",
    "virtual_subject",
]

#: The files ``estim sweep`` writes beside ``points/``.
SWEEP_FILES = ("sweep.parquet", "sweep.csv", "sweep.html")


def sweep_files(run: SweepRun) -> dict[str, bytes | str]:
    """The table as Parquet and CSV and the summary page, by file name."""
    table = sweep_table(run)
    axes = [_axis_words(a) for a in run.plan.axes]
    page = sweep_page(table, title=run.plan.program_name, axes_text=axes,
                      errors=len(run.errors), implanted=_implanted(run.plan))
    return {"sweep.parquet": table.to_parquet(), "sweep.csv": spreadsheet_file(table.to_csv()),
            "sweep.html": page}


def _implanted(plan: SweepPlan) -> bool:
    """Whether the sweep's program drives an implanted lead (a DBS program: its points
    keep the modality, which no axis changes)."""
    first = json.loads(plan.points[0].program) if plan.points else {}
    return any((c.get("stimulation") or {}).get("type") == "dbs"
               for c in first.get("channels") or [])


def _axis_words(axis: Axis) -> str:
    if axis.name == SUBJECT:
        return f"{len(axis)} virtual subjects"
    if axis.numeric and len(axis) > 1:
        lo, hi = min(n for n in axis.numbers if n is not None), \
            max(n for n in axis.numbers if n is not None)
        # µs as everywhere else ("100-400 us" on the page; probe of 6 December 2026)
        return (f"{axis.name}: {len(axis)} values, {lo:g}–{hi:g} "
                f"{micro_unit(axis.unit or '')}").rstrip()
    return f"{axis.name}: " + ", ".join(str(v) for v in axis.values[:6]) \
        + (" ..." if len(axis) > 6 else "")
