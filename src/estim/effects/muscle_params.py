"""Constants of the Ding et al. muscle force and fatigue model, as published and in SI.

The model (Ding, Wexler & Binder-Macleod 2000-2003; Ding et al. 2007) was published with time
in **milliseconds**. Every constant that carries time is converted here, once:

=================  =======================  ==============================  ==================
symbol             published                SI (this table)                 factor
=================  =======================  ==============================  ==================
A_rest             3.009 N/ms               3009 N/s                        x 1e3
τ1_rest            50.957 ms                0.050957 s                      x 1e-3
τc                 20 ms                    0.020 s                         x 1e-3
α_A                -4.0e-7 ms⁻²             -0.40 s⁻²                       x 1e6 (two ms!)
α_Km               1.9e-8 ms⁻¹ N⁻¹          1.9e-5 s⁻¹ N⁻¹                  x 1e3
α_τ1               2.1e-5 N⁻¹               2.1e-5 N⁻¹                      unchanged
τ_fat              127 000 ms               127 s                           x 1e-3
=================  =======================  ==============================  ==================

α_A is the trap: it carries ms⁻², so it grows by 10⁶ in s⁻²; several public
re-implementations once used -4e-6 s⁻² (fatigue 10⁵ x too slow) before correcting it to
-0.4 s⁻² (Doll, Kirsch & Sharma 2015). ``tests/unit/test_effects_muscle.py`` pins each
conversion with pint and pins the resulting fatigue rate.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from estim.tables import TableEntry, table_value

__all__ = [
    "DING_2003_QUADRICEPS",
    "DING_2003_TABLE",
    "DING_2007_SCI_QUADRICEPS",
    "DING_2007_TABLE",
    "NEWTON_MUSCLES",
    "MuscleParams",
]

_DING_2003 = (
    "Ding J, Wexler AS, Binder-Macleod SA (2003) Mathematical models for fatigue minimization "
    "during functional electrical stimulation. J Electromyogr Kinesiol 13:575-588"
)
_DOLL_2015 = (
    "Doll BD, Kirsch NA, Sharma N (2015) Optimization of a stimulation train based on a "
    "predictive model of muscle force and fatigue. IFAC-PapersOnLine 48(20):338-342"
)
_DING_2007 = (
    "Ding J, Chou LW, Kesar TM, Lee SCK, Johnston TE, Wexler AS, Binder-Macleod SA (2007) "
    "Mathematical model that predicts the force-intensity and force-frequency relationships "
    "after spinal cord injuries. Muscle Nerve 36:214-222"
)

#: Healthy human quadriceps, isometric knee extension, Ding et al. 2003 (model with fatigue).
DING_2003_TABLE: tuple[TableEntry, ...] = (
    TableEntry("tau_c_s", 0.020, "s", _DING_2003, "20 ms",
               "time constant of the rise and decay of CN"),
    TableEntry("a_rest_N_per_s", 3009.0, "N/s", _DING_2003, "3.009 N/ms",
               "force scaling factor A, rested"),
    TableEntry("tau1_rest_s", 0.050957, "s", _DING_2003, "50.957 ms",
               "force decline time constant without strongly bound cross-bridges, rested"),
    TableEntry("tau2_s", 0.060, "s", _DOLL_2015, "60 ms",
               "τ2 is fitted per subject in Ding's papers; 60 ms is the value used by Doll et al."),
    TableEntry("km_rest", 0.103, "dimensionless", _DING_2003, "",
               "sensitivity of strongly bound cross-bridges to CN, rested"),
    TableEntry("r0_km_offset", 1.04, "dimensionless", _DING_2003, "",
               "R0 = Km + 1.04: enhancement of CN by a following pulse"),
    TableEntry("alpha_a_per_s2", -0.40, "1/s**2", _DING_2003, "-4.0e-7 / ms**2",
               "corrected ms -> s conversion as in Doll et al. 2015"),
    TableEntry("alpha_km_per_s_N", 1.9e-5, "1/(s*N)", _DING_2003, "1.9e-8 / (ms*N)", ""),
    TableEntry("alpha_tau1_per_N", 2.1e-5, "1/N", _DING_2003, "2.1e-5 / N", ""),
    TableEntry("tau_fat_s", 127.0, "s", _DING_2003, "127000 ms",
               "recovery time constant of A, Km and τ1"),
)

#: Quadriceps of people with spinal cord injury, pulse-duration model (Ding et al. 2007).
#: The 2007 paper has no fatigue constants; the 2003 ones are reused (as cocofest does).
DING_2007_TABLE: tuple[TableEntry, ...] = (
    TableEntry("tau_c_s", 0.011, "s", _DING_2007, "11 ms", ""),
    TableEntry("a_rest_N_per_s", 4920.0, "N/s", _DING_2007, "4.92 N/ms",
               "a_scale: A at infinitely long pulses, A(pd) = a_scale (1 - exp(-(pd-pd0)/pdt))"),
    TableEntry("tau1_rest_s", 0.060601, "s", _DING_2007, "60.601 ms", ""),
    TableEntry("tau2_s", 0.001, "s", _DING_2007, "1 ms", ""),
    TableEntry("km_rest", 0.137, "dimensionless", _DING_2007, "", ""),
    TableEntry("r0_km_offset", 1.04, "dimensionless", _DING_2003, "", ""),
    TableEntry("pd0_s", 131.405e-6, "s", _DING_2007, "131.405 us",
               "pulse duration below which no force is produced"),
    TableEntry("pdt_s", 194.138e-6, "s", _DING_2007, "194.138 us",
               "pulse-duration scale of the A(pd) saturation"),
    TableEntry("alpha_a_per_s2", -0.40, "1/s**2", _DING_2003, "-4.0e-7 / ms**2",
               "2003 healthy-quadriceps fatigue constant, not refitted for SCI"),
    TableEntry("alpha_km_per_s_N", 1.9e-5, "1/(s*N)", _DING_2003, "1.9e-8 / (ms*N)", ""),
    TableEntry("alpha_tau1_per_N", 2.1e-5, "1/N", _DING_2003, "2.1e-5 / N", ""),
    TableEntry("tau_fat_s", 127.0, "s", _DING_2003, "127000 ms", ""),
)


@dataclass(frozen=True, slots=True)
class MuscleParams:
    """Constants of the Ding force-fatigue model, SI.

    :param tau_c_s: rise/decay time constant of the Ca²⁺-troponin factor CN (s).
    :param a_rest_N_per_s: force scaling factor A when rested (N/s).
    :param tau1_rest_s: force decline time constant τ1 when rested (s).
    :param tau2_s: force decline time constant due to cross-bridge friction τ2 (s).
    :param km_rest: sensitivity of strongly bound cross-bridges to CN, rested (1).
    :param r0_km_offset: R0 = Km + r0_km_offset (1).
    :param alpha_a_per_s2: fatigue coefficient of A (s⁻²).
    :param alpha_km_per_s_N: fatigue coefficient of Km (s⁻¹ N⁻¹).
    :param alpha_tau1_per_N: fatigue coefficient of τ1 (N⁻¹).
    :param tau_fat_s: recovery time constant of the fatigue states (s); ``math.inf`` = no
        recovery.
    :param pd0_s: pulse duration giving zero force (s), Ding 2007; None if not fitted.
    :param pdt_s: pulse-duration scale of A(pd) (s), Ding 2007; None if not fitted.
    :param label: what the parameters were fitted to, quoted in result evidence lines.
    """

    tau_c_s: float
    a_rest_N_per_s: float
    tau1_rest_s: float
    tau2_s: float
    km_rest: float
    r0_km_offset: float
    alpha_a_per_s2: float
    alpha_km_per_s_N: float
    alpha_tau1_per_N: float
    tau_fat_s: float
    pd0_s: float | None = None
    pdt_s: float | None = None
    label: str = "custom parameters"

    def __post_init__(self) -> None:
        positive = ("tau_c_s", "a_rest_N_per_s", "tau1_rest_s", "km_rest", "tau_fat_s")
        for name in positive:
            value = getattr(self, name)
            if not (value > 0):  # also rejects NaN
                raise ValueError(f"MuscleParams.{name} must be > 0, got {value!r}")
        if not (self.tau2_s >= 0):
            raise ValueError(f"MuscleParams.tau2_s must be >= 0, got {self.tau2_s!r}")
        if (self.pd0_s is None) != (self.pdt_s is None):
            raise ValueError("MuscleParams.pd0_s and pdt_s are given together or not at all")

    @property
    def has_fatigue(self) -> bool:
        """True when any fatigue coefficient is non-zero."""
        return any(v != 0.0 for v in (self.alpha_a_per_s2, self.alpha_km_per_s_N,
                                      self.alpha_tau1_per_N))

    @property
    def has_pulse_duration_model(self) -> bool:
        """True when A depends on pulse duration (Ding 2007 pd0, pdt fitted)."""
        return self.pd0_s is not None

    def without_fatigue(self) -> MuscleParams:
        """Copy with all fatigue coefficients set to zero (rested muscle throughout)."""
        return dataclasses.replace(self, alpha_a_per_s2=0.0, alpha_km_per_s_N=0.0,
                                   alpha_tau1_per_N=0.0)

    def replace(self, **changes: float | str | None) -> MuscleParams:
        """Copy with the given fields changed (e.g. a subject-specific ``a_rest_N_per_s``)."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    def activation_from_pulse_width(self, pulse_width_s: float) -> float:
        """Fraction of ``a_rest`` produced by a pulse of this duration (Ding 2007), 0..1."""
        if self.pd0_s is None or self.pdt_s is None:
            raise ValueError(f"{self.label}: no pulse-duration constants (pd0_s, pdt_s)")
        return max(0.0, 1.0 - math.exp(-(pulse_width_s - self.pd0_s) / self.pdt_s))

    @classmethod
    def from_table(cls, table: tuple[TableEntry, ...], *, label: str) -> MuscleParams:
        """Build from a parameter table (rows named after the fields)."""
        names = {row.name for row in table}
        values = {f.name: table_value(table, f.name)
                  for f in dataclasses.fields(cls) if f.name in names}
        return cls(**values, label=label)


#: Healthy human quadriceps (Ding et al. 2003), with fatigue.
DING_2003_QUADRICEPS = MuscleParams.from_table(
    DING_2003_TABLE,
    label="healthy human quadriceps, Ding, Wexler & Binder-Macleod 2003",
)

#: Quadriceps after spinal cord injury, pulse-duration model (Ding et al. 2007); fatigue
#: constants borrowed from the 2003 healthy fit.
DING_2007_SCI_QUADRICEPS = MuscleParams.from_table(
    DING_2007_TABLE,
    label="quadriceps after spinal cord injury, Ding et al. 2007 (fatigue constants of 2003)",
)


#: The muscles whose force is the force model's own in newtons (Ding et al.'s quadriceps;
#: the knee's vastus medialis is the quadriceps' lowest part, its visible contraction a
#: fraction of the whole quadriceps' force). Another muscle's force is a fraction of its
#: maximal: the faces and the sweep's table give it so.
NEWTON_MUSCLES = ("quadriceps", "vastus medialis")
