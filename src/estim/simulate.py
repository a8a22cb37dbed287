"""``simulate(program) -> Result``: run every stage that exists on a program."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from estim.program.model import Program
from estim.waveforms.build import stimuli_for
from estim.waveforms.metrics import Metrics, metrics
from estim.waveforms.stimulus import Stimulus

__all__ = ["Result", "simulate"]


@dataclass(frozen=True)
class Result:
    """Everything estim computed for one program.

    :param stimuli: each channel's output, in channel order.
    :param metrics: each channel's exact output metrics.
    :param safety: the output table and safety findings.
    :param extras: results of later stages by name (fields, fibers, effects).
    """

    program: Program
    stimuli: tuple[Stimulus, ...]
    metrics: tuple[Metrics, ...]
    safety: Any
    extras: dict[str, Any] = field(default_factory=dict)


def simulate(program: Program) -> Result:
    """Run the stages in data-flow order: waveforms, safety (and later stages as they land)."""
    from estim.safety import check

    stimuli = stimuli_for(program)
    return Result(program=program, stimuli=stimuli,
                  metrics=tuple(metrics(s) for s in stimuli), safety=check(program))
