"""Options of the program model, each defined once (StrEnum)."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Control", "ElectrodeShape", "IFCMode", "PulseShape", "Recharge", "Sensation",
           "TENSMode", "Verdict"]


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


class Sensation(StrEnum):
    """What a person is predicted (or a program's source says they should) feel, mildest
    first. The effects stage predicts one; a program file may state the ones its source
    prescribes (``expected_sensation``)."""

    NONE = "no sensation"
    LIGHT_TINGLING = "light tingling"
    STRONG_TINGLING = "strong tingling, no contraction"
    CONTRACTION = "contraction, below pain"
    PAINFUL = "painful"

    @property
    def rank(self) -> int:
        """0 (no sensation) .. 4 (painful)."""
        return list(Sensation).index(self)
