"""Timeline analysis: documents on a time axis, term and topic trends, targets compared across cities.

Every function takes tidy tables and returns one. The time axis is whatever the corpus holds: years
come from the documents (``year`` from the metadata stage, else the year of ``issued``,
``effective_from``, ``published`` or ``plan_start``), never from an assumed range.

- :func:`document_timeline` -- one row per document and event (成文 issued, 发布 published, 有效期
  in force, 规划期 plan period, 目标年 target horizons), with start and end dates.
- :func:`term_prevalence` -- occurrences of chosen terms per 10,000 tokens, by year (and city).
- :func:`first_mentions` -- the first year each term appears, per city.
- :func:`topic_prevalence_over_time` -- mean topic weight per year from the topics stage.
- :func:`compare_targets` -- like targets side by side across cities (e.g. core AI industry in 亿元).

Charts for these tables live in :mod:`policylab.plots.timeline`.

Examples
--------
>>> import pandas as pd
>>> from policylab.timeline import term_prevalence
>>> tokens = pd.DataFrame({"doc_id": ["a", "a", "a", "b"], "position": [0, 1, 2, 0],
...                        "token": ["大", "模型", "算力", "算力"], "year": [2023, 2023, 2023, 2019]})
>>> p = term_prevalence(tokens, ["大模型", "算力"])
>>> p[["year", "term", "count"]].to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
[{'year': 2019, 'term': '大模型', 'count': 0}, {'year': 2019, 'term': '算力', 'count': 1},
 {'year': 2023, 'term': '大模型', 'count': 1}, {'year': 2023, 'term': '算力', 'count': 1}]
>>> p["per_10k"].round(1).tolist()
[0.0, 10000.0, 3333.3, 3333.3]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from policylab import schema, topics
from policylab.meta import YEAR_RULE, year_by_rule

__all__ = [
    "document_years",
    "document_timeline",
    "term_counts",
    "term_prevalence",
    "first_mentions",
    "topic_prevalence_over_time",
    "compare_targets",
]

_GROUPS = ("year", "city")
_TOKEN_META = {"token", "position", "pos", "year", "city"}


# ---- small converters ---------------------------------------------------------------------------


def _is_na(v) -> bool:
    try:
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _as_timestamp(v, *, end: bool = False) -> pd.Timestamp:
    """A date, a year (int or '2025') or null -> Timestamp; a bare year is 1 Jan (or 31 Dec if ``end``)."""
    if _is_na(v):
        return pd.NaT
    if isinstance(v, (int, np.integer)) or (isinstance(v, (float, np.floating)) and float(v).is_integer()):
        y = int(v)
        return pd.Timestamp(y, 12, 31) if end else pd.Timestamp(y, 1, 1)
    if isinstance(v, str) and v.strip().isdigit() and len(v.strip()) == 4:
        return _as_timestamp(int(v.strip()), end=end)
    try:
        return pd.Timestamp(v)
    except (TypeError, ValueError):
        return pd.NaT


def _years_of(v) -> list[int]:
    """Years from a target_years cell: '2020,2025', a list/array, an int, or null."""
    if isinstance(v, (list, tuple, np.ndarray, pd.Series)):
        return sorted({int(x) for x in v if not _is_na(x)})
    if _is_na(v):
        return []
    if isinstance(v, (int, np.integer, float, np.floating)):
        return [int(v)]
    import re

    return sorted({int(y) for y in re.findall(r"\d{4}", str(v))})


def document_years(documents: pd.DataFrame) -> pd.DataFrame:
    """``doc_id, year`` for every document: ``year`` if given, else the year of ``issued``,
    ``effective_from``, ``published`` or ``plan_start`` (first non-null); null if none.

    Examples
    --------
    >>> docs = pd.DataFrame({"doc_id": ["a", "b"], "issued": [pd.Timestamp("2018-12-06"), None],
    ...                      "plan_start": [2018, 2021]})
    >>> document_years(docs)["year"].tolist()
    [2018, 2021]
    """
    out = pd.Series(pd.NA, index=documents.index, dtype="Int64")
    if "year" in documents.columns:
        out = pd.to_numeric(documents["year"], errors="coerce").astype("Int64")
    cols = [c for c in YEAR_RULE if c in documents.columns]  # the one year rule: policylab.meta
    if cols and out.isna().any():
        missing = out.isna().to_numpy()
        rows = documents.loc[missing, cols].to_dict("records")
        out[missing] = pd.array([year_by_rule(r)[0] for r in rows], dtype="Int64")
    return pd.DataFrame({"doc_id": documents["doc_id"].astype("string"), "year": out}).reset_index(drop=True)


def _doc_attributes(documents: pd.DataFrame | None) -> pd.DataFrame:
    """doc_id, year, city, title (nulls where documents do not say)."""
    if documents is None:
        return pd.DataFrame({"doc_id": pd.Series(dtype="string"), "year": pd.Series(dtype="Int64"),
                             "city": pd.Series(dtype="string"), "title": pd.Series(dtype="string")})
    out = document_years(documents)
    for col in ("city", "title"):
        out[col] = (documents[col].astype("string").to_numpy() if col in documents.columns
                    else pd.array([pd.NA] * len(documents), dtype="string"))
    return out


# ---- documents on a time axis ----------------------------------------------------------------------


def document_timeline(documents: pd.DataFrame, targets: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per document and event, with start and end dates (schema ``document_timeline``).

    Events: ``issued`` and ``published`` (points), ``in_force`` (``effective_from`` ..
    ``effective_to``; an open end stays NaT), ``plan_period`` (``plan_start`` .. ``plan_end``, years
    read as 1 Jan .. 31 Dec), ``target`` (each horizon year in ``target_years``, plus the years of
    ``targets`` if given, as 31 Dec). Any of these columns may be missing or null: the event is
    then simply absent.

    Parameters
    ----------
    documents : pandas.DataFrame
        ``doc_id`` and any of the date columns above (``city``, ``title`` name the rows).
    targets : pandas.DataFrame, optional
        The ``targets`` table; its target years become ``target`` events.

    Returns
    -------
    pandas.DataFrame
        Schema ``document_timeline``, one row per document and event.

    Examples
    --------
    >>> docs = pd.DataFrame({"doc_id": ["d1"], "city": ["沈阳"], "issued": [pd.Timestamp("2018-12-06")],
    ...                      "plan_start": [2018], "plan_end": [2020], "target_years": ["2020"]})
    >>> document_timeline(docs)[["event", "start", "end"]].astype(str).values.tolist()
    [['issued', '2018-12-06', '2018-12-06'], ['plan_period', '2018-01-01', '2020-12-31'], ['target', '2020-12-31', '2020-12-31']]
    """
    attrs = _doc_attributes(documents).set_index("doc_id")
    rows = []
    tyears: dict[str, set[int]] = {}
    if targets is not None and len(targets):
        t = targets.dropna(subset=["target_year"])
        for d, g in t.groupby("doc_id"):
            tyears[str(d)] = {int(y) for y in g["target_year"]}
    cols = documents.columns
    for r in documents.to_dict("records"):
        d = str(r["doc_id"])

        def add(event, start, end):
            if pd.isna(start) and pd.isna(end):
                return
            rows.append(dict(doc_id=d, event=event, start=start, end=end))

        for ev in ("issued", "published"):
            if ev in cols:
                ts = _as_timestamp(r[ev])
                add(ev, ts, ts)
        if "effective_from" in cols or "effective_to" in cols:
            add("in_force", _as_timestamp(r.get("effective_from")), _as_timestamp(r.get("effective_to"), end=True))
        if "plan_start" in cols or "plan_end" in cols:
            add("plan_period", _as_timestamp(r.get("plan_start")), _as_timestamp(r.get("plan_end"), end=True))
        years = set(_years_of(r.get("target_years"))) | tyears.get(d, set())
        for y in sorted(years):
            ts = pd.Timestamp(y, 12, 31)
            add("target", ts, ts)
    if not rows:
        return schema.empty("document_timeline")
    out = pd.DataFrame(rows)
    out["city"] = [attrs["city"].get(d, pd.NA) for d in out["doc_id"]]
    out["title"] = [attrs["title"].get(d, pd.NA) for d in out["doc_id"]]
    first = out["start"].where(out["start"].notna(), out["end"])
    out["year"] = [t.year if not pd.isna(t) else pd.NA for t in first]
    order = {e: i for i, e in enumerate(["issued", "published", "in_force", "plan_period", "target"])}
    out["_e"] = out["event"].map(order)
    out = out.sort_values(["doc_id", "_e", "start"], kind="stable").drop(columns="_e")
    out["start"] = pd.to_datetime(out["start"])
    out["end"] = pd.to_datetime(out["end"])
    return schema.conform("document_timeline", out)


# ---- terms over time ---------------------------------------------------------------------------------


def term_counts(tokens: pd.DataFrame, terms, max_tokens: int = 4) -> pd.DataFrame:
    """``doc_id, term, count``: occurrences of each term per document (every document x term).

    A term counts where it is one token, or where 2..``max_tokens`` consecutive tokens of the same
    unit (``doc_id`` and any unit column such as ``section_id``; consecutive ``position``) spell it --
    so 大模型 is found whether or not the segmenter's dictionary holds it.

    Parameters
    ----------
    tokens : pandas.DataFrame
        ``doc_id, [unit], position, token``.
    terms : list of str
    max_tokens : int, default 4
        Longest run of tokens that may spell a term.

    Returns
    -------
    pandas.DataFrame
        ``doc_id, term, count``, every document x term (zeros included).

    Examples
    --------
    >>> tok = pd.DataFrame({"doc_id": ["a"] * 3, "position": [0, 1, 2], "token": ["数据", "中心", "数据"]})
    >>> term_counts(tok, ["数据", "数据中心"]).to_dict("records")
    [{'doc_id': 'a', 'term': '数据', 'count': 2}, {'doc_id': 'a', 'term': '数据中心', 'count': 1}]
    """
    terms = list(dict.fromkeys(str(t) for t in terms))
    for c in ("doc_id", "token"):
        if c not in tokens.columns:
            raise ValueError(f"tokens table needs a {c!r} column (policylab.segment.tokenize gives it)")
    unit_cols = [c for c in tokens.columns if c not in _TOKEN_META]
    tok = tokens.sort_values(unit_cols + (["position"] if "position" in tokens.columns else []), kind="stable")
    key = tok.groupby(unit_cols, sort=False, dropna=False).ngroup().to_numpy()
    words = tok["token"].astype(str).to_numpy(dtype=object)
    pos = tok["position"].to_numpy() if "position" in tok.columns else np.arange(len(tok))
    docs = tok["doc_id"].astype(str).to_numpy(dtype=object)
    want = set(terms)
    hits = []
    if len(tok):
        gram = words.copy()
        valid = np.ones(len(tok), dtype=bool)
        for n in range(1, max_tokens + 1):
            if n > 1:
                nxt_w = np.empty(len(tok), dtype=object)
                nxt_w[: len(tok) - n + 1] = words[n - 1 :]
                nxt_w[len(tok) - n + 1 :] = ""
                same = np.zeros(len(tok), dtype=bool)
                same[: len(tok) - n + 1] = (key[n - 1 :] == key[: len(tok) - n + 1]) & (
                    pos[n - 1 :] - pos[: len(tok) - n + 1] == n - 1)
                valid &= same
                gram = gram + nxt_w
            m = valid & np.isin(gram, list(want))
            hits.append(pd.DataFrame({"doc_id": docs[m], "term": gram[m]}))
    found = pd.concat(hits, ignore_index=True) if hits else pd.DataFrame(columns=["doc_id", "term"])
    counts = found.groupby(["doc_id", "term"]).size()
    all_docs = sorted(pd.unique(docs)) if len(tok) else []
    idx = pd.MultiIndex.from_product([all_docs, terms], names=["doc_id", "term"])
    out = counts.reindex(idx, fill_value=0).rename("count").reset_index()
    out["count"] = out["count"].astype("int64")
    return out


def _with_groups(tokens: pd.DataFrame, by, documents) -> tuple[pd.DataFrame, list[str]]:
    """Per-document token totals and group columns (from tokens, else from documents)."""
    by = [by] if isinstance(by, str) else list(by or ())
    bad = [b for b in by if b not in _GROUPS]
    if bad:
        raise ValueError(f"by must name columns among {_GROUPS}, got {bad}")
    per_doc = tokens.groupby("doc_id", sort=True).size().rename("n_tokens").reset_index()
    per_doc["doc_id"] = per_doc["doc_id"].astype(str)
    attrs = _doc_attributes(documents)
    attrs["doc_id"] = attrs["doc_id"].astype(str)
    for b in by:
        if b in tokens.columns:
            vals = tokens.groupby("doc_id")[b].first()
            vals.index = vals.index.astype(str)
            per_doc[b] = per_doc["doc_id"].map(vals)
        elif documents is not None and b in attrs.columns:
            per_doc[b] = per_doc["doc_id"].map(attrs.set_index("doc_id")[b])
        else:
            raise ValueError(
                f"cannot group by {b!r}: the tokens table has no {b!r} column; "
                f"merge it from documents or pass documents=")
    return per_doc, by


def term_prevalence(tokens: pd.DataFrame, terms, by=("year",), documents: pd.DataFrame | None = None,
                    max_tokens: int = 4) -> pd.DataFrame:
    """Occurrences of ``terms`` per 10,000 tokens, by year and/or city (schema ``term_prevalence``).

    Parameters
    ----------
    tokens : DataFrame
        ``doc_id, [unit], position, token`` (policylab.segment.tokenize), optionally with ``year`` /
        ``city`` columns merged from documents.
    terms : list of str
        Terms to count (大模型, 算力, 数据, 5G, 智能制造, ...); see :func:`term_counts`.
    by : sequence of {'year', 'city'}
        Grouping; columns not grouped on are null in the result. ``()`` gives one row per term.
    documents : DataFrame, optional
        Where ``year`` / ``city`` come from when the tokens do not carry them (see
        :func:`document_years`).

    Returns
    -------
    DataFrame
        One row per group and term (zeros included), sorted by group then the order of ``terms``.

    Examples
    --------
    >>> tok = pd.DataFrame({"doc_id": ["a", "a", "b"], "position": [0, 1, 0], "token": ["算力", "数据", "算力"]})
    >>> docs = pd.DataFrame({"doc_id": ["a", "b"], "year": [2020, 2022]})
    >>> term_prevalence(tok, ["算力"], documents=docs)[["year", "term", "count", "per_10k"]].values.tolist()
    [[2020, '算力', 1, 5000.0], [2022, '算力', 1, 10000.0]]
    """
    per_doc, by = _with_groups(tokens, by, documents)
    counts = term_counts(tokens, terms, max_tokens=max_tokens).merge(per_doc, on="doc_id", how="left")
    keys = by + ["term"]
    if by:
        grp = per_doc.groupby(by, dropna=False).agg(n_tokens=("n_tokens", "sum"), n_docs=("doc_id", "nunique"))
        cnt = counts.groupby(keys, dropna=False)["count"].sum()
        out = cnt.reset_index().merge(grp.reset_index(), on=by, how="left")
    else:
        out = counts.groupby("term", sort=False)["count"].sum().reset_index()
        out["n_tokens"], out["n_docs"] = per_doc["n_tokens"].sum(), len(per_doc)
    out["per_10k"] = np.where(out["n_tokens"] > 0, out["count"] / out["n_tokens"].where(out["n_tokens"] > 0, 1) * 1e4,
                              np.nan)
    order = {t: i for i, t in enumerate(dict.fromkeys(str(t) for t in terms))}
    out["_t"] = out["term"].map(order)
    out = out.sort_values(by + ["_t"], kind="stable").drop(columns="_t")
    return schema.conform("term_prevalence", out)


def first_mentions(tokens: pd.DataFrame, terms, by: str | None = "city", documents: pd.DataFrame | None = None,
                   max_tokens: int = 4) -> pd.DataFrame:
    """The first year each term is used, per city (schema ``first_mentions``).

    A term never used in a city gets a row with null ``first_year`` and ``n_docs`` 0. Documents with
    no year cannot be a first mention (they still count in ``n_docs``).

    Parameters
    ----------
    tokens : pandas.DataFrame
        A tokens table (optionally with ``year`` / ``city``).
    terms : list of str
    by : str or None, default 'city'
        The group a first mention is looked for in (None: the whole corpus).
    documents : pandas.DataFrame, optional
        Supplies ``year`` / ``city`` by ``doc_id``.
    max_tokens : int, default 4
        See :func:`term_counts`.

    Returns
    -------
    pandas.DataFrame
        Schema ``first_mentions``.

    Examples
    --------
    >>> tok = pd.DataFrame({"doc_id": ["a", "b", "c"], "position": [0, 0, 0], "token": ["算力", "算力", "5G"],
    ...                     "year": [2023, 2020, 2019], "city": ["成都", "成都", "沈阳"]})
    >>> first_mentions(tok, ["算力"])[["city", "term", "first_year", "n_docs"]].to_dict("records")
    [{'city': '成都', 'term': '算力', 'first_year': 2020, 'n_docs': 2}, {'city': '沈阳', 'term': '算力', 'first_year': None, 'n_docs': 0}]
    """
    group = [by] if by else []
    per_doc, _ = _with_groups(tokens, group + ["year"], documents)
    counts = term_counts(tokens, terms, max_tokens=max_tokens).merge(per_doc, on="doc_id", how="left")
    rows = []
    groups = [(None, counts)] if not group else list(counts.groupby(by, sort=True, dropna=False))
    for g, sub in groups:
        for term in dict.fromkeys(str(t) for t in terms):
            s = sub[(sub["term"] == term) & (sub["count"] > 0)]
            dated = s.dropna(subset=["year"]).sort_values(["year", "doc_id"], kind="stable")
            rows.append(dict(city=g, term=term,
                             first_year=dated["year"].iloc[0] if len(dated) else pd.NA,
                             first_doc_id=dated["doc_id"].iloc[0] if len(dated) else pd.NA,
                             n_docs=s["doc_id"].nunique()))
    out = pd.DataFrame(rows, columns=["city", "term", "first_year", "first_doc_id", "n_docs"])
    out["city"] = out["city"].map(lambda v: pd.NA if _is_na(v) else v)
    return schema.conform("first_mentions", out)


# ---- topics over time ------------------------------------------------------------------------------


def topic_prevalence_over_time(unit_topics: pd.DataFrame, documents: pd.DataFrame, by=("year",)) -> pd.DataFrame:
    """Mean topic weight per year (and city) from the topics stage (schema ``topic_trends``).

    A reshaping of :func:`policylab.topics.prevalence` (the one topic-share function) with
    ``per="document"``: each document first gets the mean weight of its units (sections), so a long
    document counts as much as a short one; the year is then the mean over its documents. The year
    of a document follows :func:`document_years`; documents without one are left out.

    Parameters
    ----------
    unit_topics : pandas.DataFrame
        ``doc_id, [section_id], topic, weight`` (:meth:`policylab.topics.TopicModel.unit_topics`).
    documents : pandas.DataFrame
        ``doc_id`` and the date columns (and ``city`` for ``by=("year", "city")``).
    by : tuple of str, default ('year',)
        ``('year',)`` or ``('year', 'city')``.

    Returns
    -------
    pandas.DataFrame
        Schema ``topic_trends``, sorted by year, city, topic.

    Examples
    --------
    >>> ut = pd.DataFrame({"doc_id": ["a", "a", "b", "b"], "topic": [1, 2, 1, 2], "weight": [0.8, 0.2, 0.4, 0.6]})
    >>> docs = pd.DataFrame({"doc_id": ["a", "b"], "year": [2018, 2018]})
    >>> topic_prevalence_over_time(ut, docs)[["year", "topic", "weight"]].round(2).to_dict("records")
    [{'year': 2018, 'topic': 1, 'weight': 0.6}, {'year': 2018, 'topic': 2, 'weight': 0.4}]
    """
    by = [by] if isinstance(by, str) else list(by)
    if "year" not in by or any(b not in _GROUPS for b in by):
        raise ValueError(f"by must contain 'year' and may add 'city', got {by}")
    for c in ("doc_id", "topic", "weight"):
        if c not in unit_topics.columns:
            raise ValueError(f"unit_topics needs a {c!r} column (policylab.topics gives doc_id, section_id, topic, weight)")
    ut = unit_topics if "section_id" in unit_topics.columns else unit_topics.assign(section_id=pd.NA)
    attrs = _doc_attributes(documents).dropna(subset=["year"])
    if "city" in by:
        attrs = attrs.dropna(subset=["city"])
    # one key per (year[, city]) group, split back after
    attrs["_group"] = attrs[by].astype(str).agg("\x1f".join, axis=1)
    ut = ut[ut["doc_id"].astype(str).isin(set(attrs["doc_id"].astype(str)))]
    if ut.empty:
        return schema.empty("topic_trends")
    prev = topics.prevalence(ut, attrs[["doc_id", "_group"]], by="_group", per="document", n_boot=1)
    parts = prev["group"].str.split("\x1f", expand=True)
    out = pd.DataFrame({b: parts[i] for i, b in enumerate(by)})
    out["year"] = out["year"].astype(int)
    out["topic"] = prev["topic"].to_numpy()
    out["weight"] = prev["share"].to_numpy()
    out["n_docs"] = prev["n_units"].to_numpy()
    out = out.sort_values([*by, "topic"], kind="stable")
    return schema.conform("topic_trends", out)


# ---- targets compared ----------------------------------------------------------------------------------


def compare_targets(targets: pd.DataFrame, documents: pd.DataFrame | None = None, indicator_family=None,
                    unit=None, indicator_contains=None, kind: str = "target",
                    dated_only: bool = True) -> pd.DataFrame:
    """Like targets side by side across cities (schema ``target_comparison``).

    Parameters
    ----------
    targets : DataFrame
        The ``targets`` table.
    documents : DataFrame, optional
        Gives ``city`` and ``title`` (null without it).
    indicator_family, unit : str or list of str, optional
        Keep only these families / units (e.g. ``'industry_scale'``, ``'亿元'``).
    indicator_contains : str, optional
        Keep indicators containing this text (e.g. ``'核心产业'``).
    kind : {'target', 'support', None}
        Which kind of quantity (None keeps both).
    dated_only : bool
        Drop rows without a target year (they cannot sit on a time axis).

    Returns
    -------
    pandas.DataFrame
        Schema ``target_comparison``, sorted by city, target year, document.

    Examples
    --------
    >>> t = pd.DataFrame({"doc_id": ["a", "b"], "target_year": [2025, 2022], "indicator": ["核心产业规模"] * 2,
    ...                   "value": [300.0, 500.0], "unit": ["亿元"] * 2, "kind": ["target"] * 2,
    ...                   "indicator_family": ["industry_scale"] * 2})
    >>> docs = pd.DataFrame({"doc_id": ["a", "b"], "city": ["合肥", "成都"]})
    >>> compare_targets(t, docs, unit="亿元")[["city", "target_year", "value"]].to_dict("records")
    [{'city': '合肥', 'target_year': 2025, 'value': 300.0}, {'city': '成都', 'target_year': 2022, 'value': 500.0}]
    """
    t = targets.copy()

    def keep(col, val):
        nonlocal t
        if val is None or col not in t.columns:
            return
        vals = [val] if isinstance(val, str) else list(val)
        t = t[t[col].isin(vals)]

    keep("indicator_family", indicator_family)
    keep("unit", unit)
    keep("kind", kind)
    if indicator_contains is not None:
        t = t[t["indicator"].fillna("").str.contains(indicator_contains, regex=False)]
    if dated_only:
        t = t[t["target_year"].notna()]
    attrs = _doc_attributes(documents)
    t = t.assign(doc_id=t["doc_id"].astype(str)).merge(
        attrs.assign(doc_id=attrs["doc_id"].astype(str))[["doc_id", "city", "title"]], on="doc_id", how="left")
    t = t.sort_values(["city", "target_year", "doc_id"], kind="stable", na_position="last")
    cols = schema.columns("target_comparison")
    return schema.conform("target_comparison", t[[c for c in cols if c in t.columns]])
