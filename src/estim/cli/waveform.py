"""``estim waveform PROGRAM -o FILE.png``: each channel at pulse scale and at session scale."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from estim.cli.common import add_amplitude, add_json, add_program, load, print_json, shown

__all__ = ["register"]


def register(sub: Any) -> None:
    p = sub.add_parser("waveform", help="plot each channel at pulse and session scale",
                       description="Plot each channel's output as programmed: a few pulses "
                                   "(or carrier cycles) and the whole session.")
    add_program(p)
    p.add_argument("-o", "--output", required=True, help="PNG file to write")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    add_amplitude(p)
    add_json(p)
    p.set_defaults(handler=_waveform)


def _waveform(args: argparse.Namespace) -> int:
    from estim.errors import InputError
    from estim.outputs import safe_output, write_output_file
    from estim.report.plots import figure_to_png, plot_waveforms
    from estim.waveforms import metrics, stimuli_for

    program, path = load(args)
    out = safe_output(Path(args.output), force=args.force, inputs=(path,))
    if out.suffix.lower() != ".png":
        raise InputError("--output", str(out), "a .png file name")
    stimuli = stimuli_for(program)
    fig = plot_waveforms(stimuli, [c.name for c in program.channels], title=program.name,
                         beat=program.true_interferential)
    out = write_output_file(out, figure_to_png(fig), force=args.force)
    if args.json:
        channels = []
        for ch, stim in zip(program.channels, stimuli, strict=True):
            m = metrics(stim)
            unit = stim.unit
            channels.append({"name": ch.name, "waveform": stim.timing.shape,
                             "control": stim.control.value, f"peak_{unit}": m.peak,
                             f"rms_max_1s_{unit}": m.rms_max_1s,
                             # 12 figures: a sum of sweep steps read 1200.0000000000005
                             "session_s": float(f"{stim.duration_s:.12g}")})
        print_json({"program": program.name, "channels": channels, "files": [str(out)]})
    else:
        print(f"wrote {shown(out)}")
    return 0
