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

The names below are loaded on first use (PEP 562): ``import estim`` alone, and the
``estim`` command before it parses its arguments, import nothing heavy, so Ctrl-C while a
command starts is the command's own "interrupted" (it was a traceback: the package's
imports took 0.8 s before the command's handler was in place; review of 7 December 2026).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from typing import TYPE_CHECKING, Any

from estim.version import __version__

if TYPE_CHECKING:
    from estim.errors import EstimError, EstimWarning, InputError, ModelRangeWarning
    from estim.program import Program, ProgramError, load_program, parse_program, save_program
    from estim.program.bundled import bundled_examples
    from estim.report.run import result_to_dict
    from estim.setup import PlacedChannel, Setup, build_setup
    from estim.simulate import Result, SimulateOptions, simulate
    from estim.waveforms import Metrics, Stimulus, metrics, stimuli_for

#: Where each public name lives.
_HOMES = {
    "EstimError": "estim.errors", "EstimWarning": "estim.errors",
    "InputError": "estim.errors", "ModelRangeWarning": "estim.errors",
    "Program": "estim.program", "ProgramError": "estim.program",
    "load_program": "estim.program", "parse_program": "estim.program",
    "save_program": "estim.program",
    "bundled_examples": "estim.program.bundled",
    "result_to_dict": "estim.report.run",
    "PlacedChannel": "estim.setup", "Setup": "estim.setup", "build_setup": "estim.setup",
    "Result": "estim.simulate", "SimulateOptions": "estim.simulate",
    "simulate": "estim.simulate",
    "Metrics": "estim.waveforms", "Stimulus": "estim.waveforms",
    "metrics": "estim.waveforms", "stimuli_for": "estim.waveforms",
}

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
    "save_program",
    "simulate",
    "stimuli_for",
]


class _Package(types.ModuleType):
    """The package's module: importing the submodule ``estim.simulate`` would make
    ``estim.simulate`` that module, where it is the function (the eager imports bound the
    function over it); a submodule that shares a public name does not replace the name."""

    def __setattr__(self, name: str, value: Any) -> None:
        # only the import system's own binding of that submodule (a mock that patches in
        # another module is applied; review of 7 December 2026)
        if name in _HOMES and value is sys.modules.get(f"{__name__}.{name}"):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def _lookup(name: str) -> Any:
    """A public name's value, imported from its home on first use (then bound here), or a
    subpackage; AttributeError for anything else."""
    home = _HOMES.get(name)
    if home is None:
        # a subpackage (estim.fields, estim.effects...), as the eager imports made them
        # attributes before
        if name.isidentifier() and not name.startswith("_") \
                and importlib.util.find_spec(f"estim.{name}") is not None:
            return importlib.import_module(f"estim.{name}")
        raise AttributeError(f"module 'estim' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # once: later lookups find it without this function
    return value


if not TYPE_CHECKING:  # a type checker reads the imports above, and a typo stays a typo
    __getattr__ = _lookup


def __dir__() -> list[str]:
    return sorted(__all__)
