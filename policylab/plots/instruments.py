"""Policy-instrument charts: stacked shares, heat map, type → instrument alluvial, published comparison.

Each function takes a table from :mod:`policylab.instrument_shares` or :mod:`policylab.agreement`
(or coded units) and returns a matplotlib Figure with Chinese labels. An empty table gives a
figure that says there is nothing to draw, never an exception. Save with
:func:`policylab.plots.save_figure`.

Examples
--------
>>> import pandas as pd
>>> from policylab.instrument_shares import shares
>>> from policylab.plots.instruments import plot_shares
>>> coded = pd.DataFrame({"primary": ["S1", "E1", "D2", "S3"], "city": ["南京", "南京", "合肥", "合肥"]})
>>> fig = plot_shares(shares(coded, by="city", n_boot=0))
>>> fig.axes[0].get_title()
'政策工具类型占比'
"""

from __future__ import annotations

import pandas as pd

from policylab.instruments import CODES, TYPE_ZH, TYPES
from policylab.plots import use_cjk_font

__all__ = ["plot_shares", "plot_heatmap", "plot_alluvial", "plot_comparison"]

TYPE_COLOURS = {"supply": "#4c72b0", "environment": "#55a868", "demand": "#dd8452", "none": "#bbbbbb"}
_SHADES = {"supply": ["#1f3b73", "#2f5597", "#4c72b0", "#7a9cd3", "#adc3e8"],
           "environment": ["#1e5631", "#2e7d46", "#55a868", "#86c594", "#b9dfc0"],
           "demand": ["#8c3b0b", "#c25e1c", "#dd8452", "#f0b383", "#f8d9bd"]}


def code_colour(code: str) -> str:
    """Colour of an instrument code (a shade of its type's colour) or of a type.

    Examples
    --------
    >>> code_colour("supply"), code_colour("S1")
    ('#4c72b0', '#1f3b73')
    """
    if code in TYPE_COLOURS:
        return TYPE_COLOURS[code]
    if code in CODES and code != "N":
        t = CODES[code][0]
        return _SHADES[t][int(code[1]) - 1]
    return "#999999"


def _label(category: str) -> str:
    if category in TYPE_ZH:
        return TYPE_ZH[category]
    if category in CODES:
        return f"{category} {CODES[category][1]}"
    return str(category)


def _empty(title: str, message: str = "没有可编码的政策措施 (nothing to code)"):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 2))
    ax.set_axis_off()
    ax.set_title(title)
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes)
    return fig


def plot_shares(table: pd.DataFrame, title: str | None = None, figsize=None):
    """Stacked horizontal bars: one bar per group, the share of each type or instrument.

    ``table`` is :func:`policylab.instrument_shares.shares`; the bar label gives n units.
    """
    use_cjk_font()
    import matplotlib.pyplot as plt

    instrument_level = table is not None and len(table) and not set(table["category"]) <= set(TYPES)
    title = title or ("政策工具占比" if instrument_level else "政策工具类型占比")
    if table is None or len(table) == 0:
        return _empty(title)
    groups = list(dict.fromkeys(sorted(table["group"].astype(str))))
    cats = [c for c in list(TYPES) + list(CODES) if c in set(table["category"])]
    fig, ax = plt.subplots(figsize=figsize or (9, 1.4 + 0.5 * len(groups)))
    left = [0.0] * len(groups)
    for c in cats:
        vals = []
        for g in groups:
            row = table[(table["group"].astype(str) == g) & (table["category"] == c)]
            vals.append(float(row["share"].iloc[0]) if len(row) else 0.0)
        ax.barh(groups, vals, left=left, color=code_colour(c), label=_label(c), edgecolor="white")
        for i, v in enumerate(vals):
            if v >= 0.08:
                ax.text(left[i] + v / 2, i, f"{v * 100:.0f}%", ha="center", va="center", color="white", fontsize=8)
        left = [a + b for a, b in zip(left, vals)]
    n_units = table.drop_duplicates("group").set_index("group")["n_units"]
    ax.set_yticks(range(len(groups)))
    ax.set_yticklabels([f"{g} (n={int(n_units.get(g, 0))})" for g in groups])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("占比 (share of coded measures)")
    ax.set_title(title)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False, fontsize=8)
    fig.tight_layout()
    return fig


def plot_heatmap(table: pd.DataFrame, row: str = "group", column: str = "category", value: str = "share",
                 title: str = "政策工具分布热力图", figsize=None):
    """Heat map of ``value`` by ``row`` × ``column`` (shares by group, a cross-tab, a confusion matrix).

    ``table`` is long (:func:`~policylab.instrument_shares.shares`, :func:`~policylab.instrument_shares.cross_tab`)
    or, when ``row`` is None, a wide matrix such as :func:`policylab.agreement.confusion_matrix`.
    """
    use_cjk_font()
    import matplotlib.pyplot as plt
    import numpy as np

    if table is None or len(table) == 0:
        return _empty(title)
    if row is None:
        wide = table
    else:
        wide = table.pivot_table(index=row, columns=column, values=value, aggfunc="sum", observed=True)
        order = [c for c in list(TYPES) + list(CODES) if c in wide.columns]
        wide = wide[order + [c for c in wide.columns if c not in order]]
    data = wide.to_numpy(dtype=float)
    fig, ax = plt.subplots(figsize=figsize or (1.2 + 0.7 * data.shape[1], 1.2 + 0.45 * data.shape[0]))
    im = ax.imshow(data, cmap="Blues", aspect="auto")
    ax.set_xticks(range(data.shape[1]))
    ax.set_xticklabels([_label(str(c)) for c in wide.columns], rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(data.shape[0]))
    ax.set_yticklabels([str(i) for i in wide.index], fontsize=8)
    top = np.nanmax(data) if np.isfinite(data).any() else 0
    is_share = value == "share" and row is not None
    for i in range(data.shape[0]):
        for j in range(data.shape[1]):
            v = data[i, j]
            if np.isfinite(v) and v > 0:
                ax.text(j, i, f"{v * 100:.0f}" if is_share else f"{v:g}", ha="center", va="center", fontsize=7,
                        color="white" if v > 0.6 * top else "black")
    ax.set_title(title + (" (%)" if is_share else ""))
    fig.colorbar(im, ax=ax, fraction=0.03)
    fig.tight_layout()
    return fig


def _band(ax, x0, x1, y0a, y0b, y1a, y1b, colour):
    """A band from the interval (y0a, y0b) at x0 to (y1a, y1b) at x1, with smooth (cubic) edges."""
    import numpy as np

    t = np.linspace(0, 1, 50)
    s = 3 * t ** 2 - 2 * t ** 3
    xs = x0 + (x1 - x0) * t
    top = y0b + (y1b - y0b) * s
    bottom = y0a + (y1a - y0a) * s
    ax.fill_between(xs, bottom, top, color=colour, alpha=0.45, linewidth=0)


def plot_alluvial(coded: pd.DataFrame, title: str = "政策工具类型 → 具体工具", figsize=None):
    """Alluvial (Sankey-like) chart: the three types on the left, their instruments on the right.

    ``coded`` has a ``primary`` column (coded units); band widths are numbers of units.
    """
    use_cjk_font()
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    if coded is None or len(coded) == 0 or "primary" not in coded:
        return _empty(title)
    codes = coded["primary"].astype("object").dropna().map(lambda c: str(c).strip().upper())
    codes = codes[codes.isin([c for c in CODES if c != "N"])]
    if len(codes) == 0:
        return _empty(title)
    counts = codes.value_counts()
    instruments = [c for c in CODES if c in counts.index]
    types = [t for t in TYPES if any(CODES[c][0] == t for c in instruments)]
    total = float(counts.sum())
    gap = 0.02
    fig, ax = plt.subplots(figsize=figsize or (8, 6))
    # left: types
    y, left_pos = 0.0, {}
    for t in types:
        h = sum(counts[c] for c in instruments if CODES[c][0] == t) / total
        left_pos[t] = [y, y + h]
        ax.add_patch(Rectangle((0, y), 0.06, h, color=TYPE_COLOURS[t]))
        ax.text(-0.02, y + h / 2, f"{TYPE_ZH[t]}\n{h * 100:.0f}%", ha="right", va="center", fontsize=9)
        y += h + gap
    # right: instruments, in the same type order
    y = 0.0
    for t in types:
        cursor = left_pos[t][0]
        for c in [c for c in instruments if CODES[c][0] == t]:
            h = counts[c] / total
            ax.add_patch(Rectangle((0.94, y), 0.06, h, color=code_colour(c)))
            ax.text(1.02, y + h / 2, f"{_label(c)} ({int(counts[c])})", ha="left", va="center", fontsize=8)
            _band(ax, 0.06, 0.94, cursor, cursor + h, y, y + h, code_colour(c))
            cursor += h
            y += h + gap / 2
        y += gap / 2
    ax.set_xlim(-0.3, 1.35)
    ax.set_ylim(max(y, 1.0) + 0.02, -0.02)
    ax.set_axis_off()
    ax.set_title(f"{title} (n={int(total)})")
    fig.tight_layout()
    return fig


def plot_comparison(comparison: pd.DataFrame, title: str = "本语料与已发表的政策工具结构对比", figsize=None):
    """Type shares with bootstrap intervals (bars) against the published shares (diamonds).

    ``comparison`` is :func:`policylab.instrument_shares.compare_published`.
    """
    use_cjk_font()
    import matplotlib.pyplot as plt

    if comparison is None or len(comparison) == 0:
        return _empty(title)
    fig, ax = plt.subplots(figsize=figsize or (6, 3.5))
    x = range(len(comparison))
    share = comparison["share"].astype(float)
    lo = (share - comparison["ci_low"].astype(float)).clip(lower=0).fillna(0)
    hi = (comparison["ci_high"].astype(float) - share).clip(lower=0).fillna(0)
    ax.bar(x, share, color=[TYPE_COLOURS.get(t, "#999") for t in comparison["type"]], label="本语料 (95% 区间)")
    ax.errorbar(x, share, yerr=[lo, hi], fmt="none", ecolor="black", capsize=4)
    ax.scatter(x, comparison["published"].astype(float), marker="D", color="black", zorder=3,
               label="已发表 (省市AI政策)")
    ax.set_xticks(list(x))
    ax.set_xticklabels([TYPE_ZH.get(t, t) for t in comparison["type"]])
    ax.set_ylabel("占比")
    ax.set_ylim(0, max(0.6, float(comparison["ci_high"].max() if comparison["ci_high"].notna().any() else 0) + 0.05))
    ax.set_title(title)
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    return fig
