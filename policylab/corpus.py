"""Corpus: runs the parsing stages over a folder of pages and holds the resulting tables.

``load_corpus(path)`` reads as the table of contents of a build:

1. list the files (:mod:`policylab.ingest`);
2. look the build up in the cache, keyed by every input's sha256, the options, the corrections,
   the curated resources and the parsing code (:func:`policylab.cache.corpus_key`);
3. per page, read -> clean -> gate (:func:`policylab.page.process_file`), then, still in the
   same task, the per-document stages on its documents: metadata (:mod:`policylab.meta`), the
   section tree, agencies and citations (:mod:`policylab.structure`) and numeric targets
   (:mod:`policylab.targets`); in this process or in worker processes, a batch of pages per task
   (on a Dask cluster only the pages; the stages then run here);
4. drop near-duplicates (:mod:`policylab.dedup`, from sketches the tasks computed) and build
   ``files`` and ``documents``;
5. researcher corrections (:mod:`policylab.corrections`); the few documents whose stage rows a
   duplicate's page or a correction can change are computed again; citation links.

Every input file ends up in ``files`` -- as a ``document``, a ``duplicate`` of one, or ``rejected``
with a reason -- and nothing stops the build but a source that does not exist or holds no files.

Table schemas are documented in :mod:`policylab.schema`.

Length: about 780 lines, of which some 250 are docstrings and examples and some 460 code. One job
holds it together: running the parsing stages over a folder and assembling their tables into a
:class:`Corpus`. The map over worker processes, the per-file cache, the document-level stages and
the concatenation are steps of :func:`load_corpus`, and :func:`with_reference` runs the same path
over a second folder; the stages themselves live in their own modules.

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
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from policylab import distributed, labels, meta, schema, structure, targets
from policylab.cache import cache_root, corpus_key
from policylab.corrections import apply_corrections, corrections_digest, corrections_for_build, empty_corrections
from policylab.dedup import find_duplicates, sketch
from policylab.ingest import DEFAULT_MAX_BYTES, DEFAULT_MAX_LINE_CHARS, list_files, on_disk
from policylab.clean import clean_page
from policylab.page import DEFAULT_MIN_CHARS, MIN_CUES, process_file  # noqa: F401  (public here too)
from policylab.store import TableWriter, read_tables, resource_hashes, write_tables
from policylab.structure import link_citations

TABLES = (
    "files", "documents", "removed", "page_fields", "sections", "agencies", "citations", "targets",
    "metadata_corrections",
)


SUMMARY_EXAMPLES = 3  # example files shown per kind of rejection in Corpus.summary


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
    # the Parquet file each table was written to or read from by the build cache, with the id of
    # the DataFrame it holds: `policylab build` copies such a file instead of encoding it again
    table_files: dict = field(default_factory=dict, repr=False, compare=False)

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
        # rejections grouped by the kind of reason (its words before the first ':' ',' or '('), most
        # frequent first, with a few examples each; the full list is the files table
        rejected = f[f["status"] == "rejected"]
        kinds = rejected["reason"].fillna("no reason given").astype(str).str.extract(r"^([^:,(]+)")[0].str.strip()
        for kind, paths in sorted(rejected.groupby(kinds, sort=True)["path"], key=lambda kv: -len(kv[1])):
            shown = list(paths.astype(str))[:SUMMARY_EXAMPLES]
            more = f", ... ({len(paths) - len(shown)} more)" if len(paths) > len(shown) else ""
            lines.append(f"  rejected  {len(paths)} x {kind}: e.g. {', '.join(shown)}{more}")
        if len(rejected):
            lines.append("  (every file with its full reason: the files table)")
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


# a corpus smaller than this (in bytes of input files) is built in this process when n_jobs is
# None: forking and sending the tables costs more than a second core gains on a few pages
MIN_PARALLEL_BYTES = 2_000_000


def _jobs_for(n_jobs: int | None, root: Path, paths: list[str]) -> int:
    """Processes to use: ``n_jobs`` when given, else every core if the corpus is big enough to gain."""
    if n_jobs is not None:
        return max(1, int(n_jobs))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if cores < 2 or len(paths) < 8:
        return 1
    size = 0
    for rel in paths:
        try:
            size += (root / rel).stat().st_size if root.is_dir() else root.stat().st_size
        except OSError:
            continue
        if size >= MIN_PARALLEL_BYTES:
            return cores
    return 1


def _warm_resources() -> None:
    """Load every dictionary, pattern file and converter the stages use, before a pool forks.

    Worker processes forked afterwards share them (copy on write) instead of each loading them.
    """
    text = ("关于印发某市人工智能实施方案的通知\n某政发〔2024〕1号\n一、总体要求\n"
            "(一)发展目标。到2025年,人工智能核心产业规模超过500亿元。(责任单位:市科技局)")
    cleaned = clean_page(text)
    sketch(cleaned.text)  # dedup's table of word characters
    _stage_tables(pd.DataFrame({"doc_id": ["d"], "text": [cleaned.text]}))
    meta.document_metadata(pd.DataFrame({"doc_id": ["d"], "text": ["南京市人民政府办公厅\n" + cleaned.text]}))


def _pool(n_jobs: int) -> ProcessPoolExecutor:
    ctx = mp.get_context("fork") if sys.platform.startswith("linux") else None
    return ProcessPoolExecutor(max_workers=n_jobs, mp_context=ctx)


# pages per task of the local pool, at most: the document stages cost about 20 ms per call
# whatever its size (frames, schema checks), so a task should hold many pages, and a task's
# results are held whole until the parent takes them
BATCH_FILES = 256
TASKS_PER_PROCESS = 4


def _batches(paths: list[str], n_jobs: int) -> list[list[str]]:
    """Consecutive runs of paths, for :func:`_build_batch`; over processes, largest first.

    One process: runs of :data:`BATCH_FILES`. Over ``n_jobs`` processes the tasks are
    "guided": each takes ``1 / (2 n_jobs)`` of the pages left (at most :data:`BATCH_FILES`, at
    least about ``1 / (16 n_jobs)`` of them), so the last tasks are small and the processes run
    out of work together. With equal tasks, one process could start the last big one just as the
    other finished, leaving a core idle for most of a task (up to 0.5 s of a 2.5 s build at 10 MB).

    Examples
    --------
    >>> [len(b) for b in _batches([f"{i}.txt" for i in range(40)], 2)]
    [10, 8, 6, 4, 3, 3, 2, 2, 2]
    >>> [len(b) for b in _batches([f"{i}.txt" for i in range(10)], 1)]
    [10]
    """
    n = len(paths)
    if n_jobs <= 1:
        size = max(1, min(BATCH_FILES, n))
        return [paths[i:i + size] for i in range(0, n, size)]
    floor = max(1, min(BATCH_FILES // 8, -(-n // (n_jobs * TASKS_PER_PROCESS * 4))))
    out, i = [], 0
    while i < n:
        size = min(BATCH_FILES, max(floor, -(-(n - i) // (2 * n_jobs))))
        out.append(paths[i:i + size])
        i += size
    return out


def _build_batch(root: str, paths: list[str], opts: dict) -> tuple[list[dict], dict | None]:
    """Worker: read -> clean -> gate each page, then every per-document stage on its documents.

    One pass per page, so a clean text crosses between processes once (back to the parent),
    not three times (back, out for metadata, out again for structure). The stages see only the
    page's own fields and no corrections: the parent redoes, from the whole corpus, the documents
    that a duplicate's page or a correction can change (:func:`_run_document_stages`). Each
    document also gets its dedup sketch, so the parent bands the corpus without hashing it.
    """
    results = [process_file(root, p, **opts) for p in paths]
    first: dict[str, dict] = {}  # one row per doc_id (identical files share it; the parent redoes them)
    for r in results:
        if r["status"] == "document":
            r["sketch"] = sketch(r["text"])
            first.setdefault(doc_id_for(r["sha256"]), r)
    if not first:
        return results, None
    docs = pd.DataFrame({"doc_id": list(first), "text": [r["text"] for r in first.values()]})
    files = pd.DataFrame({"path": [r["path"] for r in first.values()], "doc_id": list(first), "status": "document"})
    page_fields = _page_fields_table([(r["path"], *f) for r in first.values() for f in r["page_fields"]])
    return results, _stage_tables(docs, page_fields, files)


def _map_files(root: str, paths: list[str], opts: dict, n_jobs: int, progress: bool, engine: str, scheduler,
               pool: ProcessPoolExecutor | None = None) -> tuple[list[dict], list[dict] | None]:
    """Run the pages through :func:`_build_batch` (serially or over processes) or, with Dask,
    through :func:`process_file` on the cluster (the document stages then run here).

    Returns the per-file results in the order of ``paths`` and the batches' stage tables (None
    when the stages did not run with the pages).
    """
    if engine == "dask":
        return distributed.map_files(root, paths, opts, scheduler=scheduler, progress=progress), None
    if engine != "local":
        raise ValueError(f"unknown engine {engine!r}: use 'local' or 'dask'")
    batches = _batches(paths, n_jobs)
    bar = None
    if progress:  # tqdm is imported only to be shown (~30 ms, on every build's serial path)
        from tqdm import tqdm  # plain text bar: no widget warning inside notebooks

        bar = tqdm(total=len(paths), desc="reading pages", unit="file", file=sys.stderr)
    results: list[dict] = []
    parts: list[dict] = []
    try:
        if pool is None:
            done = (_build_batch(root, b, opts) for b in batches)
        else:
            done = pool.map(_build_batch, [root] * len(batches), batches, [opts] * len(batches))
        for batch, (res, tables) in zip(batches, done):
            results += res
            if tables is not None:
                parts.append(tables)
            if bar is not None:
                bar.update(len(batch))
    finally:
        if bar is not None:
            bar.close()
    return results, parts


def load_corpus(
    source: str | os.PathLike = "seeds",
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_line_chars: int = DEFAULT_MAX_LINE_CHARS,
    min_chars: int = DEFAULT_MIN_CHARS,
    corrections: str | os.PathLike | pd.DataFrame | None = "auto",
    n_jobs: int | None = None,
    progress: bool = False,
    engine: str = "local",
    scheduler: str | None = None,
    cache: bool | str | os.PathLike = False,
    reference: str | os.PathLike | None = None,
    reference_level: str | None = None,
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
        Processes for every per-page and per-document stage (reading, cleaning, metadata,
        structure, targets). None (default): all cores when the corpus holds at least
        :data:`MIN_PARALLEL_BYTES` of files, else one. The tables do not depend on it.
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
    reference : path, optional
        A second folder of reference documents (national or provincial plans). It is built with
        the same options (without corrections) and added by :func:`with_reference`: its documents
        are marked ``reference=True``, take part in citation matching and reuse, and
        :func:`local_documents` leaves them out of the corpus' own statistics.
    reference_level : str, optional
        Level ('national', 'provincial') given to reference documents whose metadata finds none.

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
    n_jobs = _jobs_for(n_jobs, root, paths)
    opts = {"max_bytes": max_bytes, "min_chars": min_chars, "max_line_chars": max_line_chars}
    # a cache that holds no build at all cannot hit: the key is then made after parsing, from the
    # sha256 the workers take of every page they read, instead of reading and hashing every file
    # first (~60 ms per 10 MB on the build's one serial path)
    after = cache is not False and _no_cached_build(cache)
    cached_dir = None if after else _cache_dir(root, paths, opts, corrections, cache)  # keyed by policylab.cache
    if cached_dir is not None and (hit := _read_cached(cached_dir, str(source), engine)) is not None:
        corpus = hit
    else:
        pool = writer = None
        if n_jobs > 1 and engine == "local" and len(paths) >= 2:
            _warm_resources()  # before the fork: workers inherit the loaded resources
            pool = _pool(n_jobs)
        try:
            # per page: read, clean, gate; then metadata, structure and targets of its documents
            results, parts = _map_files(str(root), paths, opts, n_jobs, progress, engine, scheduler, pool)
            if after:
                cached_dir = _cache_dir(root, paths, opts, corrections, cache, known=_read_hashes(results, opts))
            corpus = _assemble(str(source), results)  # dedup: near-duplicates; the files/documents tables
            del results
            _release_freed_memory()  # the pages' Python texts are now in the documents table
            corpus.options = {**opts, "engine": engine}
            # the build cache is encoded in threads table by table as each is final, while the
            # parent computes the next (the assembly runs on one core; Arrow's encoder leaves the GIL)
            writer = _cache_writer(cached_dir)
            if writer is not None:
                for name in ("files", "removed", "page_fields"):  # final once assembled
                    _cache_add(writer, name, getattr(corpus, name))
            _run_document_stages(corpus, corrections, parts,  # corrections, the cross-document steps
                                 ready=None if writer is None else functools.partial(_cache_add, writer))
        except BaseException:
            if writer is not None:
                writer.abort()
            raise
        finally:
            if pool is not None:
                pool.shutdown()
        if writer is not None:
            _cache_commit(writer, corpus)
    if reference is not None:
        ref = load_corpus(reference, max_bytes=max_bytes, max_line_chars=max_line_chars, min_chars=min_chars,
                          corrections=None, n_jobs=n_jobs, progress=progress, engine=engine,
                          scheduler=scheduler, cache=cache)
        corpus = with_reference(corpus, ref, level=reference_level)
    return corpus


def _release_freed_memory() -> None:
    """Give the memory of freed objects back to the system (glibc only; elsewhere a no-op).

    The pages' texts come back from the workers as thousands of Python strings interleaved with
    longer-lived objects: freed, their heap pages stay mapped, and the build's peak memory at
    100 MB would hold them twice. ``malloc_trim`` returns every free page of the heap.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # musl or another libc: nothing to trim with
        pass


def _source_files(source) -> tuple[Path, list[str]]:
    """The source and its files (relative paths), or a :class:`SourceError`."""
    root = Path(source)
    if not root.exists():
        raise SourceError(f"source not found: {source}")
    paths = list_files(root)
    if not paths:
        raise SourceError(f"source holds no files: {source}")
    return root, paths


def _cache_dir(root: Path, paths: list[str], opts: dict, corrections, cache, known: dict | None = None) -> Path | None:
    """The cache folder of this build, or None (no cache asked for, or an input cannot be read).

    ``known``: the size and sha256 of files already read (:func:`_read_hashes`), not read again.
    """
    if cache is False:
        return None
    inputs = [(rel, on_disk(root, rel)) for rel in paths]
    key = corpus_key(inputs, opts, corrections_digest(corrections), resource_hashes(), known=known)
    if key is None:
        return None
    return _builds_folder(cache) / key[:2] / key


def _builds_folder(cache) -> Path:
    return cache_root(None if cache is True else cache) / "corpus"


def _no_cached_build(cache) -> bool:
    """True when the project cache holds no corpus build at all (then no key can hit)."""
    folder = _builds_folder(cache)
    try:
        return not any(True for shard in folder.iterdir() for _ in shard.iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return True
    except OSError:  # unreadable: let the key decide, as before
        return False


def _read_hashes(results: list[dict], opts: dict) -> dict[str, tuple[int, str | None]]:
    """``path -> (size, sha256)`` of the files the workers read (:func:`corpus_key`'s ``known``).

    A page read whole has both; a file over ``max_bytes`` (rejected unread) has its size and no
    sha256, as the key wants it. Files not read at all (another extension, unreadable) are left
    out: the key reads those itself, as it always did.
    """
    out = {}
    for r in results:
        size, digest = r.get("bytes"), r.get("sha256")
        if size is not None and (digest is not None or size > opts["max_bytes"]):
            out[r["path"]] = (size, digest)
    return out


def _cache_warning(e: OSError) -> None:
    # the cache is a convenience: a full disk must not lose the build
    warnings.warn(f"policylab: could not write the build cache ({e}); the tables are unaffected", stacklevel=4)


def _cache_writer(folder: Path | None) -> TableWriter | None:
    """A :class:`policylab.store.TableWriter` into the build's cache folder (None: no cache)."""
    if folder is None:
        return None
    try:
        return TableWriter(folder)
    except OSError as e:
        _cache_warning(e)
        return None


def _cache_add(writer: TableWriter, name: str, df: pd.DataFrame) -> None:
    """Hand a final table to the cache writer (it is encoded in a thread from now on)."""
    if not writer.open:  # given up after an error
        return
    try:
        writer.add(name, df)
    except OSError as e:
        writer.abort()
        _cache_warning(e)


def _cache_commit(writer: TableWriter, corpus: Corpus) -> None:
    """Commit the build cache (every table added); the corpus remembers its files (copied, not
    encoded again, when the same tables are written out)."""
    if not writer.open:
        return
    tables = corpus.tables()
    try:
        for name in [n for n in tables if n not in writer.added]:  # a table no stage handed over
            writer.add(name, tables[name])
        writer.commit({"options": corpus.options})
    except OSError as e:
        writer.abort()
        _cache_warning(e)
        return
    corpus.table_files = {name: (writer.out_dir / f"{name}.parquet", id(df)) for name, df in tables.items()}




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
    corpus = Corpus(source=source, options=options, **tables)
    corpus.table_files = {name: (folder / f"{name}.parquet", id(df)) for name, df in tables.items()}
    return corpus


def _assemble(source: str, results: list[dict]) -> Corpus:
    """Deduplicate the cleaned pages and build the base tables."""
    results = sorted(results, key=lambda r: r["path"])
    ok = [r for r in results if r["status"] == "document"]
    cand = pd.DataFrame(
        {
            "key": [r["path"] for r in ok],
            # object dtype: dedup reads the texts back as these very strings, not Arrow copies
            "text": pd.Series([r["text"] for r in ok], dtype=object),
            "script": [r["script"] for r in ok],
            "noise": [r["noise"] for r in ok],
        }
    )
    if ok and all("sketch" in r for r in ok):  # computed by the workers (see _build_batch)
        cand["sketch"] = [r["sketch"] for r in ok]
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

    # files and removed lines as column lists (schema.from_columns: no row dicts, no inference)
    fcols: dict[str, list] = {c: [] for c in ("path", "sha256", "bytes", "encoding", "format", "status", "reason",
                                              "doc_id", "duplicate_of", "similarity")}
    doc_rows = []
    rcols: dict[str, list] = {c: [] for c in ("path", "line_no", "text", "reason")}
    field_rows = []
    for r in results:
        doc_id = None
        if r["status"] == "document":
            doc_id = doc_id_for(r["sha256"])
        elif r["status"] == "duplicate":
            doc_id = doc_id_for(by_path[r["duplicate_of"]]["sha256"])
        for c, v in (("path", r["path"]), ("sha256", r["sha256"]), ("bytes", r["bytes"]),
                     ("encoding", r["encoding"]), ("format", r["format"]), ("status", r["status"]),
                     ("reason", r["reason"]), ("doc_id", doc_id), ("duplicate_of", r.get("duplicate_of")),
                     ("similarity", r.get("similarity"))):
            fcols[c].append(v)
        if r["status"] == "document":
            doc_rows.append(
                {
                    "doc_id": doc_id, "source_path": r["path"], "script": r["script"],
                    "n_chars": len(r["text"]), "n_traditional_left": r["n_traditional_left"],
                    "n_artefacts_repaired": r["n_artefacts_repaired"],
                    "n_duplicates": n_dups.get(r["path"], 0), "text": r["text"],
                }
            )
        for n, t, why in r["removed"]:
            rcols["path"].append(r["path"])
            rcols["line_no"].append(n)
            rcols["text"].append(t)
            rcols["reason"].append(why)
        field_rows += [(r["path"], n, f, lab, v) for n, f, lab, v in r["page_fields"]]

    files = schema.from_columns("files", fcols)
    documents = pd.DataFrame(doc_rows, columns=schema.DOCUMENT_BASE)
    removed = schema.from_columns("removed", rcols)
    page_fields = _page_fields_table(field_rows)
    return Corpus(source=source, files=files, documents=documents, removed=removed, page_fields=page_fields)


def _page_fields_table(rows: list[tuple]) -> pd.DataFrame:
    return schema.conform("page_fields", pd.DataFrame(rows, columns=["path", "line_no", "field", "label", "value"]))


STAGE_TABLES = ("document_metadata", "sections", "agencies", "citations", "targets")


def _stage_tables(documents: pd.DataFrame, page_fields: pd.DataFrame | None = None,
                  files: pd.DataFrame | None = None, md: pd.DataFrame | None = None,
                  metadata_only: bool = False) -> dict[str, pd.DataFrame]:
    """Every per-document stage on ``documents`` (``doc_id``, ``text``): one dict of tables.

    Each row depends on its own document only (and on the page fields of the files that
    ``files`` maps to it), so tables computed on parts of a corpus, concatenated and sorted by
    doc_id, are the tables of the whole. ``md`` (corrected metadata) skips the metadata stage;
    ``metadata_only`` skips the others. The structure stages read a document's text and its
    metadata row, nothing else.
    """
    docs = documents[["doc_id", "text"]].sort_values("doc_id", kind="stable").reset_index(drop=True)
    if md is None:
        md = meta.document_metadata(docs, page_fields, files)
    if metadata_only:
        return {"document_metadata": md}
    merged = _with_metadata(docs, md)
    sections = structure.parse_sections(merged)
    return {
        "document_metadata": md,
        "sections": sections,
        "agencies": structure.extract_agencies(sections),
        "citations": structure.extract_citations(merged, md, sections),
        "targets": targets.extract_targets(sections, merged),
    }


def _with_metadata(docs: pd.DataFrame, md: pd.DataFrame) -> pd.DataFrame:
    """``docs.merge(md, on="doc_id", how="left", validate="one_to_one")``, the same frame.

    The metadata stage gives one row per document in the documents' own order, so the join is a
    side-by-side of the columns (a merge costs ~10 ms a call, a batch's largest fixed cost);
    any other ``md`` goes through the merge.
    """
    if (len(md) == len(docs) and "doc_id" in md.columns and not md.columns.duplicated().any()
            and not (set(md.columns) - {"doc_id"}) & set(docs.columns)
            and md["doc_id"].tolist() == docs["doc_id"].tolist()):
        columns = {c: docs[c].array for c in docs.columns}
        columns.update({c: md[c].array for c in md.columns if c != "doc_id"})
        return pd.DataFrame(columns, index=pd.RangeIndex(len(docs)), copy=False)
    return docs.merge(md, on="doc_id", how="left", validate="one_to_one")


def _among(values: pd.Series, members: set) -> np.ndarray:
    """Boolean mask: which values are in ``members`` (Arrow's ``is_in``; pandas' ``isin`` on an
    Arrow string column with a large set costs far more)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not len(values) or not members:
        return np.zeros(len(values), dtype=bool)
    got = pc.is_in(pa.array(values.astype(object).tolist() if values.dtype == object else values.array),
                   value_set=pa.array(sorted(members), type=pa.large_string()))
    return np.asarray(got.to_numpy(zero_copy_only=False), dtype=bool)


def _changed_rows(before: pd.DataFrame, after: pd.DataFrame) -> set:
    """doc_ids whose row differs between two tables of one schema (nulls equal nulls)."""
    a = before.sort_values("doc_id", kind="stable").reset_index(drop=True)
    b = after.sort_values("doc_id", kind="stable").reset_index(drop=True)
    if a["doc_id"].tolist() != b["doc_id"].tolist() or list(a.columns) != list(b.columns):
        return set(a["doc_id"]) | set(b["doc_id"])  # not the same documents: all of them

    def rows(df):  # one tuple of plain values per row, every missing value as None
        return df.astype(object).where(df.notna(), None).itertuples(index=False, name=None)

    return {d for d, x, y in zip(a["doc_id"], rows(a), rows(b)) if x != y}


def _concat(name: str, pieces: list[tuple[pd.DataFrame, np.ndarray | None]]) -> pd.DataFrame:
    """Pieces of a table computed on parts of the corpus, as the whole computation gives it.

    Each piece is a frame and the mask of its rows to keep (None: all). The kept rows are put in
    doc_id order (and section order) with one stable sort and copied once: every stage writes a
    document's rows together, in its own order, so this is the order a one-pass computation over
    doc_id-sorted documents gives.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    pieces = [(f, m) for f, m in pieces if len(f)]
    if not pieces:
        return schema.empty(name)
    frames = [f for f, _ in pieces]
    out = schema.conform(name, pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0])
    keep = np.concatenate([np.ones(len(f), dtype=bool) if m is None else m for f, m in pieces])
    by = ["doc_id", "order"] if name == "sections" else ["doc_id"]
    keys = pa.table({c: pa.array(out[c].array) if hasattr(out[c].array, "_pa_array") else pa.array(out[c])
                     for c in by})
    order = pc.sort_indices(keys, sort_keys=[(c, "ascending") for c in by]).to_numpy()
    order = order[keep[order]]
    columns = {}
    for col in out.columns:
        arr = out[col].array
        ca = getattr(arr, "_pa_array", None)
        if ca is not None:
            # an Arrow column is joined into one array first, then gathered: one chunk, as a
            # one-part build has it (Parquet encodes chunk by chunk, so the files are identical),
            # and one take instead of one per piece
            columns[col] = type(arr)(pa.chunked_array([ca.combine_chunks().take(pa.array(order))], type=ca.type))
        else:
            columns[col] = arr.take(order)
    return pd.DataFrame(columns, copy=False)


def _run_document_stages(corpus: Corpus, corrections, parts: list[dict] | None = None, ready=None) -> None:
    """Metadata, corrections, structure and targets of the corpus' documents.

    ``parts`` are the stage tables the workers computed page by page (:func:`_build_batch`).
    Their rows are kept for every document they can stand for: not for a duplicate (dropped),
    not for a document with an identical copy (computed in two tasks), not for the metadata of a
    document whose duplicate's page gives fields (e.g. its 发布时间, which metadata uses; its
    structure rows too when that changes its metadata), and not for a corrected document (its
    title, 文号 and plan period feed citations and targets). Those few are computed here from the
    whole corpus, as are all documents when ``parts`` is None (the Dask engine, the benchmark's
    stage timers).
    Corrections and citation links, which look across documents, run here.
    """
    docs = corpus.documents.sort_values("doc_id", kind="stable").reset_index(drop=True)
    # per table: (frame, mask of the rows to keep or None)
    tables: dict[str, list[tuple[pd.DataFrame, np.ndarray | None]]] = {name: [] for name in STAGE_TABLES}
    redo, page_fields, files = docs, corpus.page_fields, corpus.files
    if parts is not None:
        dups = corpus.files[corpus.files["status"] == "duplicate"]
        # an identical copy (same bytes, same doc_id) may have had its rows computed in another
        # batch too: all its rows are computed again, once
        copies = {d for d, sha in zip(dups["doc_id"], dups["sha256"]) if doc_id_for(sha) == d}
        # a duplicate's page fields (e.g. its 发布时间) reach its canonical document's metadata:
        # that is computed again, and the structure rows too if the metadata changed
        with_fields = set(corpus.page_fields["path"])
        fielded = {d for d, path in zip(dups["doc_id"], dups["path"]) if path in with_fields} - copies
        keep_ids = set(docs["doc_id"]) - copies
        for name in STAGE_TABLES:
            # the parts' frames are joined without a copy (Arrow chunks); their rows are copied
            # once, kept and sorted, by _concat
            t = pd.concat([p.pop(name) for p in parts], ignore_index=True) if parts else schema.empty(name)
            tables[name].append((t, _among(t["doc_id"], keep_ids)))
        if fielded:
            sub_files = files[_among(files["doc_id"], fielded)]
            sub = _stage_tables(docs[_among(docs["doc_id"], fielded)],
                                page_fields[_among(page_fields["path"], set(sub_files["path"]))], sub_files,
                                metadata_only=True)["document_metadata"]
            t, keep = tables["document_metadata"][0]
            worker = t[keep & _among(t["doc_id"], fielded)]
            changed = _changed_rows(worker, sub)
            tables["document_metadata"] = [(t, keep & ~_among(t["doc_id"], fielded)), (sub, None)]
            if changed:
                for name in STAGE_TABLES[1:]:
                    t, keep = tables[name][0]
                    tables[name][0] = (t, keep & ~_among(t["doc_id"], changed))
                again = _stage_tables(docs[_among(docs["doc_id"], changed)], md=sub[_among(sub["doc_id"], changed)])
                for name in STAGE_TABLES[1:]:
                    tables[name].append((again[name], None))
        redo = docs[_among(docs["doc_id"], copies)]
        files = files[_among(files["doc_id"], copies)]  # a duplicate's file maps to its canonical doc_id
        page_fields = page_fields[_among(page_fields["path"], set(files["path"]))]
    if len(redo) or parts is None:
        for name, t in _stage_tables(redo, page_fields, files).items():
            tables[name].append((t, None))
    md = _concat("document_metadata", tables.pop("document_metadata"))
    table = corrections_for_build(corrections, corpus.options)
    if table is None:
        table = empty_corrections()
    # always applied, so every build writes a corrections log (empty when there is nothing to apply)
    md, corpus.metadata_corrections = apply_corrections(md, table, files=corpus.files)
    merged = _with_metadata(docs, md)
    merged["label"] = labels.document_labels(merged)  # place · year · short title, unique (issue 12)
    corpus.documents = schema.conform("documents", merged).sort_values("doc_id", kind="stable").reset_index(drop=True)
    if ready is not None:  # final from here on
        ready("documents", corpus.documents)
        ready("metadata_corrections", corpus.metadata_corrections)
    log = corpus.metadata_corrections
    corrected = set(log.loc[log["status"] == "applied", "doc_id"].dropna())
    if corrected:  # their structure rows were computed on the uncorrected metadata: again, corrected
        again = corpus.documents[_among(corpus.documents["doc_id"], corrected)]
        fresh = _stage_tables(again, md=md[_among(md["doc_id"], corrected)])
        for name in tables:
            tables[name] = [(t, (np.ones(len(t), dtype=bool) if m is None else m) & ~_among(t["doc_id"], corrected))
                            for t, m in tables[name]] + [(fresh[name], None)]
    for name in ("sections", "agencies", "citations", "targets"):
        setattr(corpus, name, _concat(name, tables.pop(name)))
        _release_freed_memory()  # the workers' frames of this table
        if ready is not None and name != "citations":  # final (citations are linked below)
            ready(name, getattr(corpus, name))
    # the one cross-document step: a cited 文号 or title linked to the corpus document that has it
    corpus.citations = link_citations(corpus.citations, corpus.documents)
    if ready is not None:
        ready("citations", corpus.citations)


# ----------------------------------------------------------------------------- reference documents

_PATH_TABLES = ("files", "removed", "page_fields")


def with_reference(corpus, reference, *, level: str | None = None, prefix: str = "reference/"):
    """The corpus with the documents of a reference corpus added and marked ``reference=True``.

    Reference documents (national or provincial plans, from a second folder) take part in reuse
    and citation matching; :func:`local_documents` leaves them out of the corpus' own statistics.

    Parameters
    ----------
    corpus, reference : Corpus
        Two builds (``load_corpus(SOURCE)`` and ``load_corpus(REF)``).
    level : str, optional
        Level given to reference documents whose metadata found none ('national', 'provincial').
    prefix : str, default 'reference/'
        Put before the reference files' paths, so the two folders' paths cannot collide.

    Returns
    -------
    Corpus
        A new Corpus; every table is the two corpora's rows, ``documents`` with a ``reference``
        column. A reference document already in the corpus (the same doc_id) is left out.

    Examples
    --------
    >>> both = with_reference(load_corpus("seeds/001_4de147ab1a0c3745.txt"),
    ...                       load_corpus("seeds/004_1b4b1833641e6e95.txt"), level="provincial")
    >>> both.documents[["city", "reference", "level"]].values.tolist()
    [['南京', False, 'municipal'], ['沈阳', True, 'municipal']]
    >>> both.files["path"].tolist()
    ['001_4de147ab1a0c3745.txt', 'reference/004_1b4b1833641e6e95.txt']
    """
    own = corpus.documents.copy()
    own["reference"] = pd.array([False] * len(own), dtype="boolean")
    ref = reference.documents
    ref = ref[~ref["doc_id"].isin(set(own["doc_id"]))].copy()
    ref_ids = set(ref["doc_id"])
    ref["reference"] = pd.array([True] * len(ref), dtype="boolean")
    if level is not None and "level" in ref.columns:
        ref["level"] = ref["level"].astype("string").fillna(level)
    if "source_path" in ref.columns:
        ref["source_path"] = prefix + ref["source_path"].astype("string")
    docs = pd.concat([own, ref], ignore_index=True)
    docs = schema.conform("documents", docs).sort_values(["reference", "doc_id"], kind="stable").reset_index(drop=True)
    tables = {"documents": docs}
    for name, df in corpus.tables().items():
        if name == "documents":
            continue
        other = reference.tables().get(name)
        if other is None:
            tables[name] = df
            continue
        other = other.copy()
        if name in _PATH_TABLES:
            other["path"] = prefix + other["path"].astype("string")
            if name == "files":
                other["duplicate_of"] = (prefix + other["duplicate_of"].astype("string")).astype("string")
        elif "doc_id" in other.columns:
            other = other[other["doc_id"].isin(ref_ids)]
        tables[name] = pd.concat([df, other], ignore_index=True).astype(df.dtypes.to_dict())
    cites = tables.get("citations")
    if cites is not None and "cited_doc_id" in cites.columns:
        # citations already linked (by the build): link them again, now the reference documents are in
        tables["citations"] = link_citations(cites, docs)
    options = {**corpus.options, "reference": reference.source}
    return replace(corpus, options=options, **tables)


def local_documents(documents: pd.DataFrame, include_reference: bool = False) -> pd.DataFrame:
    """The corpus' own documents: reference documents left out unless asked.

    Examples
    --------
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": ["a", "n"], "reference": pd.array([False, True], dtype="boolean")})
    >>> local_documents(docs)["doc_id"].tolist(), len(local_documents(docs, include_reference=True))
    (['a'], 2)
    """
    if include_reference or "reference" not in documents.columns:
        return documents
    return documents[~documents["reference"].fillna(False).astype(bool)]
