"""Store: write a build's tables (Parquet, optionally CSV) and its ``manifest.json``, safely.

Every file is first written in full to a temporary name in the output folder; only when all of
them (and the manifest) are written are they moved into place with ``os.replace`` (atomic on
POSIX), the manifest last. A build killed while writing leaves the previous complete set of
tables and its manifest untouched, never a half-written file or a mix of two builds' tables (the
renames take microseconds). A lock file serialises two builds into the same folder.

The manifest records what is needed to reproduce the tables: policylab, Python and library
versions, the sha256 of every input file and of every curated resource file, the build options,
and the sha256 and row count of every table written. It holds no time stamp, so two builds of the
same input give the same manifest.

Examples
--------
>>> from policylab.store import read_tables
>>> tables = read_tables("data/processed")   # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import shutil
import platform
import sys
import tempfile
from pathlib import Path

import pandas as pd

from policylab import __version__, resources
from policylab.cache import sha256_file  # noqa: F401  (also public here: report.py uses store.sha256_file)

LIBRARIES = (
    "pandas", "numpy", "pyarrow", "opencc", "charset-normalizer", "selectolax", "datasketch",
    "jieba", "jieba-fast", "scikit-learn", "scipy", "cn2an", "matplotlib", "wordcloud", "mplfonts",
)


def _canonical(name: str) -> str:
    """A distribution name as PEP 503 compares them: ``Jieba_Fast`` and ``jieba-fast`` are one."""
    return re.sub(r"[-_.]+", "-", name).lower()


@functools.lru_cache(maxsize=1)
def _installed() -> dict[str, str]:
    """Canonical distribution name -> version, from the ``name-version.dist-info`` folders on
    ``sys.path``, the first one found winning, as ``importlib.metadata`` searches.

    One listing of each folder instead of one metadata search per name (``importlib.metadata``
    costs ~3 ms a name, 0.05 s of every build's manifest). The wheel specification puts the
    version in the folder's name; a distribution only found otherwise (an ``.egg-info``) is left
    to ``importlib.metadata``.
    """
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for folder in names:
            if folder.endswith(".dist-info"):
                name, _, version = folder[: -len(".dist-info")].partition("-")
                if version and "-" not in version:
                    found.setdefault(_canonical(name), version)
    return found


def dist_version(name: str) -> str | None:
    """The installed version of distribution ``name``; None when it is not installed.

    Parameters
    ----------
    name : str
        A distribution name (``scikit-learn``, ``jieba_fast``).

    Returns
    -------
    str or None

    Examples
    --------
    >>> dist_version("pandas") == pd.__version__, dist_version("no-such-dist")
    (True, None)
    """
    version = _installed().get(_canonical(name))
    if version is not None:
        return version
    from importlib import metadata  # ~25 ms to import: only for what the folders do not tell

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def versions(libraries: tuple[str, ...] = LIBRARIES) -> dict[str, str | None]:
    """Installed versions of policylab, Python and the libraries the results depend on.

    The one versions helper: build manifests, saved topic models and the report all record it.

    Parameters
    ----------
    libraries : tuple of str
        Distribution names (default :data:`LIBRARIES`); one that is not installed gets None.

    Returns
    -------
    dict
        ``python``, ``policylab`` and one entry per library.

    Examples
    --------
    >>> v = versions(("pandas", "no-such-dist"))
    >>> sorted(v), v["no-such-dist"], v["pandas"] == pd.__version__
    (['no-such-dist', 'pandas', 'policylab', 'python'], None, True)
    """
    out: dict[str, str | None] = {"python": platform.python_version()}
    for name in ("policylab",) + tuple(libraries):
        out[name] = dist_version(name)
        if out[name] is None and name == "policylab":
            out[name] = __version__
    return out


def resource_hashes() -> dict[str, str]:
    """sha256 of every curated data file shipped under ``policylab/resources``.

    Returns
    -------
    dict
        Relative path -> sha256, sorted by path.

    Examples
    --------
    >>> "gazetteer.csv" in resource_hashes()
    True
    """
    out = {}
    for p in sorted(resources.ROOT.rglob("*")):
        if p.is_file() and p.suffix in {".csv", ".txt", ".tsv", ".json"}:
            out[p.relative_to(resources.ROOT).as_posix()] = sha256_file(p)
    return out


def atomic_write(path: Path, write) -> None:
    """Call ``write(tmp_path)`` then move the file into place atomically.

    Parameters
    ----------
    path : Path
        The file to write.
    write : callable
        Writes the content to the temporary path it is given.

    Returns
    -------
    None

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "a.txt"
    >>> atomic_write(p, lambda tmp: tmp.write_text("ok", encoding="utf-8")); p.read_text(encoding="utf-8")
    'ok'
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def build_lock(out_dir: Path):
    """An exclusive lock on ``out_dir`` for the time of one build (POSIX ``flock``).

    Parameters
    ----------
    out_dir : Path

    Returns
    -------
    context manager

    Examples
    --------
    >>> import tempfile
    >>> with build_lock(Path(tempfile.mkdtemp())):
    ...     pass
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    lock = open(out_dir / ".policylab.lock", "a+")
    try:
        try:
            import fcntl

            fcntl.flock(lock, fcntl.LOCK_EX)
        except ImportError:  # Windows: no flock; atomic replaces still keep every file whole
            pass
        yield
    finally:
        lock.close()


def _to_parquet(df: pd.DataFrame, p: Path) -> None:
    df.to_parquet(p, index=False, engine="pyarrow", compression="zstd")


def write_tables(tables: dict[str, pd.DataFrame], out_dir, *, csv: bool = False, manifest: dict | None = None,
                 copies: dict | None = None) -> dict:
    r"""Write each table as ``<name>.parquet`` (and ``<name>.csv``) and ``manifest.json`` last.

    Parameters
    ----------
    tables : dict of str to DataFrame
    out_dir : path
    csv : bool
        Also write CSV copies (UTF-8, ``\\n`` line ends).
    manifest : dict, optional
        Written as ``manifest.json`` with ``tables`` (rows and sha256 of every file) added.
    copies : dict, optional
        ``{name: (path, id(df))}``: a Parquet file this process already wrote (or read) for the
        very DataFrame given as ``tables[name]``; it is copied instead of encoded again (the
        bytes are the same). ``Corpus.table_files`` of a cached build.

    Returns
    -------
    dict
        The manifest that was written.

    Examples
    --------
    >>> import tempfile
    >>> out = tempfile.mkdtemp()
    >>> m = write_tables({"t": pd.DataFrame({"a": [1, 2]})}, out)
    >>> m["tables"]["t"]["rows"], read_tables(out)["t"]["a"].tolist()
    (2, [1, 2])
    """
    with TableWriter(out_dir, csv=csv, copies=copies) as writer:
        for name, df in tables.items():
            writer.add(name, df)
        return writer.commit(manifest)


class TableWriter:
    r""":func:`write_tables` in two steps: each table encoded as soon as it is added, all committed at once.

    A build hands over each table when it is final, so the files are encoded in threads (Arrow's
    Parquet writer and hashing release the GIL) while the build computes the next tables.
    :meth:`commit` waits for them, writes ``manifest.json`` and moves every file into place
    (renames only, the manifest last); until then, and after :meth:`abort` or an error inside a
    ``with`` block, the folder keeps its previous complete set. The folder is locked
    (:func:`build_lock`) from the start to the commit or abort. A table must not be changed
    after it is added.

    Parameters
    ----------
    out_dir : path
    csv, copies
        As for :func:`write_tables`.

    Examples
    --------
    >>> import tempfile
    >>> out = tempfile.mkdtemp()
    >>> with TableWriter(out) as w:
    ...     w.add("a", pd.DataFrame({"x": [1]}))
    ...     w.add("b", pd.DataFrame({"y": ["z"]}))
    ...     m = w.commit({"note": "demo"})
    >>> sorted(m["tables"]), sorted(read_tables(out))
    (['a', 'b'], ['a', 'b'])
    """

    def __init__(self, out_dir, *, csv: bool = False, copies: dict | None = None):
        self.out_dir = Path(out_dir)
        self.csv, self.copies = csv, copies or {}
        self._written: dict[str, dict] = {}
        self._staged: list[tuple[str, Path]] = []
        self._jobs: list[tuple[str, str, object]] = []  # (table, file name, future of its sha256)
        self._pool = None
        self._stack = contextlib.ExitStack()
        self._stack.enter_context(build_lock(self.out_dir))
        try:
            # temporary files a killed build left behind (the lock says no other build is writing)
            for stale in self.out_dir.glob(".*.tmp"):
                with contextlib.suppress(OSError):
                    stale.unlink()
        except BaseException:
            self._stack.close()
            raise

    @property
    def open(self) -> bool:
        """True until the tables are committed or abandoned."""
        return self._jobs is not None

    @property
    def added(self) -> tuple[str, ...]:
        """The tables added so far, in order."""
        return tuple(self._written)

    def __enter__(self) -> "TableWriter":
        return self

    def __exit__(self, kind, error, tb) -> None:
        if kind is not None or self.open:  # an error, or left without a commit
            self.abort()

    def _submit(self, fname: str, write) -> object:
        fd, tmp = tempfile.mkstemp(prefix=f".{fname}.", suffix=".tmp", dir=self.out_dir)
        os.close(fd)
        self._staged.append((fname, Path(tmp)))

        def run(tmp=Path(tmp)) -> str:
            write(tmp)
            return sha256_file(tmp)

        if self._pool is None:
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(min(4, os.cpu_count() or 1))
        return self._pool.submit(run)

    def add(self, name: str, df: pd.DataFrame) -> None:
        """Start writing table ``name`` (``<name>.parquet``, and ``<name>.csv`` when asked)."""
        src, of = self.copies.get(name, (None, None))
        if src is not None and of == id(df) and Path(src).is_file():
            job = self._submit(f"{name}.parquet", lambda tmp, src=src: shutil.copyfile(src, tmp))
        else:
            job = self._submit(f"{name}.parquet", lambda tmp, df=df: _to_parquet(df, tmp))
        self._jobs.append((name, f"{name}.parquet", job))
        if self.csv:
            job = self._submit(f"{name}.csv",
                               lambda tmp, df=df: df.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n"))
            self._jobs.append((name, f"{name}.csv", job))
        self._written[name] = {"rows": int(len(df))}

    def commit(self, manifest: dict | None = None) -> dict:
        """Wait for every file, write the manifest and move everything into place; the manifest."""
        manifest = dict(manifest or {})
        try:
            for name, fname, job in self._jobs:
                self._written[name][("csv" if fname.endswith(".csv") else "parquet") + "_sha256"] = job.result()
            manifest["tables"] = self._written
            text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n"
            fd, tmp = tempfile.mkstemp(prefix=".manifest.json.", suffix=".tmp", dir=self.out_dir)
            os.close(fd)
            self._staged.append(("manifest.json", Path(tmp)))
            Path(tmp).write_text(text, encoding="utf-8")
            # phase 2: renames only (microseconds), the manifest last
            for fname, tmp_path in self._staged:
                os.replace(tmp_path, self.out_dir / fname)
        except BaseException:
            self.abort()
            raise
        self._staged, self._jobs = [], None
        self._close()
        return manifest

    def abort(self) -> None:
        """Drop every file not yet committed; the folder keeps what it had."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        for _, tmp_path in self._staged:
            with contextlib.suppress(FileNotFoundError):
                tmp_path.unlink()
        self._staged, self._jobs = [], None
        self._close()

    def _close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        if self._stack is not None:
            self._stack.close()
            self._stack = None


def build_manifest(corpus, extra: dict | None = None) -> dict:
    """The manifest of a corpus build (see the module docstring).

    Parameters
    ----------
    corpus : Corpus
    extra : dict, optional
        Entries added as they are.

    Returns
    -------
    dict

    Examples
    --------
    >>> from policylab import load_corpus
    >>> m = build_manifest(load_corpus("seeds"))
    >>> m["counts"], len(m["inputs"])
    ({'document': 4, 'duplicate': 1}, 5)
    """
    files = corpus.files
    return {
        "policylab_manifest": 1,
        "source": str(corpus.source),
        "options": corpus.options,
        "versions": versions(),
        "platform": {"system": platform.system(), "machine": platform.machine()},
        "inputs": {p: s for p, s in zip(files["path"], files["sha256"].astype(object).where(files["sha256"].notna(), None))},
        "resources": resource_hashes(),
        "counts": {k: int(v) for k, v in files["status"].value_counts().sort_index().items()},
        **(extra or {}),
    }


def read_tables(out_dir) -> dict[str, pd.DataFrame]:
    """Read back every table a build wrote, by name (as listed in its manifest).

    Parameters
    ----------
    out_dir : path

    Returns
    -------
    dict of str to DataFrame

    Examples
    --------
    >>> import tempfile
    >>> out = tempfile.mkdtemp()
    >>> _ = write_tables({"t": pd.DataFrame({"a": [1]})}, out)
    >>> list(read_tables(out))
    ['t']
    """
    out_dir = Path(out_dir)
    manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    return {name: pd.read_parquet(out_dir / f"{name}.parquet") for name in manifest["tables"]}
