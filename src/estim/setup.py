"""The set-up stage: a program placed on its site, checked once, frozen.

Between the program (what the stimulator delivers) and the stages that follow it (safety,
fields, fibers, effects) sits one value, :class:`Setup`: the resolved site, the electrodes of
every channel placed on it, each channel's output and its current. :func:`build_setup`
checks every rule that needs the site (a site that does not exist, a placement the site
lacks, an electrode that does not fit) and refuses with the same :class:`InputError` that
the command line prints; :func:`estim.simulate` builds one, so the library refuses what the
CLI refuses.

>>> import estim
>>> setup = estim.build_setup(estim.load_program(estim.bundled_examples()["tens_conventional"]))
>>> setup.site.name, [c.name for c in setup.channels]
('lower_back', ['1'])
>>> round(setup.channels[0].current_a * 1e3, 3)   # [A -> mA]
25.0
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from estim.errors import InputError
from estim.fields.electrodes import Electrode, pads_overlap
from estim.fields.program import electrode_from_spec
from estim.fields.sites import Site, site_from_spec
from estim.program.model import Program, SiteSpec
from estim.program.options import Control
from estim.waveforms.build import stimuli_for
from estim.waveforms.stimulus import Stimulus

__all__ = ["PlacedChannel", "Setup", "build_setup"]


@dataclass(frozen=True, eq=False)
class PlacedChannel:
    """One channel of a program, its electrodes placed on the site.

    :param name: the channel's name in the program.
    :param anode: the anode as placed on the site (position, normal, size in m).
    :param cathode: the cathode as placed on the site.
    :param stimulus: the channel's output (A, or V for a voltage-controlled device).
    :param current_a: the programmed peak current (A): the amplitude of a current-controlled
        channel, or a voltage-controlled one's amplitude through the impedance the program
        states; None where only the field solution can tell (voltage control, no stated
        impedance).
    """

    name: str
    anode: Electrode
    cathode: Electrode
    stimulus: Stimulus
    current_a: float | None

    def __repr__(self) -> str:
        current = "set by the field" if self.current_a is None else f"{self.current_a:g} A"
        return (f"PlacedChannel({self.name!r}, anode at {self.anode.name!r}, cathode at "
                f"{self.cathode.name!r}, {current})")


@dataclass(frozen=True, eq=False)
class Setup:
    """A program on its site, every rule checked: what the later stages consume.

    Build it with :func:`build_setup`. ``program`` carries any site overrides that were
    applied, so a stage that reads the program sees the same site as ``site``.

    :param program: the program (with the site overrides written into its ``[site]``).
    :param site: the resolved site (layers, sizes in m, conductivities in S/m).
    :param channels: every channel placed, in program order.
    """

    program: Program
    site: Site
    channels: tuple[PlacedChannel, ...]

    @property
    def stimuli(self) -> tuple[Stimulus, ...]:
        """Each channel's output, in channel order (:func:`estim.waveforms.stimuli_for`)."""
        return tuple(c.stimulus for c in self.channels)

    def channel(self, name: str) -> PlacedChannel:
        """The channel called ``name``.

        :raises InputError: no channel has that name.
        """
        for c in self.channels:
            if c.name == name:
                return c
        raise InputError("channel", name, f"one of {', '.join(c.name for c in self.channels)}")

    def __repr__(self) -> str:
        return (f"Setup({self.program.name!r} on {self.site.name!r}, "
                f"{len(self.channels)} channel{'s' if len(self.channels) != 1 else ''})")


def build_setup(program: Program, *, site_overrides: Mapping[str, str] | None = None
                ) -> Setup:
    """Place ``program`` on its site and check every rule that needs the site.

    :param program: a validated program (:func:`estim.load_program`).
    :param site_overrides: site parameters to change, as a program file's ``[site]`` table
        writes them (``{"skin_thickness": "1.5 mm", "fat_conductivity": "0.04 S/m"}``); they
        replace the program's own overrides of the same name. ``"name"`` moves the program
        to another site.
    :raises InputError: an unknown site or override, a placement the site does not have, an
        electrode that does not fit, a lead on a site that is not a brain.

    >>> import estim
    >>> tens = estim.load_program(estim.bundled_examples()["tens_conventional"])
    >>> build_setup(tens, site_overrides={"skin_thickness": "1.5 mm"}).site.layers[0]
    Layer(tissue='skin', thickness=0.0015, ...)
    >>> build_setup(tens, site_overrides={"name": "moon"})
    Traceback (most recent call last):
    ...
    estim.errors.InputError: site.name: got 'moon', expected one of ...
    """
    if site_overrides:
        spec = {"name": program.site.name, **program.site.overrides, **site_overrides}
        program = program.replace(site=SiteSpec.model_validate(spec))
    if not isinstance(program, Program):  # None was an AttributeError from inside
        raise InputError("program", type(program).__name__, "a Program (estim.load_program)")
    site = site_from_spec(program.site.name, program.site.overrides)
    stimuli = stimuli_for(program)
    channels = []
    for i, (ch, stim) in enumerate(zip(program.channels, stimuli, strict=True)):
        anode = electrode_from_spec(site, ch.anode, field=f"channels[{i}].anode")
        cathode = electrode_from_spec(site, ch.cathode, field=f"channels[{i}].cathode")
        amp = ch.stimulation.amplitude
        if amp.control is Control.CURRENT:
            current: float | None = amp.value
        else:
            current = amp.value / ch.impedance if ch.impedance is not None else None
        channels.append(PlacedChannel(ch.name, anode, cathode, stim, current))
    _no_pads_overlap(site, channels)
    return Setup(program, site, tuple(channels))


class PadsOverlap(InputError):
    """Two pads on the same skin, said of one of them; :attr:`other_side` says it of the
    other (the one a caller may have moved)."""

    other_side: InputError | None = None


def _no_pads_overlap(site: Site, channels: list[PlacedChannel]) -> None:
    """Two pads on the same skin: a channel's anode and cathode, or two channels' pads at
    different placements (channels may share a placement: one pad). Overlapping pads were
    solved as if the skin under both belonged to each (5 cm pads 4 cm apart: 50 Ω)."""
    pads = [(i, role, getattr(ch, role)) for i, ch in enumerate(channels)
            for role in ("anode", "cathode")]
    for k, (i, role, pad) in enumerate(pads):
        for j, other_role, other in pads[:k]:
            if other.name == pad.name or not pads_overlap(site, pad, other):
                continue
            err = _overlap(channels, (i, role, pad), (j, other_role, other))
            # the same overlap said of the other pad, for a caller that moved that one (a
            # sweep over the anode's placement read "does not overlap the anode")
            err.other_side = _overlap(channels, (j, other_role, other), (i, role, pad))
            raise err


def _overlap(channels: list[PlacedChannel], pad: tuple[int, str, Electrode],
             other: tuple[int, str, Electrode]) -> PadsOverlap:
    """Two pads on the same skin, said of ``pad`` (channel index, role, electrode)."""
    (i, role, at), (j, other_role, of) = pad, other
    whose = f"the {other_role}" if j == i else f"channel {channels[j].name}'s {other_role}"
    return PadsOverlap(f"channels[{i}].{role}.placement", at.name,
                       f"a pad that does not overlap {whose} at {of.name} (their "
                       f"{_pad_size(at)} and {_pad_size(of)} pads, as the file gives them, "
                       "cover the same skin)")


def _pad_size(pad: Electrode) -> str:
    """A pad's size as a file gives it: a round pad's diameter (it read "50 x 50 mm,
    width x length" for a 5 cm disc; probe of 8 December 2026), else width x length."""
    if pad.shape == "circular":
        return f"{pad.width * 1e3:g} mm round"
    return f"{pad.width * 1e3:g} x {pad.length * 1e3:g} mm (width x length)"
