"""A sweep's answer on the terminal: each point's settings beside its verdict, what a
person feels there and the thresholds, under the count of points (``estim sweep`` printed
the file names alone; probe of 6 December 2026). The files hold every column."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from estim.text import readable, terminal_text

if TYPE_CHECKING:
    from rich.console import Console

    from estim.sweep.table import Column, SweepTable

__all__ = ["SHOWN_OUTPUTS", "cell_text", "print_sweep_table"]

#: The outputs the terminal shows, where a sweep has them, in this order (heading, column).
SHOWN_OUTPUTS = (("safety", "safety_verdict"), ("feels", "sensation"),
                 ("sensory (mA)", "sensory_threshold_mA"),
                 ("strong (mA)", "strong_tingling_threshold_mA"),
                 ("motor (mA)", "motor_threshold_mA"), ("pain (mA)", "pain_threshold_mA"),
                 ("force (%)", "first_contraction_force_pct"),
                 ("peak (mA)", "peak_current_mA"), ("r.m.s. (mA)", "rms_current_mA"),
                 ("density (mA/cm²)", "skin_current_density_mA_per_cm2"),
                 ("power (W/cm²)", "power_density_W_per_cm2"),
                 # what decides a DBS verdict, beside it (DBS researcher's probe of
                 # 7 December 2026)
                 ("charge (µC/cm²)", "charge_density_uC_per_cm2"),
                 ("Shannon k", "shannon_k"),
                 # a DBS sweep showed its safety alone: the tissue activated was in the
                 # files only (DBS probe of 6 December 2026)
                 ("into tissue (mA)", "dbs_current_mA"),
                 ("activated (mm³)", "activated_volume_mm3"),
                 ("radius (mm)", "activation_radius_mm"))
#: The DBS columns that are lower bounds where the activation reaches the modelled axons'
#: grid (marked "≥" there).
_AT_LEAST = ("activated_volume_mm3", "activation_radius_mm")
#: Shown for a sweep without the body only: with it, the table is the sensation's, and
#: these are in the files.
_OUTPUT_ONLY = ("peak_current_mA", "rms_current_mA", "skin_current_density_mA_per_cm2",
                "power_density_W_per_cm2")
#: The thresholds ``thresholds_at_sample_edge`` names, by their columns.
_EDGE_COLUMNS = {"sensory": "sensory_threshold_mA",
                 "strong tingling": "strong_tingling_threshold_mA",
                 "sensory p90": "sensory_threshold_p90_mA",
                 "strong tingling p90": "strong_tingling_threshold_p90_mA"}
#: Of those, the reference anatomy's, from which the sensation is read.
_READ_FROM = frozenset(("sensory_threshold_mA", "strong_tingling_threshold_mA"))
#: Each sensation in a table cell's few words.
_SHORT = {"strong tingling, no contraction": "strong tingling",
          "contraction, below pain": "contraction"}
#: The most points printed; the rest are in the files.
MOST_ROWS = 25


def cell_text(value: object) -> str:
    """A cell as a reader wants it: 3 significant figures, words as they are, "" for none.

    >>> [cell_text(v) for v in (4.84550266176, 1234.5, 30.0, None, "pass", math.inf, 7)]
    ['4.85', '1,234', '30', '', 'pass', '∞', '7']
    >>> [cell_text(v) for v in (6.4e-05, 0.000106666, 2.5e-08)]
    ['0.000064', '0.000107', '2.5 × 10⁻⁸']
    >>> cell_text("strong tingling, no contraction")
    'strong tingling'
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if math.isinf(value):
            return "∞"
        if math.isnan(value):
            return ""
        # 0.000064 under 0.000107 (readable), not 6.4e-05 (a power density in W/cm²)
        return f"{value:,.0f}" if abs(value) >= 1000 else readable(f"{value:.3g}")
    return terminal_text(_SHORT.get(str(value), str(value)), markup=False)


def print_sweep_table(table: SweepTable, console: Console) -> None:
    """The sweep's points as a table (up to :data:`MOST_ROWS` of them): the varied settings,
    then :data:`SHOWN_OUTPUTS` where the sweep has them, and each failed point's error."""
    from rich.table import Table

    names = {c.name: c for c in table.columns}
    columns: list[tuple[str, Column]] = [(c.shown, c) for c in table.inputs]
    # with the body (a sensation, or a lead's activated tissue), the output's currents are
    # in the files: at 80 columns a DBS table's headings broke mid-word beside them
    body = "sensation" in names or "activated_volume_mm3" in names
    columns += [(head, names[name]) for head, name in SHOWN_OUTPUTS if name in names
                and not (body and name in _OUTPUT_ONLY)]
    # a failed point's error under the table, on a line of its own: as a column it was
    # squeezed to a few letters a line beside the thresholds
    errors = names.get("error")
    if errors is not None:
        from estim.sweep.table import Column

        columns.append(("error", Column("error", tuple("see below" if e else None
                                                       for e in errors.values), "error")))
    n = len(table)
    edge = names.get("activation_at_grid_edge")
    beyond = [bool(edge is not None and str(edge.values[i] or "").startswith("yes"))
              for i in range(n)]
    # a threshold where the Aβ sample runs out, and the sensation read from it: a subjects
    # sweep printed 59.4 mA strong tingling above its own pain, unflagged (researcher's
    # probe of 6 December 2026)
    at_edge = names.get("thresholds_at_sample_edge")
    edge_words = [str(v) if isinstance(v, str) else "" for v in
            (at_edge.values if at_edge is not None else ("",) * n)]
    edges = [{_EDGE_COLUMNS[w.strip()] for w in words.split(",") if w.strip() in _EDGE_COLUMNS}
             for words in edge_words]
    # what estim run says of the same thresholds: a pair too close to order, and a setting
    # too close to call (the sweep gave 34-36 mA of modulated TENS as a settled
    # contraction; hostile probe of 8 December 2026)
    unordered = [_words(names.get("thresholds_too_close_to_order"), i) for i in range(n)]
    pair = [{f"{k}_threshold_mA" for k in ("sensory", "motor", "pain")
             if f"{k} and " in said or f"and {k} " in said} for said in unordered]
    close = [bool(_words(names.get("setting_too_close_to_call"), i)) for i in range(n)]
    rows = [[("≥ " if beyond[i] and c.name in _AT_LEAST else "")
             + cell_text(c.values[i])
             + (" †" if c.name in edges[i] or (edges[i] & _READ_FROM and c.name == "sensation")
                else "")
             + (" *" if c.name in pair[i] else "")
             + (" ‡" if close[i] and c.name == "sensation" else "")
             for _, c in columns] for i in range(min(n, MOST_ROWS))]
    # the unit under its name, so that the columns are as narrow as their numbers; an
    # input's name breaks at its underscores ("pulse width")
    heads = [terminal_text(head, markup=False).replace(" (", "\n(", 1) for head, _ in columns]
    # and at its dots: "device.compliance voltage" (DBS researcher's probe of 7 December)
    heads = [h.replace("_", " ").replace(".", " ") if c.kind == "input" else h
             for h, (_, c) in zip(heads, columns, strict=True)]
    # each column as wide as its longest heading word or cell where they all fit: rich
    # squeezed a three-axis table's headings mid-word,
    # "amplitud/e", "pulse_w/idth", at 80 columns (researcher's probe of 7 December 2026)
    natural = [max([len(w) for w in h.split()] + [len(r[k]) for r in rows])
               for k, h in enumerate(heads)]
    whole = [max([len(line) for line in h.splitlines()] + [w]) for h, w in
             zip(heads, natural, strict=True)]  # "pulse width" on one line where it fits
    if sum(whole) + 2 * (len(whole) - 1) <= console.width:
        natural = whole
    # rich's width is the cell's, the padding on its right beside it: two spaces between
    # columns where they fit, else one
    gap = next((g for g in (2, 1) if sum(natural) + g * (len(natural) - 1) <= console.width),
               0)
    fits = gap > 0 and not any(c.kind == "error" for _, c in columns)
    t = Table(box=None, pad_edge=False, header_style="bold",
              padding=(0, gap, 0, 0) if fits else (0, 1))
    for k, (shown, (_, column)) in enumerate(zip(heads, columns, strict=True)):
        t.add_column(shown, justify="right" if column.numeric else "left", overflow="fold",
                     no_wrap=not column.numeric and column.kind != "error",
                     width=natural[k] if fits else None)
    for row in rows:
        t.add_row(*row)
    console.print(t)
    if any(cell.endswith(" †") for row in rows for cell in row):  # a band's off the table
        from rich.text import Text

        from estim.text import wrap_keeping_units

        said = Text("†: where the model's sample of Aβ afferents runs out (every one of them "
                    "fires): not a prediction, nor the sensation read from it", style="dim")
        for line in wrap_keeping_units(said, console, console.width):
            console.print(line)
    for mark, words in ((" *", "*: two thresholds nearer each other than another sample of "
                         "the model's nerve fibers moves them: which comes first is not "
                         "settled (thresholds_too_close_to_order in sweep.csv)"),
                        (" ‡", "‡: the setting lies within the model's spread of a threshold: "
                         "on which side of it a person falls is not settled "
                         "(setting_too_close_to_call in sweep.csv)")):
        if any(cell.endswith(mark) for row in rows for cell in row):
            from rich.text import Text

            from estim.text import wrap_keeping_units

            for line in wrap_keeping_units(Text(words, style="dim"), console, console.width):
                console.print(line)
    if any(beyond[:MOST_ROWS]):
        from rich.text import Text

        from estim.text import wrap_keeping_units

        said = Text("≥: the activated tissue reaches the edge of the modelled axons' grid, so "
                    "the volume and radius are at least these", style="dim")
        for line in wrap_keeping_units(said, console, console.width):  # no trailing blank
            console.print(line)
    if errors is not None:
        from rich.text import Text

        from estim.text import wrap_keeping_units

        for i in range(min(n, MOST_ROWS)):
            if errors.values[i]:
                at = ", ".join(_setting(c.shown, c.values[i]) for c in table.inputs)
                error = terminal_text(str(errors.values[i]), markup=False)
                text = Text(f"point {i} ({at}): {error}", style="yellow")
                for k, line in enumerate(wrap_keeping_units(text, console, console.width - 2)):
                    console.print(Text("  " if k else "") + line)
    if n > MOST_ROWS:
        console.print(f"[dim]the first {MOST_ROWS} of {n:,} points; every point and column is "
                      "in sweep.csv and sweep.html[/dim]")


def _words(column: object, i: int) -> str:
    """The text of row ``i`` of a text column (empty where the sweep has no such column)."""
    values = getattr(column, "values", None)
    value = values[i] if values is not None else None
    return value if isinstance(value, str) else ""


def _setting(shown: str, value: object) -> str:
    """A point's setting in words: "amplitude 5 mA" of the column "amplitude (mA)".

    >>> _setting("amplitude (mA)", 5.0), _setting("subject", 3)
    ('amplitude 5 mA', 'subject 3')
    """
    name, _, unit = shown.partition(" (")
    return f"{name} {cell_text(value)} {unit.removesuffix(')')}".strip()
