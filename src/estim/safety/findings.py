"""Check a program against :data:`estim.safety.limits.LIMITS`.

:func:`check` analyses every channel at the programmed amplitude and at the device's maximum
setting and judges each applicable limit:

- *device* rules (IEC 60601-2-10 output limits) are judged at both settings with the same
  verdict: a device whose maximum setting exceeds an IEC output limit fails even if this
  program sets less, because the standard is about what the device can deliver. The
  maximum is this program's waveform at the device's maximum amplitude; other settings of
  the device (wider pulses, higher rates) are not known to estim and are not covered.
- *application* rules (densities, balance, dose) are judged at the programmed amplitude; the
  device maximum gets the limit's milder ``verdict_at_max`` (a warning that the device can
  exceed the limit on these electrodes).

Verdicts are never optimistic: a value that cannot be computed is a warning, not a pass.
Every finding's evidence level is "rule" (a standard or a guidance document).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping

from estim.errors import InputError
from estim.program.model import Program, Verdict
from estim.safety.output import ChannelOutput, Setting, analyse
from estim.safety.rules import channel_findings
from estim.safety.shared import shared_contacts, shared_placements
from estim.safety.table import (
    OutputTable,
    channel_table,
    programmed_only,
    with_channel_timing,
)
from estim.safety.verdicts import Finding, SafetyReport
from estim.waveforms.build import stimulus_for

__all__ = ["check"]


def _check_impedances(program: Program, impedances: Mapping[str, float] | None) -> None:
    """Each given impedance a channel's, positive and finite: a misspelled name (or the
    integer 1 for channel "1") was ignored, and the verdict taken into 500 Ω passed where the
    100 Ω given would fail; NaN wrote "the field solution's nan Ω" (probe of 5 December
    2026)."""
    if impedances is None:
        return
    if not isinstance(impedances, Mapping):
        raise InputError("impedances_ohm", impedances, "a mapping of channel name to ohms")
    names = [c.name for c in program.channels]
    for key, z in impedances.items():
        if key not in names:
            raise InputError("impedances_ohm", key, f"a channel name: {', '.join(names)}")
        ok = isinstance(z, numbers.Real) and not isinstance(z, bool)  # numpy's too
        if not (ok and math.isfinite(z) and z > 0):
            raise InputError(f"impedances_ohm[{key!r}]", z, "a positive, finite impedance "
                             "(ohms)")


def check(program: Program, *, impedances_ohm: Mapping[str, float] | None = None
          ) -> SafetyReport:
    """Judge ``program`` against every applicable limit and build its output table.

    :param impedances_ohm: per channel name, the electrode impedance of an implanted
        channel from the field solution (Ω); an impedance the program states takes
        precedence; without one, a voltage-controlled channel, or a current-controlled one
        whose compliance clips its current into 500 Ω, is judged into the 500 Ω test load,
        or into the field's impedance where that is lower (a lower impedance is the
        conservative one).
    :returns: the findings (overall verdict = the worst) and the output table.
    """
    if not isinstance(program, Program):  # None was an AttributeError from inside
        raise InputError("program", type(program).__name__, "a Program (estim.load_program)")
    _check_impedances(program, impedances_ohm)
    findings: list[Finding] = []
    tables = []
    analysed: dict[str, tuple[ChannelOutput, ChannelOutput | None]] = {}
    for channel in program.channels:
        z = (impedances_ohm or {}).get(channel.name)
        try:
            base = stimulus_for(channel)
            programmed = analyse(program, channel, Setting.PROGRAMMED, programmed=base,
                                 impedance_ohm=z)
        except Exception as err:  # never pass what could not be computed
            findings.append(Finding("analysis", "output of the channel", "estim", None,
                                    None, "", "", Verdict.WARN, channel.name, None,
                                    f"could not compute the output: {err}"))
            continue
        try:
            top = analyse(program, channel, Setting.DEVICE_MAXIMUM, programmed=base,
                          impedance_ohm=z)
        except Exception as err:
            # the programmed output is still judged: iontophoresis whose ramps at the
            # device maximum hold more than its dose lost its whole table and a FAIL at
            # the programmed 4 mA, a WARN with exit 0 (probe of 5 December 2026)
            findings.append(Finding("analysis", "output of the channel at the device maximum",
                                    "estim", None, None, "", "", Verdict.WARN, channel.name,
                                    Setting.DEVICE_MAXIMUM,
                                    f"could not compute the output at the device maximum: "
                                    f"{err}"))
            findings += channel_findings(program, channel, (programmed,))
            tables.append(programmed_only(channel_table(programmed, programmed),
                                          program.device.max_amplitude))
            analysed[channel.name] = (programmed, None)
            continue
        findings += channel_findings(program, channel, (programmed, top))
        tables.append(channel_table(programmed, top))
        analysed[channel.name] = (programmed, top)
    findings += shared_placements(program, analysed)
    findings += shared_contacts(program, analysed)
    # each table says how its channel runs beside the others (synchronous or alternating)
    timed = with_channel_timing(tuple(tables), {n: p for n, (p, _) in analysed.items()})
    return SafetyReport(program.name, tuple(findings), OutputTable(program.name, timed))
