"""``estim programs``, ``estim sites``, ``estim placements SITE`` and ``estim new EXAMPLE``:
what there is to start from."""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import sys
import textwrap
from pathlib import Path
from typing import Any

from estim.cli.common import add_json, print_json, shown

__all__ = ["register"]


def register(sub: Any) -> None:
    p = sub.add_parser("programs", help="list the bundled example programs",
                       description="List the bundled example programs: each one's name, "
                                   "modality and title (with its site); any command takes "
                                   "one by name (estim run tens_burst).")
    add_json(p)
    p.set_defaults(handler=_programs)

    p = sub.add_parser("sites", help="list the anatomical sites and their tissue layers",
                       description="List the anatomical sites a program can name, with "
                                   "their kind and tissue layers (outer to inner).")
    add_json(p)
    p.set_defaults(handler=_sites)

    p = sub.add_parser("placements", help="list where electrodes can go on a site",
                       description="List the named places on a site that a program's "
                                   "anode and cathode can name (placement = \"...\"), with "
                                   "their positions; on a brain site, a DBS lead's contacts.")
    p.add_argument("site", help="a site name (estim sites lists them)")
    p.add_argument("--lead", default=None, metavar="LEAD",
                   help="on a brain site, the contacts of this DBS lead (default: the "
                        "site's; abbott_6172 has directional segments)")
    add_json(p)
    p.set_defaults(handler=_placements)

    p = sub.add_parser("new", help="copy a bundled example program to start from",
                       description="Write a bundled example program to a new file, to edit.")
    p.add_argument("example", help="a bundled example (estim programs lists them)")
    p.add_argument("-o", "--output", required=True,
                   help="program file to create (.toml), or - for standard output")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    add_json(p)
    p.set_defaults(handler=_new)


def _programs(args: argparse.Namespace) -> int:
    from estim.program import load_program
    from estim.program.bundled import bundled_examples

    rows = []
    for name, path in bundled_examples().items():
        p = load_program(path)
        kinds = sorted({c.stimulation.type for c in p.channels})
        rows.append({"name": name, "modality": "+".join(kinds), "title": p.name,
                     "expected_verdict": p.expected_verdict.value if p.expected_verdict
                     else None, "path": str(path)})
    if args.json:
        print_json(rows)
        return 0
    width = max(len(str(r["name"])) for r in rows)
    kind_width = max(len(str(r["modality"])) for r in rows)
    indent = width + 2 + kind_width + 2
    # the title wrapped under its column on a terminal: lines ran to 86 characters at 80
    # (probe); a pipe (estim programs | grep) keeps one line a program
    wrap = sys.stdout.isatty() or "COLUMNS" in os.environ
    room = max(20, shutil.get_terminal_size().columns - indent) if wrap else 10_000
    for r in rows:
        lines = textwrap.wrap(str(r["title"]), room) or [""]
        print(f"{r['name']:<{width}}  {r['modality']:<{kind_width}}  {lines[0]}")
        for more in lines[1:]:
            print(" " * indent + more)
    # what to do with a name (the list had no word on it; probe of 5 December 2026)
    print("\nestim run NAME runs one; estim new NAME -o FILE.toml copies one to edit")
    return 0


def _sites(args: argparse.Namespace) -> int:
    from estim.effects.anatomy import LIMB_MUSCLES, MUSCLES, SITE_MUSCLE, muscle_for_site
    from estim.fields.sites import SITE_NAMES, make_site, placements

    rows: list[dict[str, Any]] = []
    for name in SITE_NAMES:
        site = make_site(name)
        rows.append({
            "name": name, "kind": site.kind,
            "layers": [{"tissue": ly.tissue, "thickness_m": ly.thickness} for ly in site.layers],
            "muscle": muscle_for_site(name).name if name in SITE_MUSCLE else None,
            # on a limb, the muscle group under a pad depends on its side
            "muscles_by_side": [{"polar_angle_rad": angle, "muscle": MUSCLES[key].name}
                                for angle, key in LIMB_MUSCLES.get(name, ())],
            "placements": placements(site)})
    if args.json:
        print_json(rows)
        return 0
    for r in rows:
        layers = ", ".join(f"{ly['tissue']} {ly['thickness_m'] * 1e3:g} mm"  # [m -> mm]
                           if ly["thickness_m"] else f"{ly['tissue']} (the rest)"
                           for ly in r["layers"])
        print(f"{r['name']:<11} {r['kind']:<7} {layers}")
    # a limb's bone is its radius, its muscle the rest (probe of 5 December 2026)
    print("\nlayers from the skin inward; on a limb the bone is a radius and the muscle "
          "fills\nthe rest of the limb's semi-axes")
    print("estim placements SITE lists where electrodes can go on a site")
    return 0


def _placements(args: argparse.Namespace) -> int:
    import dataclasses

    from estim.errors import InputError
    from estim.fields.sites import make_site, placement, placements
    from estim.leads import LEAD_NAMES, get_lead

    site = make_site(args.site)
    lead = None
    if site.kind == "brain":
        # the site's default lead alone hid the directional lead's segments (2a, 2b, ...)
        lead = get_lead(args.lead if args.lead is not None else site.lead, field="--lead")
        site = dataclasses.replace(site, lead=lead.name)
    elif args.lead is not None:
        raise InputError("--lead", args.lead, "a brain site for a lead (this site is "
                         f"{site.kind}: its electrodes are pads)")
    rows: list[dict[str, Any]] = []
    for name in placements(site):
        where = placement(site, name)
        row: dict[str, Any] = {"name": name, "position_m": list(where.position),
                               "normal": list(where.normal), "axis": list(where.axis)}
        if lead is not None and name != "case":
            contact = lead.contact(name)
            row.update(lead=lead.name, facing_deg=None if contact.is_ring
                       else contact.angle_deg, arc_deg=contact.arc_deg)
        elif lead is not None:  # the IPG's case is the modelled brain's outer boundary
            row.update(position_m=None, normal=None, boundary=True)
        rows.append(row)
    if args.json:
        print_json(rows)
        return 0
    if lead is not None:
        print(f"lead: {lead.title} ({lead.name})")
    print(f"placements on {shown(args.site)} (electrode centre, mm):")
    # what the coordinates mean: a list of (x, y, z) alone did not say which way was
    # proximal (clinician's probe of 7 December 2026)
    axes = {"limb": "z along the limb, + toward the body; x, y across it from its axis",
            "planar": "x from left (-) to right (+), y from down (-) to up (+), on the skin",
            "brain": "from the lead's tip, z along the lead"}.get(site.kind)
    if lead is not None and any(not c.is_ring for c in lead.contacts):
        # "facing 0°" did not say where 0° points (the probe of 7 December 2026)
        axes = (f"{axes}; a segment faces its angle round the lead, from +x toward +y: the "
                "modelled brain is the same all round, so only the angles between "
                "segments matter")
    if site.name == "cheek":  # its left and its anterior were both at -x, unexplained
        axes = ("the left cheek seen from the front: x from the nose (-, anterior, the "
                "viewer's left) to the ear (+), y from the jaw (-) to the eye (+)")
    if axes:
        print(textwrap.fill(f"({axes})", 78, initial_indent="  ", subsequent_indent="   "))
    width = max(len(r["name"]) for r in rows) + 1  # a lead's segments fit 80 columns
    for r in rows:
        if r.get("boundary"):  # not a point: it was listed at the lead's tip, (0, 0, 0)
            print(f"  {r['name']:<{width}} the return: the brain's outer boundary, "
                  f"{site.height * 1e3:g} mm from the lead")
            continue
        x, y, z = (v * 1e3 for v in r["position_m"])  # [m -> mm]
        line = f"  {r['name']:<{width}} ({x:7.2f}, {y:7.2f}, {z:7.2f})"  # 0.01 mm: 4.25
        if r.get("arc_deg") is not None:
            line += ("  ring" if r["facing_deg"] is None
                     else f"  segment facing {r['facing_deg']:g}°, {r['arc_deg']:g}° wide")
        print(line)
    if lead is not None:
        others = [n for n in LEAD_NAMES if n != lead.name]
        print(f"\nother leads: {', '.join(others)} (estim placements {shown(args.site)} "
              "--lead NAME)")
    return 0


def _new(args: argparse.Namespace) -> int:
    from estim.errors import InputError
    from estim.outputs import safe_output, write_output_file
    from estim.program.bundled import bundled_examples

    examples = bundled_examples()
    name = args.example.removesuffix(".toml")
    if name not in examples:
        raise InputError("example", args.example,
                         "the name of a bundled example: " + ", ".join(examples))
    if args.output == "-":  # as check's -o -: the program on standard output
        if args.json:
            raise InputError("--json", "with -o -", "a file for --output (with -o - the "
                             "program itself goes to standard output)")
        sys.stdout.write(examples[name].read_text(encoding="utf-8"))
        return 0
    out = safe_output(Path(args.output), force=args.force)
    if out.suffix.lower() != ".toml":
        # "-o q.png" wrote a program file named as a picture (hostile probe of 7 December
        # 2026)
        raise InputError("--output", args.output, "a program file name ending in .toml")
    out = write_output_file(out, examples[name].read_bytes(), force=args.force)
    if args.json:
        print_json({"example": name, "files": [str(out)]})
    else:
        print(f"wrote {shown(out)} (from the bundled example {name}); "
              f"estim check {shown(shlex.quote(str(out)))} to see its output and findings")
    return 0
