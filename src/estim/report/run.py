"""The results of every stage on one program as files: ``results.json`` and ``report.html``
(``estim run`` writes them; :mod:`estim.cli.run` is the command)."""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from pathlib import Path
from typing import Any

from estim.program.override import described_elsewhere
from estim.simulate import Result

__all__ = ["RUN_FILES", "default_output_dir", "render_run_files", "result_to_dict"]


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_") or "program"


def result_to_dict(result: Result) -> dict[str, Any]:
    """Results as JSON-able data (SI units, named in the keys)."""
    if not isinstance(result, Result):  # None gave an AttributeError (hostile probe)
        from estim.errors import InputError

        raise InputError("result", type(result).__name__, "a Result of estim.simulate")
    p = result.program
    channels = []
    for ch, stim, m in zip(p.channels, result.stimuli, result.metrics, strict=True):
        unit = stim.unit
        channels.append({
            "name": ch.name,
            "modality": ch.stimulation.type,
            "control": stim.control.value,
            "waveform": stim.timing.shape,
            "session_s": stim.duration_s,
            "metrics": {_metric_key(k, unit): v for k, v in asdict(m).items()},
        })
    out: dict[str, Any] = {
        "program": {"name": p.name, "description": p.description, "source": p.source,
                    "expected_verdict": p.expected_verdict.value if p.expected_verdict
                    else None,
                    # an edited copy's words of another amplitude (clinician's probe)
                    "description_differs": described_elsewhere(p)},
        "channels": channels,
    }
    # what estim warned of on the terminal (a value outside its usual range, a model
    # outside its valid range): in the files too
    out["warnings"] = list(result.warnings)
    out["safety"] = result.safety.to_dict()
    if result.effects is not None:
        out["effects"] = result.effects.to_dict()
    return out


def _metric_unit(name: str, unit: str) -> str:
    if name in ("duty", "charge_imbalance"):
        return "fraction"
    if "charge" in name:
        return "C" if unit == "A" else "V_s"
    return unit


def _metric_key(name: str, unit: str) -> str:
    """The JSON key of a metric with its unit: ``pulses_per_s`` has its own (it was
    ``pulses_per_s_per_s``; probe of 5 December 2026)."""
    return name if name == "pulses_per_s" else f"{name}_{_metric_unit(name, unit)}"


RUN_FILES = ("results.json", "report.html")


def default_output_dir(program_path: Path) -> Path:
    """Where ``estim run`` writes when no folder is named: ``estim-out/<program file stem>``
    (the caller takes the next free ``-2``, ``-3``... with :func:`estim.outputs.fresh_dir`)."""
    return Path("estim-out") / _slug(program_path.stem)


def render_run_files(result: Result, *, program_text: str | None = None
                     ) -> tuple[dict[str, Any], dict[str, str]]:
    """The results as data and the files of a run, rendered in memory: ``results.json``
    (:func:`result_to_dict`) and the self-contained ``report.html``.

    :param program_text: the program file as the user wrote it, shown in the report.
    """
    from estim.report.html import render_html

    data = result_to_dict(result)
    text = json.dumps(data, indent=2, allow_nan=False)
    page = render_html(result, data, program_text=program_text)
    return data, dict(zip(RUN_FILES, (text, page), strict=True))
