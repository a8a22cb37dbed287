"""Forearm two-patch benchmark: DOFs, time, peak memory and error against fields.json.

    .venv/bin/python benchmarks/fields.py [--repeats 3] [--study]

Each repeat solves the reference case with an empty cache (cold: mesh + solve + probe),
then again with the cache it just filled (hot). Medians are printed. ``--study`` adds a
mesh-refinement table with the observed convergence rate of the resistance.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from estim.fields import Channel, MeshSettings, place_electrode, site_from_spec, solve_fields

REFERENCE = Path(__file__).resolve().parents[1].parent / "shared" / "reference" / "fields.json"
PROBE = np.array([[0.030, 0.0, 0.050]])


def case() -> tuple[object, Channel]:
    site = site_from_spec("forearm", {"muscle_conductivity": "0.35 S/m"})
    an = place_electrode(site, "forearm_volar_proximal", length=0.05, width=0.05)
    ca = place_electrode(site, "forearm_volar_distal", length=0.05, width=0.05)
    return site, Channel(an, ca)


def measure(settings: MeshSettings | None, cache: Path | bool) -> dict[str, float]:
    site, ch = case()
    t0 = time.perf_counter()
    sol = solve_fields(site, [ch], settings=settings, cache=cache)  # type: ignore[arg-type]
    c = sol.channels[0]
    v = float(c.potential(PROBE)[0])
    e = float(np.linalg.norm(c.field(PROBE)[0])) * 1e-3  # [V/m per A -> per mA]
    return {"seconds": time.perf_counter() - t0, "dofs": sol.n_dofs, "R": c.resistance,
            "V": v, "E": e, "hit": sol.cache_hit}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--study", action="store_true")
    args = ap.parse_args()
    conv = json.loads(REFERENCE.read_text())["forearm_two_patch"]["converged"]
    mid = {"R": np.mean(conv["resistance_ohm"]),
           "V": np.mean(conv["potential_at_probe_mV_per_mA_relative_to_cathode"]),
           "E": np.mean(conv["field_magnitude_at_probe_V_per_m_per_mA"])}
    cold, hot = [], []
    for _ in range(args.repeats):
        with tempfile.TemporaryDirectory() as d:
            cold.append(measure(None, Path(d)))
            hot.append(measure(None, Path(d)))
    assert all(not c["hit"] for c in cold) and all(h["hit"] for h in hot)
    r = cold[0]
    print(f"forearm two-patch, default MeshSettings (P2), {args.repeats} repeats")
    print(f"  DOFs                 {r['dofs']}")
    runs = ", ".join(f"{c['seconds']:.2f}" for c in cold)
    print(f"  cold, median         {statistics.median(c['seconds'] for c in cold):.2f} s "
          f"(all: {runs}; the first includes importing gmsh, scikit-fem, pyamg)")
    print(f"  cache hit, median    {statistics.median(h['seconds'] for h in hot):.3f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # [KiB -> MiB]
    print(f"  peak memory (RSS)    {peak:.0f} MiB")
    for key, name, unit in (("R", "resistance", "ohm"), ("V", "probe potential", "mV/mA"),
                            ("E", "probe |E|", "V/m per mA")):
        print(f"  {name:<20} {r[key]:.4g} {unit}  error {100 * (r[key] / mid[key] - 1):+.2f} % "
              f"against the converged midpoint {mid[key]:.4g}")
    if args.study:
        print("\nrefinement study (all sizes scaled; h_max capped by the skin-layer sagitta)")
        hs, errs = [], []
        for f in (3.0, 2.0, 1.4, 1.0, 0.7):
            m = measure(MeshSettings().scaled(f), False)
            err = abs(m["R"] / mid["R"] - 1)
            sf = MeshSettings().scaled(f)
            hs.append(min(sf.h_rim, sf.rim_fraction * 0.05))  # effective rim size, 50 mm pads
            errs.append(err)
            print(f"  h_rim {hs[-1] * 1e3:5.2f} mm  DOFs {m['dofs']:7d}  {m['seconds']:6.2f} s  "
                  f"R err {100 * err:.3f} %  V err {100 * (m['V'] / mid['V'] - 1):+.3f} %  "
                  f"|E| err {100 * (m['E'] / mid['E'] - 1):+.3f} %")
        rate = np.polyfit(np.log(hs), np.log(errs), 1)[0]
        print(f"  observed rate of the resistance error in h_rim: {rate:.2f}")


if __name__ == "__main__":
    main()
