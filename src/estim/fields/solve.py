"""Per-channel potential and field of a site with electrodes: the public solve entry point.

The potential is linear in current (quasi-static volume conduction), so each channel is
solved once at 1 A and superposed at its current: Ve(x, t) = Σ_c φ_c(x) I_c(t). This stops
holding where the skin–electrode capacitance matters (pulses shorter than ~R·C of the
interface) and where tissue permittivity matters (carriers above ~10 kHz).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, get_args

import numpy as np
from numpy.typing import ArrayLike, NDArray

from estim.errors import Described, InputError
from estim.fields.cache import cache_key, load_solution, store_solution
from estim.fields.electrodes import Boundary, Channel, Electrode, idle_contacts
from estim.fields.fem.geometry import MeshSettings
from estim.fields.points import as_points, grid_shape
from estim.fields.sites import Site

if TYPE_CHECKING:
    from estim.fields.fem.evaluate import FemEvaluator

__all__ = ["ChannelField", "FieldSolution", "Method", "solve_fields"]

#: ``"fem"``: any site, floating or uniform pads, converged to 1 %. ``"analytic"``: planar
#: sites only, uniform-density pads on a layered half-space, milliseconds per update.
Method = Literal["fem", "analytic"]
Progress = Callable[[str], None]


@dataclass(frozen=True, eq=False)
class ChannelField:
    """One channel's potential and field per ampere of channel current.

    :param resistance: anode-to-cathode voltage per ampere (Ω), tissue plus interface.
    :param current: the channel's amplitude (A) used by :class:`FieldSolution` superposition.
    """

    name: str
    anode: Electrode
    cathode: Electrode
    current: float
    resistance: float
    _eval: Callable[[NDArray[np.float64], bool],
                    tuple[NDArray[np.float64], NDArray[np.float64] | None]] = field(repr=False)

    def potential(self, points: ArrayLike) -> NDArray[np.float64]:
        """Potential (V per A, relative to the cathode) at ``points`` (N, 3) m; NaN outside.
        Points of a grid, (a, b, 3), give (a, b)."""
        return self._eval(as_points(points), False)[0].reshape(grid_shape(points))

    def field(self, points: ArrayLike) -> NDArray[np.float64]:
        """Electric field E = −∇φ (V/m per A) at ``points`` (N, 3) m, shape (N, 3) (a grid's
        (a, b, 3) points give (a, b, 3))."""
        g = self._eval(as_points(points), True)[1]
        assert g is not None
        return -g.reshape((*grid_shape(points), 3))

    def potential_and_field(self, points: ArrayLike
                            ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Both at once (one point location / one pass over the sources)."""
        v, g = self._eval(as_points(points), True)
        assert g is not None
        shape = grid_shape(points)
        return v.reshape(shape), -g.reshape((*shape, 3))


@dataclass(frozen=True, eq=False)
class FieldSolution:
    """All channels of a site; superposes them at their currents."""

    site: Site
    electrodes: tuple[Electrode, ...]
    channels: tuple[ChannelField, ...]
    n_dofs: int
    seconds: float
    cache_hit: bool
    settings: MeshSettings | None
    boundary: Boundary = "floating"
    #: a lead's contacts that no channel drives, meshed as floating metal (names)
    floating: tuple[str, ...] = ()

    def potential(self, points: ArrayLike, currents: Sequence[float] | None = None
                  ) -> NDArray[np.float64]:
        """Σ_c φ_c(x) I_c (V) at ``points``; ``currents`` default to the channel currents."""
        cur = [c.current for c in self.channels] if currents is None else list(currents)
        return sum((c.potential(points) * i for c, i in zip(self.channels, cur, strict=True)),
                   start=np.zeros(grid_shape(points)))

    def field(self, points: ArrayLike, currents: Sequence[float] | None = None
              ) -> NDArray[np.float64]:
        """Σ_c E_c(x) I_c (V/m), shape (N, 3)."""
        cur = [c.current for c in self.channels] if currents is None else list(currents)
        return sum((c.field(points) * i for c, i in zip(self.channels, cur, strict=True)),
                   start=np.zeros((*grid_shape(points), 3)))


def _electrode_list(channels: Sequence[Channel]) -> tuple[tuple[Electrode, ...],
                                                          tuple[tuple[int, int], ...]]:
    electrodes: list[Electrode] = []
    pairs = []
    for ch in channels:
        idx = []
        for e in (ch.anode, ch.cathode):
            if e not in electrodes:
                electrodes.append(e)
            idx.append(electrodes.index(e))
        pairs.append((idx[0], idx[1]))
    return tuple(electrodes), tuple(pairs)


@dataclass(frozen=True, eq=False)
class _ChannelEval:
    """Channel ``index``'s potential (and gradient) from the solution's evaluator: an
    object, not a closure, so that a result holding it can be pickled (for
    multiprocessing, joblib; a local function could not be: researcher's probe of
    7 December 2026)."""

    evaluator: FemEvaluator
    index: int

    def __call__(self, x: NDArray[np.float64], grad: bool
                 ) -> tuple[NDArray[np.float64], NDArray[np.float64] | None]:
        v, g = self.evaluator.evaluate(x, gradient=grad)
        return v[self.index], None if g is None else g[self.index]


def _check_arguments(site: Site, channels: Sequence[Channel], method: str,
                     boundary: str) -> None:
    """Refuse what the solver would misread, in the words of an :class:`InputError`: a
    boundary it does not know was solved as floating and recorded as given, a channel
    whose anode is its cathode gave a zero field, no channels an IndexError deep in the
    solver, a site's name an AttributeError (researcher's probe of 7 December 2026)."""
    if not isinstance(site, Site):
        raise InputError("site", site, "a Site (estim.fields.make_site('forearm'))")
    if method not in get_args(Method):
        raise InputError("method", method, "'fem' or 'analytic'")
    if boundary not in get_args(Boundary):
        raise InputError("boundary", boundary, "'floating' or 'uniform'")
    if not isinstance(channels, Sequence) and not isinstance(channels, Channel):
        raise InputError("channels", Described(type(channels).__name__), "a sequence (a list "
                         "or tuple) of one or more Channel (anode, cathode)")
    if isinstance(channels, Channel) or not len(channels):
        raise InputError("channels", Described("no channels") if not isinstance(
            channels, Channel) else Described("one Channel"), "a sequence of one or more "
            "Channel (anode, cathode)")
    for i, ch in enumerate(channels):
        if not isinstance(ch, Channel):
            raise InputError(f"channels[{i}]", ch, "a Channel (anode, cathode)")
        if ch.anode == ch.cathode:
            raise InputError(f"channels[{i}]", ch.name, "an anode and a cathode that are two "
                             "electrodes (the same pad drives no current through tissue)")


def solve_fields(site: Site, channels: Sequence[Channel], *, method: Method = "fem",
                 settings: MeshSettings | None = None, boundary: Boundary | None = None,
                 cache: bool | Path = True, progress: Progress | None = None,
                 idle_contacts_float: bool = True) -> FieldSolution:
    """Potential and field per unit current of every channel.

    :param site: the anatomy.
    :param channels: anode/cathode pairs; electrodes shared between channels are one pad.
    :param settings: mesh sizes; default :meth:`MeshSettings.for_site`.
    :param boundary: ``"floating"`` (equipotential pads, physical) or ``"uniform"``;
        default the method's own: floating for ``"fem"``, uniform for ``"analytic"``
        (whose layered half-space has only uniform pads).
    :param cache: ``True`` for the default cache directory, a path for another, ``False``
        for none.
    :param progress: called with short status lines.
    :param idle_contacts_float: a brain site's lead contacts that no channel drives are
        meshed as floating metal (:func:`~estim.fields.electrodes.idle_contacts`); False
        leaves them insulation, as OSS-DBS's default does (the benchmark's like-for-like).
    """
    from estim.fields.fem.evaluate import FemEvaluator
    from estim.fields.fem.geometry import build_mesh
    from estim.fields.fem.solver import solve_fem

    boundary = boundary or ("uniform" if method == "analytic" else "floating")
    _check_arguments(site, channels, method, boundary)
    say = progress or (lambda _msg: None)
    electrodes, pairs = _electrode_list(channels)
    t0 = time.perf_counter()
    if method == "analytic":
        return _solve_analytic(site, channels, electrodes, pairs, boundary, t0)
    settings = settings or MeshSettings.for_site(site)
    # a lead's contacts that no channel drives are floating metal, not insulation; they
    # follow the channels' electrodes, whose indices the pairs keep
    meshed = electrodes + (idle_contacts(site, electrodes)
                           if boundary == "floating" and idle_contacts_float else ())
    key = cache_key(site, meshed, pairs, settings, boundary)
    directory = cache if isinstance(cache, Path) else None
    sol = load_solution(key, directory) if cache is not False else None
    hit = sol is not None
    if sol is None:
        idle = len(meshed) - len(electrodes)
        say(f"meshing {site.name} with {len(electrodes)} electrodes"
            + (f" and {idle} idle contacts, floating" if idle else ""))
        mesh = build_mesh(site, meshed, settings)
        say(f"solving {len(pairs)} channel(s), {mesh.tets.shape[1]} elements")
        sol = solve_fem(site, meshed, mesh, pairs, boundary=boundary)
        if cache is not False:
            store_solution(key, sol, directory)
    else:
        say("fields served from cache")
    ev = FemEvaluator(sol, memo=key if cache is True else None)
    fields = []
    for c, (ch, (an, ca)) in enumerate(zip(channels, pairs, strict=True)):
        r = float(sol.electrode_potentials[c, an] - sol.electrode_potentials[c, ca])
        fields.append(ChannelField(ch.name, ch.anode, ch.cathode, ch.current, r,
                                   _ChannelEval(ev, c)))
    return FieldSolution(site, electrodes, tuple(fields), sol.n_dofs,
                         time.perf_counter() - t0, hit, settings, boundary,
                         tuple(e.name for e in meshed[len(electrodes):]))


def _solve_analytic(site: Site, channels: Sequence[Channel], electrodes: tuple[Electrode, ...],
                    pairs: tuple[tuple[int, int], ...], boundary: Boundary,
                    t0: float) -> FieldSolution:
    from estim.errors import InputError
    from estim.fields.layered import layered_channels

    if site.kind != "planar":
        raise InputError("method", "analytic", f"'fem' for the {site.kind} site {site.name!r} "
                         "(the layered half-space covers planar sites only)")
    if boundary != "uniform":
        raise InputError("boundary", boundary, "'uniform' with the analytic method (its pads "
                         "carry uniform current density)")
    fields = []
    for ch, (ev, r) in zip(channels, layered_channels(site, electrodes, pairs), strict=True):
        fields.append(ChannelField(ch.name, ch.anode, ch.cathode, ch.current, r,
                                   ev))  # type: ignore[arg-type]
    return FieldSolution(site, electrodes, tuple(fields), 0, time.perf_counter() - t0, False,
                         None, boundary)
