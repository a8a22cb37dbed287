"""The mode menu of the virtual stimulator and the program its settings make.

A mode is a bundled example program, a massage-like TENS pattern (``knead``, ``tap``,
``rub``) or a custom program the user pastes. :func:`settings_program` turns what the page's
form sends (strings with units, as in a program file) into a :class:`~estim.Program` through
the same loader and set-up checks as ``estim run``, so a bad value gets the CLI's one-line
message; :class:`SettingsError` adds which form field it belongs to.

>>> program = settings_program(DeviceSettings(mode="knead", pulse_width="300 us"))
>>> program.channels[0].stimulation.pulse_width
0.0003
>>> try:
...     settings_program(DeviceSettings(mode="tap", frequency="80"))
... except SettingsError as err:
...     print(err.setting, "|", err)
frequency | channels[0].stimulation.frequency: got '80', expected a frequency (in Hz or ...
"""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from functools import lru_cache
from typing import Any

from estim.errors import Described, InputError
from estim.fields.sites import BRAIN_SITES
from estim.leads import is_contact_placement
from estim.program.bundled import bundled_examples
from estim.program.loader import ProgramError, load_program, parse_program, program_from_dict
from estim.program.model import Program
from estim.setup import build_setup
from estim.stimulator.options import ModeKind

__all__ = ["MASSAGE_PROGRAMS", "DeviceSettings", "Mode", "ModeKind", "SettingsError",
           "form_defaults", "mode", "modes", "settings_program"]


#: The form's words for the settings every pulsed channel takes.
_SETTING_WORDS = {"pulse_width": "pulse width", "frequency": "rate"}


@dataclass(frozen=True)
class Mode:
    """One entry of the mode menu.

    :param id: what :attr:`DeviceSettings.mode` names (an example's file stem, ``knead``...).
    :param label: a short title.
    :param description: the parameters in words.
    :param kind: example, massage pattern or custom program.
    :param source: where the pattern comes from (and how strong that evidence is).
    :param settings: the form's pulse settings (``pulse_width``, ``frequency``) its modality
        has: the page offered a rate for interferential and refused it (browser probe of
        6 December 2026).
    """

    id: str
    label: str
    description: str
    kind: ModeKind
    source: str
    settings: tuple[str, ...] = tuple(_SETTING_WORDS)
    #: whether it has pads whose size the form can set (a DBS lead's contacts have the
    #: lead's: the page offered "e.g. 5 cm" and refused any; educator's probe of 7 December
    #: 2026)
    pads: bool = True
    #: the mode's own value of each form setting, as its program writes it ("200 us"), for
    #: the form's placeholders (they read "e.g. 80 Hz" in a 2 Hz mode; educator's probe of
    #: 7 December 2026)
    defaults: Mapping[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "description": self.description,
                "kind": self.kind.value, "source": self.source, "settings": list(self.settings),
                "pads": self.pads, "defaults": dict(self.defaults)}


def form_defaults(data: Mapping[str, Any]) -> dict[str, str]:
    """The form's settings as the program data ``data`` has them on its first channel: the
    pads' size (a round pad's diameter, and two pads of different sizes, said in words: the
    form's size is both pads'), the pulse width and the rate.

    >>> form_defaults(MASSAGE_PROGRAMS["tap"])["pulse_width"]
    '250 us'
    """
    channel = (data.get("channels") or [{}])[0]
    stimulation = channel.get("stimulation") or {}
    out: dict[str, str] = {}
    sizes = {}
    for role in ("cathode", "anode"):
        pad = channel.get(role) or {}
        if "width" in pad:
            sizes[role] = (str(pad["width"]), str(pad.get("length", pad["width"])))
        elif "diameter" in pad:
            sizes[role] = (f"round, {pad['diameter']} across",) * 2
    if len(set(sizes.values())) == 1:
        out["pad_width"], out["pad_length"] = next(iter(sizes.values()))
    elif sizes:
        for k, key in enumerate(("pad_width", "pad_length")):
            out[key] = ", ".join(f"{role} {size[k]}" for role, size in sizes.items())
    for key in ("pulse_width", "frequency"):
        if key in stimulation:
            out[key] = str(stimulation[key])
    return out


# --- massage-like TENS patterns ----------------------------------------------------------------

# Consumer TENS units (OMRON's among them) sell "kneading", "tapping" and "rubbing" modes and
# describe them only by feel ("variations of tapping, tingling, massage-like sensations",
# omronhealthcare.com/tens-units/how-tens-works); no manufacturer found publishes their pulse
# parameters and no study tests them. So each pattern below is estim's construction from the
# program model's own TENS modes, chosen to give the named rhythm; the rhythms rest on the
# studied burst (Eriksson, Sjolund & Nielzen 1979) and modulated (Johnson 2008, ch. 15;
# Pantaleao et al. 2011) TENS.
_MANUFACTURER = ("manufacturer description, not a study: OMRON TENS units describe "
                 "'tapping, tingling, massage-like sensations' "
                 "(omronhealthcare.com/tens-units/how-tens-works) and consumer units label "
                 "patterns 'kneading' and 'tapping' (luxifyo.com/?p=77946) without pulse "
                 "parameters; the parameters here are estim's construction")

_DEVICE = {"name": "generic OTC TENS unit (massage programs)", "control": "current",
           "max_current": "100 mA", "compliance_voltage": "80 V", "output_indicator": True}


def _pads() -> dict[str, dict[str, str]]:
    return {"anode": {"placement": "lumbar_left_upper", "shape": "rectangular",
                      "width": "5 cm", "length": "5 cm"},
            "cathode": {"placement": "lumbar_left_lower", "shape": "rectangular",
                        "width": "5 cm", "length": "5 cm"}}


# The programmed amplitude is where the dial starts, a strong tingling in estim's own window
# for these pads (tap: strong 8.2 mA, twitch 27.1 mA, pain 39.2 mA on 5 x 5 cm lower-back
# pads; the pain 6 December 2026); the person turns it up from there.
def _massage(name: str, description: str, source: str,
             stimulation: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "description": description, "source": source,
            "device": dict(_DEVICE), "site": {"name": "lower_back"},
            "channels": [{"name": "1", **_pads(), "stimulation": stimulation}]}


#: The massage patterns as program data (what a program file parses into), by mode id.
MASSAGE_PROGRAMS: Mapping[str, Mapping[str, Any]] = {
    "knead": _massage(
        "Knead (massage-like TENS)",
        "50 Hz, 250 µs; the amplitude swells and fades by 70 % over 2 s, like a kneading "
        "hand; 15 min",
        "amplitude-modulated TENS (Johnson 2008, ch. 15: modulated TENS) at a slow 0.5 Hz "
        "swell; " + _MANUFACTURER,
        {"type": "tens", "mode": "modulated", "amplitude": "10 mA", "frequency": "50 Hz",
         "pulse_width": "250 us", "amplitude_modulation": 0.7, "modulation_period": "2 s",
         "duration": "15 min"}),
    "tap": _massage(
        "Tap (massage-like TENS)",
        "bursts of 5 pulses at 100 Hz, 3 bursts a second, 250 µs: each burst a distinct tap; "
        "15 min",
        "burst TENS (Eriksson, Sjolund & Nielzen 1979, Pain 6:335: trains at 100 Hz repeated "
        "at 2 Hz) at a tapping rhythm of 3 bursts/s; " + _MANUFACTURER,
        {"type": "tens", "mode": "burst", "amplitude": "14 mA", "frequency": "100 Hz",
         "burst_frequency": "3 Hz", "pulses_per_burst": 5, "pulse_width": "250 us",
         "duration": "15 min"}),
    "rub": _massage(
        "Rub (massage-like TENS)",
        "80 Hz, 200 µs; the rate dips by up to 50 % and the amplitude by up to 30 % and "
        "back every 0.5 s, a quick back-and-forth; 15 min",
        "rate- and amplitude-modulated TENS (Johnson 2008, ch. 15; Pantaleao et al. 2011, "
        "J Pain 12:581) at a fast 2 Hz swing; " + _MANUFACTURER,
        {"type": "tens", "mode": "modulated", "amplitude": "10 mA", "frequency": "80 Hz",
         "pulse_width": "200 us", "rate_modulation": 0.5, "amplitude_modulation": 0.3,
         "modulation_period": "0.5 s", "duration": "15 min"}),
}

_CUSTOM = Mode("custom", "Custom program", "a program file's text (TOML), as for estim run",
               ModeKind.CUSTOM, "the user's own program")


@lru_cache(maxsize=1)
def modes() -> tuple[Mode, ...]:
    """Every mode of the menu: the bundled examples, the massage patterns, ``custom``.

    Reads the bundled example files on the first call (not at import)."""
    out = []
    for stem, path in bundled_examples().items():
        p = load_program(path)
        kind = p.channels[0].stimulation.type
        pads = p.site.name not in BRAIN_SITES
        own = form_defaults(tomllib.loads(path.read_text("utf-8")))
        out.append(Mode(stem, p.name, p.description, ModeKind.EXAMPLE, p.source,
                        tuple(k for k in _SETTING_WORDS if k in _fields_of_types()[kind]),
                        pads=pads,  # a lead's case is no pad the form sizes
                        defaults={k: v for k, v in own.items()
                                  if pads or not k.startswith("pad_")}))
    for stem, data in MASSAGE_PROGRAMS.items():
        out.append(Mode(stem, str(data["name"]), str(data["description"]), ModeKind.MASSAGE,
                        str(data["source"]), defaults=form_defaults(data)))
    out.append(_CUSTOM)
    return tuple(out)


def __getattr__(name: str) -> Any:
    if name == "MODES":  # built on first use: it reads the bundled example files
        return modes()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def mode(mode_id: str) -> Mode:
    """The mode named ``mode_id``.

    :raises InputError: no such mode (the message lists them)."""
    found = {m.id: m for m in modes()}
    if not isinstance(mode_id, str) or mode_id not in found:
        raise SettingsError([InputError("mode", mode_id, "one of " + ", ".join(found))],
                            setting="mode")
    return found[mode_id]


# --- the form's settings -----------------------------------------------------------------------


@dataclass(frozen=True)
class DeviceSettings:
    """What the page's form sends: strings with units, as in a program file.

    :param mode: a :attr:`Mode.id`.
    :param site: a site name; None: the mode's own site.
    :param anode: placement of the anode on the site (``estim placements SITE``); None: the
        mode's own.
    :param cathode: placement of the cathode.
    :param pad_width: width of every skin pad of every channel (``"5 cm"``); the pads
        become rectangular.
    :param pad_length: length of every skin pad.
    :param pulse_width: pulse width of every channel (``"200 us"``).
    :param frequency: pulse rate of every channel (``"80 Hz"``).
    :param custom_toml: mode ``custom``: a program file's text.
    """

    mode: str
    site: str | None = None
    anode: str | None = None
    cathode: str | None = None
    pad_width: str | None = None
    pad_length: str | None = None
    pulse_width: str | None = None
    frequency: str | None = None
    custom_toml: str | None = None

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> DeviceSettings:
        """Settings from a form's fields (unknown keys refused; empty strings are None).

        :raises SettingsError: an unknown field, or a value that is not text.
        """
        names = [f.name for f in fields(cls)]
        values: dict[str, str | None] = {}
        for key, value in data.items():
            if key not in names:
                raise SettingsError([InputError(key, value, "a setting (" + ", ".join(names)
                                                + ")")], setting=key)
            if value is not None and not isinstance(value, str):
                raise SettingsError([InputError(key, value, _EXPECTED_TEXT.get(key, "text"))],
                                    setting=key)
            values[key] = value or None
        if values.get("mode") is None:
            # null or "" given is not '(missing)' (probe of 5 December 2026)
            given = (Described("null") if "mode" in data and data["mode"] is None
                     else data.get("mode"))
            raise SettingsError([InputError("mode", given, "a mode, e.g. 'tens_conventional' "
                                            "(estim programs lists them)")], setting="mode")
        return cls(**values)  # type: ignore[arg-type]

    def to_dict(self) -> dict[str, str | None]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


#: What each setting is, with an example as the form sends it (an error said "e.g. '200 us'" of a
#: mode; probe of 5 December 2026).
_EXPECTED_TEXT = {
    **{key: f"text, e.g. {example!r}" for key, example in (
        ("mode", "tens_conventional"), ("site", "lower_back"), ("anode", "lumbar_left_upper"),
        ("cathode", "lumbar_left_lower"), ("pad_width", "5 cm"), ("pad_length", "5 cm"),
        ("pulse_width", "200 us"), ("frequency", "80 Hz"))},
    "custom_toml": "a program file's text",
}


class SettingsError(ProgramError):
    """A setting the program loader or the set-up refuses: the CLI's one-line message
    (``str(err)``), with :attr:`setting` naming the form field it belongs to."""

    def __init__(self, problems: list[InputError], *, setting: str,
                 settings: list[str] | None = None) -> None:
        super().__init__(problems)
        self.setting = setting
        #: each problem's own form field (two bad settings were both shown under the first's
        #: box; probe of 5 December 2026)
        self.settings = settings if settings is not None else [setting] * len(problems)


#: Where a problem's dotted path (its ending) points in the form.
_SETTING_OF_PATH = (
    ("site.name", "site"), ("site.lead", "site"),
    ("anode.placement", "anode"), ("cathode.placement", "cathode"),
    ("anode.shape", "anode"), ("cathode.shape", "cathode"),
    ("anode.width", "pad_width"), ("cathode.width", "pad_width"),
    ("anode.length", "pad_length"), ("cathode.length", "pad_length"),
    # a pad too large for the site (its size as a whole): the size the form changed (it
    # was shown beside the mode; docs check of 5 December 2026)
    ("anode.size", "pad_width"), ("cathode.size", "pad_width"),
    ("anode.size", "pad_length"), ("cathode.size", "pad_length"),
    ("stimulation.pulse_width", "pulse_width"), ("stimulation.frequency", "frequency"),
    # a rate too low for the mode's own modulation or burst: the rate the form changed
    # (knead at 4 Hz was shown under Mode, about a modulation period nobody typed; probe
    # of 6 December 2026)
    ("stimulation.modulation_period", "frequency"),
    ("stimulation.pulses_per_burst", "frequency"), ("stimulation.burst_frequency", "frequency"),
)


def _setting_for(field: str, settings: DeviceSettings) -> str:
    if field.endswith("stimulation.pulse_width") and settings.pulse_width is None \
            and settings.frequency is not None:
        # the mode's own pulse no longer fits the period of the rate typed: the rate's
        # (10 kHz was shown under Mode, about a pulse width nobody typed; educator's probe
        # of 7 December 2026)
        return "frequency"
    for suffix, setting in _SETTING_OF_PATH:
        if field.endswith(suffix) and getattr(settings, setting) is not None:
            return setting
    if field.endswith(".placement") and settings.site is not None:
        return "site"  # the mode's own placement does not fit the site chosen
    if field.endswith(".placement"):  # the other pad's, where this one was moved onto it
        for role in ("anode", "cathode"):
            if getattr(settings, role) is not None:
                return role
    return "custom_toml" if settings.mode == "custom" else "mode"


def _mode_data(settings: DeviceSettings) -> dict[str, Any]:
    """The chosen mode's program as the mapping a program file parses into."""
    chosen = mode(settings.mode)
    if chosen.kind is not ModeKind.CUSTOM and settings.custom_toml is not None:
        # it was dropped in silence: the mode's own program ran in its place
        raise SettingsError([InputError("custom_toml", settings.custom_toml[:40],
                                        f"mode 'custom' for a program's own text (the mode "
                                        f"is {settings.mode!r}, which runs its own program)")],
                            setting="custom_toml")
    if chosen.kind is ModeKind.MASSAGE:
        return copy.deepcopy(dict(MASSAGE_PROGRAMS[chosen.id]))
    if chosen.kind is ModeKind.EXAMPLE:
        text = bundled_examples()[chosen.id].read_text(encoding="utf-8")
    else:
        text = settings.custom_toml or ""
        if not text.strip():
            raise SettingsError([InputError("custom_toml", "", "a program file's text (TOML)")],
                                setting="custom_toml")
        try:
            program = parse_program(text)  # the text as written: its problems as in a file
        except ProgramError as err:
            raise SettingsError(err.problems, setting="custom_toml") from None
        _journal_keeps(program.name)
    return tomllib.loads(text.removeprefix("\ufeff"))


def _journal_keeps(name: str) -> None:
    """A custom program's name is what the journal keeps its calibrations and sessions
    under: one the journal refuses (a control, format or bidirectional character, a line
    break) is refused here, before the dial is turned and a calibration is lost to it (the
    dial took "my\x1bprogram" and the journal refused it at the save; probe of 7 December
    2026)."""
    from estim.journal import validate

    try:
        validate.program(name)
    except InputError as err:
        raise SettingsError([InputError("name", err.value, f"{err.expected}: the journal keeps "
                                        "a custom program under its name")],
                            setting="custom_toml") from None


#: A pulse generator's case where the mode gives none (the DBS example's).
_CASE_SIZE = {"shape": "rectangular", "width": "5 cm", "length": "6 cm"}


def _apply(data: dict[str, Any], settings: DeviceSettings) -> None:
    """Write the settings given into the program data, as strings a program file holds."""
    if settings.site is not None:
        site = data.get("site")
        data["site"] = {**site, "name": settings.site} if isinstance(site, dict) \
            else {"name": settings.site}
    channels = data.get("channels")
    if not isinstance(channels, list) or not channels:
        return  # the loader names what is missing
    first = channels[0]
    site = data.get("site")
    brain = isinstance(site, dict) and site.get("name") in BRAIN_SITES
    if brain and (settings.pad_width is not None or settings.pad_length is not None):
        # the DBS mode's size went onto the lead's contact as a rectangle, blamed on the
        # mode with a value nobody typed (probe of 5 December 2026)
        name = "pad_width" if settings.pad_width is not None else "pad_length"
        raise SettingsError([InputError(name, getattr(settings, name),
                                        "no pad size on a brain site: a lead's contacts have "
                                        "the lead's size, and the case is the pulse "
                                        "generator's")], setting=name)
    for role in ("anode", "cathode"):
        electrode = first.get(role)
        if not isinstance(electrode, dict):
            continue
        if getattr(settings, role) is not None:
            electrode["placement"] = getattr(settings, role)
            if is_contact_placement(electrode["placement"]):  # the lead gives its size
                for key in ("shape", "width", "length", "diameter", "area", "contact_length"):
                    electrode.pop(key, None)
            elif electrode["placement"] == "case" and "shape" not in electrode:
                # the mode's case keeps its size; a contact moved to the case takes it
                # (it read "cathode.width: got (missing)", blamed on the mode; review)
                case = next((e for e in (first.get("anode"), first.get("cathode"))
                             if isinstance(e, dict) and e.get("placement") == "case"
                             and e is not electrode and "shape" in e), None)
                electrode.update({k: v for k, v in (case or _CASE_SIZE).items()
                                  if k in ("shape", "width", "length")})
    if settings.pad_width is not None or settings.pad_length is not None:
        # every channel's pads: true interferential's channel B kept its 5 cm pads beside
        # channel A's 0.5 cm ones (educator's probe of 7 December 2026)
        for channel in channels:
            for role in ("anode", "cathode"):
                electrode = channel.get(role) if isinstance(channel, dict) else None
                if not isinstance(electrode, dict) or electrode.get("placement") == "case" \
                        or is_contact_placement(str(electrode.get("placement", ""))):
                    continue
                width = settings.pad_width or electrode.get("width") or settings.pad_length
                length = settings.pad_length or electrode.get("length") or settings.pad_width
                for key in ("diameter", "area", "contact_length"):
                    electrode.pop(key, None)
                electrode.update(shape="rectangular", width=width, length=length)
    for channel in channels:
        stimulation = channel.get("stimulation") if isinstance(channel, dict) else None
        if not isinstance(stimulation, dict):
            continue
        for key in ("pulse_width", "frequency"):
            if getattr(settings, key) is not None:
                _takes(stimulation.get("type"), key, getattr(settings, key))
                stimulation[key] = getattr(settings, key)


@lru_cache(maxsize=1)
def _fields_of_types() -> dict[str, frozenset[str]]:
    """Every ``stimulation.type`` tag (``"ems"`` too) with its model's fields."""
    from typing import get_args

    from estim.program.stimulation import Stimulation

    return {tag: frozenset(model.model_fields)
            for model in get_args(get_args(Stimulation)[0])
            for tag in get_args(model.model_fields["type"].annotation)}


def _takes(kind: object, key: str, value: str) -> None:
    """Refuse a form setting that the mode's modality has no field for, in the form's words:
    the page shows Pulse width and Rate for every mode, and Russian current, interferential
    current and iontophoresis have neither, HVPC and microcurrent no pulse width; they read
    "channels[0].stimulation.frequency: got '100 Hz', expected a known key (type, mode,
    role, ...)" (probe of 6 December 2026)."""
    from estim.program.stimulation import MODALITIES

    fields = _fields_of_types().get(kind) if isinstance(kind, str) else None
    if fields is None or key in fields:
        return  # an unknown type is the loader's to name
    words = _SETTING_WORDS[key]
    raise SettingsError([InputError(key, value, f"a blank {words}: this mode's "
                                                f"{MODALITIES[str(kind)].short} has no "
                                                f"{words} to set")], setting=key)


def settings_program(settings: DeviceSettings) -> Program:
    """The program the settings describe, checked as ``estim run`` checks a program file
    (the loader, then the site and placements through :func:`estim.build_setup`).

    :raises SettingsError: the CLI's one-line message for the first problem (all of them in
        ``problems``), with :attr:`SettingsError.setting` the form field to show it next to.
    """
    if not isinstance(settings, DeviceSettings):
        raise SettingsError([InputError("settings", type(settings).__name__,
                                        "DeviceSettings")], setting="mode")
    data = _mode_data(settings)
    _apply(data, settings)
    try:
        program = program_from_dict(data)
    except ProgramError as err:
        raise SettingsError(err.problems, setting=_setting_for(err.field, settings),
                            settings=[_setting_for(p.field, settings)
                                      for p in err.problems]) from None
    try:
        build_setup(program)
    except InputError as err:
        raise SettingsError([_site_words(err, settings)],
                            setting=_setting_for(err.field, settings)) from None
    return program


def _site_words(err: InputError, settings: DeviceSettings) -> InputError:
    """A pad the mode placed, on a site the settings changed, said as the site's problem:
    "channels[0].anode.placement: got 'lumbar_left_upper'" named a value nobody typed
    (probe of 6 December 2026)."""
    role = next((r for r in ("anode", "cathode") if err.field.endswith(f"{r}.placement")),
                None)
    if settings.site is None or role is None or getattr(settings, role) is not None:
        return err
    return InputError("site", settings.site, f"a site the mode's pads are on (its {role} "
                      f"is at {err.value!r}), or an anode and a cathode placed on "
                      f"{settings.site} too (the Anode and Cathode menus list its "
                      "placements)")
