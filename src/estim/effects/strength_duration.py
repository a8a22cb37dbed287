"""Strength–duration of the sensory and motor thresholds, against human data.

The sensory threshold (the window's detection criterion) and the motor threshold (the
motor-axon fraction of a visible twitch) are found at several pulse widths under the
channel's field; a Weiss charge–duration line, Q = b (d + τ), gives the rheobase b and the
strength–duration time constant τ, which is what Mogyoros, Kiernan & Burke (1996) measured
in the human median nerve at the wrist: sensory τ = 665 ± 182 µs, motor τ = 459 ± 126 µs
(mean ± SD).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from estim.effects.window import sensation_window
from estim.errors import EstimError
from estim.evidence import EvidenceLevel
from estim.program.options import Control, PulseShape
from estim.waveforms.build import biphasic_pulse
from estim.waveforms.stimulus import Stimulus, Timing

if TYPE_CHECKING:
    from estim.fields.sites import Site
    from estim.fields.solve import ChannelField

__all__ = ["HUMAN_SD_TIME_CONSTANT_S", "WindowStrengthDuration", "weiss_fit",
           "window_strength_duration"]

#: Human strength–duration time constants (s): (mean, SD), median nerve at the wrist.
HUMAN_SD_TIME_CONSTANT_S: dict[str, tuple[float, float]] = {
    "sensory": (665e-6, 182e-6),
    "motor": (459e-6, 126e-6),
}
HUMAN_SD_SOURCE = ("Mogyoros I, Kiernan MC, Burke D. Strength-duration properties of human "
                   "peripheral nerve. Brain 119:439-447 (1996); Weiss charge-duration fit")


def weiss_fit(pulse_widths_s: NDArray[np.float64], thresholds_a: NDArray[np.float64]
              ) -> tuple[float, float]:
    """Rheobase (A) and time constant (s) from a least-squares line Q = b·d + b·τ.

    This is the charge–duration form Mogyoros et al. fitted, so the time constants compare.
    """
    d = np.asarray(pulse_widths_s, float)
    i = np.asarray(thresholds_a, float)
    ok = np.isfinite(i)
    if ok.sum() < 2:
        raise EstimError("strength-duration: fewer than two pulse widths reached a threshold "
                         "within the search range; no fit")
    slope, intercept = np.polyfit(d[ok], i[ok] * d[ok], 1)
    if not (slope > 0 and intercept >= 0):
        raise EstimError(f"strength-duration: charge-duration line with rheobase {slope:.3g} A "
                         f"and intercept {intercept:.3g} C is not a Weiss law; no fit")
    return float(slope), float(intercept / slope)


@dataclass(frozen=True, eq=False)
class WindowStrengthDuration:
    """Sensory and motor thresholds (A of peak current) against pulse width (s)."""

    pulse_widths_s: NDArray[np.float64]
    sensory_a: NDArray[np.float64]
    motor_a: NDArray[np.float64]
    sensory_fit: tuple[float, float]
    motor_fit: tuple[float, float]
    evidence: EvidenceLevel = EvidenceLevel.MODEL_PREDICTION

    def comparison(self) -> dict[str, Any]:
        """Model τ against the human mean ± SD, in SDs from the mean, and the widths of
        the single monophasic pulses they were fitted on (s)."""
        out: dict[str, Any] = {"source": HUMAN_SD_SOURCE,
                               "pulse_widths_s": [float(w) for w in self.pulse_widths_s]}
        for name, fit in (("sensory", self.sensory_fit), ("motor", self.motor_fit)):
            mean, sd = HUMAN_SD_TIME_CONSTANT_S[name]
            out[name] = {"model_time_constant_s": fit[1], "model_rheobase_A": fit[0],
                         "human_mean_s": mean, "human_sd_s": sd,
                         "z_score": (fit[1] - mean) / sd}
        return out


def window_strength_duration(channel_field: ChannelField, *, site: Site | None = None,
                             pulse_widths_s: Sequence[float] = (50e-6, 100e-6, 200e-6,
                                                                500e-6, 1000e-6),
                             counts: Mapping[str, int] | None = None, seed: int = 0,
                             progress: Callable[[str], None] | None = None
                             ) -> WindowStrengthDuration:
    """Sensory and motor thresholds for monophasic rectangular pulses of each width (the
    pulses Mogyoros et al. used), under the channel's field."""
    widths = np.asarray(pulse_widths_s, float)
    n = {"abeta": 40, "adelta": 0, "c": 0, "periosteal": 0, "motor": 40}
    n.update(counts or {})
    sens, mot = [], []
    for w in widths:
        if progress is not None:
            progress(f"strength-duration: {w * 1e6:.0f} us")
        pulse = biphasic_pulse(PulseShape.MONOPHASIC, float(w))
        stim = Stimulus((pulse,), np.zeros(1), np.zeros(1, dtype=np.intp), np.ones(1),
                        1.0, 1, Control.CURRENT, Timing(shape=pulse.label))
        win = sensation_window("sd", stim, channel_field, 1.0, site=site, counts=n, seed=seed)
        sens.append(win.sensory_a)
        mot.append(win.motor_a)
    s, m = np.array(sens), np.array(mot)
    return WindowStrengthDuration(widths, s, m, weiss_fit(widths, s), weiss_fit(widths, m))
