"""The device's endpoints: the mode menu, the sites, preparing a program (a background job),
the dial, the field cross-section and fitting a person's marks.

A program is prepared once (thresholds, seconds, :class:`estim.stimulator.Jobs`); the dial is
then a lookup (:meth:`estim.stimulator.DialModel.at`).
"""

from __future__ import annotations

import itertools
import math
import re
from typing import TYPE_CHECKING, Any, cast

import numpy as np
from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, ConfigDict, StrictBool

from estim.errors import InputError
from estim.stimulator.options import JobState
from estim.stimulator.safety_dial import dial_channel
from estim.text import current_text
from estim.units import NUMBER_RANGE_WORDS, finite_or_none, mega_hint, parse_quantity

if TYPE_CHECKING:
    from estim.program.model import Program
    from estim.stimulator import DialModel
    from estim.web.state import WebState

__all__ = ["router"]

router = APIRouter()

#: Points of the waveform sent to the page (min and max of each bin, so no pulse is lost).
_WAVEFORM_POINTS = 600


#: The device panel's form fields (:class:`estim.stimulator.DeviceSettings`): strings with
#: units, as in a program file.
SETTINGS_FIELDS = ("mode", "site", "anode", "cathode", "pad_width", "pad_length",
                   "pulse_width", "frequency", "custom_toml")


class MarksForm(BaseModel):
    """The calibration marks, as read off the dial ("12.5 mA"); twitch and too much
    optional. ``ramp_minutes`` asks for a habituation ramp over that many minutes."""

    model_config = ConfigDict(extra="forbid")
    first_felt: str
    strong: str
    twitch: str | None = None
    too_much: str | None = None
    ramp_minutes: str | None = None
    #: the person confirmed a twitch marked below first felt (:func:`_ask_twitch`)
    confirm: StrictBool = False


MARK_FIELDS = tuple(f for f in MarksForm.model_fields if f != "confirm")


class FitForm(BaseModel):
    """A person's fit (:meth:`estim.stimulator.PersonFit.to_dict`), applied to a program."""

    model_config = ConfigDict(extra="forbid")  # {"fit": ..., "x": 1} passed
    fit: dict[str, Any]


def _state(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


def _fields(request: Request, names: tuple[str, ...]) -> None:
    """The form fields an error of this request is filed under (see estim.web.errors)."""
    request.state.form_fields = names


def _blank(text: str | None) -> str | None:
    return text.strip() or None if text is not None else None


@router.get("/modes")
def modes() -> list[dict[str, Any]]:
    """The mode menu: every bundled program, the massage patterns, a custom program."""
    from estim.stimulator import modes as menu

    return [m.to_dict() for m in menu()]


@router.get("/examples/{name}.toml", response_class=PlainTextResponse)
def example_text(name: str, request: Request) -> str:
    """A bundled example's program file, to start a custom program from."""
    from estim.program.bundled import bundled_examples

    _fields(request, ("example",))
    examples = bundled_examples()
    if name not in examples:
        raise InputError("example", name, "the name of a bundled example: "
                         + ", ".join(examples))
    return examples[name].read_text(encoding="utf-8")


@router.get("/sites")
def sites() -> list[dict[str, object]]:
    """The anatomical sites with their placements (``estim sites``, ``estim placements``)."""
    from estim.fields.sites import SITE_NAMES, make_site, placements
    from estim.report.page import SITE_WORDS

    out: list[dict[str, object]] = []
    for name in SITE_NAMES:
        site = make_site(name)
        # the menu read "stn" and "patch" (phone probe of 7 December 2026): in words
        words = SITE_WORDS.get(name, name.replace("_", " "))
        out.append({"name": name, "kind": site.kind, "placements": placements(site),
                    "words": words})
    return out


@router.post("/programs")
def prepare(form: dict[str, Any], request: Request) -> dict[str, object]:
    """Check the device settings (:data:`SETTINGS_FIELDS`) as a program file is checked and
    start preparing that program's dial in the background; answers the job id (the same
    for the same program). ``replaces``, the job the page asked for before, lets that one
    go (:meth:`estim.stimulator.Jobs.let_go`)."""
    from estim.stimulator import DeviceSettings, settings_program

    _fields(request, (*SETTINGS_FIELDS, "replaces"))
    form = dict(form)
    replaces = form.pop("replaces", None)
    if replaces is not None and not isinstance(replaces, str):
        raise InputError("replaces", replaces, "the id of the job these settings replace "
                         "(POST /api/programs answers one), or null")
    program = settings_program(DeviceSettings.from_mapping(form))
    job = _state(request).jobs.submit(program, replaces=replaces)
    # its name, for the page to say what it prepares (UX review of 6 December 2026)
    return {"job": job, "name": program.name, **_status(_state(request), job)}


def _status(state: WebState, job: str) -> dict[str, object]:
    status = state.jobs.status(job)
    return {"state": status.state.value, "progress": status.progress,
            "message": status.message, "error": status.error,
            "error_field": status.error_field}


def job_state_words(status: Any) -> str:
    """Where a job stands, after its subject: "is queued", "is running", "failed" ("this
    one is failed: dropped from the queue"; hostile probe of 7 December 2026).

    >>> from types import SimpleNamespace as S
    >>> [job_state_words(S(state=s)) for s in JobState]
    ['is queued', 'is running', 'is done', 'failed']
    """
    state = status.state.value
    return state if state == "failed" else f"is {state}"


def _model(request: Request, job: str) -> DialModel:
    """The prepared dial of a job; an unknown or unfinished job is named as bad input."""
    state = _state(request)
    try:
        status = state.jobs.status(job)
    except KeyError:
        raise InputError("job", job, "the id of a program being prepared "
                         "(POST /api/programs answers one)") from None
    if status.state is not JobState.DONE:
        raise InputError("job", job, f"a prepared program (this one {job_state_words(status)}"
                         + (f": {status.error})" if status.error else "; wait for it)"))
    return state.jobs.model(job)


@router.get("/jobs/{job}")
def job_status(job: str, request: Request) -> dict[str, object]:
    """Where the preparation stands: state, progress 0..1, what it is doing, the error."""
    state = _state(request)
    try:
        return {"job": job, **_status(state, job)}
    except KeyError:
        raise InputError("job", job, "the id of a program being prepared") from None


@router.post("/jobs/{job}/let-go")
def let_go(job: str, request: Request) -> dict[str, object]:
    """The page has moved on from this job (it is closed or reloaded: its pagehide sends
    this): the job is dropped, or stopped while it runs, unless a page asks about it within
    a few seconds (a reload rejoins it). The server went on preparing four programs at
    100 % CPU after the browser was closed (phone probe of 7 December 2026). An unknown
    job is no error: there is nothing to stop."""
    _state(request).jobs.let_go(job)
    return {"job": job}


def _program_words(model: DialModel) -> dict[str, object]:
    from estim.report.page import SITE_WORDS

    program = model.program
    site = str(program.site.name)
    return {"name": program.name, "site": site,
            "site_words": SITE_WORDS.get(site, site.replace("_", " ")), "unit": model.unit,
            "max_amplitude": float(model.max_amplitude_a),
            # the first channel's programmed setting, which the dial's 200 steps missed
            # (70 of 90 mA: 69.75 or 70.2; probe of 5 December 2026)
            "programmed": float(dial_channel(program).stimulation.amplitude.value),
            "thresholds": {k: finite_or_none(v) for k, v in model.thresholds.items()},
            # what the terminal and the report say beside the twitch: the muscle predicted
            # is not the one under the cathode (the page said nothing; probe of 5 December
            # 2026)
            "warnings": _page_warnings(model),
            # which channel the dial sets where several are on: "30 mA" of true
            # interferential did not say whether each channel's or both (UX review of
            # 6 December 2026)
            "dial_words": _dial_words(program)}


def _dial_words(program: Program) -> str | None:
    """"channel A; B moves with it" where several channels are on, else None."""
    dial = dial_channel(program).name
    others = [c.name for c in program.channels
              if c.stimulation.amplitude.value > 0 and c.name != dial]
    if not others:
        return None
    moves = "moves" if len(others) == 1 else "move"
    return f"on channel {dial}; {' and '.join(others)} {moves} with it"


def _page_warnings(model: DialModel) -> list[str]:
    """The notes the page shows above the dial: the muscle predicted is not the one under
    the cathode, and channels on together share a pad (its amounts are the programmed
    setting's, so the dial's words leave them out; the page said nothing of it where
    the terminal and the report did; 6 December 2026)."""
    import re

    from estim.effects.placement import MUSCLE_AWAY_NOTE
    from estim.effects.program import SHARED_PADS_NOTE

    effects = model.result.effects
    notes = effects.notes if effects is not None else ()
    shown = [n for n in notes if n.startswith(MUSCLE_AWAY_NOTE)]
    shown += [re.sub(r": up to [^)]* together", "", n) for n in notes
              if n.startswith(SHARED_PADS_NOTE)]
    out = [n[0].upper() + n[1:] + "." for n in shown]
    if effects is not None and getattr(effects, "force", None) is not None:
        # what the force figure leaves out that holds at every setting of the dial: a rate
        # whose twitches do not fuse, or fuse long since, and Russian current's short
        # phases ("Muscle force: 3 %" read as Russian current not strengthening;
        # educator's probe of 7 December 2026)
        from estim.report.page import dial_force_caveats

        out += dial_force_caveats(effects.to_dict().get("force") or {})
    # two thresholds one draw of fibers apart, as the terminal and the report say it (the
    # knee's twitch and pain, 9 % apart, swapped with 960 fibers; 7 December 2026)
    from estim.effects.resolution import orders_unsettled
    from estim.report.page import current_words, edge_words, order_sentence

    def amount(v: float) -> str:
        return current_words(v) if model.unit == "A" else f"{v:.3g} V"

    # not where the dial reaches neither (a 30 mA device's twitch and pain at 33 and 36 mA;
    # probe of 7 December 2026)
    top = float(getattr(model, "max_amplitude_a", math.inf)) * (1 + 1e-9)
    pairs = [pair for pair in orders_unsettled(getattr(model, "thresholds", None) or {})
             if pair[1] <= top]
    if pairs and effects is not None:
        window_dict = effects.to_dict().get("sensation_window") or {}
        words = edge_words(bool(window_dict.get("motor_volleys_fuse")))
        out += [order_sentence(words[a], low, words[b], high, spread, amount=amount)
                for a, low, b, high, spread in pairs]
    window = getattr(model, "window", None)
    short = window.short_of_afferents() if window is not None else ()
    if short:
        # 0.5 cm pads read "first felt 0.51 mA, strong but comfortable 0.51 mA" without a
        # word (educator's probe of 7 December 2026)
        which = {"sensory": "first felt", "strong tingling": "strong but comfortable"}
        named = " and ".join(which[k] for k in short if k in which)
        out.append(f"Under pads this small, {named} {'is' if len(short) == 1 else 'are'} "
                   "where every touch fiber the model samples fires, not a count reached: "
                   "the model was calibrated on 5 × 5 cm pads, so "
                   f"{'this figure is' if len(short) == 1 else 'these figures are'} outside "
                   "its range, not predictions.")
    return out


def _dimension(model: DialModel) -> str:
    """What the dial sets: a current, or a voltage for a voltage-controlled device."""
    return "voltage" if model.unit == "V" else "current"


@router.get("/jobs/{job}/model")
def model_summary(job: str, request: Request) -> dict[str, object]:
    """The prepared program: its name and site, the dial's range and the thresholds, in
    the dial's ``unit`` (A, or V for a voltage-set device: the keys ended in _a and held
    volts for HVPC; probe of 5 December 2026)."""
    return _program_words(_model(request, job))


def _waveform(model: DialModel, amplitude: float) -> dict[str, Any]:
    t, i = model.waveform(amplitude, held=True)  # each pulse as the device drives it
    t, i = np.asarray(t, dtype=float), np.asarray(i, dtype=float)
    keep = _min_max(i)  # the min and max of each bin, in time order
    t, i = t[keep], i[keep]
    # where it starts: past a ramp, at the program's full strength (the page says so)
    out: dict[str, Any] = {"t_s": t.tolist(), "output": i.tolist(),  # the dial's unit
                           "start_s": model.waveform_start(amplitude)}
    caption = _waveform_caption(model.program)
    if caption:
        out["caption"] = caption
    pattern = model.pattern(amplitude)
    if pattern is not None:  # a swell, a rate that dips: each pulse's peak over a cycle
        onsets, peaks = pattern
        out["pattern"] = {"t_s": onsets.tolist(), "peak": peaks.tolist(),
                          "cycle_s": float(model.pattern_cycle_s())}
    beat = model.beat_waveform(amplitude)
    if beat is not None:  # true interferential: its two channels added, which beat
        bt, alone, added = beat
        # every sample of a beat's ~1,000 (binned to 600, its 50 carrier cycles aliased)
        keep = _min_max(added, most=4 * _WAVEFORM_POINTS)
        own = dial_channel(model.program).name
        other = next(c.name for c in model.program.channels if c.name != own)
        out["beat"] = {"t_s": bt[keep].tolist(), "one_channel": alone[keep].tolist(),
                       "both": added[keep].tolist(), "start_s": float(bt[0]),
                       "channel": own, "other": other}
    return out


def _waveform_caption(program: Program) -> str:
    """What the dial channel's waveform shows that its scale hides, in words ("" where it
    hides nothing): a premodulated carrier's beat made in the device, HVPC's twin peaks
    drawn as one spike (the page showed both without a word; educator probe of 6 December
    2026)."""
    from estim.program.stimulation import HVPC, Interferential
    from estim.units import format_si

    s = dial_channel(program).stimulation
    if isinstance(s, Interferential) and s.mode.value == "premodulated":
        return (f"One {s.carrier_frequency:,.0f} Hz carrier, its amplitude modulated at the "
                f"beat ({s.beat_frequency:g} Hz) inside the device: the whole current path "
                "gets the beat, where true interferential makes it only where two "
                "channels' fields meet.")
    if isinstance(s, HVPC):
        return (f"Each spike is a pair of peaks {format_si(s.interpeak_interval, 's')} apart, "
                f"each about {format_si(s.peak_duration, 's')} long, always one way "
                "(monophasic, never below zero): at this scale the pair draws as one line.")
    return ""


def _min_max(values: np.ndarray, most: int = _WAVEFORM_POINTS) -> list[int]:
    """The indices of each bin's lowest and highest value, in time order (no pulse lost),
    at most ``most`` of them."""
    if values.size <= most:
        return list(range(values.size))
    edges = np.linspace(0, values.size, most // 2 + 1).astype(int)
    keep: list[int] = []
    for a, b in itertools.pairwise(edges):
        keep.extend(sorted({a + int(np.argmin(values[a:b])), a + int(np.argmax(values[a:b]))}))
    return keep


@router.get("/jobs/{job}/dial")
def dial(job: str, amplitude: str, request: Request) -> dict[str, object]:
    """The device at one dial setting (``amplitude`` with its unit, "12 mA"): recruitment,
    sensation, force, safety verdict and the waveform."""
    from estim.report.page import edge_words, people_words, varied_words, with_sample_words

    _fields(request, ("amplitude",))
    model = _model(request, job)
    amps = parse_quantity(amplitude, _dimension(model), field="amplitude")
    try:
        state = model.at(amps).to_dict()
    except InputError as err:  # as typed ('-10 mA'), not as the model holds it (-0.01)
        from estim.units import mega_hint

        # '1 MA' is a mega-ampere, a valid unit: hinted at as the fit form does (probe)
        raise InputError(err.field, amplitude, err.expected + mega_hint(amplitude)) from None
    window = model.window
    # twitches where the motor volleys do not fuse (1 Hz NMES's people "see the quadriceps
    # contract"; hostile probe of 7 December 2026)
    twitch = window is not None and window.volleys is not None and not window.volleys.fuse
    words = edge_words(not twitch)
    for near in cast(list[dict[str, Any]], state["near"]):  # named as the page's sentence does
        near["words"] = words.get(near["threshold"], near["threshold"])
    # the virtual people at this setting, in the report's words
    people = cast(dict[str, int], state["people"])
    state["people_words"] = with_sample_words(
        people_words(people, cast(str | None, state.get("muscle"))
                     or (window.muscle if window else None), twitch=twitch),
        cast(dict[str, int], state["undecided"]),
        window.bands.n_subjects if window and window.bands else 0)
    # and what they differ in, as the report says it (motor points, pain tolerance)
    state["people_varied"] = varied_words(window.bands.to_dict()) \
        if window is not None and window.bands is not None else []
    # the field in the tissue at what the device drives, where one channel is on (the
    # section sums every channel's field: scaled as one, the others would shrink with it)
    driven = cast(float | None, state["driven"])
    state["field_at"] = driven if driven is not None and not model.others else amps
    return {**state, "unit": model.unit, "waveform": _waveform(model, amps)}


@router.get("/jobs/{job}/section")
def section(job: str, request: Request) -> dict[str, object]:
    """The field cross-section per ampere of the dial (the page scales it as the dial
    turns); None where the program has no field solution."""
    from estim.stimulator.safety_dial import dial_channel
    from estim.web.section import section_data

    state = _state(request)
    model = _model(request, job)
    if job not in state.sections:
        effects = model.result.effects
        pf = effects.program_fields if effects is not None else None
        section = section_data(pf, dial_unit=model.unit,
                               dial_channel=dial_channel(model.program).name) \
            if pf is not None else None
        if section is not None:
            section.update(_capped_from(model.program))
        state.keep_section(job, {"section": section})
    return state.sections[job]


def _capped_from(program: Program) -> dict[str, object]:
    """The lowest dial setting at which a channel programmed above the first reaches the
    device maximum (the dial scales every channel with the first, each capped there), and
    that channel; None where none does."""
    first = dial_channel(program).stimulation.amplitude.value
    top = program.device.max_amplitude
    caps = sorted((top * first / c.stimulation.amplitude.value, c.name)
                  for c in program.channels
                  if first > 0 and c.stimulation.amplitude.value > first)
    return {"capped_from": caps[0][0] if caps else None,
            "capped_channel": caps[0][1] if caps else None}


def _marks(form: MarksForm, model: DialModel) -> tuple[Any, float | None]:
    """The marks as the dial reads them and the ramp's minutes; every problem at once, each
    under its own box (with both required boxes empty only the first was flagged; phone
    probe of 7 December 2026).

    :raises InputError: one problem; several carry ``problems``, one each."""
    from estim.program.errors import ProgramError
    from estim.stimulator import Marks

    problems: list[InputError] = []

    def amps(name: str, text: str | None) -> float | None:
        if _blank(text) is None:
            return None
        try:
            value = parse_quantity(text, _dimension(model), field=name)
        except InputError as err:
            problems.append(err)
            return None
        top = model.max_amplitude_a
        if value > top * (1 + 1e-12):
            # first felt at '20 MA' (mega) blamed the next box: "Strong but comfortable:
            # expected above First felt ('20 MA')" (hostile probe of 7 December 2026)
            shown = current_text(top, smallest="mA") if model.unit == "A" else f"{top:.3g} V"
            problems.append(InputError(name, text, f"at most the device maximum ({shown})"
                                       f"{mega_hint(text)}"))
            return None
        return value

    given = {name: amps(name, getattr(form, name))
             for name in ("first_felt", "strong", "twitch", "too_much")}
    minutes = None
    if _blank(form.ramp_minutes) is not None:
        try:
            minutes = parse_quantity(form.ramp_minutes, "time", field="ramp_minutes") / 60
        except InputError as err:  # its own example was a pulse width, '200 us'
            if err.expected in NUMBER_RANGE_WORDS:  # '1e400 min' has its unit (probe)
                problems.append(InputError("ramp_minutes", form.ramp_minutes, err.expected))
            else:
                problems.append(InputError("ramp_minutes", form.ramp_minutes, "a session "
                                           "length with its unit, e.g. '30 min'"))
        # named as the form has it, before the ramp reads it; from a second, as the
        # journal keeps sessions ('1 us' gave a ramp to minute 1.7e-08)
        if minutes is not None and not 1 / 60 <= minutes <= 1440:
            problems.append(InputError("ramp_minutes", form.ramp_minutes, "a session of a "
                                       "second to a day (1440 min)"))
            minutes = None
    if _blank(form.first_felt) is None:
        problems.append(InputError("first_felt", form.first_felt, "a current read off the "
                                   "dial (e.g. '8 mA'); this mark is required"))
    if _blank(form.strong) is None:
        problems.append(InputError("strong", form.strong, "a current read off the dial (e.g. "
                                   "'20 mA'); this mark is required"))
    # the boxes read compared with each other, the marks as typed ('4 mA', above first_felt
    # ('5 mA')), not as held (0.004, above 0.005); an empty or unread box is said above
    problems += [_as_typed(p, form, given) for p in Marks.problems(
        first_felt=given["first_felt"], strong=given["strong"], twitch=given["twitch"],
        too_much=given["too_much"]) if given[p.field.removeprefix("marks.")] is not None]
    first, strong, twitch = given["first_felt"], given["strong"], given["twitch"]
    # a twitch 5 mA under first felt 8 mA was fitted without a word (phone probe of 7
    # December 2026); rare, not impossible (less feeling in the skin, a pad on a motor
    # point: the fit notes it), so asked, and fitted when the person says so
    early = twitch is not None and first is not None and twitch < first and not form.confirm
    # said with the others, all at once; one problem a box (two under "First twitch" ran
    # together, one of them asking for a confirmation a refusal cannot carry; hostile probe
    # of 7 December 2026)
    if early and problems and not any(p.field == "twitch" for p in problems):
        problems.append(InputError("twitch", form.twitch, f"at or above First felt "
                                   f"({form.first_felt!r}), or confirmed: a twitch before "
                                   "anything is felt is rare"))
    if len(problems) > 1:
        raise ProgramError(problems)
    if problems:
        raise problems[0]
    assert first is not None and strong is not None
    if early:
        _ask_twitch(form)
    return Marks(first_felt=first, strong=strong, twitch=twitch,
                 too_much=given["too_much"]), minutes


def _as_typed(err: InputError, form: MarksForm, given: dict[str, float | None]
              ) -> InputError:
    """A mark's problem with its box's name, the marks as typed and the other boxes by their
    labels ("above first_felt ('50 mA')": browser probe of 6 December 2026)."""
    from estim.web.errors import FORM_LABELS

    name = err.field.removeprefix("marks.")
    expected = err.expected
    for other, value in given.items():
        if other != name and value is not None:
            expected = expected.replace(f"({value:g})", f"({getattr(form, other)!r})")
    for other in given:
        expected = re.sub(rf"\b{other}\b(?= \()", FORM_LABELS[other], expected)
    return InputError(name, getattr(form, name, err.value), expected)


def _ask_twitch(form: MarksForm) -> None:
    """A 409 naming both marks, which the page asks the person about; "Fit" again sends
    ``confirm`` and fits them as they are."""
    from fastapi import HTTPException

    raise HTTPException(status_code=409, detail={
        "field": "twitch", "confirm": True,
        "message": f"First twitch ({form.twitch}) is below First felt ({form.first_felt}): "
                   "the muscle twitched before the person felt anything. Check both marks; "
                   "if that is what happened (less feeling in the skin, or a pad on a "
                   "motor point), press \"Fit\" again to fit them as they are."})


def _person_view(fit: Any, model: DialModel, minutes: float | None) -> dict[str, object]:
    """A fitted person on a program: the fit, their window, the recommended intensity with
    its rule, and the habituation ramp when asked for (``minutes``)."""
    recommendation = fit.recommendation(model)
    out: dict[str, object] = {
        "fit": fit.to_dict(),
        "unit": model.unit,
        "window": {k: finite_or_none(v) for k, v in fit.window(model).items()},
        "recommended": recommendation.amplitude_a,
        "recommendation": recommendation.to_dict(),
        "program": _program_words(model),
    }
    if minutes is not None:
        out["ramp"] = [{"minute": m, "amplitude": a}
                       for m, a in fit.ramp(model, minutes=minutes)]
    return out


@router.post("/jobs/{job}/fit")
def fit(job: str, form: MarksForm, request: Request) -> dict[str, object]:
    """Fit the site model to a person's marks on this program: the fitted parameters, that
    person's window and recommended intensity, and a habituation ramp if asked for."""
    from estim.stimulator import fit_person

    _fields(request, MARK_FIELDS)
    model = _model(request, job)
    marks, minutes = _marks(form, model)
    try:
        person = fit_person(model, marks)
    except InputError as err:  # the mark as typed: it said "marks.strong: got 0.2" of 200 mA
        name = err.field.removeprefix("marks.")
        if name == err.field or name not in MARK_FIELDS:
            raise
        raise InputError(name, getattr(form, name), err.expected) from None
    return _person_view(person, model, minutes)


@router.post("/jobs/{job}/person")
def person(job: str, form: FitForm, request: Request) -> dict[str, object]:
    """A fitted person on another program or pulse width: their window and recommendation."""
    from estim.stimulator import PersonFit

    _fields(request, ("fit",))
    model = _model(request, job)
    return _person_view(PersonFit.from_dict(form.fit), model, None)
