"""Temporal-interference envelope (Grossman et al. 2017) against brute force."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from estim.fields.interference import (
    envelope_along,
    envelope_max,
    modulation_depth,
    premodulated_envelope,
)

vectors = st.lists(st.floats(-10, 10), min_size=3, max_size=3).map(np.array)


def _brute_force_max(e1: np.ndarray, e2: np.ndarray, n: int = 20000) -> float:
    """Max over directions of the swing of |(E1 + E2 e^{iφ})·n| over a beat, sampled."""
    rng = np.random.default_rng(0)
    dirs = rng.normal(size=(n, 3))
    dirs /= np.linalg.norm(dirs, axis=1, keepdims=True)
    a, b = np.abs(dirs @ e1), np.abs(dirs @ e2)
    return float(np.max(2 * np.minimum(a, b)))


def test_parallel_equal_fields_modulate_fully() -> None:
    e = np.array([[1.0, 0, 0]])
    assert envelope_max(e, e)[0] == pytest.approx(2.0)
    assert envelope_max(e, -e)[0] == pytest.approx(2.0)  # sign flip: same envelope
    assert modulation_depth(e, e)[0] == pytest.approx(1.0)
    assert envelope_along(e, e, [1, 0, 0])[0] == pytest.approx(2.0)
    assert envelope_along(e, e, [0, 1, 0])[0] == pytest.approx(0.0)


def test_orthogonal_equal_fields() -> None:
    e1, e2 = np.array([[1.0, 0, 0]]), np.array([[0, 1.0, 0]])
    # general branch: 2|E2 x (E1 - E2)| / |E1 - E2| = 2 / sqrt(2)
    assert envelope_max(e1, e2)[0] == pytest.approx(np.sqrt(2))


def test_one_channel_off_gives_no_envelope_but_premodulated_does() -> None:
    e1, e2 = np.array([[0.0, 3.0, 4.0]]), np.zeros((1, 3))
    assert envelope_max(e1, e2)[0] == 0.0
    assert modulation_depth(e1, e2)[0] == 0.0
    assert premodulated_envelope(e1)[0] == pytest.approx(5.0)


@settings(max_examples=40, deadline=None)
@given(e1=vectors, e2=vectors)
def test_envelope_max_is_max_over_directions(e1: np.ndarray, e2: np.ndarray) -> None:
    exact = envelope_max(e1[None], e2[None])[0]
    brute = _brute_force_max(e1, e2)
    scale = np.linalg.norm(e1) + np.linalg.norm(e2)
    # the brute force samples 20000 directions: it can only fall short of the maximum, by
    # O(angular spacing²) ~ 1e-3 of the field scale
    assert brute <= exact + 1e-9 * (1 + scale)
    assert exact <= brute + 5e-3 * scale + 1e-12


@settings(max_examples=40, deadline=None)
@given(e1=vectors, e2=vectors, n=vectors)
def test_envelope_along_and_depth_bounds(e1: np.ndarray, e2: np.ndarray, n: np.ndarray) -> None:
    if np.linalg.norm(n) < 1e-6:
        n = np.array([0.0, 0.0, 1.0])
    along = envelope_along(e1[None], e2[None], n)[0]
    nn = n / np.linalg.norm(n)
    assert along == pytest.approx(2 * min(abs(e1 @ nn), abs(e2 @ nn)), abs=1e-9 * (1 + 20))
    assert along <= envelope_max(e1[None], e2[None])[0] + 1e-9 * (1 + 20)
    for d in (modulation_depth(e1[None], e2[None])[0],
              modulation_depth(e1[None], e2[None], n)[0]):
        assert -1e-12 <= d <= 1 + 1e-12


@pytest.mark.parametrize(("e1", "e2", "direction", "depth"), [
    # orthogonal unit fields: the largest envelope lies at 45°, 2 x √2/2 = √2, over |E1|+|E2|
    # = 2 (the equal parallel case alone could not tell the denominator from 2 max|E|)
    ((1, 0, 0), (0, 1, 0), None, np.sqrt(2) / 2),
    # along the diagonal both project √2/2: the beat falls to zero there
    ((1, 0, 0), (0, 1, 0), (1, 1, 0), 1.0),
    # parallel, unequal: the beat swings between 1.5 and 0.5, an envelope of 1 over 1.5
    ((1, 0, 0), (0.5, 0, 0), None, 2 / 3),
    ((1, 0, 0), (0.5, 0, 0), (1, 0, 0), 2 / 3),
])
def test_modulation_depth_by_hand(e1, e2, direction, depth) -> None:
    """Closed forms of envelope / (|E1| + |E2|) of the two carriers' beat: the
    unequal and orthogonal cases fix the normalisation (review of 6 December 2026)."""
    assert modulation_depth(e1, e2, direction)[0] == pytest.approx(depth, rel=1e-12)
