"""Options of the program model, each defined once (StrEnum)."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Control", "ElectrodeShape", "IFCMode", "PulseShape", "Recharge", "TENSMode",
           "Verdict"]


class Control(StrEnum):
    """What the output stage regulates."""

    CURRENT = "current"
    VOLTAGE = "voltage"


class Verdict(StrEnum):
    """Outcome of a safety rule, ordered from best to worst."""

    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"


class PulseShape(StrEnum):
    MONOPHASIC = "monophasic"
    SYMMETRIC_BIPHASIC = "symmetric_biphasic"
    ASYMMETRIC_BIPHASIC = "asymmetric_biphasic"


class TENSMode(StrEnum):
    CONVENTIONAL = "conventional"
    ACUPUNCTURE = "acupuncture"
    BURST = "burst"
    MODULATED = "modulated"


class IFCMode(StrEnum):
    PREMODULATED = "premodulated"
    TRUE = "true"


class Recharge(StrEnum):
    PASSIVE = "passive"
    ACTIVE = "active"


class ElectrodeShape(StrEnum):
    RECTANGULAR = "rectangular"
    CIRCULAR = "circular"
    LEAD_CONTACT = "lead_contact"
