"""Diffusion charts: who took text from whom, placed in time and by level; reuse heat map; dendrogram;
a reused passage side by side with its differences highlighted (HTML).

Each chart takes tables of :mod:`policylab.reuse` / :mod:`policylab.compare` and returns a matplotlib
Figure with Chinese labels (the packaged CJK font is registered first).

Examples
--------
>>> import pandas as pd
>>> from policylab.plots.diffusion import passage_html
>>> html = passage_html({"doc_a": "a", "doc_b": "b", "text_a": "培育一批领军企业", "text_b": "培育若干领军企业"})
>>> "<del" in html and "<ins" in html
True
"""

from __future__ import annotations

import difflib
import html as _html
import re

import numpy as np
import pandas as pd

from policylab.plots import use_cjk_font

__all__ = ["plot_diffusion_network", "plot_reuse_heatmap", "plot_dendrogram", "passage_html"]

LEVEL_Y = {"national": 3, "provincial": 2, "municipal": 1, "county": 0}
LEVEL_LABELS = {3: "国家级", 2: "省级", 1: "市级", 0: "区县级", -1: "级别不详"}
_DOCNUM_YEAR = re.compile(r"〔(\d{4})〕")


def _name(labels, doc_id) -> str:
    v = labels.get(doc_id) if labels is not None and hasattr(labels, "get") else None
    return str(v) if v is not None and not pd.isna(v) else str(doc_id)


def _when(row) -> float | None:
    """A document's place on the time axis: its issue date, else the middle of its year."""
    issued = row.get("issued")
    if issued is not None and pd.notna(issued):
        t = pd.Timestamp(issued)
        return t.year + (t.day_of_year - 1) / 366
    year = row.get("year")
    return float(year) + 0.5 if year is not None and pd.notna(year) else None


def node_positions(documents: pd.DataFrame) -> pd.DataFrame:
    """Where each document stands in the network: x = date (fractional year), y = level.

    Documents without a date stand at the left edge (``dated`` False); documents of one level
    and close dates are spread vertically so their labels do not overlap.

    Examples
    --------
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": ["n", "c"], "issued": pd.to_datetime(["2017-07-08", None]),
    ...                      "year": [2017, 2020], "level": ["national", "municipal"]})
    >>> node_positions(docs)[["doc_id", "x", "y", "dated"]].values.tolist()
    [['n', 2017.5137, 3.0, True], ['c', 2020.5, 1.0, True]]
    """
    rows = []
    for r in documents.to_dict("records"):
        rows.append({"doc_id": str(r["doc_id"]), "x": _when(r), "level_y": LEVEL_Y.get(r.get("level"), -1)})
    pos = pd.DataFrame(rows, columns=["doc_id", "x", "level_y"])
    pos["dated"] = pos["x"].notna()
    if pos["dated"].any():
        left = pos.loc[pos["dated"], "x"].min() - 1.0
    else:
        left = 0.0
    pos["x"] = pos["x"].fillna(left).astype(float).round(4)
    # spread documents of one level that stand within half a year of each other
    pos["y"] = pos["level_y"].astype(float)
    for lvl, g in pos.sort_values(["x", "doc_id"], kind="stable").groupby("level_y"):
        last_x, k, run = None, 0, []
        runs = []  # runs of documents within half a year of each other
        for i, x in zip(g.index, g["x"]):
            if last_x is None or x - last_x >= 0.5:
                run = []
                runs.append(run)
            run.append(i)
            last_x = x
        for run in runs:
            # alternate above and below the level's line, staying inside its band (±0.4), so a
            # crowded year never climbs into the next level
            step = min(0.22, 0.8 / max(len(run), 1))
            for k, i in enumerate(run):
                pos.loc[i, "y"] = lvl + (step * ((k + 1) // 2) * (1 if k % 2 else -1) if k else 0.0)
    return pos[["doc_id", "x", "y", "dated"]]


def plot_diffusion_network(documents: pd.DataFrame, pairs: pd.DataFrame, links: pd.DataFrame | None = None,
                           labels=None, weight: str = "share_b", max_edges: int | None = 200,
                           max_labels: int = 25, figsize=None):
    """Documents placed by date (x) and level (y); reuse and citation edges between them.

    Parameters
    ----------
    documents : DataFrame
        ``doc_id`` with ``issued``, ``year``, ``level``.
    pairs : DataFrame
        :func:`policylab.reuse.reuse_pairs`'s table: an arrow from the earlier document to the
        later one (solid) when the dates order them, a dashed line when not; width by ``weight``.
    links : DataFrame, optional
        :func:`policylab.reuse.link_citations`'s table: dotted arrows from a cited corpus
        document to the citing one; cited documents the corpus lacks are drawn hollow, at their
        文号's year and their level.
    labels : mapping, optional
        doc_id -> label.
    max_edges : int or None, default 200
        Reuse edges drawn: the heaviest by ``weight`` (ties by doc ids); None draws all.
    max_labels : int, default 25
        Documents (and missing cited documents) named on the chart: all of them up to this many,
        otherwise the ones with the most drawn edges, so a large corpus stays readable.

    Returns
    -------
    matplotlib.figure.Figure
    """
    use_cjk_font()
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    pos = node_positions(documents).set_index("doc_id")
    ghosts = pd.DataFrame(columns=["x", "y"])
    if links is not None and len(links):
        miss = links[links["cited_doc_id"].isna()].copy()
        rows = {}
        for r in miss.itertuples(index=False):
            key = r.cited_doc_number if isinstance(r.cited_doc_number, str) else str(r.cited_title)
            m = _DOCNUM_YEAR.search(key or "")
            if key in rows or not m:
                continue
            rows[key] = {"x": float(m.group(1)) + 0.5, "y": float(LEVEL_Y.get(r.cited_level, -1)) + 0.3}
        ghosts = pd.DataFrame.from_dict(rows, orient="index", columns=["x", "y"])
    fig, ax = plt.subplots(figsize=figsize or (10, 5))
    if pairs is not None and max_edges is not None and len(pairs) > max_edges:
        pairs = pairs.sort_values([weight, "doc_a", "doc_b"], ascending=[False, True, True],
                                  kind="stable").head(max_edges)
    if pairs is not None and len(pairs):
        wmax = max(float(pairs[weight].max()), 1e-9)
        for r in pairs.itertuples(index=False):
            if r.doc_a not in pos.index or r.doc_b not in pos.index:
                continue
            (xa, ya), (xb, yb) = pos.loc[r.doc_a, ["x", "y"]], pos.loc[r.doc_b, ["x", "y"]]
            lw = 0.8 + 5 * float(getattr(r, weight)) / wmax
            if bool(r.directed):
                ax.annotate("", xy=(xb, yb), xytext=(xa, ya),
                            arrowprops=dict(arrowstyle="-|>", lw=lw, color="#c0392b", alpha=0.7,
                                            shrinkA=8, shrinkB=8, connectionstyle="arc3,rad=0.15"))
            else:
                ax.plot([xa, xb], [ya, yb], ls="--", lw=lw, color="#7f8c8d", alpha=0.7)
    if links is not None and len(links):
        for r in links.itertuples(index=False):
            if r.doc_id not in pos.index:
                continue
            xb, yb = pos.loc[r.doc_id, ["x", "y"]]
            if isinstance(r.cited_doc_id, str) and r.cited_doc_id in pos.index:
                xa, ya = pos.loc[r.cited_doc_id, ["x", "y"]]
            else:
                key = r.cited_doc_number if isinstance(r.cited_doc_number, str) else str(r.cited_title)
                if key not in ghosts.index:
                    continue
                xa, ya = ghosts.loc[key, ["x", "y"]]
            ax.annotate("", xy=(xb, yb), xytext=(xa, ya),
                        arrowprops=dict(arrowstyle="-|>", lw=1.0, ls=":", color="#2c7fb8", shrinkA=8, shrinkB=8))
    ax.scatter(pos["x"], pos["y"], s=120, color=np.where(pos["dated"], "#34495e", "#bdc3c7"), zorder=3)
    named = pos.index
    if len(pos) > max_labels:
        degree = pd.Series(0, index=pos.index)
        if pairs is not None and len(pairs):
            degree = degree.add(pd.concat([pairs["doc_a"], pairs["doc_b"]]).value_counts(), fill_value=0)
        named = degree.sort_values(ascending=False, kind="stable").head(max_labels // 2).index
    for doc, r in pos.loc[pos.index.isin(named)].iterrows():
        ax.annotate(_name(labels, doc), (r["x"], r["y"]), xytext=(6, 6), textcoords="offset points",
                    fontsize=9 if len(pos) <= max_labels else 7)
    if len(ghosts):
        ax.scatter(ghosts["x"], ghosts["y"], s=120, facecolors="none", edgecolors="#2c7fb8", zorder=3)
        for key, r in ghosts.head(max_labels // 2).iterrows():
            ax.annotate(f"{key} (不在语料中)", (r["x"], r["y"]), xytext=(6, -12), textcoords="offset points",
                        fontsize=8, color="#2c7fb8")
    levels = sorted(set(pos["y"].round().astype(int)) | set(ghosts["y"].round().astype(int) if len(ghosts) else []))
    ax.set_yticks(levels, [LEVEL_LABELS.get(v, str(v)) for v in levels])
    ax.set_ylim(min(levels, default=0) - 0.7, max(levels, default=1) + 0.7)
    ax.set_xlabel("成文日期 (无成文日期时按年份规则取年中)")
    ax.set_title("文本复用与引用网络")
    handles = [Line2D([], [], color="#c0392b", lw=2, label="复用 (早→晚)"),
               Line2D([], [], color="#7f8c8d", lw=2, ls="--", label="复用 (日期无法排序)"),
               Line2D([], [], color="#2c7fb8", lw=1, ls=":", label="引用")]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig


def plot_reuse_heatmap(sim: pd.DataFrame, labels=None, value: str = "reuse_share", figsize=None):
    """Heat map of a similarity table: row = document, column = the other, colour = ``value``.

    With ``reuse_share`` a cell is the share of the row document's text found in the column
    document. Values are written in the cells when there are at most 15 documents.

    Examples
    --------
    >>> import pandas as pd
    >>> sim = pd.DataFrame({"doc_a": ["a", "b"], "doc_b": ["b", "a"], "reuse_share": [0.1, 0.3]})
    >>> plot_reuse_heatmap(sim).axes[0].get_title()
    '文本复用比例 (行文件中见于列文件的比例)'
    """
    use_cjk_font()
    import matplotlib.pyplot as plt

    units = sorted(set(sim["doc_a"]) | set(sim["doc_b"]))
    m = (sim.pivot(index="doc_a", columns="doc_b", values=value).reindex(index=units, columns=units)
         .astype(float))
    n = len(units)
    fig, ax = plt.subplots(figsize=figsize or (2.5 + 0.6 * n, 2 + 0.5 * n))
    im = ax.imshow(m.to_numpy(), cmap="Reds", vmin=0)
    names = [_name(labels, u) for u in units]
    ax.set_xticks(range(n), names, rotation=45, ha="right")
    ax.set_yticks(range(n), names)
    if n <= 15:
        for i in range(n):
            for j in range(n):
                v = m.iat[i, j]
                if pd.notna(v):
                    dark = v > 0.6 * np.nanmax(m.to_numpy())
                    ax.text(j, i, f"{v:.1%}" if value == "reuse_share" else f"{v:.2f}", ha="center", va="center",
                            fontsize=8, color="white" if dark else "black")
    fig.colorbar(im, ax=ax, shrink=0.8)
    ax.set_title("文本复用比例 (行文件中见于列文件的比例)" if value == "reuse_share" else f"相似度 ({value})")
    fig.tight_layout()
    return fig


def plot_dendrogram(tree: pd.DataFrame, groups: pd.DataFrame, labels=None, figsize=None):
    """The clustering of :func:`policylab.compare.cluster` drawn as a dendrogram (distance = 1 - similarity).

    Examples
    --------
    >>> import pandas as pd
    >>> from policylab.compare import cluster
    >>> sim = pd.DataFrame({"doc_a": list("aabbcc"), "doc_b": list("bcacab"), "cosine": [0.9, 0.1, 0.9, 0.2, 0.1, 0.2]})
    >>> plot_dendrogram(*cluster(sim)).axes[0].get_xlabel()
    '距离 (1 - 相似度)'
    """
    use_cjk_font()
    import matplotlib.pyplot as plt
    from scipy.cluster.hierarchy import dendrogram

    z = tree[["left", "right", "distance", "size"]].to_numpy(dtype=float)
    names = [_name(labels, d) for d in groups.sort_values("leaf")["doc_id"]]
    fig, ax = plt.subplots(figsize=figsize or (7, 1 + 0.4 * len(names)))
    dendrogram(z, labels=names, orientation="left", ax=ax, color_threshold=0)
    ax.set_xlabel("距离 (1 - 相似度)")
    ax.set_title("文件聚类")
    fig.tight_layout()
    return fig


def passage_html(row, labels=None, title: str | None = None) -> str:
    """A reused passage side by side, text only in one copy struck through, text only in the other marked.

    Parameters
    ----------
    row : mapping or Series
        A row of :func:`policylab.reuse.find`'s table (``doc_a, doc_b, text_a, text_b``).
    labels : mapping, optional
        doc_id -> label for the column headings.
    title : str, optional

    Returns
    -------
    str
        A self-contained HTML fragment (a table), safe to embed: the texts are escaped.

    Examples
    --------
    >>> h = passage_html({"doc_a": "a", "doc_b": "b", "text_a": "<各区>加快", "text_b": "<各区>推进"})
    >>> "&lt;各区&gt;" in h, h.count("<del"), h.count("<ins")
    (True, 1, 1)
    """
    a, b = str(row["text_a"]), str(row["text_b"])
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    left, right = [], []
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        sa, sb = _html.escape(a[i1:i2]), _html.escape(b[j1:j2])
        if op == "equal":
            left.append(sa)
            right.append(sb)
            continue
        if sa:
            left.append(f'<del style="background:#f8c4c4;text-decoration:line-through">{sa}</del>')
        if sb:
            right.append(f'<ins style="background:#c6efce;text-decoration:none">{sb}</ins>')
    head_a, head_b = _html.escape(_name(labels, row["doc_a"])), _html.escape(_name(labels, row["doc_b"]))
    cap = f"<caption>{_html.escape(title)}</caption>" if title else ""
    cell = 'style="vertical-align:top;padding:6px;border:1px solid #ddd;width:50%;line-height:1.6"'
    return (f'<table style="border-collapse:collapse;width:100%">{cap}<tr><th>{head_a}</th><th>{head_b}</th></tr>'
            f"<tr><td {cell}>{''.join(left)}</td><td {cell}>{''.join(right)}</td></tr></table>")
