"""Keyword charts: top keywords per group, keyness, word clouds, co-occurrence networks.

Each function takes the DataFrames of :mod:`policylab.keywords` and returns a matplotlib Figure
drawn with the packaged CJK font (``plots.use_cjk_font()`` is called for you); save it with
``plots.save_figure(fig, stem)``.

Examples
--------
>>> import pandas as pd
>>> from policylab.plots import keywords as kp
>>> freq = pd.DataFrame({"city": ["南京", "南京", "合肥"], "token": ["算力", "数据", "算力"],
...                      "n": [5, 3, 4], "per_10k": [50.0, 30.0, 40.0], "rank": [1, 2, 1]})
>>> fig = kp.top_keywords(freq, by="city")
>>> len(fig.axes)
2
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import pandas as pd

from policylab import plots


def _setup():
    plots.use_cjk_font()
    import matplotlib.pyplot as plt

    return plt


def _groups(df: pd.DataFrame, by) -> list[tuple[tuple, pd.DataFrame]]:
    by = [] if by is None else ([by] if isinstance(by, str) else list(by))
    if not by:
        return [((), df)]
    return [((k,) if not isinstance(k, tuple) else k, g)
            for k, g in df.groupby(by, sort=True, dropna=False)]


def _title(key: tuple) -> str:
    return " · ".join(str(k) for k in key)


def top_keywords(freq: pd.DataFrame, by: str | Sequence[str] | None = "city", *, n: int = 10,
                 value: str = "n", ncols: int = 3, color: str = "#3b6ea5", title: str | None = None):
    """Small multiples: a horizontal bar chart of the top ``n`` tokens in each group.

    Parameters
    ----------
    freq : DataFrame
        From :func:`policylab.keywords.frequency` (or ``tfidf``): ``by`` columns, ``token``, ``value``.
    by : str or list, optional
        One panel per group (e.g. ``"city"``); None = one panel.
    n : int
        Bars per panel (highest ``value`` first, ties by token).
    value : str
        Column to plot: ``"n"``, ``"per_10k"`` or ``"tfidf"``.
    ncols : int
        Panels per row.
    color : str
        Bar colour.
    title : str, optional
        Figure title (a single panel's title when ``by`` is None).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> freq = pd.DataFrame({"city": ["南京", "南京", "合肥"], "token": ["算力", "数据", "场景"], "n": [3, 2, 4]})
    >>> fig = top_keywords(freq, by="city", n=2)
    >>> [ax.get_title() for ax in fig.axes if ax.get_visible()][:2]
    ['南京', '合肥']
    """
    plt = _setup()
    groups = _groups(freq, by)
    ncols = max(1, min(ncols, len(groups)))
    nrows = math.ceil(len(groups) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.6 * ncols, 0.32 * n * nrows + 1.2 * nrows),
                             squeeze=False)
    for ax, (key, g) in zip(axes.flat, groups):
        g = g.sort_values([value, "token"], ascending=[False, True], kind="stable").head(n)
        ax.barh(np.arange(len(g)), g[value].astype(float), color=color)
        ax.set_yticks(np.arange(len(g)), g["token"].astype(str).tolist())
        ax.invert_yaxis()
        ax.set_title(_title(key) if key else (title or ""))
        ax.set_xlabel({"n": "频次", "per_10k": "每万词频次", "tfidf": "TF-IDF"}.get(value, value))
        ax.spines[["top", "right"]].set_visible(False)
    for ax in axes.flat[len(groups):]:
        ax.set_visible(False)
    if title and by:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def keyness_chart(keyness: pd.DataFrame, *, n: int = 15, measure: str = "g2",
                  target_label: str = "目标", reference_label: str = "参照", title: str | None = None):
    """Diverging bars: the ``n`` most key tokens of the target (right) and of the reference (left).

    Parameters
    ----------
    keyness : pandas.DataFrame
        :func:`policylab.keywords.keyness` output (``token``, ``g2`` and ``measure``).
    n : int, default 15
        Tokens per side.
    measure : str, default 'g2'
        ``"g2"``, ``"chi2"`` or ``"log_ratio"`` (signed).
    target_label, reference_label : str
        Legend names of the two sides.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> k = pd.DataFrame({"token": ["先导区", "智能"], "g2": [38.3, -5.0]})
    >>> fig = keyness_chart(k, target_label="南京", reference_label="其他")
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['先导区', '智能']
    """
    plt = _setup()
    k = keyness.dropna(subset=[measure])
    pos = k[k["g2"] > 0].sort_values([measure, "token"], ascending=[False, True], kind="stable").head(n)
    neg = k[k["g2"] < 0].sort_values([measure, "token"], ascending=[True, True], kind="stable").head(n)
    show = pd.concat([pos, neg.iloc[::-1]])
    fig, ax = plt.subplots(figsize=(6.5, 0.3 * len(show) + 1.5))
    vals = show[measure].astype(float).to_numpy()
    colors = np.where(vals > 0, "#c0392b", "#2e86c1")
    y = np.arange(len(show))
    ax.barh(y, vals, color=colors)
    ax.set_yticks(y, show["token"].astype(str).tolist())
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.8)
    label = {"g2": "对数似然 G²", "chi2": "卡方 χ²", "log_ratio": "对数比 (log2)"}.get(measure, measure)
    ax.set_xlabel(f"{label}  ← {reference_label} | {target_label} →")
    ax.set_title(title or f"关键性: {target_label} 对 {reference_label}")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def wordclouds(freq: pd.DataFrame, by: str | Sequence[str] | None = "city", *, n: int = 100,
               value: str = "n", ncols: int = 2, width: int = 600, height: int = 400,
               random_state: int = 0, colormap: str = "viridis"):
    """One word cloud per group, each word once (sized by ``value``), in the packaged CJK font.

    Frequencies are passed as a dict (one entry per token), with ``repeat=False`` and no
    collocation step, so no word appears twice in a cloud.

    Parameters
    ----------
    freq : pandas.DataFrame
        :func:`policylab.keywords.frequency` output (``by`` columns, ``token``, ``value``).
    by : str or list, optional
        One cloud per group; None = one cloud.
    n : int, default 100
        Words per cloud.
    value : str, default 'n'
    ncols : int, default 2
    width, height : int
        Pixels of each cloud.
    random_state : int, default 0
        Layout seed (the same seed gives the same picture).
    colormap : str, default 'viridis'

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> freq = pd.DataFrame({"city": ["南京", "南京"], "token": ["算力", "数据"], "n": [3, 2]})
    >>> fig = wordclouds(freq, by="city", width=200, height=120)
    >>> fig.axes[0].get_title()
    '南京'
    """
    from wordcloud import WordCloud

    plt = _setup()
    groups = _groups(freq, by)
    ncols = max(1, min(ncols, len(groups)))
    nrows = math.ceil(len(groups) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.5 * ncols, 3.4 * nrows), squeeze=False)
    for ax, (key, g) in zip(axes.flat, groups):
        g = g.sort_values([value, "token"], ascending=[False, True], kind="stable").head(n)
        weights = {str(t): float(v) for t, v in zip(g["token"], g[value]) if float(v) > 0}
        wc = WordCloud(font_path=str(plots.font_path()), width=width, height=height,
                       background_color="white", random_state=random_state, colormap=colormap,
                       repeat=False, collocations=False, prefer_horizontal=1.0,
                       max_words=len(weights) or 1)
        wc.generate_from_frequencies(weights)
        ax.imshow(wc.to_array(), interpolation="bilinear")
        ax.set_axis_off()
        ax.set_title(_title(key))
        ax.words_ = [w for (w, _), *_ in wc.layout_]  # what was drawn, for inspection
    for ax in axes.flat[len(groups):]:
        ax.set_visible(False)
    fig.tight_layout()
    return fig


def cooccurrence_network(graph, nodes: pd.DataFrame | None = None, *, size_by: str = "frequency",
                         random_state: int = 0, title: str | None = None, max_nodes: int | None = 60,
                         largest_component: bool = True):
    """Draw a keyword network (from :func:`policylab.keywords.keyword_network`).

    Node size follows ``size_by`` (a ``nodes`` column or graph node attribute); edge width follows
    edge weight; layout is ``spring_layout(seed=random_state)`` so the drawing is reproducible.
    With ``largest_component`` only the biggest connected part is drawn (small islands would
    otherwise crush the layout).

    Parameters
    ----------
    graph : networkx.Graph
        The network (:func:`policylab.keywords.keyword_network`).
    nodes : pandas.DataFrame, optional
        Node table (``token`` and ``size_by``); keeps the ``max_nodes`` first rows.
    size_by : str, default 'frequency'
    random_state : int, default 0
    title : str, optional
    max_nodes : int or None, default 60
    largest_component : bool, default True

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.Graph()
    >>> g.add_edge("算力", "数据", weight=3)
    >>> g.add_nodes_from([("算力", {"frequency": 5}), ("数据", {"frequency": 4})])
    >>> cooccurrence_network(g, title="共现").axes[0].get_title()
    '共现'
    """
    import networkx as nx

    plt = _setup()
    import matplotlib

    g = graph
    if max_nodes is not None and g.number_of_nodes() > max_nodes:
        if nodes is not None:
            keep = nodes["token"].head(max_nodes).tolist()
        else:
            keep = sorted(g.nodes, key=lambda n: (-g.degree(n, weight="weight"), n))[:max_nodes]
        g = g.subgraph(keep).copy()
    if largest_component and g.number_of_nodes():
        comps = sorted(nx.connected_components(g), key=lambda c: (-len(c), min(c)))
        g = g.subgraph(comps[0]).copy()
    order = sorted(g.nodes)
    g2 = nx.Graph()
    g2.add_nodes_from((n, g.nodes[n]) for n in order)
    g2.add_edges_from(sorted((min(a, b), max(a, b), d) for a, b, d in g.edges(data=True)))
    if nodes is not None and size_by in nodes.columns:
        sizes_map = dict(zip(nodes["token"], nodes[size_by].astype(float)))
    else:
        sizes_map = {n: float(g2.nodes[n].get(size_by, 1) or 1) for n in order}
    sz = np.array([sizes_map.get(n, 1.0) for n in order])
    sz = 200 + 1800 * (sz - sz.min()) / (np.ptp(sz) or 1)
    w = np.array([d.get("weight", 1.0) for _, _, d in g2.edges(data=True)], dtype=float)
    widths = 0.5 + 3.5 * (w - w.min()) / (np.ptp(w) or 1) if len(w) else []
    k = 2.0 / math.sqrt(max(len(order), 1))
    pos = nx.spring_layout(g2, seed=random_state, weight=None, k=k, iterations=100)
    fig, ax = plt.subplots(figsize=(8, 7))
    nx.draw_networkx_edges(g2, pos, ax=ax, width=widths, edge_color="#999999", alpha=0.7)
    nx.draw_networkx_nodes(g2, pos, nodelist=order, node_size=sz, node_color="#f5b041",
                           edgecolors="#7e5109", ax=ax)
    family = matplotlib.rcParams["font.sans-serif"][0]
    nx.draw_networkx_labels(g2, pos, ax=ax, font_size=10, font_family=family)
    ax.set_title(title or "关键词共现网络")
    ax.set_axis_off()
    fig.tight_layout()
    return fig
