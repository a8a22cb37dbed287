"""The browser stimulator's preparation bar follows the window's own progress messages: each
fiber class's threshold search moves it on (it stood at 5 % through the Aβ, Aδ and C
searches once the messages named the classes as Aβ, Aδ and C; review of 6 December 2026)."""

from __future__ import annotations

import itertools
import warnings

from estim.effects.window import sensation_window
from estim.program import load_program
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
    searches = [m for m in said if m.startswith("thresholds: ")]
    assert len(searches) == 4, said
    shares, last = [], 0.02  # after the fields
    for message in searches:
        last = _fraction(message, last)
        shares.append(last)
    # Aβ, Aδ, C and motor each further than the one before
    assert all(b > a for a, b in itertools.pairwise(shares)), (searches, shares)
