"""``simulate(setup, *, options) -> Result``: run every stage, in data-flow order.

>>> import estim
>>> program = estim.load_program(estim.bundled_examples()["tens_conventional"])
>>> result = estim.simulate(program, options=estim.SimulateOptions(body=False))
>>> result.safety.verdict.value
'pass'
>>> round(result.metrics[0].peak * 1e3, 3)   # [A -> mA]
25.0
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from estim.errors import InputError, ModelRangeWarning
from estim.fields.sites import site_warnings
from estim.program.model import Program
from estim.setup import Setup, build_setup
from estim.units import is_whole
from estim.waveforms.metrics import Metrics, metrics
from estim.waveforms.stimulus import Stimulus

if TYPE_CHECKING:
    from estim.effects.program import EffectsResult
    from estim.safety.verdicts import SafetyReport

__all__ = ["Result", "SimulateOptions", "field_impedances", "simulate"]

#: Fiber classes whose counts :class:`SimulateOptions` may set.
_FIBER_CLASSES = ("abeta", "adelta", "c", "motor", "periosteal")
#: Fewer fibers per class than this warn: a threshold of a few fibers is no population's
#: (one of each put pain below detection; probe of 5 December 2026).
MIN_FIBERS = 10
#: Classes that may be left out (0 fibers): C (pain is then the Aδ's, and a note says so)
#: and the bone's periosteal Aδ (as the calibration does). Without Aβ, Aδ or motor axons a
#: threshold is infinite ("no sensation" at 25 mA with no Aβ).
_OPTIONAL_CLASSES = ("c", "periosteal")
#: Most fibers per class (as a sweep's --fibers): 10^12 asked numpy for 7.28 TiB.
MAX_FIBERS = 100_000


@dataclass(frozen=True)
class SimulateOptions:
    """How :func:`simulate` runs (what it computes is set by the program and site).

    :param body: also run fields, fibers and effects (seconds to minutes); False stops
        after the output metrics and the safety check (milliseconds).
    :param progress: called with a short message as each long stage starts, and during a
        fiber threshold search with that stage's line again as a
        :class:`~estim.progress.Partway` carrying the share done (a caller that keeps one
        line a stage skips those, or updates its line with them).
    :param fiber_counts: fibers simulated per class (``abeta``, ``adelta``, ``c``,
        ``motor``, ``periosteal``); the classes not named keep the default
        (:data:`estim.effects.placement.DEFAULT_COUNTS`).
    :param seed: seed of the fiber populations and virtual subjects (same seed, same
        numbers). The sensation model was calibrated on seed 0's sample: another seed is
        another sample of the same anatomy run with seed 0's calibration, and moves the
        thresholds by about 5-16 % (SD over five seeds; microcurrent's pain, on two C
        fibers, 22 %: docs/effects.md, "How far the sample of fibers moves the answer"), so
        compare programs at one seed (researcher's probe of 7 December 2026).
    :raises InputError: an unknown fiber class, a count above :data:`MAX_FIBERS` or of 0
        for Aβ, Aδ or motor axons (C and periosteal Aδ may be left out), a seed that is not a
        whole number of 0 or more, a ``body`` that is not True or False, a ``progress`` that
        cannot be called. Fewer than :data:`MIN_FIBERS` of a class warn.

    >>> SimulateOptions(fiber_counts={"abeta": 20}).fiber_counts
    {'abeta': 20}
    >>> SimulateOptions(fiber_counts={"beta": 20})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    estim.errors.InputError: fiber_counts: got 'beta', expected one of abeta, adelta, ...
    """

    body: bool = True
    progress: Callable[[str], None] | None = dataclasses.field(default=None, compare=False)
    fiber_counts: Mapping[str, int] | None = None
    seed: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.body, bool):  # "false" is a true string: the whole run ran
            raise InputError("body", self.body, "True or False")
        if self.progress is not None and not callable(self.progress):
            raise InputError("progress", self.progress, "a function of one message, or None")
        counts = self.fiber_counts
        if counts is not None and not isinstance(counts, Mapping):
            raise InputError("fiber_counts", counts, "a mapping of fiber class to a count")
        for name, n in (counts or {}).items():
            if name not in _FIBER_CLASSES:
                raise InputError("fiber_counts", name, f"one of {', '.join(_FIBER_CLASSES)}")
            least = 0 if name in _OPTIONAL_CLASSES else 1
            if not is_whole(n) or not least <= n <= MAX_FIBERS:
                raise InputError(f"fiber_counts.{name}", n, f"a whole number of fibers from "
                                 f"{least} to {MAX_FIBERS:,}")
        if not is_whole(self.seed) or self.seed < 0:
            raise InputError("seed", self.seed, "a whole number, 0 or more")
        if counts is not None:
            object.__setattr__(self, "fiber_counts", {k: int(n) for k, n in counts.items()})
        for text in few_fibers(self.fiber_counts):
            warnings.warn(text, ModelRangeWarning, stacklevel=3)
        object.__setattr__(self, "seed", int(self.seed))

    def replace(self, **changes: object) -> SimulateOptions:
        """A copy with ``changes`` applied (checked again)."""
        unknown = [k for k in changes if k not in {f.name for f in dataclasses.fields(self)}]
        if unknown:
            raise InputError(unknown[0], changes[unknown[0]],
                             "one of body, progress, fiber_counts, seed")
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


def few_fibers(counts: Mapping[str, int] | None) -> tuple[str, ...]:
    """What fewer than :data:`MIN_FIBERS` of a class say of its threshold, in words."""
    return tuple(f"fiber_counts.{name} = {n}: a threshold of fewer than {MIN_FIBERS} fibers "
                 "is no population's (one of each put pain below detection)"
                 for name, n in (counts or {}).items() if 0 < n < MIN_FIBERS)


@dataclass(frozen=True)
class Result:
    """Everything estim computed for one program.

    :param program: the program as simulated (with any site overrides of its set-up).
    :param stimuli: each channel's output, in channel order.
    :param metrics: each channel's exact output metrics.
    :param safety: the output table and safety findings.
    :param effects: fields, fibers, sensation window, force, dose (None when not asked for).
    :param setup: the set-up the stages consumed (site and placed electrodes).
    :param warnings: what estim warned of while simulating, in words: a value outside its
        usual range, a model outside its valid range (:class:`~estim.errors.EstimWarning`).
        The files and the report carry them: they were on the terminal alone.
    """

    program: Program
    stimuli: tuple[Stimulus, ...]
    metrics: tuple[Metrics, ...]
    safety: SafetyReport
    effects: EffectsResult | None = None
    setup: Setup | None = None
    warnings: tuple[str, ...] = ()


def simulate(setup: Setup | Program, *, options: SimulateOptions | None = None,
             body: bool | None = None, progress: Callable[[str], None] | None = None
             ) -> Result:
    """Waveforms and metrics, safety, then (``options.body``) fields, fibers and effects.

    :param setup: a :class:`~estim.setup.Setup`, or a program, which is set up first
        (:func:`~estim.setup.build_setup`: its site and placements are checked there).
    :param options: how to run (:class:`SimulateOptions`); default: everything.
    :param body: shorthand for ``options.body`` (overrides it when given).
    :param progress: shorthand for ``options.progress`` (overrides it when given).
    :raises InputError: a site, placement or electrode the set-up refuses.

    A voltage-controlled implanted channel (a DBS lead) whose program states no impedance is
    judged into the 500 Ω test load, or into the field solution's impedance where the body
    stages computed one that is lower (a lower impedance delivers more current).

    >>> import estim
    >>> program = estim.load_program(estim.bundled_examples()["tens_conventional"])
    >>> moon = program.replace(site=program.site.model_copy(update={"name": "moon"}))
    >>> estim.simulate(moon, body=False)
    Traceback (most recent call last):
    ...
    estim.errors.InputError: site.name: got 'moon', expected one of ...
    """

    if options is not None and not isinstance(options, SimulateOptions):
        raise InputError("options", options, "a SimulateOptions (estim.SimulateOptions)")
    opts = options or SimulateOptions()
    if body is not None:
        opts = opts.replace(body=body)
    if progress is not None:
        opts = opts.replace(progress=progress)
    if not isinstance(setup, Setup | Program):
        raise InputError("setup", type(setup).__name__, "a Setup (estim.build_setup) or a "
                         "Program (estim.load_program)")
    result = _simulate(setup, opts)
    # what estim warned of, in words, for the result's files (a fat of 150 mm was "outside
    # the usual range" on the terminal only; probe of 6 December 2026): derived again here,
    # not caught, so that no warning filter or other thread comes between (review)
    said = tuple(dict.fromkeys((
        *site_warnings(result.program.site.name, result.program.site.overrides),
        *few_fibers(opts.fiber_counts))))
    return dataclasses.replace(result, warnings=said)


def _simulate(setup: Setup | Program, opts: SimulateOptions) -> Result:
    """:func:`simulate`'s stages, its arguments checked."""
    from estim.safety import check

    if isinstance(setup, Program):
        setup = build_setup(setup)
    program = setup.program
    stimuli = setup.stimuli
    mets = tuple(metrics(s) for s in stimuli)
    if opts.progress is not None:
        opts.progress("safety: output table and findings")
    report = check(program)
    effects = None
    if opts.body:
        from estim.effects.program import effects_for_program

        effects = effects_for_program(
            program, stimuli, progress=opts.progress, seed=opts.seed,
            counts=dict(opts.fiber_counts) if opts.fiber_counts is not None else None)
        impedances = field_impedances(program, effects)
        if impedances:
            report = check(program, impedances_ohm=impedances)
    return Result(program=program, stimuli=stimuli, metrics=mets, safety=report,
                  effects=effects, setup=setup)


def field_impedances(program: Program, effects: EffectsResult | None) -> dict[str, float]:
    """Per channel, the field solution's impedance (Ω) (the safety check's
    ``impedances_ohm``): of an implanted channel that states none, and of a surface
    channel, its tissue with the skin–electrode interface (the check judges the skin rules
    of a voltage-controlled one, or one its compliance clips, into it where it is below
    500 Ω); where no field was solved, only the loads of pulsed channels that are off beside
    an iontophoresis channel (empty where there are none). An iontophoresis channel's own
    load is set by the check itself (its d.c. skin load)."""
    dbs = effects.dbs if effects is not None else None
    if dbs is None:
        pf = effects.program_fields if effects is not None else None
        if pf is None:  # off pulsed channels beside an iontophoresis one: their own loads
            return {n: ohm for n, ohm in effects.own_loads
                    if math.isfinite(ohm) and ohm > 0} if effects else {}
        # a voltage-controlled surface output's skin rules were judged into 500 Ω where the
        # same run drove 2.4 A through the site's 200 Ω (probe of 5 December 2026)
        solved = {c.name: float(c.resistance) for c in pf.channels}
        # each channel's load through the interface at its own pulse, from its own run
        # where the channels were read in turn (the others' were the strongest channel's:
        # a 1 ms channel beside a 50 µs one got the 50 µs pulse's lower load, and the power
        # density into it read up to 5 x low; review of 6 December 2026)
        solved.update({r.channel: float(r.load_ohm) for r in effects.reaches}
                      if effects is not None else {})
        # through the interface at its own pulse where the device states no bound too, and
        # for a channel that is off (review of 6 December 2026)
        solved.update(dict(effects.own_loads) if effects is not None else {})
        return {ch.name: solved[ch.name] for ch in program.channels
                if ch.name in solved and math.isfinite(solved[ch.name]) and solved[ch.name] > 0}
    # every channel its own (only the first's was passed: two identical channels on one
    # lead were judged into 54.5 Ω and 500 Ω; probe of 5 December 2026)
    return {ch.name: dbs.field_impedances_ohm[ch.name] for ch in program.channels
            if ch.impedance is None and ch.name in dbs.field_impedances_ohm}
