"""``estim fibers PROGRAM``: the program's fiber populations through the CLI."""

from __future__ import annotations

import json

import pytest

from estim.cli.main import main

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_fibers_for_a_program(capsys, tmp_path):
    assert main(["fibers", "tens_conventional", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report["classes"]) == {"abeta", "adelta", "motor"}
    assert report["classes"]["abeta"]["count"] == 60
    assert report["sensory_threshold_A"] < report["motor_threshold_A"]
    # the fraction at the programmed peak agrees with the window's own bookkeeping
    assert report["classes"]["motor"]["fraction_at_programmed"] == pytest.approx(
        report["recruited_at_programmed"]["motor"])


def test_fibers_for_dbs_is_refused_with_a_reason(capsys):
    assert main(["fibers", "dbs_stn"]) == 2
    assert "transcutaneous" in capsys.readouterr().err
