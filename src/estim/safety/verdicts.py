"""What a safety check finds: one rule's :class:`Finding` on one channel at one setting, and
a program's :class:`SafetyReport` (its findings and output table). :func:`rule_finding` turns a
rule's value into a finding; :mod:`estim.safety.findings` runs the rules.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from estim.evidence import EvidenceLevel
from estim.program.model import Verdict
from estim.safety.limits import Limit, Scope
from estim.safety.output import ChannelOutput, Setting
from estim.safety.table import OutputTable, display_value
from estim.text import readable

__all__ = ["Finding", "SafetyReport", "repeats_as_programmed", "rule_basis", "rule_finding",
           "rule_kind", "rule_meaning", "short_source", "worst"]

_RANK = {Verdict.PASS: 0, Verdict.WARN: 1, Verdict.FAIL: 2}


def worst(verdicts: Any) -> Verdict:
    """The worst of ``verdicts`` (PASS for none)."""
    return max(verdicts, key=_RANK.__getitem__, default=Verdict.PASS)


def repeats_as_programmed(setting: str | None, key: tuple[Any, ...], verdict: str,
                          programmed: dict[tuple[Any, ...], str]) -> bool:
    """Whether a finding at the device maximum says again what one as programmed says:
    the same ``key`` (rule, channel and value) with a verdict no worse. ``programmed`` maps
    the programmed findings' keys to their verdicts. ``estim check`` and ``estim run`` fold
    such a finding into the programmed one (at a program set to its maximum the two lists
    were one list twice); a worse verdict at the maximum is never folded, so the line shown
    is never the milder of the two.

    >>> repeats_as_programmed("device maximum", ("r", "1", 2.0), "warn", {("r", "1", 2.0): "fail"})
    True
    >>> repeats_as_programmed("device maximum", ("r", "1", 2.0), "fail", {("r", "1", 2.0): "warn"})
    False
    """
    if setting != "device maximum" or key not in programmed:
        return False
    return _RANK[Verdict(verdict)] <= _RANK[Verdict(programmed[key])]


@dataclass(frozen=True)
class Finding:
    """The outcome of one rule on one channel at one setting.

    :param rule_id: the limit's id (:data:`estim.safety.limits.LIMITS`).
    :param description: what was judged.
    :param source: the limit's source.
    :param value: the computed value (SI, ``unit``); None when it could not be computed.
    :param limit: the limit (SI, ``unit``); None when no limit was reached (analysis error).
    :param unit: SI unit of ``value`` and ``limit``.
    :param display_unit: unit to print them in.
    :param verdict: PASS, WARN or FAIL.
    :param channel: channel name ("" for the whole program).
    :param setting: the amplitude the value is taken at.
    :param note: how the value was obtained.
    :param action: what the user or the manufacturer must do (e.g. fit an output indicator).
    :param evidence: always "rule".
    :param site_load_ohm: the site's own load (Ω, the field solution's tissue with the
        skin–electrode interface) the value was judged into, where that is not a standard
        test load; None otherwise.
    """

    rule_id: str
    description: str
    source: str
    value: float | None
    limit: float | None
    unit: str
    display_unit: str
    verdict: Verdict
    channel: str
    setting: Setting | None
    note: str = ""
    action: str = ""
    evidence: EvidenceLevel = EvidenceLevel.RULE
    site_load_ohm: float | None = None

    @property
    def basis(self) -> str:
        """What the rule rests on, in one line (:func:`rule_basis`)."""
        return rule_basis(self.rule_id, self.source)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id, "description": self.description, "source": self.source,
            "basis": self.basis.removeprefix("basis: "),
            "value": self.value, "limit": self.limit, "unit": self.unit,
            "display_unit": self.display_unit,
            "display_value": display_value(self.value, self.display_unit),
            "display_limit": display_value(self.limit, self.display_unit),
            "verdict": self.verdict.value, "channel": self.channel,
            "setting": self.setting.value if self.setting else None,
            "note": self.note, "action": self.action, "evidence": self.evidence.value,
            "site_load_ohm": self.site_load_ohm,
        }


@dataclass(frozen=True)
class SafetyReport:
    """Findings and the output table of one program.

    :param program: the program's name.
    :param findings: every rule judged, channel by channel.
    :param table: the output specification table.
    """

    program: str
    findings: tuple[Finding, ...]
    table: OutputTable

    @property
    def verdict(self) -> Verdict:
        """The worst verdict of all findings."""
        return worst(f.verdict for f in self.findings)

    @property
    def failed(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.verdict is Verdict.FAIL)

    @property
    def counts(self) -> str:
        """How many rules were checked, failed and warned, in words ("15 rule checks, 1
        failed, 2 warned"): every face says the same (the terminal's last line left the
        warnings out; probe of 5 December 2026)."""
        warned = sum(f.verdict is Verdict.WARN for f in self.findings)
        return f"{len(self.findings)} rule checks, {len(self.failed)} failed, {warned} warned"

    def by_rule(self, rule_id: str) -> tuple[Finding, ...]:
        """Findings of one rule (ids of the IEC r.m.s. bands start with ``iec.rms``)."""
        return tuple(f for f in self.findings if f.rule_id == rule_id)

    def to_dict(self) -> dict[str, Any]:
        return {"program": self.program, "verdict": self.verdict.value,
                "findings": [f.to_dict() for f in self.findings],
                "table": self.table.to_dict()}


def rule_finding(row: Limit, value: float | None, out: ChannelOutput, *, note: str = "",
             action: str = "", limit_value: float | None = None,
             shape: bool = False, site_load_ohm: float | None = None) -> Finding:
    """A rule's finding; ``shape``: a rule of the pulse's shape, whose verdict is its own at
    any setting (judged at the device maximum only for a channel programmed at 0);
    ``site_load_ohm``: the site's own load it was judged into (:attr:`Finding.site_load_ohm`)."""
    lim = row.value if limit_value is None else limit_value
    if value is None or not math.isfinite(value):
        verdict = Verdict.WARN
        note = (note + "; " if note else "") + "value could not be computed"
        value = None
    elif value > lim * (1 + 1e-9) or (row.strict and value >= lim * (1 - 1e-9)):
        if value <= lim * (1 + 1e-9):  # at the limit itself, which a strict rule exceeds
            note = (note + "; " if note else "") + "at the limit itself: the source asks " \
                "for a value below it"
        at_max = out.setting is Setting.DEVICE_MAXIMUM and row.scope is Scope.APPLICATION \
            and not shape
        verdict = (row.verdict_at_max or Verdict.WARN) if at_max else row.verdict
    else:
        verdict = Verdict.PASS
        action = ""
    return Finding(row.id, row.description, row.source, value, lim, row.unit, row.display_unit,
                   verdict, out.channel.name, out.setting, readable(note), action,
                   site_load_ohm=site_load_ohm)


def short_source(source: str) -> str:
    """A rule's source cut at its first detail, not at a year.

    >>> short_source("Merrill DR et al. (2005) J Neurosci Methods 141:171 (net charge)")
    'Merrill DR et al. (2005) J Neurosci Methods 141:171'
    """
    return re.split(r" \((?!\d{4}\))|; ", source, maxsplit=1)[0].strip()


def rule_kind(rule_id: str, *, clause: bool = True) -> str:
    """What kind of rule ``rule_id`` is: a limit of the standard, a threshold the standard
    asks the instructions for use to state (with its clause), the output indicator, FDA
    guidance, or estim's own rule from the literature (not a limit of IEC 60601-2-10).

    :param clause: with the clause of the kinds that name one (without: where the source
        beside it names it).

    >>> rule_kind("fda.power_density")
    'FDA guidance, not IEC 60601-2-10'
    >>> rule_kind("iec.dc_component", clause=False)
    "what the instructions for use must say, not an output limit; the 1 % threshold is estim's"
    """
    if rule_id.startswith("iec.indicator."):
        # 201.7.9.2.101 f) of the 2012 edition asks the instructions for use for the
        # maximum outputs, not for an indicator (device engineer's probe, 7 December 2026)
        return ("an output indicator of IEC 601-2-10:1987 as estim reads it (its clause not "
                "verified" + ("; the 2012 edition's 201.7.9.2.101 f) asks the instructions "
                              "for use for the maximum outputs above 10 mA or 10 V)"
                              if clause else ")"))
    if rule_id in _IFU_THRESHOLDS:
        where, extra = _IFU_THRESHOLDS[rule_id]
        return ("what the instructions for use must say, not an output limit"
                + (f": IEC 60601-2-10:2012, {where}" if clause else "")
                + (f"; {extra}" if extra else ""))
    if rule_id == "analysis":
        return "estim could not compute this output, so it is not judged"
    if rule_id.startswith("iec."):
        return "a limit of IEC 60601-2-10"
    if rule_id.startswith("fda."):
        return "FDA guidance, not IEC 60601-2-10"
    return "estim's rule from the literature, not a limit of IEC 60601-2-10"


def rule_basis(rule_id: str, source: str) -> str:
    """What a rule rests on, in one line: its :func:`rule_kind`, with its source cut at its
    first detail (the kinds that name their clause, alone).

    >>> words = rule_basis("charge.balance", "Merrill et al. 2005 (net charge)")
    >>> words.startswith("basis: estim's rule from the literature"), words.endswith(" 2005")
    (True, True)
    """
    kind = rule_kind(rule_id)
    if rule_id.startswith("iec.indicator.") or rule_id in _IFU_THRESHOLDS \
            or rule_id == "analysis":
        return f"basis: {kind}"
    short = short_source(source)
    if rule_id.startswith("iec."):
        # the edition in force first (the 1987 edition's clause led; device engineer's
        # probe of 7 December 2026)
        both = re.fullmatch(r"(IEC 601-2-10:[^,]+), sub-clause ([\d.]+) \((IEC 60601-2-10:"
                            r"2012, [\d.]+)\)", source)
        short = f"{both[3]} ({both[2]} of {both[1]})" if both else source
    elif not rule_id.startswith("fda."):
        year = re.search(r"\(\d{4}\)", short)
        short = short[:year.end()] if year else short  # the authors and the year
    return f"basis: {kind}: {short}"


#: The rules whose "limit" is where IEC 60601-2-10 asks the instructions for use to say
#: something (201.7.9.2.101 c and g), not an output limit, and what they rest on.
_IFU_THRESHOLDS = {
    "iec.current_density": ("201.7.9.2.101 g) (current densities above 2 mA/cm² may need the "
                            "operator's attention)", ""),
    "iec.dc_component": ("201.7.9.2.101 c) (precautions for a d.c. component)",
                         "the 1 % threshold is estim's"),
}


#: What a rule that does not pass means for the person, where its name does not say:
#: microcurrent's "d.c. component of the output" read as a danger at every setting, with
#: nothing on what to do (phone probe of 7 December 2026), in the stimulator and on estim
#: run's first screen alike (clinician's probe).
_MEANING = {
    ("iec.dc_component", Verdict.WARN): "the current runs one way for a while, which can "
    "irritate the skin under the pads; the standard asks the instructions to say how to care "
    "for it, it is not a limit exceeded",
}


def rule_meaning(rule_id: str, verdict: Verdict | str) -> str:
    """What a rule with this verdict means for the person ("" where its name says it).

    >>> rule_meaning("iec.dc_component", "warn").startswith("the current runs one way")
    True
    """
    return _MEANING.get((rule_id, Verdict(verdict)), "")
