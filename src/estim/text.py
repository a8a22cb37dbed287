"""Text a user wrote, made safe for the terminal. Upstream of every face (safety tables,
report, CLI), so each escapes user text the same way."""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

__all__ = ["BIDI_CONTROLS", "FORMULA_PREFIXES", "current_text", "duration_text", "ohm_text",
           "percent_text", "plot_text", "readable",
           "spreadsheet_cell", "spreadsheet_file", "terminal_text", "wrap_keeping_units"]

#: Bidirectional embeddings, overrides and isolates: they reorder what follows them on a
#: terminal, a page or in a spreadsheet ("\u202eevil" shows as "live").
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# C0 and C1 control characters (ANSI escapes, carriage return, backspace...), the marks
# LRM and RLM and the bidirectional controls; tab is kept, newline on request.
_CONTROL = re.compile(f"[\x00-\x08\x0a-\x1f\x7f-\x9f\u200e\u200f{BIDI_CONTROLS}]")


def terminal_text(text: object, *, markup: bool = True, newlines: bool = False) -> str:
    """``text`` that a user wrote (a name, a description, a path), made safe to print
    literally: control characters written as escapes (``\\x1b``), and with ``markup`` the
    Rich markup escaped, so that ``[/]`` or ``[link=...]`` is shown, not interpreted.

    >>> terminal_text("Settings [/] per manual")
    'Settings \\\\[/] per manual'
    >>> print(terminal_text("red\\x1b[31m", markup=False))
    red\\x1b[31m

    :param markup: also escape Rich markup (for ``console.print``, tables, progress);
        ``False`` for plain ``print``.
    :param newlines: keep line breaks (descriptions); otherwise they are escaped too.
    """
    from rich.markup import escape

    def _visible(m: re.Match[str]) -> str:
        ch = m.group()
        return ch if newlines and ch == "\n" else ch.encode("unicode_escape").decode("ascii")

    shown = _CONTROL.sub(_visible, str(text))
    return escape(shown) if markup else shown


def plot_text(text: object) -> str:
    """User text as matplotlib draws it literally: control characters spelled out, and
    ``$`` escaped so that it does not start mathtext (``"$x^{$"`` raised, and ``"Ann $5 and
    $6"`` was drawn as italic maths).

    >>> plot_text("Ann $5")
    'Ann \\\\$5'
    """
    return terminal_text(text, markup=False).replace("$", r"\$")


_SCIENTIFIC = re.compile(r"(?<![\w.])[-+]?\d+(?:\.\d+)?e[-+]?\d+\b")
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def readable(text: str) -> str:
    """Numbers in computer notation written as people read them: ``1.25e+03`` as 1,250,
    ``2.958e+04`` as 29,580, ``2.5e-05`` as 0.000025, ``2.5e-08`` as 2.5 × 10⁻⁸, and
    rounding noise (``3e-28``) as 0. Every face prints its numbers through it (the report,
    the terminal, the check).

    >>> readable("at 1.25e+03 Hz, net 3e-28 µC, 2.5e-05 A, 2.958e+04 mJ, 2.5e-08 W")
    'at 1,250 Hz, net 0 µC, 0.000025 A, 29,580 mJ, 2.5 × 10⁻⁸ W'
    >>> readable("9.9996e-05 s, 1.5e+02 V")
    '0.0001 s, 150 V'
    """
    def one(m: re.Match[str]) -> str:
        x = float(m.group())
        if abs(x) < 1e-15:
            return "0"
        if 1e3 <= abs(x) < 1e9:  # to 4 significant figures, a whole number from 1,000 up
            return f"{float(f'{x:.4g}'):,.0f}"
        if 1e-6 <= abs(x) < 1e-4:
            # as the numbers beside it are written: a power density of "2.55 × 10⁻⁵ W/cm²"
            # stood above "0.0004 W/cm²" and a limit of 0.25 (probe of 6 December 2026)
            r = float(f"{x:.3g}")
            return f"{r:.{2 - math.floor(math.log10(abs(r)))}f}".rstrip("0").rstrip(".")
        rounded = f"{x:.3g}"
        if "e" not in rounded:  # 9.9996e-05 rounds to 0.0001, 1.5e+02 is 150: a traceback
            return rounded  # before (probe of 5 December 2026)
        mantissa, exponent = rounded.split("e")
        return f"{mantissa} × 10{str(int(exponent)).translate(_SUPERSCRIPT)}"

    return _SCIENTIFIC.sub(one, text)


#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def current_text(amps: float, digits: int = 3, *, smallest: str = "µA") -> str:
    """A current (A) in the unit that keeps its figure under 1,000: µA (or ``smallest``,
    ``"mA"``), mA or A.

    >>> current_text(1.08), current_text(0.0312), current_text(6.4e-7, 4)
    ('1.08 A', '31.2 mA', '0.64 µA')
    >>> current_text(1.74e-4, smallest="mA")
    '0.174 mA'
    """
    units = ((1e6, "µA"), (1e3, "mA"))
    for scale, unit in units[[u for _, u in units].index(smallest):]:
        if abs(amps) * scale < 1000 - 0.5 * 10 ** (3 - digits):
            return f"{readable(f'{amps * scale:.{digits}g}')} {unit}"
    return f"{readable(f'{amps:.{digits}g}')} A"


def duration_text(seconds: float, digits: int = 3) -> str:
    """A duration in the unit a person reads it in: ms below 1 s, then s, min and h.

    >>> duration_text(1e-3), duration_text(1.0), duration_text(600.0), duration_text(7200.0)
    ('1 ms', '1 s', '10 min', '2 h')
    """
    for top, scale, unit in ((1.0, 1e3, "ms"), (120.0, 1.0, "s"), (7200.0, 1 / 60, "min")):
        if abs(seconds) < top:
            return f"{readable(f'{seconds * scale:.{digits}g}')} {unit}"
    return f"{readable(f'{seconds / 3600:.{digits}g}')} h"


def ohm_text(ohms: float) -> str:
    """A resistance as people read it: '325 Ω', '24.5 kΩ', '1.2 MΩ' ('24491 Ω' was printed
    for a microcurrent load; probe of 6 December 2026).

    >>> ohm_text(325.4), ohm_text(24491.0), ohm_text(1.2e6)
    ('325 Ω', '24.5 kΩ', '1.2 MΩ')
    """
    rounded = float(f"{ohms:.3g}")  # the unit of the number written (9999.6 is 10 kΩ)
    for top, scale, unit in ((1e4, 1.0, "Ω"), (1e6, 1e-3, "kΩ")):
        if abs(rounded) < top:
            return f"{readable(f'{rounded * scale:.3g}')} {unit}"
    return f"{readable(f'{rounded * 1e-6:.3g}')} MΩ"


def percent_text(fraction: float) -> str:
    """A fraction as a percentage in a sentence (3 figures), written as the window's other
    percentages are: ``percent_text(0.0625)`` is '6.25%'."""
    return f"{readable(format(fraction * 100, '.3g'))}%"


def spreadsheet_cell(text: str) -> str:
    """A text cell of a CSV file that a person wrote (a name), protected against formula
    injection: one that a spreadsheet would run (``=HYPERLINK(...)``) gets a leading ``'``.

    >>> spreadsheet_cell("=1+1"), spreadsheet_cell("Ada")
    ("'=1+1", 'Ada')
    """
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def spreadsheet_file(csv_text: str) -> str:
    r"""A CSV file's text as estim writes it to disk: a UTF-8 byte-order mark first, so
    that Excel reads µs, µC and Ω in the headers as such (without it, as the ANSI code
    page's "Âµs"); Python's csv with ``utf-8-sig``, pandas and R skip it.

    >>> spreadsheet_file("a,b\n")[:2]
    '\ufeffa'
    """
    return csv_text if csv_text.startswith("\ufeff") else "\ufeff" + csv_text


#: Longest error message shown (a million-character key name is echoed in part).
MAX_MESSAGE = 2000


def one_line(err: object) -> str:
    """An error message on one line, as every face shows it: several problems joined with
    '; ', control characters spelled out, cut to :data:`MAX_MESSAGE` characters.

    >>> one_line("site: got 'moon'\\n  expected a site")
    "site: got 'moon'; expected a site"
    """
    text = "; ".join(part.strip() for part in str(err).splitlines() if part.strip())
    if len(text) > MAX_MESSAGE:
        text = f"{text[:MAX_MESSAGE]}... ({len(text) - MAX_MESSAGE} more characters)"
    return terminal_text(text, markup=False)


#: A number and the unit after it ("103 mA", "2.5 µs", "15 %", "0.4 mA/cm²"), and the
#: stand-in that keeps the space between them from being a place to wrap (a private-use
#: character of the same length: a no-break space is whitespace to rich, which wraps there).
_NUMBER_UNIT = re.compile(r"(\d)[ \u00a0](?=(?:[nµmkM]?(?:A|V|Ω|s|Hz|C|W|N|J)|mm³?|cm²?|%|min"
                          r"|h)(?:/[a-zA-Z²³]+)?(?!\w))")
_HELD_SPACE = "\ue000"


def wrap_plain_keeping_units(text: str, width: int) -> list[str]:
    """Plain ``text`` wrapped to ``width`` characters as :func:`textwrap.wrap` does, never
    between a number and its unit ("77.9" / "V/m" in ``estim field``'s lines; hostile
    probe of 7 December 2026).

    >>> wrap_plain_keeping_units("muscle at 11.2 mm, 77.9 V/m", 22)
    ['muscle at 11.2 mm,', '77.9 V/m']
    """
    import textwrap

    held = _NUMBER_UNIT.sub(lambda m: m.group(1) + _HELD_SPACE, text)
    return [line.replace(_HELD_SPACE, " ") for line in textwrap.wrap(held, max(1, width))]


def wrap_keeping_units(text: Text, console: Console, width: int) -> list[Text]:
    """``text`` wrapped to ``width`` cells on ``console``, never between a number and its
    unit ("pain from about 103" / "mA)" read as two things: probe, 6 December 2026), each
    line without trailing blanks.

    >>> from rich.console import Console
    >>> from rich.text import Text
    >>> [t.plain for t in wrap_keeping_units(Text("pain from about 103 mA"), Console(), 19)]
    ['pain from about', '103 mA']
    """
    held = text.copy()
    held.plain = _NUMBER_UNIT.sub(lambda m: m.group(1) + _HELD_SPACE, held.plain)
    lines = list(held.wrap(console, max(1, width)))
    for line in lines:
        line.plain = line.plain.replace(_HELD_SPACE, " ")
        line.rstrip()
    return lines
