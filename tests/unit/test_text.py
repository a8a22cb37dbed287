"""Numbers in sentences, as people read them."""

from __future__ import annotations

import pytest

from estim.effects.program import DeviceReach, reach_note
from estim.text import ohm_text


@pytest.mark.parametrize(("ohms", "text"), [
    (325.4, "325 Ω"), (9_990.0, "9,990 Ω"), (24_491.0, "24.5 kΩ"), (1.2e6, "1.2 MΩ"),
    # the unit of the number written: 9999.6 rounds to 10 kΩ, not "10,000 Ω" (review)
    (9_999.6, "10 kΩ"), (999_999.0, "1 MΩ")])
def test_a_resistance_is_written_in_its_own_unit(ohms: float, text: str) -> None:
    assert ohm_text(ohms) == text


def test_a_microcurrent_load_reads_in_kilohms() -> None:
    """'24491 Ω of tissue and skin interface' (probe of 6 December 2026): 12 V over
    24.5 kΩ drives 490 µA."""
    reach = DeviceReach("1", reach_a=12 / 24_491.0, programmed_a=1e-3, bound="compliance",
                        bound_value=12.0, load_ohm=24_491.0)
    assert "through the 24.5 kΩ of tissue" in reach_note(reach)
