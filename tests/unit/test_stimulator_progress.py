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
        # the stage after the motor fibers' is the bone's periosteal Aδ
        following = shares[searches.index(start) + 1] if start != searches[-1] else \
            _fraction("thresholds: 60 periosteal Aδ fibers (MRG model)", 0.0)
        assert _fraction(start, 0.0) < bar[0] < following, (start, bar)
        assert bar[-1] == pytest.approx(following), (start, bar)


#: The stage lines of a cold preparation, in the order simulate says them (a preparation of
#: nmes_quadriceps, 7 December 2026), each class's search with a share half done.
_COLD = ("safety: output table and findings",
         "fields: meshing and solving (cached after the first run)",
         "meshing thigh with 2 electrodes", "solving 1 channel(s), 85196 elements",
         "thresholds: 60 Aβ fibers (MRG model)", "thresholds: 60 Aδ fibers (MRG model)",
         "thresholds: 40 C fibers (Sundt model)", "thresholds: 240 motor fibers (MRG model)",
         "thresholds: 60 periosteal Aδ fibers (MRG model)",
         "virtual subjects: threshold bands over 20 people",
         "muscle: force and fatigue over the session")


def _bar(lines: list[str], channels: tuple[str, ...] = ()) -> list[float]:
    shares, last = [], 0.0
    for line in lines:
        last = _fraction(line, last, channels)
        shares.append(last)
    return shares


def test_every_stage_of_a_cold_preparation_moves_the_bar_on():
    """"fields: meshing and solving" put the bar at the solving's share as the meshing
    began, and it stood there through the meshing (a fifth of a cold NMES preparation;
    review of 7 December 2026): each stage's line moves it on, by the words it starts
    with, and each search's share done moves it within its stage."""
    lines: list[str] = []
    for line in _COLD:
        lines.append(line)
        if line.startswith("thresholds: "):
            lines.append(Partway(line, 0.5))
    shares = _bar(lines)
    assert all(b > a for a, b in itertools.pairwise(shares)), list(zip(lines, shares, strict=True))
    assert shares[1] < 0.05  # the fields' stage starts near the beginning


def test_each_channels_searches_take_their_own_part_of_the_bar():
    """With two channels each search is said under its channel's name: channel 2's stood
    where channel 1's had ended, its shares done kept as plain lines (review of 7 December
    2026). Each channel's searches take their part of the searches' span, in order, and a
    share done under a channel's name is still one."""
    from estim.effects.program import _named_progress

    said: list[str] = []
    for name in ("A", "B"):
        say = _named_progress(said.append, name)
        for line in _COLD[4:9]:
            say(line)
            say(Partway(line, 0.5))
    assert all(isinstance(m, Partway) for m in said[1::2]), said
    shares = _bar(["fields: meshing and solving", *said], ("A", "B"))
    assert all(b > a for a, b in itertools.pairwise(shares)), \
        list(zip(said, shares[1:], strict=True))
    # channel B starts where channel A ends, both within the searches' span
    a_end, b_start = shares[len(said) // 2], shares[len(said) // 2 + 1]
    assert a_end < b_start < shares[-1] <= _fraction("virtual subjects", 0.0)


def test_a_share_done_is_a_value():
    """A Partway is a line with its share: neither changes once said (review)."""
    step = Partway("thresholds: 60 Aβ fibers (MRG model)", 0.5)
    with pytest.raises(AttributeError):
        step.done = 7  # type: ignore[misc]
    assert Partway("x", 3.0).done == 1.0 and Partway("x", -1.0).done == 0.0
