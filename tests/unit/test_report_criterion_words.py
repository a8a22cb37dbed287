"""The terminal's threshold rows say each criterion in a few words that fit 80 columns."""

from __future__ import annotations

import pytest

from estim.report.terminal import _criterion_words

#: label (2 + 16), threshold (1 + 9) and band (1 + 14 + 1) take 44 columns of 80
ROOM = 80 - 44


@pytest.mark.parametrize(("criterion", "words"), [
    ("detection: 167 Aβ afferents firing (44% of the 380 under and around the cathode)",
     "167 Aβ afferents fire"),
    ("pain: 74% of the Aδ afferents under and around the cathode firing, or 0.5 of the C "
     "fibers", "74% of the Aδ afferents fire"),
    ("pain: 74% of the Aδ afferents under and around the cathode firing, the bone's "
     "periosteal Aδ counted with the skin's, or 0.5 of the C fibers",
     "74% of Aδ (skin + bone) fire"),
    ("pain: 77% of the Aδ afferents under and around the cathode firing, the bone's "
     "periosteal Aδ counted with the skin's (each as 0.4 of one: their density), or 0.05 of "
     "the C fibers", "77% of Aδ (skin + bone) fire"),
])
def test_a_criterion_in_a_few_words(criterion: str, words: str) -> None:
    assert _criterion_words(criterion) == words
    assert len(words) <= ROOM
