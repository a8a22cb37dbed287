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
        if c["threshold_min_A"] is not None and c["threshold_median_A"] is not None:
            assert c["threshold_min_A"] <= c["threshold_median_A"]
    # the median is the whole class's: every periosteal Aδ lies beyond the search, so it
    # has none; the motor axons' median matches their recruitment at one half
    assert report["classes"]["periosteal"]["threshold_median_A"] is None
    assert report["classes"]["periosteal"]["not_reached"] == 60
    motor = report["classes"]["motor"]
    # each class once: no second copy of the class data under other names
    assert "fibers" not in report and "recruited_at_programmed" not in report
    assert motor["leaving_tissue"] >= 0 and motor["local_responses"] >= 0


def test_a_class_median_counts_the_fibers_not_excited() -> None:
    """The median of the fibers that fired said 2.5 A for a periosteal class of which 43 of
    60 fired at no current searched (`estim fibers hvpc_wound`, probe of 5 December 2026)."""
    import numpy as np

    from estim.cli.fibers import _class_summary
    from estim.effects.populations import FiberClass
    from estim.effects.window import ClassThresholds

    def summary(thr: list[float]) -> dict:
        a = np.array(thr)
        zero = np.zeros_like(a)
        return _class_summary(ClassThresholds(FiberClass.PERIOSTEAL, a, zero, zero, "mrg"), 2.0)

    mostly_above = summary([1.0, 2.0, np.inf, np.inf, np.inf])
    assert mostly_above["threshold_median_A"] is None and mostly_above["not_reached"] == 3
    assert mostly_above["threshold_min_A"] == 1.0
    assert summary([1.0, 2.0, 3.0, np.inf, np.inf])["threshold_median_A"] == 3.0
    assert summary([1.0, 2.0, 3.0])["threshold_median_A"] == 2.0
    assert summary([np.inf])["threshold_min_A"] is None
    assert summary([1.0, 2.0, 3.0, np.nan])["threshold_median_A"] == 2.5  # NaN: above


def test_a_population_median_counts_the_fibers_not_excited() -> None:
    """The point search marks a fiber not excited NaN: the median read "not reached" as
    soon as one of them did not fire (review of 5 December 2026)."""
    import numpy as np

    from estim.cli.fibers import _population_summary

    out = _population_summary(np.array([0.05, 0.06, 0.07, np.nan]), 1.0)
    assert out["threshold_median_A"] == 0.065 and out["not_reached"] == 1
    assert out["threshold_max_A"] is None  # the highest is beyond the search
    assert _population_summary(np.array([0.05, np.nan, np.nan]), 1.0)[
        "threshold_median_A"] is None


def test_the_terminal_says_what_the_json_says(capsys, monkeypatch):
    """The terminal left out the notes (why a class reads "not reached"), the strong
    tingling threshold and the bands that --json carries (probe of 5 December 2026)."""
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["fibers", "tens_conventional"]) == 0
    text = capsys.readouterr().out
    assert "strong threshold:" in text and "p10–p90 over 20 virtual people" in text
    flat = " ".join(line.strip() for line in text.splitlines())  # as wrapped at 80
    assert "note: periosteal Aδ of the bone" in flat and "none excited below 250 mA" in flat
    assert "not excited within the search: " in flat and "periosteal 60 of 60" in flat
    assert " us " not in text and "e+0" not in text
    assert max(len(line) for line in text.splitlines()) <= 80


def test_fibers_for_dbs_is_refused_with_a_reason(capsys):
    assert main(["fibers", "dbs_stn"]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "transcutaneous" in err
    # and where to go instead (it was a dead end: DBS probe of 6 December 2026)
    assert "`estim run` gives the tissue the lead activates" in err, err
    assert "estim fibers --model mrg --diameter 5.7um" in err, err
    assert main(["fibers", "iontophoresis_dexamethasone"]) == 2
    assert "`estim run` gives the dose" in " ".join(capsys.readouterr().err.split())


def test_the_table_names_its_channel_and_what_the_device_drives(capsys, monkeypatch,
                                                                tmp_path) -> None:
    """The title said "under the cathode (peak current of the program's pulse)" whatever
    the channel, and a 3 V compliance's 60 mA was thresholded as delivered (probe of
    5 December 2026)."""
    from estim.program.bundled import bundled_examples

    monkeypatch.setenv("COLUMNS", "200")
    text = bundled_examples()["tens_conventional"].read_text(encoding="utf-8")
    path = tmp_path / "weak.toml"
    path.write_text(text.replace('compliance_voltage = "80 V"', 'compliance_voltage = "3 V"')
                    .replace('amplitude = "25 mA"', 'amplitude = "60 mA"'), encoding="utf-8")
    assert main(["fibers", str(path)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "fiber thresholds (peak current) under channel 1's cathode" in out
    assert "the device drives 9.24 mA of the programmed 60 mA" in out
    assert "peak current the device drives 9.24 mA (of 60 mA programmed)" in out
    assert main(["fibers", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["device_reach"]["limited"] is True
    assert data["programmed_peak_current_A"] == pytest.approx(
        data["device_reach"]["reach_A"], rel=1e-12)
