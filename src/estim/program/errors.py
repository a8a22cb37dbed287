"""Problems in a program, each naming its field: the error type and the translation of
pydantic's validation errors, shared by the file loader and :meth:`FrozenModel.replace`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from typing import Any

from estim.errors import Described, InputError, shown_value

__all__ = ["ProgramError", "as_toml", "dedupe", "nearest_key", "problem"]


class ProgramError(InputError):
    """One or more problems in a program; ``problems`` holds each as an :class:`InputError`."""

    def __init__(self, problems: list[InputError], *, source: str = "") -> None:
        first = problems[0]
        super().__init__(first.field, first.value, first.expected)
        self.problems = problems
        where = f"{source}: " if source else ""
        lines = [f"{where}{p.field}: got "
                 f"{shown_value(p.value, as_toml)}, "
                 f"expected {p.expected}" for p in problems]
        self.args = ("\n".join(lines),)

    def __str__(self) -> str:
        return str(self.args[0])


def as_toml(value: Any) -> str:
    """A value as a program file writes it: true, not True; [1, 2]; a date as written; a
    string in quotes (Python's repr, as before)."""
    import datetime as dt

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(as_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {as_toml(v)}" for k, v in value.items()) + " }"
    return repr(value)


def dedupe(problems: list[InputError]) -> list[InputError]:
    seen: set[str] = set()
    out = []
    for p in problems:
        if p.field not in seen:
            seen.add(p.field)
            out.append(p)
    return out


def _path(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for k, item in enumerate(loc):
        if isinstance(item, int):
            parts.append(f"[{item}]")
        elif k and loc[k - 1] == "stimulation":
            continue  # the discriminator tag pydantic puts in the location
        elif item.startswith("function-") or item in ("tagged-union",):
            continue
        else:
            parts.append(("." if parts else "") + item)
    return "".join(parts)


def nearest_key(key: str, keys: list[str]) -> str | None:
    """The known key ``key`` is most likely a misspelling of, or None.

    >>> nearest_key("pulse_widht", ["amplitude", "frequency", "pulse_width"])
    'pulse_width'
    >>> nearest_key("colour", ["amplitude", "frequency"]) is None
    True
    """
    near = difflib.get_close_matches(key, keys, n=1, cutoff=0.75)
    return near[0] if near else None


def problem(e: Mapping[str, Any], *, tags: tuple[str, ...] = (),
            allowed: Callable[[tuple[int | str, ...]], str] | None = None) -> InputError:
    """One pydantic error as an :class:`InputError` naming the field as a dotted path.

    :param tags: the stimulation ``type`` tags, named when a tag is unknown.
    :param allowed: the keys allowed at a location, named for an unknown key.
    """
    loc = tuple(e.get("loc", ()))
    path = _path(loc)
    kind = e.get("type", "")
    value = e.get("input")
    ctx = e.get("ctx") or {}
    inner = ctx.get("error")
    if isinstance(inner, InputError):
        field = f"{path}.{inner.field}" if path and inner.field else (inner.field or path)
        return InputError(field or "program", inner.value, inner.expected)
    if kind == "missing":
        return InputError(path, "(missing)", "a value: this field is required")
    if kind == "extra_forbidden":
        parent = loc[:-1]
        keys = allowed(parent) if allowed is not None else "see the documentation"
        near = nearest_key(str(loc[-1]) if loc else "", keys.split(", "))
        hint = f"; did you mean {near}?" if near else ""
        # the key is what is wrong, not its value ("mode: got 'cyclic', expected a known
        # key" named the value; DBS researcher's probe of 7 December 2026)
        key = Described(f"the key {str(loc[-1])!r}") if loc else value
        return InputError(path, key, f"a known key{hint} ({keys})")
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        field = path + ".type" if not path.endswith("type") else path
        # no type at all: "(missing)", not the whole table (probe of 5 December 2026)
        tag = ctx.get("tag", "(missing)" if kind == "union_tag_not_found" else value)
        return InputError(field, tag, f"one of {', '.join(repr(t) for t in tags)}")
    if kind == "enum":
        return InputError(path, value, f"one of {ctx.get('expected', '')}")
    if kind == "literal_error":
        return InputError(path, value, f"one of {ctx.get('expected', '')}")
    if kind == "value_error":
        msg = str(e.get("msg", "")).removeprefix("Value error, ")
        return InputError(path, _short(value), msg)
    if kind in _TYPE_WORDS:
        words = _TYPE_WORDS[kind]
        if kind.startswith("int") and isinstance(value, float) and value.is_integer() \
                and abs(value) < 1e15:
            # "got 1000.0, expected a whole number" for 1e3 (probe of 6 December 2026)
            words += f" (TOML reads it as a decimal number: write {int(value)})"
        return InputError(path, _short(value), words)
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return InputError(path, _short(value), _pydantic_words(e))
    if kind == "too_short":
        return InputError(path, _short(value), "at least one entry")
    return InputError(path or "program", _short(value), _pydantic_words(e))


#: pydantic's type errors in a program file's words (TOML's): "Input should be a valid
#: integer, unable to parse string as an integer" was shown as it came.
_TYPE_WORDS = {
    "int_type": "a whole number, without quotes: e.g. 7",
    "int_parsing": "a whole number, without quotes: e.g. 7",
    "int_from_float": "a whole number, without quotes: e.g. 7",
    "float_type": "a number", "float_parsing": "a number",
    "bool_type": "true or false, without quotes",
    "bool_parsing": "true or false, without quotes",
    "string_type": "text in quotes",
    "dict_type": "a table: { ... } or a [section]",
    "model_type": "a table: { ... } or a [section]",
    "model_attributes_type": "a table: { ... } or a [section]",
    "list_type": "an array: [ ... ]", "tuple_type": "an array: [ ... ]",
}


def _pydantic_words(e: Mapping[str, Any]) -> str:
    """pydantic's message for a kind not worded above, without its "Input should be"."""
    msg = str(e.get("msg", "")).removeprefix("Value error, ")
    for lead in ("Input should be ", "input should be "):
        msg = msg.removeprefix(lead)
    return msg[:1].lower() + msg[1:]


def _short(value: Any) -> Any:
    if isinstance(value, dict | list) and len(repr(value)) > 80:
        return repr(value)[:77] + "..."
    return value


def toml_error(err: Exception, text: str) -> str:
    """What a TOML file got wrong, for "expected valid TOML (...)": the parser's reason
    and the line it stopped at, and for a key set twice, the key. "Cannot overwrite a value
    (at line 33, column 21)" named neither (device engineer's probe of 7 December 2026).

    >>> print(toml_error(ValueError("Cannot overwrite a value (at line 2, column 10)"),
    ...                  'pulse = "monophasic"\\npulse = "symmetric_biphasic"\\n'))
    'pulse' is set twice in its table (line 2: pulse = "symmetric_biphasic")
    >>> print(toml_error(ValueError("Expected newline or end of document after a statement "
    ...                             "(at line 1, column 12)"), 'amplitude = 25 mA'))
    Expected newline or end of document after a statement (line 1: amplitude = 25 mA); a
    quantity with its unit is text in quotes: amplitude = "25 mA"
    >>> print(toml_error(ValueError("Cannot declare ('device',) twice (at line 3, column 8)"),
    ...                  "[device]\\nx = 1\\n[device]\\n"))
    the table [device] is declared twice, or as both [[device]] and [device] (line 3:
    [device])
    """
    message = str(err)
    found = re.search(r"\s*\(at (?:line (\d+), column \d+|end of document)\)", message)
    if found is None:
        return message
    lines = text.splitlines()
    if found.group(1) is not None:
        number = int(found.group(1))
    else:  # the last line that holds something
        number = next((k + 1 for k in range(len(lines) - 1, -1, -1) if lines[k].strip()), 0)
    if not 1 <= number <= len(lines):
        return message
    line = lines[number - 1].strip()
    shown = line if len(line) <= 60 else line[:57] + "..."
    reason = message[:found.start()]
    declared = re.fullmatch(r"Cannot declare \((.*?),?\) twice", reason)
    if declared is not None:  # "Cannot declare ('device',) twice": a Python tuple
        name = ".".join(part.strip().strip("'\"") for part in declared.group(1).split(","))
        return (f"the table [{name}] is declared twice, or as both [[{name}]] and [{name}] "
                f"(line {number}: {shown})")
    if reason.startswith("Cannot overwrite a value") and "=" in line:
        key = line.split("=", 1)[0].strip()
        if "." in key.strip("'\""):  # name.x = 1 beside name = "a": not "set twice"
            parent = key.split(".", 1)[0].strip()
            return (f"{key!r} sets a key inside {parent!r}, which already holds a value or a "
                    f"table of its own (line {number}: {shown})")
        return f"{key!r} is set twice in its table (line {number}: {shown})"
    if reason.startswith("Expected newline or end of document") and re.fullmatch(
            r"[\w.\-\"']+\s*=\s*[+-]?[\d.]+(?:[eE][+-]?\d+)?\s*[^\s\d\"'#][^#]*", line):
        # foo = 25 mA: a quantity is text (hostile probe of 7 December 2026)
        key, value = (part.strip() for part in line.split("=", 1))
        return (f"{reason} (line {number}: {shown}); a quantity with its unit is text in "
                f"quotes: {key} = \"{value}\"")
    return f"{reason} (line {number}: {shown})"


def not_utf8(err: UnicodeDecodeError) -> str:
    """What a file that is not UTF-8 got wrong, in words: the byte and its line
    (Python's codec text, "'utf-8' codec can't decode byte 0xe9 in position 11", was the
    message; device engineer's and hostile probes of 7 December 2026).

    >>> try:
    ...     b"a = 1\\nb = 'caf\\xe9'".decode("utf-8")
    ... except UnicodeDecodeError as err:
    ...     print(not_utf8(err))
    a UTF-8 text file (byte 0xE9 on line 2 is not UTF-8: the file was saved in another
    encoding, such as Latin-1, or is cut short inside a character; save it as UTF-8)
    """
    data = err.object if isinstance(err.object, bytes) else bytes(err.object)
    line = data[:err.start].count(b"\n") + 1
    return (f"a UTF-8 text file (byte 0x{data[err.start]:02X} on line {line} is not UTF-8: "
            "the file was saved in another encoding, such as Latin-1, or is cut short inside "
            "a character; save it as UTF-8)")
