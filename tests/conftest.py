"""Shared fixtures (the bundled examples, a factory for program text, the run's cache) and
how ``pytest -n 2`` shares the tests out between its workers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "src" / "estim" / "examples").glob("*.toml"))


@pytest.fixture
def tens_text() -> str:
    return (ROOT / "src" / "estim" / "examples" / "tens_conventional.toml").read_text()


@pytest.fixture(scope="module")
def dask_client() -> Iterator[object]:
    """An in-process Dask client (one worker, two threads) for a test module's sweeps."""
    pytest.importorskip("distributed")
    from distributed import Client

    c = Client(processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None)
    try:
        yield c
    finally:
        c.close()


@pytest.fixture(scope="session")
def _run_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test run's own cache folder, new for every run. Under pytest-xdist the workers'
    temporary folders are children of the run's, so the workers share one cache: a field or
    a threshold table that one worker computed is read by the other, not computed again
    (entries are written atomically, so two workers storing the same key is harmless)."""
    base = tmp_path_factory.getbasetemp()
    return (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "cache"


@pytest.fixture(autouse=True)
def _isolated_cache(_run_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Field solutions are cached on disk; tests never touch the user's cache. A test that
    needs a cold cache sets ``ESTIM_CACHE_DIR`` to a folder of its own."""
    monkeypatch.setenv("ESTIM_CACHE_DIR", str(_run_cache))

#: Reference numbers from other simulators: ``../shared/reference`` beside the checkout (CI
#: clones main with shared/ beside it). Missing reference data is an error, not a skip.
REFERENCE_DIR = ROOT.parent / "shared" / "reference"


#: Modules whose tests each simulate one bundled example (parametrized by its name): the
#: tests of one example run on one xdist worker, one after the other, so that the first
#: computes the example's fields and fiber thresholds and the rest read them from the run's
#: cache, while the other worker does another example (not the same one at the same time).
PER_EXAMPLE = ("tests/integration/test_report_browser.py",
               "tests/integration/test_run_examples.py")
#: Modules that prepare tens_conventional's dial (and share one module fixture each): with
#: that example's tests.
WITH_EXAMPLE = {"tests/integration/test_stimulator_dial.py": "tens_conventional",
                "tests/integration/test_web_api.py": "tens_conventional"}


def work_unit(nodeid: str) -> str:
    """The tests that one xdist worker runs together: one bundled example's tests, else a
    whole module (whose module-scoped fixtures then run once)."""
    module, _, name = nodeid.partition("::")
    if module in PER_EXAMPLE and name.endswith("]"):
        return f"example {name[name.index('[') + 1:-1]}"
    if module in WITH_EXAMPLE:
        return f"example {WITH_EXAMPLE[module]}"
    return module


def pytest_configure(config: pytest.Config) -> None:
    """``pytest -n 2`` on a 2-core machine runs two workers, and each would start numba's and
    OpenBLAS's threads, one per core: four busy threads on two cores. Measured with two cold
    ``tens_acupuncture`` runs side by side (fields cached; 6 December 2026, 2 cores): 33.3 s
    with two threads each, 26.0 s with one (both of two tries within 0.7 s). So where there
    is a worker per core, each computes on one thread. Set here, in the controller, before
    the workers start (numpy is imported in a worker before its conftest), so the workers
    and the servers and CLIs that tests start inherit it. Results do not depend on the
    thread count: a batch's fibers are integrated one by one, whichever thread takes them."""
    workers = getattr(config.option, "numprocesses", None)
    if isinstance(workers, int) and workers >= (os.cpu_count() or 1):
        for var in ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
            os.environ.setdefault(var, "1")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``-n N`` (xdist's ``--dist load``) hands out work units (:func:`work_unit`) in collection
    order (the slow integration tests first). (Marks with ``--dist loadgroup`` would say the
    same, but it does not group under pytest 9.2: pytest-xdist issue 1386.)"""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ByWorkUnit(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return work_unit(nodeid)

    config.option.loadscopereorder = False  # collection order, not the largest unit first
    return ByWorkUnit(config, log)
