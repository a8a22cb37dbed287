"""The docstring examples of the public API run (STYLE.md: a docstring opens with a runnable
example). Only the fast ones are collected here: none solves a field or a fiber."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

MODULES = (
    "estim",
    "estim.setup",
    "estim.parallel",
    "estim.simulate",
    "estim.cli.common",
    "estim.program.common",
    "estim.fibers.protocols",
    "estim.fibers.cable",
    "estim.text", "estim.progress", "estim.stimulator.engine", "estim.fibers.thresholds",
    "estim.report.page", "estim.report.terminal", "estim.sweep.text", "estim.report.html",
    "estim.report.body_rows",
    "estim.effects.subjects", "estim.effects.sensation",
    "estim.effects.placement", "estim.effects.resolution",
    "estim.effects.drive",
    "estim.fields.sites", "estim.fields.points",
    "estim.units",
    "estim.safety.table",
    "estim.cli.fibers", "estim.report.fiber_text",
    "estim.effects.dbs",
    "estim.report.field_numbers", "estim.sweep.page",
    "estim.sweep.population", "estim.sweep.point",
    "estim.skin",
    "estim.safety.render",
    "estim.safety.verdicts",
    "estim.safety.rules",
    "estim.program.writer",
    "estim.report.check_tables",
    "estim.errors",
    "estim.program.errors",
    "tests.programs",  # the tests' program builder shows what it writes
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
                             verbose=False)
    assert result.attempted > 0, f"{name} has no docstring example"
    assert result.failed == 0


README = Path(__file__).resolve().parents[2] / "README.md"


def _readme_python() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Python\n", 1)[1]
    return section.split("```python\n", 1)[1].split("```", 1)[0]


@pytest.mark.slow
def test_the_readme_python_example_prints_what_the_readme_says(capsys) -> None:
    exec(compile(_readme_python(), "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "safety: pass" in out
    threshold = float(out.split("sensory threshold:")[1].split("mA")[0])
    # the README quotes 4.8 mA (4.85 to three figures); the threshold search is 2 % precise
    assert threshold == pytest.approx(4.8, rel=0.05)
