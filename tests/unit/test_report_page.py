"""The words and figures of the HTML report: docstring examples, number formatting, the
cross-section's choice of plane."""

from __future__ import annotations

import doctest
import functools
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from estim.fields.program import fields_for_program
from estim.program import load_program
from estim.program.bundled import bundled_examples
from estim.report import body_rows, figures, page, safety_rows
from estim.safety import check


@pytest.mark.parametrize("module", [page, figures], ids=lambda m: m.__name__)
def test_docstring_examples_run(module: object) -> None:
    result = doctest.testmod(module)  # type: ignore[arg-type]
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize(("text", "shown"), [
    ("1.25e+03 Hz", "1,250 Hz"),
    ("net -3e-28 µC", "net 0 µC"),
    ("2.5e-05 A", "0.000025 A"), ("2.5e-08 A", "2.5 × 10⁻⁸ A"),
    ("site_1e5 stays", "site_1e5 stays"),  # part of a word, not a number
])
def test_numbers_read_as_people_write_them(text: str, shown: str) -> None:
    assert page.readable(text) == shown


@given(st.floats(allow_nan=False, allow_infinity=False),
       st.sampled_from([".3g", ".4g", ".6g", ".2e", ".12g", "g"]))
@example(9.9996e-05, ".6g")
@example(150.0, ".2e")
def test_any_number_in_computer_notation_reads_without_error(x: float, spec: str) -> None:
    """9.9996e-05 rounds to 0.0001 at 3 figures, which has no exponent: a traceback in
    every face (probe of 5 December 2026)."""
    text = page.readable(format(x, spec))
    assert "e+" not in text and "e-" not in text


def test_the_output_table_leaves_out_fields_no_channel_has() -> None:
    program = load_program(bundled_examples()["tens_conventional"])
    columns, rows = safety_rows.output_table(check(program).table)
    labels = [r.label for r in rows]
    assert len(columns) == 1 and "Frequency" in labels
    assert not any(label.startswith("Burst mode") for label in labels)  # continuous TENS
    assert all(v != "n/a" for r in rows for pair in r.values for v in pair)


def test_a_planar_section_is_named_as_anatomy() -> None:
    pf = fields_for_program(load_program(bundled_examples()["microcurrent_face"]),
                            method="analytic", boundary="uniform")
    section = figures.cross_section(pf)
    assert section.kind == "longitudinal"
    assert section.horizontal_label.startswith("along the cheek (cm; + ")
    assert section.vertical_label == "depth below the skin (mm)"
    assert [t for t, _, _ in section.layers] == ["skin", "fat", "muscle"]
    assert {e.role for e in section.electrodes} == {"anode", "cathode"}
    with pytest.raises(ValueError, match="not in the field solution"):
        figures.cross_section(pf, channel="no such channel")


def test_a_planar_section_says_which_way_is_up() -> None:
    """The lower back's section had no direction (probe of 5 December 2026). Conventional
    TENS puts its anode above its cathode (lumbar_left_upper over lumbar_left_lower): up is
    +, so the anode is drawn on the + side, the cathode on the - side."""
    pf = fields_for_program(load_program(bundled_examples()["tens_conventional"]),
                            method="analytic", boundary="uniform")
    section = figures.cross_section(pf)
    assert section.horizontal_label == "along the lower back (cm; + up)"
    middle = {e.role: (e.start + e.end) / 2 for e in section.electrodes}
    assert middle["anode"] > 0 > middle["cathode"]


def test_the_plane_through_a_lead_is_drawn_in_mm_with_its_contact_where_it_is() -> None:
    """The lead's section was drawn as a longitudinal one: its horizontal axis in cm under
    a label in mm (10x too small) and the contact's span along the lead put on the
    horizontal axis (probe of 5 December 2026). A synthetic field, so no mesh is solved."""
    import numpy as np

    h = np.linspace(-10e-3, 10e-3, 41)
    v = np.linspace(-4e-3, 16e-3, 41)
    H, V = np.meshgrid(h, v)
    image = 1.0 / np.hypot(H, V - 4.25e-3).clip(1e-4)
    image[:, np.abs(h) < 0.635e-3] = np.nan  # the lead's inside
    image[30, 8] = np.nan  # a sample the point location missed, in tissue
    contact = figures.SectionElectrode("1", "cathode", 3.5e-3, 5.0e-3)
    section = figures.CrossSection("lead", h, v, np.zeros((41, 41, 3)),
                                   "distance from the lead axis (mm)",
                                   "along the lead, from its tip (mm)", (), (contact,),
                                   lead_radius_m=0.635e-3)
    fig = figures.section_figure(section, [("3 mA: electric field", image)])
    ax = fig.axes[0]
    assert ax.get_xlim() == pytest.approx((-10.0, 10.0))
    assert ax.get_ylim() == pytest.approx((-4.0, 16.0))
    # the contact is a patch across the lead, 3.5-5 mm up from its tip
    patches = [c.get_paths()[0].vertices for c in ax.collections]
    spans = [(p[:, 0].min(), p[:, 0].max(), p[:, 1].min(), p[:, 1].max()) for p in patches]
    assert (pytest.approx(-0.635), pytest.approx(0.635), pytest.approx(3.5),
            pytest.approx(5.0)) in spans
    drawn = ax.images[0].get_array()
    assert np.isfinite(drawn[30, 8]) and not np.isfinite(drawn[30, 20])


def test_a_threshold_near_the_programmed_current_is_at_the_edge() -> None:
    """Within a threshold's edge fraction (its spread over samples of fibers) the verdict is
    too close to call; a threshold not reached (None) is never at the edge."""
    from estim.effects.resolution import edge_fraction

    motor = edge_fraction("motor")
    w = {"programmed_peak_current_A": 0.028, "sensory_threshold_A": 0.004,
         "motor_threshold_A": 0.0273, "pain_threshold_A": None}
    assert page.thresholds_at_the_edge(w) == [("a visible twitch", 0.0273, motor)]
    # fused volleys: a contraction, as the threshold's own row says (Russian current read
    # "muscle contracts" and then "above a visible twitch"; hostile probe of 7 December)
    assert page.thresholds_at_the_edge({**w, "motor_volleys_fuse": True}) == [
        ("a visible contraction", 0.0273, motor)]
    assert page.across_the_edge("contraction, below pain", "a visible contraction") == \
        "strong tingling, no contraction"
    assert page.people_text({"muscle": "quadriceps", "motor_volleys_fuse": False,
                             "bands": {"at_programmed": {"contraction, below pain": 19,
                                                         "strong tingling, no contraction": 1}}}
                            ) == "1 feels a strong tingling and 19 see the quadriceps twitch"
    w["motor_threshold_A"] = 0.028 / (1 + motor + 1e-3)  # just beyond
    assert page.thresholds_at_the_edge(w) == []


def test_a_twitch_and_pain_one_draw_apart_are_said_to_be_unordered() -> None:
    """Modulated TENS at the knee: its twitch and pain 9 % apart, inside their ±18 % over
    samples of fibers, are said not to be ordered, in the threshold rows' words (a
    contraction where the volleys fuse); the back's 31 and 46 mA are not."""
    knee = {"sensory_threshold_A": 0.00402, "motor_threshold_A": 0.0334,
            "pain_threshold_A": 0.0364, "motor_volleys_fuse": True}
    [(lower, low, upper, high, spread)] = page.orders_too_close(knee)
    assert (lower, low, upper, high) == ("a visible contraction", 0.0334, "pain", 0.0364)
    said = page.order_sentence(lower, low, upper, high, spread)
    assert said == ("A visible contraction (33.4 mA) and pain (36.4 mA) lie 9.0% apart; "
                    "another sample of the model's nerve fibers moves them by about ±18% "
                    "against each other, so the model cannot say which a person meets first.")
    assert "(33.4 V)" in page.order_sentence(lower, 33.4, upper, 36.4, spread,
                                             amount=lambda v: f"{v:.3g} V")
    back = {"sensory_threshold_A": 0.00485, "motor_threshold_A": 0.031,
            "pain_threshold_A": 0.046}
    assert page.orders_too_close(back) == []
    # the window's own list, where results.json has it, is what the faces say
    listed = {**back, "unordered_thresholds": [{"lower": "motor", "upper": "pain",
                                                "spread": 0.181}]}
    assert page.orders_too_close(listed) == [("a visible twitch", 0.031, "pain", 0.046,
                                              0.181)]
    assert page.orders_too_close({**knee, "unordered_thresholds": []}) == []
    # a device that reaches neither (30 mA) is told nothing of their order; one that
    # reaches the lower is
    assert page.orders_too_close(knee, (0.030, "its 30 mA maximum")) == []
    assert len(page.orders_too_close(knee, (0.034, "its 34 mA maximum"))) == 1
    # a second channel's own close pair is said under its own sentence (it went unsaid)
    fx = {"other_channels": [{"channel": "2", "programmed_peak_current_A": 0.028,
                              "sensation": "strong tingling, no contraction", **knee}]}
    first, second = page.other_channels_words(fx, {"channel": "1"})
    assert "cannot say" not in first
    assert second.endswith("A visible contraction (33.4 mA) and pain (36.4 mA) lie 9.0% "
                           "apart; another sample of the model's nerve fibers moves them by "
                           "about ±18% against each other, so the model cannot say which a "
                           "person meets first.")


def test_a_source_is_spared_only_across_the_threshold_at_the_edge() -> None:
    """At the edge a disagreeing source is softened only when the threshold at the edge is
    the one between the prediction and the source's sensation."""
    twitch = "a visible twitch"
    assert page.across_the_edge("contraction, below pain", twitch) == \
        "strong tingling, no contraction"
    assert page.across_the_edge("strong tingling, no contraction", twitch) == \
        "contraction, below pain"
    assert page.across_the_edge("contraction, below pain", "pain") == "painful"
    # near detection, predicted light tingling: the other side is nothing felt, not a twitch
    assert page.across_the_edge("light tingling", "feeling it") == "no sensation"
    assert page.across_the_edge("light tingling", twitch) is None
    assert page.edge_distance(0.749, 0.754) == "0.7% below"
    assert page.edge_distance(0.030, 0.0281) == "6.8% above"


def test_a_voltage_programs_current_says_why_the_output_table_gives_another() -> None:
    """HVPC's report gave 749 mA for the sensation (150 V over the calf's 200 Ω) and 476 mA
    on the output table's typical skin load, and never said why (probe of 5 December 2026).
    Stubbed effects: the wording is what is tested."""
    from types import SimpleNamespace

    program = load_program(bundled_examples()["hvpc_wound"])
    report = check(program)
    result = SimpleNamespace(program=program, safety=report, effects=None)
    fields = {"method": "fem", "channels": [{"name": "1", "resistance_ohm": 200.0,
                                             "current_A": 0.75}]}
    rows = dict(body_rows.field_rows(fields, result))  # type: ignore[arg-type]
    generic = report.table.channels[0].row("skin_peak_current").programmed
    assert 0.4 < generic < 0.55  # 150 V over 300 Ω of tissue and the skin
    assert rows["Current"].startswith("750 mA (the voltage over this site's load")
    assert f"it would be {generic * 1e3:.0f} mA" in rows["Current"]
    # a current-controlled program's current needs no such words
    tens = load_program(bundled_examples()["tens_conventional"])
    rows = dict(body_rows.field_rows(fields, SimpleNamespace(program=tens, safety=check(tens),
                                                        effects=None)))  # type: ignore[arg-type]
    assert rows["Current"] == "750 mA"


@functools.cache
def _two_tens() -> Any:
    """Two 80 Hz TENS channels, the second on the right side (their fields in the
    analytic planar model)."""
    from estim.program import parse_program

    text = bundled_examples()["tens_conventional"].read_text()
    block = text[text.index("[[channels]]"):].replace("lumbar_left", "lumbar_right")
    two = parse_program(text + "\n" + block.replace('name = "1"', 'name = "2"', 1))
    return fields_for_program(two, method="analytic", boundary="uniform")


def test_two_channels_that_are_not_interferential_get_no_beat() -> None:
    """Two 80 Hz TENS channels got an 'interferential beat' panel and a modulation depth
    in fields.json (probe of 5 December 2026): only true interferential's pair beats."""
    from estim.report.field_numbers import section_summary

    pf = _two_tens()
    assert not pf.beat
    section, panels = figures.section_panels(pf)
    assert len(panels) == 2 and not any("beat" in label for label, _ in panels)
    assert "mean_modulation_depth" not in section_summary(pf, section)


def test_the_stimulators_section_is_per_ampere_of_the_channel_the_dial_sets() -> None:
    """With the iontophoresis channel listed first the page's field was per ampere of its
    4 mA, 6.25 times too strong at the TENS channel's 25 mA (probe of 6 December 2026):
    either order draws the same field per ampere of the pulsed channel the dial sets."""
    import numpy as np

    from estim.program import parse_program
    from estim.stimulator.safety_dial import dial_channel
    from estim.web.section import section_data
    from tests.programs import IONTO, TENS, channel, disc, head

    ionto = channel("ionto", "lumbar_right_upper", "lumbar_right_lower", pad=disc("4 cm"),
                    **IONTO)
    tens = channel("tens", "lumbar_left_upper", "lumbar_left_lower", **TENS)
    for text in (head() + ionto + tens, head() + tens + ionto):
        program = parse_program(text)
        pf = fields_for_program(program, method="analytic", boundary="uniform")
        image = np.array(section_data(pf, dial_channel=dial_channel(program).name)
                         ["field_v_per_m_per_unit"], dtype=float)
        pts = figures.cross_section(pf).points[::2, ::2].reshape(-1, 3)  # as sampled there
        by_name = {c.name: c.field(pts) for c in pf.channels}
        # per ampere of the TENS channel: the d.c. channel at its 4 mA per 25 mA
        want = np.linalg.norm(by_name["tens"] + by_name["ionto"] * 4 / 25,
                              axis=1).reshape(image.shape)
        inside = np.isfinite(image)
        # the page rounds its grid to 1e-4 V/m
        assert inside.any() and np.allclose(image[inside], want[inside], rtol=0, atol=1e-4)


def test_channels_whose_pads_lie_apart_each_get_their_own_section() -> None:
    """Two pairs of pads side by side on the back were drawn on the first pair's section:
    the second channel's panel showed its field 8 cm from its pads, 20 times weaker than
    under them (probe of 5 December 2026)."""
    import numpy as np

    pf = _two_tens()
    groups = figures.section_groups(pf)
    assert [len(panels) for _, panels in groups] == [1, 1]
    peaks = []
    for name, (section, panels) in zip(("1", "2"), groups, strict=True):
        own = [e for e in section.electrodes if e.channel == name]
        assert own and all(e.offset_m < 5e-3 for e in own)  # its pads on its section
        assert panels[0][0].startswith(f"channel {name},")
        peaks.append(float(np.nanmax(panels[0][1])))
    # the same pads and current: the same field under each pair (the analytic model's
    # mirror image), where channel 2's panel read a twentieth of it
    assert peaks[1] == pytest.approx(peaks[0], rel=0.05)
    fig = figures.cross_section_figure(pf)
    assert len([ax for ax in fig.get_axes() if ax.get_images()]) == 2


def test_the_stimulators_section_of_two_channels_beats_only_for_interferential() -> None:
    """The browser's section drew an interferential envelope for any two channels (review
    of 5 December 2026): two TENS channels' fields add."""
    import numpy as np

    from estim.fields.interference import envelope_max
    from estim.web.section import section_data

    pf = _two_tens()
    image = np.array(section_data(pf)["field_v_per_m_per_unit"], dtype=float)
    section = figures.cross_section(pf)
    pts = section.points[::2, ::2].reshape(-1, 3)  # as section_data samples it
    a, b = (c.field(pts) * pf.currents[c.name] / pf.currents["1"] for c in pf.channels)
    summed = np.linalg.norm(a + b, axis=1).reshape(image.shape)
    inside = np.isfinite(image)
    assert np.allclose(image[inside], summed[inside], rtol=1e-3)
    assert not np.allclose(image[inside], envelope_max(a, b).reshape(image.shape)[inside])


def test_each_channels_note_is_in_its_own_table() -> None:
    """Channel 1 at 3 mA is not limited into 2 kΩ through 10 V; channel 2 at 8 mA is. The
    report joined both channels' notes into one, so channel 2's "programmed: limited at
    5 mA" read as channel 1's; then every channel's table carried every channel's notes
    (probes of 5 December 2026). The report draws a table per channel, each with its own."""
    dbs = load_program(bundled_examples()["dbs_stn"])
    stim = dbs.channels[0].stimulation
    second = dbs.channels[0].replace(name="2", stimulation=stim.replace(
        amplitude=stim.amplitude.model_copy(update={"value": 8e-3})))
    _, rows = safety_rows.output_table(check(dbs.replace(channels=(dbs.channels[0], second))).table)
    first, other = next(r.notes for r in rows
                        if r.label == "Maximum output current @ 2 kΩ (peak)")
    assert first == "device maximum: limited at 5 mA by the compliance voltage"
    assert other.startswith("programmed: limited at 5 mA")
    # a row without a note in one channel has none there
    alike = dbs.replace(channels=(dbs.channels[0], dbs.channels[0].replace(name="2")))
    _, rows = safety_rows.output_table(check(alike).table)
    assert all(len(r.notes) == 2 for r in rows)
    assert any(r.notes == ("", "") for r in rows)


def test_another_muscles_force_is_a_fraction_not_the_quadriceps_newtons() -> None:
    """The force model's newtons are Ding et al.'s quadriceps': the tibialis anterior's
    "91 of 311 N" and the report's "maximal force of the modelled muscle 311 N" read as
    that muscle's own (probe of 5 December 2026). Another muscle's force is a fraction of
    its maximal in the rows, the lines and the figure; the quadriceps' keeps its N."""
    from estim.report.body_rows import force_rows

    force = {"first_contraction_peak_N": 91.0, "last_contraction_peak_N": 81.0,
             "fatigue_ratio": 0.89, "contractions": 80, "max_force_N": 311.0,
             "muscle": "tibialis anterior", "newtons_of": "quadriceps"}
    rows = dict(force_rows(force))
    assert rows["First contraction, peak force"] == "29 % of maximal"
    assert rows["Last contraction, peak force"] == "26 % of maximal"
    assert "not modelled for the tibialis anterior" in rows["Maximal force"]
    assert not any(v.endswith(" N") for v in rows.values())
    quad = dict(force_rows({**force, "muscle": "quadriceps"}))
    assert quad["First contraction, peak force"] == "91 N"
    assert quad["Maximal force of the modelled muscle"] == "311 N"


def test_a_russian_rate_is_bursts_and_its_json_key_says_its_unit_once(capsys) -> None:
    """results.json had ``pulses_per_s_per_s``, and the terminal called a Russian
    current's 8.33 bursts a second "pulses/s" (probe of 5 December 2026)."""
    import io

    from estim import load_program, simulate
    from estim.program.bundled import bundled_examples
    from estim.report.run import result_to_dict
    from estim.report.terminal import console as make_console
    from estim.report.terminal import render_brief

    result = simulate(load_program(bundled_examples()["russian_quadriceps"]), body=False)
    data = result_to_dict(result)
    metrics = data["channels"][0]["metrics"]
    assert "pulses_per_s_per_s" not in metrics
    # 50 bursts/s, 10 s on in every 60 s (examples/russian_quadriceps.toml)
    assert metrics["pulses_per_s"] == pytest.approx(50 * 10 / 60, rel=1e-12)
    out = make_console()
    out.file = io.StringIO()
    render_brief(data, out)
    text = out.file.getvalue()
    assert "8.33 bursts/s on average over the session" in text and "pulses/s" not in text
    # premodulated interferential's events are its 100 beats a second, not carrier cycles
    # (review); true interferential's are its 4 kHz carrier's cycles
    for name, words in (("ifc_premodulated", "100 beats/s on average"),
                        ("ifc_true_knee", "4,100 carrier cycles/s on average")):
        out.file = io.StringIO()
        render_brief(result_to_dict(simulate(load_program(bundled_examples()[name]),
                                             body=False)), out)
        assert words in out.file.getvalue(), name


def test_a_voltage_set_output_says_its_charge_into_the_tissue() -> None:
    """HVPC's output read "voltage-time area of a phase 736 µV·s", where wound trials dose
    charge a pulse and a second (clinician's probe of 7 December 2026): through the field's
    tissue and skin interface, V·s / Ω, the twin peak's two phases a pulse."""
    import io

    from estim import load_program, simulate
    from estim.program.bundled import bundled_examples
    from estim.report.run import result_to_dict
    from estim.report.terminal import console as make_console
    from estim.report.terminal import render_brief

    data = result_to_dict(simulate(load_program(bundled_examples()["hvpc_wound"]), body=False))
    m = data["channels"][0]["metrics"]
    data["effects"] = {"fields": {"channels": [{"name": "1", "resistance_ohm": 200.0}]}}
    out = make_console()
    out.file = io.StringIO()
    render_brief(data, out)
    text = " ".join(out.file.getvalue().split())
    # 150 V twin peaks: 1.4725 mV·s a pulse, 0.14725 V on average (examples' pulse shape)
    assert m["max_net_charge_per_pulse_V_s"] == pytest.approx(2 * m["max_phase_charge_V_s"])
    assert "200 Ω of tissue and skin interface: 7.36 µC a pulse, 736 µC/s over the " \
        "session" in text, text
    data["effects"] = None  # no field: the volt-seconds alone
    out.file = io.StringIO()
    render_brief(data, out)
    assert "µC" not in out.file.getvalue()
    # a balanced pulse: a phase's charge, not the net "0 C a pulse" beside a charge a
    # second (hostile probe of 7 December 2026); 20 V x 200 µs / 200 Ω = 20 µC a phase
    import re

    from estim.program import parse_program

    text = bundled_examples()["tens_conventional"].read_text(encoding="utf-8")
    text = re.sub(r'compliance_voltage = "[^"]*"\n', "", text.replace(
        'control = "current"', 'control = "voltage"').replace(
        'max_current = "100 mA"', 'max_voltage = "60 V"').replace(
        'amplitude = "25 mA"', 'amplitude = "20 V"'))
    data = result_to_dict(simulate(parse_program(text), body=False))
    data["effects"] = {"fields": {"channels": [{"name": "1", "resistance_ohm": 200.0}]}}
    out.file = io.StringIO()
    render_brief(data, out)
    text = " ".join(out.file.getvalue().split())
    assert "interface: 20 µC a phase, " in text and "0 C a pulse" not in text, text


def test_a_leads_current_the_compliance_cannot_drive_is_flagged_under_its_output() -> None:
    """The Output block showed a lead's programmed 10 mA through a 3 V compliance with no
    word, while the activation below said the device drives 3.7 mA (probe of 5 December
    2026); the block now points there."""
    dbs = {"contacts": [{"role": "cathode", "radius_m": 3e-3}], "volume_mm3": 94.5,
           "fiber_diameter_m": 5.7e-6, "field_threshold_V_per_m": 200.0,
           "field_volume_mm3": 62.2, "limited_by": "the 3 V compliance drives "
           "at most 3.7 mA through 812 Ω, not the programmed 10 mA"}
    for limited, said in ((dbs, True), ({**dbs, "limited_by": None}, False)):
        text = _brief_of("dbs_stn", {"dbs_activation": limited, "notes": []})
        assert ("cannot drive all of it" in text) is said
        assert ("limited: the 3 V compliance" in text) is said


def test_a_figure_title_and_footnote_are_wrapped_to_the_figure() -> None:
    """A one-panel section is 4.7 inches wide: its title and the faded pads' footnote ran
    off both edges (probe of 5 December 2026). Wrapped at 0.6 em a character (capitals
    too), each line fits the figure's width."""
    from matplotlib.figure import Figure

    from estim.report.figures import _fits_across

    fig = Figure(figsize=(4.7, 3.9))
    long = ("Iontophoresis, dexamethasone, elbow, a very long program name: |E| at the "
            "programmed currents")
    lines = _fits_across(fig, long, 10).splitlines()
    assert len(lines) >= 2 and " ".join(lines) == long
    assert all(len(x) * 0.6 * 10 <= 4.7 * 72 for x in lines)  # [chars x em x pt <= in x pt]
    sub = Figure(figsize=(9.0, 4.0)).subfigures(1, 2)[0]  # a subfigure: its figure's width
    assert _fits_across(sub, long, 10) == long.replace("\n", " ")


def test_a_dose_the_compliance_cannot_drive_is_flagged_under_its_output() -> None:
    """Iontophoresis's Output block read "peak 4 mA" where the dose says the device's
    compliance drives 1.6 mA (review of 5 December 2026); it points there (above it since
    the output follows what the program does; clinician's probe of 7 December 2026)."""
    dose = {"dose_mA_min": 40.0, "current_density_mA_per_cm2": 0.4,
            "return_current_density_mA_per_cm2": 4 / 24, "current_density_limit_mA_per_cm2": 0.5,
            "current_density_ok": True, "mass_delivered_mg": 0.07,
            "findings": ["the device's 5 V compliance drives at most 1.6 mA through the skin"]}
    for findings, said in ((dose["findings"], True), ([], False)):
        text = _brief_of("iontophoresis_dexamethasone",
                         {"dose": {**dose, "findings": findings}, "notes": []})
        assert ("cannot drive all of it: see the dose above" in text) is said
        assert text.index("Dose:") < text.index("Output")
        assert ("! the device's 5 V compliance" in text) is said
        assert "under the return pad" not in text  # under the limit: not said


def _brief_of(example: str, effects: dict[str, object]) -> str:
    """The one-screen summary of a bundled example's output (no body) with ``effects``
    in place of its own: what the terminal prints of them."""
    import io

    from estim import load_program, simulate
    from estim.program.bundled import bundled_examples
    from estim.report.run import result_to_dict
    from estim.report.terminal import console as make_console
    from estim.report.terminal import render_brief

    data = result_to_dict(simulate(load_program(bundled_examples()[example]), body=False))
    data["effects"] = effects
    out = make_console()
    out.file = io.StringIO()
    render_brief(data, out)
    return str(out.file.getvalue())


def test_the_one_screen_summary_shows_failures_before_warnings() -> None:
    """Six warnings filled the summary's six lines and hid three failures, and it sent the
    reader to estim check, which has no field and passed them (probe of 6 December 2026)."""
    import io

    from estim import load_program, simulate
    from estim.program.bundled import bundled_examples
    from estim.report.run import result_to_dict
    from estim.report.terminal import console as make_console
    from estim.report.terminal import render_brief

    data = result_to_dict(simulate(load_program(bundled_examples()["tens_conventional"]),
                                   body=False))
    finding = {"channel": "1", "value": None, "limit": None, "setting": "programmed",
               "note": "", "description": ""}
    # named by their descriptions, as the brief names rules
    data["safety"] = {"verdict": "fail", "findings": [
        *({**finding, "rule_id": f"w.{k}", "description": f"warned.{k}", "verdict": "warn"}
          for k in range(8)),
        *({**finding, "rule_id": f"f.{k}", "description": f"failed.{k}", "verdict": "fail"}
          for k in range(3))]}
    out = make_console()
    out.file = io.StringIO()
    render_brief(data, out)
    text = str(out.file.getvalue())
    assert all(f"failed.{k}" in text for k in range(3))
    assert "and 5 more (-v, results.json or the report for all)" in text
    assert "estim check for all" not in text


def test_the_brief_prints_the_programs_own_description_literally() -> None:
    """Under its name, as the file wrote it: a ``[see manual]`` printed as ``\\[see manual]``
    and a line break as ``\\n`` (review of 6 December 2026)."""
    import io

    from estim import parse_program, simulate
    from estim.program.bundled import bundled_examples
    from estim.report.run import result_to_dict
    from estim.report.terminal import console as make_console
    from estim.report.terminal import render_brief

    text = bundled_examples()["tens_conventional"].read_text(encoding="utf-8")
    line = next(ln for ln in text.splitlines() if ln.startswith("description"))
    text = text.replace(line, 'description = "80 Hz [see manual]\\nsecond line"')
    out = make_console()
    out.file = io.StringIO()
    render_brief(result_to_dict(simulate(parse_program(text), body=False)), out)
    lines = out.file.getvalue().splitlines()
    assert lines[1:3] == ["80 Hz [see manual]", "second line"], lines[:4]


def test_the_summary_of_iontophoresis_gives_its_dose() -> None:
    """The report's summary said only that estim does not predict what d.c. feels like; the
    dose, what the program is for, was further down (browser probe of 6 December 2026)."""
    from estim.report.run import result_to_dict
    from estim.report.summary import summary
    from estim.simulate import simulate

    result = simulate(load_program(bundled_examples()["iontophoresis_dexamethasone"]))
    feel = summary(result, result_to_dict(result))["feel"]
    dose = result.effects.dose
    assert feel[-1].startswith(f"It delivers a dose of {dose.dose_mA_min:.3g} mA·min at "
                               "0.4 mA/cm² under the drug pad, about ")


@pytest.mark.parametrize(("load", "said"), [
    (200.0, "(the rules were also judged into this site's own 200 Ω, below the 500 Ω test "
            "load: a voltage-controlled output drives more current into it; estim check uses "
            "the test loads alone)"),
    (24_500.0, "(the rules were also judged into this site's own 24.5 kΩ, above the 500 Ω "
               "test load"),
    (None, None)])
def test_the_summary_names_the_site_load_a_rule_was_judged_into(
        load: float | None, said: str | None) -> None:
    """``estim check`` and ``estim run`` counted HVPC's warnings differently with no word why
    (probe of 6 December 2026): the run says when it judged rules into the site's own load,
    and on which side of the test load. The load is the finding's own field
    (``site_load_ohm``); it was parsed from the note's words before."""
    import io

    from estim import load_program, simulate
    from estim.program.bundled import bundled_examples
    from estim.report.run import result_to_dict
    from estim.report.terminal import console as make_console
    from estim.report.terminal import render_brief

    data = result_to_dict(simulate(load_program(bundled_examples()["tens_conventional"]),
                                   body=False))
    for f in data["safety"]["findings"]:
        f["site_load_ohm"] = None
    data["safety"]["findings"][0]["site_load_ohm"] = load
    out = make_console()
    out.file = io.StringIO()
    out.width = 200
    render_brief(data, out)
    text = " ".join(str(out.file.getvalue()).split())
    assert ("judged into this site's own" in text) is (said is not None)
    if said:
        assert said in text, text
        # after the rules it explains (it stood above them, a debug line to a clinician)
        assert text.index("judged into") > text.index("Safety:")


def test_a_log_axis_over_many_decades_is_labelled_at_its_decades() -> None:
    """A program at 1 nA drew its recruitment from 0.5 nA to 0.35 mA, labelled at 1, 2 and
    5 of every decade: "5e-071e-062e-06" ran together (probe of 6 December 2026)."""
    from matplotlib.figure import Figure

    from estim.report.plots import plain_log_ticks

    for (lo, hi), most in (((5e-7, 0.35), 7), ((2.0, 200.0), 10)):
        ax = Figure().subplots()
        ax.set_xscale("log")
        ax.set_xlim(lo, hi)
        plain_log_ticks(ax.xaxis)
        ticks = [t for t in ax.get_xticks() if lo <= t <= hi]
        labels = [ax.xaxis.get_major_formatter()(t) for t in ticks]
        assert len(ticks) <= most, labels
        assert all("e" not in text for text in labels), labels
    assert labels[:3] == ["2", "5", "10"]  # 1, 2 and 5 a decade over two decades



def test_the_summary_says_where_each_interferential_makes_its_beat() -> None:
    """The premodulated report said its one channel's carriers "beat in the tissue", the one
    thing a learner must not take away (educator probe of 6 December 2026): true
    interferential beats in the tissue, premodulated inside the device."""
    from estim.report.run import result_to_dict
    from estim.report.summary import summary
    from estim.simulate import simulate

    said = {}
    for name in ("ifc_true_knee", "ifc_premodulated"):
        result = simulate(load_program(bundled_examples()[name]), body=False)
        said[name] = summary(result, result_to_dict(result))["what"]
    assert "beat where their fields meet in the tissue" in said["ifc_true_knee"]
    assert "modulated at the beat inside the device" in said["ifc_premodulated"]
    assert "in the tissue" not in said["ifc_premodulated"]


def test_a_sinusoidal_carriers_pads_are_not_called_anode_and_cathode() -> None:
    """An educator read "anode" on an interferential pad as a fixed polarity (probe of 6
    December 2026): a sinusoidal carrier's pads are "pad (+)" and "pad (−)", and the
    section's footnote, in the report and on the page, says that each is anode and cathode
    in turn. A pulsed TENS channel's pads keep their roles and no such note."""
    from matplotlib.text import Text

    from estim.program import parse_program
    from estim.web.section import section_data
    from tests.programs import channel, head

    def texts(text: str) -> tuple[str, dict[str, Any]]:
        pf = fields_for_program(parse_program(text), method="analytic", boundary="uniform")
        fig = figures.cross_section_figure(pf)
        words = " ".join(t.get_text() for t in fig.findobj(Text)).replace("\n", " ")
        return words, section_data(pf)

    russian = {"type": "russian", "amplitude": "60 mA"}  # on the back: the analytic model
    for text in (bundled_examples()["ifc_premodulated"].read_text(encoding="utf-8"),
                 head() + channel("1", "lumbar_left_upper", "lumbar_left_lower", **russian)):
        words, data = texts(text)
        assert "pad (+)" in words and "pad (−)" in words, words
        assert "anode" not in words.replace("anode and cathode in turn", "")
        assert "each pad is anode and cathode in turn" in words
        assert all(e["alternating"] for e in data["electrodes"])
        assert data["pads_note"] == figures.ALTERNATING_NOTE
    words, data = texts(bundled_examples()["tens_conventional"].read_text(encoding="utf-8"))
    assert "anode (+)" in words and "cathode (−)" in words
    assert "in turn" not in words
    assert not any(e["alternating"] for e in data["electrodes"]) and data["pads_note"] is None


def test_the_summary_names_rules_that_do_not_pass_and_where() -> None:
    """The summary listed the rules' formulas ("|signed mean| / mean |I| over a cycle, into
    500 Ω …") and not where they tripped, so HVPC's current density, over its limit at the
    500 V maximum alone, read as if the programmed 150 V were (phone probe of 6 December
    2026): each rule by its name, "(at the device maximum only)" where the same rule passes
    at the programmed setting, and not where it is judged at the maximum alone (review)."""
    import dataclasses

    from estim import simulate
    from estim.program.options import Verdict
    from estim.report.summary import _rules_not_passing
    from estim.safety.output import Setting

    findings = simulate(load_program(bundled_examples()["hvpc_wound"]), body=False).safety.findings
    bad = {(f.rule_id, f.setting) for f in findings if f.verdict is not Verdict.PASS}
    assert bad >= {("iec.current_density", Setting.DEVICE_MAXIMUM),
                   ("iec.dc_component", Setting.PROGRAMMED)}
    assert _rules_not_passing(findings) == ["D.c. component of the output",
                                            "R.m.s. current density under the smaller electrode"]
    # the programmed setting passing it (as into the calf's own load): the maximum alone
    passed = [dataclasses.replace(f, verdict=Verdict.PASS)
              if f.rule_id == "iec.current_density" and f.setting is Setting.PROGRAMMED else f
              for f in findings]
    assert _rules_not_passing(passed) == [
        "D.c. component of the output",
        "R.m.s. current density under the smaller electrode (at the device maximum only)"]
    # judged at the maximum alone (no programmed finding of it): not said to pass as set
    at_max = [f for f in passed if not (f.rule_id == "iec.current_density"
                                        and f.setting is Setting.PROGRAMMED)]
    assert not any("only" in r for r in _rules_not_passing(at_max))
    # a monophasic TENS at 0 mA: its shape is judged at the maximum alone
    from estim.program import parse_program

    text = bundled_examples()["tens_conventional"].read_text(encoding="utf-8")
    zero = parse_program(text.replace('amplitude = "25 mA"', 'amplitude = "0 mA"').replace(
        'pulse = "symmetric_biphasic"', 'pulse = "monophasic"'))
    named = _rules_not_passing(simulate(zero, body=False).safety.findings)
    assert "Charge balance" in named and not any("only" in r for r in named), named


def test_a_note_the_summary_says_is_not_said_again() -> None:
    """DBS's activated volume was the summary's line and, word for word, the first of the
    notes on the model (phone probe of 6 December 2026): said once, in the summary; the
    notes keep what the summary does not say (the encapsulation's share)."""
    import html as h
    import re

    from estim import simulate
    from estim.report.html import render_html
    from estim.report.run import result_to_dict

    result = simulate(load_program(bundled_examples()["dbs_stn"]))
    (volume,) = [n for n in result.effects.notes if n.startswith("DBS: ")]
    text = h.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ",
                                                  render_html(result, result_to_dict(result)))))
    assert text.count(volume) == 1
    notes = text[text.rindex("Notes on the model"):text.rindex("Program file")]  # not the nav
    assert volume not in notes and "encapsulation" in notes


def test_every_link_on_the_page_has_its_target_once() -> None:
    """The page opens on where each part is, and each footnote leads back to the findings
    (on a phone a reader lost their place; phone probe of 6 December 2026): every
    ``href="#…"`` names one element, and no id is given twice."""
    import re

    from estim import simulate
    from estim.report.html import render_html
    from estim.report.run import result_to_dict

    for name in ("tens_conventional", "iontophoresis_dexamethasone"):
        result = simulate(load_program(bundled_examples()[name]), body=False)
        html = render_html(result, result_to_dict(result))
        ids = re.findall(r'\sid="([^"]+)"', html)
        assert len(ids) == len(set(ids)), name
        targets = set(re.findall(r'href="#([^"]+)"', html))
        assert targets and targets <= set(ids), targets - set(ids)
        nav = html[html.index('<nav class="toc">'):html.index("</nav>")]
        assert 'href="#summary"' in nav and 'href="#program"' in nav
        # the contents in the page's own order (they ran in two orders; clinician's probe
        # of 7 December 2026), every section listed
        listed = re.findall(r'href="#([^"]+)"', nav)
        sections = re.findall(r'<section id="([^"]+)"', html)
        assert listed == sections, (listed, sections)
        assert {f"ref{n}" for n in re.findall(r'<li id="fn(\d+)"', html)} <= set(ids)


def test_a_band_whose_top_is_the_fiber_samples_edge_says_so() -> None:
    """Microcurrent's strong tingling read "(0.24–1.7 mA across people)", above its pain
    and twitch bands, where 5 of the 20 people need more Aβ afferents than the window
    samples (clinician's probe of 7 December 2026): the band says its upper end is not a
    prediction; a band with fewer such people (under a tenth) is left as it is."""
    from estim.report.body_rows import thresholds

    def band(lo: float, hi: float) -> dict[str, float]:
        return {"p10_A": lo, "median_A": (lo + hi) / 2, "p90_A": hi}

    window = {"sensory_threshold_A": 1.7e-4, "sensory_criterion": "detection: 169 Aβ",
              "strong_tingling_threshold_A": 4.2e-4,
              "strong_tingling_criterion": "strong tingling: 317 Aβ",
              "motor_threshold_A": 1.6e-3, "motor_criterion": "visible contraction",
              "pain_threshold_A": 5.6e-4, "pain_criterion": "pain: 87% of the Aδ",
              "recruited_at_programmed": {"abeta": 0.9}, "programmed_peak_current_A": 3e-4,
              "bands": {"subjects": 20, "sensory": band(1.2e-4, 2.4e-4),
                        "strong_tingling": band(2.4e-4, 1.7e-3),
                        "motor": band(1.2e-3, 2e-3), "pain": band(3.3e-4, 8.8e-4),
                        "beyond_sample": {"strong tingling": [0, 3, 7, 11, 19],
                                          "detection": [4]}}}
    rows = {t.name: t.current for t in thresholds(window)}
    assert rows["Strong tingling"] == ("0.42 mA (0.24–1.7 mA across people) (its upper end "
                                       "lies where the model's sample of nerve fibers ends "
                                       "for 5 of the 20 people: not a prediction)")
    assert rows["Sensory threshold (detection)"] == "0.17 mA (0.12–0.24 mA across people)"


def test_a_warning_says_what_it_means_on_the_first_screen() -> None:
    """Microcurrent's "WARN d.c. component of the output: 100 % (limit 1 %)" stood bare on
    estim run's first screen; what it means was in the stimulator and in a comment of the
    program file alone (clinician's probe of 7 December 2026)."""
    import io

    from rich.console import Console

    from estim import load_program, simulate
    from estim.program.bundled import bundled_examples
    from estim.report.run import result_to_dict
    from estim.report.terminal import render_brief

    data = result_to_dict(simulate(load_program(bundled_examples()["microcurrent_face"]),
                                   body=False))
    out = io.StringIO()
    render_brief(data, Console(file=out, width=80, color_system=None))
    text = " ".join(out.getvalue().split())
    assert ("WARN ch 1 d.c. component of the output: 100 % (limit 1 %) the current runs one "
            "way for a while, which can irritate the skin under the pads") in text, text
