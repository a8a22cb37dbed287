"""What a voltage-set device drives: the lower of its current limit and its top setting over
the load, and the faces that read it."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from estim.effects.program import device_reach
from estim.program import parse_program
from estim.report.body_rows import dial_volts
from estim.report.page import device_top
from tests.conftest import EXAMPLES

HVPC = next(p for p in EXAMPLES if p.stem == "hvpc_wound").read_text(encoding="utf-8")


@pytest.mark.parametrize(("max_v", "bound", "reach_a"),
                         [("100 V", "maximum voltage", 0.5), ("400 V", "maximum voltage", 2.0),
                          ("500 V", "current limit", 2.5)])
def test_a_voltage_device_reaches_the_lower_of_its_limit_and_its_top_setting(max_v, bound,
                                                                              reach_a):
    """Into 200 Ω: 100 V drives 0.5 A, under the 2.5 A current limit, which was all the
    reach knew (a 100 V unit's pain at 760 mA read as reachable; probe of 8 December 2026);
    400 V drives 2 A; at 500 V the two tie at 2.5 A and the limit is named."""
    text = HVPC.replace('max_voltage = "500 V"', f'max_voltage = "{max_v}"')
    text = text.replace('amplitude = "150 V"', 'amplitude = "100 V"')
    reach = device_reach(parse_program(text), SimpleNamespace(resistance=200.0), 0.5)
    assert reach is not None
    assert (reach.bound, reach.reach_a) == (bound, pytest.approx(reach_a, rel=1e-12))
    assert reach.to_dict()["bound_unit"] == ("A" if bound == "current limit" else "V")
    assert not reach.limited  # the setting never exceeds the top setting


def _data(top_v: float) -> dict:
    return {"channels": [{"name": "1", "control": "voltage"}],
            "safety": {"table": {"channels": [{"channel": "1", "control": "voltage",
                                               "maximum_amplitude": top_v}]}},
            "effects": {"fields": {"channels": [{"name": "1", "resistance_ohm": 200.0}]},
                        "device_reach": {"channel": "1", "reach_A": top_v / 200.0,
                                         "bound": "maximum voltage", "bound_value": top_v}}}


def test_a_threshold_past_the_dial_is_said_to_be_beyond_it():
    """The dial's words and the threshold marker: pain at 760 mA needs 152 V, past a 100 V
    dial, where it was said as 'feels pain at 152 V'."""
    window = {"channel": "1", "programmed_peak_current_A": 0.5,
              "sensory_threshold_A": 0.0851, "motor_threshold_A": 0.348,
              "pain_threshold_A": 0.760}
    text = dial_volts(_data(100.0), window)
    assert text.endswith("sees a twitch at 69.6 V, and no pain within the dial's 100 V (it "
                         "would take 152 V)"), text
    assert device_top(_data(100.0), "1") == (0.5, "the 500 mA its 100 V maximum drives here")
    assert "feels pain at 152 V" in dial_volts(_data(500.0), window)
