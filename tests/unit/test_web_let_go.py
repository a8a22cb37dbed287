"""The page letting go of a preparation it moved on from (``replaces`` on POST
/api/programs, POST /api/jobs/{job}/let-go), through FastAPI's TestClient with a fake
preparation: nothing is computed."""

from __future__ import annotations

import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient

from estim.stimulator import Jobs
from estim.web import create_app
from tests.fakes import Clock, Stages


def _client(stages: Stages, clock: Clock) -> tuple[TestClient, Jobs]:
    jobs = Jobs(prepare_fn=stages, grace_s=10.0, clock=clock)
    return TestClient(create_app(database_url="sqlite://", jobs=jobs)), jobs


def test_settings_that_replace_a_job_let_it_go_and_a_reload_rejoins() -> None:
    """Four quick setting changes prepared four ~50 s programs one after another, on after
    the browser was closed (phone probe of 7 December 2026): the page names the job its
    new settings replace, and its pagehide lets its job go; a reload that asks again
    within the grace rejoins the running job."""
    stages, clock = Stages(), Clock()
    client, jobs = _client(stages, clock)
    with client, jobs:
        first = client.post("/api/programs", json={"mode": "tens_conventional"}).json()["job"]
        assert stages.reached.wait(10)
        # the page closes (its beacon), and a reload asks again 3 s later: the same job
        assert client.post(f"/api/jobs/{first}/let-go").json() == {"job": first}
        clock.now = 3.0
        again = client.post("/api/programs", json={"mode": "tens_conventional"}).json()
        assert again["job"] == first and again["state"] == "running"
        # other settings replace it: 10 s without a word about it, and it stops
        second = client.post("/api/programs", json={"mode": "tens_burst",
                                                    "replaces": first}).json()["job"]
        clock.now = 13.0
        stages.release.set()
        status = jobs.wait(first, timeout_s=10)
        assert status.state.value == "failed" and status.error is not None
        assert "choose it again to prepare it" in status.error
        assert jobs.wait(second, timeout_s=10).state.value == "done"
        # the replaced program never finished its preparation; the replacement did
        assert len(stages.finished) == 1 and "Conventional" not in stages.finished[0]


def test_a_status_poll_keeps_a_job_another_tab_let_go() -> None:
    """Two tabs on the same program: one moving on does not stop the other's, which asks
    how it stands."""
    stages, clock = Stages(), Clock()
    client, jobs = _client(stages, clock)
    with client, jobs:
        job = client.post("/api/programs", json={"mode": "tens_conventional"}).json()["job"]
        assert stages.reached.wait(10)
        client.post("/api/programs", json={"mode": "tens_burst", "replaces": job})
        clock.now = 5.0
        assert client.get(f"/api/jobs/{job}").json()["state"] == "running"
        clock.now = 14.0
        stages.release.set()
        assert jobs.wait(job, timeout_s=10).state.value == "done"


def test_a_replaces_that_is_not_a_job_id_is_refused_by_name() -> None:
    stages, clock = Stages(), Clock()
    client, jobs = _client(stages, clock)
    with client, jobs:
        answer = client.post("/api/programs", json={"mode": "tens_conventional",
                                                    "replaces": 7})
        assert answer.status_code == 422
        assert answer.json()["detail"]["field"] == "replaces"
        # an unknown job let go of: nothing to stop, no error (a beacon after a restart)
        assert client.post("/api/jobs/nope/let-go").status_code == 200
