"""Agreement between two coders of policy instruments (human or machine): κ, α, percent, confusion.

Agreement is measured on the primary code, at instrument level (S1 … D4) and at type level
(supply / environment / demand), as the codebook asks.

- :func:`cohen_kappa` -- Cohen's κ = (p_o − p_e) / (1 − p_e), p_e from the two coders' own marginals.
- :func:`krippendorff_alpha` -- Krippendorff's α for nominal data, 1 − D_o / D_e from the
  coincidence matrix; any number of coders, missing values allowed (a unit coded by fewer than
  two coders is not pairable and is left out).
- :func:`percent_agreement`, :func:`confusion_matrix`.
- :func:`agreement` -- one row per level (schema ``agreement``); :func:`disagreement` -- which
  instruments the coders disagree on most (schema ``disagreement``); :func:`agreement_findings`.

A statistic that is undefined (both coders used one and the same category: p_e = 1) is NaN, never
an exception; an empty input gives an empty table.

Examples
--------
>>> a = ["S1", "S1", "E1", "D2", "E1", "S3"]
>>> b = ["S1", "S3", "E1", "D2", "E5", "S3"]
>>> round(cohen_kappa(a, b), 4), round(percent_agreement(a, b), 4)
(0.5862, 0.6667)
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from policylab import schema
from policylab.instruments import CODES, type_of


def _pairs(a, b) -> tuple[list, list]:
    a, b = list(a), list(b)
    if len(a) != len(b):
        raise ValueError(f"the two codings differ in length ({len(a)} and {len(b)})")
    keep = [(x, y) for x, y in zip(a, b) if _present(x) and _present(y)]
    return [x for x, _ in keep], [y for _, y in keep]


def _present(x) -> bool:
    if x is None:
        return False
    try:
        return not pd.isna(x) and str(x).strip() != ""
    except (TypeError, ValueError):
        return True


def percent_agreement(a, b) -> float:
    """Share of units both coders coded with the same code (NaN if no unit is coded by both).

    Examples
    --------
    >>> percent_agreement(["S1", "E1", None], ["S1", "E2", "E1"])
    0.5
    """
    a, b = _pairs(a, b)
    if not a:
        return float("nan")
    return float(np.mean([x == y for x, y in zip(a, b)]))


def cohen_kappa(a, b) -> float:
    """Cohen's κ of two codings of the same units (pairs with a missing code are left out).

    Returns NaN when κ is undefined (no pairs, or chance agreement p_e = 1).

    Examples
    --------
    A hand-computed case: 10 units, p_o = 0.7; coder A uses x 5, y 5 times, coder B x 6, y 4,
    so p_e = 0.5·0.6 + 0.5·0.4 = 0.5 and κ = (0.7 − 0.5) / 0.5 = 0.4.

    >>> a = list("xxxxxyyyyy")
    >>> b = list("xxxxyxyyyx")
    >>> round(cohen_kappa(a, b), 10)
    0.4
    >>> cohen_kappa(["S1", "S1"], ["S1", "S1"])
    nan
    """
    a, b = _pairs(a, b)
    n = len(a)
    if n == 0:
        return float("nan")
    cats = sorted(set(a) | set(b), key=str)
    po = sum(x == y for x, y in zip(a, b)) / n
    pe = sum((a.count(c) / n) * (b.count(c) / n) for c in cats)
    if math.isclose(pe, 1.0):
        return float("nan")
    return float((po - pe) / (1 - pe))


def krippendorff_alpha(*codings) -> float:
    """Krippendorff's α, nominal metric, for two or more codings of the same units.

    Parameters
    ----------
    *codings : sequences
        One sequence per coder, aligned by unit; None / NaN / '' is a missing value.

    Returns
    -------
    float
        α = 1 − D_o / D_e; NaN when fewer than two pairable values exist or D_e = 0.

    Examples
    --------
    Hand computation (two coders, 4 units, no missing values): values x,x | x,y | y,y | y,y give
    the coincidence matrix o_xx = 2, o_xy = o_yx = 1, o_yy = 4, n = 8, n_x = 3, n_y = 5;
    D_o = 2/8, D_e = 2·3·5 / (8·7) = 30/56, α = 1 − (2/8)/(30/56) = 1 − 14/30 = 0.5333.

    >>> round(krippendorff_alpha(["x", "x", "y", "y"], ["x", "y", "y", "y"]), 4)
    0.5333
    """
    if len(codings) < 2:
        raise ValueError("Krippendorff's alpha needs at least two codings")
    lengths = {len(list(c)) for c in codings}
    if len(lengths) != 1:
        raise ValueError(f"the codings differ in length: {sorted(lengths)}")
    cols = [list(c) for c in codings]
    n_units = lengths.pop()
    coincidence: dict = {}
    for i in range(n_units):
        values = [str(c[i]) for c in cols if _present(c[i])]
        m = len(values)
        if m < 2:
            continue
        for p in range(m):
            for q in range(m):
                if p != q:
                    key = (values[p], values[q])
                    coincidence[key] = coincidence.get(key, 0.0) + 1.0 / (m - 1)
    n = sum(coincidence.values())
    if n <= 1:
        return float("nan")
    totals: dict = {}
    for (c, _), v in coincidence.items():
        totals[c] = totals.get(c, 0.0) + v
    d_o = sum(v for (c, k), v in coincidence.items() if c != k) / n
    d_e = sum(totals[c] * totals[k] for c in totals for k in totals if c != k) / (n * (n - 1))
    if d_e == 0:
        return float("nan")
    return float(1 - d_o / d_e)


def confusion_matrix(a, b, labels=None, names=("coder_a", "coder_b")) -> pd.DataFrame:
    """Counts of coder A's code (rows) against coder B's code (columns), every label shown.

    Parameters
    ----------
    a, b : sequences
        Codes of the same units (pairs with a missing code are left out).
    labels : list, optional
        Row and column order (default: codebook order of the codes used, then any others sorted).
    names : tuple of str
        Names of the row and column axes.

    Returns
    -------
    DataFrame
        Integer counts; an empty input gives an empty frame.

    Examples
    --------
    >>> confusion_matrix(["S1", "E1", "E1"], ["S1", "E1", "S1"]).values.tolist()
    [[1, 0], [1, 1]]
    """
    a, b = _pairs(a, b)
    if labels is None:
        used = set(a) | set(b)
        order = [c for c in CODES if c in used] + [x for x in ("supply", "environment", "demand", "none") if x in used]
        labels = order + sorted(used - set(order), key=str)
    m = pd.DataFrame(0, index=pd.Index(labels, name=names[0]), columns=pd.Index(labels, name=names[1]))
    for x, y in zip(a, b):
        m.loc[x, y] += 1
    return m


def _aligned(coding_a, coding_b, column: str, on: str) -> pd.DataFrame:
    if isinstance(coding_a, pd.DataFrame) and isinstance(coding_b, pd.DataFrame):
        if len(coding_a) == 0 or len(coding_b) == 0:
            return pd.DataFrame({"a": pd.Series([], dtype="object"), "b": pd.Series([], dtype="object")})
        left = coding_a[[on, column]].drop_duplicates(on)
        right = coding_b[[on, column]].drop_duplicates(on)
        m = left.merge(right, on=on, how="inner", suffixes=("_a", "_b"))
        return pd.DataFrame({on: m[on], "a": m[f"{column}_a"].astype("object"),
                             "b": m[f"{column}_b"].astype("object")})
    a, b = list(coding_a), list(coding_b)
    return pd.DataFrame({"a": pd.Series(a, dtype="object"), "b": pd.Series(b, dtype="object")})


def _norm(code):
    return code.strip().upper() if isinstance(code, str) and code.strip() else None


def agreement(coding_a, coding_b, column: str = "primary", on: str = "unit_id") -> pd.DataFrame:
    """Agreement of two coders at instrument and type level (schema ``agreement``).

    Parameters
    ----------
    coding_a, coding_b : DataFrame or sequence
        Two codings: DataFrames joined on ``on`` (units only one coder coded are left out), or two
        aligned sequences of codes.
    column : str
        Column holding the instrument code (S1 … D4, N).
    on : str
        Unit key for DataFrames.

    Returns
    -------
    DataFrame
        Rows 'instrument' and 'type': ``level, n_units, percent_agreement, cohen_kappa,
        krippendorff_alpha``. No unit in common gives two rows with n_units 0 and NaN statistics.

    Examples
    --------
    >>> agreement(["S1", "S2", "E1", "D2"], ["S1", "S3", "E1", "D2"]).round(3).values.tolist()
    [['instrument', 4, 0.75, 0.692, 0.72], ['type', 4, 1.0, 1.0, 1.0]]
    """
    pair = _aligned(coding_a, coding_b, column, on)
    a = [_norm(x) for x in pair["a"]]
    b = [_norm(x) for x in pair["b"]]
    ta = [type_of(x) for x in a]
    tb = [type_of(x) for x in b]
    rows = []
    for level, x, y in (("instrument", a, b), ("type", ta, tb)):
        px, py = _pairs(x, y)
        rows.append({"level": level, "n_units": len(px), "percent_agreement": percent_agreement(x, y),
                     "cohen_kappa": cohen_kappa(x, y),
                     "krippendorff_alpha": krippendorff_alpha(x, y) if len(px) else float("nan")})
    return schema.conform("agreement", pd.DataFrame(rows, columns=schema.columns("agreement")))


def disagreement(coding_a, coding_b, column: str = "primary", on: str = "unit_id") -> pd.DataFrame:
    """Which instruments the two coders disagree on most (schema ``disagreement``).

    For each code: units where either coder used it, where both did, the share of the former on
    which they differ, and the code the other coder chose most often in those cases. Sorted by
    ``disagreement`` then ``n_disagree`` (descending), then code.

    Examples
    --------
    >>> d = disagreement(["S1", "S2", "S2", "E1"], ["S1", "S3", "S2", "E1"])
    >>> d[["code", "n_either", "n_disagree", "confused_with"]].values.tolist()[:2]
    [['S3', 1, 1, 'S2'], ['S2', 2, 1, 'S3']]
    """
    pair = _aligned(coding_a, coding_b, column, on)
    a, b = _pairs([_norm(x) for x in pair["a"]], [_norm(x) for x in pair["b"]])
    rows = []
    for code in [c for c in CODES if c in set(a) | set(b)]:
        either = [(x, y) for x, y in zip(a, b) if code in (x, y)]
        both = sum(x == y == code for x, y in either)
        others = [y if x == code else x for x, y in either if x != y]
        confused = pd.Series(others, dtype="object").value_counts(sort=True)
        confused = confused.sort_index(kind="stable").sort_values(ascending=False, kind="stable")
        rows.append({"code": code, "n_either": len(either), "n_both": both, "n_disagree": len(either) - both,
                     "disagreement": (len(either) - both) / len(either),
                     "confused_with": confused.index[0] if len(confused) else None})
    df = pd.DataFrame(rows, columns=schema.columns("disagreement"))
    if len(df):
        df = df.sort_values(["disagreement", "n_disagree", "code"], ascending=[False, False, True], kind="stable")
    return schema.conform("disagreement", df).reset_index(drop=True)


def agreement_findings(table: pd.DataFrame, goal: float = 0.7, label: str = "the coder") -> list[str]:
    """Sentences on an :func:`agreement` table: κ at each level, against a goal, with a small-n caveat.

    Examples
    --------
    >>> t = agreement(["S1", "S2", "E1", "D2"], ["S1", "S3", "E1", "D2"])
    >>> print(agreement_findings(t)[0])
    Type level: Cohen's κ = 1.00, Krippendorff's α = 1.00, agreement 100 % on 4 units (goal κ ≥ 0.70: met); with fewer than 30 units the figure is fragile.
    """
    out = []
    if table is None or len(table) == 0 or int(table["n_units"].fillna(0).max()) == 0:
        return ["No unit was coded by both coders, so agreement cannot be measured."]
    for level in ("type", "instrument"):
        row = table[table["level"] == level]
        if not len(row):
            continue
        r = row.iloc[0]
        n = int(r["n_units"])
        k, al, p = r["cohen_kappa"], r["krippendorff_alpha"], r["percent_agreement"]
        kappa = "undefined (one category only)" if pd.isna(k) else f"{k:.2f}"
        alpha = "undefined" if pd.isna(al) else f"{al:.2f}"
        s = (f"{level.capitalize()} level: Cohen's κ = {kappa}, Krippendorff's α = {alpha}, "
             f"agreement {p * 100:.0f} % on {n} units")
        if level == "type" and not pd.isna(k):
            s += f" (goal κ ≥ {goal:.2f}: {'met' if k >= goal else 'not met'})"
        if n < 30:
            s += "; with fewer than 30 units the figure is fragile"
        out.append(s + ".")
    return out
