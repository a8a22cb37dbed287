"""The forearm two-patch reference case solved with NGSolve, for benchmarks/fields.py.

Run by an interpreter that has NGSolve (``pip install ngsolve`` in a separate venv; estim
never imports it)::

    /tmp/ngsolve-venv/bin/python benchmarks/ngsolve_forearm.py [--settings 1:4,2:8]
        [--precond bddc] [--repeats 3] [--threads 2]

Same case as /work/shared/reference/fields.json "forearm_two_patch": an insulated layered
cylinder (radius 40 mm, length 200 mm; skin 1.5 mm, fat 5 mm, muscle to radius 10 mm, bone)
with two 50 x 50 mm patches on the +x side centred at z = ±50 mm, anode 1 V and cathode 0 V.
Netgen meshes the OpenCASCADE geometry with the pad rims (``edge.maxh``) and pad faces
(``face.maxh``) refined locally; P2 elements; CG preconditioned by BDDC (or h1amg,
multigrid, direct: ``--precond``). R = V² / (total power), the probe potential and |E| are
scaled to 1 mA.

Prints one JSON object per line: the setting, DOFs, R (Ω), V (mV/mA), |E| (V/m per mA),
CG iterations and the seconds of each phase (geometry + meshing, space set-up, assembly
with the preconditioner set-up, solve, probe) and the process's CPU seconds over all of
them (all threads summed), each the median of ``--repeats`` runs.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import time

R_OUT, LENGTH = 0.040, 0.200  # [m]
LAYERS = (("skin", 0.0015, 0.15), ("fat", 0.005, 0.04), ("muscle", None, 0.35),
          ("bone", 0.010, 0.02))  # (name, thickness (bone: radius) m, sigma S/m)
PAD_Z, PAD_LEN, PAD_ARC = 0.050, 0.050, 0.050  # [m]
PROBE = (0.030, 0.0, 0.050)
H_MAX = 0.012  # [m] the same bulk size as estim's default


def geometry(h_rim: float, h_pad: float):
    """The layered cylinder with the two pads' skin sectors cut out and named."""
    from netgen.occ import Axes, Axis, Cylinder, Glue, Pnt, WorkPlane, X, Z

    def cyl(r: float):  # its seam turned to the back (-x), away from the pads
        c = Cylinder(Pnt(0, 0, -LENGTH / 2), Z, r=r, h=LENGTH)
        return c.Rotate(Axis((0, 0, 0), Z), 180)

    r_skin_in = R_OUT - LAYERS[0][1]
    r_fat_in = r_skin_in - LAYERS[1][1]
    r_bone = LAYERS[3][1]
    skin = cyl(R_OUT) - cyl(r_skin_in)
    fat = cyl(r_skin_in) - cyl(r_fat_in)
    muscle = cyl(r_fat_in) - cyl(r_bone)
    bone = cyl(r_bone)
    half = PAD_ARC / (2 * R_OUT)  # [rad] half the pad's angle
    far = 1.5 * R_OUT
    pieces = []
    for name, zc in (("anode", PAD_Z), ("cathode", -PAD_Z)):
        wp = WorkPlane(Axes((0, 0, zc - PAD_LEN / 2), n=Z, h=X))
        wp.MoveTo(0, 0).LineTo(far * math.cos(half), -far * math.sin(half))
        wp.LineTo(far * math.cos(half), far * math.sin(half)).Close()
        sector = wp.Face().Extrude(PAD_LEN)
        pad = skin * sector
        skin = skin - sector
        outer = pad.faces.Max(X)  # the cylindrical face at r = 40 mm: the electrode
        outer.name = name
        outer.maxh = h_pad
        for e in outer.edges:
            e.maxh = h_rim
        pad.mat("skin")
        pieces.append(pad)
    skin.mat("skin")
    fat.mat("fat")
    muscle.mat("muscle")
    bone.mat("bone")
    return Glue([bone, muscle, fat, skin, *pieces])


def solve(h_rim: float, h_pad: float, h_max: float, precond: str) -> dict[str, float]:
    import ngsolve as ngs
    from netgen.occ import OCCGeometry

    times = {}
    cpu0 = time.process_time()
    t = time.perf_counter()
    shape = geometry(h_rim, h_pad)
    ngmesh = OCCGeometry(shape).GenerateMesh(maxh=h_max)
    mesh = ngs.Mesh(ngmesh)
    mesh.Curve(2)
    times["mesh"] = time.perf_counter() - t

    t = time.perf_counter()
    fes = ngs.H1(mesh, order=2, dirichlet="anode|cathode")
    u, v = fes.TnT()
    sigma = mesh.MaterialCF({n: s for n, _, s in LAYERS})
    # P2 tetrahedra have no element-interior dofs: static condensation has nothing to do
    a = ngs.BilinearForm(sigma * ngs.grad(u) * ngs.grad(v) * ngs.dx)
    pre = None if precond == "direct" else ngs.Preconditioner(a, precond)
    gfu = ngs.GridFunction(fes)
    gfu.Set(1, definedon=mesh.Boundaries("anode"))
    times["setup"] = time.perf_counter() - t

    t = time.perf_counter()
    a.Assemble()
    times["assemble"] = time.perf_counter() - t

    t = time.perf_counter()
    r = gfu.vec.CreateVector()
    r.data = -a.mat * gfu.vec  # lift the Dirichlet data
    if precond == "direct":
        inv = a.mat.Inverse(fes.FreeDofs(), inverse="sparsecholesky")
        gfu.vec.data += inv * r
        its = 0
    else:
        inv = ngs.CGSolver(a.mat, pre.mat, tol=1e-10, maxiter=2000)
        gfu.vec.data += inv * r
        its = inv.GetSteps()
    times["solve"] = time.perf_counter() - t

    t = time.perf_counter()
    power = ngs.Integrate(sigma * ngs.grad(gfu) * ngs.grad(gfu), mesh)  # [W] at 1 V
    current = power  # [A] at 1 V: P = V I
    p = mesh(*PROBE)
    vp = gfu(p) / current * 1e-3 * 1e3  # [V per A -> mV per mA]
    grad = gfu.Deriv()(p)
    ep = math.sqrt(sum(g * g for g in grad)) / current * 1e-3  # [V/m per A -> per mA]
    times["probe"] = time.perf_counter() - t
    return {"dofs": fes.ndof, "R": 1.0 / current, "V": vp, "E": ep, "iterations": its,
            **{f"t_{k}": v for k, v in times.items()},
            "t_total": sum(times.values()), "cpu_total": time.process_time() - cpu0}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--settings", default="1:4,2:8",
                    help="comma-separated rim:pad[:bulk] sizes in mm (bulk default 12)")
    ap.add_argument("--precond", default="bddc",
                    choices=("bddc", "h1amg", "multigrid", "local", "direct"))
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    import ngsolve as ngs

    ngs.SetNumThreads(args.threads)
    for item in args.settings.split(","):
        sizes = [float(x) * 1e-3 for x in item.split(":")]  # [mm -> m]
        rim, pad = sizes[:2]
        bulk = sizes[2] if len(sizes) > 2 else H_MAX
        runs = []
        for _ in range(args.repeats):
            with ngs.TaskManager():
                runs.append(solve(rim, pad, bulk, args.precond))
        out = {"rim_mm": rim * 1e3, "pad_mm": pad * 1e3, "bulk_mm": bulk * 1e3,
               "precond": args.precond,
               "threads": args.threads, "repeats": args.repeats}
        for k in runs[0]:
            out[k] = statistics.median(r[k] for r in runs)
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
