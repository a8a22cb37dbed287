"""The journal's sessions as a CSV table and as a plot.

CSV: one row a session, units in the column names (:data:`COLUMNS`), written by the
:mod:`csv` module (RFC 4180 quoting: commas, quotes and line breaks in a note survive a
round trip). A text cell that a spreadsheet would run as a formula (it starts with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return) gets a leading ``'``, as OWASP recommends
against CSV injection; that is the only change made to what was typed.

>>> from datetime import datetime, UTC
>>> from estim.journal.records import SessionRecord
>>> row = SessionRecord(id=1, person_id=1, program="tens_conventional", site="forearm",
...                     intensity_a=0.018, minutes=30.0, pain_before=6, pain_after=3,
...                     notes="=1+1, then rest", started_at=datetime(2026, 3, 1, 9, tzinfo=UTC))
>>> print(sessions_csv([row], {1: "Ada"}), end="")
session_id,person_id,person,started_at_utc,program,site,intensity_mA,minutes,pain_before_0_10,pain_after_0_10,notes
1,1,Ada,2026-03-01T09:00:00+00:00,tens_conventional,forearm,18,30,6,3,"'=1+1, then rest"
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from estim.journal.records import SessionRecord
from estim.text import FORMULA_PREFIXES, plot_text, spreadsheet_cell

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["COLUMNS", "FORMULA_PREFIXES", "sessions_csv", "sessions_figure", "sessions_png"]

#: The CSV header: units in the names (mA, minutes, the 0–10 pain scale, UTC).
COLUMNS = ("session_id", "person_id", "person", "started_at_utc", "program", "site",
           "intensity_mA", "minutes", "pain_before_0_10", "pain_after_0_10", "notes")


def _number(value: float) -> str:
    return format(value, ".12g")  # round-trips what a dial or a form can give


def sessions_csv(sessions: Sequence[SessionRecord], people: Mapping[int, str]) -> str:
    """The sessions as CSV text (``\\r\\n`` line ends, as RFC 4180 says).

    :param people: person id -> name, for the ``person`` column.
    """
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for s in sessions:
        writer.writerow([
            s.id, s.person_id, spreadsheet_cell(people.get(s.person_id, "")),
            s.started_at.isoformat(), spreadsheet_cell(s.program), spreadsheet_cell(s.site),
            _number(s.intensity_a * 1e3),  # [A -> mA]
            _number(s.minutes), s.pain_before, s.pain_after, spreadsheet_cell(s.notes)])
    return out.getvalue()


def sessions_figure(sessions: Sequence[SessionRecord], *, title: str) -> Figure:
    """Pain before and after (top) and intensity (bottom) against the date of each session.

    Made with the object-oriented matplotlib API (no pyplot state, safe in a server's
    threads); each session's pain before and after are joined by a line, so relief reads as
    a drop.
    """
    import matplotlib.dates as mdates
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8.0, 5.5), dpi=100, layout="constrained")
    ax_pain, ax_current = fig.subplots(2, 1, sharex=True, height_ratios=(3, 2))
    count = len(sessions)
    # a $ started mathtext: "Smith $\frac{1}{" was a 500 (probe of 6 December 2026)
    fig.suptitle(f"{plot_text(_drawable(title)) or 'This person'}: pain and intensity over time "
                 f"({count} session{'s' if count != 1 else ''})")
    ax_pain.set_ylabel("pain (0–10 rating)")
    ax_pain.set_ylim(-0.5, 10.5)
    ax_pain.set_yticks(range(0, 11, 2))
    ax_current.set_ylabel("intensity (mA)")
    ax_current.set_xlabel("date (UTC)")
    for ax in (ax_pain, ax_current):
        ax.grid(True, alpha=0.3)
    if not sessions:
        ax_pain.text(0.5, 0.5, "no sessions recorded yet", transform=ax_pain.transAxes,
                     ha="center", va="center", color="0.4")
        ax_current.set_yticks([])
        ax_pain.xaxis_date()
        return fig
    when = [s.started_at for s in sessions]
    before = [s.pain_before for s in sessions]
    after = [s.pain_after for s in sessions]
    ax_pain.vlines(when, before, after, color="0.7", linewidth=1.5, zorder=1)
    ax_pain.plot(when, before, "o-", color="tab:red", label="before the session", zorder=2)
    ax_pain.plot(when, after, "v-", color="tab:blue", label="after the session", zorder=2)
    ax_pain.legend(loc="upper right", frameon=False)
    intensity_ma = [s.intensity_a * 1e3 for s in sessions]  # [A -> mA]
    ax_current.plot(when, intensity_ma, "s-", color="tab:green")
    ax_current.set_ylim(0, 1.2 * max(max(intensity_ma), 1.0))  # headroom above the highest
    span = max(when) - min(when)
    if span < timedelta(days=2):  # one day's sessions: that day, not years around it, and
        # sessions minutes apart drawn apart (on a two-day axis they drew one vertical line;
        # probe of 5 December 2026)
        pad = max(span * 0.15, timedelta(minutes=30)) if span else timedelta(hours=12)
        ax_current.set_xlim(min(when) - pad, max(when) + pad)
    locator = mdates.AutoDateLocator()
    ax_current.xaxis.set_major_locator(locator)
    ax_current.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    return fig


def _drawable(name: str) -> str:
    """``name`` where the plot's font draws every letter of it the right way round; empty
    otherwise (a Chinese name and an emoji drew as boxes, an Arabic one reversed: the page
    shows the name in HTML above the plot; probe of 5 December 2026)."""
    import unicodedata

    from matplotlib import font_manager, ft2font

    font = ft2font.FT2Font(font_manager.findfont(font_manager.FontProperties()))
    drawn = font.get_charmap()
    if any(unicodedata.bidirectional(c) in ("R", "AL") for c in name):
        return ""
    return name if all(c.isspace() or ord(c) in drawn for c in name) else ""


def sessions_png(sessions: Sequence[SessionRecord], *, title: str) -> bytes:
    """:func:`sessions_figure` as PNG bytes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = sessions_figure(sessions, title=title)
    FigureCanvasAgg(fig)
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()
