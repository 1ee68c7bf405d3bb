"""Distributed: run the per-file and per-document stages on a Dask cluster (``engine="dask"``).

The local engine reads and cleans pages in this machine's processes. For a corpus beyond one
machine, the same work runs on a Dask cluster: a :class:`distributed.LocalCluster` (two worker
processes, one thread each -- the cleaning code is pure Python, so threads would only contend for
the GIL) when no scheduler is given, or the cluster behind a scheduler address
(``tcp://host:8786``). Everything order-dependent -- deduplication, the tables' assembly -- stays
on the client, so the tables are identical to the local engine's.

Work is sent in *batches* of files (several per task), because a Dask task costs about a
millisecond of scheduling while one page takes a few milliseconds to clean: one task per file
would spend a good share of the time in the scheduler.

On a real cluster the workers read the pages themselves, so ``root`` must be a path every worker
sees (a shared file system), and the workers need policylab installed in the same version.

Dask is an optional extra: ``pip install "policylab[dask]"``. It is imported only when used.

Examples
--------
>>> from policylab.distributed import map_files        # doctest: +SKIP
>>> results = map_files("seeds", ["001_4de147ab1a0c3745.txt"], {})   # doctest: +SKIP
>>> results[0]["status"]                               # doctest: +SKIP
'document'
"""

from __future__ import annotations

import contextlib
import logging
import math
import sys
from typing import Any, Callable, Sequence

import pandas as pd

from policylab.page import process_file

EXTRA_HINT = 'the Dask engine needs the optional extra: pip install "policylab[dask]" (dask[distributed])'
LOCAL_WORKERS = 2
TASKS_PER_WORKER = 4  # a few batches per worker: balances load without paying per-file overhead
MAX_BATCH = 256


class DaskNotInstalled(ImportError):
    """``engine="dask"`` was asked for but dask.distributed is not installed."""


def _distributed():
    """The ``distributed`` module, or a :class:`DaskNotInstalled` error naming the extra."""
    try:
        import distributed
    except ImportError as e:  # pragma: no cover - exercised only without the extra
        raise DaskNotInstalled(f"{EXTRA_HINT} ({e})") from None
    return distributed


@contextlib.contextmanager
def client_for(scheduler=None, n_workers: int = LOCAL_WORKERS):
    """A Dask client for ``scheduler``, closed (with its local cluster) on exit.

    Parameters
    ----------
    scheduler : None, str or distributed.Client
        None starts a :class:`~distributed.LocalCluster` of ``n_workers`` processes with one thread
        each; a string is a scheduler address; a :class:`~distributed.Client` is used as it is
        (and left open: it belongs to the caller).
    n_workers : int
        Worker processes of the local cluster.

    Returns
    -------
    context manager
        Yields a :class:`distributed.Client`.

    Examples
    --------
    >>> with client_for() as client:                      # doctest: +SKIP
    ...     client.submit(sum, [1, 2]).result()
    3
    """
    dd = _distributed()
    if isinstance(scheduler, dd.Client):
        yield scheduler
        return
    if scheduler is None:
        cluster = dd.LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,  # no web server (and no bokeh dependency) for a batch job
            silence_logs=logging.WARNING,
        )
        try:
            with dd.Client(cluster) as client:
                yield client
        finally:
            cluster.close()
    else:
        with dd.Client(scheduler) as client:
            yield client


def batches(items: Sequence, n_workers: int, per_worker: int = TASKS_PER_WORKER,
            max_batch: int = MAX_BATCH) -> list[list]:
    """Contiguous batches of ``items``, about ``per_worker`` per worker, at most ``max_batch`` long.

    Parameters
    ----------
    items : sequence
    n_workers : int
    per_worker : int
        Batches per worker (a few balance the load without a task per item).
    max_batch : int
        The longest batch.

    Returns
    -------
    list of list

    Examples
    --------
    >>> [len(b) for b in batches(list(range(10)), n_workers=2)]
    [2, 2, 2, 2, 2]
    >>> batches([], 2)
    []
    """
    items = list(items)
    if not items:
        return []
    size = max(1, min(max_batch, math.ceil(len(items) / max(1, n_workers * per_worker))))
    return [items[i : i + size] for i in range(0, len(items), size)]


def _process_batch(root: str, paths: list[str], opts: dict) -> list[dict]:
    """Worker: :func:`policylab.page.process_file` over one batch of files, in order."""
    return [process_file(root, p, **opts) for p in paths]


def _apply_frame(func: Callable, part: pd.DataFrame, kwargs: dict) -> pd.DataFrame:
    return func(part, **kwargs)


def _n_workers(client) -> int:
    try:
        return max(1, sum(w.get("nthreads", 1) for w in client.scheduler_info()["workers"].values()))
    except Exception:  # an unusual scheduler: assume the local default
        return LOCAL_WORKERS


def _gather_in_order(client, futures: list, sizes: list[int], progress: bool, desc: str, unit: str) -> list:
    """Results of ``futures`` in submission order, with a progress bar counting ``sizes``."""
    from tqdm.auto import tqdm

    dd = _distributed()
    index = {f.key: i for i, f in enumerate(futures)}
    out: list[Any] = [None] * len(futures)
    with tqdm(total=sum(sizes), desc=desc, unit=unit, disable=not progress, file=sys.stderr) as bar:
        for fut in dd.as_completed(futures):
            i = index[fut.key]
            out[i] = fut.result()
            bar.update(sizes[i])
    return out


def map_files(root: str, paths: Sequence[str], opts: dict, scheduler=None, progress: bool = False) -> list[dict]:
    """Ingest and clean files on a Dask cluster; the same list as the local engine's.

    Equals ``[policylab.page.process_file(root, p, **opts) for p in paths]``: one result dict per
    path, in the order of ``paths``.

    Parameters
    ----------
    root : str
        The source folder (or single file); on a real cluster, a path every worker can read.
    paths : sequence of str
        Files relative to ``root`` (as :func:`policylab.ingest.list_files` gives them).
    opts : dict
        Keyword options of :func:`~policylab.page.process_file` (``max_bytes``, ``min_chars``,
        ``max_line_chars``).
    scheduler : None, str or distributed.Client
        See :func:`client_for`.
    progress : bool
        Show a progress bar on stderr.

    Returns
    -------
    list of dict

    Raises
    ------
    DaskNotInstalled
        When dask.distributed is not installed.

    Examples
    --------
    >>> results = map_files("seeds", ["001_4de147ab1a0c3745.txt"], {})   # doctest: +SKIP
    >>> results[0]["status"]                                             # doctest: +SKIP
    'document'
    """
    paths = list(paths)
    _distributed()  # fail early, before any work, when the extra is missing
    if not paths:
        return []
    with client_for(scheduler) as client:
        parts = batches(paths, _n_workers(client))
        futures = client.map(_process_batch, [root] * len(parts), parts, [opts] * len(parts), pure=False)
        results = _gather_in_order(client, futures, [len(p) for p in parts], progress, "reading pages", "file")
        del futures
    return [r for part in results for r in part]


def map_documents(func: Callable[..., pd.DataFrame], documents: pd.DataFrame, *, scheduler=None,
                  sort_by: Sequence[str] | None = None, by: str | None = "doc_id", progress: bool = False,
                  **kwargs) -> pd.DataFrame:
    """Apply a per-document stage to row batches of ``documents`` on a Dask cluster.

    ``func(batch, **kwargs)`` must take a slice of ``documents`` and return a DataFrame whose rows
    depend on that slice's rows alone (metadata, sections, targets of each document). The results
    are concatenated in the order of the batches, so the table equals ``func(documents, **kwargs)``
    when ``func`` keeps the input order; when ``func`` sorts its output, pass the same keys as
    ``sort_by`` and the concatenation is sorted (stably) the same way.

    Parameters
    ----------
    func : callable
        A module-level function (it is pickled to the workers), e.g.
        :func:`policylab.meta.document_metadata`.
    documents : DataFrame
        One row per document.
    scheduler : None, str or distributed.Client
        See :func:`client_for`.
    sort_by : sequence of str, optional
        Columns ``func`` sorts its output by (e.g. ``["doc_id"]`` for
        :func:`~policylab.meta.document_metadata`).
    by : str or None, default "doc_id"
        Rows with the same value of this column go to the same task (the sections of one document,
        for a stage that reads a section's parent); they must be contiguous. None (or a column the
        table lacks) splits anywhere.
    progress : bool
        Show a progress bar on stderr.
    **kwargs
        Passed to ``func``; they are sent to every task, so keep them small.

    Returns
    -------
    DataFrame

    Examples
    --------
    >>> from policylab.meta import document_metadata                       # doctest: +SKIP
    >>> meta = map_documents(document_metadata, corpus.documents, sort_by=["doc_id"])  # doctest: +SKIP
    """
    _distributed()
    if len(documents) == 0:
        return func(documents, **kwargs)
    starts = list(range(len(documents)))
    if by is not None and by in documents.columns:
        key = documents[by].to_numpy()
        starts = [0] + [i for i in range(1, len(key)) if key[i] != key[i - 1]]
        if len(starts) != documents[by].nunique(dropna=False):
            raise ValueError(f"map_documents: rows of one {by!r} must be contiguous (sort the table by it)")
    ends = starts[1:] + [len(documents)]
    with client_for(scheduler) as client:
        groups = batches(range(len(starts)), _n_workers(client))
        parts = [documents.iloc[starts[g[0]] : ends[g[-1]]] for g in groups]
        futures = client.map(_apply_frame, [func] * len(parts), parts, [kwargs] * len(parts), pure=False)
        results = _gather_in_order(client, futures, [len(p) for p in parts], progress, "documents", "doc")
        del futures
    out = pd.concat(results, ignore_index=True)
    if sort_by:
        out = out.sort_values(list(sort_by), kind="stable").reset_index(drop=True)
    return out
