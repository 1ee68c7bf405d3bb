"""Timeline charts: documents per city on a time axis, term trends, topic trends, targets compared.

Each function takes a table from :mod:`policylab.timeline` and returns a matplotlib Figure with
Chinese labels (the packaged CJK font is registered first). Save with
:func:`policylab.plots.save_figure`.

Examples
--------
>>> import pandas as pd
>>> from policylab.timeline import document_timeline
>>> from policylab.plots.timeline import plot_document_timeline
>>> docs = pd.DataFrame({"doc_id": ["d1"], "city": ["沈阳"], "title": ["三年行动计划"],
...                      "issued": [pd.Timestamp("2018-12-06")], "plan_start": [2018], "plan_end": [2020]})
>>> fig = plot_document_timeline(document_timeline(docs))
>>> fig.axes[0].get_title()
'政策文件时间轴'
"""

from __future__ import annotations

import pandas as pd

from policylab.plots import use_cjk_font

__all__ = ["plot_document_timeline", "plot_term_trends", "plot_topic_trends", "plot_targets_compared"]

EVENT_LABELS = {
    "issued": "成文日期",
    "published": "发布日期",
    "in_force": "有效期",
    "plan_period": "规划期",
    "target": "目标年",
}


def _short(s, n: int = 18) -> str:
    s = "" if s is None or (not isinstance(s, str) and pd.isna(s)) else str(s)
    return s if len(s) <= n else s[: n - 1] + "…"


def plot_document_timeline(timeline: pd.DataFrame, figsize=None):
    """Gantt-like chart: one row per document, grouped by city; bars for the plan period and the
    time in force, markers for the issue and publication dates and the target horizons.

    Parameters
    ----------
    timeline : pandas.DataFrame
        :func:`policylab.timeline.document_timeline`'s table.
    figsize : tuple, optional

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> from policylab.timeline import document_timeline
    >>> docs = pd.DataFrame({"doc_id": ["a"], "city": ["沈阳"], "title": ["规划"], "issued": pd.to_datetime(["2018-12-06"]),
    ...                      "plan_start": [2018], "plan_end": [2020]})
    >>> fig = plot_document_timeline(document_timeline(docs))
    >>> len(fig.axes) >= 1
    True
    """
    use_cjk_font()
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    docs = (timeline[["doc_id", "city", "title"]].drop_duplicates("doc_id")
            .assign(_c=lambda d: d["city"].fillna("(城市不详)"))
            .sort_values(["_c", "doc_id"], kind="stable").reset_index(drop=True))
    n = max(len(docs), 1)
    fig, ax = plt.subplots(figsize=figsize or (10, 1.2 + 0.55 * n))
    row = {d: i for i, d in enumerate(docs["doc_id"])}
    bar_style = {"plan_period": dict(color="#9ecae1", height=0.5), "in_force": dict(color="#fdae6b", height=0.25)}
    point_style = {"issued": dict(marker="o", color="#08519c"), "published": dict(marker="s", color="#636363"),
                   "target": dict(marker="D", color="#d62728")}
    lo, hi = timeline["start"].min(), timeline["end"].max()
    for r in timeline.itertuples(index=False):
        y = row[r.doc_id]
        if r.event in bar_style:
            start = r.start if not pd.isna(r.start) else lo
            end = r.end if not pd.isna(r.end) else hi
            if pd.isna(start) or pd.isna(end):
                continue
            st = bar_style[r.event]
            ax.barh(y, (end - start).days + 1, left=mdates.date2num(start), height=st["height"], color=st["color"],
                    edgecolor="none", zorder=1)
        elif r.event in point_style:
            when = r.start if not pd.isna(r.start) else r.end
            st = point_style[r.event]
            ax.plot(mdates.date2num(when), y, linestyle="none", markersize=7, zorder=3, **st)
    ax.set_yticks(range(len(docs)))
    # a title already named in the row's group (a document label), or starting with it, is not repeated
    def row_name(c, t):
        if pd.isna(t) or str(t) in str(c):
            return str(c)
        t = str(t)
        return f"{c} · {_short(t[len(c) + 3:] if t.startswith(f'{c} · ') else t)}"

    ax.set_yticklabels([row_name(c, t) for c, t in zip(docs["_c"], docs["title"])])
    ax.invert_yaxis()
    ax.xaxis_date()
    # year boundaries as grid lines, year labels centred in the year: a 2025 horizon (31 Dec 2025)
    # then sits at the end of the span labelled 2025, not on a tick reading 2026
    from matplotlib.ticker import NullFormatter

    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(NullFormatter())
    ax.xaxis.set_minor_locator(mdates.MonthLocator(bymonth=7, bymonthday=1))
    ax.xaxis.set_minor_formatter(mdates.DateFormatter("%Y"))
    ax.tick_params(axis="x", which="minor", length=0)
    ax.set_xlabel("年份")
    ax.set_title("政策文件时间轴")
    handles = [Patch(color=bar_style[e]["color"], label=EVENT_LABELS[e]) for e in bar_style] + [
        Line2D([], [], linestyle="none", label=EVENT_LABELS[e], **point_style[e], markersize=7) for e in point_style]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig


def plot_term_trends(prevalence: pd.DataFrame, terms=None, figsize=None):
    """Lines of term prevalence (per 10,000 tokens) by year; one panel per city when the table is
    grouped by city.

    Parameters
    ----------
    prevalence : pandas.DataFrame
        :func:`policylab.timeline.term_prevalence`'s table (by year).
    terms : list of str, optional
        Terms to draw (default all).
    figsize : tuple, optional

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"year": [2018, 2020], "city": [pd.NA, pd.NA], "term": ["算力", "算力"], "per_10k": [1.0, 3.0]})
    >>> len(plot_term_trends(p).axes[0].get_lines())
    1
    """
    use_cjk_font()
    import matplotlib.pyplot as plt

    p = prevalence.dropna(subset=["year"])
    if terms is not None:
        p = p[p["term"].isin(list(terms))]
    cities = [c for c in p["city"].dropna().unique()] if p["city"].notna().any() else [None]
    cities = sorted(cities, key=lambda c: "" if c is None else c)
    fig, axes = plt.subplots(len(cities), 1, figsize=figsize or (8, 3.2 * len(cities)), squeeze=False,
                             sharex=True)
    for ax, city in zip(axes[:, 0], cities):
        sub = p if city is None else p[p["city"] == city]
        for term, g in sub.groupby("term", sort=False):
            g = g.sort_values("year")
            ax.plot(g["year"].astype(int), g["per_10k"], marker="o", label=term)
        ax.set_ylabel("每万词出现次数")
        ax.set_title("词语使用趋势" + ("" if city is None else f" · {city}"))
        ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1))
        ax.grid(alpha=0.3)
    axes[-1, 0].set_xlabel("年份")
    axes[-1, 0].xaxis.get_major_locator().set_params(integer=True)
    fig.tight_layout()
    return fig


def plot_topic_trends(trends: pd.DataFrame, labels: pd.DataFrame | dict | None = None, figsize=None):
    """Mean topic weight by year, one line per topic.

    Parameters
    ----------
    trends : pandas.DataFrame
        :func:`policylab.timeline.topic_prevalence_over_time`'s table.
    labels : dict or pandas.DataFrame, optional
        Topic -> label (a dict, or a ``topic_labels`` table with ``label`` / ``top_terms``).
    figsize : tuple, optional

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"year": [2018, 2020, 2018, 2020], "topic": [1, 1, 2, 2], "weight": [0.6, 0.4, 0.4, 0.6]})
    >>> len(plot_topic_trends(t, {1: "算力", 2: "人才"}).axes[0].get_lines())
    2
    """
    use_cjk_font()
    import matplotlib.pyplot as plt

    names = {}
    if isinstance(labels, dict):
        names = dict(labels)
    elif labels is not None:
        for r in labels.itertuples(index=False):
            lab = getattr(r, "label", None)
            if lab is None or pd.isna(lab):
                lab = " ".join(str(getattr(r, "top_terms", "")).split()[:3])
            names[r.topic] = lab
    fig, ax = plt.subplots(figsize=figsize or (8, 4))
    for topic, g in trends.groupby("topic", sort=True):
        g = g.sort_values("year")
        ax.plot(g["year"].astype(int), g["weight"], marker="o", label=f"主题{topic} {names.get(topic, '')}".strip())
    ax.set_xlabel("年份")
    ax.set_ylabel("平均主题权重")
    ax.set_title("主题随时间的变化")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1))
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def plot_targets_compared(comparison: pd.DataFrame, title: str | None = None, figsize=None):
    """Targets of the same kind across cities: value (in the printed unit) by target year, one
    marker series per city, comparators written beside the points.

    Parameters
    ----------
    comparison : pandas.DataFrame
        :func:`policylab.timeline.compare_targets`'s table, filtered to one unit (e.g.
        ``unit='亿元'``); mixing units on one axis is refused (``ValueError``).
    title : str, optional
    figsize : tuple, optional

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"city": ["合肥", "成都"], "target_year": [2025, 2025], "indicator": ["规模", "规模"],
    ...                   "value": [300.0, 500.0], "value_high": [None, None], "comparator": ["超过", "突破"], "unit": ["亿元"] * 2})
    >>> plot_targets_compared(c, title="核心产业规模").axes[0].get_title()
    '核心产业规模'
    """
    use_cjk_font()
    import matplotlib.pyplot as plt

    units = comparison["unit"].dropna().unique()
    if len(units) > 1:
        raise ValueError(f"targets in several units {list(units)}: filter with compare_targets(unit=...)")
    unit = units[0] if len(units) else ""
    fig, ax = plt.subplots(figsize=figsize or (8, 4.5))
    c = comparison.assign(_c=comparison["city"].fillna("(城市不详)"))
    if "indicator" not in c:
        c = c.assign(indicator=pd.NA)
    # one line per city and indicator: joining two indicators of one city would draw a trend
    # that no document states
    several = c.groupby("_c")["indicator"].nunique().max() > 1 if len(c) else False
    for i, ((city, indicator), g) in enumerate(c.groupby(["_c", "indicator"], sort=True, dropna=False)):
        g = g.sort_values("target_year")
        label = f"{city} {indicator}" if several and not pd.isna(indicator) else city
        ax.plot(g["target_year"].astype(int), g["value"], marker="o", linestyle="-", label=label)
        for j, r in enumerate(g.itertuples(index=False)):
            if not pd.isna(r.value_high):
                ax.vlines(int(r.target_year), r.value, r.value_high, alpha=0.5)
            cmp = "" if pd.isna(r.comparator) else r.comparator
            # alternate the label offsets so that neighbouring points' labels do not sit on each other
            ax.annotate(f"{cmp}{r.value:g}", (int(r.target_year), r.value), textcoords="offset points",
                        xytext=(4, 4 if (i + j) % 2 == 0 else -10), fontsize=8)
    ax.set_xlabel("目标年份")
    ax.set_ylabel(f"目标值({unit})" if unit else "目标值")
    ax.set_title(title or "各城市目标比较")
    years = comparison["target_year"].dropna().astype(int)
    if len(years):  # whole years, a year of margin (one year alone would get a century-wide axis)
        ax.set_xlim(years.min() - 1, years.max() + 1)
        ax.set_xticks(range(years.min() - 1, years.max() + 2))
    ax.legend(frameon=False, title="城市", fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig
