"""The virtual stimulator: a mode menu, a dial that is a lookup once a program's thresholds
are computed, and a person's calibration (issue 11).

* :mod:`estim.stimulator.modes`: the modes (bundled examples, massage-like TENS, custom) and
  :func:`settings_program`, the program a form's settings make (the CLI's checks).
* :mod:`estim.stimulator.engine`: :func:`prepare` (one :func:`estim.simulate`) into a
  :class:`DialModel` whose :meth:`~DialModel.at` answers a dial step; :class:`Jobs` prepares in
  the background.
* :mod:`estim.stimulator.person`: :func:`fit_person` fits a person's marks into a
  :class:`PersonFit` that predicts their window for other programs and recommends an
  intensity.
"""

from estim.stimulator.engine import DialModel, DialState, prepare
from estim.stimulator.jobs import Jobs, JobStatus, job_id
from estim.stimulator.modes import (
    DeviceSettings,
    Mode,
    SettingsError,
    mode,
    modes,
    settings_program,
)
from estim.stimulator.options import JobState, Level, ModeKind
from estim.stimulator.person import Marks, PersonFit, Recommendation, fit_person

__all__ = ["DeviceSettings", "DialModel", "DialState", "JobState", "JobStatus", "Jobs",
           "Level", "Marks", "Mode", "ModeKind", "PersonFit", "Recommendation", "SettingsError",
           "fit_person", "job_id", "mode", "modes", "prepare", "settings_program"]
