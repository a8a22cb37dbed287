"""Bad input as the API answers it: a 422 whose detail names the form field and carries the
one-line message the CLI prints for the same mistake."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from estim.errors import Described, InputError
from estim.text import one_line

__all__ = ["FORM_LABELS", "form_field", "one_line", "problem_detail", "validation_detail"]

def form_field(field: str, fields: Iterable[str]) -> str:
    """The form field an error's dotted path belongs to: the path itself when it is one of
    ``fields``, else the field its last segment names (``channels[0].pulse_width`` ->
    ``pulse_width``, ``site.name`` -> ``site``), else the path unchanged.

    >>> form_field("channels[0].stimulation.pulse_width", ["mode", "pulse_width"])
    'pulse_width'
    >>> form_field("site.name", ["site", "anode"])
    'site'
    """
    known = list(fields)
    if field in known:
        return field
    parts = [p.split("[")[0] for p in field.split(".") if p]
    # a pad's size is the form's pad box, whichever pad the program file names
    if len(parts) >= 2 and parts[-2] in ("anode", "cathode") and f"pad_{parts[-1]}" in known:
        return f"pad_{parts[-1]}"
    if parts and parts[0] == "fit" and "fit" in known:
        return "fit"  # a fit's own program or site is not the form's (fit.program)
    for part in reversed(parts):
        if part in known:
            return part
    return field


#: The forms' boxes as the page labels them: a message under a box names it so, not by its
#: path in the program ("channels[0].stimulation.pulse_width: got 'abc'": browser probe of 6
#: December 2026).
FORM_LABELS = {"mode": "Mode", "site": "Site", "anode": "Anode (+)", "cathode": "Cathode (−)",
               "pad_width": "Pad width", "pad_length": "Pad length",
               "pulse_width": "Pulse width", "frequency": "Rate",
               "first_felt": "First felt", "strong": "Strong but comfortable",
               "twitch": "First twitch", "too_much": "Too much",
               "ramp_minutes": "Habituation ramp", "intensity": "Intensity",
               "minutes": "Duration", "pain_before": "Pain before", "pain_after": "Pain after",
               "notes": "Notes", "name": "New person"}


def _as_sent(value: object) -> object:
    """A value as JSON wrote it: true, false and null, not Python's True, False and None
    ("got True" of a JSON true; hostile probe of 7 December 2026); an object or an array
    by its kind, not Python's repr ("got {'v': 1}")."""
    if isinstance(value, bool):
        return Described("true" if value else "false")
    if value is None:
        return Described("null")
    if isinstance(value, dict | list):
        return Described(f"a JSON {'object' if isinstance(value, dict) else 'array'}")
    if isinstance(value, str) and not value.strip():
        # an empty box read "Pain after: got '', expected ..." (phone probe of 7 December
        # 2026)
        return Described("nothing")
    return value


def problem_detail(err: InputError, fields: Sequence[str] = ()) -> dict[str, str]:
    """The 422 detail of an :class:`InputError`: the form field it belongs to, and its
    message, naming that field by its label where the page has one.

    >>> problem_detail(InputError("channels[0].stimulation.pulse_width", "abc", "a time"),
    ...                ["pulse_width"])["message"]
    "Pulse width: got 'abc', expected a time"
    >>> problem_detail(InputError("pain_after", "", "a whole number"), ["pain_after"])["message"]
    'Pain after: got nothing, expected a whole number'
    """
    field = form_field(err.field, fields)
    known = list(fields)
    if field not in known and len(known) == 1 and known[0] in FORM_LABELS:
        # a setting's problem at a path of the mode's program the form has no box for:
        # the box that caused it, and the path in words ("channels[0].anode.size: got '50
        # x 500 mm'" under Pad width; educator's probe of 7 December 2026)
        field = known[0]
        named = InputError(f"{FORM_LABELS[field]} ({_path_words(err.field)})",
                           _as_sent(err.value), err.expected)
        return {"field": field, "message": one_line(named)}
    label = FORM_LABELS.get(field) if field in fields else None
    shown = _as_sent(err.value)
    if (label is not None and err.field != label) or shown is not err.value:
        named = InputError(label or err.field, shown, err.expected)
        return {"field": field, "message": one_line(named)}
    return {"field": field, "message": one_line(err)}


def _path_words(path: str) -> str:
    """A program path in words, as the form's reader knows it.

    >>> _path_words("channels[0].anode.size"), _path_words("channels[1].stimulation.pulse_width")
    ("the anode's size", "the mode's pulse width")
    >>> _path_words("site.name")
    "the site's name"
    """
    parts = [p.split("[")[0] for p in path.split(".") if p]
    last = parts[-1].replace("_", " ") if parts else path
    owner = parts[-2] if len(parts) >= 2 else ""
    if owner == "stimulation":
        return f"the mode's {last}"
    return f"the {owner.replace('_', ' ')}'s {last}" if owner else last


#: What pydantic puts in an error's location for the branch of a union it tried.
_UNION_TAGS = frozenset({"int", "str", "float", "bool", "list", "dict", "none"})


def validation_detail(errors: Sequence[Any]) -> dict[str, str]:
    """The 422 detail of a request FastAPI could not read (pydantic's errors): the first
    problem, worded as an :class:`InputError` (``field: got 'x', expected ...``)."""
    first = dict(errors[0]) if errors else {}
    # the form's own names: not pydantic's tags of a union's branch ("int" of int | str) nor
    # a list index or JSON's position
    loc = [str(p) for p in first.get("loc", ()) if isinstance(p, str)
           and p not in ("body", "query", "path") and p not in _UNION_TAGS
           and p.isidentifier()]
    field = loc[-1] if loc else "request"
    value = first.get("input", "")
    # pydantic's words for JSON's kinds, as the form's reader knows them ("expected a valid
    # dictionary" of a JSON array; hostile probe of 7 December 2026)
    expected = str(first.get("msg", "a valid value")).removeprefix("Input should be ") \
        .replace("a valid string", "a text").replace("a valid dictionary", "a JSON object") \
        .replace("a valid list", "a JSON array")
    kind = first.get("type")
    if value is None and kind != "missing":  # sent as null: not '(missing)', which it is not
        value = Described("null")
    if kind == "missing":
        value, expected = "", "a value (this field is required)"
    elif kind == "extra_forbidden":
        expected = "only the form's own fields (this one is not among them)"
    elif kind == "json_invalid":
        # it read "got '', expected a JSON body" of a body that was not empty (probe of
        # 6 December 2026): say what JSON's reader found, and where
        why = str((first.get("ctx") or {}).get("error", "")).strip()
        at = next((p for p in first.get("loc", ()) if isinstance(p, int)), None)
        where = f" at character {at + 1}" if at is not None else ""  # JSON counts from 0
        value = Described("a body that is not JSON")
        why = why[:1].lower() + why[1:]
        why = re.sub(r"\s+at:?$", "", why)  # "starting at at character 10" (probe)
        expected = f"a JSON body ({why}{where})" if why else f"a JSON body{where}"
    elif kind in ("int_parsing", "int_parsing_size", "int_type"):
        # "expected Unable to parse input string as an integer, exceeded maximum size" of a
        # person's id of 5,000 digits (probe of 6 December 2026)
        expected = "a whole number"
        if isinstance(value, str) and len(value) > 40:
            value = f"{value[:20]}... ({len(value):,} characters)"
    if field == "request" and kind in ("dict_type", "model_type", "model_attributes_type"):
        expected = "a JSON object of the form's fields, {\"name\": value, ...}"
    elif field == "request" and kind == "missing":
        expected = "a JSON body (the request had none)"
    if isinstance(value, bytes):  # the body came with another Content-Type than JSON's
        # (text/plain read "got b'{...}', expected a valid dictionary"; probe)
        field, value = "request", Described("a body that is not sent as JSON")
        expected = "a JSON body with the header Content-Type: application/json"
    value = _as_sent(value)  # a JSON object showed '' (probe of 6 December 2026)
    # a form's box by its label, as problem_detail names it ("first_felt: got 5, expected
    # a valid string" named the box by its key; probe of 6 December 2026)
    shown = FORM_LABELS.get(field, field) if kind != "extra_forbidden" else field
    return {"field": field, "message": one_line(InputError(shown, value, expected))}
