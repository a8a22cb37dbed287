"""Two-channel interference: envelope amplitude, modulation depth, premodulated vs true IFC.

Two carriers at f and f + Δf with field amplitudes E1(x), E2(x) (V/m, vectors) sum to a
field whose amplitude beats at Δf. Grossman et al. 2017 (Cell 169:1029) give the envelope
amplitude (peak-to-peak modulation of the beat):

* along a unit direction n: |E_AM(n)| = | |(E1 + E2)·n| − |(E1 − E2)·n| |;
* maximum over directions: order so |E1| ≥ |E2| and E1·E2 ≥ 0 (flip E2 otherwise); with α
  the angle between them, 2|E2| if |E2| ≤ |E1| cos α, else 2 |E2 × (E1 − E2)| / |E1 − E2|.

Both envelopes are the swing (max − min) of the beat amplitude over one beat period.
Premodulated interferential (one channel, amplitude-modulated 0..100 % in the device)
swings its whole field amplitude |E| everywhere its field reaches; true interferential
gives the envelope above, full (depth 1) only where the two fields are equal and parallel.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "envelope_along",
    "envelope_max",
    "modulation_depth",
    "premodulated_envelope",
]

F = NDArray[np.float64]


def envelope_max(e1: ArrayLike, e2: ArrayLike) -> F:
    """Envelope modulation amplitude maximised over directions (V/m), Grossman et al. 2017.

    :param e1: (N, 3) field amplitude of channel 1 at its current (V/m).
    :param e2: (N, 3) channel 2.
    """
    a = np.atleast_2d(np.asarray(e1, float)).copy()
    b = np.atleast_2d(np.asarray(e2, float)).copy()
    swap = np.linalg.norm(b, axis=1) > np.linalg.norm(a, axis=1)
    a[swap], b[swap] = b[swap].copy(), a[swap].copy()
    flip = np.einsum("ij,ij->i", a, b) < 0
    b[flip] = -b[flip]
    na, nb = np.linalg.norm(a, axis=1), np.linalg.norm(b, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = np.where(na * nb > 0, np.einsum("ij,ij->i", a, b) / (na * nb), 1.0)
        d = a - b
        nd = np.linalg.norm(d, axis=1)
        general = 2 * np.linalg.norm(np.cross(b, d), axis=1) / nd
    # rounding: E1 == E2 gives cos = 1 − eps; the two branches agree at the boundary
    first = (nb <= na * cos * (1 + 1e-12)) | (nd <= 1e-12 * na)
    return np.where(first, 2 * nb, np.nan_to_num(general))


def envelope_along(e1: ArrayLike, e2: ArrayLike, direction: ArrayLike) -> F:
    """Envelope modulation amplitude along unit ``direction`` (V/m): ||(E1+E2)·n| − |(E1−E2)·n||."""
    a = np.atleast_2d(np.asarray(e1, float))
    b = np.atleast_2d(np.asarray(e2, float))
    n = np.asarray(direction, float)
    n = n / np.linalg.norm(n, axis=-1, keepdims=True)
    s = np.abs(np.sum((a + b) * n, axis=-1))
    d = np.abs(np.sum((a - b) * n, axis=-1))
    return np.abs(s - d)


def modulation_depth(e1: ArrayLike, e2: ArrayLike, direction: ArrayLike | None = None) -> F:
    """Modulation depth in [0, 1]: envelope / (|E1| + |E2|) peak amplitude.

    Along a direction: (max − min)/(max) of the beat amplitude |(E1 + E2 e^{iΔωt})·n|, i.e.
    envelope_along / (|E1·n| + |E2·n|). Without a direction, the maximum-over-directions
    envelope over |E1| + |E2|. 1 means the field falls to zero once per beat.
    """
    a = np.atleast_2d(np.asarray(e1, float))
    b = np.atleast_2d(np.asarray(e2, float))
    if direction is None:
        env = envelope_max(a, b)
        peak = np.linalg.norm(a, axis=1) + np.linalg.norm(b, axis=1)
    else:
        n = np.asarray(direction, float)
        n = n / np.linalg.norm(n, axis=-1, keepdims=True)
        env = envelope_along(a, b, n)
        peak = np.abs(np.sum(a * n, axis=-1)) + np.abs(np.sum(b * n, axis=-1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(peak > 0, env / peak, 0.0)


def premodulated_envelope(e: ArrayLike) -> F:
    """Premodulated IFC: one channel, 100 % amplitude-modulated in the stimulator.

    The envelope modulation amplitude is the full field amplitude |E| everywhere (V/m), to be
    set beside :func:`envelope_max` of true two-channel interference, whose modulation is
    partial except where the two fields are equal and parallel.
    """
    return np.linalg.norm(np.atleast_2d(np.asarray(e, float)), axis=1)
