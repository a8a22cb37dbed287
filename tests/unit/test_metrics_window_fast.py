"""The worst-window r.m.s. (O(n log n)) against the brute-force algorithm it replaced (every
candidate window evaluated on two tiled cycles) and against sampling; and its cost."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from estim.program import Control, PulseShape, parse_program
from estim.waveforms import (
    Pulse,
    Segment,
    Stimulus,
    Timing,
    biphasic_pulse,
    max_window_rms,
    stimuli_for,
)


def _reference(stim: Stimulus, window_s: float) -> float:
    """The previous implementation: O(n·templates), every window start at a segment start and
    every window end at a segment end of two tiled cycles, each evaluated from scratch."""
    window = min(window_s, stim.duration_s)
    cycle = stim.cycle_s
    whole = math.floor(window / cycle) if stim.n_cycles > 1 else 0
    rem = window - whole * cycle
    e_cycle = float(stim.event_charge_sq.sum())
    best = 0.0
    if rem > 0:
        reps = 2 if stim.n_cycles > 1 else 1
        onsets = np.concatenate([stim.onsets_s + i * cycle for i in range(reps)])
        template = np.tile(stim.template, reps)
        scale = np.tile(stim.scale, reps)
        e = np.tile(stim.event_charge_sq, reps)
        cum_before = np.concatenate([[0.0], np.cumsum(e)[:-1]])

        def cumulative(t: np.ndarray) -> np.ndarray:
            k = np.searchsorted(onsets, t, side="right") - 1
            out = np.zeros_like(t)
            ok = k >= 0
            kk = k[ok]
            partial = np.zeros(kk.shape)
            local = t[ok] - onsets[kk]
            for j, p in enumerate(stim.pulses):
                m = template[kk] == j
                if np.any(m):
                    partial[m] = p.charge_sq_upto(local[m])
            out[ok] = cum_before[kk] + scale[kk] ** 2 * partial
            return out

        b0 = np.concatenate([o + np.array([s.start for s in stim.pulses[j].segments])
                             for o, j in zip(onsets, template, strict=True)])
        b1 = np.concatenate([o + np.array([s.end for s in stim.pulses[j].segments])
                             for o, j in zip(onsets, template, strict=True)])
        starts = np.concatenate([b0, b1 - rem])
        starts = starts[(starts >= 0) & (starts + rem <= reps * cycle + 1e-12)]
        best = float(np.max(cumulative(starts + rem) - cumulative(starts)))
    return math.sqrt((whole * e_cycle + best) / window)


def _stim(onsets, widths, scales, cycle, n_cycles) -> Stimulus:
    uniq, template = np.unique(np.round(widths, 9), return_inverse=True)
    pulses = tuple(biphasic_pulse(PulseShape.ASYMMETRIC_BIPHASIC, float(w), ratio=0.5)
                   for w in uniq)
    return Stimulus(pulses, np.asarray(onsets, float), template.astype(np.intp),
                    np.asarray(scales, float), cycle, n_cycles, Control.CURRENT,
                    Timing(shape="test"))


@settings(max_examples=60, deadline=None, derandomize=True)
@given(n=st.integers(1, 40), gap=st.floats(1e-3, 0.2), cycles=st.integers(1, 5),
       window=st.floats(0.01, 3.0), seed=st.integers(0, 2**16))
def test_matches_the_reference_on_random_trains(n, gap, cycles, window, seed):
    rng = np.random.default_rng(seed)
    widths = rng.uniform(10e-6, 200e-6, n)
    steps = gap + rng.uniform(0, gap, n)
    onsets = np.concatenate([[0.0], np.cumsum(steps)[:-1]])
    cycle = float(onsets[-1] + steps[-1])
    stim = _stim(onsets, widths, rng.uniform(-0.05, 0.05, n), cycle, cycles)
    got = max_window_rms(stim, window)
    assert got == pytest.approx(_reference(stim, window), rel=1e-9, abs=1e-15)


def test_a_dc_plateau_window_inside_one_long_segment():
    # 1 A for 10 s then a 10 s ramp down: the worst 1 s is on the plateau, 1 A exactly
    pulse = Pulse((Segment.constant(1.0, 0.0, 10.0), Segment.ramp(1.0, 0.0, 10.0, 10.0)))
    stim = Stimulus((pulse,), np.zeros(1), np.zeros(1, dtype=np.intp), np.ones(1), 20.0, 1,
                    Control.CURRENT, Timing(shape="dc"))
    assert max_window_rms(stim, 1.0) == pytest.approx(1.0, rel=1e-12)
    assert max_window_rms(stim, 20.0) == pytest.approx(_reference(stim, 20.0), rel=1e-12)


def test_matches_sampling_on_an_nmes_train():
    """A 2 s window slid over a sampled ramped train (independent of both algorithms)."""
    w, f = 300e-6, 50.0
    onsets = np.arange(0.0, 4.0, 1 / f)
    scales = np.minimum(1.0, onsets / 2.0) * 0.05
    stim = _stim(onsets, np.full(onsets.size, w), scales, 10.0, 3)
    t = np.linspace(0.0, 10.0, 2_000_001)
    v2 = stim.sample(t) ** 2
    dt = t[1] - t[0]
    cum = np.concatenate([[0.0], np.cumsum(v2) * dt])
    k = round(2.0 / dt)
    sampled = math.sqrt(float(np.max(cum[k:] - cum[:-k])) / 2.0)
    # 1e-3: rectangular edges fall between samples (20 samples across each 300 us phase)
    assert max_window_rms(stim, 2.0) == pytest.approx(sampled, rel=1e-3)


def _tens(extra: str) -> str:
    return ('name = "big"\n[device]\ncontrol = "current"\nmax_current = "100 mA"\n'
            'compliance_voltage = "100 V"\n[site]\nname = "forearm"\n[[channels]]\nname = "1"\n'
            'anode = { placement = "forearm_volar_proximal", width = "5 cm", length = "5 cm" }\n'
            'cathode = { placement = "forearm_volar_distal", width = "5 cm", length = "5 cm" }\n'
            '[channels.stimulation]\namplitude = "20 mA"\n' + extra)


def test_two_million_pulses_take_seconds():
    """The largest cycle a program may hold (2e6 pulses): once quadratic-ish (minutes)."""
    text = _tens('type = "nmes"\nfrequency = "10 kHz"\npulse_width = "20 us"\n'
                 'on_time = "200 s"\noff_time = "100 s"\nramp_up = "50 s"\nramp_down = "50 s"\n'
                 'duration = "24 h"\n')
    (stim,) = stimuli_for(parse_program(text))
    assert len(stim.onsets_s) > 1_900_000
    t0 = time.perf_counter()
    rms = max_window_rms(stim, 1.0)
    elapsed = time.perf_counter() - t0
    # the plateau: 20 mA · sqrt(2 · 20 us · 10 kHz)
    assert rms == pytest.approx(0.020 * math.sqrt(2 * 20e-6 * 1e4), rel=1e-9)
    assert elapsed < 20.0  # about 1 s on one core; generous for a shared machine
