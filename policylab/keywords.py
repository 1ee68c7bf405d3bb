"""Keyword statistics on a tokens table: frequency, TF-IDF, keyness, KWIC, co-occurrence, networks.

Every function takes the long tokens table of :func:`policylab.tokenize` (``doc_id, [unit],
position, token, pos``) and returns a DataFrame. Grouping is one argument, ``by=``: any column
of the tokens table, or of the documents table passed as ``documents=`` (merged on ``doc_id``;
``meta=`` is its deprecated old name), so "per city" or "per year" needs no manual join::

    freq = keywords.frequency(tokens, by="city", documents=corpus.documents)

Which tokens count is decided when tokenizing (stopwords, boilerplate, numbers, single
characters); these functions never drop tokens on their own, except through their explicit
``min_count``-style arguments.

Length: about 840 lines, of which some 380 are docstrings and examples and some 370 code. One
job holds it together: statistics on one tokens table. The grouped ones (:func:`frequency`,
:func:`tfidf`, :func:`keyness`, :func:`distinctive`, :func:`group_kwic`) join document fields
through the same helpers (:func:`attach`, the ``documents=`` argument); :func:`kwic` and
:func:`cooccurrence` read the same token positions and units, and :func:`keyword_network` draws
the co-occurrence table. :func:`cooccurrence`, :func:`kwic` and :func:`excluded_terms` are the long
ones.

Examples
--------
>>> import pandas as pd
>>> from policylab import keywords
>>> t = pd.DataFrame({"doc_id": ["a", "a", "a", "b"], "position": [0, 1, 2, 0],
...                   "token": ["算力", "算力", "数据", "算力"]})
>>> keywords.frequency(t)[["token", "n", "per_10k"]].values.tolist()
[['算力', 3, 7500.0], ['数据', 1, 2500.0]]
"""

from __future__ import annotations

from typing import Iterable, Sequence

import re
import warnings

import numpy as np
import pandas as pd

from policylab import resources, schema
from policylab.matrix import document_term_matrix
from policylab.segment import tokenize
from policylab.terms import discover_terms  # noqa: F401  (keywords.discover_terms, issue 13)

_TOKEN_COLS = ("doc_id", "position", "token", "pos")


# ---------------------------------------------------------------------------------------------
# grouping helpers


def attach(tokens: pd.DataFrame, meta: pd.DataFrame, on: str | Sequence[str] = "doc_id",
           columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Merge metadata columns (city, year, issuer ...) onto every token row.

    A left join that keeps the token order and refuses a ``meta`` with repeated keys (which
    would duplicate tokens).

    Parameters
    ----------
    tokens : pandas.DataFrame
    meta : pandas.DataFrame
        The documents table (or any table keyed by ``on``).
    on : str or list of str, default 'doc_id'
    columns : list of str, optional
        Columns of ``meta`` to add (default all not already in ``tokens``).

    Returns
    -------
    pandas.DataFrame
        ``tokens`` with the columns added, same rows and order.

    Examples
    --------
    >>> t = pd.DataFrame({"doc_id": ["a", "b"], "position": [0, 0], "token": ["算力", "数据"]})
    >>> m = pd.DataFrame({"doc_id": ["a", "b"], "city": ["南京", "合肥"]})
    >>> attach(t, m)["city"].tolist()
    ['南京', '合肥']
    """
    on = [on] if isinstance(on, str) else list(on)
    cols = list(meta.columns) if columns is None else list(dict.fromkeys([*on, *columns]))
    cols = [c for c in cols if c in on or c not in tokens.columns]
    out = tokens.merge(meta[cols], on=on, how="left", validate="many_to_one", sort=False)
    out.attrs = dict(tokens.attrs)
    return out


def _documents_arg(documents, meta):
    """``documents=`` is the grouping table's name everywhere; ``meta=`` still works, with a warning."""
    if meta is not None:
        if documents is not None:
            raise TypeError("pass documents= (meta= is its deprecated old name), not both")
        warnings.warn("meta= is deprecated: pass the grouping table as documents=", DeprecationWarning, stacklevel=3)
        return meta
    return documents


def _prepare(tokens: pd.DataFrame, by, meta) -> tuple[pd.DataFrame, list[str]]:
    by = [] if by is None else ([by] if isinstance(by, str) else list(by))
    if meta is not None:
        need = [c for c in by if c not in tokens.columns]
        tokens = attach(tokens, meta, columns=need)
    missing = [c for c in [*by, "token"] if c not in tokens.columns]
    if missing:
        raise ValueError(f"column(s) {missing} are not in the tokens table (pass documents= to merge "
                         f"document metadata); columns: {list(tokens.columns)}")
    return tokens, by


def _unit_col(tokens: pd.DataFrame, unit_col) -> str | None:
    """'auto': the column tokenize() puts after doc_id (e.g. section_id), if any."""
    if unit_col != "auto":
        return unit_col
    cols = list(tokens.columns)
    if len(cols) > 1 and cols[0] == "doc_id" and cols[1] not in _TOKEN_COLS:
        return cols[1]
    return None


def _sort_groups(df: pd.DataFrame, by: list[str], then: list[str], ascending: list[bool]) -> pd.DataFrame:
    return df.sort_values([*by, *then], ascending=[True] * len(by) + ascending,
                          kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# frequency and TF-IDF


def frequency(tokens: pd.DataFrame, by: str | Sequence[str] | None = None, *,
              documents: pd.DataFrame | None = None, min_count: int = 1, top: int | None = None,
              unit_cols: Sequence[str] = ("doc_id",), meta: pd.DataFrame | None = None) -> pd.DataFrame:
    """Token counts per group, raw and per 10,000 tokens of the group.

    Parameters
    ----------
    tokens : DataFrame
        A tokens table (optionally with metadata columns merged on).
    by : str or list of str, optional
        Grouping columns (``"doc_id"``, ``"city"``, ``["city", "year"]``); None = whole corpus.
    documents : DataFrame, optional
        Document table merged on ``doc_id`` to supply ``by`` columns (``meta=``: deprecated alias).
    min_count : int
        Drop tokens with fewer occurrences in a group (the group total is unaffected).
    top : int, optional
        Keep the ``top`` ranks per group.
    unit_cols : sequence of str
        What ``n_units`` counts (documents by default).

    Returns
    -------
    DataFrame
        ``[by...], token, n, n_tokens, per_10k, n_units, rank`` (schema ``keyword_frequency``
        after the ``by`` columns), sorted by group then rank.

    Examples
    --------
    >>> t = pd.DataFrame({"doc_id": ["a", "a", "b"], "position": [0, 1, 0],
    ...                   "token": ["算力", "数据", "算力"]})
    >>> frequency(t, by="doc_id")[["doc_id", "token", "n", "rank"]].values.tolist()
    [['a', '数据', 1, 1], ['a', '算力', 1, 2], ['b', '算力', 1, 1]]
    """

    df, by = _prepare(tokens, by, _documents_arg(documents, meta))
    unit_cols = [c for c in unit_cols if c in df.columns]
    keys = [*by, "token"]
    g = df.groupby(keys, sort=False, dropna=False, observed=True)
    out = g.size().rename("n").reset_index()
    if unit_cols:
        units = df[list(dict.fromkeys([*keys, *unit_cols]))].drop_duplicates()
        nu = units.groupby(keys, sort=False, dropna=False, observed=True).size().rename("n_units")
        out = out.merge(nu.reset_index(), on=keys, how="left")
    else:
        out["n_units"] = pd.NA
    if by:
        totals = df.groupby(by, sort=False, dropna=False, observed=True).size().rename("n_tokens")
        out = out.merge(totals.reset_index(), on=by, how="left")
    else:
        out["n_tokens"] = len(df)
    out["per_10k"] = out["n"] / out["n_tokens"] * 10_000
    out = out[out["n"] >= min_count]
    out = _sort_groups(out, by, ["n", "token"], [False, True])
    out["rank"] = out.groupby(by, sort=False, dropna=False).cumcount() + 1 if by else np.arange(1, len(out) + 1)
    if top is not None:
        out = out[out["rank"] <= top].reset_index(drop=True)
    body = schema.conform("keyword_frequency", out[schema.columns("keyword_frequency")])
    return pd.concat([out[by].reset_index(drop=True), body], axis=1)


def tfidf(tokens: pd.DataFrame, by: str | Sequence[str] = "doc_id", *, documents: pd.DataFrame | None = None,
          top: int | None = None, min_df: int | float = 1, max_df: int | float = 1.0,
          keep_single_chars: bool = True, tfidf_options: dict | None = None,
          meta: pd.DataFrame | None = None) -> pd.DataFrame:
    """TF-IDF weights of each token in each unit (scikit-learn, through :mod:`policylab.matrix`).

    Units are the ``by`` groups (documents by default; ``"city"`` makes one pseudo-document per
    city). Single-character tokens are kept by default: the tokens table already reflects that
    choice, and scikit-learn's token pattern is never used.

    Parameters
    ----------
    tokens : DataFrame
        A tokens table.
    by : str or list of str, default 'doc_id'
        The units terms are weighed in.
    documents : DataFrame, optional
        Document table merged on ``doc_id`` to supply ``by`` (``meta=``: deprecated alias).
    top : int, optional
        Keep the ``top`` ranks per unit.
    min_df, max_df : int or float
        Document-frequency bounds of :func:`policylab.matrix.document_term_matrix`; ``max_df``
        below 1.0 drops terms found in (almost) every unit, which then do not distinguish them.
    keep_single_chars : bool, default True
    tfidf_options : dict, optional
        Passed to scikit-learn's ``TfidfTransformer``.

    Returns
    -------
    DataFrame
        ``[by...], token, n, tfidf, rank`` (schema ``keyword_tfidf`` after ``by``), sorted by
        unit then rank (weight descending, ties by token).

    Examples
    --------
    >>> t = pd.DataFrame({"doc_id": ["a", "a", "b"], "position": [0, 1, 0],
    ...                   "token": ["算力", "云", "算力"]})
    >>> tfidf(t)[["doc_id", "token", "rank"]].values.tolist()
    [['a', '云', 1], ['a', '算力', 2], ['b', '算力', 1]]
    """

    df, by = _prepare(tokens, by, _documents_arg(documents, meta))
    if not by:
        raise ValueError("tfidf needs by= (the units to weigh terms in)")
    counts = document_term_matrix(df, by, min_df=min_df, max_df=max_df,
                                  keep_single_chars=keep_single_chars, weighting="count")
    weights = document_term_matrix(df, by, min_df=min_df, max_df=max_df,
                                   keep_single_chars=keep_single_chars, weighting="tfidf",
                                   tfidf_options=tfidf_options)
    c = counts.to_frame().rename(columns={"term": "token", "value": "n"})
    w = weights.to_frame().rename(columns={"term": "token", "value": "tfidf"})
    out = c.merge(w, on=[*by, "token"], how="left")
    out = _sort_groups(out, by, ["tfidf", "token"], [False, True])
    out["rank"] = out.groupby(by, sort=False, dropna=False).cumcount() + 1
    if top is not None:
        out = out[out["rank"] <= top].reset_index(drop=True)
    body = schema.conform("keyword_tfidf", out[schema.columns("keyword_tfidf")])
    return pd.concat([out[by].reset_index(drop=True), body], axis=1)


# ---------------------------------------------------------------------------------------------
# keyness


def keyness_2x2(a, b, n_target, n_reference, correction: bool = False) -> dict:
    """G2, chi2, expected counts, p-values and log ratio of 2x2 tables (vectorised).

    The table is ``[[a, b], [c, d]]`` with ``a``/``b`` the token's counts in the target and
    reference, ``c = n_target - a`` and ``d = n_reference - b``. G2 is the log-likelihood ratio
    over all four cells, ``2 * sum(O * ln(O / E))`` (0 ln 0 = 0), as in quanteda's
    ``textstat_keyness(measure="lr")``; chi2 is Pearson's over the four cells (Yates'
    correction when ``correction=True``). Both are signed: negative when the token is relatively
    more frequent in the reference. Log ratio (Hardie 2014) is ``log2((a/n_target) /
    (b/n_reference))`` with 0.5 in place of a zero count.

    Parameters
    ----------
    a, b : int or array-like
        The token's count in the target and in the reference.
    n_target, n_reference : int
        Token totals of target and reference.
    correction : bool, default False
        Yates' continuity correction for chi2.

    Returns
    -------
    dict
        Arrays ``g2``, ``p_g2``, ``chi2``, ``p_chi2``, ``expected_target``, ``expected_reference``,
        ``log_ratio``.

    Examples
    --------
    >>> r = keyness_2x2(10, 5, 1000, 2000)
    >>> round(float(r["g2"][0]), 6), round(float(r["chi2"][0]), 6)
    (6.969192, 7.537688)
    """
    from scipy import stats

    a = np.asarray(a, dtype=float).reshape(-1)
    b = np.asarray(b, dtype=float).reshape(-1)
    nt = np.broadcast_to(np.asarray(n_target, dtype=float), a.shape)
    nr = np.broadcast_to(np.asarray(n_reference, dtype=float), a.shape)
    c, d = nt - a, nr - b
    n = nt + nr
    row1 = a + b
    row2 = c + d
    e = [row1 * nt / n, row1 * nr / n, row2 * nt / n, row2 * nr / n]
    o = [a, b, c, d]
    with np.errstate(divide="ignore", invalid="ignore"):
        g2 = 2 * sum(np.where(oi > 0, oi * np.log(oi / ei), 0.0) for oi, ei in zip(o, e))
        if correction:
            chi2 = sum(np.maximum(np.abs(oi - ei) - 0.5, 0) ** 2 / ei for oi, ei in zip(o, e))
        else:
            chi2 = sum((oi - ei) ** 2 / ei for oi, ei in zip(o, e))
    sign = np.where(a >= e[0], 1.0, -1.0)
    g2 = np.abs(g2)
    aa = np.where(a == 0, 0.5, a)
    bb = np.where(b == 0, 0.5, b)
    return {
        "expected_target": e[0], "expected_reference": e[1],
        "g2": sign * g2, "p_g2": stats.chi2.sf(g2, 1),
        "chi2": sign * chi2, "p_chi2": stats.chi2.sf(chi2, 1),
        "log_ratio": np.log2((aa / nt) / (bb / nr)),
    }


def keyness(tokens: pd.DataFrame, target, by: str | Sequence[str] = "doc_id", *,
            reference=None, documents: pd.DataFrame | None = None, min_count: int = 1,
            correction: bool = False, top: int | None = None, meta: pd.DataFrame | None = None) -> pd.DataFrame:
    """Keyness of every token in a target group against a reference group.

    Parameters
    ----------
    tokens : DataFrame
    target : scalar, tuple or list
        Value(s) of ``by`` that make the target group (a tuple for several ``by`` columns).
    by : str or list of str
        The grouping column(s), e.g. ``"city"``.
    reference : same as target, optional
        The reference group; default: every other row.
    documents : DataFrame, optional
        Document table merged on ``doc_id`` to supply ``by`` (``meta=``: deprecated alias).
    min_count : int
        Keep tokens with at least this many occurrences in target and reference together.
    correction : bool
        Yates' continuity correction for chi2.
    top : int, optional
        Keep the ``top`` most key tokens for the target (and nothing else).

    Returns
    -------
    DataFrame
        Schema ``keyness``, sorted by signed G2 descending (ties by token).

    Examples
    --------
    >>> t = pd.DataFrame({"doc_id": list("aaaabbbb"), "position": [0, 1, 2, 3] * 2,
    ...                   "token": ["算力", "算力", "算力", "数据", "数据", "数据", "数据", "算力"]})
    >>> k = keyness(t, target="a")
    >>> k["token"].tolist(), bool(k["g2"].iloc[0] > 0)
    (['算力', '数据'], True)
    """

    df, by = _prepare(tokens, by, _documents_arg(documents, meta))

    def select(values):
        values = values if isinstance(values, list) else [values]
        if len(by) == 1:
            return df[by[0]].isin([v[0] if isinstance(v, tuple) else v for v in values]).to_numpy()
        keys = pd.MultiIndex.from_frame(df[by])
        return keys.isin([tuple(v) for v in values])

    in_t = select(target)
    in_r = select(reference) if reference is not None else ~in_t
    if not in_t.any():
        raise ValueError(f"keyness: no tokens with {by} == {target!r}")
    if not in_r.any():
        raise ValueError("keyness: the reference group is empty")
    ct = df.loc[in_t, "token"].value_counts()
    cr = df.loc[in_r & ~in_t, "token"].value_counts()
    out = pd.DataFrame({"n_target": ct, "n_reference": cr}).fillna(0).astype("int64")
    out.index.name = "token"
    out = out.reset_index()
    nt, nr = int(ct.sum()), int(cr.sum())
    out = out[out["n_target"] + out["n_reference"] >= min_count]
    stats = keyness_2x2(out["n_target"], out["n_reference"], nt, nr, correction=correction)
    for k, v in stats.items():
        out[k] = v
    out["per_10k_target"] = out["n_target"] / nt * 10_000
    out["per_10k_reference"] = out["n_reference"] / nr * 10_000
    out = out.sort_values(["g2", "token"], ascending=[False, True], kind="stable").reset_index(drop=True)
    out["rank"] = np.arange(1, len(out) + 1)
    if top is not None:
        out = out[(out["rank"] <= top) & (out["g2"] > 0)]
    out = schema.conform("keyness", out[schema.columns("keyness")])
    out.attrs.update({"n_tokens_target": nt, "n_tokens_reference": nr})
    return out


# ---------------------------------------------------------------------------------------------
# KWIC


def kwic(tokens: pd.DataFrame, keyword: str | Iterable[str], window: int = 10, *,
         regex: bool = False, unit_col: str | None = "auto", sep: str = "") -> pd.DataFrame:
    """Keyword in context: every occurrence of a token with ``window`` tokens either side.

    Parameters
    ----------
    tokens : DataFrame
        A tokens table. For readable context use the full stream:
        ``tokenize(docs, stopwords=False, punctuation=True, numbers="keep")``.
    keyword : str or iterable of str
        Token(s) to find; a single string containing several tokens' worth of text (e.g.
        ``"人工智能产业"``) matches consecutive tokens that spell it.
    window : int
        Tokens of context on each side (counted in rows of ``tokens``, within one unit).
    regex : bool
        Treat ``keyword`` as a regular expression matched against single tokens.
    unit_col : str, None or 'auto'
        Unit column ('auto': the column ``tokenize`` put after ``doc_id``, e.g. ``section_id``).
    sep : str
        Joiner of context tokens ('' for Chinese).

    Returns
    -------
    DataFrame
        Schema ``kwic``: ``doc_id, unit, position, left, keyword, right`` in text order.

    Examples
    --------
    >>> t = pd.DataFrame({"doc_id": ["a"] * 5, "position": range(5),
    ...                   "token": ["建设", "智算中心", ",", "发放", "算力券"]})
    >>> kwic(t, "智算中心", window=2)[["left", "keyword", "right"]].values.tolist()
    [['建设', '智算中心', ',发放']]
    """
    import re


    unit_col = _unit_col(tokens, unit_col)
    toks = tokens["token"].astype("string").fillna("").to_numpy(dtype=object)
    n = len(toks)
    group_cols = ["doc_id"] + ([unit_col] if unit_col else [])
    gid = tokens.groupby(group_cols, sort=False, dropna=False).ngroup().to_numpy()

    hits: list[tuple[int, int]] = []  # (first row, number of rows)
    if regex:
        pat = re.compile(keyword)
        hits = [(i, 1) for i, t in enumerate(toks) if pat.search(t)]
    else:
        words = [keyword] if isinstance(keyword, str) else list(keyword)
        single = {w for w in words}
        for i, t in enumerate(toks):
            if t in single:
                hits.append((i, 1))
                continue
            for w in words:  # a keyword spelled by consecutive tokens of one unit
                if t and w.startswith(t) and len(w) > len(t):
                    j, s = i, t
                    while s != w and j + 1 < n and gid[j + 1] == gid[i] and w.startswith(s + toks[j + 1]):
                        j += 1
                        s += toks[j]
                    if s == w:
                        hits.append((i, j - i + 1))
                        break
    rows = []
    pos = tokens["position"].to_numpy() if "position" in tokens.columns else np.arange(n)
    doc = tokens["doc_id"].to_numpy()
    unit = tokens[unit_col].to_numpy() if unit_col else None
    for i, k in hits:
        g = gid[i]
        lo = i
        while lo > 0 and i - lo < window and gid[lo - 1] == g:
            lo -= 1
        hi = i + k
        while hi < n and hi - (i + k) < window and gid[hi] == g:
            hi += 1
        rows.append({
            "doc_id": doc[i],
            "unit": None if unit is None or pd.isna(unit[i]) else str(unit[i]),
            "position": pos[i],
            "left": sep.join(toks[lo:i]),
            "keyword": sep.join(toks[i:i + k]),
            "right": sep.join(toks[i + k:hi]),
        })
    if not rows:
        return schema.empty("kwic")
    return schema.conform("kwic", pd.DataFrame(rows))


# ---------------------------------------------------------------------------------------------
# co-occurrence and networks


def cooccurrence(tokens: pd.DataFrame, window: int | None = 5, *, unit_col: str | None = "auto",
                 min_count: int = 2, vocabulary: Iterable[str] | None = None,
                 max_terms: int | None = None) -> pd.DataFrame:
    """Pairs of tokens that occur near each other, with counts and PMI.

    Parameters
    ----------
    tokens : DataFrame
    window : int or None
        With an int, two tokens co-occur when they stand in the same unit at most ``window``
        positions apart. Positions are those of the full token stream, so stopwords removed
        before still count as distance (a window is a span of text). Each pair of token rows is
        counted once; ``n_a``/``n_b`` are token counts and PMI uses ``p(a,b) = n / pairs``,
        ``p(a) = n_a / tokens``. With None, the unit is the window: ``n`` is the number of
        units containing both tokens, ``n_a``/``n_b`` units containing each, probabilities are
        over units.
    unit_col : str, None or 'auto'
        Unit column beside ``doc_id`` ('auto' = the one ``tokenize`` added, e.g. ``section_id``).
    min_count : int
        Keep pairs with ``n >= min_count``.
    vocabulary : iterable of str, optional
        Only these tokens take part.
    max_terms : int, optional
        Only the ``max_terms`` most frequent tokens take part (ties by token).

    Returns
    -------
    DataFrame
        Schema ``cooccurrence`` (``token_a < token_b``), sorted by ``n`` descending, then tokens.

    Examples
    --------
    >>> t = pd.DataFrame({"doc_id": ["a"] * 4, "position": [0, 1, 2, 3],
    ...                   "token": ["算力", "数据", "算力", "数据"]})
    >>> cooccurrence(t, window=1, min_count=1)[["token_a", "token_b", "n"]].values.tolist()
    [['数据', '算力', 3]]
    """

    unit_col = _unit_col(tokens, unit_col)
    group_cols = ["doc_id"] + ([unit_col] if unit_col else [])
    df = tokens[[*group_cols, "position", "token"]].dropna(subset=["token"])
    if vocabulary is not None:
        df = df[df["token"].isin(set(vocabulary))]
    if max_terms is not None:
        counts = df["token"].value_counts()
        counts = counts.rename_axis("token").reset_index(name="n").sort_values(
            ["n", "token"], ascending=[False, True], kind="stable")
        df = df[df["token"].isin(set(counts["token"].head(max_terms)))]
    df = df.reset_index(drop=True)
    if df.empty:
        return schema.empty("cooccurrence")

    if window is None:
        dtm = document_term_matrix(df, group_cols, keep_single_chars=True, weighting="binary")
        x = dtm.matrix
        co = (x.T @ x).tocoo()
        upper = co.row < co.col
        terms = np.asarray(dtm.terms, dtype=object)
        df_counts = np.asarray(x.sum(axis=0)).ravel()
        out = pd.DataFrame({"token_a": terms[co.row[upper]], "token_b": terms[co.col[upper]],
                            "n": co.data[upper], "n_a": df_counts[co.row[upper]],
                            "n_b": df_counts[co.col[upper]]})
        total_pairs = n_events = x.shape[0]
    else:
        if window < 1:
            raise ValueError("window must be >= 1 (or None for unit co-occurrence)")
        gid = df.groupby(group_cols, sort=False, dropna=False).ngroup().to_numpy()
        key = pd.DataFrame({"g": gid, "p": df["position"].to_numpy(dtype=np.int64),
                            "t": df["token"].to_numpy(dtype=object)})
        key = key.sort_values(["g", "p"], kind="stable").reset_index(drop=True)
        g, p, t = key["g"].to_numpy(), key["p"].to_numpy(), key["t"].to_numpy()
        left, right = [], []
        for k in range(1, len(key)):  # row offset; stop when no pair is within the window
            same = (g[k:] == g[:-k]) & (p[k:] - p[:-k] <= window)
            if not same.any():
                break
            left.append(t[:-k][same])
            right.append(t[k:][same])
        if not left:
            return schema.empty("cooccurrence")
        a = np.concatenate(left)
        b = np.concatenate(right)
        keep = a != b
        a, b = a[keep], b[keep]
        lo = np.where(a < b, a, b)
        hi = np.where(a < b, b, a)
        pairs = pd.DataFrame({"token_a": lo, "token_b": hi})
        out = pairs.groupby(["token_a", "token_b"], sort=False).size().rename("n").reset_index()
        tf = key["t"].value_counts()
        out["n_a"] = out["token_a"].map(tf).to_numpy()
        out["n_b"] = out["token_b"].map(tf).to_numpy()
        total_pairs, n_events = len(pairs), len(key)
    if out.empty:
        return schema.empty("cooccurrence")
    p_ab = out["n"] / total_pairs
    p_a = out["n_a"] / n_events
    p_b = out["n_b"] / n_events
    out["pmi"] = np.log2(p_ab / (p_a * p_b))
    with np.errstate(divide="ignore", invalid="ignore"):
        npmi = out["pmi"] / -np.log2(p_ab)
    out["npmi"] = np.where(p_ab >= 1, 1.0, npmi)
    out = out[out["n"] >= min_count]
    out = out.sort_values(["n", "token_a", "token_b"], ascending=[False, True, True], kind="stable")
    return schema.conform("cooccurrence", out)


def keyword_network(cooc: pd.DataFrame, *, min_count: int = 1, max_edges: int | None = 200,
                    weight: str = "n"):
    """A networkx graph of co-occurring tokens and a table of its nodes' centralities.

    Parameters
    ----------
    cooc : DataFrame
        Output of :func:`cooccurrence`.
    min_count : int
        Keep edges with ``n >= min_count``.
    max_edges : int, optional
        Keep the strongest edges only (by ``weight`` descending, ties by tokens); betweenness is
        exact, so this bounds the cost.
    weight : str
        Column of ``cooc`` used as edge weight (``"n"``, ``"pmi"`` or ``"npmi"``).

    Returns
    -------
    (networkx.Graph, DataFrame)
        The graph (edge attributes ``weight`` and ``n``, node attribute ``frequency``) and the
        nodes table (schema ``keyword_nodes``) sorted by weighted degree descending, then token.

    Examples
    --------
    >>> c = pd.DataFrame({"token_a": ["数据", "数据"], "token_b": ["算力", "模型"], "n": [3, 1],
    ...                   "n_a": [4, 4], "n_b": [3, 1], "pmi": [1.0, 1.0], "npmi": [0.5, 0.5]})
    >>> g, nodes = keyword_network(c)
    >>> nodes[["token", "degree", "betweenness"]].values.tolist()
    [['数据', 2, 1.0], ['算力', 1, 0.0], ['模型', 1, 0.0]]
    """
    import networkx as nx


    c = cooc[cooc["n"] >= min_count]
    c = c.sort_values([weight, "token_a", "token_b"], ascending=[False, True, True], kind="stable")
    if max_edges is not None:
        c = c.head(max_edges)
    g = nx.Graph()
    freq: dict[str, int] = {}
    for r in c.itertuples(index=False):
        g.add_edge(r.token_a, r.token_b, weight=float(getattr(r, weight)), n=int(r.n))
        freq[r.token_a] = int(r.n_a)
        freq[r.token_b] = int(r.n_b)
    nx.set_node_attributes(g, freq, "frequency")
    if g.number_of_nodes() == 0:
        return g, schema.empty("keyword_nodes")
    btw = nx.betweenness_centrality(g, normalized=True)
    dc = nx.degree_centrality(g)
    nodes = pd.DataFrame({
        "token": list(g.nodes),
        "frequency": [freq[n] for n in g.nodes],
        "degree": [g.degree(n) for n in g.nodes],
        "weighted_degree": [float(g.degree(n, weight="weight")) for n in g.nodes],
        "degree_centrality": [dc[n] for n in g.nodes],
        "betweenness": [btw[n] for n in g.nodes],
    })
    nodes = nodes.sort_values(["weighted_degree", "token"], ascending=[False, True], kind="stable")
    return g, schema.conform("keyword_nodes", nodes)


# ---------------------------------------------------------------------------------------------
# distinctive words: what sets a group apart, without the words that only name it


# a token directly before one of these names a place (天府 新区, 江北 新区, 沈阳 市)
PLACE_SUFFIXES = frozenset({"新区", "高新区", "开发区", "经开区", "自贸区", "新城", "市", "省", "县", "自治州", "自治区"})
# a token ending so names an organ (市工信局, 发展改革委, 市政府办公厅)
# (布局, 格局, 全局 and 大局 end in 局 but are not organs)
_ORGAN_TOKEN = re.compile(r"(?:(?<![布格全大结当])局|委员会|委|厅|办公室|管委会|人民政府)$")


def excluded_terms(tokens: pd.DataFrame, documents: pd.DataFrame | None = None,
                   agencies: pd.DataFrame | None = None, *, title_tokens: pd.DataFrame | None = None) -> pd.DataFrame:
    """The tokens a distinctive-word view leaves out, each with its reason.

    The rule extends :func:`policylab.topics.section_tokens` (which drops the documents' city
    names) to every word that only *names* a document's place, organs or theme:

    - ``place``: the documents' cities and provinces (with 市/省) and their document-number
      prefixes (宁 for 南京, 沈 for 沈阳) from the gazetteer, every gazetteer name and short name,
      and any token the text itself marks as a place by putting 新区, 开发区, 市, 省, 县 ... right
      after it (天府 in 天府新区);
    - ``agency``: the agencies of ``agencies`` and any token ending in 局, 委, 厅, 办公室 ...;
    - ``theme``: the corpus's theme words, the tokens found in at least half of the titles (and in
      two or more of them; a one-title corpus: its title's tokens), e.g. 人工智能, 新一代.

    Parameters
    ----------
    tokens : pandas.DataFrame
        A tokens table (:func:`policylab.tokenize`; positions keep the true distance between tokens).
    documents : pandas.DataFrame, optional
        ``city``, ``province`` (places) and ``title`` (theme words) by document.
    agencies : pandas.DataFrame, optional
        The corpus' ``agencies`` table.
    title_tokens : pandas.DataFrame, optional
        Tokens of the titles (``doc_id, token``); default: the titles tokenized here.

    Returns
    -------
    pandas.DataFrame
        ``term, reason``, one row per excluded term found in ``tokens`` (first reason wins in the
        order place, agency, theme), sorted by reason then term.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"doc_id": ["a"] * 5, "position": [0, 1, 3, 4, 6],
    ...                   "token": ["天府", "新区", "人工智能", "市工信局", "算力"]})
    >>> titles = pd.DataFrame({"doc_id": ["a"], "token": ["人工智能"]})
    >>> excluded_terms(t, title_tokens=titles).values.tolist()
    [['市工信局', 'agency'], ['天府', 'place'], ['人工智能', 'theme']]
    """

    vocab = set(tokens["token"].astype(str)) if len(tokens) else set()
    reasons: dict[str, str] = {}

    def add(words, reason):
        for w in words:
            if w in vocab and w not in reasons:
                reasons[w] = reason

    # places
    gaz = pd.read_csv(resources.path("gazetteer.csv"), dtype=str, keep_default_na=False)
    places = set(gaz["name"]) | set(gaz["short"])
    if documents is not None:
        mine = set()
        for col in ("city", "province"):
            if col in documents.columns:
                mine |= set(documents[col].dropna().astype(str))
        places |= {f"{p}市" for p in mine} | {f"{p}省" for p in mine}
        rows = gaz[gaz["short"].isin(mine)]
        places |= {x for v in rows["doc_prefixes"] for x in v.split("|") if x}
    if len(tokens):
        keys = [c for c in tokens.columns if c in ("doc_id", "section_id")]
        t = tokens.sort_values([*keys, "position"], kind="stable")
        nxt = t.groupby(keys, sort=False)["token"].shift(-1)
        gap = t.groupby(keys, sort=False)["position"].shift(-1) - t["position"]
        places |= set(t.loc[nxt.isin(PLACE_SUFFIXES) & (gap == 1), "token"].astype(str))
    add(sorted(places), "place")
    # agencies
    organs = {w for w in vocab if _ORGAN_TOKEN.search(w) and len(w) >= 2}
    if agencies is not None and "agency" in agencies.columns:
        organs |= set(agencies["agency"].dropna().astype(str))
    add(sorted(organs), "agency")
    # theme words
    if title_tokens is None and documents is not None and "title" in documents.columns:
        titled = documents.dropna(subset=["title"])[["doc_id", "title"]].rename(columns={"title": "text"})
        title_tokens = tokenize(titled, boilerplate=True, progress=False) if len(titled) else None
    if title_tokens is not None and len(title_tokens):
        n_titles = title_tokens["doc_id"].nunique()
        df = title_tokens.groupby("token")["doc_id"].nunique()
        need = 1 if n_titles == 1 else max(2, -(-n_titles // 2))
        add(sorted(df[df >= need].index.astype(str)), "theme")
    out = pd.DataFrame(sorted(reasons.items(), key=lambda kv: (kv[1], kv[0])), columns=["term", "reason"])
    return out.astype({"term": "string", "reason": "string"})


def distinctive(tokens: pd.DataFrame, by: str = "group", *, documents: pd.DataFrame | None = None,
                exclude: Iterable[str] = (), min_count: int = 3) -> pd.DataFrame:
    """Keyness of every group against all the others, stacked, without the excluded terms.

    Parameters
    ----------
    tokens : pandas.DataFrame
        A tokens table.
    by : str, default 'group'
        The grouping column (of ``tokens`` or of ``documents``).
    documents : pandas.DataFrame, optional
        Supplies ``by`` by ``doc_id``.
    exclude : iterable of str
        Terms left out before counting (e.g. ``excluded_terms(...)["term"]``).
    min_count : int, default 3
        Passed to :func:`keyness`.

    Returns
    -------
    pandas.DataFrame
        ``by`` then the ``keyness`` schema's columns, groups in sorted order; empty (with those
        columns) when there are fewer than two groups: a group needs others to differ from.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"doc_id": list("aaaabbbb"), "position": [0, 1, 2, 3] * 2,
    ...                   "token": ["算力", "算力", "算力", "南京", "数据", "数据", "数据", "算力"]})
    >>> d = pd.DataFrame({"doc_id": ["a", "b"], "group": ["南京", "合肥"]})
    >>> k = distinctive(t, documents=d, exclude=["南京"], min_count=1)
    >>> k.groupby("group").head(1)[["group", "token"]].values.tolist()
    [['南京', '算力'], ['合肥', '数据']]
    >>> len(distinctive(t, documents=d.assign(group="南京")))
    0
    """

    df, cols = _prepare(tokens, by, documents)
    df = df[~df["token"].isin(set(exclude))]
    groups = sorted(df[by].dropna().unique())
    if len(groups) < 2:
        return pd.DataFrame({by: pd.Series(dtype="string"), **{c: schema.empty("keyness")[c]
                                                              for c in schema.columns("keyness")}})
    parts = [keyness(df, target=g, by=by, min_count=min_count).assign(**{by: g}) for g in groups]
    out = pd.concat(parts, ignore_index=True)
    return out[[by, *[c for c in out.columns if c != by]]]


def group_kwic(tokens: pd.DataFrame, terms: dict, by: str = "group", *, documents: pd.DataFrame | None = None,
               window: int = 12) -> pd.DataFrame:
    """KWIC lines of each group's own term, read in that group's documents only.

    Parameters
    ----------
    tokens : pandas.DataFrame
        A full token stream (stopwords and punctuation kept, so the context reads as text).
    terms : dict
        Group -> term (e.g. each group's most distinctive word).
    by : str, default 'group'
        The grouping column (of ``tokens`` or ``documents``).
    documents : pandas.DataFrame, optional
        Supplies ``by`` by ``doc_id``.
    window : int, default 12

    Returns
    -------
    pandas.DataFrame
        ``by`` then the columns of :func:`kwic`; groups in the order of ``terms``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"doc_id": ["a", "a", "b", "b"], "position": [0, 1, 0, 1],
    ...                   "token": ["建设", "算力", "建设", "算力"]})
    >>> d = pd.DataFrame({"doc_id": ["a", "b"], "group": ["南京", "合肥"]})
    >>> group_kwic(t, {"南京": "算力"}, documents=d, window=1)[["group", "doc_id", "left", "keyword"]].values.tolist()
    [['南京', 'a', '建设', '算力']]
    """
    df, _ = _prepare(tokens, by, documents)
    parts = []
    for g, term in terms.items():
        sub = df[df[by] == g].drop(columns=[by])
        if len(sub):
            k = kwic(sub, term, window=window)
            parts.append(k.assign(**{by: g}))
    if not parts:
        empty = kwic(tokens.iloc[:0], "_", window=window)
        return empty.assign(**{by: pd.Series(dtype="string")})[[by, *empty.columns]]
    out = pd.concat(parts, ignore_index=True)
    return out[[by, *[c for c in out.columns if c != by]]]
