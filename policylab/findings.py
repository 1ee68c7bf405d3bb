"""Finding sentences: the claims a report prints, written by tested functions so each one holds.

A finding is a claim a reviewer could check. The functions here take the tables the analysis
modules return and write sentences that respect four rules:

- **No "largest" or "highest" for a tie**, nor for a difference inside a bootstrap interval
  (:func:`highest`).
- **Different indicators or units are never compared as one**: targets are compared only within
  one indicator, one unit and one horizon year (:func:`target_findings`).
- **A time trend only where a period holds at least two documents**; otherwise the sentence says it
  compares documents (:func:`period_findings`, :func:`trend_findings`).
- **Nothing to show is said in one line** (:func:`nothing`), so every page copes with a corpus that
  has no targets, no dates or a single document.

Every function returns plain strings (or a list of them), which :func:`policylab.report.findings`
shows as a bullet list.

Length: about 770 lines, more than half of them (some 440) docstrings and examples, some 280 code:
each finding function shows the sentence it writes as a doctest, which is how its claim is tested.
One job holds it together -- turning result tables into checked sentences -- and the functions share
the wording helpers (:func:`nothing`, :func:`highest`, number and list formatting).

Examples
--------
>>> import pandas as pd
>>> from policylab import findings
>>> t = pd.DataFrame({"group": ["南京", "合肥"], "share": [0.3, 0.3]})
>>> findings.highest(t, "group", "share", what="share of topic 1", fmt="{:.0%}")
'share of topic 1: 南京 and 合肥 tie at 30%; no single group is highest.'
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import pandas as pd

MIN_DOCS_FOR_TREND = 2


def nothing(what: str, why: str = "") -> str:
    """The one line a page prints when a chart or finding has nothing to show.

    Parameters
    ----------
    what : str
        What would have been shown ("quantitative targets", "dated documents").
    why : str, optional
        Why there is nothing (appended after a colon).

    Returns
    -------
    str

    Examples
    --------
    >>> nothing("quantitative targets", "no document sets one")
    'No quantitative targets to show: no document sets one.'
    >>> nothing("topics")
    'No topics to show.'
    """
    return f"No {what} to show" + (f": {why}." if why else ".")


def _fmt(v, fmt: str) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return "n/a"
    return fmt.format(v)


def _count(n: int, one: str, many: str) -> str:
    """``n`` and the word that agrees with it: ``_count(1, "file was", "files were")`` is "1 file was"."""
    return f"{n} {one if n == 1 else many}"


def _join(names: Sequence[str]) -> str:
    names = [str(n) for n in names]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def highest(table: pd.DataFrame, group: str, value: str, *, what: str, low: str | None = None,
            high: str | None = None, fmt: str = "{:g}", rtol: float = 1e-9) -> str:
    """One sentence naming the group with the highest value, only when it really is the highest.

    Rows with a missing value are left out. A tie (values equal within ``rtol``) is reported as a
    tie; with interval columns (``low``, ``high``: a bootstrap interval), a leader whose interval
    overlaps the runner-up's is reported as "not distinguishable". One group is reported as the
    only one, with no comparison.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per group.
    group, value : str
        Column names of the group and the compared value.
    what : str
        What the value is ("share of topic 3"), the sentence's subject.
    low, high : str, optional
        Interval columns (e.g. ``ci_low``, ``ci_high`` of :func:`policylab.topics.prevalence`).
    fmt : str, default '{:g}'
        Format of the values (``'{:.0%}'`` for shares).
    rtol : float
        Relative tolerance for a tie.

    Returns
    -------
    str

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"city": ["南京", "合肥", "成都"], "share": [0.08, 0.079, 0.02],
    ...                   "lo": [0.05, 0.05, 0.01], "hi": [0.11, 0.10, 0.03]})
    >>> highest(t, "city", "share", what="topic 9", fmt="{:.1%}")
    'topic 9 is highest in 南京 (8.0%), ahead of 合肥 (7.9%).'
    >>> print(highest(t, "city", "share", what="topic 9", low="lo", high="hi", fmt="{:.1%}"))
    topic 9: 南京 (8.0%) and 合肥 (7.9%) are within each other's 95% bootstrap interval; no single group is highest.
    >>> highest(t.iloc[:1], "city", "share", what="topic 9", fmt="{:.1%}")
    'topic 9: only 南京 has a value (8.0%); nothing to compare it with.'
    """
    t = table[table[value].notna()].copy()
    if t.empty:
        return f"{what}: no values to compare."
    t[value] = t[value].astype(float)
    t = t.sort_values([value, group], ascending=[False, True], kind="stable").reset_index(drop=True)
    top = t.iloc[0]
    if len(t) == 1:
        return f"{what}: only {top[group]} has a value ({_fmt(top[value], fmt)}); nothing to compare it with."
    tied = t[np.isclose(t[value], top[value], rtol=rtol, atol=0)]
    if len(tied) > 1:
        return (f"{what}: {_join(tied[group])} tie at {_fmt(top[value], fmt)}; no single group is highest.")
    second = t.iloc[1]
    if low is not None and high is not None:
        overlap = t.iloc[1:][t.iloc[1:][high].astype(float) >= float(top[low])]
        if len(overlap):
            shown = pd.concat([t.iloc[:1], overlap])
            return (f"{what}: " + _join([f"{r[group]} ({_fmt(r[value], fmt)})" for _, r in shown.iterrows()])
                    + " are within each other's 95% bootstrap interval; no single group is highest.")
    return (f"{what} is highest in {top[group]} ({_fmt(top[value], fmt)}), "
            f"ahead of {second[group]} ({_fmt(second[value], fmt)}).")


def documents_per_period(documents: pd.DataFrame, period: str = "year") -> pd.Series:
    """Number of documents per period (e.g. per year), periods sorted; undated documents left out.

    Parameters
    ----------
    documents : pandas.DataFrame
        Has ``doc_id`` and the ``period`` column.
    period : str, default 'year'

    Returns
    -------
    pandas.Series
        Indexed by period, values = number of distinct documents.

    Examples
    --------
    >>> import pandas as pd
    >>> documents_per_period(pd.DataFrame({"doc_id": list("abc"), "year": [2020, 2020, pd.NA]})).to_dict()
    {2020: 2}
    """
    if period not in documents.columns or documents.empty:
        return pd.Series(dtype="int64", name="documents")
    d = documents.dropna(subset=[period])
    return d.groupby(period, sort=True)["doc_id"].nunique().rename("documents")


def has_trend(documents: pd.DataFrame, period: str = "year") -> bool:
    """Whether a time trend can be read: at least two periods that each hold at least two documents.

    Parameters
    ----------
    documents : pandas.DataFrame
    period : str, default 'year'

    Returns
    -------
    bool

    Examples
    --------
    >>> import pandas as pd
    >>> has_trend(pd.DataFrame({"doc_id": list("abcd"), "year": [2018, 2020, 2020, 2022]}))
    False
    >>> has_trend(pd.DataFrame({"doc_id": list("abcd"), "year": [2018, 2018, 2020, 2020]}))
    True
    """
    per = documents_per_period(documents, period)
    return int((per >= MIN_DOCS_FOR_TREND).sum()) >= 2


def period_findings(documents: pd.DataFrame, period: str = "year") -> list[str]:
    """Sentences on where the documents sit in time, and whether their years can show a trend.

    Parameters
    ----------
    documents : pandas.DataFrame
        The corpus' ``documents`` (``doc_id``, ``year``).
    period : str, default 'year'

    Returns
    -------
    list of str

    Examples
    --------
    >>> import pandas as pd
    >>> period_findings(pd.DataFrame({"doc_id": list("abc"), "year": [2018, 2020, pd.NA]}))  # doctest: +NORMALIZE_WHITESPACE
    ['2 of the 3 documents are dated 2018–2020 (2018: 1, 2020: 1 document per year); 1 could not be dated.',
     'No year holds two or more documents, so the year-by-year views compare single documents; they are not trends.']
    >>> period_findings(pd.DataFrame({"doc_id": ["a"], "year": [pd.NA]}))
    ['No dated documents to show: the one document has no year.']
    """
    n = documents["doc_id"].nunique() if "doc_id" in documents.columns else len(documents)
    per = documents_per_period(documents, period)
    if per.empty:
        return [nothing("dated documents", f"the one document has no {period}" if n == 1
                        else f"none of the {n} documents has a {period}")]
    undated = n - int(per.sum())
    first, last = per.index[0], per.index[-1]
    span = f"{first}" if first == last else f"{first}–{last}"
    # "the 3 documents are dated 2020" would include the undated one
    who = f"{n - undated} of the {n} documents are" if undated else (
        "The one document is" if n == 1 else f"The {n} documents are")
    out = [f"{who} dated {span} ("
           + ", ".join(f"{p}: {c}" for p, c in per.items())
           + f" {'document' if per.max() == 1 else 'documents'} per {period})"
           + (f"; {undated} could not be dated." if undated else ".")]
    multi = per[per >= MIN_DOCS_FOR_TREND]
    if has_trend(documents, period):
        out.append(f"{len(multi)} {period}s hold two or more documents ({', '.join(map(str, multi.index))}): "
                   f"changes between them are trends over documents; {period}s with one document are single documents.")
    else:
        out.append(f"No {period} holds two or more documents" if multi.empty else
                   f"Only {multi.index[0]} holds two or more documents")
        out[-1] += f", so the {period}-by-{period} views compare single documents; they are not trends."
    return out


def horizon_findings(targets: pd.DataFrame) -> list[str]:
    """One sentence on the horizon years the dated quantitative targets aim at.

    Parameters
    ----------
    targets : pandas.DataFrame
        Dated targets (``target_year``), e.g. the ``targets`` table's rows of kind ``target``.

    Returns
    -------
    list of str
        Empty when no target has a year.

    Examples
    --------
    >>> import pandas as pd
    >>> horizon_findings(pd.DataFrame({"target_year": [2025, 2025, 2030]}))
    ['3 dated quantitative targets aim at 2 horizon years, 2025 to 2030.']
    >>> horizon_findings(pd.DataFrame({"target_year": [2020, 2020]}))
    ['2 dated quantitative targets aim at one horizon year, 2020.']
    >>> horizon_findings(pd.DataFrame({"target_year": [2025]}))
    ['1 dated quantitative target aims at one horizon year, 2025.']
    """
    years = sorted({int(y) for y in targets["target_year"].dropna()}) if "target_year" in targets else []
    n = int(targets["target_year"].notna().sum()) if years else 0
    if not years:
        return []
    subject = "1 dated quantitative target aims" if n == 1 else f"{n} dated quantitative targets aim"
    at = (f"one horizon year, {years[0]}" if len(years) == 1
          else f"{len(years)} horizon years, {years[0]} to {years[-1]}")
    return [f"{subject} at {at}."]


def trend_findings(prevalence: pd.DataFrame, documents: pd.DataFrame, *, item: str, value: str,
                   period: str = "year", what: str = "", fmt: str = "{:.1f}") -> list[str]:
    """Sentences on how each item (term, topic) changes over time, as a trend only where the data hold one.

    With :func:`has_trend`, each item's first and last period holding two or more documents are
    compared ("rose from … to …"); without it the sentence lists the values per period and says
    they are single documents.

    Parameters
    ----------
    prevalence : pandas.DataFrame
        One row per item and period (e.g. :func:`policylab.timeline.term_prevalence`).
    documents : pandas.DataFrame
        ``doc_id`` and ``period``, to count documents per period.
    item, value : str
        Column of the item (``term``, ``topic``) and of the value (``per_10k``, ``weight``).
    period : str, default 'year'
    what : str
        Name of the value in the sentence ("per 10,000 tokens").
    fmt : str

    Returns
    -------
    list of str

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"term": ["算力", "算力"], "year": [2018, 2022], "per_10k": [1.0, 5.0]})
    >>> d = pd.DataFrame({"doc_id": ["a", "b"], "year": [2018, 2022]})
    >>> trend_findings(p, d, item="term", value="per_10k", what="per 10,000 tokens")
    ['算力 (per 10,000 tokens): 2018 1.0, 2022 5.0; one document per year, so these are documents compared, not a trend.']
    """
    if prevalence.empty:
        return [nothing(f"{item} values over time")]
    per = documents_per_period(documents, period)
    trend = has_trend(documents, period)
    out = []
    for key, g in prevalence.groupby(item, sort=False):
        g = g.dropna(subset=[period, value]).sort_values(period, kind="stable")
        if g.empty:
            continue
        name = f"{key}" + (f" ({what})" if what else "")
        if trend:
            ok = g[g[period].map(per).fillna(0) >= MIN_DOCS_FOR_TREND]
            if len(ok) >= 2:
                a, b = ok.iloc[0], ok.iloc[-1]
                first, last = _fmt(a[value], fmt), _fmt(b[value], fmt)
                if first == last:  # a change below the printed precision is no rise or fall
                    out.append(f"{name} was {first} in {a[period]} and {last} in {b[period]}: no change at this "
                               f"precision (years with two or more documents).")
                else:  # rounding keeps the order of two values it tells apart
                    verb = "rose" if b[value] > a[value] else "fell"
                    out.append(f"{name} {verb} from {first} in {a[period]} to {last} in {b[period]} "
                               f"(years with two or more documents).")
                continue
        vals = ", ".join(f"{r[period]} {_fmt(r[value], fmt)}" for _, r in g.iterrows())
        why = (f"one document per {period}" if per.max() <= 1 else
               f"fewer than two {period}s hold two or more documents" if not trend else
               f"too few documents in its {period}s")
        out.append(f"{name}: {vals}; {why}, so these are documents compared, not a trend.")
    return out or [nothing(f"{item} values over time")]


def target_findings(comparison: pd.DataFrame, group: str = "group") -> list[str]:
    """Sentences comparing quantitative targets, only like with like.

    Targets are compared within one indicator as printed, one unit and one horizon year: 收入,
    规模 and 产值 are different indicators, 亿元 and 个 different units, and a 2022 goal is not a
    2025 goal. Within such a set, :func:`highest` names the largest value only when no other group
    sets the same value. Indicators set by one group only are counted, not compared.

    Parameters
    ----------
    comparison : pandas.DataFrame
        :func:`policylab.timeline.compare_targets` output with a ``group`` column (the comparison
        unit of each target's document).
    group : str, default 'group'

    Returns
    -------
    list of str

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"group": ["合肥", "成都", "南京", "沈阳"],
    ...                   "indicator": ["人工智能核心产业规模", "人工智能核心产业规模", "人工智能核心产业收入", "核心产业产值"],
    ...                   "unit": ["亿元"] * 4, "target_year": [2025, 2025, 2025, 2020],
    ...                   "value": [500.0, 500.0, 500.0, 30.0]})
    >>> target_findings(c)  # doctest: +NORMALIZE_WHITESPACE
    ['人工智能核心产业规模 (亿元) by 2025: 合肥 and 成都 tie at 500; no single group is highest.',
     '2 other indicators are each set by one group only (人工智能核心产业收入, 核心产业产值); they are not compared.']
    """
    if comparison is None or comparison.empty:
        return [nothing("quantitative targets to compare", "no document sets a dated target")]
    c = comparison.dropna(subset=["value"]).copy()
    c["unit"] = c["unit"].astype("string").fillna("(no unit)")
    out, alone = [], []
    for (indicator, unit), g in c.groupby(["indicator", "unit"], sort=False):
        years = g.groupby("target_year")[group].nunique()
        shared = years[years >= 2]
        if shared.empty:
            alone.append(str(indicator))
            continue
        for year in shared.index:
            rows = g[g["target_year"] == year]
            # a group with several values for one indicator and year: its largest counts once
            best = rows.sort_values("value", ascending=False, kind="stable").drop_duplicates(group)
            out.append(highest(best, group, "value", what=f"{indicator} ({unit}) by {year}"))
    if alone:
        n = len(alone)
        out.append(f"{n} {'other ' if out else ''}indicator{'s are each' if n > 1 else ' is'} set by one group only"
                   f" ({', '.join(alone[:5])}{', …' if n > 5 else ''}); {'they are' if n > 1 else 'it is'} not compared.")
    return out


def distinctive_findings(keyness: pd.DataFrame, group: str = "group", *, n: int = 3,
                         max_p: float = 0.05) -> list[str]:
    """The most distinctive words of each group, from a keyness table with a group column.

    Only words more frequent in the group than in the rest (G² > 0) with ``p_g2 <= max_p`` count;
    words with the same G² as the last one shown are shown with it (a tie is not cut at random).
    A group with none says so.

    Parameters
    ----------
    keyness : pandas.DataFrame
        Rows of :func:`policylab.keywords.keyness` stacked, with a ``group`` column.
    group : str, default 'group'
    n : int, default 3
        Words per group (more when tied).
    max_p : float, default 0.05

    Returns
    -------
    list of str

    Examples
    --------
    >>> import pandas as pd
    >>> k = pd.DataFrame({"group": ["成都", "成都", "成都", "南京"], "token": ["场景", "算力", "数据", "人才"],
    ...                   "g2": [9.0, 9.0, 2.0, -1.0], "p_g2": [0.001, 0.001, 0.2, 0.3],
    ...                   "n_target": [12, 9, 3, 1], "n_reference": [1, 0, 2, 8]})
    >>> distinctive_findings(k, n=1)
    ['成都: 场景 (G² = 9.0, 12 vs 1 times), 算力 (G² = 9.0, 9 vs 0 times).', '南京: no word is significantly more frequent than in the other groups.']
    """
    if keyness is None or keyness.empty:
        return [nothing("distinctive words", "there are fewer than two groups to compare")]
    out = []
    for g, rows in keyness.groupby(group, sort=False):
        sig = rows[(rows["g2"] > 0) & (rows["p_g2"] <= max_p)].sort_values(["g2", "token"], ascending=[False, True],
                                                                         kind="stable")
        if sig.empty:
            out.append(f"{g}: no word is significantly more frequent than in the other groups.")
            continue
        cut = sig["g2"].iloc[min(n, len(sig)) - 1]
        shown = sig[sig["g2"] >= cut - 1e-9]
        out.append(f"{g}: " + ", ".join(f"{r['token']} (G² = {r['g2']:.1f}, {r['n_target']} vs {r['n_reference']} times)"
                                        for _, r in shown.iterrows()) + ".")
    return out


def topic_findings(prevalence: pd.DataFrame, labels: pd.DataFrame, overall: pd.Series | None = None) -> list[str]:
    """One sentence per topic: its label, and where it is highest only when that is outside the intervals.

    Parameters
    ----------
    prevalence : pandas.DataFrame
        :func:`policylab.topics.prevalence` output (``group, topic, share, ci_low, ci_high``).
    labels : pandas.DataFrame
        ``topic, label, top_terms`` (:meth:`policylab.topics.TopicModel.topic_labels`); a null label
        is shown as the topic's first top terms.
    overall : pandas.Series, optional
        Share of each topic over all units, indexed by topic.

    Returns
    -------
    list of str

    Examples
    --------
    >>> import pandas as pd
    >>> prev = pd.DataFrame({"group": ["沈阳", "成都"], "topic": [9, 9], "share": [0.08, 0.079],
    ...                      "ci_low": [0.05, 0.05], "ci_high": [0.1, 0.1]})
    >>> labels = pd.DataFrame({"topic": [9], "label": [pd.NA], "top_terms": ["算力 数据 平台"]})
    >>> topic_findings(prev, labels)[0]
    "Topic 9 «算力 数据 平台»: 沈阳 (8%) and 成都 (8%) are within each other's 95% bootstrap interval; no single group is highest."
    """
    if prevalence is None or prevalence.empty:
        return [nothing("topic shares")]
    out = []
    for _, r in labels.sort_values("topic").iterrows():
        t = r["topic"]
        name = topic_name(r)
        rows = prevalence[prevalence["topic"] == t]
        head = f"Topic {t} «{name}»"
        if overall is not None and t in overall.index:
            head += f" ({overall[t]:.0%} of section weight overall)"
        if rows["group"].nunique() < 2:
            out.append(head + (f": one group only ({rows['group'].iloc[0]})." if len(rows) else "."))
            continue
        out.append(highest(rows, "group", "share", what=head, low="ci_low", high="ci_high", fmt="{:.0%}"))
    return out


def topic_name(row, n_terms: int = 3) -> str:
    """A topic's label where a reader gave one, else its first ``n_terms`` top terms.

    Parameters
    ----------
    row : mapping
        Has ``label`` and ``top_terms`` (space-separated).
    n_terms : int, default 3

    Returns
    -------
    str

    Examples
    --------
    >>> topic_name({"label": None, "top_terms": "算力 数据 平台 人才"})
    '算力 数据 平台'
    >>> topic_name({"label": "算力基础设施", "top_terms": "算力 数据"})
    '算力基础设施'
    """
    label = row.get("label") if hasattr(row, "get") else None
    if label is not None and not (isinstance(label, float) and math.isnan(label)) and label is not pd.NA:
        return str(label)
    return " ".join(str(row.get("top_terms", "")).split()[:n_terms])


def rejection_summary(files: pd.DataFrame) -> pd.DataFrame:
    """Why pages were rejected: one row per kind of reason (the text before its first colon).

    Parameters
    ----------
    files : pandas.DataFrame
        The corpus' ``files`` table.

    Returns
    -------
    pandas.DataFrame
        ``reason, files, example`` sorted by count (descending) then reason; empty when nothing
        was rejected.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"path": ["a", "b", "c"], "status": ["rejected", "rejected", "document"],
    ...                   "reason": ["no policy text: only 3 characters", "no policy text: only 0 characters", None]})
    >>> rejection_summary(f).values.tolist()
    [['no policy text', 2, 'a']]
    """
    r = files[files["status"] == "rejected"]
    if r.empty:
        return pd.DataFrame({"reason": pd.Series(dtype="string"), "files": pd.Series(dtype="int64"),
                             "example": pd.Series(dtype="string")})
    kind = r["reason"].fillna("unknown").astype(str).str.split(":", n=1).str[0].str.strip()
    out = (r.assign(reason=kind).groupby("reason", sort=True)
           .agg(files=("path", "size"), example=("path", "first")).reset_index())
    return out.sort_values(["files", "reason"], ascending=[False, True], kind="stable").reset_index(drop=True)


def corpus_findings(corpus) -> list[str]:
    """Sentences on what went in and what came out: files, duplicates, rejections, cleaning,
    metadata fields found, sections, agencies and citations.

    Parameters
    ----------
    corpus : policylab.corpus.Corpus
        Any object with the corpus tables as attributes (``files``, ``documents``, ``removed``,
        ``sections``, ``agencies``, ``citations``; missing ones count as empty).

    Returns
    -------
    list of str

    Examples
    --------
    >>> import pandas as pd
    >>> from types import SimpleNamespace
    >>> files = pd.DataFrame({"path": ["a.txt", "b.txt"], "status": ["rejected", "rejected"],
    ...                       "reason": ["no policy text: 0 characters", "no policy text: 12 characters"],
    ...                       "duplicate_of": [None, None], "similarity": [None, None]})
    >>> corpus_findings(SimpleNamespace(files=files, documents=pd.DataFrame({"doc_id": []})))  # doctest: +NORMALIZE_WHITESPACE
    ['2 files were read: 0 became documents, 0 were duplicates and 2 were rejected (no policy text: 2).',
     'No documents to analyse: every page was rejected, so the other pages have nothing to show.']
    """
    def table(name):
        t = getattr(corpus, name, None)
        return t if t is not None else pd.DataFrame()

    files, docs = table("files"), table("documents")
    n = files["status"].value_counts() if len(files) else pd.Series(dtype="int64")
    n_doc, n_dup, n_rej = (int(n.get(k, 0)) for k in ("document", "duplicate", "rejected"))
    rej = rejection_summary(files) if len(files) else pd.DataFrame()
    s = (f"{_count(len(files), 'file was', 'files were')} read: {n_doc} became "
         f"{'a document' if n_doc == 1 else 'documents'}, {n_dup} "
         f"{'was a duplicate' if n_dup == 1 else 'were duplicates'} and {n_rej} {'was' if n_rej == 1 else 'were'} rejected")
    s += (" (" + "; ".join(f"{r.reason}: {r.files}" for r in rej.itertuples()) + ")." if len(rej) else ".")
    dups = files[files["status"] == "duplicate"] if len(files) else files
    if len(dups):
        s += " " + "; ".join(f"{r.path} is a near-duplicate of {r.duplicate_of} (similarity {r.similarity:.2f})"
                             for r in dups.itertuples()) + "."
    out = [s]
    if docs.empty:
        out.append("No documents to analyse: every page was rejected, so the other pages have nothing to show."
                   if len(files) else "No documents to analyse: the folder holds no pages.")
        return out
    removed = table("removed")
    if len(removed):
        top = removed["reason"].value_counts()
        tied = top[top == top.iloc[0]].index.tolist()
        most = (f"the most common kind is `{tied[0]}` ({top.iloc[0]} lines)" if len(tied) == 1 else
                f"the most common kinds are " + ", ".join(f"`{t}`" for t in tied) + f" ({top.iloc[0]} lines each)")
        out.append(f"Cleaning removed {len(removed)} lines of page noise of {removed['reason'].nunique()} kinds; {most}.")
    else:
        out.append("Cleaning removed no lines: the pages carried no page noise the cleaner knows.")
    if "n_artefacts_repaired" in docs.columns:
        out[-1] += (f" In the kept documents, {int(docs['n_artefacts_repaired'].fillna(0).sum())} converter artefacts "
                    f"were repaired and {int(docs['n_traditional_left'].fillna(0).sum())} Traditional characters are left.")
    fields = [(c, name) for c, name in (("doc_number", "a 文号"), ("issued", "a signature date (成文日期)"),
                                       ("city", "a city"), ("year", "a year")) if c in docs.columns]
    if fields and len(docs) == 1:  # "Of the 1 documents, 0 give a 文号" reads as a count of many
        has = [name for c, name in fields if docs[c].notna().iloc[0]]
        lacks = [name.split(" ", 1)[1] for c, name in fields if not docs[c].notna().iloc[0]]
        out.append("The one document gives " + (_join(has) if has else "none of a 文号, a date, a city or a year")
                   + (f"; its {_join(lacks)} {'stays' if len(lacks) == 1 else 'stay'} empty rather than guessed."
                      if lacks and has else "."))
    elif fields:
        out.append("Of the " + f"{len(docs)} documents, " + ", ".join(
            f"{int(docs[c].notna().sum())} give {name}" for c, name in fields)
            + "; the others leave these fields empty rather than guessed.")
    sections = table("sections")
    if len(sections):
        per = sections.groupby("doc_id").size()
        top_level = int((sections["level"] == 1).sum())
        spread = f"{per.min()} per document" if per.min() == per.max() else f"{per.min()} to {per.max()} per document"
        out.append(f"The documents have {len(sections)} sections ({spread}), "
                   f"with {top_level} top-level headings" + ("." if top_level else
                                                           ": no document has numbered headings (一、), so each is one section."))
    agencies = table("agencies")
    if len(agencies):
        counts = agencies.groupby("agency").agg(total=("doc_id", "size"), documents=("doc_id", "nunique"))
        counts = counts.sort_values(["total", "documents"], ascending=False, kind="stable")
        tied = counts[(counts["total"] == counts["total"].iloc[0]) & (counts["documents"] == counts["documents"].iloc[0])]
        who = (f"the most often named is {tied.index[0]}" if len(tied) == 1 else
               f"the most often named are {_join(tied.index[:5])}{' …' if len(tied) > 5 else ''}")
        out.append(f"{len(agencies)} agency mentions in responsibility clauses name {agencies['agency'].nunique()} "
                   f"distinct agencies; {who} ({int(tied['total'].iloc[0])} times, in "
                   f"{_count(int(tied['documents'].iloc[0]), 'document', 'documents')}).")
    else:
        out.append(nothing("responsibility clauses", "no document names agencies responsible for its tasks"))
    citations = table("citations")
    out.append(f"{_count(len(citations), 'cited document was', 'cited documents were')} found in "
               f"{_count(citations['doc_id'].nunique(), 'document', 'documents')}."
               if len(citations) else "No document cites another document by its 文号.")
    return out


def frequency_findings(freq: pd.DataFrame, tokens: pd.DataFrame, n_docs: int, excluded: pd.DataFrame | None = None) -> list[str]:
    """Sentences on the most frequent words (ties named together) and what was left out.

    Parameters
    ----------
    freq : pandas.DataFrame
        :func:`policylab.keywords.frequency` over the whole corpus.
    tokens : pandas.DataFrame
        The tokens counted.
    n_docs : int
        Number of documents.
    excluded : pandas.DataFrame, optional
        :func:`policylab.keywords.excluded_terms` (``term, reason``).

    Returns
    -------
    list of str

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"token": ["算力", "数据", "场景"], "n": [5, 5, 2], "per_10k": [500.0, 500.0, 200.0]})
    >>> t = pd.DataFrame({"token": ["算力"] * 5 + ["数据"] * 5 + ["场景"] * 2})
    >>> frequency_findings(f, t, 1)
    ['The one document holds 12 content tokens of 3 distinct words; the most frequent are 算力 and 数据 (5 times each, 500 per 10,000 tokens), followed by 场景.']
    """
    if freq.empty:
        return [nothing("word frequencies", "no content tokens")]
    top_n = freq["n"].iloc[0]
    tied = freq[freq["n"] == top_n]
    rest = freq[freq["n"] < top_n]["token"].head(5).tolist()
    head = (f"the most frequent is {tied['token'].iloc[0]} ({top_n} times" if len(tied) == 1 else
            f"the most frequent are {_join(tied['token'])} ({top_n} times each")
    s = (("The one document holds" if n_docs == 1 else f"The {n_docs} documents hold") + f" {len(tokens):,} content tokens of {tokens['token'].nunique():,} distinct words; "
         f"{head}, {freq['per_10k'].iloc[0]:.0f} per 10,000 tokens)" + (f", followed by {'、'.join(rest)}." if rest else "."))
    out = [s]
    if excluded is not None and len(excluded):
        by = excluded.groupby("reason")["term"].apply(lambda x: "、".join(list(x)[:6]) + ("…" if len(x) > 6 else ""))
        out.append("Left out of the distinctive-word views as names rather than content: "
                   + "; ".join(f"{r} ({v})" for r, v in by.items()) + ".")
    return out


def model_selection_findings(by_k: pd.DataFrame, k: int, ks: Sequence[int], n_seeds: int, n_units: int,
                             min_stability: float) -> list[str]:
    """The sentence on how the number of topics was chosen (and its limits).

    Parameters
    ----------
    by_k : pandas.DataFrame
        Mean ``npmi``, ``stability``, ``diversity`` per K (index K).
    k : int
        The chosen K (:func:`policylab.topics.choose_k`).
    ks : sequence of int
        The values compared.
    n_seeds : int
    n_units : int
        Sections the model was fitted on.
    min_stability : float

    Returns
    -------
    list of str

    Examples
    --------
    >>> import pandas as pd
    >>> by_k = pd.DataFrame({"npmi": [0.1, 0.2], "stability": [0.9, 0.5], "diversity": [0.8, 0.7]}, index=[2, 4])
    >>> model_selection_findings(by_k, 2, (2, 4), 3, 40, 0.7)  # doctest: +NORMALIZE_WHITESPACE
    ['2 values of K were compared (2, 4; the range scales with the 40 sections) with 3 seeds each; K = 2 was chosen:
      mean NPMI 0.100, stability 0.90, diversity 0.80 (the most coherent K with stability ≥ 0.7).']
    """
    row = by_k.loc[k]
    s = (f"{len(ks)} values of K were compared ({', '.join(map(str, ks))}; the range scales with the {n_units} sections) "
         f"with {n_seeds} seeds each; K = {k} was chosen: mean NPMI {row['npmi']:.3f}, stability {row['stability']:.2f}, "
         f"diversity {row['diversity']:.2f}")
    s += (f" (the most coherent K with stability ≥ {min_stability})." if row["stability"] >= min_stability else
          f" (no K reached stability {min_stability}: the topics change with the seed, read them with care).")
    if k == max(ks) and len(ks) > 1:
        s += " It is the largest K tried: a wider range may find a better one."
    return [s]


def document_period_findings(documents: pd.DataFrame, name: str = "label", max_listed: int = 5) -> list[str]:
    """Sentences on the plan periods and validity each document states (nothing when none does).

    Up to ``max_listed`` documents are named one sentence each; beyond that, one sentence per kind
    counts the documents and the most common periods, so a large corpus gets a summary, not a list.

    Parameters
    ----------
    documents : pandas.DataFrame
        ``plan_start``, ``plan_end``, ``effective_from``, ``effective_to`` and the ``name`` column.
    name : str, default 'label'
    max_listed : int, default 5
        The most documents named one by one, per kind of statement.

    Returns
    -------
    list of str

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"label": ["沈阳 · 2018 · 规划"], "plan_start": [2018], "plan_end": [2020],
    ...                   "effective_from": pd.to_datetime(["2018-12-06"]), "effective_to": pd.to_datetime([None])})
    >>> document_period_findings(d)
    ['沈阳 · 2018 · 规划 states a plan period 2018–2020.', '沈阳 · 2018 · 规划 is in force from 2018-12-06.']
    >>> many = pd.DataFrame({"label": [f"d{i}" for i in range(7)], "plan_start": [2018] * 6 + [2024],
    ...                      "plan_end": [2020] * 6 + [2026]})
    >>> document_period_findings(many)
    ['7 documents state a plan period: 2018–2020 (6 documents), 2024–2026 (1 document).']
    """
    def summary(spans: list[str], verb: str) -> str:
        counts = pd.Series(spans).value_counts(sort=False)
        counts = counts.iloc[sorted(range(len(counts)), key=lambda i: (-counts.iloc[i], counts.index[i]))]
        shown = [f"{k} ({v} document{'s' if v != 1 else ''})" for k, v in counts.head(3).items()]
        more = f", and {len(counts) - 3} other periods" if len(counts) > 3 else ""
        return f"{len(spans)} documents {verb}: {', '.join(shown)}{more}."

    out = []
    if "plan_start" in documents.columns:
        rows = documents.dropna(subset=["plan_start"])
        spans = [f"{r['plan_start']}" + (f"–{r['plan_end']}" if pd.notna(r.get("plan_end")) else "")
                 for _, r in rows.iterrows()]
        if len(spans) > max_listed:
            out.append(summary(spans, "state a plan period"))
        else:
            out += [f"{r[name]} states a plan period {span}." for (_, r), span in zip(rows.iterrows(), spans)]
    if "effective_from" in documents.columns:
        rows = documents.dropna(subset=["effective_from"])
        spans = [f"{r['effective_from']:%Y-%m-%d}" + (f" to {r['effective_to']:%Y-%m-%d}"
                                                       if pd.notna(r.get("effective_to")) else "")
                 for _, r in rows.iterrows()]
        if len(spans) > max_listed:
            out.append(summary(spans, "state when they are in force"))
        else:
            out += [f"{r[name]} is in force from {span}." for (_, r), span in zip(rows.iterrows(), spans)]
    return out


def first_mention_findings(firsts: pd.DataFrame, terms: Sequence[str], group: str = "city") -> list[str]:
    """Sentences on which followed terms never occur and the first year each appears (ties named).

    Parameters
    ----------
    firsts : pandas.DataFrame
        :func:`policylab.timeline.first_mentions` (``term, first_year`` and the group column).
    terms : sequence of str
        The followed terms.
    group : str, default 'city'

    Returns
    -------
    list of str

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"city": ["南京", "合肥"], "term": ["算力", "算力"], "first_year": [2020, 2020]})
    >>> first_mention_findings(f, ["算力", "大模型"])
    ['Never mentioned in this corpus: 大模型.', 'First year each followed term appears: 算力 2020 (南京, 合肥).']
    """
    seen = firsts.dropna(subset=["first_year"])
    out = []
    never = [t for t in terms if t not in set(seen["term"])]
    if never:
        out.append(f"Never mentioned in this corpus: {'、'.join(never)}.")
    if seen.empty:
        return out or [nothing("first mentions", "no dated document mentions the followed terms")]
    parts = []
    for t in [t for t in terms if t in set(seen["term"])]:
        rows = seen[seen["term"] == t]
        y = rows["first_year"].min()
        who = sorted(rows.loc[rows["first_year"] == y, group].dropna().astype(str).unique())
        parts.append(f"{t} {int(y)}" + (f" ({', '.join(who)})" if who else ""))
    out.append("First year each followed term appears: " + "; ".join(parts) + ".")
    return out


def comparable_targets(comparison: pd.DataFrame, group: str = "group") -> pd.DataFrame:
    """The targets that can be compared: sets of one indicator, one unit and one horizon year set by
    two or more groups (each set numbered in a ``set`` column, largest set first).

    Parameters
    ----------
    comparison : pandas.DataFrame
        :func:`policylab.timeline.compare_targets` with a ``group`` column.
    group : str, default 'group'

    Returns
    -------
    pandas.DataFrame
        The rows of those sets, with ``set`` (1 = the set with most groups; ties by indicator).

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"group": ["合肥", "成都", "南京"], "indicator": ["核心产业规模", "核心产业规模", "核心产业收入"],
    ...                   "unit": ["亿元"] * 3, "target_year": [2025, 2025, 2025], "value": [300.0, 500.0, 500.0]})
    >>> comparable_targets(c)[["set", "group", "value"]].values.tolist()
    [[1, '合肥', 300.0], [1, '成都', 500.0]]
    """
    if comparison is None or comparison.empty:
        return comparison.assign(set=pd.Series(dtype="int64")) if comparison is not None else pd.DataFrame()
    c = comparison.dropna(subset=["value"])
    keys = ["indicator", "unit", "target_year"]
    n = c.groupby(keys, dropna=False)[group].nunique().rename("_n").reset_index()
    n = n[n["_n"] >= 2].sort_values(["_n", "indicator", "target_year"], ascending=[False, True, True], kind="stable")
    n["set"] = range(1, len(n) + 1)
    out = c.merge(n, on=keys, how="inner").drop(columns="_n")
    return out.sort_values(["set", group], kind="stable").reset_index(drop=True)
