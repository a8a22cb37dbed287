"""The web form's error labels (:data:`estim.web.errors.FORM_LABELS`) against the page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from estim.web.errors import FORM_LABELS

PAGE = (Path(__file__).resolve().parents[2] / "src" / "estim" / "web" / "templates"
        / "index.html").read_text(encoding="utf-8")


def _page_labels() -> dict[str, str]:
    """Each box's label as the page shows it: a ``<label for>`` or a calibration mark's
    button (``data-mark``)."""
    found = re.findall(r'<label for="(\w+)">([^<]+)</label>', PAGE)
    found += re.findall(r'data-mark="(\w+)">([^<]+)</button>', PAGE)
    return dict(found)


@pytest.mark.parametrize("field", sorted(FORM_LABELS))
def test_an_error_names_a_box_as_the_page_labels_it(field: str) -> None:
    """The labels an error message names a box by are written twice, on the page and in
    :data:`FORM_LABELS` (a review of 6 December 2026 left that alone): each must be the
    page's own label, or its start where the page adds a hint ("Pain before (0–10)"), so a
    label changed on one side alone fails here."""
    labels = _page_labels()
    assert field in labels, f"no box {field!r} on the page"
    assert labels[field].startswith(FORM_LABELS[field]), (FORM_LABELS[field], labels[field])


def test_every_labelled_box_of_the_forms_has_an_error_label() -> None:
    """A box added to the page without an entry would be named by its program path again
    ("channels[0].stimulation.pulse_width: got ..."). The program-file box and the person
    picker take no typed values that the server checks field by field."""
    missing = set(_page_labels()) - set(FORM_LABELS) - {"custom_toml", "person"}
    assert not missing, sorted(missing)
