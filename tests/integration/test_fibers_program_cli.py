"""``estim fibers PROGRAM``: the program's fiber populations through the CLI."""

from __future__ import annotations

import json

import pytest

from estim.cli.main import main

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_fibers_for_a_program(capsys, tmp_path):
    assert main(["fibers", "tens_conventional", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    # C fibers are in the default run (issue 8)
    # and the periosteal Aδ of the lumbar bone, 62 mm deep: none fires below their cap
    assert set(report["classes"]) == {"abeta", "adelta", "c", "motor", "periosteal"}
    assert report["classes"]["periosteal"]["threshold_min_A"] is None
    assert report["classes"]["abeta"]["count"] == 60
    assert report["classes"]["c"]["count"] == 40
    # at 200 µs the thinnest fibers are the least excitable: Aβ < Aδ < C (medians)
    med = {k: c["threshold_median_A"] for k, c in report["classes"].items()
           if k != "periosteal"}
    assert med["abeta"] < med["adelta"] < med["c"]
    assert report["sensory_threshold_A"] < report["motor_threshold_A"]
    # the programmed 25 mA lies below the motor threshold (34.5 mA with the calibrated
    # intramuscular branches): fewer than the motor criterion's 6.25 % of the motor axons
    # fire, the strong tingling without contraction conventional TENS prescribes;
    # thresholds of each class are ordered min <= median
    assert report["sensory_threshold_A"] < report["programmed_peak_current_A"]
    assert report["programmed_peak_current_A"] < report["motor_threshold_A"]
    assert report["classes"]["motor"]["fraction_at_programmed"] < 0.0625
    for c in report["classes"].values():
        if c["threshold_min_A"] is not None:
            assert c["threshold_min_A"] <= c["threshold_median_A"]


def test_fibers_for_dbs_is_refused_with_a_reason(capsys):
    assert main(["fibers", "dbs_stn"]) == 2
    assert "transcutaneous" in capsys.readouterr().err
