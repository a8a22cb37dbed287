"""``with_amplitude``: the dial turned without editing the file, checked like the file."""

from __future__ import annotations

import doctest

import pytest

import estim.program.override
import estim.report.check_tables
from estim.errors import InputError
from estim.program.bundled import bundled_examples
from estim.program.override import with_amplitude

EXAMPLES = bundled_examples()


@pytest.mark.parametrize("module", [estim.program.override, estim.report.check_tables])
def test_docstring_examples_run(module) -> None:
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0


def test_every_channel_is_set_and_nothing_else_changes() -> None:
    before = with_amplitude(EXAMPLES["ifc_true_knee"], "30 mA")
    after = with_amplitude(EXAMPLES["ifc_true_knee"], "45 mA")
    assert [c.stimulation.amplitude.value for c in after.channels] == [0.045, 0.045]
    for a, b in zip(before.channels, after.channels, strict=True):
        assert a.stimulation.replace(amplitude=b.stimulation.amplitude) == b.stimulation
    assert after.device == before.device


@pytest.mark.parametrize(("example", "value", "expected"), [
    ("tens_conventional", "101 mA", "at most the device maximum (100 mA)"),
    ("hvpc_wound", "600 V", "at most the device maximum (500 V)"),
    ("iontophoresis_dexamethasone", "0 mA", "a positive current"),
    # a consequence elsewhere in the program is named with the field it breaks
    ("iontophoresis_dexamethasone", "0.01 mA", "channels[0].stimulation.dose"),
])
def test_the_file_limits_apply(example: str, value: str, expected: str) -> None:
    with pytest.raises(InputError) as err:
        with_amplitude(EXAMPLES[example], value, option="--amplitude")
    assert err.value.field == "--amplitude" and err.value.value == value
    assert expected in err.value.expected
