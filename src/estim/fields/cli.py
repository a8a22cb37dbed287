"""``estim field PROGRAM -o DIR``: cross-section images, depth profiles and numbers as JSON.

Writes into DIR:

* ``cross_section.png``: per channel the potential and |E| at the programmed current; for
  two channels also the interferential envelope (max over directions) and its modulation
  depth;
* ``depth_profiles.png``: φ and |E| along the inward normal under each electrode;
* ``fields.json``: resistances, mesh size, timings, the depth profiles.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import IO, Any

import numpy as np
from numpy.typing import NDArray

from estim.errors import EstimError, InputError
from estim.fields.electrodes import Boundary, Electrode
from estim.fields.interference import envelope_max, modulation_depth, premodulated_envelope
from estim.fields.program import ProgramFields, fields_for_program
from estim.fields.sites import Site

__all__ = ["register", "run"]

_GRID = 121  # cross-section points per side
_PROFILE_POINTS = 80


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``field`` subcommand to an argparse ``subparsers`` object."""
    p = subparsers.add_parser(
        "field", help="tissue potential and field of a program (FEM)",
        description="Solve the volume conductor of a program's site and electrodes; write a "
                    "cross-section image, depth profiles and the numbers as JSON.")
    p.add_argument("program", help="program file (TOML), or the name of a bundled example")
    p.add_argument("-o", "--output", type=Path, default=Path("estim-field"),
                   help="output directory (created)")
    p.add_argument("--no-cache", action="store_true", help="do not read or write the cache")
    p.add_argument("--force", action="store_true", help="overwrite existing output files")
    p.add_argument("--boundary", choices=("floating", "uniform"), default="floating",
                   help="electrode model: equipotential pads (physical) or uniform current")
    p.add_argument("--mesh-scale", type=float, default=1.0, metavar="F",
                   help="scale all mesh sizes by F (>1: quicker, coarser preview)")
    p.add_argument("--method", choices=("fem", "analytic"), default="fem",
                   help="fem (any site, 1 %%) or analytic (planar sites, uniform pads, fast)")
    p.add_argument("--json", action="store_true",
                   help="machine-readable summary on stdout (files written, key figures)")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``estim field``; 0 on success, 2 on bad input."""
    import io

    from estim.outputs import check_output_dir, write_output_dir
    from estim.program.bundled import resolve_program
    from estim.report.terminal import terminal_text

    out = Path(args.output)
    names = ("cross_section.png", "depth_profiles.png", "fields.json")
    try:
        if not 0.2 <= args.mesh_scale <= 5.0:  # also refuses NaN
            raise InputError("--mesh-scale", args.mesh_scale, "a factor between 0.2 and 5")
        program, source = resolve_program(args.program)
        check_output_dir(out, force=args.force, names=names, inputs=(source,))
        boundary: Boundary = "uniform" if args.method == "analytic" else args.boundary
        pf = fields_for_program(program, cache=not args.no_cache, boundary=boundary,
                                mesh_scale=args.mesh_scale, method=args.method, progress=_say)
    except EstimError as exc:
        print(f"estim field: error: {terminal_text(exc, markup=False)}", file=sys.stderr)
        return 2
    # everything is rendered in memory, then the folder is written whole (or not at all)
    section_png, profiles_png = io.BytesIO(), io.BytesIO()
    plane = section_plane(pf.site, pf.solution.electrodes)
    section = _cross_section(pf, plane, section_png)
    profiles = _depth_profiles(pf, profiles_png)
    numbers = {"program": str(args.program), **pf.metadata(), "cross_section": section,
               "depth_profiles": profiles}
    text = json.dumps(numbers, indent=1, default=_jsonable)
    try:
        out = write_output_dir(out, dict(zip(names, (section_png.getvalue(),
                                                     profiles_png.getvalue(), text),
                                             strict=True)), force=args.force)
    except EstimError as exc:
        print(f"estim field: error: {terminal_text(exc, markup=False)}", file=sys.stderr)
        return 2
    files = [str(out / n) for n in names]
    if getattr(args, "json", False):
        meta = pf.metadata()
        summary = {
            "program": program.name, "method": meta["method"], "boundary": meta["boundary"],
            "n_dofs": meta["n_dofs"], "seconds": meta["seconds"], "cache_hit": meta["cache_hit"],
            "channels": [{"name": c.name, "tissue_resistance_ohm": c.resistance,
                          "current_A": pf.currents[c.name]} for c in pf.channels],
            "cross_section": section, "files": files}
        print(json.dumps(summary, indent=2, default=_jsonable, allow_nan=False))
        return 0
    for c in pf.channels:
        print(f"channel {terminal_text(c.name, markup=False)}: tissue resistance "
              f"{c.resistance:.1f} ohm (field solution, ideal contact), "
              f"{pf.currents[c.name] * 1e3:.3g} mA")
    print(f"wrote {terminal_text(out, markup=False)}/cross_section.png, depth_profiles.png, "
          "fields.json")
    return 0


def _say(message: str) -> None:
    from estim.report.terminal import terminal_text

    print(f"estim field: {terminal_text(message, markup=False)}", file=sys.stderr)


def _jsonable(x: Any) -> Any:
    if isinstance(x, np.ndarray):
        return [None if not np.isfinite(v) else float(v) for v in x.ravel()]
    if isinstance(x, np.floating | np.integer):
        return x.item()
    raise TypeError(type(x))


def section_plane(site: Site, electrodes: tuple[Electrode, ...]
                  ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64],
                             tuple[float, float, float, float]]:
    """(origin, u, v, (u0, u1, v0, v1)): a plane through the electrodes, extents in m."""
    if site.kind == "brain":
        return (np.zeros(3), np.array([1.0, 0, 0]), np.array([0, 0, 1.0]),
                (-0.01, 0.01, -0.004, 0.016))
    pos = np.array([e.position for e in electrodes])
    if site.kind == "planar":
        d = pos[-1] - pos[0]
        u = d / np.linalg.norm(d) if np.linalg.norm(d) > 0 else np.array([1.0, 0, 0])
        origin = np.array([*(pos.mean(axis=0)[:2]), 0.0])
        half = 0.5 * min(site.width, site.length)
        return origin, u, np.array([0, 0, 1.0]), (-half, half, -min(site.depth, half), 0.0)
    # limb: longitudinal plane through the axis and the first electrode, unless the
    # electrodes sit around one level (then the transverse plane there)
    zspan = float(np.ptp(pos[:, 2]))
    r = max(site.radius_x, site.radius_y)
    if zspan > 0.5 * r:
        ang = math.atan2(pos[0, 1], pos[0, 0])
        u = np.array([math.cos(ang), math.sin(ang), 0.0])
        return np.zeros(3), u, np.array([0, 0, 1.0]), (-r, r, -site.length / 2, site.length / 2)
    origin = np.array([0.0, 0.0, float(pos[:, 2].mean())])
    return origin, np.array([1.0, 0, 0]), np.array([0, 1.0, 0]), (-r, r, -r, r)


def _grid(plane: Any) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    origin, u, v, (u0, u1, v0, v1) = plane
    su, sv = np.linspace(u0, u1, _GRID), np.linspace(v0, v1, _GRID)
    U, V = np.meshgrid(su, sv)
    pts = origin + U[..., None] * u + V[..., None] * v
    return U, V, pts.reshape(-1, 3)


def _cross_section(pf: ProgramFields, plane: Any, path: Path | IO[bytes]
                   ) -> dict[str, Any]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    U, _, pts = _grid(plane)
    chans = pf.channels
    both = [c.potential_and_field(pts) for c in chans]
    fields = [e * pf.currents[c.name] for c, (_, e) in zip(chans, both, strict=True)]
    panels: list[tuple[str, NDArray[np.float64], str]] = []
    for c, e, (v, _) in zip(chans, fields, both, strict=True):
        panels.append((f"{c.name}: potential (V)", v * pf.currents[c.name], "RdBu_r"))
        panels.append((f"{c.name}: |E| (V/m)", np.linalg.norm(e, axis=1), "viridis"))
    summary: dict[str, Any] = {"plane_origin_m": plane[0].tolist(), "u": plane[1].tolist(),
                               "v": plane[2].tolist(), "extent_m": list(plane[3])}
    if len(chans) == 2:
        env = envelope_max(fields[0], fields[1])
        depth = modulation_depth(fields[0], fields[1])
        inside = np.isfinite(env)
        pre = premodulated_envelope(fields[0])
        panels.append(("true interferential: envelope, max over directions (V/m)", env,
                       "magma"))
        panels.append(("true interferential: modulation depth", depth, "cividis"))
        panels.append((f"premodulated through {chans[0].name} alone: envelope (V/m)", pre,
                       "magma"))
        summary["max_premodulated_envelope_V_per_m"] = (float(np.nanmax(pre)) if inside.any()
                                                         else None)
        summary["max_envelope_V_per_m"] = float(np.nanmax(env)) if inside.any() else None
        summary["mean_modulation_depth"] = float(np.nanmean(depth)) if inside.any() else None
    n = len(panels)
    cols = 2
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.5 * cols, 4.2 * rows), squeeze=False)
    ext = [x * 1e3 for x in plane[3]]  # [m -> mm]
    for ax, (title, data, cmap) in zip(axes.ravel(), panels, strict=False):
        img = data.reshape(U.shape)
        finite = img[np.isfinite(img)]
        vmax = float(np.percentile(finite, 99)) if finite.size else 1.0
        kw = {"vmin": 0.0, "vmax": vmax} if "potential" not in title else {}
        im = ax.imshow(img, origin="lower", extent=ext, cmap=cmap, aspect="equal", **kw)
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("u (mm)")
        ax.set_ylabel("v (mm)")
        fig.colorbar(im, ax=ax, shrink=0.8)
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    fig.suptitle(f"{pf.site.name}: cross-section at the programmed currents", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110, format="png")
    plt.close(fig)
    return summary


def _profile_points(site: Site, e: Electrode) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Depths (m) and points along the inward normal under electrode ``e``."""
    if e.shape == "case":
        return np.zeros(0), np.zeros((0, 3))
    if e.shape == "lead_contact":
        depth = np.linspace(0.05e-3, 10e-3, _PROFILE_POINTS)
        start = np.array(e.position) + np.array([e.width / 2, 0, 0])
        return depth, start + depth[:, None] * np.array([1.0, 0, 0])
    n = -np.asarray(e.normal)
    full = site.depth if site.kind == "planar" else min(site.radius_x, site.radius_y)
    depth = np.linspace(0.0, 0.999 * full, _PROFILE_POINTS)
    depth[0] = 1e-5  # just inside the skin
    return depth, np.asarray(e.position) + depth[:, None] * n


def _depth_profiles(pf: ProgramFields, path: Path | IO[bytes]) -> list[dict[str, Any]]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = []
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4))
    for c in pf.channels:
        amp = pf.currents[c.name]
        for role, e in (("anode", c.anode), ("cathode", c.cathode)):
            depth, pts = _profile_points(pf.site, e)
            if depth.size == 0:
                continue
            v, e_field = c.potential_and_field(pts)
            phi = v * amp
            emag = np.linalg.norm(e_field, axis=1) * amp
            label = f"{c.name} {role} ({e.name})"
            a1.plot(depth * 1e3, phi, label=label)  # [m -> mm]
            a2.plot(depth * 1e3, emag, label=label)
            out.append({"channel": c.name, "electrode": role, "placement": e.name,
                        "depth_m": depth, "potential_V": phi, "field_V_per_m": emag})
    a1.set_xlabel("depth (mm)")
    a1.set_ylabel("potential (V, rel. to cathode)")
    a2.set_xlabel("depth (mm)")
    a2.set_ylabel("|E| (V/m)")
    a2.set_yscale("log")
    a1.legend(fontsize=7)
    fig.suptitle(f"{pf.site.name}: depth profiles under each electrode", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110, format="png")
    plt.close(fig)
    return out
