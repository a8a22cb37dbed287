"""The field cross-section as data for the page's canvas: |E| per ampere of the dial on the
section :func:`estim.report.figures.cross_section` chooses, with its layers and electrodes.

The field is linear in the current (quasi-static volume conductor), so the page draws the
section at any dial setting by scaling this one grid: no solve while the dial turns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from estim.fields.interference import envelope_max
from estim.report.figures import ALTERNATING_NOTE, cross_section

if TYPE_CHECKING:
    from estim.fields.program import ProgramFields

__all__ = ["section_data"]

#: Every how many grid points of the report's section one is sent (161 -> 81 a side).
_STRIDE = 2


def section_data(program_fields: ProgramFields, *, dial_unit: str = "A",
                 dial_channel: str | None = None) -> dict[str, object]:
    """|E| (V/m per unit of the dial) on the section, and what to draw on it.

    The dial sets its channel's current (the first that is on; beside iontophoresis the
    first pulsed one), or on a voltage-controlled device its voltage,
    which drives the current voltage ÷ resistance (the channel's tissue and interface); the
    other channels keep their ratio to it (as the programmed currents have). True
    interferential's two channels: the envelope of their beat, as the report draws it;
    other channels: the magnitude of their fields' sum (two TENS channels do not beat).

    :param dial_unit: "A", or "V" for a voltage dial (the field is then per volt).
    :param dial_channel: the channel the dial sets
        (:func:`estim.stimulator.safety_dial.dial_channel`); None: the first that is on.
        Beside an iontophoresis channel it is the pulsed one: per ampere of the d.c.
        channel listed first, the field was drawn 6.25 times too strong (25 mA over 4 mA;
        probe of 6 December 2026).

    :returns: ``kind``, ``horizontal_m`` and ``vertical_m`` (m), ``field_v_per_m_per_unit``
        (rows of the vertical axis; None outside the body), the axis labels, ``layers``
        (tissue, top and bottom depth below the skin, m), ``electrodes`` (channel, role,
        start and end along the horizontal axis in m, or the angle in rad for a transverse
        section; ``alternating`` where its current is a sinusoidal carrier, so that its
        role is the first half-cycle's polarity alone), ``outer_radii_m`` and ``pads_note``
        (what + and − mean on such pads, else None).
    """
    section = cross_section(program_fields)
    pts = section.points[::_STRIDE, ::_STRIDE]
    shape = pts.shape[:2]
    flat = pts.reshape(-1, 3)
    channels = program_fields.channels
    currents = program_fields.currents
    # the dial's channel: the first that is on (the first, off, drew no field at all); the
    # others move with it, and with every channel off the dial sets each alike (their field
    # was drawn as none while the person was "painful"; review of 5 December 2026)
    dial = next((c for c in channels if c.name == dial_channel and currents[c.name] > 0),
                next((c for c in channels if currents[c.name] > 0), None))
    volts = dial_unit == "V"
    if dial is not None:
        # [A of the channel -> per A of the dial; per V of the dial: I = V / R]
        per_unit = {c.name: currents[c.name] / currents[dial.name]
                    / (dial.resistance if volts else 1.0) for c in channels}
    else:
        per_unit = {c.name: 1.0 / (c.resistance if volts else 1.0) for c in channels}
    fields = [c.field(flat) * per_unit[c.name] for c in channels]
    # true interferential's two carriers beat where both are on (one alone has no beat, and
    # its envelope's was drawn as no field; review of 5 December 2026)
    beat = len(fields) == 2 and program_fields.beat and all(per_unit[c.name] > 0
                                                            for c in channels)
    if beat:
        image = envelope_max(fields[0], fields[1])
    else:
        image = np.linalg.norm(np.sum(fields, axis=0), axis=1)
    image = np.asarray(image, dtype=float).reshape(shape)
    rows = [[round(float(v), 4) if np.isfinite(v) else None for v in row] for row in image]
    return {
        "kind": section.kind,
        # the beat's amplitude, not the field (its caption said "Electric field"; educator
        # probe of 6 December 2026)
        "beat": bool(beat),
        "horizontal_m": [float(x) for x in section.horizontal_m[::_STRIDE]],
        "vertical_m": [float(x) for x in section.vertical_m[::_STRIDE]],
        "field_v_per_m_per_unit": rows,  # per A, or per V of a voltage dial ("unit")
        "unit": dial_unit,  # named as in every other answer
        "horizontal_label": section.horizontal_label,
        "vertical_label": section.vertical_label,
        "layers": [{"tissue": t, "top_m": top, "bottom_m": bottom}
                   for t, top, bottom in section.layers],
        "electrodes": [{"channel": e.channel, "role": e.role, "start": e.start, "end": e.end,
                        "offset_m": e.offset_m, "side": e.side,
                        # a sinusoidal carrier's pad is anode and cathode in turn
                        "alternating": e.channel in section.alternating}
                       for e in section.electrodes],
        "outer_radii_m": list(section.outer_radii_m),
        "pads_note": (ALTERNATING_NOTE if any(e.channel in section.alternating
                                              for e in section.electrodes) else None),
    }
