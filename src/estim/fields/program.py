"""Fields of a program: the adapter between :mod:`estim.program` and the field solvers."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from estim.errors import InputError
from estim.fields.electrodes import Boundary, Channel, Electrode, place_electrode
from estim.fields.fem.geometry import MeshSettings
from estim.fields.sites import Site, site_from_spec
from estim.fields.solve import ChannelField, FieldSolution, Method, solve_fields

if TYPE_CHECKING:
    from estim.program import Program
    from estim.program.model import Electrode as ElectrodeSpec

__all__ = ["ProgramFields", "electrode_from_spec", "fields_for_program", "program_channels"]


#: stimulation types whose current is a sinusoidal carrier, its polarity reversing every cycle
_CARRIERS = frozenset({"interferential", "russian"})


@dataclass(frozen=True, eq=False)
class ProgramFields:
    """Per-channel potential and field callables of a program, plus metadata.

    ``potential[name](points)`` is V per A of that channel's current, ``field[name](points)``
    V/m per A; ``currents[name]`` the programmed amplitude (A) — or, for a voltage-controlled
    channel, amplitude / tissue resistance (A), the quasi-static current it drives.
    """

    site: Site
    solution: FieldSolution
    currents: dict[str, float]
    #: the two channels are true interferential's base and beat, which interfere in the
    #: tissue: the section gets their envelope (two TENS channels got a "beat" too)
    beat: bool = False
    #: channels whose current is a sinusoidal carrier (interferential, Russian): each pad is
    #: anode and cathode in turn, so "anode" names the first half-cycle's polarity alone
    #: (a sorted tuple, not a set: the figure cache's key is its repr, the same in every process)
    alternating: tuple[str, ...] = ()

    @classmethod
    def of(cls, program: Program, solution: FieldSolution) -> ProgramFields:
        """``program``'s fields from their solution at 1 A: each channel's current is its
        programmed amplitude, or a voltage over the channel's tissue resistance."""
        currents = {}
        for ch, cf in zip(program.channels, solution.channels, strict=True):
            amp = ch.stimulation.amplitude
            control = str(getattr(amp.control, "value", amp.control))
            currents[ch.name] = (amp.value if control == "current"
                                 else amp.value / cf.resistance)
        alternating = tuple(sorted(ch.name for ch in program.channels
                                   if ch.stimulation.type in _CARRIERS))
        return cls(solution.site, solution, currents, beat=program.true_interferential,
                   alternating=alternating)

    @property
    def channels(self) -> tuple[ChannelField, ...]:
        return self.solution.channels

    def channel(self, name: str) -> ChannelField:
        """The channel named ``name`` (a window's channel is not always the first); an
        unknown name is an :class:`~estim.errors.InputError` listing the channels (it was a
        bare StopIteration; researcher's probe of 7 December 2026)."""
        found = next((c for c in self.channels if c.name == name), None)
        if found is None:
            from estim.errors import InputError

            raise InputError("channel", name, "one of the program's channels: "
                             + ", ".join(repr(c.name) for c in self.channels))
        return found

    @property
    def potential(self) -> dict[str, Callable[[ArrayLike], NDArray[np.float64]]]:
        return {c.name: c.potential for c in self.channels}

    @property
    def field(self) -> dict[str, Callable[[ArrayLike], NDArray[np.float64]]]:
        return {c.name: c.field for c in self.channels}

    def metadata(self) -> dict[str, Any]:
        s = self.solution
        return {
            "site": self.site.to_dict(),
            "method": "fem" if s.settings is not None else "analytic",
            "boundary": s.boundary,
            # a DBS lead's contacts that no channel drives, in the field as floating metal
            **({"floating_contacts": list(s.floating)} if s.floating else {}),
            "n_dofs": s.n_dofs,
            "seconds": s.seconds,
            "cache_hit": s.cache_hit,
            "channels": [{"name": c.name, "anode": c.anode.to_dict(),
                          "cathode": c.cathode.to_dict(),
                          "resistance_ohm": c.resistance, "current_A": self.currents[c.name]}
                         for c in self.channels],
        }


def electrode_from_spec(site: Site, spec: ElectrodeSpec, *, field: str) -> Electrode:
    """An :class:`Electrode` from a program electrode (placement, shape, sizes in m)."""
    shape = str(getattr(spec.shape, "value", spec.shape))
    where = spec.placement
    if site.kind == "brain":
        if where == "case":  # its stated size, for the record (the field ignores it)
            length = spec.length if spec.length is not None else math.sqrt(spec.area_m2)
            width = spec.width if spec.width is not None else spec.area_m2 / length
            return place_electrode(site, where, "rectangular", length=length, width=width,
                                   field=field)
        return place_electrode(site, where, "rectangular", field=field)
    if shape == "circular":
        if spec.diameter is not None:
            return place_electrode(site, where, "circular", length=spec.diameter, field=field)
        d = 2 * math.sqrt(spec.area_m2 / math.pi)
        with _as_area(spec, field, f"a disc {_plain(d * 1e3)} mm across"):
            return place_electrode(site, where, "circular", length=d, field=field)
    if shape == "rectangular":
        if spec.length is not None and spec.width is not None:
            return place_electrode(site, where, "rectangular", length=spec.length,
                                   width=spec.width, field=field)
        side = math.sqrt(spec.area_m2)
        with _as_area(spec, field, f"a square {_plain(side * 1e3)} mm a side"):
            return place_electrode(site, where, "rectangular", length=side, width=side,
                                   field=field)
    raise InputError(f"{field}.shape", shape, f"a surface electrode on site {site.name!r}")


def _plain(value: float) -> str:
    """A size without an exponent: "1,000", "31.6", "0.0123"."""
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"


@contextmanager
def _as_area(spec: ElectrodeSpec, field: str, made: str) -> Iterator[None]:
    """A pad sized by its ``area`` refused for its size is said of the area the file wrote
    (``area = "1 m2"`` was refused as "size: got '1000 x 1000 mm'", a field the file did not
    have; probe of 8 December 2026)."""
    try:
        yield
    except InputError as err:
        if err.field != f"{field}.size":
            raise
        raise InputError(f"{field}.area", f"{_plain(spec.area_m2 * 1e4)} cm²",
                         f"{err.expected} (the area makes {made})") from None


def program_channels(program: Program, *, interface_conductance: float | None = None
                     ) -> tuple[Site, list[Channel]]:
    """The program's site and its channels at 1 A: the pads placed on the site, each with
    the skin–electrode ``interface_conductance`` (S/m²; None: ideal contact), as
    :func:`fields_for_program` solves them (before anything is solved)."""
    site = site_from_spec(program.site.name, program.site.overrides)
    channels = []
    for i, ch in enumerate(program.channels):
        an = electrode_from_spec(site, ch.anode, field=f"channels[{i}].anode")
        ca = electrode_from_spec(site, ch.cathode, field=f"channels[{i}].cathode")
        if interface_conductance is not None and site.kind != "brain":
            an = an.with_interface(interface_conductance)
            ca = ca.with_interface(interface_conductance)
        channels.append(Channel(an, ca, 1.0, name=ch.name))
    return site, channels


def fields_for_program(program: Program, *, progress: Callable[[str], None] | None = None,
                       settings: MeshSettings | None = None, mesh_scale: float = 1.0,
                       boundary: Boundary | None = None, cache: bool | Path = True,
                       method: Method = "fem",
                       interface_conductance: float | None = None) -> ProgramFields:
    """Solve the fields of every channel of ``program`` at 1 A (see :func:`solve_fields`).

    :param mesh_scale: multiplies every mesh size of the site's default settings (> 1 is a
        quicker, coarser preview); ignored when ``settings`` is given.
    :param method: ``"fem"``, or ``"analytic"`` (planar sites, uniform pads, milliseconds).
    :param boundary: default the method's own (:func:`solve_fields`).
    :param interface_conductance: skin–electrode conductance per area (S/m²) of every surface
        electrode (complete electrode model); None: ideal contact.
    """
    from typing import get_args

    from estim.errors import InputError
    from estim.program.model import Program

    if not isinstance(program, Program):  # None, or a Setup, was an AttributeError (probe)
        raise InputError("program", type(program).__name__, "a Program (estim.load_program; "
                         "a Setup's is setup.program)")
    if boundary is not None and boundary not in get_args(Boundary):
        # "xx" was solved as floating, and recorded
        raise InputError("boundary", boundary, f"one of {', '.join(get_args(Boundary))}")
    site, channels = program_channels(program, interface_conductance=interface_conductance)
    if settings is None and mesh_scale != 1.0:
        settings = MeshSettings.for_site(site).scaled(mesh_scale)
    sol = solve_fields(site, channels, settings=settings, boundary=boundary, cache=cache,
                       progress=progress, method=method)
    return ProgramFields.of(program, sol)
