"""Shared test settings: records go to a temporary folder, never into the repo."""

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def metrics_dir(tmp_path, monkeypatch):
    d = tmp_path / "metrics"
    monkeypatch.setenv("BOOK_METRICS_DIR", str(d))
    return d


def require_build(path: Path, what: str) -> None:
    """Skip (or fail under `make test`, GG_REQUIRE_BUILD=1) when a build output is missing."""
    if path.exists():
        return
    msg = f"{what} missing at {path}; run `make book` first"
    if os.environ.get("GG_REQUIRE_BUILD") == "1":
        pytest.fail(msg)
    pytest.skip(msg)
