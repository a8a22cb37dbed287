"""estim: electrotherapy simulation.

Read a stimulation program, say exactly what it puts out and whether that meets the limits,
then follow it into tissue, nerve fibers and their effects. See DESIGN notes in ``docs/``.

>>> import estim
>>> program = estim.load_program("examples/tens_conventional.toml")   # doctest: +SKIP
>>> result = estim.simulate(program)                                  # doctest: +SKIP
"""

from estim.errors import EstimError, EstimWarning, InputError, ModelRangeWarning
from estim.program import Program, ProgramError, load_program, parse_program
from estim.simulate import Result, simulate
from estim.waveforms import Metrics, Stimulus, metrics, stimuli_for

__version__ = "0.1.0"

__all__ = [
    "EstimError",
    "EstimWarning",
    "InputError",
    "Metrics",
    "ModelRangeWarning",
    "Program",
    "ProgramError",
    "Result",
    "Stimulus",
    "__version__",
    "load_program",
    "metrics",
    "parse_program",
    "simulate",
    "stimuli_for",
]
