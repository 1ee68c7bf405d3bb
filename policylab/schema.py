"""The schema of every table policylab produces, in one place.

Each table is a list of :class:`Column` (name, pandas dtype, meaning). ``validate`` checks a
DataFrame against its schema and is what the tests (and the build) call, so this file is the
single documentation of the tables a user gets.

Dtypes are pandas' nullable extension types (``string``, ``Int64``, ``boolean``) so that a field
the text does not give is ``<NA>``, never ``""`` or ``0``. Dates are ``datetime64[ns]`` (``NaT``
when absent) -- except where noted.

Examples
--------
>>> from policylab.schema import SCHEMAS, columns
>>> columns("files")[:3]
['path', 'sha256', 'bytes']
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str
    doc: str


C = Column

SCHEMAS: dict[str, list[Column]] = {
    # ---- corpus foundation (ingest / clean / dedup) ---------------------------------
    "files": [
        C("path", "string", "path of the input file relative to the source folder, '/'-separated"),
        C("sha256", "string", "sha256 of the file's bytes (null if the file could not be read)"),
        C("bytes", "Int64", "size of the file in bytes"),
        C("encoding", "string", "detected text encoding (e.g. utf-8, utf-8-sig, gb18030, big5, utf-16)"),
        C("format", "string", "'text' or 'html'"),
        C("status", "string", "'document' (canonical), 'duplicate' (of another file) or 'rejected'"),
        C("reason", "string", "why the file was rejected, or how it duplicates its canonical copy"),
        C("doc_id", "string", "id of the document the file became (its canonical document for duplicates)"),
        C("duplicate_of", "string", "for duplicates: path of the canonical file"),
        C("similarity", "Float64", "for duplicates: estimated Jaccard similarity to the canonical text"),
    ],
    "documents": [
        C("doc_id", "string", "stable id: 'd' + first 12 hex digits of sha256 of the source file bytes"),
        C("source_path", "string", "path (relative to the source folder) of the canonical file"),
        C("script", "string", "script of the source: 'simplified' or 'traditional'"),
        C("n_chars", "Int64", "characters in the clean text"),
        C("n_traditional_left", "Int64", "characters still Traditional after conversion (audit; 0 is good)"),
        C("n_artefacts_repaired", "Int64", "converter artefacts (pinyin in parentheses) removed"),
        C("n_duplicates", "Int64", "number of other files recorded as duplicates of this document"),
        C("text", "string", "clean text, Simplified, one paragraph per line"),
    ],
    "removed": [
        C("path", "string", "input file the line came from"),
        C("line_no", "Int64", "1-based line number in the decoded input"),
        C("text", "string", "the removed line as it stood"),
        C("reason", "string", "kind of noise (e.g. 'spam', 'navigation', 'share_buttons', 'page_field', ...)"),
    ],
    "page_fields": [
        C("path", "string", "input file the field came from"),
        C("line_no", "Int64", "1-based line number in the decoded input"),
        C("field", "string", "normalised field name (e.g. 'published', 'issuer', 'level', 'source')"),
        C("label", "string", "the label as printed on the page, Simplified (e.g. 发布时间)"),
        C("value", "string", "the value as printed, Simplified"),
    ],
}


def columns(table: str) -> list[str]:
    """Column names of ``table`` in schema order."""
    return [c.name for c in SCHEMAS[table]]


def empty(table: str) -> pd.DataFrame:
    """An empty DataFrame with the columns and dtypes of ``table``."""
    return pd.DataFrame({c.name: pd.Series(dtype=c.dtype) for c in SCHEMAS[table]})


def conform(table: str, df: pd.DataFrame) -> pd.DataFrame:
    """Return ``df`` with exactly the schema's columns, in order, cast to the schema's dtypes.

    Missing columns are added as nulls; extra columns are an error (they would be undocumented).
    """
    extra = [c for c in df.columns if c not in columns(table)]
    if extra:
        raise ValueError(f"table {table!r} has columns not in its schema: {extra}")
    out = {}
    for c in SCHEMAS[table]:
        if c.name in df.columns:
            out[c.name] = df[c.name].astype(c.dtype)
        else:
            out[c.name] = pd.Series([pd.NA] * len(df), index=df.index, dtype=c.dtype)
    return pd.DataFrame(out, index=df.index).reset_index(drop=True)


def validate(table: str, df: pd.DataFrame) -> None:
    """Raise ``ValueError`` unless ``df`` has exactly the columns and dtypes of ``table``."""
    want = [(c.name, c.dtype) for c in SCHEMAS[table]]
    got = [(name, str(dtype)) for name, dtype in df.dtypes.items()]
    if got != want:
        raise ValueError(f"table {table!r} does not match its schema:\n got  {got}\n want {want}")


def describe(table: str | None = None) -> pd.DataFrame:
    """The schemas as a DataFrame (``table, column, dtype, doc``), for notebooks and docs."""
    rows = [
        (name, c.name, c.dtype, c.doc)
        for name, cols in SCHEMAS.items()
        if table in (None, name)
        for c in cols
    ]
    return pd.DataFrame(rows, columns=["table", "column", "dtype", "doc"])
