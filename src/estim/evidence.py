"""How much an effect output can be trusted: stated in every result (see DESIGN.md)."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["EvidenceLevel"]


class EvidenceLevel(StrEnum):
    """Kind of evidence behind a number that estim reports."""

    #: a standard's or a guideline's rule (IEC limit, commonly cited current-density limit).
    RULE = "rule"
    #: a physical law applied with measured coefficients (Faraday's law with a transport number).
    PHYSICAL_ESTIMATE = "physical estimate"
    #: a phenomenological model fitted to published experiments (Ding force model).
    MODEL_PREDICTION = "model prediction"
    #: sampled from published anatomical ranges with assumed distribution shapes.
    ANATOMICAL_ASSUMPTION = "anatomical assumption"
    #: a mechanistic cable model validated against NEURON (fiber thresholds).
    MECHANISTIC = "mechanistic model, validated against NEURON"
