"""Second-order finite-element volume conductor (conjugate gradients, two-level P2/P1 AMG).

Weak form: find φ with ∫ σ∇φ·∇v = Σ_e I_e v|_e, where each ideal electrode is a *floating
equipotential*: all its degrees of freedom are tied to one unknown potential U_e, and the
test function for U_e carries the electrode's total current I_e. An electrode with a finite
interface conductance g (S/m²) is a Robin (complete-electrode-model) boundary:
∫_e g (φ - U_e)(v - V_e). All other surfaces are insulated. One electrode (the first
channel's cathode) is grounded; each channel's potential is returned relative to its own
cathode. The ``uniform`` option instead injects I/A uniformly over each pad.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from estim.fields.electrodes import Boundary, Electrode
from estim.fields.fem.geometry import MeshData
from estim.fields.sites import Site

__all__ = ["FemSolution", "electrode_nodes", "skfem_mesh", "solve_fem"]


@dataclass(frozen=True, slots=True, eq=False)
class FemSolution:
    """Nodal P2 potentials (V per A), one row per channel, on ``mesh``.

    :param potentials: (n_channels, n_nodes), indexed like ``mesh.points`` (the P2 nodes:
        vertices and edge midpoints; ``mesh.tets`` are the element dofs).
    :param electrode_potentials: (n_channels, n_electrodes) potential of each electrode (V/A);
        for the uniform option, the mean over the pad.
    """

    mesh: MeshData
    potentials: NDArray[np.float64]
    electrode_potentials: NDArray[np.float64]
    n_dofs: int
    iterations: tuple[int, ...]


def skfem_mesh(mesh: MeshData):
    """The scikit-fem MeshTet2 (curved, isoparametric) of ``mesh``."""
    from skfem import MeshTet2

    return MeshTet2(np.ascontiguousarray(mesh.points), np.ascontiguousarray(mesh.tets),
                    validate=False)


_TET_EDGES = ((0, 1), (1, 2), (0, 2), (0, 3), (1, 3), (2, 3))  # edge k: node 4 + k


def electrode_nodes(mesh: MeshData) -> list[NDArray[np.int64]]:
    """Per electrode, the P2 nodes on it: its triangles' vertices and edge midpoints."""
    return [np.unique(nodes) for nodes in _triangle_nodes(mesh)]


def _conductivity(site: Site, mesh: MeshData) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Per element: σ across the fibers and σ_along − σ_across (S/m)."""
    across = np.array([ly.conductivity_across for ly in site.layers])
    along = np.array([ly.conductivity for ly in site.layers])
    return across[mesh.tissue], (along - across)[mesh.tissue]


#: Local nodes of a quadratic triangle: its vertices, then the midpoints of edges 0-1, 1-2
#: and 0-2 (the order of :func:`_triangle_nodes`).
_TRI_EDGES = ((0, 1), (1, 2), (0, 2))


def _triangle_nodes(mesh: MeshData) -> list[NDArray[np.int64]]:
    """Per electrode, the (6, k) P2 nodes of its (3, k) boundary triangles: the vertices,
    then the nodes on edges 0-1, 1-2 and 0-2 (looked up among the tetrahedra's edges)."""
    n = np.int64(mesh.points.shape[1])
    t = mesh.tets.astype(np.int64)
    lo = np.concatenate([np.minimum(t[i], t[j]) for i, j in _TET_EDGES])
    hi = np.concatenate([np.maximum(t[i], t[j]) for i, j in _TET_EDGES])
    mids = t[4:].ravel()
    key = lo * n + hi
    order = np.argsort(key)
    key = key[order]
    out = []
    for tris in mesh.electrode_tris:
        tr = tris.astype(np.int64)
        nodes = [tr[0], tr[1], tr[2]]
        for i, j in _TRI_EDGES:
            want = np.minimum(tr[i], tr[j]) * n + np.maximum(tr[i], tr[j])
            pos = np.clip(np.searchsorted(key, want), 0, len(key) - 1)
            if want.size and not np.all(key[pos] == want):
                raise RuntimeError("electrode triangle edges not found in the mesh")
            nodes.append(mids[order[pos]])
        out.append(np.vstack(nodes))
    return out


def _p2_triangle(xi: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """P2 shape functions (6, q) on the reference triangle at ``xi`` (2, q), and their
    derivatives (2, 6, q), in the local node order of :data:`_TRI_EDGES`."""
    x, y = xi
    l0, l1, l2 = 1.0 - x - y, x, y
    N = np.array([l0 * (2 * l0 - 1), l1 * (2 * l1 - 1), l2 * (2 * l2 - 1),
                  4 * l0 * l1, 4 * l1 * l2, 4 * l0 * l2])
    one, zero = np.ones_like(x), np.zeros_like(x)
    dx = np.array([1 - 4 * l0, 4 * l1 - 1, zero, 4 * (l0 - l1), 4 * l2, -4 * l2]) * one
    dy = np.array([1 - 4 * l0, zero, 4 * l2 - 1, -4 * l1, 4 * l1, 4 * (l0 - l2)]) * one
    return N, np.stack([dx, dy])


class _Facets:
    """The electrode surfaces' integrals for the Robin and uniform options, in the node
    numbering: each pad's quadratic (isoparametric) triangles with the P2 basis, by the
    degree-4 triangle rule (scikit-fem's ``intorder=4``, exact on flat triangles).
    Written out in numpy: a scikit-fem ``FacetBasis`` builds the mesh's edges and facets
    first, 1.5 s of a 2.6 s solve of the lower back (tests compare the two)."""

    def __init__(self, mesh: MeshData) -> None:
        from skfem.quadrature import get_quadrature
        from skfem.refdom import RefTri

        self.n = mesh.points.shape[1]
        xi, self.w = get_quadrature(RefTri, 4)
        self.N, dN = _p2_triangle(xi)
        self.nodes = _triangle_nodes(mesh)
        self.jac = []
        for nodes in self.nodes:  # |∂x/∂ξ × ∂x/∂η| at each quadrature point (k, q)
            X = mesh.points[:, nodes]  # (3, 6, k)
            t = np.einsum("dik,aiq->adkq", X, dN)  # (2 tangents, 3, k, q)
            self.jac.append(np.linalg.norm(np.cross(t[0], t[1], axis=0), axis=0))

    def load(self, k: int) -> NDArray[np.float64]:
        """∫_e v over electrode k, per node (m²)."""
        local = np.einsum("iq,kq,q->ik", self.N, self.jac[k], self.w)  # (6, k)
        return np.asarray(np.bincount(self.nodes[k].ravel(), local.ravel(), minlength=self.n),
                          dtype=np.float64)

    def mass(self, k: int) -> sp.csr_matrix:
        """∫_e u v over electrode k (m²)."""
        local = np.einsum("iq,jq,kq,q->ijk", self.N, self.N, self.jac[k], self.w)
        nodes = self.nodes[k]
        rows = np.broadcast_to(nodes[:, None, :], local.shape)
        cols = np.broadcast_to(nodes[None, :, :], local.shape)
        return sp.csr_matrix((local.ravel(), (rows.ravel(), cols.ravel())),
                             shape=(self.n, self.n))


def solve_fem(site: Site, electrodes: tuple[Electrode, ...], mesh: MeshData,
              channels: tuple[tuple[int, int], ...], *, boundary: Boundary = "floating",
              rtol: float = 1e-5) -> FemSolution:
    """Solve one unit-current problem per channel.

    :param channels: (anode index, cathode index) into ``electrodes`` per channel.
    :param rtol: CG tolerance on the residual. 1e-5 moves R, φ and |E| by under 4e-6
        relative from 1e-10 (measured on the forearm two-patch case and on a segmented DBS
        contact at 2 mm: R 4e-11, φ 5e-7, |E| 3.4e-6), a thousandth of the mesh's ~0.3-0.5 %;
        each decade more costs about five iterations (23, 27, 32 on the forearm).
    """
    from scipy.sparse.linalg import cg

    from estim.fields.fem.assembly import assemble_upper, element_upper
    from estim.fields.fem.precondition import p1_prolongation, two_level

    n = mesh.points.shape[1]
    st, dl = _conductivity(site, mesh)
    local = element_upper(mesh.points, mesh.tets, st, dl,
                          np.asarray(site.fiber_axis, dtype=float))
    if boundary == "uniform":
        K = assemble_upper(local, mesh.tets, np.arange(n), n)
        return _solve_uniform(K, electrodes, channels, mesh, rtol)

    # Floating electrodes: reduced unknowns are the free nodes and one per ideal electrode;
    # the first channel's cathode is grounded (dropped). Element matrices go straight there.
    ne = len(electrodes)
    owner = np.full(n, -1, dtype=np.int64)
    robin = [k for k, e in enumerate(electrodes) if e.interface_conductance is not None]
    for k, nodes in enumerate(electrode_nodes(mesh)):
        if k not in robin:
            owner[nodes] = k
    free = np.flatnonzero(owner < 0)
    nf = len(free)
    reduced = np.empty(n, dtype=np.int64)
    reduced[free] = np.arange(nf)
    reduced[owner >= 0] = nf + owner[owner >= 0]
    ground = nf + channels[0][1]
    keep = np.setdiff1d(np.arange(nf + ne), [ground])
    final = np.full(nf + ne, -1, dtype=np.int64)  # reduced unknown -> row of the system
    final[keep] = np.arange(len(keep))
    Ar = assemble_upper(local, mesh.tets, final[reduced], len(keep))
    if robin:  # Robin pads: ∫_e g (φ - U_e)(v - V_e) couples their nodes to U_e
        fac = _Facets(mesh)
        P = sp.csr_matrix((np.ones(n), (np.arange(n), reduced)), shape=(n, nf + ne))
        mass = sp.csr_matrix((n, n))
        cols = np.zeros((n, ne))
        diag = np.zeros(ne)
        for k in robin:
            g = electrodes[k].interface_conductance
            assert g is not None
            load = fac.load(k)
            mass = mass + g * fac.mass(k)
            cols[:, k] = -g * load
            diag[k] = g * float(load.sum())
        Bs = sp.csr_matrix(P.T @ cols)
        coupling = sp.hstack([sp.csr_matrix((nf + ne, nf)), Bs]).tocsr()
        extra = (P.T @ mass @ P + coupling + coupling.T).tocsr()
        extra = extra + sp.diags(np.concatenate([np.zeros(nf), diag]))
        Ar = (Ar + extra[keep][:, keep]).tocsr()
    M = two_level(Ar, p1_prolongation(mesh.tets, final[reduced], len(keep)))
    pots, epots, its = [], [], []
    for an, ca in channels:
        rhs = np.zeros(nf + ne)
        rhs[nf + an] += 1.0  # [A] unit current in at the anode
        rhs[nf + ca] -= 1.0  # and out at the cathode
        count = [0]

        def cb(_x, count=count):
            count[0] += 1

        xr, info = cg(Ar, rhs[keep], rtol=rtol, atol=0.0, M=M, maxiter=2000, callback=cb)
        if info != 0:
            raise RuntimeError(f"CG did not converge (info={info})")
        x = np.zeros(nf + ne)
        x[keep] = xr
        x -= x[nf + ca]  # potential relative to this channel's cathode
        pots.append(x[reduced])
        epots.append(x[nf:].copy())
        its.append(count[0])
    return FemSolution(mesh, np.array(pots), np.array(epots), n, tuple(its))


def _solve_uniform(K, electrodes, channels, mesh, rtol):
    from scipy.sparse.linalg import cg

    from estim.fields.fem.precondition import p1_prolongation, two_level

    n = K.shape[0]
    fac = _Facets(mesh)
    loads = [fac.load(k) for k in range(len(electrodes))]
    areas = [vec.sum() for vec in loads]
    ground = int(np.argmax(np.linalg.norm(mesh.points, axis=0)))  # a far node
    keep = np.setdiff1d(np.arange(n), [ground])
    Kr = K[keep][:, keep].tocsr()
    row = np.full(n, -1, dtype=np.int64)
    row[keep] = np.arange(len(keep))
    M = two_level(Kr, p1_prolongation(mesh.tets, row, len(keep)))
    pots, epots, its = [], [], []
    for an, ca in channels:
        rhs = loads[an] / areas[an] - loads[ca] / areas[ca]  # [A/m²] uniform density
        x = np.zeros(n)
        xr, info = cg(Kr, rhs[keep], rtol=rtol, atol=0.0, M=M, maxiter=2000)
        if info != 0:
            raise RuntimeError(f"CG did not converge (info={info})")
        x[keep] = xr
        means = np.array([loads[k] @ x / areas[k] for k in range(len(electrodes))])
        x -= means[ca]
        pots.append(x)
        epots.append(means - means[ca])
        its.append(0)
    return FemSolution(mesh, np.array(pots), np.array(epots), n, tuple(its))
