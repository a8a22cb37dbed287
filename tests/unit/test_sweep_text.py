"""A sweep's points on the terminal (estim.sweep.text): the varied settings beside the
verdict, the sensation and the thresholds, within 80 columns, and no more than 25 rows."""

from __future__ import annotations

import io

from rich.console import Console

from estim.sweep.point import OUTPUTS
from estim.sweep.table import Column, SweepTable
from estim.sweep.text import MOST_ROWS, print_sweep_table

_OUT = {o.name: o for o in OUTPUTS}


def _table(n: int, *, error: bool = False) -> SweepTable:
    amps = tuple(float(5 + 5 * k) for k in range(n))
    cols = [Column("point", tuple(range(n)), "index"),
            Column("key", tuple(f"k{k}" for k in range(n)), "key"),
            Column("amplitude_mA", amps, "input", label="amplitude (mA)")]
    for name, values in (
            ("safety_verdict", tuple("fail" if a > 90 else "pass" for a in amps)),
            ("sensation", tuple("contraction, below pain" if a > 30 else
                                "strong tingling, no contraction" for a in amps)),
            ("sensory_threshold_mA", (4.84550266176,) * n),
            ("strong_tingling_threshold_mA", (9.13,) * n),
            ("motor_threshold_mA", (31.0,) * n), ("pain_threshold_mA", (float("inf"),) * n),
            ("peak_current_mA", amps), ("rms_current_mA", amps)):
        cols.append(Column(name, values, "output", _OUT[name]))
    if error:
        cols.append(Column("error", ("the field did not converge",) + (None,) * (n - 1),
                           "error"))
    return SweepTable(tuple(cols))


def _printed(table: SweepTable) -> list[str]:
    out = io.StringIO()
    print_sweep_table(table, Console(file=out, width=80, color_system=None))
    return out.getvalue().splitlines()


def test_each_point_shows_its_setting_verdict_sensation_and_thresholds():
    lines = _printed(_table(3))
    assert max(len(ln) for ln in lines) <= 80
    head = " ".join(lines[:2])
    for word in ("amplitude", "(mA)", "safety", "feels", "sensory", "strong", "motor",
                 "pain"):
        assert word in head
    # with the body, the output's currents stay in the files (the row stays within 80)
    assert "peak" not in head and "r.m.s." not in head
    rows = [ln.split() for ln in lines[2:]]
    assert rows[0][:6] == ["5", "pass", "strong", "tingling", "4.85", "9.13"]
    assert rows[0][-2:] == ["31", "∞"]
    assert lines[-1].split()[:3] == ["15", "pass", "strong"]


def test_a_long_sweep_shows_its_first_rows_and_where_the_rest_are():
    lines = _printed(_table(40))
    assert sum(ln.split()[0].isdigit() for ln in lines[2:]) == MOST_ROWS
    assert lines[-1] == ("the first 25 of 40 points; every point and column is in sweep.csv "
                         "and sweep.html")
    assert any(ln.split()[:2] == ["95", "fail"] for ln in _printed(_table(19)))


def test_a_failed_point_shows_its_error():
    lines = _printed(_table(2, error=True))
    assert "error" in lines[0] or "error" in lines[1]
    # under the table, whole: as a column it was squeezed to a few letters a line
    assert "point 0 (amplitude 5 mA): the field did not converge" in lines, lines
    assert lines[2].split()[-2:] == ["see", "below"]


def test_a_safety_sweep_shows_the_densities_a_pad_size_changes():
    """Over 3 and 5 cm pads the peak and the r.m.s. current stood the same and neither
    density was shown (probe of 6 December 2026); a power density reads as its column's
    others do (0.000064 under 0.000107, not 6.4e-05)."""
    cols = [Column("point", (0, 1), "index"), Column("key", ("a", "b"), "key"),
            Column("electrodes.width_cm", (3.0, 5.0), "input", label="electrodes.width (cm)")]
    for name, values in (("safety_verdict", ("pass", "pass")),
                         ("peak_current_mA", (10.0, 10.0)), ("rms_current_mA", (1.79, 1.79)),
                         ("skin_current_density_mA_per_cm2", (0.119, 0.0716)),
                         ("power_density_W_per_cm2", (0.000106666, 6.4e-05))):
        cols.append(Column(name, values, "output", _OUT[name]))
    lines = _printed(SweepTable(tuple(cols)))
    assert max(len(ln) for ln in lines) <= 80
    head = " ".join(lines[:2])
    assert "density" in head and "(mA/cm²)" in head and "(W/cm²)" in head
    assert lines[2].split()[-2:] == ["0.119", "0.000107"]
    assert lines[3].split()[-2:] == ["0.0716", "0.000064"]


def test_a_dbs_sweep_shows_the_tissue_activated_with_its_lower_bounds():
    """A DBS sweep printed its safety, peak and r.m.s. alone: the volume and radius were in
    the files only (DBS probe of 6 December 2026). Where the activation reaches the axons'
    grid the two are lower bounds, marked ≥ and said under the table."""
    cols = [Column("point", (0, 1), "index"), Column("key", ("a", "b"), "key"),
            Column("pulse_width_us", (60.0, 450.0), "input", label="pulse_width (µs)"),
            Column("amplitude_mA", (3.0, 10.0), "input", label="amplitude (mA)")]
    for name, values in (("safety_verdict", ("pass", "fail")),
                         ("peak_current_mA", (3.0, 10.0)), ("rms_current_mA", (0.269, 2.68)),
                         ("dbs_current_mA", (3.0, 10.0)),
                         ("activated_volume_mm3", (94.1, 1874.0)),
                         ("activation_radius_mm", (3.01, 8.0)),
                         ("activation_at_grid_edge",
                          ("no", "yes: the volume and radius are at least these"))):
        cols.append(Column(name, values, "output", _OUT[name]))
    lines = _printed(SweepTable(tuple(cols)))
    assert max(len(ln) for ln in lines) <= 80
    head = " ".join(lines[:2])
    assert "(mm³)" in head and "radius" in head and "tissue" in head
    assert "r.m.s." not in head  # the output's currents are in the files
    assert lines[2].split() == ["60", "3", "pass", "3", "94.1", "3.01"]
    assert lines[3].split() == ["450", "10", "fail", "10", "≥", "1,874", "≥", "8"]
    assert "so the volume and radius are at least these" in " ".join(" ".join(lines).split())


def test_a_dbs_sweeps_page_names_the_implants_limits():
    """The page of a DBS sweep said its verdicts applied IEC 60601-2-10, the standard of
    stimulators on the skin (DBS probe of 6 December 2026)."""
    from estim.sweep.page import sweep_page

    cols = [Column("point", (0,), "index"), Column("key", ("a",), "key"),
            Column("amplitude_mA", (3.0,), "input", label="amplitude (mA)"),
            Column("safety_verdict", ("pass",), "output", _OUT["safety_verdict"])]
    table = SweepTable(tuple(cols))
    assert "limits for implanted electrodes (Shannon's k" in sweep_page(
        table, title="DBS", implanted=True)
    assert "limits of IEC 60601-2-10 and FDA guidance" in sweep_page(table, title="TENS")


def test_a_threshold_where_the_sample_runs_out_is_marked() -> None:
    """A subjects sweep printed a strong tingling of 59.4 mA above its own pain, and the
    "light tingling" read from it, unflagged (researcher's probe of 6 December 2026): the
    threshold and the sensation of that row get a dagger, said under the table; the page's
    first lines say how many points hold one."""
    from estim.sweep.page import answer_lines

    base = _table(2)
    edge = Column("thresholds_at_sample_edge", ("", "strong tingling"), "output",
                  _OUT["thresholds_at_sample_edge"])
    table = SweepTable((*base.columns, edge))
    lines = _printed(table)
    first, second = (ln for ln in lines if ln.split() and ln.split()[0] in ("5", "10"))
    assert "†" not in first
    assert second.split()[1:5] == ["pass", "strong", "tingling", "†"]
    assert "9.13 †" in second and "4.85 †" not in second
    assert any(ln.startswith("†: where the model's sample of Aβ afferents runs out")
               for ln in lines)
    assert any(x.startswith("At 1 of the 2 points a threshold lies where the model's sample")
               for x in answer_lines(table))


def test_a_bands_90th_percentile_where_the_sample_runs_out_is_said_apart() -> None:
    """A sweep's strong tingling p90 read 123.7 mA, above its pain p10, where estim run
    marks the same band's upper end "†" (DBS researcher's probe of 7 December 2026): the
    edge column names it, the page says so in words of its own, and neither the sensation
    nor the reference thresholds in the terminal get a dagger for it (no "†:" line for a
    column the table does not show)."""
    from estim.sweep.page import answer_lines

    base = _table(2)
    edge = Column("thresholds_at_sample_edge", ("", "strong tingling p90"), "output",
                  _OUT["thresholds_at_sample_edge"])
    table = SweepTable((*base.columns, edge))
    lines = _printed(table)
    assert not any("†" in ln for ln in lines), lines
    said = answer_lines(table)
    assert any(x.startswith("At 1 of the 2 points the 90th percentile of a tingling threshold")
               for x in said), said
    assert not any("a threshold lies where the model's sample" in x for x in said)


def test_a_three_axis_tables_headings_keep_their_words_at_80_columns() -> None:
    """Rich squeezed a three-axis sweep's headings mid-word at 80 columns ("amplitud/e",
    "pulse_w/idth", "frequen/cy", "sensor/y"; researcher's probe of 7 December 2026):
    every heading word is whole, the table within 80 columns."""
    base = _table(4)
    inputs = (Column("pulse_width_us", (100.0, 200.0) * 2, "input", label="pulse_width (µs)"),
              Column("frequency_Hz", (2.0, 2.0, 80.0, 80.0), "input", label="frequency (Hz)"))
    cols = list(base.columns)
    cols[3:3] = inputs
    lines = _printed(SweepTable(tuple(cols)))
    assert max(len(line) for line in lines) <= 80
    words = {w for line in lines[:4] for w in line.split()}
    for whole in ("amplitude", "pulse", "width", "frequency", "sensory", "strong", "motor",
                  "pain"):
        assert whole in words, (whole, lines[:4])


def test_an_output_that_is_the_swept_setting_is_a_line_not_a_plot() -> None:
    """A DBS sweep's first three plots were its amplitude again (peak, peak into 500 Ω,
    current into the tissue; DBS researcher's probe of 7 December 2026): an output equal to
    a swept input at every point, in its unit, is said in a line; one that moves with it
    otherwise (the r.m.s., 0.09 of it) stays a plot."""
    import re

    from estim.sweep.page import sweep_page

    base = _table(3)
    rms = next(c for c in base.columns if c.name == "rms_current_mA")
    cols = tuple(Column(c.name, tuple(0.09 * v for v in c.values), c.kind, c.output)
                 if c is rms else c for c in base.columns)
    page = sweep_page(SweepTable(cols), title="t")
    captions = re.findall(r"<figcaption>([^<]*)", page)
    assert not any(c.startswith("Peak current, highest channel") for c in captions)
    assert any(c.startswith("r.m.s. current") for c in captions), captions
    assert "The same as a swept setting at every point" in page
    assert "Peak current, highest channel (mA): the amplitude (mA)" in page


def test_an_inputs_heading_reads_as_words() -> None:
    """"device.compliance voltage" (DBS researcher's probe of 7 December 2026): a field's
    dots and underscores are spaces in the terminal's heading."""
    base = _table(2)
    cols = list(base.columns)
    cols.insert(3, Column("device.compliance_voltage_V", (5.0, 10.0), "input",
                          label="device.compliance_voltage (V)"))
    lines = _printed(SweepTable(tuple(cols)))
    assert {"device", "compliance", "voltage"} <= set(" ".join(lines[:3]).split()), lines
    assert "device.compliance" not in "\n".join(lines) and "_voltage" not in "\n".join(lines)


def test_a_pair_too_close_to_order_and_a_setting_too_close_to_call_are_marked():
    """As estim run says them: modulated TENS's twitch and pain 9 % apart, and 34-36 mA
    within the spread of one of them, were a settled "contraction" in the sweep's table
    (probe of 8 December 2026). The pair's cells are starred, the setting's sensation
    double-daggered, each with its footnote; a row with neither is left as it was."""
    table = _table(3)
    closeness = (("thresholds_too_close_to_order",
                  ("", "motor and pain 9.1% apart (±18%)", "motor and pain 9.1% apart (±18%)")),
                 ("setting_too_close_to_call", ("", "", "pain -1.1% (±16%)")))
    table = SweepTable((*table.columns, *(Column(name, values, "output", _OUT[name])
                                          for name, values in closeness)))
    lines = _printed(table)
    assert max(len(ln) for ln in lines) <= 80
    rows = lines[2:5]
    assert "*" not in rows[0] and "‡" not in rows[0]
    assert rows[1].split()[-4:] == ["31", "*", "∞", "*"] and "‡" not in rows[1]
    assert "tingling ‡" in rows[2] and rows[2].split()[-4:] == ["31", "*", "∞", "*"]
    said = " ".join(lines[5:])
    assert "*: two thresholds nearer each other than another sample" in said
    assert "‡: the setting lies within the model's spread of a threshold" in said
