"""Shares of policy instruments: by document, city, level and period, with bootstrap intervals.

Takes coded units (:func:`policylab.instruments.code`, or a human coder's sheet joined to the units)
and gives tidy tables:

- :func:`add_period` -- 2017–2019 / 2020–2022 / 2023–2025 by default (any periods can be given);
- :func:`shares` -- the share of each type or instrument in each group, with a percentile bootstrap
  interval over units (seeded; resampling n units with replacement is drawn as a multinomial of the
  group's observed shares, which is the same distribution);
- :func:`cross_tab` -- type (or instrument) × a second coded dimension (goal, industrial chain, …);
- :func:`compare_published` -- type shares beside the published AI-policy shares (supply 45.86 %,
  environment 33.45 %, demand 20.69 %);
- :func:`share_findings`, :func:`comparison_findings` -- sentences that obey the report's rules: no
  "largest" for a tie or overlapping intervals, a caveat below 30 units or with one document per group.

Units coded N (not a measure) or not coded at all are left out of every share.

Examples
--------
>>> import pandas as pd
>>> coded = pd.DataFrame({"unit_id": list("abcd"), "doc_id": ["d"] * 4,
...                       "primary": ["S1", "S2", "E1", "D2"], "type": ["supply", "supply", "environment", "demand"]})
>>> shares(coded, n_boot=200)[["category", "n", "share"]].values.tolist()
[['supply', 2, 0.5], ['environment', 1, 0.25], ['demand', 1, 0.25]]
"""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd

from policylab import schema
from policylab.instruments import CODES, PERIODS, PUBLISHED_SHARES, TYPE_ZH, TYPES, type_of

MISSING = "(missing)"
SMALL_N = 30


def period_label(start: int, end: int) -> str:
    """'2017–2019' for (2017, 2019).

    Examples
    --------
    >>> period_label(2020, 2022)
    '2020–2022'
    """
    return f"{start}–{end}"


def add_period(df: pd.DataFrame, year_col: str = "year", periods=PERIODS) -> pd.DataFrame:
    """A copy of ``df`` with a ``period`` column (null when the year is missing or in no period).

    Examples
    --------
    >>> import pandas as pd
    >>> add_period(pd.DataFrame({"year": [2018, 2021, 2030, None]}))["period"].tolist()
    ['2017–2019', '2020–2022', <NA>, <NA>]
    """
    out = df.copy()
    years = pd.to_numeric(out[year_col], errors="coerce") if year_col in out else pd.Series(np.nan, index=out.index)
    labels = [pd.NA] * len(out)
    for i, y in enumerate(years):
        if pd.isna(y):
            continue
        for a, b in periods:
            if a <= y <= b:
                labels[i] = period_label(a, b)
                break
    out["period"] = pd.array(labels, dtype="string")
    return out


def _categories(level: str) -> list[str]:
    if level == "type":
        return list(TYPES)
    if level in ("instrument", "primary"):
        return [c for c in CODES if c != "N"]
    raise ValueError(f"level must be 'type' or 'instrument', not {level!r}")


def _measures(coded: pd.DataFrame, level: str) -> pd.DataFrame:
    """Coded measures only (N and uncoded units left out), with a ``category`` column."""
    if coded is None or len(coded) == 0 or "primary" not in coded:
        return pd.DataFrame({"category": pd.Series([], dtype="object")})
    df = coded.copy()
    prim = df["primary"].astype("object")
    typ = [type_of(p) for p in prim]
    df["category"] = typ if level == "type" else [p.strip().upper() if isinstance(p, str) else None for p in prim]
    keep = [t in TYPES for t in typ]
    return df[keep].reset_index(drop=True)


def _group_keys(df: pd.DataFrame, by) -> tuple[list[str], pd.Series]:
    if by is None:
        return [], pd.Series(["all"] * len(df), index=df.index, dtype="object")
    cols = [by] if isinstance(by, str) else list(by)
    for c in cols:
        if c not in df:
            raise KeyError(f"no column {c!r} to group by (add it first, e.g. add_period for 'period')")
    parts = [df[c].astype("object").where(df[c].notna(), MISSING).astype(str) for c in cols]
    key = parts[0]
    for p in parts[1:]:
        key = key + " / " + p
    return cols, key


def shares(coded: pd.DataFrame, by=None, level: str = "type", n_boot: int = 1000, ci: float = 0.95,
           random_state: int = 0) -> pd.DataFrame:
    """Share of each type (or instrument) of the coded measures in each group, with intervals.

    Parameters
    ----------
    coded : DataFrame
        Coded units (``primary``; ``doc_id`` to count documents; grouping columns).
    by : str or list of str, optional
        Grouping column(s): ``doc_id``, ``city``, ``level_of_government``, ``period`` (see
        :func:`add_period`) …; None pools every unit (group 'all'). A missing value is its own
        group '(missing)'.
    level : {'type', 'instrument'}
        Share of the three types or of the 14 instruments.
    n_boot : int
        Bootstrap replicates (0: no interval).
    ci : float
        Interval coverage.
    random_state : int
        Seed; each group gets its own stream derived from the seed and the group's name, so a
        group's interval does not change when other groups are added.

    Returns
    -------
    DataFrame
        Schema ``instrument_shares``: one row per group and category, every
        category listed (zero counts included), groups in sorted order. No measure gives an
        empty table.

    Examples
    --------
    >>> import pandas as pd
    >>> coded = pd.DataFrame({"unit_id": list("abc"), "doc_id": ["d1", "d1", "d2"],
    ...                       "primary": ["S1", "E1", "N"]})
    >>> shares(coded, by="doc_id", n_boot=0)[["group", "category", "n", "n_units"]].values.tolist()[:3]
    [['d1', 'supply', 1, 2], ['d1', 'environment', 1, 2], ['d1', 'demand', 0, 2]]
    """
    cats = _categories(level)
    cols = schema.columns("instrument_shares")
    df = _measures(coded, level)
    if len(df) == 0:
        return schema.empty("instrument_shares")
    _, key = _group_keys(df, by)
    df = df.assign(_group=key.values)
    alpha = (1 - ci) / 2
    rows = []
    for group in sorted(df["_group"].unique(), key=str):
        g = df[df["_group"] == group]
        n_units = len(g)
        counts = np.array([(g["category"] == c).sum() for c in cats], dtype=float)
        p = counts / n_units
        n_docs = g["doc_id"].nunique() if "doc_id" in g else pd.NA
        if n_boot and n_boot > 0:
            seed = np.random.SeedSequence([int(random_state), zlib.crc32(str(group).encode("utf-8"))])
            rng = np.random.default_rng(seed)
            draws = rng.multinomial(n_units, p, size=int(n_boot)) / n_units
            lo = np.quantile(draws, alpha, axis=0)
            hi = np.quantile(draws, 1 - alpha, axis=0)
        else:
            lo = hi = np.full(len(cats), np.nan)
        for c, k, s, a, b in zip(cats, counts, p, lo, hi):
            rows.append({"group": str(group), "category": c, "n": int(k), "n_units": n_units, "share": float(s),
                         "ci_low": float(a), "ci_high": float(b), "n_docs": n_docs})
    return schema.conform("instrument_shares", pd.DataFrame(rows, columns=cols))


def cross_tab(coded: pd.DataFrame, dimension: str, level: str = "type") -> pd.DataFrame:
    """Type (or instrument) × a second coded dimension, as counts and row shares (long format).

    Parameters
    ----------
    coded : DataFrame
        Coded units with the column ``dimension`` (a goal, an industrial-chain link, a part of
        the plan …); units where it is missing are left out.
    dimension : str
        The second dimension's column.
    level : {'type', 'instrument'}

    Returns
    -------
    DataFrame
        ``<dimension>, category, n, share`` (share of the category within the dimension's value);
        every category listed for every value. Empty when the column is absent or all missing.

    Examples
    --------
    >>> import pandas as pd
    >>> coded = pd.DataFrame({"primary": ["S1", "E1", "S3"], "goal": ["创新", "创新", "产业"]})
    >>> cross_tab(coded, "goal").query("n > 0").values.tolist()
    [['产业', 'supply', 1, 1.0], ['创新', 'supply', 1, 0.5], ['创新', 'environment', 1, 0.5]]
    """
    cats = _categories(level)
    empty = pd.DataFrame({dimension: pd.Series([], dtype="string"), "category": pd.Series([], dtype="string"),
                          "n": pd.Series([], dtype="Int64"), "share": pd.Series([], dtype="float64")})
    df = _measures(coded, level)
    if len(df) == 0 or dimension not in df or df[dimension].notna().sum() == 0:
        return empty
    df = df[df[dimension].notna()]
    rows = []
    for value in sorted(df[dimension].astype(str).unique()):
        g = df[df[dimension].astype(str) == value]
        for c in cats:
            k = int((g["category"] == c).sum())
            rows.append({dimension: value, "category": c, "n": k, "share": k / len(g)})
    out = pd.DataFrame(rows)
    return out.astype({dimension: "string", "category": "string", "n": "Int64", "share": "float64"})


def compare_published(type_shares: pd.DataFrame, group: str = "all", published=None) -> pd.DataFrame:
    """Type shares of one group beside the published shares (schema ``instrument_comparison``).

    Parameters
    ----------
    type_shares : DataFrame
        :func:`shares` at type level.
    group : str
        Which group to compare (default the pooled 'all').
    published : dict, optional
        Type -> share; default the codebook's provincial and city AI-policy shares.

    Examples
    --------
    >>> import pandas as pd
    >>> coded = pd.DataFrame({"primary": ["S1"] * 5 + ["E1"] * 3 + ["D2"] * 2})
    >>> compare_published(shares(coded, n_boot=0))[["type", "share", "published"]].values.tolist()
    [['supply', 0.5, 0.4586], ['environment', 0.3, 0.3345], ['demand', 0.2, 0.2069]]
    """
    pub = PUBLISHED_SHARES if published is None else published
    cols = schema.columns("instrument_comparison")
    if type_shares is None or len(type_shares) == 0:
        return schema.conform("instrument_comparison", pd.DataFrame(columns=cols))
    g = type_shares[(type_shares["group"] == group) & (type_shares["category"].isin(list(pub)))]
    rows = []
    for r in g.itertuples(index=False):
        p = float(pub[r.category])
        inside = None if pd.isna(r.ci_low) else bool(r.ci_low <= p <= r.ci_high)
        rows.append({"type": r.category, "share": r.share, "ci_low": r.ci_low, "ci_high": r.ci_high,
                     "published": p, "difference": r.share - p, "published_in_interval": inside})
    return schema.conform("instrument_comparison", pd.DataFrame(rows, columns=cols))


# ----------------------------------------------------------------------------- findings

def _pct(x: float) -> str:
    return f"{x * 100:.0f} %"


def _name(category: str) -> str:
    if category in TYPE_ZH:
        return f"{category} ({TYPE_ZH[category]})"
    if category in CODES:
        return f"{category} {CODES[category][1]}"
    return str(category)


def _overlap(a, b) -> bool:
    if any(pd.isna(x) for x in (a.ci_low, a.ci_high, b.ci_low, b.ci_high)):
        return True  # without intervals an ordering cannot be claimed
    return not (a.ci_low > b.ci_high or b.ci_low > a.ci_high)


def share_findings(table: pd.DataFrame, what: str = "measures") -> list[str]:
    """One sentence per group on a :func:`shares` table, obeying the report's rules.

    - the top category is called "the largest" only if it is not tied and its interval does not
      overlap the runner-up's; otherwise the leaders are named together as level;
    - a group with fewer than 30 units, or one document, gets a caveat;
    - a '(missing)' group is named as such; an empty table gives one sentence saying so.

    Examples
    --------
    >>> import pandas as pd
    >>> coded = pd.DataFrame({"primary": ["S1", "E1", "D2", "S2"], "doc_id": ["a"] * 4})
    >>> print(share_findings(shares(coded, n_boot=200))[0])
    All: supply (供给型) 50 % leads, but its interval overlaps environment (环境型) 25 %, demand (需求型) 25 %, so it cannot be called the largest; 4 measures from 1 document (fewer than 30: a fragile figure; one document: not a pattern across documents).
    """
    if table is None or len(table) == 0:
        return [f"There are no coded {what}, so there are no shares to report."]
    out = []
    for group, g in table.groupby("group", sort=True):
        order = {c: i for i, c in enumerate(list(TYPES) + list(CODES))}
        g = g.assign(_o=g["category"].map(order).fillna(len(order))).sort_values(
            ["share", "_o"], ascending=[False, True], kind="stable")
        n_units = int(g["n_units"].iloc[0])
        n_docs = g["n_docs"].iloc[0] if "n_docs" in g else pd.NA
        label = "All" if group == "all" else ("Documents without a value for this grouping (e.g. undated)" if group == MISSING else str(group))
        rows = list(g.itertuples(index=False))
        top = rows[0]
        tied = [r for r in rows if r.share == top.share]
        close = [r for r in rows[1:] if r.share != top.share and r.share > 0 and _overlap(top, r)]
        if len(tied) > 1:
            names = " and ".join(_name(r.category) for r in tied)
            s = f"{label}: {names} are tied at {_pct(top.share)}"
        elif close:
            names = ", ".join(f"{_name(r.category)} {_pct(r.share)}" for r in close)
            s = (f"{label}: {_name(top.category)} {_pct(top.share)} leads, but its interval overlaps "
                 f"{names}, so it cannot be called the largest")
        elif len(rows) > 1:
            s = (f"{label}: {_name(top.category)} is the largest at {_pct(top.share)} "
                 f"(interval {_pct(top.ci_low)}–{_pct(top.ci_high)}), ahead of {_name(rows[1].category)} "
                 f"{_pct(rows[1].share)}")
        else:
            s = f"{label}: {_name(top.category)} {_pct(top.share)}"
        docs = "" if pd.isna(n_docs) else f" from {int(n_docs)} document{'s' if int(n_docs) != 1 else ''}"
        caveats = []
        if n_units < SMALL_N:
            caveats.append(f"fewer than {SMALL_N}: a fragile figure")
        if not pd.isna(n_docs) and int(n_docs) == 1:
            caveats.append("one document: not a pattern across documents")
        s += f"; {n_units} {what}{docs}"
        if caveats:
            s += f" ({'; '.join(caveats)})"
        out.append(s + ".")
    return out


def comparison_findings(comparison: pd.DataFrame) -> list[str]:
    """Sentences on :func:`compare_published`: each type's share against the published one.

    A difference is called higher or lower only when the published share lies outside the
    bootstrap interval; otherwise the corpus is said to be in line with it.

    Examples
    --------
    >>> import pandas as pd
    >>> cmp = pd.DataFrame({"type": ["demand"], "share": [0.40], "ci_low": [0.30], "ci_high": [0.50],
    ...                     "published": [0.2069], "difference": [0.1931], "published_in_interval": [False]})
    >>> comparison_findings(cmp)
    ['Demand (需求型): 40 % (interval 30 %–50 %) against 20.69 % published, higher than the published share.']
    """
    if comparison is None or len(comparison) == 0:
        return ["There are no coded measures to compare with the published shares."]
    out = []
    for r in comparison.itertuples(index=False):
        head = f"{_name(r.type)[0].upper()}{_name(r.type)[1:]}: {_pct(r.share)}"
        if pd.isna(r.ci_low):
            out.append(f"{head} against {r.published * 100:.2f} % published (no interval, so no verdict).")
            continue
        head += f" (interval {_pct(r.ci_low)}–{_pct(r.ci_high)}) against {r.published * 100:.2f} % published"
        if bool(r.published_in_interval):
            out.append(f"{head}, in line with it (the published share lies inside the interval).")
        else:
            out.append(f"{head}, {'higher' if r.share > r.published else 'lower'} than the published share.")
    return out


def coder_shift_findings(table: pd.DataFrame, reference: str = "hand", coder: str = "coder",
                         threshold: float = 0.03) -> list[str]:
    """How far the coder moves each type's share on the same units, against the reference coding.

    ``table`` is :func:`shares` of the labelled units grouped by a coder column (groups
    ``reference`` and ``coder``). A shift of ``threshold`` or more is reported as a bias to keep in
    mind when comparing shares with published ones; nothing is said when both groups are absent.

    Examples
    --------
    >>> import pandas as pd
    >>> lab = pd.DataFrame({"primary": ["S1", "E1", "D2", "S3"] * 2, "coder": ["hand"] * 4 + ["coder"] * 4})
    >>> lab.loc[4, "primary"] = "D2"
    >>> print(coder_shift_findings(shares(lab, by="coder", n_boot=0))[0])
    On the same labelled units the coder gives supply (供给型) 25 % where the hand coding gives 50 %, demand (需求型) 50 % where the hand coding gives 25 %; differences of that size from a published share may be the coder's.
    """
    if table is None or len(table) == 0 or not {reference, coder} <= set(table["group"]):
        return []
    ref = table[table["group"] == reference].set_index("category")["share"]
    got = table[table["group"] == coder].set_index("category")["share"]
    moved = [c for c in TYPES if c in ref and c in got and abs(got[c] - ref[c]) >= threshold]
    if not moved:
        return [f"On the same labelled units the coder's type shares stay within {threshold * 100:.0f} points "
                f"of the {reference} coding."]
    parts = [f"{_name(c)} {_pct(got[c])} where the {reference} coding gives {_pct(ref[c])}" for c in moved]
    return [f"On the same labelled units the coder gives {', '.join(parts)}; differences of that size from a "
            "published share may be the coder's."]
