"""Cheap points go several to a Dask task: each result still lands on its own point, a
failing point fails alone, and every finished point has its file."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from estim.program.bundled import bundled_examples
from estim.sweep import SweepOptions, parse_axis, plan_sweep, run_point, run_sweep
from estim.sweep.run import _MAX_BATCH, POINTS_FOLDER, _batch_size, run_batch

pytest.importorskip("distributed")

TENS = bundled_examples()["tens_conventional"]
SAFETY = SweepOptions(body=False)


@pytest.fixture(scope="module")
def client(dask_client: object) -> object:
    return dask_client


def test_batched_points_get_their_own_results(client: object, tmp_path: Path) -> None:
    # 24 points on 2 threads: tasks of 2 points (24 / (8 tasks x 2 threads), rounded up)
    plan = plan_sweep(TENS, [parse_axis("amplitude=1..60mA:12"),
                             parse_axis("pulse_width=100,200us")], options=SAFETY)
    assert _batch_size(len(plan.points), 2, body=False) == 2
    run = run_sweep(plan, tmp_path, client=client)  # type: ignore[arg-type]
    assert not run.errors and run.computed == 24
    for point, result in zip(plan.points, run.results, strict=True):
        assert result is not None
        assert result.outputs == run_point(point, SAFETY).outputs
        # the peak current is the point's own amplitude: no result landed on another point
        assert dict(result.outputs)["peak_current_mA"] == pytest.approx(
            dict(point.inputs)["amplitude_mA"], rel=1e-9)
        saved = json.loads((tmp_path / POINTS_FOLDER / f"{point.key}.json").read_text())
        assert saved["key"] == point.key and saved["inputs"] == [list(x) for x in point.inputs]


def test_the_current_into_500_ohm_is_what_the_compliance_lets_through() -> None:
    """A 1 V compliance read 25 mA in the sweep's columns beside the check's 2 mA into
    500 Ω (probe of 5 December 2026): the delivered peak has its own column."""
    plan = plan_sweep(TENS, [parse_axis("device.compliance_voltage=1,80V")], options=SAFETY)
    low, high = (dict(run_point(p, SAFETY).outputs) for p in plan.points)
    assert low["peak_current_mA"] == high["peak_current_mA"] == pytest.approx(25.0)
    assert low["peak_current_500_ohm_mA"] == pytest.approx(1.0 / 500 * 1e3)  # 2 mA
    assert high["peak_current_500_ohm_mA"] == pytest.approx(25.0)


def test_a_failing_point_fails_alone_in_its_task() -> None:
    plan = plan_sweep(TENS, [parse_axis("amplitude=10,20mA")], options=SAFETY)
    good, other = plan.points
    bad = dataclasses.replace(good, key="bad", program=json.dumps({"name": 3}))
    out = run_batch([good, bad, other], SAFETY)
    assert [key for key, _, _ in out] == [good.key, "bad", other.key]
    assert out[0][1] is not None and out[2][1] is not None and out[0][2] == out[2][2] == ""
    assert out[1][1] is None and out[1][2].startswith("ProgramError")


def test_batch_sizes() -> None:
    assert _batch_size(100, 2, body=True) == 1  # seconds a point: one point, one task
    assert _batch_size(10, 2, body=False) == 1
    assert _batch_size(200, 2, body=False) == 13  # 16 tasks of about 12.5 points
    assert _batch_size(100_000, 2, body=False) == _MAX_BATCH


@pytest.mark.parametrize(("column", "value"), [
    ("peak_current_mA", "forty"),  # text in a number's column
    ("peak_current_mA", float("nan")),
    ("peak_current_mA", float("inf")),
    ("peak_current_mA", True),
    ("safety_verdict", "fine"),  # not one of the column's words
    ("colour_mA", 1.0),  # no such column
])
def test_a_point_file_that_does_not_hold_what_a_point_writes_is_computed_again(
        tmp_path: Path, column: str, value: object) -> None:
    """A finished point's file is read back on a rerun. One edited by hand (or by another
    version) held text where a number goes, NaN or inf: the table then failed with a
    pyarrow traceback or showed nan and inf. Such a file is not a result: the point runs
    again."""
    from estim.sweep.run import _outputs_digest, _read_point

    plan = plan_sweep(TENS, [parse_axis("amplitude=10mA")], options=SAFETY)
    point = plan.points[0]
    result = run_point(point, SAFETY)
    path = tmp_path / "p.json"
    outputs = [list(x) for x in result.outputs]
    good = {"key": point.key, "outputs": outputs, "outputs_digest": _outputs_digest(outputs),
            "seconds": 0.1}
    path.write_text(json.dumps(good))
    assert _read_point(path, point.key) == dataclasses.replace(result, seconds=0.1)
    bad = dict(good, outputs=[*good["outputs"], [column, value]])
    path.write_text(json.dumps(bad))  # NaN and Infinity as Python's json writes them
    assert _read_point(path, point.key) is None


def test_a_point_file_whose_numbers_were_edited_is_computed_again(tmp_path: Path) -> None:
    """An r.m.s. edited to 999 mA at a 10 mA peak was read back as computed, beside a
    'pass' (probe of 5 December 2026): the file's digest of its outputs no longer holds."""
    from estim.sweep.run import _point_json, _read_point

    plan = plan_sweep(TENS, [parse_axis("amplitude=10mA")], options=SAFETY)
    point = plan.points[0]
    result = run_point(point, SAFETY)
    path = tmp_path / "p.json"
    path.write_text(_point_json(point, result))
    assert _read_point(path, point.key) is not None
    data = json.loads(path.read_text())
    data["outputs"] = [[n, 999.0 if n == "rms_current_mA" else v] for n, v in data["outputs"]]
    path.write_text(json.dumps(data))
    assert _read_point(path, point.key) is None
    del data["outputs_digest"]  # a file without one: an older version's, computed again
    path.write_text(json.dumps(dict(data, outputs=json.loads(_point_json(point, result))[
        "outputs"])))
    assert _read_point(path, point.key) is None


def test_a_point_file_that_is_a_pipe_a_device_or_huge_is_computed_again(tmp_path: Path
                                                                        ) -> None:
    """A named pipe in a point's place hung a resumed sweep, and a link to /dev/zero filled
    the memory (hostile probe of 7 December 2026): neither is read, nor a file larger than
    any point writes; the point is computed again. A folder there is named as the point's
    path when the point is written, not the temporary file beside it."""
    import os

    from estim.outputs import write_output_file
    from estim.sweep.run import _MOST_POINT_BYTES, _read_point

    key = "0123456789abcdef01234567"
    pipe = tmp_path / "pipe.json"
    os.mkfifo(pipe)
    zero = tmp_path / "zero.json"
    zero.symlink_to("/dev/zero")
    huge = tmp_path / "huge.json"
    huge.write_bytes(b" " * (_MOST_POINT_BYTES + 1))
    assert [_read_point(p, key) for p in (pipe, zero, huge)] == [None, None, None]
    folder = tmp_path / f"{key}.json"
    (folder / "x").mkdir(parents=True)
    with pytest.raises(OSError) as caught:
        write_output_file(folder, "{}", force=True)
    assert caught.value.filename == str(folder)


def test_estims_warnings_on_a_worker_come_back_as_notes() -> None:
    """A point's warnings (a layer outside its usual range) were printed by each Dask worker
    as Python's file-and-line warnings beside the command's own one-line ones; they come
    back with the result, once each, and the sweep says them as its other warnings."""
    import warnings

    from estim.errors import EstimWarning

    with pytest.warns(EstimWarning):  # the plan validates every point and says it once
        plan = plan_sweep(TENS, [parse_axis("site.fat_thickness=200mm")], options=SAFETY)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing escapes the point
        result = run_point(plan.points[0], SAFETY)
    assert len(result.notes) == 1 and "'200 mm' is outside the usual range" in result.notes[0]


def test_a_point_says_which_rule_fails_and_at_which_setting(tmp_path: Path) -> None:
    """A 5 ms pulse at 25 mA fails IEC's r.m.s. limit only at the device maximum (89 mA
    r.m.s.), while the row's r.m.s. column read the programmed 22 mA: the row said neither
    which rule nor where (probe of 5 December 2026). The words survive a resume."""
    from estim.sweep.run import _read_point

    plan = plan_sweep(TENS, [parse_axis("pulse_width=200,5000us")], options=SAFETY)
    short, long = (dict(run_point(p, SAFETY).outputs) for p in plan.points)
    assert short["safety_not_passed"] is None
    assert long["safety_not_passed"] == ("iec.rms.le400 fail at the device maximum; "
                                         "iec.current_density warn at the device maximum")
    run = run_sweep(plan, tmp_path, workers=1)
    point = plan.points[1]
    back = _read_point(tmp_path / POINTS_FOLDER / f"{point.key}.json", point.key)
    assert back is not None and dict(back.outputs) == dict(run.results[1].outputs)
    # a column of words is text in Parquet even where every point passes (a float column
    # there would not concatenate with another sweep's)
    import io

    import pyarrow.parquet as pq

    from estim.sweep.table import sweep_table

    passing = run_sweep(plan_sweep(TENS, [parse_axis("pulse_width=200,300us")],
                                   options=SAFETY), tmp_path / "passing", workers=1)
    schema = pq.read_table(io.BytesIO(sweep_table(passing).to_parquet())).schema
    assert str(schema.field("safety_not_passed").type) == "string"
    # counts are whole numbers in the CSV (it read 1.0 rules failed)
    rows = sweep_table(run).to_csv().splitlines()
    header = rows[0].split(",")
    failures = [r.split(",")[header.index("safety_failures")] for r in rows[1:]]
    assert failures == ["0", "1"]
    # a virtual subject is a whole number too (it read 0.0, 1.0; docs probe)
    subjects = run_sweep(plan_sweep(TENS, [parse_axis("subject=0,1")], options=SAFETY),
                         tmp_path / "subjects", workers=1)
    rows = sweep_table(subjects).to_csv().splitlines()
    column = rows[0].split(",").index("subject")
    assert [r.split(",")[column] for r in rows[1:]] == ["0", "1"]
    # and whole numbers in the Parquet as in the CSV (subject was a double there; probe)
    table = pq.read_table(io.BytesIO(sweep_table(subjects).to_parquet()))
    assert str(table.schema.field("subject").type) == "int64"
    assert str(table.schema.field("safety_failures").type) == "int64"
    assert table.column("subject").to_pylist() == [0, 1]


def test_a_refused_scheduler_leaves_no_folder(tmp_path: Path) -> None:
    """The points/ folder was made before the cluster: a scheduler refused left it empty,
    and the next sweep into the folder was refused for it (probe of 5 December 2026)."""
    from estim.errors import InputError

    plan = plan_sweep(TENS, [parse_axis("amplitude=10mA")], options=SAFETY)
    with pytest.raises(InputError, match="--scheduler"):
        run_sweep(plan, tmp_path / "sx", scheduler="http://foo")
    assert not (tmp_path / "sx").exists()


def test_a_cell_of_several_verdicts_shows_the_worst() -> None:
    """Over a further axis (or subjects) a heatmap cell took the median: pass, pass, fail
    was drawn green, pass and fail amber (review of 5 December 2026). A verdict shows the
    worst; a sensation a level one of the points has; a number the median."""
    from estim.sweep.page import _middle
    from estim.sweep.point import OUTPUTS
    from estim.sweep.table import Column

    out = {o.name: o for o in OUTPUTS}
    verdict = Column("safety_verdict", (), "output", out["safety_verdict"])
    assert _middle(verdict, [0.0, 0.0, 2.0]) == 2.0  # pass, pass, fail: fail
    sensation = Column("sensation", (), "output", out["sensation"])
    assert _middle(sensation, [1.0, 2.0]) in (1.0, 2.0)
    number = Column("sensory_threshold_mA", (), "output", out["sensory_threshold_mA"])
    assert _middle(number, [1.0, 2.0, 10.0]) == 2.0
    # a safety quantity shows the worst: 0, 0 and 1 rules failed was drawn as 0, and the
    # r.m.s. current's median hid a point over the IEC limit (probe of 6 December 2026)
    for name in ("safety_failures", "safety_warnings", "peak_current_mA", "rms_current_mA",
                 "max_phase_charge_uC", "current_density_mA_per_cm2"):
        assert _middle(Column(name, (), "output", out[name]), [0.0, 0.0, 1.0]) == 1.0, name


def test_a_points_numbers_carry_no_conversion_noise() -> None:
    """9.499999999999998 mA in the CSV where the check's table says 9.5 (probe of
    5 December 2026): 12 significant figures, below any model's precision."""
    from estim.sweep.point import _finite

    assert _finite(9.499999999999998) == 9.5
    assert _finite(float("nan")) is None and _finite("pass") == "pass"
    assert _finite(1.2345678901234e-7) == 1.23456789012e-7


def test_a_dbs_point_carries_the_tissue_it_activates() -> None:
    """A DBS sweep gave the safety columns only (probe of 5 December 2026): each point has
    the current, the volume and the cathode's radius of its own setting, the volume the
    one estim's activation gives for that setting."""
    from estim.effects.dbs import dbs_activation
    from estim.waveforms.build import stimuli_for

    dbs = bundled_examples()["dbs_stn"]
    plan = plan_sweep(dbs, [parse_axis("amplitude=1,5mA")], options=SweepOptions())
    out = [dict(run_point(p, SweepOptions()).outputs) for p in plan.points]
    assert [o["dbs_current_mA"] for o in out] == pytest.approx([1.0, 5.0])
    assert out[0]["activated_volume_mm3"] < out[1]["activated_volume_mm3"]
    program = plan.points[1].load()
    direct = dbs_activation(program, stimuli_for(program), sweep_steps=0)
    assert out[1]["activated_volume_mm3"] == pytest.approx(direct.volume_m3 * 1e9, rel=1e-9)
    assert out[1]["activation_radius_mm"] == pytest.approx(
        direct.contacts[0].radius_m * 1e3, rel=1e-9)
    # whether the region reaches the modelled grid's edge, as estim run says it: a capped
    # 8 mm read as exact in the table (probe of 6 December 2026)
    assert [o["activation_at_grid_edge"] for o in out] == ["no", "no"] and \
        not direct.beyond_grid
    wide = plan_sweep(dbs, [parse_axis("amplitude=10mA"), parse_axis("pulse_width=450us")],
                      options=SweepOptions())
    (edge,) = [dict(run_point(p, SweepOptions()).outputs) for p in wide.points]
    assert edge["activation_at_grid_edge"].startswith("yes: ")
    # and the run's words, which the report's summary reads first, say "at least" (it
    # read "904 mm³ ... radius 6.3 mm"; DBS researcher's probe of 7 December 2026)
    from estim.effects.dbs import activation_for_run

    capped = wide.points[0].load()
    act, words = activation_for_run(capped, stimuli_for(capped))
    assert act is not None and act.beyond_grid
    assert words[0].startswith("DBS: at least ") and ", radius at least " in words[0]
    assert not activation_for_run(program, stimuli_for(program))[1][0].startswith(
        "DBS: at least")
    # its page names the implant's limits, not IEC 60601-2-10's (DBS probe of 6 December)
    from estim.sweep import _implanted

    assert _implanted(plan) and not _implanted(
        plan_sweep(bundled_examples()["tens_conventional"], [parse_axis("amplitude=5mA")],
                   options=SweepOptions()))


def test_a_dbs_point_has_its_charge_density_and_shannons_k_as_numbers() -> None:
    """A DBS sweep's rows read "fail" beside the peak and r.m.s. alone, where the charge
    density per phase and Shannon's k decide the verdict (DBS researcher's probe of
    7 December 2026): both as columns. 3 mA for 60 µs on the 3389's 0.0599 cm² contact
    is 0.18 µC, 3.01 µC/cm² and k = log10(3.01) + log10(0.18) = -0.266 (by hand);
    10 mA for 450 µs is 4.5 µC, 75 µC/cm², over the 30 that fails."""
    import math

    dbs = bundled_examples()["dbs_stn"]
    plan = plan_sweep(dbs, [parse_axis("amplitude=3,10mA"), parse_axis("pulse_width=60,450us")],
                      options=SAFETY)
    out = {tuple(v for _, v in p.inputs): dict(run_point(p, SAFETY).outputs)
           for p in plan.points}
    area_cm2 = math.pi * 0.127 * 0.15  # 1.27 mm x 1.5 mm ring
    low = out[(3.0, 60.0)]
    assert low["charge_density_uC_per_cm2"] == pytest.approx(0.18 / area_cm2, rel=1e-3)
    assert low["shannon_k"] == pytest.approx(math.log10(0.18 / area_cm2) + math.log10(0.18),
                                             abs=1e-3)
    high = out[(10.0, 450.0)]
    assert high["charge_density_uC_per_cm2"] == pytest.approx(4.5 / area_cm2, rel=1e-3)
    assert high["safety_verdict"] == "fail" and high["charge_density_uC_per_cm2"] > 30
    tens = plan_sweep(TENS, [parse_axis("amplitude=10mA")], options=SAFETY).points[0]
    assert "shannon_k" not in dict(run_point(tens, SAFETY).outputs)  # no implant


def test_a_segments_dbs_point_says_why_it_has_no_activation(tmp_path: Path) -> None:
    """A sweep with a directional lead's segment as the cathode left its activation columns
    out without a word, where estim run says why (DBS researcher's probe of 7 December
    2026): the point warns as the run says it."""
    text = bundled_examples()["dbs_stn"].read_text(encoding="utf-8")
    text = text.replace('lead = "medtronic_3389"', 'lead = "abbott_6172"').replace(
        'cathode = { placement = "lead_contact_1" }', 'cathode = { placement = "lead_contact_2a" }')
    assert 'lead_contact_2a' in text and "abbott_6172" in text
    path = tmp_path / "segment.toml"
    path.write_text(text, encoding="utf-8")
    (point,) = plan_sweep(path, [parse_axis("amplitude=1mA")], options=SweepOptions()).points
    out = dict(run_point(point, SweepOptions()).outputs)
    assert "activated_volume_mm3" not in out
    assert "DBS activation not computed: contact 2A is a segment" in str(out["warnings"])


def test_a_threshold_the_same_at_every_amplitude_is_a_line_over_the_pulse_width() -> None:
    """A threshold does not depend on the amplitude it is swept at: the heat map drew it
    as stripes along the amplitude (researcher's probe of 7 December 2026). It is a line
    over the pulse width, the page saying it is the same at every amplitude; an output
    that moves with both keeps its heat map."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    from estim.sweep.page import _plot
    from estim.sweep.point import OUTPUTS
    from estim.sweep.table import Column, SweepTable

    out = {o.name: o for o in OUTPUTS}
    widths = Column("pulse_width", (50.0, 200.0, 50.0, 200.0, 50.0, 200.0), "input",
                    label="pulse_width (µs)")
    amps = Column("amplitude", (5.0, 5.0, 20.0, 20.0, 40.0, 40.0), "input",
                  label="amplitude (mA)")
    sensory = Column("sensory_threshold_mA", (9.0, 4.0) * 3, "output",
                     out["sensory_threshold_mA"])
    ax = Figure().add_subplot()
    note = _plot(ax, SweepTable((widths, amps, sensory)), sensory)
    assert not ax.get_images()
    (line,) = ax.get_lines()
    assert list(line.get_xdata()) == [50.0, 200.0]
    assert list(line.get_ydata()) == [9.0, 4.0]
    assert note == "the same at every amplitude (mA)"
    # with a third axis it does depend on, a heat map over the two, the flat one said
    rates = Column("frequency", (2.0,) * 6 + (100.0,) * 6, "input", label="frequency (Hz)")
    three = SweepTable((Column("pulse_width", widths.values * 2, "input",
                               label="pulse_width (µs)"),
                        Column("amplitude", amps.values * 2, "input", label="amplitude (mA)"),
                        rates,
                        Column("pain_threshold_mA", (60.0, 20.0) * 3 + (45.0, 15.0) * 3,
                               "output", out["pain_threshold_mA"])))
    ax = Figure().add_subplot()
    assert _plot(ax, three, three.outputs[0]) == "the same at every amplitude (mA)"
    assert len(ax.get_images()) == 1 and ax.get_ylabel() == "frequency (Hz)"
    # one amplitude's threshold differs: a heat map, as before
    moved = Column("sensory_threshold_mA", (9.0, 4.0, 9.0, 4.0, 9.5, 4.0), "output",
                   out["sensory_threshold_mA"])
    ax = Figure().add_subplot()
    assert _plot(ax, SweepTable((widths, amps, moved)), moved) == ""
    assert len(ax.get_images()) == 1


def test_plots_put_an_axis_in_increasing_order_and_counts_on_whole_numbers() -> None:
    """Values given as 100, 5, 60, 20 mA drew a line from 5 to 100 mA as if the points
    between lay on it, and a heatmap's axes read 500, 50, 200 µs; a count of 0 everywhere
    had a colour bar from -0.1 to 0.1 (probe of 5 December 2026)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    from estim.sweep.page import _plot
    from estim.sweep.point import OUTPUTS
    from estim.sweep.table import Column, SweepTable

    out = {o.name: o for o in OUTPUTS}
    amps = Column("amplitude", (100.0, 5.0, 60.0, 20.0), "input", label="amplitude (mA)")
    peak = Column("peak_current_mA", (100.0, 5.0, 60.0, 20.0), "output", out["peak_current_mA"])
    ax = Figure().add_subplot()
    _plot(ax, SweepTable((amps, peak)), peak)
    (line,) = ax.get_lines()
    assert list(line.get_xdata()) == [5.0, 20.0, 60.0, 100.0]
    assert list(line.get_ydata()) == [5.0, 20.0, 60.0, 100.0]
    widths = Column("pulse_width", (500.0, 50.0, 200.0, 500.0, 50.0, 200.0), "input",
                    label="pulse_width (µs)")
    amp2 = Column("amplitude", (40.0, 40.0, 40.0, 5.0, 5.0, 5.0), "input", label="amplitude")
    fails = Column("safety_failures", (0,) * 6, "output", out["safety_failures"])
    ax = Figure().add_subplot()
    _plot(ax, SweepTable((widths, amp2, fails)), fails)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["50", "200", "500"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["5", "40"]
    (image,) = ax.get_images()
    assert image.get_clim() == (-0.5, 1.5)  # whole numbers from 0, not -0.1 to 0.1
    # a small grid says each cell's value in it, read off the colour bar before
    # (clinician's probe of 7 December 2026); a verdict by its word
    assert sorted(t.get_text() for t in ax.texts) == ["0"] * 6
    peaks = Column("peak_current_mA", (12.5, 1.0, 3.0, 4.0, 5.0, 6.0), "output",
                   out["peak_current_mA"])
    ax = Figure().add_subplot()
    _plot(ax, SweepTable((widths, amp2, peaks)), peaks)
    cells = {(t.get_position(), t.get_text()) for t in ax.texts}
    # x 50, 200, 500 µs and y 5, 40 mA: (500 µs, 40 mA) is column 2, row 1
    assert cells == {((2, 1), "12.5"), ((0, 1), "1"), ((1, 1), "3"), ((2, 0), "4"),
                     ((0, 0), "5"), ((1, 0), "6")}
    verdict = Column("safety_verdict", ("pass", "fail", "pass", "warn", "pass", "pass"),
                     "output", out["safety_verdict"])
    ax = Figure().add_subplot()
    _plot(ax, SweepTable((widths, amp2, verdict)), verdict)
    assert sorted(t.get_text() for t in ax.texts) == ["fail", "pass", "pass", "pass", "pass",
                                                      "warn"]
    # a sensation by its words before the comma, wrapped to its cell, and none where they
    # do not fit: "strong tingling, no contraction" ran over the cells either side of a
    # 4 x 4 grid (researcher's probe of 7 December 2026)
    levels = out["sensation"].levels
    w4 = Column("pulse_width", tuple(float(w) for w in (50, 100, 200, 400) * 4), "input",
                label="pulse_width (µs)")
    a4 = Column("amplitude", tuple(float(a) for a in [5] * 4 + [15] * 4 + [25] * 4 + [40] * 4),
                "input", label="amplitude (mA)")
    felt = Column("sensation", tuple(levels[k % len(levels)] for k in range(16)), "output",
                  out["sensation"])
    for width, labelled in ((6.4, True), (3.6, False)):  # the page's width; a narrow one
        fig = Figure(figsize=(width, 4.0), layout="constrained")
        ax = fig.add_subplot()
        _plot(ax, SweepTable((w4, a4, felt)), felt)
        texts = [t.get_text() for t in ax.texts]
        assert bool(texts) is labelled, (width, texts)
        if labelled:
            assert {t.replace("\n", " ") for t in texts} == {x.split(",")[0] for x in levels}
            fig.draw_without_rendering()
            cell = ax.get_window_extent().width / 4
            assert all(t.get_window_extent().width <= cell for t in ax.texts)


def test_a_force_program_below_its_motor_threshold_pulls_0_newtons(monkeypatch) -> None:
    """Blank force cells at 0 and 20 mA drew NMES's force as one point at 60 mA, not a
    curve from zero (probe of 5 December 2026): no motor axon recruited is 0 N, and no
    contraction has no fatigue ratio. The body stages are stubbed: the effects stage
    returns no force and the muscle's maximal force, as it does below the threshold."""
    from estim.effects.program import EffectsResult
    from estim.sweep.point import _effects, _point_effects

    def below(program, stimuli, **kw):
        return EffectsResult(None, None, None, 310.9, None, None)

    monkeypatch.setattr("estim.effects.program.effects_for_program", below)
    nmes = bundled_examples()["nmes_quadriceps"]
    (point,) = plan_sweep(nmes, [parse_axis("amplitude=5mA")]).points
    out = _effects(point, _point_effects(point, SweepOptions(), ()))
    assert out["first_contraction_force_N"] == out["last_contraction_force_N"] == 0.0
    assert out["first_contraction_force_pct"] == 0.0
    assert "fatigue_ratio" not in out
    # a program with no muscle model (no maximal force) has no force columns at all
    monkeypatch.setattr("estim.effects.program.effects_for_program",
                        lambda program, stimuli, **kw: EffectsResult(None, None, None, None,
                                                                     None, None))
    assert "first_contraction_force_N" not in _effects(
        point, _point_effects(point, SweepOptions(), ()))


def test_a_local_clusters_workers_start_ignoring_ctrl_c() -> None:
    """Ctrl-C reaches the whole process group: each Dask worker printed its own
    KeyboardInterrupt traceback beside the sweep's "interrupted" (probe of 5 December
    2026). The workers start with SIGINT ignored (inherited); this process's handler is
    back after, and a thread other than the main one (a web job) changes nothing."""
    import signal
    import threading

    from estim.sweep.run import _workers_ignore_ctrl_c

    before = signal.getsignal(signal.SIGINT)
    with _workers_ignore_ctrl_c():
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    assert signal.getsignal(signal.SIGINT) is before
    seen = []

    def in_a_thread() -> None:
        with _workers_ignore_ctrl_c():
            seen.append(signal.getsignal(signal.SIGINT))

    t = threading.Thread(target=in_a_thread)
    t.start()
    t.join()
    assert seen == [before]


def test_the_force_column_in_percent_is_the_newtons_over_the_maximal(monkeypatch) -> None:
    """The newtons are the force model's quadriceps': a tibialis anterior read 271.9 N
    (review of 5 December 2026); the % column is what carries over to another muscle, and
    is the first contraction over the maximal force exactly."""
    import numpy as np

    from estim.effects.program import EffectsResult
    from estim.sweep.point import _effects, _point_effects

    class Session:
        contraction_peak_force_N = np.array([93.27, 80.0])
        fatigue_ratio = 80.0 / 93.27

    monkeypatch.setattr("estim.effects.program.effects_for_program",
                        lambda program, stimuli, **kw: EffectsResult(
                            None, None, Session(), 310.9, None, None))
    nmes = bundled_examples()["nmes_quadriceps"]
    (point,) = plan_sweep(nmes, [parse_axis("amplitude=50mA")]).points
    out = _effects(point, _point_effects(point, SweepOptions(), ()))
    assert out["first_contraction_force_N"] == 93.27
    assert out["first_contraction_force_pct"] == 93.27 / 310.9 * 100


def test_a_line_plot_never_leaves_out_the_largest_values_of_its_second_axis() -> None:
    """Past 8 values of the second axis the line plot drew the 8 smallest alone: the
    verdict over pulse shapes showed every point passing where the largest current limit
    failed (probe of 6 December 2026). The largest values make the last line together,
    the worst of them; the caption says so."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    from estim.sweep.page import _MAX_LINES, _plot
    from estim.sweep.point import OUTPUTS
    from estim.sweep.table import Column, SweepTable

    out = {o.name: o for o in OUTPUTS}
    limits = [10.0 * k for k in range(1, 11)]  # 10 values of the second axis
    shapes = ["symmetric_biphasic", "asymmetric_biphasic"]
    xs = tuple(s for s in shapes for _ in limits)
    ys = tuple(limits * 2)
    verdicts = tuple("fail" if (s, m) == (shapes[0], 100.0) else "pass"
                     for s, m in zip(xs, ys, strict=True))
    table = SweepTable((Column("pulse", xs, "input", label="pulse"),
                        Column("device.max_current", ys, "input", label="max_current (mA)"),
                        Column("safety_verdict", verdicts, "output", out["safety_verdict"])))
    ax = Figure().add_subplot()
    note = _plot(ax, table, table.outputs[0])
    lines = ax.get_lines()
    assert len(lines) == _MAX_LINES
    assert list(lines[-1].get_ydata()) == [2.0, 0.0]  # fail (rank 2) at the first shape
    assert all(list(line.get_ydata()) == [0.0, 0.0] for line in lines[:-1])
    assert "the last line is the 3 largest values" in note and not note.startswith(";")
    assert lines[0].get_linestyle() == "None"  # points over words are not joined


def test_a_heatmap_labels_at_most_ten_ticks_to_four_figures() -> None:
    """30 values on each axis labelled every cell, into noise, and 965.862 µs in full
    (probe of 6 December 2026)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import numpy as np
    from matplotlib.figure import Figure

    from estim.sweep.page import _plot
    from estim.sweep.point import OUTPUTS
    from estim.sweep.table import Column, SweepTable

    out = {o.name: o for o in OUTPUTS}
    amps, widths = np.linspace(1, 100, 30), np.geomspace(10, 1000, 30)
    a, w = np.meshgrid(amps, widths)
    table = SweepTable((Column("amplitude", tuple(a.ravel()), "input", label="amplitude"),
                        Column("pulse_width", tuple(w.ravel()), "input", label="width"),
                        # moves with both axes (one the same at every width is a line)
                        Column("peak_current_mA", tuple((a * w / 1e3).ravel()), "output",
                               out["peak_current_mA"])))
    ax = Figure().add_subplot()
    _plot(ax, table, table.outputs[0])
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks == [f"{v:.4g}" for v in widths[::3]] and "727.9" in ticks  # every third
    assert len(ax.get_xticklabels()) <= 10
    assert len(ax.texts) == 0  # 900 cells: too many to write a value in each


def test_a_name_a_spreadsheet_would_run_is_written_as_text() -> None:
    """A channel named =HYPERLINK(...) went into sweep.csv as a formula (probe of
    6 December 2026); numbers, negative ones too, stay numbers."""
    from estim.sweep.point import OUTPUTS
    from estim.sweep.table import Column, SweepTable

    out = {o.name: o for o in OUTPUTS}
    table = SweepTable((Column("amplitude", (-5.0, 5.0), "input", label="amplitude"),
                        Column("sensation_channel", ('=HYPERLINK("http://x","y")', "1"),
                               "output", out["sensation_channel"])))
    rows = table.to_csv().splitlines()
    assert rows[1] == '-5.0,"\'=HYPERLINK(""http://x"",""y"")"' and rows[2] == "5.0,1"



def test_the_sweep_page_spells_out_control_and_bidirectional_characters() -> None:
    """A U+202E in a program's name went raw into the sweep page's title and heading,
    reversing what followed; the run's report spells it out (probe of 6 December 2026).
    Markup stays escaped."""
    from estim.sweep.page import sweep_page
    from estim.sweep.point import OUTPUTS
    from estim.sweep.table import Column, SweepTable

    out = {o.name: o for o in OUTPUTS}
    table = SweepTable((Column("amplitude", (5.0, 10.0), "input", label="amplitude (mA)"),
                        Column("safety_verdict", ("pass", "fail"), "output",
                               out["safety_verdict"])))
    page = sweep_page(table, title="TENS \u202e<script>x</script>", axes_text=["a\u202eb"])
    assert "\u202e" not in page
    assert "<title>Sweep: TENS \\u202e&lt;script&gt;x&lt;/script&gt;</title>" in page
    assert "a\\u202eb" in page


def test_a_points_warnings_are_in_its_row() -> None:
    """`--vary site.fat_thickness=10,150mm` warned "outside the usual range" on the
    terminal alone: sweep.csv and sweep.html had no trace of it (probe of 6 December
    2026). The point that warned carries it in its own row; the other has none."""
    from estim.errors import EstimWarning

    options = SweepOptions(body=False)
    with pytest.warns(EstimWarning, match="150 mm"):
        plan = plan_sweep(TENS, [parse_axis("site.fat_thickness=10,150mm")], options=options)
    assert [p.warnings for p in plan.points] == [(), (
        "site.fat_thickness = '150 mm' is outside the usual range (0.3-80 mm)",)]
    rows = [dict(run_point(p, options).outputs) for p in plan.points]  # notes, on a worker
    assert "warnings" not in rows[0]
    assert rows[1]["warnings"] == plan.points[1].warnings[0]


def test_the_sweep_page_says_its_answer_first() -> None:
    """On a phone the sensation's plot lay 7,800 px down, the 28th of 29 with nine flat
    lines among them, and the sensation was the 32nd of 34 columns (phone probe of 6
    December 2026): the page opens on the safety over the points (the first along the axis
    that does not pass) and the stretch of the axis each sensation holds; the sensation and
    the verdict are the first plots and the first columns after the inputs; a quantity the
    sweep does not move is listed, not plotted."""
    from estim.sweep.page import answer_lines, sweep_page
    from estim.sweep.point import OUTPUTS
    from estim.sweep.table import Column, SweepTable

    out = {o.name: o for o in OUTPUTS}
    table = SweepTable((
        Column("point", (0, 1, 2, 3), "index"),
        Column("amplitude", (40.0, 10.0, 20.0, 30.0), "input", label="amplitude (mA)"),
        Column("motor_threshold_mA", (31.0,) * 4, "output", out["motor_threshold_mA"]),
        Column("safety_verdict", ("warn", "pass", "pass", "fail"), "output",
               out["safety_verdict"]),
        Column("sensation", ("painful", "strong tingling, no contraction",
                             "strong tingling, no contraction", "contraction, below pain"),
               "output", out["sensation"])))
    assert answer_lines(table) == [
        "Safety, of 4 points: 2 pass, 1 warns, 1 fails; the first that does not pass: "
        "amplitude 30 mA.",
        "What a person feels: strong tingling, no contraction at amplitude 10–20 mA; "
        "contraction, below pain at amplitude 30 mA; painful at amplitude 40 mA."]
    page = sweep_page(table, title="t", axes_text=["amplitude: 4 values, 10–40 mA"])
    assert page.index("Safety, of 4 points") < page.index("<figure")
    figures = re.findall(r'<figure title="([^"]+)"', page)
    assert figures == ["sensation", "safety_verdict"]  # the flat threshold is not drawn
    assert "<li>Motor threshold: 31 mA</li>" in page
    heads = re.findall(r'<th title="([^"]+)"', page)
    assert heads == ["point", "amplitude", "sensation", "safety_verdict", "motor_threshold_mA"]
    assert "the table scrolls sideways" in page and "<code>" not in page


def test_the_sweep_pages_answer_counts_points_it_could_not_compute() -> None:
    """A failed point (no verdict) was counted nowhere and named as "the first that does
    not pass"; a sensation column with no value read "What a person feels: ."; "1 passs"
    (review of 6 December 2026)."""
    from estim.sweep.page import answer_lines
    from estim.sweep.point import OUTPUTS
    from estim.sweep.table import Column, SweepTable

    out = {o.name: o for o in OUTPUTS}

    def table(verdicts: tuple[str | None, ...], felt: tuple[str | None, ...]) -> SweepTable:
        amps = tuple(10.0 * (i + 1) for i in range(len(verdicts)))
        return SweepTable((Column("amplitude", amps, "input", label="amplitude (mA)"),
                           Column("safety_verdict", verdicts, "output", out["safety_verdict"]),
                           Column("sensation", felt, "output", out["sensation"])))

    assert answer_lines(table((None, "pass", None), (None, None, None))) == [
        "Safety, of 3 points: 1 passes, 2 could not be computed."]
    assert answer_lines(table(("pass", "fail"), (None, "painful"))) == [
        "Safety, of 2 points: 1 passes, 1 fails; the first that does not pass: "
        "amplitude 20 mA.",
        "What a person feels: not computed at amplitude 10 mA; painful at amplitude 20 mA."]
    assert answer_lines(SweepTable((Column("amplitude", (), "input"),))) == []
    # every point alike is said so ("4 warn; the first that does not pass: …"; hostile probe)
    assert answer_lines(table(("warn",) * 4, (None,) * 4)) == [
        "Safety: every one of the 4 points warns."]


def test_a_threshold_is_drawn_with_the_runs_people_round_it() -> None:
    """A sweep drew the reference threshold and its people's 10th, 50th and 90th percentile
    as four plots, and nothing said which was the reference model (researcher's probe of 6
    December 2026): one plot, the reference a line, the people a shaded band and a dashed
    median, said so under it."""
    from estim.sweep.page import sweep_page
    from estim.sweep.point import OUTPUTS
    from estim.sweep.table import Column, SweepTable

    out = {o.name: o for o in OUTPUTS}
    widths = (50.0, 100.0, 200.0)
    columns = [Column("pulse_width", widths, "input", label="pulse_width (µs)"),
               Column("sensory_threshold_mA", (16.0, 8.7, 4.9), "output",
                      out["sensory_threshold_mA"])]
    for q, k in (("p10", 0.7), ("median", 1.03), ("p90", 1.4)):
        name = f"sensory_threshold_{q}_mA"
        columns.append(Column(name, tuple(k * v for v in (16.0, 8.7, 4.9)), "output",
                              out[name]))
    page = sweep_page(SweepTable(tuple(columns)), title="t")
    assert re.findall(r'<figure title="([^"]+)"', page) == ["sensory_threshold_mA"]
    assert "line: the reference anatomy; shaded: the 10th-90th percentile" in page
    # over two axes the threshold is a heatmap: its people's percentiles keep their own
    # plots, not left off every plot (review of 6 December 2026)
    grid = [Column("pulse_width", widths, "input", label="pulse_width (µs)"),
            Column("frequency", (80.0, 80.0, 100.0), "input", label="frequency (Hz)"),
            *columns[1:]]
    page = sweep_page(SweepTable(tuple(grid)), title="t")
    assert re.findall(r'<figure title="([^"]+)"', page) == [
        "sensory_threshold_mA", "sensory_threshold_p10_mA", "sensory_threshold_median_mA",
        "sensory_threshold_p90_mA"]
    assert "line: the reference anatomy" not in page


def test_a_subjects_sweeps_page_says_what_its_subjects_are() -> None:
    """The terminal said a sweep's subjects are not estim run's people; the page did not,
    nor that five subjects' 10th-90th percentile is about their lowest and highest
    (researcher's probe of 6 December 2026)."""
    from estim.sweep.axes import SUBJECT
    from estim.sweep.page import sweep_page
    from estim.sweep.point import OUTPUTS
    from estim.sweep.table import Column, SweepTable

    out = {o.name: o for o in OUTPUTS}
    table = SweepTable((Column(SUBJECT, (0, 1, 2, 3, 4), "input", label="subject"),
                        Column("sensory_threshold_mA", (4.0, 5.0, 6.0, 4.5, 5.5), "output",
                               out["sensory_threshold_mA"])))
    import html

    page = html.unescape(sweep_page(table, title="t"))
    assert "Each subject is a person of this sweep's own draw" in page
    assert "with 5 of them their 10th and 90th percentiles lie near the lowest" in page
    assert "shaded" not in page  # a subjects-only sweep's plots are histograms (review)


def test_a_smaller_grid_is_refused_with_both_counts(tmp_path: Path) -> None:
    """A table of 4 points that a run of 2 of them would cut to 2 said it "holds 2
    points": the points it would drop (researcher's probe of 7 December 2026)."""
    import argparse
    from types import SimpleNamespace

    from estim.cli.sweep import _check_table
    from estim.errors import InputError

    (tmp_path / "sweep.csv").write_text("point,key\n0,a\n1,b\n2,c\n3,d\n", encoding="utf-8")
    args = argparse.Namespace(force=False)
    plan = SimpleNamespace(points=[SimpleNamespace(key=k) for k in "ab"])
    with pytest.raises(InputError, match="holds 4 points, and 2 of them are of another "):
        _check_table(tmp_path, plan, args)
    plan = SimpleNamespace(points=[SimpleNamespace(key="z")])
    with pytest.raises(InputError, match="holds 4 points, and all 4 are of another"):
        _check_table(tmp_path, plan, args)
    # a table with no key column is not a sweep's, however many rows (review: it read
    # "holds 1 point, it of another program")
    (tmp_path / "sweep.csv").write_text("a,b\n1,2\n3,4\n5,6\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"its sweep\.csv cannot be read as a sweep.s table"):
        _check_table(tmp_path, plan, args)
    (tmp_path / "sweep.csv").write_text("point,key\n0,a\n1,b\n2,c\n3,d\n", encoding="utf-8")
    _check_table(tmp_path, SimpleNamespace(points=[SimpleNamespace(key=k) for k in "abcde"]),
                 args)  # a larger grid that holds them resumes


def test_a_stopped_sweep_says_what_it_keeps(tmp_path: Path, monkeypatch, capsys) -> None:
    """Ctrl-C said "interrupted" alone: now how many points are kept and that the same
    command resumes (researcher's probe of 7 December 2026)."""
    import argparse
    from types import SimpleNamespace

    import estim.sweep
    from estim.cli.sweep import _run

    (tmp_path / POINTS_FOLDER).mkdir()
    for key in ("a", "b", "other"):  # another sweep's point is not this one's
        (tmp_path / POINTS_FOLDER / f"{key}.json").write_text("{}", encoding="utf-8")
    plan = SimpleNamespace(points=[SimpleNamespace(key=k) for k in "abc"],
                           options=SimpleNamespace(body=False))

    def stopped(*_: object, **__: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(estim.sweep, "run_sweep", stopped)
    with pytest.raises(KeyboardInterrupt):
        _run(plan, tmp_path, argparse.Namespace(scheduler=None, workers=None))
    err = capsys.readouterr().err
    assert "stopped; 2 of 3 points are kept in" in err and "the same command resumes" in err
    # none finished: not "0 of 3 points are kept ... resumes from them" (hostile probe)
    for f in (tmp_path / POINTS_FOLDER).glob("*.json"):
        f.unlink()
    with pytest.raises(KeyboardInterrupt):
        _run(plan, tmp_path, argparse.Namespace(scheduler=None, workers=None))
    assert "stopped before any of the 3 points was finished; the same command starts it " \
        "again" in capsys.readouterr().err


def test_a_warning_at_the_device_maximum_alone_is_told_apart_from_the_setting() -> None:
    """A 2 cm pad's current density warns at the device maximum at every amplitude: the
    page named the sweep's lowest amplitude as the first that does not pass, where the
    setting itself warned only from 60 mA (researcher's probe of 7 December 2026)."""
    from estim.sweep.page import answer_lines
    from estim.sweep.point import OUTPUTS
    from estim.sweep.table import Column, SweepTable

    out = {o.name: o for o in OUTPUTS}
    maximum = "iec.current_density warn at the device maximum"
    both = f"iec.current_density warn at the programmed amplitude; {maximum}"

    def table(notes: tuple[str | None, ...]) -> SweepTable:
        verdicts = tuple("pass" if x is None else "warn" for x in notes)
        return SweepTable((
            Column("amplitude", (20.0, 40.0, 60.0), "input", label="amplitude (mA)"),
            Column("safety_verdict", verdicts, "output", out["safety_verdict"]),
            Column("safety_not_passed", notes, "output", out["safety_not_passed"])))

    assert answer_lines(table((None, maximum, both))) == [
        "Safety, of 3 points: 1 passes, 2 warn; the first that does not pass: amplitude "
        "40 mA (at the device maximum alone: iec.current_density warn); at the setting "
        "itself the first that does not pass: amplitude 60 mA."]
    assert answer_lines(table((None, maximum, maximum)))[0].endswith(
        "(at the device maximum alone: iec.current_density warn); at the setting itself "
        "every point passes.")
    # a point that does not pass at its setting is named as before
    assert answer_lines(table((None, both, both))) == [
        "Safety, of 3 points: 1 passes, 2 warn; the first that does not pass: amplitude "
        "40 mA."]


def test_a_sensation_over_subjects_is_told_and_drawn_at_each_setting() -> None:
    """Pooled over the settings, the page's words and its median subject's dot hid at
    which setting 2 of 6 subjects contracted (researcher's probe of 7 December 2026): the
    words count the subjects at each setting, and the plot stacks their shares."""
    from matplotlib.figure import Figure

    from estim.sweep.axes import SUBJECT
    from estim.sweep.page import _plot, answer_lines
    from estim.sweep.point import OUTPUTS
    from estim.sweep.table import Column, SweepTable

    out = {o.name: o for o in OUTPUTS}
    strong, light, twitch = ("strong tingling, no contraction", "light tingling",
                             "contraction, below pain")
    felt = (strong, strong, light, strong, twitch, twitch)
    table = SweepTable((
        Column("amplitude", (10.0,) * 3 + (25.0,) * 3, "input", label="amplitude (mA)"),
        Column(SUBJECT, (0, 1, 2) * 2, "input"),
        Column("sensation", felt, "output", out["sensation"])))
    assert answer_lines(table) == [
        "What a person feels, of 3 virtual subjects. At amplitude 10 mA: strong tingling, "
        f"no contraction (2); light tingling (1). At amplitude 25 mA: {twitch} (2); "
        f"{strong} (1)."]
    # a point that could not be computed is counted as such, not dropped (review)
    gap = SweepTable((table.columns[0], table.columns[1], dataclasses.replace(
        table.columns[2], values=(strong, None, None, None, None, None))))
    assert answer_lines(gap)[0].endswith(
        f"At amplitude 10 mA: not computed (2); {strong} (1). At amplitude 25 mA: not "
        "computed (3).")
    ax = Figure().add_subplot()
    note = _plot(ax, table, table.column("sensation"))
    assert note == "share of the 3 virtual subjects at each amplitude (mA)"
    # bars per level, stacked to 1 at each setting
    heights: dict[float, float] = {}
    for bar in ax.patches:
        x = round(bar.get_x() + bar.get_width() / 2)
        heights[x] = heights.get(x, 0.0) + bar.get_height()
    assert heights == pytest.approx({0: 1.0, 1: 1.0})
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [twitch, strong, light]


def test_the_run_s_people_are_one_plot_of_shares_beside_the_sensation() -> None:
    """How many of estim run's virtual people feel what at each point: one plot of their
    shares after the sensation's, not six count plots (researcher's probe of 7 December
    2026)."""
    from estim.program.options import Sensation
    from estim.sweep.page import _people_table, sweep_page
    from estim.sweep.point import OUTPUTS
    from estim.sweep.table import Column, SweepTable

    out = {o.name: o for o in OUTPUTS}
    counts = {"NONE": (0.0, 0.0), "LIGHT_TINGLING": (5.0, 0.0), "STRONG_TINGLING": (15.0, 4.0),
              "CONTRACTION": (0.0, 6.0), "PAINFUL": (0.0, 10.0)}
    table = SweepTable((
        Column("amplitude", (10.0, 30.0), "input", label="amplitude (mA)"),
        Column("sensation", (Sensation.STRONG_TINGLING.value, Sensation.PAINFUL.value),
               "output", out["sensation"]),
        *(Column(f"people_{k.lower()}", v, "output", out[f"people_{k.lower()}"])
          for k, v in counts.items())))
    people = _people_table(table)
    assert people is not None and len(people) == 40
    felt = people.column("sensation").values
    assert sum(v == "painful" for v in felt) == 10 and sum(v == "light tingling" for v in felt) == 5
    page = sweep_page(table, title="t", axes_text=["amplitude: 2 values"])
    assert re.findall(r'<figure title="([^"]+)"', page) == ["sensation", "people"]
    assert "What estim run&#x27;s 20 virtual people feel" in page
    # a setting with no counts, and people whose tingling is not a prediction, are said
    # (review of 7 December 2026)
    undecided = Column("people_undecided", (0.0, 3.0), "output", out["people_undecided"])
    gap = SweepTable((
        Column("amplitude", (10.0, 30.0, 50.0), "input", label="amplitude (mA)"),
        *(Column(f"people_{k.lower()}", (*v, None), "output", out[f"people_{k.lower()}"])
          for k, v in counts.items()),
        dataclasses.replace(undecided, values=(0.0, 3.0, None))))
    from estim.sweep.page import _people_caveats

    crowd = _people_table(gap)
    assert crowd is not None
    assert _people_caveats(gap, crowd) == [
        "not computed at amplitude 50 mA",
        "at 1 of the settings, up to 3 of them are given a tingling only where the model's "
        "sample of Aβ afferents ends: not a prediction"]


def test_a_zipped_sweep_is_a_line_over_its_first_axis() -> None:
    """Axes varied together (--zip) were drawn as a heat map's diagonal among empty cells
    (researcher's probe of 7 December 2026): a line over the first, the others said."""
    from matplotlib.figure import Figure

    from estim.sweep.page import _plot
    from estim.sweep.point import OUTPUTS
    from estim.sweep.table import Column, SweepTable

    out = {o.name: o for o in OUTPUTS}
    amps = Column("amplitude", (10.0, 20.0, 30.0), "input", label="amplitude (mA)")
    widths = Column("pulse_width", (50.0, 100.0, 200.0), "input", label="pulse_width (µs)")
    peak = Column("peak_current_mA", (10.0, 20.0, 30.0), "output", out["peak_current_mA"])
    ax = Figure().add_subplot()
    note = _plot(ax, SweepTable((amps, widths, peak)), peak)
    assert not ax.get_images() and len(ax.get_lines()) == 1
    assert note == "pulse_width (µs) at the same points: 50, 100, 200"
    # a crossed grid stays a heat map
    crossed = SweepTable((Column("amplitude", (10.0, 10.0, 20.0, 20.0), "input"),
                          Column("pulse_width", (50.0, 100.0, 50.0, 100.0), "input"),
                          dataclasses.replace(peak, values=(1.0, 2.0, 3.0, 4.0))))
    ax = Figure().add_subplot()
    _plot(ax, crossed, crossed.column("peak_current_mA"))
    assert len(ax.get_images()) == 1


def test_a_dbs_volume_at_the_grids_edge_reads_at_least_in_its_cell() -> None:
    """A volume capped by the modelled grid read "1,300" in the heat map where the table
    says "≥ 1,298" (DBS researcher's probe of 7 December 2026)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    from estim.sweep.page import _plot
    from estim.sweep.point import OUTPUTS
    from estim.sweep.table import Column, SweepTable

    out = {o.name: o for o in OUTPUTS}
    widths = Column("pulse_width", (60.0, 450.0, 60.0, 450.0), "input", label="pulse_width")
    amps = Column("amplitude", (1.0, 1.0, 10.0, 10.0), "input", label="amplitude")
    volume = Column("activated_volume_mm3", (12.6, 147.0, 410.0, 1298.0), "output",
                    out["activated_volume_mm3"])
    edge = Column("activation_at_grid_edge", ("no", "no", "no", "yes: at least"), "output",
                  out["activation_at_grid_edge"])
    fig = Figure(figsize=(6.4, 4.0), layout="constrained")
    ax = fig.add_subplot()
    note = _plot(ax, SweepTable((widths, amps, volume, edge)), volume)
    # whole numbers past 1,000 as the terminal's table writes them (it read "≥ 1,430"
    # beside the table's 1,433; hostile probe of 7 December 2026)
    assert sorted(t.get_text() for t in ax.texts) == ["12.6", "147", "410", "≥ 1,298"]
    assert "≥: the activated region reaches the edge of the modelled grid" in note
    # capped alike along an axis is not "the same at every amplitude" (review)
    flat = Column("activated_volume_mm3", (1298.0, 1500.0) * 2, "output",
                  out["activated_volume_mm3"])
    ax = Figure(figsize=(6.4, 4.0), layout="constrained").add_subplot()
    assert "the same at every" not in _plot(ax, SweepTable((widths, amps, flat, edge)), flat)
    assert len(ax.get_images()) == 1


def test_another_muscles_force_is_its_fraction_of_the_maximal_alone(monkeypatch) -> None:
    """The newtons are the force model's quadriceps': a sweep over a tibialis anterior gave
    "106.8 N" where estim run gives its fraction of the maximal alone (clinician's probe of
    7 December 2026). The window is stubbed: the reference anatomy's thresholds and the
    muscle its pads drive."""
    from types import SimpleNamespace

    import numpy as np

    from estim.effects.program import EffectsResult
    from estim.sweep.point import _effects, _point_effects

    class Session:
        contraction_peak_force_N = np.array([93.27, 80.0])
        fatigue_ratio = 80.0 / 93.27

    def window(muscle: str) -> SimpleNamespace:
        r = SimpleNamespace(abeta=1.0, adelta=0.5, c=0.0, motor=0.3)
        return SimpleNamespace(sensory_a=5e-3, strong_a=9e-3, motor_a=30e-3, pain_a=46e-3,
                               bands=None, recruitment=r, classes={}, amplitude_a=35e-3,
                               channel="1", muscle=muscle,
                               short_of_afferents=lambda scale: ())

    nmes = bundled_examples()["nmes_quadriceps"]
    (point,) = plan_sweep(nmes, [parse_axis("amplitude=50mA")]).points
    for muscle, newtons in (("tibialis anterior", False), ("quadriceps", True)):
        monkeypatch.setattr("estim.effects.program.effects_for_program",
                            lambda program, stimuli, m=muscle, **kw: EffectsResult(
                                window(m), None, Session(), 310.9, None, None))
        out = _effects(point, _point_effects(point, SweepOptions(), ()))
        assert ("first_contraction_force_N" in out) is newtons, (muscle, out)
        assert ("last_contraction_force_N" in out) is newtons, (muscle, out)
        assert out["first_contraction_force_pct"] == 93.27 / 310.9 * 100


def test_the_sweep_pages_answer_counts_the_virtual_people_in_pain() -> None:
    """"contraction, below pain at pulse_width 200–400 µs" hid 25 and 35 % of the virtual
    people in pain, which the bars below it showed (clinician's probe of 7 December 2026):
    the answer gives how many of them find each stretch painful, where any do."""
    from estim.sweep.page import answer_lines
    from estim.sweep.point import OUTPUTS
    from estim.sweep.table import Column, SweepTable

    out = {o.name: o for o in OUTPUTS}
    widths = (100.0, 200.0, 300.0, 400.0)
    people = {"people_none": (0, 0, 0, 0), "people_light_tingling": (5, 2, 0, 0),
              "people_strong_tingling": (15, 5, 0, 0), "people_contraction": (0, 12, 15, 13),
              "people_painful": (0, 1, 5, 7)}
    table = SweepTable((
        Column("pulse_width", widths, "input", label="pulse_width (µs)"),
        Column("sensation", ("strong tingling, no contraction",) + ("contraction, below pain",)
               * 3, "output", out["sensation"]),
        *(Column(k, tuple(float(x) for x in v), "output", out[k]) for k, v in people.items())))
    assert answer_lines(table) == [
        "What a person feels: strong tingling, no contraction at pulse_width 100 µs; "
        "contraction, below pain at pulse_width 200–400 µs (1–7 of the 20 virtual people "
        "find it painful)."]


def test_a_plot_with_blank_points_keeps_the_whole_axis() -> None:
    """The fatigue ratio, which a point without a contraction lacks, started at 15 mA
    beside the page's other plots from 10 mA (clinician's probe of 7 December 2026)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    from estim.sweep.page import _plot
    from estim.sweep.point import OUTPUTS
    from estim.sweep.table import Column, SweepTable

    out = {o.name: o for o in OUTPUTS}
    amps = (10.0, 15.0, 20.0, 25.0, 30.0, 35.0)
    table = SweepTable((Column("amplitude", amps, "input", label="amplitude (mA)"),
                        Column("fatigue_ratio", (None, None, 0.99, 0.98, 0.97, 0.97),
                               "output", out["fatigue_ratio"]),
                        Column("sensory_threshold_mA", (3.0,) * 6, "output",
                               out["sensory_threshold_mA"])))
    limits = []
    for column in table.outputs:
        ax = Figure().subplots()
        _plot(ax, table, column)
        limits.append(ax.get_xlim())
    assert limits[0] == pytest.approx(limits[1])
    assert limits[0] == pytest.approx((10.0 - 1.25, 35.0 + 1.25))
