"""What the journal accepts, checked before anything is stored.

Every check raises :class:`JournalError` (an :class:`~estim.errors.InputError`) that names
the field, the value as given and what was expected, the one line the CLI and the web face
show. Nothing here touches the database.

>>> pain("pain_before", 11)
Traceback (most recent call last):
...
estim.journal.validate.JournalError: pain_before: got 11, expected a whole number from 0 ...10...
>>> intensity("20 mA")
0.02
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from types import MappingProxyType

from estim.errors import Described, InputError
from estim.text import BIDI_CONTROLS
from estim.units import NUMBER_RANGE_WORDS, mega_hint, parse_quantity

__all__ = [
    "MARKS",
    "MAX_FIT_CHARS",
    "MAX_INTENSITY_A",
    "MAX_MINUTES",
    "MAX_NAME_CHARS",
    "MAX_NOTES_CHARS",
    "MAX_PROGRAM_CHARS",
    "JournalError",
    "current",
    "fit",
    "intensity",
    "marks",
    "minutes",
    "name",
    "notes",
    "number_in_amperes",
    "pain",
    "person_id",
    "program",
    "site",
    "started_at",
]

#: Longest person name (characters).
MAX_NAME_CHARS = 100
#: Longest program name (characters): a mode id or a custom program's name.
MAX_PROGRAM_CHARS = 200
#: Longest note (characters): a page of text.
MAX_NOTES_CHARS = 10_000
#: Largest calibration fit, as JSON text (characters).
MAX_FIT_CHARS = 100_000
#: Longest session (minutes): a day.
MAX_MINUTES = 24 * 60.0
#: The shortest session the journal keeps (min): a second.
MIN_MINUTES = 1 / 60
#: Largest intensity (A). Above every stimulator estim models (high-voltage pulsed current
#: peaks at about 2 A); it catches milliamperes typed as amperes ("20" for 20 mA).
MAX_INTENSITY_A = 5.0
#: How far in the future a session may start: clocks and time zones of a browser differ.
FUTURE_SLACK = timedelta(days=1)
#: The calibration marks a person can set on the dial, in the order they are reached.
MARKS = ("first_felt", "strong", "twitch", "too_much")


#: Refused in journal text (:data:`estim.text.BIDI_CONTROLS`); the marks people type in
#: right-to-left text (U+200E, U+200F) and joiners stay allowed.
_BIDI = frozenset(BIDI_CONTROLS)
#: Refused in a one-line name: the format characters that only hide in it (a zero-width
#: space, a soft hyphen, the word joiner and the invisible operators, a byte-order mark).
#: The others are kept: the joiners of Persian, Indic and emoji, the direction marks, the
#: Arabic letter mark, the Mongolian vowel separator, an emoji flag's tags (a refusal of
#: every format character refused names in those; review of 6 December 2026).
_INVISIBLE = frozenset("\u200b\u00ad\u2060\u2061\u2062\u2063\u2064\ufeff"
                       # letters and a sign that draw nothing: the Hangul fillers and the
                       # blank Braille pattern made a blank-looking person in the menu
                       # (hostile probe of 7 December 2026)
                       "\u115f\u1160\u3164\uffa0\u2800")
#: An emoji tag sequence (a subdivision flag: a black flag, tags, a cancel tag): the only
#: place a tag character draws anything; elsewhere "Ada" with two tags after it looked like
#: a second Ada (hostile probe of 7 December 2026).
_TAG_FLAG = re.compile("\U0001F3F4[\U000E0020-\U000E007E]+\U000E007F")
_TAGS = re.compile("[\U000E0000-\U000E007F]")


class JournalError(InputError):
    """A value given to the journal is not acceptable; nothing was stored."""


def _text(field: str, value: object, *, max_chars: int, required: bool,
          multiline: bool) -> str:
    if not isinstance(value, str):
        raise JournalError(field, value, "text")
    if required and not value.strip():
        raise JournalError(field, value, "a non-empty text")
    if len(value) > max_chars:
        raise JournalError(field, value[:40] + "...", f"at most {max_chars} characters "
                           f"(got {len(value)})")
    if required and not any(unicodedata.category(c)[0] in "LNPS" and c not in _INVISIBLE
                            for c in value):
        # a zero-width space or a byte-order mark alone was kept: a blank-looking name
        # (probe of 5 December 2026)
        raise JournalError(field, value, "a text with a letter, digit or sign in it (not "
                           "only spaces or invisible characters)")
    allowed = "\n\r\t" if multiline else ""  # a textarea's line breaks come as \r\n
    # the line and paragraph separators (U+2028, U+2029) break a line as \n does; in a
    # one-line name an invisible format character (a zero-width space, a soft hyphen) made
    # "tens_conventional\u200b" a program the dial did not know, kept at 900 mA, and
    # "Al\u200bice" a second Alice (probe of 6 December 2026)
    breaks = ("Cc", "Cs") if multiline else ("Cc", "Cs", "Zl", "Zp")
    hidden = _INVISIBLE if not multiline else frozenset()
    tags = _TAGS.search(_TAG_FLAG.sub("", value)) if not multiline else None
    bad = next((c for c in value if (unicodedata.category(c) in breaks or c in _BIDI
                                     or c in hidden) and c not in allowed),
               tags.group() if tags else None)
    if bad is not None:
        # NUL is refused by PostgreSQL, lone surrogates by every UTF-8 store, and a line
        # break in a name would break a one-line display.
        what = "text without control characters" if multiline else \
            "one line of text without control or invisible characters"
        raise JournalError(field, value, f"{what} (found {bad!r})")
    return value.strip() if not multiline else value


def name(value: object) -> str:
    """A person's name: one line, 1–:data:`MAX_NAME_CHARS` characters, trimmed."""
    return _text("name", value, max_chars=MAX_NAME_CHARS, required=True, multiline=False)


def notes(value: object) -> str:
    """Free text (may be empty, may span lines), kept exactly as typed."""
    return _text("notes", value, max_chars=MAX_NOTES_CHARS, required=False, multiline=True)


def program(value: object) -> str:
    """A program's name (a mode id such as ``tens_conventional`` or a custom name)."""
    return _text("program", value, max_chars=MAX_PROGRAM_CHARS, required=True,
                 multiline=False)


def site(value: object) -> str:
    """A body site: one of :data:`estim.fields.sites.SITE_NAMES`."""
    from estim.fields.sites import SITE_NAMES

    text = _text("site", value, max_chars=MAX_PROGRAM_CHARS, required=True, multiline=False)
    if text not in SITE_NAMES:
        raise JournalError("site", value, f"one of {', '.join(SITE_NAMES)}")
    return text


def program_at_site(program_name: str, site_name: str) -> None:
    """A bundled program's lead on a brain site and its pads on the skin: a session of
    ``tens_conventional`` at ``brain`` and of ``dbs_stn`` at ``lower_back`` were stored
    (probe of 6 December 2026). A custom program's name says nothing, and any site goes."""
    from estim.fields.sites import BRAIN_SITES, SITE_NAMES
    from estim.program.bundled import bundled_examples
    from estim.program.loader import load_program

    path = bundled_examples().get(program_name)
    if path is None:
        return
    lead = load_program(path).site.name in BRAIN_SITES
    if lead != (site_name in BRAIN_SITES):
        where = ", ".join(s for s in SITE_NAMES if (s in BRAIN_SITES) == lead)
        what = "a lead in the brain" if lead else "pads on the skin"
        raise JournalError("site", site_name, f"a site {program_name} goes on ({what}): "
                           f"{where}")


#: Largest id the journal's tables hold: their id columns are SQL INTEGERs, 32-bit on
#: PostgreSQL. Above 2**63 - 1 SQLite raised OverflowError (probe of 5 December 2026), and
#: above 2**31 - 1 PostgreSQL "integer out of range", an HTTP 500 that blamed a row edited
#: outside estim (probe of 7 December 2026): no person has such an id on either.
MAX_ID = 2**31 - 1


def person_id(value: object) -> int:
    """A positive whole number (whether that person exists is checked in the transaction)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise JournalError("person_id", value, "the id of a person in the journal (a "
                           f"whole number from 1 to {MAX_ID:,})")
    return value


def pain(field: str, value: object) -> int:
    """A pain rating on the 0–10 numeric rating scale: a whole number, as ``int`` or text."""
    expected = "a whole number from 0 (no pain) to 10 (worst imaginable)"
    if isinstance(value, str) and value.strip().isdecimal() and value.strip().isascii():
        number: object = int(value.strip())
    else:
        number = value
    if isinstance(number, float) and number.is_integer():
        number = int(number)
    if isinstance(number, bool) or not isinstance(number, int) or not 0 <= number <= 10:
        raise JournalError(field, Described("null") if value is None else value, expected)
    return number


def _is_voltage(text: str) -> bool:
    try:
        parse_quantity(text, "voltage", field="")
    except InputError:
        return False
    return True


def _number(field: str, value: object, dimension: str, expected: str, *,
            to_si: float = 1.0) -> float:
    """A float as given (already in the journal's unit), or a text with units (``"20 mA"``)
    converted to SI and divided by ``to_si``."""
    if isinstance(value, str):
        try:
            return parse_quantity(value, dimension, field=field) / to_si
        except InputError as err:
            if err.expected in NUMBER_RANGE_WORDS:
                # "1e400 mA" (and "1e-400 mA", hostile probe of 7 December 2026) was told
                # to give "a current with its unit", which it has; the dial says why
                # (probe of 6 December 2026)
                raise JournalError(field, value, err.expected) from None
            if dimension == "current" and _is_voltage(value):
                # "this one's dial is in volts" was said of conventional TENS too (probe):
                # a program set in volts is refused by name where it is known
                expected = (f"{expected} ({value.strip()!r} is a voltage: the journal keeps "
                            "the currents of current-controlled programs)")
            raise JournalError(field, value, expected) from None
    if isinstance(value, bool) or not isinstance(value, int | float):
        # a JSON null is shown as null, not '(missing)': the field was sent (probe)
        raise JournalError(field, Described("null") if value is None else value, expected)
    try:
        out = float(value)
    except OverflowError:  # a 400-digit JSON integer: an HTTP 500 before (review)
        out = math.inf
    if not math.isfinite(out):
        raise JournalError(field, value, "a finite number")
    return out


def intensity(value: object) -> float:
    """The intensity (A): a float in amperes, or a text with units (``"20 mA"``).

    :returns: amperes, 0–:data:`MAX_INTENSITY_A`.
    """
    # a text names its unit ("20 mA"): a bare "0.02" or "20" is refused, as a number is
    # read in amperes only when it is sent as a number (the page's text box was told to
    # type "amperes", which it could never send; probe of 5 December 2026)
    amps = _number("intensity", value, "current", _current_expected(value))
    if not 0.0 <= amps <= MAX_INTENSITY_A:
        raise JournalError("intensity", value, f"a current from 0 to {MAX_INTENSITY_A:g} A"
                           + number_in_amperes(value)
                           + mega_hint(value))
    return amps


def _current_expected(value: object) -> str:
    """What a current should have been, in the words its form needs."""
    return ("a current with its unit, such as '20 mA'" if isinstance(value, str)
            else "a current in amperes, or a text with units such as '20 mA'")


def number_in_amperes(value: object) -> str:
    """The hint a current sent as a number needs (it is read in amperes); none for a text,
    whose unit is its own."""
    return "" if isinstance(value, str) else " (a number is in amperes: 20 mA is 0.02)"


def current(field: str, value: object) -> float:
    """A current (A) as :func:`intensity` reads it, without its range."""
    return _number(field, value, "current", _current_expected(value))


#: A number as people type it: digits, a point, an exponent (no "1_0", no "infinity").
_PLAIN_NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")  # ASCII


def minutes(value: object) -> float:
    """How long the session lasted (min): a float in minutes, or a text (``"30 min"``).

    :returns: minutes, more than 0 and at most :data:`MAX_MINUTES`.
    """
    typed = value  # said as typed: "1441" read "got 1441.0" (hostile probe, 7 December)
    if isinstance(value, str) and _PLAIN_NUMBER.fullmatch(value.strip()):
        # the page sends its fields as text: "30" is 30 minutes, as the number 30 is (it was
        # refused as "a number of minutes"; probe of 5 December 2026); not Python's own
        # forms ("1_0", "nan")
        number = float(value.strip())
        if not math.isfinite(number):  # "1e400"
            raise JournalError("minutes", value, "a finite number of minutes")
        value = number
    out = _number("minutes", value, "time", "a number of minutes, or a duration with units "
                  "such as '30 min'", to_si=60.0)  # [s -> min] for a text with units
    # from a second: '200 us', a pulse width typed into the wrong box, was kept as 3.3e-06
    # minutes (probe of 5 December 2026)
    if not MIN_MINUTES <= out <= MAX_MINUTES:
        raise JournalError("minutes", typed, f"a session of a second (1/60 min) to "
                           f"{MAX_MINUTES:g} minutes (a day)")
    return out


def started_at(value: object, *, now: datetime | None = None) -> datetime:
    """When the session started, as an aware UTC datetime.

    A naive datetime is read as the machine's local time (what a browser's date field and
    ``datetime.now()`` give). ``None`` means now.
    """
    current = now or datetime.now(UTC)
    if value is None:
        return current
    if not isinstance(value, datetime):
        raise JournalError("started_at", value, "a date and time")
    aware = value.astimezone(UTC)  # a naive datetime is taken as local time
    if aware.year < 1970 or aware > current + FUTURE_SLACK:
        raise JournalError("started_at", value.isoformat(), "a time from 1970 up to now "
                           "(a session that has happened)")
    return aware


def marks(value: object) -> Mapping[str, float | None]:
    """Calibration marks read off the dial (A): ``first_felt`` and ``strong`` required,
    ``twitch`` and ``too_much`` optional; each positive and finite, ``first_felt`` below
    ``strong``, ``too_much`` above every other mark.
    """
    if not isinstance(value, Mapping):
        raise JournalError("marks", value, f"a mapping of {', '.join(MARKS)} to currents (A)")
    unknown = [key for key in value if key not in MARKS]
    if unknown:
        raise JournalError(f"marks.{unknown[0]}", value[unknown[0]],
                           f"only the marks {', '.join(MARKS)}")
    out: dict[str, float | None] = {}
    for key in MARKS:
        given = value.get(key)
        if given is None:
            if key in ("first_felt", "strong"):
                raise JournalError(f"marks.{key}", None, "a current (A); this mark is "
                                   "required")
            out[key] = None
            continue
        amps = _number(f"marks.{key}", given, "current", _current_expected(given))
        if not 0.0 < amps <= MAX_INTENSITY_A:
            raise JournalError(f"marks.{key}", given, f"a current above 0 and at most "
                               f"{MAX_INTENSITY_A:g} A")
        out[key] = amps
    first, strong = out["first_felt"], out["strong"]
    assert first is not None and strong is not None
    if not first < strong:
        raise JournalError("marks.strong", value["strong"],
                           f"a current above first_felt ({first:g} A)")
    too_much = out["too_much"]
    if too_much is not None:
        highest = max(v for k, v in out.items() if v is not None and k != "too_much")
        if not too_much > highest:
            raise JournalError("marks.too_much", value["too_much"],
                               f"a current above every other mark ({highest:g} A)")
    return MappingProxyType(out)


def fit(value: object) -> str:
    """A fitted person model as JSON text: a mapping of names to finite numbers, text,
    lists and mappings, at most :data:`MAX_FIT_CHARS` characters once written."""
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise JournalError("fit", value, "a mapping with text keys")
    try:
        text = json.dumps(dict(value), allow_nan=False, sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise JournalError("fit", _short(value), f"plain data (numbers, text, lists) with "
                           f"finite numbers: {exc}") from None
    if len(text) > MAX_FIT_CHARS:
        raise JournalError("fit", _short(value), f"at most {MAX_FIT_CHARS} characters of "
                           f"JSON (got {len(text)})")
    return text


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:60] + "..."
