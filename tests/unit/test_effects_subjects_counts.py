"""A virtual subject with fewer afferents than a calibrated Aβ count needs is capped at every
sampled afferent, and the band and the window say how many subjects that is
(estim.effects.subjects)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np
import pytest

from estim.effects import subjects as S
from estim.effects.calibration import SensationCounts, criteria_from_counts
from estim.effects.populations import FiberClass
from estim.effects.sensation import SensationCriteria, ThresholdBands
from estim.effects.window import ClassThresholds
from estim.fields import make_site, place_electrode

# not the defaults (20, 0): the count must follow the draw the subjects were given
N_SUBJECTS, SEED = 30, 3
N_FIBERS = 60
REF = np.linspace(1e-3, 6e-3, N_FIBERS)  # the reference anatomy's Aβ thresholds (A)
AVAILABLE = {"abeta": float(N_FIBERS)}
# strong tingling needs 54 of the 60 (0.9 of them at the site's density), detection 20
COUNTS = SensationCounts(detection_abeta=20.0, strong_abeta=54.0, pain_adelta_fraction=0.5)


@dataclasses.dataclass(frozen=True)
class _Window:
    """What :func:`estim.effects.subjects.with_bands` reads of a sensation window."""

    classes: Mapping[str, ClassThresholds]
    counts: SensationCounts
    criteria: SensationCriteria
    available: Mapping[str, float]
    volleys: Any = None
    notes: tuple[str, ...] = ()
    bands: ThresholdBands | None = None


class _Pads:
    def __init__(self, anode: Any, cathode: Any) -> None:
        self.anode, self.cathode = anode, cathode


@pytest.fixture
def setup(monkeypatch: pytest.MonkeyPatch) -> tuple[Any, _Pads, dict[str, ClassThresholds]]:
    site = make_site("forearm")
    anode = place_electrode(site, "forearm_volar_proximal", length=0.05)
    cathode = place_electrode(site, "forearm_volar_distal", length=0.05)
    p0 = np.asarray(cathode.position, float)
    line = p0[None, :] + np.linspace(-0.01, 0.01, 21)[:, None] * np.asarray(cathode.axis)
    abeta = ClassThresholds(FiberClass.A_BETA, REF, np.full(N_FIBERS, 1e-3),
                            np.full(N_FIBERS, 1e-5), "test",
                            points_m=tuple(line for _ in range(N_FIBERS)),
                            nodes=tuple(np.arange(0, 21, 4, dtype=np.intp)
                                        for _ in range(N_FIBERS)))

    # every fiber driven in each subject as in the reference: a subject's thresholds are
    # the reference's times its excitability factor, so the cap shows as the last fiber's
    def same_drive(at_nodes, site, anode, cathode, *, skin_k, fat_k, motor_shift_m=None,
                   others=()):  # type: ignore[no-untyped-def]
        return {name: np.ones((len(skin_k), len(v))) for name, v in at_nodes.items()}, ""

    monkeypatch.setattr(S, "drive_ratios", same_drive)
    # motor axons whose visible contraction (2 % of them at the peak) comes in some subjects
    # below, in others above their strong tingling at the sample's end (6 mA x excitability)
    motor = ClassThresholds(FiberClass.MOTOR, np.linspace(6e-3, 9e-3, N_FIBERS),
                            np.full(N_FIBERS, 1e-2), np.full(N_FIBERS, 1e-5), "test",
                            points_m=abeta.points_m, nodes=abeta.nodes)
    return site, _Pads(anode, cathode), {"abeta": abeta, "motor": motor}


def _capped_at_last(bands: ThresholdBands) -> tuple[int, ...]:
    """Subjects whose strong-tingling threshold is the last sampled afferent's."""
    excite = S._draws(N_SUBJECTS, SEED, S.SUBJECT_EXCITABILITY_CV)[3]
    strong = np.asarray(bands.per_subject["strong"]) / excite
    # x excitability then / excitability: equal to a few ulps, nowhere near the next fiber
    return tuple(int(k) for k in np.flatnonzero(np.isclose(strong, REF[-1], rtol=1e-12)))


def test_the_band_counts_the_subjects_whose_count_lies_beyond_the_sample(setup) -> None:
    site, pads, classes = setup
    bands = S.threshold_bands(classes, pads, site, counts=COUNTS,  # type: ignore[arg-type]
                              criteria=criteria_from_counts(COUNTS, AVAILABLE),
                              available=AVAILABLE, n_subjects=N_SUBJECTS, seed=SEED)
    assert bands is not None
    # capped subjects reach strong tingling only where the last sampled afferent fires;
    # every other subject below it (54 / (60 x density) of them, short of all)
    at_last = _capped_at_last(bands)
    assert 0 < len(at_last) < N_SUBJECTS
    assert bands.beyond_sample == {"strong tingling": at_last}  # 20 of 60: every subject
    assert bands.to_dict()["beyond_sample"] == {"strong tingling": list(at_last)}
    # undecided: a capped subject given a light or a strong tingling (the count may be
    # reached below the sample's last afferent or above it), not one feeling nothing yet,
    # nor one twitching past it
    sensory = np.asarray(bands.per_subject["sensory"])
    strong = np.asarray(bands.per_subject["strong"])
    motor = np.asarray(bands.per_subject["motor"])
    assert not np.isfinite(bands.per_subject["pain"]).any()  # no Aδ here
    seen = set()
    for amp in (0.0, REF[N_FIBERS // 2], *np.sort(strong[list(at_last)]), 3 * REF[-1]):
        expected = sum(1 for k in at_last if sensory[k] <= amp < motor[k])
        assert bands.undecided_at(amp) == ({"strong tingling": expected} if expected else {})
        seen.add((expected > 0, any(strong[k] <= amp and motor[k] <= amp for k in at_last)))
    assert any(undecided for undecided, _ in seen)  # some undecided
    assert any(twitching for _, twitching in seen)  # and some capped ones twitching instead
    # none capped: nothing listed
    few = SensationCounts(detection_abeta=20.0, strong_abeta=30.0, pain_adelta_fraction=0.5)
    assert S.counts_beyond_sample(few, AVAILABLE, n_subjects=N_SUBJECTS, seed=SEED) == {}


def test_a_subject_short_of_detection_is_undecided_only_once_it_tingles(setup) -> None:
    """70 Aβ for detection where 60 are sampled at the site's density: every subject whose
    density is below 7/6 of the site's lacks them; at 0 A nobody is undecided (nobody is
    given a sensation), past the sample's end every such subject is, for both counts."""
    site, pads, classes = setup
    counts = SensationCounts(detection_abeta=70.0, strong_abeta=80.0, pain_adelta_fraction=0.5)
    bands = S.threshold_bands({"abeta": classes["abeta"]}, pads, site,  # type: ignore[arg-type]
                              counts=counts, criteria=criteria_from_counts(counts, AVAILABLE),
                              available=AVAILABLE, n_subjects=N_SUBJECTS, seed=SEED)
    assert bands is not None
    density = S._draws(N_SUBJECTS, SEED, 0.0)[2]
    short = tuple(int(k) for k in np.flatnonzero(density <= 70.0 / 60.0))
    assert bands.beyond_sample["detection"] == short and 0 < len(short) < N_SUBJECTS
    assert bands.undecided_at(0.0) == {}
    past = 3 * REF[-1]  # every subject past its last afferent
    assert bands.undecided_at(past) == {"detection": len(short),
                                        "strong tingling": len(bands.beyond_sample[
                                            "strong tingling"])}


def test_the_window_notes_say_how_many_subjects_that_is(setup) -> None:
    site, pads, classes = setup
    window = _Window(classes, COUNTS, criteria_from_counts(COUNTS, AVAILABLE), AVAILABLE)
    wide = S.with_bands(window, pads, site, n_subjects=N_SUBJECTS, seed=SEED)  # type: ignore[arg-type]
    assert wide.bands is not None
    at_last = _capped_at_last(wide.bands)
    (note,) = wide.notes
    assert note.startswith(f"strong tingling: {len(at_last)} of the {N_SUBJECTS} virtual "
                           "subjects")
    assert "innervation density below the site's" in note  # 54 of 60: the site's has them
