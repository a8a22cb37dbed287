"""Safety: the output specification table at the standard test loads and the findings of
every applicable limit (IEC 60601-2-10, FDA guidance, charge-density criteria)."""

from estim.safety.findings import check
from estim.safety.limits import LIMITS, Limit, Scope, iec_rms_band, limit
from estim.safety.loads import (
    INDICATOR_LOAD_OHM,
    SKIN_PARAMETERS,
    TEST_LOADS_OHM,
    Delivered,
    Load,
    ResistiveLoad,
    SkinElectrodeLoad,
    clip_events,
    deliver,
)
from estim.safety.output import ChannelOutput, Setting, analyse, pulse_energy_j
from estim.safety.render import render_check, render_findings, render_table
from estim.safety.table import ChannelTable, OutputTable, TableRow, channel_table
from estim.safety.verdicts import Finding, SafetyReport, worst

__all__ = [
    "INDICATOR_LOAD_OHM",
    "LIMITS",
    "SKIN_PARAMETERS",
    "TEST_LOADS_OHM",
    "ChannelOutput",
    "ChannelTable",
    "Delivered",
    "Finding",
    "Limit",
    "Load",
    "OutputTable",
    "ResistiveLoad",
    "SafetyReport",
    "Scope",
    "Setting",
    "SkinElectrodeLoad",
    "TableRow",
    "analyse",
    "channel_table",
    "check",
    "clip_events",
    "deliver",
    "iec_rms_band",
    "limit",
    "pulse_energy_j",
    "render_check",
    "render_findings",
    "render_table",
    "worst",
]
