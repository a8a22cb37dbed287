"""The summary page of a sweep: what it found in words, one plot per output the sweep moves (the
sensation and the safety verdict first; the others listed), then the table.

How each output is drawn from the axes that vary (virtual subjects are never an axis of a
plot: every plot shows their median and, shaded, their 10th-90th percentile):

* one axis: a line over it;
* an output that is the same along an axis (a threshold along the amplitude) drawn over the
  others alone, the plot saying so;
* two axes, both numeric: a heatmap over them (the median over any further axis; for a
  safety quantity, the worst);
* otherwise a line over the first axis for each value of the second (the median, or the
  worst, over the rest; past :data:`_MAX_LINES` values of the second, its largest values
  make one line together); with subjects alone, a histogram over them.

Words with an order (a safety verdict, a sensation) are plotted as their rank.
"""

from __future__ import annotations

import base64
import html
import math
import re
import textwrap
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from estim.effects.program import VIRTUAL_SUBJECTS
from estim.sweep.axes import SUBJECT
from estim.sweep.table import Column, SweepTable
from estim.text import readable, terminal_text

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["answer_lines", "sweep_page"]

#: Most rows shown in the page's table (the files hold them all).
_MAX_ROWS = 500
#: Most lines in one plot: past it, the second axis's largest values make the last line
#: together, said so (they were left out, and with them a sweep's failing settings).
_MAX_LINES = 8
#: Most labelled ticks on a heatmap's axis (30 values' labels ran into each other).
_MAX_TICKS = 10

#: The DBS outputs that are lower bounds where the activated region reaches the grid's edge.
_AT_GRID_EDGE = ("activated_volume_mm3", "activation_radius_mm")

#: Characters on one line of a colour bar's label (the figure is 3.8 in high).
_BAR_LABEL_CHARS = 40

#: pass, warn, fail: the report's colours.
_VERDICT_COLOURS = ("#2a7d2a", "#b36b00", "#bb1111")


def _y(column: Column) -> list[float]:
    """A column as numbers (words with an order as their rank; missing as NaN)."""
    levels = column.output.levels if column.output is not None else ()
    out = []
    for v in column.values:
        if v is None:
            out.append(np.nan)
        elif isinstance(v, str):
            out.append(float(levels.index(v)) if v in levels else np.nan)
        else:
            out.append(float(v))
    return out


def _worst(column: Column) -> bool:
    """Whether ``column`` is a safety quantity, worse the larger (:class:`Output`)."""
    return column.output is not None and column.output.worst


def _middle(column: Column, values: Sequence[float]) -> float:
    """What a cell or a point shows of several values (over a further axis, or subjects):
    a safety quantity the worst of them (a median of pass, pass, fail was drawn as a pass;
    of 0, 0 and 1 rules failed as 0), other words a level that one of them has (not the 0.5
    between two), numbers the median."""
    if _worst(column):
        return float(np.max(values))
    if column.output is not None and column.output.levels:
        return float(np.percentile(values, 50, method="nearest"))
    return float(np.median(values))


def _keys(column: Column) -> list[Any]:
    """The distinct values of an input column: numbers in increasing order (as given,
    100, 5, 60, 20 mA drew a line from 5 to 100 mA as if the points between lay on it;
    probe of 5 December 2026), words in order of first appearance."""
    keys = list(dict.fromkeys(column.values))
    return sorted(keys) if column.numeric else keys


#: A heat map with at most this many cells has each cell's value written in it: values were
#: read off the colour bar alone (clinician's probe of 7 December 2026).
MAX_LABELLED_CELLS = 64


def _cell_values(ax: Axes, image: Any, grid: np.ndarray, levels: Sequence[str],
                 at_least: np.ndarray | None = None) -> None:
    """Each cell's value (3 significant figures, or its level's word before any comma,
    "strong tingling") written in it, in black or white by the cell's colour, wrapped to
    the cell's width; none where the grid is too large, or a value does not fit its cell
    (the colour bar names them: "strong tingling, no contraction" ran over three cells
    either side; researcher's probe of 7 December 2026). Call it once the axes have their
    final size (after the colour bar). A cell marked in ``at_least`` is a lower bound, "≥"
    before its value (a DBS volume capped by the grid read "1,300" where the table says
    "≥ 1,298"; DBS researcher's probe of 7 December 2026)."""
    if grid.size > MAX_LABELLED_CELLS:
        return
    # ax.figure, not get_figure(root=True): matplotlib 3.8 and 3.9 have no root (review)
    fig = cast("Figure", ax.figure)
    fig.draw_without_rendering()  # the constrained layout's final size of the axes
    box = ax.get_window_extent()
    rows, cols = grid.shape
    size = 7.0 if levels else 8.0  # points: a level's words are longer than a number
    pixels = size * fig.dpi / 72
    chars = int(box.width / cols / (0.62 * pixels))  # a character is ~0.6 of the size wide
    lines = int(box.height / rows / (1.25 * pixels))
    texts: dict[tuple[int, int], str] = {}
    for (i, j), v in np.ndenumerate(grid):
        if not np.isfinite(v):
            continue
        # as the terminal's table writes it: "1,433", not "1,430" (hostile probe)
        text = levels[int(v)].split(",", 1)[0] if levels else (
            f"{v:,.0f}" if abs(v) >= 1000 else readable(f"{v:.3g}"))
        if at_least is not None and at_least[i, j]:
            text = f"≥ {text}"
        wrapped = textwrap.wrap(text, max(1, chars), break_long_words=False)
        if len(wrapped) > lines or any(len(w) > chars for w in wrapped):
            return
        texts[i, j] = "\n".join(wrapped)
    for (i, j), text in texts.items():
        r, g, b, _ = image.cmap(image.norm(grid[i, j]))
        light = 0.299 * r + 0.587 * g + 0.114 * b > 0.5  # perceived brightness
        ax.text(j, i, text, ha="center", va="center", fontsize=size,
                color="black" if light else "white")


def _plot(ax: Axes, table: SweepTable, column: Column) -> str:
    """Draw ``column`` on ``ax``; returns what the plot aggregates, in words."""
    y = np.array(_y(column))
    varied = [c for c in table.inputs if c.name != SUBJECT and len(_keys(c)) > 1]
    subjects = any(c.name == SUBJECT for c in table.inputs)
    levels = column.output.levels if column.output is not None else ()
    label = column.shown
    if not varied:
        finite = y[np.isfinite(y)]
        ax.hist(finite, bins=min(20, max(3, finite.size // 2)), color="#4c72b0")
        ax.set_xlabel(label)
        ax.set_ylabel("subjects" if subjects else "points")
        return "over virtual subjects" if subjects else ""
    x_col = varied[0]
    zipped = ""
    if len(varied) >= 2 and _zipped(varied):
        # axes varied together (--zip): a line over the first, not a heat map's diagonal
        # in a grid of empty cells (researcher's probe of 7 December 2026)
        pairs = {v: tuple(c.values[i] for c in varied[1:])
                 for i, v in enumerate(x_col.values)}
        zipped = "; ".join(
            f"{c.shown} at the same points: "
            + ", ".join(_cell(pairs[k][j]) for k in _keys(x_col))
            for j, c in enumerate(varied[1:]))
        varied = [x_col]
    # a DBS volume capped by the grid's edge is the same along an axis because it is capped,
    # not because it does not depend on it (review of 7 December 2026)
    capped = column.name in _AT_GRID_EDGE and any(
        str(v).startswith("yes") for c in table.columns if c.name == "activation_at_grid_edge"
        for v in c.values)
    flat = [c for c in varied if _flat_along(table, column, c)] \
        if len(varied) >= 2 and not capped else []
    if flat and len(flat) < len(varied):
        # a threshold is the same at every amplitude: a heat map drew stripes along it
        # (researcher's probe of 7 December 2026); a line over the axes it does depend on
        varied = [c for c in varied if c not in flat]
        x_col = varied[0]
        same = "the same at every " + " and every ".join(c.shown for c in flat)
        zipped = f"{zipped}; {same}" if zipped else same
    if levels and subjects and not _worst(column) and len(varied) == 1:
        note = _shares(ax, column, x_col, y, levels)
        return f"{note}; {zipped}" if zipped else note
    # as the reader names them: "worst over frequency_Hz" beside "frequency (Hz)" (probe)
    rest = [c.shown for c in varied[2:]] + (["the virtual subjects"] if subjects else [])
    over = "worst" if _worst(column) else "median"
    note = f"{over} over {', '.join(rest)}" if rest else ""
    if len(varied) >= 2 and x_col.numeric and varied[1].numeric:
        xs, ys = _keys(x_col), _keys(varied[1])
        grid = np.full((len(ys), len(xs)), np.nan)
        cells: dict[tuple[int, int], list[float]] = defaultdict(list)
        for xv, yv, v in zip(x_col.values, varied[1].values, y, strict=True):
            cells[ys.index(yv), xs.index(xv)].append(v)
        for (i, j), vals in cells.items():
            finite = [v for v in vals if np.isfinite(v)]
            grid[i, j] = _middle(column, finite) if finite else np.nan
        if levels:  # a colour per level, every level on the bar: one verdict at every
            from matplotlib import colormaps  # point drew a sliver round its own
            from matplotlib.colors import ListedColormap

            cmap = (ListedColormap(_VERDICT_COLOURS) if column.name == "safety_verdict"
                    else colormaps["viridis"].resampled(len(levels)))
            image = ax.imshow(grid, origin="lower", aspect="auto", cmap=cmap,
                              vmin=-0.5, vmax=len(levels) - 0.5)
        elif column.output is not None and column.output.count:
            # whole numbers from 0: a count of 0 everywhere had a bar from -0.1 to 0.1
            top = float(np.nanmax(grid)) if np.isfinite(grid).any() else 0.0
            image = ax.imshow(grid, origin="lower", aspect="auto", cmap="viridis",
                              vmin=-0.5, vmax=max(1.0, top) + 0.5)
        else:
            image = ax.imshow(grid, origin="lower", aspect="auto", cmap="viridis")
        _ticks(ax.set_xticks, xs)
        _ticks(ax.set_yticks, ys)
        ax.set_xlabel(x_col.shown)
        ax.set_ylabel(varied[1].shown)
        bar = ax.figure.colorbar(image, ax=ax)
        # wrapped: a long name ran off the figure ("ighest channel (mA; what the device's
        # compliance volt…"; probe of 5 December 2026)
        bar.set_label("\n".join(textwrap.wrap(label, _BAR_LABEL_CHARS)))
        if levels:
            bar.set_ticks(range(len(levels)), labels=list(levels))
        elif column.output is not None and column.output.count:
            from matplotlib.ticker import MaxNLocator

            bar.locator = MaxNLocator(integer=True)
            bar.update_ticks()
        floor = None
        edge = next((c for c in table.columns if c.name == "activation_at_grid_edge"), None)
        if edge is not None and column.name in _AT_GRID_EDGE:
            floor = np.zeros(grid.shape, dtype=bool)
            for xv, yv, e in zip(x_col.values, varied[1].values, edge.values, strict=True):
                if str(e).startswith("yes"):
                    floor[ys.index(yv), xs.index(xv)] = True
            if floor.any():
                note = "; ".join(n for n in (note, "≥: the activated region reaches the edge "
                                             "of the modelled grid, a lower bound") if n)
        _cell_values(ax, image, grid, levels, floor)
        # an axis along which the output is the same, dropped above, said here too
        return "; ".join(n for n in (note, zipped) if n)
    groups, folded = _line_groups(varied)
    shaded = False
    xs = _keys(x_col)
    positions = xs if x_col.numeric else list(range(len(xs)))
    for name, members in groups:
        med, lo, hi = [], [], []
        for xv in xs:
            vals = [v for v, a, b in zip(y, x_col.values,
                                         varied[1].values if members else x_col.values,
                                         strict=True)
                    if a == xv and (not members or b in members) and np.isfinite(v)]
            med.append(_middle(column, vals) if vals else np.nan)
            lo.append(np.percentile(vals, 10) if vals else np.nan)
            hi.append(np.percentile(vals, 90) if vals else np.nan)
        # words with an order (a verdict) are points: a line from pass to fail would cross
        # "warn" as if the points between warned; so are points over words (pulse shapes),
        # which have nothing between them
        joined = not levels and x_col.numeric
        (line,) = ax.plot(positions, med, marker="o", label=name,
                          linestyle="-" if joined else "none")
        if joined and (rest or (folded and name == groups[-1][0])):
            # a band between words (two pulse shapes) or over a verdict's ranks has no
            # meaning: shaded on a numeric axis only
            ax.fill_between(positions, lo, hi, alpha=0.2,
                            color=line.get_color())
            shaded = True
    band = _people_band(table, column)
    if band is not None:
        # the run's people drawn round the reference anatomy's line: 21 plots of their own
        # did not say which was which (researcher's probe of 6 December 2026)
        def at_x(c: Column) -> list[float]:
            ys = np.array(_y(c))
            return [float(np.nanmedian(ys[[i for i, v in enumerate(x_col.values)
                                            if v == xv]])) for xv in xs]

        low, middle, high = (at_x(c) for c in band)
        ax.fill_between(positions, low, high, alpha=0.2, color="tab:blue", lw=0)
        ax.plot(positions, middle, ls="--", color="tab:blue", lw=1)
    if not x_col.numeric:
        ax.set_xticks(positions, [str(v) for v in xs])
    elif len(positions) > 1:
        # the whole axis, as every plot of the page has it: the fatigue ratio, which a
        # point without a contraction lacks, started at 15 mA beside plots from 10 mA
        # (clinician's probe of 7 December 2026); matplotlib's own 5 % margins
        lo_x, hi_x = float(min(positions)), float(max(positions))
        pad = 0.05 * (hi_x - lo_x)
        ax.set_xlim(lo_x - pad, hi_x + pad)
    ax.set_xlabel(x_col.shown)
    ax.set_ylabel("\n".join(textwrap.wrap(label, _BAR_LABEL_CHARS)))
    if levels:
        ax.set_yticks(range(len(levels)), list(levels))
    elif column.output is not None and column.output.count:
        from matplotlib.ticker import MaxNLocator

        ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts: 0, 1, 2, not -0.04
        top = float(np.nanmax(y)) if np.isfinite(y).any() else 0.0
        ax.set_ylim(-0.5, max(1.0, top) + 0.5)
    elif not levels and np.isfinite(y).any() and np.nanmin(y) >= 0:
        # a quantity that cannot be negative from 0: a fraction of 0 everywhere ran from
        # -0.04 to 0.04
        ax.set_ylim(bottom=0.0, top=None if np.nanmax(y) > 0 else 1.0)
    if len(groups) > 1:
        ax.legend(fontsize=8)
    notes = [n for n in (note, zipped) if n]
    if band is not None:
        notes.append("line: the reference anatomy; shaded: the 10th-90th percentile of the "
                     f"run's {VIRTUAL_SUBJECTS} virtual people, dashed: their median")
    if rest and shaded:
        notes.append("shaded: 10th-90th percentile")
    if folded:
        notes.append(f"the last line is the {folded} largest values of {varied[1].shown} "
                     f"together ({'the worst' if _worst(column) else 'the median'} of them"
                     + ("; shaded: their 10th-90th percentile)" if shaded else ")"))
    return "; ".join(notes)


def _flat_along(table: SweepTable, column: Column, axis: Column) -> bool:
    """Whether ``column`` takes the same value (to 1e-9, NaN as NaN) at every value of
    ``axis`` wherever every other input is the same: a threshold along the amplitude.

    >>> amp = Column("amplitude", (10.0, 20.0, 10.0, 20.0), "input")
    >>> width = Column("pulse_width", (100.0, 100.0, 200.0, 200.0), "input")
    >>> t = SweepTable((amp, width))
    >>> threshold = Column("sensory", (5.0, 5.0, 3.0, 3.0), "output")
    >>> _flat_along(t, threshold, amp), _flat_along(t, threshold, width)
    (True, False)
    """
    others = [c for c in table.inputs if c is not axis]
    groups: dict[tuple[Any, ...], list[float]] = defaultdict(list)
    for i, v in enumerate(_y(column)):
        groups[tuple(c.values[i] for c in others)].append(v)
    spread = [vals for vals in groups.values() if len(vals) > 1]
    return bool(spread) and all(
        np.allclose(vals, vals[0], rtol=1e-9, atol=0.0, equal_nan=True) for vals in spread)


def _zipped(varied: Sequence[Column]) -> bool:
    """Whether the varied axes run together (``--zip``): each value of the first pairs with
    one value of every other, and no value of another repeats."""
    x = varied[0].values
    firsts = set(x)
    return all(len(set(zip(x, c.values, strict=True))) == len(firsts) == len(set(c.values))
               for c in varied[1:])


def _shares(ax: Axes, column: Column, x_col: Column, y: np.ndarray,
            levels: Sequence[str]) -> str:
    """A sensation over virtual subjects along one axis: at each value, the share of the
    subjects at each level, stacked. The median subject's dot alone hid 2 of 6 subjects'
    contraction (researcher's probe of 7 December 2026)."""
    from matplotlib import colormaps
    from matplotlib.ticker import PercentFormatter

    xs = _keys(x_col)
    positions = np.arange(len(xs))
    cmap = colormaps["viridis"].resampled(len(levels))
    at = [[v for v, x in zip(y, x_col.values, strict=True) if x == xv and np.isfinite(v)]
          for xv in xs]
    bottom = np.zeros(len(xs))
    for k, level in enumerate(levels):
        share = np.array([sum(v == k for v in vals) / len(vals) if vals else 0.0
                          for vals in at])
        if share.any():
            ax.bar(positions, share, bottom=bottom, width=0.8, color=cmap(k), label=level)
            bottom += share
    ax.set_xticks(positions, [f"{v:.4g}" if x_col.numeric else str(v) for v in xs])
    ax.set_xlabel(x_col.shown)
    ax.set_ylim(0.0, 1.0)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylabel("of the virtual subjects")
    handles, labels = ax.get_legend_handles_labels()
    # the most intense on top, as the bars stack
    ax.legend(handles[::-1], labels[::-1], fontsize=7, loc="upper left",
              bbox_to_anchor=(1.01, 1.0))
    counts = {len(vals) for vals in at if vals}
    each = f"the {counts.pop()} virtual subjects" if len(counts) == 1 else "the virtual subjects"
    return f"share of {each} at each {x_col.shown}"


def _people_table(table: SweepTable) -> SweepTable | None:
    """The counts of estim run's virtual people per sensation (``people_*``) as a table of
    one row per person, along the sweep's one varied axis, for :func:`_shares`; None where
    the sweep has none of them, or not one varied axis (a subjects sweep draws its own)."""
    from estim.program.options import Sensation
    from estim.sweep.point import OUTPUTS

    varied = [c for c in table.inputs if c.name != SUBJECT and len(_keys(c)) > 1]
    names = {c.name: c for c in table.columns}
    counts = {s.value: names.get(f"people_{s.name.lower()}") for s in Sensation}
    if len(varied) != 1 or SUBJECT in names or any(c is None for c in counts.values()):
        return None
    x = varied[0]
    xs: list[Any] = []
    felt: list[str] = []
    person = 0
    ids: list[int] = []
    for i in range(len(table)):
        for level, column in counts.items():
            assert column is not None
            n = column.values[i]
            for _ in range(int(n) if isinstance(n, int | float) and math.isfinite(n) else 0):
                xs.append(x.values[i])
                felt.append(level)
                ids.append(person % VIRTUAL_SUBJECTS)
                person += 1
    if not felt:
        return None
    out = {o.name: o for o in OUTPUTS}
    return SweepTable((Column(x.name, tuple(xs), "input", label=x.label),
                       Column(SUBJECT, tuple(ids), "input"),
                       Column("sensation", tuple(felt), "output", out["sensation"])))


def _people_caveats(table: SweepTable, crowd: SweepTable) -> list[str]:
    """What the people's plot leaves out, said under it: the settings where no one was
    counted (not computed), and how many people are given a tingling only where the
    model's sample of afferents ends (not a prediction: review of 7 December 2026)."""
    varied = [c for c in table.inputs if c.name != SUBJECT and len(_keys(c)) > 1]
    x = varied[0]
    drawn = set(crowd.column(x.name).values)
    out = [f"not computed at {_at(x, v)}" for v in _keys(x) if v not in drawn]
    names = {c.name for c in table.columns}
    if "people_undecided" in names:
        undecided = [v for v in table.column("people_undecided").values
                     if isinstance(v, int | float) and math.isfinite(v) and v > 0]
        if undecided:
            out.append(f"at {len(undecided)} of the settings, up to {int(max(undecided))} of "
                       "them are given a tingling only where the model's sample of Aβ "
                       "afferents ends: not a prediction")
    return out


#: A band over virtual people's column name: the threshold's, with its percentile.
_BAND = re.compile(r"(sensory|strong_tingling|motor|pain)_threshold_(p10|median|p90)_mA")


def _people_band(table: SweepTable, column: Column) -> tuple[Column, Column, Column] | None:
    """The 10th percentile, median and 90th percentile columns of ``column``'s threshold
    over the run's virtual people, where the sweep has them and ``column``'s plot draws
    them (a line over one numeric axis, no subjects); None otherwise. Elsewhere (a heatmap
    of two axes) they are plotted on their own, not left off (review of 6 December 2026)."""
    m = re.fullmatch(r"(sensory|strong_tingling|motor|pain)_threshold_mA", column.name)
    names = {c.name: c for c in table.columns}
    varied = [c for c in table.inputs if c.name != SUBJECT and len(_keys(c)) > 1]
    if (m is None or len(varied) != 1 or not varied[0].numeric or SUBJECT in names
            or not any(v is not None for v in column.values)):
        return None
    band = [names.get(f"{m.group(1)}_threshold_{q}_mA") for q in ("p10", "median", "p90")]
    if any(c is None or not any(v is not None for v in c.values) for c in band):
        return None
    low, middle, high = band
    assert low is not None and middle is not None and high is not None
    return low, middle, high


def _line_groups(varied: Sequence[Column]) -> tuple[list[tuple[str | None, set[Any]]], int]:
    """The lines of a plot: one per value of the second axis, each with the values it
    holds (none: every point); past :data:`_MAX_LINES`, the largest values (the last
    given, for words) make the last line together. Returns the lines and how many values
    the last one holds together (0: none folded)."""
    if len(varied) < 2:
        return [(None, set())], 0
    keys, second = _keys(varied[1]), varied[1]
    if len(keys) <= _MAX_LINES:
        return [(f"{second.shown} = {k}", {k}) for k in keys], 0
    alone, together = keys[:_MAX_LINES - 1], keys[_MAX_LINES - 1:]
    return ([(f"{second.shown} = {k}", {k}) for k in alone]
            + [(f"{second.shown} = {together[0]} … {together[-1]}", set(together))],
            len(together))


def _ticks(set_ticks: Any, values: Sequence[float]) -> None:
    """At most :data:`_MAX_TICKS` labelled ticks, evenly spaced over a heatmap's cells, each
    value to 4 significant figures (965.862 µs read as such)."""
    step = max(1, -(-len(values) // _MAX_TICKS))  # ceiling division
    at = list(range(0, len(values), step))
    set_ticks(at, [f"{values[i]:.4g}" for i in at])


def _figure(table: SweepTable, column: Column) -> tuple[str, str]:
    """One output's plot as a PNG ``data:`` URL, and what it aggregates."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    from estim.report.plots import figure_to_png

    fig = Figure(figsize=(6.4, 3.8), layout="constrained")
    ax = fig.add_subplot()
    note = _plot(ax, table, column)
    ax.grid(alpha=0.3)
    data = base64.b64encode(figure_to_png(fig)).decode("ascii")
    return f"data:image/png;base64,{data}", note


def _plottable(column: Column) -> bool:
    if column.output is not None and column.output.levels:
        return any(v is not None for v in column.values)
    return column.numeric and any(v is not None for v in column.values)


#: What a sweep's virtual subjects are, beside estim run's people (said on the terminal;
#: the page said nothing: researcher's probe of 6 December 2026).
SUBJECTS_NOTE = ("each subject is a person of this sweep's own draw, simulated in full in its "
                 f"anatomy; estim run's {VIRTUAL_SUBJECTS} virtual people are another draw, "
                 "scaled from the reference anatomy's thresholds, so subject k is not the "
                 "run's person k (docs/sweeps.md)")


#: The limits a sweep's safety verdicts apply, by whether its program is implanted.
LIMITS_WORDS = {
    False: "the limits of IEC 60601-2-10 and FDA guidance",
    # a DBS sweep's page named the standard of stimulators on the skin (DBS probe of
    # 6 December 2026)
    True: "the limits for implanted electrodes (Shannon's k, the charge density per phase "
          "at the contact, the rates DBS units are labelled for), not IEC 60601-2-10's, "
          "which are for stimulators on the skin",
}


def sweep_page(table: SweepTable, *, title: str, axes_text: Sequence[str] = (),
               errors: int = 0, implanted: bool = False) -> str:
    """The summary page (self-contained HTML: plots inline, everything a user typed
    escaped).

    :param title: the program's name.
    :param axes_text: each axis in words (``amplitude: 8 values, 5-40 mA``).
    :param errors: points that failed (named in the table's ``error`` column).
    :param implanted: the program drives an implanted lead (DBS): its safety verdicts
        apply the implant's limits (:data:`LIMITS_WORDS`).
    """
    def e(text: object) -> str:
        # control and bidirectional characters spelled out, as the run's report does: a
        # U+202E in a program's name reversed the page's title (probe of 6 December 2026)
        return html.escape(terminal_text(text, markup=False))

    parts = ["<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>Sweep: {e(title)}</title>", f"<style>{_CSS}</style></head><body>",
             f"<h1>Sweep: {e(title)}</h1>",
             f"<p>{len(table):,} points over " + "; ".join(e(a) for a in axes_text) + ".</p>"]
    # the answer first: on a phone the sensation's plot lay 7,800 px down, the 28th of 29,
    # with no sentence above it (phone probe of 6 December 2026)
    parts += [f'<p class="answer">{e(line)}</p>' for line in answer_lines(table)]
    if errors:
        parts.append(f'<p class="note">{errors} point(s) failed: see the error column.</p>')
    subjects = [c for c in table.inputs if c.name == SUBJECT]
    if subjects:
        people = len(set(subjects[0].values))
        few = (f"; with {people} of them their 10th and 90th percentiles lie near the lowest "
               "and the highest" if people < 10 else "")
        parts.append(f'<p class="note">{e(SUBJECTS_NOTE[0].upper() + SUBJECTS_NOTE[1:])}'
                     f"{e(few)}.</p>")
    # a DBS sweep has no sensations (DBS researcher's probe of 7 December 2026)
    volumes = any(c.name == "activated_volume_mm3" for c in table.outputs)
    parts.append("<p class=\"note\">"
                 + (("Activated volumes are model predictions (cable-model axons round the "
                     "lead in a uniform brain outside its encapsulation)" if volumes else
                     "Safety only: no activated volume was computed") if implanted else
                    "Thresholds and sensations are model predictions (cable-model "
                    "thresholds, assumed anatomy)")
                 + f"; safety verdicts apply {LIMITS_WORDS[implanted]}.</p>")
    # a band over people is drawn on its threshold's plot, not as three of its own
    drawn_on = {c.name for c in table.outputs if _people_band(table, c) is not None}
    plotted = [c for c in _reader_order(table.outputs) if _plottable(c)
               and not ((m := _BAND.fullmatch(c.name)) and f"{m.group(1)}_threshold_mA"
                        in drawn_on)
               and not c.name.startswith("people_")]  # one plot of them together, below
    # a quantity the sweep does not move is a line, not a plot (nine of 29 plots were flat
    # lines; phone probe)
    steady = [c for c in plotted if _unchanged(c)]
    # an output that is a swept input at every point is a line, not a plot: a DBS sweep's
    # first three plots were its amplitude again (DBS researcher's probe of 7 December 2026)
    echoes = {c.name: a for c in plotted if c not in steady
              for a in table.inputs if _same_numbers(c, a)}
    for column in plotted:
        if column in steady or column.name in echoes:
            continue
        url, note = _figure(table, column)
        label = column.shown
        # the CSV's column name in the tooltip (it was in code type under every plot)
        # the caption above its plot: under it, on a phone "Safety verdict" read as the
        # title of the next plot (hostile probe of 6 December 2026)
        parts.append(f"<figure title=\"{e(column.name)}\"><figcaption>{e(label)}"
                     + (f" <span class=\"note\">({e(note)})</span>" if note else "")
                     + f"</figcaption><img alt=\"{e(label)}\" src=\"{url}\"></figure>")
        if column.name == "sensation" and (crowd := _people_table(table)) is not None:
            url, note = _figure(crowd, crowd.column("sensation"))
            note = "; ".join([note, *_people_caveats(table, crowd)])
            label = f"What estim run's {VIRTUAL_SUBJECTS} virtual people feel"
            parts.append(f"<figure title=\"people\"><figcaption>{e(label)} <span "
                         f"class=\"note\">({e(note)})</span></figcaption><img "
                         f"alt=\"{e(label)}\" src=\"{url}\"></figure>")
    if steady:
        parts.append("<p>The same at every point:</p><ul class=\"same\">" + "".join(
            f"<li>{e(_at(c, c.values[0], colon=True))}</li>" for c in steady) + "</ul>")
    if echoes:
        parts.append("<p>The same as a swept setting at every point:</p><ul class=\"same\">"
                     + "".join(f"<li>{e(c.shown)}: the {e(echoes[c.name].shown)}</li>"
                               for c in plotted if c.name in echoes) + "</ul>")
    shown = min(len(table), _MAX_ROWS)
    caption = (f"The first {shown:,} of {len(table):,} points (all are in the CSV and Parquet "
               "files)" if shown < len(table) else "Every point")
    columns = _table_order(table)
    # the column names of the CSV stay in each heading's tooltip
    heads = "".join(f"<th title=\"{e(c.name)}\">{e(c.shown)}</th>" for c in columns)
    parts.append(f"<div class=\"scroll\"><table><caption>{caption}<span class=\"hint\">: "
                 f"{len(columns)} columns, the table scrolls sideways</span></caption>"
                 f"<tr>{heads}</tr>")
    for i in range(shown):
        parts.append("<tr>" + "".join(f"<td>{e(_cell(c.values[i]))}</td>" for c in columns)
                     + "</tr>")
    parts.append("</table></div></body></html>")
    return "\n".join(parts)


_CSS = ("body{font-family:system-ui,sans-serif;max-width:1000px;margin:1em auto;padding:0 1em;"
        "color:#222}figure{margin:1.5em 0}img{max-width:100%}.scroll{overflow-x:auto}"
        "h1{overflow-wrap:anywhere}.answer{font-size:1.05em}ul.same{font-size:90%}"
        "table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;"
        "padding:2px 6px;text-align:right}th{min-width:7em;vertical-align:bottom}"
        "caption{text-align:left}"
        ".note,.hint{color:#555;font-size:90%}"
        # a phone: a plot shrunk to 358 px had 5 px labels; it keeps a readable width and
        # scrolls inside its frame, and says so (as the run's report; phone probe)
        "@media (max-width:600px){figure{overflow-x:auto;margin:1em 0}"
        "figure img{max-width:none;width:640px}"
        "figure::before{content:'scroll sideways for the whole plot \\2192';display:block;"
        "position:sticky;left:0;font-size:.75em;color:#667}"
        "figcaption{position:sticky;left:0}}")

#: The outputs a reader looks for first, in this order; the others follow as they come.
_FIRST = ("sensation", "safety_verdict", "sensory_threshold_mA", "strong_tingling_threshold_mA",
          "motor_threshold_mA", "pain_threshold_mA",
          # a DBS sweep's volume was its last plot, after three of its current (DBS
          # researcher's probe of 7 December 2026)
          "activated_volume_mm3", "activation_radius_mm", "charge_density_uC_per_cm2",
          "shannon_k")


def _reader_order(columns: Sequence[Column]) -> list[Column]:
    """``columns`` with :data:`_FIRST` ahead, in its order."""
    rank = {name: i for i, name in enumerate(_FIRST)}
    return sorted(columns, key=lambda c: rank.get(c.name, len(_FIRST)))


def _table_order(table: SweepTable) -> list[Column]:
    """The page's table: the point, the inputs, then the outputs with the sensation and the
    verdict first (the sensation was the 32nd of 34 columns; phone probe)."""
    shown = [c for c in table.columns if c.kind != "key"]
    head = [c for c in shown if c.kind in ("index", "input")]
    outputs = _reader_order([c for c in shown if c.kind == "output"])
    return head + outputs + [c for c in shown if c not in head and c not in outputs]


def _same_numbers(output: Column, given: Column) -> bool:
    """Whether ``output`` is ``given`` (a swept input) at every point, in the same unit:
    numbers within 1e-9 of each other, the unit of their labels the same.

    >>> a = Column("amplitude_mA", (1.0, 4.0), "input", label="amplitude (mA)")
    >>> peak = Column("peak_current_mA", (1.0, 4.0), "output", label="Peak current (mA)")
    >>> _same_numbers(peak, a), _same_numbers(peak, Column("x_V", (1.0, 4.0), "input",
    ...                                                    label="x (V)"))
    (True, False)
    """
    unit = re.compile(r"\(([^;)]*)")
    units = [m.group(1).strip() if (m := unit.search(c.shown)) else None
             for c in (output, given)]
    if units[0] is None or units[0] != units[1]:
        return False
    if len(set(given.values)) < 2 or not (output.numeric and given.numeric):
        return False
    return all(isinstance(x, float | int) and isinstance(y, float | int)
               and math.isclose(float(x), float(y), rel_tol=1e-9, abs_tol=1e-12)
               for x, y in zip(output.values, given.values, strict=True))


def _unchanged(column: Column) -> bool:
    """Whether every point has the same value of ``column`` (and there are several)."""
    values = [v for v in column.values if v is not None]
    return len(column.values) > 1 and len(values) == len(column.values) and len(set(values)) == 1


def _at(column: Column, value: object, last: object = None, *, colon: bool = False) -> str:
    """A column's value in words: "amplitude 10 mA" from "amplitude (mA)" and 10.0; with
    ``last``, the stretch up to it: "amplitude 10–30 mA"; with ``colon``, "Sensory
    threshold: 4.846 mA". The unit is the label's parenthesis up to its first ";" (a
    fraction's word is left out)."""
    name, unit = column.shown, ""
    if name.endswith(")") and " (" in name:
        name, unit = name[:-1].split(" (", 1)
        unit = unit.split(";")[0].strip()
    if unit == "fraction":
        unit = ""
    shown = _cell(value) if last is None else f"{_cell(value)}–{_cell(last)}"
    return f"{name}{':' if colon else ''} {shown}{f' {unit}' if unit else ''}"


_AT_MAXIMUM = " at the device maximum"


#: The virtual people's columns of a sweep (``people_<sensation>``), mildest first.
_PEOPLE = ("people_none", "people_light_tingling", "people_strong_tingling",
           "people_contraction", "people_painful")


def _in_pain(table: SweepTable, run: list[int], words: object) -> str:
    """How many of estim run's virtual people find a run of points painful, where the
    reference anatomy's answer is not: "contraction, below pain at 200–400 µs" hid the 25
    and 35 % in pain that the bars beside it showed (clinician's probe of 7 December 2026).
    "" where none do, or the table has no people's columns."""
    names = {c.name for c in table.columns}
    if words == "painful" or not set(_PEOPLE) <= names:
        return ""
    def count(name: str, i: int) -> float | None:
        v = table.column(name).values[i]
        return float(v) if isinstance(v, int | float) else None

    pained = [c for c in (count("people_painful", i) for i in run) if c is not None]
    totals = {int(sum(count(name, i) or 0.0 for name in _PEOPLE)) for i in run}
    if not pained or max(pained) <= 0 or len(totals) != 1:
        return ""
    lo, hi = int(min(pained)), int(max(pained))
    many = f"{lo}" if lo == hi else f"{lo}–{hi}"
    return f" ({many} of the {totals.pop()} virtual people find it painful)"


def _at_the_setting(notes: Sequence[Any], order: Sequence[int], first: int,
                    where: Any) -> str:
    """Where the first point that does not pass does so at the device maximum alone, what
    its rules are and where the setting itself first does not pass: a 2 cm pad's current
    density warns at the device maximum at every amplitude, and the page named 20 mA as
    the first that does not pass where the setting warns from 60 mA (researcher's probe of
    7 December 2026)."""
    def parts(i: int) -> list[str]:
        return [x for x in str(notes[i] or "").split("; ") if x]

    if not parts(first) or not all(x.endswith(_AT_MAXIMUM) for x in parts(first)):
        return ""
    rules = ", ".join(dict.fromkeys(x.removesuffix(_AT_MAXIMUM) for x in parts(first)))
    setting = next((i for i in order
                    if any(not x.endswith(_AT_MAXIMUM) for x in parts(i))), None)
    then = ("at the setting itself every point passes" if setting is None else
            f"at the setting itself the first that does not pass: {where(setting)}")
    return f" (at the device maximum alone: {rules}); {then}"


def answer_lines(table: SweepTable) -> list[str]:
    """What the sweep found, in the page's first lines: the safety verdicts over the points
    (and the first that does not pass), and what a person feels where (over one varied
    axis, the stretch of it each sensation holds; else how many points each)."""
    lines: list[str] = []
    varied = [c for c in table.inputs if c.name != SUBJECT and len(_keys(c)) > 1]
    subjects = any(c.name == SUBJECT for c in table.inputs)
    n = len(table)

    def where(i: int) -> str:
        return ", ".join(_at(c, c.values[i]) for c in varied)

    names = {c.name for c in table.columns}
    if n == 0:
        return lines
    # the lowest along the axes first (in the table's order, 40 mA came before 10 mA)
    # each axis's ranks once (a 10,000-point sweep listed its keys again for every point)
    ranks = [{k: r for r, k in enumerate(_keys(c))} for c in varied]
    order = sorted(range(n), key=lambda i: tuple(rank[c.values[i]]
                                                 for rank, c in zip(ranks, varied, strict=True)))
    if "safety_verdict" in names:
        verdicts = table.column("safety_verdict").values
        counts = {v: sum(x == v for x in verdicts) for v in ("pass", "warn", "fail")}
        failed = sum(v is None for v in verdicts)  # the point could not be computed
        verbs = {"pass": ("passes", "pass"), "warn": ("warns", "warn"), "fail": ("fails", "fail")}
        said = [f"{k} {verbs[v][k != 1]}" for v, k in counts.items() if k]
        if failed:
            said.append(f"{failed} could not be computed")
        every = next((v for v in ("pass", "warn", "fail") if counts[v] == n), None)
        if every is not None:
            lines.append(f"Safety: every one of the {n} points {verbs[every][0]}.")
        elif said:
            first = next((i for i in order if verdicts[i] in ("warn", "fail")), None)
            at = (f"; the first that does not pass: {where(first)}"
                  if varied and first is not None else "")
            if at and first is not None and "safety_not_passed" in names:
                at += _at_the_setting(table.column("safety_not_passed").values, order,
                                      first, where)
            lines.append(f"Safety, of {n} points: {', '.join(said)}{at}.")
    if "sensation" in names:
        felt = table.column("sensation").values
        if any(v is not None for v in felt):
            if len(varied) == 1 and not subjects:
                x = varied[0]
                runs: list[list[int]] = []
                for i in order:
                    if runs and felt[runs[-1][-1]] == felt[i]:
                        runs[-1].append(i)
                    else:
                        runs.append([i])
                parts = []
                for run in runs:
                    words = felt[run[0]] if felt[run[0]] is not None else "not computed"
                    span = _at(x, x.values[run[0]],
                               None if len(run) == 1 else x.values[run[-1]])
                    parts.append(f"{words} at {span}{_in_pain(table, run, words)}")
                lines.append("What a person feels: " + "; ".join(parts) + ".")
            elif len(varied) == 1 and subjects:
                # at each setting, how many of the subjects feel what: pooled over the
                # settings, the page did not say at which the contraction was
                # (researcher's probe of 7 December 2026)
                x = varied[0]
                people = len(set(table.column(SUBJECT).values))
                parts = []
                for xv in _keys(x):
                    # a point that could not be computed is counted as such (review)
                    here = Counter("not computed" if felt[i] is None else str(felt[i])
                                   for i in range(n) if x.values[i] == xv)
                    # each level with its count, apart by "; " (the levels hold commas)
                    parts.append(f"At {_at(x, xv)}: " + "; ".join(
                        f"{k} ({v})" for k, v in here.most_common()) + ".")
                lines.append(f"What a person feels, of {people} virtual subjects. "
                             + " ".join(parts))
            else:
                counted = Counter(str(v) for v in felt if v is not None)
                # pooled over the settings: a sweep of 5 subjects at 2 widths read "of 10
                # draws" (researcher's probe of 6 December 2026)
                people = (len(set(table.column(SUBJECT).values)) if subjects else 0)
                pooled = (f" ({people} virtual subjects at each of {n // people} settings "
                          "together)" if people and n // people > 1 else "")
                lines.append("What a person feels: " + "; ".join(
                    f"{k} at {v} of {n} points" for k, v in counted.most_common())
                    + pooled + ".")
        # a tingling read where the Aβ sample ran out is not a prediction: three "light
        # tingling" rows of a subjects sweep were stated as findings (researcher's probe)
        if "thresholds_at_sample_edge" in names:
            named = [[w.strip() for w in v.split(",") if w.strip()] if isinstance(v, str)
                     else [] for v in table.column("thresholds_at_sample_edge").values]
            edge = sum(any(not w.endswith(" p90") for w in ws) for ws in named)
            band = sum(any(w.endswith(" p90") for w in ws) for ws in named)
            if band:
                lines.append(f"At {band} of the {n} points the 90th percentile of a tingling "
                             "threshold over the virtual people lies where a tenth of them or "
                             "more need more Aβ afferents than the model samples: not a "
                             "prediction (the column of thresholds at the sample's edge names "
                             "it).")
            if edge:
                lines.append(f"At {edge} of the {n} points a threshold lies where the model's "
                             "sample of Aβ afferents runs out (every one of them fires): the "
                             "sensation there is not a prediction (the column of thresholds "
                             "at the sample's edge names them).")
    return lines


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
