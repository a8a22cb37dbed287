"""``simulate(program) -> Result``: run every stage on a program, in data-flow order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from estim.program.model import Program
from estim.waveforms.build import stimuli_for
from estim.waveforms.metrics import Metrics, metrics
from estim.waveforms.stimulus import Stimulus

if TYPE_CHECKING:
    from estim.effects.program import EffectsResult
    from estim.safety.findings import SafetyReport

__all__ = ["Result", "simulate"]


@dataclass(frozen=True)
class Result:
    """Everything estim computed for one program.

    :param stimuli: each channel's output, in channel order.
    :param metrics: each channel's exact output metrics.
    :param safety: the output table and safety findings.
    :param effects: fields, fibers, sensation window, force, dose (None when not asked for).
    """

    program: Program
    stimuli: tuple[Stimulus, ...]
    metrics: tuple[Metrics, ...]
    safety: SafetyReport
    effects: EffectsResult | None = None


def simulate(program: Program, *, body: bool = True,
             progress: Callable[[str], None] | None = None) -> Result:
    """Waveforms and metrics, safety, then (``body=True``) fields, fibers and effects.

    :param progress: called with a short message as each long stage starts.
    """
    from estim.safety import check

    stimuli = stimuli_for(program)
    mets = tuple(metrics(s) for s in stimuli)
    if progress is not None:
        progress("safety: output table and findings")
    report = check(program)
    effects = None
    if body:
        from estim.effects.program import effects_for_program

        effects = effects_for_program(program, stimuli, progress=progress)
    return Result(program=program, stimuli=stimuli, metrics=mets, safety=report,
                  effects=effects)
