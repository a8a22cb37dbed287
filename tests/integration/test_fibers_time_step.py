"""The window's time step: 5 µs instead of 2 µs for waveforms whose every time scale is 1 ms
or more (microcurrent's 1 s phases, 1 ms pulses) is as close to a 1 µs run as 2 µs is on a
200 µs pulse, so the coarser step costs no accuracy where it is used; faster waveforms keep
2 µs."""

from __future__ import annotations

import numpy as np
import pytest

from estim.effects.drive import (
    SLOW_DT_S,
    SLOW_FEATURE_S,
    STEPS_PER_FAST_SCALE,
    UnitPulse,
    time_step,
    unit_pulse,
)
from estim.effects.populations import free_ending
from estim.fibers import SolverOptions, find_thresholds, make_fiber, point_source_potential
from estim.fibers.cable import Terminal
from estim.fibers.solver import DEFAULT_DT_S
from estim.program.bundled import resolve_program
from estim.waveforms import stimuli_for
from estim.waveforms.segments import Pulse, Segment

pytestmark = pytest.mark.integration


def _rectangle(width_s: float) -> UnitPulse:
    return UnitPulse(Pulse((Segment.constant(-1.0, 0.0, width_s),), "rectangular"))


def _example_waveform(name: str) -> UnitPulse:
    return unit_pulse(stimuli_for(resolve_program(name)[0])[0])


@pytest.mark.parametrize(("name", "dt_s"), [
    ("microcurrent_face", SLOW_DT_S),       # 1 s phases
    ("tens_conventional", DEFAULT_DT_S),    # 200 µs phases
    ("ifc_premodulated", DEFAULT_DT_S),     # a 4 kHz carrier: 1/ω = 40 µs
    ("hvpc_wound", 5e-6 / STEPS_PER_FAST_SCALE),  # peaks decaying in 5 µs
    ("russian_quadriceps", DEFAULT_DT_S),   # a 2.5 kHz carrier in 10 ms bursts
])
def test_each_waveform_gets_the_step_its_fastest_feature_needs(name: str, dt_s: float) -> None:
    assert time_step(_example_waveform(name)) == pytest.approx(dt_s, rel=1e-12)


def _biphasic(phase_s: float) -> UnitPulse:
    return UnitPulse(Pulse((Segment.constant(-1.0, 0.0, phase_s),
                            Segment.constant(1.0, phase_s, phase_s)), "biphasic"))


def test_a_20_us_phase_keeps_the_default_step() -> None:
    # the strength-duration runs' shortest pulse; its float end is a hair under 20 µs
    assert time_step(_biphasic(20e-6)) == DEFAULT_DT_S
    assert time_step(_biphasic(19e-6)) == pytest.approx(1.9e-6, rel=1e-12)


@pytest.mark.parametrize("phase_s", [1e-6, 5e-6])
def test_phases_shorter_than_the_default_step_are_resolved(phase_s: float) -> None:
    """At the solver's 2 µs a biphasic pulse of 1 µs phases averaged to nothing within its
    first step (no threshold at all), and 5 µs phases came out 15.6 % high. Ten steps per
    phase is within 3 % of a run at a twentieth of that step (measured +0.3 % and +2.5 %:
    backward Euler's first-order error)."""
    fiber = make_fiber("mrg", 10e-6, n_nodes=21)
    phi = point_source_potential(fiber.points(), (0.0, 1e-3, 0.0), 0.2)
    wave = _biphasic(phase_s)
    dt = time_step(wave)
    assert dt == pytest.approx(phase_s / STEPS_PER_FAST_SCALE, rel=1e-12)
    thr = {step: float(find_thresholds(fiber, [phi], wave, precision=1e-3,
                                       options=SolverOptions(dt_s=step, tstop_s=5e-3)
                                       ).threshold_a[0])
           for step in (dt, dt / 20)}
    assert np.isfinite(thr[dt / 20])
    assert thr[dt] == pytest.approx(thr[dt / 20], rel=0.03)


def test_the_boundary_is_the_shortest_time_scale() -> None:
    assert time_step(_rectangle(SLOW_FEATURE_S)) == SLOW_DT_S
    assert time_step(_rectangle(0.999 * SLOW_FEATURE_S)) == DEFAULT_DT_S
    # a biphasic 1 ms pulse with a 50 µs gap: the gap is the shortest time scale
    gap = UnitPulse(Pulse((Segment.constant(-1.0, 0.0, 1e-3),
                           Segment.constant(1.0, 1.05e-3, 1e-3)), "biphasic"))
    assert time_step(gap) == DEFAULT_DT_S


@pytest.mark.parametrize(("model", "diameter_m", "tstop_s"), [
    ("mrg", 12e-6, 10e-3),    # a motor axon
    ("mrg", 5.7e-6, 10e-3),   # the thinnest MRG (the window's small Aβ)
    ("adelta", 5.7e-6, 10e-3),  # the window's Aδ: MRG behind a Sundt free ending
    ("sundt", 1e-6, 12e-3),   # a C fiber, with the window's 12 ms
])
@pytest.mark.parametrize("width_s", [1e-3, 1.0])
def test_the_coarse_step_gives_the_fine_steps_thresholds(model: str, diameter_m: float,
                                                         tstop_s: float, width_s: float) -> None:
    """Backward Euler's error is first order in dt. Against a 1 µs run, 5 µs on these
    waveforms is +0.05-0.38 % (measured; the Aδ behind its free ending +0.20-0.32 %), no
    worse than the default 2 µs on the 200 µs pulses of most programs (+0.27-0.30 % on the
    same fibers): 0.45 % bounds it with the search's own bracket (0.05 % here, so that the
    comparison sees the step's error, not the bracket's) to spare."""
    if model == "adelta":
        length, diameter, _ = free_ending(1.5e-3)
        fiber = make_fiber("mrg", diameter_m, n_nodes=21, passive_end_nodes=(0, 1),
                           terminal=Terminal(length_m=length, diameter_m=diameter))
    elif model == "sundt":
        fiber = make_fiber(model, diameter_m, length_m=3e-3, section_length_m=25e-6)
    else:
        fiber = make_fiber(model, diameter_m, n_nodes=21)
    phi = point_source_potential(fiber.points(), (0.0, 1e-3, 0.0), 0.2)
    wave = _rectangle(width_s)
    thr = {dt: float(find_thresholds(fiber, [phi], wave, precision=5e-4,
                                     options=SolverOptions(dt_s=dt, tstop_s=tstop_s)
                                     ).threshold_a[0])
           for dt in (1e-6, SLOW_DT_S)}
    assert np.isfinite(thr[1e-6])
    assert thr[SLOW_DT_S] == pytest.approx(thr[1e-6], rel=4.5e-3)
