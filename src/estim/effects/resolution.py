"""How far the sensation window's thresholds can be told apart: a threshold's own
resolution and its spread over samples of fibers, whether a current lies too near one to
say on which side a person falls, and whether two thresholds lie too near each other for
the model to say which a rising current meets first.

The faces read these (the terminal, the report, the virtual stimulator) to say "too close
to call" and "not settled" instead of presenting a draw's order as a prediction.

Evidence: the spreads are measured over five samples of the model's fibers
(docs/effects.md, "How far the sample of fibers moves the answer"); they say how far the
model's own sampling moves a threshold, not how far people differ (the bands do that).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

__all__ = ["EDGE_FRACTION", "EDGE_THRESHOLDS", "SAMPLING_CV", "edge_fraction",
           "orders_unsettled", "thresholds_near"]

#: The thresholds' own resolution (a fraction): they are bracketed to 2 % and interpolated
#: between sampled axons.
EDGE_FRACTION = 0.03
#: The thresholds whose spread over samples of fibers was measured (:data:`SAMPLING_CV`), in
#: the order a rising dial meets them; strong tingling's was not, and it is not flagged.
EDGE_THRESHOLDS = ("sensory", "motor", "pain")
#: How far each threshold moves with nothing but the draw of the fibers (the default
#: counts, :data:`~estim.effects.placement.DEFAULT_COUNTS`: 60 Aβ, 60 Aδ, 40 C, 240 motor
#: axons, 60 periosteal Aδ; other counts spread roughly as 1/√n, which this does not
#: follow): SD / mean over 5 samples,
#: each calibrated on its own as the stored values were on seed 0, pooled as a root mean
#: square over the bundled examples (``python benchmarks/sensation_window.py --seeds 5
#: --recalibrate``, 3 December 2026; docs/effects.md, "How far the sample of fibers moves
#: the answer"). With 120 motor axons and seed 0's calibration on every draw they were
#: 0.107, 0.082 and 0.116.
SAMPLING_CV: dict[str, float] = {"sensory": 0.094, "motor": 0.044, "pain": 0.122}
#: A threshold's 10th-90th percentile over samples of fibers spans ±1.28 SD (the bands over
#: virtual subjects use the same percentiles).
_P90_Z = 1.2816


def edge_fraction(name: str) -> float:
    """How near (a fraction) a current may lie to the threshold ``name`` (sensory, motor,
    pain) before the side of it a person falls on is too close to call: the threshold's
    10th-90th percentile over samples of fibers (:data:`SAMPLING_CV`), or its bracket
    (:data:`EDGE_FRACTION`), whichever is wider."""
    return max(EDGE_FRACTION, _P90_Z * SAMPLING_CV[name])


def thresholds_near(current: float, thresholds: Mapping[str, float | None]
                    ) -> list[tuple[str, float, float]]:
    """The thresholds of :data:`EDGE_THRESHOLDS` (name, value, its :func:`edge_fraction`)
    that ``current`` lies within the edge fraction of, in any one unit (A, or V on a voltage
    dial); a threshold that is None, zero or infinite (never reached) is never near.

    >>> [(name, amp) for name, amp, _ in thresholds_near(0.749, {"sensory": 0.0876,
    ...     "motor": 0.313, "pain": 0.754})]
    [('pain', 0.754)]
    """
    out = []
    for name in EDGE_THRESHOLDS:
        amp = thresholds.get(name)
        edge = edge_fraction(name)
        if amp is not None and 0 < amp < math.inf and abs(current / amp - 1.0) < edge:
            out.append((name, float(amp), edge))
    return out


def orders_unsettled(thresholds: Mapping[str, float | None]
                     ) -> list[tuple[str, float, str, float, float]]:
    """Pairs of the thresholds of :data:`EDGE_THRESHOLDS` that lie too near each other for
    the model to say which a rising current meets first: (lower name, its value, upper
    name, its value, spread), where the upper lies less than ``spread`` (a fraction) above
    the lower, and ``1 + spread`` is the 90th percentile of their ratio over samples of
    fibers, of a pair of equal thresholds (:data:`SAMPLING_CV`, the two draws independent,
    the ratio log-normal; as the words say it: "18 % apart at most"). The shipped
    thresholds are one draw; a gap inside the spread is the draw's, not the model's: the
    knee's twitch and pain, 9 % apart in modulated TENS's draw, swapped with 960 fibers
    (docs/effects.md, "Where the model still disagrees"). A threshold that is None, zero or
    infinite is left out.

    >>> [(a, b, round(f, 3)) for a, _, b, _, f in orders_unsettled(
    ...     {"sensory": 0.00402, "motor": 0.0334, "pain": 0.0364})]
    [('motor', 'pain', 0.181)]
    >>> orders_unsettled({"sensory": 0.00485, "motor": 0.031, "pain": 0.046})
    []
    """
    known = sorted(((float(v), name) for name in EDGE_THRESHOLDS
                    if (v := thresholds.get(name)) is not None and 0 < v < math.inf),
                   key=lambda t: t[0])
    out = []
    for i, (low, first) in enumerate(known):
        for high, then in known[i + 1:]:
            spread = math.expm1(_P90_Z * math.hypot(SAMPLING_CV[first], SAMPLING_CV[then]))
            if high / low - 1.0 < spread:
                out.append((first, low, then, high, spread))
    return out
