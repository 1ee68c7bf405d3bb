"""Readable names for documents and comparison units, for tables, figures and finding sentences.

Two jobs, both about *naming* what a report compares:

- :func:`document_labels` gives each document a stable, unique, readable label
  ``place · year · short title`` (``南京 · 2022 · 人工智能创新应用先导区建设实施方案``), disambiguated
  with the first digits of the ``doc_id`` where two documents would share one.
- :func:`comparison_units` says which unit a document belongs to when documents are compared:
  its city, province, issuer, level, or the document itself. :func:`default_unit` chooses the unit
  from the corpus (city when it has two or more cities, ...). A document that has no value for the
  unit (a provincial plan has no city) is its own group, named by its label: documents without a
  city are never pooled into one ``<NA>`` group.

Examples
--------
>>> import pandas as pd
>>> from policylab import labels
>>> docs = pd.DataFrame({"doc_id": ["d1", "d2"], "city": ["南京", pd.NA], "province": ["江苏", "江苏"],
...                      "year": [2022, 2020], "title": ["南京市人工智能实施方案", "江苏省人工智能行动计划"]})
>>> labels.document_labels(docs).tolist()
['南京 · 2022 · 人工智能实施方案', '江苏 · 2020 · 人工智能行动计划']
>>> labels.comparison_units(docs, "city").tolist()
['南京', '江苏 · 2020 · 人工智能行动计划']
"""

from __future__ import annotations

import re

import pandas as pd

UNITS = ("city", "province", "issuer", "level", "document")
SEP = " · "
TITLE_CHARS = 16

_ORGAN = re.compile(r"^(?:人民政府办公厅|人民政府办公室|人民政府|办公厅|办公室)")


def short_title(title, place_names=(), n: int = TITLE_CHARS) -> str | None:
    """A title without its place prefix, issuing organ and 关于 wrapper, cut to ``n`` characters.

    Parameters
    ----------
    title : str or None
        The document's title.
    place_names : iterable of str
        Names to strip from the start (the document's city, province, with and without 市/省).
    n : int, default 16
        Longest result; a longer title is cut and ends with ``…``.

    Returns
    -------
    str or None
        None when there is no title.

    Examples
    --------
    >>> short_title("合肥市人民政府关于加快推进新一代人工智能产业发展的实施意见", ["合肥", "合肥市"])
    '加快推进新一代人工智能产业发展…'
    >>> short_title(None) is None
    True
    """
    if title is None or (not isinstance(title, str) and pd.isna(title)) or not str(title).strip():
        return None
    t = str(title).strip()
    for p in sorted({str(p) for p in place_names if p}, key=len, reverse=True):
        if t.startswith(p) and len(t) > len(p):
            t = t[len(p):]
            break
    t = _ORGAN.sub("", t)
    if t.startswith("关于"):
        t = t[2:]
        if t.startswith("印发"):
            t = t[2:]
    t = re.sub(r"的通知$", "", t).strip() or str(title).strip()
    return t if len(t) <= n else t[: n - 1] + "…"


def document_labels(documents: pd.DataFrame) -> pd.Series:
    """A stable, unique, readable label per document: ``place · year · short title``.

    The place is the city, else the province (else left out); the year the ``year`` column (else
    left out); the short title comes from :func:`short_title` (else the source file's name, else
    the ``doc_id``). Two documents that would get the same label are told apart by the first
    digits of their ``doc_id`` (the fewest that make them unique), so a label depends only on the
    document and the documents it could be confused with, never on row order.

    Parameters
    ----------
    documents : pandas.DataFrame
        The corpus' ``documents`` table; uses ``doc_id`` and, where present, ``city``,
        ``province``, ``year``, ``title`` and ``source_path``.

    Returns
    -------
    pandas.Series
        ``string`` dtype, named ``label``, aligned with ``documents`` (same index).

    Examples
    --------
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": ["d1aa", "d2bb", "d3cc"], "city": ["南京", "南京", pd.NA],
    ...                      "year": [2022, 2022, pd.NA], "title": ["南京市人工智能方案", "南京市人工智能方案", pd.NA],
    ...                      "source_path": ["a.txt", "b.txt", "pages/c.html"]})
    >>> document_labels(docs).tolist()
    ['南京 · 2022 · 人工智能方案 (d1)', '南京 · 2022 · 人工智能方案 (d2)', 'c.html']
    """
    if "doc_id" not in documents.columns:
        raise ValueError("document_labels needs a doc_id column")
    def values(col):  # plain Python values, None for a missing one: no per-row pandas Series
        if col not in documents.columns:
            return [None] * len(documents)
        return [None if v is None or pd.isna(v) else v for v in documents[col].tolist()]

    out = []
    for doc_id, city, province, title, src, year in zip(
        documents["doc_id"].tolist(), *map(values, ("city", "province", "title", "source_path", "year"))
    ):
        place = next((str(v) for v in (city, province) if v is not None and str(v)), None)
        names = []
        for v, suffix in ((city, "市"), (province, "省")):
            if v is not None:
                names += [str(v) + suffix, str(v)]
        title = short_title(title, names)
        if title is None:
            title = str(src).rsplit("/", 1)[-1] if src is not None else str(doc_id)
        year = None if year is None else str(int(year))
        out.append(SEP.join(p for p in (place, year, title) if p))
    # labels given twice or more, in order of first appearance; each group told apart by the fewest
    # leading characters of its doc_ids (plain lists: a pandas pass per group cost more than the rest)
    ids = documents["doc_id"].astype(str)
    if not all(type(g) is str for g in ids.tolist()):  # a null doc_id (no str): pandas' way
        label = pd.Series(out, index=documents.index, dtype="string", name="label")
        for value in label[label.duplicated(keep=False)].unique():
            same = label == value
            group = ids[same]
            n = 2
            while group.str[:n].duplicated().any() and n < group.str.len().max():
                n += 1
            label[same] = value + " (" + group.str[:n] + ")"
        return label
    ids = ids.tolist()
    seen: dict[str, int] = {}
    for v in out:
        seen[v] = seen.get(v, 0) + 1
    for value in [v for v, k in seen.items() if k > 1]:
        same = [i for i, v in enumerate(out) if v == value]
        group = [ids[i] for i in same]
        longest = max(map(len, group))
        n = 2
        while len({g[:n] for g in group}) < len(group) and n < longest:
            n += 1
        for i, g in zip(same, group):
            out[i] = value + " (" + g[:n] + ")"
    return pd.Series(out, index=documents.index, dtype="string", name="label")


def _present(documents: pd.DataFrame, col: str) -> pd.Series:
    if col not in documents.columns:
        return pd.Series(pd.NA, index=documents.index, dtype="string")
    return documents[col].astype("string").where(documents[col].notna())


def default_unit(documents: pd.DataFrame) -> str:
    """The comparison unit a corpus supports: the first of city, province, issuer that has at least
    two groups and a value for most documents, else ``'document'``.

    "Most" means at least half: a corpus of seventeen city plans and three provincial ones is
    compared by city (each provincial plan is then its own group); three provincial plans with no
    city are compared by province. ``level`` is never the default (it is a coarse split a
    researcher asks for).

    Parameters
    ----------
    documents : pandas.DataFrame
        The corpus' ``documents`` table.

    Returns
    -------
    str
        One of ``'city'``, ``'province'``, ``'issuer'``, ``'document'``.

    Examples
    --------
    >>> import pandas as pd
    >>> default_unit(pd.DataFrame({"doc_id": ["a", "b"], "city": ["南京", "合肥"]}))
    'city'
    >>> default_unit(pd.DataFrame({"doc_id": ["a", "b"], "city": [pd.NA, pd.NA], "province": ["江苏", "浙江"]}))
    'province'
    >>> default_unit(pd.DataFrame({"doc_id": ["a"], "city": ["南京"]}))
    'document'
    """
    n = len(documents)
    for col in ("city", "province", "issuer"):
        v = _present(documents, col)
        if v.nunique() >= 2 and v.notna().sum() * 2 >= n:
            return col
    return "document"


def comparison_units(documents: pd.DataFrame, unit: str | None = None) -> pd.Series:
    """The group each document belongs to when documents are compared by ``unit``.

    Parameters
    ----------
    documents : pandas.DataFrame
        The corpus' ``documents`` table (``doc_id`` and the unit's column; ``label`` is used for
        documents, else computed with :func:`document_labels`).
    unit : {'city', 'province', 'issuer', 'level', 'document'} or None
        None (or ``'auto'``) chooses :func:`default_unit`.

    Returns
    -------
    pandas.Series
        ``string`` dtype, named ``group``, aligned with ``documents``; never null: a document with
        no value for the unit is its own group, named by its label.

    Examples
    --------
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": ["a", "b", "c"], "city": ["南京", "南京", pd.NA],
    ...                      "label": ["南京 · 2022 · 甲", "南京 · 2023 · 乙", "江苏 · 2020 · 丙"]})
    >>> comparison_units(docs, "city").tolist()
    ['南京', '南京', '江苏 · 2020 · 丙']
    >>> comparison_units(docs, "document").tolist()
    ['南京 · 2022 · 甲', '南京 · 2023 · 乙', '江苏 · 2020 · 丙']
    """
    unit = default_unit(documents) if unit in (None, "auto") else unit
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {UNITS} or None, got {unit!r}")
    names = (documents["label"].astype("string") if "label" in documents.columns
             else document_labels(documents))
    if unit == "document":
        return pd.Series(names.to_numpy(), index=documents.index, dtype="string", name="group")
    values = _present(documents, unit)
    return pd.Series(values.fillna(names).to_numpy(), index=documents.index, dtype="string", name="group")


def with_labels(documents: pd.DataFrame, unit: str | None = None) -> pd.DataFrame:
    """``documents`` with a ``label`` column (kept if present) and a ``group`` column (its comparison unit) added.

    This is what the report applies where it opens a corpus, so every notebook groups and names
    documents the same way.

    Parameters
    ----------
    documents : pandas.DataFrame
        The corpus' ``documents`` table.
    unit : str or None
        Passed to :func:`comparison_units`.

    Returns
    -------
    pandas.DataFrame
        A copy with ``label`` and ``group`` columns.

    Examples
    --------
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": ["a", "b"], "city": ["南京", "合肥"], "year": [2022, 2020]})
    >>> with_labels(docs)[["label", "group"]].values.tolist()
    [['南京 · 2022 · a', '南京'], ['合肥 · 2020 · b', '合肥']]
    """
    out = documents.copy()
    if "label" not in out.columns or out["label"].isna().any():
        out["label"] = document_labels(out)
    out["group"] = comparison_units(out, unit)
    return out


def file_labels(files: pd.DataFrame, documents: pd.DataFrame) -> pd.Series:
    """A name per input file: its document's label, or ``<status>: <file name>`` for a file that
    became no document of its own (a duplicate, a rejected page).

    Parameters
    ----------
    files : pandas.DataFrame
        The corpus' ``files`` table (``path``, ``status``, ``doc_id``).
    documents : pandas.DataFrame
        ``doc_id`` and ``label``.

    Returns
    -------
    pandas.Series
        ``string`` dtype, indexed by ``path``.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"path": ["a/x.txt", "y.txt"], "status": ["document", "rejected"], "doc_id": ["d1", None]})
    >>> file_labels(f, pd.DataFrame({"doc_id": ["d1"], "label": ["南京 · 2022 · 方案"]})).to_dict()
    {'a/x.txt': '南京 · 2022 · 方案', 'y.txt': 'rejected: y.txt'}
    """
    lab = dict(zip(documents["doc_id"].astype(str), documents["label"].astype(str))) if len(documents) else {}
    out = []
    for path, status, doc in zip(files["path"], files["status"], files["doc_id"]):
        if status == "document" and doc is not None and not pd.isna(doc) and str(doc) in lab:
            out.append(lab[str(doc)])
        else:
            out.append(f"{status}: {str(path).rsplit('/', 1)[-1]}")
    return pd.Series(out, index=files["path"].to_numpy(), dtype="string", name="label")
