"""DBS activation: timings, the published relations, and the OSS-DBS v2 oracle where it runs.

    .venv/bin/python benchmarks/dbs.py [--lead medtronic_3389] [--ossdbs PYTHON]

1. Timings on the bundled ``dbs_stn`` program (3 mA, 60 µs): cold (field solve and axon
   thresholds), warm (field cached, kernels compiled, thresholds searched afresh: the cost
   of a new setting) and cached; the 10-step sweep over the dial comes from the same single
   threshold search (thresholds are multiples of the pulse, so every amplitude reads them).
   Targets (issue 12): one setting under 5 s warm, a 10-step sweep under 30 s.
2. Radius against voltage for the comparison set-up of tests/integration/test_dbs_published.py
   beside Kuncel et al. 2008 and Mädler & Coenen 2012.
3. OSS-DBS v2 (GPL, an oracle only: run in its own interpreter, never imported): looked
   for at ``--ossdbs`` (default /tmp/ossdbs-venv/bin/python); the benchmark says why when
   the side-by-side run cannot be made.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.integration.test_dbs_published: the set-up and relations


def _timings() -> None:
    from estim.cache import cache_root
    from estim.effects.dbs import dbs_activation
    from estim.program import load_program
    from estim.waveforms.build import stimuli_for

    program = load_program(ROOT / "src/estim/examples/dbs_stn.toml")
    stimuli = stimuli_for(program)
    print("1. timings, dbs_stn (3 mA, 60 us, Medtronic 3389 contact 1, 77 axons)")
    runs = {}
    for label in ("cold", "warm", "cached"):
        if label == "warm":
            shutil.rmtree(cache_root() / "dbs_thresholds", ignore_errors=True)
        t0 = time.perf_counter()
        act = dbs_activation(program, stimuli, sweep_steps=10)
        runs[label] = time.perf_counter() - t0
        print(f"   {label:6s} {runs[label]:6.2f} s   volume {act.volume_m3 * 1e9:.1f} mm³, "
              f"radius {act.contacts[0].radius_m * 1e3:.2f} mm, field shortcut "
              f"{act.field_volume_m3 * 1e9:.1f} mm³ ({act.field_difference:+.0%})")
    sweep = act.sweep
    assert sweep is not None
    print(f"   one setting warm: {runs['warm']:.2f} s (target < 5 s); the 10-step sweep "
          f"({sweep.amplitudes[0] * 1e3:g}-{sweep.amplitudes[-1] * 1e3:g} mA) is in the same "
          f"call: {runs['warm']:.2f} s (target < 30 s)")
    for a, r, v in zip(sweep.amplitudes, sweep.radius_m["lead_contact_1"], sweep.volume_m3,
                       strict=True):
        print(f"     {a * 1e3:5.1f} mA  radius {r * 1e3:5.2f} mm  volume {v * 1e9:6.1f} mm³")


def _published(lead: str) -> None:
    from tests.integration.test_dbs_published import (
        kuncel_2008_radius_mm,
        maedler_2012_radius_mm,
        monopolar_90us,
    )

    from estim.effects.dbs import dbs_activation
    from estim.program import parse_program
    from estim.waveforms.build import stimuli_for

    program = parse_program(monopolar_90us(lead))
    t0 = time.perf_counter()
    act = dbs_activation(program, stimuli_for(program), sweep_steps=5)
    sweep = act.sweep
    assert sweep is not None and act.load_ohm is not None
    print(f"\n2. {lead}, monopolar, 90 us, 130 Hz, grey matter 0.2 S/m + 0.5 mm "
          f"encapsulation; impedance {act.load_ohm:.0f} Ω (field solution); "
          f"{time.perf_counter() - t0:.1f} s")
    print("    V   estim r (mm)  Kuncel 2008      Mädler 2012      0.2 V/mm shortcut")
    for v, r, rf in zip(sweep.amplitudes, sweep.radius_m["lead_contact_1"],
                        sweep.field_radius_m["lead_contact_1"], strict=True):
        k, m = kuncel_2008_radius_mm(v), maedler_2012_radius_mm(v, act.load_ohm)
        print(f"   {v:3.1f}  {r * 1e3:6.2f}       {k:5.2f} ({r * 1e3 / k - 1:+4.0%})   "
              f"{m:5.2f} ({r * 1e3 / m - 1:+4.0%})   {rf * 1e3:5.2f}")


def _ossdbs(python: str) -> None:
    print("\n3. OSS-DBS v2 oracle")
    if not Path(python).exists():
        print(f"   not run: no interpreter with the ossdbs package at {python} (install it "
              "in a separate venv: python -m venv /tmp/ossdbs-venv && /tmp/ossdbs-venv/bin/"
              "pip install ossdbs; it is GPL and never a dependency of estim)")
        return
    probe = subprocess.run([python, "-c", "import ossdbs, importlib.metadata as m; "
                            "print(m.version('ossdbs'))"], capture_output=True, text=True,
                           timeout=120, check=False)
    if probe.returncode != 0:
        print(f"   not run: {python} cannot import ossdbs ({probe.stderr.strip()[-200:]})")
        return
    print(f"   ossdbs {probe.stdout.strip()} imports at {python}, but the side-by-side run is "
          "not scripted yet: OSS-DBS v2 reads its tissue from a segmented MRI (NIfTI) and an "
          "input JSON, so the oracle needs a synthetic homogeneous grey-matter volume with "
          "the same 0.5 mm encapsulation, the Medtronic3389 lead on the z axis, contact 1 "
          "against the case at 3 mA / 60 us, and probe points on the same (r, z) grid; "
          "until then the comparison uses the published relations alone (section 2)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lead", default="medtronic_3389")
    parser.add_argument("--ossdbs", default="/tmp/ossdbs-venv/bin/python")
    parser.add_argument("--keep-cache", action="store_true",
                        help="use the user's cache (default: a fresh one, so 'cold' is cold)")
    args = parser.parse_args(argv)
    tmp = None
    if not args.keep_cache:
        tmp = tempfile.mkdtemp(prefix="estim-dbs-bench-")
        os.environ["ESTIM_CACHE_DIR"] = tmp
    try:
        _timings()
        _published(args.lead)
        _ossdbs(args.ossdbs)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
