"""``estim run``: every stage on one program; a terminal summary, results.json, report.html."""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import asdict
from pathlib import Path
from typing import Any

from estim.outputs import check_output_dir, fresh_dir, write_output_dir
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


def _simulate_with_progress(program: Any, console: Any) -> Result:
    """simulate() with a spinner and elapsed time per stage (stderr when --json)."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from estim.report.terminal import terminal_text

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=console, transient=False) as bar:
        current: list[Any] = []

        def step(message: str) -> None:
            if current:
                bar.update(current[-1], completed=1, total=1)
            # the description is Rich markup, and a message may quote a channel name
            current.append(bar.add_task(terminal_text(message), total=None))

        result = simulate(program, progress=step)
        if current:
            bar.update(current[-1], completed=1, total=1)
    return result


def run_command(args: argparse.Namespace) -> int:
    """Run every stage, write the results and print a summary."""
    from estim.report.html import render_html
    from estim.report.terminal import console as make_console
    from estim.report.terminal import render_brief, render_summary, terminal_text

    program, path = resolve_program(args.program)
    # the default folder is a new one each time; an explicit -o must be new, or --force
    fresh = not args.output
    base = Path(args.output) if args.output else Path("estim-out") / _slug(path.stem)
    outdir = fresh_dir(base) if fresh else base
    names = ("results.json", "report.html")
    check_output_dir(outdir, force=args.force, names=names, inputs=(path,))
    console = make_console(stderr=args.json)
    # progress on stderr, and only where someone watches it (not in a pipe or a log file)
    status = make_console(stderr=True)
    result = (_simulate_with_progress(program, status) if status.is_terminal
              else simulate(program))
    data = result_to_dict(result)
    # Everything is rendered before anything is written, and the folder appears whole: bad
    # input creates nothing, and a run that finds the folder taken meanwhile writes nothing.
    text = json.dumps(data, indent=2, allow_nan=False)
    page = render_html(result, data)
    outdir = write_output_dir(base, dict(zip(names, (text, page), strict=True)),
                              force=args.force, fresh=fresh)
    results_path, html_path = (outdir / n for n in names)
    if args.json:
        print(text)
    else:
        if getattr(args, "verbose", False):
            render_summary(result, console)
        else:
            render_brief(data, console)
        console.print(f"\nwrote {terminal_text(str(results_path))} and "
                      f"{terminal_text(str(html_path))}")
    verdict = data.get("safety", {}).get("verdict")
    return 1 if verdict == "fail" else 0
