"""Reuse: passages two documents share, oriented in time, and citations as links between documents.

This is *passage*-level text reuse, not deduplication. :mod:`policylab.dedup` finds whole-document
copies (the same plan scraped twice) and keeps one; here both documents are kept and the question
is which *parts* of one recur in another: a measure a city took over from an earlier city, a
paragraph of the national plan echoed in a provincial one.

Method (seed and extend, as passim does):

1. **Skeleton.** Each document's clean ``text`` is reduced to its letters, digits and Han
   characters (punctuation and spaces dropped, so ``,`` against ``，`` or a line break is no edit),
   with every skeleton character mapped back to its offset in ``text``. Boilerplate of the
   official-document frame -- addressee lines (各区县人民政府,市政府各部门:), signature and date
   lines, the notice formula (现将《…》印发给你们), the opening clause (为深入贯彻落实…精神,), cited
   titles in 《…》 (citations are links, see below), responsibility clauses (责任单位:…) and a few
   political formulas -- is masked: no seed is taken from it. The patterns are data, in
   ``resources/reuse_boilerplate.csv``.
2. **Seeds from an inverted index.** Every character n-gram (``ngram`` characters, default 8) of
   every skeleton is hashed; the hashes are sorted once, so n-grams shared by documents sit
   together. An n-gram found in more than ``max_df`` documents is boilerplate of the corpus and
   gives no seed (passim's ``max-df``); the others give one seed per pair of documents holding
   them. Candidate pairs come only from shared seeds: there is no step over all pairs of
   documents, and the work per document is bounded by ``ngram count x max_df``.
3. **Extend.** Seeds on one diagonal (same offset between the two documents) merge into runs,
   bridging substitutions; runs whose gaps are at most ``max_gap`` characters in both documents
   chain into one passage, bridging insertions and deletions; the ends are extended while the
   characters agree. The characters matched are the runs' plus those difflib matches inside the
   gaps; ``similarity`` is ``2 * matched / (len_a + len_b)`` over the two spans (1.0 for an exact
   copy). Passages with at least ``min_chars`` matched characters outside boilerplate and
   ``min_similarity`` are kept (a passage may run on over boilerplate both texts share, but
   boilerplate alone never makes one).
   Passages reordered between two documents come out as separate rows.

Traditional documents are converted to Simplified by the clean stage, so a Traditional copy of a
Simplified passage is found like any other copy.

**Direction** (:func:`orient`): a shared passage is oriented from the earlier document to the later
one -- by both 成文 dates (``issued``) when both documents have one, else by the year rule's
``year`` (issued, else effective_from, else published, else plan_start) when the years differ.
``direction_basis`` says which. Documents of the same year without two issue dates, or without a
year, stay undirected: the dates cannot order them. ``from_higher_level`` marks text shared with a
higher level of government (national > provincial > municipal > county).

**Citations** (:func:`link_citations`): a cited 文号 or title is matched to a document of the corpus;
unmatched citations are kept, so the documents the corpus lacks can be listed
(:func:`missing_citations`).

**Reference documents** (:func:`with_reference`): national or provincial documents from a second
folder join the corpus marked ``reference=True``; they take part in reuse and citation matching,
and :func:`local_documents` leaves them out of statistics about the corpus' own documents.

Length: about 780 lines, of which some 300 are docstrings and examples and some 390 code. One job
holds it together: passages two documents share -- finding them (:func:`find` with its boilerplate,
n-gram seed and chaining helpers, about 280 lines), orienting them in time (:func:`orient`,
:func:`reuse_pairs`), and setting them against the citations (:func:`missing_citations`); the
``describe_*`` functions write sentences on the same tables.

Examples
--------
>>> import pandas as pd
>>> from policylab import reuse
>>> shared = "加快建设人工智能创新应用先导区,推动智能制造、智慧交通和智慧医疗等领域开展应用示范,培育一批具有全国影响力的人工智能领军企业。"
>>> docs = pd.DataFrame({"doc_id": ["a", "b"],
...                      "text": ["总体要求。" + shared + "其他内容不同。", "我市将" + shared.replace("一批", "若干")]})
>>> p = reuse.find(docs, min_chars=30)
>>> p[["doc_a", "doc_b", "chars", "similarity", "directed", "direction_basis"]].values.tolist()
[['a', 'b', 57, 0.9661, False, 'no_date']]
>>> p.loc[0, "text_b"][:8]
'加快建设人工智能'
"""

from __future__ import annotations

import csv
import difflib
import functools
import re

import numpy as np
import pandas as pd

from policylab import resources, schema
from policylab.corpus import local_documents, with_reference  # noqa: F401  (public here too)
from policylab.structure import (  # noqa: F401  (public here too)
    _NOTICE,
    _TITLE_DROP,
    _norm_cited_title,
    _title_keys,
    cited_level,
    link_citations,
)

DEFAULT_NGRAM = 8
DEFAULT_MIN_CHARS = 50
DEFAULT_MAX_DF = 50
DEFAULT_MAX_GAP = 24
DEFAULT_MIN_SIMILARITY = 0.6
MAX_REPEAT = 3  # an n-gram's occurrences kept per document (more are a document's own refrain)
LEVEL_RANK = {"national": 3, "provincial": 2, "municipal": 1, "county": 0}
_P = np.uint64(1_000_003)


# ---------------------------------------------------------------------------------------------
# boilerplate of the official-document frame


@functools.lru_cache(maxsize=1)
def boilerplate_patterns() -> tuple[tuple[str, str, re.Pattern], ...]:
    """``(kind, scope, regex)`` rows of ``resources/reuse_boilerplate.csv``.

    ``scope`` is ``line`` (the whole line is frame text when the pattern matches it) or ``span``
    (only the matched span is).

    Examples
    --------
    >>> sorted({kind for kind, _, _ in boilerplate_patterns()})[:3]
    ['addressee', 'cited_title', 'date_line']
    """
    with open(resources.path("reuse_boilerplate.csv"), encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return tuple((r["kind"], r["scope"], re.compile(r["pattern"], re.M)) for r in rows)


def boilerplate_spans(text: str) -> list[tuple[int, int, str]]:
    """Spans ``(start, end, kind)`` of ``text`` that are frame boilerplate (never reuse seeds).

    Parameters
    ----------
    text : str
        A document's clean text (one paragraph per line).

    Returns
    -------
    list of tuple
        Sorted by start.

    Examples
    --------
    >>> t = "各区县人民政府,市政府各部门:\\n为深入贯彻落实国家规划精神,加快发展人工智能。"
    >>> [(kind, t[s:e]) for s, e, kind in boilerplate_spans(t)]
    [('addressee', '各区县人民政府,市政府各部门:'), ('opening_formula', '为深入贯彻落实国家规划精神,')]
    """
    out = []
    for kind, scope, rx in boilerplate_patterns():
        for m in rx.finditer(text):
            if m.end() > m.start():
                out.append((m.start(), m.end(), kind))
    return sorted(out)


# ---------------------------------------------------------------------------------------------
# skeletons and the n-gram index


@functools.lru_cache(maxsize=1 << 16)
def _is_word(cp: int) -> bool:
    return chr(cp).isalnum()


def _skeletons(texts: list[str]):
    """Concatenated skeleton codes, per-document bounds, offsets into each text and validity."""
    codes_l, pos_l, valid_l, bounds = [], [], [], [0]
    for t in texts:
        cps = np.frombuffer(t.encode("utf-32-le"), dtype="<u4") if t else np.zeros(0, "<u4")
        uniq, inv = np.unique(cps, return_inverse=True)
        word = np.fromiter((_is_word(int(c)) for c in uniq), dtype=bool, count=len(uniq))[inv]
        masked = np.zeros(len(cps), dtype=bool)
        for s, e, _ in boilerplate_spans(t):
            masked[s:e] = True
        pos = np.flatnonzero(word).astype(np.int32)
        codes_l.append(cps[pos])
        pos_l.append(pos)
        valid_l.append(~masked[pos])
        bounds.append(bounds[-1] + len(pos))
    codes = np.concatenate(codes_l) if codes_l else np.zeros(0, "<u4")
    valid = np.concatenate(valid_l) if valid_l else np.zeros(0, bool)
    return codes, np.asarray(bounds, dtype=np.int64), pos_l, valid


def _ngram_postings(codes, bounds, valid, n):
    """(hash, doc, position) of every valid n-gram that does not cross a document boundary."""
    L = len(codes) - n + 1
    if L <= 0:
        z = np.zeros(0, np.int64)
        return np.zeros(0, np.uint64), z, z
    c = codes.astype(np.uint64)
    h = np.zeros(L, dtype=np.uint64)
    for j in range(n):
        h = h * _P + c[j : j + L]
    bad = np.concatenate([[0], np.cumsum(~valid)])
    ok = (bad[n : n + L] - bad[:L]) == 0
    doc = np.searchsorted(bounds, np.arange(L), side="right") - 1
    ok &= (np.arange(L) + n) <= bounds[doc + 1]
    idx = np.flatnonzero(ok)
    return h[idx], doc[idx], idx - bounds[doc[idx]]


def _seed_pairs(h, d, p, max_df):
    """Pairs of postings of one n-gram in two documents: arrays (doc_a, pos_a, doc_b, pos_b)."""
    if len(h) == 0:
        z = np.zeros(0, np.int64)
        return z, z, z, z
    order = np.lexsort((p, d, h))
    h, d, p = h[order], d[order], p[order]
    new_h = np.concatenate([[True], h[1:] != h[:-1]])
    new_hd = new_h | np.concatenate([[True], d[1:] != d[:-1]])
    # occurrences of the n-gram in the document so far: keep the first MAX_REPEAT
    run_start = np.maximum.accumulate(np.where(new_hd, np.arange(len(h)), 0))
    keep = (np.arange(len(h)) - run_start) < MAX_REPEAT
    g = np.cumsum(new_h) - 1
    df = np.bincount(g, weights=new_hd.astype(np.float64))
    keep &= (df[g] >= 2) & (df[g] <= max_df)
    g, d, p = g[keep], d[keep], p[keep]
    out_i, out_j = [], []
    k = 1
    while k < len(g):
        i = np.flatnonzero(g[:-k] == g[k:])
        if len(i) == 0:
            break
        j = i + k
        cross = d[i] != d[j]
        out_i.append(i[cross])
        out_j.append(j[cross])
        k += 1
    if not out_i:
        z = np.zeros(0, np.int64)
        return z, z, z, z
    i, j = np.concatenate(out_i), np.concatenate(out_j)
    # postings are sorted by doc within an n-gram, so d[i] < d[j]
    return d[i], p[i], d[j], p[j]


def _runs(da, pa, db, pb, n, max_gap):
    """Seeds on one diagonal of one document pair merged into runs: arrays of the run table."""
    diag = pb - pa
    order = np.lexsort((pa, diag, db, da))
    da, pa, db, diag = da[order], pa[order], db[order], diag[order]
    brk = np.ones(len(da), dtype=bool)
    brk[1:] = (da[1:] != da[:-1]) | (db[1:] != db[:-1]) | (diag[1:] != diag[:-1]) | (pa[1:] - pa[:-1] > n + max_gap)
    starts = np.flatnonzero(brk)
    ends = np.concatenate([starts[1:], [len(da)]]) - 1
    return da[starts], db[starts], pa[starts], pa[ends] + n, diag[starts]


# ---------------------------------------------------------------------------------------------
# extending runs into passages


def _chain(runs, max_gap, n):
    """Chain one pair's runs ``(a0, a1, b0, b1)`` (sorted by a0) into passages (lists of runs)."""
    chains: list[list[tuple[int, int, int, int]]] = []
    for r in runs:
        a0, a1, b0, b1 = r
        best, best_gap = None, None
        for c in chains:
            la1, lb1 = max(x[1] for x in c), max(x[3] for x in c)
            ga, gb = a0 - la1, b0 - lb1
            if -n <= ga <= max_gap and -n <= gb <= max_gap and a1 > la1 and b1 > lb1:
                gap = max(ga, gb)
                if best is None or gap < best_gap:
                    best, best_gap = c, gap
        if best is None:
            chains.append([r])
        else:
            best.append(r)
    return chains


def _measure(chain, A, B, va):
    """Extend a chain's ends over agreeing characters.

    Returns ``(a0, a1, b0, b1, matched, content)``: the spans, the characters matched, and those
    of them outside boilerplate (``va`` is False on doc_a's boilerplate). Boilerplate gives no seed,
    but a passage may run on over it where both texts agree.
    """
    chain = sorted(chain)
    a0, _, b0, _ = chain[0]
    while a0 > 0 and b0 > 0 and A[a0 - 1] == B[b0 - 1]:
        a0, b0 = a0 - 1, b0 - 1
    cur_a, cur_b = a0, b0
    hit: list[int] = []  # matched positions of doc_a
    for ra0, ra1, rb0, rb1 in chain:
        shift = max(cur_a - ra0, cur_b - rb0, 0)
        ra0, rb0 = ra0 + shift, rb0 + shift
        if ra0 >= ra1:
            continue
        if ra0 > cur_a or rb0 > cur_b:
            sm = difflib.SequenceMatcher(None, A[cur_a:ra0], B[cur_b:rb0], autojunk=False)
            for i, _, size in sm.get_matching_blocks():
                hit.extend(range(cur_a + i, cur_a + i + size))
        d = rb0 - ra0
        hit.extend(i for i in range(ra0, ra1) if A[i] == B[i + d])
        cur_a, cur_b = ra1, rb1
    while cur_a < len(A) and cur_b < len(B) and A[cur_a] == B[cur_b]:
        hit.append(cur_a)
        cur_a, cur_b = cur_a + 1, cur_b + 1
    content = int(np.count_nonzero(va[hit])) if hit else 0
    return a0, cur_a, b0, cur_b, len(hit), content


def _documents(corpus_or_documents) -> pd.DataFrame:
    docs = getattr(corpus_or_documents, "documents", corpus_or_documents)
    if not isinstance(docs, pd.DataFrame) or not {"doc_id", "text"} <= set(docs.columns):
        raise ValueError("reuse: give a Corpus or a documents DataFrame with columns doc_id and text")
    return docs


def find(
    corpus_or_documents,
    min_chars: int = DEFAULT_MIN_CHARS,
    *,
    ngram: int = DEFAULT_NGRAM,
    max_df: int = DEFAULT_MAX_DF,
    max_gap: int = DEFAULT_MAX_GAP,
    min_similarity: float = DEFAULT_MIN_SIMILARITY,
    direction: bool = True,
) -> pd.DataFrame:
    """Passages shared by two documents (text reuse), one row per passage (schema ``reuse``).

    Parameters
    ----------
    corpus_or_documents : Corpus or DataFrame
        A corpus, or its ``documents`` table: ``doc_id`` and clean ``text`` (Simplified); the
        date and place columns (``issued``, ``year``, ``year_source``, ``level``) orient the pairs.
    min_chars : int, default 50
        Characters (letters, digits, Han; punctuation not counted) a passage must share outside
        boilerplate (``chars`` counts all shared characters of the two spans, boilerplate the
        passage runs over included).
    ngram : int, default 8
        Length of the character n-grams that seed a passage.
    max_df : int, default 50
        An n-gram in more documents than this is corpus boilerplate and seeds nothing.
    max_gap : int, default 24
        Longest stretch of differing characters bridged inside one passage.
    min_similarity : float, default 0.6
        Lowest ``2 * matched / (len_a + len_b)`` of a passage.
    direction : bool, default True
        Orient each pair by dates (:func:`orient`); False leaves ``doc_a < doc_b`` and the
        direction columns null.

    Returns
    -------
    DataFrame
        Schema ``reuse``: ``doc_a, doc_b, start_a, end_a, start_b, end_b, chars, similarity,
        text_a, text_b`` (offsets into the documents' ``text``, end exclusive) and the direction
        columns. Sorted by ``doc_a, doc_b, start_a, start_b``.

    Examples
    --------
    >>> import pandas as pd
    >>> s = "建设人工智能开放创新平台,支持龙头企业牵头建设行业级人工智能公共服务平台,面向中小企业提供算力和数据服务。"
    >>> docs = pd.DataFrame({"doc_id": ["x", "y"], "text": ["一、" + s, "(三)" + s + "另行规定。"],
    ...                      "issued": pd.to_datetime(["2021-05-01", "2019-03-02"]), "year": [2021, 2019]})
    >>> p = find(docs, min_chars=30)
    >>> p[["doc_a", "doc_b", "start_a", "end_a", "start_b", "end_b", "chars", "direction_basis"]].values.tolist()
    [['y', 'x', 3, 55, 2, 54, 50, 'issued']]
    >>> p.loc[0, "text_a"] == s[:-1], float(p.loc[0, "similarity"])
    (True, 1.0)
    """
    docs = _documents(corpus_or_documents).reset_index(drop=True)
    ids = docs["doc_id"].astype(str).tolist()
    texts = [t if isinstance(t, str) else "" for t in docs["text"].tolist()]
    empty = schema.empty("reuse")
    if len(docs) < 2:
        return empty
    codes, bounds, pos_l, valid = _skeletons(texts)
    h, d, p = _ngram_postings(codes, bounds, valid, ngram)
    da, pa, db, pb = _seed_pairs(h, d, p, max_df)
    del h, d, p
    if len(da) == 0:
        return empty
    rda, rdb, ra0, ra1, rdiag = _runs(da, pa, db, pb, ngram, max_gap)
    del da, pa, db, pb
    # a pair whose runs cover too few characters cannot hold a passage of min_chars
    pair_key = rda * len(docs) + rdb
    cover = pd.Series(ra1 - ra0).groupby(pair_key).transform("sum").to_numpy()
    keep = cover >= min(min_chars, max(ngram, min_chars // 2))
    rda, rdb, ra0, ra1, rdiag, pair_key = rda[keep], rdb[keep], ra0[keep], ra1[keep], rdiag[keep], pair_key[keep]
    order = np.lexsort((ra0 + rdiag, ra0, pair_key))
    rda, rdb, ra0, ra1, rdiag, pair_key = (x[order] for x in (rda, rdb, ra0, ra1, rdiag, pair_key))
    cuts = np.flatnonzero(np.diff(pair_key)) + 1
    skel = ["".join(map(chr, codes[bounds[i]:bounds[i + 1]].tolist())) for i in range(len(docs))]
    vals = [valid[bounds[i]:bounds[i + 1]] for i in range(len(docs))]
    rows = []
    for s, e in zip(np.concatenate([[0], cuts]), np.concatenate([cuts, [len(pair_key)]])):
        ia, ib = int(rda[s]), int(rdb[s])
        A, B = skel[ia], skel[ib]
        runs = list(zip(ra0[s:e].tolist(), ra1[s:e].tolist(), (ra0[s:e] + rdiag[s:e]).tolist(),
                        (ra1[s:e] + rdiag[s:e]).tolist()))
        found = []
        for c in _chain(runs, max_gap, ngram):
            a0, a1, b0, b1, m, content = _measure(c, A, B, vals[ia])
            sim = 2 * m / ((a1 - a0) + (b1 - b0))
            if content >= min_chars and sim >= min_similarity:
                found.append((a0, a1, b0, b1, m, sim))
        # a passage inside another one of the same pair (a refrain matched twice) is dropped
        found.sort(key=lambda x: (-(x[1] - x[0]), x[0], x[2]))
        kept = []
        for f in found:
            if not any(k[0] <= f[0] and f[1] <= k[1] and k[2] <= f[2] and f[3] <= k[3] for k in kept):
                kept.append(f)
        pos_a, pos_b = pos_l[ia], pos_l[ib]
        for a0, a1, b0, b1, m, sim in kept:
            sa, ea, sb, eb = int(pos_a[a0]), int(pos_a[a1 - 1]) + 1, int(pos_b[b0]), int(pos_b[b1 - 1]) + 1
            rows.append((ids[ia], ids[ib], sa, ea, sb, eb, m, round(sim, 4),
                         texts[ia][sa:ea], texts[ib][sb:eb]))
    base = ["doc_a", "doc_b", "start_a", "end_a", "start_b", "end_b", "chars", "similarity", "text_a", "text_b"]
    out = pd.DataFrame(rows, columns=base)
    if direction:
        out = orient(out, docs)
    out = schema.conform("reuse", out)
    return out.sort_values(["doc_a", "doc_b", "start_a", "start_b"], kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# direction from dates, level from place


def _date_info(documents: pd.DataFrame) -> pd.DataFrame:
    d = documents.set_index(documents["doc_id"].astype(str))
    out = pd.DataFrame(index=d.index)
    out["issued"] = pd.to_datetime(d["issued"]) if "issued" in d else pd.NaT
    out["year"] = pd.array(d["year"], dtype="Int64") if "year" in d else pd.array([pd.NA] * len(d), dtype="Int64")
    out["year_source"] = d["year_source"].astype("string") if "year_source" in d else pd.NA
    out["level"] = d["level"].astype("string") if "level" in d else pd.NA
    return out


def order_documents(info_a: dict, info_b: dict) -> tuple[int, str]:
    """Which of two documents came first, and on what basis.

    Parameters
    ----------
    info_a, info_b : dict
        ``issued`` (Timestamp or NaT) and ``year`` (int or NA) of each document.

    Returns
    -------
    tuple
        ``(order, basis)``: order -1 when a is earlier, 1 when b is, 0 when the dates cannot
        order them; basis 'issued' (two issue dates), 'year' (the year rule's years differ),
        'same_issued', 'same_year' or 'no_date'.

    Examples
    --------
    >>> import pandas as pd
    >>> order_documents({"issued": pd.Timestamp("2018-12-06"), "year": 2018},
    ...                 {"issued": pd.NaT, "year": 2020})
    (-1, 'year')
    >>> order_documents({"issued": pd.NaT, "year": 2020}, {"issued": pd.NaT, "year": 2020})
    (0, 'same_year')
    """
    ia, ib = info_a.get("issued"), info_b.get("issued")
    if pd.notna(ia) and pd.notna(ib):
        if ia == ib:
            return 0, "same_issued"
        return (-1 if ia < ib else 1), "issued"
    ya, yb = info_a.get("year"), info_b.get("year")
    if pd.isna(ya) or pd.isna(yb):
        return 0, "no_date"
    if int(ya) == int(yb):
        return 0, "same_year"
    return (-1 if int(ya) < int(yb) else 1), "year"


def _swap(df: pd.DataFrame, mask) -> pd.DataFrame:
    mask = np.asarray(mask, dtype=bool)
    df = df.copy()
    for col in list(df.columns):
        if col.endswith("_a") and col[:-2] + "_b" in df.columns:
            other = col[:-2] + "_b"
            a, b = df[col].copy(), df[other].copy()
            df.loc[mask, col] = b[mask].values
            df.loc[mask, other] = a[mask].values
    return df


def orient(pairs: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """Orient each row of a table with ``doc_a, doc_b`` (and ``*_a``/``*_b`` columns) by dates.

    Directed rows get ``doc_a`` = the earlier document; undirected ones put the higher level's
    document first (else the smaller doc_id). Adds ``directed, direction_basis, year_a, year_b,
    level_a, level_b, from_higher_level`` (see schema ``reuse``).

    Parameters
    ----------
    pairs : DataFrame
        Rows with ``doc_a``, ``doc_b``; every pair of columns ``x_a``/``x_b`` is swapped with them.
    documents : DataFrame
        ``doc_id`` with ``issued``, ``year``, ``level`` where known.

    Returns
    -------
    DataFrame

    Examples
    --------
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": ["n", "c"], "year": [2022, 2017],
    ...                      "level": ["municipal", "national"]})
    >>> out = orient(pd.DataFrame({"doc_a": ["n"], "doc_b": ["c"], "start_a": [5], "start_b": [9]}), docs)
    >>> out.iloc[0].to_dict()  # doctest: +NORMALIZE_WHITESPACE
    {'doc_a': 'c', 'doc_b': 'n', 'start_a': 9, 'start_b': 5, 'directed': True, 'direction_basis': 'year',
     'year_a': 2017, 'year_b': 2022, 'level_a': 'national', 'level_b': 'municipal', 'from_higher_level': True}
    """
    info = _date_info(documents)
    recs = info.to_dict("index")
    out = pairs.copy()
    swap, directed, basis = [], [], []
    for a, b in zip(out["doc_a"].astype(str), out["doc_b"].astype(str)):
        ra, rb = recs.get(a, {}), recs.get(b, {})
        o, why = order_documents(ra, rb)
        if o == 0:
            la, lb = LEVEL_RANK.get(ra.get("level"), -1), LEVEL_RANK.get(rb.get("level"), -1)
            s = lb > la if (la >= 0 and lb >= 0 and la != lb) else a > b
        else:
            s = o == 1
        swap.append(s)
        directed.append(o != 0)
        basis.append(why)
    out = _swap(out, swap)
    out["directed"] = pd.array(directed, dtype="boolean")
    out["direction_basis"] = pd.array(basis, dtype="string")
    ya = out["doc_a"].astype(str).map(info["year"])
    yb = out["doc_b"].astype(str).map(info["year"])
    out["year_a"], out["year_b"] = pd.array(ya, dtype="Int64"), pd.array(yb, dtype="Int64")
    out["level_a"] = pd.array(out["doc_a"].astype(str).map(info["level"]), dtype="string")
    out["level_b"] = pd.array(out["doc_b"].astype(str).map(info["level"]), dtype="string")
    ra = out["level_a"].map(LEVEL_RANK, na_action="ignore")
    rb = out["level_b"].map(LEVEL_RANK, na_action="ignore")
    higher = [pd.NA if pd.isna(x) or pd.isna(y) else bool(x > y) for x, y in zip(ra, rb)]
    out["from_higher_level"] = pd.array(higher, dtype="boolean")
    return out


# ---------------------------------------------------------------------------------------------
# pairs of documents


def _union_length(spans) -> int:
    total, end = 0, -1
    for s, e in sorted(spans):
        if e <= end:
            continue
        total += e - max(s, end)
        end = e
    return total


def reuse_pairs(passages: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """One row per pair of documents sharing passages: how many, and what share of each text.

    Parameters
    ----------
    passages : DataFrame
        The output of :func:`find` (schema ``reuse``).
    documents : DataFrame
        ``doc_id`` and ``text`` (for the texts' lengths).

    Returns
    -------
    DataFrame
        Schema ``reuse_pairs``, sorted by ``share_b`` (largest first), then doc ids.

    Examples
    --------
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": ["a", "b"], "text": ["x" * 100, "y" * 400]})
    >>> p = pd.DataFrame({"doc_a": ["a", "a"], "doc_b": ["b", "b"], "start_a": [0, 40], "end_a": [50, 60],
    ...                   "start_b": [0, 100], "end_b": [50, 150], "chars": [50, 20], "directed": [True, True],
    ...                   "direction_basis": ["year", "year"]})
    >>> reuse_pairs(p, docs)[["doc_a", "doc_b", "n_passages", "chars_a", "share_a", "share_b"]]
      doc_a doc_b  n_passages  chars_a  share_a  share_b
    0     a     b           2       60      0.6     0.25
    """
    if passages is None or len(passages) == 0:
        return schema.empty("reuse_pairs")
    length = documents.set_index(documents["doc_id"].astype(str))["text"].fillna("").str.len()
    rows = []
    for (a, b), g in passages.groupby(["doc_a", "doc_b"], sort=True):
        ca = _union_length(zip(g["start_a"], g["end_a"]))
        cb = _union_length(zip(g["start_b"], g["end_b"]))
        first = g.iloc[0]
        rows.append({
            "doc_a": a, "doc_b": b, "n_passages": len(g), "chars": int(g["chars"].sum()),
            "chars_a": ca, "chars_b": cb,
            "share_a": round(ca / max(1, int(length.get(a, 0))), 4),
            "share_b": round(cb / max(1, int(length.get(b, 0))), 4),
            **{c: first[c] for c in ("directed", "direction_basis", "year_a", "year_b", "level_a", "level_b",
                                     "from_higher_level") if c in g.columns},
        })
    out = schema.conform("reuse_pairs", pd.DataFrame(rows))
    return out.sort_values(["share_b", "doc_a", "doc_b"], ascending=[False, True, True],
                           kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# citations as edges

# moved to policylab.structure (the build links its citations); public here too
_norm_title = _norm_cited_title


def missing_citations(links: pd.DataFrame) -> pd.DataFrame:
    """Documents cited but not in the corpus: one row per cited document, most cited first.

    Parameters
    ----------
    links : DataFrame
        The output of :func:`link_citations`.

    Returns
    -------
    DataFrame
        Schema ``missing_citations``: ``cited_doc_number, cited_title, cited_level, n_citing,
        citing`` (the citing doc_ids, comma-separated).

    Examples
    --------
    >>> import pandas as pd
    >>> links = pd.DataFrame({"doc_id": ["a", "b", "b"], "cited_title": ["规划", "规划", "另一个"],
    ...                       "cited_doc_number": ["国发〔2017〕35号", "国发〔2017〕35号", None],
    ...                       "cited_doc_id": [None, None, "a"], "cited_level": ["national"] * 3})
    >>> missing_citations(links)[["cited_doc_number", "n_citing", "citing"]].values.tolist()
    [['国发〔2017〕35号', 2, 'a,b']]
    """
    if links is None or len(links) == 0:
        return schema.empty("missing_citations")
    m = links[links["cited_doc_id"].isna()].copy()
    if not len(m):
        return schema.empty("missing_citations")
    key = m["cited_doc_number"].astype("string").fillna("title:" + m["cited_title"].astype("string").fillna(""))
    rows = []
    for _, g in m.groupby(key, sort=True):
        first = g.iloc[0]
        titles = g["cited_title"].dropna()
        rows.append({
            "cited_doc_number": first["cited_doc_number"],
            "cited_title": titles.iloc[0] if len(titles) else pd.NA,
            "cited_level": first.get("cited_level", pd.NA),
            "n_citing": g["doc_id"].nunique(),
            "citing": ",".join(sorted(g["doc_id"].astype(str).unique())),
        })
    out = schema.conform("missing_citations", pd.DataFrame(rows))
    return out.sort_values(["n_citing", "cited_doc_number"], ascending=[False, True], kind="stable",
                           na_position="last").reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# reference documents

# with_reference and local_documents moved to policylab.corpus (load_corpus(..., reference=...));
# public here too


# ---------------------------------------------------------------------------------------------
# findings (sentences that make no claim the numbers do not carry)


def _label(labels, doc_id) -> str:
    if labels is None:
        return str(doc_id)
    v = labels.get(doc_id) if hasattr(labels, "get") else None
    return str(v) if v is not None and not pd.isna(v) else str(doc_id)


def _share(x) -> str:
    """A share as a percentage readable at any size: 0.3%, 4.2%, 27%."""
    x = float(x)
    return f"{x:.1%}" if x < 0.1 else f"{x:.0%}"


def describe_reuse(pairs: pd.DataFrame, documents: pd.DataFrame, labels=None, max_pairs: int = 10,
                   min_chars: int | None = None, max_chars: int | None = None, unit: str = "passage") -> list[str]:
    """Finding sentences on who reuses whom, how much, in what order in time.

    Parameters
    ----------
    pairs : DataFrame
        The output of :func:`reuse_pairs`.
    documents : DataFrame
        The documents (for the count).
    labels : mapping, optional
        doc_id -> readable label (e.g. ``report.doc_labels(documents)``).
    max_pairs : int, default 10
        Pairs described one by one (largest shares first).
    min_chars, max_chars : int, optional
        The length range the passages were found in, named in the sentences when given.
    unit : str, default 'passage'
        What the shared pieces are called ('phrase' for short ones).

    Returns
    -------
    list of str
        One sentence per finding. A pair the dates cannot order is said to be unordered; "the
        most" is claimed only when no other pair ties with it.

    Examples
    --------
    >>> import pandas as pd
    >>> pairs = pd.DataFrame({"doc_a": ["a", "b"], "doc_b": ["c", "c"], "n_passages": [2, 1],
    ...     "chars": [300, 300], "share_a": [0.1, 0.1], "share_b": [0.2, 0.2], "directed": [True, False],
    ...     "direction_basis": ["issued", "same_year"], "year_a": [2018, 2020], "year_b": [2020, 2020],
    ...     "from_higher_level": [False, False]})
    >>> for s in describe_reuse(pairs, pd.DataFrame({"doc_id": list("abc")})): print(s)
    3 of the 3 documents share at least one passage with another document (2 pairs of documents).
    c (2020) takes 2 passages (300 characters, 20% of its text) from the earlier a (2018); dates: issue dates.
    b and c share 1 passage (300 characters; 10% and 20% of their texts); the dates cannot order them (both 2020).
    Two pairs tie for the largest shared amount (300 characters), so none is singled out.
    1 of the 2 pairs are ordered by their dates; the others are not.
    """
    n_docs = len(documents)
    if n_docs < 2:
        return [f"There {'is one document' if n_docs == 1 else 'are no documents'}: nothing can be reused."]
    of = ""
    if min_chars and max_chars:
        of = f" of {min_chars} to {max_chars} characters"
    elif min_chars:
        of = f" of {min_chars} or more characters"
    if pairs is None or len(pairs) == 0:
        return [f"No two of the {n_docs} documents share a {unit}{of or ' (at the thresholds used)'}."]
    involved = set(pairs["doc_a"]) | set(pairs["doc_b"])
    out = [f"{len(involved)} of the {n_docs} documents share at least one {unit}{of} with another document "
           f"({len(pairs)} pair{'s' if len(pairs) != 1 else ''} of documents)."]
    basis_words = {"issued": "issue dates", "year": "years by the year rule"}
    for r in pairs.head(max_pairs).itertuples(index=False):
        a, b = _label(labels, r.doc_a), _label(labels, r.doc_b)
        np_ = f"{r.n_passages} {unit}{'s' if r.n_passages != 1 else ''}"
        if bool(r.directed):
            higher = " (a higher level's text)" if getattr(r, "from_higher_level", False) is True else ""
            out.append(f"{b} ({r.year_b}) takes {np_} ({r.chars} characters, {_share(r.share_b)} of its text) from the "
                       f"earlier {a} ({r.year_a}){higher}; dates: {basis_words.get(r.direction_basis, r.direction_basis)}.")
        else:
            why = {"same_year": f"both {r.year_a}", "same_issued": "same issue date",
                   "no_date": "a date is missing"}.get(r.direction_basis, str(r.direction_basis))
            out.append(f"{a} and {b} share {np_} ({r.chars} characters; {_share(r.share_a)} and {_share(r.share_b)} of "
                       f"their texts); the dates cannot order them ({why}).")
    top = pairs["chars"].max()
    n_top = int((pairs["chars"] == top).sum())
    if len(pairs) > 1:
        if n_top == 1:
            r = pairs.loc[pairs["chars"].idxmax()]
            out.append(f"The largest shared amount is between {_label(labels, r['doc_a'])} and "
                       f"{_label(labels, r['doc_b'])} ({int(r['chars'])} characters).")
        else:
            words = {2: "Two", 3: "Three"}.get(n_top, str(n_top))
            out.append(f"{words} pairs tie for the largest shared amount ({int(top)} characters), so none is singled out.")
    n_dir = int(pairs["directed"].fillna(False).astype(bool).sum())
    if n_dir < len(pairs) and n_dir > 0:
        out.append(f"{n_dir} of the {len(pairs)} pairs are ordered by their dates; the others are not.")
    return out


def describe_citations(links: pd.DataFrame, missing: pd.DataFrame, labels=None) -> list[str]:
    """Finding sentences on citations: which cited documents the corpus holds, which it lacks.

    Examples
    --------
    >>> import pandas as pd
    >>> links = pd.DataFrame({"doc_id": ["a"], "cited_doc_id": [pd.NA], "cited_doc_number": ["国发〔2017〕35号"]})
    >>> missing = pd.DataFrame({"cited_doc_number": ["国发〔2017〕35号"], "cited_title": ["规划"],
    ...                         "cited_level": ["national"], "n_citing": [1], "citing": ["a"]})
    >>> describe_citations(links, missing)
    ['1 citation in 1 document; 0 point to a document of the corpus.', 'Cited but not in the corpus: 国发〔2017〕35号 《规划》 (national; cited by a).']
    """
    if links is None or len(links) == 0:
        return ["No document cites another document by 文号 or title."]
    n_in = int(links["cited_doc_id"].notna().sum())
    out = [f"{len(links)} citation{'s' if len(links) != 1 else ''} in {links['doc_id'].nunique()} document"
           f"{'s' if links['doc_id'].nunique() != 1 else ''}; {n_in} point to a document of the corpus."]
    if missing is not None and len(missing):
        items = []
        for r in missing.itertuples(index=False):
            num = r.cited_doc_number if isinstance(r.cited_doc_number, str) else ""
            title = f"《{r.cited_title}》" if isinstance(r.cited_title, str) else ""
            lvl = r.cited_level if isinstance(r.cited_level, str) else "level unknown"
            cited_by = ", ".join(_label(labels, d) for d in r.citing.split(","))
            items.append(f"{' '.join(x for x in (num, title) if x)} ({lvl}; cited by {cited_by})")
        out.append("Cited but not in the corpus: " + "; ".join(items) + ".")
    return out
