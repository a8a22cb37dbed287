"""Waveforms: pulse-level representation of every modality, exact metrics and a sampler."""

from estim.waveforms.build import biphasic_pulse, stimuli_for, stimulus_for
from estim.waveforms.metrics import Metrics, max_window_rms, metrics
from estim.waveforms.segments import Pulse, Segment
from estim.waveforms.stimulus import Stimulus, Timing

__all__ = [
    "Metrics",
    "Pulse",
    "Segment",
    "Stimulus",
    "Timing",
    "biphasic_pulse",
    "max_window_rms",
    "metrics",
    "stimuli_for",
    "stimulus_for",
]
