"""The project's own exceptions and warnings.

Every problem with user input is an :class:`EstimError` that names the field, the value the
user gave and what was expected, so that the CLI can print one clear line and exit 2.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["Described", "EstimError", "EstimWarning", "InputError", "MeshError",
           "ModelRangeWarning", "ThinMuscleWarning", "shown_value"]


class EstimError(Exception):
    """Base class of everything estim raises on purpose."""


class Described(str):
    """A rejected value said in words, not as text the user typed: JSON's null, true and
    false, "a JSON array". An error shows it bare ("got null"), where a text is quoted
    ("got 'null'" read as if the four letters had been typed; hostile probe of 7 December
    2026).

    >>> shown_value(Described("null")), shown_value("null")
    ('null', "'null'")
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return str(self)


#: How much of a rejected value an error repeats (a 900,000-character description filled
#: the one-line message before it said what was expected).
_MAX_VALUE_SHOWN = 200


def shown_value(value: object, render: Callable[[Any], str] = repr) -> str:
    """A rejected value as an error repeats it (``render``: Python's repr, or as a program
    file writes it): at most :data:`_MAX_VALUE_SHOWN` characters of it (so that what was
    expected stays in the one line), a text cut inside its quotes with its own length, and a
    missing one as '(missing)', not Python's None.

    >>> shown_value("x" * 201)[-22:]
    "x...' (201 characters)"
    """
    if value is None:
        return "'(missing)'"
    if isinstance(value, str) and len(render(value)) > _MAX_VALUE_SHOWN + 2:
        keep = _MAX_VALUE_SHOWN  # characters of the text, fewer where each is escaped
        while len(render(value[:keep])) > _MAX_VALUE_SHOWN + 2:
            keep = keep * 3 // 4
        cut = render(value[:keep])
        return f"{cut[:-1]}...{cut[-1]} ({len(value):,} characters)"
    text = render(value)
    if len(text) > _MAX_VALUE_SHOWN:
        return f"{text[:_MAX_VALUE_SHOWN]}... ({len(text):,} characters)"
    return text


class InputError(EstimError, ValueError):
    """A value given by the user is not acceptable.

    :param field: dotted path of the offending field, e.g. ``channels[0].pulse_width``.
    :param value: the value as the user wrote it.
    :param expected: what would have been accepted, in the user's words.
    """

    def __init__(self, field: str, value: object, expected: str) -> None:
        self.field = field
        self.value = value
        self.expected = expected
        super().__init__(f"{field}: got {shown_value(value)}"
                         f", expected {expected}")


class MeshError(EstimError, RuntimeError):
    """The field's mesh could not be built for these layers and electrodes (the mesher's
    own reason in the message): one line from the CLI, not a traceback."""


class EstimWarning(UserWarning):
    """A legal but physiologically unlikely value, or a model used near its limits."""


class ModelRangeWarning(EstimWarning):
    """A model is evaluated outside the range it was validated for."""


class ThinMuscleWarning(ModelRangeWarning):
    """A layer written into a limb, which keeps its girth, leaves its muscle thin. A virtual
    subject's drawn fat does so by design (its own note says so): sweeps of subjects do not
    repeat it for every subject."""
