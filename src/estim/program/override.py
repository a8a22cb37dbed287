"""Turning the dial without editing the file: a program with its amplitude set anew.

>>> from estim.program.bundled import bundled_examples
>>> p = with_amplitude(bundled_examples()["tens_conventional"], "30 mA")
>>> p.channels[0].stimulation.amplitude.value
0.03

The new amplitude goes through the same loader as a program file, so the same checks apply:
a current for a current-controlled device, a voltage for a voltage-controlled one, at least
zero, at most the device's maximum, and whatever else the modality asks of its amplitude
(an iontophoretic dose deliverable within a day).
"""

from __future__ import annotations

import math
import re
import tomllib
from pathlib import Path
from typing import Any

from estim.errors import InputError
from estim.program.loader import ProgramError, _read_regular, load_program, program_from_dict
from estim.program.model import Program

__all__ = ["channels_on", "described_elsewhere", "with_amplitude"]


def _off(amplitude: Any) -> bool:
    """Whether a channel's amplitude as written is zero (``"0 mA"``, ``"0V"``); what cannot
    be read counts as on (the loader names it)."""
    from estim.units import parse_quantity

    for dimension in ("current", "voltage"):
        try:
            return parse_quantity(amplitude, dimension, field="amplitude") == 0.0
        except (InputError, ValueError, TypeError):
            continue
    return False


def channels_on(channels: list[Any]) -> list[Any]:
    """The channel tables (as a program file parses into) that a new amplitude for "every
    channel" sets: those that are on, or all of them where every one is at 0. A channel the
    file switched off (0 mA) was switched on by ``--amplitude`` and ``--vary amplitude=``
    (probe of 5 December 2026).

    >>> [c["name"] for c in channels_on([{"name": "A", "stimulation": {"amplitude": "20 mA"}},
    ...                                   {"name": "B", "stimulation": {"amplitude": "0 mA"}}])]
    ['A']
    """
    tables = [c for c in channels if isinstance(c, dict)
              and isinstance(c.get("stimulation"), dict)]
    on = [c for c in tables if not _off(c["stimulation"].get("amplitude"))]
    return on or tables


def with_amplitude(path: str | Path, amplitude: str, *, option: str = "amplitude") -> Program:
    """The program in ``path`` with every channel's programmed peak amplitude set to
    ``amplitude`` (both channels of a true-interferential program), but those the file
    switched off (0 mA) beside one that is on (:func:`channels_on`).

    :param path: a program file (TOML).
    :param amplitude: the new peak of the leading phase as the user typed it, with units
        (``"30 mA"``, ``"150 V"``).
    :param option: how the user gave ``amplitude`` (``"--amplitude"`` on the command line),
        named in the error.
    :raises ProgramError: the file itself is not a valid program (as :func:`load_program`).
    :raises InputError: ``amplitude`` is not acceptable for this program; the message names
        ``option``, the value and what was expected.
    """
    as_written = load_program(path)  # the file's own problems are named as in the file
    data: dict[str, Any] = tomllib.loads(_read_regular(Path(path)).removeprefix("\ufeff"))
    if not isinstance(amplitude, str):
        raise InputError(option, amplitude, "a current or a voltage with units, e.g. '25 mA'")
    for channel in channels_on(data.get("channels", [])):
        channel["stimulation"]["amplitude"] = amplitude
    try:
        program = program_from_dict(data, source=str(path))
    except ProgramError as err:
        from estim.units import mega_hint

        first = err.problems[0]
        why = first.expected
        if not first.field.endswith("stimulation.amplitude"):  # a consequence elsewhere
            why = f"{why} (for {first.field} of the program)"
        elif "device maximum" in why:  # '25 MA' is mega-amperes, a valid unit (probe)
            why += mega_hint(amplitude)
        raise InputError(option, amplitude, why) from None
    if all(math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-15) for a, b in
           zip(_amplitudes(program), _amplitudes(as_written), strict=True)):
        return program  # '25000 uA' is the file's 25 mA (review)
    changes: dict[str, Any] = {"expected_sensation": (), "expected_verdict": None}
    if program.description.strip():
        # the file's words name its own amplitude ("... 3 mA ..." above a run at 10 mA;
        # probe of 6 December 2026): said to be the file's, the new one as estim writes it
        # ("0mA" as typed was quoted in the report)
        changes["description"] = (f"{program.description} (as the file has it; run at "
                                  f"{_amplitude_text(program)})")
    # what the file's source expects a person to feel, and its author the check to
    # conclude, hold at the file's amplitude: at another the report said "the model and the
    # source disagree" of a run at 0 mA (probe of 6 December 2026)
    return program.model_copy(update=changes)


def _amplitudes(program: Program) -> list[float]:
    return [c.stimulation.amplitude.value for c in program.channels]


def _amplitude_text(program: Program) -> str:
    """The amplitude of the first channel that is on (every one has it), with its unit."""
    from estim.program.options import Control
    from estim.text import current_text

    amps = [c.stimulation.amplitude for c in program.channels]
    amp = next((a for a in amps if a.value > 0), amps[0])
    if amp.control is Control.VOLTAGE:
        return f"{amp.value:g} V"
    return current_text(amp.value, 4, smallest="mA") if amp.value else "0 mA"


#: A current or voltage named in a description ("40 mA peak"); not a charge ("40 mA·min")
#: nor a density ("2 mA/cm²").
_NAMED_AMPLITUDE = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?) ?(µA|uA|mA|A|mV|V|kV)(?![\w·*/²])")
_SCALE = {"µA": 1e-6, "uA": 1e-6, "mA": 1e-3, "A": 1.0, "mV": 1e-3, "V": 1.0, "kV": 1e3}


def described_elsewhere(program: Program) -> str | None:
    """Where the program's description names amplitudes of its control (mA, or V) and none
    is a channel's, in words: a copy set to 30 mA kept "40 mA peak" in its header and
    report without a word (clinician's probe of 7 December 2026). None where one matches,
    where it names none, or where ``--amplitude`` has said so already.

    >>> from estim.program.bundled import bundled_examples
    >>> premod = load_program(bundled_examples()["ifc_premodulated"])
    >>> described_elsewhere(premod) is None
    True
    >>> channel = premod.channels[0]
    >>> stim = channel.stimulation.model_copy(update={"amplitude": channel.stimulation
    ...     .amplitude.model_copy(update={"value": 0.03})})
    >>> edited = premod.replace(channels=(channel.model_copy(update={"stimulation": stim}),))
    >>> described_elsewhere(edited)
    'its description names 40 mA; the program sets 30 mA'
    """
    from estim.program.options import Control

    if "(as the file has it; run at" in program.description:
        return None
    volts = program.channels[0].stimulation.amplitude.control is Control.VOLTAGE
    named = [(m.group(0), float(m.group(1)) * _SCALE[m.group(2)])
             for m in _NAMED_AMPLITUDE.finditer(program.description)
             if m.group(2).endswith("V") == volts]
    if not named:
        return None
    set_to = _amplitudes(program)
    if any(math.isclose(value, a, rel_tol=1e-3) for _, value in named for a in set_to):
        return None
    return (f"its description names {', '.join(text for text, _ in named)}; the program "
            f"sets {_amplitude_text(program)}")
