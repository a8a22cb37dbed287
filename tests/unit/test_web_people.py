"""Adding a person through the API (FastAPI's TestClient, a SQLite journal in tmp_path): a
name already in the journal is asked about, never added silently."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient

from estim.web import create_app


def test_a_name_already_in_the_journal_is_asked_about_then_added_when_confirmed(
        tmp_path: Path) -> None:
    """"Anna Test" added twice went in silently as no. 1 and no. 2, and after a reload the
    page chose no. 1 where the session was saved under no. 2 (phone probe of 7 December
    2026): the second is a 409 naming who has the name, and ``confirm`` adds it."""
    with TestClient(create_app(database_url=f"sqlite:///{tmp_path / 'j.sqlite'}")) as client:
        anna = client.post("/api/people", json={"name": "Anna Test"}).json()["id"]
        again = client.post("/api/people", json={"name": "  anna  TEST "})
        assert again.status_code == 409
        detail = again.json()["detail"]
        assert detail["field"] == "name" and detail["confirm"] is True
        assert detail["existing"] == [anna]
        # the name as typed, one space, not Python's repr ('Anna\xa0Test'; hostile probe)
        assert f"\u2018anna TEST\u2019 is already in the journal (no. {anna})" \
            in detail["message"]
        # full-width letters are the same name (hostile probe of 7 December 2026)
        assert client.post("/api/people",
                           json={"name": "\uff21\uff4e\uff4e\uff41 Test"}).status_code == 409
        assert len(client.get("/api/people").json()) == 1  # nothing added
        second = client.post("/api/people", json={"name": "Anna Test", "confirm": True})
        assert second.status_code == 200 and second.json()["id"] != anna
        assert [p["name"] for p in client.get("/api/people").json()] == ["Anna Test"] * 2
        # a bad name is still refused as such, not asked about
        assert client.post("/api/people", json={"name": " "}).status_code == 422


def test_the_page_says_who_should_not_use_a_real_unit(tmp_path: Path) -> None:
    """A green "Within the limits" read as "safe for me", and the page named no
    contraindication (phone probe of 7 December 2026): beside the limits it says they are
    the output's, and who should not use such a unit."""
    with TestClient(create_app(database_url=f"sqlite:///{tmp_path / 'j.sqlite'}")) as client:
        page = " ".join(client.get("/").text.split())
    assert "These limits are the device's output, not whether it is safe for you" in page
    for words in ("pacemaker", "front of the neck", "pregnant", "epilepsy"):
        assert words in page, words
