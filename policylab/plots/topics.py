"""Figures of topic models: model selection against K, prevalence by city and over time, top terms.

Each function takes the tables of ``policylab.topics`` (``model_selection``, ``prevalence``,
``topic_terms``, ``topic_labels``) and returns a matplotlib Figure; save it with
``policylab.plots.save_figure``. Topics are named ``T<n> <label>`` when a human label is given in
``topic_labels``, else ``T<n>`` and the first top terms.

Examples
--------
>>> from policylab.plots import topics as tplots
>>> fig = tplots.model_selection(ms)                # doctest: +SKIP
>>> fig = tplots.prevalence_heatmap(prev_by_city)   # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from policylab.plots import use_cjk_font

# metric -> panel title; panels are drawn in this order when the metric has values
METRICS = {
    "npmi": "NPMI coherence (higher is better)",
    "umass": "UMass coherence (higher is better)",
    "stability": "stability across seeds (higher is better)",
    "diversity": "topic diversity (higher is better)",
    "perplexity": "LDA perplexity, in-sample (lower is better)",
    "reconstruction_error": "NMF reconstruction error (lower is better)",
}


def _topic_names(topics, labels: pd.DataFrame | None = None, n_terms: int = 3) -> dict:
    """topic -> display name: 'T3 label' if a label is given, else 'T3 term term term'."""
    names = {int(t): f"T{int(t)}" for t in topics}
    if labels is not None:
        for _, r in labels.iterrows():
            t = int(r["topic"])
            if t not in names:
                continue
            if "label" in r and pd.notna(r["label"]):
                names[t] = f"T{t} {r['label']}"
            elif "top_terms" in r and pd.notna(r["top_terms"]):
                names[t] = f"T{t} " + " ".join(str(r["top_terms"]).split()[:n_terms])
    return names


def model_selection(model_selection: pd.DataFrame, metrics=None, chosen_k: int | None = None, figsize=None):
    """Every model-selection metric against K, one small panel each, a line per method.

    The line is the mean over seeds; the band spans the seeds' minimum to maximum.

    Parameters
    ----------
    model_selection : pandas.DataFrame
        A ``model_selection`` table (:func:`policylab.topics.select_k`).
    metrics : list of str, optional
        Which columns to draw; default every metric with a value.
    chosen_k : int, optional
        Mark the K you chose with a dashed line in every panel.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> ms = pd.DataFrame({"method": ["nmf"] * 4, "k": [2, 2, 4, 4], "seed": [0, 1, 0, 1],
    ...                    "npmi": [0.1, 0.12, 0.2, 0.22], "stability": [0.9, 0.9, 0.8, 0.8]})
    >>> len(model_selection(ms, metrics=["npmi", "stability"], chosen_k=4).axes) >= 2
    True
    """
    use_cjk_font()
    import matplotlib.pyplot as plt

    ms = model_selection.copy()
    if metrics is None:
        metrics = [m for m in METRICS if m in ms.columns and ms[m].notna().any()]
    if not metrics:
        raise ValueError("model_selection table has no metric values to draw")
    ncol = min(3, len(metrics))
    nrow = int(np.ceil(len(metrics) / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=figsize or (4.2 * ncol, 3.2 * nrow), squeeze=False,
                             layout="constrained")
    colors = {"lda": "C0", "nmf": "C1"}  # one colour per method in every panel
    ks = sorted(ms["k"].dropna().astype(int).unique())
    for ax, metric in zip(axes.ravel(), metrics):
        for method, g in ms.groupby("method", sort=True):
            v = g[["k", metric]].astype(float).dropna()
            if v.empty:
                continue
            s = v.groupby("k")[metric].agg(["mean", "min", "max"]).sort_index()
            c = colors.get(str(method), None)
            ax.plot(s.index, s["mean"], marker="o", color=c, label=str(method).upper())
            ax.fill_between(s.index, s["min"], s["max"], color=c, alpha=0.2)
        ax.set_xticks(ks)
        if chosen_k is not None:
            ax.axvline(chosen_k, color="grey", linestyle="--", linewidth=1)
        ax.set_title(METRICS.get(metric, metric), fontsize=9)
        ax.set_xlabel("K (number of topics)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    for ax in axes.ravel()[len(metrics):]:
        ax.set_visible(False)
    fig.suptitle("主题数 K 的选择 (model selection)")
    return fig


def prevalence_heatmap(prevalence: pd.DataFrame, labels: pd.DataFrame | None = None, annotate: bool = True,
                       figsize=None):
    """Topic x group heatmap of topic shares (e.g. topic x city from ``prevalence(by='city')``).

    Parameters
    ----------
    prevalence : pandas.DataFrame
        A ``prevalence`` table.
    labels : pandas.DataFrame, optional
        A ``topic_labels`` table, to name the topics.
    annotate : bool, default True
        Write each share (in %) in its cell.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> prev = pd.DataFrame({"by": "city", "group": ["南京", "南京", "合肥", "合肥"], "topic": [1, 2, 1, 2],
    ...                      "share": [0.6, 0.4, 0.3, 0.7], "ci_low": 0.0, "ci_high": 1.0, "n_units": 5})
    >>> fig = prevalence_heatmap(prev)
    >>> [t.get_text() for t in fig.axes[0].get_xticklabels()]
    ['南京', '合肥']
    """
    use_cjk_font()
    import matplotlib.pyplot as plt

    wide = prevalence.pivot_table(index="topic", columns="group", values="share", aggfunc="first",
                                  observed=True).sort_index()
    wide = wide.astype(float)
    names = _topic_names(wide.index, labels)
    by = str(prevalence["by"].iloc[0]) if len(prevalence) else "group"
    fig, ax = plt.subplots(figsize=figsize or (1.2 * wide.shape[1] + 4.5, 0.45 * wide.shape[0] + 1.8),
                           layout="constrained")
    im = ax.imshow(wide.to_numpy(), cmap="Blues", aspect="auto", vmin=0)
    ax.set_xticks(range(wide.shape[1]), [str(c) for c in wide.columns])
    ax.set_yticks(range(wide.shape[0]), [names[int(t)] for t in wide.index])
    ax.set_xlabel(by)
    if annotate:
        vmax = np.nanmax(wide.to_numpy()) if wide.size else 1.0
        for i in range(wide.shape[0]):
            for j in range(wide.shape[1]):
                v = wide.iat[i, j]
                if pd.notna(v):
                    ax.text(j, i, f"{100 * v:.0f}%", ha="center", va="center", fontsize=8,
                            color="white" if v > 0.6 * vmax else "black")
    fig.colorbar(im, ax=ax, label="topic share 主题占比")
    ax.set_title(f"主题占比 topic share by {by}")
    return fig


def prevalence_trends(prevalence: pd.DataFrame, labels: pd.DataFrame | None = None, topics=None,
                      figsize=None):
    """Topic share over time: a line per topic with its bootstrap interval as a band.

    Parameters
    ----------
    prevalence : pandas.DataFrame
        A ``prevalence`` table by year (``group`` holds the year as text).
    labels : pandas.DataFrame, optional
        A ``topic_labels`` table.
    topics : list of int, optional
        Topics to draw (default all).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> prev = pd.DataFrame({"by": "year", "group": ["2018", "2020"], "topic": [1, 1], "share": [0.4, 0.6],
    ...                      "ci_low": [0.3, 0.5], "ci_high": [0.5, 0.7], "n_units": [4, 4]})
    >>> len(prevalence_trends(prev).axes[0].get_lines())
    1
    """
    use_cjk_font()
    import matplotlib.pyplot as plt

    p = prevalence.copy()
    p["x"] = pd.to_numeric(p["group"], errors="coerce")
    if p["x"].isna().any():
        raise ValueError("prevalence_trends needs numeric groups (years); use prevalence(by='year')")
    if topics is not None:
        p = p[p["topic"].isin(list(topics))]
    names = _topic_names(sorted(p["topic"].astype(int).unique()), labels)
    fig, ax = plt.subplots(figsize=figsize or (8, 4.5), layout="constrained")
    for t, g in p.groupby("topic", sort=True):
        g = g.sort_values("x")
        line, = ax.plot(g["x"], g["share"].astype(float), marker="o", label=names[int(t)])
        ax.fill_between(g["x"], g["ci_low"].astype(float), g["ci_high"].astype(float),
                        color=line.get_color(), alpha=0.15)
    years = sorted(p["x"].unique())
    ax.set_xticks(years, [str(int(y)) for y in years])
    ax.set_xlabel("年份 year")
    ax.set_ylabel("主题占比 topic share")
    ax.set_title("主题占比随时间变化 topic share over time")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    return fig


def top_terms(topic_terms: pd.DataFrame, n: int = 10, labels: pd.DataFrame | None = None, ncols: int = 4,
              figsize=None):
    """Bars of each topic's top ``n`` terms and their weights, one small panel per topic.

    Parameters
    ----------
    topic_terms : pandas.DataFrame
        A ``topic_terms`` table (:meth:`policylab.topics.TopicModel.topic_terms`).
    n : int, default 10
    labels : pandas.DataFrame, optional
        A ``topic_labels`` table, to title the panels.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> terms = pd.DataFrame({"topic": [1, 1], "term": ["算力", "数据"], "weight": [0.6, 0.4], "rank": [1, 2]})
    >>> fig = top_terms(terms, n=2)
    >>> fig.axes[0].get_title()
    'T1'
    """
    use_cjk_font()
    import matplotlib.pyplot as plt

    tt = topic_terms[topic_terms["rank"] <= n]
    topics = sorted(tt["topic"].astype(int).unique())
    names = _topic_names(topics, labels)
    ncols = max(1, min(ncols, len(topics)))
    nrows = int(np.ceil(len(topics) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=figsize or (3.3 * ncols, 0.28 * n * nrows + 1.2 * nrows),
                             squeeze=False, layout="constrained")
    for ax, t in zip(axes.ravel(), topics):
        g = tt[tt["topic"] == t].sort_values("rank")
        ax.barh(range(len(g)), g["weight"].astype(float), color=f"C{(t - 1) % 10}")
        ax.set_yticks(range(len(g)), list(g["term"].astype(str)))
        ax.invert_yaxis()
        ax.set_title(names[t], fontsize=9)
        ax.tick_params(axis="x", labelsize=7)
    for ax in axes.ravel()[len(topics):]:
        ax.set_visible(False)
    fig.suptitle("各主题高权重词 top terms per topic")
    return fig
