"""The DBS section of the report: its rows read in words and units (no raw keys), the
figures draw the lead, both cross sections and the sweep, from a closed-form activation."""

from __future__ import annotations

import doctest

import numpy as np
import pytest

import estim.report.dbs_figures as dbs_figures
from estim.effects.dbs import ActivationMap, ActivationSweep, ContactRadius, DBSActivation
from estim.report.body_rows import VOLTAGE_CAPACITANCE_WORDS, dbs_rows

R_LEAD = 0.635e-3


def _activation(control: str = "voltage") -> DBSActivation:
    """Thresholds I = 300 r² (A, r in m) on every row: radius sqrt(I / 300)."""
    r = np.geomspace(1.2e-3, 8e-3, 7)
    z = np.linspace(-0.75e-3, 9.25e-3, 11)
    fr = np.linspace(R_LEAD + 5e-5, 8e-3, 200)
    amap = ActivationMap(r, z, np.tile(300.0 * r**2, (z.size, 1)), R_LEAD, fr, z.copy(),
                         np.tile(1.0 / fr**2, (z.size, 1)))
    i0 = 3e-3
    contacts = (ContactRadius("lead_contact_1", "cathode", 4.25e-3, amap.radius_at(i0, 4.25e-3),
                              amap.field_radius_at(i0, 4.25e-3, 200.0)),
                ContactRadius("lead_contact_2", "anode", 6.25e-3, amap.radius_at(i0, 6.25e-3),
                              amap.field_radius_at(i0, 6.25e-3, 200.0)))
    dial = np.linspace(0.5, 5.0, 10)
    cur = dial / 1000.0
    sweep = ActivationSweep(
        dial, "V", cur, {c.placement: np.array([amap.radius_at(i, c.z_m) for i in cur])
                         for c in contacts},
        np.array([amap.volume_m3(i) for i in cur]),
        {c.placement: np.array([amap.field_radius_at(i, c.z_m, 200.0) for i in cur])
         for c in contacts},
        np.array([amap.field_volume_m3(i, 200.0) for i in cur]),
        np.array([amap.reaches_edge(i) for i in cur]))
    return DBSActivation("1", "medtronic_3389", control, 3.0, i0, 1000.0,
                         "field solution", 1000.0, 5.7e-6, 90e-6, 200.0, contacts,
                         amap.volume_m3(i0), amap.field_volume_m3(i0, 200.0), amap, sweep)


def test_docstring_examples_run() -> None:
    assert doctest.testmod(dbs_figures).failed == 0


def test_rows_name_the_lead_contacts_current_and_impedance_in_words() -> None:
    rows = dict(dbs_rows(_activation().to_dict()))
    assert rows["Lead"].startswith("Medtronic 3389, 1.27 mm")
    assert rows["Active contacts"] == "contact 1 cathode, contact 2 anode"
    # and why a voltage setting's volume is an upper bound: no note said the capacitance
    # (DBS researcher's probe of 7 December 2026)
    assert rows["Current into the tissue"] == ("3 mA (3 V over 1 kΩ, field solution); "
                                               + VOLTAGE_CAPACITANCE_WORDS)
    assert "Butson & McIntyre 2005" in VOLTAGE_CAPACITANCE_WORDS
    assert rows["Activation radius at contact 1 (cathode), from the lead axis"].startswith(
        f"{np.sqrt(3e-3 / 300) * 1e3:.3g} mm")  # [m -> mm] the closed form
    text = " ".join(f"{k} {v}" for k, v in rows.items())
    for raw in ("lead_contact", "_mm3", "None", "nan", "_m"):
        assert raw not in text


def test_monopolar_rows_say_the_case_returns() -> None:
    act = _activation("current")
    data = act.to_dict()
    data["contacts"] = data["contacts"][:1]
    assert dict(dbs_rows(data))["Active contacts"] == ("contact 1 cathode, the case (IPG) as "
                                                       "return")


def test_figures_draw_both_sections_and_the_sweep() -> None:
    act = _activation()
    sections = dbs_figures.dbs_sections_figure(act)
    titles = [ax.get_title() for ax in sections.axes]
    assert titles[0] == "Along the lead: Medtronic 3389"
    assert titles[1].startswith("Across the lead at contact 1: 4.25 mm")
    sweep = dbs_figures.dbs_sweep_figure(act)
    r_ax, v_ax = sweep.axes
    assert r_ax.get_xlabel() == "amplitude on the dial (V)"
    assert v_ax.get_ylabel() == "activated volume (mm³)"
    # the axon-model volume curve is the sweep's, in mm³
    line = v_ax.get_lines()[0]
    assert act.sweep is not None
    assert np.asarray(line.get_ydata())[-1] == pytest.approx(act.sweep.volume_m3[-1] * 1e9)


def test_several_channels_are_each_named_with_their_current() -> None:
    """Two channels superposed: the current row says whose it is and a row lists each
    channel's (the section described channel 1's as the activation's)."""
    import dataclasses

    act = dataclasses.replace(_activation("current"), superposed=(("1", 3e-3), ("2", 2e-3)))
    rows = dict(dbs_rows(act.to_dict()))
    assert rows["Current into the tissue, channel 1"] == "3 mA"
    assert rows["Channels superposed in the activation"] == "1: 3 mA, 2: 2 mA"
    assert "Channels superposed in the activation" not in dict(dbs_rows(
        _activation("current").to_dict()))


def test_an_interleaved_channel_alone_is_a_row_and_a_terminal_line() -> None:
    """Channel 2 on another pulse was left out of the volume and its own activation was
    nowhere (DBS researcher's probe of 7 December 2026): a row, and a line under the
    terminal's volume, each with "at least" where it reaches the grid's edge."""
    import dataclasses
    import io

    from rich.console import Console

    from estim.report.terminal import render_brief

    act = dataclasses.replace(_activation("current"),
                              apart=(("2", 72.5e-9, 2.9e-3, False), ("3", 1300e-9, 8e-3, True)))
    rows = dict(dbs_rows(act.to_dict()))
    assert rows["Channel 2 alone (another pulse, rate or timing)"] == (
        "72.5 mm³, radius 2.9 mm; the interleaved channels together are not modelled")
    assert rows["Channel 3 alone (another pulse, rate or timing)"].startswith(
        "at least 1,300 mm³, radius at least 8 mm")
    data = {"program": {"name": "x"}, "channels": [],
            "safety": {"verdict": "pass", "findings": []},
            "effects": {"dbs_activation": act.to_dict()}}
    out = io.StringIO()
    render_brief(data, Console(file=out, width=80, color_system=None))
    said = " ".join(out.getvalue().split())
    assert ("channel 2 alone: 72.5 mm³, radius 2.9 mm (the two interleaved together are not "
            "modelled)") in said, said
    assert "channel 3 alone: at least 1,300 mm³, radius at least 8 mm" in said


def test_the_summary_describes_every_channel() -> None:
    """The report's first line gave channel 1's output for every channel: 2 mA on channel 2
    read as 3 mA; alike channels are said once, a swept carrier as its range."""
    from types import SimpleNamespace

    from estim.program.bundled import resolve_program
    from estim.report.summary import _output_words
    from estim.waveforms import stimuli_for

    def words(program: object) -> str:
        return _output_words(SimpleNamespace(program=program,  # type: ignore[arg-type]
                                             stimuli=stimuli_for(program)))

    dbs = resolve_program("dbs_stn")[0]
    two = dbs.replace(channels=(dbs.channels[0], dbs.channels[0].replace(name="2")))
    each = "3 mA peak, 60 µs pulses at 130 Hz, continuously (60 min assessed)"
    assert words(dbs) == f"1 channel: {each}"
    assert words(two) == f"2 channels, each {each}"
    ifc = words(resolve_program("ifc_true_knee")[0])
    assert "channel A at 30 mA peak, on a 4000 Hz carrier" in ifc
    assert "; channel B at 30 mA peak, on a 4080.2–4119.7 Hz carrier" in ifc
    # premodulated interferential's sampled peak, 39.99 of its 40 mA, is said as the
    # terminal says it ("29.99 mA peak" at 30 mA; probe of 7 December 2026)
    premodulated = resolve_program("ifc_premodulated")[0]
    assert stimuli_for(premodulated)[0].peak < 0.04
    assert words(premodulated).startswith("1 channel: 40 mA peak"), words(premodulated)


def test_the_legend_names_every_superposed_channels_current() -> None:
    """Two contacts at 3 and 2 mA: the legend said "axons fire at 3 mA", channel 1's, for
    the volume of both (probe of 5 December 2026)."""
    from types import SimpleNamespace

    from estim.report.dbs_figures import _amplitude_words

    both = SimpleNamespace(superposed=(("c1", 0.003), ("c2", 0.002)), control="current",
                           amplitude=0.003, current_a=0.003)
    assert _amplitude_words(both) == "3 mA (c1) + 2 mA (c2)"  # type: ignore[arg-type]
    volts = SimpleNamespace(**{**vars(both), "control": "voltage", "amplitude": 3.0})
    assert _amplitude_words(volts) == "3 V: 3 mA (c1) + 2 mA (c2)"  # type: ignore[arg-type]
    one = SimpleNamespace(superposed=(("c1", 0.003),), control="voltage", amplitude=3.0,
                          current_a=0.00241)
    assert _amplitude_words(one) == "3 V (2.41 mA)"  # type: ignore[arg-type]


def test_the_encapsulation_is_hatched_and_left_out_of_the_volume_in_the_legend() -> None:
    """The figure filled the encapsulation as activated tissue (DBS researcher's probe of
    7 December 2026): with a 0.5 mm encapsulation it is hatched in both sections and the
    legend says it holds no axons; without one, nothing is drawn for it."""
    import dataclasses

    act = _activation()
    scarred = dataclasses.replace(act, map=dataclasses.replace(
        act.map, axon_free_m=R_LEAD + 0.5e-3))

    def hatched(fig) -> list[str]:  # type: ignore[no-untyped-def]
        return [p.get_hatch() for ax in fig.axes for p in [*ax.patches, *ax.collections]
                if p.get_hatch()]

    fig = dbs_figures.dbs_sections_figure(scarred)
    assert len(hatched(fig)) == 3  # either side along the lead, the ring across it
    labels = [t.get_text() for legend in fig.legends for t in legend.get_texts()]
    assert "encapsulation, 0.5 mm: no axons, not in the volume" in labels, labels
    assert hatched(dbs_figures.dbs_sections_figure(act)) == []
