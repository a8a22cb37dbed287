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
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
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


#: Probe points (mm; lead on the z axis, tip at 0, contact 1 centred at z = 4.25 mm), all
#: outside the 0.5 mm encapsulation (it ends at r = 1.135 mm) and on the OSS-DBS lattice.
PROBES_MM = ((1.5, 0.0, 4.25), (2.0, 0.0, 4.25), (3.0, 0.0, 4.25), (4.0, 0.0, 4.25),
             (5.0, 0.0, 4.25), (0.0, 2.0, 4.25), (2.0, 0.0, 2.25), (2.0, 0.0, 6.25))
#: The OSS-DBS field-threshold lattice: 41³ points 0.25 mm apart around contact 1 (a 10 mm
#: cube; the 0.2 V/mm region at 3 V reaches about 3 mm from the lead).
_LATTICE = {"Active": True, "Center": {"x[mm]": 0, "y[mm]": 0, "z[mm]": 4.25},
            "Shape": {"x": 41, "y": 41, "z": 41},
            "Direction": {"x[mm]": 0, "y[mm]": 0, "z[mm]": 1},
            "PointDistance[mm]": 0.25, "CollapseVTA": False, "ExportField": True}
_GREY, _ENCAP = 0.2, 0.1  # [S/m] as in the comparison set-up (test_dbs_published)
#: A homogeneous "MRI": every voxel grey matter (OSS-DBS label 1), 1 mm voxels, an 80 mm
#: cube around the lead. Written by the OSS-DBS interpreter (nibabel is in its venv).
_NIFTI = """import sys, numpy as np, nibabel as nib
aff = np.diag([1.0, 1.0, 1.0, 1.0]); aff[:3, 3] = -40.0
nib.save(nib.Nifti1Image(np.ones((81, 81, 81), dtype=np.uint8), aff), sys.argv[1])
"""


def _ossdbs_input(work: Path, volts: float) -> dict[str, object]:
    """OSS-DBS v2 input: the Medtronic3389 on the z axis (tip at 0), its contact 2 (estim's
    contact 1: OSS-DBS counts from 1) at ``volts`` against the grounded brain surface (the
    case as return), a 60 mm box of 0.2 S/m with a 0.5 mm, 0.1 S/m encapsulation layer;
    constant conductivities solved at one frequency (130 Hz), as estim's quasi-static field."""
    constant = {"permittivity": 1.0, "conductivity": _GREY}
    return {
        "BrainRegion": {"Center": {"x[mm]": 0, "y[mm]": 0, "z[mm]": 0},
                        "Dimension": {"x[mm]": 60, "y[mm]": 60, "z[mm]": 60},
                        "Shape": "Box"},
        "Electrodes": [{
            "Name": "Medtronic3389", "Rotation[Degrees]": 0,
            "Direction": {"x[mm]": 0, "y[mm]": 0, "z[mm]": 1},
            "TipPosition": {"x[mm]": 0, "y[mm]": 0, "z[mm]": 0},
            "Contacts": [{"Contact_ID": 2, "Active": True, "Voltage[V]": volts}],
            "EncapsulationLayer": {"Thickness[mm]": 0.5, "Material": "Gray matter",
                                   "DielectricModel": "Constant",
                                   "DielectricParameters": {"permittivity": 1.0,
                                                            "conductivity": _ENCAP}}}],
        "Surfaces": [{"Name": "BrainSurface", "Active": True, "Voltage[V]": 0.0}],
        "MaterialDistribution": {"MRIPath": str(work / "grey_matter.nii.gz"),
                                 "DiffusionTensorActive": False, "WMMasking": False},
        "DielectricModel": {"Type": "Constant", "CustomParameters": {
            m: constant for m in ("Gray matter", "White matter", "CSF", "Blood", "Unknown")}},
        "StimulationSignal": {"Type": "Multisine", "ListOfFrequencies": [130.0],
                              "CurrentControlled": False},
        "FEMOrder": 2,
        "ComputeImpedance": True,
        "PointModel": {"Lattice": _LATTICE},
        "ActivationThresholdVTA[V-per-m]": 200.0,
        "OutputPath": str(work / "Results"),
        "StimulationFolder": str(work),
    }


@dataclass(frozen=True)
class OssdbsRun:
    """What OSS-DBS v2 computed: run time (s), impedance (Ω), |E| at PROBES_MM (V/mm), the
    field-threshold volume (mm³) and the size of its mesh."""

    seconds: float
    impedance_ohm: float
    probes_v_per_mm: tuple[float, ...]
    vta_mm3: float
    dofs: int
    elements: int


def _run_ossdbs(python: str, volts: float) -> OssdbsRun | str:
    """Run OSS-DBS in its own interpreter; its impedance, VTA and probe fields, or why not."""
    import csv
    import json

    cli = Path(python).parent / "ossdbs"
    work = Path(tempfile.mkdtemp(prefix="estim-ossdbs-"))
    try:
        made = subprocess.run([python, "-c", _NIFTI, str(work / "grey_matter.nii.gz")],
                              capture_output=True, text=True, timeout=300, check=False)
        if made.returncode != 0:
            return f"could not write the homogeneous NIfTI ({made.stderr.strip()[-300:]})"
        (work / "input.json").write_text(json.dumps(_ossdbs_input(work, volts), indent=1))
        t0 = time.perf_counter()
        run = subprocess.run([str(cli), str(work / "input.json")], capture_output=True,
                             text=True, timeout=1800, check=False, cwd=work)
        seconds = time.perf_counter() - t0
        out = work / "Results"
        if run.returncode != 0 or not (out / "impedance.csv").exists():
            return (f"ossdbs exited {run.returncode}: "
                    f"{(run.stderr or run.stdout).strip()[-400:]}")
        with (out / "impedance.csv").open() as fh:
            impedance = float(next(csv.DictReader(fh))["real"])
        report = json.loads((out / "VCM_report.json").read_text())
        with (out / "E_field_Lattice.csv").open() as fh:
            rows = list(csv.DictReader(fh))
        probes = []
        for p in PROBES_MM:
            hit = [float(r["magnitude"]) for r in rows
                   if all(abs(float(r[k]) - v) < 1e-6
                          for k, v in zip(("x-pt", "y-pt", "z-pt"), p, strict=True))]
            probes.append(hit[0] if hit else math.nan)  # V/mm
        return OssdbsRun(seconds, impedance, tuple(probes), float(report["VTA_volume_mm3"]),
                         int(report["DOF"]), int(report["Elements"]))
    except subprocess.TimeoutExpired as err:
        return f"ossdbs did not finish in {err.timeout:.0f} s"
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _ossdbs(python: str, lead: str, volts: float = 3.0) -> None:
    print(f"\n3. OSS-DBS v2 oracle: {lead}, contact 1 at {volts:g} V against the case, grey "
          "matter 0.2 S/m + 0.5 mm encapsulation 0.1 S/m")
    if lead != "medtronic_3389":
        print(f"   not run: the side-by-side is scripted for the Medtronic 3389 only ({lead})")
        return
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
    oss = _run_ossdbs(python, volts)
    if isinstance(oss, str):
        print(f"   not run: {oss}; the comparison uses the published relations alone "
              "(section 2)")
        return

    import numpy as np
    from tests.integration.test_dbs_published import monopolar_90us

    from estim.effects.dbs import dbs_activation
    from estim.fields.program import fields_for_program
    from estim.program import parse_program
    from estim.waveforms.build import stimuli_for

    program = parse_program(monopolar_90us(lead, volts=volts))
    cold = tempfile.mkdtemp(prefix="estim-dbs-cold-")  # estim cold too: no cached field
    before = os.environ.get("ESTIM_CACHE_DIR")
    os.environ["ESTIM_CACHE_DIR"] = cold
    try:
        t0 = time.perf_counter()
        pf = fields_for_program(program)
        t_field = time.perf_counter() - t0
        act = dbs_activation(program, stimuli_for(program), sweep_steps=0)
        t_all = time.perf_counter() - t0
    finally:
        shutil.rmtree(cold, ignore_errors=True)
        if before is None:
            os.environ.pop("ESTIM_CACHE_DIR", None)
        else:
            os.environ["ESTIM_CACHE_DIR"] = before
    current = act.current_a
    e = np.linalg.norm(pf.channels[0].field(np.array(PROBES_MM) * 1e-3), axis=1)  # [mm -> m]
    e_estim = e * current / 1e3  # [V/m per A -> V/mm at the programmed current]
    # like for like: OSS-DBS's input marks contact 2 active and leaves the others at its
    # default, not floating; estim's default floats them (docs/dbs.md)
    from estim.fields.program import program_channels
    from estim.fields.solve import solve_fields

    site, channels = program_channels(program)
    bare = solve_fields(site, channels, cache=False, idle_contacts_float=False).channels[0]
    e_bare = np.linalg.norm(bare.field(np.array(PROBES_MM) * 1e-3), axis=1) \
        * volts / bare.resistance / 1e3
    print(f"   ossdbs {probe.stdout.strip()}: {oss.elements:,} tetrahedra, "
          f"{oss.dofs:,} unknowns (order 2)")
    print("   probe (x, y, z) mm     |E| estim, idle contacts floating / insulation    "
          "OSS-DBS (V/mm)")
    for p, a, c, b in zip(PROBES_MM, e_estim, e_bare, oss.probes_v_per_mm, strict=True):
        print(f"   ({p[0]:3.1f}, {p[1]:3.1f}, {p[2]:4.2f})   {a:8.3f} ({a / b - 1:+.1%})"
              f"   {c:8.3f} ({c / b - 1:+.1%})    {b:8.3f}")
    z_oss = oss.impedance_ohm
    print(f"   impedance (tissue and encapsulation)   estim {act.field_impedance_ohm:6.0f} Ω "
          f"({act.field_impedance_ohm / z_oss - 1:+.1%}) / {bare.resistance:6.0f} Ω "
          f"({bare.resistance / z_oss - 1:+.1%})   OSS-DBS {z_oss:6.0f} Ω")
    vta = oss.vta_mm3
    # OSS-DBS's lattice counts the encapsulation the region encloses, as estim's volume
    # did until 7 December 2026: compared with it in, like for like
    field_mm3 = act.map.field_volume_m3(current, act.field_threshold_v_per_m,
                                        with_encapsulation=True) * 1e9  # [m³ -> mm³]
    print(f"   0.2 V/mm field-threshold volume, encapsulation in  estim {field_mm3:6.1f} mm³ "
          f"  OSS-DBS {vta:6.1f} mm³ ({field_mm3 / vta - 1:+.1%})")
    print(f"   axon-model volume (estim only; OSS-DBS's pathway model needs NEURON) "
          f"{act.volume_m3 * 1e9:.1f} mm³")
    print(f"   run time: estim field {t_field:.1f} s, field and axon thresholds {t_all:.1f} s; "
          f"OSS-DBS {oss.seconds:.1f} s (mesh, solve, lattice); both cold")


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
        _ossdbs(args.ossdbs, args.lead)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
