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
    ['The 3 documents are dated 2018–2020 (2018: 1, 2020: 1 documents per year); 1 could not be dated.',
     'No year holds two or more documents, so the year-by-year views compare single documents; they are not trends.']
    >>> period_findings(pd.DataFrame({"doc_id": ["a"], "year": [pd.NA]}))
    ['No dated documents to show: none of the 1 documents has a year.']
    """
    n = documents["doc_id"].nunique() if "doc_id" in documents.columns else len(documents)
    per = documents_per_period(documents, period)
    if per.empty:
        return [nothing("dated documents", f"none of the {n} documents has a {period}")]
    undated = n - int(per.sum())
    first, last = per.index[0], per.index[-1]
    span = f"{first}" if first == last else f"{first}–{last}"
    out = [f"The {n} documents are dated {span} ("
           + ", ".join(f"{p}: {c}" for p, c in per.items()) + f" documents per {period})"
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
                verb = "rose" if b[value] > a[value] else "fell" if b[value] < a[value] else "stayed"
                out.append(f"{name} {verb} from {_fmt(a[value], fmt)} in {a[period]} to {_fmt(b[value], fmt)} "
                           f"in {b[period]} (years with two or more documents).")
                continue
        vals = ", ".join(f"{r[period]} {_fmt(r[value], fmt)}" for _, r in g.iterrows())
        out.append(f"{name}: {vals}; one document per {period}, so these are documents compared, not a trend."
                   if not trend else f"{name}: {vals}; too few documents per {period} for a trend.")
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
