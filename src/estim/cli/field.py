"""``estim field PROGRAM -o DIR``: the tissue field of a program.

Writes into DIR:

* ``cross_section.png``: |E| at the programmed currents on the section that shows the
  electrodes best, with the tissue layers (:func:`estim.report.figures.cross_section_figure`);
  true interferential's two channels add their envelope;
* ``depth_profiles.png``: φ and |E| along the inward normal under each electrode;
* ``fields.json``: tissue resistances, mesh size, timings, the section's numbers, the depth
  profiles.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import Any

from estim.cli.common import (
    add_amplitude,
    add_json,
    add_program,
    load,
    print_json,
    shown,
    stage_progress,
)
from estim.errors import EstimError, InputError
from estim.text import current_text, ohm_text, wrap_plain_keeping_units

__all__ = ["register", "run"]

_NAMES = ("cross_section.png", "depth_profiles.png", "fields.json")
#: What --mesh-scale accepts.
_MESH_SCALE = (0.4, 5.0)


def register(sub: Any) -> argparse.ArgumentParser:
    """Add the ``field`` subcommand to an argparse ``subparsers`` object."""
    p = sub.add_parser(
        "field", help="tissue potential and field of a program (FEM)",
        description="Solve the volume conductor of a program's site and electrodes; write a "
                    "cross-section image, depth profiles and the numbers as JSON.")
    add_program(p)
    p.add_argument("-o", "--output", default="estim-field",
                   help="output directory (created)")
    p.add_argument("--no-cache", action="store_true", help="do not read or write the cache")
    p.add_argument("--force", action="store_true", help="overwrite existing output files")
    p.add_argument("--boundary", choices=("floating", "uniform"), default=None,
                   help="electrode model: equipotential pads (physical; the default) or "
                        "uniform current (the only one with --method analytic)")
    p.add_argument("--mesh-scale", type=str, default="1", metavar="F",
                   help="scale all mesh sizes by F, from 0.4 to 5 (>1: quicker, coarser "
                        "preview; 0.4: ~15x the unknowns, ~2.5 GB and a minute)")
    p.add_argument("--method", choices=("fem", "analytic"), default="fem",
                   help="fem (any site, 1 %%) or analytic (planar sites, uniform pads, fast; "
                        "each layer isotropic at the geometric mean of its conductivities, "
                        "so in anisotropic muscle and in bone its field can be 0.4-3 x the "
                        "FEM's: docs/fields.md)")
    add_amplitude(p)
    add_json(p)
    p.set_defaults(handler=run)
    return p


def _under_cathode(profiles: Any, channel: str, site: Any) -> str:
    """|E| under the channel's cathode in the skin, at the top of the muscle and 2 cm deep,
    in words: the command printed a resistance and a current and left the field to the
    JSON (probe of 5 December 2026)."""
    import numpy as np

    prof = next((p for p in profiles if p.channel == channel and p.electrode == "cathode"),
                None)
    if prof is None or site.kind == "brain":
        return ""
    depth, field = np.asarray(prof.depth_m), np.asarray(prof.field_v_per_m)
    ok = np.isfinite(field)
    if ok.sum() < 2:
        return ""
    skin, fat = (ly.thickness for ly in site.layers[:2])
    at = [("in the skin", skin / 2), (f"at the top of the muscle ({(skin + fat) * 1e3:.3g} "
                                      "mm)", skin + fat + 5e-4)]
    # 2 cm deep where that is muscle (a patch's layers are flat; a limb's bone depth
    # varies round it, and the knee's lies within 2 cm)
    if site.kind == "planar" and len(site.layers) > 2 and \
            skin + fat < 0.02 < skin + fat + site.layers[2].thickness:
        at.append(("2 cm deep in the muscle", 0.02))
    words = [f"{float(np.interp(d, depth[ok], field[ok])):.3g} V/m {where}"
             for where, d in at if depth[ok][0] <= d <= depth[ok][-1]]
    return "|E| under the cathode " + ", ".join(words) if words else ""


def _width() -> int:
    """The terminal's width for a wrapped line, less its two-space indent."""
    return max(40, shutil.get_terminal_size().columns - 2)


def run(args: argparse.Namespace) -> int:
    """Run ``estim field``; 0 on success, 2 on bad input (one line on stderr)."""
    try:
        return _field(args)
    except EstimError as exc:
        from estim.text import one_line

        # several problems joined as every command joins them (a literal "\\n" stood
        # between them here; hostile probe of 7 December 2026)
        print(f"estim field: error: {one_line(exc)}", file=sys.stderr)
        return 2


def _field(args: argparse.Namespace) -> int:
    from estim.fields.electrodes import Boundary
    from estim.fields.program import fields_for_program
    from estim.outputs import check_output_dir, write_output_dir
    from estim.report.field_numbers import (
        beat_inward,
        beat_inward_text,
        depth_profiles,
        depth_profiles_png,
        section_summary,
    )
    from estim.report.figures import cross_section, cross_section_figure
    from estim.report.plots import figure_to_png

    out = Path(args.output)
    try:  # read here, so that "abc" gets the one-line message, not argparse's usage dump
        args.mesh_scale = float(args.mesh_scale)
    except ValueError:
        raise InputError("--mesh-scale", args.mesh_scale,
                         f"a factor between {_MESH_SCALE[0]:g} and {_MESH_SCALE[1]:g}, e.g. "
                         "0.8 (a finer mesh) or 1.5 (a coarser one)") from None
    # memory grows as the cube of 1/F: the thigh took 2.4 GB and 44 s at 0.4, 15.5 GB and
    # 9 minutes at 0.2, where a laptop runs out of memory (5 December 2026)
    if not _MESH_SCALE[0] <= args.mesh_scale <= _MESH_SCALE[1]:  # also refuses NaN
        # a reason only where it is one: 0, -1 and nan were told a finer mesh needs memory
        why = ("a coarser mesh no longer resolves the thin layers under the pads"
               if args.mesh_scale > _MESH_SCALE[1] else
               "a finer mesh needs more memory than most computers have"
               if 0 < args.mesh_scale < _MESH_SCALE[0] else "a positive factor")
        raise InputError("--mesh-scale", args.mesh_scale,
                         f"a factor between {_MESH_SCALE[0]:g} and {_MESH_SCALE[1]:g} ({why})")
    program, source = load(args)
    if all(c.stimulation.amplitude.value == 0 for c in program.channels):
        # named as the file writes it, with its unit ("channels.stimulation.amplitude: got
        # 0" named no channel; probe of 6 December 2026)
        first = program.channels[0].stimulation.amplitude
        field = ("--amplitude" if args.amplitude is not None else
                 "channels[0].stimulation.amplitude" if len(program.channels) == 1 else
                 "channels[*].stimulation.amplitude")
        raise InputError(field, args.amplitude if args.amplitude is not None else
                         f"0 {first.unit}", "an amplitude above 0: at 0 there is no field "
                         "to draw" + ("" if len(program.channels) == 1 else
                                      " (every channel is at 0)"))
    check_output_dir(out, force=args.force, names=_NAMES, inputs=(source,))
    if args.method == "analytic" and args.boundary == "floating":
        # it ran with uniform pads without a word (probe of 5 December 2026)
        raise InputError("--boundary", "floating", "uniform with --method analytic (the "
                         "layered half-space takes a uniform current under each pad; "
                         "--method fem for equipotential pads)")
    if args.method == "analytic" and args.mesh_scale != 1.0:
        # it was silently ignored (probe of 6 December 2026)
        raise InputError("--mesh-scale", args.mesh_scale, "1 with --method analytic (the "
                         "layered half-space has no mesh; --method fem to scale one)")
    boundary: Boundary = ("uniform" if args.method == "analytic"
                          else args.boundary or "floating")
    with stage_progress() as progress:
        try:
            pf = fields_for_program(program, cache=not args.no_cache, boundary=boundary,
                                    mesh_scale=args.mesh_scale, method=args.method,
                                    progress=progress)
        except InputError as err:  # the option the user typed ('method: got' before)
            if err.field != "method":
                raise
            raise InputError("--method", args.method, err.expected) from None
    # everything is rendered in memory, then the folder is written whole (or not at all)
    cut = cross_section(pf)
    section = section_summary(pf, cut)
    inward = beat_inward(pf, cut)
    if inward is not None:
        section["beat_inward"] = inward
    section_png = figure_to_png(cross_section_figure(
        pf, title=f"{program.name}: |E| at the programmed currents"))
    profiles = depth_profiles(pf)
    profiles_png = depth_profiles_png(profiles, site_name=pf.site.name, layers=[
        (layer.tissue, layer.thickness) for layer in pf.site.layers])
    numbers = {"program": program.name, "program_file": str(source),
               **pf.metadata(), "cross_section": section,
               "depth_profiles": [p.to_dict() for p in profiles]}
    text = json.dumps(numbers, indent=1, allow_nan=False)
    out = write_output_dir(out, dict(zip(_NAMES, (section_png, profiles_png, text),
                                         strict=True)), force=args.force)
    files = [str(out / n) for n in _NAMES]
    if args.json:
        meta = pf.metadata()
        print_json({
            "program": program.name, "method": meta["method"], "boundary": meta["boundary"],
            "n_dofs": meta["n_dofs"], "seconds": meta["seconds"],
            "cache_hit": meta["cache_hit"],
            "channels": [{"name": c.name, "resistance_ohm": c.resistance,
                          "current_A": pf.currents[c.name]} for c in pf.channels],
            "cross_section": section, "files": files})
        return 0
    for c in pf.channels:
        # "ideal contact" is the floating pad's (an equipotential); a uniform pad's current
        # density is given instead, and its voltage is not one number
        pads = "ideal contact" if boundary == "floating" else "uniform current under the pads"
        lead = pf.site.kind == "brain"
        ch = next(p for p in program.channels if p.name == c.name)
        amp = ch.stimulation.amplitude
        if str(getattr(amp.control, "value", amp.control)) == "voltage":
            # 150 V drove 1.07 A here and 749 mA in `estim run`, without a word of why
            # (probe of 5 December 2026)
            drive = (f"{amp.value:g} V drives {current_text(pf.currents[c.name])} through "
                     "it" + ("" if lead else " (no skin interface: `estim run` adds it, and "
                             "drives less)"))
        else:
            # a channel off read "0 µA" where estim says "0 mA" (hostile probe)
            drive = f"current {current_text(pf.currents[c.name], smallest='mA')}"
            volts = program.device.compliance_voltage
            if volts is not None and pf.currents[c.name] * c.resistance > volts:
                # the field is drawn at a current the device cannot drive (probe of
                # 5 December 2026)
                # a lead has no skin (probe of 6 December 2026)
                drive += (f", of which its {volts:g} V compliance drives at most "
                          f"{current_text(volts / c.resistance)} through this tissue"
                          + ("" if lead else " (and less with the skin interface: `estim "
                             "run`)"))
        # "1932.0 Ω" (DBS researcher's probe of 7 December 2026): as people read it
        line = (f"channel {shown(c.name)}: tissue resistance {ohm_text(c.resistance)} (field "
                f"solution, {pads}); {drive}")
        under = _under_cathode(profiles, c.name, pf.site)
        print("\n  ".join(wrap_plain_keeping_units(line + (f"; {under}" if under else ""),
                                                    _width())))
    if section.get("beat"):
        print(f"interferential beat: {section['beat']}")
    if section.get("max_envelope_V_per_m") is not None:
        # what true interferential is for, said where it is read (it was in the JSON only)
        print("\n  ".join(wrap_plain_keeping_units(
            f"interferential envelope: up to {section['max_envelope_V_per_m']:.3g} V/m in "
            f"the section, mean modulation depth {section['mean_modulation_depth']:.0%}",
            _width())))
    if inward is not None:
        # interferential is sold as strongest at depth: what the beat does on the way in
        # was in the picture alone (clinician's question, 7 December 2026)
        print("\n  ".join(wrap_plain_keeping_units(beat_inward_text(inward), _width())))
    print(f"wrote {shown(out)}/cross_section.png, depth_profiles.png, fields.json")
    return 0

