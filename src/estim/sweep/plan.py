"""A sweep plan: every point a validated program, checked before anything runs.

>>> from estim.program.bundled import bundled_examples
>>> from estim.sweep.axes import parse_axis
>>> plan = plan_sweep(bundled_examples()["tens_conventional"],
...                   [parse_axis("amplitude=10,20mA"), parse_axis("pulse_width=100,200us")],
...                   options=SweepOptions(body=False))
>>> len(plan.points), plan.points[0].inputs
(4, (('amplitude_mA', 10.0), ('pulse_width_us', 100.0)))

Each point is the program file with the point's values written in (as
:func:`estim.program.override.with_amplitude` does for one amplitude) and read by the same
loader, so it meets the same limits as a file; its site and placements are checked too. A
value that no program may hold is one :class:`InputError` naming the axis and the value,
raised before any point runs.
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
import json
import re
import tomllib
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from estim.cache import digest
from estim.errors import Described, EstimWarning, InputError, ModelRangeWarning, ThinMuscleWarning
from estim.program.errors import not_utf8, toml_error
from estim.program.loader import ProgramError, _read_regular, load_program, program_from_dict
from estim.program.model import Program
from estim.simulate import MIN_FIBERS
from estim.sweep.axes import SUBJECT, Axis, Value, apply_axis, axis_from_values, same_field
from estim.sweep.subject import VirtualSubject, virtual_subject
from estim.units import is_whole
from estim.version import __version__

__all__ = ["MAX_POINTS", "Mode", "Point", "SweepOptions", "SweepPlan", "canonical_text",
           "load_sweep_file",
           "model_key", "plan_sweep"]

#: Most points one sweep may hold.
MAX_POINTS = 100_000
#: Most fibers per class a sweep's window may sample.
_MAX_FIBERS = 100_000
#: Bump when a point's outputs change meaning (finished points of older sweeps are redone).
#: 2: points name the rules they do not pass (safety_not_passed); 3: the output columns take
#: every channel, and the phase charge is the one into 500 Ω; 4: a clipped pulse's passive
#: recharge gives back what it delivered (a false charge-balance FAIL before); 5: DBS points
#: carry the activation (current, volume, radius), at the current the device can drive, and
#: an implant is judged into a lower stated lead impedance; 6: the thresholds where the
#: sample of Aβ afferents runs out are named, the peak into 500 Ω as delivered, the IEC r.m.s.
#: of channels on shared pads, and the sensation of the first channel that is on; 7: the
#: level between a twitch and pain is "contraction, below pain", the skin load's energy
#: and peaks are exact at pulse edges, and the sensation is the current the device drives
#: (its compliance over the tissue), in a column of its own; 8: each pulse held, not the
#: train, and true interferential's second carrier held to its own pads; 9: a program of
#: several channels is read under each one's pads (the strongest), and a force program
#: below its motor threshold has a force of 0 N, not a blank; 10: another muscle's force as
#: a fraction; 11: with a field, the safety columns are judged as ``estim run`` judges them
#: (a voltage-set output's skin rules into the site's load below 500 Ω); 12: and a
#: current-controlled output's power density into the site's load above 500 Ω; 13: a pulsed
#: channel beside an iontophoresis channel is read (its field, its window) in any order,
#: and a channel that is off is judged into the load of its own pulse; the pain criterion
#: calibrated again at the intolerance study's 150 µs (its fraction, the periosteal density,
#: the summation's time constant); 14: a DBS lead's idle contacts are floating metal in the
#: field (they were insulation unless a channel named them).
SWEEP_VERSION = "sweep-14"


class Mode(StrEnum):
    """How the axes combine."""

    CROSS = "cross"  # every combination (the cross product)
    ZIP = "zip"  # the i-th value of every axis together (equal lengths)


@dataclass(frozen=True)
class SweepOptions:
    """What every point computes.

    :param body: fields, fibers and effects (False: waveform metrics and safety only).
    :param fibers: fibers per class in the sensation window (None: ``estim run``'s own).
    :param seed: seed of the fiber sampling and of the virtual subjects.
    """

    body: bool = True
    fibers: int | None = None
    seed: int = 0

    def __post_init__(self) -> None:
        # each checked for its kind too: NaN, 1.5 and "1" passed here and failed on a worker,
        # under another name, or as a TypeError (probe of 5 December 2026)
        if not isinstance(self.body, bool):
            raise InputError("body", self.body, "True or False")
        if self.fibers is not None and not (is_whole(self.fibers)
                                            and 1 <= self.fibers <= _MAX_FIBERS):
            raise InputError("--fibers", self.fibers, "a whole number of fibers per class "
                             f"from 1 to {_MAX_FIBERS:,}")
        if self.fibers is not None and self.fibers < MIN_FIBERS:
            # the points call the window directly, past SimulateOptions' own warning: 3
            # fibers a class gave an Aβ fraction of 0.81 without a word (5 December 2026)
            warnings.warn(f"--fibers {self.fibers}: a threshold of fewer than {MIN_FIBERS} "
                          "fibers is no population's (one of each put pain below detection)",
                          ModelRangeWarning, stacklevel=3)
        if not (is_whole(self.seed) and self.seed >= 0):
            raise InputError("--seed", self.seed, "a whole number >= 0")


@dataclass(frozen=True)
class Point:
    """One program of the sweep.

    :param index: its place in the plan (the table's row order).
    :param key: hash of everything its outputs depend on (program, subject, options, estim
        version): the name of its file in the output folder.
    :param inputs: (column, value) of each axis, in axis order.
    :param program: the point's program data as JSON text (validated; what a worker runs).
    :param subject: the virtual subject, on a subject axis.
    :param warnings: what estim warned of while setting the point up (a value outside its
        usual range: a fat of 150 mm), each once; its row carries them.
    """

    index: int
    key: str
    inputs: tuple[tuple[str, float | str | None], ...]
    program: str
    subject: VirtualSubject | None = None
    warnings: tuple[str, ...] = ()

    def load(self) -> Program:
        """The point's program (validated again, on whichever machine runs it)."""
        return program_from_dict(json.loads(self.program))


@dataclass(frozen=True)
class SweepPlan:
    """Every point of a sweep, in table order."""

    program_name: str
    source: str
    axes: tuple[Axis, ...]
    mode: Mode
    options: SweepOptions
    points: tuple[Point, ...]

    def __repr__(self) -> str:
        shape = " x ".join(f"{a.name}[{len(a)}]" for a in self.axes)
        return (f"SweepPlan({self.program_name!r}, {self.mode.value}: {shape}, "
                f"{len(self.points)} points)")


def plan_sweep(path: str | Path | Program, axes: Sequence[Axis], *,
               mode: Mode = Mode.CROSS, options: SweepOptions | None = None) -> SweepPlan:
    """Every point of the sweep of the program file ``path`` (or of a :class:`Program`
    built in Python) over ``axes``, validated.

    :raises ProgramError: the file itself is not a valid program.
    :raises InputError: no axis, an axis twice, zipped axes of different lengths, too many
        points, or a value this program cannot take (naming the axis and the value).
    """
    options = options or SweepOptions()
    if isinstance(path, Program):
        # from Python a program is often built, not read (it had to be saved to a file
        # first; researcher's probe of 7 December 2026): its file is what it would save
        from estim.program.writer import program_to_toml

        program, text = path, program_to_toml(path)
        path = f"<{program.name}>"
    else:
        if not isinstance(path, str | Path):
            raise InputError("path", type(path).__name__, "a program file or a Program")
        program = load_program(path)  # the file's own problems are named as in the file
        text = _read_regular(Path(path)).removeprefix("\ufeff")
    data: dict[str, Any] = tomllib.loads(text)
    axes = tuple(axes)
    if not axes:
        raise InputError("--vary", "(none)", "at least one axis, e.g. "
                         "--vary amplitude=5..40mA:8")
    names = [a.name for a in axes]
    for name in names:
        if names.count(name) > 1:
            raise InputError(f"--vary {name}", name, "each axis once")
    for i, a in enumerate(axes):
        for b in axes[i + 1:]:
            if same_field(a, b):
                raise InputError(b.option or f"--vary {b.name}", b.name,
                                 f"a field no other axis sets ({a.option or a.name} sets it "
                                 "too)")
    if mode is Mode.ZIP and len({len(a) for a in axes}) > 1:
        # it showed a Python dict, "{'frequency': 3, 'pulse_width': 2}" (probe of
        # 6 December 2026)
        lengths = ", ".join(f"{a.name} {len(a)}" for a in axes)
        # a sweep file's mode = "zip" was blamed on a --zip the user never typed (probe)
        option = axes[0].option or ""
        where, _, _ = option.partition(": vary.")
        from_file = bool(option) and not option.startswith("--vary")
        raise InputError(f"{where}: mode" if from_file else "--zip",
                         f"values per axis: {lengths}", "axes of the same length to zip (or "
                         + ("mode = 'cross'" if from_file else "leave out --zip")
                         + " to cross them)")
    _check_distinct(axes, mode)
    total = len(axes[0]) if mode is Mode.ZIP else _product(len(a) for a in axes)
    if total > MAX_POINTS:
        raise InputError("--vary", f"{total:,} points", f"at most {MAX_POINTS:,} points in "
                         "one sweep")
    points = []
    every: list[warnings.WarningMessage] = []
    for index, combo in enumerate(_combinations(axes, mode)):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            point = _point(index, data, axes, combo, options, source=str(path))
        every += caught
        # each point's own, for its row: "outside the usual range" was said once on the
        # terminal, and the table and the page had no trace of it (probe of 6 December
        # 2026)
        said = tuple(dict.fromkeys(str(w.message) for w in caught
                                   if issubclass(w.category, EstimWarning)))
        points.append(dataclasses.replace(point, warnings=said) if said else point)
    _reissue(every)
    return SweepPlan(program.name, str(path), axes, mode, options, tuple(points))


def _product(sizes: Iterator[int]) -> int:
    total = 1
    for n in sizes:
        total *= n
    return total


def _check_distinct(axes: Sequence[Axis], mode: Mode) -> None:
    """Refuse a point given twice: crossed, a value twice on one axis (``10,10mA``, or
    ``10mA,0.01A`` in two units); zipped, the same values at two places of every axis. Its
    rows repeated one point, which the count called computed each time (probe of 5
    December 2026); zipped axes may repeat a value where another axis differs."""
    def same(axis: Axis, i: int) -> object:
        return axis.numbers[i] if axis.numbers[i] is not None else axis.values[i]

    if mode is Mode.CROSS:
        for axis in axes:
            seen: dict[object, int] = {}
            for i in range(len(axis)):
                first = seen.setdefault(same(axis, i), i)
                if first != i:
                    again = ("it is given twice" if axis.values[first] == axis.values[i]
                             else f"it is '{axis.values[first]}' again")
                    raise InputError(axis.option or f"--vary {axis.name}", axis.values[i],
                                     f"each value once ({again}: the same point)")
        return
    points: dict[tuple[object, ...], int] = {}
    for i in range(len(axes[0])):
        first = points.setdefault(tuple(same(a, i) for a in axes), i)
        if first != i:
            shown = ", ".join(f"{a.name}={a.values[i]}" for a in axes)
            raise InputError("--zip", shown, f"each point once (values {first + 1} and "
                             f"{i + 1} of every axis are the same point)")


def _combinations(axes: Sequence[Axis], mode: Mode) -> Iterator[tuple[int, ...]]:
    """Value indices of each point; the last axis varies fastest."""
    if mode is Mode.ZIP:
        return ((i,) * len(axes) for i in range(len(axes[0])))
    return itertools.product(*(range(len(a)) for a in axes))


def _point(index: int, data: dict[str, Any], axes: Sequence[Axis], combo: tuple[int, ...],
           options: SweepOptions, *, source: str) -> Point:
    point_data = copy.deepcopy(data)
    subject = None
    for axis, i in zip(axes, combo, strict=True):
        if axis.name == SUBJECT:
            subject = virtual_subject(int(axis.values[i]), seed=options.seed)
        else:
            apply_axis(point_data, axis, axis.values[i])
    program = _validated(point_data, axes, combo, source=source)
    if subject is not None:
        _apply_subject(point_data, program, subject, axes)
        with warnings.catch_warnings():  # its drawn fat squeezes the muscle by design
            warnings.simplefilter("ignore", ThinMuscleWarning)
            program = _validated(point_data, axes, combo, source=source)
    text = json.dumps(point_data, sort_keys=True, default=str)
    # keyed by the program as parsed, not as written: 0.06 ms and 60 µs are one point, and
    # a sweep resumed in other units reuses it (it was computed again; DBS researcher's
    # probe of 7 December 2026)
    key = digest(SWEEP_VERSION, __version__, model_key(), canonical_text(program), options.body,
                 options.fibers, options.seed, subject.index if subject else -1)[:24]
    inputs = tuple((a.column, a.numbers[i] if a.numeric else _text(a.values[i]))
                   for a, i in zip(axes, combo, strict=True))
    return Point(index, key, inputs, text, subject)


def canonical_text(program: Program) -> str:
    """``program`` as parsed (SI numbers to 12 significant figures, so that a value's
    float noise from its unit, 0.07 ms read as 7.000000000000001e-05 s against 70 µs's
    7e-05, is one number), as JSON text.

    >>> from estim.program.bundled import resolve_program
    >>> tens = resolve_program("tens_conventional")[0]
    >>> def width(seconds):
    ...     stim = tens.channels[0].stimulation.replace(pulse_width=seconds)
    ...     return tens.model_copy(update={"channels": (tens.channels[0].model_copy(
    ...         update={"stimulation": stim}),)})
    >>> 0.07 / 1e3 == 70 / 1e6, canonical_text(width(0.07 / 1e3)) == canonical_text(width(70e-6))
    (False, True)
    """
    def rounded(value: Any) -> Any:
        if isinstance(value, float):
            return float(f"{value:.12g}")
        if isinstance(value, dict):
            return {k: rounded(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [rounded(v) for v in value]
        return value

    return json.dumps(rounded(program.model_dump(mode="json")), sort_keys=True, default=str)


def model_key() -> tuple[object, ...]:
    """What a point's answer rests on besides its program: the sensation model's calibrated
    values, the version of its fiber thresholds, the spread of each muscle's motor points
    between people and of every other draw of the virtual subjects (the bands and the
    subject axis draw them), and the muscle a subject's fat leaves a limb. Part of every
    point's key (and every population chunk's, :mod:`estim.sweep.population`), so a sweep
    resumed after the model changed redoes what it had finished."""
    from estim.effects.anatomy import MUSCLES
    from estim.effects.calibration import calibrated_values
    from estim.effects.drive import CARRIER_RUN_S, TRAVEL_S
    from estim.effects.placement import NOCICEPTOR_SAMPLE_AFFERENTS
    from estim.effects.subjects import SUBJECT_SPREAD
    from estim.effects.window import THRESHOLDS_VERSION
    from estim.fields.sites import MIN_SUBJECT_MUSCLE_M

    # the nociceptors' floor is derived, not calibrated, but a point computed without it (a
    # small pad's, before 6 December 2026) is another model's (review)
    return (calibrated_values(), THRESHOLDS_VERSION,
            ("nociceptor_sample_afferents", round(NOCICEPTOR_SAMPLE_AFFERENTS, 6)),
            tuple((name, m.motor_point_sd_m) for name, m in MUSCLES.items()),
            tuple((name, cv) for name, (cv, _) in SUBJECT_SPREAD.items()),
            MIN_SUBJECT_MUSCLE_M,
            # how long a kHz carrier's fibers are simulated (8 December 2026: its whole burst;
            # a resumed sweep of Russian current kept its 10 ms runs' thresholds)
            ("carrier_run_s", CARRIER_RUN_S, tuple(sorted(TRAVEL_S.items()))))


def _text(value: Value) -> str:
    return value if isinstance(value, str) else f"{value:g}"


def _validated(data: dict[str, Any], axes: Sequence[Axis], combo: tuple[int, ...], *,
               source: str) -> Program:
    """The point's program, its site and placements checked; a problem is named by the
    axis that caused it (or all of them, where it is their combination)."""
    try:
        program = program_from_dict(data, source=source)
        _check_site(program)
    except ProgramError as err:
        raise _blame(err.problems[0], axes, combo, len(data.get("channels") or ())) from None
    except InputError as err:
        raise _blame(err, axes, combo, len(data.get("channels") or ())) from None
    return program


def _blame(problem: InputError, axes: Sequence[Axis], combo: tuple[int, ...],
           channels: int = 1) -> InputError:
    def short(axis: Axis) -> str:
        return axis.name.rsplit(".", 1)[-1]

    from estim.setup import PadsOverlap

    if isinstance(problem, PadsOverlap) and problem.other_side is not None and any(
            _moves(a, problem.other_side.field) and not _moves(a, problem.field) for a in axes):
        # the pad the axis moved is the other one: say the overlap of it (it read "got
        # 'lumbar_lower', expected a pad that does not overlap the anode at lumbar_lower"
        # for a sweep of the anode's placement; probe of 6 December 2026)
        problem = problem.other_side
    field = problem.field.rsplit(".", 1)[-1]
    culprits = [(a, i) for a, i in zip(axes, combo, strict=True)
                if short(a) == field or (a.name == SUBJECT and "thickness" in field)]
    if len(culprits) == 1:
        axis, i = culprits[0]
        # a key the program has no such field for: name the key, not the value
        unknown = problem.expected.startswith("a known key")
        expected = problem.expected
        which = re.match(r"channels\[(\d+)\]\.stimulation\.", problem.field)
        if unknown and which and channels > 1 and not axis.name.startswith("channels["):
            # written to every channel, one of whose modality has no such field: the keys
            # listed were that channel's, named nowhere (probe of 5 December 2026)
            expected = (f"a field of every channel's stimulation, which channels[{which[1]}]'s "
                        f"is not ({expected}); a field some channels have is swept on one: "
                        f"channels[I].stimulation.{short(axis)}")
        if unknown and expected == problem.expected and "." not in axis.name \
                and "[" not in axis.name:
            # a bare name is a stimulation key; the other forms were named nowhere
            # (researcher's probe of 6 December 2026)
            expected += ("; or another part of the program: site.NAME, electrodes.NAME, "
                         "device.NAME, channels[I].NAME (I counts from 0), or subject")
        if problem.expected.startswith("at most the device maximum"):
            # '25 MA' read only "at most the device maximum" here, where estim run hints at
            # mega (probe of 7 December 2026)
            from estim.units import mega_hint

            expected += mega_hint(axis.values[i])
        if axis.unit is None and isinstance(axis.values[i], int | float) \
                and not isinstance(axis.values[i], bool) and "unit" in problem.expected:
            # '5..40:8' was told "got 5, expected a current ... with units" alone
            # (researcher's probe of 7 December 2026)
            expected += ("; in --vary the unit goes once, after the last value, and "
                         "covers the rest: '50,100,200us', '5..40mA:8'")
            # "got 5" where '5..40:3' was typed read as if 5 had been (probe of 7 December
            # 2026): the value says what it lacks
            return InputError(axis.option, Described(f"{axis.values[i]:g} with no unit"),
                              expected)
        return InputError(axis.option, short(axis) if unknown else axis.values[i], expected)
    point = ", ".join(f"{a.name}={_text(a.values[i])}" for a, i in zip(axes, combo,
                                                                        strict=True))
    return InputError(problem.field, problem.value,
                      f"{problem.expected} (at the sweep point {point})")


def _moves(axis: Axis, field: str) -> bool:
    """Whether ``axis`` sets the electrode field ``field`` (``channels[0].anode.placement``):
    the same key of that role's pad, or of both pads (``electrodes.``), on that channel or
    on every channel."""
    role = re.search(r"\.(anode|cathode)\.", field)
    key = field.rsplit(".", 1)[-1]
    if role is None or axis.name.rsplit(".", 1)[-1] != key:
        return False
    channel = re.match(r"channels\[(\d+)\]", axis.name)
    if channel is not None and not field.startswith(f"channels[{channel[1]}]."):
        return False
    return f"{role[1]}." in axis.name or "electrodes." in axis.name


def _check_site(program: Program) -> None:
    """The site and every placement, as ``estim check`` refuses them (no mesh, no solve)."""
    from estim.setup import build_setup

    build_setup(program)


def _apply_subject(data: dict[str, Any], program: Program, subject: VirtualSubject,
                   axes: Sequence[Axis]) -> None:
    """The subject's skin and fat, as site overrides scaling the site's own (after the other
    axes' overrides)."""
    import numpy as np

    from estim.effects.subjects import motor_shifts
    from estim.fields.program import program_channels
    from estim.fields.sites import (
        MAX_MOTOR_SHIFT_M,
        MOTOR_POINT_SHIFT,
        fat_that_fits,
        motor_point_shift_m,
        site_from_spec,
    )

    site = site_from_spec(program.site.name, program.site.overrides)
    thick = {ly.tissue: ly.thickness for ly in site.layers}
    if "skin" not in thick:
        axis = next(a for a in axes if a.name == SUBJECT)
        # the number asked for, not this subject's index ("--subjects: got 0" for
        # --subjects 3; DBS researcher's probe of 7 December 2026)
        asked = len(axis.values) if axis.option == "--subjects" else subject.index
        raise InputError(axis.option, asked, "a site with skin for virtual subjects "
                         f"(the {program.site.name!r} site has none)")
    table = data.setdefault("site", {})
    table["skin_thickness"] = f"{thick['skin'] * subject.skin_scale * 1e3:.6g} mm"  # [m -> mm]
    if "fat" in thick:  # on a limb, leaving it some muscle (fat_that_fits)
        fat = fat_that_fits(site, skin_m=thick["skin"] * subject.skin_scale,
                            fat_m=thick["fat"] * subject.fat_scale)
        table["fat_thickness"] = f"{fat * 1e3:.6g} mm"  # [m -> mm]
    # where its motor points lie along a limb, as the bands' people (0 where not measured)
    # the first channel that is on (the first channel's, off beside one that is on, set the
    # spread of another muscle; noted on 5 December 2026)
    first = program.channels.index(program.first_on)
    cathode = program_channels(program)[1][first].cathode
    shift = float(motor_shifts(site, cathode, np.array([subject.motor_point_z]))[0])
    if shift:  # from where the program puts them
        own = motor_point_shift_m(site)
        if abs(own) < MAX_MOTOR_SHIFT_M * (1 - 1e-12):
            # a subject's own draw that, with the program's shift, lies past the ±100 mm a
            # site takes is held at it (4 SD of the thigh's 2.5 cm: about one subject in
            # 16,000); refused, it stopped --subjects 3912 (probe of 5 December 2026). A
            # shift the program itself puts at the limit is refused with a subject's own
            # beyond it, both parts named.
            shift = float(np.clip(own + shift, -MAX_MOTOR_SHIFT_M, MAX_MOTOR_SHIFT_M)) - own
        if abs(own + shift) > MAX_MOTOR_SHIFT_M * (1 + 1e-12):
            axis = next(a for a in axes if a.name == SUBJECT)
            raise InputError(axis.option, subject.index, f"motor points within "
                             f"±{MAX_MOTOR_SHIFT_M * 1e3:g} mm of the limb's: the program's "
                             f"site.{MOTOR_POINT_SHIFT} ({own * 1e3:.4g} mm) and this "
                             f"subject's own shift ({shift * 1e3:.4g} mm) add up to "
                             f"{(own + shift) * 1e3:.4g} mm")
        table[MOTOR_POINT_SHIFT] = f"{(own + shift) * 1e3:.6g} mm"


def _reissue(caught: list[warnings.WarningMessage]) -> None:
    """Warnings raised while validating the points, each message once."""
    seen: set[str] = set()
    for w in caught:
        text = str(w.message)
        if text not in seen:
            seen.add(text)
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


# --- sweep files ----------------------------------------------------------------------------

#: Largest sweep file read (bytes).
_MAX_SWEEP_FILE = 1 << 20


@dataclass(frozen=True)
class SweepFile:
    """What a sweep file states (every part optional but the axes)."""

    program: str | None
    axes: tuple[Axis, ...]
    mode: Mode | None
    options: dict[str, Any]


def load_sweep_file(path: str | Path) -> SweepFile:
    """Read a sweep file (TOML)::

        program = "tens_conventional"    # a file (relative to this one) or an example
        mode = "cross"                   # or "zip"
        body = true                      # false: waveform metrics and safety only
        fibers = 30                      # fibers per class
        seed = 0

        [vary]
        pulse_width = "50,100,200,500us"
        amplitude = "5..40mA:8"
        "site.fat_thickness" = ["2 mm", "10 mm", "20 mm"]
        subject = "0..19:20"

    :raises InputError: unreadable, not TOML, an unknown key or a bad axis.
    """
    p = Path(path)
    where = f"sweep file {p}"
    try:
        text = _read_regular(p)
    except FileNotFoundError:
        raise InputError("--file", str(p), "an existing sweep file") from None
    except InputError as err:  # a directory or a device: the sweep file's, not a program's
        if "empty file" in err.expected:  # it suggested `estim new`, which makes a program
            raise InputError("--file", str(p), "a sweep file, not an empty file (a [vary] "
                             "table at least; docs/sweeps.md, section Axes, shows one)") from None
        raise InputError("--file", str(p), err.expected.replace("program file",
                                                                 "sweep file")) from None
    except UnicodeDecodeError as err:  # the byte and where, in words (hostile probe)
        raise InputError("--file", str(p), not_utf8(err)) from None
    except OSError as err:
        raise InputError("--file", str(p), f"a readable UTF-8 TOML file ({err})") from None
    if len(text) > _MAX_SWEEP_FILE:
        raise InputError("--file", str(p), "a sweep file of at most 1 MiB")
    try:
        data = tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as err:
        raise InputError(where, str(p), f"valid TOML ({toml_error(err, text)})") from None
    known = {"program", "mode", "body", "fibers", "seed", "vary"}
    for key in data:
        if key not in known:  # the key itself: its value read "got False" (probe)
            raise InputError(where, key, f"a known key ({', '.join(sorted(known))})")
    vary = data.get("vary", {})
    if not isinstance(vary, dict) or not vary:
        raise InputError(f"{where}: vary", vary, "a [vary] table with at least one axis")
    axes = tuple(axis_from_values(str(name), values, option=f"{where}: vary.{name}")
                 for name, values in vary.items())
    program = data.get("program")
    if program is not None:
        if not isinstance(program, str):
            raise InputError(f"{where}: program", program, "a program file or example name")
        relative = p.parent / program
        program = str(relative) if relative.exists() else program
    mode = data.get("mode")
    if mode is not None:
        try:
            mode = Mode(mode)
        except ValueError:
            raise InputError(f"{where}: mode", mode, "'cross' or 'zip'") from None
    options: dict[str, Any] = {k: data[k] for k in ("body", "fibers", "seed") if k in data}
    for key, kind, words in (("body", bool, "true or false"),
                             ("fibers", int, "a whole number of fibers per class from 1 to "
                              f"{_MAX_FIBERS:,}"),
                             ("seed", int, "a whole number >= 0")):
        if key in options and (not isinstance(options[key], kind)
                               or (kind is int and isinstance(options[key], bool))
                               or (key == "fibers" and not 1 <= options[key] <= _MAX_FIBERS)
                               or (key == "seed" and options[key] < 0)):
            raise InputError(f"{where}: {key}", options[key], words)
    return SweepFile(program, axes, mode, options)
