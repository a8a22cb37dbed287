"""Virtual subjects as a sweep axis: one person per point, not a band per point.

>>> s = virtual_subject(3)
>>> s == virtual_subject(3), s.index
(True, 3)

Subject ``k`` draws its skin and subcutaneous fat thickness and its innervation density,
then its excitability factor and its pain factor, from the spreads of
:data:`estim.effects.subjects.SUBJECT_SPREAD` (log-normal, mean 1 x the site's own value, or
1 for the two factors), from a random stream of its own: subject 3 is the same person
whichever other subjects a sweep holds (and its anatomy the one it drew before the two
factors were drawn after it). The anatomy goes into the program as site overrides
(``skin_thickness``, ``fat_thickness``), so the field is solved again in that person and
every fiber threshold follows; the density scales the afferents that the calibrated
sensation counts are compared with (:func:`estim.effects.calibration.criteria_from_counts`);
the excitability factor multiplies every threshold of the subject and the pain factor its
pain threshold (:func:`estim.effects.program.effects_for_program`); on a limb its motor
points move along it by its last draw times the spread between people of the muscle under
the pads (the site override ``motor_point_shift``, as :func:`estim.effects.subjects.
motor_shifts` moves the bands' people).

Evidence: anatomical assumption (as the bands of ``estim run``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["VirtualSubject", "virtual_subject"]


@dataclass(frozen=True)
class VirtualSubject:
    """One drawn person: multipliers of the site's own values.

    :param index: the subject's number.
    :param skin_scale: skin thickness / the site's.
    :param fat_scale: subcutaneous fat thickness / the site's.
    :param density_scale: innervation density / the site's.
    :param excitability_scale: the factor on every fiber's threshold.
    :param pain_scale: the factor on the pain threshold alone.
    :param motor_point_z: where its motor points lie along a limb, in SDs of the spread
        between people of the muscle under the pads (a standard normal draw).
    """

    index: int
    skin_scale: float
    fat_scale: float
    density_scale: float
    excitability_scale: float = 1.0
    pain_scale: float = 1.0
    motor_point_z: float = 0.0


def virtual_subject(index: int, *, seed: int = 0) -> VirtualSubject:
    """Subject number ``index`` of the population drawn with ``seed``."""
    from estim.effects.subjects import SUBJECT_SPREAD, lognormal_factor

    rng = np.random.default_rng([seed, index])

    def draw(name: str) -> float:
        return float(lognormal_factor(rng, SUBJECT_SPREAD[name][0]))

    # in this order: a draw added later comes last, so the earlier ones stay the same
    return VirtualSubject(index, skin_scale=draw("skin_thickness"),
                          fat_scale=draw("fat_thickness"),
                          density_scale=draw("innervation_density"),
                          excitability_scale=draw("excitability"),
                          pain_scale=draw("pain_criterion"),
                          motor_point_z=float(rng.normal()))
