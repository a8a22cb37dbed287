"""estim.effects: what the stimulation does — muscle force and fatigue (Ding model), the
sensation window, iontophoretic dose, and the nerve-fiber populations that the fiber stage
thresholds.

Every result states its evidence level (:class:`EvidenceLevel`). See docs/effects.md.
"""

from estim.effects.iontophoresis import (
    CURRENT_DENSITY_LIMIT_A_PER_M2,
    DRUGS,
    IONTOPHORESIS_TABLE,
    MA_MIN_IN_C,
    DoseReport,
    Drug,
    Electrode,
    get_drug,
    iontophoresis_dose,
    time_to_dose,
)
from estim.effects.muscle import (
    Backend,
    ForceFrequencyCurve,
    ForceResult,
    force_frequency,
    simulate_force,
    twitch,
)
from estim.effects.muscle_params import (
    DING_2003_QUADRICEPS,
    DING_2003_TABLE,
    DING_2007_SCI_QUADRICEPS,
    DING_2007_TABLE,
    MuscleParams,
)
from estim.effects.populations import (
    FIBER_CLASS_TABLE,
    MODEL_DIAMETER_RANGE_M,
    FiberClass,
    FiberClassSpec,
    FiberPopulation,
    Orientation,
    sample_fiber_populations,
)
from estim.effects.sensation import (
    DEFAULT_SENSATION_CRITERIA,
    SENSATION_CRITERIA_TABLE,
    Recruitment,
    Sensation,
    SensationCriteria,
    SensationResult,
    classify_sensation,
    motor_threshold_fraction,
)
from estim.effects.session import PulseTrain, SessionResult, duty_cycle_train, simulate_session
from estim.evidence import EvidenceLevel
from estim.tables import TableEntry

__all__ = [
    "CURRENT_DENSITY_LIMIT_A_PER_M2",
    "DEFAULT_SENSATION_CRITERIA",
    "DING_2003_QUADRICEPS",
    "DING_2003_TABLE",
    "DING_2007_SCI_QUADRICEPS",
    "DING_2007_TABLE",
    "DRUGS",
    "FIBER_CLASS_TABLE",
    "IONTOPHORESIS_TABLE",
    "MA_MIN_IN_C",
    "MODEL_DIAMETER_RANGE_M",
    "SENSATION_CRITERIA_TABLE",
    "Backend",
    "DoseReport",
    "Drug",
    "Electrode",
    "EvidenceLevel",
    "FiberClass",
    "FiberClassSpec",
    "FiberPopulation",
    "ForceFrequencyCurve",
    "ForceResult",
    "MuscleParams",
    "Orientation",
    "PulseTrain",
    "Recruitment",
    "Sensation",
    "SensationCriteria",
    "SensationResult",
    "SessionResult",
    "TableEntry",
    "classify_sensation",
    "duty_cycle_train",
    "force_frequency",
    "get_drug",
    "iontophoresis_dose",
    "motor_threshold_fraction",
    "sample_fiber_populations",
    "simulate_force",
    "simulate_session",
    "time_to_dose",
    "twitch",
]
