"""A content-keyed cache inside the project (segmentation results and other derived data).

Where it lives
    ``$POLICYLAB_CACHE`` if set, else ``<current working directory>/.policylab_cache``. Never the
    system's temporary folder: a shared temp file is neither reproducible nor private.

How entries are keyed
    A key is the sha256 of a canonical JSON rendering of its parts (see :func:`make_key`); callers
    put everything that determines the value into the parts (for segmentation: the text's
    sha256, the sha256 of the dictionary files, the jieba version, the options).

How entries are stored
    JSON (``.json``) or Parquet (``.parquet``) files under ``<root>/<namespace>/<key[:2]>/<key>``;
    never pickle (a cache file must not be able to run code). Writes are atomic: a temporary
    file in the same folder, then ``os.replace``. An entry that cannot be read or does not
    have the expected shape is treated as a miss, deleted and rebuilt -- never a crash.

Examples
--------
>>> import tempfile
>>> from policylab.cache import Store, make_key
>>> store = Store("demo", root=tempfile.mkdtemp())
>>> key = make_key("text-sha256", {"hmm": True})
>>> store.get_json(key) is None
True
>>> store.put_json(key, {"tokens": ["人工智能", "产业"]})
>>> store.get_json(key)
{'tokens': ['人工智能', '产业']}
>>> store.stats()
{'hits': 1, 'misses': 1, 'corrupt': 0, 'writes': 1}
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import stat
import tempfile
from pathlib import Path
from typing import Any, Callable

import pandas as pd

ENV_VAR = "POLICYLAB_CACHE"
DEFAULT_DIRNAME = ".policylab_cache"


def cache_root(root: str | os.PathLike | None = None) -> Path:
    """The cache's root folder: ``root`` if given, else ``$POLICYLAB_CACHE``, else ``./.policylab_cache``.

    Parameters
    ----------
    root : path, optional

    Returns
    -------
    Path
        Absolute.

    Examples
    --------
    >>> cache_root("/tmp/plcache").as_posix()
    '/tmp/plcache'
    """
    if root is None:
        root = os.environ.get(ENV_VAR) or Path.cwd() / DEFAULT_DIRNAME
    return Path(root).expanduser().resolve()


def sha256_bytes(data: bytes) -> str:
    """sha256 (hex) of bytes.

    Parameters
    ----------
    data : bytes

    Returns
    -------
    str
        64 hex digits.

    Examples
    --------
    >>> sha256_bytes(b"abc")[:12]
    'ba7816bf8f01'
    """
    return hashlib.sha256(data).hexdigest()


def sha256_text(text: str) -> str:
    """sha256 (hex) of a string's UTF-8 bytes.

    Parameters
    ----------
    text : str

    Returns
    -------
    str

    Examples
    --------
    >>> sha256_text("abc") == sha256_bytes(b"abc")
    True
    """
    return sha256_bytes(text.encode("utf-8"))


def sha256_file(p: str | os.PathLike) -> str:
    """sha256 (hex) of a file's bytes, read in 1 MB chunks.

    Parameters
    ----------
    p : path

    Returns
    -------
    str

    Examples
    --------
    >>> import tempfile
    >>> f = Path(tempfile.mkdtemp()) / "x.txt"
    >>> _ = f.write_bytes(b"abc")
    >>> sha256_file(f) == sha256_bytes(b"abc")
    True
    """
    h = hashlib.sha256()
    with open(p, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def sha256_files(paths) -> str:
    """sha256 over the bytes of several files, in the given order (names do not count).

    Each file's length is hashed before its bytes, so two files cannot run together.

    Parameters
    ----------
    paths : iterable of path

    Returns
    -------
    str

    Examples
    --------
    >>> sha256_files([]) == sha256_bytes(b"")
    True
    """
    h = hashlib.sha256()
    for p in paths:
        data = Path(p).read_bytes()
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def make_key(*parts: Any) -> str:
    """sha256 of the canonical JSON of ``parts`` (sorted keys, no whitespace, UTF-8).

    Parameters
    ----------
    *parts
        JSON-able values (anything else is rendered with ``str``).

    Returns
    -------
    str

    Examples
    --------
    >>> make_key("corpus", {"b": 1, "a": 2}) == make_key("corpus", {"a": 2, "b": 1})
    True
    """
    blob = json.dumps(parts, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return sha256_text(blob)


# the modules whose code decides a corpus build's tables: a change to any of them invalidates it
PARSING_MODULES = (
    "text", "frame", "ingest", "clean", "dedup", "structure", "meta", "targets", "corrections", "page",
    "corpus", "schema",
)


@functools.lru_cache(maxsize=None)
def code_fingerprint(modules: tuple[str, ...] = PARSING_MODULES) -> str:
    """sha256 over the source files of the package's ``modules`` (default: the parsing stages).

    Parameters
    ----------
    modules : tuple of str
        Module names inside the package (``"meta"`` -> ``policylab/meta.py``).

    Returns
    -------
    str

    Examples
    --------
    >>> len(code_fingerprint(("text", "frame")))
    64
    """
    here = Path(__file__).resolve().parent
    return sha256_files(here / f"{name}.py" for name in modules)


def corpus_key(inputs: list[tuple[str, Path]], options: dict, corrections: str | None,
               resources: dict[str, str], known: dict[str, tuple[int, str | None]] | None = None) -> str | None:
    """The cache key of a corpus build, or None when an input cannot be read (then no cache is used).

    Parameters
    ----------
    inputs : list of (str, Path)
        Every input file: its relative path and where it is on disk.
    options : dict
        The build options (``max_bytes`` is read: larger files are keyed by size only, as the
        build rejects them unread).
    corrections : str or None
        sha256 of the corrections applied (:func:`policylab.corrections.corrections_digest`).
    resources : dict
        sha256 of every curated resource file (:func:`policylab.store.resource_hashes`).
    known : dict, optional
        ``relative path -> (size, sha256)`` of inputs already read and hashed (the build's
        workers hash every page they read); those are not read again. The sha256 is None for a
        file over ``max_bytes``, as this function would key it. The key is the same either way.

    Returns
    -------
    str or None

    Examples
    --------
    >>> import tempfile
    >>> f = Path(tempfile.mkdtemp()) / "a.txt"
    >>> _ = f.write_text("人工智能", encoding="utf-8")
    >>> key = corpus_key([("a.txt", f)], {"max_bytes": 100}, None, {})
    >>> key == corpus_key([("a.txt", f)], {"max_bytes": 100}, None, {}), len(key)
    (True, 64)
    >>> corpus_key([("b.txt", f.with_name("b.txt"))], {"max_bytes": 100}, None, {}) is None
    True
    """
    rows = []
    known = known or {}
    for rel, p in inputs:
        if rel in known:
            rows.append((rel, *known[rel]))
            continue
        try:
            st = p.stat()
            if not stat.S_ISREG(st.st_mode):
                return None
            digest = sha256_bytes(p.read_bytes()) if st.st_size <= options["max_bytes"] else None
        except OSError:
            return None
        rows.append((rel, st.st_size, digest))
    return make_key("corpus", code_fingerprint(PARSING_MODULES), resources, options, corrections, rows)


def _atomic_write(path: Path, write: Callable[[str], None]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


class FrameWriter:
    """A Parquet file written part by part and renamed into place only when complete.

    Made by :meth:`Store.frame_writer`. Each :meth:`write` encodes one part (so a caller can store
    a table while it is still being computed, instead of encoding all of it at the end);
    :meth:`commit` closes the file and moves it to its key atomically; :meth:`abort` (or an
    exception inside a ``with`` block) removes the temporary file.
    """

    def __init__(self, store: "Store", path: Path, template: pd.DataFrame, **parquet_options):
        import pyarrow as pa
        import pyarrow.parquet as pq

        self._store, self._path = store, path
        self._row_group_size = parquet_options.pop("row_group_size", None)
        self._pending: list = []  # Arrow tables not yet encoded
        self._n_pending = 0
        # the schema pandas' ``to_parquet(index=False)`` writes, pandas metadata included
        self._schema = pa.Table.from_pandas(template, preserve_index=False).schema
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, self._tmp = tempfile.mkstemp(prefix=".tmp-", suffix=path.suffix, dir=path.parent)
        os.close(fd)
        try:
            self._writer = pq.ParquetWriter(self._tmp, self._schema, **parquet_options)
        except BaseException:
            self.abort()
            raise

    def write(self, part: pd.DataFrame) -> None:
        """Add ``part`` (the template's columns and dtypes) as the next rows.

        Rows are encoded a whole row group at a time (``row_group_size``), so the file has the row
        groups a single write of all the rows gives: many small parts would otherwise make many
        small row groups, each with its own dictionary pages, and cost twice the encoding.
        """
        import pyarrow as pa

        self._pending.append(pa.Table.from_pandas(part, schema=self._schema, preserve_index=False))
        self._n_pending += len(part)
        size = self._row_group_size
        if size and self._n_pending >= size:
            rows = pa.concat_tables(self._pending)
            full = (len(rows) // size) * size
            self._writer.write_table(rows.slice(0, full), row_group_size=size)
            self._pending = [rows.slice(full)]
            self._n_pending = len(rows) - full

    def commit(self) -> None:
        """Encode what is left, close the file and put it under its key (atomically)."""
        import pyarrow as pa

        try:
            if self._n_pending:
                self._writer.write_table(pa.concat_tables(self._pending), row_group_size=self._row_group_size)
            self._writer.close()
            os.replace(self._tmp, self._path)
        except BaseException:
            self.abort()
            raise
        self._store.writes += 1

    def abort(self) -> None:
        """Drop the partial file; the key keeps what it had."""
        writer = getattr(self, "_writer", None)
        if writer is not None:
            try:
                writer.close()
            except Exception:  # already failing: the file is removed below anyway
                pass
        try:
            os.unlink(self._tmp)
        except OSError:
            pass

    def __enter__(self) -> "FrameWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.abort()


class _Namespace:
    """A sub-folder of the cache with hit, miss, corrupt and write counters (what every store shares)."""

    def __init__(self, namespace: str, root: str | os.PathLike | None = None):
        self.root = cache_root(root)
        self.dir = self.root / namespace
        self.hits = self.misses = self.corrupt = self.writes = 0

    def stats(self) -> dict:
        """Hits, misses, corrupt entries and writes since this store was made.

        Returns
        -------
        dict

        Examples
        --------
        >>> Store("demo", root="/tmp/plcache").stats()
        {'hits': 0, 'misses': 0, 'corrupt': 0, 'writes': 0}
        """
        return {"hits": self.hits, "misses": self.misses, "corrupt": self.corrupt, "writes": self.writes}

    def is_empty(self) -> bool:
        """True when the namespace holds no entry at all (no file under its folder).

        Returns
        -------
        bool

        Examples
        --------
        >>> import tempfile
        >>> s = Store("demo", root=tempfile.mkdtemp())
        >>> s.is_empty()
        True
        >>> s.put_json("k1", 1); s.is_empty()
        False
        """
        if not self.dir.is_dir():
            return True
        return not any(p.is_file() for p in self.dir.rglob("*"))


class Store(_Namespace):
    """One namespace (sub-folder) of the cache, with hit/miss counters.

    Parameters
    ----------
    namespace : str
        Sub-folder, e.g. ``"tokens"``.
    root : path, optional
        Cache root; default :func:`cache_root`.
    """

    def path(self, key: str, suffix: str) -> Path:
        """Where the entry ``key`` with ``suffix`` lives: ``<namespace>/<key[:2]>/<key><suffix>``.

        Parameters
        ----------
        key : str
        suffix : str
            ``.json`` or ``.parquet``.

        Returns
        -------
        Path

        Examples
        --------
        >>> Store("tokens", root="/tmp/plcache").path("abcdef", ".json").as_posix()
        '/tmp/plcache/tokens/ab/abcdef.json'
        """
        return self.dir / key[:2] / f"{key}{suffix}"

    def _read(self, key: str, suffix: str, load: Callable[[Path], Any], check: Callable[[Any], bool] | None):
        p = self.path(key, suffix)
        if not p.is_file():
            self.misses += 1
            return None
        try:
            value = load(p)
            if check is not None and not check(value):
                raise ValueError("unexpected content")
        except Exception:  # corrupt, truncated, wrong shape: drop it and let the caller rebuild
            self.corrupt += 1
            self.misses += 1
            try:
                p.unlink()
            except OSError:
                pass
            return None
        self.hits += 1
        return value

    def get_json(self, key: str, check: Callable[[Any], bool] | None = None):
        """The JSON value stored under ``key``, or None (a miss) if absent, unreadable or failing ``check``.

        Parameters
        ----------
        key : str
        check : callable, optional
            ``check(value)`` must be true, else the entry is dropped as corrupt.

        Returns
        -------
        object or None

        Examples
        --------
        >>> import tempfile
        >>> s = Store("demo", root=tempfile.mkdtemp())
        >>> s.put_json("k1", [1, 2])
        >>> s.get_json("k1"), s.get_json("k1", check=lambda v: len(v) == 3), s.get_json("k1")
        ([1, 2], None, None)
        """
        return self._read(key, ".json", lambda p: json.loads(p.read_text(encoding="utf-8")), check)

    def put_json(self, key: str, value: Any) -> None:
        """Store ``value`` as JSON under ``key`` (atomically).

        Parameters
        ----------
        key : str
        value : JSON-able

        Returns
        -------
        None

        Examples
        --------
        >>> import tempfile
        >>> s = Store("demo", root=tempfile.mkdtemp())
        >>> s.put_json("k1", {"a": 1}); s.get_json("k1")
        {'a': 1}
        """
        blob = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        _atomic_write(self.path(key, ".json"), lambda tmp: Path(tmp).write_text(blob, encoding="utf-8"))
        self.writes += 1

    def get_frame(self, key: str, check: Callable[[Any], bool] | None = None) -> pd.DataFrame | None:
        """The DataFrame stored as Parquet under ``key``, or None.

        Parameters
        ----------
        key : str
        check : callable, optional
            As for :meth:`get_json`.

        Returns
        -------
        DataFrame or None

        Examples
        --------
        >>> import tempfile
        >>> s = Store("demo", root=tempfile.mkdtemp())
        >>> s.put_frame("k1", pd.DataFrame({"a": [1]})); s.get_frame("k1")["a"].tolist()
        [1]
        """
        return self._read(key, ".parquet", pd.read_parquet, check)

    def put_frame(self, key: str, df: pd.DataFrame, **parquet_options) -> None:
        """Store ``df`` as Parquet under ``key`` (atomically).

        Parameters
        ----------
        key : str
        df : DataFrame
        **parquet_options
            Passed on to ``DataFrame.to_parquet`` (e.g. ``row_group_size``: smaller row groups
            hold less in memory while the file is written; the values read back are the same).

        Returns
        -------
        None

        Examples
        --------
        >>> import tempfile
        >>> s = Store("demo", root=tempfile.mkdtemp())
        >>> s.put_frame("k1", pd.DataFrame({"a": [1]})); s.stats()["writes"]
        1
        """
        _atomic_write(self.path(key, ".parquet"), lambda tmp: df.to_parquet(tmp, index=False, **parquet_options))
        self.writes += 1

    def frame_writer(self, key: str, template: pd.DataFrame, **parquet_options) -> "FrameWriter":
        """A Parquet entry under ``key`` written part by part: :class:`FrameWriter`.

        The entry reads back as ``pd.concat`` of the parts would have been stored by
        :meth:`put_frame` (same columns, dtypes and pandas metadata, taken from ``template``, a frame
        with the entry's columns and dtypes; its rows are not written). Nothing is visible under
        ``key`` until :meth:`FrameWriter.commit`.

        Parameters
        ----------
        key : str
        template : DataFrame
            The columns and dtypes every part has (e.g. the parts' frame with no rows).
        **parquet_options
            ``row_group_size`` (per part) and options of ``pyarrow.parquet.ParquetWriter``.

        Returns
        -------
        FrameWriter

        Examples
        --------
        >>> import tempfile
        >>> s = Store("demo", root=tempfile.mkdtemp())
        >>> w = s.frame_writer("k1", pd.DataFrame({"a": pd.array([], dtype="Int64")}))
        >>> w.write(pd.DataFrame({"a": pd.array([1, 2], dtype="Int64")}))
        >>> w.write(pd.DataFrame({"a": pd.array([3], dtype="Int64")}))
        >>> s.get_frame("k1") is None  # not there before the commit
        True
        >>> w.commit(); s.get_frame("k1")["a"].tolist()
        [1, 2, 3]
        """
        return FrameWriter(self, self.path(key, ".parquet"), template, **parquet_options)

    def clear(self) -> int:
        """Delete every entry of this namespace; returns the number of files removed.

        Returns
        -------
        int

        Examples
        --------
        >>> import tempfile
        >>> s = Store("demo", root=tempfile.mkdtemp())
        >>> s.put_json("k1", 1); s.put_json("k2", 2); s.clear()
        2
        """
        n = 0
        if self.dir.is_dir():
            for p in sorted(self.dir.rglob("*")):
                if p.is_file():
                    p.unlink()
                    n += 1
        return n


# ---------------------------------------------------------------------------------------------
# token streams: many texts per file


_STREAM_FILES: dict = {}  # path -> ((mtime_ns, size), table, {key: row}): one read per file and process
_STREAM_FILES_KEPT = 64  # memory maps (and file handles) kept open at most; the oldest go first


class StreamStore(_Namespace):
    """Streams of strings (a text's tokens, optionally with tags) of many texts, one file per batch.

    Each :meth:`put` writes one Arrow IPC file, ``<namespace>/<name[:2]>/<name>.arrow``, whose rows
    are ``key`` (the text's content key, see :func:`make_key`), ``tokens`` and ``pos`` (lists of
    strings; ``pos`` only when tags were given). The file name is the key of its rows' keys, so a
    batch written twice is one file. Reading memory-maps the files: a stream comes back as an
    Arrow array sliced from the file, without a Python object per token.

    Why not one file per text (the earlier layout, one JSON entry per text): writing 10 MB of
    documents' tokens as 939 JSON files cost ~0.7 CPU s in one process (``json.dumps`` 0.3, the
    file system 0.2-0.4) and reading them back ~0.4 s, against ~1.6 CPU s to segment the texts
    again with rjieba; one Arrow file per batch of texts costs a few hundredths of a second either
    way (figures in ``benchmarks/README.md``).

    Which entry a key gets: the newest file holding it whose row passes ``check`` (an entry found
    wrong is counted as corrupt and the next older one is tried; a text written again after such
    a failure lands in a newer file). A file that cannot be read, or lacks the expected columns,
    is counted as corrupt and deleted: its texts are misses and are rebuilt. Never pickle.

    Parameters
    ----------
    namespace : str
        Sub-folder, e.g. ``"tokens"``.
    root : path, optional
        Cache root; default :func:`cache_root`.

    Examples
    --------
    >>> import tempfile
    >>> import pyarrow as pa
    >>> s = StreamStore("demo", root=tempfile.mkdtemp())
    >>> s.put(["k1", "k2"], [2, 1], pa.array(["人工智能", "产业", "算力"], type=pa.large_string()))
    >>> [None if v is None else v[0].to_pylist() for v in s.get(["k2", "k3", "k1"])]
    [['算力'], None, ['人工智能', '产业']]
    >>> s.stats()
    {'hits': 2, 'misses': 1, 'corrupt': 0, 'writes': 1}
    """

    SUFFIX = ".arrow"

    def files(self) -> list[Path]:
        """The store's files, newest first (by modification time, then name).

        Returns
        -------
        list of Path

        Examples
        --------
        >>> import tempfile
        >>> StreamStore("demo", root=tempfile.mkdtemp()).files()
        []
        """
        found = []
        if self.dir.is_dir():
            for sub in os.scandir(self.dir):
                if sub.is_dir():
                    for e in os.scandir(sub.path):
                        if e.name.endswith(self.SUFFIX) and not e.name.startswith(".tmp-"):
                            try:
                                found.append((e.stat().st_mtime_ns, e.name, Path(e.path)))
                            except OSError:
                                pass
        return [p for _, _, p in sorted(found, reverse=True)]

    def put(self, keys: list[str], lengths, tokens, tags=None) -> None:
        """Write the streams of ``keys`` as one file (atomically).

        Parameters
        ----------
        keys : list of str
            One content key per text.
        lengths : sequence of int
            Tokens per text, in order; ``tokens`` holds them back to back.
        tokens : pyarrow.Array of large_string
        tags : pyarrow.Array of large_string, optional
            One tag per token.

        Returns
        -------
        None

        Examples
        --------
        >>> import tempfile
        >>> import pyarrow as pa
        >>> s = StreamStore("demo", root=tempfile.mkdtemp())
        >>> s.put(["k"], [1], pa.array(["云"], type=pa.large_string())); len(s.files())
        1
        """
        import numpy as np
        import pyarrow as pa

        if len(keys) != len(lengths):
            raise ValueError(f"StreamStore.put: {len(keys)} keys but {len(lengths)} lengths")
        offsets = pa.array(np.concatenate([[0], np.cumsum(np.asarray(lengths, dtype=np.int64))]), type=pa.int64())
        cols = {"key": pa.array(keys, type=pa.string()),
                "tokens": pa.LargeListArray.from_arrays(offsets, tokens)}
        if tags is not None:
            cols["pos"] = pa.LargeListArray.from_arrays(offsets, tags)
        table = pa.table(cols)
        name = make_key("streams", keys, tags is not None)
        path = self.dir / name[:2] / f"{name}{self.SUFFIX}"

        def write(tmp):
            with pa.OSFile(tmp, "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
                writer.write_table(table)

        _atomic_write(path, write)
        self.writes += 1

    def _open(self, path: Path):
        import pyarrow as pa

        st = path.stat()
        stamp = (st.st_mtime_ns, st.st_size)
        known = _STREAM_FILES.get(path)
        if known is not None and known[0] == stamp:
            return known[1], known[2]
        table = pa.ipc.open_file(pa.memory_map(str(path), "r")).read_all()
        want = pa.large_list(pa.large_string())
        if (table.schema.names[:2] != ["key", "tokens"] or table.schema.field("key").type != pa.string()
                or table.schema.field("tokens").type != want
                or ("pos" in table.schema.names and table.schema.field("pos").type != want)):
            raise ValueError("unexpected columns")
        table = table.combine_chunks()
        rows = {k: i for i, k in enumerate(table.column("key").to_pylist())}
        _STREAM_FILES.pop(path, None)
        while len(_STREAM_FILES) >= _STREAM_FILES_KEPT:
            _STREAM_FILES.pop(next(iter(_STREAM_FILES)))
        _STREAM_FILES[path] = (stamp, table, rows)
        return table, rows

    def get(self, keys: list[str], check: Callable[[int, Any, Any], bool] | None = None) -> list:
        """The streams of ``keys``: per key ``(tokens, tags or None)`` as Arrow arrays, or None (a miss).

        Parameters
        ----------
        keys : list of str
        check : callable, optional
            ``check(i, tokens, tags)`` (``i`` the key's index in ``keys``) must be true, else the
            entry is counted as corrupt and an older one is tried.

        Returns
        -------
        list

        Examples
        --------
        >>> import tempfile
        >>> import pyarrow as pa
        >>> s = StreamStore("demo", root=tempfile.mkdtemp())
        >>> s.put(["k"], [2], pa.array(["数据", "要素"], type=pa.large_string()))
        >>> s.get(["k"], check=lambda i, toks, tags: len(toks) == 3)
        [None]
        >>> s.stats()["corrupt"]
        1
        """
        want: dict[str, list[int]] = {}
        for i, k in enumerate(keys):  # two texts with the same content share a key
            want.setdefault(k, []).append(i)
        out: list = [None] * len(keys)
        failed: set[str] = set()
        pending = set(want)
        for path in self.files() if want else []:
            if not pending:
                break
            try:
                table, rows = self._open(path)
            except Exception:  # unreadable, truncated, not ours: drop it, its texts are misses
                self.corrupt += 1
                _STREAM_FILES.pop(path, None)
                try:
                    path.unlink()
                except OSError:
                    pass
                continue
            found = rows.keys() & pending
            if not found:
                continue
            tokens = table.column("tokens").chunk(0)
            pos = table.column("pos").chunk(0) if "pos" in table.schema.names else None
            for k in found:
                r = rows[k]
                toks = tokens[r].values  # a zero-copy slice of the memory-mapped file
                tags = None if pos is None or not pos[r].is_valid else pos[r].values
                ok = (tokens[r].is_valid and (tags is None or len(tags) == len(toks))
                      and (check is None or check(want[k][0], toks, tags)))
                if not ok:
                    if k not in failed:
                        failed.add(k)
                        self.corrupt += 1
                    continue
                for i in want[k]:
                    out[i] = (toks, tags)
                pending.discard(k)
        n_hits = sum(1 for v in out if v is not None)
        self.hits += n_hits
        self.misses += len(keys) - n_hits
        return out

    def clear(self) -> int:
        """Delete every file of this store; returns the number removed.

        Returns
        -------
        int

        Examples
        --------
        >>> import tempfile
        >>> import pyarrow as pa
        >>> s = StreamStore("demo", root=tempfile.mkdtemp())
        >>> s.put(["k"], [1], pa.array(["云"], type=pa.large_string())); s.clear()
        1
        """
        files = self.files()
        for p in files:
            _STREAM_FILES.pop(p, None)
            p.unlink()
        return len(files)
