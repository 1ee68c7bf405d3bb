"""Shared fixtures: the bundled seed corpus, built once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"

# segmentation cache of the test session lives in the project, never in the system temp folder
os.environ.setdefault("POLICYLAB_CACHE", str(ROOT / ".policylab_cache" / "tests"))


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def corpus():
    """The seed corpus as ``load_corpus`` builds it (files, documents, removed, page_fields, ...)."""
    from policylab import load_corpus

    return load_corpus(SEEDS)


@pytest.fixture(scope="session")
def docs_by_seed(corpus):
    """documents rows keyed by the seed's three-digit prefix ('001', '002', ...)."""
    d = corpus.documents.set_index("source_path")
    return {Path(p).name[:3]: row for p, row in d.iterrows()}


@pytest.fixture
def disk_full_after(monkeypatch):
    """``disk_full_after(n)``: store's Parquet writer fails with "No space left on device" at its
    n-th call (the calls before it write as usual); returns the list of paths it was called with."""
    import policylab.store as store

    def arm(n: int) -> list:
        real, calls = store._to_parquet, []

        def failing(df, path):
            calls.append(path)
            if len(calls) == n:
                raise OSError(28, "No space left on device")
            real(df, path)

        monkeypatch.setattr(store, "_to_parquet", failing)
        return calls

    return arm
