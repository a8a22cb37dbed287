"""Wall time and peak memory of ``estim check`` on the largest programs the limits allow.

Each program runs in a fresh process (so its peak resident memory is its own), a few times;
the median wall time and the largest peak are printed. Run::

    .venv/bin/python benchmarks/check_limits.py [--runs 3]

The limits that make these the largest (issue 10): 24 h sessions, 100 kHz, 2 million pulses
per cycle, modulation periods of at most 1 h, sweeps of at most 60 s a phase and 150,000
carrier cycles. Each program runs twice: with a 100 V compliance, where nothing is clipped,
and with 30 V, where every test load above 1.5 kΩ clips the output (the clipping path, which
a hostile-user probe found taking minutes before it was bounded).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

_HEAD = '''name = "{name}"
[device]
control = "current"
max_current = "100 mA"
compliance_voltage = "{compliance}"
output_indicator = true
[site]
name = "forearm"
[[channels]]
name = "1"
anode = {{ placement = "forearm_volar_proximal", width = "5 cm", length = "5 cm" }}
cathode = {{ placement = "forearm_volar_distal", width = "5 cm", length = "5 cm" }}
[channels.stimulation]
amplitude = "20 mA"
'''

PROGRAMS: dict[str, str] = {
    "TENS 24 h at 100 kHz": ('type = "tens"\nfrequency = "100 kHz"\npulse_width = "2 us"\n'
                             'duration = "24 h"\n'),
    "modulated TENS, 1 h period at 100 Hz": (
        'type = "tens"\nmode = "modulated"\nfrequency = "100 Hz"\npulse_width = "200 us"\n'
        'amplitude_modulation = 0.3\nrate_modulation = 0.5\nwidth_modulation = 0.3\n'
        'modulation_period = "1 h"\nduration = "24 h"\n'),
    "modulated TENS, 1.98 million pulses": (
        'type = "tens"\nmode = "modulated"\nfrequency = "1.1 kHz"\npulse_width = "100 us"\n'
        'amplitude_modulation = 0.3\nwidth_modulation = 0.3\nmodulation_period = "1800 s"\n'
        'duration = "24 h"\n'),
    "NMES, 2 million pulses": (
        'type = "nmes"\nfrequency = "10 kHz"\npulse_width = "20 us"\non_time = "200 s"\n'
        'off_time = "100 s"\nramp_up = "50 s"\nramp_down = "50 s"\nduration = "24 h"\n'),
    "IFC, widest sweep (10-250 Hz, 18:0:18 at 4 kHz)": (
        'type = "interferential"\nmode = "premodulated"\ncarrier_frequency = "4 kHz"\n'
        'beat_frequency = "10 Hz"\nbeat_frequency_max = "250 Hz"\nsweep = "18:0:18"\n'
        'duration = "20 h"\n'),
}

_CHILD = """
import contextlib, io, json, resource, sys, time
from estim.cli.main import main
t0 = time.perf_counter()
with contextlib.redirect_stdout(io.StringIO()):
    rc = main(["check", sys.argv[1], "--json"])
wall = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # [KiB -> MiB]
print(json.dumps({"rc": rc, "wall_s": wall, "peak_mib": peak}))
"""


def _once(path: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", _CHILD, str(path)], capture_output=True,
                         text=True, check=True)
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per program (median)")
    args = parser.parse_args(argv)
    print(f"{'program, compliance':<50} {'exit':>4} {'median wall (s)':>16} "
          f"{'peak RSS (MiB)':>15}")
    with tempfile.TemporaryDirectory() as tmp:
        for name, body in PROGRAMS.items():
            for compliance in ("100 V", "30 V"):
                path = Path(tmp) / "program.toml"
                path.write_text(_HEAD.format(name=name, compliance=compliance) + body,
                                encoding="utf-8")
                runs = [_once(path) for _ in range(args.runs)]
                wall = statistics.median(r["wall_s"] for r in runs)
                peak = max(r["peak_mib"] for r in runs)
                label = f"{name}, {compliance}"
                print(f"{label:<50} {int(runs[0]['rc']):>4} {wall:>16.2f} {peak:>15.0f}",
                      flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
