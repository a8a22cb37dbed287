"""The JSON API of ``estim serve`` (FastAPI's TestClient, no server, no browser): every
endpoint, the answers a page needs, and bad input refused with a 422 naming the field and
carrying the CLI's one-line message, with nothing stored.

One program (the default example) is prepared once for the module and reused by every dial
and calibration test; a second pulse width is prepared once to check that the thresholds
move the way the strength-duration curve says. The journal is SQLite in tmp_path.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient

from estim.program.bundled import bundled_examples
from estim.web import create_app

pytestmark = [pytest.mark.integration, pytest.mark.slow]

PROGRAM = "tens_conventional"
#: Longest a program may take to prepare here (2 shared cores, cold field cache).
PREPARE_TIMEOUT_S = 600.0


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('journal') / 'journal.sqlite'}"


@pytest.fixture(scope="module")
def client(database: str) -> Iterator[TestClient]:
    with TestClient(create_app(database_url=database)) as c:
        yield c


def _wait(client: TestClient, job: str) -> dict[str, Any]:
    deadline = time.monotonic() + PREPARE_TIMEOUT_S
    seen: list[float] = []
    while time.monotonic() < deadline:
        status = client.get(f"/api/jobs/{job}").json()
        assert 0.0 <= status["progress"] <= 1.0
        seen.append(status["progress"])
        if status["state"] in ("done", "failed"):
            assert status["state"] == "done", status["error"]
            assert seen == sorted(seen), "progress went backwards"
            return status
        time.sleep(0.2)
    pytest.fail(f"{job} not prepared in {PREPARE_TIMEOUT_S} s")


@pytest.fixture(scope="module")
def job(client: TestClient) -> str:
    answer = client.post("/api/programs", json={"mode": PROGRAM})
    assert answer.status_code == 200, answer.text
    # the program's name, which the page says it is preparing
    assert answer.json()["name"] == "Conventional TENS, lower back", answer.json()
    _wait(client, answer.json()["job"])
    return str(answer.json()["job"])


@pytest.fixture(scope="module")
def model(client: TestClient, job: str) -> dict[str, Any]:
    answer = client.get(f"/api/jobs/{job}/model")
    assert answer.status_code == 200, answer.text
    data: dict[str, Any] = answer.json()
    return data


def _refused(answer: Any, field: str, *words: str) -> str:
    """A 422 whose detail names ``field`` and holds the one-line ``field: got ...,
    expected ...`` message with ``words`` in it."""
    assert answer.status_code == 422, answer.text
    detail = answer.json()["detail"]
    # several problems are also listed each with its own field
    assert set(detail) in ({"field", "message"}, {"field", "message", "problems"})
    assert detail["field"] == field, detail
    message = detail["message"]
    assert "\n" not in message and "Traceback" not in message
    assert re.search(r"\bgot\b.*\bexpected\b", message), message
    for w in words:
        assert w in message, message
    return str(message)


# -- the page -----------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["estim.web.app", "estim.web.errors", "estim.web.device",
                                  "estim.web.journal"])
def test_docstring_examples_run(name: str) -> None:
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_page_loads_only_bundled_files(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert "/static/app.js" in sources and "/static/style.css" in sources
    for src in sources:  # works offline: nothing from another host
        assert not re.match(r"(?i)^(https?:)?//", src), src
        if src.startswith("/static/"):
            assert client.get(src).status_code == 200, src
    for src in (s for s in sources if s.endswith(".js")):  # user text via textContent only
        script = client.get(src).text
        assert not re.search(r"\.innerHTML\s*=|insertAdjacentHTML|document\.write", script)
        assert not re.search(r"https?://", script), src


# -- the mode menu and the sites -------------------------------------------------------

def test_example_text_to_start_a_custom_program(client: TestClient) -> None:
    text = client.get(f"/api/examples/{PROGRAM}.toml")
    assert text.status_code == 200
    assert text.text == bundled_examples()[PROGRAM].read_text(encoding="utf-8")
    _refused(client.get("/api/examples/nope.toml"), "example", "nope", PROGRAM)

def test_modes_list_every_example_the_massage_patterns_and_custom(client: TestClient
                                                                   ) -> None:
    modes = client.get("/api/modes").json()
    ids = {m["id"] for m in modes}
    assert set(bundled_examples()) <= ids
    assert {"knead", "tap", "rub", "custom"} <= ids
    for m in modes:
        assert m["label"] and m["description"], m
        assert m["kind"] in ("example", "massage", "custom")
    for m in modes:
        if m["kind"] == "massage":
            assert m["source"], f"{m['id']} names no source"
    # the pulse settings each mode has, which the page turns off for the others (the Rate
    # box was offered for interferential and refused: browser probe of 6 December 2026)
    takes = {m["id"]: m["settings"] for m in modes}
    assert takes["tens_conventional"] == ["pulse_width", "frequency"] == takes["custom"]
    # and whether it has pads to size (DBS offered "e.g. 5 cm"; educator's probe of
    # 7 December 2026)
    assert [m["id"] for m in modes if not m["pads"]] == ["dbs_stn"]
    assert takes["ifc_true_knee"] == [] == takes["russian_quadriceps"]
    assert takes["hvpc_wound"] == ["frequency"]
    for mode_id in ("ifc_true_knee", "hvpc_wound"):  # what the page leaves off is refused
        if "frequency" not in takes[mode_id]:
            _refused(client.post("/api/programs", json={"mode": mode_id,
                                                        "frequency": "100 Hz"}),
                     "frequency", "a blank rate")


def test_sites_with_their_placements(client: TestClient) -> None:
    sites = {s["name"]: s for s in client.get("/api/sites").json()}
    assert "forearm" in sites and "lower_back" in sites
    assert all(s["placements"] for s in sites.values())
    # the menu's words, not the keys (phone probe of 7 December 2026)
    assert sites["stn"]["words"] == "subthalamic nucleus"
    assert sites["lower_back"]["words"] == "lower back"


# -- preparing a program -------------------------------------------------------------------

def test_the_same_program_is_the_same_job(client: TestClient, job: str) -> None:
    again = client.post("/api/programs", json={"mode": PROGRAM})
    assert again.status_code == 200
    assert again.json()["job"] == job
    assert again.json()["state"] == "done"  # prepared once, then a lookup


@pytest.mark.parametrize(("form", "field", "words"), [
    ({"mode": PROGRAM, "pulse_width": "200"}, "pulse_width", ("'200'",)),
    ({"mode": PROGRAM, "frequency": "80 mA"}, "frequency", ("80 mA",)),
    ({"mode": PROGRAM, "site": "moon"}, "site", ("moon", "forearm")),
    ({"mode": "no_such_mode"}, "mode", ("no_such_mode",)),
    ({"mode": PROGRAM, "pad_width": "-5 cm"}, "pad_width", ("positive",)),
    # each setting's own example (a mode's was "e.g. '200 us'"; probe of 5 December 2026)
    ({"mode": [PROGRAM]}, "mode", ("text, e.g. 'tens_conventional'",)),
    ({"mode": PROGRAM, "frequency": 80}, "frequency", ("text, e.g. '80 Hz'",)),
])
def test_bad_settings_are_refused_by_field(client: TestClient, form: dict[str, str],
                                           field: str, words: tuple[str, ...]) -> None:
    _refused(client.post("/api/programs", json=form), field, *words)


def test_two_bad_settings_are_each_named_under_their_own_field(client: TestClient) -> None:
    """A bad pad width and a bad rate were one message under the pad width's box, the
    rate's box not marked (probe of 5 December 2026)."""
    answer = client.post("/api/programs", json={"mode": PROGRAM, "pad_width": "-5 cm",
                                                "frequency": "-3 Hz"})
    assert answer.status_code == 422
    detail = answer.json()["detail"]
    fields = [p["field"] for p in detail["problems"]]
    assert "pad_width" in fields and "frequency" in fields
    rate = next(p["message"] for p in detail["problems"] if p["field"] == "frequency")
    assert "-3 Hz" in rate and "width" not in rate
    # each in the page's words, once: the anode's and the cathode's pad width were two
    # messages naming program paths (browser probe of 6 December 2026)
    width = [p["message"] for p in detail["problems"] if p["field"] == "pad_width"]
    assert len(width) == 1 and width[0].startswith("Pad width: got '-5 cm'"), width
    assert rate.startswith("Rate: got '-3 Hz'"), rate


def test_a_settings_problem_at_a_path_the_form_lacks_names_the_box_and_the_path(
        client: TestClient) -> None:
    """"channels[0].anode.size: got '50 x 500 mm'" under Pad width, and "channels[0].
    stimulation.pulse_width: got '200 us'" for a rate of 10 kHz (educator's probe of 7
    December 2026): the box's label, then the program's part in words."""
    answer = client.post("/api/programs", json={"mode": PROGRAM, "pad_width": "50 cm"})
    assert answer.status_code == 422
    detail = answer.json()["detail"]
    assert detail["field"] == "pad_width"
    assert detail["message"].startswith("Pad width (the anode's size): got '50 x 500 mm', "
                                        "expected a pad that fits"), detail
    answer = client.post("/api/programs", json={"mode": PROGRAM, "frequency": "10 kHz"})
    detail = answer.json()["detail"]
    assert detail["field"] == "frequency"
    assert detail["message"].startswith("Rate (the mode's pulse width): got '200 us', "
                                        "expected a pulse"), detail


def test_a_form_the_api_cannot_read(client: TestClient) -> None:
    _refused(client.post("/api/programs", json={}), "mode", "a mode")
    _refused(client.post("/api/programs", json={"mode": PROGRAM, "colour": "red"}), "colour")


def test_unknown_job(client: TestClient) -> None:
    _refused(client.get("/api/jobs/nope"), "job", "nope")
    _refused(client.get("/api/jobs/nope/dial", params={"amplitude": "1 mA"}), "job")


# -- the dial ------------------------------------------------------------------------------

def test_model_has_the_thresholds_in_order(model: dict[str, Any]) -> None:
    assert model["max_amplitude"] > 0
    assert model["site"] == "lower_back" and model["site_words"] == "lower back"
    t = model["thresholds"]
    assert 0 < t["sensory"] < t["pain"] <= model["max_amplitude"] * 10
    assert t["sensory"] < t["strong"]


def _dial(client: TestClient, job: str, amps: float) -> dict[str, Any]:
    answer = client.get(f"/api/jobs/{job}/dial", params={"amplitude": f"{amps * 1e3:.6g} mA"})
    assert answer.status_code == 200, answer.text
    data: dict[str, Any] = answer.json()
    return data


def test_dial_turning_up_recruits_more_and_feels_stronger(client: TestClient, job: str,
                                                          model: dict[str, Any]) -> None:
    top = model["max_amplitude"]
    steps = [_dial(client, job, top * k / 8) for k in range(9)]
    assert steps[0]["level"] == "none"
    assert all(v == 0 for v in steps[0]["recruitment"].values())
    for fiber in steps[0]["recruitment"]:
        fractions = [s["recruitment"][fiber] for s in steps]
        assert all(0 <= f <= 1 for f in fractions)
        assert fractions == sorted(fractions), f"{fiber} recruitment not monotone"
    assert max(steps[-1]["recruitment"].values()) > 0
    assert steps[-1]["sensation"] != steps[0]["sensation"]
    for s in steps:
        assert s["sensation"] and s["safety_verdict"]
        assert isinstance(s["tripped_rules"], list)


def test_dial_just_above_the_sensory_threshold_is_felt(client: TestClient, job: str,
                                                       model: dict[str, Any]) -> None:
    sensory = model["thresholds"]["sensory"]
    below, above = _dial(client, job, 0.9 * sensory), _dial(client, job, 1.1 * sensory)
    assert below["level"] == "none"
    assert above["level"] != "none"


def test_dial_at_a_threshold_names_it_in_the_pages_words(client: TestClient, job: str,
                                                         model: dict[str, Any]) -> None:
    """At the pain threshold the dial is too close to call, and the API names the threshold
    in the words the report uses (the page has no copy of them); far below it, nothing."""
    from estim.effects.resolution import edge_fraction
    from estim.report.page import EDGE_WORDS

    pain = model["thresholds"]["pain"]
    near = _dial(client, job, pain)["near"]
    assert [(n["threshold"], n["words"]) for n in near] == [("pain", EDGE_WORDS["pain"])]
    assert near[0]["fraction"] == edge_fraction("pain")
    assert _dial(client, job, 0.5 * pain)["near"] == []


def test_dial_counts_the_virtual_people_past_each_threshold(client: TestClient, job: str,
                                                          model: dict[str, Any]) -> None:
    """At every setting the dial says how many of the 20 virtual people feel what, each by
    their own thresholds: at the pain band's p10 two of them hurt (the 10th percentile of 20
    lies between the 2nd and 3rd lowest), at its p90 at least 18; at zero nobody feels a
    thing. The API words it as the report does."""
    thr = model["thresholds"]
    # every virtual subject reaches pain under these pads (a p90 short of that is open, inf),
    # so the band's p10 is the 10th percentile of all 20
    assert thr["pain_p90"] is not None and math.isfinite(thr["pain_p90"])
    zero = _dial(client, job, 0.0)
    assert zero["people"]["no sensation"] == sum(zero["people"].values()) == 20
    low, high = (_dial(client, job, thr[f"pain_{p}"]) for p in ("p10", "p90"))
    assert sum(low["people"].values()) == sum(high["people"].values()) == 20
    assert 2 <= low["people"]["painful"] < 18 <= high["people"]["painful"]
    assert "find it painful" in high["people_words"]
    assert zero["people_words"] == "all 20 feel nothing"
    # and what they differ in, as the report says it (each person's pain tolerance too)
    assert high["people_varied"][-1] == "pain tolerance" and "skin" in high["people_varied"]
    # virtual people whose light or strong tingling the model cannot tell apart, its sample
    # of afferents ending before the count (docs/effects.md): counted, and said in the
    # words, only where there are some
    assert zero["undecided"] == {}
    for state in (zero, low, high):
        n = state["undecided"].get("strong tingling", 0)
        assert n <= (state["people"]["strong tingling, no contraction"]
                     + state["people"]["light tingling"])
        assert (f"of those who feel a tingling, for {n} the model cannot tell whether it is "
                "light or strong (its sample of nerve fibers runs out"
                in state["people_words"]) \
            is (n > 0)


def test_waveform_peak_is_the_dial_setting(client: TestClient, job: str,
                                           model: dict[str, Any]) -> None:
    """A current-controlled stimulator puts out the current its dial is set to: the
    waveform's largest |i| is the dial setting (2 %: a sampled ramp's top may fall between
    samples)."""
    amps = 0.5 * model["max_amplitude"]
    w = _dial(client, job, amps)["waveform"]
    assert len(w["t_s"]) == len(w["output"]) > 10
    assert w["t_s"] == sorted(w["t_s"])
    assert max(abs(i) for i in w["output"]) == pytest.approx(amps, rel=0.02)


@pytest.mark.parametrize(("amplitude", "words"), [
    ("12", ("'12'",)),            # no unit
    ("12 ms", ("12 ms",)),        # not a current
    # as typed, with the maximum in mA (it said got -0.001, expected ... (0.1 A))
    ("10 A", ("'10 A'", "device maximum (100 mA)")),  # beyond the device
    ("-1 mA", ("'-1 mA'", "device maximum (100 mA)")),
    # a valid unit, so told as the fit form tells it (hostile probe of 7 December 2026)
    ("1 MA", ("'1 MA'", "device maximum (100 mA) (M is mega; did you mean '1 mA'?)")),
])
def test_dial_bad_amplitude(client: TestClient, job: str, amplitude: str,
                            words: tuple[str, ...]) -> None:
    _refused(client.get(f"/api/jobs/{job}/dial", params={"amplitude": amplitude}),
             "amplitude", *words)


def test_section_is_the_field_per_ampere(client: TestClient, job: str) -> None:
    """The cross-section grid scales with the dial, so it must be positive and finite in the
    tissue, strongest near the skin under the pads and weaker deep down (a surface source
    in a conductor)."""
    sec = client.get(f"/api/jobs/{job}/section").json()["section"]
    assert sec["kind"] in ("longitudinal", "transverse", "lead", "coronal")
    rows = sec["field_v_per_m_per_unit"]
    assert len(rows) == len(sec["vertical_m"]) and len(rows[0]) == len(sec["horizontal_m"])
    values = [v for row in rows for v in row if v is not None]
    assert values and all(v >= 0 for v in values)
    assert {e["role"] for e in sec["electrodes"]} == {"anode", "cathode"}
    if sec["kind"] == "longitudinal":
        shallow = max(v for v in rows[1] if v is not None)
        deep = max(v for v in rows[-1] if v is not None)
        assert shallow > 3 * deep
        assert sec["layers"][0]["tissue"] == "skin"


def test_a_voltage_dials_section_is_the_field_per_volt() -> None:
    """On a voltage-controlled device the dial is in V; the section was scaled per ampere
    all the same, so HVPC's page said 162,000 V/m "at 20000 mA" at 20 V on its dial. Per
    volt it is the field per ampere over the channel's resistance (I = V / R)."""
    from estim.program import load_program
    from estim.simulate import simulate
    from estim.web.section import section_data

    fx = simulate(load_program(bundled_examples()[PROGRAM])).effects
    assert fx is not None and fx.program_fields is not None
    per_a = section_data(fx.program_fields)
    per_v = section_data(fx.program_fields, dial_unit="V")
    r = fx.program_fields.channels[0].resistance
    assert (per_a["unit"], per_v["unit"]) == ("A", "V")
    a = [v for row in per_a["field_v_per_m_per_unit"] for v in row if v]  # type: ignore[attr-defined]
    v = [v for row in per_v["field_v_per_m_per_unit"] for v in row if v]  # type: ignore[attr-defined]
    assert max(v) == pytest.approx(max(a) / r, rel=1e-3)  # rounded to 4 decimals



def test_a_section_with_every_channel_off_is_the_dials_field_still() -> None:
    """With every channel at 0 the dial sets each alike, and the person at 50 mA was
    "painful" beside a field drawn as none (review of 5 December 2026): per dial unit the
    field is each channel's per ampere, the same as the programmed channel's."""
    from estim.fields.program import ProgramFields
    from estim.program import load_program
    from estim.simulate import simulate
    from estim.web.section import section_data

    program = load_program(bundled_examples()[PROGRAM])
    fx = simulate(program).effects
    assert fx is not None and fx.program_fields is not None
    off = program.replace(channels=tuple(
        c.replace(stimulation=c.stimulation.replace(amplitude=c.stimulation.amplitude.replace(
            value=0.0))) for c in program.channels))
    zero = ProgramFields.of(off, fx.program_fields.solution)
    assert all(i == 0.0 for i in zero.currents.values())
    assert section_data(zero)["field_v_per_m_per_unit"] == \
        section_data(fx.program_fields)["field_v_per_m_per_unit"]
    # true interferential with one carrier off: no beat, the other carrier's field (its
    # envelope's was drawn as none beside "strong tingling")
    from estim.fields import fields_for_program

    ifc = load_program(bundled_examples()["ifc_true_knee"])
    solved = fields_for_program(ifc)  # the fields alone (a coarse preview would do too)
    first_off = ifc.replace(channels=(ifc.channels[0].replace(
        stimulation=ifc.channels[0].stimulation.replace(
            amplitude=ifc.channels[0].stimulation.amplitude.replace(value=0.0))),
        ifc.channels[1]))
    one = section_data(ProgramFields.of(first_off, solved.solution))
    assert max(v or 0.0 for row in one["field_v_per_m_per_unit"] for v in row) > 0


# -- calibration ---------------------------------------------------------------------------

def _ma(amps: float) -> str:
    return f"{amps * 1e3:.6g} mA"


def test_fit_to_the_models_own_thresholds_gives_the_model_back(
        client: TestClient, job: str, model: dict[str, Any]) -> None:
    """Marks at the model's own thresholds: the fitted person is the model's typical person
    (the least-squares factor is exactly 1), so their window is the model's (1e-4: the marks
    travel as 6-digit mA text)."""
    t = model["thresholds"]
    marks = {"first_felt": _ma(t["sensory"]), "strong": _ma(t["strong"]),
             "ramp_minutes": "20 min"}
    answer = client.post(f"/api/jobs/{job}/fit", json=marks)
    assert answer.status_code == 200, answer.text
    p = answer.json()
    for name in ("sensory", "strong", "motor", "pain"):
        assert p["window"][name] == pytest.approx(t[name], rel=1e-4), name
    assert p["fit"]["cutaneous_factor"] == pytest.approx(1.0, rel=1e-4)
    assert p["window"]["sensory"] < p["recommended"] < p["window"]["pain"]
    ramp = p["ramp"]
    assert ramp[0]["minute"] == 0 and ramp[-1]["minute"] == pytest.approx(20)
    assert [r["amplitude"] for r in ramp] == sorted(r["amplitude"] for r in ramp)
    again = client.post(f"/api/jobs/{job}/person", json={"fit": p["fit"]})
    assert again.status_code == 200, again.text
    assert again.json()["window"] == pytest.approx(p["window"], rel=1e-9)


def test_a_more_sensitive_person_has_a_lower_window(client: TestClient, job: str,
                                                    model: dict[str, Any]) -> None:
    """Marks at 0.6 of the model's thresholds: the person's window is the model's scaled by
    0.6 (one factor on every cutaneous threshold; 1e-4: 6-digit mA text)."""
    t = model["thresholds"]
    typical = client.post(f"/api/jobs/{job}/fit", json={
        "first_felt": _ma(t["sensory"]), "strong": _ma(t["strong"])}).json()
    sensitive = client.post(f"/api/jobs/{job}/fit", json={
        "first_felt": _ma(0.6 * t["sensory"]), "strong": _ma(0.6 * t["strong"])}).json()
    for name in ("sensory", "strong", "pain"):
        assert sensitive["window"][name] == pytest.approx(0.6 * typical["window"][name],
                                                            rel=1e-4), name
    assert sensitive["recommended"] < typical["recommended"]
    assert sensitive["recommendation"]["rule"]


@pytest.mark.parametrize(("marks", "field"), [
    ({"first_felt": "8", "strong": "20 mA"}, "first_felt"),
    ({"first_felt": "8 mA", "strong": "5 mA"}, "strong"),
    ({"first_felt": "8 mA", "strong": "20 mA", "too_much": "10 mA"}, "too_much"),
    ({"first_felt": "8 mA", "strong": "20 mA", "ramp_minutes": "20"}, "ramp_minutes"),
    ({"first_felt": "8 mA", "strong": "20 mA", "ramp_minutes": "-5 min"}, "ramp_minutes"),
    ({"first_felt": "8 mA", "strong": "20 mA", "ramp_minutes": "0 min"}, "ramp_minutes"),
    ({"first_felt": "8 mA", "strong": "20 mA", "ramp_minutes": "30"}, "ramp_minutes"),
    ({"first_felt": "1e-300 mA", "strong": "20 mA"}, "first_felt"),
    ({"first_felt": "8 mA"}, "strong"),
])
def test_bad_marks_are_refused_by_field(client: TestClient, job: str, marks: dict[str, str],
                                        field: str) -> None:
    _refused(client.post(f"/api/jobs/{job}/fit", json=marks), field)


def test_marks_out_of_order_are_named_as_typed(client: TestClient, job: str) -> None:
    # it said: marks.strong: got 0.004, expected above first_felt (0.005)
    _refused(client.post(f"/api/jobs/{job}/fit", json={"first_felt": "5 mA",
                                                       "strong": "4 mA"}),
             "strong", "got '4 mA'", "above First felt ('5 mA')")
    # its example was a pulse width, '200 us'
    _refused(client.post(f"/api/jobs/{job}/fit", json={"first_felt": "5 mA", "strong": "9 mA",
                                                       "ramp_minutes": "30"}),
             "ramp_minutes", "got '30'", "e.g. '30 min'")
    # above the dial: it said "marks.strong: got 0.2, expected ... (0.1 A)" of 200 mA
    message = _refused(client.post(f"/api/jobs/{job}/fit", json={
        "first_felt": "4 mA", "strong": "200 mA"}), "strong", "got '200 mA'", "(100 mA)")
    assert "marks." not in message
    _refused(client.post(f"/api/jobs/{job}/fit", json={
        "first_felt": "1e-9 A", "strong": "2e-9 A"}), "first_felt", "got '1e-9 A'", " mA)")
    # a mark past the dial is its own box's, not the next one's ("Strong but comfortable:
    # expected above First felt ('20 MA')"; hostile probe of 7 December 2026)
    _refused(client.post(f"/api/jobs/{job}/fit", json={
        "first_felt": "20 MA", "strong": "30 mA"}), "first_felt", "got '20 MA'",
        "at most the device maximum (100 mA) (M is mega; did you mean '20 mA'?)")
    _refused(client.post(f"/api/jobs/{job}/fit", json={
        "first_felt": "5 mA", "strong": "9 mA", "ramp_minutes": "1e400 min"}),
        "ramp_minutes", "expected a finite number")
    # a pulse width in the session's box: a ramp to minute 1.7e-08
    _refused(client.post(f"/api/jobs/{job}/fit", json={
        "first_felt": "5 mA", "strong": "9 mA", "ramp_minutes": "1 us"}), "ramp_minutes",
        "a second to a day")


def test_another_pulse_width_moves_the_thresholds_as_strength_duration_says(
        client: TestClient, job: str, model: dict[str, Any]) -> None:
    """Twice the pulse width lowers the threshold current, by less than half (Lapicque:
    I = I_rh (1 + t_ch / PW), so I(PW) / I(2 PW) lies between 1 and 2)."""
    from estim.program import load_program

    program = load_program(bundled_examples()[PROGRAM])
    width = program.channels[0].stimulation.pulse_width  # type: ignore[union-attr]
    answer = client.post("/api/programs", json={"mode": PROGRAM,
                                                "pulse_width": f"{2 * width * 1e6:g} us"})
    assert answer.status_code == 200, answer.text
    other = answer.json()["job"]
    assert other != job
    _wait(client, other)
    wider = client.get(f"/api/jobs/{other}/model").json()["thresholds"]
    ratio = model["thresholds"]["sensory"] / wider["sensory"]
    assert 1.0 < ratio < 2.0


# -- the journal ---------------------------------------------------------------------------

def _session(**changes: object) -> dict[str, object]:
    return {"program": PROGRAM, "site": "lower_back", "intensity": "18 mA",
            "minutes": "30 min", "pain_before": 6, "pain_after": 3, "notes": "", **changes}


def test_a_modes_session_without_a_job_is_at_its_own_site(client: TestClient) -> None:
    """Without a job, microcurrent_face was kept at the lower back (hostile probe of 7
    December 2026): a mode named as it is is at its own site; the page names a mode moved
    to another site with the change."""
    pid = client.post("/api/people", json={"name": "Mo"}).json()["id"]
    for name in ("microcurrent_face", "Microcurrent_Face"):  # as a reader sees the name
        _refused(client.post(f"/api/people/{pid}/sessions", json=_session(
            program=name, intensity="0.5 mA")), "site", "the mode's own site, 'cheek'",
            f"'{name} (site lower_back)'", "nothing was saved")
    # with an intensity over the dial, both are told (review of 7 December 2026)
    answer = client.post(f"/api/people/{pid}/sessions", json=_session(
        program="microcurrent_face", intensity="20 mA"))
    detail = answer.json()["detail"]
    assert [p["field"] for p in detail.get("problems", [detail])] == ["site", "intensity"]
    assert client.get(f"/api/people/{pid}/sessions").json() == []
    for program, site in (("microcurrent_face", "cheek"),
                          ("tens_conventional (site forearm)", "forearm")):
        kept = client.post(f"/api/people/{pid}/sessions", json=_session(
            program=program, site=site, intensity="0.5 mA"))
        assert kept.status_code == 200, kept.text


def test_every_bad_session_value_is_under_its_own_box(client: TestClient) -> None:
    """A wrong duration and a wrong pain after were told one at a time (probe of 6 December
    2026): each is listed with its form field, nothing is stored."""
    pid = client.post("/api/people", json={"name": "Ida"}).json()["id"]
    answer = client.post(f"/api/people/{pid}/sessions",
                         json=_session(minutes="2 d", pain_after=11))
    _refused(answer, "minutes")
    said = answer.json()["detail"]["problems"]
    assert [p["field"] for p in said] == ["minutes", "pain_after"], said
    assert said[1]["message"].startswith("Pain after: got 11"), said
    # an intensity past the dial's device maximum is told with them (review)
    answer = client.post(f"/api/people/{pid}/sessions",
                         json=_session(intensity="900 mA", minutes="2 d"))
    said = answer.json()["detail"]["problems"]
    assert [p["field"] for p in said] == ["intensity", "minutes"], said
    # one answer under a box: "20 MA" was told "from 0 to 100 mA" by the dial and "from 0
    # to 5 A (M is mega ...)" by the journal, both (hostile probe of 7 December 2026)
    answer = client.post(f"/api/people/{pid}/sessions", json=_session(intensity="20 MA"))
    _refused(answer, "intensity")
    detail = answer.json()["detail"]
    said = detail.get("problems", [detail])
    assert [p["field"] for p in said] == ["intensity"], said
    assert said[0]["message"].endswith("device maximum, 100 mA (M is mega; did you mean "
                                       "'20 mA'?)"), said
    assert client.get(f"/api/people/{pid}/sessions").json() == []


def test_people_and_sessions(client: TestClient) -> None:
    name = "<script>alert('x')</script> Ada"
    ada = client.post("/api/people", json={"name": name})
    assert ada.status_code == 200, ada.text
    pid = ada.json()["id"]
    assert ada.json()["name"] == name  # kept as typed; the page shows it as text
    assert any(p["id"] == pid for p in client.get("/api/people").json())
    assert client.get(f"/api/people/{pid}").json()["name"] == name
    first = client.post(f"/api/people/{pid}/sessions", json=_session(notes="felt <b>warm</b>"))
    assert first.status_code == 200, first.text
    s = first.json()
    assert s["intensity_a"] == pytest.approx(0.018) and s["minutes"] == pytest.approx(30)
    client.post(f"/api/people/{pid}/sessions",
                json=_session(intensity=0.02, minutes=20, pain_before="5", pain_after="2"))
    listed = client.get(f"/api/people/{pid}/sessions").json()
    assert [x["pain_after"] for x in listed] == [3, 2]
    assert listed[0]["notes"] == "felt <b>warm</b>"
    csv = client.get("/api/export.csv", params={"person_id": pid})
    assert csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv.headers["content-disposition"]
    assert csv.content.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    lines = csv.text.strip().splitlines()
    assert "intensity_mA" in lines[0] and len(lines) == 3
    assert ",18," in lines[1]
    png = client.get(f"/api/people/{pid}/plot.png")
    assert png.headers["content-type"] == "image/png"
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_session_past_what_hurts_is_asked_about_then_kept(client: TestClient,
                                                           job: str) -> None:
    """100 mA went into the journal without a word where the person had marked "too much"
    at 13.5 mA; the page read the intensity itself and "+100 mA" or "100 milliA" passed
    unasked (phone and hostile probes of 7 December 2026). The server reads it as the
    journal does and answers 409 with a question, until the session comes back with
    ``confirm``."""
    pid = client.post("/api/people", json={"name": "Pat"}).json()["id"]
    pain = client.get(f"/api/jobs/{job}/model").json()["thresholds"]["pain"]
    assert 0.02 < pain < 0.1  # the typical person's pain under conventional TENS (A)
    for spelled in ("99 mA", "+99 mA", "99 milliA", "0.099 A"):
        asked = client.post(f"/api/people/{pid}/sessions",
                            json=_session(intensity=spelled, job=job))
        assert asked.status_code == 409, (spelled, asked.text)
        detail = asked.json()["detail"]
        assert detail["field"] == "intensity" and detail["confirm"] is True
        assert detail["message"].startswith("99 mA is where the model's typical person feels "
                                            "pain (from "), detail
    assert client.get(f"/api/people/{pid}/sessions").json() == []
    # this person's own "too much" on this program, below the model's pain
    asked = client.post(f"/api/people/{pid}/sessions",
                        json=_session(intensity="18 mA", job=job, too_much_a=0.015))
    assert asked.status_code == 409
    assert asked.json()["detail"]["message"].startswith(
        "18 mA is at or above what is too much for this person on this program (15 mA, "
        "from their calibration).")
    # below both: kept at once; asked and confirmed: kept
    below = client.post(f"/api/people/{pid}/sessions",
                        json=_session(intensity="18 mA", job=job, too_much_a=0.03))
    assert below.status_code == 200, below.text
    kept = client.post(f"/api/people/{pid}/sessions",
                       json=_session(intensity="99 mA", job=job, confirm=True))
    assert kept.status_code == 200, kept.text
    assert [s["intensity_a"] for s in client.get(f"/api/people/{pid}/sessions").json()] \
        == pytest.approx([0.018, 0.099])
    # read as a current is: true was 1 A, "yes" a confirmation (review of 7 December 2026)
    for changes, field in (({"too_much_a": True}, "too_much_a"),
                           ({"too_much_a": "abc"}, "too_much_a"),
                           ({"confirm": "yes"}, "confirm")):
        bad = client.post(f"/api/people/{pid}/sessions",
                          json=_session(intensity="99 mA", job=job, **changes))
        assert bad.status_code == 422 and bad.json()["detail"]["field"] == field, bad.text


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"pain_before": 11}, "pain_before", ("11", "0", "10")),
    ({"pain_after": "a lot"}, "pain_after", ("a lot",)),
    ({"intensity": "18"}, "intensity", ("'18'",)),
    # a voltage for conventional TENS: said to be a voltage, not "its dial is in volts"
    ({"intensity": "18 V"}, "intensity", ("18 V", "is a voltage: the journal keeps the "
                                          "currents")),
    ({"minutes": "-5 min"}, "minutes", ("-5 min",)),
    # a whole-number field given 5.5: named as the form has it, not as pydantic's "int"
    ({"pain_before": 5.5}, "pain_before", ("5.5",)),
    ({"colour": "red"}, "colour", ("only the form's own fields",)),
    ({"site": "moon"}, "site", ("moon", "forearm")),
    # JSON's true was stored as 1 A (1,000 mA in the export) and 1 min, false as pain 0
    # (probe of 5 December 2026): the journal's own checks refuse booleans
    ({"intensity": True}, "intensity", ("got true",)),
    ({"minutes": True}, "minutes", ("got true",)),
    ({"pain_before": False}, "pain_before", ("got false", "whole number from 0")),
    ({"pain_after": 6.5}, "pain_after", ("6.5", "whole number from 0")),
    # a 401-digit integer overflowed float(): an HTTP 500 (review of 5 December 2026)
    ({"intensity": 10**400}, "intensity", ("finite",)),
    ({"minutes": -10**400}, "minutes", ("finite",)),
    # an extra field sent as null is named as extra, not in pydantic's words
    ({"colour": None}, "colour", ("only the form's own fields",)),
    # a bare 5 was kept as 5 A (5,000 mA) for a 100 mA unit, and 0.5 as 500 mA; a dial in
    # volts as amperes (probe of 5 December 2026)
    ({"intensity": 5}, "intensity", ("device maximum, 100 mA", "20 mA is 0.02")),
    ({"intensity": 0.5}, "intensity", ("device maximum, 100 mA",)),
    ({"program": "hvpc_wound", "site": "calf", "intensity": 0.002}, "intensity",
     ("High-voltage pulsed current, wound (calf)'s dial is in volts",)),
    # a bundled example by its title skipped the dial's range: 4,900 mA was kept, and HVPC's
    # title took amperes; a text without units was told to be typed "in amperes", which the
    # page (text only) could never send; -5 mA was held to the journal's 5 A, not to the
    # program's 100 mA (probe of 5 December 2026)
    ({"program": "Conventional TENS, lower back", "intensity": "4900 mA"}, "intensity",
     ("device maximum, 100 mA",)),
    ({"program": "High-voltage pulsed current, wound (calf)", "site": "calf",
      "intensity": "150 mA"}, "intensity", ("dial is in volts",)),
    ({"intensity": "0.02"}, "intensity", ("a current with its unit, such as '20 mA'",)),
    # named as the menu shows it, not by its key (browser probe of 6 December 2026)
    ({"intensity": "-5 mA"}, "intensity", ("from 0 to Conventional TENS, lower back's "
                                           "device maximum, 100 mA",)),
    # a name that reads as a bundled program's but is not its key nor its title skipped
    # the dial: 900 mA was kept on a 1 mA unit, and with a zero-width space on a 100 mA
    # one (probe of 6 December 2026)
    ({"program": "Microcurrent_Face", "site": "cheek", "intensity": "900 mA"}, "program",
     ("'microcurrent_face' as the menu writes it",)),
    ({"program": "microcurrent_face.", "site": "cheek", "intensity": "900 mA"}, "program",
     ("'microcurrent_face' as the menu writes it",)),
    ({"program": "conventional tens, lower back", "intensity": "900 mA"}, "program",
     ("'Conventional TENS, lower back' as the menu writes it",)),
    ({"program": "tens_conventional\u200b", "intensity": "900 mA"}, "program",
     ("without control or invisible characters",)),
    # a title holding " (" itself, changed on the page: 0.9 A was kept for HVPC, whose
    # dial is in volts (review of 6 December 2026)
    ({"program": "High-voltage pulsed current, wound (calf) (pad width 1 cm)", "site": "calf",
      "intensity": "900 mA"}, "intensity", ("dial is in volts",)),
    ({"job": ""}, "job", ("a prepared program's job id, or no job at all",)),
])
def test_bad_sessions_are_refused_and_nothing_is_stored(
        client: TestClient, changes: dict[str, object], field: str,
        words: tuple[str, ...]) -> None:
    # several cases share a field: a second person of that name, confirmed as the page does
    pid = client.post("/api/people", json={"name": f"Bob {field}", "confirm": True}
                      ).json()["id"]
    _refused(client.post(f"/api/people/{pid}/sessions", json=_session(**changes)), field,
             *words)
    assert client.get(f"/api/people/{pid}/sessions").json() == []


def test_a_body_that_is_not_json_is_named_as_the_request(client: TestClient) -> None:
    """It was filed under the field "0" (JSON's position), expecting "JSON decode error"."""
    answer = client.post("/api/people", content=b"{not json",
                         headers={"content-type": "application/json"})
    text = _refused(answer, "request", "a JSON body")
    # it read "got '', expected a JSON body" of a body that was not empty, and "got ''"
    # of an array too (probe of 6 December 2026): what JSON's reader found, and where
    assert "got a body that is not JSON" in text and "at character 2" in text, text
    text = _refused(client.post("/api/people", json=[1, 2]), "request", "a JSON object")
    assert "got a JSON array" in text and "valid dictionary" not in text, text
    # a JSON array where the form has an object: said in JSON's words (hostile probe)
    text = _refused(client.post("/api/people/1/calibrations", json={
        "program": "p", "site": "s", "marks": {}, "fit": []}), "fit")
    assert "expected a JSON object" in text and "dictionary" not in text, text
    _refused(client.post("/api/people", content=b"", headers={"content-type":
                                                              "application/json"}),
             "request", "a JSON body (the request had none)")
    # bytes that are not UTF-8 got a 400 with a string detail, unlike every other bad body
    answer = client.post("/api/people", content=b'{"name": "\xff\xfe"}',
                         headers={"content-type": "application/json"})
    _refused(answer, "request", "a JSON body in UTF-8")
    # a 5,000-digit number was called a body "that could not be read as text"; a body
    # sent as text/plain "got b'{...}', expected a valid dictionary"; a null "(missing)"
    # (probe of 5 December 2026)
    answer = client.post("/api/people", content=b'{"name": ' + b"1" * 5000 + b"}",
                         headers={"content-type": "application/json"})
    _refused(answer, "request", "over 4,300 digits")
    answer = client.post("/api/people", content=b'{"name": "x"}',
                         headers={"content-type": "text/plain"})
    _refused(answer, "request", "Content-Type: application/json")
    pid = client.post("/api/people", json={"name": "Nell"}).json()["id"]
    for field in ("intensity", "pain_before"):
        text = _refused(client.post(f"/api/people/{pid}/sessions",
                                    json=_session(**{field: None})), field)
        assert "got null" in text and "missing" not in text
    assert "got null" in _refused(client.post("/api/programs", json={"mode": None}), "mode")


def test_a_body_too_long_is_refused_before_it_is_read(client: TestClient) -> None:
    """A 50 MB body was read whole before the name's 100-character check."""
    from estim.web.app import MAX_BODY_BYTES

    before = len(client.get("/api/people").json())
    answer = client.post("/api/people", content=b" " * (MAX_BODY_BYTES + 1),
                         headers={"content-type": "application/json"})
    assert answer.status_code == 413
    assert answer.json()["detail"]["field"] == "request"
    assert "expected at most 1,048,576" in answer.json()["detail"]["message"]
    # in chunks, without a stated length: it was read whole (review)

    def chunks() -> Iterator[bytes]:
        for _ in range(3):
            yield b" " * MAX_BODY_BYTES

    answer = client.post("/api/people", content=chunks(),
                         headers={"content-type": "application/json"})
    assert answer.status_code == 413, answer.text
    assert len(client.get("/api/people").json()) == before


def test_unknown_person(client: TestClient) -> None:
    _refused(client.get("/api/people/99999"), "person_id", "99999")
    _refused(client.post("/api/people/99999/sessions", json=_session()), "person_id")
    _refused(client.get("/api/people/99999/plot.png"), "person_id")
    _refused(client.get("/api/people/abc/sessions"), "person_id", "abc")
    # past a 64-bit integer SQLite raised OverflowError: an HTTP 500 (probe, 5 December 2026)
    for huge in (2**31, 2**63, 10**23):  # 2**31: past PostgreSQL's INTEGER id
        for path in (f"/api/people/{huge}", f"/api/people/{huge}/sessions",
                     f"/api/people/{huge}/calibrations", f"/api/people/{huge}/plot.png",
                     f"/api/export.csv?person_id={huge}"):
            _refused(client.get(path), "person_id", str(huge))
        _refused(client.post(f"/api/people/{huge}/sessions", json=_session()), "person_id")
    before = len(client.get("/api/people").json())
    _refused(client.post("/api/people", json={"name": "  "}), "name")
    # null as sent, not '(missing)'
    _refused(client.post("/api/people", json={"name": None}), "name", "got null")
    assert len(client.get("/api/people").json()) == before


def test_calibrations_are_kept(client: TestClient, job: str, model: dict[str, Any]) -> None:
    t = model["thresholds"]
    fitted = client.post(f"/api/jobs/{job}/fit", json={
        "first_felt": _ma(t["sensory"]), "strong": _ma(t["strong"])}).json()
    pid = client.post("/api/people", json={"name": "Cleo"}).json()["id"]
    marks = {"first_felt": t["sensory"], "strong": t["strong"], "twitch": None,
             "too_much": None}
    saved = client.post(f"/api/people/{pid}/calibrations", json={
        "program": PROGRAM, "site": "lower_back", "marks": marks, "fit": fitted["fit"]})
    assert saved.status_code == 200, saved.text
    kept = client.get(f"/api/people/{pid}/calibrations").json()
    assert len(kept) == 1 and kept[0]["fit"] == fitted["fit"]
    bad = client.post(f"/api/people/{pid}/calibrations", json={
        "program": PROGRAM, "site": "lower_back",
        "marks": {**marks, "strong": t["sensory"] / 2}, "fit": fitted["fit"]})
    _refused(bad, "strong")
    # a mark of true was kept as 1 A; a fit the dial cannot load was kept and then refused
    # by the dial (probe of 5 December 2026)
    _refused(client.post(f"/api/people/{pid}/calibrations", json={
        "program": PROGRAM, "site": "lower_back", "marks": {**marks, "first_felt": True},
        "fit": fitted["fit"]}), "first_felt", "got true")
    for fit, field, words in (
            ({}, "fit", ()),
            ({**fitted["fit"], "cutaneous_factor": -1e300}, "fit",
             ("fit.cutaneous_factor", "-1e+300", "0.01 to 100")),
            ({**fitted["fit"], "motor_factor": 10**400}, "fit", ("fit.motor_factor",)),
            ({**fitted["fit"], "marks": {"strong": 10**400}}, "fit", ("fit.marks",))):
        _refused(client.post(f"/api/people/{pid}/calibrations", json={
            "program": PROGRAM, "site": "lower_back", "marks": marks, "fit": fit}), field,
            *words)
    assert len(client.get(f"/api/people/{pid}/calibrations").json()) == 1


def test_a_calibration_that_contradicts_its_fit_is_refused(client: TestClient, job: str,
                                                           model: dict[str, Any]) -> None:
    """"false" was kept as true (bool("false")), a list as the text "[1]", and a record
    whose site, program or marks differ from its fit's was kept beside it (probe of
    5 December 2026)."""
    t = model["thresholds"]
    fit = client.post(f"/api/jobs/{job}/fit", json={
        "first_felt": _ma(t["sensory"]), "strong": _ma(t["strong"])}).json()["fit"]
    assert fit["motor_from_twitch"] is False
    pid = client.post("/api/people", json={"name": "Dana"}).json()["id"]
    marks = {"first_felt": t["sensory"], "strong": t["strong"]}
    good = {"program": PROGRAM, "site": "lower_back", "marks": marks, "fit": fit}
    for change, field, words in (
            ({"fit": {**fit, "motor_from_twitch": "false"}}, "fit",
             ("fit.motor_from_twitch", "true or false")),
            ({"fit": {**fit, "pain_from_mark": 0}}, "fit", ("fit.pain_from_mark",)),
            ({"fit": {**fit, "program": [1]}}, "fit", ("fit.program",)),
            ({"fit": {**fit, "extra": 1}}, "fit", ("fit.extra",)),
            ({"fit": {**fit, "predicted": {"first_felt": -5.0}}}, "fit", ("fit.predicted",)),
            ({"site": "forearm"}, "site", ("the fit's site",)),
            ({"program": "nmes_quadriceps"}, "program", ("the fit's program",)),
            ({"marks": {"first_felt": 0.001, "strong": 0.002}}, "first_felt",
             ("the mark the fit was made on",)),
            # as typed: "got 0.021" of '21 mA' (hostile probe of 7 December 2026)
            ({"marks": {**marks, "strong": "21 mA"}}, "strong",
             ("got '21 mA'", "the mark the fit was made on")),
            ({"marks": {**marks, "twitch": t["strong"] * 1.5}}, "twitch", ("none",)),
            # hvpc_wound's 2 and 4 V marks were kept as 2 and 4 A (probe of 5 December 2026)
            ({"program": "hvpc_wound"}, "first_felt", ("dial is in volts",))):
        _refused(client.post(f"/api/people/{pid}/calibrations", json={**good, **change}),
                 field, *words)
    assert client.get(f"/api/people/{pid}/calibrations").json() == []
    # JSON's own words, not Python's: "got True" of a JSON true (hostile probe of
    # 7 December 2026), and a body cut short is said once "at" its character
    _refused(client.post("/api/people", json={"name": True}), "name", "got true")
    _refused(client.post("/api/people", content=b'{"name": "abc',
                         headers={"content-type": "application/json"}),
             "request", "unterminated string starting at character")
    _refused(client.post(f"/api/people/{pid}/sessions", json={
        "program": PROGRAM, "site": "lower_back", "intensity": "18 mA", "minutes": "1441",
        "pain_before": 6, "pain_after": 3}), "minutes", "got '1441'")
    # the page's own: the bundled key beside the fit's title, and the fit's title itself
    assert client.post(f"/api/people/{pid}/calibrations", json=good).status_code == 200
    titled = {**good, "program": fit["program"]}
    assert client.post(f"/api/people/{pid}/calibrations", json=titled).status_code == 200
    # a mode the page changed is kept with what changed (it was kept as the plain mode)
    changed = {**good, "program": f"{PROGRAM} (pulse width 400 us)"}
    assert client.post(f"/api/people/{pid}/calibrations", json=changed).status_code == 200
    assert client.get(f"/api/people/{pid}/calibrations").json()[-1]["program"] == \
        f"{PROGRAM} (pulse width 400 us)"
    # and a fit carried to a program takes only the fit
    _refused(client.post(f"/api/jobs/{job}/person", json={"fit": fit, "x": 1}), "x")


def test_a_factor_edited_on_its_own_is_refused_against_the_programs_thresholds(
        client: TestClient, job: str, model: dict[str, Any]) -> None:
    """A fit of all four marks whose pain factor was edited 1 -> 5 was kept, and raised a
    person's predicted pain on NMES from 101 to 482 mA (probe of 6 December 2026): its own
    residuals stay 0, so only the program's thresholds show it."""
    t = model["thresholds"]
    marks = {"first_felt": t["sensory"], "strong": t["strong"], "twitch": t["motor"],
             "too_much": t["pain"]}
    fit = client.post(f"/api/jobs/{job}/fit", json={k: _ma(v) for k, v in marks.items()}
                      ).json()["fit"]
    assert fit["pain_from_mark"] and fit["motor_from_twitch"]
    pid = client.post("/api/people", json={"name": "Eli"}).json()["id"]
    good = {"program": PROGRAM, "site": "lower_back", "marks": fit["marks"], "fit": fit,
            "job": job}
    for name in ("pain_factor", "motor_factor", "cutaneous_factor"):
        _refused(client.post(f"/api/people/{pid}/calibrations", json={
            **good, "fit": {**fit, name: fit[name] * 5}}), "fit", f"fit.{name}", "not edited")
    # a name that is no mark is told so, not that it must be a current up to the device
    # maximum (hostile probe of 7 December 2026)
    _refused(client.post(f"/api/people/{pid}/calibrations", json={
        **good, "marks": {**fit["marks"], "evil": 1}}), "marks", "marks.evil: got 1",
        "only the marks first_felt, strong, twitch, too_much")
    assert client.get(f"/api/people/{pid}/calibrations").json() == []
    saved = client.post(f"/api/people/{pid}/calibrations", json=good)
    assert saved.status_code == 200, saved.text


def test_a_custom_programs_session_is_held_to_its_prepared_dial(client: TestClient,
                                                                  job: str) -> None:
    """A custom program is known by its job, not its name: the page's "Your own" program
    kept 4,900 mA for a 100 mA unit (probe of 5 December 2026)."""
    pid = client.post("/api/people", json={"name": "Cy"}).json()["id"]
    own = {"program": "My own TENS", "job": job}
    _refused(client.post(f"/api/people/{pid}/sessions", json=_session(
        **own, intensity="4900 mA")), "intensity", "My own TENS's device maximum, 100 mA")
    _refused(client.post(f"/api/people/{pid}/sessions", json=_session(
        **{**own, "job": "nope"})), "program", "no longer holds job 'nope'",
        "choose the mode again; nothing was saved")
    # another site than the job's: a calf session was kept against a lower-back job's
    # dial (probe of 5 December 2026)
    _refused(client.post(f"/api/people/{pid}/sessions", json=_session(
        **own, site="calf")), "site", "the prepared program's site, 'lower_back'")
    # another of the menu's programs than the job's, by its mode, its title, another case,
    # or with the page's changes: microcurrent at 20 mA was kept against the TENS's dial,
    # 20 times microcurrent's 1 mA (hostile probe of 7 December 2026)
    for other in ("microcurrent_face", "hvpc_wound", "Tens_Conventional",
                  "Microcurrent, face", "microcurrent_face (pad width 2 cm)"):
        _refused(client.post(f"/api/people/{pid}/sessions", json=_session(
            program=other, intensity="20 mA", job=job)), "program",
            "the prepared program's name, 'Conventional TENS, lower back', or its mode, "
            "'tens_conventional'", "nothing was saved")
    assert client.get(f"/api/people/{pid}/sessions").json() == []
    kept = client.post(f"/api/people/{pid}/sessions", json=_session(**own))
    assert kept.status_code == 200, kept.text
    assert kept.json()["program"] == "My own TENS"
    # the job's own, by its mode, its title or with the page's changes
    for same in ("tens_conventional", "Conventional TENS, lower back",
                 "tens_conventional (pad width 6 cm)"):
        kept = client.post(f"/api/people/{pid}/sessions", json=_session(program=same, job=job))
        assert kept.status_code == 200, (same, kept.text)


def test_every_menus_program_saves_under_its_mode() -> None:
    """A massage mode's save was refused: the page sends 'knead', the fit names its title,
    and only the bundled examples were looked up; a custom name's spaces made it differ
    (review of 5 December 2026)."""
    from estim.journal import JournalError
    from estim.stimulator import PersonFit
    from estim.stimulator.modes import modes
    from estim.web.journal import _agrees

    marks = {"first_felt": 0.005, "strong": 0.01, "twitch": None, "too_much": None}
    for m in modes():
        title = m.label if m.id != "custom" else "  My own TENS "
        fit = PersonFit(1.0, 1.0, False, 1.0, False, {"first_felt": 0.005, "strong": 0.01},
                        {}, {}, program=title, site="lower_back")
        sent = m.id if m.id != "custom" else title.strip()  # the journal strips it
        _agrees(fit)(sent, "lower_back", marks)
        with pytest.raises(JournalError, match="the fit's program"):
            _agrees(fit)("another", "lower_back", marks)
    with pytest.raises(JournalError, match=r"the mark the fit was made on \(5 mA\)"):
        _agrees(fit)(sent, "lower_back", {**marks, "first_felt": None})


def test_the_journal_outlives_the_app(database: str, client: TestClient) -> None:
    """A new app on the same database (a restarted server) finds what was recorded."""
    pid = client.post("/api/people", json={"name": "Dora"}).json()["id"]
    client.post(f"/api/people/{pid}/sessions", json=_session(notes="before the restart"))
    with TestClient(create_app(database_url=database)) as fresh:
        notes = [s["notes"] for s in fresh.get(f"/api/people/{pid}/sessions").json()]
    assert notes == ["before the restart"]



# -- estim serve's own options ---------------------------------------------------------------

def test_serve_refuses_a_busy_port_a_port_out_of_range_and_a_bad_database(
        capsys: pytest.CaptureFixture[str], database: str) -> None:
    """Refused before anything is served: one line naming the option, exit 2."""
    import socket

    from estim.cli.main import main

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        assert main(["serve", "--no-browser", "--port", str(port),
                     "--database", database]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"estim serve: error: --port: got {port}, expected a free port")
    assert "\n" not in err
    assert main(["serve", "--no-browser", "--port", "70000", "--database", database]) == 2
    assert "--port: got 70000, expected a port number" in capsys.readouterr().err
    assert main(["serve", "--no-browser", "--port", "0", "--database", "nonsense://x"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("estim serve: error: database: got 'nonsense://x', expected")
    # tracebacks with exit code 1 before (probe of 7 December 2026)
    assert main(["serve", "--no-browser", "--port", "0", "--database",
                 "postgresql+psycopg://u:secret@127.0.0.1:abc/db"]) == 2
    err = capsys.readouterr().err.strip()
    assert "expected an SQLAlchemy URL" in err and "secret" not in err


def test_serve_says_an_in_memory_journal_is_lost_when_it_stops() -> None:
    """sqlite:// started without a word (probe of 7 December 2026)."""
    import signal
    import subprocess
    import sys

    process = subprocess.Popen(
        [sys.executable, "-m", "estim", "serve", "--port", "0", "--no-browser",
         "--database", "sqlite://"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None and process.stderr is not None
        warning = process.stderr.readline()
        assert warning.startswith("estim serve: warning: the journal is in memory (--database "
                                  "sqlite://): everything recorded is lost"), warning
        assert process.stdout.readline().startswith("estim serve: http://127.0.0.1:")
        time.sleep(0.5)  # uvicorn's signal handlers in place
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
        assert "Traceback" not in err
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def test_serve_elsewhere_than_this_computer_warns(tmp_path: Path) -> None:
    """--host 0.0.0.0 serves, with a warning that the journal has no login; --port 0 picks
    a free port and the printed address names it; Ctrl-C stops it with 0."""
    import signal
    import subprocess
    import sys

    process = subprocess.Popen(
        [sys.executable, "-m", "estim", "serve", "--host", "0.0.0.0", "--port", "0",
         "--no-browser", "--database", f"sqlite:///{tmp_path / 'j.sqlite'}"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None and process.stderr is not None
        warning = process.stderr.readline()
        address = process.stdout.readline()
        assert warning.startswith("estim serve: warning: listening on 0.0.0.0")
        assert "no login" in warning
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", address)
        assert match and int(match.group(1)) > 0, address
        import httpx

        for _ in range(100):  # until it answers (uvicorn started)
            try:
                assert httpx.get(f"{match.group(0)}api/modes").status_code == 200
                break
            except httpx.TransportError:
                time.sleep(0.1)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
        assert process.returncode == 0, err
        assert "stopped" in out and "Traceback" not in err
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def test_serve_without_the_web_extra_says_what_to_install(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import sys

    from estim.cli.main import main

    monkeypatch.setitem(sys.modules, "uvicorn", None)  # as if not installed
    assert main(["serve", "--no-browser", "--port", "0", "--database", "sqlite://"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == ("estim serve: error: estim serve needs the web extra (uvicorn is not "
                   "installed): pip install 'estim[web]'")


def test_a_locked_database_is_a_503_naming_it(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Another program holding the SQLite file's write lock past the busy timeout gave a
    plain-text HTTP 500 (probe of 5 December 2026): a 503 naming the database, nothing
    stored, and the journal works again once the lock is gone."""
    import sqlite3

    import estim.journal.store as store

    monkeypatch.setattr(store, "SQLITE_BUSY_TIMEOUT_S", 0.2)
    path = tmp_path / "locked.db"
    with TestClient(create_app(database_url=f"sqlite:///{path}")) as c:
        assert c.post("/api/people", json={"name": "Ada"}).status_code == 200
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            answer = c.post("/api/people", json={"name": "Bob"})
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert answer.status_code == 503, answer.text
        detail = answer.json()["detail"]
        assert detail["field"] == "database" and "nothing was changed" in detail["message"]
        assert [p["name"] for p in c.get("/api/people").json()] == ["Ada"]


def test_no_page_loads_scripts_from_a_cdn(client: TestClient) -> None:
    """/api/docs was Swagger UI from cdn.jsdelivr.net, on a server that works offline
    (probe of 5 December 2026); the schema is served, and the page names no other host."""
    assert client.get("/api/docs").status_code == 404
    assert "/api/people" in client.get("/api/openapi.json").json()["paths"]
    page = client.get("/").text
    assert not re.search(r"""(src|href)=["']https?://""", page)


def test_the_dial_says_which_channel_it_sets_where_several_are_on() -> None:
    """True interferential's "up to 70 mA" did not say whether each channel's or both
    (UX review of 6 December 2026)."""
    from estim.program import load_program
    from estim.program.bundled import bundled_examples
    from estim.web.device import _dial_words

    ifc = load_program(bundled_examples()["ifc_true_knee"])
    a, b = (c.name for c in ifc.channels)
    assert _dial_words(ifc) == f"on channel {a}; {b} moves with it"
    assert _dial_words(load_program(bundled_examples()["tens_conventional"])) is None


def test_a_key_given_twice_is_refused_and_nothing_is_stored(client: TestClient) -> None:
    """JSON's reader keeps the last: {"name": "first", "name": "second"} stored "second"
    and a session with pain_after twice was saved with the later one (probe of 6 December
    2026)."""
    before = len(client.get("/api/people").json())
    text = _refused(client.post("/api/people", content=b'{"name": "first", "name": "second"}',
                                headers={"content-type": "application/json"}), "name")
    assert "got 'second', expected each key once ('name' was given twice, first as " \
        "'first')" in text, text
    assert len(client.get("/api/people").json()) == before
    _refused(client.post("/api/programs", content=b'{"mode": "knead", "mode": "tap"}',
                         headers={"content-type": "application/json"}), "mode")
    # two Content-Type headers: the check read the last and the body was read as the
    # first, and the later pain_after was kept (probe of 6 December 2026)
    pid = client.post("/api/people", json={"name": "Twice"}).json()["id"]
    body = json.dumps(_session())[:-1] + ', "pain_after": 3, "pain_after": 9}'
    _refused(client.post(f"/api/people/{pid}/sessions", content=body.encode(),
                         headers=[("content-type", "application/json"),
                                  ("content-type", "text/plain")]),
             "request", "one Content-Type header")
    assert client.get(f"/api/people/{pid}/sessions").json() == []


def test_the_web_probe_of_6_december(client: TestClient, database: str) -> None:
    """What a hostile probe of ``estim serve`` found (6 December 2026), each refused in the
    API's one form or answered: a media type's case, a query parameter twice, a method
    the path does not take, HEAD on the page, a program name with a space around it past
    the dial's check, and a page addressed by another name (DNS rebinding)."""
    before = len(client.get("/api/people").json())
    _refused(client.post("/api/people", content=b'{"name": "a", "name": "b"}',
                         headers={"content-type": "Application/JSON"}), "name")
    assert len(client.get("/api/people").json()) == before
    _refused(client.get("/api/modes?x=1&x=2"), "x", "each query parameter once")
    # a parameter the route does not take: the export ignored a misspelt person_id and
    # held everyone's sessions (hostile probe of 7 December 2026); the page takes any
    _refused(client.get("/api/export.csv?PERSON_ID=2"), "PERSON_ID",
             "expected only the query parameter person_id ('PERSON_ID' is not one)")
    _refused(client.get("/api/people?x=1"), "x", "expected no query parameters here")
    assert client.get("/?utm_source=x").status_code == 200
    put = client.put("/api/people")
    assert put.status_code == 405 and put.headers["allow"] == "GET, HEAD, POST"
    assert put.json()["detail"] == {"field": "method", "message": "method: got 'PUT', "
                                    "expected one of GET, HEAD, POST on /api/people"}
    assert client.head("/").status_code == 200
    # HEAD on an API GET is its GET without the body (it was a 405: probe); a path without
    # GET says HEAD, not the GET it was answered as
    get, head = client.get("/api/modes"), client.head("/api/modes")
    assert head.status_code == 200 and head.content == b"", head.text
    assert head.headers["content-length"] == get.headers["content-length"]
    assert head.headers["content-type"] == get.headers["content-type"]
    nohead = client.head("/api/programs")
    assert nohead.status_code == 405 and nohead.headers["allow"] == "POST"
    assert client.put("/api/modes").headers["allow"] == "GET, HEAD"
    assert client.post("/api/programs", content=b"{", headers={  # still a POST route
        "content-type": "application/json"}).status_code == 422
    # a wrong type named by the box's label, not its key, and a 5,000-digit id as a whole
    # number's problem, not pydantic's words (probe of 6 December 2026)
    pid_text = _refused(client.post("/api/people", json={"name": 5}), "name")
    assert pid_text.startswith("New person: got 5, expected a text"), pid_text
    text = _refused(client.get("/api/people/" + "9" * 5000 + "/sessions"), "person_id")
    assert "expected a whole number" in text and "(5,000 characters)" in text, text
    # the page's files: an empty Allow and "one of  on /static/app.js"; a path the server
    # does not have: {"detail": "Not Found"} (probe of 6 December 2026)
    post = client.post("/static/app.js")
    assert post.status_code == 405 and post.headers["allow"] == "GET, HEAD", post.text
    assert "expected one of GET, HEAD on /static/app.js" in post.json()["detail"]["message"]
    for path in ("/api/nope", "/api/jobs/", "/static/nope.js"):
        gone = client.get(path)
        assert gone.status_code == 404, (path, gone.text)
        assert gone.json()["detail"]["field"] == "path", (path, gone.text)
        assert f"got '{path}', expected a path the server has" in \
            gone.json()["detail"]["message"], gone.text
    pid = client.post("/api/people", json={"name": "Spaced"}).json()["id"]
    for program in ("tens_conventional ", " tens_conventional", "tens_conventional\u00a0"):
        _refused(client.post(f"/api/people/{pid}/sessions",
                             json=_session(program=program, intensity="4999 mA")),
                 "intensity", "device maximum, 100 mA")
    assert client.get(f"/api/people/{pid}/sessions").json() == []
    # addressed by another name, as a rebinding page would: refused before anything is read
    with TestClient(create_app(database_url=database, hosts=("127.0.0.1", "localhost")),
                    base_url="http://attacker.example:8797") as other:
        answer = other.get("/api/people")
        assert answer.status_code == 400 and answer.json()["detail"]["field"] == "Host"
        assert other.post("/api/people", json={"name": "rebound"}).status_code == 400
    with TestClient(create_app(database_url=database, hosts=("127.0.0.1", "localhost")),
                    base_url="http://localhost:8797") as own:
        assert own.get("/api/people").status_code == 200
    assert "rebound" not in {p["name"] for p in client.get("/api/people").json()}


def test_a_session_on_a_program_still_being_prepared_says_so(database: str) -> None:
    """A queued or running job was called one "the server no longer holds" (probe of 6
    December 2026): it is said to be running, to wait for it, and nothing is stored."""
    import threading

    from estim.program.bundled import resolve_program
    from estim.stimulator import Jobs

    release = threading.Event()

    def slow(program: Any, *, progress: Any) -> Any:
        assert release.wait(10)
        raise RuntimeError("never prepared here")

    with Jobs(prepare_fn=slow) as jobs, \
            TestClient(create_app(database_url=database, jobs=jobs)) as c:
        key = jobs.submit(resolve_program("tens_conventional")[0])
        pid = c.post("/api/people", json={"name": "Waiting"}).json()["id"]
        text = _refused(c.post(f"/api/people/{pid}/sessions", json=_session(job=key)),
                        "program", "; wait for it", "nothing was saved")
        assert ("is running" in text or "is queued" in text) and "no longer holds" not in text
        assert c.get(f"/api/people/{pid}/sessions").json() == []
        release.set()
