"""``estim fibers`` point-source form: JSON output, readable table, plots, bad input."""

from __future__ import annotations

import argparse
import json

import pytest

from estim.cli import fibers as cli
from estim.errors import InputError
from tests.conftest import REFERENCE_DIR


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="estim")
    cli.register(parser.add_subparsers(dest="command"))
    return parser.parse_args(argv)


def test_json_threshold(capsys: pytest.CaptureFixture[str]) -> None:
    args = _parse(["fibers", "--model", "mrg", "--diameter", "10um", "--distance", "1mm",
                   "--pulse-width", "0.1ms", "--sigma", "0.2", "--json"])
    assert cli.run(args) == 0
    out = json.loads(capsys.readouterr().out)
    ref = json.loads((REFERENCE_DIR / "neuron_fibers.json").read_text())
    (case,) = [c for c in ref["cases"] if c["model"] == "MRG" and c["diameter_um"] == 10.0
               and c["pulse_width_ms"] == 0.1]
    # 3 %: the tolerance against NEURON (a 1 % bisection on both sides)
    assert out["threshold_A"] == pytest.approx(case["threshold_uA"] * 1e-6, rel=0.03)
    assert out["initiation_nodes"] == [25]


def test_table_and_plots(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    args = _parse(["fibers", "--model", "sweeney", "--diameter", "10 um", "--distance",
                   "1 mm", "--pulse-width", "100 us", "-o", str(tmp_path)])
    assert cli.run(args) == 0
    text = capsys.readouterr().out
    assert "threshold" in text and "µA" in text
    assert (tmp_path / "strength_duration.png").stat().st_size > 0


@pytest.mark.parametrize("argv", [["--diameter", "10 mA"], ["--distance", "-1 mm"],
                                  ["--model", "squid"], ["--pulse-width", "abc"]])
def test_bad_input_raises_input_error(argv: list[str]) -> None:
    with pytest.raises(InputError):
        cli.run(_parse(["fibers", *argv]))
