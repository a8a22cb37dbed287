"""estim: electrotherapy simulation.

Read a stimulation program, say exactly what it puts out and whether that meets the limits,
then follow it into tissue, nerve fibers and their effects (docs/ and DESIGN.md describe
the stages).

>>> import estim
>>> program = estim.load_program(estim.bundled_examples()["tens_conventional"])
>>> setup = estim.build_setup(program)         # site and electrodes placed, rules checked
>>> result = estim.simulate(setup, options=estim.SimulateOptions(body=False))
>>> result.safety.verdict.value
'pass'
>>> estim.result_to_dict(result)["safety"]["verdict"]  # results.json's data, JSON-able
'pass'
"""

from estim.errors import EstimError, EstimWarning, InputError, ModelRangeWarning
from estim.program import Program, ProgramError, load_program, parse_program
from estim.program.bundled import bundled_examples
from estim.report.run import result_to_dict
from estim.setup import PlacedChannel, Setup, build_setup
from estim.simulate import Result, SimulateOptions, simulate
from estim.version import __version__
from estim.waveforms import Metrics, Stimulus, metrics, stimuli_for

__all__ = [
    "EstimError",
    "EstimWarning",
    "InputError",
    "Metrics",
    "ModelRangeWarning",
    "PlacedChannel",
    "Program",
    "ProgramError",
    "Result",
    "Setup",
    "SimulateOptions",
    "Stimulus",
    "__version__",
    "build_setup",
    "bundled_examples",
    "load_program",
    "metrics",
    "parse_program",
    "result_to_dict",
    "simulate",
    "stimuli_for",
]
