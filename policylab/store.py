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
    out_dir = Path(out_dir)
    manifest = dict(manifest or {})
    written = {}
    with build_lock(out_dir):
        # temporary files a killed build left behind (the lock says no other build is writing)
        for stale in out_dir.glob(".*.tmp"):
            with contextlib.suppress(OSError):
                stale.unlink()
        # phase 1: every file written in full under a temporary name; a build killed here leaves
        # the previous tables and manifest untouched
        staged: list[tuple[str, Path]] = []
        jobs: list[tuple[str, str, object]] = []  # (table, file name, writer)
        for name, df in tables.items():
            src, of = (copies or {}).get(name, (None, None))
            if src is not None and of == id(df) and Path(src).is_file():
                jobs.append((name, f"{name}.parquet", lambda tmp, src=src: shutil.copyfile(src, tmp)))
            else:
                jobs.append((name, f"{name}.parquet", lambda tmp, df=df: _to_parquet(df, tmp)))
            if csv:
                jobs.append((name, f"{name}.csv",
                             lambda tmp, df=df: df.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n")))
            written[name] = {"rows": int(len(df))}

        def run(job, tmp: Path) -> str:
            job[2](tmp)
            return sha256_file(tmp)

        try:
            for _, fname, _ in jobs:
                fd, tmp = tempfile.mkstemp(prefix=f".{fname}.", suffix=".tmp", dir=out_dir)
                os.close(fd)
                staged.append((fname, Path(tmp)))
            # the files are encoded in threads: Arrow's Parquet writer (zstd) and hashing release
            # the GIL, so a build's nine tables take about the time of the largest
            workers = min(len(jobs), 4, os.cpu_count() or 1)
            if workers > 1:
                from concurrent.futures import ThreadPoolExecutor

                with ThreadPoolExecutor(workers) as ex:
                    digests = list(ex.map(run, jobs, [tmp for _, tmp in staged]))
            else:
                digests = [run(job, tmp) for job, (_, tmp) in zip(jobs, staged)]
            for (name, fname, _), digest in zip(jobs, digests):
                written[name][("csv" if fname.endswith(".csv") else "parquet") + "_sha256"] = digest
            manifest["tables"] = written
            text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n"
            fd, tmp = tempfile.mkstemp(prefix=".manifest.json.", suffix=".tmp", dir=out_dir)
            os.close(fd)
            staged.append(("manifest.json", Path(tmp)))
            Path(tmp).write_text(text, encoding="utf-8")
            # phase 2: renames only (microseconds), the manifest last
            for fname, tmp_path in staged:
                os.replace(tmp_path, out_dir / fname)
        except BaseException:
            for _, tmp_path in staged:
                with contextlib.suppress(FileNotFoundError):
                    tmp_path.unlink()
            raise
    return manifest


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
