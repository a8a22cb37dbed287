"""Shared fixtures: the bundled examples and a factory for program text."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

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


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory,
                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Field solutions are cached on disk; tests never touch the user's cache."""
    monkeypatch.setenv("ESTIM_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))

#: Reference numbers from other simulators: ``../shared/reference`` beside the checkout (CI
#: clones main with shared/ beside it). Missing reference data is an error, not a skip.
REFERENCE_DIR = ROOT.parent / "shared" / "reference"
