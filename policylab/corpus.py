"""Corpus: runs the parsing stages over a folder of pages and holds the resulting tables.

``load_corpus(path)`` reads as the table of contents of a build:

1. list the files (:mod:`policylab.ingest`);
2. look the build up in the cache, keyed by every input's sha256, the options, the corrections,
   the curated resources and the parsing code (:func:`policylab.cache.corpus_key`);
3. per page, read -> clean -> gate (:func:`policylab.page.process_file`), in this process, in
   worker processes or on a Dask cluster (:mod:`policylab.distributed`);
4. drop near-duplicates (:mod:`policylab.dedup`) and build ``files`` and ``documents``;
5. per document: metadata (:mod:`policylab.meta`), researcher corrections
   (:mod:`policylab.corrections`), the section tree, agencies and citations
   (:mod:`policylab.structure`) and numeric targets (:mod:`policylab.targets`).

Every input file ends up in ``files`` -- as a ``document``, a ``duplicate`` of one, or ``rejected``
with a reason -- and nothing stops the build but a source that does not exist or holds no files.

Table schemas are documented in :mod:`policylab.schema`.

Examples
--------
>>> from policylab import load_corpus
>>> corpus = load_corpus("seeds")                         # doctest: +SKIP
>>> corpus.files.status.value_counts().to_dict()          # doctest: +SKIP
{'document': 4, 'duplicate': 1}
"""

from __future__ import annotations

import functools
import json
import multiprocessing as mp
import os
import sys
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from policylab import distributed, labels, meta, schema, structure, targets
from policylab.cache import cache_root, corpus_key
from policylab.corrections import apply_corrections, corrections_digest, corrections_for_build, empty_corrections
from policylab.dedup import find_duplicates
from policylab.ingest import DEFAULT_MAX_BYTES, DEFAULT_MAX_LINE_CHARS, list_files, on_disk
from policylab.page import DEFAULT_MIN_CHARS, MIN_CUES, process_file  # noqa: F401  (public here too)
from policylab.store import read_tables, resource_hashes, write_tables

TABLES = (
    "files", "documents", "removed", "page_fields", "sections", "agencies", "citations", "targets",
    "metadata_corrections",
)


class SourceError(Exception):
    """The source folder does not exist or holds no files (the one error that stops a build)."""


@dataclass
class Corpus:
    """The tables of one build. Every attribute is a pandas DataFrame; see :mod:`policylab.schema`."""

    source: str
    files: pd.DataFrame
    documents: pd.DataFrame
    removed: pd.DataFrame
    page_fields: pd.DataFrame
    sections: pd.DataFrame | None = None
    agencies: pd.DataFrame | None = None
    citations: pd.DataFrame | None = None
    targets: pd.DataFrame | None = None
    metadata_corrections: pd.DataFrame | None = None
    options: dict = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables by name, in a fixed order (those a stage did not produce are left out).

        Returns
        -------
        dict of str to DataFrame

        Examples
        --------
        >>> list(load_corpus("seeds").tables())[:3]
        ['files', 'documents', 'removed']
        """
        return {name: getattr(self, name) for name in TABLES if getattr(self, name) is not None}

    def summary(self) -> str:
        """A one-screen account of the build: files read, documents, duplicates, rejections.

        Returns
        -------
        str

        Examples
        --------
        >>> print(load_corpus("seeds").summary().splitlines()[2])
        documents: 4
        """
        f = self.files
        counts = f["status"].value_counts()
        lines = [
            f"source: {self.source}",
            f"files read: {len(f)}",
            f"documents: {counts.get('document', 0)}",
            f"duplicates: {counts.get('duplicate', 0)}",
            f"rejected: {counts.get('rejected', 0)}",
        ]
        for _, row in f[f["status"] == "duplicate"].iterrows():
            lines.append(f"  duplicate {row['path']} -> {row['duplicate_of']} ({row['reason']})")
        for _, row in f[f["status"] == "rejected"].iterrows():
            lines.append(f"  rejected  {row['path']}: {row['reason']}")
        if self.sections is not None:
            lines.append(f"sections: {len(self.sections)}")
        if self.targets is not None:
            lines.append(f"targets: {len(self.targets)}")
        lines.append(f"lines removed as noise: {len(self.removed)}; page fields kept: {len(self.page_fields)}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        sizes = ", ".join(f"{k}={len(v)}" for k, v in self.tables().items())
        return f"Corpus(source={self.source!r}, {sizes})"


def doc_id_for(sha256: str) -> str:
    """A document's id: 'd' + the first 12 hex digits of its source file's sha256.

    Content-derived, so the same file has the same id on every machine and in every run.

    Parameters
    ----------
    sha256 : str
        The file's sha256 (hex).

    Returns
    -------
    str

    Examples
    --------
    >>> doc_id_for("4de147ab1a0c3745" + "0" * 48)
    'd4de147ab1a0c'
    """
    return "d" + sha256[:12]


def _map_files(root: str, paths: list[str], opts: dict, n_jobs: int, progress: bool, engine: str, scheduler):
    """Run :func:`process_file` over the paths, serially, over processes, or on a Dask cluster."""
    from tqdm import tqdm  # plain text bar: no widget warning inside notebooks

    def bar(it, total):
        return tqdm(it, total=total, desc="reading pages", unit="file", disable=not progress, file=sys.stderr)

    if engine == "dask":
        return distributed.map_files(root, paths, opts, scheduler=scheduler, progress=progress)
    if engine != "local":
        raise ValueError(f"unknown engine {engine!r}: use 'local' or 'dask'")
    if n_jobs == 1 or len(paths) < 8:
        return [process_file(root, p, **opts) for p in bar(paths, len(paths))]
    ctx = mp.get_context("fork") if sys.platform.startswith("linux") else None
    with ProcessPoolExecutor(max_workers=n_jobs, mp_context=ctx) as ex:
        it = ex.map(functools.partial(process_file, root, **opts), paths, chunksize=4)
        return list(bar(it, len(paths)))


def load_corpus(
    source: str | os.PathLike = "seeds",
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_line_chars: int = DEFAULT_MAX_LINE_CHARS,
    min_chars: int = DEFAULT_MIN_CHARS,
    corrections: str | os.PathLike | pd.DataFrame | None = "auto",
    n_jobs: int | None = 1,
    progress: bool = False,
    engine: str = "local",
    scheduler: str | None = None,
    cache: bool | str | os.PathLike = False,
) -> Corpus:
    """Build the corpus tables from a folder of scraped pages.

    Parameters
    ----------
    source : path
        A folder (read recursively) or a single file.
    max_bytes : int
        Files larger than this are rejected unread (default 20 MB).
    max_line_chars : int
        Pages with a line longer than this are rejected (default 200,000 characters).
    min_chars : int
        Chinese characters a page must keep after cleaning to count as a document.
    corrections : path, DataFrame, None or "auto"
        Researcher corrections to metadata (see ``data/README.md``). "auto" uses
        ``data/corrections.csv`` in the current folder when it exists.
    n_jobs : int or None
        Processes for reading and cleaning (None = all cores). Results do not depend on it.
    progress : bool
        Show a progress bar on stderr.
    engine, scheduler : str
        ``"local"`` (default) or ``"dask"`` (needs the ``dask`` extra) with a scheduler address;
        ``None`` starts a local cluster. Tables are identical either way.
    cache : bool or path
        Keep the tables in the project cache (``$POLICYLAB_CACHE`` or ``./.policylab_cache``; a
        path overrides), keyed by every input file's sha256, the options, the corrections, the
        curated resource files and the parsing code itself; a warm call reads them back instead
        of parsing. ``policylab build`` turns it on (``--no-cache`` turns it off).

    Returns
    -------
    Corpus

    Raises
    ------
    SourceError
        When ``source`` does not exist or holds no files.

    Examples
    --------
    >>> corpus = load_corpus("seeds")
    >>> corpus.files["status"].value_counts().to_dict()
    {'document': 4, 'duplicate': 1}
    >>> sorted(corpus.documents["city"])
    ['南京', '合肥', '成都', '沈阳']
    """
    root, paths = _source_files(source)
    n_jobs = (os.cpu_count() or 1) if n_jobs is None else n_jobs
    opts = {"max_bytes": max_bytes, "min_chars": min_chars, "max_line_chars": max_line_chars}
    cached_dir = _cache_dir(root, paths, opts, corrections, cache)  # keyed by policylab.cache
    if cached_dir is not None and (hit := _read_cached(cached_dir, str(source), engine)) is not None:
        return hit
    results = _map_files(str(root), paths, opts, n_jobs, progress, engine, scheduler)  # page: read, clean, gate
    corpus = _assemble(str(source), results)  # dedup: near-duplicates; the files/documents tables
    corpus.options = {**opts, "engine": engine}
    _run_document_stages(corpus, corrections)  # meta, corrections, structure, targets
    if cached_dir is not None:
        _write_cached(corpus, cached_dir)
    return corpus


def _source_files(source) -> tuple[Path, list[str]]:
    """The source and its files (relative paths), or a :class:`SourceError`."""
    root = Path(source)
    if not root.exists():
        raise SourceError(f"source not found: {source}")
    paths = list_files(root)
    if not paths:
        raise SourceError(f"source holds no files: {source}")
    return root, paths


def _cache_dir(root: Path, paths: list[str], opts: dict, corrections, cache) -> Path | None:
    """The cache folder of this build, or None (no cache asked for, or an input cannot be read)."""
    if cache is False:
        return None
    inputs = [(rel, on_disk(root, rel)) for rel in paths]
    key = corpus_key(inputs, opts, corrections_digest(corrections), resource_hashes())
    if key is None:
        return None
    return cache_root(None if cache is True else cache) / "corpus" / key[:2] / key


def _write_cached(corpus: Corpus, folder: Path) -> None:
    try:
        write_tables(corpus.tables(), folder, manifest={"options": corpus.options})
    except OSError as e:  # the cache is a convenience: a full disk must not lose the build
        warnings.warn(f"policylab: could not write the build cache ({e}); the tables are unaffected", stacklevel=3)


def _read_cached(folder: Path, source: str, engine: str) -> Corpus | None:
    """A cached build's tables, checked against their schemas; None when absent or unusable."""
    if not (folder / "manifest.json").exists():
        return None
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        tables = read_tables(folder)
        for name, df in tables.items():
            schema.validate(name, df)
        if set(tables) != set(TABLES):
            return None
    except Exception:  # a damaged entry is rebuilt, never trusted
        return None
    options = {**manifest.get("options", {}), "engine": engine}
    return Corpus(source=source, options=options, **tables)


def _assemble(source: str, results: list[dict]) -> Corpus:
    """Deduplicate the cleaned pages and build the base tables."""
    results = sorted(results, key=lambda r: r["path"])
    ok = [r for r in results if r["status"] == "document"]
    cand = pd.DataFrame(
        {
            "key": [r["path"] for r in ok],
            "text": [r["text"] for r in ok],
            "script": [r["script"] for r in ok],
            "noise": [r["noise"] for r in ok],
        }
    )
    dups = find_duplicates(cand).set_index("key") if len(ok) > 1 else pd.DataFrame()
    by_path = {r["path"]: r for r in results}
    n_dups: dict[str, int] = {}
    for path, row in dups.iterrows():
        r = by_path[path]
        canon = by_path[row["canonical"]]
        r.update(
            status="duplicate",
            duplicate_of=canon["path"],
            similarity=float(row["similarity"]),
            reason=(
                f"near-duplicate of {canon['path']} (Jaccard {row['similarity']:.3f}, "
                f"containment {row['containment']:.3f}); that copy is kept: "
                + ("Simplified, " if canon["script"] == "simplified" else "")
                + "less page noise or longer text"
            ),
        )
        n_dups[canon["path"]] = n_dups.get(canon["path"], 0) + 1

    file_rows, doc_rows, removed_rows, field_rows = [], [], [], []
    for r in results:
        doc_id = None
        if r["status"] == "document":
            doc_id = doc_id_for(r["sha256"])
        elif r["status"] == "duplicate":
            doc_id = doc_id_for(by_path[r["duplicate_of"]]["sha256"])
        file_rows.append(
            {
                "path": r["path"], "sha256": r["sha256"], "bytes": r["bytes"], "encoding": r["encoding"],
                "format": r["format"], "status": r["status"], "reason": r["reason"], "doc_id": doc_id,
                "duplicate_of": r.get("duplicate_of"), "similarity": r.get("similarity"),
            }
        )
        if r["status"] == "document":
            doc_rows.append(
                {
                    "doc_id": doc_id, "source_path": r["path"], "script": r["script"],
                    "n_chars": len(r["text"]), "n_traditional_left": r["n_traditional_left"],
                    "n_artefacts_repaired": r["n_artefacts_repaired"],
                    "n_duplicates": n_dups.get(r["path"], 0), "text": r["text"],
                }
            )
        removed_rows += [(r["path"], n, t, why) for n, t, why in r["removed"]]
        field_rows += [(r["path"], n, f, lab, v) for n, f, lab, v in r["page_fields"]]

    files = schema.conform("files", pd.DataFrame(file_rows, columns=schema.columns("files")))
    documents = pd.DataFrame(doc_rows, columns=schema.DOCUMENT_BASE)
    removed = schema.conform("removed", pd.DataFrame(removed_rows, columns=["path", "line_no", "text", "reason"]))
    page_fields = schema.conform(
        "page_fields", pd.DataFrame(field_rows, columns=["path", "line_no", "field", "label", "value"])
    )
    return Corpus(source=source, files=files, documents=documents, removed=removed, page_fields=page_fields)


def _run_document_stages(corpus: Corpus, corrections) -> None:
    """Metadata, corrections, structure and targets: per-document stages on the canonical clean texts."""
    docs = corpus.documents
    md = meta.document_metadata(docs, corpus.page_fields, corpus.files)
    table = corrections_for_build(corrections, corpus.options)
    if table is None:
        table = empty_corrections()
    # always applied, so every build writes a corrections log (empty when there is nothing to apply)
    md, corpus.metadata_corrections = apply_corrections(md, table, files=corpus.files)
    merged = docs.merge(md, on="doc_id", how="left", validate="one_to_one")
    merged["label"] = labels.document_labels(merged)  # place · year · short title, unique (issue 12)
    corpus.documents = schema.conform("documents", merged).sort_values("doc_id", kind="stable").reset_index(drop=True)
    corpus.sections = structure.parse_sections(corpus.documents)
    corpus.agencies = structure.extract_agencies(corpus.sections)
    corpus.citations = structure.extract_citations(corpus.documents, md, corpus.sections)
    corpus.targets = targets.extract_targets(corpus.sections)
