"""A virtual subject with fewer afferents than a calibrated Aβ count needs is capped at every
sampled afferent, and the band says how many subjects that is (estim.effects.subjects)."""

from __future__ import annotations

import numpy as np
import pytest

from estim.effects import subjects as S
from estim.effects.calibration import SensationCounts, criteria_from_counts
from estim.effects.populations import FiberClass
from estim.effects.window import ClassThresholds
from estim.fields import make_site, place_electrode

N_SUBJECTS = 20


def test_the_band_names_the_subjects_whose_count_lies_beyond_the_sample(
        monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site("forearm")
    anode = place_electrode(site, "forearm_volar_proximal", length=0.05)
    cathode = place_electrode(site, "forearm_volar_distal", length=0.05)
    n_fibers = 60
    ref = np.linspace(1e-3, 6e-3, n_fibers)  # the reference anatomy's Aβ thresholds (A)
    p0 = np.asarray(cathode.position, float)
    line = p0[None, :] + np.linspace(-0.01, 0.01, 21)[:, None] * np.asarray(cathode.axis)
    abeta = ClassThresholds(FiberClass.A_BETA, ref, np.full(n_fibers, 1e-3),
                            np.full(n_fibers, 1e-5), "test",
                            points_m=tuple(line for _ in range(n_fibers)),
                            nodes=tuple(np.arange(0, 21, 4, dtype=np.intp)
                                        for _ in range(n_fibers)))

    # every fiber driven in each subject as in the reference: a subject's thresholds are
    # the reference's times its excitability factor, so the cap shows as the last fiber's
    def same_drive(at_nodes, site, anode, cathode, *, skin_k, fat_k, others=()):  # type: ignore[no-untyped-def]
        return {name: np.ones((len(skin_k), len(v))) for name, v in at_nodes.items()}, ""

    monkeypatch.setattr(S, "drive_ratios", same_drive)

    class Pads:
        pass

    pads = Pads()
    pads.anode, pads.cathode = anode, cathode  # type: ignore[attr-defined]
    available = {"abeta": float(n_fibers)}
    # strong tingling needs 54 of the 60 (0.9 of them at the site's density), detection 20
    counts = SensationCounts(detection_abeta=20.0, strong_abeta=54.0, pain_adelta_fraction=0.5)
    bands = S.threshold_bands({"abeta": abeta}, pads, site, counts=counts,  # type: ignore[arg-type]
                              criteria=criteria_from_counts(counts, available),
                              available=available, n_subjects=N_SUBJECTS, seed=0)
    assert bands is not None
    excite = S._draws(N_SUBJECTS, 0, S.SUBJECT_EXCITABILITY_CV)[3]
    strong = np.asarray(bands.per_subject["strong"]) / excite
    # capped subjects reach strong tingling only where the last sampled afferent fires;
    # every other subject below it (54 / (60 x density) of them, short of all)
    at_last = int(np.count_nonzero(np.isclose(strong, ref[-1], rtol=1e-12)))
    assert 0 < at_last < N_SUBJECTS
    assert f"strong tingling: {at_last} of the {N_SUBJECTS} virtual subjects" in bands.note
    assert "detection" not in bands.note  # 20 of 60 lies inside every subject's sample
    # none capped: no note
    few = SensationCounts(detection_abeta=20.0, strong_abeta=30.0, pain_adelta_fraction=0.5)
    assert S.counts_beyond_sample(few, available, n_subjects=N_SUBJECTS, seed=0) == ""
