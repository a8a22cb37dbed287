"""Conduction under a kHz carrier: whether an action potential still passes the window's
fibers while an interferential or Russian carrier runs (:mod:`estim.fibers.block`), a few
fibers of each class that the carrier excites, and a sentence of what was found.

Evidence: mechanistic (the cable models' block), not checked against human data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from estim.cache import digest, load_arrays, store_arrays
from estim.effects.drive import TRAVEL_S, SourcePulses, UnitPulse, time_step
from estim.effects.placement import CLASS_LABELS, Potential, place_fibers
from estim.effects.populations import FiberPopulation
from estim.waveforms.segments import Pulse, Segment

if TYPE_CHECKING:
    from estim.fibers.block import ConductionTest
    from estim.fields.electrodes import Electrode
    from estim.fields.sites import Site

__all__ = ["CONDUCTION_SAMPLE", "carrier_conduction", "conduction_note",
           "conduction_waveform", "short_burst_note"]


#: Fibers of each class whose conduction is tested under a kHz carrier: up to this many of
#: those the carrier excites (block needs more current than excitation: Bhadra et al.
#: 2007), spread evenly over their thresholds.
CONDUCTION_SAMPLE = 8
#: The test starts at the carrier's strongest after its onset: at the peak of a beat
#: (premodulated or true interferential; the carrier runs on for up to
#: :data:`_CONDUCTION_SPAN_S` to reach one), in the middle of a burst (Russian current).
_CONDUCTION_ONSET_S = 3e-3  # 1 ms after the onset of estim.fibers.block.ONSET_S
_CONDUCTION_SPAN_S = 30e-3
#: Time after the test pulse for its action potential to reach the detection node
#: (:data:`~estim.effects.drive.TRAVEL_S`). The carrier may end meanwhile: the test is
#: blocked or not where the carrier acts.
_CONDUCTION_TRAVEL_S = TRAVEL_S


def conduction_waveform(waveform: UnitPulse | SourcePulses, continuous: bool,
                        carrier_hz: float) -> tuple[UnitPulse | SourcePulses, float | None]:
    """The carrier to test conduction under, and when the test starts (s); None where a
    burst ends before :data:`_CONDUCTION_ONSET_S` (a 2 ms burst of a 4 kHz carrier at 50 Hz:
    the test needs the carrier's onset over first, and its run stopped with an error; the
    sweep of Ward & Lucas-Toumbourou's bursts, 8 December 2026).

    A ``continuous`` carrier (its pulses back to back: each one a piece of a running sine or
    beat) runs on to :data:`_CONDUCTION_SPAN_S`; a burst stays as it is. The test starts
    in the middle of the first stretch after :data:`_CONDUCTION_ONSET_S` where the
    envelope (the peak of the summed sources over a carrier period, the same at every fiber
    for sources that start in phase) is within 1 % of its largest."""
    from scipy.ndimage import maximum_filter1d

    def run_on(p: Pulse) -> Pulse:
        seg = p.segments[0]
        if not continuous or len(p.segments) != 1 or seg.linear is not None:
            return p
        return Pulse((Segment(seg.start, _CONDUCTION_SPAN_S, seg.coeffs, seg.rates),),
                     p.label)

    carrier: UnitPulse | SourcePulses
    if isinstance(waveform, UnitPulse):
        one = run_on(waveform.pulse)
        carrier, end = UnitPulse(one, waveform.delay_s), one.duration
    else:
        carrier = SourcePulses(tuple(run_on(p) for p in waveform.pulses),
                               waveform.relative_peaks, waveform.delay_s)
        end = min(p.duration for p in carrier.pulses)
    d = carrier.delay_s
    dt = 0.1 / carrier_hz
    t = np.arange(d, d + end, dt)
    total = np.abs(np.atleast_2d(carrier.sample(t)).sum(axis=0))
    per = max(1, round(1.0 / (carrier_hz * dt)))
    env = maximum_filter1d(total, size=2 * (per // 2) + 1, mode="nearest")
    late = t >= d + _CONDUCTION_ONSET_S
    if continuous:  # leave the travel of the slowest fiber inside the span
        late &= t <= d + end - max(_CONDUCTION_TRAVEL_S.values())
    if not late.any():
        return carrier, None
    top = late & (env >= 0.99 * env[late].max())
    first = int(np.argmax(top))
    stop = first + int(np.argmin(top[first:])) if not top[first:].all() else t.size
    return carrier, float(t[(first + stop - 1) // 2])


def carrier_conduction(pop: FiberPopulation, thresholds_a: NDArray[np.float64],
                       electrode: Electrode, site: Site | None,
                       potential: Potential | Sequence[Potential],
                       carrier: UnitPulse | SourcePulses, test_s: float,
                       amplitude_a: float) -> ConductionTest:
    """Whether a kHz carrier at ``amplitude_a`` (A of channel peak) lets an action potential
    through up to :data:`CONDUCTION_SAMPLE` of the class's fibers that it excites
    (:mod:`estim.fibers.block`): a test action potential from each one's ending (a motor
    axon's end node), sent at ``test_s`` (:func:`conduction_waveform`). Cached on disk
    like the thresholds."""
    from estim.fibers import SolverOptions
    from estim.fibers.block import (
        FIRST_TEST_A,
        MAX_TEST_A,
        ONSET_S,
        TEST_WIDTH_S,
        Conduction,
        ConductionTest,
        conduction_test,
    )

    thr = np.asarray(thresholds_a, float)
    excited = np.flatnonzero(np.isfinite(thr) & (thr <= amplitude_a))
    if excited.size == 0:
        return ConductionTest((), amplitude_a, test_s)
    order = excited[np.argsort(thr[excited], kind="stable")]
    k = min(CONDUCTION_SAMPLE, order.size)
    which = [int(order[j]) for j in np.linspace(0, order.size - 1, k).round().astype(int)]
    fibers, _, phis, _ = place_fibers(pop, electrode, site, potential, which)
    dt = time_step(carrier)
    tstop = test_s + _CONDUCTION_TRAVEL_S.get(pop.model, _CONDUCTION_TRAVEL_S["mrg"])
    options = SolverOptions(dt_s=dt, tstop_s=tstop)
    ending = () if fibers[0].terminal is None else (repr(fibers[0].terminal),)
    key = digest("conduction-2", pop.model, fibers[0].nap_shift_mv,
                 pop.model_diameter_m[which], np.stack(phis), carrier.cache_key(),
                 amplitude_a, tstop, dt, test_s, options.detect_fraction, TEST_WIDTH_S,
                 FIRST_TEST_A, MAX_TEST_A, ONSET_S, *ending)
    hit = load_arrays("conduction", key)
    if hit is not None:
        names = list(Conduction)
        return ConductionTest(tuple(names[int(i)] for i in hit["states"]), amplitude_a,
                              test_s)
    found = conduction_test(fibers, phis, carrier, amplitude_a, test_time_s=test_s,
                            options=options)
    store_arrays("conduction", key, {"states": np.array(
        [list(Conduction).index(s) for s in found.states])})
    return found


def conduction_note(carrier_hz: float, amplitude_a: float, test_s: float,
                    tests: Mapping[str, ConductionTest]) -> str:
    """What the conduction tests found, in a sentence a clinician can read."""
    from estim.fibers.block import Conduction

    def listed(state: Conduction) -> str:
        return ", ".join(f"{t.count(state)} of {len(t.states)} {CLASS_LABELS[k]}"
                         for k, t in tests.items() if t.count(state))

    found = {s: listed(s) for s in Conduction}
    quiet = [CLASS_LABELS[k] for k, t in tests.items() if not t.states]
    parts = [f"blocked in {found[Conduction.BLOCKED]}" if found[Conduction.BLOCKED]
             else "no fiber blocked"]
    if found[Conduction.TRANSMITS]:
        parts.append(f"transmits in {found[Conduction.TRANSMITS]}")
    if found[Conduction.EXCITED]:
        parts.append(f"the carrier itself keeps firing {found[Conduction.EXCITED]}")
    if found[Conduction.UNTESTED]:
        parts.append(f"untested (refractory after the carrier's onset, or the test pulse "
                     f"did not conduct) in {found[Conduction.UNTESTED]}")
    if quiet:
        parts.append(f"the carrier excites no {' or '.join(quiet)} fiber, so blocks none: "
                     "block needs more current than excitation")
    return (f"{carrier_hz / 1e3:g} kHz carrier at {amplitude_a * 1e3:.3g} mA, conduction "
            f"test (a test action potential sent through up to {CONDUCTION_SAMPLE} excited "
            f"fibers of each class, from an afferent's ending or a motor axon's end, "
            f"{test_s * 1e3:.3g} ms after the carrier starts, at its strongest): "
            + "; ".join(parts)
            + ". Mechanistic, not checked against human data.")


def short_burst_note(carrier_hz: float, burst_s: float) -> str:
    """Why conduction was not tested under a carrier whose bursts are too short for the test
    (:func:`conduction_waveform` gave no test time), in a sentence a clinician can read."""
    from estim.fibers.block import ONSET_S

    return (f"{carrier_hz / 1e3:g} kHz carrier in bursts of {burst_s * 1e3:.3g} ms: "
            f"conduction block is not tested (the test sends an action potential through "
            f"the fibers after the carrier's first {ONSET_S * 1e3:g} ms, its onset response, "
            f"and before {_CONDUCTION_ONSET_S * 1e3:g} ms a burst this short has ended). "
            "Block needs a carrier that runs on (Bhadra et al. 2007); a burst this short "
            "excites the fibers it reaches, as the thresholds above say.")
