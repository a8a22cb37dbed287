"""The calibration form's marks read by the fit endpoint's reader (``_marks``) on a stand-in
dial: every problem at once under its own box, a twitch below first felt asked about."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

pytest.importorskip("fastapi")

from fastapi import HTTPException

from estim.errors import InputError
from estim.web.device import MarksForm, _marks


@dataclass
class Dial:
    """What the reader asks of a prepared dial: its unit and its top."""

    unit: str = "A"
    max_amplitude_a: float = 0.1


def _problems(**marks: Any) -> dict[str, str]:
    with pytest.raises(InputError) as caught:
        _marks(MarksForm(**marks), Dial())  # type: ignore[arg-type]
    each = getattr(caught.value, "problems", None) or [caught.value]
    return {p.field: p.expected for p in each}


def test_both_required_marks_empty_are_each_flagged() -> None:
    """With both required boxes empty only the first was flagged (phone probe of 7
    December 2026)."""
    said = _problems(first_felt="", strong="")
    assert set(said) == {"first_felt", "strong"}
    assert all("this mark is required" in e for e in said.values())


def test_every_problem_is_said_at_once() -> None:
    said = _problems(first_felt="8", strong="5 mA", too_much="4 mA", ramp_minutes="30")
    assert set(said) == {"first_felt", "too_much", "ramp_minutes"}
    said = _problems(first_felt="8 mA", strong="5 mA", too_much="4 mA")
    assert said["strong"].startswith("above First felt ('8 mA')")
    assert said["too_much"] == "above Strong but comfortable ('5 mA')"


def test_a_twitch_below_first_felt_is_asked_about_naming_both() -> None:
    """A twitch at 5 mA under first felt 8 mA gave "Recommended intensity: 4.75 mA" without
    a word (phone probe of 7 December 2026); rare, not impossible (a pad on a motor point),
    so the person is asked, and a confirmed fit goes on."""
    form = {"first_felt": "8 mA", "strong": "20 mA", "twitch": "5 mA"}
    with pytest.raises(HTTPException) as caught:
        _marks(MarksForm(**form), Dial())  # type: ignore[arg-type]
    detail = caught.value.detail
    assert caught.value.status_code == 409 and detail["field"] == "twitch"
    assert detail["confirm"] is True
    assert "First twitch (5 mA) is below First felt (8 mA)" in detail["message"]
    marks, _ = _marks(MarksForm(**form, confirm=True), Dial())  # type: ignore[arg-type]
    assert marks.twitch == pytest.approx(0.005)


def test_a_twitch_below_first_felt_is_said_with_the_other_problems() -> None:
    said = _problems(first_felt="8 mA", strong="20 mA", twitch="5 mA", too_much="200 mA")
    assert set(said) == {"twitch", "too_much"}
    assert said["twitch"].startswith("at or above First felt ('8 mA')")


def test_a_twitch_is_not_held_to_a_too_much_that_is_refused() -> None:
    """First felt 8, strong 20, twitch 5 and too much 3 mA said under "First twitch" both
    "below Too much ('3 mA')" and "at or above First felt ('8 mA')", run together (hostile
    probe of 7 December 2026): too much is refused on its own, and the twitch gets one
    problem, not one it cannot meet."""
    said = _problems(first_felt="8 mA", strong="20 mA", twitch="5 mA", too_much="3 mA")
    assert set(said) == {"too_much", "twitch"}
    assert "below Too much" not in said["twitch"]
    assert said["twitch"].startswith("at or above First felt ('8 mA')")
