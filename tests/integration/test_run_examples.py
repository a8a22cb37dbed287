"""Every bundled example through ``estim run``, checking a value in each report."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from estim.cli.main import main
from estim.effects.resolution import thresholds_near
from estim.program import load_program
from tests.conftest import EXAMPLES

pytestmark = [pytest.mark.integration, pytest.mark.slow]

#: Examples whose predicted sensation is NOT what their source prescribes (issue 8, open):
#: burst TENS wants visible twitches at 30 mA, and its 7-pulse bursts make a visible
#: contraction at 32.8 mA on the lower back with the shipped sample of fibers, 30 mA lying
#: 8.6 % below it (7 December 2026), beyond the twitch's edge of ±5.6 %; in each of five
#: samples calibrated
#: on their own its twitch lies at 33.2-35.8 mA (docs/effects.md, "The window for every
#: bundled example" and "How far the sample of fibers moves the answer").
#: The test holds these to their disagreement, so a model change that fixes one is noticed
#: and this set and the documentation are updated with it.
DISAGREES_WITH_SOURCE = {"tens_burst"}

#: Examples whose programmed intensity lies within the edge of the thresholds that decide
#: their verdict (estim.effects.resolution.edge_fraction: about as far as another sample of
#: the model's fibers moves a threshold, p10-p90): HVPC (its ideal 150 V source's 749 mA
#: against a pain threshold of 760 mA since the pain fraction was calibrated at the
#: intolerance study's 150 µs, 6 December 2026; 739 mA before, and 754 mA before its 5 µs
#: peaks got 0.5 µs steps),
#: and true interferential at the knee (a twitch at 31.8 against 30 mA, 5.5 % off; 32.2 mA,
#: 6.8 % off and beyond the edge, with the motor branches' factor calibrated on the 15 mm
#: thigh). Which side of the line such a program falls on is not a prediction; the test
#: holds them to the edge instead. (Modulated TENS at the knee was here, pain at 29.6
#: against 28 mA, until the periosteal Aδ's density was calibrated on Hughes et al. 2013:
#: 36.4 mA, 34.6 before 6 December. Russian current was here, a twitch at 68.3 against
#: 70 mA, until its fibers were simulated under the whole of its 10 ms bursts, 8 December
#: 2026: 65.9 mA, 6 % under 70 and beyond the edge.)
AT_THE_EDGE = {"hvpc_wound": ("pain",), "ifc_true_knee": ("motor",)}

#: Examples two of whose thresholds lie closer than their spread over samples of fibers
#: (estim.effects.resolution.orders_unsettled): modulated TENS at the knee, its twitch 33.4 and
#: pain 36.4 mA (9 % apart, inside ±18 %), which 960 fibers put the other way round
#: (docs/effects.md, "Where the model still disagrees"). Every other example's lie further
#: apart than the 1.18 × that needs: the nearest, burst and conventional TENS's pain at
#: 1.40 and 1.48 × their twitch, and true interferential's at 1.54 ×.
UNORDERED = {"tens_modulated"}

#: Examples whose reference anatomy agrees with the source while the virtual people split
#: about evenly (40-60 % of them as the source says), and the thresholds whose spread over
#: people straddles the programmed intensity: modulated TENS at the knee, 28 mA lying 19 %
#: under the reference's pain, where since each person's pain tolerance varies as measured
#: (SD / mean 0.41, the pain factor) 10 of 20 feel the source's strong tingling, 5 a twitch
#: and 5 pain (12 / 5 / 3 before it); Russian current, 70 mA 6 % above the reference's
#: twitch (65.9 mA since its fibers see the whole 10 ms burst, 8 December 2026), where 9 of
#: 20 people contract and 11 feel a strong tingling: their twitch spreads over 52.8-112 mA
#: (p10-p90), its median 75.6 mA above the reference's (moving the motor points costs more
#: current one way than it saves the other, docs/effects.md).
PEOPLE_SPLIT = {"tens_modulated": ("pain", "motor"), "russian_quadriceps": ("motor",)}

#: Examples whose predicted motor threshold comes below the sensory one (issue 8): none since
#: the motor axons are intramuscular branches of the calibrated diameter (the true
#: interferential knee had motor 6.32 mA under sensory 6.40 mA with trunk-sized axons).
MOTOR_BEFORE_SENSORY: set[str] = set()

#: Examples whose predicted pain threshold comes below the motor one. Microcurrent's 1 s
#: monophasic pulses on the face (C-fiber pain 0.56 mA, a twitch at 1.6 mA), where people
#: show it too: Volk et al. 2020 (Eur Arch Otorhinolaryngol 277:1247; 48 healthy people,
#: single monophasic pulses on the face) found the tolerability threshold above the motor
#: one only up to 10 ms pulses; beyond, discomfort can come first (read in a summary of the
#: full text, not in the paper itself: docs/effects.md). Modulated TENS on round pads at
#: the knee's joint line was here too (the periosteum 15 mm deep gave pain at 29.6 mA, the
#: vastus medialis twitching at 34.3 mA) while the periosteal Aδ's density was an assumed
#: 1; calibrated on Hughes et al. 2013 (0.25) its pain is 36.4 mA, 9 % above the twitch:
#: the order holds, by less than another sample of fibers moves either (docs/effects.md).
PAIN_BEFORE_MOTOR = {"microcurrent_face"}

#: The muscle whose motor axons each example's pads lie over (its site, and on a limb the
#: cathode's side: estim.effects.anatomy.LIMB_MUSCLES).
SITE_MUSCLE = {"lower_back": "lumbar paraspinals", "knee": "vastus medialis",
               "thigh": "quadriceps", "forearm": "forearm flexors", "cheek": "facial muscles",
               "calf": "calf muscles"}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_runs_end_to_end(path, tmp_path, capsys, monkeypatch):
    from estim.effects import subjects

    program = load_program(path)
    out = tmp_path / "out"
    monkeypatch.setenv("COLUMNS", "80")
    # the channels whose fields the virtual subjects' drives sum (the prefetch and the bands)
    summed: list[tuple[object, ...]] = []
    drive_ratios = subjects.drive_ratios

    def recorded(*args, **kwargs):
        summed.append(tuple(kwargs.get("others", ())))
        return drive_ratios(*args, **kwargs)

    monkeypatch.setattr(subjects, "drive_ratios", recorded)
    code = main(["run", str(path), "-o", str(out)])
    # the answer on one 80 x 50 screen (everything else behind -v)
    screen = capsys.readouterr().out.splitlines()
    assert len(screen) <= 50 and max(len(line) for line in screen) <= 80, "\n".join(screen)
    assert program.name in screen[0] and any(ln.startswith("Safety:") for ln in screen)
    data = json.loads((out / "results.json").read_text())
    html = (out / "report.html").read_text()
    assert code == (1 if program.expected_verdict.value == "fail" else 0)
    assert data["safety"]["verdict"] == program.expected_verdict.value
    assert "<h2>Waveform</h2>" in html
    stim = program.channels[0].stimulation
    # The peak of the output is the programmed amplitude (exact pulse model). A premodulated
    # carrier (two summed sines) only approaches it: both sines never peak at exactly the
    # same instant (4 kHz and 4.1 kHz: 0.9998 of the amplitude).
    rel = 1e-3 if getattr(stim, "mode", None) == "premodulated" else 1e-9
    assert data["channels"][0]["metrics"][f"peak_{stim.amplitude.unit}"] == pytest.approx(
        stim.amplitude.value, rel=rel)
    effects = data["effects"]
    kind = stim.type
    if kind == "iontophoresis":
        assert effects["dose"]["dose_mA_min"] == pytest.approx(40.0, rel=1e-12)
        assert effects["dose"]["polarity_ok"] is True
        return
    if kind == "dbs":
        assert "sensation_window" not in effects
        assert any("DBS" in n for n in effects["notes"])
        return
    w = effects["sensation_window"]
    assert w["muscle"] == SITE_MUSCLE[program.site.name]
    assert any(f"visible: {w['muscle']}" in line for line in screen), screen
    # a device set in volts gives its window on the dial too (the window is in A at the
    # fibers): HVPC said "feels it 85.1 mA" where the dial reads 17 V
    volts = program.device.control.value == "voltage"
    assert any("set in volts: " in line for line in screen) is volts
    assert ("Set in volts: " in html) is volts
    # What every patient reports: sensation comes before contraction.
    assert w["sensory_threshold_A"] is not None
    in_order = w["motor_threshold_A"] is None or \
        w["sensory_threshold_A"] < w["motor_threshold_A"]
    assert in_order is (path.stem not in MOTOR_BEFORE_SENSORY), (
        path.stem, w["sensory_threshold_A"], w["motor_threshold_A"])
    motor, pain = w["motor_threshold_A"], w["pain_threshold_A"]
    if motor is not None and pain is not None:
        assert (motor < pain) is (path.stem not in PAIN_BEFORE_MOTOR), (path.stem, motor, pain)
    # Every transcutaneous example gets a band over virtual people (true interferential's
    # two fields too). What they feel at the programmed peak follows each one's own
    # thresholds, whose percentiles are the bands, in the classification's order.
    bands = w["bands"]
    assert bands is not None, path.stem
    # true interferential's subjects sum the other carrier's field, at its equal peak
    if path.stem == "ifc_true_knee":
        assert summed and all(len(o) == 1 and o[0][2] == pytest.approx(1.0, rel=1e-12)
                              for o in summed), summed
    else:
        assert summed and not any(summed), summed
    per = {k: np.array([math.inf if x is None else x for x in v])
           for k, v in bands["per_subject_A"].items()}
    for key, name in (("sensory", "sensory"), ("strong", "strong_tingling"),
                      ("motor", "motor"), ("pain", "pain")):
        assert per[key].size == bands["subjects"]
        if np.all(np.isfinite(per[key])):
            assert np.percentile(per[key], [10, 50, 90]) == pytest.approx(
                [bands[name][f] for f in ("p10_A", "median_A", "p90_A")], rel=1e-12)
    at = w["programmed_peak_current_A"]
    felt = bands["at_programmed"]
    assert sum(felt.values()) == bands["subjects"]
    assert felt["painful"] == np.sum(per["pain"] <= at)
    assert felt["painful"] + felt["contraction, below pain"] == np.sum(
        np.minimum(per["pain"], per["motor"]) <= at)
    assert bands["subjects"] - felt["no sensation"] == np.sum(
        np.minimum.reduce(list(per.values())) <= at)
    assert any(line.startswith(f"  of {bands['subjects']} virtual people: ")
               for line in screen), screen
    assert f"Of {bands['subjects']} virtual people, whose skin" in html
    # where the muscle's motor points were drawn from a measured spread, the people are
    # said to differ in them (the thigh's, knee's, forearm's and calf's muscles here)
    moved = bands["motor_point_position"]["sd_m"] > 0
    assert moved is (program.site.name in ("thigh", "knee", "forearm", "calf")), path.stem
    assert ("motor points, excitability" in html) is moved, path.stem
    # and every person calls a different current painful (the pain factor's spread)
    assert "excitability and pain tolerance differ" in html, path.stem
    sensation = effects["sensation"]
    assert sensation["expected"] == [str(x) for x in program.expected_sensation]
    assert sensation["expected"], "every transcutaneous example states what its source expects"
    agrees = sensation["phrase"] in sensation["expected"]
    assert sensation["as_expected"] is agrees
    # the person reading it is told when it is too close to call, and only then
    told = (any("too close to call" in line for line in screen),
            "the model cannot say on which side of it a person falls" in html)
    assert told == (path.stem in AT_THE_EDGE,) * 2, (path.stem, told)
    # and when two thresholds lie one draw of fibers apart (the knee's twitch and pain)
    unordered = (any("too close to order" in line for line in screen),
                 "the model cannot say which a person meets first" in html)
    assert unordered == (path.stem in UNORDERED,) * 2, (path.stem, unordered)
    assert bool(w["unordered_thresholds"]) is (path.stem in UNORDERED), path.stem
    if sensation["as_expected"] is False:
        # the terminal says what the source expects, each phrase quoted (they hold commas),
        # wrapped under its indent
        said = [ln for ln in screen if "the program's source expects “" in ln]
        assert len(said) == 1 and said[0].startswith("  the program's"), screen
        assert "source expects “" in html  # the apostrophe is escaped there
        # at the edge the source is neither confirmed nor contradicted; beyond it, contradicted
        at_edge = path.stem in AT_THE_EDGE
        assert ("neither confirms nor contradicts" in html) is at_edge, path.stem
        assert ("the model and the source disagree here" in html) is not at_edge, path.stem
        # and the terminal says so as the report does (it gave the expectation alone;
        # clinician's probe of 7 December 2026)
        joined = " ".join(ln.strip() for ln in screen)
        assert ("the model and the source disagree here" in joined) is not at_edge, screen
        assert ("neither confirms nor contradicts" in joined) is at_edge, screen
    # a pass beside a predicted pain says what the checks are of, on both faces
    hurts = sensation["phrase"] == "painful" and data["safety"]["verdict"] != "fail"
    assert ("the model predicts pain" in " ".join(ln.strip() for ln in screen)) is hurts, screen
    programmed = w["programmed_peak_current_A"]
    near = {name for name, _, _ in thresholds_near(
        programmed, {k: w[f"{k}_threshold_A"] for k in ("sensory", "motor", "pain")})}
    assert near == set(AT_THE_EDGE.get(path.stem, ())), (path.stem, near)
    if path.stem not in AT_THE_EDGE:
        assert agrees is (path.stem not in DISAGREES_WITH_SOURCE), (
            f"{path.stem}: predicted {sensation['phrase']!r}, source {sensation['expected']}")
        # and most of the virtual people side with the reference anatomy's answer: where it
        # agrees with the source, most of them feel what the source prescribes; where it
        # does not, most of them do not (at the edge the people split, as they should)
        as_source = sum(felt[e] for e in sensation["expected"])
        programmed = w["programmed_peak_current_A"]
        if path.stem in PEOPLE_SPLIT:
            assert 0.4 <= as_source / bands["subjects"] <= 0.6, (path.stem, felt)
            # because people's thresholds spread across the programmed intensity
            for name in PEOPLE_SPLIT[path.stem]:
                assert bands[name]["p10_A"] < programmed < bands[name]["p90_A"], (
                    path.stem, name, bands[name])
        else:
            assert (as_source > bands["subjects"] / 2) is agrees, (path.stem, felt)
    assert "Sensation window" in html
    if path.stem == "ifc_true_knee":  # both channels drive the fibers: they see the beat
        assert any(n.startswith("true interferential") for n in effects["notes"])
        assert not any("alone" in n for n in effects["notes"])
    carrier = next((n for n in effects["notes"] if " kHz carrier at " in n), None)
    if getattr(stim, "carrier_frequency", 0.0) >= 1e3:
        # a kHz carrier: a test action potential is sent through fibers of every class
        assert carrier is not None and "test action potential" in carrier, effects["notes"]
        tested = w["conduction_under_carrier"]
        for name, counts in tested["classes"].items():
            # every tested fiber in exactly one regime; only fibers the carrier excites
            assert counts["tested"] == sum(counts[k] for k in (
                "transmits", "excited", "blocked", "untested")), (name, counts)
            recruited = w["recruited_at_programmed"][name]
            assert (counts["tested"] > 0) is (recruited > 0), (name, counts, recruited)
        assert 0 < tested["test_time_s"] < 30e-3
    else:
        assert carrier is None, carrier
        assert w["conduction_under_carrier"] is None
    if kind in ("nmes", "ems", "russian"):
        f = effects["force"]
        assert f["first_contraction_peak_N"] > 0
        # At a few % of the maximal force (Russian current at 70 mA: 1.5 %) the Ding model's
        # relaxation slows (τ1 grows with force) faster than A falls: the last contraction
        # is up to ~0.4 % stronger than the first (potentiation), never much more.
        assert 0 < f["fatigue_ratio"] <= 1.01
        assert f["first_contraction_peak_N"] <= f["max_force_N"] * (1 + 1e-6)
        assert "Force and fatigue" in html
    for value in (w["sensory_threshold_A"], w["programmed_peak_current_A"]):
        assert math.isfinite(value)


#: The force people make at their maximal tolerated current of pulsed NMES over the
#: quadriceps, as a fraction of their MVC (group means, abstracts; the pads are not in them):
#: 0.422 (biphasic pulsed current, 33 people; Schiller et al., JOSPT), 0.445 and 0.493
#: (200 and 500 µs monophasic pulses at 75 pps, 15 people; Physiother Theory Pract 2014,
#: 30:276), 0.701 and 0.769 (200 and 500 µs pulsed current, 21 women; Dantas et al. 2015,
#: Muscle Nerve 51:76). Read by a research pass, 6 December 2026 (docs/effects.md).
QUADRICEPS_FORCE_AT_TOLERANCE = (0.422, 0.769)


@pytest.mark.parametrize("name", ["nmes_quadriceps"])  # its id: run after the example's run
def test_quadriceps_force_at_the_pain_current_lies_among_peoples_at_tolerance(name):
    """A prediction, not a fit: the motor branches are calibrated on 25 % of the maximal
    force at 55 mA (Patterson & Lockwood's 300 µs, 40 Hz and smaller pads) and pain on the
    intolerance study's forearm ratio; the force the example's pulses (400 µs, 50 Hz,
    7.5 x 13 cm) make at the model's own pain current joins the two. It must lie within the
    range of the published groups' means (a person's own varies by ±18-25 % of MVC about
    them, so a model inside the range of means is as close as these data can say).
    The fields and thresholds are the example's, read from the run's cache."""
    from estim.program import parse_program
    from estim.program.bundled import bundled_examples
    from estim.simulate import simulate

    text = bundled_examples()[name].read_text(encoding="utf-8")
    limit, programmed = 'max_current = "100 mA"', 'amplitude = "60 mA"'
    assert text.count(limit) == 1 and text.count(programmed) == 1, "the example was edited"
    text = text.replace(limit, 'max_current = "250 mA"')  # its pain lies above 100 mA
    effects = simulate(parse_program(text)).effects
    pain = effects.window.pain_a
    at_pain = simulate(parse_program(text.replace(
        programmed, f'amplitude = "{pain * 1e3:.6g} mA"'))).effects
    force = at_pain.to_dict()["force"]
    fraction = force["first_contraction_peak_N"] / force["max_force_N"]
    low, high = QUADRICEPS_FORCE_AT_TOLERANCE
    assert low <= fraction <= high, (pain, fraction)
    # the run's own force at the most a person takes (the force's "at_most", which the
    # terminal and the report give) is the same force, reached from the programmed 60 mA
    # by scaling the train: a run at the pain current agrees to the 6 figures it was set to
    most = effects.to_dict()["force"]["at_most"]
    assert most["bound"] == "pain" and most["amplitude_A"] == pain
    assert most["first_contraction_peak_N"] == pytest.approx(
        force["first_contraction_peak_N"], rel=1e-3)
    # and with the example's own 100 mA device, its maximum comes first (pain 103 mA)
    shipped = simulate(parse_program(bundled_examples()[name].read_text(encoding="utf-8")))
    capped = shipped.effects.to_dict()["force"]["at_most"]
    assert capped["bound"] == "device maximum" and capped["amplitude_A"] == 0.1
    assert capped["first_contraction_peak_N"] < most["first_contraction_peak_N"]


@pytest.mark.parametrize("name", ["tens_conventional"])  # its id: after the example's run
def test_a_pass_beside_a_painful_intensity_says_what_it_is_of(name, tmp_path, capsys,
                                                               monkeypatch):
    """At 60 mA conventional TENS hurts in the model (pain 46 mA) and its output passes
    every check: a green "Safety: PASS" beside "painful" read as safe to apply (clinician's
    probe of 7 December 2026). Both faces say the checks are of the output."""
    monkeypatch.setenv("COLUMNS", "80")
    out = tmp_path / "out"
    assert main(["run", name, "--amplitude", "60mA", "-o", str(out)]) == 0
    screen = capsys.readouterr().out
    data = json.loads((out / "results.json").read_text())
    assert data["safety"]["verdict"] == "pass"
    assert data["effects"]["sensation"]["phrase"] == "painful"
    head = screen[screen.index("Safety: PASS"):screen.index("Output")]
    assert "not of what a person feels: at 60 mA the model predicts pain" in " ".join(
        head.split()), screen
    assert "not of what a person feels: at 60 mA the model predicts pain." in (
        out / "report.html").read_text()


@pytest.mark.parametrize("columns", [60, 44])
def test_what_a_person_feels_wraps_under_its_own_indent(columns, tmp_path, capsys,
                                                        monkeypatch):
    """On a narrow terminal every line of the sensation block stays indented under its
    heading: a threshold's reason, the bands' line and the verdict wrap under their own
    column instead of falling back to column 0."""
    monkeypatch.setenv("COLUMNS", str(columns))
    assert main(["run", "tens_conventional", "-o", str(tmp_path / "out")]) == 0
    screen = capsys.readouterr().out.splitlines()
    start = next(k for k, line in enumerate(screen) if line.startswith("What a person feels"))
    body = screen[start + 1:screen.index("", start)]  # the block ends at a blank line
    if body[0] == "prediction)":  # the heading itself wraps at 44 columns
        body = body[1:]
    assert len(body) >= 6 and all(line.startswith("  ") for line in body), body
    assert all(len(line) <= columns for line in screen), screen


@pytest.mark.parametrize("name", ["tens_modulated"])  # its id: after the example's run
def test_verbose_leaves_a_pair_past_the_device_unsaid_as_the_summary_does(name, tmp_path,
                                                                           capsys,
                                                                           monkeypatch):
    """On a 30 mA device modulated TENS's twitch (33.4 mA) and pain (36.4 mA) are past its
    reach: the summary marks them so and leaves their order unsaid, while -v said the pair
    was "too close to order" and marked nothing (probe of 8 December 2026)."""
    from estim.program.bundled import bundled_examples

    monkeypatch.setenv("COLUMNS", "80")
    text = bundled_examples()[name].read_text(encoding="utf-8")
    assert 'max_current = "100 mA"' in text
    path = tmp_path / "mod30.toml"
    path.write_text(text.replace('max_current = "100 mA"', 'max_current = "30 mA"'),
                    encoding="utf-8")
    for flags in ([], ["-v"]):
        out = tmp_path / f"out{len(flags)}"
        assert main(["run", str(path), *flags, "-o", str(out)]) == 0
        screen = " ".join(capsys.readouterr().out.split())
        assert "too close to order" not in screen, flags
        assert ("beyond the device's 30 mA: motor, pain" in screen) == bool(flags), screen
    # on the example's own 100 mA device -v says the pair, as the summary does
    assert main(["run", name, "-v", "-o", str(tmp_path / "stock")]) == 0
    assert "too close to order" in " ".join(capsys.readouterr().out.split())
