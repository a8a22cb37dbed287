"""gmsh geometry and meshing of a site with its electrodes (second-order tetrahedra).

Electrode footprints are imprinted on the site surface (OpenCASCADE fragment), so element
faces follow the electrode rims exactly, and the mesh is graded towards the rims where the
current density is singular. gmsh is initialised inside :func:`build_mesh` and finalised
before it returns: nothing happens at import.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from estim.errors import MeshError
from estim.fields.electrodes import Electrode
from estim.fields.sites import Site
from estim.leads import DEFAULT_LEAD, get_lead

__all__ = ["MeshData", "MeshSettings", "build_mesh", "max_size"]


@dataclass(frozen=True, slots=True)
class MeshSettings:
    """Mesh sizes (m). ``h_rim`` at electrode rims, growing to ``h_electrode`` over the pads
    and to ``h_max`` at ``grading`` from the rims. Defaults reach 1 % on the forearm case
    with second-order elements."""

    h_max: float = 0.012
    h_electrode: float = 0.004
    h_rim: float = 0.0015
    grading: float = 0.03
    h_layer: float | None = None  # cap in thin layers (skin/fat); None: h_max
    order: int = 2
    growth: float | None = None  # if set: h = h_rim + growth * distance (geometric grading)
    # small pads: rim / pad sizes at most these fractions of the pad's smallest dimension,
    # so that a 1 cm microcurrent pad is resolved as well as a 5 cm TENS pad
    rim_fraction: float = 0.02
    pad_fraction: float = 0.06

    def scaled(self, factor: float) -> MeshSettings:
        """All sizes times ``factor`` (refinement studies)."""
        return replace(self, h_max=self.h_max * factor, h_electrode=self.h_electrode * factor,
                       h_rim=self.h_rim * factor, rim_fraction=self.rim_fraction * factor,
                       pad_fraction=self.pad_fraction * factor,
                       h_layer=None if self.h_layer is None else self.h_layer * factor)

    @classmethod
    def for_site(cls, site: Site) -> MeshSettings:
        if site.kind == "brain":
            # sizes grow geometrically (0.25 x distance) away from the contacts; the contact
            # resistance is then within ~1 % of the refinement limit (docs/fields.md)
            return cls(h_max=0.003, h_electrode=0.0003, h_rim=0.000125, grading=0.015,
                       growth=0.25)
        scale = max(site.width, site.length) / 0.2
        if site.kind == "planar":
            # geometric grading: small pads (microcurrent) stay cheap
            return cls(h_max=0.012 * scale, growth=0.3)
        return cls()


@dataclass(frozen=True, slots=True, eq=False)
class MeshData:
    """A quadratic tetrahedral mesh in plain arrays.

    :param points: (3, n) node coordinates (m), vertices and edge nodes.
    :param tets: (10, m) node indices in scikit-fem's P2 order.
    :param tissue: (m,) index into ``tissues`` per element.
    :param electrode_tris: per electrode, (3, k) vertex indices of its boundary triangles.
    """

    points: NDArray[np.float64]
    tets: NDArray[np.int64]
    tissue: NDArray[np.int64]
    tissues: tuple[str, ...]
    electrode_tris: tuple[NDArray[np.int64], ...]


def _layer_boundaries(site: Site) -> list[float]:
    """Cumulative depths of the layer tops (m), outer to inner."""
    out, d = [], 0.0
    for ly in site.layers:
        out.append(d)
        d += ly.thickness
    return out


def _limb_volumes(occ, site: Site) -> list[int]:
    vols = []
    for depth in _layer_boundaries(site):
        a, b = site.radius_x - depth, site.radius_y - depth
        z0 = -site.length / 2
        if math.isclose(a, b):
            tag = occ.addCylinder(0, 0, z0, 0, 0, site.length, a)
            # put the seam on the back (-x), away from volar electrodes
            occ.rotate([(3, tag)], 0, 0, 0, 0, 0, 1, math.pi)
        else:
            disk = occ.addDisk(0, 0, z0, max(a, b), min(a, b))
            if b > a:
                occ.rotate([(2, disk)], 0, 0, 0, 0, 0, 1, math.pi / 2)
            ex = occ.extrude([(2, disk)], 0, 0, site.length)
            tag = next(t for d, t in ex if d == 3)
        vols.append(tag)
    return vols


def _ellipse_param(a: float, b: float, theta: float) -> float:
    """Parametric angle of the ellipse point at polar angle ``theta``."""
    return math.atan2(a * math.sin(theta), b * math.cos(theta))


def _arc_span(a: float, b: float, t0: float, arc: float) -> tuple[float, float]:
    """Parametric angles (t1, t2) around t0 spanning arc length ``arc`` on the ellipse."""
    ts = np.linspace(t0 - math.pi, t0 + math.pi, 4001)
    ds = np.hypot(a * np.sin(ts), b * np.cos(ts))
    s = np.concatenate(([0.0], np.cumsum((ds[1:] + ds[:-1]) / 2 * np.diff(ts))))
    s0 = float(np.interp(t0, ts, s))
    return float(np.interp(s0 - arc / 2, s, ts)), float(np.interp(s0 + arc / 2, s, ts))


def _limb_electrode(occ, site: Site, e: Electrode, outer: int) -> list[tuple[int, int]]:
    a, b = site.radius_x, site.radius_y
    x, y, z = e.position
    if e.shape == "rectangular" and abs(e.axis[2]) > 0.999:
        t0 = _ellipse_param(a, b, math.atan2(y, x))
        t1, t2 = _arc_span(a, b, t0, e.width)
        z0 = z - e.length / 2
        if math.isclose(a, b):
            arc = occ.addCircle(0, 0, z0, a, -1, t1, t2)
        elif a > b:  # OCC ellipses have their major axis on x; points (a cos t, b sin t)
            arc = occ.addEllipse(0, 0, z0, a, b, -1, t1, t2)
        else:  # major axis on y: build it on x, rotate by 90°; (b cos t', a sin t') -> ...
            arc = occ.addEllipse(0, 0, z0, b, a, -1, t1 - math.pi / 2, t2 - math.pi / 2)
            occ.rotate([(1, arc)], 0, 0, 0, 0, 0, 1, math.pi / 2)
        ex = occ.extrude([(1, arc)], 0, 0, e.length)
        return [(d, t) for d, t in ex if d == 2]
    # circular (or rotated) pads: the outer surface cut by a prism along the normal
    n = np.asarray(e.normal)
    r = e.width / 2
    depth = 0.02
    if e.shape == "circular":
        tool = occ.addCylinder(x - n[0] * depth, y - n[1] * depth, z, *(2 * depth * n), r)
    else:
        raise NotImplementedError("rectangular limb electrodes must run along the limb axis")
    skin_faces = [t for d, t in occ.getEntities(2)
                  if d == 2 and _is_lateral(occ, t, site)]
    out, _ = occ.intersect([(2, f) for f in skin_faces], [(3, tool)], removeObject=False)
    return [(d, t) for d, t in out if d == 2]


def _is_lateral(occ, tag: int, site: Site) -> bool:
    _, _, zmin, xmax, ymax, zmax = occ.getBoundingBox(2, tag)
    return (zmax - zmin > 0.99 * site.length
            and xmax > 0.99 * site.radius_x and ymax > 0.99 * site.radius_y)


def _planar_volumes(occ, site: Site) -> list[int]:
    w, ln, depth = site.width, site.length, site.depth
    return [occ.addBox(-w / 2, -ln / 2, -depth, w, ln, depth - d)
            for d in _layer_boundaries(site)]


def _planar_electrode(occ, e: Electrode) -> list[tuple[int, int]]:
    x, y, _ = e.position
    if e.shape == "circular":
        return [(2, occ.addDisk(x, y, 0, e.width / 2, e.width / 2))]
    # rectangle: length along the placement axis
    s = occ.addRectangle(x - e.width / 2, y - e.length / 2, 0, e.width, e.length)
    ang = math.atan2(e.axis[1], e.axis[0]) - math.pi / 2
    if abs(ang) > 1e-12:
        occ.rotate([(2, s)], x, y, 0, 0, 0, 1, ang)
    return [(2, s)]


def _brain_geometry(occ, site: Site, electrodes: tuple[Electrode, ...]):
    """The site's lead (its own diameter) on the z axis, tip at 0, inside its encapsulation;
    each contact a band on the lead's surface: a full ring, or a segment's arc
    (``arc_deg``) centred on the direction its ``normal`` faces."""
    rl = get_lead(site.lead or DEFAULT_LEAD).diameter_m / 2
    enc = site.layers[0].thickness
    R, L = site.height, site.length
    dom = occ.addCylinder(0, 0, -L / 2, 0, 0, L, R)
    cap = occ.addCylinder(0, 0, -enc, 0, 0, L / 2 + enc, rl + enc)
    body = occ.addCylinder(0, 0, 0, 0, 0, L / 2, rl)
    cut, _ = occ.cut([(3, dom), (3, cap)], [(3, body)])
    bands = []
    for e in electrodes:
        if e.shape == "lead_contact":
            z0 = e.position[2] - e.length / 2
            if e.arc_deg >= 360.0:
                c = occ.addCircle(0, 0, z0, rl)
            else:  # an arc from 0 to arc_deg, turned to face the segment's normal
                arc = math.radians(e.arc_deg)
                c = occ.addCircle(0, 0, z0, rl, angle1=0.0, angle2=arc)
                facing = math.atan2(e.normal[1], e.normal[0])
                occ.rotate([(1, c)], 0, 0, 0, 0, 0, 1, facing - arc / 2)
            ex = occ.extrude([(1, c)], 0, 0, e.length)
            bands.append([(d, t) for d, t in ex if d == 2])
        else:
            bands.append([])
    return cut, bands


def _width(occ, tag: int) -> float:
    """A solid's extent along x (m), from the geometry kernel (before synchronising)."""
    xmin, _, _, xmax, _, _ = occ.getBoundingBox(3, tag)
    return float(xmax - xmin)


#: The signals whose disposition ``gmsh.initialize`` may reset, each put back as it was.
_KEPT_SIGNALS = ("SIGPIPE", "SIGTERM", "SIGINT", "SIGHUP", "SIGSEGV", "SIGFPE", "SIGBUS",
                 "SIGILL", "SIGABRT")


@contextmanager
def signals_kept() -> Iterator[None]:
    """Every signal's disposition (:data:`_KEPT_SIGNALS`) as it was before the block, put
    back after it, process-wide: ``gmsh.initialize`` sets them to its own or the default
    action. After a mesh, a write to a pipe whose reader had gone killed the process (SIGPIPE;
    ``estim serve`` died when a browser page closed mid-response) instead of raising
    BrokenPipeError, and SIGTERM killed ``estim serve`` without its clean shut-down, the
    journal's writes left in SQLite's log (hostile probe of 7 December 2026) and ``estim
    run`` without its exit code 143.

    Through the C library's ``sigaction``, which works from any thread (``signal.signal``
    only from the main one: meshes are built on worker threads); each disposition is kept
    whole (handler, mask and flags) in a buffer wider than any libc's ``struct sigaction``,
    never read. Where there is no ``sigaction`` (Windows) nothing is kept. A handler that
    another thread installs while gmsh starts is replaced by the one from before: estim's
    commands and ``estim serve`` install theirs before any mesh is built."""
    import ctypes
    import signal

    kept: list[tuple[int, ctypes.Array[ctypes.c_char]]] = []
    try:
        libc = ctypes.CDLL(None)
        sigaction = libc.sigaction
    except (OSError, AttributeError, TypeError):
        sigaction = None
    if sigaction is not None:
        sigaction.restype = ctypes.c_int
        sigaction.argtypes = (ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)
        for name in _KEPT_SIGNALS:
            if hasattr(signal, name):
                old = ctypes.create_string_buffer(1024)
                if sigaction(int(getattr(signal, name)), None, old) == 0:
                    kept.append((int(getattr(signal, name)), old))
    try:
        yield
    finally:
        for signum, old in kept:
            sigaction(signum, old, None)  # type: ignore[misc]


def build_mesh(site: Site, electrodes: tuple[Electrode, ...], settings: MeshSettings,
               *, threads: int = 1) -> MeshData:
    """Mesh ``site`` with ``electrodes`` imprinted on its surface."""
    import gmsh

    owns = not gmsh.isInitialized()
    if owns:
        with signals_kept():
            gmsh.initialize(interruptible=False)
    try:
        gmsh.option.setNumber("General.Terminal", 0)
        gmsh.option.setNumber("General.NumThreads", threads)
        gmsh.model.add("estim")
        occ = gmsh.model.occ
        tissues = tuple(ly.tissue for ly in site.layers)
        if site.kind == "brain":
            cut, pads = _brain_geometry(occ, site, electrodes)
            vol_inputs = [d for d in cut if d[0] == 3]
        else:
            vols = (_limb_volumes(occ, site) if site.kind == "limb"
                    else _planar_volumes(occ, site))
            vol_inputs = [(3, v) for v in vols]
            occ.synchronize()
            pads = [(_limb_electrode(occ, site, e, vols[0]) if site.kind == "limb"
                     else _planar_electrode(occ, e)) for e in electrodes]
        # a brain's encapsulation: the input solids no wider than the domain's radius (the
        # domain's own is twice it; the site keeps the lead and its encapsulation within
        # half the radius)
        capped = {k for k, (_, t) in enumerate(vol_inputs) if site.kind == "brain"
                  and _width(occ, t) <= 1.5 * site.height}  # gmsh pads boxes by ~1e-7 m
        flat = [dt for p in pads for dt in p]
        _, omap = occ.fragment(vol_inputs, flat)
        occ.synchronize()
        nv = len(vol_inputs)
        # tissue of each output volume: the innermost input solid that contains it
        vol_tissue: dict[int, int] = {}
        if site.kind == "brain":
            # a piece inside the encapsulation's solid is encapsulation, the rest brain: a
            # piece's own width said it, so 7 mm of encapsulation (wider than half the
            # radius) was solved as brain (probe of 6 December 2026)
            for k in range(nv):
                for d, t in omap[k]:
                    if d == 3 and (k in capped or t not in vol_tissue):
                        vol_tissue[t] = 0 if k in capped else 1
        else:
            for k in range(nv):
                for d, t in omap[k]:
                    if d == 3:
                        vol_tissue[t] = k
        pad_surfs: list[list[int]] = []
        i = nv
        for e, p in zip(electrodes, pads, strict=True):
            tags = []
            for _ in p:
                tags += [t for d, t in omap[i] if d == 2]
                i += 1
            if e.shape == "case":
                tags = _outer_surfaces(site)
            pad_surfs.append(tags)
        # the IPG case (the outer boundary) needs no refinement: it is far from the lead
        sized = [(t, _pad_size(e)) for e, t in zip(electrodes, pad_surfs, strict=True)
                 if e.shape != "case"]
        _size_fields(site, sized, settings, vol_tissue)
        if settings.order != 2:
            raise ValueError(f"MeshSettings.order is {settings.order}; expected 2 (the solver "
                             "uses quadratic elements only)")
        # linear tetrahedra from gmsh; the quadratic nodes are ours (fem/quadratic.py)
        gmsh.option.setNumber("Mesh.ElementOrder", 1)
        # Delaunay: the fastest here, and deterministic with one thread. Measured on the
        # forearm (gmsh 4.15): HXT (10) took 3.3 s in 3D against 0.55 s, 0.7 s with
        # Mesh.OptimizeThreshold 0.1 but then |E| was 0.9-1.2 % off at 8-14 % more DOFs;
        # meshing surfaces on two threads (Mesh.MaxNumThreads2D) saves ~0.15 s but gives a
        # different mesh on every run (43,416-43,457 elements), so one thread it is
        gmsh.option.setNumber("Mesh.Algorithm3D", 1)
        # no Laplacian smoothing of the surface meshes: 2D meshing ~25 % faster. Over seven
        # forearm meshes sized 0.96-1.04 x the default, the mean errors were R -0.35 %,
        # φ -0.19 % (-0.36 %, -0.20 % with smoothing) and |E| -0.39 ± 0.14 % against
        # -0.48 ± 0.20 %; the default mesh's |E| error went from -0.52 % to -0.30 % (the
        # volume is still optimised)
        gmsh.option.setNumber("Mesh.Smoothing", 0)
        try:
            gmsh.model.mesh.generate(3)
        except Exception as exc:  # gmsh raises bare Exception
            # one line, not a traceback with the settings' dump (probe of 5 December 2026)
            raise MeshError(f"the field's mesh of site {site.name!r} could not be built "
                            f"(gmsh: {(str(exc).strip().splitlines() or [repr(exc)])[0]})"
                            ": a layer or an electrode may be too thin or too close to "
                            "another") from exc
        return _extract(site, tissues, vol_tissue, pad_surfs)
    finally:
        gmsh.model.remove() if gmsh.model.list() else None
        if owns:
            gmsh.finalize()


def _outer_surfaces(site: Site) -> list[int]:
    import gmsh

    out = []
    for _, t in gmsh.model.getEntities(2):
        xmin, _, zmin, xmax, _, zmax = gmsh.model.getBoundingBox(2, t)
        if xmax - xmin > site.height or zmax - zmin > 0.99 * site.length:
            out.append(t)
    return out


def max_size(site: Site, settings: MeshSettings) -> float:
    """``h_max``, capped on limbs so that chords of a curved surface (sagitta h²/8R) cannot
    cut through the thinnest layer; coarser surface meshes self-intersect (m)."""
    if site.kind != "limb":
        return settings.h_max
    r = min(site.radius_x, site.radius_y)
    t = min(ly.thickness for ly in site.layers)
    return min(settings.h_max, 0.8 * math.sqrt(4 * r * t))


def _pad_size(e: Electrode) -> float:
    """Smallest in-plane dimension of a surface pad (m); inf for lead contacts."""
    return math.inf if e.shape == "lead_contact" else min(e.length, e.width)


def _size_fields(site: Site, pads: list[tuple[list[int], float]], s: MeshSettings,
                 vol_tissue: dict[int, int]) -> None:
    import gmsh

    s = replace(s, h_max=max_size(site, s))
    fld = gmsh.model.mesh.field
    # Pads of one size share their two Distance fields: the size is then a function of the
    # distance to all their rims (or faces) at once, the same mesh (thresholds are monotone
    # in distance) for half the k-d tree queries per evaluation when two pads match
    groups: dict[tuple[float, float], tuple[set[int], list[int]]] = {}
    for tags, size in pads:
        if not tags:
            continue
        key = (min(s.h_rim, s.rim_fraction * size), min(s.h_electrode, s.pad_fraction * size))
        curves, faces = groups.setdefault(key, (set(), []))
        bnd = gmsh.model.getBoundary([(2, t) for t in tags], combined=True, oriented=False)
        curves.update(abs(t) for _, t in bnd)
        faces.extend(tags)
    fields = []
    for (h_rim, h_pad), (curves, faces) in groups.items():
        d = fld.add("Distance")
        fld.setNumbers(d, "CurvesList", sorted(curves))
        fld.setNumber(d, "Sampling", 60)
        d2 = fld.add("Distance")
        fld.setNumbers(d2, "SurfacesList", faces)
        fld.setNumber(d2, "Sampling", 40)
        for dist, h0 in ((d, h_rim), (d2, h_pad)):
            if s.growth is not None:  # geometric grading: size proportional to distance
                f = fld.add("MathEval")
                fld.setString(f, "F", f"{h0!r} + {s.growth!r} * F{dist}")
            else:  # linear ramp from h0 to h_max over `grading`
                f = fld.add("Threshold")
                fld.setNumber(f, "InField", dist)
                fld.setNumber(f, "SizeMin", h0)
                fld.setNumber(f, "SizeMax", s.h_max)
                fld.setNumber(f, "DistMin", 0.5 * h_rim if dist == d else 0.0)
                fld.setNumber(f, "DistMax", s.grading)
            fields.append(f)
    if s.h_layer is not None:
        c = fld.add("Constant")
        fld.setNumbers(c, "VolumesList", [t for t, k in vol_tissue.items() if k <= 1])
        fld.setNumber(c, "VIn", s.h_layer)
        fld.setNumber(c, "VOut", s.h_max)
        fields.append(c)
    mn = fld.add("Min")
    fld.setNumbers(mn, "FieldsList", fields or [])
    fld.setAsBackgroundMesh(mn)
    gmsh.option.setNumber("Mesh.MeshSizeMax", s.h_max)
    gmsh.option.setNumber("Mesh.MeshSizeExtendFromBoundary", 0)
    gmsh.option.setNumber("Mesh.MeshSizeFromPoints", 0)
    gmsh.option.setNumber("Mesh.MeshSizeFromCurvature", {"limb": 12, "brain": 6}.get(site.kind, 0))


def _extract(site: Site, tissues: tuple[str, ...], vol_tissue: dict[int, int],
             pad_surfs: list[list[int]]) -> MeshData:
    import gmsh

    from estim.fields.fem.quadratic import quadratic_mesh

    tags, coords, _ = gmsh.model.mesh.getNodes()
    blocks, tiss = [], []
    for vol, k in vol_tissue.items():
        _, ntags = gmsh.model.mesh.getElementsByType(4, vol)  # 4-node tetrahedra
        blocks.append(ntags.astype(np.int64).reshape(-1, 4).T)
        tiss.append(np.full(blocks[-1].shape[1], k, dtype=np.int64))
    # number the vertices that elements use (gmsh also keeps nodes of unmeshed points)
    used = np.unique(np.hstack(blocks))
    index = np.full(int(max(tags.max(), used.max())) + 1, -1, dtype=np.int64)
    index[used] = np.arange(len(used))
    where = np.zeros(len(index), dtype=np.int64)
    where[tags.astype(np.int64)] = np.arange(len(tags))
    vertices = coords.reshape(-1, 3).T[:, where[used]]
    tissue = np.concatenate(tiss)
    points, tets = quadratic_mesh(vertices, index[np.hstack(blocks)], tissue, _cylinders(site))
    tris = []
    for tags_e in pad_surfs:
        conn = [index[gmsh.model.mesh.getElementsByType(2, s)[1].astype(np.int64)]
                .reshape(-1, 3).T for s in tags_e]
        tris.append(np.hstack(conn) if conn else np.zeros((3, 0), dtype=np.int64))
    return MeshData(points, tets, tissue, tissues, tuple(tris))


def _cylinders(site: Site) -> list[tuple[float, float]]:
    """Semi-axes (x, y) of the site's curved surfaces, cylinders around the z axis (m)."""
    if site.kind == "limb":
        return [(site.radius_x - d, site.radius_y - d) for d in _layer_boundaries(site)]
    if site.kind == "brain":
        rl = get_lead(site.lead or DEFAULT_LEAD).diameter_m / 2
        return [(r, r) for r in (rl, rl + site.layers[0].thickness, site.height)]
    return []
