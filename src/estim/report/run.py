"""``estim run``: every stage on one program; a terminal summary, results.json, report.html."""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import asdict
from pathlib import Path
from typing import Any

from estim.outputs import safe_output
from estim.program.bundled import resolve_program
from estim.simulate import Result, simulate

__all__ = ["result_to_dict", "run_command"]


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_") or "program"


def result_to_dict(result: Result) -> dict[str, Any]:
    """Results as JSON-able data (SI units, named in the keys)."""
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
            "metrics": {f"{k}_{_metric_unit(k, unit)}": v for k, v in asdict(m).items()},
        })
    out: dict[str, Any] = {
        "program": {"name": p.name, "description": p.description, "source": p.source,
                    "expected_verdict": p.expected_verdict.value if p.expected_verdict
                    else None},
        "channels": channels,
    }
    out["safety"] = result.safety.to_dict()
    if result.effects is not None:
        out["effects"] = result.effects.to_dict()
    return out


def _metric_unit(name: str, unit: str) -> str:
    if name in ("duty", "charge_imbalance"):
        return "fraction"
    if "charge" in name:
        return "C" if unit == "A" else "V_s"
    if name == "pulses_per_s":
        return "per_s"
    return unit


def _fresh_dir(base: Path) -> Path:
    """``base``, or ``base-2``, ``base-3``... whichever does not exist yet: a default output
    folder never overwrites an earlier run (an explicit ``-o`` with ``--force`` does)."""
    candidate, k = base, 1
    while candidate.exists():
        k += 1
        candidate = base.with_name(f"{base.name}-{k}")
    return candidate


def _simulate_with_progress(program: Any, console: Any) -> Result:
    """simulate() with a spinner and elapsed time per stage (stderr when --json)."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=console, transient=False) as bar:
        current: list[Any] = []

        def step(message: str) -> None:
            if current:
                bar.update(current[-1], completed=1, total=1)
            current.append(bar.add_task(message, total=None))

        result = simulate(program, progress=step)
        if current:
            bar.update(current[-1], completed=1, total=1)
    return result


def run_command(args: argparse.Namespace) -> int:
    """Run every stage, write the results and print a summary."""
    from rich.console import Console

    from estim.report.html import render_html
    from estim.report.terminal import render_summary

    program, path = resolve_program(args.program)
    outdir = Path(args.output) if args.output else _fresh_dir(Path("estim-out") / _slug(path.stem))
    if outdir.exists() and not outdir.is_dir():
        from estim.errors import InputError

        raise InputError("--output", str(outdir), "a directory")
    results_path = outdir / "results.json"
    html_path = outdir / "report.html"
    outdir.mkdir(parents=True, exist_ok=True)
    for target in (results_path, html_path):
        safe_output(target, force=args.force, inputs=(path,))
    console = Console(stderr=args.json)
    result = _simulate_with_progress(program, console)
    data = result_to_dict(result)
    # Everything is rendered before anything is written: no half-written result folder.
    text = json.dumps(data, indent=2, allow_nan=False)
    page = render_html(result, data)
    results_path.write_text(text, encoding="utf-8")
    html_path.write_text(page, encoding="utf-8")
    if args.json:
        print(text)
    else:
        render_summary(result, console)
        console.print(f"\nwrote {results_path} and {html_path}")
    verdict = data.get("safety", {}).get("verdict")
    return 1 if verdict == "fail" else 0
