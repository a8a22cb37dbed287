"""Anything a user can type into the journal's fields is either accepted as a value in range
or refused with a JournalError naming that field: never another exception, NaN or a value
out of range (property tests)."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from estim.journal import JournalError, validate

TYPED = (st.text(max_size=30) | st.integers(-10**6, 10**6) | st.floats(allow_nan=True)
         | st.booleans() | st.none()
         | st.builds(lambda n, u: f"{n} {u}", st.floats(allow_nan=True) | st.integers(),
                     st.sampled_from(["mA", "A", "uA", "min", "h", "s", "V", "Hz", "mA*min",
                                      "", "kg", "°C", "1/s"])))


def _accepts_or_names(check: Callable[[object], object], field: str, value: object) -> object:
    try:
        return check(value)
    except JournalError as exc:
        assert exc.field == field
        assert str(exc).startswith(f"{field}: got ")
        return None


@settings(max_examples=300, deadline=None)
@given(value=TYPED)
def test_intensity_is_amperes_in_range_or_refused(value: object) -> None:
    out = _accepts_or_names(validate.intensity, "intensity", value)
    if out is not None:
        assert isinstance(out, float) and 0.0 <= out <= validate.MAX_INTENSITY_A


@settings(max_examples=300, deadline=None)
@given(value=TYPED)
def test_minutes_are_in_range_or_refused(value: object) -> None:
    out = _accepts_or_names(validate.minutes, "minutes", value)
    if out is not None:
        assert isinstance(out, float) and validate.MIN_MINUTES <= out <= validate.MAX_MINUTES


@settings(max_examples=300, deadline=None)
@given(value=TYPED)
def test_pain_is_a_whole_number_0_to_10_or_refused(value: object) -> None:
    out = _accepts_or_names(lambda v: validate.pain("pain_after", v), "pain_after", value)
    if out is not None:
        assert type(out) is int and 0 <= out <= 10


@settings(max_examples=300, deadline=None)
@given(value=st.text(max_size=120) | st.integers() | st.none())
def test_names_are_one_trimmed_line_or_refused(value: object) -> None:
    out = _accepts_or_names(validate.name, "name", value)
    if out is not None:
        assert isinstance(out, str) and out == out.strip() and 0 < len(out) <= 100
        assert "\n" not in out and "\x00" not in out


@pytest.mark.parametrize(("given_", "expected"), [
    ("20 mA", 0.020), ("0.5 A", 0.5), ("250 uA", 250e-6), ("0", None), (0, 0.0),
    (0.018, 0.018), ("18mA", 0.018)])
def test_intensity_units(given_: object, expected: float | None) -> None:
    if expected is None:  # a bare number in text: A or mA? refused, as the CLI does
        with pytest.raises(JournalError, match="with its unit"):
            validate.intensity(given_)
    else:
        assert validate.intensity(given_) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(("given_", "expected"), [
    ("30 min", 30.0), ("1 h", 60.0), ("90 s", 1.5), (45, 45.0), ("24 h", 1440.0),
    # the page sends text: "30" is 30 minutes, as 30 is (it was refused; probe)
    ("30", 30.0), (" 45 ", 45.0)])
def test_minutes_units(given_: object, expected: float) -> None:
    assert validate.minutes(given_) == pytest.approx(expected, rel=1e-12)
    assert math.isfinite(validate.minutes(given_))


# the Hangul filler and the blank Braille pattern are a letter and a sign that draw nothing:
# a blank entry in the person menu (hostile probe of 7 December 2026)
@pytest.mark.parametrize("blank", ["\u200b", "\ufeff", " \u200b ", "\u2060", "\u3164",
                                   "\u2800", " \uffa0"])
def test_a_name_of_invisible_characters_is_refused(blank: str) -> None:
    """A zero-width space or a byte-order mark alone was kept as a name (probe)."""
    with pytest.raises(JournalError, match="a letter, digit or sign"):
        validate.name(blank)


# tag characters outside a subdivision flag: "Ada" and two tags looked like a second Ada
@pytest.mark.parametrize("name", ["Al\u200bice", "Al\u00adice", "\ufeffAlice",
                                  "Ada\U000e0041\U000e0042", "Ada\u3164",
                                  "Ada \U0001f3f4\U000e0067\U000e0062"])
def test_an_invisible_character_inside_a_name_is_refused(name: str) -> None:
    """"Al\u200bice" was a second Alice that looks like the first, and
    "tens_conventional\u200b" a program the dial did not know (probe of 6 December 2026).
    The joiners and the direction marks that words in some scripts need stay allowed."""
    with pytest.raises(JournalError, match="invisible characters"):
        validate.name(name)
    with pytest.raises(JournalError, match="invisible characters"):
        validate.program(name)
    for kept in ("\u0645\u06cc\u200c\u0631\u0648\u0645", "Ana\u200d", "\u200fAna",
                 "\u061c\u0639\u0644\u064a", "\u1824\u180e\u1828",  # Arabic, Mongolian
                 "Iain \U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063"
                 "\U000e0074\U000e007f"):  # a subdivision flag's tags
        assert validate.name(kept) == kept.strip()


def test_a_line_separator_is_a_line_break_in_a_name() -> None:
    with pytest.raises(JournalError, match="one line"):
        validate.name("a\u2028b")
    assert validate.notes("a\u2028b") == "a\u2028b"  # notes span lines


@pytest.mark.parametrize("text", ["1e400 mA", "nan mA", "inf mA"])
def test_an_intensity_that_is_not_finite_is_said_so(text: str) -> None:
    """It was told to give "a current with its unit, such as '20 mA'", which it has; the
    dial says "a finite number" (probe of 6 December 2026)."""
    with pytest.raises(JournalError, match="expected a finite number"):
        validate.intensity(text)
    assert validate.intensity("20 ㎃") == 0.02  # one character for mA reads as mA
    # a number that rounds to 0 and mega-amperes (hostile probe of 7 December 2026)
    with pytest.raises(JournalError, match="rounds to 0"):
        validate.intensity("1e-400 mA")
    with pytest.raises(JournalError, match=r"M is mega; did you mean '20 mA'\?"):
        validate.intensity("20 MA")
