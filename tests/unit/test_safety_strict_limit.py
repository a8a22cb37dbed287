"""A limit its source states as "below" is exceeded at the limit itself: FDA's average power
density "below 0.25 W/cm²" passed at exactly 0.25 W/cm² (hostile probe of 7 December 2026).
Conventional TENS (25 mA, 200 µs, 80 Hz) on 2 × 2 mm pads puts exactly that into 500 Ω:
(25 mA)² × 500 Ω × 200 µs × 80 Hz = 5 mW over 0.04 cm² = 0.125 W/cm² a phase, and the
symmetric biphasic pulse has two phases, 0.25 W/cm²."""

from __future__ import annotations

import pytest

from estim.program import parse_program
from estim.program.bundled import bundled_examples
from estim.program.options import Verdict
from estim.safety import check


def _findings(side: str) -> list:
    text = bundled_examples()["tens_conventional"].read_text(encoding="utf-8")
    pads = 'width = "5 cm", length = "5 cm" }'
    assert text.count(pads) == 2
    report = check(parse_program(text.replace(pads, f'width = "{side}", length = "{side}" }}')))
    return [f for f in report.by_rule("fda.power_density")
            if f.setting is not None and f.setting.value == "programmed"]


def test_the_power_density_at_its_limit_fails_and_says_why() -> None:
    (f,) = _findings("2 mm")
    assert f.value == pytest.approx(f.limit, rel=1e-9)  # exactly at it: the closed form
    assert f.verdict is Verdict.FAIL
    assert "at the limit itself: the source asks for a value below it" in f.note


def test_below_the_limit_passes() -> None:
    (f,) = _findings("2.1 mm")  # (2/2.1)² × 0.25 = 0.227 W/cm²
    assert f.value == pytest.approx(f.limit * (2 / 2.1) ** 2, rel=1e-6)
    assert f.verdict is Verdict.PASS
