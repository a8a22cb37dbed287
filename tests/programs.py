"""Program text for tests that need a program no bundled example is: a device and a site,
then channels, written as the TOML a user writes (so the loader reads them as it reads a
file).

>>> print(channel("1", "lumbar_left_upper", "lumbar_left_lower", pad=disc("2 cm"), **TENS))
<BLANKLINE>
[[channels]]
name = "1"
anode = { placement = "lumbar_left_upper", shape = "circular", diameter = "2 cm" }
cathode = { placement = "lumbar_left_lower", shape = "circular", diameter = "2 cm" }
[channels.stimulation]
type = "tens"
mode = "conventional"
amplitude = "25 mA"
frequency = "80 Hz"
pulse_width = "200 us"
duration = "30 min"
<BLANKLINE>
"""

from __future__ import annotations

#: Conventional TENS as the bundled example has it.
TENS = {"type": "tens", "mode": "conventional", "amplitude": "25 mA", "frequency": "80 Hz",
        "pulse_width": "200 us", "duration": "30 min"}
#: Iontophoresis at 4 mA to 40 mA·min (the bundled example's current and dose).
IONTO = {"type": "iontophoresis", "amplitude": "4 mA", "dose": "40 mA*min"}
#: The bundled example's ramps and drug, for a channel that needs them.
IONTO_DEXAMETHASONE = {**IONTO, "ramp_up": "30 s", "ramp_down": "30 s",
                       "drug": "dexamethasone_sodium_phosphate"}


def _value(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    return f'"{v}"'


def head(name: str = "mixed", site: str = "lower_back", /, *, max_current: str = "100 mA",
         compliance_voltage: str = "80 V", **device: object) -> str:
    """A program's name, a current-controlled device and a site (more ``[device]`` keys,
    its ``name`` too, as keywords)."""
    keys = {"control": "current", "max_current": max_current,
            "compliance_voltage": compliance_voltage, **device}
    lines = [f'name = "{name}"', "[device]", *(f"{k} = {_value(v)}" for k, v in keys.items()),
             "[site]", f'name = "{site}"']
    return "\n".join(lines) + "\n"


def rect(width: str = "5 cm", length: str | None = None) -> str:
    """A rectangular pad's shape (square where ``length`` is not given)."""
    return f'shape = "rectangular", width = "{width}", length = "{length or width}"'


def disc(diameter: str) -> str:
    """A circular pad's shape."""
    return f'shape = "circular", diameter = "{diameter}"'


def channel(name: str, anode: str, cathode: str, *, pad: str | None = None,
            cathode_pad: str | None = None, **stimulation: object) -> str:
    """One ``[[channels]]`` block: pads at two placements (``pad`` for both, 5 cm squares
    by default; ``cathode_pad`` where the cathode differs) and its stimulation's keys."""
    pad = pad or rect()
    lines = ["", "[[channels]]", f'name = "{name}"',
             f'anode = {{ placement = "{anode}", {pad} }}',
             f'cathode = {{ placement = "{cathode}", {cathode_pad or pad} }}',
             "[channels.stimulation]", *(f"{k} = {_value(v)}" for k, v in stimulation.items())]
    return "\n".join(lines) + "\n"
