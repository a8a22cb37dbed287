"""No stage boundary is typed ``Any``: what each stage takes and gives is a named type or a
Protocol (estim.fibers.protocols), so mypy checks the seams between stages."""

from __future__ import annotations

import importlib
import inspect
import re

import pytest

#: The functions through which one stage hands its result to the next.
BOUNDARIES = [
    "estim.setup:build_setup",
    "estim.simulate:simulate",
    "estim.waveforms.build:stimuli_for",
    "estim.safety:check",
    "estim.fields.program:fields_for_program",
    "estim.fields.fast:channel_potential",
    "estim.fibers.thresholds:find_thresholds",
    "estim.fibers.analysis:strength_duration",
    "estim.fibers.analysis:recruitment",
    "estim.effects.window:sensation_window",
    "estim.effects.window:class_thresholds",
    "estim.effects.program:channel_setup",
    "estim.effects.program:effects_for_program",
    "estim.effects.subjects:threshold_bands",
    "estim.effects.subjects:with_bands",
    "estim.effects.strength_duration:window_strength_duration",
    "estim.effects.dbs:dbs_activation",
]


@pytest.mark.parametrize("where", BOUNDARIES)
def test_no_any_at_a_stage_boundary(where: str) -> None:
    module, name = where.split(":")
    fn = getattr(importlib.import_module(module), name)
    sig = inspect.signature(fn)
    annotations = {p.name: p.annotation for p in sig.parameters.values()}
    annotations["return"] = sig.return_annotation
    for param, ann in annotations.items():
        assert ann is not inspect.Parameter.empty, f"{where}: {param} is not annotated"
        assert not re.search(r"\bAny\b", str(ann)), f"{where}: {param}: {ann}"
