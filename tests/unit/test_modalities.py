"""Every stimulation tag is listed once (estim.program.stimulation.MODALITIES) and every
place that needs one reads it from there."""

from __future__ import annotations

import typing

from estim.program.loader import _stimulation_class
from estim.program.stimulation import (
    FORCE_TYPES,
    MODALITIES,
    STIMULATION_TYPES,
    TRANSCUTANEOUS_TYPES,
    Stimulation,
)


def test_table_matches_the_program_schema():
    union = typing.get_args(typing.get_args(Stimulation)[0])
    tags = {t for cls in union for t in typing.get_args(cls.model_fields["type"].annotation)}
    assert tags == set(MODALITIES) == set(STIMULATION_TYPES)
    assert all(_stimulation_class(t) is not None for t in MODALITIES)
    assert FORCE_TYPES <= TRANSCUTANEOUS_TYPES
    assert {"iontophoresis", "dbs"}.isdisjoint(TRANSCUTANEOUS_TYPES)


def test_faces_use_the_table():
    from estim.report.page import MODALITY_WORDS, SHORT_MODALITY

    assert set(MODALITY_WORDS) == set(SHORT_MODALITY) == set(MODALITIES)
