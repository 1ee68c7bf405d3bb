"""Researcher corrections: read a corrections file and apply it to the metadata, with a log.

Metadata read from the text can be wrong or absent (a page without its signature date); a
researcher records the fix in ``data/corrections.csv`` (``doc_key, field, value, source, note``,
see ``data/README.md``). :func:`read_corrections` reads the file, :func:`apply_corrections` applies
it and logs every row (``metadata_corrections`` table); :func:`corrections_for_build` is what
:func:`policylab.load_corpus` calls for its ``corrections=`` argument. A corrected date recomputes
``year`` by the one year rule (:func:`policylab.meta.year_by_rule`).

Examples
--------
>>> import pandas as pd
>>> from policylab.corrections import apply_corrections
>>> meta = pd.DataFrame({"doc_id": ["d1"], "issued": [pd.NaT], "year": pd.array([pd.NA], dtype="Int64"),
...                      "year_source": [None]})
>>> fix = pd.DataFrame({"doc_key": ["d1"], "field": ["issued"], "value": ["2021-05-01"],
...                     "source": ["gov.cn"], "note": [""]})
>>> fixed, log = apply_corrections(meta, fix)
>>> int(fixed.loc[0, "year"]), fixed.loc[0, "year_source"], log.loc[0, "status"]
(2021, 'issued', 'applied')
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from policylab import schema
from policylab.cache import sha256_file, sha256_text
from policylab.frame import normalize_doc_number
from policylab.meta import META_FIELDS, YEAR_RULE, document_metadata, year_by_rule  # noqa: F401  (document_metadata: examples)
from policylab.text import parse_date

__all__ = ["CORRECTION_COLUMNS", "read_corrections", "apply_corrections", "corrections_for_build", "empty_corrections"]

CORRECTION_COLUMNS = ["doc_key", "field", "value", "source", "note"]


def read_corrections(path: str | Path) -> pd.DataFrame:
    """Read a corrections CSV (``doc_key, field, value, source, note``); a missing file gives an empty table.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    DataFrame
        The five columns, as strings.

    Raises
    ------
    ValueError
        When the file lacks one of the columns.

    Examples
    --------
    >>> read_corrections("no/such/file.csv").columns.tolist()
    ['doc_key', 'field', 'value', 'source', 'note']
    """
    p = Path(path)
    if not p.exists():
        return pd.DataFrame({c: pd.Series(dtype="string") for c in CORRECTION_COLUMNS})
    df = pd.read_csv(p, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in CORRECTION_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"{p}: corrections file lacks columns {missing}")
    return df[CORRECTION_COLUMNS].astype("string")


def apply_corrections(meta: pd.DataFrame, corrections: pd.DataFrame,
                      files: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Apply curated corrections to a metadata table; return it and a log of what was done.

    A correction row names the document by ``doc_key`` -- its ``doc_id``, or a source file's name
    or relative path (resolved through ``files`` or a ``source_path`` column of ``meta``) -- and gives
    a ``field`` of :data:`META_FIELDS` and a ``value`` (empty = set to null). Dates are read as
    dates, years as integers. When a date or ``plan_start`` is corrected and ``year`` is not,
    ``year``/``year_source`` are recomputed by the documented rule; a corrected ``year`` gets
    ``year_source`` 'correction'.

    Parameters
    ----------
    meta : DataFrame
        A ``document_metadata`` table (or the documents table).
    corrections : DataFrame
        ``doc_key, field, value, source, note`` (:func:`read_corrections`).
    files : DataFrame, optional
        The corpus' ``files`` table, to resolve file names and paths to ``doc_id``.

    Returns
    -------
    (DataFrame, DataFrame)
        ``meta`` with corrections applied (other columns untouched) and the log (schema
        ``metadata_corrections``: doc_key, doc_id, field, old_value, new_value, source, note, status
        where status is 'applied', 'unknown_document', 'unknown_field' or 'bad_value').

    Examples
    --------
    >>> import pandas as pd
    >>> meta = document_metadata(pd.DataFrame({"doc_id": ["d1"], "text": ["某某方案"]}))
    >>> fix = pd.DataFrame({"doc_key": ["d1"], "field": ["issued"], "value": ["2021-05-01"],
    ...                     "source": ["gov.cn"], "note": [""]})
    >>> meta, log = apply_corrections(meta, fix)
    >>> meta.loc[0, "year"], meta.loc[0, "year_source"], log.loc[0, "status"]
    (np.int64(2021), 'issued', 'applied')
    """
    meta = meta.copy()
    dtypes = {c.name: c.dtype for c in schema.SCHEMAS["document_metadata"]}
    key_to_id: dict[str, str] = {str(d): str(d) for d in meta["doc_id"]} if len(corrections) else {}
    paths = []
    if len(corrections) and files is not None and len(files):  # no correction: no key to resolve
        paths += list(zip(files["path"], files["doc_id"]))
    if len(corrections) and "source_path" in meta.columns:
        paths += list(zip(meta["source_path"], meta["doc_id"]))
    for p, d in paths:
        if pd.notna(p) and pd.notna(d):
            key_to_id.setdefault(str(p), str(d))
            key_to_id.setdefault(Path(str(p)).name, str(d))
    log = []
    touched: dict[str, set] = {}
    for _, r in corrections.fillna("").iterrows():
        key, field, value = str(r["doc_key"]).strip(), str(r["field"]).strip(), str(r["value"]).strip()
        entry = {"doc_key": key, "doc_id": key_to_id.get(key), "field": field, "old_value": None,
                 "new_value": value or None, "source": r.get("source") or None,
                 "note": r.get("note") or None}
        if entry["doc_id"] is None:
            entry["status"] = "unknown_document"
        elif field not in META_FIELDS:
            entry["status"] = "unknown_field"
        else:
            idx = meta.index[meta["doc_id"] == entry["doc_id"]]
            old = meta.loc[idx[0], field]
            entry["old_value"] = None if pd.isna(old) else str(old)
            try:
                new = _cast(value, dtypes[field], field)
            except ValueError:
                entry["status"] = "bad_value"
            else:
                if dtypes[field].startswith("datetime"):
                    meta[field] = meta[field].astype(dtypes[field])
                meta.loc[idx, field] = new if new is not None else pd.NA
                entry["status"] = "applied"
                touched.setdefault(entry["doc_id"], set()).add(field)
        log.append(entry)
    for doc_id, fields in touched.items():
        idx = meta.index[meta["doc_id"] == doc_id]
        if "year" in fields:
            if "year_source" not in fields:
                meta.loc[idx, "year_source"] = "correction"
        elif fields & set(YEAR_RULE):
            year, source = year_by_rule(meta.loc[idx[0]])
            meta.loc[idx, ["year", "year_source"]] = [pd.NA, pd.NA]
            if year is not None:
                meta.loc[idx, "year"] = year
                meta.loc[idx, "year_source"] = source
    log_df = pd.DataFrame(log, columns=schema.columns("metadata_corrections"))
    for c in ("year", "plan_start", "plan_end"):
        if c in meta:
            meta[c] = meta[c].astype("Int64")
    return meta, schema.conform("metadata_corrections", log_df)


def _cast(value: str, dtype: str, field: str):
    if value == "":
        return None
    if dtype.startswith("datetime"):
        d = parse_date(value)
        if d is None:
            raise ValueError(f"{field}: not a date: {value!r}")
        return d
    if dtype == "Int64":
        if not re.fullmatch(r"\d{1,4}", value):
            raise ValueError(f"{field}: not a year: {value!r}")
        return int(value)
    if field == "doc_number":
        n = normalize_doc_number(value)
        if n is None:
            raise ValueError(f"doc_number: not a document number: {value!r}")
        return n
    return value


def empty_corrections() -> pd.DataFrame:
    """An empty corrections table (the five columns, as strings).

    Returns
    -------
    DataFrame

    Examples
    --------
    >>> empty_corrections().shape
    (0, 5)
    """
    return pd.DataFrame({c: pd.Series(dtype="string") for c in CORRECTION_COLUMNS})


def corrections_for_build(corrections, options: dict) -> pd.DataFrame | None:
    """The corrections table a build applies; records its file and sha256 in ``options``.

    Parameters
    ----------
    corrections : path, DataFrame, None or "auto"
        As :func:`policylab.load_corpus` takes it: "auto" uses ``data/corrections.csv`` in the
        current folder when it exists; None applies nothing.
    options : dict
        The build's options; ``corrections`` (and ``corrections_sha256``) are added.

    Returns
    -------
    DataFrame or None
        None when there is nothing to apply.

    Raises
    ------
    FileNotFoundError
        When an explicit path does not exist.

    Examples
    --------
    >>> opts = {}
    >>> corrections_for_build(None, opts) is None, opts
    (True, {})
    """
    if corrections is None:
        return None
    if isinstance(corrections, pd.DataFrame):
        options["corrections"] = "<DataFrame>"
        return corrections
    path = corrections_path(corrections)
    if not path.exists():
        if corrections != "auto":
            raise FileNotFoundError(f"corrections file not found: {path}")
        return None
    options["corrections"] = str(path)
    options["corrections_sha256"] = sha256_file(path)
    return read_corrections(path)


def corrections_path(corrections) -> Path | None:
    """The file a ``corrections=`` argument names ("auto" -> ``data/corrections.csv``), or None.

    Parameters
    ----------
    corrections : path, DataFrame, None or "auto"

    Returns
    -------
    Path or None
        None for None or a DataFrame.

    Examples
    --------
    >>> corrections_path("auto").as_posix(), corrections_path(None)
    ('data/corrections.csv', None)
    """
    if corrections is None or isinstance(corrections, pd.DataFrame):
        return None
    if isinstance(corrections, str) and corrections == "auto":
        return Path("data") / "corrections.csv"
    return Path(corrections)


def corrections_digest(corrections) -> str | None:
    """sha256 of the corrections a build would apply (part of its cache key), or None.

    Parameters
    ----------
    corrections : path, DataFrame, None or "auto"
        As :func:`policylab.load_corpus` takes it.

    Returns
    -------
    str or None
        None when there is no corrections file (or None was given).

    Examples
    --------
    >>> corrections_digest(None), corrections_digest("no/such/file.csv")
    (None, None)
    >>> len(corrections_digest(empty_corrections()))
    64
    """
    if isinstance(corrections, pd.DataFrame):
        return sha256_text(corrections.to_csv(index=False))
    path = corrections_path(corrections)
    return sha256_file(path) if path is not None and path.exists() else None
