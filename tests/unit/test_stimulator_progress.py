"""The browser stimulator's preparation bar follows the window's own progress messages: each
fiber class's threshold search moves it on (it stood at 5 % through the Aβ, Aδ and C
searches once the messages named the classes as Aβ, Aδ and C; review of 6 December 2026),
and each search moves it on from inside."""

from __future__ import annotations

import itertools
import warnings

import pytest

from estim.effects.window import sensation_window
from estim.program import load_program
from estim.progress import Partway
from estim.stimulator.engine import _fraction
from estim.waveforms import stimuli_for
from tests.conftest import EXAMPLES
from tests.unit.test_effects_window import _HalfSpaceDisc


def test_each_class_search_moves_the_bar_on():
    program = load_program(next(p for p in EXAMPLES if p.stem == "tens_conventional"))
    stim = stimuli_for(program)[0]
    said: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # clamped Aδ diameters: a documented model limit
        sensation_window("1", stim, _HalfSpaceDisc(a=0.02), 0.025, seed=1,
                         counts={"abeta": 2, "adelta": 2, "c": 1, "motor": 2},
                         progress=said.append)
    searches = [m for m in said if m.startswith("thresholds: ") and not isinstance(m, Partway)]
    assert len(searches) == 4, said
    shares, last = [], 0.02  # after the fields
    for message in searches:
        last = _fraction(message, last)
        shares.append(last)
    # Aβ, Aδ, C and motor each further than the one before
    assert all(b > a for a, b in itertools.pairwise(shares)), (searches, shares)

    # inside each search the bar moves on too (it stood at one share through the motor
    # fibers' search, half of a cold preparation: 146 s of true interferential's 300 s,
    # 7 December 2026), each class from its own start to the next one's, done at 100 %
    for start in searches:
        steps = [m for m in said if isinstance(m, Partway) and m == start]
        done = [m.done for m in steps]
        assert len(done) >= 3 and done[-1] == 1.0, (start, done)
        assert all(b >= a for a, b in itertools.pairwise(done)), (start, done)
        assert 0.0 < done[0] < 1.0, (start, done)
        bar = [_fraction(m, _fraction(start, 0.0)) for m in steps]
        following = shares[searches.index(start) + 1] if start != searches[-1] else 0.88
        assert _fraction(start, 0.0) < bar[0] < following, (start, bar)
        assert bar[-1] == pytest.approx(following), (start, bar)
