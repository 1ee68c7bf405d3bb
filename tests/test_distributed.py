"""The Dask engine gives the local engine's tables, through the API and the CLI.

Dask is the optional ``dask`` extra. These tests need it: without it they FAIL with a message
saying so (a CI that lacks the extra must not pass silently). One LocalCluster (two worker
processes) is started for the module and shared, so the file runs in well under a minute.
"""

from __future__ import annotations

import functools

import importlib.util
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

HAVE_DASK = importlib.util.find_spec("distributed") is not None
MISSING = 'dask.distributed is not installed: install the extra with pip install -e ".[dask]" to run the Dask engine tests'


@pytest.fixture(scope="module")
def client():
    if not HAVE_DASK:
        pytest.fail(MISSING)
    from policylab.distributed import client_for

    with client_for(None) as c:
        yield c


@pytest.fixture(scope="module")
def dask_corpus(client, seeds_dir):
    from policylab import load_corpus

    return load_corpus(seeds_dir, engine="dask", scheduler=client)


def test_dask_tables_equal_local_tables(corpus, dask_corpus):
    local, remote = corpus.tables(), dask_corpus.tables()
    assert list(remote) == list(local)
    for name, df in local.items():
        pd.testing.assert_frame_equal(remote[name], df, obj=f"table {name}")
    # the seeds exercise every path: a duplicate found across files processed in different batches
    assert (remote["files"]["status"] == "duplicate").sum() == 1
    assert dask_corpus.options["engine"] == "dask"


def test_map_files_keeps_input_order_and_rejections(client, seeds_dir, tmp_path):
    from policylab.corpus import process_file
    from policylab.distributed import map_files

    # a mixed folder: seeds, an empty file and an unsupported type, in an order that is not sorted
    for p in seeds_dir.iterdir():
        (tmp_path / p.name).write_bytes(p.read_bytes())
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.4")
    paths = sorted(x.name for x in tmp_path.iterdir())[::-1]
    opts = {"min_chars": 200}
    got = map_files(str(tmp_path), paths, opts, scheduler=client)
    want = [process_file(str(tmp_path), p, **opts) for p in paths]
    assert [r["path"] for r in got] == paths
    assert got == want
    reasons = {r["path"]: r["reason"] for r in got if r["status"] == "rejected"}
    assert reasons["empty.txt"] == "empty file"
    assert "unsupported file type .pdf" in reasons["scan.pdf"]


def test_map_documents_equals_one_call(client, corpus):
    from policylab.distributed import batches, map_documents

    def lengths(df):  # a per-document stage that keeps the input order
        return pd.DataFrame({"doc_id": df["doc_id"].to_numpy(), "n": df["text"].str.len().to_numpy()})

    docs = corpus.documents
    assert len(batches(range(len(docs)), 2)) > 1  # really split over several tasks
    got = map_documents(lengths, docs.iloc[::-1], scheduler=client, sort_by=["doc_id"])
    want = lengths(docs).sort_values("doc_id", kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want)


def test_map_documents_runs_the_document_stages_identically(client, corpus):
    # what a Dask build of the per-document stages does: sections of batches of documents, then
    # targets and agencies of batches of sections, each document's sections kept in one task
    from policylab import structure, targets
    from policylab.distributed import map_documents

    sections = map_documents(structure.parse_sections, corpus.documents, scheduler=client)
    pd.testing.assert_frame_equal(sections, corpus.sections)
    # targets of batches of sections, each batch with the documents' plan periods (year_source plan_period)
    by_batch = map_documents(functools.partial(targets.extract_targets, documents=corpus.documents), sections,
                             scheduler=client)
    pd.testing.assert_frame_equal(by_batch, corpus.targets)
    pd.testing.assert_frame_equal(map_documents(structure.extract_agencies, sections, scheduler=client),
                                  corpus.agencies)


def test_map_documents_refuses_split_groups():
    from policylab.distributed import map_documents

    split = pd.DataFrame({"doc_id": ["a", "b", "a"], "text": ["一", "二", "三"]})
    with pytest.raises(ValueError, match="contiguous"):
        map_documents(lambda df: df, split)


def test_batches_cover_every_item_once_in_order():
    from policylab.distributed import batches

    items = list(range(1001))
    parts = batches(items, n_workers=2)
    assert [x for b in parts for x in b] == items
    assert len(parts) == 8 and max(len(b) for b in parts) == 126
    assert max(len(b) for b in batches(range(100_000), 2)) == 256  # capped: progress keeps moving


def test_cli_dask_build_writes_the_same_parquet(client, seeds_dir, tmp_path):
    # the CLI starts (and shuts down) its own LocalCluster, as a user's `policylab build` does
    outs = {}
    for engine in ("local", "dask"):
        out = tmp_path / engine
        cmd = [sys.executable, "-m", "policylab.cli", "build", str(seeds_dir), "--out", str(out),
               "--engine", engine, "-q"]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=tmp_path)
        assert r.returncode == 0, r.stderr[-2000:]
        assert "documents: 4" in r.stdout
        outs[engine] = out
    local = sorted(p.name for p in outs["local"].glob("*.parquet"))
    assert local and local == sorted(p.name for p in outs["dask"].glob("*.parquet"))
    for name in local:
        assert (outs["dask"] / name).read_bytes() == (outs["local"] / name).read_bytes(), name


def test_missing_extra_is_named(monkeypatch):
    import builtins

    from policylab import distributed

    real_import = builtins.__import__

    def no_distributed(name, *args, **kwargs):
        if name == "distributed" or name.startswith("distributed."):
            raise ImportError("No module named 'distributed'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_distributed)
    with pytest.raises(distributed.DaskNotInstalled, match=r"policylab\[dask\]"):
        distributed.map_files("seeds", ["x.txt"], {})
