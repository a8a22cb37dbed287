"""The program model: what a stimulator delivers, where, validated into frozen values.

A program file (TOML) names the device, the site and one or more channels. Each channel has
an electrode pair and a stimulation (the modality with its parameters). Quantities are parsed
from strings with units into SI floats once, here; every later stage reads SI.

Sign convention: channel current is positive when it flows from the anode electrode through
the tissue to the cathode electrode. The "leading" phase of a pulse is positive, so the
cathode electrode is the one that is cathodic during the leading phase.
"""

from __future__ import annotations

import math
import unicodedata

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictStr,
    field_validator,
    model_validator,
)

from estim.errors import InputError
from estim.program.common import Amplitude, FrozenModel, fmt_amplitude
from estim.program.options import (
    Control,
    ElectrodeShape,
    IFCMode,
    PulseShape,
    Recharge,
    Sensation,
    TENSMode,
    Verdict,
)
from estim.program.quantities import Area, Current, Length, Resistance, Voltage
from estim.program.stimulation import (
    DBS,
    HVPC,
    IONTOPHORESIS_MAX_A,
    NMES,
    STIMULATION_TYPES,
    TENS,
    Interferential,
    Iontophoresis,
    Microcurrent,
    Russian,
    Stimulation,
)

__all__ = [
    "DBS",
    "HVPC",
    "NMES",
    "STIMULATION_TYPES",
    "TENS",
    "Amplitude",
    "Channel",
    "Control",
    "Device",
    "Electrode",
    "ElectrodeShape",
    "IFCMode",
    "Interferential",
    "Iontophoresis",
    "Microcurrent",
    "Program",
    "PulseShape",
    "Recharge",
    "Russian",
    "SiteSpec",
    "Stimulation",
    "TENSMode",
    "Verdict",
]


class Device(FrozenModel):
    """The stimulator's output stage.

    :param control: current- or voltage-controlled output.
    :param max_current: largest current the device can be set to (A).
    :param max_voltage: largest voltage the device can be set to (V).
    :param compliance_voltage: the most voltage a current-controlled output can drive (V).
    :param current_limit: the most current a voltage-controlled output can drive (A).
    :param output_indicator: whether the device shows that it is delivering output (IEC
        60601-2-10 requires one above 10 mA / 10 V r.m.s. into 1 kΩ or 10 mJ per pulse);
        None: not stated, which the safety check reports as a warning where it matters.
    """

    name: StrictStr = "unnamed stimulator"
    control: Control
    max_current: Current | None = None
    max_voltage: Voltage | None = None
    compliance_voltage: Voltage | None = None
    current_limit: Current | None = None
    implanted: StrictBool = False
    output_indicator: StrictBool | None = None

    @model_validator(mode="after")
    def _complete(self) -> Device:
        if self.control is Control.CURRENT:
            if self.max_current is None:
                raise InputError("max_current", None,
                                 "the largest settable current of a current-controlled device, "
                                 "e.g. '100 mA'")
            if self.compliance_voltage is None:
                raise InputError("compliance_voltage", None,
                                 "the compliance voltage of a current-controlled device, "
                                 "e.g. '80 V'")
        elif self.max_voltage is None:
            raise InputError("max_voltage", None,
                             "the largest settable voltage of a voltage-controlled device, "
                             "e.g. '300 V'")
        for name in ("max_current", "max_voltage", "compliance_voltage", "current_limit"):
            v = getattr(self, name)
            if v is not None and v <= 0:
                raise InputError(name, v, "a positive value")
        # the other control's bounds were taken and never used: a current_limit on a
        # current-controlled unit read as if it held its current (probe of 5 December 2026)
        others = (("max_voltage", "current_limit") if self.control is Control.CURRENT
                  else ("max_current", "compliance_voltage"))
        own = ("max_current and compliance_voltage" if self.control is Control.CURRENT
               else "max_voltage and current_limit")
        for name in others:
            if getattr(self, name) is not None:
                raise InputError(name, getattr(self, name),
                                 f"nothing here: a {self.control.value}-controlled device is "
                                 f"bounded by its {own}")
        return self

    @property
    def max_amplitude(self) -> float:
        """The device maximum in the unit of its control (A or V)."""
        value = self.max_current if self.control is Control.CURRENT else self.max_voltage
        assert value is not None  # guaranteed by validation
        return value


#: The sizes each electrode shape takes (an area may stand for them).
_SIZES: dict[ElectrodeShape, tuple[str, ...]] = {
    ElectrodeShape.RECTANGULAR: ("width", "length"),
    ElectrodeShape.CIRCULAR: ("diameter",),
    ElectrodeShape.LEAD_CONTACT: ("diameter", "contact_length"),
}


#: A surface pad's smallest sides and area (estim.fields.electrodes.MIN_SURFACE_ELECTRODE_M);
#: a DBS lead contact keeps the program's general 0.1 mm floor.
_SURFACE_FLOORS = (("width", 1e-3, "1 mm"), ("length", 1e-3, "1 mm"),
                   ("diameter", 1e-3, "1 mm"), ("area", 1e-6, "1 mm²"))


class Electrode(FrozenModel):
    """One electrode of a channel.

    Rectangular electrodes take ``width`` and ``length``; circular ones ``diameter``; a DBS
    lead contact takes ``diameter`` (of the lead) and ``contact_length``. ``area`` may be given
    instead of the dimensions for either surface shape.
    """

    placement: StrictStr
    shape: ElectrodeShape = ElectrodeShape.RECTANGULAR
    width: Length | None = None
    length: Length | None = None
    diameter: Length | None = None
    contact_length: Length | None = None
    area: Area | None = None

    @model_validator(mode="after")
    def _sized(self) -> Electrode:
        for name in ("width", "length", "diameter", "contact_length", "area"):
            v = getattr(self, name)
            if v is not None and v <= 0:
                raise InputError(name, v, "a positive size")
        if self.shape is not ElectrodeShape.LEAD_CONTACT:
            # a surface pad: the field stage meshes nothing smaller (0.5 mm passed here and
            # was refused there as a 'size', under another floor than the file's)
            for name, least, words in _SURFACE_FLOORS:
                v = getattr(self, name)
                if v is not None and v < least * (1 - 1e-12):
                    raise InputError(name, v, f"at least {words} on a surface pad (smaller "
                                     "ones are not electrotherapy electrodes and cannot be "
                                     "meshed)")
        need = _SIZES[self.shape]
        # a size the shape does not take was silently ignored (a circular pad's width)
        for name in ("width", "length", "diameter", "contact_length"):
            v = getattr(self, name)
            if v is not None and name not in need:
                raise InputError(name, v, f"no {name} on a {self.shape.value} electrode: it "
                                 f"takes {' and '.join(need)} (or an area)")
        if self.area is not None:
            given = [n for n in need if getattr(self, n) is not None]
            if given and self.shape is not ElectrodeShape.LEAD_CONTACT:
                raise InputError("area", self.area, f"the area or the {' and '.join(need)}, "
                                 f"not both (the {given[0]} would be ignored)")
            return self
        missing = [n for n in need if getattr(self, n) is None]
        if missing:
            raise InputError(missing[0], None,
                             f"the {' and '.join(need)} of a {self.shape.value} electrode "
                             "(or its area)")
        return self

    @property
    def area_m2(self) -> float:
        """Conducting area (m²)."""
        if self.area is not None:
            return self.area
        if self.shape is ElectrodeShape.RECTANGULAR:
            assert self.width is not None and self.length is not None
            return self.width * self.length
        if self.shape is ElectrodeShape.CIRCULAR:
            assert self.diameter is not None
            return math.pi * self.diameter**2 / 4.0
        assert self.diameter is not None and self.contact_length is not None
        return math.pi * self.diameter * self.contact_length

    @property
    def implanted(self) -> bool:
        return self.shape is ElectrodeShape.LEAD_CONTACT


def _short_repr(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


#: The program's own keys: one of them under [site] was written in the wrong place
#: ("site.channels: expected a quantity with units", probe of 5 December 2026).
_PROGRAM_KEYS = frozenset({"description", "source", "expected_verdict",
                           "expected_sensation", "device", "site", "channels"})


class SiteSpec(BaseModel):
    """Where the program is applied: a named site and overrides of its defaults.

    Overrides are kept as the user's strings (e.g. ``skin_thickness = "1.5 mm"``); the fields
    stage, which owns the site parameters, parses and checks them.
    """

    model_config = ConfigDict(frozen=True, extra="allow")

    name: StrictStr

    @model_validator(mode="after")
    def _texts(self) -> SiteSpec:
        if len(self.name) > 64:
            raise InputError("name", _short_repr(self.name), "a site name (at most 64 characters)")
        for key, value in (self.model_extra or {}).items():
            if key in _PROGRAM_KEYS:  # TOML puts a key written below [site] into the site
                raise InputError(key, _short_repr(value),
                                 f"a site override: {key!r} is a key of the program, and "
                                 "written below [site] it belongs to the site table (move it "
                                 "above [site], or into its own [[channels]] / [device] "
                                 "section)")
            if not key.isidentifier():  # `7 = 3` is no override whatever its value
                raise InputError(key, _short_repr(key), "a site key: a layer and what it sets, "
                                 "e.g. fat_thickness or skin_conductivity, or length, width")
            if not isinstance(value, str) or len(value) > 64:
                raise InputError(key, _short_repr(value),
                                 "a quantity with units, as text, e.g. '1.5 mm' or '0.2 S/m'")
        if len(self.model_extra or {}) > 32:
            raise InputError("site", f"{len(self.model_extra or {})} overrides",
                             "at most 32 overrides")
        return self

    @property
    def overrides(self) -> dict[str, str]:
        extra = self.model_extra or {}
        return {k: str(v) for k, v in extra.items()}

    @property
    def lead(self) -> str | None:
        """The DBS lead the program names (``lead = "medtronic_3389"``), or None."""
        value = (self.model_extra or {}).get("lead")
        return None if value is None else str(value)


# --- stimulations ----------------------------------------------------------------------------


class Channel(FrozenModel):
    """One output channel: an electrode pair and what it delivers.

    :param impedance: a DBS lead's measured impedance (Ω), as its stimulator reports it: a
        voltage-controlled output is judged into it, a current-controlled one where it lets
        more through than 500 Ω. None: not stated (the field solution's stands in). Refused
        on skin pads, whose skin and interface estim models.
    """

    name: StrictStr
    anode: Electrode
    cathode: Electrode
    stimulation: Stimulation
    impedance: Resistance | None = None

    @model_validator(mode="after")
    def _impedance(self) -> Channel:
        z = self.impedance
        if z is not None and not MIN_IMPEDANCE_OHM <= z <= MAX_IMPEDANCE_OHM:
            raise InputError("impedance", f"{z:g} ohm",
                             f"an impedance between {MIN_IMPEDANCE_OHM:g} and "
                             f"{MAX_IMPEDANCE_OHM:g} ohm")
        if z is not None and not (self.anode.implanted or self.cathode.implanted):
            # nothing reads it on skin pads: estim models the skin and its interface under
            # them (TENS's and HVPC's were accepted and changed nothing; probes of 5 December
            # 2026)
            raise InputError("impedance", f"{z:g} ohm",
                             "no impedance on a channel of skin pads (estim models the skin "
                             "and its interface under them; a stated impedance is a DBS "
                             "lead's, as its stimulator reports it)")
        return self


#: The smallest implanted pulse generator's case a program may give (m²): a can is tens of
#: cm² (5 × 6 cm in the DBS example); below 10 cm² it is a typing slip (an assumed bound).
MIN_CASE_AREA_M2 = 10e-4

#: Bounds of a stated electrode impedance (Ω): a DBS lead reads 500-1,500 Ω (Butson et al.
#: 2006); below 50 Ω is a short circuit, above 100 kΩ an open one.
MIN_IMPEDANCE_OHM = 50.0
MAX_IMPEDANCE_OHM = 100e3


#: A sensation's name before 5 December 2026 and its name now.
_CONTRACTION_BEFORE = {"contraction, approaching pain": "contraction, below pain"}


def _shown_name(name: str) -> str:
    """A channel's name as it reads: without format characters, its spaces collapsed.

    >>> _shown_name(" 1 ") == _shown_name("1") == _shown_name("1\u200b")
    True
    """
    return " ".join("".join(c for c in name if unicodedata.category(c) != "Cf").split())


#: The most channels a program may have: TENS and NMES units have 1 to 4, and this leaves
#: room for research arrays; each channel is simulated on its own, so the bound is also
#: a bound on a run's time.
MAX_CHANNELS = 16


class Program(FrozenModel):
    """A whole stimulation program, as read from a program file.

    :param expected_verdict: what ``estim check`` should conclude, written by the author of
        the file (the bundled examples state theirs; the tests hold them to it).
    :param expected_sensation: what the program's source says a person should feel at the
        programmed intensity: one sensation or a list of acceptable ones (``"light
        tingling"``, ...; see :class:`estim.program.options.Sensation`). ``estim run`` reports
        whether the prediction agrees.
    """

    name: StrictStr
    description: StrictStr = ""
    source: StrictStr = ""
    expected_verdict: Verdict | None = None
    expected_sensation: tuple[Sensation, ...] = ()
    device: Device
    site: SiteSpec
    channels: tuple[Channel, ...] = Field(min_length=1)

    @field_validator("expected_sensation", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        values = (value,) if isinstance(value, str) else value
        if isinstance(values, list | tuple):
            # the name before 5 December 2026, kept for the files that use it: the level
            # lies anywhere between the twitch and pain, and Russian current's 70 mA was
            # "approaching" a pain of 190 mA (probe)
            values = tuple(_CONTRACTION_BEFORE.get(v, v) if isinstance(v, str) else v
                           for v in values)
        return values

    @model_validator(mode="before")
    @classmethod
    def _lead_contacts(cls, data: object) -> object:
        """With ``[site] lead = ...``: every electrode is a contact of that lead or the case,
        and a contact's size comes from the lead (see :mod:`estim.program.leads`)."""
        from estim.program.leads import with_lead_contacts

        return with_lead_contacts(data)

    @model_validator(mode="after")
    def _consistent(self) -> Program:
        # an empty name printed a blank first line and "Channel  — tens" (probe of
        # 5 December 2026)
        if not self.name.strip():
            raise InputError("name", self.name, "a name for the program (it heads every "
                             "output)")
        if len(self.channels) > MAX_CHANNELS:
            # 200 copies of a channel held the web server's one worker for 5.5 minutes
            # (probe of 6 December 2026)
            raise InputError("channels", f"{len(self.channels)} channels",
                             f"at most {MAX_CHANNELS} channels (more than any stimulator "
                             "estim models has; simulate a larger array in programs of up "
                             f"to {MAX_CHANNELS})")
        names = [c.name for c in self.channels]
        stated: dict[frozenset[str], tuple[str, float]] = {}  # electrode pair -> impedance
        for i, c in enumerate(self.channels):
            if c.impedance is not None:
                # one pair of electrodes has one impedance: 400 and 3,000 Ω stated for the
                # same contact and case were each judged into their own (probe)
                pair = frozenset((c.anode.placement, c.cathode.placement))
                other = stated.setdefault(pair, (c.name, c.impedance))
                if abs(other[1] - c.impedance) > 1e-9 * other[1]:
                    raise InputError(f"channels[{i}].impedance", f"{c.impedance:g} ohm",
                                     f"the impedance channel {other[0]!r} states for the same "
                                     f"electrodes ({other[1]:g} ohm)")
            if not c.name.strip():
                raise InputError(f"channels[{i}].name", c.name, "a name for the channel "
                                 "(\"1\", \"A\"; the output tables name it)")
            if c.anode.placement == c.cathode.placement:
                raise InputError(f"channels[{i}].cathode.placement", c.cathode.placement,
                                 "a placement other than the anode's")
            if names.index(c.name) != i:
                raise InputError(f"channels[{i}].name", c.name, "a name no other channel has")
            # "1" and "1 ", or "A" and "A" with a zero-width space, printed as the same
            # channel twice (probe of 6 December 2026)
            seen = [k for k in range(i) if _shown_name(names[k]) == _shown_name(c.name)]
            if seen:
                raise InputError(f"channels[{i}].name", c.name, "a name no other channel has "
                                 f"(it reads as channel {names[seen[0]]!r}'s: they differ "
                                 "only in spaces or invisible characters)")
            if self.device.implanted and not (c.anode.implanted or c.cathode.implanted):
                # an implanted device is judged by the implant rules alone; on skin pads
                # that would drop every rule of the skin (IEC 60601-2-10, FDA)
                raise InputError("device.implanted", True,
                                 f"false: channel {c.name!r} has no implanted electrode (an "
                                 "implant's electrodes are the contacts of a lead: [site] "
                                 "lead = ... and placement = 'lead_contact_N'), and its skin "
                                 "electrodes are judged by the rules for skin")
            if "implanted" in self.device.model_fields_set and not self.device.implanted \
                    and (c.anode.implanted or c.cathode.implanted):
                # written false beside a lead's contact: the implant rules judge it anyway,
                # and the file said otherwise without a word (probe of 5 December 2026)
                raise InputError("device.implanted", False,
                                 f"true, or left out: channel {c.name!r} drives the contact "
                                 "of an implanted lead")
            on_lead = c.anode.implanted or c.cathode.implanted
            if on_lead != (c.stimulation.type == "dbs"):
                # TENS on a brain lead got a skin window ("painful: this would hurt") and
                # PASSed with a net d.c.; DBS on skin pads failed in run only (probe of
                # 5 December 2026)
                raise InputError(
                    f"channels[{i}].stimulation.type", c.stimulation.type,
                    "'dbs': the channel drives the contact of an implanted lead, where estim "
                    "models deep brain stimulation only" if on_lead else
                    "a transcutaneous modality ('tens', 'nmes', ...): 'dbs' drives the "
                    "contacts of a lead ([site] lead = ... and placement = 'lead_contact_N')")
            for role in ("anode", "cathode"):
                e = getattr(c, role)
                if e.shape is ElectrodeShape.LEAD_CONTACT:
                    from estim.program.leads import contact_size_problem

                    wrong = contact_size_problem(e, self.site.lead, f"channels[{i}].{role}")
                    if wrong is not None:
                        raise wrong
                if e.placement == "case" and e.area_m2 < MIN_CASE_AREA_M2 * (1 - 1e-9):
                    # the field takes the case as the brain's far boundary whatever its
                    # size, and the table's "smaller electrode" then read a 1 mm² case
                    raise InputError(f"channels[{i}].{role}", f"{e.area_m2 * 1e4:.3g} cm²",
                                     f"a pulse generator's case of at least "
                                     f"{MIN_CASE_AREA_M2 * 1e4:g} cm² (an implanted pulse "
                                     "generator's can is tens of cm², e.g. 5 × 6 cm)")
            amp = c.stimulation.amplitude
            where = f"channels[{i}].stimulation.amplitude"
            if c.stimulation.type == "iontophoresis" and self.device.control is not \
                    Control.CURRENT:
                raise InputError("device.control", self.device.control.value,
                                 "'current': iontophoresis is dosed in charge (mA·min), "
                                 "which the current sets")
            if amp.control is not self.device.control:
                raise InputError(where, fmt_amplitude(amp),
                                 f"a {self.device.control.value}, because the device is "
                                 f"{self.device.control.value}-controlled")
            if amp.value > self.device.max_amplitude * (1 + 1e-12):
                limit = Amplitude(value=self.device.max_amplitude, control=amp.control)
                raise InputError(where, fmt_amplitude(amp), f"at most the device maximum "
                                 f"({fmt_amplitude(limit)})")
            if c.stimulation.type == "iontophoresis" and \
                    amp.value > IONTOPHORESIS_MAX_A * (1 + 1e-12):
                # accepted, then estim run failed in the dose model with "current_A: got
                # 0.012" (probe of 6 December 2026); the program's own setting, so the
                # safety check still judges a device maximum above it
                raise InputError(where, fmt_amplitude(amp),
                                 "at most 10 mA: iontophoresis units deliver 0-4 mA, and "
                                 "estim's dose model holds to 10 mA")
        ifc = [c.stimulation for c in self.channels
               if isinstance(c.stimulation, Interferential)
               and c.stimulation.mode is IFCMode.TRUE]
        if ifc:
            roles = sorted(s.role or "" for s in ifc)
            if roles != ["base", "beat"]:
                raise InputError("channels", roles,
                                 "true interferential: exactly one 'base' and one 'beat' channel")
            if len(self.channels) != 2:
                # with a third channel the carriers were read apart, each an unmodulated
                # 4 kHz sine, and the beat's twitch and pain were gone (probe of 6 December
                # 2026): estim superposes the two carriers only in a program of their own
                raise InputError("channels", f"{len(self.channels)} channels",
                                 "true interferential's two carriers as the program's only "
                                 "channels (estim superposes them at the nerve only then): "
                                 "put the other channels in a program of their own")
            a, b = ifc
            second = next(i for i, c in enumerate(self.channels) if c.stimulation is b)
            for key in ("carrier_frequency", "beat_frequency", "beat_frequency_max", "sweep"):
                # the sweep by its phases: "6.0:6" and "6 : 6" are "6:6" (probe)
                same = (a.sweep_phases_s == b.sweep_phases_s if key == "sweep"
                        else getattr(a, key) == getattr(b, key))
                if not same:
                    def shown(v: object) -> object:  # a frequency as a file writes it
                        if v is None:  # "(None on the other)"
                            return "not set"
                        return f"{v:g} Hz" if isinstance(v, float) else v
                    raise InputError(f"channels[{second}].stimulation.{key}",
                                     shown(getattr(b, key)),
                                     f"the same {key} on both interferential channels "
                                     f"({shown(getattr(a, key))} on the other)")
        return self

    @property
    def true_interferential(self) -> bool:
        """Whether the channels are the two carriers of true interferential current (a base
        and a beat channel), which beat only where their fields overlap."""
        return len(self.channels) == 2 and all(
            isinstance(c.stimulation, Interferential) and c.stimulation.mode is IFCMode.TRUE
            for c in self.channels)

    @property
    def first_on(self) -> Channel:
        """The first channel that is on (the first where none is): the one the dial sets,
        a population lies under and a virtual subject's motor points move with, where the
        first channel, off beside one that is on, was taken (5 December 2026)."""
        return next((c for c in self.channels if c.stimulation.amplitude.value > 0),
                    self.channels[0])

    @property
    def implanted(self) -> bool:
        return self.device.implanted or any(
            c.anode.implanted or c.cathode.implanted for c in self.channels)
