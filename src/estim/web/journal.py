"""The journal's endpoints: people, their calibrations and sessions, the plot, CSV export.
Each is one call into :class:`estim.journal.Journal`; bad values are refused there
(:class:`estim.journal.JournalError`, a 422 naming the field), and nothing is stored."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, StrictBool

from estim.stimulator.person import PersonFit
from estim.text import spreadsheet_file

if TYPE_CHECKING:
    from estim.web.state import WebState

__all__ = ["router"]

router = APIRouter()


class PersonForm(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    notes: str = ""
    #: the person confirmed a second person of a name already in the journal
    #: (:func:`add_person`)
    confirm: StrictBool = False


class CalibrationForm(BaseModel):
    """A calibration to keep: the program and site it was made on, the marks (A) and the
    fit (:meth:`estim.stimulator.PersonFit.to_dict`)."""

    model_config = ConfigDict(extra="forbid")
    program: str
    site: str
    marks: dict[str, Any]  # as sent: the journal checks them (true is not 1 A)
    fit: dict[str, Any]
    #: the prepared program the marks were made on (POST /api/programs): its dial's range
    job: str | None = None


class SessionForm(BaseModel):
    """A therapy session as the journal panel sends it: the intensity with its unit
    ("20 mA") or in A, the duration with its unit ("30 min") or in minutes, pain 0 to 10
    before and after. Values go to the journal as typed; it checks them all."""

    model_config = ConfigDict(extra="forbid")
    program: str
    site: str
    # Any: the values reach the journal's checks as sent. Typed as numbers, pydantic turned
    # true into 1 A and 1 min, and 6.5 into its own words (probe of 5 December 2026).
    intensity: Any
    minutes: Any
    pain_before: Any
    pain_after: Any
    notes: str = ""
    #: the prepared program the session was given with (POST /api/programs): its dial's
    #: range; without it only a mode's or a bundled example's name is known
    job: str | None = None
    #: what is too much for this person on this program (A), where the page has a fit
    #: for it: a session at or past it, or past the model's pain, is asked about first
    too_much_a: Any = None
    #: the person confirmed a session the server asked about (:func:`_past_pain`)
    confirm: StrictBool = False


@lru_cache(maxsize=64)
def _named_site(program: str) -> str | None:
    """The site of a program the menu names by its mode's id or title, as the mode has it;
    None for any other name."""
    from estim.errors import InputError
    from estim.stimulator.modes import DeviceSettings, ModeKind, modes, settings_program

    # by the menu's names as a reader sees them ("Microcurrent_Face"; review)
    by_key = {_name_key(k): m.id for m in modes() if m.kind is not ModeKind.CUSTOM
              for k in (m.id, m.label)}
    mode = by_key.get(_name_key(program))
    if mode is None:
        return None
    try:
        return str(settings_program(DeviceSettings(mode=mode)).site.name)
    except InputError:
        return None


@lru_cache(maxsize=64)
def _named_dial(program: str) -> tuple[float, str] | None:
    """The device maximum and the dial's unit (A or V) of a program the menu names by its
    mode, or of a bundled example by its title; None for any other name."""
    from estim.errors import InputError
    from estim.stimulator.modes import DeviceSettings, ModeKind, modes, settings_program

    titles = {m.label: m.id for m in modes() if m.kind is not ModeKind.CUSTOM}
    try:
        made = settings_program(DeviceSettings(mode=titles.get(program, program)))
    except InputError:
        return None
    return made.device.max_amplitude, "A" if made.device.control.value == "current" else "V"


def _dial(request: Request, program: str, job: str | None,
          site: str | None = None) -> tuple[float, str] | None:
    """The dial a setting was made on: the prepared program's (``job``, as the page sends
    it), or a mode's or bundled example's by name. A custom program is known only by its
    job: by its name, 4,900 mA was kept for a 100 mA unit (probe of 5 December 2026)."""
    if job is not None and not job.strip():
        from estim.errors import InputError

        # "the server no longer holds job ''" (probe of 6 December 2026)
        raise InputError("job", job, "a prepared program's job id, or no job at all")
    if job is not None:
        from estim.errors import InputError
        from estim.web.device import _model

        try:
            model = _model(request, job)
        except InputError:
            try:
                status = request.app.state.web.jobs.status(job)
            except KeyError:
                # the page's program is no longer held (a restarted server): said where the
                # page shows the program's errors, with what to do (review of 5 December)
                raise InputError("program", program, f"a program prepared on the device now "
                                 f"(the server no longer holds job {job!r}: choose the mode "
                                 "again; nothing was saved, and what was typed is kept on "
                                 "the page)") from None
            # a queued or running job was called forgotten (probe of 6 December 2026)
            from estim.web.device import job_state_words

            raise InputError("program", program, f"a prepared program (job {job!r} "
                             f"{job_state_words(status)}" + (f": {status.error}" if status.error
                                                        else "; wait for it") +
                             "; nothing was saved)") from None
        _job_program(program, job, str(model.program.name))
        own = str(model.program.site.name)
        if site is not None and site != own:
            # a calf session kept against a lower-back job's 100 mA (probe of 5 December
            # 2026): the page always sends the job's own site
            raise InputError("site", site, f"the prepared program's site, {own!r} (job "
                             f"{job!r}); nothing was saved")
        return model.max_amplitude_a, model.unit
    # a mode the page changed is kept as "tens_conventional (pad width 1 cm, ...)": its
    # device is the mode's
    # a title may hold " (" itself ("..., wound (calf)"): the name before the page's
    # changes is the part before the first " (" or before the last (HVPC's title with a
    # change escaped the dial: 0.9 A kept for a dial in volts; review of 6 December 2026)
    stems = dict.fromkeys((program, program.split(" (", 1)[0], program.rsplit(" (", 1)[0]))
    named = next((d for d in map(_named_dial, stems) if d is not None), None)
    if named is None:
        for text in stems:
            known = _known_names().get(_name_key(text))
            if known is not None:
                # "Microcurrent_Face" and "microcurrent_face." were kept at 900 mA on a
                # 1 mA unit: a name the dial did not know, that a reader takes for the
                # bundled program (probe of 6 December 2026)
                from estim.errors import InputError

                raise InputError("program", program, f"{known!r} as the menu writes it (a "
                                 "session of a bundled program is checked against its "
                                 "device's maximum), or a name of your own that is not "
                                 "one of the menu's; nothing was saved")
    return named


def _own_site(program: str, site: object) -> None:
    """Refuse a session of a mode named as it is (no change after it) at another known site
    than the mode's: without a job, microcurrent_face was kept at the lower back (hostile
    probe of 7 December 2026); the page names a mode moved to another site with the change
    ("tens_conventional (site forearm)"). A site the journal does not know is its to
    refuse; a calibration's site is checked against its fit's."""
    from estim.errors import InputError
    from estim.fields.sites import SITE_NAMES

    mode_site = _named_site(program)
    if mode_site is not None and site in SITE_NAMES and site != mode_site:
        raise InputError("site", site, f"the mode's own site, {mode_site!r} (a mode on "
                         f"another site is kept as '{program} (site {site})', as the page "
                         "names it); nothing was saved")


def _job_program(program: str, job: str, name: str) -> None:
    """Refuse a setting whose program names another of the menu's programs than the
    prepared one it came with (its name, or the mode that prepares it, with or without the
    page's changes after it): with any job, microcurrent at 20 mA was kept against a 100 mA
    TENS's dial, and read as 20 times microcurrent's maximum (hostile probe of 7 December
    2026). A name of the user's own is a label of the prepared program."""
    from estim.errors import InputError
    from estim.stimulator.modes import ModeKind, modes

    stems = dict.fromkeys((program, program.split(" (", 1)[0], program.rsplit(" (", 1)[0]))
    labels = {m.id: m.label for m in modes() if m.kind is not ModeKind.CUSTOM}
    if any(stem == name or labels.get(stem) == name for stem in stems):
        return
    known = _known_names()
    if not any(_name_key(stem) in known for stem in stems):
        return  # the user's own name for it
    ids = [i for i, label in labels.items() if label == name]
    raise InputError("program", program, f"the prepared program's name, {name!r}"
                     + (f", or its mode, {ids[0]!r}" if ids else "") + f" (job {job!r}), "
                     "with the page's changes after it if any; nothing was saved")


def _person_key(name: str) -> str:
    """A person's name as a reader compares it: one case, one space, full-width letters
    as their plain forms ("Ａｎｎａ Test" is "Anna Test"; hostile probe of 7 December 2026).

    >>> _person_key("\uff21\uff4e\uff4e\uff41  test") == _person_key("Anna Test")
    True
    """
    import unicodedata

    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def _name_key(text: str) -> str:
    """A program name as a reader sees it: letters and digits alone, in one case.

    >>> _name_key("Conventional TENS, lower back") == _name_key("conventional_tens.lower-back")
    True
    """
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKC", text).casefold() if c.isalnum())


@lru_cache(maxsize=1)
def _known_names() -> dict[str, str]:
    """Every name the menu knows a program by (its mode's id and title), by
    :func:`_name_key`."""
    from estim.stimulator.modes import ModeKind, modes

    out: dict[str, str] = {}
    for m in modes():
        if m.kind is not ModeKind.CUSTOM:
            out.setdefault(_name_key(m.id), m.id)
            out.setdefault(_name_key(m.label), m.label)
    return out


def _within_dial(program: str, values: dict[str, Any],
                 dial: tuple[float, str] | None) -> None:
    """Refuse a setting outside the program's dial (0 to its device maximum), or any for a
    dial in volts: a bare 5 was kept as 5 A (5,000 mA) for a 100 mA unit, and hvpc_wound's
    2 and 4 V marks as 2 and 4 A (probe of 5 December 2026). Values the journal cannot
    read are left to its own checks, which name them."""
    from estim.journal import JournalError, validate
    from estim.text import current_text
    from estim.units import mega_hint

    if dial is None:
        return
    top, unit = dial
    for field, value in values.items():
        if value is None:
            continue
        if unit == "V":
            raise JournalError(field, value, f"a current; {_shown(program)}'s dial is in volts, "
                               "and the journal keeps the settings of current-controlled "
                               "programs")
        try:
            amps = validate.current(field, value)
        except validate.JournalError:
            continue
        if not 0.0 <= amps <= top * (1 + 1e-9):
            # the program's own range, not the journal's 0 to 5 A (probe); named as the
            # menu shows it, not by its key ("nmes_quadriceps's": browser probe, 6 December)
            raise JournalError(field, value, f"a current from 0 to {_shown(program)}'s device "
                               f"maximum, {current_text(top, smallest='mA')}"
                               + (mega_hint(value) or validate.number_in_amperes(value)))


def _shown(program: str) -> str:
    """A program as the menu shows it: a mode's or a bundled example's title for its key
    ("NMES, quadriceps strengthening" for nmes_quadriceps), else as it is named."""
    from estim.stimulator.modes import modes

    return next((m.label for m in modes() if m.id == program), program)


def _program_name(program: str) -> str:
    """The program's name as the journal keeps it (trimmed), before its dial is looked up:
    "microcurrent_face " passed the dial's check as an unknown name and was kept as
    microcurrent_face at 900 mA on a 1 mA unit (probe of 6 December 2026)."""
    from estim.journal import validate

    return validate.program(program)


def _journal(request: Request) -> Any:
    state: WebState = request.app.state.web
    return state.journal()


#: The calibration marks: an error in ``marks.strong`` is shown next to ``strong``.
_MARKS = ("first_felt", "strong", "twitch", "too_much")


def _fields(request: Request, form: type[BaseModel]) -> None:
    request.state.form_fields = (*_MARKS, *form.model_fields, "person_id")


@router.get("/people")
def people(request: Request) -> list[dict[str, object]]:
    return [p.to_dict() for p in _journal(request).people()]


@router.post("/people")
def add_person(form: PersonForm, request: Request) -> dict[str, object]:
    """Add a person. A name already in the journal (case and spaces aside) is asked about
    with a 409 naming who has it (``existing``, their ids); ``confirm`` adds a second one:
    "Anna Test" added twice went in silently, and the page then chose the first where the
    session was saved under the second (phone probe of 7 December 2026)."""
    from fastapi import HTTPException

    from estim.journal import validate

    _fields(request, PersonForm)
    journal = _journal(request)
    if not form.confirm:
        name = validate.name(form.name)
        same = [p for p in journal.people() if _person_key(p.name) == _person_key(name)]
        if same:
            which = ", ".join(f"no. {p.id}" for p in same)
            raise HTTPException(status_code=409, detail={
                "field": "name", "confirm": True, "existing": [p.id for p in same],
                # the name as typed, not Python's repr ('Anna\xa0Test'; hostile probe)
                "message": f"\u2018{' '.join(name.split())}\u2019 is already in the "
                           f"journal ({which}): they are chosen "
                           "in the list now. To add a second person of that name, press "
                           "\"Add\" again; the list then tells them apart by number."})
    record = journal.add_person(form.name, notes=form.notes)
    out: dict[str, object] = record.to_dict()
    return out


@router.get("/people/{person_id}")
def person(person_id: int, request: Request) -> dict[str, object]:
    request.state.form_fields = ("person_id",)
    out: dict[str, object] = _journal(request).person(person_id).to_dict()
    return out


@router.get("/people/{person_id}/calibrations")
def calibrations(person_id: int, request: Request) -> list[dict[str, object]]:
    request.state.form_fields = ("person_id",)
    return [c.to_dict() for c in _journal(request).calibrations(person_id)]


@router.post("/people/{person_id}/calibrations")
def save_calibration(person_id: int, form: CalibrationForm, request: Request
                     ) -> dict[str, object]:
    _fields(request, CalibrationForm)
    # a fit the stimulator would refuse to load is refused here, before it is kept (the
    # journal kept {} and -1e300, and the dial then refused them; probe of 5 December 2026)
    program = _program_name(form.program)
    if isinstance(form.marks, dict):
        # a name that is no mark is the journal's to refuse, as such ("marks.evil" was
        # told it must be a current up to the device maximum; hostile probe of 7 December)
        _within_dial(program, {f"marks.{k}": v for k, v in form.marks.items()
                               if k in _MARKS},
                     _dial(request, program, form.job, form.site))
    person = PersonFit.from_dict(form.fit)
    if form.job is not None:
        # the fit against the prepared program's thresholds: a factor edited on its own
        from estim.web.device import _model

        person.check_on(_model(request, form.job))
    fit = person.to_dict()  # kept as the dial will read it
    journal = _journal(request)
    record = journal.save_calibration(person_id, program=form.program, site=form.site,
                                      marks=form.marks, fit=fit,
                                      check=_agrees(person, form.marks))
    out: dict[str, object] = record.to_dict()
    return out


def _agrees(fit: PersonFit, typed: object = None) -> Any:
    """A check of a calibration's program, site and marks (A, as the journal read them)
    against its fit's own: both were kept when they differed (a forearm record of a lower
    back fit, marks of 1 and 2 mA beside a fit of 4 and 10 mA; probe of 5 December 2026)."""
    from estim.journal import JournalError
    from estim.stimulator.modes import ModeKind, modes
    from estim.text import current_text

    def check(program: str, site: str, marks: dict[str, float | None]) -> None:
        if fit.site and site != fit.site.strip():
            raise JournalError("site", site, f"the fit's site, {fit.site!r}")
        if fit.program and program != fit.program.strip():
            # the page sends a menu's program by its mode (a bundled example's key, knead),
            # the fit names it by its title
            titles = {m.id: m.label for m in modes() if m.kind is not ModeKind.CUSTOM}
            # a mode the page changed comes as "tens_conventional (pad width 1 cm)"
            if titles.get(program.split(" (", 1)[0]) != fit.program:
                raise JournalError("program", program, f"the fit's program, {fit.program!r} "
                                   "(its name, or its mode in the menu)")
        for name, value in marks.items():
            fitted = fit.marks.get(name)
            if value is None and fitted is None:
                continue
            if value is None or fitted is None or abs(value - fitted) > 1e-6 * fitted:
                # as typed: "got 0.021" of '21 mA' (hostile probe of 7 December 2026)
                sent = typed.get(name, value) if isinstance(typed, dict) else value
                raise JournalError(f"marks.{name}", "none" if value is None else sent,
                                   "the mark the fit was made on (" + (
                                       "none" if fitted is None
                                       else current_text(fitted, smallest="mA")) + ")")
    return check


def _past_pain(request: Request, form: SessionForm) -> None:
    """Ask before keeping a session at or past this person's "too much" on this program
    (``too_much_a``, the page's fit) or the model's typical person's pain: 100 mA went into
    the journal without a word where the person had marked "too much" at 13.5 mA (phone
    probe of 7 December 2026). The intensity is read as the journal reads it, so every
    spelling it keeps is asked about ("+100 mA", "100 milliA" were not, when the page read
    them itself; hostile probe). It is asked, not refused: a session is what happened."""
    import math

    from estim.journal import validate
    from estim.text import current_text
    from estim.web.device import _model

    try:
        amps = validate.current("intensity", form.intensity)
    except validate.JournalError:
        return  # the journal's own check names it
    # read as a current is (true was 1 A, NaN and "0.01" taken; review of 7 December 2026)
    limit = None if form.too_much_a is None else validate.current("too_much_a",
                                                                   form.too_much_a)
    if limit is not None and 0 < limit <= amps * (1 + 1e-9):
        _ask(f"{current_text(amps, smallest='mA')} is at or above what is too much for this "
             f"person on this program ({current_text(limit, smallest='mA')}, from their "
             "calibration).")
    assert form.job is not None
    pain = _model(request, form.job).thresholds.get("pain")
    if pain is not None and math.isfinite(pain) and 0 < pain <= amps * (1 + 1e-9):
        _ask(f"{current_text(amps, smallest='mA')} is where the model's typical person feels "
             f"pain (from {current_text(pain, smallest='mA')}).")


def _ask(what: str) -> None:
    """A 409 naming the intensity: what it is at or past, and how to keep it anyway
    (``confirm``); the page asks the person and sends the session again with it."""
    from fastapi import HTTPException

    raise HTTPException(status_code=409, detail={
        "field": "intensity", "confirm": True,
        "message": f"{what} Press \"Record the session\" again to keep it as it is, or "
                   "change the intensity."})


@router.get("/people/{person_id}/sessions")
def sessions(person_id: int, request: Request) -> list[dict[str, object]]:
    request.state.form_fields = ("person_id",)
    return [s.to_dict() for s in _journal(request).sessions(person_id)]


@router.post("/people/{person_id}/sessions")
def add_session(person_id: int, form: SessionForm, request: Request) -> dict[str, object]:
    _fields(request, SessionForm)
    from estim.errors import InputError

    # the dial's refusal is told with the journal's own, each under its box (an intensity
    # over the device maximum hid a bad duration; review of 7 December 2026)
    early: list[InputError] = []
    try:
        program = _program_name(form.program)
        if form.job is None:  # on its own: a wrong site hid an intensity over the dial
            try:
                _own_site(program, form.site)
            except InputError as err:
                early.append(err)
        _within_dial(program, {"intensity": form.intensity},
                     _dial(request, program, form.job, form.site))
    except InputError as err:
        if err.field in ("program", "intensity", "site"):
            early.append(err)
        else:
            raise
    if not early and not form.confirm and form.job is not None:
        _past_pain(request, form)
    record = _journal(request).add_session(
        person_id, program=form.program, site=form.site, intensity_a=form.intensity,
        minutes=form.minutes, pain_before=form.pain_before, pain_after=form.pain_after,
        notes=form.notes, problems=early)
    out: dict[str, object] = record.to_dict()
    return out


@router.get("/people/{person_id}/plot.png")
def plot(person_id: int, request: Request, n: int | None = None) -> Response:
    """Pain before and after and the intensity over time, as a PNG. ``n`` is not read: the
    page adds the number of sessions so that the browser does not show a cached plot
    (refused as unknown, it broke the page's plot; review of 7 December 2026)."""
    request.state.form_fields = ("person_id", "n")
    return Response(_journal(request).plot_png(person_id), media_type="image/png")


@router.get("/export.csv")
def export(request: Request, person_id: int | None = None) -> Response:
    """Every session (or one person's) as CSV, units in the column names."""
    request.state.form_fields = ("person_id",)
    name = f"estim-journal-{person_id}.csv" if person_id is not None else "estim-journal.csv"
    return Response(spreadsheet_file(_journal(request).export_csv(person_id)),
                    media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
